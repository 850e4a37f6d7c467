/*
 * ops_api.c - what an operator's monitoring reads: GET /healthz (is the
 * database reachable and its schema the one this build knows) and GET
 * /metrics (the Prometheus text exposition format, version 0.0.4: requests
 * by route and status, a latency histogram, the database's size on disk,
 * the change feed's sequence number).
 *
 * The counters are filled by the router (api.c calls wbi_hub_metrics_count once
 * per answered request) with relaxed atomic adds: no lock on the request
 * path, and a scrape that reads while requests are counted sees each counter
 * a moment apart, which Prometheus counters allow. Who may read /metrics is
 * the route table's business (api.c: loopback, or a site admin's key).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "hub/hub_internal.h"
#include "weerbaar/admin.h"

/* Statuses are counted exactly, 100 to 599; anything else as 0. */
#define STATUS_MIN 100
#define STATUS_SLOTS 501

/* Upper bounds of the latency buckets, microseconds (and as Prometheus
 * writes them, seconds). From a cached look-up (well under a millisecond)
 * to a large export (seconds). */
static const uint64_t bucket_us[] = {500,    1000,   2500,   5000,    10000,   25000,   50000,
                                     100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000};
static const char *const bucket_le[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01",
                                        "0.025",  "0.05",  "0.1",    "0.25",  "0.5",
                                        "1",      "2.5",   "5",      "10"};
#define NBUCKETS (sizeof bucket_us / sizeof bucket_us[0])
/* Distinct refusal codes counted; a further one is counted as "other". */
#define MAX_REFUSE_CODES 16

struct wbi_hub_metrics {
    size_t nroutes; /* routes of the table; slot nroutes counts "no route" */
    const char **method, **pattern;
    _Atomic uint64_t *count;               /* [(nroutes + 1) * STATUS_SLOTS] */
    _Atomic uint64_t bucket[NBUCKETS + 1]; /* not cumulative; the last is +Inf */
    _Atomic uint64_t usec_sum, total;
    int64_t started; /* Unix seconds */
    /* The gate's refusals by code: a few fixed codes, claimed slot by slot
     * (a code is a static string of gate.c or server.c, compared by text). */
    _Atomic(const char *) refused_code[MAX_REFUSE_CODES];
    _Atomic uint64_t refused[MAX_REFUSE_CODES];
};

int wbi_hub_metrics_new(wbi_hub_metrics **out, size_t nroutes)
{
    wbi_hub_metrics *m = calloc(1, sizeof *m);
    if (m == NULL) return WB_ENOMEM;
    m->nroutes = nroutes;
    m->method = calloc(nroutes + 1, sizeof *m->method);
    m->pattern = calloc(nroutes + 1, sizeof *m->pattern);
    m->count = calloc((nroutes + 1) * STATUS_SLOTS, sizeof *m->count);
    if (m->method == NULL || m->pattern == NULL || m->count == NULL) {
        wbi_hub_metrics_free(m);
        return WB_ENOMEM;
    }
    for (size_t i = 0; i < (nroutes + 1) * STATUS_SLOTS; i++)
        atomic_init(&m->count[i], 0);
    for (size_t i = 0; i <= NBUCKETS; i++)
        atomic_init(&m->bucket[i], 0);
    atomic_init(&m->usec_sum, 0);
    atomic_init(&m->total, 0);
    for (size_t i = 0; i < MAX_REFUSE_CODES; i++) {
        atomic_init(&m->refused_code[i], NULL);
        atomic_init(&m->refused[i], 0);
    }
    m->started = (int64_t)time(NULL);
    *out = m;
    return 0;
}

void wbi_hub_metrics_route(wbi_hub_metrics *m, size_t i, const char *method, const char *pattern)
{
    if (i >= m->nroutes) return;
    m->method[i] = method;
    m->pattern[i] = pattern;
}

void wbi_hub_metrics_free(wbi_hub_metrics *m)
{
    if (m == NULL) return;
    free(m->method);
    free(m->pattern);
    free(m->count);
    free(m);
}

uint64_t wbi_hub_metrics_clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void wbi_hub_metrics_count(wbi_hub_metrics *m, long route, unsigned status, uint64_t usec)
{
    if (m == NULL) return;
    size_t r = route >= 0 && (size_t)route < m->nroutes ? (size_t)route : m->nroutes;
    size_t s = status >= STATUS_MIN && status < STATUS_MIN + STATUS_SLOTS - 1
                   ? status - STATUS_MIN + 1
                   : 0;
    atomic_fetch_add_explicit(&m->count[r * STATUS_SLOTS + s], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < NBUCKETS && usec > bucket_us[b])
        b++;
    atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->usec_sum, usec, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->total, 1, memory_order_relaxed);
}

void wbi_hub_metrics_refused(wbi_hub_metrics *m, const char *code)
{
    if (m == NULL) return;
    if (code == NULL) code = "other";
    for (size_t i = 0; i < MAX_REFUSE_CODES; i++) {
        const char *c = atomic_load(&m->refused_code[i]);
        if (c == NULL) {
            const char *expected = NULL;
            /* Claim the free slot; if another thread took it, look at what
             * it put there. */
            if (!atomic_compare_exchange_strong(&m->refused_code[i], &expected, code))
                c = expected;
            else
                c = code;
        }
        if (strcmp(c, code) == 0 || (i == MAX_REFUSE_CODES - 1)) {
            atomic_fetch_add_explicit(&m->refused[i], 1, memory_order_relaxed);
            return;
        }
    }
}

/* A label value as the exposition format wants it: \, " and newline
 * escaped. Route patterns and methods are ours, but cheap to be exact. */
static int label(wb_buf *b, const char *s)
{
    int rc = 0;
    for (; rc == 0 && *s; s++) {
        if (*s == '\\' || *s == '"')
            rc = wb_buf_printf(b, "\\%c", *s);
        else if (*s == '\n')
            rc = wb_buf_printf(b, "\\n");
        else
            rc = wb_buf_printf(b, "%c", *s);
    }
    return rc;
}

static int refused_text(wbi_hub_metrics *m, wb_buf *b)
{
    int rc = wb_buf_printf(b, "# HELP weerbaar_gate_refused_total Connections the connection "
                              "gate answered and closed before a request reached the router, by "
                              "reason (the error code sent).\n"
                              "# TYPE weerbaar_gate_refused_total counter\n");
    for (size_t i = 0; rc == 0 && i < MAX_REFUSE_CODES; i++) {
        const char *c = atomic_load(&m->refused_code[i]);
        if (c == NULL) break;
        rc = wb_buf_printf(b, "weerbaar_gate_refused_total{reason=\"");
        if (rc == 0) rc = label(b, i == MAX_REFUSE_CODES - 1 ? "other" : c);
        if (rc == 0)
            rc = wb_buf_printf(
                b, "\"} %llu\n",
                (unsigned long long)atomic_load_explicit(&m->refused[i], memory_order_relaxed));
    }
    return rc;
}

static int64_t file_size(const char *path, const char *suffix)
{
    char p[4200];
    struct stat st;
    snprintf(p, sizeof p, "%s%s", path, suffix);
    return stat(p, &st) == 0 ? (int64_t)st.st_size : 0;
}

static int requests_text(const wbi_hub_metrics *m, wb_buf *b)
{
    int rc = wb_buf_printf(b, "# HELP weerbaar_http_requests_total HTTP requests answered by "
                              "the hub, by route and status.\n"
                              "# TYPE weerbaar_http_requests_total counter\n");
    for (size_t r = 0; rc == 0 && r <= m->nroutes; r++) {
        for (size_t s = 0; rc == 0 && s < STATUS_SLOTS; s++) {
            uint64_t n =
                atomic_load_explicit(&m->count[r * STATUS_SLOTS + s], memory_order_relaxed);
            if (n == 0) continue;
            const char *method = r < m->nroutes && m->method[r] ? m->method[r] : "";
            const char *pattern = r < m->nroutes && m->pattern[r] ? m->pattern[r] : "(none)";
            rc = wb_buf_printf(b, "weerbaar_http_requests_total{method=\"");
            if (rc == 0) rc = label(b, method);
            if (rc == 0) rc = wb_buf_printf(b, "\",route=\"");
            if (rc == 0) rc = label(b, pattern);
            if (rc == 0)
                rc = wb_buf_printf(b, "\",status=\"%u\"} %llu\n",
                                   s ? (unsigned)(s - 1 + STATUS_MIN) : 0u, (unsigned long long)n);
        }
    }
    return rc;
}

static int latency_text(wbi_hub_metrics *m, wb_buf *b)
{
    int rc = wb_buf_printf(b, "# HELP weerbaar_http_request_duration_seconds Time from a "
                              "request's complete head to its answer (for a streamed body, "
                              "to the start of the stream).\n"
                              "# TYPE weerbaar_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t i = 0; rc == 0 && i <= NBUCKETS; i++) {
        cum += atomic_load_explicit(&m->bucket[i], memory_order_relaxed);
        rc = wb_buf_printf(b, "weerbaar_http_request_duration_seconds_bucket{le=\"%s\"} %llu\n",
                           i < NBUCKETS ? bucket_le[i] : "+Inf", (unsigned long long)cum);
    }
    uint64_t sum = atomic_load_explicit(&m->usec_sum, memory_order_relaxed);
    /* the count is the +Inf bucket's, read above, so that the two agree */
    if (rc == 0)
        rc = wb_buf_printf(b,
                           "weerbaar_http_request_duration_seconds_sum %llu.%06llu\n"
                           "weerbaar_http_request_duration_seconds_count %llu\n",
                           (unsigned long long)(sum / 1000000u),
                           (unsigned long long)(sum % 1000000u), (unsigned long long)cum);
    return rc;
}

void wbi_hub_h_metrics(wbi_hub_req *r)
{
    wbi_hub_metrics *m = wbi_hub_metrics_of(r->hub);
    const char *db = wbi_hub_db_path(r->hub);
    int64_t seq = 0, in_db = 0;
    int known = 0;
    if (wb_admin_feed_seq(r->st, &seq, &r->err) != 0 ||
        wb_admin_schema_check(r->st, &in_db, &known, &r->err) != 0) {
        wbi_hub_reply_internal(r);
        return;
    }
    wb_buf *b = &r->resp->body;
    int rc = requests_text(m, b);
    if (rc == 0) rc = latency_text(m, b);
    if (rc == 0) rc = refused_text(m, b);
    if (rc == 0)
        rc = wb_buf_printf(
            b,
            "# HELP weerbaar_database_bytes Size of the hub's SQLite files on disk.\n"
            "# TYPE weerbaar_database_bytes gauge\n"
            "weerbaar_database_bytes{file=\"main\"} %lld\n"
            "weerbaar_database_bytes{file=\"wal\"} %lld\n"
            "# HELP weerbaar_feed_sequence The change feed's newest sequence number "
            "(GET /api/v1/events?after=); a follower's lag is this less its own last_seq.\n"
            "# TYPE weerbaar_feed_sequence gauge\n"
            "weerbaar_feed_sequence %lld\n"
            "# HELP weerbaar_schema_version The database's schema version.\n"
            "# TYPE weerbaar_schema_version gauge\n"
            "weerbaar_schema_version %lld\n"
            "# HELP weerbaar_start_time_seconds When the hub started, Unix seconds.\n"
            "# TYPE weerbaar_start_time_seconds gauge\n"
            "weerbaar_start_time_seconds %lld\n",
            (long long)file_size(db, ""), (long long)file_size(db, "-wal"), (long long)seq,
            (long long)in_db, (long long)m->started);
    if (rc != 0) {
        wb_buf_free(b);
        wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        wbi_hub_reply_internal(r);
        return;
    }
    r->resp->status = 200;
    r->resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

void wbi_hub_h_healthz(wbi_hub_req *r)
{
    int64_t in_db = 0;
    int known = 0;
    if (wb_admin_schema_check(r->st, &in_db, &known, &r->err) != 0) {
        wbi_hub_reply_json(
            r, 503, json_pack("{s:s,s:s}", "status", "unavailable", "database", "unreachable"));
        return;
    }
    if (in_db != known) {
        wbi_hub_reply_json(
            r, 503,
            json_pack("{s:s,s:s,s:I,s:i}", "status", "unavailable", "database",
                      in_db > known ? "migrated by a newer weerbaar" : "migrations missing",
                      "schema", (json_int_t)in_db, "schema_known", known));
        return;
    }
    wbi_hub_reply_json(r, 200,
                       json_pack("{s:s,s:s,s:I,s:s}", "status", "ok", "database", "reachable",
                                 "schema", (json_int_t)in_db, "version", WB_VERSION));
}
