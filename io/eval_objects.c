/* eval_objects.c: object metrics of a change map: which predicted objects match a
 * true object.
 *
 * Objects come from vector files (any OGR source, first layer, one object per
 * Polygon/MultiPolygon feature; empty geometries are skipped, other types are an
 * input-format error) or from rasters as 8-connected components of the change class
 * (see eval_masks.c for the class of a pixel).
 *
 * - Two rasters: both masks are labelled in one streaming pass, two rows of labels
 *   per raster and a union-find parent array that grows with the number of
 *   provisional labels; overlaps are counted per pair of provisional labels in a hash
 *   table and folded onto the final components at the end. IoU = overlap pixels /
 *   union pixels. Memory grows with the number of components, not the raster.
 * - Otherwise (any vector input): a raster side is polygonized (GDALPolygonize,
 *   8-connected, in memory: one byte per pixel) and all objects are OGR geometries.
 *   IoU = |A∩B| / (|A|+|B|-|A∩B|) with OGR_G_Intersection (GEOS). Candidate pairs come
 *   from a bounding-box sweep: predictions sorted by min x, each truth object visits
 *   only the predictions whose min x lies in [truth min x - widest prediction,
 *   truth max x]; a pair whose area ratio is below the threshold is skipped without
 *   an intersection, as its IoU cannot reach it.
 *
 * Areas are in m²: from the geometry in a projected CRS (times its linear unit
 * squared), or pixel count times the pixel area (eval_masks.c). Both sides must have
 * a CRS or both none; a side without CRS is in pixels of opt->pixel_size metres (1 by
 * default). When the CRSs differ, the prediction is transformed into the truth's CRS
 * (traditional GIS axis order on both); when that CRS is geographic, both sides are
 * transformed into a Lambert azimuthal equal-area projection centred on the data, so
 * that areas are in m² and IoU is not distorted.
 *
 * Matching: greedy one-to-one by descending IoU (ties by prediction then truth index),
 * pairs with IoU >= opt->iou (minus 1e-9 for rounding). The minimum-area rule:
 * objects with area < opt->min_area_m2 are ignored on BOTH sides: a small prediction
 * is neither true nor false positive, a small truth object is not a false negative.
 * And a prediction that matches an ignored small truth object is not a false
 * positive either: after the predictions have been matched to the counted truth
 * objects, the ones left over are matched (same rule) to the small truth objects and
 * those matched are dropped from the prediction count. So
 * pred = counted predictions, truth = counted truth objects, matched = true positives,
 * precision = matched / pred, recall = matched / truth (conventions in eval_report.c).
 */
#include "tb_eval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

/* Slack on the IoU threshold for rounding in areas of large coordinates. */
#define TB_EVAL_IOU_EPS 1e-9
#define TB_EVAL_DEG_PER_RAD 57.295779513082320876798

/* A candidate match: prediction p, truth t, their IoU. */
typedef struct cand {
    size_t p, t;
    double iou;
} cand;

typedef struct cand_list {
    cand *c;
    size_t n, cap;
} cand_list;

static tb_status cand_push(cand_list *cl, size_t p, size_t t, double iou)
{
    if (cl->n == cl->cap) {
        size_t cap = cl->cap ? 2 * cl->cap : 256;
        cand *c = realloc(cl->c, cap * sizeof *c);
        if (!c)
            return tb_error(TB_ERR_NOMEM, "eval_objects.c: no memory for %zu candidate matches",
                            cap);
        cl->c = c;
        cl->cap = cap;
    }
    cl->c[cl->n++] = (cand){p, t, iou};
    return TB_OK;
}

/* Descending IoU, then ascending prediction and truth index: a total order, so the
 * greedy matching does not depend on qsort. */
static int cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->iou != y->iou)
        return x->iou > y->iou ? -1 : 1;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return 0;
}

/* Matches the candidates greedily (see the file comment) and fills the object part
 * of res. psmall/tsmall flag the objects below the minimum area. */
static tb_status match_count(cand_list *cl, size_t np, const unsigned char *psmall, size_t nt,
                             const unsigned char *tsmall, tb_eval_result *res)
{
    unsigned char *pused = calloc(np ? np : 1, 1);
    unsigned char *tused = calloc(nt ? nt : 1, 1);
    if (!pused || !tused) {
        free(pused);
        free(tused);
        return tb_error(TB_ERR_NOMEM, "eval_objects.c: no memory to match %zu objects", np + nt);
    }
    if (cl->n > 1)
        qsort(cl->c, cl->n, sizeof *cl->c, cand_cmp);
    long matched = 0, excused = 0;
    /* Pass 1: counted predictions to counted truth objects. */
    for (size_t i = 0; i < cl->n; i++) {
        const cand *c = &cl->c[i];
        if (psmall[c->p] || tsmall[c->t] || pused[c->p] || tused[c->t])
            continue;
        pused[c->p] = tused[c->t] = 1;
        matched++;
    }
    /* Pass 2: the predictions left over to the ignored small truth objects. */
    for (size_t i = 0; i < cl->n; i++) {
        const cand *c = &cl->c[i];
        if (psmall[c->p] || !tsmall[c->t] || pused[c->p] || tused[c->t])
            continue;
        pused[c->p] = tused[c->t] = 1;
        excused++;
    }
    long np_small = 0, nt_small = 0;
    for (size_t i = 0; i < np; i++)
        np_small += psmall[i];
    for (size_t i = 0; i < nt; i++)
        nt_small += tsmall[i];
    free(pused);
    free(tused);
    res->pred_objects = (long)np - np_small - excused;
    res->truth_objects = (long)nt - nt_small;
    res->matched = matched;
    res->pred_ignored = np_small + excused;
    res->truth_ignored = nt_small;
    tb_eval_scores((double)matched, (double)(res->pred_objects - matched),
                   (double)(res->truth_objects - matched), &res->obj_precision,
                   &res->obj_recall, &res->obj_f1, NULL);
    res->have_object = 1;
    return TB_OK;
}

/* ---- Two rasters: streaming 8-connected labelling ---- */

/* Labels of one raster: provisional labels 1.. with union-find; 0 = background. */
typedef struct cc_labels {
    uint32_t *parent;
    uint64_t *count;            /* pixels carrying each provisional label */
    size_t n, cap;              /* labels in use (label 0 included), allocated */
    uint32_t *prev, *cur;       /* labels of the previous and the current row */
} cc_labels;

static uint32_t cc_find(cc_labels *l, uint32_t a)
{
    while (l->parent[a] != a) {
        l->parent[a] = l->parent[l->parent[a]];
        a = l->parent[a];
    }
    return a;
}

/* Joins the sets of a and b; the smaller label becomes the root, so a root is never
 * larger than the labels below it. */
static void cc_union(cc_labels *l, uint32_t a, uint32_t b)
{
    a = cc_find(l, a);
    b = cc_find(l, b);
    if (a < b)
        l->parent[b] = a;
    else if (b < a)
        l->parent[a] = b;
}

static tb_status cc_init(cc_labels *l, int width)
{
    memset(l, 0, sizeof *l);
    l->cap = 1024;
    l->parent = malloc(l->cap * sizeof *l->parent);
    l->count = malloc(l->cap * sizeof *l->count);
    l->prev = calloc((size_t)width, sizeof *l->prev);
    l->cur = calloc((size_t)width, sizeof *l->cur);
    if (!l->parent || !l->count || !l->prev || !l->cur)
        return tb_error(TB_ERR_NOMEM, "eval_objects.c: no memory for labels of a %d-pixel row",
                        width);
    l->parent[0] = 0;
    l->count[0] = 0;
    l->n = 1;
    return TB_OK;
}

static void cc_free(cc_labels *l)
{
    free(l->parent);
    free(l->count);
    free(l->prev);
    free(l->cur);
}

/* A fresh provisional label in *out. */
static tb_status cc_new(cc_labels *l, uint32_t *out)
{
    if (l->n == l->cap) {
        if (l->cap >= UINT32_MAX / 2)
            return tb_error(TB_ERR_NOMEM, "eval_objects.c: more than %zu provisional labels",
                            l->cap);
        size_t cap = 2 * l->cap;
        uint32_t *p = realloc(l->parent, cap * sizeof *p);
        if (p)
            l->parent = p;
        uint64_t *c = realloc(l->count, cap * sizeof *c);
        if (c)
            l->count = c;
        if (!p || !c)
            return tb_error(TB_ERR_NOMEM, "eval_objects.c: no memory for %zu labels", cap);
        l->cap = cap;
    }
    uint32_t id = (uint32_t)l->n++;
    l->parent[id] = id;
    l->count[id] = 0;
    *out = id;
    return TB_OK;
}

/* Labels one row of classes (the change class is foreground) into l->cur, after
 * moving the last row to l->prev. */
static tb_status cc_row(cc_labels *l, const unsigned char *cls, int width)
{
    uint32_t *t = l->prev;
    l->prev = l->cur;
    l->cur = t;
    const uint32_t *up = l->prev;
    uint32_t *cur = l->cur;
    for (int x = 0; x < width; x++) {
        if (cls[x] != TB_EVAL_CHANGE) {
            cur[x] = 0;
            continue;
        }
        uint32_t nb[4] = {x > 0 ? cur[x - 1] : 0, x > 0 ? up[x - 1] : 0, up[x],
                          x + 1 < width ? up[x + 1] : 0};
        uint32_t lab = 0;
        for (int k = 0; k < 4; k++) {
            if (!nb[k])
                continue;
            if (!lab)
                lab = nb[k];
            else if (nb[k] != lab)
                cc_union(l, lab, nb[k]);
        }
        if (!lab) {
            tb_status st = cc_new(l, &lab);
            if (st != TB_OK)
                return st;
        }
        cur[x] = lab;
        l->count[lab]++;
    }
    return TB_OK;
}

/* Final components: id[label] = component index (0..*nobj-1) for each provisional
 * label, area[index] = pixels. Both arrays are malloc'ed for the caller. */
static tb_status cc_finish(cc_labels *l, uint32_t **id_out, uint64_t **area_out, size_t *nobj)
{
    uint32_t *id = malloc(l->n * sizeof *id);
    uint64_t *area = calloc(l->n, sizeof *area);
    if (!id || !area) {
        free(id);
        free(area);
        return tb_error(TB_ERR_NOMEM, "eval_objects.c: no memory for %zu labels", l->n);
    }
    size_t k = 0;
    id[0] = 0;
    for (size_t i = 1; i < l->n; i++) {
        uint32_t r = cc_find(l, (uint32_t)i);
        if (r == i)
            id[i] = (uint32_t)k++;
        else
            id[i] = id[r];      /* r < i: already numbered */
        area[id[i]] += l->count[i];
    }
    *id_out = id;
    *area_out = area;
    *nobj = k;
    return TB_OK;
}

/* Open-addressing hash from a pair of labels (packed in 64 bits, never 0) to a count. */
typedef struct pair_hash {
    uint64_t *key, *val;
    size_t cap, n;              /* cap is a power of two */
} pair_hash;

static size_t ph_slot(const pair_hash *h, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & (h->cap - 1);
}

static tb_status ph_add(pair_hash *h, uint64_t key, uint64_t v);

static tb_status ph_grow(pair_hash *h)
{
    pair_hash g = {0};
    g.cap = h->cap ? 2 * h->cap : 1024;
    g.key = calloc(g.cap, sizeof *g.key);
    g.val = calloc(g.cap, sizeof *g.val);
    if (!g.key || !g.val) {
        free(g.key);
        free(g.val);
        return tb_error(TB_ERR_NOMEM, "eval_objects.c: no memory for %zu overlapping pairs",
                        g.cap);
    }
    for (size_t i = 0; i < h->cap; i++)
        if (h->key[i])
            (void)ph_add(&g, h->key[i], h->val[i]);  /* cannot grow: half empty */
    free(h->key);
    free(h->val);
    *h = g;
    return TB_OK;
}

static tb_status ph_add(pair_hash *h, uint64_t key, uint64_t v)
{
    if (2 * (h->n + 1) > h->cap) {
        tb_status st = ph_grow(h);
        if (st != TB_OK)
            return st;
    }
    size_t i = ph_slot(h, key);
    while (h->key[i] && h->key[i] != key)
        i = (i + 1) & (h->cap - 1);
    if (!h->key[i]) {
        h->key[i] = key;
        h->n++;
    }
    h->val[i] += v;
    return TB_OK;
}

static void ph_free(pair_hash *h)
{
    free(h->key);
    free(h->val);
}

#define PAIR(a, b) (((uint64_t)(a) << 32) | (uint64_t)(b))

/* Objects of two rasters of one size: components, overlaps, candidates, matching. */
static tb_status raster_objects(const char *pred, const char *truth, const tb_eval_options *opt,
                                tb_eval_result *res)
{
    tb_eval_mask_pair mp;
    unsigned char *psmall = NULL, *tsmall = NULL;
    cc_labels lp = {0}, lt = {0};
    pair_hash ov = {0}, ovf = {0};
    uint32_t *idp = NULL, *idt = NULL;
    uint64_t *areap = NULL, *areat = NULL;
    cand_list cl = {0};
    size_t np = 0, nt = 0;
    tb_status st = tb_eval_mask_pair_open(pred, truth, opt, &mp);
    if (st != TB_OK)
        goto done;
    const int w = mp.width, h = mp.height, rows = mp.rows;
    if ((st = cc_init(&lp, w)) != TB_OK || (st = cc_init(&lt, w)) != TB_OK)
        goto done;
    for (int y0 = 0; y0 < h; y0 += rows) {
        int r = h - y0 < rows ? h - y0 : rows;
        if ((st = tb_eval_mask_pair_read(&mp, y0, r)) != TB_OK)
            goto done;
        for (int y = 0; y < r; y++) {
            const unsigned char *rp = mp.cp + (size_t)y * w, *rt = mp.ct + (size_t)y * w;
            if ((st = cc_row(&lp, rp, w)) != TB_OK || (st = cc_row(&lt, rt, w)) != TB_OK)
                goto done;
            /* Overlaps, one hash update per run of one label pair. */
            uint64_t run_key = 0, run_len = 0;
            for (int x = 0; x < w; x++) {
                uint64_t key = lp.cur[x] && lt.cur[x] ? PAIR(lp.cur[x], lt.cur[x]) : 0;
                if (key == run_key) {
                    run_len++;
                    continue;
                }
                if (run_key && (st = ph_add(&ov, run_key, run_len)) != TB_OK)
                    goto done;
                run_key = key;
                run_len = 1;
            }
            if (run_key && (st = ph_add(&ov, run_key, run_len)) != TB_OK)
                goto done;
        }
    }
    if ((st = cc_finish(&lp, &idp, &areap, &np)) != TB_OK ||
        (st = cc_finish(&lt, &idt, &areat, &nt)) != TB_OK)
        goto done;
    /* Fold provisional pairs onto components (ids + 1 so that no key is 0). */
    for (size_t i = 0; i < ov.cap; i++) {
        if (!ov.key[i])
            continue;
        uint32_t a = idp[ov.key[i] >> 32], b = idt[ov.key[i] & 0xffffffffu];
        if ((st = ph_add(&ovf, PAIR(a + 1, b + 1), ov.val[i])) != TB_OK)
            goto done;
    }
    psmall = calloc(np ? np : 1, 1);
    tsmall = calloc(nt ? nt : 1, 1);
    if (!psmall || !tsmall) {
        st = tb_error(TB_ERR_NOMEM, "eval_objects.c: no memory for %zu objects", np + nt);
        goto done;
    }
    double pa = tb_eval_mask_pixel_area(mp.pred), ta = tb_eval_mask_pixel_area(mp.truth);
    for (size_t i = 0; i < np; i++)
        psmall[i] = (double)areap[i] * pa < opt->min_area_m2;
    for (size_t i = 0; i < nt; i++)
        tsmall[i] = (double)areat[i] * ta < opt->min_area_m2;
    for (size_t i = 0; i < ovf.cap; i++) {
        if (!ovf.key[i])
            continue;
        size_t a = (size_t)(ovf.key[i] >> 32) - 1, b = (size_t)(ovf.key[i] & 0xffffffffu) - 1;
        if (psmall[a])
            continue;
        double inter = (double)ovf.val[i];
        double iou = inter / ((double)areap[a] + (double)areat[b] - inter);
        if (iou >= opt->iou - TB_EVAL_IOU_EPS && (st = cand_push(&cl, a, b, iou)) != TB_OK)
            goto done;
    }
    st = match_count(&cl, np, psmall, nt, tsmall, res);
done:
    free(psmall);
    free(tsmall);
    free(idp);
    free(idt);
    free(areap);
    free(areat);
    free(cl.c);
    ph_free(&ov);
    ph_free(&ovf);
    cc_free(&lp);
    cc_free(&lt);
    tb_eval_mask_pair_close(&mp);
    return st;
}

/* ---- Any vector input: OGR geometries ---- */

typedef struct geom_obj {
    OGRGeometryH g;
    OGREnvelope env;
    double area;                /* in CRS units squared, for IoU */
    int small;
} geom_obj;

/* The objects of one side, their CRS (an owned clone, NULL = none). */
typedef struct geom_set {
    const char *path;
    geom_obj *o;
    size_t n, cap;
    OGRSpatialReferenceH srs;
} geom_set;

static void geom_set_free(geom_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        OGR_G_DestroyGeometry(s->o[i].g);
    free(s->o);
    if (s->srs)
        OSRDestroySpatialReference(s->srs);
}

/* Keeps a clone of srs (may be NULL) as the set's CRS, in traditional GIS order. */
static tb_status set_srs(geom_set *s, OGRSpatialReferenceH srs)
{
    if (!srs)
        return TB_OK;
    s->srs = OSRClone(srs);
    if (!s->srs)
        return tb_error(TB_ERR_NOMEM, "%s: no memory for its CRS", s->path);
    OSRSetAxisMappingStrategy(s->srs, OAMS_TRADITIONAL_GIS_ORDER);
    return TB_OK;
}

/* Appends every polygonal feature of `layer` to s (s->path names it in messages). */
static tb_status load_layer(OGRLayerH layer, geom_set *s)
{
    OGRFeatureH f;
    OGR_L_ResetReading(layer);
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        GIntBig fid = OGR_F_GetFID(f);
        OGRGeometryH g = OGR_F_StealGeometry(f);
        OGR_F_Destroy(f);
        if (!g)
            continue;
        if (OGR_G_IsEmpty(g)) {
            OGR_G_DestroyGeometry(g);
            continue;
        }
        OGRwkbGeometryType type = wkbFlatten(OGR_G_GetGeometryType(g));
        if (type != wkbPolygon && type != wkbMultiPolygon) {
            tb_status st = tb_error(TB_ERR_INPUT_FORMAT,
                                    "%s: feature %lld is a %s, not a Polygon or MultiPolygon",
                                    s->path, (long long)fid, OGRGeometryTypeToName(type));
            OGR_G_DestroyGeometry(g);
            return st;
        }
        if (s->n == s->cap) {
            size_t cap = s->cap ? 2 * s->cap : 64;
            geom_obj *o = realloc(s->o, cap * sizeof *o);
            if (!o) {
                OGR_G_DestroyGeometry(g);
                return tb_error(TB_ERR_NOMEM, "%s: no memory for %zu objects", s->path, cap);
            }
            s->o = o;
            s->cap = cap;
        }
        OGR_G_FlattenTo2D(g);
        s->o[s->n++] = (geom_obj){.g = g};
    }
    return TB_OK;
}

/* Objects of a vector file: the polygons of its first layer; with `kinds` "new" or
 * "removed", only those whose `kind` field says so (no such field: all are new). */
static tb_status load_vector(geom_set *s, const char *kinds)
{
    GDALDatasetH ds;
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    ds = GDALOpenEx(s->path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    CPLPopErrorHandler();
    if (!ds)
        return tb_error(TB_ERR_INPUT_FORMAT, "%s: cannot open as a vector file: %s", s->path,
                        CPLGetLastErrorMsg());
    tb_status st = TB_OK;
    OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
    if (!layer)
        st = tb_error(TB_ERR_INPUT_FORMAT, "%s: has no vector layer", s->path);
    if (st == TB_OK)
        st = set_srs(s, OGR_L_GetSpatialRef(layer));
    int none = 0;
    if (st == TB_OK && kinds && (!strcmp(kinds, "new") || !strcmp(kinds, "removed"))) {
        if (OGR_L_FindFieldIndex(layer, "kind", TRUE) >= 0) {
            char where[64];
            snprintf(where, sizeof where, "kind = '%s'", kinds);
            if (OGR_L_SetAttributeFilter(layer, where) != OGRERR_NONE)
                st = tb_error(TB_ERR_INPUT_FORMAT, "%s: cannot select kind '%s'", s->path, kinds);
        } else {
            none = !strcmp(kinds, "removed");
        }
    }
    if (st == TB_OK && !none) {
        CPLPushErrorHandler(CPLQuietErrorHandler);
        st = load_layer(layer, s);
        CPLPopErrorHandler();
    }
    GDALClose(ds);
    return st;
}

/* Objects of a raster: its 8-connected change components, polygonized in memory; in
 * its CRS when it has georeferencing, else in pixel coordinates. */
static tb_status load_raster(geom_set *s, const char *values, double pixel_size)
{
    tb_eval_mask *m = NULL;
    GDALDatasetH mem = NULL, vds = NULL;
    OGRSpatialReferenceH srs = NULL;
    unsigned char *cls = NULL;
    tb_status st = tb_eval_mask_open(s->path, values, pixel_size, &m);
    if (st != TB_OK)
        return st;
    int w = tb_eval_mask_width(m), h = tb_eval_mask_height(m);
    GDALDriverH mem_drv = GDALGetDriverByName("MEM"), vec_drv = GDALGetDriverByName("Memory");
    if (!mem_drv || !vec_drv) {
        st = tb_error(TB_ERR_INTERNAL, "%s: GDAL lacks the MEM or Memory driver", s->path);
        goto done;
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    mem = GDALCreate(mem_drv, "", w, h, 1, GDT_Byte, NULL);
    vds = GDALCreate(vec_drv, "", 0, 0, 0, GDT_Unknown, NULL);
    CPLPopErrorHandler();
    if (!mem || !vds) {
        st = tb_error(TB_ERR_NOMEM, "%s: no memory to polygonize %dx%d pixels", s->path, w, h);
        goto done;
    }
    double gt[6];
    const char *wkt = NULL;
    if (tb_eval_mask_georef(m, gt, &wkt)) {
        GDALSetGeoTransform(mem, gt);
        srs = OSRNewSpatialReference(wkt);
        if (!srs) {
            st = tb_error(TB_ERR_CRS, "%s: its CRS cannot be read back", s->path);
            goto done;
        }
        if ((st = set_srs(s, srs)) != TB_OK)
            goto done;
    }
    GDALRasterBandH band = GDALGetRasterBand(mem, 1);
    int rows = tb_eval_strip_rows(w, h);
    cls = malloc((size_t)w * (size_t)(rows > 0 ? rows : 1));
    if (!cls) {
        st = tb_error(TB_ERR_NOMEM, "%s: no memory for a strip of %d rows", s->path, rows);
        goto done;
    }
    for (int y0 = 0; y0 < h; y0 += rows) {
        int r = h - y0 < rows ? h - y0 : rows;
        if ((st = tb_eval_mask_read(m, y0, r, cls)) != TB_OK)
            goto done;
        size_t n = (size_t)w * (size_t)r;
        for (size_t i = 0; i < n; i++)
            cls[i] = cls[i] == TB_EVAL_CHANGE;
        if (GDALRasterIO(band, GF_Write, 0, y0, w, r, cls, w, r, GDT_Byte, 0, 0) != CE_None) {
            st = tb_error(TB_ERR_INTERNAL, "%s: cannot write the in-memory mask", s->path);
            goto done;
        }
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    OGRLayerH layer = GDALDatasetCreateLayer(vds, "objects", s->srs, wkbPolygon, NULL);
    char eight[] = "8CONNECTED=8";
    char *popts[] = {eight, NULL};
    CPLErr err = layer ? GDALPolygonize(band, band, layer, -1, popts, NULL, NULL) : CE_Failure;
    CPLPopErrorHandler();
    if (err != CE_None) {
        st = tb_error(TB_ERR_INTERNAL, "%s: polygonizing the change mask failed: %s", s->path,
                      CPLGetLastErrorMsg());
        goto done;
    }
    st = load_layer(layer, s);
done:
    free(cls);
    if (srs)
        OSRDestroySpatialReference(srs);
    if (vds)
        GDALClose(vds);
    if (mem)
        GDALClose(mem);
    tb_eval_mask_close(m);
    return st;
}

/* Transforms every object of s into `to` (s->srs stays the source CRS). */
static tb_status transform_set(geom_set *s, OGRSpatialReferenceH to)
{
    if (s->n == 0)
        return TB_OK;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(s->srs, to);
    CPLPopErrorHandler();
    if (!ct)
        return tb_error(TB_ERR_CRS, "%s: no transformation from its CRS to the comparison CRS: %s",
                        s->path, CPLGetLastErrorMsg());
    tb_status st = TB_OK;
    for (size_t i = 0; i < s->n && st == TB_OK; i++) {
        CPLPushErrorHandler(CPLQuietErrorHandler);
        OGRErr e = OGR_G_Transform(s->o[i].g, ct);
        CPLPopErrorHandler();
        if (e != OGRERR_NONE)
            st = tb_error(TB_ERR_CRS, "%s: object %zu cannot be transformed to the comparison CRS",
                          s->path, i);
    }
    OCTDestroyCoordinateTransformation(ct);
    return st;
}

/* Union of the envelopes of the objects of a and b (current coordinates); returns 0
 * when both are empty. */
static int extent(const geom_set *a, const geom_set *b, OGREnvelope *env)
{
    int any = 0;
    const geom_set *sets[2] = {a, b};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < sets[k]->n; i++) {
            OGREnvelope e;
            OGR_G_GetEnvelope(sets[k]->o[i].g, &e);
            if (!any) {
                *env = e;
                any = 1;
                continue;
            }
            env->MinX = fmin(env->MinX, e.MinX);
            env->MinY = fmin(env->MinY, e.MinY);
            env->MaxX = fmax(env->MaxX, e.MaxX);
            env->MaxY = fmax(env->MaxY, e.MaxY);
        }
    return any;
}

/* Brings pred and truth into one CRS (see the file comment) and sets *unit_m2, the
 * m² per squared coordinate unit there. */
static tb_status common_crs(geom_set *pred, geom_set *truth, double pixel_size, double *unit_m2)
{
    double ps = pixel_size > 0.0 ? pixel_size : 1.0;
    *unit_m2 = ps * ps;
    if (!pred->srs && !truth->srs)
        return TB_OK;
    if (!pred->srs || !truth->srs) {
        const geom_set *none = pred->srs ? truth : pred, *some = pred->srs ? pred : truth;
        return tb_error(TB_ERR_CRS, "%s has no CRS (or no georeferencing) but %s has one: "
                        "cannot compare them", none->path, some->path);
    }
    tb_status st = TB_OK;
    if (!OSRIsSame(pred->srs, truth->srs) && (st = transform_set(pred, truth->srs)) != TB_OK)
        return st;
    if (!OSRIsGeographic(truth->srs)) {
        double unit = OSRGetLinearUnits(truth->srs, NULL);
        *unit_m2 = unit * unit;
        return TB_OK;
    }
    /* Geographic: an equal-area projection centred on the data. */
    OGREnvelope env;
    if (!extent(pred, truth, &env))
        return TB_OK;
    double deg = OSRGetAngularUnits(truth->srs, NULL) * TB_EVAL_DEG_PER_RAD;
    char proj4[256];
    snprintf(proj4, sizeof proj4,
             "+proj=laea +lat_0=%.10f +lon_0=%.10f +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs",
             0.5 * (env.MinY + env.MaxY) * deg, 0.5 * (env.MinX + env.MaxX) * deg);
    OGRSpatialReferenceH laea = OSRNewSpatialReference(NULL);
    if (!laea)
        return tb_error(TB_ERR_NOMEM, "eval_objects.c: no memory for a CRS");
    if (OSRImportFromProj4(laea, proj4) != OGRERR_NONE) {
        OSRDestroySpatialReference(laea);
        return tb_error(TB_ERR_CRS, "%s: cannot build the equal-area CRS '%s'", truth->path, proj4);
    }
    OSRSetAxisMappingStrategy(laea, OAMS_TRADITIONAL_GIS_ORDER);
    /* pred is in the truth's CRS now: transform both from there. */
    OGRSpatialReferenceH from = truth->srs;
    OGRSpatialReferenceH keep = pred->srs;
    pred->srs = from;
    st = transform_set(pred, laea);
    pred->srs = keep;
    if (st == TB_OK)
        st = transform_set(truth, laea);
    OSRDestroySpatialReference(laea);
    *unit_m2 = 1.0;
    return st;
}

/* Repairs invalid geometries and sets envelopes, areas and the small flags. */
static tb_status measure(geom_set *s, double unit_m2, double min_area_m2)
{
    for (size_t i = 0; i < s->n; i++) {
        geom_obj *o = &s->o[i];
        if (!OGR_G_IsValid(o->g)) {
            OGRGeometryH v = OGR_G_MakeValid(o->g);
            if (!v)
                return tb_error(TB_ERR_INPUT_FORMAT, "%s: object %zu is an invalid polygon "
                                "that cannot be repaired", s->path, i);
            OGR_G_DestroyGeometry(o->g);
            o->g = v;
        }
        OGR_G_GetEnvelope(o->g, &o->env);
        o->area = OGR_G_Area(o->g);
        o->small = o->area * unit_m2 < min_area_m2;
    }
    return TB_OK;
}

/* A prediction in the min-x sweep. */
typedef struct sweep_item {
    double minx;
    size_t i;
} sweep_item;

static int by_minx(const void *a, const void *b)
{
    const sweep_item *x = a, *y = b;
    if (x->minx != y->minx)
        return x->minx < y->minx ? -1 : 1;
    return x->i < y->i ? -1 : (x->i > y->i);
}

/* Candidate pairs with IoU >= thr through the min-x sweep (see the file comment). */
static tb_status geom_candidates(const geom_set *pred, const geom_set *truth, double thr,
                                 cand_list *cl)
{
    sweep_item *idx = malloc((pred->n ? pred->n : 1) * sizeof *idx);
    if (!idx)
        return tb_error(TB_ERR_NOMEM, "eval_objects.c: no memory for %zu objects", pred->n);
    size_t m = 0;
    double maxw = 0.0;
    for (size_t i = 0; i < pred->n; i++)
        if (!pred->o[i].small) {
            idx[m++] = (sweep_item){pred->o[i].env.MinX, i};
            maxw = fmax(maxw, pred->o[i].env.MaxX - pred->o[i].env.MinX);
        }
    qsort(idx, m, sizeof *idx, by_minx);
    tb_status st = TB_OK;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    for (size_t t = 0; t < truth->n && st == TB_OK; t++) {
        const geom_obj *to = &truth->o[t];
        /* First prediction with min x >= truth min x - widest prediction. */
        double from = to->env.MinX - maxw;
        size_t lo = 0, hi = m;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (idx[mid].minx < from)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k < m && idx[k].minx <= to->env.MaxX; k++) {
            const geom_obj *po = &pred->o[idx[k].i];
            if (po->env.MaxX < to->env.MinX || po->env.MaxY < to->env.MinY ||
                po->env.MinY > to->env.MaxY)
                continue;
            double lo_a = fmin(po->area, to->area), hi_a = fmax(po->area, to->area);
            if (!(lo_a > 0.0) || lo_a / hi_a < thr - TB_EVAL_IOU_EPS)
                continue;
            OGRGeometryH in = OGR_G_Intersection(po->g, to->g);
            if (!in) {
                st = tb_error(TB_ERR_INPUT_FORMAT, "%s object %zu and %s object %zu: GEOS "
                              "cannot intersect them: %s", pred->path, idx[k].i, truth->path, t,
                              CPLGetLastErrorMsg());
                break;
            }
            double ia = OGR_G_Area(in);
            OGR_G_DestroyGeometry(in);
            double un = po->area + to->area - ia;
            double iou = un > 0.0 ? ia / un : 0.0;
            if (iou > 0.0 && iou >= thr - TB_EVAL_IOU_EPS)
                st = cand_push(cl, idx[k].i, t, iou);
        }
    }
    CPLPopErrorHandler();
    free(idx);
    return st;
}

/* Objects when at least one input is a vector file. */
static tb_status geom_objects(const char *pred, tb_eval_kind kp, const char *truth,
                              tb_eval_kind kt, const tb_eval_options *opt, tb_eval_result *res)
{
    geom_set sp = {.path = pred}, stru = {.path = truth};
    cand_list cl = {0};
    unsigned char *psmall = NULL, *tsmall = NULL;
    double unit_m2 = 1.0;
    tb_status st = kp == TB_EVAL_RASTER ? load_raster(&sp, opt->pred_values, opt->pixel_size)
                                        : load_vector(&sp, opt->pred_kinds);
    if (st == TB_OK)
        st = kt == TB_EVAL_RASTER ? load_raster(&stru, opt->truth_values, opt->pixel_size)
                                  : load_vector(&stru, NULL);
    if (st == TB_OK)
        st = common_crs(&sp, &stru, opt->pixel_size, &unit_m2);
    if (st == TB_OK) {
        CPLPushErrorHandler(CPLQuietErrorHandler);
        st = measure(&sp, unit_m2, opt->min_area_m2);
        if (st == TB_OK)
            st = measure(&stru, unit_m2, opt->min_area_m2);
        CPLPopErrorHandler();
    }
    if (st == TB_OK)
        st = geom_candidates(&sp, &stru, opt->iou, &cl);
    if (st == TB_OK) {
        psmall = calloc(sp.n ? sp.n : 1, 1);
        tsmall = calloc(stru.n ? stru.n : 1, 1);
        if (!psmall || !tsmall)
            st = tb_error(TB_ERR_NOMEM, "eval_objects.c: no memory for %zu objects",
                          sp.n + stru.n);
    }
    if (st == TB_OK) {
        for (size_t i = 0; i < sp.n; i++)
            psmall[i] = (unsigned char)sp.o[i].small;
        for (size_t i = 0; i < stru.n; i++)
            tsmall[i] = (unsigned char)stru.o[i].small;
        st = match_count(&cl, sp.n, psmall, stru.n, tsmall, res);
    }
    free(psmall);
    free(tsmall);
    free(cl.c);
    geom_set_free(&sp);
    geom_set_free(&stru);
    return st;
}

tb_status tb_eval_objects(const char *pred, const char *truth, const tb_eval_options *opt,
                          tb_eval_result *res)
{
    tb_eval_kind kp, kt;
    tb_status st = tb_eval_probe(pred, &kp);
    if (st == TB_OK)
        st = tb_eval_probe(truth, &kt);
    if (st != TB_OK)
        return st;
    res->iou_threshold = opt->iou;
    res->min_area_m2 = opt->min_area_m2;
    if (kp == TB_EVAL_RASTER && kt == TB_EVAL_RASTER)
        return raster_objects(pred, truth, opt, res);
    return geom_objects(pred, kp, truth, kt, opt, res);
}
