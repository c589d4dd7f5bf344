/* config_keys.h: the key table of tb_config (private to config/).
 *
 * One row per key gives its section, name, value type, default (as text, parsed by the
 * same code as a value from a file, so a default cannot disagree with the parser), valid
 * range, one-line documentation and where the value lives in tb_config. The INI loader,
 * tb_config_set, the help text, tb_config_to_ini and tb_config_validate all walk this
 * table; nothing outside config/ sees it.
 *
 * The rows are grouped by section, in the order of tb_config_sections.
 */
#ifndef TB_CONFIG_KEYS_H
#define TB_CONFIG_KEYS_H

#include <stddef.h>

typedef enum tb_config_type {
    TB_CONFIG_DOUBLE,    /* finite double, parsed with strtod */
    TB_CONFIG_INT,       /* int, parsed with strtol */
    TB_CONFIG_LONG,      /* long, parsed with strtol */
    TB_CONFIG_BOOL,      /* int 0/1 from true/false, yes/no, on/off, 1/0 */
    TB_CONFIG_STRING,    /* char[TB_CONFIG_STR]; optional normaliser checks and rewrites it */
    TB_CONFIG_THRESHOLD  /* "auto" (flag = 1, value = 0) or a number in range (flag = 0) */
} tb_config_type;

/* Range flags: by default a number must lie in [min, max]. */
#define TB_RANGE_MIN_OPEN 1u /* value must be > min instead of >= min */
#define TB_RANGE_NO_MAX 2u   /* no upper bound (max is ignored) */

/* Checks `value` and writes its canonical form to `out` (`size` bytes). Returns 0, or -1
 * with a reason (no key name, no location) in `why`. */
typedef int (*tb_config_normaliser)(const char *value, char *out, size_t size, char *why,
                                    size_t why_size);

typedef struct tb_config_key {
    const char *section;      /* "detect" */
    const char *name;         /* "threshold" */
    tb_config_type type;
    const char *def;          /* default as text, as it would appear in an INI file */
    double min, max;          /* numeric range (DOUBLE, INT, LONG, THRESHOLD) */
    unsigned range;           /* TB_RANGE_* flags */
    const char *doc;          /* one line, no range (the help adds it) */
    size_t offset;            /* offsetof the value in tb_config */
    size_t flag_offset;       /* THRESHOLD only: offsetof the int "auto" flag */
    tb_config_normaliser normalise; /* STRING only, may be NULL */
} tb_config_key;

typedef struct tb_config_section {
    const char *name; /* "detect" */
    const char *doc;  /* one line */
} tb_config_section;

#define TB_CONFIG_KEY_COUNT 93
#define TB_CONFIG_SECTION_COUNT 13

extern const tb_config_key tb_config_keys[TB_CONFIG_KEY_COUNT];
extern const tb_config_section tb_config_sections[TB_CONFIG_SECTION_COUNT];

/* The row of `section`.`name`, or NULL when there is no such key. */
const tb_config_key *tb_config_key_find(const char *section, const char *name);

/* The row of section `name`, or NULL when there is no such section. */
const tb_config_section *tb_config_section_find(const char *name);

/* Writes the section names as "input, detect, ..." into `buf` (for error messages). */
void tb_config_section_names(char *buf, size_t size);

/* Writes the key names of `section` as "pixel_size, bands" into `buf`. */
void tb_config_key_names(const char *section, char *buf, size_t size);

#endif
