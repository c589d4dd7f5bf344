/* vector_sink.c: writes the change polygons as a GeoPackage layer and as GeoJSON.
 *
 * The GeoPackage goes through OGR's GPKG driver in one transaction, with the scan's
 * metadata as layer metadata. The GeoJSON is written here directly so that it can
 * carry the same metadata as a foreign member ("tuban") of the FeatureCollection and
 * a "crs" member when the CRS is not WGS 84; geometries are written as OGR writes
 * them (tb_geojson_geom.h).
 *
 * Both files are written while the polygonizer runs: each component goes to both as
 * soon as its band is polygonized and is then freed, so the files list features band
 * by band (top to bottom) and within a band in the order components end, each with its
 * id (the GeoPackage FID). With two threads or more, a thread of their own writes them
 * (tb_polygon_queue.h), in the same order.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "tb_geojson_geom.h"
#include "tb_json.h"
#include "tb_polygon_queue.h"
#include "tb_polygonize.h"
#include "tb_vector.h"

const char *tb_kind_name(int kind)
{
    return kind == TB_KIND_REMOVED ? "removed" : "new";
}

/* The attribute fields, in layer order; `dec` is the GeoJSON precision (-1: the
 * coordinate precision). */
enum {
    F_ID, F_KIND, F_CONFIDENCE, F_AREA, F_PERIMETER, F_PIXELS, F_MEAN, F_MAX, F_RECT, F_SOLID,
    F_SHADOW, F_MBI, F_DIRECTION, F_CONSISTENCY, F_EXPLAINED, F_CX, F_CY, F_LON, F_LAT, NFIELDS
};
static const struct {
    const char *name;
    OGRFieldType type;
    int dec;
} fields[NFIELDS] = {
    [F_ID] = {"id", OFTInteger, 0},
    [F_KIND] = {"kind", OFTString, 0},
    [F_CONFIDENCE] = {"confidence", OFTReal, 4},
    [F_AREA] = {"area_m2", OFTReal, 2},
    [F_PERIMETER] = {"perimeter_m", OFTReal, 2},
    [F_PIXELS] = {"pixels", OFTInteger64, 0},
    [F_MEAN] = {"mean_score", OFTReal, 4},
    [F_MAX] = {"max_score", OFTReal, 4},
    [F_RECT] = {"rectangularity", OFTReal, 4},
    [F_SOLID] = {"solidity", OFTReal, 4},
    [F_SHADOW] = {"shadow_adjacency", OFTReal, 4},
    [F_MBI] = {"mbi_rise", OFTReal, 4},
    [F_DIRECTION] = {"direction", OFTReal, 4},
    [F_CONSISTENCY] = {"consistency", OFTReal, 4},
    [F_EXPLAINED] = {"explained_share", OFTReal, 4},
    [F_CX] = {"centroid_x", OFTReal, -1},
    [F_CY] = {"centroid_y", OFTReal, -1},
    [F_LON] = {"lon_cgcs2000", OFTReal, 9},
    [F_LAT] = {"lat_cgcs2000", OFTReal, 9},
};

/* The value of real field k of feature a. */
static double real_value(const tb_change_feature *a, int k)
{
    switch (k) {
    case F_CONFIDENCE: return a->confidence;
    case F_AREA: return a->area_m2;
    case F_PERIMETER: return a->perimeter_m;
    case F_MEAN: return a->mean_score;
    case F_MAX: return a->max_score;
    case F_RECT: return a->rectangularity;
    case F_SOLID: return a->solidity;
    case F_SHADOW: return a->shadow_adjacency;
    case F_MBI: return a->mbi_rise;
    case F_DIRECTION: return a->direction;
    case F_CONSISTENCY: return a->consistency;
    case F_EXPLAINED: return a->explained_share;
    case F_CX: return a->centroid_x;
    case F_CY: return a->centroid_y;
    case F_LON: return a->lon;
    case F_LAT: return a->lat;
    default: return NAN;
    }
}

typedef struct sink {
    const tb_change_feature *features;
    const char *gpkg_path, *json_path;
    GDALDatasetH gpkg;
    OGRLayerH layer;
    FILE *json;
    tb_text geom;                   /* a feature's geometry text */
    int dec;
    uint32_t written;
} sink;

static tb_status open_gpkg(sink *k, OGRSpatialReferenceH srs, const char *const *meta)
{
    const char *path = k->gpkg_path;
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv)
        return tb_error(TB_ERR_INTERNAL, "GDAL has no GPKG driver");
    CPLErrorReset();
    k->gpkg = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!k->gpkg)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot create (%s)", path, tb_gdal_last_error());
    char **lopts = CSLSetNameValue(NULL, "DESCRIPTION", "tuban change polygons");
    k->layer = GDALDatasetCreateLayer(k->gpkg, "changes", srs, wkbMultiPolygon, lopts);
    CSLDestroy(lopts);
    if (!k->layer)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot create layer 'changes' (%s)", path,
                        tb_gdal_last_error());
    for (int i = 0; i < NFIELDS; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, fields[i].type);
        OGRErr e = OGR_L_CreateField(k->layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return tb_error(TB_ERR_OUTPUT, "%s: cannot create field %s", path, fields[i].name);
    }
    for (size_t i = 0; meta && meta[i] && meta[i + 1]; i += 2)
        GDALSetMetadataItem((GDALMajorObjectH)k->layer, meta[i], meta[i + 1], NULL);
    if (GDALDatasetStartTransaction(k->gpkg, FALSE) != OGRERR_NONE)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot start a transaction", path);
    return TB_OK;
}

static tb_status write_gpkg_feature(sink *k, const tb_change_feature *a, OGRGeometryH g)
{
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(k->layer));
    OGR_F_SetFID(f, a->id);
    OGR_F_SetFieldInteger(f, F_ID, (int)a->id);
    OGR_F_SetFieldString(f, F_KIND, tb_kind_name(a->kind));
    OGR_F_SetFieldInteger64(f, F_PIXELS, (GIntBig)a->pixels);
    for (int i = 0; i < NFIELDS; i++) {
        if (fields[i].type != OFTReal)
            continue;
        const double v = real_value(a, i);
        if (isfinite(v))
            OGR_F_SetFieldDouble(f, i, v);
        else
            OGR_F_SetFieldNull(f, i);
    }
    OGR_F_SetGeometryDirectly(f, g);
    tb_status st = TB_OK;
    if (OGR_L_CreateFeature(k->layer, f) != OGRERR_NONE)
        st = tb_error(TB_ERR_OUTPUT, "%s: cannot write feature %u (%s)", k->gpkg_path, a->id,
                      tb_gdal_last_error());
    OGR_F_Destroy(f);
    return st;
}

/* Commits and closes the GeoPackage (a full disk shows here); `ok` = 0 only closes. */
static tb_status close_gpkg(sink *k, int ok)
{
    if (!k->gpkg)
        return TB_OK;
    tb_status st = TB_OK;
    if (ok && GDALDatasetCommitTransaction(k->gpkg) != OGRERR_NONE)
        st = tb_error(TB_ERR_OUTPUT, "%s: cannot commit (%s)", k->gpkg_path, tb_gdal_last_error());
    CPLErrorReset();
    GDALClose(k->gpkg);
    k->gpkg = NULL;
    if (ok && !st && CPLGetLastErrorType() >= CE_Failure)
        st = tb_error(TB_ERR_OUTPUT, "%s: cannot finish writing (%s)", k->gpkg_path,
                      tb_gdal_last_error());
    return st;
}

static void json_number(FILE *f, double v, int decimals)
{
    if (isfinite(v))
        fprintf(f, "%.*f", decimals, v);
    else
        fputs("null", f);
}

static tb_status open_geojson(sink *k, OGRSpatialReferenceH srs, const char *const *meta)
{
    FILE *f = k->json = fopen(k->json_path, "w");
    if (!f)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot create (%s)", k->json_path, strerror(errno));
    int geographic = srs && OSRIsGeographic(srs);
    k->dec = geographic ? 9 : 3;

    fputs("{\n\"type\": \"FeatureCollection\",\n\"name\": \"changes\",\n", f);
    if (srs) {
        const char *auth = OSRGetAuthorityName(srs, NULL);
        const char *code = OSRGetAuthorityCode(srs, NULL);
        if (auth && code)
            fprintf(f, "\"crs\": { \"type\": \"name\", \"properties\": { \"name\": "
                       "\"urn:ogc:def:crs:%s::%s\" } },\n", auth, code);
    }
    fputs("\"tuban\": {", f);
    for (size_t i = 0; meta && meta[i] && meta[i + 1]; i += 2) {
        fputs(i ? ",\n  " : "\n  ", f);
        tb_json_string(f, meta[i]);
        fputs(": ", f);
        tb_json_string(f, meta[i + 1]);
    }
    fputs("\n},\n\"features\": [\n", f);
    return TB_OK;
}

static tb_status write_geojson_feature(sink *k, const tb_change_feature *a, OGRGeometryH geom)
{
    FILE *f = k->json;
    if (tb_geojson_geometry(&k->geom, geom, k->dec))
        return tb_error(TB_ERR_NOMEM, "%s: out of memory for polygon %u", k->json_path, a->id);
    fprintf(f, "%s{ \"type\": \"Feature\", \"id\": %u, \"properties\": { \"id\": %u, \"kind\": \"%s\"",
            k->written ? ",\n" : "", a->id, a->id, tb_kind_name(a->kind));
    for (int i = 0; i < NFIELDS; i++) {
        if (i == F_PIXELS) {
            fprintf(f, ", \"pixels\": %llu", (unsigned long long)a->pixels);
            continue;
        }
        if (fields[i].type != OFTReal)
            continue;
        fprintf(f, ", \"%s\": ", fields[i].name);
        json_number(f, real_value(a, i), fields[i].dec < 0 ? k->dec : fields[i].dec);
    }
    fputs(" }, \"geometry\": ", f);
    fwrite(k->geom.s, 1, k->geom.len, f);
    fputs(" }", f);
    return TB_OK;
}

static tb_status close_geojson(sink *k, int ok)
{
    if (!k->json)
        return TB_OK;
    FILE *f = k->json;
    k->json = NULL;
    if (ok)
        fputs(k->written ? "\n]\n}\n" : "]\n}\n", f);
    tb_text_free(&k->geom);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return ok ? tb_error(TB_ERR_OUTPUT, "%s: write failed (%s)", k->json_path, strerror(errno))
                  : TB_OK;
    return TB_OK;
}

/* One complete component into both files (tb_polygon_sink). */
static tb_status put_polygon(void *arg, uint32_t label, OGRGeometryH g)
{
    sink *k = arg;
    const tb_change_feature *a = &k->features[label - 1];
    if (k->json) {
        tb_status st = write_geojson_feature(k, a, g);
        if (st) {
            OGR_G_DestroyGeometry(g);
            return st;
        }
    }
    k->written++;
    if (k->gpkg)
        return write_gpkg_feature(k, a, g);   /* takes g over */
    OGR_G_DestroyGeometry(g);
    return TB_OK;
}

tb_status tb_write_changes(const char *labels_path, const tb_change_feature *features,
                           uint32_t n, const char *wkt, const char *gpkg_path,
                           const char *geojson_path, const char *const *meta, int threads)
{
    OGRSpatialReferenceH srs = NULL;
    if (wkt) {
        srs = OSRNewSpatialReference(wkt);
        if (srs) {
            OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
            /* Report the EPSG code when the WKT names one. */
            OSRAutoIdentifyEPSG(srs);
        }
    }
    sink k = {.features = features, .gpkg_path = gpkg_path, .json_path = geojson_path};
    tb_status st = TB_OK;
    if (gpkg_path)
        st = open_gpkg(&k, srs, meta);
    if (!st && geojson_path)
        st = open_geojson(&k, srs, meta);
    uint64_t *pixels = st ? NULL : malloc((n ? n : 1) * sizeof *pixels);
    int32_t *rows = st ? NULL : malloc(2 * (size_t)(n ? n : 1) * sizeof *rows);
    if (!st && (!pixels || !rows))
        st = tb_error(TB_ERR_NOMEM, "out of memory for %u polygons", n);
    for (uint32_t i = 0; !st && i < n; i++) {
        pixels[i] = features[i].pixels;
        rows[i] = features[i].first_row;
        rows[n + i] = features[i].last_row;
    }
    /* With a second thread, the files are written beside the polygonizer. */
    tb_polygon_queue *q = NULL;
    if (!st && threads > 1)
        st = tb_polygon_queue_start(put_polygon, &k, 64, &q);
    if (!st)
        st = q ? tb_polygonize_file(labels_path, n, pixels, rows, rows + n, tb_polygon_queue_put, q)
               : tb_polygonize_file(labels_path, n, pixels, rows, rows + n, put_polygon, &k);
    const tb_status stq = tb_polygon_queue_finish(q);
    if (!st)
        st = stq;
    free(pixels);
    free(rows);
    tb_status st2 = close_gpkg(&k, !st);
    if (!st)
        st = st2;
    st2 = close_geojson(&k, !st);
    if (!st)
        st = st2;
    OSRDestroySpatialReference(srs);
    return st;
}
