/*
 * deps_internal.h - helpers shared inside src/deps/: an address-keyed hash
 * map, field splitting for CSV-like lines, and the pieces of the reference
 * data loaders that the report reuses.
 */
#ifndef WB_DEPS_INTERNAL_H
#define WB_DEPS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "weerbaar/deps.h"

/* ---- address map: wb_addr -> uint32 ------------------------------------------ */

typedef struct wbi_addrmap {
    uint32_t *slots; /* value + 1, 0 = empty */
    wb_addr *keys;
    size_t cap, n; /* cap: a power of two */
} wbi_addrmap;

static inline uint64_t wbi_addr_hash(const wb_addr *a)
{
    uint64_t x, y;
    memcpy(&x, a->b, 8);
    memcpy(&y, a->b + 8, 8);
    return wb_hash_u64(x ^ wb_hash_u64(y));
}

static inline bool wbi_addr_eq(const wb_addr *a, const wb_addr *b)
{
    return memcmp(a->b, b->b, 16) == 0;
}

/* 0 or WB_ENOMEM; the map starts empty. */
int wbi_addrmap_init(wbi_addrmap *m, size_t cap);
void wbi_addrmap_free(wbi_addrmap *m);
/* The value for a, or -1. */
long wbi_addrmap_get(const wbi_addrmap *m, const wb_addr *a);
/* Sets a's value (replacing). 0 or WB_ENOMEM. */
int wbi_addrmap_put(wbi_addrmap *m, const wb_addr *a, uint32_t v);

/* ---- text ---------------------------------------------------------------------- */

/* Splits a CSV line (RFC 4180 quotes; "" inside quotes is a quote) into at
 * most max fields, unquoting into scratch (at least n bytes). Returns the
 * number of fields. */
size_t wbi_csv_split(const char *p, size_t n, char *scratch, const char **f, size_t *fl,
                     size_t max);
/* Trims spaces and tabs at both ends of [*p, *p+*n). */
void wbi_trim(const char **p, size_t *n);
/* Lower-case copy in the arena, NULL on ENOMEM. */
char *wbi_lowdup(wb_arena *a, const char *s, size_t n);
/* Splits a list "a;b c,d" into arena strings (lower-cased when lower).
 * Returns 0 or WB_ENOMEM. */
int wbi_split_list(wb_arena *a, const char *s, size_t n, bool lower, const char ***out,
                   size_t *count);
/* Parses "AS123", "as123" or "123". 0 or WB_EINVAL. */
int wbi_parse_asn(const char *s, size_t n, uint32_t *out);
/* True when name equals suffix or ends with "." suffix. */
bool wbi_domain_under(const char *name, const char *suffix);
/* Two upper-case letters from s into out; false when s is not two letters. */
bool wbi_cc(const char *s, size_t n, char out[3]);

/* Reads a file of at most 256 MiB into a heap buffer, then calls parse. */
typedef int (*wbi_parse_fn)(void *obj, const char *buf, size_t len, const char *name,
                            wb_error *err);
int wbi_load_file(void *obj, const char *path, wbi_parse_fn parse, wb_error *err);

/* For wb_deps_map_read: a reader for another thread with r's header state
 * (after r has read the first block); NULL on ENOMEM. Free with
 * wb_deps_reader_free. merge adds from's counts into into. */
wb_deps_reader *wbi_deps_reader_clone(const wb_deps_reader *r);
void wbi_deps_reader_merge(wb_deps_reader *into, const wb_deps_reader *from);

#endif
