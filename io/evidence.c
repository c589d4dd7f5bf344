/* evidence.c: evidence chips (rules in tb_evidence.h).
 *
 * One chip: the polygon goes from EPSG:4490 into a transverse Mercator centred on it;
 * its box, grown and squared, becomes the geotransform of a size x size in-memory
 * dataset; GDAL's warper fills it (bilinear, three bands and a destination alpha that
 * marks where the raster had data; it reads only the source window it needs, so a
 * chip of a 40k x 40k scene costs a few blocks). Then each band is stretched, the
 * outline drawn with Bresenham in chip pixels, and the PNG driver writes a copy under
 * a temporary name that is fsync'd and renamed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <gdalwarper.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "raster_internal.h"
#include "tb_evidence.h"

#define MAX_SIZE_PX 4096

/* Bands shown as R, G, B (1-based; all three equal for grey). */
static void choose_bands(GDALDatasetH ds, int nb, int rgb[3])
{
    int ci[3] = {0, 0, 0};
    for (int b = 1; b <= nb; b++) {
        GDALColorInterp c = GDALGetRasterColorInterpretation(GDALGetRasterBand(ds, b));
        int k = c == GCI_RedBand ? 0 : c == GCI_GreenBand ? 1 : c == GCI_BlueBand ? 2 : -1;
        if (k >= 0 && !ci[k])
            ci[k] = b;
    }
    if (ci[0] && ci[1] && ci[2]) {
        memcpy(rgb, ci, sizeof ci);
    } else if (nb >= 4) { /* B, G, R, NIR */
        rgb[0] = 3;
        rgb[1] = 2;
        rgb[2] = 1;
    } else if (nb == 3) {
        rgb[0] = 1;
        rgb[1] = 2;
        rgb[2] = 3;
    } else {
        rgb[0] = rgb[1] = rgb[2] = 1;
    }
}

/* Transverse Mercator on the CGCS2000 ellipsoid centred on (lon, lat), metres. */
static OGRSpatialReferenceH local_tm(OGRSpatialReferenceH geog, double lon, double lat)
{
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    if (OSRSetProjCS(s, "tuban evidence chip") != OGRERR_NONE ||
        OSRCopyGeogCSFrom(s, geog) != OGRERR_NONE ||
        OSRSetTM(s, lat, lon, 1.0, 0.0, 0.0) != OGRERR_NONE ||
        OSRSetLinearUnits(s, SRS_UL_METER, 1.0) != OGRERR_NONE) {
        OSRDestroySpatialReference(s);
        return NULL;
    }
    OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    return s;
}

/* Quickselect: reorders a[0..n) so that a[k] is the k-th smallest, the elements before
 * it <= a[k] and those after >= a[k]; returns a[k]. */
static float select_kth(float *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        /* median of three into a[mid] as the pivot */
        if (a[mid] < a[lo]) { float t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
        if (a[hi] < a[lo]) { float t = a[hi]; a[hi] = a[lo]; a[lo] = t; }
        if (a[hi] < a[mid]) { float t = a[hi]; a[hi] = a[mid]; a[mid] = t; }
        float pivot = a[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                float t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return a[k];
}

/* Stretches `v` (valid where alpha > 0) between its 2nd and 98th percentile into out;
 * invalid pixels are 0. `tmp` holds n floats. */
static void stretch(const float *v, const float *alpha, size_t n, float *tmp, uint8_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (alpha[i] > 0 && isfinite(v[i]))
            tmp[k++] = v[i];
    float lo = 0, hi = 0;
    if (k > 0) {
        size_t i2 = (size_t)(0.02 * (double)(k - 1) + 0.5);
        size_t i98 = (size_t)(0.98 * (double)(k - 1) + 0.5);
        lo = select_kth(tmp, k, i2);
        hi = select_kth(tmp + i2, k - i2, i98 - i2); /* all of tmp[i2..) are >= lo */
    }
    double scale = hi > lo ? 255.0 / ((double)hi - lo) : 0;
    for (size_t i = 0; i < n; i++) {
        if (!(alpha[i] > 0) || !isfinite(v[i])) {
            out[i] = 0;
            continue;
        }
        double s = hi > lo ? ((double)v[i] - lo) * scale : (v[i] > lo ? 255 : 0);
        out[i] = (uint8_t)(s <= 0 ? 0 : s >= 255 ? 255 : lround(s));
    }
}

typedef struct {
    uint8_t *rgb[3];
    int size;
    double gt[6]; /* chip geotransform (north up) */
} canvas;

static void plot(canvas *c, long x, long y)
{
    static const uint8_t yellow[3] = {255, 255, 0};
    for (long dy = -1; dy <= 0; dy++)
        for (long dx = -1; dx <= 0; dx++) {
            long px = x + dx, py = y + dy;
            if (px < 0 || py < 0 || px >= c->size || py >= c->size)
                continue;
            for (int k = 0; k < 3; k++)
                c->rgb[k][(size_t)py * (size_t)c->size + (size_t)px] = yellow[k];
        }
}

/* Bresenham between two pixel positions (2 x 2 brush straddling the line); points
 * are clamped to a few chip widths first, which only bounds the loop. */
static void line(canvas *c, double x0d, double y0d, double x1d, double y1d)
{
    const double lim = 4.0 * c->size;
    x0d = fmax(-lim, fmin(lim, x0d));
    y0d = fmax(-lim, fmin(lim, y0d));
    x1d = fmax(-lim, fmin(lim, x1d));
    y1d = fmax(-lim, fmin(lim, y1d));
    long x0 = lround(x0d), y0 = lround(y0d), x1 = lround(x1d), y1 = lround(y1d);
    long dx = labs(x1 - x0), dy = -labs(y1 - y0);
    long sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
    for (;;) {
        plot(c, x0, y0);
        if (x0 == x1 && y0 == y1)
            break;
        long e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

/* Draws every ring (any geometry with points) of `g`, given in the chip's CRS. */
static void draw_outline(canvas *c, OGRGeometryH g)
{
    int np = OGR_G_GetPointCount(g);
    if (np > 0) {
        double px = 0, py = 0;
        for (int i = 0; i < np; i++) {
            double x = (OGR_G_GetX(g, i) - c->gt[0]) / c->gt[1];
            double y = (OGR_G_GetY(g, i) - c->gt[3]) / c->gt[5];
            if (i > 0)
                line(c, px, py, x, y);
            else if (np == 1)
                plot(c, lround(x), lround(y));
            px = x;
            py = y;
        }
        return;
    }
    for (int i = 0; i < OGR_G_GetGeometryCount(g); i++)
        draw_outline(c, OGR_G_GetGeometryRef(g, i));
}

/* mkdir -p of the directory holding `path`. */
static tb_status make_parent(const char *path)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return tb_error(TB_ERR_OUTPUT, "%s: path too long", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return TB_OK;
    *slash = '\0';
    for (char *p = dir + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char keep = *p;
            *p = '\0';
            if (mkdir(dir, 0777) != 0 && errno != EEXIST)
                return tb_error(TB_ERR_OUTPUT, "%s: cannot create directory %s (%s)", path, dir,
                                strerror(errno));
            *p = keep;
            if (keep == '\0')
                break;
        }
    }
    return TB_OK;
}

static void fsync_path(const char *path, int flags)
{
    int fd = open(path, flags);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* Writes the three planes as an 8-bit RGB PNG: temporary name, fsync, rename. */
static tb_status write_png(canvas *c, const char *png_path)
{
    tb_status st = make_parent(png_path);
    if (st)
        return st;
    char tmp[PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", png_path, (long)getpid());
    GDALDriverH mem = GDALGetDriverByName("MEM"), png = GDALGetDriverByName("PNG");
    if (!mem || !png)
        return tb_error(TB_ERR_OUTPUT, "%s: GDAL has no %s driver", png_path, mem ? "PNG" : "MEM");
    GDALDatasetH ds = GDALCreate(mem, "", c->size, c->size, 3, GDT_Byte, NULL);
    if (!ds)
        return tb_error(TB_ERR_NOMEM, "%s: out of memory", png_path);
    for (int k = 0; k < 3 && !st; k++) {
        GDALRasterBandH b = GDALGetRasterBand(ds, k + 1);
        GDALSetRasterColorInterpretation(b, k == 0 ? GCI_RedBand : k == 1 ? GCI_GreenBand : GCI_BlueBand);
        if (GDALRasterIO(b, GF_Write, 0, 0, c->size, c->size, c->rgb[k], c->size, c->size,
                         GDT_Byte, 0, 0) != CE_None)
            st = tb_error(TB_ERR_INTERNAL, "%s: cannot fill the in-memory image", png_path);
    }
    if (!st) {
        /* No .aux.xml beside the PNG: the chip carries no georeferencing. */
        CPLSetThreadLocalConfigOption("GDAL_PAM_ENABLED", "NO");
        CPLErrorReset();
        char **co = CSLSetNameValue(NULL, "ZLEVEL", "3"); /* chips are small; speed first */
        GDALDatasetH out = GDALCreateCopy(png, tmp, ds, FALSE, co, NULL, NULL);
        CSLDestroy(co);
        if (out)
            GDALClose(out);
        CPLSetThreadLocalConfigOption("GDAL_PAM_ENABLED", NULL);
        if (!out || CPLGetLastErrorType() == CE_Failure)
            st = tb_error(TB_ERR_OUTPUT, "%s: cannot write the PNG (%s)", png_path,
                          tb_gdal_last_error());
    }
    GDALClose(ds);
    if (!st) {
        fsync_path(tmp, O_RDONLY);
        if (rename(tmp, png_path) != 0)
            st = tb_error(TB_ERR_OUTPUT, "%s: cannot rename %s into place (%s)", png_path, tmp,
                          strerror(errno));
    }
    if (st) {
        unlink(tmp);
    } else {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", png_path);
        char *slash = strrchr(dir, '/');
        if (slash) {
            slash[slash == dir ? 1 : 0] = '\0';
            fsync_path(dir, O_RDONLY | O_DIRECTORY);
        }
    }
    return st;
}

/* Warps the chosen bands (and a destination alpha) of `r` onto the chip grid. */
static tb_status warp_chip(tb_raster *r, const int rgb[3], int nsel, const char *chip_wkt,
                           const double gt[6], int size, float *planes, const char *png_path)
{
    GDALDriverH mem = GDALGetDriverByName("MEM");
    GDALDatasetH dst = mem ? GDALCreate(mem, "", size, size, nsel + 1, GDT_Float32, NULL) : NULL;
    if (!dst)
        return tb_error(TB_ERR_NOMEM, "%s: out of memory for a %d px chip", png_path, size);
    double g[6];
    memcpy(g, gt, sizeof g);
    GDALSetGeoTransform(dst, g);
    GDALSetProjection(dst, chip_wkt);
    tb_status st = TB_OK;
    char **topt = CSLSetNameValue(NULL, "SRC_SRS", r->wkt);
    topt = CSLSetNameValue(topt, "DST_SRS", chip_wkt);
    CPLErrorReset();
    void *tr = GDALCreateGenImgProjTransformer2(r->ds, dst, topt);
    CSLDestroy(topt);
    if (!tr)
        st = tb_error(TB_ERR_CRS, "%s: cannot transform its CRS into the chip's (%s)", r->path,
                      tb_gdal_last_error());
    GDALWarpOptions *wo = NULL;
    GDALWarpOperationH op = NULL;
    void *approx = NULL;
    if (!st) {
        wo = GDALCreateWarpOptions();
        wo->hSrcDS = r->ds;
        wo->hDstDS = dst;
        wo->eResampleAlg = GRA_Bilinear;
        wo->eWorkingDataType = GDT_Float32;
        wo->nBandCount = nsel;
        wo->panSrcBands = CPLMalloc(sizeof(int) * (size_t)nsel);
        wo->panDstBands = CPLMalloc(sizeof(int) * (size_t)nsel);
        int any_nodata = 0;
        double nd[3];
        for (int k = 0; k < nsel; k++) {
            wo->panSrcBands[k] = rgb[k];
            wo->panDstBands[k] = k + 1;
            int has = 0;
            nd[k] = GDALGetRasterNoDataValue(GDALGetRasterBand(r->ds, rgb[k]), &has);
            if (has)
                any_nodata = 1;
            else
                nd[k] = NAN; /* matches nothing but NaN, which is invalid anyway */
        }
        if (any_nodata) {
            wo->padfSrcNoDataReal = CPLMalloc(sizeof(double) * (size_t)nsel);
            wo->padfSrcNoDataImag = CPLCalloc((size_t)nsel, sizeof(double));
            memcpy(wo->padfSrcNoDataReal, nd, sizeof(double) * (size_t)nsel);
        }
        wo->nSrcAlphaBand = r->alpha;
        wo->nDstAlphaBand = nsel + 1;
        wo->papszWarpOptions = CSLSetNameValue(NULL, "INIT_DEST", "0");
        /* Exact transformation at the nodes, linear between them within 1/8 px (as
         * gdalwarp does): a chip is small and the projections smooth. */
        approx = GDALCreateApproxTransformer(GDALGenImgProjTransform, tr, 0.125);
        wo->pfnTransformer = approx ? GDALApproxTransform : GDALGenImgProjTransform;
        wo->pTransformerArg = approx ? approx : tr;
        CPLErrorReset();
        op = GDALCreateWarpOperation(wo);
        if (!op || GDALChunkAndWarpImage(op, 0, 0, size, size) != CE_None)
            st = tb_error(TB_ERR_INPUT_FORMAT, "%s: cannot warp a chip from it (%s)", r->path,
                          tb_gdal_last_error());
    }
    if (!st) {
        size_t n = (size_t)size * (size_t)size;
        for (int k = 0; k <= nsel && !st; k++)
            if (GDALRasterIO(GDALGetRasterBand(dst, k + 1), GF_Read, 0, 0, size, size,
                             planes + (size_t)k * n, size, size, GDT_Float32, 0, 0) != CE_None)
                st = tb_error(TB_ERR_INTERNAL, "%s: cannot read the warped chip back", r->path);
    }
    if (op)
        GDALDestroyWarpOperation(op);
    if (wo)
        GDALDestroyWarpOptions(wo);
    if (approx)
        GDALDestroyApproxTransformer(approx);
    if (tr)
        GDALDestroyGenImgProjTransformer(tr);
    GDALClose(dst);
    return st;
}

tb_status tb_evidence_chip_raster(tb_raster *r, const char *polygon_wkt_4490, double margin_m,
                                  int size_px, const char *png_path)
{
    tb_gdal_init();
    if (!(margin_m >= 0))
        margin_m = TB_EVIDENCE_MARGIN_M;
    if (size_px <= 0)
        size_px = TB_EVIDENCE_SIZE_PX;
    if (size_px > MAX_SIZE_PX)
        return tb_error(TB_ERR_USAGE, "%s: chip size %d px is above %d", png_path, size_px,
                        MAX_SIZE_PX);
    if (!r->wkt || !r->has_gt)
        return tb_error(TB_ERR_INPUT_FORMAT, "%s: no %s: cannot place an evidence chip", r->path,
                        r->wkt ? "geotransform" : "CRS");

    tb_status st = TB_OK;
    OGRSpatialReferenceH geog = OSRNewSpatialReference(NULL), tm = NULL;
    OGRSpatialReferenceH geog_gis = NULL;
    OGRCoordinateTransformationH ct = NULL;
    OGRGeometryH poly = NULL;
    char *chip_wkt = NULL;
    float *planes = NULL, *tmp = NULL;
    canvas c;
    memset(&c, 0, sizeof c);
    c.size = size_px;
    size_t n = (size_t)size_px * (size_t)size_px;

    if (OSRImportFromEPSG(geog, 4490) != OGRERR_NONE)
        st = tb_error(TB_ERR_CRS, "%s: PROJ does not know EPSG:4490", png_path);
    if (!st) {
        geog_gis = OSRClone(geog);
        OSRSetAxisMappingStrategy(geog_gis, OAMS_TRADITIONAL_GIS_ORDER);
        char *w = (char *)polygon_wkt_4490;
        if (!polygon_wkt_4490 || OGR_G_CreateFromWkt(&w, NULL, &poly) != OGRERR_NONE || !poly ||
            OGR_G_IsEmpty(poly))
            st = tb_error(TB_ERR_INPUT_FORMAT, "%s: the polygon is not WKT in lon/lat (%.40s)",
                          png_path, polygon_wkt_4490 ? polygon_wkt_4490 : "NULL");
    }
    OGREnvelope e;
    if (!st) {
        OGR_G_GetEnvelope(poly, &e);
        double lon = 0.5 * (e.MinX + e.MaxX), lat = 0.5 * (e.MinY + e.MaxY);
        if (!(fabs(lon) <= 180 && fabs(lat) < 90))
            st = tb_error(TB_ERR_INPUT_FORMAT, "%s: the polygon is not in lon/lat (centre %g %g)",
                          png_path, lon, lat);
        else if (!(tm = local_tm(geog, lon, lat)) || !(ct = OCTNewCoordinateTransformation(geog_gis, tm)))
            st = tb_error(TB_ERR_CRS, "%s: cannot set up a transverse Mercator at %g %g", png_path,
                          lon, lat);
    }
    if (!st && OGR_G_Transform(poly, ct) != OGRERR_NONE)
        st = tb_error(TB_ERR_CRS, "%s: cannot project the polygon", png_path);
    if (!st && OSRExportToWkt(tm, &chip_wkt) != OGRERR_NONE)
        st = tb_error(TB_ERR_CRS, "%s: cannot describe the chip's CRS", png_path);
    if (!st) {
        OGR_G_GetEnvelope(poly, &e);
        double side = fmax(e.MaxX - e.MinX, e.MaxY - e.MinY) + 2 * margin_m;
        if (!(side > 1e-3))
            side = 1.0;
        double cx = 0.5 * (e.MinX + e.MaxX), cy = 0.5 * (e.MinY + e.MaxY);
        double px = side / size_px;
        double gt[6] = {cx - side / 2, px, 0, cy + side / 2, 0, -px};
        memcpy(c.gt, gt, sizeof gt);
        planes = malloc(sizeof(float) * n * 4);
        tmp = malloc(sizeof(float) * n);
        for (int k = 0; k < 3; k++)
            c.rgb[k] = malloc(n);
        if (!planes || !tmp || !c.rgb[0] || !c.rgb[1] || !c.rgb[2])
            st = tb_error(TB_ERR_NOMEM, "%s: out of memory", png_path);
    }
    int rgb[3];
    int nsel = 3;
    if (!st) {
        choose_bands(r->ds, r->nbands, rgb);
        if (rgb[0] == rgb[1] && rgb[1] == rgb[2])
            nsel = 1;
        st = warp_chip(r, rgb, nsel, chip_wkt, c.gt, size_px, planes, png_path);
    }
    if (!st) {
        const float *alpha = planes + (size_t)nsel * n;
        for (int k = 0; k < nsel; k++)
            stretch(planes + (size_t)k * n, alpha, n, tmp, c.rgb[k]);
        for (int k = nsel; k < 3; k++)
            memcpy(c.rgb[k], c.rgb[0], n);
        draw_outline(&c, poly);
        st = write_png(&c, png_path);
    }
    free(planes);
    free(tmp);
    for (int k = 0; k < 3; k++)
        free(c.rgb[k]);
    CPLFree(chip_wkt);
    if (poly)
        OGR_G_DestroyGeometry(poly);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (tm)
        OSRDestroySpatialReference(tm);
    if (geog_gis)
        OSRDestroySpatialReference(geog_gis);
    OSRDestroySpatialReference(geog);
    return st;
}

tb_status tb_evidence_chip(const char *raster_path, const char *polygon_wkt_4490, double margin_m,
                           int size_px, const char *png_path)
{
    tb_raster *r = NULL;
    tb_status st = tb_raster_open(raster_path, &r);
    if (!st)
        st = tb_evidence_chip_raster(r, polygon_wkt_4490, margin_m, size_px, png_path);
    tb_raster_close(r);
    return st;
}
