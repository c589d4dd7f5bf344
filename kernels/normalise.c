/* normalise.c: per-band linear radiometric normalisation of before to after, fitted
 * on the pixels most likely unchanged.
 *
 * Why mean/std matching and not least squares: regressing after on before shrinks the
 * gain by the correlation of the two dates, and changed pixels lower that correlation;
 * matching the first two moments is symmetric and unbiased by uncorrelated noise. The
 * fit is iterated on the pixels whose change score under the previous fit is low, so
 * new roofs and cleared fields do not pull it.
 */
#include <math.h>
#include <string.h>

#include "tb_kernels.h"

#define QUANTILE_BINS 4096

typedef struct moments {
    double n, sa, sb, saa, sbb;
} moments;

static void fit_from_moments(const moments *m, tb_band_fit *fit)
{
    fit->gain = 1.0;
    fit->offset = 0.0;
    fit->pixels = (uint64_t)m->n;
    if (m->n < 2)
        return;
    double mb = m->sb / m->n, ma = m->sa / m->n;
    double vb = m->sbb / m->n - mb * mb, va = m->saa / m->n - ma * ma;
    if (vb > 0 && va > 0)
        fit->gain = sqrt(va / vb);
    fit->offset = ma - fit->gain * mb;
}

uint64_t tb_normalise_fit(const float *const *before, const float *const *after, int nbands,
                          const uint8_t *valid, size_t n, int iterations, double keep,
                          tb_band_fit *fits, float *score)
{
    /* `score` doubles as the selection mask store: a valid pixel is used when its
     * score is at most `limit`. Invalid pixels are tested by `valid` itself: they carry
     * +inf, but the first fit's limit is +inf too (and inf <= inf). */
    float limit = INFINITY;
    uint64_t used = 0;
    for (size_t i = 0; i < n; i++)
        score[i] = valid[i] ? 0.0f : INFINITY;

    for (int it = 0; it <= iterations; it++) {
        /* Each band's sums run serially in index order, bands in parallel: the fit
         * does not depend on the thread count. */
        used = 0;
#pragma omp parallel for schedule(static, 1) if (nbands > 1 && n >= 16384)
        for (int b = 0; b < nbands; b++) {
            moments m;
            memset(&m, 0, sizeof m);
            for (size_t i = 0; i < n; i++) {
                if (!valid[i] || !(score[i] <= limit))
                    continue;
                double x = before[b][i], y = after[b][i];
                m.n += 1;
                m.sb += x;
                m.sa += y;
                m.sbb += x * x;
                m.saa += y * y;
            }
            fit_from_moments(&m, &fits[b]);
        }
        used = nbands > 0 ? fits[nbands - 1].pixels : 0;
        /* Residual spread over the same selection. */
#pragma omp parallel for schedule(static, 1) if (nbands > 1 && n >= 16384)
        for (int b = 0; b < nbands; b++) {
            double s = 0, ss = 0, cnt = 0;
            for (size_t i = 0; i < n; i++) {
                if (!valid[i] || !(score[i] <= limit))
                    continue;
                double r = after[b][i] - (fits[b].gain * before[b][i] + fits[b].offset);
                s += r;
                ss += r * r;
                cnt += 1;
            }
            double var = cnt > 1 ? ss / cnt - (s / cnt) * (s / cnt) : 0;
            double sd = var > 0 ? sqrt(var) : 0;
            /* No pixel: the identity fit with scale 1 that the header promises. */
            fits[b].scale = cnt < 1 ? 1.0 : sd > 1e-3 ? sd : 1e-3;
        }
        if (used == 0 || it == iterations)
            break;

        /* Score every valid pixel under this fit, then keep the `keep` quantile. */
        tb_change_score(before, after, nbands, fits, valid, n, score);
        float max = 0;
        for (size_t i = 0; i < n; i++)
            if (valid[i] && score[i] > max)
                max = score[i];
        uint64_t bins[QUANTILE_BINS];
        memset(bins, 0, sizeof bins);
        tb_histogram_add(score, valid, n, 0.0, max > 0 ? max : 1.0, bins, QUANTILE_BINS);
        limit = (float)tb_histogram_quantile(bins, QUANTILE_BINS, 0.0, max > 0 ? max : 1.0, keep);
        for (size_t i = 0; i < n; i++)
            if (!valid[i])
                score[i] = INFINITY;
    }
    return used;
}
