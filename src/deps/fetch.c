/*
 * fetch.c - `deps fetch`: the RIRs' delegated-extended statistics files
 * into a data directory, with conditional requests (the ETag and
 * Last-Modified of the previous download, kept in NAME.meta) and the MD5
 * the registries publish next to each file (NAME.md5) checked before the
 * new file replaces the old one (written to NAME.part, then renamed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "core/core_internal.h"
#include "deps/deps_internal.h"
#include "weerbaar/http.h"
#include "weerbaar/io.h"

#define MAX_FILE ((size_t)1 << 30)

const char *const wb_deps_rir_urls[5] = {
    "https://ftp.ripe.net/pub/stats/ripencc/delegated-ripencc-extended-latest",
    "https://ftp.arin.net/pub/stats/arin/delegated-arin-extended-latest",
    "https://ftp.apnic.net/stats/apnic/delegated-apnic-extended-latest",
    "https://ftp.lacnic.net/pub/stats/lacnic/delegated-lacnic-extended-latest",
    "https://ftp.afrinic.net/pub/stats/afrinic/delegated-afrinic-extended-latest",
};

typedef struct dl {
    wb_buf body;
    char etag[256], lastmod[128];
    const wb_deps_fetch_opts *o; /* progress; NULL: none */
    const char *url;
} dl;

static void header_value(const char *p, size_t n, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    if (n <= nl || !wb_strn_ieq(p, nl, name)) return;
    p += nl;
    n -= nl;
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' '))
        n--;
    if (n >= cap) return;
    memcpy(out, p, n);
    out[n] = '\0';
}

static void on_header(void *ud, const char *p, size_t n)
{
    dl *d = ud;
    header_value(p, n, "etag:", d->etag, sizeof d->etag);
    header_value(p, n, "last-modified:", d->lastmod, sizeof d->lastmod);
}

static void on_progress(void *ud, uint64_t now, uint64_t total)
{
    dl *d = ud;
    d->o->progress(d->o->ud, d->url, now, total);
}

/* GET url; *status the HTTP status. 0, or WB_EIO or WB_ELIMIT with a message
 * naming the URL. */
static int get(const char *url, const char *etag, const char *lastmod, dl *d, long *status,
               wb_error *err)
{
    const char *h[2];
    size_t nh = 0;
    char inm[400], ims[400];
    if (etag && *etag) {
        snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
        h[nh++] = inm;
    }
    if (lastmod && *lastmod) {
        snprintf(ims, sizeof ims, "If-Modified-Since: %s", lastmod);
        h[nh++] = ims;
    }
    wb_http_opts o = {.protocols = "http,https,ftp",
                      .connect_timeout_s = 30,
                      .timeout_s = 900,
                      .max_redirects = 5};
    wb_http_req r = {.url = url,
                     .headers = h,
                     .nheaders = nh,
                     .max_body = MAX_FILE,
                     .out = &d->body,
                     .on_header = on_header,
                     .on_progress = d->o && d->o->progress ? on_progress : NULL,
                     .ud = d};
    return wb_http_request(&o, &r, status, err);
}

static void read_meta(const char *path, char *etag, size_t ecap, char *lm, size_t lcap)
{
    etag[0] = lm[0] = '\0';
    char *data = NULL;
    size_t len;
    if (wb_read_file(path, 1 << 16, &data, &len, NULL) != 0) return;
    char *p = data;
    while (p && *p) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        header_value(p, n, "etag:", etag, ecap);
        header_value(p, n, "last-modified:", lm, lcap);
        p = nl ? nl + 1 : NULL;
    }
    free(data);
}

static int write_file(const char *path, const char *data, size_t len, wb_error *err)
{
    FILE *f = fopen(path, "wb");
    if (!f) return wb_error_set(err, WB_EIO, "%s: %s", path, strerror(errno));
    bool ok = len == 0 || fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    return ok ? 0 : wb_error_set(err, WB_EIO, "%s: write failed", path);
}

/* The first run of 32 hex digits in text (the .md5 files differ in layout:
 * "MD5 (file) = hex" or "hex  file"). */
static bool find_md5(const char *s, size_t n, char out[33])
{
    for (size_t i = 0; i + 32 <= n; i++) {
        size_t k = 0;
        while (k < 32 && strchr("0123456789abcdefABCDEF", s[i + k]) && s[i + k])
            k++;
        if (k == 32 &&
            (i + 32 == n || !strchr("0123456789abcdefABCDEF", s[i + 32]) || !s[i + 32])) {
            for (k = 0; k < 32; k++)
                out[k] = wb_lower(s[i + k]);
            out[32] = '\0';
            return true;
        }
        while (i < n && strchr("0123456789abcdefABCDEF", s[i]) && s[i])
            i++;
    }
    return false;
}

static int fetch_one(const char *dir, const char *url, const wb_deps_fetch_opts *o,
                     wb_deps_fetch_result *res, wb_error *err)
{
    const char *slash = strrchr(url, '/');
    const char *name = slash ? slash + 1 : url;
    if (!*name || strlen(name) >= sizeof res->name || strchr(name, '?') || name[0] == '.')
        return wb_error_set(err, WB_EINVAL, "%s: no file name at the end of the URL", url);
    snprintf(res->name, sizeof res->name, "%s", name);
    char path[4200], meta[4300], part[4300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(meta, sizeof meta, "%s.meta", path);
    snprintf(part, sizeof part, "%s.part", path);
    char etag[256], lm[128];
    struct stat st;
    if (stat(path, &st) == 0)
        read_meta(meta, etag, sizeof etag, lm, sizeof lm);
    else
        etag[0] = lm[0] = '\0';
    dl d = {.o = o, .url = url};
    long status = 0;
    int rc = get(url, etag, lm, &d, &status, err);
    if (rc == 0 && status == 304) {
        res->status = 1;
        wb_buf_free(&d.body);
        return 0;
    }
    if (rc == 0 && status != 200)
        rc = wb_error_set(err, WB_EIO, "%s: HTTP status %ld", url, status);
    if (rc == 0) {
        /* the published checksum, when there is one */
        char murl[2100];
        snprintf(murl, sizeof murl, "%s.md5", url);
        dl m = {0};
        long ms = 0;
        wb_error merr = {0};
        char want[33], got[33];
        if (get(murl, NULL, NULL, &m, &ms, &merr) == 0 && ms == 200 &&
            find_md5(m.body.data ? m.body.data : "", m.body.len, want)) {
            wbi_core_md5_hex(d.body.data ? d.body.data : "", d.body.len, got);
            if (strcmp(want, got) != 0)
                rc = wb_error_set(err, WB_EIO,
                                  "%s: MD5 %s, but %s.md5 says %s; the old file is kept", url, got,
                                  url, want);
            else
                res->md5_checked = true;
        }
        wb_buf_free(&m.body);
    }
    if (rc == 0) rc = write_file(part, d.body.data ? d.body.data : "", d.body.len, err);
    if (rc == 0 && rename(part, path) != 0)
        rc = wb_error_set(err, WB_EIO, "%s: %s", path, strerror(errno));
    if (rc == 0) {
        wb_buf mb = {0};
        if (wb_buf_printf(&mb, "etag: %s\nlast-modified: %s\n", d.etag, d.lastmod) == 0)
            rc = write_file(meta, mb.data, mb.len, err);
        wb_buf_free(&mb);
        res->bytes = d.body.len;
        res->status = 0;
    }
    if (rc) {
        remove(part);
        res->status = rc;
    }
    wb_buf_free(&d.body);
    return rc;
}

int wb_deps_fetch(const char *dir, const char *const *urls, size_t nurls,
                  const wb_deps_fetch_opts *o, wb_deps_fetch_result *results, wb_error *err)
{
    if (!urls) {
        urls = wb_deps_rir_urls;
        nurls = 5;
    }
    /* mkdir -p */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0755);
            *p = '/';
        }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        return wb_error_set(err, WB_EIO, "%s: %s", dir, strerror(errno));
    int first = 0;
    for (size_t i = 0; i < nurls; i++) {
        wb_deps_fetch_result r = {0};
        wb_error e = {0};
        int rc = fetch_one(dir, urls[i], o, &r, &e);
        if (results) results[i] = r;
        if (rc && !first) {
            first = rc;
            *err = e;
        }
    }
    return first;
}
