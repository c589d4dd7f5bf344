/* vector_sink.c: writes the change polygons as a GeoPackage layer and as GeoJSON.
 *
 * The GeoPackage goes through OGR's GPKG driver in one transaction, with the scan's
 * metadata as layer metadata. The GeoJSON is written here directly so that it can
 * carry the same metadata as a foreign member ("tuban") of the FeatureCollection and
 * a "crs" member when the CRS is not WGS 84; geometries come from OGR.
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

#include "tb_json.h"
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

static tb_status write_gpkg(const char *path, OGRGeometryH *geoms, const tb_change_feature *feat,
                            uint32_t n, OGRSpatialReferenceH srs, const char *const *meta)
{
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv)
        return tb_error(TB_ERR_INTERNAL, "GDAL has no GPKG driver");
    CPLErrorReset();
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot create (%s)", path, tb_gdal_last_error());
    char **lopts = CSLSetNameValue(NULL, "DESCRIPTION", "tuban change polygons");
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "changes", srs, wkbMultiPolygon, lopts);
    CSLDestroy(lopts);
    tb_status st = TB_OK;
    if (!layer)
        st = tb_error(TB_ERR_OUTPUT, "%s: cannot create layer 'changes' (%s)", path,
                      tb_gdal_last_error());
    for (int i = 0; !st && i < NFIELDS; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, fields[i].type);
        if (OGR_L_CreateField(layer, fd, TRUE) != OGRERR_NONE)
            st = tb_error(TB_ERR_OUTPUT, "%s: cannot create field %s", path, fields[i].name);
        OGR_Fld_Destroy(fd);
    }
    for (size_t i = 0; !st && meta && meta[i] && meta[i + 1]; i += 2)
        GDALSetMetadataItem((GDALMajorObjectH)layer, meta[i], meta[i + 1], NULL);
    if (!st && GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE)
        st = tb_error(TB_ERR_OUTPUT, "%s: cannot start a transaction", path);
    OGRFeatureDefnH defn = layer ? OGR_L_GetLayerDefn(layer) : NULL;
    for (uint32_t i = 0; !st && i < n; i++) {
        OGRFeatureH f = OGR_F_Create(defn);
        const tb_change_feature *a = &feat[i];
        OGR_F_SetFID(f, a->id);
        OGR_F_SetFieldInteger(f, F_ID, (int)a->id);
        OGR_F_SetFieldString(f, F_KIND, tb_kind_name(a->kind));
        OGR_F_SetFieldInteger64(f, F_PIXELS, (GIntBig)a->pixels);
        for (int k = 0; k < NFIELDS; k++) {
            if (fields[k].type != OFTReal)
                continue;
            const double v = real_value(a, k);
            if (isfinite(v))
                OGR_F_SetFieldDouble(f, k, v);
            else
                OGR_F_SetFieldNull(f, k);
        }
        OGR_F_SetGeometry(f, geoms[i]);
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
            st = tb_error(TB_ERR_OUTPUT, "%s: cannot write feature %u (%s)", path, a->id,
                          tb_gdal_last_error());
        OGR_F_Destroy(f);
    }
    if (!st && GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
        st = tb_error(TB_ERR_OUTPUT, "%s: cannot commit (%s)", path, tb_gdal_last_error());
    CPLErrorReset();
    GDALClose(ds);
    if (!st && CPLGetLastErrorType() >= CE_Failure)
        st = tb_error(TB_ERR_OUTPUT, "%s: cannot finish writing (%s)", path, tb_gdal_last_error());
    return st;
}


static void json_number(FILE *f, double v, int decimals)
{
    if (isfinite(v))
        fprintf(f, "%.*f", decimals, v);
    else
        fputs("null", f);
}

static tb_status write_geojson(const char *path, OGRGeometryH *geoms, const tb_change_feature *feat,
                               uint32_t n, OGRSpatialReferenceH srs, const char *const *meta)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot create (%s)", path, strerror(errno));
    int geographic = srs && OSRIsGeographic(srs);
    const int dec = geographic ? 9 : 3;
    char prec[32];
    snprintf(prec, sizeof prec, "COORDINATE_PRECISION=%d", dec);
    char *jopts[] = {prec, NULL};

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
    for (uint32_t i = 0; i < n; i++) {
        const tb_change_feature *a = &feat[i];
        char *g = OGR_G_ExportToJsonEx(geoms[i], jopts);
        fprintf(f, "{ \"type\": \"Feature\", \"id\": %u, \"properties\": { \"id\": %u, \"kind\": \"%s\"",
                a->id, a->id, tb_kind_name(a->kind));
        for (int k = 0; k < NFIELDS; k++) {
            if (k == F_PIXELS) {
                fprintf(f, ", \"pixels\": %llu", (unsigned long long)a->pixels);
                continue;
            }
            if (fields[k].type != OFTReal)
                continue;
            fprintf(f, ", \"%s\": ", fields[k].name);
            json_number(f, real_value(a, k), fields[k].dec < 0 ? dec : fields[k].dec);
        }
        fprintf(f, " }, \"geometry\": %s }%s\n", g ? g : "null", i + 1 < n ? "," : "");
        CPLFree(g);
    }
    fputs("]\n}\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return tb_error(TB_ERR_OUTPUT, "%s: write failed (%s)", path, strerror(errno));
    return TB_OK;
}

tb_status tb_write_changes(tb_raster_writer *labels, const tb_change_feature *features,
                           uint32_t n, const char *wkt, const char *gpkg_path,
                           const char *geojson_path, const char *const *meta)
{
    OGRGeometryH *geoms = NULL;
    tb_status st = tb_polygonize_labels(labels, n, &geoms);
    if (st)
        return st;
    OGRSpatialReferenceH srs = NULL;
    if (wkt) {
        srs = OSRNewSpatialReference(wkt);
        if (srs) {
            OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
            /* Report the EPSG code when the WKT names one. */
            OSRAutoIdentifyEPSG(srs);
        }
    }
    if (gpkg_path)
        st = write_gpkg(gpkg_path, geoms, features, n, srs, meta);
    if (!st && geojson_path)
        st = write_geojson(geojson_path, geoms, features, n, srs, meta);
    OSRDestroySpatialReference(srs);
    tb_polygonize_free(geoms, n);
    return st;
}
