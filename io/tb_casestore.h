/* tb_casestore.h: the case store, one GeoPackage file (QGIS opens it as it is).
 *
 * Layers (see README.md, "tuban cases"):
 *   cases         MultiPolygon, EPSG:4490 lon/lat; one row per case (case_id unique)
 *   case_history  every status change: case_id, time, from_status, to_status, source
 *                 (scan | platform | operator), note, exported_at (NULL until exported)
 *   scans         every merged scan: scan_key unique, time, before, after, dates, counts
 *   exclusions    MultiPolygon, EPSG:4490; detections not made cases (permitted, existing)
 *   tuban_store   key/value: schema_version, and seq:YYYYMMDD (the day's last case number)
 *
 * Rules: the file is created on first use (under a temporary name, renamed when
 * complete); an older schema is upgraded in place inside one transaction; a file that
 * is not a tuban case store is refused (TB_ERR_STORE "FILE: not a tuban case store
 * (...)") and never written. Every change goes through tb_casestore_begin/commit; on
 * any error the caller calls tb_casestore_rollback and the file holds its last commit.
 * Errors are TB_ERR_STORE with a one-line message naming the file, except the row-level
 * refusals of tb_casestore_set_status (TB_ERR_INPUT_FORMAT, message without the file).
 *
 * Ownership: the handle owns the GDAL dataset; strings in a tb_case or tb_case_event
 * passed to a callback are valid only during that call.
 */
#ifndef TB_CASESTORE_H
#define TB_CASESTORE_H

#include "tb_case_lifecycle.h"
#include "tb_error.h"

#define TB_CASESTORE_SCHEMA_VERSION 1

typedef struct tb_casestore tb_casestore;

/* One case as read from the store. */
typedef struct tb_case {
    const char *case_id, *status;
    const char *first_seen, *last_seen;   /* ISO dates (after-image date, or scan time) */
    double area_m2, first_area_m2, growth_m2;
    const char *grid_code, *street, *community; /* "" when outside every grid */
    int outside_grid;                     /* 1: a grid layer was given, no grid holds it */
    const char *event_code;
    double confidence, mean_score;
    double lon, lat;                      /* centroid, CGCS2000 (EPSG:4490) */
    const char *evidence;                 /* JSON list of paths */
    const char *before_date, *after_date, *detector_version, *updated_at;
    const char *geometry_json;            /* GeoJSON geometry, lon/lat (list/show only) */
} tb_case;

/* One status change. */
typedef struct tb_case_event {
    const char *case_id, *time, *from_status, *to_status, *source, *note;
    const char *exported_at; /* NULL when not yet exported */
} tb_case_event;

/* Opens the store at `path`, creating it when the file does not exist, upgrading an
 * older schema in place. *out is NULL on failure. */
tb_status tb_casestore_open(const char *path, tb_casestore **out);

/* Closes the store (rolls back an open transaction). NULL is accepted. */
void tb_casestore_close(tb_casestore *s);

const char *tb_casestore_path(const tb_casestore *s);

/* The schema version the file holds (TB_CASESTORE_SCHEMA_VERSION once open). */
int tb_casestore_schema_version(const tb_casestore *s);

/* One transaction: begin, then commit or rollback. Nesting is an error. */
tb_status tb_casestore_begin(tb_casestore *s);
tb_status tb_casestore_commit(tb_casestore *s);
void tb_casestore_rollback(tb_casestore *s);

/* Filter for tb_casestore_list; NULL or "" members match everything. `since`/`until`
 * compare dates (YYYY-MM-DD prefixes): last_seen >= since, first_seen <= until. */
typedef struct tb_case_filter {
    const char *status, *grid_code, *since, *until, *case_id;
} tb_case_filter;

typedef int (*tb_case_fn)(const tb_case *c, void *user);         /* non-zero stops */
typedef int (*tb_case_event_fn)(const tb_case_event *e, void *user); /* non-zero stops */

/* Calls fn for each case matching `f` (NULL: all), in case_id order. *count (may be
 * NULL) is the number of cases passed to fn. */
tb_status tb_casestore_list(tb_casestore *s, const tb_case_filter *f, tb_case_fn fn, void *user,
                            long *count);

/* Calls fn for each history row of `case_id`, oldest first. */
tb_status tb_casestore_history(tb_casestore *s, const char *case_id, tb_case_event_fn fn,
                               void *user);

/* Moves `case_id` to `to` and records the change (time, source, note) in case_history.
 * Must run inside a transaction. An unknown case or an invalid transition is refused
 * with TB_ERR_INPUT_FORMAT ("unknown case X", "invalid transition a -> b for X") and
 * leaves the store as it was; other failures are TB_ERR_STORE. */
tb_status tb_casestore_set_status(tb_casestore *s, const char *case_id, tb_case_status to,
                                  const char *time, const char *source, const char *note);

/* Sets the value of a key of the tuban_store table (tests use it to fake an older
 * schema: key "schema_version"). Runs in its own transaction unless one is open. */
tb_status tb_casestore_set_meta(tb_casestore *s, const char *key, const char *value);

/* The value of a tuban_store key into buf ("" when absent). */
tb_status tb_casestore_get_meta(tb_casestore *s, const char *key, char *buf, size_t size);

#endif
