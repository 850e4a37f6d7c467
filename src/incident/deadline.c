/*
 * deadline.c - the clocks of the reporting duty: given what is known about
 * an incident (when the organisation became aware, what it submitted and
 * when, what the CSIRT asked) and the time now, every deadline with its due
 * time and state.
 *
 * The deadlines are rows of `rules[]`, each citing its article; the code
 * below only knows how to count from a base and how the final report moves
 * when an incident is still ongoing (NIS2 Art. 23(4)(e)). Only the first
 * submission of a stage decides met or late: a correction is a new report of
 * the same stage and must not turn a late report into a timely one (or the
 * reverse).
 */
#include <string.h>

#include "incident/incident_internal.h"

#define HOUR INT64_C(3600000000)
#define ENTITY(e) (1u << (e))

static const wb_deadline_rule rules[] = {
    {WB_STAGE_EARLY_WARNING, 0, WB_FROM_AWARE, 24, 0, "aware_at + 24 h", "NIS2 Art. 23(4)(a)"},
    {WB_STAGE_NOTIFICATION, ENTITY(WB_ENTITY_TRUST_SERVICE), WB_FROM_AWARE, 24, 0,
     "aware_at + 24 h (trust service provider)", "NIS2 Art. 23(4)(b), second subparagraph"},
    {WB_STAGE_NOTIFICATION, 0, WB_FROM_AWARE, 72, 0, "aware_at + 72 h", "NIS2 Art. 23(4)(b)"},
    {WB_STAGE_INTERMEDIATE, 0, WB_FROM_ASK, 0, 0, "the date the CSIRT set when asking",
     "NIS2 Art. 23(4)(c)"},
    {WB_STAGE_FINAL, 0, WB_FROM_NOTIFICATION, 0, 1,
     "the submitted notification + 1 calendar month (Europe/Amsterdam); the notification's "
     "deadline + 1 month when none was submitted",
     "NIS2 Art. 23(4)(d)"},
    {WB_STAGE_PROGRESS, 0, WB_FROM_FIRST_FINAL, 0, 0,
     "the final report's first date, when the incident is not handled by then",
     "NIS2 Art. 23(4)(e)"},
    {WB_STAGE_FINAL, 0, WB_FROM_HANDLED, 0, 1,
     "handled_at + 1 calendar month, when the incident was ongoing at the first final date",
     "NIS2 Art. 23(4)(e)"},
    {WB_STAGE_CSIRT_ANSWER, 0, WB_FROM_EARLY_WARNING, 24, 0, "the early warning's receipt + 24 h",
     "NIS2 Art. 23(5)"},
    {WB_STAGE_GDPR_BREACH, 0, WB_FROM_AWARE, 72, 0,
     "aware_at + 72 h, when personal data is involved", "GDPR (EU) 2016/679 Art. 33(1)"},
};

const wb_deadline_rule *wb_deadline_rules(size_t *count)
{
    *count = sizeof rules / sizeof rules[0];
    return rules;
}

static const wb_deadline_rule *rule_for(wb_stage stage, wb_deadline_base base, wb_entity_type e)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (rules[i].stage == stage && rules[i].base == base &&
            (rules[i].entities == 0 || (rules[i].entities & ENTITY(e))))
            return &rules[i];
    return NULL;
}

static wb_time apply(const wb_deadline_rule *r, wb_time base)
{
    if (base == WB_TIME_NONE) return WB_TIME_NONE;
    wb_time t = base + r->hours * HOUR;
    return r->months ? wb_ams_add_months(t, r->months) : t;
}

/* The earliest submission of a stage at or after `from` (WB_TIME_NONE: any). */
static wb_time first_submission(const wb_incident_clock *c, wb_stage stage, wb_time from)
{
    wb_time best = WB_TIME_NONE;
    for (size_t i = 0; i < c->nsubmissions; i++) {
        const wb_incident_submission *s = &c->submissions[i];
        if (s->stage != stage || s->at == WB_TIME_NONE) continue;
        if (from != WB_TIME_NONE && s->at < from) continue;
        if (best == WB_TIME_NONE || s->at < best) best = s->at;
    }
    return best;
}

static wb_deadline_state state_of(wb_time due, wb_time submitted, wb_time now)
{
    if (submitted != WB_TIME_NONE)
        return due == WB_TIME_NONE || submitted <= due ? WB_DEADLINE_MET : WB_DEADLINE_LATE;
    return due != WB_TIME_NONE && now > due ? WB_DEADLINE_OVERDUE : WB_DEADLINE_OPEN;
}

typedef struct out_rows {
    wb_deadline *v;
    size_t cap, n;
} out_rows;

static int emit(out_rows *o, const wb_deadline_rule *r, wb_time due, wb_time submitted, wb_time now,
                size_t ask, wb_error *err)
{
    if (o->n >= o->cap)
        return wb_error_set(err, WB_ELIMIT, "incident: more than %zu deadlines", o->cap);
    wb_deadline *d = &o->v[o->n++];
    d->stage = r->stage;
    d->due = due;
    d->submitted = submitted;
    d->state = state_of(due, submitted, now);
    d->ask = ask;
    d->rule = r;
    return 0;
}

int wb_incident_deadlines(const wb_incident_clock *c, wb_time now, wb_deadline *out, size_t cap,
                          size_t *n, wb_error *err)
{
    *n = 0;
    if (c->aware_at == WB_TIME_NONE)
        return wb_error_set(err, WB_EINVAL, "incident: aware_at is required");
    if ((unsigned)c->entity >= WB_ENTITY_COUNT)
        return wb_error_set(err, WB_EINVAL, "incident: unknown entity type %d", (int)c->entity);
    for (size_t i = 0; i < c->nasks; i++)
        if (c->asks[i].by == WB_TIME_NONE)
            return wb_error_set(err, WB_EINVAL,
                                "incident: request %zu for an intermediate "
                                "report has no date",
                                i + 1);
    for (size_t i = 0; i < c->nsubmissions; i++)
        if (c->submissions[i].stage == WB_STAGE_CSIRT_ANSWER ||
            (unsigned)c->submissions[i].stage >= WB_STAGE_COUNT)
            return wb_error_set(err, WB_EINVAL,
                                "incident: submission %zu: the CSIRT's answer is csirt_ack_at, "
                                "not a submission",
                                i + 1);

    out_rows o = {out, cap, 0};
    wb_entity_type e = c->entity;
    int rc = 0;

    const wb_deadline_rule *ew = rule_for(WB_STAGE_EARLY_WARNING, WB_FROM_AWARE, e);
    wb_time ew_sub = first_submission(c, WB_STAGE_EARLY_WARNING, WB_TIME_NONE);
    rc = emit(&o, ew, apply(ew, c->aware_at), ew_sub, now, 0, err);

    const wb_deadline_rule *nt = rule_for(WB_STAGE_NOTIFICATION, WB_FROM_AWARE, e);
    wb_time nt_due = apply(nt, c->aware_at);
    wb_time nt_sub = first_submission(c, WB_STAGE_NOTIFICATION, WB_TIME_NONE);
    if (rc == 0) rc = emit(&o, nt, nt_due, nt_sub, now, 0, err);

    const wb_deadline_rule *im = rule_for(WB_STAGE_INTERMEDIATE, WB_FROM_ASK, e);
    for (size_t i = 0; rc == 0 && i < c->nasks; i++)
        rc = emit(&o, im, apply(im, c->asks[i].by),
                  first_submission(c, WB_STAGE_INTERMEDIATE, c->asks[i].asked_at), now, i, err);

    /* Final report, or a progress report and a later final report. */
    const wb_deadline_rule *fin = rule_for(WB_STAGE_FINAL, WB_FROM_NOTIFICATION, e);
    wb_time final1 = apply(fin, nt_sub != WB_TIME_NONE ? nt_sub : nt_due);
    wb_time fin_sub = first_submission(c, WB_STAGE_FINAL, WB_TIME_NONE);
    bool done_in_time = fin_sub != WB_TIME_NONE && fin_sub <= final1;
    bool handled_in_time = c->handled_at != WB_TIME_NONE && c->handled_at <= final1;
    bool still_unknown = c->handled_at == WB_TIME_NONE && now <= final1;
    if (rc == 0 && (done_in_time || handled_in_time || still_unknown)) {
        rc = emit(&o, fin, final1, fin_sub, now, 0, err);
    } else if (rc == 0) {
        const wb_deadline_rule *pr = rule_for(WB_STAGE_PROGRESS, WB_FROM_FIRST_FINAL, e);
        const wb_deadline_rule *fin2 = rule_for(WB_STAGE_FINAL, WB_FROM_HANDLED, e);
        rc = emit(&o, fin2, apply(fin2, c->handled_at), fin_sub, now, 0, err);
        if (rc == 0)
            rc = emit(&o, pr, apply(pr, final1),
                      first_submission(c, WB_STAGE_PROGRESS, WB_TIME_NONE), now, 0, err);
    }

    if (rc == 0 && ew_sub != WB_TIME_NONE) {
        const wb_deadline_rule *ca = rule_for(WB_STAGE_CSIRT_ANSWER, WB_FROM_EARLY_WARNING, e);
        rc = emit(&o, ca, apply(ca, ew_sub), c->csirt_ack_at, now, 0, err);
    }
    if (rc == 0 && c->personal_data == WB_TRI_YES) {
        const wb_deadline_rule *gd = rule_for(WB_STAGE_GDPR_BREACH, WB_FROM_AWARE, e);
        rc = emit(&o, gd, apply(gd, c->aware_at),
                  first_submission(c, WB_STAGE_GDPR_BREACH, WB_TIME_NONE), now, 0, err);
    }
    *n = o.n;
    return rc;
}
