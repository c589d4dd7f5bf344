/* tb_case_merge.h: merges one scan's polygons into the case store.
 *
 * Reads OUTDIR/changes.gpkg (layer `changes`; metadata BEFORE, AFTER, BEFORE_DATE,
 * AFTER_DATE, TUBAN_VERSION, THRESHOLD), puts every polygon in EPSG:4490 lon/lat and
 * applies, in ONE store transaction (polygons of kind `removed`, a structure that
 * vanished, take part only in the rules that say so; a changes.gpkg without the
 * `kind` field is all `new`):
 *   - a polygon overlapping an open case (any status but verified, false_alarm,
 *     permitted) updates it: last_seen, area, growth = area - first_area, geometry,
 *     evidence; a rectified case so matched is reopened ("still standing");
 *   - a polygon overlapping a false_alarm or permitted case is suppressed, unless its
 *     area exceeds that case's area x reopen_growth, which reopens the case;
 *   - a rectified case that no `new` polygon overlaps is verified when it lies inside
 *     the scan's footprint or a `removed` polygon overlaps it (the demolition seen);
 *   - a `removed` polygon over any other open case adds a history row ("structure seen
 *     removed", status unchanged: closing is the platform's decision); a `removed`
 *     polygon never opens, updates, reopens or suppresses a case, and is counted;
 *   - a polygon lying >= exclusion_share inside a permit or existing-building layer is
 *     recorded in `exclusions` (reason permitted | existing), not made a case;
 *   - any other `new` polygon opens a case TB-YYYYMMDD-<grid code or 15 zeros>-NNNN
 *     (YYYYMMDD: the after-image date, else today; NNNN: the day's sequence), with the
 *     grid, street and community of the grid-layer polygon holding its centroid (none:
 *     grid_code "" and outside_grid = 1; counted, kept).
 * A case's confidence is the polygon's `confidence` (area-weighted over the polygons
 * matching it); for scans without that field, mean score / (2 x THRESHOLD), capped at 1.
 * Evidence chips (opt->evidence, default on): when a case is opened, and when a scan
 * reopens or verifies it, two PNGs (tb_evidence.h) are written,
 *   <directory of the store>/evidence/<case_id>/<after date YYYYMMDD>_before.png
 *   <directory of the store>/evidence/<case_id>/<after date YYYYMMDD>_after.png
 * (a second pair of the same date is named YYYYMMDD_2_..., and so on) from the scan's
 * BEFORE and AFTER rasters around the detection (verification: the case's stored
 * polygon), and their absolute paths are appended to the case's `evidence` list in the
 * same transaction. Chips are written before the case row naming them; if the
 * transaction then fails they stay on disk unreferenced (a retry writes the same
 * names again): a case never names a missing file. A raster that cannot be opened or
 * placed (moved away, no CRS) skips its chips with one warning line on stderr and
 * counts in evidence_missing; a chip that cannot be written fails the merge.
 * The scan is recorded in `scans` under a key hashed from its features and its
 * before/after paths: merging the same scan again changes nothing (already_merged = 1).
 * Relations are the store's history rows (source "scan"). Errors: TB_ERR_INPUT_* for
 * the changes file or a layer option, TB_ERR_STORE (store unchanged) for the store.
 */
#ifndef TB_CASE_MERGE_H
#define TB_CASE_MERGE_H

#include "tb_error.h"

typedef struct tb_cases_options {
    double reopen_growth;   /* suppressed detections reopen past area x this (1.5) */
    double exclusion_share; /* share of a detection inside an exclusion layer (0.5) */
    const char *grid_layer; /* any OGR vector (first layer), or NULL */
    const char *grid_code_field, *street_field, *community_field; /* "grid_code", "street", "community" */
    const char *const *permit_layers;   /* NULL-terminated list of OGR vectors, or NULL */
    const char *const *existing_layers; /* NULL-terminated list of OGR vectors, or NULL */
    const char *event_code; /* "0101" (私搭乱建) */
    const char *footprint;  /* raster whose extent the scan covered; NULL: changes_mask.tif
                               beside changes.gpkg when present, else the layer extent */
    int evidence;             /* 1: write evidence chips (default), 0: none */
    double evidence_margin_m; /* margin around the polygon (TB_EVIDENCE_MARGIN_M, 20 m) */
    int evidence_size_px;     /* chip side (TB_EVIDENCE_SIZE_PX, 256) */
} tb_cases_options;

/* Counts of one merge (every member set by tb_cases_merge). */
typedef struct tb_merge_report {
    char scan_key[40];
    int already_merged;
    long polygons, new_cases, updated_cases, reopened, verified, suppressed;
    long excluded_permitted, excluded_existing, outside_grid;
    long removed_polygons;  /* polygons of kind `removed` in the scan */
    long removals_noted;    /* open cases given a "seen removed" history row */
    long evidence_chips;   /* chips written */
    long evidence_missing; /* chips skipped: the BEFORE or AFTER raster could not be read */
} tb_merge_report;

/* The defaults above. */
void tb_cases_options_init(tb_cases_options *opt);

/* Merges `changes_gpkg` into the store at `store_path` (created on first use). */
tb_status tb_cases_merge(const char *store_path, const char *changes_gpkg,
                         const tb_cases_options *opt, tb_merge_report *rep);

#endif
