/* config_keys.c: the one table of every configuration key.
 *
 * Each row states a key's section, name, type, default text, valid range, documentation
 * and its place in tb_config (see config_keys.h for the columns). To add a key: add the
 * field to tb_config in tb_config.h, add one row here (in its section's block), bump
 * TB_CONFIG_KEY_COUNT, and list it in docs/config.md and config/scan.ini.example. The
 * loader, tb_config_set, the help text, tb_config_to_ini and tb_config_validate pick it up
 * from this table.
 *
 * The file also holds the band-list syntax of input.bands, used both to check the value
 * and by tb_config_band_list.
 */
#include "config_keys.h"

#include <stdio.h>
#include <string.h>

#include "tb_config.h"

#define KEY_OFF(field) offsetof(tb_config, field)

/* Parses a band list "3,1, 2" into `bands` (up to TB_CONFIG_MAX_BANDS entries, in the
 * given order). Spaces around items are allowed; each item is a decimal band number in
 * 1..TB_CONFIG_MAX_BANDS and appears once. "" gives count 0. Returns the count, or -1 with
 * a reason in `why`. */
static int parse_bands(const char *value, int bands[TB_CONFIG_MAX_BANDS], char *why,
                       size_t why_size)
{
    int count = 0;
    const char *p = value;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0')
        return 0;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *item = p;
        const char *digits = p;
        long band = 0;
        while (*p >= '0' && *p <= '9') {
            if (band <= TB_CONFIG_MAX_BANDS)
                band = band * 10 + (*p - '0');
            p++;
        }
        const char *end_digits = p;
        while (*p == ' ' || *p == '\t')
            p++;
        if (end_digits == digits || (*p != ',' && *p != '\0')) {
            size_t len = strcspn(item, ",");
            snprintf(why, why_size, "'%.*s' is not a band number (expected a list like 1,2,3)",
                     (int)(len > 64 ? 64 : len), item);
            return -1;
        }
        if (band < 1 || band > TB_CONFIG_MAX_BANDS) {
            snprintf(why, why_size, "band '%.*s' is out of range 1..%d",
                     (int)(end_digits - digits > 20 ? 20 : end_digits - digits), digits,
                     TB_CONFIG_MAX_BANDS);
            return -1;
        }
        for (int i = 0; i < count; i++) {
            if (bands[i] == (int)band) {
                snprintf(why, why_size, "band %ld is listed twice", band);
                return -1;
            }
        }
        /* 64 distinct values in 1..64 cannot overflow the array. */
        bands[count++] = (int)band;
        if (*p == '\0')
            return count;
        p++; /* the comma */
    }
}

/* Normaliser of input.bands: checks the list and writes it as "3,1,2" (no spaces). */
static int normalise_bands(const char *value, char *out, size_t size, char *why,
                           size_t why_size)
{
    int bands[TB_CONFIG_MAX_BANDS];
    int count = parse_bands(value, bands, why, why_size);
    if (count < 0)
        return -1;
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < count; i++) {
        int n = snprintf(out + used, size - used, i ? ",%d" : "%d", bands[i]);
        if (n < 0 || (size_t)n >= size - used) {
            snprintf(why, why_size, "band list too long");
            return -1;
        }
        used += (size_t)n;
    }
    return 0;
}

/* Normaliser of a value from a fixed list (`choices` separated by '|'). */
static int one_of(const char *choices, const char *value, char *out, size_t size, char *why,
                  size_t why_size)
{
    size_t n = strlen(value);
    for (const char *c = choices; *c;) {
        size_t len = strcspn(c, "|");
        if (len == n && strncmp(c, value, n) == 0 && n < size) {
            memcpy(out, value, n + 1);
            return 0;
        }
        c += len;
        if (*c == '|')
            c++;
    }
    snprintf(why, why_size, "'%.64s' is not one of %s", value, choices);
    return -1;
}

static int normalise_resampling(const char *value, char *out, size_t size, char *why,
                                size_t why_size)
{
    return one_of("nearest|bilinear|cubic|cubicspline|lanczos|average", value, out, size, why,
                  why_size);
}

static int normalise_sensor(const char *value, char *out, size_t size, char *why,
                            size_t why_size)
{
    return one_of("auto|rgb|bgrn|rgbn|sentinel2|landsat-tm|landsat-oli|none", value, out, size,
                  why, why_size);
}

static int normalise_method(const char *value, char *out, size_t size, char *why,
                            size_t why_size)
{
    return one_of("auto|change_vector|vhr_rgb", value, out, size, why, why_size);
}

static int normalise_kinds(const char *value, char *out, size_t size, char *why,
                           size_t why_size)
{
    return one_of("all|new|removed", value, out, size, why, why_size);
}

const tb_config_section tb_config_sections[] = {
    {"input", "how the before/after rasters are read"},
    {"align", "the common grid both dates are warped onto"},
    {"coreg", "sub-pixel co-registration of the dates"},
    {"detect", "change score and threshold"},
    {"vhr", "building-change recipe for very-high-resolution RGB (detect.method vhr_rgb)"},
    {"evidence", "direction of change (new or removed) and what explains it"},
    {"morphology", "clean-up of the binary change mask"},
    {"filter", "which change objects are kept"},
    {"confidence", "confidence of a polygon: a logistic function of its features"},
    {"output", "which products are written"},
    {"scan", "execution: threads and memory"},
    {"cases", "the case store a scan feeds (tuban scan --store, tuban cases)"},
    {"eval", "comparison against a reference (tuban eval)"},
};
_Static_assert(sizeof tb_config_sections / sizeof tb_config_sections[0] == TB_CONFIG_SECTION_COUNT,
               "TB_CONFIG_SECTION_COUNT does not match the section table");

/* section, name, type, default, min, max, range flags, doc, offset, flag offset, normaliser */
const tb_config_key tb_config_keys[] = {
    {"input", "pixel_size", TB_CONFIG_DOUBLE, "0", 0, 0, TB_RANGE_NO_MAX,
     "metres per pixel for inputs without georeferencing; 0 = none given",
     KEY_OFF(pixel_size), 0, NULL},
    {"input", "bands", TB_CONFIG_STRING, "", 0, 0, 0,
     "comma list of 1-based band indices (each 1..64, no duplicates) used for change; \"\" = all",
     KEY_OFF(bands), 0, normalise_bands},
    {"input", "sensor", TB_CONFIG_STRING, "auto", 0, 0, 0,
     "band roles (blue, green, red, NIR): auto, rgb, bgrn, rgbn, sentinel2, landsat-tm, "
     "landsat-oli, none",
     KEY_OFF(sensor), 0, normalise_sensor},
    {"input", "blue_band", TB_CONFIG_INT, "0", 0, TB_CONFIG_MAX_BANDS, 0,
     "1-based band that is blue; 0 = from input.sensor", KEY_OFF(blue_band), 0, NULL},
    {"input", "green_band", TB_CONFIG_INT, "0", 0, TB_CONFIG_MAX_BANDS, 0,
     "1-based band that is green; 0 = from input.sensor", KEY_OFF(green_band), 0, NULL},
    {"input", "red_band", TB_CONFIG_INT, "0", 0, TB_CONFIG_MAX_BANDS, 0,
     "1-based band that is red; 0 = from input.sensor", KEY_OFF(red_band), 0, NULL},
    {"input", "nir_band", TB_CONFIG_INT, "0", 0, TB_CONFIG_MAX_BANDS, 0,
     "1-based band that is near infrared; 0 = from input.sensor", KEY_OFF(nir_band), 0, NULL},

    {"align", "crs", TB_CONFIG_STRING, "", 0, 0, 0,
     "target CRS: EPSG:n, a PROJ string or a WKT/.prj file name; \"\" = the after-image's",
     KEY_OFF(crs), 0, NULL},
    {"align", "pixel_size", TB_CONFIG_DOUBLE, "0", 0, 0, TB_RANGE_NO_MAX,
     "target pixel size in target-CRS units; 0 = the after-image's (or GDAL's estimate)",
     KEY_OFF(target_pixel_size), 0, NULL},
    {"align", "before_crs", TB_CONFIG_STRING, "", 0, 0, 0,
     "CRS to assume for a before-image that has none; \"\" = none",
     KEY_OFF(before_crs), 0, NULL},
    {"align", "after_crs", TB_CONFIG_STRING, "", 0, 0, 0,
     "CRS to assume for an after-image that has none; \"\" = none",
     KEY_OFF(after_crs), 0, NULL},
    {"align", "resampling", TB_CONFIG_STRING, "bilinear", 0, 0, 0,
     "resampling of the warp: nearest, bilinear, cubic, cubicspline, lanczos, average",
     KEY_OFF(resampling), 0, normalise_resampling},
    {"align", "dem", TB_CONFIG_STRING, "", 0, 0, 0,
     "DEM raster for RPC orthorectification; \"\" = flat height rpc_height",
     KEY_OFF(dem), 0, NULL},
    {"align", "rpc_height", TB_CONFIG_DOUBLE, "0", -1000, 9000, 0,
     "flat height in metres for RPC inputs when no DEM is given",
     KEY_OFF(rpc_height), 0, NULL},

    {"coreg", "enabled", TB_CONFIG_BOOL, "true", 0, 1, 0,
     "estimate the residual shift between the dates and remove it in the warp",
     KEY_OFF(coreg), 0, NULL},
    {"coreg", "window", TB_CONFIG_INT, "256", 32, 2048, 0,
     "phase-correlation window in pixels (a power of two)", KEY_OFF(coreg_window), 0, NULL},
    {"coreg", "max_windows", TB_CONFIG_INT, "64", 3, 4096, 0,
     "windows spread over the overlap", KEY_OFF(coreg_max_windows), 0, NULL},
    {"coreg", "max_shift_px", TB_CONFIG_DOUBLE, "20", 0, 0, TB_RANGE_MIN_OPEN | TB_RANGE_NO_MAX,
     "a larger estimated shift (pixels) stops the scan", KEY_OFF(coreg_max_shift), 0, NULL},
    {"coreg", "max_spread_px", TB_CONFIG_DOUBLE, "1", 0, 0, TB_RANGE_MIN_OPEN | TB_RANGE_NO_MAX,
     "windows whose robust spread (pixels, either axis) is larger disagree: no shift is trusted",
     KEY_OFF(coreg_max_spread), 0, NULL},
    {"coreg", "warn_only", TB_CONFIG_BOOL, "false", 0, 1, 0,
     "a shift that cannot be estimated or is too large only warns (no shift applied)",
     KEY_OFF(coreg_warn_only), 0, NULL},

    {"detect", "threshold", TB_CONFIG_THRESHOLD, "auto", 0, 0, TB_RANGE_MIN_OPEN | TB_RANGE_NO_MAX,
     "change-score threshold: auto (Otsu over the scene histogram) or a fixed number",
     KEY_OFF(threshold), KEY_OFF(threshold_auto), NULL},
    {"detect", "threshold_floor", TB_CONFIG_DOUBLE, "4.0", 0, 0, TB_RANGE_NO_MAX,
     "automatic threshold never below this score (1 = typical difference of an unchanged pixel)",
     KEY_OFF(threshold_floor), 0, NULL},
    {"detect", "hysteresis_low", TB_CONFIG_DOUBLE, "1.0", 0, 1, TB_RANGE_MIN_OPEN,
     "hysteresis: below 1 the mask is cut at threshold x this and a component is kept only "
     "if it reaches the threshold somewhere; 1 = off",
     KEY_OFF(hysteresis_low), 0, NULL},
    {"detect", "normalise", TB_CONFIG_BOOL, "true", 0, 1, 0,
     "per-band linear radiometric normalisation of before to after",
     KEY_OFF(normalise), 0, NULL},
    {"detect", "sample_pixels", TB_CONFIG_LONG, "1048576", 1000, 100000000, 0,
     "pass-1 sample size cap (pixels on a regular grid)",
     KEY_OFF(sample_pixels), 0, NULL},
    {"detect", "method", TB_CONFIG_STRING, "auto", 0, 0, 0,
     "detector: change_vector, vhr_rgb (grey-roof recipe), or auto (vhr_rgb for RGB without NIR "
     "at pixels up to vhr.max_pixel_m, else change_vector)",
     KEY_OFF(method), 0, normalise_method},

#define VHR_KEY(name, def, lo, hi, range, doc, field) \
    {"vhr", name, TB_CONFIG_DOUBLE, def, lo, hi, range, doc, KEY_OFF(field), 0, NULL}
    VHR_KEY("max_pixel_m", "1.0", 0, 0, TB_RANGE_MIN_OPEN | TB_RANGE_NO_MAX,
            "detect.method auto uses the recipe for RGB pixels up to this size (m)", vhr_max_pixel_m),
    VHR_KEY("sigma_m", "0.75", 0, 0, TB_RANGE_NO_MAX,
            "Gaussian pre-smoothing sigma of every band (m); 0 = off", vhr_sigma_m),
    VHR_KEY("grey_box_m", "2.5", 0, 0, TB_RANGE_NO_MAX,
            "box mean of the greyness (m); below one pixel = off", vhr_grey_box_m),
    VHR_KEY("grey_k", "0.25", -10, 10, 0,
            "roof candidates: greyness above median + k x 1.4826 MAD of its date", vhr_grey_k),
    VHR_KEY("open_m", "2.5", 0, 0, TB_RANGE_NO_MAX,
            "disk opening radius (m), before and after road removal; 0 = off", vhr_open_m),
    VHR_KEY("road_length_m", "35", 0, 0, TB_RANGE_NO_MAX,
            "road: a straight run of candidates at least this long (m); 0 = no road removal",
            vhr_road_length_m),
    VHR_KEY("road_width_m", "14", 0, 0, TB_RANGE_NO_MAX,
            "road: ... whose perpendicular run is at most this (m)", vhr_road_width_m),
    VHR_KEY("shadow_factor", "0.6", 0, 0, TB_RANGE_MIN_OPEN | TB_RANGE_NO_MAX,
            "shadow: brightness (mean of R, G, B) below this x the date's median", vhr_shadow_factor),
    VHR_KEY("sun_azimuth_deg", "-1", -1, 360, 0,
            "sun azimuth, degrees clockwise from north; -1 = estimate per date from the shadows",
            vhr_sun_azimuth_deg),
    VHR_KEY("sun_roof_k", "0.5", -10, 10, 0,
            "sun estimate: roof = greyness above median + k x 1.4826 MAD, not shadow", vhr_sun_roof_k),
    VHR_KEY("sun_distance_m", "2", 0, 0, TB_RANGE_MIN_OPEN | TB_RANGE_NO_MAX,
            "sun estimate: a roof this far (m) from a shadow pixel towards the sun", vhr_sun_distance_m),
    VHR_KEY("shadow_band_m", "3", 0, 0, TB_RANGE_MIN_OPEN | TB_RANGE_NO_MAX,
            "shadow adjacency: the band an object sweeps moved this far (m) away from the sun",
            vhr_shadow_band_m),
    VHR_KEY("min_adjacency", "0.1", 0, 1, 0,
            "object rule: share of that band in shadow at least this; 0 = off", vhr_min_adjacency),
    VHR_KEY("ncc_box_m", "4", 0, 0, TB_RANGE_MIN_OPEN | TB_RANGE_NO_MAX,
            "window (m) of the local NCC of the two dates' brightness", vhr_ncc_box_m),
    VHR_KEY("max_ncc", "0.3", -1, 2, 0,
            "object rule: mean local NCC below this (the pattern changed); above 1 = off", vhr_max_ncc),
    VHR_KEY("min_rise", "0", -2, 2, 0,
            "object rule: mean greyness rise (own date minus other) at least this; -2 = off",
            vhr_min_rise),
    VHR_KEY("min_area_m2", "50", 0, 0, TB_RANGE_NO_MAX,
            "object rule: area (m2) at least this", vhr_min_area_m2),
    VHR_KEY("close_m", "1", 0, 0, TB_RANGE_NO_MAX,
            "disk closing radius (m) of the union of new and removed objects; 0 = off", vhr_close_m),
#undef VHR_KEY

    {"evidence", "brightness_weight", TB_CONFIG_DOUBLE, "1.0", 0, 0, TB_RANGE_NO_MAX,
     "weight of the brightness rise (max of the visible bands, in units of its spread)",
     KEY_OFF(brightness_weight), 0, NULL},
    {"evidence", "vegetation_weight", TB_CONFIG_DOUBLE, "1.0", 0, 0, TB_RANGE_NO_MAX,
     "weight of the NDVI loss (in units of 0.1 NDVI)", KEY_OFF(vegetation_weight), 0, NULL},
    {"evidence", "shadow_weight", TB_CONFIG_DOUBLE, "1.0", 0, 0, TB_RANGE_NO_MAX,
     "weight of a shadow appearing (new) or vanishing (removed)",
     KEY_OFF(shadow_weight), 0, NULL},
    {"evidence", "mbi_weight", TB_CONFIG_DOUBLE, "1.0", 0, 0, TB_RANGE_NO_MAX,
     "weight of the building-index rise (when evidence.mbi is on)",
     KEY_OFF(mbi_weight), 0, NULL},
    {"evidence", "vegetation", TB_CONFIG_BOOL, "true", 0, 1, 0,
     "pixels whose change is explained by vegetation carry no structure evidence",
     KEY_OFF(vegetation), 0, NULL},
    {"evidence", "ndvi_min", TB_CONFIG_DOUBLE, "0.3", -1, 1, 0,
     "vegetation: NDVI above this (needs red and NIR bands)", KEY_OFF(ndvi_min), 0, NULL},
    {"evidence", "greenness_min", TB_CONFIG_DOUBLE, "0", 0, 2, 0,
     "vegetation without NIR: (2G - R - B) / (R + G + B) above this; 0 = off",
     KEY_OFF(greenness_min), 0, NULL},
    {"evidence", "water", TB_CONFIG_BOOL, "true", 0, 1, 0,
     "pixels whose change is explained by water carry no structure evidence",
     KEY_OFF(water), 0, NULL},
    {"evidence", "ndwi_min", TB_CONFIG_DOUBLE, "0.2", -1, 1, 0,
     "water: (G - NIR) / (G + NIR) above this (needs green and NIR bands)",
     KEY_OFF(ndwi_min), 0, NULL},
    {"evidence", "shadow_ratio", TB_CONFIG_DOUBLE, "0.5", 0, 1, 0,
     "shadow: max of visible bands and NIR below this x its after-date median; 0 = off",
     KEY_OFF(shadow_ratio), 0, NULL},
    {"evidence", "mask_explained", TB_CONFIG_BOOL, "false", 0, 1, 0,
     "pixels explained by vegetation or water also leave the change mask",
     KEY_OFF(mask_explained), 0, NULL},
    {"evidence", "mbi", TB_CONFIG_BOOL, "false", 0, 1, 0,
     "compute the morphological building index (MBI) and shadow index (MSI) of both dates",
     KEY_OFF(mbi), 0, NULL},
    {"evidence", "mbi_length_min_m", TB_CONFIG_DOUBLE, "2", 0, 0, TB_RANGE_MIN_OPEN | TB_RANGE_NO_MAX,
     "shortest linear structuring element of the MBI, metres", KEY_OFF(mbi_length_min_m), 0, NULL},
    {"evidence", "mbi_length_max_m", TB_CONFIG_DOUBLE, "30", 0, 0, TB_RANGE_MIN_OPEN | TB_RANGE_NO_MAX,
     "longest linear structuring element of the MBI, metres (>= mbi_length_min_m)",
     KEY_OFF(mbi_length_max_m), 0, NULL},
    {"evidence", "mbi_length_step_m", TB_CONFIG_DOUBLE, "4", 0, 0, TB_RANGE_MIN_OPEN | TB_RANGE_NO_MAX,
     "step between element lengths of the MBI, metres", KEY_OFF(mbi_length_step_m), 0, NULL},
    {"evidence", "msi_min", TB_CONFIG_DOUBLE, "0", 0, 0, TB_RANGE_NO_MAX,
     "shadow also where the MSI exceeds this many brightness spreads (evidence.mbi); 0 = off",
     KEY_OFF(msi_min), 0, NULL},
    {"evidence", "ring_m", TB_CONFIG_DOUBLE, "3", 0, 0, TB_RANGE_MIN_OPEN | TB_RANGE_NO_MAX,
     "width of the ring around a polygon in which shadow adjacency is measured, metres",
     KEY_OFF(ring_m), 0, NULL},
    {"evidence", "ring_weight", TB_CONFIG_DOUBLE, "16", 0, 0, TB_RANGE_NO_MAX,
     "weight of the ring's shadow change (after - before share) in the choice of kind",
     KEY_OFF(ring_weight), 0, NULL},

    {"morphology", "open_radius", TB_CONFIG_INT, "1", 0, 50, 0,
     "binary opening radius in pixels (square element 2r+1); 0 = off",
     KEY_OFF(open_radius), 0, NULL},
    {"morphology", "close_radius", TB_CONFIG_INT, "1", 0, 50, 0,
     "binary closing radius in pixels; 0 = off",
     KEY_OFF(close_radius), 0, NULL},

    {"filter", "min_area_m2", TB_CONFIG_DOUBLE, "20", 0, 0, TB_RANGE_NO_MAX,
     "drop change objects smaller than this on the ground (m2)",
     KEY_OFF(min_area_m2), 0, NULL},
    {"filter", "max_area_m2", TB_CONFIG_DOUBLE, "0", 0, 0, TB_RANGE_NO_MAX,
     "drop change objects larger than this (m2); 0 = no upper bound, else >= min_area_m2",
     KEY_OFF(max_area_m2), 0, NULL},
    {"filter", "min_confidence", TB_CONFIG_DOUBLE, "0", 0, 1, 0,
     "drop polygons whose confidence is below this; 0 = keep all",
     KEY_OFF(min_confidence), 0, NULL},

    {"confidence", "bias", TB_CONFIG_DOUBLE, "-7.5", -100, 100, 0,
     "constant term of the logistic", KEY_OFF(conf_bias), 0, NULL},
    {"confidence", "score", TB_CONFIG_DOUBLE, "0.0", -100, 100, 0,
     "weight of ln(mean score / threshold)", KEY_OFF(conf_score), 0, NULL},
    {"confidence", "rectangularity", TB_CONFIG_DOUBLE, "2.0", -100, 100, 0,
     "weight of the rectangularity (area / minimum rotated rectangle)",
     KEY_OFF(conf_rectangularity), 0, NULL},
    {"confidence", "solidity", TB_CONFIG_DOUBLE, "1.0", -100, 100, 0,
     "weight of the solidity (area / convex hull)", KEY_OFF(conf_solidity), 0, NULL},
    {"confidence", "area", TB_CONFIG_DOUBLE, "1.0", -100, 100, 0,
     "weight of log10(area in m2)", KEY_OFF(conf_area), 0, NULL},
    {"confidence", "direction", TB_CONFIG_DOUBLE, "3.0", -100, 100, 0,
     "weight of the direction consistency |sum e| / sum |e| of the pixel evidence",
     KEY_OFF(conf_direction), 0, NULL},
    {"confidence", "shadow", TB_CONFIG_DOUBLE, "4.0", -100, 100, 0,
     "weight of the shadow adjacency", KEY_OFF(conf_shadow), 0, NULL},
    {"confidence", "explained", TB_CONFIG_DOUBLE, "-4.0", -100, 100, 0,
     "weight of the share of pixels explained by vegetation or water",
     KEY_OFF(conf_explained), 0, NULL},
    {"confidence", "mbi", TB_CONFIG_DOUBLE, "1.0", -100, 100, 0,
     "weight of the mean building-index rise (when evidence.mbi is on)",
     KEY_OFF(conf_mbi), 0, NULL},

    {"output", "gpkg", TB_CONFIG_BOOL, "true", 0, 1, 0,
     "write changes.gpkg", KEY_OFF(write_gpkg), 0, NULL},
    {"output", "geojson", TB_CONFIG_BOOL, "true", 0, 1, 0,
     "write changes.geojson", KEY_OFF(write_geojson), 0, NULL},
    {"output", "mask", TB_CONFIG_BOOL, "true", 0, 1, 0,
     "write changes_mask.tif (0 = unchanged, 1 = change, 255 = no data)",
     KEY_OFF(write_mask), 0, NULL},

    {"scan", "threads", TB_CONFIG_INT, "0", 0, 1024, 0,
     "OpenMP threads; 0 = all cores", KEY_OFF(threads), 0, NULL},
    {"scan", "strip_rows", TB_CONFIG_INT, "256", 16, 65536, 0,
     "rows per strip (memory grows with width x strip_rows)",
     KEY_OFF(strip_rows), 0, NULL},

    {"cases", "store", TB_CONFIG_STRING, "", 0, 0, 0,
     "case store (GeoPackage) a scan merges its polygons into; \"\" = none",
     KEY_OFF(store), 0, NULL},
    {"cases", "grid_layer", TB_CONFIG_STRING, "", 0, 0, 0,
     "unit-grid polygons (any OGR vector, first layer); \"\" = no grid assignment",
     KEY_OFF(grid_layer), 0, NULL},
    {"cases", "grid_code_field", TB_CONFIG_STRING, "grid_code", 0, 0, 0,
     "grid-code field of the grid layer (a string: 15 digits in Beijing, 14 elsewhere)",
     KEY_OFF(grid_code_field), 0, NULL},
    {"cases", "street_field", TB_CONFIG_STRING, "street", 0, 0, 0,
     "street field of the grid layer", KEY_OFF(street_field), 0, NULL},
    {"cases", "community_field", TB_CONFIG_STRING, "community", 0, 0, 0,
     "community field of the grid layer", KEY_OFF(community_field), 0, NULL},
    {"cases", "permit_layers", TB_CONFIG_STRING, "", 0, 0, 0,
     "comma list of approved-construction layers: detections inside are not reported",
     KEY_OFF(permit_layers), 0, NULL},
    {"cases", "existing_layers", TB_CONFIG_STRING, "", 0, 0, 0,
     "comma list of known-building layers: detections inside are not reported",
     KEY_OFF(existing_layers), 0, NULL},
    {"cases", "event_code", TB_CONFIG_STRING, "0101", 0, 0, 0,
     "platform event class of a case (0101 = 私搭乱建 in the GB/T 30428.2 lineage)",
     KEY_OFF(event_code), 0, NULL},
    {"cases", "reopen_growth", TB_CONFIG_DOUBLE, "1.5", 1, 0, TB_RANGE_NO_MAX,
     "a false_alarm/permitted case reopens when a detection over it exceeds its area x this",
     KEY_OFF(reopen_growth), 0, NULL},

    {"eval", "iou", TB_CONFIG_DOUBLE, "0.3", 0, 1, TB_RANGE_MIN_OPEN,
     "object match threshold (intersection over union)", KEY_OFF(eval_iou), 0, NULL},
    {"eval", "min_area_m2", TB_CONFIG_DOUBLE, "0", 0, 0, TB_RANGE_NO_MAX,
     "objects smaller than this (m2) are ignored by object metrics; 0 = none",
     KEY_OFF(eval_min_area_m2), 0, NULL},
    {"eval", "kinds", TB_CONFIG_STRING, "all", 0, 0, 0,
     "which predicted kinds are scored: all, new (labels of new structures only), removed",
     KEY_OFF(eval_kinds), 0, normalise_kinds},
};
_Static_assert(sizeof tb_config_keys / sizeof tb_config_keys[0] == TB_CONFIG_KEY_COUNT,
               "TB_CONFIG_KEY_COUNT does not match the key table");

const tb_config_key *tb_config_key_find(const char *section, const char *name)
{
    for (size_t i = 0; i < TB_CONFIG_KEY_COUNT; i++)
        if (strcmp(tb_config_keys[i].section, section) == 0 &&
            strcmp(tb_config_keys[i].name, name) == 0)
            return &tb_config_keys[i];
    return NULL;
}

const tb_config_section *tb_config_section_find(const char *name)
{
    for (size_t i = 0; i < TB_CONFIG_SECTION_COUNT; i++)
        if (strcmp(tb_config_sections[i].name, name) == 0)
            return &tb_config_sections[i];
    return NULL;
}

/* Appends `text` (with ", " before all but the first) to the list in `buf`. */
static void append_name(char *buf, size_t size, const char *text)
{
    size_t used = strlen(buf);
    if (used + 1 >= size)
        return;
    snprintf(buf + used, size - used, "%s%s", used ? ", " : "", text);
}

void tb_config_section_names(char *buf, size_t size)
{
    if (size == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < TB_CONFIG_SECTION_COUNT; i++)
        append_name(buf, size, tb_config_sections[i].name);
}

void tb_config_key_names(const char *section, char *buf, size_t size)
{
    if (size == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < TB_CONFIG_KEY_COUNT; i++)
        if (strcmp(tb_config_keys[i].section, section) == 0)
            append_name(buf, size, tb_config_keys[i].name);
}

int tb_config_band_list(const tb_config *cfg, int bands[TB_CONFIG_MAX_BANDS])
{
    char why[128];
    if (memchr(cfg->bands, '\0', sizeof cfg->bands) == NULL)
        return -1;
    return parse_bands(cfg->bands, bands, why, sizeof why);
}
