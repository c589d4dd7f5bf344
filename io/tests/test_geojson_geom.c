/* test_geojson_geom.c: unit tests of io/tb_geojson_geom.h against OGR itself: the
 * GeoJSON text of random MultiPolygons (pixel-grid coordinates as the polygonizer
 * makes them, random reals, halves, long runs of 0s and 9s, huge and tiny values) is
 * OGR_G_ExportToJsonEx's, byte for byte, at every precision; pixel-grid coordinates
 * are formatted here, not handed back to OGR.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>

#include "tb_geojson_geom.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next(void)   /* splitmix64 */
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double uniform(void) { return (double)(next() >> 11) / 9007199254740992.0; }

static int below(int n) { return (int)(next() % (uint64_t)n); }

/* A coordinate of kind `kind`: 0 a pixel corner of a projected or geographic grid, 1 a
 * random real, 2 a decimal half at some precision, 3 a run of 0s or 9s, 4 an extreme. */
static double coordinate(int kind)
{
    static const double origins[] = {475000.0, 4419999.2, 39512345.1, -120.25, 116.3, 0.0,
                                     -33.123456789, 500000.05};
    static const double pixels[] = {0.8, 0.3, 10.0, 0.5, 1.0 / 3.0, 8.983152841195e-6,
                                    2.5e-5, 0.0625, 30.0};
    switch (kind) {
    case 0:
        return origins[below(8)] + below(40000) * pixels[below(9)] * (below(2) ? 1 : -1);
    case 1:
        return (uniform() - 0.5) * pow(10.0, below(16) - 4);
    case 2:
        return (below(2000000) + 0.5) / pow(10.0, below(10));
    case 3: {
        const double base = below(1000000) / 1000.0;
        const double tail = pow(10.0, -(double)(6 + below(9)));
        return below(2) ? base + tail : base - tail;
    }
    default: {
        static const double ext[] = {0.0, -0.0, 1e15, 1e16, 1.23e20, 9.9e49, 1e50, 1.5e51,
                                     -2e60, 1e-9, -1e-7, 4e-4, 99999.9995, 999999.9995};
        return ext[below(14)];
    }
    }
}

static OGRGeometryH random_multipolygon(int kind)
{
    OGRGeometryH mp = OGR_G_CreateGeometry(wkbMultiPolygon);
    for (int i = 1 + below(3); i > 0; i--) {
        OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
        for (int j = 1 + below(3); j > 0; j--) {
            OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
            for (int k = 1 + below(6); k > 0; k--)
                OGR_G_AddPoint_2D(ring, coordinate(kind), coordinate(kind));
            OGR_G_AddGeometryDirectly(poly, ring);
        }
        OGR_G_AddGeometryDirectly(mp, poly);
    }
    return mp;
}

static void assert_like_ogr(OGRGeometryH g, int decimals, tb_text *t)
{
    char prec[32];
    snprintf(prec, sizeof prec, "COORDINATE_PRECISION=%d", decimals);
    char *opts[] = {prec, NULL};
    char *ogr = OGR_G_ExportToJsonEx(g, opts);
    assert_int_equal(tb_geojson_geometry(t, g, decimals), 0);
    assert_string_equal(t->s, ogr);
    assert_int_equal(t->len, strlen(ogr));
    CPLFree(ogr);
}

static void test_random_multipolygons_as_ogr(void **state)
{
    (void)state;
    tb_text t = {0};
    for (int i = 0; i < 20000; i++) {
        OGRGeometryH g = random_multipolygon(i % 5);
        const int decimals = i % 3 == 0 ? 3 : i % 3 == 1 ? 9 : 1 + below(15);
        assert_like_ogr(g, decimals, &t);
        OGR_G_DestroyGeometry(g);
    }
    tb_text_free(&t);
}

/* Anything but a plain 2D MultiPolygon still comes out as OGR writes it. */
static void test_other_geometries_as_ogr(void **state)
{
    (void)state;
    tb_text t = {0};
    OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
    OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
    OGR_G_AddPoint_2D(ring, 1.25, 2.5);
    OGR_G_AddPoint_2D(ring, 3.0, 2.5);
    OGR_G_AddPoint_2D(ring, 1.25, 2.5);
    OGR_G_AddGeometryDirectly(poly, ring);
    assert_like_ogr(poly, 3, &t);
    OGRGeometryH mp3 = OGR_G_CreateGeometry(wkbMultiPolygon25D);
    OGRGeometryH poly3 = OGR_G_CreateGeometry(wkbPolygon25D);
    OGRGeometryH ring3 = OGR_G_CreateGeometry(wkbLinearRing);
    OGR_G_AddPoint(ring3, 1, 2, 3);
    OGR_G_AddPoint(ring3, 4, 5, 6);
    OGR_G_AddGeometryDirectly(poly3, ring3);
    OGR_G_AddGeometryDirectly(mp3, poly3);
    assert_like_ogr(mp3, 3, &t);
    OGRGeometryH empty = OGR_G_CreateGeometry(wkbMultiPolygon);
    assert_like_ogr(empty, 3, &t);
    OGR_G_DestroyGeometry(poly);
    OGR_G_DestroyGeometry(mp3);
    OGR_G_DestroyGeometry(empty);
    tb_text_free(&t);
}

/* Pixel corners of projected (3 decimals) and geographic (9 decimals) grids are
 * formatted here; runs that OGR's heuristics could trim are left to OGR. */
static void test_grid_coordinates_formatted_here(void **state)
{
    (void)state;
    char out[80];
    for (int i = 0; i < 100000; i++) {
        const double x = 475000.0 + 0.8 * below(30000);
        assert_true(tb_geojson_coordinate(out, x, 3) > 0);
        const double lon = 116.3 + 8.983152841195e-6 * below(30000);
        const int n = tb_geojson_coordinate(out, lon, 9);
        if (n < 0) {   /* only for the rare run of five 0s or 9s before the last digit */
            char full[80];
            snprintf(full, sizeof full, "%.9f", lon);
            const char *e = full + strlen(full) - 6;
            assert_true(!strncmp(e, "00000", 5) || !strncmp(e, "99999", 5));
        }
    }
    assert_int_equal(tb_geojson_coordinate(out, 4419992.0, 3), 9);
    assert_string_equal(out, "4419992.0");
    assert_int_equal(tb_geojson_coordinate(out, -0.0001, 3), 4);
    assert_string_equal(out, "-0.0");
    assert_int_equal(tb_geojson_coordinate(out, NAN, 3), -1);
    assert_int_equal(tb_geojson_coordinate(out, 2e50, 3), -1);
}

int main(void)
{
    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);   /* unclosed random rings warn */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_multipolygons_as_ogr),
        cmocka_unit_test(test_other_geometries_as_ogr),
        cmocka_unit_test(test_grid_coordinates_formatted_here),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
