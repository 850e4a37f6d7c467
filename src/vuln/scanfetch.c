/*
 * scanfetch.c - `vuln fetch` inside `serve` (vulnsvc.h): a thread that
 * keeps the hub's advisory directory current on a schedule and gives the
 * hub freshly read advisories when something changed, so that scans run
 * against what the sources publish without a restart.
 *
 * The sources are those already fetched into the directory (each has a
 * state file): they are set up once with `weerbaar vuln fetch --dir DIR
 * --source ...`, as an administrator runs it. The fetch takes the
 * directory's lock, so a `vuln fetch` run by hand at the same moment
 * waits its turn (it fails with "another vuln fetch is running").
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weerbaar/vulnfetch.h"
#include "weerbaar/vulnsvc.h"

struct wb_vscan_fetcher {
    char *dir;
    unsigned seconds;
    wb_vscan_reload_fn reload;
    void *reload_ud;
    void (*log)(void *ud, const char *msg);
    void *log_ud;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
};

static void say(wb_vscan_fetcher *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(wb_vscan_fetcher *f, const char *fmt, ...)
{
    if (f->log == NULL) return;
    char msg[WB_ERROR_MSG_MAX + 256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    f->log(f->log_ud, msg);
}

static void on_problem(void *ud, const wb_error *err)
{
    say(ud, "vuln fetch: %s", err->msg);
}

/* One round: fetch every source, read the advisories again when a file
 * changed. */
static void round_once(wb_vscan_fetcher *f)
{
    wb_error err;
    wb_error_clear(&err);
    int lock = -1;
    if (wb_fetch_lock(f->dir, &lock, &err) != 0) {
        say(f, "vuln fetch: %s (skipped this round)", err.msg);
        return;
    }
    wb_fetched have;
    size_t updated = 0;
    if (wb_fetched_list(f->dir, &have, &err) != 0) {
        say(f, "vuln fetch: %s", err.msg);
        wb_fetch_unlock(lock);
        return;
    }
    wb_fetch_opts o = {.problem = on_problem, .ud = f};
    for (size_t i = 0; i < have.n; i++) {
        wb_fetch_stats st = {0};
        wb_error_clear(&err);
        if (wb_fetch_run(f->dir, &have.v[i].src, &o, &st, &err) != 0)
            say(f, "vuln fetch: %s: %s", have.v[i].src.name, err.msg);
        updated += st.updated;
    }
    wb_fetched_free(&have);
    wb_fetch_unlock(lock);
    if (updated == 0) return;
    wb_vscan_db *db = NULL;
    wb_error_clear(&err);
    if (wb_vscan_db_open(&db, f->dir, &err) != 0) {
        say(f, "vuln fetch: reading the new advisories failed, scans keep the old ones: %s",
            err.msg);
        return;
    }
    say(f, "vuln fetch: %s: new advisories read; scans use them from now on", f->dir);
    f->reload(f->reload_ud, db);
}

static void *run(void *arg)
{
    wb_vscan_fetcher *f = arg;
    pthread_mutex_lock(&f->lock);
    while (!f->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += f->seconds;
        while (!f->stop && pthread_cond_timedwait(&f->cond, &f->lock, &until) == 0)
            ;
        if (f->stop) break;
        pthread_mutex_unlock(&f->lock);
        round_once(f);
        pthread_mutex_lock(&f->lock);
    }
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

int wb_vscan_fetcher_start(wb_vscan_fetcher **out, const char *dir, unsigned seconds,
                           wb_vscan_reload_fn reload, void *reload_ud,
                           void (*log)(void *ud, const char *msg), void *log_ud, wb_error *err)
{
    *out = NULL;
    if (seconds == 0) return wb_error_set(err, WB_EINVAL, "a fetch interval of 0 seconds");
    wb_vscan_fetcher *f = calloc(1, sizeof *f);
    if (f == NULL || (f->dir = strdup(dir)) == NULL) {
        free(f);
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    f->seconds = seconds;
    f->reload = reload;
    f->reload_ud = reload_ud;
    f->log = log;
    f->log_ud = log_ud;
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->cond, NULL);
    if (pthread_create(&f->thread, NULL, run, f) != 0) {
        pthread_mutex_destroy(&f->lock);
        pthread_cond_destroy(&f->cond);
        free(f->dir);
        free(f);
        return wb_error_set(err, WB_ENOMEM, "cannot start the fetch thread");
    }
    *out = f;
    return 0;
}

void wb_vscan_fetcher_stop(wb_vscan_fetcher *f)
{
    if (f == NULL) return;
    pthread_mutex_lock(&f->lock);
    f->stop = true;
    pthread_cond_signal(&f->cond);
    pthread_mutex_unlock(&f->lock);
    pthread_join(f->thread, NULL);
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->cond);
    free(f->dir);
    free(f);
}
