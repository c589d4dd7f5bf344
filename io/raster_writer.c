/* raster_writer.c: single-band GeoTIFF outputs written in row order.
 *
 * Used for the change mask a user keeps and for the scan's own scratch rasters
 * (provisional and final component labels, evidence flags). Deliverables are
 * DEFLATE-compressed, which every GeoTIFF reader knows. Scratch rasters are written
 * once and read back once or twice by this process only: they use ZSTD at level 1,
 * which compresses label images (mostly zero, long runs) about as well and several
 * times faster; with DEFLATE, compressing and decompressing them took more time than
 * decoding the inputs.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>

#include "tb_raster.h"

struct tb_raster_writer {
    char *path;
    GDALDatasetH ds;
    GDALRasterBandH band;
    GDALDataType type;
    int width, height;
    tb_status status;
};

static GDALDataType gdal_type(tb_sample_type t)
{
    switch (t) {
    case TB_U8: return GDT_Byte;
    case TB_U32: return GDT_UInt32;
    case TB_F32: return GDT_Float32;
    }
    return GDT_Byte;
}

static tb_status create_with(const char *path, int width, int height, tb_sample_type type,
                             const double *gt, const char *wkt, double nodata, int scratch,
                             tb_raster_writer **out)
{
    tb_gdal_init();
    *out = NULL;
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    if (!drv)
        return tb_error(TB_ERR_INTERNAL, "GDAL has no GTiff driver");
    char **opts = NULL;
    if (scratch) {
        opts = CSLSetNameValue(opts, "COMPRESS", "ZSTD");
        opts = CSLSetNameValue(opts, "ZSTD_LEVEL", "1");
    } else {
        opts = CSLSetNameValue(opts, "COMPRESS", "DEFLATE");
    }
    opts = CSLSetNameValue(opts, "BIGTIFF", "IF_SAFER");
    /* The deliverable's DEFLATE strips are compressed on GDAL's worker threads while
     * the scan fills the next (4096^2: 65 -> 20 ms of the pass). Not for scratch
     * rasters: GDAL then also decodes in its workers, and the scan's strip-sized reads
     * of them got several times slower. */
    const int threads = omp_get_max_threads();
    if (!scratch && threads > 1) {
        char nt[16];
        snprintf(nt, sizeof nt, "%d", threads);
        opts = CSLSetNameValue(opts, "NUM_THREADS", nt);
    }
    /* Strips of at most 64 rows and 2 MiB: GDAL holds the strip being filled (and
     * libtiff its compression buffer), which must not grow to megabytes per row of a
     * wide scene. */
    int rows = (int)(((size_t)2 << 20) / ((size_t)width * (size_t)GDALGetDataTypeSizeBytes(gdal_type(type))));
    rows = rows < 1 ? 1 : rows > 64 ? 64 : rows;
    char block[16];
    snprintf(block, sizeof block, "%d", rows);
    opts = CSLSetNameValue(opts, "BLOCKYSIZE", block);
    CPLErrorReset();
    GDALDatasetH ds = GDALCreate(drv, path, width, height, 1, gdal_type(type), opts);
    CSLDestroy(opts);
    if (!ds)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot create (%s)", path, tb_gdal_last_error());
    if (gt)
        GDALSetGeoTransform(ds, (double *)gt);
    if (wkt)
        GDALSetProjection(ds, wkt);
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    if (nodata >= 0)
        GDALSetRasterNoDataValue(band, nodata);
    tb_raster_writer *w = calloc(1, sizeof *w);
    if (!w) {
        GDALClose(ds);
        return tb_error(TB_ERR_NOMEM, "%s: out of memory", path);
    }
    w->path = CPLStrdup(path);
    w->ds = ds;
    w->band = band;
    w->type = gdal_type(type);
    w->width = width;
    w->height = height;
    *out = w;
    return TB_OK;
}

tb_status tb_raster_writer_create(const char *path, int width, int height, tb_sample_type type,
                                  const double *gt, const char *wkt, double nodata,
                                  tb_raster_writer **out)
{
    return create_with(path, width, height, type, gt, wkt, nodata, 0, out);
}

tb_status tb_raster_writer_create_scratch(const char *path, int width, int height,
                                          tb_sample_type type, const double *gt,
                                          const char *wkt, tb_raster_writer **out)
{
    return create_with(path, width, height, type, gt, wkt, -1, 1, out);
}

tb_status tb_raster_writer_write(tb_raster_writer *w, int y0, int rows, const void *data)
{
    if (w->status)
        return w->status;
    CPLErrorReset();
    if (GDALRasterIO(w->band, GF_Write, 0, y0, w->width, rows, (void *)data, w->width, rows,
                     w->type, 0, 0) != CE_None)
        w->status = tb_error(TB_ERR_OUTPUT, "%s: cannot write rows %d-%d (%s)", w->path, y0,
                             y0 + rows - 1, tb_gdal_last_error());
    return w->status;
}

tb_status tb_raster_writer_read(tb_raster_writer *w, int y0, int rows, void *data)
{
    if (w->status)
        return w->status;
    CPLErrorReset();
    if (GDALRasterIO(w->band, GF_Read, 0, y0, w->width, rows, data, w->width, rows, w->type, 0,
                     0) != CE_None)
        w->status = tb_error(TB_ERR_OUTPUT, "%s: cannot read back rows %d-%d (%s)", w->path, y0,
                             y0 + rows - 1, tb_gdal_last_error());
    return w->status;
}

void tb_raster_writer_set_metadata(tb_raster_writer *w, const char *key, const char *value)
{
    GDALSetMetadataItem(w->ds, key, value, NULL);
}

void *tb_raster_writer_band(tb_raster_writer *w) { return w->band; }

tb_status tb_raster_writer_close(tb_raster_writer *w)
{
    if (!w)
        return TB_OK;
    tb_status st = w->status;
    CPLErrorReset();
    GDALClose(w->ds);   /* flushes: a full disk shows here */
    if (!st && CPLGetLastErrorType() >= CE_Failure)
        st = tb_error(TB_ERR_OUTPUT, "%s: cannot finish writing (%s)", w->path,
                      tb_gdal_last_error());
    CPLFree(w->path);
    free(w);
    return st;
}
