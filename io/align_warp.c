/* align_warp.c: a date as seen on the target grid.
 *
 * Three cases, cheapest first: the date already is the grid (read it as it is); the
 * grid is a window of the date's own grid (a VRT window, still no resampling); else a
 * warped VRT: GDAL's warper resamples block by block on demand, so memory stays
 * bounded and rows are produced as the scan asks for them. A co-registration shift
 * moves the destination geotransform the transformer sees, so the shift and the
 * reprojection are one resampling.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal_alg.h>
#include <gdal_utils.h>
#include <gdalwarper.h>
#include <ogr_srs_api.h>

#include "align_internal.h"

static const struct {
    const char *name;
    GDALResampleAlg alg;
} resamplings[] = {
    {"nearest", GRA_NearestNeighbour}, {"bilinear", GRA_Bilinear}, {"cubic", GRA_Cubic},
    {"cubicspline", GRA_CubicSpline},  {"lanczos", GRA_Lanczos},   {"average", GRA_Average},
};

int tb_align_resampling_known(const char *name)
{
    for (size_t i = 0; i < sizeof resamplings / sizeof resamplings[0]; i++)
        if (!strcmp(resamplings[i].name, name))
            return 1;
    return 0;
}

static GDALResampleAlg resampling(const char *name)
{
    for (size_t i = 0; name && i < sizeof resamplings / sizeof resamplings[0]; i++)
        if (!strcmp(resamplings[i].name, name))
            return resamplings[i].alg;
    return GRA_Bilinear;
}

/* The grid as an integer window of `src`'s own grid: returns 1 and the offset. */
static int grid_is_window(const tb_raster *src, const tb_grid *g, int *ox, int *oy)
{
    if (!src->has_gt && g->wkt)
        return 0;
    if (!tb_align_same_crs(src->wkt, g->wkt) || src->gt[2] != 0 || src->gt[4] != 0 || g->gt[2] != 0 ||
        g->gt[4] != 0)
        return 0;
    if (!g->wkt) {   /* plain pixel grids of one size */
        *ox = *oy = 0;
        return src->width == g->width && src->height == g->height;
    }
    const double px = src->gt[1], py = src->gt[5];
    if (fabs(g->gt[1] - px) > 1e-9 * fabs(px) || fabs(g->gt[5] - py) > 1e-9 * fabs(py))
        return 0;
    const double fx = (g->gt[0] - src->gt[0]) / px, fy = (g->gt[3] - src->gt[3]) / py;
    if (fabs(fx - llround(fx)) > 1e-6 || fabs(fy - llround(fy)) > 1e-6)
        return 0;
    *ox = (int)llround(fx);
    *oy = (int)llround(fy);
    return *ox >= 0 && *oy >= 0 && *ox + g->width <= src->width && *oy + g->height <= src->height;
}

static tb_status wrap(GDALDatasetH ds, const tb_raster *src, int borrowed, tb_raster **out)
{
    tb_raster *r = tb_raster_wrap(ds, src->path, src->acquisition, borrowed);
    if (!r)
        return tb_error(TB_ERR_NOMEM, "%s: out of memory", src->path);
    if (src->crs_assigned && !r->wkt) {
        r->wkt = CPLStrdup(src->wkt);
        r->crs_assigned = 1;
    }
    *out = r;
    return TB_OK;
}

static tb_status window_of(tb_raster *src, const tb_grid *g, int ox, int oy, tb_raster **out)
{
    char buf[4][32];
    snprintf(buf[0], sizeof buf[0], "%d", ox);
    snprintf(buf[1], sizeof buf[1], "%d", oy);
    snprintf(buf[2], sizeof buf[2], "%d", g->width);
    snprintf(buf[3], sizeof buf[3], "%d", g->height);
    char *argv[] = {"-of", "VRT", "-srcwin", buf[0], buf[1], buf[2], buf[3], NULL};
    GDALTranslateOptions *o = GDALTranslateOptionsNew(argv, NULL);
    int err = 0;
    CPLErrorReset();
    GDALDatasetH vrt = GDALTranslate("", src->ds, o, &err);
    GDALTranslateOptionsFree(o);
    if (!vrt || err)
        return tb_error(TB_ERR_INPUT_FORMAT, "%s: cannot open a window of it (%s)", src->path,
                        tb_gdal_last_error());
    return wrap(vrt, src, 0, out);
}

static tb_status warp(tb_raster *src, const tb_grid *g, const tb_align_options *opt, double dx,
                      double dy, tb_raster **out)
{
    const int n = src->nbands;
    GDALWarpOptions *wo = GDALCreateWarpOptions();
    wo->hSrcDS = src->ds;
    wo->nBandCount = n;
    wo->panSrcBands = CPLMalloc(sizeof(int) * (size_t)n);
    wo->panDstBands = CPLMalloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++)
        wo->panSrcBands[i] = wo->panDstBands[i] = i + 1;
    wo->eResampleAlg = resampling(opt->resampling);
    wo->nSrcAlphaBand = src->alpha;
    wo->nDstAlphaBand = n + 1;   /* validity travels as alpha: 0 outside the source */
    int any_nodata = 0;
    for (int i = 0; i < n; i++) {
        int has = 0;
        GDALGetRasterNoDataValue(GDALGetRasterBand(src->ds, i + 1), &has);
        any_nodata |= has;
    }
    if (any_nodata) {
        wo->padfSrcNoDataReal = CPLMalloc(sizeof(double) * (size_t)n);
        for (int i = 0; i < n; i++) {
            int has = 0;
            double v = GDALGetRasterNoDataValue(GDALGetRasterBand(src->ds, i + 1), &has);
            wo->padfSrcNoDataReal[i] = has ? v : -1e300;
        }
    }
    wo->papszWarpOptions = CSLSetNameValue(wo->papszWarpOptions, "INIT_DEST", "0");
    wo->papszWarpOptions = CSLSetNameValue(wo->papszWarpOptions, "NUM_THREADS", "ALL_CPUS");

    char **to = tb_align_transformer_options(src, g->wkt, opt);
    CPLErrorReset();
    void *arg = GDALCreateGenImgProjTransformer2(src->ds, NULL, to);
    CSLDestroy(to);
    if (!arg) {
        GDALDestroyWarpOptions(wo);
        return tb_error(TB_ERR_CRS, "%s: cannot be transformed onto the target grid (%s)",
                        src->path, tb_gdal_last_error());
    }
    /* The shift: the transformer sees the grid moved by (dx, dy) pixels. */
    double sgt[6];
    memcpy(sgt, g->gt, sizeof sgt);
    sgt[0] += dx * g->gt[1] + dy * g->gt[2];
    sgt[3] += dx * g->gt[4] + dy * g->gt[5];
    GDALSetGenImgProjTransformerDstGeoTransform(arg, sgt);
    wo->pfnTransformer = GDALGenImgProjTransform;
    wo->pTransformerArg = arg;

    double gt[6];
    memcpy(gt, g->gt, sizeof gt);
    GDALDatasetH vrt = GDALCreateWarpedVRT(src->ds, g->width, g->height, gt, wo);
    GDALDestroyWarpOptions(wo);   /* the VRT keeps its own copy and owns the transformer */
    if (!vrt) {
        GDALDestroyGenImgProjTransformer(arg);
        return tb_error(TB_ERR_INTERNAL, "%s: cannot create the warped view (%s)", src->path,
                        tb_gdal_last_error());
    }
    if (g->wkt)
        GDALSetProjection(vrt, g->wkt);
    GDALSetRasterColorInterpretation(GDALGetRasterBand(vrt, n + 1), GCI_AlphaBand);
    return wrap(vrt, src, 0, out);
}

tb_status tb_raster_on_grid(tb_raster *src, const tb_grid *g, const tb_align_options *opt,
                            double dx, double dy, tb_raster **out, int *warped)
{
    *out = NULL;
    *warped = 0;
    int ox, oy;
    if (dx == 0 && dy == 0 && !src->has_rpc && grid_is_window(src, g, &ox, &oy)) {
        if (ox == 0 && oy == 0 && g->width == src->width && g->height == src->height)
            return wrap(src->ds, src, 1, out);
        return window_of(src, g, ox, oy, out);
    }
    *warped = 1;
    return warp(src, g, opt, dx, dy, out);
}
