/*
 * util.c - hashing, checked integer parsing, string helpers.
 */
#include <string.h>

#include "weerbaar/core.h"

static inline uint64_t load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* A multiply-xorshift hash over 8-byte words. Keys here are short (domains,
 * addresses, hex digests), so per-call overhead matters more than
 * throughput on long inputs. */
uint64_t wb_hash64(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
    while (n >= 8) {
        h = (h ^ wb_hash_u64(load64(s))) * 0x9e3779b97f4a7c15ULL;
        s += 8;
        n -= 8;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < n; i++)
        tail |= (uint64_t)s[i] << (8 * i);
    h = (h ^ wb_hash_u64(tail ^ 0x5555555555555555ULL)) * 0x9e3779b97f4a7c15ULL;
    return wb_hash_u64(h);
}

int wb_parse_i64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
    if (n == 0) return WB_EINVAL;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
        if (n == 1) return WB_EINVAL;
    }
    uint64_t v = 0;
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9) return WB_EINVAL;
        if (v > (limit - d) / 10) return WB_EINVAL;
        v = v * 10 + d;
    }
    int64_t r;
    if (neg)
        r = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        r = (int64_t)v;
    if (r < min || r > max) return WB_EINVAL;
    *out = r;
    return 0;
}

bool wb_strn_ieq(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    if (m != n) return false;
    for (size_t i = 0; i < n; i++)
        if (wb_lower(s[i]) != wb_lower(lit[i])) return false;
    return true;
}

bool wb_str_endswith(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}
