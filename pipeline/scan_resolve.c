/* scan_resolve.c: components -> features, and pass 3: final labels and change mask.
 *
 * Every component gets its ground area and perimeter (pixel sizes at its centroid,
 * so geographic CRSs are measured in metres too); components outside the
 * [filter] area bounds are dropped and counted. Surviving components are numbered
 * 1..n in raster order of their first pixel: the numbering does not depend on the
 * strip height or the thread count.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scan_internal.h"

static tb_status build_features(tb_scan_ctx *ctx)
{
    tb_scan_result *res = ctx->res;
    const tb_config *cfg = ctx->cfg;
    const uint32_t n = tb_ccl_label_count(ctx->ccl);
    ctx->final_id = calloc((size_t)n + 1, sizeof *ctx->final_id);
    uint32_t cap = 256;
    ctx->features = malloc(cap * sizeof *ctx->features);
    if (!ctx->final_id || !ctx->features)
        return tb_error(TB_ERR_NOMEM, "out of memory for %u components", n);

    for (uint32_t l = 1; l <= n; l++) {
        const uint32_t root = tb_ccl_root(ctx->ccl, l);
        if (root != l) {
            ctx->final_id[l] = ctx->final_id[root];   /* root < l: already decided */
            continue;
        }
        const tb_component *c = tb_ccl_component(ctx->ccl, root);
        res->components++;
        const double cx = c->sum_x / (double)c->pixels, cy = c->sum_y / (double)c->pixels;
        double pw, ph;
        tb_ground_pixel(&ctx->ground, cx, cy, &pw, &ph);
        const double area = (double)c->pixels * pw * ph;
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
        if (ctx->nfeatures == cap) {
            cap *= 2;
            tb_change_feature *f = realloc(ctx->features, cap * sizeof *f);
            if (!f)
                return tb_error(TB_ERR_NOMEM, "out of memory for %u polygons", cap);
            ctx->features = f;
        }
        tb_change_feature *f = &ctx->features[ctx->nfeatures++];
        f->id = ctx->nfeatures;
        f->pixels = c->pixels;
        f->area_m2 = area;
        f->perimeter_m = (double)c->edges_v * ph + (double)c->edges_h * pw;
        f->mean_score = c->sum_score / (double)c->pixels;
        f->max_score = c->max_score;
        tb_ground_map(&ctx->ground, cx, cy, &f->centroid_x, &f->centroid_y);
        if (!tb_ground_lonlat(&ctx->ground, f->centroid_x, f->centroid_y, &f->lon, &f->lat))
            f->lon = f->lat = NAN;
        ctx->final_id[l] = f->id;
        res->total_area_m2 += area;
    }
    res->polygons = ctx->nfeatures;
    return TB_OK;
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
        for (size_t i = 0; i < px; i++) {
            const uint32_t v = lab[i];
            if (v == UINT32_MAX) {
                lab[i] = 0;
                m[i] = 255;
            } else {
                lab[i] = v ? ctx->final_id[v] : 0;
                m[i] = lab[i] != 0;
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
