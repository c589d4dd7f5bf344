/* synth_layout.c: the land of a synthetic scene: roads, blocks, parcels, and the
 * ground spectrum at any point.
 *
 * Straight roads cross the scene north-south and east-west every 200-460 m (main
 * asphalt roads with shoulders, concrete local roads, dirt tracks). The land between
 * two pairs of roads is a block: farmland cut into strips 25-85 m wide (crop rows,
 * young crops, bare ploughed soil, grass, plastic greenhouses), a village (yards
 * between courtyard houses), a work yard, an orchard or grassland. The lists are
 * small (a few thousand blocks for a 32768^2 scene) and built once from the seed;
 * tb_synth_ground_at() then finds the road or parcel under a point by binary search
 * and mixes its spectra with value-noise textures. Spectra are in the 12-bit
 * reflectance scale of the output (about reflectance * 10000) for the before date.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth_internal.h"
#include "synth_noise.h"

enum {
    STREAM_VROADS = 11,
    STREAM_HROADS = 12,
    STREAM_BLOCKS = 13,
    KEY_ROAD_TEXTURE = 14,
    KEY_GROUND_SMOOTH = 15,
    KEY_YARD = 16
};

/* Materials, B G R NIR, before date. */
static const float ASPHALT[4] = {720, 780, 830, 930};
static const float CONCRETE_ROAD[4] = {1650, 1750, 1800, 1900};
static const float DIRT[4] = {1150, 1300, 1500, 1850};
static const float GRAVEL[4] = {1300, 1400, 1550, 1800};
static const float LOESS[4] = {1000, 1200, 1450, 1800};
static const float CROP[4] = {280, 600, 380, 2800};
static const float GRASS[4] = {400, 700, 550, 2600};
static const float FILM[4] = {2250, 2350, 2400, 2500};
static const float YARD_CONCRETE[4] = {1700, 1780, 1850, 1950};
static const float YARD_SOIL[4] = {1100, 1250, 1450, 1750};

/* Appends one road to a growing array; returns 0 when out of memory. */
static int push_road(tb_synth_road **roads, int *n, int *cap, const tb_synth_road *r)
{
    if (*n == *cap) {
        int ncap = *cap ? 2 * *cap : 32;
        tb_synth_road *nr = realloc(*roads, (size_t)ncap * sizeof *nr);
        if (!nr)
            return 0;
        *roads = nr;
        *cap = ncap;
    }
    (*roads)[(*n)++] = *r;
    return 1;
}

/* Roads across an extent, from before 0 to after `extent`. Returns 0 when out of
 * memory. */
static int make_roads(uint64_t seed, uint64_t stream, double extent, tb_synth_road **out,
                      int *n_out)
{
    tb_synth_rng r = tb_synth_rng_make(seed, stream);
    tb_synth_road *roads = NULL;
    int n = 0, cap = 0;
    double pos = -tb_synth_rng_uniform(&r, 40, 200);
    for (;;) {
        tb_synth_road road;
        memset(&road, 0, sizeof road);
        road.pos = pos;
        double u = tb_synth_rng_uniform(&r, 0, 1);
        road.cls = u < 0.22 ? TB_SYNTH_ROAD_MAIN : u < 0.64 ? TB_SYNTH_ROAD_LOCAL : TB_SYNTH_ROAD_TRACK;
        if (road.cls == TB_SYNTH_ROAD_MAIN) {
            road.half = tb_synth_rng_uniform(&r, 4.5, 7.0);
            road.edge = road.half + 1.2;
        } else if (road.cls == TB_SYNTH_ROAD_LOCAL) {
            road.half = tb_synth_rng_uniform(&r, 2.5, 3.5);
            road.edge = road.half + 0.6;
        } else {
            road.half = tb_synth_rng_uniform(&r, 1.5, 2.0);
            road.edge = road.half;
        }
        static const double tree_p[3] = {0.75, 0.55, 0.25};
        road.trees = tb_synth_rng_chance(&r, tree_p[road.cls]);
        road.tree_off = road.edge + tb_synth_rng_uniform(&r, 1.8, 3.0);
        road.tree_step = tb_synth_rng_uniform(&r, 5.0, 7.5);
        road.tree_phase = tb_synth_rng_uniform(&r, 0, road.tree_step);
        road.season = (float)tb_synth_rng_uniform(&r, -1, 1);
        if (!push_road(&roads, &n, &cap, &road)) {
            free(roads);
            return 0;
        }
        if (pos > extent + 40)
            break;
        pos += tb_synth_rng_uniform(&r, 200, 460);
    }
    *out = roads;
    *n_out = n;
    return 1;
}

/* Scales a spectrum by a brightness factor into `dst`. */
static void scaled(float dst[4], const float src[4], float k)
{
    for (int b = 0; b < 4; b++)
        dst[b] = src[b] * k;
}

/* Fills the radiometric recipe of a parcel of the given kind from its hash stream. */
static void parcel_recipe(tb_synth_parcel *pc, int kind, int along_axis, uint64_t key)
{
    tb_synth_rng r = {key};
    pc->kind = kind;
    pc->key = tb_synth_rng_next(&r);
    float k = (float)tb_synth_rng_uniform(&r, 0.8, 1.15);
    scaled(pc->soil, LOESS, k);
    pc->soil[2] += (float)tb_synth_rng_uniform(&r, -80, 80);
    for (int b = 0; b < 4; b++) /* crops differ: NIR 2520-3080, green 540-660 */
        pc->veg[b] = CROP[b] * (float)tb_synth_rng_uniform(&r, 0.9, 1.1);
    pc->season = (float)tb_synth_rng_uniform(&r, -1, 1);
    pc->wet = (float)tb_synth_rng_uniform(&r, -1, 1);
    double period = tb_synth_rng_uniform(&r, 2.2, 4.5);
    pc->row_k = (float)(2 * TB_SYNTH_PI / period);
    /* Rows mostly run along the strip: their normal is the split axis. */
    int normal_axis = tb_synth_rng_chance(&r, 0.8) ? along_axis : 1 - along_axis;
    double jitter = tb_synth_rng_uniform(&r, -0.03, 0.03);
    pc->row_nx = (float)(normal_axis == 0 ? cos(jitter) : sin(jitter));
    pc->row_ny = (float)(normal_axis == 0 ? sin(jitter) : cos(jitter));
    pc->f_patch = 0.10f;
    pc->f_fine = 0.06f;
    switch (kind) {
    case TB_SYNTH_COVER_CROP_ROWS:
        pc->f_base = (float)tb_synth_rng_uniform(&r, 0.45, 0.8);
        pc->row_amp = (float)tb_synth_rng_uniform(&r, 0.25, 0.5);
        break;
    case TB_SYNTH_COVER_CROP_YOUNG:
        pc->f_base = (float)tb_synth_rng_uniform(&r, 0.15, 0.35);
        pc->row_amp = (float)tb_synth_rng_uniform(&r, 0.15, 0.3);
        break;
    case TB_SYNTH_COVER_BARE_SOIL:
        pc->f_base = (float)tb_synth_rng_uniform(&r, 0.0, 0.05);
        pc->f_patch = 0.04f;
        pc->f_fine = 0.03f;
        pc->furrow = (float)tb_synth_rng_uniform(&r, 0.0, 0.08);
        break;
    case TB_SYNTH_COVER_GRASS:
        memcpy(pc->veg, GRASS, sizeof GRASS);
        pc->veg[3] *= (float)tb_synth_rng_uniform(&r, 0.9, 1.15);
        pc->f_base = (float)tb_synth_rng_uniform(&r, 0.45, 0.75);
        pc->f_patch = 0.2f;
        pc->wet *= 0.5f;
        break;
    case TB_SYNTH_COVER_GREENHOUSE:
        scaled(pc->soil, FILM, (float)tb_synth_rng_uniform(&r, 0.85, 1.1));
        pc->tunnel = (float)tb_synth_rng_uniform(&r, 7, 9);
        pc->gap = (float)tb_synth_rng_uniform(&r, 1.2, 2.0);
        pc->f_base = 0.0f;
        pc->f_patch = 0.0f;
        pc->f_fine = 0.0f;
        pc->season = 0.0f;
        pc->wet = 0.0f;
        break;
    case TB_SYNTH_COVER_VILLAGE_YARD:
        pc->f_base = 0.03f;
        pc->f_patch = 0.12f;
        pc->wet *= 0.3f;
        break;
    case TB_SYNTH_COVER_WORK_YARD:
        scaled(pc->soil, GRAVEL, k);
        pc->f_base = 0.02f;
        pc->f_patch = 0.15f;
        pc->wet *= 0.3f;
        break;
    case TB_SYNTH_COVER_ORCHARD:
    default:
        memcpy(pc->veg, GRASS, sizeof GRASS);
        pc->f_base = (float)tb_synth_rng_uniform(&r, 0.25, 0.5);
        pc->f_patch = 0.15f;
        break;
    }
}

/* The farm parcel kinds and their shares. */
static int farm_kind(double u)
{
    if (u < 0.42)
        return TB_SYNTH_COVER_CROP_ROWS;
    if (u < 0.57)
        return TB_SYNTH_COVER_CROP_YOUNG;
    if (u < 0.72)
        return TB_SYNTH_COVER_BARE_SOIL;
    if (u < 0.84)
        return TB_SYNTH_COVER_GRASS;
    return TB_SYNTH_COVER_GREENHOUSE;
}

/* Appends one parcel; returns 0 when out of memory. */
static int push_parcel(tb_synth_layout *L, int *cap, const tb_synth_parcel *pc)
{
    if (L->n_parcels == *cap) {
        int ncap = *cap ? 2 * *cap : 256;
        tb_synth_parcel *np = realloc(L->parcels, (size_t)ncap * sizeof *np);
        if (!np)
            return 0;
        L->parcels = np;
        *cap = ncap;
    }
    L->parcels[L->n_parcels++] = *pc;
    return 1;
}

/* Cuts block (i, j) into parcels. Returns 0 when out of memory. */
static int make_block(tb_synth_layout *L, int i, int j, int *parcel_cap)
{
    tb_synth_block *b = &L->blocks[(size_t)j * (size_t)(L->n_vroads - 1) + (size_t)i];
    tb_synth_rng r = {tb_synth_hash(tb_synth_key(L->seed, STREAM_BLOCKS), (uint64_t)i, (uint64_t)j, 0)};
    const tb_synth_road *w = &L->vroads[i], *e = &L->vroads[i + 1];
    const tb_synth_road *n = &L->hroads[j], *s = &L->hroads[j + 1];
    b->x0 = w->pos + w->edge;
    b->x1 = e->pos - e->edge;
    b->y0 = n->pos + n->edge;
    b->y1 = s->pos - s->edge;
    double u = tb_synth_rng_uniform(&r, 0, 1);
    b->type = u < 0.52 ? TB_SYNTH_BLOCK_FARM
            : u < 0.66 ? TB_SYNTH_BLOCK_VILLAGE
            : u < 0.78 ? TB_SYNTH_BLOCK_YARD
            : u < 0.86 ? TB_SYNTH_BLOCK_ORCHARD
                       : TB_SYNTH_BLOCK_GRASS;
    b->axis = tb_synth_rng_chance(&r, 0.5);
    b->season = (float)tb_synth_rng_uniform(&r, -1, 1);
    b->first = L->n_parcels;
    double lo = b->axis == 0 ? b->x0 : b->y0, hi = b->axis == 0 ? b->x1 : b->y1;
    tb_synth_parcel pc;
    if (b->type != TB_SYNTH_BLOCK_FARM) {
        static const int kinds[] = {0, TB_SYNTH_COVER_VILLAGE_YARD, TB_SYNTH_COVER_WORK_YARD,
                                    TB_SYNTH_COVER_ORCHARD, TB_SYNTH_COVER_GRASS};
        memset(&pc, 0, sizeof pc);
        pc.lo = lo;
        pc.hi = hi;
        parcel_recipe(&pc, kinds[b->type], b->axis, tb_synth_rng_next(&r));
        b->count = 1;
        return push_parcel(L, parcel_cap, &pc);
    }
    double pos = lo;
    while (pos < hi) {
        double width = tb_synth_rng_uniform(&r, 25, 85);
        if (hi - (pos + width) < 20)
            width = hi - pos;
        memset(&pc, 0, sizeof pc);
        pc.lo = pos;
        pc.hi = pos + width;
        parcel_recipe(&pc, farm_kind(tb_synth_rng_uniform(&r, 0, 1)), b->axis, tb_synth_rng_next(&r));
        if (!push_parcel(L, parcel_cap, &pc))
            return 0;
        pos += width;
    }
    b->count = L->n_parcels - b->first;
    return 1;
}

tb_status tb_synth_layout_build(tb_synth_layout *L, uint64_t seed, double width_m, double height_m)
{
    memset(L, 0, sizeof *L);
    L->seed = seed;
    L->width_m = width_m;
    L->height_m = height_m;
    if (!make_roads(seed, STREAM_VROADS, width_m, &L->vroads, &L->n_vroads) ||
        !make_roads(seed, STREAM_HROADS, height_m, &L->hroads, &L->n_hroads))
        return tb_error(TB_ERR_NOMEM, "synthetic scene: out of memory for the roads");
    size_t nb = (size_t)(L->n_vroads - 1) * (size_t)(L->n_hroads - 1);
    L->blocks = calloc(nb, sizeof *L->blocks);
    if (!L->blocks)
        return tb_error(TB_ERR_NOMEM, "synthetic scene: out of memory for %zu blocks", nb);
    int parcel_cap = 0;
    for (int j = 0; j < L->n_hroads - 1; j++)
        for (int i = 0; i < L->n_vroads - 1; i++)
            if (!make_block(L, i, j, &parcel_cap))
                return tb_error(TB_ERR_NOMEM, "synthetic scene: out of memory for the parcels");
    return TB_OK;
}

void tb_synth_layout_free(tb_synth_layout *L)
{
    if (!L)
        return;
    free(L->vroads);
    free(L->hroads);
    free(L->blocks);
    free(L->parcels);
    memset(L, 0, sizeof *L);
}

int tb_synth_roads_lower(const tb_synth_road *roads, int n, double v)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (roads[mid].pos < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Index of the road interval holding v: the i with roads[i].pos <= v < roads[i+1].pos,
 * clamped to [0, n-2]. */
static int interval(const tb_synth_road *roads, int n, double v)
{
    int i = tb_synth_roads_lower(roads, n, v) - 1;
    if (i < 0)
        i = 0;
    if (i > n - 2)
        i = n - 2;
    return i;
}

const tb_synth_block *tb_synth_layout_block(const tb_synth_layout *L, double x, double y,
                                            int *bi, int *bj)
{
    int i = interval(L->vroads, L->n_vroads, x);
    int j = interval(L->hroads, L->n_hroads, y);
    if (bi)
        *bi = i;
    if (bj)
        *bj = j;
    return &L->blocks[(size_t)j * (size_t)(L->n_vroads - 1) + (size_t)i];
}

/* The parcel of block `b` at coordinate `a` along its split axis. */
static const tb_synth_parcel *parcel_at(const tb_synth_layout *L, const tb_synth_block *b, double a)
{
    int lo = b->first, hi = b->first + b->count - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (L->parcels[mid].lo <= a)
            lo = mid;
        else
            hi = mid - 1;
    }
    return &L->parcels[lo];
}

/* The road under a point, if any: the one of highest class among the north-south and
 * east-west roads whose edge covers it. Sets *d to the signed distance from its
 * centre line and *along to the coordinate along it. */
static const tb_synth_road *road_at(const tb_synth_layout *L, double x, double y, double *d,
                                    double *along)
{
    const tb_synth_road *best = NULL;
    int i = interval(L->vroads, L->n_vroads, x);
    for (int k = i; k <= i + 1; k++) {
        double dd = x - L->vroads[k].pos;
        if (fabs(dd) < L->vroads[k].edge && (!best || L->vroads[k].cls < best->cls)) {
            best = &L->vroads[k];
            *d = dd;
            *along = y;
        }
    }
    int j = interval(L->hroads, L->n_hroads, y);
    for (int k = j; k <= j + 1; k++) {
        double dd = y - L->hroads[k].pos;
        if (fabs(dd) < L->hroads[k].edge && (!best || L->hroads[k].cls < best->cls)) {
            best = &L->hroads[k];
            *d = dd;
            *along = x;
        }
    }
    return best;
}

/* The ground of a road at signed distance d from its centre line. */
static void road_ground(const tb_synth_layout *L, const tb_synth_road *rd, double x, double y,
                        double d, tb_synth_ground *g)
{
    float t = tb_synth_fbm2(tb_synth_key(L->seed, KEY_ROAD_TEXTURE), x, y, 3.0);
    double ad = fabs(d);
    memcpy(g->veg, GRASS, sizeof GRASS);
    g->f = 0.0f;
    g->season = rd->season * 0.5f;
    g->wet = 0.0f;
    g->cover = TB_SYNTH_COVER_ROAD;
    if (ad > rd->half) { /* shoulder */
        scaled(g->soil, GRAVEL, 1.0f + 0.06f * t);
        g->f = rd->cls == TB_SYNTH_ROAD_MAIN ? 0.15f + 0.15f * t : 0.35f + 0.2f * t;
        return;
    }
    switch (rd->cls) {
    case TB_SYNTH_ROAD_MAIN:
        scaled(g->soil, ASPHALT, 1.0f + 0.05f * t);
        break;
    case TB_SYNTH_ROAD_LOCAL:
        scaled(g->soil, CONCRETE_ROAD, 1.0f + 0.06f * t);
        break;
    default:
        scaled(g->soil, DIRT, 1.0f + 0.07f * t);
        if (ad < 0.35) /* grass between the wheel ruts */
            g->f = 0.25f + 0.15f * t;
        else if (ad > 0.6 && ad < 1.1)
            scaled(g->soil, DIRT, 0.9f + 0.05f * t);
        break;
    }
}

/* Greenhouse film at position (a across the tunnels, b along them). */
static void greenhouse_ground(const tb_synth_parcel *pc, double a, double b, tb_synth_ground *g)
{
    double period = pc->tunnel + pc->gap;
    double t = fmod(a - pc->lo, period);
    double seg = fmod(b + 1000.0, 64.0);
    if (t >= pc->tunnel || seg < 3.0) { /* path between tunnels or cross aisle */
        scaled(g->soil, LOESS, 0.95f);
        g->f = 0.12f;
        return;
    }
    /* The curved film: brighter on the crest, a glint on the side facing the sun. */
    float crest = (float)sin(TB_SYNTH_PI * t / pc->tunnel);
    scaled(g->soil, pc->soil, 0.72f + 0.33f * crest);
    g->f = 0.0f;
}

void tb_synth_ground_at(const tb_synth_layout *L, double x, double y, tb_synth_ground *g)
{
    double d = 0, along = 0;
    const tb_synth_road *rd = road_at(L, x, y, &d, &along);
    if (rd) {
        road_ground(L, rd, x, y, d, g);
        return;
    }
    const tb_synth_block *b = tb_synth_layout_block(L, x, y, NULL, NULL);
    double a = b->axis == 0 ? x : y, c = b->axis == 0 ? y : x;
    const tb_synth_parcel *pc = parcel_at(L, b, a);
    memcpy(g->soil, pc->soil, sizeof g->soil);
    memcpy(g->veg, pc->veg, sizeof g->veg);
    g->season = pc->season;
    g->wet = pc->wet;
    g->cover = pc->kind;

    /* The seasonal change varies smoothly across a field (0.7..1 of its value). */
    float smooth = tb_synth_vnoise(tb_synth_key(L->seed, KEY_GROUND_SMOOTH), x / 90.0, y / 90.0);
    g->season *= 0.85f + 0.15f * smooth;
    g->wet *= 0.85f + 0.15f * smooth;

    if (pc->kind == TB_SYNTH_COVER_GREENHOUSE) {
        greenhouse_ground(pc, a, c, g);
        return;
    }
    float patch = tb_synth_vnoise(pc->key, x / 15.0, y / 15.0);
    float fine = tb_synth_fbm2(pc->key ^ TB_SYNTH_K3, x, y, 2.0);
    float f = pc->f_base + pc->f_patch * patch + pc->f_fine * fine;
    float soil_k = 1.0f + 0.05f * smooth + 0.04f * fine;
    if (pc->row_amp > 0 || pc->furrow > 0) {
        float rows = (float)cos(pc->row_k * (pc->row_nx * x + pc->row_ny * y));
        f += pc->row_amp * rows;
        soil_k += pc->furrow * rows;
    }
    if (pc->kind == TB_SYNTH_COVER_VILLAGE_YARD || pc->kind == TB_SYNTH_COVER_WORK_YARD) {
        /* Concrete aprons and compacted soil in patches of a few metres. */
        float m = 0.5f + 0.5f * tb_synth_fbm2(tb_synth_key(L->seed, KEY_YARD), x, y, 7.0);
        m = m < 0.3f ? 0.2f : m > 0.7f ? 0.8f : 0.2f + 1.5f * (m - 0.3f);
        const float *other = pc->kind == TB_SYNTH_COVER_VILLAGE_YARD ? YARD_SOIL : GRAVEL;
        for (int k = 0; k < 4; k++)
            g->soil[k] = m * YARD_CONCRETE[k] + (1 - m) * other[k];
        f = pc->f_base + pc->f_patch * (patch - 0.4f) + 0.03f * fine;
    }
    /* Grass verges along the roads and ridges between fields. */
    double edge = fmin(fmin(x - b->x0, b->x1 - x), fmin(y - b->y0, b->y1 - y));
    double ridge = fmin(a - pc->lo, pc->hi - a);
    if (edge < 1.0 || (b->type == TB_SYNTH_BLOCK_FARM && ridge < 0.5)) {
        memcpy(g->veg, GRASS, sizeof GRASS);
        f = 0.55f + 0.15f * fine;
    }
    for (int k = 0; k < 4; k++)
        g->soil[k] *= soil_k;
    g->f = f < 0 ? 0 : f > 1 ? 1 : f;
}

int tb_synth_layout_box_allowed(const tb_synth_layout *L, const double box[4], double margin,
                                unsigned covers)
{
    int i0, j0, i1, j1;
    const tb_synth_block *b = tb_synth_layout_block(L, box[0], box[1], &i0, &j0);
    tb_synth_layout_block(L, box[2], box[3], &i1, &j1);
    if (i0 != i1 || j0 != j1)
        return 0;
    if (box[0] < b->x0 + margin || box[2] > b->x1 - margin || box[1] < b->y0 + margin ||
        box[3] > b->y1 - margin)
        return 0;
    double lo = b->axis == 0 ? box[0] : box[1], hi = b->axis == 0 ? box[2] : box[3];
    for (int k = b->first; k < b->first + b->count; k++) {
        const tb_synth_parcel *pc = &L->parcels[k];
        if (pc->hi < lo || pc->lo > hi)
            continue;
        if (!(covers & (1u << pc->kind)))
            return 0;
    }
    return 1;
}
