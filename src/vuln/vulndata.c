/*
 * vulndata.c - the pieces every advisory, inventory and VEX parser uses: the
 * document context with its JSON path for messages, checked field access,
 * the string hash map, the advisory builder, purl/vers helpers and the
 * mapping from package types to version schemes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/vulndata.h"
#include "weerbaar/cpe.h"
#include "weerbaar/purl.h"
#include "weerbaar/vers.h"
#include "core/core_internal.h"

/* ---- document context ------------------------------------------------------ */

void wbi_doc_init(wbi_doc *d, const char *name, wb_error *err)
{
    memset(d, 0, sizeof *d);
    d->name = name;
    d->err = err;
    wb_arena_init(&d->arena, 0);
    wb_buf_puts(&d->path, "$"); /* on failure path stays empty: messages lose only the path */
}

void wbi_doc_free(wbi_doc *d)
{
    wb_buf_free(&d->path);
    wb_arena_free(&d->arena);
}

int wbi_doc_json(wbi_doc *d, const char *data, size_t len, json_t **out)
{
    json_error_t je;
    *out = json_loadb(data, len, JSON_DECODE_ANY, &je);
    if (*out == NULL && wbi_core_json_oom(&je))
        return wb_error_set(d->err, WB_ENOMEM, "%s: out of memory", d->name);
    if (*out == NULL)
        return wb_error_set(d->err, WB_EPARSE, "%s:%d:%d: %s", d->name, je.line, je.column,
                            je.text);
    return 0;
}

int wbi_doc_fail(wbi_doc *d, const char *fmt, ...)
{
    char reason[WB_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return wb_error_set(d->err, WB_EPARSE, "%s: %s: %s", d->name, d->path.data ? d->path.data : "$",
                        reason);
}

void wbi_doc_warn(wbi_doc *d, const char *path, const char *fmt, ...)
{
    if (d->warn == NULL || d->quiet) return;
    char reason[WB_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    wb_error w;
    wb_error_clear(&w);
    wb_error_set(&w, WB_EPARSE, "%s: %s: %s", d->name,
                 path           ? path
                 : d->path.data ? d->path.data
                                : "$",
                 reason);
    d->warn(d->warn_ud, &w);
}

int wbi_doc_nomem(wbi_doc *d)
{
    return wb_error_set(d->err, WB_ENOMEM, "%s: out of memory", d->name);
}

size_t wbi_path_key(wbi_doc *d, const char *key)
{
    size_t old = d->path.len;
    wb_buf_printf(&d->path, ".%s", key);
    return old;
}

size_t wbi_path_idx(wbi_doc *d, size_t i)
{
    size_t old = d->path.len;
    wb_buf_printf(&d->path, "[%zu]", i);
    return old;
}

void wbi_path_cut(wbi_doc *d, size_t len)
{
    if (d->path.data && len <= d->path.len) {
        d->path.len = len;
        d->path.data[len] = '\0';
    }
}

const char *wbi_doc_where(wbi_doc *d, const char *key)
{
    const char *p = d->path.data ? d->path.data : "$";
    size_t n = strlen(d->name) + strlen(p) + (key ? strlen(key) + 1 : 0) + 3;
    char *s = wb_arena_alloc(&d->arena, n);
    if (s == NULL) return NULL;
    snprintf(s, n, "%s: %s%s%s", d->name, p, key ? "." : "", key ? key : "");
    return s;
}

static int field_fail(wbi_doc *d, const char *key, const char *what)
{
    size_t old = wbi_path_key(d, key);
    int rc = wbi_doc_fail(d, "%s", what);
    wbi_path_cut(d, old);
    return rc;
}

int wbi_opt_str(wbi_doc *d, const json_t *obj, const char *key, const char **out)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) return 0;
    if (!json_is_string(v)) return field_fail(d, key, "expected a string");
    *out = json_string_value(v);
    return 0;
}

int wbi_req_str(wbi_doc *d, const json_t *obj, const char *key, const char **out)
{
    const char *s = NULL;
    int rc = wbi_opt_str(d, obj, key, &s);
    if (rc != 0) return rc;
    if (s == NULL || s[0] == '\0') return field_fail(d, key, "missing or empty");
    *out = s;
    return 0;
}

int wbi_opt_arr(wbi_doc *d, const json_t *obj, const char *key, json_t **out)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) return 0;
    if (!json_is_array(v)) return field_fail(d, key, "expected an array");
    *out = v;
    return 0;
}

int wbi_opt_obj(wbi_doc *d, const json_t *obj, const char *key, json_t **out)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) return 0;
    if (!json_is_object(v)) return field_fail(d, key, "expected an object");
    *out = v;
    return 0;
}

int wbi_opt_num(wbi_doc *d, const json_t *obj, const char *key, double *out, bool *has)
{
    json_t *v = json_object_get(obj, key);
    *has = false;
    if (v == NULL || json_is_null(v)) return 0;
    if (!json_is_number(v)) return field_fail(d, key, "expected a number");
    *out = json_number_value(v);
    *has = true;
    return 0;
}

int wbi_opt_time(wbi_doc *d, const json_t *obj, const char *key, wb_time *out)
{
    const char *s = NULL;
    *out = WB_TIME_NONE;
    int rc = wbi_opt_str(d, obj, key, &s);
    if (rc != 0 || s == NULL) return rc;
    if (wb_time_parse(s, strlen(s), out) != 0) {
        *out = WB_TIME_NONE;
        size_t old = wbi_path_key(d, key);
        rc = wbi_doc_fail(d, "'%.64s' is not an RFC 3339 time", s);
        wbi_path_cut(d, old);
    }
    /* Go's zero time, "0001-01-01T00:00:00Z", is what Go programs write for
     * "not known" (the Go vulnerability database's published dates): no
     * advisory is from before 1970 */
    if (rc == 0 && *out < 0) *out = WB_TIME_NONE;
    return rc;
}

/* ---- string-keyed hash map ------------------------------------------------------ */

static size_t slot_of(const wbi_strmap *m, const char *key)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)wb_hash64(key, strlen(key), 0x5eed) & mask;
    while (m->keys[i] != NULL && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & mask;
    return i;
}

static int strmap_grow(wbi_strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    if (cap > SIZE_MAX / sizeof(size_t)) return WB_ENOMEM;
    wbi_strmap n = {calloc(cap, sizeof *n.keys), calloc(cap, sizeof *n.vals), cap, 0};
    if (n.keys == NULL || n.vals == NULL) {
        free(n.keys);
        free(n.vals);
        return WB_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] == NULL) continue;
        size_t s = slot_of(&n, m->keys[i]);
        n.keys[s] = m->keys[i];
        n.vals[s] = m->vals[i];
        n.n++;
    }
    wbi_strmap_free(m);
    *m = n;
    return 0;
}

int wbi_strmap_put(wbi_strmap *m, const char *key, size_t val, bool *fresh)
{
    /* Keep the load below 1/2 so that probes stay short. */
    if ((m->n + 1) * 2 > m->cap && strmap_grow(m) != 0) return WB_ENOMEM;
    size_t s = slot_of(m, key);
    if (m->keys[s] != NULL) {
        if (fresh) *fresh = false;
        return 0;
    }
    m->keys[s] = key;
    m->vals[s] = val;
    m->n++;
    if (fresh) *fresh = true;
    return 0;
}

size_t *wbi_strmap_slot(wbi_strmap *m, const char *key, bool *fresh)
{
    if ((m->n + 1) * 2 > m->cap && strmap_grow(m) != 0) return NULL;
    size_t s = slot_of(m, key);
    *fresh = m->keys[s] == NULL;
    if (*fresh) {
        m->keys[s] = key;
        m->vals[s] = 0;
        m->n++;
    }
    return &m->vals[s];
}

bool wbi_strmap_get(const wbi_strmap *m, const char *key, size_t *val)
{
    if (m->cap == 0) return false;
    size_t s = slot_of(m, key);
    if (m->keys[s] == NULL) return false;
    *val = m->vals[s];
    return true;
}

void wbi_strmap_free(wbi_strmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ---- advisory builder ----------------------------------------------------------- */

/* Grows an array of elements of size sz to hold one more; NULL when out of
 * memory (the array is kept). */
static void *grow(void **arr, size_t *n, size_t *cap, size_t sz)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        if (nc > SIZE_MAX / sz) return NULL;
        void *p = realloc(*arr, nc * sz);
        if (p == NULL) return NULL;
        *arr = p;
        *cap = nc;
    }
    char *e = (char *)*arr + (*n)++ * sz;
    memset(e, 0, sz);
    return e;
}

void wbi_advb_reset(wbi_advb *b)
{
    memset(&b->adv, 0, sizeof b->adv);
    b->adv.published = WB_TIME_NONE;
    b->adv.modified = WB_TIME_NONE;
    b->naff = b->ncvss = b->nrem = b->nalias = 0;
}

void wbi_advb_free(wbi_advb *b)
{
    free(b->aff);
    free(b->cvss);
    free(b->rem);
    free(b->alias);
    memset(b, 0, sizeof *b);
}

wb_affected *wbi_advb_affected(wbi_advb *b)
{
    return grow((void **)&b->aff, &b->naff, &b->capaff, sizeof *b->aff);
}

wb_remediation *wbi_advb_remediation(wbi_advb *b)
{
    return grow((void **)&b->rem, &b->nrem, &b->caprem, sizeof *b->rem);
}

int wbi_advb_cvss(wbi_advb *b, uint8_t version, double score, const char *vector)
{
    for (size_t i = 0; i < b->ncvss; i++)
        if (b->cvss[i].version == version &&
            ((vector == NULL && b->cvss[i].vector == NULL) ||
             (vector && b->cvss[i].vector && strcmp(vector, b->cvss[i].vector) == 0)))
            return 0;
    wb_cvss *c = grow((void **)&b->cvss, &b->ncvss, &b->capcvss, sizeof *b->cvss);
    if (c == NULL) return WB_ENOMEM;
    c->version = version;
    c->score = score;
    c->vector = vector;
    return 0;
}

int wbi_advb_alias(wbi_advb *b, const char *alias)
{
    if (alias == NULL || alias[0] == '\0') return 0;
    if (b->adv.id && strcmp(b->adv.id, alias) == 0) return 0;
    /* Advisories have a handful of aliases: a linear check is cheaper than a map. */
    for (size_t i = 0; i < b->nalias; i++)
        if (strcmp(b->alias[i], alias) == 0) return 0;
    const char **a = grow((void **)&b->alias, &b->nalias, &b->capalias, sizeof *b->alias);
    if (a == NULL) return WB_ENOMEM;
    *a = alias;
    return 0;
}

int wbi_advb_emit(wbi_advb *b, wbi_doc *d, wb_advisory_sink *sink)
{
    b->adv.aliases = b->alias;
    b->adv.naliases = b->nalias;
    b->adv.cvss = b->cvss;
    b->adv.ncvss = b->ncvss;
    b->adv.affected = b->aff;
    b->adv.naffected = b->naff;
    b->adv.remediations = b->rem;
    b->adv.nremediations = b->nrem;
    if (b->adv.source == NULL) b->adv.source = d->name;
    int rc = sink->add(sink, &b->adv);
    if (rc != 0 && (d->err == NULL || d->err->code == WB_OK))
        wb_error_set(d->err, rc, "%s: %s: %s", d->name, b->adv.id ? b->adv.id : "advisory",
                     wb_strerror(rc));
    return rc;
}

/* ---- schemes and identifiers ------------------------------------------------------ */

static const struct {
    const char *type, *scheme;
} purl_schemes[] = {
    {"deb", "deb"},          {"rpm", "rpm"},       {"npm", "npm"},        {"pypi", "pypi"},
    {"maven", "maven"},      {"nuget", "nuget"},   {"gem", "gem"},        {"apk", "alpine"},
    {"alpine", "alpine"},    {"golang", "semver"}, {"cargo", "semver"},   {"alpm", "alpm"},
    {"composer", "semver"},  {"hex", "semver"},    {"pub", "semver"},     {"swift", "semver"},
    {"cocoapods", "semver"}, {"conan", "generic"}, {"github", "generic"}, {"generic", "generic"},
};

const char *wbi_scheme_for_purl_type(const char *type)
{
    if (type == NULL) return "generic";
    for (size_t i = 0; i < sizeof purl_schemes / sizeof purl_schemes[0]; i++)
        if (strcmp(purl_schemes[i].type, type) == 0) return purl_schemes[i].scheme;
    return "generic";
}

int wbi_purl_split(wbi_doc *d, const char *purl, const char **base, const char **version,
                   const char **scheme)
{
    wb_purl *p = NULL;
    wb_error e = {0};
    if (wb_purl_parse(purl, strlen(purl), 0, &p, &e) != 0) {
        if (e.code == WB_ENOMEM) return wbi_doc_nomem(d);
        return wbi_doc_fail(d, "%s", e.msg);
    }
    int rc = 0;
    const char *v = NULL;
    if (p->version != NULL) {
        /* An rpm purl keeps the epoch in a qualifier; rpm versions compare
         * with it, and the purl without version must not carry it, or
         * builds of different epochs would look like different packages. */
        const char *epoch = strcmp(p->type, "rpm") == 0 ? wb_purl_qualifier_get(p, "epoch") : NULL;
        if (epoch != NULL) {
            size_t n = strlen(epoch) + strlen(p->version) + 2;
            char *ev = wb_arena_alloc(&d->arena, n);
            if (ev != NULL) snprintf(ev, n, "%s:%s", epoch, p->version);
            v = ev;
            size_t j = 0;
            for (size_t i = 0; i < p->nqualifiers; i++)
                if (strcmp(p->qualifiers[i].key, "epoch") != 0)
                    p->qualifiers[j++] = p->qualifiers[i];
            p->nqualifiers = j;
        } else {
            v = wb_arena_strdup(&d->arena, p->version);
        }
        if (v == NULL) rc = wbi_doc_nomem(d);
    }
    p->version = NULL; /* format without it */
    wb_buf b = {0};
    if (rc == 0 && wb_purl_format(p, &b) != 0) rc = wbi_doc_nomem(d);
    const char *s = rc == 0 ? wb_arena_strndup(&d->arena, b.data, b.len) : NULL;
    if (rc == 0 && s == NULL) rc = wbi_doc_nomem(d);
    if (rc == 0) {
        *base = s;
        if (version) *version = v;
        if (scheme) *scheme = wbi_scheme_for_purl_type(p->type);
    }
    wb_buf_free(&b);
    wb_purl_free(p);
    return rc;
}

int wbi_cpe_canon(wbi_doc *d, const char *cpe, const char **out)
{
    wb_cpe c;
    wb_error e = {0};
    if (wb_cpe_parse(cpe, strlen(cpe), &c, &e) != 0) return wbi_doc_fail(d, "%s", e.msg);
    if (strncmp(cpe, "cpe:2.3:", 8) == 0) {
        *out = cpe;
        return 0;
    }
    wb_buf b = {0};
    int rc = wb_cpe_format(&c, &b);
    const char *s = rc == 0 ? wb_arena_strndup(&d->arena, b.data, b.len) : NULL;
    wb_buf_free(&b);
    if (s == NULL) return wbi_doc_nomem(d);
    *out = s;
    return 0;
}

int wbi_vers_canon(wbi_doc *d, const char *scheme, const char *range, const char **out)
{
    wb_vers *v = NULL;
    wb_error e = {0};
    int rc = strncmp(range, "vers:", 5) == 0
                 ? wb_vers_parse(range, strlen(range), 0, &v, &e)
                 : wb_vers_parse_for(scheme ? scheme : "generic", range, strlen(range), &v, &e);
    if (rc != 0) {
        if (e.code == WB_ENOMEM) return wbi_doc_nomem(d);
        return wbi_doc_fail(d, "%s", e.msg);
    }
    wb_buf b = {0};
    rc = wb_vers_format(v, &b);
    const char *s = rc == 0 ? wb_arena_strndup(&d->arena, b.data, b.len) : NULL;
    wb_buf_free(&b);
    wb_vers_free(v);
    if (s == NULL) return wbi_doc_nomem(d);
    *out = s;
    return 0;
}
