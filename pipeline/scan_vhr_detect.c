/* scan_vhr_detect.c: passes V2 .. V4 of the vhr_rgb recipe (see scan_vhr.h).
 *
 * Per-object sums are fixed-point integers and the sun counts integers, so nothing
 * depends on the order of strips, merges or threads.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan_internal.h"

enum { SH_BEFORE = 1, SH_AFTER = 2, ROOF_BEFORE = 4, ROOF_AFTER = 8 };

static int64_t fix(double x)
{
    return (int64_t)llround(x * TB_VHR_FIX);
}

/* A logistic step with slope 1 at 0, the smooth twin of clip(0.5 + x, 0, 1). */
static double soft(double x)
{
    return 1.0 / (1.0 + exp(-4.0 * x));
}

/* Grows an array of `elem`-byte entries to hold index `need`, zeroing new entries. */
static int grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need < *cap)
        return 0;
    uint32_t c = *cap ? *cap : 1024;
    while (c <= need)
        c *= 2;
    char *q = realloc(*p, (size_t)c * elem);
    if (!q)
        return -1;
    memset(q + (size_t)*cap * elem, 0, (size_t)(c - *cap) * elem);
    *p = q;
    *cap = c;
    return 0;
}

/* The prototype's road rule on run lengths in metres (a diagonal step is sqrt 2 px). */
static inline int is_road(const uint16_t *const runs[4], size_t i, double px, double len,
                          double wid)
{
    const double s2 = sqrt(2.0);
    const double r0 = runs[0][i] * px, r1 = runs[1][i] * px;
    const double r2 = runs[2][i] * s2 * px, r3 = runs[3][i] * s2 * px;
    return (r0 >= len && r1 <= wid) || (r1 >= len && r0 <= wid) || (r2 >= len && r3 <= wid) ||
           (r3 >= len && r2 <= wid);
}

/* Image offset of step k along direction theta (degrees, image x towards y), rounded
 * half to even as numpy does. */
static void offset(double theta, double k, int *dy, int *dx)
{
    const double a = theta * M_PI / 180.0;
    *dy = (int)nearbyint(k * sin(a));
    *dx = (int)nearbyint(k * cos(a));
}

typedef struct v2_buffers {
    tb_vhr_strip s;
    uint8_t *cand[2], *bits, *morph, *flags;
    uint16_t *runs[4], *run_scratch;
    float *ncc;
    double *ncc_scratch;
    uint32_t *labels;
    void *mem[7];
} v2_buffers;

static void v2_free(v2_buffers *b)
{
    tb_vhr_strip_free(&b->s);
    for (int k = 0; k < 7; k++)
        free(b->mem[k]);
}

static tb_status v2_alloc(v2_buffers *b, int w, int ext, int strip, int ncc_rows)
{
    memset(b, 0, sizeof *b);
    const size_t n = (size_t)w * ext;
    tb_status st = tb_vhr_strip_alloc(&b->s, n);
    if (st)
        return st;
    uint8_t *bytes = b->mem[0] = malloc(5 * n);
    uint16_t *runs = b->mem[1] = malloc(5 * n * sizeof *runs);
    b->ncc = b->mem[2] = malloc((size_t)w * ncc_rows * sizeof *b->ncc);
    b->ncc_scratch = b->mem[3] = malloc(5 * (size_t)w * ncc_rows * sizeof *b->ncc_scratch);
    b->labels = b->mem[4] = malloc((size_t)w * strip * sizeof *b->labels);
    b->flags = b->mem[5] = malloc((size_t)w * strip);
    if (!bytes || !runs || !b->ncc || !b->ncc_scratch || !b->labels || !b->flags)
        return tb_error(TB_ERR_NOMEM, "out of memory for vhr_rgb strips of %d x %d pixels", w, ext);
    b->cand[0] = bytes;
    b->cand[1] = bytes + n;
    b->bits = bytes + 2 * n;
    b->morph = bytes + 3 * n;
    for (int d = 0; d < 4; d++)
        b->runs[d] = runs + (size_t)d * n;
    b->run_scratch = runs + 4 * n;
    return TB_OK;
}

/* Candidates of one branch, opened, roads removed, opened again. */
static void clean(const tb_config *cfg, const tb_scan_vhr *v, v2_buffers *b, uint8_t *m, int w,
                  int rows)
{
    const size_t n = (size_t)w * rows;
    tb_disk_open(m, w, rows, v->open_r, b->morph);
    if (!v->run_cap)
        return;
    tb_line_runs(m, w, rows, v->run_cap, b->runs, b->run_scratch);
    const uint16_t *const runs[4] = {b->runs[0], b->runs[1], b->runs[2], b->runs[3]};
#pragma omp parallel for schedule(static)
    for (long long ii = 0; ii < (long long)n; ii++) {
        const size_t i = (size_t)ii;
        if (m[i] && is_road(runs, i, v->px, cfg->vhr_road_length_m, cfg->vhr_road_width_m))
            m[i] = 0;
    }
    tb_disk_open(m, w, rows, v->open_r, b->morph);
}

/* V2: one strip. */
static tb_status v2_strip(tb_scan_ctx *ctx, v2_buffers *b, int y0, int rows, int e0, int erows)
{
    const tb_config *cfg = ctx->cfg;
    tb_scan_vhr *v = ctx->vhr;
    const int w = ctx->width, h = ctx->height;
    const size_t n = (size_t)w * erows;
    tb_vhr_strip *s = &b->s;
    tb_status st = tb_vhr_strip_compute(ctx, s, e0, erows, &ctx->res->t_detect_input);
    if (st)
        return st;
#pragma omp parallel for schedule(static)
    for (long long ii = 0; ii < (long long)n; ii++) {
        const size_t i = (size_t)ii;
        uint8_t bits = 0;
        for (int d = 0; d < 2; d++) {
            const int ok = s->valid[i];
            const int sh = ok && s->bright[d][i] < v->shadow_t[d];
            b->cand[d][i] = (uint8_t)(ok && s->grey[d][i] > v->grey_t[d]);
            bits |= (uint8_t)((sh ? SH_BEFORE << d : 0) |
                              (ok && !sh && s->grey[d][i] > v->roof_t[d] ? ROOF_BEFORE << d : 0));
        }
        b->bits[i] = bits;
    }
    for (int d = 0; d < 2; d++)
        clean(cfg, v, b, b->cand[d], w, erows);

    const int c0 = y0 - e0;
    const size_t off = (size_t)c0 * w, cpx = (size_t)w * rows;
    /* Shadow flags of the central rows, for V3 and the shape pass. */
    for (size_t i = 0; i < cpx; i++) {
        const uint8_t bits = b->bits[off + i];
        b->flags[i] = (uint8_t)(((bits & SH_AFTER) ? TB_EV_DARK_AFTER : 0) |
                                ((bits & SH_BEFORE) ? TB_EV_DARK_BEFORE : 0));
    }
    st = tb_raster_writer_write(ctx->ev.flags_out, y0, rows, b->flags);
    if (st)
        return st;
    /* Sun estimate: shadow pixels with a roof sun_px away in each direction. */
    for (int t = 0; t < TB_VHR_DIRECTIONS; t++) {
        int dy, dx;
        offset(15.0 * t, v->sun_px, &dy, &dx);
        uint64_t cnt[2] = {0, 0};
        for (int y = c0; y < c0 + rows; y++) {
            const int yy = y + dy;
            if (yy < 0 || yy >= erows || e0 + yy >= h)
                continue;
            const uint8_t *row = b->bits + (size_t)y * w, *to = b->bits + (size_t)yy * w;
            const int xa = dx < 0 ? -dx : 0, xb = dx > 0 ? w - dx : w;
            for (int x = xa; x < xb; x++) {
                cnt[0] += (row[x] & SH_BEFORE) && (to[x + dx] & ROOF_BEFORE);
                cnt[1] += (row[x] & SH_AFTER) && (to[x + dx] & ROOF_AFTER);
            }
        }
        v->sun_count[0][t] += cnt[0];
        v->sun_count[1][t] += cnt[1];
    }
    /* Local NCC over the central rows (with a margin of the box: mirrored only at the
     * image's own edges). */
    const int m0 = c0 - v->ncc_box < 0 ? 0 : c0 - v->ncc_box;
    const int m1 = c0 + rows + v->ncc_box > erows ? erows : c0 + rows + v->ncc_box;
    tb_local_ncc(s->bright[0] + (size_t)m0 * w, s->bright[1] + (size_t)m0 * w, b->ncc, w,
                 m1 - m0, v->ncc_box, b->ncc_scratch);
    const float *ncc = b->ncc + (size_t)(c0 - m0) * w;
    /* Both branches: labels, sums, spill. */
    for (int k = 0; k < 2 && !st; k++) {
        tb_vhr_branch *br = &v->branch[k];
        if (tb_ccl_push(br->ccl, b->cand[k] + off, NULL, rows, b->labels) != 0 ||
            grow((void **)&br->sums, &br->cap, tb_ccl_label_count(br->ccl), sizeof *br->sums))
            return tb_error(TB_ERR_NOMEM, "out of memory labelling vhr_rgb objects (row %d)", y0);
        const float *own = s->grey[k] + off, *other = s->grey[1 - k] + off;
        const uint8_t *valid = s->valid + off;
        for (size_t i = 0; i < cpx; i++) {
            const uint32_t l = b->labels[i];
            if (!valid[i]) {
                b->labels[i] = UINT32_MAX;
                continue;
            }
            if (!l)
                continue;
            br->sums[l].ncc += fix(ncc[i]);
            br->sums[l].rise += fix((double)own[i] - (double)other[i]);
        }
        st = tb_raster_writer_write(br->labels, y0, rows, b->labels);
    }
    for (size_t i = 0; i < cpx; i++)
        ctx->res->valid_pixels += s->valid[off + i];
    return st;
}

/* The estimated direction from a shadow to its caster: the first of the most frequent;
 * -1 when no shadow has a roof in any direction (as the prototype). */
static double estimate_theta(const uint64_t *count)
{
    double best = -1;
    uint64_t top = 0;
    for (int t = 0; t < TB_VHR_DIRECTIONS; t++)
        if (count[t] > top) {
            top = count[t];
            best = 15.0 * t;
        }
    return best;
}

/* Reads the roots of branch labels: rows e0 .. e0 + erows into lab (0 = none). */
static tb_status read_roots(tb_vhr_branch *br, int e0, int erows, int w, uint32_t *lab,
                            uint8_t *valid)
{
    tb_status st = tb_raster_writer_read(br->labels, e0, erows, lab);
    if (st)
        return st;
    uint32_t last = 0, last_root = 0;
    for (size_t i = 0; i < (size_t)w * erows; i++) {
        const uint32_t l = lab[i];
        if (valid)
            valid[i] = l != UINT32_MAX;
        if (l == 0 || l == UINT32_MAX) {
            lab[i] = 0;
            continue;
        }
        if (l != last) {
            last = l;
            last_root = tb_ccl_root(br->ccl, l);
        }
        lab[i] = last_root;
    }
    return TB_OK;
}

/* V3: every object's band towards its shadow, for branch k. */
static tb_status v3_band(tb_scan_ctx *ctx, int k, uint32_t *lab, uint8_t *fl)
{
    tb_scan_vhr *v = ctx->vhr;
    tb_vhr_branch *br = &v->branch[k];
    const int w = ctx->width, h = ctx->height, strip = ctx->strip_rows, D = v->band_px;
    const uint8_t dark = k ? TB_EV_DARK_AFTER : TB_EV_DARK_BEFORE;
    int oy[257], ox[257];
    for (int d = 1; d <= D; d++)
        offset(br->theta_deg, -(double)d, &oy[d], &ox[d]);
    tb_status st = TB_OK;
    for (int y0 = 0; y0 < h && !st; y0 += strip) {
        const int rows = h - y0 < strip ? h - y0 : strip;
        const int e0 = y0 - D < 0 ? 0 : y0 - D;
        const int e1 = y0 + rows + D > h ? h : y0 + rows + D;
        const int erows = e1 - e0, c0 = y0 - e0;
        st = read_roots(br, e0, erows, w, lab, NULL);
        if (!st)
            st = tb_raster_writer_read(ctx->ev.flags_out, e0, erows, fl);
        for (int y = c0; y < c0 + rows && !st; y++)
            for (int x = 0; x < w; x++) {
                const size_t q = (size_t)y * w + x;
                const uint32_t here = lab[q];
                for (int d = 1; d <= D; d++) {
                    /* the object moved by (oy, ox) covers q when its pixel q - (oy, ox) is in it */
                    const int sy = y - oy[d], sx = x - ox[d];
                    if (sy < 0 || sy >= erows || sx < 0 || sx >= w)
                        continue;
                    const uint32_t c = lab[(size_t)sy * w + sx];
                    if (!c || c == here)
                        continue;
                    br->sums[c].band++;
                    br->sums[c].band_shadow += (fl[q] & dark) != 0;
                }
            }
    }
    return st;
}

/* Merges provisional sums into roots and decides every object of branch k. */
static tb_status decide(tb_scan_ctx *ctx, int k)
{
    tb_scan_vhr *v = ctx->vhr;
    tb_vhr_branch *br = &v->branch[k];
    const uint32_t n = tb_ccl_label_count(br->ccl);
    if (grow((void **)&br->sums, &br->cap, n, sizeof *br->sums))
        return tb_error(TB_ERR_NOMEM, "out of memory for %u vhr_rgb objects", n);
    for (uint32_t l = 1; l <= n; l++) {
        const uint32_t r = tb_ccl_root(br->ccl, l);
        if (r == l)
            continue;
        br->sums[r].ncc += br->sums[l].ncc;
        br->sums[r].rise += br->sums[l].rise;
        memset(&br->sums[l], 0, sizeof br->sums[l]);
    }
    br->keep = calloc((size_t)n + 1, 1);
    br->conf = calloc((size_t)n + 1, sizeof(float));
    br->adjacency = calloc((size_t)n + 1, sizeof(float));
    br->rise = calloc((size_t)n + 1, sizeof(float));
    br->ncc = calloc((size_t)n + 1, sizeof(float));
    if (!br->keep || !br->conf || !br->adjacency || !br->rise || !br->ncc)
        return tb_error(TB_ERR_NOMEM, "out of memory for %u vhr_rgb objects", n);
    return TB_OK;
}

static tb_status finish_decide(tb_scan_ctx *ctx, int k)
{
    const tb_config *cfg = ctx->cfg;
    tb_scan_vhr *v = ctx->vhr;
    tb_vhr_branch *br = &v->branch[k];
    const uint32_t n = tb_ccl_label_count(br->ccl);
    const double px2 = v->px * v->px;
    for (uint32_t l = 1; l <= n; l++) {
        if (tb_ccl_root(br->ccl, l) != l)
            continue;
        br->objects++;
        const tb_component *c = tb_ccl_component(br->ccl, l);
        const tb_vhr_sums *s = &br->sums[l];
        const double np = (double)c->pixels;
        const double adj = (double)s->band_shadow / (double)(s->band ? s->band : 1);
        const double ncc = (double)s->ncc / TB_VHR_FIX / np;
        const double rise = (double)s->rise / TB_VHR_FIX / np;
        br->adjacency[l] = (float)adj;
        br->ncc[l] = (float)ncc;
        br->rise[l] = (float)rise;
        /* The prototype's confidence (it ranks candidates better than any single cue),
         * its clipped ramps made logistic with the same centre and slope, so that
         * strong objects still rank among themselves instead of tying at 1. */
        const double sa = soft((adj - 0.1) / 0.2), sn = soft((0.3 - ncc) / 0.4);
        const double sr = soft(rise / 0.1);
        br->conf[l] = (float)cbrt(sa * sn * sr);
        const int keep = np * px2 >= cfg->vhr_min_area_m2 &&
                         (cfg->vhr_min_adjacency <= 0 || adj >= cfg->vhr_min_adjacency) &&
                         (cfg->vhr_max_ncc > 1 || ncc < cfg->vhr_max_ncc) &&
                         (cfg->vhr_min_rise <= -2 || rise >= cfg->vhr_min_rise);
        br->keep[l] = (uint8_t)keep;
        br->kept += (uint32_t)keep;
    }
    return TB_OK;
}

/* V4: the union of kept objects, closed, into the scan's labeller. */
static tb_status v4_assemble(tb_scan_ctx *ctx)
{
    tb_scan_vhr *v = ctx->vhr;
    tb_scan_evidence *ev = &ctx->ev;
    tb_scan_result *res = ctx->res;
    const int w = ctx->width, h = ctx->height, strip = ctx->strip_rows;
    const int halo = 2 * v->close_r + 1;
    const size_t ext = (size_t)w * (strip + 2 * halo);
    uint32_t *lab[2] = {malloc(ext * sizeof(uint32_t)), malloc(ext * sizeof(uint32_t))};
    uint32_t *ids = malloc(ext * sizeof *ids);
    uint8_t *valid = malloc(ext), *mask = malloc(ext), *scratch = malloc(2 * ext);
    float *score = malloc((size_t)w * strip * sizeof *score);
    uint32_t *out = malloc((size_t)w * strip * sizeof *out);
    tb_status st = TB_OK;
    ctx->ccl = tb_ccl_create(w);
    if (!lab[0] || !lab[1] || !ids || !valid || !mask || !scratch || !score || !out || !ctx->ccl)
        st = tb_error(TB_ERR_NOMEM, "out of memory assembling vhr_rgb objects");
    for (int y0 = 0; y0 < h && !st; y0 += strip) {
        const int rows = h - y0 < strip ? h - y0 : strip;
        const int e0 = y0 - halo < 0 ? 0 : y0 - halo;
        const int e1 = y0 + rows + halo > h ? h : y0 + rows + halo;
        const int erows = e1 - e0;
        const size_t n = (size_t)w * erows, off = (size_t)(y0 - e0) * w, cpx = (size_t)w * rows;
        st = read_roots(&v->branch[0], e0, erows, w, lab[0], valid);
        if (!st)
            st = read_roots(&v->branch[1], e0, erows, w, lab[1], NULL);
        if (st)
            break;
        for (size_t i = 0; i < n; i++) {
            const int kn = v->branch[1].keep[lab[1][i]], kr = v->branch[0].keep[lab[0][i]];
            mask[i] = (uint8_t)(kn | kr);
            ids[i] = kn ? 2 * lab[1][i] + 1 : kr ? 2 * lab[0][i] : 0;
        }
        tb_disk_close(mask, w, erows, v->close_r, scratch);
        /* the closing fills gaps inside an object, never between two */
        tb_keep_apart(mask, ids, w, erows, v->close_r);
        uint64_t nchange = 0;
        for (size_t i = 0; i < cpx; i++) {
            const size_t j = off + i;
            mask[j] &= valid[j];
            nchange += mask[j];
            const int kn = v->branch[1].keep[lab[1][j]], kr = v->branch[0].keep[lab[0][j]];
            score[i] = kn ? v->branch[1].conf[lab[1][j]] : kr ? v->branch[0].conf[lab[0][j]] : 0.0f;
        }
        res->change_pixels += nchange;
        if (tb_ccl_push(ctx->ccl, mask + off, score, rows, out) != 0) {
            st = tb_error(TB_ERR_NOMEM, "out of memory labelling components (row %d)", y0);
            break;
        }
        const uint32_t count = tb_ccl_label_count(ctx->ccl);
        if (grow((void **)&ev->sums, &ev->capsums, count, sizeof *ev->sums) ||
            grow((void **)&v->cues, &v->capcues, count, sizeof *v->cues)) {
            st = tb_error(TB_ERR_NOMEM, "out of memory for the evidence of %u components", count);
            break;
        }
        ev->nsums = count;
        for (size_t i = 0; i < cpx; i++) {
            const size_t j = off + i;
            const uint32_t l = out[i];
            if (!valid[j]) {
                out[i] = UINT32_MAX;
                continue;
            }
            if (!l)
                continue;
            const uint32_t rn = lab[1][j], rr = lab[0][j];
            const int kn = v->branch[1].keep[rn], kr = v->branch[0].keep[rr];
            ev->sums[l].dir += (kn ? TB_EVIDENCE_ONE : 0) - (kr ? TB_EVIDENCE_ONE : 0);
            ev->sums[l].abs_dir += (kn || kr) ? TB_EVIDENCE_ONE : 0;
            if (!kn && !kr)
                continue;
            const tb_vhr_branch *br = kn ? &v->branch[1] : &v->branch[0];
            const uint32_t r = kn ? rn : rr;
            tb_vhr_cues *c = &v->cues[l];
            c->pixels++;
            c->conf += fix(br->conf[r]);
            c->adjacency += fix(br->adjacency[r]);
            c->rise += fix(br->rise[r]);
            c->ncc += fix(br->ncc[r]);
        }
        st = tb_raster_writer_write(ctx->provisional, y0, rows, out);
    }
    if (!st) {
        const uint32_t n = tb_ccl_label_count(ctx->ccl);
        if (tb_ccl_finish(ctx->ccl) != 0 || grow((void **)&v->cues, &v->capcues, n, sizeof *v->cues))
            st = tb_error(TB_ERR_NOMEM, "out of memory for %u components", n);
        for (uint32_t l = 1; l <= n && !st; l++) {
            const uint32_t r = tb_ccl_root(ctx->ccl, l);
            if (r == l)
                continue;
            tb_vhr_cues *d = &v->cues[r], *s = &v->cues[l];
            d->pixels += s->pixels;
            d->conf += s->conf;
            d->adjacency += s->adjacency;
            d->rise += s->rise;
            d->ncc += s->ncc;
            memset(s, 0, sizeof *s);
        }
    }
    free(lab[0]);
    free(lab[1]);
    free(ids);
    free(valid);
    free(mask);
    free(scratch);
    free(score);
    free(out);
    return st;
}

tb_status tb_scan_vhr_detect(tb_scan_ctx *ctx)
{
    const tb_config *cfg = ctx->cfg;
    tb_scan_vhr *v = ctx->vhr;
    tb_scan_result *res = ctx->res;
    const int w = ctx->width, h = ctx->height, strip = ctx->strip_rows, halo = v->halo;
    tb_status st = tb_scan_vhr_stats(ctx);
    if (st)
        return st;
    /* Scratch rasters next to the provisional labels: ".../.tuban-PID-vhr-{removed,new}.tif". */
    const char *base = ctx->provisional_path;
    const size_t stem = strlen(base) - strlen("provisional.tif");
    for (int k = 0; k < 2 && !st; k++) {
        tb_vhr_branch *br = &v->branch[k];
        snprintf(br->path, sizeof br->path, "%.*svhr-%s.tif", (int)stem, base,
                 k ? "new" : "removed");
        br->ccl = tb_ccl_create(w);
        if (!br->ccl)
            return tb_error(TB_ERR_NOMEM, "out of memory for the component labeller");
        st = tb_raster_writer_create_scratch(br->path, w, h, TB_U32, NULL, NULL,
                                             (tb_raster_writer **)&br->labels);
    }
    if (!st)
        st = tb_raster_writer_create_scratch(ctx->ev.flags_path, w, h, TB_U8, NULL, NULL,
                                             &ctx->ev.flags_out);
    if (st)
        return st;

    /* V2 */
    v2_buffers b;
    st = v2_alloc(&b, w, strip + 2 * halo, strip, strip + 2 * v->ncc_box);
    for (int y0 = 0; y0 < h && !st; y0 += strip) {
        const int rows = h - y0 < strip ? h - y0 : strip;
        const int e0 = y0 - halo < 0 ? 0 : y0 - halo;
        const int e1 = y0 + rows + halo > h ? h : y0 + rows + halo;
        st = v2_strip(ctx, &b, y0, rows, e0, e1 - e0);
    }
    v2_free(&b);
    if (st)
        return st;
    for (int k = 0; k < 2; k++)
        if (tb_ccl_finish(v->branch[k].ccl) != 0)
            return tb_error(TB_ERR_NOMEM, "out of memory for the vhr_rgb objects");

    /* Sun per date: the configuration, else the date's metadata, else estimated. An
     * azimuth (clockwise from north) points from a shadow to its caster; image x is
     * east and y south, so the direction is azimuth - 90 degrees from x towards y. */
    for (int k = 0; k < 2; k++) {
        const double meta = tb_raster_sun_azimuth(k ? ctx->after_src : ctx->before_src);
        const char *src = "estimated";
        if (cfg->vhr_sun_azimuth_deg >= 0) {
            v->branch[k].theta_deg = cfg->vhr_sun_azimuth_deg - 90.0;
            src = "config";
        } else if (isfinite(meta)) {
            v->branch[k].theta_deg = meta - 90.0;
            src = "metadata";
        } else {
            v->branch[k].theta_deg = estimate_theta(v->sun_count[k]);
        }
        snprintf(res->sun_source[k], sizeof res->sun_source[k], "%s", src);
        res->sun_azimuth_deg[k] = fmod(v->branch[k].theta_deg + 90.0 + 360.0, 360.0);
        res->grey_threshold[k] = v->grey_t[k];
    }

    /* V3 and the object rules */
    const size_t ext = (size_t)w * (strip + 2 * v->band_px);
    uint32_t *lab = malloc(ext * sizeof *lab);
    uint8_t *fl = malloc(ext);
    if (!lab || !fl)
        st = tb_error(TB_ERR_NOMEM, "out of memory for the shadow bands");
    for (int k = 0; k < 2 && !st; k++) {
        st = decide(ctx, k);
        if (!st)
            st = v3_band(ctx, k, lab, fl);
        if (!st)
            st = finish_decide(ctx, k);
    }
    free(lab);
    free(fl);
    if (st)
        return st;
    res->vhr_objects[0] = v->branch[1].objects;
    res->vhr_objects[1] = v->branch[0].objects;
    res->vhr_kept[0] = v->branch[1].kept;
    res->vhr_kept[1] = v->branch[0].kept;
    res->threshold = 0;   /* components are decided already: no score threshold applies */

    /* V4 */
    return v4_assemble(ctx);
}
