/* eval_masks.c: the entry point of `tuban eval`, change masks and pixel metrics.
 *
 * tb_eval_run decides what each input is (raster or vector, by what GDAL/OGR opens),
 * computes pixel metrics when both are rasters and object metrics always
 * (eval_objects.c). A mask is band 1 of any GDAL raster (PNG, TIFF, BMP, ...), read
 * strip by strip with GDALRasterIO so that a raster larger than memory costs two
 * strips. Each pixel becomes one class: change when its value is in the value list
 * ("" = any non-zero value), skip when it equals the raster's nodata value (NaN is
 * always skipped), else no change. Byte rasters go through a 256-entry table; other
 * types are read as Float64. A pixel is counted only when neither mask skips it;
 * the two rasters must have the same size (TB_ERR_GRID otherwise). Masks are compared
 * pixel for pixel: georeferencing is not checked, only used for areas.
 */
#include "tb_eval.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_srs_api.h>

/* Pixels per strip (tb_eval_strip_rows): 256 Ki pixels keep a Float64 strip at 2 MiB. */
#define TB_EVAL_STRIP_PIXELS (1 << 18)
#define TB_EVAL_MAX_VALUES 64
/* Mean Earth radius (IUGG), for pixel areas of geographic rasters. */
#define TB_EVAL_EARTH_RADIUS_M 6371008.8

struct tb_eval_mask {
    GDALDatasetH ds;
    GDALRasterBandH band;
    char path[1024];            /* for messages */
    int width, height;
    int is_byte;                /* read through lut */
    unsigned char lut[256];
    long values[TB_EVAL_MAX_VALUES];
    int nvalues;
    int has_nodata;
    double nodata;
    double *buf;                /* Float64 strip for non-Byte rasters */
    size_t buf_len;
    int has_georef;
    double gt[6];
    char *wkt;                  /* CPLFree */
    double pixel_area;
};

/* Registers the GDAL drivers once per process. */
static void ensure_gdal(void)
{
    if (GDALGetDriverCount() == 0)
        GDALAllRegister();
}

/* Parses `list` into vals. The function returns the number of values (0 for ""),
 * or -1 when the list is malformed or longer than TB_EVAL_MAX_VALUES. */
static int parse_values(const char *list, long *vals)
{
    int n = 0;
    const char *p = list;
    if (*p == '\0')
        return 0;
    for (;;) {
        char *end;
        if (n == TB_EVAL_MAX_VALUES)
            return -1;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno == ERANGE)
            return -1;
        vals[n++] = v;
        while (*end == ' ')
            end++;
        if (*end == '\0')
            return n;
        if (*end != ',')
            return -1;
        p = end + 1;
    }
}

tb_status tb_eval_check_values(const char *list, const char *what)
{
    long vals[TB_EVAL_MAX_VALUES];
    if (parse_values(list, vals) < 0)
        return tb_error(TB_ERR_USAGE, "%s: '%s' is not a comma list of at most %d integers",
                        what, list, TB_EVAL_MAX_VALUES);
    return TB_OK;
}

const char *tb_eval_kind_values(const char *kinds)
{
    if (!kinds[0] || !strcmp(kinds, "all"))
        return "1,2";
    if (!strcmp(kinds, "new"))
        return "1";
    if (!strcmp(kinds, "removed"))
        return "2";
    return NULL;
}

void tb_eval_defaults(tb_eval_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->iou = 0.3;
    opt->min_area_m2 = 0.0;
    opt->pixel_size = 0.0;
}

/* Opens `path` with GDALOpenEx(flags), silencing GDAL's own messages. The function
 * returns TB_OK with *out set, TB_ERR_INPUT_MISSING when nothing exists at `path`,
 * else TB_ERR_INPUT_FORMAT with GDAL's reason. */
static tb_status open_input(const char *path, unsigned flags, GDALDatasetH *out)
{
    char reason[256] = "";
    ensure_gdal();
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = GDALOpenEx(path, flags | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                                 NULL, NULL, NULL);
    if (!ds)
        snprintf(reason, sizeof reason, "%s", CPLGetLastErrorMsg());
    CPLPopErrorHandler();
    if (ds) {
        *out = ds;
        return TB_OK;
    }
    /* CPLCheckForFile: VSIStatL without its struct stat64 (hidden in strict C11). */
    char *copy = CPLStrdup(path);
    int exists = CPLCheckForFile(copy, NULL);
    CPLFree(copy);
    if (!exists)
        return tb_error(TB_ERR_INPUT_MISSING, "%s: no such file", path);
    return tb_error(TB_ERR_INPUT_FORMAT, "%s: neither a raster nor a vector file GDAL can read%s%s",
                    path, reason[0] ? ": " : "", reason);
}

tb_status tb_eval_probe(const char *path, tb_eval_kind *kind)
{
    GDALDatasetH ds;
    tb_status st = open_input(path, GDAL_OF_RASTER | GDAL_OF_VECTOR, &ds);
    if (st != TB_OK)
        return st;
    if (GDALGetRasterCount(ds) > 0)
        *kind = TB_EVAL_RASTER;
    else if (GDALDatasetGetLayerCount(ds) > 0)
        *kind = TB_EVAL_VECTOR;
    else
        st = tb_error(TB_ERR_INPUT_FORMAT, "%s: has neither raster bands nor vector layers", path);
    GDALClose(ds);
    return st;
}

/* Class of one value of mask m (TB_EVAL_NO / _CHANGE / _SKIP). */
static unsigned char classify(const tb_eval_mask *m, double v)
{
    if (isnan(v))
        return TB_EVAL_SKIP;
    if (m->has_nodata && v == m->nodata)
        return TB_EVAL_SKIP;
    if (m->nvalues == 0)
        return v != 0.0 ? TB_EVAL_CHANGE : TB_EVAL_NO;
    for (int i = 0; i < m->nvalues; i++)
        if (v == (double)m->values[i])
            return TB_EVAL_CHANGE;
    return TB_EVAL_NO;
}

/* Sets m->has_georef, gt, wkt and pixel_area (see tb_eval_mask_pixel_area). */
static void read_georef(tb_eval_mask *m, double pixel_size)
{
    double ps = pixel_size > 0.0 ? pixel_size : 1.0;
    m->pixel_area = ps * ps;
    OGRSpatialReferenceH srs = GDALGetSpatialRef(m->ds);
    double gt[6];
    if (!srs || GDALGetGeoTransform(m->ds, gt) != CE_None)
        return;
    double det = fabs(gt[1] * gt[5] - gt[2] * gt[4]);
    if (!(det > 0.0))
        return;
    char *wkt = NULL;
    if (OSRExportToWkt(srs, &wkt) != OGRERR_NONE || !wkt) {
        CPLFree(wkt);
        return;
    }
    m->has_georef = 1;
    memcpy(m->gt, gt, sizeof gt);
    m->wkt = wkt;
    if (OSRIsGeographic(srs)) {
        /* Angular unit in radians; the centre latitude scales the east-west side. */
        double rad = OSRGetAngularUnits(srs, NULL);
        double lat = (gt[3] + gt[4] * m->width / 2.0 + gt[5] * m->height / 2.0) * rad;
        double k = TB_EVAL_EARTH_RADIUS_M * rad;
        m->pixel_area = det * k * k * cos(lat);
    } else {
        double unit = OSRGetLinearUnits(srs, NULL);
        m->pixel_area = det * unit * unit;
    }
}

tb_status tb_eval_mask_open(const char *path, const char *values, double pixel_size,
                            tb_eval_mask **out)
{
    *out = NULL;
    tb_eval_mask *m = calloc(1, sizeof *m);
    if (!m)
        return tb_error(TB_ERR_NOMEM, "%s: no memory for a mask", path);
    snprintf(m->path, sizeof m->path, "%s", path);
    m->nvalues = parse_values(values ? values : "", m->values);
    if (m->nvalues < 0) {
        free(m);
        return tb_error(TB_ERR_USAGE, "%s: value list '%s' is not a comma list of integers",
                        path, values);
    }
    tb_status st = open_input(path, GDAL_OF_RASTER, &m->ds);
    if (st != TB_OK) {
        free(m);
        return st;
    }
    if (GDALGetRasterCount(m->ds) < 1) {
        tb_eval_mask_close(m);
        return tb_error(TB_ERR_INPUT_FORMAT, "%s: has no raster band", path);
    }
    m->band = GDALGetRasterBand(m->ds, 1);
    m->width = GDALGetRasterXSize(m->ds);
    m->height = GDALGetRasterYSize(m->ds);
    int has = 0;
    m->nodata = GDALGetRasterNoDataValue(m->band, &has);
    m->has_nodata = has;
    m->is_byte = GDALGetRasterDataType(m->band) == GDT_Byte;
    if (m->is_byte)
        for (int v = 0; v < 256; v++)
            m->lut[v] = classify(m, (double)v);
    read_georef(m, pixel_size);
    *out = m;
    return TB_OK;
}

void tb_eval_mask_close(tb_eval_mask *m)
{
    if (!m)
        return;
    if (m->ds)
        GDALClose(m->ds);
    CPLFree(m->wkt);
    free(m->buf);
    free(m);
}

int tb_eval_mask_width(const tb_eval_mask *m) { return m->width; }
int tb_eval_mask_height(const tb_eval_mask *m) { return m->height; }
double tb_eval_mask_pixel_area(const tb_eval_mask *m) { return m->pixel_area; }

int tb_eval_mask_georef(const tb_eval_mask *m, double gt[6], const char **wkt)
{
    if (!m->has_georef)
        return 0;
    memcpy(gt, m->gt, sizeof m->gt);
    *wkt = m->wkt;
    return 1;
}

tb_status tb_eval_mask_read(tb_eval_mask *m, int y0, int rows, unsigned char *cls)
{
    size_t n = (size_t)m->width * (size_t)rows;
    CPLErr err;
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    if (m->is_byte) {
        err = GDALRasterIO(m->band, GF_Read, 0, y0, m->width, rows, cls, m->width, rows,
                           GDT_Byte, 0, 0);
        if (err == CE_None)
            for (size_t i = 0; i < n; i++)
                cls[i] = m->lut[cls[i]];
    } else {
        if (m->buf_len < n) {
            double *b = realloc(m->buf, n * sizeof *b);
            if (!b) {
                CPLPopErrorHandler();
                return tb_error(TB_ERR_NOMEM, "%s: no memory for a strip of %d rows", m->path,
                                rows);
            }
            m->buf = b;
            m->buf_len = n;
        }
        err = GDALRasterIO(m->band, GF_Read, 0, y0, m->width, rows, m->buf, m->width, rows,
                           GDT_Float64, 0, 0);
        if (err == CE_None)
            for (size_t i = 0; i < n; i++)
                cls[i] = classify(m, m->buf[i]);
    }
    CPLPopErrorHandler();
    if (err != CE_None)
        return tb_error(TB_ERR_INPUT_FORMAT, "%s: cannot read rows %d to %d: %s", m->path, y0,
                        y0 + rows - 1, CPLGetLastErrorMsg());
    return TB_OK;
}

int tb_eval_strip_rows(int width, int height)
{
    int rows = TB_EVAL_STRIP_PIXELS / (width > 0 ? width : 1);
    if (rows < 1)
        rows = 1;
    return rows < height ? rows : height;
}

tb_status tb_eval_mask_pair_open(const char *pred, const char *truth,
                                 const tb_eval_options *opt, tb_eval_mask_pair *p)
{
    memset(p, 0, sizeof *p);
    tb_status st = tb_eval_mask_open(pred, opt->pred_values, opt->pixel_size, &p->pred);
    if (st == TB_OK)
        st = tb_eval_mask_open(truth, opt->truth_values, opt->pixel_size, &p->truth);
    if (st != TB_OK)
        return st;
    const int w = p->pred->width, h = p->pred->height;
    if (p->truth->width != w || p->truth->height != h)
        return tb_error(TB_ERR_GRID, "%s is %dx%d pixels but %s is %dx%d: masks must have one size",
                        pred, w, h, truth, p->truth->width, p->truth->height);
    p->width = w;
    p->height = h;
    p->rows = tb_eval_strip_rows(w, h);
    size_t cap = (size_t)w * (size_t)(p->rows > 0 ? p->rows : 1);
    p->cp = malloc(cap);
    p->ct = malloc(cap);
    if (!p->cp || !p->ct)
        return tb_error(TB_ERR_NOMEM, "%s: no memory for strips of %d rows", pred, p->rows);
    return TB_OK;
}

tb_status tb_eval_mask_pair_read(tb_eval_mask_pair *p, int y0, int rows)
{
    tb_status st = tb_eval_mask_read(p->pred, y0, rows, p->cp);
    if (st == TB_OK)
        st = tb_eval_mask_read(p->truth, y0, rows, p->ct);
    return st;
}

void tb_eval_mask_pair_close(tb_eval_mask_pair *p)
{
    free(p->cp);
    free(p->ct);
    tb_eval_mask_close(p->pred);
    tb_eval_mask_close(p->truth);
    memset(p, 0, sizeof *p);
}

tb_status tb_eval_pixels(const char *pred, const char *truth, const tb_eval_options *opt,
                         tb_eval_result *res)
{
    tb_eval_mask_pair mp;
    tb_status st = tb_eval_mask_pair_open(pred, truth, opt, &mp);
    if (st != TB_OK)
        goto done;
    const int w = mp.width, h = mp.height, rows = mp.rows;
    /* counts[3 * pred class + truth class] */
    uint64_t counts[9] = {0};
    for (int y0 = 0; y0 < h; y0 += rows) {
        int r = h - y0 < rows ? h - y0 : rows;
        if ((st = tb_eval_mask_pair_read(&mp, y0, r)) != TB_OK)
            goto done;
        size_t n = (size_t)w * (size_t)r;
        for (size_t i = 0; i < n; i++)
            counts[3 * mp.cp[i] + mp.ct[i]]++;
    }
    res->tp = counts[3 * TB_EVAL_CHANGE + TB_EVAL_CHANGE];
    res->fp = counts[3 * TB_EVAL_CHANGE + TB_EVAL_NO];
    res->fn = counts[3 * TB_EVAL_NO + TB_EVAL_CHANGE];
    res->tn = counts[3 * TB_EVAL_NO + TB_EVAL_NO];
    tb_eval_scores((double)res->tp, (double)res->fp, (double)res->fn, &res->precision,
                   &res->recall, &res->f1, &res->iou);
    res->have_pixel = 1;
done:
    tb_eval_mask_pair_close(&mp);
    return st;
}

/* Checks opt, recording TB_ERR_USAGE for the first bad value. */
static tb_status check_options(const tb_eval_options *opt)
{
    if (!(opt->iou > 0.0 && opt->iou <= 1.0))
        return tb_error(TB_ERR_USAGE, "--iou: %g is not in (0, 1]", opt->iou);
    if (!(opt->min_area_m2 >= 0.0) || isinf(opt->min_area_m2))
        return tb_error(TB_ERR_USAGE, "--min-area: %g is not a finite area >= 0", opt->min_area_m2);
    if (!(opt->pixel_size >= 0.0) || isinf(opt->pixel_size))
        return tb_error(TB_ERR_USAGE, "--pixel-size: %g is not a finite size >= 0", opt->pixel_size);
    if (memchr(opt->pred_values, '\0', sizeof opt->pred_values) == NULL ||
        memchr(opt->truth_values, '\0', sizeof opt->truth_values) == NULL)
        return tb_error(TB_ERR_USAGE, "value lists must be shorter than %zu characters",
                        sizeof opt->pred_values);
    tb_status st = tb_eval_check_values(opt->pred_values, "--pred-values");
    if (st == TB_OK)
        st = tb_eval_check_values(opt->truth_values, "--truth-values");
    return st;
}

tb_status tb_eval_run(const char *pred, const char *truth, const tb_eval_options *opt,
                      tb_eval_result *res)
{
    if (!pred || !truth || !opt || !res)
        return tb_error(TB_ERR_INTERNAL, "tb_eval_run: NULL argument");
    memset(res, 0, sizeof *res);
    tb_status st = check_options(opt);
    if (st != TB_OK)
        return st;
    tb_eval_kind kp = TB_EVAL_RASTER, kt = TB_EVAL_RASTER;
    st = tb_eval_probe(pred, &kp);
    if (st == TB_OK)
        st = tb_eval_probe(truth, &kt);
    if (st != TB_OK)
        return st;
    if (kp == TB_EVAL_RASTER && kt == TB_EVAL_RASTER) {
        st = tb_eval_pixels(pred, truth, opt, res);
        if (st != TB_OK)
            return st;
    }
    return tb_eval_objects(pred, truth, opt, res);
}
