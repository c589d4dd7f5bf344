/* scan_align.c: both dates onto one grid, co-registered.
 *
 * Order: open the inputs; give a CRS to an input without one where the configuration
 * names it; plan the target grid (io/align_grid.c); put both dates on it without a
 * shift; estimate the residual shift of before against after by phase correlation
 * over windows spread across the overlap (align/), refined once with windows offset
 * by the rounded shift; re-open the before-image with the shift folded into its one
 * warp.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan_internal.h"
#include "tb_coreg.h"

/* Below a twentieth of a pixel, resampling (which smooths noise and texture) costs
 * more than the misregistration it would remove. */
#define MIN_APPLIED_SHIFT 0.05
#define MIN_WINDOW 32

static tb_status open_and_assign(tb_scan_ctx *ctx, const char *before, const char *after)
{
    const tb_config *cfg = ctx->cfg;
    tb_status st = tb_raster_open(before, &ctx->before_src);
    if (!st)
        st = tb_raster_open(after, &ctx->after_src);
    if (!st && cfg->before_crs[0] && !tb_raster_crs_wkt(ctx->before_src))
        st = tb_raster_assign_crs(ctx->before_src, cfg->before_crs, "align.before_crs");
    if (!st && cfg->after_crs[0] && !tb_raster_crs_wkt(ctx->after_src))
        st = tb_raster_assign_crs(ctx->after_src, cfg->after_crs, "align.after_crs");
    if (st)
        return st;
    int nb = tb_raster_band_count(ctx->before_src), na = tb_raster_band_count(ctx->after_src);
    if (nb != na)
        return tb_error(TB_ERR_BANDS,
                        "%s has %d bands but %s has %d: the dates must have the same bands",
                        before, nb, after, na);
    return TB_OK;
}

/* Windows read, then matched in parallel (one FFT handle per thread). A window's
 * result does not depend on the thread that matched it. The dates are read one after
 * the other: two dates may be views of the same files (a pair of VRTs over one band
 * set), and GDAL shares the source datasets of VRTs, which are not safe to read from
 * two threads at once. A date that is a tiled GeoTIFF as it is has its windows decoded
 * in parallel through libtiff (tb_raster_read_windows), with handles of its own. */
#define WINDOW_BATCH 16
#define BATCH_BYTES ((size_t)64 << 20)

typedef struct window_batch {
    int n;                       /* window side */
    int cap;                     /* windows per batch */
    float *ref, *mov;            /* cap brightness windows of each date */
    uint8_t *vb, *va;            /* and their validity */
    float *planes;               /* cap * nbands windows of one date's bands */
} window_batch;

/* Windows per batch: WINDOW_BATCH, fewer when their bands would take more than
 * BATCH_BYTES (the largest co-registration windows are 2048 px). */
static int batch_windows(int n, int nbands)
{
    const size_t one = (size_t)n * (size_t)n * sizeof(float) * (size_t)(nbands + 2);
    size_t k = BATCH_BYTES / one;
    return k < 1 ? 1 : k > WINDOW_BATCH ? WINDOW_BATCH : (int)k;
}

/* Brightness (mean of the bands used) of `count` windows of `r`, window i at
 * (xs[i], ys[i]), into out + i * n * n, validity into valid + i * n * n. */
static tb_status read_brightness(tb_scan_ctx *ctx, tb_raster *r, window_batch *b, int count,
                                 const int *xs, const int *ys, uint8_t *valid, float *out)
{
    const int nb = ctx->nbands;
    const size_t px = (size_t)b->n * b->n;
    float *p[WINDOW_BATCH * TB_SCAN_MAX_BANDS];
    for (int k = 0; k < count * nb; k++)
        p[k] = b->planes + px * (size_t)k;
    tb_status st = tb_raster_read_windows(r, count, xs, ys, b->n, b->n, ctx->res->bands, nb, p,
                                          valid);
    if (st)
        return st;
#pragma omp parallel for schedule(static)
    for (int i = 0; i < count; i++) {
        float *const *pi = p + (size_t)i * nb;
        float *o = out + (size_t)i * px;
        for (size_t k = 0; k < px; k++) {
            float s = 0;
            for (int j = 0; j < nb; j++)
                s += pi[j][k];
            o[k] = s / (float)nb;
        }
    }
    return TB_OK;
}

/* Reads windows [i0, i1) of the layout `xs`, `ys` (after-windows at ax + x, ay + y,
 * before-windows (ox, oy) further) into slots 0.. of `b`; vb ends up valid where both
 * dates are. */
static tb_status read_batch(tb_scan_ctx *ctx, window_batch *b, const int *xs, const int *ys,
                            int i0, int i1, int ax, int ay, int ox, int oy)
{
    int x[WINDOW_BATCH], y[WINDOW_BATCH], bx[WINDOW_BATCH], by[WINDOW_BATCH];
    const int count = i1 - i0;
    for (int i = 0; i < count; i++) {
        x[i] = ax + xs[i0 + i];
        y[i] = ay + ys[i0 + i];
        bx[i] = x[i] + ox;
        by[i] = y[i] + oy;
    }
    tb_status st = read_brightness(ctx, ctx->after, b, count, x, y, b->va, b->ref);
    if (!st)
        st = read_brightness(ctx, ctx->before, b, count, bx, by, b->vb, b->mov);
    if (st)
        return st;
    const size_t all = (size_t)count * b->n * b->n;
    for (size_t i = 0; i < all; i++)
        b->vb[i] = (uint8_t)(b->vb[i] && b->va[i]);
    return TB_OK;
}

/* 1 when window i sits where one of windows 0..i-1 already is. */
static int repeats_a_window(const int *xs, const int *ys, int i)
{
    for (int j = 0; j < i; j++)
        if (xs[j] == xs[i] && ys[j] == ys[i])
            return 1;
    return 0;
}

/* One estimate of the shift of ctx->before against ctx->after, with before-windows
 * read (ox, oy) whole pixels further (no resampling: the estimate is the residual).
 * Returns 0 with *r filled, 1 when it cannot be estimated, or -1 with an error. */
static int estimate(tb_scan_ctx *ctx, int window, int ox, int oy, tb_coreg_result *r)
{
    const tb_config *cfg = ctx->cfg;
    const int w = ctx->grid.width, h = ctx->grid.height;
    const int nmax = cfg->coreg_max_windows;
    const int nthreads = omp_get_max_threads();
    const size_t px = (size_t)window * window;
    int *x0 = malloc(sizeof(int) * (size_t)nmax * 2);
    tb_coreg_window *win = calloc((size_t)nmax, sizeof *win);
    tb_coreg **c = calloc((size_t)nthreads, sizeof *c);
    window_batch b = {.n = window, .cap = batch_windows(window, ctx->nbands)};
    float *fbuf = malloc(sizeof(float) * px * (size_t)b.cap * (size_t)(2 + ctx->nbands));
    uint8_t *vbuf = malloc(px * 2 * (size_t)b.cap);
    int rc = -1;
    if (!x0 || !win || !c || !fbuf || !vbuf) {
        tb_error(TB_ERR_NOMEM, "out of memory for co-registration windows");
        goto done;
    }
    b.ref = fbuf;
    b.mov = fbuf + px * (size_t)b.cap;
    b.planes = fbuf + px * 2 * (size_t)b.cap;
    b.vb = vbuf;
    b.va = vbuf + px * (size_t)b.cap;
    tb_coreg_options o;
    tb_coreg_defaults(&o);
    o.window = window;
    o.max_shift_px = cfg->coreg_max_shift * 1.5 + 2;   /* let the bound below judge */
    for (int t = 0; t < nthreads; t++)   /* FFTW plans: made on one thread */
        if (!(c[t] = tb_coreg_create(&o))) {
            tb_error(TB_ERR_NOMEM, "out of memory for co-registration windows");
            goto done;
        }
    /* Windows lie where both the after-window and the offset before-window fit. */
    const int ax = ox < 0 ? -ox : 0, ay = oy < 0 ? -oy : 0;
    const int lw = w - abs(ox), lh = h - abs(oy);
    int n = tb_coreg_layout(lw, lh, window, nmax, x0, x0 + nmax);
    /* Snap windows to multiples of the window size: on a file tiled by the window size
     * (256 is the GeoTIFF norm) a window then decodes one tile per band, not four.
     * A window that snapping would put on top of an earlier one stays where it was:
     * a window counted twice outvotes the others in the median and hides their
     * disagreement from the spread. */
    for (int i = 0; i < n; i++) {
        const int ux = x0[i], uy = x0[nmax + i];
        int sx = ux / window * window, sy = uy / window * window;
        if (sx + window <= lw)
            x0[i] = sx;
        if (sy + window <= lh)
            x0[nmax + i] = sy;
        if (repeats_a_window(x0, x0 + nmax, i)) {
            x0[i] = ux;
            x0[nmax + i] = uy;
        }
    }
    for (int i0 = 0; i0 < n; i0 += b.cap) {
        const int i1 = i0 + b.cap < n ? i0 + b.cap : n;
        if (read_batch(ctx, &b, x0, x0 + nmax, i0, i1, ax, ay, ox, oy))
            goto done;
#pragma omp parallel for schedule(dynamic, 1)
        for (int i = i0; i < i1; i++) {
            const size_t k = (size_t)(i - i0) * px;
            tb_coreg_match(c[omp_get_thread_num()], b.ref + k, b.mov + k, b.vb + k, &win[i]);
        }
    }
    rc = tb_coreg_combine(win, n, r) == 0 ? 0 : 1;
    r->windows_tried = n;
done:
    for (int t = 0; c && t < nthreads; t++)
        tb_coreg_destroy(c[t]);
    free(c);
    free(x0);
    free(win);
    free(fbuf);
    free(vbuf);
    return rc;
}

/* The first estimate; then, when it is a pixel or more, a second one with the
 * before-windows taken the rounded shift further, which leaves a sub-pixel residual
 * measured on the same ground in both windows (a several-pixel shift moves content
 * in and out of a window). r->dx, r->dy is the total. Returns as estimate(). */
static int coregister_estimates(tb_scan_ctx *ctx, int window, tb_coreg_result *r)
{
    int rc = estimate(ctx, window, 0, 0, r);
    if (rc != 0)
        return rc;
    const int ox = (int)lround(r->dx), oy = (int)lround(r->dy);
    if ((ox || oy) && hypot(r->dx, r->dy) <= ctx->cfg->coreg_max_shift) {
        tb_coreg_result r2;
        memset(&r2, 0, sizeof r2);
        rc = estimate(ctx, window, ox, oy, &r2);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            *r = r2;
            r->dx += ox;
            r->dy += oy;
        }
    }
    return 0;
}

static tb_status coregister(tb_scan_ctx *ctx)
{
    tb_scan_result *res = ctx->res;
    const tb_config *cfg = ctx->cfg;
    if (!cfg->coreg) {
        snprintf(res->coreg_status, sizeof res->coreg_status, "disabled");
        return TB_OK;
    }
    /* The largest power-of-two window up to the configured one that fits twice. */
    int window = cfg->coreg_window;
    const int side = ctx->grid.width < ctx->grid.height ? ctx->grid.width : ctx->grid.height;
    while (window > MIN_WINDOW && window * 2 > side)
        window /= 2;
    res->coreg_window = window;
    if (window * 2 > side) {
        snprintf(res->coreg_status, sizeof res->coreg_status,
                 "skipped: the overlap (%d px) is too small for %d px windows", side, window);
        return TB_OK;
    }

    /* When the before-image had to be resampled onto the grid, estimate on a cubic
     * view of it: bilinear interpolation at a fractional offset delays high
     * frequencies less than low ones, which phase correlation reads as a shift of a
     * few hundredths of a pixel even in the low band it uses. (Not Lanczos: GDAL 3.6's
     * warper shifts Lanczos output by half a source pixel on an axis it shrinks,
     * fixed upstream only in 3.10.) */
    tb_raster *scan_view = ctx->before, *sharp = NULL;
    if (res->before_warped) {
        tb_align_options cubic = ctx->align;
        cubic.resampling = "cubic";
        int warped = 0;
        tb_status st = tb_raster_on_grid(ctx->before_src, &ctx->grid, &cubic, 0, 0, &sharp,
                                         &warped);
        if (st)
            return st;
        ctx->before = sharp;
    }
    tb_coreg_result r;
    memset(&r, 0, sizeof r);
    int rc = coregister_estimates(ctx, window, &r);
    ctx->before = scan_view;
    tb_raster_close(sharp);
    if (rc < 0)
        return tb_error_status();
    double dx = r.dx, dy = r.dy;
    if (rc > 0) {
        snprintf(res->coreg_status, sizeof res->coreg_status,
                 "failed: fewer than 3 of %d windows matched", r.windows_tried);
        res->coreg_windows_tried = r.windows_tried;
        if (cfg->coreg_warn_only)
            return TB_OK;
        return tb_error(TB_ERR_ALIGN,
                        "%s and %s: the shift between the dates cannot be estimated (fewer "
                        "than 3 of %d windows matched); set coreg.warn_only or "
                        "coreg.enabled = false to scan anyway",
                        res->before, res->after, r.windows_tried);
    }
    res->estimate_x = dx;
    res->estimate_y = dy;
    res->shift_spread_x = r.spread_x;
    res->shift_spread_y = r.spread_y;
    res->coreg_windows_used = r.windows_used;
    res->coreg_windows_tried = r.windows_tried;
    res->coreg_peak = r.median_peak;
    /* Windows that agree only loosely (repeated roofs, years of change) give a
     * median that is no shift at all: applying it would misalign every pixel. */
    if (r.spread_x > cfg->coreg_max_spread || r.spread_y > cfg->coreg_max_spread) {
        snprintf(res->coreg_status, sizeof res->coreg_status,
                 "failed: the windows disagree (spread %.2f, %.2f px exceeds %.3g px)",
                 r.spread_x, r.spread_y, cfg->coreg_max_spread);
        if (cfg->coreg_warn_only)
            return TB_OK;
        return tb_error(TB_ERR_ALIGN,
                        "%s and %s: the co-registration windows disagree (spread %.2f, %.2f "
                        "px, more than coreg.max_spread_px = %.3g); set coreg.warn_only or "
                        "coreg.enabled = false to scan anyway",
                        res->before, res->after, r.spread_x, r.spread_y, cfg->coreg_max_spread);
    }
    if (hypot(dx, dy) > cfg->coreg_max_shift) {
        snprintf(res->coreg_status, sizeof res->coreg_status,
                 "refused: shift %.2f, %.2f px exceeds %.3g px", dx, dy, cfg->coreg_max_shift);
        if (cfg->coreg_warn_only)
            return TB_OK;
        return tb_error(TB_ERR_ALIGN,
                        "%s and %s: the dates are %.2f, %.2f px apart, more than "
                        "coreg.max_shift_px = %.3g: check the georeferencing",
                        res->before, res->after, dx, dy, cfg->coreg_max_shift);
    }
    if (hypot(dx, dy) < MIN_APPLIED_SHIFT) {
        snprintf(res->coreg_status, sizeof res->coreg_status, "below %.2f px: not applied",
                 MIN_APPLIED_SHIFT);
        return TB_OK;
    }
    /* Re-open the before-image with the shift folded into its one warp. */
    tb_raster *shifted = NULL;
    int warped = 0;
    tb_status st = tb_raster_on_grid(ctx->before_src, &ctx->grid, &ctx->align, dx, dy, &shifted,
                                     &warped);
    if (st)
        return st;
    tb_raster_close(ctx->before);
    ctx->before = shifted;
    res->before_warped = warped;
    res->shift_x = dx;
    res->shift_y = dy;
    snprintf(res->coreg_status, sizeof res->coreg_status, "applied");
    return TB_OK;
}

tb_status tb_scan_align(tb_scan_ctx *ctx, const char *before, const char *after)
{
    const tb_config *cfg = ctx->cfg;
    tb_scan_result *res = ctx->res;
    tb_status st = open_and_assign(ctx, before, after);
    if (st)
        return st;
    if (cfg->dem[0] && (tb_raster_has_rpc(ctx->before_src) || tb_raster_has_rpc(ctx->after_src))) {
        /* GDAL would only say the transformer failed: name the DEM ourselves. */
        FILE *f = fopen(cfg->dem, "rb");
        if (!f)
            return tb_error(TB_ERR_INPUT_MISSING, "align.dem: %s: no such file (the DEM for "
                            "orthorectifying RPC scenes)", cfg->dem);
        fclose(f);
    }
    ctx->align.crs = cfg->crs;
    ctx->align.pixel_size = cfg->target_pixel_size;
    ctx->align.resampling = cfg->resampling;
    ctx->align.dem = cfg->dem;
    ctx->align.rpc_height = cfg->rpc_height;
    st = tb_align_plan(ctx->before_src, ctx->after_src, &ctx->align, &ctx->grid);
    if (st)
        return st;
    st = tb_raster_on_grid(ctx->after_src, &ctx->grid, &ctx->align, 0, 0, &ctx->after,
                           &res->after_warped);
    if (!st)
        st = tb_raster_on_grid(ctx->before_src, &ctx->grid, &ctx->align, 0, 0, &ctx->before,
                               &res->before_warped);
    if (st)
        return st;
    res->covered_before = ctx->grid.covered_before;
    memcpy(res->grid_gt, ctx->grid.gt, sizeof res->grid_gt);
    res->grid_pixels = (uint64_t)ctx->grid.width * (uint64_t)ctx->grid.height;
    return TB_OK;
}

tb_status tb_scan_coregister(tb_scan_ctx *ctx)
{
    return coregister(ctx);
}
