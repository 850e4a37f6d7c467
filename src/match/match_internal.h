/*
 * match_internal.h - the indicator index shared by index.c (building),
 * scan.c (looking up) and engine.c (running). Not a public interface.
 */
#ifndef WB_MATCH_INTERNAL_H
#define WB_MATCH_INTERNAL_H

#include <stdint.h>

#include "weerbaar/match.h"
#include "weerbaar/normalize.h"

#define WBI_NONE UINT32_MAX

/* The IPv4 pre-filter has one bit per /grain block that some indicator
 * touches. The grain is chosen when the set is built: the coarsest (smallest
 * bitmap) from /16 to /24 that lets at most 1 in 16 blocks through. On
 * random addresses the filter's cache misses dominate the scan, so a small
 * set gets a bitmap that stays in L2 (100k indicators: /20, 128 KiB) and a
 * large one a finer bitmap that still rejects most addresses (1M: /24). */
#define WBI_V4_GRAIN_MIN 16
#define WBI_V4_GRAIN_MAX 24

typedef struct wbi_rec {
    uint32_t value; /* pool offset of the normalised value */
    uint32_t attr;  /* pool offset of the attribute uuid, or WBI_NONE */
    uint32_t meta;  /* index into metas (event, source) */
    uint32_t next;  /* next indicator with the same key, or WBI_NONE */
    uint8_t type;
    uint8_t tlp;
} wbi_rec;

typedef struct wbi_meta {
    uint32_t event;  /* pool offset or WBI_NONE */
    uint32_t source; /* pool offset */
} wbi_meta;

typedef struct wbi_slot {
    uint64_t key;   /* the key itself (IPv4 map) or its hash */
    uint32_t first; /* first indicator; WBI_NONE marks an empty slot */
    uint32_t koff;  /* pool offset of the key bytes (other maps) */
} wbi_slot;

typedef struct wbi_map {
    wbi_slot *slots;
    size_t cap; /* power of two, or 0 */
    size_t count;
    size_t klen; /* fixed key length; 0 for NUL-terminated strings; SIZE_MAX for the IPv4 map */
} wbi_map;

struct wb_iocset {
    wb_iocset_opts opts;
    char *pool;
    size_t pool_len, pool_cap;
    wbi_rec *recs;
    size_t nrecs, recs_cap;
    wbi_meta *metas;
    size_t nmetas, metas_cap;
    wbi_map meta_map;   /* (event, source) -> meta index, keyed by a pool string */
    uint32_t last_meta; /* the meta the previous indicator used */
    wbi_map v4, v6, ipport, name, url, hash, email;
    uint64_t v4_lens;    /* bit p set: some IPv4 block of prefix length p */
    uint64_t v4_short;   /* the same for p < 16 only */
    uint64_t v6_lens[3]; /* bit p set: some IPv6 block of prefix length p (0..128) */
    bool v6_covers_v4;   /* an IPv6 block shorter than /96 exists */
    uint8_t *v4_filter;  /* built by wb_iocset_build: one bit per IPv4 /v4_grain touched */
    unsigned v4_grain;
    uint8_t *v4_fine; /* NULL, or one bit per /v4_fine_grain touched, tested after v4_filter */
    unsigned v4_fine_grain;
    uint64_t *name_bloom;      /* NULL, or a filter in front of the name map (wbi_bloom_*) */
    unsigned name_bloom_shift; /* 64 - log2(words) */
    uint32_t *v4_mask16;       /* per /16: bit p-16 set when a block of length p >= 16 is in it */
    wb_iocset_stats stats;
    struct {
        char *name;
        uint64_t count;
    } * drops, *skips;
    size_t ndrops, nskips;
    wb_ioc_sink sink;
    wb_buf tmp;
    wb_error err;
    bool built;
};

static inline const char *wbi_match_str(const wb_iocset *set, uint32_t off)
{
    return off == WBI_NONE ? NULL : set->pool + off;
}

/* The filter in front of a large name map: a blocked Bloom filter, one
 * 64-bit word per key chosen by the hash's top bits, two bits in it by its
 * low bits, so a test is one memory access. A key the map holds always
 * passes; others pass about one time in a hundred (16 bits per key). */
static inline uint64_t wbi_bloom_bits(uint64_t h)
{
    return 1ULL << (h & 63) | 1ULL << (h >> 6 & 63);
}

static inline bool wbi_bloom_test(const uint64_t *bloom, unsigned shift, uint64_t h)
{
    uint64_t m = wbi_bloom_bits(h);
    return (bloom[h >> shift] & m) == m;
}

/* The slot where a probe of the IPv4 map for key starts (the map is not
 * empty). */
static inline size_t wbi_map_v4_slot(const wbi_map *m, uint64_t key)
{
    return (size_t)wb_hash_u64(key) & (m->cap - 1);
}

/* Probes a map; returns the first indicator for the key or WBI_NONE. */
uint32_t wbi_map_get_v4(const wbi_map *m, uint64_t key);
uint32_t wbi_map_get(const wb_iocset *set, const wbi_map *m, const void *key, size_t klen,
                     uint64_t h);

#endif
