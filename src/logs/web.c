/*
 * web.c - web server and proxy access logs: Common/Combined Log Format and
 * Apache's vhost_combined ("clf", also Squid's `logformat combined` and
 * nginx's default), and Squid's native access.log ("squid").
 *
 * A request's target is checked as a URL only when it carries its host
 * (absolute form, as proxies log it) or when a vhost names the host; its
 * host is checked on its own too, so a domain indicator matches a URL.
 */
#include <string.h>

#include "logs/logs_internal.h"

typedef struct tok {
    const char *p;
    size_t n;
} tok;

static size_t split_ws(const char *p, size_t n, tok *t, size_t max)
{
    size_t k = 0, i = 0;
    while (i < n && k < max) {
        while (i < n && p[i] == ' ')
            i++;
        if (i >= n) break;
        size_t s = i;
        while (i < n && p[i] != ' ')
            i++;
        t[k].p = p + s;
        t[k].n = i - s;
        k++;
    }
    return k;
}

static bool has_scheme(const char *p, size_t n)
{
    const char *c = memchr(p, ':', n);
    return c && c > p && (size_t)(c - p) + 2 < n && c[1] == '/' && c[2] == '/';
}

static unsigned host_kinds(const char *p, size_t n)
{
    return wbi_is_ip(p, n) ? WB_V_IP : WB_V_DOMAIN;
}

static void emit(wb_scan *s, const char *field, const char *p, size_t n, unsigned kinds)
{
    wb_scan_value(s, field, strlen(field), p, n, kinds);
}

/* An absolute URL and its host. */
static void emit_url(wb_scan *s, const char *field, const char *host_field, const char *p, size_t n)
{
    const char *h;
    size_t hn;
    emit(s, field, p, n, WB_V_URL);
    if (wb_url_host(p, n, &h, &hn)) emit(s, host_field, h, hn, host_kinds(h, hn));
}

/* The client of the current request (wb_ctx_fn): its address is the
 * originator of the record's flow. */
static void client_ctx(wb_scan *s, const void *arg)
{
    const tok *t = arg;
    if (wbi_is_ip(t->p, t->n)) wb_scan_ctx(s, WB_CTX_ORIG_H, t->p, t->n);
}

/* ---- CLF / combined / vhost_combined ---------------------------------------- */

typedef struct clf_rec {
    tok vhost, client, ts, request, referer;
} clf_rec;

/* A quoted field starting at p[0] == '"'; Apache escapes '"' inside as \". */
static const char *quoted(const char *p, const char *end, tok *out)
{
    if (p >= end || *p != '"') return NULL;
    const char *q = p + 1;
    while (q < end && *q != '"') {
        if (*q == '\\' && q + 1 < end) q++;
        q++;
    }
    if (q >= end) return NULL;
    out->p = p + 1;
    out->n = (size_t)(q - p - 1);
    return q + 1;
}

static bool clf_parse(const char *p, size_t n, clf_rec *r)
{
    const char *end = p + n;
    const char *lb = memmem(p, n, " [", 2);
    if (!lb) return false;
    tok pre[5];
    size_t np = split_ws(p, (size_t)(lb - p), pre, 5);
    if (np == 3) {
        r->vhost = (tok){NULL, 0};
        r->client = pre[0];
    } else if (np == 4) { /* %v:%p %h %l %u */
        r->vhost = pre[0];
        r->client = pre[1];
    } else {
        return false;
    }
    const char *rb = memchr(lb, ']', (size_t)(end - lb));
    if (!rb) return false;
    r->ts = (tok){lb + 2, (size_t)(rb - lb - 2)};
    const char *q = rb + 1;
    if (q >= end || *q != ' ') return false;
    q = quoted(q + 1, end, &r->request);
    if (!q) return false;
    /* status and size */
    tok rest[2];
    const char *next = q;
    size_t nr = 0;
    while (nr < 2) {
        while (next < end && *next == ' ')
            next++;
        const char *b = next;
        while (next < end && *next != ' ')
            next++;
        if (next == b) break;
        rest[nr++] = (tok){b, (size_t)(next - b)};
    }
    if (nr < 2 || rest[0].n != 3 || rest[0].p[0] < '1' || rest[0].p[0] > '5') return false;
    r->referer = (tok){NULL, 0};
    while (next < end && *next == ' ')
        next++;
    if (next < end && !quoted(next, end, &r->referer)) return false;
    return true;
}

static void clf_request(wb_scan *s, const clf_rec *r, wb_buf *scratch, int *rc)
{
    tok t[3];
    size_t nt = split_ws(r->request.p, r->request.n, t, 3);
    if (nt < 2) return; /* "-" or a bare garbage request */
    tok target = t[1];
    if (t[0].n == 7 && memcmp(t[0].p, "CONNECT", 7) == 0) {
        const char *h = target.p;
        size_t hn = target.n;
        wbi_strip_port(&h, &hn);
        if (hn) emit(s, "request", h, hn, host_kinds(h, hn));
    } else if (has_scheme(target.p, target.n)) {
        emit_url(s, "request", "host", target.p, target.n);
    } else if (target.n && target.p[0] == '/' && r->vhost.n) {
        const char *h = r->vhost.p;
        size_t hn = r->vhost.n;
        wbi_strip_port(&h, &hn);
        wb_buf_reset(scratch);
        if (wb_buf_append(scratch, h, hn) || wb_buf_append(scratch, target.p, target.n)) {
            *rc = WB_ENOMEM;
            return;
        }
        emit(s, "vhost+request", scratch->data, scratch->len, WB_V_URL);
    }
}

static int clf_line_scan(wb_scan *s, uint64_t ln, const char *p, size_t n, void *ctx)
{
    wb_buf *scratch = ctx;
    clf_rec r;
    int rc = 0;
    if (!clf_parse(p, n, &r)) {
        wb_scan_malformed(s, ln, "not a Common/Combined Log Format line");
        return 0;
    }
    wb_scan_record(s, ln);
    wb_scan_ctx_source(s, client_ctx, &r.client);
    wb_scan_ts(s, r.ts.p, r.ts.n, wbi_ts_clf);
    if (r.vhost.n) {
        const char *h = r.vhost.p;
        size_t hn = r.vhost.n;
        wbi_strip_port(&h, &hn);
        if (hn && !(hn == 1 && h[0] == '-')) emit(s, "vhost", h, hn, host_kinds(h, hn));
    }
    if (!(r.client.n == 1 && r.client.p[0] == '-'))
        emit(s, "client", r.client.p, r.client.n, host_kinds(r.client.p, r.client.n));
    clf_request(s, &r, scratch, &rc);
    if (r.referer.n && !(r.referer.n == 1 && r.referer.p[0] == '-'))
        emit(s, "referer", r.referer.p, r.referer.n, WB_V_URL | WB_V_URL_HOST);
    return rc;
}

static int clf_scan(const void *state, void **state_out, wb_scan *s, const char *buf, size_t len,
                    const wb_logopts *opts)
{
    (void)state;
    (void)opts;
    *state_out = NULL;
    wb_buf scratch = {0};
    int rc = wbi_scan_lines(s, buf, len, clf_line_scan, &scratch);
    wb_buf_free(&scratch);
    return rc;
}

static bool clf_line(const char *p, size_t n)
{
    clf_rec r;
    wb_time t;
    return clf_parse(p, n, &r) && wbi_ts_clf(r.ts.p, r.ts.n, &t) == 0;
}

static int clf_detect(const char *buf, size_t len)
{
    return wbi_detect_lines(buf, len, clf_line, 80);
}

/* ---- Squid native ------------------------------------------------------------- */

/* time elapsed client code/status bytes method URL user hierarchy/peer type */
static bool squid_parse(const char *p, size_t n, tok *t, size_t *nt)
{
    *nt = split_ws(p, n, t, 10);
    if (*nt < 7) return false;
    const char *dot = memchr(t[0].p, '.', t[0].n);
    size_t il = dot ? (size_t)(dot - t[0].p) : t[0].n;
    if (il == 0 || il > 12) return false;
    for (size_t i = 0; i < t[0].n; i++)
        if ((t[0].p[i] < '0' || t[0].p[i] > '9') && t[0].p + i != dot) return false;
    if (!memchr(t[3].p, '/', t[3].n)) return false;
    for (size_t i = 0; i < t[4].n; i++)
        if (t[4].p[i] < '0' || t[4].p[i] > '9') return false;
    return true;
}

static int squid_line_scan(wb_scan *s, uint64_t ln, const char *p, size_t n, void *ctx)
{
    (void)ctx;
    tok t[10];
    size_t nt;
    if (!squid_parse(p, n, t, &nt)) {
        wb_scan_malformed(s, ln, "not a Squid native access.log line");
        return 0;
    }
    wb_scan_record(s, ln);
    wb_scan_ctx_source(s, client_ctx, &t[2]);
    wb_scan_ts(s, t[0].p, t[0].n, wbi_ts_epoch);
    emit(s, "client", t[2].p, t[2].n, host_kinds(t[2].p, t[2].n));
    tok url = t[6];
    if (has_scheme(url.p, url.n)) {
        emit_url(s, "url", "host", url.p, url.n);
    } else if ((t[5].n == 7 && memcmp(t[5].p, "CONNECT", 7) == 0) ||
               (url.n && url.p[0] != '/' && memchr(url.p, ':', url.n) &&
                memchr(url.p, '.', url.n))) {
        const char *h = url.p;
        size_t hn = url.n;
        wbi_strip_port(&h, &hn);
        if (hn) emit(s, "host", h, hn, host_kinds(h, hn));
    }
    if (nt >= 9) {
        const char *slash = memchr(t[8].p, '/', t[8].n);
        if (slash) {
            const char *peer = slash + 1;
            size_t pn = t[8].n - (size_t)(peer - t[8].p);
            if (pn && !(pn == 1 && peer[0] == '-')) emit(s, "peer", peer, pn, host_kinds(peer, pn));
        }
    }
    return 0;
}

static int squid_scan(const void *state, void **state_out, wb_scan *s, const char *buf, size_t len,
                      const wb_logopts *opts)
{
    (void)state;
    (void)opts;
    *state_out = NULL;
    return wbi_scan_lines(s, buf, len, squid_line_scan, NULL);
}

static bool squid_line(const char *p, size_t n)
{
    tok t[10];
    size_t nt;
    return squid_parse(p, n, t, &nt);
}

static int squid_detect(const char *buf, size_t len)
{
    return wbi_detect_lines(buf, len, squid_line, 85);
}

const wb_logfmt wbi_fmt_clf = {
    .name = "clf",
    .summary = "web access logs: Common, Combined and vhost_combined Log Format",
    .checks = "client as IP, absolute request URL as URL and its host, CONNECT host, "
              "vhost+path as URL, referer as URL, vhost as domain; [dd/Mon/yyyy:hh:mm:ss zone]",
    .detect = clf_detect,
    .scan = clf_scan,
    .state_free = NULL,
};

const wb_logfmt wbi_fmt_squid = {
    .name = "squid",
    .summary = "Squid native access.log",
    .checks = "client as IP, URL as URL and its host as domain, CONNECT host, peer after "
              "HIER_*/ as IP; epoch time",
    .detect = squid_detect,
    .scan = squid_scan,
    .state_free = NULL,
};
