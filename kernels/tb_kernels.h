/* tb_kernels.h: the pixel kernels of a scan, on plain caller-owned buffers.
 *
 * Rules for everything declared here:
 *  - pure C11 + OpenMP: no I/O, no logging, no library headers, no allocation except
 *    in the connected-component labeller, whose tables grow with the number of
 *    components (never with the raster);
 *  - rows (or independent pixel ranges) run in parallel, SIMD across x; every output
 *    is bit-identical for any thread count (reductions are done per row, then summed
 *    in row order);
 *  - images are row-major, `width` pixels per row, no padding unless a stride is given;
 *  - a mask is uint8_t with values 0 or 1.
 * Each kernel has a naive reference in kernels/tests/ that the tests compare against.
 */
#ifndef TB_KERNELS_H
#define TB_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- radiometric normalisation (normalise.c) ------------------------------------ */

/* Linear radiometric normalisation of one band of the before-image to the after-image:
 * before' = gain * before + offset. */
typedef struct tb_band_fit {
    double gain, offset;
    double scale;        /* robust spread of the after-band on unchanged pixels (> 0) */
    uint64_t pixels;     /* pixels the fit used */
} tb_band_fit;

/* Fits every band from `n` paired samples (before[b][i], after[b][i]) where valid[i]
 * is non-zero, on the pixels most likely unchanged: the fit is repeated `iterations`
 * times, each time on the pixels whose change score under the previous fit is below
 * the `keep` quantile (e.g. 0.75). The fit matches mean and standard deviation of the
 * two dates (a major-axis fit: symmetric in the two dates, unlike least squares, so a
 * weak correlation does not shrink the gain). `score` (n floats) is scratch.
 * Returns the number of pixels the last fit used (0: nothing valid; fits are then
 * identity with scale 1). Deterministic: serial sums in index order. */
uint64_t tb_normalise_fit(const float *const *before, const float *const *after, int nbands,
                          const uint8_t *valid, size_t n, int iterations, double keep,
                          tb_band_fit *fits, float *score);

/* ---- change score (change_score.c) ---------------------------------------------- */

/* score[i] = sqrt( sum_b ((after_b[i] - gain_b * before_b[i] - offset_b) / scale_b)^2 / nbands )
 * for valid[i] != 0, and 0 elsewhere: the change-vector magnitude in units of each
 * band's spread, so the score means the same for 8-bit and 16-bit data. */
void tb_change_score(const float *const *before, const float *const *after, int nbands,
                     const tb_band_fit *fits, const uint8_t *valid, size_t n, float *score);

/* ---- histograms and thresholds (histogram.c, threshold.c) ----------------------- */

/* Adds the valid values of v[0..n) to `bins` (nbins over [lo, hi]; values outside are
 * clamped into the first/last bin, NaN counts in the first). Parallel over the values
 * when there are many more of them than bins; the counts are the same at any thread
 * count. */
void tb_histogram_add(const float *v, const uint8_t *valid, size_t n, double lo, double hi,
                      uint64_t *bins, int nbins);

/* Otsu's threshold over a histogram of `nbins` over [lo, hi]: the bin edge that
 * maximises the between-class variance. Returns lo when the histogram is empty. */
double tb_otsu(const uint64_t *bins, int nbins, double lo, double hi);

/* Value below which a fraction q (0..1) of the histogram lies (linear within a bin). */
double tb_histogram_quantile(const uint64_t *bins, int nbins, double lo, double hi, double q);

/* mask[i] = valid[i] && score[i] > t. */
void tb_threshold(const float *score, const uint8_t *valid, size_t n, float t, uint8_t *mask);

/* ---- binary morphology (morphology.c) -------------------------------------------- */

/* Binary erosion / dilation of a width x height mask by a (2rx+1) x (2ry+1) rectangle.
 * Cost per pixel does not depend on the radii (running counts, separable). Pixels
 * outside the buffer are neutral (erosion: set, dilation: clear), so a strip processed
 * with a halo of the summed radii gives the same central rows as the whole image.
 * `scratch` holds width * height bytes. `in` and `out` may not alias. */
void tb_erode(const uint8_t *in, uint8_t *out, int width, int height, int rx, int ry,
              uint8_t *scratch);
void tb_dilate(const uint8_t *in, uint8_t *out, int width, int height, int rx, int ry,
               uint8_t *scratch);

/* Opening (erode, dilate) and closing (dilate, erode) with a (2r+1)^2 square, in
 * place on `mask`; `scratch` holds 2 * width * height bytes. r = 0 is a no-op. */
void tb_open(uint8_t *mask, int width, int height, int r, uint8_t *scratch);
void tb_close(uint8_t *mask, int width, int height, int r, uint8_t *scratch);

/* ---- grey-level morphology (morphology_gray.c) ------------------------------------ */

/* Grey-level erosion (minimum) / dilation (maximum) of a float image by a
 * (2rx+1) x (2ry+1) rectangle; rx = 0 or ry = 0 gives a vertical or horizontal line.
 * van Herk / Gil-Werman: the cost per pixel does not depend on the radii. Samples
 * outside the buffer are neutral (the window is clipped). `scratch` holds
 * tb_gray_scratch_floats(width, height, rx, ry) floats. `in` and `out` may not alias. */
size_t tb_gray_scratch_floats(int width, int height, int rx, int ry);
void tb_gray_erode(const float *in, float *out, int width, int height, int rx, int ry,
                   float *scratch);
void tb_gray_dilate(const float *in, float *out, int width, int height, int rx, int ry,
                    float *scratch);

/* ---- grey-level line morphology (morphology_line.c) ------------------------------ */

/* Line segments of `length` pixels (>= 1) in one of four directions, in degrees
 * counter-clockwise from east with north up (rows run south, so 45 is "/", 135 "\"):
 * the unit step u is (1,0) for 0, (1,-1) for 45, (0,-1) for 90, (-1,-1) for 135
 * ((dx, dy), y down). The element is B = { k*u : k = -floor((length-1)/2) ..
 * ceil((length-1)/2) }: centred for odd lengths; an even length has its extra sample
 * on the +u side (east, north-east, north, north-west). Lengths are nested: B(L) is
 * inside B(L + 1), which makes openings by longer lines smaller.
 *   erosion:  out(p) = min of in(p + b), b in B
 *   dilation: out(p) = max of in(p - b), b in B   (the reflected element)
 * so that opening = dilation(erosion) and closing = erosion(dilation) hold for even
 * lengths too. Samples outside the buffer are neutral (the window is clipped), so a
 * strip read with a halo of ceil((length-1)/2) rows (length - 1 for opening and
 * closing; 0 for direction 0) gives the whole image's central rows. van Herk /
 * Gil-Werman along rows, columns and diagonals: three comparisons per sample whatever
 * the length; rows (for the vertical and diagonal directions, ranges of rows streamed
 * through per-thread tables of 2 length + 1 rows; at most 8 threads) run in parallel,
 * SIMD across x.
 * `scratch` holds tb_line_scratch_floats(width, height, length) floats for erosion
 * and dilation; opening and closing need width * height more (their intermediate
 * image). `in` and `out` may not alias. Returns 0, or -1 (nothing written) when the
 * direction is not 0/45/90/135 or the length is < 1. */
enum { TB_LINE_0 = 0, TB_LINE_45 = 45, TB_LINE_90 = 90, TB_LINE_135 = 135 };
size_t tb_line_scratch_floats(int width, int height, int length);
int tb_gray_line_erode(const float *in, float *out, int width, int height, int direction,
                       int length, float *scratch);
int tb_gray_line_dilate(const float *in, float *out, int width, int height, int direction,
                        int length, float *scratch);
int tb_gray_line_open(const float *in, float *out, int width, int height, int direction,
                      int length, float *scratch);
int tb_gray_line_close(const float *in, float *out, int width, int height, int direction,
                       int length, float *scratch);

/* ---- morphological reconstruction (reconstruct.c, reconstruct_binary.c) ---------- */

/* Grey reconstruction by dilation, 8-connected: the largest image J <= mask reached
 * from min(marker, mask) by repeated 3x3 dilation clipped under `mask` (every pixel
 * of a plateau of `mask` connected at level v to a marker value >= v gets v).
 * Reconstruction by erosion is the dual: J >= mask, from max(marker, mask), by 3x3
 * erosion clipped above `mask`. The result is unique, so any order of propagation
 * gives the same bits: Vincent's hybrid algorithm (raster and anti-raster scans, then
 * a FIFO) runs in horizontal bands in parallel, and bands exchange their edge rows
 * until nothing changes. Propagation is confined to the buffer: on a strip with a
 * halo, paths that leave the strip are missed (see tb_building_index).
 * No NaN in `marker` or `mask` (infinities are fine); width * height < 2^32.
 * `out` may be `marker` (in place), never `mask`. `scratch` holds
 * tb_reconstruct_scratch_bytes(width, height) bytes (malloc'd: it is used as floats,
 * uint32 and bytes). */
size_t tb_reconstruct_scratch_bytes(int width, int height);
void tb_reconstruct_dilate(const float *marker, const float *mask, float *out, int width,
                           int height, void *scratch);
void tb_reconstruct_erode(const float *marker, const float *mask, float *out, int width,
                          int height, void *scratch);

/* Opening by reconstruction with a line: reconstruction by dilation under `in` of the
 * line erosion of `in` (equal to reconstructing the line opening, as the segment is
 * connected and holds the origin); closing by reconstruction is the dual (line
 * dilation, reconstruction by erosion). They remove bright (opening) or dark
 * (closing) structures in which no `length` segment in `direction` fits, and restore
 * everything else exactly. `scratch` holds
 * tb_reconstruct_line_scratch_bytes(width, height, length) bytes. `in` and `out` may
 * not alias. Returns 0, or -1 (nothing written) for a bad direction or length. */
size_t tb_reconstruct_line_scratch_bytes(int width, int height, int length);
int tb_open_by_reconstruction(const float *in, float *out, int width, int height,
                              int direction, int length, void *scratch);
int tb_close_by_reconstruction(const float *in, float *out, int width, int height,
                               int direction, int length, void *scratch);

/* Binary reconstruction: out = the pixels of `mask` connected (`connectivity` 4 or 8,
 * within mask) to a pixel set in both `marker` and `mask`. Serial (a flood fill of
 * the seeds, linear in the pixels). `out` may be `marker`. `queue` holds
 * width * height entries. */
void tb_binary_reconstruct(const uint8_t *marker, const uint8_t *mask, uint8_t *out, int width,
                           int height, int connectivity, uint32_t *queue);

/* Hole filling: out = mask plus every background pixel not connected to the buffer
 * border through background. Background connects 4-way (the dual of 8-connected
 * foreground, as the labeller's components are): a diagonal one-pixel ring closes a
 * hole. `out` may be `mask`. `queue` holds width * height entries. */
void tb_fill_holes(const uint8_t *mask, uint8_t *out, int width, int height, uint32_t *queue);

/* ---- filters for very-high-resolution RGB (filter_separable.c) -------------------- */

/* Separable correlations with mirrored edges (d c b a | a b c d, as scipy.ndimage's
 * "reflect"): a strip read with a halo of the filter's reach gives the whole image's
 * central rows, and the image's own edges are treated as by the whole image. Taps are
 * summed in double, first along x (the intermediate is float), then along y.
 * `scratch` holds width * height floats. `in` and `out` may not alias.
 * Gaussian: taps exp(-t^2 / 2 sigma^2), normalised, t = -R..R with
 * R = tb_gaussian_radius(sigma) = (int)(4 sigma + 0.5); sigma <= 0 copies.
 * Box mean: `size` taps of 1/size over offsets -size/2 .. size - 1 - size/2 (an even
 * size reaches one pixel further back than forward).
 * Return 0, or -1 (nothing written) when the reach exceeds TB_FILTER_MAX_RADIUS. */
#define TB_FILTER_MAX_RADIUS 64
int tb_gaussian_radius(double sigma);
int tb_gaussian(const float *in, float *out, int width, int height, double sigma,
                float *scratch);
int tb_box_mean(const float *in, float *out, int width, int height, int size, float *scratch);

/* Greyness of n RGB pixels: 1 - (max - min) / (max + eps), max and min over r, g, b
 * (eps: 1 for 8-bit data, scaled with the data range). Grey surfaces score near 1. */
void tb_greyness(const float *r, const float *g, const float *b, size_t n, float eps,
                 float *out);

/* Local normalised cross-correlation of x and y over a size x size box (box means as
 * tb_box_mean, mirrored edges): cov / sqrt(max(var_x var_y, 1e-6)), the moments from
 * window sums of x, y, xy, x^2 and y^2 in double (float sums would turn the
 * cancellation on flat ground into noise). `scratch` holds 5 * width * height doubles.
 * Returns 0, or -1 for a bad size. */
int tb_local_ncc(const float *x, const float *y, float *out, int width, int height, int size,
                 double *scratch);

/* ---- run lengths along lines (line_runs.c) ---------------------------------------- */

/* out[d][i] = the number of set pixels in the unbroken run of `mask` through pixel i
 * along direction d (0: rows, 1: columns, 2: diagonal (+1, +1), 3: diagonal (-1, +1)
 * as (dx, dy)), saturated at `cap` (1..65535); 0 where the mask is clear. A strip with
 * a halo of cap rows gives the whole image's central rows. `scratch` holds
 * width * height uint16. */
void tb_line_runs(const uint8_t *mask, int width, int height, int cap, uint16_t *const out[4],
                  uint16_t *scratch);

/* ---- binary morphology with a disk (morphology_disk.c) ---------------------------- */

/* Erosion, dilation, opening and closing by the digital disk
 * { (dx, dy) : dx^2 + dy^2 <= r^2 + r } (r = 0: copy / no-op). Outside the buffer
 * counts as clear for every operation (scipy.ndimage's border_value 0): erosion wears
 * shapes that touch the edge. A strip needs a halo of 2r rows per operation.
 * tb_disk_half_width(r, dy) is the disk's half-width in row dy (-1 outside).
 * `scratch`: width * height bytes for erode/dilate, twice that for open/close. `in`
 * and `out` may not alias. Return 0, or -1 when r is outside 0..TB_DISK_MAX_RADIUS. */
#define TB_DISK_MAX_RADIUS 200
int tb_disk_half_width(int r, int dy);
int tb_disk_erode(const uint8_t *in, uint8_t *out, int width, int height, int r,
                  uint8_t *scratch);
int tb_disk_dilate(const uint8_t *in, uint8_t *out, int width, int height, int r,
                   uint8_t *scratch);
int tb_disk_open(uint8_t *mask, int width, int height, int r, uint8_t *scratch);
int tb_disk_close(uint8_t *mask, int width, int height, int r, uint8_t *scratch);

/* After a closing by the disk of radius r of the union of objects labelled `ids`
 * (0 = none; distinct objects carry distinct ids), clears every pixel the closing
 * added (mask set, id 0) whose disk of radius r + 1 holds two different ids: a gap
 * the closing bridged between two objects (up to 2r + 1 pixels wide) is emptied
 * again, so the objects stay apart, while gaps inside one object stay filled.
 * Outside the buffer holds no id; a strip needs a halo of r + 1 rows. In place;
 * any thread count gives the same bits. Returns 0, or -1 when r is outside
 * 0..TB_DISK_MAX_RADIUS - 1. */
int tb_keep_apart(uint8_t *mask, const uint32_t *ids, int width, int height, int r);

/* ---- building and shadow indices (building_index.c) ----------------------------- */

/* Morphological building index (Huang & Zhang 2011) and its shadow twin. For each
 * direction d in {0, 45, 90, 135} and lengths s = len_min, len_min + len_step, ...
 * up to the last one <= len_max (N >= 2 lengths):
 *   WTH(s,d) = b - opening by reconstruction of b by the line (s, d)
 *   DMP(s,d) = |WTH(s + step, d) - WTH(s, d)|,   MBI = mean of DMP over d and s
 * (4 (N - 1) values); MSI the same with the black top-hat closing by reconstruction
 * - b. Because the lines are nested, WTH grows with s and the profile telescopes:
 * MBI = sum over d of (WTH(s_last, d) - WTH(len_min, d)) / (4 (N - 1)), which is
 * computed as such (two reconstructions per direction instead of N; the tests
 * compare against the full profile). High MBI: bright structures shorter than the
 * longest line in every direction (a road, long in one direction, scores about 3/4
 * of a building of the same contrast; a bright area wider than the longest line
 * scores 0 inside). `brightness` is the caller's (e.g. max of the visible bands),
 * finite. `msi` may be NULL.
 * Strips: reconstruction is confined to the buffer, so a strip read with a halo of
 * tb_mbi_halo() rows (the longest line) is exact for the line openings but not for
 * the reconstruction of paths that leave the strip; the deviation at seams is small
 * and measured by the tests (kernels/tests/test_building_index.c).
 * `scratch` holds tb_mbi_scratch_floats() floats (malloc'd). Returns 0, or -1
 * (nothing written) unless 1 <= len_min, 1 <= len_step, len_min + len_step <= len_max. */
typedef struct tb_mbi_params {
    int len_min, len_max, len_step;   /* pixels */
} tb_mbi_params;

/* Huang & Zhang's lengths: 2 .. 52 in steps of 5. */
void tb_mbi_defaults(tb_mbi_params *p);
/* The longest line used (the halo a strip needs), or -1 for invalid parameters. */
int tb_mbi_halo(const tb_mbi_params *p);
size_t tb_mbi_scratch_floats(int width, int height, const tb_mbi_params *p);
int tb_building_index(const float *brightness, int width, int height, const tb_mbi_params *p,
                      float *mbi, float *msi, float *scratch);

/* ---- connected components (components.c) ---------------------------------------- */

/* Statistics of one component, gathered while rows stream through the labeller. */
typedef struct tb_component {
    uint64_t pixels;
    double sum_score;
    double sum_x, sum_y;             /* sums of pixel-centre coordinates (pixels) */
    uint64_t edges_h, edges_v;       /* boundary edges: horizontal (between rows), vertical */
    int32_t min_x, min_y, max_x, max_y;   /* (one record per live label and per component) */
    float max_score;
} tb_component;

typedef struct tb_ccl tb_ccl;

/* Merges the payload of one provisional label into another's (see tb_ccl_create_with). */
typedef void (*tb_ccl_merge_fn)(void *into, const void *from);

/* Creates an 8-connected labeller for rows `width` pixels wide. NULL on no memory. */
tb_ccl *tb_ccl_create(int width);
/* The same, with `payload` bytes of the caller's per provisional label (zeroed when the
 * label is issued, see tb_ccl_payload), merged into the root's with `merge` when the
 * component is complete, in increasing label order. NULL on no memory or payload
 * without merge. */
tb_ccl *tb_ccl_create_with(int width, size_t payload, tb_ccl_merge_fn merge);
void tb_ccl_destroy(tb_ccl *ccl);   /* NULL-safe; closes a spill file */

/* Before the first push: complete components are written to `f` (open for reading and
 * writing, empty; the labeller closes it) instead of kept in memory, and read back by
 * tb_ccl_finish. Returns 0, or -1 (already pushed, or a spill file set). */
int tb_ccl_spill(tb_ccl *ccl, FILE *f);

/* Labels the next `rows` rows of `mask` (rows follow the previous call's rows), with
 * `score` (may be NULL) feeding the statistics. Writes provisional labels (0 for
 * background) to `labels`: those of a row-by-row scan (a pixel takes its left
 * neighbour's label, else the first of its three upper neighbours'; the others issue
 * labels in raster order). Blocks of the rows are labelled in parallel (OpenMP) and
 * joined by union-find; the blocks depend on `rows` only, so labels and statistics
 * are bit-identical at any thread count. First retires the components the previous
 * call completed (no pixel in its last row): statistics are kept per provisional
 * label only while its component is live. Returns 0, -1 when the tables cannot grow
 * (no memory), -2 when the spill file cannot be written. */
int tb_ccl_push(tb_ccl *ccl, const uint8_t *mask, const float *score, int rows, uint32_t *labels);

/* Before tb_ccl_finish: the payload of a provisional label written by the last push
 * (labels of earlier pushes may be retired: not allowed). After: the merged payload of
 * a root. NULL without payload or for label 0 / out of range. */
void *tb_ccl_payload(tb_ccl *ccl, uint32_t label);

/* Ends the image: closes the bottom edges, retires every component and resolves every
 * provisional label to its component. After this, tb_ccl_root() maps a provisional
 * label to its component's root (the component's first label in raster order) and
 * tb_ccl_component() gives a root's statistics (NULL for other labels). Returns 0, -1
 * (no memory) or -2 (spill file unreadable); then no statistics are available. */
int tb_ccl_finish(tb_ccl *ccl);

uint32_t tb_ccl_label_count(const tb_ccl *ccl);  /* provisional labels issued: 1..count */
uint32_t tb_ccl_root(const tb_ccl *ccl, uint32_t label);
const tb_component *tb_ccl_component(const tb_ccl *ccl, uint32_t root);

/* For tests and reports: labels with a live record (components not yet complete), and
 * components retired so far. */
uint32_t tb_ccl_live_labels(const tb_ccl *ccl);
uint64_t tb_ccl_retired(const tb_ccl *ccl);

#endif
