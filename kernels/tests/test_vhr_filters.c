/* test_vhr_filters.c: the kernels of the very-high-resolution RGB detector (Gaussian,
 * box mean, greyness, local NCC, line runs, disk morphology) against direct references,
 * strip by strip against the whole image, and across thread counts.
 */
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

typedef struct shape {
    int width, height;
} shape;

/* Tiny shapes make the mirror fold more than once; 300 columns pass a 256-pixel block. */
static const shape shapes[] = {{1, 1}, {2, 3}, {7, 1}, {1, 9}, {13, 11}, {40, 33}, {300, 17}};
#define NSHAPES (sizeof shapes / sizeof shapes[0])

static void image_random(tk_rng *rng, float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (float)(255.0 * tk_uniform(rng));
}

static void assert_close(const float *got, const double *want, size_t n, double tol,
                         const char *what, int w)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= tol * (1.0 + fabs(want[i])))) {
            print_error("%s: differs at x=%d y=%d: got %.9g want %.9g\n", what,
                        (int)(i % (size_t)w), (int)(i / (size_t)w), got[i], want[i]);
            fail();
        }
}

static void test_gaussian_box_match_reference(void **state)
{
    (void)state;
    static const double sigmas[] = {0.3, 0.75, 1.5, 3.0};
    static const int sizes[] = {1, 2, 5, 8};
    for (size_t s = 0; s < NSHAPES; s++) {
        const int w = shapes[s].width, h = shapes[s].height;
        const size_t n = (size_t)w * h;
        float *in = tk_alloc(n, sizeof(float)), *got = tk_alloc(n, sizeof(float));
        float *scratch = tk_alloc(n, sizeof(float));
        double *want = tk_alloc(n, sizeof(double));
        tk_rng rng = tk_rng_seed(77 + s);
        image_random(&rng, in, n);
        char what[96];
        for (size_t k = 0; k < sizeof sigmas / sizeof sigmas[0]; k++) {
            assert_int_equal(tb_gaussian(in, got, w, h, sigmas[k], scratch), 0);
            ref_gaussian(in, want, w, h, sigmas[k]);
            snprintf(what, sizeof what, "gaussian sigma %g on %dx%d", sigmas[k], w, h);
            assert_close(got, want, n, 1e-5, what, w);
        }
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            assert_int_equal(tb_box_mean(in, got, w, h, sizes[k], scratch), 0);
            ref_box_mean(in, want, w, h, sizes[k]);
            snprintf(what, sizeof what, "box %d on %dx%d", sizes[k], w, h);
            assert_close(got, want, n, 1e-5, what, w);
        }
        assert_int_equal(tb_box_mean(in, got, w, h, 0, scratch), -1);
        assert_int_equal(tb_gaussian(in, got, w, h, 100.0, scratch), -1);
        free(in);
        free(got);
        free(scratch);
        free(want);
    }
}

static void test_greyness_and_ncc_match_reference(void **state)
{
    (void)state;
    const int w = 57, h = 43;
    const size_t n = (size_t)w * h;
    float *rgb = tk_alloc(3 * n, sizeof(float)), *g = tk_alloc(n, sizeof(float));
    float *y = tk_alloc(n, sizeof(float)), *got = tk_alloc(n, sizeof(float));
    double *scratch = tk_alloc(5 * n, sizeof(double));
    double *want = tk_alloc(n, sizeof(double));
    tk_rng rng = tk_rng_seed(5);
    image_random(&rng, rgb, 3 * n);
    tb_greyness(rgb, rgb + n, rgb + 2 * n, n, 1.0f, g);
    for (size_t i = 0; i < n; i++) {
        const double r = rgb[i], gg = rgb[n + i], b = rgb[2 * n + i];
        const double mx = fmax(r, fmax(gg, b)), mn = fmin(r, fmin(gg, b));
        want[i] = 1.0 - (mx - mn) / (mx + 1.0);
    }
    assert_close(g, want, n, 1e-6, "greyness", w);
    /* y: x plus noise (strong correlation), then a flat patch (the variance floor). */
    for (size_t i = 0; i < n; i++)
        y[i] = rgb[i] + (float)(20.0 * tk_normal(&rng));
    for (int yy = 0; yy < 10; yy++)
        for (int xx = 0; xx < 10; xx++)
            rgb[(size_t)yy * w + xx] = 100.0f;
    for (int size = 2; size <= 8; size += 3) {
        assert_int_equal(tb_local_ncc(rgb, y, got, w, h, size, scratch), 0);
        ref_local_ncc(rgb, y, want, w, h, size);
        char what[64];
        snprintf(what, sizeof what, "local ncc size %d", size);
        assert_close(got, want, n, 1e-5, what, w);
        /* correlated noise reads as strongly positive away from the flat patch */
        assert_true(got[(size_t)30 * w + 30] > 0.5f);
    }
    free(rgb);
    free(g);
    free(y);
    free(got);
    free(scratch);
    free(want);
}

static void test_line_runs_match_reference(void **state)
{
    (void)state;
    static const int caps[] = {1, 3, 12, 70, 65535};
    for (size_t s = 0; s < NSHAPES; s++) {
        const int w = shapes[s].width, h = shapes[s].height;
        const size_t n = (size_t)w * h;
        uint8_t *m = tk_alloc(n, 1);
        uint16_t *buf = tk_alloc(9 * n, sizeof(uint16_t));
        uint16_t *got[4], *want[4];
        for (int d = 0; d < 4; d++) {
            got[d] = buf + (size_t)d * n;
            want[d] = buf + (size_t)(4 + d) * n;
        }
        for (int density = 0; density < 3; density++) {
            tk_rng rng = tk_rng_seed(300 + 7 * s + density);
            if (density == 2)
                tk_mask_blobs(&rng, m, w, h, 6, 0.02);
            else
                tk_mask_random(&rng, m, n, density ? 0.9 : 0.4);
            for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
                tb_line_runs(m, w, h, caps[c], got, buf + 8 * n);
                ref_line_runs(m, w, h, caps[c], want);
                for (int d = 0; d < 4; d++)
                    for (size_t i = 0; i < n; i++)
                        if (got[d][i] != want[d][i]) {
                            print_error("runs dir %d cap %d %dx%d at %zu: got %u want %u\n", d,
                                        caps[c], w, h, i, got[d][i], want[d][i]);
                            fail();
                        }
            }
        }
        free(m);
        free(buf);
    }
}

static void test_disk_morphology_matches_reference(void **state)
{
    (void)state;
    for (size_t s = 0; s < NSHAPES; s++) {
        const int w = shapes[s].width, h = shapes[s].height;
        const size_t n = (size_t)w * h;
        uint8_t *in = tk_alloc(n, 1), *got = tk_alloc(n, 1), *want = tk_alloc(n, 1);
        uint8_t *tmp = tk_alloc(n, 1), *scratch = tk_alloc(2 * n, 1);
        for (int density = 0; density < 2; density++) {
            tk_rng rng = tk_rng_seed(900 + 3 * s + density);
            if (density)
                tk_mask_blobs(&rng, in, w, h, 5, 0.05);
            else
                tk_mask_random(&rng, in, n, 0.85);
            for (int r = 0; r <= 6; r++) {
                assert_int_equal(tb_disk_erode(in, got, w, h, r, scratch), 0);
                ref_disk_erode(in, want, w, h, r);
                assert_memory_equal(got, want, n);
                assert_int_equal(tb_disk_dilate(in, got, w, h, r, scratch), 0);
                ref_disk_dilate(in, want, w, h, r);
                assert_memory_equal(got, want, n);
                memcpy(got, in, n);
                assert_int_equal(tb_disk_open(got, w, h, r, scratch), 0);
                ref_disk_erode(in, tmp, w, h, r);
                ref_disk_dilate(tmp, want, w, h, r);
                assert_memory_equal(got, want, n);
                memcpy(got, in, n);
                assert_int_equal(tb_disk_close(got, w, h, r, scratch), 0);
                ref_disk_dilate(in, tmp, w, h, r);
                ref_disk_erode(tmp, want, w, h, r);
                assert_memory_equal(got, want, n);
            }
        }
        assert_int_equal(tb_disk_open(in, w, h, -1, scratch), -1);
        assert_int_equal(tb_disk_half_width(5, 0), 5);
        assert_int_equal(tb_disk_half_width(5, 5), 2);
        assert_int_equal(tb_disk_half_width(5, 6), -1);
        free(in);
        free(got);
        free(want);
        free(tmp);
        free(scratch);
    }
}

/* Keep-apart against the reference on random ids, at every thread count; and the
 * case it exists for: two objects bridged by a closing come apart, a gap inside one
 * object stays filled. */
static void test_keep_apart(void **state)
{
    (void)state;
    for (size_t s = 0; s < NSHAPES; s++) {
        const int w = shapes[s].width, h = shapes[s].height;
        const size_t n = (size_t)w * h;
        uint8_t *in = tk_alloc(n, 1), *got = tk_alloc(n, 1), *want = tk_alloc(n, 1);
        uint32_t *ids = tk_alloc(n, sizeof *ids);
        tk_rng rng = tk_rng_seed(1700 + s);
        tk_mask_blobs(&rng, in, w, h, 6, 0.05);
        for (size_t i = 0; i < n; i++) {
            const double u = tk_uniform(&rng);
            ids[i] = in[i] && u > 0.4 ? 1 + (uint32_t)(u * 10) % 3 : 0;
        }
        for (int r = 0; r <= 3; r++) {
            ref_keep_apart(in, ids, want, w, h, r);
            for (int t = 0; t < TK_NTHREAD_COUNTS; t++) {
                tk_set_threads(tk_thread_counts[t]);
                memcpy(got, in, n);
                assert_int_equal(tb_keep_apart(got, ids, w, h, r), 0);
                assert_memory_equal(got, want, n);
            }
        }
        tk_set_threads(1);
        assert_int_equal(tb_keep_apart(got, ids, w, h, -1), -1);
        free(in);
        free(got);
        free(want);
        free(ids);
    }
    /* Two 10 x 10 houses 3 px apart (ids 1, 2) and a third with a 3 px slot (id 3),
     * closed with r = 2: the bridge between 1 and 2 goes, the slot stays filled. */
    const int w = 40, h = 30, r = 2;
    const size_t n = (size_t)w * h;
    uint8_t *m = tk_alloc(n, 1), *scratch = tk_alloc(2 * n, 1);
    uint32_t *ids = tk_alloc(n, sizeof *ids);
    memset(m, 0, n);
    memset(ids, 0, n * sizeof *ids);
    for (int y = 2; y < 12; y++)
        for (int x = 2; x < 25; x++) {
            const uint32_t id = x < 12 ? 1 : x >= 15 ? 2 : 0;
            ids[(size_t)y * w + x] = id;
            m[(size_t)y * w + x] = id != 0;
        }
    for (int y = 16; y < 26; y++)
        for (int x = 2; x < 25; x++)
            if (x < 12 || x >= 15 || y >= 22) {
                ids[(size_t)y * w + x] = 3;
                m[(size_t)y * w + x] = 1;
            }
    assert_int_equal(tb_disk_close(m, w, h, r, scratch), 0);
    for (int y = 4; y < 10; y++)   /* the closing bridged the houses ... */
        assert_int_equal(m[(size_t)y * w + 13], 1);
    assert_int_equal(tb_keep_apart(m, ids, w, h, r), 0);
    for (int y = 0; y < 14; y++)   /* ... keep-apart empties the gap's columns */
        for (int x = 12; x < 15; x++)
            assert_int_equal(m[(size_t)y * w + x], 0);
    for (int y = 18; y < 22; y++)   /* the slot inside house 3 stays closed */
        for (int x = 12; x < 15; x++)
            assert_int_equal(m[(size_t)y * w + x], 1);
    free(m);
    free(scratch);
    free(ids);
}

/* Every kernel on a strip with its halo gives the whole image's central rows, bit for
 * bit; every kernel gives the same bits on 1, 2 and 3 threads. */
static void test_strips_and_threads(void **state)
{
    (void)state;
    const int w = 301, h = 120, r = 3, cap = 20, halo = 4 * r + cap;
    const double sigma = 1.5;
    const int gr = tb_gaussian_radius(sigma);
    const size_t n = (size_t)w * h;
    float *img = tk_alloc(n, sizeof(float)), *img2 = tk_alloc(n, sizeof(float));
    float *whole_g = tk_alloc(n, sizeof(float)), *whole_n = tk_alloc(n, sizeof(float));
    float *out = tk_alloc(n, sizeof(float)), *fs = tk_alloc(n, sizeof(float));
    double *ds = tk_alloc(5 * n, sizeof(double));
    uint8_t *mask = tk_alloc(n, 1), *whole_m = tk_alloc(n, 1), *m = tk_alloc(n, 1);
    uint8_t *bs = tk_alloc(2 * n, 1);
    uint16_t *rb = tk_alloc(10 * n, sizeof(uint16_t));
    uint16_t *whole_r[4], *runs[4];
    for (int d = 0; d < 4; d++) {
        whole_r[d] = rb + (size_t)d * n;
        runs[d] = rb + (size_t)(4 + d) * n;
    }
    tk_rng rng = tk_rng_seed(4242);
    image_random(&rng, img, n);
    image_random(&rng, img2, n);
    tk_mask_blobs(&rng, mask, w, h, 30, 0.03);
    tk_set_threads(1);
    tb_gaussian(img, whole_g, w, h, sigma, fs);
    tb_local_ncc(img, img2, whole_n, w, h, 8, ds);
    memcpy(whole_m, mask, n);
    tb_disk_open(whole_m, w, h, r, bs);
    tb_disk_close(whole_m, w, h, r, bs);
    tb_line_runs(mask, w, h, cap, whole_r, rb + 8 * n);
    for (int t = 0; t < TK_NTHREAD_COUNTS; t++) {
        tk_set_threads(tk_thread_counts[t]);
        for (int strip = 7; strip <= 50; strip += 43) {
            for (int y0 = 0; y0 < h; y0 += strip) {
                const int rows = h - y0 < strip ? h - y0 : strip;
                const int e0 = y0 - halo < 0 ? 0 : y0 - halo;
                const int e1 = y0 + rows + halo > h ? h : y0 + rows + halo;
                const int er = e1 - e0;
                const size_t off = (size_t)(y0 - e0) * w, cpx = (size_t)rows * w;
                const size_t at = (size_t)y0 * w;
                tb_gaussian(img + (size_t)e0 * w, out, w, er, sigma, fs);
                if (halo >= gr)
                    assert_memory_equal(out + off, whole_g + at, cpx * sizeof(float));
                tb_local_ncc(img + (size_t)e0 * w, img2 + (size_t)e0 * w, out, w, er, 8, ds);
                assert_memory_equal(out + off, whole_n + at, cpx * sizeof(float));
                memcpy(m, mask + (size_t)e0 * w, (size_t)er * w);
                tb_disk_open(m, w, er, r, bs);
                tb_disk_close(m, w, er, r, bs);
                assert_memory_equal(m + off, whole_m + at, cpx);
                tb_line_runs(mask + (size_t)e0 * w, w, er, cap, runs, rb + 8 * n);
                for (int d = 0; d < 4; d++)
                    assert_memory_equal(runs[d] + off, whole_r[d] + at, cpx * sizeof(uint16_t));
            }
        }
    }
    tk_set_threads(1);
    free(img);
    free(img2);
    free(whole_g);
    free(whole_n);
    free(out);
    free(fs);
    free(ds);
    free(mask);
    free(whole_m);
    free(m);
    free(bs);
    free(rb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gaussian_box_match_reference),
        cmocka_unit_test(test_greyness_and_ncc_match_reference),
        cmocka_unit_test(test_line_runs_match_reference),
        cmocka_unit_test(test_disk_morphology_matches_reference),
        cmocka_unit_test(test_keep_apart),
        cmocka_unit_test(test_strips_and_threads),
    };
    return cmocka_run_group_tests_name("kernels_vhr_filters", tests, NULL, NULL);
}
