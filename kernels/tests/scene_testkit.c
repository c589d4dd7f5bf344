/* scene_testkit.c: the generated building scene (scene_testkit.h). */
#include <stdlib.h>

#include "scene_testkit.h"

#define GAP 12   /* free pixels between objects */

static int overlaps(const scene_rect *a, const scene_rect *b, int gap)
{
    return a->x < b->x + b->w + gap && b->x < a->x + a->w + gap && a->y < b->y + b->h + gap &&
           b->y < a->y + a->h + gap;
}

static int in_rect(const scene_rect *r, int x, int y, int margin)
{
    return x >= r->x - margin && x < r->x + r->w + margin && y >= r->y - margin &&
           y < r->y + r->h + margin;
}

int scene_near_object(const scene_layout *l, int x, int y, int margin)
{
    for (int k = 0; k < l->nbuildings; k++)
        if (in_rect(&l->buildings[k], x, y, margin))
            return 1;
    for (int k = 0; k < l->nroads; k++)
        if (in_rect(&l->roads[k], x, y, margin))
            return 1;
    for (int k = 0; k < l->nshadows; k++)
        if (in_rect(&l->shadows[k], x, y, margin))
            return 1;
    return l->plaza.w > 0 && in_rect(&l->plaza, x, y, margin);
}

/* Tries random positions for a w x h rectangle clear of everything placed so far. */
static int place(tk_rng *rng, const scene_layout *l, int iw, int ih, int w, int h, scene_rect *out)
{
    if (w + 2 > iw || h + 2 > ih)
        return 0;
    for (int attempt = 0; attempt < 200; attempt++) {
        scene_rect r = {tk_int(rng, 1, iw - w - 1), tk_int(rng, 1, ih - h - 1), w, h};
        int free_ = 1;
        for (int k = 0; k < l->nbuildings && free_; k++)
            free_ = !overlaps(&r, &l->buildings[k], GAP);
        for (int k = 0; k < l->nroads && free_; k++)
            free_ = !overlaps(&r, &l->roads[k], GAP);
        for (int k = 0; k < l->nshadows && free_; k++)
            free_ = !overlaps(&r, &l->shadows[k], GAP);
        if (free_ && l->plaza.w > 0)
            free_ = !overlaps(&r, &l->plaza, GAP);
        if (free_) {
            *out = r;
            return 1;
        }
    }
    return 0;
}

static void fill(tk_rng *rng, float *b, int w, const scene_rect *r, float level)
{
    for (int y = r->y; y < r->y + r->h; y++)
        for (int x = r->x; x < r->x + r->w; x++)
            b[(size_t)y * w + x] = level + (float)(tk_uniform(rng) * 6.0 - 3.0);
}

void scene_generate(tk_rng *rng, float *b, int w, int h, scene_layout *layout)
{
    static const int buildings[][2] = {{8, 8},   {10, 16}, {12, 12}, {16, 24}, {20, 20},
                                       {24, 12}, {30, 30}, {36, 20}, {40, 40}, {14, 34}};
    static const int shadows[][2] = {{10, 30}, {16, 16}, {24, 8}, {30, 12}};
    scene_layout local;
    scene_layout *l = layout ? layout : &local;
    l->nbuildings = l->nroads = l->nshadows = 0;
    l->plaza.w = 0;

    /* Background: bilinear value noise on a 16-pixel grid, 0..20, plus pixel noise. */
    const int cell = 16, gw = w / cell + 2, gh = h / cell + 2;
    float *grid = malloc(sizeof *grid * (size_t)gw * gh);
    if (!grid)
        abort();
    for (int i = 0; i < gw * gh; i++)
        grid[i] = (float)(tk_uniform(rng) * 20.0);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const int gx = x / cell, gy = y / cell;
            const float fx = (float)(x % cell) / cell, fy = (float)(y % cell) / cell;
            const float *g0 = grid + gy * gw + gx, *g1 = g0 + gw;
            const float top = g0[0] + fx * (g0[1] - g0[0]), bot = g1[0] + fx * (g1[1] - g1[0]);
            b[(size_t)y * w + x] = SCENE_BACKGROUND + top + fy * (bot - top) +
                                   (float)(tk_uniform(rng) * 6.0 - 3.0);
        }
    free(grid);

    const float mean = SCENE_BACKGROUND + 10.0f;
    const int sets = (int)((double)w * h / (512.0 * 512.0) + 0.5) > 1
                         ? (int)((double)w * h / (512.0 * 512.0) + 0.5) : 1;
    scene_rect r;
    /* Biggest first, so they find room: the plaza, roads, then buildings and shadows. */
    if (place(rng, l, w, h, 120, 120, &r)) {
        l->plaza = r;
        fill(rng, b, w, &r, mean + SCENE_CONTRAST);
    }
    for (int s = 0; s < sets; s++) {
        if (l->nroads < SCENE_MAX_OBJECTS && place(rng, l, w, h, w * 4 / 5, 6, &r)) {
            l->roads[l->nroads++] = r;
            fill(rng, b, w, &r, mean + SCENE_CONTRAST);
        }
        if (l->nroads < SCENE_MAX_OBJECTS && place(rng, l, w, h, 6, h * 3 / 5, &r)) {
            l->roads[l->nroads++] = r;
            fill(rng, b, w, &r, mean + SCENE_CONTRAST);
        }
    }
    for (int s = 0; s < sets; s++) {
        for (size_t k = 0; k < sizeof buildings / sizeof buildings[0]; k++)
            if (l->nbuildings < SCENE_MAX_OBJECTS &&
                place(rng, l, w, h, buildings[k][0], buildings[k][1], &r)) {
                l->buildings[l->nbuildings++] = r;
                fill(rng, b, w, &r, mean + SCENE_CONTRAST);
            }
        for (size_t k = 0; k < sizeof shadows / sizeof shadows[0]; k++)
            if (l->nshadows < SCENE_MAX_OBJECTS &&
                place(rng, l, w, h, shadows[k][0], shadows[k][1], &r)) {
                l->shadows[l->nshadows++] = r;
                fill(rng, b, w, &r, mean - SCENE_SHADOW_CONTRAST);
            }
    }
}
