/* polygonize_bands.c: the label raster polygonized in bands of rows, in parallel.
 *
 * GDAL's polygonizer runs on one thread and reads the raster twice. Components are
 * numbered in raster order of their first pixel, and each spans a known run of rows, so
 * the raster splits into bands of whole rows that no component crosses. Every band is
 * read through a GDAL handle of its thread's own, wrapped as an in-memory raster in
 * pixel coordinates and polygonized on its own; its components are assembled as the
 * streaming polygonizer does (polygonize.c) and then handed to the sink in band order
 * (an ordered loop). The bands depend on the components only, so the output is the same
 * at any number of threads. Pixel corners become map coordinates with the raster's
 * geotransform afterwards.
 *
 * Bands hold about BAND_BYTES of labels; a component taller than that makes its band
 * taller. Should a band have to exceed BAND_MAX_BYTES (a component running down most of
 * a wide scene), the whole raster is streamed instead, which needs no band in memory.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>

#include "tb_polygonize.h"

#define BAND_BYTES ((size_t)4 << 20)
#define BAND_MAX_BYTES ((size_t)32 << 20)

/* The components of one band, complete, in the order they were handed over. */
typedef struct band_out {
    uint32_t *labels;
    OGRGeometryH *geoms;
    size_t n, cap;
    const double *gt;   /* pixel -> map */
} band_out;

/* Pixel corners of every ring of multipolygon g to map coordinates (the expression of
 * GDAL's polygonizer). */
static void to_map(OGRGeometryH g, const double gt[6])
{
    for (int p = 0; p < OGR_G_GetGeometryCount(g); p++) {
        OGRGeometryH poly = OGR_G_GetGeometryRef(g, p);
        for (int r = 0; r < OGR_G_GetGeometryCount(poly); r++) {
            OGRGeometryH ring = OGR_G_GetGeometryRef(poly, r);
            const int np = OGR_G_GetPointCount(ring);
            for (int k = 0; k < np; k++) {
                const double x = OGR_G_GetX(ring, k), y = OGR_G_GetY(ring, k);
                OGR_G_SetPoint_2D(ring, k, gt[0] + x * gt[1] + y * gt[2],
                                  gt[3] + x * gt[4] + y * gt[5]);
            }
        }
    }
}

/* tb_polygon_sink of a band: keeps the component, in map coordinates. */
static tb_status keep_in_band(void *arg, uint32_t label, OGRGeometryH g)
{
    band_out *b = arg;
    if (b->n == b->cap) {
        const size_t cap = b->cap ? 2 * b->cap : 64;
        uint32_t *l = realloc(b->labels, cap * sizeof *l);
        if (l)
            b->labels = l;
        OGRGeometryH *gs = l ? realloc(b->geoms, cap * sizeof *gs) : NULL;
        if (!gs) {
            OGR_G_DestroyGeometry(g);
            return tb_error(TB_ERR_NOMEM, "out of memory for the polygons of a band");
        }
        b->geoms = gs;
        b->cap = cap;
    }
    to_map(g, b->gt);
    b->labels[b->n] = label;
    b->geoms[b->n++] = g;
    return TB_OK;
}

/* Destroys the geometries left in the band (all of them after an error) and empties it. */
static void band_clear(band_out *b)
{
    for (size_t i = 0; i < b->n; i++)
        OGR_G_DestroyGeometry(b->geoms[i]);
    b->n = 0;
}

int tb_polygon_bands(int width, int height, uint32_t n, const int32_t *first_row,
                     const int32_t *last_row, int *starts)
{
    if (width < 1 || height < 1)
        return 0;
    const size_t row_bytes = (size_t)width * sizeof(uint32_t);
    int target = (int)(BAND_BYTES / row_bytes), cap = (int)(BAND_MAX_BYTES / row_bytes);
    target = target < 16 ? 16 : target;
    cap = cap < target ? target : cap;
    /* crossing[y]: components with pixels in rows y - 1 and y (a difference array). */
    int32_t *crossing = calloc((size_t)height + 1, sizeof *crossing);
    if (!crossing)
        return 0;
    for (uint32_t i = 0; i < n; i++) {
        const int32_t a = first_row[i], b = last_row[i];
        if (a < 0 || b >= height || a > b) {
            free(crossing);
            return 0;   /* not a component of this raster: no bands */
        }
        crossing[a + 1]++;
        crossing[b + 1]--;
    }
    int nb = 0, y0 = 0, run = 0, ok = 1;
    for (int y = 1; y < height && ok; y++) {
        run += crossing[y];
        if (run == 0 && y - y0 >= target) {
            starts[nb++] = y0;
            y0 = y;
        }
        ok = y - y0 <= cap;
    }
    free(crossing);
    if (!ok || height - y0 > cap)
        return 0;
    starts[nb++] = y0;
    starts[nb] = height;
    return nb;
}

/* Polygonizes rows [y0, y1) of `ds` (labels first .. first + count - 1) into `out`. */
static tb_status polygonize_rows(GDALDatasetH ds, int y0, int y1, uint32_t first, uint32_t count,
                                 const uint64_t *pixels, uint32_t *buf, band_out *out)
{
    const int w = GDALGetRasterXSize(ds), rows = y1 - y0;
    CPLErrorReset();
    if (GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, y0, w, rows, buf, w, rows, GDT_UInt32,
                     0, 0) != CE_None)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot read back rows %d-%d (%s)",
                        GDALGetDescription(ds), y0, y1 - 1, tb_gdal_last_error());
    GDALDatasetH mem = GDALCreate(GDALGetDriverByName("MEM"), "", w, rows, 0, GDT_UInt32, NULL);
    if (!mem)
        return tb_error(TB_ERR_INTERNAL, "cannot create an in-memory raster");
    char option[80];
    snprintf(option, sizeof option, "DATAPOINTER=%p", (void *)buf);
    char *opts[] = {option, NULL};
    double gt[6] = {0, 1, 0, y0, 0, 1};   /* pixel corners of the whole raster */
    tb_status st = TB_OK;
    if (GDALAddBand(mem, GDT_UInt32, opts) != CE_None || GDALSetGeoTransform(mem, gt) != CE_None)
        st = tb_error(TB_ERR_INTERNAL, "cannot wrap rows %d-%d as an in-memory raster", y0, y1 - 1);
    if (!st)
        st = tb_polygonize_band(GDALGetRasterBand(mem, 1), first, count, pixels, keep_in_band, out);
    GDALClose(mem);
    return st;
}

/* Labels of the components whose first row is in [y0, y1): [*lo, *hi). first_row is
 * non-decreasing in label order (raster order of the first pixel). */
static void labels_of(const int32_t *first_row, uint32_t n, int y0, int y1, uint32_t *lo,
                      uint32_t *hi)
{
    uint32_t a = 0, b = n;
    while (a < b) {   /* first label with first_row >= y0 */
        const uint32_t m = a + (b - a) / 2;
        if (first_row[m] < y0) a = m + 1; else b = m;
    }
    *lo = a;
    b = n;
    while (a < b) {   /* first label with first_row >= y1 */
        const uint32_t m = a + (b - a) / 2;
        if (first_row[m] < y1) a = m + 1; else b = m;
    }
    *hi = a;
}

tb_status tb_polygonize_file(const char *path, uint32_t n, const uint64_t *pixels,
                             const int32_t *first_row, const int32_t *last_row,
                             tb_polygon_sink sink, void *arg)
{
    GDALDatasetH main_ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!main_ds)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot open the labels (%s)", path,
                        tb_gdal_last_error());
    const int w = GDALGetRasterXSize(main_ds), h = GDALGetRasterYSize(main_ds);
    double gt[6] = {0, 1, 0, 0, 0, 1};
    if (GDALGetGeoTransform(main_ds, gt) != CE_None) {
        gt[0] = gt[2] = gt[3] = gt[4] = 0;
        gt[1] = gt[5] = 1;
    }
    int raster_order = 1;   /* which labels_of needs */
    for (uint32_t i = 1; i < n && raster_order; i++)
        raster_order = first_row[i] >= first_row[i - 1];
    int *starts = malloc(((size_t)h / 16 + 2) * sizeof *starts);
    const int nbands = starts && raster_order
                           ? tb_polygon_bands(w, h, n, first_row, last_row, starts) : 0;
    if (nbands <= 0) {
        free(starts);
        tb_status st = tb_polygonize_band(GDALGetRasterBand(main_ds, 1), 1, n, pixels, sink, arg);
        GDALClose(main_ds);
        return st;
    }
    int max_rows = 0;
    for (int b = 0; b < nbands; b++)
        if (starts[b + 1] - starts[b] > max_rows)
            max_rows = starts[b + 1] - starts[b];
    const int nthreads = omp_get_max_threads() < nbands ? omp_get_max_threads() : nbands;
    GDALDatasetH *ds = calloc((size_t)nthreads, sizeof *ds);
    uint32_t **buf = calloc((size_t)nthreads, sizeof *buf);
    band_out *outs = calloc((size_t)nthreads, sizeof *outs);
    tb_status st = TB_OK;
    if (!ds || !buf || !outs)
        st = tb_error(TB_ERR_NOMEM, "out of memory for polygonizing in bands");
    for (int t = 0; t < nthreads && !st; t++) {
        ds[t] = t == 0 ? main_ds
                       : GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
        buf[t] = malloc((size_t)w * (size_t)max_rows * sizeof **buf);
        outs[t].gt = gt;
        if (!ds[t])
            st = tb_error(TB_ERR_OUTPUT, "%s: cannot open the labels (%s)", path,
                          tb_gdal_last_error());
        else if (!buf[t])
            st = tb_error(TB_ERR_NOMEM, "out of memory for %d rows of labels", max_rows);
    }
    /* The first error, raised again on this thread after the loop. */
    tb_status first_st = st;
    char first_msg[1024] = "";
    if (!st) {
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 1) ordered
        for (int b = 0; b < nbands; b++) {
            const int t = omp_get_thread_num();
            band_out *out = &outs[t];
            uint32_t lo, hi;
            labels_of(first_row, n, starts[b], starts[b + 1], &lo, &hi);
            tb_status stop;
#pragma omp atomic read
            stop = first_st;
            tb_status bst = stop ? stop
                                 : polygonize_rows(ds[t], starts[b], starts[b + 1], lo + 1,
                                                   hi - lo, pixels + lo, buf[t], out);
#pragma omp ordered
            {
                /* Hand the band over in order; after an error, only free it. */
                for (size_t i = 0; i < out->n && !bst && !first_st; i++) {
                    bst = sink(arg, out->labels[i], out->geoms[i]);
                    out->geoms[i] = NULL;
                }
                band_clear(out);
                if (bst && !first_st) {
                    snprintf(first_msg, sizeof first_msg, "%s", tb_error_message());
#pragma omp atomic write
                    first_st = bst;
                }
            }
        }
        if (first_st)
            st = tb_error(first_st, "%s", first_msg);
    }
    for (int t = 0; t < nthreads; t++) {
        if (ds && ds[t] && ds[t] != main_ds)
            GDALClose(ds[t]);
        if (buf)
            free(buf[t]);
        if (outs) {   /* every band was cleared where it was handed over */
            free(outs[t].labels);
            free(outs[t].geoms);
        }
    }
    GDALClose(main_ds);
    free(ds);
    free(buf);
    free(outs);
    free(starts);
    return st;
}
