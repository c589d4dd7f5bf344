/* tb_error.h: status codes and the one error message of the current thread.
 *
 * Rule (from libvips): whoever detects an error records the message, with the file
 * name and the problem, exactly once; callers only pass the status up. Status codes
 * are grouped by class so that `main` can map each class to its own exit code and a
 * caller can test either the class or the exact cause.
 */
#ifndef TB_ERROR_H
#define TB_ERROR_H

#include <stddef.h>

typedef enum tb_status {
    TB_OK = 0,
    TB_ERR_USAGE,          /* bad command line */
    TB_ERR_CONFIG,         /* malformed config file or bad value */
    TB_ERR_INPUT_MISSING,  /* an input file does not exist */
    TB_ERR_INPUT_FORMAT,   /* an input exists but is not a readable raster/vector */
    TB_ERR_GRID,           /* inputs do not share a grid / no overlap */
    TB_ERR_BANDS,          /* inputs have different or unsuitable band counts */
    TB_ERR_NODATA,         /* no valid pixel to work on */
    TB_ERR_CRS,            /* missing or invalid coordinate reference system */
    TB_ERR_ALIGN,          /* the dates cannot be co-registered (shift unknown or too large) */
    TB_ERR_OUTPUT,         /* an output cannot be written */
    TB_ERR_STORE,          /* case store problem */
    TB_ERR_NOMEM,          /* allocation failed */
    TB_ERR_CANCELLED,      /* progress callback asked to stop */
    TB_ERR_INTERNAL        /* a bug: a broken invariant */
} tb_status;

/* Records the message for `status` (printf format) and returns `status`, so that
 * `return tb_error(TB_ERR_INPUT_FORMAT, "%s: not a raster", path);` reads naturally.
 * The first message since the last tb_error_clear() wins; later ones are dropped, so
 * the root cause survives cleanup paths. */
tb_status tb_error(tb_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The recorded message ("" when none) and its status (TB_OK when none). */
const char *tb_error_message(void);
tb_status tb_error_status(void);
void tb_error_clear(void);

/* Short name of a status ("input-missing", ...), stable for JSON and tests. */
const char *tb_status_name(tb_status status);

/* Process exit code for a status: 0 for TB_OK, a distinct non-zero code per class.
 * The table is documented in README.md ("Exit codes"). */
int tb_status_exit_code(tb_status status);

#endif
