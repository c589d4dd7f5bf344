/* scan_report.c: what a scan tells its user: a short human summary on the terminal
 * and the same facts as out/summary.json for scripts and cron mail. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tb_json.h"
#include "tb_scan.h"
#include "tb_version.h"

static const char *method(const tb_scan_result *r)
{
    if (!r->threshold_auto)
        return "fixed";
    return r->otsu >= r->floor ? "otsu" : "floor";
}

void tb_scan_print_summary(FILE *out, const tb_scan_result *r)
{
    fprintf(out, "tuban scan: %s -> %s\n", r->before, r->after);
    fprintf(out, "  grid        %d x %d px, %d bands, %.3g x %.3g m/px, %s\n", r->width, r->height,
            r->nbands, r->pixel_w_m, r->pixel_h_m, r->crs_name[0] ? r->crs_name : "no CRS (pixel grid)");
    fprintf(out, "  alignment   before %s, after %s; before covers %.1f %% of after; "
                 "shift %.3f, %.3f px (%s)\n",
            r->before_warped ? "warped" : "as is", r->after_warped ? "warped" : "as is",
            100.0 * r->covered_before, r->shift_x, r->shift_y, r->coreg_status);
    fprintf(out, "  dates       %s -> %s\n", r->before_date[0] ? r->before_date : "unknown",
            r->after_date[0] ? r->after_date : "unknown");
    if (!strcmp(r->method, "vhr_rgb"))
        fprintf(out, "  detector    vhr_rgb (grey-roof recipe): greyness > %.4f / %.4f, sun azimuth "
                     "%.0f (%s) / %.0f (%s) deg (before / after); objects new %u of %u, "
                     "removed %u of %u\n",
                r->grey_threshold[0], r->grey_threshold[1], r->sun_azimuth_deg[0],
                r->sun_source[0], r->sun_azimuth_deg[1], r->sun_source[1], r->vhr_kept[0],
                r->vhr_objects[0], r->vhr_kept[1], r->vhr_objects[1]);
    else
        fprintf(out, "  threshold   %.3f (%s; otsu %.3f, floor %.3f)\n", r->threshold, method(r),
                r->otsu, r->floor);
    fprintf(out, "  polygons    %u (%.1f m2 in all); %u components, %u below min area, %u above max\n",
            r->polygons, r->total_area_m2, r->components, r->dropped_small, r->dropped_large);
    fprintf(out, "  kinds       %u new (%.1f m2), %u removed (%.1f m2); %u below min confidence\n",
            r->new_polygons, r->new_area_m2, r->removed_polygons, r->removed_area_m2,
            r->dropped_confidence);
    fprintf(out, "  evidence    bands");
    static const char *const role[4] = {"blue", "green", "red", "NIR"};
    int any = 0;
    for (int k = 0; k < 4; k++)
        if (r->role_bands[k]) {
            fprintf(out, " %s %d", role[k], r->role_bands[k]);
            any = 1;
        }
    fprintf(out, "%s (%s); brightness median %.4g, spread %.4g", any ? "" : " none",
            r->roles_source, r->bright_median, r->bright_scale);
    if (r->mbi_lengths_px[0])
        fprintf(out, "; MBI lines %d..%d px step %d", r->mbi_lengths_px[0], r->mbi_lengths_px[1],
                r->mbi_lengths_px[2]);
    fputc('\n', out);
    fprintf(out, "  time        align %.2f s, sample %.2f s, detect %.2f s (input %.2f s), "
                 "resolve %.2f s, polygons %.2f s, total %.2f s (%d threads)\n",
            r->t_align, r->t_sample, r->t_detect, r->t_detect_input, r->t_resolve,
            r->t_polygons, r->t_total, r->threads);
    fprintf(out, "  memory      %.1f MiB peak resident\n", r->peak_rss_mb);
    fprintf(out, "  output      %s/changes.gpkg\n", r->outdir);
}


tb_status tb_scan_write_summary_json(const char *path, const tb_scan_result *r, const tb_config *cfg)
{
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot create (%s)", tmp, strerror(errno));
    fprintf(f, "{\n  \"tuban_version\": \"%s\",\n  \"before\": ", TB_VERSION_STRING);
    tb_json_string(f, r->before);
    fputs(",\n  \"after\": ", f);
    tb_json_string(f, r->after);
    fputs(",\n  \"before_date\": ", f);
    tb_json_string(f, r->before_date);
    fputs(",\n  \"after_date\": ", f);
    tb_json_string(f, r->after_date);
    fputs(",\n  \"crs\": ", f);
    tb_json_string(f, r->crs_name);
    fprintf(f, ",\n  \"width\": %d,\n  \"height\": %d,\n  \"bands\": [", r->width, r->height);
    for (int b = 0; b < r->nbands; b++)
        fprintf(f, "%s%d", b ? ", " : "", r->bands[b]);
    fprintf(f, "],\n  \"pixel_size_m\": [%.6g, %.6g],\n", r->pixel_w_m, r->pixel_h_m);
    fprintf(f, "  \"grid\": {\"geotransform\": [%.10g, %.10g, %.10g, %.10g, %.10g, %.10g], "
               "\"pixels\": %llu, \"before_covers\": %.6f, \"before_warped\": %s, "
               "\"after_warped\": %s},\n",
            r->grid_gt[0], r->grid_gt[1], r->grid_gt[2], r->grid_gt[3], r->grid_gt[4], r->grid_gt[5],
            (unsigned long long)r->grid_pixels, r->covered_before,
            r->before_warped ? "true" : "false", r->after_warped ? "true" : "false");
    fputs("  \"coregistration\": {\"status\": ", f);
    tb_json_string(f, r->coreg_status);
    fprintf(f, ", \"estimate_px\": [%.4f, %.4f]", r->estimate_x, r->estimate_y);
    fprintf(f, ", \"shift_px\": [%.4f, %.4f], \"spread_px\": [%.4f, %.4f], \"window\": %d, "
               "\"windows_used\": %d, \"windows_tried\": %d, \"median_peak\": %.4f},\n",
            r->shift_x, r->shift_y, r->shift_spread_x, r->shift_spread_y, r->coreg_window,
            r->coreg_windows_used, r->coreg_windows_tried, r->coreg_peak);
    fprintf(f, "  \"normalisation\": [");
    for (int b = 0; b < r->nbands; b++)
        fprintf(f, "%s{\"band\": %d, \"gain\": %.6g, \"offset\": %.6g, \"scale\": %.6g}",
                b ? ", " : "", r->bands[b], r->fits[b].gain, r->fits[b].offset, r->fits[b].scale);
    fprintf(f, "],\n  \"sample\": {\"stride\": %d, \"valid_pixels\": %llu},\n", r->sample_stride,
            (unsigned long long)r->sample_pixels);
    fprintf(f, "  \"threshold\": {\"value\": %.6g, \"method\": \"%s\", \"otsu\": %.6g, \"floor\": %.6g},\n",
            r->threshold, method(r), r->otsu, r->floor);
    fprintf(f, "  \"detector\": {\"method\": \"%s\"", r->method);
    if (!strcmp(r->method, "vhr_rgb"))
        fprintf(f, ", \"grey_threshold\": [%.6g, %.6g], \"sun_azimuth_deg\": [%.1f, %.1f], "
                   "\"sun_source\": [\"%s\", \"%s\"], \"objects_new\": [%u, %u], "
                   "\"objects_removed\": [%u, %u]",
                r->grey_threshold[0], r->grey_threshold[1], r->sun_azimuth_deg[0],
                r->sun_azimuth_deg[1], r->sun_source[0], r->sun_source[1], r->vhr_kept[0],
                r->vhr_objects[0], r->vhr_kept[1], r->vhr_objects[1]);
    fputs("},\n", f);
    fprintf(f, "  \"valid_pixels\": %llu,\n  \"change_pixels\": %llu,\n",
            (unsigned long long)r->valid_pixels, (unsigned long long)r->change_pixels);
    fprintf(f, "  \"components\": %u,\n  \"dropped\": {\"below_min_area\": %u, \"above_max_area\": %u, "
               "\"below_threshold\": %u, \"below_min_confidence\": %u},\n",
            r->components, r->dropped_small, r->dropped_large, r->dropped_weak,
            r->dropped_confidence);
    fprintf(f, "  \"polygons\": %u,\n  \"total_area_m2\": %.2f,\n", r->polygons, r->total_area_m2);
    fprintf(f, "  \"kinds\": {\"new\": %u, \"removed\": %u, \"new_area_m2\": %.2f, "
               "\"removed_area_m2\": %.2f},\n",
            r->new_polygons, r->removed_polygons, r->new_area_m2, r->removed_area_m2);
    fprintf(f, "  \"evidence\": {\"blue_band\": %d, \"green_band\": %d, \"red_band\": %d, "
               "\"nir_band\": %d, \"roles_source\": ",
            r->role_bands[0], r->role_bands[1], r->role_bands[2], r->role_bands[3]);
    tb_json_string(f, r->roles_source);
    fprintf(f, ", \"brightness_median\": %.6g, \"brightness_spread\": %.6g, "
               "\"mbi_lines_px\": [%d, %d, %d]},\n",
            r->bright_median, r->bright_scale, r->mbi_lengths_px[0], r->mbi_lengths_px[1],
            r->mbi_lengths_px[2]);
    fprintf(f, "  \"min_area_m2\": %.6g,\n  \"threads\": %d,\n  \"omp_wait_policy\": ",
            cfg->min_area_m2, r->threads);
    const char *wait = getenv("OMP_WAIT_POLICY");
    tb_json_string(f, wait && *wait ? wait : "default");
    fprintf(f, ",\n  \"strip_rows\": %d,\n", r->strip_rows);
    fprintf(f, "  \"peak_rss_mib\": %.1f,\n", r->peak_rss_mb);
    fprintf(f, "  \"seconds\": {\"align\": %.3f, \"sample\": %.3f, \"detect\": %.3f, "
               "\"detect_input\": %.3f, \"resolve\": %.3f, \"polygons\": %.3f, \"total\": %.3f}\n}\n",
            r->t_align, r->t_sample, r->t_detect, r->t_detect_input, r->t_resolve, r->t_polygons,
            r->t_total);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        unlink(tmp);
        return tb_error(TB_ERR_OUTPUT, "%s: write failed", tmp);
    }
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return tb_error(TB_ERR_OUTPUT, "%s: cannot move into place (%s)", path, strerror(errno));
    }
    return TB_OK;
}
