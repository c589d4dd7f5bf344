/* tb_json.h: the one JSON string writer (summaries, GeoJSON metadata, info, cases).
 * Escapes quotes, backslashes and control characters; bytes >= 0x80 pass through
 * (tuban's text is UTF-8). */
#ifndef TB_JSON_H
#define TB_JSON_H

#include <stdio.h>

/* Writes `s` as a JSON string literal, quotes included; NULL writes null. */
void tb_json_string(FILE *f, const char *s);

#endif
