/* scan_vhr.c: choice of the detector, the recipe's parameters in pixels, the strip
 * computation shared by its passes, and the cues it leaves on polygons (see
 * scan_vhr.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scan_internal.h"

/* Metres -> pixels, rounded (half to even, as the prototype's round()). */
static int to_px(double m, double px)
{
    return (int)nearbyint(m / px);
}

tb_status tb_scan_vhr_select(tb_scan_ctx *ctx)
{
    const tb_config *cfg = ctx->cfg;
    tb_scan_result *res = ctx->res;
    const tb_scan_evidence *ev = &ctx->ev;
    const double px = 0.5 * (res->pixel_w_m + res->pixel_h_m);
    const int rgb = ev->red >= 0 && ev->green >= 0 && ev->blue >= 0;
    int vhr = 0;
    if (!strcmp(cfg->method, "vhr_rgb")) {
        if (!rgb)
            return tb_error(TB_ERR_BANDS, "%s: detect.method = vhr_rgb needs red, green and blue "
                            "bands (roles: %s)", tb_raster_path(ctx->after), res->roles_source);
        if (!(px > 0))
            return tb_error(TB_ERR_CONFIG, "%s: detect.method = vhr_rgb needs the pixel size "
                            "(georeferencing or input.pixel_size)", tb_raster_path(ctx->after));
        vhr = 1;
    } else if (!strcmp(cfg->method, "auto")) {
        /* The recipe is validated on RGB only (LEVIR-CD); with a NIR band (GF-2,
         * SuperView, tuban synth) the change vector keeps its NDVI evidence. */
        vhr = rgb && ev->nir < 0 && px > 0 && px <= cfg->vhr_max_pixel_m;
    }
    snprintf(res->method, sizeof res->method, "%s", vhr ? "vhr_rgb" : "change_vector");
    if (!vhr)
        return TB_OK;

    tb_scan_vhr *v = calloc(1, sizeof *v);
    if (!v)
        return tb_error(TB_ERR_NOMEM, "out of memory for the vhr_rgb detector");
    ctx->vhr = v;
    v->px = px;
    v->sigma_px = cfg->vhr_sigma_m / px;
    v->gauss_r = tb_gaussian_radius(v->sigma_px);
    const int box = to_px(cfg->vhr_grey_box_m, px);
    v->box = box < 1 ? 1 : box;
    v->open_r = to_px(cfg->vhr_open_m, px);
    v->run_cap = cfg->vhr_road_length_m > 0 ? (int)ceil(cfg->vhr_road_length_m / px) + 1 : 0;
    const int ncc = to_px(cfg->vhr_ncc_box_m, px);
    v->ncc_box = ncc < 2 ? 2 : ncc;
    v->close_r = to_px(cfg->vhr_close_m, px);
    v->band_px = (int)floor(cfg->vhr_shadow_band_m / px + 1e-9);
    v->sun_px = cfg->vhr_sun_distance_m / px;
    if (v->gauss_r > TB_FILTER_MAX_RADIUS || v->box > 2 * TB_FILTER_MAX_RADIUS + 1 ||
        v->ncc_box > 2 * TB_FILTER_MAX_RADIUS + 1 || v->open_r > TB_DISK_MAX_RADIUS ||
        v->close_r > TB_DISK_MAX_RADIUS || v->run_cap > 4096 || v->band_px > 256)
        return tb_error(TB_ERR_CONFIG, "%s: a [vhr] length is too many pixels at %.3g m per pixel "
                        "(at most %d for sigma x 4 and the boxes, %d for the disks, 4096 for "
                        "the road length, 256 for the shadow band)", tb_raster_path(ctx->after),
                        px, TB_FILTER_MAX_RADIUS, TB_DISK_MAX_RADIUS);
    /* Greyness's +1 is for 8-bit data; 16-bit data scale it. */
    const char *type = tb_raster_type_name(ctx->after);
    const int byte = !strcmp(type, "Byte");
    const int word = !strcmp(type, "UInt16") || !strcmp(type, "Int16");
    v->eps = byte ? 1.0f : word ? 65535.0f / 255.0f : 1.0f;
    v->bright_hi = byte ? 256.0 : 65536.0;
    for (int k = 0; k < 3; k++)
        v->bands[k] = res->role_bands[2 - k];   /* role_bands: blue, green, red */
    v->halo = v->gauss_r + v->box / 2 + 4 * v->open_r + v->run_cap + (int)ceil(v->sun_px) + 1;
    ctx->halo = v->halo;
    return TB_OK;
}

/* Bytes per pixel of V2 (the largest pass): per extended-strip pixel 11 float planes,
 * 2 valid, 2 candidate, 2 morphology scratch and 1 flag bytes, 5 uint16 run planes; per
 * central pixel (plus the NCC box) the NCC and its 5 double sums, labels and flags. */
#define EXT_BYTES (11 * sizeof(float) + 7 + 5 * sizeof(uint16_t))
#define CENTRAL_BYTES (sizeof(float) + 5 * sizeof(double) + sizeof(uint32_t) + 1)

int tb_scan_vhr_strip_rows(const tb_scan_ctx *ctx)
{
    /* width x (EXT (rows + 2 halo) + CENTRAL rows) <= budget; but never fewer rows than
     * the halo, or the halo's rows would be computed many times over (at 0.5 m the halo
     * is 98 rows: a 4096-wide strip then takes about 90 MiB). */
    const size_t row = (size_t)ctx->width;
    const size_t fixed = row * EXT_BYTES * 2 * (size_t)ctx->halo;
    size_t fit = TB_SCAN_STRIP_BUDGET > fixed
                     ? (TB_SCAN_STRIP_BUDGET - fixed) / (row * (EXT_BYTES + CENTRAL_BYTES))
                     : 0;
    int rows = ctx->cfg->strip_rows;
    if ((size_t)rows > fit)
        rows = (int)fit;
    if (rows < ctx->halo)
        rows = ctx->halo;
    if (rows < 16)
        rows = 16;
    return rows < ctx->height ? rows : ctx->height;
}

tb_status tb_vhr_strip_alloc(tb_vhr_strip *s, size_t cap)
{
    memset(s, 0, sizeof *s);
    s->block = malloc(11 * cap * sizeof(float));
    s->valid = malloc(2 * cap);
    if (!s->block || !s->valid)
        return tb_error(TB_ERR_NOMEM, "out of memory for vhr_rgb strips of %zu pixels", cap);
    for (int k = 0; k < 3; k++) {
        s->in[k] = s->block + (size_t)k * cap;
        s->sm[k] = s->block + (size_t)(3 + k) * cap;
    }
    for (int d = 0; d < 2; d++) {
        s->grey[d] = s->block + (size_t)(6 + d) * cap;
        s->bright[d] = s->block + (size_t)(8 + d) * cap;
    }
    s->tmp = s->block + (size_t)10 * cap;
    s->valid_b = s->valid + cap;
    s->cap = cap;
    return TB_OK;
}

void tb_vhr_strip_free(tb_vhr_strip *s)
{
    free(s->block);
    free(s->valid);
    memset(s, 0, sizeof *s);
}

tb_status tb_vhr_strip_compute(tb_scan_ctx *ctx, tb_vhr_strip *s, int e0, int rows,
                               double *input_seconds)
{
    const tb_scan_vhr *v = ctx->vhr;
    const int w = ctx->width;
    const size_t n = (size_t)w * rows;
    /* One date at a time: its three bands smoothed, then brightness and greyness. */
    for (int d = 0; d < 2; d++) {
        uint8_t *valid = d ? s->valid : s->valid_b;
        const double t0 = tb_scan_now();
        tb_status st = tb_raster_read_rows(d ? ctx->after : ctx->before, e0, rows, v->bands, 3,
                                           s->in, valid);
        if (input_seconds)
            *input_seconds += tb_scan_now() - t0;
        if (st)
            return st;
        for (int k = 0; k < 3; k++) {
            /* The date's no-data pixels: its valid mean over the strip, so the filters see
             * finite values (pixels invalid in either date are never candidates). */
            double sum = 0;
            size_t cnt = 0;
            float *p = s->in[k];
            for (size_t i = 0; i < n; i++)
                if (valid[i] && isfinite(p[i])) {
                    sum += p[i];
                    cnt++;
                }
            const float fill = cnt ? (float)(sum / (double)cnt) : 0.0f;
            for (size_t i = 0; i < n; i++)
                if (!valid[i] || !isfinite(p[i])) {
                    p[i] = fill;
                    valid[i] = 0;
                }
            tb_gaussian(p, s->sm[k], w, rows, v->sigma_px, s->tmp);
        }
        float *const *c = s->sm;
        float *b = s->bright[d];
#pragma omp parallel for schedule(static)
        for (long long i = 0; i < (long long)n; i++)
            b[i] = (c[0][i] + c[1][i] + c[2][i]) / 3.0f;
        /* raw greyness into in[0] (no longer needed), then its box mean */
        tb_greyness(c[0], c[1], c[2], n, v->eps, s->in[0]);
        tb_box_mean(s->in[0], s->grey[d], w, rows, v->box, s->tmp);
    }
    for (size_t i = 0; i < n; i++)
        s->valid[i] &= s->valid_b[i];
    return TB_OK;
}

void tb_scan_vhr_describe(const tb_scan_ctx *ctx, uint32_t root, tb_change_feature *f)
{
    const tb_scan_vhr *v = ctx->vhr;
    const tb_vhr_cues *c = root < v->capcues ? &v->cues[root] : NULL;
    if (!c || !c->pixels) {
        f->confidence = 0;
        return;
    }
    const double n = (double)c->pixels * TB_VHR_FIX;
    f->shadow_adjacency = (double)c->adjacency / n;
    f->direction = (double)c->rise / n;
    f->confidence = (double)c->conf / n;
}

void tb_scan_vhr_free(tb_scan_ctx *ctx)
{
    tb_scan_vhr *v = ctx->vhr;
    if (!v)
        return;
    for (int b = 0; b < 2; b++) {
        tb_vhr_branch *br = &v->branch[b];
        tb_ccl_destroy(br->ccl);
        tb_raster_writer_close(br->labels);
        if (br->path[0])
            remove(br->path);
        free(br->sums);
        free(br->keep);
        free(br->conf);
        free(br->adjacency);
        free(br->rise);
        free(br->ncc);
    }
    free(v->cues);
    free(v);
    ctx->vhr = NULL;
}
