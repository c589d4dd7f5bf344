/* tb_eval.h: accuracy of a change map against truth.
 *
 * Pixel metrics compare two masks (any GDAL rasters of one size); object metrics
 * compare two sets of objects: polygons from vector files, or 8-connected components
 * when an input is a raster. A prediction object and a truth object match when their
 * intersection over union reaches `iou`; matching is one-to-one, greedy by IoU.
 */
#ifndef TB_EVAL_H
#define TB_EVAL_H

#include <stdint.h>
#include <stdio.h>

#include "tb_error.h"

typedef struct tb_eval_options {
    double iou;                 /* object match threshold, default 0.3 */
    double min_area_m2;         /* ignore objects (both sides) smaller than this; 0 = none */
    double pixel_size;          /* metres per pixel for rasters without georeferencing; 0 = 1 */
    char pred_values[128];      /* values of a prediction raster meaning change: "" = any non-zero */
    char truth_values[128];     /* values of a truth raster meaning change: "" = any non-zero (OSCD: "2") */
} tb_eval_options;

typedef struct tb_eval_result {
    int have_pixel;             /* both inputs were rasters */
    uint64_t tp, fp, fn, tn;    /* pixel confusion counts (pooling: sum these) */
    double precision, recall, f1, iou;
    int have_object;
    long pred_objects, truth_objects, matched;
    double obj_precision, obj_recall, obj_f1;
} tb_eval_result;

void tb_eval_defaults(tb_eval_options *opt);

/* Compares `pred` with `truth`. TB_ERR_INPUT_MISSING / TB_ERR_INPUT_FORMAT for a bad
 * file, TB_ERR_GRID when two rasters differ in size. */
tb_status tb_eval_run(const char *pred, const char *truth, const tb_eval_options *opt,
                      tb_eval_result *res);

/* Human table and machine JSON of one result. */
void tb_eval_print_table(FILE *out, const tb_eval_result *res);
void tb_eval_print_json(FILE *out, const tb_eval_result *res);

#endif
