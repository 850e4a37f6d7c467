/*
 * normalize.h - canonical forms of indicator values, shared by the matcher,
 * the warninglists and the hub, so that a value is compared the same way
 * everywhere.
 *
 *   address   IPv4 and IPv6; IPv4-mapped IPv6 (::ffff:a.b.c.d) equals IPv4.
 *             Stored as 16 bytes with IPv4 mapped; prefixes count in that space
 *             (an IPv4 /24 is prefix 120 internally, printed as /24).
 *   domain    lower-case, trailing dot removed, labels 1-63 bytes, total <= 253.
 *   url       scheme and host lower-case, default port dropped, unreserved
 *             percent-encodings decoded, fragment dropped, empty path "/";
 *             the canonical key has no scheme ("host[:port]/path?query").
 *   hash      lower-case hex of the type's length.
 *   email     lower-case.
 */
#ifndef WEERBAAR_NORMALIZE_H
#define WEERBAAR_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/ioc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wb_addr {
    uint8_t b[16]; /* network order; IPv4 as ::ffff:a.b.c.d */
} wb_addr;

static inline bool wb_addr_is_v4(const wb_addr *a)
{
    static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    for (int i = 0; i < 12; i++)
        if (a->b[i] != pfx[i]) return false;
    return true;
}

/* An IPv4 or IPv6 address (IPv6 zone "%eth0" and brackets "[::1]" accepted).
 * 0 or WB_EINVAL. */
int wb_addr_parse(const char *s, size_t n, wb_addr *out);
/* Dotted-quad IPv4 only (no leading zeros); 0 or WB_EINVAL. Inline: the
 * matcher calls it for every address field of every log record. */
static inline int wb_ipv4_parse(const char *s, size_t n, uint32_t *out)
{
    if (n < 7 || n > 15) return WB_EINVAL;
    const char *p = s, *end = s + n;
    uint32_t addr = 0;
    for (int part = 0; part < 4; part++) {
        unsigned v = (unsigned)(unsigned char)*p - '0';
        if (v > 9) return WB_EINVAL;
        p++;
        if (p < end && (unsigned)(unsigned char)*p - '0' <= 9) {
            /* "010" is octal to some parsers: refuse leading zeros. */
            if (v == 0) return WB_EINVAL;
            v = v * 10 + (unsigned)(*p++ - '0');
            if (p < end && (unsigned)(unsigned char)*p - '0' <= 9) {
                v = v * 10 + (unsigned)(*p++ - '0');
                if (v > 255) return WB_EINVAL;
            }
        }
        addr = addr << 8 | v;
        if (part < 3) {
            if (p + 1 >= end || *p != '.') return WB_EINVAL;
            p++;
        }
    }
    if (p != end) return WB_EINVAL;
    *out = addr;
    return 0;
}
/* "a.b.c.d/len" or "v6/len" (a bare address is a full-length prefix). The
 * network is masked (host bits cleared). *prefix counts in the 128-bit space.
 * 0 or WB_EINVAL. */
int wb_cidr_parse(const char *s, size_t n, wb_addr *net, unsigned *prefix);
bool wb_cidr_contains(const wb_addr *net, unsigned prefix, const wb_addr *a);
/* Text form: IPv4 dotted, IPv6 RFC 5952; with prefix < 128 a "/len" in the
 * address family's own terms. Returns length written (buffer >= 64). */
size_t wb_addr_format(const wb_addr *a, unsigned prefix, char *out, size_t cap);

/* Writes the canonical form of a value of the given type into out (replacing
 * its content). The type may change: an IP value with a prefix becomes
 * WB_IOC_CIDR. Returns 0 or WB_EINVAL with a reason in err. */
int wb_ioc_normalize(wb_ioc_type *type, const char *v, size_t n, wb_buf *out, wb_error *err);

/* Domain check and lower-casing into out (cap >= n); 0 or WB_EINVAL. */
int wb_domain_normalize(const char *s, size_t n, char *out, size_t *outlen);

/* URL canonical key (see above) into out; 0 or WB_EINVAL. */
int wb_url_normalize(const char *s, size_t n, wb_buf *out);

/* ---- what a value matches (keys.c) ------------------------------------------ */

/* The text an indicator of normalised value `norm` is stored under: URLs
 * without their scheme, so that a look-up with or without one finds it;
 * every other kind as it is. Points into norm. */
const char *wb_ioc_key_text(wb_ioc_type kind, const char *norm);

/* The host of a URL, with or without a scheme ("scheme://user@host:port/p",
 * "host:port/p", "[v6]:port/p"): no userinfo, no port, no brackets. False
 * when there is none (a path alone, an empty host). *host points into url.
 * The one definition of "host of a URL" for the log readers (referer-style
 * fields), the matcher, the warninglists and the hub. */
bool wb_url_host(const char *url, size_t n, const char **host, size_t *hlen);

/* The prefix lengths of the address blocks held somewhere (the hub's store:
 * wb_store_cidr_prefixes), as bit sets: bit L of v4 for IPv4 /L, bit L%64
 * of v6[L/64] for IPv6 /L. May hold lengths no longer in use, never misses
 * one in use. */
typedef struct wb_prefix_set {
    uint64_t v4;
    uint64_t v6[3];
} wb_prefix_set;

/* One look-up key: the kind and the text an indicator is stored under. */
typedef struct wb_ioc_key {
    wb_ioc_type kind;
    char text[300];
} wb_ioc_key;

/* The keys a look-up of value v searches; an indicator matches v when its
 * (kind, wb_ioc_key_text) is one of them.
 *
 * types == 0: v is of unknown kind and is classified by its shape exactly
 * as `weerbaar match` classifies a log value of unknown kind (scan.c): a
 * hash; a URL (its normalised key and its host's keys); an e-mail address
 * (itself and its domain's keys); an address block (the blocks holding
 * it); an address (itself and every block holding it); a name, with or
 * without ":port" (itself as hostname, itself and each parent as domain).
 * Otherwise types is a bit set of (1u << wb_ioc_type) and v is read as
 * each of those types only (a URL's host and an address's domain are then
 * not added).
 *
 * Blocks whose prefix length is not in `only` are left out (NULL: all).
 * Writes at most max keys and returns how many (0 when v is not a valid
 * value of any kind asked for); a value with more keys than max loses the
 * rest (160 holds any value). */
int wb_ioc_keys(const char *v, size_t n, uint32_t types, const wb_prefix_set *only,
                wb_ioc_key *keys, size_t max);

#ifdef __cplusplus
}
#endif
#endif
