/* scan.c: one scan from two rasters to polygons (see tb_scan.h for the passes).
 *
 * Everything a scan writes goes to temporary names in the output directory and is
 * renamed into place only after every output is complete: a failed or interrupted
 * scan leaves the previous run's outputs as they were.
 */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "scan_internal.h"
#include "tb_version.h"

double tb_scan_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* `path` made absolute when it names one existing file or directory; a comma list or
 * a GDAL virtual path is kept as given. */
static void absolute_path(char *dst, size_t cap, const char *path)
{
    char *real = strchr(path, ',') ? NULL : realpath(path, NULL);
    copy_str(dst, cap, real ? real : path);
    free(real);
}

/* mkdir -p */
static tb_status make_outdir(const char *dir)
{
    char path[1024];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return tb_error(TB_ERR_OUTPUT, "%s: output path too long", dir);
    for (char *p = path + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
                return tb_error(TB_ERR_OUTPUT, "%s: cannot create output directory (%s)", dir,
                                strerror(errno));
            *p = c;
            if (!c)
                break;
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return tb_error(TB_ERR_OUTPUT, "%s: output path is not a directory", dir);
    if (access(dir, W_OK) != 0)
        return tb_error(TB_ERR_OUTPUT, "%s: output directory is not writable (%s)", dir,
                        strerror(errno));
    return TB_OK;
}

/* Parses [input] bands ("" = all) into res->bands. */
static tb_status select_bands(tb_scan_ctx *ctx, int available)
{
    tb_scan_result *res = ctx->res;
    const char *s = ctx->cfg->bands;
    int n = 0;
    if (!*s) {
        if (available > TB_SCAN_MAX_BANDS)
            return tb_error(TB_ERR_BANDS, "%s: has %d bands; at most %d can be used (set [input] bands)",
                            tb_raster_path(ctx->after), available, TB_SCAN_MAX_BANDS);
        for (n = 0; n < available; n++)
            res->bands[n] = n + 1;
    } else {
        while (*s && n < TB_SCAN_MAX_BANDS) {
            char *end;
            long b = strtol(s, &end, 10);
            if (end == s)
                return tb_error(TB_ERR_CONFIG, "[input] bands: '%s' is not a band list", ctx->cfg->bands);
            if (b < 1 || b > available)
                return tb_error(TB_ERR_BANDS, "%s: has %d bands; [input] bands asks for band %ld",
                                tb_raster_path(ctx->after), available, b);
            res->bands[n++] = (int)b;
            s = end;
            while (*s == ',' || *s == ' ')
                s++;
        }
    }
    res->nbands = ctx->nbands = n;
    return TB_OK;
}

static tb_status open_inputs(tb_scan_ctx *ctx, const char *before, const char *after)
{
    tb_scan_result *res = ctx->res;
    tb_status st = tb_scan_align(ctx, before, after);
    if (!st)
        st = select_bands(ctx, tb_raster_band_count(ctx->after));
    if (!st)
        st = tb_scan_evidence_setup(ctx);
    if (st)
        return st;
    ctx->width = res->width = ctx->grid.width;
    ctx->height = res->height = ctx->grid.height;
    ctx->wkt = ctx->grid.wkt;
    st = tb_ground_init(&ctx->ground, ctx->wkt, ctx->grid.gt, ctx->cfg->pixel_size, after);
    if (st)
        return st;
    /* GDAL's default cache is 5 % of RAM: on a big scene it would hold most of the
     * decoded input. Co-registration reads each window once: a small cache will do. */
    tb_gdal_set_cache((size_t)16 << 20);
    st = tb_scan_coregister(ctx);
    if (st)
        return st;
    /* Pass 2 reads each date downwards in strips whose halos overlap. A date read
     * through GDAL needs the rows of blocks a strip and its halo reach into (up to
     * three), and a warped view its own row of blocks on top; a date on the libtiff
     * path keeps its own decoded rows. With less, strips decode their neighbours'
     * blocks again. */
    size_t need = 0;
    const tb_raster *view[2] = {ctx->before, ctx->after}, *src[2] = {ctx->before_src, ctx->after_src};
    const int warped[2] = {res->before_warped, res->after_warped};
    for (int d = 0; d < 2; d++)
        if (!tb_raster_fast_rows(view[d]))
            need += 3 * tb_raster_block_row_bytes(src[d]) +
                    (warped[d] ? tb_raster_block_row_bytes(view[d]) : 0);
    /* Setting a smaller cache first evicts co-registration's windows. */
    tb_gdal_set_cache(0);
    tb_gdal_set_cache(need + ((size_t)8 << 20));
    tb_ground_pixel(&ctx->ground, ctx->width / 2.0, ctx->height / 2.0, &res->pixel_w_m,
                    &res->pixel_h_m);
    copy_str(res->before_date, sizeof res->before_date, tb_raster_acquisition(ctx->before_src));
    copy_str(res->after_date, sizeof res->after_date, tb_raster_acquisition(ctx->after_src));
    return TB_OK;
}

/* Metadata written with the polygons: a NULL-terminated key, value list. */
static const char **build_metadata(const tb_scan_result *res, const char *config_ini,
                                   char store[][128])
{
    static const char *meta[40];
    int i = 0, k = 0;
#define META_STR(key, val) (meta[i++] = (key), meta[i++] = (val))
#define META_NUM(key, fmt, val) \
    (snprintf(store[k], 128, fmt, val), meta[i++] = (key), meta[i++] = store[k++])
    META_STR("TUBAN_VERSION", TB_VERSION_STRING);
    META_STR("BEFORE", res->before);
    META_STR("AFTER", res->after);
    META_STR("BEFORE_DATE", res->before_date);
    META_STR("AFTER_DATE", res->after_date);
    META_NUM("THRESHOLD", "%.6g", res->threshold);
    META_STR("THRESHOLD_METHOD", res->threshold_auto ? (res->otsu >= res->floor ? "otsu" : "floor") : "fixed");
    META_NUM("THRESHOLD_OTSU", "%.6g", res->otsu);
    META_NUM("THRESHOLD_FLOOR", "%.6g", res->floor);
    META_STR("COREGISTRATION", res->coreg_status);
    META_NUM("SHIFT_X_PX", "%.4f", res->shift_x);
    META_NUM("SHIFT_Y_PX", "%.4f", res->shift_y);
    META_NUM("SHIFT_SPREAD_X_PX", "%.4f", res->shift_spread_x);
    META_NUM("SHIFT_SPREAD_Y_PX", "%.4f", res->shift_spread_y);
    META_NUM("COREG_WINDOWS_USED", "%d", res->coreg_windows_used);
    META_NUM("BEFORE_COVERS", "%.4f", res->covered_before);
    META_NUM("POLYGONS", "%u", res->polygons);
    META_NUM("TOTAL_AREA_M2", "%.2f", res->total_area_m2);
    META_STR("CONFIG", config_ini ? config_ini : "");
    meta[i] = NULL;
#undef META_STR
#undef META_NUM
    return meta;
}

/* Hands memory freed by a finished pass back to the system. glibc keeps freed blocks
 * of its heaps (and of the other threads' arenas) resident, and after a big buffer
 * is freed it serves blocks of up to that size from the heap: what co-registration,
 * the sample or the shape pass freed would count towards the next pass's peak. */
static void release_freed_memory(void)
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

static void remove_quietly(const char *path)
{
    if (path && *path)
        unlink(path);
}

tb_status tb_scan_run(const char *before, const char *after, const char *outdir,
                      const tb_config *cfg, tb_scan_result *res)
{
    const double t0 = tb_scan_now();
    memset(res, 0, sizeof *res);
    /* Absolute paths: the case store finds the inputs again (evidence images) from
     * wherever it is run. */
    absolute_path(res->before, sizeof res->before, before);
    absolute_path(res->after, sizeof res->after, after);
    copy_str(res->outdir, sizeof res->outdir, outdir);
    if (cfg->threads > 0)
        omp_set_num_threads(cfg->threads);
    res->threads = omp_get_max_threads();

    tb_scan_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.cfg = cfg;
    ctx.res = res;
    ctx.halo = 2 * (cfg->open_radius + cfg->close_radius);

    tb_raster_writer *final_labels = NULL, *mask = NULL;
    char final_path[1100] = "", mask_tmp[1100] = "", gpkg_tmp[1100] = "", json_tmp[1100] = "";
    char *config_ini = NULL;
    const long pid = (long)getpid();

    double t = tb_scan_now();
    tb_status st = open_inputs(&ctx, before, after);
    res->t_align = tb_scan_now() - t;
    if (!st)
        st = make_outdir(outdir);
    if (st)
        goto done;
    ctx.halo += tb_scan_evidence_halo(&ctx);
    st = tb_scan_vhr_select(&ctx);   /* vhr_rgb: its own halo and passes */
    if (st)
        goto done;
    tb_crs_describe(ctx.wkt, res->crs_name, sizeof res->crs_name);

    ctx.strip_rows = res->strip_rows = ctx.vhr ? tb_scan_vhr_strip_rows(&ctx) : tb_scan_strip_rows(&ctx);
    t = tb_scan_now();
    st = tb_scan_sample(&ctx);
    res->t_sample = tb_scan_now() - t;
    if (st)
        goto done;
    release_freed_memory();

    t = tb_scan_now();
    snprintf(ctx.provisional_path, sizeof ctx.provisional_path, "%s/.tuban-%ld-provisional.tif", outdir, pid);
    snprintf(ctx.ev.flags_path, sizeof ctx.ev.flags_path, "%s/.tuban-%ld-flags.tif", outdir, pid);
    snprintf(ctx.components_path, sizeof ctx.components_path, "%s/.tuban-%ld-components.bin",
             outdir, pid);
    st = tb_raster_writer_create_scratch(ctx.provisional_path, ctx.width, ctx.height, TB_U32,
                                         NULL, NULL, &ctx.provisional);
    /* Strips share twice the halo with the next: only those rows of a date's decoded
     * rows are kept when reading moves on to the next unit. */
    tb_raster_set_read_overlap(ctx.before, 2 * ctx.halo);
    tb_raster_set_read_overlap(ctx.after, 2 * ctx.halo);
    if (!st)
        st = ctx.vhr ? tb_scan_vhr_detect(&ctx) : tb_scan_detect(&ctx);
    res->t_detect = tb_scan_now() - t;
    if (st)
        goto done;
    /* The inputs are read: their decoded rows and GDAL's input blocks would only add
     * to the memory of the passes that follow. */
    tb_raster_close(ctx.before);
    tb_raster_close(ctx.after);
    tb_raster_close(ctx.before_src);
    tb_raster_close(ctx.after_src);
    ctx.before = ctx.after = ctx.before_src = ctx.after_src = NULL;
    tb_gdal_set_cache((size_t)8 << 20);
    release_freed_memory();
    if (res->valid_pixels == 0) {
        st = tb_error(TB_ERR_NODATA, "%s and %s: no pixel is valid in both dates (all no data)",
                      before, after);
        goto done;
    }

    t = tb_scan_now();
    const double *gt = ctx.ground.gt;
    snprintf(final_path, sizeof final_path, "%s/.tuban-%ld-labels.tif", outdir, pid);
    st = tb_raster_writer_create_scratch(final_path, ctx.width, ctx.height, TB_U32, gt, ctx.wkt,
                                         &final_labels);
    if (!st && cfg->write_mask) {
        snprintf(mask_tmp, sizeof mask_tmp, "%s/.tuban-%ld-changes_mask.tif", outdir, pid);
        st = tb_raster_writer_create(mask_tmp, ctx.width, ctx.height, TB_U8, gt, ctx.wkt, 255,
                                     &mask);
    }
    if (!st)
        st = tb_scan_resolve(&ctx, final_labels, mask);
    res->t_resolve = tb_scan_now() - t;
    if (st)
        goto done;
    /* The final labels are complete: closed, so that the polygonizer's threads can each
     * read them through a handle of their own. */
    st = tb_raster_writer_close(final_labels);
    final_labels = NULL;
    if (st)
        goto done;
    /* The features hold what polygons need: the components' records (a big scene has
     * hundreds of thousands) and the label map go before tracing starts. */
    tb_ccl_destroy(ctx.ccl);
    ctx.ccl = NULL;
    free(ctx.final_id);
    ctx.final_id = NULL;
    release_freed_memory();

    t = tb_scan_now();
    config_ini = tb_config_to_ini(cfg);
    char store[24][128];
    const char **meta = build_metadata(res, config_ini, store);
    if (mask) {
        for (int i = 0; meta[i]; i += 2)
            if (strcmp(meta[i], "CONFIG") != 0)
                tb_raster_writer_set_metadata(mask, meta[i], meta[i + 1]);
        st = tb_raster_writer_close(mask);
        mask = NULL;
    }
    if (!st && (cfg->write_gpkg || cfg->write_geojson)) {
        snprintf(gpkg_tmp, sizeof gpkg_tmp, "%s/.tuban-%ld-changes.gpkg", outdir, pid);
        snprintf(json_tmp, sizeof json_tmp, "%s/.tuban-%ld-changes.geojson", outdir, pid);
        st = tb_write_changes(final_path, ctx.features, ctx.nfeatures, ctx.wkt,
                              cfg->write_gpkg ? gpkg_tmp : NULL,
                              cfg->write_geojson ? json_tmp : NULL, meta, res->threads);
    }
    res->t_polygons = tb_scan_now() - t;
    res->t_total = tb_scan_now() - t0;
    if (st)
        goto done;

    /* Every output is complete: move them into place. */
    char final_name[1100];
    struct { const char *tmp; const char *name; int on; } moves[] = {
        {gpkg_tmp, "changes.gpkg", cfg->write_gpkg},
        {json_tmp, "changes.geojson", cfg->write_geojson},
        {mask_tmp, "changes_mask.tif", cfg->write_mask},
    };
    for (size_t i = 0; i < sizeof moves / sizeof moves[0] && !st; i++) {
        if (!moves[i].on)
            continue;
        snprintf(final_name, sizeof final_name, "%s/%s", outdir, moves[i].name);
        if (rename(moves[i].tmp, final_name) != 0)
            st = tb_error(TB_ERR_OUTPUT, "%s: cannot move into place (%s)", final_name,
                          strerror(errno));
    }
    if (!st) {
        struct rusage ru;
        if (getrusage(RUSAGE_SELF, &ru) == 0)
            res->peak_rss_mb = (double)ru.ru_maxrss / 1024.0;   /* Linux: kilobytes */
        snprintf(final_name, sizeof final_name, "%s/summary.json", outdir);
        st = tb_scan_write_summary_json(final_name, res, cfg);
    }

done:
    tb_raster_writer_close(mask);
    tb_raster_writer_close(final_labels);
    tb_raster_writer_close(ctx.provisional);
    remove_quietly(ctx.provisional_path);
    tb_scan_evidence_free(&ctx);
    tb_scan_vhr_free(&ctx);
    remove_quietly(ctx.ev.flags_path);
    remove_quietly(ctx.components_path);
    remove_quietly(final_path);
    remove_quietly(mask_tmp);
    remove_quietly(gpkg_tmp);
    remove_quietly(json_tmp);
    free(config_ini);
    free(ctx.final_id);
    free(ctx.features);
    tb_ccl_destroy(ctx.ccl);
    tb_raster_close(ctx.before);
    tb_raster_close(ctx.after);
    tb_raster_close(ctx.before_src);
    tb_raster_close(ctx.after_src);
    tb_grid_clear(&ctx.grid);
    tb_ground_clear(&ctx.ground);
    res->t_total = tb_scan_now() - t0;
    return st;
}
