/* align_grid.c: the target grid of a pair.
 *
 * Each date's footprint is carried into the target CRS by GDAL's transformer (PROJ
 * underneath, RPC for L1A scenes) with GDALSuggestedWarpOutput2, which follows the
 * edges, not just the corners. The grid covers the intersection of the footprints;
 * when the target CRS is the after-image's and no pixel size is forced, the grid is a
 * window of the after-image's own grid, so that image is read without resampling.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal_alg.h>
#include <ogr_srs_api.h>

#include "align_internal.h"

static char *srs_to_wkt(OGRSpatialReferenceH srs)
{
    char *wkt = NULL;
    const char *opts[] = {"FORMAT=WKT2_2019", NULL};
    if (OSRExportToWktEx(srs, &wkt, opts) != OGRERR_NONE) {
        CPLFree(wkt);
        return NULL;
    }
    return wkt;
}

char **tb_align_transformer_options(const tb_raster *r, const char *dst_wkt,
                                    const tb_align_options *opt)
{
    char **to = NULL;
    if (!dst_wkt) {
        to = CSLSetNameValue(to, "SRC_METHOD", "NO_GEOTRANSFORM");
        to = CSLSetNameValue(to, "DST_METHOD", "NO_GEOTRANSFORM");
        return to;
    }
    to = CSLSetNameValue(to, "DST_SRS", dst_wkt);
    if (r->crs_assigned)
        to = CSLSetNameValue(to, "SRC_SRS", r->wkt);
    if (r->has_rpc) {
        to = CSLSetNameValue(to, "SRC_METHOD", "RPC");
        if (opt->dem && *opt->dem) {
            to = CSLSetNameValue(to, "RPC_DEM", opt->dem);
        } else {
            char h[64];
            snprintf(h, sizeof h, "%.3f", opt->rpc_height);
            to = CSLSetNameValue(to, "RPC_HEIGHT", h);
        }
    }
    return to;
}

int tb_align_same_crs(const char *a, const char *b)
{
    if (!a || !b)
        return !a && !b;
    OGRSpatialReferenceH sa = OSRNewSpatialReference(a), sb = OSRNewSpatialReference(b);
    int same = sa && sb && OSRIsSame(sa, sb);
    OSRDestroySpatialReference(sa);
    OSRDestroySpatialReference(sb);
    return same;
}

tb_status tb_align_footprint(const tb_raster *r, const char *dst_wkt,
                             const tb_align_options *opt, double ext[4], double *pixel)
{
    /* In its own CRS a north-up raster's footprint is exact: GDAL's suggestion would
     * round it outwards by up to a pixel. */
    if (r->wkt && r->has_gt && !r->has_rpc && r->gt[2] == 0 && r->gt[4] == 0 &&
        tb_align_same_crs(r->wkt, dst_wkt)) {
        const double xa = r->gt[0], xb = r->gt[0] + r->width * r->gt[1];
        const double ya = r->gt[3], yb = r->gt[3] + r->height * r->gt[5];
        ext[0] = fmin(xa, xb);
        ext[2] = fmax(xa, xb);
        ext[1] = fmin(ya, yb);
        ext[3] = fmax(ya, yb);
        *pixel = fabs(r->gt[1]);
        return TB_OK;
    }
    char **to = tb_align_transformer_options(r, dst_wkt, opt);
    CPLErrorReset();
    void *arg = GDALCreateGenImgProjTransformer2(r->ds, NULL, to);
    CSLDestroy(to);
    if (!arg)
        return tb_error(TB_ERR_CRS, "%s: cannot be transformed into the target CRS (%s)", r->path,
                        tb_gdal_last_error());
    double gt[6];
    int w = 0, h = 0;
    CPLErr e = GDALSuggestedWarpOutput2(r->ds, GDALGenImgProjTransform, arg, gt, &w, &h, ext, 0);
    GDALDestroyGenImgProjTransformer(arg);
    if (e != CE_None)
        return tb_error(TB_ERR_CRS, "%s: its footprint cannot be computed in the target CRS (%s)",
                        r->path, tb_gdal_last_error());
    *pixel = gt[1];
    return TB_OK;
}

void tb_grid_clear(tb_grid *g)
{
    if (!g)
        return;
    CPLFree(g->wkt);
    g->wkt = NULL;
}

static tb_status plan_pixel_grid(const tb_raster *before, const tb_raster *after, tb_grid *g)
{
    if (before->width != after->width || before->height != after->height)
        return tb_error(TB_ERR_GRID,
                        "%s (%dx%d) and %s (%dx%d) have no CRS and differ in size: pixel grids "
                        "must match (or give both a CRS: align.before_crs, align.after_crs)",
                        before->path, before->width, before->height, after->path, after->width,
                        after->height);
    g->width = after->width;
    g->height = after->height;
    memcpy(g->gt, after->gt, sizeof g->gt);
    g->covered_before = 1.0;
    return TB_OK;
}

tb_status tb_align_plan(const tb_raster *before, const tb_raster *after,
                        const tb_align_options *opt, tb_grid *g)
{
    memset(g, 0, sizeof *g);
    const int geo_b = before->wkt || before->has_rpc, geo_a = after->wkt || after->has_rpc;
    if (!geo_b && !geo_a)
        return plan_pixel_grid(before, after, g);
    if (!geo_b || !geo_a) {
        const tb_raster *none = geo_b ? after : before, *has = geo_b ? before : after;
        return tb_error(TB_ERR_CRS, "%s has no CRS but %s has one: give it one with align.%s_crs",
                        none->path, has->path, none == before ? "before" : "after");
    }

    char *target = NULL;
    if (opt->crs && *opt->crs) {
        OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
        CPLErrorReset();
        if (OSRSetFromUserInput(srs, opt->crs) != OGRERR_NONE) {
            OSRDestroySpatialReference(srs);
            return tb_error(TB_ERR_CRS, "align.crs: '%s' is not a CRS PROJ understands (%s)",
                            opt->crs, tb_gdal_last_error());
        }
        target = srs_to_wkt(srs);
        OSRDestroySpatialReference(srs);
    } else if (after->wkt) {
        target = CPLStrdup(after->wkt);
    } else {
        return tb_error(TB_ERR_CRS, "%s: an RPC scene has no map grid of its own: set align.crs "
                        "(for Beijing EPSG:4548) and align.pixel_size", after->path);
    }
    if (!target)
        return tb_error(TB_ERR_CRS, "align.crs: '%s' cannot be written as WKT", opt->crs);

    double eb[4], ea[4], pb, pa;
    tb_status st = tb_align_footprint(before, target, opt, eb, &pb);
    if (!st)
        st = tb_align_footprint(after, target, opt, ea, &pa);
    if (st) {
        CPLFree(target);
        return st;
    }
    const double ix0 = fmax(eb[0], ea[0]), iy0 = fmax(eb[1], ea[1]);
    const double ix1 = fmin(eb[2], ea[2]), iy1 = fmin(eb[3], ea[3]);
    if (!(ix0 < ix1 && iy0 < iy1)) {
        CPLFree(target);
        return tb_error(TB_ERR_GRID,
                        "%s and %s do not overlap (footprints x %.3f..%.3f, y %.3f..%.3f and "
                        "x %.3f..%.3f, y %.3f..%.3f in the target CRS)",
                        before->path, after->path, eb[0], eb[2], eb[1], eb[3], ea[0], ea[2],
                        ea[1], ea[3]);
    }

    /* Pixel size and the lattice the grid snaps to. */
    const int after_native = after->wkt && after->has_gt && after->gt[2] == 0 &&
                             after->gt[4] == 0 && tb_align_same_crs(target, after->wkt);
    double px, py, ox = 0, oy = 0;
    if (opt->pixel_size > 0) {
        px = py = opt->pixel_size;
    } else if (after_native) {
        px = fabs(after->gt[1]);
        py = fabs(after->gt[5]);
    } else {
        px = py = pa;
    }
    if (after_native && fabs(px - fabs(after->gt[1])) < 1e-9 * px &&
        fabs(py - fabs(after->gt[5])) < 1e-9 * py) {
        ox = after->gt[0];
        oy = after->gt[3];
    }
    const double eps = 1e-6;
    const double x0 = ox + floor((ix0 - ox) / px + eps) * px;
    const double x1 = ox + ceil((ix1 - ox) / px - eps) * px;
    const double ytop = oy + ceil((iy1 - oy) / py - eps) * py;
    const double ybot = oy + floor((iy0 - oy) / py + eps) * py;
    g->width = (int)llround((x1 - x0) / px);
    g->height = (int)llround((ytop - ybot) / py);
    if (g->width < 1 || g->height < 1) {
        CPLFree(target);
        return tb_error(TB_ERR_GRID, "%s and %s overlap by less than one pixel", before->path,
                        after->path);
    }
    const double gt[6] = {x0, px, 0, ytop, 0, -py};
    memcpy(g->gt, gt, sizeof gt);
    g->wkt = target;
    const double area_a = (ea[2] - ea[0]) * (ea[3] - ea[1]);
    g->covered_before = area_a > 0 ? (ix1 - ix0) * (iy1 - iy0) / area_a : 0;
    return TB_OK;
}
