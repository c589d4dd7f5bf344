/* tiff_reader.c: rows of a plain GeoTIFF through libtiff, blocks decoded in parallel.
 *
 * GDAL reads a GeoTIFF block by block on one thread; decoding (DEFLATE, LZW) is most
 * of a scan's reading time. Here every thread has its own TIFF handle (libtiff handles
 * are not shareable) and its own decode buffer, and the blocks a call needs are
 * decoded under one OpenMP loop; each block writes a disjoint part of the cache unit,
 * so no lock is needed. A cache unit is a run of whole block rows, at least 256 image
 * rows high, kept raw (native sample type, the file's interleave). One unit is kept,
 * plus a carry: when reading moves on to the next unit, the rows of the old one that
 * the current call asked for are copied aside, so the halo the next strip shares with
 * this one is not decoded twice. Memory is then one unit and the rows of one call per
 * file, whatever the height (two whole units would cost 128 MiB at 32768 x 4 bands x
 * UInt16). Conversion to float is the same C conversion GDAL's GDALCopyWords makes
 * (a plain cast), so the values are GDAL's, bit for bit.
 *
 * Windows of a tiled file (co-registration's) are decoded window by window, one
 * window per thread, straight from the tiles into the caller's planes.
 *
 * libtiff messages go to a per-handle handler (TIFFOpenExt), never to the global one
 * that GDAL installs; the first message of a failed decode becomes the error recorded,
 * on the calling thread, after the parallel loop.
 */
#include <omp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <tiffio.h>

#include "tb_error.h"
#include "tb_tiff_reader.h"

#define UNIT_MIN_ROWS 256
#define UNIT_MAX_BYTES ((size_t)512 << 20)

typedef enum sample_kind { K_U8, K_U16, K_I16, K_U32, K_I32, K_F32 } sample_kind;

static const char *const kind_names[] = {"Byte", "UInt16", "Int16", "UInt32", "Int32", "Float32"};

typedef struct handle_msg {
    char text[256];
    int set;
} handle_msg;

/* Raw rows [r0, r1) of the image: plane p's row r at data + p * plane_bytes +
 * (r - r0) * row_bytes. */
typedef struct raw_rows {
    int r0, r1;         /* r0 == r1: empty */
    uint8_t *data;      /* planes (SEPARATE) or one interleaved plane (CONTIG) */
    uint8_t *have;      /* per plane: held */
} raw_rows;

typedef struct block_task {
    uint32_t bx, by;    /* block column and row in the image */
    uint16_t plane;     /* 0 for CONTIG */
} block_task;

struct tb_tiff_reader {
    char *path;
    int nthreads;
    TIFF **tif;         /* one per thread */
    handle_msg *msg;    /* one per thread */
    uint8_t **buf;      /* one tile buffer per thread (tiled files only) */
    int width, height, spp, bytes, tiled, separate;
    sample_kind kind;
    int bw, bh;         /* block size (strips: width x rows per strip) */
    int blocks_across, blocks_down;
    int unit_blocks, unit_rows, nplanes, plane_spp;
    size_t row_bytes;   /* one row of one plane: width * plane_spp * bytes */
    size_t plane_bytes; /* row_bytes * unit_rows */
    tmsize_t block_bytes;
    int overlap;        /* rows the next read may share with this one; -1: unknown */
    int unit;           /* unit held by `cur`, -1: none */
    raw_rows cur;       /* that unit (rows [unit * unit_rows, ...)) */
    raw_rows carry;     /* rows of the unit before, kept for the next call */
    block_task *tasks;  /* unit_blocks * blocks_across * nplanes */
    long decoded;
};

static int quiet_handler(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif;
    (void)user;
    (void)module;
    (void)fmt;
    (void)ap;
    return 1;
}

static int record_handler(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif;
    (void)module;
    handle_msg *m = user;
    if (m && !m->set) {
        vsnprintf(m->text, sizeof m->text, fmt, ap);
        m->set = 1;
    }
    return 1;
}

static TIFF *open_handle(const char *path, handle_msg *m)
{
    TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
    if (!opts)
        return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(opts, record_handler, m);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, quiet_handler, NULL);
    /* "m": no memory map; mapped pages of the whole file would count as resident memory. */
    TIFF *tif = TIFFOpenExt(path, "rm", opts);
    TIFFOpenOptionsFree(opts);
    return tif;
}

/* 1 when the first directory of `tif` is one this path reads exactly as GDAL does. */
static int describe(TIFF *tif, tb_tiff_reader *t)
{
    uint32_t w = 0, h = 0, sub = 0;
    uint16_t spp = 1, bps = 1, fmt = SAMPLEFORMAT_UINT, planar = PLANARCONFIG_CONTIG,
             photo = 0, comp = COMPRESSION_NONE, orient = ORIENTATION_TOPLEFT;
    if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h))
        return 0;
    if (w == 0 || h == 0 || w > INT32_MAX / 2 || h > INT32_MAX / 2)
        return 0;
    TIFFGetFieldDefaulted(tif, TIFFTAG_SUBFILETYPE, &sub);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &fmt);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
    TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &comp);
    if (sub != 0 || spp < 1)
        return 0;
    if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photo) ||
        (photo != PHOTOMETRIC_MINISBLACK && photo != PHOTOMETRIC_RGB))
        return 0;
    if (TIFFGetField(tif, TIFFTAG_ORIENTATION, &orient) && orient != ORIENTATION_TOPLEFT)
        return 0;
    /* Extra samples with a meaning (alpha) are GDAL's business: it turns them into masks. */
    uint16_t nextra = 0, *extra = NULL;
    if (TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &nextra, &extra))
        for (int i = 0; i < nextra; i++)
            if (extra[i] != EXTRASAMPLE_UNSPECIFIED)
                return 0;
    if (planar != PLANARCONFIG_CONTIG && planar != PLANARCONFIG_SEPARATE)
        return 0;
    switch (comp) {
    case COMPRESSION_NONE: case COMPRESSION_LZW: case COMPRESSION_ADOBE_DEFLATE:
    case COMPRESSION_DEFLATE: case COMPRESSION_PACKBITS: case COMPRESSION_ZSTD:
    case COMPRESSION_LZMA:
        break;
    default:
        return 0;
    }
    if (!TIFFIsCODECConfigured(comp))
        return 0;
    /* GDAL 3.6 reads signed 8-bit as Byte and 16-bit floats as Float32 of its own
     * making: not taken. */
    if (fmt == SAMPLEFORMAT_UINT && bps == 8)
        t->kind = K_U8;
    else if (fmt == SAMPLEFORMAT_UINT && bps == 16)
        t->kind = K_U16;
    else if (fmt == SAMPLEFORMAT_INT && bps == 16)
        t->kind = K_I16;
    else if (fmt == SAMPLEFORMAT_UINT && bps == 32)
        t->kind = K_U32;
    else if (fmt == SAMPLEFORMAT_INT && bps == 32)
        t->kind = K_I32;
    else if (fmt == SAMPLEFORMAT_IEEEFP && bps == 32)
        t->kind = K_F32;
    else
        return 0;
    t->width = (int)w;
    t->height = (int)h;
    t->spp = spp;
    t->bytes = bps / 8;
    t->separate = planar == PLANARCONFIG_SEPARATE && spp > 1;
    t->tiled = TIFFIsTiled(tif);
    if (t->tiled) {
        uint32_t tw = 0, th = 0;
        if (!TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw) || !TIFFGetField(tif, TIFFTAG_TILELENGTH, &th))
            return 0;
        if (tw == 0 || th == 0 || tw > (uint32_t)1 << 20 || th > (uint32_t)1 << 20)
            return 0;
        t->bw = (int)tw;
        t->bh = (int)th;
        t->block_bytes = TIFFTileSize(tif);
    } else {
        uint32_t rps = h;
        TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rps);
        if (rps == 0 || rps > h)
            rps = h;
        t->bw = (int)w;
        t->bh = (int)rps;
        t->block_bytes = TIFFStripSize(tif);
    }
    if (t->block_bytes <= 0)
        return 0;
    t->blocks_across = (int)((w + (uint32_t)t->bw - 1) / (uint32_t)t->bw);
    t->blocks_down = (int)((h + (uint32_t)t->bh - 1) / (uint32_t)t->bh);
    t->nplanes = t->separate ? spp : 1;
    t->plane_spp = t->separate ? 1 : spp;
    uint32_t nblocks = t->tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
    if (nblocks != (uint32_t)t->blocks_across * (uint32_t)t->blocks_down * (uint32_t)t->nplanes)
        return 0;
    /* Sparse blocks (no bytes) are filled by GDAL with nodata or zero: not taken. */
    for (uint32_t i = 0; i < nblocks; i++) {
        int err = 0;
        if (TIFFGetStrileByteCountWithErr(tif, i, &err) == 0 || err)
            return 0;
    }
    t->unit_blocks = (UNIT_MIN_ROWS + t->bh - 1) / t->bh;
    if (t->unit_blocks > t->blocks_down)
        t->unit_blocks = t->blocks_down;
    t->unit_rows = t->unit_blocks * t->bh;
    t->row_bytes = (size_t)t->width * (size_t)t->plane_spp * (size_t)t->bytes;
    t->plane_bytes = t->row_bytes * (size_t)t->unit_rows;
    if (t->plane_bytes * (size_t)t->nplanes > UNIT_MAX_BYTES)
        return 0;
    return 1;
}

void tb_tiff_reader_close(tb_tiff_reader *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->nthreads; i++) {
        if (t->tif && t->tif[i])
            TIFFClose(t->tif[i]);
        if (t->buf)
            free(t->buf[i]);
    }
    free(t->cur.data);
    free(t->cur.have);
    free(t->carry.data);
    free(t->carry.have);
    free(t->tif);
    free(t->msg);
    free(t->buf);
    free(t->tasks);
    free(t->path);
    free(t);
}

tb_tiff_reader *tb_tiff_reader_open(const char *path, int nthreads)
{
    struct stat st;
    if (!path || strncmp(path, "/vsi", 4) == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return NULL;
    if (nthreads <= 0)
        nthreads = omp_get_max_threads();
    tb_tiff_reader *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->nthreads = nthreads;
    t->path = strdup(path);
    t->tif = calloc((size_t)nthreads, sizeof *t->tif);
    t->msg = calloc((size_t)nthreads, sizeof *t->msg);
    t->buf = calloc((size_t)nthreads, sizeof *t->buf);
    if (!t->path || !t->tif || !t->msg || !t->buf)
        goto refuse;
    t->tif[0] = open_handle(path, &t->msg[0]);
    if (!t->tif[0] || !describe(t->tif[0], t))
        goto refuse;
    for (int i = 0; i < nthreads; i++) {
        if (i > 0 && !(t->tif[i] = open_handle(path, &t->msg[i])))
            goto refuse;
        if (t->tiled && !(t->buf[i] = malloc((size_t)t->block_bytes)))
            goto refuse;
    }
    t->tasks = malloc((size_t)t->unit_blocks * (size_t)t->blocks_across * (size_t)t->nplanes *
                      sizeof *t->tasks);
    if (!t->tasks)
        goto refuse;
    t->unit = -1;
    t->overlap = -1;
    return t;
refuse:
    tb_tiff_reader_close(t);
    return NULL;
}

int tb_tiff_reader_width(const tb_tiff_reader *t) { return t->width; }
int tb_tiff_reader_height(const tb_tiff_reader *t) { return t->height; }
int tb_tiff_reader_band_count(const tb_tiff_reader *t) { return t->spp; }
const char *tb_tiff_reader_type_name(const tb_tiff_reader *t) { return kind_names[t->kind]; }
long tb_tiff_reader_decoded_blocks(const tb_tiff_reader *t) { return t->decoded; }
void tb_tiff_reader_set_overlap(tb_tiff_reader *t, int rows) { t->overlap = rows < 0 ? -1 : rows; }

/* Decodes one block into its place in `cur` (unit starting at image row u0) with
 * handle `h`. Returns 0 or -1 (message in t->msg[h]). */
static int decode_block(tb_tiff_reader *t, int h, int u0, const block_task *k)
{
    TIFF *tif = t->tif[h];
    const size_t px = (size_t)t->plane_spp * (size_t)t->bytes;
    uint8_t *plane = t->cur.data + t->plane_bytes * k->plane;
    const int y = (int)k->by * t->bh;
    const int rows = t->height - y < t->bh ? t->height - y : t->bh;
    if (!t->tiled) {
        uint32_t strip = TIFFComputeStrip(tif, (uint32_t)y, k->plane);
        const tmsize_t want = (tmsize_t)((size_t)rows * t->row_bytes);
        uint8_t *dst = plane + (size_t)(y - u0) * t->row_bytes;
        return TIFFReadEncodedStrip(tif, strip, dst, want) == want ? 0 : -1;
    }
    const int x = (int)k->bx * t->bw;
    const int cols = t->width - x < t->bw ? t->width - x : t->bw;
    uint32_t tile = TIFFComputeTile(tif, (uint32_t)x, (uint32_t)y, 0, k->plane);
    if (TIFFReadEncodedTile(tif, tile, t->buf[h], t->block_bytes) != t->block_bytes)
        return -1;
    for (int r = 0; r < rows; r++)
        memcpy(plane + (size_t)(y - u0 + r) * t->row_bytes + (size_t)x * px,
               t->buf[h] + (size_t)r * (size_t)t->bw * px, (size_t)cols * px);
    return 0;
}

/* Records the error of block k, which handle h failed to decode: the file, the block
 * and libtiff's first message. */
static void decode_failed(const tb_tiff_reader *t, const block_task *k, int h)
{
    const handle_msg *m = &t->msg[h];
    char band[32] = "";
    if (t->separate)
        snprintf(band, sizeof band, " of band %d", k->plane + 1);
    tb_error(TB_ERR_INPUT_FORMAT, "%s: cannot decode the %s at column %u, row %u%s (%s)",
             t->path, t->tiled ? "tile" : "strip", k->bx * (uint32_t)t->bw,
             k->by * (uint32_t)t->bh, band, m->set ? m->text : "short read");
}

static int alloc_rows(tb_tiff_reader *t, raw_rows *r)
{
    if (r->data)
        return 0;
    /* A unit's worth of address space; only the rows written become resident. */
    r->data = malloc(t->plane_bytes * (size_t)t->nplanes);
    r->have = calloc((size_t)t->nplanes, 1);
    if (r->data && r->have)
        return 0;
    tb_error(TB_ERR_NOMEM, "%s: out of memory for %zu bytes of decoded rows", t->path,
             t->plane_bytes * (size_t)t->nplanes);
    return -1;
}

/* Before `cur` moves from unit t->unit to unit u: keeps the rows [y0, end of the old
 * unit) that the current call (rows [y0, y1)) asked for, when u follows the old unit;
 * the next strip starts further down, so its halo is among them. With a known
 * overlap, only the rows the next call may share with this one (a wide scene's
 * strips are tens of rows, their shared halo a few). */
static int keep_carry(tb_tiff_reader *t, int u, int y0, int y1)
{
    raw_rows *c = &t->carry;
    c->r0 = c->r1 = 0;
    if (t->overlap >= 0 && y1 - t->overlap > y0)
        y0 = y1 - t->overlap;
    if (t->unit < 0 || u != t->unit + 1 || y0 >= t->cur.r1)
        return 0;
    if (alloc_rows(t, c) != 0)
        return -1;
    c->r0 = y0 > t->cur.r0 ? y0 : t->cur.r0;
    c->r1 = t->cur.r1;
    const size_t off = (size_t)(c->r0 - t->cur.r0) * t->row_bytes;
    const size_t len = (size_t)(c->r1 - c->r0) * t->row_bytes;
    for (int p = 0; p < t->nplanes; p++) {
        c->have[p] = t->cur.have[p];
        if (c->have[p])
            memcpy(c->data + t->plane_bytes * (size_t)p,
                   t->cur.data + t->plane_bytes * (size_t)p + off, len);
    }
    return 0;
}

/* Makes `cur` hold unit `u` with the planes `need` (per plane flag); a call for rows
 * [y0, y1) asks. Returns 0, or -1 with the error recorded. */
static int load_unit(tb_tiff_reader *t, int u, const uint8_t *need, int y0, int y1)
{
    if (t->unit != u) {
        if (keep_carry(t, u, y0, y1) != 0 || alloc_rows(t, &t->cur) != 0)
            return -1;
        t->unit = u;
        t->cur.r0 = u * t->unit_rows;
        t->cur.r1 = t->cur.r0 + t->unit_rows < t->height ? t->cur.r0 + t->unit_rows : t->height;
        memset(t->cur.have, 0, (size_t)t->nplanes);
    }

    const int u0 = t->cur.r0;
    const int b0 = u * t->unit_blocks;
    const int b1 = b0 + t->unit_blocks < t->blocks_down ? b0 + t->unit_blocks : t->blocks_down;
    int n = 0;
    for (int p = 0; p < t->nplanes; p++) {
        if (!need[p] || t->cur.have[p])
            continue;
        for (int by = b0; by < b1; by++)
            for (int bx = 0; bx < t->blocks_across; bx++)
                t->tasks[n++] = (block_task){(uint32_t)bx, (uint32_t)by, (uint16_t)p};
    }
    if (n == 0)
        return 0;

    int failed = -1, failed_h = 0;   /* the first failed task and its handle */
    for (int i = 0; i < t->nthreads; i++)
        t->msg[i].set = 0;
#pragma omp parallel for num_threads(t->nthreads) schedule(dynamic, 1)
    for (int i = 0; i < n; i++) {
        int stop;
#pragma omp atomic read
        stop = failed;
        if (stop >= 0)
            continue;
        const int h = omp_get_thread_num();
        if (decode_block(t, h, u0, &t->tasks[i]) != 0) {
#pragma omp critical(tb_tiff_reader_fail)
            if (failed < 0) {
                failed_h = h;
#pragma omp atomic write
                failed = i;
            }
        }
    }
    t->decoded += n;
    if (failed >= 0) {
        t->unit = -1;
        decode_failed(t, &t->tasks[failed], failed_h);
        return -1;
    }
    for (int p = 0; p < t->nplanes; p++)
        if (need[p])
            t->cur.have[p] = 1;
    return 0;
}

/* 1 when `r` holds rows [r0, r1) of every plane in `need`. */
static int holds(const tb_tiff_reader *t, const raw_rows *r, int r0, int r1, const uint8_t *need)
{
    if (r0 < r->r0 || r1 > r->r1 || r->r0 == r->r1)
        return 0;
    for (int p = 0; p < t->nplanes; p++)
        if (need[p] && !r->have[p])
            return 0;
    return 1;
}

#define CONVERT(T)                                                                          \
    do {                                                                                    \
        const T *src = (const T *)from;                                                     \
        for (int x = 0; x < n; x++)                                                         \
            out[x] = (float)src[(size_t)x * step];                                          \
    } while (0)

/* n samples of `kind`, `step` samples apart from `from`, to float. */
static void convert_span(sample_kind kind, const uint8_t *from, size_t step, int n, float *out)
{
    switch (kind) {
    case K_U8: CONVERT(uint8_t); break;
    case K_U16: CONVERT(uint16_t); break;
    case K_I16: CONVERT(int16_t); break;
    case K_U32: CONVERT(uint32_t); break;
    case K_I32: CONVERT(int32_t); break;
    case K_F32: CONVERT(float); break;
    }
}

/* Rows [r0, r1) of the image, held by `from`, into planes whose row 0 is image row y0. */
static void convert_rows(const tb_tiff_reader *t, const raw_rows *from, int r0, int r1, int y0,
                         const int *bands, int nbands, float *const *planes)
{
    const int w = t->width;
    const size_t step = (size_t)t->plane_spp;
    const int total = (r1 - r0) * nbands;
#pragma omp parallel for num_threads(t->nthreads) schedule(static)
    for (int j = 0; j < total; j++) {
        const int i = j % nbands, y = r0 + j / nbands;
        const int b = bands[i] - 1;
        const uint8_t *row = from->data + t->plane_bytes * (size_t)(t->separate ? b : 0) +
                             (size_t)(y - from->r0) * t->row_bytes +
                             (t->separate ? 0 : (size_t)b * (size_t)t->bytes);
        convert_span(t->kind, row, step, w, planes[i] + (size_t)(y - y0) * (size_t)w);
    }
}

int tb_tiff_reader_read_rows(tb_tiff_reader *t, int y0, int rows, const int *bands, int nbands,
                             float *const *planes)
{
    if (y0 < 0 || rows < 0 || y0 > t->height - rows) {
        tb_error(TB_ERR_USAGE, "%s: rows %d-%d are outside its %d rows", t->path, y0,
                 y0 + rows - 1, t->height);
        return -1;
    }
    uint8_t need_stack[64];
    uint8_t *need = t->nplanes <= 64 ? need_stack : calloc((size_t)t->nplanes, 1);
    if (!need) {
        tb_error(TB_ERR_NOMEM, "%s: out of memory", t->path);
        return -1;
    }
    memset(need, 0, (size_t)t->nplanes);
    int ret = 0;
    for (int i = 0; i < nbands; i++) {
        if (bands[i] < 1 || bands[i] > t->spp) {
            tb_error(TB_ERR_BANDS, "%s: has no band %d", t->path, bands[i]);
            ret = -1;
            goto done;
        }
        need[t->separate ? bands[i] - 1 : 0] = 1;
    }
    if (rows == 0 || nbands == 0)
        goto done;
    for (int u = y0 / t->unit_rows; u <= (y0 + rows - 1) / t->unit_rows; u++) {
        const int u0 = u * t->unit_rows;
        const int r0 = y0 > u0 ? y0 : u0;
        const int r1 = y0 + rows < u0 + t->unit_rows ? y0 + rows : u0 + t->unit_rows;
        const raw_rows *src = &t->cur;
        if (t->unit != u && holds(t, &t->carry, r0, r1, need))
            src = &t->carry;
        else if (load_unit(t, u, need, y0, y0 + rows) != 0) {
            ret = -1;
            break;
        }
        convert_rows(t, src, r0, r1, y0, bands, nbands, planes);
    }
done:
    if (need != need_stack)
        free(need);
    return ret;
}

int tb_tiff_reader_tiled(const tb_tiff_reader *t) { return t->tiled; }

/* Window (x0, y0, cols, rows) of the `bands` into planes[0..nbands), its tiles decoded
 * one by one with handle h into that handle's tile buffer. Returns 0, or -1 with the
 * failed tile in *bad (message in t->msg[h]). */
static int decode_window(tb_tiff_reader *t, int h, int x0, int y0, int cols, int rows,
                         const int *bands, int nbands, float *const *planes, block_task *bad)
{
    const size_t step = (size_t)t->plane_spp;
    const size_t px = step * (size_t)t->bytes;
    for (int p = 0; p < t->nplanes; p++) {
        int used = 0;
        for (int i = 0; i < nbands; i++)
            used |= !t->separate || bands[i] - 1 == p;
        if (!used)
            continue;
        for (int by = y0 / t->bh; by <= (y0 + rows - 1) / t->bh; by++) {
            for (int bx = x0 / t->bw; bx <= (x0 + cols - 1) / t->bw; bx++) {
                const int tx = bx * t->bw, ty = by * t->bh;
                uint32_t tile = TIFFComputeTile(t->tif[h], (uint32_t)tx, (uint32_t)ty, 0, (uint16_t)p);
                if (TIFFReadEncodedTile(t->tif[h], tile, t->buf[h], t->block_bytes) != t->block_bytes) {
                    *bad = (block_task){(uint32_t)bx, (uint32_t)by, (uint16_t)p};
                    return -1;
                }
                /* The part of the window this tile covers. */
                const int ax = x0 > tx ? x0 : tx, ay = y0 > ty ? y0 : ty;
                const int bxe = x0 + cols < tx + t->bw ? x0 + cols : tx + t->bw;
                const int bye = y0 + rows < ty + t->bh ? y0 + rows : ty + t->bh;
                for (int i = 0; i < nbands; i++) {
                    const int b = bands[i] - 1;
                    if (t->separate && b != p)
                        continue;
                    const size_t band_off = t->separate ? 0 : (size_t)b * (size_t)t->bytes;
                    for (int y = ay; y < bye; y++)
                        convert_span(t->kind,
                                     t->buf[h] + ((size_t)(y - ty) * (size_t)t->bw +
                                                  (size_t)(ax - tx)) * px + band_off,
                                     step, bxe - ax,
                                     planes[i] + (size_t)(y - y0) * (size_t)cols + (size_t)(ax - x0));
                }
            }
        }
    }
    return 0;
}

int tb_tiff_reader_read_windows(tb_tiff_reader *t, int n, const int *xs, const int *ys, int cols,
                                int rows, const int *bands, int nbands, float *const *planes)
{
    if (!t->tiled) {
        tb_error(TB_ERR_USAGE, "%s: windows are read from tiled files only", t->path);
        return -1;
    }
    int planes_used = t->separate ? 0 : 1;
    for (int i = 0; i < nbands; i++) {
        if (bands[i] < 1 || bands[i] > t->spp) {
            tb_error(TB_ERR_BANDS, "%s: has no band %d", t->path, bands[i]);
            return -1;
        }
        int repeated = 0;
        for (int j = 0; j < i; j++)
            repeated |= bands[j] == bands[i];
        planes_used += t->separate && !repeated;
    }
    long tiles = 0;
    for (int i = 0; i < n; i++) {
        if (cols < 1 || rows < 1 || xs[i] < 0 || ys[i] < 0 || xs[i] > t->width - cols ||
            ys[i] > t->height - rows) {
            tb_error(TB_ERR_USAGE, "%s: window %d x %d at (%d, %d) is outside its %d x %d pixels",
                     t->path, cols, rows, xs[i], ys[i], t->width, t->height);
            return -1;
        }
        tiles += (long)((xs[i] + cols - 1) / t->bw - xs[i] / t->bw + 1) *
                 ((ys[i] + rows - 1) / t->bh - ys[i] / t->bh + 1) * planes_used;
    }
    int failed = -1, failed_h = 0;   /* the first failed window and its handle */
    block_task bad = {0, 0, 0};
    for (int i = 0; i < t->nthreads; i++)
        t->msg[i].set = 0;
#pragma omp parallel for num_threads(t->nthreads) schedule(dynamic, 1)
    for (int i = 0; i < n; i++) {
        const int h = omp_get_thread_num();
        block_task k;
        if (decode_window(t, h, xs[i], ys[i], cols, rows, bands, nbands,
                          planes + (size_t)i * (size_t)nbands, &k) != 0) {
#pragma omp critical(tb_tiff_reader_fail)
            if (failed < 0 || i < failed) {
                failed = i;
                failed_h = h;
                bad = k;
            }
        }
    }
    if (failed >= 0) {
        decode_failed(t, &bad, failed_h);
        return -1;
    }
    t->decoded += tiles;
    return 0;
}
