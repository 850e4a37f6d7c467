/*
 * fetch.c - indicators from where they live: `-i https://...` (see
 * intelfetch.h). A MISP feed (its manifest.json and one file per event), a
 * MISP restSearch, or a single MISP, STIX, Zeek Intel or CSV file, each
 * fetched over HTTP(S) and kept in a cache with its ETag, so a rerun asks
 * with If-None-Match and only what changed travels again.
 *
 * The cache holds one body and one validator file per URL, named by a hash
 * of the URL; a body is written to a temporary file and renamed, so a run
 * that is interrupted never leaves half a document behind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "weerbaar/http.h"
#include "weerbaar/intelfetch.h"

#define MAX_BODY ((size_t)512 << 20)
#define MAX_EVENTS 1000000

bool wb_intel_is_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* ---- the cache --------------------------------------------------------------- */

static int mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        int r = mkdir(path, 0700);
        *p = '/';
        if (r != 0 && errno != EEXIST) return -1;
    }
    return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static int cache_dir(const wb_fetch_opts *fo, wb_buf *dir, wb_error *err)
{
    wb_buf_reset(dir);
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int rc;
    if (fo->cache_dir)
        rc = wb_buf_puts(dir, fo->cache_dir);
    else if (xdg && *xdg)
        rc = wb_buf_printf(dir, "%s/weerbaar/intel", xdg);
    else if (home && *home)
        rc = wb_buf_printf(dir, "%s/.cache/weerbaar/intel", home);
    else
        return wb_error_set(err, WB_EINVAL, "no cache directory: set XDG_CACHE_HOME or HOME");
    if (rc) return wb_error_set(err, WB_ENOMEM, "out of memory");
    if (mkdirs(dir->data) != 0)
        return wb_error_set(err, WB_EIO, "%s: %s", dir->data, strerror(errno));
    return 0;
}

static int read_file(const char *path, wb_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return -1;
    wb_buf_reset(out);
    char tmp[65536];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(tmp, 1, sizeof tmp, f)) > 0)
        rc = wb_buf_append(out, tmp, n);
    if (ferror(f)) rc = -1;
    fclose(f);
    return rc;
}

static int write_file(const char *path, const char *data, size_t n)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) return -1;
    bool bad = fwrite(data, 1, n, f) != n;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* ---- HTTP ----------------------------------------------------------------------- */

typedef struct hdrs {
    char etag[512];
    const wb_fetch_opts *fo;
    const char *url;
} hdrs;

static void on_bytes(void *ud, uint64_t now, uint64_t total)
{
    const hdrs *h = ud;
    h->fo->progress(h->fo->progress_ud, h->url, now, total);
}

static void on_header(void *ud, const char *p, size_t len)
{
    hdrs *h = ud;
    if (len > 5 && strncasecmp(p, "etag:", 5) == 0) {
        size_t i = 5, e = len;
        while (i < e && (p[i] == ' ' || p[i] == '\t'))
            i++;
        while (e > i && (p[e - 1] == '\r' || p[e - 1] == '\n' || p[e - 1] == ' '))
            e--;
        if (e - i < sizeof h->etag) {
            memcpy(h->etag, p + i, e - i);
            h->etag[e - i] = '\0';
        }
    }
}

/* Fetches url into out, from the cache when the server says 304. A POST
 * body (restSearch) is never cached. ver, when not NULL, is the version the
 * caller knows the document has (a feed manifest's event timestamp): when
 * the cache holds that version, no request is made at all. */
static int fetch(const char *url, const char *post, const char *ver, const wb_fetch_opts *fo,
                 const char *dir, wb_buf *out, wb_fetch_stats *st, wb_error *err)
{
    char base[4096], bodyp[4200], tagp[4200], verp[4200];
    snprintf(base, sizeof base, "%s/%016llx%016llx", dir,
             (unsigned long long)wb_hash64(url, strlen(url), 0x1f2e3d4c),
             (unsigned long long)wb_hash64(url, strlen(url), 0x5a6b7c8d));
    snprintf(bodyp, sizeof bodyp, "%s.body", base);
    snprintf(tagp, sizeof tagp, "%s.etag", base);
    snprintf(verp, sizeof verp, "%s.version", base);
    wb_buf tag = {0};
    if (ver && post == NULL && read_file(verp, &tag) == 0 && tag.len == strlen(ver) &&
        memcmp(tag.data, ver, tag.len) == 0 && read_file(bodyp, out) == 0) {
        st->not_modified++;
        wb_buf_free(&tag);
        return 0;
    }
    wb_buf_reset(&tag);
    bool have = post == NULL && access(bodyp, R_OK) == 0 && read_file(tagp, &tag) == 0 &&
                tag.len > 0 && tag.len < 500;
    const char *hl[4];
    size_t nh = 0;
    char auth[700], inm[700];
    if (fo->key && *fo->key) {
        /* MISP takes the key as it is; a weerbaar hub's feeds take it so too. */
        snprintf(auth, sizeof auth, "Authorization: %s", fo->key);
        hl[nh++] = auth;
    }
    hl[nh++] = "Accept: application/json";
    if (post) hl[nh++] = "Content-Type: application/json";
    if (have) {
        snprintf(inm, sizeof inm, "If-None-Match: %.*s", (int)tag.len, tag.data);
        hl[nh++] = inm;
    }
    wb_buf_reset(out);
    hdrs hd = {.fo = fo, .url = url};
    wb_http_opts ho = {.timeout_s = fo->timeout_s > 0 ? fo->timeout_s : 300L,
                       .max_redirects = 5,
                       .compressed = true};
    wb_http_req r = {.url = url,
                     .headers = hl,
                     .nheaders = nh,
                     .body = post,
                     .body_len = post ? strlen(post) : 0,
                     .max_body = MAX_BODY,
                     .out = out,
                     .on_header = on_header,
                     .on_progress = fo->progress ? on_bytes : NULL,
                     .ud = &hd};
    long code = 0;
    int rc = wb_http_request(&ho, &r, &code, err);
    if (rc) {
        /* the error names the URL and why */
    } else if (code == 304 && have) {
        if (read_file(bodyp, out) != 0) {
            rc = wb_error_set(err, WB_EIO, "%s: %s", bodyp, strerror(errno));
        } else {
            st->not_modified++;
            if (ver) write_file(verp, ver, strlen(ver));
        }
    } else if (code < 200 || code > 299) {
        rc = wb_error_set(err, code == 404 ? WB_ENOTFOUND : WB_EIO, "%s: HTTP %ld", url, code);
    } else {
        st->fetched++;
        /* A cache that cannot be written only costs the next run a download. */
        unlink(verp);
        if (post == NULL && (hd.etag[0] || ver) &&
            write_file(bodyp, out->data ? out->data : "", out->len) == 0) {
            if (hd.etag[0])
                write_file(tagp, hd.etag, strlen(hd.etag));
            else
                unlink(tagp);
            if (ver) write_file(verp, ver, strlen(ver));
        } else if (post == NULL) {
            unlink(tagp);
        }
    }
    wb_buf_free(&tag);
    return rc;
}

/* ---- what the URL is ----------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* A MISP feed: the manifest's keys are the event uuids, each <uuid>.json. */
static int load_feed(const char *url, const wb_fetch_opts *fo, const wb_intel_opts *io,
                     const char *dir, wb_ioc_sink *sink, wb_fetch_stats *st, wb_error *err)
{
    size_t bl = strlen(url);
    if (ends_with(url, "manifest.json")) bl -= strlen("manifest.json");
    wb_buf base = {0}, u = {0}, body = {0};
    int rc = 0;
    if (wb_buf_append(&base, url, bl) ||
        (bl == 0 || url[bl - 1] != '/' ? wb_buf_putc(&base, '/') : 0))
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0 && wb_buf_printf(&u, "%smanifest.json", base.data) != 0)
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0) rc = fetch(u.data, NULL, NULL, fo, dir, &body, st, err);
    json_t *m = NULL;
    if (rc == 0) {
        json_error_t je;
        m = json_loadb(body.data ? body.data : "", body.len, 0, &je);
        if (!json_is_object(m) || json_object_size(m) > MAX_EVENTS)
            rc = wb_error_set(err, WB_EFORMAT, "%s: not a MISP feed manifest (%s)", u.data,
                              m ? "not an object of events" : je.text);
    }
    wb_intel_opts o = *io;
    o.format = WB_INTEL_MISP;
    const char *uuid;
    json_t *v;
    json_object_foreach(m, uuid, v)
    {
        if (rc) break;
        /* Only a uuid-shaped key becomes a file name: the manifest is input. */
        bool ok = strlen(uuid) <= 64 && *uuid;
        for (const char *p = uuid; ok && *p; p++)
            ok = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') ||
                 *p == '-';
        if (!ok) {
            rc = wb_error_set(err, WB_EFORMAT, "%s: manifest key '%.64s' is not an event uuid",
                              u.data, uuid);
            break;
        }
        wb_buf_reset(&u);
        if (wb_buf_printf(&u, "%s%s.json", base.data, uuid) != 0) {
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
            break;
        }
        /* MISP bumps an event's timestamp with every change, and a feed's
         * manifest lists it: an event whose timestamp is the cached one is
         * not asked for again (feeds without ETags, such as a weerbaar
         * hub's, then cost one manifest per run). */
        char ver[64], *vp = NULL;
        json_t *ts = json_object_get(v, "timestamp");
        if (json_is_integer(ts)) {
            snprintf(ver, sizeof ver, "%lld", (long long)json_integer_value(ts));
            vp = ver;
        } else if (json_is_string(ts) && strlen(json_string_value(ts)) < sizeof ver) {
            snprintf(ver, sizeof ver, "%s", json_string_value(ts));
            vp = ver;
        }
        rc = fetch(u.data, NULL, vp, fo, dir, &body, st, err);
        if (rc == 0)
            rc = wb_intel_load_buffer(u.data, body.data ? body.data : "", body.len, &o, sink, err);
        st->events++;
    }
    json_decref(m);
    wb_buf_free(&base);
    wb_buf_free(&u);
    wb_buf_free(&body);
    return rc;
}

int wb_intel_load_url(const char *url, const wb_fetch_opts *fo, const wb_intel_opts *io,
                      wb_ioc_sink *sink, wb_fetch_stats *st, wb_error *err)
{
    wb_buf dir = {0}, body = {0};
    int rc = cache_dir(fo, &dir, err);
    if (rc == 0) {
        if (ends_with(url, "/") || ends_with(url, "manifest.json")) {
            rc = load_feed(url, fo, io, dir.data, sink, st, err);
        } else if (strstr(url, "/restSearch")) {
            rc = fetch(url, "{\"returnFormat\":\"json\"}", NULL, fo, dir.data, &body, st, err);
            wb_intel_opts o = *io;
            o.format = WB_INTEL_MISP;
            if (rc == 0)
                rc = wb_intel_load_buffer(url, body.data ? body.data : "", body.len, &o, sink, err);
        } else {
            rc = fetch(url, NULL, NULL, fo, dir.data, &body, st, err);
            if (rc == 0)
                rc = wb_intel_load_buffer(url, body.data ? body.data : "", body.len, io, sink, err);
        }
    }
    wb_buf_free(&dir);
    wb_buf_free(&body);
    return rc;
}
