/* test_casestore.c: unit tests of the case lifecycle table (io/tb_case_lifecycle.h)
 * and the case store (io/tb_casestore.h): create, reopen, upgrade from an older
 * schema, rollback, refusal of files that are not case stores.
 *
 * Stores are written into a fresh temporary directory under $TMPDIR.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "io_testkit.h"
#include "tb_case_lifecycle.h"
#include "tb_casestore.h"

static const char *tmp_path(const char *name)
{
    static char p[4200];
    snprintf(p, sizeof p, "%s/%s", iotk_dir(), name);
    return p;
}

/* Every valid transition of the issue, spelled out (not derived from the table). */
static const char *const valid_pairs[][2] = {
    {"detected", "reported"},     {"detected", "false_alarm"},   {"detected", "permitted"},
    {"reported", "dispatched"},   {"reported", "false_alarm"},   {"reported", "permitted"},
    {"dispatched", "handling"},   {"dispatched", "false_alarm"}, {"dispatched", "permitted"},
    {"handling", "rectified"},    {"handling", "false_alarm"},   {"handling", "permitted"},
    {"rectified", "verified"},    {"rectified", "reopened"},     {"verified", "reopened"},
    {"false_alarm", "reopened"},  {"permitted", "reopened"},     {"reopened", "reported"},
    {"reopened", "dispatched"},   {"reopened", "handling"},      {"reopened", "false_alarm"},
    {"reopened", "permitted"},
};
#define NVALID (sizeof valid_pairs / sizeof valid_pairs[0])

static int listed(const char *from, const char *to)
{
    for (size_t i = 0; i < NVALID; i++)
        if (!strcmp(valid_pairs[i][0], from) && !strcmp(valid_pairs[i][1], to))
            return 1;
    return 0;
}

static void test_status_names(void **state)
{
    (void)state;
    const char *names = "detected reported dispatched handling rectified verified false_alarm "
                        "permitted reopened";
    char buf[256] = "";
    for (int s = 0; s < TB_CASE_NSTATUS; s++) {
        tb_case_status back;
        assert_int_equal(tb_case_status_parse(tb_case_status_name((tb_case_status)s), &back), 0);
        assert_int_equal(back, s);
        strcat(buf, tb_case_status_name((tb_case_status)s));
        if (s + 1 < TB_CASE_NSTATUS)
            strcat(buf, " ");
    }
    assert_string_equal(buf, names);
    tb_case_status x;
    assert_int_equal(tb_case_status_parse("Detected", &x), -1);
    assert_int_equal(tb_case_status_parse("closed", &x), -1);
    assert_int_equal(tb_case_status_parse("", &x), -1);
}

/* The whole 9 x 9 table: exactly the listed pairs are valid. */
static void test_transition_table(void **state)
{
    (void)state;
    int nvalid = 0;
    for (int a = 0; a < TB_CASE_NSTATUS; a++)
        for (int b = 0; b < TB_CASE_NSTATUS; b++) {
            const char *fa = tb_case_status_name((tb_case_status)a);
            const char *fb = tb_case_status_name((tb_case_status)b);
            int v = tb_case_transition_valid((tb_case_status)a, (tb_case_status)b);
            if (v != listed(fa, fb))
                fail_msg("%s -> %s: valid %d, expected %d", fa, fb, v, listed(fa, fb));
            nvalid += v;
        }
    assert_int_equal(nvalid, (int)NVALID);
    /* A sample of invalid ones, named. */
    assert_false(tb_case_transition_valid(TB_CASE_DETECTED, TB_CASE_RECTIFIED));
    assert_false(tb_case_transition_valid(TB_CASE_DETECTED, TB_CASE_VERIFIED));
    assert_false(tb_case_transition_valid(TB_CASE_VERIFIED, TB_CASE_DETECTED));
    assert_false(tb_case_transition_valid(TB_CASE_REPORTED, TB_CASE_REPORTED));
    assert_false(tb_case_transition_valid(TB_CASE_FALSE_ALARM, TB_CASE_VERIFIED));
    assert_false(tb_case_transition_valid(TB_CASE_REOPENED, TB_CASE_RECTIFIED));
    assert_false(tb_case_transition_valid(TB_CASE_NSTATUS, TB_CASE_REPORTED));
    assert_true(tb_case_status_open(TB_CASE_RECTIFIED));
    assert_false(tb_case_status_open(TB_CASE_VERIFIED));
    assert_false(tb_case_status_open(TB_CASE_FALSE_ALARM));
    assert_false(tb_case_status_open(TB_CASE_PERMITTED));
}

static void test_iso8601(void **state)
{
    (void)state;
    const char *good[] = {"2026-06-14", "2026-06-14T02:30:00Z", "2026-06-14T10:30+08:00",
                          "2026-06-14 10:30:00.25-05:00", "2024-02-29", "2026-12-31T23:59:60Z"};
    const char *bad[] = {"", "yesterday", "2026-6-14", "2026-13-01", "2026-02-29", "2026-06-31",
                         "2026-06-14T24:00", "2026-06-14T10", "2026-06-14Z", "2026-06-14T10:30:00ZZ",
                         "2026-06-14T10:30+8"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (!tb_iso8601_valid(good[i]))
            fail_msg("'%s' refused", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (tb_iso8601_valid(bad[i]))
            fail_msg("'%s' accepted", bad[i]);
}

static int count_fn(const tb_case *c, void *user)
{
    (void)c;
    (*(int *)user)++;
    return 0;
}

static void test_create_and_reopen(void **state)
{
    (void)state;
    const char *p = tmp_path("new.gpkg");
    tb_casestore *s = NULL;
    tb_error_clear();
    assert_int_equal(tb_casestore_open(p, &s), TB_OK);
    assert_non_null(s);
    assert_int_equal(tb_casestore_schema_version(s), TB_CASESTORE_SCHEMA_VERSION);
    int n = 0;
    assert_int_equal(tb_casestore_list(s, NULL, count_fn, &n, NULL), TB_OK);
    assert_int_equal(n, 0);
    tb_casestore_close(s);
    tb_casestore_close(NULL); /* NULL-safe */
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(tb_casestore_open(p, &s), TB_OK);
    char v[32];
    tb_casestore_get_meta(s, "schema_version", v, sizeof v);
    assert_string_equal(v, "1");
    tb_casestore_close(s);
}

/* A store whose schema_version says 0 is upgraded in place to the current version. */
static void test_upgrade(void **state)
{
    (void)state;
    const char *p = tmp_path("old.gpkg");
    tb_casestore *s = NULL;
    tb_error_clear();
    assert_int_equal(tb_casestore_open(p, &s), TB_OK);
    assert_int_equal(tb_casestore_set_meta(s, "schema_version", "0"), TB_OK);
    tb_casestore_close(s);
    assert_int_equal(tb_casestore_open(p, &s), TB_OK);
    assert_int_equal(tb_casestore_schema_version(s), TB_CASESTORE_SCHEMA_VERSION);
    tb_casestore_close(s);
    assert_int_equal(tb_casestore_open(p, &s), TB_OK);
    char v[32];
    tb_casestore_get_meta(s, "schema_version", v, sizeof v);
    assert_string_equal(v, "1");
    /* A newer schema than this tuban knows is refused, not touched. */
    assert_int_equal(tb_casestore_set_meta(s, "schema_version", "99"), TB_OK);
    tb_casestore_close(s);
    tb_error_clear();
    assert_int_equal(tb_casestore_open(p, &s), TB_ERR_STORE);
    assert_null(s);
    assert_non_null(strstr(tb_error_message(), "newer"));
    assert_non_null(strstr(tb_error_message(), "old.gpkg"));
}

/* A rolled-back change leaves nothing; a committed one stays. */
static void test_rollback(void **state)
{
    (void)state;
    const char *p = tmp_path("tx.gpkg");
    tb_casestore *s = NULL;
    tb_error_clear();
    assert_int_equal(tb_casestore_open(p, &s), TB_OK);
    assert_int_equal(tb_casestore_begin(s), TB_OK);
    assert_int_equal(tb_casestore_set_meta(s, "probe", "rolled back"), TB_OK);
    tb_casestore_rollback(s);
    char v[64];
    tb_casestore_get_meta(s, "probe", v, sizeof v);
    assert_string_equal(v, "");
    assert_int_equal(tb_casestore_begin(s), TB_OK);
    assert_int_equal(tb_casestore_set_meta(s, "probe", "kept"), TB_OK);
    assert_int_equal(tb_casestore_commit(s), TB_OK);
    /* A status change of an unknown case is refused as a row error. */
    assert_int_equal(tb_casestore_begin(s), TB_OK);
    tb_error_clear();
    assert_int_equal(tb_casestore_set_status(s, "TB-1", TB_CASE_REPORTED, "2026-06-14", "operator", ""),
                     TB_ERR_INPUT_FORMAT);
    tb_casestore_rollback(s);
    tb_casestore_close(s);
    assert_int_equal(tb_casestore_open(p, &s), TB_OK);
    tb_casestore_get_meta(s, "probe", v, sizeof v);
    assert_string_equal(v, "kept");
    tb_casestore_close(s);
}

/* Files that are not case stores are refused and left byte for byte as they were. */
static void test_not_a_store(void **state)
{
    (void)state;
    const char *p = tmp_path("text.gpkg");
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs("this is not a GeoPackage\n", f);
    fclose(f);
    tb_casestore *s = NULL;
    tb_error_clear();
    assert_int_equal(tb_casestore_open(p, &s), TB_ERR_STORE);
    assert_null(s);
    assert_non_null(strstr(tb_error_message(), "text.gpkg: not a tuban case store"));
    f = fopen(p, "rb");
    char buf[64] = "";
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "this is not a GeoPackage\n");
    /* A directory. */
    tb_error_clear();
    assert_int_equal(tb_casestore_open(iotk_dir(), &s), TB_ERR_STORE);
    assert_null(s);
}

int main(void)
{
    if (iotk_make_dir("casestore-") != 0) {
        perror(iotk_dir());
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names),    cmocka_unit_test(test_transition_table),
        cmocka_unit_test(test_iso8601),         cmocka_unit_test(test_create_and_reopen),
        cmocka_unit_test(test_upgrade),         cmocka_unit_test(test_rollback),
        cmocka_unit_test(test_not_a_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
