/* components.c: streaming 8-connected component labelling with statistics.
 *
 * Rows arrive in order, any number at a time (a strip); the labeller keeps only the
 * previous row's labels, a union-find parent table and one statistics record per
 * provisional label. Both tables grow with the number of provisional labels, never
 * with the raster height (the pattern of GDAL's polygon enumerator). Union by the
 * smaller label makes every root the first label of its component in raster order,
 * so final numbering is independent of how rows were split into strips.
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "tb_kernels.h"

struct tb_ccl {
    int width;
    int64_t next_row;        /* image row of the next pushed row */
    uint32_t *prev;          /* labels of the previous row (width + 2, zero-padded) */
    uint32_t *parent;        /* parent[label]; parent[0] unused */
    tb_component *stats;     /* per provisional label, merged into roots at finish */
    uint32_t count;          /* labels issued */
    uint32_t capacity;
    int finished;
};

tb_ccl *tb_ccl_create(int width)
{
    tb_ccl *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->width = width;
    c->prev = calloc((size_t)width + 2, sizeof *c->prev);
    c->capacity = 1024;
    c->parent = malloc(c->capacity * sizeof *c->parent);
    c->stats = malloc(c->capacity * sizeof *c->stats);
    if (!c->prev || !c->parent || !c->stats) {
        tb_ccl_destroy(c);
        return NULL;
    }
    return c;
}

void tb_ccl_destroy(tb_ccl *c)
{
    if (!c)
        return;
    free(c->prev);
    free(c->parent);
    free(c->stats);
    free(c);
}

static uint32_t find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];   /* path halving */
        x = parent[x];
    }
    return x;
}

static void unite(uint32_t *parent, uint32_t a, uint32_t b)
{
    a = find(parent, a);
    b = find(parent, b);
    if (a < b)
        parent[b] = a;
    else if (b < a)
        parent[a] = b;
}

static uint32_t new_label(tb_ccl *c, int64_t x, int64_t y)
{
    if (c->count + 1 >= c->capacity) {
        if (c->capacity > UINT32_MAX / 2)
            return 0;
        uint32_t cap = c->capacity * 2;
        uint32_t *p = realloc(c->parent, (size_t)cap * sizeof *p);
        if (!p)
            return 0;
        c->parent = p;
        tb_component *s = realloc(c->stats, (size_t)cap * sizeof *s);
        if (!s)
            return 0;
        c->stats = s;
        c->capacity = cap;
    }
    uint32_t l = ++c->count;
    c->parent[l] = l;
    tb_component *st = &c->stats[l];
    memset(st, 0, sizeof *st);
    st->max_score = -FLT_MAX;
    st->min_x = st->max_x = x;
    st->min_y = st->max_y = y;
    return l;
}

int tb_ccl_push(tb_ccl *c, const uint8_t *mask, const float *score, int rows, uint32_t *labels)
{
    const int w = c->width;
    for (int r = 0; r < rows; r++) {
        const int64_t y = c->next_row++;
        const uint8_t *m = mask + (size_t)r * w;
        uint32_t *lab = labels + (size_t)r * w;
        const uint32_t *up = c->prev + 1;   /* up[-1] and up[w] are always 0 */
        for (int x = 0; x < w; x++) {
            if (!m[x]) {
                lab[x] = 0;
                if (up[x])
                    c->stats[up[x]].edges_h++;   /* bottom edge of the pixel above */
                continue;
            }
            uint32_t l = x > 0 ? lab[x - 1] : 0;
            const uint32_t nb[3] = {up[x - 1], up[x], up[x + 1]};
            for (int k = 0; k < 3; k++) {
                if (!nb[k])
                    continue;
                if (!l)
                    l = nb[k];
                else if (nb[k] != l)
                    unite(c->parent, l, nb[k]);
            }
            if (!l && !(l = new_label(c, x, y)))
                return -1;
            lab[x] = l;
            tb_component *st = &c->stats[l];
            float s = score ? score[(size_t)r * w + x] : 0.0f;
            st->pixels++;
            st->sum_score += s;
            if (s > st->max_score)
                st->max_score = s;
            st->sum_x += x + 0.5;
            st->sum_y += (double)y + 0.5;
            if (x < st->min_x) st->min_x = x;
            if (x > st->max_x) st->max_x = x;
            if (y < st->min_y) st->min_y = y;
            if (y > st->max_y) st->max_y = y;
            if (!up[x])
                st->edges_h++;                   /* top edge */
            if (x == 0 || !m[x - 1])
                st->edges_v++;                   /* left edge */
            if (x == w - 1 || !m[x + 1])
                st->edges_v++;                   /* right edge */
        }
        memcpy(c->prev + 1, lab, (size_t)w * sizeof *lab);
    }
    return 0;
}

void tb_ccl_finish(tb_ccl *c)
{
    if (c->finished)
        return;
    c->finished = 1;
    const uint32_t *up = c->prev + 1;
    for (int x = 0; x < c->width; x++)
        if (up[x])
            c->stats[up[x]].edges_h++;           /* bottom edge of the last row */
    /* Roots are smaller than their members: merging in increasing label order sees
     * every root before its members, and leaves each parent pointing at its root. */
    for (uint32_t l = 1; l <= c->count; l++) {
        uint32_t root = find(c->parent, l);
        c->parent[l] = root;
        if (root == l)
            continue;
        tb_component *d = &c->stats[root];
        const tb_component *s = &c->stats[l];
        d->pixels += s->pixels;
        d->sum_score += s->sum_score;
        if (s->max_score > d->max_score) d->max_score = s->max_score;
        d->sum_x += s->sum_x;
        d->sum_y += s->sum_y;
        if (s->min_x < d->min_x) d->min_x = s->min_x;
        if (s->max_x > d->max_x) d->max_x = s->max_x;
        if (s->min_y < d->min_y) d->min_y = s->min_y;
        if (s->max_y > d->max_y) d->max_y = s->max_y;
        d->edges_h += s->edges_h;
        d->edges_v += s->edges_v;
    }
}

uint32_t tb_ccl_label_count(const tb_ccl *c) { return c->count; }

uint32_t tb_ccl_root(const tb_ccl *c, uint32_t label)
{
    return label && label <= c->count ? c->parent[label] : 0;
}

const tb_component *tb_ccl_component(const tb_ccl *c, uint32_t root)
{
    return root && root <= c->count ? &c->stats[root] : NULL;
}
