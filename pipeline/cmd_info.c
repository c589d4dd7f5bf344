/* cmd_info.c: `tuban info A [B] [-c scan.ini] [--set section.key=value] [--json]`.
 *
 * What tuban sees of its inputs: for each, the driver, size, bands (type, nodata, mask
 * flags, the file a stacked band comes from), CRS, geotransform, pixel size (in CRS
 * units and on the ground at the centre), footprint (corners in its CRS and in
 * CGCS2000 lon/lat) and acquisition date. For a pair (A = before, B = after) it runs
 * the steps a scan runs before reading pixels, in the scan's order (scan_align.c and
 * scan.c): configured CRSs, band counts, DEM, target grid, each date onto the grid,
 * [input] bands, ground metrics; and prints the grid or the exact error the scan
 * would stop with. Checks that need pixels (co-registration, all no data) are not run.
 *
 * Exit code: that of an input that cannot be opened or of a bad command line or
 * configuration (nothing on stdout then); for a pair the scan would refuse, the full
 * report on stdout, the scan's message as one line on stderr and the scan's exit
 * code; else 0. Settings come in the scan's way: defaults, config file, --set.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb_align.h"
#include "cli_settings.h"
#include "tb_commands.h"
#include "tb_json.h"
#include "tb_config.h"
#include "tb_ground.h"
#include "tb_raster.h"
#include "tb_raster_describe.h"
#include "tb_scan.h"
#include "tb_version.h"

#define LABEL 12   /* width of the labels of the human report */

static const char *const corner_names[4] = {"UL", "UR", "LR", "LL"};

typedef struct info_input {
    const char *role;            /* "input", "before", "after" */
    tb_raster *r;
    tb_raster_info d;
    char crs_label[256];         /* tb_crs_describe(); "" when none */
    tb_crs_info crs;
    int has_crs;
    const char *assigned;        /* config key the CRS came from, or NULL */
    double gt[6];
    int has_gt;
    double ground_m[2];          /* centre pixel on the ground, metres */
    const char *ground_from;     /* "crs", "rpc", "input.pixel_size"; NULL: unknown */
} info_input;

typedef struct info_pair {
    int bands_before, bands_after;
    /* footprint intersection in the target CRS */
    int overlap_known, overlap_empty, overlap_has_lonlat;
    const char *overlap_why;     /* why it is not known */
    int overlap_geographic;      /* the target CRS is lon/lat: degrees */
    double overlap[4];
    char overlap_crs[TB_CONFIG_STR];
    double overlap_lonlat[4][2];
    /* target grid, when the scan gets that far */
    int planned;
    tb_grid grid;
    char grid_label[256];
    tb_crs_info grid_crs;
    int grid_has_crs, grid_has_m, grid_has_lonlat;
    double grid_m[2];
    double grid_lonlat[4][2];
    int before_warped, after_warped;   /* -1: not known (the scan stops before) */
    int nbands_used;
    int bands_used[TB_SCAN_MAX_BANDS];
    /* the scan's verdict */
    tb_status verdict;
    char message[2048];
} info_pair;

static void info_usage(FILE *out)
{
    fprintf(out,
            "usage: tuban info A [B] [-c scan.ini] [--set SECTION.KEY=V] [--json]\n"
            "\n"
            "What tuban sees of its inputs: driver, size, bands (type, nodata, masks),\n"
            "CRS, geotransform, pixel size, footprint (in the input's CRS and in CGCS2000\n"
            "lon/lat, EPSG:4490, longitude first) and acquisition date. With two inputs\n"
            "(A = before, B = after): whether the bands match, the overlap, the target\n"
            "grid a scan would use and which dates it would warp, or the error the scan\n"
            "would stop with (then also its exit code).\n"
            "\n"
            "options:\n"
            "  -c, --config FILE      INI file (the [input] and [align] keys matter here)\n"
            "  --set SECTION.KEY=V    set any config key\n"
            "  --pixel-size M         metres per pixel, rasters without a CRS (input.pixel_size)\n"
            "  --bands LIST           1-based bands used, e.g. 1,2,3 (input.bands)\n"
            "  --json                 one JSON object on stdout instead of the report\n"
            "  -h, --help             this text\n");
}

static int fail(tb_status st)
{
    fprintf(stderr, "tuban info: %s\n", tb_error_message());
    return tb_status_exit_code(st);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* ---- the facts ------------------------------------------------------------------ */

static tb_status describe_input(info_input *in, const tb_config *cfg, const tb_align_options *opt)
{
    tb_raster *r = in->r;
    tb_status st = tb_raster_describe(r, opt, &in->d);
    if (st)
        return st;
    const char *wkt = tb_raster_crs_wkt(r);
    tb_crs_describe(wkt, in->crs_label, sizeof in->crs_label);
    in->has_crs = tb_crs_info_get(wkt, &in->crs);
    in->has_gt = tb_raster_geotransform(r, in->gt);
    const double cx = tb_raster_width(r) / 2.0, cy = tb_raster_height(r) / 2.0;
    if (wkt && in->has_gt) {
        tb_ground g;
        if (tb_ground_init(&g, wkt, in->gt, 0, tb_raster_path(r)) == TB_OK) {
            tb_ground_pixel(&g, cx, cy, &in->ground_m[0], &in->ground_m[1]);
            in->ground_from = "crs";
        }
        tb_ground_clear(&g);
    } else if (tb_raster_has_rpc(r) && in->d.rpc_pixel_m[0] > 0) {
        in->ground_m[0] = in->d.rpc_pixel_m[0];
        in->ground_m[1] = in->d.rpc_pixel_m[1];
        in->ground_from = "rpc";
    } else if (!wkt && !tb_raster_has_rpc(r) && cfg->pixel_size > 0) {
        in->ground_m[0] = in->ground_m[1] = cfg->pixel_size;
        in->ground_from = "input.pixel_size";
    }
    tb_error_clear();   /* a fact that cannot be found is only absent */
    return TB_OK;
}

/* [input] bands as the scan chooses them (scan.c select_bands), same messages. */
static tb_status choose_bands(const tb_config *cfg, const char *after, int available,
                              info_pair *p)
{
    int list[TB_CONFIG_MAX_BANDS];
    int n = tb_config_band_list(cfg, list);
    if (n < 0)
        return tb_error(TB_ERR_CONFIG, "[input] bands: '%s' is not a band list", cfg->bands);
    if (n == 0) {
        if (available > TB_SCAN_MAX_BANDS)
            return tb_error(TB_ERR_BANDS,
                            "%s: has %d bands; at most %d can be used (set [input] bands)",
                            after, available, TB_SCAN_MAX_BANDS);
        for (n = 0; n < available; n++)
            p->bands_used[n] = n + 1;
    } else {
        if (n > TB_SCAN_MAX_BANDS)
            n = TB_SCAN_MAX_BANDS;
        for (int i = 0; i < n; i++) {
            if (list[i] < 1 || list[i] > available)
                return tb_error(TB_ERR_BANDS, "%s: has %d bands; [input] bands asks for band %d",
                                after, available, list[i]);
            p->bands_used[i] = list[i];
        }
    }
    p->nbands_used = n;
    return TB_OK;
}

/* The steps of a scan up to its first pixel read, in its order; returns the status the
 * scan would stop with (message recorded) or TB_OK. */
static tb_status plan_pair(info_input *in, const tb_config *cfg, const tb_align_options *opt,
                           info_pair *p)
{
    tb_raster *before = in[0].r, *after = in[1].r;
    const char *bpath = tb_raster_path(before), *apath = tb_raster_path(after);
    tb_status st = TB_OK;
    if (cfg->before_crs[0] && !tb_raster_crs_wkt(before)) {
        st = tb_raster_assign_crs(before, cfg->before_crs, "align.before_crs");
        if (st)
            return st;
        in[0].assigned = "align.before_crs";
    }
    if (cfg->after_crs[0] && !tb_raster_crs_wkt(after)) {
        st = tb_raster_assign_crs(after, cfg->after_crs, "align.after_crs");
        if (st)
            return st;
        in[1].assigned = "align.after_crs";
    }
    if (p->bands_before != p->bands_after)
        return tb_error(TB_ERR_BANDS,
                        "%s has %d bands but %s has %d: the dates must have the same bands",
                        bpath, p->bands_before, apath, p->bands_after);
    if (cfg->dem[0] && (tb_raster_has_rpc(before) || tb_raster_has_rpc(after))) {
        FILE *f = fopen(cfg->dem, "rb");
        if (!f)
            return tb_error(TB_ERR_INPUT_MISSING, "align.dem: %s: no such file (the DEM for "
                            "orthorectifying RPC scenes)", cfg->dem);
        fclose(f);
    }
    st = tb_align_plan(before, after, opt, &p->grid);
    if (st)
        return st;
    p->planned = 1;
    tb_raster *on = NULL;
    st = tb_raster_on_grid(after, &p->grid, opt, 0, 0, &on, &p->after_warped);
    tb_raster_close(on);
    on = NULL;
    if (!st)
        st = tb_raster_on_grid(before, &p->grid, opt, 0, 0, &on, &p->before_warped);
    tb_raster_close(on);
    if (st) {
        p->before_warped = p->after_warped = -1;
        return st;
    }
    st = choose_bands(cfg, apath, p->bands_after, p);
    if (st)
        return st;
    tb_ground g;
    st = tb_ground_init(&g, p->grid.wkt, p->grid.gt, cfg->pixel_size, apath);
    if (!st) {
        tb_ground_pixel(&g, p->grid.width / 2.0, p->grid.height / 2.0, &p->grid_m[0],
                        &p->grid_m[1]);
        p->grid_has_m = 1;
    }
    tb_ground_clear(&g);
    return st;
}

/* The footprint intersection in the target CRS (align.crs, else the after-image's). */
static void overlap_of(info_input *in, const tb_config *cfg, const tb_align_options *opt,
                       info_pair *p)
{
    const tb_raster *before = in[0].r, *after = in[1].r;
    const int geo_b = tb_raster_crs_wkt(before) || tb_raster_has_rpc(before);
    const int geo_a = tb_raster_crs_wkt(after) || tb_raster_has_rpc(after);
    const char *target = cfg->crs[0] ? cfg->crs : tb_raster_crs_wkt(after);
    double eb[4], ea[4];
    if (!geo_b && !geo_a) {
        p->overlap_why = "pixel grids (no CRS): the whole image when the sizes match";
        return;
    }
    if (!geo_b || !geo_a) {
        p->overlap_why = "unknown: only one date has a CRS";
        return;
    }
    if (!target) {
        p->overlap_why = "unknown: no target CRS (an RPC after-image needs align.crs)";
        return;
    }
    if (!tb_raster_footprint(before, target, opt, eb) ||
        !tb_raster_footprint(after, target, opt, ea)) {
        p->overlap_why = "unknown: a footprint cannot be carried into the target CRS";
        return;
    }
    p->overlap_known = 1;
    p->overlap[0] = fmax(eb[0], ea[0]);
    p->overlap[1] = fmax(eb[1], ea[1]);
    p->overlap[2] = fmin(eb[2], ea[2]);
    p->overlap[3] = fmin(eb[3], ea[3]);
    p->overlap_empty = !(p->overlap[0] < p->overlap[2] && p->overlap[1] < p->overlap[3]);
    if (cfg->crs[0])
        snprintf(p->overlap_crs, sizeof p->overlap_crs, "%s", cfg->crs);
    else
        tb_crs_describe(target, p->overlap_crs, sizeof p->overlap_crs);
    tb_crs_info ci;
    p->overlap_geographic = tb_crs_info_get(target, &ci) && ci.geographic;
    if (!p->overlap_empty) {
        const double gt[6] = {p->overlap[0], p->overlap[2] - p->overlap[0], 0,
                              p->overlap[3], 0, -(p->overlap[3] - p->overlap[1])};
        p->overlap_has_lonlat = tb_grid_corners_lonlat(target, gt, 1, 1, p->overlap_lonlat);
    }
}

static void grid_facts(info_pair *p)
{
    if (!p->planned)
        return;
    tb_crs_describe(p->grid.wkt, p->grid_label, sizeof p->grid_label);
    p->grid_has_crs = tb_crs_info_get(p->grid.wkt, &p->grid_crs);
    p->grid_has_lonlat =
        tb_grid_corners_lonlat(p->grid.wkt, p->grid.gt, p->grid.width, p->grid.height,
                               p->grid_lonlat);
}

/* ---- human report --------------------------------------------------------------- */

static void mask_words(int flags, char *out, size_t cap)
{
    if (flags & TB_MASK_ALL_VALID)
        snprintf(out, cap, "all valid");
    else if (flags & TB_MASK_ALPHA)
        snprintf(out, cap, "alpha band%s", flags & TB_MASK_PER_DATASET ? " (per dataset)" : "");
    else if (flags & TB_MASK_NODATA)
        snprintf(out, cap, "nodata");
    else
        snprintf(out, cap, "mask band%s", flags & TB_MASK_PER_DATASET ? " (per dataset)" : "");
}

static void print_label(FILE *f, const char *label)
{
    fprintf(f, "  %-*s ", LABEL, label);
}

static void print_gt(FILE *f, const double gt[6])
{
    print_label(f, "geotransform");
    fprintf(f, "%.10g, %.10g, %.10g, %.10g, %.10g, %.10g\n", gt[0], gt[1], gt[2], gt[3], gt[4],
            gt[5]);
}

static void print_corners(FILE *f, const char *label, const double c[4][2], const char *fmt,
                          const char *suffix)
{
    /* Two corners a line: upper ones, then lower ones. */
    for (int i = 0; i < 4; i++) {
        if (i % 2 == 0)
            print_label(f, i ? "" : label);
        fprintf(f, "%s%s ", i % 2 ? ", " : "", corner_names[i]);
        fprintf(f, fmt, c[i][0], c[i][1]);
        if (i % 2)
            fprintf(f, "%s\n", i == 3 ? suffix : "");
    }
}

static const char *corner_format(int geographic)
{
    return geographic ? "%.7f, %.7f" : "%.3f, %.3f";
}

static void print_input(FILE *f, const info_input *in, int with_heading)
{
    const tb_raster *r = in->r;
    const tb_raster_info *d = &in->d;
    if (with_heading)
        fprintf(f, "%s: %s\n", in->role, tb_raster_path(r));
    print_label(f, "driver");
    if (d->stacked_files > 1)
        fprintf(f, "%s: %d %s files stacked, one band each\n", tb_raster_driver(r),
                d->stacked_files, d->part_driver[0] ? d->part_driver : "raster");
    else
        fprintf(f, "%s\n", tb_raster_driver(r));
    print_label(f, "size");
    fprintf(f, "%d x %d px, %d band%s, %s", tb_raster_width(r), tb_raster_height(r), d->nbands,
            d->nbands == 1 ? "" : "s", tb_raster_type_name(r));
    if (d->alpha_band)
        fprintf(f, "; band %d is alpha: a mask, not data (%s)", d->alpha_band,
                d->alpha_by_gdal ? "through GDAL's mask flags" : "applied by tuban");
    fputc('\n', f);
    for (int b = 0; b < d->nbands; b++) {
        const tb_band_info *bi = &d->bands[b];
        char label[32], mask[64], nodata[64];
        snprintf(label, sizeof label, "band %d", bi->index);
        mask_words(bi->mask_flags, mask, sizeof mask);
        if (d->alpha_band && !d->alpha_by_gdal) {
            /* GDAL does not derive masks from this alpha band: the reader applies it. */
            char words[64];
            snprintf(words, sizeof words, "%s", mask);
            if (bi->mask_flags & TB_MASK_ALL_VALID)
                snprintf(mask, sizeof mask, "alpha band %d", d->alpha_band);
            else
                snprintf(mask, sizeof mask, "%.40s + alpha band %d", words, d->alpha_band);
        }
        if (bi->has_nodata)
            snprintf(nodata, sizeof nodata, "nodata %.10g", bi->nodata);
        else
            snprintf(nodata, sizeof nodata, "no nodata");
        print_label(f, label);
        fprintf(f, "%s, %s, %s, mask: %s", bi->type, bi->color, nodata, mask);
        if (bi->description[0] && strcmp(bi->description, bi->color))
            fprintf(f, ", \"%s\"", bi->description);
        if (bi->source[0])
            fprintf(f, ", from %s", base_name(bi->source));
        fputc('\n', f);
    }
    print_label(f, "crs");
    if (in->crs_label[0])
        fprintf(f, "%s%s%s\n", in->crs_label, in->assigned ? ", assigned by " : "",
                in->assigned ? in->assigned : "");
    else if (tb_raster_has_rpc(r))
        fprintf(f, "none; RPC (needs orthorectification)\n");
    else
        fprintf(f, "none (a pixel grid)\n");
    if (in->has_gt) {
        print_gt(f, in->gt);
        print_label(f, "pixel");
        fprintf(f, "%.10g x %.10g %s", hypot(in->gt[1], in->gt[4]), hypot(in->gt[2], in->gt[5]),
                in->has_crs && in->crs.unit[0] ? in->crs.unit : "units");
    } else {
        print_label(f, "geotransform");
        fprintf(f, "none\n");
        print_label(f, "pixel");
        fprintf(f, "size unknown");
    }
    if (in->ground_from && !strcmp(in->ground_from, "input.pixel_size"))
        fprintf(f, "; %.4g x %.4g m (input.pixel_size)\n", in->ground_m[0], in->ground_m[1]);
    else if (in->ground_from)
        fprintf(f, "; %.3f x %.3f m on the ground at the centre%s\n", in->ground_m[0],
                in->ground_m[1], !strcmp(in->ground_from, "rpc") ? " (from the RPCs)" : "");
    else
        fprintf(f, "; on the ground: unknown%s\n",
                !tb_raster_crs_wkt(r) && !tb_raster_has_rpc(r) ? " (no CRS: give input.pixel_size)"
                                                              : "");
    if (d->has_corners) {
        char suffix[300];
        snprintf(suffix, sizeof suffix, " (%s)",
                 in->has_crs ? "in its CRS" : "no CRS: geotransform coordinates");
        print_corners(f, "footprint", d->corners, corner_format(in->has_crs && in->crs.geographic),
                      suffix);
    }
    if (d->has_lonlat)
        print_corners(f, "lon/lat", d->lonlat, "%.7f, %.7f", " (CGCS2000, EPSG:4490)");
    else {
        print_label(f, "lon/lat");
        fprintf(f, "unknown (%s)\n", !in->has_crs && !tb_raster_has_rpc(r) ? "no CRS"
                                       : !in->has_gt && !tb_raster_has_rpc(r) ? "no geotransform"
                                                                              : "not computable");
    }
    print_label(f, "acquired");
    fprintf(f, "%s\n", tb_raster_acquisition(r) ? tb_raster_acquisition(r) : "unknown");
}

static void print_pair(FILE *f, const info_pair *p, const tb_config *cfg)
{
    fprintf(f, "pair\n");
    print_label(f, "bands");
    fprintf(f, "%d and %d: %s\n", p->bands_before, p->bands_after,
            p->bands_before == p->bands_after ? "match" : "differ");
    print_label(f, "overlap");
    if (!p->overlap_known) {
        fprintf(f, "%s\n", p->overlap_why ? p->overlap_why : "unknown");
    } else if (p->overlap_empty) {
        fprintf(f, "none: the footprints are disjoint (in %s)\n", p->overlap_crs);
    } else {
        const char *fmt = p->overlap_geographic ? "%.7f" : "%.3f";
        char a[64], b[64], c[64], e[64];
        snprintf(a, sizeof a, fmt, p->overlap[0]);
        snprintf(b, sizeof b, fmt, p->overlap[2]);
        snprintf(c, sizeof c, fmt, p->overlap[1]);
        snprintf(e, sizeof e, fmt, p->overlap[3]);
        fprintf(f, "x %s..%s, y %s..%s in %s\n", a, b, c, e, p->overlap_crs);
        if (p->overlap_has_lonlat)
            print_corners(f, "", p->overlap_lonlat, "%.7f, %.7f", " (CGCS2000 lon/lat)");
    }
    if (p->planned) {
        print_label(f, "grid");
        fprintf(f, "%d x %d px, %s\n", p->grid.width, p->grid.height,
                p->grid_label[0] ? p->grid_label : "no CRS (pixel grid)");
        print_gt(f, p->grid.gt);
        print_label(f, "pixel");
        fprintf(f, "%.10g x %.10g %s", fabs(p->grid.gt[1]), fabs(p->grid.gt[5]),
                p->grid_has_crs && p->grid_crs.unit[0] ? p->grid_crs.unit : "px");
        if (p->grid_has_m)
            fprintf(f, "; %.3f x %.3f m on the ground at the centre\n", p->grid_m[0], p->grid_m[1]);
        else
            fprintf(f, "; on the ground: unknown\n");
        if (p->grid_has_lonlat)
            print_corners(f, "lon/lat", p->grid_lonlat, "%.7f, %.7f", " (CGCS2000, EPSG:4490)");
        print_label(f, "coverage");
        fprintf(f, "before covers %.1f %% of the after-image's footprint\n",
                100.0 * p->grid.covered_before);
        if (p->before_warped >= 0) {
            print_label(f, "reading");
            fprintf(f, "before %s, after %s\n",
                    p->before_warped ? "warped" : "read as it is",
                    p->after_warped ? "warped" : "read as it is");
            if (p->before_warped || p->after_warped) {
                print_label(f, "");
                fprintf(f, "(warp: %s resampling)\n", cfg->resampling);
            }
        }
        if (p->nbands_used > 0) {
            print_label(f, "bands used");
            for (int i = 0; i < p->nbands_used; i++)
                fprintf(f, "%s%d", i ? "," : "", p->bands_used[i]);
            fputc('\n', f);
        }
    } else {
        print_label(f, "grid");
        fprintf(f, "not planned: the scan stops before\n");
    }
    print_label(f, "scan");
    if (p->verdict)
        fprintf(f, "would stop with exit code %d (%s): %s\n", tb_status_exit_code(p->verdict),
                tb_status_name(p->verdict), p->message);
    else
        fprintf(f, "would run (co-registration and the no-data check need pixels: not made "
                   "here)\n");
}

/* ---- JSON ----------------------------------------------------------------------- */

typedef struct json_writer {
    FILE *f;
    int depth;
    int first[16];   /* per depth: nothing written yet */
} json_writer;


/* Separator and indentation before a key, or a value in an array. */
static void json_sep(json_writer *w)
{
    if (w->depth > 0) {
        if (!w->first[w->depth])
            fputc(',', w->f);
        w->first[w->depth] = 0;
        fprintf(w->f, "\n%*s", 2 * w->depth, "");
    }
}

static void json_key(json_writer *w, const char *key)
{
    json_sep(w);
    tb_json_string(w->f, key);
    fputs(": ", w->f);
}

static void json_open(json_writer *w, const char *key, char c)
{
    if (key)
        json_key(w, key);
    else
        json_sep(w);
    fputc(c, w->f);
    w->first[++w->depth] = 1;
}

static void json_close(json_writer *w, char c)
{
    int empty = w->first[w->depth];
    w->depth--;
    if (!empty)
        fprintf(w->f, "\n%*s", 2 * w->depth, "");
    fputc(c, w->f);
}

static void json_str(json_writer *w, const char *key, const char *s)
{
    json_key(w, key);
    if (s)
        tb_json_string(w->f, s);
    else
        fputs("null", w->f);
}

static void json_num(json_writer *w, const char *key, double v)
{
    json_key(w, key);
    if (isfinite(v))
        fprintf(w->f, "%.15g", v);
    else
        fputs("null", w->f);
}

static void json_int(json_writer *w, const char *key, long v)
{
    json_key(w, key);
    fprintf(w->f, "%ld", v);
}

static void json_bool(json_writer *w, const char *key, int v)
{
    json_key(w, key);
    fputs(v ? "true" : "false", w->f);
}

static void json_null(json_writer *w, const char *key)
{
    json_key(w, key);
    fputs("null", w->f);
}

/* A flat array of numbers on one line. */
static void json_nums(json_writer *w, const char *key, const double *v, int n)
{
    json_key(w, key);
    fputc('[', w->f);
    for (int i = 0; i < n; i++)
        fprintf(w->f, isfinite(v[i]) ? "%s%.15g" : "%snull", i ? ", " : "", v[i]);
    fputc(']', w->f);
}

static void json_corners(json_writer *w, const char *key, int has, const double c[4][2])
{
    if (!has) {
        json_null(w, key);
        return;
    }
    json_key(w, key);
    fputc('[', w->f);
    for (int i = 0; i < 4; i++)
        fprintf(w->f, "%s[%.15g, %.15g]", i ? ", " : "", c[i][0], c[i][1]);
    fputc(']', w->f);
}

static void json_crs(json_writer *w, const char *key, int has, const tb_crs_info *crs,
                     const char *label, const char *assigned)
{
    if (!has) {
        json_null(w, key);
        return;
    }
    json_open(w, key, '{');
    json_str(w, "label", label);
    json_str(w, "name", crs->name);
    if (crs->epsg)
        json_int(w, "epsg", crs->epsg);
    else
        json_null(w, "epsg");
    json_str(w, "unit", crs->unit);
    json_bool(w, "geographic", crs->geographic);
    if (assigned)
        json_str(w, "assigned_from", assigned);
    else
        json_null(w, "assigned_from");
    json_close(w, '}');
}

static void json_input(json_writer *w, const info_input *in)
{
    const tb_raster *r = in->r;
    const tb_raster_info *d = &in->d;
    json_open(w, NULL, '{');
    json_str(w, "role", in->role);
    json_str(w, "path", tb_raster_path(r));
    json_str(w, "driver", tb_raster_driver(r));
    json_int(w, "stacked_files", d->stacked_files > 1 ? d->stacked_files : 0);
    json_int(w, "width", tb_raster_width(r));
    json_int(w, "height", tb_raster_height(r));
    json_int(w, "band_count", d->nbands);
    json_str(w, "type", tb_raster_type_name(r));
    if (d->alpha_band) {
        json_int(w, "alpha_band", d->alpha_band);
        json_str(w, "alpha_applied_by", d->alpha_by_gdal ? "gdal" : "tuban");
    } else {
        json_null(w, "alpha_band");
        json_null(w, "alpha_applied_by");
    }
    json_open(w, "bands", '[');
    for (int b = 0; b < d->nbands; b++) {
        const tb_band_info *bi = &d->bands[b];
        json_open(w, NULL, '{');
        json_int(w, "band", bi->index);
        json_str(w, "type", bi->type);
        json_str(w, "color", bi->color);
        json_str(w, "description", bi->description);
        json_str(w, "source", bi->source[0] ? bi->source : NULL);
        if (bi->has_nodata)
            json_num(w, "nodata", bi->nodata);
        else
            json_null(w, "nodata");
        json_open(w, "mask", '{');
        json_bool(w, "all_valid", bi->mask_flags & TB_MASK_ALL_VALID);
        json_bool(w, "per_dataset", bi->mask_flags & TB_MASK_PER_DATASET);
        json_bool(w, "alpha", bi->mask_flags & TB_MASK_ALPHA);
        json_bool(w, "nodata", bi->mask_flags & TB_MASK_NODATA);
        json_close(w, '}');
        json_close(w, '}');
    }
    json_close(w, ']');
    json_crs(w, "crs", in->has_crs, &in->crs, in->crs_label, in->assigned);
    json_bool(w, "rpc", tb_raster_has_rpc(r));
    if (in->has_gt) {
        json_nums(w, "geotransform", in->gt, 6);
        const double px[2] = {hypot(in->gt[1], in->gt[4]), hypot(in->gt[2], in->gt[5])};
        json_nums(w, "pixel_size", px, 2);
    } else {
        json_null(w, "geotransform");
        json_null(w, "pixel_size");
    }
    if (in->ground_from) {
        json_nums(w, "pixel_size_m", in->ground_m, 2);
        json_str(w, "pixel_size_m_from", in->ground_from);
    } else {
        json_null(w, "pixel_size_m");
        json_null(w, "pixel_size_m_from");
    }
    json_open(w, "footprint", '{');
    json_corners(w, "crs", d->has_corners, d->corners);
    json_corners(w, "lonlat", d->has_lonlat, d->lonlat);
    json_close(w, '}');
    json_str(w, "acquisition", tb_raster_acquisition(r));
    json_close(w, '}');
}

static void json_pair(json_writer *w, const info_pair *p, const tb_config *cfg)
{
    json_open(w, "pair", '{');
    json_bool(w, "bands_match", p->bands_before == p->bands_after);
    const double counts[2] = {p->bands_before, p->bands_after};
    json_nums(w, "band_counts", counts, 2);
    if (p->overlap_known) {
        json_open(w, "overlap", '{');
        json_str(w, "crs", p->overlap_crs);
        json_bool(w, "disjoint", p->overlap_empty);
        if (p->overlap_empty)
            json_null(w, "bounds");
        else
            json_nums(w, "bounds", p->overlap, 4);
        json_corners(w, "lonlat", p->overlap_has_lonlat, p->overlap_lonlat);
        json_close(w, '}');
    } else {
        json_null(w, "overlap");
    }
    if (p->planned) {
        json_open(w, "grid", '{');
        json_crs(w, "crs", p->grid_has_crs, &p->grid_crs, p->grid_label, NULL);
        json_int(w, "width", p->grid.width);
        json_int(w, "height", p->grid.height);
        json_nums(w, "geotransform", p->grid.gt, 6);
        const double px[2] = {fabs(p->grid.gt[1]), fabs(p->grid.gt[5])};
        json_nums(w, "pixel_size", px, 2);
        if (p->grid_has_m)
            json_nums(w, "pixel_size_m", p->grid_m, 2);
        else
            json_null(w, "pixel_size_m");
        json_corners(w, "lonlat", p->grid_has_lonlat, p->grid_lonlat);
        json_num(w, "covered_before", p->grid.covered_before);
        json_close(w, '}');
    } else {
        json_null(w, "grid");
    }
    if (p->planned && p->before_warped >= 0) {
        json_bool(w, "before_warped", p->before_warped);
        json_bool(w, "after_warped", p->after_warped);
    } else {
        json_null(w, "before_warped");
        json_null(w, "after_warped");
    }
    json_str(w, "resampling", cfg->resampling);
    if (p->nbands_used > 0) {
        double used[TB_SCAN_MAX_BANDS];
        for (int i = 0; i < p->nbands_used; i++)
            used[i] = p->bands_used[i];
        json_nums(w, "bands_used", used, p->nbands_used);
    } else {
        json_null(w, "bands_used");
    }
    json_open(w, "scan", '{');
    json_bool(w, "would_run", p->verdict == TB_OK);
    json_int(w, "exit_code", tb_status_exit_code(p->verdict));
    json_str(w, "status", tb_status_name(p->verdict));
    json_str(w, "error", p->verdict ? p->message : NULL);
    json_close(w, '}');
    json_close(w, '}');
}

static void print_json(FILE *f, const info_input *in, int n, const info_pair *p,
                       const tb_config *cfg)
{
    json_writer w;
    memset(&w, 0, sizeof w);
    w.f = f;
    json_open(&w, NULL, '{');
    json_str(&w, "tuban_version", TB_VERSION_STRING);
    json_open(&w, "inputs", '[');
    for (int i = 0; i < n; i++)
        json_input(&w, &in[i]);
    json_close(&w, ']');
    if (p)
        json_pair(&w, p, cfg);
    else
        json_null(&w, "pair");
    json_int(&w, "exit_code", p ? tb_status_exit_code(p->verdict) : 0);
    json_close(&w, '}');
    fputc('\n', f);
}

/* ---- the command ---------------------------------------------------------------- */

int tb_cmd_info(int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL};
    int npos = 0, as_json = 0;
    tb_cli_settings settings;
    memset(&settings, 0, sizeof settings);

    tb_error_clear();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            info_usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--json")) {
            as_json = 1;
            continue;
        }
        if (a[0] == '-' && a[1] != '\0') {
            if (strcmp(a, "-c") && strcmp(a, "--config") && strcmp(a, "--set") &&
                strcmp(a, "--pixel-size") && strcmp(a, "--bands"))
                return fail(tb_error(TB_ERR_USAGE, "unknown option %s (try tuban info --help)", a));
            if (i + 1 >= argc)
                return fail(tb_error(TB_ERR_USAGE, "%s needs a value (try tuban info --help)", a));
            const char *v = argv[++i];
            tb_status ost;
            if (!tb_cli_settings_option(&settings, a, v, &ost))
                ost = tb_cli_override(&settings,
                                      !strcmp(a, "--bands") ? "input.bands" : "input.pixel_size",
                                      v, a);
            if (ost)
                return fail(ost);
            continue;
        }
        if (npos == 2)
            return fail(tb_error(TB_ERR_USAGE, "unexpected argument '%s': info takes A and "
                                 "optionally B", a));
        pos[npos++] = a;
    }
    if (npos == 0)
        return fail(tb_error(TB_ERR_USAGE, "info needs a raster A (and optionally B; try tuban "
                             "info --help)"));

    tb_config cfg;
    tb_status st = tb_cli_settings_load(&settings, &cfg);
    if (st)
        return fail(st);
    /* The [align] keys reach the planner as the scan passes them (scan_align.c). */
    tb_align_options opt = {cfg.crs, cfg.target_pixel_size, cfg.resampling, cfg.dem,
                            cfg.rpc_height};

    info_input in[2];
    memset(in, 0, sizeof in);
    info_pair pair;
    memset(&pair, 0, sizeof pair);
    pair.before_warped = pair.after_warped = -1;
    int rc = 0;
    for (int i = 0; i < npos && !st; i++) {
        in[i].role = npos == 1 ? "input" : i == 0 ? "before" : "after";
        st = tb_raster_open(pos[i], &in[i].r);
    }
    if (st) {
        rc = fail(st);
        goto done;
    }
    if (npos == 2) {
        pair.bands_before = tb_raster_band_count(in[0].r);
        pair.bands_after = tb_raster_band_count(in[1].r);
        pair.verdict = plan_pair(in, &cfg, &opt, &pair);
        snprintf(pair.message, sizeof pair.message, "%s", pair.verdict ? tb_error_message() : "");
        tb_error_clear();
        overlap_of(in, &cfg, &opt, &pair);
        grid_facts(&pair);
        tb_error_clear();
    }
    for (int i = 0; i < npos && !st; i++)
        st = describe_input(&in[i], &cfg, &opt);
    if (st) {
        rc = fail(st);
        goto done;
    }

    if (as_json) {
        print_json(stdout, in, npos, npos == 2 ? &pair : NULL, &cfg);
    } else {
        if (npos == 2)
            fprintf(stdout, "tuban info: %s -> %s\n", pos[0], pos[1]);
        else
            fprintf(stdout, "tuban info: %s\n", pos[0]);
        for (int i = 0; i < npos; i++)
            print_input(stdout, &in[i], npos == 2);
        if (npos == 2)
            print_pair(stdout, &pair, &cfg);
    }
    fflush(stdout);
    if (npos == 2 && pair.verdict) {
        fprintf(stderr, "tuban info: %s\n", pair.message);
        rc = tb_status_exit_code(pair.verdict);
    }
done:
    tb_grid_clear(&pair.grid);
    for (int i = 0; i < 2; i++) {
        tb_raster_info_clear(&in[i].d);
        tb_raster_close(in[i].r);
    }
    return rc;
}
