/*
 * server.c - the hub on the network: a gate of our own in front of
 * libmicrohttpd (a thread pool, keep-alive and optional TLS), handing each
 * complete request to wb_hub_handle. Streamed answers (the MISP feed's
 * manifest and hashes) go out chunked from the response's stream.
 *
 * The gate (one thread, epoll) accepts the connections itself, because
 * libmicrohttpd 0.9.75 cannot tell clients apart before their headers
 * arrive, has only an idle timeout (a header line every 10 s holds a
 * connection for ever), and answers what it refuses in the head in HTML of
 * its own, or not at all. The gate
 *   - counts connections per client address and in all, refusing those
 *     over a limit at once with a JSON 429 or 503;
 *   - holds each new connection until its first request head is complete,
 *     reading it with MSG_PEEK (so libmicrohttpd later reads it as if the
 *     gate had not been there), checks it (http_head.c) and answers what
 *     it refuses in JSON; a head not complete within --header-timeout is
 *     answered 408; when too many connections wait, the oldest goes;
 *   - hands the connection to libmicrohttpd (MHD_add_connection);
 *   - every quarter second, closes connections inside libmicrohttpd whose
 *     next request head is not complete in time (keep-alive slowloris), from
 *     the request line onwards (MHD_OPTION_URI_LOG_CALLBACK marks it).
 * docs/hub.md ("Limits") lists every limit, what a client sees, and the
 * cases libmicrohttpd still answers itself.
 *
 * Request bodies: the route, the key and its role are checked on the
 * headers (wb_hub_admit) before a byte of the body is read, so a refusal
 * (401, 403, 404, 413, also to "Expect: 100-continue") costs no memory.
 * An admitted body is kept in memory up to 1 MiB and in an unlinked
 * temporary file beyond, and all bodies in flight together have a budget
 * in memory and one on disk; a body that does not fit is answered 503
 * before it is read.
 *
 * Per-request state lives in MHD's connection_cls (made by the URI log
 * callback, freed in NOTIFY_COMPLETED whatever way the request ended); per
 * connection state in a table indexed by socket, under one mutex, freed in
 * NOTIFY_CONNECTION's CLOSED (which libmicrohttpd calls before it closes
 * the socket, so the gate never touches a socket number reused by another
 * connection). Shutdown stops accepting first, then waits for requests in
 * flight before stopping the workers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "hub/hub_internal.h"
#include "weerbaar/io.h"

#define MAX_ARGS 32
#define MAX_PEM ((size_t)1 << 20)
#define DRAIN_SECONDS 10
/* The first request's head: request target and whole block (libmicrohttpd
 * keeps its own limit, 32 KiB, above these). */
#define MAX_TARGET 8192
#define MAX_HEAD 16384
/* Connections waiting for their first head, from one address. */
#define PENDING_PER_ADDRESS 8
/* A refused connection's last bytes are read and dropped for this long
 * after the answer, so that closing it does not reset the answer away. */
#define LINGER_MS 2000
/* Bodies: in memory up to this each, in a temporary file beyond. */
#define BODY_IN_MEMORY ((size_t)1 << 20)
#define BODY_MEMORY_BUDGET ((size_t)64 << 20)
#define SWEEP_MS 250
/* Refused connections lingering at once, at most. */
#define MAX_LINGER 256

enum slot_state { S_FREE = 0, S_GATE, S_LINGER, S_MHD };

/* One accepted connection, by socket number. state, keyed and the
 * gate's fields are under server.lock; the atomics are written by the
 * libmicrohttpd worker that serves the connection and read by the sweep. */
typedef struct slot {
    enum slot_state state;
    bool keyed;   /* its latest request carried an Authorization header */
    bool counted; /* in conns_by_addr (a connection refused at once is not) */
    wbi_addr addr;
    struct sockaddr_storage sa;
    socklen_t salen;
    int64_t gate_since;         /* ms: accepted (gate), answered (linger) */
    _Atomic int64_t wait_since; /* ms: handed over, or the last answer completed */
    _Atomic int64_t req_since;  /* ms: a request line arrived; 0 between requests */
    atomic_int in_req;          /* the head is complete, the request is being answered */
    atomic_int served;          /* a request was answered on it */
} slot;

typedef struct server {
    wb_hub *hub;
    const wb_serve_opts *o;
    bool tls;
    struct MHD_Daemon *d;
    int lfd, ep;
    pthread_mutex_t lock;
    slot *slots;
    size_t nslots;
    wbi_addrcount conns_by_addr, pending_by_addr;
    /* limits in force */
    unsigned max_conn, per_addr, max_pending, anon_max, header_ms, idle_ms;
    size_t max_body, disk_budget;
    /* counts (under lock; read without it for a quick refusal) */
    atomic_uint nconn, nkeyed, npending;
    atomic_int inflight;
    atomic_size_t body_mem, body_disk;
    atomic_int stop;
    unsigned nlinger; /* under lock */
    bool accept_paused;
    int64_t accept_resume;
} server;

typedef struct conn_state {
    server *srv;
    slot *sl;
    bool checked;  /* the first call (head complete) happened */
    bool nul;      /* %00 in the request target */
    bool admitted; /* the body is being read */
    wb_buf body;   /* in memory */
    int body_fd;   /* or in a temporary file (-1 when not) */
    size_t body_len, reserved_mem, reserved_disk;
    void *map;
    char peer[INET6_ADDRSTRLEN];
} conn_state;

typedef struct arg_list {
    wb_hub_arg args[MAX_ARGS];
    size_t n;
    bool overflow, nul;
} arg_list;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void addr_of(const struct sockaddr *sa, wbi_addr *a)
{
    memset(a, 0, sizeof *a);
    if (sa->sa_family == AF_INET) {
        a->b[10] = a->b[11] = 0xff;
        memcpy(a->b + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        memcpy(a->b, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    }
}

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

/* {"error":{"code","message"}} as text (the caller frees it). */
static char *error_json(const char *code, const char *msg)
{
    json_t *o = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg);
    char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return t;
}

static const char *reason(unsigned status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 408:
        return "Request Timeout";
    case 411:
        return "Length Required";
    case 414:
        return "URI Too Long";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Service Unavailable";
    }
}

/* Reads and drops what the client sent so far (up to 64 KiB): closing a
 * socket with unread bytes resets it, and the client may lose the answer. */
static void drain(int fd)
{
    char buf[8192];
    for (int i = 0; i < 8; i++)
        if (recv(fd, buf, sizeof buf, MSG_DONTWAIT) <= 0) break;
}

/* An answer written by the gate itself (before libmicrohttpd has the
 * connection), always with "Connection: close". */
static void raw_reply(int fd, unsigned status, const char *code, const char *msg, unsigned retry)
{
    char *body = error_json(code, msg);
    char head[320], ra[40] = "";
    if (retry) snprintf(ra, sizeof ra, "Retry-After: %u\r\n", retry);
    int hn = snprintf(head, sizeof head,
                      "HTTP/1.1 %u %s\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\nCache-Control: no-store\r\n"
                      "X-Content-Type-Options: nosniff\r\n%s\r\n",
                      status, reason(status), body ? strlen(body) : 0, ra);
    drain(fd);
    struct iovec iov[2] = {{head, (size_t)hn}, {body, body ? strlen(body) : 0}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
    (void)!sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    free(body);
    shutdown(fd, SHUT_WR);
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, const char *body,
                                 size_t len, unsigned retry_after, const char *type, bool close)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type ? type : "application/json");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
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
static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *code,
                                  const char *msg, unsigned retry)
{
    char *body = error_json(code, msg);
    if (body == NULL) return MHD_NO;
    enum MHD_Result ret = send_json(c, status, body, strlen(body), retry, NULL, true);
    free(body);
    return ret;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    long n = wb_hub_stream_read(cls, buf, max);
    if (n < 0) return MHD_CONTENT_READER_END_WITH_ERROR;
    if (n == 0) return MHD_CONTENT_READER_END_OF_STREAM;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    wb_hub_stream_free(cls);
}

/* A body produced while it is sent: chunked, read from the stream as the
 * socket takes it. The response owns the stream from here on. */
static enum MHD_Result send_stream(struct MHD_Connection *c, wb_hub_response *resp)
{
    wb_hub_stream *s = resp->stream;
    resp->stream = NULL;
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read, s, stream_free);
    if (r == NULL) {
        wb_hub_stream_free(s);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            resp->content_type ? resp->content_type : "application/json");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(c, resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_response(struct MHD_Connection *c, wb_hub_response *resp)
{
    if (resp->stream) return send_stream(c, resp);
    /* A failed key ends the connection: a stranger's junk key must not
     * hold one of the connections kept for keyed clients. */
    return send_json(c, resp->status, resp->body.data ? resp->body.data : "{}",
                     resp->body.data ? resp->body.len : 2, resp->retry_after, resp->content_type,
                     resp->status == 401);
}

/* ---- connection slots --------------------------------------------------------------- */

static slot *slot_of(server *srv, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci == NULL || ci->connect_fd < 0 || (size_t)ci->connect_fd >= srv->nslots) return NULL;
    return &srv->slots[ci->connect_fd];
}

/* Forgets a connection (under lock). */
static void slot_release(server *srv, slot *s)
{
    switch (s->state) {
    case S_FREE:
        return;
    case S_GATE:
        wbi_addrcount_give(&srv->pending_by_addr, &s->addr);
        atomic_fetch_sub(&srv->npending, 1);
        break;
    case S_MHD:
        atomic_fetch_sub(&srv->nconn, 1);
        if (s->keyed) atomic_fetch_sub(&srv->nkeyed, 1);
        break;
    case S_LINGER:
        srv->nlinger--;
        break;
    }
    if (s->counted) wbi_addrcount_give(&srv->conns_by_addr, &s->addr);
    s->counted = false;
    s->state = S_FREE;
    s->keyed = false;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    server *srv = cls;
    (void)socket_context;
    if (code != MHD_CONNECTION_NOTIFY_CLOSED) return;
    slot *s = slot_of(srv, c);
    if (s == NULL) return;
    pthread_mutex_lock(&srv->lock);
    if (s->state == S_MHD) slot_release(srv, s);
    pthread_mutex_unlock(&srv->lock);
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
    st->sl = slot_of(srv, c);
    if (st->sl) atomic_store(&st->sl->req_since, now_ms());
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
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    server *srv = cls;
    (void)c;
    (void)toe;
    conn_state *st = *con_cls;
    if (st == NULL) return;
    if (st->sl) {
        atomic_store(&st->sl->in_req, 0);
        atomic_store(&st->sl->req_since, 0);
        atomic_store(&st->sl->served, 1);
        atomic_store(&st->sl->wait_since, now_ms());
    }
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

/* Marks the connection keyed or not by its latest request; false when an
 * unkeyed request finds the connections for strangers all taken. */
static bool classify(server *srv, slot *s, bool keyed)
{
    if (s == NULL) return true;
    if (s->keyed != keyed) {
        pthread_mutex_lock(&srv->lock);
        if (s->state == S_MHD) {
            s->keyed = keyed;
            if (keyed)
                atomic_fetch_add(&srv->nkeyed, 1);
            else
                atomic_fetch_sub(&srv->nkeyed, 1);
        }
        pthread_mutex_unlock(&srv->lock);
    }
    return keyed || atomic_load(&srv->nconn) - atomic_load(&srv->nkeyed) <= srv->anon_max;
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

static enum MHD_Result answer(server *srv, struct MHD_Connection *c, const char *url,
                              const char *method, conn_state *st, const arg_list *args)
{
    const char *body = st->body.data;
    if (st->body_fd >= 0 && st->body_len > 0) {
        st->map = mmap(NULL, st->body_len, PROT_READ, MAP_PRIVATE, st->body_fd, 0);
        if (st->map == MAP_FAILED) {
            st->map = NULL;
            return send_error(c, 500, "internal", "internal error (the body could not be read)", 0);
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
    wb_hub_response resp;
    wb_hub_handle(srv->hub, &req, &resp);
    enum MHD_Result ret = send_response(c, &resp);
    wb_hub_response_free(&resp);
    return ret;
}

/* The first call for a request: its head is complete, its body (if any)
 * not read. Everything that can be refused on the head is refused here. */
static enum MHD_Result first_call(server *srv, struct MHD_Connection *c, const char *url,
                                  const char *method, conn_state *st, arg_list *args)
{
    slot *s = st->sl;
    if (s) atomic_store(&s->in_req, 1);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    peer_text(ci ? ci->client_addr : NULL, st->peer, sizeof st->peer);
    head_scan h = {0};
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, scan_header, &h);
    if (h.prev_end && !value_ended(h.prev_end, NULL)) h.nul = true;
    if (h.nul || st->nul)
        return send_error(c, 400, "invalid_request",
                          "a NUL byte in a header or the request target is not accepted", 0);
    if (h.lengths_differ)
        return send_error(c, 400, "invalid_request",
                          "two Content-Length headers that differ: ambiguous framing", 0);
    if (h.te && h.nlength)
        return send_error(c, 400, "invalid_request",
                          "both Transfer-Encoding and Content-Length: ambiguous framing", 0);
    if (h.te)
        return send_error(c, 411, "length_required",
                          "request bodies must be sent with a Content-Length, not chunked", 0);
    MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, collect_arg, args);
    if (args->nul)
        return send_error(c, 400, "invalid_request",
                          "a NUL byte in a query argument is not accepted", 0);
    if (args->overflow) return send_error(c, 400, "invalid_request", "too many query arguments", 0);
    if (!classify(srv, s, h.auth))
        return send_error(c, 503, "busy",
                          "the connections for clients without a key are all taken; retry later",
                          5);
    int64_t len = 0;
    if (h.nlength && wb_parse_i64(h.length, strlen(h.length), 0, INT64_MAX, &len) != 0)
        return send_error(c, 400, "invalid_request", "malformed Content-Length", 0);
    /* Answered on the next call: libmicrohttpd 0.9.75 closes every
     * connection whose answer is queued in this first one. */
    if (len == 0) return MHD_YES;
    if ((uint64_t)len > srv->max_body) {
        char msg[96];
        snprintf(msg, sizeof msg, "the request body is larger than %zu bytes", srv->max_body);
        return send_error(c, 413, "too_large", msg, 0);
    }
    wb_hub_request req = {.method = method,
                          .path = url,
                          .args = args->args,
                          .nargs = args->n,
                          .authorization =
                              MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
                          .peer = st->peer};
    wb_hub_response resp;
    bool ok = wb_hub_admit(srv->hub, &req, &resp);
    if (!ok) {
        enum MHD_Result ret =
            send_json(c, resp.status, resp.body.data ? resp.body.data : "{}",
                      resp.body.data ? resp.body.len : 2, resp.retry_after, NULL, true);
        wb_hub_response_free(&resp);
        return ret;
    }
    wb_hub_response_free(&resp);
    if (!body_reserve(srv, st, (size_t)len)) {
        body_release(st);
        return send_error(c, 503, "busy",
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

/* ---- the gate --------------------------------------------------------------------------- */

static void gate_close(server *srv, int fd)
{
    epoll_ctl(srv->ep, EPOLL_CTL_DEL, fd, NULL);
    pthread_mutex_lock(&srv->lock);
    slot_release(srv, &srv->slots[fd]);
    pthread_mutex_unlock(&srv->lock);
    close(fd);
}

/* Answers a connection in the gate and lets it linger a moment. */
static void gate_refuse(server *srv, int fd, unsigned status, const char *code, const char *msg,
                        unsigned retry)
{
    raw_reply(fd, status, code, msg, retry);
    pthread_mutex_lock(&srv->lock);
    slot *s = &srv->slots[fd];
    if (s->state == S_GATE) {
        wbi_addrcount_give(&srv->pending_by_addr, &s->addr);
        atomic_fetch_sub(&srv->npending, 1);
    }
    s->state = S_LINGER;
    srv->nlinger++;
    s->gate_since = now_ms();
    pthread_mutex_unlock(&srv->lock);
}

/* A connection refused as it is accepted: answered, and left to linger
 * while few do (each holds a descriptor for LINGER_MS), else closed. */
static void refuse_new(server *srv, int fd, unsigned status, const char *code, const char *msg)
{
    raw_reply(fd, status, code, msg, 5);
    pthread_mutex_lock(&srv->lock);
    bool linger = (size_t)fd < srv->nslots && srv->nlinger < MAX_LINGER;
    if (linger) {
        slot *s = &srv->slots[fd];
        slot_release(srv, s);
        s->state = S_LINGER;
        s->counted = false;
        s->gate_since = now_ms();
        srv->nlinger++;
    }
    pthread_mutex_unlock(&srv->lock);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = fd};
    if (!linger || epoll_ctl(srv->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        if (linger) {
            pthread_mutex_lock(&srv->lock);
            slot_release(srv, &srv->slots[fd]);
            pthread_mutex_unlock(&srv->lock);
        }
        close(fd);
    }
}

static void handover(server *srv, int fd)
{
    epoll_ctl(srv->ep, EPOLL_CTL_DEL, fd, NULL);
    pthread_mutex_lock(&srv->lock);
    slot *s = &srv->slots[fd];
    wbi_addrcount_give(&srv->pending_by_addr, &s->addr);
    atomic_fetch_sub(&srv->npending, 1);
    s->state = S_MHD;
    s->keyed = false;
    atomic_fetch_add(&srv->nconn, 1);
    atomic_store(&s->wait_since, now_ms());
    atomic_store(&s->req_since, 0);
    atomic_store(&s->in_req, 0);
    atomic_store(&s->served, 0);
    struct sockaddr_storage sa = s->sa;
    socklen_t salen = s->salen;
    pthread_mutex_unlock(&srv->lock);
    if (MHD_add_connection(srv->d, fd, (struct sockaddr *)&sa, salen) != MHD_YES) {
        /* libmicrohttpd closed the socket; nothing was started for it. */
        pthread_mutex_lock(&srv->lock);
        if (s->state == S_MHD) slot_release(srv, s);
        pthread_mutex_unlock(&srv->lock);
    }
}

/* Looks at what a connection in the gate sent so far. */
static void gate_check(server *srv, int fd)
{
    static char buf[MAX_HEAD + 1];
    ssize_t n = recv(fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0) {
        gate_close(srv, fd);
        return;
    }
    wbi_http_head h;
    wbi_problem prob;
    int rc = wbi_http_head_check(buf, (size_t)n, MAX_HEAD, MAX_TARGET, &h, &prob);
    if (rc > 0) return;
    if (rc < 0) {
        gate_refuse(srv, fd, prob.status, prob.code, prob.msg, 0);
        return;
    }
    handover(srv, fd);
}

/* The oldest connection waiting in the gate goes, to make room. */
static void evict_oldest(server *srv)
{
    int victim = -1;
    int64_t oldest = INT64_MAX;
    pthread_mutex_lock(&srv->lock);
    for (size_t i = 0; i < srv->nslots; i++)
        if (srv->slots[i].state == S_GATE && srv->slots[i].gate_since < oldest) {
            oldest = srv->slots[i].gate_since;
            victim = (int)i;
        }
    pthread_mutex_unlock(&srv->lock);
    if (victim >= 0)
        gate_refuse(srv, victim, 408, "request_timeout",
                    "the request head did not arrive in time (the hub was busy with others)", 0);
}

static void gate_accept(server *srv)
{
    for (;;) {
        struct sockaddr_storage sa;
        socklen_t salen = sizeof sa;
        int fd = accept4(srv->lfd, (struct sockaddr *)&sa, &salen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* Out of descriptors: stop looking at the listener a while
                 * instead of waking for it in a loop. */
                epoll_ctl(srv->ep, EPOLL_CTL_DEL, srv->lfd, NULL);
                srv->accept_paused = true;
                srv->accept_resume = now_ms() + 100;
            }
            return;
        }
        wbi_addr a;
        addr_of((struct sockaddr *)&sa, &a);
        if ((size_t)fd >= srv->nslots ||
            atomic_load(&srv->nconn) + atomic_load(&srv->npending) >= srv->max_conn) {
            refuse_new(srv, fd, 503, "busy",
                       "the hub has no room for another connection; retry later");
            continue;
        }
        pthread_mutex_lock(&srv->lock);
        slot *s = &srv->slots[fd];
        /* A socket number libmicrohttpd closed without telling (it cannot
         * have, but a stale slot must not block its number for ever). */
        slot_release(srv, s);
        bool ok = wbi_addrcount_take(&srv->conns_by_addr, &a, srv->per_addr);
        bool pend = ok && (srv->tls || wbi_addrcount_take(&srv->pending_by_addr, &a,
                                                          PENDING_PER_ADDRESS < srv->per_addr
                                                              ? PENDING_PER_ADDRESS
                                                              : srv->per_addr));
        if (ok && !pend) wbi_addrcount_give(&srv->conns_by_addr, &a);
        if (pend) {
            s->state = S_GATE;
            s->counted = true;
            s->addr = a;
            s->sa = sa;
            s->salen = salen;
            s->gate_since = now_ms();
            s->keyed = false;
            if (srv->tls) wbi_addrcount_take(&srv->pending_by_addr, &a, UINT32_MAX);
            atomic_fetch_add(&srv->npending, 1);
        }
        pthread_mutex_unlock(&srv->lock);
        if (!pend) {
            refuse_new(srv, fd, 429, "too_many_connections",
                       ok ? "too many connections from your address are still sending their "
                            "request; retry later"
                          : "too many connections from your address; close some and retry");
            continue;
        }
        if (srv->tls) {
            /* The head is encrypted: the gate cannot read it. The deadline
             * for it is kept by the sweep instead. */
            handover(srv, fd);
            continue;
        }
        if (atomic_load(&srv->npending) > srv->max_pending) evict_oldest(srv);
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = fd};
        if (epoll_ctl(srv->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            gate_close(srv, fd);
            continue;
        }
        gate_check(srv, fd);
    }
}

/* Deadlines: heads in the gate, lingering refusals, and heads inside
 * libmicrohttpd (the next request on a kept-alive connection, and with
 * TLS every one). */
static void sweep(server *srv)
{
    int64_t now = now_ms();
    int expired[64];
    size_t nexp = 0;
    pthread_mutex_lock(&srv->lock);
    for (size_t i = 0; i < srv->nslots; i++) {
        slot *s = &srv->slots[i];
        if (s->state == S_GATE && now - s->gate_since > srv->header_ms && nexp < 64) {
            expired[nexp++] = (int)i;
        } else if (s->state == S_LINGER && now - s->gate_since > LINGER_MS) {
            epoll_ctl(srv->ep, EPOLL_CTL_DEL, (int)i, NULL);
            slot_release(srv, s);
            close((int)i);
        } else if (s->state == S_MHD && !atomic_load(&s->in_req)) {
            int64_t req = atomic_load(&s->req_since), wait = atomic_load(&s->wait_since);
            /* Without TLS the gate saw the first head complete: only the
             * heads after it are timed here. */
            bool late =
                (req && now - req > srv->header_ms) ||
                (!req && srv->tls && !atomic_load(&s->served) && now - wait > srv->header_ms) ||
                (!req && now - wait > srv->idle_ms + srv->header_ms);
            /* libmicrohttpd sees the end of the stream and closes it (and
             * tells on_connection); the number stays ours until then. */
            if (late) {
                if (req && !srv->tls)
                    raw_reply((int)i, 408, "request_timeout",
                              "the request head did not arrive in time", 0);
                shutdown((int)i, SHUT_RDWR);
                s->state = S_MHD;
                atomic_store(&s->in_req, 1); /* once */
            }
        }
    }
    pthread_mutex_unlock(&srv->lock);
    for (size_t k = 0; k < nexp; k++)
        gate_refuse(srv, expired[k], 408, "request_timeout",
                    "the request head did not arrive in time", 0);
    if (srv->accept_paused && now >= srv->accept_resume) {
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = srv->lfd};
        if (epoll_ctl(srv->ep, EPOLL_CTL_ADD, srv->lfd, &ev) == 0) srv->accept_paused = false;
    }
}

static void *gate_main(void *arg)
{
    server *srv = arg;
    struct epoll_event evs[64];
    int64_t next_sweep = now_ms() + SWEEP_MS;
    while (!atomic_load(&srv->stop)) {
        int wait = (int)(next_sweep - now_ms());
        int n = epoll_wait(srv->ep, evs, 64, wait < 0 ? 0 : wait);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == srv->lfd) {
                gate_accept(srv);
                continue;
            }
            pthread_mutex_lock(&srv->lock);
            enum slot_state state = srv->slots[fd].state;
            pthread_mutex_unlock(&srv->lock);
            if (state == S_GATE) {
                gate_check(srv, fd);
            } else if (state == S_LINGER) {
                char buf[4096];
                ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
                if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) gate_close(srv, fd);
            }
        }
        if (now_ms() >= next_sweep) {
            sweep(srv);
            next_sweep = now_ms() + SWEEP_MS;
        }
    }
    return NULL;
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

static int open_listener(const struct sockaddr_storage *ss, bool v6)
{
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (v6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    socklen_t len = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    if (bind(fd, (const struct sockaddr *)ss, len) != 0 || listen(fd, 511) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* As many descriptors as the process may have (the connection table is
 * indexed by them). */
static size_t fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
    if (rl.rlim_cur < rl.rlim_max && rl.rlim_max != RLIM_INFINITY) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 65536) return 65536;
    return (size_t)rl.rlim_cur;
}

static void server_limits(server *srv, const wb_serve_opts *o)
{
    srv->nslots = fd_limit();
    unsigned room = srv->nslots > 256 ? (unsigned)srv->nslots - 128 : (unsigned)srv->nslots / 2;
    srv->max_conn = o->max_connections ? o->max_connections : 1000;
    if (srv->max_conn > room) srv->max_conn = room;
    srv->per_addr = o->max_per_address ? o->max_per_address : 64;
    srv->max_pending = srv->max_conn / 4 ? srv->max_conn / 4 : 1;
    /* Connections without a key leave an eighth, and the waiting room,
     * to keyed clients. */
    unsigned reserve = srv->max_conn / 8 + srv->max_pending;
    srv->anon_max = srv->max_conn > reserve ? srv->max_conn - reserve : 1;
    srv->header_ms = (o->header_timeout ? o->header_timeout : 10) * 1000;
    srv->idle_ms = (o->timeout ? o->timeout : 30) * 1000;
    srv->max_body = wb_hub_max_body(srv->hub);
    srv->disk_budget = 4 * srv->max_body;
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
    server *srv = calloc(1, sizeof *srv);
    if (srv == NULL) {
        free(cert);
        free(key);
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    srv->hub = hub;
    srv->o = o;
    srv->tls = cert != NULL;
    srv->lfd = srv->ep = -1;
    server_limits(srv, o);
    srv->slots = calloc(srv->nslots, sizeof *srv->slots);
    pthread_mutex_init(&srv->lock, NULL);
    if (srv->slots == NULL || wbi_addrcount_init(&srv->conns_by_addr) != 0 ||
        wbi_addrcount_init(&srv->pending_by_addr) != 0)
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0) {
        srv->lfd = open_listener(&ss, v6);
        srv->ep = epoll_create1(EPOLL_CLOEXEC);
        if (srv->lfd < 0 || srv->ep < 0)
            rc = wb_error_set(err, WB_EIO, "cannot listen on %s (%s)", o->listen, strerror(errno));
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_NO_LISTEN_SOCKET | (cert ? MHD_USE_TLS : 0);
    unsigned threads = o->threads ? o->threads : 4;
    struct MHD_OptionItem tls[] = {
        {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
        {cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key},
        {MHD_OPTION_END, 0, NULL},
    };
    if (rc == 0) {
        /* libmicrohttpd's own connection limit sits above the gate's, so
         * that it never closes a connection the gate let in unanswered. */
        srv->d = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_THREAD_POOL_SIZE, threads,
            MHD_OPTION_CONNECTION_TIMEOUT, srv->idle_ms / 1000, MHD_OPTION_CONNECTION_LIMIT,
            srv->max_conn + 64 * threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
            MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_URI_LOG_CALLBACK, on_uri,
            srv, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
        if (srv->d == NULL)
            rc = wb_error_set(err, WB_EIO,
                              "cannot start the HTTP server on %s (a bad TLS "
                              "certificate/key?)",
                              o->listen);
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = srv->lfd};
    if (rc == 0 && epoll_ctl(srv->ep, EPOLL_CTL_ADD, srv->lfd, &ev) != 0)
        rc = wb_error_set(err, WB_EIO, "epoll: %s", strerror(errno));
    pthread_t gate;
    if (rc == 0 && pthread_create(&gate, NULL, gate_main, srv) != 0)
        rc = wb_error_set(err, WB_ENOMEM, "cannot start the connection gate");
    if (rc == 0) {
        struct timespec tick = {0, 100 * 1000 * 1000};
        while (!*o->stop)
            nanosleep(&tick, NULL);
        /* Stop accepting, then let requests in flight finish. */
        atomic_store(&srv->stop, 1);
        pthread_join(gate, NULL);
        close(srv->lfd);
        srv->lfd = -1;
        for (size_t i = 0; i < srv->nslots; i++)
            if (srv->slots[i].state == S_GATE || srv->slots[i].state == S_LINGER) {
                slot_release(srv, &srv->slots[i]);
                close((int)i);
            }
        for (int i = 0; i < DRAIN_SECONDS * 10 && atomic_load(&srv->inflight) > 0; i++)
            nanosleep(&tick, NULL);
    }
    if (srv->d) MHD_stop_daemon(srv->d);
    if (srv->lfd >= 0) close(srv->lfd);
    if (srv->ep >= 0) close(srv->ep);
    wbi_addrcount_free(&srv->conns_by_addr);
    wbi_addrcount_free(&srv->pending_by_addr);
    pthread_mutex_destroy(&srv->lock);
    free(srv->slots);
    free(srv);
    free(cert);
    free(key);
    return rc;
}
