/* scan_vhr_stats.c: pass V1 of the vhr_rgb recipe: the scene statistics.
 *
 * Strips with the halo of the smoothing and the greyness box; the central rows' valid
 * pixels go into histograms of greyness (65536 bins over [0, 1]) and brightness per
 * date. Median and MAD come from the histograms (the MAD from the greyness histogram
 * folded about the median), so they are independent of the strip height and threads.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scan_internal.h"

#define BINS 65536

/* Median absolute deviation about `med` of the values in `bins` over [lo, hi]: each
 * bin's count goes to |centre - med| (accurate to a bin width). */
static double mad_of(const uint64_t *bins, double lo, double hi, double med, uint64_t *dev)
{
    const double wbin = (hi - lo) / BINS;
    memset(dev, 0, BINS * sizeof *dev);
    for (int k = 0; k < BINS; k++) {
        if (!bins[k])
            continue;
        const double d = fabs(lo + (k + 0.5) * wbin - med);
        int j = (int)(d / wbin);
        dev[j < BINS ? j : BINS - 1] += bins[k];
    }
    return tb_histogram_quantile(dev, BINS, 0.0, hi - lo, 0.5);
}

tb_status tb_scan_vhr_stats(tb_scan_ctx *ctx)
{
    const tb_config *cfg = ctx->cfg;
    tb_scan_vhr *v = ctx->vhr;
    const int w = ctx->width, h = ctx->height, strip = ctx->strip_rows;
    const int halo = v->gauss_r + v->box / 2 + 1;
    tb_vhr_strip s;
    uint64_t *hist = calloc(5 * (size_t)BINS, sizeof *hist);
    tb_status st = tb_vhr_strip_alloc(&s, (size_t)w * (strip + 2 * halo));
    if (!st && !hist)
        st = tb_error(TB_ERR_NOMEM, "out of memory for the vhr_rgb histograms");
    uint64_t *grey_h[2] = {hist, hist + BINS}, *bright_h[2] = {hist + 2 * BINS, hist + 3 * BINS};
    for (int y0 = 0; y0 < h && !st; y0 += strip) {
        const int rows = h - y0 < strip ? h - y0 : strip;
        const int e0 = y0 - halo < 0 ? 0 : y0 - halo;
        const int e1 = y0 + rows + halo > h ? h : y0 + rows + halo;
        st = tb_vhr_strip_compute(ctx, &s, e0, e1 - e0, NULL);
        if (st)
            break;
        const size_t off = (size_t)(y0 - e0) * w, n = (size_t)rows * w;
        for (int d = 0; d < 2; d++) {
            tb_histogram_add(s.grey[d] + off, s.valid + off, n, 0.0, 1.0, grey_h[d], BINS);
            tb_histogram_add(s.bright[d] + off, s.valid + off, n, 0.0, v->bright_hi,
                             bright_h[d], BINS);
        }
    }
    if (!st) {
        for (int d = 0; d < 2; d++) {
            const double med = tb_histogram_quantile(grey_h[d], BINS, 0.0, 1.0, 0.5);
            const double mad = mad_of(grey_h[d], 0.0, 1.0, med, hist + 4 * BINS);
            v->grey_median[d] = med;
            v->grey_mad[d] = mad;
            v->grey_t[d] = med + cfg->vhr_grey_k * 1.4826 * mad;
            v->roof_t[d] = med + cfg->vhr_sun_roof_k * 1.4826 * mad;
            v->shadow_t[d] = cfg->vhr_shadow_factor *
                             tb_histogram_quantile(bright_h[d], BINS, 0.0, v->bright_hi, 0.5);
        }
    }
    tb_vhr_strip_free(&s);
    free(hist);
    return st;
}
