/*
 * engine.c - runs log readers and the matcher over files, in parallel, and
 * reports sightings in input order.
 *
 * The main thread reads each file as blocks of whole lines and hands them to
 * a pool of workers; it collects finished blocks strictly in order, which is
 * what keeps the output order and the line numbers independent of -j: a
 * worker only knows lines relative to its block, and the collector adds the
 * count of lines before it.
 *
 * Stateful formats (Zeek's #fields header) make a block depend on the blocks
 * before it. The first block of such a file is scanned before any other is
 * dispatched, so later blocks start with its header. When a block changes
 * the state (a new header mid-file), blocks already in flight were scanned
 * with the old one: the collector notices the mismatch and scans them again.
 * Headers mid-file are rare, so this costs nothing in the common case.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "weerbaar/io.h"
#include "match/scan_internal.h"

typedef struct file_ctx {
    char *path;
    wb_input *in;
    const wb_logfmt *fmt;
    void **states; /* every state a block produced; freed with the file */
    size_t nstates;
    const void *cur_state;      /* in force at the next block to collect */
    const void *dispatch_state; /* best known state for blocks being read */
    uint64_t line_base;
    unsigned pending;
    unsigned bad_reported;
    bool eof;
    bool skip; /* the sighting callback asked for the next file */
} file_ctx;

typedef struct job {
    file_ctx *f;
    wb_block block;
    const void *state_in;
    void *state_out;
    wbi_scanner sc;
    int rc;
    bool done;
    struct job *next; /* work queue */
} job;

typedef struct engine {
    const wb_iocset *set;
    const wb_engine_opts *opts;
    const wb_engine_cb *cb;
    wb_engine_stats *stats;
    wb_error *err;
    unsigned threads;
    /* pool */
    pthread_t *workers;
    unsigned nworkers;
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    job *qhead, *qtail;
    bool quit;
    /* in-flight jobs in input order */
    job **ring;
    size_t ring_cap, ring_head, ring_len;
    job **free_jobs;
    size_t nfree;
    int fatal; /* a negative code that ends the run */
    bool stopped;
} engine;

/* ---- blocks ----------------------------------------------------------------- */

static void run_job(engine *e, job *j)
{
    wbi_scanner_reset(&j->sc);
    j->state_out = NULL;
    j->rc = j->f->fmt->scan(j->state_in, &j->state_out, &j->sc.scan, j->block.data, j->block.len,
                            &e->opts->logopts);
}

static void *worker_main(void *arg)
{
    engine *e = arg;
    pthread_mutex_lock(&e->mu);
    for (;;) {
        while (e->qhead == NULL && !e->quit)
            pthread_cond_wait(&e->work_cv, &e->mu);
        if (e->qhead == NULL && e->quit) break;
        job *j = e->qhead;
        e->qhead = j->next;
        if (e->qhead == NULL) e->qtail = NULL;
        pthread_mutex_unlock(&e->mu);
        run_job(e, j);
        pthread_mutex_lock(&e->mu);
        j->done = true;
        pthread_cond_broadcast(&e->done_cv);
    }
    pthread_mutex_unlock(&e->mu);
    return NULL;
}

static job *job_get(engine *e)
{
    if (e->nfree) return e->free_jobs[--e->nfree];
    job *j = calloc(1, sizeof *j);
    if (j) wbi_scanner_init(&j->sc, e->set);
    return j;
}

static void job_put(engine *e, job *j)
{
    e->free_jobs[e->nfree++] = j;
}

static void file_close(engine *e, file_ctx *f)
{
    if (e && e->cb->file_done && !e->opts->follow && f->fmt) e->cb->file_done(e->cb->ud, f->path);
    for (size_t i = 0; i < f->nstates; i++)
        f->fmt->state_free(f->states[i]);
    free(f->states);
    wb_input_close(f->in);
    free(f->path);
    free(f);
}

static int keep_state(file_ctx *f, void *st)
{
    void **ns = realloc(f->states, (f->nstates + 1) * sizeof *ns);
    if (ns == NULL) {
        f->fmt->state_free(st);
        return WB_ENOMEM;
    }
    f->states = ns;
    f->states[f->nstates++] = st;
    return 0;
}

/* Emits a finished block: sightings, malformed lines, counters. */
static int collect(engine *e, job *j)
{
    file_ctx *f = j->f;
    if (j->state_in != f->cur_state) {
        if (j->state_out) f->fmt->state_free(j->state_out);
        j->state_in = f->cur_state;
        run_job(e, j);
    }
    int rc = j->rc;
    if (rc == 0 && j->sc.oom) rc = WB_ENOMEM;
    if (rc) {
        if (j->state_out) f->fmt->state_free(j->state_out);
        wb_error_set(e->err, rc, "%s: %s while scanning", f->path, wb_strerror(rc));
        return rc;
    }
    wbi_scanner *sc = &j->sc;
    for (size_t i = 0; i < sc->nhits && !e->stopped && !f->skip; i++) {
        const wbi_match_hit *h = &sc->hits[i];
        wb_ioc ioc;
        wb_sighting s = {
            .ioc = wb_iocset_get(e->set, h->ioc, &ioc),
            .matched = sc->strings.data + h->matched,
            .field = sc->strings.data + h->field,
            .file = f->path,
            .line = f->line_base + h->line + 1,
            .ts = h->ts,
            .ioc_id = h->ioc,
        };
        for (unsigned k = 0; k < WB_CTX_COUNT; k++)
            s.ctx[k] = h->ctx[k] == WBI_NONE ? NULL : sc->strings.data + h->ctx[k];
        e->stats->sightings++;
        int r = e->cb->sighting ? e->cb->sighting(e->cb->ud, &s) : 0;
        if (r == WB_ENGINE_NEXT_FILE && !e->opts->follow)
            f->skip = true;
        else if (r != 0)
            e->stopped = true;
    }
    unsigned max_bad = e->opts->max_malformed_reports ? e->opts->max_malformed_reports : 10;
    for (size_t i = 0; i < sc->nbad && f->bad_reported < max_bad; i++, f->bad_reported++)
        if (e->cb->malformed)
            e->cb->malformed(e->cb->ud, f->path, f->line_base + sc->bad[i].line + 1,
                             sc->bad[i].reason);
    e->stats->malformed += sc->malformed;
    e->stats->lines += sc->scan.lines;
    e->stats->records += sc->scan.records;
    e->stats->bytes += j->block.len;
    f->line_base += sc->scan.lines;
    if (j->state_out) {
        rc = keep_state(f, j->state_out);
        if (rc) return wb_error_set(e->err, rc, "out of memory");
        f->cur_state = f->dispatch_state = j->state_out;
    }
    if (e->cb->progress) e->cb->progress(e->cb->ud, e->stats->bytes);
    return 0;
}

static void finish_job(engine *e, job *j)
{
    file_ctx *f = j->f;
    wb_block_free(&j->block);
    f->pending--;
    if (f->eof && f->pending == 0) {
        e->stats->bytes_in += wb_input_bytes_in(f->in);
        file_close(e, f);
    }
    job_put(e, j);
}

/* Waits for the oldest job in flight and collects it. */
static int collect_oldest(engine *e)
{
    job *j = e->ring[e->ring_head];
    if (e->nworkers) {
        pthread_mutex_lock(&e->mu);
        while (!j->done)
            pthread_cond_wait(&e->done_cv, &e->mu);
        pthread_mutex_unlock(&e->mu);
    }
    e->ring_head = (e->ring_head + 1) % e->ring_cap;
    e->ring_len--;
    int rc = e->fatal ? e->fatal : collect(e, j);
    finish_job(e, j);
    return rc;
}

static int submit(engine *e, file_ctx *f, wb_block *b, bool run_now)
{
    while (e->ring_len == e->ring_cap) {
        int rc = collect_oldest(e);
        if (rc) return rc;
    }
    job *j = job_get(e);
    if (j == NULL) {
        wb_block_free(b);
        return wb_error_set(e->err, WB_ENOMEM, "out of memory");
    }
    j->f = f;
    j->block = *b;
    j->state_in = f->dispatch_state;
    j->done = false;
    j->next = NULL;
    f->pending++;
    e->ring[(e->ring_head + e->ring_len) % e->ring_cap] = j;
    e->ring_len++;
    if (run_now || e->nworkers == 0) {
        run_job(e, j);
        j->done = true;
        /* A stateful format's first block: later blocks need its header. */
        if (j->state_out) f->dispatch_state = j->state_out;
        if (e->nworkers == 0) return collect_oldest(e);
        return 0;
    }
    pthread_mutex_lock(&e->mu);
    if (e->qtail)
        e->qtail->next = j;
    else
        e->qhead = j;
    e->qtail = j;
    pthread_cond_signal(&e->work_cv);
    pthread_mutex_unlock(&e->mu);
    return 0;
}

/* ---- files ------------------------------------------------------------------ */

typedef struct path_list {
    char **v;
    size_t n, cap;
} path_list;

static int path_push(path_list *l, const char *p)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **nv = realloc(l->v, cap * sizeof *nv);
        if (nv == NULL) return WB_ENOMEM;
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n] = strdup(p);
    if (l->v[l->n] == NULL) return WB_ENOMEM;
    l->n++;
    return 0;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Appends the regular files below dir, in name order, skipping hidden ones. */
static int expand_dir(engine *e, const char *dir, path_list *out, unsigned depth)
{
    if (depth > 32) return 0;
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, name_cmp);
    if (n < 0) {
        wb_error fe;
        wb_error_set(&fe, WB_EIO, "%s: %s", dir, strerror(errno));
        e->stats->file_errors++;
        if (e->cb->file_error) e->cb->file_error(e->cb->ud, &fe);
        return 0;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        if (rc == 0 && name[0] != '.') {
            size_t len = strlen(dir) + strlen(name) + 2;
            char *p = malloc(len);
            if (p == NULL) {
                rc = WB_ENOMEM;
            } else {
                snprintf(p, len, "%s%s%s", dir, wb_str_endswith(dir, "/") ? "" : "/", name);
                struct stat st;
                if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
                    rc = expand_dir(e, p, out, depth + 1);
                else if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
                    rc = path_push(out, p);
                free(p);
            }
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

static void report_file_error(engine *e, const wb_error *fe)
{
    e->stats->file_errors++;
    if (e->cb->file_error) e->cb->file_error(e->cb->ud, fe);
}

static const wb_logfmt *pick_format(engine *e, const wb_block *b)
{
    if (e->opts->format) return e->opts->format;
    size_t n = b->len < 65536 ? b->len : 65536;
    return wb_logfmt_detect(b->data, n);
}

static int run_file(engine *e, const char *path)
{
    wb_input_opts io = {.block_size = e->opts->block_size};
    wb_error fe;
    wb_error_clear(&fe);
    wb_input *in;
    if (wb_input_open(&in, path, &io, &fe) != 0) {
        report_file_error(e, &fe);
        return 0;
    }
    e->stats->files++;
    file_ctx *f = calloc(1, sizeof *f);
    if (f == NULL) {
        wb_input_close(in);
        return wb_error_set(e->err, WB_ENOMEM, "out of memory");
    }
    f->in = in;
    f->path = strdup(wb_input_path(in));
    if (f->path == NULL) {
        free(f);
        wb_input_close(in);
        return wb_error_set(e->err, WB_ENOMEM, "out of memory");
    }
    int rc = 0;
    bool first = true;
    while (!e->stopped && !f->skip && !(e->opts->stop && *e->opts->stop)) {
        wb_block b;
        int r = wb_input_next(in, &b, &fe);
        if (r < 0) {
            report_file_error(e, &fe);
            break;
        }
        if (r == 0) break;
        if (first) f->fmt = pick_format(e, &b);
        rc = submit(e, f, &b, first && f->fmt->state_free != NULL && e->nworkers > 0);
        first = false;
        if (rc) break;
    }
    f->eof = true;
    if (f->pending == 0) {
        e->stats->bytes_in += wb_input_bytes_in(f->in);
        if (f->fmt == NULL) f->fmt = wb_logfmts[0]; /* nothing read: no state to free */
        file_close(e, f);
    }
    return rc;
}

/* ---- follow ----------------------------------------------------------------- */

/* Matches with `set` from the next block on. Only called with nothing in
 * flight; the pooled jobs' scanners were made for the old set, so they go
 * and job_get makes new ones. */
static int swap_set(engine *e, const wb_iocset *set)
{
    if (set == NULL || set == e->set) return 0;
    if (e->ring_len != 0) return wb_error_set(e->err, WB_EINTERNAL, "set swapped mid-block");
    for (size_t i = 0; i < e->nfree; i++) {
        wbi_scanner_free(&e->free_jobs[i]->sc);
        free(e->free_jobs[i]);
    }
    e->nfree = 0;
    e->set = set;
    return 0;
}

static int follow_files(engine *e, path_list *paths)
{
    size_t n = paths->n;
    file_ctx **fs = calloc(n ? n : 1, sizeof *fs);
    if (fs == NULL) return wb_error_set(e->err, WB_ENOMEM, "out of memory");
    wb_input_opts io = {.block_size = e->opts->block_size, .follow = true};
    for (size_t i = 0; i < n; i++) {
        wb_error fe;
        wb_input *in;
        if (wb_input_open(&in, paths->v[i], &io, &fe) != 0) {
            report_file_error(e, &fe);
            continue;
        }
        fs[i] = calloc(1, sizeof **fs);
        if (fs[i] == NULL || (fs[i]->path = strdup(wb_input_path(in))) == NULL) {
            free(fs[i]);
            fs[i] = NULL;
            wb_input_close(in);
            continue;
        }
        fs[i]->in = in;
        e->stats->files++;
    }
    int rc = 0;
    while (rc == 0 && !e->stopped && !(e->opts->stop && *e->opts->stop)) {
        bool any = false;
        if (e->cb->refresh) rc = swap_set(e, e->cb->refresh(e->cb->ud));
        for (size_t i = 0; i < n && rc == 0; i++) {
            file_ctx *f = fs[i];
            if (f == NULL) continue;
            wb_block b;
            wb_error fe;
            int r = wb_input_next(f->in, &b, &fe);
            if (wb_input_reopened(f->in)) {
                f->line_base = 0;
                f->cur_state = f->dispatch_state = NULL;
            }
            if (r < 0) {
                report_file_error(e, &fe);
                continue;
            }
            if (r == 0) continue;
            any = true;
            if (f->fmt == NULL) f->fmt = pick_format(e, &b);
            f->eof = false;
            rc = submit(e, f, &b, true);
            while (rc == 0 && e->ring_len)
                rc = collect_oldest(e);
        }
        if (!any) {
            if (e->cb->flush) e->cb->flush(e->cb->ud);
            struct timespec ts = {0, 200 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (fs[i] == NULL) continue;
        if (fs[i]->fmt == NULL) fs[i]->fmt = wb_logfmts[0];
        e->stats->bytes_in += wb_input_bytes_in(fs[i]->in);
        file_close(NULL, fs[i]);
    }
    free(fs);
    return rc;
}

/* ---- run -------------------------------------------------------------------- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int wb_engine_run(const wb_iocset *set, const char *const *paths, size_t npaths,
                  const wb_engine_opts *opts, const wb_engine_cb *cb, wb_engine_stats *stats,
                  wb_error *err)
{
    memset(stats, 0, sizeof *stats);
    double t0 = now_seconds();
    engine e = {.set = set, .opts = opts, .cb = cb, .stats = stats, .err = err};
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    e.threads = opts->threads ? opts->threads : (unsigned)(cpus > 0 ? cpus : 1);
    if (e.threads > 256) e.threads = 256;
    if (opts->follow) e.threads = 1;
    e.nworkers = e.threads > 1 ? e.threads : 0;
    e.ring_cap = e.nworkers ? (size_t)e.nworkers * 2 + 2 : 1;
    e.ring = calloc(e.ring_cap, sizeof *e.ring);
    e.free_jobs = calloc(e.ring_cap + 1, sizeof *e.free_jobs);
    path_list files = {0};
    int rc = 0;
    if (e.ring == NULL || e.free_jobs == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < npaths; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") != 0 && stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
            rc = expand_dir(&e, paths[i], &files, 0);
        else
            rc = path_push(&files, paths[i]);
        if (rc) wb_error_set(err, rc, "out of memory");
    }
    if (rc == 0 && e.nworkers) {
        pthread_mutex_init(&e.mu, NULL);
        pthread_cond_init(&e.work_cv, NULL);
        pthread_cond_init(&e.done_cv, NULL);
        e.workers = calloc(e.nworkers, sizeof *e.workers);
        if (e.workers == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        for (unsigned i = 0; rc == 0 && i < e.nworkers; i++) {
            if (pthread_create(&e.workers[i], NULL, worker_main, &e) != 0) {
                e.nworkers = i;
                if (i == 0) {
                    e.ring_cap = 1; /* no thread: run inline */
                }
                break;
            }
        }
    }
    if (rc == 0) {
        if (opts->follow) {
            rc = follow_files(&e, &files);
        } else {
            for (size_t i = 0; rc == 0 && i < files.n && !e.stopped; i++) {
                if (opts->stop && *opts->stop) break;
                rc = run_file(&e, files.v[i]);
            }
        }
    }
    /* Drain: collect what is in flight (on error, only to free it). */
    while (e.ring_len) {
        if (rc) e.fatal = rc;
        int r = collect_oldest(&e);
        if (rc == 0) rc = r;
    }
    if (e.workers) {
        pthread_mutex_lock(&e.mu);
        e.quit = true;
        pthread_cond_broadcast(&e.work_cv);
        pthread_mutex_unlock(&e.mu);
        for (unsigned i = 0; i < e.nworkers; i++)
            pthread_join(e.workers[i], NULL);
        free(e.workers);
        pthread_mutex_destroy(&e.mu);
        pthread_cond_destroy(&e.work_cv);
        pthread_cond_destroy(&e.done_cv);
    }
    for (size_t i = 0; i < e.nfree; i++) {
        wbi_scanner_free(&e.free_jobs[i]->sc);
        free(e.free_jobs[i]);
    }
    free(e.free_jobs);
    free(e.ring);
    for (size_t i = 0; i < files.n; i++)
        free(files.v[i]);
    free(files.v);
    stats->seconds = now_seconds() - t0;
    if (rc) return rc;
    return stats->file_errors ? WB_EIO : 0;
}
