/* cli_settings.c: defaults, config file and command-line overrides (cli_settings.h). */
#include <string.h>

#include "cli_settings.h"

tb_status tb_cli_override(tb_cli_settings *s, const char *key, const char *value,
                          const char *origin)
{
    if (s->n == TB_CLI_MAX_OVERRIDES)
        return tb_error(TB_ERR_USAGE, "%s: too many options (at most %d)", origin,
                        TB_CLI_MAX_OVERRIDES);
    s->keys[s->n] = key;
    s->values[s->n] = value;
    s->origins[s->n] = origin;
    s->n++;
    return TB_OK;
}

tb_status tb_cli_set(tb_cli_settings *s, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof s->set_keys[0])
        return tb_error(TB_ERR_USAGE, "--set %s: expected SECTION.KEY=VALUE", kv);
    if (s->n == TB_CLI_MAX_OVERRIDES)
        return tb_error(TB_ERR_USAGE, "--set: too many options (at most %d)",
                        TB_CLI_MAX_OVERRIDES);
    memcpy(s->set_keys[s->n], kv, (size_t)(eq - kv));
    s->set_keys[s->n][eq - kv] = '\0';
    return tb_cli_override(s, s->set_keys[s->n], eq + 1, "--set");
}

int tb_cli_settings_option(tb_cli_settings *s, const char *opt, const char *value,
                           tb_status *st)
{
    if (!strcmp(opt, "-c") || !strcmp(opt, "--config")) {
        s->config_path = value;
        *st = TB_OK;
        return 1;
    }
    if (!strcmp(opt, "--set")) {
        *st = tb_cli_set(s, value);
        return 1;
    }
    return 0;
}

tb_status tb_cli_settings_load(const tb_cli_settings *s, tb_config *cfg)
{
    tb_config_defaults(cfg);
    tb_status st = TB_OK;
    if (s->config_path)
        st = tb_config_load(cfg, s->config_path);
    for (int i = 0; i < s->n && !st; i++)
        st = tb_config_set(cfg, s->keys[i], s->values[i], s->origins[i]);
    if (!st)
        st = tb_config_validate(cfg, s->config_path ? s->config_path : "command line");
    return st;
}
