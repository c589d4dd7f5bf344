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

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <omp.h>

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

/* Bands never cut a component, hold at least their target of rows (but the last), and
 * grow round a tall component; a component beyond the size limit or a span outside the
 * raster leaves no bands. */
static void test_bands_follow_the_components(void **state)
{
    (void)state;
    const int w = 4096, h = 3000;   /* target: 256 rows of 4096 labels; limit 2048 rows */
    int32_t first[4] = {10, 250, 600, 2990}, last[4] = {20, 700, 610, 2999};
    int starts[3000 / 16 + 2];
    const int nb = tb_polygon_bands(w, h, 4, first, last, starts);
    assert_true(nb >= 2);
    assert_int_equal(starts[0], 0);
    assert_int_equal(starts[nb], h);
    for (int b = 0; b < nb; b++) {
        assert_true(starts[b + 1] > starts[b]);
        if (b + 1 < nb)
            assert_true(starts[b + 1] - starts[b] >= 256);
        for (int i = 0; i < 4; i++)   /* a component lies in one band */
            assert_true(first[i] >= starts[b + 1] || last[i] < starts[b + 1] ||
                        first[i] >= starts[b]);
    }
    for (int b = 1; b < nb; b++)
        assert_false(starts[b] > 250 && starts[b] <= 700);   /* the tall one is whole */
    int32_t tall_first[1] = {0}, tall_last[1] = {2900};     /* 2901 rows > 2048 */
    assert_int_equal(tb_polygon_bands(w, h, 1, tall_first, tall_last, starts), 0);
    int32_t out_last[1] = {h};
    assert_int_equal(tb_polygon_bands(w, h, 1, tall_first, out_last, starts), 0);
}

#define BW 1024
#define BH 1600
#define BLAB 6400

typedef struct collected {
    uint32_t order[BLAB];
    char *wkt[BLAB];
    int n;
} collected;

static tb_status collect(void *arg, uint32_t label, OGRGeometryH g)
{
    collected *c = arg;
    assert_true(label >= 1 && label <= BLAB);
    assert_null(c->wkt[label - 1]);   /* once */
    c->order[c->n++] = label;
    assert_int_equal(OGR_G_ExportToWkt(g, &c->wkt[label - 1]), OGRERR_NONE);
    OGR_G_DestroyGeometry(g);
    return TB_OK;
}

static void collected_free(collected *c)
{
    for (int i = 0; i < BLAB; i++)
        CPLFree(c->wkt[i]);
    memset(c, 0, sizeof *c);
}

/* A wide label raster in bands (4 MiB of labels: 1024 rows of 1024): on 1 and 2 threads
 * every component arrives once, in the same order, with the geometry the streaming
 * polygonizer of the whole raster gives; a rows list out of raster order streams. */
static void test_file_in_bands_matches_the_stream(void **state)
{
    (void)state;
    static uint32_t lab[BH][BW];
    static uint64_t pixels[BLAB];
    static int32_t first[BLAB], last[BLAB];
    memset(lab, 0, sizeof lab);
    uint32_t n = 0;
    /* Rings, L shapes and squares on a grid, numbered in raster order of their first
     * pixel; every 8th grid row, three tall bars cross the next three grid rows (and the
     * 1024-row mark where the first band would end). */
    for (int gy = 0; gy + 12 <= BH && n < BLAB; gy += 16)
        for (int gx = 0; gx + 12 <= BW && n < BLAB; gx += 16) {
            const uint32_t l = ++n;
            const int tall = (gx / 16) % 20 == 7 && (gy / 16) % 8 == 7 && gy + 60 <= BH;
            const int y1 = tall ? gy + 59 : gy + 9;
            for (int y = gy; y <= y1; y++)
                for (int x = gx; x < gx + 10; x++) {
                    const int hole = !tall && (l % 3 == 0) && x > gx + 2 && x < gx + 7 &&
                                     y > gy + 2 && y < gy + 7;
                    const int notch = (l % 3 == 1) && x > gx + 4 && y > gy + 4 && y <= gy + 9;
                    if (!hole && !notch && !(tall && (y - gy) % 16 >= 12 && x > gx + 1))
                        lab[y][x] = l;
                }
            first[l - 1] = gy;
            last[l - 1] = y1;
        }
    for (int y = 0; y < BH; y++)
        for (int x = 0; x < BW; x++)
            if (lab[y][x])
                pixels[lab[y][x] - 1]++;
    char *path = iotk_path("bands.tif");
    const double gt[6] = {39500000.5, 0.8, 0, 4400000.25, 0, -0.8};
    tb_raster_writer *w = NULL;
    assert_int_equal(tb_raster_writer_create_scratch(path, BW, BH, TB_U32, gt, NULL, &w), TB_OK);
    assert_int_equal(tb_raster_writer_write(w, 0, BH, lab), TB_OK);
    static collected ref, got;
    assert_int_equal(tb_polygonize_stream(w, n, pixels, collect, &ref), TB_OK);
    assert_int_equal(tb_raster_writer_close(w), TB_OK);
    assert_int_equal(ref.n, (int)n);
    int starts[BH / 16 + 2];
    assert_true(tb_polygon_bands(BW, BH, n, first, last, starts) >= 2);

    uint32_t order1[BLAB];
    for (int threads = 1; threads <= 2; threads++) {
        omp_set_num_threads(threads);
        assert_int_equal(tb_polygonize_file(path, n, pixels, first, last, collect, &got), TB_OK);
        assert_int_equal(got.n, (int)n);
        for (uint32_t i = 0; i < n; i++)
            assert_string_equal(got.wkt[i], ref.wkt[i]);
        if (threads == 1)
            memcpy(order1, got.order, sizeof order1);
        else
            assert_memory_equal(order1, got.order, n * sizeof *order1);
        collected_free(&got);
    }
    /* Rows out of raster order: no bands, the raster is streamed; still all there. */
    const int32_t keep0 = first[0];
    first[0] = first[n - 1];
    assert_int_equal(tb_polygonize_file(path, n, pixels, first, last, collect, &got), TB_OK);
    first[0] = keep0;
    assert_int_equal(got.n, (int)n);
    assert_memory_equal(got.order, ref.order, n * sizeof *ref.order);
    collected_free(&got);
    collected_free(&ref);
    free(path);
}

/* A missing label file is an error naming it. */
static void test_file_missing_is_an_error(void **state)
{
    (void)state;
    char *path = iotk_path("no_such_labels.tif");
    uint64_t pixels[1] = {1};
    int32_t rows[1] = {0};
    collected *c = calloc(1, sizeof *c);
    assert_int_equal(tb_polygonize_file(path, 1, pixels, rows, rows, collect, c), TB_ERR_OUTPUT);
    assert_non_null(strstr(tb_error_message(), path));
    free(c);
    free(path);
}

int main(void)
{
    tb_gdal_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_components_arrive_once_when_complete, iotk_clear_error),
        cmocka_unit_test_setup(test_part_after_completion_is_an_error, iotk_clear_error),
        cmocka_unit_test_setup(test_long_outlines_far_from_origin, iotk_clear_error),
        cmocka_unit_test_setup(test_bands_follow_the_components, iotk_clear_error),
        cmocka_unit_test_setup(test_file_in_bands_matches_the_stream, iotk_clear_error),
        cmocka_unit_test_setup(test_file_missing_is_an_error, iotk_clear_error),
    };
    if (iotk_make_dir("tb_polygonize_") != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, iotk_teardown_dir);
}
