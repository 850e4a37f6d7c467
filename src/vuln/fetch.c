/*
 * fetch.c - `weerbaar vuln fetch` (vulnfetch.h): source names and the
 * directory, conditional, resumable, bounded downloads with the shared HTTP client (http.h), the
 * per-source state file, the OSV/KEV/EPSS files, and the listing of a
 * fetched directory that `vuln scan` reads. CSAF providers are mirrored in
 * fetch_csaf.c on top of the download engine here.
 *
 * The order of the checks matters: a file is written to a hidden ".part"
 * file, checked (its format, then the provider's checksum, then its
 * signature) and only then renamed over the copy a scan reads, so a scan
 * never sees a half-downloaded, tampered or unsigned-when-signing-is-required
 * file, and a refused update leaves the previous good copy in place.
 *
 * The parsers of what servers send are in fetch_parse.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "vuln/fetch_internal.h"
#include "core/zip.h"
#include "vuln/vulndata.h"
#include "weerbaar/http.h"
#include "weerbaar/io.h"
#include "weerbaar/vulnfetch.h"

extern char **environ;

/* Bounds per kind of file: far above the real ones (KEV ~1.5 MB, EPSS ~10 MB
 * compressed, the largest OSV all.zip ~1 GB, CSAF documents rarely 1 MB). */
#define MAX_KEV ((uint64_t)128 << 20)
#define MAX_EPSS ((uint64_t)256 << 20)
#define MAX_OSV ((uint64_t)8 << 30)
#define STATE_NAME ".fetch-state.json"

/* ---- sources and directories ------------------------------------------------------------- */

const char *wb_fetch_kind_name(wb_fetch_kind k)
{
    switch (k) {
    case WB_FETCH_CSAF:
        return "csaf";
    case WB_FETCH_OSV:
        return "osv";
    case WB_FETCH_KEV:
        return "kev";
    case WB_FETCH_EPSS:
        return "epss";
    }
    return "?";
}

static bool eco_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 100 || s[0] == '.') return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("._:+- ", c)))
            return false;
    }
    return true;
}

/* "host_port" of an http(s) URL, as a folder name. */
static int host_folder(const char *url, char *out, size_t cap)
{
    const char *h = strstr(url, "://");
    if (h == NULL) return WB_EINVAL;
    h += 3;
    size_t n = strcspn(h, "/?#");
    if (n == 0 || n >= cap || memchr(h, '@', n)) return WB_EINVAL;
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (c == ':') c = '_';
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_' || c == '[' || c == ']'))
            return WB_EINVAL;
        out[i] = c == '[' || c == ']' ? '_' : c;
    }
    out[n] = '\0';
    return out[0] == '.' ? WB_EINVAL : 0;
}

int wb_fetch_source_parse(const char *spec, wb_fetch_source *out, wb_error *err)
{
    memset(out, 0, sizeof *out);
    const char *colon = strchr(spec, ':');
    size_t kl = colon ? (size_t)(colon - spec) : strlen(spec);
    const char *arg = colon ? colon + 1 : NULL;
    if (kl == 4 && strncmp(spec, "csaf", 4) == 0) {
        out->kind = WB_FETCH_CSAF;
        char host[256], wk[600];
        /* a bare domain: its well-known metadata (CSAF 2.0 7.1.8) */
        if (arg && arg[0] && strstr(arg, "://") == NULL && strlen(arg) < 256 &&
            strcspn(arg, "/?#@") == strlen(arg)) {
            snprintf(wk, sizeof wk, "https://%s/.well-known/csaf/provider-metadata.json", arg);
            arg = wk;
        }
        if (arg == NULL || wbi_fetch_url_ok(arg) != 0 || strlen(arg) >= sizeof out->url ||
            host_folder(arg, host, sizeof host) != 0)
            return wb_error_set(err, WB_EINVAL,
                                "--source csaf:URL: give the http(s) URL of the provider's "
                                "provider-metadata.json, e.g. csaf:%s",
                                WB_FETCH_NCSC_CSAF);
        snprintf(out->url, sizeof out->url, "%s", arg);
        /* One provider per host is the rule (CSAF 2.0 7.1.8: the metadata at
         * /.well-known/csaf/); any other location gets a suffix from its URL,
         * so that two providers on one host keep apart. */
        const char *path = strchr(strstr(arg, "://") + 3, '/');
        if (path && strcmp(path, "/.well-known/csaf/provider-metadata.json") == 0) {
            snprintf(out->name, sizeof out->name, "csaf/%s", host);
        } else {
            unsigned char h[crypto_hash_sha256_BYTES];
            char hex[9];
            crypto_hash_sha256(h, (const unsigned char *)arg, strlen(arg));
            sodium_bin2hex(hex, sizeof hex, h, 4);
            snprintf(out->name, sizeof out->name, "csaf/%s_%s", host, hex);
        }
        return 0;
    }
    if (kl == 3 && strncmp(spec, "osv", 3) == 0) {
        out->kind = WB_FETCH_OSV;
        char eco[128];
        const char *eq = arg ? strchr(arg, '=') : NULL;
        size_t en = eq ? (size_t)(eq - arg) : arg ? strlen(arg) : 0;
        if (arg == NULL || en == 0 || en >= sizeof eco)
            return wb_error_set(err, WB_EINVAL,
                                "--source osv:ECOSYSTEM: name an OSV ecosystem (PyPI, npm, Go, "
                                "crates.io, Maven, Debian:12, ...)");
        memcpy(eco, arg, en);
        eco[en] = '\0';
        if (!eco_ok(eco))
            return wb_error_set(err, WB_EINVAL, "--source osv:%s: not an OSV ecosystem name", eco);
        if (eq) {
            if (wbi_fetch_url_ok(eq + 1) != 0 || strlen(eq + 1) >= sizeof out->url)
                return wb_error_set(err, WB_EINVAL,
                                    "--source osv:%s=URL: '%.200s' is not an "
                                    "http(s) URL",
                                    eco, eq + 1);
            snprintf(out->url, sizeof out->url, "%s", eq + 1);
        } else {
            wb_buf u = {0};
            wb_buf_printf(&u, "%s/", WB_FETCH_OSV_BASE);
            for (const char *p = eco; *p; p++)
                if (*p == ' ')
                    wb_buf_puts(&u, "%20");
                else
                    wb_buf_putc(&u, *p);
            wb_buf_puts(&u, "/all.zip");
            if (u.data == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
            snprintf(out->url, sizeof out->url, "%s", u.data);
            wb_buf_free(&u);
        }
        snprintf(out->name, sizeof out->name, "osv/%s", eco);
        for (char *p = out->name; *p; p++)
            if (*p == ' ') *p = '_';
        return 0;
    }
    bool kev = kl == 3 && strncmp(spec, "kev", 3) == 0;
    bool epss = kl == 4 && strncmp(spec, "epss", 4) == 0;
    if (kev || epss) {
        out->kind = kev ? WB_FETCH_KEV : WB_FETCH_EPSS;
        if (arg && (wbi_fetch_url_ok(arg) != 0 || strlen(arg) >= sizeof out->url))
            return wb_error_set(err, WB_EINVAL, "--source %s:URL: '%.200s' is not an http(s) URL",
                                kev ? "kev" : "epss", arg);
        snprintf(out->url, sizeof out->url, "%s",
                 arg   ? arg
                 : kev ? WB_FETCH_KEV_URL
                       : WB_FETCH_EPSS_URL);
        snprintf(out->name, sizeof out->name, "%s", kev ? "kev" : "epss");
        return 0;
    }
    return wb_error_set(err, WB_EINVAL,
                        "--source '%.200s': csaf:URL, osv:ECOSYSTEM[=URL], kev[:URL] or "
                        "epss[:URL]",
                        spec);
}

int wb_fetch_default_dir(wb_buf *out, wb_error *err)
{
    wb_buf_reset(out);
    const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    int rc;
    /* The XDG base directory spec: a relative XDG_DATA_HOME is invalid and
     * is ignored. */
    if (x && x[0] == '/')
        rc = wb_buf_printf(out, "%s/weerbaar/advisories", x);
    else if (home && home[0])
        rc = wb_buf_printf(out, "%s/.local/share/weerbaar/advisories", home);
    else
        return wb_error_set(err, WB_ENOTFOUND,
                            "neither XDG_DATA_HOME nor HOME is set: name the directory with --dir");
    return rc == 0 ? 0 : wb_error_set(err, WB_ENOMEM, "out of memory");
}

/* mkdir -p of path's parent directories (and of path itself when whole). */
static int mkdirs(const char *path, bool whole, wb_error *err)
{
    char buf[4600];
    size_t n = strlen(path);
    if (n >= sizeof buf) return wb_error_set(err, WB_ELIMIT, "%.200s: path too long", path);
    memcpy(buf, path, n + 1);
    if (!whole) {
        char *s = strrchr(buf, '/');
        if (s == NULL) return 0;
        *s = '\0';
    }
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return wb_error_set(err, WB_EIO, "%s: cannot create: %s", buf, strerror(errno));
            *p = c;
            if (c == '\0') break;
        }
    }
    return 0;
}

bool wbi_fetch_is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int wb_fetch_lock(const char *dir, int *fd, wb_error *err)
{
    *fd = -1;
    int rc = mkdirs(dir, true, err);
    if (rc != 0) return rc;
    char p[4600];
    snprintf(p, sizeof p, "%s/.fetch.lock", dir);
    int f = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (f < 0) return wb_error_set(err, WB_EIO, "%s: %s", p, strerror(errno));
    if (flock(f, LOCK_EX | LOCK_NB) != 0) {
        close(f);
        return wb_error_set(err, WB_EIO, "%s: another vuln fetch is running on this directory",
                            dir);
    }
    *fd = f;
    return 0;
}

void wb_fetch_unlock(int fd)
{
    if (fd >= 0) close(fd); /* closing drops the lock */
}

/* Writes data to path through a temporary sibling and a rename, so a reader
 * sees the old file or the new one, never a part. */
int wbi_fetch_write_atomic(const char *path, const void *data, size_t len, wb_error *err)
{
    char tmp[4700];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) return wb_error_set(err, WB_EIO, "%s: %s", tmp, strerror(errno));
    bool ok = fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return wb_error_set(err, WB_EIO, "%s: cannot write: %s", path, strerror(e));
    }
    return 0;
}

/* ---- state ------------------------------------------------------------------------------- */

static int state_load(wbi_fetch_state *s, const char *srcdir, const wb_fetch_source *src,
                      wb_error *err)
{
    snprintf(s->path, sizeof s->path, "%s/%s", srcdir, STATE_NAME);
    s->root = NULL;
    if (wbi_fetch_is_file(s->path)) {
        json_error_t je;
        s->root = json_load_file(s->path, 0, &je);
        if (s->root == NULL || !json_is_object(s->root)) {
            /* A damaged state file only costs a full download: start anew. */
            json_decref(s->root);
            s->root = NULL;
        }
    }
    if (s->root == NULL) s->root = json_object();
    if (s->root == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    s->files = json_object_get(s->root, "files");
    if (!json_is_object(s->files)) {
        s->files = json_object();
        if (s->files == NULL || json_object_set_new(s->root, "files", s->files) != 0)
            return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    if (src) {
        json_object_set_new(s->root, "kind", json_string(wb_fetch_kind_name(src->kind)));
        json_object_set_new(s->root, "url", json_string(src->url));
    }
    return 0;
}

json_t *wbi_fetch_state_file(wbi_fetch_state *s, const char *rel)
{
    json_t *e = json_object_get(s->files, rel);
    if (json_is_object(e)) return e;
    e = json_object();
    if (e && json_object_set_new(s->files, rel, e) != 0) return NULL;
    return e;
}

const char *wbi_fetch_jget(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

void wbi_fetch_jset(json_t *o, const char *k, const char *v)
{
    if (v && v[0])
        json_object_set_new(o, k, json_string(v));
    else
        json_object_del(o, k);
}

static int state_save(wbi_fetch_state *s, wb_error *err)
{
    char *text = json_dumps(s->root, JSON_INDENT(1) | JSON_SORT_KEYS);
    if (text == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    int rc = wbi_fetch_write_atomic(s->path, text, strlen(text), err);
    free(text);
    return rc;
}

static void state_free(wbi_fetch_state *s)
{
    json_decref(s->root);
    s->root = NULL;
}

/* ---- HTTP -------------------------------------------------------------------------------- */

void wbi_fetch_problem(wbi_fetcher *f, const wb_error *e)
{
    if (f->failed++ == 0) {
        f->first = *e;
        f->first_code = e->code ? e->code : WB_EIO;
    }
    f->st->failed++;
    if (f->o->problem) f->o->problem(f->o->ud, e);
}

void wbi_fetch_warn(wbi_fetcher *f, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (f->o->warn) f->o->warn(f->o->ud, msg);
}

typedef struct xfer {
    wbi_fetcher *f;
    const char *url;
    FILE *fp;    /* the .part file, or NULL */
    wb_buf *mem; /* or memory */
    uint64_t offset, got, max;
    bool decided, too_big, write_err, range_bad;
    char etag[256], lastmod[80], crange[80];
} xfer;

static void hdr_value(const char *p, size_t n, const char *name, char *out, size_t cap)
{
    size_t kl = strlen(name);
    if (n <= kl || !wb_strn_ieq(p, kl, name)) return;
    p += kl, n -= kl;
    while (n > 0 && (*p == ' ' || *p == '\t'))
        p++, n--;
    while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' '))
        n--;
    if (n >= cap) n = 0; /* an over-long validator is not kept */
    memcpy(out, p, n);
    out[n] = '\0';
}

static void on_header(void *ud, const char *p, size_t len)
{
    xfer *x = ud;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) /* a new response (after a redirect) */
        x->etag[0] = x->lastmod[0] = x->crange[0] = '\0';
    hdr_value(p, len, "ETag:", x->etag, sizeof x->etag);
    hdr_value(p, len, "Last-Modified:", x->lastmod, sizeof x->lastmod);
    hdr_value(p, len, "Content-Range:", x->crange, sizeof x->crange);
}

/* Nonzero stops the transfer (the flags say why). */
static int on_body(void *ud, const char *p, size_t len)
{
    xfer *x = ud;
    long code = 0;
    curl_easy_getinfo((CURL *)x->f->curl, CURLINFO_RESPONSE_CODE, &code);
    if (code != 200 && code != 206) return 0; /* an error page: not kept */
    if (!x->decided) {
        x->decided = true;
        if (x->fp && code == 200 && x->offset > 0) {
            /* the server sent the whole file: start the part file again */
            if (ftruncate(fileno(x->fp), 0) != 0 || fseek(x->fp, 0, SEEK_SET) != 0) {
                x->write_err = true;
                return -1;
            }
            x->offset = 0;
        }
        if (code == 206) {
            char want[40];
            snprintf(want, sizeof want, "bytes %llu-", (unsigned long long)x->offset);
            if (strncmp(x->crange, want, strlen(want)) != 0) {
                x->range_bad = true;
                return -1;
            }
        }
    }
    if (x->offset + x->got + len > x->max) {
        x->too_big = true;
        return -1;
    }
    if (x->fp ? fwrite(p, 1, len, x->fp) != len : wb_buf_append(x->mem, p, len) != 0) {
        x->write_err = true;
        return -1;
    }
    x->got += len;
    return 0;
}

static void on_progress(void *ud, uint64_t now, uint64_t total)
{
    xfer *x = ud;
    x->f->o->progress(x->f->o->ud, x->url, x->offset + now, total > 0 ? x->offset + total : 0);
}

static int fetcher_init(wbi_fetcher *f, const wb_fetch_opts *o, wb_fetch_stats *st, wb_error *err)
{
    memset(f, 0, sizeof *f);
    f->o = o;
    f->st = st;
    /* No total timeout (an all.zip of a gigabyte takes what it takes); a
     * stalled transfer fails instead. */
    wb_http_opts ho = {.connect_timeout_s = o->connect_timeout_s > 0 ? o->connect_timeout_s : 20L,
                       .stall_timeout_s = o->stall_timeout_s > 0 ? o->stall_timeout_s : 60L,
                       .max_redirects = 5};
    f->curl = wb_http_handle(&ho);
    if (f->curl == NULL) return wb_error_set(err, WB_ENOMEM, "cannot start an HTTP client");
    return 0;
}

static void fetcher_free(wbi_fetcher *f)
{
    wb_http_free(f->curl);
    f->curl = NULL;
}

/* One request. hdrs may be NULL. *code is the final HTTP status (0 when
 * none came). Errors name the URL. */
static int perform(wbi_fetcher *f, xfer *x, const char *const *hdrs, size_t nhdrs, long *code,
                   wb_error *err)
{
    wb_http_req r = {.url = x->url,
                     .headers = hdrs,
                     .nheaders = nhdrs,
                     .max_body = x->max,
                     .on_data = on_body,
                     .on_header = on_header,
                     .on_progress = f->o->progress ? on_progress : NULL,
                     .ud = x};
    int rc = wb_http_perform(f->curl, &r, code, NULL, err);
    f->st->requests++;
    f->st->bytes += x->got;
    if (*code == 304) f->st->not_modified++;
    if (x->too_big)
        return wb_error_set(err, WB_ELIMIT, "%s: larger than %llu bytes: refused", x->url,
                            (unsigned long long)x->max);
    if (x->write_err) return wb_error_set(err, WB_EIO, "%s: cannot store the download", x->url);
    if (x->range_bad)
        return wb_error_set(err, WB_EIO, "%s: the server resumed at the wrong place (%s)", x->url,
                            x->crange);
    return rc;
}

static int http_status_error(const char *url, long code, wb_error *err)
{
    return wb_error_set(err, code == 404 || code == 410 ? WB_ENOTFOUND : WB_EIO, "%s: HTTP %ld",
                        url, code);
}

/* A small file into memory (replaced), unconditionally. *code as perform. */
int wbi_fetch_get_mem(wbi_fetcher *f, const char *url, uint64_t max, wb_buf *out, long *code,
                      wb_error *err)
{
    wb_buf_reset(out);
    xfer x = {.f = f, .url = url, .mem = out, .max = max};
    int rc = perform(f, &x, NULL, 0, code, err);
    if (rc == 0 && *code != 200) rc = http_status_error(url, *code, err);
    if (rc == 0 && wb_buf_puts(out, "") != 0) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    return rc;
}

/* Downloads url to dest (a path), conditional on the validators in entry
 * (a state "files" object, updated), resuming a partial file when the
 * server supports it. *got is WBI_GOT_SAME on 304. *code is the HTTP status. */
int wbi_fetch_get_file(wbi_fetcher *f, const char *url, const char *dest, json_t *entry,
                       uint64_t max, wbi_fetch_check_fn check, void *cud, int *got, long *code,
                       wb_error *err)
{
    char tmp[4700];
    const char *slash = strrchr(dest, '/');
    size_t dl = slash ? (size_t)(slash - dest) + 1 : 0;
    snprintf(tmp, sizeof tmp, "%.*s.%s.part", (int)dl, dest, dest + dl);
    int rc = mkdirs(dest, false, err);
    if (rc != 0) return rc;
    bool have = wbi_fetch_is_file(dest);
    for (int attempt = 0; attempt < 2; attempt++) {
        struct stat st;
        const char *pe = wbi_fetch_jget(entry, "part_etag"),
                   *pl = wbi_fetch_jget(entry, "part_last_modified");
        const char *pu = wbi_fetch_jget(entry, "part_url");
        uint64_t offset = 0;
        if (stat(tmp, &st) == 0 && st.st_size > 0 && (pe || pl) && pu && strcmp(pu, url) == 0)
            offset = (uint64_t)st.st_size;
        FILE *fp = fopen(tmp, offset ? "ab" : "wb");
        if (fp == NULL) return wb_error_set(err, WB_EIO, "%s: %s", tmp, strerror(errno));
        const char *h[2];
        size_t nh = 0;
        char l1[400], l2[400];
        if (offset) {
            snprintf(l1, sizeof l1, "Range: bytes=%llu-", (unsigned long long)offset);
            h[nh++] = l1;
            snprintf(l2, sizeof l2, "If-Range: %s", pe ? pe : pl);
            h[nh++] = l2;
            f->st->resumed++;
        } else if (have) {
            const char *et = wbi_fetch_jget(entry, "etag"),
                       *lm = wbi_fetch_jget(entry, "last_modified");
            if (et) {
                snprintf(l1, sizeof l1, "If-None-Match: %s", et);
                h[nh++] = l1;
            }
            if (lm) {
                snprintf(l2, sizeof l2, "If-Modified-Since: %s", lm);
                h[nh++] = l2;
            }
        }
        xfer x = {.f = f, .url = url, .fp = fp, .offset = offset, .max = max};
        rc = perform(f, &x, h, nh, code, err);
        bool closed_ok = fclose(fp) == 0;
        if (rc == 0 && !closed_ok) rc = wb_error_set(err, WB_EIO, "%s: %s", tmp, strerror(errno));
        if (rc != 0) {
            /* Keep a partial body the server can resume (a strong validator
             * says the next request continues the same file). */
            bool strong = x.etag[0] && strncmp(x.etag, "W/", 2) != 0;
            if (rc == WB_EIO && !x.write_err && !x.range_bad && x.offset + x.got > 0 &&
                (*code == 200 || *code == 206) && (strong || x.lastmod[0])) {
                wbi_fetch_jset(entry, "part_etag", strong ? x.etag : NULL);
                wbi_fetch_jset(entry, "part_last_modified", x.lastmod);
                wbi_fetch_jset(entry, "part_url", url);
                wb_error_prefix(err, "%s: ", dest);
                size_t n = strlen(err->msg);
                snprintf(err->msg + n, sizeof err->msg - n,
                         " (%llu bytes kept in %s; the next fetch resumes)",
                         (unsigned long long)(x.offset + x.got), tmp);
            } else {
                unlink(tmp);
                wbi_fetch_jset(entry, "part_etag", NULL);
                wbi_fetch_jset(entry, "part_last_modified", NULL);
                wbi_fetch_jset(entry, "part_url", NULL);
            }
            return rc;
        }
        if (*code == 416 && offset && attempt == 0) { /* the part is not what the server has */
            unlink(tmp);
            wbi_fetch_jset(entry, "part_etag", NULL);
            wbi_fetch_jset(entry, "part_last_modified", NULL);
            continue;
        }
        wbi_fetch_jset(entry, "part_etag", NULL);
        wbi_fetch_jset(entry, "part_last_modified", NULL);
        wbi_fetch_jset(entry, "part_url", NULL);
        if (*code == 304 && have) {
            unlink(tmp);
            *got = WBI_GOT_SAME;
            return 0;
        }
        if (*code != 200 && *code != 206) {
            unlink(tmp);
            return http_status_error(url, *code, err);
        }
        if (check && (rc = check(cud, tmp, err)) != 0) {
            unlink(tmp);
            wb_error_prefix(err, "%s: ", url);
            size_t n = strlen(err->msg);
            snprintf(err->msg + n, sizeof err->msg - n, " (refused; %s %s)", dest,
                     have ? "keeps its previous copy" : "not written");
            return rc;
        }
        if (rename(tmp, dest) != 0) {
            int e = errno;
            unlink(tmp);
            return wb_error_set(err, WB_EIO, "%s: %s", dest, strerror(e));
        }
        wbi_fetch_jset(entry, "url", url);
        wbi_fetch_jset(entry, "etag", x.etag);
        wbi_fetch_jset(entry, "last_modified", x.lastmod);
        if (stat(dest, &st) == 0) json_object_set_new(entry, "size", json_integer(st.st_size));
        f->st->updated++;
        *got = WBI_GOT_NEW;
        return 0;
    }
    return wb_error_set(err, WB_EIO, "%s: the server refused to resume or restart", url);
}

/* ---- checks ------------------------------------------------------------------------------ */

static int check_kev(void *ud, const char *tmp, wb_error *err)
{
    (void)ud;
    int rc = wb_kev_load(tmp, NULL, err);
    if (rc != 0) wb_error_set(err, rc, "not a KEV catalogue: %s", err->msg);
    return rc;
}

static int check_epss(void *ud, const char *tmp, wb_error *err)
{
    (void)ud;
    int rc = wb_epss_load(tmp, NULL, err);
    if (rc != 0) wb_error_set(err, rc, "not an EPSS scores file: %s", err->msg);
    return rc;
}

static int check_zip(void *ud, const char *tmp, wb_error *err)
{
    (void)ud;
    wbi_core_zip *z = NULL;
    int rc = wbi_core_zip_open(tmp, &z, err);
    if (rc == 0 && wbi_core_zip_count(z) == 0)
        rc = wb_error_set(err, WB_EFORMAT, "an archive without records");
    else if (rc != 0)
        wb_error_set(err, rc, "not a zip archive: %s", err->msg);
    wbi_core_zip_close(z);
    return rc;
}

int wbi_fetch_read_small(const char *path, uint64_t max, char **data, size_t *len, wb_error *err)
{
    /* wb_read_file would decompress a gzip or zstd file; these are read as
     * they are. */
    FILE *f = fopen(path, "rb");
    if (f == NULL) return wb_error_set(err, WB_EIO, "%s: %s", path, strerror(errno));
    wb_buf b = {0};
    char chunk[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > max) {
            rc = wb_error_set(err, WB_ELIMIT, "%s: larger than %llu bytes", path,
                              (unsigned long long)max);
            break;
        }
        if (wb_buf_append(&b, chunk, n) != 0) {
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
            break;
        }
    }
    if (rc == 0 && ferror(f)) rc = wb_error_set(err, WB_EIO, "%s: read error", path);
    fclose(f);
    if (rc == 0 && wb_buf_puts(&b, "") != 0) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc != 0) {
        wb_buf_free(&b);
        return rc;
    }
    *data = b.data;
    *len = b.len;
    return 0;
}

/* ---- one source -------------------------------------------------------------------------- */

int wb_fetch_run(const char *dir, const wb_fetch_source *src, const wb_fetch_opts *opts,
                 wb_fetch_stats *stats, wb_error *err)
{
    static const wb_fetch_opts defaults = {0};
    if (opts == NULL) opts = &defaults;
    if (sodium_init() < 0) return wb_error_set(err, WB_EINTERNAL, "libsodium failed to start");
    char srcdir[4500];
    if (strlen(dir) + strlen(src->name) + 2 > sizeof srcdir)
        return wb_error_set(err, WB_ELIMIT, "%.200s: path too long", dir);
    snprintf(srcdir, sizeof srcdir, "%s/%s", dir, src->name);
    int rc = mkdirs(srcdir, true, err);
    if (rc != 0) return rc;
    wbi_fetcher f;
    wbi_fetch_state s = {0};
    rc = fetcher_init(&f, opts, stats, err);
    if (rc == 0) rc = state_load(&s, srcdir, src, err);
    if (rc == 0) {
        if (src->kind == WB_FETCH_CSAF) {
            rc = wbi_fetch_csaf(&f, &s, src, srcdir, err);
        } else {
            const char *file = src->kind == WB_FETCH_OSV   ? "all.zip"
                               : src->kind == WB_FETCH_KEV ? "known_exploited_vulnerabilities.json"
                                                           : "epss_scores-current.csv.gz";
            wbi_fetch_check_fn check = src->kind == WB_FETCH_OSV   ? check_zip
                                       : src->kind == WB_FETCH_KEV ? check_kev
                                                                   : check_epss;
            uint64_t max = src->kind == WB_FETCH_OSV   ? MAX_OSV
                           : src->kind == WB_FETCH_KEV ? MAX_KEV
                                                       : MAX_EPSS;
            char dest[4700];
            snprintf(dest, sizeof dest, "%s/%s", srcdir, file);
            json_t *entry = wbi_fetch_state_file(&s, file);
            int got = 0;
            long code = 0;
            wb_error e = {0};
            if (entry == NULL)
                rc = wb_error_set(err, WB_ENOMEM, "out of memory");
            else if (wbi_fetch_get_file(&f, src->url, dest, entry, max, check, NULL, &got, &code,
                                        &e) != 0)
                wbi_fetch_problem(&f, &e);
        }
    }
    bool current = rc == 0 && f.failed == f.docs_failed;
    if (rc == 0 && f.failed) {
        if (opts->problem) /* each was reported there */
            rc =
                wb_error_set(err, f.first_code, "%s: %zu file%s not fetched or refused (see above)",
                             src->name, f.failed, f.failed == 1 ? "" : "s");
        else
            rc =
                wb_error_set(err, f.first_code, "%s: %zu file%s not fetched or refused (first: %s)",
                             src->name, f.failed, f.failed == 1 ? "" : "s", f.first.msg);
    }
    if (s.root) {
        /* Documents refused while the metadata and every listing were
         * read leave the source current (the refused ones are named at
         * every scan); anything else makes it stale. */
        if (current) {
            char now[40];
            wb_time_format(wb_time_now() / 1000000 * 1000000, now, sizeof now);
            json_object_set_new(s.root, "checked", json_string(now));
            json_object_set_new(s.root, "refused_documents",
                                json_integer((json_int_t)f.docs_failed));
        }
        wb_error e = {0};
        /* the state is saved even after a failure: it holds the validators
         * of what did arrive and of partial downloads to resume */
        if (state_save(&s, &e) != 0 && rc == 0) {
            *err = e;
            rc = e.code;
        }
    }
    state_free(&s);
    fetcher_free(&f);
    return rc;
}

/* ---- what a scan reads ------------------------------------------------------------------- */

static int add_source(wb_fetched *out, const char *statepath, const char *name, wb_error *err)
{
    json_error_t je;
    json_t *root = json_load_file(statepath, 0, &je);
    if (root == NULL || !json_is_object(root)) {
        json_decref(root);
        return wb_error_set(err, WB_EPARSE, "%s:%d: %s", statepath, je.line,
                            root ? "not a fetch state file" : je.text);
    }
    const char *kind = wbi_fetch_jget(root, "kind"), *url = wbi_fetch_jget(root, "url"),
               *checked = wbi_fetch_jget(root, "checked");
    char spec[4200];
    wb_fetch_source src;
    int rc = 0;
    if (kind == NULL || url == NULL) {
        rc = wb_error_set(err, WB_EPARSE, "%s: no kind or url", statepath);
    } else {
        if (strcmp(kind, "osv") == 0)
            snprintf(spec, sizeof spec, "osv:%s=%s", name + 4, url);
        else
            snprintf(spec, sizeof spec, "%s:%s", kind, url);
        rc = wb_fetch_source_parse(spec, &src, err);
        if (rc != 0) wb_error_prefix(err, "%s: ", statepath);
    }
    if (rc == 0) {
        wb_fetched_source *v = realloc(out->v, (out->n + 1) * sizeof *v);
        if (v == NULL) {
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        } else {
            out->v = v;
            v[out->n].src = src;
            /* the folder it was found in, so two mirrors of one host keep apart */
            snprintf(v[out->n].src.name, sizeof v[out->n].src.name, "%s", name);
            v[out->n].checked = WB_TIME_NONE;
            json_int_t rd = json_integer_value(json_object_get(root, "refused_documents"));
            v[out->n].refused_docs = rd > 0 ? (size_t)rd : 0;
            if (checked) wb_time_parse(checked, strlen(checked), &v[out->n].checked);
            out->n++;
        }
    }
    json_decref(root);
    return rc;
}

static int list_kind(const char *dir, const char *kind, wb_fetched *out, bool *any, wb_error *err)
{
    char path[4700];
    snprintf(path, sizeof path, "%s/%s", dir, kind);
    struct dirent **ents = NULL;
    int n = scandir(path, &ents, NULL, alphasort);
    if (n < 0) return 0;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *e = ents[i]->d_name;
        if (rc == 0 && e[0] != '.') {
            char sp[4800], name[300], probe[4800];
            snprintf(sp, sizeof sp, "%s/%s/%s", path, e, STATE_NAME);
            snprintf(name, sizeof name, "%s/%s", kind, e);
            snprintf(probe, sizeof probe, "%s/%s/%s", path, e,
                     strcmp(kind, "csaf") == 0 ? "provider-metadata.json" : "all.zip");
            if (wbi_fetch_is_file(sp)) rc = add_source(out, sp, name, err);
            if (wbi_fetch_is_file(probe)) *any = true;
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

int wb_fetched_list(const char *dir, wb_fetched *out, wb_error *err)
{
    memset(out, 0, sizeof *out);
    bool csaf = false, osv = false;
    int rc = list_kind(dir, "csaf", out, &csaf, err);
    if (rc == 0) rc = list_kind(dir, "osv", out, &osv, err);
    static const char *const single[][2] = {{"kev", "known_exploited_vulnerabilities.json"},
                                            {"epss", "epss_scores-current.csv.gz"}};
    for (size_t i = 0; rc == 0 && i < 2; i++) {
        char sp[4700], file[4700];
        snprintf(sp, sizeof sp, "%s/%s/%s", dir, single[i][0], STATE_NAME);
        snprintf(file, sizeof file, "%s/%s/%s", dir, single[i][0], single[i][1]);
        if (wbi_fetch_is_file(sp)) rc = add_source(out, sp, single[i][0], err);
        if (rc == 0 && wbi_fetch_is_file(file)) {
            char **slot = i == 0 ? &out->kev : &out->epss;
            if ((*slot = strdup(file)) == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        }
    }
    char p[4700];
    if (rc == 0 && csaf) {
        snprintf(p, sizeof p, "%s/csaf", dir);
        if ((out->csaf = strdup(p)) == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    if (rc == 0 && osv) {
        snprintf(p, sizeof p, "%s/osv", dir);
        if ((out->osv = strdup(p)) == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    if (rc != 0) wb_fetched_free(out);
    return rc;
}

void wb_fetched_free(wb_fetched *f)
{
    if (f == NULL) return;
    free(f->v);
    free(f->csaf);
    free(f->osv);
    free(f->kev);
    free(f->epss);
    memset(f, 0, sizeof *f);
}

int wb_kev_released(const char *path, wb_time *out, wb_error *err)
{
    *out = WB_TIME_NONE;
    char *data = NULL;
    size_t len = 0;
    int rc = wb_read_file(path, MAX_KEV, &data, &len, err);
    if (rc != 0) return rc;
    json_error_t je;
    json_t *root = json_loadb(data, len, 0, &je);
    free(data);
    if (root == NULL)
        return wb_error_set(err, WB_EPARSE, "%s:%d:%d: %s", path, je.line, je.column, je.text);
    const char *d = wbi_fetch_jget(root, "dateReleased");
    if (d && wb_time_parse(d, strlen(d), out) != 0)
        rc = wb_error_set(err, WB_EPARSE, "%s: $.dateReleased: '%.40s' is not a date", path, d);
    json_decref(root);
    return rc;
}
