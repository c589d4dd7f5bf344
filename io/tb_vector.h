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

/* Attributes of one change polygon (feature id = index + 1 = label). */
typedef struct tb_change_feature {
    uint32_t id;
    uint64_t pixels;
    double area_m2, perimeter_m;
    double mean_score, max_score;
    double centroid_x, centroid_y;   /* in the output CRS */
    double lon, lat;                 /* centroid in CGCS2000 (EPSG:4490); NaN without a CRS */
} tb_change_feature;

/* Polygonizes `labels` (ids 1..n) and writes the layer "changes" to `gpkg_path` and/or
 * `geojson_path` (either may be NULL), in CRS `wkt` (NULL: none). `meta` is a
 * NULL-terminated list of key, value, key, value... stored as layer metadata (GeoPackage)
 * and as the "tuban" member of the GeoJSON FeatureCollection. Files are written at the
 * paths given; the caller writes to temporary names and renames. */
tb_status tb_write_changes(tb_raster_writer *labels, const tb_change_feature *features,
                           uint32_t n, const char *wkt, const char *gpkg_path,
                           const char *geojson_path, const char *const *meta);

#endif
