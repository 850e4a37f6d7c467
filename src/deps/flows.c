/*
 * flows.c - flow records and endpoint names out of the logs `deps map`
 * reads: Zeek TSV (conn, dns, ssl, http), Zeek JSON and Suricata EVE
 * (flow, netflow, dns, tls, http), CSV flow exports with a header
 * (nfdump -o csv, IPFIX/nProbe-style column names), and the answers in
 * dnsmasq's log (through src/logs' own reader).
 *
 * The readers in src/logs/ hand the matcher only the fields that can hold
 * an indicator; a dependency map also needs bytes, durations and ports, so
 * this file reads records itself. It reuses src/logs' content detection
 * (wb_logfmt_detect) so that `match` and `deps` agree on what a file is.
 *
 * Like the Zeek and CSV readers there, the column layout comes from a header
 * line seen once; it is the reader's state, read-only after the header, so
 * blocks after it may be parsed on several threads (wb_deps_map_read).
 * Records that cannot be read are counted and skipped, not fatal.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "deps/deps_internal.h"
#include "weerbaar/logs.h"

enum { F_UNKNOWN, F_ZEEK, F_JSON, F_CSV, F_DNSLOG };

/* logical columns of the header-driven formats */
enum {
    K_TS,
    K_TE,
    K_DUR,
    K_SRC,
    K_DST,
    K_SPORT,
    K_DPORT,
    K_PROTO,
    K_SBYTES,
    K_DBYTES,
    K_QUERY,
    K_ANSWERS,
    K_SNI,
    K_HOST,
    K_N
};

/* how a timestamp column is written */
enum { T_TEXT, T_SEC, T_MSEC, T_USEC };

struct wb_deps_reader {
    int fmt;
    char name[256];
    bool have_header;
    int col[K_N];
    int tsunit, teunit, durunit;
    bool conn;               /* the header names a flow log (not dns/ssl/http) */
    char sep;                /* '\t' Zeek, ',' CSV */
    const wb_logfmt *dnslog; /* F_DNSLOG: src/logs' reader of a DNS server's log */
    uint64_t records, skipped;
    char first_skip[160];
};

typedef struct alias {
    const char *name;
    int key;
    int unit;
} alias;

/* Zeek field names first, then nfdump, IPFIX (RFC 7012 names) and the
 * spellings of other exporters; compared case-insensitively. */
static const alias aliases[] = {
    {"ts", K_TS, T_TEXT},
    {"id.orig_h", K_SRC, 0},
    {"id.resp_h", K_DST, 0},
    {"id.orig_p", K_SPORT, 0},
    {"id.resp_p", K_DPORT, 0},
    {"proto", K_PROTO, 0},
    {"duration", K_DUR, 0},
    {"orig_bytes", K_SBYTES, 0},
    {"resp_bytes", K_DBYTES, 0},
    {"query", K_QUERY, 0},
    {"answers", K_ANSWERS, 0},
    {"server_name", K_SNI, 0},
    {"host", K_HOST, 0},
    /* nfdump -o csv */
    {"te", K_TE, T_TEXT},
    {"td", K_DUR, 0},
    {"sa", K_SRC, 0},
    {"da", K_DST, 0},
    {"sp", K_SPORT, 0},
    {"dp", K_DPORT, 0},
    {"pr", K_PROTO, 0},
    {"ibyt", K_SBYTES, 0},
    {"obyt", K_DBYTES, 0},
    /* IPFIX information element names */
    {"flowstartseconds", K_TS, T_SEC},
    {"flowstartmilliseconds", K_TS, T_MSEC},
    {"flowstartmicroseconds", K_TS, T_USEC},
    {"flowendseconds", K_TE, T_SEC},
    {"flowendmilliseconds", K_TE, T_MSEC},
    {"flowendmicroseconds", K_TE, T_USEC},
    {"flowdurationmilliseconds", K_DUR, T_MSEC},
    {"sourceipv4address", K_SRC, 0},
    {"destinationipv4address", K_DST, 0},
    {"sourceipv6address", K_SRC, 0},
    {"destinationipv6address", K_DST, 0},
    {"sourcetransportport", K_SPORT, 0},
    {"destinationtransportport", K_DPORT, 0},
    {"protocolidentifier", K_PROTO, 0},
    {"octetdeltacount", K_SBYTES, 0},
    {"octettotalcount", K_SBYTES, 0},
    {"reverseoctetdeltacount", K_DBYTES, 0},
    {"reverseoctettotalcount", K_DBYTES, 0},
    /* other exporters */
    {"start", K_TS, T_TEXT},
    {"first", K_TS, T_TEXT},
    {"stime", K_TS, T_TEXT},
    {"starttime", K_TS, T_TEXT},
    {"end", K_TE, T_TEXT},
    {"last", K_TE, T_TEXT},
    {"srcaddr", K_SRC, 0},
    {"dstaddr", K_DST, 0},
    {"src_ip", K_SRC, 0},
    {"dst_ip", K_DST, 0},
    {"srcip", K_SRC, 0},
    {"dstip", K_DST, 0},
    {"src_addr", K_SRC, 0},
    {"dst_addr", K_DST, 0},
    {"srcport", K_SPORT, 0},
    {"dstport", K_DPORT, 0},
    {"src_port", K_SPORT, 0},
    {"dst_port", K_DPORT, 0},
    {"protocol", K_PROTO, 0},
    {"bytes", K_SBYTES, 0},
    {"in_bytes", K_SBYTES, 0},
    {"out_bytes", K_DBYTES, 0},
    {"src_bytes", K_SBYTES, 0},
    {"dst_bytes", K_DBYTES, 0},
};

int wb_deps_reader_new(wb_deps_reader **out, const char *fmt, const char *name, wb_error *err)
{
    *out = NULL;
    int f = F_UNKNOWN;
    if (fmt) {
        if (strcmp(fmt, "zeek") == 0)
            f = F_ZEEK;
        else if (strcmp(fmt, "zeek-json") == 0 || strcmp(fmt, "eve") == 0)
            f = F_JSON;
        else if (strcmp(fmt, "csv") == 0 || strcmp(fmt, "nfdump-csv") == 0)
            f = F_CSV;
        else if (strcmp(fmt, "dnsmasq") == 0)
            f = F_DNSLOG;
        else
            return wb_error_set(err, WB_EINVAL,
                                "unknown log format '%s' (zeek, zeek-json, eve, csv, dnsmasq)",
                                fmt);
    }
    wb_deps_reader *r = calloc(1, sizeof *r);
    if (!r) return wb_error_set(err, WB_ENOMEM, "out of memory");
    r->fmt = f;
    if (f == F_DNSLOG) r->dnslog = wb_logfmt_find("dnsmasq");
    snprintf(r->name, sizeof r->name, "%s", name ? name : "-");
    for (int k = 0; k < K_N; k++)
        r->col[k] = -1;
    *out = r;
    return 0;
}

void wb_deps_reader_free(wb_deps_reader *r)
{
    free(r);
}

void wb_deps_reader_counts(const wb_deps_reader *r, uint64_t *records, uint64_t *skipped,
                           const char **first_skip)
{
    if (records) *records = r->records;
    if (skipped) *skipped = r->skipped;
    if (first_skip) *first_skip = r->first_skip[0] ? r->first_skip : NULL;
}

static void skip(wb_deps_reader *r, uint64_t line, const char *why)
{
    if (!r->skipped)
        snprintf(r->first_skip, sizeof r->first_skip, "%s: block line %llu: %s", r->name,
                 (unsigned long long)line + 1, why);
    r->skipped++;
}

/* ---- numbers and times ------------------------------------------------------------- */

static bool parse_u64(const char *s, size_t n, uint64_t *out)
{
    if (!n || n > 19) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* "123", "123.456", "  0.000" (nfdump pads): seconds as a double. */
static bool parse_dec(const char *s, size_t n, double *out)
{
    wbi_trim(&s, &n);
    if (!n) return false;
    const char *dot = memchr(s, '.', n);
    size_t in = dot ? (size_t)(dot - s) : n;
    uint64_t ip = 0, fp = 0;
    if (in && !parse_u64(s, in, &ip)) return false;
    double f = 0;
    if (dot) {
        size_t fn = n - in - 1;
        if (fn > 9) fn = 9;
        if (fn && !parse_u64(dot + 1, fn, &fp)) return false;
        double scale = 1;
        for (size_t i = 0; i < fn; i++)
            scale *= 10;
        f = (double)fp / scale;
    }
    *out = (double)ip + f;
    return true;
}

static int64_t cached_days(int64_t y, unsigned m, unsigned d)
{
    return wb_days_from_civil(y, m, d);
}

/* "YYYY-MM-DD hh:mm:ss[.fff]" without a zone (nfdump: UTC when exported
 * with TZ=UTC) by hand, the rest through wb_time_parse. */
static bool parse_time_text(const char *s, size_t n, wb_time *out)
{
    if (n >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == ' ' || s[10] == 'T') && s[13] == ':' &&
        s[16] == ':' && (n == 19 || s[19] == '.')) {
        uint64_t y, mo, d, h, mi, se;
        if (parse_u64(s, 4, &y) && parse_u64(s + 5, 2, &mo) && parse_u64(s + 8, 2, &d) &&
            parse_u64(s + 11, 2, &h) && parse_u64(s + 14, 2, &mi) && parse_u64(s + 17, 2, &se) &&
            mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && se < 61) {
            double frac = 0;
            if (n > 20 && !parse_dec(s + 19, n - 19, &frac))
                return wb_time_parse(s, n, out) == 0; /* a zone after the fraction */
            int64_t days = cached_days((int64_t)y, (unsigned)mo, (unsigned)d);
            *out = ((days * 86400 + (int64_t)(h * 3600 + mi * 60 + se)) * 1000000) +
                   (int64_t)(frac * 1e6);
            return true;
        }
    }
    if (n && memchr(s, '-', n)) return wb_time_parse(s, n, out) == 0;
    double v;
    if (!parse_dec(s, n, &v)) return false;
    *out = (wb_time)(v * 1e6);
    return true;
}

static bool parse_time(const char *s, size_t n, int unit, wb_time *out)
{
    uint64_t v;
    switch (unit) {
    case T_SEC:
        return parse_time_text(s, n, out);
    case T_MSEC:
        if (!parse_u64(s, n, &v)) return parse_time_text(s, n, out);
        *out = (wb_time)(v * 1000);
        return true;
    case T_USEC:
        if (!parse_u64(s, n, &v)) return parse_time_text(s, n, out);
        *out = (wb_time)v;
        return true;
    default:
        return parse_time_text(s, n, out);
    }
}

static uint8_t parse_proto(const char *s, size_t n)
{
    if (wb_strn_ieq(s, n, "tcp")) return 6;
    if (wb_strn_ieq(s, n, "udp")) return 17;
    if (wb_strn_ieq(s, n, "icmp")) return 1;
    if (wb_strn_ieq(s, n, "ipv6-icmp") || wb_strn_ieq(s, n, "icmp6") || wb_strn_ieq(s, n, "icmpv6"))
        return 58;
    if (wb_strn_ieq(s, n, "sctp")) return 132;
    if (wb_strn_ieq(s, n, "gre")) return 47;
    if (wb_strn_ieq(s, n, "esp")) return 50;
    uint64_t v;
    return parse_u64(s, n, &v) && v < 256 ? (uint8_t)v : 0;
}

static bool unset(const char *s, size_t n)
{
    return n == 0 || (n == 1 && s[0] == '-') || (n == 7 && memcmp(s, "(empty)", 7) == 0);
}

/* ---- header-driven formats (Zeek TSV, CSV) ------------------------------------------------ */

static void map_columns(wb_deps_reader *r, const char *p, size_t n, char sep)
{
    for (int k = 0; k < K_N; k++)
        r->col[k] = -1;
    int c = 0;
    size_t i = 0;
    bool any_bytes = false;
    while (i <= n) {
        size_t st = i;
        while (i < n && p[i] != sep)
            i++;
        const char *f = p + st;
        size_t fl = i - st;
        wbi_trim(&f, &fl);
        if (fl >= 2 && f[0] == '"' && f[fl - 1] == '"') {
            f++;
            fl -= 2;
        }
        for (size_t a = 0; a < sizeof aliases / sizeof aliases[0]; a++)
            if (wb_strn_ieq(f, fl, aliases[a].name) && r->col[aliases[a].key] < 0) {
                r->col[aliases[a].key] = c;
                if (aliases[a].key == K_TS) r->tsunit = aliases[a].unit;
                if (aliases[a].key == K_TE) r->teunit = aliases[a].unit;
                if (aliases[a].key == K_DUR) r->durunit = aliases[a].unit;
                if (aliases[a].key == K_SBYTES || aliases[a].key == K_DUR) any_bytes = true;
            }
        c++;
        i++;
    }
    r->conn = any_bytes || (r->col[K_QUERY] < 0 && r->col[K_SNI] < 0 && r->col[K_HOST] < 0);
    r->have_header = r->col[K_SRC] >= 0 && r->col[K_DST] >= 0;
}

#define MAX_COLS 256

static int emit_names(const wb_deps_sink *sink, const wb_addr *client, const char *q, size_t qn,
                      const char *ans, size_t an, char sep)
{
    size_t i = 0;
    while (i < an) {
        size_t st = i;
        while (i < an && ans[i] != sep)
            i++;
        wb_addr a;
        if (wb_addr_parse(ans + st, i - st, &a) == 0) {
            int rc = sink->name(sink->ud, client, &a, q, qn, WB_NAME_DNS);
            if (rc) return rc;
        }
        i++;
    }
    return 0;
}

static int sep_record(wb_deps_reader *r, const char *p, size_t n, uint64_t line,
                      const wb_deps_sink *sink)
{
    const char *f[MAX_COLS];
    size_t fl[MAX_COLS];
    size_t nf = 0, i = 0;
    int last = 0;
    for (int k = 0; k < K_N; k++)
        if (r->col[k] > last) last = r->col[k];
    while (nf <= (size_t)last && nf < MAX_COLS) {
        size_t st = i;
        const char *c = i < n ? memchr(p + i, r->sep, n - i) : NULL;
        size_t e = c ? (size_t)(c - p) : n;
        f[nf] = p + st;
        fl[nf] = e - st;
        nf++;
        if (!c) break;
        i = e + 1;
    }
    r->records++;
#define COL(k) (r->col[k] >= 0 && (size_t)r->col[k] < nf)
#define S(k) f[r->col[k]], fl[r->col[k]]
    if (!COL(K_SRC) || !COL(K_DST)) {
        skip(r, line, "too few fields");
        return 0;
    }
    wb_deps_flow fw = {0};
    const char *sp = f[r->col[K_SRC]], *dp = f[r->col[K_DST]];
    size_t sn = fl[r->col[K_SRC]], dn = fl[r->col[K_DST]];
    wbi_trim(&sp, &sn);
    wbi_trim(&dp, &dn);
    if (wb_addr_parse(sp, sn, &fw.src) != 0 || wb_addr_parse(dp, dn, &fw.dst) != 0) {
        skip(r, line, "an address that is not one");
        return 0;
    }
    if (!r->conn) {
        if (COL(K_QUERY) && COL(K_ANSWERS) && !unset(S(K_QUERY)) && !unset(S(K_ANSWERS)))
            return emit_names(sink, &fw.src, S(K_QUERY), S(K_ANSWERS), ',');
        if (COL(K_SNI) && !unset(S(K_SNI)))
            return sink->name(sink->ud, &fw.src, &fw.dst, S(K_SNI), WB_NAME_SNI);
        if (COL(K_HOST) && !unset(S(K_HOST))) {
            const char *h = f[r->col[K_HOST]];
            size_t hn = fl[r->col[K_HOST]];
            const char *colon = memchr(h, ':', hn); /* host:port */
            if (colon && !memchr(colon + 1, ':', hn - (size_t)(colon - h) - 1))
                hn = (size_t)(colon - h);
            return sink->name(sink->ud, &fw.src, &fw.dst, h, hn, WB_NAME_HTTP);
        }
        return 0;
    }
    if (!COL(K_TS) || !parse_time(S(K_TS), r->tsunit, &fw.ts)) {
        skip(r, line, "no start time");
        return 0;
    }
    uint64_t v;
    const char *s;
    size_t sl;
    if (COL(K_SPORT)) {
        s = f[r->col[K_SPORT]];
        sl = fl[r->col[K_SPORT]];
        wbi_trim(&s, &sl);
        /* nfdump writes ICMP type.code in the port column */
        if (parse_u64(s, sl, &v) && v < 65536) fw.sport = (unsigned)v;
    }
    if (COL(K_DPORT)) {
        s = f[r->col[K_DPORT]];
        sl = fl[r->col[K_DPORT]];
        wbi_trim(&s, &sl);
        if (parse_u64(s, sl, &v) && v < 65536) fw.dport = (unsigned)v;
    }
    if (COL(K_PROTO)) {
        s = f[r->col[K_PROTO]];
        sl = fl[r->col[K_PROTO]];
        wbi_trim(&s, &sl);
        fw.proto = parse_proto(s, sl);
    }
    if (COL(K_SBYTES)) {
        s = f[r->col[K_SBYTES]];
        sl = fl[r->col[K_SBYTES]];
        wbi_trim(&s, &sl);
        if (parse_u64(s, sl, &v)) fw.src_bytes = v;
    }
    if (COL(K_DBYTES)) {
        s = f[r->col[K_DBYTES]];
        sl = fl[r->col[K_DBYTES]];
        wbi_trim(&s, &sl);
        if (parse_u64(s, sl, &v)) fw.dst_bytes = v;
    }
    double d;
    wb_time te;
    if (COL(K_DUR) && parse_dec(S(K_DUR), &d)) {
        fw.duration = r->durunit == T_MSEC ? d / 1000 : d;
    } else if (COL(K_TE) && parse_time(S(K_TE), r->teunit, &te) && te > fw.ts) {
        fw.duration = (double)(te - fw.ts) / 1e6;
    }
    fw.initiator_known = r->fmt == F_ZEEK;
#undef S
#undef COL
    return sink->flow(sink->ud, &fw);
}

static int sep_block(wb_deps_reader *r, const char *buf, size_t len, const wb_deps_sink *sink,
                     wb_error *err)
{
    size_t pos = 0;
    uint64_t line = 0;
    for (; pos < len; line++) {
        const char *p = buf + pos;
        const char *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos;
        pos += n + 1;
        if (n && p[n - 1] == '\r') n--;
        if (!n) continue;
        if (r->fmt == F_ZEEK && p[0] == '#') {
            if (n > 8 && memcmp(p, "#fields\t", 8) == 0) map_columns(r, p + 8, n - 8, '\t');
            continue;
        }
        if (r->fmt == F_CSV && !r->have_header) {
            map_columns(r, p, n, ',');
            if (!r->have_header)
                return wb_error_set(err, WB_EFORMAT,
                                    "%s: the CSV header names no source and destination address "
                                    "columns (sa/da, srcaddr/dstaddr, sourceIPv4Address, ...)",
                                    r->name);
            continue;
        }
        /* nfdump's trailing summary */
        if (r->fmt == F_CSV && (p[0] == 'S' || p[0] == 'f') &&
            (wb_strn_ieq(p, n < 7 ? n : 7, "Summary") || wb_strn_ieq(p, n < 8 ? n : 8, "flows,by")))
            break;
        if (!r->have_header) {
            r->records++;
            skip(r, line, "a record before the #fields header");
            continue;
        }
        int rc = sep_record(r, p, n, line, sink);
        if (rc) return wb_error_set(err, rc, "out of memory");
    }
    return 0;
}

/* ---- JSON lines: Zeek JSON and Suricata EVE ----------------------------------------------------
 */

static const char *jstr(json_t *o, const char *key, size_t *n)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v)) return NULL;
    *n = json_string_length(v);
    return json_string_value(v);
}

static bool jaddr(json_t *o, const char *key, wb_addr *a)
{
    size_t n;
    const char *s = jstr(o, key, &n);
    return s && wb_addr_parse(s, n, a) == 0;
}

static uint64_t jnum(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v) && json_integer_value(v) > 0) return (uint64_t)json_integer_value(v);
    if (json_is_real(v) && json_real_value(v) > 0) return (uint64_t)json_real_value(v);
    return 0;
}

static bool jtime(json_t *o, const char *key, wb_time *t)
{
    json_t *v = json_object_get(o, key);
    if (json_is_number(v)) {
        *t = (wb_time)(json_number_value(v) * 1e6);
        return true;
    }
    size_t n;
    const char *s = jstr(o, key, &n);
    return s && parse_time_text(s, n, t);
}

static uint8_t jproto(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v)) return (uint8_t)json_integer_value(v);
    size_t n;
    const char *s = jstr(o, key, &n);
    return s ? parse_proto(s, n) : 0;
}

/* client: the address the answers went to */
static int eve_dns(json_t *o, const wb_addr *client, const wb_deps_sink *sink)
{
    json_t *dns = json_object_get(o, "dns");
    if (!json_is_object(dns)) return 0;
    size_t n, qn = 0;
    const char *q = jstr(dns, "rrname", &qn);
    /* version 2: answers [{rrname, rrtype, rdata}] */
    json_t *answers = json_object_get(dns, "answers");
    size_t i;
    json_t *e;
    if (json_is_array(answers)) {
        json_array_foreach(answers, i, e)
        {
            const char *rd = jstr(e, "rdata", &n);
            wb_addr a;
            if (rd && wb_addr_parse(rd, n, &a) == 0) {
                size_t rn = 0;
                const char *nm = q ? q : jstr(e, "rrname", &rn);
                if (!nm) continue;
                int rc = sink->name(sink->ud, client, &a, nm, q ? qn : rn, WB_NAME_DNS);
                if (rc) return rc;
            }
        }
        return 0;
    }
    /* grouped answers: {"A": ["1.2.3.4"], "AAAA": [...]} */
    json_t *grouped = json_object_get(dns, "grouped");
    if (q && json_is_object(grouped)) {
        const char *types[] = {"A", "AAAA"};
        for (int t = 0; t < 2; t++) {
            json_t *arr = json_object_get(grouped, types[t]);
            json_array_foreach(arr, i, e)
            {
                wb_addr a;
                if (json_is_string(e) &&
                    wb_addr_parse(json_string_value(e), json_string_length(e), &a) == 0) {
                    int rc = sink->name(sink->ud, client, &a, q, qn, WB_NAME_DNS);
                    if (rc) return rc;
                }
            }
        }
        return 0;
    }
    /* version 1: one answer per event */
    const char *type = jstr(dns, "type", &n);
    const char *rd = jstr(dns, "rdata", &n);
    wb_addr a;
    if (q && type && strcmp(type, "answer") == 0 && rd && wb_addr_parse(rd, n, &a) == 0)
        return sink->name(sink->ud, client, &a, q, qn, WB_NAME_DNS);
    return 0;
}

static int json_record(wb_deps_reader *r, json_t *o, uint64_t line, const wb_deps_sink *sink)
{
    size_t n;
    const char *et = jstr(o, "event_type", &n);
    wb_deps_flow fw = {0};
    if (et) { /* Suricata EVE */
        bool flow = strcmp(et, "flow") == 0, netflow = strcmp(et, "netflow") == 0;
        if (!jaddr(o, "src_ip", &fw.src) || !jaddr(o, "dest_ip", &fw.dst)) {
            if (flow || netflow) skip(r, line, "no src_ip/dest_ip");
            return 0;
        }
        if (strcmp(et, "dns") == 0) return eve_dns(o, &fw.dst, sink);
        if (strcmp(et, "tls") == 0) {
            json_t *tls = json_object_get(o, "tls");
            const char *sni = jstr(tls, "sni", &n);
            return sni && n ? sink->name(sink->ud, &fw.src, &fw.dst, sni, n, WB_NAME_SNI) : 0;
        }
        if (strcmp(et, "http") == 0) {
            json_t *http = json_object_get(o, "http");
            const char *h = jstr(http, "hostname", &n);
            return h && n ? sink->name(sink->ud, &fw.src, &fw.dst, h, n, WB_NAME_HTTP) : 0;
        }
        if (!flow && !netflow) return 0;
        json_t *fo = json_object_get(o, flow ? "flow" : "netflow");
        wb_time end;
        if (!jtime(fo, "start", &fw.ts) && !jtime(o, "timestamp", &fw.ts)) {
            skip(r, line, "no start time");
            return 0;
        }
        if (jtime(fo, "end", &end) && end > fw.ts) fw.duration = (double)(end - fw.ts) / 1e6;
        fw.sport = (unsigned)(jnum(o, "src_port") & 0xffff);
        fw.dport = (unsigned)(jnum(o, "dest_port") & 0xffff);
        fw.proto = jproto(o, "proto");
        if (flow) {
            fw.src_bytes = jnum(fo, "bytes_toserver");
            fw.dst_bytes = jnum(fo, "bytes_toclient");
            fw.initiator_known = true;
        } else {
            fw.src_bytes = jnum(fo, "bytes");
        }
        return sink->flow(sink->ud, &fw);
    }
    /* Zeek JSON: the TSV field names as keys */
    if (!jaddr(o, "id.orig_h", &fw.src) || !jaddr(o, "id.resp_h", &fw.dst)) {
        json_t *id = json_object_get(o, "id"); /* nested ids (json-logs with a map) */
        if (!json_is_object(id) || !jaddr(id, "orig_h", &fw.src) || !jaddr(id, "resp_h", &fw.dst)) {
            skip(r, line, "no id.orig_h/id.resp_h");
            return 0;
        }
        fw.sport = (unsigned)(jnum(id, "orig_p") & 0xffff);
        fw.dport = (unsigned)(jnum(id, "resp_p") & 0xffff);
    } else {
        fw.sport = (unsigned)(jnum(o, "id.orig_p") & 0xffff);
        fw.dport = (unsigned)(jnum(o, "id.resp_p") & 0xffff);
    }
    size_t qn;
    const char *q = jstr(o, "query", &qn);
    json_t *answers = json_object_get(o, "answers");
    if (q && json_is_array(answers)) {
        size_t i;
        json_t *e;
        json_array_foreach(answers, i, e)
        {
            wb_addr a;
            if (json_is_string(e) &&
                wb_addr_parse(json_string_value(e), json_string_length(e), &a) == 0) {
                int rc = sink->name(sink->ud, &fw.src, &a, q, qn, WB_NAME_DNS);
                if (rc) return rc;
            }
        }
        return 0;
    }
    const char *sni = jstr(o, "server_name", &n);
    if (sni) return n ? sink->name(sink->ud, &fw.src, &fw.dst, sni, n, WB_NAME_SNI) : 0;
    const char *host = jstr(o, "host", &n);
    if (host && !json_object_get(o, "orig_bytes"))
        return n ? sink->name(sink->ud, &fw.src, &fw.dst, host, n, WB_NAME_HTTP) : 0;
    if (q) return 0; /* a dns record without answers */
    if (!jtime(o, "ts", &fw.ts)) {
        skip(r, line, "no ts");
        return 0;
    }
    json_t *dur = json_object_get(o, "duration");
    if (json_is_number(dur)) fw.duration = json_number_value(dur);
    fw.proto = jproto(o, "proto");
    fw.src_bytes = jnum(o, "orig_bytes");
    fw.dst_bytes = jnum(o, "resp_bytes");
    fw.initiator_known = true;
    return sink->flow(sink->ud, &fw);
}

static int json_block(wb_deps_reader *r, const char *buf, size_t len, const wb_deps_sink *sink,
                      wb_error *err)
{
    size_t pos = 0;
    for (uint64_t line = 0; pos < len; line++) {
        const char *p = buf + pos;
        const char *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos;
        pos += n + 1;
        wbi_trim(&p, &n);
        if (!n) continue;
        r->records++;
        json_error_t je;
        json_t *o = json_loadb(p, n, 0, &je);
        if (!json_is_object(o)) {
            json_decref(o);
            skip(r, line, "not a JSON object");
            continue;
        }
        int rc = json_record(r, o, line, sink);
        json_decref(o);
        if (rc) return wb_error_set(err, rc, "out of memory");
    }
    return 0;
}

/* ---- DNS server logs: src/logs' readers through their public interface ---------------- */

/* dnsmasq logs "reply NAME is ADDR": the reader in src/logs reports the
 * record's query name and answer address as values of one record, which is
 * all a name needs. (BIND and Unbound query logs hold no answers.) */
typedef struct dnsscan {
    wb_scan scan;
    const wb_deps_sink *sink;
    char query[256];
    size_t qlen;
    uint64_t qrecord; /* s->records when query was seen */
    int rc;
    wb_deps_reader *r;
} dnsscan;

static void dns_value(wb_scan *s, const char *field, size_t flen, const char *v, size_t n,
                      unsigned kinds)
{
    dnsscan *d = s->impl;
    if (flen == 5 && memcmp(field, "query", 5) == 0) {
        d->qlen = n < sizeof d->query ? n : 0;
        memcpy(d->query, v, d->qlen);
        d->qrecord = s->records;
    } else if (flen == 6 && memcmp(field, "answer", 6) == 0 && (kinds & WB_V_IP) && d->qlen &&
               d->qrecord == s->records && d->rc == 0) {
        wb_addr a;
        if (wb_addr_parse(v, n, &a) == 0)
            d->rc = d->sink->name(d->sink->ud, NULL, &a, d->query, d->qlen, WB_NAME_DNS);
    }
}

static void dns_ip_port(wb_scan *s, const char *field, size_t flen, const char *ip, size_t iplen,
                        unsigned port)
{
    (void)s, (void)field, (void)flen, (void)ip, (void)iplen, (void)port;
}

static void dns_malformed(wb_scan *s, uint64_t line, const char *reason)
{
    dnsscan *d = s->impl;
    skip(d->r, line, reason);
}

static int dnslog_block(wb_deps_reader *r, const char *buf, size_t len, const wb_deps_sink *sink,
                        wb_error *err)
{
    static const wb_scan_ops ops = {dns_value, dns_ip_port, dns_malformed, NULL};
    dnsscan d = {.sink = sink, .r = r};
    d.scan.ops = &ops;
    d.scan.impl = &d;
    d.scan.no_ip_port = true;
    void *state = NULL;
    int rc = r->dnslog->scan(NULL, &state, &d.scan, buf, len, NULL);
    if (state && r->dnslog->state_free) r->dnslog->state_free(state);
    r->records += d.scan.records;
    if (rc == 0) rc = d.rc;
    return rc ? wb_error_set(err, rc, "out of memory") : 0;
}

int wb_deps_reader_block(wb_deps_reader *r, const char *buf, size_t len, const wb_deps_sink *sink,
                         wb_error *err)
{
    if (r->fmt == F_UNKNOWN) {
        const wb_logfmt *lf = wb_logfmt_detect(buf, len);
        /* a Zeek header cut down to its #fields line is still Zeek */
        if (strcmp(lf->name, "zeek") == 0 || (len > 8 && memcmp(buf, "#fields\t", 8) == 0))
            r->fmt = F_ZEEK;
        else if (strcmp(lf->name, "zeek-json") == 0 || strcmp(lf->name, "eve") == 0 ||
                 strcmp(lf->name, "jsonl") == 0)
            r->fmt = F_JSON;
        else if (strcmp(lf->name, "nfdump-csv") == 0)
            r->fmt = F_CSV;
        else if (strcmp(lf->name, "dnsmasq") == 0 || strcmp(lf->name, "dns-bind") == 0 ||
                 strcmp(lf->name, "dns-unbound") == 0) {
            r->fmt = F_DNSLOG;
            r->dnslog = lf;
        } else {
            /* any other CSV whose header names the address columns */
            const char *nl = memchr(buf, '\n', len);
            size_t n = nl ? (size_t)(nl - buf) : len;
            if (memchr(buf, ',', n)) {
                map_columns(r, buf, n, ',');
                if (r->have_header) {
                    r->have_header = false;
                    r->fmt = F_CSV;
                }
            }
            if (r->fmt == F_UNKNOWN)
                return wb_error_set(err, WB_EFORMAT,
                                    "%s: not a flow log weerbaar reads (Zeek TSV or JSON, EVE, "
                                    "nfdump or IPFIX CSV with a header); it looks like '%s'",
                                    r->name, lf->name);
        }
    }
    r->sep = r->fmt == F_ZEEK ? '\t' : ',';
    if (r->fmt == F_JSON) return json_block(r, buf, len, sink, err);
    if (r->fmt == F_DNSLOG) return dnslog_block(r, buf, len, sink, err);
    return sep_block(r, buf, len, sink, err);
}

wb_deps_reader *wbi_deps_reader_clone(const wb_deps_reader *r)
{
    wb_deps_reader *c = malloc(sizeof *c);
    if (!c) return NULL;
    *c = *r;
    c->records = c->skipped = 0;
    c->first_skip[0] = '\0';
    return c;
}

void wbi_deps_reader_merge(wb_deps_reader *into, const wb_deps_reader *from)
{
    if (!into->skipped && from->skipped)
        memcpy(into->first_skip, from->first_skip, sizeof into->first_skip);
    into->records += from->records;
    into->skipped += from->skipped;
}
