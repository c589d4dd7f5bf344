/* scan_prefetch.c: a reader thread two strips deep (see scan_prefetch.h).
 *
 * The reader is a POSIX thread, not an OpenMP task: it must run while the pass's own
 * parallel regions do, and its reads start parallel regions of their own (libtiff
 * decodes blocks on a team of the reader's). Errors are recorded per thread
 * (tb_error), so the reader copies its message into the slot for the waiting thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "scan_prefetch.h"

struct tb_prefetch {
    int nstrips, threaded;
    tb_prefetch_read_fn read;
    void *arg;
    pthread_t thread;
    int started;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int read_upto;        /* strips [0, read_upto) are read (or failed) */
    int released_upto;    /* strips [0, released_upto) are released by the pass */
    int stop;
    tb_status status[2];  /* per slot: its strip's reading */
    char message[2][1024];
};

static void *reader_main(void *arg)
{
    tb_prefetch *p = arg;
    for (int s = 0; s < p->nstrips; s++) {
        pthread_mutex_lock(&p->lock);
        while (!p->stop && s - 2 >= p->released_upto)
            pthread_cond_wait(&p->changed, &p->lock);
        const int stop = p->stop;
        pthread_mutex_unlock(&p->lock);
        if (stop)
            break;
        const tb_status st = p->read(p->arg, s, s & 1);
        pthread_mutex_lock(&p->lock);
        p->status[s & 1] = st;
        if (st)
            snprintf(p->message[s & 1], sizeof p->message[0], "%s", tb_error_message());
        p->read_upto = s + 1;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
        if (st)
            break;
    }
    return NULL;
}

tb_status tb_prefetch_start(int nstrips, int threaded, tb_prefetch_read_fn read, void *arg,
                            tb_prefetch **out)
{
    *out = NULL;
    tb_prefetch *p = calloc(1, sizeof *p);
    if (!p)
        return tb_error(TB_ERR_NOMEM, "out of memory for the strip reader");
    p->nstrips = nstrips;
    p->threaded = threaded;
    p->read = read;
    p->arg = arg;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    if (threaded && nstrips > 1) {
        if (pthread_create(&p->thread, NULL, reader_main, p) != 0) {
            p->threaded = 0;   /* no thread to be had: read in line */
        } else {
            p->started = 1;
        }
    } else {
        p->threaded = 0;
    }
    *out = p;
    return TB_OK;
}

tb_status tb_prefetch_wait(tb_prefetch *p, int s)
{
    if (!p->threaded)
        return p->read(p->arg, s, s & 1);
    pthread_mutex_lock(&p->lock);
    while (p->read_upto <= s)
        pthread_cond_wait(&p->changed, &p->lock);
    const tb_status st = p->status[s & 1];
    pthread_mutex_unlock(&p->lock);
    return st ? tb_error(st, "%s", p->message[s & 1]) : TB_OK;
}

void tb_prefetch_release(tb_prefetch *p, int s)
{
    if (!p->threaded)
        return;
    pthread_mutex_lock(&p->lock);
    p->released_upto = s + 1;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

void tb_prefetch_finish(tb_prefetch *p)
{
    if (!p)
        return;
    if (p->started) {
        pthread_mutex_lock(&p->lock);
        p->stop = 1;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
        pthread_join(p->thread, NULL);
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->changed);
    free(p);
}
