/* eval_dataset.c: `tuban eval --dataset DIR` (tb_eval_dataset.h): tiles found, scanned,
 * scored and pooled.
 *
 * Pooling sums the pixel confusion counts and the object counts (matched, counted
 * predictions, counted truth objects) over tiles and computes the scores from the
 * sums, so a big tile weighs more than a small one, as in the published figures. The
 * per-tile pixel F1 spread (min / median / max) shows whether one tile carries the
 * pooled figure.
 */
#define _XOPEN_SOURCE 700   /* stat, opendir, mkdtemp, nftw */

#include "tb_eval_dataset.h"

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tb_eval_label_grid.h"
#include "tb_scan.h"

/* A sorted list of names (owned strings). */
typedef struct name_list {
    char **v;
    int n, cap;
} name_list;

static void names_free(name_list *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 for files that travel beside a raster and are no tile of their own. */
static int is_sidecar(const char *name)
{
    static const char *ext[] = {".hdr", ".aux.xml", ".ovr", ".xml", ".prj", ".tfw", ".pgw",
                                ".wld", ".txt", ".md", ".json", ".geojson", ".msk"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t e = strlen(ext[i]);
        if (n > e && !strcmp(name + n - e, ext[i]))
            return 1;
    }
    return 0;
}

/* Lists `dir` (no hidden entries, no side-car files), sorted. */
static tb_status list_dir(const char *dir, name_list *l)
{
    DIR *d = opendir(dir);
    if (!d)
        return tb_error(TB_ERR_INPUT_MISSING, "%s: cannot list the directory", dir);
    struct dirent *e;
    tb_status st = TB_OK;
    while ((e = readdir(d)) != NULL && st == TB_OK) {
        if (e->d_name[0] == '.' || is_sidecar(e->d_name))
            continue;
        if (l->n == l->cap) {
            int cap = l->cap ? 2 * l->cap : 16;
            char **v = realloc(l->v, (size_t)cap * sizeof *v);
            if (!v) {
                st = tb_error(TB_ERR_NOMEM, "%s: no memory to list it", dir);
                break;
            }
            l->v = v;
            l->cap = cap;
        }
        l->v[l->n] = malloc(strlen(e->d_name) + 1);
        if (!l->v[l->n]) {
            st = tb_error(TB_ERR_NOMEM, "%s: no memory to list it", dir);
            break;
        }
        strcpy(l->v[l->n++], e->d_name);
    }
    closedir(d);
    if (st == TB_OK && l->n > 1)
        qsort(l->v, (size_t)l->n, sizeof *l->v, name_cmp);
    return st;
}

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Length of name without its last extension (the whole name when it has none). */
static size_t stem_len(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && dot != name ? (size_t)(dot - name) : strlen(name);
}

/* Finds in `dir` the entry named `name`, or else one with the same stem; writes its
 * path to dst. TB_ERR_INPUT_MISSING naming `what` when there is none. */
static tb_status find_match(const char *dir, const char *name, const char *what, char *dst,
                            size_t cap)
{
    snprintf(dst, cap, "%s/%s", dir, name);
    if (exists(dst))
        return TB_OK;
    name_list l = {0};
    tb_status st = list_dir(dir, &l);
    size_t sn = stem_len(name);
    int found = 0;
    for (int i = 0; st == TB_OK && i < l.n && !found; i++) {
        if (stem_len(l.v[i]) == sn && !strncmp(l.v[i], name, sn)) {
            snprintf(dst, cap, "%s/%s", dir, l.v[i]);
            found = 1;
        }
    }
    names_free(&l);
    if (st == TB_OK && !found)
        st = tb_error(TB_ERR_INPUT_MISSING, "%s: no %s for tile '%.*s'", dir, what, (int)sn, name);
    return st;
}

/* Georeferencing source for the label: the before-image, or its first band file. */
static tb_status ref_path(const char *a, char *dst, size_t cap)
{
    if (!is_dir(a)) {
        snprintf(dst, cap, "%s", a);
        return TB_OK;
    }
    name_list l = {0};
    tb_status st = list_dir(a, &l);
    if (st == TB_OK && l.n == 0)
        st = tb_error(TB_ERR_INPUT_MISSING, "%s: empty directory", a);
    if (st == TB_OK)
        snprintf(dst, cap, "%s/%s", a, l.v[0]);
    names_free(&l);
    return st;
}

/* One tile: paths of its dates and label. */
typedef struct tile_paths {
    char name[256];
    char a[2048], b[2048], label[2048];
} tile_paths;

/* Scans and scores one tile into t. */
static tb_status run_tile(const tile_paths *p, const tb_config *cfg, const tb_eval_options *opt,
                          const char *workdir, tb_eval_dataset_tile *t)
{
    char outdir[2048], mask[2100], warped[2100], ref[2048];
    snprintf(outdir, sizeof outdir, "%s/%s", workdir, p->name);
    snprintf(mask, sizeof mask, "%s/changes_mask.tif", outdir);
    snprintf(warped, sizeof warped, "%s/label_on_grid.tif", outdir);
    tb_scan_result *sres = malloc(sizeof *sres);
    if (!sres)
        return tb_error(TB_ERR_NOMEM, "%s: no memory for the scan result", p->name);
    tb_status st = tb_scan_run(p->a, p->b, outdir, cfg, sres);
    if (st == TB_OK)
        t->polygons = sres->polygons;
    free(sres);
    if (st == TB_OK)
        st = ref_path(p->a, ref, sizeof ref);
    if (st == TB_OK)
        st = tb_eval_label_onto_grid(p->label, ref, mask, warped, &t->label_warped);
    if (st == TB_OK) {
        tb_eval_options o = *opt;
        const char *values = tb_eval_kind_values(cfg->eval_kinds);
        snprintf(o.pred_values, sizeof o.pred_values, "%s", values ? values : "1,2");
        st = tb_eval_run(mask, t->label_warped ? warped : p->label, &o, &t->res);
    }
    snprintf(t->name, sizeof t->name, "%s", p->name);
    return st;
}

/* Appends the tiles of dir to *tiles (grown as needed). */
static tb_status add_tile(tile_paths **tiles, int *n, int *cap, const tile_paths *p)
{
    if (*n == *cap) {
        int c = *cap ? 2 * *cap : 16;
        tile_paths *v = realloc(*tiles, (size_t)c * sizeof *v);
        if (!v)
            return tb_error(TB_ERR_NOMEM, "no memory for %d tiles", c);
        *tiles = v;
        *cap = c;
    }
    (*tiles)[(*n)++] = *p;
    return TB_OK;
}

/* Finds the tiles of dir in either layout; sets *layout. */
static tb_status find_tiles(const char *dir, tile_paths **tiles, int *n, const char **layout)
{
    char a_dir[1100], b_dir[1100], l_dir[1100];
    name_list l = {0};
    tile_paths p;
    int cap = 0;
    tb_status st = TB_OK;
    *n = 0;
    snprintf(a_dir, sizeof a_dir, "%s/A", dir);
    snprintf(b_dir, sizeof b_dir, "%s/B", dir);
    snprintf(l_dir, sizeof l_dir, "%s/label", dir);
    if (is_dir(a_dir)) {
        *layout = "flat";
        if (!is_dir(b_dir) || !is_dir(l_dir))
            return tb_error(TB_ERR_INPUT_MISSING, "%s: has A/ but no B/ or label/ directory", dir);
        st = list_dir(a_dir, &l);
        for (int i = 0; st == TB_OK && i < l.n; i++) {
            memset(&p, 0, sizeof p);
            snprintf(p.name, sizeof p.name, "%.*s", (int)stem_len(l.v[i]), l.v[i]);
            snprintf(p.a, sizeof p.a, "%s/%s", a_dir, l.v[i]);
            st = find_match(b_dir, l.v[i], "after-image (B)", p.b, sizeof p.b);
            if (st == TB_OK)
                st = find_match(l_dir, l.v[i], "label", p.label, sizeof p.label);
            if (st == TB_OK)
                st = add_tile(tiles, n, &cap, &p);
        }
    } else {
        *layout = "per-city";
        if (!is_dir(dir))
            return tb_error(TB_ERR_INPUT_MISSING, "%s: no such directory", dir);
        st = list_dir(dir, &l);
        for (int i = 0; st == TB_OK && i < l.n; i++) {
            memset(&p, 0, sizeof p);
            snprintf(p.name, sizeof p.name, "%s", l.v[i]);
            snprintf(p.a, sizeof p.a, "%s/%s/A", dir, l.v[i]);
            snprintf(p.b, sizeof p.b, "%s/%s/B", dir, l.v[i]);
            if (!exists(p.a) || !exists(p.b))
                continue;   /* not a city folder */
            snprintf(p.label, sizeof p.label, "%s/%s/label/%s-cm.tif", dir, l.v[i], l.v[i]);
            if (!exists(p.label)) {
                char ld[2048];
                snprintf(ld, sizeof ld, "%s/%s/label", dir, l.v[i]);
                st = find_match(ld, l.v[i], "label", p.label, sizeof p.label);
            }
            if (st == TB_OK)
                st = add_tile(tiles, n, &cap, &p);
        }
    }
    names_free(&l);
    if (st == TB_OK && *n == 0)
        st = tb_error(TB_ERR_INPUT_MISSING, "%s: no tiles: expected A/, B/, label/ or "
                      "<city>/A, <city>/B, <city>/label/<city>-cm.tif", dir);
    return st;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Pools the tiles of r into r->pooled and the F1 spread. */
static tb_status pool(tb_eval_dataset_result *r)
{
    tb_eval_result *q = &r->pooled;
    memset(q, 0, sizeof *q);
    double *f1 = malloc((size_t)r->ntiles * sizeof *f1);
    if (!f1)
        return tb_error(TB_ERR_NOMEM, "no memory to pool %d tiles", r->ntiles);
    q->have_pixel = q->have_object = 1;
    for (int i = 0; i < r->ntiles; i++) {
        const tb_eval_result *t = &r->tiles[i].res;
        q->tp += t->tp;
        q->fp += t->fp;
        q->fn += t->fn;
        q->tn += t->tn;
        q->pred_objects += t->pred_objects;
        q->truth_objects += t->truth_objects;
        q->matched += t->matched;
        q->pred_ignored += t->pred_ignored;
        q->truth_ignored += t->truth_ignored;
        q->iou_threshold = t->iou_threshold;
        q->min_area_m2 = t->min_area_m2;
        r->polygons += r->tiles[i].polygons;
        f1[i] = t->f1;
    }
    tb_eval_scores((double)q->tp, (double)q->fp, (double)q->fn, &q->precision, &q->recall,
                   &q->f1, &q->iou);
    tb_eval_scores((double)q->matched, (double)(q->pred_objects - q->matched),
                   (double)(q->truth_objects - q->matched), &q->obj_precision, &q->obj_recall,
                   &q->obj_f1, NULL);
    qsort(f1, (size_t)r->ntiles, sizeof *f1, dbl_cmp);
    int n = r->ntiles;
    r->f1_min = f1[0];
    r->f1_max = f1[n - 1];
    r->f1_median = n % 2 ? f1[n / 2] : 0.5 * (f1[n / 2 - 1] + f1[n / 2]);
    free(f1);
    return TB_OK;
}

tb_status tb_eval_dataset_run(const char *dir, const tb_config *cfg, const tb_eval_options *opt,
                              const char *workdir, FILE *log, tb_eval_dataset_result *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->dir, sizeof out->dir, "%s", dir);
    tile_paths *tiles = NULL;
    int n = 0;
    tb_config c = *cfg;
    c.write_mask = 1;   /* the mask is what is scored */
    tb_status st = find_tiles(dir, &tiles, &n, &out->layout);
    if (st == TB_OK) {
        out->tiles = calloc((size_t)n, sizeof *out->tiles);
        if (!out->tiles)
            st = tb_error(TB_ERR_NOMEM, "no memory for %d tiles", n);
    }
    for (int i = 0; st == TB_OK && i < n; i++) {
        st = run_tile(&tiles[i], &c, opt, workdir, &out->tiles[i]);
        if (st == TB_OK) {
            out->ntiles++;
            if (log) {
                const tb_eval_dataset_tile *t = &out->tiles[i];
                fprintf(log, "tuban eval: %d/%d %s: pixel F1 %.3f%s\n", i + 1, n, t->name,
                        t->res.f1, t->label_warped ? " (label warped onto the scan grid)" : "");
                fflush(log);
            }
        }
    }
    free(tiles);
    if (st == TB_OK)
        st = pool(out);
    if (st != TB_OK)
        tb_eval_dataset_free(out);
    return st;
}

void tb_eval_dataset_free(tb_eval_dataset_result *r)
{
    if (!r)
        return;
    free(r->tiles);
    r->tiles = NULL;
    r->ntiles = 0;
}

/* One table line. */
static void table_line(FILE *out, const char *name, const tb_eval_result *e, uint64_t polygons,
                       const char *note)
{
    char counts[64];
    snprintf(counts, sizeof counts, "%ld/%ld/%ld", e->matched, e->pred_objects, e->truth_objects);
    fprintf(out, "%-28s %6.3f %6.3f %6.3f %6.3f  %6.3f %6.3f %6.3f %17s %8llu%s\n", name,
            e->precision, e->recall, e->f1, e->iou, e->obj_precision, e->obj_recall, e->obj_f1,
            counts, (unsigned long long)polygons, note);
}

void tb_eval_dataset_print_table(FILE *out, const tb_eval_dataset_result *r)
{
    fprintf(out, "dataset %s (%s layout, %d tiles; objects: IoU >= %g, min area %g m2)\n", r->dir,
            r->layout, r->ntiles, r->pooled.iou_threshold, r->pooled.min_area_m2);
    fprintf(out, "%-28s %6s %6s %6s %6s  %6s %6s %6s %17s %8s\n", "tile", "pix P", "pix R",
            "pix F1", "IoU", "obj P", "obj R", "obj F1", "match/pred/truth", "polygons");
    for (int i = 0; i < r->ntiles; i++) {
        const tb_eval_dataset_tile *t = &r->tiles[i];
        table_line(out, t->name, &t->res, t->polygons, t->label_warped ? "  label warped" : "");
    }
    table_line(out, "pooled", &r->pooled, r->polygons, "");
    fprintf(out, "pixel F1 over tiles: min %.3f  median %.3f  max %.3f\n", r->f1_min, r->f1_median,
            r->f1_max);
}

/* Writes a JSON string (tile names, paths). */
static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

/* The "pixel" and "object" members of one result. */
static void json_metrics(FILE *out, const tb_eval_result *e, const char *indent)
{
    fprintf(out,
            "%s\"pixel\": {\"tp\": %llu, \"fp\": %llu, \"fn\": %llu, \"tn\": %llu, "
            "\"precision\": %.6f, \"recall\": %.6f, \"f1\": %.6f, \"iou\": %.6f},\n",
            indent, (unsigned long long)e->tp, (unsigned long long)e->fp,
            (unsigned long long)e->fn, (unsigned long long)e->tn, e->precision, e->recall, e->f1,
            e->iou);
    fprintf(out,
            "%s\"object\": {\"matched\": %ld, \"pred\": %ld, \"truth\": %ld, "
            "\"pred_ignored\": %ld, \"truth_ignored\": %ld, \"precision\": %.6f, "
            "\"recall\": %.6f, \"f1\": %.6f}",
            indent, e->matched, e->pred_objects, e->truth_objects, e->pred_ignored,
            e->truth_ignored, e->obj_precision, e->obj_recall, e->obj_f1);
}

void tb_eval_dataset_print_json(FILE *out, const tb_eval_dataset_result *r)
{
    fprintf(out, "{\n  \"dataset\": ");
    json_string(out, r->dir);
    fprintf(out, ",\n  \"layout\": \"%s\",\n  \"iou_threshold\": %g,\n  \"min_area_m2\": %g,\n",
            r->layout, r->pooled.iou_threshold, r->pooled.min_area_m2);
    fprintf(out, "  \"tiles\": [\n");
    for (int i = 0; i < r->ntiles; i++) {
        const tb_eval_dataset_tile *t = &r->tiles[i];
        fprintf(out, "    {\n      \"tile\": ");
        json_string(out, t->name);
        fprintf(out, ",\n      \"polygons\": %u,\n      \"label_warped\": %s,\n", t->polygons,
                t->label_warped ? "true" : "false");
        json_metrics(out, &t->res, "      ");
        fprintf(out, "\n    }%s\n", i + 1 < r->ntiles ? "," : "");
    }
    fprintf(out, "  ],\n  \"pooled\": {\n    \"tiles\": %d,\n    \"polygons\": %llu,\n",
            r->ntiles, (unsigned long long)r->polygons);
    json_metrics(out, &r->pooled, "    ");
    fprintf(out, "\n  },\n  \"pixel_f1_spread\": {\"min\": %.6f, \"median\": %.6f, \"max\": %.6f}\n}\n",
            r->f1_min, r->f1_median, r->f1_max);
}

tb_status tb_eval_dataset_tempdir(char *dst, size_t cap)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !tmp[0])
        tmp = "/tmp";
    if (snprintf(dst, cap, "%s/tuban-eval-XXXXXX", tmp) >= (int)cap)
        return tb_error(TB_ERR_OUTPUT, "%s: temporary directory name too long", tmp);
    if (!mkdtemp(dst))
        return tb_error(TB_ERR_OUTPUT, "%s: cannot create a temporary directory", dst);
    return TB_OK;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path) != 0;
}

int tb_eval_dataset_rmtree(const char *path)
{
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0;
}

tb_status tb_eval_dataset_mkdir(const char *path)
{
    if (mkdir(path, 0777) != 0 && !is_dir(path))
        return tb_error(TB_ERR_OUTPUT, "%s: cannot create the directory", path);
    return TB_OK;
}
