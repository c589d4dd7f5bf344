/* tb_raster_describe.h: what GDAL tells about one input, for `tuban info`.
 *
 * The reader (tb_raster.h) acts on per-band nodata values, mask flags and alpha bands
 * without exposing them; this module reports them, together with the file each band
 * of a stacked date comes from, the CRS's EPSG code and unit, and the footprint: the
 * four outer pixel corners in the raster's own CRS and in CGCS2000 longitude/latitude
 * (EPSG:4490, longitude first), found through the CRS or, for an RPC-only scene,
 * through its RPCs (at the DEM or flat height of the alignment options).
 *
 * Everything here is a query: nothing is recorded with tb_error() except running out
 * of memory. A fact that cannot be found is reported as absent (a 0 return or flag).
 *
 * Ownership: tb_raster_info is caller-owned; tb_raster_info_clear() frees its band
 * array. Plain C types only: no GDAL header is needed to use this one.
 */
#ifndef TB_RASTER_DESCRIBE_H
#define TB_RASTER_DESCRIBE_H

#include "tb_align.h"
#include "tb_error.h"
#include "tb_raster.h"

/* A band's mask flags, with GDAL's GMF_* meaning. */
enum {
    TB_MASK_ALL_VALID = 1,    /* no mask: every pixel is valid (float NaN still is not) */
    TB_MASK_PER_DATASET = 2,  /* one mask shared by all bands */
    TB_MASK_ALPHA = 4,        /* the mask is derived from an alpha band */
    TB_MASK_NODATA = 8        /* the mask is derived from the nodata value */
};
/* Flags 0: the band has a mask band of its own (e.g. a .msk file or internal mask). */

typedef struct tb_band_info {
    int index;                /* 1-based */
    char type[16];            /* GDAL data type name: "Byte", "UInt16", "Float32", ... */
    char color[32];           /* colour interpretation: "Red", "Gray", "Undefined", ... */
    char description[256];    /* band description; "" when none */
    char source[1024];        /* the file this band is read from when the raster is a VRT
                               * (a stacked directory or comma list); "" otherwise */
    int has_nodata;
    double nodata;            /* valid when has_nodata */
    int mask_flags;           /* TB_MASK_* */
} tb_band_info;

typedef struct tb_raster_info {
    int nbands;               /* data bands (tb_raster_band_count) */
    tb_band_info *bands;      /* nbands entries, owned */
    int alpha_band;           /* 1-based trailing alpha band masking the others; 0: none */
    int alpha_by_gdal;        /* 1: GDAL derives the masks from it; 0: tuban applies it */
    int stacked_files;        /* distinct band source files of a VRT; 0 when not a VRT */
    char part_driver[32];     /* GDAL driver of the first source file; "" when none */

    int has_corners;          /* the raster has a geotransform */
    double corners[4][2];     /* outer pixel corners (0,0) (w,0) (w,h) (0,h), i.e. upper
                               * left, upper right, lower right, lower left of a north-up
                               * image, in map coordinates */
    int has_lonlat;
    double lonlat[4][2];      /* the same corners in CGCS2000 lon, lat (degrees) */
    double rpc_pixel_m[2];    /* RPC-only scenes: ground size (x, y) of the centre pixel in
                               * metres at the flat height or DEM; 0, 0 otherwise */
} tb_raster_info;

/* Describes `r`. `opt` gives the DEM or flat height for RPC scenes (NULL: flat height
 * 0). Returns TB_OK, or TB_ERR_NOMEM (recorded). */
tb_status tb_raster_describe(const tb_raster *r, const tb_align_options *opt,
                             tb_raster_info *info);
void tb_raster_info_clear(tb_raster_info *info);   /* NULL-safe */

typedef struct tb_crs_info {
    char name[256];           /* "CGCS2000 / 3-degree Gauss-Kruger CM 117E" */
    int epsg;                 /* EPSG code when PROJ identifies one; 0 otherwise */
    char unit[32];            /* linear unit ("metre") or angular unit ("degree") */
    int geographic;           /* 1: longitude/latitude */
} tb_crs_info;

/* Facts about the CRS `wkt` (any text PROJ understands). Returns 0 when `wkt` is NULL
 * or not a CRS (nothing written), else 1. */
int tb_crs_info_get(const char *wkt, tb_crs_info *out);

/* Corners (as in tb_raster_info) of a `width` x `height` grid with geotransform `gt`
 * in CRS `wkt`, in CGCS2000 lon, lat. Returns 0 when they cannot be computed. */
int tb_grid_corners_lonlat(const char *wkt, const double gt[6], int width, int height,
                           double lonlat[4][2]);

/* Footprint [minx, miny, maxx, maxy] of `r` in the CRS `crs` (any text PROJ
 * understands), computed as the grid planner computes it (exact for a north-up
 * raster in that same CRS, else GDAL's suggested warp output, which follows the
 * edges). `opt` as for tb_raster_describe. Returns 0 when `r` has neither CRS nor RPCs
 * or the transformation fails. */
int tb_raster_footprint(const tb_raster *r, const char *crs, const tb_align_options *opt,
                        double ext[4]);

#endif
