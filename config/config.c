/* config.c: defaults, INI loading, overrides, help, INI output and validation of tb_config.
 *
 * Everything here is driven by the key table (config_keys.c): a value is converted from
 * text by its row's type and range, whether it comes from the table's default, an INI
 * file (through ini_parser.c) or tb_config_set; tb_config_to_ini writes each value so that
 * loading it back gives the same struct. Conversion first checks, then stores, so a
 * failed assignment leaves the struct as it was; tb_config_load works on a copy and
 * commits it only when the whole file is good.
 */
#include "tb_config.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config_keys.h"
#include "ini_parser.h"

#define WHY_SIZE 512 /* room for one reason (key name, quoted value, range) */

/* Records TB_ERR_CONFIG as "ORIGIN:LINE: reason" (line > 0) or "ORIGIN: reason". */
static tb_status fail(const char *origin, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static tb_status fail(const char *origin, int line, const char *fmt, ...)
{
    char reason[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (line > 0)
        return tb_error(TB_ERR_CONFIG, "%s:%d: %s", origin, line, reason);
    return tb_error(TB_ERR_CONFIG, "%s: %s", origin, reason);
}

/* ASCII case-insensitive equality (strcasecmp is not C11). */
static int equal_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* Writes `v` with the fewest digits that read back as exactly `v` (%.15g, else %.17g). */
static void format_double(double v, char *buf, size_t size)
{
    snprintf(buf, size, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, size, "%.17g", v);
}

/* 1 when the key's range has both ends closed ("0..50"), which is how it is written. */
static int range_closed(const tb_config_key *key)
{
    return !(key->range & (TB_RANGE_MIN_OPEN | TB_RANGE_NO_MAX));
}

/* Writes the range of a numeric key: "0..50", ">= 0", "> 0 and <= 1" or "> 0". */
static void range_text(const tb_config_key *key, char *buf, size_t size)
{
    char lo[40], hi[40];
    format_double(key->min, lo, sizeof lo);
    format_double(key->max, hi, sizeof hi);
    if (range_closed(key))
        snprintf(buf, size, "%s..%s", lo, hi);
    else if (key->range & TB_RANGE_NO_MAX)
        snprintf(buf, size, "%s %s", (key->range & TB_RANGE_MIN_OPEN) ? ">" : ">=", lo);
    else
        snprintf(buf, size, "%s %s and <= %s", (key->range & TB_RANGE_MIN_OPEN) ? ">" : ">=",
                 lo, hi);
}

/* 1 when `v` lies in the key's range (NaN never does). */
static int in_range(const tb_config_key *key, double v)
{
    int lo_ok = (key->range & TB_RANGE_MIN_OPEN) ? v > key->min : v >= key->min;
    int hi_ok = (key->range & TB_RANGE_NO_MAX) || v <= key->max;
    return lo_ok && hi_ok;
}

/* Writes "'TEXT' is out of range R" for the key into `why`. */
static void out_of_range(const tb_config_key *key, const char *text, char *why, size_t size)
{
    char range[96];
    range_text(key, range, sizeof range);
    if (range_closed(key))
        snprintf(why, size, "%s.%s: '%.64s' is out of range %s", key->section, key->name, text,
                 range);
    else
        snprintf(why, size, "%s.%s: '%.64s' is out of range (must be %s)", key->section,
                 key->name, text, range);
}

/* Parses `text` as a finite double in the key's range. Returns 0, or -1 with `why`. */
static int parse_double(const tb_config_key *key, const char *text, double *out, char *why,
                        size_t why_size)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0') {
        snprintf(why, why_size, "%s.%s: '%.64s' is not a number", key->section, key->name,
                 text);
        return -1;
    }
    if (!isfinite(v)) {
        snprintf(why, why_size, "%s.%s: '%.64s' is not a finite number", key->section,
                 key->name, text);
        return -1;
    }
    if (errno == ERANGE && v == 0.0) { /* underflow to zero; subnormals are kept */
        snprintf(why, why_size, "%s.%s: '%.64s' is too small to be represented as a double",
                 key->section, key->name, text);
        return -1;
    }
    if (!in_range(key, v)) {
        out_of_range(key, text, why, why_size);
        return -1;
    }
    *out = v;
    return 0;
}

/* Parses `text` as a decimal integer in the key's range. Returns 0, or -1 with `why`. */
static int parse_integer(const tb_config_key *key, const char *text, long *out, char *why,
                         size_t why_size)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0') {
        snprintf(why, why_size, "%s.%s: '%.64s' is not an integer", key->section, key->name,
                 text);
        return -1;
    }
    if (errno == ERANGE || !in_range(key, (double)v)) {
        out_of_range(key, text, why, why_size);
        return -1;
    }
    *out = v;
    return 0;
}

/* Parses a boolean spelling. Returns 0 or 1, or -1 when `text` is none of them. */
static int parse_bool(const char *text)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (equal_nocase(text, yes[i]))
            return 1;
        if (equal_nocase(text, no[i]))
            return 0;
    }
    return -1;
}

/* Converts `value` for `key` and stores it in `cfg`. Nothing is stored unless the whole
 * value is good. Returns 0, or -1 with a reason ("section.key: ...") in `why`; the caller
 * adds the location and records the error. */
static int assign(tb_config *cfg, const tb_config_key *key, const char *value, char *why,
                  size_t why_size)
{
    char *field = (char *)cfg + key->offset;
    if (value[0] == '\0' && key->type != TB_CONFIG_STRING) {
        snprintf(why, why_size, "%s.%s: empty value", key->section, key->name);
        return -1;
    }
    switch (key->type) {
    case TB_CONFIG_DOUBLE: {
        double v;
        if (parse_double(key, value, &v, why, why_size) != 0)
            return -1;
        memcpy(field, &v, sizeof v);
        return 0;
    }
    case TB_CONFIG_INT: {
        long v;
        if (parse_integer(key, value, &v, why, why_size) != 0)
            return -1;
        int iv = (int)v; /* the table's int ranges fit in int */
        memcpy(field, &iv, sizeof iv);
        return 0;
    }
    case TB_CONFIG_LONG: {
        long v;
        if (parse_integer(key, value, &v, why, why_size) != 0)
            return -1;
        memcpy(field, &v, sizeof v);
        return 0;
    }
    case TB_CONFIG_BOOL: {
        int v = parse_bool(value);
        if (v < 0) {
            snprintf(why, why_size,
                     "%s.%s: '%.64s' is not a boolean (use true/false, yes/no, on/off or 1/0)",
                     key->section, key->name, value);
            return -1;
        }
        memcpy(field, &v, sizeof v);
        return 0;
    }
    case TB_CONFIG_STRING: {
        char text[TB_CONFIG_STR];
        if (strlen(value) >= sizeof text) {
            snprintf(why, why_size, "%s.%s: value longer than %d bytes", key->section,
                     key->name, TB_CONFIG_STR - 1);
            return -1;
        }
        if (strchr(value, '"') != NULL) {
            snprintf(why, why_size, "%s.%s: '\"' is not allowed inside a value", key->section,
                     key->name);
            return -1;
        }
        memset(text, 0, sizeof text);
        if (key->normalise) {
            char reason[WHY_SIZE / 2];
            if (key->normalise(value, text, sizeof text, reason, sizeof reason) != 0) {
                snprintf(why, why_size, "%s.%s: %s", key->section, key->name, reason);
                return -1;
            }
        } else {
            strcpy(text, value);
        }
        memcpy(field, text, sizeof text);
        return 0;
    }
    case TB_CONFIG_THRESHOLD: {
        int flag = 1;
        double v = 0.0;
        if (!equal_nocase(value, "auto")) {
            char *end = NULL;
            strtod(value, &end);
            if (end == value || *end != '\0') {
                snprintf(why, why_size, "%s.%s: '%.64s' is neither 'auto' nor a number",
                         key->section, key->name, value);
                return -1;
            }
            if (parse_double(key, value, &v, why, why_size) != 0)
                return -1;
            flag = 0;
        }
        memcpy(field, &v, sizeof v);
        memcpy((char *)cfg + key->flag_offset, &flag, sizeof flag);
        return 0;
    }
    }
    snprintf(why, why_size, "%s.%s: internal error: unknown key type", key->section, key->name);
    return -1;
}

/* Writes the current value of `key` in `cfg` as INI text (unquoted). */
static void format_value(const tb_config *cfg, const tb_config_key *key, char *buf, size_t size)
{
    const char *field = (const char *)cfg + key->offset;
    switch (key->type) {
    case TB_CONFIG_DOUBLE: {
        double v;
        memcpy(&v, field, sizeof v);
        format_double(v, buf, size);
        return;
    }
    case TB_CONFIG_INT:
    case TB_CONFIG_BOOL: {
        int v;
        memcpy(&v, field, sizeof v);
        if (key->type == TB_CONFIG_BOOL && (v == 0 || v == 1))
            snprintf(buf, size, "%s", v ? "true" : "false");
        else
            snprintf(buf, size, "%d", v);
        return;
    }
    case TB_CONFIG_LONG: {
        long v;
        memcpy(&v, field, sizeof v);
        snprintf(buf, size, "%ld", v);
        return;
    }
    case TB_CONFIG_STRING:
        snprintf(buf, size, "%.*s", TB_CONFIG_STR - 1, field);
        return;
    case TB_CONFIG_THRESHOLD: {
        int flag;
        double v;
        memcpy(&flag, (const char *)cfg + key->flag_offset, sizeof flag);
        memcpy(&v, field, sizeof v);
        if (flag)
            snprintf(buf, size, "auto");
        else
            format_double(v, buf, size);
        return;
    }
    }
    snprintf(buf, size, "?");
}

/* Checks the current value of `key` in `cfg` (which may have been written directly).
 * Returns 0, or -1 with a reason ("section.key = VALUE ...") in `why`. */
static int check_value(const tb_config *cfg, const tb_config_key *key, char *why,
                       size_t why_size)
{
    const char *field = (const char *)cfg + key->offset;
    char text[TB_CONFIG_STR + 8];
    double v = 0.0;
    int flag = 0;
    switch (key->type) {
    case TB_CONFIG_DOUBLE:
        memcpy(&v, field, sizeof v);
        break;
    case TB_CONFIG_INT:
    case TB_CONFIG_BOOL: {
        int iv;
        memcpy(&iv, field, sizeof iv);
        if (key->type == TB_CONFIG_BOOL && iv != 0 && iv != 1) {
            snprintf(why, why_size, "%s.%s = %d is not a boolean (0 or 1)", key->section,
                     key->name, iv);
            return -1;
        }
        v = (double)iv;
        break;
    }
    case TB_CONFIG_LONG: {
        long lv;
        memcpy(&lv, field, sizeof lv);
        v = (double)lv;
        break;
    }
    case TB_CONFIG_STRING: {
        if (memchr(field, '\0', TB_CONFIG_STR) == NULL) {
            snprintf(why, why_size, "%s.%s is not NUL-terminated", key->section, key->name);
            return -1;
        }
        char scratch[TB_CONFIG_STR];
        char reason[WHY_SIZE / 2];
        if (key->normalise &&
            key->normalise(field, scratch, sizeof scratch, reason, sizeof reason) != 0) {
            snprintf(why, why_size, "%s.%s: %s", key->section, key->name, reason);
            return -1;
        }
        return 0;
    }
    case TB_CONFIG_THRESHOLD:
        memcpy(&flag, (const char *)cfg + key->flag_offset, sizeof flag);
        memcpy(&v, field, sizeof v);
        if (flag != 0 && flag != 1) {
            snprintf(why, why_size, "%s.%s: auto flag %d is not 0 or 1", key->section,
                     key->name, flag);
            return -1;
        }
        if (flag)
            return 0;
        break;
    }
    if (!in_range(key, v)) {
        char range[96];
        format_value(cfg, key, text, sizeof text);
        range_text(key, range, sizeof range);
        snprintf(why, why_size, "%s.%s = %.64s is out of range %s%s%s", key->section, key->name,
                 text, range_closed(key) ? "" : "(must be ", range, range_closed(key) ? "" : ")");
        return -1;
    }
    return 0;
}

void tb_config_defaults(tb_config *cfg)
{
    assert(cfg != NULL);
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < TB_CONFIG_KEY_COUNT; i++) {
        char why[WHY_SIZE];
        int rc = assign(cfg, &tb_config_keys[i], tb_config_keys[i].def, why, sizeof why);
        assert(rc == 0 && "a default in config_keys.c does not parse");
        (void)rc;
    }
}

/* State of one tb_config_load: the working copy and where each key was first set. */
typedef struct load_state {
    tb_config cfg;
    int first_line[TB_CONFIG_KEY_COUNT]; /* 0 = not set in this file */
} load_state;

/* tb_ini_parse callback: accepts only the sections of the key table. */
static tb_status load_section(void *user, const char *section, const char *path, int line)
{
    (void)user;
    if (tb_config_section_find(section) == NULL) {
        char names[256];
        tb_config_section_names(names, sizeof names);
        return fail(path, line, "unknown section [%.64s] (valid sections: %s)", section, names);
    }
    return TB_OK;
}

/* tb_ini_parse callback: stores one known key in the working copy, once per file. */
static tb_status load_pair(void *user, const char *section, const char *name, const char *value,
                           const char *path, int line)
{
    load_state *st = user;
    const tb_config_key *key = tb_config_key_find(section, name);
    if (key == NULL) {
        char names[512];
        tb_config_key_names(section, names, sizeof names);
        return fail(path, line, "unknown key '%.64s' in section [%s] (valid keys: %s)", name,
                    section, names);
    }
    size_t idx = (size_t)(key - tb_config_keys);
    if (st->first_line[idx] != 0)
        return fail(path, line, "duplicate key %s.%s (first set on line %d)", key->section,
                    key->name, st->first_line[idx]);
    char why[WHY_SIZE];
    if (assign(&st->cfg, key, value, why, sizeof why) != 0)
        return fail(path, line, "%s", why);
    st->first_line[idx] = line;
    return TB_OK;
}

tb_status tb_config_load(tb_config *cfg, const char *path)
{
    assert(cfg != NULL && path != NULL);
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return fail(path, 0, "cannot open config file (%s)", strerror(errno));

    load_state *st = calloc(1, sizeof *st);
    if (st == NULL) {
        fclose(fp);
        return tb_error(TB_ERR_NOMEM, "%s: no memory to load config file", path);
    }
    st->cfg = *cfg;
    static const tb_ini_callbacks callbacks = {load_section, load_pair};
    tb_status status = tb_ini_parse(fp, path, &callbacks, st);
    fclose(fp);
    if (status == TB_OK)
        *cfg = st->cfg;
    free(st);
    return status;
}

tb_status tb_config_set(tb_config *cfg, const char *key_name, const char *value,
                        const char *origin)
{
    assert(cfg != NULL && key_name != NULL && value != NULL);
    if (origin == NULL)
        origin = "setting";

    const char *dot = strchr(key_name, '.');
    if (dot == NULL || dot == key_name || dot[1] == '\0')
        return fail(origin, 0, "'%.64s' is not of the form section.key", key_name);
    char section[64];
    size_t section_len = (size_t)(dot - key_name);
    if (section_len >= sizeof section)
        section_len = sizeof section - 1; /* too long to be a section: reported below */
    memcpy(section, key_name, section_len);
    section[section_len] = '\0';
    if (tb_config_section_find(section) == NULL) {
        char names[256];
        tb_config_section_names(names, sizeof names);
        return fail(origin, 0, "unknown section [%.64s] (valid sections: %s)", section, names);
    }
    const tb_config_key *key = tb_config_key_find(section, dot + 1);
    if (key == NULL) {
        char names[512];
        tb_config_key_names(section, names, sizeof names);
        return fail(origin, 0, "unknown key '%.64s' in section [%s] (valid keys: %s)", dot + 1,
                    section, names);
    }

    char text[TB_INI_MAX_LINE + 1];
    if (strlen(value) >= sizeof text)
        return fail(origin, 0, "%s.%s: value longer than %d bytes", key->section, key->name,
                    TB_INI_MAX_LINE);
    strcpy(text, value);
    const char *quote_why = NULL;
    const char *clean = tb_ini_value(text, 0, &quote_why);
    if (clean == NULL)
        return fail(origin, 0, "%s.%s: %s", key->section, key->name, quote_why);

    char why[WHY_SIZE];
    if (assign(cfg, key, clean, why, sizeof why) != 0)
        return fail(origin, 0, "%s", why);
    return TB_OK;
}

/* Writes the default of `key` as shown in the help and examples (strings quoted). */
static void default_text(const tb_config_key *key, char *buf, size_t size)
{
    if (key->type == TB_CONFIG_STRING)
        snprintf(buf, size, "\"%s\"", key->def);
    else
        snprintf(buf, size, "%s", key->def);
}

void tb_config_print_help(FILE *out)
{
    char left[TB_CONFIG_KEY_COUNT][128];
    int width = 0;
    for (size_t i = 0; i < TB_CONFIG_KEY_COUNT; i++) {
        const tb_config_key *key = &tb_config_keys[i];
        char def[64];
        default_text(key, def, sizeof def);
        int n = snprintf(left[i], sizeof left[i], "%s.%s = %s", key->section, key->name, def);
        if (n > width)
            width = n;
    }
    for (size_t s = 0; s < TB_CONFIG_SECTION_COUNT; s++) {
        const tb_config_section *sec = &tb_config_sections[s];
        fprintf(out, "%s[%s]  %s\n", s ? "\n" : "", sec->name, sec->doc);
        for (size_t i = 0; i < TB_CONFIG_KEY_COUNT; i++) {
            const tb_config_key *key = &tb_config_keys[i];
            if (strcmp(key->section, sec->name) != 0)
                continue;
            char range[112] = "";
            if (key->type == TB_CONFIG_THRESHOLD || key->type == TB_CONFIG_DOUBLE ||
                key->type == TB_CONFIG_INT || key->type == TB_CONFIG_LONG) {
                char r[96];
                range_text(key, r, sizeof r);
                snprintf(range, sizeof range, " [%s%s]",
                         key->type == TB_CONFIG_THRESHOLD ? "auto or " : "", r);
            }
            fprintf(out, "  %-*s    %s%s\n", width, left[i], key->doc, range);
        }
    }
}

/* Writes the INI document into `buf` (`size` bytes, may be 0) like snprintf: returns the
 * length the whole document needs, without the terminator. */
static size_t render_ini(const tb_config *cfg, char *buf, size_t size)
{
    size_t used = 0;
#define EMIT(...)                                                                              \
    do {                                                                                       \
        int n_ = snprintf(used < size ? buf + used : NULL, used < size ? size - used : 0,       \
                          __VA_ARGS__);                                                        \
        if (n_ > 0)                                                                            \
            used += (size_t)n_;                                                                \
    } while (0)
    EMIT("# tuban configuration: the effective value of every key\n");
    for (size_t s = 0; s < TB_CONFIG_SECTION_COUNT; s++) {
        const char *section = tb_config_sections[s].name;
        EMIT("\n[%s]\n", section);
        for (size_t i = 0; i < TB_CONFIG_KEY_COUNT; i++) {
            const tb_config_key *key = &tb_config_keys[i];
            if (strcmp(key->section, section) != 0)
                continue;
            char value[TB_CONFIG_STR + 8];
            format_value(cfg, key, value, sizeof value);
            if (key->type == TB_CONFIG_STRING)
                EMIT("%s = \"%s\"\n", key->name, value);
            else
                EMIT("%s = %s\n", key->name, value);
        }
    }
#undef EMIT
    return used;
}

char *tb_config_to_ini(const tb_config *cfg)
{
    assert(cfg != NULL);
    size_t len = render_ini(cfg, NULL, 0);
    char *text = malloc(len + 1);
    if (text == NULL) {
        tb_error(TB_ERR_NOMEM, "no memory for the configuration text (%zu bytes)", len + 1);
        return NULL;
    }
    render_ini(cfg, text, len + 1);
    return text;
}

tb_status tb_config_validate(const tb_config *cfg, const char *origin)
{
    assert(cfg != NULL);
    if (origin == NULL)
        origin = "config";
    for (size_t i = 0; i < TB_CONFIG_KEY_COUNT; i++) {
        char why[WHY_SIZE];
        if (check_value(cfg, &tb_config_keys[i], why, sizeof why) != 0)
            return fail(origin, 0, "%s", why);
    }
    if (cfg->max_area_m2 != 0.0 && cfg->max_area_m2 < cfg->min_area_m2) {
        char max[40], min[40];
        format_double(cfg->max_area_m2, max, sizeof max);
        format_double(cfg->min_area_m2, min, sizeof min);
        return fail(origin, 0,
                    "filter.max_area_m2 = %s is below filter.min_area_m2 = %s (use a value >= "
                    "min_area_m2, or 0 for no upper bound)",
                    max, min);
    }
    if (cfg->mbi_length_max_m < cfg->mbi_length_min_m) {
        char max[40], min[40];
        format_double(cfg->mbi_length_max_m, max, sizeof max);
        format_double(cfg->mbi_length_min_m, min, sizeof min);
        return fail(origin, 0,
                    "evidence.mbi_length_max_m = %s is below evidence.mbi_length_min_m = %s",
                    max, min);
    }
    return TB_OK;
}
