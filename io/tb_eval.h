/* tb_eval.h: accuracy of a change map against truth.
 *
 * Pixel metrics compare two masks (any GDAL rasters of one size); object metrics
 * compare two sets of objects: polygons from vector files, or 8-connected components
 * when an input is a raster. A prediction object and a truth object match when their
 * intersection over union reaches `iou`; matching is one-to-one, greedy by IoU.
 *
 * Ownership: options and results are plain caller-owned structs; paths are only read.
 * A tb_eval_mask is a handle owned by whoever opened it (tb_eval_mask_close).
 * The code lives in io/eval_masks.c (entry point, masks, pixel metrics),
 * io/eval_objects.c (objects and matching) and io/eval_report.c (scores, table, JSON).
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
    char pred_kinds[16];        /* vector predictions: "" or "all" = every polygon; "new" or
                                   "removed" = polygons whose `kind` field says so (a layer
                                   without the field is all new) */
} tb_eval_options;

/* The changes_mask.tif values of a kind selection ("", "all": "1,2"; "new": "1";
 * "removed": "2"), or NULL for anything else. */
const char *tb_eval_kind_values(const char *kinds);

typedef struct tb_eval_result {
    int have_pixel;             /* both inputs were rasters */
    uint64_t tp, fp, fn, tn;    /* pixel confusion counts (pooling: sum these) */
    double precision, recall, f1, iou;
    int have_object;
    long pred_objects, truth_objects, matched;  /* counted objects (see eval_objects.c) */
    double obj_precision, obj_recall, obj_f1;
    long pred_ignored, truth_ignored;  /* below min_area_m2, or excused (see eval_objects.c) */
    double iou_threshold, min_area_m2; /* the options the object metrics were made with */
} tb_eval_result;

void tb_eval_defaults(tb_eval_options *opt);

/* Compares `pred` with `truth`. TB_ERR_INPUT_MISSING / TB_ERR_INPUT_FORMAT for a bad
 * file, TB_ERR_GRID when two rasters differ in size, TB_ERR_CRS when only one side
 * has a CRS or a transformation fails, TB_ERR_USAGE for bad options. On success every
 * available section of *res is filled (pixels: two rasters; objects: always). */
tb_status tb_eval_run(const char *pred, const char *truth, const tb_eval_options *opt,
                      tb_eval_result *res);

/* Human table and machine JSON of one result. */
void tb_eval_print_table(FILE *out, const tb_eval_result *res);
void tb_eval_print_json(FILE *out, const tb_eval_result *res);

/* ---- Building blocks: shared by io/eval_*.c and the tests. Callers of
 * tb_eval_run need none of them. ---- */

/* Checks that `list` is "" or a comma list of at most 64 integers ("2", "1,3").
 * The function returns TB_OK, or TB_ERR_USAGE naming `what` (e.g. "--truth-values"). */
tb_status tb_eval_check_values(const char *list, const char *what);

/* Kind of an input file, decided by what GDAL can open it as (raster first). */
typedef enum tb_eval_kind { TB_EVAL_RASTER = 1, TB_EVAL_VECTOR = 2 } tb_eval_kind;

/* Sets *kind for `path`. TB_ERR_INPUT_MISSING when it does not exist,
 * TB_ERR_INPUT_FORMAT when GDAL/OGR opens it as neither raster nor vector. */
tb_status tb_eval_probe(const char *path, tb_eval_kind *kind);

/* Class of one mask pixel, as tb_eval_mask_read writes it. */
enum { TB_EVAL_NO = 0, TB_EVAL_CHANGE = 1, TB_EVAL_SKIP = 2 /* the raster's nodata */ };

/* Band 1 of a raster read as a change mask, strip by strip. */
typedef struct tb_eval_mask tb_eval_mask;

/* Opens `path` as a mask: `values` as in tb_eval_options (change values, "" = non-zero);
 * `pixel_size` as there. On success *out is a handle for tb_eval_mask_close. */
tb_status tb_eval_mask_open(const char *path, const char *values, double pixel_size,
                            tb_eval_mask **out);
void tb_eval_mask_close(tb_eval_mask *m);   /* NULL is fine */
int tb_eval_mask_width(const tb_eval_mask *m);
int tb_eval_mask_height(const tb_eval_mask *m);

/* Area of one pixel in m²: from the geotransform when the raster has one and a CRS
 * (geographic CRS: at the centre latitude), else pixel_size² (pixel_size 0 = 1). */
double tb_eval_mask_pixel_area(const tb_eval_mask *m);

/* Geotransform and CRS (WKT, owned by the mask) when the raster has both; returns 0
 * and leaves gt alone when it lacks either (pixel coordinates then). */
int tb_eval_mask_georef(const tb_eval_mask *m, double gt[6], const char **wkt);

/* Reads rows [y0, y0 + rows) into `cls` (width * rows bytes, TB_EVAL_NO / _CHANGE /
 * _SKIP). TB_ERR_INPUT_FORMAT when GDAL cannot read them. */
tb_status tb_eval_mask_read(tb_eval_mask *m, int y0, int rows, unsigned char *cls);

/* Rows per strip of a raster `width` pixels wide (256 Ki pixels a strip: 2 MiB as
 * Float64), at least 1 and at most `height`. */
int tb_eval_strip_rows(int width, int height);

/* Two masks of one size, read side by side one strip at a time. */
typedef struct tb_eval_mask_pair {
    tb_eval_mask *pred, *truth;
    int width, height;
    int rows;                   /* rows per strip (tb_eval_strip_rows) */
    unsigned char *cp, *ct;     /* classes of one strip, width * rows bytes each */
} tb_eval_mask_pair;

/* Opens `pred` and `truth` as masks (value lists and pixel size from *opt), checks
 * that they have one size and allocates the strips. The function returns TB_OK, the
 * error of tb_eval_mask_open, TB_ERR_GRID when the sizes differ, or TB_ERR_NOMEM. On
 * failure too *p holds what was made: the caller always calls tb_eval_mask_pair_close. */
tb_status tb_eval_mask_pair_open(const char *pred, const char *truth,
                                 const tb_eval_options *opt, tb_eval_mask_pair *p);

/* Reads rows [y0, y0 + rows) of both masks into cp and ct (as tb_eval_mask_read). */
tb_status tb_eval_mask_pair_read(tb_eval_mask_pair *p, int y0, int rows);

/* Frees the strips and closes both masks. */
void tb_eval_mask_pair_close(tb_eval_mask_pair *p);

/* Pixel part of tb_eval_run (both inputs rasters): fills tp..iou and have_pixel. */
tb_status tb_eval_pixels(const char *pred, const char *truth, const tb_eval_options *opt,
                         tb_eval_result *res);

/* Object part of tb_eval_run (any inputs): fills pred_objects..min_area_m2 and
 * have_object. */
tb_status tb_eval_objects(const char *pred, const char *truth, const tb_eval_options *opt,
                          tb_eval_result *res);

/* Precision tp/(tp+fp), recall tp/(tp+fn), F1 and IoU tp/(tp+fp+fn) with the
 * conventions stated in eval_report.c for empty denominators. Any output may be NULL. */
void tb_eval_scores(double tp, double fp, double fn, double *precision, double *recall,
                    double *f1, double *iou);

#endif
