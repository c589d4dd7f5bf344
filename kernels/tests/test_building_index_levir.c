/* test_building_index_levir.c: the building and shadow indices on real imagery, strip
 * by strip against the whole image: every LEVIR-CD crop of ../shared/data (256^2,
 * 0.5 m RGB, both dates), brightness = max of R, G, B, Huang & Zhang's lengths
 * 2..52. Strips of 64 rows (four seams per tile, more than a scan's 256-row strips
 * give) read with a halo of 52 rows (the longest line) and of 156 rows.
 *
 * Measured (gcc and clang, any thread count): with a halo of 52 rows the largest
 * deviation over the 22 images is 3.6 in MBI and 5.4 in MSI (the indices reach 11..20
 * on these tiles), 66 % of the pixels identical; with 156 rows 1.95 and 0.48, 98 %
 * identical. Asserted: 1.5 times the measured maxima. A halo of 0 must do worse.
 *
 * Usage: test_kernels_building_index_levir DATA_DIR   (the levir-cd-samples folder)
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gdal.h>

#include "kernels_testkit.h"
#include "tb_kernels.h"

#define STRIP_ROWS 64
#define BOUND_HALO_52_MBI 5.4
#define BOUND_HALO_52_MSI 8.1
#define BOUND_HALO_156_MBI 2.9
#define BOUND_HALO_156_MSI 0.75

static const char *g_data_dir;

/* Brightness (max of the first three bands) of `path`; sets *w, *h. */
static float *read_brightness(const char *path, int *w, int *h)
{
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    if (!ds)
        fail_msg("%s: cannot open", path);
    *w = GDALGetRasterXSize(ds);
    *h = GDALGetRasterYSize(ds);
    assert_true(GDALGetRasterCount(ds) >= 3);
    const size_t n = (size_t)*w * *h;
    float *rgb = tk_alloc(3 * n, sizeof *rgb), *b = tk_alloc(n, sizeof *b);
    if (GDALDatasetRasterIO(ds, GF_Read, 0, 0, *w, *h, rgb, *w, *h, GDT_Float32, 3, NULL, 0, 0,
                            0) != CE_None)
        fail_msg("%s: read failed", path);
    GDALClose(ds);
    for (size_t i = 0; i < n; i++) {
        const float r = rgb[i], g = rgb[n + i], bl = rgb[2 * n + i];
        b[i] = r > g ? (r > bl ? r : bl) : (g > bl ? g : bl);
    }
    free(rgb);
    return b;
}

/* Largest deviation of MBI (dev[0]) and MSI (dev[1]) of strips with `halo` rows from
 * the whole image; returns the share of identical pixels. */
static double strip_deviation(const float *b, int w, int h, int halo, const float *mbi,
                              const float *msi, double dev[2])
{
    tb_mbi_params p;
    tb_mbi_defaults(&p);
    const int cap = STRIP_ROWS + 2 * halo;
    float *sm = tk_alloc((size_t)w * cap, sizeof *sm), *ss = tk_alloc((size_t)w * cap, sizeof *ss);
    float *scratch = tk_alloc(tb_mbi_scratch_floats(w, cap < h ? cap : h, &p), sizeof *scratch);
    size_t same = 0;
    dev[0] = dev[1] = 0;
    for (int y0 = 0; y0 < h; y0 += STRIP_ROWS) {
        const int y1 = y0 + STRIP_ROWS < h ? y0 + STRIP_ROWS : h;
        const int a = y0 - halo > 0 ? y0 - halo : 0, e = y1 + halo < h ? y1 + halo : h;
        assert_int_equal(tb_building_index(b + (size_t)a * w, w, e - a, &p, sm, ss, scratch), 0);
        for (int y = y0; y < y1; y++)
            for (int x = 0; x < w; x++) {
                const size_t i = (size_t)y * w + x, j = (size_t)(y - a) * w + x;
                const double dm = fabs((double)sm[j] - mbi[i]), ds = fabs((double)ss[j] - msi[i]);
                dev[0] = dm > dev[0] ? dm : dev[0];
                dev[1] = ds > dev[1] ? ds : dev[1];
                same += dm == 0 && ds == 0;
            }
    }
    free(sm);
    free(ss);
    free(scratch);
    return (double)same / ((double)w * h);
}

static void test_levir_strip_seams(void **state)
{
    (void)state;
    static const char *const dates[2] = {"A", "B"};
    static const int halos[3] = {0, 52, 156};
    double worst[3][2] = {{0, 0}, {0, 0}, {0, 0}}, same[3] = {0, 0, 0};
    int images = 0;
    tk_set_threads(1);   /* the index is bit-identical at any thread count */
    for (int d = 0; d < 2; d++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", g_data_dir, dates[d]);
        DIR *dh = opendir(dir);
        if (!dh)
            fail_msg("%s: cannot open the folder", dir);
        struct dirent *ent;
        while ((ent = readdir(dh)) != NULL) {
            const size_t len = strlen(ent->d_name);
            if (len < 5 || strcmp(ent->d_name + len - 4, ".png") != 0)
                continue;
            char path[4400];
            snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
            int w, h;
            float *b = read_brightness(path, &w, &h);
            const size_t n = (size_t)w * h;
            float *mbi = tk_alloc(n, sizeof *mbi), *msi = tk_alloc(n, sizeof *msi);
            tb_mbi_params p;
            tb_mbi_defaults(&p);
            float *scratch = tk_alloc(tb_mbi_scratch_floats(w, h, &p), sizeof *scratch);
            assert_int_equal(tb_building_index(b, w, h, &p, mbi, msi, scratch), 0);
            for (int k = 0; k < 3; k++) {
                double dev[2];
                same[k] += strip_deviation(b, w, h, halos[k], mbi, msi, dev);
                worst[k][0] = dev[0] > worst[k][0] ? dev[0] : worst[k][0];
                worst[k][1] = dev[1] > worst[k][1] ? dev[1] : worst[k][1];
            }
            images++;
            free(scratch);
            free(b);
            free(mbi);
            free(msi);
        }
        closedir(dh);
    }
    assert_true(images >= 2);
    for (int k = 0; k < 3; k++)
        print_message("LEVIR-CD, %d images, strips of %d rows, halo %3d: max |dMBI| %.3f, "
                      "max |dMSI| %.3f, %.1f %% of pixels identical\n",
                      images, STRIP_ROWS, halos[k], worst[k][0], worst[k][1],
                      100.0 * same[k] / images);
    assert_true(worst[1][0] <= BOUND_HALO_52_MBI && worst[1][1] <= BOUND_HALO_52_MSI);
    assert_true(worst[2][0] <= BOUND_HALO_156_MBI && worst[2][1] <= BOUND_HALO_156_MSI);
    assert_true(same[0] < same[1] && same[1] < same[2]);
    assert_true(worst[0][0] > worst[1][0]);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s LEVIR_CD_SAMPLES_DIR\n", argv[0]);
        return 2;
    }
    g_data_dir = argv[1];
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levir_strip_seams),
    };
    return cmocka_run_group_tests_name("kernels_building_index_levir", tests, NULL, NULL);
}
