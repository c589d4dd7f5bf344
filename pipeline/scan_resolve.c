/* scan_resolve.c: components -> features, and pass 3: final labels and change mask.
 *
 * Every component gets its ground area and perimeter (pixel sizes at its centroid,
 * so geographic CRSs are measured in metres too); components outside the
 * [filter] area bounds are dropped and counted. The others get their kind (new or
 * removed: the sign of their summed evidence), their shape and shadow ring (pass 2b,
 * scan_shape.c) and a confidence; those below [filter] min_confidence are dropped
 * too. Surviving components are numbered 1..n in raster order of their first pixel:
 * the numbering does not depend on the strip height or the thread count. The mask
 * holds each polygon's kind (1 new, 2 removed).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scan_internal.h"

/* Ground area of component `c` (pixel size at its centroid); pixel sizes to pw, ph. */
static double component_area(const tb_scan_ctx *ctx, const tb_component *c, double *pw,
                             double *ph)
{
    const double cx = c->sum_x / (double)c->pixels, cy = c->sum_y / (double)c->pixels;
    tb_ground_pixel(&ctx->ground, cx, cy, pw, ph);
    return (double)c->pixels * *pw * *ph;
}

/* Width in pixels of the shadow ring: evidence.ring_m at the scene's pixel size, at
 * least one pixel and at most 64. */
static int ring_pixels(const tb_scan_ctx *ctx)
{
    const double px = 0.5 * (ctx->res->pixel_w_m + ctx->res->pixel_h_m);
    int r = px > 0 ? (int)lround(ctx->cfg->ring_m / px) : 1;
    return r < 1 ? 1 : r > 64 ? 64 : r;
}

/* Marks (want[root] = 1) every component that passes the area and hysteresis
 * filters, counting the dropped ones. */
static void keep_components(tb_scan_ctx *ctx, uint8_t *want)
{
    tb_scan_result *res = ctx->res;
    const tb_config *cfg = ctx->cfg;
    const uint32_t n = tb_ccl_label_count(ctx->ccl);
    for (uint32_t l = 1; l <= n; l++) {
        if (tb_ccl_root(ctx->ccl, l) != l)
            continue;
        const tb_component *c = tb_ccl_component(ctx->ccl, l);
        res->components++;
        double pw, ph;
        const double area = component_area(ctx, c, &pw, &ph);
        if (cfg->hysteresis_low < 1 && !(c->max_score > res->threshold)) {
            res->dropped_weak++;   /* hysteresis: never reaches the threshold */
            continue;
        }
        if (area < cfg->min_area_m2) {
            res->dropped_small++;
            continue;
        }
        if (cfg->max_area_m2 > 0 && area > cfg->max_area_m2) {
            res->dropped_large++;
            continue;
        }
        want[l] = 1;
    }
}

/* New or removed: the sign of the mean pixel evidence plus the weighted change of the
 * shadow around the structure (a new building's ring darkens, a demolished one's
 * brightens, whatever the colour of its roof). */
static int choose_kind(const tb_scan_ctx *ctx, uint32_t root, const tb_component *c,
                       const tb_shape_meas *sh)
{
    const tb_evidence_sums *ev = tb_scan_evidence_of(ctx, root);
    double z = (double)ev->dir / TB_EVIDENCE_ONE / (double)c->pixels;
    if (sh->ring && ctx->ev.nir >= 0)   /* without NIR, dark vegetation passes for shadow */
        z += ctx->cfg->ring_weight * ((double)sh->ring_dark_after - (double)sh->ring_dark_before) /
             (double)sh->ring;
    return z >= 0 ? TB_KIND_NEW : TB_KIND_REMOVED;
}

/* Fills the evidence and shape attributes of feature f of component `root`. */
static void describe(const tb_scan_ctx *ctx, uint32_t root, const tb_shape_meas *sh, double pw,
                     double ph, tb_change_feature *f)
{
    const tb_evidence_sums *ev = tb_scan_evidence_of(ctx, root);
    const double px = (double)f->pixels;
    f->direction = (double)ev->dir / TB_EVIDENCE_ONE / px;
    f->consistency = ev->abs_dir > 0 ? fabs((double)ev->dir) / (double)ev->abs_dir : 0.0;
    f->explained_share = (double)(ev->vegetation + ev->water) / px;
    f->mbi_rise = ctx->cfg->mbi ? (f->kind == TB_KIND_REMOVED ? -1.0 : 1.0) *
                                      (double)ev->mbi_rise / TB_EVIDENCE_ONE / px
                                : NAN;
    f->solidity = sh->hull_area_px > 0 ? px / sh->hull_area_px : 1.0;
    f->rectangularity = sh->rect_area_m2 > 0 ? px * pw * ph / sh->rect_area_m2 : 1.0;
    f->solidity = f->solidity > 1 ? 1 : f->solidity;
    f->rectangularity = f->rectangularity > 1 ? 1 : f->rectangularity;
    const uint64_t dark = f->kind == TB_KIND_REMOVED ? sh->ring_dark_before : sh->ring_dark_after;
    f->shadow_adjacency = sh->ring ? (double)dark / (double)sh->ring : 0.0;
}

static tb_status build_features(tb_scan_ctx *ctx)
{
    tb_scan_result *res = ctx->res;
    const tb_config *cfg = ctx->cfg;
    const uint32_t n = tb_ccl_label_count(ctx->ccl);
    ctx->final_id = calloc((size_t)n + 1, sizeof *ctx->final_id);
    uint32_t cap = 256;
    ctx->features = malloc(cap * sizeof *ctx->features);
    uint8_t *want = calloc((size_t)n + 1, 1);
    tb_shape_meas *shape = malloc(((size_t)n + 1) * sizeof *shape);
    tb_status st = TB_OK;
    if (!ctx->final_id || !ctx->features || !want || !shape)
        st = tb_error(TB_ERR_NOMEM, "out of memory for %u components", n);
    if (!st)
        st = tb_scan_evidence_resolve(ctx);
    if (!st) {
        keep_components(ctx, want);
        st = tb_scan_shape(ctx, want, ring_pixels(ctx), shape);
    }
    for (uint32_t l = 1; l <= n && !st; l++) {
        const uint32_t root = tb_ccl_root(ctx->ccl, l);
        if (root != l) {
            ctx->final_id[l] = ctx->final_id[root];   /* root < l: already decided */
            continue;
        }
        if (!want[l])
            continue;
        const tb_component *c = tb_ccl_component(ctx->ccl, root);
        double pw, ph;
        tb_change_feature f;
        memset(&f, 0, sizeof f);
        f.kind = choose_kind(ctx, root, c, &shape[root]);
        f.pixels = c->pixels;
        f.first_row = c->min_y;
        f.last_row = c->max_y;
        f.area_m2 = component_area(ctx, c, &pw, &ph);
        f.perimeter_m = (double)c->edges_v * ph + (double)c->edges_h * pw;
        f.mean_score = c->sum_score / (double)c->pixels;
        f.max_score = c->max_score;
        describe(ctx, root, &shape[root], pw, ph, &f);
        f.confidence = tb_scan_confidence(cfg, &f, res->threshold);
        if (ctx->vhr)
            tb_scan_vhr_describe(ctx, root, &f);   /* the recipe's cues and confidence */
        if (f.confidence < cfg->min_confidence) {
            res->dropped_confidence++;
            continue;
        }
        if (ctx->nfeatures == cap) {
            cap *= 2;
            tb_change_feature *nf = realloc(ctx->features, cap * sizeof *nf);
            if (!nf) {
                st = tb_error(TB_ERR_NOMEM, "out of memory for %u polygons", cap);
                break;
            }
            ctx->features = nf;
        }
        f.id = ctx->nfeatures + 1;
        const double cx = c->sum_x / (double)c->pixels, cy = c->sum_y / (double)c->pixels;
        tb_ground_map(&ctx->ground, cx, cy, &f.centroid_x, &f.centroid_y);
        if (!tb_ground_lonlat(&ctx->ground, f.centroid_x, f.centroid_y, &f.lon, &f.lat))
            f.lon = f.lat = NAN;
        ctx->features[ctx->nfeatures++] = f;
        ctx->final_id[l] = f.id;
        res->total_area_m2 += f.area_m2;
        if (f.kind == TB_KIND_REMOVED) {
            res->removed_polygons++;
            res->removed_area_m2 += f.area_m2;
        } else {
            res->new_polygons++;
            res->new_area_m2 += f.area_m2;
        }
    }
    res->polygons = ctx->nfeatures;
    free(want);
    free(shape);
    return st;
}

tb_status tb_scan_resolve(tb_scan_ctx *ctx, tb_raster_writer *labels, tb_raster_writer *mask)
{
    tb_status st = build_features(ctx);
    if (st)
        return st;
    const int w = ctx->width, h = ctx->height;
    const int strip = ctx->strip_rows;
    uint32_t *lab = malloc((size_t)w * strip * sizeof *lab);
    uint8_t *m = malloc((size_t)w * strip);
    if (!lab || !m)
        st = tb_error(TB_ERR_NOMEM, "out of memory for label strips");
    for (int y0 = 0; y0 < h && !st; y0 += strip) {
        const int rows = h - y0 < strip ? h - y0 : strip;
        const size_t px = (size_t)w * rows;
        st = tb_raster_writer_read(ctx->provisional, y0, rows, lab);
        if (st)
            break;
        const uint32_t *final_id = ctx->final_id;
        const tb_change_feature *features = ctx->features;
#pragma omp parallel for schedule(static)
        for (long long ii = 0; ii < (long long)px; ii++) {
            const size_t i = (size_t)ii;
            const uint32_t v = lab[i];
            if (v == UINT32_MAX) {
                lab[i] = 0;
                m[i] = 255;
            } else {
                lab[i] = v ? final_id[v] : 0;
                m[i] = lab[i] ? (uint8_t)features[lab[i] - 1].kind : 0;
            }
        }
        st = tb_raster_writer_write(labels, y0, rows, lab);
        if (!st && mask)
            st = tb_raster_writer_write(mask, y0, rows, m);
    }
    free(lab);
    free(m);
    return st;
}
