/*
 * service.c - the incident register's operations for every front end
 * (incidentsvc.h): validation, the transaction, the write, the audit entry
 * and the JSON answer, once. `weerbaar incident --db` and the hub's
 * incident endpoints call these, so a rule cannot hold on one and not on
 * the other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "weerbaar/incidentsvc.h"
#include "weerbaar/store.h"

int wb_incsvc_open(wb_store **s, const char *path, wb_error *err)
{
    return wb_store_open(s, path, err);
}

void wb_incsvc_close(wb_store *s)
{
    wb_store_close(s);
}

wb_actor wb_incsvc_operator(void)
{
    return (wb_actor){.user = "cli",
                      .org_id = 0,
                      .org_name = "-",
                      .role = WB_ROLE_SITE_ADMIN,
                      .channel = WB_ACTOR_CLI};
}

/* Writes the audit entry of a write and commits both; rolls back on error. */
static int audited_commit(wb_store *s, const wb_actor *who, int rc, const char *action, int64_t id,
                          const char *detail, wb_error *err)
{
    char obj[32];
    snprintf(obj, sizeof obj, "%lld", (long long)id);
    if (rc == 0) {
        wb_audit_rec a = {.user = who->user ? who->user : "-",
                          .org = who->org_name ? who->org_name : "-",
                          .action = action,
                          .object = obj,
                          .detail = detail};
        rc = wb_store_audit(s, &a, err);
    }
    if (rc == 0) rc = wb_store_commit(s, err);
    if (rc) wb_store_rollback(s);
    return rc;
}

int wb_incsvc_show(wb_store *s, int64_t id, unsigned parts, wb_time now, wb_buf *out, wb_error *err)
{
    wb_reg_incident *ri = NULL;
    wb_buf b = {0};
    int rc = wb_reg_incident_load(s, id, now, &ri, err);
    if (rc == 0) rc = wb_reg_incident_json(ri, parts, &b);
    wb_buf_reset(out);
    if (rc == 0) rc = wb_buf_printf(out, "{\"incident\":%s}", b.data ? b.data : "{}");
    if (rc == WB_ENOMEM) wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_buf_free(&b);
    wb_reg_incident_free(ri);
    return rc;
}

static int org_cb(void *ud, const wb_org *o)
{
    *(int64_t *)ud = o->id;
    return 1;
}

typedef struct org_name {
    char name[WB_NAME_MAX + 1];
    wb_org_kind kind;
} org_name;

static int org_name_cb(void *ud, const wb_org *o)
{
    org_name *n = ud;
    snprintf(n->name, sizeof n->name, "%s", o->name ? o->name : "");
    n->kind = o->kind;
    return 1;
}

/* The name of the CSIRT incident id is routed to, when the actor's channel
 * sends (a hub's); NULL for the local operator or without a route. */
static json_t *sent_to(wb_store *s, const wb_actor *who, int64_t id)
{
    if (who->channel == WB_ACTOR_CLI) return json_null();
    wb_incident_audience a;
    wb_error ignore = {0};
    org_name n = {{0}, WB_ORG_OTHER};
    if (wb_incsvc_audience(s, id, &a, &ignore) != 0 || a.csirt_id == 0 ||
        wb_store_org_get(s, a.csirt_id, org_name_cb, &n, &ignore) != 0 || n.name[0] == '\0')
        return json_null();
    return json_string(n.name);
}

/* Adds "sent_to" to the JSON object in out. */
static int add_sent_to(wb_store *s, const wb_actor *who, int64_t id, wb_buf *out, wb_error *err)
{
    json_t *o = json_loadb(out->data, out->len, 0, NULL);
    if (o == NULL || json_object_set_new(o, "sent_to", sent_to(s, who, id)) != 0) {
        json_decref(o);
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    wb_buf_reset(out);
    int rc = text ? wb_buf_append(out, text, strlen(text)) : WB_ENOMEM;
    free(text);
    return rc ? wb_error_set(err, WB_ENOMEM, "out of memory") : 0;
}

int wb_incsvc_new(wb_store *s, const wb_actor *who, const wb_incsvc_new_req *req, wb_time now,
                  int64_t *id, wb_buf *out, wb_error *err)
{
    *id = 0;
    if (req->title == NULL || req->title[0] == '\0')
        return wb_error_set(err, WB_EINVAL, "$.title: required");
    if (strlen(req->title) > WB_INCIDENT_TITLE_MAX)
        return wb_error_set(err, WB_EINVAL, "$.title: expected a string of 1-%d bytes",
                            WB_INCIDENT_TITLE_MAX);
    if (req->aware_at == WB_TIME_NONE) return wb_error_set(err, WB_EINVAL, "$.aware_at: required");
    if (req->rsit && !wb_rsit_tag_valid(req->rsit))
        return wb_error_set(err, WB_EINVAL,
                            "$.rsit: not an RSIT value (write rsit:availability=\"ddos\")");
    /* The time rules hold for every channel: an organisation cannot have
     * become aware of an incident, or detected it, after now. */
    if (req->aware_at > now) return wb_error_set(err, WB_EINVAL, "$.aware_at: lies in the future");
    if (req->detected_at != WB_TIME_NONE && req->detected_at > now)
        return wb_error_set(err, WB_EINVAL, "$.detected_at: lies in the future");
    int64_t org = who->org_id;
    if (who->channel == WB_ACTOR_CLI) {
        /* The operator keeps the register for every organisation: it
         * says whose incident this is. */
        if (req->org == NULL) return wb_error_set(err, WB_EINVAL, "$.org: required");
        org = 0;
        int rc = wb_store_org_find(s, req->org, org_cb, &org, err);
        if (rc == WB_ENOTFOUND)
            return wb_error_set(err, WB_ENOTFOUND,
                                "unknown organisation '%s': add it first with 'weerbaar admin "
                                "org add \"%s\" --kind essential|important --sector SECTOR --db "
                                "PATH' ('weerbaar admin org list' shows the ones there are)",
                                req->org, req->org);
        if (rc) return rc;
    } else if (req->org && !wb_strn_ieq(req->org, strlen(req->org), who->org_name)) {
        /* An incident is always the caller's organisation's; a mismatch is
         * refused rather than ignored. */
        return wb_error_set(err, WB_EINVAL,
                            "$.org: your key belongs to '%s'; an incident is reported by the "
                            "key's organisation",
                            who->org_name);
    }
    wb_incident_rec rec = {.org_id = org,
                           .title = req->title,
                           .aware_at = req->aware_at,
                           .detected_at = req->detected_at,
                           .entity_type = wb_entity_type_name(req->entity),
                           .rsit = req->rsit,
                           /* For the CSIRT and the supervisor, not for
                            * sharing: amber unless the reporter says so. */
                           .tlp = req->tlp == WB_TLP_UNSET ? WB_TLP_AMBER : req->tlp};
    int rc = wb_store_begin(s, err);
    if (rc == 0) rc = wb_store_incident_add(s, &rec, id, err);
    rc = audited_commit(s, who, rc, "incident.add", *id, req->title, err);
    if (rc == 0) rc = wb_incsvc_show(s, *id, 0, now, out, err);
    if (rc == 0) rc = add_sent_to(s, who, *id, out, err);
    return rc;
}

int wb_incsvc_report(wb_store *s, const wb_actor *who, int64_t id, wb_stage stage,
                     wb_time submitted_at, wb_time now, const char *name, const char *data,
                     size_t len, wb_report_problems *problems, wb_buf *out, wb_error *err)
{
    if (stage == WB_STAGE_CSIRT_ANSWER)
        return wb_error_set(err, WB_EINVAL,
                            "stage: early-warning, notification, intermediate, final, progress "
                            "or gdpr-breach");
    if (submitted_at != WB_TIME_NONE && submitted_at > now)
        return wb_error_set(err, WB_EINVAL, "$.submitted_at: lies in the future");
    if (submitted_at != WB_TIME_NONE && who->channel != WB_ACTOR_CLI)
        return wb_error_set(err, WB_EINVAL,
                            "$.submitted_at: the time the hub receives a report is its submission "
                            "time");
    wb_reg_submission sub = {
        .incident_id = id,
        .stage = stage,
        .submitted_at = submitted_at != WB_TIME_NONE ? submitted_at : now,
        .channel = submitted_at != WB_TIME_NONE   ? WB_CHANNEL_RECORDED
                   : who->channel == WB_ACTOR_CLI ? WB_CHANNEL_LOCAL
                                                  : WB_CHANNEL_HUB,
        .author = who->user,
    };
    wb_reg_receipt rcpt;
    int rc = wb_store_begin(s, err);
    if (rc == 0)
        rc = wb_reg_submit(s, &sub, name, data ? data : "", data ? len : 0, &rcpt, problems, err);
    char detail[96];
    snprintf(detail, sizeof detail, "%s, %s", wb_stage_name(stage),
             wb_report_channel_name(sub.channel));
    if (rc) {
        wb_store_rollback(s);
        return rc;
    }
    rc = audited_commit(s, who, rc, "incident.report", id, detail, err);
    if (rc) return rc;
    char at[48], due[48];
    wb_time_format(sub.submitted_at, at, sizeof at);
    if (rcpt.due != WB_TIME_NONE) wb_time_format(rcpt.due, due, sizeof due);
    /* The receipt: the digest of the document as received, which the
     * sender can check against what it meant to send. */
    unsigned char md[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    crypto_hash_sha256(md, (const unsigned char *)(data ? data : ""), data ? len : 0);
    sodium_bin2hex(hex, sizeof hex, md, sizeof md);
    json_t *o = json_pack(
        "{s:I,s:I,s:s,s:s,s:b,s:s,s:o,s:s,s:o,s:s}", "report", (json_int_t)rcpt.report_id,
        "incident", (json_int_t)id, "stage", wb_stage_name(stage), "submitted_at", at, "correction",
        rcpt.correction, "state", wb_deadline_state_name(rcpt.state), "due",
        rcpt.due == WB_TIME_NONE ? json_null() : json_string(due), "channel",
        wb_report_channel_name(sub.channel), "sent_to", sent_to(s, who, id), "receipt", hex);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    wb_buf_reset(out);
    rc = text ? wb_buf_append(out, text, strlen(text)) : WB_ENOMEM;
    free(text);
    if (rc) return wb_error_set(err, WB_ENOMEM, "out of memory");
    return 0;
}

int wb_incsvc_handled(wb_store *s, const wb_actor *who, int64_t id, wb_time at, wb_time now,
                      wb_buf *out, wb_error *err)
{
    if (at == WB_TIME_NONE) return wb_error_set(err, WB_EINVAL, "$.at: required");
    wb_reg_incident *ri = NULL;
    int rc = wb_reg_incident_load(s, id, now, &ri, err);
    if (rc) return rc;
    wb_time aware = ri->inc.aware_at;
    wb_reg_incident_free(ri);
    if (at < aware || at > now)
        return wb_error_set(err, WB_EINVAL,
                            "$.at: must lie between the incident's aware_at and now");
    char when[48];
    wb_time_format(at, when, sizeof when);
    rc = wb_store_begin(s, err);
    if (rc == 0) rc = wb_store_incident_set_status(s, id, WB_INCIDENT_HANDLED, at, err);
    rc = audited_commit(s, who, rc, "incident.handled", id, when, err);
    if (rc == 0) rc = wb_incsvc_show(s, id, 0, now, out, err);
    return rc;
}

int wb_incsvc_act(wb_store *s, const wb_actor *who, int64_t id, wb_incident_action_kind kind,
                  wb_time at, wb_time by, const char *text, wb_time now, wb_buf *out, wb_error *err)
{
    if (at == WB_TIME_NONE) at = now;
    if (at > now) return wb_error_set(err, WB_EINVAL, "at: lies in the future");
    if (kind == WB_ACTION_ASK && by == WB_TIME_NONE)
        return wb_error_set(err, WB_EINVAL, "$.by: required");
    if (kind == WB_ACTION_ASK && by <= at)
        return wb_error_set(err, WB_EINVAL, "$.by: must lie in the future");
    if (kind == WB_ACTION_COMMENT && (text == NULL || text[0] == '\0'))
        return wb_error_set(err, WB_EINVAL, "$.text: required");
    if (kind == WB_ACTION_COMMENT && strlen(text) > WB_INCIDENT_TEXT_MAX)
        return wb_error_set(err, WB_EINVAL, "$.text: expected a string of 1-%d bytes",
                            WB_INCIDENT_TEXT_MAX);
    wb_incident_action_rec a = {.incident_id = id,
                                .kind = kind,
                                .at = at,
                                .by = kind == WB_ACTION_ASK ? by : WB_TIME_NONE,
                                .text = kind == WB_ACTION_COMMENT ? text : NULL,
                                .author = who->user};
    char action[32];
    snprintf(action, sizeof action, "incident.%s", wb_incident_action_name(kind));
    int rc = wb_store_begin(s, err);
    /* The look-up names a missing incident plainly instead of a foreign-key
     * failure. */
    if (rc == 0) {
        wb_reg_incident *ri = NULL;
        rc = wb_reg_incident_load(s, id, now, &ri, err);
        wb_reg_incident_free(ri);
    }
    if (rc == 0) rc = wb_store_incident_action_add(s, &a, NULL, err);
    rc = audited_commit(s, who, rc, action, id, NULL, err);
    if (rc == 0) rc = wb_incsvc_show(s, id, 0, now, out, err);
    return rc;
}

typedef struct id_list {
    int64_t *ids;
    size_t n, cap;
    bool full;
} id_list;

static int collect_id(void *ud, const wb_incident_rec *r)
{
    id_list *l = ud;
    /* Every id is collected and only then filtered by visibility: a cap
     * here would hide newer incidents (and their legal deadlines) from the
     * organisations that may see them. */
    if (l->n == WB_INCSVC_LIST_SCAN) return 1;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        int64_t *p = realloc(l->ids, cap * sizeof *p);
        if (p == NULL) {
            l->full = true;
            return 1;
        }
        l->ids = p;
        l->cap = cap;
    }
    l->ids[l->n++] = r->id;
    return 0;
}

/* One `incident due` row with the incident's organisation and whose duty
 * the deadline is. */
static int due_row(const wb_reg_incident *ri, const wb_deadline *d, wb_buf *b)
{
    wb_buf row = {0};
    int rc = wb_reg_due_json(ri->inc.id, d, &row);
    json_t *o = rc == 0 ? json_loadb(row.data, row.len, 0, NULL) : NULL;
    wb_buf_free(&row);
    if (o == NULL) return WB_ENOMEM;
    json_object_set_new(o, "org", ri->inc.org_name ? json_string(ri->inc.org_name) : json_null());
    json_object_set_new(o, "duty",
                        json_string(d->stage == WB_STAGE_CSIRT_ANSWER ? "csirt" : "own"));
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    rc = text ? wb_buf_puts(b, text) : WB_ENOMEM;
    free(text);
    return rc;
}

int wb_incsvc_list(wb_store *s, const wb_actor *who, bool due, wb_time now,
                   wb_incsvc_visible_fn visible, void *ud, wb_buf *out, wb_error *err)
{
    id_list l = {0};
    int rc = wb_store_incident_list(s, collect_id, &l, err);
    if (rc == 0 && l.full) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_buf_reset(out);
    if (rc == 0) rc = wb_buf_printf(out, "{\"response\":[");
    size_t shown = 0, rows = 0;
    wb_buf b = {0};
    for (size_t k = 0; rc == 0 && k < l.n && shown < WB_INCSVC_LIST_MAX; k++) {
        bool ok = true;
        if (visible) rc = visible(ud, l.ids[k], &ok, err);
        if (rc || !ok) continue;
        shown++;
        wb_reg_incident *ri = NULL;
        rc = wb_reg_incident_load(s, l.ids[k], now, &ri, err);
        for (size_t i = 0; rc == 0 && i < (due ? ri->ndeadlines : 1); i++) {
            wb_buf_reset(&b);
            rc = due ? due_row(ri, &ri->deadlines[i], &b) : wb_reg_incident_json(ri, 0, &b);
            if (rc == 0) rc = wb_buf_printf(out, "%s%s", rows++ ? "," : "", b.data);
        }
        wb_reg_incident_free(ri);
    }
    /* a CSIRT's key sees the CSIRT's duties by default, everyone else its own */
    org_name n = {{0}, WB_ORG_OTHER};
    wb_error ignore = {0};
    if (due && who->channel != WB_ACTOR_CLI && who->org_id > 0)
        wb_store_org_get(s, who->org_id, org_name_cb, &n, &ignore);
    if (rc == 0 && due)
        rc = wb_buf_printf(out, "],\"duties\":\"%s\"}", n.kind == WB_ORG_CSIRT ? "csirt" : "own");
    else if (rc == 0)
        rc = wb_buf_printf(out, "]}");
    if (rc == WB_ENOMEM && err && err->msg[0] == '\0')
        wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_buf_free(&b);
    free(l.ids);
    return rc;
}
