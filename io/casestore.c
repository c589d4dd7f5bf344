/* casestore.c: the case store: open, create, upgrade, transactions, reading, status
 * changes (see tb_casestore.h for the rules and casestore_schema.c for the layers).
 *
 * A new store is built under a temporary name beside the target and linked into place
 * only when complete, so a crash never leaves a half-made store under the real name.
 * Every change runs in one SQLite transaction through GDALDatasetStartTransaction: a
 * process killed mid-way leaves the journal, and SQLite restores the last commit on
 * the next open.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>

#include "casestore_internal.h"
#include "tb_raster.h"

void tb_casestore_now(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void tb_casestore_filter_eq(OGRLayerH layer, const char *field, const char *value)
{
    size_t n = strlen(value);
    char *q = malloc(2 * n + strlen(field) + 16);
    if (!q)
        return;
    char *p = q + sprintf(q, "%s = '", field);
    for (size_t i = 0; i < n; i++) {
        if (value[i] == '\'')
            *p++ = '\'';
        *p++ = value[i];
    }
    strcpy(p, "'");
    OGR_L_SetAttributeFilter(layer, q);
    free(q);
}

static OGRFeatureH find_meta(tb_casestore *s, const char *key)
{
    tb_casestore_filter_eq(s->meta, "key", key);
    OGR_L_ResetReading(s->meta);
    OGRFeatureH f = OGR_L_GetNextFeature(s->meta);
    OGR_L_SetAttributeFilter(s->meta, NULL);
    return f;
}

tb_status tb_casestore_get_meta(tb_casestore *s, const char *key, char *buf, size_t size)
{
    buf[0] = '\0';
    OGRFeatureH f = find_meta(s, key);
    if (f) {
        snprintf(buf, size, "%s", OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "value")));
        OGR_F_Destroy(f);
    }
    return TB_OK;
}

static tb_status put_meta(tb_casestore *s, const char *key, const char *value)
{
    OGRFeatureH f = find_meta(s, key);
    OGRErr e;
    if (f) {
        OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "value"), value);
        e = OGR_L_SetFeature(s->meta, f);
    } else {
        f = OGR_F_Create(OGR_L_GetLayerDefn(s->meta));
        OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "key"), key);
        OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "value"), value);
        e = OGR_L_CreateFeature(s->meta, f);
    }
    OGR_F_Destroy(f);
    if (e != OGRERR_NONE)
        return tb_error(TB_ERR_STORE, "%s: cannot write %s (%s)", s->path, key,
                        tb_gdal_last_error());
    return TB_OK;
}

tb_status tb_casestore_set_meta(tb_casestore *s, const char *key, const char *value)
{
    int own = !s->in_tx;
    tb_status st = own ? tb_casestore_begin(s) : TB_OK;
    if (!st)
        st = put_meta(s, key, value);
    if (own) {
        if (!st)
            st = tb_casestore_commit(s);
        else
            tb_casestore_rollback(s);
    }
    return st;
}

tb_status tb_casestore_begin(tb_casestore *s)
{
    if (s->in_tx)
        return tb_error(TB_ERR_INTERNAL, "%s: transaction already open", s->path);
    CPLErrorReset();
    if (GDALDatasetStartTransaction(s->ds, FALSE) != OGRERR_NONE)
        return tb_error(TB_ERR_STORE, "%s: cannot start a transaction (%s)", s->path,
                        tb_gdal_last_error());
    s->in_tx = 1;
    return TB_OK;
}

tb_status tb_casestore_commit(tb_casestore *s)
{
    if (!s->in_tx)
        return tb_error(TB_ERR_INTERNAL, "%s: no transaction to commit", s->path);
    s->in_tx = 0;
    CPLErrorReset();
    if (GDALDatasetCommitTransaction(s->ds) != OGRERR_NONE) {
        GDALDatasetRollbackTransaction(s->ds);
        return tb_error(TB_ERR_STORE, "%s: cannot commit (%s)", s->path, tb_gdal_last_error());
    }
    return TB_OK;
}

void tb_casestore_rollback(tb_casestore *s)
{
    if (s && s->in_tx) {
        GDALDatasetRollbackTransaction(s->ds);
        s->in_tx = 0;
    }
}

const char *tb_casestore_path(const tb_casestore *s) { return s->path; }
int tb_casestore_schema_version(const tb_casestore *s) { return s->version; }

void tb_casestore_close(tb_casestore *s)
{
    if (!s)
        return;
    tb_casestore_rollback(s);
    if (s->ds)
        GDALClose(s->ds);
    if (s->srs)
        OSRDestroySpatialReference(s->srs);
    free(s->path);
    free(s);
}

/* Builds a new store under a temporary name and links it to `path` (never replacing
 * a file that appeared meanwhile). */
static tb_status create_store(const char *path, OGRSpatialReferenceH srs)
{
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv)
        return tb_error(TB_ERR_INTERNAL, "GDAL has no GPKG driver");
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp)
        return tb_error(TB_ERR_NOMEM, "%s: out of memory", path);
    snprintf(tmp, n, "%s.tmp-%ld", path, (long)getpid());
    unlink(tmp);
    CPLErrorReset();
    GDALDatasetH ds = GDALCreate(drv, tmp, 0, 0, 0, GDT_Unknown, NULL);
    tb_status st = TB_OK;
    if (!ds)
        st = tb_error(TB_ERR_STORE, "%s: cannot create the case store (%s)", path,
                      tb_gdal_last_error());
    if (!st)
        st = tb_casestore_ensure_schema(path, ds, srs);
    if (!st) {
        char v[16];
        snprintf(v, sizeof v, "%d", TB_CASESTORE_SCHEMA_VERSION);
        OGRLayerH meta = GDALDatasetGetLayerByName(ds, "tuban_store");
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(meta));
        OGR_F_SetFieldString(f, 0, "schema_version");
        OGR_F_SetFieldString(f, 1, v);
        if (OGR_L_CreateFeature(meta, f) != OGRERR_NONE)
            st = tb_error(TB_ERR_STORE, "%s: cannot write schema_version (%s)", path,
                          tb_gdal_last_error());
        OGR_F_Destroy(f);
    }
    if (ds)
        GDALClose(ds);
    if (!st && link(tmp, path) != 0 && errno != EEXIST)
        st = tb_error(TB_ERR_STORE, "%s: cannot create the case store (%s)", path,
                      strerror(errno));
    unlink(tmp);
    free(tmp);
    return st;
}

/* Runs the upgrade steps from `from` to the current version in one transaction. */
static tb_status upgrade(tb_casestore *s, int from)
{
    tb_status st = tb_casestore_begin(s);
    for (int v = from; !st && v < TB_CASESTORE_SCHEMA_VERSION; v++) {
        switch (v) {
        case 0: /* 0 -> 1: the first schema; create whatever is missing. */
            st = tb_casestore_ensure_schema(s->path, s->ds, s->srs);
            break;
        default:
            st = tb_error(TB_ERR_INTERNAL, "%s: no upgrade from schema %d", s->path, v);
        }
    }
    if (!st)
        st = tb_casestore_bind_layers(s);
    if (!st) {
        char v[16];
        snprintf(v, sizeof v, "%d", TB_CASESTORE_SCHEMA_VERSION);
        st = put_meta(s, "schema_version", v);
    }
    if (!st)
        st = tb_casestore_commit(s);
    else
        tb_casestore_rollback(s);
    if (!st)
        s->version = TB_CASESTORE_SCHEMA_VERSION;
    return st;
}

tb_status tb_casestore_open(const char *path, tb_casestore **out)
{
    *out = NULL;
    tb_gdal_init();
    tb_casestore *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return tb_error(TB_ERR_NOMEM, "%s: out of memory", path);
    }
    s->srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(s->srs, 4490);
    OSRSetAxisMappingStrategy(s->srs, OAMS_TRADITIONAL_GIS_ORDER);

    tb_status st = TB_OK;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno != ENOENT)
            st = tb_error(TB_ERR_STORE, "%s: %s", path, strerror(errno));
        else
            st = create_store(path, s->srs);
    } else if (!S_ISREG(sb.st_mode)) {
        st = tb_error(TB_ERR_STORE, "%s: not a tuban case store (not a regular file)", path);
    }
    if (!st) {
        const char *const drivers[] = {"GPKG", NULL};
        CPLErrorReset();
        s->ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, NULL, NULL);
        if (!s->ds) {
            const char *why = tb_gdal_last_error();
            st = tb_error(TB_ERR_STORE, "%s: not a tuban case store (not a GeoPackage%s%s)",
                          path, *why ? ": " : "", why);
        }
    }
    if (!st) {
        s->meta = GDALDatasetGetLayerByName(s->ds, "tuban_store");
        if (!s->meta)
            st = tb_error(TB_ERR_STORE, "%s: not a tuban case store (no tuban_store table)",
                          path);
    }
    if (!st) {
        char v[32];
        tb_casestore_get_meta(s, "schema_version", v, sizeof v);
        char *end;
        long ver = strtol(v, &end, 10);
        if (!v[0] || *end || ver < 0)
            st = tb_error(TB_ERR_STORE, "%s: not a tuban case store (schema_version '%s')",
                          path, v);
        else if (ver > TB_CASESTORE_SCHEMA_VERSION)
            st = tb_error(TB_ERR_STORE,
                          "%s: case store schema version %ld is newer than this tuban's (%d)",
                          path, ver, TB_CASESTORE_SCHEMA_VERSION);
        else if (ver < TB_CASESTORE_SCHEMA_VERSION)
            st = upgrade(s, (int)ver);
        else
            s->version = (int)ver;
    }
    if (!st)
        st = tb_casestore_bind_layers(s);
    if (st) {
        tb_casestore_close(s);
        return st;
    }
    *out = s;
    return TB_OK;
}

OGRFeatureH tb_casestore_find_case(tb_casestore *s, const char *case_id)
{
    tb_casestore_filter_eq(s->cases, "case_id", case_id);
    OGR_L_ResetReading(s->cases);
    OGRFeatureH f = OGR_L_GetNextFeature(s->cases);
    OGR_L_SetAttributeFilter(s->cases, NULL);
    return f;
}

tb_status tb_casestore_next_seq(tb_casestore *s, const char *day, long *seq)
{
    char key[32], v[32];
    snprintf(key, sizeof key, "seq:%s", day);
    tb_casestore_get_meta(s, key, v, sizeof v);
    *seq = atol(v) + 1;
    snprintf(v, sizeof v, "%ld", *seq);
    return put_meta(s, key, v);
}

tb_status tb_casestore_add_history(tb_casestore *s, const char *case_id, const char *time,
                                   const char *from, const char *to, const char *source,
                                   const char *note)
{
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(s->history));
    OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "case_id"), case_id);
    OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "time"), time);
    if (from)
        OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "from_status"), from);
    OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "to_status"), to);
    OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "source"), source);
    OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "note"), note ? note : "");
    OGR_F_SetFieldNull(f, OGR_F_GetFieldIndex(f, "exported_at"));
    OGRErr e = OGR_L_CreateFeature(s->history, f);
    OGR_F_Destroy(f);
    if (e != OGRERR_NONE)
        return tb_error(TB_ERR_STORE, "%s: cannot record the history of %s (%s)", s->path,
                        case_id, tb_gdal_last_error());
    return TB_OK;
}

tb_status tb_casestore_set_status(tb_casestore *s, const char *case_id, tb_case_status to,
                                  const char *time, const char *source, const char *note)
{
    if (!s->in_tx)
        return tb_error(TB_ERR_INTERNAL, "%s: status change outside a transaction", s->path);
    OGRFeatureH f = tb_casestore_find_case(s, case_id);
    if (!f)
        return tb_error(TB_ERR_INPUT_FORMAT, "unknown case %s", case_id);
    int is = OGR_F_GetFieldIndex(f, "status");
    char from[32];
    snprintf(from, sizeof from, "%s", OGR_F_GetFieldAsString(f, is));
    tb_case_status cur;
    if (tb_case_status_parse(from, &cur) != 0 || !tb_case_transition_valid(cur, to)) {
        OGR_F_Destroy(f);
        return tb_error(TB_ERR_INPUT_FORMAT, "invalid transition %s -> %s for %s", from,
                        tb_case_status_name(to), case_id);
    }
    char now[32];
    tb_casestore_now(now, sizeof now);
    OGR_F_SetFieldString(f, is, tb_case_status_name(to));
    OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "updated_at"), now);
    OGRErr e = OGR_L_SetFeature(s->cases, f);
    OGR_F_Destroy(f);
    if (e != OGRERR_NONE)
        return tb_error(TB_ERR_STORE, "%s: cannot update %s (%s)", s->path, case_id,
                        tb_gdal_last_error());
    return tb_casestore_add_history(s, case_id, time, from, tb_case_status_name(to), source,
                                    note);
}

static const char *str(OGRFeatureH f, const char *name)
{
    int i = OGR_F_GetFieldIndex(f, name);
    return i >= 0 && OGR_F_IsFieldSetAndNotNull(f, i) ? OGR_F_GetFieldAsString(f, i) : "";
}

static double dbl(OGRFeatureH f, const char *name)
{
    int i = OGR_F_GetFieldIndex(f, name);
    return i >= 0 ? OGR_F_GetFieldAsDouble(f, i) : 0.0;
}

/* Date prefix comparison: a and b as YYYY-MM-DD (the first 10 characters). */
static int date_cmp(const char *a, const char *b)
{
    return strncmp(a, b, 10);
}

tb_status tb_casestore_list(tb_casestore *s, const tb_case_filter *flt, tb_case_fn fn, void *user,
                            long *count)
{
    if (count)
        *count = 0;
    char sql[512] = "SELECT * FROM cases";
    OGRLayerH r;
    /* The ORDER BY goes through SQLite's own SQL (GPKG), with filters done below. */
    strcat(sql, " ORDER BY case_id");
    CPLErrorReset();
    r = GDALDatasetExecuteSQL(s->ds, sql, NULL, NULL);
    if (!r)
        return tb_error(TB_ERR_STORE, "%s: cannot read cases (%s)", s->path, tb_gdal_last_error());
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(r)) != NULL) {
        tb_case c;
        memset(&c, 0, sizeof c);
        c.case_id = str(f, "case_id");
        c.status = str(f, "status");
        c.first_seen = str(f, "first_seen");
        c.last_seen = str(f, "last_seen");
        c.grid_code = str(f, "grid_code");
        int keep = 1;
        if (flt) {
            if (flt->status && *flt->status && strcmp(flt->status, c.status))
                keep = 0;
            if (flt->grid_code && *flt->grid_code && strcmp(flt->grid_code, c.grid_code))
                keep = 0;
            if (flt->case_id && *flt->case_id && strcmp(flt->case_id, c.case_id))
                keep = 0;
            if (flt->since && *flt->since && date_cmp(c.last_seen, flt->since) < 0)
                keep = 0;
            if (flt->until && *flt->until && date_cmp(c.first_seen, flt->until) > 0)
                keep = 0;
        }
        if (!keep) {
            OGR_F_Destroy(f);
            continue;
        }
        c.area_m2 = dbl(f, "area_m2");
        c.first_area_m2 = dbl(f, "first_area_m2");
        c.growth_m2 = dbl(f, "growth_m2");
        c.street = str(f, "street");
        c.community = str(f, "community");
        c.outside_grid = (int)dbl(f, "outside_grid");
        c.event_code = str(f, "event_code");
        c.confidence = dbl(f, "confidence");
        c.mean_score = dbl(f, "mean_score");
        c.lon = dbl(f, "lon");
        c.lat = dbl(f, "lat");
        c.evidence = str(f, "evidence");
        c.before_date = str(f, "before_date");
        c.after_date = str(f, "after_date");
        c.detector_version = str(f, "detector_version");
        c.updated_at = str(f, "updated_at");
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        char *gj = g ? OGR_G_ExportToJson(g) : NULL;
        c.geometry_json = gj ? gj : "null";
        int stop = fn(&c, user);
        CPLFree(gj);
        OGR_F_Destroy(f);
        if (count)
            (*count)++;
        if (stop)
            break;
    }
    GDALDatasetReleaseResultSet(s->ds, r);
    return TB_OK;
}

tb_status tb_casestore_history(tb_casestore *s, const char *case_id, tb_case_event_fn fn,
                               void *user)
{
    tb_casestore_filter_eq(s->history, "case_id", case_id);
    OGR_L_ResetReading(s->history);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(s->history)) != NULL) {
        tb_case_event e;
        e.case_id = str(f, "case_id");
        e.time = str(f, "time");
        e.from_status = str(f, "from_status");
        e.to_status = str(f, "to_status");
        e.source = str(f, "source");
        e.note = str(f, "note");
        int ie = OGR_F_GetFieldIndex(f, "exported_at");
        e.exported_at = OGR_F_IsFieldSetAndNotNull(f, ie) ? OGR_F_GetFieldAsString(f, ie) : NULL;
        int stop = fn(&e, user);
        OGR_F_Destroy(f);
        if (stop)
            break;
    }
    OGR_L_SetAttributeFilter(s->history, NULL);
    return TB_OK;
}
