/*
 * json.c - the JSON-lines readers: Zeek JSON ("zeek-json"), Suricata EVE
 * ("eve") and generic JSON lines ("jsonl").
 *
 * Each line is one JSON object, read by the one-pass reader in jsonflat.c
 * into a flat list of values with their dotted paths ("dns.rrname";
 * elements of arrays get the array's path, so "dns.answers.rdata"). The
 * three formats share that list and differ in how a path maps to kinds of
 * value. Strings are handed to the scan straight from the line (or, when
 * they hold escapes, from the reader's buffer), valid until the line is done.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "logs/jsonflat.h"
#include "logs/logs_internal.h"

enum jfmt { J_ZEEK, J_EVE, J_JSONL };

typedef struct jctx {
    enum jfmt fmt;
    wb_scan *s;
    const wb_logopts *opts;
    wbi_jflat f;
    const wbi_jent *ts; /* the entry the timestamp came from: not a value */
    wb_buf scratch;
    int rc;
} jctx;

static bool str_is(const char *p, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(p, lit, n) == 0;
}

static bool in_list(const char *p, size_t n, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (str_is(p, n, list[i])) return true;
    return false;
}

/* The entry in object `obj` (not in an array) whose full path is `path`. */
static const wbi_jent *member(const jctx *j, uint32_t obj, const char *path, size_t n)
{
    for (size_t i = 0; i < j->f.n; i++) {
        const wbi_jent *e = &j->f.e[i];
        if (e->obj == obj && !e->in_array && e->plen == n &&
            memcmp(wbi_jent_path(&j->f, e), path, n) == 0)
            return e;
    }
    return NULL;
}

/* The port that pairs with the address at entry e in the same object: X_h
 * with X_p (Zeek), X_ip with X_port and ip with port (EVE). */
static bool sibling_port(const jctx *j, const wbi_jent *e, unsigned *port)
{
    if (e->in_array) return false;
    const char *path = wbi_jent_path(&j->f, e);
    const char *key = path + e->key;
    size_t n = e->plen - e->key;
    char name[160];
    size_t base = e->key; /* the path up to the key */
    if (e->plen + 3 >= sizeof name) return false;
    memcpy(name, path, e->plen);
    size_t nl;
    if (n > 2 && key[n - 2] == '_' && key[n - 1] == 'h') {
        name[e->plen - 1] = 'p';
        nl = e->plen;
    } else if (n >= 2 && key[n - 2] == 'i' && key[n - 1] == 'p' && (n == 2 || key[n - 3] == '_')) {
        memcpy(name + base + n - 2, "port", 4);
        nl = base + n + 2;
    } else {
        return false;
    }
    const wbi_jent *pe = member(j, e->obj, name, nl);
    if (pe == NULL || pe->type != WBI_J_NUM) return false;
    int64_t v;
    if (wb_parse_i64(wbi_jent_val(&j->f, pe), pe->vlen, 0, 65535, &v) != 0) return false;
    *port = (unsigned)v;
    return true;
}

static void emit(jctx *j, const wbi_jent *e, const char *v, size_t n, unsigned kinds)
{
    wb_scan_value(j->s, wbi_jent_path(&j->f, e), e->plen, v, n, kinds);
}

static void zeek_value(jctx *j, const wbi_jent *e, const char *v, size_t n)
{
    const char *path = wbi_jent_path(&j->f, e);
    size_t pl = e->plen;
    if (wbi_zeek_skip_key(path, pl)) return;
    if (wbi_zeek_addr_key(path, pl)) {
        emit(j, e, v, n, WB_V_IP);
        unsigned port;
        if (!j->s->no_ip_port && sibling_port(j, e, &port))
            wb_scan_ip_port(j->s, path, pl, v, n, port);
        return;
    }
    emit(j, e, v, n, WB_V_AUTO);
}

static void eve_value(jctx *j, const wbi_jent *e, const char *v, size_t n)
{
    static const char *const skip[] = {"event_type",
                                       "proto",
                                       "app_proto",
                                       "app_proto_tc",
                                       "app_proto_ts",
                                       "app_proto_orig",
                                       "app_proto_expected",
                                       "in_iface",
                                       "community_id",
                                       "direction",
                                       "pkt_src",
                                       "host",
                                       "capture_file",
                                       "flow.state",
                                       "flow.reason",
                                       "alert.action",
                                       "alert.category",
                                       "alert.signature",
                                       "dns.type",
                                       "dns.rrtype",
                                       "dns.rcode",
                                       "dns.flags",
                                       "dns.queries.rrtype",
                                       "dns.answers.rrtype",
                                       "dns.authorities.rrtype",
                                       "dns.additionals.rrtype",
                                       "dns.query.rrtype",
                                       "dns.answer.rrtype",
                                       "http.http_method",
                                       "http.protocol",
                                       "http.http_content_type",
                                       "http.url",
                                       "tls.version",
                                       "fileinfo.state",
                                       "fileinfo.magic",
                                       "tcp.tcp_flags",
                                       "tcp.tcp_flags_ts",
                                       "tcp.tcp_flags_tc",
                                       "tcp.state",
                                       NULL};
    static const char *const domain[] = {"dns.rrname",
                                         "dns.queries.rrname",
                                         "dns.answers.rrname",
                                         "dns.authorities.rrname",
                                         "dns.query.rrname",
                                         "dns.answer.rrname",
                                         "http.hostname",
                                         "tls.sni",
                                         "dns.grouped.CNAME",
                                         "dns.grouped.NS",
                                         "dns.grouped.PTR",
                                         "quic.sni",
                                         NULL};
    static const char *const hash[] = {"fileinfo.md5", "fileinfo.sha1", "fileinfo.sha256", NULL};
    static const char *const email[] = {"smtp.mail_from", "smtp.rcpt_to", "email.from",
                                        "email.to",       "email.cc",     NULL};
    static const char *const url[] = {"http.http_refer", NULL};
    const char *path = wbi_jent_path(&j->f, e);
    const char *key = path + e->key;
    size_t pl = e->plen, kl = e->plen - e->key;
    if (in_list(path, pl, skip)) {
        /* An absolute http.url (a proxy's request) is a URL on its own;
         * a path is joined with the hostname after the walk. */
        if (str_is(path, pl, "http.url") && n && v[0] != '/')
            emit(j, e, v, n, WB_V_URL | WB_V_URL_HOST);
        return;
    }
    if ((kl > 3 && memcmp(key + kl - 3, "_ip", 3) == 0) || str_is(key, kl, "ip") ||
        str_is(path, pl, "dns.grouped.A") || str_is(path, pl, "dns.grouped.AAAA")) {
        emit(j, e, v, n, WB_V_IP);
        unsigned port;
        if (!j->s->no_ip_port && sibling_port(j, e, &port))
            wb_scan_ip_port(j->s, path, pl, v, n, port);
        return;
    }
    if (in_list(path, pl, domain))
        emit(j, e, v, n, WB_V_DOMAIN);
    else if (in_list(path, pl, hash))
        emit(j, e, v, n, WB_V_HASH);
    else if (in_list(path, pl, email))
        emit(j, e, v, n, WB_V_EMAIL);
    else if (in_list(path, pl, url))
        emit(j, e, v, n, WB_V_URL | WB_V_URL_HOST);
    else
        emit(j, e, v, n, WB_V_AUTO);
}

static void jsonl_value(jctx *j, const wbi_jent *e, const char *v, size_t n)
{
    const wb_logopts *o = j->opts;
    if (o && o->fields) {
        for (size_t i = 0; i < o->nfields; i++)
            if (str_is(wbi_jent_path(&j->f, e), e->plen, o->fields[i])) {
                emit(j, e, v, n, WB_V_AUTO);
                return;
            }
        return;
    }
    emit(j, e, v, n, WB_V_AUTO);
}

static void string_value(jctx *j, const wbi_jent *e)
{
    const char *v = wbi_jent_val(&j->f, e);
    size_t n = e->vlen;
    if (e == j->ts) return;
    switch (j->fmt) {
    case J_ZEEK:
        zeek_value(j, e, v, n);
        break;
    case J_EVE:
        eve_value(j, e, v, n);
        break;
    case J_JSONL:
        jsonl_value(j, e, v, n);
        break;
    }
}

/* host+uri (Zeek) or http.hostname+http.url (EVE) as one URL. */
static void join_url(jctx *j, const char *hk, const char *uk, const char *field)
{
    const wbi_jent *h = NULL, *u = NULL;
    for (size_t i = 0; i < j->f.n; i++) {
        const wbi_jent *e = &j->f.e[i];
        if (e->type != WBI_J_STR || e->in_array) continue;
        if (str_is(wbi_jent_path(&j->f, e), e->plen, hk)) h = e;
        if (str_is(wbi_jent_path(&j->f, e), e->plen, uk)) u = e;
    }
    if (h == NULL || u == NULL || h->obj != u->obj || !h->vlen || !u->vlen) return;
    const char *us = wbi_jent_val(&j->f, u);
    if (us[0] != '/') return;
    wb_buf_reset(&j->scratch);
    if (wb_buf_append(&j->scratch, wbi_jent_val(&j->f, h), h->vlen) ||
        wb_buf_append(&j->scratch, us, u->vlen)) {
        j->rc = WB_ENOMEM;
        return;
    }
    wb_scan_value(j->s, field, strlen(field), j->scratch.data, j->scratch.len, WB_V_URL);
}

/* Sets the record's timestamp from the top-level key: an epoch number or a
 * string. */
static bool set_ts(jctx *j, const char *key)
{
    const wbi_jent *e = member(j, 0, key, strlen(key));
    if (e == NULL || (e->type != WBI_J_STR && e->type != WBI_J_NUM)) return false;
    wb_scan_ts(j->s, wbi_jent_val(&j->f, e), e->vlen,
               e->type == WBI_J_STR ? wbi_ts_any : wbi_ts_epoch);
    j->ts = e;
    return true;
}

/* The context of the current line (wb_ctx_fn): only called for a line that
 * hit; the parsed entries are still those of the line. */
static void json_ctx(wb_scan *s, const void *arg)
{
    typedef struct ctxkey {
        const char *path;
        wb_ctx_key key;
    } ctxkey;
    static const ctxkey zeek[] = {{"uid", WB_CTX_UID},
                                  {"id.orig_h", WB_CTX_ORIG_H},
                                  {"id.orig_p", WB_CTX_ORIG_P},
                                  {"id.resp_h", WB_CTX_RESP_H},
                                  {"id.resp_p", WB_CTX_RESP_P},
                                  {"proto", WB_CTX_PROTO},
                                  {"community_id", WB_CTX_COMMUNITY_ID},
                                  {NULL, WB_CTX_COUNT}};
    static const ctxkey eve[] = {{"flow_id", WB_CTX_FLOW_ID}, {"community_id", WB_CTX_COMMUNITY_ID},
                                 {"src_ip", WB_CTX_ORIG_H},   {"src_port", WB_CTX_ORIG_P},
                                 {"dest_ip", WB_CTX_RESP_H},  {"dest_port", WB_CTX_RESP_P},
                                 {"proto", WB_CTX_PROTO},     {NULL, WB_CTX_COUNT}};
    const jctx *j = arg;
    for (const ctxkey *t = j->fmt == J_EVE ? eve : zeek; t->path; t++) {
        const wbi_jent *e = member(j, 0, t->path, strlen(t->path));
        if (e && e->type != WBI_J_OTHER) wb_scan_ctx(s, t->key, wbi_jent_val(&j->f, e), e->vlen);
    }
}

static int json_line_scan(wb_scan *s, uint64_t ln, const char *p, size_t n, void *ctx)
{
    static const char *const ts_keys[] = {"ts", "timestamp", "@timestamp", "time", NULL};
    jctx *j = ctx;
    int rc = wbi_jflat_parse(&j->f, p, n);
    if (rc == WB_ENOMEM) return rc;
    if (rc) {
        wb_scan_malformed(s, ln, rc == 2 ? "not a JSON object" : "broken JSON");
        return 0;
    }
    wb_scan_record(s, ln);
    if (j->fmt != J_JSONL) wb_scan_ctx_source(s, json_ctx, j);
    j->ts = NULL;
    if (j->fmt == J_EVE) {
        set_ts(j, "timestamp");
    } else if (j->fmt == J_ZEEK) {
        set_ts(j, "ts");
    } else {
        for (size_t i = 0; ts_keys[i]; i++)
            if (set_ts(j, ts_keys[i])) break;
    }
    for (size_t i = 0; i < j->f.n; i++)
        if (j->f.e[i].type == WBI_J_STR) string_value(j, &j->f.e[i]);
    if (j->fmt == J_ZEEK) join_url(j, "host", "uri", "host+uri");
    if (j->fmt == J_EVE) join_url(j, "http.hostname", "http.url", "http.hostname+http.url");
    return j->rc;
}

static int json_scan(enum jfmt fmt, wb_scan *s, const char *buf, size_t len, const wb_logopts *opts)
{
    jctx j = {.fmt = fmt, .s = s, .opts = opts};
    int rc = wbi_scan_lines(s, buf, len, json_line_scan, &j);
    wbi_jflat_free(&j.f);
    wb_buf_free(&j.scratch);
    return rc;
}

static int zeek_json_scan(const void *state, void **state_out, wb_scan *s, const char *buf,
                          size_t len, const wb_logopts *opts)
{
    (void)state;
    *state_out = NULL;
    return json_scan(J_ZEEK, s, buf, len, opts);
}

static int eve_scan(const void *state, void **state_out, wb_scan *s, const char *buf, size_t len,
                    const wb_logopts *opts)
{
    (void)state;
    *state_out = NULL;
    return json_scan(J_EVE, s, buf, len, opts);
}

static int jsonl_scan(const void *state, void **state_out, wb_scan *s, const char *buf, size_t len,
                      const wb_logopts *opts)
{
    (void)state;
    *state_out = NULL;
    return json_scan(J_JSONL, s, buf, len, opts);
}

/* ---- detection ---------------------------------------------------------------- */

static bool has(const char *p, size_t n, const char *lit)
{
    return memmem(p, n, lit, strlen(lit)) != NULL;
}

static bool object_line(const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    if (!n || *p != '{') return false;
    wbi_jflat f = {0};
    bool ok = wbi_jflat_parse(&f, p, n) == 0;
    wbi_jflat_free(&f);
    return ok;
}

static bool zeek_json_line(const char *p, size_t n)
{
    return has(p, n, "\"ts\"") &&
           (has(p, n, "\"uid\"") || has(p, n, "\"id.orig_h\"") || has(p, n, "\"fuid\"") ||
            has(p, n, "\"certificate.version\"")) &&
           object_line(p, n);
}

static bool eve_line(const char *p, size_t n)
{
    return has(p, n, "\"event_type\"") && object_line(p, n);
}

static int zeek_json_detect(const char *buf, size_t len)
{
    return wbi_detect_lines(buf, len, zeek_json_line, 95);
}

static int eve_detect(const char *buf, size_t len)
{
    return wbi_detect_lines(buf, len, eve_line, 95);
}

static int jsonl_detect(const char *buf, size_t len)
{
    return wbi_detect_lines(buf, len, object_line, 60);
}

const wb_logfmt wbi_fmt_zeek_json = {
    .name = "zeek-json",
    .summary = "Zeek logs written as JSON (LogAscii::use_json), one object per line",
    .checks = "X_h and other address keys as IP, X_h+X_p as IP|port, host+uri as URL, other "
              "strings and arrays of strings by shape; ts",
    .detect = zeek_json_detect,
    .scan = zeek_json_scan,
    .state_free = NULL,
};

const wb_logfmt wbi_fmt_eve = {
    .name = "eve",
    .summary = "Suricata EVE JSON (eve.json): alert, dns, http, tls, fileinfo, smtp, flow, ...",
    .checks = "*_ip as IP (+ *_port as IP|port), dns names, http.hostname, tls.sni as domain, "
              "http.hostname+http.url and http.http_refer as URL, fileinfo hashes, smtp/email "
              "addresses, other strings by shape; timestamp",
    .detect = eve_detect,
    .scan = eve_scan,
    .state_free = NULL,
};

const wb_logfmt wbi_fmt_jsonl = {
    .name = "jsonl",
    .summary = "generic JSON lines: one JSON object per line",
    .checks = "every string (nested keys dotted, arrays each), or only the keys given, by "
              "shape; ts, timestamp, @timestamp or time",
    .detect = jsonl_detect,
    .scan = jsonl_scan,
    .state_free = NULL,
};
