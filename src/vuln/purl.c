/*
 * purl.c - parsing, building and formatting package URLs.
 *
 * Parsing follows the purl specification's "how to parse" steps: subpath
 * after the last '#', qualifiers after the last '?', "pkg:" then the type,
 * the version after the last '@' of the last path segment, the name, then
 * the namespace. Parsing and building meet in purl_finish(), which checks
 * and normalises the decoded components once, with the rules of the package
 * type from a const table (purl_types).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/purl.h"

/* ---- the package types ---------------------------------------------------- */

enum { NS_OPTIONAL, NS_REQUIRED, NS_PROHIBITED };

typedef struct purl_type {
    const char *type;
    unsigned char ns; /* NS_* */
    bool ns_lower, name_lower, version_lower;
    const char *required_qualifier;
    /* extra checks and normalisation, or NULL */
    int (*fix)(wb_purl *p, char *name, wb_error *err, const char *s, size_t n);
} purl_type;

static int purl_fail(wb_error *err, const char *s, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int purl_fail(wb_error *err, const char *s, size_t n, const char *fmt, ...)
{
    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    int shown = n > 160 ? 160 : (int)n;
    return wb_error_set(err, WB_EINVAL, "purl '%.*s%s': %s", shown, s, n > 160 ? "..." : "",
                        reason);
}

static void lower(char *s)
{
    for (; s && *s; s++)
        *s = wb_lower(*s);
}

/* pypi: names compare case-insensitively with '_' and '-' alike (PEP 503). */
static int fix_pypi(wb_purl *p, char *name, wb_error *err, const char *s, size_t n)
{
    (void)p, (void)err, (void)s, (void)n;
    for (char *c = name; *c; c++)
        if (*c == '_') *c = '-';
    return 0;
}

/* chrome-extension: the id is 32 letters a-p; versions are 1-4 numbers. */
static int fix_chrome(wb_purl *p, char *name, wb_error *err, const char *s, size_t n)
{
    size_t len = strlen(name);
    bool ok = len == 32;
    for (size_t i = 0; ok && i < len; i++)
        ok = name[i] >= 'a' && name[i] <= 'p';
    if (!ok) return purl_fail(err, s, n, "a chrome-extension id is 32 letters from a to p");
    if (p->version) {
        int parts = 0;
        const char *v = p->version;
        for (;;) {
            const char *st = v;
            while (*v >= '0' && *v <= '9')
                v++;
            if (v == st || ++parts > 4) break;
            if (*v == '\0') return 0;
            if (*v != '.') break;
            v++;
        }
        return purl_fail(err, s, n, "a chrome-extension version is 1 to 4 dot-separated numbers");
    }
    return 0;
}

/* cpan: the name is a distribution ("URI-PackageURL"), not a module. */
static int fix_cpan(wb_purl *p, char *name, wb_error *err, const char *s, size_t n)
{
    (void)p;
    if (strstr(name, "::"))
        return purl_fail(err, s, n,
                         "a cpan name is a distribution name ('-'), not a module ('::')");
    return 0;
}

/* mlflow: Databricks model names are case-insensitive, Azure ML ones not. */
static int fix_mlflow(wb_purl *p, char *name, wb_error *err, const char *s, size_t n)
{
    (void)err, (void)s, (void)n;
    const char *repo = wb_purl_qualifier_get(p, "repository_url");
    if (repo && strstr(repo, "databricks")) lower(name);
    return 0;
}

/* From the purl-spec type definitions (the types/ folder of the spec repository) and test
 * suites; types not listed follow the generic rules only. */
static const purl_type purl_types[] = {
    {"alpm", NS_REQUIRED, true, true, false, NULL, NULL},
    {"apk", NS_REQUIRED, true, true, false, NULL, NULL},
    {"bazel", NS_PROHIBITED, false, false, false, NULL, NULL},
    {"bitbucket", NS_REQUIRED, true, true, false, NULL, NULL},
    {"bitnami", NS_PROHIBITED, false, true, false, NULL, NULL},
    {"brew", NS_OPTIONAL, true, true, false, NULL, NULL},
    {"cargo", NS_PROHIBITED, false, false, false, NULL, NULL},
    {"chrome-extension", NS_PROHIBITED, false, true, false, NULL, fix_chrome},
    {"cocoapods", NS_PROHIBITED, false, false, false, NULL, NULL},
    {"composer", NS_REQUIRED, true, true, false, NULL, NULL},
    {"conda", NS_PROHIBITED, false, false, false, NULL, NULL},
    {"cpan", NS_OPTIONAL, false, false, false, NULL, fix_cpan},
    {"cran", NS_PROHIBITED, false, false, false, NULL, NULL},
    {"deb", NS_REQUIRED, true, true, false, NULL, NULL},
    {"gem", NS_PROHIBITED, false, false, false, NULL, NULL},
    {"git", NS_REQUIRED, true, true, false, NULL, NULL}, /* name: "owner/repository" */
    {"github", NS_REQUIRED, true, true, false, NULL, NULL},
    /* The spec wants a namespace, but Go modules without a '/' exist (the
     * standard library "stdlib", "toolchain", "gitea.dev"), and Syft and the
     * Go vulnerability database write them as pkg:golang/stdlib: a
     * deliberate deviation, so that they can be scanned at all. */
    {"golang", NS_OPTIONAL, false, false, false, NULL, NULL},
    {"hackage", NS_PROHIBITED, false, false, false, NULL, NULL},
    {"hex", NS_OPTIONAL, true, true, false, NULL, NULL},
    {"huggingface", NS_REQUIRED, false, false, true, NULL, NULL},
    {"julia", NS_PROHIBITED, false, false, false, "uuid", NULL},
    {"luarocks", NS_OPTIONAL, true, true, false, NULL, NULL},
    {"maven", NS_REQUIRED, false, false, false, NULL, NULL},
    {"mlflow", NS_PROHIBITED, false, false, false, NULL, fix_mlflow},
    {"nuget", NS_PROHIBITED, false, false, false, NULL, NULL},
    {"oci", NS_PROHIBITED, false, true, true, NULL, NULL},
    {"opam", NS_PROHIBITED, false, false, false, NULL, NULL},
    {"otp", NS_PROHIBITED, false, true, false, NULL, NULL},
    {"pub", NS_PROHIBITED, false, true, false, NULL, NULL},
    {"pypi", NS_PROHIBITED, false, true, false, NULL, fix_pypi},
    {"qpkg", NS_REQUIRED, true, false, false, NULL, NULL},
    {"rpm", NS_REQUIRED, true, false, false, NULL, NULL},
    {"swid", NS_OPTIONAL, false, false, false, "tag_id", NULL},
    {"swift", NS_REQUIRED, false, false, false, NULL, NULL},
    {"vcpkg", NS_PROHIBITED, false, false, false, NULL, NULL},
    {"vscode-extension", NS_REQUIRED, true, true, true, NULL, NULL},
    {"yocto", NS_OPTIONAL, true, false, false, NULL, NULL},
};

static const purl_type *purl_type_find(const char *type)
{
    for (size_t i = 0; i < sizeof purl_types / sizeof purl_types[0]; i++)
        if (strcmp(purl_types[i].type, type) == 0) return &purl_types[i];
    return NULL;
}

/* ---- encoding --------------------------------------------------------------- */

static bool keep_plain(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == ':';
}

static int encode_n(wb_buf *b, const char *s, size_t n)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        rc = keep_plain(c) ? wb_buf_putc(b, (char)c) : wb_buf_printf(b, "%%%02X", c);
    }
    return rc;
}

static int encode(wb_buf *b, const char *s)
{
    return encode_n(b, s, strlen(s));
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into the arena; NULL with *bad set on a bad escape or a
 * decoded NUL, NULL without it when out of memory. */
static char *decode(wb_arena *a, const char *s, size_t n, bool *bad)
{
    char *out = wb_arena_alloc(a, n + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            out[o++] = s[i];
            continue;
        }
        if (i + 2 >= n) {
            *bad = true;
            return NULL;
        }
        int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
        if (h < 0 || l < 0 || (h == 0 && l == 0)) {
            *bad = true;
            return NULL;
        }
        out[o++] = (char)(h * 16 + l);
        i += 2;
    }
    out[o] = '\0';
    return out;
}

/* ---- building the canonical components -------------------------------------- */

typedef struct purl_in {
    char *type, *ns, *name, *version, *subpath; /* decoded, in p->arena */
} purl_in;

static int cmp_qualifier(const void *a, const void *b)
{
    return strcmp(((const wb_purl_qualifier *)a)->key, ((const wb_purl_qualifier *)b)->key);
}

static bool valid_key(const char *k)
{
    if (!*k || (*k >= '0' && *k <= '9')) return false;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
              *k == '.' || *k == '-' || *k == '_'))
            return false;
    return true;
}

/* Joins the non-empty segments of a '/'-separated path (dropping "." and
 * ".." when dots is set) into the arena; NULL when nothing is left. */
static char *clean_path(wb_arena *a, const char *s, bool dots)
{
    if (!s) return NULL;
    size_t n = strlen(s), o = 0;
    char *out = wb_arena_alloc(a, n + 1);
    if (!out) return NULL;
    for (size_t i = 0; i < n;) {
        size_t st = i;
        while (i < n && s[i] != '/')
            i++;
        size_t len = i - st;
        bool skip = len == 0 || (dots && ((len == 1 && s[st] == '.') ||
                                          (len == 2 && s[st] == '.' && s[st + 1] == '.')));
        if (!skip) {
            if (o) out[o++] = '/';
            memcpy(out + o, s + st, len);
            o += len;
        }
        if (i < n) i++;
    }
    out[o] = '\0';
    return o ? out : NULL;
}

static int purl_finish(wb_purl *p, purl_in *in, const char *s, size_t n, wb_error *err)
{
    if (!in->type || !*in->type) return purl_fail(err, s, n, "the type is missing");
    if (in->type[0] >= '0' && in->type[0] <= '9')
        return purl_fail(err, s, n, "the type '%s' starts with a digit", in->type);
    for (const char *c = in->type; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '.' || *c == '+' || *c == '-'))
            return purl_fail(
                err, s, n, "the type '%s' may hold only letters, digits, '.', '+', '-'", in->type);
    lower(in->type);
    p->type = in->type;
    if (!in->name || !*in->name) return purl_fail(err, s, n, "the name is missing");
    if (in->version && !*in->version) return purl_fail(err, s, n, "the version after '@' is empty");
    p->ns = in->ns && *in->ns ? in->ns : NULL;
    p->version = in->version;
    p->subpath = in->subpath;
    if (p->nqualifiers > 1)
        qsort(p->qualifiers, p->nqualifiers, sizeof p->qualifiers[0], cmp_qualifier);
    for (size_t i = 1; i < p->nqualifiers; i++)
        if (strcmp(p->qualifiers[i - 1].key, p->qualifiers[i].key) == 0)
            return purl_fail(err, s, n, "the qualifier '%s' appears twice", p->qualifiers[i].key);
    const purl_type *t = purl_type_find(p->type);
    if (t) {
        if (t->ns == NS_REQUIRED && !p->ns)
            return purl_fail(err, s, n, "a %s purl needs a namespace", t->type);
        if (t->ns == NS_PROHIBITED && p->ns)
            return purl_fail(err, s, n, "a %s purl has no namespace ('%s' given)", t->type, p->ns);
        if (t->ns_lower && p->ns) lower(in->ns);
        if (t->name_lower) lower(in->name);
        if (t->version_lower && in->version) lower(in->version);
        if (t->required_qualifier && !wb_purl_qualifier_get(p, t->required_qualifier))
            return purl_fail(err, s, n, "a %s purl needs the qualifier '%s'", t->type,
                             t->required_qualifier);
        if (t->fix) {
            int rc = t->fix(p, in->name, err, s, n);
            if (rc != 0) return rc;
        }
    }
    p->name = in->name;
    return 0;
}

static int add_qualifier(wb_purl *p, size_t *cap, char *key, char *value, bool strict,
                         const char *s, size_t n, wb_error *err)
{
    if (!valid_key(key))
        return purl_fail(err, s, n,
                         "qualifier key '%s' may hold only letters, digits, '.', '-', '_' and "
                         "may not start with a digit",
                         key);
    for (const char *c = key; *c; c++)
        if (*c >= 'A' && *c <= 'Z') {
            if (strict) return purl_fail(err, s, n, "qualifier key '%s' is not lower-case", key);
            lower(key);
            break;
        }
    if (!*value) return 0; /* a key without a value is no qualifier */
    if (p->nqualifiers == WB_PURL_MAX_QUALIFIERS)
        return purl_fail(err, s, n, "more than %d qualifiers", WB_PURL_MAX_QUALIFIERS);
    if (p->nqualifiers == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        wb_purl_qualifier *q = wb_arena_alloc(&p->arena, ncap * sizeof *q);
        if (!q) return WB_ENOMEM;
        if (p->nqualifiers) memcpy(q, p->qualifiers, p->nqualifiers * sizeof *q);
        p->qualifiers = q;
        *cap = ncap;
    }
    p->qualifiers[p->nqualifiers++] = (wb_purl_qualifier){key, value};
    return 0;
}

static wb_purl *purl_new(void)
{
    wb_purl *p = calloc(1, sizeof *p);
    if (p) wb_arena_init(&p->arena, 1024);
    return p;
}

static int purl_parse(wb_purl *p, const char *s, size_t n, bool strict, wb_error *err)
{
    wb_arena *a = &p->arena;
    purl_in in = {0};
    bool bad = false;
    const char *end = s + n;
    /* subpath after the last '#' */
    const char *hash = NULL;
    for (const char *c = s; c < end; c++)
        if (*c == '#') hash = c;
    if (hash) {
        char *raw = decode(a, hash + 1, (size_t)(end - hash - 1), &bad);
        if (!raw) goto decode_failed;
        in.subpath = clean_path(a, raw, true);
        end = hash;
    }
    /* qualifiers after the last '?' */
    const char *q = NULL;
    for (const char *c = s; c < end; c++)
        if (*c == '?') q = c;
    size_t cap = 0;
    if (q) {
        for (const char *c = q + 1; c < end;) {
            const char *st = c;
            while (c < end && *c != '&')
                c++;
            if (c > st) {
                const char *eq = memchr(st, '=', (size_t)(c - st));
                if (!eq)
                    return purl_fail(err, s, n, "qualifier '%.*s' has no '='", (int)(c - st), st);
                char *key = wb_arena_strndup(a, st, (size_t)(eq - st));
                char *val = decode(a, eq + 1, (size_t)(c - eq - 1), &bad);
                if (!key || !val) goto decode_failed;
                int rc = add_qualifier(p, &cap, key, val, strict, s, n, err);
                if (rc != 0) return rc;
            }
            if (c < end) c++;
        }
        end = q;
    }
    /* scheme */
    const char *colon = memchr(s, ':', (size_t)(end - s));
    if (!colon || !(strict ? (colon - s == 3 && memcmp(s, "pkg", 3) == 0)
                           : wb_strn_ieq(s, (size_t)(colon - s), "pkg")))
        return purl_fail(err, s, n, "does not start with 'pkg:'");
    const char *c = colon + 1;
    while (c < end && *c == '/')
        c++;
    const char *slash = memchr(c, '/', (size_t)(end - c));
    if (!slash) return purl_fail(err, s, n, "no '/' after the type: the name is missing");
    in.type = wb_arena_strndup(a, c, (size_t)(slash - c));
    if (!in.type) return WB_ENOMEM;
    c = slash + 1;
    while (end > c && end[-1] == '/')
        end--;
    /* the version is after the last '@' of the last segment */
    const char *last = c;
    for (const char *x = c; x < end; x++)
        if (*x == '/') last = x + 1;
    const char *at = NULL;
    for (const char *x = last; x < end; x++)
        if (*x == '@') at = x;
    if (at) {
        in.version = decode(a, at + 1, (size_t)(end - at - 1), &bad);
        if (!in.version) goto decode_failed;
        end = at;
    }
    /* git: the namespace is the host, the name the repository path */
    if (wb_strn_ieq(in.type, strlen(in.type), "git") && last > c) {
        const char *host_end = memchr(c, '/', (size_t)(last - c));
        if (host_end && host_end + 1 < last) {
            in.name = decode(a, host_end + 1, (size_t)(end - host_end - 1), &bad);
            if (!in.name) goto decode_failed;
            /* Nothing left once empty segments go ("host//"): no name. */
            char *cleaned = clean_path(a, in.name, false);
            in.name = cleaned ? cleaned : wb_arena_strdup(a, "");
            if (!in.name) return WB_ENOMEM;
            last = host_end + 1;
        }
    }
    if (!in.name) in.name = decode(a, last, (size_t)(end - last), &bad);
    if (!in.name) goto decode_failed;
    if (last > c) {
        /* namespace segments, each decoded on its own */
        wb_buf ns = {0};
        for (const char *x = c; x < last - 1;) {
            const char *st = x;
            while (x < last - 1 && *x != '/')
                x++;
            if (x > st) {
                char *seg = decode(a, st, (size_t)(x - st), &bad);
                if (!seg) {
                    wb_buf_free(&ns);
                    goto decode_failed;
                }
                if (strchr(seg, '/')) {
                    wb_buf_free(&ns);
                    return purl_fail(err, s, n, "a namespace segment contains an encoded '/'");
                }
                if ((ns.len && wb_buf_putc(&ns, '/') != 0) || wb_buf_puts(&ns, seg) != 0) {
                    wb_buf_free(&ns); /* not "needs a namespace" for want of memory */
                    return WB_ENOMEM;
                }
            }
            if (x < last - 1) x++;
        }
        if (ns.len) {
            in.ns = wb_arena_strndup(a, ns.data, ns.len);
            wb_buf_free(&ns);
            if (!in.ns) return WB_ENOMEM;
        }
        wb_buf_free(&ns);
    }
    return purl_finish(p, &in, s, n, err);
decode_failed:
    if (bad) return purl_fail(err, s, n, "invalid percent-encoding");
    return WB_ENOMEM;
}

int wb_purl_parse(const char *s, size_t n, unsigned flags, wb_purl **out, wb_error *err)
{
    *out = NULL;
    bool strict = flags & WB_PURL_STRICT;
    if (n > WB_PURL_MAX) return purl_fail(err, s, 160, "longer than %d bytes", WB_PURL_MAX);
    if (memchr(s, '\0', n)) return purl_fail(err, s, n, "contains a NUL byte");
    if (!strict) {
        while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
            s++;
            n--;
        }
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
            n--;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] == 0x7f)
            return purl_fail(err, s, n,
                             "white space or a control character must be percent-encoded");
    wb_purl *p = purl_new();
    if (!p) return wb_error_set(err, WB_ENOMEM, "out of memory parsing a purl");
    int rc = purl_parse(p, s, n, strict, err);
    if (rc != 0) {
        if (rc == WB_ENOMEM) wb_error_set(err, WB_ENOMEM, "out of memory parsing a purl");
        wb_purl_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int wb_purl_build(const char *type, const char *ns, const char *name, const char *version,
                  const char *const *keys, const char *const *values, size_t nq,
                  const char *subpath, wb_purl **out, wb_error *err)
{
    *out = NULL;
    wb_purl *p = purl_new();
    if (!p) return wb_error_set(err, WB_ENOMEM, "out of memory building a purl");
    wb_arena *a = &p->arena;
    char shown[200];
    snprintf(shown, sizeof shown, "%s/%s%s%s", type ? type : "(no type)", ns ? ns : "",
             ns ? "/" : "", name ? name : "(no name)");
    size_t sn = strlen(shown);
    purl_in in = {0};
    int rc = 0;
    in.type = type ? wb_arena_strdup(a, type) : NULL;
    in.name = name ? wb_arena_strdup(a, name) : NULL;
    in.version = version ? wb_arena_strdup(a, version) : NULL;
    in.ns = clean_path(a, ns, false);
    in.subpath = clean_path(a, subpath, true);
    if ((type && !in.type) || (name && !in.name) || (version && !in.version)) rc = WB_ENOMEM;
    size_t cap = 0;
    for (size_t i = 0; rc == 0 && i < nq; i++) {
        char *k = wb_arena_strdup(a, keys[i]);
        char *v = wb_arena_strdup(a, values[i] ? values[i] : "");
        rc = k && v ? add_qualifier(p, &cap, k, v, false, shown, sn, err) : WB_ENOMEM;
    }
    if (rc == 0) rc = purl_finish(p, &in, shown, sn, err);
    if (rc != 0) {
        if (rc == WB_ENOMEM) wb_error_set(err, WB_ENOMEM, "out of memory building a purl");
        wb_purl_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

static int encode_path(wb_buf *b, const char *path)
{
    int rc = 0;
    for (const char *c = path; rc == 0 && *c;) {
        const char *st = c;
        while (*c && *c != '/')
            c++;
        if (st != path) rc = wb_buf_putc(b, '/');
        if (rc == 0) rc = encode_n(b, st, (size_t)(c - st));
        if (*c) c++;
    }
    return rc;
}

int wb_purl_format(const wb_purl *p, wb_buf *out)
{
    wb_buf_reset(out);
    int rc = wb_buf_printf(out, "pkg:%s/", p->type);
    if (rc == 0 && p->ns) {
        rc = encode_path(out, p->ns);
        if (rc == 0) rc = wb_buf_putc(out, '/');
    }
    if (rc == 0)
        rc = strcmp(p->type, "git") == 0 ? encode_path(out, p->name) : encode(out, p->name);
    if (rc == 0 && p->version) {
        rc = wb_buf_putc(out, '@');
        if (rc == 0) rc = encode(out, p->version);
    }
    for (size_t i = 0; rc == 0 && i < p->nqualifiers; i++) {
        rc = wb_buf_printf(out, "%c%s=", i ? '&' : '?', p->qualifiers[i].key);
        if (rc == 0) rc = encode(out, p->qualifiers[i].value);
    }
    if (rc == 0 && p->subpath) {
        rc = wb_buf_putc(out, '#');
        if (rc == 0) rc = encode_path(out, p->subpath);
    }
    return rc;
}

const char *wb_purl_qualifier_get(const wb_purl *p, const char *key)
{
    for (size_t i = 0; i < p->nqualifiers; i++)
        if (strcmp(p->qualifiers[i].key, key) == 0) return p->qualifiers[i].value;
    return NULL;
}

void wb_purl_free(wb_purl *p)
{
    if (!p) return;
    wb_arena_free(&p->arena);
    free(p);
}
