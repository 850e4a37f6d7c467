/*
 * zeek.c - the Zeek TSV reader ("zeek"): conn, dns, http, ssl, files, x509
 * and any other Zeek log, driven by its #fields and #types header lines.
 *
 * This is the hottest reader in weerbaar (conn.log is the bulk of most
 * sensors' output), so it works in one pass over the block: a cursor finds
 * separators and newlines 64 bytes at a time, each data line's column
 * boundaries land in an array allocated once per block, and only the columns
 * the header marked as interesting (a precomputed action per column) are
 * looked at again. Nothing is allocated per line and no number is parsed
 * except a port that pairs with an address.
 *
 * The header is state carried between blocks: scan() gets the state in force
 * at the block start and, when header lines change it, returns a fresh copy
 * (the state it was given is shared with other threads and never modified).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
/* A second copy of the block scan for AVX2, chosen at run time: gcc on
 * x86-64 only (clang builds, such as the fuzz targets, use the first). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define ZEEK_HAVE_AVX2 1
#include <immintrin.h>
#else
#define ZEEK_HAVE_AVX2 0
#endif

#include "logs/logs_internal.h"

/* Bounds on header contents: a real Zeek log has a few dozen columns. */
#define ZEEK_MAX_COLS 1024
#define ZEEK_MAX_MARKER 32

enum zact {
    Z_SKIP,
    Z_IP,       /* addr */
    Z_AUTO,     /* string */
    Z_SET_IP,   /* set[addr], vector[addr] */
    Z_SET_AUTO, /* set[string], vector[string] */
    Z_PORT,     /* port: read through the address it pairs with */
    Z_TS        /* the record's time */
};

typedef struct zcol {
    uint32_t col;
    uint8_t act;
    int32_t port_col; /* Z_IP: the column of its port, or -1 */
    const char *name; /* into zstate.fields */
    size_t nlen;
} zcol;

typedef struct zstate {
    char sep, setsep;
    char empty[ZEEK_MAX_MARKER];
    size_t empty_len;
    char unset[ZEEK_MAX_MARKER];
    size_t unset_len;
    /* #fields and #types as NUL-separated names, as read. */
    char *fields;
    size_t fields_len;
    char *types;
    size_t types_len;
    /* derived by rebuild() */
    uint32_t ncols; /* 0: no #fields yet */
    zcol *active;   /* the columns that are not skipped, in column order */
    uint32_t nactive;
    int32_t ts_col, host_col, uri_col;
    int32_t ctx_col[WB_CTX_COUNT]; /* uid, id.orig_h, ...: -1 when absent */
    int32_t ctx_last;              /* the last of them, -1 when none */
    uint32_t need;                 /* columns a record needs split (the last one used + 1) */
} zstate;

static void zstate_free(void *p)
{
    zstate *st = p;
    if (!st) return;
    free(st->fields);
    free(st->types);
    free(st->active);
    free(st);
}

static zstate *zstate_new(void)
{
    zstate *st = calloc(1, sizeof *st);
    if (!st) return NULL;
    st->sep = '\t';
    st->setsep = ',';
    memcpy(st->empty, "(empty)", 7);
    st->empty_len = 7;
    st->unset[0] = '-';
    st->unset_len = 1;
    st->ts_col = st->host_col = st->uri_col = -1;
    for (int k = 0; k < WB_CTX_COUNT; k++)
        st->ctx_col[k] = -1;
    st->ctx_last = -1;
    return st;
}

static bool name_is(const char *p, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(p, lit, n) == 0;
}

/* Splits a NUL-separated list into up to max (pointer, length) pairs. */
static uint32_t split_nul(const char *s, size_t len, const char **p, size_t *n, uint32_t max)
{
    uint32_t k = 0;
    size_t i = 0;
    if (!s) return 0;
    while (i <= len && k < max) {
        const char *e = memchr(s + i, '\0', len - i);
        size_t l = e ? (size_t)(e - (s + i)) : len - i;
        p[k] = s + i;
        n[k] = l;
        k++;
        i += l + 1;
    }
    return k;
}

static enum zact action_by_type(const char *name, size_t nl, const char *t, size_t tl)
{
    if (name_is(t, tl, "time")) return name_is(name, nl, "ts") ? Z_TS : Z_SKIP;
    if (name_is(t, tl, "addr")) return Z_IP;
    if (name_is(t, tl, "port")) return Z_PORT;
    if (name_is(t, tl, "string")) return Z_AUTO;
    if (name_is(t, tl, "set[addr]") || name_is(t, tl, "vector[addr]")) return Z_SET_IP;
    if (name_is(t, tl, "set[string]") || name_is(t, tl, "vector[string]")) return Z_SET_AUTO;
    return Z_SKIP; /* count, int, double, interval, bool, enum, subnet, ... */
}

/* Without #types (a hand-made or truncated header) the column names decide,
 * with the rules the Zeek JSON reader uses. */
static enum zact action_by_name(const char *name, size_t nl)
{
    if (name_is(name, nl, "ts")) return Z_TS;
    if (wbi_zeek_addr_key(name, nl)) return Z_SET_IP;
    if (nl > 2 && name[nl - 2] == '_' && name[nl - 1] == 'p') return Z_PORT;
    return Z_SET_AUTO;
}

/* Derives the per-column actions from #fields and #types. */
static int rebuild(zstate *st)
{
    free(st->active);
    st->active = NULL;
    st->nactive = st->ncols = 0;
    st->ts_col = st->host_col = st->uri_col = -1;
    for (int k = 0; k < WB_CTX_COUNT; k++)
        st->ctx_col[k] = -1;
    st->ctx_last = -1;
    if (!st->fields) return 0;
    const char *names[ZEEK_MAX_COLS], *types[ZEEK_MAX_COLS];
    size_t nlen[ZEEK_MAX_COLS], tlen[ZEEK_MAX_COLS];
    uint8_t act[ZEEK_MAX_COLS];
    uint32_t nc = split_nul(st->fields, st->fields_len, names, nlen, ZEEK_MAX_COLS);
    uint32_t nt = split_nul(st->types, st->types_len, types, tlen, ZEEK_MAX_COLS);
    bool typed = st->types && nt == nc;
    uint32_t nact = 0;
    for (uint32_t i = 0; i < nc; i++) {
        if (wbi_zeek_skip_key(names[i], nlen[i]))
            act[i] = Z_SKIP;
        else if (typed)
            act[i] = (uint8_t)action_by_type(names[i], nlen[i], types[i], tlen[i]);
        else
            act[i] = (uint8_t)action_by_name(names[i], nlen[i]);
        if (act[i] == Z_TS) {
            if (st->ts_col < 0) st->ts_col = (int32_t)i;
            act[i] = Z_SKIP;
        }
        bool str = act[i] == Z_AUTO || act[i] == Z_SET_AUTO;
        if (str && name_is(names[i], nlen[i], "host")) st->host_col = (int32_t)i;
        if (str && name_is(names[i], nlen[i], "uri")) st->uri_col = (int32_t)i;
        if (act[i] != Z_SKIP && act[i] != Z_PORT) nact++;
        static const struct {
            const char *name;
            wb_ctx_key key;
        } ctx_names[] = {{"uid", WB_CTX_UID},
                         {"id.orig_h", WB_CTX_ORIG_H},
                         {"id.orig_p", WB_CTX_ORIG_P},
                         {"id.resp_h", WB_CTX_RESP_H},
                         {"id.resp_p", WB_CTX_RESP_P},
                         {"proto", WB_CTX_PROTO},
                         {"community_id", WB_CTX_COMMUNITY_ID}};
        for (size_t k = 0; k < sizeof ctx_names / sizeof ctx_names[0]; k++)
            if (name_is(names[i], nlen[i], ctx_names[k].name) &&
                st->ctx_col[ctx_names[k].key] < 0) {
                st->ctx_col[ctx_names[k].key] = (int32_t)i;
                st->ctx_last = (int32_t)i;
            }
    }
    st->active = calloc(nact ? nact : 1, sizeof *st->active);
    if (!st->active) return WB_ENOMEM;
    for (uint32_t i = 0; i < nc; i++) {
        if (act[i] == Z_SKIP || act[i] == Z_PORT) continue;
        zcol *c = &st->active[st->nactive++];
        c->col = i;
        c->act = act[i];
        c->name = names[i];
        c->nlen = nlen[i];
        c->port_col = -1;
        /* X_h pairs with the port column X_p (id.orig_h + id.orig_p). */
        if ((act[i] == Z_IP || act[i] == Z_SET_IP) && nlen[i] > 2 && names[i][nlen[i] - 2] == '_' &&
            names[i][nlen[i] - 1] == 'h') {
            for (uint32_t j = 0; j < nc; j++)
                if (act[j] == Z_PORT && nlen[j] == nlen[i] &&
                    memcmp(names[j], names[i], nlen[i] - 1) == 0 && names[j][nlen[j] - 1] == 'p') {
                    c->port_col = (int32_t)j;
                    break;
                }
        }
    }
    st->ncols = nc;
    /* The columns after the last one used are only counted, not split
     * (see zeek_scan): in conn.log that is 13 of 21. */
    int32_t last = st->ts_col;
    if (st->host_col > last) last = st->host_col;
    if (st->uri_col > last) last = st->uri_col;
    for (uint32_t k = 0; k < st->nactive; k++) {
        if ((int32_t)st->active[k].col > last) last = (int32_t)st->active[k].col;
        if (st->active[k].port_col > last) last = st->active[k].port_col;
    }
    st->need = (uint32_t)(last + 1);
    return 0;
}

static char *dup_mem(const char *p, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        if (n) memcpy(d, p, n);
        d[n] = '\0';
    }
    return d;
}

static zstate *zstate_copy(const zstate *old)
{
    zstate *st = zstate_new();
    if (!st || !old) return st;
    st->sep = old->sep;
    st->setsep = old->setsep;
    memcpy(st->empty, old->empty, sizeof st->empty);
    st->empty_len = old->empty_len;
    memcpy(st->unset, old->unset, sizeof st->unset);
    st->unset_len = old->unset_len;
    if (old->fields) {
        st->fields = dup_mem(old->fields, old->fields_len);
        st->fields_len = old->fields_len;
        if (!st->fields) goto oom;
    }
    if (old->types) {
        st->types = dup_mem(old->types, old->types_len);
        st->types_len = old->types_len;
        if (!st->types) goto oom;
    }
    if (rebuild(st)) goto oom;
    return st;
oom:
    zstate_free(st);
    return NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Zeek writes bytes it must not print (and its separators inside values) as
 * \xHH and a backslash as \\. Returns the unescaped length written to out
 * (which holds at least n bytes). */
static size_t unescape(const char *v, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\\' && i + 3 < n + 0 && v[i + 1] == 'x' && hexval(v[i + 2]) >= 0 &&
            hexval(v[i + 3]) >= 0) {
            out[o++] = (char)(hexval(v[i + 2]) * 16 + hexval(v[i + 3]));
            i += 3;
        } else if (v[i] == '\\' && i + 1 < n && v[i + 1] == '\\') {
            out[o++] = '\\';
            i++;
        } else {
            out[o++] = v[i];
        }
    }
    return o;
}

/* A header value ("\x09", ",", "(empty)"): unescaped into out (cap bytes);
 * returns the length, or 0 when it is empty or too long. */
static size_t header_value(const char *v, size_t n, char *out, size_t cap)
{
    if (n == 0 || n > cap) return 0;
    return unescape(v, n, out);
}

/* ---- the cursor over separators and line ends ----------------------------- */

/* One pass over a block's data lines: each 64-byte window is classified once
 * into a mask of separators and a mask of newlines, and lines are cut from
 * the masks (a line's columns from the separator bits, its end from the
 * newline bits). The lines of a block are contiguous, so the window carries
 * over from one line to the next; only header lines, read with memchr,
 * reposition it. Compared with finding each line's end with memchr first
 * and then its separators, every byte is loaded once instead of twice. */
typedef struct zcur {
    const char *buf;
    size_t len;
    size_t base;    /* offset of the current 64-byte window */
    uint64_t smask; /* bit i: buf[base + i] is the separator, not yet taken */
    uint64_t nmask; /* bit i: buf[base + i] is '\n', not yet taken */
    char sep;
} zcur;

/* Takes the bits up to and including bit b of the window. */
static inline void cur_take(zcur *c, unsigned b)
{
    uint64_t keep = ~((2ULL << b) - 1); /* b == 63: 2 << 63 wraps to 0, keep none */
    c->smask &= keep;
    c->nmask &= keep;
}

/* The x86-64 baseline has no popcnt instruction, and the libgcc fallback
 * is a call: count in registers unless the target has it. */
static inline unsigned popcount64(uint64_t x)
{
#ifdef __POPCNT__
    return (unsigned)__builtin_popcountll(x);
#else
    x -= (x >> 1) & 0x5555555555555555ULL;
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (unsigned)((x * 0x0101010101010101ULL) >> 56);
#endif
}

/* ---- per record ------------------------------------------------------------ */

typedef struct zctx {
    wb_scan *s;
    const zstate *st;
    wb_buf scratch;
    const char *rec; /* the current data line, for the context extractor */
    size_t rec_len;
} zctx;

/* The context of the current record (wb_ctx_fn): only called for a record
 * that hit, so it splits the line again rather than make every record keep
 * the columns it does not otherwise need. */
static void zeek_ctx(wb_scan *s, const void *arg)
{
    const zctx *z = arg;
    const zstate *st = z->st;
    const char *p = z->rec, *end = z->rec + z->rec_len;
    for (int32_t col = 0; p <= end && col <= st->ctx_last; col++) {
        const char *e = memchr(p, st->sep, (size_t)(end - p));
        if (e == NULL) e = end;
        size_t n = (size_t)(e - p);
        for (int k = 0; k < WB_CTX_COUNT; k++)
            if (st->ctx_col[k] == col && !(n == st->unset_len && memcmp(p, st->unset, n) == 0) &&
                !(n == st->empty_len && memcmp(p, st->empty, n) == 0))
                wb_scan_ctx(s, (wb_ctx_key)k, p, n);
        p = e + 1;
    }
}

static inline bool is_marker(const char *v, size_t n, const char *m, size_t ml)
{
    return n == ml && v[0] == m[0] && memcmp(v, m, n) == 0;
}

static int emit(zctx *z, const zcol *c, const char *v, size_t n, unsigned kinds)
{
    if (kinds == WB_V_AUTO && memchr(v, '\\', n)) {
        wb_buf_reset(&z->scratch);
        if (wb_buf_reserve(&z->scratch, n)) return WB_ENOMEM;
        n = unescape(v, n, z->scratch.data);
        v = z->scratch.data;
    }
    wb_scan_value(z->s, c->name, c->nlen, v, n, kinds);
    return 0;
}

static int emit_set(zctx *z, const zcol *c, const char *v, size_t n, unsigned kinds)
{
    const char *end = v + n;
    while (v < end) {
        const char *e = memchr(v, z->st->setsep, (size_t)(end - v));
        size_t l = e ? (size_t)(e - v) : (size_t)(end - v);
        if (l && !is_marker(v, l, z->st->unset, z->st->unset_len))
            if (emit(z, c, v, l, kinds)) return WB_ENOMEM;
        v += l + 1;
    }
    return 0;
}

static unsigned parse_port(const char *p, size_t n, bool *ok)
{
    unsigned v = 0;
    *ok = n > 0 && n <= 5;
    for (size_t i = 0; i < n && *ok; i++) {
        unsigned d = (unsigned char)p[i] - '0';
        if (d > 9) *ok = false;
        v = v * 10 + d;
    }
    if (v > 65535) *ok = false;
    return v;
}

/* One data line whose column starts are in b[0..ncols], b[ncols] being one
 * past the line end plus one. */
static int record(zctx *z, const char *buf, const size_t *b, uint64_t line)
{
    const zstate *st = z->st;
    wb_scan *s = z->s;
#define COL(i) (buf + b[i])
#define COLN(i) (b[(i) + 1] - 1 - b[i])
    wb_scan_record(s, line);
    z->rec = buf + b[0];
    z->rec_len = b[st->ncols] - 1 - b[0];
    wb_scan_ctx_source(s, zeek_ctx, z);
    if (st->ts_col >= 0) {
        size_t n = COLN(st->ts_col);
        if (n && !is_marker(COL(st->ts_col), n, st->unset, st->unset_len))
            wb_scan_ts(s, COL(st->ts_col), n, wbi_ts_epoch);
    }
    for (uint32_t k = 0; k < st->nactive; k++) {
        const zcol *c = &st->active[k];
        const char *v = COL(c->col);
        size_t n = COLN(c->col);
        if (n == 0 || is_marker(v, n, st->unset, st->unset_len) ||
            is_marker(v, n, st->empty, st->empty_len))
            continue;
        int rc = 0;
        switch ((enum zact)c->act) {
        case Z_IP:
            wb_scan_value(s, c->name, c->nlen, v, n, WB_V_IP);
            if (c->port_col >= 0 && !s->no_ip_port) {
                bool ok;
                unsigned port = parse_port(COL(c->port_col), COLN(c->port_col), &ok);
                if (ok) wb_scan_ip_port(s, c->name, c->nlen, v, n, port);
            }
            break;
        case Z_AUTO:
            rc = emit(z, c, v, n, WB_V_AUTO);
            break;
        case Z_SET_IP:
            rc = emit_set(z, c, v, n, WB_V_IP);
            if (c->port_col >= 0 && !s->no_ip_port && !memchr(v, st->setsep, n)) {
                bool ok;
                unsigned port = parse_port(COL(c->port_col), COLN(c->port_col), &ok);
                if (ok) wb_scan_ip_port(s, c->name, c->nlen, v, n, port);
            }
            break;
        case Z_SET_AUTO:
            rc = emit_set(z, c, v, n, WB_V_AUTO);
            break;
        case Z_SKIP:
        case Z_PORT:
        case Z_TS:
            break;
        }
        if (rc) return rc;
    }
    if (st->host_col >= 0 && st->uri_col >= 0) {
        const char *h = COL(st->host_col), *u = COL(st->uri_col);
        size_t hn = COLN(st->host_col), un = COLN(st->uri_col);
        if (hn && un && u[0] == '/' && !is_marker(h, hn, st->unset, st->unset_len) &&
            !is_marker(h, hn, st->empty, st->empty_len)) {
            wb_buf_reset(&z->scratch);
            if (wb_buf_reserve(&z->scratch, hn + un)) return WB_ENOMEM;
            size_t l = unescape(h, hn, z->scratch.data);
            l += unescape(u, un, z->scratch.data + l);
            wb_scan_value(s, "host+uri", 8, z->scratch.data, l, WB_V_URL);
        }
    }
#undef COL
#undef COLN
    return 0;
}

/* ---- header lines ------------------------------------------------------------ */

/* Stores a #fields/#types value as NUL-separated names. */
static int store_list(char **dst, size_t *dlen, const char *v, size_t n, char sep)
{
    char *d = dup_mem(v, n);
    if (!d) return WB_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (d[i] == sep) d[i] = '\0';
    free(*dst);
    *dst = d;
    *dlen = n;
    return 0;
}

static uint32_t count_sep(const char *v, size_t n, char sep)
{
    uint32_t k = 1;
    for (size_t i = 0; i < n; i++)
        k += v[i] == sep;
    return k;
}

/* Applies header line p[0..n) (starting with '#'). *own is the block's own
 * state, created on the first change from *cur; *cur is what is in force. */
static int header(zstate **own, const zstate **cur, wb_scan *s, uint64_t line, const char *p,
                  size_t n)
{
    static const char *const keys[] = {"separator", "set_separator", "empty_field", "unset_field",
                                       "fields",    "types",         NULL};
    size_t kl = 1;
    while (kl < n && p[kl] != ' ' && p[kl] != '\t' && p[kl] != (*cur ? (*cur)->sep : '\t'))
        kl++;
    int which = -1;
    for (int i = 0; keys[i]; i++)
        if (name_is(p + 1, kl - 1, keys[i])) which = i;
    if (which < 0) return 0; /* #path, #open, #close, comments */
    const char *v = p + kl + 1;
    size_t vn = kl < n ? n - kl - 1 : 0;
    if (kl >= n) v = p + n;
    if (!*own) {
        *own = zstate_copy(*cur);
        if (!*own) return WB_ENOMEM;
        *cur = *own;
    }
    zstate *st = *own;
    char tmp[ZEEK_MAX_MARKER];
    size_t l;
    switch (which) {
    case 0:
    case 1:
        l = header_value(v, vn, tmp, sizeof tmp);
        if (l != 1 || tmp[0] == '\n' || tmp[0] == '\0') {
            wb_scan_malformed(s, line, "Zeek header: separator is not a single byte");
            return 0;
        }
        if (which == 0)
            st->sep = tmp[0];
        else
            st->setsep = tmp[0];
        return 0;
    case 2:
    case 3:
        l = header_value(v, vn, tmp, sizeof tmp);
        if (!l) {
            wb_scan_malformed(s, line, "Zeek header: empty or overlong marker");
            return 0;
        }
        memcpy(which == 2 ? st->empty : st->unset, tmp, l);
        *(which == 2 ? &st->empty_len : &st->unset_len) = l;
        return 0;
    case 4:
        if (count_sep(v, vn, st->sep) > ZEEK_MAX_COLS) {
            wb_scan_malformed(s, line, "Zeek header: more than 1024 #fields");
            free(st->fields);
            st->fields = NULL;
        } else if (store_list(&st->fields, &st->fields_len, v, vn, st->sep)) {
            return WB_ENOMEM;
        }
        /* #types belongs to the #fields before it. */
        free(st->types);
        st->types = NULL;
        return rebuild(st);
    default:
        if (st->fields && count_sep(v, vn, st->sep) != st->ncols) {
            wb_scan_malformed(s, line, "Zeek header: #types and #fields differ in count");
            return 0;
        }
        if (store_list(&st->types, &st->types_len, v, vn, st->sep)) return WB_ENOMEM;
        return rebuild(st);
    }
}

/* ---- the block ------------------------------------------------------------ */

/* The cutter and block scan, for the baseline target and for AVX2. */
#define ZC(name) name##_base
#define ZEEK_CUT_AVX2 0
#include "logs/zeek_cut.h"
#undef ZC
#undef ZEEK_CUT_AVX2

#if ZEEK_HAVE_AVX2
#pragma GCC push_options
#pragma GCC target("avx2")
#define ZC(name) name##_avx2
#define ZEEK_CUT_AVX2 1
#include "logs/zeek_cut.h"
#undef ZC
#undef ZEEK_CUT_AVX2
#pragma GCC pop_options
#endif

bool wbi_zeek_baseline_only = false;

static int zeek_scan(const void *state, void **state_out, wb_scan *s, const char *buf, size_t len,
                     const wb_logopts *opts)
{
#if ZEEK_HAVE_AVX2
    if (!wbi_zeek_baseline_only && __builtin_cpu_supports("avx2"))
        return zeek_scan_avx2(state, state_out, s, buf, len, opts);
#endif
    return zeek_scan_base(state, state_out, s, buf, len, opts);
}

static bool zeek_line(const char *p, size_t n)
{
    return n > 11 && memcmp(p, "#separator ", 11) == 0;
}

static int zeek_detect(const char *buf, size_t len)
{
    /* #separator is the first line Zeek writes; allow two lines of comment
     * before it (Zeek's own test baselines start with one). */
    size_t pos = 0;
    const char *p;
    size_t n;
    for (int i = 0; i < 3 && wbi_next_line(buf, len, &pos, &p, &n); i++)
        if (zeek_line(p, n)) return 100;
    return 0;
}

const wb_logfmt wbi_fmt_zeek = {
    .name = "zeek",
    .summary = "Zeek TSV logs (conn, dns, http, ssl, files, x509, any log with #fields/#types)",
    .checks = "addr fields and set/vector[addr] as IP, X_h+X_p as IP|port, string and "
              "set/vector[string] fields by shape, http host+uri as URL; ts",
    .detect = zeek_detect,
    .scan = zeek_scan,
    .state_free = zstate_free,
};
