/*
 * keys.c - one answer to "what does this value match": the keys under which
 * indicators are stored (wb_ioc_key_text), the host of a URL (wb_url_host),
 * and the keys a look-up of a value searches (wb_ioc_keys).
 *
 * `weerbaar match` (scan.c, over its own binary maps) and the hub's
 * indicator look-up (src/hub, over the store's text keys) must find the
 * same indicators for the same value. The hub derives its keys here; the
 * auto rules below restate scan.c's check_auto step for step, and
 * tests/hub/test_hub_keys.c holds the two to each other on generated
 * indicators and values. Change one, change the other.
 */
#include <stdio.h>
#include <string.h>

#include "weerbaar/normalize.h"

const char *wb_ioc_key_text(wb_ioc_type kind, const char *norm)
{
    if (kind == WB_IOC_URL) {
        const char *p = strstr(norm, "://");
        if (p) return p + 3;
    }
    return norm;
}

static bool scheme_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '-' || c == '.';
}

bool wb_url_host(const char *url, size_t n, const char **host, size_t *hlen)
{
    const char *h = url, *end = url + n;
    /* A scheme only when everything before "://" can be one: in
     * "example.org/r?u=http://x" the host is example.org. */
    const char *sep = n >= 3 ? memmem(url, n, "://", 3) : NULL;
    if (sep && sep > url) {
        const char *p = url;
        while (p < sep && scheme_char(*p))
            p++;
        if (p == sep) h = sep + 3;
    }
    if (h < end && *h == '/') return false; /* a path alone */
    const char *e = h;
    while (e < end && *e != '/' && *e != '?' && *e != '#')
        e++;
    const char *at = memrchr(h, '@', (size_t)(e - h));
    if (at) h = at + 1;
    if (h < e && *h == '[') {
        const char *rb = memchr(h, ']', (size_t)(e - h));
        if (rb == NULL) return false;
        h++;
        e = rb;
    } else {
        /* One colon: host:port. More: a bare IPv6 address, which has none. */
        const char *colon = memchr(h, ':', (size_t)(e - h));
        if (colon && memchr(colon + 1, ':', (size_t)(e - colon - 1)) == NULL) e = colon;
    }
    if (e == h) return false;
    *host = h;
    *hlen = (size_t)(e - h);
    return true;
}

/* ---- look-up keys ------------------------------------------------------------ */

typedef struct keys_out {
    wb_ioc_key *k;
    size_t max, n;
    const wb_prefix_set *only;
    wb_buf norm;
} keys_out;

#define BIT(x) (1u << (x))

static void push(keys_out *o, wb_ioc_type kind, const char *s, size_t len)
{
    /* No two calls give the same key: each rule yields keys of kinds of its
     * own, each distinct (a prefix length, a label boundary). */
    if (o->n >= o->max || len >= sizeof o->k[0].text) return;
    o->k[o->n].kind = kind;
    memcpy(o->k[o->n].text, s, len);
    o->k[o->n].text[len] = '\0';
    o->n++;
}

/* Whether blocks of `q` bits (in the 128-bit space; IPv4 ones when v4)
 * can be stored. */
static bool prefix_used(const wb_prefix_set *only, bool v4, unsigned q)
{
    if (only == NULL) return true;
    if (v4) return (only->v4 >> (q - 96)) & 1;
    /* An IPv4-mapped address written as IPv6 is stored in IPv4 terms. */
    if (q >= 96 && ((only->v4 >> (q - 96)) & 1)) return true;
    return (only->v6[q / 64] >> (q % 64)) & 1;
}

/* An address or block: itself (an address) and every block that holds it. */
static bool addr_keys(keys_out *o, const char *v, size_t n, uint32_t types)
{
    wb_addr a;
    unsigned prefix;
    wb_ioc_type t = WB_IOC_IP;
    if (wb_cidr_parse(v, n, &a, &prefix) != 0 || wb_ioc_normalize(&t, v, n, &o->norm, NULL) != 0)
        return false;
    if (t == WB_IOC_IP && (types & BIT(WB_IOC_IP))) push(o, WB_IOC_IP, o->norm.data, o->norm.len);
    if (!(types & BIT(WB_IOC_CIDR))) return true;
    char addr[64], cidr[80];
    wb_addr_format(&a, 128, addr, sizeof addr);
    bool v4 = wb_addr_is_v4(&a) && memchr(v, ':', n) == NULL;
    for (unsigned q = 0; q <= prefix; q++) {
        /* The block asked for itself is always a key: its answer must not
         * depend on which blocks happen to be stored. */
        if (q != prefix && !prefix_used(o->only, v4 && q >= 96, q)) continue;
        int k;
        if (v4 && q < 96) /* an IPv6 block shorter than /96 holds IPv4-mapped space */
            k = snprintf(cidr, sizeof cidr, "::ffff:%s/%u", addr, q);
        else
            k = snprintf(cidr, sizeof cidr, "%s/%u", addr, v4 ? q - 96 : q);
        wb_ioc_type ct = WB_IOC_CIDR;
        if (k > 0 && wb_ioc_normalize(&ct, cidr, (size_t)k, &o->norm, NULL) == 0)
            push(o, WB_IOC_CIDR, o->norm.data, o->norm.len);
    }
    return true;
}

/* A name: itself as hostname and domain, each parent on a label boundary
 * as domain (scan.c's check_name). */
static void name_keys(keys_out *o, const char *v, size_t n, uint32_t types)
{
    char buf[256];
    size_t len;
    if (n && v[n - 1] == '.') n--;
    if (n == 0 || n > 253 || wb_domain_normalize(v, n, buf, &len) != 0) return;
    if (types & BIT(WB_IOC_HOSTNAME)) push(o, WB_IOC_HOSTNAME, buf, len);
    if (!(types & BIT(WB_IOC_DOMAIN))) return;
    for (size_t i = 0; i < len; i++)
        if (i == 0 || buf[i - 1] == '.') push(o, WB_IOC_DOMAIN, buf + i, len - i);
}

static const uint32_t ADDR = BIT(WB_IOC_IP) | BIT(WB_IOC_CIDR);
static const uint32_t NAME = BIT(WB_IOC_DOMAIN) | BIT(WB_IOC_HOSTNAME);

/* "host", "host:port" or "[v6]:port" (scan.c's check_host). */
static void host_keys(keys_out *o, const char *v, size_t n)
{
    if (n >= 2 && v[0] == '[') {
        const char *rb = memchr(v, ']', n);
        if (rb) {
            wb_addr a;
            if (wb_addr_parse(v + 1, (size_t)(rb - v) - 1, &a) == 0)
                addr_keys(o, v + 1, (size_t)(rb - v) - 1, ADDR);
            return;
        }
    }
    const char *colon = memrchr(v, ':', n);
    if (colon && memchr(v, ':', (size_t)(colon - v)) == NULL && colon + 1 < v + n) {
        bool digits = true;
        for (const char *p = colon + 1; p < v + n; p++)
            if (*p < '0' || *p > '9') digits = false;
        if (digits) n = (size_t)(colon - v);
    }
    wb_addr a;
    if (wb_addr_parse(v, n, &a) == 0)
        addr_keys(o, v, n, ADDR);
    else
        name_keys(o, v, n, NAME);
}

static void url_keys(keys_out *o, const char *v, size_t n, bool host_too)
{
    if (wb_url_normalize(v, n, &o->norm) == 0) push(o, WB_IOC_URL, o->norm.data, o->norm.len);
    const char *h;
    size_t hn;
    if (host_too && wb_url_host(v, n, &h, &hn)) {
        wb_addr a;
        if (wb_addr_parse(h, hn, &a) == 0)
            addr_keys(o, h, hn, ADDR);
        else
            name_keys(o, h, hn, NAME);
    }
}

static void email_keys(keys_out *o, const char *v, size_t n, bool domain_too)
{
    wb_ioc_type t = WB_IOC_EMAIL;
    if (wb_ioc_normalize(&t, v, n, &o->norm, NULL) == 0)
        push(o, WB_IOC_EMAIL, o->norm.data, o->norm.len);
    /* Mail from an attacker's domain is a sighting of that domain. */
    const char *at = memrchr(v, '@', n);
    if (!domain_too || at == NULL) return;
    const char *d = at + 1, *end = v + n;
    const char *gt = memchr(d, '>', (size_t)(end - d));
    if (gt) end = gt;
    if (end > d) name_keys(o, d, (size_t)(end - d), NAME);
}

static void hash_keys(keys_out *o, const char *v, size_t n)
{
    if (n != 32 && n != 40 && n != 64) return;
    char buf[64];
    for (size_t i = 0; i < n; i++) {
        char c = wb_lower(v[i]);
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return;
        buf[i] = c;
    }
    push(o, n == 32 ? WB_IOC_MD5 : n == 40 ? WB_IOC_SHA1 : WB_IOC_SHA256, buf, n);
}

/* "address/len" (scan.c's check_block). */
static bool is_block(const char *v, size_t n)
{
    wb_addr a;
    unsigned prefix;
    return wb_cidr_parse(v, n, &a, &prefix) == 0;
}

/* A value of unknown kind, classified by its shape as scan.c's check_auto
 * does, with one addition there too: an address block ("a.b.c.d/len")
 * looks up the blocks that hold it. */
static void auto_keys(keys_out *o, const char *v, size_t n)
{
    bool dot = false, colon = false, at = false, slash = false, space = false, hex = true;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (c == '.') dot = true;
        if (c == ':') colon = true;
        if (c == '@') at = true;
        if (c == '/') slash = true;
        if (c == ' ' || c == '\t') space = true;
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            hex = false;
    }
    if (hex) {
        hash_keys(o, v, n);
        return;
    }
    if (space) return;
    if (colon && slash && n > 3 && memmem(v, n, "://", 3)) {
        url_keys(o, v, n, true);
        return;
    }
    if (at) {
        email_keys(o, v, n, true);
        return;
    }
    if (!dot && !colon) return;
    if (slash) {
        if (is_block(v, n)) {
            addr_keys(o, v, n, ADDR);
            return;
        }
        url_keys(o, v, n, true);
        return;
    }
    host_keys(o, v, n);
}

int wb_ioc_keys(const char *v, size_t n, uint32_t types, const wb_prefix_set *only,
                wb_ioc_key *keys, size_t max)
{
    keys_out o = {.k = keys, .max = max, .only = only};
    if (types == 0) {
        auto_keys(&o, v, n);
    } else {
        if (types & ADDR) addr_keys(&o, v, n, types);
        if (types & NAME) name_keys(&o, v, n, types);
        if (types & BIT(WB_IOC_URL)) url_keys(&o, v, n, false);
        if (types & BIT(WB_IOC_EMAIL)) email_keys(&o, v, n, false);
        static const wb_ioc_type plain[] = {WB_IOC_MD5, WB_IOC_SHA1, WB_IOC_SHA256, WB_IOC_IP_PORT};
        for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
            wb_ioc_type t = plain[i];
            if ((types & BIT(t)) && wb_ioc_normalize(&t, v, n, &o.norm, NULL) == 0)
                push(&o, t, o.norm.data, o.norm.len);
        }
    }
    wb_buf_free(&o.norm);
    return (int)o.n;
}
