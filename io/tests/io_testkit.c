/* io_testkit.c: the temporary directory of an io test executable (io_testkit.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cpl_vsi.h>

#include "io_testkit.h"
#include "tb_error.h"

static char tmpdir[4096];

int iotk_make_dir(const char *prefix)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/%sXXXXXX", base && *base ? base : "/tmp", prefix);
    return mkdtemp(tmpdir) ? 0 : -1;
}

const char *iotk_dir(void)
{
    return tmpdir;
}

char *iotk_path(const char *name)
{
    size_t n = strlen(tmpdir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", tmpdir, name);
    return p;
}

int iotk_teardown_dir(void **state)
{
    (void)state;
    VSIRmdirRecursive(tmpdir);
    return 0;
}

int iotk_clear_error(void **state)
{
    (void)state;
    tb_error_clear();
    return 0;
}
