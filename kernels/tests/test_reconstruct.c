/* test_reconstruct.c: grey reconstruction by dilation and erosion against the fixpoint
 * reference (random, structured, serpentine paths crossing every band, plateaus) with
 * 1 to 11 bands, duality, openings/closings by reconstruction, binary reconstruction
 * and hole filling, and thread counts 1/2/3. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels_testkit.h"
#include "naive_reference.h"
#include "reconstruct_internal.h"
#include "tb_kernels.h"

static void assert_floats_equal(const float *got, const float *want, int w, int h, const char *what)
{
    for (size_t i = 0; i < (size_t)w * h; i++)
        if (got[i] != want[i]) {
            print_error("%s: %dx%d differs first at x=%d y=%d (got %g, want %g)\n", what, w, h,
                        (int)(i % (size_t)w), (int)(i / (size_t)w), got[i], want[i]);
            fail();
        }
}

static void assert_bytes_equal(const uint8_t *got, const uint8_t *want, int w, int h,
                               const char *what)
{
    for (size_t i = 0; i < (size_t)w * h; i++)
        if (got[i] != want[i]) {
            print_error("%s: %dx%d differs first at x=%d y=%d (got %d, want %d)\n", what, w, h,
                        (int)(i % (size_t)w), (int)(i / (size_t)w), got[i], want[i]);
            fail();
        }
}

static void run_grey(const float *marker, const float *mask, float *out, int w, int h, int dual)
{
    void *scratch = tk_alloc(tb_reconstruct_scratch_bytes(w, h), 1);
    if (dual)
        tb_reconstruct_erode(marker, mask, out, w, h, scratch);
    else
        tb_reconstruct_dilate(marker, mask, out, w, h, scratch);
    free(scratch);
}

/* With `bands` bands (clamped to what the height allows: one per 64 rows). */
static void run_bands(const float *marker, const float *mask, float *out, int w, int h, int dual,
                      int bands)
{
    void *scratch = tk_alloc(tb_reconstruct_scratch_bytes(w, h), 1);
    tb_reconstruct_bands(marker, mask, out, w, h, scratch, dual, bands);
    free(scratch);
}

static const int band_counts[] = {1, 2, 3, 11};

/* Mask and marker pairs of several kinds:
 *  0: independent uniform noise (marker often above the mask: clipped first);
 *  1: mask = plateaus and ridges with few levels, marker = mask lowered except at a
 *     few seeds (long flat propagation, many equal values);
 *  2: mask = noise, marker = mask minus a random amount (marker <= mask), and a few
 *     pixels at -inf / +inf. */
static void make_pair(tk_rng *rng, int kind, int w, int h, int dual, float *marker, float *mask)
{
    const size_t n = (size_t)w * h;
    const float sign = dual ? -1.0f : 1.0f;
    if (kind == 0) {
        for (size_t i = 0; i < n; i++) {
            mask[i] = (float)(tk_uniform(rng) * 100.0);
            marker[i] = (float)(tk_uniform(rng) * 100.0 - 30.0);
        }
        return;
    }
    if (kind == 1) {
        uint8_t *blobs = tk_alloc(n, 1);
        tk_mask_blobs(rng, blobs, w, h, 10, 0.01);
        for (size_t i = 0; i < n; i++) {
            mask[i] = sign * (blobs[i] ? 50.0f + (float)tk_int(rng, 0, 1) : 10.0f);
            marker[i] = sign * 10.0f;
        }
        for (int k = 0; k < 5; k++) {
            const size_t i = (size_t)tk_int(rng, 0, (int)n - 1);
            marker[i] = mask[i] + sign * (float)tk_int(rng, 0, 3);
        }
        free(blobs);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        mask[i] = (float)(tk_uniform(rng) * 1000.0);
        marker[i] = mask[i] - sign * (float)(tk_uniform(rng) * 300.0);
    }
    for (int k = 0; k < 4; k++) {
        const size_t i = (size_t)tk_int(rng, 0, (int)n - 1);
        marker[i] = sign * -INFINITY;
        mask[(size_t)tk_int(rng, 0, (int)n - 1)] = sign * INFINITY;
    }
}

static void test_grey_against_reference(void **state)
{
    (void)state;
    /* Heights across the band split (bands of >= 64 rows): 1, 2, 3 and 11 bands. */
    static const int sizes[][2] = {{1, 1}, {1, 200}, {200, 1}, {2, 2}, {37, 29}, {128, 130},
                                   {60, 257}, {23, 700}, {301, 65}};
    /* Bands run one after another here; threads are test_grey_threads_identical's. */
    tk_set_threads(1);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int w = sizes[s][0], h = sizes[s][1];
        const size_t n = (size_t)w * h;
        float *marker = tk_alloc(n, sizeof *marker), *mask = tk_alloc(n, sizeof *mask);
        float *got = tk_alloc(n, sizeof *got), *want = tk_alloc(n, sizeof *want);
        for (int kind = 0; kind < 3; kind++)
            for (int dual = 0; dual <= 1; dual++) {
                tk_rng rng = tk_rng_seed(1000 + 100 * s + 10 * kind + dual);
                make_pair(&rng, kind, w, h, dual, marker, mask);
                char what[96];
                ref_reconstruct(marker, mask, want, w, h, dual);
                for (size_t b = 0; b < sizeof band_counts / sizeof band_counts[0]; b++) {
                    snprintf(what, sizeof what, "%s, input kind %d, %d bands",
                             dual ? "erode" : "dilate", kind, band_counts[b]);
                    run_bands(marker, mask, got, w, h, dual, band_counts[b]);
                    assert_floats_equal(got, want, w, h, what);
                }
                /* in place: out = marker */
                memcpy(got, marker, n * sizeof *got);
                run_grey(got, mask, got, w, h, dual);
                assert_floats_equal(got, want, w, h, what);
            }
        free(marker);
        free(mask);
        free(got);
        free(want);
    }
}

/* A one-pixel-wide corridor snaking down through every band and back up, seeded at one
 * end: the value must travel the whole path (thousands of pixels, every band edge
 * crossed many times), and the descending variant checks each pixel's level. */
static void test_serpentine(void **state)
{
    (void)state;
    const int w = 41, h = 650;
    const size_t n = (size_t)w * h;
    float *marker = tk_alloc(n, sizeof *marker), *mask = tk_alloc(n, sizeof *mask);
    float *got = tk_alloc(n, sizeof *got), *want = tk_alloc(n, sizeof *want);
    tk_set_threads(1);
    for (int descending = 0; descending <= 1; descending++)
        for (int seed_end = 0; seed_end <= 1; seed_end++) {
            for (size_t i = 0; i < n; i++)
                mask[i] = marker[i] = 0.0f;
            /* Corridor: columns 1, 5, 9, ... run the full height, joined alternately at
             * the bottom and top by a horizontal run; 4-connected, single track. */
            size_t path[60000];
            size_t len = 0;
            for (int c = 1; c + 4 < w; c += 4) {
                const int down = ((c - 1) / 4) % 2 == 0;
                for (int k = 1; k < h - 1; k++)
                    path[len++] = (size_t)(down ? k : h - 1 - k) * w + c;
                const int y = down ? h - 2 : 1;
                for (int x = c + 1; x < c + 4; x++)
                    path[len++] = (size_t)y * w + x;
            }
            for (size_t k = 0; k < len; k++)
                mask[path[k]] = descending ? 100000.0f - (seed_end ? (float)(len - k) : (float)k) : 7.0f;
            const size_t seed = seed_end ? path[len - 1] : path[0];
            marker[seed] = mask[seed];
            ref_reconstruct(marker, mask, want, w, h, 0);
            /* Analytically: the whole corridor comes back, nothing else rises. */
            assert_floats_equal(want, mask, w, h, "serpentine reference = mask");
            for (size_t b = 0; b < sizeof band_counts / sizeof band_counts[0]; b++) {
                run_bands(marker, mask, got, w, h, 0, band_counts[b]);
                assert_floats_equal(got, mask, w, h, "serpentine = mask");
            }
        }
    free(marker);
    free(mask);
    free(got);
    free(want);
}

/* Reconstruction by erosion is reconstruction by dilation of the negated images. */
static void test_duality(void **state)
{
    (void)state;
    const int w = 150, h = 210;
    const size_t n = (size_t)w * h;
    float *marker = tk_alloc(n, sizeof *marker), *mask = tk_alloc(n, sizeof *mask);
    float *nm = tk_alloc(n, sizeof *nm), *nk = tk_alloc(n, sizeof *nk);
    float *a = tk_alloc(n, sizeof *a), *b = tk_alloc(n, sizeof *b);
    tk_rng rng = tk_rng_seed(42);
    make_pair(&rng, 1, w, h, 1, marker, mask);
    for (size_t i = 0; i < n; i++) {
        nm[i] = -marker[i];
        nk[i] = -mask[i];
    }
    run_grey(marker, mask, a, w, h, 1);
    run_grey(nm, nk, b, w, h, 0);
    for (size_t i = 0; i < n; i++)
        b[i] = -b[i];
    assert_floats_equal(a, b, w, h, "erode(m, k) = -dilate(-m, -k)");
    free(marker);
    free(mask);
    free(nm);
    free(nk);
    free(a);
    free(b);
}

static void test_grey_threads_identical(void **state)
{
    (void)state;
    static const int sizes[][2] = {{1000, 700}, {90, 2000}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int w = sizes[s][0], h = sizes[s][1];
        const size_t n = (size_t)w * h;
        float *marker = tk_alloc(n, sizeof *marker), *mask = tk_alloc(n, sizeof *mask);
        float *one = tk_alloc(n, sizeof *one), *many = tk_alloc(n, sizeof *many);
        for (int kind = 1; kind < 3; kind++)
            for (int dual = 0; dual <= 1; dual++) {
                tk_rng rng = tk_rng_seed(7000 + 10 * s + 2 * kind + dual);
                make_pair(&rng, kind, w, h, dual, marker, mask);
                tk_set_threads(1);
                run_grey(marker, mask, one, w, h, dual);
                for (int t = 1; t < TK_NTHREAD_COUNTS; t++) {
                    tk_set_threads(tk_thread_counts[t]);
                    run_grey(marker, mask, many, w, h, dual);
                    assert_memory_equal(one, many, n * sizeof *one);
                }
            }
        tk_set_threads(1);
        free(marker);
        free(mask);
        free(one);
        free(many);
    }
}

/* Opening by reconstruction = reconstruction of the line opening = reconstruction of
 * the line erosion; closing the dual. A bright segment shorter than the line is removed,
 * a longer one kept exactly. */
static void test_open_close_by_reconstruction(void **state)
{
    (void)state;
    static const int dirs[4] = {TB_LINE_0, TB_LINE_45, TB_LINE_90, TB_LINE_135};
    static const int lengths[] = {1, 2, 5, 12};
    const int w = 83, h = 140;
    const size_t n = (size_t)w * h;
    float *in = tk_alloc(n, sizeof *in), *got = tk_alloc(n, sizeof *got);
    float *filtered = tk_alloc(n, sizeof *filtered), *want = tk_alloc(n, sizeof *want);
    tk_rng rng = tk_rng_seed(9);
    uint8_t *blobs = tk_alloc(n, 1);
    tk_mask_blobs(&rng, blobs, w, h, 12, 0.05);
    for (size_t i = 0; i < n; i++)
        in[i] = (blobs[i] ? 200.0f : 100.0f) + (float)tk_int(&rng, 0, 20);
    for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
        void *scratch = tk_alloc(tb_reconstruct_line_scratch_bytes(w, h, lengths[l]), 1);
        for (int d = 0; d < 4; d++)
            for (int dark = 0; dark <= 1; dark++) {
                char what[96];
                snprintf(what, sizeof what, "%s by reconstruction, dir %d length %d",
                         dark ? "closing" : "opening", dirs[d], lengths[l]);
                if (dark) {
                    assert_int_equal(tb_close_by_reconstruction(in, got, w, h, dirs[d], lengths[l], scratch), 0);
                    ref_line_close(in, filtered, w, h, dirs[d], lengths[l]);
                } else {
                    assert_int_equal(tb_open_by_reconstruction(in, got, w, h, dirs[d], lengths[l], scratch), 0);
                    ref_line_open(in, filtered, w, h, dirs[d], lengths[l]);
                }
                ref_reconstruct(filtered, in, want, w, h, dark);
                assert_floats_equal(got, want, w, h, what);
            }
        assert_int_equal(tb_open_by_reconstruction(in, got, w, h, 60, lengths[l], scratch), -1);
        free(scratch);
    }
    /* A 9-pixel horizontal bright bar on a flat background. */
    for (size_t i = 0; i < n; i++)
        in[i] = 10.0f;
    for (int x = 20; x < 29; x++)
        in[(size_t)50 * w + x] = 90.0f;
    void *scratch = tk_alloc(tb_reconstruct_line_scratch_bytes(w, h, 10), 1);
    tb_open_by_reconstruction(in, got, w, h, TB_LINE_0, 9, scratch);
    assert_floats_equal(got, in, w, h, "a 9-pixel bar survives a 9-pixel line");
    tb_open_by_reconstruction(in, got, w, h, TB_LINE_0, 10, scratch);
    for (size_t i = 0; i < n; i++)
        assert_true(got[i] == 10.0f);
    tb_open_by_reconstruction(in, got, w, h, TB_LINE_90, 2, scratch);
    for (size_t i = 0; i < n; i++)
        assert_true(got[i] == 10.0f);
    free(scratch);
    free(blobs);
    free(in);
    free(got);
    free(filtered);
    free(want);
}

static void test_binary_reconstruct(void **state)
{
    (void)state;
    static const int sizes[][2] = {{1, 1}, {1, 50}, {50, 1}, {31, 17}, {120, 97}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int w = sizes[s][0], h = sizes[s][1];
        const size_t n = (size_t)w * h;
        uint8_t *marker = tk_alloc(n, 1), *mask = tk_alloc(n, 1);
        uint8_t *got = tk_alloc(n, 1), *want = tk_alloc(n, 1);
        uint32_t *queue = tk_alloc(n, sizeof *queue);
        for (int input = 0; input < 3; input++) {
            tk_rng rng = tk_rng_seed(300 + 10 * s + input);
            if (input == 0)
                tk_mask_random(&rng, mask, n, 0.55);
            else
                tk_mask_blobs(&rng, mask, w, h, 8, input == 1 ? 0.0 : 0.2);
            tk_mask_random(&rng, marker, n, 0.01);
            for (int conn = 4; conn <= 8; conn += 4) {
                char what[64];
                snprintf(what, sizeof what, "binary, input %d, %d-connected", input, conn);
                tb_binary_reconstruct(marker, mask, got, w, h, conn, queue);
                ref_binary_reconstruct(marker, mask, want, w, h, conn);
                assert_bytes_equal(got, want, w, h, what);
                memcpy(got, marker, n);
                tb_binary_reconstruct(got, mask, got, w, h, conn, queue);
                assert_bytes_equal(got, want, w, h, what);
            }
        }
        free(marker);
        free(mask);
        free(got);
        free(want);
        free(queue);
    }
}

static void test_fill_holes(void **state)
{
    (void)state;
    static const int sizes[][2] = {{1, 1}, {3, 3}, {1, 40}, {40, 2}, {64, 48}, {211, 153}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int w = sizes[s][0], h = sizes[s][1];
        const size_t n = (size_t)w * h;
        uint8_t *mask = tk_alloc(n, 1), *got = tk_alloc(n, 1), *want = tk_alloc(n, 1);
        uint32_t *queue = tk_alloc(n, sizeof *queue);
        for (int input = 0; input < 3; input++) {
            tk_rng rng = tk_rng_seed(600 + 10 * s + input);
            if (input == 0)
                tk_mask_random(&rng, mask, n, 0.6);
            else
                tk_mask_blobs(&rng, mask, w, h, 10, input == 1 ? 0.0 : 0.3);
            tb_fill_holes(mask, got, w, h, queue);
            ref_fill_holes(mask, want, w, h);
            assert_bytes_equal(got, want, w, h, "fill holes");
            memcpy(got, mask, n);
            tb_fill_holes(got, got, w, h, queue);
            assert_bytes_equal(got, want, w, h, "fill holes in place");
        }
        free(mask);
        free(got);
        free(want);
        free(queue);
    }
    /* A diagonal ring (8-connected foreground) closes its hole; a ring open at one
     * pixel does not; a ring touching the border still holds its hole. */
    static const char *const picture[] = {
        "..#.....###",
        ".#.#....#.#",
        "#...#...#.#",
        ".#.#.......",
        "..#....####",
        ".......#..#",
        "###....####",
        "#.#........",
    };
    static const char *const filled[] = {
        "..#.....###",
        ".###....#.#",
        "#####...#.#",
        ".###.......",
        "..#....####",
        ".......####",
        "###....####",
        "#.#........",
    };
    const int w = 11, h = 8;
    uint8_t in[88], got[88];
    uint32_t queue[88];
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            in[y * w + x] = picture[y][x] == '#';
    tb_fill_holes(in, got, w, h, queue);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (got[y * w + x] != (filled[y][x] == '#'))
                fail_msg("fill holes picture: pixel (%d,%d) is %d", x, y, got[y * w + x]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grey_against_reference),
        cmocka_unit_test(test_serpentine),
        cmocka_unit_test(test_duality),
        cmocka_unit_test(test_grey_threads_identical),
        cmocka_unit_test(test_open_close_by_reconstruction),
        cmocka_unit_test(test_binary_reconstruct),
        cmocka_unit_test(test_fill_holes),
    };
    return cmocka_run_group_tests_name("kernels_reconstruct", tests, NULL, NULL);
}
