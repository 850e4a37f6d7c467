/*
 * schedule.c - serve's sync schedule: a thread with a database connection
 * of its own that pulls from and pushes to every server every interval
 * (wb_sync_all), so a slow remote hub never holds up the API.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "sync/sync_internal.h"

struct wb_sync_scheduler {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    volatile int stop;
    unsigned interval_s;
    bool sightings_open;
    wb_store *st;
    void (*log)(void *ud, const char *msg);
    void *ud;
};

static void *loop(void *arg)
{
    wb_sync_scheduler *s = arg;
    wb_sync_run_opts o = {
        .log = s->log, .ud = s->ud, .stop = &s->stop, .sightings_open = s->sightings_open};
    for (;;) {
        wb_sync_all(s->st, &o);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += (time_t)s->interval_s;
        pthread_mutex_lock(&s->lock);
        int rc = 0;
        while (!s->stop && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&s->cond, &s->lock, &until);
        int stop = s->stop;
        pthread_mutex_unlock(&s->lock);
        if (stop) break;
    }
    return NULL;
}

int wb_sync_scheduler_start(wb_sync_scheduler **out, const char *db, unsigned interval_s,
                            bool sightings_open, void (*log)(void *ud, const char *msg), void *ud,
                            wb_error *err)
{
    *out = NULL;
    wb_sync_scheduler *s = calloc(1, sizeof *s);
    if (s == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    s->interval_s = interval_s ? interval_s : 300;
    s->sightings_open = sightings_open;
    s->log = log;
    s->ud = ud;
    int rc = wb_store_open(&s->st, db, err);
    if (rc) {
        free(s);
        return rc;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    if (pthread_create(&s->thread, NULL, loop, s) != 0) {
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->cond);
        wb_store_close(s->st);
        free(s);
        return wb_error_set(err, WB_EINTERNAL, "cannot start the sync thread");
    }
    *out = s;
    return 0;
}

void wb_sync_scheduler_stop(wb_sync_scheduler *s)
{
    if (s == NULL) return;
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    wb_store_close(s->st);
    free(s);
}
