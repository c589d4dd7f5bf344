/* ini_parser.h: a small INI reader (private to config/).
 *
 * The reader knows the syntax only: `[section]` headers, `key = value` pairs, whole-line
 * comments starting with '#' or ';', trailing comments (" #..." or " ;..." after a value,
 * preceded by whitespace), blank lines, optional double quotes around a value, a UTF-8
 * BOM at the start and CRLF line ends. It rejects lines longer than TB_INI_MAX_LINE bytes,
 * NUL bytes and invalid UTF-8. What the sections and keys mean is the caller's business:
 * it gets one callback per header and per pair, with the file name and line number.
 */
#ifndef TB_INI_PARSER_H
#define TB_INI_PARSER_H

#include <stdio.h>

#include "tb_error.h"

#define TB_INI_MAX_LINE 4096 /* bytes, without the line end */

typedef struct tb_ini_callbacks {
    /* A `[section]` header on `line`. Returns TB_OK, or an error it has recorded. */
    tb_status (*on_section)(void *user, const char *section, const char *path, int line);
    /* A `key = value` pair under `section` (value unquoted and trimmed, possibly ""). */
    tb_status (*on_pair)(void *user, const char *section, const char *key, const char *value,
                         const char *path, int line);
} tb_ini_callbacks;

/* Reads `fp` to its end, calling `cb` for each header and pair. `path` names the file in
 * messages. Syntax errors are recorded as TB_ERR_CONFIG "PATH:LINE: reason"; a read
 * error as "PATH: cannot read config file (reason)". The first error (the reader's or a
 * callback's) stops the reading and is returned. */
tb_status tb_ini_parse(FILE *fp, const char *path, const tb_ini_callbacks *cb, void *user);

/* Turns the text right of '=' into a value, in place: trims surrounding whitespace and
 * removes one pair of double quotes around it. With `comments`, a '#' or ';' preceded by
 * whitespace outside the quotes starts a comment that is dropped. Returns the value (a
 * pointer into `text`), or NULL with a reason in `*why` when a quote is not closed or
 * text follows the closing quote. */
char *tb_ini_value(char *text, int comments, const char **why);

#endif
