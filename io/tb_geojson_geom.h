/* tb_geojson_geom.h (io-internal): GeoJSON text of a change polygon's geometry.
 *
 * The same text as OGR_G_ExportToJsonEx with COORDINATE_PRECISION=`decimals`,
 * without its cost: OGR builds a json-c object per coordinate and formats each number
 * through a C++ stream, which took as long as tracing the polygons.
 */
#ifndef TB_GEOJSON_GEOM_H
#define TB_GEOJSON_GEOM_H

#include <stddef.h>

#include <ogr_api.h>

/* A growing text buffer (zero-initialised = empty). */
typedef struct tb_text {
    char *s;
    size_t len, cap;
} tb_text;

/* Replaces the contents of `t` with the GeoJSON geometry object of `g` (NUL-terminated),
 * as OGR would write it with `decimals` decimals. MultiPolygons of plain 2D polygons
 * are written here when `decimals` is 1..9 (above, OGR's rounding follows other
 * rules); any other geometry, any other precision and any coordinate whose text OGR
 * might round otherwise go through OGR. Returns 0, or -1 when out of memory. */
int tb_geojson_geometry(tb_text *t, OGRGeometryH g, int decimals);

void tb_text_free(tb_text *t);

/* OGR's text of coordinate `v` with `decimals` (1..9) decimals into `out` (80 bytes);
 * returns its length, or -1 when it is left to OGR (OGR's rounding heuristics might
 * apply, or v is not finite or above 1e50). */
int tb_geojson_coordinate(char *out, double v, int decimals);

#endif
