/* reconstruct_internal.h: grey reconstruction with a chosen number of bands (clamped
 * to 1 .. what tb_reconstruct_scratch_bytes() holds for the height). The public
 * functions use one band per thread; the tests force others, since the result must
 * not depend on it. dual = 0: by dilation, 1: by erosion. */
#ifndef RECONSTRUCT_INTERNAL_H
#define RECONSTRUCT_INTERNAL_H

void tb_reconstruct_bands(const float *marker, const float *mask, float *out, int width,
                          int height, void *scratch, int dual, int nbands);

#endif
