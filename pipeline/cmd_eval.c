/* placeholder until the eval command lands */
#include "tb_commands.h"
int tb_cmd_eval(int argc, char **argv) { (void)argc; (void)argv; return 70; }
