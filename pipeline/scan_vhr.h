/* scan_vhr.h (pipeline-internal): the building-change recipe for very-high-resolution
 * RGB (detect.method vhr_rgb), run in place of pass 2 of a scan.
 *
 * The recipe (bench/research/REPORT.md of the prototype it reproduces): per date, the
 * greyness of the Gaussian-smoothed RGB, box-averaged, above that date's median + k MAD
 * marks roof candidates; a disk opening, the removal of long thin runs (roads) and a
 * second opening clean them. The `new` branch takes the after-date's candidates, the
 * `removed` branch the before-date's; each branch's 8-connected objects are kept when
 * they are large enough, touch a shadow on the side away from the sun, their two dates'
 * brightness patterns do not correlate (local NCC) and their greyness rose towards their
 * own date. The union of both branches' objects is closed and becomes the components the
 * scan resolves (kind, shape, confidence) as any other.
 *
 * Passes, all in strips with halos (memory grows with the width, not the height):
 *  V1 (scan_vhr_stats.c): histograms of greyness and brightness per date -> the
 *     candidate, roof and shadow thresholds;
 *  V2 (scan_vhr_detect.c): candidates, cleaning, shadow flags, per-direction shadow/roof
 *     counts for the sun estimate, both branches labelled with their NCC and rise sums;
 *  V3: shadow band of every branch object towards its date's sun direction;
 *  V4: the kept objects' union, closed, labelled into the scan's labeller with the
 *     evidence sums (direction: +1 new, -1 removed per pixel) and the recipe's
 *     per-object cues, which describe the polygon and give its confidence.
 * Hole filling of the prototype is dropped (worth +0.001 F1 there, and global).
 */
#ifndef TB_SCAN_VHR_H
#define TB_SCAN_VHR_H

#include <stdint.h>

#include "tb_error.h"

struct tb_scan_ctx;
struct tb_change_feature;

#define TB_VHR_DIRECTIONS 24      /* sun directions tried, 15 degrees apart */
#define TB_VHR_FIX 1048576.0      /* fixed-point units per unit of NCC, rise and cues */

/* Per provisional label of a branch, then per root. */
typedef struct tb_vhr_sums {
    int64_t ncc, rise;            /* sums, TB_VHR_FIX per unit */
    uint64_t band, band_shadow;   /* V3: band pixels, those in shadow */
} tb_vhr_sums;

/* Per provisional label of the final labeller, then per root: the cues of the branch
 * objects its pixels came from. */
typedef struct tb_vhr_cues {
    uint64_t pixels;              /* pixels from a kept branch object */
    int64_t conf, adjacency, rise, ncc;   /* sums, TB_VHR_FIX per unit */
} tb_vhr_cues;

typedef struct tb_vhr_branch {
    struct tb_ccl *ccl;
    void *labels;                 /* tb_raster_writer *: provisional labels, UINT32_MAX = no data */
    char path[1100];
    tb_vhr_sums *sums;
    uint32_t cap;
    uint8_t *keep;                /* per root after V3 */
    float *conf, *adjacency, *rise, *ncc;   /* per root */
    double theta_deg;             /* direction shadow -> caster (image x towards y), degrees */
    uint32_t objects, kept;
} tb_vhr_branch;

typedef struct tb_scan_vhr {
    /* parameters in pixels */
    double px;                    /* metres per pixel (mean of both axes) */
    double sigma_px;
    int gauss_r, box, open_r, run_cap, ncc_box, close_r, band_px;
    double sun_px;
    float eps;                    /* greyness: (max - min) / (max + eps) */
    double bright_hi;             /* brightness histogram range [0, bright_hi] */
    int halo;                     /* rows of halo of V2 */
    int bands[3];                 /* 1-based raster bands: red, green, blue */
    /* V1 */
    double grey_median[2], grey_mad[2];   /* [0] before, [1] after */
    double grey_t[2], roof_t[2], shadow_t[2];
    /* V2 .. V4 */
    uint64_t sun_count[2][TB_VHR_DIRECTIONS];
    tb_vhr_branch branch[2];      /* [0] removed (before-date roofs), [1] new */
    tb_vhr_cues *cues;
    uint32_t ncues, capcues;
} tb_scan_vhr;

/* After the inputs are open (pixel size and band roles known): decides the method
 * ([detect] method; auto: red, green, blue and no NIR role, pixels <= vhr.max_pixel_m)
 * and, for vhr_rgb,
 * allocates ctx->vhr with the parameters in pixels and sets ctx->halo. Fills
 * res->method. TB_ERR_BANDS when vhr_rgb is asked for without red, green and blue. */
tb_status tb_scan_vhr_select(struct tb_scan_ctx *ctx);

/* Rows per strip of the recipe's passes (within TB_SCAN_STRIP_BUDGET, at least 16). */
int tb_scan_vhr_strip_rows(const struct tb_scan_ctx *ctx);

/* V1 .. V4 (in place of tb_scan_detect): leaves ctx->ccl, ctx->provisional, the
 * evidence sums and flags as tb_scan_resolve expects them. */
tb_status tb_scan_vhr_detect(struct tb_scan_ctx *ctx);

/* V1 (scan_vhr_stats.c). */
tb_status tb_scan_vhr_stats(struct tb_scan_ctx *ctx);

/* Fills the recipe's cues of component `root` into f (after its kind is chosen):
 * shadow_adjacency, direction (mean greyness rise), confidence
 * (s_adj s_ncc s_rise)^(1/3). */
void tb_scan_vhr_describe(const struct tb_scan_ctx *ctx, uint32_t root,
                          struct tb_change_feature *f);

void tb_scan_vhr_free(struct tb_scan_ctx *ctx);   /* NULL-safe on ctx->vhr */

/* ---- strip helpers shared by the passes (scan_vhr.c) ---- */

/* Buffers of one strip of `cap` pixels. */
typedef struct tb_vhr_strip {
    float *in[3], *sm[3];         /* one date's R, G, B: read, smoothed */
    float *grey[2], *bright[2];   /* [0] before, [1] after */
    float *tmp;                   /* one plane of scratch */
    uint8_t *valid, *valid_b;
    float *block;
    size_t cap;
} tb_vhr_strip;

tb_status tb_vhr_strip_alloc(tb_vhr_strip *s, size_t cap);
void tb_vhr_strip_free(tb_vhr_strip *s);

/* Reads rows e0 .. e0 + rows of both dates and computes their smoothed bands,
 * greyness (box-averaged) and brightness, and the pixels valid in both. The seconds
 * spent reading are added to *input_seconds unless it is NULL. */
tb_status tb_vhr_strip_compute(struct tb_scan_ctx *ctx, tb_vhr_strip *s, int e0, int rows,
                               double *input_seconds);

#endif
