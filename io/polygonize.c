/* polygonize.c: final label raster -> one MultiPolygon per component, streamed.
 *
 * GDAL's polygonizer reads the raster row by row and emits each 4-connected part once
 * it is traced, into an in-memory layer. Its progress callback (once per row) drains
 * that layer: parts go to their component's MultiPolygon, and a component whose parts
 * cover all its pixels goes to the sink and is freed. Memory then holds the parts of
 * the components the current row crosses, not the polygons of the whole scene.
 *
 * Completeness is measured by area: a part's area over the area of one pixel is its
 * pixel count (a polygon's holes are other labels' pixels). The count is rounded; a
 * part arriving for a component already handed over is reported as an error rather
 * than lost.
 */
#include <math.h>
#include <stdlib.h>

#include <cpl_error.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_api.h>

#include "tb_polygonize.h"

typedef struct stream {
    OGRLayerH layer;          /* GDAL's output: parts not yet drained */
    GIntBig next_fid;         /* the memory layer numbers features 0, 1, ... */
    uint32_t first, n;        /* labels first .. first + n - 1; index i is label first + i */
    const uint64_t *pixels;
    OGRGeometryH *geoms;      /* per label: parts so far (NULL: none yet) */
    uint64_t *covered;        /* per label: pixels covered by its parts so far */
    uint8_t *done;            /* per label: handed over */
    double pixel_area;
    tb_polygon_sink sink;
    void *arg;
    tb_status st;
} stream;

static tb_status hand_over(stream *s, uint32_t i)
{
    OGRGeometryH g = s->geoms[i];
    s->geoms[i] = NULL;
    s->done[i] = 1;
    return s->sink(s->arg, s->first + i, g);
}

static tb_status take_part(stream *s, OGRFeatureH f)
{
    const GIntBig label = OGR_F_GetFieldAsInteger64(f, 0);
    OGRGeometryH g = OGR_F_StealGeometry(f);
    if (label < s->first || (uint64_t)label >= (uint64_t)s->first + s->n || !g) {
        OGR_G_DestroyGeometry(g);
        return tb_error(TB_ERR_INTERNAL, "polygonizer returned label %lld outside %u..%u",
                        (long long)label, s->first, s->first + s->n - 1);
    }
    const uint32_t i = (uint32_t)(label - s->first);
    if (s->done[i]) {
        OGR_G_DestroyGeometry(g);
        return tb_error(TB_ERR_INTERNAL, "component %u: a part arrived after it was complete",
                        s->first + i);
    }
    s->covered[i] += (uint64_t)llround(OGR_G_Area(g) / s->pixel_area);
    if (!s->geoms[i])
        s->geoms[i] = OGR_G_CreateGeometry(wkbMultiPolygon);
    OGR_G_AddGeometryDirectly(s->geoms[i], g);
    return s->covered[i] >= s->pixels[i] ? hand_over(s, i) : TB_OK;
}

/* Moves the parts GDAL has emitted so far out of its layer; after an error they are
 * only dropped. */
static void drain(stream *s)
{
    OGRFeatureH f;
    while ((f = OGR_L_GetFeature(s->layer, s->next_fid)) != NULL) {
        if (!s->st)
            s->st = take_part(s, f);
        OGR_F_Destroy(f);
        /* Frees it; were that to fail, the part only stays in memory longer. */
        if (OGR_L_DeleteFeature(s->layer, s->next_fid) != OGRERR_NONE)
            CPLErrorReset();
        s->next_fid++;
    }
}

static int progress(double complete, const char *msg, void *arg)
{
    (void)complete;
    (void)msg;
    drain(arg);
    /* Never stops GDAL, even after an error: GDAL 3.6 leaks the polygons it has in
     * progress when a callback stops it. */
    return 1;
}

tb_status tb_polygonize_band(GDALRasterBandH band, uint32_t first, uint32_t n,
                             const uint64_t *pixels, tb_polygon_sink sink, void *arg)
{
    stream s = {0};
    s.first = first;
    s.n = n;
    s.pixels = pixels;
    s.sink = sink;
    s.arg = arg;
    s.geoms = calloc(n ? n : 1, sizeof *s.geoms);
    s.covered = calloc(n ? n : 1, sizeof *s.covered);
    s.done = calloc(n ? n : 1, 1);
    GDALDriverH mem = GDALGetDriverByName("Memory");
    GDALDatasetH ds = mem ? GDALCreate(mem, "", 0, 0, 0, GDT_Unknown, NULL) : NULL;
    if (!s.geoms || !s.covered || !s.done || !ds) {
        if (ds)
            GDALClose(ds);
        free(s.geoms);
        free(s.covered);
        free(s.done);
        return ds ? tb_error(TB_ERR_NOMEM, "out of memory for %u polygons", n)
                  : tb_error(TB_ERR_INTERNAL, "cannot create an in-memory vector layer");
    }
    s.layer = GDALDatasetCreateLayer(ds, "parts", NULL, wkbPolygon, NULL);
    OGRFieldDefnH fd = OGR_Fld_Create("label", OFTInteger64);
    OGR_L_CreateField(s.layer, fd, TRUE);
    OGR_Fld_Destroy(fd);

    double gt[6] = {0, 1, 0, 0, 0, 1};
    if (GDALGetGeoTransform(GDALGetBandDataset(band), gt) != CE_None) {
        gt[1] = gt[5] = 1;
        gt[2] = gt[4] = 0;
    }
    s.pixel_area = fabs(gt[1] * gt[5] - gt[2] * gt[4]);

    CPLErrorReset();
    if (GDALPolygonize(band, band, s.layer, 0, NULL, progress, &s) != CE_None && !s.st)
        s.st = tb_error(TB_ERR_INTERNAL, "polygonizing the change labels failed (%s)",
                        tb_gdal_last_error());
    /* Whatever the last rows completed, and anything the layer numbered otherwise. */
    drain(&s);
    OGRFeatureH f;
    OGR_L_ResetReading(s.layer);
    while (!s.st && (f = OGR_L_GetNextFeature(s.layer)) != NULL) {
        s.st = take_part(&s, f);
        OGR_F_Destroy(f);
    }
    for (uint32_t i = 0; i < n && !s.st; i++) {
        if (s.geoms[i])   /* parts cover fewer pixels than counted: still all there is */
            s.st = hand_over(&s, i);
        else if (!s.done[i])
            s.st = tb_error(TB_ERR_INTERNAL, "component %u has no polygon", first + i);
    }
    GDALClose(ds);
    for (uint32_t i = 0; i < n; i++)
        OGR_G_DestroyGeometry(s.geoms[i]);
    free(s.geoms);
    free(s.covered);
    free(s.done);
    return s.st;
}

tb_status tb_polygonize_stream(tb_raster_writer *labels, uint32_t n, const uint64_t *pixels,
                               tb_polygon_sink sink, void *arg)
{
    return tb_polygonize_band(tb_raster_writer_band(labels), 1, n, pixels, sink, arg);
}
