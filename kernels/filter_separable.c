/* filter_separable.c: Gaussian and box means (separable correlations with mirrored
 * edges), the greyness of RGB and the local normalised cross-correlation of two images.
 *
 * Each pass writes its own output from its input only, one row (or one band of
 * columns) per iteration, summing taps in a fixed order in double: bit-identical for
 * any thread count.
 */
#include <math.h>
#include <stdlib.h>

#include "tb_kernels.h"

/* Mirror index i into [0, n): d c b a | a b c d | d c b a, repeated for short axes. */
static inline int mirror(int i, int n)
{
    if (n == 1)
        return 0;
    for (;;) {
        if (i < 0)
            i = -i - 1;
        else if (i >= n)
            i = 2 * n - i - 1;
        else
            return i;
    }
}

#define BLOCK 256

/* out = in correlated with taps k[0..left+right] over offsets -left..right along x,
 * then along y (the intermediate image is float, in `scratch`). Each pass sums the taps
 * of an output sample in increasing offset order, in blocks of BLOCK samples so the
 * inner loop runs across x (and vectorises); the order per sample is that of a direct
 * sum. */
static void separable(const float *in, float *out, int w, int h, const double *k, int left,
                      int right, float *scratch)
{
#pragma omp parallel
    {
        float pad[BLOCK + 2 * TB_FILTER_MAX_RADIUS + 1];
        double acc[BLOCK];
#pragma omp for schedule(static)
        for (int y = 0; y < h; y++) {
            const float *row = in + (size_t)y * w;
            float *dst = scratch + (size_t)y * w;
            for (int x0 = 0; x0 < w; x0 += BLOCK) {
                const int nx = w - x0 < BLOCK ? w - x0 : BLOCK;
                /* the block's samples and its reach, mirrored at the row's ends */
                for (int j = 0; j < nx + left + right; j++) {
                    const int x = x0 - left + j;
                    pad[j] = row[x >= 0 && x < w ? x : mirror(x, w)];
                }
                for (int x = 0; x < nx; x++)
                    acc[x] = 0;
                for (int t = 0; t <= left + right; t++) {
                    const double kt = k[t];
                    const float *src = pad + t;
                    for (int x = 0; x < nx; x++)
                        acc[x] += kt * src[x];
                }
                for (int x = 0; x < nx; x++)
                    dst[x0 + x] = (float)acc[x];
            }
        }
    }
#pragma omp parallel
    {
        double acc[BLOCK];
#pragma omp for schedule(static)
        for (int y = 0; y < h; y++) {
            float *dst = out + (size_t)y * w;
            for (int x0 = 0; x0 < w; x0 += BLOCK) {
                const int nx = w - x0 < BLOCK ? w - x0 : BLOCK;
                for (int x = 0; x < nx; x++)
                    acc[x] = 0;
                for (int t = -left; t <= right; t++) {
                    const float *src = scratch + (size_t)mirror(y + t, h) * w + x0;
                    const double kt = k[t + left];
                    for (int x = 0; x < nx; x++)
                        acc[x] += kt * src[x];
                }
                for (int x = 0; x < nx; x++)
                    dst[x0 + x] = (float)acc[x];
            }
        }
    }
}

int tb_gaussian_radius(double sigma)
{
    return sigma > 0 ? (int)(4.0 * sigma + 0.5) : 0;
}

int tb_gaussian(const float *in, float *out, int width, int height, double sigma,
                float *scratch)
{
    const int r = tb_gaussian_radius(sigma);
    if (r > TB_FILTER_MAX_RADIUS)
        return -1;
    if (r == 0) {
        for (size_t i = 0; i < (size_t)width * height; i++)
            out[i] = in[i];
        return 0;
    }
    double k[2 * TB_FILTER_MAX_RADIUS + 1], sum = 0;
    for (int t = -r; t <= r; t++)
        sum += k[t + r] = exp(-0.5 * (double)t * t / (sigma * sigma));
    for (int t = 0; t <= 2 * r; t++)
        k[t] /= sum;
    separable(in, out, width, height, k, r, r, scratch);
    return 0;
}

int tb_box_mean(const float *in, float *out, int width, int height, int size, float *scratch)
{
    if (size < 1 || size > 2 * TB_FILTER_MAX_RADIUS + 1)
        return -1;
    double k[2 * TB_FILTER_MAX_RADIUS + 1];
    for (int t = 0; t < size; t++)
        k[t] = 1.0 / size;
    separable(in, out, width, height, k, size / 2, size - 1 - size / 2, scratch);
    return 0;
}

void tb_greyness(const float *r, const float *g, const float *b, size_t n, float eps,
                 float *out)
{
#pragma omp parallel for schedule(static)
    for (long long ii = 0; ii < (long long)n; ii++) {
        const size_t i = (size_t)ii;
        /* comparisons rather than fmaxf/fminf (their NaN rules keep them out of SIMD) */
        const float rg_max = r[i] > g[i] ? r[i] : g[i], rg_min = r[i] < g[i] ? r[i] : g[i];
        const float mx = rg_max > b[i] ? rg_max : b[i], mn = rg_min < b[i] ? rg_min : b[i];
        out[i] = 1.0f - (mx - mn) / (mx + eps);
    }
}

int tb_local_ncc(const float *x, const float *y, float *out, int width, int height, int size,
                 double *scratch)
{
    if (size < 1 || size > 2 * TB_FILTER_MAX_RADIUS + 1)
        return -1;
    const int w = width, h = height, left = size / 2, right = size - 1 - size / 2;
    const size_t n = (size_t)w * h;
    /* Row sums of x, y, xy, x^2, y^2 over the window, in double: the moments cancel
     * (var = E[x^2] - E[x]^2), which float sums would turn into noise on flat ground. */
#pragma omp parallel for schedule(static)
    for (int yy = 0; yy < h; yy++) {
        const float *rx = x + (size_t)yy * w, *ry = y + (size_t)yy * w;
        double *s = scratch + (size_t)yy * w * 5;
        for (int xx = 0; xx < w; xx++) {
            double a = 0, b = 0, ab = 0, aa = 0, bb = 0;
            for (int t = -left; t <= right; t++) {
                const int j = xx + t >= 0 && xx + t < w ? xx + t : mirror(xx + t, w);
                const double u = rx[j], v = ry[j];
                a += u;
                b += v;
                ab += u * v;
                aa += u * u;
                bb += v * v;
            }
            double *d = s + 5 * (size_t)xx;
            d[0] = a, d[1] = b, d[2] = ab, d[3] = aa, d[4] = bb;
        }
    }
    const double inv = 1.0 / ((double)size * size);
#pragma omp parallel for schedule(static)
    for (int yy = 0; yy < h; yy++) {
        float *o = out + (size_t)yy * w;
        for (int xx = 0; xx < w; xx++) {
            double m[5] = {0, 0, 0, 0, 0};
            for (int t = -left; t <= right; t++) {
                const double *d = scratch + ((size_t)mirror(yy + t, h) * w + xx) * 5;
                for (int k = 0; k < 5; k++)
                    m[k] += d[k];
            }
            for (int k = 0; k < 5; k++)
                m[k] *= inv;
            const double cxy = m[2] - m[0] * m[1];
            const double v = (m[3] - m[0] * m[0]) * (m[4] - m[1] * m[1]);
            o[xx] = (float)(cxy / sqrt(v > 1e-6 ? v : 1e-6));
        }
    }
    (void)n;
    return 0;
}
