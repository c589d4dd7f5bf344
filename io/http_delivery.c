/* http_delivery.c: outbox documents POSTed to the platform through libcurl (rules in
 * tb_http_delivery.h).
 *
 * One easy handle serves every request (connections are reused). Each document is
 * read whole, its idempotency_key taken from the JSON, and POSTed until it is
 * accepted, refused for good, or out of retries. The Authorization header is built in
 * a buffer that is wiped before it is freed, and libcurl's verbose mode stays off, so
 * the token reaches nothing but the socket.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "tb_http_delivery.h"

void tb_delivery_options_init(tb_delivery_options *o)
{
    memset(o, 0, sizeof *o);
    o->retries = 5;
    o->timeout_s = 30;
    o->backoff_s = 0.5;
    o->backoff_max_s = 30;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_document(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 5 && !strcmp(name + n - 5, ".json");
}

/* The names of the outbox's documents, sorted; NULL-terminated. */
static tb_status list_documents(const char *outbox, char ***out, size_t *count)
{
    DIR *d = opendir(outbox);
    if (!d)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot read the outbox (%s)", outbox,
                        strerror(errno));
    size_t cap = 64, n = 0;
    char **names = malloc(cap * sizeof *names);
    struct dirent *de;
    while (names && (de = readdir(d)) != NULL) {
        if (!is_document(de->d_name))
            continue;
        if (n + 1 >= cap) {
            char **nn = realloc(names, 2 * cap * sizeof *names);
            if (!nn) {
                for (size_t i = 0; i < n; i++)
                    free(names[i]);
                free(names);
                names = NULL;
                break;
            }
            names = nn;
            cap *= 2;
        }
        names[n] = strdup(de->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    if (!names)
        return tb_error(TB_ERR_NOMEM, "%s: out of memory", outbox);
    qsort(names, n, sizeof *names, cmp_name);
    names[n] = NULL;
    *out = names;
    *count = n;
    return TB_OK;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 8192, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

/* The response body is not kept: a platform might echo headers back. */
static size_t discard(char *ptr, size_t size, size_t nmemb, void *user)
{
    (void)ptr;
    (void)user;
    return size * nmemb;
}

static void sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

typedef enum { SENT_OK, SENT_RETRY, SENT_FAIL } send_result;

/* One POST; `why` receives a short reason (never a header). `retry_after` receives the
 * delay a 429 or 503 asked for in its Retry-After header (seconds or an HTTP date;
 * libcurl parses both), or -1 when there was none. */
static send_result post_once(CURL *h, const tb_delivery_options *o, struct curl_slist *hdr,
                             const char *body, size_t len, char *why, size_t why_size,
                             double *retry_after)
{
    *retry_after = -1;
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, o->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(o->timeout_s * 1000));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(o->timeout_s * 1000));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 0L);
    CURLcode c = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    if (c != CURLE_OK) {
        snprintf(why, why_size, "%s", errbuf[0] ? errbuf : curl_easy_strerror(c));
        /* A URL libcurl cannot use will not work on a retry either. */
        return c == CURLE_UNSUPPORTED_PROTOCOL || c == CURLE_URL_MALFORMAT ? SENT_FAIL
                                                                           : SENT_RETRY;
    }
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    snprintf(why, why_size, "HTTP %ld", code);
    if (code >= 200 && code < 300)
        return SENT_OK;
    if (code == 429 || code >= 500) {
        curl_off_t after = -1;
        if ((code == 429 || code == 503) &&
            curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &after) == CURLE_OK && after > 0)
            *retry_after = (double)after;
        return SENT_RETRY;
    }
    return SENT_FAIL;
}

/* The idempotency key of a document text into key; 0 when it has none. */
static int document_key(const char *text, char *key, size_t size)
{
    json_object *o = json_tokener_parse(text), *k = NULL;
    int ok = o && json_object_object_get_ex(o, "idempotency_key", &k) &&
             json_object_is_type(k, json_type_string) && json_object_get_string_len(k) > 0 &&
             (size_t)json_object_get_string_len(k) < size &&
             !strpbrk(json_object_get_string(k), "\r\n");
    if (ok)
        snprintf(key, size, "%s", json_object_get_string(k));
    json_object_put(o);
    return ok;
}

static send_result deliver_one(CURL *h, const tb_delivery_options *o, const char *outbox,
                               const char *name, tb_delivery_report *r, FILE *log)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", outbox, name);
    size_t len = 0;
    char *body = read_file(path, &len);
    char key[256];
    if (!body || !document_key(body, key, sizeof key)) {
        if (log)
            fprintf(log, "  %s: failed: %s\n", name,
                    body ? "not a document (no idempotency_key)" : strerror(errno));
        free(body);
        return SENT_FAIL;
    }
    char keyhdr[300];
    snprintf(keyhdr, sizeof keyhdr, "Idempotency-Key: %s", key);
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, keyhdr);
    hdr = curl_slist_append(hdr, "Expect:"); /* no 100-continue round trip */
    char *auth = NULL;
    size_t auth_len = 0;
    if (o->token && *o->token) {
        auth_len = strlen(o->token) + 32;
        auth = malloc(auth_len);
        if (auth) {
            snprintf(auth, auth_len, "Authorization: Bearer %s", o->token);
            hdr = curl_slist_append(hdr, auth);
        }
    }
    send_result res = SENT_FAIL;
    char why[CURL_ERROR_SIZE + 32] = "out of memory";
    if (hdr && (auth || !(o->token && *o->token))) {
        double delay = o->backoff_s;
        for (int attempt = 0;; attempt++) {
            r->requests++;
            double asked;
            res = post_once(h, o, hdr, body, len, why, sizeof why, &asked);
            if (res != SENT_RETRY || attempt >= o->retries)
                break;
            /* The server's own Retry-After wins over our backoff, within the cap. */
            const double wait = asked < 0 ? delay
                                : asked > o->backoff_max_s ? o->backoff_max_s : asked;
            if (log)
                fprintf(log, "  %s: %s, retry %d/%d in %.1f s%s\n", name, why, attempt + 1,
                        o->retries, wait, asked < 0 ? "" : " (Retry-After)");
            sleep_s(wait);
            delay = delay * 2 > o->backoff_max_s ? o->backoff_max_s : delay * 2;
        }
    }
    if (res == SENT_OK) {
        char done[4096];
        snprintf(done, sizeof done, "%s/delivered/%s", outbox, name);
        if (rename(path, done) != 0) {
            /* Delivered, but it would be sent again: the key makes that harmless. */
            if (log)
                fprintf(log, "  %s: delivered, but cannot move it to delivered/ (%s)\n", name,
                        strerror(errno));
        }
    } else if (log) {
        fprintf(log, "  %s: %s: %s (kept in the outbox)\n", name,
                res == SENT_FAIL ? "failed" : "pending", why);
    }
    curl_slist_free_all(hdr);
    if (auth) {
        volatile char *p = auth;
        for (size_t i = 0; i < auth_len; i++)
            p[i] = 0;
        free(auth);
    }
    free(body);
    return res;
}

tb_status tb_deliver_outbox(const char *outbox, const tb_delivery_options *o,
                            tb_delivery_report *r, FILE *log)
{
    memset(r, 0, sizeof *r);
    if (!o || !o->url || !*o->url)
        return tb_error(TB_ERR_USAGE, "delivery needs a URL");
    char **names = NULL;
    size_t n = 0;
    tb_status st = list_documents(outbox, &names, &n);
    if (st)
        return st;
    if (n) {
        char done[4096];
        snprintf(done, sizeof done, "%s/delivered", outbox);
        DIR *d = opendir(done);
        if (!d)
            st = tb_error(TB_ERR_OUTPUT, "%s: cannot read the folder (%s)", done, strerror(errno));
        else
            closedir(d);
    }
    if (!st && n) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            st = tb_error(TB_ERR_INTERNAL, "libcurl cannot be initialised");
        CURL *h = st ? NULL : curl_easy_init();
        if (!st && !h)
            st = tb_error(TB_ERR_INTERNAL, "libcurl cannot be initialised");
        for (size_t i = 0; !st && i < n; i++) {
            send_result res = deliver_one(h, o, outbox, names[i], r, log);
            if (res == SENT_OK)
                r->delivered++;
            else if (res == SENT_FAIL)
                r->failed++;
            else
                r->pending++;
        }
        if (h)
            curl_easy_cleanup(h);
        curl_global_cleanup();
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return st;
}
