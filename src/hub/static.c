/*
 * static.c - the web page's files (web/ in the repository, installed
 * beside the catalogues) served by the hub at /, and GET / itself: the
 * page to a browser, the status document to a client that asks for JSON.
 *
 * The directory is read once when the hub opens: every regular file whose
 * name ends in a known extension (which also gives its Content-Type) is
 * loaded into memory with its ETag. A request is answered only when its
 * path equals one of those names exactly, so there is no directory
 * listing, no "..", no symbolic link followed out of the tree, and nothing
 * on disk is opened per request. Files changed on disk are served after a
 * restart. Every answer asks the browser to revalidate (no-cache) with the
 * ETag, so a new version is seen at once and an unchanged one costs a 304.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "hub/router.h"
#include "weerbaar/io.h"

#define MAX_FILES 4096
#define MAX_FILE_BYTES ((size_t)16 << 20)
#define MAX_TOTAL_BYTES ((size_t)128 << 20)
#define MAX_DEPTH 8

typedef struct static_file {
    char *path; /* "/index.html", "/js/app.js" */
    char *data;
    size_t len;
    const char *type;
    char etag[40];
} static_file;

struct wbi_hub_static {
    static_file *files;
    size_t n, cap, total;
};

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
};

const char *wbi_hub_static_type(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t e = strlen(types[i].ext);
        if (n > e && strcmp(name + n - e, types[i].ext) == 0) return types[i].type;
    }
    return NULL;
}

static int add_file(wbi_hub_static *s, const char *full, const char *rel, const char *type,
                    wb_error *err)
{
    if (s->n == MAX_FILES)
        return wb_error_set(err, WB_ELIMIT, "%s: more than %d files in the web directory", full,
                            MAX_FILES);
    char *data = NULL;
    size_t len = 0;
    int rc = wb_read_file(full, MAX_FILE_BYTES, &data, &len, err);
    if (rc) return rc;
    if (s->total + len > MAX_TOTAL_BYTES) {
        free(data);
        return wb_error_set(err, WB_ELIMIT, "%s: the web directory holds more than %zu MiB", full,
                            MAX_TOTAL_BYTES >> 20);
    }
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        static_file *nf = realloc(s->files, nc * sizeof *nf);
        if (nf == NULL) {
            free(data);
            return wb_error_set(err, WB_ENOMEM, "out of memory");
        }
        s->files = nf;
        s->cap = nc;
    }
    static_file *f = &s->files[s->n];
    f->path = malloc(strlen(rel) + 2);
    if (f->path == NULL) {
        free(data);
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    snprintf(f->path, strlen(rel) + 2, "/%s", rel);
    f->data = data;
    f->len = len;
    f->type = type;
    uint8_t h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)data, len, NULL, 0);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(f->etag, sizeof f->etag, "\"%s\"", hex);
    s->n++;
    s->total += len;
    return 0;
}

/* Loads dir/rel (rel "" for the top) and what is below it. */
static int walk(wbi_hub_static *s, const char *dir, const char *rel, int depth, wb_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", dir, rel[0] ? "/" : "", rel);
    DIR *d = opendir(path);
    if (d == NULL) return wb_error_set(err, WB_EIO, "%s: cannot read the directory", path);
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        /* Hidden files (editor swap files, .git) and "." and ".." are never served. */
        if (e->d_name[0] == '.') continue;
        char sub[2048], full[4096 + 256];
        int sn = snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        if (sn < 0 || (size_t)sn >= sizeof sub) continue;
        snprintf(full, sizeof full, "%s/%s", dir, sub);
        struct stat st;
        /* lstat: a symbolic link is not followed, in or out of the tree. */
        if (lstat(full, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth < MAX_DEPTH && strcmp(e->d_name, "node_modules") != 0)
                rc = walk(s, dir, sub, depth + 1, err);
        } else if (S_ISREG(st.st_mode)) {
            const char *type = wbi_hub_static_type(e->d_name);
            if (type) rc = add_file(s, full, sub, type, err);
        }
    }
    closedir(d);
    return rc;
}

void wbi_hub_static_free(wbi_hub_static *s)
{
    if (s == NULL) return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->files[i].path);
        free(s->files[i].data);
    }
    free(s->files);
    free(s);
}

int wbi_hub_static_load(wbi_hub_static **out, const char *dir, wb_error *err)
{
    *out = NULL;
    wbi_hub_static *s = calloc(1, sizeof *s);
    if (s == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    int rc = dir ? walk(s, dir, "", 0, err) : 0;
    if (rc) {
        wbi_hub_static_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

static const static_file *find(const wbi_hub_static *s, const char *path)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (strcmp(s->files[i].path, path) == 0) return &s->files[i];
    return NULL;
}

static bool etag_matches(const char *inm, const char *etag)
{
    if (inm == NULL) return false;
    if (strcmp(inm, "*") == 0) return true;
    /* a list: "a", W/"b", ... */
    size_t n = strlen(etag);
    for (const char *p = strstr(inm, etag); p; p = strstr(p + 1, etag)) {
        char after = p[n];
        if (after == '\0' || after == ',' || after == ' ') return true;
    }
    return false;
}

static void send_file(wbi_hub_req *r, const static_file *f)
{
    wb_hub_response *resp = r->resp;
    wb_buf_reset(&resp->body);
    snprintf(resp->etag, sizeof resp->etag, "%s", f->etag);
    resp->cache_control = "no-cache";
    resp->content_type = f->type;
    if (etag_matches(r->req->if_none_match, f->etag)) {
        resp->status = 304;
        return;
    }
    resp->status = wb_buf_append(&resp->body, f->data, f->len) == 0 ? 200 : 500;
}

bool wbi_hub_static_serve(wb_hub *hub, const wbi_hub_static *s, wbi_hub_req *r)
{
    (void)hub;
    const char *m = r->req->method ? r->req->method : "";
    if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) return false;
    const static_file *f = find(s, r->req->path ? r->req->path : "");
    if (f == NULL) return false;
    send_file(r, f);
    return true;
}

/* Whether an Accept header prefers JSON to a page: application/json named
 * with a higher quality than text/html (or text/html not named at all).
 * Wildcards count for neither: curl's and a browser's defaults get the
 * page. */
bool wbi_hub_accept_json(const char *accept)
{
    if (accept == NULL) return false;
    double json = -1, html = -1;
    const char *p = accept;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',' && *p != ';')
            p++;
        size_t n = (size_t)(p - start);
        while (n > 0 && start[n - 1] == ' ')
            n--;
        double q = 1;
        while (*p == ';') {
            p++;
            while (*p == ' ')
                p++;
            if (p[0] == 'q' && p[1] == '=') {
                char *end;
                q = strtod(p + 2, &end);
                if (end == p + 2 || q < 0 || q > 1) q = 0;
                p = end;
            }
            while (*p && *p != ',' && *p != ';')
                p++;
        }
        if (n == 16 && strncasecmp(start, "application/json", 16) == 0 && q > json) json = q;
        if (n == 9 && strncasecmp(start, "text/html", 9) == 0 && q > html) html = q;
    }
    return json > 0 && json > html;
}

void wbi_hub_h_root(wbi_hub_req *r)
{
    const static_file *f = find(wbi_hub_web(r->hub), "/index.html");
    if (f == NULL || wbi_hub_accept_json(r->req->accept)) {
        wbi_hub_h_status(r);
        return;
    }
    send_file(r, f);
}
