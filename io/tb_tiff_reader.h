/* tb_tiff_reader.h (io-internal): a libtiff fast path for reading rows (and windows
 * of a tiled file) of a plain GeoTIFF as float32 planes, decoding the tiles or strips
 * of a call in parallel.
 *
 * It takes only files whose pixels it can give exactly as GDAL gives them: TIFF or
 * BigTIFF, tiled or stripped, PLANARCONFIG_CONTIG or SEPARATE, any band count, samples
 * Byte, UInt16, Int16, UInt32, Int32 or Float32, compression none, LZW, DEFLATE,
 * PackBits, ZSTD or LZMA (decoded by libtiff, predictors included), photometric
 * min-is-black or RGB, no alpha or other extra sample with a meaning, top-left
 * orientation, no sparse (empty) blocks. Everything else is left to GDAL.
 *
 * Decoded blocks are kept as one cache unit of whole block rows (at least 256 image
 * rows), plus the rows of the unit before that the last call asked for, so the
 * strips of a scan read downwards, which overlap by a halo, and one-row reads decode
 * every block once. A reader holds one TIFF handle and one decode buffer per thread;
 * the reader itself is not thread-safe (one caller at a time). Masks and
 * nodata are not its business: the caller (raster_source.c) keeps them.
 */
#ifndef TB_TIFF_READER_H
#define TB_TIFF_READER_H

typedef struct tb_tiff_reader tb_tiff_reader;

/* Opens `path` with `nthreads` TIFF handles (<= 0: omp_get_max_threads()). Returns
 * NULL, recording no error, when the file is not one this path takes (the caller then
 * reads it through GDAL). */
tb_tiff_reader *tb_tiff_reader_open(const char *path, int nthreads);
void tb_tiff_reader_close(tb_tiff_reader *t);   /* NULL-safe */

int tb_tiff_reader_width(const tb_tiff_reader *t);
int tb_tiff_reader_height(const tb_tiff_reader *t);
int tb_tiff_reader_band_count(const tb_tiff_reader *t);
/* GDAL's name of the sample type: "Byte", "UInt16", "Int16", "UInt32", "Int32", "Float32". */
const char *tb_tiff_reader_type_name(const tb_tiff_reader *t);
/* Blocks (tiles or strips, one band's for SEPARATE) decoded since open: for tests of
 * the cache. */
long tb_tiff_reader_decoded_blocks(const tb_tiff_reader *t);

/* Reads that follow one another downwards share at most `rows` rows (a scan's strips:
 * twice its halo): of a unit being left, only the rows the next read may share are
 * kept. A read reaching further back still gets the right pixels, decoding blocks
 * again. Negative: unknown (the default; every row the last read asked for is kept). */
void tb_tiff_reader_set_overlap(tb_tiff_reader *t, int rows);

/* Reads rows [y0, y0 + rows) of the 1-based `bands` into planes[i] (width * rows
 * floats each, owned by the caller), the values GDALRasterIO(GDT_Float32) gives.
 * Returns 0, or -1 with the error recorded (tb_error, TB_ERR_INPUT_FORMAT naming the
 * file and the block for a corrupt block, TB_ERR_USAGE for rows or bands out of
 * range). */
int tb_tiff_reader_read_rows(tb_tiff_reader *t, int y0, int rows, const int *bands, int nbands,
                             float *const *planes);

/* 1 for a tiled file (windows can be read), 0 for a stripped one. */
int tb_tiff_reader_tiled(const tb_tiff_reader *t);

/* Reads n windows of cols x rows of a tiled file, window i's top-left pixel at
 * (xs[i], ys[i]): band bands[b] of window i into planes[i * nbands + b] (cols * rows
 * floats, owned by the caller), GDAL's values as in tb_tiff_reader_read_rows. The
 * windows are decoded in parallel, each by one thread with its own handle, tile by
 * tile; the row cache is neither used nor changed (co-registration reads a few
 * windows spread over the scene). Returns 0, or -1 with the error recorded
 * (TB_ERR_INPUT_FORMAT naming the file and the tile, TB_ERR_USAGE for a stripped file
 * or a window outside the image, TB_ERR_BANDS). */
int tb_tiff_reader_read_windows(tb_tiff_reader *t, int n, const int *xs, const int *ys, int cols,
                                int rows, const int *bands, int nbands, float *const *planes);

#endif
