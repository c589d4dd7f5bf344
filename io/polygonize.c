/* polygonize.c: final label raster -> one MultiPolygon per component.
 *
 * GDAL's polygonizer streams the raster row by row; its output goes to an in-memory
 * layer that holds only the polygons (memory grows with the number and outline of the
 * components, never with the raster).
 */
#include <stdlib.h>

#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_api.h>

#include "tb_polygonize.h"

tb_status tb_polygonize_labels(tb_raster_writer *labels, uint32_t n, OGRGeometryH **out)
{
    *out = NULL;
    OGRGeometryH *geoms = calloc(n ? n : 1, sizeof *geoms);
    if (!geoms)
        return tb_error(TB_ERR_NOMEM, "out of memory for %u polygons", n);
    GDALDriverH mem = GDALGetDriverByName("Memory");
    GDALDatasetH ds = mem ? GDALCreate(mem, "", 0, 0, 0, GDT_Unknown, NULL) : NULL;
    if (!ds) {
        free(geoms);
        return tb_error(TB_ERR_INTERNAL, "cannot create an in-memory vector layer");
    }
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "parts", NULL, wkbPolygon, NULL);
    OGRFieldDefnH fd = OGR_Fld_Create("label", OFTInteger64);
    OGR_L_CreateField(layer, fd, TRUE);
    OGR_Fld_Destroy(fd);

    GDALRasterBandH band = tb_raster_writer_band(labels);
    tb_status st = TB_OK;
    CPLErrorReset();
    if (GDALPolygonize(band, band, layer, 0, NULL, NULL, NULL) != CE_None)
        st = tb_error(TB_ERR_INTERNAL, "polygonizing the change labels failed (%s)",
                      tb_gdal_last_error());

    OGRFeatureH f;
    OGR_L_ResetReading(layer);
    while (!st && (f = OGR_L_GetNextFeature(layer)) != NULL) {
        GIntBig label = OGR_F_GetFieldAsInteger64(f, 0);
        OGRGeometryH g = OGR_F_StealGeometry(f);
        OGR_F_Destroy(f);
        if (label < 1 || (uint64_t)label > n || !g) {
            OGR_G_DestroyGeometry(g);
            st = tb_error(TB_ERR_INTERNAL, "polygonizer returned label %lld outside 1..%u",
                          (long long)label, n);
            break;
        }
        OGRGeometryH *slot = &geoms[label - 1];
        if (!*slot)
            *slot = OGR_G_CreateGeometry(wkbMultiPolygon);
        OGR_G_AddGeometryDirectly(*slot, g);
    }
    GDALClose(ds);
    for (uint32_t i = 0; i < n && !st; i++)
        if (!geoms[i])
            st = tb_error(TB_ERR_INTERNAL, "component %u has no polygon", i + 1);
    if (st) {
        tb_polygonize_free(geoms, n);
        return st;
    }
    *out = geoms;
    return TB_OK;
}

void tb_polygonize_free(OGRGeometryH *geoms, uint32_t n)
{
    if (!geoms)
        return;
    for (uint32_t i = 0; i < n; i++)
        OGR_G_DestroyGeometry(geoms[i]);
    free(geoms);
}
