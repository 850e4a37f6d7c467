/*
 * detect.c - the entry points of the indicator loaders: format detection,
 * loading a buffer, a file, a MISP feed directory (manifest.json plus one
 * <uuid>.json per event) or any other directory (every regular file below
 * it, in name order).
 *
 * Detection looks at content, never at file names, because feeds arrive as
 * "download.json", "iocs.txt" or "export" alike.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weerbaar/io.h"
#include "intel/intel.h"
#include "intel/jscan.h"

/* Directory nesting we follow; deeper (or a symlink loop) is an error. */
#define MAX_DEPTH 16
/* How far into a JSON text detection looks for telling keys. */
#define SNIFF_BYTES (64u << 10)

static const char *skip_bom(const char *data, size_t *len)
{
    if (*len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
        *len -= 3;
        return data + 3;
    }
    return data;
}

static bool has_key(const char *s, size_t n, const char *key)
{
    return memmem(s, n, key, strlen(key)) != NULL;
}

/* `"type"`, optional white space, ':', white space, `"bundle"`. */
static bool has_bundle_type(const char *s, size_t n)
{
    const char *end = s + n;
    while ((s = memmem(s, (size_t)(end - s), "\"type\"", 6)) != NULL) {
        s += 6;
        while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
            s++;
        if (s >= end || *s != ':') continue;
        s++;
        while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
            s++;
        if ((size_t)(end - s) >= 8 && memcmp(s, "\"bundle\"", 8) == 0) return true;
    }
    return false;
}

static bool zeek_header(const char *data, size_t len)
{
    const char *p = data, *end = data + len;
    /* Zeek's own headers come first; a plain list's comments start with '#'
     * too, so look at every leading '#' line. */
    while (p < end && *p == '#') {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if ((n >= 10 && memcmp(p, "#separator", 10) == 0) ||
            (n >= 8 && memcmp(p, "#fields\t", 8) == 0))
            return true;
        if (nl == NULL) break;
        p = nl + 1;
    }
    if (p >= end) return false;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    return memchr(p, '\t', n) != NULL && memmem(p, n, "Intel::", 7) != NULL;
}

/* An object or an array of objects, strings or arrays: a plain list may
 * also start with '[' (a STIX pattern, an IPv6 address in brackets). */
static bool looks_json(const char *s, size_t n)
{
    if (n == 0 || (s[0] != '{' && s[0] != '[')) return false;
    size_t i = 1;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    if (i == n) return false;
    if (s[0] == '{') return s[i] == '"' || s[i] == '}';
    return s[i] == '{' || s[i] == '[' || s[i] == '"' || s[i] == ']';
}

wb_intel_format wb_intel_detect(const char *data, size_t len)
{
    data = skip_bom(data, &len);
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i == len) return WB_INTEL_AUTO;
    size_t sniff = len - i < SNIFF_BYTES ? len - i : SNIFF_BYTES;
    if (memchr(data + i, '\0', sniff) != NULL) return WB_INTEL_AUTO; /* binary */
    if (looks_json(data + i, len - i)) {
        const char *s = data + i;
        if (has_bundle_type(s, sniff)) return WB_INTEL_STIX;
        if (has_key(s, sniff, "\"Event\"") || has_key(s, sniff, "\"response\"") ||
            has_key(s, sniff, "\"Attribute\""))
            return WB_INTEL_MISP;
        if (has_key(s, sniff, "\"spec_version\"") || has_key(s, sniff, "\"pattern\""))
            return WB_INTEL_STIX;
        return WB_INTEL_MISP;
    }
    if (zeek_header(data, len)) return WB_INTEL_ZEEK;
    if (wbi_csv_has_header(data, len)) return WB_INTEL_CSV;
    return WB_INTEL_PLAIN;
}

int wbi_intel_json(wbi_ctx *ctx, wb_intel_format fmt, const char *data, size_t len, bool mapped)
{
    wbi_jdoc d = {.s = data, .n = len, .mapped = mapped};
    size_t bad;
    if (!wbi_jscan_valid(&d, &bad)) {
        if (bad == WBI_JNONE) return wb_error_set(ctx->err, WB_ENOMEM, "out of memory");
        /* jansson words the error as before; it accepts nothing the check
         * refuses (the differential fuzz target holds that), so the second
         * message is only a safety net. */
        json_t *root;
        int rc = wbi_json_parse(ctx, data, len, &root);
        if (rc) return rc;
        json_decref(root);
        return wb_error_set(ctx->err, WB_EPARSE, "%s: invalid JSON at byte %zu", ctx->name, bad);
    }
    /* Content detection only saw text; the structure decides. */
    if (fmt == WB_INTEL_AUTO) fmt = wbi_stix_looks_like(&d) ? WB_INTEL_STIX : WB_INTEL_MISP;
    return fmt == WB_INTEL_STIX ? wbi_stix_load(ctx, &d) : wbi_misp_load(ctx, &d);
}

int wbi_intel_json_tree(wbi_ctx *ctx, wb_intel_format fmt, const char *data, size_t len)
{
    json_t *root;
    int rc = wbi_json_parse(ctx, data, len, &root);
    if (rc) return rc;
    if (fmt == WB_INTEL_AUTO) fmt = wbi_stix_looks_like_tree(root) ? WB_INTEL_STIX : WB_INTEL_MISP;
    rc = fmt == WB_INTEL_STIX ? wbi_stix_load_tree(ctx, root) : wbi_misp_load_tree(ctx, root);
    json_decref(root);
    return rc;
}

static int load_data(const char *name, const char *source, const char *data, size_t len,
                     bool mapped, const wb_intel_opts *opts, wb_ioc_sink *sink, wb_error *err)
{
    data = skip_bom(data, &len);
    wb_intel_format fmt = opts->format;
    if (fmt == WB_INTEL_AUTO) {
        fmt = wb_intel_detect(data, len);
        if (fmt == WB_INTEL_AUTO) {
            size_t i = 0;
            while (i < len &&
                   (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
                i++;
            if (i == len) return 0; /* empty: nothing to load */
            return wb_error_set(err, WB_EFORMAT, "%s: not an indicator file (binary data)", name);
        }
    }
    wbi_ctx ctx = {.name = name, .source = source, .opts = opts, .sink = sink, .err = err};
    int rc = WB_EFORMAT;
    switch (fmt) {
    case WB_INTEL_MISP:
    case WB_INTEL_STIX:
        rc = wbi_intel_json(&ctx, opts->format == WB_INTEL_AUTO ? WB_INTEL_AUTO : fmt, data, len,
                            mapped);
        break;
    case WB_INTEL_ZEEK:
        rc = wbi_zeek_load(&ctx, data, len);
        break;
    case WB_INTEL_CSV:
        rc = wbi_csv_load(&ctx, data, len);
        break;
    case WB_INTEL_PLAIN:
        rc = wbi_plain_load(&ctx, data, len);
        break;
    case WB_INTEL_AUTO:
        rc = wb_error_set(err, WB_EINTERNAL, "%s: format not decided", name);
        break;
    }
    wb_buf_free(&ctx.where);
    wb_buf_free(&ctx.tmp);
    wb_buf_free(&ctx.path);
    return rc;
}

static size_t max_file(const wb_intel_opts *opts)
{
    return opts->max_file ? opts->max_file : WBI_DEFAULT_MAX_FILE;
}

int wb_intel_load_buffer(const char *name, const char *data, size_t len, const wb_intel_opts *opts,
                         wb_ioc_sink *sink, wb_error *err)
{
    static const wb_intel_opts defaults = {0};
    if (opts == NULL) opts = &defaults;
    if (len > max_file(opts))
        return wb_error_set(err, WB_ELIMIT, "%s: larger than %zu bytes", name, max_file(opts));
    return load_data(name, name, data, len, false, opts, sink, err);
}

/* A MISP or STIX file is read through a read-only mapping, so that the
 * reader can let the pages it has passed go (wbi_jdoc_release): a million
 * indicators are hundreds of megabytes of JSON. Returns 1 when the file is
 * not such a file (compressed, not regular, too large, not JSON) or cannot
 * be mapped under the SIGBUS guard, for the caller to read it whole. The
 * mapping is the log reader's (wb_map_open, src/core/io.c): a file
 * truncated in place while it loads reads as zero bytes and is then
 * reported as truncated, never as a crash or a silently shorter set. */
static int load_mapped(const char *path, const wb_intel_opts *opts, wb_ioc_sink *sink,
                       wb_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size > max_file(opts)) {
        close(fd);
        return 1;
    }
    size_t len = (size_t)st.st_size;
    struct wb_map *m = wb_map_open(fd, len);
    if (m == NULL) {
        close(fd);
        return 1;
    }
    const char *map = wb_map_data(m);
    const char *data = map;
    size_t n = len;
    data = skip_bom(data, &n);
    size_t i = 0;
    while (i < n && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    wb_intel_format fmt = opts->format;
    if (i < n && (data[i] == '{' || data[i] == '[') && fmt == WB_INTEL_AUTO)
        fmt = wb_intel_detect(map, len);
    int rc = 1;
    if (i < n && (data[i] == '{' || data[i] == '[') &&
        (fmt == WB_INTEL_MISP || fmt == WB_INTEL_STIX)) {
        madvise((void *)map, len, MADV_SEQUENTIAL);
        rc = load_data(path, path, map, len, true, opts, sink, err);
        if (wb_map_shrank(m, fd)) {
            /* what was read after the truncation were zero bytes: whatever
             * the parser made of them, the set is not the file's */
            wb_error_clear(err);
            rc = wb_error_set(err, WB_EIO,
                              "%s: the file was truncated while it was read; replace indicator "
                              "files by rename, not in place",
                              path);
        }
    }
    wb_map_close(m);
    close(fd);
    return rc;
}

static int load_file(const char *path, const wb_intel_opts *opts, wb_ioc_sink *sink, wb_error *err)
{
    if (strcmp(path, "-") != 0) {
        int rc = load_mapped(path, opts, sink, err);
        if (rc != 1) return rc;
    }
    char *data;
    size_t len;
    int rc = wb_read_file(path, max_file(opts), &data, &len, err);
    if (rc) return rc;
    rc = load_data(path, path, data, len, false, opts, sink, err);
    free(data);
    return rc;
}

static int join(wb_buf *b, const char *dir, const char *name)
{
    wb_buf_reset(b);
    size_t n = strlen(dir);
    int rc = wb_buf_append(b, dir, n);
    if (rc == 0 && (n == 0 || dir[n - 1] != '/')) rc = wb_buf_putc(b, '/');
    if (rc == 0) rc = wb_buf_puts(b, name);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A manifest key becomes a file name, so it must be a plain uuid: no '/',
 * no "..", nothing a hostile feed could use to leave the directory. */
static bool uuid_like(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
              c == '-'))
            return false;
    }
    return true;
}

static int load_feed(const char *dir, const char *manifest, const wb_intel_opts *opts,
                     wb_ioc_sink *sink, wb_error *err)
{
    char *data;
    size_t len;
    int rc = wb_read_file(manifest, max_file(opts), &data, &len, err);
    if (rc) return rc;
    wbi_ctx mctx = {.name = manifest, .source = dir, .opts = opts, .sink = sink, .err = err};
    json_t *root;
    rc = wbi_json_parse(&mctx, data, len, &root);
    free(data);
    if (rc) return rc;
    if (!json_is_object(root)) {
        json_decref(root);
        return wb_error_set(err, WB_EFORMAT, "%s: $: a feed manifest is an object of event uuids",
                            manifest);
    }
    size_t n = json_object_size(root), k = 0;
    const char **keys = calloc(n ? n : 1, sizeof *keys);
    if (keys == NULL) {
        json_decref(root);
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val)
    {
        if (!uuid_like(key)) {
            rc =
                wb_error_set(err, WB_EFORMAT, "%s: $: '%.64s' is not an event uuid", manifest, key);
            break;
        }
        keys[k++] = key;
    }
    /* Name order, so that the same feed always loads the same way. */
    qsort(keys, k, sizeof *keys, cmp_str);
    wb_buf path = {0}, name = {0};
    for (size_t i = 0; rc == 0 && i < k; i++) {
        rc = wb_buf_printf(&name, "%s.json", keys[i]);
        if (rc == 0) rc = join(&path, dir, name.data);
        wb_buf_reset(&name);
        if (rc) {
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
            break;
        }
        rc = wb_read_file(path.data, max_file(opts), &data, &len, err);
        if (rc) break;
        wbi_ctx ctx = {.name = path.data, .source = dir, .opts = opts, .sink = sink, .err = err};
        rc = wbi_intel_json(&ctx, WB_INTEL_MISP, data, len, false);
        free(data);
        wb_buf_free(&ctx.where);
        wb_buf_free(&ctx.tmp);
        wb_buf_free(&ctx.path);
    }
    wb_buf_free(&path);
    wb_buf_free(&name);
    free(keys);
    json_decref(root);
    return rc;
}

static int not_hidden(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

static int load_path(const char *path, int depth, const wb_intel_opts *opts, wb_ioc_sink *sink,
                     wb_error *err);

static int load_dir(const char *dir, int depth, const wb_intel_opts *opts, wb_ioc_sink *sink,
                    wb_error *err)
{
    wb_buf sub = {0};
    if (join(&sub, dir, "manifest.json") != 0) return wb_error_set(err, WB_ENOMEM, "out of memory");
    struct stat st;
    if (stat(sub.data, &st) == 0 && S_ISREG(st.st_mode)) {
        int rc = load_feed(dir, sub.data, opts, sink, err);
        wb_buf_free(&sub);
        return rc;
    }
    struct dirent **ents;
    int n = scandir(dir, &ents, not_hidden, NULL);
    if (n < 0) {
        wb_buf_free(&sub);
        return wb_error_set(err, WB_EIO, "%s: %s", dir, strerror(errno));
    }
    /* strcmp rather than alphasort: the order must not depend on the locale. */
    char **names = calloc((size_t)n + 1, sizeof *names);
    int rc = names ? 0 : wb_error_set(err, WB_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        if (names) names[i] = ents[i]->d_name;
    }
    if (names) qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = 0; rc == 0 && i < n; i++) {
        if (join(&sub, dir, names[i]) != 0) {
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
            break;
        }
        rc = load_path(sub.data, depth + 1, opts, sink, err);
    }
    for (int i = 0; i < n; i++)
        free(ents[i]);
    free(ents);
    free(names);
    wb_buf_free(&sub);
    return rc;
}

static int load_path(const char *path, int depth, const wb_intel_opts *opts, wb_ioc_sink *sink,
                     wb_error *err)
{
    struct stat st;
    if (strcmp(path, "-") == 0) return load_file(path, opts, sink, err);
    if (stat(path, &st) != 0)
        return wb_error_set(err, errno == ENOENT ? WB_ENOTFOUND : WB_EIO, "%s: %s", path,
                            strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        if (depth >= MAX_DEPTH)
            return wb_error_set(err, WB_ELIMIT, "%s: directories nested deeper than %d", path,
                                MAX_DEPTH);
        return load_dir(path, depth, opts, sink, err);
    }
    if (!S_ISREG(st.st_mode) && depth > 0) return 0; /* sockets, fifos inside a tree */
    return load_file(path, opts, sink, err);
}

int wb_intel_load(const char *path, const wb_intel_opts *opts, wb_ioc_sink *sink, wb_error *err)
{
    static const wb_intel_opts defaults = {0};
    return load_path(path, 0, opts ? opts : &defaults, sink, err);
}
