/* line_runs.c: length of the run of set mask pixels through each pixel, along rows,
 * columns and both diagonals, saturated at a cap.
 *
 * Forward counts f (the run up to and including the pixel) and backward counts b are
 * swept row by row (each row from the previous one, in parallel across x), saturated
 * at the cap; the run is min(f + b - 1, cap), which equals the capped true run. A row
 * sweep is serial along x and runs rows in parallel. Every value depends only on the
 * mask: bit-identical for any thread count.
 */
#include <string.h>

#include "tb_kernels.h"

static inline uint16_t sat_inc(uint16_t v, uint16_t cap)
{
    return v < cap ? (uint16_t)(v + 1) : cap;
}

/* Runs along (dx, 1) for dx in {-1, 0, 1}: rows depend on the previous row. */
static void runs_down(const uint8_t *m, int w, int h, int dx, uint16_t cap, uint16_t *out,
                      uint16_t *fwd)
{
    for (int y = 0; y < h; y++) {
        const uint8_t *row = m + (size_t)y * w;
        uint16_t *f = fwd + (size_t)y * w;
        const uint16_t *pf = y ? fwd + (size_t)(y - 1) * w : NULL;
#pragma omp parallel for schedule(static) if (w > 4096)
        for (int x = 0; x < w; x++) {
            const int px = x - dx;
            const uint16_t prev = pf && px >= 0 && px < w ? pf[px] : 0;
            f[x] = row[x] ? sat_inc(prev, cap) : 0;
        }
    }
    /* backward counts into `out` */
    for (int y = h - 1; y >= 0; y--) {
        const uint8_t *row = m + (size_t)y * w;
        uint16_t *b = out + (size_t)y * w;
        const uint16_t *nb = y + 1 < h ? out + (size_t)(y + 1) * w : NULL;
#pragma omp parallel for schedule(static) if (w > 4096)
        for (int x = 0; x < w; x++) {
            const int nx = x + dx;
            const uint16_t next = nb && nx >= 0 && nx < w ? nb[nx] : 0;
            b[x] = row[x] ? sat_inc(next, cap) : 0;
        }
    }
}

void tb_line_runs(const uint8_t *mask, int width, int height, int cap, uint16_t *const out[4],
                  uint16_t *scratch)
{
    const uint16_t c = (uint16_t)(cap < 1 ? 1 : cap > 65535 ? 65535 : cap);
    /* 0: along rows */
#pragma omp parallel for schedule(static)
    for (int y = 0; y < height; y++) {
        const uint8_t *row = mask + (size_t)y * width;
        uint16_t *o = out[0] + (size_t)y * width;
        uint16_t *f = scratch + (size_t)y * width;
        uint16_t run = 0;
        for (int x = 0; x < width; x++)
            f[x] = run = row[x] ? sat_inc(run, c) : 0;
        run = 0;
        for (int x = width - 1; x >= 0; x--) {
            run = row[x] ? sat_inc(run, c) : 0;
            const int v = row[x] ? f[x] + run - 1 : 0;
            o[x] = (uint16_t)(v < c ? v : c);
        }
    }
    /* 1: along columns, 2: diagonal (1, 1), 3: diagonal (-1, 1) */
    static const int dxs[3] = {0, 1, -1};
    for (int d = 0; d < 3; d++) {
        uint16_t *o = out[d + 1];
        runs_down(mask, width, height, dxs[d], c, o, scratch);
#pragma omp parallel for schedule(static)
        for (long long ii = 0; ii < (long long)width * height; ii++) {
            const size_t i = (size_t)ii;
            const int v = mask[i] ? scratch[i] + o[i] - 1 : 0;
            o[i] = (uint16_t)(v < c ? v : c);
        }
    }
}
