/* tb_raster.h: raster inputs and outputs of a scan, through GDAL.
 *
 * A tb_raster is one date: a raster file GDAL can open, a directory of single-band
 * rasters (stacked in file-name order, as OSCD ships Sentinel-2 bands), or a comma
 * list of files (stacked in the order given). Rows are read as float32 planes, one per
 * band, with a validity mask that honours nodata values and mask bands.
 *
 * Handles are not thread-safe (GDAL datasets are not): one handle per thread.
 */
#ifndef TB_RASTER_H
#define TB_RASTER_H

#include <stddef.h>
#include <stdint.h>

#include "tb_error.h"

typedef struct tb_raster tb_raster;

/* Opens `path` (file, directory or comma list). Errors: TB_ERR_INPUT_MISSING when a
 * file does not exist, TB_ERR_INPUT_FORMAT when it is not a raster or the stacked
 * files differ in size. */
tb_status tb_raster_open(const char *path, tb_raster **out);
void tb_raster_close(tb_raster *r);   /* NULL-safe */

const char *tb_raster_path(const tb_raster *r);
int tb_raster_width(const tb_raster *r);
int tb_raster_height(const tb_raster *r);
/* Data bands: a trailing alpha band is not counted (it masks the others). */
int tb_raster_band_count(const tb_raster *r);
const char *tb_raster_type_name(const tb_raster *r);  /* of band 1: "Byte", "UInt16", ... */
const char *tb_raster_driver(const tb_raster *r);

/* Geotransform (GDAL convention); returns 0 when the raster has none. */
int tb_raster_geotransform(const tb_raster *r, double gt[6]);
/* CRS as WKT, or NULL when the raster has none. Owned by the handle. */
const char *tb_raster_crs_wkt(const tb_raster *r);
/* Acquisition date/time from GDAL metadata (IMAGERY ACQUISITIONDATETIME,
 * TIFFTAG_DATETIME, ...), or NULL. Owned by the handle. */
const char *tb_raster_acquisition(const tb_raster *r);
/* Sun azimuth in degrees clockwise from north from GDAL metadata (SUN_AZIMUTH,
 * MEAN_SUN_AZIMUTH, SUN_AZIMUTH_ANGLE, SUNAZIMUTH; DigitalGlobe IMD IMAGE_1.meanSunAz),
 * NAN when none is given. */
double tb_raster_sun_azimuth(const tb_raster *r);

/* Reads rows [y0, y0 + rows) of the 1-based `bands` into planes[i] (width * rows
 * floats each) and sets valid[k] to 1 where every band is valid (not nodata, mask
 * band non-zero, not NaN), else 0. */
tb_status tb_raster_read_rows(tb_raster *r, int y0, int rows, const int *bands, int nbands,
                              float *const *planes, uint8_t *valid);

/* Reads the window [x0, x0 + cols) x [y0, y0 + rows) like tb_raster_read_rows. */
tb_status tb_raster_read_window(tb_raster *r, int x0, int y0, int cols, int rows, const int *bands,
                                int nbands, float *const *planes, uint8_t *valid);

/* Reads n windows of cols x rows, window i at (xs[i], ys[i]), like
 * tb_raster_read_window: band b of window i into planes[i * nbands + b], its validity
 * at valid + i * cols * rows. A tiled plain GeoTIFF is decoded in parallel through
 * libtiff (at most TB_RASTER_MAX_WINDOW_BANDS bands); anything else is read window by
 * window through GDAL. */
#define TB_RASTER_MAX_WINDOW_BANDS 64
tb_status tb_raster_read_windows(tb_raster *r, int n, const int *xs, const int *ys, int cols,
                                 int rows, const int *bands, int nbands, float *const *planes,
                                 uint8_t *valid);

/* 1 when the raster has no CRS but RPC metadata (an L1A scene: orthorectify it). */
int tb_raster_has_rpc(const tb_raster *r);

/* Gives a raster without a CRS the CRS `text` (EPSG:n, PROJ string, WKT or a file
 * holding WKT). TB_ERR_CRS with `origin` (e.g. "align.before_crs") when PROJ does not
 * understand it. */
tb_status tb_raster_assign_crs(tb_raster *r, const char *text, const char *origin);

/* Two rasters share a grid: same size, same geotransform (within 1e-6 of a pixel),
 * same CRS (or both none). Returns TB_OK or TB_ERR_GRID with a message naming both
 * files and what differs. */
tb_status tb_raster_same_grid(const tb_raster *a, const tb_raster *b);

/* ---- single-band outputs, written in row order ---------------------------------- */

typedef enum tb_sample_type { TB_U8, TB_U32, TB_F32 } tb_sample_type;

typedef struct tb_raster_writer tb_raster_writer;

/* Creates a single-band striped DEFLATE GeoTIFF of the given grid, for users.
 * `nodata` < 0 sets none. `wkt` may be NULL, `gt` may be NULL. */
tb_status tb_raster_writer_create(const char *path, int width, int height, tb_sample_type type,
                                  const double *gt, const char *wkt, double nodata,
                                  tb_raster_writer **out);
/* The same for a scratch raster this process writes and reads back itself: ZSTD level
 * 1, far cheaper to write and read than DEFLATE; no no-data value. */
tb_status tb_raster_writer_create_scratch(const char *path, int width, int height,
                                          tb_sample_type type, const double *gt,
                                          const char *wkt, tb_raster_writer **out);
tb_status tb_raster_writer_write(tb_raster_writer *w, int y0, int rows, const void *data);
/* Reads back rows already written (the scan's provisional labels). */
tb_status tb_raster_writer_read(tb_raster_writer *w, int y0, int rows, void *data);
/* Sets a metadata item on the dataset. */
void tb_raster_writer_set_metadata(tb_raster_writer *w, const char *key, const char *value);
/* GDAL band handle for GDAL algorithms inside io/ (opaque pointer to avoid GDAL headers). */
void *tb_raster_writer_band(tb_raster_writer *w);
/* Flushes and closes; returns the first write error. NULL-safe. */
tb_status tb_raster_writer_close(tb_raster_writer *w);

/* Bytes of one row of blocks across all data bands (what a strip reader keeps hot in
 * GDAL's block cache). */
size_t tb_raster_block_row_bytes(const tb_raster *r);

/* 1 when full-width rows are decoded by tuban's libtiff path (not GDAL's cache). */
int tb_raster_fast_rows(const tb_raster *r);

/* Consecutive full-width reads going down share at most `rows` rows (a scan's strips:
 * twice the halo); on the libtiff path only those rows of a decoded unit are kept for
 * the next read. Others may read anywhere still (decoding again). */
void tb_raster_set_read_overlap(tb_raster *r, int rows);

/* Rows of one block of band 1 (1 for scanline formats). */
int tb_raster_block_height(const tb_raster *r);

/* Caps GDAL's block cache (bytes): the scan's memory must not grow with the scene. */
void tb_gdal_set_cache(size_t bytes);

/* Initialises GDAL once (drivers, quiet error handler that records messages). */
void tb_gdal_init(void);
/* The last GDAL error message, or "" (for composing tb_error messages). */
const char *tb_gdal_last_error(void);

#endif
