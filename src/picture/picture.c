/*
 * picture.c - the constituency's threat picture (picture.h): reads the
 * organisations, routes, incidents, their reports and the CSIRT's answers
 * through the store, turns them into the records of each theme, makes
 * every theme k-anonymous with the fixpoint of kanon.c and writes JSON.
 *
 * Only organisation ids, sectors, times, the RSIT class, the severity and
 * report stages are read into the picture: names, titles and report text
 * never enter it, so they cannot leak out of it.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "picture/picture_internal.h"
#include "weerbaar/depsdb.h"
#include "weerbaar/picture.h"

#define HOUR ((wb_time)3600 * 1000000)
#define DAY (24 * HOUR)

void wb_picture_last_month(wb_time now, wb_time *from, wb_time *to)
{
    *to = wb_time_month_start(now);
    *from = wb_time_add_months(*to, -1);
}

/* ---- labels of a dimension ----------------------------------------------- */

typedef struct labels {
    char **s;
    int n, cap;
} labels;

/* The index of label s in l, added when new; -1 when out of memory. */
static int label_of(labels *l, const char *s)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->s[i], s) == 0) return i;
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        char **p = realloc(l->s, (size_t)cap * sizeof *p);
        if (!p) return -1;
        l->s = p;
        l->cap = cap;
    }
    char *c = strdup(s);
    if (!c) return -1;
    l->s[l->n] = c;
    return l->n++;
}

static void labels_free(labels *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->s[i]);
    free(l->s);
    memset(l, 0, sizeof *l);
}

/* ---- what is read from the store ----------------------------------------- */

typedef struct org_row {
    int64_t id;
    int sector; /* label in ctx.dim[D_SECTOR] */
    bool visible;
} org_row;

typedef struct incident_row {
    int64_t id, org;
    int sector, type, month, severity;
    wb_time aware, ew, notif, final, ack; /* WB_TIME_NONE when absent */
} incident_row;

enum { D_SECTOR, D_TYPE, D_MONTH, D_SEVERITY, D_COUNT };
static const char *const dim_names[D_COUNT] = {"sector", "type", "month", "severity"};

typedef struct ctx {
    wb_store *s;
    wb_error *err;
    int rc;
    labels dim[D_COUNT];
    org_row *orgs;
    size_t norgs, orgcap;
    incident_row *inc;
    size_t ninc, inccap;
    wb_time lo, hi; /* incidents read: aware in [lo, hi) */
    int64_t viewer;
    wb_share_audience audience;
    bool route_hit;
    /* the incident being read */
    incident_row *cur;
    wb_time sev_at;
} ctx;

static const char *const severity_labels[] = {"low", "medium", "high", "critical", "unknown"};

static int org_cmp(const void *a, const void *b)
{
    const org_row *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static org_row *org_find(ctx *c, int64_t id)
{
    org_row key = {.id = id};
    if (c->norgs == 0) return NULL;
    return bsearch(&key, c->orgs, c->norgs, sizeof key, org_cmp);
}

static int on_org(void *ud, const wb_org *o)
{
    ctx *c = ud;
    if (c->norgs == c->orgcap) {
        size_t cap = c->orgcap ? c->orgcap * 2 : 256;
        org_row *p = realloc(c->orgs, cap * sizeof *p);
        if (!p) return WB_ENOMEM;
        c->orgs = p;
        c->orgcap = cap;
    }
    int sec = label_of(&c->dim[D_SECTOR], o->sector && *o->sector ? o->sector : "(none)");
    if (sec < 0) return WB_ENOMEM;
    c->orgs[c->norgs++] = (org_row){o->id, sec, false};
    return 0;
}

static int on_route(void *ud, const wb_route_rec *r)
{
    ctx *c = ud;
    int64_t who = c->audience == WB_SHARE_SUPERVISOR ? r->supervisor_id : r->csirt_id;
    c->route_hit = who == c->viewer;
    return 0;
}

/* Marks the organisations whose sector routes to the viewer. */
static int mark_visible(ctx *c)
{
    labels *sl = &c->dim[D_SECTOR];
    bool *vis = calloc((size_t)sl->n + 1, sizeof *vis);
    if (!vis) return WB_ENOMEM;
    for (int i = 0; i < sl->n; i++) {
        if (c->viewer == 0) {
            vis[i] = true;
            continue;
        }
        c->route_hit = false;
        const char *sec = strcmp(sl->s[i], "(none)") == 0 ? NULL : sl->s[i];
        int rc = wb_store_route_for(c->s, sec, on_route, c, c->err);
        if (rc == WB_ENOTFOUND) {
            wb_error_clear(c->err);
            rc = 0;
        }
        if (rc < 0) {
            free(vis);
            return rc;
        }
        vis[i] = c->route_hit;
    }
    for (size_t i = 0; i < c->norgs; i++)
        c->orgs[i].visible = vis[c->orgs[i].sector];
    free(vis);
    return 0;
}

/* "availability" from 'rsit:availability="ddos"': the RSIT class. */
static int type_label(ctx *c, const char *rsit)
{
    char buf[64] = "unknown";
    if (rsit && strncmp(rsit, "rsit:", 5) == 0) {
        size_t n = strcspn(rsit + 5, "=\"");
        if (n > 0 && n < sizeof buf) {
            memcpy(buf, rsit + 5, n);
            buf[n] = '\0';
        }
    }
    return label_of(&c->dim[D_TYPE], buf);
}

static int on_incident(void *ud, const wb_incident_rec *r)
{
    ctx *c = ud;
    if (r->aware_at == WB_TIME_NONE || r->aware_at < c->lo || r->aware_at >= c->hi) return 0;
    org_row *o = org_find(c, r->org_id);
    if (!o || !o->visible) return 0;
    if (c->ninc == c->inccap) {
        size_t cap = c->inccap ? c->inccap * 2 : 256;
        incident_row *p = realloc(c->inc, cap * sizeof *p);
        if (!p) return WB_ENOMEM;
        c->inc = p;
        c->inccap = cap;
    }
    char month[32];
    wb_time_format_month(r->aware_at, month, sizeof month);
    int type = type_label(c, r->rsit), mon = label_of(&c->dim[D_MONTH], month);
    if (type < 0 || mon < 0) return WB_ENOMEM;
    c->inc[c->ninc++] = (incident_row){.id = r->id,
                                       .org = r->org_id,
                                       .sector = o->sector,
                                       .type = type,
                                       .month = mon,
                                       .severity = 4,
                                       .aware = r->aware_at,
                                       .ew = WB_TIME_NONE,
                                       .notif = WB_TIME_NONE,
                                       .final = WB_TIME_NONE,
                                       .ack = WB_TIME_NONE};
    return 0;
}

static void first_time(wb_time *slot, wb_time t)
{
    if (*slot == WB_TIME_NONE || t < *slot) *slot = t;
}

static int on_report(void *ud, const wb_incident_report_rec *r)
{
    ctx *c = ud;
    incident_row *i = c->cur;
    if (strcmp(r->stage, "early-warning") == 0)
        first_time(&i->ew, r->submitted_at);
    else if (strcmp(r->stage, "notification") == 0)
        first_time(&i->notif, r->submitted_at);
    else if (strcmp(r->stage, "final") == 0)
        first_time(&i->final, r->submitted_at);
    /* The newest report that states a severity decides it; only that one
     * member of the document is read. */
    json_t *doc = json_loadb(r->json, strlen(r->json), 0, NULL);
    const char *sev = json_string_value(json_object_get(doc, "severity"));
    if (sev && r->submitted_at >= c->sev_at)
        for (int k = 0; k < 4; k++)
            if (strcmp(sev, severity_labels[k]) == 0) {
                i->severity = k;
                c->sev_at = r->submitted_at;
            }
    json_decref(doc);
    return 0;
}

static int on_action(void *ud, const wb_incident_action_rec *a)
{
    ctx *c = ud;
    if (a->kind == WB_ACTION_ACK) first_time(&c->cur->ack, a->at);
    return 0;
}

static void ctx_free(ctx *c)
{
    for (int d = 0; d < D_COUNT; d++)
        labels_free(&c->dim[d]);
    free(c->orgs);
    free(c->inc);
}

/* ---- themes ---------------------------------------------------------------- */

/* Which records a theme takes from an incident and what they measure. */
typedef enum theme_kind {
    T_INCIDENTS,
    T_EARLY_WARNING, /* within 24 h of awareness */
    T_NOTIFICATION,  /* within 72 h of awareness */
    T_FINAL,         /* within a month of the notification */
    T_ANSWER,        /* the CSIRT's ack, within 24 h of the first report */
    T_COUNT
} theme_kind;

static const char *const theme_names[T_COUNT] = {"incidents", "early_warning", "notification",
                                                 "final_report", "csirt_answer"};

/* The record of incident i for theme t; false when it has none. */
static bool theme_record(theme_kind t, const incident_row *i, wbi_pic_rec *r)
{
    memset(r, 0, sizeof *r);
    r->org = i->org;
    r->key[D_SECTOR] = i->sector;
    r->key[D_TYPE] = i->type;
    r->key[D_MONTH] = i->month;
    r->key[D_SEVERITY] = i->severity;
    wb_time at = WB_TIME_NONE, due = WB_TIME_NONE;
    switch (t) {
    case T_INCIDENTS:
        return true;
    case T_EARLY_WARNING:
        at = i->ew;
        due = i->aware + 24 * HOUR;
        break;
    case T_NOTIFICATION:
        at = i->notif;
        due = i->aware + 72 * HOUR;
        break;
    case T_FINAL:
        if (i->notif == WB_TIME_NONE) return false;
        at = i->final;
        due = wb_time_add_months(i->notif, 1);
        break;
    case T_ANSWER: {
        wb_time first = i->ew != WB_TIME_NONE ? i->ew : i->notif;
        if (first == WB_TIME_NONE || i->ack == WB_TIME_NONE) return false;
        r->v = (double)(i->ack - first) / (double)HOUR;
        r->flag = i->ack - first <= 24 * HOUR;
        return true;
    }
    case T_COUNT:
        return false;
    }
    if (at == WB_TIME_NONE) return false;
    r->flag = at <= due;
    r->v = (double)(at - due) / (double)HOUR;
    return true;
}

static int theme_dims(theme_kind t)
{
    return t == T_INCIDENTS ? D_COUNT : 1;
}

static int build_set(const ctx *c, theme_kind t, wb_time from, wb_time to, unsigned k,
                     wbi_pic_set *set)
{
    set->ndims = theme_dims(t);
    for (size_t n = 0; n < c->ninc; n++) {
        const incident_row *i = &c->inc[n];
        if (i->aware < from || i->aware >= to) continue;
        wbi_pic_rec r;
        if (theme_record(t, i, &r) && wbi_pic_add(set, &r) < 0) return WB_ENOMEM;
    }
    return wbi_pic_fixpoint(set, k) < 0 ? WB_ENOMEM : 0;
}

static double round1(double v)
{
    return round(v * 10) / 10;
}

/* One cell as JSON: its numbers, or {"suppressed": true}; with the
 * previous period's cell when prev is not NULL. */
static json_t *cell_json(theme_kind t, const wbi_pic_set *cur, const wbi_pic_set *prev, int dim,
                         int key, const char *label, unsigned k, int *rc)
{
    wbi_pic_cell a, b = {0};
    json_t *o = json_object();
    if (o && label) json_object_set_new(o, "key", json_string(label));
    if (!o || wbi_pic_cell_get(cur, dim, key, t != T_ANSWER, &a) < 0) {
        json_decref(o);
        *rc = WB_ENOMEM;
        return NULL;
    }
    if (a.norgs < k) {
        json_object_set_new(o, "suppressed", json_true());
        goto prev;
    }
    json_object_set_new(o, t == T_INCIDENTS ? "incidents" : "reports",
                        json_integer((json_int_t)a.count));
    json_object_set_new(o, "organisations", json_integer((json_int_t)a.norgs));
    if (t != T_INCIDENTS) {
        json_object_set_new(o, "on_time", json_integer((json_int_t)a.flags));
        json_object_set_new(o, "on_time_share",
                            json_real(round(1000.0 * (double)a.flags / (double)a.count) / 1000));
        const char *med = t == T_ANSWER ? "median_hours" : "median_late_hours";
        if (a.v_count == 0)
            ;
        else if (a.v_orgs >= k)
            json_object_set_new(o, med, json_real(round1(a.v_med)));
        else
            json_object_set_new(
                o, t == T_ANSWER ? "median_hours_suppressed" : "median_late_hours_suppressed",
                json_true());
    }
prev:
    if (prev) {
        if (wbi_pic_cell_get(prev, dim, key, true, &b) < 0) {
            *rc = WB_ENOMEM;
        } else if (b.norgs < k) {
            json_object_set_new(o, "previous_suppressed", json_true());
        } else {
            json_object_set_new(o, "previous", json_integer((json_int_t)b.count));
            size_t diff = wbi_pic_org_diff(a.orgs, a.norgs, b.orgs, b.norgs);
            /* One organisation more or less between two published cells
             * would let its own count be read off the difference. */
            if (a.norgs >= k && (diff == 0 || diff >= k))
                json_object_set_new(o, "change",
                                    json_integer((json_int_t)a.count - (json_int_t)b.count));
            else if (a.norgs >= k)
                json_object_set_new(o, "change_withheld", json_true());
        }
    }
    free(a.orgs);
    free(b.orgs);
    return o;
}

static json_t *theme_json(const ctx *c, theme_kind t, const wb_picture_opts *o, wb_time pfrom,
                          int *rc)
{
    wbi_pic_set cur = {0}, prev = {0};
    json_t *th = json_object(), *tables = json_object();
    if (!th || !tables) *rc = WB_ENOMEM;
    if (*rc == 0) *rc = build_set(c, t, o->from, o->to, o->k, &cur);
    if (*rc == 0) *rc = build_set(c, t, pfrom, o->from, o->k, &prev);
    if (*rc == 0) {
        json_object_set_new(th, "total", cell_json(t, &cur, &prev, -1, 0, NULL, o->k, rc));
        for (int d = 0; d < theme_dims(t) && *rc == 0; d++) {
            json_t *arr = json_array();
            const labels *l = &c->dim[d];
            for (int key = 0; key < l->n && *rc == 0; key++) {
                if (d == D_SECTOR) {
                    bool seen = false; /* only the viewer's sectors are listed */
                    for (size_t i = 0; i < c->norgs && !seen; i++)
                        seen = c->orgs[i].visible && c->orgs[i].sector == key;
                    if (!seen) continue;
                }
                if (d == D_MONTH) {
                    bool seen = false; /* only the period's months */
                    for (size_t i = 0; i < c->ninc && !seen; i++)
                        seen = c->inc[i].month == key && c->inc[i].aware >= o->from &&
                               c->inc[i].aware < o->to;
                    if (!seen) continue;
                }
                /* The month table has no previous month of the same name. */
                json_t *cell =
                    cell_json(t, &cur, d == D_MONTH ? NULL : &prev, d, key, l->s[key], o->k, rc);
                if (!cell) break;
                json_array_append_new(arr, cell);
            }
            json_object_set_new(tables, dim_names[d], arr);
        }
    }
    json_object_set_new(th, "by", tables);
    wbi_pic_free(&cur);
    wbi_pic_free(&prev);
    return th;
}

static void put_time(json_t *o, const char *key, wb_time t)
{
    char buf[40];
    wb_time_format(t, buf, sizeof buf);
    json_object_set_new(o, key, json_string(buf));
}

int wb_picture_build(wb_store *s, const wb_picture_opts *in, wb_buf *out, wb_error *err)
{
    wb_picture_opts o = *in;
    if (o.k == 0) o.k = WB_PICTURE_K_DEFAULT;
    if (o.k < WB_PICTURE_K_MIN || o.k > WB_PICTURE_K_MAX)
        return wb_error_set(err, WB_EINVAL, "k must be from %d to %d, not %u", WB_PICTURE_K_MIN,
                            WB_PICTURE_K_MAX, o.k);
    if (o.now == WB_TIME_NONE || o.now == 0) o.now = wb_time_now();
    if (o.from == WB_TIME_NONE && o.to == WB_TIME_NONE)
        wb_picture_last_month(o.now, &o.from, &o.to);
    if (o.from == WB_TIME_NONE || o.to == WB_TIME_NONE || o.from >= o.to)
        return wb_error_set(err, WB_EINVAL, "the period must have a start before its end");
    /* The period before: as many calendar months when the period is whole
     * months, else as long. */
    wb_time pfrom = o.from - (o.to - o.from);
    for (int m = 1; m <= 120; m++)
        if (o.from == wb_time_month_start(o.from) && wb_time_add_months(o.from, m) == o.to) {
            pfrom = wb_time_add_months(o.from, -m);
            break;
        }

    ctx c = {
        .s = s, .err = err, .lo = pfrom, .hi = o.to, .viewer = o.viewer, .audience = o.audience};
    for (int k = 0; k < 5; k++)
        if (label_of(&c.dim[D_SEVERITY], severity_labels[k]) < 0) c.rc = WB_ENOMEM;
    int rc = c.rc;
    if (rc == 0) rc = wb_store_org_list(s, on_org, &c, err);
    if (rc == 0) {
        if (c.norgs) qsort(c.orgs, c.norgs, sizeof *c.orgs, org_cmp);
        rc = mark_visible(&c);
    }
    if (rc == 0) rc = wb_store_incident_list(s, on_incident, &c, err);
    /* Incidents are listed first and their reports read afterwards: a
     * statement must not be re-entered from inside its own callback. */
    for (size_t i = 0; i < c.ninc && rc == 0; i++) {
        c.cur = &c.inc[i];
        c.sev_at = INT64_MIN;
        rc = wb_store_incident_report_list(s, c.inc[i].id, on_report, &c, err);
        if (rc == 0) rc = wb_store_incident_action_list(s, c.inc[i].id, on_action, &c, err);
    }

    json_t *doc = json_object(), *period = json_object(), *prev = json_object(),
           *themes = json_object();
    if (rc == 0 && (!doc || !period || !prev || !themes)) rc = WB_ENOMEM;
    if (rc == 0) {
        json_object_set_new(doc, "schema", json_string(WB_PICTURE_SCHEMA));
        put_time(doc, "generated", o.now);
        put_time(period, "from", o.from);
        put_time(period, "to", o.to);
        put_time(prev, "from", pfrom);
        put_time(prev, "to", o.from);
        json_object_set_new(doc, "period", period);
        json_object_set_new(doc, "previous_period", prev);
        period = prev = NULL;
        json_object_set_new(doc, "k", json_integer(o.k));
        json_object_set_new(
            doc, "viewer",
            o.viewer == 0
                ? json_string("operator")
                : json_string(o.audience == WB_SHARE_SUPERVISOR ? "supervisor" : "csirt"));
        size_t visible = 0;
        for (size_t i = 0; i < c.norgs; i++)
            visible += c.orgs[i].visible;
        json_object_set_new(doc, "organisations", json_integer((json_int_t)visible));
        for (int t = 0; t < T_COUNT && rc == 0; t++) {
            json_t *th = theme_json(&c, (theme_kind)t, &o, pfrom, &rc);
            if (th) json_object_set_new(themes, theme_names[t], th);
        }
    }
    if (rc == 0) {
        /* Exposure needs the organisations' shared vulnerability scans,
         * which this hub does not hold yet. */
        json_t *ex = json_object();
        json_object_set_new(ex, "data", json_false());
        json_object_set_new(ex, "reason",
                            json_string("this hub holds no shared vulnerability scans"));
        json_object_set_new(themes, "exposure", ex);
        wb_buf deps = {0};
        rc = wb_depsdb_sectors(s, o.viewer, o.audience, o.k, &deps, err);
        json_t *dj = rc == 0 ? json_loadb(deps.data, deps.len, 0, NULL) : NULL;
        if (rc == 0 && !dj) rc = wb_error_set(err, WB_EINTERNAL, "the dependency view is not JSON");
        if (dj) json_object_set_new(themes, "dependencies", dj);
        wb_buf_free(&deps);
    }
    if (rc == 0) {
        json_object_set_new(doc, "themes", themes);
        themes = NULL;
        char *txt = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!txt) rc = WB_ENOMEM;
        if (rc == 0) rc = wb_buf_puts(out, txt);
        if (rc == 0) rc = wb_buf_putc(out, '\n');
        free(txt);
    }
    if (rc == WB_ENOMEM) wb_error_set(err, WB_ENOMEM, "out of memory building the picture");
    json_decref(period);
    json_decref(prev);
    json_decref(themes);
    json_decref(doc);
    ctx_free(&c);
    return rc;
}

int wb_picture_build_db(const char *path, const wb_picture_opts *o, wb_buf *out, wb_error *err)
{
    /* A picture only reads: a mistyped path must not create a database. */
    if (access(path, F_OK) != 0)
        return wb_error_set(err, WB_ENOTFOUND, "%s: no such hub database", path);
    wb_store *s = NULL;
    int rc = wb_store_open(&s, path, err);
    if (rc == 0) rc = wb_picture_build(s, o, out, err);
    wb_store_close(s);
    return rc;
}
