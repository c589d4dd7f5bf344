/* tb_ground.h: pixel sizes on the ground, in metres, for any CRS.
 *
 * Projected CRSs: the geotransform's pixel vectors times the CRS's linear unit.
 * Geographic CRSs: degrees converted with the ellipsoid's radii of curvature at the
 * pixel's latitude (meridional M and prime-vertical N), exact for a pixel and within
 * a part per million over a component of a few hundred metres. Plain pixel grids
 * (no CRS): the pixel size the user gave.
 */
#ifndef TB_GROUND_H
#define TB_GROUND_H

#include <stddef.h>

#include "tb_error.h"

typedef struct tb_ground {
    double gt[6];
    int geographic;
    double unit_m;            /* metres per CRS unit (projected) */
    double semi_major, inv_flattening;
    void *to_lonlat;          /* coordinate transformation to CGCS2000 lon/lat, or NULL */
} tb_ground;

/* `wkt` NULL: a pixel grid of `pixel_size` metres (gt is then set to that grid). */
tb_status tb_ground_init(tb_ground *g, const char *wkt, const double gt[6], double pixel_size,
                         const char *path);

/* Width and height in metres of the pixel at (column px, row py) (fractional allowed). */
void tb_ground_pixel(const tb_ground *g, double px, double py, double *w_m, double *h_m);

/* Frees what tb_ground_init made. NULL-safe. */
void tb_ground_clear(tb_ground *g);

/* CGCS2000 (EPSG:4490) longitude and latitude, in that order, of map point (x, y).
 * Returns 0 when the grid has no CRS (nothing written). */
int tb_ground_lonlat(const tb_ground *g, double x, double y, double *lon, double *lat);

/* Map coordinates of pixel position (px, py). */
void tb_ground_map(const tb_ground *g, double px, double py, double *x, double *y);

/* Short name of a CRS for people: "EPSG:4548 CGCS2000 / 3-degree Gauss-Kruger CM 117E",
 * or "" when `wkt` is NULL. */
void tb_crs_describe(const char *wkt, char *out, size_t cap);

#endif
