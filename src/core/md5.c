/*
 * md5.c - MD5 (RFC 1321), for MISP's own uses of it: the lines of a MISP
 * feed's hashes.csv (the MD5 of each attribute value, written by the hub) and the
 * checksums the RIRs publish beside their delegation files (`weerbaar
 * deps` checks its downloads against them).
 *
 * Written here because none of the libraries weerbaar links offers MD5 in
 * its public API (libsodium deliberately has none, and libcurl keeps its
 * copy private); it is not used for anything that needs a secure hash.
 * Checked against the RFC 1321 test suite in tests/hub/test_hub_feed.c.
 */
#include <stdint.h>
#include <string.h>

#include "weerbaar/core.h"

typedef struct md5_ctx {
    uint32_t h[4];
    uint64_t len;
    uint8_t block[64];
    size_t used;
} md5_ctx;

/* The per-round shift amounts and the constants floor(abs(sin(i + 1)) * 2^32). */
static const uint8_t shifts[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                   5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                   4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                   6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
static const uint32_t sines[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};

static uint32_t rotl(uint32_t x, unsigned c)
{
    return (x << c) | (x >> (32 - c));
}

static void compress(md5_ctx *c, const uint8_t *p)
{
    uint32_t m[16];
    for (int i = 0; i < 16; i++)
        m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3];
    /* The four rounds as loops of their own: no per-step branch on the
     * round (hashes.csv hashes every attribute value of a feed). */
#define STEP(f, g)                                                                                 \
    do {                                                                                           \
        uint32_t fv = (f), t = d;                                                                  \
        d = cc;                                                                                    \
        cc = b;                                                                                    \
        b = b + rotl(a + fv + sines[i] + m[(g)], shifts[i]);                                       \
        a = t;                                                                                     \
    } while (0)
    unsigned i;
    for (i = 0; i < 16; i++)
        STEP((b & cc) | (~b & d), i);
    for (; i < 32; i++)
        STEP((d & b) | (~d & cc), (5 * i + 1) & 15);
    for (; i < 48; i++)
        STEP(b ^ cc ^ d, (3 * i + 5) & 15);
    for (; i < 64; i++)
        STEP(cc ^ (b | ~d), (7 * i) & 15);
#undef STEP
    c->h[0] += a;
    c->h[1] += b;
    c->h[2] += cc;
    c->h[3] += d;
}

static void update(md5_ctx *c, const uint8_t *p, size_t n)
{
    c->len += n;
    while (n > 0) {
        size_t take = 64 - c->used < n ? 64 - c->used : n;
        memcpy(c->block + c->used, p, take);
        c->used += take;
        p += take;
        n -= take;
        if (c->used == 64) {
            compress(c, c->block);
            c->used = 0;
        }
    }
}

void wb_md5_hex(const void *data, size_t n, char out[33])
{
    md5_ctx c = {.h = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}};
    update(&c, data, n);
    uint64_t bits = c.len * 8;
    static const uint8_t pad[64] = {0x80};
    size_t padlen = c.used < 56 ? 56 - c.used : 120 - c.used;
    update(&c, pad, padlen);
    uint8_t lenle[8];
    for (int i = 0; i < 8; i++)
        lenle[i] = (uint8_t)(bits >> (8 * i));
    update(&c, lenle, 8);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 4; k++) {
            uint8_t byte = (uint8_t)(c.h[i] >> (8 * k));
            out[8 * i + 2 * k] = hex[byte >> 4];
            out[8 * i + 2 * k + 1] = hex[byte & 15];
        }
    out[32] = '\0';
}
