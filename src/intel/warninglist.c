/*
 * warninglist.c - MISP warninglists: lists of known-benign values (public
 * resolvers, RFC 1918 blocks, empty-file hashes, big sites) that the
 * matcher's sink consults so that such indicators are dropped at load.
 *
 * The five list types behave as in MISP (app/Model/Warninglist.php):
 *   string     the value equals an entry (compared case-insensitively)
 *   substring  the value contains an entry (case-insensitively)
 *   hostname   the host (of a domain, hostname or URL) equals an entry or is
 *              a subdomain of one; entries lose leading/trailing dots
 *   cidr       the address, or the whole indicator block, lies inside an
 *              entry; entries may be bare addresses
 *   regex      an entry matches (MISP's PCRE translated to POSIX ERE;
 *              what cannot be translated is a load error)
 * `matching_attributes` (MISP attribute types) limits a list to indicator
 * types; without it a list applies to every type. A composite value
 * ("ip|port") is checked on its address too, as MISP checks each part.
 *
 * Lookups must stay fast with a million indicators against lists of tens of
 * thousands of entries: string, hostname and cidr lists are hash sets (a
 * cidr lookup probes once per distinct prefix length in the list), only
 * substring and regex lists, which are short in practice, are scanned.
 * Everything is immutable after loading, so lookups are thread-safe.
 */
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "weerbaar/io.h"
#include "weerbaar/normalize.h"
#include "intel/intel.h"
#include "core/core_internal.h"

#define MAX_LIST_FILE ((size_t)256 << 20)
#define MAX_DEPTH 8
/* Values longer than this are not looked up in string/substring/regex lists
 * (the matcher refuses values of 2 KiB and more anyway). */
#define MAX_VALUE 4096

typedef enum wl_kind { WL_STRING, WL_SUBSTRING, WL_HOSTNAME, WL_CIDR, WL_REGEX } wl_kind;

typedef struct wl_slot {
    uint64_t h;
    const char *s; /* NULL: empty slot */
    size_t n;
} wl_slot;

typedef struct wl_set {
    wl_slot *slots;
    size_t cap, count; /* cap is a power of two */
    /* One bit per hash, 16+ bits per entry, built once loading is done:
     * most lookups miss, and the bitmap answers them from cache where the
     * slot array (megabytes for the big lists) would not. */
    uint64_t *bloom;
    uint64_t bloom_mask; /* bits - 1 */
} wl_set;

typedef struct wl_list {
    char *name;
    wl_kind kind;
    uint32_t types;       /* 1u << wb_ioc_type */
    wl_set set;           /* string, hostname, cidr */
    uint64_t prefixes[3]; /* cidr: which prefix lengths (0..128) occur */
    uint8_t plens[129];   /* cidr: the same, as a list, shortest first */
    unsigned nplens;
    const char **subs; /* substring */
    size_t *sublens, nsubs;
    regex_t *res; /* regex */
    size_t nres;
} wl_list;

struct wb_warninglists {
    wl_list *lists;
    size_t n, cap;
    wb_arena arena; /* names, entries and substring arrays */
};

#define SEED 0x7767726e6c697374ULL

/* ---- hash set --------------------------------------------------------------- */

static bool set_find(const wl_set *s, const char *k, size_t n)
{
    if (s->cap == 0) return false;
    uint64_t h = wb_hash64(k, n, SEED);
    if (s->bloom) {
        uint64_t bit = (h >> 20) & s->bloom_mask;
        if (!(s->bloom[bit / 64] >> (bit % 64) & 1)) return false;
    }
    for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        const wl_slot *sl = &s->slots[i];
        if (sl->s == NULL) return false;
        if (sl->h == h && sl->n == n && memcmp(sl->s, k, n) == 0) return true;
    }
}

static int set_grow(wl_set *s)
{
    size_t cap = s->cap ? s->cap * 2 : 64;
    wl_slot *ns = calloc(cap, sizeof *ns);
    if (ns == NULL) return WB_ENOMEM;
    for (size_t i = 0; i < s->cap; i++) {
        if (s->slots[i].s == NULL) continue;
        size_t j = s->slots[i].h & (cap - 1);
        while (ns[j].s != NULL)
            j = (j + 1) & (cap - 1);
        ns[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = ns;
    s->cap = cap;
    return 0;
}

/* Copies the key into the arena; duplicates are ignored. */
static int set_add(wl_set *s, wb_arena *a, const char *k, size_t n)
{
    if (set_find(s, k, n)) return 0;
    if ((s->count + 1) * 2 > s->cap && set_grow(s) != 0) return WB_ENOMEM;
    char *copy = wb_arena_alloc(a, n ? n : 1);
    if (copy == NULL) return WB_ENOMEM;
    memcpy(copy, k, n);
    uint64_t h = wb_hash64(k, n, SEED);
    size_t i = h & (s->cap - 1);
    while (s->slots[i].s != NULL)
        i = (i + 1) & (s->cap - 1);
    s->slots[i] = (wl_slot){h, copy, n};
    s->count++;
    return 0;
}

static int set_seal(wl_set *s)
{
    uint64_t bits = 1024;
    while (bits < (uint64_t)s->count * 16)
        bits *= 2;
    s->bloom = calloc(bits / 64, sizeof *s->bloom);
    if (s->bloom == NULL) return WB_ENOMEM;
    s->bloom_mask = bits - 1;
    for (size_t i = 0; i < s->cap; i++) {
        if (s->slots[i].s == NULL) continue;
        uint64_t bit = (s->slots[i].h >> 20) & s->bloom_mask;
        s->bloom[bit / 64] |= 1ull << (bit % 64);
    }
    return 0;
}

/* ---- cidr keys --------------------------------------------------------------- */

static void mask_addr(wb_addr *a, unsigned prefix)
{
    for (unsigned i = 0; i < 16; i++) {
        unsigned bits = prefix > i * 8 ? prefix - i * 8 : 0;
        if (bits >= 8) continue;
        a->b[i] &= (uint8_t)(0xff00u >> bits);
    }
}

/* A block as a 17-byte key: prefix length, then the masked address. */
static void cidr_key(const wb_addr *net, unsigned prefix, unsigned char key[17])
{
    wb_addr m = *net;
    mask_addr(&m, prefix);
    key[0] = (unsigned char)prefix;
    memcpy(key + 1, m.b, 16);
}

static bool cidr_lookup(const wl_list *l, const char *v, size_t n)
{
    wb_addr a;
    unsigned prefix;
    if (wb_cidr_parse(v, n, &a, &prefix) != 0) return false;
    unsigned char key[17];
    for (unsigned i = 0; i < l->nplens && l->plens[i] <= prefix; i++) {
        cidr_key(&a, l->plens[i], key);
        if (set_find(&l->set, (const char *)key, sizeof key)) return true;
    }
    return false;
}

/* ---- lookups ------------------------------------------------------------------- */

static size_t lower_copy(char *out, const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = wb_lower(v[i]);
    return n;
}

static bool hostname_lookup(const wl_list *l, const char *h, size_t n)
{
    char buf[256];
    if (n == 0 || n > sizeof buf) return false;
    lower_copy(buf, h, n);
    /* The host itself, then each parent domain. */
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || buf[i - 1] == '.') {
            if (set_find(&l->set, buf + i, n - i)) return true;
        }
    }
    return false;
}

static bool regex_lookup(const wl_list *l, const char *v, size_t n)
{
    char buf[MAX_VALUE + 1];
    if (n > MAX_VALUE) return false;
    memcpy(buf, v, n);
    buf[n] = '\0';
    for (size_t i = 0; i < l->nres; i++)
        if (regexec(&l->res[i], buf, 0, NULL, 0) == 0) return true;
    return false;
}

static bool substring_lookup(const wl_list *l, const char *v, size_t n)
{
    char buf[MAX_VALUE];
    if (n > MAX_VALUE) return false;
    lower_copy(buf, v, n);
    for (size_t i = 0; i < l->nsubs; i++)
        if (memmem(buf, n, l->subs[i], l->sublens[i]) != NULL) return true;
    return false;
}

static bool value_in_list(const wl_list *l, wb_ioc_type type, const char *v, size_t n)
{
    switch (l->kind) {
    case WL_STRING: {
        char buf[MAX_VALUE];
        if (n > MAX_VALUE) return false;
        lower_copy(buf, v, n);
        if (set_find(&l->set, buf, n)) return true;
        if (type == WB_IOC_URL) { /* entries are often written without a scheme */
            const char *sep = memmem(buf, n, "://", 3);
            if (sep) return set_find(&l->set, sep + 3, n - (size_t)(sep + 3 - buf));
        }
        return false;
    }
    case WL_SUBSTRING:
        return substring_lookup(l, v, n);
    case WL_HOSTNAME:
        if (type == WB_IOC_URL && !wb_url_host(v, n, &v, &n)) return false;
        return hostname_lookup(l, v, n);
    case WL_CIDR:
        /* Lists for "domain|ip" cover domains too, but only addresses can
         * lie inside a block. */
        return (type == WB_IOC_IP || type == WB_IOC_CIDR) && cidr_lookup(l, v, n);
    case WL_REGEX:
        return regex_lookup(l, v, n);
    }
    return false;
}

const char *wb_warninglists_find(const wb_warninglists *wl, wb_ioc_type type, const char *value,
                                 size_t len)
{
    if (wl == NULL || (unsigned)type >= WB_IOC_TYPE_COUNT) return NULL;
    /* "address|port": the address is checked on its own as well. */
    const char *bar = type == WB_IOC_IP_PORT ? memrchr(value, '|', len) : NULL;
    for (size_t i = 0; i < wl->n; i++) {
        const wl_list *l = &wl->lists[i];
        if (!(l->types & (1u << type))) continue;
        if (value_in_list(l, type, value, len)) return l->name;
        if (bar && value_in_list(l, WB_IOC_IP, value, (size_t)(bar - value))) return l->name;
    }
    return NULL;
}

/* ---- PCRE to POSIX ERE ------------------------------------------------------ */

static bool ere_special(char c)
{
    return strchr(".[]()*+?{}|^$\\", c) != NULL;
}

/* Translates the body of a PCRE pattern; returns WB_EINVAL (with *why) when it
 * uses something POSIX ERE cannot express. */
static int pcre_to_ere(const char *p, size_t n, wb_buf *out, int *cflags, const char **why)
{
    bool in_class = false;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char c = p[i];
        if (c == '\\') {
            if (++i == n) {
                *why = "trailing backslash";
                return WB_EINVAL;
            }
            char e = p[i];
            const char *cls = NULL;
            switch (e) {
            case 'd':
                cls = in_class ? "0-9" : "[0-9]";
                break;
            case 'w':
                cls = in_class ? "[:alnum:]_" : "[[:alnum:]_]";
                break;
            case 's':
                cls = in_class ? "[:space:]" : "[[:space:]]";
                break;
            case 'D':
                cls = in_class ? NULL : "[^0-9]";
                break;
            case 'W':
                cls = in_class ? NULL : "[^[:alnum:]_]";
                break;
            case 'S':
                cls = in_class ? NULL : "[^[:space:]]";
                break;
            case 't':
                cls = "\t";
                break;
            case 'n':
                cls = "\n";
                break;
            default:
                break;
            }
            if (cls) {
                rc = wb_buf_puts(out, cls);
            } else if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
                *why = "an escape POSIX regular expressions lack (\\b, \\A, back-references...)";
                return WB_EINVAL;
            } else if (in_class) {
                /* Inside [...] a backslash is literal in POSIX; ']' '^' '-'
                 * would need reordering, which is not worth guessing. */
                if (e == ']' || e == '^' || e == '-') {
                    *why = "an escaped ']', '^' or '-' inside [...]";
                    return WB_EINVAL;
                }
                rc = wb_buf_putc(out, e);
            } else if (ere_special(e)) {
                char two[2] = {'\\', e};
                rc = wb_buf_append(out, two, 2);
            } else {
                rc = wb_buf_putc(out, e); /* "\/", "\-", "\@" are the plain character */
            }
            continue;
        }
        if (in_class) {
            if (c == ']') in_class = false;
            rc = wb_buf_putc(out, c);
            continue;
        }
        if (c == '[') {
            in_class = true;
            rc = wb_buf_putc(out, c);
            /* A ']' right after "[" or "[^" is a literal. */
            if (i + 1 < n && p[i + 1] == '^') rc = rc ? rc : wb_buf_putc(out, p[++i]);
            if (i + 1 < n && p[i + 1] == ']') rc = rc ? rc : wb_buf_putc(out, p[++i]);
            continue;
        }
        if (c == '(' && i + 1 < n && p[i + 1] == '?') {
            if (i + 2 < n && p[i + 2] == ':') {
                rc = wb_buf_putc(out, '(');
                i += 2;
                continue;
            }
            if (i == 0 && n >= 4 && memcmp(p, "(?i)", 4) == 0) {
                *cflags |= REG_ICASE;
                i += 3;
                continue;
            }
            *why = "a (?...) group (lookaround, named group or inline flag)";
            return WB_EINVAL;
        }
        if ((c == '*' || c == '+' || c == '?' || c == '}') && i + 1 < n &&
            (p[i + 1] == '?' || p[i + 1] == '+')) {
            if (p[i + 1] == '+') {
                *why = "a possessive quantifier";
                return WB_EINVAL;
            }
            /* Lazy and greedy match the same strings; only the extent of
             * the match differs, and we only ask whether there is one. */
            rc = wb_buf_putc(out, c);
            i++;
            continue;
        }
        rc = wb_buf_putc(out, c);
    }
    return rc;
}

/* "/body/flags" (any non-alphanumeric delimiter) or a bare body. */
static int compile_regex(const char *s, size_t n, regex_t *re, char *why, size_t whycap)
{
    const char *body = s;
    size_t bn = n;
    int cflags = REG_EXTENDED | REG_NOSUB;
    char d = n ? s[0] : 0;
    if (n >= 2 && !((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || (d >= '0' && d <= '9') ||
                    d == '\\' || d == ' ' || d == '^' || d == '(' || d == '[' || d == '.')) {
        const char *last = memrchr(s + 1, d, n - 1);
        if (last == NULL) {
            snprintf(why, whycap, "no closing delimiter '%c'", d);
            return WB_EINVAL;
        }
        body = s + 1;
        bn = (size_t)(last - body);
        for (const char *f = last + 1; f < s + n; f++) {
            if (*f == 'i')
                cflags |= REG_ICASE;
            else if (*f != 'm' && *f != 's' && *f != 'u' && *f != 'D') {
                snprintf(why, whycap, "unsupported flag '%c'", *f);
                return WB_EINVAL;
            }
        }
    }
    wb_buf ere = {0};
    const char *reason = NULL;
    int rc = pcre_to_ere(body, bn, &ere, &cflags, &reason);
    if (rc == WB_EINVAL) {
        snprintf(why, whycap, "%s", reason);
    } else if (rc == 0) {
        int r = regcomp(re, ere.data ? ere.data : "", cflags);
        if (r != 0) {
            regerror(r, re, why, whycap);
            rc = WB_EINVAL;
        }
    }
    wb_buf_free(&ere);
    return rc;
}

/* ---- loading ------------------------------------------------------------------- */

int wb_warninglists_new(wb_warninglists **out)
{
    *out = calloc(1, sizeof **out);
    if (*out == NULL) return WB_ENOMEM;
    wb_arena_init(&(*out)->arena, 0);
    return 0;
}

static void list_free(wl_list *l)
{
    free(l->set.slots);
    free(l->set.bloom);
    for (size_t i = 0; i < l->nres; i++)
        regfree(&l->res[i]);
    free(l->res);
    memset(l, 0, sizeof *l);
}

void wb_warninglists_free(wb_warninglists *wl)
{
    if (wl == NULL) return;
    for (size_t i = 0; i < wl->n; i++)
        list_free(&wl->lists[i]);
    free(wl->lists);
    wb_arena_free(&wl->arena);
    free(wl);
}

size_t wb_warninglists_count(const wb_warninglists *wl)
{
    return wl ? wl->n : 0;
}

static int parse_kind(const json_t *type, wl_kind *out)
{
    if (json_is_array(type)) type = json_array_get(type, 0); /* MISP takes the first */
    if (type == NULL) {
        *out = WL_STRING; /* MISP's default */
        return 0;
    }
    if (!json_is_string(type)) return WB_EINVAL;
    static const char *const names[] = {"string", "substring", "hostname", "cidr", "regex"};
    for (int k = 0; k < 5; k++) {
        if (strcmp(json_string_value(type), names[k]) == 0) {
            *out = (wl_kind)k;
            return 0;
        }
    }
    return WB_EINVAL;
}

static int add_entry(wb_warninglists *wl, wl_list *l, const char *v, size_t n, const char *path,
                     size_t idx, wb_error *err)
{
    char buf[MAX_VALUE];
    buf[0] = '\0'; /* n > 0 here, but the compiler cannot tell */
    switch (l->kind) {
    case WL_STRING: {
        if (n > MAX_VALUE) return 0; /* could never equal a value we look up */
        lower_copy(buf, v, n);
        int rc = set_add(&l->set, &wl->arena, buf, n);
        /* An address entry also in the form the normaliser writes. */
        wb_addr a;
        if (rc == 0 && memchr(v, '/', n) == NULL && wb_addr_parse(v, n, &a) == 0) {
            char canon[64];
            size_t cn = wb_addr_format(&a, 128, canon, sizeof canon);
            rc = set_add(&l->set, &wl->arena, canon, cn);
        }
        return rc;
    }
    case WL_HOSTNAME: {
        while (n && v[0] == '.') {
            v++;
            n--;
        }
        while (n && v[n - 1] == '.')
            n--;
        if (n == 0 || n > 255) return 0;
        lower_copy(buf, v, n);
        return set_add(&l->set, &wl->arena, buf, n);
    }
    case WL_SUBSTRING: {
        if (n > MAX_VALUE) return 0;
        char *s = wb_arena_alloc(&wl->arena, n);
        if (s == NULL) return WB_ENOMEM;
        lower_copy(s, v, n);
        l->subs[l->nsubs] = s;
        l->sublens[l->nsubs++] = n;
        return 0;
    }
    case WL_CIDR: {
        wb_addr net;
        unsigned prefix;
        if (wb_cidr_parse(v, n, &net, &prefix) != 0)
            return wb_error_set(err, WB_EPARSE,
                                "%s: $.list[%zu]: list '%s': '%.*s' is not an address or CIDR",
                                path, idx, l->name, (int)(n > 100 ? 100 : n), v);
        unsigned char key[17];
        cidr_key(&net, prefix, key);
        l->prefixes[prefix / 64] |= 1ull << (prefix % 64);
        return set_add(&l->set, &wl->arena, (const char *)key, sizeof key);
    }
    case WL_REGEX: {
        char why[256];
        if (compile_regex(v, n, &l->res[l->nres], why, sizeof why) != 0)
            return wb_error_set(err, WB_EPARSE,
                                "%s: $.list[%zu]: list '%s': cannot use regex '%.*s': %s", path,
                                idx, l->name, (int)(n > 200 ? 200 : n), v, why);
        l->nres++;
        return 0;
    }
    }
    return 0;
}

static int load_entries(wb_warninglists *wl, wl_list *l, const json_t *list, const char *path,
                        wb_error *err)
{
    size_t count = json_is_array(list) ? json_array_size(list) : json_object_size(list);
    if (l->kind == WL_SUBSTRING) {
        l->subs = wb_arena_alloc(&wl->arena, (count ? count : 1) * sizeof *l->subs);
        l->sublens = wb_arena_alloc(&wl->arena, (count ? count : 1) * sizeof *l->sublens);
        if (l->subs == NULL || l->sublens == NULL) return WB_ENOMEM;
    } else if (l->kind == WL_REGEX) {
        l->res = calloc(count ? count : 1, sizeof *l->res);
        if (l->res == NULL) return WB_ENOMEM;
    }
    int rc = 0;
    if (json_is_array(list)) {
        size_t i;
        const json_t *e;
        json_array_foreach(list, i, e)
        {
            if (!json_is_string(e))
                return wb_error_set(err, WB_EPARSE, "%s: $.list[%zu]: not a string", path, i);
            size_t n = json_string_length(e);
            if (n == 0) continue; /* MISP drops empty entries too */
            rc = add_entry(wl, l, json_string_value(e), n, path, i, err);
            if (rc) return rc;
        }
    } else {
        /* Lists with comments: {"value": "comment", ...}. */
        const char *k;
        const json_t *e;
        size_t i = 0;
        json_object_foreach((json_t *)list, k, e)
        {
            size_t n = strlen(k);
            if (n) rc = add_entry(wl, l, k, n, path, i, err);
            if (rc) return rc;
            i++;
        }
    }
    return 0;
}

static int load_json(wb_warninglists *wl, const char *path, const char *data, size_t len,
                     wb_error *err);

static int load_file(wb_warninglists *wl, const char *path, wb_error *err)
{
    char *data;
    size_t len;
    int rc = wb_read_file(path, MAX_LIST_FILE, &data, &len, err);
    if (rc) return rc;
    rc = load_json(wl, path, data, len, err);
    free(data);
    return rc;
}

int wb_warninglists_load_buffer(wb_warninglists *wl, const char *name, const char *data, size_t len,
                                wb_error *err)
{
    if (len > MAX_LIST_FILE)
        return wb_error_set(err, WB_ELIMIT, "%s: larger than %zu bytes", name,
                            (size_t)MAX_LIST_FILE);
    return load_json(wl, name, data, len, err);
}

static int load_json(wb_warninglists *wl, const char *path, const char *data, size_t len,
                     wb_error *err)
{
    int rc = 0;
    json_error_t je;
    json_t *root = json_loadb(data, len, 0, &je);
    if (root == NULL && wbi_core_json_oom(&je))
        return wb_error_set(err, WB_ENOMEM, "%s: out of memory", path);
    if (root == NULL)
        return wb_error_set(err, WB_EPARSE, "%s:%d:%d: %s", path, je.line, je.column, je.text);
    const json_t *name = json_object_get(root, "name");
    const json_t *list = json_object_get(root, "list");
    const json_t *attrs = json_object_get(root, "matching_attributes");
    wl_list l = {0};
    if (!json_is_string(name) || json_string_length(name) == 0)
        rc = wb_error_set(err, WB_EPARSE, "%s: $.name: missing or not a string", path);
    else if (!json_is_array(list) && !json_is_object(list))
        rc = wb_error_set(err, WB_EPARSE, "%s: $.list: missing or not an array", path);
    else if (parse_kind(json_object_get(root, "type"), &l.kind) != 0)
        rc = wb_error_set(err, WB_EPARSE,
                          "%s: $.type: not one of string, substring, hostname, cidr, regex", path);
    else if (attrs != NULL && !json_is_array(attrs))
        rc = wb_error_set(err, WB_EPARSE, "%s: $.matching_attributes: not an array", path);
    if (rc == 0) {
        l.name = wb_arena_strdup(&wl->arena, json_string_value(name));
        if (l.name == NULL) rc = WB_ENOMEM;
    }
    if (rc == 0) {
        if (json_array_size(attrs) == 0) {
            l.types = (1u << WB_IOC_TYPE_COUNT) - 1;
        } else {
            size_t i;
            const json_t *a;
            json_array_foreach(attrs, i, a)
            {
                if (json_is_string(a))
                    l.types |= wbi_type_mask(json_string_value(a), json_string_length(a));
            }
        }
        rc = load_entries(wl, &l, list, path, err);
    }
    if (rc == 0 && l.set.count > 0) rc = set_seal(&l.set);
    for (unsigned q = 0; q <= 128; q++)
        if (l.prefixes[q / 64] >> (q % 64) & 1) l.plens[l.nplens++] = (uint8_t)q;
    if (rc == 0 && wl->n == wl->cap) {
        size_t cap = wl->cap ? wl->cap * 2 : 16;
        wl_list *nl = realloc(wl->lists, cap * sizeof *nl);
        if (nl == NULL) {
            rc = WB_ENOMEM;
        } else {
            wl->lists = nl;
            wl->cap = cap;
        }
    }
    if (rc == WB_ENOMEM) wb_error_set(err, rc, "%s: out of memory", path);
    if (rc == 0)
        wl->lists[wl->n++] = l;
    else
        list_free(&l);
    json_decref(root);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int not_hidden(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

static int load_path(wb_warninglists *wl, const char *path, int depth, bool top, wb_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return wb_error_set(err, errno == ENOENT ? WB_ENOTFOUND : WB_EIO, "%s: %s", path,
                            strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        /* Inside a directory only list.json files count (MISP's layout is
         * lists/<name>/list.json, next to README files and scripts). */
        if (!top && !wb_str_endswith(path, "/list.json")) return 0;
        return load_file(wl, path, err);
    }
    if (depth >= MAX_DEPTH)
        return wb_error_set(err, WB_ELIMIT, "%s: directories nested deeper than %d", path,
                            MAX_DEPTH);
    struct dirent **ents;
    int n = scandir(path, &ents, not_hidden, NULL);
    if (n < 0) return wb_error_set(err, WB_EIO, "%s: %s", path, strerror(errno));
    char **names = calloc((size_t)n + 1, sizeof *names);
    int rc = names ? 0 : wb_error_set(err, WB_ENOMEM, "out of memory");
    for (int i = 0; names && i < n; i++)
        names[i] = ents[i]->d_name;
    if (names) qsort(names, (size_t)n, sizeof *names, cmp_str);
    wb_buf sub = {0};
    for (int i = 0; rc == 0 && i < n; i++) {
        wb_buf_reset(&sub);
        if (wb_buf_printf(&sub, "%s%s%s", path, wb_str_endswith(path, "/") ? "" : "/", names[i]))
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        else
            rc = load_path(wl, sub.data, depth + 1, false, err);
    }
    wb_buf_free(&sub);
    for (int i = 0; i < n; i++)
        free(ents[i]);
    free(ents);
    free(names);
    return rc;
}

int wb_warninglists_load(wb_warninglists *wl, const char *path, wb_error *err)
{
    return load_path(wl, path, 0, true, err);
}
