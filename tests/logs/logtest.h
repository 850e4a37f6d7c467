/*
 * logtest.h - a recording wb_scan for the log reader tests: every value,
 * ip_port and malformed call is kept with its field, value, kinds and
 * (file-relative) line, and the record's timestamp is parsed with the parser
 * the reader gave, so tests can assert exactly what a reader emits.
 *
 * rec_run() feeds a buffer to a reader in blocks of whole lines, threading
 * the reader's state from block to block as the matcher does.
 */
#ifndef WB_TESTS_LOGTEST_H
#define WB_TESTS_LOGTEST_H

/* Not every test file uses every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "logs/logs_internal.h"
#include "weerbaar/io.h"
#include "weerbaar/logs.h"

typedef struct ev {
    char type; /* 'v' value, 'p' ip_port, 'm' malformed, 'c' context (port = key) */
    uint64_t line;
    char *field; /* 'm': the reason */
    char *value;
    unsigned kinds, port;
    char *raw_ts; /* the record's timestamp text, or NULL */
    bool has_ts;  /* raw_ts parsed */
    wb_time ts;
} ev;

typedef struct rec {
    wb_scan s;
    ev *ev;
    size_t n, cap;
    uint64_t base;            /* line number of the current block's first line */
    uint64_t lines, records;  /* totals over all blocks */
    uint64_t states_returned; /* blocks that returned a new state */
} rec;

static char *rec_dup(const char *p, size_t n)
{
    char *d = malloc(n + 1);
    assert_non_null(d);
    memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

static ev *rec_push(rec *r, char type)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->ev = realloc(r->ev, r->cap * sizeof *r->ev);
        assert_non_null(r->ev);
    }
    ev *e = &r->ev[r->n++];
    memset(e, 0, sizeof *e);
    e->type = type;
    e->line = r->base + r->s.line;
    if (type != 'm' && r->s.ts) {
        e->raw_ts = rec_dup(r->s.ts, r->s.ts_len);
        assert_non_null(r->s.ts_parse);
        e->has_ts = r->s.ts_parse(r->s.ts, r->s.ts_len, &e->ts) == 0;
    }
    return e;
}

/* When set, the first value of each record also asks the reader for the
 * record's context, as the matcher does on a record's first hit. */
static bool rec_want_ctx;
static uint64_t rec_ctx_line = UINT64_MAX;

static void rec_value(wb_scan *s, const char *field, size_t flen, const char *v, size_t n,
                      unsigned kinds)
{
    rec *r = s->impl;
    assert_true(n > 0);
    if (rec_want_ctx && s->ctx_fn && rec_ctx_line != r->base + s->line) {
        rec_ctx_line = r->base + s->line;
        s->ctx_fn(s, s->ctx_rec);
    }
    ev *e = rec_push(r, 'v');
    e->field = rec_dup(field, flen);
    e->value = rec_dup(v, n);
    e->kinds = kinds;
}

static void rec_ip_port(wb_scan *s, const char *field, size_t flen, const char *ip, size_t n,
                        unsigned port)
{
    rec *r = s->impl;
    ev *e = rec_push(r, 'p');
    e->field = rec_dup(field, flen);
    e->value = rec_dup(ip, n);
    e->port = port;
}

static void rec_malformed(wb_scan *s, uint64_t line, const char *reason)
{
    rec *r = s->impl;
    ev *e = rec_push(r, 'm');
    e->line = r->base + line;
    e->field = rec_dup(reason, strlen(reason));
}

static void rec_context(wb_scan *s, wb_ctx_key key, const char *v, size_t n)
{
    rec *r = s->impl;
    static const char *const names[WB_CTX_COUNT] = {"uid",    "flow_id", "community_id", "orig_h",
                                                    "orig_p", "resp_h",  "resp_p",       "proto"};
    ev *e = rec_push(r, 'c');
    e->port = (unsigned)key;
    e->field = rec_dup(names[key], strlen(names[key]));
    e->value = rec_dup(v, n);
}

static const wb_scan_ops rec_ops = {rec_value, rec_ip_port, rec_malformed, rec_context};

static void rec_free(rec *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->ev[i].field);
        free(r->ev[i].value);
        free(r->ev[i].raw_ts);
    }
    free(r->ev);
    memset(r, 0, sizeof *r);
}

/* Scans buf with fmt in blocks of about block bytes (0: one block), each
 * ending at a newline. Checks the reader's line count of every block. */
static int rec_run(rec *r, const wb_logfmt *fmt, const char *buf, size_t len, size_t block,
                   const wb_logopts *opts)
{
    void *state = NULL;
    int rc = 0;
    size_t pos = 0;
    memset(r, 0, sizeof *r);
    if (!block) block = len ? len : 1;
    while (pos < len || (len == 0 && pos == 0)) {
        size_t end = pos + block < len ? pos + block : len;
        while (end < len && buf[end - 1] != '\n')
            end++;
        memset(&r->s, 0, sizeof r->s);
        r->s.ops = &rec_ops;
        r->s.impl = r;
        void *next = NULL;
        rc = fmt->scan(state, &next, &r->s, buf + pos, end - pos, opts);
        if (rc) break;
        assert_int_equal(r->s.lines, wbi_count_lines(buf + pos, end - pos));
        r->lines += r->s.lines;
        r->records += r->s.records;
        r->base += r->s.lines;
        if (next) {
            assert_non_null(fmt->state_free);
            r->states_returned++;
            fmt->state_free(state);
            state = next;
        }
        if (len == 0) break;
        pos = end;
    }
    if (fmt->state_free) fmt->state_free(state);
    return rc;
}

static int rec_run_str(rec *r, const char *name, const char *text, size_t block)
{
    const wb_logfmt *fmt = wb_logfmt_find(name);
    assert_non_null(fmt);
    return rec_run(r, fmt, text, strlen(text), block, NULL);
}

/* Reads a test file (fails the test when it cannot). */
static char *rec_load(const char *path, size_t *len)
{
    char *data = NULL;
    wb_error err = {0};
    int rc = wb_read_file(path, 64u << 20, &data, len, &err);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    return data;
}

static int rec_run_file(rec *r, const char *name, const char *path, size_t block)
{
    size_t len;
    char *data = rec_load(path, &len);
    const wb_logfmt *fmt = wb_logfmt_find(name);
    assert_non_null(fmt);
    int rc = rec_run(r, fmt, data, len, block, NULL);
    free(data);
    return rc;
}

/* The first event of type at line with this field and value (NULL: any). */
static const ev *rec_find(const rec *r, char type, uint64_t line, const char *field,
                          const char *value)
{
    for (size_t i = 0; i < r->n; i++) {
        const ev *e = &r->ev[i];
        if (e->type == type && e->line == line && (!field || strcmp(e->field, field) == 0) &&
            (!value || (e->value && strcmp(e->value, value) == 0)))
            return e;
    }
    return NULL;
}

static size_t rec_count(const rec *r, char type, const char *field)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++)
        k += r->ev[i].type == type && (!field || strcmp(r->ev[i].field, field) == 0);
    return k;
}

static size_t rec_count_line(const rec *r, uint64_t line)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++)
        k += r->ev[i].line == line;
    return k;
}

/* The context item `name` of the record on line, or NULL. */
static const char *rec_ctx(const rec *r, uint64_t line, const char *name)
{
    const ev *e = rec_find(r, 'c', line, name, NULL);
    return e ? e->value : NULL;
}

static void rec_dump(const rec *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const ev *e = &r->ev[i];
        fprintf(stderr, "%c %llu %s=%s kinds=%u port=%u ts=%s\n", e->type,
                (unsigned long long)e->line, e->field, e->value ? e->value : "", e->kinds, e->port,
                e->raw_ts ? e->raw_ts : "-");
    }
}

/* Asserts a value event and returns it. */
#define EXPECT_VALUE(r, line, field, value, kinds_)                                                \
    do {                                                                                           \
        const ev *e_ = rec_find((r), 'v', (line), (field), (value));                               \
        if (!e_) {                                                                                 \
            rec_dump(r);                                                                           \
            fail_msg("no value %s=%s on line %llu", (field), (value), (unsigned long long)(line)); \
        }                                                                                          \
        assert_int_equal(e_->kinds, (kinds_));                                                     \
    } while (0)

#define EXPECT_PORT(r, line, field, value, port_)                                                  \
    do {                                                                                           \
        const ev *e_ = rec_find((r), 'p', (line), (field), (value));                               \
        if (!e_) {                                                                                 \
            rec_dump(r);                                                                           \
            fail_msg("no ip_port %s=%s on line %llu", (field), (value),                            \
                     (unsigned long long)(line));                                                  \
        }                                                                                          \
        assert_int_equal(e_->port, (port_));                                                       \
    } while (0)

#define EXPECT_NO_VALUE(r, line, field, value)                                                     \
    assert_null(rec_find((r), 'v', (line), (field), (value)))

#define EXPECT_MALFORMED(r, line, reason)                                                          \
    do {                                                                                           \
        const ev *e_ = rec_find((r), 'm', (line), NULL, NULL);                                     \
        if (!e_) {                                                                                 \
            rec_dump(r);                                                                           \
            fail_msg("line %llu not malformed", (unsigned long long)(line));                       \
        }                                                                                          \
        assert_string_equal(e_->field, (reason));                                                  \
    } while (0)

/* Microseconds since the epoch of an RFC 3339 literal. */
static wb_time T(const char *iso)
{
    wb_time t;
    assert_int_equal(wb_time_parse(iso, strlen(iso), &t), 0);
    return t;
}

#endif
