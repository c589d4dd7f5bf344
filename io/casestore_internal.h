/* casestore_internal.h: the case store's handle, shared by casestore.c,
 * casestore_schema.c and case_merge.c (io/ only: it names GDAL types). */
#ifndef TB_CASESTORE_INTERNAL_H
#define TB_CASESTORE_INTERNAL_H

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "tb_casestore.h"

struct tb_casestore {
    char *path;
    GDALDatasetH ds;
    OGRLayerH cases, history, scans, exclusions, meta;
    OGRSpatialReferenceH srs; /* EPSG:4490, traditional GIS order (lon, lat) */
    int in_tx;
    int version;
};

/* casestore_schema.c: creates whatever layer or field of the current schema `ds` lacks
 * (a new file, or an upgrade inside the caller's transaction). */
tb_status tb_casestore_ensure_schema(const char *path, GDALDatasetH ds,
                                     OGRSpatialReferenceH srs);

/* Looks the layer handles up again (after a schema change). */
tb_status tb_casestore_bind_layers(tb_casestore *s);

/* ISO 8601 UTC time now, "YYYY-MM-DDTHH:MM:SSZ" (buf >= 21 bytes). */
void tb_casestore_now(char *buf, size_t size);

/* Adds a history row (inside the open transaction). */
tb_status tb_casestore_add_history(tb_casestore *s, const char *case_id, const char *time,
                                   const char *from, const char *to, const char *source,
                                   const char *note);

/* The feature of case_id (caller destroys), or NULL when there is none. */
OGRFeatureH tb_casestore_find_case(tb_casestore *s, const char *case_id);

/* Next number of the day's sequence (`day` YYYYMMDD), stored in tuban_store. */
tb_status tb_casestore_next_seq(tb_casestore *s, const char *day, long *seq);

/* Sets an OGR attribute filter `field = 'value'` with the value quoted for SQL. */
void tb_casestore_filter_eq(OGRLayerH layer, const char *field, const char *value);

#endif
