/* test_config.c: unit tests of the config module (tb_config.h).
 *
 * The documented defaults, a complete good file, the reader's tolerances (BOM, CRLF,
 * comments, quotes, a 4096-byte line), one fixture per error class with the exact
 * "PATH:LINE: reason" message and a check that the struct is unchanged after the error,
 * tb_config_set overrides and errors, tb_config_validate, the round trip through
 * tb_config_to_ini, the help text, and that config/scan.ini.example and docs/config.md
 * list every key with its default. Fixtures live in TB_TEST_DATA_DIR; files written
 * by the tests go to TB_TEST_OUT_DIR (the build tree).
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

#include "tb_config.h"

#define DATA(file) TB_TEST_DATA_DIR "/" file

/* Every key, as "section.key", with its documented default, in table order (kept by hand
 * on purpose: the tests must notice a key that disappears from the table or the docs). */
static const struct {
    const char *key;
    const char *def; /* as written in docs/config.md and the help */
} documented[] = {
    {"input.pixel_size", "0"},          {"input.bands", "\"\""},
    {"input.sensor", "\"auto\""},       {"input.blue_band", "0"},
    {"input.green_band", "0"},          {"input.red_band", "0"},
    {"input.nir_band", "0"},
    {"align.crs", "\"\""},              {"align.pixel_size", "0"},
    {"align.before_crs", "\"\""},       {"align.after_crs", "\"\""},
    {"align.resampling", "\"bilinear\""},   {"align.dem", "\"\""},
    {"align.rpc_height", "0"},          {"coreg.enabled", "true"},
    {"coreg.window", "256"},            {"coreg.max_windows", "64"},
    {"coreg.max_shift_px", "20"},       {"coreg.max_spread_px", "1"},
    {"coreg.warn_only", "false"},
    {"cases.store", "\"\""},            {"cases.grid_layer", "\"\""},
    {"cases.grid_code_field", "\"grid_code\""}, {"cases.street_field", "\"street\""},
    {"cases.community_field", "\"community\""}, {"cases.permit_layers", "\"\""},
    {"cases.existing_layers", "\"\""},  {"cases.event_code", "\"0101\""},
    {"cases.reopen_growth", "1.5"},
    {"detect.threshold", "auto"},       {"detect.threshold_floor", "4.0"},
    {"detect.hysteresis_low", "1.0"},   {"detect.normalise", "true"},       {"detect.sample_pixels", "1048576"},
    {"detect.method", "\"auto\""},
    {"vhr.max_pixel_m", "1.0"},
    {"vhr.sigma_m", "0.75"},
    {"vhr.grey_box_m", "2.5"},
    {"vhr.grey_k", "0.25"},
    {"vhr.open_m", "2.5"},
    {"vhr.road_length_m", "35"},
    {"vhr.road_width_m", "14"},
    {"vhr.shadow_factor", "0.6"},
    {"vhr.sun_azimuth_deg", "-1"},
    {"vhr.sun_roof_k", "0.5"},
    {"vhr.sun_distance_m", "2"},
    {"vhr.shadow_band_m", "3"},
    {"vhr.min_adjacency", "0.1"},
    {"vhr.ncc_box_m", "4"},
    {"vhr.max_ncc", "0.3"},
    {"vhr.min_rise", "0"},
    {"vhr.min_area_m2", "50"},
    {"vhr.close_m", "1"},
    {"evidence.brightness_weight", "1.0"}, {"evidence.vegetation_weight", "1.0"},
    {"evidence.shadow_weight", "1.0"},  {"evidence.mbi_weight", "1.0"},
    {"evidence.vegetation", "true"},    {"evidence.ndvi_min", "0.3"},
    {"evidence.greenness_min", "0"},    {"evidence.water", "true"},
    {"evidence.ndwi_min", "0.2"},       {"evidence.shadow_ratio", "0.5"},
    {"evidence.mask_explained", "false"}, {"evidence.mbi", "false"},
    {"evidence.mbi_length_min_m", "2"}, {"evidence.mbi_length_max_m", "30"},
    {"evidence.mbi_length_step_m", "4"}, {"evidence.msi_min", "0"},
    {"evidence.ring_m", "3"},
    {"evidence.ring_weight", "16"},
    {"morphology.open_radius", "1"},    {"morphology.close_radius", "1"},
    {"filter.min_area_m2", "20"},       {"filter.max_area_m2", "0"},
    {"filter.min_confidence", "0"},
    {"confidence.bias", "-7.5"},        {"confidence.score", "0.0"},
    {"confidence.rectangularity", "2.0"}, {"confidence.solidity", "1.0"},
    {"confidence.area", "1.0"},         {"confidence.direction", "3.0"},
    {"confidence.shadow", "4.0"},       {"confidence.explained", "-4.0"},
    {"confidence.mbi", "1.0"},
    {"output.gpkg", "true"},            {"output.geojson", "true"},
    {"output.mask", "true"},            {"scan.threads", "0"},
    {"scan.strip_rows", "256"},         {"eval.iou", "0.3"},
    {"eval.min_area_m2", "0"},          {"eval.kinds", "\"all\""},
};
#define N_KEYS (sizeof documented / sizeof documented[0])

static const char *const all_sections[] = {"input",  "align",      "coreg",  "detect", "vhr",
                                           "evidence", "morphology", "filter", "confidence",
                                           "output", "scan",       "cases",  "eval"};

/* Field-by-field equality (the struct has padding, so memcmp of two separately built
 * structs would compare garbage). */
static void assert_config_equal(const tb_config *a, const tb_config *b)
{
    assert_true(a->pixel_size == b->pixel_size);
    assert_string_equal(a->bands, b->bands);
    assert_string_equal(a->sensor, b->sensor);
    assert_int_equal(a->blue_band, b->blue_band);
    assert_int_equal(a->green_band, b->green_band);
    assert_int_equal(a->red_band, b->red_band);
    assert_int_equal(a->nir_band, b->nir_band);
    assert_true(a->brightness_weight == b->brightness_weight);
    assert_true(a->vegetation_weight == b->vegetation_weight);
    assert_true(a->shadow_weight == b->shadow_weight);
    assert_true(a->mbi_weight == b->mbi_weight);
    assert_int_equal(a->vegetation, b->vegetation);
    assert_true(a->ndvi_min == b->ndvi_min);
    assert_true(a->greenness_min == b->greenness_min);
    assert_int_equal(a->water, b->water);
    assert_true(a->ndwi_min == b->ndwi_min);
    assert_true(a->shadow_ratio == b->shadow_ratio);
    assert_int_equal(a->mask_explained, b->mask_explained);
    assert_int_equal(a->mbi, b->mbi);
    assert_true(a->mbi_length_min_m == b->mbi_length_min_m);
    assert_true(a->mbi_length_max_m == b->mbi_length_max_m);
    assert_true(a->mbi_length_step_m == b->mbi_length_step_m);
    assert_true(a->ring_m == b->ring_m);
    assert_true(a->msi_min == b->msi_min);
    assert_true(a->ring_weight == b->ring_weight);
    assert_true(a->min_confidence == b->min_confidence);
    assert_true(a->conf_bias == b->conf_bias);
    assert_true(a->conf_score == b->conf_score);
    assert_true(a->conf_rectangularity == b->conf_rectangularity);
    assert_true(a->conf_solidity == b->conf_solidity);
    assert_true(a->conf_area == b->conf_area);
    assert_true(a->conf_direction == b->conf_direction);
    assert_true(a->conf_shadow == b->conf_shadow);
    assert_true(a->conf_explained == b->conf_explained);
    assert_true(a->conf_mbi == b->conf_mbi);
    assert_string_equal(a->method, b->method);
    assert_true(a->vhr_max_pixel_m == b->vhr_max_pixel_m);
    assert_true(a->vhr_sigma_m == b->vhr_sigma_m);
    assert_true(a->vhr_grey_box_m == b->vhr_grey_box_m);
    assert_true(a->vhr_grey_k == b->vhr_grey_k);
    assert_true(a->vhr_open_m == b->vhr_open_m);
    assert_true(a->vhr_road_length_m == b->vhr_road_length_m);
    assert_true(a->vhr_road_width_m == b->vhr_road_width_m);
    assert_true(a->vhr_shadow_factor == b->vhr_shadow_factor);
    assert_true(a->vhr_sun_azimuth_deg == b->vhr_sun_azimuth_deg);
    assert_true(a->vhr_sun_roof_k == b->vhr_sun_roof_k);
    assert_true(a->vhr_sun_distance_m == b->vhr_sun_distance_m);
    assert_true(a->vhr_shadow_band_m == b->vhr_shadow_band_m);
    assert_true(a->vhr_min_adjacency == b->vhr_min_adjacency);
    assert_true(a->vhr_ncc_box_m == b->vhr_ncc_box_m);
    assert_true(a->vhr_max_ncc == b->vhr_max_ncc);
    assert_true(a->vhr_min_rise == b->vhr_min_rise);
    assert_true(a->vhr_min_area_m2 == b->vhr_min_area_m2);
    assert_true(a->vhr_close_m == b->vhr_close_m);
    assert_string_equal(a->eval_kinds, b->eval_kinds);
    assert_string_equal(a->crs, b->crs);
    assert_true(a->target_pixel_size == b->target_pixel_size);
    assert_string_equal(a->before_crs, b->before_crs);
    assert_string_equal(a->after_crs, b->after_crs);
    assert_string_equal(a->resampling, b->resampling);
    assert_string_equal(a->dem, b->dem);
    assert_true(a->rpc_height == b->rpc_height);
    assert_int_equal(a->coreg, b->coreg);
    assert_int_equal(a->coreg_window, b->coreg_window);
    assert_int_equal(a->coreg_max_windows, b->coreg_max_windows);
    assert_true(a->coreg_max_shift == b->coreg_max_shift);
    assert_int_equal(a->coreg_warn_only, b->coreg_warn_only);
    assert_string_equal(a->store, b->store);
    assert_string_equal(a->grid_layer, b->grid_layer);
    assert_string_equal(a->grid_code_field, b->grid_code_field);
    assert_string_equal(a->street_field, b->street_field);
    assert_string_equal(a->community_field, b->community_field);
    assert_string_equal(a->permit_layers, b->permit_layers);
    assert_string_equal(a->existing_layers, b->existing_layers);
    assert_string_equal(a->event_code, b->event_code);
    assert_true(a->reopen_growth == b->reopen_growth);
    assert_int_equal(a->threshold_auto, b->threshold_auto);
    assert_true(a->threshold == b->threshold);
    assert_true(a->threshold_floor == b->threshold_floor);
    assert_true(a->hysteresis_low == b->hysteresis_low);
    assert_int_equal(a->normalise, b->normalise);
    assert_int_equal(a->sample_pixels, b->sample_pixels);
    assert_int_equal(a->open_radius, b->open_radius);
    assert_int_equal(a->close_radius, b->close_radius);
    assert_true(a->min_area_m2 == b->min_area_m2);
    assert_true(a->max_area_m2 == b->max_area_m2);
    assert_int_equal(a->write_gpkg, b->write_gpkg);
    assert_int_equal(a->write_geojson, b->write_geojson);
    assert_int_equal(a->write_mask, b->write_mask);
    assert_int_equal(a->threads, b->threads);
    assert_int_equal(a->strip_rows, b->strip_rows);
    assert_true(a->eval_iou == b->eval_iou);
    assert_true(a->eval_min_area_m2 == b->eval_min_area_m2);
}

/* The values good.ini sets. */
static void assert_good_values(const tb_config *c)
{
    assert_true(c->pixel_size == 0.5);
    assert_string_equal(c->bands, "3,1,2");
    assert_string_equal(c->sensor, "bgrn");
    assert_int_equal(c->blue_band, 3);
    assert_int_equal(c->green_band, 2);
    assert_int_equal(c->red_band, 1);
    assert_int_equal(c->nir_band, 4);
    assert_true(c->brightness_weight == 0.5);
    assert_true(c->vegetation_weight == 2.0);
    assert_true(c->shadow_weight == 0.25);
    assert_true(c->mbi_weight == 3.0);
    assert_int_equal(c->vegetation, 0);
    assert_true(c->ndvi_min == 0.4);
    assert_true(c->greenness_min == 0.1);
    assert_int_equal(c->water, 0);
    assert_true(c->ndwi_min == -0.1);
    assert_true(c->shadow_ratio == 0.4);
    assert_int_equal(c->mask_explained, 1);
    assert_int_equal(c->mbi, 1);
    assert_true(c->mbi_length_min_m == 1.5);
    assert_true(c->mbi_length_max_m == 25.0);
    assert_true(c->mbi_length_step_m == 3.0);
    assert_true(c->ring_m == 2.5);
    assert_true(c->msi_min == 1.5);
    assert_true(c->ring_weight == 5.5);
    assert_true(c->min_confidence == 0.35);
    assert_true(c->conf_bias == -2.5);
    assert_true(c->conf_score == 0.5);
    assert_true(c->conf_rectangularity == 1.5);
    assert_true(c->conf_solidity == 1.25);
    assert_true(c->conf_area == -0.5);
    assert_true(c->conf_direction == 3.0);
    assert_true(c->conf_shadow == 0.75);
    assert_true(c->conf_explained == -2.0);
    assert_true(c->conf_mbi == 4.0);
    assert_string_equal(c->method, "vhr_rgb");
    assert_true(c->vhr_max_pixel_m == 2.0);
    assert_true(c->vhr_sigma_m == 0.5);
    assert_true(c->vhr_grey_box_m == 1.5);
    assert_true(c->vhr_grey_k == 0.5);
    assert_true(c->vhr_open_m == 3.0);
    assert_true(c->vhr_road_length_m == 40.0);
    assert_true(c->vhr_road_width_m == 12.0);
    assert_true(c->vhr_shadow_factor == 0.7);
    assert_true(c->vhr_sun_azimuth_deg == 180.0);
    assert_true(c->vhr_sun_roof_k == 0.75);
    assert_true(c->vhr_sun_distance_m == 2.5);
    assert_true(c->vhr_shadow_band_m == 5.0);
    assert_true(c->vhr_min_adjacency == 0.15);
    assert_true(c->vhr_ncc_box_m == 6.0);
    assert_true(c->vhr_max_ncc == 0.25);
    assert_true(c->vhr_min_rise == 0.02);
    assert_true(c->vhr_min_area_m2 == 25.0);
    assert_true(c->vhr_close_m == 2.0);
    assert_string_equal(c->eval_kinds, "new");
    assert_string_equal(c->crs, "EPSG:4548");
    assert_true(c->target_pixel_size == 0.8);
    assert_string_equal(c->before_crs, "EPSG:32650");
    assert_string_equal(c->after_crs, "+proj=longlat +ellps=GRS80 +no_defs");
    assert_string_equal(c->resampling, "cubic");
    assert_string_equal(c->dem, "/data/dem/srtm_beijing.tif");
    assert_true(c->rpc_height == 35.5);
    assert_int_equal(c->coreg, 0);
    assert_int_equal(c->coreg_window, 128);
    assert_int_equal(c->coreg_max_windows, 16);
    assert_true(c->coreg_max_shift == 8.5);
    assert_int_equal(c->coreg_warn_only, 1);
    assert_string_equal(c->store, "/srv/tuban/cases.gpkg");
    assert_string_equal(c->grid_layer, "/srv/tuban/grid.gpkg");
    assert_string_equal(c->grid_code_field, "WGDM");
    assert_string_equal(c->street_field, "JDMC");
    assert_string_equal(c->community_field, "SQMC");
    assert_string_equal(c->permit_layers, "/srv/permits_2026.gpkg,/srv/permits_2025.shp");
    assert_string_equal(c->existing_layers, "/srv/buildings.gpkg");
    assert_string_equal(c->event_code, "01001");
    assert_true(c->reopen_growth == 2.0);
    assert_int_equal(c->threshold_auto, 0);
    assert_true(c->threshold == 6.5);
    assert_true(c->threshold_floor == 2.5);
    assert_true(c->hysteresis_low == 0.7);
    assert_int_equal(c->normalise, 0);
    assert_int_equal(c->sample_pixels, 200000);
    assert_int_equal(c->open_radius, 2);
    assert_int_equal(c->close_radius, 0);
    assert_true(c->min_area_m2 == 35.5);
    assert_true(c->max_area_m2 == 5000.0);
    assert_int_equal(c->write_gpkg, 0);
    assert_int_equal(c->write_geojson, 0);
    assert_int_equal(c->write_mask, 0);
    assert_int_equal(c->threads, 8);
    assert_int_equal(c->strip_rows, 512);
    assert_true(c->eval_iou == 0.5);
    assert_true(c->eval_min_area_m2 == 10.0);
}

/* Loads good.ini over the defaults (a starting point unlike the defaults). */
static void load_good(tb_config *cfg)
{
    tb_config_defaults(cfg);
    tb_error_clear();
    assert_int_equal(tb_config_load(cfg, DATA("good.ini")), TB_OK);
}

/* Reads a whole stream into a malloc'd string. */
static char *read_stream(FILE *fp)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    int c;
    while ((c = getc(fp)) != EOF) {
        if (len + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        buf[len++] = (char)c;
    }
    buf[len] = '\0';
    return buf;
}

/* Writes `text` to TB_TEST_OUT_DIR/name and returns the path in `path`. */
static void write_out(const char *name, const char *text, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", TB_TEST_OUT_DIR, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

/* ---- defaults ------------------------------------------------------------------- */

static void test_defaults_documented(void **state)
{
    (void)state;
    tb_config c;
    memset(&c, 0x5A, sizeof c); /* garbage in: every field must be written */
    tb_config_defaults(&c);
    assert_true(c.pixel_size == 0.0);
    assert_string_equal(c.bands, "");
    assert_int_equal(c.threshold_auto, 1);
    assert_true(c.threshold == 0.0);
    assert_true(c.threshold_floor == 4.0);
    assert_int_equal(c.normalise, 1);
    assert_int_equal(c.sample_pixels, 1048576);
    assert_int_equal(c.open_radius, 1);
    assert_int_equal(c.close_radius, 1);
    assert_true(c.min_area_m2 == 20.0);
    assert_true(c.max_area_m2 == 0.0);
    assert_int_equal(c.write_gpkg, 1);
    assert_int_equal(c.write_geojson, 1);
    assert_int_equal(c.write_mask, 1);
    assert_int_equal(c.threads, 0);
    assert_int_equal(c.strip_rows, 256);
    assert_true(c.eval_iou == 0.3);
    assert_true(c.eval_min_area_m2 == 0.0);
}

static void test_defaults_validate(void **state)
{
    (void)state;
    tb_config c;
    tb_config_defaults(&c);
    tb_error_clear();
    assert_int_equal(tb_config_validate(&c, "defaults"), TB_OK);
    assert_string_equal(tb_error_message(), "");
}

/* ---- loading good files ----------------------------------------------------------- */

static void test_load_good(void **state)
{
    (void)state;
    tb_config c;
    load_good(&c);
    assert_good_values(&c);
    assert_string_equal(tb_error_message(), "");
    assert_int_equal(tb_config_validate(&c, "good.ini"), TB_OK);
}

static void test_load_partial_keeps_other_values(void **state)
{
    (void)state;
    tb_config c, expect;
    load_good(&c);
    expect = c;
    expect.open_radius = 3;
    expect.eval_iou = 1.0;
    assert_int_equal(tb_config_load(&c, DATA("partial.ini")), TB_OK);
    assert_config_equal(&c, &expect);
}

static void test_load_threshold_auto(void **state)
{
    (void)state;
    tb_config c;
    load_good(&c); /* fixed threshold 6.5 */
    assert_int_equal(tb_config_load(&c, DATA("threshold_auto.ini")), TB_OK);
    assert_int_equal(c.threshold_auto, 1);
    assert_true(c.threshold == 0.0);
}

static void test_load_bom_crlf(void **state)
{
    (void)state;
    tb_config c;
    tb_config_defaults(&c);
    tb_error_clear();
    assert_int_equal(tb_config_load(&c, DATA("bom_crlf.ini")), TB_OK);
    assert_int_equal(c.threshold_auto, 0);
    assert_true(c.threshold == 3.0);
    assert_int_equal(c.threads, 2);
}

static void test_load_no_final_newline(void **state)
{
    (void)state;
    tb_config c;
    tb_config_defaults(&c);
    tb_error_clear();
    assert_int_equal(tb_config_load(&c, DATA("no_final_newline.ini")), TB_OK);
    assert_int_equal(c.strip_rows, 64);
}

static void test_load_line_of_4096_bytes(void **state)
{
    (void)state;
    static const char *const files[] = {DATA("line_4096.ini"), DATA("line_4096_crlf.ini")};
    for (size_t i = 0; i < 2; i++) {
        tb_config c;
        tb_config_defaults(&c);
        tb_error_clear();
        assert_int_equal(tb_config_load(&c, files[i]), TB_OK);
        assert_int_equal(c.threads, 3);
    }
}

static void test_load_missing_file(void **state)
{
    (void)state;
    tb_config c, before;
    load_good(&c);
    before = c;
    tb_error_clear();
    assert_int_equal(tb_config_load(&c, DATA("does_not_exist.ini")), TB_ERR_CONFIG);
    assert_string_equal(tb_error_message(),
                        DATA("does_not_exist.ini") ": cannot open config file (No such file or "
                                                   "directory)");
    assert_memory_equal(&c, &before, sizeof c);
}

static void test_load_directory(void **state)
{
    (void)state;
    tb_config c, before;
    load_good(&c);
    before = c;
    tb_error_clear();
    assert_int_equal(tb_config_load(&c, TB_TEST_DATA_DIR), TB_ERR_CONFIG);
    assert_string_equal(tb_error_message(),
                        TB_TEST_DATA_DIR ": cannot read config file (Is a directory)");
    assert_memory_equal(&c, &before, sizeof c);
}

/* ---- bad files: one fixture per error class --------------------------------------- */

typedef struct bad_case {
    const char *file;   /* in TB_TEST_DATA_DIR */
    int line;           /* expected line in the message */
    const char *reason; /* expected text after "PATH:LINE: " */
} bad_case;

static void test_bad_file(void **state)
{
    const bad_case *bc = *state;
    char path[1024], expect[2048];
    snprintf(path, sizeof path, "%s/%s", TB_TEST_DATA_DIR, bc->file);
    snprintf(expect, sizeof expect, "%s:%d: %s", path, bc->line, bc->reason);

    tb_config c, before;
    load_good(&c);
    before = c;
    tb_error_clear();
    assert_int_equal(tb_config_load(&c, path), TB_ERR_CONFIG);
    assert_int_equal(tb_error_status(), TB_ERR_CONFIG);
    assert_string_equal(tb_error_message(), expect);
    /* Not one byte written, although most fixtures set good keys before the bad line. */
    assert_memory_equal(&c, &before, sizeof c);
}

#define BAD(file_, line_, reason_)                                                           \
    {file_, test_bad_file, NULL, NULL, &(bad_case){file_, line_, reason_}}

/* ---- validation ------------------------------------------------------------------- */

static void test_validate_area_order(void **state)
{
    (void)state;
    tb_config c;
    tb_config_defaults(&c);
    tb_error_clear();
    assert_int_equal(tb_config_load(&c, DATA("area_max_below_min.ini")), TB_OK);
    assert_int_equal(tb_config_validate(&c, "scan.ini"), TB_ERR_CONFIG);
    assert_string_equal(tb_error_message(),
                        "scan.ini: filter.max_area_m2 = 50 is below filter.min_area_m2 = 100 "
                        "(use a value >= min_area_m2, or 0 for no upper bound)");

    /* A later override makes it consistent: validation runs on the final values. */
    tb_error_clear();
    assert_int_equal(tb_config_set(&c, "filter.min_area_m2", "50", "--set"), TB_OK);
    assert_int_equal(tb_config_validate(&c, "scan.ini"), TB_OK);
    assert_int_equal(tb_config_set(&c, "filter.max_area_m2", "0", "--set"), TB_OK);
    assert_int_equal(tb_config_set(&c, "filter.min_area_m2", "1e6", "--set"), TB_OK);
    assert_int_equal(tb_config_validate(&c, "scan.ini"), TB_OK);
    assert_string_equal(tb_error_message(), "");
}

typedef struct direct_case {
    void (*spoil)(tb_config *c);
    const char *message;
} direct_case;

static void spoil_open_radius(tb_config *c) { c->open_radius = 51; }
static void spoil_bool(tb_config *c) { c->write_mask = 2; }
static void spoil_bands(tb_config *c) { strcpy(c->bands, "0,1"); }
static void spoil_threshold(tb_config *c) { c->threshold_auto = 0; c->threshold = -1.0; }
static void spoil_iou(tb_config *c) { c->eval_iou = NAN; }
static void spoil_sample(tb_config *c) { c->sample_pixels = 100000001L; }
static void spoil_floor(tb_config *c) { c->threshold_floor = -0.5; }

static void test_validate_direct_fields(void **state)
{
    (void)state;
    static const direct_case cases[] = {
        {spoil_open_radius, "cfg: morphology.open_radius = 51 is out of range 0..50"},
        {spoil_bool, "cfg: output.mask = 2 is not a boolean (0 or 1)"},
        {spoil_bands, "cfg: input.bands: band '0' is out of range 1..64"},
        {spoil_threshold, "cfg: detect.threshold = -1 is out of range (must be > 0)"},
        {spoil_iou, "cfg: eval.iou = nan is out of range (must be > 0 and <= 1)"},
        {spoil_sample, "cfg: detect.sample_pixels = 100000001 is out of range 1000..100000000"},
        {spoil_floor, "cfg: detect.threshold_floor = -0.5 is out of range (must be >= 0)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tb_config c;
        tb_config_defaults(&c);
        cases[i].spoil(&c);
        tb_error_clear();
        assert_int_equal(tb_config_validate(&c, "cfg"), TB_ERR_CONFIG);
        assert_string_equal(tb_error_message(), cases[i].message);
    }
}

/* ---- tb_config_set ------------------------------------------------------------------ */

static void test_set_overrides(void **state)
{
    (void)state;
    tb_config c, expect;
    tb_config_defaults(&c);
    expect = c;
    tb_error_clear();
    assert_int_equal(tb_config_set(&c, "morphology.open_radius", "5", "--set"), TB_OK);
    expect.open_radius = 5;
    assert_int_equal(tb_config_set(&c, "filter.min_area_m2", "  12.25  ", "--min-area"), TB_OK);
    expect.min_area_m2 = 12.25;
    assert_int_equal(tb_config_set(&c, "input.bands", "\" 4 ,2 \"", "--set"), TB_OK);
    strcpy(expect.bands, "4,2");
    assert_int_equal(tb_config_set(&c, "detect.threshold", "0.75", "--set"), TB_OK);
    expect.threshold_auto = 0;
    expect.threshold = 0.75;
    assert_int_equal(tb_config_set(&c, "detect.sample_pixels", "100000000", "--set"), TB_OK);
    expect.sample_pixels = 100000000L;
    assert_int_equal(tb_config_set(&c, "eval.iou", "1", "--set"), TB_OK);
    expect.eval_iou = 1.0;
    assert_int_equal(tb_config_set(&c, "scan.strip_rows", "16", "--set"), TB_OK);
    expect.strip_rows = 16;
    assert_config_equal(&c, &expect);

    assert_int_equal(tb_config_set(&c, "detect.threshold", "Auto", "--set"), TB_OK);
    assert_int_equal(c.threshold_auto, 1);
    assert_true(c.threshold == 0.0);
    assert_int_equal(tb_config_set(&c, "input.bands", "", "--set"), TB_OK);
    assert_string_equal(c.bands, "");
    assert_string_equal(tb_error_message(), "");
}

static void test_set_bool_spellings(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int value;
    } spellings[] = {{"true", 1}, {"false", 0}, {"yes", 1}, {"no", 0}, {"on", 1},
                     {"off", 0},  {"1", 1},     {"0", 0},   {"TRUE", 1}, {"No", 0},
                     {"oN", 1},   {"OFF", 0}};
    tb_config c;
    tb_config_defaults(&c);
    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
        c.normalise = !spellings[i].value;
        tb_error_clear();
        assert_int_equal(tb_config_set(&c, "detect.normalise", spellings[i].text, "--set"),
                         TB_OK);
        assert_int_equal(c.normalise, spellings[i].value);
    }
}

static void test_set_errors(void **state)
{
    (void)state;
    static const struct {
        const char *key, *value, *message;
    } cases[] = {
        {"threshold", "5", "--set: 'threshold' is not of the form section.key"},
        {".threshold", "5", "--set: '.threshold' is not of the form section.key"},
        {"detect.", "5", "--set: 'detect.' is not of the form section.key"},
        {"detection.threshold", "5",
         "--set: unknown section [detection] (valid sections: input, align, coreg, detect, vhr, evidence, "
         "morphology, filter, confidence, output, scan, cases, eval)"},
        {"detect.treshold", "5",
         "--set: unknown key 'treshold' in section [detect] (valid keys: threshold, "
         "threshold_floor, hysteresis_low, normalise, sample_pixels, method)"},
        {"morphology.open_radius", "-3", "--set: morphology.open_radius: '-3' is out of range 0..50"},
        {"morphology.open_radius", "", "--set: morphology.open_radius: empty value"},
        {"scan.threads", "4 # comment",
         "--set: scan.threads: '4 # comment' is not an integer"},
        {"scan.threads", "1025", "--set: scan.threads: '1025' is out of range 0..1024"},
        {"scan.strip_rows", "15", "--set: scan.strip_rows: '15' is out of range 16..65536"},
        {"output.mask", "2",
         "--set: output.mask: '2' is not a boolean (use true/false, yes/no, on/off or 1/0)"},
        {"eval.iou", "1.0000001", "--set: eval.iou: '1.0000001' is out of range (must be > 0 and <= 1)"},
        {"input.pixel_size", "nan", "--set: input.pixel_size: 'nan' is not a finite number"},
        {"input.pixel_size", "1e999", "--set: input.pixel_size: '1e999' is not a finite number"},
        {"input.pixel_size", "1e-999",
         "--set: input.pixel_size: '1e-999' is too small to be represented as a double"},
        {"input.bands", "\"1,2", "--set: input.bands: unterminated quote in value"},
        {"input.bands", "2, x", "--set: input.bands: 'x' is not a band number (expected a list like 1,2,3)"},
        {"detect.threshold", "-2", "--set: detect.threshold: '-2' is out of range (must be > 0)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tb_config c, before;
        load_good(&c);
        before = c;
        tb_error_clear();
        assert_int_equal(tb_config_set(&c, cases[i].key, cases[i].value, "--set"), TB_ERR_CONFIG);
        assert_string_equal(tb_error_message(), cases[i].message);
        assert_memory_equal(&c, &before, sizeof c);
    }
}

/* ---- tb_config_to_ini ---------------------------------------------------------------- */

/* Writes cfg as INI, loads it over `start`, and checks the result equals cfg. */
static void round_trip(const tb_config *cfg, const tb_config *start, const char *name)
{
    char *text = tb_config_to_ini(cfg);
    assert_non_null(text);
    char path[1024];
    write_out(name, text, path, sizeof path);
    free(text);
    tb_config back = *start;
    tb_error_clear();
    if (tb_config_load(&back, path) != TB_OK)
        fail_msg("loading %s: %s", path, tb_error_message());
    assert_config_equal(&back, cfg);
}

static void test_round_trip_defaults(void **state)
{
    (void)state;
    tb_config defaults, good;
    tb_config_defaults(&defaults);
    load_good(&good);
    round_trip(&defaults, &good, "roundtrip_defaults.ini");
}

static void test_round_trip_good(void **state)
{
    (void)state;
    tb_config defaults, good;
    tb_config_defaults(&defaults);
    load_good(&good);
    round_trip(&good, &defaults, "roundtrip_good.ini");
}

static void test_round_trip_awkward_values(void **state)
{
    (void)state;
    tb_config c, start;
    tb_config_defaults(&c);
    load_good(&start);
    c.pixel_size = 0.1 + 0.2;        /* 0.30000000000000004 */
    c.threshold_auto = 0;
    c.threshold = 1.0 / 3.0;
    c.threshold_floor = 1e-300;
    c.min_area_m2 = 123456789.123456789;
    c.max_area_m2 = 1.7976931348623157e308;
    c.eval_iou = nextafter(0.0, 1.0); /* the smallest positive double */
    c.eval_min_area_m2 = 2.5e-5;
    strcpy(c.bands, "64,1,33");
    c.sample_pixels = 1000;
    c.strip_rows = 65536;
    c.threads = 1024;
    c.normalise = 0;
    c.write_geojson = 0;
    tb_error_clear();
    assert_int_equal(tb_config_validate(&c, "awkward"), TB_OK);
    round_trip(&c, &start, "roundtrip_awkward.ini");
}

static void test_to_ini_lists_every_key(void **state)
{
    (void)state;
    tb_config c;
    load_good(&c);
    char *text = tb_config_to_ini(&c);
    assert_non_null(text);
    /* Each section header once, in order, each key under its own section. */
    const char *prev = text;
    for (size_t s = 0; s < sizeof all_sections / sizeof all_sections[0]; s++) {
        char header[64];
        snprintf(header, sizeof header, "\n[%s]\n", all_sections[s]);
        const char *at = strstr(text, header);
        assert_non_null(at);
        assert_true(at >= prev);
        assert_null(strstr(at + 1, header));
        prev = at;
    }
    for (size_t k = 0; k < N_KEYS; k++) {
        const char *dot = strchr(documented[k].key, '.');
        char header[64], line[64];
        snprintf(header, sizeof header, "\n[%.*s]\n", (int)(dot - documented[k].key), documented[k].key);
        snprintf(line, sizeof line, "\n%s = ", dot + 1);
        const char *sec = strstr(text, header);
        assert_non_null(sec);
        const char *next = strstr(sec + 1, "\n[");
        const char *at = strstr(sec, line);
        assert_non_null(at);
        assert_true(next == NULL || at < next);
    }
    assert_non_null(strstr(text, "\nbands = \"3,1,2\"\n"));
    assert_non_null(strstr(text, "\nthreshold = 6.5\n"));
    assert_non_null(strstr(text, "\ngpkg = false\n"));
    free(text);
}

/* ---- help ------------------------------------------------------------------------ */

static void test_print_help_lists_every_key(void **state)
{
    (void)state;
    FILE *fp = tmpfile();
    assert_non_null(fp);
    tb_config_print_help(fp);
    rewind(fp);
    char *text = read_stream(fp);
    fclose(fp);

    for (size_t k = 0; k < N_KEYS; k++) {
        char needle[64];
        snprintf(needle, sizeof needle, "\n  %s = %s ", documented[k].key, documented[k].def);
        const char *at = strstr(text, needle);
        assert_non_null(at);
        /* Grouped: the key follows its section header. */
        const char *dot = strchr(documented[k].key, '.');
        char header[64];
        snprintf(header, sizeof header, "[%.*s]", (int)(dot - documented[k].key), documented[k].key);
        const char *sec = strstr(text, header);
        assert_non_null(sec);
        assert_true(sec < at);
        const char *next = strstr(sec + 1, "\n[");
        assert_true(next == NULL || at < next);
    }
    static const char *const shown[] = {
        "  input.bands = \"\"", "  detect.threshold = auto", "  detect.threshold_floor = 4.0",
        "  detect.sample_pixels = 1048576", "  eval.iou = 0.3", "  scan.strip_rows = 256",
        "[0..50]", "[auto or > 0]", "[> 0 and <= 1]", "[16..65536]"};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
        assert_non_null(strstr(text, shown[i]));
    free(text);
}

/* ---- the example file and the documentation --------------------------------------- */

/* Reads a whole file into a malloc'd string. */
static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        fail_msg("cannot open %s", path);
    char *text = read_stream(fp);
    fclose(fp);
    return text;
}

static void test_example_ini_has_every_default(void **state)
{
    (void)state;
    tb_config c, good, defaults;
    load_good(&good);
    tb_config_defaults(&defaults);

    /* As shipped (every key commented out) it loads and changes nothing. */
    c = good;
    assert_int_equal(tb_config_load(&c, TB_TEST_EXAMPLE_INI), TB_OK);
    assert_config_equal(&c, &good);

    /* Uncommented, it sets every key to its default: good.ini sets every key to another
     * value, so a key missing from the example or with a wrong default shows up here. */
    char *text = read_file(TB_TEST_EXAMPLE_INI);
    char *out = malloc(strlen(text) + 1);
    assert_non_null(out);
    size_t n = 0, keys = 0;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line + 1) : strlen(line);
        if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' && memchr(line, '=', len)) {
            line++;
            len--;
            keys++;
        }
        memcpy(out + n, line, len);
        n += len;
        line += len;
    }
    out[n] = '\0';
    assert_int_equal(keys, N_KEYS);
    char path[1024];
    write_out("example_uncommented.ini", out, path, sizeof path);
    free(out);
    free(text);
    c = good;
    if (tb_config_load(&c, path) != TB_OK)
        fail_msg("%s", tb_error_message());
    assert_config_equal(&c, &defaults);
}

static void test_docs_list_every_key(void **state)
{
    (void)state;
    char *text = read_file(TB_TEST_DOCS_MD);
    for (size_t k = 0; k < N_KEYS; k++) {
        char row[128];
        snprintf(row, sizeof row, "\n| `%s` | `%s` | ", documented[k].key, documented[k].def);
        if (strstr(text, row) == NULL)
            fail_msg("docs/config.md has no table row starting '%s'", row + 1);
    }
    /* The example scan.ini in the docs is a valid configuration. */
    const char *start = strstr(text, "```ini\n");
    assert_non_null(start);
    start += strlen("```ini\n");
    const char *end = strstr(start, "```");
    assert_non_null(end);
    char *ini = malloc((size_t)(end - start) + 1);
    assert_non_null(ini);
    memcpy(ini, start, (size_t)(end - start));
    ini[end - start] = '\0';
    char path[1024];
    write_out("docs_example.ini", ini, path, sizeof path);
    free(ini);
    free(text);
    tb_config c;
    tb_config_defaults(&c);
    tb_error_clear();
    if (tb_config_load(&c, path) != TB_OK || tb_config_validate(&c, path) != TB_OK)
        fail_msg("%s", tb_error_message());
    assert_string_equal(c.bands, "4,3,2");
    assert_int_equal(c.write_geojson, 0);
}

/* ---- tb_config_band_list --------------------------------------------------------- */

static void test_band_list(void **state)
{
    (void)state;
    tb_config c;
    int bands[TB_CONFIG_MAX_BANDS];
    tb_config_defaults(&c);
    assert_int_equal(tb_config_band_list(&c, bands), 0);
    assert_int_equal(tb_config_set(&c, "input.bands", "3, 1,64", "--set"), TB_OK);
    assert_int_equal(tb_config_band_list(&c, bands), 3);
    assert_int_equal(bands[0], 3);
    assert_int_equal(bands[1], 1);
    assert_int_equal(bands[2], 64);
    strcpy(c.bands, "1,1");
    assert_int_equal(tb_config_band_list(&c, bands), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_documented),
        cmocka_unit_test(test_defaults_validate),
        cmocka_unit_test(test_load_good),
        cmocka_unit_test(test_load_partial_keeps_other_values),
        cmocka_unit_test(test_load_threshold_auto),
        cmocka_unit_test(test_load_bom_crlf),
        cmocka_unit_test(test_load_no_final_newline),
        cmocka_unit_test(test_load_line_of_4096_bytes),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_load_directory),

        BAD("bad_key_outside_section.ini", 2,
            "key 'threshold' outside any section (put a [section] header above it)"),
        BAD("bad_missing_equals.ini", 3, "missing '=' (expected 'key = value')"),
        BAD("bad_missing_key.ini", 3, "missing key name before '='"),
        BAD("bad_unknown_section.ini", 4,
            "unknown section [detection] (valid sections: input, align, coreg, detect, vhr, evidence, "
            "morphology, filter, confidence, output, scan, cases, eval)"),
        BAD("bad_unknown_key.ini", 3,
            "unknown key 'treshold' in section [detect] (valid keys: threshold, "
            "threshold_floor, hysteresis_low, normalise, sample_pixels, method)"),
        BAD("bad_duplicate_key.ini", 6,
            "duplicate key morphology.open_radius (first set on line 2)"),
        BAD("bad_empty_value.ini", 3, "filter.max_area_m2: empty value"),
        BAD("bad_empty_value_comment.ini", 3, "detect.threshold: empty value"),
        BAD("bad_empty_value_quoted.ini", 2, "scan.threads: empty value"),
        BAD("bad_long_line.ini", 3, "line longer than 4096 bytes"),
        BAD("bad_nul_byte.ini", 2, "NUL byte in line (not a text file?)"),
        BAD("bad_utf8.ini", 2, "invalid UTF-8 (byte 0xE9 at column 6)"),
        BAD("bad_utf8_overlong.ini", 3, "invalid UTF-8 (byte 0xC0 at column 19)"),
        BAD("bad_bool.ini", 3,
            "output.gpkg: 'maybe' is not a boolean (use true/false, yes/no, on/off or 1/0)"),
        BAD("bad_int_range.ini", 3, "morphology.open_radius: '-3' is out of range 0..50"),
        BAD("bad_int_syntax.ini", 2, "scan.strip_rows: '256.5' is not an integer"),
        BAD("bad_double_syntax.ini", 2, "filter.min_area_m2: '20m2' is not a number"),
        BAD("bad_double_nonfinite.ini", 2, "input.pixel_size: 'inf' is not a finite number"),
        BAD("bad_double_range.ini", 2,
            "filter.min_area_m2: '-1' is out of range (must be >= 0)"),
        BAD("bad_threshold_zero.ini", 2, "detect.threshold: '0' is out of range (must be > 0)"),
        BAD("bad_threshold_word.ini", 2, "detect.threshold: 'otsu' is neither 'auto' nor a number"),
        BAD("bad_long_range.ini", 2,
            "detect.sample_pixels: '999' is out of range 1000..100000000"),
        BAD("bad_long_overflow.ini", 2,
            "detect.sample_pixels: '99999999999999999999' is out of range 1000..100000000"),
        BAD("bad_iou_zero.ini", 2, "eval.iou: '0' is out of range (must be > 0 and <= 1)"),
        BAD("bad_iou_above_one.ini", 2, "eval.iou: '1.5' is out of range (must be > 0 and <= 1)"),
        BAD("bad_bands_duplicate.ini", 2, "input.bands: band 1 is listed twice"),
        BAD("bad_bands_range.ini", 2, "input.bands: band '65' is out of range 1..64"),
        BAD("bad_bands_syntax.ini", 2,
            "input.bands: '' is not a band number (expected a list like 1,2,3)"),
        BAD("bad_unterminated_quote.ini", 2, "unterminated quote in value"),
        BAD("bad_text_after_quote.ini", 2, "unexpected text after the closing quote"),
        BAD("bad_section_unclosed.ini", 1, "section header without closing ']'"),
        BAD("bad_section_trailing_text.ini", 1, "unexpected text after section header"),

        cmocka_unit_test(test_validate_area_order),
        cmocka_unit_test(test_validate_direct_fields),
        cmocka_unit_test(test_set_overrides),
        cmocka_unit_test(test_set_bool_spellings),
        cmocka_unit_test(test_set_errors),
        cmocka_unit_test(test_round_trip_defaults),
        cmocka_unit_test(test_round_trip_good),
        cmocka_unit_test(test_round_trip_awkward_values),
        cmocka_unit_test(test_to_ini_lists_every_key),
        cmocka_unit_test(test_print_help_lists_every_key),
        cmocka_unit_test(test_example_ini_has_every_default),
        cmocka_unit_test(test_docs_list_every_key),
        cmocka_unit_test(test_band_list),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
