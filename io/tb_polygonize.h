/* tb_polygonize.h (io-internal): label raster -> MultiPolygons, with OGR types. */
#ifndef TB_POLYGONIZE_H
#define TB_POLYGONIZE_H

#include <stdint.h>

#include <ogr_api.h>

#include "tb_raster.h"

/* Returns in *out an array of n MultiPolygons, geoms[i] for label i + 1, each built
 * from the 4-connected parts of that label. Free with tb_polygonize_free. */
tb_status tb_polygonize_labels(tb_raster_writer *labels, uint32_t n, OGRGeometryH **out);
void tb_polygonize_free(OGRGeometryH *geoms, uint32_t n);

#endif
