/* components.c: streaming 8-connected component labelling with statistics.
 *
 * Rows arrive in order, any number at a time (a strip); the labeller keeps only the
 * previous row's labels and a union-find parent table (4 bytes per provisional label,
 * never growing with the raster height beyond that: the pattern of GDAL's polygon
 * enumerator). Union by the smaller label makes every root the first label of its
 * component in raster order, so final numbering is independent of how rows were split
 * into strips.
 *
 * Statistics (and a caller's payload) are kept per provisional label only while its
 * component is live, i.e. has a pixel in the last row pushed: a live pool indexed
 * through slot[label]. At the start of the next push (and at finish) every component
 * with no pixel in that row is complete; its labels' records are merged into its
 * root's in increasing label order (the order a merge over all labels at the end
 * would take, so floating-point sums are the same bit for bit) and the result is
 * retired: appended to a dense array of complete components, or written to a spill
 * file and read back at finish. Memory during the scan then follows the live
 * components, not the provisional labels.
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
 *   3. labels are rewritten to global numbers (OpenMP over blocks), run by run.
 * Within a block the work goes by runs of set pixels (clear mask is skipped 8 bytes at
 * a time; a run's pixels share one label), so a mostly clear change mask costs little
 * more than reading it and clearing the labels.
 * The blocks of a push depend on its row count only, never on the thread count, so
 * labels and statistics are the same bit for bit at any thread count; they are those
 * of a plain row-by-row scan, except that a label's score sum is added up per block
 * (the order of floating-point additions differs in the last bits).
 */
#include <float.h>
#include <stdint.h>
#include <stdio.h>
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
    uint32_t *tail;          /* per run: x past its last pixel */
    uint32_t *up;            /* the row above as entries, width + 2, zero-padded */
    uint32_t *map;           /* entry -> global label (step 2) */
    int32_t *runs;           /* the block's runs of set pixels: x0, x1 pairs, by row */
    uint32_t *row_runs;      /* per row of the block: index of its first run; rows + 1 */
    uint32_t nspans, span_cap, row_cap;
    int failed;
} block;

/* A record: the statistics, then the payload (rounded up to 8 bytes). A retired
 * record is prefixed with its root label (8 bytes, for alignment). */
#define RETIRED_HEAD 8

struct tb_ccl {
    int width;
    int64_t next_row;        /* image row of the next pushed row */
    uint32_t *prev;          /* labels of the previous row (width + 2, zero-padded) */
    uint32_t *parent;        /* parent[label]; parent[0] unused */
    uint32_t *slot;          /* live label -> pool record (until finish) */
    uint32_t count;          /* labels issued */
    uint32_t capacity;
    size_t payload;          /* caller's bytes per record (0: none) */
    tb_ccl_merge_fn merge;
    size_t rec;              /* bytes per record: statistics + payload, 8-aligned */
    /* live records */
    unsigned char *pool;
    uint8_t *touch;          /* per pool record: its component reaches the last row */
    uint32_t pool_used, pool_cap;
    uint32_t *free_recs;     /* freed pool records */
    uint32_t nfree;
    uint32_t *live;          /* live labels, increasing */
    uint32_t nlive, live_cap;
    uint32_t *retiring;      /* scratch: roots retired by one pass */
    /* complete components: root label + record, sorted by root at finish */
    unsigned char *done;
    size_t ndone, done_cap;
    FILE *spill;             /* NULL: retired records stay in `done` */
    int finished;
    block blocks[MAX_BLOCKS];
};

static void free_block(block *b)
{
    free(b->parent);
    free(b->stats);
    free(b->head);
    free(b->tail);
    free(b->up);
    free(b->map);
    free(b->runs);
    free(b->row_runs);
    memset(b, 0, sizeof *b);
}

tb_ccl *tb_ccl_create_with(int width, size_t payload, tb_ccl_merge_fn merge)
{
    if ((payload && !merge) || payload > ((size_t)1 << 20))
        return NULL;
    tb_ccl *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->width = width;
    c->payload = payload;
    c->merge = merge;
    c->rec = sizeof(tb_component) + (payload + 7) / 8 * 8;
    c->prev = calloc((size_t)width + 2, sizeof *c->prev);
    c->capacity = 1024;
    c->parent = malloc(c->capacity * sizeof *c->parent);
    c->slot = malloc(c->capacity * sizeof *c->slot);
    if (!c->prev || !c->parent || !c->slot) {
        tb_ccl_destroy(c);
        return NULL;
    }
    return c;
}

tb_ccl *tb_ccl_create(int width) { return tb_ccl_create_with(width, 0, NULL); }

static void free_live(tb_ccl *c)
{
    free(c->slot);
    free(c->pool);
    free(c->touch);
    free(c->free_recs);
    free(c->live);
    free(c->retiring);
    c->slot = c->live = c->retiring = c->free_recs = NULL;
    c->pool = NULL;
    c->touch = NULL;
}

void tb_ccl_destroy(tb_ccl *c)
{
    if (!c)
        return;
    for (int k = 0; k < MAX_BLOCKS; k++)
        free_block(&c->blocks[k]);
    free_live(c);
    free(c->prev);
    free(c->parent);
    free(c->done);
    if (c->spill)
        fclose(c->spill);
    free(c);
}

int tb_ccl_spill(tb_ccl *c, FILE *f)
{
    if (!f || c->spill || c->count || c->finished)
        return -1;
    c->spill = f;
    return 0;
}

uint32_t tb_ccl_live_labels(const tb_ccl *c) { return c->nlive; }

uint64_t tb_ccl_retired(const tb_ccl *c) { return c->ndone; }

static tb_component *rec_stats(const tb_ccl *c, uint32_t r)
{
    return (tb_component *)(void *)(c->pool + (size_t)r * c->rec);
}

static tb_component *live_stats(const tb_ccl *c, uint32_t label)
{
    return rec_stats(c, c->slot[label]);
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

/* First x >= x in [x, w) with m[x] != 0, or w: clear mask is skipped 8 bytes at a
 * time (most of a change mask is clear). */
static int next_set(const uint8_t *m, int x, int w)
{
    for (; x + 8 <= w; x += 8) {
        uint64_t v;
        memcpy(&v, m + x, sizeof v);
        if (v)
            break;
    }
    while (x < w && !m[x])
        x++;
    return x;
}

/* The runs of the row above the block (`above(x)` set) become entries 1..nruns. */
static int block_begin(block *b, int w, const uint32_t *above_labels, const uint8_t *above_mask)
{
    if (!b->up) {
        b->up = calloc((size_t)w + 2, sizeof *b->up);
        b->head = malloc(((size_t)w / 2 + 2) * sizeof *b->head);
        b->tail = malloc(((size_t)w / 2 + 2) * sizeof *b->tail);
        if (!b->up || !b->head || !b->tail)
            return -1;
    }
    uint32_t *up = b->up + 1;
    uint32_t n = 0;
    for (int x = 0; x < w;) {
        int x0 = x;
        if (above_labels)
            while (x0 < w && !above_labels[x0])
                x0++;
        else
            x0 = next_set(above_mask, x, w);
        memset(up + x, 0, (size_t)(x0 - x) * sizeof *up);
        if (x0 == w)
            break;
        int x1 = x0 + 1;
        if (above_labels)
            while (x1 < w && above_labels[x1])
                x1++;
        else
            while (x1 < w && above_mask[x1])
                x1++;
        n++;
        b->head[n] = (uint32_t)x0;
        b->tail[n] = (uint32_t)x1;
        for (int i = x0; i < x1; i++)
            up[i] = n;
        x = x1;
    }
    b->nruns = n;
    b->nlocal = 0;
    b->nspans = 0;
    if (block_reserve(b, n + 1) != 0)
        return -1;
    if ((uint32_t)b->rows + 1 > b->row_cap) {
        uint32_t *r = realloc(b->row_runs, ((size_t)b->rows + 1) * sizeof *r);
        if (!r)
            return -1;
        b->row_runs = r;
        b->row_cap = (uint32_t)b->rows + 1;
    }
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

/* Appends run [x0, x1) to the block's list. */
static int add_span(block *b, int x0, int x1)
{
    if (b->nspans == b->span_cap) {
        if (b->span_cap > UINT32_MAX / 4)
            return -1;
        const uint32_t cap = b->span_cap ? 2 * b->span_cap : 1024;
        int32_t *r = realloc(b->runs, (size_t)cap * 2 * sizeof *r);
        if (!r)
            return -1;
        b->runs = r;
        b->span_cap = cap;
    }
    b->runs[2 * (size_t)b->nspans] = x0;
    b->runs[2 * (size_t)b->nspans + 1] = x1;
    b->nspans++;
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

/* Bottom edges of the row above: each of its runs [x0, x1) (entry `e`) has one under
 * every clear pixel of mask row `m` below it. */
static void close_above(block *b, const uint8_t *m, uint32_t e, int x0, int x1)
{
    uint64_t clear = 0;
    for (int x = x0; x < x1; x++)
        clear += !m[x];
    b->stats[e].edges_h += clear;
}

/* Step 1: the block's rows on its own tables; labels hold entries. The work goes by
 * runs of set pixels (a run shares one label: that of its first pixel), in the order
 * of a pixel-by-pixel scan, so unions, labels and the order of score additions are
 * those of one. Runs are kept for step 3. */
static int label_block(block *b, int w, const uint8_t *mask, const float *score, int64_t y0,
                       uint32_t *labels)
{
    for (int r = b->r0; r < b->r0 + b->rows; r++) {
        const int32_t y = (int32_t)(y0 + r);
        const uint8_t *m = mask + (size_t)r * w;
        const float *sc = score ? score + (size_t)r * w : NULL;
        uint32_t *lab = labels + (size_t)r * w;
        const int first = r == b->r0;
        const uint32_t *up = first ? b->up + 1 : labels + (size_t)(r - 1) * w;
        /* The row above's runs: the block's proxies, or the previous row's spans. */
        if (first) {
            for (uint32_t k = 1; k <= b->nruns; k++)
                close_above(b, m, k, (int)b->head[k], (int)b->tail[k]);
        } else {
            const int32_t *sp = b->runs + 2 * (size_t)b->row_runs[r - 1 - b->r0];
            const uint32_t ns = b->nspans - b->row_runs[r - 1 - b->r0];
            for (uint32_t k = 0; k < ns; k++)
                close_above(b, m, up[sp[2 * k]], sp[2 * k], sp[2 * k + 1]);
        }
        b->row_runs[r - b->r0] = b->nspans;
        for (int x = 0; x < w;) {
            const int x0 = next_set(m, x, w);
            memset(lab + x, 0, (size_t)(x0 - x) * sizeof *lab);
            if (x0 == w)
                break;
            int x1 = x0 + 1;
            while (x1 < w && m[x1])
                x1++;
            /* Neighbours above: columns a..z. The label is the first set of the three
             * above x0; every other label above the run joins it. */
            const int a = x0 > 0 ? x0 - 1 : 0, z = x1 < w ? x1 : w - 1;
            uint32_t l = 0;
            for (int i = a; i <= x0 + 1 && i <= z && !l; i++)
                l = up[i];
            if (!l && !(l = new_entry(b, x0, y)))
                return -1;
            uint32_t last = l;
            for (int i = a; i <= z; i++)
                if (up[i] && up[i] != last) {
                    last = up[i];
                    if (last != l)
                        unite(b->parent, l, last);
                }
            if (add_span(b, x0, x1) != 0)
                return -1;
            tb_component *st = &b->stats[l];
            uint64_t covered = 0;
            for (int i = x0; i < x1; i++) {
                lab[i] = l;
                covered += up[i] != 0;
            }
            if (sc) {
                double sum = st->sum_score;
                float mx = st->max_score;
                for (int i = x0; i < x1; i++) {
                    sum += sc[i];
                    if (sc[i] > mx)
                        mx = sc[i];
                }
                st->sum_score = sum;
                st->max_score = mx;
            } else if (0.0f > st->max_score) {
                st->max_score = 0.0f;
            }
            const uint64_t len = (uint64_t)(x1 - x0);
            st->pixels += len;
            /* Sums of pixel centres are whole multiples of 1/2: exact in any order. */
            st->sum_x += (double)((uint64_t)x0 + (uint64_t)x1) * (double)len * 0.5;
            st->sum_y += ((double)y + 0.5) * (double)len;
            if (x0 < st->min_x) st->min_x = x0;
            if (x1 - 1 > st->max_x) st->max_x = x1 - 1;
            if (y < st->min_y) st->min_y = y;
            if (y > st->max_y) st->max_y = y;
            st->edges_h += len - covered;        /* top edges */
            st->edges_v += 2;                    /* left and right ends */
            x = x1;
        }
    }
    b->row_runs[b->rows] = b->nspans;
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
    uint32_t *s = realloc(c->slot, (size_t)cap * sizeof *s);
    if (!s)
        return -1;
    c->slot = s;
    c->capacity = (uint32_t)cap;
    return 0;
}

/* Grows *buf (elements of `size` bytes, *cap of them) to hold `n`. */
static int grow_array(void **buf, uint32_t *cap, uint64_t n, size_t size)
{
    if (n <= *cap)
        return 0;
    uint64_t k = *cap ? *cap : 256;
    while (k < n)
        k *= 2;
    if (k > UINT32_MAX)
        return -1;
    void *b = realloc(*buf, (size_t)k * size);
    if (!b)
        return -1;
    *buf = b;
    *cap = (uint32_t)k;
    return 0;
}

/* A pool record for new label `label` (issued in increasing order), its statistics
 * set to `st` and its payload zeroed. */
static int add_live(tb_ccl *c, uint32_t label, const tb_component *st)
{
    uint32_t r;
    if (c->nfree) {
        r = c->free_recs[--c->nfree];
    } else {
        const uint32_t old = c->pool_cap;
        if (grow_array((void **)&c->pool, &c->pool_cap, (uint64_t)c->pool_used + 1, c->rec) != 0)
            return -1;
        if (c->pool_cap != old) {
            uint32_t cap = old;
            if (grow_array((void **)&c->touch, &cap, c->pool_cap, 1) != 0)
                return -1;
            cap = old;
            if (grow_array((void **)&c->free_recs, &cap, c->pool_cap, sizeof *c->free_recs) != 0)
                return -1;
        }
        r = c->pool_used++;
    }
    if (grow_array((void **)&c->live, &c->live_cap, (uint64_t)c->nlive + 1, sizeof *c->live) != 0)
        return -1;
    c->live[c->nlive++] = label;
    c->slot[label] = r;
    c->touch[r] = 0;
    *rec_stats(c, r) = *st;
    if (c->rec > sizeof(tb_component))
        memset(c->pool + (size_t)r * c->rec + sizeof(tb_component), 0,
               c->rec - sizeof(tb_component));
    return 0;
}

static void *rec_payload(const tb_ccl *c, uint32_t r)
{
    return c->pool + (size_t)r * c->rec + sizeof(tb_component);
}

/* Appends the record of retiring root `root` to the complete components. */
static int emit(tb_ccl *c, uint32_t root)
{
    const size_t size = RETIRED_HEAD + c->rec;
    const unsigned char *rec = c->pool + (size_t)c->slot[root] * c->rec;
    if (c->spill) {
        unsigned char head[RETIRED_HEAD] = {0};
        memcpy(head, &root, sizeof root);
        if (fwrite(head, sizeof head, 1, c->spill) != 1 || fwrite(rec, c->rec, 1, c->spill) != 1)
            return -2;
        c->ndone++;
        return 0;
    }
    if (c->ndone == c->done_cap) {
        const size_t cap = c->done_cap ? 2 * c->done_cap : 256;
        unsigned char *d = realloc(c->done, cap * size);
        if (!d)
            return -1;
        c->done = d;
        c->done_cap = cap;
    }
    unsigned char *dst = c->done + c->ndone * size;
    memset(dst, 0, RETIRED_HEAD);
    memcpy(dst, &root, sizeof root);
    memcpy(dst + RETIRED_HEAD, rec, c->rec);
    c->ndone++;
    return 0;
}

/* Retires every live component with no pixel in the last pushed row (all of them
 * when `all`): merges its labels' records into its root's in increasing label
 * order, appends the root's record to the complete ones and frees the labels'
 * records. Returns 0, -1 (no memory) or -2 (spill file). */
static int retire(tb_ccl *c, int all)
{
    if (!c->nlive)
        return 0;
    const uint32_t *up = c->prev + 1;
    if (!all)
        for (int x = 0; x < c->width; x++)
            if (up[x])
                c->touch[c->slot[find(c->parent, up[x])]] = 1;
    uint32_t cap = c->nlive;
    uint32_t *roots = realloc(c->retiring, (size_t)cap * sizeof *roots);
    if (!roots)
        return -1;
    c->retiring = roots;
    uint32_t nkeep = 0, nroots = 0;
    for (uint32_t i = 0; i < c->nlive; i++) {
        const uint32_t l = c->live[i], root = find(c->parent, l);
        const uint32_t rr = c->slot[root];
        if (c->touch[rr]) {
            c->live[nkeep++] = l;
            continue;
        }
        if (root == l) {
            roots[nroots++] = l;   /* its members follow: l is the smallest */
            continue;
        }
        const uint32_t lr = c->slot[l];
        merge_stats(rec_stats(c, rr), rec_stats(c, lr));
        if (c->payload)
            c->merge(rec_payload(c, rr), rec_payload(c, lr));
        c->free_recs[c->nfree++] = lr;
    }
    c->nlive = nkeep;
    for (uint32_t i = 0; i < nroots; i++) {
        const int e = emit(c, roots[i]);
        if (e)
            return e;
        c->free_recs[c->nfree++] = c->slot[roots[i]];
    }
    for (uint32_t i = 0; i < c->nlive; i++)
        c->touch[c->slot[c->live[i]]] = 0;
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
        if (add_live(c, g, &b->stats[e]) != 0)
            return -1;
    }
    c->count += b->nlocal;
    for (uint32_t r = 1; r <= b->nruns; r++)
        merge_stats(live_stats(c, b->map[r]), &b->stats[r]);
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
    if (c->finished)
        return -1;
    /* Components complete before these rows: the caller has added its payload for
     * the rows of the last push. */
    const int retired = retire(c, 0);
    if (retired)
        return retired;
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
        for (int r = 0; r < b->rows; r++) {
            uint32_t *lab = labels + (size_t)(b->r0 + r) * w;
            for (uint32_t i = b->row_runs[r]; i < b->row_runs[r + 1]; i++) {
                const int x0 = b->runs[2 * (size_t)i], x1 = b->runs[2 * (size_t)i + 1];
                const uint32_t g = b->map[lab[x0]];
                for (int x = x0; x < x1; x++)
                    lab[x] = g;
            }
        }
    }
    c->next_row += rows;
    memcpy(c->prev + 1, labels + (size_t)(rows - 1) * w, (size_t)w * sizeof *labels);
    return 0;
}

static int cmp_root(const void *a, const void *b)
{
    uint32_t x, y;
    memcpy(&x, a, sizeof x);
    memcpy(&y, b, sizeof y);
    return (x > y) - (x < y);
}

int tb_ccl_finish(tb_ccl *c)
{
    if (c->finished)
        return 0;
    c->finished = 1;
    const uint32_t *up = c->prev + 1;
    for (int x = 0; x < c->width; x++)
        if (up[x])
            live_stats(c, up[x])->edges_h++;     /* bottom edge of the last row */
    int ret = retire(c, 1);
    free_live(c);
    /* Roots are smaller than their members: in increasing label order every parent
     * already points at its root. */
    for (uint32_t l = 1; l <= c->count; l++)
        c->parent[l] = c->parent[c->parent[l]];
    const size_t size = RETIRED_HEAD + c->rec;
    if (!ret && c->spill && c->ndone) {
        c->done = malloc(c->ndone * size);
        if (!c->done)
            ret = -1;
        else if (fflush(c->spill) != 0 || fseek(c->spill, 0, SEEK_SET) != 0 ||
                 fread(c->done, size, c->ndone, c->spill) != c->ndone)
            ret = -2;
        c->done_cap = c->ndone;
    }
    if (c->spill) {
        fclose(c->spill);
        c->spill = NULL;
    }
    if (ret) {
        free(c->done);
        c->done = NULL;
        c->ndone = c->done_cap = 0;
        return ret;
    }
    /* Retired in the order components completed: sorted by root for look-ups. */
    if (c->ndone > 1)
        qsort(c->done, c->ndone, size, cmp_root);
    return 0;
}

uint32_t tb_ccl_label_count(const tb_ccl *c) { return c->count; }

uint32_t tb_ccl_root(const tb_ccl *c, uint32_t label)
{
    return label && label <= c->count ? c->parent[label] : 0;
}

/* The retired record of root `root`, or NULL. */
static unsigned char *find_done(const tb_ccl *c, uint32_t root)
{
    if (!c->finished || !root || root > c->count || c->parent[root] != root)
        return NULL;
    const size_t size = RETIRED_HEAD + c->rec;
    size_t lo = 0, hi = c->ndone;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        uint32_t r;
        memcpy(&r, c->done + mid * size, sizeof r);
        if (r == root)
            return c->done + mid * size + RETIRED_HEAD;
        if (r < root)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const tb_component *tb_ccl_component(const tb_ccl *c, uint32_t root)
{
    return (const tb_component *)(void *)find_done(c, root);
}

void *tb_ccl_payload(tb_ccl *c, uint32_t label)
{
    if (!c->payload || !label || label > c->count)
        return NULL;
    if (c->finished) {
        unsigned char *r = find_done(c, label);
        return r ? r + sizeof(tb_component) : NULL;
    }
    return rec_payload(c, c->slot[label]);
}
