/* scan_detect.c: pass 2 of a scan: strips -> change score -> mask -> opening and
 * closing -> streaming connected components.
 *
 * Each strip of [scan] strip_rows rows is read with `halo` extra rows above and below
 * (the summed reach of the opening and closing), so the morphology of its central
 * rows equals that of the whole image; only central rows go on to the labeller.
 * Provisional labels are spilled to a compressed scratch raster for pass 3.
 */
#include <stdlib.h>
#include <string.h>

#include "scan_internal.h"

typedef struct strip_buffers {
    float *planes;                 /* 2 * nbands planes of width * ext rows */
    float *before[TB_SCAN_MAX_BANDS], *after[TB_SCAN_MAX_BANDS];
    uint8_t *valid, *valid_after, *mask, *scratch;
    float *score;
    uint32_t *labels;
} strip_buffers;

static void free_buffers(strip_buffers *b)
{
    free(b->planes);
    free(b->valid);
    free(b->score);
    free(b->labels);
}

static int alloc_buffers(strip_buffers *b, int width, int ext_rows, int strip_rows, int nb)
{
    const size_t px = (size_t)width * ext_rows;
    memset(b, 0, sizeof *b);
    b->planes = malloc(px * 2 * nb * sizeof(float));
    b->valid = malloc(px * 5);      /* valid, valid_after, mask, scratch (2 planes) */
    b->score = malloc(px * sizeof(float));
    b->labels = malloc((size_t)width * strip_rows * sizeof(uint32_t));
    if (!b->planes || !b->valid || !b->score || !b->labels)
        return -1;
    for (int i = 0; i < nb; i++) {
        b->before[i] = b->planes + px * i;
        b->after[i] = b->planes + px * (nb + i);
    }
    b->valid_after = b->valid + px;
    b->mask = b->valid + 2 * px;
    b->scratch = b->valid + 3 * px;
    return 0;
}

int tb_scan_strip_rows(const tb_scan_ctx *ctx)
{
    /* Bytes per pixel of a strip: both dates' float planes, score, and five byte planes
     * (validity twice, mask, two scratch), plus the labels of the central rows. */
    const size_t per_px = (size_t)ctx->nbands * 2 * sizeof(float) + sizeof(float) + 5 +
                          sizeof(uint32_t) + tb_scan_evidence_px_bytes(ctx);
    size_t fit = TB_SCAN_STRIP_BUDGET / (per_px * (size_t)ctx->width);
    fit = fit > (size_t)(2 * ctx->halo) ? fit - (size_t)(2 * ctx->halo) : 0;
    int rows = ctx->cfg->strip_rows;
    if ((size_t)rows > fit)
        rows = (int)fit;
    if (rows < 16)
        rows = 16;
    return rows < ctx->height ? rows : ctx->height;
}

tb_status tb_scan_detect(tb_scan_ctx *ctx)
{
    const tb_config *cfg = ctx->cfg;
    tb_scan_result *res = ctx->res;
    const int w = ctx->width, h = ctx->height, nb = ctx->nbands;
    const int strip = ctx->strip_rows;
    const int halo = ctx->halo;
    const int ext_max = strip + 2 * halo;
    strip_buffers buf;
    tb_status st = TB_OK;

    if (alloc_buffers(&buf, w, ext_max, strip, nb) != 0) {
        free_buffers(&buf);
        return tb_error(TB_ERR_NOMEM, "out of memory for strips of %d x %d pixels", w, ext_max);
    }
    ctx->ccl = tb_ccl_create(w);
    if (!ctx->ccl) {
        free_buffers(&buf);
        return tb_error(TB_ERR_NOMEM, "out of memory for the component labeller");
    }
    st = tb_scan_evidence_begin(ctx, (size_t)w * ext_max);

    for (int y0 = 0; y0 < h && !st; y0 += strip) {
        const int rows = h - y0 < strip ? h - y0 : strip;
        const int e0 = y0 - halo < 0 ? 0 : y0 - halo;
        const int e1 = y0 + rows + halo > h ? h : y0 + rows + halo;
        const int erows = e1 - e0;
        const size_t epx = (size_t)w * erows;

        st = tb_raster_read_rows(ctx->before, e0, erows, res->bands, nb, buf.before, buf.valid);
        if (!st)
            st = tb_raster_read_rows(ctx->after, e0, erows, res->bands, nb, buf.after,
                                     buf.valid_after);
        if (st)
            break;
        for (size_t i = 0; i < epx; i++)
            buf.valid[i] &= buf.valid_after[i];

        tb_change_score((const float *const *)buf.before, (const float *const *)buf.after, nb,
                        res->fits, buf.valid, epx, buf.score);
        tb_scan_evidence_strip(ctx, (const float *const *)buf.before,
                               (const float *const *)buf.after, buf.valid, w, erows, buf.score);
        tb_threshold(buf.score, buf.valid, epx, (float)(res->threshold * cfg->hysteresis_low),
                     buf.mask);
        tb_open(buf.mask, w, erows, cfg->open_radius, buf.scratch);
        tb_close(buf.mask, w, erows, cfg->close_radius, buf.scratch);

        /* Central rows only; closing may reach into no-data: keep change inside data. */
        const size_t off = (size_t)(y0 - e0) * w, cpx = (size_t)w * rows;
        uint8_t *mask = buf.mask + off;
        const uint8_t *valid = buf.valid + off;
        uint64_t nvalid = 0, nchange = 0;
        for (size_t i = 0; i < cpx; i++) {
            mask[i] &= valid[i];
            nvalid += valid[i];
            nchange += mask[i];
        }
        res->valid_pixels += nvalid;
        res->change_pixels += nchange;
        if (tb_ccl_push(ctx->ccl, mask, buf.score + off, rows, buf.labels) != 0) {
            st = tb_error(TB_ERR_NOMEM, "out of memory labelling components (row %d)", y0);
            break;
        }
        for (size_t i = 0; i < cpx; i++)
            if (!valid[i])
                buf.labels[i] = UINT32_MAX;
        st = tb_scan_evidence_labels(ctx, buf.labels, off, y0, rows);
        if (!st)
            st = tb_raster_writer_write(ctx->provisional, y0, rows, buf.labels);
    }
    if (!st)
        tb_ccl_finish(ctx->ccl);
    free_buffers(&buf);
    return st;
}
