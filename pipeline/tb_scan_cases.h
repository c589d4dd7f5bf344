/* tb_scan_cases.h: the [cases] section of the configuration as case-store merge
 * options (shared by `tuban scan --store` and `tuban cases merge -c`). */
#ifndef TB_SCAN_CASES_H
#define TB_SCAN_CASES_H

#include "tb_case_merge.h"
#include "tb_config.h"

#define TB_CASES_MAX_LAYERS 16

/* Storage the options point into: keep it alive while the options are used. */
typedef struct tb_cases_config_layers {
    char permits_text[TB_CONFIG_STR], existing_text[TB_CONFIG_STR];
    const char *permits[TB_CASES_MAX_LAYERS + 1], *existing[TB_CASES_MAX_LAYERS + 1];
} tb_cases_config_layers;

/* Fills `opt` from cfg's [cases] keys. TB_ERR_CONFIG for too many layers. */
tb_status tb_cases_options_from_config(const tb_config *cfg, tb_cases_config_layers *layers,
                                       tb_cases_options *opt);

#endif
