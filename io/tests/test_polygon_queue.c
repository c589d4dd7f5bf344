/* test_polygon_queue.c: unit tests of io/tb_polygon_queue.h: components reach the sink
 * in the order they were queued, every one exactly once, on another thread; the
 * sink's error comes back to the caller with its message, and components queued after
 * it are freed, not lost in memory (the ASan run checks for leaks).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gdal.h>
#include <ogr_api.h>

#include "tb_polygon_queue.h"

#define N 2000

typedef struct seen {
    uint32_t labels[N];
    int n;
    int other_thread;     /* the sink never ran on the caller's thread */
    pthread_t caller;
    uint32_t fail_at;     /* 0: never fails */
} seen;

static tb_status record(void *arg, uint32_t label, OGRGeometryH g)
{
    seen *s = arg;
    s->other_thread &= !pthread_equal(pthread_self(), s->caller);
    OGR_G_DestroyGeometry(g);
    if (label == s->fail_at)
        return tb_error(TB_ERR_OUTPUT, "changes.gpkg: disk full at polygon %u", label);
    s->labels[s->n++] = label;
    return TB_OK;
}

static OGRGeometryH point(uint32_t i)
{
    OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
    OGR_G_SetPoint_2D(g, 0, i, -1.0 * i);
    return g;
}

static void test_order_kept_on_another_thread(void **state)
{
    (void)state;
    static seen s;
    memset(&s, 0, sizeof s);
    s.caller = pthread_self();
    s.other_thread = 1;
    tb_polygon_queue *q = NULL;
    assert_int_equal(tb_polygon_queue_start(record, &s, 3, &q), TB_OK);
    for (uint32_t i = 1; i <= N; i++)
        assert_int_equal(tb_polygon_queue_put(q, i, point(i)), TB_OK);
    assert_int_equal(tb_polygon_queue_finish(q), TB_OK);
    assert_int_equal(s.n, N);
    for (int i = 0; i < N; i++)
        assert_int_equal(s.labels[i], i + 1);
    assert_true(s.other_thread);
}

static void test_sink_error_reaches_caller(void **state)
{
    (void)state;
    static seen s;
    memset(&s, 0, sizeof s);
    s.caller = pthread_self();
    s.fail_at = 10;
    tb_polygon_queue *q = NULL;
    assert_int_equal(tb_polygon_queue_start(record, &s, 4, &q), TB_OK);
    tb_status put = TB_OK;
    uint32_t i = 1;
    for (; i <= N && put == TB_OK; i++)
        put = tb_polygon_queue_put(q, i, point(i));
    /* The error stops the caller at the latest once the queue has filled behind it. */
    assert_int_equal(put, TB_ERR_OUTPUT);
    assert_true(i <= N);
    tb_error_clear();
    assert_int_equal(tb_polygon_queue_finish(q), TB_ERR_OUTPUT);
    assert_string_equal(tb_error_message(), "changes.gpkg: disk full at polygon 10");
    assert_int_equal(s.n, 9);   /* 1..9, nothing after the failure */
}

static void test_finish_without_components(void **state)
{
    (void)state;
    static seen s;
    memset(&s, 0, sizeof s);
    tb_polygon_queue *q = NULL;
    assert_int_equal(tb_polygon_queue_start(record, &s, 1, &q), TB_OK);
    assert_int_equal(tb_polygon_queue_finish(q), TB_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(tb_polygon_queue_finish(NULL), TB_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_kept_on_another_thread),
        cmocka_unit_test(test_sink_error_reaches_caller),
        cmocka_unit_test(test_finish_without_components),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
