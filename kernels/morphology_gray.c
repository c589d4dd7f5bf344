/* morphology_gray.c: grey-level erosion and dilation by rectangles and lines.
 *
 * van Herk / Gil-Werman: along a line, a window of k = 2r+1 samples is split into
 * blocks of k; prefix maxima within each block (g) and suffix maxima (h) give the
 * maximum of any window as max(h[x - r], g[x + r]): three comparisons per sample
 * whatever the length, which is what building indices with 50-pixel linear elements
 * need. Rows run in parallel; the vertical pass walks down column blocks with whole
 * rows as vectors, so it vectorises across x. Samples outside the buffer are neutral
 * (-inf for dilation, +inf for erosion): the window is clipped, as in the binary
 * kernels, so strips with a halo equal the whole image.
 */
#include <math.h>
#include <string.h>

#include "tb_kernels.h"

#define COLUMN_BLOCK 256

static inline float pick(float a, float b, int dilate)
{
    return dilate ? (a > b ? a : b) : (a < b ? a : b);
}

/* One row: out[x] = extreme of in[x - r .. x + r] (clipped). g and h hold n + 2r. */
static void line_1d(const float *in, float *out, int n, int r, int dilate, float *g, float *h)
{
    const int k = 2 * r + 1, m = n + 2 * r;
    const float pad = dilate ? -INFINITY : INFINITY;
    /* Padded sequence p[i] = in[i - r]. */
    for (int b0 = 0; b0 < m; b0 += k) {
        const int b1 = b0 + k < m ? b0 + k : m;
        float acc = pad;
        for (int i = b0; i < b1; i++) {
            const int x = i - r;
            const float v = (x >= 0 && x < n) ? in[x] : pad;
            acc = pick(acc, v, dilate);
            g[i] = acc;
        }
        acc = pad;
        for (int i = b1 - 1; i >= b0; i--) {
            const int x = i - r;
            const float v = (x >= 0 && x < n) ? in[x] : pad;
            acc = pick(acc, v, dilate);
            h[i] = acc;
        }
    }
    /* Window of output x covers padded [x, x + 2r]. */
    for (int x = 0; x < n; x++)
        out[x] = pick(h[x], g[x + 2 * r], dilate);
}

static void pass_rows(const float *in, float *out, int width, int height, int r, int dilate,
                      float *scratch)
{
    const int m = width + 2 * r;
#pragma omp parallel for schedule(static)
    for (int y = 0; y < height; y++) {
        /* Each row has its own slice of scratch: 2 * (width + 2r) floats. */
        float *g = scratch + (size_t)y * 2 * m, *h = g + m;
        line_1d(in + (size_t)y * width, out + (size_t)y * width, width, r, dilate, g, h);
    }
}

static void pass_columns(const float *in, float *out, int width, int height, int r, int dilate,
                         float *scratch)
{
    const int k = 2 * r + 1, m = height + 2 * r;
    const float pad = dilate ? -INFINITY : INFINITY;
    const int nblocks = (width + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
#pragma omp parallel for schedule(static)
    for (int blk = 0; blk < nblocks; blk++) {
        const int x0 = blk * COLUMN_BLOCK;
        const int len = width - x0 < COLUMN_BLOCK ? width - x0 : COLUMN_BLOCK;
        /* g and h for this column block: m rows of COLUMN_BLOCK. */
        float *g = scratch + (size_t)blk * 2 * m * COLUMN_BLOCK, *h = g + (size_t)m * COLUMN_BLOCK;
        for (int b0 = 0; b0 < m; b0 += k) {
            const int b1 = b0 + k < m ? b0 + k : m;
            for (int i = b0; i < b1; i++) {
                const int y = i - r;
                float *gi = g + (size_t)i * COLUMN_BLOCK;
                const float *src = (y >= 0 && y < height) ? in + (size_t)y * width + x0 : NULL;
                const float *prev = i > b0 ? gi - COLUMN_BLOCK : NULL;
                for (int j = 0; j < len; j++) {
                    const float v = src ? src[j] : pad;
                    gi[j] = prev ? pick(prev[j], v, dilate) : v;
                }
            }
            for (int i = b1 - 1; i >= b0; i--) {
                const int y = i - r;
                float *hi = h + (size_t)i * COLUMN_BLOCK;
                const float *src = (y >= 0 && y < height) ? in + (size_t)y * width + x0 : NULL;
                const float *next = i < b1 - 1 ? hi + COLUMN_BLOCK : NULL;
                for (int j = 0; j < len; j++) {
                    const float v = src ? src[j] : pad;
                    hi[j] = next ? pick(next[j], v, dilate) : v;
                }
            }
        }
        for (int y = 0; y < height; y++) {
            const float *hy = h + (size_t)y * COLUMN_BLOCK, *gy = g + (size_t)(y + 2 * r) * COLUMN_BLOCK;
            float *dst = out + (size_t)y * width + x0;
            for (int j = 0; j < len; j++)
                dst[j] = pick(hy[j], gy[j], dilate);
        }
    }
}

size_t tb_gray_scratch_floats(int width, int height, int rx, int ry)
{
    const size_t rows = (size_t)height * 2 * ((size_t)width + 2 * (size_t)rx);
    const size_t nblocks = ((size_t)width + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
    const size_t cols = nblocks * 2 * ((size_t)height + 2 * (size_t)ry) * COLUMN_BLOCK;
    /* One intermediate image plus the larger of the two passes' tables. */
    return (size_t)width * height + (rows > cols ? rows : cols);
}

static void gray(const float *in, float *out, int width, int height, int rx, int ry,
                 float *scratch, int dilate)
{
    float *mid = scratch, *tables = scratch + (size_t)width * height;
    if (rx > 0)
        pass_rows(in, mid, width, height, rx, dilate, tables);
    else
        memcpy(mid, in, sizeof(float) * (size_t)width * height);
    if (ry > 0)
        pass_columns(mid, out, width, height, ry, dilate, tables);
    else
        memcpy(out, mid, sizeof(float) * (size_t)width * height);
}

void tb_gray_erode(const float *in, float *out, int width, int height, int rx, int ry,
                   float *scratch)
{
    gray(in, out, width, height, rx, ry, scratch, 0);
}

void tb_gray_dilate(const float *in, float *out, int width, int height, int rx, int ry,
                    float *scratch)
{
    gray(in, out, width, height, rx, ry, scratch, 1);
}
