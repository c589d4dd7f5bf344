/* test_polygonize.c: unit tests of io/tb_polygonize.h: every component of a label
 * raster arrives once, as a MultiPolygon of its 4-connected parts with its holes, as
 * soon as it is complete (so components that end higher arrive before a tall one that
 * started first), and a pixel count that does not match the parts is an error, never
 * a lost part.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gdal.h>
#include <ogr_api.h>

#include "io_testkit.h"
#include "tb_polygonize.h"

#define W 64
#define H 200
#define NLAB 4

static uint32_t img[H][W];

static void fill(int x0, int y0, int x1, int y1, uint32_t v)   /* inclusive */
{
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            img[y][x] = v;
}

/* 1: a bar down the whole height; 2: two squares touching at a corner (two parts);
 * 3: a square ring (one part with a hole); 4: one pixel in the last row. */
static void draw(uint64_t pixels[NLAB])
{
    memset(img, 0, sizeof img);
    fill(2, 0, 3, H - 1, 1);
    fill(10, 10, 12, 12, 2);
    fill(13, 13, 15, 15, 2);
    fill(20, 40, 29, 49, 3);
    fill(23, 43, 26, 46, 0);
    img[H - 1][60] = 4;
    memset(pixels, 0, NLAB * sizeof *pixels);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            if (img[y][x])
                pixels[img[y][x] - 1]++;
}

static tb_raster_writer *write_labels_gt(const char *name, const double gt[6])
{
    char *path = iotk_path(name);
    tb_raster_writer *w = NULL;
    assert_int_equal(tb_raster_writer_create(path, W, H, TB_U32, gt, NULL, -1, &w), TB_OK);
    assert_int_equal(tb_raster_writer_write(w, 0, H, img), TB_OK);
    free(path);
    return w;
}

static tb_raster_writer *write_labels(const char *name)
{
    const double gt[6] = {500000.0, 0.8, 0, 3000000.0, 0, -0.8};
    return write_labels_gt(name, gt);
}

typedef struct received {
    uint32_t order[NLAB];
    int parts[NLAB], rings[NLAB];
    double area[NLAB];
    int n;
} received;

static tb_status keep(void *arg, uint32_t label, OGRGeometryH g)
{
    received *r = arg;
    assert_true(label >= 1 && label <= NLAB);
    assert_int_equal(OGR_G_GetGeometryType(g), wkbMultiPolygon);
    const uint32_t i = label - 1;
    r->order[r->n++] = label;
    r->parts[i] = OGR_G_GetGeometryCount(g);
    for (int p = 0; p < r->parts[i]; p++)
        r->rings[i] += OGR_G_GetGeometryCount(OGR_G_GetGeometryRef(g, p));
    r->area[i] = OGR_G_Area(g);
    OGR_G_DestroyGeometry(g);
    return TB_OK;
}

static void test_components_arrive_once_when_complete(void **state)
{
    (void)state;
    uint64_t pixels[NLAB];
    draw(pixels);
    tb_raster_writer *w = write_labels("labels.tif");
    received r;
    memset(&r, 0, sizeof r);
    assert_int_equal(tb_polygonize_stream(w, NLAB, pixels, keep, &r), TB_OK);
    assert_int_equal(r.n, NLAB);
    int seen[NLAB] = {0};
    for (int k = 0; k < NLAB; k++)
        seen[r.order[k] - 1]++;
    for (int i = 0; i < NLAB; i++) {
        assert_int_equal(seen[i], 1);
        assert_true(fabs(r.area[i] - (double)pixels[i] * 0.64) < 1e-6);
    }
    /* Squares and ring end long before the bar, which started first. */
    assert_int_equal(r.order[0], 2);
    assert_int_equal(r.order[1], 3);
    assert_int_equal(r.parts[1], 2);
    assert_int_equal(r.rings[1], 2);
    assert_int_equal(r.parts[2], 1);
    assert_int_equal(r.rings[2], 2);   /* outer ring and the hole */
    assert_int_equal(r.parts[0], 1);
    assert_int_equal(tb_raster_writer_close(w), TB_OK);
}

/* A component counted smaller than its parts is handed over after its first part;
 * the second part is then reported, not dropped. */
static void test_part_after_completion_is_an_error(void **state)
{
    (void)state;
    uint64_t pixels[NLAB];
    draw(pixels);
    pixels[1] = 9;   /* one of label 2's two squares */
    tb_raster_writer *w = write_labels("short.tif");
    received r;
    memset(&r, 0, sizeof r);
    assert_int_equal(tb_polygonize_stream(w, NLAB, pixels, keep, &r), TB_ERR_INTERNAL);
    assert_non_null(strstr(tb_error_message(), "component 2"));
    assert_int_equal(tb_raster_writer_close(w), TB_OK);
}

/* Zone-prefixed Gauss-Kruger metres (eastings near 4e7) with 0.3 m pixels: a comb
 * whose outline has hundreds of vertices and a diagonal of single pixels (one part
 * each) still count their pixels exactly from the parts' areas, so both arrive
 * whole, once, before the polygonizer ends. */
static void test_long_outlines_far_from_origin(void **state)
{
    (void)state;
    memset(img, 0, sizeof img);
    uint64_t pixels[NLAB] = {0};
    for (int y = 0; y < H; y++) {
        fill(0, y, 8 + (y % 2) * 20, y, 1);   /* a tooth every second row */
        if (y < 50)
            img[y][40 + y % 20] = 2;           /* not 4-connected: 50 parts */
    }
    img[H - 1][W - 1] = 3;
    img[H - 1][W - 3] = 4;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            if (img[y][x])
                pixels[img[y][x] - 1]++;
    const double gt[6] = {39512345.1, 0.3, 0, 4423456.7, 0, -0.3};
    tb_raster_writer *w = write_labels_gt("far.tif", gt);
    received r;
    memset(&r, 0, sizeof r);
    assert_int_equal(tb_polygonize_stream(w, NLAB, pixels, keep, &r), TB_OK);
    assert_int_equal(r.n, NLAB);
    assert_int_equal(r.parts[0], 1);
    assert_int_equal(r.parts[1], 50);
    /* The diagonal ends in row 49, long before the comb. */
    assert_int_equal(r.order[0], 2);
    assert_int_equal(tb_raster_writer_close(w), TB_OK);
}

int main(void)
{
    tb_gdal_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_components_arrive_once_when_complete, iotk_clear_error),
        cmocka_unit_test_setup(test_part_after_completion_is_an_error, iotk_clear_error),
        cmocka_unit_test_setup(test_long_outlines_far_from_origin, iotk_clear_error),
    };
    if (iotk_make_dir("tb_polygonize_") != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, iotk_teardown_dir);
}
