/* test_evidence.c: unit tests of evidence chips (io/tb_evidence.h).
 *
 * Fixtures are generated: a 200 x 200 px raster at 0.5 m in EPSG:4548 (CGCS2000 GK
 * CM 117E) centred on its central meridian, ground a gentle ramp in x (220..420), a
 * bright 40 m square in the middle; the polygon is that square carried to EPSG:4490.
 * With a 20 m margin the chip spans 80 m, so at 160 px (0.5 m/px) the outline must lie
 * on columns/rows 40 and 120, the square inside it bright, the ground dark. Band order
 * is checked by making the square bright in one band only.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "io_testkit.h"
#include "tb_evidence.h"

#define W 200
#define PX 0.5
#define X0 (500000.0 - W * PX / 2)
#define Y0 (4420000.0 + W * PX / 2)

/* Path of `name` in the temporary directory, in one of 8 rotating buffers (enough for
 * the paths one test holds). */
static const char *tmp_path(const char *name)
{
    static char p[8][4200];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", iotk_dir(), name);
    return p[k];
}

/* Writes a W x W UInt16 GeoTIFF in EPSG:4548 with `nb` bands; the square (pixels
 * 60..139) has value 1000 in the bands whose bit is set in `bright_mask`, the ramp
 * elsewhere. `interp` (NULL: leave GDAL's default) sets colour interpretations. */
static void make_raster(const char *path, int nb, unsigned bright_mask, const GDALColorInterp *interp)
{
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreate(drv, path, W, W, nb, GDT_UInt16, NULL);
    assert_non_null(ds);
    double gt[6] = {X0, PX, 0, Y0, 0, -PX};
    GDALSetGeoTransform(ds, gt);
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(s, 4548);
    char *wkt = NULL;
    OSRExportToWkt(s, &wkt);
    GDALSetProjection(ds, wkt);
    CPLFree(wkt);
    OSRDestroySpatialReference(s);
    uint16_t *buf = malloc(sizeof *buf * W * W);
    assert_non_null(buf);
    for (int b = 0; b < nb; b++) {
        for (int y = 0; y < W; y++)
            for (int x = 0; x < W; x++) {
                int in = x >= 60 && x < 140 && y >= 60 && y < 140;
                buf[y * W + x] = (uint16_t)(in && (bright_mask >> b & 1u) ? 1000 : 220 + x);
            }
        GDALRasterBandH band = GDALGetRasterBand(ds, b + 1);
        assert_int_equal(GDALRasterIO(band, GF_Write, 0, 0, W, W, buf, W, W, GDT_UInt16, 0, 0),
                         CE_None);
        if (interp)
            GDALSetRasterColorInterpretation(band, interp[b]);
    }
    free(buf);
    GDALClose(ds);
}

/* WKT in EPSG:4490 (lon lat) of the square [x0, x1] x [y0, y1] given in EPSG:4548. */
static char *square_wkt(double x0, double y0, double x1, double y1)
{
    OGRSpatialReferenceH a = OSRNewSpatialReference(NULL), b = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(a, 4548);
    OSRImportFromEPSG(b, 4490);
    OSRSetAxisMappingStrategy(a, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(b, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(a, b);
    assert_non_null(ct);
    double xs[5] = {x0, x1, x1, x0, x0}, ys[5] = {y0, y0, y1, y1, y0};
    assert_true(OCTTransform(ct, 5, xs, ys, NULL));
    char *wkt = malloc(1024);
    assert_non_null(wkt);
    int n = snprintf(wkt, 1024, "MULTIPOLYGON (((");
    for (int i = 0; i < 5; i++)
        n += snprintf(wkt + n, (size_t)(1024 - n), "%s%.10f %.10f", i ? "," : "", xs[i], ys[i]);
    snprintf(wkt + n, (size_t)(1024 - n), ")))");
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(a);
    OSRDestroySpatialReference(b);
    return wkt;
}

/* The chip as three planes (asserting an 8-bit RGB PNG of size x size). */
typedef struct {
    int size;
    uint8_t *rgb[3];
} chip;

static chip read_chip(const char *path, int size)
{
    chip c = {size, {NULL, NULL, NULL}};
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    assert_non_null(ds);
    assert_string_equal(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "PNG");
    assert_int_equal(GDALGetRasterCount(ds), 3);
    assert_int_equal(GDALGetRasterXSize(ds), size);
    assert_int_equal(GDALGetRasterYSize(ds), size);
    for (int k = 0; k < 3; k++) {
        GDALRasterBandH b = GDALGetRasterBand(ds, k + 1);
        assert_int_equal(GDALGetRasterDataType(b), GDT_Byte);
        c.rgb[k] = malloc((size_t)size * (size_t)size);
        assert_non_null(c.rgb[k]);
        assert_int_equal(GDALRasterIO(b, GF_Read, 0, 0, size, size, c.rgb[k], size, size, GDT_Byte,
                                      0, 0),
                         CE_None);
    }
    GDALClose(ds);
    return c;
}

static void free_chip(chip *c)
{
    for (int k = 0; k < 3; k++)
        free(c->rgb[k]);
}

static int px(const chip *c, int k, int x, int y) { return c->rgb[k][y * c->size + x]; }

static int yellow(const chip *c, int x, int y)
{
    return px(c, 0, x, y) == 255 && px(c, 1, x, y) == 255 && px(c, 2, x, y) == 0;
}

/* Some pixel of x in [x0, x1] (row y) is yellow. */
static int yellow_near_x(const chip *c, int x0, int x1, int y)
{
    for (int x = x0; x <= x1; x++)
        if (yellow(c, x, y))
            return 1;
    return 0;
}

static int yellow_near_y(const chip *c, int x, int y0, int y1)
{
    for (int y = y0; y <= y1; y++)
        if (yellow(c, x, y))
            return 1;
    return 0;
}

/* The square of the fixture, in EPSG:4548. */
static char *fixture_square(void)
{
    return square_wkt(X0 + 60 * PX, Y0 - 140 * PX, X0 + 140 * PX, Y0 - 60 * PX);
}

static void test_outline_and_square(void **state)
{
    (void)state;
    const char *tif = tmp_path("bgrn.tif");
    make_raster(tif, 4, 0xF, NULL);
    char *wkt = fixture_square();
    const char *png = tmp_path("chips/a/square.png");
    assert_int_equal(tb_evidence_chip(tif, wkt, 20, 160, png), TB_OK);
    chip c = read_chip(png, 160);
    /* The outline where the polygon is: columns and rows 40 and 120 (+-1 px). */
    for (int t = 45; t <= 115; t += 5) {
        assert_true(yellow_near_x(&c, 38, 41, t));
        assert_true(yellow_near_x(&c, 118, 121, t));
        assert_true(yellow_near_y(&c, t, 38, 41));
        assert_true(yellow_near_y(&c, t, 118, 121));
    }
    long ny = 0;
    for (int y = 0; y < 160; y++)
        for (int x = 0; x < 160; x++)
            ny += yellow(&c, x, y);
    assert_in_range(ny, 4 * 80, 4 * 80 * 3); /* a 1-2 px line, nothing else */
    /* Centre and inside bright (grey-white, not yellow); ground dark. */
    for (int k = 0; k < 3; k++) {
        assert_true(px(&c, k, 80, 80) > 200);
        assert_true(px(&c, k, 50, 50) > 200);
        assert_true(px(&c, k, 110, 100) > 200);
        assert_true(px(&c, k, 10, 10) < 80);
        assert_true(px(&c, k, 150, 80) < 80);
        assert_true(px(&c, k, 34, 80) < 80); /* just outside the square's west edge */
    }
    free_chip(&c);
    /* No temporary file left behind. */
    assert_int_equal(access(tmp_path("chips/a/square.png.aux.xml"), F_OK), -1);
    free(wkt);
}

/* 4+ bands without colour interpretation are B,G,R,NIR: band 3 shows as red. */
static void test_band_order_bgrn(void **state)
{
    (void)state;
    const char *tif = tmp_path("red_in_3.tif");
    make_raster(tif, 4, 1u << 2, NULL);
    char *wkt = fixture_square();
    const char *png = tmp_path("red_in_3.png");
    assert_int_equal(tb_evidence_chip(tif, wkt, 20, 160, png), TB_OK);
    chip c = read_chip(png, 160);
    /* Red: the square bright over dark ground; green and blue: only the ramp, which
     * depends on x alone, so the square's column matches the ground's. */
    assert_true(px(&c, 0, 80, 80) > 200);
    assert_true(px(&c, 0, 80, 10) < 80);
    for (int k = 1; k < 3; k++)
        assert_true(abs(px(&c, k, 80, 80) - px(&c, k, 80, 10)) <= 3);
    free_chip(&c);
    free(wkt);
}

/* Colour interpretation wins over the band count: bands Blue, Green, Red. */
static void test_band_order_interp(void **state)
{
    (void)state;
    const GDALColorInterp bgr[3] = {GCI_BlueBand, GCI_GreenBand, GCI_RedBand};
    const char *tif = tmp_path("bgr_interp.tif");
    make_raster(tif, 3, 1u << 0, bgr); /* bright in band 1 = Blue */
    char *wkt = fixture_square();
    const char *png = tmp_path("bgr_interp.png");
    assert_int_equal(tb_evidence_chip(tif, wkt, 20, 160, png), TB_OK);
    chip c = read_chip(png, 160);
    assert_true(px(&c, 2, 80, 80) > 200);
    assert_true(px(&c, 2, 80, 10) < 80);
    for (int k = 0; k < 2; k++)
        assert_true(abs(px(&c, k, 80, 80) - px(&c, k, 80, 10)) <= 3);
    free_chip(&c);
    free(wkt);
}

/* Beyond the raster's edge the chip is black; the default margin is 20 m. */
static void test_outside_is_black(void **state)
{
    (void)state;
    const char *tif = tmp_path("edge.tif");
    make_raster(tif, 1, 0, NULL); /* grey: one band, ramp only */
    /* A 10 m square whose centre is 5 m from the east edge: the chip spans 50 m, the
     * last 20 m (40 of 100 px) lie outside the raster. */
    double xe = X0 + W * PX;
    char *wkt = square_wkt(xe - 10, Y0 - 55, xe, Y0 - 45);
    const char *png = tmp_path("edge.png");
    assert_int_equal(tb_evidence_chip(tif, wkt, -1, 100, png), TB_OK);
    chip c = read_chip(png, 100);
    for (int y = 0; y < 100; y++)
        for (int k = 0; k < 3; k++) {
            assert_int_equal(px(&c, k, 65, y), 0);
            assert_int_equal(px(&c, k, 95, y), 0);
        }
    assert_true(px(&c, 0, 30, 10) > 100); /* ramp, bright end, inside the raster */
    assert_int_equal(px(&c, 0, 30, 10), px(&c, 2, 30, 10)); /* grey */
    assert_true(yellow_near_x(&c, 38, 41, 50)); /* west side of the square at px 40 */
    assert_true(yellow_near_x(&c, 58, 61, 50)); /* east side on the raster's edge */
    free_chip(&c);
    free(wkt);
}

static void test_errors(void **state)
{
    (void)state;
    const char *tif = tmp_path("err.tif");
    make_raster(tif, 1, 1, NULL);
    char *wkt = fixture_square();
    const char *missing = tmp_path("no_such.tif");
    tb_error_clear();
    assert_int_equal(tb_evidence_chip(missing, wkt, 20, 64, tmp_path("x.png")), TB_ERR_INPUT_MISSING);
    assert_non_null(strstr(tb_error_message(), "no_such.tif"));
    tb_error_clear();
    assert_int_equal(tb_evidence_chip(tif, "POLYGON((1 2, 3", 20, 64, tmp_path("x.png")),
                     TB_ERR_INPUT_FORMAT);
    assert_non_null(strstr(tb_error_message(), "x.png"));
    /* The parent of the PNG is a regular file. */
    tb_error_clear();
    assert_int_equal(tb_evidence_chip(tif, wkt, 20, 64, tmp_path("err.tif/x.png")), TB_ERR_OUTPUT);
    assert_non_null(strstr(tb_error_message(), "err.tif/x.png"));
    assert_int_equal(access(tmp_path("x.png"), F_OK), -1);
    tb_error_clear();
    free(wkt);
}

int main(void)
{
    if (iotk_make_dir("tb_evidence_") != 0)
        return 1;
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outline_and_square),
        cmocka_unit_test(test_band_order_bgrn),
        cmocka_unit_test(test_band_order_interp),
        cmocka_unit_test(test_outside_is_black),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
