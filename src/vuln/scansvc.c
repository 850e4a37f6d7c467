/*
 * scansvc.c - the hub's vulnerability scan service (vulnsvc.h): loads the
 * hub's advisories once, scans an uploaded inventory with the library's
 * scanner, stores the findings per organisation (store_vulnscan.h) and
 * decides who reads them with the assessments' policy: the organisation,
 * its routed CSIRT while shared, a site admin audited.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "weerbaar/vulnfetch.h"
#include "weerbaar/vulnscan.h"
#include "weerbaar/vulnsvc.h"

struct wb_vscan_db {
    wb_vulndb *db;
    atomic_int refs;
};

void wb_vscan_db_ref(wb_vscan_db *d)
{
    if (d) atomic_fetch_add(&d->refs, 1);
}

void wb_vscan_db_free(wb_vscan_db *d)
{
    if (d == NULL || atomic_fetch_sub(&d->refs, 1) > 1) return;
    wb_vulndb_free(d->db);
    free(d);
}

static int load_one(const char *p, wb_vulndb *db, wb_error *err)
{
    if (wb_vulndb_is_index(p)) {
        wb_vulndb *idx = NULL;
        int rc = wb_vulndb_open(&idx, p, err);
        if (rc == 0) rc = wb_vulndb_copy_into(idx, db, err);
        wb_vulndb_free(idx);
        return rc;
    }
    wb_advisory_opts ao = {.format = WB_ADV_AUTO};
    return wb_advisories_load(p, &ao, wb_vulndb_advisory_sink(db), err);
}

int wb_vscan_db_open(wb_vscan_db **out, const char *path, wb_error *err)
{
    *out = NULL;
    wb_vscan_db *d = calloc(1, sizeof *d);
    if (d == NULL || wb_vulndb_new(&d->db) != 0) {
        free(d);
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    atomic_init(&d->refs, 1);
    wb_fetched f;
    int rc = 0;
    bool listed = wb_fetched_list(path, &f, err) == 0;
    wb_error_clear(err); /* not a directory vuln fetch keeps: read as advisories */
    if (listed && (f.csaf || f.osv)) {
        /* a directory vuln fetch keeps */
        if (f.csaf) rc = load_one(f.csaf, d->db, err);
        if (rc == 0 && f.osv) rc = load_one(f.osv, d->db, err);
        if (rc == 0 && f.kev) rc = wb_kev_load(f.kev, wb_vulndb_kev_sink(d->db), err);
        if (rc == 0 && f.epss) rc = wb_epss_load(f.epss, wb_vulndb_epss_sink(d->db), err);
    } else {
        rc = load_one(path, d->db, err);
    }
    if (listed) wb_fetched_free(&f);
    if (rc == 0) rc = wb_vulndb_build(d->db, err);
    if (rc) {
        wb_error_prefix(err, "advisories %s: ", path);
        wb_vscan_db_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

/* ---- scanning ------------------------------------------------------------------------ */

/* A finding's JSON with the inventory named by the upload's name instead
 * of the temporary file it was read from. */
static int finding_out(const wb_finding *f, const char *path, const char *name, wb_buf *b)
{
    wb_finding g = *f;
    char where[600];
    size_t pn = strlen(path);
    if (f->where && strncmp(f->where, path, pn) == 0) {
        snprintf(where, sizeof where, "%s%s", name, f->where + pn);
        g.where = where;
    }
    return wb_finding_json(&g, b);
}

static json_t *summary_json(const wb_scan_summary *s)
{
    json_t *sev = json_object();
    for (int i = WB_SEV_CRITICAL; sev && i >= WB_SEV_UNKNOWN; i--)
        json_object_set_new(sev, wb_severity_name((wb_severity)i),
                            json_integer((json_int_t)s->by_severity[i]));
    return json_pack("{s:I,s:I,s:o,s:I,s:I,s:I,s:I}", "components", (json_int_t)s->components,
                     "findings", (json_int_t)s->findings, "by_severity", sev, "kev",
                     (json_int_t)s->kev, "overdue", (json_int_t)s->overdue, "suppressed",
                     (json_int_t)s->suppressed, "unknown", (json_int_t)s->unknown);
}

static int audit(wb_store *st, const wb_vscan_actor *a, const char *action, int64_t id,
                 const char *detail, wb_error *err)
{
    char obj[40];
    snprintf(obj, sizeof obj, "vuln scan %lld", (long long)id);
    wb_audit_rec r = {.user = a->user,
                      .org = a->org_name ? a->org_name : "-",
                      .action = action,
                      .object = obj,
                      .detail = detail};
    return wb_store_audit(st, &r, err);
}

int wb_vscan_submit(wb_store *st, const wb_vscan_db *db, const wb_vscan_actor *a, const char *name,
                    const char *path, wb_time now, int64_t *id, wb_error *err)
{
    wb_policy pol;
    wb_policy_default(&pol);
    wb_scan_opts so = {.now = now, .policy = &pol};
    wb_vulnscan *scan = NULL;
    wb_buf body = {0};
    char *summary = NULL;
    int rc = wb_vulnscan_new(&scan, db->db, NULL, &so, err);
    if (rc == 0) {
        wb_inventory_opts io = {.format = WB_INV_AUTO};
        rc = wb_inventory_load(path, &io, wb_vulnscan_sink(scan), err);
        if (rc && err->msg[0]) {
            /* name the upload, not the temporary file */
            char msg[WB_ERROR_MSG_MAX];
            const char *m =
                strncmp(err->msg, path, strlen(path)) == 0 ? err->msg + strlen(path) : err->msg;
            snprintf(msg, sizeof msg, "%s%s%s", name, m == err->msg ? ": " : "", m);
            wb_error_set(err, rc, "%s", msg);
        }
    }
    if (rc == 0) rc = wb_vulnscan_finish(scan, err);
    size_t n = rc == 0 ? wb_vulnscan_count(scan) : 0;
    if (rc == 0 && wb_buf_puts(&body, "[") != 0) rc = WB_ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (i && wb_buf_puts(&body, ",") != 0) rc = WB_ENOMEM;
        if (rc == 0) rc = finding_out(wb_vulnscan_get(scan, i), path, name, &body);
    }
    if (rc == 0 && wb_buf_puts(&body, "]") != 0) rc = WB_ENOMEM;
    wb_scan_summary sum = {0};
    if (rc == 0) {
        wb_vulnscan_summary_get(scan, &sum);
        json_t *sj = summary_json(&sum);
        summary = sj ? json_dumps(sj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(sj);
        if (summary == NULL) rc = WB_ENOMEM;
    }
    if (rc == WB_ENOMEM) wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0) {
        wb_vscan_rec r = {.org_id = a->who->org_id,
                          .name = name,
                          .author = a->user,
                          .created = wb_time_now(),
                          .components = (int64_t)sum.components,
                          .findings = (int64_t)sum.findings,
                          .kev = (int64_t)sum.kev,
                          .overdue = (int64_t)sum.overdue,
                          .summary = summary,
                          .body = body.data};
        rc = wb_store_begin(st, err);
        if (rc == 0) rc = wb_store_vscan_add(st, &r, id, err);
        char detail[96];
        snprintf(detail, sizeof detail, "%zu components, %zu findings", sum.components,
                 sum.findings);
        if (rc == 0) rc = audit(st, a, "vuln.scan", *id, detail, err);
        if (rc == 0) rc = wb_store_commit(st, err);
        if (rc) wb_store_rollback(st);
    }
    free(summary);
    wb_buf_free(&body);
    wb_vulnscan_free(scan);
    return rc;
}

/* ---- who reads ----------------------------------------------------------------------- */

/* The assessments' policy on a scan: its organisation, the CSIRT its
 * sector routes to while shared (never the supervisor: scans are not
 * shared with one). */
static int access_of(wb_store *st, const wb_vscan_actor *a, const wb_vscan_rec *r,
                     wb_assessment_op op, wb_access *out, wb_error *err)
{
    wb_assessment_audience aud = {.org_id = r->org_id, .shared_csirt = r->shared_csirt};
    /* no route: the organisation alone */
    int rc = wb_store_route_ids(st, r->org_sector, &aud.csirt_id, NULL, err);
    *out = rc == 0 ? wb_policy_assessment(a->who, op, &aud) : WB_DENY;
    return rc;
}

typedef struct one {
    wb_vscan_rec r;
    char *copy[6]; /* org_name, org_sector, name, author, summary, body */
    bool found;
} one;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int one_cb(void *ud, const wb_vscan_rec *r)
{
    one *o = ud;
    o->r = *r;
    o->copy[0] = dup_or_null(r->org_name);
    o->copy[1] = dup_or_null(r->org_sector);
    o->copy[2] = dup_or_null(r->name);
    o->copy[3] = dup_or_null(r->author);
    o->copy[4] = dup_or_null(r->summary);
    o->copy[5] = dup_or_null(r->body);
    o->r.org_name = o->copy[0];
    o->r.org_sector = o->copy[1];
    o->r.name = o->copy[2];
    o->r.author = o->copy[3];
    o->r.summary = o->copy[4];
    o->r.body = o->copy[5];
    o->found = true;
    return 1;
}

static void one_free(one *o)
{
    for (size_t i = 0; i < 6; i++)
        free(o->copy[i]);
}

/* The scan, copied, and the caller's access to it for op. */
static int fetch(wb_store *st, const wb_vscan_actor *a, int64_t id, wb_assessment_op op, one *o,
                 wb_access *acc, wb_error *err)
{
    memset(o, 0, sizeof *o);
    int rc = wb_store_vscan_get(st, id, one_cb, o, err);
    if (rc == 0 && (o->copy[0] == NULL || o->copy[2] == NULL || o->copy[5] == NULL))
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0) rc = access_of(st, a, &o->r, op, acc, err);
    return rc;
}

int wb_vscan_read(wb_store *st, const wb_vscan_actor *a, int64_t id, wb_vscan_cb cb, void *ud,
                  wb_error *err)
{
    one o;
    wb_access acc = WB_DENY;
    int rc = fetch(st, a, id, WB_ASSESSMENT_READ, &o, &acc, err);
    if (rc == 0 && acc == WB_DENY) rc = wb_error_set(err, WB_ENOTFOUND, "no such scan");
    if (rc == 0 && acc == WB_ALLOW_AUDITED) {
        rc = wb_store_begin(st, err);
        if (rc == 0) rc = audit(st, a, "read.admin", id, "a site admin read another's scan", err);
        if (rc == 0) rc = wb_store_commit(st, err);
        if (rc) wb_store_rollback(st);
    }
    if (rc == 0) cb(ud, &o.r);
    one_free(&o);
    return rc;
}

typedef struct list_walk {
    wb_vscan_rec *rows;
    size_t n, cap;
    char **strs;
    size_t ns, scap;
    int rc;
} list_walk;

static const char *keep(list_walk *w, const char *s)
{
    if (s == NULL) return NULL;
    if (w->ns == w->scap) {
        size_t nc = w->scap ? w->scap * 2 : 64;
        char **ns = realloc(w->strs, nc * sizeof *ns);
        if (ns == NULL) return NULL;
        w->strs = ns;
        w->scap = nc;
    }
    char *c = strdup(s);
    if (c) w->strs[w->ns++] = c;
    return c;
}

static int list_cb(void *ud, const wb_vscan_rec *r)
{
    list_walk *w = ud;
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 32;
        wb_vscan_rec *nr = realloc(w->rows, nc * sizeof *nr);
        if (nr == NULL) {
            w->rc = WB_ENOMEM;
            return 1;
        }
        w->rows = nr;
        w->cap = nc;
    }
    wb_vscan_rec *c = &w->rows[w->n++];
    *c = *r;
    c->org_name = keep(w, r->org_name);
    c->org_sector = keep(w, r->org_sector);
    c->name = keep(w, r->name);
    c->author = keep(w, r->author);
    c->summary = keep(w, r->summary);
    if (c->org_name == NULL || c->name == NULL || c->author == NULL || c->summary == NULL)
        w->rc = WB_ENOMEM;
    return w->rc != 0;
}

int wb_vscan_list(wb_store *st, const wb_vscan_actor *a, wb_vscan_cb cb, void *ud, wb_error *err)
{
    list_walk w = {0};
    /* Walks every scan: the policy (routes, shares) decides each, and the
     * walk copies first because the route look-up is a query of its own. */
    int rc = wb_store_vscan_list(st, 0, list_cb, &w, err);
    if (rc == 0 && w.rc) rc = wb_error_set(err, w.rc, "out of memory");
    bool audited = false;
    for (size_t i = 0; rc == 0 && i < w.n; i++) {
        wb_access acc;
        rc = access_of(st, a, &w.rows[i], WB_ASSESSMENT_READ, &acc, err);
        if (rc || acc == WB_DENY) continue;
        audited = audited || acc == WB_ALLOW_AUDITED;
        if (cb(ud, &w.rows[i]) != 0) break;
    }
    if (rc == 0 && audited) {
        rc = wb_store_begin(st, err);
        if (rc == 0) rc = audit(st, a, "read.admin", 0, "a site admin listed others' scans", err);
        if (rc == 0) rc = wb_store_commit(st, err);
        if (rc) wb_store_rollback(st);
    }
    for (size_t i = 0; i < w.ns; i++)
        free(w.strs[i]);
    free(w.strs);
    free(w.rows);
    return rc;
}

int wb_vscan_share(wb_store *st, const wb_vscan_actor *a, int64_t id, bool shared, wb_error *err)
{
    one o;
    wb_access read = WB_DENY, share = WB_DENY;
    int rc = fetch(st, a, id, WB_ASSESSMENT_READ, &o, &read, err);
    if (rc == 0 && read == WB_DENY) rc = wb_error_set(err, WB_ENOTFOUND, "no such scan");
    if (rc == 0) rc = access_of(st, a, &o.r, WB_ASSESSMENT_SHARE, &share, err);
    if (rc == 0 && (share == WB_DENY || o.r.org_id != a->who->org_id))
        rc = wb_error_set(err, WB_EINVAL, "only an admin of the scan's organisation shares it");
    one_free(&o);
    if (rc == 0) rc = wb_store_begin(st, err);
    if (rc == 0) {
        rc = wb_store_vscan_share(st, id, shared, err);
        if (rc == 0)
            rc = audit(st, a, "vuln.scan.share", id,
                       shared ? "shared with the CSIRT" : "no longer shared", err);
        if (rc == 0) rc = wb_store_commit(st, err);
        if (rc) wb_store_rollback(st);
    }
    return rc;
}
