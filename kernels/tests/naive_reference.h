/* naive_reference.h: obviously-correct, slow versions of the pixel kernels.
 *
 * Written from the contract in tb_kernels.h, not from the kernels: no running counts,
 * no union-find, no per-block accumulation. Each reference takes the direct route
 * (full windows, flood fill, the formula in double, every split tried) so that a test
 * failure points at the kernel. Buffers are caller-owned unless a function says it
 * allocates.
 */
#ifndef NAIVE_REFERENCE_H
#define NAIVE_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

#include "tb_kernels.h"

/* ---- morphology: the whole (2rx+1) x (2ry+1) window, clipped at the buffer edges. */
void ref_erode(const uint8_t *in, uint8_t *out, int width, int height, int rx, int ry);
void ref_dilate(const uint8_t *in, uint8_t *out, int width, int height, int rx, int ry);
/* In place; r = 0 leaves the mask as it is. */
void ref_open(uint8_t *mask, int width, int height, int r);
void ref_close(uint8_t *mask, int width, int height, int r);

/* ---- connected components: 8-connected breadth-first flood fill with a queue.
 * Writes comp[i] = component number (1..count, numbered in raster order of each
 * component's first pixel; 0 for background) and returns count. */
uint32_t ref_label(const uint8_t *mask, int width, int height, uint32_t *comp);

/* The provisional labels of a row-by-row scan, from their definition: a set pixel
 * takes its left neighbour's label, else that of the first set pixel among its
 * up-left, up and up-right neighbours; a pixel with none of the four issues the next
 * label (1, 2, ... in raster order). Returns the number issued. */
uint32_t ref_provisional_labels(const uint8_t *mask, int width, int height, uint32_t *labels);

/* Statistics of every component straight from the pixels: stats[1..count], and
 * first[c] = raster index of component c's first pixel. `score` may be NULL (zeros).
 * Boundary edges are counted per pixel side whose 4-neighbour is background or
 * outside the image (so hole boundaries count). */
void ref_component_stats(const uint8_t *mask, const float *score, int width, int height,
                         const uint32_t *comp, uint32_t count, tb_component *stats,
                         size_t *first);

/* ---- change score: the contract's formula, in double. */
void ref_change_score(const float *const *before, const float *const *after, int nbands,
                      const tb_band_fit *fits, const uint8_t *valid, size_t n, double *score);

/* ---- histograms and thresholds */
/* bin k covers [lo + k*w, lo + (k+1)*w), w = (hi - lo) / nbins; clamped at both ends. */
void ref_histogram_add(const float *v, const uint8_t *valid, size_t n, double lo, double hi,
                       uint64_t *bins, int nbins);

/* Weighted within-class variance w0*var0 + w1*var1 (bin index as the value) of the
 * split "class 0 = bins [0, t)", each class's mean and variance computed directly;
 * returns -1 when a class is empty. */
double ref_within_variance(const uint64_t *bins, int nbins, int t);

/* Otsu by brute force: the split t in 1..nbins-1 with the smallest within-class
 * variance (the first on ties); 0 when no split leaves both classes non-empty. */
int ref_otsu_split(const uint64_t *bins, int nbins);

/* Smallest x in [lo, hi] at which the piecewise-linear cumulative histogram reaches
 * q * total, found by bisection; lo for an empty histogram. */
double ref_quantile(const uint64_t *bins, int nbins, double lo, double hi, double q);

void ref_threshold(const float *score, const uint8_t *valid, size_t n, float t, uint8_t *mask);

/* ---- line morphology: every sample of the element B of tb_kernels.h, k by k, skipping
 * samples outside the buffer. Opening = dilation of the erosion, closing the dual. */
void ref_line_erode(const float *in, float *out, int width, int height, int direction, int length);
void ref_line_dilate(const float *in, float *out, int width, int height, int direction,
                     int length);
void ref_line_open(const float *in, float *out, int width, int height, int direction, int length);
void ref_line_close(const float *in, float *out, int width, int height, int direction,
                    int length);

/* ---- reconstruction: the definition iterated to its fixpoint. J starts at
 * min(marker, mask) (dual: max) and every pixel is repeatedly set to
 * min(max of J over its 3x3 window, mask) (dual: max/min swapped), sweeping the whole
 * image in alternating directions until a sweep changes nothing. */
void ref_reconstruct(const float *marker, const float *mask, float *out, int width, int height,
                     int dual);
/* Binary: out = marker & mask grown inside mask by 4- or 8-neighbours until stable. */
void ref_binary_reconstruct(const uint8_t *marker, const uint8_t *mask, uint8_t *out, int width,
                            int height, int connectivity);
/* Holes: background not 4-connected through background to a border pixel. */
void ref_fill_holes(const uint8_t *mask, uint8_t *out, int width, int height);

/* ---- building and shadow indices: the whole profile, as Huang & Zhang write it. For
 * every direction and length, the line opening (closing) of b, its reconstruction
 * under (above) b, the top-hat in double; the mean of |WTH(s + step) - WTH(s)| over
 * directions and successive lengths. `msi` may be NULL. */
void ref_building_index(const float *b, int width, int height, const tb_mbi_params *p,
                        double *mbi, double *msi);

/* ---- very-high-resolution filters: direct 2-D sums in double over mirrored indices
 * (so the separable kernels' float intermediate shows as a small difference only). */
void ref_gaussian(const float *in, double *out, int width, int height, double sigma);
void ref_box_mean(const float *in, double *out, int width, int height, int size);
/* NCC from the reference box means of x, y, xy, x^2, y^2. */
void ref_local_ncc(const float *x, const float *y, double *out, int width, int height, int size);
/* Runs: walk from each set pixel both ways along the direction, counting, then cap. */
void ref_line_runs(const uint8_t *mask, int width, int height, int cap, uint16_t *const out[4]);
/* Disk erosion / dilation: every offset of the disk, outside counting as clear. */
void ref_disk_erode(const uint8_t *in, uint8_t *out, int width, int height, int r);
void ref_disk_dilate(const uint8_t *in, uint8_t *out, int width, int height, int r);
/* Keep-apart after a closing: a set pixel without id is cleared when the disk of
 * radius r + 1 around it holds two different ids (checked over the whole image). */
void ref_keep_apart(const uint8_t *in, const uint32_t *ids, uint8_t *out, int width,
                    int height, int r);

#endif
