/* align_internal.h (io-internal): shared by the grid planner, the warper and
 * raster_describe.c. */
#ifndef TB_ALIGN_INTERNAL_H
#define TB_ALIGN_INTERNAL_H

#include "raster_internal.h"
#include "tb_align.h"

/* GDALCreateGenImgProjTransformer2 options taking `r` into `dst_wkt` (NULL: plain
 * pixel grids on both sides): assigned source CRS, RPC with DEM or flat height. */
char **tb_align_transformer_options(const tb_raster *r, const char *dst_wkt,
                                    const tb_align_options *opt);

/* 1 when two CRSs (WKT, NULL = none) are the same for OGR; two NULLs are the same. */
int tb_align_same_crs(const char *a, const char *b);

/* Footprint [minx, miny, maxx, maxy] of `r` in `dst_wkt`, and the pixel size GDAL
 * suggests there (*pixel). Exact for a north-up raster already in that CRS, else GDAL's
 * suggested warp output, which follows the edges. The function returns TB_OK, or
 * TB_ERR_CRS (message recorded) when `r` cannot be carried into `dst_wkt`. */
tb_status tb_align_footprint(const tb_raster *r, const char *dst_wkt,
                             const tb_align_options *opt, double ext[4], double *pixel);

#endif
