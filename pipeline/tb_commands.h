/* tb_commands.h: one entry point per `tuban` sub-command.
 * Each takes the arguments after the sub-command name (argv[0] is the sub-command)
 * and returns the process exit code; none calls exit(). */
#ifndef TB_COMMANDS_H
#define TB_COMMANDS_H

int tb_cmd_scan(int argc, char **argv);
int tb_cmd_synth(int argc, char **argv);
int tb_cmd_eval(int argc, char **argv);
int tb_cmd_info(int argc, char **argv);
int tb_cmd_cases(int argc, char **argv);

#endif
