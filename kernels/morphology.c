/* morphology.c: binary erosion, dilation, opening and closing by rectangles.
 *
 * Separable: a horizontal pass (rows in parallel) then a vertical pass (column blocks
 * in parallel). Each pass keeps a running count of set pixels in the window, so the
 * cost per pixel does not depend on the radius. Pixels outside the buffer are
 * neutral: the window is clipped to the buffer, and erosion asks "all set pixels
 * inside", dilation "any set pixel inside".
 */
#include <string.h>

#include "tb_kernels.h"

#define COLUMN_BLOCK 512

static void pass_rows(const uint8_t *in, uint8_t *out, int width, int height, int r, int erode)
{
#pragma omp parallel for schedule(static)
    for (int y = 0; y < height; y++) {
        const uint8_t *src = in + (size_t)y * width;
        uint8_t *dst = out + (size_t)y * width;
        int count = 0;
        for (int x = 0; x <= r && x < width; x++)
            count += src[x];
        for (int x = 0; x < width; x++) {
            int lo = x - r < 0 ? 0 : x - r;
            int hi = x + r >= width ? width - 1 : x + r;
            int size = hi - lo + 1;
            dst[x] = (uint8_t)(erode ? count == size : count > 0);
            if (x + r + 1 < width)
                count += src[x + r + 1];
            if (x - r >= 0)
                count -= src[x - r];
        }
    }
}

static void pass_columns(const uint8_t *in, uint8_t *out, int width, int height, int r, int erode)
{
    const int nblocks = (width + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
#pragma omp parallel for schedule(static)
    for (int blk = 0; blk < nblocks; blk++) {
        const int x0 = blk * COLUMN_BLOCK;
        const int len = width - x0 < COLUMN_BLOCK ? width - x0 : COLUMN_BLOCK;
        int count[COLUMN_BLOCK];
        memset(count, 0, sizeof count);
        for (int y = 0; y <= r && y < height; y++) {
            const uint8_t *src = in + (size_t)y * width + x0;
            for (int i = 0; i < len; i++)
                count[i] += src[i];
        }
        for (int y = 0; y < height; y++) {
            int lo = y - r < 0 ? 0 : y - r;
            int hi = y + r >= height ? height - 1 : y + r;
            const int size = hi - lo + 1;
            uint8_t *dst = out + (size_t)y * width + x0;
            if (erode) {
#pragma omp simd
                for (int i = 0; i < len; i++)
                    dst[i] = (uint8_t)(count[i] == size);
            } else {
#pragma omp simd
                for (int i = 0; i < len; i++)
                    dst[i] = (uint8_t)(count[i] > 0);
            }
            if (y + r + 1 < height) {
                const uint8_t *add = in + (size_t)(y + r + 1) * width + x0;
#pragma omp simd
                for (int i = 0; i < len; i++)
                    count[i] += add[i];
            }
            if (y - r >= 0) {
                const uint8_t *sub = in + (size_t)(y - r) * width + x0;
#pragma omp simd
                for (int i = 0; i < len; i++)
                    count[i] -= sub[i];
            }
        }
    }
}

static void morph(const uint8_t *in, uint8_t *out, int width, int height, int rx, int ry,
                  uint8_t *scratch, int erode)
{
    pass_rows(in, scratch, width, height, rx, erode);
    pass_columns(scratch, out, width, height, ry, erode);
}

void tb_erode(const uint8_t *in, uint8_t *out, int width, int height, int rx, int ry,
              uint8_t *scratch)
{
    morph(in, out, width, height, rx, ry, scratch, 1);
}

void tb_dilate(const uint8_t *in, uint8_t *out, int width, int height, int rx, int ry,
               uint8_t *scratch)
{
    morph(in, out, width, height, rx, ry, scratch, 0);
}

void tb_open(uint8_t *mask, int width, int height, int r, uint8_t *scratch)
{
    if (r <= 0)
        return;
    uint8_t *tmp = scratch + (size_t)width * height;
    tb_erode(mask, tmp, width, height, r, r, scratch);
    tb_dilate(tmp, mask, width, height, r, r, scratch);
}

void tb_close(uint8_t *mask, int width, int height, int r, uint8_t *scratch)
{
    if (r <= 0)
        return;
    uint8_t *tmp = scratch + (size_t)width * height;
    tb_dilate(mask, tmp, width, height, r, r, scratch);
    tb_erode(tmp, mask, width, height, r, r, scratch);
}
