/* tb_synth.h: realistic synthetic before/after pairs with known truth.
 *
 * The generator is procedural: every pixel is a pure function of (seed, x, y, date)
 * and of a list of scene objects placed from the seed, so a scene of any size is
 * written strip by strip in bounded memory and the same seed gives the same files,
 * whatever the number of threads.
 *
 * A scene is rural land near Beijing: a grid of roads (asphalt, concrete, dirt) with
 * rows of trees, farmland cut into strips (crop rows, young crops, bare soil, grass,
 * plastic greenhouses), villages of courtyard houses, work yards with sheds, orchards.
 * Between the two dates: a few hundred new structures appear (the truth), and
 * distractors change: the vegetation turns greener or browner field by field, cars
 * move, the sensor noise is drawn anew, and every band gets a gain and an offset.
 *
 * Ownership: the caller owns the parameter struct and every string it points to;
 * the library keeps no reference after tb_synth_run() returns.
 */
#ifndef TB_SYNTH_H
#define TB_SYNTH_H

#include <stdint.h>

#include "tb_error.h"

enum { TB_SYNTH_BANDS = 4 }; /* Blue, Green, Red, NIR */

typedef struct tb_synth_params {
    int width, height;          /* pixels */
    uint64_t seed;
    double pixel_size;          /* metres, default 0.8 */
    int epsg;                   /* default 4548 (CGCS2000 / 3-degree GK CM 117E) */
    double origin_x, origin_y;  /* upper-left corner in the CRS (default: inside Tongzhou, Beijing) */
    int n_structures;           /* new structures; -1 = automatic (one per ~3000 m^2), 0 = none (a no-change pair) */
    int n_removed;              /* existing buildings demolished between the dates (default 0) */
    const char *compress;       /* GeoTIFF compression: "DEFLATE" (default) or "NONE" */
    int tiled;                  /* 1: 256x256 tiles; 0: strips */

    /* Radiometric difference between the dates, per band (B, G, R, NIR), applied to
     * the after image before the sensor noise: after = gain * before + offset. */
    double gain[TB_SYNTH_BANDS];
    double offset[TB_SYNTH_BANDS];
    /* Sun (degrees; azimuth clockwise from north), the same at both dates. */
    double sun_azimuth, sun_elevation;
    /* Acquisition times, ISO 8601 in UTC ("2026-05-03T02:30:00Z"). */
    const char *date_before, *date_after;

    /* Optional progress callback: `done` in [0,1]; returning 0 cancels the run
     * (tb_synth_run() then returns TB_ERR_CANCELLED and leaves no file behind). */
    int (*progress)(double done, const char *stage, void *user);
    void *progress_user;
} tb_synth_params;

/* What a run produced (for the one-line summary and for tests). */
typedef struct tb_synth_summary {
    int n_structures;           /* new structures: truth features of kind "new" */
    int n_removed;              /* demolished buildings: truth features of kind "removed" */
    int n_buildings;            /* existing buildings (present at both dates) */
    int n_cars_before, n_cars_after;
    long long truth_pixels;     /* pixels set to 1 in truth_mask.tif (new structures) */
    long long removed_pixels;   /* pixels set to 2 (demolished buildings) */
    double truth_area_m2;       /* sum of the areas of the new-structure polygons */
} tb_synth_summary;

/* Defaults for a square scene of `size` pixels: 0.8 m pixels in EPSG:4548 with the
 * upper-left corner at (470000, 4420000), automatic structure count, DEFLATE,
 * 256x256 tiles, gains (1.08, 1.07, 1.06, 1.10) and offsets (40, 35, 30, 20),
 * sun at azimuth 145 and elevation 58 degrees, dates 2026-05-03 and 2026-06-14. */
void tb_synth_defaults(tb_synth_params *p, int size, uint64_t seed);

/* Writes into `outdir` (created if missing):
 *   before.tif, after.tif  4-band (B, G, R, NIR) UInt16 GeoTIFFs on the same grid
 *   truth.geojson          truth polygons (id, kind new|removed, area_m2, shape rect|L,
 *                          roof, height_m) in the scene CRS: the new structures, then
 *                          the demolished buildings (ids continue)
 *   truth_mask.tif         Byte: 1 = new structure, 2 = demolished building, 0 = no
 *                          change; it is exactly the truth polygons rasterised at pixel
 *                          centres
 * Every file is written under a temporary name and renamed at the end, so a failed
 * run leaves no partial file. `summary` may be NULL.
 * Returns TB_OK or an error recorded with tb_error() (TB_ERR_USAGE for bad
 * parameters, TB_ERR_OUTPUT when a file cannot be written). */
tb_status tb_synth_run(const char *outdir, const tb_synth_params *p, tb_synth_summary *summary);

/* tb_synth_run() without a summary. */
tb_status tb_synth_generate(const char *outdir, const tb_synth_params *p);

#endif
