/* placeholder until the scan command lands */
#include "tb_commands.h"
int tb_cmd_scan(int argc, char **argv) { (void)argc; (void)argv; return 70; }
