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

#ifdef __cplusplus
}
#endif
#endif
