/* scene_testkit.h: a generated brightness image for the building-index tests: a
 * textured background with bright buildings of several sizes, long bright roads, a
 * bright open area wider than the longest line, and dark shadows, placed at random
 * without touching each other. Deterministic for a seed. */
#ifndef SCENE_TESTKIT_H
#define SCENE_TESTKIT_H

#include "kernels_testkit.h"

#define SCENE_BACKGROUND 80.0f         /* plus smooth texture in [0, 20), noise +-3 */
#define SCENE_CONTRAST 100.0f          /* buildings, roads, plaza: background mean + this */
#define SCENE_SHADOW_CONTRAST 60.0f    /* shadows: background mean - this */
#define SCENE_MAX_OBJECTS 512

typedef struct scene_rect {
    int x, y, w, h;
} scene_rect;

typedef struct scene_layout {
    scene_rect buildings[SCENE_MAX_OBJECTS], roads[SCENE_MAX_OBJECTS], shadows[SCENE_MAX_OBJECTS];
    int nbuildings, nroads, nshadows;
    scene_rect plaza;    /* w = 0 when it did not fit */
} scene_layout;

/* Fills b (w x h). Object counts grow with the area (one set per 512^2); objects that
 * find no free place are left out. `layout` may be NULL. */
void scene_generate(tk_rng *rng, float *b, int w, int h, scene_layout *layout);

/* Whether (x, y) lies within `margin` pixels of any object. */
int scene_near_object(const scene_layout *layout, int x, int y, int margin);

#endif
