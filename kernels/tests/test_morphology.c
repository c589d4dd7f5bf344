/* test_morphology.c: tb_erode, tb_dilate, tb_open, tb_close against the full-window
 * reference, strip by strip against the whole image, and across thread counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels_testkit.h"
#include "naive_reference.h"
#include "tb_kernels.h"

typedef struct shape {
    int width, height;
} shape;

/* 1xN, Nx1, odd sizes, and wider than one 512-column block of the vertical pass. */
static const shape shapes[] = {
    {1, 1}, {1, 23}, {23, 1}, {2, 3}, {13, 9}, {31, 27}, {64, 5}, {5, 64}, {97, 41}, {600, 7},
};
#define NSHAPES (sizeof shapes / sizeof shapes[0])

static const double densities[] = {0.1, 0.5, 0.9};
#define NDENSITIES (sizeof densities / sizeof densities[0])

/* Radius pairs (rx, ry): the square radii 0..5, a radius larger than any image here,
 * long windows that fit inside the wide and tall images, and uneven pairs so a swapped
 * axis shows. */
#define BIG 700
static const int radii[][2] = {
    {0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {BIG, BIG},
    {0, 3}, {3, 0}, {1, 4}, {5, 2}, {BIG, 1}, {2, BIG}, {150, 0}, {0, 30},
};
#define NRADII (sizeof radii / sizeof radii[0])

/* The reference scans the whole clipped window per pixel: skip the cases that would
 * cost it more than a few million pixel visits (a large radius on a large image; the
 * strip and thread tests still run those through the kernels). */
static int reference_affordable(int width, int height, int rx, int ry)
{
    const double wx = 2.0 * rx + 1 < width ? 2.0 * rx + 1 : width;
    const double wy = 2.0 * ry + 1 < height ? 2.0 * ry + 1 : height;
    return (double)width * height * wx * wy <= 4e6;
}

/* Reports the first differing pixel, so a failure names where it went wrong. */
static void assert_masks_equal(const uint8_t *got, const uint8_t *want, int width, int height,
                               const char *what)
{
    const size_t n = (size_t)width * height;
    if (memcmp(got, want, n) == 0)
        return;
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i]) {
            print_error("%s: %dx%d differs first at x=%d y=%d (got %d, want %d)\n", what, width,
                        height, (int)(i % (size_t)width), (int)(i / (size_t)width), got[i],
                        want[i]);
            break;
        }
    fail();
}

static void test_erode_dilate_match_reference(void **state)
{
    (void)state;
    for (size_t s = 0; s < NSHAPES; s++) {
        const int w = shapes[s].width, h = shapes[s].height;
        const size_t n = (size_t)w * h;
        uint8_t *in = tk_alloc(n, 1), *got = tk_alloc(n, 1), *want = tk_alloc(n, 1);
        uint8_t *scratch = tk_alloc(n, 1);
        for (size_t d = 0; d < NDENSITIES; d++) {
            tk_rng rng = tk_rng_seed(1000 + 10 * s + d);
            tk_mask_random(&rng, in, n, densities[d]);
            for (size_t r = 0; r < NRADII; r++) {
                const int rx = radii[r][0], ry = radii[r][1];
                if (!reference_affordable(w, h, rx, ry))
                    continue;
                char what[96];
                snprintf(what, sizeof what, "erode density %.1f r=(%d,%d)", densities[d], rx, ry);
                tb_erode(in, got, w, h, rx, ry, scratch);
                ref_erode(in, want, w, h, rx, ry);
                assert_masks_equal(got, want, w, h, what);
                snprintf(what, sizeof what, "dilate density %.1f r=(%d,%d)", densities[d], rx, ry);
                tb_dilate(in, got, w, h, rx, ry, scratch);
                ref_dilate(in, want, w, h, rx, ry);
                assert_masks_equal(got, want, w, h, what);
            }
        }
        free(in);
        free(got);
        free(want);
        free(scratch);
    }
}

static void test_open_close_match_reference(void **state)
{
    (void)state;
    static const int rs[] = {0, 1, 2, 3, 4, 5, BIG};
    for (size_t s = 0; s < NSHAPES; s++) {
        const int w = shapes[s].width, h = shapes[s].height;
        const size_t n = (size_t)w * h;
        uint8_t *in = tk_alloc(n, 1), *got = tk_alloc(n, 1), *want = tk_alloc(n, 1);
        uint8_t *scratch = tk_alloc(2 * n, 1);
        for (size_t d = 0; d <= NDENSITIES; d++) {
            tk_rng rng = tk_rng_seed(2000 + 10 * s + d);
            if (d < NDENSITIES)
                tk_mask_random(&rng, in, n, densities[d]);
            else
                tk_mask_blobs(&rng, in, w, h, 6, 0.05);
            for (size_t r = 0; r < sizeof rs / sizeof rs[0]; r++) {
                if (!reference_affordable(w, h, rs[r], rs[r]))
                    continue;
                char what[96];
                snprintf(what, sizeof what, "open input %zu r=%d", d, rs[r]);
                memcpy(got, in, n);
                memcpy(want, in, n);
                tb_open(got, w, h, rs[r], scratch);
                ref_open(want, w, h, rs[r]);
                assert_masks_equal(got, want, w, h, what);
                snprintf(what, sizeof what, "close input %zu r=%d", d, rs[r]);
                memcpy(got, in, n);
                memcpy(want, in, n);
                tb_close(got, w, h, rs[r], scratch);
                ref_close(want, w, h, rs[r]);
                assert_masks_equal(got, want, w, h, what);
            }
        }
        free(in);
        free(got);
        free(want);
        free(scratch);
    }
}

/* tb_open(ro) then tb_close(rc) on rows [y0, y0 + rows) of a strip read with `halo`
 * rows either side (clipped to the image); the strip's central rows go to `out`. */
static void open_close_strips(const uint8_t *in, uint8_t *out, int w, int h, int ro, int rc,
                              int rows, int halo)
{
    uint8_t *buf = tk_alloc((size_t)w * (rows + 2 * halo), 1);
    uint8_t *scratch = tk_alloc(2 * (size_t)w * (rows + 2 * halo), 1);
    for (int y0 = 0; y0 < h; y0 += rows) {
        const int y1 = y0 + rows < h ? y0 + rows : h;
        const int a = y0 - halo > 0 ? y0 - halo : 0;
        const int b = y1 + halo < h ? y1 + halo : h;
        memcpy(buf, in + (size_t)a * w, (size_t)w * (b - a));
        tb_open(buf, w, b - a, ro, scratch);
        tb_close(buf, w, b - a, rc, scratch);
        memcpy(out + (size_t)y0 * w, buf + (size_t)(y0 - a) * w, (size_t)w * (y1 - y0));
    }
    free(buf);
    free(scratch);
}

static void test_open_close_strip_equivalence(void **state)
{
    (void)state;
    static const shape sizes[] = {{1, 50}, {37, 150}, {530, 90}};
    static const int pairs[][2] = {{1, 1}, {0, 2}, {3, 0}, {2, 3}, {5, 5}};
    static const int strip_rows[] = {1, 7, 64, 1 << 20};
    int short_halo_differs = 0;
    /* Thousands of one-row strips: on one thread, so fork/join costs stay out of the
     * runtime (thread counts have their own test below). */
    tk_set_threads(1);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int w = sizes[s].width, h = sizes[s].height;
        const size_t n = (size_t)w * h;
        uint8_t *in = tk_alloc(n, 1), *whole = tk_alloc(n, 1), *strips = tk_alloc(n, 1);
        uint8_t *scratch = tk_alloc(2 * n, 1);
        for (int input = 0; input < 3; input++) {
            tk_rng rng = tk_rng_seed(3000 + 10 * s + input);
            if (input < 2)
                tk_mask_random(&rng, in, n, input == 0 ? 0.5 : 0.9);
            else
                tk_mask_blobs(&rng, in, w, h, 30, 0.1);
            for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
                const int ro = pairs[p][0], rc = pairs[p][1];
                const int halo = 2 * (ro + rc);
                memcpy(whole, in, n);
                tb_open(whole, w, h, ro, scratch);
                tb_close(whole, w, h, rc, scratch);
                for (size_t k = 0; k < sizeof strip_rows / sizeof strip_rows[0]; k++) {
                    const int rows = strip_rows[k] < h ? strip_rows[k] : h;
                    char what[96];
                    snprintf(what, sizeof what, "strips of %d rows, open %d close %d, input %d",
                             rows, ro, rc, input);
                    open_close_strips(in, strips, w, h, ro, rc, rows, halo);
                    assert_masks_equal(strips, whole, w, h, what);
                    /* The comparison has teeth: a halo one row short must break some case. */
                    if (halo > 0 && rows < h) {
                        open_close_strips(in, strips, w, h, ro, rc, rows, halo - 1);
                        short_halo_differs |= memcmp(strips, whole, n) != 0;
                    }
                }
            }
        }
        free(in);
        free(whole);
        free(strips);
        free(scratch);
    }
    assert_true(short_halo_differs);
}

static void test_morphology_thread_invariance(void **state)
{
    (void)state;
    static const shape sizes[] = {{1100, 61}, {3, 200}, {200, 3}};
    static const int rpairs[][2] = {{0, 0}, {1, 2}, {3, 0}, {5, 5}, {BIG, 2}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int w = sizes[s].width, h = sizes[s].height;
        const size_t n = (size_t)w * h;
        tk_rng rng = tk_rng_seed(4000 + s);
        uint8_t *in = tk_alloc(n, 1), *scratch = tk_alloc(2 * n, 1);
        uint8_t *ref[4], *got = tk_alloc(n, 1);
        for (int k = 0; k < 4; k++)
            ref[k] = tk_alloc(n * (sizeof rpairs / sizeof rpairs[0]), 1);
        tk_mask_blobs(&rng, in, w, h, 40, 0.3);
        for (int t = 0; t < TK_NTHREAD_COUNTS; t++) {
            tk_set_threads(tk_thread_counts[t]);
            for (size_t p = 0; p < sizeof rpairs / sizeof rpairs[0]; p++) {
                const int rx = rpairs[p][0], ry = rpairs[p][1];
                uint8_t *outs[4];
                for (int k = 0; k < 4; k++)
                    outs[k] = t == 0 ? ref[k] + p * n : got;
                for (int k = 0; k < 4; k++) {
                    switch (k) {
                    case 0: tb_erode(in, outs[k], w, h, rx, ry, scratch); break;
                    case 1: tb_dilate(in, outs[k], w, h, rx, ry, scratch); break;
                    case 2: memcpy(outs[k], in, n); tb_open(outs[k], w, h, rx, scratch); break;
                    default: memcpy(outs[k], in, n); tb_close(outs[k], w, h, ry, scratch); break;
                    }
                    if (t > 0) {
                        char what[96];
                        snprintf(what, sizeof what, "op %d r=(%d,%d) with %d threads", k, rx,
                                 ry, tk_thread_counts[t]);
                        assert_masks_equal(got, ref[k] + p * n, w, h, what);
                    }
                }
            }
        }
        tk_set_threads(1);
        free(in);
        free(scratch);
        free(got);
        for (int k = 0; k < 4; k++)
            free(ref[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_erode_dilate_match_reference),
        cmocka_unit_test(test_open_close_match_reference),
        cmocka_unit_test(test_open_close_strip_equivalence),
        cmocka_unit_test(test_morphology_thread_invariance),
    };
    return cmocka_run_group_tests_name("kernels_morphology", tests, NULL, NULL);
}
