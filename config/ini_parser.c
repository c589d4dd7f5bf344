/* ini_parser.c: a small, strict INI reader.
 *
 * Lines are read byte by byte (so that NUL bytes are seen and long lines are measured
 * rather than split), checked for UTF-8, then classified: blank, comment, `[section]`
 * header or `key = value` pair. Headers and pairs go to the caller's callbacks; the
 * reader itself knows no section or key names (see config.c for those). Every error is
 * recorded here, where it is detected, as "PATH:LINE: reason".
 */
#include "ini_parser.h"

#include <errno.h>
#include <string.h>

/* Whitespace inside a line (the line end is already gone). */
static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Trims whitespace at both ends of `s` in place and returns the new start. */
static char *trim(char *s)
{
    while (is_blank(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && is_blank(s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Returns the 0-based offset of the first byte of `s` (`n` bytes) that is not part of
 * valid UTF-8 (overlong forms, surrogates and code points above U+10FFFF are invalid),
 * or -1 when all of it is valid. */
static long utf8_invalid_at(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else {
            return (long)i;
        }
        if (i + len > n || s[i + 1] < lo || s[i + 1] > hi)
            return (long)i;
        for (size_t k = 2; k < len; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return (long)i;
        i += len;
    }
    return -1;
}

char *tb_ini_value(char *text, int comments, const char **why)
{
    char *s = text;
    while (is_blank(*s))
        s++;
    if (*s == '"') {
        char *close = strchr(s + 1, '"');
        if (close == NULL) {
            *why = "unterminated quote in value";
            return NULL;
        }
        const char *rest = close + 1;
        while (is_blank(*rest))
            rest++;
        if (*rest != '\0' && !(comments && (*rest == '#' || *rest == ';') && rest > close + 1)) {
            *why = "unexpected text after the closing quote";
            return NULL;
        }
        *close = '\0';
        return s + 1;
    }
    if (comments) {
        for (char *p = s; *p; p++) {
            if ((*p == '#' || *p == ';') && p > text && is_blank(p[-1])) {
                *p = '\0';
                break;
            }
        }
    }
    return trim(s);
}

/* Handles one complete line (no line end, NUL-terminated, checked for NUL and UTF-8).
 * `section` holds the current section name ("" before the first header). */
static tb_status parse_line(char *text, char *section, size_t section_size, const char *path,
                            int line, const tb_ini_callbacks *cb, void *user)
{
    char *s = trim(text);
    if (*s == '\0' || *s == '#' || *s == ';')
        return TB_OK;

    if (*s == '[') {
        char *close = strchr(s, ']');
        if (close == NULL)
            return tb_error(TB_ERR_CONFIG, "%s:%d: section header without closing ']'", path,
                            line);
        const char *rest = close + 1;
        while (is_blank(*rest))
            rest++;
        if (*rest != '\0' && *rest != '#' && *rest != ';')
            return tb_error(TB_ERR_CONFIG, "%s:%d: unexpected text after section header",
                            path, line);
        *close = '\0';
        char *name = trim(s + 1);
        if (*name == '\0')
            return tb_error(TB_ERR_CONFIG, "%s:%d: empty section name", path, line);
        if (strlen(name) >= section_size)
            return tb_error(TB_ERR_CONFIG, "%s:%d: section name too long", path, line);
        strcpy(section, name);
        return cb->on_section ? cb->on_section(user, section, path, line) : TB_OK;
    }

    char *eq = strchr(s, '=');
    if (eq == NULL)
        return tb_error(TB_ERR_CONFIG, "%s:%d: missing '=' (expected 'key = value')", path,
                        line);
    *eq = '\0';
    char *key = trim(s);
    if (*key == '\0')
        return tb_error(TB_ERR_CONFIG, "%s:%d: missing key name before '='", path, line);
    if (section[0] == '\0')
        return tb_error(TB_ERR_CONFIG,
                        "%s:%d: key '%.64s' outside any section (put a [section] header "
                        "above it)",
                        path, line, key);
    const char *why = NULL;
    char *value = tb_ini_value(eq + 1, 1, &why);
    if (value == NULL)
        return tb_error(TB_ERR_CONFIG, "%s:%d: %s", path, line, why);
    return cb->on_pair ? cb->on_pair(user, section, key, value, path, line) : TB_OK;
}

tb_status tb_ini_parse(FILE *fp, const char *path, const tb_ini_callbacks *cb, void *user)
{
    /* One byte more than the limit for a '\r' before '\n', one for the terminator. */
    char buf[TB_INI_MAX_LINE + 2];
    char section[128] = "";
    int line = 0;

    for (;;) {
        size_t len = 0;   /* bytes of the line so far, stored or not */
        size_t stored = 0;
        int c = EOF;
        int has_nul = 0;
        line++;
        while ((c = getc(fp)) != EOF && c != '\n') {
            if (c == '\0')
                has_nul = 1;
            if (stored < sizeof buf - 1)
                buf[stored++] = (char)c;
            len++;
        }
        if (c == EOF && ferror(fp))
            return tb_error(TB_ERR_CONFIG, "%s: cannot read config file (%s)", path,
                            strerror(errno));
        if (c == EOF && len == 0)
            return TB_OK;
        if (len == stored && stored > 0 && buf[stored - 1] == '\r') {
            stored--;
            len--;
        }
        if (len > TB_INI_MAX_LINE)
            return tb_error(TB_ERR_CONFIG, "%s:%d: line longer than %d bytes", path, line,
                            TB_INI_MAX_LINE);
        if (has_nul)
            return tb_error(TB_ERR_CONFIG, "%s:%d: NUL byte in line (not a text file?)", path,
                            line);
        buf[stored] = '\0';

        char *text = buf;
        if (line == 1 && stored >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
            text += 3;
        long bad = utf8_invalid_at((const unsigned char *)text, strlen(text));
        if (bad >= 0)
            return tb_error(TB_ERR_CONFIG, "%s:%d: invalid UTF-8 (byte 0x%02X at column %ld)",
                            path, line, (unsigned)(unsigned char)text[bad],
                            bad + 1 + (long)(text - buf));

        tb_status st = parse_line(text, section, sizeof section, path, line, cb, user);
        if (st != TB_OK)
            return st;
        if (c == EOF)
            return TB_OK;
    }
}
