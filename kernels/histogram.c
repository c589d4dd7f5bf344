/* histogram.c: histograms of float images, Otsu's threshold and quantiles.
 */
#include <math.h>

#include "tb_kernels.h"

static inline int bin_of(float v, double lo, double scale, int nbins)
{
    double t = ((double)v - lo) * scale;
    if (!(t > 0))
        return 0;   /* also NaN */
    if (t >= nbins)
        return nbins - 1;
    return (int)t;
}

void tb_histogram_add(const float *v, const uint8_t *valid, size_t n, double lo, double hi,
                      uint64_t *bins, int nbins)
{
    /* Serial: histograms are taken of pass-1 samples (about a million values), where
     * a parallel merge of per-thread tables would cost more than it saves. */
    const double scale = hi > lo ? nbins / (hi - lo) : 0.0;
    for (size_t i = 0; i < n; i++)
        if (!valid || valid[i])
            bins[bin_of(v[i], lo, scale, nbins)]++;
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
