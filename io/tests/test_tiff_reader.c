/* test_tiff_reader.c: unit tests of io/tb_tiff_reader.h (the libtiff fast path) and its
 * use by tb_raster_read_rows.
 *
 * Every fixture is written by the test into a fresh temporary directory with GDAL
 * (MEM, then GTiff CreateCopy with the creation options under test). The reference is
 * GDALRasterIO(GDT_Float32) on the same file: the fast path must give the same bytes,
 * for many row ranges (crossing block rows, in the order a scan asks for them, one row
 * at a time), band selections and thread counts.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, setenv */

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>

#include "io_testkit.h"
#include "raster_internal.h"
#include "tb_tiff_reader.h"

static int setup_dir(void **state)
{
    (void)state;
    if (iotk_make_dir("tb_tiff_") != 0)
        return -1;
    tb_gdal_init();
    return 0;
}

static int clear_error(void **state)
{
    (void)state;
    tb_error_clear();
    unsetenv("TUBAN_NO_LIBTIFF");
    return 0;
}

static void tmp_path(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", iotk_dir(), name);
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* A w x h x nb raster of `type` with values spread over the type's range (extremes,
 * and for Float32 NaN, -0 and fractions) and smooth areas the predictor likes. */
static GDALDatasetH make_mem(int w, int h, int nb, GDALDataType type, uint32_t seed)
{
    GDALDatasetH mem = GDALCreate(GDALGetDriverByName("MEM"), "", w, h, nb, type, NULL);
    assert_non_null(mem);
    double *row = malloc((size_t)w * sizeof *row);
    assert_non_null(row);
    uint32_t s = seed;
    for (int b = 1; b <= nb; b++) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                uint32_t r = lcg(&s);
                double v;
                if (r % 7 == 0) {
                    v = (double)(r % 65536); /* noise */
                } else {
                    v = (double)((x * 3 + y * 5 + b * 11) % 4000); /* smooth */
                }
                switch (type) {
                case GDT_Byte: v = fmod(v, 256); break;
                case GDT_Int16: v = v - 32768 + (r % 3 == 0 ? 30000 : 0); break;
                case GDT_UInt32: v = v * 65536.0 + (double)(r % 65536); break;
                case GDT_Int32: v = (v - 30000) * 70000.0 + (double)(r % 1000); break;
                case GDT_Float32: v = (v - 2000) / 7.0; break;
                default: break;
                }
                if (x == 0 && y == b)
                    v = type == GDT_Byte ? 255 : type == GDT_UInt16 ? 65535 : v;
                if (type == GDT_Float32 && r % 997 == 0)
                    v = NAN;
                if (type == GDT_Float32 && r % 991 == 0)
                    v = -0.0;
                row[x] = v;
            }
            assert_int_equal(GDALRasterIO(GDALGetRasterBand(mem, b), GF_Write, 0, y, w, 1, row, w,
                                          1, GDT_Float64, 0, 0),
                             CE_None);
        }
    }
    free(row);
    return mem;
}

/* Writes the raster to `name` with the creation options `opts` (space-separated). */
static void write_tiff(const char *path, GDALDatasetH mem, const char *opts)
{
    char **co = CSLTokenizeString2(opts, " ", 0);
    GDALDatasetH ds = GDALCreateCopy(GDALGetDriverByName("GTiff"), path, mem, FALSE, co, NULL, NULL);
    CSLDestroy(co);
    assert_non_null(ds);
    GDALClose(ds);
}

/* The whole raster as GDAL reads it as Float32, one plane per band. */
static float *gdal_planes(const char *path, int *w, int *h, int *nb)
{
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    assert_non_null(ds);
    *w = GDALGetRasterXSize(ds);
    *h = GDALGetRasterYSize(ds);
    *nb = GDALGetRasterCount(ds);
    size_t n = (size_t)*w * *h;
    float *all = malloc(n * (size_t)*nb * sizeof *all);
    assert_non_null(all);
    for (int b = 0; b < *nb; b++)
        assert_int_equal(GDALRasterIO(GDALGetRasterBand(ds, b + 1), GF_Read, 0, 0, *w, *h,
                                      all + n * b, *w, *h, GDT_Float32, 0, 0),
                         CE_None);
    GDALClose(ds);
    return all;
}

typedef struct layout_case {
    const char *name;
    GDALDataType type;
    int w, h, nb;
    const char *opts;
} layout_case;

static const layout_case cases[] = {
    /* Without PHOTOMETRIC=MINISBLACK GDAL writes 4 Byte bands as RGBA (refused below). */
    {"byte4_tiled_deflate_pixel.tif", GDT_Byte, 1000, 777, 4,
     "TILED=YES BLOCKXSIZE=256 BLOCKYSIZE=256 COMPRESS=DEFLATE PREDICTOR=2 INTERLEAVE=PIXEL "
     "PHOTOMETRIC=MINISBLACK"},
    {"u16_4_tiled_deflate_band.tif", GDT_UInt16, 1000, 777, 4,
     "TILED=YES BLOCKXSIZE=256 BLOCKYSIZE=256 COMPRESS=DEFLATE PREDICTOR=2 INTERLEAVE=BAND"},
    {"u16_4_tiled_deflate_pixel.tif", GDT_UInt16, 1000, 777, 4,
     "TILED=YES BLOCKXSIZE=256 BLOCKYSIZE=256 COMPRESS=DEFLATE PREDICTOR=2 INTERLEAVE=PIXEL"},
    {"i16_1_tiled_lzw.tif", GDT_Int16, 1000, 777, 1,
     "TILED=YES BLOCKXSIZE=256 BLOCKYSIZE=256 COMPRESS=LZW"},
    {"f32_4_tiled_lzw_pixel.tif", GDT_Float32, 1000, 777, 4,
     "TILED=YES BLOCKXSIZE=256 BLOCKYSIZE=256 COMPRESS=LZW PREDICTOR=2 INTERLEAVE=PIXEL"},
    {"f32_4_tiled_deflate_fp.tif", GDT_Float32, 1000, 777, 4,
     "TILED=YES BLOCKXSIZE=256 BLOCKYSIZE=256 COMPRESS=DEFLATE PREDICTOR=3 INTERLEAVE=BAND"},
    {"u16_4_strip1_none_pixel.tif", GDT_UInt16, 1000, 777, 4,
     "TILED=NO ROWSPERSTRIP=1 COMPRESS=NONE INTERLEAVE=PIXEL"},
    {"u16_4_strip16_deflate_band.tif", GDT_UInt16, 1000, 777, 4,
     "TILED=NO ROWSPERSTRIP=16 COMPRESS=DEFLATE PREDICTOR=2 INTERLEAVE=BAND"},
    {"i16_4_strip16_lzw_pixel.tif", GDT_Int16, 1000, 777, 4,
     "TILED=NO ROWSPERSTRIP=16 COMPRESS=LZW PREDICTOR=2 INTERLEAVE=PIXEL"},
    {"f32_1_strip16_none.tif", GDT_Float32, 1000, 777, 1, "TILED=NO ROWSPERSTRIP=16 COMPRESS=NONE"},
    {"byte1_strip1_deflate.tif", GDT_Byte, 1000, 777, 1,
     "TILED=NO ROWSPERSTRIP=1 COMPRESS=DEFLATE"},
    {"u32_2_tiled128x64_deflate.tif", GDT_UInt32, 1000, 777, 2,
     "TILED=YES BLOCKXSIZE=128 BLOCKYSIZE=64 COMPRESS=DEFLATE INTERLEAVE=PIXEL"},
    {"i32_3_strip16_band.tif", GDT_Int32, 1000, 777, 3,
     "TILED=NO ROWSPERSTRIP=16 COMPRESS=NONE INTERLEAVE=BAND"},
    {"u16_4_bigtiff_zstd.tif", GDT_UInt16, 1000, 777, 4,
     "BIGTIFF=YES TILED=YES BLOCKXSIZE=256 BLOCKYSIZE=256 COMPRESS=ZSTD PREDICTOR=2"},
    {"byte3_tiny_tiled.tif", GDT_Byte, 37, 23, 3,
     "TILED=YES BLOCKXSIZE=256 BLOCKYSIZE=256 COMPRESS=DEFLATE"},
};

/* Reads rows [y0, y0 + rows) of `bands` through `t` and compares with GDAL's planes. */
static void check_range(tb_tiff_reader *t, const float *ref, int w, int h, int y0, int rows,
                        const int *bands, int nsel, float *const *out, const char *what)
{
    if (tb_tiff_reader_read_rows(t, y0, rows, bands, nsel, out) != 0)
        fail_msg("%s: rows %d+%d: %s", what, y0, rows, tb_error_message());
    for (int i = 0; i < nsel; i++) {
        const float *want = ref + (size_t)w * h * (bands[i] - 1) + (size_t)y0 * w;
        if (memcmp(out[i], want, (size_t)w * rows * sizeof(float)) != 0) {
            for (size_t k = 0; k < (size_t)w * rows; k++)
                if (memcmp(&out[i][k], &want[k], sizeof(float)) != 0)
                    fail_msg("%s: rows %d+%d band %d: pixel (%zu, %zu) is %g, GDAL gives %g",
                             what, y0, rows, bands[i], k % (size_t)w, (size_t)y0 + k / (size_t)w,
                             (double)out[i][k], (double)want[k]);
        }
    }
}

static void test_pixels_match_gdal(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const layout_case *lc = &cases[c];
        char path[512];
        tmp_path(path, sizeof path, lc->name);
        GDALDatasetH mem = make_mem(lc->w, lc->h, lc->nb, lc->type, 1234u + (uint32_t)c);
        write_tiff(path, mem, lc->opts);
        GDALClose(mem);
        int w, h, nb;
        float *ref = gdal_planes(path, &w, &h, &nb);
        float *buf = malloc((size_t)w * h * 4 * sizeof *buf);
        assert_non_null(buf);
        float *out[4];
        for (int i = 0; i < 4; i++)
            out[i] = buf + (size_t)w * h * i;

        int sel_all[4] = {1, 2, 3, 4}, sel_rev[2] = {nb, 1}, sel_last[1] = {nb};
        const int *sels[3] = {sel_all, sel_rev, sel_last};
        const int nsels[3] = {nb, 2, 1};
        for (int threads = 1; threads <= 2; threads++) {
            for (int s = 0; s < 3; s++) {
                tb_tiff_reader *t = tb_tiff_reader_open(path, threads);
                if (!t)
                    fail_msg("%s: refused", lc->name);
                assert_int_equal(tb_tiff_reader_width(t), w);
                assert_int_equal(tb_tiff_reader_height(t), h);
                assert_int_equal(tb_tiff_reader_band_count(t), nb);
                assert_string_equal(tb_tiff_reader_type_name(t), GDALGetDataTypeName(lc->type));
                char what[600];
                snprintf(what, sizeof what, "%s, %d threads, selection %d", lc->name, threads, s);
                /* The strips of a scan with a halo of 4 rows... */
                for (int y = 0; y < h; y += 256) {
                    int e0 = y - 4 < 0 ? 0 : y - 4, e1 = y + 260 > h ? h : y + 260;
                    check_range(t, ref, w, h, e0, e1 - e0, sels[s], nsels[s], out, what);
                }
                /* ...its one-row samples, then ranges crossing block rows, any order. */
                for (int y = 2; y < h; y += 5)
                    check_range(t, ref, w, h, y, 1, sels[s], nsels[s], out, what);
                const int ranges[][2] = {{0, 1},   {0, h},     {h - 1, 1}, {255, 2}, {250, 20},
                                         {100, 300}, {h / 2, h - h / 2}, {h - 7, 7}, {0, h / 3}};
                for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
                    if (ranges[r][0] + ranges[r][1] <= h)
                        check_range(t, ref, w, h, ranges[r][0], ranges[r][1], sels[s], nsels[s], out,
                                what);
                tb_tiff_reader_close(t);
            }
        }
        free(buf);
        free(ref);
        if (getenv("TB_TEST_VERBOSE"))
            fprintf(stderr, "%s: %.2f s\n", lc->name, (double)clock() / CLOCKS_PER_SEC);
    }
}

/* A strip that shares its halo with the previous one, or a row already read, decodes
 * no block again. */
static void test_block_rows_decoded_once(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "cache.tif");
    GDALDatasetH mem = make_mem(1000, 777, 4, GDT_UInt16, 7);
    write_tiff(path, mem, "TILED=YES BLOCKXSIZE=256 BLOCKYSIZE=256 COMPRESS=DEFLATE");
    GDALClose(mem);
    tb_tiff_reader *t = tb_tiff_reader_open(path, 2);
    assert_non_null(t);
    float *buf = malloc(1000 * 300 * 4 * sizeof *buf);
    float *out[4] = {buf, buf + 300000, buf + 600000, buf + 900000};
    const int bands[4] = {1, 2, 3, 4};
    assert_int_equal(tb_tiff_reader_read_rows(t, 0, 260, bands, 4, out), 0);
    assert_int_equal(tb_tiff_reader_decoded_blocks(t), 8);   /* 4 tiles across, 2 rows */
    assert_int_equal(tb_tiff_reader_read_rows(t, 252, 264, bands, 4, out), 0);
    assert_int_equal(tb_tiff_reader_decoded_blocks(t), 12);  /* only tile row 2 is new */
    for (int y = 0; y < 777; y += 4)
        if (y >= 256)
            assert_int_equal(tb_tiff_reader_read_rows(t, y, 1, bands, 4, out), 0);
    assert_int_equal(tb_tiff_reader_decoded_blocks(t), 16);  /* tile row 3 once */
    tb_tiff_reader_close(t);
    free(buf);
}

/* Memory is one unit and a carry, yet neither the strips of a scan with a halo, whose
 * reads overlap and cross unit borders anywhere (also with the carry cut to their
 * overlap), nor small chunks read in order, decode a block twice; the pixels stay
 * GDAL's. */
static void test_strips_and_chunks_decode_each_block_once(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "strips.tif");
    GDALDatasetH mem = make_mem(700, 1100, 4, GDT_UInt16, 8);
    write_tiff(path, mem, "TILED=YES BLOCKXSIZE=256 BLOCKYSIZE=128 COMPRESS=DEFLATE");
    GDALClose(mem);
    int w, h, nb;
    float *ref = gdal_planes(path, &w, &h, &nb);
    float *buf = malloc((size_t)w * 100 * 4 * sizeof *buf);
    assert_non_null(buf);
    float *out[4] = {buf, buf + (size_t)w * 100, buf + (size_t)w * 200, buf + (size_t)w * 300};
    const int bands[4] = {1, 2, 3, 4};
    const long blocks = 3 * 9;   /* 3 tiles across, 9 tile rows */
    for (int pattern = 0; pattern < 3; pattern++) {
        tb_tiff_reader *t = tb_tiff_reader_open(path, 2);
        assert_non_null(t);
        if (pattern == 2)
            tb_tiff_reader_set_overlap(t, 12);   /* what the strips share: enough */
        if (pattern != 1) {
            /* Strips of 37 rows with a halo of 6 (units are 256 rows: 2 tile rows). */
            for (int y = 0; y < h; y += 37) {
                int e0 = y - 6 < 0 ? 0 : y - 6, e1 = y + 43 > h ? h : y + 43;
                check_range(t, ref, w, h, e0, e1 - e0, bands, 4, out, "strips");
            }
        } else {
            for (int y = 0; y < h; y += 7)
                check_range(t, ref, w, h, y, y + 7 > h ? h - y : 7, bands, 4, out, "chunks");
        }
        assert_int_equal(tb_tiff_reader_decoded_blocks(t), blocks);
        /* Going back up decodes again (only one unit is kept), and is still right. */
        check_range(t, ref, w, h, 300, 20, bands, 4, out, "back up");
        assert_int_equal(tb_tiff_reader_decoded_blocks(t), blocks + 6);
        tb_tiff_reader_close(t);
    }
    free(buf);
    free(ref);
}

/* With an overlap set, the carry holds only the rows the next read may share: a read
 * reaching further back into the unit left decodes it again (still GDAL's pixels),
 * one within the overlap does not. */
static void test_overlap_cuts_the_carry(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "overlap.tif");
    GDALDatasetH mem = make_mem(300, 600, 2, GDT_UInt16, 9);
    write_tiff(path, mem, "TILED=YES BLOCKXSIZE=256 BLOCKYSIZE=256 COMPRESS=DEFLATE");
    GDALClose(mem);
    int w, h, nb;
    float *ref = gdal_planes(path, &w, &h, &nb);
    float *buf = malloc((size_t)w * 40 * 2 * sizeof *buf);
    assert_non_null(buf);
    float *out[2] = {buf, buf + (size_t)w * 40};
    const int bands[2] = {1, 2};
    for (int overlap = 4; overlap <= 30; overlap += 26) {
        tb_tiff_reader *t = tb_tiff_reader_open(path, 1);
        assert_non_null(t);
        tb_tiff_reader_set_overlap(t, overlap);
        check_range(t, ref, w, h, 230, 30, bands, 2, out, "crossing");   /* rows 230-259 */
        assert_int_equal(tb_tiff_reader_decoded_blocks(t), 4);   /* 2 across, 2 rows */
        /* Rows 240-255 of unit 0: kept with an overlap of 30 (rows 230-255); gone with 4
         * (rows 256-259 are all the next read may share): unit 0 is decoded again, and
         * unit 1 after it. */
        check_range(t, ref, w, h, 240, 30, bands, 2, out, "back 20 rows");
        assert_int_equal(tb_tiff_reader_decoded_blocks(t), overlap == 4 ? 8 : 4);
        tb_tiff_reader_close(t);
    }
    free(buf);
    free(ref);
}

static void test_refuses_what_gdal_does_differently(void **state)
{
    (void)state;
    char path[512];
    GDALDatasetH rgb = make_mem(300, 200, 3, GDT_Byte, 3);
    tmp_path(path, sizeof path, "jpeg.tif");
    write_tiff(path, rgb, "COMPRESS=JPEG TILED=YES");
    assert_null(tb_tiff_reader_open(path, 1));
    tmp_path(path, sizeof path, "ycbcr.tif");
    write_tiff(path, rgb, "COMPRESS=JPEG PHOTOMETRIC=YCBCR");
    assert_null(tb_tiff_reader_open(path, 1));
    tmp_path(path, sizeof path, "image.png");
    GDALDatasetH png = GDALCreateCopy(GDALGetDriverByName("PNG"), path, rgb, FALSE, NULL, NULL, NULL);
    assert_non_null(png);
    GDALClose(png);
    assert_null(tb_tiff_reader_open(path, 1));
    GDALClose(rgb);
    GDALDatasetH rgba = make_mem(300, 200, 4, GDT_Byte, 4);
    tmp_path(path, sizeof path, "alpha.tif");
    write_tiff(path, rgba, "PHOTOMETRIC=RGB ALPHA=YES");
    assert_null(tb_tiff_reader_open(path, 1));
    GDALClose(rgba);
    tmp_path(path, sizeof path, "no_such.tif");
    assert_null(tb_tiff_reader_open(path, 1));
    assert_int_equal(tb_error_status(), TB_OK);   /* refusals record nothing */
}

/* Windows of a tiled file, decoded in parallel, give GDAL's pixels: windows inside one
 * tile, across tile borders, on the image's last partial tiles, any band selection,
 * CONTIG and SEPARATE, on 1 and 2 threads; the tiles decoded are those the windows
 * touch; a stripped file and a window outside the image are refused with an error. */
static void test_windows_match_gdal(void **state)
{
    (void)state;
    const int tiled_cases[] = {1, 2, 4, 11, 13, 14};
    const int win[][4] = {{0, 0, 64, 64},     {256, 256, 256, 256}, {200, 230, 120, 90},
                          {936, 713, 64, 64}, {700, 500, 300, 277}, {3, 5, 1, 1},
                          {255, 0, 2, 777}};
    const int nwin = (int)(sizeof win / sizeof win[0]);
    for (size_t ci = 0; ci < sizeof tiled_cases / sizeof tiled_cases[0]; ci++) {
        const layout_case *lc = &cases[tiled_cases[ci]];
        char path[512];
        tmp_path(path, sizeof path, lc->name);
        GDALDatasetH mem = make_mem(lc->w, lc->h, lc->nb, lc->type, 77u + (uint32_t)ci);
        write_tiff(path, mem, lc->opts);
        GDALClose(mem);
        int w, h, nb, tw, th;
        float *ref = gdal_planes(path, &w, &h, &nb);
        GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
        assert_non_null(ds);
        GDALGetBlockSize(GDALGetRasterBand(ds, 1), &tw, &th);
        GDALClose(ds);
        const int separate = strstr(lc->opts, "INTERLEAVE=BAND") != NULL;
        int sel_all[4] = {1, 2, 3, 4}, sel_rev[2] = {nb, 1};
        const int *sels[2] = {sel_all, sel_rev};
        const int nsels[2] = {nb, 2};
        for (int threads = 1; threads <= 2; threads++) {
            for (int s = 0; s < 2; s++) {
                tb_tiff_reader *t = tb_tiff_reader_open(path, threads);
                assert_non_null(t);
                assert_true(tb_tiff_reader_tiled(t));
                /* One size per call, as co-registration reads them. */
                for (int k = 0; k < nwin; k++) {
                    const int cols = win[k][2], rows = win[k][3];
                    if (win[k][0] + cols > w || win[k][1] + rows > h)
                        continue;
                    int xs[3], ys[3];   /* the window and two copies shifted by a pixel */
                    int n = 0;
                    for (int d = 0; d < 3; d++) {
                        const int x = win[k][0] + (d == 1), y = win[k][1] + (d == 2);
                        if (x + cols <= w && y + rows <= h) {
                            xs[n] = x;
                            ys[n] = y;
                            n++;
                        }
                    }
                    const size_t px = (size_t)cols * rows;
                    float *buf = malloc(px * (size_t)n * (size_t)nsels[s] * sizeof *buf);
                    float *planes[12];
                    assert_non_null(buf);
                    for (int i = 0; i < n * nsels[s]; i++)
                        planes[i] = buf + px * (size_t)i;
                    const long before = tb_tiff_reader_decoded_blocks(t);
                    if (tb_tiff_reader_read_windows(t, n, xs, ys, cols, rows, sels[s], nsels[s],
                                                    planes) != 0)
                        fail_msg("%s: window %d: %s", lc->name, k, tb_error_message());
                    long tiles = 0;
                    for (int i = 0; i < n; i++)
                        tiles += (long)((xs[i] + cols - 1) / tw - xs[i] / tw + 1) *
                                 ((ys[i] + rows - 1) / th - ys[i] / th + 1);
                    const int per_tile = separate ? nsels[s] : 1;   /* a tile per band */
                    assert_int_equal(tb_tiff_reader_decoded_blocks(t) - before, tiles * per_tile);
                    for (int i = 0; i < n; i++)
                        for (int b = 0; b < nsels[s]; b++) {
                            const float *plane = ref + (size_t)w * h * (sels[s][b] - 1);
                            for (int y = 0; y < rows; y++)
                                if (memcmp(planes[i * nsels[s] + b] + (size_t)y * cols,
                                           plane + (size_t)(ys[i] + y) * w + xs[i],
                                           (size_t)cols * sizeof(float)) != 0)
                                    fail_msg("%s, %d threads: window %d at (%d, %d) band %d row "
                                             "%d differs from GDAL's",
                                             lc->name, threads, k, xs[i], ys[i], sels[s][b], y);
                        }
                    free(buf);
                }
                const int out_x = w - 10, zero = 0;
                float one[4 * 400], *p1[4] = {one, one + 400, one + 800, one + 1200};
                assert_int_equal(tb_tiff_reader_read_windows(t, 1, &out_x, &zero, 20, 20, sel_all,
                                                             1, p1), -1);
                assert_int_equal(tb_error_status(), TB_ERR_USAGE);
                assert_non_null(strstr(tb_error_message(), path));
                tb_error_clear();
                tb_tiff_reader_close(t);
            }
        }
        free(ref);
    }
    char path[512];
    tmp_path(path, sizeof path, cases[7].name);   /* stripped: rows only */
    GDALDatasetH mem = make_mem(300, 200, 4, GDT_UInt16, 5);
    write_tiff(path, mem, cases[7].opts);
    GDALClose(mem);
    tb_tiff_reader *t = tb_tiff_reader_open(path, 2);
    assert_non_null(t);
    assert_false(tb_tiff_reader_tiled(t));
    const int zero = 0, band = 1;
    float one[16], *p1[1] = {one};
    assert_int_equal(tb_tiff_reader_read_windows(t, 1, &zero, &zero, 4, 4, &band, 1, p1), -1);
    assert_int_equal(tb_error_status(), TB_ERR_USAGE);
    tb_tiff_reader_close(t);
}

/* A corrupt tile is an error naming the file, not garbage pixels. */
static void test_corrupt_tile_is_an_error(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "corrupt.tif");
    GDALDatasetH mem = make_mem(600, 600, 1, GDT_UInt16, 9);
    write_tiff(path, mem, "TILED=YES BLOCKXSIZE=256 BLOCKYSIZE=256 COMPRESS=DEFLATE");
    GDALClose(mem);
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    const char *off = GDALGetMetadataItem(GDALGetRasterBand(ds, 1), "BLOCK_OFFSET_1_1", "TIFF");
    assert_non_null(off);
    long offset = atol(off);
    GDALClose(ds);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, offset, SEEK_SET), 0);
    for (int i = 0; i < 64; i++)
        fputc(0xA5 ^ i, f);
    fclose(f);
    for (int threads = 1; threads <= 2; threads++) {
        tb_error_clear();
        tb_tiff_reader *t = tb_tiff_reader_open(path, threads);
        assert_non_null(t);
        float *buf = malloc(600 * 600 * sizeof *buf);
        float *out[1] = {buf};
        const int band = 1;
        assert_int_equal(tb_tiff_reader_read_rows(t, 0, 100, &band, 1, out), 0);
        assert_int_equal(tb_tiff_reader_read_rows(t, 200, 100, &band, 1, out), -1);
        assert_int_equal(tb_error_status(), TB_ERR_INPUT_FORMAT);
        assert_non_null(strstr(tb_error_message(), path));
        assert_non_null(strstr(tb_error_message(), "column 256, row 256"));
        tb_tiff_reader_close(t);
        free(buf);
    }
}

/* tb_raster_read_rows takes the fast path for a plain GeoTIFF with nodata, gives the
 * same planes and validity as GDAL's path, and leaves files with mask bands to GDAL. */
static void test_raster_uses_fast_path(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "nodata.tif");
    GDALDatasetH mem = make_mem(500, 400, 4, GDT_UInt16, 11);
    for (int b = 1; b <= 4; b++)
        GDALSetRasterNoDataValue(GDALGetRasterBand(mem, b), 7.0);
    uint16_t holes[40 * 10];   /* a patch of no data in band 2 */
    for (int i = 0; i < 400; i++)
        holes[i] = 7;
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(mem, 2), GF_Write, 260, 140, 40, 10, holes, 40,
                                  10, GDT_UInt16, 0, 0),
                     CE_None);
    write_tiff(path, mem, "TILED=YES BLOCKXSIZE=256 BLOCKYSIZE=256 COMPRESS=DEFLATE PREDICTOR=2");
    GDALClose(mem);

    const size_t n = 500 * 300;
    float *buf = malloc(n * 8 * sizeof *buf);
    uint8_t *valid = malloc(2 * n);
    float *fast_p[4] = {buf, buf + n, buf + 2 * n, buf + 3 * n};
    float *gdal_p[4] = {buf + 4 * n, buf + 5 * n, buf + 6 * n, buf + 7 * n};
    const int bands[3] = {2, 4, 1};
    tb_raster *a, *b;
    assert_int_equal(tb_raster_open(path, &a), TB_OK);
    assert_non_null(a->fast);
    setenv("TUBAN_NO_LIBTIFF", "1", 1);
    assert_int_equal(tb_raster_open(path, &b), TB_OK);
    assert_null(b->fast);
    unsetenv("TUBAN_NO_LIBTIFF");
    const int ranges[][2] = {{0, 260}, {252, 148}, {10, 1}, {399, 1}};
    for (int r = 0; r < 4; r++) {
        const int y0 = ranges[r][0], rows = ranges[r][1];
        const size_t k = (size_t)500 * rows;
        assert_int_equal(tb_raster_read_rows(a, y0, rows, bands, 3, fast_p, valid), TB_OK);
        assert_int_equal(tb_raster_read_rows(b, y0, rows, bands, 3, gdal_p, valid + n), TB_OK);
        for (int i = 0; i < 3; i++)
            assert_memory_equal(fast_p[i], gdal_p[i], k * sizeof(float));
        assert_memory_equal(valid, valid + n, k);
        size_t invalid = 0;
        for (size_t j = 0; j < k; j++)
            invalid += !valid[j];
        if (rows > 100)
            assert_true(invalid > 0);   /* the nodata value 7 occurs: the mask is exercised */
    }
    /* Windows: decoded in parallel on the fast path, one by one through GDAL. */
    const int xs[3] = {0, 250, 436}, ys[3] = {0, 130, 336}, nw = 3, side = 64;
    const size_t wpx = (size_t)side * side;
    float *wp_fast[9], *wp_gdal[9];
    for (int i = 0; i < 9; i++) {
        wp_fast[i] = buf + wpx * (size_t)i;
        wp_gdal[i] = buf + wpx * (size_t)(9 + i);
    }
    memset(valid, 0xAA, 2 * n);
    assert_int_equal(tb_raster_read_windows(a, nw, xs, ys, side, side, bands, 3, wp_fast, valid),
                     TB_OK);
    assert_int_equal(tb_raster_read_windows(b, nw, xs, ys, side, side, bands, 3, wp_gdal,
                                            valid + n), TB_OK);
    assert_memory_equal(buf, buf + 9 * wpx, 9 * wpx * sizeof(float));
    assert_memory_equal(valid, valid + n, 3 * wpx);
    size_t invalid = 0;
    for (size_t j = 0; j < 3 * wpx; j++)
        invalid += !valid[j];
    assert_true(invalid > 0 && invalid < 3 * wpx);
    tb_raster_close(a);
    tb_raster_close(b);

    /* An internal per-dataset mask: GDAL's business. */
    tmp_path(path, sizeof path, "mask.tif");
    mem = make_mem(300, 200, 2, GDT_UInt16, 12);
    write_tiff(path, mem, "TILED=YES COMPRESS=DEFLATE");
    GDALClose(mem);
    GDALDatasetH ds = GDALOpen(path, GA_Update);
    assert_int_equal(GDALCreateDatasetMaskBand(ds, GMF_PER_DATASET), CE_None);
    GDALClose(ds);
    assert_int_equal(tb_raster_open(path, &a), TB_OK);
    assert_null(a->fast);
    tb_raster_close(a);
    free(buf);
    free(valid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_pixels_match_gdal, clear_error),
        cmocka_unit_test_setup(test_block_rows_decoded_once, clear_error),
        cmocka_unit_test_setup(test_strips_and_chunks_decode_each_block_once, clear_error),
        cmocka_unit_test_setup(test_overlap_cuts_the_carry, clear_error),
        cmocka_unit_test_setup(test_refuses_what_gdal_does_differently, clear_error),
        cmocka_unit_test_setup(test_windows_match_gdal, clear_error),
        cmocka_unit_test_setup(test_corrupt_tile_is_an_error, clear_error),
        cmocka_unit_test_setup(test_raster_uses_fast_path, clear_error),
    };
    return cmocka_run_group_tests(tests, setup_dir, iotk_teardown_dir);
}
