/* align_internal.h (io-internal): shared by the grid planner and the warper. */
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

#endif
