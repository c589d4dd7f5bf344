/* test_synth.c: unit tests of the synthetic-pair generator (testdata/).
 *
 * The group setup generates three small pairs under TB_SYNTH_TEST_DIR: two with the
 * same seed (one with 2 threads, one with 1) and one with another seed. The tests
 * then read them back through GDAL/OGR and check determinism, the truth polygons
 * against the mask, the radiometric relation between the dates, the file metadata,
 * and the failure paths (bad parameters, unwritable directory, cancellation).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <omp.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "synth_internal.h"
#include "tb_synth.h"

#ifndef TB_SYNTH_TEST_DIR
#error "TB_SYNTH_TEST_DIR must name a scratch directory"
#endif

#define W 448
#define H 384

/* One generated pair read back into memory. */
typedef struct pair {
    char dir[512];
    tb_synth_params p;
    tb_synth_summary sum;
    uint16_t *before, *after; /* W * H * 4, pixel-interleaved */
    uint8_t *mask;
} pair;

typedef struct fixture {
    pair a, b, c;
} fixture;

/* "dir/name". */
static void path_of(char *out, size_t n, const char *dir, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

/* Reads a whole raster (bands pixel-interleaved) into a new buffer. */
static void *read_raster(const char *dir, const char *name, int bands, GDALDataType type)
{
    char path[600];
    path_of(path, sizeof path, dir, name);
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    assert_non_null(ds);
    assert_int_equal(GDALGetRasterXSize(ds), W);
    assert_int_equal(GDALGetRasterYSize(ds), H);
    assert_int_equal(GDALGetRasterCount(ds), bands);
    int size = GDALGetDataTypeSizeBytes(type);
    void *buf = malloc((size_t)W * H * bands * size);
    assert_non_null(buf);
    assert_int_equal(GDALDatasetRasterIOEx(ds, GF_Read, 0, 0, W, H, buf, W, H, type, bands, NULL,
                                           (GSpacing)size * bands, (GSpacing)size * bands * W, size, NULL),
                     CE_None);
    GDALClose(ds);
    return buf;
}

/* Generates a pair with `threads` OpenMP threads and reads it back; 0 on success. */
static int make_pair(pair *q, const char *name, uint64_t seed, int threads)
{
    snprintf(q->dir, sizeof q->dir, "%s/%s", TB_SYNTH_TEST_DIR, name);
    tb_synth_defaults(&q->p, 0, seed);
    q->p.width = W;
    q->p.height = H;
    omp_set_num_threads(threads);
    tb_error_clear();
    tb_status st = tb_synth_run(q->dir, &q->p, &q->sum);
    omp_set_num_threads(2);
    if (st != TB_OK) {
        fprintf(stderr, "tb_synth_run: %s\n", tb_error_message());
        return -1;
    }
    q->before = read_raster(q->dir, "before.tif", 4, GDT_UInt16);
    q->after = read_raster(q->dir, "after.tif", 4, GDT_UInt16);
    q->mask = read_raster(q->dir, "truth_mask.tif", 1, GDT_Byte);
    return 0;
}

/* Frees what make_pair() read. */
static void free_pair(pair *q)
{
    free(q->before);
    free(q->after);
    free(q->mask);
}

/* Generates pairs a and b (seed 7, 2 and 1 threads) and c (seed 8). */
static int setup(void **state)
{
    GDALAllRegister();
    fixture *f = calloc(1, sizeof *f);
    if (!f || make_pair(&f->a, "a", 7, 2) || make_pair(&f->b, "b", 7, 1) || make_pair(&f->c, "c", 8, 2))
        return -1;
    *state = f;
    return 0;
}

/* Frees the fixture (the files stay for inspection). */
static int teardown(void **state)
{
    fixture *f = *state;
    free_pair(&f->a);
    free_pair(&f->b);
    free_pair(&f->c);
    free(f);
    return 0;
}

/* 1 when two files have the same bytes. */
static int same_file(const char *d1, const char *d2, const char *name)
{
    char p1[600], p2[600];
    path_of(p1, sizeof p1, d1, name);
    path_of(p2, sizeof p2, d2, name);
    FILE *f1 = fopen(p1, "rb"), *f2 = fopen(p2, "rb");
    int same = f1 && f2;
    while (same) {
        int c1 = fgetc(f1), c2 = fgetc(f2);
        if (c1 != c2)
            same = 0;
        if (c1 == EOF || c2 == EOF)
            break;
    }
    if (f1)
        fclose(f1);
    if (f2)
        fclose(f2);
    return same;
}

/* Same seed, 2 threads vs 1: same pixels and same bytes in every file. */
static void test_same_seed_same_files(void **state)
{
    fixture *f = *state;
    size_t n = (size_t)W * H * 4;
    assert_memory_equal(f->a.before, f->b.before, n * 2);
    assert_memory_equal(f->a.after, f->b.after, n * 2);
    assert_memory_equal(f->a.mask, f->b.mask, (size_t)W * H);
    const char *names[] = {"before.tif", "after.tif", "truth_mask.tif", "truth.geojson"};
    for (int k = 0; k < 4; k++)
        assert_true(same_file(f->a.dir, f->b.dir, names[k]));
    assert_int_equal(f->a.sum.n_structures, f->b.sum.n_structures);
}

/* Another seed gives other pixels. */
static void test_other_seed_differs(void **state)
{
    fixture *f = *state;
    size_t n = (size_t)W * H * 4, differ = 0;
    for (size_t k = 0; k < n; k++)
        differ += f->a.before[k] != f->c.before[k];
    assert_true(differ > n / 2);
}

/* The counts are sensible for the area: ~1 structure per 3000 m^2. */
static void test_counts(void **state)
{
    fixture *f = *state;
    double area = W * H * 0.64;
    assert_true(f->a.sum.n_structures >= (int)(0.8 * area / 3000));
    assert_true(f->a.sum.n_structures <= (int)(1.0 * area / 3000) + 1);
    assert_true(f->a.sum.n_cars_before > 0 && f->a.sum.n_cars_after > 0);
    long long ones = 0;
    for (size_t k = 0; k < (size_t)W * H; k++) {
        assert_true(f->a.mask[k] <= 1);
        ones += f->a.mask[k];
    }
    assert_int_equal(ones, f->a.sum.truth_pixels);
    /* Mask area vs polygon area: within half a pixel along every edge. */
    double perimeter_bound = f->a.sum.n_structures * 4 * 40.0;
    assert_true(fabs(ones * 0.64 - f->a.sum.truth_area_m2) < 0.4 * perimeter_bound);
    assert_true(fabs(ones * 0.64 - f->a.sum.truth_area_m2) < 0.05 * f->a.sum.truth_area_m2);
}

/* truth.geojson: one valid polygon per structure, inside the extent, not overlapping;
 * rasterised at pixel centres it is the mask, pixel for pixel. */
static void test_truth_polygons(void **state)
{
    fixture *f = *state;
    char path[600];
    path_of(path, sizeof path, f->a.dir, "truth.geojson");
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
    assert_non_null(layer);
    int n = (int)OGR_L_GetFeatureCount(layer, TRUE);
    assert_int_equal(n, f->a.sum.n_structures);
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
    assert_non_null(srs);
    assert_string_equal(OSRGetAuthorityCode(srs, NULL), "4548");

    const tb_synth_params *p = &f->a.p;
    double x0 = p->origin_x, x1 = p->origin_x + W * p->pixel_size;
    double y1 = p->origin_y, y0 = p->origin_y - H * p->pixel_size;
    OGRGeometryH *geoms = calloc((size_t)n, sizeof *geoms);
    assert_non_null(geoms);
    OGR_L_ResetReading(layer);
    OGRFeatureH feat;
    int k = 0;
    double area_sum = 0;
    while ((feat = OGR_L_GetNextFeature(layer)) != NULL) {
        OGRGeometryH g = OGR_F_GetGeometryRef(feat);
        assert_int_equal(wkbFlatten(OGR_G_GetGeometryType(g)), wkbPolygon);
        assert_true(OGR_G_IsValid(g));
        OGREnvelope env;
        OGR_G_GetEnvelope(g, &env);
        assert_true(env.MinX > x0 && env.MaxX < x1 && env.MinY > y0 && env.MaxY < y1);
        double area = OGR_G_Area(g);
        assert_true(fabs(area - OGR_F_GetFieldAsDouble(feat, OGR_F_GetFieldIndex(feat, "area_m2"))) < 1e-6);
        assert_true(area >= 16.0 - 1e-9 && area <= 1600.0 + 1e-9);
        area_sum += area;
        const char *shape = OGR_F_GetFieldAsString(feat, OGR_F_GetFieldIndex(feat, "shape"));
        const char *roof = OGR_F_GetFieldAsString(feat, OGR_F_GetFieldIndex(feat, "roof"));
        assert_true(!strcmp(shape, "rect") || !strcmp(shape, "L"));
        assert_true(!strcmp(roof, "white") || !strcmp(roof, "blue") || !strcmp(roof, "grey"));
        assert_int_equal(OGR_F_GetFieldAsInteger(feat, OGR_F_GetFieldIndex(feat, "id")), k + 1);
        geoms[k++] = OGR_G_Clone(g);
        OGR_F_Destroy(feat);
    }
    assert_int_equal(k, n);
    assert_true(fabs(area_sum - f->a.sum.truth_area_m2) < 1e-3);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            assert_false(OGR_G_Intersects(geoms[i], geoms[j]));

    /* Rasterise with GDAL (pixel-centre rule) and compare with the mask. */
    GDALDatasetH mem = GDALCreate(GDALGetDriverByName("MEM"), "", W, H, 1, GDT_Byte, NULL);
    double gt[6] = {p->origin_x, p->pixel_size, 0, p->origin_y, 0, -p->pixel_size};
    GDALSetGeoTransform(mem, gt);
    int band = 1;
    double *burn = malloc((size_t)n * sizeof *burn);
    for (int i = 0; i < n; i++)
        burn[i] = 1;
    assert_int_equal(GDALRasterizeGeometries(mem, 1, &band, n, geoms, NULL, NULL, burn, NULL, NULL, NULL),
                     CE_None);
    uint8_t *r = malloc((size_t)W * H);
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(mem, 1), GF_Read, 0, 0, W, H, r, W, H, GDT_Byte, 0, 0),
                     CE_None);
    size_t mismatch = 0;
    for (size_t i = 0; i < (size_t)W * H; i++)
        mismatch += r[i] != f->a.mask[i];
    assert_int_equal(mismatch, 0);
    free(r);
    free(burn);
    GDALClose(mem);
    for (int i = 0; i < n; i++)
        OGR_G_DestroyGeometry(geoms[i]);
    free(geoms);
    GDALClose(ds);
}

/* qsort order of doubles. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Unchanged pixels follow after = gain * before + offset (up to noise and the
 * seasonal change); structures break it. */
static void test_dates_relation(void **state)
{
    fixture *f = *state;
    const tb_synth_params *p = &f->a.p;
    size_t npx = (size_t)W * H;
    double *ratio = malloc(npx * sizeof *ratio);
    assert_non_null(ratio);
    for (int b = 0; b < 4; b++) {
        size_t n = 0;
        double in_sum = 0, out_sum = 0;
        size_t in_n = 0, out_n = 0;
        for (size_t k = 0; k < npx; k++) {
            double bef = f->a.before[4 * k + b], aft = f->a.after[4 * k + b];
            double pred = p->gain[b] * bef + p->offset[b];
            double rel = fabs(aft - pred) / pred;
            if (f->a.mask[k]) {
                in_sum += rel;
                in_n++;
            } else {
                out_sum += rel;
                out_n++;
                ratio[n++] = (aft - p->offset[b]) / bef;
            }
        }
        qsort(ratio, n, sizeof *ratio, cmp_double);
        double median = ratio[n / 2];
        assert_true(fabs(median - p->gain[b]) < 0.02);
        assert_true(in_n > 0);
        /* Mean relative change: large on new roofs, a few percent elsewhere. */
        assert_true(out_sum / out_n < 0.06);
        assert_true(in_sum / in_n > 4 * (out_sum / out_n));
    }
    free(ratio);
    /* Values stay in the 12-bit range and are not all saturated. */
    size_t high = 0;
    for (size_t k = 0; k < npx * 4; k++) {
        assert_true(f->a.before[k] >= 1 && f->a.before[k] <= 4095);
        high += f->a.after[k] >= 4095;
    }
    assert_true(high < npx / 1000);
}

/* Grid, CRS, tiling, band names and dates of the rasters. */
static void test_metadata(void **state)
{
    fixture *f = *state;
    char path[600];
    path_of(path, sizeof path, f->a.dir, "after.tif");
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    assert_non_null(ds);
    double gt[6];
    assert_int_equal(GDALGetGeoTransform(ds, gt), CE_None);
    assert_true(gt[0] == 470000.0 && gt[1] == 0.8 && gt[3] == 4420000.0 && gt[5] == -0.8 && gt[2] == 0 && gt[4] == 0);
    const OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
    assert_non_null(srs);
    assert_string_equal(OSRGetAuthorityCode(srs, NULL), "4548");
    assert_string_equal(GDALGetMetadataItem(ds, "ACQUISITIONDATETIME", "IMAGERY"), "2026-06-14T02:30:00Z");
    assert_string_equal(GDALGetMetadataItem(ds, "TIFFTAG_DATETIME", NULL), "2026:06:14 02:30:00");
    assert_string_equal(GDALGetMetadataItem(ds, "COMPRESSION", "IMAGE_STRUCTURE"), "DEFLATE");
    assert_string_equal(GDALGetMetadataItem(ds, "PREDICTOR", "IMAGE_STRUCTURE"), "2");
    const char *names[4] = {"Blue", "Green", "Red", "NIR"};
    for (int b = 0; b < 4; b++) {
        GDALRasterBandH band = GDALGetRasterBand(ds, b + 1);
        assert_string_equal(GDALGetDescription(band), names[b]);
        assert_int_equal(GDALGetRasterDataType(band), GDT_UInt16);
        int bx, by;
        GDALGetBlockSize(band, &bx, &by);
        assert_int_equal(bx, 256);
        assert_int_equal(by, 256);
    }
    GDALClose(ds);
    path_of(path, sizeof path, f->a.dir, "before.tif");
    ds = GDALOpen(path, GA_ReadOnly);
    assert_non_null(ds);
    assert_string_equal(GDALGetMetadataItem(ds, "ACQUISITIONDATETIME", "IMAGERY"), "2026-05-03T02:30:00Z");
    GDALClose(ds);
}

/* Number of entries (other than . and ..) in a directory; -1 when it does not exist. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

/* A progress callback that cancels once a third of the rows are rendered. */
static int cancel_midway(double done, const char *stage, void *user)
{
    (void)user;
    return !(done > 0.3 && !strcmp(stage, "rendering"));
}

/* Bad parameters, an unwritable directory and a cancelled run fail cleanly. */
static void test_failures(void **state)
{
    (void)state;
    tb_synth_params p;
    tb_synth_defaults(&p, 0, 1);
    tb_error_clear();
    assert_int_equal(tb_synth_run(TB_SYNTH_TEST_DIR "/bad", &p, NULL), TB_ERR_USAGE);
    assert_non_null(strstr(tb_error_message(), "0x0"));

    tb_synth_defaults(&p, 64, 1);
    p.compress = "LZMA";
    tb_error_clear();
    assert_int_equal(tb_synth_run(TB_SYNTH_TEST_DIR "/bad", &p, NULL), TB_ERR_USAGE);

    tb_synth_defaults(&p, 64, 1);
    tb_error_clear();
    assert_int_equal(tb_synth_run("/proc/tuban-synth-test/x", &p, NULL), TB_ERR_OUTPUT);
    assert_non_null(strstr(tb_error_message(), "/proc/tuban-synth-test/x"));
    assert_null(strchr(tb_error_message(), '\n'));

    /* Cancelled in the middle: no file left behind, not even a temporary one. */
    tb_synth_defaults(&p, 1024, 1);
    p.height = 1024;
    p.progress = cancel_midway;
    tb_error_clear();
    assert_int_equal(tb_synth_run(TB_SYNTH_TEST_DIR "/cancelled", &p, NULL), TB_ERR_CANCELLED);
    assert_int_equal(count_entries(TB_SYNTH_TEST_DIR "/cancelled"), 0);
    tb_error_clear();
}

/* Footprints: outline, area, point-in-footprint and the shadow sweep agree. */
static void test_shapes(void **state)
{
    (void)state;
    tb_synth_shape sh = {100, 200, cos(0.3), sin(0.3), 10, 6, 4, 3};
    double xy[12];
    int n = tb_synth_shape_ring(&sh, xy);
    assert_int_equal(n, 6);
    double a2 = 0;
    for (int k = 0; k < n; k++) {
        int m = (k + 1) % n;
        a2 += xy[2 * k] * xy[2 * m + 1] - xy[2 * m] * xy[2 * k + 1];
    }
    /* Counter-clockwise on a north-up map = negative here (y grows southwards). */
    assert_true(a2 < 0);
    assert_true(fabs(-a2 / 2 - tb_synth_shape_area(&sh)) < 1e-9);
    assert_true(fabs(tb_synth_shape_area(&sh) - (20 * 12 - 12)) < 1e-9);
    /* Monte Carlo: the inside fraction of the box matches the area. */
    double box[4];
    tb_synth_shape_box(&sh, 0, 0, box);
    int inside = 0, total = 200000;
    uint64_t st = 12345;
    for (int k = 0; k < total; k++) {
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(st >> 11) * 0x1.0p-53;
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        double v = (double)(st >> 11) * 0x1.0p-53;
        double x = box[0] + u * (box[2] - box[0]), y = box[1] + v * (box[3] - box[1]);
        int in = tb_synth_shape_contains(&sh, x, y);
        inside += in;
        /* Inside the footprint implies inside its sweep; the sweep of a zero vector is it. */
        if (in)
            assert_true(tb_synth_shape_in_sweep(&sh, -3, -4, x, y));
        assert_int_equal(tb_synth_shape_in_sweep(&sh, 0, 0, x, y), in);
        /* A point in the sweep but not inside lies on the segment from a footprint
         * point: walk towards the sun (a footprint grown by 2 cm absorbs the steps). */
        if (!in && tb_synth_shape_in_sweep(&sh, -3, -4, x, y)) {
            tb_synth_shape grown = sh;
            grown.hu += 0.02;
            grown.hv += 0.02;
            grown.nu -= 0.02;
            grown.nv -= 0.02;
            int hit = 0;
            for (int t = 0; t <= 500 && !hit; t++)
                hit = tb_synth_shape_contains(&grown, x + 3.0 * t / 500, y + 4.0 * t / 500);
            assert_true(hit);
        }
    }
    double est = (double)inside / total * (box[2] - box[0]) * (box[3] - box[1]);
    assert_true(fabs(est - tb_synth_shape_area(&sh)) < 0.02 * tb_synth_shape_area(&sh));
}

/* Structure counts scale with the area: ~220 at 1024^2 (scene layout only). */
static void test_count_scaling(void **state)
{
    (void)state;
    tb_synth_params p;
    tb_synth_defaults(&p, 1024, 3);
    tb_synth_scene s;
    tb_error_clear();
    assert_int_equal(tb_synth_scene_build(&s, &p), TB_OK);
    assert_true(s.n_structures >= 200 && s.n_structures <= 224);
    for (int i = 0; i < s.n_obj; i++) {
        const tb_synth_object *o = &s.obj[i];
        if (o->kind != TB_SYNTH_OBJ_STRUCTURE)
            continue;
        /* 4-40 m a side. */
        double xy[12];
        int n = tb_synth_shape_ring(&o->shape, xy);
        for (int k = 0; k < n; k++) {
            int m = (k + 1) % n;
            double len = hypot(xy[2 * m] - xy[2 * k], xy[2 * m + 1] - xy[2 * k + 1]);
            assert_true(len >= 4.0 - 1e-9 && len <= 40.0 + 1e-9);
        }
    }
    tb_synth_scene_free(&s);
}

/* Demolitions: the same seed with n_removed = 6 (this small scene has fewer existing
 * buildings of 20 m^2 or more inside it: all of them go) keeps the before-image and the
 * new structures, adds truth features of kind "removed" (ids after the structures) and
 * mask value 2 where their roofs stood, and changes the after-image only outside the
 * new structures. */
static void test_demolitions(void **state)
{
    fixture *f = *state;
    pair d;
    snprintf(d.dir, sizeof d.dir, "%s/d", TB_SYNTH_TEST_DIR);
    tb_synth_defaults(&d.p, 0, 7);
    d.p.width = W;
    d.p.height = H;
    d.p.n_removed = 6;
    tb_error_clear();
    assert_int_equal(tb_synth_run(d.dir, &d.p, &d.sum), TB_OK);
    assert_true(d.sum.n_removed >= 1 && d.sum.n_removed <= 6);
    assert_int_equal(d.sum.n_structures, f->a.sum.n_structures);
    d.before = read_raster(d.dir, "before.tif", 4, GDT_UInt16);
    d.after = read_raster(d.dir, "after.tif", 4, GDT_UInt16);
    d.mask = read_raster(d.dir, "truth_mask.tif", 1, GDT_Byte);
    assert_memory_equal(d.before, f->a.before, (size_t)W * H * 4 * sizeof *d.before);
    long long twos = 0, changed = 0;
    for (size_t i = 0; i < (size_t)W * H; i++) {
        assert_int_equal(d.mask[i] == 1, f->a.mask[i] == 1);
        twos += d.mask[i] == 2;
        int differs = memcmp(d.after + 4 * i, f->a.after + 4 * i, 4 * sizeof *d.after) != 0;
        changed += differs;
        if (differs)
            assert_int_not_equal(d.mask[i], 1);
    }
    assert_true(twos > 0);
    assert_int_equal(twos, d.sum.removed_pixels);
    assert_true(changed >= twos * 9 / 10);

    char path[600];
    path_of(path, sizeof path, d.dir, "truth.geojson");
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
    OGRFeatureH feat;
    int removed = 0, n = 0;
    while ((feat = OGR_L_GetNextFeature(layer)) != NULL) {
        n++;
        const char *kind = OGR_F_GetFieldAsString(feat, OGR_F_GetFieldIndex(feat, "kind"));
        int id = OGR_F_GetFieldAsInteger(feat, OGR_F_GetFieldIndex(feat, "id"));
        if (!strcmp(kind, "removed")) {
            removed++;
            assert_int_equal(id, d.sum.n_structures + removed);
        } else {
            assert_string_equal(kind, "new");
            assert_true(id <= d.sum.n_structures);
        }
        OGR_F_Destroy(feat);
    }
    GDALClose(ds);
    assert_int_equal(removed, d.sum.n_removed);
    assert_int_equal(n, d.sum.n_structures + d.sum.n_removed);
    free_pair(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_files),
        cmocka_unit_test(test_other_seed_differs),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_truth_polygons),
        cmocka_unit_test(test_dates_relation),
        cmocka_unit_test(test_metadata),
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_count_scaling),
        cmocka_unit_test(test_demolitions),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
