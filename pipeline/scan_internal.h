/* scan_internal.h: state shared by the passes of one scan (pipeline-internal). */
#ifndef TB_SCAN_INTERNAL_H
#define TB_SCAN_INTERNAL_H

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
    tb_ccl *ccl;

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

#endif
