/* threshold.c: score -> binary change mask. */
#include "tb_kernels.h"

void tb_threshold(const float *score, const uint8_t *valid, size_t n, float t, uint8_t *mask)
{
    const ptrdiff_t count = (ptrdiff_t)n;
    /* No `simd` on the combined construct: clang 14 cannot vectorise `parallel for
     * simd` (it loses the trip count), and an explicit request it cannot honour is a
     * -Wpass-failed warning, an error under -Werror. */
#pragma omp parallel for schedule(static)
    for (ptrdiff_t i = 0; i < count; i++)
        mask[i] = (uint8_t)(valid[i] && score[i] > t);
}
