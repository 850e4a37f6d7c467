/*
 * ipv4_fast.h - the dotted-quad parser of the matcher's hot path.
 *
 * wbi_ipv4_parse() accepts exactly what wb_ipv4_parse() (normalize.h)
 * accepts and returns the same address: four runs of one to three digits
 * separated by single dots, no leading zeros, every part at most 255. It
 * exists because the byte loop of wb_ipv4_parse() branches on the length of
 * every part, and on real traffic (and on the benchmark's random public
 * addresses) those lengths are unpredictable: the mispredictions made IPv4
 * parsing a fifth of a conn.log scan. This version classifies all bytes at
 * once with SSE2 and computes the parts without data-dependent branches.
 *
 * It never reads outside [s, s+n): the bytes are gathered with two
 * overlapping loads inside the value (memcpy, so unaligned loads are
 * defined behaviour). Tests and a differential fuzz target
 * (fuzz/fuzz_ipv4.c) hold it to wb_ipv4_parse(); builds without SSE2 or on
 * big-endian machines use wb_ipv4_parse() itself.
 */
#ifndef WB_IPV4_FAST_H
#define WB_IPV4_FAST_H

#include <stdint.h>
#include <string.h>

#include "weerbaar/normalize.h"

#if defined(__SSE2__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#include <emmintrin.h>

/* Per part length (0..15): the weights of the second and third digit from
 * the right, zero where the part has no such digit, and whether a leading
 * zero is possible. Table look-ups, because gcc turns the equivalent
 * comparisons back into the branches this file exists to avoid. */
static const struct {
    uint8_t w2, w3, multi;
} wbi_ipv4_len[16] = {{0, 0, 0},    {0, 0, 0},    {10, 0, 1},   {10, 100, 1},
                      {10, 100, 1}, {10, 100, 1}, {10, 100, 1}, {10, 100, 1},
                      {10, 100, 1}, {10, 100, 1}, {10, 100, 1}, {10, 100, 1},
                      {10, 100, 1}, {10, 100, 1}, {10, 100, 1}, {10, 100, 1}};

/* The value of the part that ends before byte `end` and has `len` digits
 * (1..3 when the caller's checks pass; len <= end always); dg holds the
 * digit values with three bytes of zeros in front, so the look-behind never
 * leaves the array. The weights mask out the dots and the previous part.
 * *bad gets a leading zero. */
static inline unsigned wbi_ipv4_part(const uint8_t *dg, unsigned end, unsigned len, unsigned *bad)
{
    const uint8_t *e = dg + 3 + end;
    *bad |= wbi_ipv4_len[len].multi & (e[-(int)len] == 0);
    return e[-1] + e[-2] * (unsigned)wbi_ipv4_len[len].w2 + e[-3] * (unsigned)wbi_ipv4_len[len].w3;
}

/* Inlined even where gcc would not: a call costs as much as the parse. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline int
wbi_ipv4_parse(const char *s, size_t n, uint32_t *out)
{
    if (n < 7 || n > 15) return WB_EINVAL;
    /* Bytes 0..n-1 of the value into lo (0..7) and hi (8..15), zeros after
     * the end: a zero byte is neither a digit nor a dot. */
    uint64_t lo, hi = 0;
    if (n >= 8) {
        memcpy(&lo, s, 8);
        if (n > 8) {
            memcpy(&hi, s + n - 8, 8);
            hi >>= 8 * (16 - n);
        }
    } else {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + 3, 4);
        lo = a | (uint64_t)b << 24;
    }
    const __m128i x = _mm_set_epi64x((long long)hi, (long long)lo);
    const __m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
    const __m128i nine = _mm_set1_epi8(9);
    unsigned dots = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')));
    unsigned digits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(d, nine), nine));
    /* Only digits and dots, and exactly three dots. */
    unsigned m1 = dots & (dots - 1), m2 = m1 & (m1 - 1);
    if ((dots | digits) != (1u << n) - 1 || m2 == 0 || (m2 & (m2 - 1)) != 0) return WB_EINVAL;
    unsigned p1 = (unsigned)__builtin_ctz(dots), p2 = (unsigned)__builtin_ctz(m1),
             p3 = (unsigned)__builtin_ctz(m2);
    unsigned l0 = p1, l1 = p2 - p1 - 1, l2 = p3 - p2 - 1, l3 = (unsigned)n - p3 - 1;
    /* Each part one to three digits (an empty part wraps to UINT_MAX). */
    unsigned bad = (l0 - 1 > 2) | (l1 - 1 > 2) | (l2 - 1 > 2) | (l3 - 1 > 2);
    uint8_t dg[3 + 16] = {0};
    _mm_storeu_si128((__m128i *)(void *)(dg + 3), d);
    unsigned a0 = wbi_ipv4_part(dg, p1, l0, &bad);
    unsigned a1 = wbi_ipv4_part(dg, p2, l1, &bad);
    unsigned a2 = wbi_ipv4_part(dg, p3, l2, &bad);
    unsigned a3 = wbi_ipv4_part(dg, (unsigned)n, l3, &bad);
    if (bad | ((a0 | a1 | a2 | a3) > 255)) return WB_EINVAL;
    *out = a0 << 24 | a1 << 16 | a2 << 8 | a3;
    return 0;
}

#else

static inline int wbi_ipv4_parse(const char *s, size_t n, uint32_t *out)
{
    return wb_ipv4_parse(s, n, out);
}

#endif

#endif
