/* scan_sample.c: pass 1 of a scan: a regular-grid sample of both dates gives the
 * radiometric normalisation and the threshold.
 *
 * The sample takes every k-th pixel of 1/k of the rows, with k chosen so the sample
 * holds at most [detect] sample_pixels pixels (a million by default): statistics of a
 * million pixels spread over the whole scene are as good as those of all of them.
 * The rows come in whole rows of blocks (tiles or strips), evenly spread: reading
 * every k-th row of a tiled file would decode every tile, reading whole block rows
 * decodes only 1/k of them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scan_internal.h"

#define SCORE_BINS 65536
#define SPAN_BYTES ((size_t)16 << 20)   /* both dates' float rows of one read */

/* Chooses about h / k rows in whole blocks of `bh` rows, evenly spread over the
 * height; writes them in increasing order to `rows` and returns their count. */
static int sample_rows(int h, int k, int bh, int *rows)
{
    int n = 0;
    if (k == 1 || bh <= 1 || bh >= h) {
        for (int y = k / 2; y < h; y += k)
            rows[n++] = y;
        return n;
    }
    const int nblocks = (h + bh - 1) / bh;
    const int want = (h + k - 1) / k;                  /* rows in all */
    int m = (want + bh - 1) / bh;                      /* block rows to visit */
    if (m > nblocks)
        m = nblocks;
    const int step = (m * bh + want - 1) / want;       /* rows within a block */
    for (int j = 0; j < m; j++) {
        const int b = (int)(((long long)(2 * j + 1) * nblocks) / (2 * m));
        const int y0 = b * bh, y1 = y0 + bh < h ? y0 + bh : h;
        for (int y = y0 + step / 2; y < y1; y += step)
            rows[n++] = y;
    }
    return n;
}

tb_status tb_scan_sample(tb_scan_ctx *ctx)
{
    tb_scan_result *res = ctx->res;
    const tb_config *cfg = ctx->cfg;
    const int w = ctx->width, h = ctx->height, nb = ctx->nbands;
    const double cap = cfg->sample_pixels > 0 ? (double)cfg->sample_pixels : 1e6;
    int k = (int)ceil(sqrt((double)w * (double)h / cap));
    if (k < 1)
        k = 1;
    const int nx = (w - k / 2 + k - 1) / k;
    int *rows = malloc(sizeof(int) * (size_t)h);
    if (!rows)
        return tb_error(TB_ERR_NOMEM, "out of memory for the sample rows");
    const int ny = sample_rows(h, k, tb_raster_block_height(ctx->after), rows);
    const size_t n = (size_t)nx * ny;
    res->sample_stride = k;

    /* Rows are read in spans of up to `span` rows, one call per span: a call per row
     * costs a parallel region per row, which on a loaded machine (threads descheduled
     * at every barrier) made this pass many times slower. */
    int span = (int)(SPAN_BYTES / ((size_t)w * nb * 2 * sizeof(float)));
    span = span < 1 ? 1 : span;
    tb_status st = TB_OK;
    float *block = malloc(n * (size_t)nb * 2 * sizeof(float) +
                          (size_t)w * span * nb * 2 * sizeof(float));
    uint8_t *valid = malloc(n + 2 * (size_t)w * span);
    float *score = malloc(n * sizeof *score);
    uint64_t *bins = malloc(SCORE_BINS * sizeof *bins);
    if (!block || !valid || !score || !bins) {
        st = tb_error(TB_ERR_NOMEM, "out of memory for a %zu-pixel sample", n);
        goto done;
    }
    float *sb[TB_SCAN_MAX_BANDS], *sa[TB_SCAN_MAX_BANDS], *rb[TB_SCAN_MAX_BANDS], *ra[TB_SCAN_MAX_BANDS];
    const size_t span_px = (size_t)w * span;
    for (int b = 0; b < nb; b++) {
        sb[b] = block + n * (size_t)b;
        sa[b] = block + n * (size_t)(nb + b);
        rb[b] = block + n * (size_t)nb * 2 + span_px * b;
        ra[b] = block + n * (size_t)nb * 2 + span_px * (nb + b);
    }
    uint8_t *vb = valid + n, *va = valid + n + span_px;

    for (int j = 0; j < ny && !st;) {
        /* Sample rows j .. j1 - 1 lie within `span` rows from rows[j]. */
        const int y0 = rows[j];
        int j1 = j + 1;
        while (j1 < ny && rows[j1] - y0 < span)
            j1++;
        const int nrows = rows[j1 - 1] - y0 + 1;
        st = tb_raster_read_rows(ctx->before, y0, nrows, res->bands, nb, rb, vb);
        if (!st)
            st = tb_raster_read_rows(ctx->after, y0, nrows, res->bands, nb, ra, va);
        for (; j < j1 && !st; j++) {
            const size_t row = (size_t)(rows[j] - y0) * w;
            for (int i = 0; i < nx; i++) {
                const size_t x = row + (size_t)(k / 2 + i * k);
                const size_t s = (size_t)j * nx + i;
                valid[s] = vb[x] && va[x];
                for (int b = 0; b < nb; b++) {
                    sb[b][s] = rb[b][x];
                    sa[b][s] = ra[b][x];
                }
            }
        }
    }
    if (st)
        goto done;

    uint64_t nvalid = 0;
    for (size_t s = 0; s < n; s++)
        nvalid += valid[s];
    res->sample_pixels = nvalid;
    if (nvalid == 0) {
        st = tb_error(TB_ERR_NODATA, "%s and %s: no pixel is valid in both dates (all no data)",
                      tb_raster_path(ctx->before), tb_raster_path(ctx->after));
        goto done;
    }

    if (cfg->normalise) {
        tb_normalise_fit((const float *const *)sb, (const float *const *)sa, nb, valid, n, 2,
                         0.75, res->fits, score);
    } else {
        /* Identity mapping; the scale is still the spread of the raw difference. */
        tb_normalise_fit((const float *const *)sb, (const float *const *)sa, nb, valid, n, 0,
                         1.0, res->fits, score);
        for (int b = 0; b < nb; b++) {
            double s1 = 0, s2 = 0, c = 0;
            for (size_t s = 0; s < n; s++) {
                if (!valid[s])
                    continue;
                double d = (double)sa[b][s] - sb[b][s];
                s1 += d;
                s2 += d * d;
                c += 1;
            }
            double var = c > 1 ? s2 / c - (s1 / c) * (s1 / c) : 0;
            res->fits[b].gain = 1.0;
            res->fits[b].offset = 0.0;
            res->fits[b].scale = var > 1e-6 ? sqrt(var) : 1e-3;
        }
    }

    tb_scan_evidence_fit(ctx, (const float *const *)sb, (const float *const *)sa, valid, n);
    tb_change_score((const float *const *)sb, (const float *const *)sa, nb, res->fits, valid, n,
                    score);
    double max = 0;
    for (size_t s = 0; s < n; s++)
        if (valid[s] && score[s] > max)
            max = score[s];
    if (!(max > 0))
        max = 1.0;
    /* Otsu on log(1 + score): the score of unchanged pixels is a narrow mode near 1
     * and change a long tail; on a linear axis Otsu splits the tail itself. */
    float *logs = malloc(n * sizeof *logs);
    if (!logs) {
        st = tb_error(TB_ERR_NOMEM, "out of memory for a %zu-pixel sample", n);
        goto done;
    }
    for (size_t s = 0; s < n; s++)
        logs[s] = log1pf(score[s]);
    const double lmax = log1p(max);
    memset(bins, 0, SCORE_BINS * sizeof *bins);
    tb_histogram_add(logs, valid, n, 0.0, lmax, bins, SCORE_BINS);
    res->otsu = expm1(tb_otsu(bins, SCORE_BINS, 0.0, lmax));
    free(logs);
    res->floor = cfg->threshold_floor;
    res->threshold_auto = cfg->threshold_auto;
    if (cfg->threshold_auto)
        res->threshold = res->otsu > res->floor ? res->otsu : res->floor;
    else
        res->threshold = cfg->threshold;

done:
    free(rows);
    free(block);
    free(valid);
    free(score);
    free(bins);
    return st;
}
