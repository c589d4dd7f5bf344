/* synth_render.c: the radiometry of one pixel at both dates, row by row.
 *
 * A pixel is sampled at its centre, top layer first: a car of that date, a roof (a
 * new structure only at the after date), a tree crown, the ground. Shadows of
 * buildings, structures, cars and trees then darken the ground and cars under them,
 * more in the red and NIR than in the blue (skylight); roofs and crowns stand above
 * them. The after date differs from the
 * before date by the seasonal change of the vegetation (red and NIR of the vegetated
 * part shift by up to 15%, smoothly over a field or a tree row), soil moisture (up to
 * 8%), the new structures, the cars, a gain and offset per band, and independent
 * sensor noise (Gaussian-like, 1.2% of the signal + 5 DN). Values are in a 12-bit
 * reflectance scale (about reflectance * 10000, clamped to 1..4095).
 *
 * Every sample is a pure function of the scene and of (col, row, date): rows can be
 * rendered on any thread in any order with identical results.
 */
#include <math.h>

#include "synth_internal.h"
#include "synth_noise.h"

#define CHUNK 16      /* pixels sharing one tree query */
#define TREE_CAP 512

/* Spectra of the materials (B, G, R, NIR) at the before date. */
static const float MATERIAL[TB_SYNTH_MAT_COUNT][4] = {
    [TB_SYNTH_MAT_WHITE] = {2800, 2900, 3000, 3050},
    [TB_SYNTH_MAT_BLUE] = {2150, 1600, 750, 2300},
    [TB_SYNTH_MAT_GREY] = {1500, 1580, 1620, 1700},
    [TB_SYNTH_MAT_RED_TILE] = {650, 700, 1150, 1500},
    [TB_SYNTH_MAT_DARK_TILE] = {700, 720, 740, 850},
    [TB_SYNTH_MAT_CONCRETE] = {1550, 1600, 1650, 1750},
    [TB_SYNTH_MAT_CAR_WHITE] = {2900, 2950, 3000, 3000},
    [TB_SYNTH_MAT_CAR_BLACK] = {330, 340, 350, 380},
    [TB_SYNTH_MAT_CAR_SILVER] = {1900, 1950, 2000, 2050},
    [TB_SYNTH_MAT_CAR_RED] = {500, 480, 2000, 2300},
    [TB_SYNTH_MAT_CAR_BLUE] = {1500, 800, 450, 1100},
};
static const float GLASS[4] = {300, 320, 330, 360};
static const float CROWN[4] = {300, 580, 390, 2600};
/* Share of the light left in full shadow (diffuse skylight is bluish). */
static const float SHADOW_LEFT[4] = {0.42f, 0.33f, 0.30f, 0.25f};
/* Relative change of the vegetation per unit of seasonal change (greener > 0). */
static const float SEASON_GAIN[4] = {-0.04f, 0.05f, -0.15f, 0.15f};
#define TREE_SHADOW 0.75f /* crowns let a quarter of the direct light through */
#define WET_GAIN 0.08f

/* What lies at one pixel, shared by both dates. */
typedef struct pixel_layers {
    const tb_synth_object *roof;    /* building or structure footprint */
    const tb_synth_object *car[2];  /* car of each date */
    const tb_synth_tree *crown;
    float tree_shadow;              /* 0 or TREE_SHADOW */
    float object_shadow[2];         /* 0 or 1, per date */
} pixel_layers;

/* The trees near (x, y): crown (the nearest one relative to its radius) and shadow. */
static void find_trees(const tb_synth_scene *s, const tb_synth_tree *trees, int n, double x,
                       double y, pixel_layers *px)
{
    float best = 1.0f;
    for (int k = 0; k < n; k++) {
        const tb_synth_tree *t = &trees[k];
        double dx = x - t->x, dy = y - t->y, d2 = dx * dx + dy * dy;
        double r = t->r;
        if (d2 < 1.21 * r * r) {
            /* Irregular crown edge. */
            float reff = (float)r * (0.93f + 0.15f * tb_synth_vnoise(t->key, x / 1.1, y / 1.1));
            float rel = (float)sqrt(d2) / reff;
            if (rel < best) {
                best = rel;
                px->crown = t;
            }
        }
    }
    for (int k = 0; k < n; k++) {
        const tb_synth_tree *t = &trees[k];
        if (t == px->crown)
            continue;
        /* The crown fills the upper part of the tree: its shadow is the disc swept
         * from 0.3 h to h along the shadow direction. */
        double vx = 0.7 * t->h * s->shx, vy = 0.7 * t->h * s->shy;
        double dx = x - t->x - 0.3 * t->h * s->shx, dy = y - t->y - 0.3 * t->h * s->shy;
        double tt = (dx * vx + dy * vy) / (vx * vx + vy * vy);
        tt = tt < 0 ? 0 : tt > 1 ? 1 : tt;
        double ex = dx - tt * vx, ey = dy - tt * vy;
        double r = 0.9 * t->r;
        if (ex * ex + ey * ey < r * r) {
            px->tree_shadow = TREE_SHADOW;
            break;
        }
    }
}

/* The objects of the grid cell holding (x, y). */
static void find_objects(const tb_synth_scene *s, double x, double y, pixel_layers *px)
{
    int cell = tb_synth_grid_cell(&s->grid, x, y);
    if (cell < 0)
        return;
    for (int e = s->grid.head[cell]; e >= 0; e = s->grid.ent_next[e]) {
        const tb_synth_object *o = &s->obj[s->grid.ent_obj[e]];
        if (x < o->box[0] || x > o->box[2] || y < o->box[1] || y > o->box[3])
            continue;
        if (tb_synth_shape_contains(&o->shape, x, y)) {
            if (o->kind == TB_SYNTH_OBJ_CAR)
                px->car[o->dates == TB_SYNTH_DATE_AFTER] = o;
            else
                px->roof = o;
        } else if (tb_synth_shape_in_sweep(&o->shape, o->sdx, o->sdy, x, y)) {
            if (o->dates & TB_SYNTH_DATE_BEFORE)
                px->object_shadow[0] = 1.0f;
            if (o->dates & TB_SYNTH_DATE_AFTER)
                px->object_shadow[1] = 1.0f;
        }
    }
}

/* A roof: material, tint, fine texture; a gable roof is brighter on the half facing
 * the sun; a flat roof has a darker parapet; the arms of an L differ slightly. */
static void roof_colour(const tb_synth_scene *s, const tb_synth_object *o, double x, double y, float v[4])
{
    double u, w;
    tb_synth_shape_local(&o->shape, x, y, &u, &w);
    uint64_t key = s->key_texture ^ ((uint64_t)(o - s->obj) * TB_SYNTH_K1);
    float k = o->tint * (1.0f + 0.025f * tb_synth_vnoise(key, x / 1.5, y / 1.5));
    if (o->style == TB_SYNTH_ROOF_GABLE) {
        /* The local v axis on the ground is (-s, c); its half v > 0 tilts that way. */
        float facing = (float)(-o->shape.s * s->sunx + o->shape.c * s->suny);
        float pitch = o->material >= TB_SYNTH_MAT_RED_TILE ? 0.14f : 0.07f;
        k *= 1.0f + (w > 0 ? pitch : -pitch) * facing;
    } else {
        if (tb_synth_shape_edge_distance(&o->shape, u, w) < 0.45)
            k *= 0.85f;
        if (o->is_l && u > o->shape.hu - o->shape.nu)
            k *= 0.96f;
    }
    for (int b = 0; b < 4; b++)
        v[b] = MATERIAL[o->material][b] * k;
}

/* A car: body colour, dark windscreen and rear window (the front is at +u). */
static void car_colour(const tb_synth_object *o, double x, double y, float v[4])
{
    double u, w;
    tb_synth_shape_local(&o->shape, x, y, &u, &w);
    double t = u / o->shape.hu;
    int glass = (t > 0.05 && t < 0.45) || (t > -0.8 && t < -0.55);
    for (int b = 0; b < 4; b++)
        v[b] = glass ? GLASS[b] : MATERIAL[o->material][b] * o->tint;
}

/* A tree crown: lit on the side facing the sun, clumpy, seasonal. */
static void crown_colour(const tb_synth_scene *s, const tb_synth_tree *t, double x, double y,
                         int date, float v[4])
{
    float lit = (float)(((x - t->x) * s->sunx + (y - t->y) * s->suny) / t->r);
    float k = t->tone * (0.8f + 0.2f * lit) * (1.0f + 0.12f * tb_synth_vnoise(t->key ^ TB_SYNTH_K2, x / 1.3, y / 1.3));
    for (int b = 0; b < 4; b++) {
        float season = date ? 1.0f + SEASON_GAIN[b] * t->season : 1.0f;
        v[b] = CROWN[b] * k * season;
    }
}

/* The ground mixture at one date. */
static void ground_colour(const tb_synth_ground *g, int date, float v[4])
{
    for (int b = 0; b < 4; b++) {
        float soil = g->soil[b], veg = g->veg[b];
        if (date) {
            soil *= 1.0f - WET_GAIN * g->wet;
            veg *= 1.0f + SEASON_GAIN[b] * g->season;
        }
        v[b] = soil + g->f * (veg - soil);
    }
}

/* The four samples of one pixel at one date. */
static void pixel_date(const tb_synth_scene *s, const pixel_layers *px, const tb_synth_ground *g,
                       double x, double y, int col, int row, int date, uint16_t out[4])
{
    float v[4];
    const tb_synth_object *roof = px->roof;
    if (roof && !(roof->dates & (date ? TB_SYNTH_DATE_AFTER : TB_SYNTH_DATE_BEFORE)))
        roof = NULL;
    if (px->car[date])
        car_colour(px->car[date], x, y, v);
    else if (roof)
        roof_colour(s, roof, x, y, v);
    else if (px->crown)
        crown_colour(s, px->crown, x, y, date, v);
    else
        ground_colour(g, date, v);
    /* Shadows fall on the ground and on cars; roofs and crowns stand above the
     * shadows of their neighbours. */
    float shade = px->object_shadow[date] > px->tree_shadow ? px->object_shadow[date] : px->tree_shadow;
    if (!px->car[date] && (roof || px->crown))
        shade = 0.0f;
    uint64_t h0 = tb_synth_hash(s->key_noise[date], (uint64_t)col, (uint64_t)row, 0);
    for (int b = 0; b < 4; b++) {
        float val = v[b] * (1.0f - shade * (1.0f - SHADOW_LEFT[b]));
        if (date)
            val = (float)s->p.gain[b] * val + (float)s->p.offset[b];
        float sigma = 0.012f * val + 5.0f;
        val += sigma * tb_synth_gauss(tb_synth_mix(h0 + (uint64_t)(b + 1) * TB_SYNTH_K1));
        val = val < 1.0f ? 1.0f : val > 4095.0f ? 4095.0f : val;
        out[b] = (uint16_t)(val + 0.5f);
    }
}

void tb_synth_render_row(const tb_synth_scene *s, int row, uint16_t *before, uint16_t *after,
                         uint8_t *mask)
{
    const double ps = s->p.pixel_size;
    const double y = (row + 0.5) * ps;
    const double hx = -s->shx * TB_SYNTH_TREE_HMAX, hy = -s->shy * TB_SYNTH_TREE_HMAX;
    tb_synth_tree trees[TREE_CAP];
    for (int c0 = 0; c0 < s->p.width; c0 += CHUNK) {
        int c1 = c0 + CHUNK < s->p.width ? c0 + CHUNK : s->p.width;
        /* A tree at c shades p when p = c + t h shadow: look east of p for westward shadows. */
        double box[4] = {c0 * ps - TB_SYNTH_TREE_RMAX + fmin(0, hx), y - TB_SYNTH_TREE_RMAX + fmin(0, hy),
                         c1 * ps + TB_SYNTH_TREE_RMAX + fmax(0, hx), y + TB_SYNTH_TREE_RMAX + fmax(0, hy)};
        int nt = tb_synth_trees_in_box(&s->layout, box, trees, TREE_CAP);
        if (nt > TREE_CAP)
            nt = TREE_CAP;
        for (int col = c0; col < c1; col++) {
            double x = (col + 0.5) * ps;
            pixel_layers px = {0};
            tb_synth_ground g;
            find_objects(s, x, y, &px);
            find_trees(s, trees, nt, x, y, &px);
            tb_synth_ground_at(&s->layout, x, y, &g);
            pixel_date(s, &px, &g, x, y, col, row, 0, before + 4 * (size_t)col);
            pixel_date(s, &px, &g, x, y, col, row, 1, after + 4 * (size_t)col);
            mask[col] = !px.roof ? 0 : px.roof->kind == TB_SYNTH_OBJ_STRUCTURE ? 1
                      : px.roof->removed ? 2 : 0;
        }
    }
}
