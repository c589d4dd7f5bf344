/* scan_internal.h: state shared by the passes of one scan (pipeline-internal). */
#ifndef TB_SCAN_INTERNAL_H
#define TB_SCAN_INTERNAL_H

#include "scan_evidence.h"
#include "scan_vhr.h"
#include "tb_align.h"
#include "tb_ground.h"
#include "tb_raster.h"
#include "tb_scan.h"
#include "tb_vector.h"

typedef struct tb_scan_ctx {
    const tb_config *cfg;
    tb_scan_result *res;
    tb_raster *before_src, *after_src;   /* the inputs as opened */
    tb_raster *before, *after;           /* the inputs on the target grid (what passes read) */
    tb_grid grid;
    tb_align_options align;
    tb_ground ground;
    const char *wkt;                /* output CRS (NULL: pixel grid) */
    int width, height, nbands;
    int halo;                       /* rows of context each strip needs */
    int strip_rows;                 /* rows per strip actually used (see tb_scan_strip_rows) */

    /* pass 2 -> pass 3 */
    tb_raster_writer *provisional;  /* UInt32: provisional labels, UINT32_MAX = no data */
    char provisional_path[1100];
    char components_path[1100];     /* the labeller's spill file of complete components */
    tb_ccl *ccl;
    tb_scan_evidence ev;            /* direction and explanation of the change (scan_evidence.c) */
    tb_scan_vhr *vhr;               /* detect.method vhr_rgb (scan_vhr*.c); NULL: change vector */

    /* pass 3 -> output */
    uint32_t *final_id;             /* provisional label -> polygon id (0 = dropped) */
    tb_change_feature *features;
    uint32_t nfeatures;
} tb_scan_ctx;

/* Opens both inputs, assigns configured CRSs, plans the target grid, puts both dates
 * on it and co-registers them (scan_align.c). Fills ctx->before/after and the
 * alignment fields of the result. */
tb_status tb_scan_align(tb_scan_ctx *ctx, const char *before, const char *after);

/* Estimates the shift of before against after and re-opens before with it (after
 * tb_scan_align and the choice of bands). Honours [coreg]. */
tb_status tb_scan_coregister(tb_scan_ctx *ctx);

/* Rows per strip: [scan] strip_rows, lowered for wide scenes so that the strip
 * buffers of pass 2 stay within TB_SCAN_STRIP_BUDGET bytes (memory then depends on
 * neither the width nor the height beyond that), never below 16 rows. */
#define TB_SCAN_STRIP_BUDGET ((size_t)48 << 20)
int tb_scan_strip_rows(const tb_scan_ctx *ctx);

/* Pass 1: sample both dates on a regular grid, fit the normalisation, choose the
 * threshold. Fills res->fits, otsu, floor, threshold, sample_*. */
tb_status tb_scan_sample(tb_scan_ctx *ctx);

/* Pass 2: strips -> score -> mask -> opening/closing -> streaming labels. */
tb_status tb_scan_detect(tb_scan_ctx *ctx);

/* Resolves components into features (area filter) and writes the final label raster
 * and the change mask (pass 3). `mask` may be NULL. */
tb_status tb_scan_resolve(tb_scan_ctx *ctx, tb_raster_writer *labels, tb_raster_writer *mask);

/* Monotonic seconds, for the stage times of the summary. */
double tb_scan_now(void);

/* ---- shape (scan_shape.c) ---- */

/* What pass 2b measures of one component. */
typedef struct tb_shape_meas {
    uint64_t ring;                  /* ring pixels around the structure */
    uint64_t ring_dark_after, ring_dark_before;   /* those in shadow in each date */
    double hull_area_px;            /* convex hull of the pixel squares, in pixels */
    double rect_area_m2;            /* minimum-area rotated rectangle around the hull, m2 */
} tb_shape_meas;

/* Pass 2b: hull, minimum rectangle and shadow ring (width `r` pixels) of every
 * component whose root has want[root] != 0, into out[root] (out holds label count + 1
 * entries). Reads the provisional labels and the evidence flags back, strip by strip
 * with r rows of halo. */
tb_status tb_scan_shape(tb_scan_ctx *ctx, const uint8_t *want, int r, tb_shape_meas *out);

/* ---- confidence (scan_confidence.c) ---- */

/* The confidence of a feature (kind, mean score, shape, evidence filled in) under
 * [confidence], with `threshold` the scan's change-score threshold. In [0, 1]. */
double tb_scan_confidence(const tb_config *cfg, const tb_change_feature *f, double threshold);

/* ---- evidence (scan_evidence.c; see scan_evidence.h) ---- */

/* Band roles from [input] sensor / *_band and the after-image's metadata, as indices
 * into the scan's bands (after the bands are chosen). Fills res->role_bands and
 * res->roles_source. TB_ERR_BANDS when a configured role band does not exist. */
tb_status tb_scan_evidence_setup(tb_scan_ctx *ctx);

/* Pass 1: the brightness-difference spread and the after-date's median brightness from
 * the sample (before normalised with res->fits). */
void tb_scan_evidence_fit(tb_scan_ctx *ctx, const float *const *before,
                          const float *const *after, const uint8_t *valid, size_t n);

/* With evidence.mbi: the element lengths in pixels (at the scene's pixel size, after
 * open_inputs) and the rows of halo the index needs; 0 when off. */
int tb_scan_evidence_halo(tb_scan_ctx *ctx);

/* Bytes per strip pixel the evidence needs (for tb_scan_strip_rows). */
size_t tb_scan_evidence_px_bytes(const tb_scan_ctx *ctx);

/* Pass 2, before the first strip: buffers for `strip_px` pixels and the flag raster
 * at ctx->ev.flags_path. */
tb_status tb_scan_evidence_begin(tb_scan_ctx *ctx, size_t strip_px);

/* Pass 2, per strip (extended rows, before the threshold): the evidence and flags of
 * every pixel; with evidence.mask_explained, the score of explained pixels is set to 0. */
void tb_scan_evidence_strip(tb_scan_ctx *ctx, const float *const *before,
                            const float *const *after, const uint8_t *valid, int width,
                            int rows, float *score);

/* Pass 2, per strip after labelling: adds the central rows (starting `off` pixels into
 * the strip buffers; rows y0..y0+rows) to the sums of their provisional labels (the
 * labeller's payload; 0 and UINT32_MAX are skipped) and writes their flags. */
tb_status tb_scan_evidence_labels(tb_scan_ctx *ctx, const uint32_t *labels, size_t off, int y0,
                                  int rows);

/* The labeller's payload merge for tb_evidence_sums (tb_ccl_create_with). */
void tb_scan_evidence_merge(void *into, const void *from);

/* After tb_ccl_finish, vhr_rgb: merges the sums of every provisional label into its
 * root (change vector: the labeller has merged them). */
tb_status tb_scan_evidence_resolve(tb_scan_ctx *ctx);

/* Sums of component `root` (after tb_scan_evidence_resolve). */
const tb_evidence_sums *tb_scan_evidence_of(const tb_scan_ctx *ctx, uint32_t root);

void tb_scan_evidence_free(tb_scan_ctx *ctx);   /* buffers, table, flag raster handle */

#endif
