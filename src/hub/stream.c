/*
 * stream.c - response bodies produced while they are sent: the MISP feed's
 * manifest.json and hashes.csv, which grow with the whole database and so
 * must not be built in memory first.
 *
 * The producer is a thread with a store connection of its own (one from the
 * hub's pool could not be given back until the client has read everything,
 * and a slow client would starve the pool). It writes the body into an
 * unlinked temporary file as fast as the database gives it, and the server
 * reads the file behind it at the pace the socket takes bytes.
 *
 * Why a file and not a pipe (which this was): with a pipe the producer
 * waited for the reader, holding its SQLite read transaction (and so one
 * snapshot of the database) for as long as the slowest client took - 16
 * anonymous readers at 100 KB/s kept the WAL from ever being checkpointed
 * and it grew without bound. Now the snapshot lasts as long as the walk
 * over the database, whatever the client does; memory stays bounded (the
 * body is on disk, the reader copies one piece at a time), and a client
 * that leaves makes the producer stop at its next write.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/hub_internal.h"
#include "weerbaar/admin.h"

struct wb_hub_stream {
    int fd; /* the temporary file: the producer appends, the reader preads */
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint64_t written; /* bytes in the file (under lock) */
    bool done, failed, cancel;
    uint64_t pos; /* what the reader has had */
    char *db;
    wbi_hub_stream_run run;
    void *ctx;
    void (*free_ctx)(void *ctx);
    void (*log)(void *ud, const char *msg);
    void *log_ud;
};

static int file_write(void *ud, const char *p, size_t n)
{
    wb_hub_stream *s = ud;
    size_t left = n;
    while (left > 0) {
        ssize_t w = write(s->fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        left -= (size_t)w;
    }
    pthread_mutex_lock(&s->lock);
    s->written += n;
    bool stop = s->cancel;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    return stop ? -1 : 0;
}

static void *produce(void *arg)
{
    wb_hub_stream *s = arg;
    wb_error err = {0};
    wb_store *st = NULL;
    int rc = wb_admin_open(&st, s->db, &err);
    if (rc == 0) rc = s->run(s->ctx, st, file_write, s, &err);
    wb_admin_close(st);
    pthread_mutex_lock(&s->lock);
    bool cancelled = s->cancel;
    s->done = true;
    s->failed = rc != 0;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    /* A reader that left is not the producer's failure: nothing to log. */
    if (rc && !cancelled && s->log) s->log(s->log_ud, err.msg);
    return NULL;
}

/* An unlinked temporary file in $TMPDIR (else /tmp). */
static int temp_file(wb_error *err)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/weerbaar-stream-XXXXXX", dir && dir[0] ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        wb_error_set(err, WB_EIO, "%s: %s", path, strerror(errno));
        return -1;
    }
    unlink(path);
    return fd;
}

wb_hub_stream *wbi_hub_stream_start(const char *db, wbi_hub_stream_run run, void *ctx,
                                    void (*free_ctx)(void *ctx),
                                    void (*log)(void *ud, const char *msg), void *log_ud,
                                    wb_error *err)
{
    wb_hub_stream *s = calloc(1, sizeof *s);
    if (s == NULL || (s->db = strdup(db)) == NULL) {
        if (s) free(s);
        free_ctx(ctx);
        wb_error_set(err, WB_ENOMEM, "out of memory");
        return NULL;
    }
    s->fd = temp_file(err);
    if (s->fd < 0) {
        free(s->db);
        free(s);
        free_ctx(ctx);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    s->run = run;
    s->ctx = ctx;
    s->free_ctx = free_ctx;
    s->log = log;
    s->log_ud = log_ud;
    if (pthread_create(&s->thread, NULL, produce, s) != 0) {
        wb_error_set(err, WB_ENOMEM, "cannot start a thread for the response");
        wb_hub_stream_free(s);
        return NULL;
    }
    s->started = true;
    return s;
}

long wb_hub_stream_read(wb_hub_stream *s, char *buf, size_t cap)
{
    pthread_mutex_lock(&s->lock);
    while (s->pos == s->written && !s->done)
        pthread_cond_wait(&s->cond, &s->lock);
    uint64_t avail = s->written - s->pos;
    bool failed = s->failed;
    pthread_mutex_unlock(&s->lock);
    /* The end: a clean one only if the producer finished its work. */
    if (avail == 0) return failed ? -1 : 0;
    size_t want = avail < cap ? (size_t)avail : cap;
    for (;;) {
        ssize_t n = pread(s->fd, buf, want, (off_t)s->pos);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        s->pos += (uint64_t)n;
        return (long)n;
    }
}

void wb_hub_stream_free(wb_hub_stream *s)
{
    if (s == NULL) return;
    pthread_mutex_lock(&s->lock);
    s->cancel = true;
    pthread_mutex_unlock(&s->lock);
    if (s->started) pthread_join(s->thread, NULL);
    close(s->fd);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    s->free_ctx(s->ctx);
    free(s->db);
    free(s);
}
