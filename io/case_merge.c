/* case_merge.c: one scan's polygons into the case store (rules in tb_case_merge.h).
 *
 * Every case is held in memory with its geometry and envelope (a city's open cases
 * number in the thousands); a polygon is compared with the cases whose envelope it
 * meets, then OGR (GEOS) decides whether they intersect. Decisions are made first,
 * then written in one transaction.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>

#include "casestore_internal.h"
#include "tb_case_merge.h"
#include "tb_evidence.h"
#include "tb_raster.h"
#include "tb_version.h"

void tb_cases_options_init(tb_cases_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->reopen_growth = 1.5;
    opt->exclusion_share = 0.5;
    opt->grid_code_field = "grid_code";
    opt->street_field = "street";
    opt->community_field = "community";
    opt->event_code = "0101";
    opt->evidence = 1;
    opt->evidence_margin_m = TB_EVIDENCE_MARGIN_M;
    opt->evidence_size_px = TB_EVIDENCE_SIZE_PX;
}

typedef struct {
    GIntBig fid;
    char case_id[64];
    tb_case_status status;
    double area;
    OGRGeometryH geom;
    OGREnvelope env;
    /* matches of this scan */
    int matched;
    int removal_seen;   /* a `removed` polygon of this scan overlaps it */
    double m_area, m_score_sum, m_score_w;
    double m_conf_sum, m_conf_w;   /* area-weighted confidence of the matches */
    OGRGeometryH m_geom;
} mem_case;

typedef struct {
    OGRGeometryH geom; /* EPSG:4490 */
    OGREnvelope env;
    double area, score, lon, lat;
    double confidence; /* the polygon's own, or NAN (scans before the kind field) */
    int removed;       /* kind = removed: a structure vanished */
} detection;

typedef struct {
    const char *path;
    GDALDatasetH ds;
    OGRLayerH layer;
    OGRCoordinateTransformationH ct; /* 4490 -> layer CRS, NULL when the same */
} vec_layer;

/* FNV-1a 64 over bytes, continuing from h. */
static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void hash_both(uint64_t h[2], const void *data, size_t n)
{
    h[0] = fnv(h[0], data, n);
    h[1] = fnv(h[1], data, n);
    unsigned char sep = 0x1f;
    h[0] = fnv(h[0], &sep, 1);
    h[1] = fnv(h[1], &sep, 1);
}

static const char *md(OGRLayerH l, const char *key)
{
    const char *v = GDALGetMetadataItem((GDALMajorObjectH)l, key, NULL);
    return v ? v : "";
}

static OGRSpatialReferenceH srs_4490(void)
{
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(s, 4490);
    OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    return s;
}

/* A transformation from `from` to `to` with both in traditional GIS order. */
static OGRCoordinateTransformationH make_ct(OGRSpatialReferenceH from, OGRSpatialReferenceH to)
{
    OGRSpatialReferenceH a = OSRClone(from), b = OSRClone(to);
    OSRSetAxisMappingStrategy(a, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(b, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(a, b);
    OSRDestroySpatialReference(a);
    OSRDestroySpatialReference(b);
    return ct;
}

static int env_meet(const OGREnvelope *a, const OGREnvelope *b)
{
    return a->MinX <= b->MaxX && b->MinX <= a->MaxX && a->MinY <= b->MaxY && b->MinY <= a->MaxY;
}

/* Appends `path` as a JSON string to the JSON list `list` (malloc'd result). */
static char *evidence_add(const char *list, const char *path)
{
    size_t n = strlen(path);
    char *q = malloc(2 * n + 3), *p = q;
    if (!q)
        return NULL;
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (path[i] == '"' || path[i] == '\\')
            *p++ = '\\';
        *p++ = path[i];
    }
    *p++ = '"';
    *p = '\0';
    char *out;
    if (!list || !*list || strcmp(list, "[]") == 0) {
        out = malloc(strlen(q) + 3);
        if (out)
            sprintf(out, "[%s]", q);
    } else if (strstr(list, q)) {
        out = strdup(list);
    } else {
        size_t ln = strlen(list);
        out = malloc(ln + strlen(q) + 4);
        if (out) {
            memcpy(out, list, ln - 1); /* drop ']' */
            sprintf(out + ln - 1, ", %s]", q);
        }
    }
    free(q);
    return out;
}

static void close_vec(vec_layer *v)
{
    if (v->ct)
        OCTDestroyCoordinateTransformation(v->ct);
    if (v->ds)
        GDALClose(v->ds);
    memset(v, 0, sizeof *v);
}

static tb_status open_vec(const char *path, const char *what, OGRSpatialReferenceH wgs, vec_layer *v)
{
    memset(v, 0, sizeof *v);
    v->path = path;
    if (access(path, F_OK) != 0)
        return tb_error(TB_ERR_INPUT_MISSING, "%s: %s layer does not exist", path, what);
    CPLErrorReset();
    v->ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!v->ds || GDALDatasetGetLayerCount(v->ds) < 1) {
        close_vec(v);
        return tb_error(TB_ERR_INPUT_FORMAT, "%s: %s layer is not a vector OGR can read (%s)",
                        path, what, tb_gdal_last_error());
    }
    v->layer = GDALDatasetGetLayer(v->ds, 0);
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(v->layer);
    if (srs && !OSRIsSame(srs, wgs)) {
        v->ct = make_ct(wgs, srs);
        if (!v->ct) {
            close_vec(v);
            return tb_error(TB_ERR_CRS, "%s: cannot transform CGCS2000 into its CRS", path);
        }
    }
    return TB_OK;
}

/* Share of `g` (EPSG:4490) covered by the features of `v`. */
static double covered_share(vec_layer *v, OGRGeometryH g)
{
    OGRGeometryH t = OGR_G_Clone(g);
    if (v->ct && OGR_G_Transform(t, v->ct) != OGRERR_NONE) {
        OGR_G_DestroyGeometry(t);
        return 0;
    }
    double area = OGR_G_Area(t), inter = 0;
    OGR_L_SetSpatialFilter(v->layer, t);
    OGR_L_ResetReading(v->layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(v->layer)) != NULL) {
        OGRGeometryH fg = OGR_F_GetGeometryRef(f);
        if (fg && OGR_G_Intersects(fg, t)) {
            OGRGeometryH i = OGR_G_Intersection(fg, t);
            if (i)
                inter += OGR_G_Area(i);
            OGR_G_DestroyGeometry(i);
        }
        OGR_F_Destroy(f);
    }
    OGR_L_SetSpatialFilter(v->layer, NULL);
    OGR_G_DestroyGeometry(t);
    return area > 0 ? inter / area : 0;
}

/* Grid code, street, community of the grid feature holding (lon, lat). */
static int grid_lookup(vec_layer *v, const tb_cases_options *opt, double lon, double lat,
                       char *code, char *street, char *community, size_t size)
{
    OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
    OGR_G_SetPoint_2D(pt, 0, lon, lat);
    if (v->ct)
        OGR_G_Transform(pt, v->ct);
    OGR_L_SetSpatialFilter(v->layer, pt);
    OGR_L_ResetReading(v->layer);
    OGRFeatureH f;
    int found = 0;
    while (!found && (f = OGR_L_GetNextFeature(v->layer)) != NULL) {
        OGRGeometryH fg = OGR_F_GetGeometryRef(f);
        if (fg && OGR_G_Contains(fg, pt)) {
            found = 1;
            const char *fields[3] = {opt->grid_code_field, opt->street_field, opt->community_field};
            char *dst[3] = {code, street, community};
            for (int k = 0; k < 3; k++) {
                int i = fields[k] ? OGR_F_GetFieldIndex(f, fields[k]) : -1;
                snprintf(dst[k], size, "%s", i >= 0 ? OGR_F_GetFieldAsString(f, i) : "");
            }
        }
        OGR_F_Destroy(f);
    }
    OGR_L_SetSpatialFilter(v->layer, NULL);
    OGR_G_DestroyGeometry(pt);
    return found;
}

/* The footprint of the scan in EPSG:4490, or NULL. */
static OGRGeometryH footprint_of(const char *raster, OGRSpatialReferenceH wgs)
{
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(raster, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds)
        return NULL;
    double gt[6];
    OGRGeometryH poly = NULL;
    OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
    if (srs && GDALGetGeoTransform(ds, gt) == CE_None) {
        int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
        OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
        const double px[5] = {0, w, w, 0, 0}, py[5] = {0, 0, h, h, 0};
        for (int i = 0; i < 5; i++)
            OGR_G_AddPoint_2D(ring, gt[0] + px[i] * gt[1] + py[i] * gt[2],
                              gt[3] + px[i] * gt[4] + py[i] * gt[5]);
        poly = OGR_G_CreateGeometry(wkbPolygon);
        OGR_G_AddGeometryDirectly(poly, ring);
        OGR_G_Segmentize(poly, fabs(gt[1]) * (w > h ? w : h) / 32.0);
        OGRCoordinateTransformationH ct = make_ct(srs, wgs);
        if (!ct || OGR_G_Transform(poly, ct) != OGRERR_NONE) {
            OGR_G_DestroyGeometry(poly);
            poly = NULL;
        }
        if (ct)
            OCTDestroyCoordinateTransformation(ct);
    }
    GDALClose(ds);
    return poly;
}

static OGRGeometryH to_multi(OGRGeometryH g)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbMultiPolygon)
        return g;
    return OGR_G_ForceToMultiPolygon(g);
}

typedef struct {
    const char *store_path, *changes;
    const tb_cases_options *opt;
    tb_merge_report *rep;
    OGRSpatialReferenceH wgs;
    detection *det;
    size_t ndet;
    mem_case *cases;
    size_t ncases;
    vec_layer grid;
    vec_layer *excl; /* permits then existing */
    size_t nexcl, npermit;
    OGRGeometryH footprint;
    char before[PATH_MAX], after[PATH_MAX], before_date[64], after_date[64];
    char detector[64], changes_abs[PATH_MAX];
    double threshold;
    char ev_dir[PATH_MAX + 16]; /* <directory of the store>/evidence */
    tb_raster *ev_raster[2]; /* BEFORE, AFTER: opened on the first chip */
    int ev_state[2];         /* 0 not tried, 1 open, -1 cannot be used */
} merge_ctx;

static tb_status read_changes(merge_ctx *m)
{
    if (access(m->changes, F_OK) != 0)
        return tb_error(TB_ERR_INPUT_MISSING, "%s: does not exist", m->changes);
    const char *const drivers[] = {"GPKG", NULL};
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(m->changes, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
    OGRLayerH l = ds ? GDALDatasetGetLayerByName(ds, "changes") : NULL;
    if (!l) {
        if (ds)
            GDALClose(ds);
        return tb_error(TB_ERR_INPUT_FORMAT, "%s: not a tuban changes.gpkg (no layer 'changes')",
                        m->changes);
    }
    snprintf(m->before, sizeof m->before, "%s", md(l, "BEFORE"));
    snprintf(m->after, sizeof m->after, "%s", md(l, "AFTER"));
    snprintf(m->before_date, sizeof m->before_date, "%s", md(l, "BEFORE_DATE"));
    snprintf(m->after_date, sizeof m->after_date, "%s", md(l, "AFTER_DATE"));
    snprintf(m->detector, sizeof m->detector, "tuban %s", *md(l, "TUBAN_VERSION") ? md(l, "TUBAN_VERSION") : TB_VERSION_STRING);
    m->threshold = atof(md(l, "THRESHOLD"));
    if (!(m->threshold > 0))
        m->threshold = 4.0;
    if (!realpath(m->changes, m->changes_abs))
        snprintf(m->changes_abs, sizeof m->changes_abs, "%s", m->changes);

    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(l);
    long n = (long)OGR_L_GetFeatureCount(l, TRUE);
    tb_status st = TB_OK;
    OGRCoordinateTransformationH ct = NULL;
    if (n > 0 && !srs)
        st = tb_error(TB_ERR_CRS, "%s: the polygons have no CRS (a pixel-grid scan): cases need "
                      "coordinates", m->changes);
    if (!st && srs && !(ct = make_ct(srs, m->wgs)))
        st = tb_error(TB_ERR_CRS, "%s: cannot transform its CRS into CGCS2000", m->changes);
    m->det = calloc(n > 0 ? (size_t)n : 1, sizeof *m->det);
    if (!st && !m->det)
        st = tb_error(TB_ERR_NOMEM, "%s: out of memory", m->changes);
    uint64_t h[2] = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL};
    hash_both(h, m->before, strlen(m->before));
    hash_both(h, m->after, strlen(m->after));
    OGR_L_ResetReading(l);
    OGRFeatureH f;
    int ia = OGR_L_FindFieldIndex(l, "area_m2", TRUE), is = OGR_L_FindFieldIndex(l, "mean_score", TRUE);
    int ik = OGR_L_FindFieldIndex(l, "kind", TRUE), ic = OGR_L_FindFieldIndex(l, "confidence", TRUE);
    while (!st && (f = OGR_L_GetNextFeature(l)) != NULL) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (g && (size_t)m->ndet < (size_t)n) {
            detection *d = &m->det[m->ndet];
            int wn = OGR_G_WkbSize(g);
            unsigned char *wkb = malloc((size_t)wn);
            if (wkb && OGR_G_ExportToWkb(g, wkbNDR, wkb) == OGRERR_NONE)
                hash_both(h, wkb, (size_t)wn);
            free(wkb);
            d->area = ia >= 0 ? OGR_F_GetFieldAsDouble(f, ia) : 0;
            d->score = is >= 0 ? OGR_F_GetFieldAsDouble(f, is) : 0;
            d->confidence = ic >= 0 && OGR_F_IsFieldSetAndNotNull(f, ic)
                                ? OGR_F_GetFieldAsDouble(f, ic) : NAN;
            d->removed = ik >= 0 && !strcmp(OGR_F_GetFieldAsString(f, ik), "removed");
            char num[64];
            snprintf(num, sizeof num, "%.6f %.6f%s", d->area, d->score, d->removed ? " removed" : "");
            hash_both(h, num, strlen(num));
            d->geom = to_multi(OGR_G_Clone(g));
            if (OGR_G_Transform(d->geom, ct) != OGRERR_NONE) {
                st = tb_error(TB_ERR_CRS, "%s: cannot transform a polygon into CGCS2000", m->changes);
            } else {
                OGR_G_GetEnvelope(d->geom, &d->env);
                OGRGeometryH c = OGR_G_CreateGeometry(wkbPoint);
                OGR_G_Centroid(d->geom, c);
                d->lon = OGR_G_GetX(c, 0);
                d->lat = OGR_G_GetY(c, 0);
                OGR_G_DestroyGeometry(c);
                if (!(d->area > 0))
                    d->area = OGR_G_Area(d->geom); /* degrees: only as a last resort */
                m->ndet++;
            }
        }
        OGR_F_Destroy(f);
    }
    snprintf(m->rep->scan_key, sizeof m->rep->scan_key, "%016llx%016llx",
             (unsigned long long)h[0], (unsigned long long)h[1]);
    m->rep->polygons = (long)m->ndet;
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    /* Footprint: the given raster, the mask beside the changes, or the layer extent. */
    if (!st) {
        char mask[PATH_MAX];
        const char *fp = m->opt->footprint;
        if (!fp) {
            snprintf(mask, sizeof mask, "%s", m->changes);
            char *slash = strrchr(mask, '/');
            snprintf(slash ? slash + 1 : mask, sizeof mask - (size_t)(slash ? slash + 1 - mask : 0),
                     "changes_mask.tif");
            if (access(mask, F_OK) == 0)
                fp = mask;
        }
        if (fp)
            m->footprint = footprint_of(fp, m->wgs);
        if (!m->footprint && m->ndet > 0) {
            OGREnvelope e = m->det[0].env;
            for (size_t i = 1; i < m->ndet; i++) {
                e.MinX = fmin(e.MinX, m->det[i].env.MinX);
                e.MinY = fmin(e.MinY, m->det[i].env.MinY);
                e.MaxX = fmax(e.MaxX, m->det[i].env.MaxX);
                e.MaxY = fmax(e.MaxY, m->det[i].env.MaxY);
            }
            char wkt[512];
            snprintf(wkt, sizeof wkt, "POLYGON((%.9f %.9f,%.9f %.9f,%.9f %.9f,%.9f %.9f,%.9f %.9f))",
                     e.MinX, e.MinY, e.MaxX, e.MinY, e.MaxX, e.MaxY, e.MinX, e.MaxY, e.MinX, e.MinY);
            char *w = wkt;
            OGR_G_CreateFromWkt(&w, NULL, &m->footprint);
        }
    }
    GDALClose(ds);
    return st;
}

static tb_status load_cases(merge_ctx *m, tb_casestore *s)
{
    long n = (long)OGR_L_GetFeatureCount(s->cases, TRUE);
    m->cases = calloc(n > 0 ? (size_t)n : 1, sizeof *m->cases);
    if (!m->cases)
        return tb_error(TB_ERR_NOMEM, "%s: out of memory", s->path);
    OGR_L_ResetReading(s->cases);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(s->cases)) != NULL) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (g && m->ncases < (size_t)n) {
            mem_case *c = &m->cases[m->ncases++];
            c->fid = OGR_F_GetFID(f);
            snprintf(c->case_id, sizeof c->case_id, "%s",
                     OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "case_id")));
            if (tb_case_status_parse(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "status")),
                                     &c->status) != 0)
                c->status = TB_CASE_DETECTED;
            c->area = OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "area_m2"));
            c->geom = OGR_G_Clone(g);
            OGR_G_GetEnvelope(c->geom, &c->env);
        }
        OGR_F_Destroy(f);
    }
    return TB_OK;
}

static void set_s(OGRFeatureH f, const char *name, const char *v)
{
    OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, name), v);
}
static void set_d(OGRFeatureH f, const char *name, double v)
{
    OGR_F_SetFieldDouble(f, OGR_F_GetFieldIndex(f, name), v);
}

/* The scan's confidence of a polygon; scans before it had one: score / (2 threshold). */
static double confidence_of(const merge_ctx *m, double score, double confidence)
{
    double c = isfinite(confidence) ? confidence : score / (2.0 * m->threshold);
    return c > 1 ? 1 : c < 0 ? 0 : c;
}

static const char *seen_date(const merge_ctx *m, const char *now)
{
    return m->after_date[0] ? m->after_date : now;
}

/* YYYYMMDD of the after-image date (else of `now`) into day[9]. */
static void seen_day(const merge_ctx *m, const char *now, char day[9])
{
    const char *src = seen_date(m, now);
    int k = 0;
    for (const char *p = src; *p && k < 8 && p < src + 10; p++)
        if (*p >= '0' && *p <= '9')
            day[k++] = *p;
    day[k] = '\0';
}

/* Skips the chips of date k (0 before, 1 after) from now on, with one warning. */
static void evidence_skip(merge_ctx *m, int k, const char *why)
{
    fprintf(stderr, "tuban: warning: %s: no evidence chips from the %s image (%s)\n",
            k ? m->after : m->before, k ? "after" : "before", why);
    m->ev_state[k] = -1;
}

/* The open raster of date k, or NULL when it cannot be used (warned once). */
static tb_raster *evidence_raster(merge_ctx *m, int k)
{
    const char *path = k ? m->after : m->before;
    if (m->ev_state[k] == 0) {
        m->ev_state[k] = -1;
        if (!path[0]) {
            evidence_skip(m, k, "the scan does not name it");
        } else if (tb_raster_open(path, &m->ev_raster[k]) != TB_OK) {
            /* A moved input must not fail the merge: drop the message, keep going. */
            evidence_skip(m, k, tb_error_message());
            tb_error_clear();
        } else {
            m->ev_state[k] = 1;
        }
    }
    return m->ev_state[k] == 1 ? m->ev_raster[k] : NULL;
}

/* Writes the before/after chips of `case_id` around `g` (EPSG:4490) and returns in
 * *out (malloc'd; NULL when nothing was added) the list `list` with their paths
 * appended. Policy (tb_case_merge.h): chips go to their final names (each written
 * under a temporary name and renamed by tb_evidence_chip) BEFORE the caller writes the
 * case row naming them, inside its transaction; a failed transaction leaves them
 * unreferenced on disk, where a retry writes the same names again. A raster that
 * cannot be opened or placed is skipped and counted; a chip that cannot be written
 * fails the merge (the transaction is rolled back). */
static tb_status add_chips(merge_ctx *m, const char *case_id, OGRGeometryH g, const char *now,
                           const char *list, char **out)
{
    *out = NULL;
    if (!m->opt->evidence)
        return TB_OK;
    char day[9];
    seen_day(m, now, day);
    if (!day[0])
        snprintf(day, sizeof day, "undated");
    static const char *const which[2] = {"before", "after"};
    char path[2][PATH_MAX + 256];
    /* A pair already listed for this date (a second scan of the same day): _2, _3, ... */
    for (int n = 1; n < 1000; n++) {
        char tag[32];
        if (n == 1)
            snprintf(tag, sizeof tag, "%s", day);
        else
            snprintf(tag, sizeof tag, "%s_%d", day, n);
        for (int k = 0; k < 2; k++)
            snprintf(path[k], sizeof path[k], "%s/%s/%s_%s.png", m->ev_dir, case_id, tag, which[k]);
        if (!list || (!strstr(list, path[0]) && !strstr(list, path[1])))
            break;
    }
    char *wkt = NULL;
    if (OGR_G_ExportToWkt(g, &wkt) != OGRERR_NONE || !wkt) {
        CPLFree(wkt);
        return tb_error(TB_ERR_INTERNAL, "%s: cannot describe the polygon of case %s",
                        m->store_path, case_id);
    }
    tb_status st = TB_OK;
    char *acc = list ? strdup(list) : strdup("[]");
    if (!acc)
        st = tb_error(TB_ERR_NOMEM, "%s: out of memory", m->store_path);
    for (int k = 0; !st && k < 2; k++) {
        tb_raster *r = evidence_raster(m, k);
        if (r) {
            st = tb_evidence_chip_raster(r, wkt, m->opt->evidence_margin_m,
                                         m->opt->evidence_size_px, path[k]);
            if (st && st != TB_ERR_OUTPUT && st != TB_ERR_NOMEM && st != TB_ERR_USAGE) {
                /* The raster cannot be placed (no CRS, warp failure): as if missing. */
                evidence_skip(m, k, tb_error_message());
                tb_error_clear();
                st = TB_OK;
                r = NULL;
            }
        }
        if (!st && !r) {
            m->rep->evidence_missing++;
        } else if (!st) {
            char *next = evidence_add(acc, path[k]);
            if (!next)
                st = tb_error(TB_ERR_NOMEM, "%s: out of memory", m->store_path);
            free(acc);
            acc = next;
            m->rep->evidence_chips++;
        }
    }
    CPLFree(wkt);
    if (st)
        free(acc);
    else
        *out = acc;
    return st;
}

static tb_status new_case(merge_ctx *m, tb_casestore *s, const detection *d, const char *now)
{
    char code[64] = "", street[256] = "", community[256] = "";
    int outside = 0;
    if (m->grid.layer && !grid_lookup(&m->grid, m->opt, d->lon, d->lat, code, street, community,
                                      sizeof code < sizeof street ? sizeof code : sizeof street)) {
        outside = 1;
        m->rep->outside_grid++;
    }
    char day[9];
    const char *src = seen_date(m, now);
    seen_day(m, now, day);
    long seq;
    tb_status st = tb_casestore_next_seq(s, day, &seq);
    if (st)
        return st;
    char id[128];
    snprintf(id, sizeof id, "TB-%s-%s-%04ld", day, code[0] ? code : "000000000000000", seq);
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(s->cases));
    char *ev = evidence_add(NULL, m->changes_abs);
    char *ev2 = ev && m->before[0] ? evidence_add(ev, m->before) : NULL;
    char *ev3 = ev2 && m->after[0] ? evidence_add(ev2, m->after) : NULL;
    const char *evidence = ev3 ? ev3 : ev2 ? ev2 : ev ? ev : "[]";
    char *chips = NULL;
    st = add_chips(m, id, d->geom, now, evidence, &chips);
    if (st) {
        free(ev);
        free(ev2);
        free(ev3);
        return st;
    }
    if (chips)
        evidence = chips;
    set_s(f, "case_id", id);
    set_s(f, "status", "detected");
    set_s(f, "first_seen", src);
    set_s(f, "last_seen", src);
    set_d(f, "area_m2", d->area);
    set_d(f, "first_area_m2", d->area);
    set_d(f, "growth_m2", 0);
    set_s(f, "grid_code", code);
    set_s(f, "street", street);
    set_s(f, "community", community);
    OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "outside_grid"), outside);
    set_s(f, "event_code", m->opt->event_code ? m->opt->event_code : "0101");
    set_d(f, "confidence", confidence_of(m, d->score, d->confidence));
    set_d(f, "mean_score", d->score);
    set_d(f, "lon", d->lon);
    set_d(f, "lat", d->lat);
    set_s(f, "evidence", evidence);
    set_s(f, "before_date", m->before_date);
    set_s(f, "after_date", m->after_date);
    set_s(f, "detector_version", m->detector);
    set_s(f, "scan_key", m->rep->scan_key);
    set_s(f, "updated_at", now);
    OGR_F_SetGeometry(f, d->geom);
    if (OGR_L_CreateFeature(s->cases, f) != OGRERR_NONE)
        st = tb_error(TB_ERR_STORE, "%s: cannot add case %s (%s)", s->path, id, tb_gdal_last_error());
    OGR_F_Destroy(f);
    free(ev);
    free(ev2);
    free(ev3);
    free(chips);
    if (!st) {
        char note[160];
        snprintf(note, sizeof note, "new detection, %.1f m2, scan %s", d->area, m->rep->scan_key);
        st = tb_casestore_add_history(s, id, now, NULL, "detected", "scan", note);
    }
    if (!st)
        m->rep->new_cases++;
    return st;
}

static tb_status exclude(merge_ctx *m, tb_casestore *s, const detection *d, const vec_layer *v,
                         int permitted, double share, const char *now)
{
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(s->exclusions));
    set_s(f, "reason", permitted ? "permitted" : "existing");
    set_s(f, "source_layer", v->path);
    set_s(f, "scan_key", m->rep->scan_key);
    set_d(f, "share", share);
    set_d(f, "area_m2", d->area);
    set_s(f, "time", now);
    OGR_F_SetGeometry(f, d->geom);
    tb_status st = TB_OK;
    if (OGR_L_CreateFeature(s->exclusions, f) != OGRERR_NONE)
        st = tb_error(TB_ERR_STORE, "%s: cannot record an exclusion (%s)", s->path,
                      tb_gdal_last_error());
    OGR_F_Destroy(f);
    if (permitted)
        m->rep->excluded_permitted++;
    else
        m->rep->excluded_existing++;
    return st;
}

/* Writes the update of a matched case (and its status change). */
static tb_status update_case(merge_ctx *m, tb_casestore *s, mem_case *c, const char *now)
{
    OGRFeatureH f = OGR_L_GetFeature(s->cases, c->fid);
    if (!f)
        return tb_error(TB_ERR_STORE, "%s: case %s vanished", s->path, c->case_id);
    tb_status st = TB_OK;
    const char *to = NULL, *why = NULL;
    if (c->status == TB_CASE_RECTIFIED) {
        to = "reopened";
        why = "still standing";
    } else if (c->status == TB_CASE_FALSE_ALARM || c->status == TB_CASE_PERMITTED) {
        to = "reopened";
        why = "grown past the reopen bound";
    }
    double first = OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "first_area_m2"));
    const char *src = seen_date(m, now);
    set_s(f, "last_seen", src);
    set_d(f, "area_m2", c->m_area);
    set_d(f, "growth_m2", c->m_area - first);
    double score = c->m_score_w > 0 ? c->m_score_sum / c->m_score_w : 0;
    set_d(f, "mean_score", score);
    set_d(f, "confidence", confidence_of(m, score, c->m_conf_w > 0 ? c->m_conf_sum / c->m_conf_w : NAN));
    set_s(f, "after_date", m->after_date);
    set_s(f, "scan_key", m->rep->scan_key);
    set_s(f, "updated_at", now);
    set_s(f, "detector_version", m->detector);
    char *ev = evidence_add(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "evidence")),
                            m->changes_abs);
    char *chips = NULL;
    if (to) /* reopened by this scan: a new before/after pair around the detection */
        st = add_chips(m, c->case_id, c->m_geom, now, ev, &chips);
    if (chips || ev)
        set_s(f, "evidence", chips ? chips : ev);
    free(ev);
    free(chips);
    if (st) {
        OGR_F_Destroy(f);
        return st;
    }
    if (to)
        set_s(f, "status", to);
    OGRGeometryH g = to_multi(OGR_G_Clone(c->m_geom));
    OGR_F_SetGeometryDirectly(f, g);
    if (OGR_L_SetFeature(s->cases, f) != OGRERR_NONE)
        st = tb_error(TB_ERR_STORE, "%s: cannot update case %s (%s)", s->path, c->case_id,
                      tb_gdal_last_error());
    OGR_F_Destroy(f);
    if (!st && to) {
        char note[200];
        snprintf(note, sizeof note, "%s: %.1f m2 in scan %s", why, c->m_area, m->rep->scan_key);
        st = tb_casestore_add_history(s, c->case_id, now, tb_case_status_name(c->status), to,
                                      "scan", note);
        m->rep->reopened++;
    }
    if (!st && !to)
        m->rep->updated_cases++;
    return st;
}

static tb_status record_scan(merge_ctx *m, tb_casestore *s, const char *now)
{
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(s->scans));
    tb_merge_report *r = m->rep;
    set_s(f, "scan_key", r->scan_key);
    set_s(f, "time", now);
    set_s(f, "before", m->before);
    set_s(f, "after", m->after);
    set_s(f, "before_date", m->before_date);
    set_s(f, "after_date", m->after_date);
    set_s(f, "changes", m->changes_abs);
    const struct { const char *k; long v; } counts[] = {
        {"polygons", r->polygons},   {"new_cases", r->new_cases}, {"updated_cases", r->updated_cases},
        {"reopened", r->reopened},   {"verified", r->verified},   {"suppressed", r->suppressed},
        {"excluded", r->excluded_permitted + r->excluded_existing}, {"outside_grid", r->outside_grid},
    };
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, counts[i].k), (int)counts[i].v);
    tb_status st = TB_OK;
    if (OGR_L_CreateFeature(s->scans, f) != OGRERR_NONE)
        st = tb_error(TB_ERR_STORE, "%s: cannot record the scan (%s)", s->path, tb_gdal_last_error());
    OGR_F_Destroy(f);
    return st;
}

static int scan_known(tb_casestore *s, const char *key)
{
    tb_casestore_filter_eq(s->scans, "scan_key", key);
    OGR_L_ResetReading(s->scans);
    OGRFeatureH f = OGR_L_GetNextFeature(s->scans);
    OGR_L_SetAttributeFilter(s->scans, NULL);
    if (f)
        OGR_F_Destroy(f);
    return f != NULL;
}

/* Verified: a before/after pair around the case's stored polygon, in its evidence. */
static tb_status add_verification_chips(merge_ctx *m, tb_casestore *s, const mem_case *c,
                                        const char *now)
{
    OGRFeatureH f = OGR_L_GetFeature(s->cases, c->fid);
    if (!f)
        return tb_error(TB_ERR_STORE, "%s: case %s vanished", s->path, c->case_id);
    char *chips = NULL;
    tb_status st = add_chips(m, c->case_id, c->geom, now,
                             OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "evidence")), &chips);
    if (!st && chips) {
        set_s(f, "evidence", chips);
        if (OGR_L_SetFeature(s->cases, f) != OGRERR_NONE)
            st = tb_error(TB_ERR_STORE, "%s: cannot update case %s (%s)", s->path, c->case_id,
                          tb_gdal_last_error());
    }
    free(chips);
    OGR_F_Destroy(f);
    return st;
}

/* Decides and writes everything; runs inside the transaction. */
static tb_status apply(merge_ctx *m, tb_casestore *s)
{
    char now[32];
    tb_casestore_now(now, sizeof now);
    tb_status st = TB_OK;
    for (size_t i = 0; !st && i < m->ndet; i++) {
        detection *d = &m->det[i];
        if (d->removed) {
            /* A structure gone: never a case; it marks the cases it overlaps. */
            m->rep->removed_polygons++;
            for (size_t k = 0; k < m->ncases; k++) {
                mem_case *c = &m->cases[k];
                if (c->status != TB_CASE_VERIFIED && env_meet(&c->env, &d->env) &&
                    OGR_G_Intersects(c->geom, d->geom))
                    c->removal_seen = 1;
            }
            continue;
        }
        /* The case this polygon overlaps most among the open, false_alarm and
         * permitted ones (verified cases do not hold a detection back). */
        mem_case *hit = NULL;
        double best = -1;
        for (size_t k = 0; k < m->ncases; k++) {
            mem_case *c = &m->cases[k];
            if (c->status == TB_CASE_VERIFIED || !env_meet(&c->env, &d->env) ||
                !OGR_G_Intersects(c->geom, d->geom))
                continue;
            OGRGeometryH x = OGR_G_Intersection(c->geom, d->geom);
            double a = x ? OGR_G_Area(x) : 0;
            OGR_G_DestroyGeometry(x);
            if (a > best) {
                best = a;
                hit = c;
            }
        }
        if (hit && !tb_case_status_open(hit->status) &&
            !(d->area > hit->area * m->opt->reopen_growth)) {
            m->rep->suppressed++;
            continue;
        }
        if (hit) {
            hit->matched = 1;
            hit->m_area += d->area;
            hit->m_score_sum += d->score * d->area;
            hit->m_score_w += d->area;
            if (isfinite(d->confidence)) {
                hit->m_conf_sum += d->confidence * d->area;
                hit->m_conf_w += d->area;
            }
            if (!hit->m_geom)
                hit->m_geom = OGR_G_Clone(d->geom);
            else {
                OGRGeometryH u = OGR_G_Union(hit->m_geom, d->geom);
                if (u) {
                    OGR_G_DestroyGeometry(hit->m_geom);
                    hit->m_geom = u;
                }
            }
            continue;
        }
        int excluded = 0;
        for (size_t k = 0; !excluded && k < m->nexcl; k++) {
            double share = covered_share(&m->excl[k], d->geom);
            if (share >= m->opt->exclusion_share) {
                excluded = 1;
                st = exclude(m, s, d, &m->excl[k], k < m->npermit, share, now);
            }
        }
        if (!excluded)
            st = new_case(m, s, d, now);
    }
    for (size_t k = 0; !st && k < m->ncases; k++) {
        mem_case *c = &m->cases[k];
        if (c->matched) {
            st = update_case(m, s, c, now);
        } else if (c->status == TB_CASE_RECTIFIED &&
                   (c->removal_seen || (m->footprint && OGR_G_Within(c->geom, m->footprint)))) {
            char note[200];
            snprintf(note, sizeof note, "structure %s in scan %s (%s)",
                     c->removal_seen ? "seen removed" : "gone", m->rep->scan_key,
                     m->after_date[0] ? m->after_date : now);
            st = tb_casestore_set_status(s, c->case_id, TB_CASE_VERIFIED, now, "scan", note);
            if (!st)
                m->rep->verified++;
            if (!st && m->opt->evidence)
                st = add_verification_chips(m, s, c, now);
        } else if (c->removal_seen && tb_case_status_open(c->status)) {
            /* Gone before the platform reported it rectified: a note, no status change. */
            char note[200];
            const char *name = tb_case_status_name(c->status);
            snprintf(note, sizeof note, "structure seen removed in scan %s (%s)",
                     m->rep->scan_key, m->after_date[0] ? m->after_date : now);
            st = tb_casestore_add_history(s, c->case_id, now, name, name, "scan", note);
            if (!st)
                m->rep->removals_noted++;
        }
    }
    if (!st)
        st = record_scan(m, s, now);
    return st;
}

tb_status tb_cases_merge(const char *store_path, const char *changes_gpkg,
                         const tb_cases_options *opt_in, tb_merge_report *rep)
{
    tb_cases_options defaults;
    tb_cases_options_init(&defaults);
    const tb_cases_options *opt = opt_in ? opt_in : &defaults;
    memset(rep, 0, sizeof *rep);
    tb_gdal_init();
    merge_ctx m;
    memset(&m, 0, sizeof m);
    m.store_path = store_path;
    m.changes = changes_gpkg;
    m.opt = opt;
    m.rep = rep;
    m.wgs = srs_4490();
    tb_casestore *s = NULL;
    tb_status st = read_changes(&m);
    if (!st && opt->grid_layer)
        st = open_vec(opt->grid_layer, "grid", m.wgs, &m.grid);
    if (!st && m.grid.layer) {
        const char *need[3] = {opt->grid_code_field, opt->street_field, opt->community_field};
        OGRFeatureDefnH defn = OGR_L_GetLayerDefn(m.grid.layer);
        for (int k = 0; !st && k < 3; k++)
            if (need[k] && *need[k] && OGR_FD_GetFieldIndex(defn, need[k]) < 0)
                st = tb_error(TB_ERR_CONFIG, "%s: grid layer has no field '%s'", opt->grid_layer,
                              need[k]);
    }
    size_t np = 0, ne = 0;
    while (opt->permit_layers && opt->permit_layers[np])
        np++;
    while (opt->existing_layers && opt->existing_layers[ne])
        ne++;
    if (!st && np + ne > 0) {
        m.excl = calloc(np + ne, sizeof *m.excl);
        if (!m.excl)
            st = tb_error(TB_ERR_NOMEM, "out of memory");
        m.npermit = np;
        for (size_t k = 0; !st && k < np + ne; k++) {
            st = open_vec(k < np ? opt->permit_layers[k] : opt->existing_layers[k - np],
                          k < np ? "permit" : "existing-building", m.wgs, &m.excl[k]);
            if (!st)
                m.nexcl = k + 1;
        }
    }
    if (!st)
        st = tb_casestore_open(store_path, &s);
    if (!st) { /* evidence/ beside the store, by absolute path */
        char abs[PATH_MAX];
        snprintf(abs, sizeof abs, "%s", store_path);
        if (!realpath(store_path, abs))
            snprintf(abs, sizeof abs, "%s", store_path);
        char *slash = strrchr(abs, '/');
        if (!slash)
            snprintf(m.ev_dir, sizeof m.ev_dir, "evidence");
        else if (slash == abs)
            snprintf(m.ev_dir, sizeof m.ev_dir, "/evidence");
        else {
            *slash = '\0';
            snprintf(m.ev_dir, sizeof m.ev_dir, "%s/evidence", abs);
        }
    }
    if (!st && scan_known(s, rep->scan_key)) {
        rep->already_merged = 1;
    } else if (!st) {
        st = load_cases(&m, s);
        if (!st)
            st = tb_casestore_begin(s);
        if (!st) {
            st = apply(&m, s);
            if (!st)
                st = tb_casestore_commit(s);
            else
                tb_casestore_rollback(s);
        }
        if (st) { /* nothing was written: the counts describe no change */
            char key[40];
            memcpy(key, rep->scan_key, sizeof key);
            memset(rep, 0, sizeof *rep);
            memcpy(rep->scan_key, key, sizeof key);
        }
    }
    tb_casestore_close(s);
    tb_raster_close(m.ev_raster[0]);
    tb_raster_close(m.ev_raster[1]);
    for (size_t i = 0; i < m.ndet; i++)
        OGR_G_DestroyGeometry(m.det[i].geom);
    free(m.det);
    for (size_t i = 0; i < m.ncases; i++) {
        OGR_G_DestroyGeometry(m.cases[i].geom);
        if (m.cases[i].m_geom)
            OGR_G_DestroyGeometry(m.cases[i].m_geom);
    }
    free(m.cases);
    close_vec(&m.grid);
    for (size_t k = 0; k < m.nexcl; k++)
        close_vec(&m.excl[k]);
    free(m.excl);
    if (m.footprint)
        OGR_G_DestroyGeometry(m.footprint);
    OSRDestroySpatialReference(m.wgs);
    return st;
}
