/* tb_polygonize.h (io-internal): label raster -> MultiPolygons, with OGR types. */
#ifndef TB_POLYGONIZE_H
#define TB_POLYGONIZE_H

#include <stdint.h>

#include <ogr_api.h>

#include "tb_raster.h"

/* Receives the MultiPolygon of label `label` (1..n), made of the 4-connected parts of
 * that label, and takes it over. Returns TB_OK, or an error after which no further
 * component is handed over. */
typedef tb_status (*tb_polygon_sink)(void *arg, uint32_t label, OGRGeometryH geom);

/* Polygonizes `labels` (ids 1..n, 0 = none) and hands every component's MultiPolygon
 * to `sink` as soon as all its parts are traced: a component is complete when its
 * parts cover its `pixels[label - 1]` pixels. Components therefore arrive in the
 * order they end (top to bottom), and memory holds only those not yet complete, not
 * all of them. Every label 1..n is handed over exactly once. */
tb_status tb_polygonize_stream(tb_raster_writer *labels, uint32_t n, const uint64_t *pixels,
                               tb_polygon_sink sink, void *arg);

#endif
