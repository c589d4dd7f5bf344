/* tb_polygonize.h (io-internal): label raster -> MultiPolygons, with OGR types. */
#ifndef TB_POLYGONIZE_H
#define TB_POLYGONIZE_H

#include <stdint.h>

#include <gdal.h>
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

/* The same for a band of labels first .. first + n - 1 only (pixels[i]: those of label
 * first + i), in the coordinates of the band's geotransform. */
tb_status tb_polygonize_band(GDALRasterBandH band, uint32_t first, uint32_t n,
                             const uint64_t *pixels, tb_polygon_sink sink, void *arg);

/* Bands of whole rows of a width x height label raster that none of the n components
 * crosses (component i spans rows first_row[i] .. last_row[i]), each of a few MiB of
 * labels unless a component is taller: band b is rows starts[b] .. starts[b + 1] - 1
 * (`starts` holds height / 16 + 2 entries). Returns the number of bands, or 0 when a band
 * would exceed its size limit or a row span lies outside the raster. */
int tb_polygon_bands(int width, int height, uint32_t n, const int32_t *first_row,
                     const int32_t *last_row, int *starts);

/* Polygonizes the label raster file `path` (ids 1..n in raster order of their first
 * pixel, 0 = none; component i spans rows first_row[i] .. last_row[i]) in the bands of
 * tb_polygon_bands, on all threads, each band read through its thread's own handle.
 * Every component reaches `sink` once, on whichever thread, one at a time: band after
 * band, within a band in the order they end. The order does not depend on the number
 * of threads. Without bands (see tb_polygon_bands) the raster is streamed whole, as
 * tb_polygonize_stream does. */
tb_status tb_polygonize_file(const char *path, uint32_t n, const uint64_t *pixels,
                             const int32_t *first_row, const int32_t *last_row,
                             tb_polygon_sink sink, void *arg);

#endif
