/* synth_internal.h: the pieces of the synthetic-pair generator and how they meet.
 *
 * Coordinates inside the generator are scene metres: x to the east from the left
 * edge, y to the south from the top edge, so pixel (col, row) has its centre at
 * ((col + 0.5) * pixel_size, (row + 0.5) * pixel_size). Only synth_write.c converts
 * to the CRS (x + origin_x, origin_y - y).
 *
 *   synth_layout.c  roads, blocks and parcels; the ground spectrum at any point
 *   synth_trees.c   trees, generated implicitly from the layout (no list is kept)
 *   synth_shape.c   footprints (rotated rectangles and L-shapes) and their shadows
 *   synth_scene.c   explicit objects: existing buildings, new structures, cars
 *   synth_render.c  per-pixel radiometry of both dates and the truth mask, row by row
 *   synth_write.c   GeoTIFF and GeoJSON output under temporary names
 *   synth.c         parameters, the strip loop and the public entry points
 *
 * Ownership: a layout or a scene owns its arrays and is freed with its _free
 * function (NULL-safe); nothing here is thread-local, and a built scene is read-only
 * so any number of threads may render rows of it at once.
 */
#ifndef SYNTH_INTERNAL_H
#define SYNTH_INTERNAL_H

#include <stdint.h>

#include "tb_synth.h"

/* ---- layout (synth_layout.c) ---------------------------------------------------- */

typedef enum tb_synth_cover {
    TB_SYNTH_COVER_ROAD,
    TB_SYNTH_COVER_CROP_ROWS,
    TB_SYNTH_COVER_CROP_YOUNG,
    TB_SYNTH_COVER_BARE_SOIL,
    TB_SYNTH_COVER_GRASS,
    TB_SYNTH_COVER_GREENHOUSE,
    TB_SYNTH_COVER_VILLAGE_YARD,
    TB_SYNTH_COVER_WORK_YARD,
    TB_SYNTH_COVER_ORCHARD
} tb_synth_cover;

/* Covers on which a new structure may be built. */
#define TB_SYNTH_BUILDABLE                                                                  \
    ((1u << TB_SYNTH_COVER_CROP_ROWS) | (1u << TB_SYNTH_COVER_CROP_YOUNG) |                 \
     (1u << TB_SYNTH_COVER_BARE_SOIL) | (1u << TB_SYNTH_COVER_GRASS) |                      \
     (1u << TB_SYNTH_COVER_VILLAGE_YARD) | (1u << TB_SYNTH_COVER_WORK_YARD))

typedef enum tb_synth_block_type {
    TB_SYNTH_BLOCK_FARM,
    TB_SYNTH_BLOCK_VILLAGE,
    TB_SYNTH_BLOCK_YARD,
    TB_SYNTH_BLOCK_ORCHARD,
    TB_SYNTH_BLOCK_GRASS
} tb_synth_block_type;

typedef enum tb_synth_road_class {
    TB_SYNTH_ROAD_MAIN,  /* asphalt, shoulders */
    TB_SYNTH_ROAD_LOCAL, /* concrete */
    TB_SYNTH_ROAD_TRACK  /* dirt, wheel ruts */
} tb_synth_road_class;

/* A straight road across the scene: north-south (pos is x) or east-west (pos is y). */
typedef struct tb_synth_road {
    double pos;        /* centre line */
    double half;       /* half width of the paved part */
    double edge;       /* half width including shoulders: blocks start here */
    int cls;           /* tb_synth_road_class */
    int trees;         /* 1: a row of trees on each side */
    double tree_off;   /* distance from the centre line to the tree rows */
    double tree_step;  /* spacing of the trees along the rows */
    double tree_phase;
    float season;      /* seasonal change of the roadside trees */
} tb_synth_road;

/* A field or the whole of a non-farm block, with its radiometric recipe. */
typedef struct tb_synth_parcel {
    double lo, hi;      /* extent along the block's split axis */
    int kind;           /* tb_synth_cover */
    float soil[4];      /* non-vegetated material: soil, gravel, plastic film */
    float veg[4];       /* vegetation at the before date */
    float f_base;       /* mean vegetation fraction */
    float f_patch;      /* amplitude of patchy growth (15 m) */
    float f_fine;       /* amplitude of fine texture (2 m) */
    float row_amp;      /* crop rows: amplitude of the vegetation fraction */
    float furrow;       /* ploughed soil: amplitude of the soil brightness rows */
    float row_k;        /* wavenumber of the rows (radians per metre) */
    float row_nx, row_ny; /* unit normal of the rows */
    float tunnel, gap;  /* greenhouses: tunnel width and the path between (metres) */
    float season;       /* [-1,1]: vegetation greener (+) or browner (-) after */
    float wet;          /* [-1,1]: soil darker (+) or lighter (-) after */
    uint64_t key;       /* texture stream */
} tb_synth_parcel;

typedef struct tb_synth_block {
    int type;               /* tb_synth_block_type */
    int axis;               /* 0: parcels side by side along x; 1: along y */
    int first, count;       /* parcels */
    double x0, y0, x1, y1;  /* interior, between the road edges */
    float season;           /* seasonal change of the block's trees */
} tb_synth_block;

typedef struct tb_synth_layout {
    uint64_t seed;
    double width_m, height_m;
    tb_synth_road *vroads, *hroads; /* sorted by pos; the first < 0, the last > extent */
    int n_vroads, n_hroads;
    tb_synth_block *blocks;         /* (n_vroads - 1) * (n_hroads - 1), row-major in j */
    tb_synth_parcel *parcels;
    int n_parcels;
} tb_synth_layout;

/* The ground at a point, before objects and trees: a mixture of a non-vegetated and
 * a vegetated spectrum, with the seasonal change to apply at the after date. */
typedef struct tb_synth_ground {
    float soil[4], veg[4];
    float f;       /* vegetation fraction in [0,1] */
    float season;  /* [-1,1] */
    float wet;     /* [-1,1] */
    int cover;     /* tb_synth_cover */
} tb_synth_ground;

/* Builds the layout of a scene of the given extent. Returns TB_OK or TB_ERR_NOMEM
 * (recorded). The layout must be freed with tb_synth_layout_free(). */
tb_status tb_synth_layout_build(tb_synth_layout *L, uint64_t seed, double width_m, double height_m);
void tb_synth_layout_free(tb_synth_layout *L);

/* The block containing (x, y) (any point, roads included), with its indices. */
const tb_synth_block *tb_synth_layout_block(const tb_synth_layout *L, double x, double y,
                                            int *bi, int *bj);

/* The ground at (x, y). Pure. */
void tb_synth_ground_at(const tb_synth_layout *L, double x, double y, tb_synth_ground *g);

/* 1 when the box {x0, y0, x1, y1} lies inside one block, at least `margin` from its
 * roads, and every parcel it touches has a cover in `covers` (bit set). */
int tb_synth_layout_box_allowed(const tb_synth_layout *L, const double box[4], double margin,
                                unsigned covers);

/* Index of the first road with pos >= v (n when none). */
int tb_synth_roads_lower(const tb_synth_road *roads, int n, double v);

/* ---- trees (synth_trees.c) ------------------------------------------------------- */

#define TB_SYNTH_TREE_RMAX 4.4  /* largest canopy radius, irregular edge included */
#define TB_SYNTH_TREE_HMAX 14.0 /* tallest tree (metres) */

typedef struct tb_synth_tree {
    double x, y;
    float r, h;     /* canopy radius and height (metres) */
    float season;   /* [-1,1] */
    float tone;     /* brightness factor of the crown */
    uint64_t key;   /* crown texture stream */
} tb_synth_tree;

/* Writes to `out` (at most `cap`) the trees whose centre lies in the box
 * {x0, y0, x1, y1}, in a fixed order. Returns how many there are (may exceed cap:
 * only the first cap are written). Pure. */
int tb_synth_trees_in_box(const tb_synth_layout *L, const double box[4], tb_synth_tree *out,
                          int cap);

/* ---- shapes (synth_shape.c) ------------------------------------------------------ */

/* A footprint: a rectangle, or an L (the rectangle minus its (+u, +v) corner notch),
 * rotated by an angle about its centre. Local axes: u = R^T (p - c). */
typedef struct tb_synth_shape {
    double cx, cy;   /* centre of the outer rectangle */
    double c, s;     /* cos and sin of the rotation */
    double hu, hv;   /* half sizes of the outer rectangle */
    double nu, nv;   /* notch sizes; 0 for a rectangle */
} tb_synth_shape;

void tb_synth_shape_local(const tb_synth_shape *sh, double x, double y, double *u, double *v);
/* 1 when (x, y) is inside the footprint. */
int tb_synth_shape_contains(const tb_synth_shape *sh, double x, double y);
/* 1 when (x, y) is inside the footprint swept along the shadow vector (dx, dy), i.e.
 * (x, y) - t (dx, dy) is inside for some t in [0, 1] (the footprint included). */
int tb_synth_shape_in_sweep(const tb_synth_shape *sh, double dx, double dy, double x, double y);
/* Bounding box {x0, y0, x1, y1} of the footprint and its sweep. */
void tb_synth_shape_box(const tb_synth_shape *sh, double dx, double dy, double box[4]);
/* The outline in scene metres, counter-clockwise on a north-up map; returns the
 * number of vertices (4 or 6). */
int tb_synth_shape_ring(const tb_synth_shape *sh, double xy[12]);
double tb_synth_shape_area(const tb_synth_shape *sh);
/* Distance from an inside point to the outline (local coordinates). */
double tb_synth_shape_edge_distance(const tb_synth_shape *sh, double u, double v);

/* ---- scene objects (synth_scene.c) ---------------------------------------------- */

typedef enum tb_synth_kind {
    TB_SYNTH_OBJ_BUILDING,  /* exists at both dates */
    TB_SYNTH_OBJ_STRUCTURE, /* new: after date only, the truth */
    TB_SYNTH_OBJ_CAR        /* one date only */
} tb_synth_kind;

typedef enum tb_synth_material {
    TB_SYNTH_MAT_WHITE,     /* white steel or coated concrete */
    TB_SYNTH_MAT_BLUE,      /* blue painted steel */
    TB_SYNTH_MAT_GREY,      /* grey steel or concrete */
    TB_SYNTH_MAT_RED_TILE,
    TB_SYNTH_MAT_DARK_TILE,
    TB_SYNTH_MAT_CONCRETE,
    TB_SYNTH_MAT_CAR_WHITE,
    TB_SYNTH_MAT_CAR_BLACK,
    TB_SYNTH_MAT_CAR_SILVER,
    TB_SYNTH_MAT_CAR_RED,
    TB_SYNTH_MAT_CAR_BLUE,
    TB_SYNTH_MAT_COUNT
} tb_synth_material;

typedef enum tb_synth_roof_style {
    TB_SYNTH_ROOF_FLAT,  /* darker parapet at the edge */
    TB_SYNTH_ROOF_GABLE  /* ridge along u: the half facing the sun is brighter */
} tb_synth_roof_style;

#define TB_SYNTH_DATE_BEFORE 1
#define TB_SYNTH_DATE_AFTER 2

typedef struct tb_synth_object {
    tb_synth_shape shape;
    double box[4];      /* footprint and shadow */
    double foot[4];     /* footprint only */
    double sdx, sdy;    /* shadow vector (metres) */
    float height;
    float tint;         /* brightness factor of the material */
    int kind;           /* tb_synth_kind */
    int material;       /* tb_synth_material */
    int style;          /* tb_synth_roof_style */
    int dates;          /* TB_SYNTH_DATE_* bits */
    int id;             /* structures and demolished buildings: their id in truth.geojson; others 0 */
    int is_l;           /* L-shaped footprint */
    int removed;        /* an existing building demolished between the dates (before only) */
} tb_synth_object;

/* Coarse bucket index: each cell lists the objects whose box touches it. */
typedef struct tb_synth_grid {
    double cell;
    int nx, ny;
    int32_t *head;              /* first entry of each cell, -1 when empty */
    int32_t *ent_obj, *ent_next;
    int n_ent, cap_ent;
} tb_synth_grid;

typedef struct tb_synth_scene {
    tb_synth_params p;          /* copy; its strings are not owned */
    double width_m, height_m;
    double shx, shy;            /* shadow vector per metre of height */
    double sunx, suny;          /* unit vector towards the sun, on the ground */
    tb_synth_layout layout;
    tb_synth_object *obj;
    int n_obj, cap_obj;
    tb_synth_grid grid;
    int n_buildings, n_structures, n_removed, n_cars[2];
    uint64_t key_noise[2];      /* sensor noise of each date */
    uint64_t key_texture;       /* roof and crown textures */
} tb_synth_scene;

/* Lays out the scene and places every object. Returns TB_OK, TB_ERR_NOMEM or
 * TB_ERR_CANCELLED (recorded). Free with tb_synth_scene_free() in every case. */
tb_status tb_synth_scene_build(tb_synth_scene *s, const tb_synth_params *p);
void tb_synth_scene_free(tb_synth_scene *s);

/* The grid cell holding (x, y), or -1 outside the grid. */
int tb_synth_grid_cell(const tb_synth_grid *g, double x, double y);

/* "white", "blue", "grey", ... */
const char *tb_synth_material_name(int material);

/* ---- rendering (synth_render.c) -------------------------------------------------- */

/* Renders image row `row`: `before` and `after` receive width * 4 pixel-interleaved
 * samples (B, G, R, NIR), `mask` width bytes (1 = new structure, 2 = demolished
 * building). Pure; thread-safe. */
void tb_synth_render_row(const tb_synth_scene *s, int row, uint16_t *before, uint16_t *after,
                         uint8_t *mask);

/* ---- output (synth_write.c) ------------------------------------------------------ */

typedef struct tb_synth_writer tb_synth_writer;

/* Creates `outdir` if needed and the three rasters under temporary names.
 * Returns TB_OK or TB_ERR_OUTPUT/TB_ERR_NOMEM (recorded, nothing left behind). */
tb_status tb_synth_writer_open(tb_synth_writer **w, const char *outdir, const tb_synth_params *p);

/* Writes `rows` rows starting at `y0` (the buffers are laid out as for
 * tb_synth_render_row, row after row). Rows must come in order. */
tb_status tb_synth_writer_strip(tb_synth_writer *w, int y0, int rows, const uint16_t *before,
                                const uint16_t *after, const uint8_t *mask);

/* Writes the truth polygons (the structures of `s`) under a temporary name. */
tb_status tb_synth_writer_truth(tb_synth_writer *w, const tb_synth_scene *s);

/* Closes every file and renames them to their final names. Frees `w` whatever
 * happens; on error the temporary files are removed. */
tb_status tb_synth_writer_commit(tb_synth_writer *w);

/* Closes and removes every temporary file and frees `w`. NULL-safe. */
void tb_synth_writer_abort(tb_synth_writer *w);

#endif
