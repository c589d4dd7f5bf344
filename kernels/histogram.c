/* histogram.c: histograms of float images, Otsu's threshold and quantiles.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "tb_kernels.h"

/* Values binned per pass: their bin indices are computed SIMD across the chunk, then
 * counted. */
#define CHUNK 1024

/* Values per thread at least before a second thread (with its own tables to clear and
 * merge) pays off. */
#define MIN_VALUES_PER_THREAD ((size_t)1 << 16)

/* idx[i] = bin of v[i], or nbins (a discard slot) when valid[i] == 0. Values below lo
 * (and NaN) go to bin 0, values at or above hi to bin nbins - 1. */
static void bin_indices(const float *v, const uint8_t *valid, int m, double lo, double scale,
                        int nbins, int32_t *idx)
{
    const double cap = nbins, top = nbins - 1;
#pragma omp simd
    for (int i = 0; i < m; i++) {
        double t = ((double)v[i] - lo) * scale;
        t = t > 0 ? t : 0.0;   /* NaN fails the test too */
        t = t < cap ? t : top;
        idx[i] = (int32_t)t;
    }
    if (valid)
#pragma omp simd
        for (int i = 0; i < m; i++)
            idx[i] = valid[i] ? idx[i] : nbins;
}

/* Counts v[0..n) (n < 2^32) into `ncopy` (1 or 4) tables of nbins + 1 counters. With 4,
 * copy k takes the values i % 4 == k, so that runs of equal values, common in smooth
 * images, do not chain every increment on the previous one; large tables get one copy
 * to stay in cache. */
static void count_range(const float *v, const uint8_t *valid, size_t n, double lo,
                        double scale, int nbins, int ncopy, uint32_t *tab)
{
    int32_t idx[CHUNK];
    const size_t stride = (size_t)nbins + 1;
    uint32_t *t0 = tab, *t1 = tab + stride, *t2 = tab + 2 * stride, *t3 = tab + 3 * stride;
    for (size_t i0 = 0; i0 < n; i0 += CHUNK) {
        const int m = n - i0 < CHUNK ? (int)(n - i0) : CHUNK;
        bin_indices(v + i0, valid ? valid + i0 : NULL, m, lo, scale, nbins, idx);
        int i = 0;
        if (ncopy == 4)
            for (; i + 4 <= m; i += 4) {
                t0[idx[i]]++;
                t1[idx[i + 1]]++;
                t2[idx[i + 2]]++;
                t3[idx[i + 3]]++;
            }
        for (; i < m; i++)
            t0[idx[i]]++;
    }
}

/* Counts v[0..n) straight into bins (small inputs, or no memory for tables). */
static void count_direct(const float *v, const uint8_t *valid, size_t n, double lo,
                         double scale, int nbins, uint64_t *bins)
{
    int32_t idx[CHUNK];
    for (size_t i0 = 0; i0 < n; i0 += CHUNK) {
        const int m = n - i0 < CHUNK ? (int)(n - i0) : CHUNK;
        bin_indices(v + i0, valid ? valid + i0 : NULL, m, lo, scale, nbins, idx);
        for (int i = 0; i < m; i++)
            if (idx[i] < nbins)
                bins[idx[i]]++;
    }
}

void tb_histogram_add(const float *v, const uint8_t *valid, size_t n, double lo, double hi,
                      uint64_t *bins, int nbins)
{
    if (n == 0 || nbins < 1)
        return;
    const double scale = hi > lo ? nbins / (hi - lo) : 0.0;
    /* Each thread counts a contiguous share into its own 32-bit tables; then the
     * threads add the tables into `bins` over disjoint ranges of bins. Counts are
     * integers, so the result does not depend on the number of threads. Passes of at
     * most 2^31 values keep the 32-bit counters from overflowing. */
    const int ncopy = nbins <= 4096 ? 4 : 1;
    const size_t stride = (size_t)nbins + 1, per_thread = (size_t)ncopy * stride;
    size_t min_share = per_thread * 8;
    if (min_share < MIN_VALUES_PER_THREAD)
        min_share = MIN_VALUES_PER_THREAD;
    const size_t pass = (size_t)1 << 31;
    for (size_t p0 = 0; p0 < n; p0 += pass) {
        const size_t np = n - p0 < pass ? n - p0 : pass;
        const float *vp = v + p0;
        const uint8_t *mp = valid ? valid + p0 : NULL;
        const size_t shares = np / min_share;
        const int nt = shares < (size_t)omp_get_max_threads() ? (int)shares : omp_get_max_threads();
        uint32_t *tabs = nt >= 1 ? calloc((size_t)nt * per_thread, sizeof *tabs) : NULL;
        if (!tabs) {   /* too few values for tables, or no room for them */
            count_direct(vp, mp, np, lo, scale, nbins, bins);
            continue;
        }
#pragma omp parallel num_threads(nt) if (nt > 1)
        {
            const int nth = omp_get_num_threads(), th = omp_get_thread_num();
            const size_t a = np * (size_t)th / (size_t)nth;
            const size_t b = np * (size_t)(th + 1) / (size_t)nth;
            count_range(vp + a, mp ? mp + a : NULL, b - a, lo, scale, nbins, ncopy,
                        tabs + (size_t)th * per_thread);
#pragma omp barrier
#pragma omp for schedule(static)
            for (int k = 0; k < nbins; k++) {
                uint64_t sum = 0;
                for (size_t c = 0; c < (size_t)nth * (size_t)ncopy; c++)
                    sum += tabs[c * stride + (size_t)k];
                bins[k] += sum;
            }
        }
        free(tabs);
    }
}

double tb_otsu(const uint64_t *bins, int nbins, double lo, double hi)
{
    double total = 0, sum_all = 0;
    for (int k = 0; k < nbins; k++) {
        total += (double)bins[k];
        sum_all += (double)k * (double)bins[k];
    }
    if (total <= 0)
        return lo;
    double w0 = 0, sum0 = 0, best = -1;
    int best_k = 0;
    for (int k = 0; k < nbins - 1; k++) {
        w0 += (double)bins[k];
        sum0 += (double)k * (double)bins[k];
        double w1 = total - w0;
        if (w0 <= 0 || w1 <= 0)
            continue;
        double m0 = sum0 / w0, m1 = (sum_all - sum0) / w1;
        double between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if (between > best) {
            best = between;
            best_k = k;
        }
    }
    /* Class 0 is bins 0..best_k: the threshold is the upper edge of bin best_k. */
    return lo + (hi - lo) * (double)(best_k + 1) / nbins;
}

double tb_histogram_quantile(const uint64_t *bins, int nbins, double lo, double hi, double q)
{
    double total = 0;
    for (int k = 0; k < nbins; k++)
        total += (double)bins[k];
    if (total <= 0)
        return lo;
    double target = q * total, cum = 0;
    const double width = (hi - lo) / nbins;
    for (int k = 0; k < nbins; k++) {
        double c = (double)bins[k];
        if (cum + c >= target && c > 0)
            return lo + width * (k + (target - cum) / c);
        cum += c;
    }
    return hi;
}
