/* tb_vector.h: the change polygons of a scan, written as GeoPackage and GeoJSON.
 *
 * Polygons come from the scan's final label raster (component ids 1..n, 0 = none):
 * GDAL's polygonizer traces 4-connected parts, and the parts of one 8-connected
 * component become one MultiPolygon (parts that touch only at a corner are valid
 * members of a MultiPolygon; as one polygon they would not be).
 */
#ifndef TB_VECTOR_H
#define TB_VECTOR_H

#include <stdint.h>

#include "tb_error.h"
#include "tb_raster.h"

/* Direction of a change: the value of the polygon's pixels in changes_mask.tif. */
enum { TB_KIND_NEW = 1, TB_KIND_REMOVED = 2 };

/* "new" or "removed" (anything else: "new"). */
const char *tb_kind_name(int kind);

/* Attributes of one change polygon (feature id = index + 1 = label). */
typedef struct tb_change_feature {
    uint32_t id;
    int kind;                        /* TB_KIND_NEW or TB_KIND_REMOVED */
    uint64_t pixels;
    double area_m2, perimeter_m;
    double mean_score, max_score;
    double centroid_x, centroid_y;   /* in the output CRS */
    double lon, lat;                 /* centroid in CGCS2000 (EPSG:4490); NaN without a CRS */
    double direction;                /* mean signed structure evidence per pixel (> 0: new) */
    double consistency;              /* |sum of evidence| / sum of |evidence|, [0, 1] */
    double rectangularity;           /* area / minimum-area rotated rectangle of the hull, (0, 1] */
    double solidity;                 /* area / convex-hull area, (0, 1] */
    double shadow_adjacency;         /* share of the ring around the structure that is shadow */
    double explained_share;          /* share of pixels explained by vegetation or water */
    double mbi_rise;                 /* mean building-index rise towards the kind; NaN: not computed */
    double confidence;               /* [0, 1] */
    int32_t first_row, last_row;     /* rows of the label raster the component spans */
} tb_change_feature;

/* Polygonizes the label raster file `labels_path` (ids 1..n, numbered in raster order
 * of their first pixel; tb_polygonize_file) and writes the layer "changes" to
 * `gpkg_path` and/or `geojson_path` (either may be NULL), in CRS `wkt` (NULL: none).
 * `meta` is a NULL-terminated list of key, value, key, value... stored as layer metadata
 * (GeoPackage) and as the "tuban" member of the GeoJSON FeatureCollection. Files are
 * written at the paths given; the caller writes to temporary names and renames. With
 * `threads` > 1 the files are written on a thread of their own while the bands are
 * polygonized (same files). */
tb_status tb_write_changes(const char *labels_path, const tb_change_feature *features,
                           uint32_t n, const char *wkt, const char *gpkg_path,
                           const char *geojson_path, const char *const *meta, int threads);

#endif
