/* test_eval.c: unit tests of io/tb_eval.h (pixel and object accuracy of change maps).
 *
 * Every fixture is written by the test itself into a fresh temporary directory: masks
 * as GeoTIFF (GDAL GTiff driver), polygons as GeoJSON (OGR). Expected numbers are
 * computed by hand in the comments next to each fixture.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cpl_conv.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "io_testkit.h"
#include "tb_eval.h"

/* cmocka 1.1.5 (Debian 12) has no assert_double_equal. */
#define assert_near(a, b, eps) near_or_fail((a), (b), (eps), #a, __FILE__, __LINE__)

static void near_or_fail(double a, double b, double eps, const char *what, const char *file,
                         int line)
{
    if (!(fabs(a - b) <= eps))
        fail_msg("%s:%d: %s is %.17g, expected %.17g", file, line, what, a, b);
}

/* UTM 32N origin of the fixtures: 1 m pixels, north up. */
#define X0 500000.0
#define Y0 5000000.0

static int setup_dir(void **state)
{
    (void)state;
    if (iotk_make_dir("tb_eval_") != 0)
        return -1;
    GDALAllRegister();
    return 0;
}

/* Writes a w x h Byte GeoTIFF; nodata < 0 means none; georef adds the UTM 32N grid. */
static char *write_mask(const char *name, int w, int h, const unsigned char *data, int nodata,
                        int georef)
{
    char *path = iotk_path(name);
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreate(drv, path, w, h, 1, GDT_Byte, NULL);
    assert_non_null(ds);
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    if (nodata >= 0)
        GDALSetRasterNoDataValue(b, nodata);
    if (georef) {
        double gt[6] = {X0, 1.0, 0.0, Y0 + h, 0.0, -1.0};
        GDALSetGeoTransform(ds, gt);
        OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
        OSRImportFromEPSG(srs, 32632);
        GDALSetSpatialRef(ds, srs);
        OSRDestroySpatialReference(srs);
    }
    assert_int_equal(GDALRasterIO(b, GF_Write, 0, 0, w, h, (void *)data, w, h, GDT_Byte, 0, 0),
                     CE_None);
    GDALClose(ds);
    return path;
}

typedef struct rect {
    double x0, y0, x1, y1;      /* metres from (X0, Y0) */
} rect;

/* Writes rectangles (in UTM 32N) as a GeoJSON polygon layer in EPSG `epsg_out`. */
static char *write_rects(const char *name, const rect *r, int n, int epsg_out)
{
    char *path = iotk_path(name);
    GDALDriverH drv = GDALGetDriverByName("GeoJSON");
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRSpatialReferenceH utm = OSRNewSpatialReference(NULL), out = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(utm, 32632);
    OSRImportFromEPSG(out, epsg_out);
    OSRSetAxisMappingStrategy(utm, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(out, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = epsg_out == 32632 ? NULL
                                                        : OCTNewCoordinateTransformation(utm, out);
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "objects", out, wkbPolygon, NULL);
    assert_non_null(layer);
    for (int i = 0; i < n; i++) {
        OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
        double xs[5] = {r[i].x0, r[i].x1, r[i].x1, r[i].x0, r[i].x0};
        double ys[5] = {r[i].y0, r[i].y0, r[i].y1, r[i].y1, r[i].y0};
        for (int k = 0; k < 5; k++)
            OGR_G_AddPoint_2D(ring, X0 + xs[k], Y0 + ys[k]);
        OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
        OGR_G_AddGeometryDirectly(poly, ring);
        if (ct) {
            OGR_G_Segmentize(poly, 1.0);
            assert_int_equal(OGR_G_Transform(poly, ct), OGRERR_NONE);
        }
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
        OGR_F_SetGeometryDirectly(f, poly);
        assert_int_equal(OGR_L_CreateFeature(layer, f), OGRERR_NONE);
        OGR_F_Destroy(f);
    }
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(utm);
    OSRDestroySpatialReference(out);
    GDALClose(ds);
    return path;
}

static tb_eval_result run_ok(const char *pred, const char *truth, const tb_eval_options *opt)
{
    tb_eval_result res;
    tb_status st = tb_eval_run(pred, truth, opt, &res);
    if (st != TB_OK)
        fail_msg("tb_eval_run: %s", tb_error_message());
    return res;
}

/* ---- scores ---- */

static void test_scores_conventions(void **state)
{
    (void)state;
    double p, r, f, j;
    tb_eval_scores(0, 0, 0, &p, &r, &f, &j);   /* nothing at all: exactly right */
    assert_true(p == 1.0 && r == 1.0 && f == 1.0 && j == 1.0);
    tb_eval_scores(0, 5, 0, &p, &r, &f, &j);   /* only false alarms: recall 0/0 -> 0 */
    assert_true(p == 0.0 && r == 0.0 && f == 0.0 && j == 0.0);
    tb_eval_scores(0, 0, 3, &p, &r, &f, &j);   /* only misses: precision 0/0 -> 0 */
    assert_true(p == 0.0 && r == 0.0 && f == 0.0 && j == 0.0);
    tb_eval_scores(3, 1, 2, &p, &r, &f, &j);
    assert_near(p, 0.75, 1e-12);
    assert_near(r, 0.6, 1e-12);
    assert_near(f, 6.0 / 9.0, 1e-12);
    assert_near(j, 0.5, 1e-12);
}

/* ---- pixels ---- */

/* pred        truth       tp: (0,0) (1,0)       fp: (0,1) (2,2)
 * 1 1 0 0     1 0 0 0     fn: (1,1) (3,3)       tn: 16 - 6 = 10
 * 1 0 0 0     1 1 0 0     objects (8-connected): pred {r0c0 r0c1 r1c0}, {r2c2};
 * 0 0 1 0     0 0 0 0     truth {r0c0 r1c0 r1c1}, {r3c3}; the first two overlap in
 * 0 0 0 0     0 0 0 1     2 pixels: IoU 2 / (3 + 3 - 2) = 0.5 -> 1 match. */
static const unsigned char hand_pred[16] = {1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0};
static const unsigned char hand_truth[16] = {1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

static void test_pixel_counts_by_hand(void **state)
{
    (void)state;
    char *p = write_mask("hand_pred.tif", 4, 4, hand_pred, -1, 0);
    char *t = write_mask("hand_truth.tif", 4, 4, hand_truth, -1, 0);
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    tb_eval_result res = run_ok(p, t, &opt);
    assert_true(res.have_pixel);
    assert_int_equal(res.tp, 2);
    assert_int_equal(res.fp, 2);
    assert_int_equal(res.fn, 2);
    assert_int_equal(res.tn, 10);
    assert_near(res.precision, 0.5, 1e-12);
    assert_near(res.recall, 0.5, 1e-12);
    assert_near(res.f1, 0.5, 1e-12);
    assert_near(res.iou, 2.0 / 6.0, 1e-12);
    assert_true(res.have_object);
    assert_int_equal(res.pred_objects, 2);
    assert_int_equal(res.truth_objects, 2);
    assert_int_equal(res.matched, 1);
    assert_near(res.obj_f1, 0.5, 1e-12);
    /* The same pair at IoU 0.51: the 0.5 overlap no longer matches. */
    opt.iou = 0.51;
    res = run_ok(p, t, &opt);
    assert_int_equal(res.matched, 0);
    free(p);
    free(t);
}

/* OSCD style: 1 = no change, 2 = change.
 * pred  1 2 2     truth 1 2 1    with values "2": tp (0,1) (1,2); fp (0,2); fn (1,1);
 *       1 1 2           1 2 2    tn (0,0) (1,0). With "" (non-zero) all 6 are change. */
static void test_value_lists_oscd(void **state)
{
    (void)state;
    static const unsigned char pv[6] = {1, 2, 2, 1, 1, 2}, tv[6] = {1, 2, 1, 1, 2, 2};
    char *p = write_mask("oscd_pred.tif", 3, 2, pv, -1, 0);
    char *t = write_mask("oscd_truth.tif", 3, 2, tv, -1, 0);
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    tb_eval_result res = run_ok(p, t, &opt);
    assert_int_equal(res.tp, 6);
    assert_int_equal(res.fp + res.fn + res.tn, 0);
    strcpy(opt.pred_values, "2");
    strcpy(opt.truth_values, "2");
    res = run_ok(p, t, &opt);
    assert_int_equal(res.tp, 2);
    assert_int_equal(res.fp, 1);
    assert_int_equal(res.fn, 1);
    assert_int_equal(res.tn, 2);
    /* A list of several values: 1 and 2 both mean change again. */
    strcpy(opt.truth_values, "1, 2");
    res = run_ok(p, t, &opt);
    assert_int_equal(res.tp, 3);
    assert_int_equal(res.fn, 3);
    /* A malformed list is a usage error. */
    strcpy(opt.truth_values, "2,x");
    tb_eval_result bad;
    assert_int_equal(tb_eval_run(p, t, &opt, &bad), TB_ERR_USAGE);
    free(p);
    free(t);
}

/* pred  1 1 0 9 0  (nodata 9)     truth 1 255 255 1 0  (nodata 255)
 * pixel 1: truth nodata, would be fp; 2: truth nodata; 3: pred nodata, would be fn.
 * Left: tp 1 (pixel 0), tn 1 (pixel 4). */
static void test_nodata_skipped(void **state)
{
    (void)state;
    static const unsigned char pv[5] = {1, 1, 0, 9, 0}, tv[5] = {1, 255, 255, 1, 0};
    char *p = write_mask("nd_pred.tif", 5, 1, pv, 9, 0);
    char *t = write_mask("nd_truth.tif", 5, 1, tv, 255, 0);
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    tb_eval_result res = run_ok(p, t, &opt);
    assert_int_equal(res.tp, 1);
    assert_int_equal(res.fp, 0);
    assert_int_equal(res.fn, 0);
    assert_int_equal(res.tn, 1);
    free(p);
    free(t);
}

static void test_size_mismatch_is_grid_error(void **state)
{
    (void)state;
    static const unsigned char z[16] = {0};
    char *p = write_mask("size_4x4.tif", 4, 4, z, -1, 0);
    char *t = write_mask("size_4x3.tif", 4, 3, z, -1, 0);
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    tb_eval_result res;
    assert_int_equal(tb_eval_run(p, t, &opt, &res), TB_ERR_GRID);
    const char *msg = tb_error_message();
    assert_non_null(strstr(msg, p));
    assert_non_null(strstr(msg, t));
    assert_non_null(strstr(msg, "4x4"));
    assert_non_null(strstr(msg, "4x3"));
    free(p);
    free(t);
}

/* All-zero masks: no truth and no prediction, so every score is 1. */
static void test_empty_masks_score_one(void **state)
{
    (void)state;
    static const unsigned char z[9] = {0};
    char *p = write_mask("empty.tif", 3, 3, z, -1, 0);
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    tb_eval_result res = run_ok(p, p, &opt);
    assert_int_equal(res.tn, 9);
    assert_true(res.precision == 1.0 && res.recall == 1.0 && res.f1 == 1.0 && res.iou == 1.0);
    assert_int_equal(res.pred_objects + res.truth_objects, 0);
    assert_true(res.obj_precision == 1.0 && res.obj_recall == 1.0 && res.obj_f1 == 1.0);
    free(p);
}

/* ---- objects from rasters ---- */

/* pred (5x5)         truth
 * 1 0 0 0 1          1 0 0 0 0     pred: the diagonal is ONE 8-connected object, the
 * 0 1 0 0 0          0 1 0 0 0     corner pixel another: 2 objects (4-connectivity
 * 0 0 1 0 0          0 0 1 0 0     would give 4). truth: 1 object; the diagonals
 * 0 0 0 0 0          0 0 0 0 0     match at IoU 1. */
static void test_raster_components_diagonal(void **state)
{
    (void)state;
    static const unsigned char pv[25] = {1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0,
                                         0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    static const unsigned char tv[25] = {1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0,
                                         0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    char *p = write_mask("diag_pred.tif", 5, 5, pv, -1, 0);
    char *t = write_mask("diag_truth.tif", 5, 5, tv, -1, 0);
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    tb_eval_result res = run_ok(p, t, &opt);
    assert_int_equal(res.pred_objects, 2);
    assert_int_equal(res.truth_objects, 1);
    assert_int_equal(res.matched, 1);
    assert_near(res.obj_precision, 0.5, 1e-12);
    assert_near(res.obj_recall, 1.0, 1e-12);
    free(p);
    free(t);
}

/* Two arms that meet only in the last row need a union of labels:
 * 1 0 1 0 1     pred: the U on the left (7 px) is one object, the right column
 * 1 0 1 0 1     (3 px) another. truth: the U alone. IoU(U, U) = 1; and with
 * 1 1 1 0 1     min area 6.5 m² (pixel 1 m) the 3-pixel column is ignored. */
static void test_raster_components_union(void **state)
{
    (void)state;
    static const unsigned char pv[15] = {1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1};
    static const unsigned char tv[15] = {1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0};
    char *p = write_mask("u_pred.tif", 5, 3, pv, -1, 0);
    char *t = write_mask("u_truth.tif", 5, 3, tv, -1, 0);
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    tb_eval_result res = run_ok(p, t, &opt);
    assert_int_equal(res.pred_objects, 2);
    assert_int_equal(res.truth_objects, 1);
    assert_int_equal(res.matched, 1);
    /* Min area 6.5 m²: the U (7 px: the union must add up both arms) counts on both
     * sides, the column (3 px) is ignored. */
    opt.min_area_m2 = 6.5;
    res = run_ok(p, t, &opt);
    assert_int_equal(res.pred_objects, 1);
    assert_int_equal(res.truth_objects, 1);
    assert_int_equal(res.pred_ignored, 1);
    assert_near(res.obj_f1, 1.0, 1e-12);
    /* --pixel-size 0.5: the U is 7 * 0.25 m² < 6.5 m²: everything is ignored. */
    opt.pixel_size = 0.5;
    res = run_ok(p, t, &opt);
    assert_int_equal(res.pred_objects + res.truth_objects, 0);
    assert_int_equal(res.truth_ignored, 1);
    free(p);
    free(t);
}

/* ---- objects from polygons ---- */

static const rect truth_sq = {0, 0, 10, 10};   /* 100 m² */

/* Pred inside the truth square with half its area: IoU 50 / 100 = 0.5 -> match at
 * 0.3 and at exactly 0.5; a fifth of it: IoU 0.2 -> no match. */
static void test_polygons_iou_half_matches_fifth_not(void **state)
{
    (void)state;
    rect half = {0, 0, 10, 5}, fifth = {0, 0, 10, 2};
    char *t = write_rects("sq_truth.geojson", &truth_sq, 1, 32632);
    char *ph = write_rects("half_pred.geojson", &half, 1, 32632);
    char *pf = write_rects("fifth_pred.geojson", &fifth, 1, 32632);
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    tb_eval_result res = run_ok(ph, t, &opt);
    assert_false(res.have_pixel);
    assert_int_equal(res.matched, 1);
    assert_near(res.obj_f1, 1.0, 1e-12);
    opt.iou = 0.5;
    res = run_ok(ph, t, &opt);
    assert_int_equal(res.matched, 1);
    opt.iou = 0.3;
    res = run_ok(pf, t, &opt);
    assert_int_equal(res.pred_objects, 1);
    assert_int_equal(res.truth_objects, 1);
    assert_int_equal(res.matched, 0);
    assert_true(res.obj_precision == 0.0 && res.obj_recall == 0.0 && res.obj_f1 == 0.0);
    opt.iou = 0.2;
    res = run_ok(pf, t, &opt);
    assert_int_equal(res.matched, 1);
    free(t);
    free(ph);
    free(pf);
}

/* Two predictions overlap one truth square (IoU 0.6 and 0.5): only one matches, the
 * other is a false positive: precision 1/2, recall 1, F1 2/3. */
static void test_polygons_one_to_one(void **state)
{
    (void)state;
    rect preds[2] = {{0, 0, 10, 6}, {0, 5, 10, 10}};
    char *t = write_rects("o2o_truth.geojson", &truth_sq, 1, 32632);
    char *p = write_rects("o2o_pred.geojson", preds, 2, 32632);
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    tb_eval_result res = run_ok(p, t, &opt);
    assert_int_equal(res.pred_objects, 2);
    assert_int_equal(res.truth_objects, 1);
    assert_int_equal(res.matched, 1);
    assert_near(res.obj_precision, 0.5, 1e-12);
    assert_near(res.obj_recall, 1.0, 1e-12);
    assert_near(res.obj_f1, 2.0 / 3.0, 1e-12);
    free(t);
    free(p);
}

/* Minimum area 20 m²:
 *   T1 100 m² = P1            -> a match
 *   T2 16 m² (small) ~ P2 25 m² (IoU 16/25) -> P2 is excused: not a false positive
 *   P3 9 m² alone (small)     -> ignored: not a false positive
 * -> pred 1, truth 1, matched 1; ignored 2 predictions and 1 truth object.
 * Without a minimum: P2 matches T2, P3 is a false positive: 2 of 3 and 2 of 2. */
static void test_polygons_min_area_rule(void **state)
{
    (void)state;
    rect truth[2] = {{0, 0, 10, 10}, {100, 0, 104, 4}};
    rect pred[3] = {{0, 0, 10, 10}, {100, 0, 105, 5}, {200, 0, 203, 3}};
    char *t = write_rects("min_truth.geojson", truth, 2, 32632);
    char *p = write_rects("min_pred.geojson", pred, 3, 32632);
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    opt.min_area_m2 = 20.0;
    tb_eval_result res = run_ok(p, t, &opt);
    assert_int_equal(res.pred_objects, 1);
    assert_int_equal(res.truth_objects, 1);
    assert_int_equal(res.matched, 1);
    assert_int_equal(res.pred_ignored, 2);
    assert_int_equal(res.truth_ignored, 1);
    assert_near(res.obj_precision, 1.0, 1e-12);
    assert_near(res.obj_recall, 1.0, 1e-12);
    opt.min_area_m2 = 0.0;
    res = run_ok(p, t, &opt);
    assert_int_equal(res.pred_objects, 3);
    assert_int_equal(res.truth_objects, 2);
    assert_int_equal(res.matched, 2);
    assert_near(res.obj_precision, 2.0 / 3.0, 1e-12);
    free(t);
    free(p);
}

/* A 20 x 20 grid of 8 m squares, predicted 1 m further west (IoU 56/72): each
 * prediction starts west of its truth square, so the bounding-box sweep must look
 * back by the widest prediction to find every pair. */
static void test_polygons_grid_sweep(void **state)
{
    (void)state;
    enum { N = 20 };
    rect *tr = malloc(N * N * sizeof *tr), *pr = malloc(N * N * sizeof *pr);
    assert_non_null(tr);
    assert_non_null(pr);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            /* Predictions in reverse order: the sweep must not depend on file order. */
            tr[i * N + j] = (rect){i * 10.0, j * 10.0, i * 10.0 + 8, j * 10.0 + 8};
            pr[(N * N - 1) - (i * N + j)] = (rect){i * 10.0 - 1, j * 10.0, i * 10.0 + 7,
                                                   j * 10.0 + 8};
        }
    char *t = write_rects("grid_truth.geojson", tr, N * N, 32632);
    char *p = write_rects("grid_pred.geojson", pr, N * N, 32632);
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    tb_eval_result res = run_ok(p, t, &opt);
    assert_int_equal(res.pred_objects, N * N);
    assert_int_equal(res.matched, N * N);
    opt.iou = 0.8;  /* 56 / 72 = 0.78 */
    res = run_ok(p, t, &opt);
    assert_int_equal(res.matched, 0);
    free(tr);
    free(pr);
    free(t);
    free(p);
}

/* The prediction in EPSG:4326, the truth in UTM 32N: the prediction is transformed
 * into the truth's CRS and the squares match (IoU ~1). */
static void test_polygons_crs_transform(void **state)
{
    (void)state;
    rect big = {0, 0, 100, 100};
    char *t = write_rects("crs_truth.geojson", &big, 1, 32632);
    char *p = write_rects("crs_pred.geojson", &big, 1, 4326);
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    opt.iou = 0.99;
    tb_eval_result res = run_ok(p, t, &opt);
    assert_int_equal(res.matched, 1);
    free(t);
    free(p);
}

/* Both in EPSG:4326: areas come from an equal-area projection, in m². The 100 m
 * square (10 000 m²) counts at a minimum of 9 000 m² and is ignored at 11 000 m². */
static void test_polygons_geographic_areas(void **state)
{
    (void)state;
    rect big = {0, 0, 100, 100};
    char *t = write_rects("geo_truth.geojson", &big, 1, 4326);
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    opt.min_area_m2 = 9000.0;
    tb_eval_result res = run_ok(t, t, &opt);
    assert_int_equal(res.matched, 1);
    assert_int_equal(res.truth_objects, 1);
    opt.min_area_m2 = 11000.0;
    res = run_ok(t, t, &opt);
    assert_int_equal(res.truth_objects, 0);
    assert_int_equal(res.truth_ignored, 1);
    free(t);
}

/* A georeferenced raster against polygons: the raster is polygonized 8-connected. The
 * 10 x 10 raster (1 m, UTM) holds a 4 x 4 block at columns 2-5, rows 2-5 (metres
 * 2..6 east, 4..8 north of Y0) and a 3-pixel diagonal at the bottom right. */
static void test_raster_against_polygons(void **state)
{
    (void)state;
    unsigned char v[100] = {0};
    for (int r = 2; r < 6; r++)
        for (int c = 2; c < 6; c++)
            v[r * 10 + c] = 1;
    v[7 * 10 + 7] = v[8 * 10 + 8] = v[9 * 10 + 9] = 1;
    char *p = write_mask("mixed_pred.tif", 10, 10, v, -1, 1);
    rect block = {2, 4, 6, 8};
    char *t = write_rects("mixed_truth.geojson", &block, 1, 32632);
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    opt.iou = 0.999;
    tb_eval_result res = run_ok(p, t, &opt);
    assert_false(res.have_pixel);
    assert_int_equal(res.pred_objects, 2);   /* the diagonal is one object */
    assert_int_equal(res.matched, 1);
    /* The same raster without georeferencing cannot be compared with UTM polygons. */
    char *q = write_mask("mixed_plain.tif", 10, 10, v, -1, 0);
    tb_eval_result bad;
    assert_int_equal(tb_eval_run(q, t, &opt, &bad), TB_ERR_CRS);
    free(p);
    free(q);
    free(t);
}

/* ---- bad inputs ---- */

static void test_missing_file(void **state)
{
    (void)state;
    static const unsigned char z[4] = {0};
    char *p = write_mask("present.tif", 2, 2, z, -1, 0);
    char *m = iotk_path("no_such_file.tif");
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    tb_eval_result res;
    assert_int_equal(tb_eval_run(m, p, &opt, &res), TB_ERR_INPUT_MISSING);
    assert_non_null(strstr(tb_error_message(), "no_such_file.tif"));
    tb_error_clear();
    assert_int_equal(tb_eval_run(p, m, &opt, &res), TB_ERR_INPUT_MISSING);
    free(p);
    free(m);
}

static void test_text_file_is_format_error(void **state)
{
    (void)state;
    static const unsigned char z[4] = {0};
    char *p = write_mask("present2.tif", 2, 2, z, -1, 0);
    char *txt = iotk_path("notes.txt");
    FILE *f = fopen(txt, "w");
    assert_non_null(f);
    fputs("this is not a raster\nnor a vector\n", f);
    fclose(f);
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    tb_eval_result res;
    assert_int_equal(tb_eval_run(p, txt, &opt, &res), TB_ERR_INPUT_FORMAT);
    assert_non_null(strstr(tb_error_message(), "notes.txt"));
    free(p);
    free(txt);
}

/* Points are not objects: an input-format error naming the file. */
static void test_points_are_format_error(void **state)
{
    (void)state;
    char *path = iotk_path("points.geojson");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", "
          "\"properties\": {}, \"geometry\": {\"type\": \"Point\", \"coordinates\": [1, 2]}}]}\n",
          f);
    fclose(f);
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    tb_eval_result res;
    assert_int_equal(tb_eval_run(path, path, &opt, &res), TB_ERR_INPUT_FORMAT);
    assert_non_null(strstr(tb_error_message(), "points.geojson"));
    free(path);
}

/* ---- reports ---- */

static char *capture(void (*print)(FILE *, const tb_eval_result *), const tb_eval_result *res)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    print(f, res);
    long n = ftell(f);
    rewind(f);
    char *s = calloc((size_t)n + 1, 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return s;
}

static void test_json_sections(void **state)
{
    (void)state;
    tb_eval_result res;
    memset(&res, 0, sizeof res);
    res.have_object = 1;
    res.pred_objects = 3;
    res.truth_objects = 4;
    res.matched = 2;
    res.obj_precision = 2.0 / 3.0;
    res.obj_recall = 0.5;
    res.obj_f1 = 4.0 / 7.0;
    res.iou_threshold = 0.3;
    res.min_area_m2 = 25;
    char *s = capture(tb_eval_print_json, &res);
    assert_null(strstr(s, "\"pixel\""));   /* no pixel section without pixels */
    assert_non_null(strstr(s, "\"object\": {\"pred\": 3, \"truth\": 4, \"matched\": 2,"));
    assert_non_null(strstr(s, "\"iou_threshold\": 0.3, \"min_area_m2\": 25}"));
    assert_true(s[0] == '{' && s[strlen(s) - 2] == '}' && s[strlen(s) - 1] == '\n');
    free(s);
    res.have_pixel = 1;
    res.tp = 7;
    res.f1 = 1.0;
    s = capture(tb_eval_print_json, &res);
    assert_non_null(strstr(s, "{\"pixel\": {\"tp\": 7, "));
    assert_non_null(strstr(s, "\"f1\": 1, \"iou\": 0}, \"object\": {"));
    free(s);
    s = capture(tb_eval_print_table, &res);
    assert_non_null(strstr(s, "precision"));
    assert_non_null(strstr(s, "3 predicted, 4 true, 2 matched"));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_scores_conventions, iotk_clear_error),
        cmocka_unit_test_setup(test_pixel_counts_by_hand, iotk_clear_error),
        cmocka_unit_test_setup(test_value_lists_oscd, iotk_clear_error),
        cmocka_unit_test_setup(test_nodata_skipped, iotk_clear_error),
        cmocka_unit_test_setup(test_size_mismatch_is_grid_error, iotk_clear_error),
        cmocka_unit_test_setup(test_empty_masks_score_one, iotk_clear_error),
        cmocka_unit_test_setup(test_raster_components_diagonal, iotk_clear_error),
        cmocka_unit_test_setup(test_raster_components_union, iotk_clear_error),
        cmocka_unit_test_setup(test_polygons_iou_half_matches_fifth_not, iotk_clear_error),
        cmocka_unit_test_setup(test_polygons_one_to_one, iotk_clear_error),
        cmocka_unit_test_setup(test_polygons_min_area_rule, iotk_clear_error),
        cmocka_unit_test_setup(test_polygons_grid_sweep, iotk_clear_error),
        cmocka_unit_test_setup(test_polygons_crs_transform, iotk_clear_error),
        cmocka_unit_test_setup(test_polygons_geographic_areas, iotk_clear_error),
        cmocka_unit_test_setup(test_raster_against_polygons, iotk_clear_error),
        cmocka_unit_test_setup(test_missing_file, iotk_clear_error),
        cmocka_unit_test_setup(test_text_file_is_format_error, iotk_clear_error),
        cmocka_unit_test_setup(test_points_are_format_error, iotk_clear_error),
        cmocka_unit_test_setup(test_json_sections, iotk_clear_error),
    };
    return cmocka_run_group_tests_name("eval", tests, setup_dir, iotk_teardown_dir);
}
