/*
 * http_head.c - checks the head of an HTTP/1.x request (request line and
 * header fields) as it arrives, before the connection is handed to
 * libmicrohttpd (server.c).
 *
 * Why the hub reads the head itself: libmicrohttpd 0.9.75 answers what it
 * refuses in the request line and the header block in HTML of its own
 * (414, 431, 505, a missing Host, a malformed Content-Length), gives no
 * answer at all to a garbage request line, and accepts two differing
 * Content-Length headers. Every refusal here is one of the hub's JSON
 * errors, and a head this check passes is one libmicrohttpd takes as it is
 * (strictly a subset of what it accepts), so that it never writes its own.
 *
 * Pure: no sockets, no allocation. The server calls it again with more
 * bytes until it answers complete or refused; fuzz/fuzz_http_head.c drives
 * it with arbitrary bytes.
 */
#include <string.h>

#include "hub/hub_internal.h"

#define MAX_FIELDS 100
#define MAX_LEADING_BLANK 8

static bool tchar(unsigned char c)
{
    if (c >= '0' && c <= '9') return true;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* The line starting at buf[i]: its content ends at *end (before "\r\n" or
 * "\n"), the next line starts at *next. 1 when the line is not complete
 * yet, -1 for a CR that is not followed by LF. */
static int next_line(const char *buf, size_t n, size_t i, size_t *end, size_t *next)
{
    const char *lf = memchr(buf + i, '\n', n - i);
    size_t stop = lf ? (size_t)(lf - buf) : n;
    const char *cr = memchr(buf + i, '\r', stop - i);
    if (cr && (size_t)(cr - buf) + 1 != stop) return -1; /* a bare CR */
    if (cr && lf == NULL) return 1;
    if (lf == NULL) return 1;
    *end = cr ? (size_t)(cr - buf) : stop;
    *next = stop + 1;
    return 0;
}

static bool name_is(const char *p, size_t n, const char *name)
{
    return strlen(name) == n && wb_strn_ieq(p, n, name);
}

static int refuse(wbi_problem *prob, unsigned status, const char *code, const char *msg)
{
    wbi_problem_set(prob, status, code, "%s", msg);
    return -1;
}

/* The request line buf[0..e): METHOD SP TARGET SP HTTP/x.y. */
static int request_line(const char *buf, size_t e, size_t max_target, wbi_hub_http_head *h,
                        wbi_problem *prob)
{
    size_t i = 0;
    while (i < e && i <= 32 && tchar((unsigned char)buf[i]))
        i++;
    if (i == 0 || i > 32 || i >= e || buf[i] != ' ')
        return refuse(prob, 400, "invalid_request", "malformed request line");
    size_t t0 = ++i;
    while (i < e && buf[i] != ' ') {
        unsigned char c = (unsigned char)buf[i];
        if (c <= 0x20 || c >= 0x7f)
            return refuse(prob, 400, "invalid_request",
                          "the request target holds a control, space or non-ASCII byte");
        i++;
    }
    size_t tlen = i - t0;
    if (tlen > max_target)
        return refuse(prob, 414, "uri_too_long", "the request target is too long");
    if (tlen == 0 || (buf[t0] != '/' && !(tlen == 1 && buf[t0] == '*')))
        return refuse(prob, 400, "invalid_request", "the request target must start with '/'");
    for (size_t k = t0; k + 2 < t0 + tlen; k++)
        if (buf[k] == '%' && buf[k + 1] == '0' && buf[k + 2] == '0')
            return refuse(prob, 400, "invalid_request",
                          "a NUL byte (%00) in the request target is not accepted");
    if (i >= e || buf[i] != ' ')
        return refuse(prob, 400, "invalid_request", "the request line has no HTTP version");
    const char *v = buf + i + 1;
    size_t vlen = e - i - 1;
    if (vlen == 8 && memcmp(v, "HTTP/1.", 7) == 0 && (v[7] == '0' || v[7] == '1')) {
        h->http10 = v[7] == '0';
        return 0;
    }
    if (vlen == 8 && memcmp(v, "HTTP/", 5) == 0 && v[5] >= '0' && v[5] <= '9' && v[6] == '.' &&
        v[7] >= '0' && v[7] <= '9')
        return refuse(prob, 505, "http_version_not_supported", "only HTTP/1.0 and HTTP/1.1");
    return refuse(prob, 400, "invalid_request", "malformed HTTP version in the request line");
}

/* One header field buf[s..e). */
static int field(const char *buf, size_t s, size_t e, wbi_hub_http_head *h, wbi_problem *prob)
{
    if (buf[s] == ' ' || buf[s] == '\t')
        return refuse(prob, 400, "invalid_request", "folded header lines are not accepted");
    size_t i = s;
    while (i < e && tchar((unsigned char)buf[i]))
        i++;
    if (i == s || i >= e || buf[i] != ':')
        return refuse(prob, 400, "invalid_request", "malformed header field");
    const char *name = buf + s;
    size_t nlen = i - s;
    i++;
    while (i < e && (buf[i] == ' ' || buf[i] == '\t'))
        i++;
    size_t vend = e;
    while (vend > i && (buf[vend - 1] == ' ' || buf[vend - 1] == '\t'))
        vend--;
    for (size_t k = i; k < vend; k++) {
        unsigned char c = (unsigned char)buf[k];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return refuse(prob, 400, "invalid_request",
                          "a header value holds a NUL or control byte");
    }
    const char *val = buf + i;
    size_t vlen = vend - i;
    if (name_is(name, nlen, "Content-Length")) {
        uint64_t x = 0;
        if (vlen == 0 || vlen > 18)
            return refuse(prob, 400, "invalid_request", "malformed Content-Length");
        for (size_t k = 0; k < vlen; k++) {
            if (val[k] < '0' || val[k] > '9')
                return refuse(prob, 400, "invalid_request", "malformed Content-Length");
            x = x * 10 + (uint64_t)(val[k] - '0');
        }
        if (h->has_length && h->length != x)
            return refuse(prob, 400, "invalid_request",
                          "two Content-Length headers that differ: ambiguous framing");
        h->has_length = true;
        h->length = x;
    } else if (name_is(name, nlen, "Transfer-Encoding")) {
        h->has_te = true;
    } else if (name_is(name, nlen, "Host")) {
        if (h->has_host) return refuse(prob, 400, "invalid_request", "more than one Host header");
        h->has_host = true;
    } else if (name_is(name, nlen, "Authorization")) {
        h->has_auth = true;
    }
    return 0;
}

int wbi_hub_http_head_check(const char *buf, size_t n, size_t max_head, size_t max_target,
                            wbi_hub_http_head *h, wbi_problem *prob)
{
    memset(h, 0, sizeof *h);
    size_t i = 0, e, next;
    int rc;
    /* A client may send blank lines before a request (RFC 9112 2.2). */
    for (int k = 0; k <= MAX_LEADING_BLANK; k++) {
        rc = next_line(buf, n, i, &e, &next);
        if (rc != 0 || e != i) break;
        i = next;
    }
    rc = next_line(buf, n, i, &e, &next);
    if (rc < 0) return refuse(prob, 400, "invalid_request", "a bare CR in the request line");
    if (rc > 0) {
        /* Judge what there is of the request line already: garbage is
         * refused at once, not when the deadline runs out. */
        size_t m = n - i;
        while (m > 0 && (buf[i + m - 1] == '\r'))
            m--;
        const char *sp = memchr(buf + i, ' ', m);
        for (size_t k = i; k < i + m && (sp == NULL || buf + k < sp); k++)
            if (!tchar((unsigned char)buf[k]))
                return refuse(prob, 400, "invalid_request", "malformed request line");
        if (m > max_target + 48)
            return refuse(prob, 414, "uri_too_long", "the request target is too long");
        if ((sp ? (size_t)(sp - buf) - i : m) > 32)
            return refuse(prob, 400, "invalid_request", "malformed request line");
        return 1;
    }
    if (request_line(buf + i, e - i, max_target, h, prob) != 0) return -1;
    size_t nfields = 0;
    for (i = next;;) {
        rc = next_line(buf, n, i, &e, &next);
        if (rc < 0) return refuse(prob, 400, "invalid_request", "a bare CR in a header line");
        if (rc > 0) {
            if (n > max_head)
                return refuse(prob, 431, "headers_too_large",
                              "the request's header block is too large");
            return 1;
        }
        if (next > max_head)
            return refuse(prob, 431, "headers_too_large",
                          "the request's header block is too large");
        if (e == i) break; /* the blank line that ends the head */
        if (++nfields > MAX_FIELDS)
            return refuse(prob, 431, "headers_too_large", "more than 100 header fields");
        if (field(buf, i, e, h, prob) != 0) return -1;
        i = next;
    }
    h->len = next;
    if (!h->http10 && !h->has_host)
        return refuse(prob, 400, "invalid_request", "an HTTP/1.1 request needs a Host header");
    if (h->has_te && h->has_length)
        return refuse(prob, 400, "invalid_request",
                      "both Transfer-Encoding and Content-Length: ambiguous framing");
    if (h->has_te)
        return refuse(prob, 411, "length_required",
                      "request bodies must be sent with a Content-Length, not chunked");
    return 0;
}
