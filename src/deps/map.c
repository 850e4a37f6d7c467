/*
 * map.c - the dependency map: flow records folded into one entry per
 * (asset, external endpoint) pair, plus the names seen for each endpoint.
 *
 * Memory is bounded by the pairs (cfg.max_pairs, WB_ELIMIT beyond it): a
 * pair keeps totals, up to 8 service ports and one counter per day it was
 * contacted (the regularity test needs contacts per day; days are few).
 * Names are kept per endpoint address, at most MAX_NAMES each.
 *
 * wb_deps_map_read parses the blocks of a file on several threads, each
 * into its own map, and merges them at the end: merging is exact because
 * every aggregate is a sum, a min, a max or a set union.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "deps/deps_internal.h"
#include "deps/map_internal.h"
#include "weerbaar/io.h"

#define MAX_DAYS_PER_PAIR 4096

void wb_deps_cfg_default(wb_deps_cfg *cfg)
{
    cfg->periodic_day_share = 0.8;
    cfg->periodic_per_day = 12;
    cfg->long_session_s = 3600;
    cfg->internal_as_assets = true;
    cfg->max_pairs = 50000000;
}

int wb_deps_map_new(wb_deps_map **out, const wb_deps_cfg *cfg, const wb_deps_inventory *inv,
                    wb_error *err)
{
    wb_deps_map *m = calloc(1, sizeof *m);
    if (!m) return wb_error_set(err, WB_ENOMEM, "out of memory");
    if (cfg)
        m->cfg = *cfg;
    else
        wb_deps_cfg_default(&m->cfg);
    if (!m->cfg.max_pairs) m->cfg.max_pairs = 50000000;
    m->inv = inv;
    wb_arena_init(&m->arena, 0);
    if (inv && inv->n) {
        m->inv_asset = malloc(inv->n * sizeof *m->inv_asset);
        if (!m->inv_asset) {
            free(m);
            return wb_error_set(err, WB_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < inv->n; i++)
            m->inv_asset[i] = -1;
    }
    *out = m;
    return 0;
}

void wb_deps_map_free(wb_deps_map *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->npairs; i++)
        free(m->pairs[i].days);
    free(m->pairs);
    free(m->slots);
    free(m->assets);
    free(m->inv_asset);
    wbi_addrmap_free(&m->auto_assets);
    wbi_addrmap_free(&m->name_idx);
    free(m->names);
    wb_arena_free(&m->arena);
    free(m);
}

void wb_deps_map_counts(const wb_deps_map *m, uint64_t *records, uint64_t *skipped, uint64_t *flows,
                        size_t *pairs)
{
    if (records) *records = m->records;
    if (skipped) *skipped = m->skipped;
    if (flows) *flows = m->flows;
    if (pairs) *pairs = m->npairs;
}

/* ---- assets ------------------------------------------------------------------------ */

static long new_asset(wb_deps_map *m, long def, const wb_addr *a)
{
    if (m->nassets == m->capassets) {
        size_t nc = m->capassets ? m->capassets * 2 : 64;
        void *p = realloc(m->assets, nc * sizeof *m->assets);
        if (!p) return -2;
        m->assets = p;
        m->capassets = nc;
    }
    m->assets[m->nassets] = (wbi_asset_rt){def, *a};
    return (long)m->nassets++;
}

/* The asset of inventory entry def, created on first use; -2 on ENOMEM. */
static long asset_of_def(wb_deps_map *m, long def)
{
    if (m->inv_asset[def] < 0) {
        long x = new_asset(m, def, &m->inv->assets[def].addr);
        if (x < 0) return x;
        m->inv_asset[def] = (int32_t)x;
    }
    return m->inv_asset[def];
}

/* The asset an address belongs to, -1 when none, -2 on ENOMEM. */
static long asset_of(wb_deps_map *m, const wb_addr *a)
{
    long def = wb_deps_inventory_find(m->inv, a);
    if (def >= 0) return asset_of_def(m, def);
    if (!m->cfg.internal_as_assets || !wb_deps_addr_internal(a)) return -1;
    /* multicast and broadcast are destinations, never devices */
    if ((wb_addr_is_v4(a) && a->b[12] >= 224) || (!wb_addr_is_v4(a) && a->b[0] == 0xff)) return -1;
    long x = wbi_addrmap_get(&m->auto_assets, a);
    if (x >= 0) return x;
    x = new_asset(m, -1, a);
    if (x < 0 || wbi_addrmap_put(&m->auto_assets, a, (uint32_t)x) != 0) return -2;
    return x;
}

/* ---- pairs ----------------------------------------------------------------------------- */

static uint64_t pair_hash(uint32_t asset, const wb_addr *ep)
{
    return wbi_addr_hash(ep) ^ wb_hash_u64(asset + 0x9e3779b97f4a7c15ULL);
}

static int pairs_grow(wb_deps_map *m)
{
    size_t nc = m->capslots ? m->capslots * 2 : 1024;
    uint32_t *ns = calloc(nc, sizeof *ns);
    if (!ns) return WB_ENOMEM;
    for (size_t i = 0; i < m->npairs; i++) {
        const wbi_pair *p = &m->pairs[i];
        size_t j = pair_hash(p->asset, &p->ep) & (nc - 1);
        while (ns[j])
            j = (j + 1) & (nc - 1);
        ns[j] = (uint32_t)i + 1;
    }
    free(m->slots);
    m->slots = ns;
    m->capslots = nc;
    return 0;
}

/* The pair for (asset, ep), created when new; NULL on ENOMEM or the bound. */
wbi_pair *wbi_deps_pair(wb_deps_map *m, uint32_t asset, const wb_addr *ep)
{
    if ((m->npairs + 1) * 2 > m->capslots && pairs_grow(m) != 0) return NULL;
    size_t mask = m->capslots - 1;
    size_t j = pair_hash(asset, ep) & mask;
    for (; m->slots[j]; j = (j + 1) & mask) {
        wbi_pair *p = &m->pairs[m->slots[j] - 1];
        if (p->asset == asset && wbi_addr_eq(&p->ep, ep)) return p;
    }
    if (m->npairs >= m->cfg.max_pairs) {
        m->over_limit = true;
        return NULL;
    }
    if (m->npairs == m->cappairs) {
        size_t nc = m->cappairs ? m->cappairs * 2 : 1024;
        void *np = realloc(m->pairs, nc * sizeof *m->pairs);
        if (!np) return NULL;
        m->pairs = np;
        m->cappairs = nc;
    }
    wbi_pair *p = &m->pairs[m->npairs];
    memset(p, 0, sizeof *p);
    p->asset = asset;
    p->ep = *ep;
    p->first = WB_TIME_MAX;
    p->last = WB_TIME_NONE;
    m->slots[j] = (uint32_t)++m->npairs;
    return p;
}

/* Adds n contacts on day. 0 or WB_ENOMEM. */
int wbi_deps_pair_day(wbi_pair *p, int32_t day, uint32_t n)
{
    /* flows mostly arrive in time order: the last day first */
    if (p->ndays && p->days[p->ndays - 1].day == day) {
        p->days[p->ndays - 1].n += n;
        return 0;
    }
    for (uint32_t i = 0; i + 1 < p->ndays; i++)
        if (p->days[i].day == day) {
            p->days[i].n += n;
            return 0;
        }
    if (p->ndays == MAX_DAYS_PER_PAIR) return 0; /* eleven years: older days are not counted */
    if (p->ndays == p->capdays) {
        uint32_t nc = p->capdays ? p->capdays * 2 : 4;
        void *np = realloc(p->days, nc * sizeof *p->days);
        if (!np) return WB_ENOMEM;
        p->days = np;
        p->capdays = nc;
    }
    p->days[p->ndays++] = (wbi_dayc){day, n};
    return 0;
}

void wbi_deps_pair_port(wbi_pair *p, uint32_t pp)
{
    for (unsigned i = 0; i < p->nports; i++)
        if (p->ports[i] == pp) return;
    if (p->nports < WBI_MAX_PORTS) p->ports[p->nports++] = pp;
}

static int32_t day_of(wb_time t)
{
    int64_t d = t / 86400000000LL;
    if (t < 0 && d * 86400000000LL != t) d--;
    return (int32_t)d;
}

void wbi_deps_mark_day(wb_deps_map *m, int32_t day)
{
    if (day >= 0 && day < WBI_DAY_BITS) m->daybits[day / 8] |= (uint8_t)(1u << (day % 8));
}

static int map_flow(void *ud, const wb_deps_flow *f)
{
    wb_deps_map *m = ud;
    long as = asset_of(m, &f->src);
    long ad = as == -2 ? -2 : asset_of(m, &f->dst);
    if (as == -2 || ad == -2) return WB_ENOMEM;
    bool ext_src = as < 0 && !wb_deps_addr_internal(&f->src);
    bool ext_dst = ad < 0 && !wb_deps_addr_internal(&f->dst);
    uint32_t asset;
    const wb_addr *ep;
    bool outbound;
    if (as >= 0 && ext_dst) {
        asset = (uint32_t)as;
        ep = &f->dst;
        outbound = true;
    } else if (ad >= 0 && ext_src) {
        asset = (uint32_t)ad;
        ep = &f->src;
        outbound = false;
    } else {
        m->internal++;
        return 0;
    }
    wbi_pair *p = wbi_deps_pair(m, asset, ep);
    if (!p) return m->over_limit ? WB_ELIMIT : WB_ENOMEM;
    m->flows++;
    p->bytes_out += outbound ? f->src_bytes : f->dst_bytes;
    p->bytes_in += outbound ? f->dst_bytes : f->src_bytes;
    if (f->ts < p->first) p->first = f->ts;
    wb_time end = f->ts + (wb_time)(f->duration * 1e6);
    if (end > p->last) p->last = end;
    if (f->duration > p->max_dur) p->max_dur = f->duration;
    /* A CSV record of a unidirectional exporter may be the answer half of a
     * connection (from a service port to a client port): its bytes count,
     * but it is not another contact. */
    bool reply = !f->initiator_known && f->sport && f->dport && f->sport < 1024 && f->dport >= 1024;
    int32_t day = day_of(f->ts);
    wbi_deps_mark_day(m, day);
    if (!reply) {
        p->flows++;
        /* what is left runs from the initiator to the service port */
        wbi_deps_pair_port(p, (uint32_t)f->proto << 16 | f->dport);
        if (wbi_deps_pair_day(p, day, 1) != 0) return WB_ENOMEM;
    }
    return 0;
}

/* ---- names ------------------------------------------------------------------------------- */

int wbi_deps_names_add(wb_deps_map *m, wbi_names **nl, const char *name, size_t n)
{
    while (n && name[n - 1] == '.')
        n--;
    if (!n || n > 253) return 0;
    if (!*nl) {
        *nl = wb_arena_alloc(&m->arena, sizeof **nl);
        if (!*nl) return WB_ENOMEM;
        memset(*nl, 0, sizeof **nl);
    }
    wbi_names *l = *nl;
    for (unsigned k = 0; k < l->n; k++)
        if (strlen(l->name[k]) == n && wb_strn_ieq(name, n, l->name[k])) return 0;
    if (l->n == WBI_MAX_NAMES) return 0;
    char *c = wbi_lowdup(&m->arena, name, n);
    if (!c) return WB_ENOMEM;
    l->name[l->n++] = c;
    return 0;
}

int wbi_deps_add_name(wb_deps_map *m, const wb_addr *a, const char *name, size_t n)
{
    long i = wbi_addrmap_get(&m->name_idx, a);
    if (i < 0) {
        if (m->nnames == m->capnames) {
            size_t nc = m->capnames ? m->capnames * 2 : 256;
            void *p = realloc(m->names, nc * sizeof *m->names);
            if (!p) return WB_ENOMEM;
            m->names = p;
            m->capnames = nc;
        }
        m->names[m->nnames] = NULL;
        i = (long)m->nnames++;
        if (wbi_addrmap_put(&m->name_idx, a, (uint32_t)i) != 0) return WB_ENOMEM;
    }
    return wbi_deps_names_add(m, &m->names[i], name, n);
}

/* A name goes to the endpoint's list, and when the client that asked is an
 * asset, to that (asset, endpoint) pair too: the names the asset used. The
 * pair is made if the flows have not made it yet (a pair with names only is
 * left out of the report). */
static int map_name(void *ud, const wb_addr *client, const wb_addr *a, const char *name, size_t n,
                    wb_deps_namekind kind)
{
    (void)kind;
    wb_deps_map *m = ud;
    if (wb_deps_addr_internal(a) || wb_deps_inventory_find(m->inv, a) >= 0) return 0;
    int rc = wbi_deps_add_name(m, a, name, n);
    if (rc || !client) return rc;
    long as = asset_of(m, client);
    if (as == -2) return WB_ENOMEM;
    if (as < 0) return 0;
    wbi_pair *p = wbi_deps_pair(m, (uint32_t)as, a);
    if (!p) return m->over_limit ? WB_ELIMIT : WB_ENOMEM;
    return wbi_deps_names_add(m, &p->names, name, n);
}

wb_deps_sink wb_deps_map_sink(wb_deps_map *m)
{
    return (wb_deps_sink){m, map_flow, map_name};
}

/* ---- merging (threads) ---------------------------------------------------------------------- */

static int merge_into(wb_deps_map *m, const wb_deps_map *part)
{
    for (size_t i = 0; i < WBI_DAY_BITS / 8; i++)
        m->daybits[i] |= part->daybits[i];
    m->flows += part->flows;
    m->internal += part->internal;
    for (size_t i = 0; i < part->npairs; i++) {
        const wbi_pair *q = &part->pairs[i];
        const wbi_asset_rt *pa = &part->assets[q->asset];
        /* by entry, not by address: a network's own address may belong to a
         * more specific entry */
        long a = pa->def >= 0 ? asset_of_def(m, pa->def) : asset_of(m, &pa->addr);
        if (a < 0) return WB_ENOMEM;
        wbi_pair *p = wbi_deps_pair(m, (uint32_t)a, &q->ep);
        if (!p) return m->over_limit ? WB_ELIMIT : WB_ENOMEM;
        p->bytes_out += q->bytes_out;
        p->bytes_in += q->bytes_in;
        p->flows += q->flows;
        if (q->first < p->first) p->first = q->first;
        if (q->last > p->last) p->last = q->last;
        if (q->max_dur > p->max_dur) p->max_dur = q->max_dur;
        for (unsigned k = 0; k < q->nports; k++)
            wbi_deps_pair_port(p, q->ports[k]);
        for (unsigned k = 0; q->names && k < q->names->n; k++)
            if (wbi_deps_names_add(m, &p->names, q->names->name[k], strlen(q->names->name[k])) != 0)
                return WB_ENOMEM;
        for (uint32_t k = 0; k < q->ndays; k++)
            if (wbi_deps_pair_day(p, q->days[k].day, q->days[k].n) != 0) return WB_ENOMEM;
    }
    for (size_t i = 0; i < part->name_idx.cap; i++) {
        if (!part->name_idx.slots[i]) continue;
        const wbi_names *nl = part->names[part->name_idx.slots[i] - 1];
        for (unsigned k = 0; nl && k < nl->n; k++)
            if (wbi_deps_add_name(m, &part->name_idx.keys[i], nl->name[k], strlen(nl->name[k])) !=
                0)
                return WB_ENOMEM;
    }
    return 0;
}

typedef struct job {
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_space;
    wb_block q[8];
    size_t head, n;
    bool done;
} job;

typedef struct worker {
    job *j;
    wb_deps_map *map;
    wb_deps_reader *rd;
    int rc;
    wb_error err;
    pthread_t th;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    job *j = w->j;
    wb_deps_sink sink = wb_deps_map_sink(w->map);
    for (;;) {
        pthread_mutex_lock(&j->mu);
        while (!j->n && !j->done)
            pthread_cond_wait(&j->cv_work, &j->mu);
        if (!j->n) {
            pthread_mutex_unlock(&j->mu);
            break;
        }
        wb_block b = j->q[j->head];
        j->head = (j->head + 1) % 8;
        j->n--;
        pthread_cond_signal(&j->cv_space);
        pthread_mutex_unlock(&j->mu);
        if (w->rc == 0) w->rc = wb_deps_reader_block(w->rd, b.data, b.len, &sink, &w->err);
        wb_block_free(&b);
    }
    return NULL;
}

int wb_deps_map_read(wb_deps_map *m, const char *path, const char *fmt, unsigned threads,
                     wb_error *err)
{
    wb_input *in;
    int rc = wb_input_open(&in, path, NULL, err);
    if (rc) return rc;
    wb_deps_reader *rd;
    rc = wb_deps_reader_new(&rd, fmt, path, err);
    if (rc) {
        wb_input_close(in);
        return rc;
    }
    wb_deps_sink sink = wb_deps_map_sink(m);
    wb_block b;
    /* the first block on this thread: it holds the header the others need */
    rc = wb_input_next(in, &b, err);
    if (rc == 1) {
        rc = wb_deps_reader_block(rd, b.data, b.len, &sink, err);
        wb_block_free(&b);
        if (rc == 0) rc = 1;
    }
    if (threads > 16) threads = 16;
    worker ws[16];
    job j = {.head = 0};
    unsigned started = 0;
    if (rc == 1 && threads > 1) {
        pthread_mutex_init(&j.mu, NULL);
        pthread_cond_init(&j.cv_work, NULL);
        pthread_cond_init(&j.cv_space, NULL);
        for (unsigned t = 0; t < threads; t++) {
            memset(&ws[t], 0, sizeof ws[t]);
            ws[t].j = &j;
            ws[t].rd = wbi_deps_reader_clone(rd);
            if (!ws[t].rd || wb_deps_map_new(&ws[t].map, &m->cfg, m->inv, &ws[t].err) != 0) {
                wb_deps_reader_free(ws[t].rd);
                break;
            }
            if (pthread_create(&ws[t].th, NULL, work, &ws[t]) != 0) {
                wb_deps_reader_free(ws[t].rd);
                wb_deps_map_free(ws[t].map);
                break;
            }
            started++;
        }
    }
    while (rc == 1) {
        rc = wb_input_next(in, &b, err);
        if (rc != 1) break;
        if (started) {
            pthread_mutex_lock(&j.mu);
            while (j.n == 8)
                pthread_cond_wait(&j.cv_space, &j.mu);
            j.q[(j.head + j.n) % 8] = b;
            j.n++;
            pthread_cond_signal(&j.cv_work);
            pthread_mutex_unlock(&j.mu);
        } else {
            rc = wb_deps_reader_block(rd, b.data, b.len, &sink, err);
            wb_block_free(&b);
            if (rc == 0) rc = 1;
        }
    }
    if (started) {
        pthread_mutex_lock(&j.mu);
        j.done = true;
        pthread_cond_broadcast(&j.cv_work);
        pthread_mutex_unlock(&j.mu);
        for (unsigned t = 0; t < started; t++) {
            pthread_join(ws[t].th, NULL);
            if (rc == 0 && ws[t].rc) {
                rc = ws[t].rc;
                *err = ws[t].err;
            }
            if (rc == 0) {
                rc = merge_into(m, ws[t].map);
                if (rc)
                    wb_error_set(err, rc, "%s: %s", path,
                                 rc == WB_ELIMIT ? "more (asset, endpoint) pairs than the limit"
                                                 : "out of memory");
            }
            wbi_deps_reader_merge(rd, ws[t].rd);
            wb_deps_reader_free(ws[t].rd);
            wb_deps_map_free(ws[t].map);
        }
        pthread_mutex_destroy(&j.mu);
        pthread_cond_destroy(&j.cv_work);
        pthread_cond_destroy(&j.cv_space);
    }
    if (rc == WB_ELIMIT && m->over_limit)
        wb_error_set(err, rc, "%s: more than %zu (asset, endpoint) pairs (the limit)", path,
                     m->cfg.max_pairs);
    uint64_t recs, skipped;
    const char *first;
    wb_deps_reader_counts(rd, &recs, &skipped, &first);
    m->records += recs;
    m->skipped += skipped;
    if (first && !m->first_skip[0]) snprintf(m->first_skip, sizeof m->first_skip, "%s", first);
    wb_deps_reader_free(rd);
    wb_input_close(in);
    return rc < 0 ? rc : 0;
}

const char *wbi_deps_map_first_skip(const wb_deps_map *m)
{
    return m->first_skip[0] ? m->first_skip : NULL;
}
