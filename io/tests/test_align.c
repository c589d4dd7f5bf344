/* test_align.c: unit tests of the CRS handling under alignment: axis order of the
 * coordinate operations tuban relies on, io/tb_ground.h (pixel sizes on the ground,
 * CGCS2000 lon/lat) and tb_align_plan (io/tb_align.h, the common grid of a pair).
 *
 * The reference point is in Tongzhou, Beijing: 116.656 E, 39.909 N (CGCS2000). Its
 * projected coordinates were computed independently (python osgeo, same PROJ 9.1):
 * EPSG:4548 (3-degree Gauss-Kruger CM 117E) 470585.5243, 4419481.6101; EPSG:4527 (the
 * same projection, zone 39 prefixed to the easting) 39470585.5243, 4419481.6101; UTM 50N
 * (EPSG:32650, also CM 117E, scale 0.9996) 470597.2901, 4417713.8175. Raster fixtures
 * are written by the test into a fresh temporary directory.
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
#include <ogr_srs_api.h>

#include "io_testkit.h"
#include "tb_align.h"
#include "tb_ground.h"
#include "tb_raster.h"

/* cmocka 1.1.5 (Debian 12) has no assert_double_equal. */
#define assert_near(a, b, eps) near_or_fail((a), (b), (eps), #a, __FILE__, __LINE__)

static void near_or_fail(double a, double b, double eps, const char *what, const char *file,
                         int line)
{
    if (!(fabs(a - b) <= eps))
        fail_msg("%s:%d: %s is %.17g, expected %.17g (tolerance %g)", file, line, what, a, b,
                 eps);
}

#define TZ_LON 116.656
#define TZ_LAT 39.909
#define DEG_EPS 1e-8   /* a round trip in degrees: about a millimetre */
#define M_EPS 1e-3     /* a round trip in metres */

static int setup_dir(void **state)
{
    (void)state;
    if (iotk_make_dir("tb_align_") != 0)
        return -1;
    GDALAllRegister();
    return 0;
}

/* ---- axis order of the coordinate operations ------------------------------------ */

static OGRSpatialReferenceH srs_epsg(int code, int gis_order)
{
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    assert_non_null(s);
    assert_int_equal(OSRImportFromEPSG(s, code), OGRERR_NONE);
    if (gis_order)
        OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    return s;
}

/* Transforms one point from EPSG `from` to EPSG `to`, both in traditional GIS order
 * (longitude/easting first). Returns the OCTTransform result. */
static int transform(int from, int to, int gis_order, double *x, double *y)
{
    OGRSpatialReferenceH s = srs_epsg(from, gis_order), d = srs_epsg(to, gis_order);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(s, d);
    assert_non_null(ct);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    int ok = OCTTransform(ct, 1, x, y, NULL);
    CPLPopErrorHandler();
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(s);
    OSRDestroySpatialReference(d);
    return ok;
}

/* One leg: CGCS2000 lon/lat -> `epsg` -> back, and the projected point -> lon/lat ->
 * back; (ex, ey) the expected coordinates in `epsg`, within `tol`. */
static void leg(int epsg, double ex, double ey, double tol, int geographic)
{
    double x = TZ_LON, y = TZ_LAT;
    assert_true(transform(4490, epsg, 1, &x, &y));
    assert_near(x, ex, tol);
    assert_near(y, ey, tol);
    const double px = x, py = y;
    assert_true(transform(epsg, 4490, 1, &x, &y));
    assert_near(x, TZ_LON, DEG_EPS);
    assert_near(y, TZ_LAT, DEG_EPS);
    /* And from the far side: the target coordinates survive the trip through 4490. */
    x = px;
    y = py;
    assert_true(transform(epsg, 4490, 1, &x, &y));
    assert_true(transform(4490, epsg, 1, &x, &y));
    assert_near(x, px, geographic ? DEG_EPS : M_EPS);
    assert_near(y, py, geographic ? DEG_EPS : M_EPS);
}

static void test_cgcs2000_round_trips_lon_first(void **state)
{
    (void)state;
    /* Easting first, about 470 km (30 km west of the 117E central meridian). */
    leg(4548, 470585.5243, 4419481.6101, 0.01, 0);
    /* The same Gauss-Kruger projection with the zone number 39 before the easting. */
    leg(4527, 39470585.5243, 4419481.6101, 0.01, 0);
    leg(32650, 470597.2901, 4417713.8175, 0.01, 0);
    /* CGCS2000 and WGS 84 agree at this level (PROJ: ballpark, a no-op). */
    leg(4326, TZ_LON, TZ_LAT, DEG_EPS, 1);
}

/* Gauss-Kruger with k = 1 and UTM with k = 0.9996 share the 117E central meridian: the
 * UTM coordinates are the Gauss-Kruger ones scaled about the meridian (GRS 80 and WGS 84
 * differ by far less than a millimetre here). */
static void test_gauss_kruger_and_utm_agree(void **state)
{
    (void)state;
    double gx = TZ_LON, gy = TZ_LAT, ux = TZ_LON, uy = TZ_LAT, zx = TZ_LON, zy = TZ_LAT;
    assert_true(transform(4490, 4548, 1, &gx, &gy));
    assert_true(transform(4490, 32650, 1, &ux, &uy));
    assert_true(transform(4490, 4527, 1, &zx, &zy));
    assert_near(ux - 500000.0, 0.9996 * (gx - 500000.0), 0.005);
    assert_near(uy, 0.9996 * gy, 0.005);
    assert_near(zx - gx, 39000000.0, 1e-6);
    assert_near(zy, gy, 1e-6);
}

/* With GDAL's default (authority-compliant) mapping, EPSG:4490 takes latitude first
 * and EPSG:4548 gives northing first: lon, lat in that order is read as latitude
 * 116.656, which no transformation accepts. tuban's explicit traditional GIS order is
 * what makes "lon, lat" and "easting, northing" right. */
static void test_default_axis_order_is_lat_first(void **state)
{
    (void)state;
    OGRSpatialReferenceH s = srs_epsg(4490, 0);
    assert_true(OSREPSGTreatsAsLatLong(s));
    OGRAxisOrientation o = OAO_Other;
    OSRGetAxis(s, NULL, 0, &o);
    assert_int_equal(o, OAO_North);
    int n = 0;
    const int *map = OSRGetDataAxisToSRSAxisMapping(s, &n);
    assert_int_equal(n, 2);
    assert_int_equal(map[0], 1);   /* data axis 1 is the CRS's first axis: latitude */
    OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    map = OSRGetDataAxisToSRSAxisMapping(s, &n);
    assert_int_equal(map[0], 2);   /* now longitude */
    OSRDestroySpatialReference(s);

    /* Latitude first in, northing first out. */
    double x = TZ_LAT, y = TZ_LON;
    assert_true(transform(4490, 4548, 0, &x, &y));
    assert_near(x, 4419481.6101, 0.01);
    assert_near(y, 470585.5243, 0.01);
    /* Longitude first with the default mapping: latitude 116.656 does not exist. */
    x = TZ_LON;
    y = TZ_LAT;
    int ok = transform(4490, 4548, 0, &x, &y);
    assert_true(!ok || fabs(x - 470585.5243) > 1000.0);
    /* To WGS 84 the no-op keeps the order: the numbers come out in the order they went
     * in, so a swap would go unnoticed there; it is the projected legs that catch it. */
    x = TZ_LAT;
    y = TZ_LON;
    assert_true(transform(4490, 4326, 0, &x, &y));
    assert_near(x, TZ_LAT, DEG_EPS);
    assert_near(y, TZ_LON, DEG_EPS);
}

/* ---- tb_ground ------------------------------------------------------------------- */

static char *wkt_of(int epsg)
{
    OGRSpatialReferenceH s = srs_epsg(epsg, 0);
    char *wkt = NULL;
    assert_int_equal(OSRExportToWkt(s, &wkt), OGRERR_NONE);
    OSRDestroySpatialReference(s);
    return wkt;
}

static void test_ground_projected(void **state)
{
    (void)state;
    char *wkt = wkt_of(4548);
    const double gt[6] = {470000.0, 0.8, 0.0, 4420000.0, 0.0, -0.8};
    tb_ground g;
    assert_int_equal(tb_ground_init(&g, wkt, gt, 0, "gk.tif"), TB_OK);
    assert_false(g.geographic);
    double w = 0, h = 0;
    tb_ground_pixel(&g, 10.5, 20.5, &w, &h);
    assert_near(w, 0.8, 1e-12);
    assert_near(h, 0.8, 1e-12);
    double x, y, lon = 0, lat = 0;
    tb_ground_map(&g, 2.0, 3.0, &x, &y);
    assert_near(x, 470001.6, 1e-9);
    assert_near(y, 4419997.6, 1e-9);
    assert_true(tb_ground_lonlat(&g, 470585.5243, 4419481.6101, &lon, &lat));
    assert_near(lon, TZ_LON, 2e-7);   /* the 0.1 mm rounding of the reference point */
    assert_near(lat, TZ_LAT, 2e-7);
    tb_ground_clear(&g);
    tb_ground_clear(&g);   /* clearing twice is harmless */
    CPLFree(wkt);
}

static void test_ground_geographic(void **state)
{
    (void)state;
    char *wkt = wkt_of(4326);
    /* 1e-4 degree pixels whose top edge is at 40 N. */
    const double gt[6] = {116.6, 1e-4, 0.0, 40.0, 0.0, -1e-4};
    tb_ground g;
    assert_int_equal(tb_ground_init(&g, wkt, gt, 0, "ll.tif"), TB_OK);
    assert_true(g.geographic);
    double w = 0, h = 0;
    /* At 40 N on WGS 84 (computed independently from N and M): 8.5394 m x 11.1035 m. */
    tb_ground_pixel(&g, 0.0, 0.0, &w, &h);
    assert_near(w, 8.539385695861842, 1e-6);
    assert_near(h, 11.103463257675099, 1e-6);
    /* Further south the pixel widens east-west. */
    double w2 = 0, h2 = 0;
    tb_ground_pixel(&g, 0.0, 10000.0, &w2, &h2);   /* 39 N */
    assert_true(w2 > w + 0.1);
    /* Lon, lat in that order, and WGS 84 = CGCS2000 at this level. */
    double lon = 0, lat = 0;
    assert_true(tb_ground_lonlat(&g, TZ_LON, TZ_LAT, &lon, &lat));
    assert_near(lon, TZ_LON, DEG_EPS);
    assert_near(lat, TZ_LAT, DEG_EPS);
    tb_ground_clear(&g);
    CPLFree(wkt);
}

static void test_ground_pixel_grid(void **state)
{
    (void)state;
    tb_ground g;
    assert_int_equal(tb_ground_init(&g, NULL, NULL, 0.5, "levir.png"), TB_OK);
    double w = 0, h = 0, lon = -1, lat = -1;
    tb_ground_pixel(&g, 3, 4, &w, &h);
    assert_near(w, 0.5, 0);
    assert_near(h, 0.5, 0);
    assert_int_equal(tb_ground_lonlat(&g, 1, 2, &lon, &lat), 0);
    assert_near(lon, -1, 0);   /* nothing written */
    tb_ground_clear(&g);
    assert_int_equal(tb_ground_init(&g, NULL, NULL, 0, "levir.png"), TB_ERR_CRS);
    assert_non_null(strstr(tb_error_message(), "levir.png"));
}

/* ---- tb_align_plan --------------------------------------------------------------- */

/* Writes a w x h one-band Byte GeoTIFF with a texture; epsg 0: no CRS. */
static char *write_raster(const char *name, int w, int h, const double gt[6], int epsg)
{
    char *path = iotk_path(name);
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreate(drv, path, w, h, 1, GDT_Byte, NULL);
    assert_non_null(ds);
    if (gt)
        assert_int_equal(GDALSetGeoTransform(ds, (double *)gt), CE_None);
    if (epsg) {
        OGRSpatialReferenceH s = srs_epsg(epsg, 0);
        GDALSetSpatialRef(ds, s);
        OSRDestroySpatialReference(s);
    }
    unsigned char *buf = malloc((size_t)w * (size_t)h);
    assert_non_null(buf);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            buf[(size_t)y * (size_t)w + (size_t)x] = (unsigned char)((x * 7 + y * 13) % 251);
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, w, h, buf, w, h,
                                  GDT_Byte, 0, 0),
                     CE_None);
    free(buf);
    GDALClose(ds);
    return path;
}

typedef struct pair {
    char *pb, *pa;
    tb_raster *before, *after;
} pair;

static void open_pair(pair *p, const char *nb, int wb, int hb, const double gb[6], int eb,
                      const char *na, int wa, int ha, const double ga[6], int ea)
{
    p->pb = write_raster(nb, wb, hb, gb, eb);
    p->pa = write_raster(na, wa, ha, ga, ea);
    assert_int_equal(tb_raster_open(p->pb, &p->before), TB_OK);
    assert_int_equal(tb_raster_open(p->pa, &p->after), TB_OK);
}

static void close_pair(pair *p)
{
    tb_raster_close(p->before);
    tb_raster_close(p->after);
    free(p->pb);
    free(p->pa);
}

static const tb_align_options default_options = {"", 0, "bilinear", "", 0};

static const double gk_gt[6] = {470000.0, 0.8, 0.0, 4420000.0, 0.0, -0.8};

static void test_plan_same_grid_is_after_grid(void **state)
{
    (void)state;
    pair p;
    open_pair(&p, "same_b.tif", 64, 48, gk_gt, 4548, "same_a.tif", 64, 48, gk_gt, 4548);
    tb_grid g;
    assert_int_equal(tb_align_plan(p.before, p.after, &default_options, &g), TB_OK);
    assert_int_equal(g.width, 64);
    assert_int_equal(g.height, 48);
    for (int i = 0; i < 6; i++)
        assert_near(g.gt[i], gk_gt[i], 0);   /* exactly the after-image's grid */
    assert_non_null(g.wkt);
    assert_near(g.covered_before, 1.0, 1e-12);
    /* Reading the after-image on its own grid resamples nothing. */
    tb_raster *on = NULL;
    int warped = -1;
    assert_int_equal(tb_raster_on_grid(p.after, &g, &default_options, 0, 0, &on, &warped), TB_OK);
    assert_int_equal(warped, 0);
    tb_raster_close(on);
    tb_grid_clear(&g);
    assert_null(g.wkt);
    tb_grid_clear(&g);
    tb_grid_clear(NULL);
    close_pair(&p);
}

/* The before-image 10.25 px east and 4.5 px south: the grid is the after-image's own
 * lattice clipped to the overlap (columns 10..63, rows 4..47 of the after-image). */
static void test_plan_partial_overlap_snaps_to_after(void **state)
{
    (void)state;
    const double gb[6] = {470000.0 + 10.25 * 0.8, 0.8, 0.0, 4420000.0 - 4.5 * 0.8, 0.0, -0.8};
    pair p;
    open_pair(&p, "part_b.tif", 64, 48, gb, 4548, "part_a.tif", 64, 48, gk_gt, 4548);
    tb_grid g;
    assert_int_equal(tb_align_plan(p.before, p.after, &default_options, &g), TB_OK);
    assert_near(g.gt[0], 470000.0 + 10 * 0.8, 1e-6);
    assert_near(g.gt[3], 4420000.0 - 4 * 0.8, 1e-6);
    assert_near(g.gt[1], 0.8, 0);
    assert_near(g.gt[5], -0.8, 0);
    assert_int_equal(g.width, 54);
    assert_int_equal(g.height, 44);
    assert_near(g.covered_before, (64 - 10.25) * (48 - 4.5) / (64.0 * 48.0), 1e-9);
    tb_grid_clear(&g);
    close_pair(&p);
}

/* A target CRS and pixel size of the configuration's. */
static void test_plan_forced_crs_and_pixel(void **state)
{
    (void)state;
    pair p;
    open_pair(&p, "utm_b.tif", 64, 48, gk_gt, 4548, "utm_a.tif", 64, 48, gk_gt, 4548);
    tb_align_options o = default_options;
    o.crs = "EPSG:32650";
    o.pixel_size = 2.0;
    tb_grid g;
    assert_int_equal(tb_align_plan(p.before, p.after, &o, &g), TB_OK);
    assert_near(g.gt[1], 2.0, 0);
    assert_near(g.gt[5], -2.0, 0);
    /* 51.2 m x 38.4 m, scaled by 0.9996 and slightly rotated: 26 x 20 cells of 2 m. */
    assert_true(g.width >= 25 && g.width <= 27);
    assert_true(g.height >= 19 && g.height <= 21);
    assert_non_null(g.wkt);
    OGRSpatialReferenceH s = OSRNewSpatialReference(g.wkt), utm = srs_epsg(32650, 0);
    assert_non_null(s);
    assert_true(OSRIsSame(s, utm));
    OSRDestroySpatialReference(s);
    OSRDestroySpatialReference(utm);
    /* The grid lies inside the footprint's UTM box (corners of the GK raster). */
    double x = 470000.0, y = 4420000.0;
    assert_true(transform(4548, 32650, 1, &x, &y));
    assert_true(fabs(g.gt[0] - x) < 4.0 && fabs(g.gt[3] - y) < 4.0);
    tb_grid_clear(&g);
    close_pair(&p);
}

static void test_plan_disjoint_is_grid_error(void **state)
{
    (void)state;
    const double far[6] = {480000.0, 0.8, 0.0, 4420000.0, 0.0, -0.8};
    pair p;
    open_pair(&p, "disj_b.tif", 64, 48, far, 4548, "disj_a.tif", 64, 48, gk_gt, 4548);
    tb_grid g;
    assert_int_equal(tb_align_plan(p.before, p.after, &default_options, &g), TB_ERR_GRID);
    assert_non_null(strstr(tb_error_message(), "disj_b.tif"));
    assert_non_null(strstr(tb_error_message(), "do not overlap"));
    tb_grid_clear(&g);
    close_pair(&p);
}

static void test_plan_one_without_crs_is_crs_error(void **state)
{
    (void)state;
    pair p;
    open_pair(&p, "crs_b.tif", 64, 48, gk_gt, 4548, "nocrs_a.tif", 64, 48, NULL, 0);
    tb_grid g;
    assert_int_equal(tb_align_plan(p.before, p.after, &default_options, &g), TB_ERR_CRS);
    assert_non_null(strstr(tb_error_message(), "nocrs_a.tif"));
    assert_non_null(strstr(tb_error_message(), "align.after_crs"));
    tb_grid_clear(&g);
    close_pair(&p);
}

static void test_plan_unknown_target_crs_is_crs_error(void **state)
{
    (void)state;
    pair p;
    open_pair(&p, "bad_b.tif", 64, 48, gk_gt, 4548, "bad_a.tif", 64, 48, gk_gt, 4548);
    tb_align_options o = default_options;
    o.crs = "EPSG:999999";
    tb_grid g;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    tb_status st = tb_align_plan(p.before, p.after, &o, &g);
    CPLPopErrorHandler();
    assert_int_equal(st, TB_ERR_CRS);
    assert_non_null(strstr(tb_error_message(), "align.crs"));
    assert_non_null(strstr(tb_error_message(), "EPSG:999999"));
    tb_grid_clear(&g);
    close_pair(&p);
}

/* Plain pixel grids (neither has a CRS): the after-image's size, no CRS. */
static void test_plan_pixel_grids(void **state)
{
    (void)state;
    pair p;
    open_pair(&p, "px_b.tif", 32, 16, NULL, 0, "px_a.tif", 32, 16, NULL, 0);
    tb_grid g;
    assert_int_equal(tb_align_plan(p.before, p.after, &default_options, &g), TB_OK);
    assert_int_equal(g.width, 32);
    assert_int_equal(g.height, 16);
    assert_null(g.wkt);
    tb_grid_clear(&g);
    close_pair(&p);
    open_pair(&p, "px2_b.tif", 32, 16, NULL, 0, "px2_a.tif", 31, 16, NULL, 0);
    assert_int_equal(tb_align_plan(p.before, p.after, &default_options, &g), TB_ERR_GRID);
    tb_grid_clear(&g);
    close_pair(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_cgcs2000_round_trips_lon_first, iotk_clear_error),
        cmocka_unit_test_setup(test_gauss_kruger_and_utm_agree, iotk_clear_error),
        cmocka_unit_test_setup(test_default_axis_order_is_lat_first, iotk_clear_error),
        cmocka_unit_test_setup(test_ground_projected, iotk_clear_error),
        cmocka_unit_test_setup(test_ground_geographic, iotk_clear_error),
        cmocka_unit_test_setup(test_ground_pixel_grid, iotk_clear_error),
        cmocka_unit_test_setup(test_plan_same_grid_is_after_grid, iotk_clear_error),
        cmocka_unit_test_setup(test_plan_partial_overlap_snaps_to_after, iotk_clear_error),
        cmocka_unit_test_setup(test_plan_forced_crs_and_pixel, iotk_clear_error),
        cmocka_unit_test_setup(test_plan_disjoint_is_grid_error, iotk_clear_error),
        cmocka_unit_test_setup(test_plan_one_without_crs_is_crs_error, iotk_clear_error),
        cmocka_unit_test_setup(test_plan_unknown_target_crs_is_crs_error, iotk_clear_error),
        cmocka_unit_test_setup(test_plan_pixel_grids, iotk_clear_error),
    };
    return cmocka_run_group_tests_name("align", tests, setup_dir, iotk_teardown_dir);
}
