/* change_score.c: change-vector magnitude between normalised dates.
 *
 * The score is the root mean square over bands of the residual after normalisation,
 * each band in units of its unchanged-pixel spread: 1 is the typical difference of an
 * unchanged pixel, so thresholds mean the same across sensors and bit depths.
 */
#include <math.h>

#include "tb_kernels.h"

#define MAX_BANDS 64

void tb_change_score(const float *const *before, const float *const *after, int nbands,
                     const tb_band_fit *fits, const uint8_t *valid, size_t n, float *score)
{
    float gain[MAX_BANDS], offset[MAX_BANDS], inv[MAX_BANDS];
    if (nbands > MAX_BANDS)
        nbands = MAX_BANDS;
    for (int b = 0; b < nbands; b++) {
        gain[b] = (float)fits[b].gain;
        offset[b] = (float)fits[b].offset;
        inv[b] = (float)(1.0 / fits[b].scale);
    }
    const float inv_nb = 1.0f / (float)nbands;
    const ptrdiff_t count = (ptrdiff_t)n;

    /* Blocks of pixels in parallel; within a block, band by band so each inner loop
     * streams two contiguous arrays and vectorises. Blocks of 16384 pixels give each
     * band's two runs 64 KiB, long enough for the hardware prefetchers (4096-pixel
     * blocks: 36 ms on 4096^2 and 2 threads, 16384: 33.6 ms; acc stays in L2). */
#define BLOCK 16384
#pragma omp parallel for schedule(static)
    for (ptrdiff_t start = 0; start < count; start += BLOCK) {
        ptrdiff_t len = count - start < BLOCK ? count - start : BLOCK;
        float acc[BLOCK];
        for (ptrdiff_t i = 0; i < len; i++)
            acc[i] = 0.0f;
        for (int b = 0; b < nbands; b++) {
            const float *pb = before[b] + start, *pa = after[b] + start;
            const float g = gain[b], o = offset[b], s = inv[b];
#pragma omp simd
            for (ptrdiff_t i = 0; i < len; i++) {
                float r = (pa[i] - (g * pb[i] + o)) * s;
                acc[i] += r * r;
            }
        }
        const uint8_t *v = valid + start;
        float *out = score + start;
        /* No `omp simd` here: sqrtf may set errno, so clang cannot vectorise it without
         * -fno-math-errno, and an explicit request it cannot honour is a -Wpass-failed
         * warning, an error under -Werror. The band loop above is the hot one. */
        for (ptrdiff_t i = 0; i < len; i++)
            out[i] = v[i] ? sqrtf(acc[i] * inv_nb) : 0.0f;
    }
#undef BLOCK
}
