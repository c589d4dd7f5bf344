/* raster_describe.c: per-band facts, CRS facts and footprints of an input (see
 * tb_raster_describe.h). Read-only: it queries the handle's GDAL dataset and never
 * changes what the reader does.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_srs_api.h>

#include "align_internal.h"
#include "tb_raster_describe.h"

/* CGCS2000's ellipsoid (GRS 80), for the ground size of RPC pixels. */
#define GRS80_A 6378137.0
#define GRS80_INVF 298.257222101

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* WKT of `text` (EPSG:n, PROJ string, WKT, file), or NULL. CPLFree the result. */
static char *to_wkt(const char *text)
{
    if (!text || !*text)
        return NULL;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    char *wkt = NULL;
    if (OSRSetFromUserInput(srs, text) == OGRERR_NONE) {
        const char *opts[] = {"FORMAT=WKT2_2019", NULL};
        if (OSRExportToWktEx(srs, &wkt, opts) != OGRERR_NONE) {
            CPLFree(wkt);
            wkt = NULL;
        }
    }
    OSRDestroySpatialReference(srs);
    return wkt;
}

/* The file a VRT band reads its top-left pixel from ("" when GDAL does not say). */
static void band_source(GDALRasterBandH band, char *out, size_t cap)
{
    out[0] = '\0';
    const char *loc = GDALGetMetadataItem(band, "Pixel_0_0", "LocationInfo");
    if (!loc)
        return;
    const char *a = strstr(loc, "<File>"), *b = a ? strstr(a, "</File>") : NULL;
    if (!a || !b)
        return;
    a += strlen("<File>");
    char *raw = CPLStrdup(loc);
    raw[b - loc] = '\0';
    char *file = CPLUnescapeString(raw + (a - loc), NULL, CPLES_XML);
    copy_str(out, cap, file);
    CPLFree(file);
    CPLFree(raw);
}

/* Transformer options for `r` into CGCS2000 lon/lat (RPC with DEM or flat height). */
static char **lonlat_options(const tb_raster *r, const tb_align_options *opt)
{
    tb_align_options flat = {NULL, 0, NULL, NULL, 0};
    char *cgcs = to_wkt("EPSG:4490");
    if (!cgcs)
        return NULL;
    char **to = tb_align_transformer_options(r, cgcs, opt ? opt : &flat);
    CPLFree(cgcs);
    return to;
}

static double ground_distance_m(double lon0, double lat0, double lon1, double lat1)
{
    const double d2r = M_PI / 180.0;
    const double f = 1.0 / GRS80_INVF, e2 = f * (2 - f);
    const double lat = 0.5 * (lat0 + lat1) * d2r, s = sin(lat);
    const double w = sqrt(1 - e2 * s * s);
    const double n_radius = GRS80_A / w, m_radius = GRS80_A * (1 - e2) / (w * w * w);
    return hypot((lon1 - lon0) * d2r * n_radius * cos(lat), (lat1 - lat0) * d2r * m_radius);
}

/* Corners (and the centre pixel's ground size) of an RPC scene through its RPCs. */
static void rpc_corners(const tb_raster *r, const tb_align_options *opt, tb_raster_info *info)
{
    char **to = lonlat_options(r, opt);
    if (!to)
        return;
    CPLErrorReset();
    void *arg = GDALCreateGenImgProjTransformer2(r->ds, NULL, to);
    CSLDestroy(to);
    if (!arg)
        return;
    const double cx = r->width / 2.0, cy = r->height / 2.0;
    double x[7] = {0, r->width, r->width, 0, cx, cx + 1, cx};
    double y[7] = {0, 0, r->height, r->height, cy, cy, cy + 1};
    double z[7] = {0};
    int ok[7] = {0};
    GDALGenImgProjTransform(arg, FALSE, 7, x, y, z, ok);
    GDALDestroyGenImgProjTransformer(arg);
    int all = 1;
    for (int i = 0; i < 7; i++)
        all &= ok[i] && isfinite(x[i]) && isfinite(y[i]);
    if (!all)
        return;
    for (int i = 0; i < 4; i++) {
        info->lonlat[i][0] = x[i];
        info->lonlat[i][1] = y[i];
    }
    info->has_lonlat = 1;
    info->rpc_pixel_m[0] = ground_distance_m(x[4], y[4], x[5], y[5]);
    info->rpc_pixel_m[1] = ground_distance_m(x[4], y[4], x[6], y[6]);
}

int tb_grid_corners_lonlat(const char *wkt, const double gt[6], int width, int height,
                           double lonlat[4][2])
{
    if (!wkt)
        return 0;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OGRSpatialReferenceH cgcs = OSRNewSpatialReference(NULL);
    OGRCoordinateTransformationH ct = NULL;
    if (OSRSetFromUserInput(srs, wkt) == OGRERR_NONE &&
        OSRImportFromEPSG(cgcs, 4490) == OGRERR_NONE) {
        /* EPSG:4490 itself is latitude first: ask for longitude first explicitly. */
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
        OSRSetAxisMappingStrategy(cgcs, OAMS_TRADITIONAL_GIS_ORDER);
        CPLErrorReset();
        ct = OCTNewCoordinateTransformation(srs, cgcs);
    }
    OSRDestroySpatialReference(srs);
    OSRDestroySpatialReference(cgcs);
    if (!ct)
        return 0;
    const double px[4] = {0, width, width, 0}, py[4] = {0, 0, height, height};
    double x[4], y[4];
    int ok[4] = {0};
    for (int i = 0; i < 4; i++) {
        x[i] = gt[0] + px[i] * gt[1] + py[i] * gt[2];
        y[i] = gt[3] + px[i] * gt[4] + py[i] * gt[5];
    }
    int done = OCTTransformEx(ct, 4, x, y, NULL, ok);
    OCTDestroyCoordinateTransformation(ct);
    for (int i = 0; i < 4; i++)
        done = done && ok[i] && isfinite(x[i]) && isfinite(y[i]);
    if (!done)
        return 0;
    for (int i = 0; i < 4; i++) {
        lonlat[i][0] = x[i];
        lonlat[i][1] = y[i];
    }
    return 1;
}

tb_status tb_raster_describe(const tb_raster *r, const tb_align_options *opt,
                             tb_raster_info *info)
{
    memset(info, 0, sizeof *info);
    info->nbands = r->nbands;
    info->bands = calloc((size_t)(r->nbands > 0 ? r->nbands : 1), sizeof *info->bands);
    if (!info->bands)
        return tb_error(TB_ERR_NOMEM, "%s: out of memory describing its bands", r->path);

    GDALDriverH drv = GDALGetDatasetDriver(r->ds);
    const int is_vrt = drv && !strcmp(GDALGetDriverShortName(drv), "VRT");
    int gdal_alpha = 0;
    for (int b = 1; b <= r->nbands; b++) {
        GDALRasterBandH band = GDALGetRasterBand(r->ds, b);
        tb_band_info *bi = &info->bands[b - 1];
        bi->index = b;
        copy_str(bi->type, sizeof bi->type, GDALGetDataTypeName(GDALGetRasterDataType(band)));
        copy_str(bi->color, sizeof bi->color,
                 GDALGetColorInterpretationName(GDALGetRasterColorInterpretation(band)));
        copy_str(bi->description, sizeof bi->description, GDALGetDescription(band));
        bi->nodata = GDALGetRasterNoDataValue(band, &bi->has_nodata);
        if (!bi->has_nodata)
            bi->nodata = 0;
        const int flags = GDALGetMaskFlags(band);
        bi->mask_flags = (flags & GMF_ALL_VALID ? TB_MASK_ALL_VALID : 0) |
                         (flags & GMF_PER_DATASET ? TB_MASK_PER_DATASET : 0) |
                         (flags & GMF_ALPHA ? TB_MASK_ALPHA : 0) |
                         (flags & GMF_NODATA ? TB_MASK_NODATA : 0);
        gdal_alpha |= (flags & GMF_ALPHA) != 0;
        if (is_vrt)
            band_source(band, bi->source, sizeof bi->source);
    }
    info->alpha_band = r->alpha;
    info->alpha_by_gdal = r->alpha && gdal_alpha;

    /* Distinct source files, in band order. */
    for (int b = 0; b < r->nbands; b++) {
        const char *s = info->bands[b].source;
        int seen = !*s;
        for (int k = 0; k < b && !seen; k++)
            seen = !strcmp(info->bands[k].source, s);
        if (seen)
            continue;
        if (!info->stacked_files) {
            GDALDriverH pd = GDALIdentifyDriver(s, NULL);
            copy_str(info->part_driver, sizeof info->part_driver,
                     pd ? GDALGetDriverShortName(pd) : "");
        }
        info->stacked_files++;
    }

    if (r->has_gt) {
        const double px[4] = {0, r->width, r->width, 0};
        const double py[4] = {0, 0, r->height, r->height};
        for (int i = 0; i < 4; i++) {
            info->corners[i][0] = r->gt[0] + px[i] * r->gt[1] + py[i] * r->gt[2];
            info->corners[i][1] = r->gt[3] + px[i] * r->gt[4] + py[i] * r->gt[5];
        }
        info->has_corners = 1;
    }
    if (r->wkt && r->has_gt)
        info->has_lonlat =
            tb_grid_corners_lonlat(r->wkt, r->gt, r->width, r->height, info->lonlat);
    else if (r->has_rpc)
        rpc_corners(r, opt, info);
    return TB_OK;
}

void tb_raster_info_clear(tb_raster_info *info)
{
    if (!info)
        return;
    free(info->bands);
    info->bands = NULL;
    info->nbands = 0;
}

int tb_crs_info_get(const char *wkt, tb_crs_info *out)
{
    if (!wkt)
        return 0;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    if (OSRSetFromUserInput(srs, wkt) != OGRERR_NONE) {
        OSRDestroySpatialReference(srs);
        return 0;
    }
    memset(out, 0, sizeof *out);
    OSRAutoIdentifyEPSG(srs);
    const char *auth = OSRGetAuthorityName(srs, NULL);
    const char *code = OSRGetAuthorityCode(srs, NULL);
    if (auth && code && EQUAL(auth, "EPSG"))
        out->epsg = atoi(code);
    copy_str(out->name, sizeof out->name, OSRGetName(srs));
    out->geographic = OSRIsGeographic(srs);
    char *unit = NULL;
    if (out->geographic)
        OSRGetAngularUnits(srs, &unit);
    else
        OSRGetLinearUnits(srs, &unit);
    copy_str(out->unit, sizeof out->unit, unit);
    OSRDestroySpatialReference(srs);
    return 1;
}

int tb_raster_footprint(const tb_raster *r, const char *crs, const tb_align_options *opt,
                        double ext[4])
{
    if (!r->wkt && !r->has_rpc)
        return 0;
    char *dst = to_wkt(crs);
    if (!dst)
        return 0;
    /* As the planner computes it; a footprint that cannot be computed is only absent,
     * so no message of its own is left behind. */
    const tb_align_options flat = {NULL, 0, NULL, NULL, 0};
    const int had_error = tb_error_status() != TB_OK;
    double pixel;
    int done = tb_align_footprint(r, dst, opt ? opt : &flat, ext, &pixel) == TB_OK;
    if (!done && !had_error)
        tb_error_clear();
    CPLFree(dst);
    return done;
}
