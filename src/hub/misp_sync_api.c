/*
 * misp_sync_api.c - the MISP routes servers synchronise through, at
 * MISP's paths and in MISP's JSON shapes: GET|POST /events/index,
 * GET /events/view/{id|uuid}, POST /events/add and POST
 * /events/edit/{id|uuid}, POST /sightings/bulkSaveSightings/{id|uuid}
 * (sync callers only); and a sync caller's POST|DELETE
 * /events/delete/{id|uuid} (the route is misp_api.c's). HTTP only: the sync service
 * (include/weerbaar/ sync.h) decides what a sync caller sees and how an event that arrives is
 * stored; everyone else is answered by the share service's event calls, as on /api/v1 (the
 * same policy and validation), with add and edit answering in MISP's shape (wb_share's
 * misp_shape: the numeric ids PyMISP reads back).
 *
 * A sync caller is a key of the organisation a server was added with
 * (`weerbaar admin server add`). Errors on these paths are in MISP's
 * shape, {"name", "message", "url", "errors"} (wbi_hub_misp_error_shape,
 * applied by the router to every route marked WBI_ROUTE_MISP).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/misp_more_api.h"
#include "hub/router.h"
#include "weerbaar/sync.h"

/* ---- errors in MISP's shape ------------------------------------------------------------ */

void wbi_hub_misp_error_shape(wb_hub_response *resp, const char *path)
{
    if (resp->status < 400 || resp->stream) return;
    json_t *j = resp->body.data ? json_loadb(resp->body.data, resp->body.len, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    const char *msg = json_string_value(json_object_get(e, "message"));
    const char *code = json_string_value(json_object_get(e, "code"));
    if (msg == NULL) {
        json_decref(j);
        return; /* already MISP's, or not an error body */
    }
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "name", msg, "message", msg, "url",
                          path ? path : "/", "errors", code ? code : "error");
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    json_decref(j);
    if (text == NULL) return;
    wb_buf_reset(&resp->body);
    if (wb_buf_puts(&resp->body, text) != 0) resp->status = 500;
    free(text);
}

/* ---- helpers ------------------------------------------------------------------------------ */

/* The sync server the caller's organisation stands for (0: none); -1 with
 * a 500 sent. */
static int64_t sync_caller(wbi_hub_req *r)
{
    int64_t sid = 0;
    if (wb_sync_caller(r->st, r->who.org_id, &sid, &r->err) != 0) {
        wbi_hub_reply_internal(r);
        return -1;
    }
    return sid;
}

/* r->id (a uuid or MISP's numeric id) as a uuid in r->id; false with the
 * 404 sent. */
static bool ref_to_uuid(wbi_hub_req *r)
{
    char uuid[WB_UUID_LEN + 1];
    int rc = wb_sync_event_ref(r->st, r->id ? r->id : "", uuid, &r->err);
    if (rc == WB_ENOTFOUND) {
        wbi_hub_reply_error(r, 404, "not_found", "Invalid event");
        return false;
    }
    if (rc) {
        wbi_hub_reply_internal(r);
        return false;
    }
    r->id = wb_arena_strdup(&r->arena, uuid);
    if (r->id == NULL) {
        wbi_hub_reply_internal(r);
        return false;
    }
    return true;
}

/* A filter from the query, or from a JSON body (MISP servers POST it). */
static const json_t *filter_of(const json_t *body, const char *key)
{
    return json_object_get(body, key);
}

/* An integer filter: a query argument or a body member (number or decimal
 * string). false with a 400 sent when it is not one. */
static bool int_filter(wbi_hub_req *r, const json_t *body, const char *key, int64_t min,
                       int64_t max, int64_t *out)
{
    const json_t *v = filter_of(body, key);
    if (v == NULL) return wbi_hub_arg_int(r, key, min, max, out);
    int64_t x;
    if (json_is_boolean(v))
        x = json_is_true(v);
    else if (json_is_integer(v))
        x = json_integer_value(v);
    else if (!json_is_string(v) ||
             wb_parse_i64(json_string_value(v), json_string_length(v), min, max, &x) != 0) {
        wbi_hub_reply_error(r, 400, "invalid_request", "%s: expected an integer from %lld to %lld",
                            key, (long long)min, (long long)max);
        return false;
    }
    if (x < min || x > max) {
        wbi_hub_reply_error(r, 400, "invalid_request", "%s: expected an integer from %lld to %lld",
                            key, (long long)min, (long long)max);
        return false;
    }
    *out = x;
    return true;
}

/* ---- GET|POST /events/index --------------------------------------------------------------- */

void wbi_hub_h_misp_event_index(wbi_hub_req *r)
{
    int64_t sid = sync_caller(r);
    if (sid < 0) return;
    json_t *body = NULL;
    if (r->req->body_len > 0) {
        wbi_problem prob;
        body = wbi_json_load(r->req->body, r->req->body_len, wbi_hub_max_depth(r->hub), &prob);
        if (body == NULL || !json_is_object(body)) {
            json_decref(body);
            wbi_hub_reply_error(r, 400, "invalid_request", "the filters are a JSON object");
            return;
        }
    }
    wb_sync_index_filter f = {.published = -1};
    int64_t minimal = 0, published = -1;
    bool ok = int_filter(r, body, "minimal", 0, 1, &minimal) &&
              int_filter(r, body, "published", 0, 1, &published) &&
              int_filter(r, body, "timestamp", 0, INT64_MAX, &f.timestamp) &&
              int_filter(r, body, "eventid", 1, INT64_MAX, &f.eventid) &&
              int_filter(r, body, "limit", 1, 100000, &f.limit) &&
              int_filter(r, body, "page", 1, 1000000, &f.page);
    const json_t *ju = filter_of(body, "uuid");
    const char *uuid = ju ? json_string_value(ju) : wbi_hub_arg(r, "uuid");
    if (ok && uuid && (strlen(uuid) != WB_UUID_LEN || !wb_uuid_valid(uuid, WB_UUID_LEN))) {
        wbi_hub_reply_error(r, 400, "invalid_request", "uuid: not a uuid");
        ok = false;
    }
    if (!ok) {
        json_decref(body);
        return;
    }
    char low[WB_UUID_LEN + 1];
    if (uuid) {
        for (size_t i = 0; i <= WB_UUID_LEN; i++)
            low[i] = (char)(uuid[i] >= 'A' && uuid[i] <= 'Z' ? uuid[i] + 32 : uuid[i]);
        f.uuid = low;
    }
    json_decref(body);
    f.minimal = minimal == 1;
    f.sightings_open = r->hub->opts.sightings_open;
    f.published = (int)published;
    json_t *out = NULL;
    int rc =
        wb_sync_index(r->st, &r->who, r->owner.email, r->owner.org_name, sid, &f, &out, &r->err);
    if (rc == WB_ELIMIT) {
        wbi_hub_reply_error(r, 400, "invalid_request", "%s", r->err.msg);
        return;
    }
    if (rc) {
        wbi_hub_reply_internal(r);
        return;
    }
    wbi_hub_reply_json(r, 200, out);
}

/* ---- GET /events/view/{id|uuid} ------------------------------------------------------------ */

void wbi_hub_h_misp_event_view(wbi_hub_req *r)
{
    int64_t sid = sync_caller(r);
    if (sid < 0) return;
    if (sid == 0) {
        if (ref_to_uuid(r)) wbi_hub_h_misp_event_view_person(r); /* misp_more_api.c */
        return;
    }
    json_t *out = NULL;
    int rc = wb_sync_view(r->st, &r->who, sid, r->hub->opts.sightings_open, r->id ? r->id : "",
                          &out, &r->err);
    if (rc == WB_ENOTFOUND) {
        wbi_hub_reply_error(r, 404, "not_found", "Invalid event");
        return;
    }
    if (rc) {
        wbi_hub_reply_internal(r);
        return;
    }
    wbi_hub_reply_json(r, 200, out);
}

/* ---- POST /events/add, POST /events/edit/{id|uuid} -------------------------------------- */

static void sync_write(wbi_hub_req *r, int64_t sid)
{
    wb_sync_outcome oc;
    char uuid[WB_UUID_LEN + 1], reason[WB_ERROR_MSG_MAX];
    int rc = wb_sync_ingest(r->st, sid, r->owner.email, r->owner.org_name, r->req->body,
                            r->req->body_len, wbi_hub_max_depth(r->hub),
                            r->hub->opts.max_attributes, &oc, uuid, reason, sizeof reason, &r->err);
    if (rc) {
        wbi_hub_reply_internal(r);
        return;
    }
    static const char *const how[] = {"added",    "updated", "unchanged",
                                      "withheld", "refused", "deleted"};
    if (oc == WB_SYNC_WITHHELD) {
        wbi_hub_reply_error(r, 403, "forbidden", "Event could not be saved: %s", reason);
        return;
    }
    if (oc == WB_SYNC_REFUSED) {
        wbi_hub_reply_error(r, 422, "invalid_event", "Event could not be saved: %s", reason);
        return;
    }
    json_t *ev = NULL;
    wb_error e2;
    if (wb_sync_view(r->st, &r->who, sid, r->hub->opts.sightings_open, uuid, &ev, &e2) != 0)
        ev = json_pack("{s:{s:s}}", "Event", "uuid", uuid);
    if (ev) json_object_set_new(ev, "weerbaar_sync", json_string(how[oc]));
    wbi_hub_reply_json(r, 200, ev);
}

void wbi_hub_h_misp_event_add(wbi_hub_req *r)
{
    int64_t sid = sync_caller(r);
    if (sid < 0) return;
    if (sid > 0) {
        sync_write(r, sid);
        return;
    }
    /* MISP answers an add with 200 and the event as MISP shows it (its
     * numeric id, Orgc, the attributes' ids): PyMISP reads the id back */
    wb_share s;
    wbi_hub_share_of(r, &s);
    s.misp_shape = true;
    wbi_hub_reply_share(
        r, &s, wb_share_event_add(&s, r->req->body, r->req->body_len, 0, &r->resp->body), 200);
}

void wbi_hub_h_misp_event_edit(wbi_hub_req *r)
{
    int64_t sid = sync_caller(r);
    if (sid < 0) return;
    if (sid > 0) {
        /* the event in the path is the one in the body */
        if (!ref_to_uuid(r)) return;
        wbi_problem prob;
        json_t *doc =
            wbi_json_load(r->req->body, r->req->body_len, wbi_hub_max_depth(r->hub), &prob);
        json_t *e = json_object_get(doc, "Event") ? json_object_get(doc, "Event") : doc;
        const char *u = json_string_value(json_object_get(e, "uuid"));
        bool same = u && strlen(u) == WB_UUID_LEN && wb_strn_ieq(u, WB_UUID_LEN, r->id);
        json_decref(doc);
        if (!same) {
            wbi_hub_reply_error(r, 422, "invalid_event",
                                "$.Event.uuid: not the uuid of the event in the path");
            return;
        }
        sync_write(r, sid);
        return;
    }
    if (!ref_to_uuid(r)) return;
    wb_share s;
    wbi_hub_share_of(r, &s);
    s.misp_shape = true;
    int rc = wb_share_event_edit(&s, r->id, r->req->body, r->req->body_len, &r->resp->body);
    wbi_hub_reply_share(r, &s, rc, 200);
}

/* ---- POST|DELETE /events/delete/{id|uuid}, a sync caller ---------------------------- */

bool wbi_hub_misp_sync_delete(wbi_hub_req *r)
{
    int64_t sid = sync_caller(r);
    if (sid < 0) return true;
    if (sid == 0) return false;
    if (!ref_to_uuid(r)) return true;
    wb_sync_outcome oc;
    char reason[WB_ERROR_MSG_MAX];
    int rc = wb_sync_delete(r->st, sid, r->owner.email, r->owner.org_name, r->id, &oc, reason,
                            sizeof reason, &r->err);
    if (rc == WB_ENOTFOUND) {
        wbi_hub_reply_error(r, 404, "not_found", "Invalid event");
        return true;
    }
    if (rc) {
        wbi_hub_reply_internal(r);
        return true;
    }
    if (oc == WB_SYNC_REFUSED) {
        wbi_hub_reply_error(r, 403, "forbidden", "Event could not be deleted: %s", reason);
        return true;
    }
    char url[64];
    snprintf(url, sizeof url, "/events/delete/%s", r->id);
    wbi_hub_reply_json(r, 200,
                       json_pack("{s:b,s:b,s:s,s:s,s:s,s:s}", "saved", 1, "success", 1, "name",
                                 "Event deleted.", "message", "Event deleted.", "url", url,
                                 "weerbaar_sync", oc == WB_SYNC_DELETED ? "deleted" : "unchanged"));
    return true;
}

/* ---- POST /sightings/bulkSaveSightings/{id|uuid}, a sync caller ------------------------------ */

void wbi_hub_h_misp_sightings_bulk(wbi_hub_req *r)
{
    int64_t sid = sync_caller(r);
    if (sid < 0) return;
    if (sid == 0) {
        /* MISP's route for servers: a key of a server's organisation */
        wbi_hub_reply_error(r, 403, "forbidden",
                            "only a sync server's key saves sightings in bulk");
        return;
    }
    wb_sync_counts c;
    int rc = wb_sync_sightings_save(r->st, sid, r->owner.email, r->owner.org_name,
                                    r->id ? r->id : "", r->req->body, r->req->body_len,
                                    wbi_hub_max_depth(r->hub), &c, &r->err);
    if (rc == WB_ENOTFOUND) {
        wbi_hub_reply_error(r, 404, "not_found", "Event not found or not accessible by this user.");
        return;
    }
    if (rc == WB_EPARSE) {
        wbi_hub_reply_error(r, 400, "invalid_request", "%s", r->err.msg);
        return;
    }
    if (rc) {
        wbi_hub_reply_internal(r);
        return;
    }
    char msg[96];
    snprintf(msg, sizeof msg, "%zu sightings successfully saved.", c.sightings);
    wbi_hub_reply_json(
        r, 200,
        json_pack("{s:b,s:s,s:s,s:{s:I,s:I,s:I}}", "saved", c.sightings > 0, "name", msg, "message",
                  msg, "weerbaar_sync", "saved", (json_int_t)c.sightings, "unchanged",
                  (json_int_t)c.sightings_unchanged, "withheld", (json_int_t)c.sightings_withheld));
}
