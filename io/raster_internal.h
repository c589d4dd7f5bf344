/* raster_internal.h (io-internal): the tb_raster handle, shared by the reader and
 * the warper. */
#ifndef TB_RASTER_INTERNAL_H
#define TB_RASTER_INTERNAL_H

#include <gdal.h>

#include "tb_raster.h"
#include "tb_tiff_reader.h"

struct tb_raster {
    char *path;
    GDALDatasetH ds;        /* what rows are read from (the source, or a VRT over it) */
    int borrowed;           /* ds belongs to another handle: do not close it */
    int width, height, nbands;
    int alpha;              /* 1-based alpha band, 0: none */
    char *wkt;              /* NULL: no CRS */
    int crs_assigned;       /* wkt came from configuration, not from the file */
    int has_rpc;            /* no CRS of its own, but RPC metadata */
    char *acquisition;      /* NULL: unknown */
    double gt[6];
    int has_gt;
    uint8_t *mask_buf;      /* rows of one band's mask, grown on demand */
    size_t mask_cap;
    tb_tiff_reader *fast;   /* libtiff fast path for full-width rows, NULL: GDAL only */
};

/* Wraps an open dataset (taking it over unless `borrowed`) into a handle named `path`;
 * `acquisition` may be NULL. NULL on no memory (the dataset is then closed unless
 * borrowed). */
tb_raster *tb_raster_wrap(GDALDatasetH ds, const char *path, const char *acquisition, int borrowed);

#endif
