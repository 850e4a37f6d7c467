/*
 * server.c - the hub on the network: libmicrohttpd with a thread pool,
 * keep-alive and optional TLS, behind the hub's connection gate (gate.c,
 * which accepts connections, keeps the connection limits and header
 * deadlines and checks each connection's first request head), handing each
 * complete request to wb_hub_handle. Streamed answers (the MISP feed's
 * manifest and hashes) go out chunked from the response's stream.
 *
 * Request bodies: the route, the key and its role are checked on the
 * headers (wb_hub_admit) before a byte of the body is read, so a refusal
 * (401, 403, 404, 413, also to "Expect: 100-continue") costs no memory.
 * An admitted body is kept in memory up to 1 MiB and in an unlinked
 * temporary file beyond, and all bodies in flight together have a budget
 * in memory and one on disk; a body that does not fit is answered 503
 * before it is read. The first callback of every request (also the later
 * ones on a kept-alive connection, whose heads only libmicrohttpd reads)
 * refuses ambiguous framing, chunked bodies and NUL bytes.
 *
 * Per-request state lives in MHD's connection_cls (made by the URI log
 * callback, freed in NOTIFY_COMPLETED whatever way the request ended).
 * Shutdown stops accepting first, then waits for requests in flight before
 * stopping the workers. docs/hub.md ("Limits") lists every limit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "hub/gate.h"
#include "hub/hub_internal.h"
#include "weerbaar/io.h"

#define MAX_ARGS 32
#define MAX_PEM ((size_t)1 << 20)
#define DRAIN_SECONDS 10
/* Bodies: in memory up to this each, in a temporary file beyond. */
#define BODY_IN_MEMORY ((size_t)1 << 20)
#define BODY_MEMORY_BUDGET ((size_t)64 << 20)
/* Bodies being received at once from one client address: an eighth of
 * the connections it may have, at least 8. A member that uploads slowly on
 * many connections holds that many reservations, not the whole budget. */
#define MIN_BODIES_PER_ADDRESS 8u

typedef struct server {
    wb_hub *hub;
    wbi_hub_gate *gate;
    bool tls; /* the session cookie is Secure */
    size_t max_body, disk_budget;
    wbi_hub_addrcount bodies_by_addr;
    unsigned bodies_per_addr;
    atomic_int inflight;
    atomic_size_t body_mem, body_disk;
    /* the access log: lines are written whole under the lock, and the file
     * is reopened (SIGHUP, log rotation) by the serving loop under it */
    FILE *alog;
    const char *alog_path;
    pthread_mutex_t alog_lock;
} server;

typedef struct conn_state {
    server *srv;
    int fd;        /* the connection's socket, for the gate */
    bool checked;  /* the first call (head complete) happened */
    bool nul;      /* %00 in the request target */
    bool admitted; /* the body is being read */
    wb_buf body;   /* in memory */
    int body_fd;   /* or in a temporary file (-1 when not) */
    size_t body_len, reserved_mem, reserved_disk;
    bool addr_counted; /* in bodies_by_addr */
    wbi_hub_addr addr;
    void *map;
    char peer[INET6_ADDRSTRLEN];
    /* for the access log */
    uint64_t t0;     /* the request line's arrival, microseconds (monotonic) */
    unsigned status; /* what was queued; 0 when nothing was */
    uint64_t bytes;  /* body bytes sent (a stream's counted as it is read) */
    int64_t key_id;  /* 0 for none */
    char method[16];
    wb_buf target; /* path and query, escaped, secrets hidden */
} conn_state;

typedef struct arg_list {
    wb_hub_arg args[MAX_ARGS];
    size_t n;
    bool overflow, nul;
} arg_list;

static void peer_text(const struct sockaddr *sa, char *out, size_t cap)
{
    out[0] = '\0';
    if (sa == NULL) return;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)cap);
}

/* ---- answers ------------------------------------------------------------------------ */

/* On every answer, JSON or page (docs/web.md): the page runs only the
 * hub's own scripts and styles (no inline script, no eval), in no frame,
 * and sends no Referer anywhere. */
#define CSP                                                                                        \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"               \
    " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none';"                    \
    " form-action 'self'; frame-ancestors 'none'"

static void security_headers(struct MHD_Response *r, const wb_hub_response *resp)
{
    char csp[sizeof CSP + 80];
    if (resp && resp->style_hash[0]) {
        /* The same policy, but this answer's one <style> element (known by
         * its hash) may apply: the board report's self-contained page. */
        snprintf(csp, sizeof csp,
                 "default-src 'self'; script-src 'self'; style-src 'self' 'sha256-%.47s'; "
                 "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
                 "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
                 resp->style_hash);
        MHD_add_response_header(r, "Content-Security-Policy", csp);
    } else {
        MHD_add_response_header(r, "Content-Security-Policy", CSP);
    }
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

/* The headers a handler asked for beside its body (hub.h). */
static void extra_headers(struct MHD_Response *r, const wb_hub_response *resp)
{
    if (resp == NULL) return;
    if (resp->set_cookie[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, resp->set_cookie);
    if (resp->etag[0]) MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, resp->etag);
}

static enum MHD_Result send_json(conn_state *st, struct MHD_Connection *c, unsigned status,
                                 const char *body, size_t len, unsigned retry_after,
                                 const char *type, bool close, const wb_hub_response *resp)
{
    st->status = status;
    st->bytes = len;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type ? type : "application/json");
    security_headers(r, resp);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                            resp && resp->cache_control ? resp->cache_control : "no-store");
    extra_headers(r, resp);
    if (close) MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    if (retry_after) {
        char ra[16];
        snprintf(ra, sizeof ra, "%u", retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* An error that also ends the connection: what follows on it (a body not
 * read, a stranger's next try) is not worth a connection slot. */
static enum MHD_Result send_error(conn_state *st, struct MHD_Connection *c, unsigned status,
                                  const char *code, const char *msg, unsigned retry)
{
    char *body = wbi_hub_error_json(code, msg);
    if (body == NULL) return MHD_NO;
    enum MHD_Result ret = send_json(st, c, status, body, strlen(body), retry, NULL, true, NULL);
    free(body);
    return ret;
}

/* A streamed body and where its bytes are counted: the request's state,
 * which libmicrohttpd frees (NOTIFY_COMPLETED) only after its last read. */
typedef struct stream_ctx {
    wb_hub_stream *s;
    conn_state *st;
} stream_ctx;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream_ctx *x = cls;
    (void)pos;
    long n = wb_hub_stream_read(x->s, buf, max);
    if (n < 0) return MHD_CONTENT_READER_END_WITH_ERROR;
    if (n == 0) return MHD_CONTENT_READER_END_OF_STREAM;
    x->st->bytes += (uint64_t)n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    stream_ctx *x = cls;
    wb_hub_stream_free(x->s);
    free(x);
}

/* A body produced while it is sent: chunked, read from the stream as the
 * socket takes it. The response owns the stream from here on. */
static enum MHD_Result send_stream(conn_state *st, struct MHD_Connection *c, wb_hub_response *resp)
{
    stream_ctx *x = malloc(sizeof *x);
    if (x == NULL) return MHD_NO; /* resp still owns the stream */
    x->s = resp->stream;
    x->st = st;
    resp->stream = NULL;
    st->status = resp->status;
    st->bytes = 0;
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read, x, stream_free);
    if (r == NULL) {
        stream_free(x);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            resp->content_type ? resp->content_type : "application/json");
    security_headers(r, resp);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(c, resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_response(conn_state *st, struct MHD_Connection *c,
                                     wb_hub_response *resp)
{
    st->key_id = resp->key_id;
    if (resp->stream) return send_stream(st, c, resp);
    /* A failed key ends the connection: a stranger's junk key must not
     * hold one of the connections kept for keyed clients. */
    /* A 304 has no body; others without one get "{}". */
    bool empty = resp->status == 304 || resp->body.data == NULL;
    return send_json(st, c, resp->status, empty ? "" : resp->body.data,
                     empty ? (resp->status == 304 ? 0 : 2) : resp->body.len, resp->retry_after,
                     resp->content_type, resp->status == 401, resp);
}

/* ---- connections ------------------------------------------------------------------------ */

static int fd_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    return ci ? ci->connect_fd : -1;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    server *srv = cls;
    (void)socket_context;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) wbi_hub_gate_closed(srv->gate, fd_of(c));
}

/* ---- requests inside libmicrohttpd --------------------------------------------------- */

static bool has_nul_escape(const char *s)
{
    for (; *s; s++)
        if (s[0] == '%' && s[1] == '0' && s[2] == '0') return true;
    return false;
}

/* Called with each request line, before the head is complete: the start
 * of the request's per-request state, and of its header deadline. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    server *srv = cls;
    conn_state *st = calloc(1, sizeof *st);
    if (st == NULL) return NULL;
    st->srv = srv;
    st->body_fd = -1;
    st->nul = has_nul_escape(uri);
    st->fd = fd_of(c);
    st->t0 = wbi_hub_metrics_clock_us();
    wbi_hub_gate_request_line(srv->gate, st->fd);
    return st;
}

static void body_release(conn_state *st)
{
    server *srv = st->srv;
    wb_buf_free(&st->body);
    if (st->map) munmap(st->map, st->body_len);
    st->map = NULL;
    if (st->body_fd >= 0) close(st->body_fd);
    st->body_fd = -1;
    if (st->reserved_mem) atomic_fetch_sub(&srv->body_mem, st->reserved_mem);
    if (st->reserved_disk) atomic_fetch_sub(&srv->body_disk, st->reserved_disk);
    st->reserved_mem = st->reserved_disk = 0;
    if (st->addr_counted) wbi_hub_addrcount_give(&srv->bodies_by_addr, &st->addr);
    st->addr_counted = false;
}

/* ---- the access log --------------------------------------------------------------------- */

/* Bytes outside printable ASCII, space, '"' and '\\' as \xHH: a request
 * cannot write a line of its own into the log. */
static void put_escaped(wb_buf *b, const char *s, size_t max)
{
    for (size_t i = 0; s[i] && b->len < max; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')
            wb_buf_printf(b, "\\x%02x", ch);
        else
            wb_buf_printf(b, "%c", ch);
    }
}

/* Query arguments whose value is a secret: logged as "-". */
static bool secret_arg(const char *k)
{
    static const char *const words[] = {"key", "token", "secret", "pass", "auth", "sig"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcasestr(k, words[i])) return true;
    return false;
}

/* The logged request target: the path, and the query rebuilt from the
 * arguments with secret values hidden; at most about 2 KiB. */
static void target_set(conn_state *st, const char *url, const char *method, const arg_list *args)
{
    enum { MAX_TARGET = 2048 };
    snprintf(st->method, sizeof st->method, "%s", method ? method : "-");
    put_escaped(&st->target, url ? url : "", MAX_TARGET);
    for (size_t i = 0; i < args->n; i++) {
        wb_buf_printf(&st->target, "%c", i ? '&' : '?');
        put_escaped(&st->target, args->args[i].key, MAX_TARGET);
        if (args->args[i].value == NULL) continue;
        wb_buf_printf(&st->target, "=");
        if (secret_arg(args->args[i].key))
            wb_buf_printf(&st->target, "-");
        else
            put_escaped(&st->target, args->args[i].value, MAX_TARGET);
    }
}

/* One line: time remote key method target status bytes microseconds. */
static void access_line(server *srv, conn_state *st)
{
    char when[40];
    wb_time_format(wb_time_now(), when, sizeof when);
    char key[24] = "-";
    if (st->key_id > 0) snprintf(key, sizeof key, "%lld", (long long)st->key_id);
    uint64_t us = wbi_hub_metrics_clock_us() - st->t0;
    pthread_mutex_lock(&srv->alog_lock);
    if (srv->alog) {
        fprintf(srv->alog, "%s %s %s %s %s %u %llu %llu\n", when, st->peer[0] ? st->peer : "-", key,
                st->method[0] ? st->method : "-", st->target.data ? st->target.data : "-",
                st->status, (unsigned long long)st->bytes, (unsigned long long)us);
        fflush(srv->alog);
    }
    pthread_mutex_unlock(&srv->alog_lock);
}

/* SIGHUP: the file under the same name again (logrotate moved the old one). */
static void access_reopen(server *srv)
{
    FILE *f = fopen(srv->alog_path, "ae");
    pthread_mutex_lock(&srv->alog_lock);
    if (f) {
        if (srv->alog) fclose(srv->alog);
        srv->alog = f;
    }
    pthread_mutex_unlock(&srv->alog_lock);
    if (f == NULL)
        fprintf(stderr,
                "weerbaar serve: %s: cannot reopen the access log, still writing the old one\n",
                srv->alog_path);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    server *srv = cls;
    (void)c;
    (void)toe;
    conn_state *st = *con_cls;
    if (st == NULL) return;
    wbi_hub_gate_request_done(srv->gate, st->fd);
    if (srv->alog && st->checked) access_line(srv, st);
    wb_buf_free(&st->target);
    body_release(st);
    if (st->checked) atomic_fetch_sub(&srv->inflight, 1);
    free(st);
    *con_cls = NULL;
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    arg_list *l = cls;
    (void)kind;
    if (strlen(key) != key_size || (value && strlen(value) != value_size)) {
        l->nul = true;
        return MHD_NO;
    }
    if (l->n == MAX_ARGS) {
        l->overflow = true;
        return MHD_NO;
    }
    l->args[l->n++] = (wb_hub_arg){key, value};
    return MHD_YES;
}

typedef struct head_scan {
    unsigned nlength;
    const char *length; /* the first Content-Length */
    bool lengths_differ, te, nul, auth;
    const char *prev_end; /* where the previous header's value ended */
} head_scan;

/* Whether a header value ending at end (its terminating NUL) really ended
 * there, given where the next header starts (NULL for the last one, whose
 * check is weaker: a NUL just before its line end passes).
 * libmicrohttpd 0.9.75 keeps header values as C strings in its read buffer
 * and measures them with strlen, so "Bearer KEY\0junk" would reach the hub
 * as "Bearer KEY": a value that ended early is followed by the rest of its
 * line, not by the line's end ("\r" and "\n" turned into "\0" or left as
 * "\n") and the next line. The gate refuses such bytes in the first
 * request of a connection; this catches them in the requests that follow
 * on a kept-alive one, which only libmicrohttpd reads. It reads the
 * library's buffer layout, so tests/cli/hub_limits.sh holds it. */
static bool value_ended(const char *end, const char *next_key)
{
    bool eol = end[1] == '\0' || end[1] == '\n'; /* "\r\n": the "\n" or its "\0" follows */
    if (next_key) return next_key == end + 1 || (eol && next_key == end + 2);
    return eol;
}

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    head_scan *h = cls;
    (void)kind;
    (void)key_size;
    if (value && strlen(value) != value_size) h->nul = true;
    if (h->prev_end && !value_ended(h->prev_end, key)) h->nul = true;
    h->prev_end = value ? value + value_size : NULL;
    if (strcasecmp(key, "Content-Length") == 0) {
        if (h->nlength++ && strcmp(h->length, value ? value : "") != 0) h->lengths_differ = true;
        if (h->nlength == 1) h->length = value ? value : "";
    } else if (strcasecmp(key, "Transfer-Encoding") == 0) {
        h->te = true;
    } else if (strcasecmp(key, "Authorization") == 0) {
        h->auth = true;
    }
    return MHD_YES;
}

/* An unlinked temporary file for a large body. */
static int body_file(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/weerbaar-body-XXXXXX", dir && dir[0] ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd >= 0) unlink(path);
    return fd;
}

/* Reserves room for a body of len bytes: memory or disk. */
static bool body_reserve(server *srv, conn_state *st, size_t len)
{
    if (len <= BODY_IN_MEMORY) {
        if (atomic_fetch_add(&srv->body_mem, len) + len > BODY_MEMORY_BUDGET) {
            atomic_fetch_sub(&srv->body_mem, len);
            return false;
        }
        st->reserved_mem = len;
        return wb_buf_reserve(&st->body, len) == 0;
    }
    if (atomic_fetch_add(&srv->body_disk, len) + len > srv->disk_budget) {
        atomic_fetch_sub(&srv->body_disk, len);
        return false;
    }
    st->reserved_disk = len;
    st->body_fd = body_file();
    return st->body_fd >= 0;
}

/* The headers the web page's requests carry (hub.h). */
static void web_headers(server *srv, struct MHD_Connection *c, wb_hub_request *req)
{
    req->cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie");
    req->csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
    req->accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
    req->if_none_match = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    req->content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    req->tls = srv->tls;
}

static enum MHD_Result answer(server *srv, struct MHD_Connection *c, const char *url,
                              const char *method, conn_state *st, const arg_list *args)
{
    const char *body = st->body.data;
    if (st->body_fd >= 0 && st->body_len > 0) {
        st->map = mmap(NULL, st->body_len, PROT_READ, MAP_PRIVATE, st->body_fd, 0);
        if (st->map == MAP_FAILED) {
            st->map = NULL;
            return send_error(st, c, 500, "internal", "internal error (the body could not be read)",
                              0);
        }
        body = st->map;
    }
    wb_hub_request req = {
        .method = method,
        .path = url,
        .args = args->args,
        .nargs = args->n,
        .authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
        .body = body,
        .body_len = st->body_len,
        .peer = st->peer,
        .admitted = st->admitted,
    };
    web_headers(srv, c, &req);
    wb_hub_response resp;
    wb_hub_handle(srv->hub, &req, &resp);
    enum MHD_Result ret = send_response(st, c, &resp);
    wb_hub_response_free(&resp);
    return ret;
}

/* The first call for a request: its head is complete, its body (if any)
 * not read. Everything that can be refused on the head is refused here. */
static enum MHD_Result first_call(server *srv, struct MHD_Connection *c, const char *url,
                                  const char *method, conn_state *st, arg_list *args)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    peer_text(ci ? ci->client_addr : NULL, st->peer, sizeof st->peer);
    head_scan h = {0};
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, scan_header, &h);
    if (h.prev_end && !value_ended(h.prev_end, NULL)) h.nul = true;
    if (h.nul || st->nul)
        return send_error(st, c, 400, "invalid_request",
                          "a NUL byte in a header or the request target is not accepted", 0);
    if (h.lengths_differ)
        return send_error(st, c, 400, "invalid_request",
                          "two Content-Length headers that differ: ambiguous framing", 0);
    if (h.te && h.nlength)
        return send_error(st, c, 400, "invalid_request",
                          "both Transfer-Encoding and Content-Length: ambiguous framing", 0);
    if (h.te)
        return send_error(st, c, 411, "length_required",
                          "request bodies must be sent with a Content-Length, not chunked", 0);
    MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, collect_arg, args);
    if (srv->alog) target_set(st, url, method, args);
    if (args->nul)
        return send_error(st, c, 400, "invalid_request",
                          "a NUL byte in a query argument is not accepted", 0);
    if (args->overflow)
        return send_error(st, c, 400, "invalid_request", "too many query arguments", 0);
    if (!wbi_hub_gate_request_head(srv->gate, st->fd, h.auth)) {
        /* The gate's refusal, decided on the head (counted with its others). */
        wbi_hub_metrics_refused(wbi_hub_metrics_of(srv->hub), "busy");
        return send_error(st, c, 503, "busy",
                          "the connections for clients without a key are all taken; retry later",
                          5);
    }
    int64_t len = 0;
    if (h.nlength && wb_parse_i64(h.length, strlen(h.length), 0, INT64_MAX, &len) != 0)
        return send_error(st, c, 400, "invalid_request", "malformed Content-Length", 0);
    /* Answered on the next call: libmicrohttpd 0.9.75 closes every
     * connection whose answer is queued in this first one. */
    if (len == 0) return MHD_YES;
    if ((uint64_t)len > srv->max_body) {
        char msg[96];
        snprintf(msg, sizeof msg, "the request body is larger than %zu bytes", srv->max_body);
        return send_error(st, c, 413, "too_large", msg, 0);
    }
    wb_hub_request req = {.method = method,
                          .path = url,
                          .args = args->args,
                          .nargs = args->n,
                          .authorization =
                              MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
                          .peer = st->peer};
    web_headers(srv, c, &req);
    wb_hub_response resp;
    bool ok = wb_hub_admit(srv->hub, &req, &resp);
    if (!ok) {
        enum MHD_Result ret =
            send_json(st, c, resp.status, resp.body.data ? resp.body.data : "{}",
                      resp.body.data ? resp.body.len : 2, resp.retry_after, NULL, true, &resp);
        wb_hub_response_free(&resp);
        return ret;
    }
    wb_hub_response_free(&resp);
    if (wbi_hub_addr_parse(st->peer, &st->addr)) {
        if (!wbi_hub_addrcount_take(&srv->bodies_by_addr, &st->addr, srv->bodies_per_addr))
            return send_error(st, c, 429, "too_many_bodies",
                              "as many request bodies from your address as the hub takes at "
                              "once are still arriving; retry when one is done",
                              5);
        st->addr_counted = true;
    }
    if (!body_reserve(srv, st, (size_t)len)) {
        body_release(st);
        return send_error(st, c, 503, "busy",
                          "the hub is receiving as many request bodies as it holds; retry in a "
                          "second",
                          1);
    }
    st->admitted = true;
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    server *srv = cls;
    (void)version;
    conn_state *st = *con_cls;
    if (st == NULL) {
        st = on_uri(srv, url, c);
        if (st == NULL) return MHD_NO;
        *con_cls = st;
    }
    if (!st->checked) {
        st->checked = true;
        atomic_fetch_add(&srv->inflight, 1);
        arg_list args = {.n = 0};
        return first_call(srv, c, url, method, st, &args);
    }
    if (*upload_size > 0) {
        size_t n = *upload_size;
        /* libmicrohttpd hands no more than the Content-Length reserved. */
        if (st->body_fd >= 0) {
            const char *p = upload_data;
            size_t left = n;
            while (left > 0) {
                ssize_t w = write(st->body_fd, p, left);
                if (w < 0 && errno == EINTR) continue;
                if (w <= 0) return MHD_NO;
                p += w;
                left -= (size_t)w;
            }
        } else if (wb_buf_append(&st->body, upload_data, n) != 0) {
            return MHD_NO;
        }
        st->body_len += n;
        *upload_size = 0;
        return MHD_YES;
    }
    arg_list args = {.n = 0};
    MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, collect_arg, &args);
    return answer(srv, c, url, method, st, &args);
}

/* ---- start and stop -------------------------------------------------------------------- */

/* "ADDR:PORT" or "[V6]:PORT" into a socket address. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, bool *v6, wb_error *err)
{
    char host[128];
    const char *port;
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (end == NULL || end[1] != ':' || (size_t)(end - s - 1) >= sizeof host) goto bad;
        memcpy(host, s + 1, (size_t)(end - s - 1));
        host[end - s - 1] = '\0';
        port = end + 2;
    } else {
        const char *colon = strrchr(s, ':');
        if (colon == NULL || (size_t)(colon - s) >= sizeof host) goto bad;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
        port = colon + 1;
    }
    int64_t p;
    if (wb_parse_i64(port, strlen(port), 1, 65535, &p) != 0) goto bad;
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)p);
        *v6 = false;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)p);
        *v6 = true;
        return 0;
    }
bad:
    return wb_error_set(err, WB_EINVAL,
                        "--listen %s: expected ADDRESS:PORT (127.0.0.1:8080, [::1]:8080)", s);
}

int wb_hub_serve(wb_hub *hub, const wb_serve_opts *o, wb_error *err)
{
    struct sockaddr_storage ss;
    bool v6 = false;
    int rc = parse_listen(o->listen, &ss, &v6, err);
    if (rc) return rc;
    if ((o->tls_cert == NULL) != (o->tls_key == NULL))
        return wb_error_set(err, WB_EINVAL, "TLS needs both --tls-cert and --tls-key");
    char *cert = NULL, *key = NULL;
    size_t clen, klen;
    if (o->tls_cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
            return wb_error_set(err, WB_EINVAL, "this libmicrohttpd was built without TLS");
        rc = wb_read_file(o->tls_cert, MAX_PEM, &cert, &clen, err);
        if (rc == 0) rc = wb_read_file(o->tls_key, MAX_PEM, &key, &klen, err);
        if (rc) {
            free(cert);
            return rc;
        }
    }
    server srv = {.hub = hub,
                  .max_body = wb_hub_max_body(hub),
                  .alog_path = o->access_log,
                  .tls = cert != NULL};
    if (o->access_log) {
        srv.alog = fopen(o->access_log, "ae");
        if (srv.alog == NULL) {
            free(cert);
            free(key);
            return wb_error_set(err, WB_EIO, "%s: cannot open the access log: %s", o->access_log,
                                strerror(errno));
        }
    }
    pthread_mutex_init(&srv.alog_lock, NULL);
    srv.disk_budget = 4 * srv.max_body;
    unsigned per_addr = o->max_per_address ? o->max_per_address : 64;
    srv.bodies_per_addr =
        per_addr / 8 > MIN_BODIES_PER_ADDRESS ? per_addr / 8 : MIN_BODIES_PER_ADDRESS;
    atomic_init(&srv.inflight, 0);
    atomic_init(&srv.body_mem, 0);
    atomic_init(&srv.body_disk, 0);
    if (wbi_hub_addrcount_init(&srv.bodies_by_addr) != 0) {
        if (srv.alog) fclose(srv.alog);
        pthread_mutex_destroy(&srv.alog_lock);
        free(cert);
        free(key);
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    wbi_hub_gate_opts go = {.max_connections = o->max_connections,
                            .max_per_address = o->max_per_address,
                            .header_timeout = o->header_timeout,
                            .idle_timeout = o->timeout,
                            .tls = cert != NULL,
                            .metrics = wbi_hub_metrics_of(hub)};
    rc = wbi_hub_gate_open(&srv.gate, (struct sockaddr *)&ss,
                           v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in), &go,
                           o->listen, err);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_NO_LISTEN_SOCKET | (cert ? MHD_USE_TLS : 0);
    unsigned threads = o->threads ? o->threads : 4;
    struct MHD_OptionItem tls[] = {
        {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
        {cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_Daemon *d = NULL;
    if (rc == 0) {
        /* libmicrohttpd's own connection limit sits above the gate's, so
         * that it never closes a connection the gate let in unanswered. */
        d = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, &srv, MHD_OPTION_THREAD_POOL_SIZE, threads,
            MHD_OPTION_CONNECTION_TIMEOUT, o->timeout ? o->timeout : 30u,
            MHD_OPTION_CONNECTION_LIMIT, wbi_hub_gate_max_connections(srv.gate) + 64 * threads,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv, MHD_OPTION_NOTIFY_CONNECTION,
            on_connection, &srv, MHD_OPTION_URI_LOG_CALLBACK, on_uri, &srv, MHD_OPTION_ARRAY, tls,
            MHD_OPTION_END);
        if (d == NULL)
            rc = wb_error_set(err, WB_EIO,
                              "cannot start the HTTP server on %s (a bad TLS certificate/key?)",
                              o->listen);
    }
    if (rc == 0) rc = wbi_hub_gate_start(srv.gate, d, err);
    if (rc == 0) {
        struct timespec tick = {0, 100 * 1000 * 1000};
        while (!*o->stop) {
            nanosleep(&tick, NULL);
            if (o->reopen && *o->reopen) {
                *o->reopen = 0;
                if (srv.alog) access_reopen(&srv);
            }
        }
        /* Stop accepting, then let requests in flight finish. */
        wbi_hub_gate_stop(srv.gate);
        for (int i = 0; i < DRAIN_SECONDS * 10 && atomic_load(&srv.inflight) > 0; i++)
            nanosleep(&tick, NULL);
    }
    if (d) MHD_stop_daemon(d);
    if (srv.alog) fclose(srv.alog);
    pthread_mutex_destroy(&srv.alog_lock);
    wbi_hub_gate_free(srv.gate);
    wbi_hub_addrcount_free(&srv.bodies_by_addr);
    free(cert);
    free(key);
    return rc;
}
