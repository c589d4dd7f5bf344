/* synth_scene.c: places the explicit objects of a synthetic scene.
 *
 * Existing buildings (at both dates): courtyard houses on the lots of villages (main
 * house on the north side of the lot, sometimes a side wing), sheds and warehouses in
 * work yards, a few farm buildings in the fields. New structures (the truth, after
 * date only): rectangles and L-shapes 4-40 m a side with white, blue or grey roofs,
 * one per ~3000 m^2 of ground, on fields, bare ground and yards, never touching
 * another object, a tree, a road or the scene edge (their shadows included). Cars:
 * drawn anew for each date on the roads (one per 110 m of main road, 220 m of local
 * road, 500 m of dirt track).
 *
 * Placement is sequential and seeded, so it is the same on every run; objects go into
 * a coarse bucket grid (24 m cells) that both the overlap tests and the renderer use.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth_internal.h"
#include "synth_noise.h"

enum {
    STREAM_VILLAGES = 41,
    STREAM_YARDS = 42,
    STREAM_FARM_BUILDINGS = 43,
    STREAM_STRUCTURES = 44,
    STREAM_CARS = 45,
    STREAM_REMOVED = 49,
    KEY_NOISE = 46,
    KEY_TEXTURE = 48
};

#define GRID_CELL 24.0
#define DEG (TB_SYNTH_PI / 180.0)

/* ---- bucket grid ---------------------------------------------------------------- */

/* Allocates an empty grid over the scene. Returns TB_OK or TB_ERR_NOMEM (recorded). */
static tb_status grid_init(tb_synth_grid *g, double width_m, double height_m)
{
    g->cell = GRID_CELL;
    g->nx = (int)ceil(width_m / g->cell) + 1;
    g->ny = (int)ceil(height_m / g->cell) + 1;
    size_t n = (size_t)g->nx * (size_t)g->ny;
    g->head = malloc(n * sizeof *g->head);
    if (!g->head)
        return tb_error(TB_ERR_NOMEM, "synthetic scene: out of memory for a %dx%d grid", g->nx, g->ny);
    for (size_t k = 0; k < n; k++)
        g->head[k] = -1;
    return TB_OK;
}

/* The range of cells a box touches, clamped to the grid; 0 when it misses the grid. */
static int grid_range(const tb_synth_grid *g, const double box[4], int r[4])
{
    r[0] = (int)floor(box[0] / g->cell);
    r[1] = (int)floor(box[1] / g->cell);
    r[2] = (int)floor(box[2] / g->cell);
    r[3] = (int)floor(box[3] / g->cell);
    if (r[2] < 0 || r[3] < 0 || r[0] >= g->nx || r[1] >= g->ny)
        return 0;
    r[0] = r[0] < 0 ? 0 : r[0];
    r[1] = r[1] < 0 ? 0 : r[1];
    r[2] = r[2] >= g->nx ? g->nx - 1 : r[2];
    r[3] = r[3] >= g->ny ? g->ny - 1 : r[3];
    return 1;
}

int tb_synth_grid_cell(const tb_synth_grid *g, double x, double y)
{
    int cx = (int)floor(x / g->cell), cy = (int)floor(y / g->cell);
    if (cx < 0 || cy < 0 || cx >= g->nx || cy >= g->ny)
        return -1;
    return cy * g->nx + cx;
}

/* Files object `obj` under every cell its box touches; 0 when out of memory. */
static int grid_add(tb_synth_grid *g, int obj, const double box[4])
{
    int r[4];
    if (!grid_range(g, box, r))
        return 1;
    for (int cy = r[1]; cy <= r[3]; cy++) {
        for (int cx = r[0]; cx <= r[2]; cx++) {
            if (g->n_ent == g->cap_ent) {
                int ncap = g->cap_ent ? 2 * g->cap_ent : 4096;
                int32_t *no = realloc(g->ent_obj, (size_t)ncap * sizeof *no);
                if (!no)
                    return 0;
                g->ent_obj = no;
                int32_t *nn = realloc(g->ent_next, (size_t)ncap * sizeof *nn);
                if (!nn)
                    return 0;
                g->ent_next = nn;
                g->cap_ent = ncap;
            }
            int cell = cy * g->nx + cx;
            g->ent_obj[g->n_ent] = obj;
            g->ent_next[g->n_ent] = g->head[cell];
            g->head[cell] = g->n_ent++;
        }
    }
    return 1;
}

/* 1 when boxes a and b come closer than `margin`. */
static int boxes_overlap(const double a[4], const double b[4], double margin)
{
    return a[0] - margin < b[2] && b[0] < a[2] + margin && a[1] - margin < b[3] &&
           b[1] < a[3] + margin;
}

/* Which boxes box_is_free() compares. */
enum { FREE_FULL, FREE_FOOTPRINT, FREE_CAR };

/* 1 when no object of the same family (cars with cars of a common date; buildings and
 * structures with each other) comes within `margin` of `box`. FREE_FULL compares with
 * the boxes of footprint and shadow, FREE_FOOTPRINT (existing buildings, whose shadows
 * may fall on a neighbour's yard) with the footprints only. */
static int box_is_free(const tb_synth_scene *s, const double box[4], double margin, int mode, int dates)
{
    int car = mode == FREE_CAR;
    double grown[4] = {box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin};
    int r[4];
    if (!grid_range(&s->grid, grown, r))
        return 1;
    for (int cy = r[1]; cy <= r[3]; cy++) {
        for (int cx = r[0]; cx <= r[2]; cx++) {
            for (int e = s->grid.head[cy * s->grid.nx + cx]; e >= 0; e = s->grid.ent_next[e]) {
                const tb_synth_object *o = &s->obj[s->grid.ent_obj[e]];
                if ((o->kind == TB_SYNTH_OBJ_CAR) != car)
                    continue;
                if (car && !(o->dates & dates))
                    continue;
                if (boxes_overlap(mode == FREE_FOOTPRINT ? o->foot : o->box, box, margin))
                    return 0;
            }
        }
    }
    return 1;
}

/* ---- objects -------------------------------------------------------------------- */

/* A rectangle `len` x `wid` (len along local u) rotated by `angle` radians. */
static tb_synth_shape rect_shape(double cx, double cy, double len, double wid, double angle)
{
    tb_synth_shape sh;
    memset(&sh, 0, sizeof sh);
    sh.cx = cx;
    sh.cy = cy;
    sh.c = cos(angle);
    sh.s = sin(angle);
    sh.hu = len / 2;
    sh.hv = wid / 2;
    return sh;
}

/* Fills the derived fields of an object (shadow vector and box). */
static void finish_object(const tb_synth_scene *s, tb_synth_object *o)
{
    o->sdx = s->shx * o->height;
    o->sdy = s->shy * o->height;
    tb_synth_shape_box(&o->shape, o->sdx, o->sdy, o->box);
    tb_synth_shape_box(&o->shape, 0, 0, o->foot);
}

/* Appends an object and files it in the grid; returns its index or -1 when out of
 * memory. */
static int add_object(tb_synth_scene *s, const tb_synth_object *o)
{
    if (s->n_obj == s->cap_obj) {
        int ncap = s->cap_obj ? 2 * s->cap_obj : 1024;
        tb_synth_object *no = realloc(s->obj, (size_t)ncap * sizeof *no);
        if (!no)
            return -1;
        s->obj = no;
        s->cap_obj = ncap;
    }
    int idx = s->n_obj++;
    s->obj[idx] = *o;
    if (!grid_add(&s->grid, idx, o->box))
        return -1;
    return idx;
}

/* 1 when the box meets the scene. */
static int in_scene(const tb_synth_scene *s, const double box[4])
{
    return box[2] > 0 && box[3] > 0 && box[0] < s->width_m && box[1] < s->height_m;
}

/* 1 when no tree canopy (`with_shadows`: nor tree shadow) comes within `margin` of
 * the box. */
static int clear_of_trees(const tb_synth_scene *s, const double box[4], double margin, int with_shadows)
{
    double reach_x = with_shadows ? fabs(s->shx) * TB_SYNTH_TREE_HMAX : 0;
    double reach_y = with_shadows ? fabs(s->shy) * TB_SYNTH_TREE_HMAX : 0;
    double q[4] = {box[0] - margin - TB_SYNTH_TREE_RMAX - reach_x, box[1] - margin - TB_SYNTH_TREE_RMAX - reach_y,
                   box[2] + margin + TB_SYNTH_TREE_RMAX + reach_x, box[3] + margin + TB_SYNTH_TREE_RMAX + reach_y};
    tb_synth_tree trees[256];
    int n = tb_synth_trees_in_box(&s->layout, q, trees, 256);
    if (n > 256)
        return 0;
    for (int k = 0; k < n; k++) {
        const tb_synth_tree *t = &trees[k];
        double r = t->r * 1.1;
        double tb[4] = {t->x - r, t->y - r, t->x + r, t->y + r};
        if (with_shadows) {
            double ex = t->x + s->shx * t->h, ey = t->y + s->shy * t->h;
            tb[0] = fmin(tb[0], ex - r);
            tb[1] = fmin(tb[1], ey - r);
            tb[2] = fmax(tb[2], ex + r);
            tb[3] = fmax(tb[3], ey + r);
        }
        if (boxes_overlap(tb, box, margin))
            return 0;
    }
    return 1;
}

/* Tries to add an existing building: it must meet the scene, stay in its block, keep
 * clear of other buildings and of tree crowns. Returns 0 only when out of memory. */
static int try_building(tb_synth_scene *s, tb_synth_object *o, unsigned covers)
{
    o->kind = TB_SYNTH_OBJ_BUILDING;
    o->dates = TB_SYNTH_DATE_BEFORE | TB_SYNTH_DATE_AFTER;
    finish_object(s, o);
    if (!in_scene(s, o->box) || !tb_synth_layout_box_allowed(&s->layout, o->foot, 0.5, covers) ||
        !box_is_free(s, o->foot, 0.4, FREE_FOOTPRINT, 0) || !clear_of_trees(s, o->foot, 0.3, 0))
        return 1;
    if (add_object(s, o) < 0)
        return 0;
    s->n_buildings++;
    return 1;
}

/* The roof of a village house for a uniform draw u: mostly red and dark tiles. */
static int village_material(double u)
{
    return u < 0.35 ? TB_SYNTH_MAT_RED_TILE
         : u < 0.70 ? TB_SYNTH_MAT_DARK_TILE
         : u < 0.85 ? TB_SYNTH_MAT_CONCRETE
         : u < 0.93 ? TB_SYNTH_MAT_WHITE
                    : TB_SYNTH_MAT_BLUE;
}

/* Courtyard houses on the lots of a village block. */
static int place_village(tb_synth_scene *s, const tb_synth_block *b, int i, int j)
{
    tb_synth_rng r = {tb_synth_hash(tb_synth_key(s->p.seed, STREAM_VILLAGES), (uint64_t)i, (uint64_t)j, 0)};
    double lot_w = tb_synth_rng_uniform(&r, 14, 18), lot_d = tb_synth_rng_uniform(&r, 18, 24);
    unsigned covers = 1u << TB_SYNTH_COVER_VILLAGE_YARD;
    int row = 0;
    for (double ly = b->y0 + 2; ly + lot_d <= b->y1 - 2; ly += lot_d, row++) {
        if (row % 3 == 2)
            ly += 4; /* a lane every third row of lots */
        for (double lx = b->x0 + 2; lx + lot_w <= b->x1 - 2; lx += lot_w) {
            double lot[4] = {lx, ly - 4, lx + lot_w, ly + lot_d};
            tb_synth_rng lr = {tb_synth_hash(r.state, (uint64_t)llround(lx * 8), (uint64_t)llround(ly * 8), 1)};
            if (!in_scene(s, lot) || !tb_synth_rng_chance(&lr, 0.85))
                continue;
            tb_synth_object o;
            memset(&o, 0, sizeof o);
            double w = lot_w - tb_synth_rng_uniform(&lr, 0.8, 2.0), d = tb_synth_rng_uniform(&lr, 5.5, 8.0);
            o.shape = rect_shape(lx + lot_w / 2, ly + 0.8 + d / 2, w, d, 0);
            o.material = village_material(tb_synth_rng_uniform(&lr, 0, 1));
            o.style = o.material <= TB_SYNTH_MAT_GREY || o.material == TB_SYNTH_MAT_CONCRETE
                    ? TB_SYNTH_ROOF_FLAT : TB_SYNTH_ROOF_GABLE;
            o.height = (float)tb_synth_rng_uniform(&lr, 4.0, 6.5);
            o.tint = (float)tb_synth_rng_uniform(&lr, 0.9, 1.08);
            if (!try_building(s, &o, covers))
                return 0;
            if (tb_synth_rng_chance(&lr, 0.45)) {
                double ww = tb_synth_rng_uniform(&lr, 3.5, 5.0);
                double len = tb_synth_rng_uniform(&lr, 6.0, fmax(6.5, lot_d - d - 5.0));
                int east = tb_synth_rng_chance(&lr, 0.5);
                double cx = east ? lx + lot_w - 0.6 - ww / 2 : lx + 0.6 + ww / 2;
                o.shape = rect_shape(cx, ly + 0.8 + d + 1.5 + len / 2, len, ww, TB_SYNTH_PI / 2);
                o.height = (float)tb_synth_rng_uniform(&lr, 3.0, 4.5);
                if (!try_building(s, &o, covers))
                    return 0;
            }
        }
    }
    return 1;
}

/* Sheds and warehouses in a work yard, or a few farm buildings in a farm block. */
static int place_sheds(tb_synth_scene *s, const tb_synth_block *b, int i, int j, int farm)
{
    tb_synth_rng r = {tb_synth_hash(tb_synth_key(s->p.seed, farm ? STREAM_FARM_BUILDINGS : STREAM_YARDS),
                                    (uint64_t)i, (uint64_t)j, 0)};
    double area = (b->x1 - b->x0) * (b->y1 - b->y0);
    int tries = (int)(area / (farm ? 40000.0 : 2500.0)) + 1;
    unsigned covers = farm ? TB_SYNTH_BUILDABLE : 1u << TB_SYNTH_COVER_WORK_YARD;
    for (int t = 0; t < tries; t++) {
        tb_synth_object o;
        memset(&o, 0, sizeof o);
        double len = farm ? tb_synth_rng_uniform(&r, 6, 15) : tb_synth_rng_uniform(&r, 15, 60);
        double wid = farm ? tb_synth_rng_uniform(&r, 5, len) : tb_synth_rng_uniform(&r, 12, fmin(35, len));
        double angle = (tb_synth_rng_chance(&r, 0.5) ? 0 : TB_SYNTH_PI / 2) + tb_synth_rng_uniform(&r, -2, 2) * DEG;
        double cx = tb_synth_rng_uniform(&r, b->x0, b->x1), cy = tb_synth_rng_uniform(&r, b->y0, b->y1);
        o.shape = rect_shape(cx, cy, len, wid, angle);
        double u = tb_synth_rng_uniform(&r, 0, 1);
        o.material = u < 0.35 ? TB_SYNTH_MAT_BLUE : u < 0.6 ? TB_SYNTH_MAT_WHITE
                   : u < 0.85 ? TB_SYNTH_MAT_GREY : TB_SYNTH_MAT_CONCRETE;
        o.style = tb_synth_rng_chance(&r, 0.5) ? TB_SYNTH_ROOF_GABLE : TB_SYNTH_ROOF_FLAT;
        o.height = (float)(farm ? tb_synth_rng_uniform(&r, 3, 5) : tb_synth_rng_uniform(&r, 6, 10));
        o.tint = (float)tb_synth_rng_uniform(&r, 0.85, 1.05);
        if (!try_building(s, &o, covers))
            return 0;
    }
    return 1;
}

/* One side of a new structure, 4-40 m, most of them about 10 m. */
static double structure_side(tb_synth_rng *r)
{
    return 4.0 * pow(10.0, pow(tb_synth_rng_uniform(r, 0, 1), 1.3));
}

/* Draws a candidate new structure (shape, roof, height) centred at (cx, cy). */
static void draw_structure(tb_synth_scene *s, tb_synth_rng *r, double cx, double cy, tb_synth_object *o)
{
    memset(o, 0, sizeof *o);
    o->kind = TB_SYNTH_OBJ_STRUCTURE;
    o->dates = TB_SYNTH_DATE_AFTER;
    o->is_l = tb_synth_rng_chance(r, 0.4);
    double angle = tb_synth_rng_chance(r, 0.7) ? tb_synth_rng_uniform(r, -4, 4) * DEG
                                               : tb_synth_rng_uniform(r, 0, 90) * DEG;
    if (o->is_l) {
        double a = 8 + (structure_side(r) - 4) * (32.0 / 36.0);
        double b = 8 + (structure_side(r) - 4) * (32.0 / 36.0);
        o->shape = rect_shape(cx, cy, a, b, angle + (double)(tb_synth_rng_next(r) % 4) * TB_SYNTH_PI / 2);
        o->shape.nu = tb_synth_rng_uniform(r, 4, a - 4);
        o->shape.nv = tb_synth_rng_uniform(r, 4, b - 4);
    } else {
        double a = structure_side(r), b = structure_side(r);
        if (a > 5 * b)
            a = 5 * b;
        if (b > 5 * a)
            b = 5 * a;
        o->shape = rect_shape(cx, cy, a, b, angle);
    }
    double u = tb_synth_rng_uniform(r, 0, 1);
    o->material = u < 0.4 ? TB_SYNTH_MAT_WHITE : u < 0.75 ? TB_SYNTH_MAT_BLUE : TB_SYNTH_MAT_GREY;
    o->style = !o->is_l && o->material != TB_SYNTH_MAT_GREY && tb_synth_rng_chance(r, 0.6)
             ? TB_SYNTH_ROOF_GABLE : TB_SYNTH_ROOF_FLAT;
    o->height = (float)(tb_synth_rng_uniform(r, 2.8, 4.2) + 0.08 * sqrt(tb_synth_shape_area(&o->shape)));
    o->tint = (float)tb_synth_rng_uniform(r, 0.92, 1.06);
    finish_object(s, o);
}

/* The new structures: rejection sampling until the target count or the attempt budget
 * is reached. */
static tb_status place_structures(tb_synth_scene *s)
{
    double area = s->width_m * s->height_m;
    long target = s->p.n_structures >= 0 ? s->p.n_structures : lround(area / 3000.0);
    long budget = 60 * target + 200;
    double m = 2.0 * s->p.pixel_size; /* keep two pixels from the edge */
    tb_synth_rng r = tb_synth_rng_make(s->p.seed, STREAM_STRUCTURES);
    for (long attempt = 0; attempt < budget && s->n_structures < target; attempt++) {
        if (s->p.progress && attempt % 20000 == 0 &&
            !s->p.progress(0.0, "placing structures", s->p.progress_user))
            return tb_error(TB_ERR_CANCELLED, "synthetic scene: cancelled");
        double cx = tb_synth_rng_uniform(&r, 0, s->width_m), cy = tb_synth_rng_uniform(&r, 0, s->height_m);
        tb_synth_object o;
        draw_structure(s, &r, cx, cy, &o);
        if (o.box[0] < m || o.box[1] < m || o.box[2] > s->width_m - m || o.box[3] > s->height_m - m)
            continue;
        if (!tb_synth_layout_box_allowed(&s->layout, o.box, 1.0, TB_SYNTH_BUILDABLE) ||
            !box_is_free(s, o.box, 2.0, FREE_FULL, 0) || !clear_of_trees(s, o.box, 1.0, 1))
            continue;
        o.id = s->n_structures + 1;
        if (add_object(s, &o) < 0)
            return tb_error(TB_ERR_NOMEM, "synthetic scene: out of memory for the structures");
        s->n_structures++;
    }
    return TB_OK;
}

/* Demolitions: existing buildings, drawn at random among those of at least 20 m^2 that
 * lie inside the scene two pixels from its edge, lose their after date (the ground of
 * their lot shows instead). Their ids follow the structures'. */
static void remove_buildings(tb_synth_scene *s)
{
    const double m = 2.0 * s->p.pixel_size;
    int candidates = 0;
    for (int i = 0; i < s->n_obj; i++) {
        const tb_synth_object *o = &s->obj[i];
        candidates += o->kind == TB_SYNTH_OBJ_BUILDING && o->box[0] >= m && o->box[1] >= m &&
                      o->box[2] <= s->width_m - m && o->box[3] <= s->height_m - m &&
                      tb_synth_shape_area(&o->shape) >= 20.0;
    }
    tb_synth_rng r = tb_synth_rng_make(s->p.seed, STREAM_REMOVED);
    int want = s->p.n_removed < candidates ? s->p.n_removed : candidates;
    while (s->n_removed < want) {
        int pick = (int)(tb_synth_rng_next(&r) % (uint64_t)candidates), k = 0;
        for (int i = 0; i < s->n_obj; i++) {
            tb_synth_object *o = &s->obj[i];
            if (!(o->kind == TB_SYNTH_OBJ_BUILDING && o->box[0] >= m && o->box[1] >= m &&
                  o->box[2] <= s->width_m - m && o->box[3] <= s->height_m - m &&
                  tb_synth_shape_area(&o->shape) >= 20.0))
                continue;
            if (k++ != pick)
                continue;
            if (!o->removed) {
                o->removed = 1;
                o->dates = TB_SYNTH_DATE_BEFORE;
                o->id = s->n_structures + ++s->n_removed;
            }
            break;
        }
    }
}

/* The colour of a car for a uniform draw u: mostly white, black and silver. */
static int car_material(double u)
{
    return u < 0.35 ? TB_SYNTH_MAT_CAR_WHITE
         : u < 0.55 ? TB_SYNTH_MAT_CAR_BLACK
         : u < 0.82 ? TB_SYNTH_MAT_CAR_SILVER
         : u < 0.91 ? TB_SYNTH_MAT_CAR_RED
                    : TB_SYNTH_MAT_CAR_BLUE;
}

/* The cars of one date on the paved roads of one direction. */
static tb_status place_cars(tb_synth_scene *s, int date, const tb_synth_road *roads, int n, int vertical)
{
    tb_synth_rng r = tb_synth_rng_make(s->p.seed, STREAM_CARS + (uint64_t)(2 * date + vertical) * 7);
    double across = vertical ? s->width_m : s->height_m, along = vertical ? s->height_m : s->width_m;
    for (int i = 0; i < n; i++) {
        const tb_synth_road *rd = &roads[i];
        if (rd->pos - rd->half < 1 || rd->pos + rd->half > across - 1)
            continue;
        static const double spacing[3] = {110.0, 220.0, 500.0}; /* metres of road per car */
        double expect = along / spacing[rd->cls];
        int count = (int)floor(expect + tb_synth_rng_uniform(&r, 0, 1));
        for (int c = 0; c < count; c++) {
            tb_synth_object o;
            memset(&o, 0, sizeof o);
            o.kind = TB_SYNTH_OBJ_CAR;
            o.dates = date == 0 ? TB_SYNTH_DATE_BEFORE : TB_SYNTH_DATE_AFTER;
            int side = tb_synth_rng_chance(&r, 0.5) ? 1 : -1;
            double lane = rd->cls == TB_SYNTH_ROAD_MAIN ? tb_synth_rng_uniform(&r, 0.3, 0.65)
                        : rd->cls == TB_SYNTH_ROAD_LOCAL ? 0.45 : 0.0; /* tracks: one lane */
            double off = side * rd->half * lane;
            double pos = tb_synth_rng_uniform(&r, 4, along - 4);
            double angle = (vertical ? TB_SYNTH_PI / 2 : 0) + (side < 0 ? TB_SYNTH_PI : 0) +
                           tb_synth_rng_uniform(&r, -1.5, 1.5) * DEG;
            double len = tb_synth_rng_uniform(&r, 4.2, 4.9), wid = tb_synth_rng_uniform(&r, 1.7, 1.9);
            o.shape = vertical ? rect_shape(rd->pos + off, pos, len, wid, angle)
                               : rect_shape(pos, rd->pos + off, len, wid, angle);
            o.material = car_material(tb_synth_rng_uniform(&r, 0, 1));
            o.height = 1.5f;
            o.tint = (float)tb_synth_rng_uniform(&r, 0.9, 1.05);
            finish_object(s, &o);
            if (o.box[0] < 1 || o.box[1] < 1 || o.box[2] > s->width_m - 1 || o.box[3] > s->height_m - 1 ||
                !box_is_free(s, o.box, 0.8, FREE_CAR, o.dates))
                continue;
            if (add_object(s, &o) < 0)
                return tb_error(TB_ERR_NOMEM, "synthetic scene: out of memory for the cars");
            s->n_cars[date]++;
        }
    }
    return TB_OK;
}

tb_status tb_synth_scene_build(tb_synth_scene *s, const tb_synth_params *p)
{
    memset(s, 0, sizeof *s);
    s->p = *p;
    s->width_m = p->width * p->pixel_size;
    s->height_m = p->height * p->pixel_size;
    double az = p->sun_azimuth * DEG, el = p->sun_elevation * DEG;
    s->sunx = sin(az);
    s->suny = -cos(az);
    s->shx = -s->sunx / tan(el);
    s->shy = -s->suny / tan(el);
    s->key_noise[0] = tb_synth_key(p->seed, KEY_NOISE);
    s->key_noise[1] = tb_synth_key(p->seed, KEY_NOISE + 1);
    s->key_texture = tb_synth_key(p->seed, KEY_TEXTURE);
    tb_status st = tb_synth_layout_build(&s->layout, p->seed, s->width_m, s->height_m);
    if (st != TB_OK)
        return st;
    if ((st = grid_init(&s->grid, s->width_m, s->height_m)) != TB_OK)
        return st;
    if (p->progress && !p->progress(0.0, "placing buildings", p->progress_user))
        return tb_error(TB_ERR_CANCELLED, "synthetic scene: cancelled");
    const tb_synth_layout *L = &s->layout;
    for (int j = 0; j < L->n_hroads - 1; j++) {
        for (int i = 0; i < L->n_vroads - 1; i++) {
            const tb_synth_block *b = &L->blocks[(size_t)j * (size_t)(L->n_vroads - 1) + (size_t)i];
            double box[4] = {b->x0, b->y0, b->x1, b->y1};
            if (!in_scene(s, box))
                continue;
            int ok = 1;
            if (b->type == TB_SYNTH_BLOCK_VILLAGE)
                ok = place_village(s, b, i, j);
            else if (b->type == TB_SYNTH_BLOCK_YARD || b->type == TB_SYNTH_BLOCK_FARM)
                ok = place_sheds(s, b, i, j, b->type == TB_SYNTH_BLOCK_FARM);
            if (!ok)
                return tb_error(TB_ERR_NOMEM, "synthetic scene: out of memory for the buildings");
        }
    }
    if ((st = place_structures(s)) != TB_OK)
        return st;
    remove_buildings(s);
    for (int date = 0; date < 2; date++) {
        if ((st = place_cars(s, date, L->vroads, L->n_vroads, 1)) != TB_OK ||
            (st = place_cars(s, date, L->hroads, L->n_hroads, 0)) != TB_OK)
            return st;
    }
    return TB_OK;
}

void tb_synth_scene_free(tb_synth_scene *s)
{
    if (!s)
        return;
    tb_synth_layout_free(&s->layout);
    free(s->obj);
    free(s->grid.head);
    free(s->grid.ent_obj);
    free(s->grid.ent_next);
    memset(s, 0, sizeof *s);
}

const char *tb_synth_material_name(int material)
{
    static const char *const names[TB_SYNTH_MAT_COUNT] = {
        "white", "blue", "grey", "red-tile", "dark-tile", "concrete",
        "car-white", "car-black", "car-silver", "car-red", "car-blue"};
    return material >= 0 && material < TB_SYNTH_MAT_COUNT ? names[material] : "unknown";
}
