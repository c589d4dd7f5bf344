/* morphology_disk.c: binary erosion, dilation, opening and closing by a digital disk
 * { (dx, dy) : dx^2 + dy^2 <= r^2 + r }.
 *
 * Per row, the distance from each pixel to the nearest clear pixel (erosion) or set
 * pixel (dilation) in that row, saturated at r + 1, is swept once; a pixel of the
 * output then looks at the 2r + 1 rows of its disk, comparing each row's distance with
 * the disk's half-width in that row. Outside the buffer counts as clear for both
 * operations (as scipy.ndimage with border_value 0): erosion wears shapes at the
 * buffer's edge, so a strip needs 2r rows of halo per operation for its central rows
 * to equal the whole image's. Rows run in parallel; bit-identical for any thread count.
 */
#include <math.h>
#include <string.h>

#include "tb_kernels.h"

int tb_disk_half_width(int r, int dy)
{
    const long q = (long)r * r + r - (long)dy * dy;
    if (q < 0)
        return -1;
    int h = (int)sqrt((double)q);
    while ((long)(h + 1) * (h + 1) <= q)
        h++;
    while ((long)h * h > q)
        h--;
    return h;
}

/* dist[x] = distance to the nearest pixel of `row` equal to `target` (outside the row
 * counts as 0), saturated at cap. */
static void row_distance(const uint8_t *row, int w, uint8_t target, uint8_t cap, uint8_t *dist)
{
    uint8_t d = target == 0 ? 0 : cap;   /* x = -1 is clear: distance 0 there */
    for (int x = 0; x < w; x++) {
        d = row[x] == target ? 0 : (d < cap ? (uint8_t)(d + 1) : cap);
        dist[x] = d;
    }
    d = target == 0 ? 0 : cap;
    for (int x = w - 1; x >= 0; x--) {
        d = row[x] == target ? 0 : (d < cap ? (uint8_t)(d + 1) : cap);
        if (d < dist[x])
            dist[x] = d;
    }
}

/* erode = 1: out = 1 where every disk row's nearest clear pixel is beyond its half-width;
 * erode = 0: out = 1 where some disk row has a set pixel within its half-width. */
static void disk_op(const uint8_t *in, uint8_t *out, int w, int h, int r, int erode,
                    uint8_t *dist)
{
    const uint8_t cap = (uint8_t)(r + 1);
    const uint8_t target = erode ? 0 : 1;
#pragma omp parallel for schedule(static)
    for (int y = 0; y < h; y++)
        row_distance(in + (size_t)y * w, w, target, cap, dist + (size_t)y * w);
    int hw[2 * TB_DISK_MAX_RADIUS + 1];
    for (int dy = -r; dy <= r; dy++)
        hw[dy + r] = tb_disk_half_width(r, dy);
#pragma omp parallel for schedule(static)
    for (int y = 0; y < h; y++) {
        uint8_t *o = out + (size_t)y * w;
        if (erode && (y - r < 0 || y + r >= h)) {   /* the disk reaches outside: clear */
            memset(o, 0, (size_t)w);
            continue;
        }
        memset(o, erode ? 1 : 0, (size_t)w);
        for (int dy = -r; dy <= r; dy++) {
            const int yy = y + dy;
            if (yy < 0 || yy >= h)
                continue;
            const uint8_t *d = dist + (size_t)yy * w;
            const int lim = hw[dy + r];
            if (erode)
                for (int x = 0; x < w; x++)
                    o[x] &= (uint8_t)(d[x] > lim);
            else
                for (int x = 0; x < w; x++)
                    o[x] |= (uint8_t)(d[x] <= lim);
        }
    }
}

/* Checks r, copies for r = 0, else runs disk_op. */
static int disk_checked(const uint8_t *in, uint8_t *out, int width, int height, int r,
                        int erode, uint8_t *scratch)
{
    if (r < 0 || r > TB_DISK_MAX_RADIUS)
        return -1;
    if (r == 0)
        memcpy(out, in, (size_t)width * height);
    else
        disk_op(in, out, width, height, r, erode, scratch);
    return 0;
}

int tb_disk_erode(const uint8_t *in, uint8_t *out, int width, int height, int r,
                  uint8_t *scratch)
{
    return disk_checked(in, out, width, height, r, 1, scratch);
}

int tb_disk_dilate(const uint8_t *in, uint8_t *out, int width, int height, int r,
                   uint8_t *scratch)
{
    return disk_checked(in, out, width, height, r, 0, scratch);
}

int tb_disk_open(uint8_t *mask, int width, int height, int r, uint8_t *scratch)
{
    if (r < 0 || r > TB_DISK_MAX_RADIUS)
        return -1;
    uint8_t *tmp = scratch + (size_t)width * height;
    tb_disk_erode(mask, tmp, width, height, r, scratch);
    tb_disk_dilate(tmp, mask, width, height, r, scratch);
    return 0;
}

int tb_disk_close(uint8_t *mask, int width, int height, int r, uint8_t *scratch)
{
    if (r < 0 || r > TB_DISK_MAX_RADIUS)
        return -1;
    uint8_t *tmp = scratch + (size_t)width * height;
    tb_disk_dilate(mask, tmp, width, height, r, scratch);
    tb_disk_erode(tmp, mask, width, height, r, scratch);
    return 0;
}
