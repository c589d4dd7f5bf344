/* cli_settings.h: settings from the command line of a sub-command.
 *
 * Every sub-command that reads configuration builds it the same way: defaults, then
 * the config file (-c), then command-line overrides in the order given (shortcut
 * options and --set SECTION.KEY=VALUE), then validation. Overrides are collected while
 * parsing and applied after the file, so the command line wins whatever the order.
 */
#ifndef TB_CLI_SETTINGS_H
#define TB_CLI_SETTINGS_H

#include "tb_config.h"

#define TB_CLI_MAX_OVERRIDES 64

typedef struct tb_cli_settings {
    const char *config_path;             /* -c FILE, or NULL */
    int n;
    const char *keys[TB_CLI_MAX_OVERRIDES], *values[TB_CLI_MAX_OVERRIDES];
    const char *origins[TB_CLI_MAX_OVERRIDES];
    char set_keys[TB_CLI_MAX_OVERRIDES][128];
} tb_cli_settings;

/* Records one override of `key` ("section.key") by option `origin`. TB_ERR_USAGE when
 * there are too many. */
tb_status tb_cli_override(tb_cli_settings *s, const char *key, const char *value,
                          const char *origin);

/* Records `--set SECTION.KEY=VALUE`. TB_ERR_USAGE when `kv` has no '='. */
tb_status tb_cli_set(tb_cli_settings *s, const char *kv);

/* Takes option `opt` with its `value` when it is one that every command reading
 * settings has: -c/--config FILE or --set SECTION.KEY=VALUE. The function returns 1
 * when it took the option (*st: TB_OK, or the error of tb_cli_set), 0 for any other
 * option (*st untouched). */
int tb_cli_settings_option(tb_cli_settings *s, const char *opt, const char *value,
                           tb_status *st);

/* Builds the configuration: defaults, file, overrides, validation. */
tb_status tb_cli_settings_load(const tb_cli_settings *s, tb_config *cfg);

#endif
