/*
 * text.c - free text ("text"): syslog and anything else. Every token that
 * has the shape of an indicator (URL, e-mail address, IPv4 or IPv6 address,
 * domain name, MD5/SHA-1/SHA-256 digest) is handed over as field "text" with
 * kind AUTO; the matcher decides what it is. The fallback format when
 * detection recognises nothing else.
 */
#include <string.h>

#include "logs/logs_internal.h"

static bool is_delim(char c)
{
    switch (c) {
    case ' ':
    case '\t':
    case '"':
    case '\'':
    case '`':
    case '<':
    case '>':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
    case ',':
    case ';':
    case '|':
    case '=':
    case '\\':
        return true;
    default:
        return (unsigned char)c < 0x20;
    }
}

/* Where a URL stops: whitespace, quotes, angle brackets, control bytes. */
static bool url_stop(char c)
{
    return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '`' || c == '<' || c == '>' ||
           (unsigned char)c < 0x20;
}

static bool is_alpha(char c)
{
    c = wb_lower(c);
    return c >= 'a' && c <= 'z';
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (wb_lower(c) >= 'a' && wb_lower(c) <= 'f');
}

/* Trailing punctuation that ends a sentence rather than a token. */
static size_t trim_tail(const char *p, size_t n)
{
    while (n && (p[n - 1] == '.' || p[n - 1] == ':' || p[n - 1] == '!' || p[n - 1] == '?' ||
                 p[n - 1] == ')' || p[n - 1] == ']' || p[n - 1] == ','))
        n--;
    return n;
}

static bool is_domain(const char *p, size_t n)
{
    size_t label = 0, last_start = 0;
    bool dot = false;
    if (n < 4 || n > 253) return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '.') {
            if (!label) return false;
            dot = true;
            label = 0;
            last_start = i + 1;
        } else if (is_alpha(c) || (c >= '0' && c <= '9') || c == '-' || c == '_') {
            if (++label > 63) return false;
        } else {
            return false;
        }
    }
    if (!dot || n - last_start < 2) return false;
    for (size_t i = last_start; i < n; i++)
        if (!is_alpha(p[i])) return false;
    return true;
}

static bool is_hash(const char *p, size_t n)
{
    if (n != 32 && n != 40 && n != 64) return false;
    for (size_t i = 0; i < n; i++)
        if (!is_hex(p[i])) return false;
    return true;
}

/* Full IPv6 form (7 colons) or compressed ("::"); times (10:00:00) and MAC
 * addresses have neither. */
static bool is_ipv6(const char *p, size_t n)
{
    if (n < 3 || !wbi_is_ipv6(p, n)) return false;
    unsigned colons = 0;
    for (size_t i = 0; i < n; i++)
        colons += p[i] == ':';
    return colons == 7 || memmem(p, n, "::", 2) != NULL;
}

static void emit(wb_scan *s, const char *p, size_t n)
{
    wb_scan_value(s, "text", 4, p, n, WB_V_AUTO);
}

/* A host part of a word: an address or a name, with a port or path cut off. */
static void host_word(wb_scan *s, const char *p, size_t n)
{
    const char *slash = memchr(p, '/', n);
    if (slash) n = (size_t)(slash - p);
    n = trim_tail(p, n);
    if (is_ipv6(p, n)) {
        emit(s, p, n);
        return;
    }
    wbi_strip_port(&p, &n);
    if (wbi_is_ipv4(p, n) || is_domain(p, n)) emit(s, p, n);
}

static void word(wb_scan *s, const char *p, size_t n)
{
    while (n && (p[0] == '.' || p[0] == ':' || p[0] == '/'))
        if (p[0] == ':' && n > 1 && p[1] == ':')
            break; /* "::1" */
        else {
            p++;
            n--;
        }
    n = trim_tail(p, n);
    if (!n) return;
    const char *at = memchr(p, '@', n);
    if (at) {
        const char *d = at + 1;
        size_t dn = n - (size_t)(d - p);
        if (at > p && is_domain(d, dn)) emit(s, p, n);
        return;
    }
    if (is_hash(p, n)) {
        emit(s, p, n);
        return;
    }
    host_word(s, p, n);
}

/* A URL starting at p[0] ("scheme://..."): its length, or 0. */
static size_t url_at(const char *p, size_t n)
{
    size_t i = 0;
    if (!n || !is_alpha(p[0])) return 0;
    while (i < n && (is_alpha(p[i]) || (p[i] >= '0' && p[i] <= '9') || p[i] == '+' || p[i] == '-' ||
                     p[i] == '.'))
        i++;
    if (i + 3 >= n || p[i] != ':' || p[i + 1] != '/' || p[i + 2] != '/') return 0;
    size_t e = i + 3;
    while (e < n && !url_stop(p[e]))
        e++;
    if (e == i + 3) return 0;
    return trim_tail(p, e);
}

static void scan_line(wb_scan *s, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (is_delim(p[i])) {
            i++;
            continue;
        }
        size_t u = url_at(p + i, n - i);
        if (u) {
            const char *h;
            size_t hn;
            emit(s, p + i, u);
            if (wb_url_host(p + i, u, &h, &hn)) emit(s, h, hn);
            i += u;
            continue;
        }
        size_t e = i;
        while (e < n && !is_delim(p[e]))
            e++;
        word(s, p + i, e - i);
        i = e;
    }
}

static int text_line_scan(wb_scan *s, uint64_t ln, const char *p, size_t n, void *ctx)
{
    (void)ctx;
    wb_scan_record(s, ln);
    wb_ts_parser parse;
    size_t tl = wbi_line_ts_prefix(p, n, &parse);
    if (tl) wb_scan_ts(s, p, tl, parse);
    /* The timestamp is not a token worth checking. */
    scan_line(s, p + tl, n - tl);
    return 0;
}

static int text_scan(const void *state, void **state_out, wb_scan *s, const char *buf, size_t len,
                     const wb_logopts *opts)
{
    (void)state;
    (void)opts;
    *state_out = NULL;
    return wbi_scan_lines(s, buf, len, text_line_scan, NULL);
}

static int text_detect(const char *buf, size_t len)
{
    (void)buf;
    (void)len;
    return 1;
}

const wb_logfmt wbi_fmt_text = {
    .name = "text",
    .summary = "free text (syslog, anything): scans every line for indicator-shaped tokens",
    .checks = "URLs (scheme://), e-mail addresses, IPv4 and IPv6 addresses, domain names, "
              "MD5/SHA-1/SHA-256 digests, each by shape; RFC 3339 or syslog time prefix",
    .detect = text_detect,
    .scan = text_scan,
    .state_free = NULL,
};
