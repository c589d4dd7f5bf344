/* naive_reference.c: the slow, direct versions of the kernels (see naive_reference.h).
 * Allocation here is plain malloc with an abort on failure: test inputs are small.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naive_reference.h"

static void *ref_alloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "naive_reference: out of memory\n");
        abort();
    }
    return p;
}

/* ---- morphology ------------------------------------------------------------------ */

static void ref_morph(const uint8_t *in, uint8_t *out, int width, int height, int rx, int ry,
                      int erode)
{
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            /* The window clipped to the buffer: pixels outside are neutral. */
            const int y0 = y - ry < 0 ? 0 : y - ry, y1 = y + ry >= height ? height - 1 : y + ry;
            const int x0 = x - rx < 0 ? 0 : x - rx, x1 = x + rx >= width ? width - 1 : x + rx;
            int all = 1, any = 0;
            for (int wy = y0; wy <= y1; wy++) {
                for (int wx = x0; wx <= x1; wx++) {
                    if (in[(size_t)wy * width + wx])
                        any = 1;
                    else
                        all = 0;
                }
            }
            out[(size_t)y * width + x] = (uint8_t)(erode ? all : any);
        }
}

void ref_erode(const uint8_t *in, uint8_t *out, int width, int height, int rx, int ry)
{
    ref_morph(in, out, width, height, rx, ry, 1);
}

void ref_dilate(const uint8_t *in, uint8_t *out, int width, int height, int rx, int ry)
{
    ref_morph(in, out, width, height, rx, ry, 0);
}

void ref_open(uint8_t *mask, int width, int height, int r)
{
    const size_t n = (size_t)width * height;
    uint8_t *tmp = ref_alloc(n, 1);
    ref_erode(mask, tmp, width, height, r, r);
    ref_dilate(tmp, mask, width, height, r, r);
    free(tmp);
}

void ref_close(uint8_t *mask, int width, int height, int r)
{
    const size_t n = (size_t)width * height;
    uint8_t *tmp = ref_alloc(n, 1);
    ref_dilate(mask, tmp, width, height, r, r);
    ref_erode(tmp, mask, width, height, r, r);
    free(tmp);
}

/* ---- connected components --------------------------------------------------------- */

uint32_t ref_label(const uint8_t *mask, int width, int height, uint32_t *comp)
{
    const size_t n = (size_t)width * height;
    size_t *queue = ref_alloc(n, sizeof *queue);
    uint32_t count = 0;
    memset(comp, 0, n * sizeof *comp);
    for (size_t seed = 0; seed < n; seed++) {
        if (!mask[seed] || comp[seed])
            continue;
        const uint32_t id = ++count;
        size_t head = 0, tail = 0;
        comp[seed] = id;
        queue[tail++] = seed;
        while (head < tail) {
            const size_t p = queue[head++];
            const int px = (int)(p % (size_t)width), py = (int)(p / (size_t)width);
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    const int qx = px + dx, qy = py + dy;
                    if (qx < 0 || qx >= width || qy < 0 || qy >= height)
                        continue;
                    const size_t q = (size_t)qy * width + qx;
                    if (mask[q] && !comp[q]) {
                        comp[q] = id;
                        queue[tail++] = q;
                    }
                }
        }
    }
    free(queue);
    return count;
}

static int is_set(const uint8_t *mask, int width, int height, int x, int y)
{
    return x >= 0 && x < width && y >= 0 && y < height && mask[(size_t)y * width + x];
}

uint32_t ref_provisional_labels(const uint8_t *mask, int width, int height, uint32_t *labels)
{
    uint32_t issued = 0;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            const size_t i = (size_t)y * width + x;
            labels[i] = 0;
            if (!mask[i])
                continue;
            if (is_set(mask, width, height, x - 1, y)) {
                labels[i] = labels[i - 1];
                continue;
            }
            for (int dx = -1; dx <= 1 && !labels[i]; dx++)
                if (is_set(mask, width, height, x + dx, y - 1))
                    labels[i] = labels[i - (size_t)width + dx];
            if (!labels[i])
                labels[i] = ++issued;
        }
    return issued;
}

void ref_component_stats(const uint8_t *mask, const float *score, int width, int height,
                         const uint32_t *comp, uint32_t count, tb_component *stats,
                         size_t *first)
{
    uint8_t *seen = ref_alloc((size_t)count + 1, 1);
    memset(stats, 0, ((size_t)count + 1) * sizeof *stats);
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            const size_t i = (size_t)y * width + x;
            const uint32_t c = comp[i];
            if (!c)
                continue;
            tb_component *s = &stats[c];
            const float v = score ? score[i] : 0.0f;
            if (!seen[c]) {
                seen[c] = 1;
                first[c] = i;
                s->max_score = v;
                s->min_x = s->max_x = x;
                s->min_y = s->max_y = y;
            }
            s->pixels++;
            s->sum_score += v;
            if (v > s->max_score)
                s->max_score = v;
            s->sum_x += x + 0.5;
            s->sum_y += y + 0.5;
            if (x < s->min_x) s->min_x = x;
            if (x > s->max_x) s->max_x = x;
            if (y < s->min_y) s->min_y = y;
            if (y > s->max_y) s->max_y = y;
            s->edges_h += !is_set(mask, width, height, x, y - 1);
            s->edges_h += !is_set(mask, width, height, x, y + 1);
            s->edges_v += !is_set(mask, width, height, x - 1, y);
            s->edges_v += !is_set(mask, width, height, x + 1, y);
        }
    free(seen);
}

/* ---- change score ----------------------------------------------------------------- */

void ref_change_score(const float *const *before, const float *const *after, int nbands,
                      const tb_band_fit *fits, const uint8_t *valid, size_t n, double *score)
{
    for (size_t i = 0; i < n; i++) {
        if (!valid[i]) {
            score[i] = 0.0;
            continue;
        }
        double sum = 0.0;
        for (int b = 0; b < nbands; b++) {
            const double r = ((double)after[b][i] - fits[b].gain * (double)before[b][i] -
                              fits[b].offset) / fits[b].scale;
            sum += r * r;
        }
        score[i] = sqrt(sum / nbands);
    }
}

/* ---- histograms and thresholds ------------------------------------------------------ */

void ref_histogram_add(const float *v, const uint8_t *valid, size_t n, double lo, double hi,
                       uint64_t *bins, int nbins)
{
    const double width = (hi - lo) / nbins;
    for (size_t i = 0; i < n; i++) {
        if (valid && !valid[i])
            continue;
        const double f = floor(((double)v[i] - lo) / width);
        int k;
        if (!((double)v[i] >= lo) || f < 0)   /* below the range, or NaN */
            k = 0;
        else if ((double)v[i] >= hi || f >= nbins)
            k = nbins - 1;
        else
            k = (int)f;
        bins[k]++;
    }
}

double ref_within_variance(const uint64_t *bins, int nbins, int t)
{
    double w[2] = {0, 0}, mean[2] = {0, 0}, var[2] = {0, 0};
    for (int c = 0; c < 2; c++) {
        const int k0 = c == 0 ? 0 : t, k1 = c == 0 ? t : nbins;
        for (int k = k0; k < k1; k++) {
            w[c] += (double)bins[k];
            mean[c] += (double)k * (double)bins[k];
        }
        if (w[c] <= 0)
            return -1.0;
        mean[c] /= w[c];
        for (int k = k0; k < k1; k++)
            var[c] += (double)bins[k] * ((double)k - mean[c]) * ((double)k - mean[c]);
        var[c] /= w[c];
    }
    return w[0] * var[0] + w[1] * var[1];
}

int ref_otsu_split(const uint64_t *bins, int nbins)
{
    int best_t = 0;
    double best = 0;
    for (int t = 1; t < nbins; t++) {
        const double within = ref_within_variance(bins, nbins, t);
        if (within < 0)
            continue;
        if (best_t == 0 || within < best) {
            best = within;
            best_t = t;
        }
    }
    return best_t;
}

/* Cumulative count below x: full bins plus the covered fraction of a partial bin. */
static double ref_cdf(const uint64_t *bins, int nbins, double lo, double hi, double x)
{
    const double width = (hi - lo) / nbins;
    double c = 0;
    for (int k = 0; k < nbins; k++) {
        double f = (x - (lo + k * width)) / width;
        f = f < 0 ? 0 : f > 1 ? 1 : f;
        c += f * (double)bins[k];
    }
    return c;
}

double ref_quantile(const uint64_t *bins, int nbins, double lo, double hi, double q)
{
    double total = 0;
    for (int k = 0; k < nbins; k++)
        total += (double)bins[k];
    if (total <= 0)
        return lo;
    const double target = q * total;
    double a = lo, b = hi;   /* cdf(a) < target <= cdf(b), or a == lo */
    if (ref_cdf(bins, nbins, lo, hi, lo) >= target)
        return lo;
    for (int it = 0; it < 200 && b - a > 1e-13 * (hi - lo); it++) {
        const double m = 0.5 * (a + b);
        if (ref_cdf(bins, nbins, lo, hi, m) >= target)
            b = m;
        else
            a = m;
    }
    return b;
}

void ref_threshold(const float *score, const uint8_t *valid, size_t n, float t, uint8_t *mask)
{
    for (size_t i = 0; i < n; i++)
        mask[i] = valid[i] != 0 && score[i] > t ? 1 : 0;
}

/* ---- line morphology ----------------------------------------------------------------- */

static void ref_line(const float *in, float *out, int width, int height, int direction,
                     int length, int dilate)
{
    int dx = 0, dy = 0;
    switch (direction) {
    case 0: dx = 1; dy = 0; break;
    case 45: dx = 1; dy = -1; break;
    case 90: dx = 0; dy = -1; break;
    default: dx = -1; dy = -1; break;   /* 135 */
    }
    const int klo = -((length - 1) / 2), khi = length / 2;   /* ceil((length - 1) / 2) */
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            float best = dilate ? -INFINITY : INFINITY;
            for (int k = klo; k <= khi; k++) {
                /* erosion reads p + k u, dilation p - k u */
                const int sx = dilate ? x - k * dx : x + k * dx;
                const int sy = dilate ? y - k * dy : y + k * dy;
                if (sx < 0 || sy < 0 || sx >= width || sy >= height)
                    continue;
                const float v = in[(size_t)sy * width + sx];
                if (dilate ? v > best : v < best)
                    best = v;
            }
            out[(size_t)y * width + x] = best;
        }
}

void ref_line_erode(const float *in, float *out, int width, int height, int direction, int length)
{
    ref_line(in, out, width, height, direction, length, 0);
}

void ref_line_dilate(const float *in, float *out, int width, int height, int direction,
                     int length)
{
    ref_line(in, out, width, height, direction, length, 1);
}

void ref_line_open(const float *in, float *out, int width, int height, int direction, int length)
{
    float *tmp = ref_alloc((size_t)width * height, sizeof *tmp);
    ref_line(in, tmp, width, height, direction, length, 0);
    ref_line(tmp, out, width, height, direction, length, 1);
    free(tmp);
}

void ref_line_close(const float *in, float *out, int width, int height, int direction,
                    int length)
{
    float *tmp = ref_alloc((size_t)width * height, sizeof *tmp);
    ref_line(in, tmp, width, height, direction, length, 1);
    ref_line(tmp, out, width, height, direction, length, 0);
    free(tmp);
}

/* ---- reconstruction ------------------------------------------------------------------ */

void ref_reconstruct(const float *marker, const float *mask, float *out, int width, int height,
                     int dual)
{
    const size_t n = (size_t)width * height;
    for (size_t i = 0; i < n; i++)
        out[i] = dual ? fmaxf(marker[i], mask[i]) : fminf(marker[i], mask[i]);
    for (int changed = 1, pass = 0; changed; pass++) {
        changed = 0;
        for (size_t k = 0; k < n; k++) {
            const size_t i = pass % 2 ? n - 1 - k : k;
            const int x = (int)(i % (size_t)width), y = (int)(i / (size_t)width);
            float v = out[i];
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    const int qx = x + dx, qy = y + dy;
                    if (qx < 0 || qy < 0 || qx >= width || qy >= height)
                        continue;
                    const float q = out[(size_t)qy * width + qx];
                    v = dual ? fminf(v, q) : fmaxf(v, q);
                }
            v = dual ? fmaxf(v, mask[i]) : fminf(v, mask[i]);
            if (v != out[i]) {
                out[i] = v;
                changed = 1;
            }
        }
    }
}

void ref_binary_reconstruct(const uint8_t *marker, const uint8_t *mask, uint8_t *out, int width,
                            int height, int connectivity)
{
    const size_t n = (size_t)width * height;
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(marker[i] && mask[i]);
    for (int changed = 1; changed;) {
        changed = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) {
                const size_t i = (size_t)y * width + x;
                if (out[i] || !mask[i])
                    continue;
                for (int dy = -1; dy <= 1 && !out[i]; dy++)
                    for (int dx = -1; dx <= 1; dx++) {
                        if (connectivity == 4 && dx && dy)
                            continue;
                        if (is_set(out, width, height, x + dx, y + dy)) {
                            out[i] = 1;
                            changed = 1;
                            break;
                        }
                    }
            }
    }
}

void ref_fill_holes(const uint8_t *mask, uint8_t *out, int width, int height)
{
    const size_t n = (size_t)width * height;
    uint8_t *bg = ref_alloc(n, 1), *edge = ref_alloc(n, 1), *reached = ref_alloc(n, 1);
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            const size_t i = (size_t)y * width + x;
            bg[i] = !mask[i];
            edge[i] = x == 0 || y == 0 || x == width - 1 || y == height - 1;
        }
    ref_binary_reconstruct(edge, bg, reached, width, height, 4);
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(mask[i] || !reached[i]);
    free(bg);
    free(edge);
    free(reached);
}

/* ---- building and shadow indices ------------------------------------------------------- */

static void ref_profile_index(const float *b, int width, int height, const tb_mbi_params *p,
                              int dark, double *index)
{
    static const int dirs[4] = {0, 45, 90, 135};
    const size_t n = (size_t)width * height;
    float *filtered = ref_alloc(n, sizeof *filtered), *rec = ref_alloc(n, sizeof *rec);
    double *prev = ref_alloc(n, sizeof *prev), *cur = ref_alloc(n, sizeof *cur);
    int terms = 0;
    for (size_t i = 0; i < n; i++)
        index[i] = 0.0;
    for (int d = 0; d < 4; d++)
        for (int s = p->len_min, k = 0; s <= p->len_max; s += p->len_step, k++) {
            if (dark)
                ref_line_close(b, filtered, width, height, dirs[d], s);
            else
                ref_line_open(b, filtered, width, height, dirs[d], s);
            ref_reconstruct(filtered, b, rec, width, height, dark);
            for (size_t i = 0; i < n; i++)
                cur[i] = dark ? (double)rec[i] - (double)b[i] : (double)b[i] - (double)rec[i];
            if (k > 0) {
                for (size_t i = 0; i < n; i++)
                    index[i] += fabs(cur[i] - prev[i]);
                terms++;
            }
            double *t = prev;
            prev = cur;
            cur = t;
        }
    for (size_t i = 0; i < n; i++)
        index[i] /= terms;
    free(filtered);
    free(rec);
    free(prev);
    free(cur);
}

void ref_building_index(const float *b, int width, int height, const tb_mbi_params *p,
                        double *mbi, double *msi)
{
    ref_profile_index(b, width, height, p, 0, mbi);
    if (msi)
        ref_profile_index(b, width, height, p, 1, msi);
}

/* ---- very-high-resolution filters ---- */

static int ref_mirror(int i, int n)
{
    while (i < 0 || i >= n)
        i = i < 0 ? -i - 1 : 2 * n - i - 1;
    return i;
}

static void ref_correlate(const float *in, double *out, int w, int h, const double *k, int left,
                          int right)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double s = 0;
            for (int ty = -left; ty <= right; ty++)
                for (int tx = -left; tx <= right; tx++)
                    s += k[ty + left] * k[tx + left] *
                         in[(size_t)ref_mirror(y + ty, h) * w + ref_mirror(x + tx, w)];
            out[(size_t)y * w + x] = s;
        }
}

void ref_gaussian(const float *in, double *out, int width, int height, double sigma)
{
    const int r = (int)(4.0 * sigma + 0.5);
    double k[257], sum = 0;
    for (int t = -r; t <= r; t++)
        sum += k[t + r] = exp(-0.5 * t * t / (sigma * sigma));
    for (int t = 0; t <= 2 * r; t++)
        k[t] /= sum;
    ref_correlate(in, out, width, height, k, r, r);
}

void ref_box_mean(const float *in, double *out, int width, int height, int size)
{
    double k[257];
    for (int t = 0; t < size; t++)
        k[t] = 1.0 / size;
    ref_correlate(in, out, width, height, k, size / 2, size - 1 - size / 2);
}

void ref_local_ncc(const float *x, const float *y, double *out, int width, int height, int size)
{
    const size_t n = (size_t)width * height;
    double *m[5];
    float *p = calloc(n, sizeof *p);
    for (int k = 0; k < 5; k++)
        m[k] = malloc(n * sizeof(double));
    ref_box_mean(x, m[0], width, height, size);
    ref_box_mean(y, m[1], width, height, size);
    /* products in double: a float product would round away the flat-ground cancellation */
    const double inv = 1.0 / ((double)size * size);
    for (int q = 0; q < 3; q++) {
        const float *u = q == 2 ? y : x, *v = q == 1 ? x : y;
        double *o = m[2 + q];
        for (int yy = 0; yy < height; yy++)
            for (int xx = 0; xx < width; xx++) {
                double s = 0;
                for (int ty = -(size / 2); ty <= size - 1 - size / 2; ty++)
                    for (int tx = -(size / 2); tx <= size - 1 - size / 2; tx++) {
                        const size_t j = (size_t)ref_mirror(yy + ty, height) * width +
                                         ref_mirror(xx + tx, width);
                        s += (double)u[j] * v[j];
                    }
                o[(size_t)yy * width + xx] = s * inv;
            }
    }
    (void)p;
    for (size_t i = 0; i < n; i++) {
        const double v = (m[3][i] - m[0][i] * m[0][i]) * (m[4][i] - m[1][i] * m[1][i]);
        out[i] = (m[2][i] - m[0][i] * m[1][i]) / sqrt(v > 1e-6 ? v : 1e-6);
    }
    free(p);
    for (int k = 0; k < 5; k++)
        free(m[k]);
}

void ref_line_runs(const uint8_t *mask, int width, int height, int cap, uint16_t *const out[4])
{
    static const int dx[4] = {1, 0, 1, -1}, dy[4] = {0, 1, 1, 1};
    for (int d = 0; d < 4; d++)
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) {
                long run = 0;
                if (mask[(size_t)y * width + x]) {
                    for (int s = -1; s <= 1; s += 2)
                        for (int k = s > 0 ? 0 : 1;; k++) {
                            const int xx = x + s * k * dx[d], yy = y + s * k * dy[d];
                            if (xx < 0 || yy < 0 || xx >= width || yy >= height ||
                                !mask[(size_t)yy * width + xx])
                                break;
                            run++;
                        }
                }
                out[d][(size_t)y * width + x] = (uint16_t)(run < cap ? run : cap);
            }
}

static void ref_disk(const uint8_t *in, uint8_t *out, int width, int height, int r, int erode)
{
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            int v = erode;
            for (int oy = -r; oy <= r; oy++)
                for (int ox = -r; ox <= r; ox++) {
                    if (ox * ox + oy * oy > r * r + r)
                        continue;
                    const int xx = x + ox, yy = y + oy;
                    const int in_set = xx >= 0 && yy >= 0 && xx < width && yy < height &&
                                       in[(size_t)yy * width + xx];
                    if (erode && !in_set)
                        v = 0;
                    if (!erode && in_set)
                        v = 1;
                }
            out[(size_t)y * width + x] = (uint8_t)v;
        }
}

void ref_disk_erode(const uint8_t *in, uint8_t *out, int width, int height, int r)
{
    ref_disk(in, out, width, height, r, 1);
}

void ref_disk_dilate(const uint8_t *in, uint8_t *out, int width, int height, int r)
{
    ref_disk(in, out, width, height, r, 0);
}

void ref_keep_apart(const uint8_t *in, const uint32_t *ids, uint8_t *out, int width,
                    int height, int r)
{
    const long R = r + 1;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            const size_t i = (size_t)y * width + x;
            uint32_t seen = 0;
            int two = 0;
            /* every pixel of the image, kept when inside the digital disk of radius R */
            for (int yy = 0; yy < height; yy++)
                for (int xx = 0; xx < width; xx++) {
                    const long dy = yy - y, dx = xx - x;
                    const uint32_t id = ids[(size_t)yy * width + xx];
                    if (dx * dx + dy * dy > R * R + R || !id)
                        continue;
                    if (seen && id != seen)
                        two = 1;
                    seen = id;
                }
            out[i] = (uint8_t)(in[i] && !(ids[i] == 0 && two));
        }
}
