/*
 * exposure.c - the exposure theme of the picture: the vulnerability scans
 * organisations share with their CSIRT through the hub's scan service
 * (src/vuln/scansvc.c), per sector: known-exploited (KEV) and overdue
 * findings, the median days overdue, and the vulnerabilities that affect
 * the most organisations.
 *
 * Only shared scans count, by the scan service's own rule: a scan is read
 * by its organisation's routed CSIRT while shared, never by a supervisor,
 * so a supervisor's picture says it has no scan data. The state at the end
 * of a period is each organisation's newest scan of each inventory (the
 * name it was uploaded under) made before that end. Of a scan only its
 * organisation, time and findings' kev, overdue, deadline and
 * vulnerability id are read: never the inventory's name or its packages.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "picture/picture_internal.h"
#include "weerbaar/store_vulnscan.h"

#define DAY_US ((wb_time)86400 * 1000000)
#define TOP_VULNS 10

enum { S_KEV, S_OVERDUE, S_KEV_OVERDUE };

typedef struct scan_row {
    int64_t id, org;
    char *name;
    wb_time created;
    int sector;
} scan_row;

typedef struct ex_ctx {
    const wbi_pic_view *v;
    scan_row *rows;
    size_t n, cap;
    int rc;
    /* the scan being read */
    json_t *body;
} ex_ctx;

static int on_scan(void *ud, const wb_vscan_rec *r)
{
    ex_ctx *c = ud;
    if (!r->shared_csirt) return 0;
    const wbi_pic_org *o = wbi_pic_org_find(c->v, r->org_id);
    if (!o) return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        scan_row *p = realloc(c->rows, cap * sizeof *p);
        if (!p) return c->rc = WB_ENOMEM;
        c->rows = p;
        c->cap = cap;
    }
    char *name = strdup(r->name ? r->name : "");
    if (!name) return c->rc = WB_ENOMEM;
    c->rows[c->n++] = (scan_row){r->id, r->org_id, name, r->created, o->sector};
    return 0;
}

static int on_body(void *ud, const wb_vscan_rec *r)
{
    ex_ctx *c = ud;
    c->body = r->body ? json_loadb(r->body, strlen(r->body), 0, NULL) : NULL;
    return 0;
}

static int row_cmp(const void *a, const void *b)
{
    const scan_row *x = a, *y = b;
    if (x->org != y->org) return x->org < y->org ? -1 : 1;
    int n = strcmp(x->name, y->name);
    if (n) return n;
    /* newest first within an inventory */
    if (x->created != y->created) return x->created > y->created ? -1 : 1;
    return x->id > y->id ? -1 : x->id < y->id;
}

/* Chooses the scans of the state at end: each organisation's newest of
 * each inventory made before end (the rows are sorted newest first). */
static void choose(const ex_ctx *c, wb_time end, bool *chosen)
{
    for (size_t i = 0; i < c->n; i++) {
        chosen[i] = false;
        if (c->rows[i].created >= end) continue;
        /* the newest of this organisation's inventory before end */
        bool newer = false;
        for (size_t j = i; j-- > 0 && !newer;) {
            if (c->rows[j].org != c->rows[i].org || strcmp(c->rows[j].name, c->rows[i].name)) break;
            newer = c->rows[j].created < end;
        }
        if (newer) continue;
        chosen[i] = true;
    }
}

typedef struct finding {
    bool kev, overdue;
    double days; /* overdue by, at the scan */
    const char *vuln;
} finding;

/* The findings of scan i that count (suppressed ones do not). */
static int read_findings(ex_ctx *c, size_t i, json_t **body)
{
    c->body = NULL;
    int rc = wb_store_vscan_get(c->v->s, c->rows[i].id, on_body, c, c->v->err);
    *body = c->body;
    return rc;
}

static void finding_of(json_t *f, wb_time at, finding *out)
{
    memset(out, 0, sizeof *out);
    out->kev = json_is_true(json_object_get(f, "kev"));
    out->overdue = json_is_true(json_object_get(f, "overdue"));
    out->vuln = json_string_value(json_object_get(f, "vulnerability"));
    const char *d = json_string_value(json_object_get(f, "deadline"));
    wb_time due;
    if (out->overdue && d && wb_time_parse(d, strlen(d), &due) == 0 && due < at)
        out->days = (double)(at - due) / (double)DAY_US;
}

static void put(json_t *o, const wbi_pic_cell *c, unsigned k)
{
    (void)k;
    json_object_set_new(o, "kev_findings", json_integer((json_int_t)c->sum[S_KEV]));
    json_object_set_new(o, "overdue_findings", json_integer((json_int_t)c->sum[S_OVERDUE]));
    json_object_set_new(o, "kev_overdue_findings", json_integer((json_int_t)c->sum[S_KEV_OVERDUE]));
    json_object_set_new(o, "scans_with_kev_overdue", json_integer((json_int_t)c->flags));
}

static double main_num(const wbi_pic_cell *c)
{
    return c->sum[S_KEV_OVERDUE];
}

static const wbi_pic_theme exposure_theme = {
    .count_name = "scans", .put = put, .main = main_num, .main_integer = true};

typedef struct vuln_org {
    int vuln;
    int64_t org;
} vuln_org;

/* Builds the set of one period from the chosen scans' findings. With
 * overdue and vulns (the current period), also the overdue findings'
 * days and the (vulnerability, organisation) pairs of the scans kept. */
static int build(ex_ctx *c, const bool *chosen, unsigned k, wbi_pic_set *set, wbi_pic_set *overdue,
                 wbi_pic_set *vulns, wbi_pic_labels *vl)
{
    set->ndims = 1;
    json_t **bodies = calloc(c->n + 1, sizeof *bodies);
    if (!bodies) return WB_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < c->n && rc == 0; i++) {
        if (!chosen[i]) continue;
        rc = read_findings(c, i, &bodies[i]);
        wbi_pic_rec r = {.org = c->rows[i].org, .key = {c->rows[i].sector}};
        size_t j;
        json_t *f;
        json_array_foreach(bodies[i], j, f)
        {
            if (json_is_true(json_object_get(f, "suppressed"))) continue;
            finding x;
            finding_of(f, c->rows[i].created, &x);
            r.sum[S_KEV] += x.kev;
            r.sum[S_OVERDUE] += x.overdue;
            r.sum[S_KEV_OVERDUE] += x.kev && x.overdue;
        }
        r.flag = r.sum[S_KEV_OVERDUE] > 0;
        if (rc == 0 && wbi_pic_add(set, &r) < 0) rc = WB_ENOMEM;
    }
    if (rc == 0 && wbi_pic_fixpoint(set, k) < 0) rc = WB_ENOMEM;
    /* the records of set are in the order of the chosen scans */
    size_t at = 0;
    for (size_t i = 0; i < c->n && rc == 0 && overdue; i++) {
        if (!chosen[i]) continue;
        bool alive = set->r[at++].alive;
        if (!alive) continue;
        size_t j;
        json_t *f;
        json_array_foreach(bodies[i], j, f)
        {
            if (json_is_true(json_object_get(f, "suppressed"))) continue;
            finding x;
            finding_of(f, c->rows[i].created, &x);
            if (x.overdue) {
                wbi_pic_rec r = {.org = c->rows[i].org, .key = {c->rows[i].sector}, .v = x.days};
                if (wbi_pic_add(overdue, &r) < 0) rc = WB_ENOMEM;
            }
            if (x.vuln && rc == 0) {
                int key = wbi_pic_label_of(vl, x.vuln);
                wbi_pic_rec r = {.org = c->rows[i].org, .key = {key}};
                if (key < 0 || wbi_pic_add(vulns, &r) < 0) rc = WB_ENOMEM;
            }
        }
    }
    for (size_t i = 0; i < c->n; i++)
        json_decref(bodies[i]);
    free(bodies);
    return rc;
}

/* A median of days overdue over a cell of the overdue findings: published
 * when its findings come from k organisations. */
static void put_median(json_t *cellj, const wbi_pic_set *od, int dim, int key, unsigned k, int *rc)
{
    if (!json_is_object(cellj) || json_object_get(cellj, "suppressed")) return;
    wbi_pic_cell m;
    if (wbi_pic_cell_get(od, dim, key, false, &m) < 0) {
        *rc = WB_ENOMEM;
        return;
    }
    if (m.v_count == 0)
        ;
    else if (m.v_orgs >= k)
        json_object_set_new(cellj, "median_days_overdue", json_real(round(m.v_med * 10) / 10));
    else
        json_object_set_new(cellj, "median_days_overdue_suppressed", json_true());
    free(m.orgs);
}

typedef struct top {
    int key;
    size_t orgs;
} top;

static int top_cmp(const void *a, const void *b)
{
    const top *x = a, *y = b;
    if (x->orgs != y->orgs) return x->orgs > y->orgs ? -1 : 1;
    return x->key - y->key;
}

/* The vulnerabilities with the most organisations, each at least k. */
static json_t *top_vulns(const wbi_pic_set *vs, const wbi_pic_labels *vl, unsigned k, int *rc)
{
    json_t *arr = json_array();
    top *t = calloc((size_t)vl->n + 1, sizeof *t);
    if (!arr || !t) {
        *rc = WB_ENOMEM;
        free(t);
        json_decref(arr);
        return NULL;
    }
    size_t nt = 0;
    for (int key = 0; key < vl->n && *rc == 0; key++) {
        wbi_pic_cell c;
        if (wbi_pic_cell_get(vs, 0, key, false, &c) < 0) {
            *rc = WB_ENOMEM;
            break;
        }
        if (c.norgs >= k) t[nt++] = (top){key, c.norgs};
        free(c.orgs);
    }
    if (nt > 1) qsort(t, nt, sizeof *t, top_cmp);
    for (size_t i = 0; i < nt && i < TOP_VULNS; i++)
        json_array_append_new(arr, json_pack("{s:s,s:I}", "key", vl->s[t[i].key], "organisations",
                                             (json_int_t)t[i].orgs));
    free(t);
    return arr;
}

json_t *wbi_pic_exposure(const wbi_pic_view *v, int *rc)
{
    if (v->o->viewer != 0 && v->o->audience == WB_SHARE_SUPERVISOR)
        return wbi_pic_no_data("vulnerability scans are shared with CSIRTs, not with supervisors");
    ex_ctx c = {.v = v};
    *rc = wb_store_vscan_list(v->s, 0, on_scan, &c, v->err);
    if (*rc == 0 && c.rc) *rc = wb_error_set(v->err, c.rc, "out of memory");
    if (*rc == 0 && c.n > 1) qsort(c.rows, c.n, sizeof *c.rows, row_cmp);
    bool *chosen = calloc(c.n + 1, sizeof *chosen);
    wbi_pic_set cur = {0}, prev = {0}, od = {0}, vs = {0};
    wbi_pic_labels vl = {0};
    json_t *th = NULL;
    if (*rc == 0 && !chosen) *rc = WB_ENOMEM;
    if (*rc == 0) choose(&c, v->o->to, chosen);
    if (*rc == 0) *rc = build(&c, chosen, v->o->k, &cur, &od, &vs, &vl);
    if (*rc == 0) choose(&c, v->o->from, chosen);
    if (*rc == 0) *rc = build(&c, chosen, v->o->k, &prev, NULL, NULL, NULL);
    od.ndims = vs.ndims = 1;
    if (*rc == 0) {
        wbi_pic_table tab = {"sector", 0, v->sectors, NULL, true};
        th = wbi_pic_theme_json(&exposure_theme, &cur, &prev, &tab, 1, v->o->k, rc);
    }
    if (*rc == 0) {
        put_median(json_object_get(th, "total"), &od, -1, 0, v->o->k, rc);
        size_t i;
        json_t *cj;
        json_array_foreach(json_object_get(json_object_get(th, "by"), "sector"), i, cj)
        {
            int key = wbi_pic_label_of(v->sectors, json_string_value(json_object_get(cj, "key")));
            if (key >= 0) put_median(cj, &od, 0, key, v->o->k, rc);
        }
        json_object_set_new(th, "top_vulnerabilities", top_vulns(&vs, &vl, v->o->k, rc));
    }
    if (*rc == WB_ENOMEM) wb_error_set(v->err, WB_ENOMEM, "out of memory building the picture");
    for (size_t i = 0; i < c.n; i++)
        free(c.rows[i].name);
    free(c.rows);
    free(chosen);
    wbi_pic_free(&cur);
    wbi_pic_free(&prev);
    wbi_pic_free(&od);
    wbi_pic_free(&vs);
    wbi_pic_labels_free(&vl);
    if (*rc != 0) {
        json_decref(th);
        return NULL;
    }
    return th;
}
