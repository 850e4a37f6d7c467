/*
 * service.c - what the front ends of assessments need from the store
 * besides assessdb.c's writes (assessdb.h): opening a local database, who
 * an assessment concerns, the list, one record, the organisation checks and
 * the audit entry of an audited read. `weerbaar assess --db`, the board
 * report and the hub's assessment endpoints call these, so neither front
 * end touches the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/assessdb.h"
#include "weerbaar/hub.h"
#include "weerbaar/store.h"

int wb_assessdb_open(wb_store **s, const char *path, wb_error *err)
{
    return wb_store_open(s, path, err);
}

void wb_assessdb_close(wb_store *s)
{
    wb_store_close(s);
}

/* ---- who an assessment concerns ---------------------------------------------------- */

typedef struct head {
    wb_assessment_audience aud;
    char sector[WB_NAME_MAX + 1];
    bool has_sector;
} head;

static void head_of(head *h, const wb_assessment_rec *a)
{
    h->aud.org_id = a->org_id;
    h->aud.shared_csirt = a->shared_csirt;
    h->aud.shared_supervisor = a->shared_supervisor;
    h->has_sector = a->org_sector != NULL;
    if (a->org_sector) snprintf(h->sector, sizeof h->sector, "%s", a->org_sector);
}

static int head_cb(void *ud, const wb_assessment_rec *a)
{
    head_of(ud, a);
    return 1;
}

/* The routed CSIRT and supervisor of h's sector; no route: the
 * organisation alone. */
static int route_of(wb_store *s, head *h, wb_error *err)
{
    return wb_store_route_ids(s, h->has_sector ? h->sector : NULL, &h->aud.csirt_id,
                              &h->aud.supervisor_id, err);
}

int wb_assessdb_audience(wb_store *s, int64_t id, wb_assessment_audience *a, wb_error *err)
{
    head h = {0};
    int rc = wb_store_assessment_get(s, id, head_cb, &h, err);
    if (rc == 0) rc = route_of(s, &h, err);
    *a = h.aud;
    return rc;
}

/* ---- the list -------------------------------------------------------------------------- */

typedef struct list_ctx {
    wb_assessment_rec *rows;
    size_t n, cap;
    wb_arena arena;
    bool oom;
} list_ctx;

static const char *adup(list_ctx *l, const char *s)
{
    if (s == NULL) return NULL;
    char *d = wb_arena_strdup(&l->arena, s);
    if (d == NULL) l->oom = true;
    return d;
}

/* Copies the rows: further queries (routes) may not run inside the walk. */
static int list_cb(void *ud, const wb_assessment_rec *a)
{
    list_ctx *l = ud;
    if (l->n == WB_ASSESSDB_MAX_LIST) return 1;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        wb_assessment_rec *p = realloc(l->rows, cap * sizeof *p);
        if (p == NULL) {
            l->oom = true;
            return 1;
        }
        l->rows = p;
        l->cap = cap;
    }
    wb_assessment_rec *d = &l->rows[l->n++];
    *d = *a;
    d->org_name = adup(l, a->org_name);
    d->org_sector = adup(l, a->org_sector);
    d->catalogue = adup(l, a->catalogue);
    d->scope = adup(l, a->scope);
    d->author = adup(l, a->author);
    return l->oom;
}

static int org_id_cb(void *ud, const wb_org *o)
{
    *(int64_t *)ud = o->id;
    return 1;
}

int wb_assessdb_list_json(wb_store *s, const char *org, wb_assessdb_visible_fn visible, void *ud,
                          wb_buf *out, wb_error *err)
{
    int64_t org_id = 0;
    int rc = org ? wb_store_org_find(s, org, org_id_cb, &org_id, err) : 0;
    list_ctx l = {0};
    wb_arena_init(&l.arena, 8192);
    if (rc == 0) rc = wb_store_assessment_list(s, org_id, list_cb, &l, err);
    if (rc == 0 && l.oom) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0 && wb_buf_putc(out, '[') != 0) rc = WB_ENOMEM;
    bool first = true;
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        if (visible) {
            head h = {0};
            head_of(&h, &l.rows[i]);
            rc = route_of(s, &h, err);
            if (rc || !visible(ud, &h.aud)) continue;
        }
        if (!first && wb_buf_putc(out, ',') != 0) rc = WB_ENOMEM;
        if (rc == 0) rc = wb_assessment_json(&l.rows[i], out);
        first = false;
    }
    if (rc == 0 && wb_buf_putc(out, ']') != 0) rc = WB_ENOMEM;
    if (rc == WB_ENOMEM) wb_error_set(err, WB_ENOMEM, "out of memory");
    free(l.rows);
    wb_arena_free(&l.arena);
    return rc;
}

static int rec_cb(void *ud, const wb_assessment_rec *a)
{
    return wb_assessment_json(a, ud) != 0 ? -1 : 1;
}

int wb_assessdb_get_json(wb_store *s, int64_t id, wb_buf *out, wb_error *err)
{
    int rc = wb_store_assessment_get(s, id, rec_cb, out, err);
    if (rc == -1) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    return rc;
}

/* ---- organisations and the audit ------------------------------------------------------ */

int wb_assessdb_org_is(wb_store *s, const char *name, int64_t org_id, bool *same, wb_error *err)
{
    int64_t named = 0;
    wb_error ignore = {0};
    int rc = wb_store_org_find(s, name, org_id_cb, &named, &ignore);
    *same = rc == 0 && named == org_id;
    if (rc && rc != WB_ENOTFOUND) {
        *err = ignore;
        return rc;
    }
    return 0;
}

static int kind_cb(void *ud, const wb_org *o)
{
    *(wb_org_kind *)ud = o->kind;
    return 1;
}

int wb_assessdb_org_kind(wb_store *s, int64_t org_id, wb_org_kind *kind, wb_error *err)
{
    *kind = WB_ORG_OTHER;
    return wb_store_org_get(s, org_id, kind_cb, kind, err);
}

int wb_assessdb_audit(wb_store *s, const char *user, const char *org, const char *action,
                      int64_t id, const char *detail, wb_error *err)
{
    char obj[48];
    snprintf(obj, sizeof obj, "assessment %lld", (long long)id);
    wb_audit_rec a = {.user = user, .org = org, .action = action, .object = obj, .detail = detail};
    int rc = wb_store_begin(s, err);
    if (rc == 0) rc = wb_store_audit(s, &a, err);
    if (rc == 0) rc = wb_store_commit(s, err);
    if (rc != 0) wb_store_rollback(s);
    return rc;
}
