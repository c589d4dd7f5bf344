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

static const struct {
    const char *name;
    OGRFieldType type;
} fields[] = {
    {"id", OFTInteger},       {"area_m2", OFTReal},    {"perimeter_m", OFTReal},
    {"pixels", OFTInteger64}, {"mean_score", OFTReal}, {"max_score", OFTReal},
    {"centroid_x", OFTReal},  {"centroid_y", OFTReal},   {"lon_cgcs2000", OFTReal},
    {"lat_cgcs2000", OFTReal},
};
#define NFIELDS (sizeof fields / sizeof fields[0])

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
    for (size_t i = 0; !st && i < NFIELDS; i++) {
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
        OGR_F_SetFieldInteger(f, 0, (int)a->id);
        OGR_F_SetFieldDouble(f, 1, a->area_m2);
        OGR_F_SetFieldDouble(f, 2, a->perimeter_m);
        OGR_F_SetFieldInteger64(f, 3, (GIntBig)a->pixels);
        OGR_F_SetFieldDouble(f, 4, a->mean_score);
        OGR_F_SetFieldDouble(f, 5, a->max_score);
        OGR_F_SetFieldDouble(f, 6, a->centroid_x);
        OGR_F_SetFieldDouble(f, 7, a->centroid_y);
        if (isfinite(a->lon)) {
            OGR_F_SetFieldDouble(f, 8, a->lon);
            OGR_F_SetFieldDouble(f, 9, a->lat);
        } else {
            OGR_F_SetFieldNull(f, 8);
            OGR_F_SetFieldNull(f, 9);
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
        fprintf(f, "{ \"type\": \"Feature\", \"id\": %u, \"properties\": { \"id\": %u, ", a->id, a->id);
        fputs("\"area_m2\": ", f);
        json_number(f, a->area_m2, 2);
        fputs(", \"perimeter_m\": ", f);
        json_number(f, a->perimeter_m, 2);
        fprintf(f, ", \"pixels\": %llu, \"mean_score\": ", (unsigned long long)a->pixels);
        json_number(f, a->mean_score, 4);
        fputs(", \"max_score\": ", f);
        json_number(f, a->max_score, 4);
        fputs(", \"centroid_x\": ", f);
        json_number(f, a->centroid_x, dec);
        fputs(", \"centroid_y\": ", f);
        json_number(f, a->centroid_y, dec);
        fputs(", \"lon_cgcs2000\": ", f);
        json_number(f, a->lon, 9);
        fputs(", \"lat_cgcs2000\": ", f);
        json_number(f, a->lat, 9);
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
