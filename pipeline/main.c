/* main.c: the `tuban` executable: dispatches to one sub-command. */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tb_commands.h"
#include "tb_version.h"

static void usage(FILE *out)
{
    fprintf(out,
            "tuban %s: finds new structures between two dates of satellite imagery\n"
            "\n"
            "usage: tuban COMMAND [options]\n"
            "\n"
            "commands:\n"
            "  scan BEFORE AFTER [-c scan.ini] [-o OUTDIR]   one pair -> change polygons\n"
            "  synth OUTDIR [--size N] [--seed S]            synthetic pair with known truth\n"
            "  eval PREDICTION TRUTH                         pixel and object precision/recall/F1\n"
            "  info A [B] [-c scan.ini] [--json]             what tuban sees of its inputs and the\n"
            "                                                grid a scan of A -> B would use\n"
            "  cases merge|list|show|feedback [--store F]    the case store: merge a scan's\n"
            "                                                polygons, read cases, apply feedback\n"
            "\n"
            "`tuban COMMAND --help` describes each command.\n",
            TB_VERSION_STRING);
}

/* OpenMP threads wait passively (they sleep at once) at the end of a parallel region
 * unless the environment says otherwise. A scan runs hundreds of short regions; threads
 * spinning at their ends keep the cores from the threads that still have work whenever
 * anything else runs on the machine, as beside a nightly cron's other jobs (4096^2
 * pair, 2 cores, a niced job beside: 3.4-3.7 s spinning, 2.5 s passive; quiet: 1.71
 * vs 1.64 s). The OpenMP runtime reads its environment when it is loaded, before main
 * runs: the process starts itself again with the setting, which costs a second start
 * (40 ms, loading GDAL): only the commands that compute (scan, eval) do it. */
static void prefer_passive_waiting(char **argv)
{
    if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT") || getenv("KMP_BLOCKTIME"))
        return;
    if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0)
        return;
    execv("/proc/self/exe", argv);
    /* No /proc: run on with the runtime's own default (it has read the environment). */
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "scan") || !strcmp(argv[1], "eval")))
        prefer_passive_waiting(argv);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "scan"))
        return tb_cmd_scan(argc - 1, argv + 1);
    if (!strcmp(cmd, "synth"))
        return tb_cmd_synth(argc - 1, argv + 1);
    if (!strcmp(cmd, "eval"))
        return tb_cmd_eval(argc - 1, argv + 1);
    if (!strcmp(cmd, "info"))
        return tb_cmd_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "cases"))
        return tb_cmd_cases(argc - 1, argv + 1);
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("tuban %s\n", TB_VERSION_STRING);
        return 0;
    }
    fprintf(stderr, "tuban: unknown command '%s' (try tuban --help)\n", cmd);
    return 2;
}
