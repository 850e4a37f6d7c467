/*
 * fetch_parse.c - the readers of fetch_internal.h: provider-metadata.json,
 * ROLIE feeds, changes.csv and index.txt listings, checksum files, armoured
 * OpenPGP keys, and the mapping of a document URL to a local path. Pure
 * functions over memory; src/vuln/fetch.c does the downloading.
 *
 * Everything here reads bytes a remote server chose, so every size is
 * bounded, every URL is checked before it leaves this file, and a local path
 * is built only from a whitelist of characters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "vuln/fetch_internal.h"

/* ---- URLs -------------------------------------------------------------------------------- */

int wbi_fetch_url_ok(const char *url)
{
    if (url == NULL) return WB_EINVAL;
    size_t n = strlen(url), skip;
    if (n > WBI_FETCH_MAX_URL) return WB_EINVAL;
    if (strncmp(url, "https://", 8) == 0)
        skip = 8;
    else if (strncmp(url, "http://", 7) == 0)
        skip = 7;
    else
        return WB_EINVAL;
    if (n == skip || url[skip] == '/') return WB_EINVAL; /* no host */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '"' || c == '<' || c == '>')
            return WB_EINVAL;
    }
    return 0;
}

/* The URL's directory: everything up to and including its last '/' after
 * the host (the URL itself plus '/' when its path is empty). */
static char *url_dir(wb_arena *a, const char *url)
{
    const char *host = strstr(url, "://");
    host = host ? host + 3 : url;
    const char *slash = strchr(host, '/');
    if (slash == NULL) {
        size_t n = strlen(url);
        char *s = wb_arena_alloc(a, n + 2);
        if (s) memcpy(s, url, n), s[n] = '/', s[n + 1] = '\0';
        return s;
    }
    const char *last = strrchr(slash, '/');
    return wb_arena_strndup(a, url, (size_t)(last - url) + 1);
}

/* ---- provider metadata ------------------------------------------------------------------- */

static int jfail(wb_error *err, const char *name, const char *path, const char *why)
{
    return wb_error_set(err, WB_EPARSE, "%s: %s: %s", name, path, why);
}

static const char *jdup(wb_arena *a, const json_t *v)
{
    return json_is_string(v) ? wb_arena_strndup(a, json_string_value(v), json_string_length(v))
                             : NULL;
}

/* A fingerprint with spaces removed and letters upper-cased; NULL when it is
 * not 40 (v4) or 64 (v5) hex digits. */
static const char *fingerprint(wb_arena *a, const char *s)
{
    char buf[80];
    size_t n = 0;
    for (; *s; s++) {
        if (*s == ' ') continue;
        char c = *s >= 'a' && *s <= 'f' ? (char)(*s - 32) : *s;
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')) || n >= 64) return NULL;
        buf[n++] = c;
    }
    if (n != 40 && n != 64) return NULL;
    return wb_arena_strndup(a, buf, n);
}

/* A copy of a URL field without its trailing slashes; NULL with an error
 * when it is not a safe http(s) URL. */
static const char *url_field(wbi_provider_meta *m, const json_t *v, const char *name,
                             const char *path, wb_error *err)
{
    if (!json_is_string(v)) {
        jfail(err, name, path, "expected a URL string");
        return NULL;
    }
    const char *u = json_string_value(v);
    size_t n = strlen(u);
    while (n > 0 && u[n - 1] == '/')
        n--;
    char *c = wb_arena_strndup(&m->arena, u, n);
    if (c == NULL) {
        wb_error_set(err, WB_ENOMEM, "%s: out of memory", name);
        return NULL;
    }
    if (wbi_fetch_url_ok(c) != 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "'%.100s' is not an http(s) URL", u);
        jfail(err, name, path, msg);
        return NULL;
    }
    return c;
}

static int meta_keys(wbi_provider_meta *m, const json_t *keys, const char *name, wb_error *err)
{
    if (keys == NULL) return 0;
    if (!json_is_array(keys)) return jfail(err, name, "$.public_openpgp_keys", "expected an array");
    size_t n = json_array_size(keys);
    if (n > WBI_FETCH_MAX_KEYS)
        return wb_error_set(err, WB_ELIMIT, "%s: more than %d OpenPGP keys", name,
                            WBI_FETCH_MAX_KEYS);
    m->keys = wb_arena_alloc(&m->arena, (n ? n : 1) * sizeof *m->keys);
    if (m->keys == NULL) return wb_error_set(err, WB_ENOMEM, "%s: out of memory", name);
    for (size_t i = 0; i < n; i++) {
        char path[96];
        const json_t *k = json_array_get(keys, i);
        snprintf(path, sizeof path, "$.public_openpgp_keys[%zu]", i);
        if (!json_is_object(k)) return jfail(err, name, path, "expected an object");
        const json_t *fp = json_object_get(k, "fingerprint"), *url = json_object_get(k, "url");
        wbi_pm_key *key = &m->keys[m->nkeys];
        key->fingerprint =
            json_is_string(fp) ? fingerprint(&m->arena, json_string_value(fp)) : NULL;
        if (key->fingerprint == NULL) {
            /* CSAF makes the fingerprint optional, but a key we cannot tie to
             * a fingerprint proves nothing: it is left out. */
            if (fp == NULL) continue;
            return jfail(err, name, path, "fingerprint is not 40 or 64 hex digits");
        }
        key->url = NULL;
        if (url) {
            char up[128];
            snprintf(up, sizeof up, "%s.url", path);
            if ((key->url = url_field(m, url, name, up, err)) == NULL) return err->code;
        }
        m->nkeys++;
    }
    return 0;
}

static int meta_dists(wbi_provider_meta *m, const json_t *dists, const char *name, wb_error *err)
{
    if (!json_is_array(dists) || json_array_size(dists) == 0)
        return jfail(err, name, "$.distributions", "expected a non-empty array");
    size_t n = json_array_size(dists), nfeeds = 0;
    if (n > WBI_FETCH_MAX_DISTS)
        return wb_error_set(err, WB_ELIMIT, "%s: more than %d distributions", name,
                            WBI_FETCH_MAX_DISTS);
    for (size_t i = 0; i < n; i++) {
        const json_t *r = json_object_get(json_array_get(dists, i), "rolie");
        const json_t *f = json_object_get(r, "feeds");
        if (json_is_array(f)) nfeeds += json_array_size(f);
    }
    if (nfeeds > WBI_FETCH_MAX_DISTS)
        return wb_error_set(err, WB_ELIMIT, "%s: more than %d ROLIE feeds", name,
                            WBI_FETCH_MAX_DISTS);
    m->dirs = wb_arena_alloc(&m->arena, n * sizeof *m->dirs);
    m->feeds = wb_arena_alloc(&m->arena, (nfeeds ? nfeeds : 1) * sizeof *m->feeds);
    if (m->dirs == NULL || m->feeds == NULL)
        return wb_error_set(err, WB_ENOMEM, "%s: out of memory", name);
    for (size_t i = 0; i < n; i++) {
        char path[128];
        const json_t *d = json_array_get(dists, i);
        snprintf(path, sizeof path, "$.distributions[%zu]", i);
        if (!json_is_object(d)) return jfail(err, name, path, "expected an object");
        const json_t *dir = json_object_get(d, "directory_url"),
                     *rolie = json_object_get(d, "rolie");
        if (dir == NULL && rolie == NULL)
            return jfail(err, name, path, "neither directory_url nor rolie");
        if (dir) {
            char p2[160];
            snprintf(p2, sizeof p2, "%s.directory_url", path);
            const char *u = url_field(m, dir, name, p2, err);
            if (u == NULL) return err->code;
            m->dirs[m->ndirs++] = u;
        }
        if (rolie == NULL) continue;
        const json_t *feeds = json_object_get(rolie, "feeds");
        if (!json_is_array(feeds)) {
            char p2[160];
            snprintf(p2, sizeof p2, "%s.rolie.feeds", path);
            return jfail(err, name, p2, "expected an array");
        }
        for (size_t j = 0; j < json_array_size(feeds); j++) {
            char p2[192];
            const json_t *f = json_array_get(feeds, j);
            snprintf(p2, sizeof p2, "%s.rolie.feeds[%zu].url", path, j);
            const char *u = url_field(m, json_object_get(f, "url"), name, p2, err);
            if (u == NULL) return err->code;
            m->feeds[m->nfeeds].url = u;
            m->feeds[m->nfeeds++].tlp = jdup(&m->arena, json_object_get(f, "tlp_label"));
        }
    }
    return 0;
}

int wbi_fetch_parse_metadata(const char *name, const char *data, size_t len, wbi_provider_meta *m,
                             wb_error *err)
{
    memset(m, 0, sizeof *m);
    wb_arena_init(&m->arena, 0);
    json_error_t je;
    json_t *root = json_loadb(data, len, 0, &je);
    if (root == NULL)
        return wb_error_set(err, WB_EPARSE, "%s:%d:%d: %s", name, je.line, je.column, je.text);
    int rc = 0;
    if (!json_is_object(root)) rc = jfail(err, name, "$", "expected the provider metadata object");
    if (rc == 0) {
        m->canonical_url = jdup(&m->arena, json_object_get(root, "canonical_url"));
        m->publisher = jdup(&m->arena, json_object_get(json_object_get(root, "publisher"), "name"));
        m->role = jdup(&m->arena, json_object_get(root, "role"));
        m->last_updated = jdup(&m->arena, json_object_get(root, "last_updated"));
        rc = meta_keys(m, json_object_get(root, "public_openpgp_keys"), name, err);
    }
    if (rc == 0) rc = meta_dists(m, json_object_get(root, "distributions"), name, err);
    json_decref(root);
    if (rc != 0) {
        wbi_provider_meta_free(m);
        wb_arena_init(&m->arena, 0);
    }
    return rc;
}

void wbi_provider_meta_free(wbi_provider_meta *m)
{
    if (m == NULL) return;
    wb_arena_free(&m->arena);
    memset(m, 0, sizeof *m);
}

/* ---- document lists ---------------------------------------------------------------------- */

static wbi_doc_ref *list_add(wbi_doc_list *l)
{
    if (l->n == l->cap) {
        if (l->n >= WBI_FETCH_MAX_DOCS) return NULL;
        size_t cap = l->cap ? l->cap * 2 : 64;
        wbi_doc_ref *v = realloc(l->v, cap * sizeof *v);
        if (v == NULL) return NULL;
        l->v = v;
        l->cap = cap;
    }
    wbi_doc_ref *r = &l->v[l->n++];
    memset(r, 0, sizeof *r);
    return r;
}

static int list_full(wbi_doc_list *l, const char *name, wb_error *err)
{
    if (l->n >= WBI_FETCH_MAX_DOCS)
        return wb_error_set(err, WB_ELIMIT, "%s: more than %d documents", name, WBI_FETCH_MAX_DOCS);
    return wb_error_set(err, WB_ENOMEM, "%s: out of memory", name);
}

void wbi_doc_list_free(wbi_doc_list *l)
{
    if (l == NULL) return;
    free(l->v);
    wb_arena_free(&l->arena);
    memset(l, 0, sizeof *l);
}

/* A URL from a feed: absolute, or relative to the feed's own URL (some
 * providers write relative hrefs). NULL when it is not safe. */
static const char *feed_url(wbi_doc_list *l, const char *base, const char *href)
{
    if (href == NULL) return NULL;
    if (strncmp(href, "http://", 7) == 0 || strncmp(href, "https://", 8) == 0)
        return wbi_fetch_url_ok(href) == 0 ? wb_arena_strdup(&l->arena, href) : NULL;
    if (base == NULL || href[0] == '\0' || href[0] == '/' || strstr(href, "..")) return NULL;
    char *dir = url_dir(&l->arena, base);
    if (dir == NULL) return NULL;
    size_t n = strlen(dir) + strlen(href) + 1;
    char *u = wb_arena_alloc(&l->arena, n);
    if (u == NULL) return NULL;
    snprintf(u, n, "%s%s", dir, href);
    return wbi_fetch_url_ok(u) == 0 ? u : NULL;
}

int wbi_fetch_parse_rolie(const char *name, const char *data, size_t len, wbi_doc_list *out,
                          wb_error *err)
{
    if (out->arena.chunk_size == 0) wb_arena_init(&out->arena, 0);
    json_error_t je;
    json_t *root = json_loadb(data, len, 0, &je);
    if (root == NULL)
        return wb_error_set(err, WB_EPARSE, "%s:%d:%d: %s", name, je.line, je.column, je.text);
    int rc = 0;
    const json_t *feed = json_object_get(root, "feed");
    const json_t *entries = json_object_get(feed, "entry");
    if (!json_is_object(feed))
        rc = jfail(err, name, "$.feed", "expected a ROLIE feed object");
    else if (entries == NULL)
        rc = 0; /* an empty feed: a provider with nothing published yet */
    else if (!json_is_array(entries))
        rc = jfail(err, name, "$.feed.entry", "expected an array");
    const char *self = NULL;
    const json_t *flinks = json_object_get(feed, "link");
    for (size_t i = 0; rc == 0 && i < json_array_size(flinks); i++) {
        const json_t *lk = json_array_get(flinks, i);
        const char *rel = json_string_value(json_object_get(lk, "rel"));
        if (rel && strcmp(rel, "self") == 0) self = json_string_value(json_object_get(lk, "href"));
    }
    if (self && wbi_fetch_url_ok(self) != 0) self = NULL;
    for (size_t i = 0; rc == 0 && i < json_array_size(entries); i++) {
        char path[96];
        const json_t *e = json_array_get(entries, i);
        snprintf(path, sizeof path, "$.feed.entry[%zu]", i);
        if (!json_is_object(e)) {
            rc = jfail(err, name, path, "expected an object");
            break;
        }
        wbi_doc_ref *r = list_add(out);
        if (r == NULL) {
            rc = list_full(out, name, err);
            break;
        }
        const json_t *links = json_object_get(e, "link");
        size_t nh = 0;
        for (size_t j = 0; j < json_array_size(links); j++) {
            const json_t *lk = json_array_get(links, j);
            const char *rel = json_string_value(json_object_get(lk, "rel"));
            const char *href = json_string_value(json_object_get(lk, "href"));
            if (rel == NULL || href == NULL) continue;
            const char *u = feed_url(out, self, href);
            if (strcmp(rel, "self") == 0 && r->url == NULL)
                r->url = u;
            else if (strcmp(rel, "hash") == 0 && nh < 2 && u)
                r->hash[nh++] = u;
            else if (strcmp(rel, "signature") == 0 && r->sig == NULL)
                r->sig = u;
        }
        if (r->url == NULL)
            r->url =
                feed_url(out, self,
                         json_string_value(json_object_get(json_object_get(e, "content"), "src")));
        if (r->url == NULL) {
            out->n--; /* a list holds only whole entries, even after an error */
            rc = jfail(err, name, path, "no http(s) link rel=\"self\" or content.src");
            break;
        }
        r->updated = jdup(&out->arena, json_object_get(e, "updated"));
    }
    json_decref(root);
    return rc;
}

/* A listed path: [A-Za-z0-9/._+~-] and '%', not absolute, without "." or
 * ".." segments. */
static bool listed_path_ok(const char *s, size_t n)
{
    if (n == 0 || n > 1024 || s[0] == '/') return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("/._+~-%", c)))
            return false;
    }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j] != '/')
            j++;
        if (j == i || (j - i == 1 && s[i] == '.') || (j - i == 2 && s[i] == '.' && s[i + 1] == '.'))
            return false;
        i = j + 1;
    }
    return true;
}

/* The next CSV field of s[*i..n): quoted ("" inside for a quote) or not.
 * Returns false when a quote is not closed. */
static bool csv_field(const char *s, size_t n, size_t *i, wb_buf *f)
{
    wb_buf_reset(f);
    wb_buf_puts(f, "");
    size_t k = *i;
    if (k < n && s[k] == '"') {
        for (k++;; k++) {
            if (k >= n) return false;
            if (s[k] == '"') {
                if (k + 1 < n && s[k + 1] == '"') {
                    wb_buf_putc(f, '"');
                    k++;
                    continue;
                }
                k++;
                break;
            }
            wb_buf_putc(f, s[k]);
        }
    } else {
        size_t j = k;
        while (j < n && s[j] != ',')
            j++;
        wb_buf_append(f, s + k, j - k);
        k = j;
    }
    if (k < n && s[k] == ',') k++;
    *i = k;
    return true;
}

int wbi_fetch_parse_listing(const char *name, const char *base_url, const char *data, size_t len,
                            bool csv, wbi_doc_list *out, wb_error *err)
{
    if (out->arena.chunk_size == 0) wb_arena_init(&out->arena, 0);
    if (wbi_fetch_url_ok(base_url) != 0)
        return wb_error_set(err, WB_EINVAL, "%s: base URL is not http(s)", name);
    size_t blen = strlen(base_url);
    while (blen > 0 && base_url[blen - 1] == '/')
        blen--;
    wb_buf path = {0}, time = {0};
    int rc = 0;
    size_t lineno = 0;
    for (size_t i = 0; rc == 0 && i < len;) {
        size_t j = i;
        while (j < len && data[j] != '\n')
            j++;
        const char *s = data + i;
        size_t n = j - i, k = 0;
        i = j + 1;
        lineno++;
        if (n > 0 && s[n - 1] == '\r') n--;
        if (n == 0) continue;
        if (csv) {
            if (!csv_field(s, n, &k, &path) || !csv_field(s, n, &k, &time)) {
                rc = wb_error_set(err, WB_EPARSE, "%s:%zu: a quote is not closed", name, lineno);
                break;
            }
        } else {
            wb_buf_reset(&path);
            wb_buf_append(&path, s, n);
        }
        if (path.data == NULL || (csv && time.data == NULL)) {
            rc = wb_error_set(err, WB_ENOMEM, "%s: out of memory", name);
            break;
        }
        const char *p = path.data;
        size_t pn = path.len;
        while (pn > 0 && (*p == ' ' || *p == '\t'))
            p++, pn--;
        while (pn > 0 && (p[pn - 1] == ' ' || p[pn - 1] == '\t'))
            pn--;
        if (pn == 0) continue;
        if (!listed_path_ok(p, pn)) {
            rc = wb_error_set(err, WB_EPARSE,
                              "%s:%zu: path '%.*s' is not a relative path inside "
                              "the directory",
                              name, lineno, (int)(pn > 200 ? 200 : pn), p);
            break;
        }
        wbi_doc_ref *r = list_add(out);
        size_t un = blen + 1 + pn + 1;
        char *u = r ? wb_arena_alloc(&out->arena, un) : NULL;
        if (u == NULL) {
            if (r) out->n--; /* a list holds only whole entries, even after an error */
            rc = list_full(out, name, err);
            break;
        }
        snprintf(u, un, "%.*s/%.*s", (int)blen, base_url, (int)pn, p);
        if (wbi_fetch_url_ok(u) != 0) {
            out->n--;
            rc = wb_error_set(err, WB_ELIMIT, "%s:%zu: URL too long", name, lineno);
            break;
        }
        r->url = u;
        if (csv && time.len > 0) r->updated = wb_arena_strndup(&out->arena, time.data, time.len);
    }
    wb_buf_free(&path);
    wb_buf_free(&time);
    return rc;
}

/* ---- checksums and keys ------------------------------------------------------------------ */

int wbi_fetch_parse_checksum(const char *data, size_t len, unsigned char out[64], unsigned *bits)
{
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    size_t j = i;
    while (j < len && ((data[j] >= '0' && data[j] <= '9') || (data[j] >= 'a' && data[j] <= 'f') ||
                       (data[j] >= 'A' && data[j] <= 'F')))
        j++;
    size_t n = j - i;
    if (n != 64 && n != 128) return WB_EPARSE;
    /* what follows the digest: nothing, or white space and a file name */
    if (j < len && data[j] != ' ' && data[j] != '\t' && data[j] != '\r' && data[j] != '\n')
        return WB_EPARSE;
    size_t got = 0;
    if (sodium_hex2bin(out, 64, data + i, n, NULL, &got, NULL) != 0 || got != n / 2)
        return WB_EPARSE;
    *bits = n == 64 ? 256 : 512;
    return 0;
}

int wbi_fetch_dearmor(const char *data, size_t len, wb_buf *out)
{
    static const char begin[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
    if (len > 0 && ((unsigned char)data[0] & 0x80)) /* binary packets already */
        return wb_buf_append(out, data, len) == 0 ? 0 : WB_ENOMEM;
    const char *b = len >= sizeof begin - 1 ? memmem(data, len, begin, sizeof begin - 1) : NULL;
    if (b == NULL) return WB_EPARSE;
    const char *end = data + len;
    const char *p = memchr(b, '\n', (size_t)(end - b));
    if (p == NULL) return WB_EPARSE;
    p++;
    /* armour headers ("Comment: ...") end at the first empty line */
    const char *q = p;
    bool headers = false;
    while (q < end) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        size_t ln = (size_t)((nl ? nl : end) - q);
        if (ln > 0 && q[ln - 1] == '\r') ln--;
        if (ln == 0) {
            headers = true;
            q = nl ? nl + 1 : end;
            break;
        }
        if (memchr(q, ':', ln) == NULL) break; /* no headers: the data starts here */
        q = nl ? nl + 1 : end;
    }
    if (headers) p = q;
    const char *stop = memmem(p, (size_t)(end - p), "-----END", 8);
    if (stop == NULL) return WB_EPARSE;
    /* the CRC line ("=XXXX") is the last before the end marker */
    const char *crc = stop;
    while (crc > p && (crc[-1] == '\n' || crc[-1] == '\r'))
        crc--;
    const char *ls = crc;
    while (ls > p && ls[-1] != '\n')
        ls--;
    if (ls < crc && ls[0] == '=') stop = ls;
    size_t b64 = (size_t)(stop - p);
    if (b64 == 0) return WB_EPARSE;
    if (wb_buf_reserve(out, b64) != 0) return WB_ENOMEM;
    size_t got = 0;
    if (sodium_base642bin((unsigned char *)out->data + out->len, out->cap - out->len, p, b64,
                          " \t\r\n", &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got == 0)
        return WB_EPARSE;
    out->len += got;
    out->data[out->len] = '\0';
    return 0;
}

/* ---- local paths ------------------------------------------------------------------------- */

static bool seg_ok(const char *s, size_t n)
{
    if (n == 0 || n > 255 || s[0] == '.') return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '+' || c == '~' || c == '-'))
            return false;
    }
    return true;
}

int wbi_fetch_local_path(const char *base, const char *url, wb_buf *out, wb_error *err)
{
    wb_buf_reset(out);
    size_t bl = strlen(base);
    const char *rest;
    if (wbi_fetch_url_ok(url) != 0)
        return wb_error_set(err, WB_EINVAL, "%.200s: not an http(s) URL", url);
    if (strncmp(url, base, bl) == 0 && bl > 0 && base[bl - 1] == '/') {
        rest = url + bl;
    } else {
        const char *host = strstr(url, "://") + 3;
        const char *slash = strchr(host, '/');
        if (slash == NULL) return wb_error_set(err, WB_EINVAL, "%.200s: no path", url);
        if (wb_buf_puts(out, "ext/") != 0) return WB_ENOMEM;
        for (const char *h = host; h < slash; h++)
            if (wb_buf_putc(out, *h == ':' ? '_' : *h) != 0) return WB_ENOMEM;
        if (!seg_ok(out->data + 4, out->len - 4))
            return wb_error_set(err, WB_EINVAL, "%.200s: host cannot name a folder", url);
        if (wb_buf_putc(out, '/') != 0) return WB_ENOMEM;
        rest = slash + 1;
    }
    size_t n = strlen(rest);
    if (n == 0 || strchr(rest, '?') || strchr(rest, '#'))
        return wb_error_set(err, WB_EINVAL, "%.200s: not a document file URL", url);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && rest[j] != '/')
            j++;
        if (!seg_ok(rest + i, j - i))
            return wb_error_set(err, WB_EINVAL,
                                "%.200s: '%.*s' cannot name a local file (letters, digits and "
                                "._+~- only)",
                                url, (int)(j - i > 80 ? 80 : j - i), rest + i);
        i = j + 1;
    }
    if (!wb_str_endswith(rest, ".json"))
        return wb_error_set(err, WB_EINVAL, "%.200s: a CSAF document name ends in .json", url);
    if (wb_buf_puts(out, rest) != 0) return wb_error_set(err, WB_ENOMEM, "out of memory");
    return 0;
}
