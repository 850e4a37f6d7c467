/*
 * db.c - the vulnerability database of `weerbaar vuln`: the sinks that
 * receive advisories, KEV, EPSS and VEX records, alias merging, the match
 * indexes, and the image that is both the frozen database in memory and the
 * index file on disk (layout in db_internal.h).
 *
 * While building, every string is interned into one table and every record
 * appended to its section, so the image is assembled without a second copy
 * of the data. wb_vulndb_build() then merges the ids of one vulnerability:
 * the advisory id and its aliases are joined in a union-find, and each class
 * becomes one vulnerability with its sorted ids, the earliest release date
 * and the newest CVSS version any source gives. The indexes are sorted
 * arrays of (hash of key, key, entry), searched by binary search, because a
 * sorted array can be written out and checked as it is.
 *
 * Loading an index file validates every offset, count and enum before the
 * scanner sees it: the file is input like any other.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vuln/db_internal.h"
#include "weerbaar/cpe.h"
#include "weerbaar/purl.h"
#include "weerbaar/version.h"

/* Largest index file accepted (the image uses 32-bit string offsets). */
#define MAX_IMAGE ((uint64_t)8 << 30)

/* ---- interning ------------------------------------------------------------- */

typedef struct strmap {
    uint64_t *hash;
    uint32_t *off; /* 0 = empty slot */
    size_t cap, n;
} strmap;

/* u32 -> u32, for the union-find over interned ids. */
typedef struct u32map {
    uint32_t *key; /* 0 = empty (string offset 0 is never an id) */
    uint32_t *val;
    size_t cap, n;
} u32map;

struct wb_vulndb {
    /* building */
    wb_buf sec[WBI_SEC_COUNT];
    strmap strings;
    wb_buf scratch, scratch2, scratch3;
    size_t bad_purls, bad_cpes;
    wb_advisory_sink adv_sink;
    wb_kev_sink kev_sink;
    wb_epss_sink epss_sink;
    wb_vex_sink vex_sink;
    bool failed; /* a sink ran out of memory or a limit: build reports it */
    int fail_code;
    /* frozen */
    bool frozen;
    char *image;
    size_t size;
    bool mapped; /* image is a read-only mapping of the index file, not malloc'd */
    wbi_view view;
};

static int grow_strmap(strmap *m, const char *base)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    uint64_t *nh = calloc(ncap, sizeof *nh);
    uint32_t *no = calloc(ncap, sizeof *no);
    if (!nh || !no) {
        free(nh);
        free(no);
        return WB_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->off[i]) continue;
        size_t j = (size_t)m->hash[i] & (ncap - 1);
        while (no[j])
            j = (j + 1) & (ncap - 1);
        nh[j] = m->hash[i];
        no[j] = m->off[i];
    }
    (void)base;
    free(m->hash);
    free(m->off);
    m->hash = nh;
    m->off = no;
    m->cap = ncap;
    return 0;
}

/* The offset of s in the string table, adding it when new; 0 for NULL.
 * Sets *off; returns 0, WB_ENOMEM or WB_ELIMIT (table past 4 GiB). */
static int intern_n(wb_vulndb *db, const char *s, size_t n, uint32_t *off)
{
    *off = 0;
    if (s == NULL) return 0;
    wb_buf *t = &db->sec[WBI_SEC_STR];
    strmap *m = &db->strings;
    if ((m->n + 1) * 2 > m->cap && grow_strmap(m, t->data) != 0) return WB_ENOMEM;
    uint64_t h = wb_hash64(s, n, WBI_HASH_SEED);
    size_t j = (size_t)h & (m->cap - 1);
    while (m->off[j]) {
        if (m->hash[j] == h) {
            const char *c = t->data + m->off[j];
            if (strncmp(c, s, n) == 0 && c[n] == '\0') {
                *off = m->off[j];
                return 0;
            }
        }
        j = (j + 1) & (m->cap - 1);
    }
    if (t->len + n + 1 > UINT32_MAX) return WB_ELIMIT;
    uint32_t o = (uint32_t)t->len;
    if (wb_buf_append(t, s, n) != 0 || wb_buf_putc(t, '\0') != 0) return WB_ENOMEM;
    m->hash[j] = h;
    m->off[j] = o;
    m->n++;
    *off = o;
    return 0;
}

static int intern(wb_vulndb *db, const char *s, uint32_t *off)
{
    return intern_n(db, s, s ? strlen(s) : 0, off);
}

static size_t sec_count(const wb_vulndb *db, int sec, size_t elsize)
{
    return db->sec[sec].len / elsize;
}

static int push(wb_vulndb *db, int sec, const void *rec, size_t size)
{
    if (db->sec[sec].len / size >= UINT32_MAX) return WB_ELIMIT;
    return wb_buf_append(&db->sec[sec], rec, size) != 0 ? WB_ENOMEM : 0;
}

/* ---- keys -------------------------------------------------------------------- */

int wbi_purl_key(const char *purl, wb_buf *out, wb_buf *distro_out, wb_buf *version_out)
{
    wb_purl *p = NULL;
    wb_error err;
    if (purl == NULL) return WB_EINVAL;
    int rc = wb_purl_parse(purl, strlen(purl), 0, &p, &err);
    if (rc != 0) return rc == WB_ENOMEM ? WB_ENOMEM : WB_EINVAL;
    if (distro_out) {
        wb_buf_reset(distro_out);
        const char *d = wb_purl_qualifier_get(p, "distro");
        if (d && wb_buf_puts(distro_out, d) != 0) rc = WB_ENOMEM;
    }
    if (version_out) {
        wb_buf_reset(version_out);
        if (p->version && wb_buf_puts(version_out, p->version) != 0) rc = WB_ENOMEM;
    }
    /* The identity of a package is its type, namespace and name: the
     * canonical form without version, qualifiers and subpath. */
    p->version = NULL;
    p->nqualifiers = 0;
    p->subpath = NULL;
    if (rc == 0) rc = wb_purl_format(p, out);
    wb_purl_free(p);
    return rc;
}

int wbi_cpe_key(const char *cpe, wb_buf *out)
{
    wb_cpe c;
    wb_error err;
    if (cpe == NULL) return WB_EINVAL;
    if (wb_cpe_parse(cpe, strlen(cpe), &c, &err) != 0) return WB_EINVAL;
    if (c.kind[WB_CPE_VENDOR] != WB_CPE_VALUE || c.kind[WB_CPE_PRODUCT] != WB_CPE_VALUE)
        return WB_EINVAL;
    size_t vl, pl;
    const char *v = wb_cpe_value(&c, WB_CPE_VENDOR, &vl);
    const char *p = wb_cpe_value(&c, WB_CPE_PRODUCT, &pl);
    /* A vendor or product with a wildcard cannot be looked up by equality. */
    for (size_t i = 0; i < vl; i++)
        if ((v[i] == '*' || v[i] == '?') && (i == 0 || v[i - 1] != '\\')) return WB_EINVAL;
    for (size_t i = 0; i < pl; i++)
        if ((p[i] == '*' || p[i] == '?') && (i == 0 || p[i - 1] != '\\')) return WB_EINVAL;
    wb_buf_reset(out);
    if (wb_buf_append(out, v, vl) || wb_buf_putc(out, ':') || wb_buf_append(out, p, pl))
        return WB_ENOMEM;
    return 0;
}

static int put_lower_trimmed(wb_buf *out, const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < n; i++)
        if (wb_buf_putc(out, wb_lower(s[i])) != 0) return WB_ENOMEM;
    return 0;
}

int wbi_name_key(const char *vendor, const char *product, wb_buf *out)
{
    wb_buf_reset(out);
    if (product == NULL || *product == '\0') return WB_EINVAL;
    if (vendor && put_lower_trimmed(out, vendor) != 0) return WB_ENOMEM;
    if (wb_buf_putc(out, '\x1f') != 0 || put_lower_trimmed(out, product) != 0) return WB_ENOMEM;
    return 0;
}

int wbi_pkg_key(const char *type, const char *name, size_t n, wb_buf *out)
{
    wb_buf_reset(out);
    while (n && (*name == ' ' || *name == '\t'))
        name++, n--;
    while (n && (name[n - 1] == ' ' || name[n - 1] == '\t'))
        n--;
    if (n == 0) return WB_EINVAL;
    if (wb_buf_puts(out, type) != 0 || wb_buf_putc(out, '\x1f') != 0) return WB_ENOMEM;
    /* rpm names are case-sensitive (ImageMagick); product names are not */
    bool lower = strcmp(type, "rpm") != 0;
    for (size_t i = 0; i < n; i++)
        if (wb_buf_putc(out, lower ? wb_lower(name[i]) : name[i]) != 0) return WB_ENOMEM;
    return 0;
}

/* Entries of CSAF products with neither purl nor CPE can still name a
 * package: Red Hat's older CSAF names builds only as product versions
 * ("telnet-1:0.17-65.el7_6.x86_64"), others give vendor, product and
 * version names. Such entries are indexed by package name so that purl
 * components (pkg:rpm/redhat/telnet@..., pkg:deb/debian/openssl@...) find
 * them; match.c decides whether vendor, arch, module and version fit. */
static int entry_pkg_key(const wb_affected *a, wb_buf *out)
{
    wb_nevra nv;
    wb_error err;
    if (a->purl || a->cpe) return WB_EINVAL;
    if (a->version && wb_nevra_parse(a->version, strlen(a->version), &nv, &err) == 0)
        return wbi_pkg_key("rpm", nv.name, nv.name_len, out);
    if (a->vendor && a->product && (a->version || a->range))
        return wbi_pkg_key("name", a->product, strlen(a->product), out);
    return WB_EINVAL;
}

size_t wbi_vuln_key_find(const wbi_vuln_key *k, size_t n, uint64_t hash)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k[mid].hash < hash)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && k[lo].hash == hash ? lo : n;
}

/* ---- sinks ----------------------------------------------------------------------- */

static int fail(wb_vulndb *db, int rc)
{
    if (rc != 0 && !db->failed) {
        db->failed = true;
        db->fail_code = rc;
    }
    return rc;
}

static int add_u32_list(wb_vulndb *db, const char *const *s, size_t n, uint32_t *off,
                        uint32_t *count)
{
    *off = (uint32_t)sec_count(db, WBI_SEC_U32, sizeof(uint32_t));
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t o;
        int rc = intern(db, s[i], &o);
        if (rc == 0 && o) rc = push(db, WBI_SEC_U32, &o, sizeof o);
        if (rc != 0) return rc;
        if (o) (*count)++;
    }
    return 0;
}

static int add_affected(wb_vulndb *db, uint32_t adv, const wb_affected *a)
{
    wbi_aff r = {.adv = adv, .status = (uint32_t)a->status};
    int rc = 0;
    if ((unsigned)a->status > WB_AFF_UNKNOWN) return WB_EINVAL;
    if (rc == 0) rc = intern(db, a->purl, &r.purl);
    if (rc == 0) rc = intern(db, a->cpe, &r.cpe);
    if (rc == 0) rc = intern(db, a->vendor, &r.vendor);
    if (rc == 0) rc = intern(db, a->product, &r.product);
    if (rc == 0) rc = intern(db, a->version, &r.version);
    if (rc == 0) rc = intern(db, a->range, &r.range);
    if (rc == 0) rc = intern(db, a->scheme, &r.scheme);
    if (rc == 0) rc = intern(db, a->fixed, &r.fixed);
    if (rc == 0) rc = intern(db, a->product_id, &r.product_id);
    if (rc == 0) rc = intern(db, a->platform, &r.platform);
    if (rc == 0 && a->purl) {
        int k = wbi_purl_key(a->purl, &db->scratch, &db->scratch2, NULL);
        if (k == WB_ENOMEM) return k;
        if (k == 0) {
            rc = intern(db, db->scratch.data, &r.purl_key);
            if (rc == 0 && db->scratch2.len) rc = intern(db, db->scratch2.data, &r.distro);
        } else {
            db->bad_purls++;
        }
    }
    if (rc == 0 && a->cpe) {
        if (wbi_cpe_key(a->cpe, &db->scratch) == 0)
            rc = intern(db, db->scratch.data, &r.cpe_key);
        else
            db->bad_cpes++;
    }
    if (rc == 0 && wbi_name_key(a->vendor, a->product, &db->scratch) == 0)
        rc = intern(db, db->scratch.data, &r.name_key);
    if (rc == 0) {
        int k = entry_pkg_key(a, &db->scratch);
        if (k == WB_ENOMEM) return k;
        if (k == 0) rc = intern(db, db->scratch.data, &r.pkg_key);
    }
    if (rc == 0) rc = push(db, WBI_SEC_AFF, &r, sizeof r);
    return rc;
}

static int adv_add(wb_advisory_sink *self, const wb_advisory *a)
{
    wb_vulndb *db = (wb_vulndb *)((char *)self - offsetof(wb_vulndb, adv_sink));
    if (db->frozen) return WB_EINVAL;
    if (a->id == NULL || *a->id == '\0') return 0; /* nothing to merge or report it by */
    size_t nadv = sec_count(db, WBI_SEC_ADV, sizeof(wbi_adv));
    if (nadv >= UINT32_MAX) return fail(db, WB_ELIMIT);
    wbi_adv r = {.published = a->published, .modified = a->modified};
    int rc = intern(db, a->id, &r.id);
    if (rc == 0) rc = intern(db, a->doc_id, &r.doc_id);
    if (rc == 0) rc = intern(db, a->source, &r.source);
    if (rc == 0) rc = intern(db, a->source_kind, &r.kind);
    if (rc == 0) rc = intern(db, a->title, &r.title);
    if (rc == 0) rc = intern(db, a->url, &r.url);
    if (rc == 0) rc = intern(db, a->severity, &r.severity);
    if (rc == 0) rc = add_u32_list(db, a->aliases, a->naliases, &r.aliases, &r.naliases);
    r.cvss = (uint32_t)sec_count(db, WBI_SEC_CVSS, sizeof(wbi_cvss));
    for (size_t i = 0; rc == 0 && i < a->ncvss; i++) {
        const wb_cvss *c = &a->cvss[i];
        if (!(c->score >= 0.0 && c->score <= 10.0)) continue;
        if (c->version != 20 && c->version != 30 && c->version != 31 && c->version != 40) continue;
        wbi_cvss cr = {.version = c->version, .score = c->score};
        rc = intern(db, c->vector, &cr.vector);
        if (rc == 0) rc = push(db, WBI_SEC_CVSS, &cr, sizeof cr);
        if (rc == 0) r.ncvss++;
    }
    r.aff = (uint32_t)sec_count(db, WBI_SEC_AFF, sizeof(wbi_aff));
    for (size_t i = 0; rc == 0 && i < a->naffected; i++) {
        rc = add_affected(db, (uint32_t)nadv, &a->affected[i]);
        if (rc == WB_EINVAL) { /* a status this version does not know: skip the entry */
            rc = 0;
            continue;
        }
        if (rc == 0) r.naff++;
    }
    r.rem = (uint32_t)sec_count(db, WBI_SEC_REM, sizeof(wbi_rem));
    for (size_t i = 0; rc == 0 && i < a->nremediations; i++) {
        const wb_remediation *m = &a->remediations[i];
        wbi_rem mr = {0};
        rc = intern(db, m->category, &mr.category);
        if (rc == 0) rc = intern(db, m->details, &mr.details);
        if (rc == 0) rc = intern(db, m->url, &mr.url);
        if (rc == 0) rc = add_u32_list(db, m->product_ids, m->nproduct_ids, &mr.pids, &mr.npids);
        if (rc == 0) rc = push(db, WBI_SEC_REM, &mr, sizeof mr);
        if (rc == 0) r.nrem++;
    }
    if (rc == 0) rc = push(db, WBI_SEC_ADV, &r, sizeof r);
    return fail(db, rc);
}

static int kev_add(wb_kev_sink *self, const wb_kev *k)
{
    wb_vulndb *db = (wb_vulndb *)((char *)self - offsetof(wb_vulndb, kev_sink));
    if (db->frozen) return WB_EINVAL;
    if (k->cve == NULL || *k->cve == '\0') return 0;
    wbi_kev r = {.added = k->date_added, .due = k->due_date, .ransomware = k->ransomware};
    r.hash = wb_hash64(k->cve, strlen(k->cve), WBI_HASH_SEED);
    int rc = intern(db, k->cve, &r.cve);
    if (rc == 0) rc = intern(db, k->vendor, &r.vendor);
    if (rc == 0) rc = intern(db, k->product, &r.product);
    if (rc == 0) rc = intern(db, k->name, &r.name);
    if (rc == 0) rc = push(db, WBI_SEC_KEV, &r, sizeof r);
    return fail(db, rc);
}

static int epss_add(wb_epss_sink *self, const wb_epss *e)
{
    wb_vulndb *db = (wb_vulndb *)((char *)self - offsetof(wb_vulndb, epss_sink));
    if (db->frozen) return WB_EINVAL;
    if (e->cve == NULL || *e->cve == '\0') return 0;
    if (!(e->score >= 0.0 && e->score <= 1.0 && e->percentile >= 0.0 && e->percentile <= 1.0))
        return 0;
    wbi_epss r = {.score = e->score, .percentile = e->percentile};
    r.hash = wb_hash64(e->cve, strlen(e->cve), WBI_HASH_SEED);
    int rc = intern(db, e->cve, &r.cve);
    if (rc == 0) rc = push(db, WBI_SEC_EPSS, &r, sizeof r);
    return fail(db, rc);
}

static int vex_add(wb_vex_sink *self, const wb_vex *v)
{
    wb_vulndb *db = (wb_vulndb *)((char *)self - offsetof(wb_vulndb, vex_sink));
    if (db->frozen) return WB_EINVAL;
    if (v->vuln == NULL || *v->vuln == '\0' || (unsigned)v->status > WB_VEX_UNDER_INVESTIGATION)
        return 0;
    wbi_vex r = {.status = (uint32_t)v->status};
    r.hash = wb_hash64(v->vuln, strlen(v->vuln), WBI_HASH_SEED);
    int rc = intern(db, v->vuln, &r.vuln);
    if (rc == 0) rc = intern(db, v->purl, &r.purl);
    if (rc == 0) rc = intern(db, v->cpe, &r.cpe);
    if (rc == 0) rc = intern(db, v->product, &r.product);
    if (rc == 0) rc = intern(db, v->version, &r.version);
    if (rc == 0) rc = intern(db, v->justification, &r.justification);
    if (rc == 0) rc = intern(db, v->detail, &r.detail);
    if (rc == 0) rc = intern(db, v->source, &r.source);
    if (rc == 0) rc = intern(db, v->vendor, &r.vendor);
    if (rc == 0) rc = intern(db, v->range, &r.range);
    if (rc == 0 && v->purl) {
        int k = wbi_purl_key(v->purl, &db->scratch, NULL, &db->scratch2);
        if (k == WB_ENOMEM) rc = k;
        if (k == 0) {
            rc = intern(db, db->scratch.data, &r.purl_key);
            if (rc == 0 && db->scratch2.len) rc = intern(db, db->scratch2.data, &r.purl_version);
        }
    }
    if (rc == 0) rc = push(db, WBI_SEC_VEX, &r, sizeof r);
    return fail(db, rc);
}

int wb_vulndb_new(wb_vulndb **out)
{
    *out = NULL;
    wb_vulndb *db = calloc(1, sizeof *db);
    if (db == NULL) return WB_ENOMEM;
    /* Offset 0 is "absent": the table starts with a NUL no string uses. */
    if (wb_buf_putc(&db->sec[WBI_SEC_STR], '\0') != 0) {
        free(db);
        return WB_ENOMEM;
    }
    db->adv_sink.add = adv_add;
    db->kev_sink.add = kev_add;
    db->epss_sink.add = epss_add;
    db->vex_sink.add = vex_add;
    *out = db;
    return 0;
}

wb_advisory_sink *wb_vulndb_advisory_sink(wb_vulndb *db)
{
    return &db->adv_sink;
}
wb_kev_sink *wb_vulndb_kev_sink(wb_vulndb *db)
{
    return &db->kev_sink;
}
wb_epss_sink *wb_vulndb_epss_sink(wb_vulndb *db)
{
    return &db->epss_sink;
}
wb_vex_sink *wb_vulndb_vex_sink(wb_vulndb *db)
{
    return &db->vex_sink;
}

const wbi_view *wbi_vulndb_view(const wb_vulndb *db)
{
    return db && db->frozen ? &db->view : NULL;
}

/* ---- alias merging ------------------------------------------------------------------ */

static int u32map_init(u32map *m, size_t n)
{
    size_t cap = 64;
    while (cap < n * 2)
        cap *= 2;
    m->key = calloc(cap, sizeof *m->key);
    m->val = calloc(cap, sizeof *m->val);
    m->cap = cap;
    m->n = 0;
    return m->key && m->val ? 0 : WB_ENOMEM;
}

static void u32map_free(u32map *m)
{
    free(m->key);
    free(m->val);
}

/* The slot of key, claimed with val when new (the map is sized for every key
 * up front, so it never fills). */
static uint32_t *u32map_slot(u32map *m, uint32_t key, uint32_t val)
{
    size_t j = (size_t)wb_hash_u64(key) & (m->cap - 1);
    while (m->key[j] && m->key[j] != key)
        j = (j + 1) & (m->cap - 1);
    if (!m->key[j]) {
        m->key[j] = key;
        m->val[j] = val;
        m->n++;
    }
    return &m->val[j];
}

static uint32_t uf_find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]]; /* path halving keeps trees flat */
        x = parent[x];
    }
    return x;
}

static void uf_union(uint32_t *parent, uint32_t a, uint32_t b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    /* The smaller node (first seen) stays root, so vulnerabilities come out in
     * the order their first id was met: deterministic across runs. */
    if (a < b)
        parent[b] = a;
    else if (b < a)
        parent[a] = b;
}

static int cmp_stroff(const void *a, const void *b, void *str)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return strcmp((const char *)str + x, (const char *)str + y);
}

static bool is_cve(const char *s)
{
    return strncmp(s, "CVE-", 4) == 0;
}

static int cmp_key(const void *a, const void *b)
{
    const wbi_vuln_key *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return x->aff < y->aff ? -1 : x->aff > y->aff;
}

/* Records sorted by hash keep their insertion order among equal hashes (so
 * that the last KEV/EPSS record of a CVE wins): qsort is not stable, so the
 * order is made explicit. */
typedef struct hashed {
    uint64_t hash;
    size_t idx;
} hashed;

static int cmp_hashed(const void *a, const void *b)
{
    const hashed *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int sort_by_hash(wb_buf *sec, size_t elsize)
{
    size_t n = sec->len / elsize;
    if (n < 2) return 0;
    hashed *h = malloc(n * sizeof *h);
    char *copy = malloc(sec->len);
    if (!h || !copy) {
        free(h);
        free(copy);
        return WB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(&h[i].hash, sec->data + i * elsize, sizeof h[i].hash);
        h[i].idx = i;
    }
    qsort(h, n, sizeof *h, cmp_hashed);
    memcpy(copy, sec->data, sec->len);
    for (size_t i = 0; i < n; i++)
        memcpy(sec->data + i * elsize, copy + h[i].idx * elsize, elsize);
    free(h);
    free(copy);
    return 0;
}

static int merge_aliases(wb_vulndb *db)
{
    size_t nadv = sec_count(db, WBI_SEC_ADV, sizeof(wbi_adv));
    wbi_adv *adv = (wbi_adv *)db->sec[WBI_SEC_ADV].data;
    const uint32_t *u32 = (const uint32_t *)db->sec[WBI_SEC_U32].data;
    size_t nids = 0;
    for (size_t i = 0; i < nadv; i++)
        nids += 1 + adv[i].naliases;
    u32map map = {0};
    uint32_t *parent = NULL, *idoff = NULL, *vuln_of = NULL, *count = NULL, *start = NULL;
    uint32_t *members = NULL;
    int rc = u32map_init(&map, nids + 1);
    if (rc == 0) {
        parent = malloc((nids + 1) * sizeof *parent);
        idoff = malloc((nids + 1) * sizeof *idoff);
        vuln_of = malloc((nids + 1) * sizeof *vuln_of);
        if (!parent || !idoff || !vuln_of) rc = WB_ENOMEM;
    }
    uint32_t nodes = 0;
    for (size_t i = 0; rc == 0 && i < nadv; i++) {
        uint32_t *slot = u32map_slot(&map, adv[i].id, nodes);
        if (*slot == nodes) {
            parent[nodes] = nodes;
            idoff[nodes++] = adv[i].id;
        }
        uint32_t me = *slot;
        for (uint32_t k = 0; k < adv[i].naliases; k++) {
            uint32_t a = u32[adv[i].aliases + k];
            uint32_t *s2 = u32map_slot(&map, a, nodes);
            if (*s2 == nodes) {
                parent[nodes] = nodes;
                idoff[nodes++] = a;
            }
            uf_union(parent, me, *s2);
        }
    }
    /* Number the classes in order of their roots, collect their members. */
    uint32_t nv = 0;
    for (uint32_t x = 0; rc == 0 && x < nodes; x++)
        vuln_of[x] = uf_find(parent, x) == x ? nv++ : UINT32_MAX;
    if (rc == 0) {
        count = calloc(nv + 1, sizeof *count);
        start = calloc(nv + 1, sizeof *start);
        members = malloc((nodes + 1) * sizeof *members);
        if (!count || !start || !members) rc = WB_ENOMEM;
    }
    for (uint32_t x = 0; rc == 0 && x < nodes; x++)
        count[vuln_of[uf_find(parent, x)]]++;
    for (uint32_t v = 1; rc == 0 && v < nv; v++)
        start[v] = start[v - 1] + count[v - 1];
    if (rc == 0) memset(count, 0, (nv + 1) * sizeof *count);
    for (uint32_t x = 0; rc == 0 && x < nodes; x++) {
        uint32_t v = vuln_of[uf_find(parent, x)];
        members[start[v] + count[v]++] = idoff[x];
    }
    char *strtab = db->sec[WBI_SEC_STR].data;
    size_t ulist = sec_count(db, WBI_SEC_U32, sizeof(uint32_t));
    for (uint32_t v = 0; rc == 0 && v < nv; v++) {
        uint32_t *m = members + start[v];
        qsort_r(m, count[v], sizeof *m, cmp_stroff, strtab);
        wbi_vuln r = {.ids = (uint32_t)ulist, .nids = count[v], .published = WB_TIME_NONE};
        if (ulist + count[v] > UINT32_MAX) rc = WB_ELIMIT;
        for (uint32_t k = 0; rc == 0 && k < count[v]; k++) {
            if (!r.cve && is_cve(strtab + m[k])) r.cve = m[k];
            rc = push(db, WBI_SEC_U32, &m[k], sizeof m[k]);
        }
        ulist += count[v];
        r.id = r.cve ? r.cve : m[0];
        if (rc == 0) rc = push(db, WBI_SEC_VULN, &r, sizeof r);
    }
    /* push may have moved the sections: take the pointers again. */
    adv = (wbi_adv *)db->sec[WBI_SEC_ADV].data;
    wbi_vuln *vul = (wbi_vuln *)db->sec[WBI_SEC_VULN].data;
    const wbi_cvss *cv = (const wbi_cvss *)db->sec[WBI_SEC_CVSS].data;
    for (size_t i = 0; rc == 0 && i < nadv; i++) {
        uint32_t v = vuln_of[uf_find(parent, *u32map_slot(&map, adv[i].id, 0))];
        adv[i].vuln = v;
        wbi_vuln *r = &vul[v];
        if (!r->title) r->title = adv[i].title;
        /* The sources' own rating words, the gravest of them: only used
         * when no source gives a CVSS score. */
        if (adv[i].severity && wb_severity_from_word(strtab + adv[i].severity) >
                                   wb_severity_from_word(r->severity ? strtab + r->severity : NULL))
            r->severity = adv[i].severity;
        if (adv[i].published != WB_TIME_NONE &&
            (r->published == WB_TIME_NONE || adv[i].published < r->published))
            r->published = adv[i].published;
        /* The newest CVSS version any source gives; among sources of that
         * version, the highest score (the cautious reading). */
        for (uint32_t k = 0; k < adv[i].ncvss; k++) {
            const wbi_cvss *c = &cv[adv[i].cvss + k];
            if (c->version > r->cvss_version ||
                (c->version == r->cvss_version && c->score > r->score)) {
                r->cvss_version = c->version;
                r->score = c->score;
                r->vector = c->vector;
            }
        }
    }
    u32map_free(&map);
    free(parent);
    free(idoff);
    free(vuln_of);
    free(count);
    free(start);
    free(members);
    return rc;
}

static int build_index(wb_vulndb *db, int sec, size_t field_off)
{
    size_t naff = sec_count(db, WBI_SEC_AFF, sizeof(wbi_aff));
    const char *str = db->sec[WBI_SEC_STR].data;
    for (size_t i = 0; i < naff; i++) {
        const wbi_aff *a = (const wbi_aff *)(db->sec[WBI_SEC_AFF].data + i * sizeof(wbi_aff));
        uint32_t key;
        memcpy(&key, (const char *)a + field_off, sizeof key);
        if (!key) continue;
        wbi_vuln_key k = {.key = key, .aff = (uint32_t)i};
        k.hash = wb_hash64(str + key, strlen(str + key), WBI_HASH_SEED);
        int rc = push(db, sec, &k, sizeof k);
        if (rc != 0) return rc;
    }
    size_t n = sec_count(db, sec, sizeof(wbi_vuln_key));
    if (n > 1) qsort(db->sec[sec].data, n, sizeof(wbi_vuln_key), cmp_key);
    return 0;
}

static size_t elsize_of(int sec)
{
    static const size_t sizes[WBI_SEC_COUNT] = {
        [WBI_SEC_STR] = 1,
        [WBI_SEC_U32] = sizeof(uint32_t),
        [WBI_SEC_VULN] = sizeof(wbi_vuln),
        [WBI_SEC_ADV] = sizeof(wbi_adv),
        [WBI_SEC_CVSS] = sizeof(wbi_cvss),
        [WBI_SEC_AFF] = sizeof(wbi_aff),
        [WBI_SEC_REM] = sizeof(wbi_rem),
        [WBI_SEC_IPURL] = sizeof(wbi_vuln_key),
        [WBI_SEC_ICPE] = sizeof(wbi_vuln_key),
        [WBI_SEC_INAME] = sizeof(wbi_vuln_key),
        [WBI_SEC_KEV] = sizeof(wbi_kev),
        [WBI_SEC_EPSS] = sizeof(wbi_epss),
        [WBI_SEC_VEX] = sizeof(wbi_vex),
        [WBI_SEC_IPKG] = sizeof(wbi_vuln_key),
    };
    return sizes[sec];
}

static int validate(const char *name, const char *img, size_t size, wbi_view *v, wb_error *err);

static void free_building(wb_vulndb *db)
{
    for (int s = 0; s < WBI_SEC_COUNT; s++)
        wb_buf_free(&db->sec[s]);
    free(db->strings.hash);
    free(db->strings.off);
    memset(&db->strings, 0, sizeof db->strings);
    wb_buf_free(&db->scratch);
    wb_buf_free(&db->scratch2);
    wb_buf_free(&db->scratch3);
}

int wb_vulndb_build(wb_vulndb *db, wb_error *err)
{
    if (db->frozen) return wb_error_set(err, WB_EINVAL, "vulnerability database: already built");
    if (db->failed)
        return wb_error_set(err, db->fail_code,
                            db->fail_code == WB_ELIMIT
                                ? "vulnerability database: more than 4 GiB of strings or 2^32 "
                                  "records"
                                : "vulnerability database: out of memory");
    int rc = merge_aliases(db);
    if (rc == 0) rc = build_index(db, WBI_SEC_IPURL, offsetof(wbi_aff, purl_key));
    if (rc == 0) rc = build_index(db, WBI_SEC_ICPE, offsetof(wbi_aff, cpe_key));
    if (rc == 0) rc = build_index(db, WBI_SEC_INAME, offsetof(wbi_aff, name_key));
    if (rc == 0) rc = build_index(db, WBI_SEC_IPKG, offsetof(wbi_aff, pkg_key));
    if (rc == 0) rc = sort_by_hash(&db->sec[WBI_SEC_KEV], sizeof(wbi_kev));
    if (rc == 0) rc = sort_by_hash(&db->sec[WBI_SEC_EPSS], sizeof(wbi_epss));
    if (rc == 0) rc = sort_by_hash(&db->sec[WBI_SEC_VEX], sizeof(wbi_vex));
    if (rc != 0)
        return wb_error_set(err, rc, "vulnerability database: %s",
                            rc == WB_ELIMIT ? "more than 2^32 records" : "out of memory");
    /* Assemble the image: the header, then each section 8-byte aligned. */
    wbi_hdr h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, WBI_VDB_MAGIC, 8);
    h.version = WBI_VDB_VERSION;
    h.endian = WBI_VDB_ENDIAN;
    h.nsec = WBI_SEC_COUNT;
    uint64_t off = sizeof h;
    for (int s = 0; s < WBI_SEC_COUNT; s++) {
        off = (off + 7) & ~(uint64_t)7;
        h.sec[s].off = off;
        h.sec[s].count = db->sec[s].len / elsize_of(s);
        off += db->sec[s].len;
    }
    h.size = (off + 7) & ~(uint64_t)7;
    if (h.size > MAX_IMAGE || h.size > SIZE_MAX)
        return wb_error_set(err, WB_ELIMIT, "vulnerability database: image larger than 8 GiB");
    char *img = calloc(1, (size_t)h.size);
    if (img == NULL) return wb_error_set(err, WB_ENOMEM, "vulnerability database: out of memory");
    memcpy(img, &h, sizeof h);
    for (int s = 0; s < WBI_SEC_COUNT; s++)
        if (db->sec[s].len) memcpy(img + h.sec[s].off, db->sec[s].data, db->sec[s].len);
    size_t bad_purls = db->bad_purls, bad_cpes = db->bad_cpes;
    free_building(db);
    db->bad_purls = bad_purls;
    db->bad_cpes = bad_cpes;
    db->image = img;
    db->size = (size_t)h.size;
    /* What we built must pass the loader's checks: a cheap guard against a
     * writer and a reader that disagree. */
    rc = validate("vulnerability database", img, db->size, &db->view, err);
    if (rc != 0) return wb_error_set(err, WB_EINTERNAL, "%s (a bug)", err ? err->msg : "");
    db->frozen = true;
    return 0;
}

/* ---- loading and checking an image ------------------------------------------------------ */

static bool time_ok(int64_t t)
{
    /* 0000-01-01 .. 9999-12-31, or absent */
    return t == WB_TIME_NONE || (t >= -62167219200LL * 1000000 && t <= 253402300799LL * 1000000);
}

static bool score_ok(double s)
{
    return s >= 0.0 && s <= 10.0;
}

static bool unit_ok(double s)
{
    return s >= 0.0 && s <= 1.0;
}

#define BAD(...) (wb_error_set(err, WB_EPARSE, __VA_ARGS__))

static int validate(const char *name, const char *img, size_t size, wbi_view *v, wb_error *err)
{
    wbi_hdr h;
    if (size < sizeof h || memcmp(img, WBI_VDB_MAGIC, 8) != 0)
        return wb_error_set(err, WB_EFORMAT, "%s: not a weerbaar vulnerability index", name);
    memcpy(&h, img, sizeof h);
    if (h.endian != WBI_VDB_ENDIAN)
        return wb_error_set(err, WB_EFORMAT, "%s: index written on a host of other byte order",
                            name);
    if (h.version != WBI_VDB_VERSION)
        return wb_error_set(err, WB_EFORMAT,
                            "%s: index format version %u, this weerbaar reads version %u "
                            "(rebuild it with weerbaar vuln index)",
                            name, h.version, WBI_VDB_VERSION);
    if (h.nsec != WBI_SEC_COUNT)
        return BAD("%s: header: %u sections, want %d", name, h.nsec, WBI_SEC_COUNT);
    if (h.size != size)
        return BAD("%s: header: size %llu but the file has %zu bytes", name,
                   (unsigned long long)h.size, size);
    const void *base[WBI_SEC_COUNT];
    size_t cnt[WBI_SEC_COUNT];
    for (int s = 0; s < WBI_SEC_COUNT; s++) {
        uint64_t off = h.sec[s].off, n = h.sec[s].count, es = elsize_of(s);
        if (off % 8 != 0 || off < sizeof h || off > size || n > (size - off) / es)
            return BAD("%s: header: section %d (offset %llu, %llu records) out of bounds", name, s,
                       (unsigned long long)off, (unsigned long long)n);
        base[s] = img + off;
        cnt[s] = (size_t)n;
    }
    memset(v, 0, sizeof *v);
    v->str = base[WBI_SEC_STR];
    v->nstr = cnt[WBI_SEC_STR];
    if (v->nstr == 0 || v->str[0] != '\0' || v->str[v->nstr - 1] != '\0')
        return BAD("%s: string table does not start and end with NUL", name);
    if (v->nstr > UINT32_MAX) return BAD("%s: string table larger than 4 GiB", name);
#define SET(field, sec, type)                                                                      \
    do {                                                                                           \
        v->field = (const type *)base[sec];                                                        \
        v->n##field = cnt[sec];                                                                    \
    } while (0)
    SET(u32, WBI_SEC_U32, uint32_t);
    SET(vuln, WBI_SEC_VULN, wbi_vuln);
    SET(adv, WBI_SEC_ADV, wbi_adv);
    SET(cvss, WBI_SEC_CVSS, wbi_cvss);
    SET(aff, WBI_SEC_AFF, wbi_aff);
    SET(rem, WBI_SEC_REM, wbi_rem);
    SET(ipurl, WBI_SEC_IPURL, wbi_vuln_key);
    SET(icpe, WBI_SEC_ICPE, wbi_vuln_key);
    SET(iname, WBI_SEC_INAME, wbi_vuln_key);
    SET(ipkg, WBI_SEC_IPKG, wbi_vuln_key);
    SET(kev, WBI_SEC_KEV, wbi_kev);
    SET(epss, WBI_SEC_EPSS, wbi_epss);
    SET(vex, WBI_SEC_VEX, wbi_vex);
#undef SET
    v->bytes = size;
    size_t ns = v->nstr;
#define S(x) ((x) < ns)
#define L(off, n, total) ((off) <= (total) && (n) <= (total) - (off))
    /* Every list element is a string offset. */
    for (size_t i = 0; i < v->nu32; i++)
        if (!S(v->u32[i]) || v->u32[i] == 0) return BAD("%s: list entry %zu: bad string", name, i);
    for (size_t i = 0; i < v->nvuln; i++) {
        const wbi_vuln *r = &v->vuln[i];
        if (!r->id || !S(r->id) || !S(r->cve) || !S(r->title) || !S(r->vector) || !S(r->severity) ||
            !L(r->ids, r->nids, v->nu32) || r->nids == 0 ||
            (r->cvss_version != 0 && r->cvss_version != 20 && r->cvss_version != 30 &&
             r->cvss_version != 31 && r->cvss_version != 40) ||
            !score_ok(r->score) || !time_ok(r->published))
            return BAD("%s: vulnerability record %zu out of bounds", name, i);
    }
    for (size_t i = 0; i < v->nadv; i++) {
        const wbi_adv *r = &v->adv[i];
        if (r->vuln >= v->nvuln || !r->id || !S(r->id) || !S(r->doc_id) || !S(r->source) ||
            !S(r->kind) || !S(r->title) || !S(r->url) || !S(r->severity) ||
            !L(r->aliases, r->naliases, v->nu32) || !L(r->cvss, r->ncvss, v->ncvss) ||
            !L(r->aff, r->naff, v->naff) || !L(r->rem, r->nrem, v->nrem) ||
            !time_ok(r->published) || !time_ok(r->modified))
            return BAD("%s: advisory record %zu out of bounds", name, i);
    }
    for (size_t i = 0; i < v->ncvss; i++) {
        const wbi_cvss *r = &v->cvss[i];
        if (!S(r->vector) || !score_ok(r->score) ||
            (r->version != 20 && r->version != 30 && r->version != 31 && r->version != 40))
            return BAD("%s: CVSS record %zu out of bounds", name, i);
    }
    for (size_t i = 0; i < v->naff; i++) {
        const wbi_aff *r = &v->aff[i];
        if (r->adv >= v->nadv || r->status > WB_AFF_UNKNOWN || !S(r->purl) || !S(r->cpe) ||
            !S(r->vendor) || !S(r->product) || !S(r->version) || !S(r->range) || !S(r->scheme) ||
            !S(r->fixed) || !S(r->product_id) || !S(r->purl_key) || !S(r->distro) ||
            !S(r->cpe_key) || !S(r->name_key) || !S(r->platform) || !S(r->pkg_key))
            return BAD("%s: affected record %zu out of bounds", name, i);
    }
    for (size_t i = 0; i < v->nrem; i++) {
        const wbi_rem *r = &v->rem[i];
        if (!S(r->category) || !S(r->details) || !S(r->url) || !L(r->pids, r->npids, v->nu32))
            return BAD("%s: remediation record %zu out of bounds", name, i);
    }
    const wbi_vuln_key *idx[4] = {v->ipurl, v->icpe, v->iname, v->ipkg};
    size_t nidx[4] = {v->nipurl, v->nicpe, v->niname, v->nipkg};
    for (int k = 0; k < 4; k++)
        for (size_t i = 0; i < nidx[k]; i++) {
            const wbi_vuln_key *r = &idx[k][i];
            if (!r->key || !S(r->key) || r->aff >= v->naff ||
                (i > 0 && idx[k][i - 1].hash > r->hash))
                return BAD("%s: index %d record %zu out of bounds or order", name, k, i);
        }
    for (size_t i = 0; i < v->nkev; i++) {
        const wbi_kev *r = &v->kev[i];
        if (!r->cve || !S(r->cve) || !S(r->vendor) || !S(r->product) || !S(r->name) ||
            r->ransomware > 1 || !time_ok(r->added) || !time_ok(r->due) ||
            (i > 0 && v->kev[i - 1].hash > r->hash))
            return BAD("%s: KEV record %zu out of bounds or order", name, i);
    }
    for (size_t i = 0; i < v->nepss; i++) {
        const wbi_epss *r = &v->epss[i];
        if (!r->cve || !S(r->cve) || !unit_ok(r->score) || !unit_ok(r->percentile) ||
            (i > 0 && v->epss[i - 1].hash > r->hash))
            return BAD("%s: EPSS record %zu out of bounds or order", name, i);
    }
    for (size_t i = 0; i < v->nvex; i++) {
        const wbi_vex *r = &v->vex[i];
        if (!r->vuln || !S(r->vuln) || !S(r->purl) || !S(r->cpe) || !S(r->product) ||
            !S(r->version) || r->status > WB_VEX_UNDER_INVESTIGATION || !S(r->justification) ||
            !S(r->detail) || !S(r->source) || !S(r->purl_key) || !S(r->purl_version) ||
            !S(r->vendor) || !S(r->range) || (i > 0 && v->vex[i - 1].hash > r->hash))
            return BAD("%s: VEX record %zu out of bounds or order", name, i);
    }
#undef S
#undef L
    return 0;
}

int wb_vulndb_open_mem(wb_vulndb **out, const char *name, const void *data, size_t len,
                       wb_error *err)
{
    *out = NULL;
    if (len > MAX_IMAGE) return wb_error_set(err, WB_ELIMIT, "%s: index larger than 8 GiB", name);
    wb_vulndb *db = calloc(1, sizeof *db);
    /* malloc's alignment (at least 8) is what the records need. */
    char *img = malloc(len ? len : 1);
    if (!db || !img) {
        free(db);
        free(img);
        return wb_error_set(err, WB_ENOMEM, "%s: out of memory", name);
    }
    if (len) memcpy(img, data, len);
    int rc = validate(name, img, len, &db->view, err);
    if (rc != 0) {
        free(img);
        free(db);
        return rc;
    }
    db->image = img;
    db->size = len;
    db->frozen = true;
    *out = db;
    return 0;
}

int wb_vulndb_open(wb_vulndb **out, const char *path, wb_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return wb_error_set(err, errno == ENOENT ? WB_ENOTFOUND : WB_EIO, "%s: %s", path,
                            strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return wb_error_set(err, WB_EIO, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > MAX_IMAGE) {
        close(fd);
        return wb_error_set(err, WB_ELIMIT, "%s: index larger than 8 GiB", path);
    }
    size_t len = (size_t)st.st_size;
    /* Mapped, not read: a scan touches a small part of a 100 MB index (the
     * records validate() checks and the strings of the entries it looks
     * at), and reading it all into fresh memory cost more than the matching
     * (0.2 s of system time on the benchmark). MAP_PRIVATE + PROT_READ: the
     * image is never written. `vuln index` writes a new file and renames it
     * over the old one, so a mapped index is not truncated under a running
     * scan. mmap failing (some file systems) falls back to read(). */
    char *img = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    bool mapped = img != MAP_FAILED;
    if (!mapped) {
        img = malloc(len ? len : 1);
        if (img == NULL) {
            close(fd);
            return wb_error_set(err, WB_ENOMEM, "%s: out of memory", path);
        }
        size_t got = 0;
        while (got < len) {
            ssize_t r = read(fd, img + got, len - got);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            got += (size_t)r;
        }
        if (got != len) {
            close(fd);
            free(img);
            return wb_error_set(err, WB_EIO, "%s: short read", path);
        }
    }
    close(fd);
    wb_vulndb *db = calloc(1, sizeof *db);
    int rc = db ? validate(path, img, len, &db->view, err)
                : wb_error_set(err, WB_ENOMEM, "%s: out of memory", path);
    if (rc != 0) {
        if (mapped)
            munmap(img, len);
        else
            free(img);
        free(db);
        return rc;
    }
    db->image = img;
    db->size = len;
    db->mapped = mapped;
    db->frozen = true;
    *out = db;
    return 0;
}

bool wb_vulndb_is_index(const char *path)
{
    char m[8];
    FILE *f = fopen(path, "rb");
    if (f == NULL) return false;
    bool yes = fread(m, 1, 8, f) == 8 && memcmp(m, WBI_VDB_MAGIC, 8) == 0;
    fclose(f);
    return yes;
}

int wb_vulndb_save(const wb_vulndb *db, const char *path, wb_error *err)
{
    if (!db->frozen) return wb_error_set(err, WB_EINVAL, "%s: the database is not built yet", path);
    wb_buf tmp = {0};
    if (wb_buf_printf(&tmp, "%s.tmp", path) != 0)
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    FILE *f = fopen(tmp.data, "wb");
    if (f == NULL) {
        int rc = wb_error_set(err, WB_EIO, "%s: %s", tmp.data, strerror(errno));
        wb_buf_free(&tmp);
        return rc;
    }
    bool ok = fwrite(db->image, 1, db->size, f) == db->size;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp.data, path) != 0) {
        int rc = wb_error_set(err, WB_EIO, "%s: cannot write: %s", path, strerror(errno));
        remove(tmp.data);
        wb_buf_free(&tmp);
        return rc;
    }
    wb_buf_free(&tmp);
    return 0;
}

/* ---- copying a frozen database into a builder ------------------------------------------ */

int wb_vulndb_copy_into(const wb_vulndb *from, wb_vulndb *to, wb_error *err)
{
    const wbi_view *v = wbi_vulndb_view(from);
    if (v == NULL || to->frozen)
        return wb_error_set(err, WB_EINVAL, "copy: source not built or target already built");
    wb_buf ptrs = {0}; /* const char * arrays for aliases and product ids */
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < v->nadv; i++) {
        const wbi_adv *a = &v->adv[i];
        size_t np = a->naliases;
        for (uint32_t k = 0; k < a->nrem; k++)
            np += v->rem[a->rem + k].npids;
        wb_buf_reset(&ptrs);
        if (wb_buf_reserve(&ptrs, (np + 1) * sizeof(const char *)) != 0) {
            rc = WB_ENOMEM;
            break;
        }
        const char **pp = (const char **)(void *)ptrs.data;
        size_t used = 0;
        wb_cvss *cv = calloc(a->ncvss + 1, sizeof *cv);
        wb_affected *af = calloc(a->naff + 1, sizeof *af);
        wb_remediation *rm = calloc(a->nrem + 1, sizeof *rm);
        if (!cv || !af || !rm) rc = WB_ENOMEM;
        wb_advisory adv = {
            .id = wbi_vuln_str(v, a->id),
            .doc_id = wbi_vuln_str(v, a->doc_id),
            .source = wbi_vuln_str(v, a->source),
            .source_kind = wbi_vuln_str(v, a->kind),
            .title = wbi_vuln_str(v, a->title),
            .url = wbi_vuln_str(v, a->url),
            .severity = wbi_vuln_str(v, a->severity),
            .published = a->published,
            .modified = a->modified,
        };
        if (rc == 0) {
            adv.aliases = pp + used;
            adv.naliases = a->naliases;
            for (uint32_t k = 0; k < a->naliases; k++)
                pp[used++] = wbi_vuln_str(v, v->u32[a->aliases + k]);
            for (uint32_t k = 0; k < a->ncvss; k++) {
                const wbi_cvss *c = &v->cvss[a->cvss + k];
                cv[k] = (wb_cvss){(uint8_t)c->version, c->score, wbi_vuln_str(v, c->vector)};
            }
            adv.cvss = cv;
            adv.ncvss = a->ncvss;
            for (uint32_t k = 0; k < a->naff; k++) {
                const wbi_aff *f = &v->aff[a->aff + k];
                af[k] = (wb_affected){
                    .status = (wb_aff_status)f->status,
                    .purl = wbi_vuln_str(v, f->purl),
                    .cpe = wbi_vuln_str(v, f->cpe),
                    .vendor = wbi_vuln_str(v, f->vendor),
                    .product = wbi_vuln_str(v, f->product),
                    .version = wbi_vuln_str(v, f->version),
                    .range = wbi_vuln_str(v, f->range),
                    .scheme = wbi_vuln_str(v, f->scheme),
                    .fixed = wbi_vuln_str(v, f->fixed),
                    .product_id = wbi_vuln_str(v, f->product_id),
                    .platform = wbi_vuln_str(v, f->platform),
                };
            }
            adv.affected = af;
            adv.naffected = a->naff;
            for (uint32_t k = 0; k < a->nrem; k++) {
                const wbi_rem *m = &v->rem[a->rem + k];
                rm[k] = (wb_remediation){
                    .category = wbi_vuln_str(v, m->category),
                    .details = wbi_vuln_str(v, m->details),
                    .url = wbi_vuln_str(v, m->url),
                    .product_ids = pp + used,
                    .nproduct_ids = m->npids,
                };
                for (uint32_t j = 0; j < m->npids; j++)
                    pp[used++] = wbi_vuln_str(v, v->u32[m->pids + j]);
            }
            adv.remediations = rm;
            adv.nremediations = a->nrem;
            rc = to->adv_sink.add(&to->adv_sink, &adv);
        }
        free(cv);
        free(af);
        free(rm);
    }
    wb_buf_free(&ptrs);
    for (size_t i = 0; rc == 0 && i < v->nkev; i++) {
        const wbi_kev *k = &v->kev[i];
        wb_kev r = {wbi_vuln_str(v, k->cve),
                    k->added,
                    k->due,
                    k->ransomware != 0,
                    wbi_vuln_str(v, k->vendor),
                    wbi_vuln_str(v, k->product),
                    wbi_vuln_str(v, k->name)};
        rc = to->kev_sink.add(&to->kev_sink, &r);
    }
    for (size_t i = 0; rc == 0 && i < v->nepss; i++) {
        wb_epss r = {wbi_vuln_str(v, v->epss[i].cve), v->epss[i].score, v->epss[i].percentile};
        rc = to->epss_sink.add(&to->epss_sink, &r);
    }
    for (size_t i = 0; rc == 0 && i < v->nvex; i++) {
        const wbi_vex *x = &v->vex[i];
        wb_vex r = {
            .vuln = wbi_vuln_str(v, x->vuln),
            .purl = wbi_vuln_str(v, x->purl),
            .cpe = wbi_vuln_str(v, x->cpe),
            .product = wbi_vuln_str(v, x->product),
            .version = wbi_vuln_str(v, x->version),
            .status = (wb_vex_status)x->status,
            .justification = wbi_vuln_str(v, x->justification),
            .detail = wbi_vuln_str(v, x->detail),
            .source = wbi_vuln_str(v, x->source),
            .vendor = wbi_vuln_str(v, x->vendor),
            .range = wbi_vuln_str(v, x->range),
        };
        rc = to->vex_sink.add(&to->vex_sink, &r);
    }
    if (rc != 0)
        return wb_error_set(err, rc, "copying the index: %s",
                            rc == WB_ELIMIT ? "too many records" : "out of memory");
    return 0;
}

void wb_vulndb_stats_get(const wb_vulndb *db, wb_vulndb_stats *st)
{
    memset(st, 0, sizeof *st);
    st->bad_purls = db->bad_purls;
    st->bad_cpes = db->bad_cpes;
    if (!db->frozen) {
        st->advisories = sec_count(db, WBI_SEC_ADV, sizeof(wbi_adv));
        st->affected = sec_count(db, WBI_SEC_AFF, sizeof(wbi_aff));
        return;
    }
    const wbi_view *v = &db->view;
    st->advisories = v->nadv;
    st->vulns = v->nvuln;
    st->affected = v->naff;
    st->remediations = v->nrem;
    st->kev = v->nkev;
    st->epss = v->nepss;
    st->vex = v->nvex;
    st->bytes = v->bytes;
    for (size_t i = 0; i < v->naff; i++) {
        const char *k = wbi_vuln_str(v, v->aff[i].purl_key);
        const char *sc = wbi_vuln_str(v, v->aff[i].scheme);
        if ((k && strncmp(k, "pkg:deb/", 8) == 0) || (sc && strcmp(sc, "deb") == 0)) st->deb++;
    }
}

void wb_vulndb_free(wb_vulndb *db)
{
    if (db == NULL) return;
    free_building(db);
    if (db->mapped)
        munmap(db->image, db->size);
    else
        free(db->image);
    free(db);
}
