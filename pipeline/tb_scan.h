/* tb_scan.h: one scan: two dates of one area -> change polygons, mask and summary.
 *
 * The scan streams: pass 1 reads a regular-grid sample of both dates (radiometric
 * normalisation, score histogram, threshold); pass 2 reads strips with a halo,
 * scores, thresholds, opens/closes and labels them, adding each labelled pixel's
 * direction evidence to its provisional label and spilling provisional labels and
 * shadow flags to compressed scratch rasters; pass 2b reads those back for each kept
 * component's hull and shadow ring; then components get their kind (new/removed),
 * features and confidence and are filtered (area, confidence); pass 3 writes the mask
 * (1 new, 2 removed) and final labels; then polygons are traced and written. Memory grows with the
 * width and the number of components, never with the height.
 */
#ifndef TB_SCAN_H
#define TB_SCAN_H

#include <stdint.h>
#include <stdio.h>

#include "tb_config.h"
#include "tb_kernels.h"

#define TB_SCAN_MAX_BANDS 64

typedef struct tb_scan_result {
    char before[1024], after[1024], outdir[1024];
    char before_date[64], after_date[64];   /* "" when unknown */
    char crs_name[128];                     /* "" when none */
    int width, height, nbands;
    double pixel_w_m, pixel_h_m;            /* at the scene centre */
    uint64_t sample_pixels;                 /* valid pixels in the pass-1 sample */
    int sample_stride;
    uint64_t valid_pixels;                  /* pixels valid in both dates */
    uint64_t change_pixels;                 /* after morphology, before area filter */
    tb_band_fit fits[TB_SCAN_MAX_BANDS];
    int bands[TB_SCAN_MAX_BANDS];           /* 1-based bands used */
    double otsu, floor, threshold;
    int threshold_auto;
    uint32_t components, polygons, dropped_small, dropped_large, dropped_weak;
    uint32_t dropped_confidence;            /* below filter.min_confidence */
    uint32_t new_polygons, removed_polygons;
    double total_area_m2, new_area_m2, removed_area_m2;
    /* evidence */
    int role_bands[4];                      /* blue, green, red, NIR: 1-based bands used, 0 = none */
    char roles_source[96];                  /* where the roles came from */
    double bright_scale, bright_median;     /* brightness-difference spread, after-date median */
    int mbi_lengths_px[3];                  /* evidence.mbi: min, max, step; 0 = off */
    /* detector */
    char method[16];                        /* "change_vector" or "vhr_rgb" */
    double sun_azimuth_deg[2];              /* vhr_rgb: before, after */
    char sun_source[2][12];                 /* "config", "metadata" or "estimated" */
    double grey_threshold[2];               /* vhr_rgb: roof-candidate greyness, before, after */
    uint32_t vhr_objects[2], vhr_kept[2];   /* vhr_rgb: objects found / kept, new, removed */
    /* alignment */
    char grid_crs[128];
    double grid_gt[6];
    double covered_before;                  /* share of the after-footprint the before covers */
    int before_warped, after_warped;        /* 1: resampled onto the grid */
    char coreg_status[160];                 /* "applied", "below 0.05 px", "disabled", ... */
    double shift_x, shift_y;                /* applied to the before-image, grid pixels */
    double estimate_x, estimate_y;          /* estimated (applied or not) */
    double shift_spread_x, shift_spread_y;
    int coreg_windows_used, coreg_windows_tried, coreg_window;
    double coreg_peak;
    uint64_t grid_pixels;
    int strip_rows;                         /* rows per strip used */
    int threads;
    double peak_rss_mb;                     /* peak resident memory of the process */
    double t_align, t_sample, t_detect, t_resolve, t_polygons, t_total;   /* seconds */
    double t_detect_input;   /* of t_detect: waiting for strips to be read (all the
                                reading when it is done in line, one thread) */
} tb_scan_result;

/* Runs one scan of `before` and `after` (paths as tb_raster_open takes them) into
 * `outdir` (created if missing): changes.gpkg, changes.geojson, changes_mask.tif,
 * summary.json (as enabled in `cfg`). Outputs are written under temporary names and
 * renamed only when all are complete, so a failed scan leaves earlier outputs intact.
 * Returns TB_OK or the status of the first error (message via tb_error_message()). */
tb_status tb_scan_run(const char *before, const char *after, const char *outdir,
                      const tb_config *cfg, tb_scan_result *res);

/* Merges the scan in `outdir` into the case store cfg->store ([cases] settings) and
 * prints one line about it to `out` (may be NULL). */
tb_status tb_scan_merge_cases(const tb_config *cfg, const char *outdir, FILE *out);

/* Prints the human summary of a finished scan. */
void tb_scan_print_summary(FILE *out, const tb_scan_result *res);

/* Writes the summary as JSON to `path` (via a temporary name). */
tb_status tb_scan_write_summary_json(const char *path, const tb_scan_result *res,
                                     const tb_config *cfg);

#endif
