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

#include "tb_commands.h"
#include "tb_error.h"
#include "tb_eval.h"

static void eval_usage(FILE *out)
{
    fprintf(out,
            "usage: tuban eval PREDICTION TRUTH [options]\n"
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
                    !strcmp(name, "--pixel-size") || !strcmp(name, "--json");
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

int tb_cmd_eval(int argc, char **argv)
{
    tb_eval_options opt;
    tb_eval_result res;
    const char *paths[2] = {NULL, NULL};
    const char *json = NULL;
    int help = 0;
    tb_eval_defaults(&opt);
    tb_error_clear();
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
