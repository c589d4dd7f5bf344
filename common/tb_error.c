/* tb_error.c: the per-thread error message and the status -> exit code table. */
#include "tb_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char error_message[1024];
static _Thread_local tb_status error_status = TB_OK;

tb_status tb_error(tb_status status, const char *fmt, ...)
{
    if (error_status != TB_OK)
        return status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_message, sizeof error_message, fmt, ap);
    va_end(ap);
    /* One line: the message must stay a single line whatever the libraries said. */
    for (char *p = error_message; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    error_status = status;
    return status;
}

const char *tb_error_message(void) { return error_message; }
tb_status tb_error_status(void) { return error_status; }

void tb_error_clear(void)
{
    error_message[0] = '\0';
    error_status = TB_OK;
}

static const struct {
    tb_status status;
    const char *name;
    int exit_code;
} status_table[] = {
    {TB_OK, "ok", 0},
    {TB_ERR_USAGE, "usage", 2},
    {TB_ERR_CONFIG, "config", 3},
    {TB_ERR_INPUT_MISSING, "input-missing", 4},
    {TB_ERR_INPUT_FORMAT, "input-format", 5},
    {TB_ERR_GRID, "grid", 6},
    {TB_ERR_BANDS, "bands", 7},
    {TB_ERR_NODATA, "nodata", 8},
    {TB_ERR_CRS, "crs", 9},
    {TB_ERR_ALIGN, "align", 14},
    {TB_ERR_OUTPUT, "output", 10},
    {TB_ERR_STORE, "store", 11},
    {TB_ERR_NOMEM, "no-memory", 12},
    {TB_ERR_CANCELLED, "cancelled", 13},
    {TB_ERR_INTERNAL, "internal", 70},
};

const char *tb_status_name(tb_status status)
{
    for (size_t i = 0; i < sizeof status_table / sizeof status_table[0]; i++)
        if (status_table[i].status == status)
            return status_table[i].name;
    return "unknown";
}

int tb_status_exit_code(tb_status status)
{
    for (size_t i = 0; i < sizeof status_table / sizeof status_table[0]; i++)
        if (status_table[i].status == status)
            return status_table[i].exit_code;
    return 70;
}
