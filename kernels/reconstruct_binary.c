/* reconstruct_binary.c: binary reconstruction and hole filling of 0/1 masks.
 *
 * Both are flood fills from seeds with a FIFO of pixel indices: every pixel enters the
 * queue at most once (it is marked when pushed), so width * height entries suffice and
 * the cost is linear in the pixels. Serial: the result is unique, and these run on
 * masks, a few milliseconds per megapixel.
 */
#include "tb_kernels.h"

/* Sets in `out` and pushes the pixels of `mask` around p (4- or 8-neighbours) not set
 * yet; returns the new tail. */
static size_t spread(const uint8_t *mask, uint8_t *out, int w, int h, int connectivity,
                     uint32_t *queue, size_t tail, size_t p)
{
    const int x = (int)(p % (size_t)w), y = (int)(p / (size_t)w);
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++) {
            if ((!dx && !dy) || (connectivity == 4 && dx && dy))
                continue;
            const int qx = x + dx, qy = y + dy;
            if (qx < 0 || qy < 0 || qx >= w || qy >= h)
                continue;
            const size_t q = (size_t)qy * w + qx;
            if (mask[q] && !out[q]) {
                out[q] = 1;
                queue[tail++] = (uint32_t)q;
            }
        }
    return tail;
}

void tb_binary_reconstruct(const uint8_t *marker, const uint8_t *mask, uint8_t *out, int width,
                           int height, int connectivity, uint32_t *queue)
{
    const size_t n = (size_t)width * height;
    size_t tail = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = (uint8_t)(marker[i] && mask[i]);
        if (out[i])
            queue[tail++] = (uint32_t)i;
    }
    for (size_t head = 0; head < tail; head++)
        tail = spread(mask, out, width, height, connectivity, queue, tail, queue[head]);
}

void tb_fill_holes(const uint8_t *mask, uint8_t *out, int width, int height, uint32_t *queue)
{
    const size_t n = (size_t)width * height;
    if (n == 0)
        return;
    /* out = 1 everywhere except the background reached from the border (0). Reading
     * mask[i] before writing out[i] keeps out == mask working. */
    size_t tail = 0;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            const size_t i = (size_t)y * width + x;
            const int border = x == 0 || y == 0 || x == width - 1 || y == height - 1;
            const uint8_t m = mask[i] != 0;
            out[i] = (uint8_t)(m ? 2 : 1);
            if (border && !m) {
                out[i] = 0;
                queue[tail++] = (uint32_t)i;
            }
        }
    /* Marks: 2 = foreground, 1 = background not reached (yet), 0 = reached. The mask
     * test goes through `out` (2 = foreground), which is the mask when out == mask. */
    for (size_t head = 0; head < tail; head++) {
        const size_t p = queue[head];
        const int x = (int)(p % (size_t)width), y = (int)(p / (size_t)width);
        static const int d4[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        for (int k = 0; k < 4; k++) {
            const int qx = x + d4[k][0], qy = y + d4[k][1];
            if (qx < 0 || qy < 0 || qx >= width || qy >= height)
                continue;
            const size_t q = (size_t)qy * width + qx;
            if (out[q] == 1) {
                out[q] = 0;
                queue[tail++] = (uint32_t)q;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(out[i] != 0);
}
