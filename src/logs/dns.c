/*
 * dns.c - DNS server query logs: BIND 9 querylog ("dns-bind"), Unbound
 * log-queries/log-replies ("dns-unbound") and dnsmasq log-queries
 * ("dnsmasq").
 *
 * These are text lines with a fixed shape, so each reader is a small
 * hand-written matcher over the line: it finds its anchor (": query: ",
 * " info: ", "dnsmasq[") and reads the tokens after it. Lines of the same
 * program that are not about a query (Unbound's "start of service",
 * dnsmasq's DHCP messages) are neither records nor malformed; lines that do
 * not come from the program at all are malformed.
 */
#include <string.h>

#include "logs/logs_internal.h"

typedef struct tok {
    const char *p;
    size_t n;
} tok;

/* Splits p[0..n) on runs of spaces into at most max tokens; returns the count. */
static size_t split_ws(const char *p, size_t n, tok *t, size_t max)
{
    size_t k = 0, i = 0;
    while (i < n && k < max) {
        while (i < n && (p[i] == ' ' || p[i] == '\t'))
            i++;
        if (i >= n) break;
        size_t s = i;
        while (i < n && p[i] != ' ' && p[i] != '\t')
            i++;
        t[k].p = p + s;
        t[k].n = i - s;
        k++;
    }
    return k;
}

static const char *find(const char *p, size_t n, const char *lit)
{
    return memmem(p, n, lit, strlen(lit));
}

static bool tok_is(tok t, const char *lit)
{
    return strlen(lit) == t.n && memcmp(t.p, lit, t.n) == 0;
}

/* A name as the servers print it, without the root's trailing dot. */
static void emit_name(wb_scan *s, const char *field, const char *p, size_t n)
{
    if (n > 1 && p[n - 1] == '.') n--;
    if (n == 1 && p[0] == '.') return;
    wb_scan_value(s, field, strlen(field), p, n, wbi_is_ip(p, n) ? WB_V_IP : WB_V_DOMAIN);
}

static void emit_ip(wb_scan *s, const char *field, const char *p, size_t n)
{
    if (wbi_is_ip(p, n)) wb_scan_value(s, field, strlen(field), p, n, WB_V_IP);
}

/* A syslog or RFC 3339 timestamp at the start of the line, if any. */
static void line_ts(wb_scan *s, const char *p, size_t n)
{
    wb_ts_parser parse;
    size_t l = wbi_line_ts_prefix(p, n, &parse);
    if (l) wb_scan_ts(s, p, l, parse);
}

/* ---- BIND ------------------------------------------------------------------- */

/* "01-Jan-2024 10:00:00.123" at the start of the line: its length, or 0. */
static size_t bind_ts_len(const char *p, size_t n)
{
    if (n < 20 || p[2] != '-' || p[6] != '-' || p[11] != ' ' || p[14] != ':' || !wbi_month(p + 3))
        return 0;
    size_t e = 20;
    while (e < n && p[e] != ' ')
        e++;
    return e;
}

/* The client of the current query (wb_ctx_fn). */
static void client_ctx(wb_scan *s, const void *arg)
{
    const tok *t = arg;
    if (wbi_is_ip(t->p, t->n)) wb_scan_ctx(s, WB_CTX_ORIG_H, t->p, t->n);
}

typedef struct bind_rec {
    tok client, query, server;
} bind_rec;

static bool bind_parse(const char *p, size_t n, bind_rec *r)
{
    const char *c = find(p, n, "client ");
    if (!c) return false;
    const char *end = p + n;
    c += 7;
    if (c < end && *c == '@') { /* client object address, BIND >= 9.11 */
        while (c < end && *c != ' ')
            c++;
        c++;
    }
    const char *hash = c < end ? memchr(c, '#', (size_t)(end - c)) : NULL;
    if (!hash || !wbi_is_ip(c, (size_t)(hash - c))) return false;
    r->client = (tok){c, (size_t)(hash - c)};
    const char *q = find(hash, (size_t)(end - hash), ": query: ");
    if (!q) return false;
    q += 9;
    const char *qe = q;
    while (qe < end && *qe != ' ')
        qe++;
    if (qe == q) return false;
    r->query = (tok){q, (size_t)(qe - q)};
    r->server = (tok){NULL, 0};
    /* The server address the query came in on, in the last parentheses. */
    const char *e = end;
    while (e > qe && e[-1] == ' ')
        e--;
    if (e > qe && e[-1] == ')') {
        const char *o = e - 1;
        while (o > qe && *o != '(')
            o--;
        if (*o == '(' && wbi_is_ip(o + 1, (size_t)(e - 1 - (o + 1))))
            r->server = (tok){o + 1, (size_t)(e - 1 - (o + 1))};
    }
    return true;
}

static int bind_line_scan(wb_scan *s, uint64_t ln, const char *p, size_t n, void *ctx)
{
    (void)ctx;
    bind_rec r;
    if (!bind_parse(p, n, &r)) {
        wb_scan_malformed(s, ln, "not a BIND query log line");
        return 0;
    }
    wb_scan_record(s, ln);
    wb_scan_ctx_source(s, client_ctx, &r.client);
    size_t tl = bind_ts_len(p, n);
    if (tl)
        wb_scan_ts(s, p, tl, wbi_ts_bind);
    else
        line_ts(s, p, n);
    emit_ip(s, "client", r.client.p, r.client.n);
    emit_name(s, "query", r.query.p, r.query.n);
    if (r.server.n) emit_ip(s, "server", r.server.p, r.server.n);
    return 0;
}

static int bind_scan(const void *state, void **state_out, wb_scan *s, const char *buf, size_t len,
                     const wb_logopts *opts)
{
    (void)state;
    (void)opts;
    *state_out = NULL;
    return wbi_scan_lines(s, buf, len, bind_line_scan, NULL);
}

static bool bind_line(const char *p, size_t n)
{
    bind_rec r;
    return bind_parse(p, n, &r);
}

static int bind_detect(const char *buf, size_t len)
{
    return wbi_detect_lines(buf, len, bind_line, 90);
}

/* ---- Unbound ------------------------------------------------------------------ */

typedef struct unbound_rec {
    tok client, query;
} unbound_rec;

/* 1: a query or reply line, 0: another Unbound line, -1: not Unbound. */
static int unbound_parse(const char *p, size_t n, unbound_rec *r)
{
    static const char *const tags[] = {" info: ", " query: ", " reply: ", NULL};
    bool unbound = find(p, n, "unbound") != NULL;
    for (size_t i = 0; tags[i]; i++) {
        const char *t = find(p, n, tags[i]);
        if (!t) continue;
        t += strlen(tags[i]);
        tok k[5];
        size_t nt = split_ws(t, (size_t)(p + n - t), k, 5);
        /* client, name (always fully qualified), type, class */
        if (nt >= 4 && wbi_is_ip(k[0].p, k[0].n) && k[1].p[k[1].n - 1] == '.') {
            r->client = k[0];
            r->query = k[1];
            return 1;
        }
    }
    return unbound || (n && p[0] == '[') ? 0 : -1;
}

static int unbound_line_scan(wb_scan *s, uint64_t ln, const char *p, size_t n, void *ctx)
{
    (void)ctx;
    unbound_rec r;
    int k = unbound_parse(p, n, &r);
    if (k < 0) wb_scan_malformed(s, ln, "not an Unbound log line");
    if (k <= 0) return 0;
    wb_scan_record(s, ln);
    wb_scan_ctx_source(s, client_ctx, &r.client);
    if (p[0] == '[') {
        const char *close = memchr(p, ']', n);
        if (close) wb_scan_ts(s, p + 1, (size_t)(close - p - 1), wbi_ts_epoch);
    } else {
        line_ts(s, p, n);
    }
    emit_ip(s, "client", r.client.p, r.client.n);
    emit_name(s, "query", r.query.p, r.query.n);
    return 0;
}

static int unbound_scan(const void *state, void **state_out, wb_scan *s, const char *buf,
                        size_t len, const wb_logopts *opts)
{
    (void)state;
    (void)opts;
    *state_out = NULL;
    return wbi_scan_lines(s, buf, len, unbound_line_scan, NULL);
}

static bool unbound_line(const char *p, size_t n)
{
    unbound_rec r;
    return find(p, n, "unbound") && unbound_parse(p, n, &r) >= 0;
}

static int unbound_detect(const char *buf, size_t len)
{
    return wbi_detect_lines(buf, len, unbound_line, 90);
}

/* ---- dnsmasq ------------------------------------------------------------------ */

/* The message after "dnsmasq[pid]: " or "dnsmasq: ", or NULL. */
static const char *dnsmasq_msg(const char *p, size_t n)
{
    const char *d = find(p, n, "dnsmasq");
    if (!d) return NULL;
    const char *end = p + n, *m = d + 7;
    /* dnsmasq-dhcp, dnsmasq-tftp, ...: the same program */
    while (m < end && (*m == '-' || (*m >= 'a' && *m <= 'z')))
        m++;
    if (m < end && *m == '[') {
        m = memchr(m, ']', (size_t)(end - m));
        if (!m) return NULL;
        m++;
    }
    if (m + 1 >= end || m[0] != ':' || m[1] != ' ') return NULL;
    return m + 2;
}

static int dnsmasq_line_scan(wb_scan *s, uint64_t ln, const char *p, size_t n, void *ctx)
{
    (void)ctx;
    const char *m = dnsmasq_msg(p, n);
    if (!m) {
        wb_scan_malformed(s, ln, "not a dnsmasq log line");
        return 0;
    }
    tok t[6];
    size_t nt = split_ws(m, (size_t)(p + n - m), t, 6);
    size_t i = 0;
    /* log-queries=extra puts a serial and the client's addr/port first. */
    if (nt >= 2 && t[0].n && t[0].p[0] >= '0' && t[0].p[0] <= '9' && memchr(t[1].p, '/', t[1].n) &&
        !memchr(t[0].p, '.', t[0].n))
        i = 2;
    if (nt < i + 4) return 0; /* not a query message */
    tok verb = t[i], name = t[i + 1], prep = t[i + 2], arg = t[i + 3];
    const char *field;
    if (verb.n > 6 && memcmp(verb.p, "query[", 6) == 0 && tok_is(prep, "from"))
        field = "client";
    else if (tok_is(verb, "forwarded") && tok_is(prep, "to"))
        field = "upstream";
    else if (tok_is(prep, "is"))
        field = "answer"; /* reply, cached, config, /etc/hosts, ... */
    else
        return 0;
    wb_scan_record(s, ln);
    if (field[0] == 'c') wb_scan_ctx_source(s, client_ctx, &arg);
    line_ts(s, p, n);
    emit_name(s, "query", name.p, name.n);
    if (field[0] == 'a' && !wbi_is_ip(arg.p, arg.n)) {
        /* A PTR answer is a name; <CNAME>, NXDOMAIN, NODATA are not values. */
        if (wbi_is_ip(name.p, name.n) && arg.p[0] != '<')
            wb_scan_value(s, "answer", 6, arg.p, arg.n, WB_V_DOMAIN);
        return 0;
    }
    emit_ip(s, field, arg.p, arg.n);
    return 0;
}

static int dnsmasq_scan(const void *state, void **state_out, wb_scan *s, const char *buf,
                        size_t len, const wb_logopts *opts)
{
    (void)state;
    (void)opts;
    *state_out = NULL;
    return wbi_scan_lines(s, buf, len, dnsmasq_line_scan, NULL);
}

static bool dnsmasq_line(const char *p, size_t n)
{
    return dnsmasq_msg(p, n) != NULL;
}

static int dnsmasq_detect(const char *buf, size_t len)
{
    return wbi_detect_lines(buf, len, dnsmasq_line, 90);
}

const wb_logfmt wbi_fmt_dns_bind = {
    .name = "dns-bind",
    .summary = "BIND 9 query log (querylog, category queries)",
    .checks = "client as IP, query name as domain, server address as IP; dd-Mon-yyyy time (UTC)",
    .detect = bind_detect,
    .scan = bind_scan,
    .state_free = NULL,
};

const wb_logfmt wbi_fmt_dns_unbound = {
    .name = "dns-unbound",
    .summary = "Unbound log-queries and log-replies lines",
    .checks = "client as IP, query name as domain; [epoch] or syslog time",
    .detect = unbound_detect,
    .scan = unbound_scan,
    .state_free = NULL,
};

const wb_logfmt wbi_fmt_dnsmasq = {
    .name = "dnsmasq",
    .summary = "dnsmasq log-queries lines (syslog or log-facility file)",
    .checks = "query name as domain, client (from), upstream (to) and answer (is) as IP; "
              "syslog time",
    .detect = dnsmasq_detect,
    .scan = dnsmasq_scan,
    .state_free = NULL,
};
