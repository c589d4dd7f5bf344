/* tb_case_export.h: case events as JSON documents for the urban-management platform.
 *
 * One document per case event not yet exported: a new case (its `detected` history
 * row) or a status change (any later history row), i.e. every case_history row whose
 * exported_at is NULL. Each document is written into the outbox folder under a
 * temporary name (".NAME.tmp-PID") and renamed to `<case_id>-<history fid, 8 digits>.json`;
 * when every file is written, the rows are marked exported_at = now in ONE transaction.
 * A crash in between leaves the rows unmarked and a rerun rewrites the same files byte
 * for byte (a document holds no export time), so export is idempotent. An event whose
 * document already sits in OUTBOX/delivered/ is not written again, only marked.
 *
 * The idempotency key of a document is "tb-" + 32 hex digits hashed from the case id,
 * the history row's fid, its time and its new status: the same event always gets the
 * same key. The document fields are listed in README.md ("tuban cases", export).
 *
 * Errors: TB_ERR_OUTPUT naming the outbox file that cannot be written; TB_ERR_STORE
 * for the store (the rows then stay unmarked). Ownership: the caller owns every string
 * passed in; nothing is kept after the call.
 */
#ifndef TB_CASE_EXPORT_H
#define TB_CASE_EXPORT_H

#include "tb_error.h"

typedef struct tb_export_options {
    const char *event_class; /* NULL: the case's event_code, else "0101" */
    const char *event_name;  /* NULL: from the built-in table (0101: 私搭乱建) */
} tb_export_options;

typedef struct tb_export_report {
    long documents; /* written into the outbox by this call */
    long already_delivered; /* events found in OUTBOX/delivered/, only marked */
    long cases;     /* distinct cases among them */
} tb_export_report;

/* The name of an event class code from the built-in table ("私搭乱建" for "0101"), or
 * "" for a code the table lacks. */
const char *tb_event_class_name(const char *code);

/* Exports every unexported event of the store at `store_path` into `outbox` (created
 * when missing, as is outbox/delivered). `opt` may be NULL; `r` is filled. */
tb_status tb_case_export(const char *store_path, const char *outbox, const tb_export_options *opt,
                         tb_export_report *r);

#endif
