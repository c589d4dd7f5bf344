/* case_export.c: unexported case events as JSON documents in an outbox folder (rules
 * in tb_case_export.h).
 *
 * The unexported history rows are read first (fid, case id, time, statuses, note),
 * sorted by case id and fid; one pass over the cases then writes each event's
 * document with the case's current fields. Files are written under a temporary name,
 * flushed and renamed; only then are the rows marked exported in one transaction.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cpl_error.h>
#include <json-c/json.h>

#include "casestore_internal.h"
#include "tb_case_export.h"
#include "tb_raster.h"

/* The event class table; the platform's code table lives in its configuration, this is
 * the part tuban reports. */
static const struct {
    const char *code, *name;
} event_classes[] = {
    {"0101", "私搭乱建"},
    {"01", "市容环境"},
};

const char *tb_event_class_name(const char *code)
{
    for (size_t i = 0; i < sizeof event_classes / sizeof event_classes[0]; i++)
        if (code && !strcmp(code, event_classes[i].code))
            return event_classes[i].name;
    return "";
}

typedef struct {
    GIntBig fid;
    char *case_id, *time, *from, *to, *note;
} pending_event;

typedef struct {
    const char *outbox;
    const tb_export_options *opt;
    pending_event *ev;
    size_t n;
    char *written; /* per event: 1 when its document is in place */
    tb_export_report *r;
    tb_status st;
} export_ctx;

static char *dup_str(const char *s) { return strdup(s ? s : ""); }

static void free_events(pending_event *ev, size_t n)
{
    for (size_t i = 0; ev && i < n; i++) {
        free(ev[i].case_id);
        free(ev[i].time);
        free(ev[i].from);
        free(ev[i].to);
        free(ev[i].note);
    }
    free(ev);
}

static int cmp_event(const void *a, const void *b)
{
    const pending_event *x = a, *y = b;
    int c = strcmp(x->case_id, y->case_id);
    if (c)
        return c;
    return x->fid < y->fid ? -1 : x->fid > y->fid;
}

static const char *fstr(OGRFeatureH f, const char *name)
{
    int i = OGR_F_GetFieldIndex(f, name);
    return i >= 0 && OGR_F_IsFieldSetAndNotNull(f, i) ? OGR_F_GetFieldAsString(f, i) : "";
}

/* Reads the history rows with exported_at NULL. */
static tb_status read_pending(tb_casestore *s, pending_event **out, size_t *count)
{
    size_t cap = 64, n = 0;
    pending_event *ev = malloc(cap * sizeof *ev);
    if (!ev)
        return tb_error(TB_ERR_NOMEM, "%s: out of memory", s->path);
    CPLErrorReset();
    if (OGR_L_SetAttributeFilter(s->history, "exported_at IS NULL") != OGRERR_NONE) {
        free(ev);
        return tb_error(TB_ERR_STORE, "%s: cannot read case_history (%s)", s->path,
                        tb_gdal_last_error());
    }
    OGR_L_ResetReading(s->history);
    OGRFeatureH f;
    tb_status st = TB_OK;
    while (!st && (f = OGR_L_GetNextFeature(s->history)) != NULL) {
        if (n == cap) {
            pending_event *ne = realloc(ev, 2 * cap * sizeof *ev);
            if (!ne)
                st = tb_error(TB_ERR_NOMEM, "%s: out of memory", s->path);
            else {
                ev = ne;
                cap *= 2;
            }
        }
        if (!st) {
            pending_event *e = &ev[n];
            e->fid = OGR_F_GetFID(f);
            e->case_id = dup_str(fstr(f, "case_id"));
            e->time = dup_str(fstr(f, "time"));
            e->from = dup_str(fstr(f, "from_status"));
            e->to = dup_str(fstr(f, "to_status"));
            e->note = dup_str(fstr(f, "note"));
            n++;
            if (!e->case_id || !e->time || !e->from || !e->to || !e->note)
                st = tb_error(TB_ERR_NOMEM, "%s: out of memory", s->path);
        }
        OGR_F_Destroy(f);
    }
    OGR_L_SetAttributeFilter(s->history, NULL);
    if (st) {
        free_events(ev, n);
        return st;
    }
    qsort(ev, n, sizeof *ev, cmp_event);
    *out = ev;
    *count = n;
    return TB_OK;
}

/* FNV-1a, 64 bits, from seed h. */
static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void idempotency_key(const pending_event *e, char out[40])
{
    char fid[32];
    snprintf(fid, sizeof fid, "%lld", (long long)e->fid);
    const char *parts[] = {"tuban-case-event-v1", e->case_id, fid, e->time, e->to};
    uint64_t h[2] = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        for (int k = 0; k < 2; k++)
            h[k] = fnv(h[k], parts[i], strlen(parts[i]) + 1); /* the NUL separates */
    snprintf(out, 40, "tb-%016llx%016llx", (unsigned long long)h[0], (unsigned long long)h[1]);
}

static json_object *num(double v, const char *fmt)
{
    char b[64];
    snprintf(b, sizeof b, fmt, v);
    return json_object_new_double_s(v, b);
}

/* Rounds every number of a GeoJSON coordinate tree to 8 decimals (about 1 mm) in
 * place. */
static void round_coords(json_object *a)
{
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *v = json_object_array_get_idx(a, i);
        if (json_object_is_type(v, json_type_array))
            round_coords(v);
        else if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
            json_object_array_put_idx(a, i, num(json_object_get_double(v), "%.8f"));
    }
}

static json_object *str_or_null(const char *s)
{
    return s && *s ? json_object_new_string(s) : NULL;
}

/* The admin division of a 15-digit grid code (its first 6 digits), else "". */
static void admin_division(const char *grid, char out[8])
{
    out[0] = '\0';
    if (strlen(grid) != 15)
        return;
    for (int i = 0; i < 15; i++)
        if (grid[i] < '0' || grid[i] > '9')
            return;
    memcpy(out, grid, 6);
    out[6] = '\0';
}

static json_object *event_document(const tb_case *c, const pending_event *e,
                                   const tb_export_options *opt, const char *key)
{
    const char *code = opt && opt->event_class && *opt->event_class ? opt->event_class
                       : c->event_code && *c->event_code           ? c->event_code
                                                                   : "0101";
    const char *name = opt && opt->event_name && *opt->event_name ? opt->event_name
                                                                  : tb_event_class_name(code);
    char adm[8];
    admin_division(c->grid_code, adm);

    char desc[1024];
    snprintf(desc, sizeof desc,
             "卫星影像发现疑似%s，面积约 %.1f 平方米，前期影像 %.10s，后期影像 %.10s，当前状态 %s。"
             " Satellite imagery shows a suspected new structure (event class %s) of about"
             " %.1f m2 between %.10s and %.10s; status %s.",
             *name ? name : "违法建设", c->area_m2, c->before_date, c->after_date, e->to, code,
             c->area_m2, c->before_date, c->after_date, e->to);

    json_object *o = json_object_new_object();
    json_object_object_add(o, "idempotency_key", json_object_new_string(key));
    json_object_object_add(o, "case_id", json_object_new_string(c->case_id));
    json_object_object_add(o, "source", json_object_new_string("satellite"));
    json_object_object_add(o, "event_class", json_object_new_string(code));
    json_object_object_add(o, "event_name", json_object_new_string(name));
    json_object_object_add(o, "description", json_object_new_string(desc));
    json_object_object_add(o, "grid_code", json_object_new_string(c->grid_code));
    json_object_object_add(o, "street", json_object_new_string(c->street));
    json_object_object_add(o, "community", json_object_new_string(c->community));
    json_object_object_add(o, "admin_division", json_object_new_string(adm));

    json_object *g = json_tokener_parse(c->geometry_json);
    json_object *gt = NULL;
    if (g && json_object_object_get_ex(g, "type", &gt) &&
        !strcmp(json_object_get_string(gt), "Polygon")) {
        /* The store holds MultiPolygons; wrap a stray Polygon all the same. */
        json_object *coords = NULL, *mp = json_object_new_object(), *arr = json_object_new_array();
        json_object_object_get_ex(g, "coordinates", &coords);
        json_object_array_add(arr, json_object_get(coords));
        json_object_object_add(mp, "type", json_object_new_string("MultiPolygon"));
        json_object_object_add(mp, "coordinates", arr);
        json_object_put(g);
        g = mp;
    }
    json_object *coords = NULL;
    if (g && json_object_object_get_ex(g, "coordinates", &coords) &&
        json_object_is_type(coords, json_type_array))
        round_coords(coords);
    json_object_object_add(o, "geometry", g);
    json_object_object_add(o, "crs", json_object_new_string("EPSG:4490"));
    json_object *cen = json_object_new_array();
    json_object_array_add(cen, num(c->lon, "%.7f"));
    json_object_array_add(cen, num(c->lat, "%.7f"));
    json_object_object_add(o, "centroid", cen);
    json_object_object_add(o, "area_m2", num(c->area_m2, "%.2f"));
    json_object_object_add(o, "detection_date", json_object_new_string(c->first_seen));
    json_object_object_add(o, "before_date", json_object_new_string(c->before_date));
    json_object_object_add(o, "after_date", json_object_new_string(c->after_date));
    json_object_object_add(o, "confidence", num(c->confidence, "%.3f"));
    json_object *ev = json_tokener_parse(c->evidence);
    if (ev && !json_object_is_type(ev, json_type_array)) {
        json_object_put(ev);
        ev = NULL;
    }
    json_object_object_add(o, "evidence", ev ? ev : json_object_new_array());
    json_object_object_add(o, "status", json_object_new_string(e->to));
    json_object_object_add(o, "previous_status", str_or_null(e->from));
    json_object_object_add(o, "event_time", json_object_new_string(e->time));
    json_object_object_add(o, "note", json_object_new_string(e->note));
    json_object_object_add(o, "detector_version", json_object_new_string(c->detector_version));
    return o;
}

/* Writes `text` to dir/name through a temporary file and a rename. */
static tb_status write_atomic(const char *dir, const char *name, const char *text)
{
    char path[4096], tmp[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp-%ld", dir, name, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot write (%s)", tmp, strerror(errno));
    size_t n = strlen(text);
    int ok = fwrite(text, 1, n, f) == n && fputc('\n', f) != EOF && fflush(f) == 0 &&
             fsync(fileno(f)) == 0;
    int err = errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        err = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        err = errno;
    }
    if (!ok) {
        unlink(tmp);
        return tb_error(TB_ERR_OUTPUT, "%s: cannot write (%s)", path, strerror(err));
    }
    return TB_OK;
}

static int export_case(const tb_case *c, void *user)
{
    export_ctx *X = user;
    /* First pending event of this case (events are sorted by case id, fid). */
    size_t lo = 0, hi = X->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(X->ev[mid].case_id, c->case_id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int any = 0;
    for (size_t i = lo; i < X->n && !strcmp(X->ev[i].case_id, c->case_id); i++) {
        const pending_event *e = &X->ev[i];
        char key[40], name[256], done[4096];
        idempotency_key(e, key);
        snprintf(name, sizeof name, "%s-%08lld.json", e->case_id, (long long)e->fid);
        snprintf(done, sizeof done, "%s/delivered/%s", X->outbox, name);
        struct stat sb;
        if (stat(done, &sb) == 0) {
            X->r->already_delivered++;
            X->written[i] = 1;
            continue;
        }
        json_object *doc = event_document(c, e, X->opt, key);
        const char *text = json_object_to_json_string_ext(
            doc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        X->st = text ? write_atomic(X->outbox, name, text)
                     : tb_error(TB_ERR_NOMEM, "%s: out of memory", name);
        json_object_put(doc);
        if (X->st)
            return 1;
        X->written[i] = 1;
        X->r->documents++;
        any = 1;
    }
    X->r->cases += any;
    return 0;
}

static tb_status make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot create the folder (%s)", path,
                        strerror(errno));
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return tb_error(TB_ERR_OUTPUT, "%s: not a folder", path);
    return TB_OK;
}

/* Marks the written events exported, in one transaction. */
static tb_status mark_exported(tb_casestore *s, const export_ctx *X)
{
    char now[32];
    tb_casestore_now(now, sizeof now);
    tb_status st = tb_casestore_begin(s);
    int ie = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(s->history), "exported_at");
    for (size_t i = 0; !st && i < X->n; i++) {
        if (!X->written[i])
            continue;
        OGRFeatureH f = OGR_L_GetFeature(s->history, X->ev[i].fid);
        if (!f) {
            st = tb_error(TB_ERR_STORE, "%s: history row %lld of %s vanished", s->path,
                          (long long)X->ev[i].fid, X->ev[i].case_id);
            break;
        }
        OGR_F_SetFieldString(f, ie, now);
        CPLErrorReset();
        if (OGR_L_SetFeature(s->history, f) != OGRERR_NONE)
            st = tb_error(TB_ERR_STORE, "%s: cannot mark history row %lld exported (%s)",
                          s->path, (long long)X->ev[i].fid, tb_gdal_last_error());
        OGR_F_Destroy(f);
    }
    if (!st)
        st = tb_casestore_commit(s);
    else
        tb_casestore_rollback(s);
    return st;
}

tb_status tb_case_export(const char *store_path, const char *outbox, const tb_export_options *opt,
                         tb_export_report *r)
{
    memset(r, 0, sizeof *r);
    char delivered[4096];
    snprintf(delivered, sizeof delivered, "%s/delivered", outbox);
    tb_status st = make_dir(outbox);
    if (!st)
        st = make_dir(delivered);
    if (st)
        return st;
    tb_casestore *s;
    st = tb_casestore_open(store_path, &s);
    if (st)
        return st;
    export_ctx X = {outbox, opt, NULL, 0, NULL, r, TB_OK};
    st = read_pending(s, &X.ev, &X.n);
    if (!st && X.n) {
        X.written = calloc(X.n, 1);
        if (!X.written)
            st = tb_error(TB_ERR_NOMEM, "%s: out of memory", store_path);
        if (!st)
            st = tb_casestore_list(s, NULL, export_case, &X, NULL);
        if (!st)
            st = X.st;
        if (!st)
            st = mark_exported(s, &X);
    }
    free(X.written);
    free_events(X.ev, X.n);
    tb_casestore_close(s);
    return st;
}
