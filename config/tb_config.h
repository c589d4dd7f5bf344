/* tb_config.h: the one settings struct of a scan, its defaults, and the INI parser.
 *
 * Every key lives in one table (config/config_keys.c) that gives its section, name,
 * type, default, valid range and one-line documentation; the parser, the command-line
 * overrides (`--set section.key=value`), `tuban scan --help` and the metadata dump are
 * all driven by that table, so a key cannot be documented in one place and missing in
 * another.
 *
 * Ownership: tb_config is a plain caller-owned struct with no pointers; copy it freely.
 */
#ifndef TB_CONFIG_H
#define TB_CONFIG_H

#include <stdio.h>

#include "tb_error.h"

#define TB_CONFIG_STR 1024
#define TB_CONFIG_MAX_BANDS 64 /* highest band index input.bands accepts */

typedef struct tb_config {
    /* [input] */
    double pixel_size;           /* metres per pixel for inputs without georeferencing; 0 = none given */
    char bands[TB_CONFIG_STR];   /* comma list of 1-based bands used for change; "" = all bands */
    char sensor[TB_CONFIG_STR];  /* band roles preset: auto, rgb, bgrn, rgbn, sentinel2, landsat-tm, landsat-oli, none */
    int blue_band, green_band, red_band, nir_band;   /* 1-based raster bands; 0 = from `sensor` */

    /* [align] */
    char crs[TB_CONFIG_STR];         /* target CRS (EPSG:n, PROJ string, WKT file); "" = the after-image's */
    double target_pixel_size;        /* target pixel size in target-CRS units; 0 = after-image's */
    char before_crs[TB_CONFIG_STR];  /* CRS of a before-image that has none; "" = none */
    char after_crs[TB_CONFIG_STR];   /* CRS of an after-image that has none; "" = none */
    char resampling[TB_CONFIG_STR];  /* nearest, bilinear, cubic, cubicspline, lanczos, average */
    char dem[TB_CONFIG_STR];         /* DEM for RPC orthorectification; "" = flat height */
    double rpc_height;               /* flat height (m) for RPC inputs without a DEM */

    /* [coreg] */
    int coreg;                       /* estimate and remove the residual shift between dates */
    int coreg_window;                /* phase-correlation window, pixels (power of two) */
    int coreg_max_windows;           /* windows spread over the overlap */
    double coreg_max_shift;          /* a larger shift (pixels) stops the scan (or warns) */
    double coreg_max_spread;         /* windows spread wider (pixels) disagree: stop (or warn) */
    int coreg_warn_only;             /* 1: a failed or too-large estimate only warns */

    /* [detect] */
    int threshold_auto;          /* 1: Otsu over the scene histogram; 0: use `threshold` */
    double threshold;            /* fixed threshold on the change score (used when !threshold_auto) */
    double threshold_floor;      /* automatic threshold never below this score (1 = typical unchanged difference) */
    double hysteresis_low;       /* < 1: mask at threshold x this, keep components reaching threshold */
    int normalise;               /* per-band linear radiometric normalisation of before to after */
    long sample_pixels;          /* pass-1 sample size cap (pixels on a regular grid) */
    char method[TB_CONFIG_STR];  /* detector: auto, change_vector, vhr_rgb */

    /* [vhr] the building-change recipe for very-high-resolution RGB (pipeline/scan_vhr*.c) */
    double vhr_max_pixel_m;      /* detect.method auto picks vhr_rgb at pixels up to this size */
    double vhr_sigma_m;          /* Gaussian pre-smoothing of every band */
    double vhr_grey_box_m;       /* box mean of the greyness */
    double vhr_grey_k;           /* roof candidates: greyness > median + k x 1.4826 MAD (per date) */
    double vhr_open_m;           /* disk opening radius (before and after road removal) */
    double vhr_road_length_m;    /* a run at least this long ... */
    double vhr_road_width_m;     /* ... whose perpendicular run is at most this is road */
    double vhr_shadow_factor;    /* shadow: brightness below this x the date's median */
    double vhr_sun_azimuth_deg;  /* sun azimuth (clockwise from north); < 0 = estimate per date */
    double vhr_sun_roof_k;       /* sun estimate: roof = greyness > median + k x 1.4826 MAD */
    double vhr_sun_distance_m;   /* sun estimate: roof this far from a shadow towards the sun */
    double vhr_shadow_band_m;    /* shadow adjacency: band swept by the object towards its shadow */
    double vhr_min_adjacency;    /* object rule: share of that band in shadow at least this */
    double vhr_ncc_box_m;        /* local NCC window of the two dates' brightness */
    double vhr_max_ncc;          /* object rule: mean NCC below this */
    double vhr_min_rise;         /* object rule: mean greyness rise at least this */
    double vhr_min_area_m2;      /* object rule: area at least this */
    double vhr_close_m;          /* disk closing radius of the union of both kinds */

    /* [evidence] direction of change and what explains it */
    double brightness_weight;    /* weight of the rise of the brightness (max of visible bands) */
    double vegetation_weight;    /* weight of the loss of NDVI */
    double shadow_weight;        /* weight of a shadow appearing (+) or vanishing (-) */
    double mbi_weight;           /* weight of the rise of the building index */
    int vegetation;              /* pixels explained by vegetation carry no structure evidence */
    double ndvi_min;             /* vegetation: NDVI above this (needs red and NIR) */
    double greenness_min;        /* vegetation without NIR: (2G - R - B) / (R + G + B) above this; 0 = off */
    int water;                   /* pixels explained by water carry no structure evidence */
    double ndwi_min;             /* water: (G - NIR) / (G + NIR) above this */
    double shadow_ratio;         /* shadow: brightness below this x the after-date's median; 0 = off */
    int mask_explained;          /* explained pixels also leave the change mask */
    int mbi;                     /* compute the morphological building and shadow indices */
    double mbi_length_min_m, mbi_length_max_m, mbi_length_step_m;   /* linear elements, metres */
    double msi_min;              /* shadow also where MSI exceeds this many brightness spreads; 0 = off */
    double ring_m;               /* width of the ring for shadow adjacency, metres */
    double ring_weight;          /* weight of the ring's shadow change in the choice of kind */

    /* [confidence] logistic over the polygon's features */
    double conf_bias, conf_score, conf_rectangularity, conf_solidity, conf_area;
    double conf_direction, conf_shadow, conf_explained, conf_mbi;

    /* [morphology] */
    int open_radius;             /* binary opening radius in pixels (square element 2r+1); 0 = off */
    int close_radius;            /* binary closing radius in pixels; 0 = off */

    /* [filter] */
    double min_area_m2;          /* drop components smaller than this on the ground */
    double max_area_m2;          /* drop components larger than this; 0 = no upper bound */
    double min_confidence;       /* drop polygons whose confidence is below this */

    /* [output] */
    int write_gpkg;              /* changes.gpkg */
    int write_geojson;           /* changes.geojson */
    int write_mask;              /* changes_mask.tif (0 = unchanged, 1 = change, 255 = no data) */

    /* [scan] */
    int threads;                 /* OpenMP threads; 0 = all cores */
    int strip_rows;              /* rows per strip (memory grows with width x strip_rows) */

    /* [cases] */
    char store[TB_CONFIG_STR];            /* case store a scan merges into; "" = none */
    char grid_layer[TB_CONFIG_STR];       /* unit-grid polygons (any OGR vector); "" = none */
    char grid_code_field[TB_CONFIG_STR];  /* its grid-code field */
    char street_field[TB_CONFIG_STR];     /* its street field */
    char community_field[TB_CONFIG_STR];  /* its community field */
    char permit_layers[TB_CONFIG_STR];    /* comma list of approved-construction layers */
    char existing_layers[TB_CONFIG_STR];  /* comma list of known-building layers */
    char event_code[TB_CONFIG_STR];       /* platform event class of a case */
    double reopen_growth;                 /* suppressed detection reopens past area x this */

    /* [eval] */
    double eval_iou;             /* object match threshold (intersection over union) */
    double eval_min_area_m2;     /* objects smaller than this are ignored by object metrics; 0 = none */
    char eval_kinds[TB_CONFIG_STR];  /* which predicted kinds are scored: all, new, removed */
} tb_config;

/* Fills `cfg` with the documented defaults. */
void tb_config_defaults(tb_config *cfg);

/* Reads an INI file over `cfg` (keys not in the file keep their current values).
 * Unknown sections or keys, bad values, out-of-range values and syntax errors give
 * TB_ERR_CONFIG with the message "PATH:LINE: reason". A file that cannot be opened
 * gives TB_ERR_CONFIG "PATH: cannot open config file (reason)". On error `cfg` is
 * left unchanged. */
tb_status tb_config_load(tb_config *cfg, const char *path);

/* Sets one key ("section.key") from text, as the INI parser would. `origin` names the
 * source in error messages (e.g. "--set" or "--min-area"): TB_ERR_CONFIG with
 * "ORIGIN: reason". On error `cfg` is left unchanged. */
tb_status tb_config_set(tb_config *cfg, const char *key, const char *value, const char *origin);

/* Writes every key with its default and documentation, grouped by section. */
void tb_config_print_help(FILE *out);

/* Writes the effective configuration as a complete INI document (every key, its
 * current value). Returns a malloc'd string the caller frees, or NULL on no memory. */
char *tb_config_to_ini(const tb_config *cfg);

/* Checks the whole configuration: every key in its range (also for fields set directly
 * in the struct) and the rules that tie keys together (filter.max_area_m2, when not 0,
 * must be >= filter.min_area_m2). Run it once after tb_config_load and all
 * tb_config_set overrides: a file may rely on a later override to become consistent, so
 * neither function runs it. `origin` names the configuration in messages ("ORIGIN:
 * reason"). Returns TB_OK or TB_ERR_CONFIG. */
tb_status tb_config_validate(const tb_config *cfg, const char *origin);

/* Parses cfg->bands into `bands` (1-based indices, in the order given). Returns the
 * number of bands (0 = all bands of the input), or -1 when the list is invalid (only
 * possible if the field was written directly; tb_config_validate reports it). */
int tb_config_band_list(const tb_config *cfg, int bands[TB_CONFIG_MAX_BANDS]);

#endif
