/*
 * json.c - the JSON-lines readers: Zeek JSON ("zeek-json"), Suricata EVE
 * ("eve") and generic JSON lines ("jsonl").
 *
 * Each line is one JSON object, parsed with jansson. The three formats share
 * a walker that visits every string with its dotted path ("dns.rrname";
 * elements of arrays get the array's path, so "dns.answers.rdata"), and
 * differ in how a path maps to kinds of value. Strings are handed to the
 * scan straight from jansson's objects, which live until the line is done.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "logs/logs_internal.h"

enum jfmt { J_ZEEK, J_EVE, J_JSONL };

typedef struct jctx {
    enum jfmt fmt;
    wb_scan *s;
    const wb_logopts *opts;
    const char *ts_key; /* the key the timestamp came from: not a value */
    wb_buf path;
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

/* The port that pairs with address key `key` in the same object: X_h with
 * X_p (Zeek), X_ip with X_port and ip with port (EVE). */
static bool sibling_port(json_t *obj, const char *key, unsigned *port)
{
    char name[128];
    size_t n = strlen(key);
    if (n + 3 >= sizeof name) return false;
    if (n > 2 && key[n - 2] == '_' && key[n - 1] == 'h') {
        memcpy(name, key, n);
        name[n - 1] = 'p';
        name[n] = '\0';
    } else if (n >= 2 && key[n - 2] == 'i' && key[n - 1] == 'p' && (n == 2 || key[n - 3] == '_')) {
        memcpy(name, key, n - 2);
        memcpy(name + n - 2, "port", 5);
    } else {
        return false;
    }
    json_t *p = json_object_get(obj, name);
    if (!json_is_integer(p)) return false;
    json_int_t v = json_integer_value(p);
    if (v < 0 || v > 65535) return false;
    *port = (unsigned)v;
    return true;
}

static void emit(jctx *j, const char *v, size_t n, unsigned kinds)
{
    wb_scan_value(j->s, j->path.data, j->path.len, v, n, kinds);
}

static void zeek_value(jctx *j, json_t *obj, const char *key, const char *v, size_t n)
{
    const char *path = j->path.data;
    size_t pl = j->path.len;
    if (wbi_zeek_skip_key(path, pl)) return;
    if (wbi_zeek_addr_key(path, pl)) {
        emit(j, v, n, WB_V_IP);
        unsigned port;
        if (obj && sibling_port(obj, key, &port)) wb_scan_ip_port(j->s, path, pl, v, n, port);
        return;
    }
    emit(j, v, n, WB_V_AUTO);
}

static void eve_value(jctx *j, json_t *obj, const char *key, const char *v, size_t n)
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
    const char *path = j->path.data;
    size_t pl = j->path.len, kl = strlen(key);
    if (in_list(path, pl, skip)) {
        /* An absolute http.url (a proxy's request) is a URL on its own;
         * a path is joined with the hostname after the walk. */
        if (str_is(path, pl, "http.url") && n && v[0] != '/') emit(j, v, n, WB_V_URL);
        return;
    }
    if ((kl > 3 && memcmp(key + kl - 3, "_ip", 3) == 0) || str_is(key, kl, "ip") ||
        str_is(path, pl, "dns.grouped.A") || str_is(path, pl, "dns.grouped.AAAA")) {
        emit(j, v, n, WB_V_IP);
        unsigned port;
        if (obj && sibling_port(obj, key, &port)) wb_scan_ip_port(j->s, path, pl, v, n, port);
        return;
    }
    if (in_list(path, pl, domain))
        emit(j, v, n, WB_V_DOMAIN);
    else if (in_list(path, pl, hash))
        emit(j, v, n, WB_V_HASH);
    else if (in_list(path, pl, email))
        emit(j, v, n, WB_V_EMAIL);
    else if (in_list(path, pl, url))
        emit(j, v, n, WB_V_URL);
    else
        emit(j, v, n, WB_V_AUTO);
}

static void jsonl_value(jctx *j, const char *v, size_t n)
{
    const wb_logopts *o = j->opts;
    if (o && o->fields) {
        for (size_t i = 0; i < o->nfields; i++)
            if (str_is(j->path.data, j->path.len, o->fields[i])) {
                emit(j, v, n, WB_V_AUTO);
                return;
            }
        return;
    }
    emit(j, v, n, WB_V_AUTO);
}

/* A string at the current path; obj is the object holding it (NULL inside
 * an array) and key its key there. */
static void string_value(jctx *j, json_t *obj, const char *key, json_t *str)
{
    const char *v = json_string_value(str);
    size_t n = json_string_length(str);
    if (j->ts_key && j->path.len && strcmp(j->path.data, j->ts_key) == 0) return;
    switch (j->fmt) {
    case J_ZEEK:
        zeek_value(j, obj, key, v, n);
        break;
    case J_EVE:
        eve_value(j, obj, key, v, n);
        break;
    case J_JSONL:
        jsonl_value(j, v, n);
        break;
    }
}

static void walk(jctx *j, json_t *obj);

static void visit(jctx *j, json_t *obj, const char *key, json_t *v)
{
    if (json_is_string(v)) {
        string_value(j, obj, key, v);
    } else if (json_is_object(v)) {
        walk(j, v);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (json_is_string(e))
                string_value(j, NULL, key, e);
            else if (json_is_object(e) || json_is_array(e))
                visit(j, NULL, key, e);
        }
    }
}

static void walk(jctx *j, json_t *obj)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (!json_is_string(v) && !json_is_object(v) && !json_is_array(v)) continue;
        size_t keep = j->path.len;
        if ((keep && wb_buf_putc(&j->path, '.')) || wb_buf_puts(&j->path, key)) {
            j->rc = WB_ENOMEM;
            return;
        }
        visit(j, obj, key, v);
        j->path.len = keep;
        j->path.data[keep] = '\0';
        if (j->rc) return;
    }
}

/* host+uri (Zeek) or http.hostname+http.url (EVE) as one URL. */
static void join_url(jctx *j, json_t *obj, const char *hk, const char *uk, const char *field)
{
    json_t *h = json_object_get(obj, hk), *u = json_object_get(obj, uk);
    if (!json_is_string(h) || !json_is_string(u)) return;
    const char *us = json_string_value(u);
    size_t hn = json_string_length(h), un = json_string_length(u);
    if (!hn || !un || us[0] != '/') return;
    wb_buf_reset(&j->scratch);
    if (wb_buf_append(&j->scratch, json_string_value(h), hn) ||
        wb_buf_append(&j->scratch, us, un)) {
        j->rc = WB_ENOMEM;
        return;
    }
    wb_scan_value(j->s, field, strlen(field), j->scratch.data, j->scratch.len, WB_V_URL);
}

/* Sets the record's timestamp from root[key]: an epoch number or a string.
 * Numbers are printed into tsbuf, which outlives the record. */
static bool set_ts(jctx *j, json_t *root, const char *key, char *tsbuf, size_t cap)
{
    json_t *t = json_object_get(root, key);
    int n = -1;
    if (json_is_string(t)) {
        wb_scan_ts(j->s, json_string_value(t), json_string_length(t), wbi_ts_any);
        j->ts_key = key;
        return true;
    }
    if (json_is_integer(t))
        n = snprintf(tsbuf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(t));
    else if (json_is_real(t))
        n = snprintf(tsbuf, cap, "%.6f", json_real_value(t));
    if (n <= 0 || (size_t)n >= cap) return false;
    wb_scan_ts(j->s, tsbuf, (size_t)n, wbi_ts_epoch);
    j->ts_key = key;
    return true;
}

static int json_scan(enum jfmt fmt, wb_scan *s, const char *buf, size_t len, const wb_logopts *opts)
{
    static const char *const ts_keys[] = {"ts", "timestamp", "@timestamp", "time", NULL};
    jctx j = {.fmt = fmt, .s = s, .opts = opts};
    size_t pos = 0;
    uint64_t line = 0;
    const char *p;
    size_t n;
    if (wb_buf_reserve(&j.path, 64)) return WB_ENOMEM;
    j.path.data[0] = '\0';
    while (!j.rc && wbi_next_line(buf, len, &pos, &p, &n)) {
        uint64_t ln = line++;
        if (wbi_blank(p, n)) continue;
        json_error_t err;
        json_t *root = json_loadb(p, n, JSON_REJECT_DUPLICATES, &err);
        if (!root) {
            wb_scan_malformed(s, ln, "broken JSON");
            continue;
        }
        if (!json_is_object(root)) {
            wb_scan_malformed(s, ln, "not a JSON object");
            json_decref(root);
            continue;
        }
        char tsbuf[48];
        wb_scan_record(s, ln);
        j.ts_key = NULL;
        if (fmt == J_EVE) {
            set_ts(&j, root, "timestamp", tsbuf, sizeof tsbuf);
        } else if (fmt == J_ZEEK) {
            set_ts(&j, root, "ts", tsbuf, sizeof tsbuf);
        } else {
            for (size_t i = 0; ts_keys[i]; i++)
                if (set_ts(&j, root, ts_keys[i], tsbuf, sizeof tsbuf)) break;
        }
        j.path.len = 0;
        j.path.data[0] = '\0';
        walk(&j, root);
        if (!j.rc && fmt == J_ZEEK) join_url(&j, root, "host", "uri", "host+uri");
        if (!j.rc && fmt == J_EVE) {
            json_t *http = json_object_get(root, "http");
            if (json_is_object(http))
                join_url(&j, http, "hostname", "url", "http.hostname+http.url");
        }
        json_decref(root);
    }
    s->lines = wbi_count_lines(buf, len);
    wb_buf_free(&j.path);
    wb_buf_free(&j.scratch);
    return j.rc;
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
    json_error_t err;
    json_t *root = json_loadb(p, n, 0, &err);
    bool ok = json_is_object(root);
    json_decref(root);
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
