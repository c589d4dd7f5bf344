/* main.c: the `tuban` executable: dispatches to one sub-command. */
#include <stdio.h>
#include <string.h>

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

int main(int argc, char **argv)
{
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
