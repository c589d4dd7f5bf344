/* raster_source.c: one date of imagery as GDAL sees it, read in rows.
 *
 * A date may be several single-band files (a directory, or a comma list): they are
 * stacked into an in-memory VRT after checking that they share one grid, so the rest
 * of tuban always sees one multi-band raster.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <ogr_srs_api.h>

#include "raster_internal.h"


static int gdal_ready;

void tb_gdal_init(void)
{
    if (gdal_ready)
        return;
    GDALAllRegister();
    /* GDAL's own messages would print to stderr with their own wording; keep them
     * quiet and fold the last one into tuban's one-line message where relevant. */
    CPLSetErrorHandler(CPLQuietErrorHandler);
    gdal_ready = 1;
}

const char *tb_gdal_last_error(void)
{
    const char *m = CPLGetLastErrorMsg();
    return m ? m : "";
}

static int is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static tb_status check_exists(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        /* GDAL virtual paths (/vsicurl/, /vsizip/...) are not on disk: let GDAL try. */
        if (!strncmp(path, "/vsi", 4))
            return TB_OK;
        return tb_error(TB_ERR_INPUT_MISSING, "%s: no such file", path);
    }
    return TB_OK;
}

static GDALDatasetH open_one(const char *path, tb_status *st)
{
    *st = check_exists(path);
    if (*st)
        return NULL;
    if (is_directory(path)) {
        *st = tb_error(TB_ERR_INPUT_FORMAT, "%s: is a directory with no raster files", path);
        return NULL;
    }
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds || GDALGetRasterCount(ds) < 1) {
        const char *why = tb_gdal_last_error();
        *st = tb_error(TB_ERR_INPUT_FORMAT, "%s: not a raster GDAL can read%s%s%s", path,
                       *why ? " (" : "", why, *why ? ")" : "");
        if (ds)
            GDALClose(ds);
        return NULL;
    }
    return ds;
}

static int has_raster_extension(const char *name)
{
    static const char *ext[] = {".tif", ".tiff", ".TIF", ".TIFF", ".jp2", ".png", ".img", ".vrt"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t e = strlen(ext[i]);
        if (n > e && !strcmp(name + n - e, ext[i]))
            return 1;
    }
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The list of files a date is made of: the path itself, the sorted raster files of a
 * directory, or the items of a comma list. */
static tb_status list_parts(const char *path, char ***out, int *count)
{
    char **parts = NULL;
    int n = 0;
    if (strchr(path, ',')) {
        parts = CSLTokenizeString2(path, ",", CSLT_STRIPLEADSPACES | CSLT_STRIPENDSPACES);
        n = CSLCount(parts);
    } else if (is_directory(path)) {
        DIR *d = opendir(path);
        if (!d)
            return tb_error(TB_ERR_INPUT_FORMAT, "%s: cannot list directory (%s)", path,
                            strerror(errno));
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.' || !has_raster_extension(e->d_name))
                continue;
            char *full = CPLStrdup(CPLFormFilename(path, e->d_name, NULL));
            parts = CSLAddString(parts, full);
            CPLFree(full);
            n++;
        }
        closedir(d);
        if (n == 0)
            return tb_error(TB_ERR_INPUT_FORMAT, "%s: directory holds no raster files", path);
        qsort(parts, (size_t)n, sizeof *parts, compare_names);
    } else {
        parts = CSLAddString(NULL, path);
        n = 1;
    }
    *out = parts;
    *count = n;
    return TB_OK;
}

/* Stacks single-band parts into one in-memory VRT after checking they share a grid. */
static tb_status stack_parts(const char *path, char **parts, int n, GDALDatasetH *out)
{
    tb_status st = TB_OK;
    int w = 0, h = 0;
    double gt0[6];
    int has0 = 0;
    for (int i = 0; i < n && !st; i++) {
        GDALDatasetH ds = open_one(parts[i], &st);
        if (!ds)
            break;
        double gt[6];
        int has = GDALGetGeoTransform(ds, gt) == CE_None;
        if (i == 0) {
            w = GDALGetRasterXSize(ds);
            h = GDALGetRasterYSize(ds);
            memcpy(gt0, gt, sizeof gt);
            has0 = has;
        } else if (GDALGetRasterXSize(ds) != w || GDALGetRasterYSize(ds) != h || has != has0 ||
                   (has && memcmp(gt, gt0, sizeof gt) != 0)) {
            st = tb_error(TB_ERR_INPUT_FORMAT, "%s: %s is not on the grid of %s (%dx%d)", path,
                          parts[i], parts[0], w, h);
        }
        GDALClose(ds);
    }
    if (st)
        return st;
    char **argv = CSLAddString(NULL, "-separate");
    GDALBuildVRTOptions *opt = GDALBuildVRTOptionsNew(argv, NULL);
    CSLDestroy(argv);
    int err = 0;
    CPLErrorReset();
    GDALDatasetH vrt = GDALBuildVRT("", n, NULL, (const char *const *)parts, opt, &err);
    GDALBuildVRTOptionsFree(opt);
    if (!vrt || err)
        return tb_error(TB_ERR_INPUT_FORMAT, "%s: cannot stack its bands (%s)", path,
                        tb_gdal_last_error());
    *out = vrt;
    return TB_OK;
}

/* TIFF writes "YYYY:MM:DD HH:MM:SS"; everything tuban reports is ISO 8601. */
static char *iso_date(const char *v)
{
    int Y, M, D, h, m, s;
    char tail;
    if (sscanf(v, "%4d:%2d:%2d %2d:%2d:%2d%c", &Y, &M, &D, &h, &m, &s, &tail) == 6) {
        char buf[32];
        snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", Y, M, D, h, m, s);
        return CPLStrdup(buf);
    }
    return CPLStrdup(v);
}

static char *find_acquisition(GDALDatasetH ds)
{
    static const char *keys[][2] = {
        {"ACQUISITIONDATETIME", "IMAGERY"}, {"ACQUISITIONDATETIME", ""},
        {"ACQUISITION_DATE", ""},           {"DATE_ACQUIRED", ""},
        {"SENSING_TIME", ""},               {"TIFFTAG_DATETIME", ""},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = GDALGetMetadataItem(ds, keys[i][0], keys[i][1][0] ? keys[i][1] : NULL);
        if (v && *v)
            return iso_date(v);
    }
    return NULL;
}

/* The libtiff fast path, when GDAL reads `r` as a plain GTiff file whose masks come
 * from nodata values at most (mask bands and alpha stay with GDAL) and libtiff sees the
 * same size, bands and sample type. A handle wrapping another's dataset as it is (the
 * scan's view of a date already on its grid) gets its own. TUBAN_NO_LIBTIFF=1 turns it
 * off. */
static tb_tiff_reader *open_fast_path(const tb_raster *r)
{
    const char *off = getenv("TUBAN_NO_LIBTIFF");
    if ((off && *off && strcmp(off, "0") != 0) || r->alpha)
        return NULL;
    GDALDriverH drv = GDALGetDatasetDriver(r->ds);
    if (!drv || strcmp(GDALGetDriverShortName(drv), "GTiff") != 0)
        return NULL;
    const int n = GDALGetRasterCount(r->ds);
    const GDALDataType type = GDALGetRasterDataType(GDALGetRasterBand(r->ds, 1));
    for (int b = 1; b <= n; b++) {
        GDALRasterBandH band = GDALGetRasterBand(r->ds, b);
        const int flags = GDALGetMaskFlags(band);
        if (GDALGetRasterDataType(band) != type ||
            !((flags & GMF_ALL_VALID) || flags == GMF_NODATA))
            return NULL;
    }
    tb_tiff_reader *t = tb_tiff_reader_open(GDALGetDescription(r->ds), 0);
    if (t && (tb_tiff_reader_width(t) != r->width || tb_tiff_reader_height(t) != r->height ||
              tb_tiff_reader_band_count(t) != n ||
              strcmp(tb_tiff_reader_type_name(t), GDALGetDataTypeName(type)) != 0)) {
        tb_tiff_reader_close(t);
        t = NULL;
    }
    return t;
}

tb_raster *tb_raster_wrap(GDALDatasetH ds, const char *path, const char *acquisition, int borrowed)
{
    tb_raster *r = calloc(1, sizeof *r);
    if (!r) {
        if (!borrowed)
            GDALClose(ds);
        return NULL;
    }
    r->borrowed = borrowed;
    r->path = CPLStrdup(path);
    r->ds = ds;
    r->width = GDALGetRasterXSize(ds);
    r->height = GDALGetRasterYSize(ds);
    r->nbands = GDALGetRasterCount(ds);
    /* An alpha band is a mask, not data: it reaches the scan through the mask flags
     * of the other bands (GMF_ALPHA), not as a band of its own. */
    if (r->nbands > 1 &&
        GDALGetRasterColorInterpretation(GDALGetRasterBand(ds, r->nbands)) == GCI_AlphaBand)
        r->alpha = r->nbands--;
    r->has_gt = GDALGetGeoTransform(ds, r->gt) == CE_None;
    if (!r->has_gt) {
        double ident[6] = {0, 1, 0, 0, 0, 1};
        memcpy(r->gt, ident, sizeof ident);
    }
    OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
    if (srs) {
        char *wkt = NULL;
        const char *opts[] = {"FORMAT=WKT2_2019", NULL};
        if (OSRExportToWktEx(srs, &wkt, opts) == OGRERR_NONE && wkt && *wkt)
            r->wkt = CPLStrdup(wkt);
        CPLFree(wkt);
    }
    r->acquisition = acquisition ? CPLStrdup(acquisition) : find_acquisition(ds);
    r->has_rpc = !r->wkt && CSLCount(GDALGetMetadata(ds, "RPC")) > 0;
    r->fast = open_fast_path(r);
    return r;
}

tb_status tb_raster_open(const char *path, tb_raster **out)
{
    tb_gdal_init();
    *out = NULL;
    char **parts = NULL;
    int n = 0;
    tb_status st = list_parts(path, &parts, &n);
    if (st)
        return st;
    GDALDatasetH ds = NULL;
    char *acquisition = NULL;
    if (n == 1 && !is_directory(path)) {
        ds = open_one(parts[0], &st);
    } else {
        st = stack_parts(path, parts, n, &ds);
        if (!st) {
            GDALDatasetH first = GDALOpenEx(parts[0], GDAL_OF_RASTER | GDAL_OF_READONLY, NULL,
                                            NULL, NULL);
            if (first) {
                acquisition = find_acquisition(first);
                GDALClose(first);
            }
        }
    }
    CSLDestroy(parts);
    if (st)
        return st;

    tb_raster *r = tb_raster_wrap(ds, path, acquisition, 0);
    CPLFree(acquisition);
    if (!r)
        return tb_error(TB_ERR_NOMEM, "%s: out of memory", path);
    *out = r;
    return TB_OK;
}

void tb_raster_close(tb_raster *r)
{
    if (!r)
        return;
    if (r->ds && !r->borrowed)
        GDALClose(r->ds);
    CPLFree(r->path);
    CPLFree(r->wkt);
    CPLFree(r->acquisition);
    free(r->mask_buf);
    tb_tiff_reader_close(r->fast);
    free(r);
}

const char *tb_raster_path(const tb_raster *r) { return r->path; }
int tb_raster_width(const tb_raster *r) { return r->width; }
int tb_raster_height(const tb_raster *r) { return r->height; }
int tb_raster_band_count(const tb_raster *r) { return r->nbands; }
const char *tb_raster_crs_wkt(const tb_raster *r) { return r->wkt; }
const char *tb_raster_acquisition(const tb_raster *r) { return r->acquisition; }

double tb_raster_sun_azimuth(const tb_raster *r)
{
    static const char *keys[][2] = {
        {"SUN_AZIMUTH", ""},          {"SUN_AZIMUTH", "IMAGERY"},  {"MEAN_SUN_AZIMUTH", ""},
        {"SUN_AZIMUTH_ANGLE", ""},    {"IMAGE_1.meanSunAz", "IMD"}, {"SUNAZIMUTH", ""},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = GDALGetMetadataItem(r->ds, keys[i][0], keys[i][1][0] ? keys[i][1] : NULL);
        char *end;
        const double a = v ? strtod(v, &end) : NAN;
        if (v && end != v && isfinite(a) && a >= 0 && a <= 360)
            return a;
    }
    return NAN;
}

const char *tb_raster_type_name(const tb_raster *r)
{
    return GDALGetDataTypeName(GDALGetRasterDataType(GDALGetRasterBand(r->ds, 1)));
}

const char *tb_raster_driver(const tb_raster *r)
{
    GDALDriverH drv = GDALGetDatasetDriver(r->ds);
    return drv ? GDALGetDriverShortName(drv) : "?";
}

size_t tb_raster_block_row_bytes(const tb_raster *r)
{
    size_t total = 0;
    for (int b = 1; b <= r->nbands; b++) {
        GDALRasterBandH band = GDALGetRasterBand(r->ds, b);
        int bx = 0, by = 0;
        GDALGetBlockSize(band, &bx, &by);
        if (by < 1)
            by = 1;
        total += (size_t)r->width * (size_t)by *
                 (size_t)GDALGetDataTypeSizeBytes(GDALGetRasterDataType(band));
    }
    return total;
}

int tb_raster_fast_rows(const tb_raster *r) { return r->fast != NULL; }

void tb_raster_set_read_overlap(tb_raster *r, int rows)
{
    if (r->fast)
        tb_tiff_reader_set_overlap(r->fast, rows);
}

int tb_raster_block_height(const tb_raster *r)
{
    int bx = 0, by = 0;
    GDALGetBlockSize(GDALGetRasterBand(r->ds, 1), &bx, &by);
    return by > 0 ? by : 1;
}

void tb_gdal_set_cache(size_t bytes)
{
    GDALSetCacheMax64((GIntBig)bytes);
}

int tb_raster_has_rpc(const tb_raster *r) { return r->has_rpc; }

tb_status tb_raster_assign_crs(tb_raster *r, const char *text, const char *origin)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    CPLErrorReset();
    if (OSRSetFromUserInput(srs, text) != OGRERR_NONE) {
        OSRDestroySpatialReference(srs);
        return tb_error(TB_ERR_CRS, "%s: '%s' is not a CRS PROJ understands (%s)", origin, text,
                        tb_gdal_last_error());
    }
    char *wkt = NULL;
    const char *opts[] = {"FORMAT=WKT2_2019", NULL};
    OSRExportToWktEx(srs, &wkt, opts);
    OSRDestroySpatialReference(srs);
    CPLFree(r->wkt);
    r->wkt = CPLStrdup(wkt);
    CPLFree(wkt);
    r->crs_assigned = 1;
    r->has_rpc = 0;
    return TB_OK;
}

int tb_raster_geotransform(const tb_raster *r, double gt[6])
{
    memcpy(gt, r->gt, 6 * sizeof *gt);
    return r->has_gt;
}

tb_status tb_raster_read_rows(tb_raster *r, int y0, int rows, const int *bands, int nbands,
                              float *const *planes, uint8_t *valid)
{
    return tb_raster_read_window(r, 0, y0, r->width, rows, bands, nbands, planes, valid);
}

/* How a band's validity follows from its values, when GDAL derives its mask from them
 * (all valid, or a nodata value) and no mask band has to be read. */
typedef struct value_mask {
    int check_nan;   /* float data: NaN is no data */
    int has_nodata;
    float nodata;
} value_mask;

/* Fills *vm and returns 1 when the validity of `band` follows from its values. */
static int value_mask_of(GDALRasterBandH band, value_mask *vm)
{
    const int flags = GDALGetMaskFlags(band);
    if (flags & GMF_ALL_VALID) {
        /* Only float data can still hold NaN. */
        *vm = (value_mask){GDALDataTypeIsFloating(GDALGetRasterDataType(band)), 0, 0};
        return 1;
    }
    if (flags == GMF_NODATA) {
        /* The mask would be derived from the same values: compare directly. */
        int has = 0;
        const float nd = (float)GDALGetRasterNoDataValue(band, &has);
        *vm = (value_mask){1, !isnan(nd), nd};
        return 1;
    }
    return 0;
}

static void apply_value_mask(const value_mask *vm, const float *p, size_t n, uint8_t *valid)
{
    if (vm->has_nodata) {
        for (size_t k = 0; k < n; k++)
            valid[k] &= (uint8_t)(p[k] != vm->nodata && !isnan(p[k]));
    } else if (vm->check_nan) {
        for (size_t k = 0; k < n; k++)
            valid[k] &= (uint8_t)!isnan(p[k]);
    }
}

tb_status tb_raster_read_window(tb_raster *r, int x0, int y0, int cols, int rows, const int *bands,
                                int nbands, float *const *planes, uint8_t *valid)
{
    const size_t n = (size_t)cols * rows;
    memset(valid, 1, n);
    int per_dataset_done = 0;
    /* Full-width rows of a plain GeoTIFF: all bands at once through libtiff. */
    const int fast = r->fast && x0 == 0 && cols == r->width;
    if (fast) {
        for (int i = 0; i < nbands; i++)
            if (bands[i] < 1 || bands[i] > r->nbands)
                return tb_error(TB_ERR_BANDS, "%s: has no band %d", r->path, bands[i]);
        if (tb_tiff_reader_read_rows(r->fast, y0, rows, bands, nbands, planes) != 0)
            return tb_error_status();
    }
    for (int i = 0; i < nbands; i++) {
        GDALRasterBandH band = GDALGetRasterBand(r->ds, bands[i]);
        if (!band)
            return tb_error(TB_ERR_BANDS, "%s: has no band %d", r->path, bands[i]);
        CPLErrorReset();
        if (!fast && GDALRasterIO(band, GF_Read, x0, y0, cols, rows, planes[i], cols, rows,
                                  GDT_Float32, 0, 0) != CE_None)
            return tb_error(TB_ERR_INPUT_FORMAT, "%s: cannot read rows %d-%d of band %d (%s)",
                            r->path, y0, y0 + rows - 1, bands[i], tb_gdal_last_error());
        value_mask vm;
        if (value_mask_of(band, &vm)) {
            apply_value_mask(&vm, planes[i], n, valid);
            continue;
        }
        const int flags = GDALGetMaskFlags(band);
        if ((flags & GMF_PER_DATASET) && per_dataset_done)
            continue;
        if (r->mask_cap < n) {
            uint8_t *m = realloc(r->mask_buf, n);
            if (!m)
                return tb_error(TB_ERR_NOMEM, "%s: out of memory reading its mask", r->path);
            r->mask_buf = m;
            r->mask_cap = n;
        }
        if (GDALRasterIO(GDALGetMaskBand(band), GF_Read, x0, y0, cols, rows, r->mask_buf,
                         cols, rows, GDT_Byte, 0, 0) != CE_None)
            return tb_error(TB_ERR_INPUT_FORMAT, "%s: cannot read the mask of band %d (%s)",
                            r->path, bands[i], tb_gdal_last_error());
        for (size_t k = 0; k < n; k++)
            valid[k] &= (uint8_t)(r->mask_buf[k] != 0);
        if (flags & GMF_PER_DATASET)
            per_dataset_done = 1;
    }
    /* GDAL derives masks from alpha only for gray+alpha and RGB+alpha; any other
     * trailing alpha band is applied here (0 = transparent = no data). */
    if (r->alpha && !per_dataset_done) {
        if (r->mask_cap < n) {
            uint8_t *m = realloc(r->mask_buf, n);
            if (!m)
                return tb_error(TB_ERR_NOMEM, "%s: out of memory reading its alpha band", r->path);
            r->mask_buf = m;
            r->mask_cap = n;
        }
        /* Read as Byte: larger alpha values clamp to 255, zero stays zero. */
        if (GDALRasterIO(GDALGetRasterBand(r->ds, r->alpha), GF_Read, x0, y0, cols, rows,
                         r->mask_buf, cols, rows, GDT_Byte, 0, 0) != CE_None)
            return tb_error(TB_ERR_INPUT_FORMAT, "%s: cannot read its alpha band (%s)", r->path,
                            tb_gdal_last_error());
        for (size_t k = 0; k < n; k++)
            valid[k] &= (uint8_t)(r->mask_buf[k] != 0);
    }
    return TB_OK;
}

tb_status tb_raster_same_grid(const tb_raster *a, const tb_raster *b)
{
    if (a->width != b->width || a->height != b->height)
        return tb_error(TB_ERR_GRID,
                        "%s (%dx%d) and %s (%dx%d) are on different grids: sizes differ "
                        "(reprojection onto one grid is not supported yet)",
                        a->path, a->width, a->height, b->path, b->width, b->height);
    if (a->has_gt != b->has_gt)
        return tb_error(TB_ERR_GRID, "%s and %s are on different grids: only %s is georeferenced",
                        a->path, b->path, a->has_gt ? a->path : b->path);
    /* Every term is compared at a millionth of a pixel. */
    const double tol = 1e-6 * (fabs(a->gt[1]) + fabs(a->gt[5]));
    for (int i = 0; i < 6; i++)
        if (fabs(a->gt[i] - b->gt[i]) > tol)
            return tb_error(TB_ERR_GRID,
                            "%s and %s are on different grids: geotransforms differ "
                            "(origin %.6f,%.6f vs %.6f,%.6f; pixel %.6g vs %.6g)",
                            a->path, b->path, a->gt[0], a->gt[3], b->gt[0], b->gt[3], a->gt[1],
                            b->gt[1]);
    if (!a->wkt != !b->wkt)
        return tb_error(TB_ERR_GRID, "%s and %s are on different grids: only %s has a CRS",
                        a->path, b->path, a->wkt ? a->path : b->path);
    if (a->wkt) {
        OGRSpatialReferenceH sa = OSRNewSpatialReference(a->wkt);
        OGRSpatialReferenceH sb = OSRNewSpatialReference(b->wkt);
        int same = sa && sb && OSRIsSame(sa, sb);
        OSRDestroySpatialReference(sa);
        OSRDestroySpatialReference(sb);
        if (!same)
            return tb_error(TB_ERR_GRID, "%s and %s are on different grids: their CRSs differ",
                            a->path, b->path);
    }
    return TB_OK;
}

tb_status tb_raster_read_windows(tb_raster *r, int n, const int *xs, const int *ys, int cols,
                                 int rows, const int *bands, int nbands, float *const *planes,
                                 uint8_t *valid)
{
    const size_t px = (size_t)cols * rows;
    if (!r->fast || !tb_tiff_reader_tiled(r->fast)) {
        /* GDAL, window after window: its handles are not to be shared between threads. */
        for (int i = 0; i < n; i++) {
            tb_status st = tb_raster_read_window(r, xs[i], ys[i], cols, rows, bands, nbands,
                                                 planes + (size_t)i * (size_t)nbands,
                                                 valid + (size_t)i * px);
            if (st)
                return st;
        }
        return TB_OK;
    }
    /* The fast path takes only files whose masks follow from their values. */
    value_mask vm[TB_RASTER_MAX_WINDOW_BANDS];
    if (nbands > TB_RASTER_MAX_WINDOW_BANDS)
        return tb_error(TB_ERR_BANDS, "%s: at most %d bands can be read at once", r->path,
                        TB_RASTER_MAX_WINDOW_BANDS);
    for (int i = 0; i < nbands; i++) {
        GDALRasterBandH band = bands[i] >= 1 && bands[i] <= r->nbands
                                   ? GDALGetRasterBand(r->ds, bands[i]) : NULL;
        if (!band)
            return tb_error(TB_ERR_BANDS, "%s: has no band %d", r->path, bands[i]);
        if (!value_mask_of(band, &vm[i]))
            return tb_error(TB_ERR_INTERNAL, "%s: band %d has a mask band on the libtiff path",
                            r->path, bands[i]);
    }
    if (tb_tiff_reader_read_windows(r->fast, n, xs, ys, cols, rows, bands, nbands, planes) != 0)
        return tb_error_status();
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        uint8_t *v = valid + (size_t)i * px;
        memset(v, 1, px);
        for (int b = 0; b < nbands; b++)
            apply_value_mask(&vm[b], planes[(size_t)i * (size_t)nbands + b], px, v);
    }
    return TB_OK;
}
