/* synth_trees.c: the trees of a synthetic scene, generated on demand.
 *
 * No list of trees is kept: a 32768^2 scene has millions. Trees stand on lattices
 * derived from the layout, and each lattice node decides from its own hash whether
 * it holds a tree and of what size, so the trees near any point are found by visiting
 * the few nodes around it:
 *   - roadside rows (poplars), 5-7.5 m apart on both sides of the roads that have them,
 *     interrupted at crossings;
 *   - one jittered lattice per block: sparse single trees in farmland and yards,
 *     clumps in villages and grassland, the dense regular grid of an orchard.
 */
#include <math.h>

#include "synth_internal.h"
#include "synth_noise.h"

enum { KEY_ROAD_TREES = 31, KEY_BLOCK_TREES = 32 };

/* The lattice of a block type: spacing, share of occupied nodes, jitter (fraction of
 * the spacing), canopy radius and height ranges, margin from the block edge. */
typedef struct lattice {
    double sx, sy, p, jitter, rmin, rmax, hmin, hmax, margin;
} lattice;

/* The tree lattice of a block (an orchard draws its spacing from the block key). */
static lattice block_lattice(const tb_synth_block *b, uint64_t bkey)
{
    lattice t = {38, 38, 0.07, 0.3, 2.5, 3.8, 5, 10, 7};
    switch (b->type) {
    case TB_SYNTH_BLOCK_VILLAGE:
        t.sx = t.sy = 12;
        t.p = 0.18;
        t.rmax = 4.0;
        break;
    case TB_SYNTH_BLOCK_YARD:
        t.sx = t.sy = 24;
        t.p = 0.08;
        break;
    case TB_SYNTH_BLOCK_ORCHARD:
        t.sx = tb_synth_slice(bkey, 0, 4.5f, 6.0f);
        t.sy = tb_synth_slice(bkey, 1, 4.0f, 5.5f);
        t.p = 0.93;
        t.jitter = 0.06;
        t.rmin = 1.3;
        t.rmax = 2.1;
        t.hmin = 3;
        t.hmax = 5;
        t.margin = 4;
        break;
    case TB_SYNTH_BLOCK_GRASS:
        t.sx = t.sy = 16;
        t.p = 0.18;
        t.rmax = 4.0;
        t.hmax = 11;
        break;
    default:
        break;
    }
    return t;
}

/* 1 when a roadside tree at `pos` (along the row) would stand on or next to a
 * crossing road. */
static int near_crossing(const tb_synth_road *cross, int n, double pos, double r)
{
    int k = tb_synth_roads_lower(cross, n, pos);
    for (int m = k - 1; m <= k; m++)
        if (m >= 0 && m < n && fabs(pos - cross[m].pos) < cross[m].edge + r + 1.0)
            return 1;
    return 0;
}

/* Appends the trees of the roadside rows of `roads` (north-south when vertical) whose
 * centre lies in the box. Returns the new count. */
static int road_rows(const tb_synth_layout *L, const tb_synth_road *roads, int n,
                     const tb_synth_road *cross, int n_cross, int vertical, const double box[4],
                     tb_synth_tree *out, int cap, int count)
{
    /* Across and along the rows. */
    double a0 = vertical ? box[0] : box[1], a1 = vertical ? box[2] : box[3];
    double b0 = vertical ? box[1] : box[0], b1 = vertical ? box[3] : box[2];
    uint64_t key = tb_synth_key(L->seed, KEY_ROAD_TREES + (uint64_t)vertical * 100);
    for (int i = tb_synth_roads_lower(roads, n, a0 - 16.0); i < n && roads[i].pos <= a1 + 16.0; i++) {
        const tb_synth_road *rd = &roads[i];
        if (!rd->trees)
            continue;
        for (int side = 0; side < 2; side++) {
            double a = rd->pos + (side ? rd->tree_off : -rd->tree_off);
            if (a < a0 - 0.5 || a > a1 + 0.5)
                continue;
            long k0 = (long)floor((b0 - rd->tree_phase) / rd->tree_step) - 1;
            long k1 = (long)ceil((b1 - rd->tree_phase) / rd->tree_step) + 1;
            for (long k = k0; k <= k1; k++) {
                uint64_t h = tb_synth_hash(key, (uint64_t)i * 2 + (uint64_t)side, (uint64_t)k, 0);
                if ((h & 0xFF) < 20) /* about 8% gaps */
                    continue;
                uint64_t h2 = tb_synth_mix(h);
                double pa = a + tb_synth_slice(h2, 0, -0.3f, 0.3f);
                double pb = rd->tree_phase + (double)k * rd->tree_step + tb_synth_slice(h2, 1, -0.6f, 0.6f);
                double x = vertical ? pa : pb, y = vertical ? pb : pa;
                if (x < box[0] || x > box[2] || y < box[1] || y > box[3])
                    continue;
                float r = tb_synth_slice(h2, 2, 2.0f, 3.2f);
                if (near_crossing(cross, n_cross, pb, r))
                    continue;
                if (count < cap) {
                    tb_synth_tree *t = &out[count];
                    t->x = x;
                    t->y = y;
                    t->r = r;
                    t->h = tb_synth_slice(h2, 3, 8.0f, 14.0f);
                    t->season = rd->season;
                    t->tone = tb_synth_slice(h, 2, 0.88f, 1.05f);
                    t->key = h2;
                }
                count++;
            }
        }
    }
    return count;
}

/* Appends the lattice trees of block (i, j) whose centre lies in the box. */
static int block_trees(const tb_synth_layout *L, int i, int j, const double box[4],
                       tb_synth_tree *out, int cap, int count)
{
    const tb_synth_block *b = &L->blocks[(size_t)j * (size_t)(L->n_vroads - 1) + (size_t)i];
    uint64_t bkey = tb_synth_hash(tb_synth_key(L->seed, KEY_BLOCK_TREES), (uint64_t)i, (uint64_t)j, 0);
    lattice t = block_lattice(b, bkey);
    double x0 = b->x0 + t.margin, x1 = b->x1 - t.margin;
    double y0 = b->y0 + t.margin, y1 = b->y1 - t.margin;
    double bx0 = fmax(box[0], x0), bx1 = fmin(box[2], x1);
    double by0 = fmax(box[1], y0), by1 = fmin(box[3], y1);
    if (bx0 > bx1 || by0 > by1)
        return count;
    long kx0 = (long)floor((bx0 - x0) / t.sx) - 1, kx1 = (long)floor((bx1 - x0) / t.sx) + 1;
    long ky0 = (long)floor((by0 - y0) / t.sy) - 1, ky1 = (long)floor((by1 - y0) / t.sy) + 1;
    for (long ky = ky0; ky <= ky1; ky++) {
        for (long kx = kx0; kx <= kx1; kx++) {
            uint64_t h = tb_synth_hash(bkey, (uint64_t)kx, (uint64_t)ky, 1);
            if (tb_synth_u01(h) >= t.p)
                continue;
            uint64_t h2 = tb_synth_mix(h);
            double x = x0 + ((double)kx + 0.5 + tb_synth_slice(h2, 0, (float)-t.jitter, (float)t.jitter)) * t.sx;
            double y = y0 + ((double)ky + 0.5 + tb_synth_slice(h2, 1, (float)-t.jitter, (float)t.jitter)) * t.sy;
            if (x < bx0 || x > bx1 || y < by0 || y > by1)
                continue;
            if (b->type == TB_SYNTH_BLOCK_FARM) {
                /* Not inside the greenhouses. */
                tb_synth_ground g;
                tb_synth_ground_at(L, x, y, &g);
                if (g.cover == TB_SYNTH_COVER_GREENHOUSE)
                    continue;
            }
            if (count < cap) {
                tb_synth_tree *tr = &out[count];
                tr->x = x;
                tr->y = y;
                tr->r = tb_synth_slice(h2, 2, (float)t.rmin, (float)t.rmax);
                tr->h = tb_synth_slice(h2, 3, (float)t.hmin, (float)t.hmax);
                tr->season = b->season * 0.8f + tb_synth_slice(h, 1, -0.2f, 0.2f);
                tr->tone = tb_synth_slice(h, 2, 0.88f, 1.05f);
                tr->key = h2;
            }
            count++;
        }
    }
    return count;
}

int tb_synth_trees_in_box(const tb_synth_layout *L, const double box[4], tb_synth_tree *out, int cap)
{
    int count = 0;
    count = road_rows(L, L->vroads, L->n_vroads, L->hroads, L->n_hroads, 1, box, out, cap, count);
    count = road_rows(L, L->hroads, L->n_hroads, L->vroads, L->n_vroads, 0, box, out, cap, count);
    int i0, j0, i1, j1;
    tb_synth_layout_block(L, box[0], box[1], &i0, &j0);
    tb_synth_layout_block(L, box[2], box[3], &i1, &j1);
    for (int j = j0; j <= j1; j++)
        for (int i = i0; i <= i1; i++)
            count = block_trees(L, i, j, box, out, cap, count);
    return count;
}
