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

#include <sodium.h>

#include "hub/hub_internal.h"
#include "weerbaar/incident.h"
#include "weerbaar/incidentsvc.h"
#include "weerbaar/register.h"
#include "weerbaar/report.h"

typedef struct inc_head {
    wbi_req *r;
    int64_t org_id;
    const char *sector;
} inc_head;

static int inc_head_cb(void *ud, const wb_incident_rec *i)
{
    inc_head *h = ud;
    h->org_id = i->org_id;
    h->sector = wbi_rdup(h->r, i->org_sector);
    return 1;
}

static int route_cb(void *ud, const wb_route_rec *rt)
{
    wb_incident_audience *a = ud;
    a->csirt_id = rt->csirt_id;
    a->supervisor_id = rt->supervisor_id;
    return 1;
}

/* Who incident `id` concerns. 0, WB_ENOTFOUND, or a store error. */
static int incident_audience(wbi_req *r, int64_t id, wb_incident_audience *a)
{
    memset(a, 0, sizeof *a);
    inc_head h = {.r = r};
    int rc = wb_store_incident_get(r->st, id, inc_head_cb, &h, &r->err);
    if (rc) return rc;
    a->org_id = h.org_id;
    rc = wb_store_route_for(r->st, h.sector, route_cb, a, &r->err);
    return rc == WB_ENOTFOUND ? 0 : rc; /* no route: only the organisation */
}

/* Resolves {id} and asks the policy. 0 when allowed; otherwise the reply is
 * sent: 404 for an invisible or missing incident, 403 when the caller sees
 * it but may not do `op`. A site admin's read is collected for the audit. */
static int incident_access(wbi_req *r, wb_incident_op op, int64_t *id)
{
    wb_incident_audience a;
    int rc = WB_ENOTFOUND;
    if (wb_parse_i64(r->id, strlen(r->id), 1, INT64_MAX, id) == 0)
        rc = incident_audience(r, *id, &a);
    if (rc == WB_ENOTFOUND) {
        wbi_reply_error(r, 404, "not_found", "no such incident");
        return -1;
    }
    if (rc) {
        wbi_reply_internal(r);
        return -1;
    }
    wb_access read = wb_policy_incident(&r->who, WB_INCIDENT_READ, &a);
    if (read == WB_DENY) {
        wbi_reply_error(r, 404, "not_found", "no such incident");
        return -1;
    }
    if (op != WB_INCIDENT_READ && wb_policy_incident(&r->who, op, &a) == WB_DENY) {
        wbi_reply_error(r, 403, "forbidden",
                        op == WB_INCIDENT_SUBMIT
                            ? "only the incident's organisation submits its reports"
                            : "only the CSIRT the incident is routed to may do this");
        return -1;
    }
    if (read == WB_ALLOW_AUDITED && op == WB_INCIDENT_READ)
        wbi_audit_later(r, "read.admin", wbi_num(r, *id), "incident read by site admin");
    return 0;
}

/* Replies with a service's answer (incidentsvc.h): its JSON with `status`,
 * or the refusal: 422 for a request the service refused, 404 for what is
 * not there, 500 otherwise. */
static void reply_svc(wbi_req *r, int rc, const wb_buf *out, unsigned status)
{
    if (rc == 0) rc = wbi_flush_audits(r);
    json_t *o = rc == 0 ? json_loadb(out->data, out->len, 0, NULL) : NULL;
    if (rc == WB_EINVAL) {
        wbi_reply_error(r, 422, "invalid_request", "%s", r->err.msg);
        return;
    }
    if (rc == WB_ENOTFOUND) {
        wbi_reply_error(r, 404, "not_found", "%s", r->err.msg);
        return;
    }
    if (o == NULL) {
        if (rc == 0) wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        wbi_reply_internal(r);
        return;
    }
    wbi_reply_json(r, status, o);
}

/* Loads the incident and renders it; the reply is sent either way. */
static void reply_incident(wbi_req *r, int64_t id, unsigned status, unsigned parts)
{
    /* ?now= only changes the time the states are judged at (a preview of
     * `incident show --now`); nothing is written with it. */
    wb_time now = WB_TIME_NONE;
    if (!wbi_arg_time(r, "now", &now)) return;
    if (now == WB_TIME_NONE) now = wb_time_now();
    wb_buf b = {0};
    int rc = wb_incsvc_show(r->st, id, parts, now, &b, &r->err);
    reply_svc(r, rc, &b, status);
    wb_buf_free(&b);
}

/* The actor of a request: the key's user and organisation, channel api. */
static wb_actor actor_of(const wbi_req *r)
{
    return (wb_actor){.user = r->owner.email,
                      .org_id = r->who.org_id,
                      .org_name = r->owner.org_name,
                      .role = r->who.role,
                      .channel = WB_ACTOR_API};
}

/* A body that must be a JSON object; NULL with the reply sent. */
static json_t *body_object(wbi_req *r)
{
    wbi_problem prob = {0};
    json_t *root = wbi_json_load(r->req->body ? r->req->body : "", r->req->body_len,
                                 wbi_hub_max_depth(r->hub), &prob);
    if (root == NULL) {
        wbi_reply_problem(r, &prob);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        wbi_reply_error(r, 422, "invalid_request", "$: expected a JSON object");
        return NULL;
    }
    return root;
}

/* An RFC 3339 member; false with a 422 sent when present and bad, or when
 * absent and required. */
static bool member_time(wbi_req *r, json_t *o, const char *key, bool required, wb_time *out)
{
    json_t *v = json_object_get(o, key);
    *out = WB_TIME_NONE;
    if (v == NULL || json_is_null(v)) {
        if (!required) return true;
        wbi_reply_error(r, 422, "invalid_request", "$.%s: required", key);
        return false;
    }
    const char *s = json_string_value(v);
    if (s == NULL || wb_time_parse_rfc3339(s, json_string_length(v), out) != 0) {
        wbi_reply_error(
            r, 422, "invalid_request",
            "$.%s: expected an RFC 3339 time with an offset (2026-05-01T10:00:00+02:00)", key);
        return false;
    }
    return true;
}

/* An optional string member; false with a 422 sent when it is not one. */
static bool member_str(wbi_req *r, json_t *o, const char *key, size_t max, const char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (v == NULL || json_is_null(v)) return true;
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        wbi_reply_error(r, 422, "invalid_request", "$.%s: expected a string of 1-%zu bytes", key,
                        max);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

static bool only_keys(wbi_req *r, json_t *o, const char *const *keys, size_t n)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        size_t i = 0;
        while (i < n && strcmp(keys[i], k) != 0)
            i++;
        if (i == n) {
            wbi_reply_error(r, 422, "invalid_request", "$.%s: unknown key", k);
            return false;
        }
    }
    return true;
}

void wbi_h_incident_add(wbi_req *r)
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
        wbi_reply_error(r, 422, "invalid_request", "$.entity_type: unknown entity type '%s'",
                        entity);
        ok = false;
    }
    if (ok && tlp && (wb_tlp_parse(tlp, strlen(tlp), &req.tlp) != 0 || req.tlp == WB_TLP_UNSET)) {
        wbi_reply_error(r, 422, "invalid_request", "$.tlp: not a TLP level: '%s'", tlp);
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
    wbi_req *r;
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
        wbi_audit_later(w->r, "read.admin", wbi_num(w->r, id),
                        w->due ? "incident deadlines read by site admin"
                               : "incident listed for site admin");
    return 0;
}

/* GET /api/v1/incidents and /api/v1/incidents/due: every incident the
 * caller may see, judged at ?now= (default: the server's clock). */
static void incident_walk(wbi_req *r, bool due)
{
    wb_time now = WB_TIME_NONE;
    if (!wbi_arg_time(r, "now", &now)) return;
    if (now == WB_TIME_NONE) now = wb_time_now();
    walk_ctx w = {r, due};
    wb_buf b = {0};
    int rc = wb_incsvc_list(r->st, due, now, walk_visible, &w, &b, &r->err);
    reply_svc(r, rc, &b, 200);
    wb_buf_free(&b);
}

void wbi_h_incident_list(wbi_req *r)
{
    incident_walk(r, false);
}

void wbi_h_incident_due(wbi_req *r)
{
    incident_walk(r, true);
}

void wbi_h_incident_get(wbi_req *r)
{
    int64_t id;
    if (incident_access(r, WB_INCIDENT_READ, &id) == 0)
        reply_incident(r, id, 200, WB_REG_JSON_REPORTS | WB_REG_JSON_STATE);
}

typedef struct pdf_job {
    const wb_reg_incident *ri;
    bool utc;
} pdf_job;

static int render_pdf(void *ud, const char *path, wb_error *err)
{
    const pdf_job *j = ud;
    return wb_incident_render(j->ri, path, WB_PAGE_PDF, j->utc, err);
}

/* GET /api/v1/incidents/{id}/pdf[?now=TIME][&utc=1]: the incident as a PDF,
 * rendered on the hub from its own register so that `incident export
 * --format pdf --hub` shows exactly what `--db` shows. */
void wbi_h_incident_pdf(wbi_req *r)
{
    int64_t id;
    if (incident_access(r, WB_INCIDENT_READ, &id) != 0) return;
    wb_time now = WB_TIME_NONE;
    if (!wbi_arg_time(r, "now", &now)) return;
    if (now == WB_TIME_NONE) now = wb_time_now();
    const char *utc = wbi_arg(r, "utc");
    wb_reg_incident *ri = NULL;
    int rc = wb_reg_incident_load(r->st, id, now, &ri, &r->err);
    if (rc == 0) {
        pdf_job j = {ri, utc && strcmp(utc, "1") == 0};
        rc = wb_render_to_buf(render_pdf, &j, &r->resp->body, &r->err);
    }
    if (rc == 0) rc = wbi_flush_audits(r);
    wb_reg_incident_free(ri);
    if (rc == WB_ELIMIT) {
        /* Not the server's failure: this incident is more than a PDF holds.
         * Say where the whole of it is. */
        wb_buf_free(&r->resp->body);
        wbi_reply_error(r, 422, "too_large",
                        "incident %lld needs more than %d PDF pages; read it as JSON: GET "
                        "/api/v1/incidents/%lld (weerbaar incident export %lld --format json)",
                        (long long)id, WB_INCIDENT_DOC_MAX_PAGES, (long long)id, (long long)id);
        return;
    }
    if (rc) {
        wb_buf_free(&r->resp->body);
        wbi_reply_internal(r);
        return;
    }
    r->resp->status = 200;
    r->resp->content_type = "application/pdf";
}

/* POST /api/v1/incidents/{id}/reports?stage=STAGE with the report document
 * as the body; 422 invalid_report lists every problem. */
void wbi_h_incident_report(wbi_req *r)
{
    int64_t id;
    if (incident_access(r, WB_INCIDENT_SUBMIT, &id) != 0) return;
    const char *stage_name = wbi_arg(r, "stage");
    wb_stage stage;
    if (stage_name == NULL || wb_stage_parse(stage_name, &stage) != 0 ||
        stage == WB_STAGE_CSIRT_ANSWER) {
        wbi_reply_error(r, 400, "invalid_request",
                        "stage: early-warning, notification, intermediate, final, progress or "
                        "gdpr-breach");
        return;
    }
    if (r->req->body &&
        wbi_json_depth_ok(r->req->body, r->req->body_len, wbi_hub_max_depth(r->hub)) != 0) {
        wbi_reply_error(r, 400, "invalid_json", "the report nests deeper than the hub allows");
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
            wbi_reply_error(r, status, "invalid_report", "the report was refused");
        else
            wbi_reply_json(r, status, o);
        return;
    }
    wb_report_problems_free(&probs);
    reply_svc(r, rc, &out, 201);
    wb_buf_free(&out);
}

/* ack, ask and comments: the routed CSIRT's actions. */
static void incident_action(wbi_req *r, wb_incident_action_kind kind)
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

void wbi_h_incident_ack(wbi_req *r)
{
    incident_action(r, WB_ACTION_ACK);
}

void wbi_h_incident_ask(wbi_req *r)
{
    incident_action(r, WB_ACTION_ASK);
}

void wbi_h_incident_comment(wbi_req *r)
{
    incident_action(r, WB_ACTION_COMMENT);
}

/* POST /api/v1/incidents/{id}/handled {"at": TIME}: the organisation says
 * when the incident was handled (its final report is then due a month
 * later). */
void wbi_h_incident_handled(wbi_req *r)
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

/* The longest idempotency key a client may give. */
#define SHARE_KEY_MAX 128

typedef struct sg_pick {
    int64_t id;
} sg_pick;

static int sg_pick_cb(void *ud, const wb_sgroup *g)
{
    ((sg_pick *)ud)->id = g->id;
    return 1;
}

static bool in_groups(const wb_principal *p, int64_t sg)
{
    for (size_t i = 0; i < p->ngroups; i++)
        if (p->groups[i] == sg) return true;
    return false;
}

/* One share row copied into the request's arena. */
typedef struct share_row {
    wbi_req *r;
    wb_incident_share_rec rec;
    bool found;
} share_row;

static int share_row_cb(void *ud, const wb_incident_share_rec *s)
{
    share_row *w = ud;
    w->rec = *s;
    w->rec.share_key = wbi_rdup(w->r, s->share_key);
    w->rec.digest = wbi_rdup(w->r, s->digest);
    w->rec.status = wbi_rdup(w->r, s->status);
    w->rec.body = wbi_rdup(w->r, s->body);
    w->rec.event_uuid = s->event_uuid ? wbi_rdup(w->r, s->event_uuid) : NULL;
    w->rec.author = wbi_rdup(w->r, s->author);
    w->rec.decided_by = s->decided_by ? wbi_rdup(w->r, s->decided_by) : NULL;
    w->found = w->rec.share_key && w->rec.digest && w->rec.status && w->rec.body && w->rec.author;
    return 1;
}

static json_t *jtime_or_null(wb_time t)
{
    char buf[48];
    if (t == WB_TIME_NONE) return json_null();
    wb_time_format(t, buf, sizeof buf);
    return json_string(buf);
}

/* A share as the API shows it. A proposal also lists its indicators and
 * which of them stand on the hub's warninglists now (hits are published
 * with to_ids off, as every event's are). */
static json_t *share_json(wbi_req *r, const wb_incident_share_rec *s, bool detail)
{
    json_t *o = json_pack(
        "{s:I, s:I, s:s, s:b, s:o, s:I, s:I, s:s, s:i, s:s, s:o, s:o, s:o}", "id",
        (json_int_t)s->id, "incident", (json_int_t)s->incident_id, "status", s->status, "anonymous",
        s->anonymous, "event", s->event_uuid ? json_string(s->event_uuid) : json_null(),
        "attributes", (json_int_t)s->attributes, "warninglisted", (json_int_t)s->warninglisted,
        "tlp", wb_tlp_name((wb_tlp)s->tlp), "distribution", s->distribution, "key", s->share_key,
        "created", jtime_or_null(s->created), "decided_at", jtime_or_null(s->decided_at),
        "decided_by", s->decided_by ? json_string(s->decided_by) : json_null());
    if (o == NULL || !detail) return o;
    json_object_set_new(o, "author", json_string(s->author));
    json_t *ev = json_loads(s->body, 0, NULL);
    json_t *list = json_array(), *hits = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(json_object_get(ev, "Event"), "Attribute"), i, a)
        json_array_append_new(list, json_pack("{s:O, s:O}", "type", json_object_get(a, "type"),
                                              "value", json_object_get(a, "value")));
    json_decref(ev);
    if (hits && wbi_event_warninglisted(r, s->body, strlen(s->body), hits) < 0)
        json_array_clear(hits);
    json_object_set_new(o, "indicators", list ? list : json_null());
    json_object_set_new(o, "warninglist_hits", hits ? hits : json_null());
    return o;
}

/* The digest of what a share publishes: the incident, how, and its
 * indicators in order. Two requests with the same digest are one share
 * (a client's retry), unless the client names them apart with a key. */
static void share_digest(int64_t id, bool anonymous, wb_tlp tlp, int dist, int64_t sg,
                         const wb_report *state, char out[65])
{
    crypto_hash_sha256_state h;
    char head[128];
    int n = snprintf(head, sizeof head, "weerbaar-share/1\n%lld\n%d\n%s\n%d\n%lld\n", (long long)id,
                     anonymous, wb_tlp_name(tlp), dist, (long long)sg);
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)head, (unsigned long long)n);
    for (size_t i = 0; i < state->nindicators; i++) {
        const wb_report_indicator *ind = &state->indicators[i];
        /* Lengths first, so that no two lists write the same bytes. */
        char len[48];
        int m = snprintf(len, sizeof len, "%zu:%zu:", strlen(ind->type), strlen(ind->value));
        crypto_hash_sha256_update(&h, (const unsigned char *)len, (unsigned long long)m);
        crypto_hash_sha256_update(&h, (const unsigned char *)ind->type, strlen(ind->type));
        crypto_hash_sha256_update(&h, (const unsigned char *)ind->value, strlen(ind->value));
    }
    unsigned char md[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, md);
    sodium_bin2hex(out, 65, md, sizeof md);
}

/* The share in force with this key, if any; -1 with the reply sent on a
 * store error. */
static int share_by_key(wbi_req *r, int64_t incident, const char *key, share_row *w)
{
    memset(w, 0, sizeof *w);
    w->r = r;
    int rc = wb_store_incident_share_find(r->st, 0, incident, key, share_row_cb, w, &r->err);
    if (rc == WB_ENOTFOUND) return 0;
    if (rc == 0 && !w->found) rc = wb_error_set(&r->err, WB_ENOMEM, "out of memory");
    if (rc) {
        wbi_reply_internal(r);
        return -1;
    }
    return 0;
}

/* Makes the event of a share (the events path, in the caller's open
 * transaction), links it to the incident, and returns its uuid in out.
 * -1 with the reply sent (the transaction then rolled back). */
static int publish(wbi_req *r, int64_t incident, const char *body, int64_t creator, bool anonymous,
                   const char *author, char out[WB_UUID_LEN + 1])
{
    wbi_event_create(r, body, strlen(body), creator);
    if (r->resp->status != 201) {
        wb_store_rollback(r->st); /* the events path's own refusal */
        return -1;
    }
    json_t *back = json_loadb(r->resp->body.data, r->resp->body.len, 0, NULL);
    const char *uuid = json_string_value(json_object_get(json_object_get(back, "Event"), "uuid"));
    out[0] = '\0';
    if (uuid && strlen(uuid) == WB_UUID_LEN) memcpy(out, uuid, WB_UUID_LEN + 1);
    json_decref(back);
    wb_incident_event_rec link = {.incident_id = incident,
                                  .event_uuid = out,
                                  .anonymous = anonymous,
                                  .author = author,
                                  .at = wb_time_now()};
    int rc = wb_store_incident_event_add(r->st, &link, &r->err);
    if (rc) {
        wb_store_rollback(r->st);
        wbi_reply_internal(r);
        return -1;
    }
    return 0;
}

/* POST /api/v1/incidents/{id}/share {"tlp", "distribution", "sharing_group",
 * "anonymous", "key"}: the incident's indicators (its reports' cumulative
 * state) become a MISP event through the events endpoint's own path.
 *
 * As the organisation: the event, the incident's link to it, the share row
 * and the audit entry are written in one transaction, so a crash leaves
 * all or nothing; a retry with the same key (the client's, or else the
 * digest of what is shared) answers 200 with the first share and writes
 * nothing.
 *
 * Anonymously: the event would speak in the name of the CSIRT the incident
 * is routed to, so it is a proposal (MISP's pattern) that the CSIRT
 * approves before anything is published; the reporter may withdraw it
 * while it is pending. The approved event has a hub-made random uuid, the
 * approval's date and time, a fixed info text and no incident title,
 * comment or report text, so nothing in it points back to the
 * organisation. The audit log keeps the real user (only site admins read
 * it); the proposal and the incident's link to the event are seen only by
 * the reporting organisation and that CSIRT. */
void wbi_h_incident_share(wbi_req *r)
{
    static const char *const keys[] = {"tlp", "distribution", "sharing_group", "anonymous", "key"};
    int64_t id;
    if (incident_access(r, WB_INCIDENT_SUBMIT, &id) != 0) return;
    json_t *o = body_object(r);
    if (o == NULL) return;
    const char *tlp = NULL, *sg = NULL, *ckey = NULL;
    wb_tlp level = WB_TLP_UNSET;
    json_t *dist = json_object_get(o, "distribution"), *anon = json_object_get(o, "anonymous");
    bool ok = only_keys(r, o, keys, sizeof keys / sizeof keys[0]) &&
              member_str(r, o, "tlp", 32, &tlp) &&
              member_str(r, o, "sharing_group", WB_NAME_MAX, &sg) &&
              member_str(r, o, "key", SHARE_KEY_MAX, &ckey);
    if (ok &&
        (tlp == NULL || wb_tlp_parse(tlp, strlen(tlp), &level) != 0 || level == WB_TLP_UNSET)) {
        wbi_reply_error(r, 422, "invalid_request",
                        "$.tlp: required: clear, green, amber, amber+strict or red");
        ok = false;
    }
    if (ok &&
        (!json_is_integer(dist) || json_integer_value(dist) < 0 || json_integer_value(dist) > 4)) {
        wbi_reply_error(r, 422, "invalid_request", "$.distribution: required: 0 to 4");
        ok = false;
    }
    if (ok && anon && !json_is_boolean(anon)) {
        wbi_reply_error(r, 422, "invalid_request", "$.anonymous: expected true or false");
        ok = false;
    }
    if (ok && (json_integer_value(dist) == 4) != (sg != NULL)) {
        wbi_reply_error(r, 422, "invalid_request",
                        "$.sharing_group: given exactly when distribution is 4");
        ok = false;
    }
    int distribution = ok ? (int)json_integer_value(dist) : 0;
    bool anonymous = ok && json_is_true(anon);
    char key[SHARE_KEY_MAX + 1] = "";
    if (ok && ckey) snprintf(key, sizeof key, "%s", ckey);
    sg_pick pick = {0};
    if (ok && sg) {
        int rc = wb_store_sgroup_find(r->st, 0, sg, sg_pick_cb, &pick, &r->err);
        if (rc && rc != WB_ENOTFOUND) {
            json_decref(o);
            wbi_reply_internal(r);
            return;
        }
        /* A missing group and one the caller's organisation is not in
         * answer alike, word for word: no oracle for group names. */
        if (rc == WB_ENOTFOUND ||
            (!in_groups(&r->who, pick.id) && r->who.role != WB_ROLE_SITE_ADMIN)) {
            wbi_reply_error(r, 422, "invalid_event",
                            "$.sharing_group: no sharing group your organisation belongs to");
            ok = false;
        }
    }
    json_decref(o);
    if (!ok) return;

    wb_incident_audience aud;
    wb_reg_incident *ri = NULL;
    int rc = incident_audience(r, id, &aud);
    if (rc == 0) rc = wb_reg_incident_load(r->st, id, wb_time_now(), &ri, &r->err);
    if (rc) {
        wbi_reply_internal(r);
        return;
    }
    if (ri->state->nindicators == 0) {
        wb_reg_incident_free(ri);
        wbi_reply_error(r, 422, "invalid_request",
                        "the incident's reports give no indicators to share");
        return;
    }
    if (anonymous && aud.csirt_id == 0) {
        wb_reg_incident_free(ri);
        wbi_reply_error(r, 422, "invalid_request",
                        "anonymous sharing publishes in the name of the incident's CSIRT, and "
                        "the incident is routed to none (weerbaar admin route add)");
        return;
    }
    char digest[65];
    share_digest(id, anonymous, level, distribution, pick.id, ri->state, digest);
    if (key[0] == '\0') memcpy(key, digest, sizeof digest);
    char info[160];
    snprintf(info, sizeof info, "Indicators from a reported incident%s%s%s",
             !anonymous && ri->inc.rsit ? " (" : "", !anonymous && ri->inc.rsit ? ri->inc.rsit : "",
             !anonymous && ri->inc.rsit ? ")" : "");
    char tag[48], dtext[4];
    snprintf(tag, sizeof tag, "tlp:%s", wb_tlp_name(level));
    snprintf(dtext, sizeof dtext, "%d", distribution);
    json_t *attrs = json_array();
    json_t *ev =
        json_pack("{s:{s:s, s:s, s:b, s:[{s:s}], s:o}}", "Event", "info", info, "distribution",
                  dtext, "published", 1, "Tag", "name", tag, "Attribute", attrs);
    json_t *e = json_object_get(ev, "Event");
    if (e && pick.id) json_object_set_new(e, "sharing_group_id", json_string(wbi_num(r, pick.id)));
    for (size_t i = 0; e && i < ri->state->nindicators; i++)
        json_array_append_new(attrs,
                              json_pack("{s:s, s:s, s:b}", "type", ri->state->indicators[i].type,
                                        "value", ri->state->indicators[i].value, "to_ids", 1));
    size_t nattrs = ri->state->nindicators;
    wb_reg_incident_free(ri);
    char *body = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    json_decref(ev);
    if (body == NULL) {
        wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        wbi_reply_internal(r);
        return;
    }

    /* Everything from the look-up of the key to the audit entry happens
     * under the write lock, in one transaction. */
    share_row prior;
    rc = wb_store_begin(r->st, &r->err);
    if (rc) {
        free(body);
        wbi_reply_internal(r);
        return;
    }
    if (share_by_key(r, id, key, &prior) != 0) {
        wb_store_rollback(r->st);
        free(body);
        return;
    }
    if (prior.found) {
        wb_store_rollback(r->st);
        free(body);
        if (strcmp(prior.rec.digest, digest) != 0) {
            wbi_reply_error(r, 409, "conflict",
                            "$.key: the incident has a share with this key that published "
                            "something else");
            return;
        }
        json_t *back = share_json(r, &prior.rec, prior.rec.anonymous);
        if (back) json_object_set_new(back, "replayed", json_true());
        wbi_reply_json(r, 200, back);
        return;
    }
    wb_incident_share_rec rec = {.incident_id = id,
                                 .share_key = key,
                                 .digest = digest,
                                 .anonymous = anonymous,
                                 .status = anonymous ? "pending" : "published",
                                 .org_id = aud.org_id,
                                 .csirt_id = anonymous ? aud.csirt_id : 0,
                                 .tlp = (int)level,
                                 .distribution = distribution,
                                 .sharing_group_id = pick.id,
                                 .body = body,
                                 .attributes = (int64_t)nattrs,
                                 .author = r->owner.email,
                                 .created = wb_time_now(),
                                 .decided_at = WB_TIME_NONE};
    char ev_uuid[WB_UUID_LEN + 1] = "";
    if (anonymous) {
        json_t *hits = json_array();
        int n = hits ? wbi_event_warninglisted(r, body, strlen(body), hits) : 0;
        json_decref(hits);
        rec.warninglisted = n > 0 ? n : 0;
    } else if (publish(r, id, body, r->who.org_id, false, r->owner.email, ev_uuid) != 0) {
        free(body);
        return;
    } else {
        rec.event_uuid = ev_uuid;
    }
    rc = wb_store_incident_share_add(r->st, &rec, &rec.id, &r->err);
    char detail[96];
    if (anonymous)
        snprintf(detail, sizeof detail, "anonymous: proposal %lld to the CSIRT", (long long)rec.id);
    else
        snprintf(detail, sizeof detail, "as the organisation: event %s", ev_uuid);
    if (rc == 0)
        rc = wbi_audit_now(r, anonymous ? "incident.propose" : "incident.share", wbi_num(r, id),
                           detail);
    if (rc == 0) rc = wb_store_commit(r->st, &r->err);
    if (rc) {
        wb_store_rollback(r->st);
        free(body);
        wbi_reply_internal(r);
        return;
    }
    json_t *out = share_json(r, &rec, anonymous);
    free(body);
    wbi_reply_json(r, anonymous ? 202 : 201, out);
}

/* ---- proposals: /api/v1/incidents/proposals ----------------------------------------- */

typedef struct prop_list {
    wbi_req *r;
    json_t *arr;
    int rc;
} prop_list;

static int prop_list_cb(void *ud, const wb_incident_share_rec *s)
{
    prop_list *l = ud;
    if (json_array_size(l->arr) == WB_INCSVC_LIST_MAX) return 1;
    json_t *o = share_json(l->r, s, true);
    if (o == NULL || json_array_append_new(l->arr, o) != 0) {
        l->rc = WB_ENOMEM;
        return 1;
    }
    return 0;
}

static bool status_name_ok(const char *s)
{
    static const char *const names[] = {"pending", "approved", "discarded", "withdrawn"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0) return true;
    return false;
}

/* GET /api/v1/incidents/proposals[?status=S]: the proposals the caller's
 * organisation made or decides, and no one else's (not even a site
 * admin's: a proposal names the reporter); at most WB_INCSVC_LIST_MAX, newest
 * first (?status=pending finds the ones waiting). */
void wbi_h_proposal_list(wbi_req *r)
{
    const char *status = wbi_arg(r, "status");
    if (status && !status_name_ok(status)) {
        wbi_reply_error(r, 400, "invalid_request",
                        "status: pending, approved, discarded or withdrawn");
        return;
    }
    prop_list l = {.r = r, .arr = json_array()};
    int rc = l.arr ? 0 : WB_ENOMEM;
    if (rc == 0 && r->who.org_id > 0)
        rc = wb_store_incident_share_list(r->st, r->who.org_id, status, prop_list_cb, &l, &r->err);
    if (rc == 0) rc = l.rc;
    if (rc) {
        json_decref(l.arr);
        if (r->err.msg[0] == '\0') wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        wbi_reply_internal(r);
        return;
    }
    wbi_reply_json(r, 200, json_pack("{s:o}", "response", l.arr));
}

typedef enum prop_op { PROP_APPROVE, PROP_DISCARD, PROP_WITHDRAW } prop_op;

/* Approve, discard (the CSIRT) and withdraw (the reporting organisation) a
 * pending proposal. Someone else's proposal answers 404 like a missing
 * one; a proposal the caller sees but may not decide, 403; one that is no
 * longer pending, 409. */
static void proposal_decide(wbi_req *r, prop_op op)
{
    static const char *const done[] = {"approved", "discarded", "withdrawn"};
    static const char *const actions[] = {"incident.proposal.approve", "incident.proposal.discard",
                                          "incident.proposal.withdraw"};
    int64_t pid = 0;
    share_row w = {.r = r};
    int rc = WB_ENOTFOUND;
    if (wb_parse_i64(r->id, strlen(r->id), 1, INT64_MAX, &pid) == 0) {
        rc = wb_store_begin(r->st, &r->err);
        if (rc == 0)
            rc = wb_store_incident_share_find(r->st, pid, 0, NULL, share_row_cb, &w, &r->err);
        if (rc == 0 && !w.found) rc = wb_error_set(&r->err, WB_ENOMEM, "out of memory");
    }
    bool csirt = rc == 0 && w.rec.csirt_id > 0 && r->who.org_id == w.rec.csirt_id;
    bool reporter = rc == 0 && r->who.org_id == w.rec.org_id;
    if (rc == 0 && (!w.rec.anonymous || (!csirt && !reporter))) rc = WB_ENOTFOUND;
    if (rc) {
        wb_store_rollback(r->st);
        if (rc == WB_ENOTFOUND)
            wbi_reply_error(r, 404, "not_found", "no such proposal");
        else
            wbi_reply_internal(r);
        return;
    }
    if (op == PROP_WITHDRAW ? !reporter : !csirt) {
        wb_store_rollback(r->st);
        wbi_reply_error(r, 403, "forbidden",
                        op == PROP_WITHDRAW
                            ? "only the organisation that proposed it may withdraw a proposal"
                            : "only the CSIRT a proposal was made to may approve or discard it");
        return;
    }
    if (strcmp(w.rec.status, "pending") != 0) {
        wb_store_rollback(r->st);
        wbi_reply_error(r, 409, "conflict", "proposal %lld is %s, no longer pending",
                        (long long)pid, w.rec.status);
        return;
    }
    char ev_uuid[WB_UUID_LEN + 1] = "";
    if (op == PROP_APPROVE &&
        publish(r, w.rec.incident_id, w.rec.body, w.rec.csirt_id, true, w.rec.author, ev_uuid) != 0)
        return;
    wb_time now = wb_time_now();
    rc = wb_store_incident_share_decide(r->st, pid, done[op], ev_uuid[0] ? ev_uuid : NULL,
                                        r->owner.email, now, &r->err);
    char detail[96];
    snprintf(detail, sizeof detail, "proposal %lld%s%s", (long long)pid,
             ev_uuid[0] ? ": event " : "", ev_uuid);
    if (rc == 0) rc = wbi_audit_now(r, actions[op], wbi_num(r, w.rec.incident_id), detail);
    if (rc == 0) rc = wb_store_commit(r->st, &r->err);
    if (rc) {
        wb_store_rollback(r->st);
        wbi_reply_internal(r);
        return;
    }
    w.rec.status = done[op];
    w.rec.event_uuid = ev_uuid[0] ? ev_uuid : NULL;
    w.rec.decided_by = r->owner.email;
    w.rec.decided_at = now;
    wbi_reply_json(r, 200, share_json(r, &w.rec, true));
}

void wbi_h_proposal_approve(wbi_req *r)
{
    proposal_decide(r, PROP_APPROVE);
}

void wbi_h_proposal_discard(wbi_req *r)
{
    proposal_decide(r, PROP_DISCARD);
}

void wbi_h_proposal_withdraw(wbi_req *r)
{
    proposal_decide(r, PROP_WITHDRAW);
}
