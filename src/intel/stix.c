/*
 * stix.c - indicators from STIX 2.1 bundles (and a bare indicator object or
 * a list of objects).
 *
 * weerbaar matches single values, so only patterns that are a disjunction of
 * equality tests on one observable each are taken:
 *     [ipv4-addr:value = '198.51.100.1' OR domain-name:value = 'x.example']
 *     [url:value = 'http://x/'] OR [file:hashes.'SHA-256' = '...']
 *     [ipv6-addr:value ISSUBSET '2001:db8::/32']
 * Anything else (AND, FOLLOWEDBY, qualifiers, MATCHES, other objects) cannot
 * be expressed as a set of values without changing its meaning, so the whole
 * indicator is skipped and counted as "unsupported STIX pattern".
 *
 * TLP: object_marking_refs pointing to the well-known TLP 1.0 and TLP 2.0
 * marking definitions, or to marking-definition objects in the bundle that
 * carry a TLP (definition_type "tlp", or the TLP 2.0 extension).
 *
 * The bundle is read without a tree (jscan.h) in two walks over its
 * objects: the first keeps only the marking definitions' TLPs and which
 * report names each indicator (they may come after the indicators), the
 * second takes the indicators.
 */
#include <stdio.h>
#include <string.h>

#include "intel/intel.h"
#include "intel/jscan.h"

/* The TLP 2.0 marking-definition extension (FIRST / OASIS). */
#define TLP2_EXTENSION "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

static const struct {
    const char *id;
    wb_tlp tlp;
} known_markings[] = {
    /* TLP 1.0, STIX 2.1 section 7.2.1.4 */
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", WB_TLP_CLEAR},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", WB_TLP_GREEN},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", WB_TLP_AMBER},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", WB_TLP_RED},
    /* TLP 2.0 extension */
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", WB_TLP_CLEAR},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", WB_TLP_GREEN},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", WB_TLP_AMBER},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", WB_TLP_AMBER_STRICT},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", WB_TLP_RED},
};

/* ---- pattern parsing ------------------------------------------------------ */

/* Nesting deeper than this is not a real-world indicator; the bound keeps
 * the recursive descent off the end of the stack on hostile input. */
#define MAX_DEPTH 32

typedef struct pat {
    const char *s;
    size_t n, i;
    int depth;
    bool emit; /* second pass: decode values and call the sink */
    wbi_ctx *ctx;
    const wb_ioc_in *base;
    int rc; /* the sink's error in the second pass */
} pat;

static void ws(pat *p)
{
    while (p->i < p->n &&
           (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* Consumes a keyword that is not the start of a longer word. */
static bool keyword(pat *p, const char *kw)
{
    size_t k = strlen(kw);
    if (p->n - p->i < k || memcmp(p->s + p->i, kw, k) != 0) return false;
    if (p->i + k < p->n && ident_char(p->s[p->i + k])) return false;
    p->i += k;
    return true;
}

static bool punct(pat *p, char c)
{
    ws(p);
    if (p->i < p->n && p->s[p->i] == c) {
        p->i++;
        return true;
    }
    return false;
}

/* A '...' literal with the \' and \\ escapes, the only ones STIX defines.
 * With out != NULL the decoded text is appended. */
static bool literal(pat *p, wb_buf *out)
{
    ws(p);
    if (p->i >= p->n || p->s[p->i] != '\'') return false;
    p->i++;
    while (p->i < p->n) {
        char c = p->s[p->i++];
        if (c == '\'') return true;
        if (c == '\\') {
            if (p->i >= p->n) return false;
            c = p->s[p->i++];
            if (c != '\'' && c != '\\') return false;
        }
        if (out != NULL && wb_buf_putc(out, c) != 0) {
            /* the pattern was valid; the indicator must not vanish silently */
            if (p->rc == 0) p->rc = wb_error_set(p->ctx->err, WB_ENOMEM, "out of memory");
            return false;
        }
    }
    return false;
}

/* Reads "type:prop.prop.'quoted'" into type/prop buffers; false when the
 * path has list indexes or does not fit (neither is a supported form). */
static bool object_path(pat *p, char *type, size_t tcap, char *prop, size_t pcap)
{
    ws(p);
    size_t t = 0;
    while (p->i < p->n && ident_char(p->s[p->i])) {
        if (t + 1 >= tcap) return false;
        type[t++] = p->s[p->i++];
    }
    type[t] = '\0';
    if (t == 0 || p->i >= p->n || p->s[p->i] != ':') return false;
    p->i++;
    size_t k = 0;
    for (;;) {
        if (p->i < p->n && p->s[p->i] == '\'') {
            p->i++;
            while (p->i < p->n && p->s[p->i] != '\'') {
                if (k + 1 >= pcap) return false;
                prop[k++] = p->s[p->i++];
            }
            if (p->i >= p->n) return false;
            p->i++;
        } else {
            size_t start = k;
            while (p->i < p->n && ident_char(p->s[p->i])) {
                if (k + 1 >= pcap) return false;
                prop[k++] = p->s[p->i++];
            }
            if (k == start) return false;
        }
        if (p->i < p->n && p->s[p->i] == '.') {
            if (k + 1 >= pcap) return false;
            prop[k++] = '.';
            p->i++;
            continue;
        }
        break;
    }
    prop[k] = '\0';
    return true;
}

static bool path_type(const char *type, const char *prop, bool subset, wb_ioc_type *out)
{
    size_t plen = strlen(prop);
    if (strcmp(type, "ipv4-addr") == 0 || strcmp(type, "ipv6-addr") == 0) {
        *out = WB_IOC_IP;
        return strcmp(prop, "value") == 0;
    }
    if (subset) return false; /* ISSUBSET only makes sense on addresses */
    if (strcmp(prop, "value") == 0) {
        if (strcmp(type, "domain-name") == 0)
            *out = WB_IOC_DOMAIN;
        else if (strcmp(type, "url") == 0)
            *out = WB_IOC_URL;
        else if (strcmp(type, "email-addr") == 0)
            *out = WB_IOC_EMAIL;
        else
            return false;
        return true;
    }
    if (strcmp(type, "file") == 0 && plen > 7 && memcmp(prop, "hashes.", 7) == 0) {
        const char *h = prop + 7;
        size_t hn = plen - 7;
        if (wb_strn_ieq(h, hn, "MD5"))
            *out = WB_IOC_MD5;
        else if (wb_strn_ieq(h, hn, "SHA-1") || wb_strn_ieq(h, hn, "SHA1"))
            *out = WB_IOC_SHA1;
        else if (wb_strn_ieq(h, hn, "SHA-256") || wb_strn_ieq(h, hn, "SHA256"))
            *out = WB_IOC_SHA256;
        else
            return false;
        return true;
    }
    return false;
}

static bool comparison(pat *p)
{
    char type[64], prop[128];
    if (!object_path(p, type, sizeof type, prop, sizeof prop)) return false;
    ws(p);
    bool subset;
    if (p->i < p->n && p->s[p->i] == '=') {
        p->i++;
        subset = false;
    } else if (keyword(p, "ISSUBSET")) {
        subset = true;
    } else {
        return false; /* !=, <, LIKE, MATCHES, IN, NOT ... */
    }
    wb_ioc_type t;
    if (!path_type(type, prop, subset, &t)) return false;
    if (!p->emit) return literal(p, NULL);
    wb_buf *v = &p->ctx->tmp;
    wb_buf_reset(v);
    if (!literal(p, v)) return false;
    if (t == WB_IOC_IP && v->len > 0 && memchr(v->data, '/', v->len) != NULL) t = WB_IOC_CIDR;
    wb_ioc_in in = *p->base;
    in.type = t;
    in.value = v->data ? v->data : "";
    in.len = v->len;
    if (p->rc == 0) p->rc = wbi_add(p->ctx, &in);
    return true;
}

/* Inside brackets: comparison (OR comparison)*, with parentheses. */
static bool comparison_expr(pat *p)
{
    if (++p->depth > MAX_DEPTH) return false;
    do {
        if (punct(p, '(')) {
            if (!comparison_expr(p) || !punct(p, ')')) return false;
        } else if (!comparison(p)) {
            return false;
        }
        ws(p);
    } while (keyword(p, "OR"));
    p->depth--;
    return true;
}

/* Observation expressions: [ ... ] (OR [ ... ])*, with parentheses. */
static bool observation_expr(pat *p)
{
    if (++p->depth > MAX_DEPTH) return false;
    do {
        if (punct(p, '(')) {
            if (!observation_expr(p) || !punct(p, ')')) return false;
        } else if (punct(p, '[')) {
            if (!comparison_expr(p) || !punct(p, ']')) return false;
        } else {
            return false;
        }
        ws(p);
    } while (keyword(p, "OR"));
    p->depth--;
    return true;
}

static bool pattern_ok(pat *p)
{
    p->i = 0;
    p->depth = 0;
    if (!observation_expr(p)) return false;
    ws(p);
    return p->i == p->n; /* a trailing AND, FOLLOWEDBY or qualifier */
}

int wbi_stix_pattern(wbi_ctx *ctx, const wb_ioc_in *base, const char *s, size_t n)
{
    pat p = {.s = s, .n = n, .ctx = ctx, .base = base};
    /* Validate the whole pattern before adding anything, so that an
     * indicator is either taken entirely or skipped entirely. */
    if (!pattern_ok(&p)) {
        wbi_skip(ctx, base->where, "unsupported STIX pattern");
        return 0;
    }
    p.emit = true;
    pattern_ok(&p);
    return p.rc;
}

/* ---- bundle --------------------------------------------------------------- */

/* A string-keyed table for the bundle's marking TLPs and the indicator ->
 * report links: keys and values live in one pool, by offset. */
typedef struct smap_ent {
    uint64_t h;
    size_t key; /* pool offset + 1; 0 = empty slot */
    size_t val; /* pool offset of a string value, or a wb_tlp */
} smap_ent;

typedef struct smap {
    smap_ent *e;
    size_t cap, n;
    wb_buf pool;
} smap;

static smap_ent *smap_find(smap *m, const char *k, size_t kn, uint64_t h)
{
    if (m->cap == 0) return NULL;
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        smap_ent *e = &m->e[i];
        if (e->key == 0) return e;
        const char *ek = m->pool.data + e->key - 1;
        if (e->h == h && strlen(ek) == kn && memcmp(ek, k, kn) == 0) return e;
    }
}

static const smap_ent *smap_get(smap *m, const char *k)
{
    size_t kn = strlen(k);
    const smap_ent *e = smap_find(m, k, kn, wb_hash64(k, kn, 0));
    return e && e->key ? e : NULL;
}

static int smap_grow(smap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    smap_ent *ne = calloc(cap, sizeof *ne);
    if (ne == NULL) return WB_ENOMEM;
    smap old = *m;
    m->e = ne;
    m->cap = cap;
    for (size_t i = 0; i < old.cap; i++) {
        if (old.e[i].key == 0) continue;
        size_t j = old.e[i].h & (cap - 1);
        while (ne[j].key)
            j = (j + 1) & (cap - 1);
        ne[j] = old.e[i];
    }
    free(old.e);
    return 0;
}

static int pool_add(wb_buf *pool, const char *s, size_t n, size_t *off)
{
    *off = pool->len;
    return wb_buf_append(pool, s, n) || wb_buf_putc(pool, '\0') ? WB_ENOMEM : 0;
}

/* Sets k -> val (a tlp, or a string when vs != NULL). With `keep` an
 * existing key keeps its value (first wins), otherwise the last wins. */
static int smap_put(smap *m, const char *k, size_t kn, size_t tlp, const char *vs, size_t vn,
                    bool keep)
{
    if ((m->n + 1) * 2 > m->cap && smap_grow(m) != 0) return WB_ENOMEM;
    uint64_t h = wb_hash64(k, kn, 0);
    smap_ent *e = smap_find(m, k, kn, h);
    if (e->key && keep) return 0;
    size_t val = tlp;
    if (vs != NULL && pool_add(&m->pool, vs, vn, &val) != 0) return WB_ENOMEM;
    if (e->key == 0) {
        size_t off;
        if (pool_add(&m->pool, k, kn, &off) != 0) return WB_ENOMEM;
        e->key = off + 1;
        e->h = h;
        m->n++;
    }
    e->val = val;
    return 0;
}

static void smap_free(smap *m)
{
    free(m->e);
    wb_buf_free(&m->pool);
}

typedef struct bundle {
    wbi_jdoc *d;
    wbi_ctx *ctx;
    size_t objects; /* offset of the array of objects, or of the one object */
    bool single;    /* a bare object rather than a list */
    const char *id; /* the bundle's id, or NULL */
    const char *path;
    smap markings; /* marking-definition id -> wb_tlp */
    smap reports;  /* indicator id -> report id */
    wb_buf s1, s2; /* scratch for decoded strings */
} bundle;

static bool str_is(const wbi_jdoc *d, size_t i, const char *lit)
{
    return wbi_jscan_kind(d, i) == '"' && wbi_jscan_str_eq(d, i, lit);
}

/* The TLP a marking-definition object carries, or WB_TLP_UNSET. */
static int marking_tlp(bundle *b, size_t md, wb_tlp *out)
{
    static const char *const keys[] = {"definition", "definition_type", "extensions", "name"};
    size_t v[4];
    const wbi_jdoc *d = b->d;
    wbi_jscan_members(d, md, keys, 4, v);
    wb_tlp t;
    const char *s;
    size_t n;
    *out = WB_TLP_UNSET;
    size_t tlp = wbi_jscan_get(d, v[0], "tlp");
    if (str_is(d, v[1], "tlp") && wbi_jscan_kind(d, tlp) == '"') {
        if (wbi_jscan_str(d, tlp, &b->s1, &s, &n) != 0) return WB_ENOMEM;
        if (wb_tlp_parse(s, n, &t) == 0) {
            *out = t;
            return 0;
        }
    }
    size_t ext = wbi_jscan_get(d, v[2], TLP2_EXTENSION);
    if (ext != WBI_JNONE) {
        size_t x = wbi_jscan_get(d, ext, "tlp_2_0");
        if (wbi_jscan_kind(d, x) != '"') x = v[3];
        if (wbi_jscan_kind(d, x) == '"') {
            if (wbi_jscan_str(d, x, &b->s1, &s, &n) != 0) return WB_ENOMEM;
            if (wb_tlp_parse(s, n, &t) == 0) *out = t;
        }
    }
    return 0;
}

/* Calls fn for every object of the bundle with its index. */
typedef int (*object_fn)(bundle *b, size_t obj, size_t idx);

static int each_object(bundle *b, object_fn fn)
{
    if (b->single) return fn(b, b->objects, 0);
    size_t it = b->objects, key = WBI_JNONE, val, idx = 0;
    while (wbi_jscan_next(b->d, &it, &key, &val)) {
        int rc = fn(b, val, idx++);
        if (rc) return rc;
        wbi_jdoc_release(b->d, val);
    }
    return 0;
}

static int index_object(bundle *b, size_t o, size_t idx)
{
    (void)idx;
    static const char *const keys[] = {"type", "id", "object_refs"};
    size_t v[3];
    const wbi_jdoc *d = b->d;
    wbi_jscan_members(d, o, keys, 3, v);
    if (wbi_jscan_kind(d, v[0]) != '"' || wbi_jscan_kind(d, v[1]) != '"') return 0;
    const char *id, *r;
    size_t idn, rn;
    if (str_is(d, v[0], "marking-definition")) {
        wb_tlp t;
        if (marking_tlp(b, o, &t) != 0) return WB_ENOMEM;
        if (t == WB_TLP_UNSET) return 0;
        if (wbi_jscan_str(d, v[1], &b->s2, &id, &idn) != 0) return WB_ENOMEM;
        return smap_put(&b->markings, id, idn, (size_t)t, NULL, 0, false);
    }
    if (!str_is(d, v[0], "report") || wbi_jscan_kind(d, v[2]) != '[') return 0;
    if (wbi_jscan_str(d, v[1], &b->s2, &id, &idn) != 0) return WB_ENOMEM;
    size_t it = v[2], key = WBI_JNONE, ref;
    while (wbi_jscan_next(d, &it, &key, &ref)) {
        if (wbi_jscan_kind(d, ref) != '"') continue;
        if (wbi_jscan_str(d, ref, &b->s1, &r, &rn) != 0) return WB_ENOMEM;
        /* a key is a C string in the map, as it was as a jansson key */
        if (smap_put(&b->reports, r, rn, 0, id, idn, true) != 0) return WB_ENOMEM;
    }
    return 0;
}

static wb_tlp lookup_tlp(bundle *b, const char *ref)
{
    for (size_t i = 0; i < sizeof known_markings / sizeof known_markings[0]; i++)
        if (strcmp(ref, known_markings[i].id) == 0) return known_markings[i].tlp;
    const smap_ent *e = smap_get(&b->markings, ref);
    return e ? (wb_tlp)e->val : WB_TLP_UNSET;
}

static int load_indicator(bundle *b, size_t o, size_t idx)
{
    static const char *const keys[] = {"type",    "pattern",     "pattern_type",       "id",
                                       "revoked", "valid_until", "object_marking_refs"};
    size_t v[7];
    const wbi_jdoc *d = b->d;
    wbi_ctx *ctx = b->ctx;
    wbi_jscan_members(d, o, keys, 7, v);
    if (!str_is(d, v[0], "indicator")) return 0;
    wb_buf_reset(&ctx->where);
    int prc = b->path ? wb_buf_printf(&ctx->where, "%s: %s[%zu].pattern", ctx->name, b->path, idx)
                      : wb_buf_printf(&ctx->where, "%s: $.pattern", ctx->name);
    if (prc != 0) return wb_error_set(ctx->err, WB_ENOMEM, "out of memory");
    const char *where = ctx->where.data;
    if (wbi_jscan_kind(d, v[1]) != '"') {
        wbi_skip(ctx, where, "indicator without a pattern");
        return 0;
    }
    if (v[2] != WBI_JNONE && !str_is(d, v[2], "stix")) {
        wbi_skip(ctx, where, "unsupported pattern_type");
        return 0;
    }
    if (wbi_jscan_kind(d, v[4]) == 't') {
        wbi_skip(ctx, where, "indicator is revoked");
        return 0;
    }
    const char *s;
    size_t n;
    wb_time until = WB_TIME_NONE;
    if (v[5] != WBI_JNONE) {
        if (wbi_jscan_kind(d, v[5]) != '"') {
            wbi_skip(ctx, where, "invalid valid_until");
            return 0;
        }
        if (wbi_jscan_str(d, v[5], &b->s1, &s, &n) != 0) goto nomem;
        if (wb_time_parse(s, n, &until) != 0) {
            wbi_skip(ctx, where, "invalid valid_until");
            return 0;
        }
    }
    wb_tlp tlp = WB_TLP_UNSET;
    if (wbi_jscan_kind(d, v[6]) == '[') {
        size_t it = v[6], key = WBI_JNONE, ref;
        while (wbi_jscan_next(d, &it, &key, &ref)) {
            if (wbi_jscan_kind(d, ref) != '"') continue;
            if (wbi_jscan_str_copy(d, ref, &b->s1) != 0) goto nomem;
            tlp = wb_tlp_stricter(tlp, lookup_tlp(b, b->s1.data));
        }
    }
    const char *attr = NULL;
    if (wbi_jscan_kind(d, v[3]) == '"') {
        if (wbi_jscan_str_copy(d, v[3], &b->s2) != 0) goto nomem;
        attr = b->s2.data;
    }
    const smap_ent *report = attr ? smap_get(&b->reports, attr) : NULL;
    wb_ioc_in base = {
        .event = report ? b->reports.pool.data + report->val : b->id,
        .attribute = attr,
        .tlp = tlp,
        .valid_until = until,
        .source = ctx->source,
        .where = where,
    };
    if (wbi_jscan_str(d, v[1], &b->s1, &s, &n) != 0) goto nomem;
    return wbi_stix_pattern(ctx, &base, s, n);
nomem:
    return wb_error_set(ctx->err, WB_ENOMEM, "out of memory");
}

bool wbi_stix_looks_like(const wbi_jdoc *d)
{
    size_t root = wbi_jscan_root(d), o = root;
    if (d->s[root] == '[') {
        size_t it = root, key = WBI_JNONE;
        if (!wbi_jscan_next(d, &it, &key, &o)) return false;
    }
    static const char *const keys[] = {"type", "spec_version", "pattern"};
    size_t v[3];
    wbi_jscan_members(d, o, keys, 3, v);
    if (wbi_jscan_kind(d, v[0]) != '"') return false;
    if (str_is(d, v[0], "bundle")) return true;
    return v[1] != WBI_JNONE || v[2] != WBI_JNONE;
}

int wbi_stix_load(wbi_ctx *ctx, wbi_jdoc *d)
{
    bundle b = {.d = d, .ctx = ctx};
    wb_buf idbuf = {0};
    size_t root = wbi_jscan_root(d);
    char c = d->s[root];
    if (c == '[') {
        b.objects = root;
        b.path = "$";
    } else if (c == '{') {
        static const char *const keys[] = {"type", "objects", "id"};
        size_t v[3];
        wbi_jscan_members(d, root, keys, 3, v);
        if (str_is(d, v[0], "bundle")) {
            b.path = "$.objects";
            if (wbi_jscan_kind(d, v[2]) == '"') {
                if (wbi_jscan_str_copy(d, v[2], &idbuf) != 0)
                    return wb_error_set(ctx->err, WB_ENOMEM, "out of memory");
                b.id = idbuf.data;
            }
            if (v[1] == WBI_JNONE) { /* an empty bundle may omit objects */
                wb_buf_free(&idbuf);
                return 0;
            }
            if (d->s[v[1]] != '[') {
                wb_buf_free(&idbuf);
                return wb_error_set(ctx->err, WB_EFORMAT, "%s: $.objects: not an array", ctx->name);
            }
            b.objects = v[1];
        } else {
            b.objects = root;
            b.single = true;
        }
    } else {
        return wb_error_set(ctx->err, WB_EFORMAT, "%s: $: a STIX file holds an object or a list",
                            ctx->name);
    }
    int rc = each_object(&b, index_object);
    if (rc) {
        wb_error_set(ctx->err, rc, "out of memory");
    } else {
        rc = each_object(&b, load_indicator);
    }
    smap_free(&b.markings);
    smap_free(&b.reports);
    wb_buf_free(&b.s1);
    wb_buf_free(&b.s2);
    wb_buf_free(&idbuf);
    return rc;
}
