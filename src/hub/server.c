/*
 * server.c - the hub on the network: libmicrohttpd with a thread pool,
 * keep-alive and optional TLS, handing each complete request to
 * wb_hub_handle. Streamed answers (the MISP feed's manifest and hashes) go
 * out chunked from the response's stream.
 *
 * Per-request state (the body as it arrives) lives in MHD's connection_cls
 * and is freed in the NOTIFY_COMPLETED callback, whatever way the request
 * ended. Bodies are capped: a Content-Length over the limit is refused
 * before any of it is read, a body that grows past it without one is
 * dropped as it arrives and answered 413. Shutdown stops accepting first,
 * then waits for requests in flight before stopping the workers.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include <unistd.h>

#include "hub/hub_internal.h"
#include "weerbaar/io.h"

#define MAX_ARGS 32
#define MAX_PEM ((size_t)1 << 20)
#define DRAIN_SECONDS 10

typedef struct server {
    wb_hub *hub;
    atomic_int inflight;
} server;

typedef struct conn_state {
    wb_buf body;
    bool too_large;
} conn_state;

typedef struct arg_list {
    wb_hub_arg args[MAX_ARGS];
    size_t n;
    bool overflow;
} arg_list;

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    arg_list *l = cls;
    (void)kind;
    if (l->n == MAX_ARGS) {
        l->overflow = true;
        return MHD_NO;
    }
    l->args[l->n++] = (wb_hub_arg){key, value};
    return MHD_YES;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, const char *body,
                                 size_t len, unsigned retry_after, const char *type)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type ? type : "application/json");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (retry_after) {
        char ra[16];
        snprintf(ra, sizeof ra, "%u", retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
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

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *code,
                                  const char *msg)
{
    char body[512];
    int n =
        snprintf(body, sizeof body, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}", code, msg);
    return send_json(c, status, body, (size_t)n, 0, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    server *srv = cls;
    size_t max = wb_hub_max_body(srv->hub);
    conn_state *st = *con_cls;
    if (st == NULL) {
        st = calloc(1, sizeof *st);
        if (st == NULL) return MHD_NO;
        *con_cls = st;
        atomic_fetch_add(&srv->inflight, 1);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        int64_t len;
        if (cl && wb_parse_i64(cl, strlen(cl), 0, INT64_MAX, &len) == 0 && (uint64_t)len > max)
            st->too_large = true;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (!st->too_large && st->body.len + *upload_size > max) {
            st->too_large = true;
            wb_buf_free(&st->body);
        }
        if (!st->too_large && wb_buf_append(&st->body, upload_data, *upload_size) != 0)
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (st->too_large) {
        char msg[96];
        snprintf(msg, sizeof msg, "the request body is larger than %zu bytes", max);
        return send_error(c, 413, "too_large", msg);
    }
    arg_list args = {.n = 0};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &args);
    if (args.overflow) return send_error(c, 400, "invalid_request", "too many query arguments");
    wb_hub_request req = {
        .method = method,
        .path = url,
        .args = args.args,
        .nargs = args.n,
        .authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
        .body = st->body.data,
        .body_len = st->body.len,
    };
    wb_hub_response resp;
    wb_hub_handle(srv->hub, &req, &resp);
    enum MHD_Result ret =
        resp.stream
            ? send_stream(c, &resp)
            : send_json(c, resp.status, resp.body.data ? resp.body.data : "{}",
                        resp.body.data ? resp.body.len : 2, resp.retry_after, resp.content_type);
    wb_hub_response_free(&resp);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    server *srv = cls;
    conn_state *st = *con_cls;
    if (st == NULL) return;
    wb_buf_free(&st->body);
    free(st);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

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
    server srv = {.hub = hub};
    atomic_init(&srv.inflight, 0);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     (v6 ? MHD_USE_IPv6 : 0) | (cert ? MHD_USE_TLS : 0);
    unsigned threads = o->threads ? o->threads : 4;
    struct MHD_OptionItem tls[] = {
        {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
        {cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)(o->timeout ? o->timeout : 30), MHD_OPTION_CONNECTION_LIMIT, 1000u,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
    if (d == NULL) {
        free(cert);
        free(key);
        return wb_error_set(err, WB_EIO,
                            "cannot listen on %s (address in use, not local, or a bad TLS "
                            "certificate/key)",
                            o->listen);
    }
    struct timespec tick = {0, 100 * 1000 * 1000};
    while (!*o->stop)
        nanosleep(&tick, NULL);
    /* Stop accepting, then let requests in flight finish. */
    MHD_socket ls = MHD_quiesce_daemon(d);
    if (ls != MHD_INVALID_SOCKET) close(ls);
    for (int i = 0; i < DRAIN_SECONDS * 10 && atomic_load(&srv.inflight) > 0; i++)
        nanosleep(&tick, NULL);
    MHD_stop_daemon(d);
    free(cert);
    free(key);
    return 0;
}
