/* tb_align.h: the common grid of a pair, and each date warped onto it.
 *
 * The target grid is, by default, the after-image's grid clipped to the intersection
 * of both footprints; configuration may name another CRS and pixel size. Each date is
 * then read through GDAL's warper (a warped VRT: streamed block by block, PROJ
 * underneath), with a co-registration shift folded into the same warp so pixels are
 * resampled once. A date already on the target grid is read as it is (or through a
 * plain window), without resampling.
 */
#ifndef TB_ALIGN_H
#define TB_ALIGN_H

#include <stdint.h>

#include "tb_error.h"
#include "tb_raster.h"

typedef struct tb_align_options {
    const char *crs;          /* target CRS text; "" or NULL: the after-image's */
    double pixel_size;        /* target pixel size in target-CRS units; 0: after-image's */
    const char *resampling;   /* nearest, bilinear, cubic, cubicspline, lanczos, average */
    const char *dem;          /* DEM for RPC inputs; "" or NULL: flat rpc_height */
    double rpc_height;
} tb_align_options;

typedef struct tb_grid {
    int width, height;
    double gt[6];
    char *wkt;                /* NULL: a plain pixel grid (neither input has a CRS) */
    double covered_before;    /* share of the after-image's footprint the before-image covers */
} tb_grid;

/* Plans the target grid of `before` and `after` (CRSs already assigned where the
 * configuration gives them). Errors: TB_ERR_CRS when only one input has a CRS, when
 * align.crs is not a CRS, or when an RPC input needs align.crs; TB_ERR_GRID when the
 * footprints do not overlap or pixel grids differ in size. */
tb_status tb_align_plan(const tb_raster *before, const tb_raster *after,
                        const tb_align_options *opt, tb_grid *grid);
void tb_grid_clear(tb_grid *grid);   /* frees grid->wkt; NULL-safe */

/* Opens `src` as seen on `grid`, shifted by (dx, dy) target pixels: the result at
 * (x, y) shows what `src` shows at grid position (x + dx, y + dy). Pixels outside `src`
 * are invalid (an alpha band). `src` must stay open while the result is used.
 * *warped is set to 1 when pixels are resampled, 0 when read as they are. */
tb_status tb_raster_on_grid(tb_raster *src, const tb_grid *grid, const tb_align_options *opt,
                            double dx, double dy, tb_raster **out, int *warped);

/* Human name of a GDAL resampling: returns 0 when `name` is not one. */
int tb_align_resampling_known(const char *name);

#endif
