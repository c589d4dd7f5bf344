/* test_gray_morphology.c: grey-level erosion and dilation (van Herk / Gil-Werman)
 * against a naive window scan, across thread counts, and strip by strip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels_testkit.h"
#include "tb_kernels.h"

/* The obvious definition: extreme of the clipped (2rx+1) x (2ry+1) window. */
static void naive_gray(const float *in, float *out, int w, int h, int rx, int ry, int dilate)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float best = in[(size_t)y * w + x];
            for (int yy = y - ry; yy <= y + ry; yy++)
                for (int xx = x - rx; xx <= x + rx; xx++) {
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h)
                        continue;
                    float v = in[(size_t)yy * w + xx];
                    if (dilate ? v > best : v < best)
                        best = v;
                }
            out[(size_t)y * w + x] = best;
        }
}

static float *random_image(tk_rng *rng, int w, int h)
{
    float *img = tk_alloc((size_t)w * h, sizeof *img);
    for (size_t i = 0; i < (size_t)w * h; i++)
        img[i] = (float)(tk_uniform(rng) * 1000.0 - 200.0);
    return img;
}

static void run(const float *in, float *out, int w, int h, int rx, int ry, int dilate)
{
    float *scratch = tk_alloc(tb_gray_scratch_floats(w, h, rx, ry), sizeof *scratch);
    if (dilate)
        tb_gray_dilate(in, out, w, h, rx, ry, scratch);
    else
        tb_gray_erode(in, out, w, h, rx, ry, scratch);
    free(scratch);
}

static void test_against_naive(void **state)
{
    (void)state;
    static const int sizes[][2] = {{1, 1}, {1, 37}, {41, 1}, {17, 13}, {300, 7}, {64, 65}, {513, 31}};
    static const int radii[][2] = {{0, 0}, {1, 1}, {2, 0}, {0, 3}, {5, 2}, {7, 7}, {25, 0}, {0, 40}};
    tk_rng rng = tk_rng_seed(11);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int w = sizes[s][0], h = sizes[s][1];
        float *in = random_image(&rng, w, h);
        float *got = tk_alloc((size_t)w * h, sizeof *got), *want = tk_alloc((size_t)w * h, sizeof *want);
        for (size_t r = 0; r < sizeof radii / sizeof radii[0]; r++)
            for (int dilate = 0; dilate <= 1; dilate++) {
                run(in, got, w, h, radii[r][0], radii[r][1], dilate);
                naive_gray(in, want, w, h, radii[r][0], radii[r][1], dilate);
                if (memcmp(got, want, sizeof(float) * (size_t)w * h) != 0)
                    fail_msg("%dx%d r=(%d,%d) %s differs from the naive reference", w, h,
                             radii[r][0], radii[r][1], dilate ? "dilate" : "erode");
            }
        free(in);
        free(got);
        free(want);
    }
}

static void test_threads_identical(void **state)
{
    (void)state;
    const int w = 700, h = 300;
    tk_rng rng = tk_rng_seed(5);
    float *in = random_image(&rng, w, h);
    float *one = tk_alloc((size_t)w * h, sizeof *one), *many = tk_alloc((size_t)w * h, sizeof *many);
    for (int dilate = 0; dilate <= 1; dilate++) {
        tk_set_threads(1);
        run(in, one, w, h, 12, 9, dilate);
        for (int t = 2; t <= 3; t++) {
            tk_set_threads(t);
            run(in, many, w, h, 12, 9, dilate);
            assert_memory_equal(one, many, sizeof(float) * (size_t)w * h);
        }
    }
    tk_set_threads(1);
    free(in);
    free(one);
    free(many);
}

/* A strip with a halo of ry rows gives the whole image's central rows. */
static void test_strips(void **state)
{
    (void)state;
    const int w = 200, h = 150, rx = 4, ry = 6, strip = 23;
    tk_rng rng = tk_rng_seed(9);
    float *in = random_image(&rng, w, h);
    float *whole = tk_alloc((size_t)w * h, sizeof *whole), *part = tk_alloc((size_t)w * h, sizeof *part);
    run(in, whole, w, h, rx, ry, 1);
    for (int y0 = 0; y0 < h; y0 += strip) {
        const int rows = h - y0 < strip ? h - y0 : strip;
        const int e0 = y0 - ry < 0 ? 0 : y0 - ry, e1 = y0 + rows + ry > h ? h : y0 + rows + ry;
        run(in + (size_t)e0 * w, part, w, e1 - e0, rx, ry, 1);
        assert_memory_equal(part + (size_t)(y0 - e0) * w, whole + (size_t)y0 * w,
                            sizeof(float) * (size_t)w * rows);
    }
    free(in);
    free(whole);
    free(part);
}

/* Cost does not depend on the element: a 101-pixel line runs the same passes. */
static void test_long_line_matches_naive(void **state)
{
    (void)state;
    const int w = 257, h = 9;
    tk_rng rng = tk_rng_seed(3);
    float *in = random_image(&rng, w, h);
    float *got = tk_alloc((size_t)w * h, sizeof *got), *want = tk_alloc((size_t)w * h, sizeof *want);
    run(in, got, w, h, 50, 0, 0);
    naive_gray(in, want, w, h, 50, 0, 0);
    assert_memory_equal(got, want, sizeof(float) * (size_t)w * h);
    free(in);
    free(got);
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_naive),
        cmocka_unit_test(test_threads_identical),
        cmocka_unit_test(test_strips),
        cmocka_unit_test(test_long_line_matches_naive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
