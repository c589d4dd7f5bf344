/* tb_synth.h: realistic synthetic before/after pairs with known truth.
 *
 * The generator is procedural: every pixel is a pure function of (seed, x, y, date)
 * and of a list of scene objects placed from the seed, so a scene of any size is
 * written strip by strip in bounded memory and the same seed gives the same files.
 */
#ifndef TB_SYNTH_H
#define TB_SYNTH_H

#include <stdint.h>

#include "tb_error.h"

typedef struct tb_synth_params {
    int width, height;          /* pixels */
    uint64_t seed;
    double pixel_size;          /* metres, default 0.8 */
    int epsg;                   /* default 4548 (CGCS2000 / 3-degree GK CM 117E) */
    double origin_x, origin_y;  /* upper-left corner in the CRS (default: inside Tongzhou, Beijing) */
    int n_structures;           /* new structures; 0 = automatic from the area (a few hundred at 1024^2+) */
    const char *compress;       /* GeoTIFF compression: "DEFLATE" (default) or "NONE" */
    int tiled;                  /* 1: 256x256 tiles; 0: strips */
} tb_synth_params;

/* Defaults for a square scene of `size` pixels. */
void tb_synth_defaults(tb_synth_params *p, int size, uint64_t seed);

/* Writes into `outdir` (created if missing):
 *   before.tif, after.tif  4-band (B, G, R, NIR) UInt16 GeoTIFFs on the same grid
 *   truth.geojson          new-structure polygons (id, kind, area_m2, roof)
 *   truth_mask.tif         Byte: 1 = new structure, 0 = not
 * Returns TB_OK or an error recorded with tb_error(). */
tb_status tb_synth_generate(const char *outdir, const tb_synth_params *p);

#endif
