/*
 * incident_api.c - the hub's Cbw incident endpoints (/api/v1/incidents):
 * incidents, their reports, the deadlines, and the routed CSIRT's ack, ask
 * and comments, on top of the incident service (incidentsvc.h); sharing an
 * incident's indicators as events and the proposals of anonymous shares.
 *
 * The routes stay in api.c's table; this file holds the handlers so the
 * incident work can grow without crowding the events API. A handler
 * decides access (wb_policy_incident alone; an incident the caller may not
 * see answers 404 exactly like one that does not exist), parses the
 * request, calls the service as the key's user (channel api) and replies
 * with its JSON: validation and the time rules are the service's, the same
 * as for `weerbaar incident --db`. The server's clock is the submission
 * time of a report: a hub never takes a client's word for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub_internal.h"
#include "weerbaar/incident.h"
#include "weerbaar/incidentsvc.h"
#include "weerbaar/register.h"

/* Who incident `id` concerns. 0, WB_ENOTFOUND, or a store error. */
static int incident_audience(wbi_hub_req *r, int64_t id, wb_incident_audience *a)
{
    return wb_incsvc_audience(r->st, id, a, &r->err);
}

/* Resolves {id} and asks the policy. 0 when allowed; otherwise the reply is
 * sent: 404 for an invisible or missing incident, 403 when the caller sees
 * it but may not do `op`. A site admin's read is collected for the audit. */
static int incident_access(wbi_hub_req *r, wb_incident_op op, int64_t *id)
{
    wb_incident_audience a;
    int rc = WB_ENOTFOUND;
    if (wb_parse_i64(r->id, strlen(r->id), 1, INT64_MAX, id) == 0)
        rc = incident_audience(r, *id, &a);
    if (rc == WB_ENOTFOUND) {
        wbi_hub_reply_error(r, 404, "not_found", "no such incident");
        return -1;
    }
    if (rc) {
        wbi_hub_reply_internal(r);
        return -1;
    }
    wb_access read = wb_policy_incident(&r->who, WB_INCIDENT_READ, &a);
    if (read == WB_DENY) {
        wbi_hub_reply_error(r, 404, "not_found", "no such incident");
        return -1;
    }
    if (op != WB_INCIDENT_READ && wb_policy_incident(&r->who, op, &a) == WB_DENY) {
        wbi_hub_reply_error(r, 403, "forbidden",
                            op == WB_INCIDENT_SUBMIT
                                ? "only the incident's organisation submits its reports"
                                : "only the CSIRT the incident is routed to may do this");
        return -1;
    }
    if (read == WB_ALLOW_AUDITED && op == WB_INCIDENT_READ)
        wbi_hub_audit_later(r, "read.admin", wbi_hub_num(r, *id), "incident read by site admin");
    return 0;
}

/* Replies with a service's answer (incidentsvc.h): its JSON with `status`,
 * or the refusal: 422 for a request the service refused, 404 for what is
 * not there, 500 otherwise. */
static void reply_svc(wbi_hub_req *r, int rc, const wb_buf *out, unsigned status)
{
    if (rc == 0) rc = wbi_hub_flush_audits(r);
    json_t *o = rc == 0 ? json_loadb(out->data, out->len, 0, NULL) : NULL;
    if (rc == WB_EINVAL) {
        wbi_hub_reply_error(r, 422, "invalid_request", "%s", r->err.msg);
        return;
    }
    if (rc == WB_ENOTFOUND) {
        wbi_hub_reply_error(r, 404, "not_found", "%s", r->err.msg);
        return;
    }
    if (o == NULL) {
        if (rc == 0) wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        wbi_hub_reply_internal(r);
        return;
    }
    wbi_hub_reply_json(r, status, o);
}

/* Loads the incident and renders it; the reply is sent either way. */
static void reply_incident(wbi_hub_req *r, int64_t id, unsigned status, unsigned parts)
{
    /* ?now= only changes the time the states are judged at (a preview of
     * `incident show --now`); nothing is written with it. */
    wb_time now = WB_TIME_NONE;
    if (!wbi_hub_arg_time(r, "now", &now)) return;
    if (now == WB_TIME_NONE) now = wb_time_now();
    wb_buf b = {0};
    int rc = wb_incsvc_show(r->st, id, parts, now, &b, &r->err);
    reply_svc(r, rc, &b, status);
    wb_buf_free(&b);
}

/* The actor of a request: the key's user and organisation, channel api. */
static wb_actor actor_of(const wbi_hub_req *r)
{
    return (wb_actor){.user = r->owner.email,
                      .org_id = r->who.org_id,
                      .org_name = r->owner.org_name,
                      .role = r->who.role,
                      .channel = WB_ACTOR_API,
                      .groups = r->who.groups,
                      .ngroups = r->who.ngroups};
}

/* A body that must be a JSON object; NULL with the reply sent. */
static json_t *body_object(wbi_hub_req *r)
{
    wbi_problem prob = {0};
    json_t *root = wbi_json_load(r->req->body ? r->req->body : "", r->req->body_len,
                                 wbi_hub_max_depth(r->hub), &prob);
    if (root == NULL) {
        wbi_hub_reply_problem(r, &prob);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        wbi_hub_reply_error(r, 422, "invalid_request", "$: expected a JSON object");
        return NULL;
    }
    return root;
}

/* An RFC 3339 member; false with a 422 sent when present and bad, or when
 * absent and required. */
static bool member_time(wbi_hub_req *r, json_t *o, const char *key, bool required, wb_time *out)
{
    json_t *v = json_object_get(o, key);
    *out = WB_TIME_NONE;
    if (v == NULL || json_is_null(v)) {
        if (!required) return true;
        wbi_hub_reply_error(r, 422, "invalid_request", "$.%s: required", key);
        return false;
    }
    const char *s = json_string_value(v);
    if (s == NULL || wb_time_parse_rfc3339(s, json_string_length(v), out) != 0) {
        wbi_hub_reply_error(
            r, 422, "invalid_request",
            "$.%s: expected an RFC 3339 time with an offset (2026-05-01T10:00:00+02:00)", key);
        return false;
    }
    return true;
}

/* An optional string member; false with a 422 sent when it is not one. */
static bool member_str(wbi_hub_req *r, json_t *o, const char *key, size_t max, const char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (v == NULL || json_is_null(v)) return true;
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        wbi_hub_reply_error(r, 422, "invalid_request", "$.%s: expected a string of 1-%zu bytes",
                            key, max);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

static bool only_keys(wbi_hub_req *r, json_t *o, const char *const *keys, size_t n)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        size_t i = 0;
        while (i < n && strcmp(keys[i], k) != 0)
            i++;
        if (i == n) {
            wbi_hub_reply_error(r, 422, "invalid_request", "$.%s: unknown key", k);
            return false;
        }
    }
    return true;
}

void wbi_hub_h_incident_add(wbi_hub_req *r)
{
    static const char *const keys[] = {"title", "aware_at", "detected_at", "entity_type",
                                       "tlp",   "rsit",     "org"};
    json_t *o = body_object(r);
    if (o == NULL) return;
    const char *entity = NULL, *tlp = NULL;
    wb_incsvc_new_req req = {.entity = WB_ENTITY_OTHER, .tlp = WB_TLP_UNSET};
    bool ok = only_keys(r, o, keys, sizeof keys / sizeof keys[0]) &&
              member_str(r, o, "title", WB_INCIDENT_TITLE_MAX, &req.title) &&
              member_time(r, o, "aware_at", true, &req.aware_at) &&
              member_time(r, o, "detected_at", false, &req.detected_at) &&
              member_str(r, o, "entity_type", 32, &entity) && member_str(r, o, "tlp", 32, &tlp) &&
              member_str(r, o, "rsit", WB_NAME_MAX, &req.rsit) &&
              member_str(r, o, "org", WB_NAME_MAX, &req.org);
    if (ok && entity && wb_entity_type_parse(entity, &req.entity) != 0) {
        wbi_hub_reply_error(r, 422, "invalid_request", "$.entity_type: unknown entity type '%s'",
                            entity);
        ok = false;
    }
    if (ok && tlp && (wb_tlp_parse(tlp, strlen(tlp), &req.tlp) != 0 || req.tlp == WB_TLP_UNSET)) {
        wbi_hub_reply_error(r, 422, "invalid_request", "$.tlp: not a TLP level: '%s'", tlp);
        ok = false;
    }
    if (ok) {
        wb_actor who = actor_of(r);
        int64_t id;
        wb_buf b = {0};
        int rc = wb_incsvc_new(r->st, &who, &req, wb_time_now(), &id, &b, &r->err);
        reply_svc(r, rc, &b, 201);
        wb_buf_free(&b);
    }
    json_decref(o);
}

typedef struct walk_ctx {
    wbi_hub_req *r;
    bool due;
} walk_ctx;

/* The hub's policy as the list's filter: wb_policy_incident per incident,
 * a site admin's read noted for the audit. */
static int walk_visible(void *ud, int64_t id, bool *visible, wb_error *err)
{
    (void)err;
    walk_ctx *w = ud;
    wb_incident_audience a;
    int rc = incident_audience(w->r, id, &a);
    if (rc) return rc;
    wb_access acc = wb_policy_incident(&w->r->who, WB_INCIDENT_READ, &a);
    *visible = acc != WB_DENY;
    if (acc == WB_ALLOW_AUDITED)
        wbi_hub_audit_later(w->r, "read.admin", wbi_hub_num(w->r, id),
                            w->due ? "incident deadlines read by site admin"
                                   : "incident listed for site admin");
    return 0;
}

/* GET /api/v1/incidents and /api/v1/incidents/due: every incident the
 * caller may see, judged at ?now= (default: the server's clock). */
static void incident_walk(wbi_hub_req *r, bool due)
{
    wb_time now = WB_TIME_NONE;
    if (!wbi_hub_arg_time(r, "now", &now)) return;
    if (now == WB_TIME_NONE) now = wb_time_now();
    walk_ctx w = {r, due};
    wb_actor who = actor_of(r);
    wb_buf b = {0};
    int rc = wb_incsvc_list(r->st, &who, due, now, walk_visible, &w, &b, &r->err);
    reply_svc(r, rc, &b, 200);
    wb_buf_free(&b);
}

void wbi_hub_h_incident_list(wbi_hub_req *r)
{
    incident_walk(r, false);
}

void wbi_hub_h_incident_due(wbi_hub_req *r)
{
    incident_walk(r, true);
}

void wbi_hub_h_incident_get(wbi_hub_req *r)
{
    int64_t id;
    if (incident_access(r, WB_INCIDENT_READ, &id) == 0)
        reply_incident(r, id, 200, WB_REG_JSON_REPORTS | WB_REG_JSON_STATE);
}

/* GET /api/v1/incidents/{id}/pdf[?now=TIME][&utc=1]: the incident as a PDF,
 * rendered on the hub from its own register so that `incident export
 * --format pdf --hub` shows exactly what `--db` shows. */
void wbi_hub_h_incident_pdf(wbi_hub_req *r)
{
    int64_t id;
    if (incident_access(r, WB_INCIDENT_READ, &id) != 0) return;
    wb_time now = WB_TIME_NONE;
    if (!wbi_hub_arg_time(r, "now", &now)) return;
    if (now == WB_TIME_NONE) now = wb_time_now();
    const char *utc = wbi_hub_arg(r, "utc"), *lang = wbi_hub_arg(r, "lang");
    if (lang && strcmp(lang, "nl") != 0 && strcmp(lang, "en") != 0) {
        wbi_hub_reply_error(r, 400, "invalid_request", "lang: nl or en");
        return;
    }
    int rc =
        wb_incsvc_pdf(r->st, id, now, utc && strcmp(utc, "1") == 0, lang, &r->resp->body, &r->err);
    if (rc == 0) rc = wbi_hub_flush_audits(r);
    if (rc == WB_ELIMIT) {
        /* Not the server's failure: this incident is more than a PDF holds.
         * The message says where the whole of it is. */
        wb_buf_free(&r->resp->body);
        wbi_hub_reply_error(r, 422, "too_large", "%s", r->err.msg);
        return;
    }
    if (rc) {
        wb_buf_free(&r->resp->body);
        wbi_hub_reply_internal(r);
        return;
    }
    r->resp->status = 200;
    r->resp->content_type = "application/pdf";
}

/* POST /api/v1/incidents/{id}/reports?stage=STAGE with the report document
 * as the body; 422 invalid_report lists every problem. */
void wbi_hub_h_incident_report(wbi_hub_req *r)
{
    int64_t id;
    if (incident_access(r, WB_INCIDENT_SUBMIT, &id) != 0) return;
    const char *stage_name = wbi_hub_arg(r, "stage");
    wb_stage stage;
    if (stage_name == NULL || wb_stage_parse(stage_name, &stage) != 0 ||
        stage == WB_STAGE_CSIRT_ANSWER) {
        wbi_hub_reply_error(r, 400, "invalid_request",
                            "stage: early-warning, notification, intermediate, final, progress or "
                            "gdpr-breach");
        return;
    }
    if (r->req->body &&
        wbi_json_depth_ok(r->req->body, r->req->body_len, wbi_hub_max_depth(r->hub)) != 0) {
        wbi_hub_reply_error(r, 400, "invalid_json", "the report nests deeper than the hub allows");
        return;
    }
    wb_actor who = actor_of(r);
    wb_report_problems probs = {0};
    wb_buf out = {0};
    int rc =
        wb_incsvc_report(r->st, &who, id, stage, WB_TIME_NONE, wb_time_now(), "$", r->req->body,
                         r->req->body ? r->req->body_len : 0, &probs, &out, &r->err);
    if (rc == WB_EINVAL || rc == WB_EPARSE || rc == WB_ELIMIT) {
        json_t *list = json_array();
        wb_buf msg = {0};
        for (size_t i = 0; i < probs.count; i++) {
            json_array_append_new(list, json_pack("{s:s,s:s}", "path", probs.items[i].path,
                                                  "message", probs.items[i].message));
            wb_buf_printf(&msg, "%s%s: %s", i ? "; " : "", probs.items[i].path,
                          probs.items[i].message);
        }
        unsigned status = rc == WB_EPARSE ? 400 : rc == WB_ELIMIT ? 413 : 422;
        json_t *o = json_pack("{s:{s:s,s:s,s:o}}", "error", "code",
                              rc == WB_EPARSE ? "invalid_json" : "invalid_report", "message",
                              probs.count ? msg.data : r->err.msg, "problems", list);
        wb_buf_free(&msg);
        wb_report_problems_free(&probs);
        wb_buf_free(&out);
        if (o == NULL)
            wbi_hub_reply_error(r, status, "invalid_report", "the report was refused");
        else
            wbi_hub_reply_json(r, status, o);
        return;
    }
    wb_report_problems_free(&probs);
    reply_svc(r, rc, &out, 201);
    wb_buf_free(&out);
}

/* ack, ask and comments: the routed CSIRT's actions. */
static void incident_action(wbi_hub_req *r, wb_incident_action_kind kind)
{
    int64_t id;
    if (incident_access(r, WB_INCIDENT_CSIRT, &id) != 0) return;
    wb_time by = WB_TIME_NONE;
    const char *text = NULL;
    json_t *o = NULL;
    if (kind != WB_ACTION_ACK) {
        static const char *const ask_keys[] = {"by"}, *const comment_keys[] = {"text"};
        o = body_object(r);
        if (o == NULL) return;
        bool ok = kind == WB_ACTION_ASK
                      ? only_keys(r, o, ask_keys, 1) && member_time(r, o, "by", true, &by)
                      : only_keys(r, o, comment_keys, 1) &&
                            member_str(r, o, "text", WB_INCIDENT_TEXT_MAX, &text);
        if (!ok) {
            json_decref(o);
            return;
        }
    }
    wb_actor who = actor_of(r);
    wb_buf b = {0};
    int rc =
        wb_incsvc_act(r->st, &who, id, kind, WB_TIME_NONE, by, text, wb_time_now(), &b, &r->err);
    reply_svc(r, rc, &b, 201);
    wb_buf_free(&b);
    json_decref(o);
}

void wbi_hub_h_incident_ack(wbi_hub_req *r)
{
    incident_action(r, WB_ACTION_ACK);
}

void wbi_hub_h_incident_ask(wbi_hub_req *r)
{
    incident_action(r, WB_ACTION_ASK);
}

void wbi_hub_h_incident_comment(wbi_hub_req *r)
{
    incident_action(r, WB_ACTION_COMMENT);
}

/* POST /api/v1/incidents/{id}/handled {"at": TIME}: the organisation says
 * when the incident was handled (its final report is then due a month
 * later). */
void wbi_hub_h_incident_handled(wbi_hub_req *r)
{
    static const char *const keys[] = {"at"};
    int64_t id;
    if (incident_access(r, WB_INCIDENT_SUBMIT, &id) != 0) return;
    json_t *o = body_object(r);
    if (o == NULL) return;
    wb_time at;
    bool ok = only_keys(r, o, keys, 1) && member_time(r, o, "at", true, &at);
    json_decref(o);
    if (!ok) return;
    wb_actor who = actor_of(r);
    wb_buf b = {0};
    int rc = wb_incsvc_handled(r->st, &who, id, at, wb_time_now(), &b, &r->err);
    reply_svc(r, rc, &b, 200);
    wb_buf_free(&b);
}

/* ---- sharing: events and proposals ---------------------------------------------- */

/* The hub's events path, as the incident service's way to publish. */
typedef struct events_ctx {
    wbi_hub_req *r;
} events_ctx;

static int ev_create(void *ud, const char *body, size_t len, int64_t creator,
                     char uuid[WB_UUID_LEN + 1])
{
    wbi_hub_req *r = ((events_ctx *)ud)->r;
    wbi_hub_event_create(r, body, len, creator);
    if (r->resp->status != 201) return -1; /* its answer stands */
    json_t *back = json_loadb(r->resp->body.data, r->resp->body.len, 0, NULL);
    const char *u = json_string_value(json_object_get(json_object_get(back, "Event"), "uuid"));
    uuid[0] = '\0';
    if (u && strlen(u) == WB_UUID_LEN) memcpy(uuid, u, WB_UUID_LEN + 1);
    json_decref(back);
    /* the service answers; the events path's body is not the reply */
    wb_buf_free(&r->resp->body);
    r->resp->status = 0;
    return 0;
}

static int ev_warninglisted(void *ud, const char *body, size_t len, wb_buf *hits)
{
    wbi_hub_req *r = ((events_ctx *)ud)->r;
    json_t *a = json_array();
    int n = a ? wbi_hub_event_warninglisted(r, body, len, a) : -1;
    size_t i;
    json_t *h;
    json_array_foreach(a, i, h)
    {
        char *t = hits && n > 0 ? json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (t) wb_buf_printf(hits, "%s%s", i ? "," : "", t);
        free(t);
    }
    json_decref(a);
    return n;
}

/* Replies with a share service's answer or refusal. */
static void reply_share(wbi_hub_req *r, int rc, wb_incsvc_refusal why, wb_buf *out, unsigned status)
{
    if (rc == WB_EINVAL) {
        switch (why) {
        case WB_INCSVC_FAILED:
            break;
        case WB_INCSVC_BAD_REQUEST:
            wbi_hub_reply_error(r, 422, "invalid_request", "%s", r->err.msg);
            return;
        case WB_INCSVC_BAD_EVENT:
            wbi_hub_reply_error(r, 422, "invalid_event", "%s", r->err.msg);
            return;
        case WB_INCSVC_CONFLICT:
            wbi_hub_reply_error(r, 409, "conflict", "%s", r->err.msg);
            return;
        case WB_INCSVC_FORBIDDEN:
            wbi_hub_reply_error(r, 403, "forbidden", "%s", r->err.msg);
            return;
        case WB_INCSVC_EVENTS_PATH:
            return; /* the events path's answer is sent */
        }
    }
    if (rc == WB_ENOTFOUND) {
        wbi_hub_reply_error(r, 404, "not_found", "%s", r->err.msg);
        return;
    }
    if (rc) {
        wbi_hub_reply_internal(r);
        return;
    }
    json_t *o = json_loadb(out->data, out->len, 0, NULL);
    if (o == NULL) {
        wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        wbi_hub_reply_internal(r);
        return;
    }
    wbi_hub_reply_json(r, status, o);
}

/* POST /api/v1/incidents/{id}/share {"tlp", "distribution", "sharing_group",
 * "anonymous", "key"}: the incident's indicators become a MISP event
 * through the events endpoint's own path, or anonymously a proposal to the
 * incident's CSIRT (wb_incsvc_share has the rules). */
void wbi_hub_h_incident_share(wbi_hub_req *r)
{
    static const char *const keys[] = {"tlp", "distribution", "sharing_group", "anonymous", "key"};
    int64_t id;
    if (incident_access(r, WB_INCIDENT_SUBMIT, &id) != 0) return;
    json_t *o = body_object(r);
    if (o == NULL) return;
    const char *tlp = NULL;
    wb_incsvc_share_req req = {.tlp = WB_TLP_UNSET, .distribution = -1};
    json_t *dist = json_object_get(o, "distribution"), *anon = json_object_get(o, "anonymous");
    bool ok = only_keys(r, o, keys, sizeof keys / sizeof keys[0]) &&
              member_str(r, o, "tlp", 32, &tlp) &&
              member_str(r, o, "sharing_group", WB_NAME_MAX, &req.sharing_group) &&
              member_str(r, o, "key", WB_INCSVC_SHARE_KEY_MAX, &req.key);
    if (ok && tlp && wb_tlp_parse(tlp, strlen(tlp), &req.tlp) != 0) req.tlp = WB_TLP_UNSET;
    if (ok && json_is_integer(dist) && json_integer_value(dist) >= 0 &&
        json_integer_value(dist) <= 4)
        req.distribution = (int)json_integer_value(dist);
    if (ok && req.tlp != WB_TLP_UNSET && req.distribution >= 0 && anon && !json_is_boolean(anon)) {
        wbi_hub_reply_error(r, 422, "invalid_request", "$.anonymous: expected true or false");
        ok = false;
    }
    req.anonymous = json_is_true(anon);
    if (ok) {
        wb_actor who = actor_of(r);
        events_ctx ec = {r};
        wb_incsvc_events ev = {ev_create, ev_warninglisted, &ec};
        wb_incsvc_shared done = WB_INCSVC_PUBLISHED;
        wb_incsvc_refusal why = WB_INCSVC_FAILED;
        wb_buf b = {0};
        int rc =
            wb_incsvc_share(r->st, &who, id, &req, &ev, wb_time_now(), &done, &why, &b, &r->err);
        reply_share(r, rc, why, &b,
                    done == WB_INCSVC_REPLAYED   ? 200
                    : done == WB_INCSVC_PROPOSED ? 202
                                                 : 201);
        wb_buf_free(&b);
    }
    json_decref(o);
}

/* ---- proposals: /api/v1/incidents/proposals ----------------------------------------- */

/* GET /api/v1/incidents/proposals[?status=S]: the proposals the caller's
 * organisation made or decides. */
void wbi_hub_h_proposal_list(wbi_hub_req *r)
{
    wb_actor who = actor_of(r);
    events_ctx ec = {r};
    wb_incsvc_events ev = {ev_create, ev_warninglisted, &ec};
    wb_buf b = {0};
    int rc = wb_incsvc_proposals(r->st, &who, wbi_hub_arg(r, "status"), &ev, &b, &r->err);
    if (rc == WB_EINVAL)
        wbi_hub_reply_error(r, 400, "invalid_request", "%s", r->err.msg);
    else
        reply_share(r, rc, WB_INCSVC_FAILED, &b, 200);
    wb_buf_free(&b);
}

/* Approve, discard (the CSIRT) and withdraw (the reporting organisation) a
 * pending proposal: 404 for someone else's, 403 for one the caller sees but
 * may not decide, 409 for one no longer pending. */
static void proposal_decide(wbi_hub_req *r, wb_incsvc_decision op)
{
    int64_t pid = 0;
    if (wb_parse_i64(r->id, strlen(r->id), 1, INT64_MAX, &pid) != 0) {
        wbi_hub_reply_error(r, 404, "not_found", "no such proposal");
        return;
    }
    wb_actor who = actor_of(r);
    events_ctx ec = {r};
    wb_incsvc_events ev = {ev_create, ev_warninglisted, &ec};
    wb_incsvc_refusal why = WB_INCSVC_FAILED;
    wb_buf b = {0};
    int rc = wb_incsvc_decide(r->st, &who, pid, op, &ev, wb_time_now(), &why, &b, &r->err);
    reply_share(r, rc, why, &b, 200);
    wb_buf_free(&b);
}

void wbi_hub_h_proposal_approve(wbi_hub_req *r)
{
    proposal_decide(r, WB_INCSVC_APPROVE);
}

void wbi_hub_h_proposal_discard(wbi_hub_req *r)
{
    proposal_decide(r, WB_INCSVC_DISCARD);
}

void wbi_hub_h_proposal_withdraw(wbi_hub_req *r)
{
    proposal_decide(r, WB_INCSVC_WITHDRAW);
}

/* POST /api/v1/incidents/significance[?entity_type=T] with the facts
 * (docs/incident.md, "Facts file") as the body: whether an incident is
 * significant, criterion by criterion, as `weerbaar incident assess
 * --format json` answers. Reads and writes nothing of the hub's: the web
 * page's significance check. 422 naming the JSON path of a bad fact. */
void wbi_hub_h_incident_significance(wbi_hub_req *r)
{
    const char *et = wbi_hub_arg(r, "entity_type");
    wb_entity_type entity = WB_ENTITY_OTHER;
    if (et && *et && wb_entity_type_parse(et, &entity) != 0) {
        wbi_hub_reply_error(r, 400, "invalid_request",
                            "entity_type: '%.64s' is not an entity type (dns, tld, cloud, "
                            "data-centre, cdn, msp, mssp, marketplace, search-engine, "
                            "social-network, trust-service, other)",
                            et);
        return;
    }
    wb_facts facts;
    wb_error e = {0};
    if (r->req->body_len > WB_FACTS_MAX_BYTES) {
        wbi_hub_reply_error(r, 413, "too_large", "facts: at most %zu bytes", WB_FACTS_MAX_BYTES);
        return;
    }
    if (wb_facts_parse("facts", r->req->body ? r->req->body : "", r->req->body_len, &facts, &e) !=
        0) {
        wbi_hub_reply_error(r, 422, "invalid_request", "%s", e.msg);
        return;
    }
    wb_assessment a;
    wb_assess(entity, &facts, &a);
    json_t *o = NULL;
    wb_buf b = {0};
    if (wb_significance_json(entity, &a, &b) == 0) o = json_loadb(b.data, b.len, 0, NULL);
    wb_buf_free(&b);
    if (o == NULL) {
        wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        wbi_hub_reply_internal(r);
        return;
    }
    wbi_hub_reply_json(r, 200, o);
}
