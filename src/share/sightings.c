/*
 * sightings.c - the sighting service (sightingsvc.h): recording reports
 * under one identity with merged windows and idempotent retries, and the
 * who-sighted-what view with the hub's sighting policy applied row by row.
 *
 * The front ends (the hub's sightings_api.c, `weerbaar sighting list`)
 * find the attributes a report names and the caller may see, then call in;
 * the transaction, the merge rule and the audit entry live here only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "share/share_internal.h"
#include "weerbaar/sightingsvc.h"

int wb_sightsvc_open(wb_store **s, const char *path, wb_error *err)
{
    return wb_store_open(s, path, err);
}

void wb_sightsvc_close(wb_store *s)
{
    wb_store_close(s);
}

int wb_sightsvc_save(wb_store *s, const wb_sightsvc_who *who, const wb_sightsvc_report *reps,
                     size_t n, int64_t gap, wb_sightsvc_result *res, wb_error *err)
{
    memset(res, 0, sizeof *res);
    if (gap < 0 || gap > WB_SIGHTING_GAP_MAX)
        return wb_error_set(err, WB_EINVAL, "sighting gap %lld: expected 0 to %d seconds",
                            (long long)gap, WB_SIGHTING_GAP_MAX);
    int rc = wb_store_begin(s, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const wb_sightsvc_report *r = &reps[i];
        if (r->type < 0 || r->type > 2 || r->count < 1 ||
            (r->first_seen > 0 && r->first_seen > r->date_sighting)) {
            rc = wb_error_set(err, WB_EINVAL,
                              "sighting %zu: type 0-2, a positive count and first_seen not after "
                              "date_sighting",
                              i);
            break;
        }
        if (r->request_uuid) {
            /* Claimed once per organisation: a retry of the same request
             * (a lost answer, a restarted sensor) finds it and writes
             * nothing more. */
            bool first = false;
            rc = wb_store_sighting_claim(s, who->actor->org_id, r->request_uuid, &first, err);
            if (rc) break;
            if (!first) {
                res->repeated++;
                continue;
            }
        }
        for (size_t k = 0; rc == 0 && k < r->nattrs; k++) {
            wb_sighting_rec rec = {
                .attribute_id = r->attrs[k],
                .org_id = who->actor->org_id,
                .user_id = who->user_id,
                .key_id = who->key_id,
                .type = r->type,
                .source = r->source,
                .date_sighting = r->date_sighting,
                .count = r->count,
                .first_seen = r->first_seen > 0 ? r->first_seen : r->date_sighting,
            };
            bool merged = false;
            rc = wb_store_sighting_record(s, &rec, gap, NULL, &merged, err);
            if (rc == 0) {
                res->saved++;
                if (merged) res->merged++;
            }
        }
    }
    if (rc == 0) {
        char d[96];
        snprintf(d, sizeof d, "%zu sightings (%zu merged, %zu repeated requests)", res->saved,
                 res->merged, res->repeated);
        wb_audit_rec a = {.user = who->actor->user ? who->actor->user : "-",
                          .org = who->actor->org_name ? who->actor->org_name : "-",
                          .action = "sighting.add",
                          .detail = d};
        rc = wb_store_audit(s, &a, err);
    }
    if (rc == 0) rc = wb_store_commit(s, err);
    if (rc) {
        wb_store_rollback(s);
        memset(res, 0, sizeof *res);
    }
    return rc;
}

/* ---- rows ----------------------------------------------------------------------------- */

static json_t *time_or_null(int64_t secs)
{
    char t[40];
    if (secs <= 0) return json_null();
    wb_time_format(secs * 1000000, t, sizeof t);
    return json_string(t);
}

int wb_sightsvc_row_put(wb_buf *out, bool comma, const wb_principal *p, const wb_policy_item *it,
                        const char *event_uuid, const wb_attr_rec *a, const wb_sighting_rec *s)
{
    char id[24], type[24], date[24], day[16] = "";
    snprintf(id, sizeof id, "%lld", (long long)s->id);
    snprintf(type, sizeof type, "%d", s->type);
    snprintf(date, sizeof date, "%lld", (long long)s->date_sighting);
    char t[40];
    wb_time_format(s->date_sighting * 1000000, t, sizeof t);
    memcpy(day, t, 10);
    day[10] = '\0';
    json_t *org = wb_policy_sighting_named(p, it)
                      ? json_pack("{s:s?,s:s?}", "name", s->org_name, "sector", s->org_sector)
                      : json_pack("{s:s?}", "sector", s->org_sector);
    /* MISP's fields (strings for id, type and date_sighting), then ours. */
    json_t *o = json_pack("{s:s,s:s?,s:s?,s:s?,s:s,s:s,s:I,s:s,s:o,s:o,s:s,s:o}", "id", id, "uuid",
                          s->uuid, "attribute_uuid", s->attribute_uuid, "event_uuid", event_uuid,
                          "type", type, "date_sighting", date, "count", (json_int_t)s->count,
                          "source", s->source ? s->source : "", "first_seen",
                          time_or_null(s->first_seen > 0 ? s->first_seen : s->date_sighting),
                          "last_seen", time_or_null(s->date_sighting), "day", day, "Organisation",
                          org ? org : json_null());
    if (o && a) {
        json_object_set_new(o, "value", json_string(a->value ? a->value : ""));
        json_object_set_new(o, "attribute_type", json_string(a->type ? a->type : ""));
    }
    json_t *row = o ? json_pack("{s:o}", "Sighting", o) : NULL;
    if (row == NULL) return WB_ENOMEM;
    char *text = json_dumps(row, JSON_COMPACT);
    json_decref(row);
    if (text == NULL) return WB_ENOMEM;
    int rc = comma ? wb_buf_putc(out, ',') : 0;
    if (rc == 0) rc = wb_buf_puts(out, text);
    free(text);
    return rc ? WB_ENOMEM : 0;
}

/* ---- the view ------------------------------------------------------------------------- */

typedef struct list_walk {
    const wb_principal *p;
    const wb_sightsvc_query *q;
    wb_buf *out;
    size_t rows, limit, max_bytes;
    int64_t last;
    bool more;
    void (*audited)(void *ud, const char *attr_uuid);
    void *ud;
    int rc;
} list_walk;

static int list_cb(void *ud, const wb_event_rec *e, const wb_attr_rec *a, const wb_sighting_rec *s)
{
    list_walk *w = ud;
    wb_policy_item it = {
        .kind = WB_ITEM_SIGHTING,
        .creator_org = e->org_id,
        .event_tlp = e->tlp,
        .event_distribution = e->distribution,
        .event_sharing_group = e->sharing_group_id,
        .attr_tlp = a->tlp,
        .attr_distribution = a->distribution,
        .attr_sharing_group = a->sharing_group_id,
        .sighting_org = s->org_id,
        .sightings_open = w->q->sightings_open,
    };
    wb_access acc = wb_policy_read(w->p, WB_READ_SIGHTING, &it);
    /* Paging goes by id over rows not shown as well, so a page of hidden
     * rows still moves on. */
    w->last = s->id;
    if (acc == WB_DENY) return 0;
    /* A filter by organisation picks only sightings whose organisation
     * the caller may see named: where the policy shows a sector, the
     * filter must not tell who reported it. */
    if (w->q->org && !wb_policy_sighting_named(w->p, &it)) return 0;
    if (w->rows >= w->limit || w->out->len >= w->max_bytes) {
        w->more = true;
        w->last = s->id - 1;
        return 1;
    }
    if (acc == WB_ALLOW_AUDITED && w->audited) w->audited(w->ud, a->uuid);
    w->rc = wb_sightsvc_row_put(w->out, w->rows > 0, w->p, &it, e->uuid, a, s);
    if (w->rc) return 1;
    w->rows++;
    return 0;
}

typedef struct id_find {
    int64_t id;
} id_find;

static int org_id_cb(void *ud, const wb_org *o)
{
    ((id_find *)ud)->id = o->id;
    return 1;
}

static int event_id_cb(void *ud, const wb_event_rec *e)
{
    ((id_find *)ud)->id = e->id;
    return 1;
}

int wb_sightsvc_list(wb_store *s, const wb_principal *p, const wb_sightsvc_query *q, wb_buf *out,
                     void (*audited)(void *ud, const char *attr_uuid), void *ud, wb_error *err)
{
    wb_sighting_filter f = {.after = q->after, .since = q->since};
    int rc = 0;
    if (q->org) {
        id_find o = {0};
        rc = wb_store_org_find(s, q->org, org_id_cb, &o, err);
        if (rc == WB_ENOTFOUND)
            return wb_error_set(err, WB_ENOTFOUND, "org: no organisation '%.64s'", q->org);
        if (rc) return rc;
        f.org_id = o.id;
    }
    if (q->event) {
        id_find o = {0};
        rc = wb_store_event_get(s, q->event, event_id_cb, &o, err);
        if (rc == WB_ENOTFOUND)
            return wb_error_set(err, WB_ENOTFOUND, "event: no event '%.64s'", q->event);
        if (rc) return rc;
        f.event_id = o.id;
    }
    wb_ioc_key key;
    if (q->value) {
        size_t n = strlen(q->value);
        if (n == 0 || n > 4096) return wb_error_set(err, WB_EINVAL, "value: expected 1-4096 bytes");
        f.value = q->value;
        /* Also its normalised form under any kind, as the indicator
         * look-up finds it (a differently written URL or domain); the
         * first key is the value's own, the others are wider (parent
         * domains, address blocks). */
        if (wb_ioc_keys(q->value, n, 0, NULL, &key, 1) > 0) f.norm = key.text;
    }
    list_walk w = {.p = p,
                   .q = q,
                   .out = out,
                   .limit = q->limit ? q->limit : 1000,
                   .max_bytes = q->max_bytes ? q->max_bytes : 16u << 20,
                   .last = q->after,
                   .audited = audited,
                   .ud = ud};
    wb_buf_reset(out);
    rc = wb_buf_puts(out, "{\"response\":[") ? WB_ENOMEM : 0;
    if (rc == 0) rc = wb_store_sighting_query(s, &f, list_cb, &w, err);
    if (rc == 0 && w.rc) rc = wb_error_set(err, w.rc, "out of memory");
    if (rc == 0 && wb_buf_printf(out, "],\"last_id\":%lld,\"more\":%s}", (long long)w.last,
                                 w.more ? "true" : "false") != 0)
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    return rc;
}

/* ---- by attribute uuid, for a sensor that is not an HTTP caller (NATS) ---------------------- */

typedef struct uuid_hit {
    const wb_principal *p;
    int64_t id;
    bool visible;
} uuid_hit;

static int uuid_hit_cb(void *ud, const wb_event_rec *e, const wb_attr_rec *a)
{
    uuid_hit *h = ud;
    wb_policy_item it = wbi_policy_item_of(e, a);
    h->visible =
        !a->deleted && !e->deleted && wb_policy_read(h->p, WB_READ_INDICATOR, &it) != WB_DENY;
    h->id = a->id;
    return 1;
}

int wb_sightsvc_save_uuids(wb_store *s, const wb_principal *p, const wb_sightsvc_who *who,
                           const char *const *attr_uuids, wb_sightsvc_report *reps, size_t n,
                           int64_t gap, wb_sightsvc_result *res, size_t *unseen, wb_error *err)
{
    *unseen = 0;
    int64_t *ids = calloc(n ? n : 1, sizeof *ids);
    if (ids == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    int rc = 0;
    size_t k = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uuid_hit h = {.p = p};
        int g = wb_store_attr_get(s, attr_uuids[i], uuid_hit_cb, &h, err);
        if (g != 0 && g != WB_ENOTFOUND) {
            rc = g;
            break;
        }
        /* Unknown or not visible: the same, and not recorded (as the API
         * answers 404 for both). */
        if (g == WB_ENOTFOUND || !h.visible) {
            (*unseen)++;
            continue;
        }
        ids[i] = h.id;
        reps[k] = reps[i];
        reps[k].attrs = &ids[i];
        reps[k].nattrs = 1;
        k++;
    }
    if (rc == 0 && k == 0) memset(res, 0, sizeof *res);
    if (rc == 0 && k > 0) rc = wb_sightsvc_save(s, who, reps, k, gap, res, err);
    free(ids);
    return rc;
}
