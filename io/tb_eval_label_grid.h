/* tb_eval_label_grid.h: a truth label put onto the grid of a scan's change mask.
 *
 * Dataset labels are drawn on the before-image's grid and often carry no
 * georeferencing of their own (OSCD's <city>-cm.tif). A scan whose dates lie on
 * different grids writes its mask on the after-image's grid (OSCD hongkong), so the
 * label must be resampled before pixels can be compared. Nearest neighbour keeps the
 * label's classes. The code lives in io/eval_label_grid.c.
 *
 * Ownership: paths are only read; the output file belongs to the caller.
 */
#ifndef TB_EVAL_LABEL_GRID_H
#define TB_EVAL_LABEL_GRID_H

#include "tb_error.h"

/* Puts the raster `label` onto the grid of the raster `grid` (changes_mask.tif).
 * The label's georeferencing is its own when it has a geotransform and a CRS, else
 * that of `ref` (the before-image, or one band file of it) when `ref` has both and
 * the label's size. When the label already lies on the grid (same size, geotransform
 * within 1e-6 pixel, same CRS), or neither side is georeferenced and the sizes agree,
 * the function sets *warped = 0 and writes nothing. Otherwise it writes `out` (GTiff,
 * Float32, band 1; NaN, which tb_eval skips, where the label does not reach) by nearest
 * neighbour and sets *warped = 1.
 * The function returns TB_OK, TB_ERR_INPUT_MISSING / _FORMAT for an unreadable file,
 * TB_ERR_GRID when the sizes differ and there is no georeferencing to warp with,
 * TB_ERR_CRS when GDAL cannot transform, TB_ERR_OUTPUT when `out` cannot be written. */
tb_status tb_eval_label_onto_grid(const char *label, const char *ref, const char *grid,
                                  const char *out, int *warped);

#endif
