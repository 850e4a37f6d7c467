/*
 * test_http.c - the shared HTTP client (http.h) against a small loopback
 * server in a thread: a body within the bound arrives whole, into a buffer
 * or a file; a body past the bound (announced or not) ends with WB_ELIMIT
 * naming the URL; redirects are not followed unless asked, and then only
 * as often as asked; headers go out and come back to the callback; a
 * connection refused is WB_EIO naming the URL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "weerbaar/http.h"

typedef struct server {
    int fd;
    int port;
    pthread_t th;
    char last_req[2048];
} server;

/* Answers by path: /small 5 bytes, /big 4000 bytes with Content-Length,
 * /chunked 4000 bytes without, /hop/N a redirect to /hop/N-1 (/hop/0 is
 * /small), /echo the request's X-Test header in a header and the body. */
static void answer(int c, server *s)
{
    char req[2048];
    ssize_t n = recv(c, req, sizeof req - 1, 0);
    if (n <= 0) return;
    req[n] = '\0';
    memcpy(s->last_req, req, (size_t)n + 1);
    char path[256] = "";
    sscanf(req, "%*s %255s", path);
    char head[512];
    static char big[4000];
    memset(big, 'x', sizeof big);
    if (strcmp(path, "/small") == 0 || strcmp(path, "/hop/0") == 0) {
        const char *r = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
        (void)!send(c, r, strlen(r), MSG_NOSIGNAL);
    } else if (strcmp(path, "/big") == 0 || strcmp(path, "/chunked") == 0) {
        if (path[1] == 'b')
            snprintf(head, sizeof head,
                     "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     sizeof big);
        else
            snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        (void)!send(c, head, strlen(head), MSG_NOSIGNAL);
        (void)!send(c, big, sizeof big, MSG_NOSIGNAL);
    } else if (strncmp(path, "/hop/", 5) == 0) {
        snprintf(head, sizeof head,
                 "HTTP/1.1 302 Found\r\nLocation: /hop/%d\r\nContent-Length: 0\r\n"
                 "Connection: close\r\n\r\n",
                 (int)strtol(path + 5, NULL, 10) - 1);
        (void)!send(c, head, strlen(head), MSG_NOSIGNAL);
    } else if (strcmp(path, "/echo") == 0) {
        const char *x = strstr(req, "X-Test: ");
        char v[64] = "";
        if (x) sscanf(x + 8, "%63[^\r]", v);
        snprintf(head, sizeof head,
                 "HTTP/1.1 404 Not Found\r\nX-Echo: %s\r\nContent-Length: 2\r\n"
                 "Connection: close\r\n\r\nno",
                 v);
        (void)!send(c, head, strlen(head), MSG_NOSIGNAL);
    }
}

static void *serve(void *ud)
{
    server *s = ud;
    for (;;) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0) break;
        answer(c, s);
        shutdown(c, SHUT_WR);
        char drain[256];
        while (recv(c, drain, sizeof drain, 0) > 0) {
        }
        close(c);
    }
    return NULL;
}

static int setup(void **state)
{
    server *s = calloc(1, sizeof *s);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->fd, 8), 0);
    socklen_t al = sizeof a;
    assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &al), 0);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
    assert_int_equal(wb_http_global_init(), 0);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    server *s = *state;
    shutdown(s->fd, SHUT_RDWR);
    close(s->fd);
    pthread_join(s->th, NULL);
    free(s);
    return 0;
}

static void url(server *s, const char *path, char *out, size_t cap)
{
    snprintf(out, cap, "http://127.0.0.1:%d%s", s->port, path);
}

static void test_bounded_sink(void **state)
{
    server *s = *state;
    char u[128];
    wb_buf b = {0};
    wb_error err;
    long status;
    url(s, "/small", u, sizeof u);
    wb_http_req r = {.url = u, .out = &b, .max_body = 5};
    assert_int_equal(wb_http_request(NULL, &r, &status, &err), 0);
    assert_int_equal(status, 200);
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.data, "hello", 5);
    /* announced larger than the bound, and not announced */
    const char *paths[] = {"/big", "/chunked"};
    for (int i = 0; i < 2; i++) {
        url(s, paths[i], u, sizeof u);
        r.max_body = 1000;
        assert_int_equal(wb_http_request(NULL, &r, &status, &err), WB_ELIMIT);
        assert_non_null(strstr(err.msg, u));
        assert_non_null(strstr(err.msg, "larger than 1000 bytes"));
        assert_true(b.len <= 1000);
    }
    /* a file sink */
    FILE *fp = tmpfile();
    assert_non_null(fp);
    url(s, "/big", u, sizeof u);
    wb_http_req rf = {.url = u, .file = fp};
    assert_int_equal(wb_http_request(NULL, &rf, &status, &err), 0);
    assert_int_equal(ftell(fp), 4000);
    fclose(fp);
    wb_buf_free(&b);
}

static void test_redirects(void **state)
{
    server *s = *state;
    char u[128];
    wb_buf b = {0};
    wb_error err;
    long status;
    url(s, "/hop/2", u, sizeof u);
    wb_http_req r = {.url = u, .out = &b};
    assert_int_equal(wb_http_request(NULL, &r, &status, &err), 0);
    assert_int_equal(status, 302); /* not followed */
    wb_http_opts o = {.max_redirects = 2};
    assert_int_equal(wb_http_request(&o, &r, &status, &err), 0);
    assert_int_equal(status, 200);
    assert_memory_equal(b.data, "hello", 5);
    o.max_redirects = 1;
    assert_int_equal(wb_http_request(&o, &r, &status, &err), WB_EIO);
    assert_non_null(strstr(err.msg, u));
    wb_buf_free(&b);
}

static void on_header(void *ud, const char *line, size_t n)
{
    if (n > 8 && strncmp(line, "X-Echo: ", 8) == 0)
        snprintf(ud, 64, "%.*s", (int)(n - 10), line + 8);
}

static void test_headers_and_errors(void **state)
{
    server *s = *state;
    char u[128], echo[64] = "";
    wb_buf b = {0};
    wb_error err;
    long status;
    url(s, "/echo", u, sizeof u);
    const char *h[] = {"X-Test: ping"};
    wb_http_req r = {.url = u,
                     .method = "DELETE",
                     .headers = h,
                     .nheaders = 1,
                     .out = &b,
                     .on_header = on_header,
                     .ud = echo};
    wb_http_opts o = {.user_agent = "weerbaar-test/1"};
    assert_int_equal(wb_http_request(&o, &r, &status, &err), 0);
    assert_int_equal(status, 404); /* a status is the caller's to judge */
    assert_string_equal(echo, "ping");
    assert_non_null(strstr(s->last_req, "DELETE /echo "));
    assert_non_null(strstr(s->last_req, "User-Agent: weerbaar-test/1"));
    /* a POST body goes out as given */
    url(s, "/small", u, sizeof u);
    wb_http_req p = {.url = u, .body = "{\"a\":1}", .body_len = 7, .out = &b};
    assert_int_equal(wb_http_request(NULL, &p, &status, &err), 0);
    assert_non_null(strstr(s->last_req, "POST /small "));
    assert_non_null(strstr(s->last_req, "User-Agent: weerbaar/"));
    /* nobody listening */
    snprintf(u, sizeof u, "http://127.0.0.1:1/x");
    wb_http_req d = {.url = u, .out = &b};
    assert_int_equal(wb_http_request(NULL, &d, &status, &err), WB_EIO);
    assert_non_null(strstr(err.msg, u));
    assert_int_equal(status, 0);
    wb_buf_free(&b);
}

static void *init_thread(void *ud)
{
    *(int *)ud = wb_http_global_init();
    return NULL;
}

/* libcurl's global set-up from several threads at once, and again: once,
 * and every caller sees its result. */
static void test_global_init_once(void **state)
{
    (void)state;
    pthread_t th[4];
    int rc[4] = {-1, -1, -1, -1};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, init_thread, &rc[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(rc[i], 0);
    }
    assert_int_equal(wb_http_global_init(), 0);
    void *h = wb_http_handle(NULL);
    assert_non_null(h);
    wb_http_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_global_init_once),
        cmocka_unit_test(test_bounded_sink),
        cmocka_unit_test(test_redirects),
        cmocka_unit_test(test_headers_and_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
