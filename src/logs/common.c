/*
 * common.c - helpers shared by the log readers: line counting, timestamp
 * parsers passed to wb_scan_ts(), address and URL shapes, the Zeek field
 * rules and line-based detection.
 */
#include <string.h>

#include "logs/logs_internal.h"

int wbi_scan_lines(wb_scan *s, const char *buf, size_t len, wbi_line_fn fn, void *ctx)
{
    size_t pos = 0;
    uint64_t line = 0;
    const char *p;
    size_t n;
    int rc = 0;
    while (rc == 0 && wbi_next_line(buf, len, &pos, &p, &n)) {
        uint64_t ln = line++;
        if (!wbi_blank(p, n)) rc = fn(s, ln, p, n, ctx);
    }
    s->lines = rc ? line : wbi_count_lines(buf, len);
    return rc;
}

uint64_t wbi_count_lines(const char *buf, size_t len)
{
    uint64_t n = 0;
    const char *p = buf, *end = buf + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        n++;
        if (!nl) break;
        p = nl + 1;
    }
    return n;
}

bool wbi_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t') return false;
    return true;
}

/* ---- timestamps ------------------------------------------------------------ */

int wbi_ts_epoch(const char *s, size_t n, wb_time *out)
{
    return wb_time_parse_epoch(s, n, out);
}

int wbi_ts_iso(const char *s, size_t n, wb_time *out)
{
    return wb_time_parse(s, n, out);
}

int wbi_ts_any(const char *s, size_t n, wb_time *out)
{
    if (n >= 10 && s[4] == '-') return wb_time_parse(s, n, out);
    return wb_time_parse_epoch(s, n, out);
}

unsigned wbi_month(const char *s)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (unsigned i = 0; i < 12; i++)
        if (memcmp(names + 3 * i, s, 3) == 0) return i + 1;
    return 0;
}

static int num(const char *s, size_t count, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < count; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9) return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* hh:mm:ss at s (8 chars) into seconds of the day. */
static int clock_secs(const char *s, int64_t *out)
{
    unsigned h, m, sec;
    if (num(s, 2, &h) || s[2] != ':' || num(s + 3, 2, &m) || s[5] != ':' || num(s + 6, 2, &sec))
        return -1;
    if (h > 23 || m > 59 || sec > 60) return -1;
    *out = h * 3600 + m * 60 + (sec == 60 ? 59 : sec);
    return 0;
}

/* Optional ".fff…" fraction at s[0..n): microseconds, or -1. */
static int64_t fraction(const char *s, size_t n)
{
    if (n == 0) return 0;
    if (s[0] != '.' || n == 1) return -1;
    int64_t us = 0, scale = 100000;
    for (size_t i = 1; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9) return -1;
        us += d * scale;
        scale /= 10;
    }
    return us;
}

int wbi_ts_syslog_at(const char *s, size_t n, wb_time now, wb_time *out)
{
    /* "Jan  1 10:00:00" or "Jan 01 10:00:00" */
    if (n != 15 || s[3] != ' ' || s[6] != ' ') return WB_EINVAL;
    unsigned mon = wbi_month(s), day;
    if (!mon) return WB_EINVAL;
    char d[2] = {s[4] == ' ' ? '0' : s[4], s[5]};
    int64_t secs;
    if (num(d, 2, &day) || day < 1 || day > 31 || clock_secs(s + 7, &secs)) return WB_EINVAL;
    int64_t days_now = now / 1000000 / 86400;
    int64_t y = 1970 + days_now / 365; /* refine: the year of `now` */
    while (wb_days_from_civil(y, 1, 1) > days_now)
        y--;
    while (wb_days_from_civil(y + 1, 1, 1) <= days_now)
        y++;
    wb_time t = (wb_days_from_civil(y, mon, day) * 86400 + secs) * 1000000;
    if (t > now + (wb_time)86400 * 1000000)
        t = (wb_days_from_civil(y - 1, mon, day) * 86400 + secs) * 1000000;
    *out = t;
    return 0;
}

int wbi_ts_syslog(const char *s, size_t n, wb_time *out)
{
    return wbi_ts_syslog_at(s, n, wb_time_now(), out);
}

int wbi_ts_clf(const char *s, size_t n, wb_time *out)
{
    /* 10/Oct/2000:13:55:36 -0700 */
    unsigned day, year, oh, om;
    int64_t secs;
    if (n != 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[20] != ' ') return WB_EINVAL;
    unsigned mon = wbi_month(s + 3);
    if (!mon || num(s, 2, &day) || num(s + 7, 4, &year) || clock_secs(s + 12, &secs) ||
        (s[21] != '+' && s[21] != '-') || num(s + 22, 2, &oh) || num(s + 24, 2, &om))
        return WB_EINVAL;
    if (day < 1 || day > 31 || oh > 23 || om > 59) return WB_EINVAL;
    int64_t off = (int64_t)(oh * 3600 + om * 60) * (s[21] == '-' ? -1 : 1);
    *out = (wb_days_from_civil(year, mon, day) * 86400 + secs - off) * 1000000;
    return 0;
}

int wbi_ts_bind(const char *s, size_t n, wb_time *out)
{
    /* 01-Jan-2024 10:00:00.123 */
    unsigned day, year;
    int64_t secs;
    if (n < 20 || s[2] != '-' || s[6] != '-' || s[11] != ' ') return WB_EINVAL;
    unsigned mon = wbi_month(s + 3);
    if (!mon || num(s, 2, &day) || num(s + 7, 4, &year) || clock_secs(s + 12, &secs))
        return WB_EINVAL;
    if (day < 1 || day > 31) return WB_EINVAL;
    int64_t us = fraction(s + 20, n - 20);
    if (us < 0) return WB_EINVAL;
    *out = (wb_days_from_civil(year, mon, day) * 86400 + secs) * 1000000 + us;
    return 0;
}

size_t wbi_line_ts_prefix(const char *p, size_t n, wb_ts_parser *parser)
{
    if (n >= 10 && p[4] == '-' && p[0] >= '0' && p[0] <= '9') {
        size_t e = 0;
        while (e < n && p[e] != ' ' && p[e] != '\t')
            e++;
        *parser = wbi_ts_iso;
        return e;
    }
    if (n >= 15 && wbi_month(p) && p[3] == ' ' && p[6] == ' ' && p[9] == ':' && p[12] == ':') {
        *parser = wbi_ts_syslog;
        return 15;
    }
    return 0;
}

/* ---- shapes ---------------------------------------------------------------- */

bool wbi_is_ipv4(const char *p, size_t n)
{
    unsigned parts = 0, digits = 0, v = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '.') {
            if (digits == 0 || v > 255) return false;
            parts++;
            digits = v = 0;
            continue;
        }
        unsigned d = (unsigned char)p[i] - '0';
        if (d > 9 || ++digits > 3) return false;
        v = v * 10 + d;
    }
    return parts == 4;
}

bool wbi_is_ipv6(const char *p, size_t n)
{
    if (n < 2 || n > 45) return false;
    unsigned colons = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == ':')
            colons++;
        else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                   c == '.'))
            return false;
    }
    return colons >= 2 && colons <= 7;
}

void wbi_strip_port(const char **p, size_t *n)
{
    const char *s = *p;
    size_t l = *n;
    if (l && s[0] == '[') {
        const char *close = memchr(s, ']', l);
        if (close) {
            *p = s + 1;
            *n = (size_t)(close - s) - 1;
        }
        return;
    }
    const char *colon = memchr(s, ':', l);
    /* More than one colon: a bare IPv6 address, which has no port. */
    if (colon && !memchr(colon + 1, ':', l - (size_t)(colon - s) - 1)) *n = (size_t)(colon - s);
}

/* ---- Zeek field rules ------------------------------------------------------ */

static bool in_list(const char *name, size_t n, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strlen(list[i]) == n && memcmp(list[i], name, n) == 0) return true;
    return false;
}

bool wbi_zeek_skip_key(const char *name, size_t n)
{
    static const char *const skip[] = {"uid",
                                       "fuid",
                                       "id",
                                       "conn_uids",
                                       "conn_state",
                                       "history",
                                       "proto",
                                       "tags",
                                       "analyzers",
                                       "method",
                                       "version",
                                       "status_msg",
                                       "qclass_name",
                                       "qtype_name",
                                       "rcode_name",
                                       "opcode_name",
                                       "mime_type",
                                       "orig_mime_types",
                                       "resp_mime_types",
                                       "source",
                                       "cipher",
                                       "curve",
                                       "validation_status",
                                       "certificate.key_alg",
                                       "certificate.sig_alg",
                                       "certificate.key_type",
                                       "certificate.exponent",
                                       "certificate.serial",
                                       "next_protocol",
                                       "last_alert",
                                       "tunnel_parents", /* conn.log: uids of tunnels */
                                       NULL};
    if (n >= 6 && memcmp(name + n - 6, "_fuids", 6) == 0) return true;
    return in_list(name, n, skip);
}

bool wbi_zeek_addr_key(const char *name, size_t n)
{
    static const char *const addr[] = {"tx_hosts",
                                       "rx_hosts",
                                       "san.ip",
                                       "src",
                                       "dst",
                                       "assigned_addr",
                                       "client_addr",
                                       "server_addr",
                                       "requested_addr",
                                       "x_originating_ip",
                                       "peer_addr",
                                       NULL};
    if (n > 2 && name[n - 2] == '_' && name[n - 1] == 'h') return true;
    return in_list(name, n, addr);
}

/* ---- detection ------------------------------------------------------------- */

int wbi_detect_lines(const char *buf, size_t len, bool (*line_ok)(const char *p, size_t n), int max)
{
    size_t pos = 0;
    const char *p;
    size_t n;
    unsigned looked = 0, ok = 0;
    if (len > 65536) len = 65536;
    while (looked < 5 && wbi_next_line(buf, len, &pos, &p, &n)) {
        /* A last line cut off by the sample size is not judged, unless it is
         * all there is. */
        if (pos == len && buf[len - 1] != '\n' && looked) break;
        if (wbi_blank(p, n)) continue;
        looked++;
        ok += line_ok(p, n);
    }
    if (!looked) return 0;
    return (int)(max * ok / looked);
}
