/*
 * util.c - the small pieces the rest of src/deps/ stands on: addresses
 * (parse, format, internal ranges), the address hash map, CSV splitting,
 * lists, country codes and sets, device classes and criticality names.
 */
#include <stdio.h>
#include <stdlib.h>

#include "deps/deps_internal.h"
#include "weerbaar/io.h"

/* ---- addresses ------------------------------------------------------------------ */

bool wb_deps_addr_internal(const wb_addr *a)
{
    const uint8_t *b = a->b;
    if (wb_addr_is_v4(a)) {
        b += 12;
        return b[0] == 0 || b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
               (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
               (b[0] == 100 && (b[1] & 0xc0) == 64) || b[0] >= 224;
    }
    static const uint8_t zero[15] = {0};
    if (memcmp(b, zero, 15) == 0) return true; /* :: and ::1 */
    return b[0] == 0xff || (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
}

/* ---- address map ----------------------------------------------------------------- */

int wbi_addrmap_init(wbi_addrmap *m, size_t cap)
{
    size_t c = 16;
    while (c < cap * 2)
        c <<= 1;
    m->slots = calloc(c, sizeof *m->slots);
    m->keys = calloc(c, sizeof *m->keys);
    m->cap = c;
    m->n = 0;
    if (!m->slots || !m->keys) {
        wbi_addrmap_free(m);
        return WB_ENOMEM;
    }
    return 0;
}

void wbi_addrmap_free(wbi_addrmap *m)
{
    if (!m) return;
    free(m->slots);
    free(m->keys);
    m->slots = NULL;
    m->keys = NULL;
    m->cap = m->n = 0;
}

long wbi_addrmap_get(const wbi_addrmap *m, const wb_addr *a)
{
    if (!m->cap) return -1;
    size_t mask = m->cap - 1;
    for (size_t i = wbi_addr_hash(a) & mask;; i = (i + 1) & mask) {
        if (!m->slots[i]) return -1;
        if (wbi_addr_eq(&m->keys[i], a)) return (long)m->slots[i] - 1;
    }
}

static int addrmap_grow(wbi_addrmap *m)
{
    wbi_addrmap nm;
    if (m->cap > SIZE_MAX / 4 || wbi_addrmap_init(&nm, m->cap) != 0) return WB_ENOMEM;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i]) (void)wbi_addrmap_put(&nm, &m->keys[i], m->slots[i] - 1);
    wbi_addrmap_free(m);
    *m = nm;
    return 0;
}

int wbi_addrmap_put(wbi_addrmap *m, const wb_addr *a, uint32_t v)
{
    if (!m->cap && wbi_addrmap_init(m, 16) != 0) return WB_ENOMEM;
    if ((m->n + 1) * 2 > m->cap && addrmap_grow(m) != 0) return WB_ENOMEM;
    size_t mask = m->cap - 1;
    for (size_t i = wbi_addr_hash(a) & mask;; i = (i + 1) & mask) {
        if (!m->slots[i]) {
            m->keys[i] = *a;
            m->slots[i] = v + 1;
            m->n++;
            return 0;
        }
        if (wbi_addr_eq(&m->keys[i], a)) {
            m->slots[i] = v + 1;
            return 0;
        }
    }
}

/* ---- text -------------------------------------------------------------------------- */

size_t wbi_csv_split(const char *p, size_t n, char *scratch, const char **f, size_t *fl, size_t max)
{
    size_t nf = 0, i = 0;
    char *w = scratch;
    while (nf < max) {
        const char *start;
        size_t len;
        if (i < n && p[i] == '"') {
            start = w;
            i++;
            while (i < n) {
                if (p[i] == '"') {
                    if (i + 1 < n && p[i + 1] == '"') {
                        *w++ = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                *w++ = p[i++];
            }
            len = (size_t)(w - start);
            while (i < n && p[i] != ',')
                i++; /* junk after the closing quote */
        } else {
            start = p + i;
            const char *c = i < n ? memchr(p + i, ',', n - i) : NULL;
            size_t e = c ? (size_t)(c - p) : n;
            len = e - i;
            i = e;
        }
        f[nf] = start;
        fl[nf] = len;
        wbi_trim(&f[nf], &fl[nf]);
        nf++;
        if (i >= n) break;
        i++;                      /* the comma */
        if (i == n && nf < max) { /* a trailing empty field */
            f[nf] = p + n;
            fl[nf] = 0;
            nf++;
            break;
        }
    }
    return nf;
}

void wbi_trim(const char **p, size_t *n)
{
    while (*n && (**p == ' ' || **p == '\t')) {
        (*p)++;
        (*n)--;
    }
    while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' || (*p)[*n - 1] == '\r'))
        (*n)--;
}

char *wbi_lowdup(wb_arena *a, const char *s, size_t n)
{
    char *d = wb_arena_strndup(a, s, n);
    if (d)
        for (size_t i = 0; i < n; i++)
            d[i] = wb_lower(d[i]);
    return d;
}

int wbi_split_list(wb_arena *a, const char *s, size_t n, bool lower, const char ***out,
                   size_t *count)
{
    size_t cnt = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t k = 0, i = 0;
        while (i < n) {
            while (i < n && (s[i] == ';' || s[i] == ' ' || s[i] == ',' || s[i] == '\t'))
                i++;
            size_t st = i;
            while (i < n && s[i] != ';' && s[i] != ' ' && s[i] != ',' && s[i] != '\t')
                i++;
            if (i > st) {
                if (pass == 1) {
                    (*out)[k] =
                        lower ? wbi_lowdup(a, s + st, i - st) : wb_arena_strndup(a, s + st, i - st);
                    if (!(*out)[k]) return WB_ENOMEM;
                }
                k++;
            }
        }
        if (pass == 0) {
            cnt = k;
            *out = wb_arena_alloc(a, (cnt ? cnt : 1) * sizeof **out);
            if (!*out) return WB_ENOMEM;
        }
    }
    *count = cnt;
    return 0;
}

int wbi_parse_asn(const char *s, size_t n, uint32_t *out)
{
    if (n >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's')) {
        s += 2;
        n -= 2;
    }
    int64_t v;
    if (wb_parse_i64(s, n, 0, UINT32_MAX, &v) != 0) return WB_EINVAL;
    *out = (uint32_t)v;
    return 0;
}

bool wbi_domain_under(const char *name, const char *suffix)
{
    size_t nl = strlen(name), sl = strlen(suffix);
    if (sl == 0 || nl < sl) return false;
    if (strcmp(name + nl - sl, suffix) != 0) return false;
    return nl == sl || name[nl - sl - 1] == '.';
}

bool wbi_cc(const char *s, size_t n, char out[3])
{
    if (n != 2) return false;
    char a = s[0] & ~0x20, b = s[1] & ~0x20;
    if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z') return false;
    out[0] = a;
    out[1] = b;
    out[2] = '\0';
    return true;
}

int wbi_load_file(void *obj, const char *path, wbi_parse_fn parse, wb_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = wb_read_file(path, (size_t)256 << 20, &data, &len, err);
    if (rc == 0) rc = parse(obj, data, len, path, err);
    free(data);
    return rc;
}

/* ---- country sets ------------------------------------------------------------------- */

int wb_ccset_parse(wb_ccset *set, const char *buf, size_t len, const char *name, wb_error *err)
{
    size_t pos = 0;
    unsigned line = 0;
    while (pos < len) {
        const char *p = buf + pos;
        const char *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos;
        pos += n + 1;
        line++;
        const char *h = memchr(p, '#', n);
        if (h) n = (size_t)(h - p);
        wbi_trim(&p, &n);
        if (!n) continue;
        size_t w = 0;
        while (w < n && p[w] != ' ' && p[w] != '\t')
            w++;
        char cc[3];
        if (!wbi_cc(p, w, cc))
            return wb_error_set(err, WB_EPARSE, "%s:%u: not a two-letter country code", name, line);
        unsigned i = (unsigned)(cc[0] - 'A') * 26 + (unsigned)(cc[1] - 'A');
        set->bits[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    return 0;
}

static int ccset_parse_cb(void *o, const char *b, size_t l, const char *n, wb_error *e)
{
    return wb_ccset_parse(o, b, l, n, e);
}

int wb_ccset_load(wb_ccset *set, const char *path, wb_error *err)
{
    return wbi_load_file(set, path, ccset_parse_cb, err);
}

bool wb_ccset_has(const wb_ccset *set, const char *cc)
{
    char c[3];
    if (!set || !cc || !wbi_cc(cc, strlen(cc), c)) return false;
    unsigned i = (unsigned)(c[0] - 'A') * 26 + (unsigned)(c[1] - 'A');
    return (set->bits[i / 8] >> (i % 8)) & 1;
}

/* ---- names of classes and criticality ----------------------------------------------- */

static const char *const class_names[WB_DEV_COUNT] = {
    "inverter", "ev-charger", "heat-pump", "battery",     "building-control",
    "plc",      "camera",     "server",    "workstation", "other"};

const char *wb_devclass_name(wb_devclass c)
{
    return (unsigned)c < WB_DEV_COUNT ? class_names[c] : NULL;
}

int wb_devclass_parse(const char *s, size_t n, wb_devclass *out)
{
    for (unsigned i = 0; i < WB_DEV_COUNT; i++)
        if (wb_strn_ieq(s, n, class_names[i])) {
            *out = (wb_devclass)i;
            return 0;
        }
    /* the spellings people write in a spreadsheet */
    if (wb_strn_ieq(s, n, "ev charger") || wb_strn_ieq(s, n, "charger") ||
        wb_strn_ieq(s, n, "ev_charger")) {
        *out = WB_DEV_EV_CHARGER;
        return 0;
    }
    if (wb_strn_ieq(s, n, "heat pump") || wb_strn_ieq(s, n, "heat_pump") ||
        wb_strn_ieq(s, n, "heatpump")) {
        *out = WB_DEV_HEAT_PUMP;
        return 0;
    }
    return WB_EINVAL;
}

bool wb_devclass_is_energy(wb_devclass c)
{
    return c == WB_DEV_INVERTER || c == WB_DEV_EV_CHARGER || c == WB_DEV_HEAT_PUMP ||
           c == WB_DEV_BATTERY;
}

static const char *const crit_names[] = {"unknown", "low", "medium", "high", "critical"};

const char *wb_crit_name(wb_crit c)
{
    return (unsigned)c <= WB_CRIT_CRITICAL ? crit_names[c] : "unknown";
}

int wb_crit_parse(const char *s, size_t n, wb_crit *out)
{
    if (n == 0) {
        *out = WB_CRIT_UNKNOWN;
        return 0;
    }
    for (unsigned i = 0; i <= WB_CRIT_CRITICAL; i++)
        if (wb_strn_ieq(s, n, crit_names[i])) {
            *out = (wb_crit)i;
            return 0;
        }
    return WB_EINVAL;
}

const char *wb_pattern_name(wb_pattern p)
{
    switch (p) {
    case WB_PAT_OCCASIONAL:
        return "occasional";
    case WB_PAT_PERIODIC:
        return "periodic";
    case WB_PAT_LONG_LIVED:
        return "long-lived";
    case WB_PAT_PERIODIC_LONG:
        return "periodic+long-lived";
    }
    return "occasional";
}
