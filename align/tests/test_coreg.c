/* test_coreg.c: sub-pixel co-registration (tb_coreg_*) on synthetic imagery.
 *
 * A scene is smoothed random noise with a 1/f-like spectrum plus a few hundred bright
 * and dark rectangles (buildings, shadows), blurred by a Gaussian PSF. The reference and
 * moving dates are rendered from the scene's spectrum with an exact sub-pixel shift
 * (multiplying by a phase ramp), so that moving(x + sx, y + sy) = reference(x, y)
 * exactly, and the shift is recovered through tb_coreg_layout + tb_coreg_match +
 * tb_coreg_combine over a 1024 x 1024 image with 256-pixel windows: clean, with
 * independent noise in each date, with changed areas, and with invalid pixels. The
 * sign convention is checked on an integer shift made by indexing (independent of the
 * Fourier renderer), determinism by running twice, and handles on four threads. Accuracy and time per window
 * are printed.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <fftw3.h>

#include "tb_coreg.h"
#include "tb_error.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define SIDE 1024     /* test image side */
#define WIN 256       /* window side */
#define MAXWIN 64     /* room for any layout used here */
#define TOLERANCE 0.1 /* px: required accuracy of every estimate */

static const double test_shifts[][2] = {
    {2.3, -1.7}, {0.4, 0.25}, {-12.6, 7.1}, {19.5, -18.3}, {0.0, 0.0}, {-7.75, 15.5},
};
#define NSHIFTS (sizeof test_shifts / sizeof test_shifts[0])

/* ---- helpers ------------------------------------------------------------------ */

static void *xalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    assert_non_null(p);
    return p;
}

/* splitmix64: small, fast, and the same sequence on every platform. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rng_uniform(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

static double rng_gauss(uint64_t *s)
{
    double u = rng_uniform(s), v = rng_uniform(s);
    if (u < 1e-300)
        u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

static double image_std(const float *img, size_t n)
{
    double s = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++)
        s += img[i];
    const double mean = s / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (img[i] - mean) * (img[i] - mean);
    return sqrt(ss / (double)n);
}

/* ---- synthetic scene ------------------------------------------------------------ */

#define NH (SIDE / 2 + 1)

/* The spectrum of one scene, SIDE x NH (r2c layout), ready to be rendered at a shift. */
typedef struct scene {
    fftwf_complex *spec;
} scene;

static void fill_rect(float *img, int x0, int y0, int w, int h, float value)
{
    for (int y = y0; y < y0 + h; y++)
        for (int x = x0; x < x0 + w; x++)
            img[(size_t)((y + SIDE) % SIDE) * SIDE + (size_t)((x + SIDE) % SIDE)] = value;
}

/* Builds scene `seed`: noise shaped to amplitude ~ 1 / (1 + (f / f0)^2)^0.75 (std ~12
 * around 100), plus 400 rectangles 6-36 px (bright roofs, dark shadows). */
static scene scene_make(uint64_t seed)
{
    scene s;
    const size_t nn = (size_t)SIDE * SIDE;
    float *img = fftwf_malloc(nn * sizeof(float));
    s.spec = fftwf_malloc((size_t)SIDE * NH * sizeof(fftwf_complex));
    assert_non_null(img);
    assert_non_null(s.spec);
    fftwf_plan fwd = fftwf_plan_dft_r2c_2d(SIDE, SIDE, img, s.spec, FFTW_ESTIMATE);
    fftwf_plan inv = fftwf_plan_dft_c2r_2d(SIDE, SIDE, s.spec, img, FFTW_ESTIMATE);
    assert_non_null(fwd);
    assert_non_null(inv);

    uint64_t st = seed;
    for (size_t i = 0; i < nn; i++)
        img[i] = (float)rng_gauss(&st);
    fftwf_execute(fwd);
    const double f0 = 0.02; /* cycles per pixel */
    for (int ky = 0; ky < SIDE; ky++) {
        const double fy = (ky < SIDE / 2 ? ky : ky - SIDE) / (double)SIDE;
        for (int kx = 0; kx < NH; kx++) {
            const double fx = kx / (double)SIDE;
            const double a = pow(1.0 + (fx * fx + fy * fy) / (f0 * f0), -0.75);
            fftwf_complex *q = &s.spec[(size_t)ky * NH + (size_t)kx];
            (*q)[0] *= (float)(a / nn);
            (*q)[1] *= (float)(a / nn);
        }
    }
    fftwf_execute(inv);
    const double sd = image_std(img, nn);
    for (size_t i = 0; i < nn; i++)
        img[i] = (float)(100.0 + 12.0 * img[i] / sd);
    for (int r = 0; r < 400; r++) {
        const int x = (int)(rng_uniform(&st) * SIDE), y = (int)(rng_uniform(&st) * SIDE);
        const int w = 6 + (int)(rng_uniform(&st) * 30), h = 6 + (int)(rng_uniform(&st) * 30);
        const int bright = rng_uniform(&st) < 0.7;
        const float v = bright ? (float)(130.0 + 50.0 * rng_uniform(&st))
                               : (float)(50.0 + 20.0 * rng_uniform(&st));
        fill_rect(img, x, y, w, h, v);
    }
    fftwf_execute(fwd);
    fftwf_destroy_plan(fwd);
    fftwf_destroy_plan(inv);
    fftwf_free(img);
    return s;
}

static void scene_free(scene *s)
{
    fftwf_free(s->spec);
    s->spec = NULL;
}

/* Renders the scene through a Gaussian PSF (sigma 0.8 px), moved by (sx, sy):
 * out(x + sx, y + sy) = unmoved(x, y), i.e. out's spectrum is multiplied by
 * exp(-2 pi i (kx sx + ky sy) / SIDE). Nyquist terms are dropped (no real shift). */
static void scene_render(const scene *s, double sx, double sy, float *out)
{
    const size_t nspec = (size_t)SIDE * NH;
    fftwf_complex *tmp = fftwf_malloc(nspec * sizeof(fftwf_complex));
    assert_non_null(tmp);
    fftwf_plan inv = fftwf_plan_dft_c2r_2d(SIDE, SIDE, tmp, out, FFTW_ESTIMATE);
    assert_non_null(inv);
    const double sigma = 0.8, nn = (double)SIDE * SIDE;
    for (int ky = 0; ky < SIDE; ky++) {
        const int k = ky < SIDE / 2 ? ky : ky - SIDE;
        for (int kx = 0; kx < NH; kx++) {
            const size_t i = (size_t)ky * NH + (size_t)kx;
            if (ky == SIDE / 2 || kx == SIDE / 2) {
                tmp[i][0] = tmp[i][1] = 0.0f;
                continue;
            }
            const double fx = kx / (double)SIDE, fy = k / (double)SIDE;
            const double g = exp(-2.0 * M_PI * M_PI * sigma * sigma * (fx * fx + fy * fy)) / nn;
            const double ph = -2.0 * M_PI * (fx * sx + fy * sy);
            const double cr = g * cos(ph), ci = g * sin(ph);
            const double re = s->spec[i][0], im = s->spec[i][1];
            tmp[i][0] = (float)(re * cr - im * ci);
            tmp[i][1] = (float)(re * ci + im * cr);
        }
    }
    fftwf_execute(inv);
    fftwf_destroy_plan(inv);
    fftwf_free(tmp);
}

static void add_noise(float *img, double sd, uint64_t seed)
{
    uint64_t st = seed;
    for (size_t i = 0; i < (size_t)SIDE * SIDE; i++)
        img[i] += (float)(sd * rng_gauss(&st));
}

/* ---- the estimate under test ---------------------------------------------------- */

/* Lays out up to max_windows windows over the SIDE x SIDE pair, matches each and
 * combines them. Returns tb_coreg_combine's status; fills w[] (MAXWIN) and *n. */
static int estimate(tb_coreg *c, const float *ref, const float *mov, const uint8_t *valid,
                    int max_windows, tb_coreg_window *w, int *n, tb_coreg_result *r)
{
    int x0[MAXWIN], y0[MAXWIN];
    assert_true(max_windows <= MAXWIN);
    const int count = tb_coreg_layout(SIDE, SIDE, WIN, max_windows, x0, y0);
    assert_true(count > 0);
    float *a = xalloc((size_t)WIN * WIN, sizeof(float));
    float *b = xalloc((size_t)WIN * WIN, sizeof(float));
    uint8_t *v = valid ? xalloc((size_t)WIN * WIN, 1) : NULL;
    for (int k = 0; k < count; k++) {
        for (int y = 0; y < WIN; y++) {
            const size_t src = (size_t)(y0[k] + y) * SIDE + (size_t)x0[k];
            memcpy(a + (size_t)y * WIN, ref + src, WIN * sizeof(float));
            memcpy(b + (size_t)y * WIN, mov + src, WIN * sizeof(float));
            if (v)
                memcpy(v + (size_t)y * WIN, valid + src, WIN);
        }
        w[k].x = x0[k] + WIN / 2.0;
        w[k].y = y0[k] + WIN / 2.0;
        assert_int_equal(tb_coreg_match(c, a, b, v, &w[k]), 0);
    }
    free(a);
    free(b);
    free(v);
    *n = count;
    return tb_coreg_combine(w, count, r);
}

/* The two-pass practice documented in tb_coreg.h: a first estimate on windows at the
 * same places, then the moving windows read at the origin moved by the rounded first
 * estimate (ox, oy), so that the second pass sees a residual under ~0.5 px and the two
 * windows hold the same ground; the answer is (ox, oy) plus the second median. The
 * second layout covers the overlap of the two dates under that offset. */
static int estimate_two_pass(tb_coreg *c, const float *ref, const float *mov, int max_windows,
                             tb_coreg_window *w, int *n, tb_coreg_result *r)
{
    if (estimate(c, ref, mov, NULL, max_windows, w, n, r) != 0)
        return -1;
    const int ox = (int)lround(r->dx), oy = (int)lround(r->dy);
    const int ow = SIDE - abs(ox), oh = SIDE - abs(oy);
    const int rx = ox < 0 ? -ox : 0, ry = oy < 0 ? -oy : 0; /* reference origin of overlap */
    int x0[MAXWIN], y0[MAXWIN];
    const int count = tb_coreg_layout(ow, oh, WIN, max_windows, x0, y0);
    assert_true(count > 0);
    float *a = xalloc((size_t)WIN * WIN, sizeof(float));
    float *b = xalloc((size_t)WIN * WIN, sizeof(float));
    for (int k = 0; k < count; k++) {
        const int ax = rx + x0[k], ay = ry + y0[k];
        for (int y = 0; y < WIN; y++) {
            memcpy(a + (size_t)y * WIN, ref + (size_t)(ay + y) * SIDE + (size_t)ax,
                   WIN * sizeof(float));
            memcpy(b + (size_t)y * WIN, mov + (size_t)(ay + oy + y) * SIDE + (size_t)(ax + ox),
                   WIN * sizeof(float));
        }
        assert_int_equal(tb_coreg_match(c, a, b, NULL, &w[k]), 0);
    }
    free(a);
    free(b);
    *n = count;
    const int status = tb_coreg_combine(w, count, r);
    r->dx += ox;
    r->dy += oy;
    return status;
}

/* Accuracy bookkeeping for the summary line of each condition. */
typedef struct accuracy {
    double max_err, sum_err;
    int cases;
} accuracy;

static void check_shift(const char *what, const tb_coreg_result *r, double sx, double sy,
                        accuracy *acc)
{
    const double ex = r->dx - sx, ey = r->dy - sy;
    const double err = sqrt(ex * ex + ey * ey);
    print_message("  %-8s shift (%6.2f, %6.2f): got (%8.4f, %8.4f) err %.4f px, "
                  "spread (%.3f, %.3f), %d/%d windows, median peak %.3f\n",
                  what, sx, sy, r->dx, r->dy, err, r->spread_x, r->spread_y, r->windows_used,
                  r->windows_tried, r->median_peak);
    if (acc) {
        acc->max_err = fmax(acc->max_err, err);
        acc->sum_err += err;
        acc->cases++;
    }
    assert_true(fabs(ex) < TOLERANCE);
    assert_true(fabs(ey) < TOLERANCE);
}

static void print_accuracy(const char *what, const accuracy *acc)
{
    print_message("coreg accuracy %-8s: %d shifts, max error %.4f px, mean error %.4f px\n",
                  what, acc->cases, acc->max_err, acc->sum_err / acc->cases);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- fixtures -------------------------------------------------------------------- */

typedef struct fixture {
    scene main_scene, other_scene;
    float *ref, *mov, *other;
    tb_coreg *c;
} fixture;

static int setup(void **state)
{
    fixture *f = xalloc(1, sizeof *f);
    f->main_scene = scene_make(12345);
    f->other_scene = scene_make(987654321);
    f->ref = xalloc((size_t)SIDE * SIDE, sizeof(float));
    f->mov = xalloc((size_t)SIDE * SIDE, sizeof(float));
    f->other = xalloc((size_t)SIDE * SIDE, sizeof(float));
    scene_render(&f->main_scene, 0.0, 0.0, f->ref);
    scene_render(&f->other_scene, 0.0, 0.0, f->other);
    f->c = tb_coreg_create(NULL);
    assert_non_null(f->c);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tb_coreg_destroy(f->c);
    scene_free(&f->main_scene);
    scene_free(&f->other_scene);
    free(f->ref);
    free(f->mov);
    free(f->other);
    free(f);
    return 0;
}

/* ---- tests ----------------------------------------------------------------------- */

/* Identical windows: shift 0 and a peak of ~1. */
static void test_identical_window_peaks_at_one(void **state)
{
    fixture *f = *state;
    float *a = xalloc((size_t)WIN * WIN, sizeof(float));
    for (int y = 0; y < WIN; y++)
        memcpy(a + (size_t)y * WIN, f->ref + (size_t)(300 + y) * SIDE + 200, WIN * sizeof(float));
    tb_coreg_window w;
    assert_int_equal(tb_coreg_match(f->c, a, a, NULL, &w), 0);
    assert_true(w.accepted);
    assert_int_equal(w.reason, TB_COREG_USED);
    assert_true(fabs(w.dx) < 1e-3 && fabs(w.dy) < 1e-3);
    assert_true(w.peak > 0.99 && w.peak < 1.01);
    free(a);
}

/* Exact sub-pixel shifts, no noise: every estimate within 0.1 px and every single
 * window within 0.05 px (the sub-pixel refinement itself; in practice ~0.01). */
static void test_clean_shifts(void **state)
{
    fixture *f = *state;
    tb_coreg_window w[MAXWIN];
    tb_coreg_result r;
    accuracy acc = {0};
    int n, matched = 0;
    double seconds = 0.0, worst = 0.0;
    for (size_t s = 0; s < NSHIFTS; s++) {
        const double sx = test_shifts[s][0], sy = test_shifts[s][1];
        scene_render(&f->main_scene, sx, sy, f->mov);
        const double t0 = now_seconds();
        assert_int_equal(estimate(f->c, f->ref, f->mov, NULL, 25, w, &n, &r), 0);
        seconds += now_seconds() - t0;
        matched += n;
        check_shift("clean", &r, sx, sy, &acc);
        assert_int_equal(r.windows_tried, 25);
        assert_true(r.windows_used >= 20);
        /* every window agrees closely when nothing changed */
        for (int k = 0; k < n; k++) {
            worst = fmax(worst, fmax(fabs(w[k].dx - sx), fabs(w[k].dy - sy)));
            assert_true(fabs(w[k].dx - sx) < 0.05 && fabs(w[k].dy - sy) < 0.05);
        }
    }
    print_accuracy("clean", &acc);
    print_message("coreg accuracy clean   : worst single window %.4f px (per axis)\n", worst);
    print_message("coreg time: %.2f ms per %dx%d window (match + share of combine), %d windows\n",
                  1e3 * seconds / matched, WIN, WIN, matched);
}

/* Independent noise in each date, std 5% of the mean level (about 40% of the texture's
 * std): still within 0.1 px. */
static void test_noisy_shifts(void **state)
{
    fixture *f = *state;
    tb_coreg_window w[MAXWIN];
    tb_coreg_result r;
    accuracy acc = {0};
    int n;
    float *ref = xalloc((size_t)SIDE * SIDE, sizeof(float));
    for (size_t s = 0; s < NSHIFTS; s++) {
        const double sx = test_shifts[s][0], sy = test_shifts[s][1];
        memcpy(ref, f->ref, (size_t)SIDE * SIDE * sizeof(float));
        scene_render(&f->main_scene, sx, sy, f->mov);
        add_noise(ref, 0.05 * 100.0, 1000 + s);
        add_noise(f->mov, 0.05 * 100.0, 2000 + s);
        assert_int_equal(estimate(f->c, ref, f->mov, NULL, 25, w, &n, &r), 0);
        check_shift("noisy", &r, sx, sy, &acc);
        assert_true(r.windows_used >= 20);
    }
    print_accuracy("noisy", &acc);
    free(ref);
}

/* The two-pass practice (estimate_two_pass) on every shift, clean and noisy: within
 * 0.1 px, and on clean data closer than one pass on the large shifts. */
static void test_two_pass(void **state)
{
    fixture *f = *state;
    tb_coreg_window w[MAXWIN];
    tb_coreg_result r;
    accuracy clean = {0}, noisy = {0};
    int n;
    float *ref = xalloc((size_t)SIDE * SIDE, sizeof(float));
    for (size_t s = 0; s < NSHIFTS; s++) {
        const double sx = test_shifts[s][0], sy = test_shifts[s][1];
        scene_render(&f->main_scene, sx, sy, f->mov);
        assert_int_equal(estimate_two_pass(f->c, f->ref, f->mov, 25, w, &n, &r), 0);
        check_shift("2p-clean", &r, sx, sy, &clean);
        assert_true(fabs(r.dx - sx) < 0.005 && fabs(r.dy - sy) < 0.005);
        memcpy(ref, f->ref, (size_t)SIDE * SIDE * sizeof(float));
        add_noise(ref, 0.05 * 100.0, 1000 + s);
        add_noise(f->mov, 0.05 * 100.0, 2000 + s);
        assert_int_equal(estimate_two_pass(f->c, ref, f->mov, 25, w, &n, &r), 0);
        check_shift("2p-noisy", &r, sx, sy, &noisy);
    }
    print_accuracy("2p-clean", &clean);
    print_accuracy("2p-noisy", &noisy);
    free(ref);
}

/* Copies the WIN x WIN block at (x0, y0) of src into dst. */
static void copy_block(float *dst, const float *src, int x0, int y0)
{
    for (int y = y0; y < y0 + WIN; y++)
        memcpy(dst + (size_t)y * SIDE + x0, src + (size_t)y * SIDE + x0, WIN * sizeof(float));
}

/* Changed areas in the moving date, on the 4x4 tiling (16 disjoint windows): two windows
 * fully replaced by another scene's texture, two more covered by large new bright
 * buildings (25% of windows changed), then noise (2% of the mean level). The estimate stays within 0.1 px,
 * the replaced windows are rejected, the built-over ones rejected or outvoted. */
static void test_changed_areas(void **state)
{
    fixture *f = *state;
    tb_coreg_window w[MAXWIN];
    tb_coreg_result r;
    accuracy acc = {0};
    int n;
    /* window index k = row * 4 + col; origins k % 4 * 256, k / 4 * 256 */
    const int replaced[] = {1, 10};
    const int built[] = {4, 15};
    for (size_t s = 0; s < NSHIFTS; s++) {
        const double sx = test_shifts[s][0], sy = test_shifts[s][1];
        scene_render(&f->main_scene, sx, sy, f->mov);
        for (int i = 0; i < 2; i++)
            copy_block(f->mov, f->other, replaced[i] % 4 * WIN, replaced[i] / 4 * WIN);
        for (int i = 0; i < 2; i++) {
            const int x0 = built[i] % 4 * WIN, y0 = built[i] / 4 * WIN;
            uint64_t st = 77 + (uint64_t)i;
            for (int b = 0; b < 12; b++) {
                const int bx = x0 + (int)(rng_uniform(&st) * (WIN - 80));
                const int by = y0 + (int)(rng_uniform(&st) * (WIN - 80));
                fill_rect(f->mov, bx, by, 40 + (int)(rng_uniform(&st) * 40),
                          40 + (int)(rng_uniform(&st) * 40), 220.0f);
            }
        }
        add_noise(f->mov, 0.02 * 100.0, 3000 + s);
        assert_int_equal(estimate(f->c, f->ref, f->mov, NULL, 16, w, &n, &r), 0);
        assert_int_equal(n, 16);
        check_shift("changed", &r, sx, sy, &acc);
        for (int i = 0; i < 2; i++) {
            const tb_coreg_window *q = &w[replaced[i]];
            print_message("    replaced window %d: (%.3f, %.3f) peak %.3f %s\n", replaced[i],
                          q->dx, q->dy, q->peak, q->accepted ? "kept" : "rejected");
            assert_false(q->accepted);
            assert_true(q->reason == TB_COREG_LOW_PEAK || q->reason == TB_COREG_FAR_PEAK ||
                        q->reason == TB_COREG_OUTLIER);
        }
        for (int i = 0; i < 2; i++) {
            const tb_coreg_window *q = &w[built[i]];
            print_message("    built-over window %d: (%.3f, %.3f) peak %.3f %s\n", built[i],
                          q->dx, q->dy, q->peak, q->accepted ? "kept" : "rejected");
            if (q->accepted)
                assert_true(fabs(q->dx - sx) < 0.5 && fabs(q->dy - sy) < 0.5);
        }
        assert_true(r.windows_used >= 12);
        assert_true(r.windows_used <= 14);
    }
    print_accuracy("changed", &acc);
}

/* Invalid pixels (NaN in both dates, marked 0 in the mask) on a third of the image:
 * the shift is still recovered; windows mostly invalid are rejected as such. */
static void test_invalid_pixels(void **state)
{
    fixture *f = *state;
    tb_coreg_window w[MAXWIN];
    tb_coreg_result r;
    int n;
    const double sx = -3.35, sy = 4.6;
    uint8_t *valid = xalloc((size_t)SIDE * SIDE, 1);
    float *ref = xalloc((size_t)SIDE * SIDE, sizeof(float));
    memcpy(ref, f->ref, (size_t)SIDE * SIDE * sizeof(float));
    scene_render(&f->main_scene, sx, sy, f->mov);
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            const size_t i = (size_t)y * SIDE + (size_t)x;
            valid[i] = x > 340 || y < 100; /* a no-data strip along the left edge */
            if (!valid[i])
                ref[i] = f->mov[i] = NAN;
        }
    assert_int_equal(estimate(f->c, ref, f->mov, valid, 25, w, &n, &r), 0);
    check_shift("invalid", &r, sx, sy, NULL);
    int few = 0;
    for (int k = 0; k < n; k++)
        few += w[k].reason == TB_COREG_FEW_VALID;
    assert_true(few >= 4); /* windows with x0 = 0 and most of their rows invalid */
    free(valid);
    free(ref);
}

/* A flat image has no texture: every window is rejected and combine returns -1. */
static void test_flat_image(void **state)
{
    (void)state;
    tb_coreg *c = tb_coreg_create(NULL);
    assert_non_null(c);
    float *flat = xalloc((size_t)SIDE * SIDE, sizeof(float));
    for (size_t i = 0; i < (size_t)SIDE * SIDE; i++)
        flat[i] = 100.0f;
    tb_coreg_window w[MAXWIN];
    tb_coreg_result r;
    int n;
    assert_int_equal(estimate(c, flat, flat, NULL, 25, w, &n, &r), -1);
    for (int k = 0; k < n; k++) {
        assert_false(w[k].accepted);
        assert_int_equal(w[k].reason, TB_COREG_FLAT);
    }
    assert_int_equal(r.windows_used, 0);
    assert_int_equal(r.windows_tried, 25);
    assert_true(r.dx == 0.0 && r.dy == 0.0);
    assert_int_equal(tb_error_status(), TB_OK); /* an outcome, not an error */
    free(flat);
    tb_coreg_destroy(c);
}

/* Sign convention, on shifts made by indexing (not by the Fourier renderer): content
 * moved 3 px right gives dx = +3; content moved 2 px up gives dy = -2. */
static void test_sign_convention(void **state)
{
    fixture *f = *state;
    tb_coreg_window w[MAXWIN];
    tb_coreg_result r;
    int n;
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            const int sx = (x - 3 + SIDE) % SIDE, sy = (y + 2) % SIDE;
            f->mov[(size_t)y * SIDE + (size_t)x] = f->ref[(size_t)sy * SIDE + (size_t)sx];
        }
    /* moving(x + 3, y - 2) == reference(x, y) */
    assert_true(f->mov[(size_t)500 * SIDE + 403] == f->ref[(size_t)502 * SIDE + 400]);
    assert_int_equal(estimate(f->c, f->ref, f->mov, NULL, 25, w, &n, &r), 0);
    check_shift("sign", &r, 3.0, -2.0, NULL);
}

/* The same input twice, through two handles, gives bit-identical windows and results. */
static void test_deterministic(void **state)
{
    fixture *f = *state;
    tb_coreg_window w1[MAXWIN], w2[MAXWIN];
    tb_coreg_result r1, r2;
    int n1, n2;
    memset(w1, 0, sizeof w1);
    memset(w2, 0, sizeof w2);
    memset(&r1, 0, sizeof r1);
    memset(&r2, 0, sizeof r2);
    scene_render(&f->main_scene, -12.6, 7.1, f->mov);
    add_noise(f->mov, 5.0, 4242);
    tb_coreg *c2 = tb_coreg_create(NULL);
    assert_non_null(c2);
    assert_int_equal(estimate(f->c, f->ref, f->mov, NULL, 25, w1, &n1, &r1), 0);
    assert_int_equal(estimate(c2, f->ref, f->mov, NULL, 25, w2, &n2, &r2), 0);
    assert_int_equal(n1, n2);
    assert_memory_equal(w1, w2, sizeof w1);
    assert_memory_equal(&r1, &r2, sizeof r1);
    tb_coreg_destroy(c2);
}

/* One thread of test_threads: creates its own handle (plans made concurrently with the
 * other threads) and matches the same window pair. */
typedef struct thread_job {
    const float *a, *b;
    tb_coreg_window w;
    int status;
} thread_job;

static void *thread_main(void *arg)
{
    thread_job *job = arg;
    tb_coreg *c = tb_coreg_create(NULL);
    job->status = c ? tb_coreg_match(c, job->a, job->b, NULL, &job->w) : -1;
    tb_coreg_destroy(c);
    return NULL;
}

/* Handles created, used and destroyed on four threads at once give the serial result. */
static void test_threads(void **state)
{
    fixture *f = *state;
    enum { NTHREADS = 4 };
    float *a = xalloc((size_t)WIN * WIN, sizeof(float));
    float *b = xalloc((size_t)WIN * WIN, sizeof(float));
    scene_render(&f->main_scene, 2.3, -1.7, f->mov);
    for (int y = 0; y < WIN; y++) {
        memcpy(a + (size_t)y * WIN, f->ref + (size_t)(400 + y) * SIDE + 300, WIN * sizeof(float));
        memcpy(b + (size_t)y * WIN, f->mov + (size_t)(400 + y) * SIDE + 300, WIN * sizeof(float));
    }
    tb_coreg_window serial;
    memset(&serial, 0, sizeof serial);
    assert_int_equal(tb_coreg_match(f->c, a, b, NULL, &serial), 0);
    thread_job jobs[NTHREADS];
    pthread_t threads[NTHREADS];
    memset(jobs, 0, sizeof jobs);
    for (int t = 0; t < NTHREADS; t++) {
        jobs[t].a = a;
        jobs[t].b = b;
        assert_int_equal(pthread_create(&threads[t], NULL, thread_main, &jobs[t]), 0);
    }
    for (int t = 0; t < NTHREADS; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
        assert_int_equal(jobs[t].status, 0);
        assert_memory_equal(&jobs[t].w, &serial, sizeof serial);
    }
    free(a);
    free(b);
}

/* ---- combine, layout and options on hand-made inputs ---------------------------- */

static tb_coreg_window hand_window(double dx, double dy, double peak)
{
    tb_coreg_window w;
    memset(&w, 0, sizeof w);
    w.dx = dx;
    w.dy = dy;
    w.peak = peak;
    w.accepted = 1;
    return w;
}

static void test_combine_rejects_outliers(void **state)
{
    (void)state;
    tb_coreg_window w[9];
    const double jitter[] = {0.0, 0.02, -0.02, 0.01, -0.01, 0.03, -0.03};
    for (int i = 0; i < 7; i++)
        w[i] = hand_window(1.0 + jitter[i], -2.0 - jitter[i], 0.5 + 0.01 * i);
    w[7] = hand_window(6.0, -2.0, 0.3);  /* far in x */
    w[8] = hand_window(1.0, 3.0, 0.3);   /* far in y */
    tb_coreg_result r;
    assert_int_equal(tb_coreg_combine(w, 9, &r), 0);
    assert_true(fabs(r.dx - 1.0) < 1e-12 && fabs(r.dy + 2.0) < 1e-12);
    assert_int_equal(r.windows_used, 7);
    assert_int_equal(r.windows_tried, 9);
    assert_false(w[7].accepted);
    assert_int_equal(w[7].reason, TB_COREG_OUTLIER);
    assert_false(w[8].accepted);
    assert_int_equal(w[8].reason, TB_COREG_OUTLIER);
    assert_true(fabs(r.median_peak - 0.53) < 1e-12);
    /* spread: MAD of the jitter {0, .01, .01, .02, .02, .03, .03} is 0.02 */
    assert_true(fabs(r.spread_x - 1.4826 * 0.02) < 1e-9);

    /* even count: mean of the two middle values */
    tb_coreg_window e[4] = {hand_window(1, 0, 1), hand_window(2, 0, 1), hand_window(1.2, 0, 1),
                            hand_window(1.4, 0, 1)};
    assert_int_equal(tb_coreg_combine(e, 4, &r), 0);
    assert_true(fabs(r.dx - 1.3) < 1e-12);
}

static void test_combine_needs_three(void **state)
{
    (void)state;
    tb_coreg_window w[4] = {hand_window(1, 1, 1), hand_window(1, 1, 1), hand_window(1, 1, 1),
                            hand_window(1, 1, 1)};
    w[0].accepted = 0;
    w[1].accepted = 0;
    tb_coreg_result r;
    assert_int_equal(tb_coreg_combine(w, 4, &r), -1);
    assert_int_equal(r.windows_used, 2);
    assert_int_equal(tb_coreg_combine(w, 0, &r), -1);
    w[0].accepted = 1;
    assert_int_equal(tb_coreg_combine(w, 4, &r), 0);
    assert_true(r.dx == 1.0 && r.dy == 1.0);
}

static void test_layout(void **state)
{
    (void)state;
    int x0[64], y0[64];
    /* room for 7 x 7 at half-window steps */
    assert_int_equal(tb_coreg_layout(1024, 1024, 256, 64, x0, y0), 49);
    assert_int_equal(x0[6], 768);
    assert_int_equal(y0[48], 768);
    assert_int_equal(x0[1] - x0[0], 128);
    /* 16 at most: the 4 x 4 tiling */
    assert_int_equal(tb_coreg_layout(1024, 1024, 256, 16, x0, y0), 16);
    for (int k = 0; k < 16; k++) {
        assert_int_equal(x0[k], k % 4 * 256);
        assert_int_equal(y0[k], k / 4 * 256);
    }
    /* 25 at most: 5 x 5, spanning the overlap */
    assert_int_equal(tb_coreg_layout(1024, 1024, 256, 25, x0, y0), 25);
    assert_int_equal(x0[4], 768);
    assert_int_equal(x0[1], 192);
    /* a strip: one row, centred vertically */
    assert_int_equal(tb_coreg_layout(2000, 300, 256, 64, x0, y0), 14);
    assert_int_equal(y0[0], 22);
    assert_int_equal(x0[13], 2000 - 256);
    /* too small, or nothing allowed */
    assert_int_equal(tb_coreg_layout(255, 1024, 256, 64, x0, y0), 0);
    assert_int_equal(tb_coreg_layout(1024, 1024, 256, 0, x0, y0), 0);
    assert_int_equal(tb_coreg_layout(256, 256, 256, 5, x0, y0), 1);
    assert_int_equal(x0[0], 0);
}

static void test_bad_options(void **state)
{
    (void)state;
    tb_coreg_options o;
    tb_coreg_defaults(&o);
    assert_int_equal(o.window, 256);
    assert_true(o.max_shift_px == 32.0 && o.min_peak == 0.08);
    o.window = 200;
    tb_error_clear();
    assert_null(tb_coreg_create(&o));
    assert_int_equal(tb_error_status(), TB_ERR_USAGE);
    assert_non_null(strstr(tb_error_message(), "window 200"));
    tb_error_clear();
    tb_coreg_defaults(&o);
    o.window = 64;
    tb_coreg *c = tb_coreg_create(&o);
    assert_non_null(c);
    assert_int_equal(tb_coreg_get_options(c)->window, 64);
    tb_coreg_window w;
    assert_int_equal(tb_coreg_match(c, NULL, NULL, NULL, &w), TB_ERR_USAGE);
    tb_error_clear();
    tb_coreg_destroy(c);
    tb_coreg_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest image_tests[] = {
        cmocka_unit_test(test_identical_window_peaks_at_one),
        cmocka_unit_test(test_clean_shifts),
        cmocka_unit_test(test_noisy_shifts),
        cmocka_unit_test(test_two_pass),
        cmocka_unit_test(test_changed_areas),
        cmocka_unit_test(test_invalid_pixels),
        cmocka_unit_test(test_sign_convention),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_threads),
    };
    const struct CMUnitTest unit_tests[] = {
        cmocka_unit_test(test_flat_image),
        cmocka_unit_test(test_combine_rejects_outliers),
        cmocka_unit_test(test_combine_needs_three),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_bad_options),
    };
    int failed = cmocka_run_group_tests_name("coreg_images", image_tests, setup, teardown);
    failed += cmocka_run_group_tests_name("coreg_units", unit_tests, NULL, NULL);
    return failed;
}
