/*
 * ipdb.c - IP address -> registration country, holder, location and AS.
 *
 * Three offline sources, kept apart because they answer different
 * questions (docs/deps.md):
 *   - the RIRs' delegated(-extended) statistics files: who an address block
 *     is registered to (country of the holder, the RIR's opaque holder id,
 *     and through that id the ASNs delegated to the same holder);
 *   - .mmdb files (MaxMind GeoIP2/GeoLite2, DB-IP lite) read with
 *     libmaxminddb: where the address is located and which AS originates it;
 *   - an AS-name list (RIPE's asn.txt): the name of an AS number.
 *
 * The RIR ranges never overlap within a file; blocks are arbitrary
 * [start, start+count) for IPv4 and prefixes for IPv6. After build, IPv4
 * look-ups go through "boundaries": a sorted array of range starts, gaps
 * included, so the answer is the last boundary <= the address, found by a
 * binary search within the bucket of the address's top 16 bits (a 256 KiB
 * first-level index). That keeps a look-up to two or three cache lines: the
 * issue asks for 20M/s per core on random addresses (bench/deps_run).
 */
#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "deps/deps_internal.h"

#define MAX_MMDB 8

typedef struct rir_rec {
    char cc[3];
    uint8_t registry;
    uint32_t asn; /* the holder's lowest ASN, resolved at build */
    const char *holder;
} rir_rec;

typedef struct v4range {
    uint32_t lo, hi;
    int32_t rec;
} v4range;

typedef struct v6range {
    uint64_t lo, hi;
    int32_t rec;
} v6range;

/* A range start and its record (-1 for a gap), side by side so that a
 * bucket's candidates share cache lines. */
typedef struct v4bnd {
    uint32_t start;
    int32_t rec;
} v4bnd;

/* The boundaries that can answer for addresses with these top 16 bits:
 * bd[lo .. lo + n), the first covering the bucket's first address. n == 0
 * when one record (or gap) covers the whole bucket: lo is then rec + 1. */
typedef struct v4bucket {
    uint32_t lo, n;
} v4bucket;

typedef struct asn_holder {
    const char *holder;
    uint32_t asn;
} asn_holder;

typedef struct asname {
    uint32_t asn;
    char cc[3];
    const char *name;
} asname;

struct wb_ipdb {
    wb_arena arena;
    rir_rec *recs;
    size_t nrecs, caprecs;
    v4range *v4;
    size_t nv4, capv4;
    v6range *v6;
    size_t nv6, capv6;
    asn_holder *ah;
    size_t nah, capah;
    asname *names;
    size_t nnames, capnames;
    const char *registries[16];
    size_t nregistries;
    MMDB_s mmdb[MAX_MMDB];
    size_t nmmdb;
    bool built;
    /* built */
    uint32_t *b4; /* boundary starts (while building) */
    int32_t *r4;  /* record of each boundary, -1 for a gap */
    size_t nb4;
    v4bnd *bd;    /* the boundaries as look-ups read them */
    v4bucket *bk; /* 65536: one per value of the top 16 bits */
    uint64_t *b6;
    int32_t *r6;
    size_t nb6;
};

/* Grows *arr to hold one more element of size sz. 0 or WB_ENOMEM. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap) return 0;
    size_t nc = *cap ? *cap * 2 : 256;
    if (nc > SIZE_MAX / sz) return WB_ENOMEM;
    void *p = realloc(*arr, nc * sz);
    if (!p) return WB_ENOMEM;
    *arr = p;
    *cap = nc;
    return 0;
}

int wb_ipdb_new(wb_ipdb **out, wb_error *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out) return wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_arena_init(&(*out)->arena, 0);
    return 0;
}

void wb_ipdb_free(wb_ipdb *db)
{
    if (!db) return;
    for (size_t i = 0; i < db->nmmdb; i++)
        MMDB_close(&db->mmdb[i]);
    free(db->recs);
    free(db->v4);
    free(db->v6);
    free(db->ah);
    free(db->names);
    free(db->b4);
    free(db->r4);
    free(db->bd);
    free(db->bk);
    free(db->b6);
    free(db->r6);
    wb_arena_free(&db->arena);
    free(db);
}

static int registry_id(wb_ipdb *db, const char *s, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < db->nregistries; i++)
        if (strlen(db->registries[i]) == n && memcmp(db->registries[i], s, n) == 0) {
            *out = (uint8_t)i;
            return 0;
        }
    if (db->nregistries == sizeof db->registries / sizeof db->registries[0]) return WB_ELIMIT;
    const char *c = wbi_lowdup(&db->arena, s, n);
    if (!c) return WB_ENOMEM;
    db->registries[db->nregistries] = c;
    *out = (uint8_t)db->nregistries++;
    return 0;
}

/* Splits on '|' into at most max fields; returns the count. */
static size_t split_bar(const char *p, size_t n, const char **f, size_t *fl, size_t max)
{
    size_t nf = 0, st = 0;
    for (size_t i = 0; i <= n && nf < max; i++)
        if (i == n || p[i] == '|') {
            f[nf] = p + st;
            fl[nf] = i - st;
            nf++;
            st = i + 1;
        }
    return nf;
}

static int add_rir_line(wb_ipdb *db, const char *p, size_t n, const char *name, unsigned line,
                        wb_error *err)
{
    const char *f[9];
    size_t fl[9];
    size_t nf = split_bar(p, n, f, fl, 9);
    /* the version line (2|ripencc|serial|...) and summaries (ripencc|*|ipv4|*|N|summary) */
    bool version = fl[0] > 0;
    for (size_t i = 0; i < fl[0]; i++)
        version &= (f[0][i] >= '0' && f[0][i] <= '9') || f[0][i] == '.';
    if (version ||
        (nf >= 6 && ((fl[1] == 1 && f[1][0] == '*') || wb_strn_ieq(f[5], fl[5], "summary"))))
        return 0;
    if (nf < 7)
        return wb_error_set(err, WB_EPARSE, "%s:%u: %zu fields, a record has at least 7", name,
                            line, nf);
    if (wb_strn_ieq(f[6], fl[6], "available") || wb_strn_ieq(f[6], fl[6], "reserved")) return 0;
    bool v4 = wb_strn_ieq(f[2], fl[2], "ipv4"), v6 = wb_strn_ieq(f[2], fl[2], "ipv6");
    bool asn = wb_strn_ieq(f[2], fl[2], "asn");
    if (!v4 && !v6 && !asn)
        return wb_error_set(err, WB_EPARSE, "%s:%u: unknown type '%.*s'", name, line,
                            (int)(fl[2] < 16 ? fl[2] : 16), f[2]);
    int64_t value;
    if (wb_parse_i64(f[4], fl[4], 1, v6 ? 128 : UINT32_MAX, &value) != 0)
        return wb_error_set(err, WB_EPARSE, "%s:%u: bad value (count or prefix length)", name,
                            line);
    const char *holder = NULL;
    if (nf >= 8 && fl[7]) {
        holder = wb_arena_strndup(&db->arena, f[7], fl[7]);
        if (!holder) return WB_ENOMEM;
    }
    if (asn) {
        uint32_t first;
        if (wbi_parse_asn(f[3], fl[3], &first) != 0)
            return wb_error_set(err, WB_EPARSE, "%s:%u: bad AS number", name, line);
        if (!holder) return 0;
        if (grow((void **)&db->ah, &db->capah, db->nah, sizeof *db->ah) != 0) return WB_ENOMEM;
        db->ah[db->nah++] = (asn_holder){holder, first};
        return 0;
    }
    rir_rec r = {.holder = holder};
    if (!wbi_cc(f[1], fl[1], r.cc)) r.cc[0] = '\0'; /* "" or ZZ-like codes: unknown */
    int rc = registry_id(db, f[0], fl[0], &r.registry);
    if (rc)
        return rc == WB_ENOMEM ? rc
                               : wb_error_set(err, rc, "%s:%u: too many registries", name, line);
    char tmp[64];
    if (fl[3] >= sizeof tmp)
        return wb_error_set(err, WB_EPARSE, "%s:%u: bad start address", name, line);
    memcpy(tmp, f[3], fl[3]);
    tmp[fl[3]] = '\0';
    if (grow((void **)&db->recs, &db->caprecs, db->nrecs, sizeof *db->recs) != 0) return WB_ENOMEM;
    int32_t ri = (int32_t)db->nrecs;
    if (v4) {
        struct in_addr a;
        if (inet_pton(AF_INET, tmp, &a) != 1)
            return wb_error_set(err, WB_EPARSE, "%s:%u: bad IPv4 start '%s'", name, line, tmp);
        uint64_t lo = ntohl(a.s_addr), hi = lo + (uint64_t)value - 1;
        if (hi > UINT32_MAX)
            return wb_error_set(err, WB_EPARSE, "%s:%u: IPv4 range past 255.255.255.255", name,
                                line);
        if (grow((void **)&db->v4, &db->capv4, db->nv4, sizeof *db->v4) != 0) return WB_ENOMEM;
        db->v4[db->nv4++] = (v4range){(uint32_t)lo, (uint32_t)hi, ri};
    } else {
        uint8_t b[16];
        if (inet_pton(AF_INET6, tmp, b) != 1)
            return wb_error_set(err, WB_EPARSE, "%s:%u: bad IPv6 start '%s'", name, line, tmp);
        uint64_t lo = 0;
        for (int i = 0; i < 8; i++)
            lo = lo << 8 | b[i];
        /* RIRs delegate /64 or shorter; a longer prefix is kept as its /64 */
        unsigned len = value > 64 ? 64 : (unsigned)value;
        uint64_t span = len == 0 ? UINT64_MAX : (len == 64 ? 0 : (UINT64_MAX >> len));
        lo &= ~span;
        if (grow((void **)&db->v6, &db->capv6, db->nv6, sizeof *db->v6) != 0) return WB_ENOMEM;
        db->v6[db->nv6++] = (v6range){lo, lo + span, ri};
    }
    db->recs[db->nrecs++] = r;
    return 0;
}

int wb_ipdb_add_rir(wb_ipdb *db, const char *buf, size_t len, const char *name, wb_error *err)
{
    if (db->built) return wb_error_set(err, WB_EINVAL, "%s: IP data already built", name);
    size_t pos = 0;
    unsigned line = 0;
    while (pos < len) {
        const char *p = buf + pos;
        const char *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos;
        pos += n + 1;
        line++;
        wbi_trim(&p, &n);
        if (!n || p[0] == '#') continue;
        int rc = add_rir_line(db, p, n, name, line, err);
        if (rc) return rc == WB_ENOMEM ? wb_error_set(err, rc, "out of memory") : rc;
    }
    return 0;
}

static int rir_cb(void *o, const char *b, size_t l, const char *n, wb_error *e)
{
    return wb_ipdb_add_rir(o, b, l, n, e);
}

int wb_ipdb_add_rir_file(wb_ipdb *db, const char *path, wb_error *err)
{
    return wbi_load_file(db, path, rir_cb, err);
}

int wb_ipdb_add_asnames(wb_ipdb *db, const char *buf, size_t len, const char *name, wb_error *err)
{
    size_t pos = 0;
    unsigned line = 0;
    while (pos < len) {
        const char *p = buf + pos;
        const char *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos;
        pos += n + 1;
        line++;
        wbi_trim(&p, &n);
        if (!n || p[0] == '#') continue;
        size_t w = 0;
        while (w < n && p[w] != ' ' && p[w] != '\t')
            w++;
        asname a = {0};
        if (wbi_parse_asn(p, w, &a.asn) != 0)
            return wb_error_set(err, WB_EPARSE, "%s:%u: not an AS number", name, line);
        const char *r = p + w;
        size_t rn = n - w;
        wbi_trim(&r, &rn);
        /* asn.txt ends with ", CC" */
        if (rn >= 4 && r[rn - 4] == ',' && r[rn - 3] == ' ' && wbi_cc(r + rn - 2, 2, a.cc)) {
            rn -= 4;
            wbi_trim(&r, &rn);
        }
        if (rn > 127) rn = 127;
        a.name = wb_arena_strndup(&db->arena, r, rn);
        if (!a.name || grow((void **)&db->names, &db->capnames, db->nnames, sizeof *db->names) != 0)
            return wb_error_set(err, WB_ENOMEM, "out of memory");
        db->names[db->nnames++] = a;
    }
    return 0;
}

static int asn_cb(void *o, const char *b, size_t l, const char *n, wb_error *e)
{
    return wb_ipdb_add_asnames(o, b, l, n, e);
}

int wb_ipdb_add_asnames_file(wb_ipdb *db, const char *path, wb_error *err)
{
    return wbi_load_file(db, path, asn_cb, err);
}

int wb_ipdb_add_mmdb(wb_ipdb *db, const char *path, wb_error *err)
{
    if (db->nmmdb == MAX_MMDB)
        return wb_error_set(err, WB_ELIMIT, "%s: at most %d .mmdb files", path, MAX_MMDB);
    int s = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb[db->nmmdb]);
    if (s != MMDB_SUCCESS)
        return wb_error_set(err, s == MMDB_FILE_OPEN_ERROR ? WB_ENOTFOUND : WB_EFORMAT, "%s: %s",
                            path, MMDB_strerror(s));
    db->nmmdb++;
    return 0;
}

static int cmp_v4(const void *a, const void *b)
{
    const v4range *x = a, *y = b;
    if (x->lo != y->lo) return x->lo < y->lo ? -1 : 1;
    return x->hi > y->hi ? -1 : x->hi < y->hi; /* the wider first */
}

static int cmp_v6(const void *a, const void *b)
{
    const v6range *x = a, *y = b;
    if (x->lo != y->lo) return x->lo < y->lo ? -1 : 1;
    return x->hi > y->hi ? -1 : x->hi < y->hi;
}

static int cmp_ah(const void *a, const void *b)
{
    const asn_holder *x = a, *y = b;
    int c = strcmp(x->holder, y->holder);
    return c ? c : (x->asn > y->asn) - (x->asn < y->asn);
}

static int cmp_names(const void *a, const void *b)
{
    const asname *x = a, *y = b;
    return (x->asn > y->asn) - (x->asn < y->asn);
}

int wb_ipdb_build(wb_ipdb *db, wb_error *err)
{
    if (db->built) return 0;
    /* qsort's array may not be NULL even when empty */
    if (db->nv4) qsort(db->v4, db->nv4, sizeof *db->v4, cmp_v4);
    if (db->nv6) qsort(db->v6, db->nv6, sizeof *db->v6, cmp_v6);
    if (db->nah) qsort(db->ah, db->nah, sizeof *db->ah, cmp_ah);
    if (db->nnames) qsort(db->names, db->nnames, sizeof *db->names, cmp_names);
    for (size_t i = 0; i < db->nrecs; i++) {
        rir_rec *r = &db->recs[i];
        if (!r->holder) continue;
        size_t lo = 0, hi = db->nah;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(db->ah[mid].holder, r->holder) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < db->nah && strcmp(db->ah[lo].holder, r->holder) == 0) r->asn = db->ah[lo].asn;
    }
    /* IPv4 boundaries: at most two per range, the one at 0 and the last gap */
    size_t cap = 2 * db->nv4 + 2;
    db->b4 = malloc(cap * sizeof *db->b4);
    db->r4 = malloc(cap * sizeof *db->r4);
    if (!db->b4 || !db->r4) return wb_error_set(err, WB_ENOMEM, "out of memory");
    size_t nb = 0;
    int64_t end = -1; /* last address covered so far */
    db->b4[nb] = 0;
    db->r4[nb++] = -1;
    for (size_t i = 0; i < db->nv4; i++) {
        int64_t lo = db->v4[i].lo, hi = db->v4[i].hi;
        if (lo <= end) lo = end + 1; /* overlapping (only across files): the first wins */
        if (lo > hi) continue;
        if (lo > end + 1) {
            db->b4[nb] = (uint32_t)(end + 1);
            db->r4[nb++] = -1;
        }
        if (nb && db->b4[nb - 1] == (uint32_t)lo) nb--; /* the gap boundary at 0 */
        db->b4[nb] = (uint32_t)lo;
        db->r4[nb++] = db->v4[i].rec;
        end = hi;
    }
    if (end >= 0 && end < (int64_t)UINT32_MAX) {
        db->b4[nb] = (uint32_t)(end + 1);
        db->r4[nb++] = -1;
    }
    db->nb4 = nb;
    db->bd = malloc(nb * sizeof *db->bd);
    db->bk = malloc(65536 * sizeof *db->bk);
    if (!db->bd || !db->bk) return wb_error_set(err, WB_ENOMEM, "out of memory");
    for (size_t i = 0; i < nb; i++)
        db->bd[i] = (v4bnd){db->b4[i], db->r4[i]};
    size_t j = 0; /* first boundary with start >= the bucket's first address */
    for (uint32_t h = 0; h < 65536; h++) {
        uint64_t first = (uint64_t)h << 16, next = first + 65536;
        while (j < nb && db->b4[j] < first)
            j++;
        size_t cov = j < nb && db->b4[j] == first ? j : j - 1; /* j >= 1: b4[0] == 0 */
        size_t stop = j;
        while (stop < nb && db->b4[stop] < next)
            stop++;
        if (stop - cov <= 1)
            db->bk[h] = (v4bucket){(uint32_t)(db->r4[cov] + 1), 0};
        else
            db->bk[h] = (v4bucket){(uint32_t)cov, (uint32_t)(stop - cov)};
    }
    free(db->b4);
    free(db->r4);
    db->b4 = NULL;
    db->r4 = NULL;
    /* IPv6 boundaries, on the top 64 bits */
    cap = 2 * db->nv6 + 2;
    db->b6 = malloc(cap * sizeof *db->b6);
    db->r6 = malloc(cap * sizeof *db->r6);
    if (!db->b6 || !db->r6) return wb_error_set(err, WB_ENOMEM, "out of memory");
    nb = 0;
    db->b6[nb] = 0;
    db->r6[nb++] = -1;
    bool any = false;
    uint64_t e6 = 0;
    for (size_t i = 0; i < db->nv6; i++) {
        uint64_t lo = db->v6[i].lo, hi = db->v6[i].hi;
        if (any && lo <= e6) {
            if (e6 == UINT64_MAX || hi <= e6) continue;
            lo = e6 + 1;
        }
        if (any && lo > e6 + 1) {
            db->b6[nb] = e6 + 1;
            db->r6[nb++] = -1;
        }
        if (db->b6[nb - 1] == lo) nb--;
        db->b6[nb] = lo;
        db->r6[nb++] = db->v6[i].rec;
        e6 = hi;
        any = true;
    }
    if (any && e6 < UINT64_MAX) {
        db->b6[nb] = e6 + 1;
        db->r6[nb++] = -1;
    }
    db->nb6 = nb;
    db->built = true;
    return 0;
}

int32_t wb_ipdb_lookup_v4(const wb_ipdb *db, uint32_t ip)
{
    const v4bucket *b = &db->bk[ip >> 16];
    if (!b->n) return (int32_t)b->lo - 1;
    const v4bnd *p = db->bd + b->lo;
    /* the answer is the last candidate starting at or before ip; most
     * buckets hold a few, counted without branches */
    if (b->n <= 16) {
        uint32_t k = 0;
        for (uint32_t i = 1; i < b->n; i++)
            k += p[i].start <= ip;
        return p[k].rec;
    }
    uint32_t lo = 0, hi = b->n;
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (p[mid].start <= ip)
            lo = mid;
        else
            hi = mid;
    }
    return p[lo].rec;
}

const char *wb_ipdb_record_cc(const wb_ipdb *db, int32_t rec)
{
    return rec >= 0 && (size_t)rec < db->nrecs ? db->recs[rec].cc : "";
}

static int32_t lookup_v6(const wb_ipdb *db, uint64_t top)
{
    if (!db->nb6) return -1;
    size_t lo = 0, hi = db->nb6;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (db->b6[mid] <= top)
            lo = mid;
        else
            hi = mid;
    }
    return db->r6[lo];
}

static void mmdb_lookup(const wb_ipdb *db, const wb_addr *a, wb_ipinfo *out)
{
    struct sockaddr_storage ss = {0};
    if (wb_addr_is_v4(a)) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, a->b + 12, 4);
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, a->b, 16);
    }
    for (size_t i = 0; i < db->nmmdb; i++) {
        int merr = 0;
        /* libmaxminddb takes a non-const handle but does not change it */
        MMDB_lookup_result_s res =
            MMDB_lookup_sockaddr((MMDB_s *)&db->mmdb[i], (struct sockaddr *)&ss, &merr);
        if (merr != MMDB_SUCCESS || !res.found_entry) continue;
        MMDB_entry_data_s d;
        if (!out->loc_cc[0] &&
            MMDB_get_value(&res.entry, &d, "country", "iso_code", NULL) == MMDB_SUCCESS &&
            d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING)
            wbi_cc(d.utf8_string, d.data_size, out->loc_cc);
        if ((!out->asn || out->asn_from_holder) &&
            MMDB_get_value(&res.entry, &d, "autonomous_system_number", NULL) == MMDB_SUCCESS &&
            d.has_data && d.type == MMDB_DATA_TYPE_UINT32) {
            out->asn = d.uint32;
            out->asn_from_holder = false;
            out->as_name[0] = '\0';
            if (MMDB_get_value(&res.entry, &d, "autonomous_system_organization", NULL) ==
                    MMDB_SUCCESS &&
                d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING) {
                size_t n =
                    d.data_size < sizeof out->as_name ? d.data_size : sizeof out->as_name - 1;
                memcpy(out->as_name, d.utf8_string, n);
                out->as_name[n] = '\0';
            }
        }
    }
}

void wb_ipdb_lookup(const wb_ipdb *db, const wb_addr *a, wb_ipinfo *out)
{
    memset(out, 0, sizeof *out);
    if (!db || !db->built) return;
    int32_t rec = -1;
    if (wb_addr_is_v4(a)) {
        uint32_t ip = (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 |
                      (uint32_t)a->b[14] << 8 | a->b[15];
        rec = wb_ipdb_lookup_v4(db, ip);
    } else {
        uint64_t top = 0;
        for (int i = 0; i < 8; i++)
            top = top << 8 | a->b[i];
        rec = lookup_v6(db, top);
    }
    if (rec >= 0) {
        const rir_rec *r = &db->recs[rec];
        memcpy(out->reg_cc, r->cc, 3);
        out->registry = db->registries[r->registry];
        out->holder = r->holder;
        out->asn = r->asn;
        out->asn_from_holder = r->asn != 0;
    }
    mmdb_lookup(db, a, out);
    if (out->asn) {
        size_t lo = 0, hi = db->nnames;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (db->names[mid].asn < out->asn)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < db->nnames && db->names[lo].asn == out->asn) {
            if (!out->as_name[0])
                snprintf(out->as_name, sizeof out->as_name, "%s", db->names[lo].name);
            memcpy(out->as_cc, db->names[lo].cc, 3);
        }
    }
}

void wb_ipdb_stats(const wb_ipdb *db, size_t *v4_ranges, size_t *v6_ranges, size_t *asns,
                   size_t *mmdbs)
{
    if (v4_ranges) *v4_ranges = db->nv4;
    if (v6_ranges) *v6_ranges = db->nv6;
    if (asns) *asns = db->nah;
    if (mmdbs) *mmdbs = db->nmmdb;
}
