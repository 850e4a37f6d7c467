/*
 * normalize.c - canonical forms of addresses, domains, URLs, hashes and
 * e-mail addresses (see normalize.h for the rules).
 *
 * The matcher calls these on every candidate value in a log, so the common
 * cases (dotted-quad IPv4, short lower-case names) take paths without
 * copies or library calls; rarer forms (IPv6) go through inet_pton.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "weerbaar/normalize.h"

static void set_v4(wb_addr *a, uint32_t v)
{
    memset(a->b, 0, 10);
    a->b[10] = a->b[11] = 0xff;
    a->b[12] = (uint8_t)(v >> 24);
    a->b[13] = (uint8_t)(v >> 16);
    a->b[14] = (uint8_t)(v >> 8);
    a->b[15] = (uint8_t)v;
}

int wb_addr_parse(const char *s, size_t n, wb_addr *out)
{
    uint32_t v4;
    if (wb_ipv4_parse(s, n, &v4) == 0) {
        set_v4(out, v4);
        return 0;
    }
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    const char *pct = memchr(s, '%', n);
    if (pct) n = (size_t)(pct - s); /* zone index: not part of the address */
    if (n < 2 || n > 45 || memchr(s, ':', n) == NULL) return WB_EINVAL;
    char tmp[46];
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (inet_pton(AF_INET6, tmp, out->b) != 1) return WB_EINVAL;
    return 0;
}

static void mask_addr(wb_addr *a, unsigned prefix)
{
    for (unsigned i = 0; i < 16; i++) {
        unsigned bits = prefix > i * 8 ? prefix - i * 8 : 0;
        if (bits >= 8) continue;
        a->b[i] &= (uint8_t)(0xff00u >> bits);
    }
}

int wb_cidr_parse(const char *s, size_t n, wb_addr *net, unsigned *prefix)
{
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    if (wb_addr_parse(s, alen, net) != 0) return WB_EINVAL;
    bool v4 = wb_addr_is_v4(net) && memchr(s, ':', alen) == NULL;
    unsigned p = 128;
    if (slash) {
        int64_t len;
        unsigned max = v4 ? 32 : 128;
        if (wb_parse_i64(slash + 1, n - alen - 1, 0, max, &len) != 0 || slash[1] == '+' ||
            slash[1] == '-')
            return WB_EINVAL;
        p = (unsigned)len + (v4 ? 96 : 0);
    }
    mask_addr(net, p);
    *prefix = p;
    return 0;
}

bool wb_cidr_contains(const wb_addr *net, unsigned prefix, const wb_addr *a)
{
    unsigned full = prefix / 8, rest = prefix % 8;
    if (memcmp(net->b, a->b, full) != 0) return false;
    if (rest == 0) return true;
    uint8_t m = (uint8_t)(0xff00u >> rest);
    return (net->b[full] & m) == (a->b[full] & m);
}

size_t wb_addr_format(const wb_addr *a, unsigned prefix, char *out, size_t cap)
{
    char tmp[INET6_ADDRSTRLEN];
    bool v4 = wb_addr_is_v4(a);
    if (v4)
        inet_ntop(AF_INET, a->b + 12, tmp, sizeof tmp);
    else
        inet_ntop(AF_INET6, a->b, tmp, sizeof tmp);
    int n;
    if (prefix < 128)
        n = snprintf(out, cap, "%s/%u", tmp, v4 ? (prefix >= 96 ? prefix - 96 : 0) : prefix);
    else
        n = snprintf(out, cap, "%s", tmp);
    return n < 0 ? 0 : (size_t)n;
}

static inline bool is_label_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c >= 0x80;
}

int wb_domain_normalize(const char *s, size_t n, char *out, size_t *outlen)
{
    if (n && s[n - 1] == '.') n--;
    if (n == 0 || n > 253) return WB_EINVAL;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)wb_lower(s[i]);
        if (c == '.') {
            if (label == 0) return WB_EINVAL;
            label = 0;
        } else {
            if (!is_label_char(c) || ++label > 63) return WB_EINVAL;
        }
        out[i] = (char)c;
    }
    if (label == 0) return WB_EINVAL;
    *outlen = n;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = wb_lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static bool is_unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* Splits off "scheme://"; returns the scheme length (0 when there is none). */
static size_t url_scheme(const char *s, size_t n)
{
    for (size_t i = 0; i < n && i < 32; i++) {
        char c = s[i];
        if (c == ':') return (i > 0 && i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/') ? i : 0;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
        if (!ok) return 0;
    }
    return 0;
}

/* Appends the canonical key of a URL; *scheme_len receives the scheme length. */
static int url_key(const char *s, size_t n, wb_buf *out, size_t *scheme_len)
{
    size_t sl = url_scheme(s, n);
    *scheme_len = sl;
    const char *scheme = s;
    size_t i = sl ? sl + 3 : 0;
    size_t auth_end = i;
    while (auth_end < n && s[auth_end] != '/' && s[auth_end] != '?' && s[auth_end] != '#')
        auth_end++;
    size_t host = i;
    for (size_t j = i; j < auth_end; j++)
        if (s[j] == '@') host = j + 1; /* user info is not part of the identity */
    if (host == auth_end) return WB_EINVAL;
    /* host and optional port */
    size_t host_end = auth_end, port = 0;
    if (s[host] == '[') {
        const char *rb = memchr(s + host, ']', auth_end - host);
        if (rb == NULL) return WB_EINVAL;
        host_end = (size_t)(rb - s) + 1;
        if (host_end < auth_end) {
            if (s[host_end] != ':') return WB_EINVAL;
            port = host_end + 1;
        }
    } else {
        const char *colon = memchr(s + host, ':', auth_end - host);
        if (colon) {
            host_end = (size_t)(colon - s);
            port = host_end + 1;
        }
    }
    if (host_end == host) return WB_EINVAL;
    for (size_t j = host; j < host_end; j++) {
        unsigned char c = (unsigned char)s[j];
        if (c <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\') return WB_EINVAL;
        if (wb_buf_putc(out, wb_lower((char)c))) return WB_ENOMEM;
    }
    if (out->len && out->data[out->len - 1] == '.' && s[host] != '[') out->len--;
    if (port && port < auth_end) {
        int64_t pv;
        if (wb_parse_i64(s + port, auth_end - port, 0, 65535, &pv) != 0) return WB_EINVAL;
        bool dflt = (pv == 80 && (sl == 0 || (sl == 4 && wb_strn_ieq(scheme, 4, "http")))) ||
                    (pv == 443 && sl == 5 && wb_strn_ieq(scheme, 5, "https")) ||
                    (pv == 21 && sl == 3 && wb_strn_ieq(scheme, 3, "ftp"));
        if (!dflt && wb_buf_printf(out, ":%u", (unsigned)pv)) return WB_ENOMEM;
    }
    /* path and query; the fragment never reaches a server, so it is dropped */
    size_t end = auth_end;
    while (end < n && s[end] != '#')
        end++;
    if (auth_end == end || s[auth_end] == '?') {
        if (wb_buf_putc(out, '/')) return WB_ENOMEM;
    }
    for (size_t j = auth_end; j < end; j++) {
        unsigned char c = (unsigned char)s[j];
        if (c <= ' ' || c == 0x7f) return WB_EINVAL;
        if (c == '%' && j + 2 < end + 0 + 1 && j + 2 < n && hexval(s[j + 1]) >= 0 &&
            hexval(s[j + 2]) >= 0) {
            unsigned char d = (unsigned char)(hexval(s[j + 1]) * 16 + hexval(s[j + 2]));
            int rc = is_unreserved(d) ? wb_buf_putc(out, (char)d)
                                      : wb_buf_printf(out, "%%%02X", (unsigned)d);
            if (rc) return WB_ENOMEM;
            j += 2;
            continue;
        }
        if (wb_buf_putc(out, (char)c)) return WB_ENOMEM;
    }
    return 0;
}

int wb_url_normalize(const char *s, size_t n, wb_buf *out)
{
    size_t sl;
    wb_buf_reset(out);
    return url_key(s, n, out, &sl);
}

static int hash_normalize(wb_ioc_type t, const char *v, size_t n, wb_buf *out)
{
    size_t want = t == WB_IOC_MD5 ? 32 : t == WB_IOC_SHA1 ? 40 : 64;
    if (n != want) return WB_EINVAL;
    if (wb_buf_reserve(out, n)) return WB_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (hexval(v[i]) < 0) return WB_EINVAL;
        out->data[i] = wb_lower(v[i]);
    }
    out->len = n;
    out->data[n] = '\0';
    return 0;
}

static void trim(const char **v, size_t *n)
{
    while (*n && ((*v)[0] == ' ' || (*v)[0] == '\t' || (*v)[0] == '\r' || (*v)[0] == '\n')) {
        (*v)++;
        (*n)--;
    }
    while (*n && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t' || (*v)[*n - 1] == '\r' ||
                  (*v)[*n - 1] == '\n'))
        (*n)--;
}

static int email_normalize(const char *v, size_t n, wb_buf *out)
{
    const char *lt = memchr(v, '<', n);
    if (lt) {
        const char *gt = memchr(lt, '>', n - (size_t)(lt - v));
        if (gt == NULL) return WB_EINVAL;
        n = (size_t)(gt - lt - 1);
        v = lt + 1;
    }
    const char *at = memchr(v, '@', n);
    if (at == NULL || at == v || memchr(at + 1, '@', n - (size_t)(at - v) - 1)) return WB_EINVAL;
    size_t local = (size_t)(at - v), dl = n - local - 1;
    if (local > 64 || dl == 0) return WB_EINVAL;
    for (size_t i = 0; i < local; i++)
        if ((unsigned char)v[i] <= ' ' || v[i] == '<' || v[i] == '>') return WB_EINVAL;
    if (wb_buf_reserve(out, n)) return WB_ENOMEM;
    for (size_t i = 0; i < local; i++)
        out->data[i] = wb_lower(v[i]);
    out->data[local] = '@';
    size_t d;
    if (wb_domain_normalize(at + 1, dl, out->data + local + 1, &d) != 0) return WB_EINVAL;
    out->len = local + 1 + d;
    out->data[out->len] = '\0';
    return 0;
}

int wb_ioc_normalize(wb_ioc_type *type, const char *v, size_t n, wb_buf *out, wb_error *err)
{
    wb_buf_reset(out);
    trim(&v, &n);
    if (n == 0) return wb_error_set(err, WB_EINVAL, "empty value");
    int rc = 0;
    char tmp[80];
    switch (*type) {
    case WB_IOC_IP:
    case WB_IOC_CIDR: {
        uint32_t quad;
        if (wb_ipv4_parse(v, n, &quad) == 0) { /* already canonical: the common case */
            *type = WB_IOC_IP;
            rc = wb_buf_append(out, v, n);
            break;
        }
        wb_addr a;
        unsigned prefix;
        if (wb_cidr_parse(v, n, &a, &prefix) != 0)
            return wb_error_set(err, WB_EINVAL, "'%.*s' is not an IP address or CIDR",
                                (int)(n > 100 ? 100 : n), v);
        bool has_slash = memchr(v, '/', n) != NULL;
        *type = has_slash ? WB_IOC_CIDR : WB_IOC_IP;
        size_t len = wb_addr_format(&a, 128, tmp, sizeof tmp);
        if (has_slash) {
            /* A /32 or /128 block keeps its slash: it was loaded as a block. */
            bool v4 = wb_addr_is_v4(&a) && prefix >= 96;
            unsigned shown = v4 ? prefix - 96 : prefix;
            int k = snprintf(tmp + len, sizeof tmp - len, "/%u", shown);
            if (k > 0) len += (size_t)k;
        }
        rc = wb_buf_append(out, tmp, len);
        break;
    }
    case WB_IOC_DOMAIN:
    case WB_IOC_HOSTNAME: {
        if (wb_buf_reserve(out, n)) return WB_ENOMEM;
        size_t len;
        if (wb_domain_normalize(v, n, out->data, &len) != 0)
            return wb_error_set(err, WB_EINVAL, "'%.*s' is not a domain name",
                                (int)(n > 100 ? 100 : n), v);
        out->len = len;
        out->data[len] = '\0';
        break;
    }
    case WB_IOC_URL: {
        size_t sl = url_scheme(v, n);
        for (size_t i = 0; i < sl; i++)
            if (wb_buf_putc(out, wb_lower(v[i]))) return WB_ENOMEM;
        if (sl && wb_buf_puts(out, "://")) return WB_ENOMEM;
        size_t dummy;
        rc = url_key(v, n, out, &dummy);
        if (rc == WB_EINVAL)
            return wb_error_set(err, WB_EINVAL, "'%.*s' is not a URL", (int)(n > 100 ? 100 : n), v);
        break;
    }
    case WB_IOC_MD5:
    case WB_IOC_SHA1:
    case WB_IOC_SHA256:
        rc = hash_normalize(*type, v, n, out);
        if (rc == WB_EINVAL)
            return wb_error_set(err, WB_EINVAL, "'%.*s' is not a %s hash", (int)(n > 100 ? 100 : n),
                                v, wb_ioc_type_name(*type));
        break;
    case WB_IOC_EMAIL:
        rc = email_normalize(v, n, out);
        if (rc == WB_EINVAL)
            return wb_error_set(err, WB_EINVAL, "'%.*s' is not an e-mail address",
                                (int)(n > 100 ? 100 : n), v);
        break;
    case WB_IOC_IP_PORT: {
        const char *bar = memrchr(v, '|', n);
        if (bar == NULL) bar = memrchr(v, ':', n);
        wb_addr a;
        int64_t port;
        if (bar == NULL || wb_addr_parse(v, (size_t)(bar - v), &a) != 0 ||
            wb_parse_i64(bar + 1, n - (size_t)(bar - v) - 1, 0, 65535, &port) != 0)
            return wb_error_set(err, WB_EINVAL, "'%.*s' is not an address|port pair",
                                (int)(n > 100 ? 100 : n), v);
        size_t len = wb_addr_format(&a, 128, tmp, sizeof tmp);
        rc = wb_buf_printf(out, "%.*s|%u", (int)len, tmp, (unsigned)port);
        break;
    }
    case WB_IOC_TYPE_COUNT:
        return wb_error_set(err, WB_EINVAL, "invalid indicator type");
    }
    if (rc == WB_ENOMEM) return wb_error_set(err, WB_ENOMEM, "out of memory");
    return rc;
}
