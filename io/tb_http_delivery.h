/* tb_http_delivery.h: delivery of outbox documents to the platform by HTTP POST
 * (libcurl).
 *
 * Every `*.json` file directly in the outbox (names starting with '.' are temporary
 * and skipped) is POSTed, in name order, with the headers
 *   Content-Type: application/json
 *   Idempotency-Key: <the document's idempotency_key>
 *   Authorization: Bearer <token>      (only when a token is given)
 * A 2xx answer moves the file to OUTBOX/delivered/. A connection error, a timeout, a
 * 5xx or a 429 is retried after backoff_s x 2^n seconds (capped at backoff_max_s), at
 * most `retries` times (a 429 or 503 carrying Retry-After is retried after the delay it
 * asks for instead, also capped at backoff_max_s); the document then stays in the outbox as pending. Any other
 * answer (a 4xx but 429, a 3xx) fails the document for good: it stays in the outbox
 * and is reported. The token is never printed, logged or put into an error message.
 *
 * Ownership: the caller owns every string passed in; `log` (may be NULL) receives one
 * line per failed or retried attempt, without the token.
 */
#ifndef TB_HTTP_DELIVERY_H
#define TB_HTTP_DELIVERY_H

#include <stdio.h>

#include "tb_error.h"

typedef struct tb_delivery_options {
    const char *url;      /* where documents are POSTed */
    const char *token;    /* bearer token, or NULL */
    int retries;          /* retries per document after the first attempt (default 5) */
    double timeout_s;     /* per request (default 30) */
    double backoff_s;     /* first retry delay (default 0.5) */
    double backoff_max_s; /* delay cap (default 30) */
} tb_delivery_options;

typedef struct tb_delivery_report {
    long delivered; /* moved to delivered/ by this call */
    long failed;    /* refused for good (4xx but 429, 3xx, unreadable document) */
    long pending;   /* still failing after every retry */
    long requests;  /* HTTP attempts made */
} tb_delivery_report;

void tb_delivery_options_init(tb_delivery_options *o);

/* Delivers the outbox's documents. Returns TB_OK when the outbox could be worked
 * through (the report tells what arrived), or TB_ERR_OUTPUT / TB_ERR_NOMEM /
 * TB_ERR_INTERNAL when it could not (unreadable folder, libcurl unusable). */
tb_status tb_deliver_outbox(const char *outbox, const tb_delivery_options *o,
                            tb_delivery_report *r, FILE *log);

#endif
