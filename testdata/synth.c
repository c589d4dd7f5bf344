/* synth.c: the public entry points of the synthetic-pair generator.
 *
 * tb_synth_run() checks the parameters, lays out the scene (synth_scene.c), then
 * renders it strip by strip: the rows of a strip (one tile row, 256 rows) are rendered
 * in parallel with OpenMP into two pixel-interleaved buffers and a mask buffer, and
 * the strip is written in row order (synth_write.c). Memory is bounded by the object
 * lists and three strip buffers, whatever the height of the scene, and the output is
 * the same for any number of threads because every row is a pure function of the
 * scene.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth_internal.h"
#include "tb_synth.h"

#define STRIP_ROWS 256
#define MAX_SIDE (1 << 20)

void tb_synth_defaults(tb_synth_params *p, int size, uint64_t seed)
{
    static const double gain[TB_SYNTH_BANDS] = {1.08, 1.07, 1.06, 1.10};
    static const double offset[TB_SYNTH_BANDS] = {40, 35, 30, 20};
    memset(p, 0, sizeof *p);
    p->width = p->height = size;
    p->seed = seed;
    p->pixel_size = 0.8;
    p->epsg = 4548;
    p->origin_x = 470000.0;
    p->origin_y = 4420000.0;
    p->n_structures = -1;
    p->compress = "DEFLATE";
    p->tiled = 1;
    for (int b = 0; b < TB_SYNTH_BANDS; b++) {
        p->gain[b] = gain[b];
        p->offset[b] = offset[b];
    }
    p->sun_azimuth = 145.0;
    p->sun_elevation = 58.0;
    p->date_before = "2026-05-03T02:30:00Z";
    p->date_after = "2026-06-14T02:30:00Z";
}

/* Case-insensitive equality of ASCII strings. */
static int same_word(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

/* 1 when `s` starts with an ISO 8601 date-time "YYYY-MM-DDTHH:MM:SS". */
static int is_iso_datetime(const char *s)
{
    static const char pattern[] = "dddd-dd-ddTdd:dd:dd";
    if (!s)
        return 0;
    for (int k = 0; pattern[k]; k++) {
        if (pattern[k] == 'd' ? !isdigit((unsigned char)s[k]) : s[k] != pattern[k])
            return 0;
    }
    return 1;
}

/* Checks the parameters; records and returns TB_ERR_USAGE for the first bad one. */
static tb_status check_params(const tb_synth_params *p)
{
    if (p->width < 1 || p->height < 1 || p->width > MAX_SIDE || p->height > MAX_SIDE)
        return tb_error(TB_ERR_USAGE, "synthetic scene: size %dx%d is out of range (1..%d pixels a side)",
                        p->width, p->height, MAX_SIDE);
    if (!(p->pixel_size > 0 && p->pixel_size < 1000))
        return tb_error(TB_ERR_USAGE, "synthetic scene: pixel size %g m is out of range", p->pixel_size);
    if (p->n_structures < -1)
        return tb_error(TB_ERR_USAGE, "synthetic scene: %d structures: must be -1 (automatic) or 0 or more",
                        p->n_structures);
    if (p->n_removed < 0)
        return tb_error(TB_ERR_USAGE, "synthetic scene: %d demolished buildings: must be 0 or more",
                        p->n_removed);
    if (p->compress && !same_word(p->compress, "DEFLATE") && !same_word(p->compress, "NONE"))
        return tb_error(TB_ERR_USAGE, "synthetic scene: compression '%s' is not DEFLATE or NONE", p->compress);
    if (!(p->sun_elevation >= 5 && p->sun_elevation <= 90) || !isfinite(p->sun_azimuth))
        return tb_error(TB_ERR_USAGE, "synthetic scene: sun elevation %g must be 5..90 degrees", p->sun_elevation);
    if (!isfinite(p->origin_x) || !isfinite(p->origin_y))
        return tb_error(TB_ERR_USAGE, "synthetic scene: the origin is not finite");
    for (int b = 0; b < TB_SYNTH_BANDS; b++)
        if (!(p->gain[b] > 0 && p->gain[b] < 10) || !isfinite(p->offset[b]))
            return tb_error(TB_ERR_USAGE, "synthetic scene: gain %g / offset %g of band %d out of range",
                            p->gain[b], p->offset[b], b + 1);
    if (!is_iso_datetime(p->date_before) || !is_iso_datetime(p->date_after))
        return tb_error(TB_ERR_USAGE, "synthetic scene: dates must be ISO 8601 (YYYY-MM-DDTHH:MM:SSZ)");
    return TB_OK;
}

/* Renders and writes every strip. */
static tb_status render_strips(const tb_synth_scene *s, tb_synth_writer *w, tb_synth_summary *sum)
{
    const tb_synth_params *p = &s->p;
    size_t W = (size_t)p->width;
    uint16_t *before = malloc(W * STRIP_ROWS * TB_SYNTH_BANDS * sizeof *before);
    uint16_t *after = malloc(W * STRIP_ROWS * TB_SYNTH_BANDS * sizeof *after);
    uint8_t *mask = malloc(W * STRIP_ROWS);
    tb_status st = TB_OK;
    if (!before || !after || !mask) {
        st = tb_error(TB_ERR_NOMEM, "synthetic scene: out of memory for strips of %d x %d pixels",
                      p->width, STRIP_ROWS);
        goto done;
    }
    for (int y0 = 0; y0 < p->height && st == TB_OK; y0 += STRIP_ROWS) {
        int rows = p->height - y0 < STRIP_ROWS ? p->height - y0 : STRIP_ROWS;
        if (p->progress && !p->progress((double)y0 / p->height, "rendering", p->progress_user)) {
            st = tb_error(TB_ERR_CANCELLED, "synthetic scene: cancelled");
            break;
        }
        long long ones = 0, twos = 0;
#pragma omp parallel for schedule(static) reduction(+ : ones, twos)
        for (int r = 0; r < rows; r++) {
            size_t off = (size_t)r * W;
            tb_synth_render_row(s, y0 + r, before + off * TB_SYNTH_BANDS, after + off * TB_SYNTH_BANDS, mask + off);
            for (size_t x = 0; x < W; x++) {
                ones += mask[off + x] == 1;
                twos += mask[off + x] == 2;
            }
        }
        sum->truth_pixels += ones;
        sum->removed_pixels += twos;
        st = tb_synth_writer_strip(w, y0, rows, before, after, mask);
    }
    if (st == TB_OK && p->progress && !p->progress(1.0, "rendering", p->progress_user))
        st = tb_error(TB_ERR_CANCELLED, "synthetic scene: cancelled");
done:
    free(before);
    free(after);
    free(mask);
    return st;
}

tb_status tb_synth_run(const char *outdir, const tb_synth_params *p, tb_synth_summary *summary)
{
    tb_synth_summary sum;
    memset(&sum, 0, sizeof sum);
    if (summary)
        *summary = sum;
    if (!outdir || !*outdir)
        return tb_error(TB_ERR_USAGE, "synthetic scene: no output directory");
    tb_status st = check_params(p);
    if (st != TB_OK)
        return st;
    tb_synth_scene *s = malloc(sizeof *s);
    if (!s)
        return tb_error(TB_ERR_NOMEM, "synthetic scene: out of memory");
    tb_synth_writer *w = NULL;
    st = tb_synth_scene_build(s, p);
    if (st == TB_OK)
        st = tb_synth_writer_open(&w, outdir, p);
    if (st == TB_OK)
        st = render_strips(s, w, &sum);
    if (st == TB_OK)
        st = tb_synth_writer_truth(w, s);
    if (st == TB_OK) {
        st = tb_synth_writer_commit(w); /* frees w in every case */
        w = NULL;
    }
    tb_synth_writer_abort(w);
    if (st == TB_OK && summary) {
        sum.n_structures = s->n_structures;
        sum.n_removed = s->n_removed;
        sum.n_buildings = s->n_buildings;
        sum.n_cars_before = s->n_cars[0];
        sum.n_cars_after = s->n_cars[1];
        for (int i = 0; i < s->n_obj; i++)
            if (s->obj[i].kind == TB_SYNTH_OBJ_STRUCTURE)
                sum.truth_area_m2 += tb_synth_shape_area(&s->obj[i].shape);
        *summary = sum;
    }
    tb_synth_scene_free(s);
    free(s);
    return st;
}

tb_status tb_synth_generate(const char *outdir, const tb_synth_params *p)
{
    return tb_synth_run(outdir, p, NULL);
}
