/*
 * stream.c - response bodies produced while they are sent: the MISP feed's
 * manifest.json and hashes.csv, which grow with the whole database and so
 * must not be built in memory first.
 *
 * The producer is a thread with a store connection of its own (one from the
 * hub's pool could not be given back until the client has read everything,
 * and a slow client would starve the pool) writing into a pipe; the server
 * reads the pipe as the socket accepts bytes. The pipe's capacity is the
 * only buffer, so memory stays bounded and a slow reader slows the
 * producer. Closing the read end (a client that went away) makes the
 * producer's next write fail with EPIPE, and it stops; SIGPIPE is blocked
 * on that thread so that it is an error code, not a dead process.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/hub_internal.h"

struct wb_hub_stream {
    int rfd, wfd;
    pthread_t thread;
    bool started;
    atomic_int failed;
    char *db;
    wbi_stream_run run;
    void *ctx;
    void (*free_ctx)(void *ctx);
    void (*log)(void *ud, const char *msg);
    void *log_ud;
};

static int pipe_write(void *ud, const char *p, size_t n)
{
    wb_hub_stream *s = ud;
    while (n > 0) {
        ssize_t w = write(s->wfd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void *produce(void *arg)
{
    wb_hub_stream *s = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    wb_error err = {0};
    wb_store *st = NULL;
    int rc = wb_store_open(&st, s->db, &err);
    if (rc == 0) rc = s->run(s->ctx, st, pipe_write, s, &err);
    wb_store_close(st);
    /* A reader that left is not the producer's failure: nothing to log. */
    if (rc && strcmp(err.msg, "output closed") != 0 && s->log) s->log(s->log_ud, err.msg);
    if (rc) atomic_store(&s->failed, 1);
    close(s->wfd);
    s->wfd = -1;
    return NULL;
}

wb_hub_stream *wbi_stream_start(const char *db, wbi_stream_run run, void *ctx,
                                void (*free_ctx)(void *ctx), void (*log)(void *ud, const char *msg),
                                void *log_ud, wb_error *err)
{
    wb_hub_stream *s = calloc(1, sizeof *s);
    int fds[2];
    if (s == NULL || (s->db = strdup(db)) == NULL) {
        if (s) free(s);
        free_ctx(ctx);
        wb_error_set(err, WB_ENOMEM, "out of memory");
        return NULL;
    }
    if (pipe(fds) != 0) {
        free(s->db);
        free(s);
        free_ctx(ctx);
        wb_error_set(err, WB_EIO, "pipe: %s", strerror(errno));
        return NULL;
    }
    s->rfd = fds[0];
    s->wfd = fds[1];
    s->run = run;
    s->ctx = ctx;
    s->free_ctx = free_ctx;
    s->log = log;
    s->log_ud = log_ud;
    atomic_init(&s->failed, 0);
    if (pthread_create(&s->thread, NULL, produce, s) != 0) {
        wb_error_set(err, WB_ENOMEM, "cannot start a thread for the response");
        close(s->wfd);
        s->wfd = -1;
        wb_hub_stream_free(s);
        return NULL;
    }
    s->started = true;
    return s;
}

long wb_hub_stream_read(wb_hub_stream *s, char *buf, size_t cap)
{
    for (;;) {
        ssize_t n = read(s->rfd, buf, cap);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        /* The end: a clean one only if the producer finished its work. */
        if (n == 0) return atomic_load(&s->failed) ? -1 : 0;
        return (long)n;
    }
}

void wb_hub_stream_free(wb_hub_stream *s)
{
    if (s == NULL) return;
    close(s->rfd);
    if (s->started) pthread_join(s->thread, NULL);
    if (s->wfd >= 0) close(s->wfd);
    s->free_ctx(s->ctx);
    free(s->db);
    free(s);
}
