/*
 * scan.c - the matcher behind wb_scan: classifies each value a log reader
 * reports, looks it up in the indicator set, and records sightings.
 *
 * This is the hot path of `weerbaar match`. Lookups are skipped entirely for
 * kinds of indicator the set does not hold, IPv4 addresses are parsed
 * without copies or branches (ipv4_fast.h) and rejected by one or two
 * bitmap tests when no indicator covers their block, names that no
 * indicator holds mostly stop at a Bloom filter, and only sightings
 * allocate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/match_internal.h"
#include "match/ipv4_fast.h"
#include "match/scan_internal.h"

#define SEED 0x7765657262616172ULL /* must equal index.c's */

static void add_hits(wbi_scanner *sc, uint32_t first, unsigned type_mask, const char *field,
                     size_t flen, const char *v, size_t n);

/* ---- look-ups ------------------------------------------------------------- */

static inline uint32_t prefix_mask(unsigned len)
{
    return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

#define ALL_TYPES 0xffffu
#define T(x) (1u << (x))

static inline bool bit_set(const uint8_t *bits, uint32_t i)
{
    return bits[i >> 3] >> (i & 7) & 1;
}

/* Every block of at most maxlen bits (32: all) that holds address a. */
static void lookup_v4(wbi_scanner *sc, uint32_t a, unsigned maxlen, const char *field, size_t flen,
                      const char *v, size_t n)
{
    const wb_iocset *set = sc->set;
    if (set->v4_filter && bit_set(set->v4_filter, a >> (32 - set->v4_grain)) &&
        (set->v4_fine == NULL || bit_set(set->v4_fine, a >> (32 - set->v4_fine_grain)))) {
        /* Only the prefix lengths that occur around this address: blocks
         * shorter than /16 anywhere, longer ones inside its /16. */
        uint64_t lens = set->v4_short | (uint64_t)set->v4_mask16[a >> 16] << 16;
        if (maxlen < 32) lens &= (2ULL << maxlen) - 1;
        /* Each length is a probe at a random place in the map, a cache
         * miss in a large set, and a large set has many lengths in a /16:
         * ask for all the slots first, so the misses overlap instead of
         * following one another, then probe, longest prefix first. */
        uint64_t keys[33];
        unsigned nk = 0;
        while (lens) {
            unsigned len = 63u - (unsigned)__builtin_clzll(lens);
            lens &= ~(1ULL << len);
            uint64_t key = (uint64_t)len << 32 | (a & prefix_mask(len));
            __builtin_prefetch(&set->v4.slots[wbi_map_v4_slot(&set->v4, key)]);
            keys[nk++] = key;
        }
        for (unsigned k = 0; k < nk; k++) {
            uint32_t first = wbi_map_get_v4(&set->v4, keys[k]);
            if (first != WBI_NONE) add_hits(sc, first, ALL_TYPES, field, flen, v, n);
        }
    }
    if (set->v6_covers_v4) {
        wb_addr addr;
        memset(addr.b, 0, 10);
        addr.b[10] = addr.b[11] = 0xff;
        addr.b[12] = (uint8_t)(a >> 24);
        addr.b[13] = (uint8_t)(a >> 16);
        addr.b[14] = (uint8_t)(a >> 8);
        addr.b[15] = (uint8_t)a;
        for (unsigned len = 0; len < 96 && len <= maxlen + 96; len++) {
            if (!(set->v6_lens[len / 64] >> (len % 64) & 1)) continue;
            uint8_t key[17];
            key[0] = (uint8_t)len;
            memcpy(key + 1, addr.b, 16);
            for (unsigned i = 0; i < 16; i++) {
                unsigned bits = len > i * 8 ? len - i * 8 : 0;
                if (bits < 8) key[1 + i] &= (uint8_t)(0xff00u >> bits);
            }
            uint32_t first = wbi_map_get(set, &set->v6, key, 17, wb_hash64(key, 17, SEED));
            if (first != WBI_NONE) add_hits(sc, first, ALL_TYPES, field, flen, v, n);
        }
    }
}

static void lookup_v6(wbi_scanner *sc, const wb_addr *addr, unsigned maxlen, const char *field,
                      size_t flen, const char *v, size_t n)
{
    const wb_iocset *set = sc->set;
    if (set->v6.count == 0) return;
    for (int len = (int)maxlen; len >= 0; len--) {
        if (!(set->v6_lens[len / 64] >> (len % 64) & 1)) continue;
        uint8_t key[17];
        key[0] = (uint8_t)len;
        memcpy(key + 1, addr->b, 16);
        for (unsigned i = 0; i < 16; i++) {
            unsigned bits = (unsigned)len > i * 8 ? (unsigned)len - i * 8 : 0;
            if (bits < 8) key[1 + i] &= (uint8_t)(0xff00u >> bits);
        }
        uint32_t first = wbi_map_get(set, &set->v6, key, 17, wb_hash64(key, 17, SEED));
        if (first != WBI_NONE) add_hits(sc, first, ALL_TYPES, field, flen, v, n);
    }
}

/* An address in any notation: returns false when v is not one. */
static bool check_ip(wbi_scanner *sc, const char *field, size_t flen, const char *v, size_t n)
{
    uint32_t a4;
    if (wbi_ipv4_parse(v, n, &a4) == 0) {
        lookup_v4(sc, a4, 32, field, flen, v, n);
        return true;
    }
    if (memchr(v, ':', n) == NULL) return false;
    wb_addr a;
    if (wb_addr_parse(v, n, &a) != 0) return false;
    if (wb_addr_is_v4(&a))
        lookup_v4(sc, v4_from_addr(&a), 32, field, flen, v, n);
    else
        lookup_v6(sc, &a, 128, field, flen, v, n);
    return true;
}

/* A domain or host name: the full name matches domains and hostnames, each
 * parent on a label boundary only domains. */
static void check_name(wbi_scanner *sc, const char *field, size_t flen, const char *v, size_t n)
{
    const wb_iocset *set = sc->set;
    if (set->name.count == 0) return;
    char buf[256];
    if (n && v[n - 1] == '.') n--;
    size_t len;
    if (n == 0 || n > 253 || wb_domain_normalize(v, n, buf, &len) != 0) return;
    const char *p = buf;
    size_t rest = len;
    unsigned mask = T(WB_IOC_DOMAIN) | T(WB_IOC_HOSTNAME);
    for (;;) {
        uint64_t h = wb_hash64(p, rest, SEED);
        if (set->name_bloom == NULL || wbi_bloom_test(set->name_bloom, set->name_bloom_shift, h)) {
            uint32_t first = wbi_map_get(set, &set->name, p, rest, h);
            if (first != WBI_NONE) add_hits(sc, first, mask, field, flen, v, n);
        }
        const char *dot = memchr(p, '.', rest);
        if (dot == NULL) break;
        rest -= (size_t)(dot - p) + 1;
        p = dot + 1;
        mask = T(WB_IOC_DOMAIN);
    }
}

/* An address block ("10.0.0.0/8", "2001:db8::/32"): every block that holds
 * it (keys.c's auto rules look up the same). False when v is not one. */
static bool check_block(wbi_scanner *sc, const char *field, size_t flen, const char *v, size_t n)
{
    wb_addr a;
    unsigned prefix;
    if (wb_cidr_parse(v, n, &a, &prefix) != 0) return false;
    if (wb_addr_is_v4(&a) && prefix >= 96)
        lookup_v4(sc, v4_from_addr(&a), prefix - 96, field, flen, v, n);
    else
        lookup_v6(sc, &a, prefix, field, flen, v, n);
    return true;
}

/* Strips ":port" from "host:port" (not from IPv6 addresses). */
static size_t strip_port(const char *v, size_t n)
{
    const char *colon = memrchr(v, ':', n);
    if (colon == NULL || memchr(v, ':', (size_t)(colon - v)) != NULL) return n;
    for (const char *p = colon + 1; p < v + n; p++)
        if (*p < '0' || *p > '9') return n;
    return colon + 1 < v + n ? (size_t)(colon - v) : n;
}

static void check_host(wbi_scanner *sc, const char *field, size_t flen, const char *v, size_t n)
{
    if (n >= 2 && v[0] == '[') {
        const char *rb = memchr(v, ']', n);
        if (rb) {
            check_ip(sc, field, flen, v + 1, (size_t)(rb - v) - 1);
            return;
        }
    }
    n = strip_port(v, n);
    if (!check_ip(sc, field, flen, v, n)) check_name(sc, field, flen, v, n);
}

static void check_url(wbi_scanner *sc, const char *field, size_t flen, const char *v, size_t n,
                      bool host_too)
{
    const wb_iocset *set = sc->set;
    if (set->url.count) {
        if (wb_url_normalize(v, n, &sc->tmp) == 0) {
            uint32_t first = wbi_map_get(set, &set->url, sc->tmp.data, sc->tmp.len,
                                         wb_hash64(sc->tmp.data, sc->tmp.len, SEED));
            if (first != WBI_NONE) add_hits(sc, first, ALL_TYPES, field, flen, v, n);
        }
    }
    if (!host_too) return;
    const char *h;
    size_t hn;
    if (!wb_url_host(v, n, &h, &hn)) return;
    if (!check_ip(sc, field, flen, h, hn)) check_name(sc, field, flen, h, hn);
}

static void check_hash(wbi_scanner *sc, const char *field, size_t flen, const char *v, size_t n)
{
    const wb_iocset *set = sc->set;
    if (set->hash.count == 0 || (n != 32 && n != 40 && n != 64)) return;
    char buf[64];
    for (size_t i = 0; i < n; i++) {
        char c = wb_lower(v[i]);
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return;
        buf[i] = c;
    }
    uint32_t first = wbi_map_get(set, &set->hash, buf, n, wb_hash64(buf, n, SEED));
    if (first != WBI_NONE) add_hits(sc, first, ALL_TYPES, field, flen, v, n);
}

static void check_email(wbi_scanner *sc, const char *field, size_t flen, const char *v, size_t n)
{
    const wb_iocset *set = sc->set;
    if (set->email.count) {
        wb_ioc_type t = WB_IOC_EMAIL;
        if (wb_ioc_normalize(&t, v, n, &sc->tmp, NULL) == 0) {
            uint32_t first = wbi_map_get(set, &set->email, sc->tmp.data, sc->tmp.len,
                                         wb_hash64(sc->tmp.data, sc->tmp.len, SEED));
            if (first != WBI_NONE) add_hits(sc, first, ALL_TYPES, field, flen, v, n);
        }
    }
    /* The domain of an address also meets domain indicators: mail from an
     * attacker's domain is a sighting of that domain. */
    const char *at = memrchr(v, '@', n);
    if (at == NULL) return;
    const char *d = at + 1, *end = v + n;
    const char *gt = memchr(d, '>', (size_t)(end - d));
    if (gt) end = gt;
    if (end > d) check_name(sc, field, flen, d, (size_t)(end - d));
}

/* Byte classes for check_auto: a table, because the switch it replaces
 * compiled to an indirect jump per byte that mispredicted on every DNS
 * name (a fifth of a dns.log scan). */
enum { C_DOT = 1, C_COLON = 2, C_AT = 4, C_SLASH = 8, C_SPACE = 16, C_NONHEX = 32 };

#define BC(c)                                                                                      \
    (uint8_t)((c) == '.'                  ? C_DOT | C_NONHEX                                       \
              : (c) == ':'                ? C_COLON | C_NONHEX                                     \
              : (c) == '@'                ? C_AT | C_NONHEX                                        \
              : (c) == '/'                ? C_SLASH | C_NONHEX                                     \
              : (c) == ' ' || (c) == '\t' ? C_SPACE | C_NONHEX                                     \
              : ((c) >= '0' && (c) <= '9') || ((c) >= 'a' && (c) <= 'f') ||                        \
                      ((c) >= 'A' && (c) <= 'F')                                                   \
                  ? 0                                                                              \
                  : C_NONHEX)
#define BC4(c) BC(c), BC((c) + 1), BC((c) + 2), BC((c) + 3)
#define BC16(c) BC4(c), BC4((c) + 4), BC4((c) + 8), BC4((c) + 12)
#define BC64(c) BC16(c), BC16((c) + 16), BC16((c) + 32), BC16((c) + 48)
static const uint8_t byte_class[256] = {BC64(0), BC64(64), BC64(128), BC64(192)};
#undef BC64
#undef BC16
#undef BC4
#undef BC

/* Classifies a value of unknown content by its shape. */
static void check_auto(wbi_scanner *sc, const char *field, size_t flen, const char *v, size_t n)
{
    unsigned cls = 0;
    for (size_t i = 0; i < n; i++)
        cls |= byte_class[(unsigned char)v[i]];
    bool dot = cls & C_DOT, colon = cls & C_COLON, at = cls & C_AT, slash = cls & C_SLASH,
         space = cls & C_SPACE, hex = !(cls & C_NONHEX);
    if (hex) {
        check_hash(sc, field, flen, v, n);
        return;
    }
    if (space) return;
    if (colon && slash && n > 3 && memmem(v, n, "://", 3)) {
        check_url(sc, field, flen, v, n, true);
        return;
    }
    if (at) {
        check_email(sc, field, flen, v, n);
        return;
    }
    if (!dot && !colon) return;
    if (slash) {
        /* "host/path": a URL without a scheme (proxy logs, Zeek host+uri). */
        if (!check_block(sc, field, flen, v, n)) check_url(sc, field, flen, v, n, true);
        return;
    }
    check_host(sc, field, flen, v, n);
}

static void op_value(wb_scan *s, const char *field, size_t flen, const char *v, size_t n,
                     unsigned kinds)
{
    wbi_scanner *sc = s->impl;
    if (kinds & WB_V_AUTO) {
        check_auto(sc, field, flen, v, n);
        return;
    }
    if (kinds & WB_V_IP) {
        uint32_t a4;
        if (wbi_ipv4_parse(v, n, &a4) == 0) {
            lookup_v4(sc, a4, 32, field, flen, v, n);
            return;
        }
        if (check_ip(sc, field, flen, v, n)) return;
    }
    if (kinds & WB_V_URL) check_url(sc, field, flen, v, n, (kinds & WB_V_URL_HOST) != 0);
    if (kinds & WB_V_DOMAIN) check_host(sc, field, flen, v, n);
    if (kinds & WB_V_HASH) check_hash(sc, field, flen, v, n);
    if (kinds & WB_V_EMAIL) check_email(sc, field, flen, v, n);
}

static void op_ip_port(wb_scan *s, const char *field, size_t flen, const char *ip, size_t iplen,
                       unsigned port)
{
    wbi_scanner *sc = s->impl;
    const wb_iocset *set = sc->set;
    if (set->ipport.count == 0 || port > 65535) return;
    uint8_t key[18];
    wb_addr a;
    if (wb_addr_parse(ip, iplen, &a) != 0) return;
    memcpy(key, a.b, 16);
    key[16] = (uint8_t)(port >> 8);
    key[17] = (uint8_t)port;
    uint32_t first = wbi_map_get(set, &set->ipport, key, 18, wb_hash64(key, 18, SEED));
    if (first == WBI_NONE) return;
    char shown[96];
    int k = snprintf(shown, sizeof shown, "%.*s|%u", (int)(iplen > 64 ? 64 : iplen), ip, port);
    add_hits(sc, first, ALL_TYPES, field, flen, shown, k > 0 ? (size_t)k : 0);
}

static void op_malformed(wb_scan *s, uint64_t line, const char *reason)
{
    wbi_scanner *sc = s->impl;
    sc->malformed++;
    if (sc->nbad < WBI_MAX_BAD) {
        sc->bad[sc->nbad].line = line;
        sc->bad[sc->nbad].reason = reason;
        sc->nbad++;
    }
}

static uint32_t put_str(wbi_scanner *sc, const char *p, size_t n);

/* Only the first value of a key counts (a reader gives each once). */
static void op_context(wb_scan *s, wb_ctx_key key, const char *v, size_t n)
{
    wbi_scanner *sc = s->impl;
    if ((unsigned)key >= WB_CTX_COUNT || sc->ctx[key] != WBI_NONE) return;
    sc->ctx[key] = put_str(sc, v, n > 256 ? 256 : n);
}

static const wb_scan_ops scanner_ops = {op_value, op_ip_port, op_malformed, op_context};

/* ---- sightings ------------------------------------------------------------ */

static uint32_t put_str(wbi_scanner *sc, const char *p, size_t n)
{
    size_t off = sc->strings.len;
    if (off > UINT32_MAX - n - 1 || wb_buf_append(&sc->strings, p, n) ||
        wb_buf_putc(&sc->strings, '\0')) {
        sc->oom = true;
        return WBI_NONE;
    }
    return (uint32_t)off;
}

static void add_hits(wbi_scanner *sc, uint32_t first, unsigned type_mask, const char *field,
                     size_t flen, const char *v, size_t n)
{
    const wb_iocset *set = sc->set;
    uint64_t line = sc->scan.line;
    for (uint32_t id = first; id != WBI_NONE; id = set->recs[id].next) {
        if (!(type_mask & T(set->recs[id].type))) continue;
        /* One sighting per (record, field, indicator). */
        bool seen = false;
        for (size_t i = sc->nhits; i > 0 && sc->hits[i - 1].line == line; i--) {
            const wbi_match_hit *h = &sc->hits[i - 1];
            if (h->ioc == id && strlen(sc->strings.data + h->field) == flen &&
                memcmp(sc->strings.data + h->field, field, flen) == 0) {
                seen = true;
                break;
            }
        }
        if (seen) continue;
        if (sc->nhits == sc->hits_cap) {
            size_t cap = sc->hits_cap ? sc->hits_cap * 2 : 64;
            wbi_match_hit *nh = realloc(sc->hits, cap * sizeof *nh);
            if (nh == NULL) {
                sc->oom = true;
                return;
            }
            sc->hits = nh;
            sc->hits_cap = cap;
        }
        wbi_match_hit *h = &sc->hits[sc->nhits];
        h->line = line;
        h->ioc = id;
        h->field = put_str(sc, field, flen);
        h->matched = put_str(sc, v, n);
        if (sc->ts_line != line || !sc->ts_done) {
            /* The record's first hit: its time and context, once. */
            sc->ts_line = line;
            sc->ts_done = true;
            sc->ts = WB_TIME_NONE;
            wb_time t;
            if (sc->scan.ts && sc->scan.ts_parse &&
                sc->scan.ts_parse(sc->scan.ts, sc->scan.ts_len, &t) == 0)
                sc->ts = t;
            for (unsigned k = 0; k < WB_CTX_COUNT; k++)
                sc->ctx[k] = WBI_NONE;
            if (sc->scan.ctx_fn) sc->scan.ctx_fn(&sc->scan, sc->scan.ctx_rec);
        }
        h->ts = sc->ts;
        memcpy(h->ctx, sc->ctx, sizeof h->ctx);
        if (h->field == WBI_NONE || h->matched == WBI_NONE) return;
        sc->nhits++;
    }
}

/* ---- scanner life cycle ---------------------------------------------------- */

void wbi_scanner_init(wbi_scanner *sc, const wb_iocset *set)
{
    memset(sc, 0, sizeof *sc);
    sc->set = set;
    sc->scan.ops = &scanner_ops;
    sc->scan.impl = sc;
    sc->scan.no_ip_port = set->ipport.count == 0;
}

void wbi_scanner_reset(wbi_scanner *sc)
{
    sc->nhits = 0;
    sc->nbad = 0;
    sc->malformed = 0;
    sc->oom = false;
    sc->ts_done = false;
    wb_buf_reset(&sc->strings);
    sc->scan.lines = 0;
    sc->scan.records = 0;
    sc->scan.line = 0;
    sc->scan.ts = NULL;
}

void wbi_scanner_free(wbi_scanner *sc)
{
    free(sc->hits);
    wb_buf_free(&sc->strings);
    wb_buf_free(&sc->tmp);
    memset(sc, 0, sizeof *sc);
}

/* ---- one-off look-ups ------------------------------------------------------- */

void wb_iocset_lookup(const wb_iocset *set, const char *v, size_t n, unsigned kinds,
                      void (*found)(void *ud, uint32_t id), void *ud)
{
    wbi_scanner sc;
    wbi_scanner_init(&sc, set);
    wb_scan_record(&sc.scan, 0);
    sc.scan.ops->value(&sc.scan, "value", 5, v, n, kinds ? kinds : WB_V_AUTO);
    for (size_t i = 0; i < sc.nhits; i++)
        found(ud, sc.hits[i].ioc);
    wbi_scanner_free(&sc);
}
