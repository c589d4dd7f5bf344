/* cmd_eval.c: `tuban eval PREDICTION TRUTH`: pixel and object accuracy of a change
 * map against truth (io/tb_eval.h does the work).
 *
 * Prints an aligned table on stdout; --json FILE also writes one JSON object to FILE,
 * and --json - writes it to stdout instead of the table. Options may come before or
 * after the two paths, as `--name value` or `--name=value`. A bad command line is a
 * one-line message on stderr and exit code 2; other failures print the recorded error
 * and return the exit code of its status (README.md, "Exit codes").
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_settings.h"
#include "tb_commands.h"
#include "tb_error.h"
#include "tb_eval.h"
#include "tb_eval_dataset.h"

static void eval_usage(FILE *out)
{
    fprintf(out,
            "usage: tuban eval PREDICTION TRUTH [options]\n"
            "       tuban eval --dataset DIR [options] (tuban eval --dataset --help)\n"
            "\n"
            "Compares a change map with truth. Inputs are rasters (any GDAL format: change\n"
            "masks) or vector files (any OGR source: polygons of the first layer). Pixel\n"
            "metrics need two rasters of one size; object metrics match objects (polygons,\n"
            "or 8-connected components of a raster) one-to-one by IoU.\n"
            "\n"
            "options:\n"
            "  --iou X              IoU needed for an object match, in (0, 1] (default 0.3)\n"
            "  --min-area M2        ignore objects smaller than M2 square metres on both\n"
            "                       sides (default 0)\n"
            "  --pred-values LIST   prediction raster values meaning change, e.g. 1,2\n"
            "                       (default: any non-zero value)\n"
            "  --truth-values LIST  the same for the truth raster (OSCD labels: 2)\n"
            "  --kinds K            which predicted changes count: all (default), new or\n"
            "                       removed (the `kind` field of tuban's polygons; for a\n"
            "                       changes_mask.tif without --pred-values: 1,2 / 1 / 2)\n"
            "  --pixel-size M       metres per pixel of rasters without georeferencing\n"
            "                       (default 1)\n"
            "  --json FILE          also write the result as JSON to FILE; '-' writes it to\n"
            "                       stdout instead of the table\n"
            "  --help               this text\n");
}

/* Records a usage error (one line) and returns TB_ERR_USAGE. */
#define USAGE_ERROR(...) tb_error(TB_ERR_USAGE, __VA_ARGS__)

/* Parses a number option; *v is set only on success. */
static tb_status parse_number(const char *name, const char *text, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(x))
        return USAGE_ERROR("%s: '%s' is not a number (try tuban eval --help)", name, text);
    *v = x;
    return TB_OK;
}

/* Copies a value list into dst (sizeof 128) after checking it. */
static tb_status parse_list(const char *name, const char *text, char *dst, size_t size)
{
    if (strlen(text) >= size)
        return USAGE_ERROR("%s: list longer than %zu characters", name, size - 1);
    tb_status st = tb_eval_check_values(text, name);
    if (st != TB_OK)
        return st;
    memcpy(dst, text, strlen(text) + 1);
    return TB_OK;
}

/* Parses argv into opt, the two paths and the JSON target; *help is set by --help. */
static tb_status parse_args(int argc, char **argv, tb_eval_options *opt, const char **paths,
                            const char **json, int *help)
{
    int npaths = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            *help = 1;
            return TB_OK;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (npaths == 2)
                return USAGE_ERROR("unexpected argument '%s': give PREDICTION and TRUTH only "
                                   "(try tuban eval --help)", arg);
            paths[npaths++] = arg;
            continue;
        }
        /* --name value or --name=value */
        char name[32];
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        if (len >= sizeof name)
            return USAGE_ERROR("unknown option '%s' (try tuban eval --help)", arg);
        memcpy(name, arg, len);
        name[len] = '\0';
        int known = !strcmp(name, "--iou") || !strcmp(name, "--min-area") ||
                    !strcmp(name, "--pred-values") || !strcmp(name, "--truth-values") ||
                    !strcmp(name, "--pixel-size") || !strcmp(name, "--json") ||
                    !strcmp(name, "--kinds");
        if (!known)
            return USAGE_ERROR("unknown option '%s' (try tuban eval --help)", name);
        const char *val = eq ? eq + 1 : NULL;
        if (!val) {
            if (i + 1 >= argc)
                return USAGE_ERROR("%s needs a value (try tuban eval --help)", name);
            val = argv[++i];
        }
        tb_status st = TB_OK;
        double x = 0.0;
        if (!strcmp(name, "--iou")) {
            st = parse_number(name, val, &x);
            if (st == TB_OK && !(x > 0.0 && x <= 1.0))
                st = USAGE_ERROR("--iou: %s is not in (0, 1]", val);
            if (st == TB_OK)
                opt->iou = x;
        } else if (!strcmp(name, "--min-area")) {
            st = parse_number(name, val, &x);
            if (st == TB_OK && x < 0.0)
                st = USAGE_ERROR("--min-area: %s is negative", val);
            if (st == TB_OK)
                opt->min_area_m2 = x;
        } else if (!strcmp(name, "--pixel-size")) {
            st = parse_number(name, val, &x);
            if (st == TB_OK && !(x > 0.0))
                st = USAGE_ERROR("--pixel-size: %s is not positive", val);
            if (st == TB_OK)
                opt->pixel_size = x;
        } else if (!strcmp(name, "--pred-values")) {
            st = parse_list(name, val, opt->pred_values, sizeof opt->pred_values);
        } else if (!strcmp(name, "--truth-values")) {
            st = parse_list(name, val, opt->truth_values, sizeof opt->truth_values);
        } else if (!strcmp(name, "--kinds")) {
            if (!tb_eval_kind_values(val) || !val[0])
                st = USAGE_ERROR("--kinds: '%s' is not all, new or removed", val);
            else
                snprintf(opt->pred_kinds, sizeof opt->pred_kinds, "%s", val);
        } else {
            if (val[0] == '\0')
                st = USAGE_ERROR("--json needs a file name or '-'");
            *json = val;
        }
        if (st != TB_OK)
            return st;
    }
    if (npaths != 2)
        return USAGE_ERROR("need PREDICTION and TRUTH (try tuban eval --help)");
    if (opt->pred_kinds[0] && !opt->pred_values[0] && strcmp(opt->pred_kinds, "all"))
        snprintf(opt->pred_values, sizeof opt->pred_values, "%s",
                 tb_eval_kind_values(opt->pred_kinds));
    return TB_OK;
}

/* Writes the JSON report to `path`. */
static tb_status write_json(const char *path, const tb_eval_result *res)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot write: %s", path, strerror(errno));
    tb_eval_print_json(f, res);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return tb_error(TB_ERR_OUTPUT, "%s: write failed", path);
    return TB_OK;
}

static void dataset_usage(FILE *out)
{
    fprintf(out,
            "usage: tuban eval --dataset DIR [-c scan.ini] [options]\n"
            "\n"
            "Scans every tile of a labelled dataset folder and scores each change mask\n"
            "against its label: DIR/A/<tile>, DIR/B/<tile>, DIR/label/<tile> (matched by name\n"
            "without extension; a tile may be a directory of single-band files), or one folder\n"
            "per city: DIR/<city>/A, DIR/<city>/B, DIR/<city>/label/<city>-cm.tif (OSCD).\n"
            "Prints a line per tile, the pooled line (counts summed over tiles) and the\n"
            "spread of pixel F1 over tiles. A label on another grid than the scan's is\n"
            "warped onto it (nearest neighbour, the before-image's georeferencing).\n"
            "\n"
            "options:\n"
            "  -c, --config FILE    scan configuration (INI, as tuban scan)\n"
            "  --set SECTION.KEY=V  set any config key (e.g. filter.min_area_m2=20)\n"
            "  --pixel-size M       metres per pixel of inputs without georeferencing\n"
            "                       (input.pixel_size; also used for object areas)\n"
            "  --threshold X|auto, --bands LIST, --threads N, --open-radius N,\n"
            "  --close-radius N, --no-normalise   as for tuban scan\n"
            "  --truth-values LIST  label values meaning change (default any non-zero; OSCD: 2)\n"
            "  --kinds K            predicted kinds scored: all (default; labels marking both\n"
            "                       directions, as LEVIR-CD), new (labels of new structures\n"
            "                       only) or removed (eval.kinds)\n"
            "  --iou X              object match threshold (eval.iou, default 0.3)\n"
            "  --min-area M2        objects below M2 are ignored by the object metrics\n"
            "                       (eval.min_area_m2, default 0; the scan's own filter is\n"
            "                       --set filter.min_area_m2=M2)\n"
            "  --json FILE          also write the result as JSON ('-': stdout, no table)\n"
            "  --keep DIR           keep the scans in DIR (default: a temporary directory,\n"
            "                       removed afterwards)\n"
            "  -q, --quiet          no progress lines on stderr\n");
}

static const struct {
    const char *option;
    const char *key;
} dataset_keys[] = {
    {"--pixel-size", "input.pixel_size"}, {"--threshold", "detect.threshold"},
    {"--bands", "input.bands"},           {"--threads", "scan.threads"},
    {"--open-radius", "morphology.open_radius"}, {"--close-radius", "morphology.close_radius"},
    {"--iou", "eval.iou"},                {"--min-area", "eval.min_area_m2"},
    {"--kinds", "eval.kinds"},
};

/* Writes the dataset result to `path`. */
static tb_status write_dataset_json(const char *path, const tb_eval_dataset_result *r)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return tb_error(TB_ERR_OUTPUT, "%s: cannot write: %s", path, strerror(errno));
    tb_eval_dataset_print_json(f, r);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return tb_error(TB_ERR_OUTPUT, "%s: write failed", path);
    return TB_OK;
}

/* `tuban eval --dataset DIR ...`: parses, loads the settings, runs, prints. */
static int eval_dataset_main(int argc, char **argv)
{
    tb_cli_settings settings;
    memset(&settings, 0, sizeof settings);
    const char *dir = NULL, *json = NULL, *keep = NULL, *truth = "";
    int quiet = 0;
    tb_status st = TB_OK;
    for (int i = 1; i < argc && st == TB_OK; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            dataset_usage(stdout);
            return 0;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (!strcmp(a, "--no-normalise")) {
            st = tb_cli_override(&settings, "detect.normalise", "false", a);
            continue;
        }
        if (a[0] != '-') {
            st = USAGE_ERROR("unexpected argument '%s' (try tuban eval --dataset --help)", a);
            break;
        }
        if (i + 1 >= argc) {
            if (!strcmp(a, "--dataset")) {
                dataset_usage(stderr);
                return 2;
            }
            st = USAGE_ERROR("%s needs a value (try tuban eval --dataset --help)", a);
            break;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--dataset")) {
            dir = v;
        } else if (!strcmp(a, "-c") || !strcmp(a, "--config")) {
            settings.config_path = v;
        } else if (!strcmp(a, "--set")) {
            st = tb_cli_set(&settings, v);
        } else if (!strcmp(a, "--truth-values")) {
            st = tb_eval_check_values(v, a);
            truth = v;
        } else if (!strcmp(a, "--json")) {
            json = v;
        } else if (!strcmp(a, "--keep")) {
            keep = v;
        } else {
            size_t k = 0, nk = sizeof dataset_keys / sizeof dataset_keys[0];
            while (k < nk && strcmp(dataset_keys[k].option, a))
                k++;
            if (k == nk)
                st = USAGE_ERROR("unknown option %s (try tuban eval --dataset --help)", a);
            else
                st = tb_cli_override(&settings, dataset_keys[k].key, v, a);
        }
    }
    if (st == TB_OK && !dir)
        st = USAGE_ERROR("--dataset needs a directory (try tuban eval --dataset --help)");
    if (st == TB_OK && strlen(truth) >= sizeof ((tb_eval_options *)0)->truth_values)
        st = USAGE_ERROR("--truth-values: list too long");
    tb_config cfg;
    if (st == TB_OK)
        st = tb_cli_settings_load(&settings, &cfg);
    if (st != TB_OK) {
        fprintf(stderr, "tuban eval: %s\n", tb_error_message());
        return tb_status_exit_code(st);
    }
    tb_eval_options opt;
    tb_eval_defaults(&opt);
    opt.iou = cfg.eval_iou;
    opt.min_area_m2 = cfg.eval_min_area_m2;
    opt.pixel_size = cfg.pixel_size;
    snprintf(opt.truth_values, sizeof opt.truth_values, "%s", truth);

    char work[1024];
    if (keep) {
        snprintf(work, sizeof work, "%s", keep);
        st = tb_eval_dataset_mkdir(keep);
    } else {
        st = tb_eval_dataset_tempdir(work, sizeof work);
    }
    tb_eval_dataset_result r;
    memset(&r, 0, sizeof r);
    if (st == TB_OK)
        st = tb_eval_dataset_run(dir, &cfg, &opt, work, quiet ? NULL : stderr, &r);
    if (!keep && work[0] && tb_eval_dataset_rmtree(work) != 0)
        fprintf(stderr, "tuban eval: warning: could not remove %s\n", work);
    if (st == TB_OK) {
        int to_stdout = json && !strcmp(json, "-");
        if (to_stdout)
            tb_eval_dataset_print_json(stdout, &r);
        else
            tb_eval_dataset_print_table(stdout, &r);
        if (json && !to_stdout)
            st = write_dataset_json(json, &r);
        if (st == TB_OK && fflush(stdout) != 0)
            st = tb_error(TB_ERR_OUTPUT, "stdout: write failed");
    }
    tb_eval_dataset_free(&r);
    if (st != TB_OK) {
        fprintf(stderr, "tuban eval: %s\n", tb_error_message());
        return tb_status_exit_code(st);
    }
    return 0;
}

int tb_cmd_eval(int argc, char **argv)
{
    tb_eval_options opt;
    tb_eval_result res;
    const char *paths[2] = {NULL, NULL};
    const char *json = NULL;
    int help = 0;
    tb_eval_defaults(&opt);
    tb_error_clear();
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--dataset"))
            return eval_dataset_main(argc, argv);
    tb_status st = parse_args(argc, argv, &opt, paths, &json, &help);
    if (st == TB_OK && help) {
        eval_usage(stdout);
        return 0;
    }
    if (st == TB_OK)
        st = tb_eval_run(paths[0], paths[1], &opt, &res);
    if (st == TB_OK) {
        int to_stdout = json && strcmp(json, "-") == 0;
        if (to_stdout)
            tb_eval_print_json(stdout, &res);
        else
            tb_eval_print_table(stdout, &res);
        if (json && !to_stdout)
            st = write_json(json, &res);
        if (st == TB_OK && fflush(stdout) != 0)
            st = tb_error(TB_ERR_OUTPUT, "stdout: write failed");
    }
    if (st != TB_OK) {
        fprintf(stderr, "tuban eval: %s\n", tb_error_message());
        return tb_status_exit_code(st);
    }
    return 0;
}
