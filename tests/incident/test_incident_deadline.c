/*
 * test_incident_deadline.c - the deadlines of the reporting duty: each rule
 * of the table, the first-submission rule, every state at and around its
 * boundary, the final report of an incident still ongoing, intermediate
 * reports on request, the CSIRT's answer and the GDPR deadline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "weerbaar/incident.h"

static wb_time T(const char *s)
{
    wb_time t = 0;
    assert_int_equal(wb_time_parse(s, strlen(s), &t), 0);
    return t;
}

typedef struct run {
    wb_deadline rows[16];
    size_t n;
} run;

static void compute(const wb_incident_clock *c, const char *now, run *r)
{
    wb_error err = {0};
    assert_int_equal(wb_incident_deadlines(c, T(now), r->rows, 16, &r->n, &err), 0);
}

/* The row of a stage (the k-th of that stage), or fail. */
static const wb_deadline *row(const run *r, wb_stage s, size_t k)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->rows[i].stage == s && k-- == 0) return &r->rows[i];
    fail_msg("no %s deadline", wb_stage_name(s));
    return NULL;
}

static bool has(const run *r, wb_stage s)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->rows[i].stage == s) return true;
    return false;
}

static void expect(const run *r, wb_stage s, const char *due, wb_deadline_state st)
{
    const wb_deadline *d = row(r, s, 0);
    if (due)
        assert_true(d->due == T(due));
    else
        assert_true(d->due == WB_TIME_NONE);
    if (d->state != st)
        fail_msg("%s: state %s, want %s", wb_stage_name(s), wb_deadline_state_name(d->state),
                 wb_deadline_state_name(st));
}

static void test_fresh_incident(void **state)
{
    (void)state;
    wb_incident_clock c = {.aware_at = T("2026-05-01T10:00:00+02:00"),
                           .handled_at = WB_TIME_NONE,
                           .csirt_ack_at = WB_TIME_NONE};
    run r;
    compute(&c, "2026-05-01T12:00:00Z", &r);
    assert_int_equal(r.n, 3);
    expect(&r, WB_STAGE_EARLY_WARNING, "2026-05-02T08:00:00Z", WB_DEADLINE_OPEN);
    expect(&r, WB_STAGE_NOTIFICATION, "2026-05-04T08:00:00Z", WB_DEADLINE_OPEN);
    /* No notification yet: its deadline + one month, same Amsterdam time. */
    expect(&r, WB_STAGE_FINAL, "2026-06-04T08:00:00Z", WB_DEADLINE_OPEN);
    assert_string_equal(row(&r, WB_STAGE_EARLY_WARNING, 0)->rule->article, "NIS2 Art. 23(4)(a)");
    assert_false(has(&r, WB_STAGE_CSIRT_ANSWER));
    assert_false(has(&r, WB_STAGE_GDPR_BREACH));
    assert_false(has(&r, WB_STAGE_PROGRESS));
}

static void test_trust_service_notification(void **state)
{
    (void)state;
    wb_incident_clock c = {.aware_at = T("2026-05-01T10:00:00+02:00"),
                           .entity = WB_ENTITY_TRUST_SERVICE,
                           .handled_at = WB_TIME_NONE,
                           .csirt_ack_at = WB_TIME_NONE};
    run r;
    compute(&c, "2026-05-01T12:00:00Z", &r);
    expect(&r, WB_STAGE_NOTIFICATION, "2026-05-02T08:00:00Z", WB_DEADLINE_OPEN);
    assert_non_null(
        strstr(row(&r, WB_STAGE_NOTIFICATION, 0)->rule->article, "second subparagraph"));
    /* Every other entity keeps 72 h. */
    for (int e = 0; e < WB_ENTITY_COUNT; e++) {
        if (e == WB_ENTITY_TRUST_SERVICE) continue;
        c.entity = (wb_entity_type)e;
        compute(&c, "2026-05-01T12:00:00Z", &r);
        expect(&r, WB_STAGE_NOTIFICATION, "2026-05-04T08:00:00Z", WB_DEADLINE_OPEN);
    }
}

static void test_states_at_boundaries(void **state)
{
    (void)state;
    wb_incident_submission s = {WB_STAGE_EARLY_WARNING, 0};
    wb_incident_clock c = {.aware_at = T("2026-05-01T08:00:00Z"),
                           .handled_at = WB_TIME_NONE,
                           .submissions = &s,
                           .nsubmissions = 1,
                           .csirt_ack_at = WB_TIME_NONE};
    wb_time due = T("2026-05-02T08:00:00Z");
    run r;
    s.at = due; /* exactly at the deadline: met */
    compute(&c, "2026-05-03T00:00:00Z", &r);
    assert_int_equal(row(&r, WB_STAGE_EARLY_WARNING, 0)->state, WB_DEADLINE_MET);
    assert_true(row(&r, WB_STAGE_EARLY_WARNING, 0)->submitted == due);
    s.at = due + 1; /* a microsecond later: late */
    compute(&c, "2026-05-03T00:00:00Z", &r);
    assert_int_equal(row(&r, WB_STAGE_EARLY_WARNING, 0)->state, WB_DEADLINE_LATE);
    c.nsubmissions = 0;
    compute(&c, "2026-05-02T08:00:00Z", &r); /* now == due: still open */
    assert_int_equal(row(&r, WB_STAGE_EARLY_WARNING, 0)->state, WB_DEADLINE_OPEN);
    compute(&c, "2026-05-02T08:00:00.000001Z", &r);
    assert_int_equal(row(&r, WB_STAGE_EARLY_WARNING, 0)->state, WB_DEADLINE_OVERDUE);
    assert_true(row(&r, WB_STAGE_EARLY_WARNING, 0)->submitted == WB_TIME_NONE);
}

static void test_first_submission_decides(void **state)
{
    (void)state;
    /* A late notification corrected later stays late; an on-time one
     * corrected after the deadline stays met. Order of input is free. */
    wb_incident_submission late[] = {{WB_STAGE_NOTIFICATION, T("2026-05-06T09:00:00Z")},
                                     {WB_STAGE_NOTIFICATION, T("2026-05-04T09:00:00Z")}};
    wb_incident_clock c = {.aware_at = T("2026-05-01T08:00:00Z"),
                           .handled_at = WB_TIME_NONE,
                           .submissions = late,
                           .nsubmissions = 2,
                           .csirt_ack_at = WB_TIME_NONE};
    run r;
    compute(&c, "2026-05-10T00:00:00Z", &r);
    assert_int_equal(row(&r, WB_STAGE_NOTIFICATION, 0)->state, WB_DEADLINE_LATE);
    assert_true(row(&r, WB_STAGE_NOTIFICATION, 0)->submitted == T("2026-05-04T09:00:00Z"));
    wb_incident_submission ontime[] = {{WB_STAGE_NOTIFICATION, T("2026-05-09T09:00:00Z")},
                                       {WB_STAGE_NOTIFICATION, T("2026-05-03T09:00:00Z")}};
    c.submissions = ontime;
    compute(&c, "2026-05-10T00:00:00Z", &r);
    assert_int_equal(row(&r, WB_STAGE_NOTIFICATION, 0)->state, WB_DEADLINE_MET);
    /* The final date counts from the first notification, not the correction. */
    expect(&r, WB_STAGE_FINAL, "2026-06-03T09:00:00Z", WB_DEADLINE_OPEN);
}

static void test_final_from_notification(void **state)
{
    (void)state;
    /* Notified 31 January 16:00 Amsterdam: final due 28 February 16:00. */
    wb_incident_submission n = {WB_STAGE_NOTIFICATION, T("2026-01-31T16:00:00+01:00")};
    wb_incident_clock c = {.aware_at = T("2026-01-30T09:00:00+01:00"),
                           .handled_at = WB_TIME_NONE,
                           .submissions = &n,
                           .nsubmissions = 1,
                           .csirt_ack_at = WB_TIME_NONE};
    run r;
    compute(&c, "2026-02-10T00:00:00Z", &r);
    expect(&r, WB_STAGE_FINAL, "2026-02-28T16:00:00+01:00", WB_DEADLINE_OPEN);
    /* Leap year. */
    n.at = T("2028-01-31T16:00:00+01:00");
    c.aware_at = T("2028-01-30T09:00:00+01:00");
    compute(&c, "2028-02-10T00:00:00Z", &r);
    expect(&r, WB_STAGE_FINAL, "2028-02-29T16:00:00+01:00", WB_DEADLINE_OPEN);
    /* Across the March change: same local time, one hour less in UTC. */
    n.at = T("2026-03-20T10:00:00+01:00");
    c.aware_at = T("2026-03-19T10:00:00+01:00");
    compute(&c, "2026-03-21T00:00:00Z", &r);
    expect(&r, WB_STAGE_FINAL, "2026-04-20T10:00:00+02:00", WB_DEADLINE_OPEN);
    /* No notification: from the notification deadline (72 h). */
    c.nsubmissions = 0;
    c.aware_at = T("2026-01-28T16:00:00+01:00");
    compute(&c, "2026-02-01T00:00:00Z", &r);
    expect(&r, WB_STAGE_NOTIFICATION, "2026-01-31T16:00:00+01:00", WB_DEADLINE_OVERDUE);
    expect(&r, WB_STAGE_FINAL, "2026-02-28T16:00:00+01:00", WB_DEADLINE_OPEN);
}

static void test_handled_and_progress(void **state)
{
    (void)state;
    wb_incident_submission subs[] = {{WB_STAGE_NOTIFICATION, T("2026-05-03T10:00:00+02:00")},
                                     {WB_STAGE_PROGRESS, T("2026-06-02T10:00:00+02:00")},
                                     {WB_STAGE_FINAL, T("2026-07-01T10:00:00+02:00")}};
    wb_incident_clock c = {.aware_at = T("2026-05-01T10:00:00+02:00"),
                           .handled_at = T("2026-05-20T10:00:00+02:00"),
                           .submissions = subs,
                           .nsubmissions = 1,
                           .csirt_ack_at = WB_TIME_NONE};
    run r;
    /* Handled before the final date: only the final report. */
    compute(&c, "2026-05-25T00:00:00Z", &r);
    expect(&r, WB_STAGE_FINAL, "2026-06-03T10:00:00+02:00", WB_DEADLINE_OPEN);
    assert_false(has(&r, WB_STAGE_PROGRESS));
    /* Handled exactly at the final date counts as handled by then. */
    c.handled_at = T("2026-06-03T10:00:00+02:00");
    compute(&c, "2026-06-04T00:00:00Z", &r);
    assert_false(has(&r, WB_STAGE_PROGRESS));
    expect(&r, WB_STAGE_FINAL, "2026-06-03T10:00:00+02:00", WB_DEADLINE_OVERDUE);
    /* Handled after it: a progress report at the first final date and the
     * final report one month after handled_at. */
    c.handled_at = T("2026-06-15T12:00:00+02:00");
    compute(&c, "2026-06-20T00:00:00Z", &r);
    expect(&r, WB_STAGE_PROGRESS, "2026-06-03T10:00:00+02:00", WB_DEADLINE_OVERDUE);
    expect(&r, WB_STAGE_FINAL, "2026-07-15T12:00:00+02:00", WB_DEADLINE_OPEN);
    assert_string_equal(row(&r, WB_STAGE_FINAL, 0)->rule->article, "NIS2 Art. 23(4)(e)");
    c.nsubmissions = 3;
    compute(&c, "2026-07-20T00:00:00Z", &r);
    expect(&r, WB_STAGE_PROGRESS, "2026-06-03T10:00:00+02:00", WB_DEADLINE_MET);
    expect(&r, WB_STAGE_FINAL, "2026-07-15T12:00:00+02:00", WB_DEADLINE_MET);
    /* Not handled and past the first final date: progress due, the final
     * date not fixed yet. */
    c.handled_at = WB_TIME_NONE;
    c.nsubmissions = 1;
    compute(&c, "2026-06-03T08:00:00.000001Z", &r);
    expect(&r, WB_STAGE_PROGRESS, "2026-06-03T10:00:00+02:00", WB_DEADLINE_OVERDUE);
    expect(&r, WB_STAGE_FINAL, NULL, WB_DEADLINE_OPEN);
    /* Until then it is the ordinary final deadline. */
    compute(&c, "2026-06-03T08:00:00Z", &r);
    expect(&r, WB_STAGE_FINAL, "2026-06-03T10:00:00+02:00", WB_DEADLINE_OPEN);
    assert_false(has(&r, WB_STAGE_PROGRESS));
    /* A final report in time settles it, whatever handled_at says. */
    subs[1] = (wb_incident_submission){WB_STAGE_FINAL, T("2026-06-01T10:00:00+02:00")};
    c.nsubmissions = 2;
    c.handled_at = T("2026-06-20T10:00:00+02:00");
    compute(&c, "2026-06-25T00:00:00Z", &r);
    expect(&r, WB_STAGE_FINAL, "2026-06-03T10:00:00+02:00", WB_DEADLINE_MET);
    assert_false(has(&r, WB_STAGE_PROGRESS));
}

static void test_intermediate_on_request(void **state)
{
    (void)state;
    wb_incident_ask asks[] = {{T("2026-05-05T09:00:00Z"), T("2026-05-08T17:00:00+02:00")},
                              {T("2026-05-10T09:00:00Z"), T("2026-05-12T17:00:00+02:00")}};
    wb_incident_submission subs[] = {{WB_STAGE_INTERMEDIATE, T("2026-05-04T09:00:00Z")},
                                     {WB_STAGE_INTERMEDIATE, T("2026-05-08T12:00:00Z")}};
    wb_incident_clock c = {.aware_at = T("2026-05-01T08:00:00Z"),
                           .handled_at = WB_TIME_NONE,
                           .submissions = subs,
                           .nsubmissions = 2,
                           .asks = asks,
                           .nasks = 2,
                           .csirt_ack_at = WB_TIME_NONE};
    run r;
    compute(&c, "2026-05-13T00:00:00Z", &r);
    /* The report of 4 May came before the first request and answers none. */
    const wb_deadline *a = row(&r, WB_STAGE_INTERMEDIATE, 0),
                      *b = row(&r, WB_STAGE_INTERMEDIATE, 1);
    assert_true(a->due == T("2026-05-08T15:00:00Z"));
    assert_true(a->submitted == T("2026-05-08T12:00:00Z"));
    assert_int_equal(a->state, WB_DEADLINE_MET);
    assert_int_equal(a->ask, 0);
    assert_int_equal(b->state, WB_DEADLINE_OVERDUE);
    assert_int_equal(b->ask, 1);
    /* Without a date the request is refused. */
    asks[1].by = WB_TIME_NONE;
    wb_error err = {0};
    size_t n;
    assert_int_equal(wb_incident_deadlines(&c, 0, r.rows, 16, &n, &err), WB_EINVAL);
    assert_non_null(strstr(err.msg, "request 2"));
}

static void test_csirt_answer_and_gdpr(void **state)
{
    (void)state;
    wb_incident_submission ew = {WB_STAGE_EARLY_WARNING, T("2026-05-01T20:00:00+02:00")};
    wb_incident_clock c = {.aware_at = T("2026-05-01T10:00:00+02:00"),
                           .handled_at = WB_TIME_NONE,
                           .personal_data = WB_TRI_YES,
                           .submissions = &ew,
                           .nsubmissions = 1,
                           .csirt_ack_at = T("2026-05-02T20:00:00+02:00")};
    run r;
    compute(&c, "2026-05-03T00:00:00Z", &r);
    expect(&r, WB_STAGE_CSIRT_ANSWER, "2026-05-02T20:00:00+02:00", WB_DEADLINE_MET);
    expect(&r, WB_STAGE_GDPR_BREACH, "2026-05-04T10:00:00+02:00", WB_DEADLINE_OPEN);
    assert_string_equal(row(&r, WB_STAGE_GDPR_BREACH, 0)->rule->article,
                        "GDPR (EU) 2016/679 Art. 33(1)");
    c.csirt_ack_at += 1;
    compute(&c, "2026-05-03T00:00:00Z", &r);
    expect(&r, WB_STAGE_CSIRT_ANSWER, "2026-05-02T20:00:00+02:00", WB_DEADLINE_LATE);
    c.csirt_ack_at = WB_TIME_NONE;
    compute(&c, "2026-05-05T00:00:00Z", &r);
    expect(&r, WB_STAGE_CSIRT_ANSWER, "2026-05-02T20:00:00+02:00", WB_DEADLINE_OVERDUE);
    expect(&r, WB_STAGE_GDPR_BREACH, "2026-05-04T10:00:00+02:00", WB_DEADLINE_OVERDUE);
    wb_incident_submission two[] = {ew, {WB_STAGE_GDPR_BREACH, T("2026-05-03T10:00:00+02:00")}};
    c.submissions = two;
    c.nsubmissions = 2;
    compute(&c, "2026-05-05T00:00:00Z", &r);
    expect(&r, WB_STAGE_GDPR_BREACH, "2026-05-04T10:00:00+02:00", WB_DEADLINE_MET);
    c.personal_data = WB_TRI_NO;
    compute(&c, "2026-05-05T00:00:00Z", &r);
    assert_false(has(&r, WB_STAGE_GDPR_BREACH));
    c.personal_data = WB_TRI_UNKNOWN;
    compute(&c, "2026-05-05T00:00:00Z", &r);
    assert_false(has(&r, WB_STAGE_GDPR_BREACH));
}

static void test_errors_and_table(void **state)
{
    (void)state;
    wb_incident_clock c = {.aware_at = WB_TIME_NONE, .handled_at = WB_TIME_NONE};
    wb_deadline rows[2];
    size_t n;
    wb_error err = {0};
    assert_int_equal(wb_incident_deadlines(&c, 0, rows, 2, &n, &err), WB_EINVAL);
    assert_non_null(strstr(err.msg, "aware_at"));
    c.aware_at = T("2026-05-01T08:00:00Z");
    c.csirt_ack_at = WB_TIME_NONE;
    assert_int_equal(wb_incident_deadlines(&c, 0, rows, 2, &n, &err), WB_ELIMIT);
    wb_incident_submission bad = {WB_STAGE_CSIRT_ANSWER, T("2026-05-01T09:00:00Z")};
    c.submissions = &bad;
    c.nsubmissions = 1;
    assert_int_equal(wb_incident_deadlines(&c, 0, rows, 2, &n, &err), WB_EINVAL);
    size_t count;
    const wb_deadline_rule *rules = wb_deadline_rules(&count);
    assert_true(count >= 8);
    bool seen[WB_STAGE_COUNT] = {false};
    for (size_t i = 0; i < count; i++) {
        assert_true(strstr(rules[i].article, "Art. ") != NULL);
        assert_true(strlen(rules[i].rule) > 5);
        seen[rules[i].stage] = true;
    }
    for (int s = 0; s < WB_STAGE_COUNT; s++)
        assert_true(seen[s]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_incident),
        cmocka_unit_test(test_trust_service_notification),
        cmocka_unit_test(test_states_at_boundaries),
        cmocka_unit_test(test_first_submission_decides),
        cmocka_unit_test(test_final_from_notification),
        cmocka_unit_test(test_handled_and_progress),
        cmocka_unit_test(test_intermediate_on_request),
        cmocka_unit_test(test_csirt_answer_and_gdpr),
        cmocka_unit_test(test_errors_and_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
