/* casestore_schema.c: the layers and fields of the case store, schema version 1.
 *
 * One table drives creation and upgrades: a layer or field the file lacks is created,
 * nothing is ever dropped. An upgrade to a later version adds its step here (and the
 * version check in casestore.c runs it inside the opening transaction).
 */
#include <string.h>

#include <cpl_error.h>
#include <cpl_string.h>

#include "casestore_internal.h"
#include "tb_raster.h"

typedef struct {
    const char *name;
    OGRFieldType type;
} field_def;

#define S OFTString
#define R OFTReal
#define I OFTInteger

static const field_def cases_fields[] = {
    {"case_id", S},      {"status", S},      {"first_seen", S},      {"last_seen", S},
    {"area_m2", R},      {"first_area_m2", R}, {"growth_m2", R},     {"grid_code", S},
    {"street", S},       {"community", S},   {"outside_grid", I},    {"event_code", S},
    {"confidence", R},   {"mean_score", R},  {"lon", R},             {"lat", R},
    {"evidence", S},     {"before_date", S}, {"after_date", S},      {"detector_version", S},
    {"scan_key", S},     {"updated_at", S},  {NULL, S},
};
static const field_def history_fields[] = {
    {"case_id", S}, {"time", S}, {"from_status", S}, {"to_status", S},
    {"source", S},  {"note", S}, {"exported_at", S}, {NULL, S},
};
static const field_def scans_fields[] = {
    {"scan_key", S},    {"time", S},          {"before", S},     {"after", S},
    {"before_date", S}, {"after_date", S},    {"changes", S},    {"polygons", I},
    {"new_cases", I},   {"updated_cases", I}, {"reopened", I},   {"verified", I},
    {"suppressed", I},  {"excluded", I},      {"outside_grid", I}, {NULL, S},
};
static const field_def exclusions_fields[] = {
    {"reason", S}, {"source_layer", S}, {"scan_key", S}, {"share", R},
    {"area_m2", R}, {"time", S},        {NULL, S},
};
static const field_def meta_fields[] = {{"key", S}, {"value", S}, {NULL, S}};

static const struct {
    const char *name;
    int spatial;
    const field_def *fields;
    const char *unique; /* field with a unique index, or NULL */
    const char *index;  /* field with a plain index, or NULL */
} layers[] = {
    {"cases", 1, cases_fields, "case_id", "status"},
    {"case_history", 0, history_fields, NULL, "case_id"},
    {"scans", 0, scans_fields, "scan_key", NULL},
    {"exclusions", 1, exclusions_fields, NULL, "scan_key"},
    {"tuban_store", 0, meta_fields, "key", NULL},
};

tb_status tb_casestore_ensure_schema(const char *path, GDALDatasetH ds, OGRSpatialReferenceH srs)
{
    for (size_t l = 0; l < sizeof layers / sizeof layers[0]; l++) {
        OGRLayerH layer = GDALDatasetGetLayerByName(ds, layers[l].name);
        if (!layer) {
            char **lco = NULL;
            if (layers[l].spatial) {
                lco = CSLSetNameValue(lco, "GEOMETRY_NAME", "geom");
                lco = CSLSetNameValue(lco, "DESCRIPTION", "tuban cases");
            } else {
                lco = CSLSetNameValue(lco, "ASPATIAL_VARIANT", "GPKG_ATTRIBUTES");
            }
            CPLErrorReset();
            layer = GDALDatasetCreateLayer(ds, layers[l].name, layers[l].spatial ? srs : NULL,
                                           layers[l].spatial ? wkbMultiPolygon : wkbNone, lco);
            CSLDestroy(lco);
            if (!layer)
                return tb_error(TB_ERR_STORE, "%s: cannot create layer %s (%s)", path,
                                layers[l].name, tb_gdal_last_error());
        }
        OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
        for (const field_def *f = layers[l].fields; f->name; f++) {
            if (OGR_FD_GetFieldIndex(defn, f->name) >= 0)
                continue;
            OGRFieldDefnH fd = OGR_Fld_Create(f->name, f->type);
            OGRErr e = OGR_L_CreateField(layer, fd, TRUE);
            OGR_Fld_Destroy(fd);
            if (e != OGRERR_NONE)
                return tb_error(TB_ERR_STORE, "%s: cannot create field %s.%s (%s)", path,
                                layers[l].name, f->name, tb_gdal_last_error());
        }
        for (int k = 0; k < 2; k++) {
            const char *field = k == 0 ? layers[l].unique : layers[l].index;
            if (!field)
                continue;
            char sql[256];
            snprintf(sql, sizeof sql, "CREATE %s INDEX IF NOT EXISTS \"%s_%s_idx\" ON \"%s\"(\"%s\")",
                     k == 0 ? "UNIQUE" : "", layers[l].name, field, layers[l].name, field);
            CPLErrorReset();
            OGRLayerH r = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
            if (r)
                GDALDatasetReleaseResultSet(ds, r);
            if (CPLGetLastErrorType() >= CE_Failure)
                return tb_error(TB_ERR_STORE, "%s: cannot index %s.%s (%s)", path,
                                layers[l].name, field, tb_gdal_last_error());
        }
    }
    return TB_OK;
}

tb_status tb_casestore_bind_layers(tb_casestore *s)
{
    s->cases = GDALDatasetGetLayerByName(s->ds, "cases");
    s->history = GDALDatasetGetLayerByName(s->ds, "case_history");
    s->scans = GDALDatasetGetLayerByName(s->ds, "scans");
    s->exclusions = GDALDatasetGetLayerByName(s->ds, "exclusions");
    s->meta = GDALDatasetGetLayerByName(s->ds, "tuban_store");
    if (!s->cases || !s->history || !s->scans || !s->exclusions || !s->meta)
        return tb_error(TB_ERR_STORE, "%s: not a tuban case store (a layer is missing)",
                        s->path);
    return TB_OK;
}
