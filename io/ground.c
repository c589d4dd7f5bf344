/* ground.c: pixel sizes in metres on the ground (see tb_ground.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <ogr_srs_api.h>

#include "tb_ground.h"

tb_status tb_ground_init(tb_ground *g, const char *wkt, const double gt[6], double pixel_size,
                         const char *path)
{
    memset(g, 0, sizeof *g);
    if (!wkt) {
        if (!(pixel_size > 0))
            return tb_error(TB_ERR_CRS,
                            "%s: has no CRS; give its pixel size in metres "
                            "(--pixel-size or [input] pixel_size)", path);
        const double grid[6] = {0, pixel_size, 0, 0, 0, -pixel_size};
        memcpy(g->gt, grid, sizeof grid);
        g->unit_m = 1.0;
        return TB_OK;
    }
    memcpy(g->gt, gt, 6 * sizeof *gt);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(wkt);
    if (!srs)
        return tb_error(TB_ERR_CRS, "%s: its CRS cannot be interpreted", path);
    g->geographic = OSRIsGeographic(srs);
    if (g->geographic) {
        OGRErr e1 = OGRERR_NONE, e2 = OGRERR_NONE;
        g->semi_major = OSRGetSemiMajor(srs, &e1);
        g->inv_flattening = OSRGetInvFlattening(srs, &e2);
        if (e1 != OGRERR_NONE || !(g->semi_major > 0))
            g->semi_major = 6378137.0;
        if (e2 != OGRERR_NONE)
            g->inv_flattening = 298.257223563;
    } else {
        g->unit_m = OSRGetLinearUnits(srs, NULL);
        if (!(g->unit_m > 0))
            g->unit_m = 1.0;
    }
    /* Every polygon also carries its centroid in CGCS2000 lon/lat (the platform's
     * coordinates); the axis order is set explicitly, EPSG:4490 itself being lat, lon. */
    OGRSpatialReferenceH cgcs = OSRNewSpatialReference(NULL);
    if (OSRImportFromEPSG(cgcs, 4490) == OGRERR_NONE) {
        OSRSetAxisMappingStrategy(cgcs, OAMS_TRADITIONAL_GIS_ORDER);
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
        g->to_lonlat = OCTNewCoordinateTransformation(srs, cgcs);
    }
    OSRDestroySpatialReference(cgcs);
    OSRDestroySpatialReference(srs);
    return TB_OK;
}

void tb_ground_clear(tb_ground *g)
{
    if (g && g->to_lonlat) {
        OCTDestroyCoordinateTransformation((OGRCoordinateTransformationH)g->to_lonlat);
        g->to_lonlat = NULL;
    }
}

int tb_ground_lonlat(const tb_ground *g, double x, double y, double *lon, double *lat)
{
    if (!g->to_lonlat)
        return 0;
    double px = x, py = y;
    if (!OCTTransform((OGRCoordinateTransformationH)g->to_lonlat, 1, &px, &py, NULL))
        return 0;
    *lon = px;
    *lat = py;
    return 1;
}

void tb_ground_map(const tb_ground *g, double px, double py, double *x, double *y)
{
    *x = g->gt[0] + px * g->gt[1] + py * g->gt[2];
    *y = g->gt[3] + px * g->gt[4] + py * g->gt[5];
}

void tb_ground_pixel(const tb_ground *g, double px, double py, double *w_m, double *h_m)
{
    const double *t = g->gt;
    if (!g->geographic) {
        *w_m = hypot(t[1], t[4]) * g->unit_m;
        *h_m = hypot(t[2], t[5]) * g->unit_m;
        return;
    }
    double lon, lat;
    tb_ground_map(g, px, py, &lon, &lat);
    (void)lon;
    const double d2r = M_PI / 180.0;
    const double f = g->inv_flattening > 0 ? 1.0 / g->inv_flattening : 0.0;
    const double e2 = f * (2 - f);
    const double s = sin(lat * d2r);
    const double w = sqrt(1 - e2 * s * s);
    const double n_radius = g->semi_major / w;                        /* prime vertical */
    const double m_radius = g->semi_major * (1 - e2) / (w * w * w);   /* meridional */
    /* Pixel vectors in degrees -> metres east and north. */
    const double ex = t[1] * d2r * n_radius * cos(lat * d2r), nx = t[4] * d2r * m_radius;
    const double ey = t[2] * d2r * n_radius * cos(lat * d2r), ny = t[5] * d2r * m_radius;
    *w_m = hypot(ex, nx);
    *h_m = hypot(ey, ny);
}

void tb_crs_describe(const char *wkt, char *out, size_t cap)
{
    if (cap)
        out[0] = '\0';
    if (!wkt)
        return;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(wkt);
    if (!srs)
        return;
    OSRAutoIdentifyEPSG(srs);
    const char *auth = OSRGetAuthorityName(srs, NULL);
    const char *code = OSRGetAuthorityCode(srs, NULL);
    const char *name = OSRGetName(srs);
    if (auth && code)
        snprintf(out, cap, "%s:%s %s", auth, code, name ? name : "");
    else
        snprintf(out, cap, "%s", name ? name : "unnamed CRS");
    OSRDestroySpatialReference(srs);
}
