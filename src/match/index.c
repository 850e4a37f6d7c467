/*
 * index.c - the indicator set: normalises what the loaders hand over, drops
 * what is expired or warninglisted, and indexes the rest for the matcher.
 *
 * Layout, chosen for memory (the target is under 100 bytes per indicator)
 * and for the scan's hot path:
 *   - every string lives once in one pool and is referred to by offset;
 *   - events and sources are interned (thousands of attributes share one);
 *   - one open-addressing map per kind of key, each slot 16 bytes, pointing
 *     at the first indicator with that key; indicators with the same key
 *     chain through wbi_rec.next;
 *   - IPv4 blocks are keyed by (prefix length, masked address) and guarded
 *     by a bitmap over blocks of a size chosen at build time (see
 *     match_internal.h), and for a coarse one a finer bitmap behind it, so
 *     an address no indicator covers costs one or two bit tests;
 *   - a large name map is guarded by a Bloom filter built from the hashes
 *     its slots keep.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/match_internal.h"

#define SEED 0x7765657262616172ULL /* "weerbaar" */

/* ---- pool ----------------------------------------------------------------- */

static int pool_add(wb_iocset *set, const void *p, size_t n, bool nul, uint32_t *off)
{
    size_t need = n + (nul ? 1 : 0);
    if (set->pool_len + need > UINT32_MAX - 1) return WB_ELIMIT;
    if (set->pool_len + need > set->pool_cap) {
        size_t cap = set->pool_cap ? set->pool_cap : 1 << 16;
        while (cap < set->pool_len + need)
            cap *= 2;
        char *np = realloc(set->pool, cap);
        if (np == NULL) return WB_ENOMEM;
        set->pool = np;
        set->pool_cap = cap;
    }
    if (n) memcpy(set->pool + set->pool_len, p, n);
    if (nul) set->pool[set->pool_len + n] = '\0';
    *off = (uint32_t)set->pool_len;
    set->pool_len += need;
    return 0;
}

/* ---- maps ----------------------------------------------------------------- */

static size_t slot_index(const wbi_map *m, uint64_t key)
{
    uint64_t h = m->klen == SIZE_MAX ? wb_hash_u64(key) : key;
    return (size_t)h & (m->cap - 1);
}

static bool key_eq(const wb_iocset *set, const wbi_map *m, const wbi_slot *s, const void *key,
                   size_t klen)
{
    const char *k = set->pool + s->koff;
    if (m->klen == 0) return memcmp(k, key, klen) == 0 && k[klen] == '\0';
    return memcmp(k, key, klen) == 0;
}

uint32_t wbi_map_get_v4(const wbi_map *m, uint64_t key)
{
    if (m->cap == 0) return WBI_NONE;
    size_t i = wbi_map_v4_slot(m, key);
    for (;;) {
        const wbi_slot *s = &m->slots[i];
        if (s->first == WBI_NONE) return WBI_NONE;
        if (s->key == key) return s->first;
        i = (i + 1) & (m->cap - 1);
    }
}

uint32_t wbi_map_get(const wb_iocset *set, const wbi_map *m, const void *key, size_t klen,
                     uint64_t h)
{
    if (m->cap == 0) return WBI_NONE;
    size_t i = (size_t)h & (m->cap - 1);
    for (;;) {
        const wbi_slot *s = &m->slots[i];
        if (s->first == WBI_NONE) return WBI_NONE;
        if (s->key == h && key_eq(set, m, s, key, klen)) return s->first;
        i = (i + 1) & (m->cap - 1);
    }
}

static int map_grow(wbi_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    wbi_slot *slots = malloc(cap * sizeof *slots);
    if (slots == NULL) return WB_ENOMEM;
    for (size_t i = 0; i < cap; i++)
        slots[i].first = WBI_NONE;
    wbi_map nm = {slots, cap, m->count, m->klen};
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].first == WBI_NONE) continue;
        size_t j = slot_index(&nm, m->slots[i].key);
        while (slots[j].first != WBI_NONE)
            j = (j + 1) & (cap - 1);
        slots[j] = m->slots[i];
    }
    free(m->slots);
    *m = nm;
    return 0;
}

/* Finds the slot for a key, claiming an empty one when absent (*created).
 * v4key is the IPv4 composite (IPv4 map); key/klen the bytes (other maps). */
static int map_slot(wb_iocset *set, wbi_map *m, uint64_t v4key, const void *key, size_t klen,
                    uint32_t key_off, bool *created, wbi_slot **out)
{
    /* Grow at three quarters full: linear probing stays short there, and
     * half-full tables would cost ~16 bytes more per indicator. */
    if ((m->count + 1) * 4 > m->cap * 3) {
        int rc = map_grow(m);
        if (rc) return rc;
    }
    uint64_t h = m->klen == SIZE_MAX ? v4key : wb_hash64(key, klen, SEED);
    size_t i = slot_index(m, h);
    for (;;) {
        wbi_slot *s = &m->slots[i];
        if (s->first == WBI_NONE) break;
        if (s->key == h && (m->klen == SIZE_MAX || key_eq(set, m, s, key, klen))) {
            *created = false;
            *out = s;
            return 0;
        }
        i = (i + 1) & (m->cap - 1);
    }
    /* A string key that already stands in the pool (an indicator's own
     * value) is referred to, not copied: that halves the pool for names
     * and hashes. */
    uint32_t off = key_off;
    if (m->klen != SIZE_MAX && off == WBI_NONE) {
        int rc = pool_add(set, key, klen, m->klen == 0, &off);
        if (rc) return rc;
    }
    wbi_slot *s = &m->slots[i];
    s->key = h;
    s->koff = off;
    s->first = WBI_NONE - 1; /* claimed; the caller sets the chain head */
    m->count++;
    *created = true;
    *out = s;
    return 0;
}

static void map_free(wbi_map *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}

/* ---- set ------------------------------------------------------------------ */

static int sink_add(wb_ioc_sink *self, const wb_ioc_in *ioc);
static void sink_skip(wb_ioc_sink *self, const char *where, const char *reason);

int wb_iocset_new(wb_iocset **out, const wb_iocset_opts *opts)
{
    wb_iocset *set = calloc(1, sizeof *set);
    if (set == NULL) return WB_ENOMEM;
    if (opts) set->opts = *opts;
    if (set->opts.now == WB_TIME_NONE || set->opts.now == 0) set->opts.now = wb_time_now();
    set->v4.klen = SIZE_MAX;
    set->v6.klen = 17;
    set->ipport.klen = 18;
    set->sink.add = sink_add;
    set->sink.skip = sink_skip;
    *out = set;
    return 0;
}

wb_ioc_sink *wb_iocset_sink(wb_iocset *set)
{
    return &set->sink;
}

static int count_reason(wb_iocset *set, bool drop, const char *name)
{
    size_t *n = drop ? &set->ndrops : &set->nskips;
    __typeof__(set->drops) *arr = drop ? &set->drops : &set->skips;
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*arr)[i].name, name) == 0) {
            (*arr)[i].count++;
            return 0;
        }
    }
    __typeof__(set->drops) na = realloc(*arr, (*n + 1) * sizeof **arr);
    if (na == NULL) return WB_ENOMEM;
    *arr = na;
    na[*n].name = strdup(name);
    if (na[*n].name == NULL) return WB_ENOMEM;
    na[*n].count = 1;
    (*n)++;
    return 0;
}

static void notice(wb_iocset *set, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void notice(wb_iocset *set, const char *where, const char *fmt, ...)
{
    if (set->opts.notice == NULL) return;
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    set->opts.notice(set->opts.notice_ud, where, msg);
}

static void sink_skip(wb_ioc_sink *self, const char *where, const char *reason)
{
    wb_iocset *set = (wb_iocset *)((char *)self - offsetof(wb_iocset, sink));
    (void)where;
    set->stats.skipped++;
    count_reason(set, false, reason);
}

static int sink_add(wb_ioc_sink *self, const wb_ioc_in *ioc)
{
    wb_iocset *set = (wb_iocset *)((char *)self - offsetof(wb_iocset, sink));
    int rc = wb_iocset_add(set, ioc);
    return rc == WB_EINVAL ? 0 : rc;
}

static int intern_meta(wb_iocset *set, const char *event, const char *source, uint32_t *out)
{
    /* Loaders hand over thousands of indicators of one event in a row. */
    if (set->nmetas && set->last_meta < set->nmetas) {
        const wbi_meta *lm = &set->metas[set->last_meta];
        const char *le = wbi_match_str(set, lm->event);
        bool same_event = (le == NULL && (event == NULL || *event == '\0')) ||
                          (le && event && strcmp(le, event) == 0);
        if (same_event && strcmp(set->pool + lm->source, source ? source : "") == 0) {
            *out = set->last_meta;
            return 0;
        }
    }
    /* Key: event uuid and source joined by a byte that appears in neither. */
    wb_buf *t = &set->tmp;
    wb_buf_reset(t);
    if (wb_buf_puts(t, event ? event : "") || wb_buf_putc(t, '\x1f') ||
        wb_buf_puts(t, source ? source : ""))
        return WB_ENOMEM;
    bool created;
    wbi_slot *s;
    int rc = map_slot(set, &set->meta_map, 0, t->data, t->len, WBI_NONE, &created, &s);
    if (rc) return rc;
    if (!created) {
        *out = set->last_meta = s->first;
        return 0;
    }
    if (set->nmetas == set->metas_cap) {
        size_t cap = set->metas_cap ? set->metas_cap * 2 : 64;
        wbi_meta *nm = realloc(set->metas, cap * sizeof *nm);
        if (nm == NULL) return WB_ENOMEM;
        set->metas = nm;
        set->metas_cap = cap;
    }
    wbi_meta *m = &set->metas[set->nmetas];
    m->event = WBI_NONE;
    if (event && *event) rc = pool_add(set, event, strlen(event), true, &m->event);
    if (rc == 0)
        rc = pool_add(set, source ? source : "", source ? strlen(source) : 0, true, &m->source);
    if (rc) return rc;
    s->first = (uint32_t)set->nmetas;
    *out = set->last_meta = (uint32_t)set->nmetas++;
    return 0;
}

/* The coarsest grain from /16 to /24 at which at most 1 in 16 blocks is
 * touched by an IPv4 entry. The blocks are counted for every grain in one
 * pass over the map (which is tens of megabytes for a million indicators);
 * blocks shared by two entries count twice, which only makes the choice
 * safer. */
static unsigned v4_choose_grain(const wb_iocset *set)
{
    uint64_t n[WBI_V4_GRAIN_MAX + 1] = {0};
    for (size_t i = 0; i < set->v4.cap; i++) {
        if (set->v4.slots[i].first == WBI_NONE) continue;
        unsigned len = (unsigned)(set->v4.slots[i].key >> 32);
        for (unsigned g = WBI_V4_GRAIN_MIN; g <= WBI_V4_GRAIN_MAX; g++)
            n[g] += len >= g ? 1 : (uint64_t)1 << (g - len);
    }
    unsigned grain = WBI_V4_GRAIN_MIN;
    while (grain < WBI_V4_GRAIN_MAX && n[grain] * 16 > ((uint64_t)1 << grain))
        grain++;
    return grain;
}

/* A bitmap with a bit per /grain block, set for every block an IPv4 entry
 * touches; NULL when out of memory. */
static uint8_t *v4_bitmap(const wb_iocset *set, unsigned grain)
{
    uint8_t *bits = calloc(1, (size_t)1 << (grain - 3));
    if (bits == NULL) return NULL;
    for (size_t i = 0; i < set->v4.cap; i++) {
        if (set->v4.slots[i].first == WBI_NONE) continue;
        unsigned len = (unsigned)(set->v4.slots[i].key >> 32);
        uint32_t net = (uint32_t)set->v4.slots[i].key;
        uint32_t first = net >> (32 - grain);
        uint64_t count = len >= grain ? 1 : (uint64_t)1 << (grain - len);
        for (uint64_t k = 0; k < count; k++) {
            uint32_t b = first + (uint32_t)k;
            bits[b >> 3] |= (uint8_t)(1u << (b & 7));
        }
    }
    return bits;
}

static int build_v4_filter(wb_iocset *set)
{
    if (set->v4.count == 0) return 0;
    unsigned grain = v4_choose_grain(set);
    set->v4_filter = v4_bitmap(set, grain);
    if (set->v4_filter == NULL) return WB_ENOMEM;
    set->v4_grain = grain;
    /* A coarse filter lets through up to one address in 16, and each of
     * those costs the cache misses of the per-/16 mask and the map probes.
     * A finer bitmap behind it lets through far fewer (100k indicators: one
     * address in 65 at /22, against one in 20 at the /20 of the first
     * level). It is as fine as 8 bytes per indicator of the whole set pay
     * for, and only built when that is at least two bits finer. */
    unsigned fine = 24;
    while (fine > grain && ((size_t)1 << (fine - 3)) > 8 * set->nrecs)
        fine--;
    if (fine >= grain + 2) {
        set->v4_fine = v4_bitmap(set, fine);
        if (set->v4_fine == NULL) return WB_ENOMEM;
        set->v4_fine_grain = fine;
    }
    return 0;
}

/* The name map holds up to three quarters of its slots, 16 bytes each: for
 * a large set that is megabytes, and most look-ups (every parent of every
 * name in a DNS log) miss it, each with a cache miss of its own. Below this
 * many names the map is small enough to stay in cache. */
#define NAME_BLOOM_MIN 16384

static int build_name_bloom(wb_iocset *set)
{
    if (set->name.count < NAME_BLOOM_MIN) return 0;
    size_t words = 1;
    unsigned lg = 0;
    while (words * 64 < set->name.count * 16) {
        words *= 2;
        lg++;
    }
    set->name_bloom = calloc(words, sizeof *set->name_bloom);
    if (set->name_bloom == NULL) return WB_ENOMEM;
    set->name_bloom_shift = 64 - lg;
    for (size_t i = 0; i < set->name.cap; i++) {
        const wbi_slot *sl = &set->name.slots[i];
        if (sl->first == WBI_NONE) continue;
        /* the slot keeps the key's hash: the same one the scan computes */
        set->name_bloom[sl->key >> set->name_bloom_shift] |= wbi_bloom_bits(sl->key);
    }
    return 0;
}

/* Links indicator `id` into the map under a key; refuses an exact duplicate
 * of an indicator already there (same type, meta and attribute). */
static int link(wb_iocset *set, wbi_map *m, uint64_t v4key, const void *key, size_t klen,
                uint32_t key_off, uint32_t id, bool *dup)
{
    bool created;
    wbi_slot *s;
    int rc = map_slot(set, m, v4key, key, klen, key_off, &created, &s);
    if (rc) return rc;
    *dup = false;
    wbi_rec *r = &set->recs[id];
    if (!created) {
        for (uint32_t j = s->first; j != WBI_NONE; j = set->recs[j].next) {
            const wbi_rec *o = &set->recs[j];
            bool same_attr = (o->attr == WBI_NONE && r->attr == WBI_NONE) ||
                             (o->attr != WBI_NONE && r->attr != WBI_NONE &&
                              strcmp(set->pool + o->attr, set->pool + r->attr) == 0);
            if (o->type == r->type && o->meta == r->meta && same_attr) {
                *dup = true;
                return 0;
            }
        }
        r->next = s->first;
    } else {
        r->next = WBI_NONE;
    }
    s->first = id;
    return 0;
}

static uint32_t v4_of(const wb_addr *a)
{
    return (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 | (uint32_t)a->b[14] << 8 | a->b[15];
}

static int index_rec(wb_iocset *set, uint32_t id, bool *dup)
{
    const wbi_rec *r = &set->recs[id];
    /* Copy: map_slot may move the pool while we still read the value. */
    char v[2048];
    size_t n = strlen(set->pool + r->value);
    if (n >= sizeof v) n = sizeof v - 1;
    memcpy(v, set->pool + r->value, n);
    v[n] = '\0';
    switch ((wb_ioc_type)r->type) {
    case WB_IOC_IP:
    case WB_IOC_CIDR: {
        wb_addr a;
        unsigned prefix;
        if (wb_cidr_parse(v, n, &a, &prefix)) return WB_EINTERNAL;
        if (wb_addr_is_v4(&a) && prefix >= 96) {
            unsigned len = prefix - 96;
            uint32_t net = v4_of(&a);
            if (set->v4_mask16 == NULL) {
                set->v4_mask16 = calloc(1u << 16, sizeof *set->v4_mask16);
                if (set->v4_mask16 == NULL) return WB_ENOMEM;
            }
            int rc = link(set, &set->v4, (uint64_t)len << 32 | net, NULL, 0, WBI_NONE, id, dup);
            if (rc || *dup) return rc;
            set->v4_lens |= 1ULL << len;
            if (len < 16)
                set->v4_short |= 1ULL << len;
            else
                set->v4_mask16[net >> 16] |= 1u << (len - 16);
            return 0;
        }
        uint8_t key[17];
        key[0] = (uint8_t)prefix;
        memcpy(key + 1, a.b, 16);
        int rc = link(set, &set->v6, 0, key, sizeof key, WBI_NONE, id, dup);
        if (rc || *dup) return rc;
        set->v6_lens[prefix / 64] |= 1ULL << (prefix % 64);
        if (prefix < 96) set->v6_covers_v4 = true;
        return 0;
    }
    case WB_IOC_IP_PORT: {
        const char *bar = strrchr(v, '|');
        wb_addr a;
        int64_t port;
        if (bar == NULL || wb_addr_parse(v, (size_t)(bar - v), &a) ||
            wb_parse_i64(bar + 1, strlen(bar + 1), 0, 65535, &port))
            return WB_EINTERNAL;
        uint8_t key[18];
        memcpy(key, a.b, 16);
        key[16] = (uint8_t)(port >> 8);
        key[17] = (uint8_t)port;
        return link(set, &set->ipport, 0, key, sizeof key, WBI_NONE, id, dup);
    }
    case WB_IOC_DOMAIN:
    case WB_IOC_HOSTNAME:
        return link(set, &set->name, 0, v, n, r->value, id, dup);
    case WB_IOC_URL: {
        const char *k = wb_ioc_key_text(WB_IOC_URL, v);
        return link(set, &set->url, 0, k, strlen(k), r->value + (uint32_t)(k - v), id, dup);
    }
    case WB_IOC_MD5:
    case WB_IOC_SHA1:
    case WB_IOC_SHA256:
        return link(set, &set->hash, 0, v, n, r->value, id, dup);
    case WB_IOC_EMAIL:
        return link(set, &set->email, 0, v, n, r->value, id, dup);
    case WB_IOC_TYPE_COUNT:
        break;
    }
    return WB_EINTERNAL;
}

int wb_iocset_add(wb_iocset *set, const wb_ioc_in *ioc)
{
    if (set->built) return WB_EINVAL;
    const char *where = ioc->where ? ioc->where : (ioc->source ? ioc->source : "");
    if (ioc->valid_until != WB_TIME_NONE && ioc->valid_until < set->opts.now &&
        !set->opts.include_expired) {
        set->stats.expired++;
        char until[40];
        wb_time_format(ioc->valid_until, until, sizeof until);
        notice(set, where, "expired indicator '%.*s' dropped (valid until %s)",
               (int)(ioc->len > 200 ? 200 : ioc->len), ioc->value ? ioc->value : "", until);
        return 0;
    }
    wb_ioc_type type = ioc->type;
    wb_buf norm = {0};
    wb_error e;
    wb_error_clear(&e);
    int rc = wb_ioc_normalize(&type, ioc->value, ioc->len, &norm, &e);
    if (rc == 0 && norm.len >= 2048)
        rc = wb_error_set(&e, WB_EINVAL, "value longer than 2047 bytes");
    if (rc) {
        wb_buf_free(&norm);
        if (rc == WB_ENOMEM) return rc;
        set->stats.invalid++;
        notice(set, where, "invalid %s indicator skipped: %s", wb_ioc_type_name(ioc->type), e.msg);
        return WB_EINVAL;
    }
    if (set->opts.warnlists) {
        const char *list = wb_warninglists_find(set->opts.warnlists, type, norm.data, norm.len);
        if (list) {
            set->stats.warninglisted++;
            rc = count_reason(set, true, list);
            notice(set, where, "indicator '%.200s' dropped: on warninglist '%.300s'", norm.data,
                   list);
            wb_buf_free(&norm);
            return rc;
        }
    }
    if (set->nrecs == set->recs_cap) {
        size_t cap = set->recs_cap ? set->recs_cap * 2 : 1024;
        wbi_rec *nr = realloc(set->recs, cap * sizeof *nr);
        if (nr == NULL) {
            wb_buf_free(&norm);
            return WB_ENOMEM;
        }
        set->recs = nr;
        set->recs_cap = cap;
    }
    if (set->nrecs >= WBI_NONE - 2) {
        wb_buf_free(&norm);
        return WB_ELIMIT;
    }
    uint32_t id = (uint32_t)set->nrecs;
    wbi_rec *r = &set->recs[id];
    r->type = (uint8_t)type;
    r->tlp = (uint8_t)ioc->tlp;
    r->next = WBI_NONE;
    r->attr = WBI_NONE;
    r->meta = 0;
    size_t mark = set->pool_len;
    rc = pool_add(set, norm.data, norm.len, true, &r->value);
    wb_buf_free(&norm);
    if (rc == 0 && ioc->attribute && *ioc->attribute)
        rc = pool_add(set, ioc->attribute, strlen(ioc->attribute), true, &r->attr);
    size_t mark_meta = set->pool_len;
    if (rc == 0) rc = intern_meta(set, ioc->event, ioc->source, &r->meta);
    bool dup = false;
    if (rc == 0) rc = index_rec(set, id, &dup);
    if (rc) return rc;
    if (dup) {
        /* The same indicator twice from one source: keep the first. Reclaim
         * the strings when nothing newer (an interned meta) follows them. */
        if (set->pool_len == mark_meta) set->pool_len = mark;
        return 0;
    }
    set->nrecs++;
    set->stats.loaded[type]++;
    return 0;
}

int wb_iocset_build(wb_iocset *set, wb_error *err)
{
    /* Nothing is added any more: give back what the doubling over-allocated. */
    if (set->pool_cap > set->pool_len && set->pool_len > 0) {
        char *np = realloc(set->pool, set->pool_len);
        if (np) {
            set->pool = np;
            set->pool_cap = set->pool_len;
        }
    }
    if (set->recs_cap > set->nrecs && set->nrecs > 0) {
        wbi_rec *nr = realloc(set->recs, set->nrecs * sizeof *nr);
        if (nr) {
            set->recs = nr;
            set->recs_cap = set->nrecs;
        }
    }
    map_free(&set->meta_map);
    wb_buf_free(&set->tmp);
    if (build_v4_filter(set) != 0 || build_name_bloom(set) != 0)
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    set->built = true;
    const wbi_map *maps[] = {&set->v4,  &set->v6,   &set->ipport, &set->name,
                             &set->url, &set->hash, &set->email};
    size_t mem = set->pool_cap + set->recs_cap * sizeof(wbi_rec) +
                 set->metas_cap * sizeof(wbi_meta) +
                 (set->v4_filter ? ((size_t)1 << (set->v4_grain - 3)) + (1u << 18) : 0) +
                 (set->v4_fine ? (size_t)1 << (set->v4_fine_grain - 3) : 0) +
                 (set->name_bloom ? ((size_t)1 << (64 - set->name_bloom_shift)) * 8 : 0);
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        mem += maps[i]->cap * sizeof(wbi_slot);
    set->stats.memory = mem;
    set->stats.v4_filter_grain = set->v4_grain;
    set->stats.v4_fine_grain = set->v4_fine_grain;
    set->stats.name_filter = set->name_bloom != NULL;
    return 0;
}

size_t wb_iocset_count(const wb_iocset *set)
{
    return set->nrecs;
}

const wb_ioc *wb_iocset_get(const wb_iocset *set, uint32_t id, wb_ioc *out)
{
    if (id >= set->nrecs) return NULL;
    const wbi_rec *r = &set->recs[id];
    const wbi_meta *m = &set->metas[r->meta];
    out->type = (wb_ioc_type)r->type;
    out->tlp = (wb_tlp)r->tlp;
    out->value = set->pool + r->value;
    out->attribute = wbi_match_str(set, r->attr);
    out->event = wbi_match_str(set, m->event);
    out->source = set->pool + m->source;
    return out;
}

void wb_iocset_stats_get(const wb_iocset *set, wb_iocset_stats *st)
{
    *st = set->stats;
}

const char *wb_iocset_warninglist_drops(const wb_iocset *set, size_t i, uint64_t *count)
{
    if (i >= set->ndrops) return NULL;
    *count = set->drops[i].count;
    return set->drops[i].name;
}

const char *wb_iocset_skip_reasons(const wb_iocset *set, size_t i, uint64_t *count)
{
    if (i >= set->nskips) return NULL;
    *count = set->skips[i].count;
    return set->skips[i].name;
}

void wb_iocset_free(wb_iocset *set)
{
    if (set == NULL) return;
    wbi_map *maps[] = {&set->meta_map, &set->v4,  &set->v6,   &set->ipport,
                       &set->name,     &set->url, &set->hash, &set->email};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        map_free(maps[i]);
    for (size_t i = 0; i < set->ndrops; i++)
        free(set->drops[i].name);
    for (size_t i = 0; i < set->nskips; i++)
        free(set->skips[i].name);
    free(set->drops);
    free(set->skips);
    free(set->v4_filter);
    free(set->v4_fine);
    free(set->name_bloom);
    free(set->v4_mask16);
    free(set->pool);
    free(set->recs);
    free(set->metas);
    wb_buf_free(&set->tmp);
    free(set);
}
