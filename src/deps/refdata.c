/*
 * refdata.c - the reference data `deps map` joins to the flows: the asset
 * inventory (CSV), the vendor-cloud list (data/vendor-clouds.yaml) and the
 * supplier register (CSV or JSON).
 *
 * Each loader replaces its object and leaves it empty on error; strings
 * live in the object's arena. Inputs are bounded by the 256 MiB file limit
 * of wbi_load_file and by MAX_FIELDS columns a line.
 */
#include <jansson.h>
#include <stdlib.h>
#include <yaml.h>

#include "deps/deps_internal.h"

#define MAX_FIELDS 32

/* ---- CSV with an optional header -------------------------------------------- */

typedef struct colmap {
    const char *const *names; /* aliases per logical column, NULL-terminated groups */
    int col[MAX_FIELDS];      /* logical column -> CSV column or -1 */
} colmap;

/* Iterates the lines of a CSV file, handing split fields to fn. */
typedef int (*csv_row_fn)(void *ctx, unsigned line, const char **f, size_t *fl, size_t nf,
                          wb_error *err);

static int csv_each(const char *buf, size_t len, void *ctx, csv_row_fn fn, wb_error *err)
{
    char *scratch = NULL;
    size_t scap = 0, pos = 0;
    unsigned line = 0;
    int rc = 0;
    while (pos < len && rc == 0) {
        const char *p = buf + pos;
        const char *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos;
        pos += n + 1;
        line++;
        if (line == 1 && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) { /* a BOM */
            p += 3;
            n -= 3;
        }
        wbi_trim(&p, &n);
        if (!n || p[0] == '#') continue;
        if (n + 1 > scap) {
            free(scratch);
            scap = n + 1;
            scratch = malloc(scap);
            if (!scratch) return wb_error_set(err, WB_ENOMEM, "out of memory");
        }
        const char *f[MAX_FIELDS];
        size_t fl[MAX_FIELDS];
        size_t nf = wbi_csv_split(p, n, scratch, f, fl, MAX_FIELDS);
        rc = fn(ctx, line, f, fl, nf, err);
    }
    free(scratch);
    return rc;
}

/* Finds which logical columns a header names; false when none match. */
static bool map_header(const char *const *const *aliases, size_t nlog, const char **f, size_t *fl,
                       size_t nf, int *col)
{
    bool any = false;
    for (size_t l = 0; l < nlog; l++) {
        col[l] = -1;
        for (size_t c = 0; c < nf && col[l] < 0; c++)
            for (const char *const *a = aliases[l]; *a; a++) {
                /* "device class" and "device_class" alike */
                char tmp[64];
                size_t k = 0;
                for (; k < fl[c] && k < sizeof tmp - 1; k++)
                    tmp[k] = f[c][k] == ' ' || f[c][k] == '-' ? '_' : f[c][k];
                if (wb_strn_ieq(tmp, k, *a)) {
                    col[l] = (int)c;
                    any = true;
                    break;
                }
            }
    }
    return any;
}

static const char *fld(const char **f, size_t *fl, size_t nf, int c, size_t *n)
{
    if (c < 0 || (size_t)c >= nf) {
        *n = 0;
        return "";
    }
    *n = fl[c];
    return f[c];
}

/* ---- inventory ---------------------------------------------------------------- */

enum { I_ADDR, I_NAME, I_CLASS, I_CRIT, I_OWNER, I_N };
static const char *const inv_addr[] = {"address", "cidr", "ip", "addr", "network", NULL};
static const char *const inv_name[] = {"asset", "name", "hostname", NULL};
static const char *const inv_class[] = {"class", "device_class", "type", "device", NULL};
static const char *const inv_crit[] = {"criticality", "crit", NULL};
static const char *const inv_owner[] = {"owner", NULL};
static const char *const *const inv_aliases[I_N] = {inv_addr, inv_name, inv_class, inv_crit,
                                                    inv_owner};

typedef struct inv_ctx {
    wb_deps_inventory *inv;
    const char *name;
    int col[I_N];
    bool header_seen;
    size_t cap;
} inv_ctx;

static int parse_cidr(const char *s, size_t n, wb_addr *a, unsigned *prefix)
{
    return wb_cidr_parse(s, n, a, prefix);
}

static int inv_row(void *vctx, unsigned line, const char **f, size_t *fl, size_t nf, wb_error *err)
{
    inv_ctx *c = vctx;
    wb_deps_inventory *inv = c->inv;
    if (!c->header_seen) {
        c->header_seen = true;
        wb_addr probe;
        unsigned pl;
        if (nf && parse_cidr(f[0], fl[0], &probe, &pl) != 0) {
            if (!map_header(inv_aliases, I_N, f, fl, nf, c->col) || c->col[I_ADDR] < 0)
                return wb_error_set(err, WB_EPARSE,
                                    "%s:%u: the header names no address column (address, cidr "
                                    "or ip)",
                                    c->name, line);
            return 0;
        }
    }
    size_t n;
    const char *s = fld(f, fl, nf, c->col[I_ADDR], &n);
    wb_deps_asset_def d = {0};
    if (parse_cidr(s, n, &d.addr, &d.prefix) != 0)
        return wb_error_set(err, WB_EPARSE, "%s:%u: '%.*s' is not an address or CIDR", c->name,
                            line, (int)(n > 60 ? 60 : n), s);
    s = fld(f, fl, nf, c->col[I_CLASS], &n);
    d.cls = WB_DEV_OTHER;
    if (n && wb_devclass_parse(s, n, &d.cls) != 0)
        return wb_error_set(err, WB_EPARSE,
                            "%s:%u: unknown device class '%.*s' (inverter, ev-charger, heat-pump, "
                            "battery, building-control, plc, camera, server, workstation, other)",
                            c->name, line, (int)(n > 40 ? 40 : n), s);
    s = fld(f, fl, nf, c->col[I_CRIT], &n);
    if (wb_crit_parse(s, n, &d.crit) != 0)
        return wb_error_set(err, WB_EPARSE,
                            "%s:%u: unknown criticality '%.*s' (low, medium, high, critical)",
                            c->name, line, (int)(n > 40 ? 40 : n), s);
    s = fld(f, fl, nf, c->col[I_NAME], &n);
    if (!n) s = fld(f, fl, nf, c->col[I_ADDR], &n);
    d.name = wb_arena_strndup(&inv->arena, s, n);
    s = fld(f, fl, nf, c->col[I_OWNER], &n);
    d.owner = wb_arena_strndup(&inv->arena, s, n);
    if (!d.name || !d.owner) return wb_error_set(err, WB_ENOMEM, "out of memory");
    if (inv->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 64;
        void *p = realloc(inv->assets, nc * sizeof *inv->assets);
        if (!p) return wb_error_set(err, WB_ENOMEM, "out of memory");
        inv->assets = p;
        c->cap = nc;
    }
    inv->assets[inv->n++] = d;
    return 0;
}

void wb_deps_inventory_free(wb_deps_inventory *inv)
{
    if (!inv) return;
    free(inv->assets);
    free(inv->cidrs);
    if (inv->exact) {
        wbi_addrmap_free(inv->exact);
        free(inv->exact);
    }
    wb_arena_free(&inv->arena);
    memset(inv, 0, sizeof *inv);
}

int wb_deps_inventory_parse(wb_deps_inventory *inv, const char *buf, size_t len, const char *name,
                            wb_error *err)
{
    wb_deps_inventory_free(inv);
    wb_arena_init(&inv->arena, 0);
    inv_ctx c = {.inv = inv, .name = name, .col = {0, 1, 2, 3, 4}};
    int rc = csv_each(buf, len, &c, inv_row, err);
    if (rc == 0) {
        inv->exact = calloc(1, sizeof *inv->exact);
        inv->cidrs = malloc((inv->n ? inv->n : 1) * sizeof *inv->cidrs);
        if (!inv->exact || !inv->cidrs || wbi_addrmap_init(inv->exact, inv->n) != 0)
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < inv->n; i++) {
            const wb_deps_asset_def *d = &inv->assets[i];
            if (d->prefix != 128)
                inv->cidrs[inv->ncidrs++] = i;
            else if (wbi_addrmap_put(inv->exact, &d->addr, (uint32_t)i) != 0)
                rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        }
    }
    if (rc) wb_deps_inventory_free(inv);
    return rc;
}

static int inv_cb(void *o, const char *b, size_t l, const char *n, wb_error *e)
{
    return wb_deps_inventory_parse(o, b, l, n, e);
}

int wb_deps_inventory_load(wb_deps_inventory *inv, const char *path, wb_error *err)
{
    return wbi_load_file(inv, path, inv_cb, err);
}

long wb_deps_inventory_find(const wb_deps_inventory *inv, const wb_addr *a)
{
    if (!inv || !inv->n) return -1;
    if (inv->exact) {
        long v = wbi_addrmap_get(inv->exact, a);
        if (v >= 0) return v;
    }
    /* CIDR entries are few in an inventory: a scan for the most specific */
    long best = -1;
    unsigned bestp = 0;
    for (size_t k = 0; k < inv->ncidrs; k++) {
        const wb_deps_asset_def *d = &inv->assets[inv->cidrs[k]];
        if ((best < 0 || d->prefix > bestp) && wb_cidr_contains(&d->addr, d->prefix, a)) {
            best = (long)inv->cidrs[k];
            bestp = d->prefix;
        }
    }
    return best;
}

/* ---- vendor clouds (YAML) --------------------------------------------------------- */

static yaml_node_t *ymap_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE) return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE && strcmp((char *)k->data.scalar.value, key) == 0)
            return yaml_document_get_node(doc, p->value);
    }
    return NULL;
}

static const char *yscalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A fact is either a plain value or {value: X, source: URL}. */
static yaml_node_t *yfact(yaml_document_t *doc, yaml_node_t *n, const char **source)
{
    *source = NULL;
    if (n && n->type == YAML_MAPPING_NODE) {
        *source = yscalar(ymap_get(doc, n, "source"));
        return ymap_get(doc, n, "value");
    }
    return n;
}

static int vendor_entry(wb_deps_vendors *vs, yaml_document_t *doc, yaml_node_t *e, size_t idx,
                        const char *name, wb_error *err)
{
    wb_deps_vendor *v = &vs->v[idx];
    memset(v, 0, sizeof *v);
    v->remote_control = -1;
    const char *s = yscalar(ymap_get(doc, e, "vendor"));
    if (!s) return wb_error_set(err, WB_EPARSE, "%s: vendors[%zu]: no vendor name", name, idx);
    v->vendor = wb_arena_strdup(&vs->arena, s);
    if (!v->vendor) return WB_ENOMEM;
    const char *status = yscalar(ymap_get(doc, e, "status"));
    bool unverified = status && strcmp(status, "unverified") == 0;
    bool sourced = true;
    yaml_node_t *cl = ymap_get(doc, e, "classes");
    if (cl && cl->type == YAML_SEQUENCE_NODE)
        for (yaml_node_item_t *it = cl->data.sequence.items.start; it < cl->data.sequence.items.top;
             it++) {
            const char *c = yscalar(yaml_document_get_node(doc, *it));
            wb_devclass dc;
            if (!c || wb_devclass_parse(c, strlen(c), &dc) != 0)
                return wb_error_set(err, WB_EPARSE, "%s: vendors[%zu] (%s): unknown class '%s'",
                                    name, idx, v->vendor, c ? c : "");
            v->classes |= 1u << dc;
        }
    const char *src;
    yaml_node_t *dn = yfact(doc, ymap_get(doc, e, "domains"), &src);
    if (dn && !src) sourced = false;
    if (src && !v->source) v->source = wb_arena_strdup(&vs->arena, src);
    size_t nd = dn && dn->type == YAML_SEQUENCE_NODE
                    ? (size_t)(dn->data.sequence.items.top - dn->data.sequence.items.start)
                    : 0;
    v->domains = wb_arena_alloc(&vs->arena, (nd ? nd : 1) * sizeof *v->domains);
    if (!v->domains) return WB_ENOMEM;
    for (size_t i = 0; i < nd; i++) {
        const char *d = yscalar(yaml_document_get_node(doc, dn->data.sequence.items.start[i]));
        if (!d || !*d)
            return wb_error_set(err, WB_EPARSE, "%s: vendors[%zu] (%s): domains[%zu] is not a name",
                                name, idx, v->vendor, i);
        v->domains[v->ndomains] = wbi_lowdup(&vs->arena, d, strlen(d));
        if (!v->domains[v->ndomains++]) return WB_ENOMEM;
    }
    yaml_node_t *an = yfact(doc, ymap_get(doc, e, "asns"), &src);
    if (an && !src) sourced = false;
    size_t na = an && an->type == YAML_SEQUENCE_NODE
                    ? (size_t)(an->data.sequence.items.top - an->data.sequence.items.start)
                    : 0;
    v->asns = wb_arena_alloc(&vs->arena, (na ? na : 1) * sizeof *v->asns);
    if (!v->asns) return WB_ENOMEM;
    for (size_t i = 0; i < na; i++) {
        const char *a = yscalar(yaml_document_get_node(doc, an->data.sequence.items.start[i]));
        if (!a || wbi_parse_asn(a, strlen(a), &v->asns[v->nasns]) != 0)
            return wb_error_set(err, WB_EPARSE, "%s: vendors[%zu] (%s): asns[%zu] is not an AS",
                                name, idx, v->vendor, i);
        v->nasns++;
    }
    const char *cc = yscalar(yfact(doc, ymap_get(doc, e, "operator_country"), &src));
    if (cc) {
        if (!wbi_cc(cc, strlen(cc), v->country))
            return wb_error_set(err, WB_EPARSE,
                                "%s: vendors[%zu] (%s): operator_country is not two letters", name,
                                idx, v->vendor);
        if (!src)
            sourced = false;
        else if (!v->source)
            v->source = wb_arena_strdup(&vs->arena, src);
    }
    yaml_node_t *rcn = yfact(doc, ymap_get(doc, e, "remote_control"), &src);
    const char *rc = yscalar(rcn);
    if (rc) {
        if (strcmp(rc, "true") == 0 || strcmp(rc, "yes") == 0)
            v->remote_control = 1;
        else if (strcmp(rc, "false") == 0 || strcmp(rc, "no") == 0)
            v->remote_control = 0;
        else
            return wb_error_set(err, WB_EPARSE,
                                "%s: vendors[%zu] (%s): remote_control is not "
                                "true or false",
                                name, idx, v->vendor);
        if (!src) sourced = false;
    }
    const char *note = yscalar(ymap_get(doc, ymap_get(doc, e, "remote_control"), "note"));
    if (note) v->rc_note = wb_arena_strdup(&vs->arena, note);
    v->verified = !unverified && sourced && v->source;
    return 0;
}

int wb_deps_vendors_parse(wb_deps_vendors *vs, const char *buf, size_t len, const char *name,
                          wb_error *err)
{
    wb_deps_vendors_free(vs);
    wb_arena_init(&vs->arena, 0);
    yaml_parser_t p;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&p)) return wb_error_set(err, WB_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    if (!yaml_parser_load(&p, &doc)) {
        int rc = wb_error_set(err, WB_EPARSE, "%s:%zu: %s", name, p.problem_mark.line + 1,
                              p.problem ? p.problem : "YAML error");
        yaml_parser_delete(&p);
        return rc;
    }
    int rc = 0;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    yaml_node_t *list = ymap_get(&doc, root, "vendors");
    if (!list || list->type != YAML_SEQUENCE_NODE) {
        rc = wb_error_set(err, WB_EPARSE, "%s: no 'vendors' list", name);
    } else {
        size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
        vs->v = calloc(n ? n : 1, sizeof *vs->v);
        if (!vs->v) rc = WB_ENOMEM;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            yaml_node_t *e = yaml_document_get_node(&doc, list->data.sequence.items.start[i]);
            if (!e || e->type != YAML_MAPPING_NODE)
                rc = wb_error_set(err, WB_EPARSE, "%s: vendors[%zu] is not a mapping", name, i);
            else
                rc = vendor_entry(vs, &doc, e, i, name, err);
            if (rc == 0) vs->n++;
        }
    }
    if (rc == WB_ENOMEM) wb_error_set(err, rc, "out of memory");
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    if (rc) wb_deps_vendors_free(vs);
    return rc;
}

static int vend_cb(void *o, const char *b, size_t l, const char *n, wb_error *e)
{
    return wb_deps_vendors_parse(o, b, l, n, e);
}

int wb_deps_vendors_load(wb_deps_vendors *vs, const char *path, wb_error *err)
{
    return wbi_load_file(vs, path, vend_cb, err);
}

void wb_deps_vendors_free(wb_deps_vendors *vs)
{
    if (!vs) return;
    free(vs->v);
    wb_arena_free(&vs->arena);
    memset(vs, 0, sizeof *vs);
}

/* ---- supplier register (CSV or JSON) ------------------------------------------------ */

enum {
    S_SUPPLIER,
    S_SERVICE,
    S_COUNTRY,
    S_CRIT,
    S_CLAUSES,
    S_SBOM,
    S_EXIT,
    S_EUALT,
    S_DOMAINS,
    S_ASNS,
    S_N
};
static const char *const s_supplier[] = {"supplier", "name", NULL};
static const char *const s_service[] = {"service", NULL};
static const char *const s_country[] = {"country", NULL};
static const char *const s_crit[] = {"criticality", NULL};
static const char *const s_clauses[] = {"clauses", "contract_security_clauses", "security_clauses",
                                        NULL};
static const char *const s_sbom[] = {"sbom_csaf", "sbom", "sbom/csaf", "csaf", NULL};
static const char *const s_exit[] = {"exit_plan", "exit", NULL};
static const char *const s_eualt[] = {"eu_alternative", "alternative", NULL};
static const char *const s_domains[] = {"domains", "domain", NULL};
static const char *const s_asns[] = {"asns", "asn", NULL};
static const char *const *const sup_aliases[S_N] = {s_supplier, s_service, s_country, s_crit,
                                                    s_clauses,  s_sbom,    s_exit,    s_eualt,
                                                    s_domains,  s_asns};

typedef struct sup_ctx {
    wb_deps_suppliers *ss;
    const char *name;
    int col[S_N];
    bool header_seen;
    size_t cap;
} sup_ctx;

/* Fills one supplier from the text of each logical field. */
static int sup_fill(wb_deps_suppliers *ss, const char *name, unsigned line, const char **v,
                    const size_t *vn, wb_error *err)
{
    wb_deps_supplier s = {0};
    wb_arena *a = &ss->arena;
    if (!vn[S_SUPPLIER]) return wb_error_set(err, WB_EPARSE, "%s:%u: no supplier name", name, line);
    if (vn[S_COUNTRY] && !wbi_cc(v[S_COUNTRY], vn[S_COUNTRY], s.country))
        return wb_error_set(err, WB_EPARSE, "%s:%u: country is not a two-letter code", name, line);
    if (wb_crit_parse(v[S_CRIT], vn[S_CRIT], &s.crit) != 0)
        return wb_error_set(err, WB_EPARSE,
                            "%s:%u: unknown criticality (low, medium, high, critical)", name, line);
    s.supplier = wb_arena_strndup(a, v[S_SUPPLIER], vn[S_SUPPLIER]);
    s.service = wb_arena_strndup(a, v[S_SERVICE], vn[S_SERVICE]);
    s.clauses = wb_arena_strndup(a, v[S_CLAUSES], vn[S_CLAUSES]);
    s.sbom = wb_arena_strndup(a, v[S_SBOM], vn[S_SBOM]);
    s.exit_plan = wb_arena_strndup(a, v[S_EXIT], vn[S_EXIT]);
    s.eu_alternative = wb_arena_strndup(a, v[S_EUALT], vn[S_EUALT]);
    if (!s.supplier || !s.service || !s.clauses || !s.sbom || !s.exit_plan || !s.eu_alternative ||
        wbi_split_list(a, v[S_DOMAINS], vn[S_DOMAINS], true, &s.domains, &s.ndomains) != 0)
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    const char **asns;
    size_t na;
    if (wbi_split_list(a, v[S_ASNS], vn[S_ASNS], false, &asns, &na) != 0)
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    s.asns = wb_arena_alloc(a, (na ? na : 1) * sizeof *s.asns);
    if (!s.asns) return wb_error_set(err, WB_ENOMEM, "out of memory");
    for (size_t i = 0; i < na; i++)
        if (wbi_parse_asn(asns[i], strlen(asns[i]), &s.asns[s.nasns++]) != 0)
            return wb_error_set(err, WB_EPARSE, "%s:%u: '%s' is not an AS number", name, line,
                                asns[i]);
    ss->s[ss->n++] = s;
    return 0;
}

static int sup_row(void *vctx, unsigned line, const char **f, size_t *fl, size_t nf, wb_error *err)
{
    sup_ctx *c = vctx;
    if (!c->header_seen) {
        c->header_seen = true;
        if (!map_header(sup_aliases, S_N, f, fl, nf, c->col) || c->col[S_SUPPLIER] < 0)
            return wb_error_set(err, WB_EPARSE, "%s:%u: the header names no 'supplier' column",
                                c->name, line);
        return 0;
    }
    if (c->ss->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 32;
        void *p = realloc(c->ss->s, nc * sizeof *c->ss->s);
        if (!p) return wb_error_set(err, WB_ENOMEM, "out of memory");
        c->ss->s = p;
        c->cap = nc;
    }
    const char *v[S_N];
    size_t vn[S_N];
    for (int i = 0; i < S_N; i++)
        v[i] = fld(f, fl, nf, c->col[i], &vn[i]);
    return sup_fill(c->ss, c->name, line, v, vn, err);
}

/* A JSON value as text for sup_fill: strings as they are, arrays joined
 * with ';', numbers printed. Uses buf (cap bytes) for what is not a string. */
static const char *json_text(json_t *j, char *buf, size_t cap, size_t *n)
{
    *n = 0;
    if (json_is_string(j)) {
        *n = json_string_length(j);
        return json_string_value(j);
    }
    if (json_is_integer(j)) {
        int k = snprintf(buf, cap, "%lld", (long long)json_integer_value(j));
        *n = k > 0 && (size_t)k < cap ? (size_t)k : 0;
        return buf;
    }
    if (json_is_boolean(j)) {
        *n = json_is_true(j) ? 3 : 2;
        return json_is_true(j) ? "yes" : "no";
    }
    if (json_is_array(j)) {
        size_t i, w = 0;
        json_t *e;
        json_array_foreach(j, i, e)
        {
            char tmp[64];
            size_t en;
            const char *s = json_text(e, tmp, sizeof tmp, &en);
            if (json_is_array(e) || w + en + 2 > cap) break;
            if (w) buf[w++] = ';';
            memcpy(buf + w, s, en);
            w += en;
        }
        *n = w;
        return buf;
    }
    return "";
}

static int sup_json(wb_deps_suppliers *ss, const char *buf, size_t len, const char *name,
                    wb_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) return wb_error_set(err, WB_EPARSE, "%s:%d: %s", name, je.line, je.text);
    int rc = 0;
    if (!json_is_array(root)) rc = wb_error_set(err, WB_EPARSE, "%s: not a JSON array", name);
    size_t n = rc ? 0 : json_array_size(root);
    ss->s = calloc(n ? n : 1, sizeof *ss->s);
    if (!ss->s) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    static const char *const keys[S_N] = {"supplier", "service",   "country",   "criticality",
                                          "clauses",  "sbom_csaf", "exit_plan", "eu_alternative",
                                          "domains",  "asns"};
    char *scratch = malloc((size_t)S_N * 4096);
    if (!scratch && rc == 0) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *o = json_array_get(root, i);
        if (!json_is_object(o)) {
            rc = wb_error_set(err, WB_EPARSE, "%s: [%zu] is not an object", name, i);
            break;
        }
        const char *v[S_N];
        size_t vn[S_N];
        for (int k = 0; k < S_N; k++)
            v[k] = json_text(json_object_get(o, keys[k]), scratch + (size_t)k * 4096, 4096, &vn[k]);
        rc = sup_fill(ss, name, (unsigned)i, v, vn, err);
        if (rc) wb_error_prefix(err, "[%zu] ", i);
    }
    free(scratch);
    json_decref(root);
    return rc;
}

int wb_deps_suppliers_parse(wb_deps_suppliers *ss, const char *buf, size_t len, const char *name,
                            wb_error *err)
{
    wb_deps_suppliers_free(ss);
    wb_arena_init(&ss->arena, 0);
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
        i++;
    int rc;
    if (i < len && buf[i] == '[') {
        rc = sup_json(ss, buf, len, name, err);
    } else {
        sup_ctx c = {.ss = ss, .name = name};
        rc = csv_each(buf, len, &c, sup_row, err);
    }
    if (rc) wb_deps_suppliers_free(ss);
    return rc;
}

static int sup_cb(void *o, const char *b, size_t l, const char *n, wb_error *e)
{
    return wb_deps_suppliers_parse(o, b, l, n, e);
}

int wb_deps_suppliers_load(wb_deps_suppliers *ss, const char *path, wb_error *err)
{
    return wbi_load_file(ss, path, sup_cb, err);
}

void wb_deps_suppliers_free(wb_deps_suppliers *ss)
{
    if (!ss) return;
    free(ss->s);
    wb_arena_free(&ss->arena);
    memset(ss, 0, sizeof *ss);
}
