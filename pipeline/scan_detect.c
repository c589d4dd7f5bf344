/* scan_detect.c: pass 2 of a scan: strips -> change score -> mask -> opening and
 * closing -> streaming connected components.
 *
 * Each strip of [scan] strip_rows rows is read with `halo` extra rows above and below
 * (the summed reach of the opening and closing), so the morphology of its central
 * rows equals that of the whole image; only central rows go on to the labeller.
 * Provisional labels are spilled to a compressed scratch raster for pass 3. With more
 * than one thread the next strip is read while this one is computed
 * (scan_prefetch.h).
 */
#include <stdlib.h>
#include <string.h>

#include "scan_internal.h"
#include "scan_prefetch.h"

/* One strip of both dates as read: float planes and validity (valid where both
 * dates are, once the strip is read). Two of them: the reader fills one while the
 * pass computes the other. */
typedef struct input_slot {
    float *planes;                 /* 2 * nbands planes of width * ext rows */
    float *before[TB_SCAN_MAX_BANDS], *after[TB_SCAN_MAX_BANDS];
    uint8_t *valid, *valid_after;
} input_slot;

typedef struct strip_buffers {
    input_slot in[2];              /* in[1] is in[0] when strips are read in line */
    int nslots;                    /* slots allocated */
    uint8_t *bytes, *mask, *scratch;
    float *score;
    uint32_t *labels;
} strip_buffers;

static void free_buffers(strip_buffers *b)
{
    for (int k = 0; k < b->nslots; k++) {
        free(b->in[k].planes);
        free(b->in[k].valid);
    }
    free(b->bytes);
    free(b->score);
    free(b->labels);
}

static int alloc_buffers(strip_buffers *b, int width, int ext_rows, int strip_rows, int nb,
                         int nslots)
{
    const size_t px = (size_t)width * ext_rows;
    memset(b, 0, sizeof *b);
    b->nslots = nslots;
    for (int k = 0; k < nslots; k++) {
        input_slot *in = &b->in[k];
        in->planes = malloc(px * 2 * nb * sizeof(float));
        in->valid = malloc(px * 2);
        if (!in->planes || !in->valid)
            return -1;
        for (int i = 0; i < nb; i++) {
            in->before[i] = in->planes + px * i;
            in->after[i] = in->planes + px * (nb + i);
        }
        in->valid_after = in->valid + px;
    }
    if (nslots == 1)
        b->in[1] = b->in[0];
    b->bytes = malloc(px * 3);     /* mask, scratch (2 planes) */
    b->score = malloc(px * sizeof(float));
    b->labels = malloc((size_t)width * strip_rows * sizeof(uint32_t));
    if (!b->bytes || !b->score || !b->labels)
        return -1;
    b->mask = b->bytes;
    b->scratch = b->bytes + px;
    return 0;
}

/* Rows [e0, e1) a strip reads: its own and a halo above and below. */
static void strip_extent(const tb_scan_ctx *ctx, int strip, int *y0, int *rows, int *e0, int *e1)
{
    const int h = ctx->height, sr = ctx->strip_rows, halo = ctx->halo;
    *y0 = strip * sr;
    *rows = h - *y0 < sr ? h - *y0 : sr;
    *e0 = *y0 - halo < 0 ? 0 : *y0 - halo;
    *e1 = *y0 + *rows + halo > h ? h : *y0 + *rows + halo;
}

typedef struct strip_reader {
    tb_scan_ctx *ctx;
    strip_buffers *buf;
} strip_reader;

/* tb_prefetch_read_fn: both dates of a strip into a slot. */
static tb_status read_strip(void *arg, int strip, int slot)
{
    strip_reader *r = arg;
    tb_scan_ctx *ctx = r->ctx;
    input_slot *in = &r->buf->in[slot];
    const int nb = ctx->nbands;
    int y0, rows, e0, e1;
    strip_extent(ctx, strip, &y0, &rows, &e0, &e1);
    tb_status st = tb_raster_read_rows(ctx->before, e0, e1 - e0, ctx->res->bands, nb, in->before,
                                       in->valid);
    if (!st)
        st = tb_raster_read_rows(ctx->after, e0, e1 - e0, ctx->res->bands, nb, in->after,
                                 in->valid_after);
    if (st)
        return st;
    const size_t epx = (size_t)ctx->width * (e1 - e0);
    for (size_t i = 0; i < epx; i++)
        in->valid[i] &= in->valid_after[i];
    return TB_OK;
}

/* Central rows of strips whose buffers, with `slots` input slots, fit the budget. */
static size_t fit_rows(const tb_scan_ctx *ctx, size_t slots)
{
    /* Bytes per pixel of a strip: both dates' float planes and two validity planes per
     * input slot, score, three byte planes (mask, two scratch), plus the labels of the
     * central rows. */
    const size_t per_px = slots * ((size_t)ctx->nbands * 2 * sizeof(float) + 2) +
                          sizeof(float) + 3 + sizeof(uint32_t) + tb_scan_evidence_px_bytes(ctx);
    size_t fit = TB_SCAN_STRIP_BUDGET / (per_px * (size_t)ctx->width);
    return fit > (size_t)(2 * ctx->halo) ? fit - (size_t)(2 * ctx->halo) : 0;
}

/* Strips are read ahead on a thread of their own when the scan has more than one and
 * a second input slot still leaves strips of 16 rows within the budget (up to about
 * 24 000 pixels wide with 4 bands); wider scenes read in line rather than exceed it. */
static int reads_ahead(const tb_scan_ctx *ctx)
{
    return ctx->res->threads > 1 && fit_rows(ctx, 2) >= 16;
}

int tb_scan_strip_rows(const tb_scan_ctx *ctx)
{
    const size_t fit = fit_rows(ctx, reads_ahead(ctx) ? 2 : 1);
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
    const int ext_max = strip + 2 * ctx->halo;
    const int nstrips = (h + strip - 1) / strip;
    strip_buffers buf;
    tb_prefetch *reader = NULL;
    tb_status st = TB_OK;

    if (alloc_buffers(&buf, w, ext_max, strip, nb, reads_ahead(ctx) ? 2 : 1) != 0) {
        free_buffers(&buf);
        return tb_error(TB_ERR_NOMEM, "out of memory for strips of %d x %d pixels", w, ext_max);
    }
    /* Complete components wait in a scratch file (unlinked at once where the system
     * allows) until tb_ccl_finish: the records of a big scene's hundreds of thousands
     * of components would otherwise sit beside the strip buffers. */
    ctx->ccl = tb_ccl_create_with(w, sizeof(tb_evidence_sums), tb_scan_evidence_merge);
    FILE *spill = ctx->ccl ? fopen(ctx->components_path, "w+b") : NULL;
    if (spill)
        remove(ctx->components_path);
    if (!ctx->ccl || !spill || tb_ccl_spill(ctx->ccl, spill) != 0) {
        if (spill)
            fclose(spill);
        free_buffers(&buf);
        return ctx->ccl ? tb_error(TB_ERR_OUTPUT, "%s: cannot create", ctx->components_path)
                        : tb_error(TB_ERR_NOMEM, "out of memory for the component labeller");
    }
    st = tb_scan_evidence_begin(ctx, (size_t)w * ext_max);
    strip_reader rd = {ctx, &buf};
    if (!st)
        st = tb_prefetch_start(nstrips, reads_ahead(ctx), read_strip, &rd, &reader);

    for (int s = 0; s < nstrips && !st; s++) {
        int y0, rows, e0, e1;
        strip_extent(ctx, s, &y0, &rows, &e0, &e1);
        const int erows = e1 - e0;
        const size_t epx = (size_t)w * erows;
        const double t_wait = tb_scan_now();
        st = tb_prefetch_wait(reader, s);
        res->t_detect_input += tb_scan_now() - t_wait;
        if (st)
            break;
        const input_slot *in = &buf.in[s & 1];

        tb_change_score((const float *const *)in->before, (const float *const *)in->after, nb,
                        res->fits, in->valid, epx, buf.score);
        tb_scan_evidence_strip(ctx, (const float *const *)in->before,
                               (const float *const *)in->after, in->valid, w, erows, buf.score);
        tb_threshold(buf.score, in->valid, epx, (float)(res->threshold * cfg->hysteresis_low),
                     buf.mask);
        tb_open(buf.mask, w, erows, cfg->open_radius, buf.scratch);
        tb_close(buf.mask, w, erows, cfg->close_radius, buf.scratch);

        /* Central rows only; closing may reach into no-data: keep change inside data. */
        const size_t off = (size_t)(y0 - e0) * w, cpx = (size_t)w * rows;
        uint8_t *mask = buf.mask + off;
        const uint8_t *valid = in->valid + off;
        uint64_t nvalid = 0, nchange = 0;
        for (size_t i = 0; i < cpx; i++) {
            mask[i] &= valid[i];
            nvalid += valid[i];
            nchange += mask[i];
        }
        res->valid_pixels += nvalid;
        res->change_pixels += nchange;
        const int pushed = tb_ccl_push(ctx->ccl, mask, buf.score + off, rows, buf.labels);
        if (pushed != 0) {
            st = pushed == -2 ? tb_error(TB_ERR_OUTPUT, "%s: cannot write (row %d)",
                                         ctx->components_path, y0)
                              : tb_error(TB_ERR_NOMEM, "out of memory labelling components "
                                         "(row %d)", y0);
            break;
        }
        for (size_t i = 0; i < cpx; i++)
            if (!valid[i])
                buf.labels[i] = UINT32_MAX;
        /* The evidence of labelled pixels reads the input planes: release after it. */
        st = tb_scan_evidence_labels(ctx, buf.labels, off, y0, rows);
        tb_prefetch_release(reader, s);
        if (!st)
            st = tb_raster_writer_write(ctx->provisional, y0, rows, buf.labels);
    }
    tb_prefetch_finish(reader);
    free_buffers(&buf);   /* before the complete components come back */
    const int fin = st ? 0 : tb_ccl_finish(ctx->ccl);
    if (fin)
        st = fin == -2 ? tb_error(TB_ERR_OUTPUT, "%s: cannot read back", ctx->components_path)
                       : tb_error(TB_ERR_NOMEM, "out of memory for the complete components");
    return st;
}
