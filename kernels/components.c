/* components.c: streaming 8-connected component labelling with statistics.
 *
 * Rows arrive in order, any number at a time (a strip); the labeller keeps only the
 * previous row's labels, a union-find parent table and one statistics record per
 * provisional label. Both tables grow with the number of provisional labels, never
 * with the raster height (the pattern of GDAL's polygon enumerator). Union by the
 * smaller label makes every root the first label of its component in raster order,
 * so final numbering is independent of how rows were split into strips.
 *
 * A pixel takes its left neighbour's label, else the first labelled of the three
 * above; only a pixel with none of these four set issues a new label. Whether a pixel
 * issues depends on the mask alone, so the provisional labels (numbered in raster
 * order of the issuing pixels) can be found for blocks of rows in parallel:
 *   1. each block labels its rows on its own tables (OpenMP over blocks). The row
 *      above the block is not known yet: each of its runs of set pixels (a run shares
 *      one label) stands in as a proxy entry, collecting the statistics and unions
 *      that belong to it;
 *   2. in block order, each block's issued labels get their global numbers (the
 *      count so far plus their rank), its proxies the labels found in the row above
 *      (the previous block's, now numbered), and its statistics and unions go to the
 *      global tables;
 *   3. labels are rewritten to global numbers (OpenMP over blocks).
 * The blocks of a push depend on its row count only, never on the thread count, so
 * labels and statistics are the same bit for bit at any thread count; they are those
 * of a plain row-by-row scan, except that a label's score sum is added up per block
 * (the order of floating-point additions differs in the last bits).
 */
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tb_kernels.h"

/* Blocks per push at most, and rows per block at least. */
#define MAX_BLOCKS 8
#define MIN_BLOCK_ROWS 4

/* One block of rows of the current push, with its own tables. Entries 1..nruns are
 * the runs of the row above the block, nruns + 1 .. nruns + nlocal its own labels. */
typedef struct block {
    _Alignas(64) int r0, rows;   /* rows of the push; blocks on their own cache lines */
    uint32_t nruns, nlocal, capacity;
    uint32_t *parent;        /* local union-find over entries */
    tb_component *stats;
    uint32_t *head;          /* per run: x of its first pixel in the row above */
    uint32_t *up;            /* the row above as entries, width + 2, zero-padded */
    uint32_t *map;           /* entry -> global label (step 2) */
    int failed;
} block;

struct tb_ccl {
    int width;
    int64_t next_row;        /* image row of the next pushed row */
    uint32_t *prev;          /* labels of the previous row (width + 2, zero-padded) */
    uint32_t *parent;        /* parent[label]; parent[0] unused */
    tb_component *stats;     /* per provisional label, merged into roots at finish */
    uint32_t count;          /* labels issued */
    uint32_t capacity;
    int finished;
    block blocks[MAX_BLOCKS];
};

static void free_block(block *b)
{
    free(b->parent);
    free(b->stats);
    free(b->head);
    free(b->up);
    free(b->map);
    memset(b, 0, sizeof *b);
}

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
    for (int k = 0; k < MAX_BLOCKS; k++)
        free_block(&c->blocks[k]);
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

static void merge_stats(tb_component *d, const tb_component *s)
{
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

/* Room for `n` entries (index 0 unused) in a block's tables. */
static int block_reserve(block *b, uint32_t n)
{
    if (n < b->capacity)
        return 0;
    if (n > UINT32_MAX / 2)
        return -1;
    uint32_t cap = b->capacity ? b->capacity : 256;
    while (cap <= n)
        cap *= 2;
    uint32_t *p = realloc(b->parent, (size_t)cap * sizeof *p);
    if (!p)
        return -1;
    b->parent = p;
    tb_component *s = realloc(b->stats, (size_t)cap * sizeof *s);
    if (!s)
        return -1;
    b->stats = s;
    uint32_t *m = realloc(b->map, (size_t)cap * sizeof *m);
    if (!m)
        return -1;
    b->map = m;
    b->capacity = cap;
    return 0;
}

/* The runs of the row above the block (`above(x)` set) become entries 1..nruns. */
static int block_begin(block *b, int w, const uint32_t *above_labels, const uint8_t *above_mask)
{
    if (!b->up) {
        b->up = calloc((size_t)w + 2, sizeof *b->up);
        b->head = malloc(((size_t)w / 2 + 2) * sizeof *b->head);
        if (!b->up || !b->head)
            return -1;
    }
    uint32_t *up = b->up + 1;
    uint32_t n = 0;
    for (int x = 0; x < w; x++) {
        const int set = above_labels ? above_labels[x] != 0 : above_mask[x] != 0;
        if (!set) {
            up[x] = 0;
            continue;
        }
        if (x == 0 || !up[x - 1])
            b->head[++n] = (uint32_t)x;
        up[x] = n;
    }
    b->nruns = n;
    b->nlocal = 0;
    if (block_reserve(b, n + 1) != 0)
        return -1;
    for (uint32_t r = 1; r <= n; r++) {
        b->parent[r] = r;
        tb_component *st = &b->stats[r];
        memset(st, 0, sizeof *st);
        st->max_score = -FLT_MAX;
        st->min_x = st->min_y = INT32_MAX;
        st->max_x = st->max_y = INT32_MIN;
    }
    return 0;
}

static uint32_t new_entry(block *b, int32_t x, int32_t y)
{
    const uint32_t e = b->nruns + b->nlocal + 1;
    if (block_reserve(b, e) != 0)
        return 0;
    b->nlocal++;
    b->parent[e] = e;
    tb_component *st = &b->stats[e];
    memset(st, 0, sizeof *st);
    st->max_score = -FLT_MAX;
    st->min_x = st->max_x = x;
    st->min_y = st->max_y = y;
    return e;
}

/* Step 1: the block's rows on its own tables; labels hold entries. */
static int label_block(block *b, int w, const uint8_t *mask, const float *score, int64_t y0,
                       uint32_t *labels)
{
    for (int r = b->r0; r < b->r0 + b->rows; r++) {
        const int32_t y = (int32_t)(y0 + r);
        const uint8_t *m = mask + (size_t)r * w;
        uint32_t *lab = labels + (size_t)r * w;
        const uint32_t *up = b->up + 1;   /* up[-1] and up[w] are always 0 */
        for (int x = 0; x < w; x++) {
            if (!m[x]) {
                lab[x] = 0;
                if (up[x])
                    b->stats[up[x]].edges_h++;   /* bottom edge of the pixel above */
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
                    unite(b->parent, l, nb[k]);
            }
            if (!l && !(l = new_entry(b, x, y)))
                return -1;
            lab[x] = l;
            tb_component *st = &b->stats[l];
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
        memcpy(b->up + 1, lab, (size_t)w * sizeof *lab);
    }
    return 0;
}

/* Room for `n` global labels (index 0 unused). */
static int reserve(tb_ccl *c, uint64_t n)
{
    if (n < c->capacity)
        return 0;
    if (n >= UINT32_MAX)
        return -1;
    uint64_t cap = c->capacity;
    while (cap <= n)
        cap *= 2;
    if (cap > UINT32_MAX)
        cap = UINT32_MAX;
    uint32_t *p = realloc(c->parent, (size_t)cap * sizeof *p);
    if (!p)
        return -1;
    c->parent = p;
    tb_component *s = realloc(c->stats, (size_t)cap * sizeof *s);
    if (!s)
        return -1;
    c->stats = s;
    c->capacity = (uint32_t)cap;
    return 0;
}

/* Step 2 for block b: global labels for its entries, its statistics and unions into
 * the global tables. `above` maps the row above's entries (the previous block's) or
 * is NULL when the row above is c->prev (global labels already). */
static int number_block(tb_ccl *c, block *b, const block *above, const uint32_t *above_row)
{
    if (reserve(c, (uint64_t)c->count + b->nlocal + 1) != 0)
        return -1;
    for (uint32_t r = 1; r <= b->nruns; r++) {
        const uint32_t x = b->head[r];
        b->map[r] = above ? above->map[above_row[x]] : c->prev[1 + x];
    }
    for (uint32_t i = 1; i <= b->nlocal; i++) {
        const uint32_t g = c->count + i, e = b->nruns + i;
        b->map[e] = g;
        c->parent[g] = g;
        c->stats[g] = b->stats[e];
    }
    c->count += b->nlocal;
    for (uint32_t r = 1; r <= b->nruns; r++)
        merge_stats(&c->stats[b->map[r]], &b->stats[r]);
    const uint32_t n = b->nruns + b->nlocal;
    for (uint32_t e = 1; e <= n; e++) {
        const uint32_t root = find(b->parent, e);
        if (root != e)
            unite(c->parent, b->map[e], b->map[root]);
    }
    return 0;
}

int tb_ccl_push(tb_ccl *c, const uint8_t *mask, const float *score, int rows, uint32_t *labels)
{
    const int w = c->width;
    if (rows <= 0)
        return 0;
    int per = (rows + MAX_BLOCKS - 1) / MAX_BLOCKS;
    per = per < MIN_BLOCK_ROWS ? MIN_BLOCK_ROWS : per;
    const int nblocks = (rows + per - 1) / per;
    for (int k = 0; k < nblocks; k++) {
        block *b = &c->blocks[k];
        b->r0 = k * per;
        b->rows = rows - b->r0 < per ? rows - b->r0 : per;
        b->failed = 0;
    }
    const int64_t y0 = c->next_row;
#pragma omp parallel for schedule(dynamic, 1) if (nblocks > 1)
    for (int k = 0; k < nblocks; k++) {
        block *b = &c->blocks[k];
        const uint32_t *above_labels = k == 0 ? c->prev + 1 : NULL;
        const uint8_t *above_mask = k == 0 ? NULL : mask + (size_t)(b->r0 - 1) * w;
        b->failed = block_begin(b, w, above_labels, above_mask) != 0 ||
                    label_block(b, w, mask, score, y0, labels) != 0;
    }
    for (int k = 0; k < nblocks; k++)
        if (c->blocks[k].failed)
            return -1;
    for (int k = 0; k < nblocks; k++) {
        const block *above = k ? &c->blocks[k - 1] : NULL;
        const uint32_t *above_row = k ? labels + (size_t)(c->blocks[k].r0 - 1) * w : NULL;
        if (number_block(c, &c->blocks[k], above, above_row) != 0)
            return -1;
    }
#pragma omp parallel for schedule(static) if (nblocks > 1)
    for (int k = 0; k < nblocks; k++) {
        const block *b = &c->blocks[k];
        uint32_t *lab = labels + (size_t)b->r0 * w;
        const size_t n = (size_t)b->rows * w;
        for (size_t i = 0; i < n; i++)
            lab[i] = lab[i] ? b->map[lab[i]] : 0;
    }
    c->next_row += rows;
    memcpy(c->prev + 1, labels + (size_t)(rows - 1) * w, (size_t)w * sizeof *labels);
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
        if (root != l)
            merge_stats(&c->stats[root], &c->stats[l]);
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
