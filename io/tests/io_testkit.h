/* io_testkit.h: shared fixture helpers of the io tests: one fresh temporary directory
 * per test executable, under $TMPDIR (/tmp when unset or empty), for the fixtures the
 * tests write, and the cmocka setup and teardown functions that go with it.
 *
 * The directory is process state: one per executable, made once (group setup or
 * main), removed by iotk_teardown_dir when the group asks for it.
 */
#ifndef IO_TESTKIT_H
#define IO_TESTKIT_H

/* Makes the directory $TMPDIR/<prefix>XXXXXX (mkdtemp). The function returns 0, or -1
 * with errno set by mkdtemp; iotk_dir() then still names the template. */
int iotk_make_dir(const char *prefix);

/* The directory made by iotk_make_dir ("" before). */
const char *iotk_dir(void);

/* Path of `name` in the directory, malloc'ed for the test to free (fails the test when
 * memory runs out). */
char *iotk_path(const char *name);

/* cmocka group teardown: removes the directory and everything in it. */
int iotk_teardown_dir(void **state);

/* cmocka test setup: each test starts without a recorded error (tb_error_clear). */
int iotk_clear_error(void **state);

#endif
