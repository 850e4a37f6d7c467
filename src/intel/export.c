/*
 * export.c - writes a built indicator set for Zeek's Intel framework,
 * Suricata's datasets and rules, or as weerbaar's CSV (see intelexport.h).
 *
 * The set is taken after warninglists and expiry, so a sensor fed from here
 * sees exactly what `weerbaar match` matches. Formats follow Zeek 6's
 * Intel::read_files input (a #fields header, tab-separated, URLs without
 * their scheme) and Suricata 7's dataset (base64 lines for `type string`),
 * iprep (ip[/len],category,score) and filemd5/filesha1/filesha256 list
 * files. Each target says what it cannot express by counting it, per type.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "weerbaar/intelexport.h"

#define DEFAULT_SID 1740000u
#define GROUP_MAX 200 /* addresses per Suricata address-group rule */

int wb_export_target_parse(const char *name, wb_export_target *out)
{
    static const struct {
        const char *name;
        wb_export_target t;
    } names[] = {{"zeek-intel", WB_EXPORT_ZEEK_INTEL},
                 {"suricata-dataset", WB_EXPORT_SURICATA_DATASET},
                 {"suricata-rules", WB_EXPORT_SURICATA_RULES},
                 {"csv", WB_EXPORT_CSV}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].t;
            return 0;
        }
    return WB_EINVAL;
}

/* ---- files ------------------------------------------------------------------- */

typedef struct xfile {
    FILE *f;
    char *path; /* NULL for the caller's stream */
    bool own;
} xfile;

static int xopen(xfile *x, const char *dir, const char *name, FILE *dflt, wb_error *err)
{
    memset(x, 0, sizeof *x);
    if (dir == NULL && (name == NULL || strcmp(name, "-") == 0)) {
        x->f = dflt;
        return 0;
    }
    size_t n = (dir ? strlen(dir) + 1 : 0) + strlen(name) + 1;
    x->path = malloc(n);
    if (x->path == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    snprintf(x->path, n, "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
    x->f = fopen(x->path, "w");
    if (x->f == NULL) {
        int rc = wb_error_set(err, WB_EIO, "%s: %s", x->path, strerror(errno));
        free(x->path);
        x->path = NULL;
        return rc;
    }
    x->own = true;
    return 0;
}

/* Closes (or flushes) and reports a write that failed. */
static int xclose(xfile *x, int rc, wb_error *err)
{
    if (x->f == NULL) return rc;
    bool bad = ferror(x->f) != 0;
    if (x->own) {
        bad |= fclose(x->f) != 0;
    } else {
        bad |= fflush(x->f) != 0;
    }
    if (bad && rc == 0)
        rc = wb_error_set(err, WB_EIO, "%s: cannot write", x->path ? x->path : "standard output");
    free(x->path);
    memset(x, 0, sizeof *x);
    return rc;
}

/* ---- helpers --------------------------------------------------------------------- */

/* The values written so far, each once per target (the first one wins:
 * load order, so the output is stable); v keeps them in order. An open
 * addressing set, since a feed holds a million values. */
typedef struct uniq {
    char **v;
    size_t n, vcap;
    uint32_t *slots; /* index + 1, 0 = empty */
    size_t cap;      /* a power of two */
} uniq;

#define USEED 0x6578706f7274ULL

static bool uniq_seen(uniq *u, const char *v, int *rc)
{
    if ((u->n + 1) * 2 > u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 1024;
        uint32_t *ns = calloc(cap, sizeof *ns);
        if (ns == NULL) {
            *rc = WB_ENOMEM;
            return true;
        }
        for (size_t i = 0; i < u->n; i++) {
            size_t h = wb_hash64(u->v[i], strlen(u->v[i]), USEED) & (cap - 1);
            while (ns[h])
                h = (h + 1) & (cap - 1);
            ns[h] = (uint32_t)i + 1;
        }
        free(u->slots);
        u->slots = ns;
        u->cap = cap;
    }
    size_t h = wb_hash64(v, strlen(v), USEED) & (u->cap - 1);
    while (u->slots[h]) {
        if (strcmp(u->v[u->slots[h] - 1], v) == 0) return true;
        h = (h + 1) & (u->cap - 1);
    }
    if (u->n == u->vcap) {
        size_t vcap = u->vcap ? u->vcap * 2 : 64;
        char **nv = realloc(u->v, vcap * sizeof *nv);
        if (nv == NULL) {
            *rc = WB_ENOMEM;
            return true;
        }
        u->v = nv;
        u->vcap = vcap;
    }
    if ((u->v[u->n] = strdup(v)) == NULL) {
        *rc = WB_ENOMEM;
        return true;
    }
    u->slots[h] = (uint32_t)u->n + 1;
    u->n++;
    return false;
}

static void uniq_free(uniq *u)
{
    for (size_t i = 0; i < u->n; i++)
        free(u->v[i]);
    free(u->v);
    free(u->slots);
}

/* A URL without its "scheme://", as Zeek and Suricata see it. */
static const char *no_scheme(const char *url)
{
    const char *s = strstr(url, "://");
    return s ? s + 3 : url;
}

/* Text for a Zeek field: tabs and newlines cannot stand in it. */
static void zeek_text(FILE *f, const char *s)
{
    if (s == NULL || *s == '\0') {
        fputc('-', f);
        return;
    }
    for (; *s; s++)
        fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

static void csv_cell(FILE *f, const char *v)
{
    if (v == NULL) return;
    if (strpbrk(v, ",\"\r\n") == NULL) {
        fputs(v, f);
        return;
    }
    fputc('"', f);
    for (; *v; v++) {
        if (*v == '"') fputc('"', f);
        fputc(*v, f);
    }
    fputc('"', f);
}

static void base64(FILE *f, const char *s)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s);
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        fputc(tab[v >> 18 & 63], f);
        fputc(tab[v >> 12 & 63], f);
        fputc(i + 1 < n ? tab[v >> 6 & 63] : '=', f);
        fputc(i + 2 < n ? tab[v & 63] : '=', f);
    }
    fputc('\n', f);
}

/* A Suricata content string: the bytes its grammar reserves as |hex|. */
static void sur_content(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == ';' || c == '\\' || c == '|' || c < 0x20 || c >= 0x7f)
            fprintf(f, "|%02X|", c);
        else
            fputc(c, f);
    }
}

/* A Suricata msg: no quote, semicolon or backslash. */
static void sur_msg(FILE *f, const char *s)
{
    for (; *s; s++)
        fputc(*s == '"' || *s == ';' || *s == '\\' ? '_' : *s, f);
}

static void sur_meta(FILE *f, const wb_ioc *ioc)
{
    const char *tlp = wb_tlp_name(ioc->tlp);
    if (ioc->event == NULL && tlp == NULL) return;
    fputs(" metadata:", f);
    if (ioc->event) fprintf(f, "weerbaar_event %s", ioc->event);
    if (ioc->event && tlp) fputs(", ", f);
    if (tlp) fprintf(f, "tlp %s", tlp);
    fputc(';', f);
}

/* ---- zeek-intel and csv -------------------------------------------------------------- */

static const char *zeek_type(wb_ioc_type t)
{
    switch (t) {
    case WB_IOC_IP:
        return "Intel::ADDR";
    case WB_IOC_CIDR:
        return "Intel::SUBNET";
    case WB_IOC_DOMAIN:
    case WB_IOC_HOSTNAME:
        return "Intel::DOMAIN";
    case WB_IOC_URL:
        return "Intel::URL";
    case WB_IOC_MD5:
    case WB_IOC_SHA1:
    case WB_IOC_SHA256:
        return "Intel::FILE_HASH";
    case WB_IOC_EMAIL:
        return "Intel::EMAIL";
    case WB_IOC_IP_PORT:
    case WB_IOC_TYPE_COUNT:
        break;
    }
    return NULL; /* Zeek's Intel framework has no address|port type */
}

static int export_zeek(const wb_iocset *set, const wb_export_opts *o, wb_export_stats *st,
                       wb_error *err)
{
    xfile x;
    int rc = xopen(&x, NULL, o->path, o->out, err);
    if (rc) return rc;
    fputs("#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n", x.f);
    size_t n = wb_iocset_count(set);
    for (uint32_t i = 0; i < n; i++) {
        wb_ioc ioc;
        wb_iocset_get(set, i, &ioc);
        const char *t = zeek_type(ioc.type);
        if (t == NULL) {
            st->skipped[ioc.type]++;
            continue;
        }
        st->written[ioc.type]++;
        zeek_text(x.f, ioc.type == WB_IOC_URL ? no_scheme(ioc.value) : ioc.value);
        fprintf(x.f, "\t%s\t", t);
        zeek_text(x.f, ioc.event ? ioc.event : ioc.source);
        fputc('\t', x.f);
        const char *tlp = wb_tlp_name(ioc.tlp);
        if (tlp || ioc.attribute) {
            fprintf(x.f, "%s%s%s%s", tlp ? "TLP:" : "", tlp ? tlp : "",
                    tlp && ioc.attribute ? " " : "", ioc.attribute ? ioc.attribute : "");
        } else {
            fputc('-', x.f);
        }
        fputs("\t-\n", x.f);
    }
    return xclose(&x, 0, err);
}

static int export_csv(const wb_iocset *set, const wb_export_opts *o, wb_export_stats *st,
                      wb_error *err)
{
    xfile x;
    int rc = xopen(&x, NULL, o->path, o->out, err);
    if (rc) return rc;
    fputs("type,value,event,uuid,source,tlp\r\n", x.f);
    size_t n = wb_iocset_count(set);
    for (uint32_t i = 0; i < n; i++) {
        wb_ioc ioc;
        wb_iocset_get(set, i, &ioc);
        st->written[ioc.type]++;
        const char *cells[6] = {
            wb_ioc_type_name(ioc.type), ioc.value, ioc.event, ioc.attribute, ioc.source,
            wb_tlp_name(ioc.tlp)};
        for (int k = 0; k < 6; k++) {
            csv_cell(x.f, cells[k]);
            fputs(k < 5 ? "," : "\r\n", x.f);
        }
    }
    return xclose(&x, 0, err);
}

/* ---- Suricata ----------------------------------------------------------------------- */

static int make_dir(const char *dir, wb_error *err)
{
    if (dir == NULL || strcmp(dir, "-") == 0)
        return wb_error_set(err, WB_EINVAL, "Suricata exports are several files: give --out DIR");
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return wb_error_set(err, WB_EIO, "%s: %s", dir, strerror(errno));
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return wb_error_set(err, WB_EIO, "%s: not a directory", dir);
    return 0;
}

typedef struct hashlists {
    xfile f[3]; /* md5, sha1, sha256 */
    uint64_t n[3];
} hashlists;

static const char *const hash_file[3] = {"weerbaar-md5.txt", "weerbaar-sha1.txt",
                                         "weerbaar-sha256.txt"};
static const char *const hash_kw[3] = {"filemd5", "filesha1", "filesha256"};

static int hash_index(wb_ioc_type t)
{
    return t == WB_IOC_MD5 ? 0 : t == WB_IOC_SHA1 ? 1 : t == WB_IOC_SHA256 ? 2 : -1;
}

/* Writes the hash list files (for both Suricata targets) and their rules. */
static int hash_rules(const wb_iocset *set, const char *dir, FILE *rules, uint32_t *sid,
                      wb_export_stats *st, wb_error *err)
{
    hashlists h;
    memset(&h, 0, sizeof h);
    int rc = 0;
    uniq seen = {0};
    size_t n = wb_iocset_count(set);
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        wb_ioc ioc;
        wb_iocset_get(set, i, &ioc);
        int k = hash_index(ioc.type);
        if (k < 0 || uniq_seen(&seen, ioc.value, &rc)) continue;
        if (h.f[k].f == NULL && (rc = xopen(&h.f[k], dir, hash_file[k], NULL, err)) != 0) break;
        fprintf(h.f[k].f, "%s\n", ioc.value);
        h.n[k]++;
        st->written[ioc.type]++;
    }
    uniq_free(&seen);
    for (int k = 0; k < 3; k++) {
        rc = xclose(&h.f[k], rc, err);
        if (rc == 0 && h.n[k]) {
            fprintf(rules,
                    "alert http any any -> any any (msg:\"weerbaar: file %s is an indicator\"; "
                    "%s:%s; sid:%u; rev:1;)\n",
                    hash_kw[k] + 4, hash_kw[k], hash_file[k], (*sid)++);
            st->rules++;
        }
    }
    return rc;
}

static int export_dataset(const wb_iocset *set, const wb_export_opts *o, wb_export_stats *st,
                          wb_error *err)
{
    const char *dir = o->path;
    int rc = make_dir(dir, err);
    if (rc) return rc;
    xfile names, rep, cat, rules;
    memset(&names, 0, sizeof names);
    memset(&rep, 0, sizeof rep);
    memset(&cat, 0, sizeof cat);
    rc = xopen(&rules, dir, "weerbaar-datasets.rules", NULL, err);
    if (rc) return rc;
    uint32_t sid = o->sid_base ? o->sid_base : DEFAULT_SID;
    uniq seen = {0};
    uint64_t nnames = 0, nips = 0;
    size_t n = wb_iocset_count(set);
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        wb_ioc ioc;
        wb_iocset_get(set, i, &ioc);
        switch (ioc.type) {
        case WB_IOC_DOMAIN:
        case WB_IOC_HOSTNAME:
            if (uniq_seen(&seen, ioc.value, &rc)) break;
            if (names.f == NULL && (rc = xopen(&names, dir, "weerbaar-names.lst", NULL, err)))
                break;
            base64(names.f, ioc.value);
            nnames++;
            st->written[ioc.type]++;
            break;
        case WB_IOC_IP:
        case WB_IOC_CIDR:
            if (uniq_seen(&seen, ioc.value, &rc)) break;
            if (rep.f == NULL && (rc = xopen(&rep, dir, "weerbaar.iprep", NULL, err))) break;
            fprintf(rep.f, "%s,1,100\n", ioc.value);
            nips++;
            st->written[ioc.type]++;
            break;
        case WB_IOC_MD5:
        case WB_IOC_SHA1:
        case WB_IOC_SHA256:
            break; /* below */
        case WB_IOC_URL:
        case WB_IOC_EMAIL:
        case WB_IOC_IP_PORT:
        case WB_IOC_TYPE_COUNT:
            st->skipped[ioc.type]++;
            break;
        }
    }
    uniq_free(&seen);
    rc = xclose(&names, rc, err);
    rc = xclose(&rep, rc, err);
    if (rc == 0 && nnames) {
        static const char *const bufs[3][3] = {{"dns", "dns.query", "DNS query"},
                                               {"http", "http.host", "HTTP host"},
                                               {"tls", "tls.sni", "TLS SNI"}};
        for (int k = 0; k < 3; k++) {
            fprintf(rules.f,
                    "alert %s any any -> any any (msg:\"weerbaar: %s is an indicator\"; %s; "
                    "dataset:isset,weerbaar-names,type string,load weerbaar-names.lst; sid:%u; "
                    "rev:1;)\n",
                    bufs[k][0], bufs[k][2], bufs[k][1], sid++);
            st->rules++;
        }
    }
    if (rc == 0 && nips) {
        rc = xopen(&cat, dir, "weerbaar-categories.txt", NULL, err);
        if (rc == 0) fputs("1,weerbaar,weerbaar indicators\n", cat.f);
        rc = xclose(&cat, rc, err);
        fprintf(rules.f,
                "alert ip any any -> any any (msg:\"weerbaar: address on the weerbaar reputation "
                "list\"; iprep:any,weerbaar,>,0; sid:%u; rev:1;)\n",
                sid++);
        st->rules++;
    }
    if (rc == 0) rc = hash_rules(set, dir, rules.f, &sid, st, err);
    return xclose(&rules, rc, err);
}

/* A rule's name match: the name and its subdomains (dotprefix + endswith)
 * for a domain, exactly the name for a hostname. */
static void name_rule(FILE *f, const char *proto, const char *buf, const char *what,
                      const wb_ioc *ioc, uint32_t sid)
{
    fprintf(f, "alert %s any any -> any any (msg:\"weerbaar: %s ", proto, what);
    sur_msg(f, ioc->value);
    fprintf(f, "\"; %s; ", buf);
    if (ioc->type == WB_IOC_DOMAIN) {
        fputs("dotprefix; content:\".", f);
        sur_content(f, ioc->value);
        fputs(strcmp(buf, "http.host") == 0 ? "\"; endswith;" : "\"; nocase; endswith;", f);
    } else {
        fputs("content:\"", f);
        sur_content(f, ioc->value);
        fputs(strcmp(buf, "http.host") == 0 ? "\"; startswith; endswith;"
                                            : "\"; nocase; startswith; endswith;",
              f);
    }
    sur_meta(f, ioc);
    fprintf(f, " sid:%u; rev:1;)\n", sid);
}

static void group_rules(FILE *f, char **addrs, size_t n, uint32_t *sid, wb_export_stats *st)
{
    for (size_t i = 0; i < n; i += GROUP_MAX) {
        size_t end = i + GROUP_MAX < n ? i + GROUP_MAX : n;
        for (int dir = 0; dir < 2; dir++) {
            fprintf(f, "alert ip %s", dir ? "any any -> [" : "[");
            for (size_t k = i; k < end; k++)
                fprintf(f, "%s%s", k > i ? "," : "", addrs[k]);
            fprintf(f,
                    "] any%s (msg:\"weerbaar: traffic %s an indicator address\"; sid:%u; "
                    "rev:1;)\n",
                    dir ? "" : " -> any any", dir ? "to" : "from", (*sid)++);
            st->rules++;
        }
    }
}

static int export_rules(const wb_iocset *set, const wb_export_opts *o, wb_export_stats *st,
                        wb_error *err)
{
    const char *dir = o->path;
    int rc = make_dir(dir, err);
    if (rc) return rc;
    xfile rules;
    rc = xopen(&rules, dir, "weerbaar.rules", NULL, err);
    if (rc) return rc;
    FILE *f = rules.f;
    uint32_t sid = o->sid_base ? o->sid_base : DEFAULT_SID;
    uniq seen = {0}, addrs = {0};
    size_t n = wb_iocset_count(set);
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        wb_ioc ioc;
        wb_iocset_get(set, i, &ioc);
        switch (ioc.type) {
        case WB_IOC_DOMAIN:
        case WB_IOC_HOSTNAME:
            if (uniq_seen(&seen, ioc.value, &rc)) break;
            name_rule(f, "dns", "dns.query", "DNS query for", &ioc, sid++);
            name_rule(f, "http", "http.host", "HTTP request to", &ioc, sid++);
            name_rule(f, "tls", "tls.sni", "TLS connection to", &ioc, sid++);
            st->rules += 3;
            st->written[ioc.type]++;
            break;
        case WB_IOC_IP:
        case WB_IOC_CIDR:
            if (!uniq_seen(&addrs, ioc.value, &rc)) st->written[ioc.type]++;
            break;
        case WB_IOC_IP_PORT: {
            if (uniq_seen(&seen, ioc.value, &rc)) break;
            const char *bar = strrchr(ioc.value, '|');
            if (bar == NULL) {
                st->skipped[ioc.type]++;
                break;
            }
            fprintf(f, "alert ip any any -> %.*s %s (msg:\"weerbaar: traffic to ",
                    (int)(bar - ioc.value), ioc.value, bar + 1);
            sur_msg(f, ioc.value);
            fputs("\";", f);
            sur_meta(f, &ioc);
            fprintf(f, " sid:%u; rev:1;)\n", sid++);
            st->rules++;
            st->written[ioc.type]++;
            break;
        }
        case WB_IOC_URL: {
            if (uniq_seen(&seen, ioc.value, &rc)) break;
            /* host[:port]/path?query: the host without its port, the rest as
             * the URI, each compared whole. */
            const char *h = no_scheme(ioc.value);
            const char *slash = strchr(h, '/');
            size_t hl = slash ? (size_t)(slash - h) : strlen(h);
            const char *colon = memchr(h, ':', hl);
            if (colon && h[0] != '[') hl = (size_t)(colon - h);
            char *host = strndup(h, hl);
            if (host == NULL) {
                rc = WB_ENOMEM;
                break;
            }
            fputs("alert http any any -> any any (msg:\"weerbaar: HTTP request for ", f);
            sur_msg(f, ioc.value);
            fputs("\"; http.host; content:\"", f);
            sur_content(f, host);
            fputs("\"; startswith; endswith; http.uri; content:\"", f);
            sur_content(f, slash ? slash : "/");
            fputs("\"; startswith; endswith;", f);
            sur_meta(f, &ioc);
            fprintf(f, " sid:%u; rev:1;)\n", sid++);
            free(host);
            st->rules++;
            st->written[ioc.type]++;
            break;
        }
        case WB_IOC_MD5:
        case WB_IOC_SHA1:
        case WB_IOC_SHA256:
            break; /* below */
        case WB_IOC_EMAIL:
        case WB_IOC_TYPE_COUNT:
            st->skipped[ioc.type]++;
            break;
        }
    }
    if (rc == 0) group_rules(f, addrs.v, addrs.n, &sid, st);
    uniq_free(&seen);
    uniq_free(&addrs);
    if (rc == 0) rc = hash_rules(set, dir, f, &sid, st, err);
    if (rc == WB_ENOMEM) wb_error_set(err, rc, "out of memory");
    return xclose(&rules, rc, err);
}

int wb_intel_export(const wb_iocset *set, const wb_export_opts *opts, wb_export_stats *st,
                    wb_error *err)
{
    memset(st, 0, sizeof *st);
    switch (opts->target) {
    case WB_EXPORT_ZEEK_INTEL:
        return export_zeek(set, opts, st, err);
    case WB_EXPORT_SURICATA_DATASET:
        return export_dataset(set, opts, st, err);
    case WB_EXPORT_SURICATA_RULES:
        return export_rules(set, opts, st, err);
    case WB_EXPORT_CSV:
        return export_csv(set, opts, st, err);
    }
    return wb_error_set(err, WB_EINVAL, "unknown export target");
}
