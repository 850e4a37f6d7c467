/*
 * ipv4_fast.h - the dotted-quad parser of the matcher's hot path.
 *
 * wbi_ipv4_parse() accepts exactly what wb_ipv4_parse() (normalize.h)
 * accepts and returns the same address: four runs of one to three digits
 * separated by single dots, no leading zeros, every part at most 255. It
 * exists because the byte loop of wb_ipv4_parse() branches on the length of
 * every part, and on real traffic (and on the benchmark's random public
 * addresses) those lengths are unpredictable: the mispredictions made IPv4
 * parsing a fifth of a conn.log scan. This version classifies all 16 bytes
 * at once with SSE2, checks the shape on bit masks and computes the value
 * of every part in the same registers, without data-dependent branches
 * (about 70 instructions, none of them a look-up table).
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

/* Inlined even where gcc would not: a call costs a good part of the parse. */
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
    const __m128i nine = _mm_set1_epi8(9);
    const __m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
    const __m128i isdig = _mm_cmpeq_epi8(_mm_max_epu8(d, nine), nine);
    const unsigned all = (1u << n) - 1;
    unsigned dots = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')));
    unsigned digits = (unsigned)_mm_movemask_epi8(isdig);
    unsigned zeros = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('0')));
    /* The shape, on bit masks: only digits and dots; exactly three dots,
     * none first, last or next to another (so four non-empty parts); no
     * four digits in a row; no part that starts with 0 and goes on. */
    unsigned m1 = dots & (dots - 1), m2 = m1 & (m1 - 1);
    unsigned starts = digits & ~(digits << 1);
    unsigned bad = ((dots | digits) != all) | (m2 == 0) | ((m2 & (m2 - 1)) != 0) | (dots & 1) |
                   (dots >> (n - 1)) | ((dots & (dots << 1)) != 0) |
                   ((digits & digits >> 1 & digits >> 2 & digits >> 3) != 0) |
                   ((zeros & starts & digits >> 1) != 0);
    if (bad) return WB_EINVAL;
    /* The value of the number that ends at each byte, mod 256, for all
     * bytes at once: t = 10 d[i-2] + d[i-1], v = 10 t + d[i], with the
     * digits of other parts masked out (dots are zero in dv, and d[i-2]
     * only counts when byte i-1 is a digit). Times ten is x8 + x2 with
     * 16-bit shifts whose bits spilling into the next byte are masked off.
     * A part is over 255 exactly when its t is over 25, or 25 and its last
     * digit over 5. */
    const __m128i dv = _mm_and_si128(d, isdig);
    const __m128i m8 = _mm_set1_epi8((char)0xf8), m2x = _mm_set1_epi8((char)0xfe);
    const __m128i d2 = _mm_and_si128(_mm_slli_si128(dv, 2), _mm_slli_si128(isdig, 1));
    __m128i t = _mm_add_epi8(_mm_slli_si128(dv, 1),
                             _mm_add_epi8(_mm_and_si128(_mm_slli_epi16(d2, 3), m8),
                                          _mm_and_si128(_mm_slli_epi16(d2, 1), m2x)));
    __m128i v = _mm_add_epi8(dv, _mm_add_epi8(_mm_and_si128(_mm_slli_epi16(t, 3), m8),
                                              _mm_and_si128(_mm_slli_epi16(t, 1), m2x)));
    const __m128i t25 = _mm_set1_epi8(25);
    __m128i over =
        _mm_or_si128(_mm_cmpgt_epi8(t, t25),
                     _mm_and_si128(_mm_cmpeq_epi8(t, t25), _mm_cmpgt_epi8(dv, _mm_set1_epi8(5))));
    unsigned ends = (dots >> 1) | (1u << (n - 1));
    if ((unsigned)_mm_movemask_epi8(over) & ends) return WB_EINVAL;
    uint8_t val[16];
    _mm_storeu_si128((__m128i *)(void *)val, v);
    unsigned p1 = (unsigned)__builtin_ctz(dots), p2 = (unsigned)__builtin_ctz(m1),
             p3 = (unsigned)__builtin_ctz(m2);
    *out = (uint32_t)val[p1 - 1] << 24 | (uint32_t)val[p2 - 1] << 16 | (uint32_t)val[p3 - 1] << 8 |
           val[n - 1];
    return 0;
}

#else

static inline int wbi_ipv4_parse(const char *s, size_t n, uint32_t *out)
{
    return wb_ipv4_parse(s, n, out);
}

#endif

#endif
