/*
 * state.c - the read-position file of `weerbaar match --state`
 * (matchstate.h): parse, look up, update and save atomically.
 *
 * Records are few (one per log file a sensor reads), so they sit in an
 * array searched linearly; a state is read once at start and written at
 * most once per report or idle moment.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "weerbaar/core.h"
#include "weerbaar/io.h"
#include "weerbaar/matchstate.h"

#define MAGIC "weerbaar-match-state 1"
/* A state file is small; a larger one is not ours. */
#define MAX_STATE_BYTES ((size_t)256 << 20)

struct wb_mstate {
    wb_mstate_file *files;
    size_t n, cap;
    char *pending;
};

int wb_mstate_new(wb_mstate **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : WB_ENOMEM;
}

void wb_mstate_free(wb_mstate *st)
{
    if (st == NULL) return;
    for (size_t i = 0; i < st->n; i++)
        free((char *)st->files[i].path);
    free(st->files);
    free(st->pending);
    free(st);
}

const wb_mstate_file *wb_mstate_find(const wb_mstate *st, uint64_t dev, uint64_t ino)
{
    for (size_t i = 0; i < st->n; i++)
        if (st->files[i].dev == dev && st->files[i].ino == ino) return &st->files[i];
    return NULL;
}

size_t wb_mstate_count(const wb_mstate *st)
{
    return st->n;
}

const wb_mstate_file *wb_mstate_at(const wb_mstate *st, size_t i)
{
    return i < st->n ? &st->files[i] : NULL;
}

/* Drops the least recently seen record to make room. */
static void evict_oldest(wb_mstate *st)
{
    size_t old = 0;
    for (size_t i = 1; i < st->n; i++)
        if (st->files[i].seen < st->files[old].seen) old = i;
    free((char *)st->files[old].path);
    st->files[old] = st->files[--st->n];
}

int wb_mstate_put(wb_mstate *st, const wb_mstate_file *f)
{
    char *p = strdup(f->path ? f->path : "");
    if (p == NULL) return WB_ENOMEM;
    for (size_t i = 0; i < st->n; i++) {
        if (st->files[i].dev == f->dev && st->files[i].ino == f->ino) {
            free((char *)st->files[i].path);
            st->files[i] = *f;
            st->files[i].path = p;
            return 0;
        }
    }
    if (st->n >= WB_MSTATE_MAX_FILES) evict_oldest(st);
    if (st->n == st->cap) {
        size_t nc = st->cap ? st->cap * 2 : 16;
        wb_mstate_file *nf = realloc(st->files, nc * sizeof *nf);
        if (nf == NULL) {
            free(p);
            return WB_ENOMEM;
        }
        st->files = nf;
        st->cap = nc;
    }
    st->files[st->n] = *f;
    st->files[st->n++].path = p;
    return 0;
}

const char *wb_mstate_pending(const wb_mstate *st)
{
    return st->pending;
}

int wb_mstate_set_pending(wb_mstate *st, const char *json)
{
    char *c = NULL;
    if (json && (c = strdup(json)) == NULL) return WB_ENOMEM;
    free(st->pending);
    st->pending = c;
    return 0;
}

/* ---- parsing ------------------------------------------------------------------------ */

static int bad(wb_error *err, const char *name, size_t line, const char *what)
{
    return wb_error_set(err, WB_EFORMAT, "%s:%zu: %s", name, line, what);
}

/* One unsigned decimal field ending at a space; advances *p past it. */
static bool field_u64(const char **p, const char *end, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    if (s >= end || *s < '0' || *s > '9') return false;
    for (; s < end && *s >= '0' && *s <= '9'; s++) {
        if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10) return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (s >= end || *s != ' ') return false;
    *p = s + 1;
    *out = v;
    return true;
}

static int parse_file_line(wb_mstate *st, const char *name, size_t line, const char *p,
                           const char *end, wb_error *err)
{
    uint64_t v[6];
    for (int i = 0; i < 6; i++)
        if (!field_u64(&p, end, &v[i])) return bad(err, name, line, "expected six numbers");
    if (v[3] > WB_MSTATE_FP_MAX) return bad(err, name, line, "fingerprint length out of range");
    if (v[5] > (uint64_t)INT64_MAX) return bad(err, name, line, "time out of range");
    json_error_t je;
    json_t *js = json_loadb(p, (size_t)(end - p), JSON_DECODE_ANY, &je);
    if (!json_is_string(js) || strlen(json_string_value(js)) != json_string_length(js)) {
        json_decref(js);
        return bad(err, name, line, "expected the path as a JSON string");
    }
    wb_mstate_file f = {.dev = v[0],
                        .ino = v[1],
                        .offset = v[2],
                        .fp_len = (uint32_t)v[3],
                        .fp = v[4],
                        .seen = (int64_t)v[5],
                        .path = json_string_value(js)};
    int rc = wb_mstate_put(st, &f);
    json_decref(js);
    return rc ? wb_error_set(err, rc, "out of memory") : 0;
}

int wb_mstate_parse(wb_mstate **out, const char *name, const char *data, size_t len, wb_error *err)
{
    *out = NULL;
    wb_mstate *st;
    if (wb_mstate_new(&st) != 0) return wb_error_set(err, WB_ENOMEM, "out of memory");
    int rc = 0;
    size_t line = 0;
    const char *p = data, *end = data + len;
    while (rc == 0 && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        size_t n = (size_t)(le - p);
        if (line == 1) {
            if (n != strlen(MAGIC) || memcmp(p, MAGIC, n) != 0)
                rc = bad(err, name, line, "not a weerbaar match state file");
        } else if (n > 5 && memcmp(p, "file ", 5) == 0) {
            rc = parse_file_line(st, name, line, p + 5, le, err);
        } else if (n > 8 && memcmp(p, "pending ", 8) == 0) {
            json_error_t je;
            json_t *a = json_loadb(p + 8, n - 8, 0, &je);
            if (!json_is_array(a))
                rc = bad(err, name, line, "pending: expected a JSON array");
            else {
                char *text = json_dumps(a, JSON_COMPACT);
                rc = text ? wb_mstate_set_pending(st, text) : WB_ENOMEM;
                free(text);
                if (rc) rc = wb_error_set(err, rc, "out of memory");
            }
            json_decref(a);
        } else if (n != 0) {
            rc = bad(err, name, line, "unknown record");
        }
        p = nl ? nl + 1 : end;
    }
    if (rc == 0 && line == 0) rc = bad(err, name, 1, "empty state file");
    if (rc) {
        wb_mstate_free(st);
        return rc;
    }
    *out = st;
    return 0;
}

int wb_mstate_load(wb_mstate **out, const char *path, wb_error *err)
{
    *out = NULL;
    char *data = NULL;
    size_t len = 0;
    int rc = wb_read_file(path, MAX_STATE_BYTES, &data, &len, err);
    if (rc == WB_ENOTFOUND) {
        wb_error_clear(err);
        return wb_mstate_new(out) ? wb_error_set(err, WB_ENOMEM, "out of memory") : 0;
    }
    if (rc) return rc;
    rc = wb_mstate_parse(out, path, data, len, err);
    free(data);
    return rc;
}

/* ---- saving ------------------------------------------------------------------------- */

int wb_mstate_save(const wb_mstate *st, const char *path, wb_error *err)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 16), *dir = strdup(path);
    if (tmp == NULL || dir == NULL) {
        free(tmp);
        free(dir);
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    snprintf(tmp, n + 16, "%s.tmp", path);
    int rc = 0;
    FILE *f = fopen(tmp, "w");
    if (f == NULL) rc = wb_error_set(err, WB_EIO, "%s: %s", tmp, strerror(errno));
    if (rc == 0) fprintf(f, "%s\n", MAGIC);
    for (size_t i = 0; rc == 0 && i < st->n; i++) {
        const wb_mstate_file *r = &st->files[i];
        json_t *js = json_string(r->path);
        char *pj = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
        json_decref(js);
        /* json_string() of a path that is not UTF-8 is NULL: keep the
         * record without a readable name. */
        fprintf(f, "file %llu %llu %llu %u %llu %lld %s\n", (unsigned long long)r->dev,
                (unsigned long long)r->ino, (unsigned long long)r->offset, r->fp_len,
                (unsigned long long)r->fp, (long long)r->seen, pj ? pj : "\"\"");
        free(pj);
    }
    if (rc == 0 && st->pending) fprintf(f, "pending %s\n", st->pending);
    if (f) {
        if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
            rc = wb_error_set(err, WB_EIO, "%s: %s", tmp, strerror(errno));
        if (fclose(f) != 0 && rc == 0)
            rc = wb_error_set(err, WB_EIO, "%s: %s", tmp, strerror(errno));
    }
    if (rc == 0 && rename(tmp, path) != 0)
        rc = wb_error_set(err, WB_EIO, "%s: %s", path, strerror(errno));
    if (rc == 0) {
        /* The rename survives a crash only once the directory is synced. */
        int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    } else if (f) {
        unlink(tmp);
    }
    free(tmp);
    free(dir);
    return rc;
}
