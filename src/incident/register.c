/*
 * register.c - the incident register (register.h): an incident read back
 * from the store with its reports, actions, cumulative state and deadlines,
 * and the one path by which a report enters the register.
 *
 * Both the CLI's --db commands and the hub's endpoints go through here, so a
 * report is validated against the same cumulative state and a deadline is
 * judged by the same clock whichever way it arrives. Stored reports are
 * parsed again on every load rather than trusting a cached state: the
 * documents are the record, and they are small.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "weerbaar/register.h"

typedef struct loader {
    wb_reg_incident *ri;
    size_t cap_reports, cap_actions, cap_events;
    wb_error *err;
    int rc;
} loader;

static char *dup_or_null(wb_arena *a, const char *s, int *rc)
{
    if (s == NULL) return NULL;
    char *d = wb_arena_strdup(a, s);
    if (d == NULL) *rc = WB_ENOMEM;
    return d;
}

static int inc_cb(void *ud, const wb_incident_rec *r)
{
    loader *l = ud;
    wb_arena *a = &l->ri->arena;
    l->ri->inc = *r;
    l->ri->inc.org_name = dup_or_null(a, r->org_name, &l->rc);
    l->ri->inc.org_sector = dup_or_null(a, r->org_sector, &l->rc);
    l->ri->inc.title = dup_or_null(a, r->title, &l->rc);
    l->ri->inc.entity_type = dup_or_null(a, r->entity_type, &l->rc);
    l->ri->inc.rsit = dup_or_null(a, r->rsit, &l->rc);
    return l->rc != 0;
}

static int report_cb(void *ud, const wb_incident_report_rec *r)
{
    loader *l = ud;
    wb_reg_incident *ri = l->ri;
    if (ri->nreports == WB_REGISTER_MAX_REPORTS) {
        l->rc = wb_error_set(l->err, WB_ELIMIT, "incident %lld: more than %d reports",
                             (long long)ri->inc.id, WB_REGISTER_MAX_REPORTS);
        return 1;
    }
    if (ri->nreports == l->cap_reports) {
        size_t cap = l->cap_reports ? l->cap_reports * 2 : 8;
        wb_incident_report_rec *n = wb_arena_alloc(&ri->arena, cap * sizeof *n);
        if (n == NULL) {
            l->rc = WB_ENOMEM;
            return 1;
        }
        if (ri->nreports) memcpy(n, ri->reports, ri->nreports * sizeof *n);
        ri->reports = n;
        l->cap_reports = cap;
    }
    wb_incident_report_rec *d = &ri->reports[ri->nreports++];
    *d = *r;
    d->stage = dup_or_null(&ri->arena, r->stage, &l->rc);
    d->json = dup_or_null(&ri->arena, r->json, &l->rc);
    d->author = dup_or_null(&ri->arena, r->author, &l->rc);
    return l->rc != 0;
}

static int action_cb(void *ud, const wb_incident_action_rec *a)
{
    loader *l = ud;
    wb_reg_incident *ri = l->ri;
    if (ri->nactions == WB_REGISTER_MAX_ACTIONS) {
        l->rc = wb_error_set(l->err, WB_ELIMIT, "incident %lld: more than %d CSIRT actions",
                             (long long)ri->inc.id, WB_REGISTER_MAX_ACTIONS);
        return 1;
    }
    if (ri->nactions == l->cap_actions) {
        size_t cap = l->cap_actions ? l->cap_actions * 2 : 8;
        wb_incident_action_rec *n = wb_arena_alloc(&ri->arena, cap * sizeof *n);
        if (n == NULL) {
            l->rc = WB_ENOMEM;
            return 1;
        }
        if (ri->nactions) memcpy(n, ri->actions, ri->nactions * sizeof *n);
        ri->actions = n;
        l->cap_actions = cap;
    }
    wb_incident_action_rec *d = &ri->actions[ri->nactions++];
    *d = *a;
    d->text = dup_or_null(&ri->arena, a->text, &l->rc);
    d->author = dup_or_null(&ri->arena, a->author, &l->rc);
    return l->rc != 0;
}

static int event_cb(void *ud, const wb_incident_event_rec *e)
{
    loader *l = ud;
    wb_reg_incident *ri = l->ri;
    if (ri->nevents == WB_REGISTER_MAX_EVENTS) return 1; /* the newest are enough */
    if (ri->nevents == l->cap_events) {
        size_t cap = l->cap_events ? l->cap_events * 2 : 4;
        wb_incident_event_rec *n = wb_arena_alloc(&ri->arena, cap * sizeof *n);
        if (n == NULL) {
            l->rc = WB_ENOMEM;
            return 1;
        }
        if (ri->nevents) memcpy(n, ri->events, ri->nevents * sizeof *n);
        ri->events = n;
        l->cap_events = cap;
    }
    wb_incident_event_rec *d = &ri->events[ri->nevents++];
    *d = *e;
    d->event_uuid = dup_or_null(&ri->arena, e->event_uuid, &l->rc);
    d->author = dup_or_null(&ri->arena, e->author, &l->rc);
    return l->rc ? 1 : 0;
}

/* Folds every stored report into the cumulative state. A stored document
 * that no longer parses means the database was edited behind the
 * register's back (or the rules changed): say which report, do not guess. */
static int build_state(wb_reg_incident *ri, wb_error *err)
{
    ri->state = wb_report_new();
    if (ri->state == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    for (size_t i = 0; i < ri->nreports; i++) {
        wb_stage st;
        if (wb_stage_parse(ri->reports[i].stage, &st) != 0 || !wb_stage_is_report(st)) continue;
        char name[64];
        snprintf(name, sizeof name, "incident %lld report %lld", (long long)ri->inc.id,
                 (long long)ri->reports[i].id);
        wb_report *r = NULL;
        wb_report_problems probs = {0};
        wb_error perr = {0};
        const char *j = ri->reports[i].json;
        int rc = wb_report_parse(name, j, strlen(j), &r, &probs, &perr);
        if (rc == 0) rc = wb_report_merge(ri->state, r);
        wb_report_free(r);
        if (rc == WB_ENOMEM) {
            wb_report_problems_free(&probs);
            return wb_error_set(err, WB_ENOMEM, "out of memory");
        }
        if (rc) {
            wb_error_set(err, WB_EFORMAT, "%s: the stored document does not parse: %s", name,
                         probs.count ? probs.items[0].message : perr.msg);
            wb_report_problems_free(&probs);
            return WB_EFORMAT;
        }
        wb_report_problems_free(&probs);
    }
    return 0;
}

static int judge(wb_reg_incident *ri, wb_time now, wb_error *err)
{
    wb_incident_submission subs[WB_REGISTER_MAX_REPORTS];
    wb_incident_ask asks[WB_REGISTER_MAX_ASKS];
    size_t nsubs = 0, nasks = 0;
    wb_time ack = WB_TIME_NONE;
    for (size_t i = 0; i < ri->nreports; i++) {
        wb_stage st;
        if (wb_stage_parse(ri->reports[i].stage, &st) != 0 || st == WB_STAGE_CSIRT_ANSWER) continue;
        subs[nsubs].stage = st;
        subs[nsubs++].at = ri->reports[i].submitted_at;
    }
    for (size_t i = 0; i < ri->nactions; i++) {
        const wb_incident_action_rec *a = &ri->actions[i];
        if (a->kind == WB_ACTION_ACK && (ack == WB_TIME_NONE || a->at < ack)) ack = a->at;
        if (a->kind != WB_ACTION_ASK) continue;
        if (nasks == WB_REGISTER_MAX_ASKS)
            return wb_error_set(err, WB_ELIMIT,
                                "incident %lld: more than %d requests for an "
                                "intermediate report",
                                (long long)ri->inc.id, WB_REGISTER_MAX_ASKS);
        asks[nasks].asked_at = a->at;
        asks[nasks++].by = a->by;
    }
    wb_entity_type entity = WB_ENTITY_OTHER;
    if (ri->inc.entity_type) (void)wb_entity_type_parse(ri->inc.entity_type, &entity);
    wb_tri personal = WB_TRI_UNSET;
    if (ri->state->present & (1u << WB_RF_PERSONAL_DATA))
        personal = (wb_tri)ri->state->num[WB_RF_PERSONAL_DATA];
    wb_incident_clock clock = {
        .aware_at = ri->inc.aware_at,
        .entity = entity,
        .handled_at = ri->inc.handled_at,
        .personal_data = personal,
        .submissions = subs,
        .nsubmissions = nsubs,
        .asks = asks,
        .nasks = nasks,
        .csirt_ack_at = ack,
    };
    ri->now = now;
    return wb_incident_deadlines(&clock, now, ri->deadlines, WB_REGISTER_MAX_DEADLINES,
                                 &ri->ndeadlines, err);
}

int wb_reg_incident_load(wb_store *s, int64_t id, wb_time now, wb_reg_incident **out, wb_error *err)
{
    *out = NULL;
    wb_reg_incident *ri = calloc(1, sizeof *ri);
    if (ri == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_arena_init(&ri->arena, 0);
    loader l = {.ri = ri, .err = err};
    int rc = wb_store_incident_get(s, id, inc_cb, &l, err);
    if (rc == 0) rc = l.rc;
    if (rc == 0) rc = wb_store_incident_report_list(s, id, report_cb, &l, err);
    if (rc == 0) rc = l.rc;
    if (rc == 0) rc = wb_store_incident_action_list(s, id, action_cb, &l, err);
    if (rc == 0) rc = l.rc;
    if (rc == 0) rc = wb_store_incident_event_list(s, id, event_cb, &l, err);
    if (rc == 0) rc = l.rc;
    if (rc == WB_ENOMEM && err->msg[0] == '\0') wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0) rc = build_state(ri, err);
    if (rc == 0) rc = judge(ri, now, err);
    if (rc) {
        wb_reg_incident_free(ri);
        return rc;
    }
    *out = ri;
    return 0;
}

void wb_reg_incident_free(wb_reg_incident *ri)
{
    if (ri == NULL) return;
    wb_report_free(ri->state);
    wb_arena_free(&ri->arena);
    free(ri);
}

/* The first submission time of a stage, WB_TIME_NONE when none. */
static wb_time first_of(const wb_reg_incident *ri, wb_stage st)
{
    wb_time first = WB_TIME_NONE;
    for (size_t i = 0; i < ri->nreports; i++)
        if (strcmp(ri->reports[i].stage, wb_stage_name(st)) == 0 &&
            (first == WB_TIME_NONE || ri->reports[i].submitted_at < first))
            first = ri->reports[i].submitted_at;
    return first;
}

static bool was_asked(const wb_reg_incident *ri)
{
    for (size_t i = 0; i < ri->nactions; i++)
        if (ri->actions[i].kind == WB_ACTION_ASK) return true;
    return false;
}

/* The deadline row a submission of `stage` answers: for an intermediate
 * report the latest request asked at or before it. */
static const wb_deadline *row_for(const wb_reg_incident *ri, wb_stage stage, wb_time at)
{
    const wb_deadline *best = NULL;
    for (size_t i = 0; i < ri->ndeadlines; i++) {
        const wb_deadline *d = &ri->deadlines[i];
        if (d->stage != stage) continue;
        if (stage != WB_STAGE_INTERMEDIATE) return d;
        size_t k = 0, asks = 0;
        for (; k < ri->nactions; k++)
            if (ri->actions[k].kind == WB_ACTION_ASK && asks++ == d->ask) break;
        if (k < ri->nactions && ri->actions[k].at <= at) best = d;
    }
    return best;
}

int wb_reg_submit(wb_store *s, const wb_reg_submission *sub, const char *name, const char *data,
                  size_t len, wb_reg_receipt *rcpt, wb_report_problems *problems, wb_error *err)
{
    memset(rcpt, 0, sizeof *rcpt);
    if (sub->stage == WB_STAGE_CSIRT_ANSWER || (unsigned)sub->stage >= WB_STAGE_COUNT)
        return wb_error_set(err, WB_EINVAL,
                            "%s: the CSIRT's answer is an acknowledgement, not "
                            "a report",
                            name);
    int rc = wb_store_begin(s, err);
    if (rc) return rc;
    wb_reg_incident *ri = NULL;
    wb_report *latest = NULL;
    rc = wb_reg_incident_load(s, sub->incident_id, sub->submitted_at, &ri, err);
    bool report = wb_stage_is_report(sub->stage);
    if (rc == 0 && ri->inc.status == WB_INCIDENT_CLOSED)
        rc = wb_error_set(err, WB_EINVAL, "incident %lld is closed", (long long)ri->inc.id);
    if (rc == 0 && sub->submitted_at < ri->inc.aware_at)
        rc = wb_error_set(err, WB_EINVAL,
                          "%s: submitted before the incident's aware_at: the clock had not "
                          "started",
                          name);
    if (rc == 0 && sub->stage == WB_STAGE_INTERMEDIATE && !was_asked(ri))
        rc = wb_error_set(err, WB_EINVAL,
                          "incident %lld: an intermediate report is made when the CSIRT asks "
                          "for one, and it has not (NIS2 Art. 23(4)(c))",
                          (long long)ri->inc.id);
    /* The first submission of a stage decides met or late; a correction
     * recorded with an earlier time would silently take that over. */
    wb_time first = rc == 0 ? first_of(ri, sub->stage) : WB_TIME_NONE;
    if (rc == 0 && first != WB_TIME_NONE && sub->submitted_at < first) {
        char when[48];
        wb_time_format(first, when, sizeof when);
        rc = wb_error_set(err, WB_EINVAL,
                          "%s: a correction cannot be dated before the first %s report (%s)", name,
                          wb_stage_name(sub->stage), when);
    }
    char *doc = NULL;
    if (rc == 0 && report) {
        /* Stored as submitted (it is the record); wb_report_parse refuses
         * anything that is not JSON text, so it holds no NUL. */
        doc = wb_arena_strndup(&ri->arena, data, len);
        if (doc == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    if (rc == 0 && report) {
        rc = wb_report_parse(name, data, len, &latest, problems, err);
        /* Bad indicator values and missing fields are listed together. */
        int vrc = rc == 0 ? wb_report_check_values(latest, problems) : 0;
        if (vrc == WB_ENOMEM) rc = vrc;
        if (rc == 0) rc = wb_report_merge(ri->state, latest);
        if (rc == 0) rc = wb_report_check_stage(ri->state, latest, sub->stage, problems);
        if (rc == 0 && vrc) rc = wb_error_set(err, WB_EINVAL, "%s: invalid indicators", name);
        if (rc == WB_ENOMEM) wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    if (rc == 0) {
        rcpt->correction = first != WB_TIME_NONE;
        wb_incident_report_rec r = {
            .incident_id = sub->incident_id,
            .stage = wb_stage_name(sub->stage),
            .json = report ? doc : "{}",
            .submitted_at = sub->submitted_at,
            .channel = sub->channel,
            .author = sub->author,
        };
        rc = wb_store_incident_report_add(s, &r, &rcpt->report_id, err);
    }
    if (rc == 0) rc = wb_store_commit(s, err);
    if (rc) wb_store_rollback(s);
    wb_report_free(latest);
    wb_reg_incident_free(ri);
    if (rc) return rc;
    /* Judge again with the report in place, at the time it was submitted. */
    rc = wb_reg_incident_load(s, sub->incident_id, sub->submitted_at, &ri, err);
    if (rc) return rc;
    const wb_deadline *d = row_for(ri, sub->stage, sub->submitted_at);
    rcpt->state = d ? d->state : WB_DEADLINE_MET;
    rcpt->due = d ? d->due : WB_TIME_NONE;
    wb_reg_incident_free(ri);
    return 0;
}

/* ---- JSON ------------------------------------------------------------------- */

static json_t *jtime(wb_time t)
{
    char buf[48];
    if (t == WB_TIME_NONE) return json_null();
    wb_time_format(t, buf, sizeof buf);
    return json_string(buf);
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *due_obj(int64_t incident_id, const wb_deadline *d)
{
    return json_pack("{s:I, s:s, s:o, s:s, s:o}", "incident", (json_int_t)incident_id, "stage",
                     wb_stage_name(d->stage), "due", jtime(d->due), "state",
                     wb_deadline_state_name(d->state), "submitted", jtime(d->submitted));
}

static int dump(json_t *v, wb_buf *out)
{
    char *text = v ? json_dumps(v, JSON_PRESERVE_ORDER | JSON_INDENT(2)) : NULL;
    json_decref(v);
    int rc = text ? wb_buf_puts(out, text) : WB_ENOMEM;
    free(text);
    return rc;
}

int wb_reg_due_json(int64_t incident_id, const wb_deadline *d, wb_buf *out)
{
    json_t *o = due_obj(incident_id, d);
    char *text = o ? json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
    json_decref(o);
    int rc = text ? wb_buf_puts(out, text) : WB_ENOMEM;
    free(text);
    return rc;
}

int wb_reg_incident_json(const wb_reg_incident *ri, unsigned parts, wb_buf *out)
{
    const wb_incident_rec *i = &ri->inc;
    json_t *o = json_pack("{s:I, s:s, s:I, s:o, s:s, s:o, s:o, s:s, s:s, s:o, s:s, s:o, s:o}", "id",
                          (json_int_t)i->id, "title", i->title, "org_id", (json_int_t)i->org_id,
                          "org", jstr(i->org_name), "status", wb_incident_status_name(i->status),
                          "aware_at", jtime(i->aware_at), "detected_at", jtime(i->detected_at),
                          "entity_type", i->entity_type, "tlp", wb_tlp_name(i->tlp), "rsit",
                          jstr(i->rsit), "sector", i->org_sector ? i->org_sector : "", "handled_at",
                          jtime(i->handled_at), "created", jtime(i->created));
    if (o == NULL) return WB_ENOMEM;
    if (i->org_sector == NULL) json_object_set_new(o, "sector", json_null());
    json_t *reps = json_array(), *acts = json_array(), *evs = json_array(), *dls = json_array();
    json_object_set_new(o, "reports", reps);
    json_object_set_new(o, "actions", acts);
    json_object_set_new(o, "events", evs);
    json_object_set_new(o, "deadlines", dls);
    bool ok = reps && acts && evs && dls;
    for (size_t k = 0; ok && k < ri->nevents; k++) {
        const wb_incident_event_rec *e = &ri->events[k];
        json_t *eo = json_pack("{s:s, s:b, s:o, s:s}", "uuid", e->event_uuid, "anonymous",
                               e->anonymous, "at", jtime(e->at), "author", e->author);
        ok = eo && json_array_append_new(evs, eo) == 0;
    }
    for (size_t k = 0; ok && k < ri->nreports; k++) {
        const wb_incident_report_rec *r = &ri->reports[k];
        json_t *ro = json_pack("{s:I, s:s, s:o, s:s, s:s, s:o}", "id", (json_int_t)r->id, "stage",
                               r->stage, "submitted_at", jtime(r->submitted_at), "channel",
                               wb_report_channel_name(r->channel), "author", r->author,
                               "received_at", jtime(r->created));
        if (ro && (parts & WB_REG_JSON_REPORTS))
            json_object_set_new(ro, "report", json_loads(r->json, 0, NULL));
        ok = ro && json_array_append_new(reps, ro) == 0;
    }
    for (size_t k = 0; ok && k < ri->nactions; k++) {
        const wb_incident_action_rec *a = &ri->actions[k];
        json_t *ao =
            json_pack("{s:I, s:s, s:o, s:s}", "id", (json_int_t)a->id, "kind",
                      wb_incident_action_name(a->kind), "at", jtime(a->at), "author", a->author);
        if (ao && a->kind == WB_ACTION_ASK) json_object_set_new(ao, "by", jtime(a->by));
        if (ao && a->kind == WB_ACTION_COMMENT) json_object_set_new(ao, "text", jstr(a->text));
        ok = ao && json_array_append_new(acts, ao) == 0;
    }
    for (size_t k = 0; ok && k < ri->ndeadlines; k++) {
        const wb_deadline *d = &ri->deadlines[k];
        json_t *d_o =
            json_pack("{s:s, s:o, s:s, s:o, s:s, s:s}", "stage", wb_stage_name(d->stage), "due",
                      jtime(d->due), "state", wb_deadline_state_name(d->state), "submitted",
                      jtime(d->submitted), "rule", d->rule->rule, "article", d->rule->article);
        ok = d_o && json_array_append_new(dls, d_o) == 0;
    }
    if (ok && (parts & WB_REG_JSON_STATE)) {
        wb_buf b = {0};
        ok = wb_report_to_json(ri->state, &b) == 0;
        if (ok) json_object_set_new(o, "state", json_loads(b.data, 0, NULL));
        wb_buf_free(&b);
    }
    if (ok) json_object_set_new(o, "judged_at", jtime(ri->now));
    if (!ok) {
        json_decref(o);
        return WB_ENOMEM;
    }
    return dump(o, out);
}
