/* kernels_testkit.c: random inputs and thread control for the kernel tests. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>

#include <cmocka.h>
#include <omp.h>

#include "kernels_testkit.h"

const int tk_thread_counts[TK_NTHREAD_COUNTS] = {1, 2, 3};

tk_rng tk_rng_seed(uint64_t seed)
{
    tk_rng r = {seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull};
    return r;
}

uint64_t tk_next(tk_rng *rng)
{
    uint64_t z = (rng->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double tk_uniform(tk_rng *rng)
{
    return (double)(tk_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

int tk_int(tk_rng *rng, int lo, int hi)
{
    return lo + (int)(tk_next(rng) % (uint64_t)(hi - lo + 1));
}

double tk_normal(tk_rng *rng)
{
    double u = tk_uniform(rng), v = tk_uniform(rng);
    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

void tk_mask_random(tk_rng *rng, uint8_t *mask, size_t n, double density)
{
    for (size_t i = 0; i < n; i++)
        mask[i] = (uint8_t)(tk_uniform(rng) < density);
}

static void set_px(uint8_t *mask, int width, int height, int x, int y, uint8_t v)
{
    if (x >= 0 && x < width && y >= 0 && y < height)
        mask[(size_t)y * width + x] = v;
}

void tk_mask_blobs(tk_rng *rng, uint8_t *mask, int width, int height, int nshapes, double noise)
{
    tk_mask_random(rng, mask, (size_t)width * height, noise);
    for (int s = 0; s < nshapes; s++) {
        int kind = tk_int(rng, 0, 2);
        int x0 = tk_int(rng, -3, width + 2), y0 = tk_int(rng, -3, height + 2);
        int w = tk_int(rng, 1, 3 + width / 4), h = tk_int(rng, 1, 3 + height / 4);
        if (kind == 0) {            /* filled rectangle */
            for (int y = y0; y < y0 + h; y++)
                for (int x = x0; x < x0 + w; x++)
                    set_px(mask, width, height, x, y, 1);
        } else if (kind == 1) {     /* ring: rectangle with a cleared interior */
            int t = tk_int(rng, 1, 3);
            for (int y = y0; y < y0 + h + 2 * t + 1; y++)
                for (int x = x0; x < x0 + w + 2 * t + 1; x++) {
                    int inside = y >= y0 + t && y < y0 + h + t + 1 && x >= x0 + t &&
                                 x < x0 + w + t + 1;
                    set_px(mask, width, height, x, y, (uint8_t)!inside);
                }
        } else {                    /* diagonal stroke, one pixel wide */
            int dx = tk_int(rng, 0, 1) ? 1 : -1;
            for (int k = 0; k < w + h; k++)
                set_px(mask, width, height, x0 + dx * k, y0 + k, 1);
        }
    }
}

void *tk_alloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    assert_non_null(p);
    return p;
}

void tk_set_threads(int n)
{
    omp_set_dynamic(0);
    omp_set_num_threads(n);
    int got = 0;
#pragma omp parallel
    {
#pragma omp single
        got = omp_get_num_threads();
    }
    assert_int_equal(got, n);
}
