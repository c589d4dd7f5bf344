/* test_score.c: the per-pixel radiometric kernels: tb_change_score, tb_normalise_fit,
 * tb_threshold, tb_histogram_add, tb_otsu and tb_histogram_quantile, against the
 * references in naive_reference.c and across thread counts.
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

#define MAXB 8

static const double densities[] = {0.1, 0.5, 0.9};
#define NDENSITIES (sizeof densities / sizeof densities[0])

/* nbands bands of n pixels: before[b] then after[b], one allocation each. */
typedef struct bands {
    int nbands;
    size_t n;
    float *before[MAXB], *after[MAXB];
    uint8_t *valid;
} bands;

static bands bands_alloc(int nbands, size_t n)
{
    bands d;
    memset(&d, 0, sizeof d);
    d.nbands = nbands;
    d.n = n;
    for (int b = 0; b < nbands; b++) {
        d.before[b] = tk_alloc(n, sizeof(float));
        d.after[b] = tk_alloc(n, sizeof(float));
    }
    d.valid = tk_alloc(n, 1);
    return d;
}

static void bands_free(bands *d)
{
    for (int b = 0; b < d->nbands; b++) {
        free(d->before[b]);
        free(d->after[b]);
    }
    free(d->valid);
}

#define CB(d) ((const float *const *)(d).before)
#define CA(d) ((const float *const *)(d).after)

static void assert_bytes_equal(const void *got, const void *want, size_t size, const char *what)
{
    if (memcmp(got, want, size) != 0) {
        print_error("%s: outputs differ\n", what);
        fail();
    }
}

/* ---- change score -------------------------------------------------------------------- */

static void random_fits(tk_rng *rng, tb_band_fit *fits, int nbands)
{
    for (int b = 0; b < nbands; b++) {
        fits[b].gain = 0.5 + tk_uniform(rng);
        fits[b].offset = -100 + 200 * tk_uniform(rng);
        fits[b].scale = 0.5 + 30 * tk_uniform(rng);
        fits[b].pixels = 0;
    }
}

/* Pairs that follow the fit up to a few spreads, so scores spread over 0..10. */
static void random_pairs(tk_rng *rng, bands *d, const tb_band_fit *fits, double density)
{
    for (int b = 0; b < d->nbands; b++)
        for (size_t i = 0; i < d->n; i++) {
            d->before[b][i] = (float)(4000 * tk_uniform(rng));
            d->after[b][i] = (float)(fits[b].gain * d->before[b][i] + fits[b].offset +
                                     fits[b].scale * 6 * (tk_uniform(rng) - 0.5));
        }
    tk_mask_random(rng, d->valid, d->n, density);
}

static void test_change_score_matches_reference(void **state)
{
    (void)state;
    static const int nbs[] = {1, 3, MAXB};
    static const size_t ns[] = {1, 5, 4096, 4097, 9001};
    for (size_t ib = 0; ib < sizeof nbs / sizeof nbs[0]; ib++)
        for (size_t in = 0; in < sizeof ns / sizeof ns[0]; in++)
            for (size_t id = 0; id < NDENSITIES; id++) {
                tk_rng rng = tk_rng_seed(8000 + 100 * ib + 10 * in + id);
                bands d = bands_alloc(nbs[ib], ns[in]);
                tb_band_fit fits[MAXB];
                random_fits(&rng, fits, d.nbands);
                random_pairs(&rng, &d, fits, densities[id]);
                float *got = tk_alloc(d.n, sizeof *got);
                double *want = tk_alloc(d.n, sizeof *want);
                tb_change_score(CB(d), CA(d), d.nbands, fits, d.valid, d.n, got);
                ref_change_score(CB(d), CA(d), d.nbands, fits, d.valid, d.n, want);
                for (size_t i = 0; i < d.n; i++) {
                    if (!d.valid[i]) {
                        assert_true(got[i] == 0.0f);
                        continue;
                    }
                    /* Float rounding scales with the magnitude of the terms, not of
                     * their difference. */
                    double mag = 0;
                    for (int b = 0; b < d.nbands; b++) {
                        const double t = (fabs(d.after[b][i]) + fabs(fits[b].gain * d.before[b][i]) +
                                          fabs(fits[b].offset)) / fits[b].scale;
                        mag += t * t;
                    }
                    mag = sqrt(mag / d.nbands);
                    const double tol = 4e-6 * mag + 2e-6 * want[i];
                    if (fabs(got[i] - want[i]) > tol) {
                        print_error("nbands %d n %zu pixel %zu: score %.9g, reference %.9g\n",
                                    d.nbands, d.n, i, (double)got[i], want[i]);
                        fail();
                    }
                }
                free(got);
                free(want);
                bands_free(&d);
            }
}

static void test_change_score_thread_invariance(void **state)
{
    (void)state;
    tk_rng rng = tk_rng_seed(8500);
    bands d = bands_alloc(3, 5 * 4096 + 77);
    tb_band_fit fits[3];
    random_fits(&rng, fits, 3);
    random_pairs(&rng, &d, fits, 0.9);
    float *ref = tk_alloc(d.n, sizeof *ref), *got = tk_alloc(d.n, sizeof *got);
    tk_set_threads(1);
    tb_change_score(CB(d), CA(d), 3, fits, d.valid, d.n, ref);
    for (int t = 1; t < TK_NTHREAD_COUNTS; t++) {
        tk_set_threads(tk_thread_counts[t]);
        tb_change_score(CB(d), CA(d), 3, fits, d.valid, d.n, got);
        assert_bytes_equal(got, ref, d.n * sizeof *got, "change score");
    }
    tk_set_threads(1);
    free(ref);
    free(got);
    bands_free(&d);
}

/* ---- normalisation ------------------------------------------------------------------ */

static const double true_gain[2] = {1.08, 0.93}, true_offset[2] = {40.0, -12.0};

/* Two bands after = gain * before + offset + noise; 5% of pixels changed by hundreds
 * to thousands in both bands; `invalid` of the pixels invalid and filled with values
 * that would wreck a fit that used them. changed[i] marks the changed pixels. */
static void normalise_scene(tk_rng *rng, bands *d, uint8_t *changed, double invalid)
{
    static const double lo[2] = {200, 50}, hi[2] = {3000, 1000}, noise[2] = {8, 4};
    for (size_t i = 0; i < d->n; i++) {
        changed[i] = (uint8_t)(tk_uniform(rng) < 0.05);
        d->valid[i] = (uint8_t)!(tk_uniform(rng) < invalid);
        const double jump = (tk_uniform(rng) < 0.5 ? -1 : 1) * (300 + 1200 * tk_uniform(rng));
        for (int b = 0; b < 2; b++) {
            const double x = lo[b] + (hi[b] - lo[b]) * tk_uniform(rng);
            double y = true_gain[b] * x + true_offset[b] + noise[b] * tk_normal(rng);
            if (changed[i])
                y += jump;
            d->before[b][i] = (float)x;
            d->after[b][i] = (float)y;
            if (!d->valid[i]) {
                d->before[b][i] = (i & 1) ? 0.0f : 65535.0f;
                d->after[b][i] = (i & 1) ? 65535.0f : 0.0f;
            }
        }
    }
}

static int cmp_float(const void *a, const void *b)
{
    const float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static void test_normalise_recovers_gain_offset(void **state)
{
    (void)state;
    const size_t n = 256 * 256;
    tk_rng rng = tk_rng_seed(9000);
    bands d = bands_alloc(2, n);
    uint8_t *changed = tk_alloc(n, 1);
    float *score = tk_alloc(n, sizeof *score), *unchanged = tk_alloc(n, sizeof *unchanged);
    normalise_scene(&rng, &d, changed, 0.03);
    tb_band_fit fits[2];
    const uint64_t used = tb_normalise_fit(CB(d), CA(d), 2, d.valid, n, 4, 0.75, fits, score);
    size_t nvalid = 0;
    for (size_t i = 0; i < n; i++)
        nvalid += d.valid[i];
    assert_true(used > nvalid / 2 && used <= nvalid);
    for (int b = 0; b < 2; b++) {
        print_message("band %d: gain %.5f offset %.3f scale %.3f pixels %llu\n", b, fits[b].gain,
                      fits[b].offset, fits[b].scale, (unsigned long long)fits[b].pixels);
        assert_true(fabs(fits[b].gain / true_gain[b] - 1) < 0.01);
        /* Offset: within what a 1% gain error at the mid-range could explain. */
        assert_true(fabs(fits[b].offset - true_offset[b]) < 0.01 * 1600);
        assert_true(fits[b].scale > 0);
    }
    /* Under the fit, unchanged pixels score about 1 and changed pixels far above. */
    tb_change_score(CB(d), CA(d), 2, fits, d.valid, n, score);
    size_t nu = 0;
    float min_changed = INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!d.valid[i])
            continue;
        if (changed[i])
            min_changed = score[i] < min_changed ? score[i] : min_changed;
        else
            unchanged[nu++] = score[i];
    }
    qsort(unchanged, nu, sizeof *unchanged, cmp_float);
    print_message("unchanged median score %.3f, smallest changed score %.3f\n",
                  (double)unchanged[nu / 2], (double)min_changed);
    assert_true(unchanged[nu / 2] > 0.3 && unchanged[nu / 2] < 2.0);
    assert_true(min_changed > 10.0f);
    free(changed);
    free(score);
    free(unchanged);
    bands_free(&d);
}

static void test_normalise_identical_dates(void **state)
{
    (void)state;
    const size_t n = 10007;
    tk_rng rng = tk_rng_seed(9100);
    bands d = bands_alloc(3, n);
    for (int b = 0; b < 3; b++)
        for (size_t i = 0; i < n; i++)
            d.after[b][i] = d.before[b][i] = (float)(100 + 5000 * tk_uniform(&rng));
    tk_mask_random(&rng, d.valid, n, 0.9);
    float *score = tk_alloc(n, sizeof *score);
    tb_band_fit fits[3];
    assert_true(tb_normalise_fit(CB(d), CA(d), 3, d.valid, n, 3, 0.75, fits, score) > 0);
    for (int b = 0; b < 3; b++) {
        assert_true(fabs(fits[b].gain - 1.0) < 1e-12);
        assert_true(fabs(fits[b].offset) < 1e-9);
        assert_true(fits[b].scale > 0);
    }
    tb_change_score(CB(d), CA(d), 3, fits, d.valid, n, score);
    for (size_t i = 0; i < n; i++)
        assert_true(score[i] == 0.0f);
    free(score);
    bands_free(&d);
}

/* Invalid pixels take no part: the fit of a scene with garbage in its invalid pixels is
 * bit-identical to the fit of the valid pixels alone, packed together. */
static void test_normalise_ignores_invalid(void **state)
{
    (void)state;
    const size_t n = 128 * 128;
    static const int iterations[] = {0, 1, 4};
    for (size_t id = 0; id < NDENSITIES; id++)
        for (size_t it = 0; it < sizeof iterations / sizeof iterations[0]; it++) {
            tk_rng rng = tk_rng_seed(9200 + 10 * id + it);
            bands d = bands_alloc(2, n), p = bands_alloc(2, n);
            uint8_t *changed = tk_alloc(n, 1);
            float *score = tk_alloc(n, sizeof *score);
            normalise_scene(&rng, &d, changed, 1.0 - densities[id]);
            size_t m = 0;
            for (size_t i = 0; i < n; i++) {
                if (!d.valid[i])
                    continue;
                for (int b = 0; b < 2; b++) {
                    p.before[b][m] = d.before[b][i];
                    p.after[b][m] = d.after[b][i];
                }
                p.valid[m++] = 1;
            }
            tb_band_fit got[2], want[2];
            const uint64_t ugot =
                tb_normalise_fit(CB(d), CA(d), 2, d.valid, n, iterations[it], 0.75, got, score);
            const uint64_t uwant =
                tb_normalise_fit(CB(p), CA(p), 2, p.valid, m, iterations[it], 0.75, want, score);
            char what[96];
            snprintf(what, sizeof what, "density %.1f iterations %d: got gain %.9g, packed %.9g",
                     densities[id], iterations[it], got[0].gain, want[0].gain);
            assert_int_equal(ugot, uwant);
            assert_true(ugot <= m);
            for (int b = 0; b < 2; b++) {
                assert_bytes_equal(&got[b].gain, &want[b].gain, sizeof got[b].gain, what);
                assert_bytes_equal(&got[b].offset, &want[b].offset, sizeof got[b].offset, what);
                assert_bytes_equal(&got[b].scale, &want[b].scale, sizeof got[b].scale, what);
                assert_int_equal(got[b].pixels, want[b].pixels);
            }
            free(changed);
            free(score);
            bands_free(&d);
            bands_free(&p);
        }
}

/* Nothing valid: returns 0 and identity fits with scale 1, as the header says. */
static void test_normalise_nothing_valid(void **state)
{
    (void)state;
    const size_t n = 333;
    tk_rng rng = tk_rng_seed(9300);
    bands d = bands_alloc(2, n);
    uint8_t *changed = tk_alloc(n, 1);
    float *score = tk_alloc(n, sizeof *score);
    normalise_scene(&rng, &d, changed, 1.0);
    static const int iterations[] = {0, 3};
    for (size_t it = 0; it < 2; it++) {
        tb_band_fit fits[2];
        assert_int_equal(
            tb_normalise_fit(CB(d), CA(d), 2, d.valid, n, iterations[it], 0.75, fits, score), 0);
        for (int b = 0; b < 2; b++) {
            assert_true(fits[b].gain == 1.0);
            assert_true(fits[b].offset == 0.0);
            assert_true(fits[b].scale == 1.0);
            assert_int_equal(fits[b].pixels, 0);
        }
    }
    free(changed);
    free(score);
    bands_free(&d);
}

static void test_normalise_thread_invariance(void **state)
{
    (void)state;
    const size_t n = 300 * 200;
    tk_rng rng = tk_rng_seed(9400);
    bands d = bands_alloc(2, n);
    uint8_t *changed = tk_alloc(n, 1);
    float *score_ref = tk_alloc(n, sizeof(float)), *score = tk_alloc(n, sizeof(float));
    normalise_scene(&rng, &d, changed, 0.1);
    tb_band_fit ref[2], got[2];
    memset(ref, 0, sizeof ref);
    memset(got, 0, sizeof got);
    tk_set_threads(1);
    const uint64_t uref = tb_normalise_fit(CB(d), CA(d), 2, d.valid, n, 3, 0.75, ref, score_ref);
    for (int t = 1; t < TK_NTHREAD_COUNTS; t++) {
        tk_set_threads(tk_thread_counts[t]);
        assert_int_equal(tb_normalise_fit(CB(d), CA(d), 2, d.valid, n, 3, 0.75, got, score),
                         uref);
        assert_bytes_equal(got, ref, sizeof got, "normalise fits");
        assert_bytes_equal(score, score_ref, n * sizeof(float), "normalise scratch");
    }
    tk_set_threads(1);
    free(changed);
    free(score_ref);
    free(score);
    bands_free(&d);
}

/* ---- histograms ---------------------------------------------------------------------- */

static void test_histogram_add_matches_reference(void **state)
{
    (void)state;
    const size_t n = 20000;
    float *v = tk_alloc(n, sizeof *v);
    uint8_t *valid = tk_alloc(n, 1);
    for (int config = 0; config < 2; config++) {
        /* 0: bin width 1/8, so bin edges are exact and values may sit on them;
         * 1: an awkward range, values kept off the edges. */
        const double lo = config == 0 ? -2.0 : 0.3, hi = config == 0 ? 6.0 : 17.1;
        const int nbins = config == 0 ? 64 : 100;
        const double width = (hi - lo) / nbins;
        for (size_t d = 0; d <= NDENSITIES; d++) {
            tk_rng rng = tk_rng_seed(9500 + 10 * config + d);
            for (size_t i = 0; i < n; i++) {
                const int k = tk_int(&rng, -5, nbins + 5);
                if (config == 0)
                    v[i] = tk_int(&rng, 0, 3) == 0 ? (float)(lo + k * width)
                                                   : (float)(lo + (k + tk_uniform(&rng)) * width);
                else
                    v[i] = (float)(lo + (k + 0.1 + 0.8 * tk_uniform(&rng)) * width);
            }
            v[0] = (float)lo;
            v[1] = (float)hi;
            v[2] = -1e30f;
            v[3] = 1e30f;
            const uint8_t *vm = NULL;
            if (d < NDENSITIES) {
                tk_mask_random(&rng, valid, n, densities[d]);
                vm = valid;
            }
            uint64_t got[100], want[100];
            for (int k = 0; k < nbins; k++)
                got[k] = want[k] = (uint64_t)k * 3;   /* adds to what is there */
            tb_histogram_add(v, vm, n, lo, hi, got, nbins);
            ref_histogram_add(v, vm, n, lo, hi, want, nbins);
            for (int k = 0; k < nbins; k++)
                if (got[k] != want[k]) {
                    print_error("config %d input %zu: bin %d holds %llu, want %llu\n", config,
                                d, k, (unsigned long long)got[k], (unsigned long long)want[k]);
                    fail();
                }
        }
    }
    free(v);
    free(valid);
}

/* Inputs long enough for per-thread tables (the parallel path), of odd lengths, with
 * smooth runs of equal bins, out-of-range values and NaN, on 1, 2, 3 and 5 threads
 * (more threads than the input has shares for, too): the reference's bins exactly. */
static void test_histogram_parallel_matches_reference(void **state)
{
    (void)state;
    static const int nbins_of[5] = {7, 256, 4096, 4097, 65536};
    static const int threads[4] = {1, 2, 3, 5};
    const size_t nmax = 3 * 8 * 65537 + 13;
    float *v = tk_alloc(nmax, sizeof *v);
    uint8_t *valid = tk_alloc(nmax, 1);
    uint64_t *got = tk_alloc(65536, sizeof *got), *want = tk_alloc(65536, sizeof *want);
    for (int c = 0; c < 5; c++) {
        const int nbins = nbins_of[c];
        const double lo = -1.5, hi = 3.25;
        /* Enough values for 3 shares of the largest tables; odd lengths. */
        const size_t n = nbins >= 65536 ? nmax : (size_t)3 * 65536 + 2 * (size_t)c + 1;
        tk_rng rng = tk_rng_seed(9700 + (uint64_t)c);
        float level = 0;
        for (size_t i = 0; i < n; i++) {
            if (tk_int(&rng, 0, 15) == 0)   /* runs of one value, then a jump */
                level = (float)(lo - 0.5 + (hi - lo + 1.0) * tk_uniform(&rng));
            v[i] = tk_int(&rng, 0, 3) == 0 ? level : (float)(lo + (hi - lo) * tk_uniform(&rng));
        }
        v[0] = NAN;
        v[1] = INFINITY;
        v[2] = -INFINITY;
        v[n - 1] = (float)hi;
        tk_mask_random(&rng, valid, n, 0.8);
        for (int masked = 0; masked < 2; masked++) {
            const uint8_t *vm = masked ? valid : NULL;
            for (int k = 0; k < nbins; k++)
                want[k] = (uint64_t)k % 5;
            ref_histogram_add(v, vm, n, lo, hi, want, nbins);
            for (int t = 0; t < 4; t++) {
                tk_set_threads(threads[t]);
                for (int k = 0; k < nbins; k++)
                    got[k] = (uint64_t)k % 5;   /* adds to what is there */
                tb_histogram_add(v, vm, n, lo, hi, got, nbins);
                for (int k = 0; k < nbins; k++)
                    if (got[k] != want[k]) {
                        print_error("nbins %d n %zu masked %d threads %d: bin %d holds %llu, "
                                    "want %llu\n",
                                    nbins, n, masked, threads[t], k, (unsigned long long)got[k],
                                    (unsigned long long)want[k]);
                        fail();
                    }
            }
        }
    }
    tk_set_threads(1);
    free(v);
    free(valid);
    free(got);
    free(want);
}

/* A histogram of two Gaussian modes over [lo, hi]. */
static void bimodal(uint64_t *bins, int nbins, double c0, double c1, double sd, double n0,
                    double n1)
{
    for (int k = 0; k < nbins; k++) {
        const double x = k + 0.5;
        bins[k] = (uint64_t)(n0 * exp(-0.5 * (x - c0) * (x - c0) / (sd * sd)) +
                             n1 * exp(-0.5 * (x - c1) * (x - c1) / (sd * sd)));
    }
}

/* tb_otsu's split (as a bin index) equals the brute force's, or ties with it. */
static void assert_otsu_matches(const uint64_t *bins, int nbins, double lo, double hi,
                                const char *what)
{
    const double t = tb_otsu(bins, nbins, lo, hi);
    const int want = ref_otsu_split(bins, nbins);
    const double split = (t - lo) / (hi - lo) * nbins;
    const int got = (int)floor(split + 0.5);
    if (fabs(split - got) > 1e-6) {
        print_error("%s: threshold %.17g is not a bin edge\n", what, t);
        fail();
    }
    if (got == want)
        return;
    const double vg = ref_within_variance(bins, nbins, got);
    const double vw = ref_within_variance(bins, nbins, want);
    if (vg < 0 || fabs(vg - vw) > 1e-12 * vw) {
        print_error("%s: split %d (within-class variance %.17g), brute force %d (%.17g)\n",
                    what, got, vg, want, vw);
        fail();
    }
}

static void test_otsu_bimodal(void **state)
{
    (void)state;
    uint64_t bins[200];
    const double lo = 0, hi = 100;   /* half a unit per bin */
    bimodal(bins, 200, 40, 140, 10, 10000, 3000);   /* modes at 20 and 70 */
    const double t = tb_otsu(bins, 200, lo, hi);
    print_message("bimodal: otsu %.3f between modes 20 and 70\n", t);
    assert_true(t > 30 && t < 60);
    assert_otsu_matches(bins, 200, lo, hi, "bimodal");
    /* Same shape, modes swapped in weight and moved: still between them. */
    bimodal(bins, 200, 100, 170, 6, 500, 20000);
    const double t2 = tb_otsu(bins, 200, -3, 7);
    assert_true(t2 > -3 + 10 * 100.0 / 200 && t2 < -3 + 10 * 170.0 / 200);
    assert_otsu_matches(bins, 200, -3, 7, "bimodal 2");
}

static void test_otsu_matches_brute_force(void **state)
{
    (void)state;
    static const int sizes[] = {2, 3, 5, 16, 64, 256, 1000};
    uint64_t bins[1000];
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int trial = 0; trial < 20; trial++) {
            const int nbins = sizes[s];
            tk_rng rng = tk_rng_seed(9600 + 100 * s + trial);
            int nonempty;
            do {
                nonempty = 0;
                for (int k = 0; k < nbins; k++) {
                    bins[k] = tk_uniform(&rng) < 0.3 ? 0 : tk_next(&rng) % 1000000;
                    nonempty += bins[k] > 0;
                }
            } while (nonempty < 2);
            char what[64];
            snprintf(what, sizeof what, "%d bins trial %d", nbins, trial);
            assert_otsu_matches(bins, nbins, -1.5, 2.5, what);
        }
}

static void test_otsu_empty_returns_lo(void **state)
{
    (void)state;
    uint64_t bins[17];
    memset(bins, 0, sizeof bins);
    assert_true(tb_otsu(bins, 17, 3.25, 9.0) == 3.25);
    assert_true(tb_histogram_quantile(bins, 17, 3.25, 9.0, 0.5) == 3.25);
}

static void test_quantile_uniform(void **state)
{
    (void)state;
    static const double qs[] = {0.0, 0.05, 0.25, 0.5, 0.73, 0.999, 1.0};
    uint64_t bins[4096];
    static const int sizes[] = {1, 10, 4096};
    for (size_t s = 0; s < 3; s++) {
        for (int k = 0; k < sizes[s]; k++)
            bins[k] = 100;
        for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
            const double got = tb_histogram_quantile(bins, sizes[s], 2.0, 12.0, qs[i]);
            if (fabs(got - (2.0 + 10.0 * qs[i])) > 1e-9) {
                print_error("%d bins q=%g: %.17g, want %.17g\n", sizes[s], qs[i], got,
                            2.0 + 10.0 * qs[i]);
                fail();
            }
        }
    }
}

static void test_quantile_matches_reference(void **state)
{
    (void)state;
    static const double qs[] = {1e-6, 0.01, 0.1, 0.3, 0.5, 0.75, 0.9, 0.99, 1.0};
    uint64_t bins[300];
    for (int trial = 0; trial < 40; trial++) {
        tk_rng rng = tk_rng_seed(9700 + trial);
        const int nbins = tk_int(&rng, 1, 300);
        for (int k = 0; k < nbins; k++)
            bins[k] = tk_uniform(&rng) < 0.4 ? 0 : (uint64_t)tk_int(&rng, 1, 5000);
        bins[tk_int(&rng, 0, nbins - 1)] += 1;   /* never empty */
        const double lo = -10 + 20 * tk_uniform(&rng), hi = lo + 0.5 + 100 * tk_uniform(&rng);
        for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
            const double got = tb_histogram_quantile(bins, nbins, lo, hi, qs[i]);
            const double want = ref_quantile(bins, nbins, lo, hi, qs[i]);
            if (fabs(got - want) > 1e-9 * (hi - lo)) {
                print_error("trial %d (%d bins) q=%g: %.17g, reference %.17g\n", trial, nbins,
                            qs[i], got, want);
                fail();
            }
        }
    }
}

/* ---- threshold ------------------------------------------------------------------------ */

static void test_threshold_matches_reference(void **state)
{
    (void)state;
    static const size_t ns[] = {1, 17, 4097, 100003};
    static const float ts[] = {-1.0f, 0.0f, 1.5f, 2.0625f, 3.9375f, 100.0f};
    for (size_t in = 0; in < sizeof ns / sizeof ns[0]; in++)
        for (size_t id = 0; id < NDENSITIES; id++) {
            const size_t n = ns[in];
            tk_rng rng = tk_rng_seed(9800 + 10 * in + id);
            float *score = tk_alloc(n, sizeof *score);
            uint8_t *valid = tk_alloc(n, 1), *got = tk_alloc(n, 1), *want = tk_alloc(n, 1);
            for (size_t i = 0; i < n; i++)   /* multiples of 1/16: ties with t happen */
                score[i] = (float)tk_int(&rng, 0, 63) / 16.0f;
            tk_mask_random(&rng, valid, n, densities[id]);
            for (size_t it = 0; it < sizeof ts / sizeof ts[0]; it++) {
                memset(got, 0xAA, n);
                tb_threshold(score, valid, n, ts[it], got);
                ref_threshold(score, valid, n, ts[it], want);
                assert_bytes_equal(got, want, n, "threshold");
            }
            free(score);
            free(valid);
            free(got);
            free(want);
        }
}

/* Histogram, Otsu, quantile and threshold give the same bytes on 1, 2 and 3 threads. */
static void test_histogram_threshold_thread_invariance(void **state)
{
    (void)state;
    const size_t n = 3 * 65536 + 11;
    tk_rng rng = tk_rng_seed(9900);
    float *score = tk_alloc(n, sizeof *score);
    uint8_t *valid = tk_alloc(n, 1), *mask_ref = tk_alloc(n, 1), *mask = tk_alloc(n, 1);
    for (size_t i = 0; i < n; i++)
        score[i] = (float)(tk_uniform(&rng) < 0.3 ? 6 + tk_normal(&rng) : fabs(tk_normal(&rng)));
    tk_mask_random(&rng, valid, n, 0.9);
    uint64_t bins_ref[256], bins[256];
    double otsu_ref = 0, q_ref = 0;
    for (int t = 0; t < TK_NTHREAD_COUNTS; t++) {
        tk_set_threads(tk_thread_counts[t]);
        memset(bins, 0, sizeof bins);
        tb_histogram_add(score, valid, n, 0.0, 10.0, bins, 256);
        const double otsu = tb_otsu(bins, 256, 0.0, 10.0);
        const double q = tb_histogram_quantile(bins, 256, 0.0, 10.0, 0.9);
        tb_threshold(score, valid, n, (float)otsu, mask);
        if (t == 0) {
            memcpy(bins_ref, bins, sizeof bins);
            memcpy(mask_ref, mask, n);
            otsu_ref = otsu;
            q_ref = q;
            continue;
        }
        assert_bytes_equal(bins, bins_ref, sizeof bins, "histogram");
        assert_bytes_equal(&otsu, &otsu_ref, sizeof otsu, "otsu");
        assert_bytes_equal(&q, &q_ref, sizeof q, "quantile");
        assert_bytes_equal(mask, mask_ref, n, "threshold");
    }
    tk_set_threads(1);
    free(score);
    free(valid);
    free(mask_ref);
    free(mask);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_change_score_matches_reference),
        cmocka_unit_test(test_change_score_thread_invariance),
        cmocka_unit_test(test_normalise_recovers_gain_offset),
        cmocka_unit_test(test_normalise_identical_dates),
        cmocka_unit_test(test_normalise_ignores_invalid),
        cmocka_unit_test(test_normalise_nothing_valid),
        cmocka_unit_test(test_normalise_thread_invariance),
        cmocka_unit_test(test_histogram_add_matches_reference),
        cmocka_unit_test(test_histogram_parallel_matches_reference),
        cmocka_unit_test(test_otsu_bimodal),
        cmocka_unit_test(test_otsu_matches_brute_force),
        cmocka_unit_test(test_otsu_empty_returns_lo),
        cmocka_unit_test(test_quantile_uniform),
        cmocka_unit_test(test_quantile_matches_reference),
        cmocka_unit_test(test_threshold_matches_reference),
        cmocka_unit_test(test_histogram_threshold_thread_invariance),
    };
    return cmocka_run_group_tests_name("kernels_score", tests, NULL, NULL);
}
