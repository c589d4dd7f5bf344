/* cmd_scan.c: `tuban scan BEFORE AFTER [-c scan.ini] [-o OUTDIR] [options]`.
 *
 * Settings come from the defaults, then the config file, then the command line (each
 * option is a shortcut for one config key, and --set reaches any key), so the
 * command line always wins whatever the order of the arguments.
 */
#include <stdio.h>
#include <string.h>

#include "cli_settings.h"
#include "tb_commands.h"
#include "tb_config.h"
#include "tb_scan.h"

static const struct {
    const char *option;
    const char *key;
} shortcuts[] = {
    {"--threshold", "detect.threshold"},      {"--open-radius", "morphology.open_radius"},
    {"--close-radius", "morphology.close_radius"}, {"--min-area", "filter.min_area_m2"},
    {"--max-area", "filter.max_area_m2"},      {"--pixel-size", "input.pixel_size"},
    {"--bands", "input.bands"},                {"--threads", "scan.threads"},
    {"--strip-rows", "scan.strip_rows"},       {"--store", "cases.store"},
};
#define NSHORTCUTS (sizeof shortcuts / sizeof shortcuts[0])

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tuban scan BEFORE AFTER [-o OUTDIR] [-c scan.ini] [options]\n"
            "\n"
            "Finds what changed between two dates of one area and writes polygons.\n"
            "BEFORE and AFTER are rasters GDAL reads, on the same grid; a directory or a\n"
            "comma list of single-band files is stacked into one raster per date.\n"
            "\n"
            "outputs (in OUTDIR, default ./out): changes.gpkg (layer 'changes'),\n"
            "  changes.geojson, changes_mask.tif (1 change, 0 none, 255 no data), summary.json\n"
            "\n"
            "options:\n"
            "  -o, --output DIR       output directory (created if missing)\n"
            "  -c, --config FILE      INI file with the keys below\n"
            "  --threshold X|auto     change-score threshold (detect.threshold)\n"
            "  --open-radius N        opening radius in pixels (morphology.open_radius)\n"
            "  --close-radius N       closing radius in pixels (morphology.close_radius)\n"
            "  --min-area M2          smallest polygon kept, square metres (filter.min_area_m2)\n"
            "  --max-area M2          largest polygon kept, 0 = no limit (filter.max_area_m2)\n"
            "  --pixel-size M         metres per pixel for rasters without a CRS (input.pixel_size)\n"
            "  --bands LIST           1-based bands used, e.g. 1,2,3 (input.bands)\n"
            "  --threads N            threads, 0 = all cores (scan.threads)\n"
            "  --strip-rows N         rows per strip (scan.strip_rows)\n"
            "  --no-normalise         skip radiometric normalisation (detect.normalise = false)\n"
            "  --store FILE           merge the polygons into this case store (cases.store)\n"
            "  --set SECTION.KEY=V    set any config key\n"
            "  -q, --quiet            no summary on stdout\n"
            "\n"
            "config keys (INI sections; defaults shown):\n");
    tb_config_print_help(out);
}

static int fail(tb_status st)
{
    fprintf(stderr, "tuban scan: %s\n", tb_error_message());
    return tb_status_exit_code(st);
}

int tb_cmd_scan(int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL};
    int npos = 0, quiet = 0;
    const char *outdir = "out";
    tb_cli_settings settings;
    memset(&settings, 0, sizeof settings);

    tb_error_clear();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (!strcmp(a, "--no-normalise")) {
            tb_status ost = tb_cli_override(&settings, "detect.normalise", "false", a);
            if (ost)
                return fail(ost);
            continue;
        }
        if (a[0] == '-' && a[1] != '\0') {
            if (i + 1 >= argc)
                return fail(tb_error(TB_ERR_USAGE, "%s needs a value (try tuban scan --help)", a));
            const char *v = argv[++i];
            if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
                outdir = v;
                continue;
            }
            tb_status ost;
            if (!tb_cli_settings_option(&settings, a, v, &ost)) {
                size_t k = 0;
                while (k < NSHORTCUTS && strcmp(shortcuts[k].option, a))
                    k++;
                if (k == NSHORTCUTS)
                    return fail(tb_error(TB_ERR_USAGE, "unknown option %s (try tuban scan --help)", a));
                ost = tb_cli_override(&settings, shortcuts[k].key, v, a);
            }
            if (ost)
                return fail(ost);
            continue;
        }
        if (npos == 2)
            return fail(tb_error(TB_ERR_USAGE, "unexpected argument '%s': scan takes BEFORE and AFTER", a));
        pos[npos++] = a;
    }
    if (npos != 2)
        return fail(tb_error(TB_ERR_USAGE, "scan needs BEFORE and AFTER (try tuban scan --help)"));

    tb_config cfg;
    tb_status st = tb_cli_settings_load(&settings, &cfg);
    if (st)
        return fail(st);

    tb_scan_result res;
    st = tb_scan_run(pos[0], pos[1], outdir, &cfg, &res);
    if (st)
        return fail(st);
    /* coreg.warn_only turned a stop into this: say it where cron mail shows it. */
    if (!strncmp(res.coreg_status, "failed", 6) || !strncmp(res.coreg_status, "refused", 7))
        fprintf(stderr, "tuban scan: warning: co-registration %s; the dates were compared "
                        "without a shift\n", res.coreg_status);
    if (!quiet)
        tb_scan_print_summary(stdout, &res);
    if (cfg.store[0]) {
        st = tb_scan_merge_cases(&cfg, outdir, quiet ? NULL : stdout);
        if (st)
            return fail(st);
    }
    return 0;
}
