/*
 * share.c - sharing an incident's indicators (incidentsvc.h): as a MISP
 * event in the organisation's name, or anonymously as a proposal that the
 * incident's CSIRT approves (and then publishes in its own name), discards,
 * or that the reporter withdraws while it is pending; who the incident
 * concerns; the incident's PDF.
 *
 * The rules, the transaction and the audit entry are here, once; the event
 * itself is made by the events path the caller hands in (the hub's), so an
 * incident's event is checked and stored as every other event is. The
 * front end decides only whether the caller may see the incident at all
 * (wb_policy_incident on wb_incsvc_audience).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "weerbaar/incidentsvc.h"
#include "weerbaar/report.h"
#include "weerbaar/store.h"

/* ---- who an incident concerns ------------------------------------------------------ */

typedef struct inc_head {
    int64_t org_id;
    char sector[WB_NAME_MAX + 1];
    bool has_sector;
} inc_head;

static int inc_head_cb(void *ud, const wb_incident_rec *i)
{
    inc_head *h = ud;
    h->org_id = i->org_id;
    h->has_sector = i->org_sector != NULL;
    if (i->org_sector) snprintf(h->sector, sizeof h->sector, "%s", i->org_sector);
    return 1;
}

int wb_incsvc_audience(wb_store *s, int64_t id, wb_incident_audience *a, wb_error *err)
{
    memset(a, 0, sizeof *a);
    inc_head h = {0};
    int rc = wb_store_incident_get(s, id, inc_head_cb, &h, err);
    if (rc) return rc;
    a->org_id = h.org_id;
    /* no route: only the organisation */
    return wb_store_route_ids(s, h.has_sector ? h.sector : NULL, &a->csirt_id, &a->supervisor_id,
                              err);
}

/* ---- the PDF ----------------------------------------------------------------------- */

typedef struct pdf_job {
    const wb_reg_incident *ri;
    bool utc;
    const char *lang;
} pdf_job;

static int render_pdf(void *ud, const char *path, wb_error *err)
{
    const pdf_job *j = ud;
    return wb_incident_render(j->ri, path, WB_PAGE_PDF, j->utc, j->lang, err);
}

int wb_incsvc_pdf(wb_store *s, int64_t id, wb_time now, bool utc, const char *lang, wb_buf *out,
                  wb_error *err)
{
    wb_reg_incident *ri = NULL;
    int rc = wb_reg_incident_load(s, id, now, &ri, err);
    if (rc == 0) {
        pdf_job j = {ri, utc, lang};
        rc = wb_render_to_buf(render_pdf, &j, out, err);
    }
    wb_reg_incident_free(ri);
    if (rc == WB_ELIMIT)
        wb_error_set(err, WB_ELIMIT,
                     "incident %lld needs more than %d PDF pages; read it as JSON: GET "
                     "/api/v1/incidents/%lld (weerbaar incident export %lld --format json)",
                     (long long)id, WB_INCIDENT_DOC_MAX_PAGES, (long long)id, (long long)id);
    return rc;
}

/* ---- shares -------------------------------------------------------------------------- */

/* One share row, copied out of the store's callback. */
typedef struct share_row {
    wb_incident_share_rec rec;
    char *key, *digest, *status, *body, *event, *author, *decided_by;
    bool found, oom;
} share_row;

static char *dup_or_null(const char *s, bool *oom)
{
    if (s == NULL) return NULL;
    char *d = strdup(s);
    if (d == NULL) *oom = true;
    return d;
}

static void share_row_free(share_row *w)
{
    free(w->key);
    free(w->digest);
    free(w->status);
    free(w->body);
    free(w->event);
    free(w->author);
    free(w->decided_by);
}

static int share_row_cb(void *ud, const wb_incident_share_rec *s)
{
    share_row *w = ud;
    share_row_free(w);
    w->rec = *s;
    w->rec.share_key = w->key = dup_or_null(s->share_key, &w->oom);
    w->rec.digest = w->digest = dup_or_null(s->digest, &w->oom);
    w->rec.status = w->status = dup_or_null(s->status, &w->oom);
    w->rec.body = w->body = dup_or_null(s->body, &w->oom);
    w->rec.event_uuid = w->event = dup_or_null(s->event_uuid, &w->oom);
    w->rec.author = w->author = dup_or_null(s->author, &w->oom);
    w->rec.decided_by = w->decided_by = dup_or_null(s->decided_by, &w->oom);
    w->found = !w->oom && w->key && w->digest && w->status && w->body && w->author;
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
 * which of them stand on the warninglists now (hits are published with
 * to_ids off, as every event's are). NULL when out of memory. */
static json_t *share_json(const wb_incident_share_rec *s, bool detail, const wb_incsvc_events *ev)
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
    json_t *doc = json_loads(s->body, 0, NULL);
    json_t *list = json_array(), *hits = NULL;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(json_object_get(doc, "Event"), "Attribute"), i, a)
        json_array_append_new(list, json_pack("{s:O, s:O}", "type", json_object_get(a, "type"),
                                              "value", json_object_get(a, "value")));
    json_decref(doc);
    wb_buf h = {0};
    if (ev && ev->warninglisted && wb_buf_putc(&h, '[') == 0 &&
        ev->warninglisted(ev->ud, s->body, strlen(s->body), &h) >= 0 && wb_buf_putc(&h, ']') == 0)
        hits = json_loadb(h.data, h.len, 0, NULL);
    wb_buf_free(&h);
    json_object_set_new(o, "indicators", list ? list : json_null());
    json_object_set_new(o, "warninglist_hits", hits ? hits : json_array());
    return o;
}

/* Writes o (taking it) into out as compact JSON. */
static int put_json(json_t *o, wb_buf *out, wb_error *err)
{
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    wb_buf_reset(out);
    int rc = text ? wb_buf_append(out, text, strlen(text)) : WB_ENOMEM;
    free(text);
    return rc ? wb_error_set(err, WB_ENOMEM, "out of memory") : 0;
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

static int refuse(wb_incsvc_refusal *why, wb_incsvc_refusal kind, wb_error *err, const char *msg)
{
    *why = kind;
    return wb_error_set(err, WB_EINVAL, "%s", msg);
}

static int sg_cb(void *ud, const wb_sgroup *g)
{
    *(int64_t *)ud = g->id;
    return 1;
}

static bool in_groups(const wb_actor *who, int64_t sg)
{
    for (size_t i = 0; i < who->ngroups; i++)
        if (who->groups[i] == sg) return true;
    return false;
}

/* The audit entry of a share or decision, in the open transaction. */
static int audit(wb_store *s, const wb_actor *who, const char *action, int64_t incident,
                 const char *detail, wb_error *err)
{
    char obj[32];
    snprintf(obj, sizeof obj, "%lld", (long long)incident);
    wb_audit_rec a = {.user = who->user ? who->user : "-",
                      .org = who->org_name ? who->org_name : "-",
                      .action = action,
                      .object = obj,
                      .detail = detail};
    return wb_store_audit(s, &a, err);
}

/* Makes the share's event through the events path (in the open
 * transaction) and links it to the incident; uuid in out. */
static int publish(wb_store *s, const wb_incsvc_events *ev, int64_t incident, const char *body,
                   int64_t creator, bool anonymous, const char *author, wb_time now,
                   char out[WB_UUID_LEN + 1], wb_incsvc_refusal *why, wb_error *err)
{
    out[0] = '\0';
    if (ev == NULL || ev->create == NULL)
        return refuse(why, WB_INCSVC_BAD_REQUEST, err, "sharing publishes to a hub's events");
    if (ev->create(ev->ud, body, strlen(body), creator, out) != 0) {
        *why = WB_INCSVC_EVENTS_PATH;
        return wb_error_set(err, WB_EINVAL, "the events path refused the incident's event");
    }
    wb_incident_event_rec link = {.incident_id = incident,
                                  .event_uuid = out,
                                  .anonymous = anonymous,
                                  .author = author,
                                  .at = now};
    return wb_store_incident_event_add(s, &link, err);
}

/* The MISP event document a share publishes: the incident's indicators,
 * with no title, comment or report text (an anonymous one has not even the
 * RSIT class). NULL when out of memory. */
static char *event_body(const wb_reg_incident *ri, bool anonymous, wb_tlp level, int dist,
                        int64_t sg)
{
    char info[160];
    bool rsit = !anonymous && ri->inc.rsit;
    snprintf(info, sizeof info, "Indicators from a reported incident%s%s%s", rsit ? " (" : "",
             rsit ? ri->inc.rsit : "", rsit ? ")" : "");
    char tag[48], dtext[4], sgtext[32];
    snprintf(tag, sizeof tag, "tlp:%s", wb_tlp_name(level));
    snprintf(dtext, sizeof dtext, "%d", dist);
    json_t *attrs = json_array();
    json_t *ev =
        json_pack("{s:{s:s, s:s, s:b, s:[{s:s}], s:o}}", "Event", "info", info, "distribution",
                  dtext, "published", 1, "Tag", "name", tag, "Attribute", attrs);
    json_t *e = json_object_get(ev, "Event");
    if (e && sg) {
        snprintf(sgtext, sizeof sgtext, "%lld", (long long)sg);
        json_object_set_new(e, "sharing_group_id", json_string(sgtext));
    }
    for (size_t i = 0; e && i < ri->state->nindicators; i++)
        json_array_append_new(attrs,
                              json_pack("{s:s, s:s, s:b}", "type", ri->state->indicators[i].type,
                                        "value", ri->state->indicators[i].value, "to_ids", 1));
    char *body = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    json_decref(ev);
    return body;
}

int wb_incsvc_share(wb_store *s, const wb_actor *who, int64_t id, const wb_incsvc_share_req *req,
                    const wb_incsvc_events *ev, wb_time now, wb_incsvc_shared *done,
                    wb_incsvc_refusal *why, wb_buf *out, wb_error *err)
{
    *why = WB_INCSVC_FAILED;
    if (req->tlp == WB_TLP_UNSET)
        return refuse(why, WB_INCSVC_BAD_REQUEST, err,
                      "$.tlp: required: clear, green, amber, amber+strict or red");
    if (req->distribution < 0 || req->distribution > 4)
        return refuse(why, WB_INCSVC_BAD_REQUEST, err, "$.distribution: required: 0 to 4");
    if ((req->distribution == 4) != (req->sharing_group != NULL))
        return refuse(why, WB_INCSVC_BAD_REQUEST, err,
                      "$.sharing_group: given exactly when distribution is 4");
    if (req->key && (req->key[0] == '\0' || strlen(req->key) > WB_INCSVC_SHARE_KEY_MAX))
        return refuse(why, WB_INCSVC_BAD_REQUEST, err, "$.key: expected a string of 1-128 bytes");
    int64_t sg = 0;
    if (req->sharing_group) {
        int rc = wb_store_sgroup_find(s, 0, req->sharing_group, sg_cb, &sg, err);
        if (rc && rc != WB_ENOTFOUND) return rc;
        /* A missing group and one the caller's organisation is not in
         * answer alike, word for word: no oracle for group names. */
        if (rc == WB_ENOTFOUND || (!in_groups(who, sg) && who->role != WB_ROLE_SITE_ADMIN))
            return refuse(why, WB_INCSVC_BAD_EVENT, err,
                          "$.sharing_group: no sharing group your organisation belongs to");
    }
    wb_incident_audience aud;
    wb_reg_incident *ri = NULL;
    int rc = wb_incsvc_audience(s, id, &aud, err);
    if (rc == 0) rc = wb_reg_incident_load(s, id, now, &ri, err);
    if (rc) return rc;
    if (ri->state->nindicators == 0) {
        wb_reg_incident_free(ri);
        return refuse(why, WB_INCSVC_BAD_REQUEST, err,
                      "the incident's reports give no indicators to share");
    }
    if (req->anonymous && aud.csirt_id == 0) {
        wb_reg_incident_free(ri);
        return refuse(why, WB_INCSVC_BAD_REQUEST, err,
                      "anonymous sharing publishes in the name of the incident's CSIRT, and "
                      "the incident is routed to none (weerbaar admin route add)");
    }
    char digest[65], key[WB_INCSVC_SHARE_KEY_MAX + 1];
    share_digest(id, req->anonymous, req->tlp, req->distribution, sg, ri->state, digest);
    snprintf(key, sizeof key, "%s", req->key ? req->key : digest);
    char *body = event_body(ri, req->anonymous, req->tlp, req->distribution, sg);
    size_t nattrs = ri->state->nindicators;
    wb_reg_incident_free(ri);
    if (body == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");

    /* Everything from the look-up of the key to the audit entry happens
     * under the write lock, in one transaction. */
    share_row prior = {0};
    rc = wb_store_begin(s, err);
    if (rc == 0) {
        rc = wb_store_incident_share_find(s, 0, id, key, share_row_cb, &prior, err);
        if (rc == WB_ENOTFOUND) rc = 0;
        if (rc == 0 && prior.oom) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        if (rc) wb_store_rollback(s);
    }
    if (rc == 0 && prior.found) {
        wb_store_rollback(s);
        free(body);
        if (strcmp(prior.rec.digest, digest) != 0) {
            share_row_free(&prior);
            return refuse(why, WB_INCSVC_CONFLICT, err,
                          "$.key: the incident has a share with this key that published "
                          "something else");
        }
        json_t *back = share_json(&prior.rec, prior.rec.anonymous, ev);
        if (back) json_object_set_new(back, "replayed", json_true());
        share_row_free(&prior);
        *done = WB_INCSVC_REPLAYED;
        return put_json(back, out, err);
    }
    share_row_free(&prior);
    if (rc) {
        free(body);
        return rc;
    }
    wb_incident_share_rec rec = {.incident_id = id,
                                 .share_key = key,
                                 .digest = digest,
                                 .anonymous = req->anonymous,
                                 .status = req->anonymous ? "pending" : "published",
                                 .org_id = aud.org_id,
                                 .csirt_id = req->anonymous ? aud.csirt_id : 0,
                                 .tlp = (int)req->tlp,
                                 .distribution = req->distribution,
                                 .sharing_group_id = sg,
                                 .body = body,
                                 .attributes = (int64_t)nattrs,
                                 .author = who->user,
                                 .created = now,
                                 .decided_at = WB_TIME_NONE};
    char ev_uuid[WB_UUID_LEN + 1] = "";
    if (req->anonymous) {
        int n = ev && ev->warninglisted ? ev->warninglisted(ev->ud, body, strlen(body), NULL) : 0;
        rec.warninglisted = n > 0 ? n : 0;
    } else {
        rc = publish(s, ev, id, body, who->org_id, false, who->user, now, ev_uuid, why, err);
        rec.event_uuid = ev_uuid;
    }
    if (rc == 0) rc = wb_store_incident_share_add(s, &rec, &rec.id, err);
    char detail[96];
    if (req->anonymous)
        snprintf(detail, sizeof detail, "anonymous: proposal %lld to the CSIRT", (long long)rec.id);
    else
        snprintf(detail, sizeof detail, "as the organisation: event %s", ev_uuid);
    if (rc == 0)
        rc = audit(s, who, req->anonymous ? "incident.propose" : "incident.share", id, detail, err);
    if (rc == 0) rc = wb_store_commit(s, err);
    if (rc) {
        wb_store_rollback(s);
        free(body);
        return rc;
    }
    json_t *o = share_json(&rec, req->anonymous, ev);
    free(body);
    *done = req->anonymous ? WB_INCSVC_PROPOSED : WB_INCSVC_PUBLISHED;
    return put_json(o, out, err);
}

/* ---- proposals ---------------------------------------------------------------------- */

typedef struct prop_list {
    json_t *arr;
    const wb_incsvc_events *ev;
    bool oom;
} prop_list;

static int prop_list_cb(void *ud, const wb_incident_share_rec *s)
{
    prop_list *l = ud;
    if (json_array_size(l->arr) == WB_INCSVC_LIST_MAX) return 1;
    json_t *o = share_json(s, true, l->ev);
    if (o == NULL || json_array_append_new(l->arr, o) != 0) {
        l->oom = true;
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

int wb_incsvc_proposals(wb_store *s, const wb_actor *who, const char *status,
                        const wb_incsvc_events *ev, wb_buf *out, wb_error *err)
{
    if (status && !status_name_ok(status))
        return wb_error_set(err, WB_EINVAL, "status: pending, approved, discarded or withdrawn");
    prop_list l = {.arr = json_array(), .ev = ev};
    int rc = l.arr ? 0 : WB_ENOMEM;
    /* Only the organisation's own: not even a site admin reads another's
     * (a proposal names the reporter). */
    if (rc == 0 && who->org_id > 0)
        rc = wb_store_incident_share_list(s, who->org_id, status, prop_list_cb, &l, err);
    if (rc == 0 && l.oom) rc = WB_ENOMEM;
    if (rc) {
        json_decref(l.arr);
        if (rc == WB_ENOMEM) wb_error_set(err, WB_ENOMEM, "out of memory");
        return rc;
    }
    return put_json(json_pack("{s:o}", "response", l.arr), out, err);
}

int wb_incsvc_decide(wb_store *s, const wb_actor *who, int64_t pid, wb_incsvc_decision op,
                     const wb_incsvc_events *ev, wb_time now, wb_incsvc_refusal *why, wb_buf *out,
                     wb_error *err)
{
    static const char *const done[] = {"approved", "discarded", "withdrawn"};
    static const char *const actions[] = {"incident.proposal.approve", "incident.proposal.discard",
                                          "incident.proposal.withdraw"};
    *why = WB_INCSVC_FAILED;
    share_row w = {0};
    int rc = wb_store_begin(s, err);
    if (rc == 0) rc = wb_store_incident_share_find(s, pid, 0, NULL, share_row_cb, &w, err);
    if (rc == 0 && !w.found) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    bool csirt = rc == 0 && w.rec.csirt_id > 0 && who->org_id == w.rec.csirt_id;
    bool reporter = rc == 0 && who->org_id == w.rec.org_id;
    /* Someone else's proposal answers as a missing one. */
    if (rc == 0 && (!w.rec.anonymous || (!csirt && !reporter))) rc = WB_ENOTFOUND;
    if (rc == WB_ENOTFOUND) wb_error_set(err, WB_ENOTFOUND, "no such proposal");
    if (rc == 0 && (op == WB_INCSVC_WITHDRAW ? !reporter : !csirt))
        rc = refuse(why, WB_INCSVC_FORBIDDEN, err,
                    op == WB_INCSVC_WITHDRAW
                        ? "only the organisation that proposed it may withdraw a proposal"
                        : "only the CSIRT a proposal was made to may approve or discard it");
    if (rc == 0 && strcmp(w.rec.status, "pending") != 0) {
        *why = WB_INCSVC_CONFLICT;
        rc = wb_error_set(err, WB_EINVAL, "proposal %lld is %s, no longer pending", (long long)pid,
                          w.rec.status);
    }
    char ev_uuid[WB_UUID_LEN + 1] = "";
    if (rc == 0 && op == WB_INCSVC_APPROVE)
        rc = publish(s, ev, w.rec.incident_id, w.rec.body, w.rec.csirt_id, true, w.rec.author, now,
                     ev_uuid, why, err);
    if (rc == 0)
        rc = wb_store_incident_share_decide(s, pid, done[op], ev_uuid[0] ? ev_uuid : NULL,
                                            who->user, now, err);
    char detail[96];
    snprintf(detail, sizeof detail, "proposal %lld%s%s", (long long)pid,
             ev_uuid[0] ? ": event " : "", ev_uuid);
    if (rc == 0) rc = audit(s, who, actions[op], w.rec.incident_id, detail, err);
    if (rc == 0) rc = wb_store_commit(s, err);
    if (rc) {
        wb_store_rollback(s);
        share_row_free(&w);
        return rc;
    }
    w.rec.status = done[op];
    w.rec.event_uuid = ev_uuid[0] ? ev_uuid : NULL;
    w.rec.decided_by = who->user;
    w.rec.decided_at = now;
    rc = put_json(share_json(&w.rec, true, ev), out, err);
    share_row_free(&w);
    return rc;
}
