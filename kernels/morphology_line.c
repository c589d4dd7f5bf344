/* morphology_line.c: grey-level erosion, dilation, opening and closing by a line
 * segment at 0, 45, 90 or 135 degrees, with a cost per pixel independent of its length.
 *
 * van Herk / Gil-Werman along the line: the samples of each line are cut into blocks
 * of L (the length); prefix extremes g and suffix extremes h within each block give
 * the extreme of any L consecutive samples as pick(h[first], g[last]).
 *
 * Direction 0 runs along rows. The vertical and diagonal directions are written as
 * "one row down, s columns across" (s = 0, -1 or +1). If blocks are cut at the same
 * rows for every line, the recurrence g[row][c] = pick(g[row - 1][c - s], in[row][c])
 * works on whole rows at once (SIMD across x): the diagonal is just a one-column shift
 * of the previous row. Tables are padded by P columns on both sides so that windows
 * starting left or right of the image have their values; any sample the recurrence
 * would read beyond the table lies outside the image, hence neutral.
 *
 * Each thread takes a contiguous range of output rows and streams down it one block
 * at a time: the block's g, then the previous block's output rows (their h, the last g
 * row of the previous block and this block's g), then this block's h. A thread's
 * tables are 2 L + 1 rows, so they stay in cache and the image is read and written
 * once: the cost per pixel does not grow with L (beyond the padding columns and one
 * extra block of g per thread). Nothing is summed, so where the blocks are cut does
 * not change the output: it is the same for any thread count.
 */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <string.h>

#include "tb_kernels.h"

/* Threads this kernel uses at most: the scratch holds this many tables. */
#define MAX_SLOTS 8

static int pad_columns(int length)
{
    return length - 1;
}

/* Floats of one thread's tables: 2 L + 1 rows of width + 2 P (and, for direction 0,
 * at least the 2 (width + L - 1) of a row's g and h). */
static size_t slot_floats(int width, int length)
{
    const size_t cols = (size_t)width + 2 * (size_t)pad_columns(length);
    return (2 * (size_t)length + 1) * cols;
}

size_t tb_line_scratch_floats(int width, int height, int length)
{
    if (length < 1 || width < 1 || height < 1)
        return 1;
    return MAX_SLOTS * slot_floats(width, length);
}

/* Threads for `height` rows: at most MAX_SLOTS, and at least 4 L rows each (a thread
 * computes one block of g before its first output row). */
static int threads_for(int height, int length)
{
    int nt = omp_get_max_threads();
    if (nt > MAX_SLOTS)
        nt = MAX_SLOTS;
    const int most = height / (4 * length);
    if (nt > most)
        nt = most;
    return nt < 1 ? 1 : nt;
}

static inline float pick(float a, float b, int dilate)
{
    return dilate ? (a > b ? a : b) : (a < b ? a : b);
}

/* Direction 0, one row: out[x] = extreme of in[x + a .. x + b] (clipped), b - a + 1 = L.
 * g and h hold n + L - 1 floats: the padded sequence p[i] = in[i + a]. */
static void row_line(const float *in, float *out, int n, int a, int len, int dilate, float *g,
                     float *h)
{
    const int m = n + len - 1;
    const float pad = dilate ? -INFINITY : INFINITY;
    for (int b0 = 0; b0 < m; b0 += len) {
        const int b1 = b0 + len < m ? b0 + len : m;
        float acc = pad;
        for (int i = b0; i < b1; i++) {
            const int x = i + a;
            acc = pick(acc, (x >= 0 && x < n) ? in[x] : pad, dilate);
            g[i] = acc;
        }
        acc = pad;
        for (int i = b1 - 1; i >= b0; i--) {
            const int x = i + a;
            acc = pick(acc, (x >= 0 && x < n) ? in[x] : pad, dilate);
            h[i] = acc;
        }
    }
#pragma omp simd
    for (int x = 0; x < n; x++)
        out[x] = pick(h[x], g[x + len - 1], dilate);
}

/* Output rows along "row + j, column + j*s", j in [jlo, jlo+len). For output rows
 * [y0, y1), table row i holds image row y0 + jlo + i; table column c holds x = c - P. */
typedef struct slant {
    const float *in;
    float *out;
    int width, height;
    int s, jlo, len, pad, dilate;
} slant;

/* One table row of the forward (g) or backward (h) recurrence: t = pick(prev shifted
 * by `shift` columns, image row y), or the image row alone when prev is NULL. */
static void slant_row(const slant *sl, float *t, const float *prev, int shift, int y)
{
    const int w = sl->width, P = sl->pad, cols = w + 2 * P, dilate = sl->dilate;
    const float pad = dilate ? -INFINITY : INFINITY;
    const float *src = (y >= 0 && y < sl->height) ? sl->in + (size_t)y * w : NULL;
    /* Padding columns, or the whole row above or below the image: only the line's
     * earlier samples count there. */
    const int c0 = src ? P : cols, c1 = src ? P + w : cols;
    for (int part = 0; part < 2; part++)
        for (int c = part ? c1 : 0; c < (part ? cols : c0); c++) {
            const int q = c + shift;
            t[c] = (prev && q >= 0 && q < cols) ? prev[q] : pad;
        }
    if (!src)
        return;
    float *tm = t + P;
    if (!prev) {
        memcpy(tm, src, sizeof(float) * (size_t)w);
        return;
    }
    /* Middle columns: q = c + shift stays inside the table (|shift| <= P when s != 0). */
    const float *pm = prev + P + shift;
#pragma omp simd
    for (int x = 0; x < w; x++)
        tm[x] = pick(pm[x], src[x], dilate);
}

/* Output rows [y0, y1), streaming block by block through one thread's tables: h and
 * g hold one block (L rows) each, glast the last g row of the previous block. */
static void slant_rows(const slant *sl, int y0, int y1, float *tables)
{
    const int L = sl->len, nrows = y1 - y0 + L - 1, nout = y1 - y0;
    const size_t cols = (size_t)sl->width + 2 * (size_t)sl->pad;
    float *const h = tables, *const g = h + (size_t)L * cols, *const glast = g + (size_t)L * cols;
    const int nblocks = (nrows + L - 1) / L;
    const int ch = sl->pad + sl->jlo * sl->s, cg = sl->pad + (sl->jlo + L - 1) * sl->s;
    const int w = sl->width, dilate = sl->dilate;
    for (int k = 0; k <= nblocks; k++) {
        const int i0 = k * L, i1 = i0 + L < nrows ? i0 + L : nrows;
        for (int i = i0; i < i1; i++)   /* g of block k (none past the last) */
            slant_row(sl, g + (size_t)(i - i0) * cols,
                      i > i0 ? g + (size_t)(i - 1 - i0) * cols : NULL, -sl->s, y0 + sl->jlo + i);
        /* Output rows of block k - 1: output row i needs h[i] and g[i + L - 1], the
         * last row of block k - 1 for i = (k - 1) L, else a row of block k. */
        const int o1 = i0 < nout ? i0 : nout;
        for (int i = i0 - L > 0 ? i0 - L : 0; k > 0 && i < o1; i++) {
            const float *hy = h + (size_t)(i - (i0 - L)) * cols + ch;
            const int j = i + L - 1;
            const float *gy = (j < i0 ? glast : g + (size_t)(j - i0) * cols) + cg;
            float *dst = sl->out + (size_t)(y0 + i) * w;
#pragma omp simd
            for (int x = 0; x < w; x++)
                dst[x] = pick(hy[x], gy[x], dilate);
        }
        if (i1 - i0 == L)
            memcpy(glast, g + (size_t)(L - 1) * cols, cols * sizeof *glast);
        for (int i = i1 - 1; i >= i0; i--)   /* h of block k */
            slant_row(sl, h + (size_t)(i - i0) * cols,
                      i < i1 - 1 ? h + (size_t)(i + 1 - i0) * cols : NULL, sl->s, y0 + sl->jlo + i);
    }
}

/* Unit step (dx, dy) of a direction; 0 when the direction is not one of the four. */
static int direction_step(int direction, int *dx, int *dy)
{
    switch (direction) {
    case TB_LINE_0: *dx = 1; *dy = 0; return 1;
    case TB_LINE_45: *dx = 1; *dy = -1; return 1;
    case TB_LINE_90: *dx = 0; *dy = -1; return 1;
    case TB_LINE_135: *dx = -1; *dy = -1; return 1;
    default: return 0;
    }
}

static int line(const float *in, float *out, int width, int height, int direction, int length,
                float *scratch, int dilate)
{
    int dx, dy;
    if (length < 1 || !direction_step(direction, &dx, &dy))
        return -1;
    if (width < 1 || height < 1)
        return 0;
    if (length == 1) {
        memcpy(out, in, sizeof(float) * (size_t)width * height);
        return 0;
    }
    /* Offsets k*u of the window: [klo, khi] for erosion, reflected for dilation. */
    int klo = -((length - 1) / 2), khi = klo + length - 1;
    if (dilate) {
        const int t = klo;
        klo = -khi;
        khi = -t;
    }
    const int nt = threads_for(height, length);
    const size_t slot = slot_floats(width, length);
    if (dy == 0) {
        const int m = width + length - 1;
#pragma omp parallel for schedule(static) num_threads(nt)
        for (int y = 0; y < height; y++) {
            float *g = scratch + (size_t)omp_get_thread_num() * slot, *h = g + m;
            row_line(in + (size_t)y * width, out + (size_t)y * width, width, klo, length, dilate,
                     g, h);
        }
        return 0;
    }
    /* dy = -1: j = -k rows down, each moving s = -dx columns. */
    slant sl;
    sl.in = in;
    sl.out = out;
    sl.width = width;
    sl.height = height;
    sl.s = -dx;
    sl.jlo = -khi;
    sl.len = length;
    sl.pad = sl.s ? pad_columns(length) : 0;
    sl.dilate = dilate;
#pragma omp parallel num_threads(nt)
    {
        const int t = omp_get_thread_num(), n = omp_get_num_threads();
        const int y0 = (int)((int64_t)height * t / n), y1 = (int)((int64_t)height * (t + 1) / n);
        if (y1 > y0)
            slant_rows(&sl, y0, y1, scratch + (size_t)t * slot);
    }
    return 0;
}

int tb_gray_line_erode(const float *in, float *out, int width, int height, int direction,
                       int length, float *scratch)
{
    return line(in, out, width, height, direction, length, scratch, 0);
}

int tb_gray_line_dilate(const float *in, float *out, int width, int height, int direction,
                        int length, float *scratch)
{
    return line(in, out, width, height, direction, length, scratch, 1);
}

int tb_gray_line_open(const float *in, float *out, int width, int height, int direction,
                      int length, float *scratch)
{
    float *mid = scratch + tb_line_scratch_floats(width, height, length);
    if (line(in, mid, width, height, direction, length, scratch, 0) != 0)
        return -1;
    return line(mid, out, width, height, direction, length, scratch, 1);
}

int tb_gray_line_close(const float *in, float *out, int width, int height, int direction,
                       int length, float *scratch)
{
    float *mid = scratch + tb_line_scratch_floats(width, height, length);
    if (line(in, mid, width, height, direction, length, scratch, 1) != 0)
        return -1;
    return line(mid, out, width, height, direction, length, scratch, 0);
}
