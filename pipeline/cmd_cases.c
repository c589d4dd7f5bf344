/* cmd_cases.c: `tuban cases merge|list|show|feedback`: the case store from the
 * command line (io/tb_casestore.h and io/tb_case_merge.h do the work).
 *
 * merge    OUTDIR (or its changes.gpkg) into the store, one transaction
 * list     cases with filters: a table on a terminal, else JSON; --format picks
 * show     one case and its history
 * feedback a CSV (header case_id,status,time,note) or JSON (array of objects with
 *          those keys) file from the platform, applied in one transaction or not at
 *          all: every bad row is listed as FILE:LINE: reason, the exit code is 11.
 * export   one JSON document per unexported case event into an outbox folder, then
 *          (with --url) delivery of the outbox by HTTP POST; exit code 10 when a
 *          document is left undelivered.
 * Every subcommand takes --store FILE (default: [cases] store of -c FILE, else
 * ./cases.gpkg). Errors are one line
 * on stderr and the exit code of their status (README.md, "Exit codes").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "tb_case_export.h"
#include "tb_case_lifecycle.h"
#include "tb_case_merge.h"
#include "cli_settings.h"
#include "tb_casestore.h"
#include "tb_scan_cases.h"
#include "tb_commands.h"
#include "tb_error.h"
#include "tb_http_delivery.h"

#define MAX_LAYERS 16

static void cases_usage(FILE *out)
{
    fprintf(out,
            "usage: tuban cases merge OUTDIR [--store FILE] [options]\n"
            "       tuban cases list [--store FILE] [--status S] [--grid G] [--since DATE]\n"
            "                        [--until DATE] [--format table|json|csv|geojson]\n"
            "       tuban cases show CASE_ID [--store FILE] [--format table|json]\n"
            "       tuban cases feedback FILE [--store FILE] [--source platform|operator]\n"
            "       tuban cases export --outbox DIR [--store FILE] [--url URL]\n"
            "                          [--token-env NAME] [--retries N] [--timeout S]\n"
            "\n"
            "The case store is one GeoPackage (default: [cases] store of -c FILE, else\n"
            "./cases.gpkg), created on first use. -c FILE also gives merge its [cases] settings.\n"
            "\n"
            "merge options (OUTDIR is a scan's output folder or its changes.gpkg):\n"
            "  --grid FILE              unit-grid polygons (any OGR vector, first layer)\n"
            "  --grid-code-field F      its grid-code field (default grid_code)\n"
            "  --street-field F         its street field (default street)\n"
            "  --community-field F      its community field (default community)\n"
            "  --permits FILE           approved construction (repeatable)\n"
            "  --existing FILE          known buildings (repeatable)\n"
            "  --no-evidence            no before/after evidence images\n"
            "  --reopen-growth X        a false_alarm/permitted case reopens when a detection\n"
            "                           over it exceeds its area x X (default 1.5)\n"
            "  --event-code C           event class code of new cases (default 0101)\n"
            "  --footprint RASTER       extent the scan covered (default OUTDIR/changes_mask.tif)\n"
            "  -q                       no summary\n"
            "\n"
            "export options (one JSON document per new case or status change):\n"
            "  --outbox DIR             folder of the documents (delivered ones: DIR/delivered)\n"
            "  --event-class C          event class code (default: the case's, else 0101)\n"
            "  --event-name NAME        its name (default from the table: 0101 私搭乱建)\n"
            "  --url URL                POST every outbox document there\n"
            "  --token-env NAME         bearer token from environment variable NAME\n"
            "  --retries N              retries on connection errors, 5xx, 429 (default 5)\n"
            "  --timeout S              seconds per request (default 30)\n"
            "  --backoff S              first retry delay, doubled each time (default 0.5)\n"
            "  -q                       no summary\n"
            "\n"
            "statuses: detected reported dispatched handling rectified verified false_alarm\n"
            "          permitted reopened\n");
}

static int fail(const char *cmd, tb_status st)
{
    fprintf(stderr, "tuban cases %s: %s\n", cmd, tb_error_message());
    return tb_status_exit_code(st);
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "tuban cases %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (try tuban cases --help)\n");
    return 2;
}

/* ---- merge --------------------------------------------------------------------- */

static int cmd_merge(int argc, char **argv, const char *store, const tb_config *cfg)
{
    tb_cases_options opt;
    tb_cases_config_layers layers;
    if (cfg) {
        /* [cases] settings of -c FILE first; the options below override them. */
        tb_status cst = tb_cases_options_from_config(cfg, &layers, &opt);
        if (cst) {
            fprintf(stderr, "tuban cases merge: %s\n", tb_error_message());
            return tb_status_exit_code(cst);
        }
    } else {
        tb_cases_options_init(&opt);
    }
    const char *permits[MAX_LAYERS + 1] = {0}, *existing[MAX_LAYERS + 1] = {0};
    int np = 0, ne = 0, quiet = 0;
    const char *outdir = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (strcmp(a, name) == 0 && (v ? (i++, 1) : (usage_error("merge", "%s needs a value", name), exit_code = 2, 0)))
        int exit_code = 0;
        if (strcmp(a, "-q") == 0)
            quiet = 1;
        else if (strcmp(a, "--no-evidence") == 0)
            opt.evidence = 0;
        else if (OPT("--grid"))
            opt.grid_layer = v;
        else if (OPT("--grid-code-field"))
            opt.grid_code_field = v;
        else if (OPT("--street-field"))
            opt.street_field = v;
        else if (OPT("--community-field"))
            opt.community_field = v;
        else if (OPT("--event-code"))
            opt.event_code = v;
        else if (OPT("--footprint"))
            opt.footprint = v;
        else if (OPT("--reopen-growth")) {
            char *end;
            opt.reopen_growth = strtod(v, &end);
            if (end == v || *end || !(opt.reopen_growth >= 1))
                return usage_error("merge", "--reopen-growth: '%s' is not a number >= 1", v);
        } else if (OPT("--permits")) {
            if (np == MAX_LAYERS)
                return usage_error("merge", "%s: too many --permits", v);
            permits[np++] = v;
        } else if (OPT("--existing")) {
            if (ne == MAX_LAYERS)
                return usage_error("merge", "%s: too many --existing", v);
            existing[ne++] = v;
        } else if (exit_code)
            return exit_code;
        else if (a[0] == '-')
            return usage_error("merge", "unknown option %s", a);
        else if (!outdir)
            outdir = a;
        else
            return usage_error("merge", "unexpected argument %s", a);
#undef OPT
    }
    if (!outdir)
        return usage_error("merge", "%s", "merge needs OUTDIR");
    opt.permit_layers = np ? permits : NULL;
    opt.existing_layers = ne ? existing : NULL;
    char changes[4096];
    struct stat sb;
    if (stat(outdir, &sb) == 0 && S_ISDIR(sb.st_mode))
        snprintf(changes, sizeof changes, "%s/changes.gpkg", outdir);
    else
        snprintf(changes, sizeof changes, "%s", outdir);
    tb_merge_report r;
    tb_status st = tb_cases_merge(store, changes, &opt, &r);
    if (st)
        return fail("merge", st);
    if (!quiet) {
        printf("tuban cases merge: %s -> %s\n", changes, store);
        printf("  scan         %s\n", r.scan_key);
        if (r.already_merged) {
            printf("  already merged: nothing changed\n");
            return 0;
        }
        printf("  polygons     %ld\n", r.polygons);
        printf("  cases        %ld new, %ld updated, %ld reopened, %ld verified\n", r.new_cases,
               r.updated_cases, r.reopened, r.verified);
        printf("  suppressed   %ld (over false_alarm or permitted cases)\n", r.suppressed);
        printf("  removed      %ld polygons of structures gone (%ld open cases noted)\n",
               r.removed_polygons, r.removals_noted);
        printf("  excluded     %ld permitted, %ld existing\n", r.excluded_permitted,
               r.excluded_existing);
        if (opt.grid_layer)
            printf("  outside grid %ld (grid_code empty, flagged)\n", r.outside_grid);
        printf("  evidence     %ld images%s\n", r.evidence_chips,
               r.evidence_missing ? " (some inputs not found: their images skipped)" : "");
    }
    return 0;
}

/* ---- list / show --------------------------------------------------------------- */

typedef enum { FMT_TABLE, FMT_JSON, FMT_CSV, FMT_GEOJSON } out_format;

static int parse_format(const char *cmd, const char *v, out_format *f)
{
    if (!strcmp(v, "table"))
        *f = FMT_TABLE;
    else if (!strcmp(v, "json"))
        *f = FMT_JSON;
    else if (!strcmp(v, "csv"))
        *f = FMT_CSV;
    else if (!strcmp(v, "geojson"))
        *f = FMT_GEOJSON;
    else
        return usage_error(cmd, "--format: '%s' is not table, json, csv or geojson", v);
    return 0;
}

static json_object *num(double v, const char *fmt)
{
    char b[64];
    snprintf(b, sizeof b, fmt, v);
    return json_object_new_double_s(v, b);
}

static json_object *case_json(const tb_case *c)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "case_id", json_object_new_string(c->case_id));
    json_object_object_add(o, "status", json_object_new_string(c->status));
    json_object_object_add(o, "first_seen", json_object_new_string(c->first_seen));
    json_object_object_add(o, "last_seen", json_object_new_string(c->last_seen));
    json_object_object_add(o, "area_m2", num(c->area_m2, "%.2f"));
    json_object_object_add(o, "first_area_m2", num(c->first_area_m2, "%.2f"));
    json_object_object_add(o, "growth_m2", num(c->growth_m2, "%.2f"));
    json_object_object_add(o, "grid_code", json_object_new_string(c->grid_code));
    json_object_object_add(o, "street", json_object_new_string(c->street));
    json_object_object_add(o, "community", json_object_new_string(c->community));
    json_object_object_add(o, "outside_grid", json_object_new_boolean(c->outside_grid));
    json_object_object_add(o, "event_code", json_object_new_string(c->event_code));
    json_object_object_add(o, "confidence", num(c->confidence, "%.3f"));
    json_object_object_add(o, "mean_score", num(c->mean_score, "%.3f"));
    json_object_object_add(o, "lon", num(c->lon, "%.7f"));
    json_object_object_add(o, "lat", num(c->lat, "%.7f"));
    json_object *ev = json_tokener_parse(c->evidence);
    json_object_object_add(o, "evidence", ev ? ev : json_object_new_array());
    json_object_object_add(o, "before_date", json_object_new_string(c->before_date));
    json_object_object_add(o, "after_date", json_object_new_string(c->after_date));
    json_object_object_add(o, "detector_version", json_object_new_string(c->detector_version));
    json_object_object_add(o, "updated_at", json_object_new_string(c->updated_at));
    return o;
}

static void csv_field(const char *s, int last)
{
    if (strpbrk(s, ",\"\n\r")) {
        putchar('"');
        for (; *s; s++) {
            if (*s == '"')
                putchar('"');
            putchar(*s);
        }
        putchar('"');
    } else {
        fputs(s, stdout);
    }
    putchar(last ? '\n' : ',');
}

typedef struct {
    out_format fmt;
    json_object *arr;
} list_ctx;

static int list_one(const tb_case *c, void *user)
{
    list_ctx *L = user;
    if (L->fmt == FMT_TABLE) {
        printf("%-33s %-11s %-10.10s %-10.10s %9.1f %8.1f %-15s %12.7f %11.7f\n", c->case_id,
               c->status, c->first_seen, c->last_seen, c->area_m2, c->growth_m2,
               c->grid_code[0] ? c->grid_code : "-", c->lon, c->lat);
    } else if (L->fmt == FMT_CSV) {
        char b[7][64];
        snprintf(b[0], 64, "%.2f", c->area_m2);
        snprintf(b[1], 64, "%.2f", c->first_area_m2);
        snprintf(b[2], 64, "%.2f", c->growth_m2);
        snprintf(b[3], 64, "%.3f", c->confidence);
        snprintf(b[4], 64, "%.3f", c->mean_score);
        snprintf(b[5], 64, "%.7f", c->lon);
        snprintf(b[6], 64, "%.7f", c->lat);
        const char *f[] = {c->case_id, c->status, c->first_seen, c->last_seen, b[0], b[1], b[2],
                           c->grid_code, c->street, c->community, c->outside_grid ? "1" : "0",
                           c->event_code, b[3], b[4], b[5], b[6], c->before_date, c->after_date,
                           c->detector_version, c->updated_at, c->evidence};
        size_t n = sizeof f / sizeof f[0];
        for (size_t i = 0; i < n; i++)
            csv_field(f[i], i + 1 == n);
    } else if (L->fmt == FMT_JSON) {
        json_object_array_add(L->arr, case_json(c));
    } else {
        json_object *feat = json_object_new_object();
        json_object_object_add(feat, "type", json_object_new_string("Feature"));
        json_object_object_add(feat, "properties", case_json(c));
        json_object *g = json_tokener_parse(c->geometry_json);
        json_object_object_add(feat, "geometry", g);
        json_object_array_add(L->arr, feat);
    }
    return 0;
}

static int cmd_list(int argc, char **argv, const char *store)
{
    tb_case_filter f = {0};
    out_format fmt = isatty(STDOUT_FILENO) ? FMT_TABLE : FMT_JSON;
    for (int i = 0; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] == '-' && !v)
            return usage_error("list", "%s needs a value", a);
        if (!strcmp(a, "--status")) {
            tb_case_status s;
            if (tb_case_status_parse(v, &s) != 0)
                return usage_error("list", "--status: '%s' is not a case status", v);
            f.status = v;
        } else if (!strcmp(a, "--grid"))
            f.grid_code = v;
        else if (!strcmp(a, "--since") || !strcmp(a, "--until")) {
            if (!tb_iso8601_valid(v))
                return usage_error("list", "'%s' is not an ISO 8601 date", v);
            if (a[2] == 's')
                f.since = v;
            else
                f.until = v;
        } else if (!strcmp(a, "--format")) {
            if (parse_format("list", v, &fmt))
                return 2;
        } else
            return usage_error("list", "unexpected argument %s", a);
    }
    tb_casestore *s;
    tb_status st = tb_casestore_open(store, &s);
    if (st)
        return fail("list", st);
    list_ctx L = {fmt, NULL};
    if (fmt == FMT_JSON || fmt == FMT_GEOJSON)
        L.arr = json_object_new_array();
    if (fmt == FMT_TABLE)
        printf("%-33s %-11s %-10s %-10s %9s %8s %-15s %12s %11s\n", "case_id", "status",
               "first_seen", "last_seen", "area_m2", "growth", "grid_code", "lon", "lat");
    if (fmt == FMT_CSV)
        printf("case_id,status,first_seen,last_seen,area_m2,first_area_m2,growth_m2,grid_code,"
               "street,community,outside_grid,event_code,confidence,mean_score,lon,lat,"
               "before_date,after_date,detector_version,updated_at,evidence\n");
    long n = 0;
    st = tb_casestore_list(s, &f, list_one, &L, &n);
    tb_casestore_close(s);
    if (st) {
        json_object_put(L.arr);
        return fail("list", st);
    }
    if (fmt == FMT_JSON) {
        puts(json_object_to_json_string_ext(L.arr, JSON_C_TO_STRING_PRETTY |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
    } else if (fmt == FMT_GEOJSON) {
        json_object *fc = json_object_new_object();
        json_object_object_add(fc, "type", json_object_new_string("FeatureCollection"));
        json_object_object_add(fc, "features", L.arr);
        L.arr = NULL;
        puts(json_object_to_json_string_ext(fc, JSON_C_TO_STRING_PLAIN |
                                                    JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(fc);
    } else if (fmt == FMT_TABLE) {
        printf("%ld case%s\n", n, n == 1 ? "" : "s");
    }
    json_object_put(L.arr);
    return 0;
}

typedef struct {
    out_format fmt;
    json_object *obj, *hist;
} show_ctx;

static int show_case(const tb_case *c, void *user)
{
    show_ctx *S = user;
    S->obj = case_json(c);
    json_object_object_add(S->obj, "geometry", json_tokener_parse(c->geometry_json));
    return 1;
}

static int show_event(const tb_case_event *e, void *user)
{
    show_ctx *S = user;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "time", json_object_new_string(e->time));
    json_object_object_add(o, "from_status",
                           e->from_status[0] ? json_object_new_string(e->from_status) : NULL);
    json_object_object_add(o, "to_status", json_object_new_string(e->to_status));
    json_object_object_add(o, "source", json_object_new_string(e->source));
    json_object_object_add(o, "note", json_object_new_string(e->note));
    json_object_object_add(o, "exported_at",
                           e->exported_at ? json_object_new_string(e->exported_at) : NULL);
    json_object_array_add(S->hist, o);
    return 0;
}

static int cmd_show(int argc, char **argv, const char *store)
{
    const char *id = NULL;
    out_format fmt = isatty(STDOUT_FILENO) ? FMT_TABLE : FMT_JSON;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--format") && i + 1 < argc) {
            if (parse_format("show", argv[++i], &fmt))
                return 2;
        } else if (argv[i][0] == '-')
            return usage_error("show", "unexpected argument %s", argv[i]);
        else if (!id)
            id = argv[i];
        else
            return usage_error("show", "unexpected argument %s", argv[i]);
    }
    if (!id)
        return usage_error("show", "%s", "show needs CASE_ID");
    tb_casestore *s;
    tb_status st = tb_casestore_open(store, &s);
    if (st)
        return fail("show", st);
    show_ctx S = {fmt, NULL, json_object_new_array()};
    tb_case_filter f = {0};
    f.case_id = id;
    st = tb_casestore_list(s, &f, show_case, &S, NULL);
    if (!st && !S.obj)
        st = tb_error(TB_ERR_STORE, "%s: no case %s", store, id);
    if (!st)
        st = tb_casestore_history(s, id, show_event, &S);
    tb_casestore_close(s);
    if (st) {
        json_object_put(S.obj);
        json_object_put(S.hist);
        return fail("show", st);
    }
    if (fmt == FMT_TABLE || fmt == FMT_CSV) {
        json_object_object_foreach(S.obj, key, val)
        {
            if (strcmp(key, "geometry") != 0)
                printf("%-17s %s\n", key,
                       json_object_is_type(val, json_type_array)
                           ? json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN |
                                                                     JSON_C_TO_STRING_NOSLASHESCAPE)
                           : json_object_get_string(val));
        }
        printf("history\n");
        for (size_t i = 0; i < json_object_array_length(S.hist); i++) {
            json_object *e = json_object_array_get_idx(S.hist, i), *v;
            const char *fr = json_object_object_get_ex(e, "from_status", &v) && v
                                 ? json_object_get_string(v) : "-";
            json_object_object_get_ex(e, "time", &v);
            printf("  %-22s", json_object_get_string(v));
            json_object_object_get_ex(e, "to_status", &v);
            printf(" %-11s -> %-11s", fr, json_object_get_string(v));
            json_object_object_get_ex(e, "source", &v);
            printf(" %-8s", json_object_get_string(v));
            json_object_object_get_ex(e, "note", &v);
            printf(" %s\n", json_object_get_string(v));
        }
        json_object_put(S.hist);
    } else {
        json_object_object_add(S.obj, "history", S.hist);
        if (fmt == FMT_GEOJSON) {
            json_object *g = NULL;
            json_object_object_get_ex(S.obj, "geometry", &g);
            json_object *feat = json_object_new_object();
            json_object_object_add(feat, "type", json_object_new_string("Feature"));
            json_object_object_add(feat, "geometry", json_object_get(g));
            json_object_object_del(S.obj, "geometry");
            json_object_object_add(feat, "properties", S.obj);
            S.obj = feat;
        }
        puts(json_object_to_json_string_ext(S.obj, JSON_C_TO_STRING_PRETTY |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
    }
    json_object_put(S.obj);
    return 0;
}

/* ---- feedback ------------------------------------------------------------------ */

/* Length of the valid UTF-8 prefix of s[0..n) (n when all valid). */
static size_t utf8_valid_prefix(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            k = 1;
            min = 0x80;
            c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2;
            min = 0x800;
            c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3;
            min = 0x10000;
            c &= 0x07;
        } else
            return i;
        if (i + k >= n)
            return i;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return i;
            c = (c << 6) | (s[i + j] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return i;
        i += k + 1;
    }
    return n;
}

typedef struct {
    const char *file;
    tb_casestore *s;
    const char *source;
    int bad, applied;
} fb_ctx;

static void row_error(fb_ctx *F, long line, const char *fmt, const char *arg)
{
    fprintf(stderr, "%s:%ld: ", F->file, line);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    F->bad++;
}

/* Checks and applies one row (inside the open transaction). */
static tb_status fb_row(fb_ctx *F, long line, const char *id, const char *status, const char *time,
                        const char *note)
{
    tb_case_status to;
    int ok = 1;
    if (!id || !*id) {
        row_error(F, line, "%s", "empty case_id");
        ok = 0;
    }
    if (!status || tb_case_status_parse(status, &to) != 0) {
        row_error(F, line, "unknown status '%s'", status ? status : "");
        ok = 0;
    }
    if (!time || !tb_iso8601_valid(time)) {
        row_error(F, line, "bad time '%s' (ISO 8601 expected, e.g. 2026-11-26T09:30:00+08:00)",
                  time ? time : "");
        ok = 0;
    }
    if (!ok)
        return TB_OK;
    tb_error_clear();
    tb_status st = tb_casestore_set_status(F->s, id, to, time, F->source, note ? note : "");
    if (st == TB_ERR_INPUT_FORMAT) {
        row_error(F, line, "%s", tb_error_message());
        tb_error_clear();
        return TB_OK;
    }
    if (!st)
        F->applied++;
    return st;
}

/* Splits one CSV line into at most 8 fields in place; returns the count, -1 on a bad
 * quote. */
static int csv_split(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return max + 1;
        char *out = p;
        fields[n++] = out;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0')
                    return -1;
                if (*p == '"') {
                    if (p[1] == '"') {
                        *out++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *out++ = *p++;
            }
            if (*p != ',' && *p != '\0')
                return -1;
        } else {
            while (*p && *p != ',')
                *out++ = *p++;
        }
        int more = *p == ',';
        if (*p)
            p++;
        *out = '\0';
        if (!more)
            return n;
    }
}

static tb_status fb_csv(fb_ctx *F, char *text)
{
    long line = 0;
    char *p = text;
    if ((unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
        p += 3;
    while (*p) {
        char *eol = strchr(p, '\n');
        if (eol)
            *eol = '\0';
        line++;
        size_t len = strlen(p);
        if (len && p[len - 1] == '\r')
            p[--len] = '\0';
        if (line == 1) {
            if (strcmp(p, "case_id,status,time,note") != 0) {
                row_error(F, 1, "header must be exactly 'case_id,status,time,note', found '%s'", p);
                return TB_OK;
            }
        } else if (utf8_valid_prefix((const unsigned char *)p, len) != len) {
            row_error(F, line, "%s", "not valid UTF-8");
        } else if (len > 0) {
            char *f[8];
            int n = csv_split(p, f, 4);
            if (n < 0)
                row_error(F, line, "%s", "unbalanced quotes");
            else if (n != 4) {
                char b[16];
                snprintf(b, sizeof b, "%d", n);
                row_error(F, line, "expected 4 columns (case_id,status,time,note), found %s", b);
            } else {
                tb_status st = fb_row(F, line, f[0], f[1], f[2], f[3]);
                if (st)
                    return st;
            }
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    if (line < 1)
        row_error(F, 1, "%s", "empty file (header case_id,status,time,note expected)");
    return TB_OK;
}

/* Line of the start of each top-level array element of a JSON text. */
static long *json_element_lines(const char *t, size_t *count)
{
    size_t cap = 64, n = 0;
    long *lines = malloc(cap * sizeof *lines);
    long line = 1;
    int depth = 0, in_str = 0, esc = 0, expect = 0;
    for (const char *p = t; lines && *p; p++) {
        char c = *p;
        if (c == '\n')
            line++;
        if (in_str) {
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (depth == 1 && expect && c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ']') {
            if (n == cap) {
                long *nl = realloc(lines, 2 * cap * sizeof *lines);
                if (!nl) {
                    free(lines);
                    return NULL;
                }
                lines = nl;
                cap *= 2;
            }
            lines[n++] = line;
            expect = 0;
        }
        if (c == '"')
            in_str = 1;
        else if (c == '[' || c == '{') {
            depth++;
            if (depth == 1 && c == '[')
                expect = 1;
        } else if (c == ']' || c == '}')
            depth--;
        else if (c == ',' && depth == 1)
            expect = 1;
    }
    *count = n;
    return lines;
}

static const char *jstr(json_object *o, const char *key, int *bad)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || v == NULL) {
        *bad = 1;
        return NULL;
    }
    if (!json_object_is_type(v, json_type_string)) {
        *bad = 2;
        return NULL;
    }
    return json_object_get_string(v);
}

static tb_status fb_json(fb_ctx *F, const char *text, size_t len)
{
    json_tokener *tok = json_tokener_new();
    json_object *root = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!root || jerr != json_tokener_success) {
        long line = 1;
        for (size_t i = 0; i < end && i < len; i++)
            line += text[i] == '\n';
        row_error(F, line, "not valid JSON (%s)", json_tokener_error_desc(jerr));
        json_object_put(root);
        return TB_OK;
    }
    if (!json_object_is_type(root, json_type_array)) {
        row_error(F, 1, "%s", "a JSON feedback file is an array of objects");
        json_object_put(root);
        return TB_OK;
    }
    size_t nl = 0;
    long *lines = json_element_lines(text, &nl);
    tb_status st = TB_OK;
    for (size_t i = 0; !st && i < json_object_array_length(root); i++) {
        json_object *o = json_object_array_get_idx(root, i);
        long line = lines && i < nl ? lines[i] : 1;
        if (!json_object_is_type(o, json_type_object)) {
            row_error(F, line, "%s", "not an object");
            continue;
        }
        const char *keys[3] = {"case_id", "status", "time"};
        const char *vals[3];
        int ok = 1;
        for (int k = 0; k < 3; k++) {
            int bad = 0;
            vals[k] = jstr(o, keys[k], &bad);
            if (bad) {
                row_error(F, line, bad == 1 ? "missing key '%s'" : "'%s' is not a string", keys[k]);
                ok = 0;
            }
        }
        json_object *nv = NULL;
        const char *note = "";
        if (json_object_object_get_ex(o, "note", &nv) && nv) {
            if (!json_object_is_type(nv, json_type_string)) {
                row_error(F, line, "'%s' is not a string", "note");
                ok = 0;
            } else
                note = json_object_get_string(nv);
        }
        if (ok)
            st = fb_row(F, line, vals[0], vals[1], vals[2], note);
    }
    free(lines);
    json_object_put(root);
    return st;
}

static int cmd_feedback(int argc, char **argv, const char *store)
{
    const char *file = NULL, *source = "platform";
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--source") && i + 1 < argc) {
            source = argv[++i];
            if (strcmp(source, "platform") && strcmp(source, "operator"))
                return usage_error("feedback", "--source: '%s' is not platform or operator", source);
        } else if (argv[i][0] == '-')
            return usage_error("feedback", "unexpected argument %s", argv[i]);
        else if (!file)
            file = argv[i];
        else
            return usage_error("feedback", "unexpected argument %s", argv[i]);
    }
    if (!file)
        return usage_error("feedback", "%s", "feedback needs FILE");
    FILE *fp = fopen(file, "rb");
    if (!fp) {
        tb_error(errno == ENOENT ? TB_ERR_INPUT_MISSING : TB_ERR_INPUT_FORMAT, "%s: %s", file,
                 strerror(errno));
        return fail("feedback", tb_error_status());
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap + 1);
    size_t got;
    while (text && (got = fread(text + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap) {
            char *t = realloc(text, 2 * cap + 1);
            if (!t) {
                free(text);
                text = NULL;
                break;
            }
            text = t;
            cap *= 2;
        }
    }
    fclose(fp);
    if (!text) {
        tb_error(TB_ERR_NOMEM, "%s: out of memory", file);
        return fail("feedback", TB_ERR_NOMEM);
    }
    text[len] = '\0';
    if (strlen(text) != len) {
        fprintf(stderr, "%s:1: contains NUL bytes (not a text file)\n", file);
        free(text);
        return tb_status_exit_code(TB_ERR_STORE);
    }
    tb_casestore *s;
    tb_status st = tb_casestore_open(store, &s);
    if (st) {
        free(text);
        return fail("feedback", st);
    }
    fb_ctx F = {file, s, source, 0, 0};
    const char *first = text;
    while (*first == ' ' || *first == '\t' || *first == '\r' || *first == '\n')
        first++;
    st = tb_casestore_begin(s);
    if (!st) {
        if (*first == '[') {
            size_t ok = utf8_valid_prefix((const unsigned char *)text, len);
            if (ok != len) {
                long line = 1;
                for (size_t i = 0; i < ok; i++)
                    line += text[i] == '\n';
                row_error(&F, line, "%s", "not valid UTF-8");
            } else
                st = fb_json(&F, text, len);
        } else {
            st = fb_csv(&F, text);
        }
    }
    if (!st && F.bad == 0)
        st = tb_casestore_commit(s);
    else
        tb_casestore_rollback(s);
    tb_casestore_close(s);
    free(text);
    if (st)
        return fail("feedback", st);
    if (F.bad) {
        fprintf(stderr, "tuban cases feedback: %s: rejected, %d bad row%s; the store is unchanged\n",
                file, F.bad, F.bad == 1 ? "" : "s");
        return tb_status_exit_code(TB_ERR_STORE);
    }
    printf("tuban cases feedback: %s -> %s: %d status change%s applied\n", file, store, F.applied,
           F.applied == 1 ? "" : "s");
    return 0;
}

/* ---- export ------------------------------------------------------------------- */

static int parse_number(const char *opt, const char *v, double lo, double hi, double *out)
{
    char *end;
    double x = v ? strtod(v, &end) : 0;
    if (!v || end == v || *end || !(x >= lo && x <= hi)) {
        fprintf(stderr, "tuban cases export: %s: '%s' is not a number in [%g, %g]"
                        " (try tuban cases --help)\n", opt, v ? v : "", lo, hi);
        return 2;
    }
    *out = x;
    return 0;
}

static int cmd_export(int argc, char **argv, const char *store)
{
    tb_export_options eo = {NULL, NULL};
    tb_delivery_options d;
    tb_delivery_options_init(&d);
    const char *outbox = NULL, *token_env = NULL;
    int quiet = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        double x;
        if (!strcmp(a, "-q")) {
            quiet = 1;
            continue;
        }
        if (a[0] != '-')
            return usage_error("export", "unexpected argument %s", a);
        if (!v)
            return usage_error("export", "%s needs a value", a);
        i++;
        if (!strcmp(a, "--outbox"))
            outbox = v;
        else if (!strcmp(a, "--url"))
            d.url = v;
        else if (!strcmp(a, "--token-env"))
            token_env = v;
        else if (!strcmp(a, "--event-class"))
            eo.event_class = v;
        else if (!strcmp(a, "--event-name"))
            eo.event_name = v;
        else if (!strcmp(a, "--retries")) {
            if (parse_number(a, v, 0, 100, &x))
                return 2;
            if (x != (int)x)
                return usage_error("export", "--retries: '%s' is not a whole number", v);
            d.retries = (int)x;
        } else if (!strcmp(a, "--timeout")) {
            if (parse_number(a, v, 0.1, 3600, &d.timeout_s))
                return 2;
        } else if (!strcmp(a, "--backoff")) {
            if (parse_number(a, v, 0, 600, &d.backoff_s))
                return 2;
        } else
            return usage_error("export", "unknown option %s", a);
    }
    if (!outbox)
        return usage_error("export", "%s", "export needs --outbox DIR");
    if (token_env && !d.url)
        return usage_error("export", "%s", "--token-env needs --url");
    if (token_env) {
        d.token = getenv(token_env);
        if (!d.token || !*d.token)
            fprintf(stderr, "tuban cases export: environment variable %s is not set: "
                            "no Authorization header\n", token_env);
    }
    tb_export_report er;
    tb_status st = tb_case_export(store, outbox, &eo, &er);
    if (st)
        return fail("export", st);
    if (!quiet) {
        printf("tuban cases export: %s -> %s\n", store, outbox);
        printf("  documents    %ld written (%ld case%s)", er.documents, er.cases,
               er.cases == 1 ? "" : "s");
        if (er.already_delivered)
            printf(", %ld already delivered", er.already_delivered);
        printf("\n");
    }
    if (!d.url)
        return 0;
    tb_delivery_report dr;
    st = tb_deliver_outbox(outbox, &d, &dr, stderr);
    if (st)
        return fail("export", st);
    if (!quiet || dr.failed || dr.pending)
        printf("  delivery     %ld delivered, %ld failed, %ld pending (%ld request%s)\n",
               dr.delivered, dr.failed, dr.pending, dr.requests, dr.requests == 1 ? "" : "s");
    if (dr.failed || dr.pending) {
        fprintf(stderr, "tuban cases export: %ld document%s not delivered, kept in %s\n",
                dr.failed + dr.pending, dr.failed + dr.pending == 1 ? "" : "s", outbox);
        return tb_status_exit_code(TB_ERR_OUTPUT);
    }
    return 0;
}

int tb_cmd_cases(int argc, char **argv)
{
    if (argc < 2) {
        cases_usage(stderr);
        return 2;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        cases_usage(stdout);
        return 0;
    }
    /* --store and -c may appear anywhere after the subcommand: take them out here.
     * The store is --store, else [cases] store of -c FILE, else ./cases.gpkg. */
    const char *store = NULL, *config_path = NULL;
    char **rest = malloc((size_t)argc * sizeof *rest);
    if (!rest)
        return 12;
    int n = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            free(rest);
            cases_usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--store")) {
            if (i + 1 >= argc) {
                free(rest);
                return usage_error(sub, "%s needs a value", "--store");
            }
            store = argv[++i];
        } else if (!strncmp(argv[i], "--store=", 8)) {
            store = argv[i] + 8;
        } else if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) {
            if (i + 1 >= argc) {
                free(rest);
                return usage_error(sub, "%s needs a value", argv[i]);
            }
            config_path = argv[++i];
        } else {
            rest[n++] = argv[i];
        }
    }
    tb_config cfg;
    if (config_path) {
        tb_cli_settings settings;
        memset(&settings, 0, sizeof settings);
        settings.config_path = config_path;
        tb_status cst = tb_cli_settings_load(&settings, &cfg);
        if (cst) {
            free(rest);
            fprintf(stderr, "tuban cases %s: %s\n", sub, tb_error_message());
            return tb_status_exit_code(cst);
        }
        if (!store && cfg.store[0])
            store = cfg.store;
    }
    if (!store)
        store = "cases.gpkg";
    int rc;
    if (!strcmp(sub, "merge"))
        rc = cmd_merge(n, rest, store, config_path ? &cfg : NULL);
    else if (!strcmp(sub, "list"))
        rc = cmd_list(n, rest, store);
    else if (!strcmp(sub, "show"))
        rc = cmd_show(n, rest, store);
    else if (!strcmp(sub, "feedback"))
        rc = cmd_feedback(n, rest, store);
    else if (!strcmp(sub, "export"))
        rc = cmd_export(n, rest, store);
    else
        rc = usage_error("", "unknown subcommand '%s'", sub);
    free(rest);
    return rc;
}
