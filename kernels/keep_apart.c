/* keep_apart.c: undoes the bridges a closing builds between distinct objects. */
#include "tb_kernels.h"

/* Whether the disk of radius r around (x, y) holds two different non-zero ids. */
static int sees_two(const uint32_t *ids, int w, int h, int x, int y, int r)
{
    uint32_t first = 0;
    for (int dy = -r; dy <= r; dy++) {
        const int yy = y + dy;
        if (yy < 0 || yy >= h)
            continue;
        const int hw = tb_disk_half_width(r, dy);
        const int xa = x - hw < 0 ? 0 : x - hw, xb = x + hw >= w ? w - 1 : x + hw;
        const uint32_t *row = ids + (size_t)yy * w;
        for (int xx = xa; xx <= xb; xx++) {
            const uint32_t id = row[xx];
            if (!id)
                continue;
            if (!first)
                first = id;
            else if (id != first)
                return 1;
        }
    }
    return 0;
}

int tb_keep_apart(uint8_t *mask, const uint32_t *ids, int width, int height, int r)
{
    if (r < 0 || r >= TB_DISK_MAX_RADIUS)
        return -1;
    const int w = width, h = height;
#pragma omp parallel for schedule(static)
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const size_t i = (size_t)y * w + x;
            /* only pixels the closing added (ids are not written: any order, same bits) */
            if (mask[i] && !ids[i] && sees_two(ids, w, h, x, y, r + 1))
                mask[i] = 0;
        }
    return 0;
}
