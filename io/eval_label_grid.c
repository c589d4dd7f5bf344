/* eval_label_grid.c: a truth label resampled onto a scan's grid (tb_eval_label_grid.h).
 *
 * The label is opened, given the reference image's geotransform and CRS through a
 * virtual copy when it has none of its own, and warped with GDALReprojectImage
 * (nearest neighbour, exact transformation: error threshold 0) into a Float32 GTiff
 * prefilled with NaN. Labels are small (one tile), so no streaming is needed here:
 * GDAL's warper works in chunks of its own anyway.
 */
#include "tb_eval_label_grid.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <gdalwarper.h>
#include <ogr_srs_api.h>

/* Georeferencing of ds: 1 with gt and wkt (owned by ds) when it has both. */
static int georef(GDALDatasetH ds, double gt[6], const char **wkt)
{
    const char *w = GDALGetProjectionRef(ds);
    if (GDALGetGeoTransform(ds, gt) != CE_None || !w || !w[0])
        return 0;
    *wkt = w;
    return 1;
}

/* Opens path as a raster, recording the error. */
static tb_status open_raster(const char *path, GDALDatasetH *ds)
{
    CPLPushErrorHandler(CPLQuietErrorHandler);
    *ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    CPLPopErrorHandler();
    if (*ds)
        return TB_OK;
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    else
        return tb_error(TB_ERR_INPUT_MISSING, "%s: no such file", path);
    return tb_error(TB_ERR_INPUT_FORMAT, "%s: not a raster GDAL can read", path);
}

/* 1 when the two CRS (WKT) are the same. */
static int same_crs(const char *a, const char *b)
{
    if (!strcmp(a, b))
        return 1;
    OGRSpatialReferenceH sa = OSRNewSpatialReference(a), sb = OSRNewSpatialReference(b);
    int same = sa && sb && OSRIsSame(sa, sb);
    OSRDestroySpatialReference(sa);
    OSRDestroySpatialReference(sb);
    return same;
}

tb_status tb_eval_label_onto_grid(const char *label, const char *ref, const char *grid,
                                  const char *out, int *warped)
{
    GDALDatasetH dl = NULL, dr = NULL, dg = NULL, dv = NULL, dout = NULL;
    double gl[6], gr[6], gg[6];
    const char *wl = NULL, *wr = NULL, *wg = NULL;
    *warped = 0;
    GDALAllRegister();
    tb_status st = open_raster(label, &dl);
    if (st == TB_OK)
        st = open_raster(grid, &dg);
    if (st != TB_OK)
        goto done;
    int lw = GDALGetRasterXSize(dl), lh = GDALGetRasterYSize(dl);
    int gw = GDALGetRasterXSize(dg), gh = GDALGetRasterYSize(dg);
    int have_g = georef(dg, gg, &wg);
    int have_l = georef(dl, gl, &wl);
    if (!have_l && ref) {
        st = open_raster(ref, &dr);
        if (st != TB_OK)
            goto done;
        if (georef(dr, gr, &wr) && GDALGetRasterXSize(dr) == lw && GDALGetRasterYSize(dr) == lh) {
            memcpy(gl, gr, sizeof gl);
            wl = wr;
            have_l = 2;   /* borrowed from ref */
        }
    }
    if (!have_l || !have_g) {
        if (lw == gw && lh == gh)
            goto done;   /* pixel for pixel, as tb_eval compares */
        st = tb_error(TB_ERR_GRID, "%s is %dx%d pixels but the scan grid (%s) is %dx%d, and "
                      "there is no georeferencing to warp the label with", label, lw, lh, grid, gw, gh);
        goto done;
    }
    int on_grid = lw == gw && lh == gh && same_crs(wl, wg);
    for (int i = 0; i < 6 && on_grid; i++) {
        double px = fabs(gg[1]) > fabs(gg[5]) ? fabs(gg[1]) : fabs(gg[5]);
        if (fabs(gl[i] - gg[i]) > 1e-6 * px)
            on_grid = 0;
    }
    if (on_grid)
        goto done;
    /* The label with its georeferencing: a virtual copy when borrowed from ref. */
    GDALDatasetH src = dl;
    if (have_l == 2) {
        GDALDriverH vrt = GDALGetDriverByName("VRT");
        dv = vrt ? GDALCreateCopy(vrt, "", dl, FALSE, NULL, NULL, NULL) : NULL;
        if (!dv || GDALSetGeoTransform(dv, gl) != CE_None || GDALSetProjection(dv, wl) != CE_None) {
            st = tb_error(TB_ERR_INTERNAL, "%s: cannot attach the georeferencing of %s: %s", label,
                          ref, CPLGetLastErrorMsg());
            goto done;
        }
        src = dv;
    }
    GDALDriverH gtiff = GDALGetDriverByName("GTiff");
    dout = gtiff ? GDALCreate(gtiff, out, gw, gh, 1, GDT_Float32, NULL) : NULL;
    if (!dout) {
        st = tb_error(TB_ERR_OUTPUT, "%s: cannot create: %s", out, CPLGetLastErrorMsg());
        goto done;
    }
    GDALRasterBandH band = GDALGetRasterBand(dout, 1);
    if (GDALSetGeoTransform(dout, gg) != CE_None || GDALSetProjection(dout, wg) != CE_None ||
        GDALSetRasterNoDataValue(band, NAN) != CE_None || GDALFillRaster(band, NAN, 0) != CE_None) {
        st = tb_error(TB_ERR_OUTPUT, "%s: cannot write: %s", out, CPLGetLastErrorMsg());
        goto done;
    }
    CPLErrorReset();
    if (GDALReprojectImage(src, wl, dout, wg, GRA_NearestNeighbour, 0.0, 0.0, NULL, NULL,
                           NULL) != CE_None) {
        st = tb_error(TB_ERR_CRS, "%s: cannot warp onto the grid of %s: %s", label, grid,
                      CPLGetLastErrorMsg());
        goto done;
    }
    *warped = 1;
done:
    if (dout) {
        CPLErrorReset();
        GDALClose(dout);
        if (CPLGetLastErrorType() >= CE_Failure && st == TB_OK)
            st = tb_error(TB_ERR_OUTPUT, "%s: write failed: %s", out, CPLGetLastErrorMsg());
    }
    if (dv)
        GDALClose(dv);
    if (dr)
        GDALClose(dr);
    if (dg)
        GDALClose(dg);
    if (dl)
        GDALClose(dl);
    return st;
}
