/*
 * sightings_api.c - POST /api/v1/sightings (by attribute uuid or by value,
 * through the indicator look-up) and GET /api/v1/events/{uuid}/sightings,
 * paged by size and filtered through the policy sighting by sighting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/router.h"
#include "weerbaar/sightingsvc.h"

/* Most attributes one sightings request may record (across all its sightings). */
#define MAX_SIGHTING_HITS 100000

/* ---- sightings --------------------------------------------------------------------------- */

typedef struct attr_one {
    wbi_hub_req *r;
    bool visible;
    int64_t id;
} attr_one;

static int attr_one_cb(void *ud, const wb_event_rec *e, const wb_attr_rec *a)
{
    attr_one *o = ud;
    wb_policy_item it = wbi_policy_item_of(e, a);
    o->visible =
        !a->deleted && !e->deleted && wbi_hub_may_read(o->r, WB_READ_INDICATOR, &it, a->uuid);
    o->id = a->id;
    return 1;
}

void wbi_hub_h_sighting_add(wbi_hub_req *r)
{
    json_t *root = NULL;
    wbi_sighting_in *in = NULL;
    size_t n = 0;
    wbi_problem prob;
    if (wbi_sightings_parse(r->req->body, r->req->body_len, r->hub->lim.max_depth, r->now, &root,
                            &in, &n, &prob) != 0) {
        free(in);
        json_decref(root);
        wbi_hub_reply_problem(r, &prob);
        return;
    }
    /* Find every target first (reads), then write all in one transaction. */
    wbi_look_walk w = {0};
    size_t *first = calloc(n + 1, sizeof *first); /* hits of sighting i: first[i]..first[i+1] */
    json_t *missed = json_array();
    int rc = first ? 0 : wb_error_set(&r->err, WB_ENOMEM, "out of memory");
    bool bad_request = false;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        first[i] = w.n;
        if (in[i].uuid) {
            attr_one o = {.r = r};
            int g = wb_sightsvc_attr_get(r->st, in[i].uuid, attr_one_cb, &o, &r->err);
            if (g != 0 && g != WB_ENOTFOUND) {
                rc = g;
                break;
            }
            if (g == 0 && o.visible && !wbi_look_seen(&w, o.id)) {
                rc = wbi_hub_look_push(&w, r, (wbi_hit){o.id, WB_IOC_TYPE_COUNT}, SIZE_MAX);
                if (rc) break;
            }
        } else {
            /* A value: every visible attribute it matches, as a look-up. */
            wbi_look_walk one = {0};
            if (wbi_hub_lookup(r, in[i].value, in[i].type_filter, WB_READ_INDICATOR, &one, &prob) !=
                0) {
                wbi_look_free(&one);
                if (prob.status >= 500) {
                    rc = WB_EIO;
                    break;
                }
                /* prob.msg is the look-up's reason: copied out first, as
                 * vsnprintf must not read the buffer it writes. */
                char why[sizeof prob.msg];
                memcpy(why, prob.msg, sizeof why);
                wbi_problem_set(&prob, 422, "invalid_sighting", "%s.value: %s", in[i].path, why);
                bad_request = true;
                break;
            }
            if (w.n + one.n > MAX_SIGHTING_HITS) {
                /* Each value sighting can touch thousands of attributes; a
                 * small body must not become millions of rows. */
                wbi_look_free(&one);
                wbi_problem_set(&prob, 413, "too_large",
                                "%s: the sightings touch more than %d attributes; post fewer "
                                "at a time",
                                in[i].path, MAX_SIGHTING_HITS);
                bad_request = true;
                break;
            }
            for (size_t k = 0; k < one.n && rc == 0; k++)
                rc = wbi_hub_look_push(&w, r, one.hits[k], SIZE_MAX);
            wbi_look_free(&one);
        }
        if (w.n == first[i]) json_array_append_new(missed, json_string(in[i].path));
    }
    if (first) first[n] = w.n;
    wb_sightsvc_result res = {0};
    if (rc == 0 && !bad_request && w.n > 0) {
        /* One report per posted sighting, naming the attributes it hit;
         * the service writes them all in one transaction. */
        wb_sightsvc_report *reps = calloc(n, sizeof *reps);
        int64_t *ids = calloc(w.n, sizeof *ids);
        if (reps == NULL || ids == NULL) rc = wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        for (size_t k = 0; rc == 0 && k < w.n; k++)
            ids[k] = w.hits[k].attr_id;
        for (size_t i = 0; rc == 0 && i < n; i++)
            reps[i] = (wb_sightsvc_report){.request_uuid = in[i].request_uuid,
                                           .attrs = ids + first[i],
                                           .nattrs = first[i + 1] - first[i],
                                           .type = in[i].type,
                                           .source = in[i].source,
                                           .date_sighting = in[i].date_sighting,
                                           .first_seen = in[i].first_seen,
                                           .count = in[i].count};
        wb_actor actor = {.user = r->owner.email,
                          .org_id = r->who.org_id,
                          .org_name = r->owner.org_name,
                          .role = r->who.role,
                          .channel = WB_ACTOR_API};
        wb_sightsvc_who who = {.actor = &actor, .user_id = r->who.user_id, .key_id = r->who.key_id};
        if (rc == 0)
            rc = wb_sightsvc_save(r->st, &who, reps, n, r->hub->opts.sighting_gap, &res, &r->err);
        free(reps);
        free(ids);
    }
    free(first);
    wbi_look_free(&w);
    free(in);
    json_decref(root);
    if (bad_request) {
        json_decref(missed);
        wbi_hub_reply_problem(r, &prob);
    } else if (rc) {
        json_decref(missed);
        wbi_hub_reply_internal(r);
    } else if (res.saved == 0 && res.repeated == 0) {
        json_decref(missed);
        wbi_hub_reply_not_found(r);
    } else {
        /* A retry answers as the first attempt did (201), saying that it
         * was one: nothing more was written. */
        wbi_hub_reply_json(r, 201,
                           json_pack("{s:I,s:I,s:I,s:o}", "saved", (json_int_t)res.saved, "merged",
                                     (json_int_t)res.merged, "repeated", (json_int_t)res.repeated,
                                     "missed", missed));
    }
}

typedef struct attr_facts {
    int64_t id;
    wb_attr_rec rec; /* the policy fields only */
} attr_facts;

typedef struct sight_walk {
    wbi_hub_req *r;
    const wb_event_rec *ev;
    attr_facts *attrs;
    size_t n, cap;
    wb_buf *body;  /* the answer, written sighting by sighting */
    size_t sent;   /* sightings written */
    int64_t after; /* only sightings with a higher id (paging) */
    int64_t last;  /* the id of the last one written */
    bool more;     /* the page stopped at the byte budget */
    int rc;
} sight_walk;

static int facts_cb(void *ud, const wb_event_rec *unused, const wb_attr_rec *a)
{
    sight_walk *w = ud;
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 32;
        attr_facts *na = realloc(w->attrs, nc * sizeof *na);
        if (na == NULL) {
            w->rc = wb_error_set(&w->r->err, WB_ENOMEM, "out of memory");
            return 1;
        }
        w->attrs = na;
        w->cap = nc;
    }
    attr_facts *f = &w->attrs[w->n++];
    memset(f, 0, sizeof *f);
    f->id = a->id;
    f->rec.distribution = a->distribution;
    f->rec.sharing_group_id = a->sharing_group_id;
    f->rec.tlp = a->tlp;
    f->rec.deleted = a->deleted;
    return 0;
}

static int sight_cb(void *ud, const wb_sighting_rec *s)
{
    sight_walk *w = ud;
    /* The attributes came in id order (wb_sightsvc_event_attrs): a binary
     * search, as a scan per sighting was quadratic. */
    const attr_facts *f = NULL;
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->attrs[mid].id < s->attribute_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < w->n && w->attrs[lo].id == s->attribute_id) f = &w->attrs[lo];
    if (f == NULL || f->rec.deleted || s->id <= w->after) return 0;
    wb_policy_item it = wbi_policy_item_of(w->ev, &f->rec);
    it.kind = WB_ITEM_SIGHTING;
    it.sighting_org = s->org_id;
    it.sightings_open = w->r->hub->opts.sightings_open;
    if (wb_policy_read(&w->r->who, WB_READ_SIGHTING, &it) == WB_DENY) return 0;
    if (w->sent > 0 && w->body->len >= w->r->hub->opts.max_page_bytes) {
        w->more = true;
        return 1;
    }
    wbi_hub_may_read(w->r, WB_READ_SIGHTING, &it, s->attribute_uuid); /* the admin's audit entry */
    if (wb_sightsvc_row_put(w->body, w->sent++ > 0, &w->r->who, &it, w->ev->uuid, NULL, s) != 0) {
        w->rc = wb_error_set(&w->r->err, WB_ENOMEM, "out of memory");
        return 1;
    }
    w->last = s->id;
    return 0;
}

void wbi_hub_h_event_sightings(wbi_hub_req *r)
{
    wb_event_rec ev;
    if (wbi_hub_fetch_event(r, WB_READ_SIGHTING, &ev) != 0) return;
    int64_t after = 0;
    if (!wbi_hub_arg_int(r, "after", 0, INT64_MAX, &after)) return;
    /* Written sighting by sighting and paged by size, as the event list
     * is: after=ID goes on from the last_id of the page before. */
    sight_walk w = {.r = r, .ev = &ev, .body = &r->resp->body, .after = after, .last = after};
    wb_buf_reset(w.body);
    int rc = wb_buf_puts(w.body, "{\"response\":[");
    if (rc == 0) rc = wb_sightsvc_event_attrs(r->st, ev.id, facts_cb, &w, &r->err);
    if (rc == 0) rc = w.rc;
    if (rc == 0) rc = wb_sightsvc_event_rows(r->st, ev.id, sight_cb, &w, &r->err);
    if (rc == 0) rc = w.rc;
    free(w.attrs);
    if (rc == 0 && wb_buf_printf(w.body, "],\"last_id\":%lld,\"more\":%s}", (long long)w.last,
                                 w.more ? "true" : "false") != 0)
        rc = wb_error_set(&r->err, WB_ENOMEM, "out of memory");
    if (rc == 0) rc = wbi_hub_flush_audits(r);
    if (rc) {
        wbi_hub_reply_internal(r);
        return;
    }
    r->resp->status = 200;
}

/* ---- who sighted what ------------------------------------------------------------------ */

static void list_audited(void *ud, const char *attr_uuid)
{
    wbi_hub_audit_later(ud, "read.admin", attr_uuid, "sightings");
}

/* GET /api/v1/sightings?since=&org=&event=&value=&after=&limit=: every
 * sighting the caller may see, in id order, paged by after=last_id. */
void wbi_hub_h_sighting_list(wbi_hub_req *r)
{
    wb_time since = WB_TIME_NONE;
    int64_t after = 0, limit = 1000;
    if (!wbi_hub_arg_time(r, "since", &since) ||
        !wbi_hub_arg_int(r, "after", 0, INT64_MAX, &after) ||
        !wbi_hub_arg_int(r, "limit", 1, 10000, &limit))
        return;
    wb_sightsvc_query q = {
        .after = after,
        .since = since == WB_TIME_NONE ? 0 : since / 1000000,
        .org = wbi_hub_arg(r, "org"),
        .event = wbi_hub_arg(r, "event"),
        .value = wbi_hub_arg(r, "value"),
        .limit = (size_t)limit,
        .max_bytes = r->hub->opts.max_page_bytes,
        .sightings_open = r->hub->opts.sightings_open,
    };
    int rc = wb_sightsvc_list(r->st, &r->who, &q, &r->resp->body, list_audited, r, &r->err);
    if (rc == WB_ENOTFOUND || rc == WB_EINVAL) {
        wbi_hub_reply_error(r, rc == WB_ENOTFOUND ? 404 : 400,
                            rc == WB_ENOTFOUND ? "not_found" : "invalid_request", "%s", r->err.msg);
        return;
    }
    if (rc == 0) rc = wbi_hub_flush_audits(r);
    if (rc) {
        wbi_hub_reply_internal(r);
        return;
    }
    r->resp->status = 200;
}
