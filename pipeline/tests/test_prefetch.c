/* test_prefetch.c: the strip reader of scan_prefetch.c, run ahead on its own thread and
 * in line: every strip read once and in order into slot s & 1, never more than two
 * strips ahead of the pass, and a read's error handed to the pass with its message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scan_prefetch.h"

#define NSTRIPS 40

typedef struct fake_reader {
    int slot_holds[2];          /* the strip each slot holds */
    int reads[NSTRIPS];         /* times each strip was read */
    int order[NSTRIPS], nread;  /* strips in the order read */
    volatile int released;      /* strips the pass has released (set by the test) */
    int max_lead;               /* most strips read beyond the released ones */
    int fail_at;                /* strip whose read fails, -1 none */
    int slow;                   /* microseconds per read */
} fake_reader;

static tb_status fake_read(void *arg, int strip, int slot)
{
    fake_reader *f = arg;
    if (f->slow)
        usleep((useconds_t)f->slow);
    const int lead = strip + 1 - f->released;
    if (lead > f->max_lead)
        f->max_lead = lead;
    f->reads[strip]++;
    f->order[f->nread++] = strip;
    f->slot_holds[slot] = strip;
    if (strip == f->fail_at)
        return tb_error(TB_ERR_INPUT_FORMAT, "fake.tif: strip %d is corrupt", strip);
    return TB_OK;
}

static void run_pass(int threaded, int slow)
{
    fake_reader f;
    memset(&f, 0, sizeof f);
    f.fail_at = -1;
    f.slow = slow;
    tb_prefetch *p = NULL;
    assert_int_equal(tb_prefetch_start(NSTRIPS, threaded, fake_read, &f, &p), TB_OK);
    for (int s = 0; s < NSTRIPS; s++) {
        assert_int_equal(tb_prefetch_wait(p, s), TB_OK);
        /* The slot holds this strip while the pass uses it. */
        assert_int_equal(f.slot_holds[s & 1], s);
        if (!slow)
            usleep(2000);   /* the pass computing: the reader runs ahead */
        assert_int_equal(f.slot_holds[s & 1], s);
        f.released = s + 1;
        tb_prefetch_release(p, s);
    }
    tb_prefetch_finish(p);
    assert_int_equal(f.nread, NSTRIPS);
    for (int s = 0; s < NSTRIPS; s++) {
        assert_int_equal(f.reads[s], 1);
        assert_int_equal(f.order[s], s);
    }
    /* At most the strip in use and the one after it are read beyond those released. */
    assert_true(f.max_lead <= 2);
    if (threaded && !slow)
        assert_int_equal(f.max_lead, 2);   /* it did run ahead */
}

static void test_reads_ahead_in_order(void **state)
{
    (void)state;
    run_pass(1, 0);
    run_pass(1, 300);
}

static void test_reads_in_line(void **state)
{
    (void)state;
    run_pass(0, 0);
}

static void test_error_reaches_the_pass(void **state)
{
    (void)state;
    for (int threaded = 0; threaded <= 1; threaded++) {
        fake_reader f;
        memset(&f, 0, sizeof f);
        f.fail_at = 5;
        tb_prefetch *p = NULL;
        assert_int_equal(tb_prefetch_start(NSTRIPS, threaded, fake_read, &f, &p), TB_OK);
        int s = 0;
        tb_status st = TB_OK;
        for (; s < NSTRIPS; s++) {
            st = tb_prefetch_wait(p, s);
            if (st)
                break;
            f.released = s + 1;
            tb_prefetch_release(p, s);
        }
        tb_prefetch_finish(p);
        assert_int_equal(s, 5);
        assert_int_equal(st, TB_ERR_INPUT_FORMAT);
        assert_string_equal(tb_error_message(), "fake.tif: strip 5 is corrupt");
        assert_int_equal(f.nread, 6);   /* nothing read after the failure */
    }
}

/* The pass stops early (its own error): finishing joins a reader waiting for a slot. */
static void test_early_stop(void **state)
{
    (void)state;
    fake_reader f;
    memset(&f, 0, sizeof f);
    f.fail_at = -1;
    tb_prefetch *p = NULL;
    assert_int_equal(tb_prefetch_start(NSTRIPS, 1, fake_read, &f, &p), TB_OK);
    assert_int_equal(tb_prefetch_wait(p, 0), TB_OK);
    usleep(2000);
    tb_prefetch_finish(p);
    assert_true(f.nread <= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_ahead_in_order),
        cmocka_unit_test(test_reads_in_line),
        cmocka_unit_test(test_error_reaches_the_pass),
        cmocka_unit_test(test_early_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
