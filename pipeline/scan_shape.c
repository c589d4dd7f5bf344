/* scan_shape.c: pass 2b of a scan: the shape of every kept component and the shadow
 * around it, from the provisional labels and the evidence flags spilled in pass 2.
 *
 * Hull: each row run of a component adds the four corners of its end pixels; the hull
 * of those points is the hull of the component's pixel squares. A component's point
 * list is cut back to its hull whenever it doubles, so memory follows the hull, not the
 * area; once the strips have passed its last row its hull and rectangle are taken and
 * the points freed, so only the components a strip crosses hold points.
 *
 * Shadow ring: a component's structure pixels are its pixels that are shadow in
 * neither date. Its ring is the valid pixels within `r` pixels (Chebyshev distance) of
 * a structure pixel that are not structure pixels of any component; the pass counts
 * the ring pixels and those that are shadow in each date. The ring therefore includes
 * the component's own shadow when the mask took it in, and the ground beside the
 * structure when it did not: a new building's ring darkens, a demolished one's
 * brightens, whatever the colour of the roof. A ring pixel
 * counts for every component whose structure pixels are, in some row of its window, the
 * nearest on its left or on its right (a component hidden behind another within the
 * same row segment is missed). Strips are read with r rows of halo, so the result does
 * not depend on the strip height.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "scan_internal.h"
#include "tb_geometry.h"

#define MAX_NEAR 8   /* components a ring pixel can count for */

typedef struct hull_pts {
    tb_ipoint *p;
    uint32_t n, cap, hull;    /* points, capacity (0: not opened, or finished), points
                                 after the last cut */
} hull_pts;

/* Scratch shared by the hull steps: `tmp` for tb_convex_hull, `xy` for the rectangle. */
typedef struct hull_scratch {
    tb_ipoint *tmp;
    size_t tmp_cap;
    double *xy;
    size_t xy_cap;
} hull_scratch;

/* Cuts list h back to its hull. Returns 0, or -1 on no memory for the scratch. */
static int cut_to_hull(hull_pts *h, hull_scratch *sc)
{
    if (sc->tmp_cap < (size_t)h->n + 1) {
        tb_ipoint *t = realloc(sc->tmp, ((size_t)h->n + 1) * sizeof *t);
        if (!t)
            return -1;
        sc->tmp = t;
        sc->tmp_cap = (size_t)h->n + 1;
    }
    size_t k = tb_convex_hull(h->p, h->n, sc->tmp);
    memcpy(h->p, sc->tmp, k * sizeof *sc->tmp);
    h->n = h->hull = (uint32_t)k;
    return 0;
}

static int add_point(hull_pts *h, int32_t x, int32_t y, hull_scratch *sc)
{
    if (h->n == h->cap) {
        if (h->n >= 2 * h->hull + 64 && cut_to_hull(h, sc) != 0)
            return -1;
        if (h->n == h->cap) {
            uint32_t cap = h->cap ? 2 * h->cap : 16;
            tb_ipoint *p = realloc(h->p, (size_t)cap * sizeof *p);
            if (!p)
                return -1;
            h->p = p;
            h->cap = cap;
        }
    }
    h->p[h->n].x = x;
    h->p[h->n].y = y;
    h->n++;
    return 0;
}

/* Hull area and minimum rectangle of component `c` from its points, which are then
 * freed. Returns 0, or -1 on no memory. */
static int finish_hull(const tb_scan_ctx *ctx, uint32_t c, hull_pts *hc, tb_shape_meas *out,
                       hull_scratch *sc)
{
    if (cut_to_hull(hc, sc) != 0)
        return -1;
    out->hull_area_px = (double)tb_polygon_area2(hc->p, hc->n) / 2.0;
    const tb_component *comp = tb_ccl_component(ctx->ccl, c);
    double pw, ph;
    tb_ground_pixel(&ctx->ground, comp->sum_x / (double)comp->pixels,
                    comp->sum_y / (double)comp->pixels, &pw, &ph);
    if (sc->xy_cap < 2 * (size_t)hc->n) {
        double *t = realloc(sc->xy, 2 * (size_t)hc->n * sizeof *t);
        if (!t)
            return -1;
        sc->xy = t;
        sc->xy_cap = 2 * (size_t)hc->n;
    }
    for (uint32_t k = 0; k < hc->n; k++) {
        sc->xy[2 * k] = hc->p[k].x * pw;
        sc->xy[2 * k + 1] = hc->p[k].y * ph;
    }
    out->rect_area_m2 = tb_min_area_rect(sc->xy, hc->n, NULL);
    free(hc->p);
    hc->p = NULL;
    hc->n = hc->cap = hc->hull = 0;
    return 0;
}

/* Components whose hull is still open (they have points). */
typedef struct open_list {
    uint32_t *c;
    size_t n, cap;
} open_list;

static int open_add(open_list *o, uint32_t c)
{
    if (o->n == o->cap) {
        const size_t cap = o->cap ? 2 * o->cap : 1024;
        uint32_t *p = realloc(o->c, cap * sizeof *p);
        if (!p)
            return -1;
        o->c = p;
        o->cap = cap;
    }
    o->c[o->n++] = c;
    return 0;
}

/* Finishes the hulls of the open components whose last row is above row `below`,
 * keeping the others in order. Returns 0, or -1 on no memory. */
static int finish_above(const tb_scan_ctx *ctx, open_list *o, int below, hull_pts *hp,
                        tb_shape_meas *out, hull_scratch *sc)
{
    size_t keep = 0;
    for (size_t i = 0; i < o->n; i++) {
        const uint32_t c = o->c[i];
        if (tb_ccl_component(ctx->ccl, c)->max_y >= below)
            o->c[keep++] = c;
        else if (finish_hull(ctx, c, &hp[c], &out[c], sc) != 0)
            return -1;
    }
    o->n = keep;
    return 0;
}

/* Adds the corners of the end pixels of run [x0, x1] of row y to component c's points,
 * opening its hull at its first run. Returns 0, or -1 on no memory. */
static int add_run(hull_pts *hc, open_list *o, uint32_t c, int32_t x0, int32_t x1, int32_t y,
                   hull_scratch *sc)
{
    if (!hc->cap && open_add(o, c) != 0)
        return -1;
    if (add_point(hc, x0, y, sc) || add_point(hc, x0, y + 1, sc) ||
        add_point(hc, x1 + 1, y, sc) || add_point(hc, x1 + 1, y + 1, sc))
        return -1;
    return 0;
}

/* Rows [0, rows) of a strip: lab becomes the root of each kept component (0 for the
 * others, UINT32_MAX for no data kept), obj its structure pixels (not shadow in either
 * date). Rows are independent: split over the threads. */
static void relabel_rows(const tb_scan_ctx *ctx, const uint8_t *want, int w, int rows,
                         uint32_t *lab, const uint8_t *fl, uint32_t *obj)
{
#pragma omp parallel for schedule(static)
    for (int y = 0; y < rows; y++) {
        uint32_t last = 0, last_root = 0;
        for (size_t i = (size_t)y * w; i < (size_t)(y + 1) * w; i++) {
            const uint32_t l = lab[i];
            uint32_t root = 0;
            if (l != 0 && l != UINT32_MAX) {
                if (l != last) {
                    last = l;
                    last_root = tb_ccl_root(ctx->ccl, l);
                }
                root = want[last_root] ? last_root : 0;
            }
            lab[i] = l == UINT32_MAX ? UINT32_MAX : root;
            obj[i] = root && !(fl[i] & (TB_EV_DARK_AFTER | TB_EV_DARK_BEFORE)) ? root : 0;
        }
    }
}

/* Per row: the nearest structure pixel within r on the left and on the right, and
 * whether there is one at all (`nearby`). */
static void nearest_structures(int w, int rows, int r, const uint32_t *obj, uint32_t *left,
                               uint32_t *right, uint8_t *nearby)
{
#pragma omp parallel for schedule(static)
    for (int y = 0; y < rows; y++) {
        const size_t o = (size_t)y * w;
        int lx = -r - 1;
        uint32_t lr = 0;
        for (int x = 0; x < w; x++) {
            if (obj[o + x]) {
                lx = x;
                lr = obj[o + x];
            }
            left[o + x] = x - lx <= r ? lr : 0;
        }
        int rx = w + r + 1;
        uint32_t rr = 0;
        for (int x = w - 1; x >= 0; x--) {
            if (obj[o + x]) {
                rx = x;
                rr = obj[o + x];
            }
            right[o + x] = rx - x <= r ? rr : 0;
            nearby[o + x] = left[o + x] || right[o + x];
        }
    }
}

/* The strip as pass 2b holds it: erows rows of width w, with the nearest structures
 * of every row. */
typedef struct ring_strip {
    int w, erows, r;
    const uint32_t *lab, *obj, *left, *right;
    const uint8_t *fl, *nearby;
} ring_strip;

/* Counts the ring pixels of rows [ya, yb) for the components they border. `colsum`
 * (w entries, scratch) holds, at row y, the rows within r of y that have a structure
 * pixel within r of each column: pixels far from every structure are skipped.
 * Counts are integers added atomically: the totals do not depend on how the rows were
 * split. */
static void count_ring_rows(const ring_strip *s, int ya, int yb, uint32_t *colsum,
                            tb_shape_meas *out)
{
    const int w = s->w, r = s->r, erows = s->erows;
    memset(colsum, 0, (size_t)w * sizeof *colsum);
    const int wy0 = ya - r < 0 ? 0 : ya - r;
    for (int y = wy0; y < ya + r && y < erows; y++)
        for (int x = 0; x < w; x++)
            colsum[x] += s->nearby[(size_t)y * w + x];
    for (int y = ya; y < yb; y++) {
        if (y + r < erows)
            for (int x = 0; x < w; x++)
                colsum[x] += s->nearby[(size_t)(y + r) * w + x];
        const int wa = y - r < 0 ? 0 : y - r, wb = y + r < erows ? y + r : erows - 1;
        for (int x = 0; x < w; x++) {
            const size_t i = (size_t)y * w + x;
            if (!colsum[x] || s->obj[i] || s->lab[i] == UINT32_MAX)
                continue;
            uint32_t found[MAX_NEAR];
            int nf = 0;
            for (int yy = wa; yy <= wb; yy++) {
                const size_t j = (size_t)yy * w + x;
                const uint32_t cand[2] = {s->left[j], s->right[j]};
                for (int k = 0; k < 2; k++) {
                    if (!cand[k])
                        continue;
                    int seen = 0;
                    for (int q = 0; q < nf && !seen; q++)
                        seen = found[q] == cand[k];
                    if (!seen && nf < MAX_NEAR)
                        found[nf++] = cand[k];
                }
            }
            const uint64_t dark_after = (s->fl[i] & TB_EV_DARK_AFTER) != 0;
            const uint64_t dark_before = (s->fl[i] & TB_EV_DARK_BEFORE) != 0;
            for (int q = 0; q < nf; q++) {
                tb_shape_meas *m = &out[found[q]];
#pragma omp atomic
                m->ring++;
#pragma omp atomic
                m->ring_dark_after += dark_after;
#pragma omp atomic
                m->ring_dark_before += dark_before;
            }
        }
        if (y - r >= 0)
            for (int x = 0; x < w; x++)
                colsum[x] -= s->nearby[(size_t)(y - r) * w + x];
    }
}

/* The ring pixels of the central rows [c0, c0 + rows), split into one run of rows per
 * thread (each with its own column sums). */
static void count_ring(const ring_strip *s, int c0, int rows, uint32_t *colsums, int nthreads,
                       tb_shape_meas *out)
{
#pragma omp parallel num_threads(nthreads)
    {
        const int t = omp_get_thread_num(), nt = omp_get_num_threads();
        const int ya = c0 + (int)((long long)rows * t / nt);
        const int yb = c0 + (int)((long long)rows * (t + 1) / nt);
        if (ya < yb)
            count_ring_rows(s, ya, yb, colsums + (size_t)t * (size_t)s->w, out);
    }
}

tb_status tb_scan_shape(tb_scan_ctx *ctx, const uint8_t *want, int r, tb_shape_meas *out)
{
    const int w = ctx->width, h = ctx->height, strip = ctx->strip_rows;
    const uint32_t n = tb_ccl_label_count(ctx->ccl);
    const int ext = strip + 2 * r;
    const size_t epx = (size_t)w * ext;
    uint32_t *lab = malloc(epx * sizeof *lab), *obj = malloc(epx * sizeof *obj);
    uint32_t *left = malloc(epx * sizeof *left), *right = malloc(epx * sizeof *right);
    uint8_t *fl = malloc(epx), *nearby = malloc(epx);
    const int nthreads = omp_get_max_threads();
    uint32_t *colsum = malloc((size_t)w * (size_t)nthreads * sizeof *colsum);
    hull_pts *hp = calloc((size_t)n + 1, sizeof *hp);
    hull_scratch sc = {NULL, 0, NULL, 0};
    /* A hull is taken as soon as the strips have passed its component's last row, so
     * the points held are those of the components the current strip crosses, not those
     * of the whole scene (which set the peak of a 32768^2 scan). */
    open_list open = {NULL, 0, 0};
    tb_status st = TB_OK;
    if (!lab || !obj || !left || !right || !fl || !nearby || !colsum || !hp)
        st = tb_error(TB_ERR_NOMEM, "out of memory for the shape pass (%d x %d strips)", w, ext);
    memset(out, 0, ((size_t)n + 1) * sizeof *out);

    for (int y0 = 0; y0 < h && !st; y0 += strip) {
        const int rows = h - y0 < strip ? h - y0 : strip;
        const int e0 = y0 - r < 0 ? 0 : y0 - r;
        const int e1 = y0 + rows + r > h ? h : y0 + rows + r;
        const int erows = e1 - e0, c0 = y0 - e0;
        st = tb_raster_writer_read(ctx->provisional, e0, erows, lab);
        if (!st)
            st = tb_raster_writer_read(ctx->ev.flags_out, e0, erows, fl);
        if (st)
            break;
        relabel_rows(ctx, want, w, erows, lab, fl, obj);
        /* Hull points of the central rows: the corners of each run's end pixels. */
        for (int y = c0; y < c0 + rows && !st; y++) {
            const uint32_t *row = lab + (size_t)y * w;
            for (int x = 0; x < w && !st;) {
                const uint32_t c = row[x];
                int x1 = x;
                while (x1 + 1 < w && row[x1 + 1] == c)
                    x1++;
                if (c && c != UINT32_MAX && add_run(&hp[c], &open, c, x, x1, e0 + y, &sc) != 0)
                    st = tb_error(TB_ERR_NOMEM, "out of memory for component outlines");
                x = x1 + 1;
            }
        }
        /* The last strip (y0 + rows = h) finishes every hull still open. */
        if (!st && finish_above(ctx, &open, y0 + rows, hp, out, &sc) != 0)
            st = tb_error(TB_ERR_NOMEM, "out of memory for component outlines");
        if (st)
            break;
        nearest_structures(w, erows, r, obj, left, right, nearby);
        const ring_strip rs = {w, erows, r, lab, obj, left, right, fl, nearby};
        count_ring(&rs, c0, rows, colsum, nthreads, out);
    }
    for (size_t i = 0; i < open.n; i++)   /* left open by an error */
        free(hp[open.c[i]].p);
    free(hp);
    free(sc.tmp);
    free(sc.xy);
    free(open.c);
    free(lab);
    free(obj);
    free(left);
    free(right);
    free(fl);
    free(nearby);
    free(colsum);
    return st;
}
