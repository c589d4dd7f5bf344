/* scan_evidence.c: direction of change and what explains it (see scan_evidence.h).
 *
 * Band roles come from [input] sensor (a preset, or `auto`: the after-image's own
 * metadata, else its band count) and the [input] *_band keys, which override single
 * roles. Pass 1 measures the brightness scale on the sample; pass 2 computes every
 * pixel's evidence and flags per strip (in parallel: each pixel on its own) and adds
 * the labelled pixels to their provisional label's sums (serially, in raster order).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan_internal.h"
#include "tb_band_roles.h"

#define HIST_BINS 65536

enum { ROLE_BLUE, ROLE_GREEN, ROLE_RED, ROLE_NIR };

/* Raster bands (1-based, 0 = none) of a preset for a raster of `n` bands; returns 0
 * when `name` is no preset (auto). */
static int preset_roles(const char *name, int n, int roles[4])
{
    static const struct {
        const char *name;
        int b, g, r, nir;
    } presets[] = {
        {"rgb", 3, 2, 1, 0},        {"bgrn", 1, 2, 3, 4},        {"rgbn", 3, 2, 1, 4},
        {"landsat-tm", 1, 2, 3, 4}, {"landsat-oli", 2, 3, 4, 5}, {"none", 0, 0, 0, 0},
    };
    if (!strcmp(name, "sentinel2")) {
        /* The 10 m stack B02, B03, B04, B08, or the full product (B01, B02, ... B08, ...). */
        const int full = n > 4;
        roles[ROLE_BLUE] = full ? 2 : 1;
        roles[ROLE_GREEN] = full ? 3 : 2;
        roles[ROLE_RED] = full ? 4 : 3;
        roles[ROLE_NIR] = full ? 8 : 4;
        return 1;
    }
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        if (strcmp(name, presets[i].name))
            continue;
        roles[ROLE_BLUE] = presets[i].b;
        roles[ROLE_GREEN] = presets[i].g;
        roles[ROLE_RED] = presets[i].r;
        roles[ROLE_NIR] = presets[i].nir;
        return 1;
    }
    return 0;
}

/* Index of 1-based raster band `band` in the scan's band list, or -1. */
static int band_index(const tb_scan_result *res, int band)
{
    for (int i = 0; band > 0 && i < res->nbands; i++)
        if (res->bands[i] == band)
            return i;
    return -1;
}

tb_status tb_scan_evidence_setup(tb_scan_ctx *ctx)
{
    const tb_config *cfg = ctx->cfg;
    tb_scan_result *res = ctx->res;
    tb_scan_evidence *ev = &ctx->ev;
    const int n = tb_raster_band_count(ctx->after);
    int roles[4] = {0, 0, 0, 0};
    char source[96];
    if (preset_roles(cfg->sensor, n, roles)) {
        snprintf(source, sizeof source, "sensor %.32s", cfg->sensor);
    } else {
        tb_band_roles br;
        char how[48];
        tb_raster_band_roles(ctx->after_src, &br, how, sizeof how);
        if (how[0]) {
            roles[ROLE_BLUE] = br.blue;
            roles[ROLE_GREEN] = br.green;
            roles[ROLE_RED] = br.red;
            roles[ROLE_NIR] = br.nir;
            snprintf(source, sizeof source, "auto: %s", how);
        } else if (n == 3 || n == 4) {
            preset_roles(n == 3 ? "rgb" : "bgrn", n, roles);
            snprintf(source, sizeof source, "auto: %d bands read as %s", n,
                     n == 3 ? "R,G,B" : "B,G,R,NIR");
        } else {
            snprintf(source, sizeof source, "auto: none (%d bands, no metadata)", n);
        }
    }
    const int set[4] = {cfg->blue_band, cfg->green_band, cfg->red_band, cfg->nir_band};
    static const char *const keys[4] = {"blue_band", "green_band", "red_band", "nir_band"};
    for (int k = 0; k < 4; k++) {
        if (set[k] > n)
            return tb_error(TB_ERR_BANDS, "%s: has %d bands; [input] %s asks for band %d",
                            tb_raster_path(ctx->after), n, keys[k], set[k]);
        if (set[k] > 0) {
            roles[k] = set[k];
            size_t used = strlen(source);
            snprintf(source + used, sizeof source - used, ", %s", keys[k]);
        }
        if (roles[k] > n)
            roles[k] = 0;   /* a preset naming a band this raster lacks */
    }
    int *idx[4] = {&ev->blue, &ev->green, &ev->red, &ev->nir};
    for (int k = 0; k < 4; k++) {
        *idx[k] = band_index(res, roles[k]);
        res->role_bands[k] = *idx[k] >= 0 ? roles[k] : 0;
    }
    snprintf(res->roles_source, sizeof res->roles_source, "%s", source);
    ev->nvisible = 0;
    for (int k = ROLE_BLUE; k <= ROLE_RED; k++)
        if (*idx[k] >= 0)
            ev->visible[ev->nvisible++] = *idx[k];
    if (ev->nvisible == 0)   /* no roles: brightness over every band but NIR */
        for (int b = 0; b < res->nbands; b++)
            if (b != ev->nir)
                ev->visible[ev->nvisible++] = b;
    return TB_OK;
}

/* Brightness of pixel i: the maximum of the visible bands, before normalised to after
 * when `fits` is given. */
static inline float brightness(const tb_scan_evidence *ev, const float *const *v, size_t i,
                               const tb_band_fit *fits)
{
    float m = -INFINITY;
    for (int k = 0; k < ev->nvisible; k++) {
        const int b = ev->visible[k];
        float x = fits ? (float)(fits[b].gain * v[b][i] + fits[b].offset) : v[b][i];
        m = x > m ? x : m;
    }
    return m;
}

/* max(brightness, NIR) of pixel i: what a shadow darkens in every band. */
static inline float darkness_base(const tb_scan_evidence *ev, const float *const *v, size_t i,
                                  const tb_band_fit *fits, float bright)
{
    if (ev->nir < 0)
        return bright;
    const float n = fits ? (float)(fits[ev->nir].gain * v[ev->nir][i] + fits[ev->nir].offset)
                         : v[ev->nir][i];
    return n > bright ? n : bright;
}

/* Median of the valid values of x[0..n) by a fine histogram. */
static double median_of(const float *x, const uint8_t *valid, size_t n, uint64_t *bins)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (valid[i] && isfinite(x[i])) {
            lo = x[i] < lo ? x[i] : lo;
            hi = x[i] > hi ? x[i] : hi;
        }
    if (!(hi > lo))
        return isfinite(lo) ? lo : 0;
    memset(bins, 0, HIST_BINS * sizeof *bins);
    tb_histogram_add(x, valid, n, lo, hi, bins, HIST_BINS);
    return tb_histogram_quantile(bins, HIST_BINS, lo, hi, 0.5);
}

void tb_scan_evidence_fit(tb_scan_ctx *ctx, const float *const *before,
                          const float *const *after, const uint8_t *valid, size_t n)
{
    tb_scan_evidence *ev = &ctx->ev;
    tb_scan_result *res = ctx->res;
    float *d = calloc(2 * n + 1, sizeof *d);
    uint64_t *bins = malloc(HIST_BINS * sizeof *bins);
    ev->bright_scale = 1.0;
    ev->bright_median = 0.0;
    if (d && bins) {
        float *ba = d + n;
        for (size_t i = 0; i < n; i++) {
            ba[i] = brightness(ev, after, i, NULL);
            d[i] = ba[i] - brightness(ev, before, i, res->fits);
        }
        ev->bright_median = median_of(ba, valid, n, bins);
        for (size_t i = 0; i < n; i++)
            ba[i] = darkness_base(ev, after, i, NULL, ba[i]);
        ev->dark_median = median_of(ba, valid, n, bins);
        const double med = median_of(d, valid, n, bins);
        for (size_t i = 0; i < n; i++)
            d[i] = fabsf(d[i] - (float)med);
        const double mad = median_of(d, valid, n, bins);
        /* 1.4826 MAD: the standard deviation of a normal distribution. */
        ev->bright_scale = mad > 0 ? 1.4826 * mad : 0;
    }
    if (!(ev->bright_scale > 0)) {   /* flat data: the mean band scale */
        double s = 0;
        for (int b = 0; b < res->nbands; b++)
            s += res->fits[b].scale;
        ev->bright_scale = res->nbands ? s / res->nbands : 1.0;
    }
    res->bright_scale = ev->bright_scale;
    ev->mbi_unit = (float)((ev->mbi_steps > 0 ? ev->mbi_steps : 1) / ev->bright_scale);
    res->bright_median = ev->bright_median;
    free(d);
    free(bins);
}

int tb_scan_evidence_halo(tb_scan_ctx *ctx)
{
    const tb_config *cfg = ctx->cfg;
    tb_scan_evidence *ev = &ctx->ev;
    ev->mbi_on = cfg->mbi;
    if (!cfg->mbi)
        return 0;
    const double px = 0.5 * (ctx->res->pixel_w_m + ctx->res->pixel_h_m);
    const double unit = px > 0 ? px : 1.0;
    long lmin = lround(cfg->mbi_length_min_m / unit), step = lround(cfg->mbi_length_step_m / unit);
    long lmax = lround(cfg->mbi_length_max_m / unit);
    lmin = lmin < 1 ? 1 : lmin;
    step = step < 1 ? 1 : step;
    lmax = lmax < lmin + step ? lmin + step : lmax;
    lmax = lmax > 4096 ? 4096 : lmax;   /* a line longer than any strip is of no use */
    ev->mbi.len_min = (int)lmin;
    ev->mbi.len_step = (int)step;
    ev->mbi.len_max = (int)lmax;
    ctx->res->mbi_lengths_px[0] = ev->mbi.len_min;
    ctx->res->mbi_lengths_px[1] = ev->mbi.len_max;
    ctx->res->mbi_lengths_px[2] = ev->mbi.len_step;
    /* The MBI is the mean of 4 (N - 1) profile steps: a building of contrast C (wider
     * than the shortest line, shorter than the longest) scores about C / (N - 1). Times
     * (N - 1) / spread, its rise reads in brightness spreads, as the brightness term. */
    ev->mbi_steps = (ev->mbi.len_max - ev->mbi.len_min) / ev->mbi.len_step;
    const int halo = tb_mbi_halo(&ev->mbi);
    return halo > 0 ? halo : 0;
}

size_t tb_scan_evidence_px_bytes(const tb_scan_ctx *ctx)
{
    size_t bytes = 2 * sizeof(float) + 1;   /* the maxima of both dates, flags */
    if (ctx->ev.mbi_on) {
        /* brightness, MBI and MSI of both dates, and the kernel's scratch per pixel */
        const int rows = 256;
        bytes += 6 * sizeof(float) +
                 sizeof(float) * tb_mbi_scratch_floats(ctx->width, rows, &ctx->ev.mbi) /
                     ((size_t)ctx->width * rows) + sizeof(float);
    }
    return bytes;
}

tb_status tb_scan_evidence_begin(tb_scan_ctx *ctx, size_t strip_px)
{
    tb_scan_evidence *ev = &ctx->ev;
    ev->e = malloc(strip_px * sizeof *ev->e);
    ev->mb = malloc(strip_px * sizeof *ev->mb);
    ev->flags = malloc(strip_px);
    ev->cap = strip_px;
    if (!ev->e || !ev->mb || !ev->flags)
        return tb_error(TB_ERR_NOMEM, "out of memory for the evidence of %zu-pixel strips",
                        strip_px);
    if (ev->mbi_on) {
        const int rows = (int)(strip_px / (size_t)ctx->width);
        const size_t scratch = tb_mbi_scratch_floats(ctx->width, rows, &ev->mbi);
        ev->mbi_buf = malloc((6 * strip_px + scratch) * sizeof *ev->mbi_buf);
        if (!ev->mbi_buf)
            return tb_error(TB_ERR_NOMEM, "out of memory for the building index of %zu-pixel "
                            "strips", strip_px);
        for (int d = 0; d < 2; d++) {
            ev->bright[d] = ev->mbi_buf + (size_t)d * strip_px;
            ev->mbi_of[d] = ev->mbi_buf + (size_t)(2 + d) * strip_px;
            ev->msi_of[d] = ev->mbi_buf + (size_t)(4 + d) * strip_px;
        }
        ev->mbi_scratch = ev->mbi_buf + 6 * strip_px;
    }
    return tb_raster_writer_create_scratch(ev->flags_path, ctx->width, ctx->height, TB_U8, NULL,
                                           NULL, &ev->flags_out);
}

static inline float clip(float x)
{
    return x > TB_EVIDENCE_CLIP ? TB_EVIDENCE_CLIP : x < -TB_EVIDENCE_CLIP ? -TB_EVIDENCE_CLIP : x;
}

/* (a - b) / (a + b), 0 when the sum is not positive. */
static inline float norm_diff(float a, float b)
{
    const float s = a + b;
    return s > 0 ? (a - b) / s : 0.0f;
}

/* One date's band values of pixel i (normalised when `fits` is given). */
static inline float value(const float *const *v, int b, size_t i, const tb_band_fit *fits)
{
    return fits ? (float)(fits[b].gain * v[b][i] + fits[b].offset) : v[b][i];
}

/* Vegetation and water tests of one date. */
static inline void cover(const tb_config *cfg, const tb_scan_evidence *ev, const float *const *v,
                         size_t i, const tb_band_fit *fits, float *ndvi, int *veg, int *water)
{
    *ndvi = 0;
    *veg = *water = 0;
    const float g = ev->green >= 0 ? value(v, ev->green, i, fits) : 0;
    if (ev->nir >= 0 && ev->red >= 0) {
        const float nir = value(v, ev->nir, i, fits), r = value(v, ev->red, i, fits);
        *ndvi = norm_diff(nir, r);
        /* Blue steel roofs reflect NIR too: vegetation is greener than blue. */
        *veg = *ndvi > cfg->ndvi_min && (ev->blue < 0 || ev->green < 0 ||
                                          g >= value(v, ev->blue, i, fits));
    } else if (cfg->greenness_min > 0 && ev->red >= 0 && ev->green >= 0 && ev->blue >= 0) {
        const float r = value(v, ev->red, i, fits), b = value(v, ev->blue, i, fits);
        const float sum = r + g + b;
        *veg = sum > 0 && (2 * g - r - b) / sum > cfg->greenness_min;
    }
    if (ev->nir >= 0 && ev->green >= 0)
        *water = norm_diff(g, value(v, ev->nir, i, fits)) > cfg->ndwi_min;
}

/* Shadow flags of pixels [0, n): the maximum of the visible bands and NIR below
 * `dark` in each date. Plane by plane, so the loops vectorise. `mb`, `ma` hold n floats. */
static void dark_flags(const tb_scan_evidence *ev, const float *const *before,
                       const float *const *after, const tb_band_fit *fits, size_t n, float dark,
                       float *mb, float *ma, uint8_t *flags)
{
    int bands[TB_SCAN_MAX_BANDS + 1], nb = 0;
    for (int k = 0; k < ev->nvisible; k++)
        bands[nb++] = ev->visible[k];
    if (ev->nir >= 0)
        bands[nb++] = ev->nir;
    for (int k = 0; k < nb; k++) {
        const int b = bands[k];
        const float g = (float)fits[b].gain, o = (float)fits[b].offset;
        const float *vb = before[b], *va = after[b];
        if (k == 0) {
            for (size_t i = 0; i < n; i++) {
                mb[i] = g * vb[i] + o;
                ma[i] = va[i];
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                const float xb = g * vb[i] + o;
                mb[i] = xb > mb[i] ? xb : mb[i];
                ma[i] = va[i] > ma[i] ? va[i] : ma[i];
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        flags[i] = (uint8_t)((ma[i] < dark ? TB_EV_DARK_AFTER : 0) |
                             (mb[i] < dark ? TB_EV_DARK_BEFORE : 0));
}

/* The evidence of pixel i (flags[i] holds its shadow bits; the explanation bits are
 * added). */
static float pixel_evidence(const tb_config *cfg, const tb_scan_evidence *ev,
                            const float *const *before, const float *const *after,
                            const tb_band_fit *fits, size_t i, uint8_t *flags)
{
    const float ba = brightness(ev, after, i, NULL), bb = brightness(ev, before, i, fits);
    float ndvi_a, ndvi_b;
    int veg_a, veg_b, water_a, water_b;
    cover(cfg, ev, after, i, NULL, &ndvi_a, &veg_a, &water_a);
    cover(cfg, ev, before, i, fits, &ndvi_b, &veg_b, &water_b);
    float x = (float)cfg->brightness_weight * clip((ba - bb) / (float)ev->bright_scale);
    if (ev->mbi_on)
        x += (float)cfg->mbi_weight * clip((ev->mbi_of[1][i] - ev->mbi_of[0][i]) * ev->mbi_unit);
    if (ev->nir >= 0 && ev->red >= 0)
        x += (float)cfg->vegetation_weight * clip((ndvi_b - ndvi_a) * 10.0f);
    const int dark_a = (flags[i] & TB_EV_DARK_AFTER) != 0, dark_b = (flags[i] & TB_EV_DARK_BEFORE) != 0;
    /* Water is dark in every band too: it goes first. */
    if (cfg->water && (water_a || (x < 0 && water_b))) {
        flags[i] |= TB_EV_WATER;
        return 0;
    }
    if (dark_a != dark_b && ev->nir >= 0) {
        /* A shadow that comes or goes explains the change by itself (shadowed grass
         * keeps its NDVI). Without NIR, dark vegetation passes for shadow: no such rule. */
        return (float)cfg->shadow_weight * (dark_a ? TB_EVIDENCE_CLIP : -TB_EVIDENCE_CLIP);
    }
    if (cfg->vegetation && (veg_a || (x < 0 && veg_b))) {
        flags[i] |= TB_EV_VEGETATION;
        return 0;
    }
    return x;
}

/* MBI and MSI of both dates over the strip; an MSI above evidence.msi_min brightness
 * spreads marks shadow. No-data pixels take the strip's valid mean brightness (the
 * index needs finite values everywhere). */
static void building_index(tb_scan_ctx *ctx, const float *const *before,
                           const float *const *after, const uint8_t *valid, int width, int rows)
{
    tb_scan_evidence *ev = &ctx->ev;
    const tb_band_fit *fits = ctx->res->fits;
    const long long n = (long long)width * rows;
    for (int d = 0; d < 2; d++) {
        float *b = ev->bright[d];
        double sum = 0;
        long long cnt = 0;
#pragma omp parallel for schedule(static) reduction(+ : sum, cnt)
        for (long long i = 0; i < n; i++) {
            b[i] = d ? brightness(ev, after, (size_t)i, NULL) : brightness(ev, before, (size_t)i, fits);
            if (valid[i] && isfinite(b[i])) {
                sum += b[i];
                cnt++;
            }
        }
        const float fill = cnt ? (float)(sum / (double)cnt) : 0.0f;
        for (long long i = 0; i < n; i++)
            if (!valid[i] || !isfinite(b[i]))
                b[i] = fill;
        if (tb_building_index(b, width, rows, &ev->mbi, ev->mbi_of[d], ev->msi_of[d],
                              ev->mbi_scratch) != 0) {   /* lengths are checked: cannot happen */
            memset(ev->mbi_of[d], 0, (size_t)n * sizeof(float));
            memset(ev->msi_of[d], 0, (size_t)n * sizeof(float));
        }
    }
    const tb_config *cfg = ctx->cfg;
    if (cfg->msi_min > 0) {
        const float t = (float)(cfg->msi_min * ev->bright_scale);
        for (long long i = 0; i < n; i++) {
            if (!valid[i])
                continue;
            if (ev->msi_of[1][i] > t)
                ev->flags[i] |= TB_EV_DARK_AFTER;
            if (ev->msi_of[0][i] > t)
                ev->flags[i] |= TB_EV_DARK_BEFORE;
        }
    }
}

void tb_scan_evidence_strip(tb_scan_ctx *ctx, const float *const *before,
                            const float *const *after, const uint8_t *valid, int width,
                            int rows, float *score)
{
    const tb_config *cfg = ctx->cfg;
    tb_scan_evidence *ev = &ctx->ev;
    const tb_band_fit *fits = ctx->res->fits;
    const size_t n = (size_t)width * rows;
    const float dark = (float)(cfg->shadow_ratio * ev->dark_median);
    ev->before = before;
    ev->after = after;
    /* Rows in parallel chunks; each chunk's planes are independent. */
    const long long nchunks = (long long)rows;
#pragma omp parallel for schedule(static)
    for (long long r = 0; r < nchunks; r++) {
        const size_t o = (size_t)r * width;
        const float *bp[TB_SCAN_MAX_BANDS], *ap[TB_SCAN_MAX_BANDS];
        for (int b = 0; b < ctx->nbands; b++) {
            bp[b] = before[b] + o;
            ap[b] = after[b] + o;
        }
        dark_flags(ev, bp, ap, fits, (size_t)width, dark, ev->mb + o, ev->e + o, ev->flags + o);
        for (size_t i = o; i < o + (size_t)width; i++)
            if (!valid[i])
                ev->flags[i] = 0;
    }
    if (ev->mbi_on)
        building_index(ctx, before, after, valid, width, rows);
    if (!cfg->mask_explained)
        return;
    /* Explained pixels leave the mask before it is cut: only candidates matter. */
    const float low = (float)(ctx->res->threshold * cfg->hysteresis_low);
#pragma omp parallel for schedule(static)
    for (long long ii = 0; ii < (long long)n; ii++) {
        const size_t i = (size_t)ii;
        if (!valid[i] || !(score[i] > low))
            continue;
        pixel_evidence(cfg, ev, before, after, fits, i, ev->flags);
        if (ev->flags[i] & (TB_EV_VEGETATION | TB_EV_WATER))
            score[i] = 0;
    }
}

/* Sums for labels 0..count, the ones issued since the last call zeroed. Capacity
 * doubles, but only entries in use are written: the rest stays untouched address
 * space, not resident memory (one record per provisional label adds up on big
 * scenes). */
static tb_status grow_sums(tb_scan_evidence *ev, uint32_t count)
{
    if (count + 1 > ev->capsums) {
        uint32_t cap = ev->capsums ? ev->capsums : 1024;
        while (cap < count + 1)
            cap *= 2;
        tb_evidence_sums *s = realloc(ev->sums, (size_t)cap * sizeof *s);
        if (!s)
            return tb_error(TB_ERR_NOMEM, "out of memory for the evidence of %u components",
                            count);
        if (!ev->capsums)
            memset(s, 0, sizeof *s);   /* index 0, unused */
        ev->sums = s;
        ev->capsums = cap;
    }
    if (count > ev->nsums)
        memset(ev->sums + ev->nsums + 1, 0, (size_t)(count - ev->nsums) * sizeof *ev->sums);
    ev->nsums = count;
    return TB_OK;
}

tb_status tb_scan_evidence_labels(tb_scan_ctx *ctx, const uint32_t *labels, size_t off, int y0,
                                  int rows)
{
    const tb_config *cfg = ctx->cfg;
    tb_scan_evidence *ev = &ctx->ev;
    const tb_band_fit *fits = ctx->res->fits;
    const size_t px = (size_t)ctx->width * rows;
    uint8_t *flags = ev->flags + off;
    /* Evidence of the labelled pixels only (a few per cent of a scene), in raster order. */
    for (size_t i = 0; i < px; i++) {
        const uint32_t l = labels[i];
        if (l == 0 || l == UINT32_MAX)
            continue;
        const float e = pixel_evidence(cfg, ev, ev->before, ev->after, fits, off + i, ev->flags);
        tb_evidence_sums *s = tb_ccl_payload(ctx->ccl, l);   /* merged when complete */
        const int64_t q = (int64_t)lrintf(e * TB_EVIDENCE_ONE);
        s->dir += q;
        s->abs_dir += q < 0 ? -q : q;
        s->vegetation += (flags[i] & TB_EV_VEGETATION) != 0;
        s->water += (flags[i] & TB_EV_WATER) != 0;
        s->dark_after += (flags[i] & TB_EV_DARK_AFTER) != 0;
        s->dark_before += (flags[i] & TB_EV_DARK_BEFORE) != 0;
        if (ev->mbi_on)
            s->mbi_rise += (int64_t)lrintf((ev->mbi_of[1][off + i] - ev->mbi_of[0][off + i]) *
                                           ev->mbi_unit * TB_EVIDENCE_ONE);
    }
    return tb_raster_writer_write(ev->flags_out, y0, rows, flags);
}

void tb_scan_evidence_merge(void *into, const void *from)
{
    tb_evidence_sums *dst = into;
    const tb_evidence_sums *src = from;
    dst->dir += src->dir;
    dst->abs_dir += src->abs_dir;
    dst->mbi_rise += src->mbi_rise;
    dst->vegetation += src->vegetation;
    dst->water += src->water;
    dst->dark_after += src->dark_after;
    dst->dark_before += src->dark_before;
}

tb_status tb_scan_evidence_resolve(tb_scan_ctx *ctx)
{
    tb_scan_evidence *ev = &ctx->ev;
    if (!ev->sums)
        return TB_OK;   /* change vector: the labeller's payload, merged already */
    const uint32_t n = tb_ccl_label_count(ctx->ccl);
    tb_status st = grow_sums(ev, n);   /* labels of rows never reported: none, but be safe */
    if (st)
        return st;
    for (uint32_t l = 1; l <= n; l++) {
        const uint32_t r = tb_ccl_root(ctx->ccl, l);
        if (r == l)
            continue;
        tb_scan_evidence_merge(&ev->sums[r], &ev->sums[l]);
        memset(&ev->sums[l], 0, sizeof ev->sums[l]);
    }
    ev->nsums = n;
    return TB_OK;
}

const tb_evidence_sums *tb_scan_evidence_of(const tb_scan_ctx *ctx, uint32_t root)
{
    return ctx->ev.sums ? &ctx->ev.sums[root] : tb_ccl_payload(ctx->ccl, root);
}

void tb_scan_evidence_free(tb_scan_ctx *ctx)
{
    tb_scan_evidence *ev = &ctx->ev;
    free(ev->e);
    free(ev->mb);
    free(ev->mbi_buf);
    ev->mbi_buf = NULL;
    free(ev->flags);
    free(ev->sums);
    tb_raster_writer_close(ev->flags_out);
    ev->e = ev->mb = NULL;
    ev->flags = NULL;
    ev->sums = NULL;
    ev->flags_out = NULL;
}
