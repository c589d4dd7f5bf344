/* polygon_queue.c: a polygon sink on its own thread (tb_polygon_queue.h).
 *
 * A ring of `depth` slots under one mutex: the polygonizer's thread waits while it is
 * full, the sink's thread while it is empty. Error messages are per thread, so the
 * sink's error is copied here and raised again on the caller's thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "tb_polygon_queue.h"

typedef struct slot {
    uint32_t label;
    OGRGeometryH geom;
} slot;

struct tb_polygon_queue {
    pthread_mutex_t lock;
    pthread_cond_t changed;     /* a slot was filled or emptied, or the queue closed */
    pthread_t thread;
    tb_polygon_sink sink;
    void *arg;
    slot *ring;
    size_t depth, head, count;  /* next slot to take, slots filled */
    int closed;
    tb_status st;               /* the sink's first error */
    char msg[1024];
};

static void *run(void *arg)
{
    tb_polygon_queue *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->lock);
        while (!q->count && !q->closed)
            pthread_cond_wait(&q->changed, &q->lock);
        if (!q->count) {   /* closed and drained */
            pthread_mutex_unlock(&q->lock);
            return NULL;
        }
        const slot s = q->ring[q->head];
        q->head = (q->head + 1) % q->depth;
        q->count--;
        const int failed = q->st != TB_OK;
        pthread_cond_broadcast(&q->changed);
        pthread_mutex_unlock(&q->lock);
        if (failed) {
            OGR_G_DestroyGeometry(s.geom);
            continue;
        }
        const tb_status st = q->sink(q->arg, s.label, s.geom);
        if (st) {
            pthread_mutex_lock(&q->lock);
            q->st = st;
            snprintf(q->msg, sizeof q->msg, "%s", tb_error_message());
            pthread_mutex_unlock(&q->lock);
        }
    }
}

tb_status tb_polygon_queue_start(tb_polygon_sink sink, void *arg, size_t depth,
                                 tb_polygon_queue **out)
{
    *out = NULL;
    tb_polygon_queue *q = calloc(1, sizeof *q);
    if (q)
        q->ring = malloc((depth ? depth : 1) * sizeof *q->ring);
    if (!q || !q->ring) {
        free(q);
        return tb_error(TB_ERR_NOMEM, "out of memory for the polygon queue");
    }
    q->sink = sink;
    q->arg = arg;
    q->depth = depth ? depth : 1;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->changed, NULL);
    if (pthread_create(&q->thread, NULL, run, q) != 0) {
        pthread_cond_destroy(&q->changed);
        pthread_mutex_destroy(&q->lock);
        free(q->ring);
        free(q);
        return tb_error(TB_ERR_INTERNAL, "cannot start the polygon writer thread");
    }
    *out = q;
    return TB_OK;
}

tb_status tb_polygon_queue_put(void *queue, uint32_t label, OGRGeometryH geom)
{
    tb_polygon_queue *q = queue;
    pthread_mutex_lock(&q->lock);
    while (q->count == q->depth && !q->st)
        pthread_cond_wait(&q->changed, &q->lock);
    if (q->st) {
        const tb_status st = q->st;
        char msg[sizeof q->msg];
        snprintf(msg, sizeof msg, "%s", q->msg);
        pthread_mutex_unlock(&q->lock);
        OGR_G_DestroyGeometry(geom);
        return tb_error(st, "%s", msg);
    }
    q->ring[(q->head + q->count) % q->depth] = (slot){label, geom};
    q->count++;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
    return TB_OK;
}

tb_status tb_polygon_queue_finish(tb_polygon_queue *q)
{
    if (!q)
        return TB_OK;
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->thread, NULL);
    const tb_status st = q->st ? tb_error(q->st, "%s", q->msg) : TB_OK;
    pthread_cond_destroy(&q->changed);
    pthread_mutex_destroy(&q->lock);
    free(q->ring);
    free(q);
    return st;
}
