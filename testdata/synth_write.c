/* synth_write.c: the files of a synthetic pair, written through GDAL and OGR.
 *
 * before.tif and after.tif (4-band UInt16, pixel-interleaved, DEFLATE with the
 * horizontal predictor and 256x256 tiles unless told otherwise), truth_mask.tif (Byte)
 * and truth.geojson (OGR's GeoJSON driver) share one north-up grid in the scene CRS.
 * Each is created as NAME.tmp in the output directory and renamed when everything has
 * been written and closed without error, so a failed or cancelled run leaves nothing.
 * GDAL's own messages are silenced and folded into the one recorded error.
 * Not thread-safe: one writer is used from one thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <omp.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "synth_internal.h"

enum { OUT_BEFORE, OUT_AFTER, OUT_MASK, OUT_TRUTH, OUT_COUNT };

static const char *const OUT_NAMES[OUT_COUNT] = {"before.tif", "after.tif", "truth_mask.tif", "truth.geojson"};
static const char *const BAND_NAMES[TB_SYNTH_BANDS] = {"Blue", "Green", "Red", "NIR"};

struct tb_synth_writer {
    char *path[OUT_COUNT];  /* final names */
    char *tmp[OUT_COUNT];   /* temporary names */
    int exists[OUT_COUNT];  /* the temporary file may exist */
    GDALDatasetH ds[3];     /* the rasters while open */
    OGRSpatialReferenceH srs;
    int width, height;
    double origin_x, origin_y, pixel_size;
};

/* GDAL's last message, or a placeholder. */
static const char *gdal_reason(void)
{
    const char *m = CPLGetLastErrorMsg();
    return m && *m ? m : "GDAL reported no reason";
}

/* "dir/name" (and "dir/name.tmp" when tmp) in a new string, or NULL. */
static char *join(const char *dir, const char *name, int tmp)
{
    size_t n = strlen(dir) + strlen(name) + 8;
    const char *sep = dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/";
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s%s", dir, sep, name, tmp ? ".tmp" : "");
    return s;
}

/* Creates a directory and its missing parents (mkdir -p). */
static tb_status make_dirs(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return tb_error(TB_ERR_OUTPUT, "%s: cannot create the output directory (a file has that name)", dir);
        return TB_OK;
    }
    size_t n = strlen(dir);
    char *p = malloc(n + 1);
    if (!p)
        return tb_error(TB_ERR_NOMEM, "%s: out of memory", dir);
    memcpy(p, dir, n + 1);
    for (size_t k = 1; k <= n; k++) {
        if (p[k] != '/' && p[k] != '\0')
            continue;
        char c = p[k];
        p[k] = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            return tb_error(TB_ERR_OUTPUT, "%s: cannot create the output directory (%s)", dir, strerror(e));
        }
        p[k] = c;
    }
    free(p);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return tb_error(TB_ERR_OUTPUT, "%s: cannot create the output directory", dir);
    return TB_OK;
}

/* Creation options of the rasters. */
static char **raster_options(const tb_synth_params *p, int bands)
{
    char **o = NULL;
    if (p->tiled) {
        o = CSLSetNameValue(o, "TILED", "YES");
        o = CSLSetNameValue(o, "BLOCKXSIZE", "256");
        o = CSLSetNameValue(o, "BLOCKYSIZE", "256");
    }
    if (p->compress && !EQUAL(p->compress, "NONE")) {
        o = CSLSetNameValue(o, "COMPRESS", "DEFLATE");
        o = CSLSetNameValue(o, "PREDICTOR", "2");
        /* Sensor noise leaves little to find: libdeflate's level 1 is twice as fast as
         * the default 6 and its files are no larger (a 4096^2 after.tif: 91.0 MB at
         * level 1, 92.8 MB at level 6). */
        o = CSLSetNameValue(o, "ZLEVEL", "1");
        /* GDAL compresses the tiles of a strip in parallel, in a fixed order: the
         * files are the same for any thread count. */
        char threads[16];
        snprintf(threads, sizeof threads, "%d", omp_get_max_threads());
        o = CSLSetNameValue(o, "NUM_THREADS", threads);
    }
    if (bands > 1)
        o = CSLSetNameValue(o, "INTERLEAVE", "PIXEL");
    o = CSLSetNameValue(o, "BIGTIFF", "IF_SAFER");
    return o;
}

/* "2026-05-03T02:30:00Z" -> "2026:05:03 02:30:00" (TIFF DateTime). */
static void tiff_datetime(const char *iso, char out[20])
{
    snprintf(out, 20, "%.19s", iso);
    for (int k = 0; k < 10 && out[k]; k++)
        if (out[k] == '-')
            out[k] = ':';
    if (strlen(out) > 10 && out[10] == 'T')
        out[10] = ' ';
}

/* Creates one raster under its temporary name, with grid, CRS, band names and
 * acquisition date. */
static tb_status create_raster(tb_synth_writer *w, int which, const tb_synth_params *p)
{
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    if (!drv)
        return tb_error(TB_ERR_INTERNAL, "%s: GDAL has no GTiff driver", w->path[which]);
    int bands = which == OUT_MASK ? 1 : TB_SYNTH_BANDS;
    char **opt = raster_options(p, bands);
    CPLErrorReset();
    w->exists[which] = 1;
    GDALDatasetH ds = GDALCreate(drv, w->tmp[which], p->width, p->height, bands,
                                 which == OUT_MASK ? GDT_Byte : GDT_UInt16, opt);
    CSLDestroy(opt);
    if (!ds)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot create (%s)", w->path[which], gdal_reason());
    w->ds[which] = ds;
    double gt[6] = {p->origin_x, p->pixel_size, 0, p->origin_y, 0, -p->pixel_size};
    GDALSetGeoTransform(ds, gt);
    GDALSetSpatialRef(ds, w->srs);
    if (which == OUT_MASK) {
        GDALRasterBandH band = GDALGetRasterBand(ds, 1);
        GDALSetDescription(band, "new structure");
        GDALSetMetadataItem(ds, "TUBAN_TRUTH", "1 = new structure between the dates, 0 = other", NULL);
    } else {
        const char *iso = which == OUT_BEFORE ? p->date_before : p->date_after;
        char dt[20];
        tiff_datetime(iso, dt);
        GDALSetMetadataItem(ds, "TIFFTAG_DATETIME", dt, NULL);
        GDALSetMetadataItem(ds, "ACQUISITIONDATETIME", iso, "IMAGERY");
        for (int b = 0; b < TB_SYNTH_BANDS; b++) {
            GDALRasterBandH band = GDALGetRasterBand(ds, b + 1);
            GDALSetDescription(band, BAND_NAMES[b]);
            static const GDALColorInterp ci[TB_SYNTH_BANDS] = {GCI_BlueBand, GCI_GreenBand, GCI_RedBand,
                                                               GCI_Undefined};
            GDALSetRasterColorInterpretation(band, ci[b]);
        }
    }
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)p->seed);
    GDALSetMetadataItem(ds, "TUBAN_SYNTH_SEED", seed, NULL);
    if (CPLGetLastErrorType() >= CE_Failure)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot write the header (%s)", w->path[which], gdal_reason());
    return TB_OK;
}

tb_status tb_synth_writer_open(tb_synth_writer **out, const char *outdir, const tb_synth_params *p)
{
    *out = NULL;
    GDALAllRegister();
    tb_status st = make_dirs(outdir);
    if (st != TB_OK)
        return st;
    tb_synth_writer *w = calloc(1, sizeof *w);
    if (!w)
        return tb_error(TB_ERR_NOMEM, "%s: out of memory", outdir);
    w->width = p->width;
    w->height = p->height;
    w->origin_x = p->origin_x;
    w->origin_y = p->origin_y;
    w->pixel_size = p->pixel_size;
    for (int k = 0; k < OUT_COUNT; k++) {
        w->path[k] = join(outdir, OUT_NAMES[k], 0);
        w->tmp[k] = join(outdir, OUT_NAMES[k], 1);
        if (!w->path[k] || !w->tmp[k]) {
            tb_synth_writer_abort(w);
            return tb_error(TB_ERR_NOMEM, "%s: out of memory", outdir);
        }
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    w->srs = OSRNewSpatialReference(NULL);
    if (!w->srs || OSRImportFromEPSG(w->srs, p->epsg) != OGRERR_NONE) {
        st = tb_error(TB_ERR_CRS, "EPSG:%d: unknown coordinate reference system (%s)", p->epsg, gdal_reason());
    } else {
        OSRSetAxisMappingStrategy(w->srs, OAMS_TRADITIONAL_GIS_ORDER);
        for (int k = OUT_BEFORE; k <= OUT_MASK && st == TB_OK; k++)
            st = create_raster(w, k, p);
    }
    CPLPopErrorHandler();
    if (st != TB_OK) {
        tb_synth_writer_abort(w);
        return st;
    }
    *out = w;
    return TB_OK;
}

tb_status tb_synth_writer_strip(tb_synth_writer *w, int y0, int rows, const uint16_t *before,
                                const uint16_t *after, const uint8_t *mask)
{
    tb_status st = TB_OK;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    const void *buf[3] = {before, after, mask};
    for (int k = OUT_BEFORE; k <= OUT_MASK && st == TB_OK; k++) {
        int bands = k == OUT_MASK ? 1 : TB_SYNTH_BANDS;
        GDALDataType type = k == OUT_MASK ? GDT_Byte : GDT_UInt16;
        int size = k == OUT_MASK ? 1 : 2;
        GSpacing pixel = (GSpacing)(size * bands);
        CPLErr e = GDALDatasetRasterIOEx(w->ds[k], GF_Write, 0, y0, w->width, rows, (void *)buf[k], w->width,
                                         rows, type, bands, NULL, pixel, pixel * w->width, size, NULL);
        /* Bounded memory: push the finished blocks to the file now. */
        if (e == CE_None)
            GDALFlushCache(w->ds[k]);
        if (e != CE_None || CPLGetLastErrorType() >= CE_Failure)
            st = tb_error(TB_ERR_OUTPUT, "%s: cannot write rows %d-%d (%s)", w->path[k], y0, y0 + rows - 1,
                          gdal_reason());
    }
    CPLPopErrorHandler();
    return st;
}

/* One truth feature. */
static tb_status truth_feature(tb_synth_writer *w, OGRLayerH layer, const tb_synth_object *o)
{
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
    OGR_F_SetFieldInteger(f, 0, o->id);
    OGR_F_SetFieldString(f, 1, o->removed ? "removed" : "new");
    OGR_F_SetFieldDouble(f, 2, tb_synth_shape_area(&o->shape));
    OGR_F_SetFieldString(f, 3, o->is_l ? "L" : "rect");
    OGR_F_SetFieldString(f, 4, tb_synth_material_name(o->material));
    OGR_F_SetFieldDouble(f, 5, o->height);
    double xy[12];
    int n = tb_synth_shape_ring(&o->shape, xy);
    OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
    for (int k = 0; k <= n; k++) {
        int m = k % n;
        OGR_G_AddPoint_2D(ring, w->origin_x + xy[2 * m], w->origin_y - xy[2 * m + 1]);
    }
    OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
    OGR_G_AddGeometryDirectly(poly, ring);
    OGR_F_SetGeometryDirectly(f, poly);
    OGRErr e = OGR_L_CreateFeature(layer, f);
    OGR_F_Destroy(f);
    if (e != OGRERR_NONE)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot write feature %d (%s)", w->path[OUT_TRUTH], o->id, gdal_reason());
    return TB_OK;
}

tb_status tb_synth_writer_truth(tb_synth_writer *w, const tb_synth_scene *s)
{
    tb_status st = TB_OK;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALDriverH drv = GDALGetDriverByName("GeoJSON");
    GDALDatasetH ds = NULL;
    OGRLayerH layer = NULL;
    if (!drv) {
        st = tb_error(TB_ERR_INTERNAL, "%s: GDAL has no GeoJSON driver", w->path[OUT_TRUTH]);
        goto done;
    }
    w->exists[OUT_TRUTH] = 1;
    ds = GDALCreate(drv, w->tmp[OUT_TRUTH], 0, 0, 0, GDT_Unknown, NULL);
    if (ds)
        layer = GDALDatasetCreateLayer(ds, "truth", w->srs, wkbPolygon, NULL);
    if (!layer) {
        st = tb_error(TB_ERR_OUTPUT, "%s: cannot create (%s)", w->path[OUT_TRUTH], gdal_reason());
        goto done;
    }
    static const struct {
        const char *name;
        OGRFieldType type;
    } fields[] = {{"id", OFTInteger}, {"kind", OFTString}, {"area_m2", OFTReal}, {"shape", OFTString},
                  {"roof", OFTString}, {"height_m", OFTReal}};
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[k].name, fields[k].type);
        OGRErr e = OGR_L_CreateField(layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE) {
            st = tb_error(TB_ERR_OUTPUT, "%s: cannot create field %s (%s)", w->path[OUT_TRUTH], fields[k].name,
                          gdal_reason());
            goto done;
        }
    }
    for (int i = 0; i < s->n_obj && st == TB_OK; i++)
        if (s->obj[i].kind == TB_SYNTH_OBJ_STRUCTURE)
            st = truth_feature(w, layer, &s->obj[i]);
    /* Demolished buildings after the structures, in id order. */
    for (int id = s->n_structures + 1; id <= s->n_structures + s->n_removed && st == TB_OK; id++)
        for (int i = 0; i < s->n_obj && st == TB_OK; i++)
            if (s->obj[i].removed && s->obj[i].id == id)
                st = truth_feature(w, layer, &s->obj[i]);
done:
    if (ds) {
        GDALClose(ds);
        if (st == TB_OK && CPLGetLastErrorType() >= CE_Failure)
            st = tb_error(TB_ERR_OUTPUT, "%s: cannot write (%s)", w->path[OUT_TRUTH], gdal_reason());
    }
    CPLPopErrorHandler();
    return st;
}

/* Closes the open rasters; returns the first failure. */
static tb_status close_rasters(tb_synth_writer *w)
{
    tb_status st = TB_OK;
    for (int k = OUT_BEFORE; k <= OUT_MASK; k++) {
        if (!w->ds[k])
            continue;
        CPLErrorReset();
        GDALClose(w->ds[k]);
        w->ds[k] = NULL;
        if (st == TB_OK && CPLGetLastErrorType() >= CE_Failure)
            st = tb_error(TB_ERR_OUTPUT, "%s: cannot write (%s)", w->path[k], gdal_reason());
    }
    return st;
}

/* Frees the writer's memory (files are left as they are). */
static void writer_free(tb_synth_writer *w)
{
    for (int k = 0; k < OUT_COUNT; k++) {
        free(w->path[k]);
        free(w->tmp[k]);
    }
    if (w->srs)
        OSRDestroySpatialReference(w->srs);
    free(w);
}

tb_status tb_synth_writer_commit(tb_synth_writer *w)
{
    CPLPushErrorHandler(CPLQuietErrorHandler);
    tb_status st = close_rasters(w);
    CPLPopErrorHandler();
    for (int k = 0; k < OUT_COUNT && st == TB_OK; k++) {
        if (rename(w->tmp[k], w->path[k]) != 0)
            st = tb_error(TB_ERR_OUTPUT, "%s: cannot rename from %s (%s)", w->path[k], w->tmp[k], strerror(errno));
        else
            w->exists[k] = 0;
    }
    if (st != TB_OK) {
        tb_synth_writer_abort(w);
        return st;
    }
    writer_free(w);
    return TB_OK;
}

void tb_synth_writer_abort(tb_synth_writer *w)
{
    if (!w)
        return;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    close_rasters(w);
    for (int k = 0; k < OUT_COUNT; k++)
        if (w->exists[k] && w->tmp[k])
            VSIUnlink(w->tmp[k]);
    CPLPopErrorHandler();
    writer_free(w);
}
