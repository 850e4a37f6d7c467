/*
 * report.c - from the map to the report: per pair, what the IP data, the
 * vendor-cloud list and the supplier register say about the endpoint; the
 * three countries and the one "leaves the EU/EEA" is decided on; the
 * regularity pattern; the remote-switch exposures; the organisation's
 * shares by country and provider; and the supplier join.
 *
 * The rule (docs/deps.md): the decision country is the jurisdiction (the
 * operator's country from the supplier register, else from a *verified*
 * vendor-cloud entry) when known, else the registration country. An
 * unverified vendor entry is shown but never supplies the country, so it
 * cannot decide a flag by itself. An energy-class device (inverter,
 * ev-charger, heat-pump, battery) is exposed when a pair leaves the EU/EEA
 * and is periodic (contact days with at least periodic_per_day contacts on
 * at least periodic_day_share of the observed days) or long-lived (one
 * session of long_session_s or more).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "deps/map_internal.h"

static const wb_deps_vendor *match_vendor(const wb_deps_vendors *vs, const wb_ipinfo *ip,
                                          const char **names, size_t nn, wb_devclass cls)
{
    if (!vs) return NULL;
    const wb_deps_vendor *any = NULL;
    for (size_t i = 0; i < vs->n; i++) {
        const wb_deps_vendor *v = &vs->v[i];
        bool hit = false;
        for (size_t k = 0; !hit && k < nn; k++)
            for (size_t d = 0; !hit && d < v->ndomains; d++)
                hit = wbi_domain_under(names[k], v->domains[d]);
        for (size_t a = 0; !hit && ip->asn && a < v->nasns; a++)
            hit = v->asns[a] == ip->asn && !ip->asn_from_holder;
        if (!hit) continue;
        /* a vendor that makes this class of device is the better answer */
        if (v->classes & (1u << cls)) return v;
        if (!any) any = v;
    }
    return any;
}

static const wb_deps_supplier *match_supplier(const wb_deps_suppliers *ss, const wb_ipinfo *ip,
                                              const char **names, size_t nn)
{
    if (!ss) return NULL;
    for (size_t i = 0; i < ss->n; i++) {
        const wb_deps_supplier *s = &ss->s[i];
        for (size_t k = 0; k < nn; k++)
            for (size_t d = 0; d < s->ndomains; d++)
                if (wbi_domain_under(names[k], s->domains[d])) return s;
        for (size_t a = 0; ip->asn && a < s->nasns; a++)
            if (s->asns[a] == ip->asn) return s;
    }
    return NULL;
}

static int cmp_dep(const void *a, const void *b)
{
    const wb_deps_dep *x = a, *y = b;
    uint64_t tx = x->bytes_out + x->bytes_in, ty = y->bytes_out + y->bytes_in;
    if (tx != ty) return tx > ty ? -1 : 1;
    return strcmp(x->addr, y->addr);
}

static int cmp_asset(const void *a, const void *b)
{
    const wb_deps_asset *x = a, *y = b;
    if (x->listed != y->listed) return x->listed ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int cmp_share(const void *a, const void *b)
{
    const wb_deps_share *x = a, *y = b;
    if (x->bytes != y->bytes) return x->bytes > y->bytes ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* A string -> index map for the shares: a report may have thousands of
 * providers and hundreds of thousands of dependencies. */
typedef struct strix {
    const char **keys;
    uint32_t *vals;
    size_t cap, n; /* cap: a power of two */
} strix;

static void strix_free(strix *x)
{
    free(x->keys);
    free(x->vals);
    memset(x, 0, sizeof *x);
}

/* The slot of key: its value's slot, or the empty one where it goes. */
static size_t strix_slot(const strix *x, const char *key)
{
    size_t mask = x->cap - 1;
    size_t i = wb_hash64(key, strlen(key), 7) & mask;
    while (x->keys[i] && strcmp(x->keys[i], key) != 0)
        i = (i + 1) & mask;
    return i;
}

/* The value of key, or -1. */
static long strix_get(const strix *x, const char *key)
{
    if (!x->cap) return -1;
    size_t i = strix_slot(x, key);
    return x->keys[i] ? (long)x->vals[i] : -1;
}

/* Sets key (not owned) to v. 0 or WB_ENOMEM. */
static int strix_put(strix *x, const char *key, uint32_t v)
{
    if ((x->n + 1) * 2 > x->cap) {
        strix nx = {.cap = x->cap ? x->cap * 2 : 64};
        nx.keys = calloc(nx.cap, sizeof *nx.keys);
        nx.vals = calloc(nx.cap, sizeof *nx.vals);
        if (!nx.keys || !nx.vals) {
            strix_free(&nx);
            return WB_ENOMEM;
        }
        for (size_t i = 0; i < x->cap; i++)
            if (x->keys[i]) {
                size_t j = strix_slot(&nx, x->keys[i]);
                nx.keys[j] = x->keys[i];
                nx.vals[j] = x->vals[i];
                nx.n++;
            }
        strix_free(x);
        *x = nx;
    }
    size_t i = strix_slot(x, key);
    if (!x->keys[i]) x->n++;
    x->keys[i] = key;
    x->vals[i] = v;
    return 0;
}

/* Adds to the share named key in a growable array indexed by ix. */
static int share_add(wb_deps_report *r, strix *ix, wb_deps_share **arr, size_t *n, size_t *cap,
                     const char *key, bool eu, bool known, uint64_t bytes, uint64_t flows)
{
    long i = strix_get(ix, key);
    if (i >= 0) {
        (*arr)[i].bytes += bytes;
        (*arr)[i].flows += flows;
        (*arr)[i].deps++;
        return 0;
    }
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        wb_deps_share *p = wb_arena_alloc(&r->arena, nc * sizeof *p);
        if (!p) return WB_ENOMEM;
        if (*n) memcpy(p, *arr, *n * sizeof *p);
        *arr = p;
        *cap = nc;
    }
    if (strix_put(ix, key, (uint32_t)*n) != 0) return WB_ENOMEM;
    (*arr)[(*n)++] = (wb_deps_share){key, eu, known, bytes, flows, 1};
    return 0;
}

static void format_ports(const wbi_pair *p, char *out, size_t cap)
{
    size_t w = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < p->nports && w < cap; i++) {
        unsigned proto = p->ports[i] >> 16, port = p->ports[i] & 0xffff;
        const char *pn = proto == 6 ? "tcp" : proto == 17 ? "udp" : proto == 1 ? "icmp" : NULL;
        int k = pn ? snprintf(out + w, cap - w, "%s%s/%u", w ? " " : "", pn, port)
                   : snprintf(out + w, cap - w, "%sip%u/%u", w ? " " : "", proto, port);
        if (k < 0) break;
        w += (size_t)k;
    }
}

static unsigned count_days(const wb_deps_map *m)
{
    unsigned n = 0;
    for (size_t i = 0; i < WBI_DAY_BITS / 8; i++)
        n += (unsigned)__builtin_popcount(m->daybits[i]);
    return n;
}

static int fill_dep(wb_deps_report *r, const wb_deps_map *m, const wbi_pair *p,
                    const wb_deps_asset *as, const wb_ipdb *db, const wb_ccset *eu,
                    const wb_deps_vendors *vs, const wb_deps_suppliers *ss, wb_deps_dep *d)
{
    memset(d, 0, sizeof *d);
    wb_addr_format(&p->ep, 128, d->addr, sizeof d->addr);
    /* the names this asset used; else those anyone used for the address */
    long ni = wbi_addrmap_get(&m->name_idx, &p->ep);
    const wbi_names *nl = p->names && p->names->n ? p->names : ni >= 0 ? m->names[ni] : NULL;
    if (nl) {
        d->names = wb_arena_alloc(&r->arena, (nl->n ? nl->n : 1) * sizeof *d->names);
        if (!d->names) return WB_ENOMEM;
        for (unsigned k = 0; k < nl->n; k++) {
            d->names[k] = wb_arena_strdup(&r->arena, nl->name[k]);
            if (!d->names[k]) return WB_ENOMEM;
        }
        d->nnames = nl->n;
    }
    wb_ipdb_lookup(db, &p->ep, &d->ip);
    if (d->ip.registry) d->ip.registry = wb_arena_strdup(&r->arena, d->ip.registry);
    if (d->ip.holder) d->ip.holder = wb_arena_strdup(&r->arena, d->ip.holder);
    d->vendor = match_vendor(vs, &d->ip, d->names, d->nnames, as->cls);
    d->supplier = match_supplier(ss, &d->ip, d->names, d->nnames);
    if (d->supplier && d->supplier->country[0]) {
        memcpy(d->jur_cc, d->supplier->country, 3);
        d->jur_source = "supplier register";
    } else if (d->vendor && d->vendor->verified && d->vendor->country[0]) {
        memcpy(d->jur_cc, d->vendor->country, 3);
        d->jur_source = "vendor-clouds";
    }
    memcpy(d->decide_cc, d->jur_cc[0] ? d->jur_cc : d->ip.reg_cc, 3);
    d->leaves_eu = d->decide_cc[0] && !(eu && wb_ccset_has(eu, d->decide_cc));
    char tmp[160];
    if (d->vendor)
        d->provider = d->vendor->vendor;
    else if (d->supplier)
        d->provider = d->supplier->supplier;
    else if (d->ip.as_name[0])
        d->provider = wb_arena_strdup(&r->arena, d->ip.as_name);
    else if (d->ip.asn) {
        snprintf(tmp, sizeof tmp, "AS%u", d->ip.asn);
        d->provider = wb_arena_strdup(&r->arena, tmp);
    } else if (d->ip.holder) {
        snprintf(tmp, sizeof tmp, "%s holder %s", d->ip.registry ? d->ip.registry : "RIR",
                 d->ip.holder);
        d->provider = wb_arena_strdup(&r->arena, tmp);
    } else
        d->provider = "unknown";
    if (!d->provider) return WB_ENOMEM;
    d->bytes_out = p->bytes_out;
    d->bytes_in = p->bytes_in;
    d->flows = p->flows;
    d->first = p->first;
    d->last = p->last;
    d->max_session_s = p->max_dur;
    for (uint32_t k = 0; k < p->ndays; k++) {
        d->contacts += p->days[k].n;
        if (p->days[k].n) d->contact_days++;
        if (p->days[k].n >= r->cfg.periodic_per_day) d->periodic_days++;
        if (p->days[k].n > d->max_per_day) d->max_per_day = p->days[k].n;
    }
    double need = ceil(r->cfg.periodic_day_share * r->observed_days - 1e-9);
    bool periodic = d->periodic_days > 0 && d->periodic_days >= need;
    bool longl = p->max_dur >= r->cfg.long_session_s;
    d->pattern = periodic && longl ? WB_PAT_PERIODIC_LONG
                 : periodic        ? WB_PAT_PERIODIC
                 : longl           ? WB_PAT_LONG_LIVED
                                   : WB_PAT_OCCASIONAL;
    format_ports(p, d->ports, sizeof d->ports);
    if (wb_devclass_is_energy(as->cls) && d->leaves_eu && d->pattern != WB_PAT_OCCASIONAL) {
        d->exposure = true;
        snprintf(tmp, sizeof tmp, "%s with a %s session pattern to an endpoint in %s (%s)",
                 wb_devclass_name(as->cls), wb_pattern_name(d->pattern), d->decide_cc,
                 d->jur_cc[0] ? d->jur_source : "registration");
        d->why = wb_arena_strdup(&r->arena, tmp);
        if (!d->why) return WB_ENOMEM;
    }
    return 0;
}

static int cmp_pair_asset(const void *a, const void *b)
{
    const wbi_pair *const *x = a, *const *y = b;
    return ((*x)->asset > (*y)->asset) - ((*x)->asset < (*y)->asset);
}

int wb_deps_report_build(wb_deps_report **out, const wb_deps_map *m, const wb_ipdb *db,
                         const wb_ccset *eu, const wb_deps_vendors *vendors,
                         const wb_deps_suppliers *suppliers, wb_error *err)
{
    *out = NULL;
    wb_deps_report *r = calloc(1, sizeof *r);
    if (!r) return wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_arena_init(&r->arena, 0);
    r->cfg = m->cfg;
    r->observed_days = count_days(m);
    r->records = m->records;
    r->skipped = m->skipped;
    r->flows = m->flows;
    r->have_suppliers = suppliers != NULL;
    int rc = 0;
    const wbi_pair **order = malloc((m->npairs ? m->npairs : 1) * sizeof *order);
    r->assets = wb_arena_alloc(&r->arena, (m->nassets ? m->nassets : 1) * sizeof *r->assets);
    if (!order || !r->assets) rc = WB_ENOMEM;
    for (size_t i = 0; rc == 0 && i < m->npairs; i++)
        order[i] = &m->pairs[i];
    if (rc == 0 && m->npairs) qsort(order, m->npairs, sizeof *order, cmp_pair_asset);
    size_t i = 0;
    while (rc == 0 && i < m->npairs) {
        size_t j = i;
        while (j < m->npairs && order[j]->asset == order[i]->asset)
            j++;
        const wbi_asset_rt *rt = &m->assets[order[i]->asset];
        wb_deps_asset *as = &r->assets[r->nassets++];
        memset(as, 0, sizeof *as);
        if (rt->def >= 0) {
            const wb_deps_asset_def *def = &m->inv->assets[rt->def];
            as->name = def->name;
            as->owner = def->owner;
            as->cls = def->cls;
            as->crit = def->crit;
            as->listed = true;
            wb_addr_format(&def->addr, def->prefix, as->addr, sizeof as->addr);
        } else {
            wb_addr_format(&rt->addr, 128, as->addr, sizeof as->addr);
            as->name = wb_arena_strdup(&r->arena, as->addr);
            as->owner = "";
            as->cls = WB_DEV_OTHER;
            if (!as->name) rc = WB_ENOMEM;
        }
        as->deps = wb_arena_alloc(&r->arena, (j - i) * sizeof *as->deps);
        if (!as->deps) rc = WB_ENOMEM;
        for (size_t k = i; rc == 0 && k < j; k++) {
            const wbi_pair *pp = order[k];
            if (!pp->flows && !pp->bytes_out && !pp->bytes_in) continue; /* a DNS answer only */
            wb_deps_dep *d = &as->deps[as->ndeps];
            rc = fill_dep(r, m, order[k], as, db, eu, vendors, suppliers, d);
            if (rc) break;
            as->ndeps++;
            uint64_t t = d->bytes_out + d->bytes_in;
            as->bytes += t;
            r->bytes += t;
            if (d->leaves_eu) {
                as->bytes_leaving += t;
                as->deps_leaving++;
                r->bytes_leaving += t;
            } else if (!d->decide_cc[0]) {
                as->deps_unknown++;
                r->bytes_unknown += t;
            }
        }
        if (rc == 0 && as->ndeps) qsort(as->deps, as->ndeps, sizeof *as->deps, cmp_dep);
        if (rc == 0 && !as->ndeps) r->nassets--; /* it only asked for names */
        i = j;
    }
    free(order);
    if (rc == 0 && r->nassets) qsort(r->assets, r->nassets, sizeof *r->assets, cmp_asset);
    /* shares, exposures, the supplier join */
    size_t capc = 0, capp = 0, cape = 0, capu = 0;
    strix ixc = {0}, ixp = {0}, ixu = {0};
    for (size_t a = 0; rc == 0 && a < r->nassets; a++) {
        wb_deps_asset *as = &r->assets[a];
        for (size_t k = 0; rc == 0 && k < as->ndeps; k++) {
            wb_deps_dep *d = &as->deps[k];
            uint64_t t = d->bytes_out + d->bytes_in;
            bool in_eu = d->decide_cc[0] && !d->leaves_eu;
            rc = share_add(r, &ixc, &r->by_country, &r->ncountry, &capc,
                           d->decide_cc[0] ? d->decide_cc : "??", in_eu, d->decide_cc[0] != 0, t,
                           d->flows);
            if (rc == 0)
                rc = share_add(r, &ixp, &r->by_provider, &r->nprovider, &capp, d->provider, in_eu,
                               d->decide_cc[0] != 0, t, d->flows);
            if (rc == 0 && d->exposure) {
                if (r->nexposures == cape) {
                    size_t nc = cape ? cape * 2 : 16;
                    wb_deps_exposure *p = wb_arena_alloc(&r->arena, nc * sizeof *p);
                    if (!p) {
                        rc = WB_ENOMEM;
                        break;
                    }
                    if (r->nexposures) memcpy(p, r->exposures, r->nexposures * sizeof *p);
                    r->exposures = p;
                    cape = nc;
                }
                r->exposures[r->nexposures++] = (wb_deps_exposure){as, d};
            }
            if (rc == 0 && suppliers && !d->supplier && d->decide_cc[0] &&
                strcmp(d->provider, "unknown") != 0) {
                long ui = strix_get(&ixu, d->provider);
                size_t u = ui >= 0 ? (size_t)ui : r->nunregistered;
                if (u == r->nunregistered) {
                    if (strix_put(&ixu, d->provider, (uint32_t)u) != 0) {
                        rc = WB_ENOMEM;
                        break;
                    }
                    if (u == capu) {
                        size_t nc = capu ? capu * 2 : 32;
                        const char **p = wb_arena_alloc(&r->arena, nc * sizeof *p);
                        uint64_t *pb = wb_arena_alloc(&r->arena, nc * sizeof *pb);
                        if (!p || !pb) {
                            rc = WB_ENOMEM;
                            break;
                        }
                        if (u) {
                            memcpy(p, r->unregistered, u * sizeof *p);
                            memcpy(pb, r->unregistered_bytes, u * sizeof *pb);
                        }
                        r->unregistered = p;
                        r->unregistered_bytes = pb;
                        capu = nc;
                    }
                    r->unregistered[u] = d->provider;
                    r->unregistered_bytes[u] = 0;
                    r->nunregistered++;
                }
                r->unregistered_bytes[u] += t;
            }
        }
    }
    if (rc == 0) {
        if (r->ncountry) qsort(r->by_country, r->ncountry, sizeof *r->by_country, cmp_share);
        if (r->nprovider) qsort(r->by_provider, r->nprovider, sizeof *r->by_provider, cmp_share);
        /* each dependency learns its provider's total, for the graph */
        for (size_t pi = 0; rc == 0 && pi < r->nprovider; pi++)
            rc = strix_put(&ixp, r->by_provider[pi].key, (uint32_t)pi);
        for (size_t a = 0; a < r->nassets; a++)
            for (size_t k = 0; k < r->assets[a].ndeps; k++) {
                wb_deps_dep *d = &r->assets[a].deps[k];
                long pi = strix_get(&ixp, d->provider);
                d->provider_bytes = pi >= 0 ? r->by_provider[pi].bytes : 0;
            }
        /* unregistered providers by traffic, largest first (a small insertion sort) */
        for (size_t a = 1; a < r->nunregistered; a++)
            for (size_t b = a; b > 0 && r->unregistered_bytes[b] > r->unregistered_bytes[b - 1];
                 b--) {
                const char *ts = r->unregistered[b];
                uint64_t tb = r->unregistered_bytes[b];
                r->unregistered[b] = r->unregistered[b - 1];
                r->unregistered_bytes[b] = r->unregistered_bytes[b - 1];
                r->unregistered[b - 1] = ts;
                r->unregistered_bytes[b - 1] = tb;
            }
    }
    strix_free(&ixc);
    strix_free(&ixp);
    strix_free(&ixu);
    if (rc == 0 && suppliers && suppliers->n) {
        r->unseen = wb_arena_alloc(&r->arena, suppliers->n * sizeof *r->unseen);
        r->no_eu_alt = wb_arena_alloc(&r->arena, suppliers->n * sizeof *r->no_eu_alt);
        if (!r->unseen || !r->no_eu_alt) rc = WB_ENOMEM;
        for (size_t s = 0; rc == 0 && s < suppliers->n; s++) {
            const wb_deps_supplier *sp = &suppliers->s[s];
            bool seen = false;
            for (size_t a = 0; !seen && a < r->nassets; a++)
                for (size_t k = 0; !seen && k < r->assets[a].ndeps; k++)
                    seen = r->assets[a].deps[k].supplier == sp;
            if (!seen) r->unseen[r->nunseen++] = sp;
            bool in_eu = sp->country[0] && eu && wb_ccset_has(eu, sp->country);
            if (sp->crit >= WB_CRIT_HIGH && !in_eu && !sp->eu_alternative[0])
                r->no_eu_alt[r->nno_eu_alt++] = sp;
        }
    }
    if (rc) {
        wb_deps_report_free(r);
        return wb_error_set(err, rc, "out of memory");
    }
    *out = r;
    return 0;
}

void wb_deps_report_free(wb_deps_report *r)
{
    if (!r) return;
    wb_arena_free(&r->arena);
    free(r);
}
