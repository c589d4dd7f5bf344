/* cmd_synth.c: `tuban synth OUTDIR [options]`: writes a synthetic before/after pair
 * with its truth (see testdata/tb_synth.h) and prints a one-line summary.
 *
 * Options take their value as the next argument or after '=' (--size=512). Errors are
 * one line on stderr, "tuban synth: <message>", and the exit code comes from the
 * status class (tb_status_exit_code); nothing here calls exit().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tb_commands.h"
#include "tb_error.h"
#include "tb_synth.h"

/* The help text. */
static void synth_usage(FILE *out)
{
    fprintf(out,
            "usage: tuban synth OUTDIR [options]\n"
            "\n"
            "Writes a synthetic pair with known truth into OUTDIR (created if missing):\n"
            "before.tif, after.tif (B, G, R, NIR UInt16, EPSG:4548, 0.8 m), truth.geojson\n"
            "and truth_mask.tif. The same seed gives the same files.\n"
            "\n"
            "options:\n"
            "  --size N            square scene of N x N pixels (default 1024)\n"
            "  --width N           width in pixels (overrides --size)\n"
            "  --height N          height in pixels (overrides --size)\n"
            "  --seed S            random seed, 0..2^64-1 (default 1)\n"
            "  --structures N      number of new structures; 0 = a pair without new structures\n"
            "                      (default: one per ~3000 m^2)\n"
            "  --removed N         existing buildings demolished between the dates (default 0;\n"
            "                      truth kind \"removed\", truth_mask value 2)\n"
            "  --compress C        DEFLATE (default) or NONE\n"
            "  --tiled             256x256 tiles (default)\n"
            "  --striped           strips instead of tiles\n"
            "  --help              this text\n");
}

/* Parses a positive int ("--size", ...) or records a usage error. */
static tb_status parse_int(const char *opt, const char *s, int min, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > (1L << 20))
        return tb_error(TB_ERR_USAGE, "%s: '%s' is not an integer in %d..%ld", opt, s, min, 1L << 20);
    *out = (int)v;
    return TB_OK;
}

/* Parses a seed (decimal, 0..2^64-1) or records a usage error. */
static tb_status parse_seed(const char *s, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return tb_error(TB_ERR_USAGE, "--seed: '%s' is not an integer in 0..2^64-1", s);
    *out = (uint64_t)v;
    return TB_OK;
}

/* Progress on a terminal: a percentage rewritten in place. */
static int show_progress(double done, const char *stage, void *user)
{
    int *last = user;
    int pct = (int)(done * 100);
    if (pct != *last) {
        fprintf(stderr, "\rtuban synth: %-18s %3d%%", stage, pct);
        fflush(stderr);
        *last = pct;
    }
    return 1;
}

/* Parses the command line into `p` and `*outdir`; *help is set for --help. */
static tb_status parse_args(int argc, char **argv, tb_synth_params *p, const char **outdir, int *help)
{
    int size = 1024, width = 0, height = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            *help = 1;
            return TB_OK;
        }
        if (!strcmp(a, "--tiled")) {
            p->tiled = 1;
            continue;
        }
        if (!strcmp(a, "--striped")) {
            p->tiled = 0;
            continue;
        }
        if (a[0] == '-' && a[1]) {
            static const char *const with_value[] = {"--size", "--width", "--height", "--seed",
                                                     "--structures", "--compress", "--removed"};
            const char *eq = strchr(a, '=');
            size_t n = eq ? (size_t)(eq - a) : strlen(a);
            int which = -1;
            for (int k = 0; k < (int)(sizeof with_value / sizeof with_value[0]); k++)
                if (strlen(with_value[k]) == n && !strncmp(a, with_value[k], n))
                    which = k;
            if (which < 0)
                return tb_error(TB_ERR_USAGE, "unknown option '%s' (try tuban synth --help)", a);
            const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v)
                return tb_error(TB_ERR_USAGE, "%s needs a value", with_value[which]);
            tb_status st = TB_OK;
            switch (which) {
            case 0:
                st = parse_int("--size", v, 1, &size);
                break;
            case 1:
                st = parse_int("--width", v, 1, &width);
                break;
            case 2:
                st = parse_int("--height", v, 1, &height);
                break;
            case 3:
                st = parse_seed(v, &p->seed);
                break;
            case 4:
                st = parse_int("--structures", v, 0, &p->n_structures);
                break;
            case 6:
                st = parse_int("--removed", v, 0, &p->n_removed);
                break;
            default:
                if (strcmp(v, "DEFLATE") && strcmp(v, "NONE") && strcmp(v, "deflate") && strcmp(v, "none"))
                    st = tb_error(TB_ERR_USAGE, "--compress: '%s' is not DEFLATE or NONE", v);
                p->compress = v;
                break;
            }
            if (st != TB_OK)
                return st;
            continue;
        }
        if (*outdir)
            return tb_error(TB_ERR_USAGE, "unexpected argument '%s' (OUTDIR is already '%s')", a, *outdir);
        *outdir = a;
    }
    if (!*outdir)
        return tb_error(TB_ERR_USAGE, "missing OUTDIR (try tuban synth --help)");
    if (!**outdir)
        return tb_error(TB_ERR_USAGE, "OUTDIR is empty");
    p->width = width ? width : size;
    p->height = height ? height : size;
    return TB_OK;
}

int tb_cmd_synth(int argc, char **argv)
{
    tb_error_clear();
    tb_synth_params p;
    tb_synth_defaults(&p, 1024, 1);
    const char *outdir = NULL;
    int help = 0;
    tb_status st = parse_args(argc, argv, &p, &outdir, &help);
    if (st == TB_OK && help) {
        synth_usage(stdout);
        return 0;
    }
    int last = -1;
    if (st == TB_OK && isatty(STDERR_FILENO)) {
        p.progress = show_progress;
        p.progress_user = &last;
    }
    tb_synth_summary sum;
    if (st == TB_OK)
        st = tb_synth_run(outdir, &p, &sum);
    if (last >= 0)
        fputc('\n', stderr);
    if (st != TB_OK) {
        fprintf(stderr, "tuban synth: %s\n", tb_error_message());
        return tb_status_exit_code(st);
    }
    char removed[48] = "";
    if (sum.n_removed)
        snprintf(removed, sizeof removed, " (%d demolished)", sum.n_removed);
    printf("synth: %d new structures, %d existing buildings%s, %d cars (%d before, %d after), "
           "%dx%d px at %g m, seed %" PRIu64 " -> %s\n",
           sum.n_structures, sum.n_buildings, removed, sum.n_cars_before + sum.n_cars_after, sum.n_cars_before,
           sum.n_cars_after, p.width, p.height, p.pixel_size, p.seed, outdir);
    return 0;
}
