/* placeholder until the synth command lands */
#include "tb_commands.h"
int tb_cmd_synth(int argc, char **argv) { (void)argc; (void)argv; return 70; }
