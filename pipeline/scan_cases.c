/* scan_cases.c: the [cases] settings as merge options, and a finished scan's polygons
 * into the case store (`tuban scan --store`, [cases] store). */
#include <stdio.h>
#include <string.h>

#include "tb_case_merge.h"
#include "tb_scan.h"
#include "tb_scan_cases.h"


/* Splits a comma list in place into `out` (NULL-terminated). Returns the count or -1. */
static int split_layers(char *list, const char **out)
{
    int n = 0;
    for (char *p = strtok(list, ","); p; p = strtok(NULL, ",")) {
        while (*p == ' ')
            p++;
        if (!*p)
            continue;
        if (n == TB_CASES_MAX_LAYERS)
            return -1;
        out[n++] = p;
    }
    out[n] = NULL;
    return n;
}

tb_status tb_cases_options_from_config(const tb_config *cfg, tb_cases_config_layers *layers,
                                       tb_cases_options *opt)
{
    snprintf(layers->permits_text, sizeof layers->permits_text, "%s", cfg->permit_layers);
    snprintf(layers->existing_text, sizeof layers->existing_text, "%s", cfg->existing_layers);
    int np = split_layers(layers->permits_text, layers->permits);
    int ne = split_layers(layers->existing_text, layers->existing);
    if (np < 0 || ne < 0)
        return tb_error(TB_ERR_CONFIG, "cases.permit_layers / existing_layers: at most %d layers",
                        TB_CASES_MAX_LAYERS);
    tb_cases_options_init(opt);
    opt->reopen_growth = cfg->reopen_growth;
    opt->grid_layer = cfg->grid_layer[0] ? cfg->grid_layer : NULL;
    opt->grid_code_field = cfg->grid_code_field;
    opt->street_field = cfg->street_field;
    opt->community_field = cfg->community_field;
    opt->permit_layers = np ? layers->permits : NULL;
    opt->existing_layers = ne ? layers->existing : NULL;
    opt->event_code = cfg->event_code;
    return TB_OK;
}

tb_status tb_scan_merge_cases(const tb_config *cfg, const char *outdir, FILE *out)
{
    if (!cfg->write_gpkg)
        return tb_error(TB_ERR_CONFIG, "cases.store is set but output.gpkg is false: the "
                        "store merges changes.gpkg");
    tb_cases_config_layers layers;
    tb_cases_options opt;
    tb_status st = tb_cases_options_from_config(cfg, &layers, &opt);
    if (st)
        return st;

    char changes[1200];
    snprintf(changes, sizeof changes, "%s/changes.gpkg", outdir);
    tb_merge_report rep;
    st = tb_cases_merge(cfg->store, changes, &opt, &rep);
    if (st)
        return st;
    if (out) {
        if (rep.already_merged)
            fprintf(out, "  cases       %s: this scan was merged before; nothing changed\n",
                    cfg->store);
        else
            fprintf(out, "  cases       %s: %ld new, %ld updated, %ld reopened, %ld verified, "
                         "%ld suppressed, %ld excluded (permitted %ld, existing %ld), "
                         "%ld removed polygons; %ld evidence images%s\n",
                    cfg->store, rep.new_cases, rep.updated_cases, rep.reopened, rep.verified,
                    rep.suppressed, rep.excluded_permitted + rep.excluded_existing,
                    rep.excluded_permitted, rep.excluded_existing, rep.removed_polygons,
                    rep.evidence_chips,
                    rep.evidence_missing ? " (some inputs not found: images skipped)" : "");
    }
    return TB_OK;
}
