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
 * The image is processed in bands of output rows so that the tables stay a few hundred
 * rows high whatever the image height; within a band, blocks (then output rows) run in
 * parallel. Nothing is summed, so the output is the same for any thread count.
 */
#include <math.h>
#include <string.h>

#include "tb_kernels.h"

/* Output rows per band: at least 256 (and 4 L) rows, sized so that the band's table
 * rows (band + L - 1) are a whole number of blocks, a multiple of 6, so that 1, 2 or 3
 * threads get equal shares of blocks. Fewer rows when the image is shorter. */
static int band_rows(int height, int length)
{
    const int want = length * 4 > 256 ? length * 4 : 256;
    int blocks = (want + length - 1 + length - 1) / length;
    blocks = (blocks + 5) / 6 * 6;
    const int b = blocks * length - (length - 1);
    return b < height ? b : height;
}

static int pad_columns(int length)
{
    return length - 1;
}

size_t tb_line_scratch_floats(int width, int height, int length)
{
    if (length < 1 || width < 1 || height < 1)
        return 1;
    const size_t rows = (size_t)band_rows(height, length) + (size_t)length - 1;
    const size_t cols = (size_t)width + 2 * (size_t)pad_columns(length);
    return 2 * rows * cols;
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

/* The band of output rows [y0, y1) along "row + j, column + j*s", j in [jlo, jlo+len).
 * Table row i holds image row y0 + jlo + i; table column c holds x = c - P. */
typedef struct slant {
    const float *in;
    float *out;
    int width, height;
    int s, jlo, len, pad, dilate;
    float *g, *h;   /* (band + len - 1) rows of (width + 2 pad) */
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

static void slant_band(const slant *sl, int y0, int y1)
{
    const int L = sl->len, rows = y1 - y0 + L - 1, cols = sl->width + 2 * sl->pad;
    const int nblocks = (rows + L - 1) / L;
    float *const g = sl->g, *const h = sl->h;
#pragma omp parallel for schedule(static)
    for (int b = 0; b < nblocks; b++) {
        const int i0 = b * L, i1 = i0 + L < rows ? i0 + L : rows;
        for (int i = i0; i < i1; i++)
            slant_row(sl, g + (size_t)i * cols, i > i0 ? g + (size_t)(i - 1) * cols : NULL, -sl->s,
                      y0 + sl->jlo + i);
        for (int i = i1 - 1; i >= i0; i--)
            slant_row(sl, h + (size_t)i * cols, i < i1 - 1 ? h + (size_t)(i + 1) * cols : NULL,
                      sl->s, y0 + sl->jlo + i);
    }
    const int ch = sl->pad + sl->jlo * sl->s, cg = sl->pad + (sl->jlo + L - 1) * sl->s;
    const int w = sl->width, dilate = sl->dilate;
#pragma omp parallel for schedule(static)
    for (int y = y0; y < y1; y++) {
        const float *hy = h + (size_t)(y - y0) * cols + ch;
        const float *gy = g + (size_t)(y - y0 + L - 1) * cols + cg;
        float *dst = sl->out + (size_t)y * w;
#pragma omp simd
        for (int x = 0; x < w; x++)
            dst[x] = pick(hy[x], gy[x], dilate);
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
    const int band = band_rows(height, length);
    if (dy == 0) {
        const int m = width + length - 1;
        for (int y0 = 0; y0 < height; y0 += band) {
            const int y1 = y0 + band < height ? y0 + band : height;
#pragma omp parallel for schedule(static)
            for (int y = y0; y < y1; y++) {
                /* Each row of the band has its own slice of the tables. */
                float *g = scratch + (size_t)(y - y0) * 2 * m, *h = g + m;
                row_line(in + (size_t)y * width, out + (size_t)y * width, width, klo, length,
                         dilate, g, h);
            }
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
    const size_t cols = (size_t)width + 2 * (size_t)sl.pad;
    sl.g = scratch;
    sl.h = scratch + ((size_t)band + length - 1) * cols;
    for (int y0 = 0; y0 < height; y0 += band)
        slant_band(&sl, y0, y0 + band < height ? y0 + band : height);
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
