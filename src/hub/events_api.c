/*
 * events_api.c - the event endpoints: GET /api/v1/events (the list, and
 * with ?after=SEQ the change feed hub-sync and sensors pull), GET, PUT and
 * DELETE /api/v1/events/{uuid}, POST /api/v1/events and
 * /api/v1/events/{uuid}/publish. HTTP only: the arguments are read here,
 * the share service (sharesvc.h) does the rest. Also the bridge every
 * handler file uses to call that service (router.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/router.h"

/* ---- calling the share service --------------------------------------------------------- */

static const wb_warninglists *wl_now(void *ud)
{
    return wbi_hub_warninglists(ud);
}

void wbi_hub_share_of(wbi_hub_req *r, wb_share *s)
{
    memset(s, 0, sizeof *s);
    bool in = r->who.authenticated;
    s->st = r->st;
    s->conf = &r->hub->share;
    s->who = &r->who;
    s->actor = (wb_actor){.user = in ? r->owner.email : "-",
                          .org_id = r->who.org_id,
                          .org_name = in ? r->owner.org_name : "-",
                          .role = r->who.role,
                          .channel = WB_ACTOR_API};
    s->now = r->now;
    s->arena = &r->arena;
    s->keys = r->keys;
    s->wl_now = wl_now;
    s->wl_ud = r;
}

void wbi_hub_reply_share(wbi_hub_req *r, const wb_share *s, int rc, unsigned status)
{
    if (rc == 0) {
        r->resp->status = status;
        return;
    }
    if (s->status >= 500 || s->code == NULL) {
        r->err = s->err;
        wbi_hub_reply_internal(r);
        return;
    }
    wbi_hub_reply_error(r, s->status, s->code, "%s", s->err.msg);
}

/* Hands the read audits the service collected over to the request (its
 * handler writes them with wbi_hub_flush_audits before it answers). */
static void take_audits(wbi_hub_req *r, wb_share *s)
{
    for (size_t i = 0; i < s->naudits; i++)
        wbi_hub_audit_later(r, s->audits[i].action, s->audits[i].object, s->audits[i].detail);
    r->audits_dropped += s->audits_dropped;
    s->naudits = s->audits_dropped = 0;
}

/* ---- helpers of the handler files that are not ported to the service yet ------------ */

void wbi_hub_copy_event(wbi_hub_req *r, const wb_event_rec *src, wb_event_rec *dst)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_share_copy_event(&s, src, dst);
}

bool wbi_hub_may_read(wbi_hub_req *r, wb_read_path path, const wb_policy_item *it, const char *uuid)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    bool ok = wbi_share_may_read(&s, path, it, uuid);
    take_audits(r, &s);
    return ok;
}

int wbi_hub_fetch_event(wbi_hub_req *r, wb_read_path path, wb_event_rec *ev)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    int rc = wb_share_event_fetch(&s, r->id, path, ev);
    take_audits(r, &s);
    if (rc) {
        wbi_hub_reply_share(r, &s, rc, 0);
        return -1;
    }
    return 0;
}

/* The event is created, and read back, as its creator organisation would
 * (incident share: the CSIRT posts for the reporting organisation); the
 * sharing groups and the audit entry stay the caller's. */
void wbi_hub_event_create(wbi_hub_req *r, const char *body, size_t len, int64_t creator_org)
{
    int64_t org = r->who.org_id;
    r->who.org_id = creator_org;
    wb_share s;
    wbi_hub_share_of(r, &s);
    int rc = wb_share_event_add(&s, body, len, 0, &r->resp->body);
    r->who.org_id = org;
    wbi_hub_reply_share(r, &s, rc, 201);
}

int wbi_hub_event_warninglisted(wbi_hub_req *r, const char *body, size_t len, json_t *hits)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wb_buf b = {0};
    int n = wb_share_event_warninglisted(&s, body, len, &b);
    json_t *arr = n > 0 ? json_loadb(b.data, b.len, 0, NULL) : NULL;
    wb_buf_free(&b);
    if (n > 0 && arr == NULL) return -1;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) json_array_append(hits, v);
    json_decref(arr);
    return n;
}

/* ---- GET /api/v1/events ------------------------------------------------------------------ */

/* The changes since the caller's last pull (?after=SEQ). */
static void h_event_changes(wbi_hub_req *r)
{
    int64_t after = 0, limit = 100;
    if (wbi_hub_arg(r, "page") || wbi_hub_arg(r, "since") || wbi_hub_arg(r, "tag") ||
        wbi_hub_arg(r, "org")) {
        wbi_hub_reply_error(
            r, 400, "invalid_request",
            "after: the change feed takes only after and limit (no page, since, tag, org)");
        return;
    }
    if (!wbi_hub_arg_int(r, "after", 0, INT64_MAX, &after) ||
        !wbi_hub_arg_int(r, "limit", 1, 1000, &limit))
        return;
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_event_changes(&s, after, limit, &r->resp->body), 200);
}

void wbi_hub_h_event_list(wbi_hub_req *r)
{
    if (wbi_hub_arg(r, "after") != NULL) {
        h_event_changes(r);
        return;
    }
    int64_t page = 1, limit = 100;
    wb_time since = 0;
    if (!wbi_hub_arg_int(r, "page", 1, 1000000, &page) ||
        !wbi_hub_arg_int(r, "limit", 1, 1000, &limit) || !wbi_hub_arg_time(r, "since", &since))
        return;
    wb_share_list_req q = {.page = page,
                           .limit = limit,
                           .since = since > 0 ? since / 1000000 : 0,
                           .tag = wbi_hub_arg(r, "tag"),
                           .org = wbi_hub_arg(r, "org")};
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_event_list(&s, &q, &r->resp->body), 200);
}

/* ---- one event ------------------------------------------------------------------------------ */

void wbi_hub_h_event_get(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_event_get(&s, r->id, WB_READ_EVENT_GET, &r->resp->body),
                        200);
}

void wbi_hub_h_event_add(wbi_hub_req *r)
{
    wbi_hub_event_create(r, r->req->body, r->req->body_len, r->who.org_id);
}

void wbi_hub_h_event_put(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    int rc = wb_share_event_edit(&s, r->id, r->req->body, r->req->body_len, &r->resp->body);
    wbi_hub_reply_share(r, &s, rc, 200);
}

void wbi_hub_h_event_delete(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_event_delete(&s, r->id, &r->resp->body), 200);
}

void wbi_hub_h_event_publish(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_event_publish(&s, r->id, &r->resp->body), 200);
}
