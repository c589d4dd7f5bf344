/* test_line_morphology.c: grey-level erosion, dilation, opening and closing by lines at
 * 0/45/90/135 degrees against the sample-by-sample reference, the element's anchor on
 * an impulse, strips with the documented halo, and thread counts 1/2/3. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels_testkit.h"
#include "naive_reference.h"
#include "tb_kernels.h"

static const int dirs[4] = {TB_LINE_0, TB_LINE_45, TB_LINE_90, TB_LINE_135};

typedef int (*line_fn)(const float *, float *, int, int, int, int, float *);
typedef void (*ref_fn)(const float *, float *, int, int, int, int);

static const line_fn ops[4] = {tb_gray_line_erode, tb_gray_line_dilate, tb_gray_line_open,
                               tb_gray_line_close};
static const ref_fn refs[4] = {ref_line_erode, ref_line_dilate, ref_line_open, ref_line_close};
static const char *const op_names[4] = {"erode", "dilate", "open", "close"};

/* Uniform noise, or (structured) plateaus of a few levels with bright and dark lines
 * in all four directions, so that long elements meet long runs of equal values. */
static float *make_image(tk_rng *rng, int w, int h, int structured)
{
    float *img = tk_alloc((size_t)w * h, sizeof *img);
    if (!structured) {
        for (size_t i = 0; i < (size_t)w * h; i++)
            img[i] = (float)(tk_uniform(rng) * 1000.0 - 200.0);
        return img;
    }
    uint8_t *blobs = tk_alloc((size_t)w * h, 1);
    tk_mask_blobs(rng, blobs, w, h, 8, 0.02);
    for (size_t i = 0; i < (size_t)w * h; i++)
        img[i] = blobs[i] ? 300.0f + (float)tk_int(rng, 0, 2) : 100.0f;
    for (int k = 0; k < 6; k++) {
        const int x0 = tk_int(rng, 0, w - 1), y0 = tk_int(rng, 0, h - 1);
        const int sx = tk_int(rng, -1, 1), sy = sx ? tk_int(rng, 0, 1) * 2 - 1 : 1;
        const float v = k % 2 ? 900.0f : -50.0f;
        for (int t = 0; t < w + h; t++) {
            const int x = x0 + t * sx, y = y0 + t * sy;
            if (x >= 0 && y >= 0 && x < w && y < h)
                img[(size_t)y * w + x] = v;
        }
    }
    free(blobs);
    return img;
}

static void assert_images_equal(const float *got, const float *want, int w, int h,
                                const char *what)
{
    if (memcmp(got, want, sizeof(float) * (size_t)w * h) == 0)
        return;
    for (size_t i = 0; i < (size_t)w * h; i++)
        if (memcmp(&got[i], &want[i], sizeof(float)) != 0) {
            print_error("%s: %dx%d differs first at x=%d y=%d (got %g, want %g)\n", what, w, h,
                        (int)(i % (size_t)w), (int)(i / (size_t)w), got[i], want[i]);
            break;
        }
    fail();
}

static float *line_scratch(int w, int h, int length)
{
    /* open/close need one image more than erode/dilate */
    return tk_alloc(tb_line_scratch_floats(w, h, length) + (size_t)w * h, sizeof(float));
}

static void test_against_reference(void **state)
{
    (void)state;
    static const int sizes[][2] = {{1, 1}, {1, 37}, {41, 1}, {17, 13}, {300, 7},
                                   {7, 300}, {64, 65}, {513, 31}, {40, 290}};
    static const int lengths[] = {1, 2, 3, 4, 5, 8, 12, 31, 52, 100};
    /* One thread: thousands of calls, and bits across thread counts are the subject of
     * test_threads_identical (fork/join on a busy shared machine costs a time slice). */
    tk_set_threads(1);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int w = sizes[s][0], h = sizes[s][1];
        for (int structured = 0; structured <= 1; structured++) {
            tk_rng rng = tk_rng_seed(100 + 10 * s + structured);
            float *in = make_image(&rng, w, h, structured);
            float *got = tk_alloc((size_t)w * h, sizeof *got);
            float *want = tk_alloc((size_t)w * h, sizeof *want);
            for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
                const int len = lengths[l];
                float *scratch = line_scratch(w, h, len);
                for (int d = 0; d < 4; d++)
                    for (int op = 0; op < 4; op++) {
                        char what[128];
                        snprintf(what, sizeof what, "%s dir %d length %d %s", op_names[op],
                                 dirs[d], len, structured ? "structured" : "noise");
                        assert_int_equal(ops[op](in, got, w, h, dirs[d], len, scratch), 0);
                        refs[op](in, want, w, h, dirs[d], len);
                        assert_images_equal(got, want, w, h, what);
                    }
                free(scratch);
            }
            free(in);
            free(got);
            free(want);
        }
    }
}

/* The dilation of a single bright pixel draws the element itself: B = {k u}, k from
 * -floor((L-1)/2) to ceil((L-1)/2), u = (1,0), (1,-1), (0,-1), (-1,-1) (y down); the
 * erosion of a single dark pixel draws the reflected element. */
static void test_anchor_on_impulse(void **state)
{
    (void)state;
    static const int steps[4][2] = {{1, 0}, {1, -1}, {0, -1}, {-1, -1}};
    const int w = 21, h = 21, cx = 10, cy = 10;
    float *in = tk_alloc((size_t)w * h, sizeof *in), *out = tk_alloc((size_t)w * h, sizeof *out);
    for (int len = 1; len <= 7; len++) {
        float *scratch = line_scratch(w, h, len);
        const int klo = -((len - 1) / 2), khi = klo + len - 1;
        for (int d = 0; d < 4; d++)
            for (int dilate = 0; dilate <= 1; dilate++) {
                for (size_t i = 0; i < (size_t)w * h; i++)
                    in[i] = dilate ? 0.0f : 1.0f;
                in[(size_t)cy * w + cx] = dilate ? 1.0f : 0.0f;
                if (dilate)
                    tb_gray_line_dilate(in, out, w, h, dirs[d], len, scratch);
                else
                    tb_gray_line_erode(in, out, w, h, dirs[d], len, scratch);
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        /* dilation: p = c + k u; erosion: p + k u = c */
                        int hit = 0;
                        for (int k = klo; k <= khi; k++) {
                            const int sgn = dilate ? 1 : -1;
                            hit |= x == cx + sgn * k * steps[d][0] && y == cy + sgn * k * steps[d][1];
                        }
                        const float want = dilate ? (float)hit : (float)!hit;
                        if (out[(size_t)y * w + x] != want)
                            fail_msg("%s length %d dir %d: pixel (%d,%d) is %g, want %g",
                                     dilate ? "dilate" : "erode", len, dirs[d], x - cx, y - cy,
                                     out[(size_t)y * w + x], want);
                    }
            }
        free(scratch);
    }
    free(in);
    free(out);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    float in[12] = {0}, out[12], scratch[4096];
    for (int i = 0; i < 12; i++)
        out[i] = 7.0f;
    assert_int_equal(tb_gray_line_erode(in, out, 4, 3, 30, 3, scratch), -1);
    assert_int_equal(tb_gray_line_dilate(in, out, 4, 3, 180, 3, scratch), -1);
    assert_int_equal(tb_gray_line_open(in, out, 4, 3, 45, 0, scratch), -1);
    assert_int_equal(tb_gray_line_close(in, out, 4, 3, 90, -2, scratch), -1);
    for (int i = 0; i < 12; i++)
        assert_true(out[i] == 7.0f);
}

/* A strip read with ceil((L-1)/2) rows of halo gives the whole image's rows for
 * erosion and dilation, L - 1 rows for opening and closing (one row less must break
 * some case). */
static void test_strips_with_halo(void **state)
{
    (void)state;
    const int w = 97, h = 300;
    static const int lengths[] = {2, 5, 12, 31};
    static const int strip_rows[] = {1, 16, 77};
    tk_rng rng = tk_rng_seed(77);
    float *in = make_image(&rng, w, h, 1);
    float *whole = tk_alloc((size_t)w * h, sizeof *whole), *part = tk_alloc((size_t)w * h, sizeof *part);
    int short_halo_differs = 0;
    tk_set_threads(1);
    for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
        const int len = lengths[l], reach = len / 2;   /* ceil((len - 1) / 2) */
        float *scratch = line_scratch(w, h, len);
        for (int d = 1; d < 4; d++)
            for (int op = 0; op < 4; op++) {
                const int halo = op < 2 ? reach : len - 1;
                ops[op](in, whole, w, h, dirs[d], len, scratch);
                for (size_t k = 0; k < sizeof strip_rows / sizeof strip_rows[0]; k++)
                    for (int short_by = 0; short_by <= 1; short_by++) {
                        const int rows = strip_rows[k], hl = halo - short_by;
                        int same = 1;
                        for (int y0 = 0; y0 < h; y0 += rows) {
                            const int n = h - y0 < rows ? h - y0 : rows;
                            const int e0 = y0 - hl < 0 ? 0 : y0 - hl;
                            const int e1 = y0 + n + hl > h ? h : y0 + n + hl;
                            ops[op](in + (size_t)e0 * w, part, w, e1 - e0, dirs[d], len, scratch);
                            same &= memcmp(part + (size_t)(y0 - e0) * w, whole + (size_t)y0 * w,
                                           sizeof(float) * (size_t)w * n) == 0;
                        }
                        if (!short_by && !same)
                            fail_msg("%s dir %d length %d: strips of %d rows with halo %d differ",
                                     op_names[op], dirs[d], len, rows, hl);
                        short_halo_differs |= short_by && !same;
                    }
            }
        free(scratch);
    }
    assert_true(short_halo_differs);
    free(in);
    free(whole);
    free(part);
}

/* Bands of output rows (>= 256 and 4 L) and blocks within them split across threads.
 * Erosion and dilation only: opening and closing are compositions of them. */
static void test_threads_identical(void **state)
{
    (void)state;
    static const int sizes[][2] = {{700, 300}, {130, 1100}, {3, 600}};
    static const int lengths[] = {2, 31, 150};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int w = sizes[s][0], h = sizes[s][1];
        tk_rng rng = tk_rng_seed(500 + s);
        float *in = make_image(&rng, w, h, (int)(s % 2));
        float *one = tk_alloc((size_t)w * h, sizeof *one), *many = tk_alloc((size_t)w * h, sizeof *many);
        for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
            float *scratch = line_scratch(w, h, lengths[l]);
            for (int d = 0; d < 4; d++)
                for (int op = 0; op < 2; op++) {
                    tk_set_threads(1);
                    ops[op](in, one, w, h, dirs[d], lengths[l], scratch);
                    for (int t = 1; t < TK_NTHREAD_COUNTS; t++) {
                        char what[128];
                        tk_set_threads(tk_thread_counts[t]);
                        ops[op](in, many, w, h, dirs[d], lengths[l], scratch);
                        snprintf(what, sizeof what, "%s dir %d length %d, %d threads", op_names[op],
                                 dirs[d], lengths[l], tk_thread_counts[t]);
                        assert_images_equal(many, one, w, h, what);
                    }
                }
            free(scratch);
        }
        tk_set_threads(1);
        free(in);
        free(one);
        free(many);
    }
}

/* Against the reference on several threads, so that the threads' ranges of rows
 * (each streamed from its own first block) meet at rows that are not block edges;
 * 9 threads is more than the kernel's 8 tables. */
static void test_thread_seams_match_reference(void **state)
{
    (void)state;
    const int w = 45, h = 700;
    tk_rng rng = tk_rng_seed(808);
    float *in = make_image(&rng, w, h, 0);
    float *got = tk_alloc((size_t)w * h, sizeof *got), *want = tk_alloc((size_t)w * h, sizeof *want);
    static const int lengths[] = {3, 31, 66};
    static const int threads[] = {2, 3, 9};
    for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
        float *scratch = line_scratch(w, h, lengths[l]);
        for (int d = 0; d < 4; d++)
            for (int op = 0; op < 2; op++) {
                refs[op](in, want, w, h, dirs[d], lengths[l]);
                for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
                    char what[96];
                    snprintf(what, sizeof what, "%s dir %d length %d, %d threads", op_names[op],
                             dirs[d], lengths[l], threads[t]);
                    tk_set_threads(threads[t]);
                    ops[op](in, got, w, h, dirs[d], lengths[l], scratch);
                    assert_images_equal(got, want, w, h, what);
                }
            }
        free(scratch);
    }
    tk_set_threads(1);
    free(in);
    free(got);
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_reference),
        cmocka_unit_test(test_anchor_on_impulse),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_strips_with_halo),
        cmocka_unit_test(test_threads_identical),
        cmocka_unit_test(test_thread_seams_match_reference),
    };
    return cmocka_run_group_tests_name("kernels_line_morphology", tests, NULL, NULL);
}
