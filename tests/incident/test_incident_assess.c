/*
 * test_incident_assess.c - the significance table: every threshold of
 * every row probed at, just below and just above its value (read from the
 * table and, for the key numbers, written out here too so that a wrong
 * table fails), the verdict rules, and the facts reader's errors.
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

static const wb_criterion *crit(const char *id)
{
    size_t n;
    const wb_criterion *c = wb_criteria(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i].id, id) == 0) return &c[i];
    fail_msg("no criterion %s", id);
    return NULL;
}

static wb_criterion_result eval(const char *id, const wb_facts *f)
{
    char why[200];
    const wb_criterion *c = crit(id);
    return c->test(c, f, why, sizeof why);
}

static void set_i64(wb_facts *f, size_t off, int64_t v)
{
    memcpy((char *)f + off, &v, sizeof v);
}

static void set_tri(wb_facts *f, size_t off, wb_tri v)
{
    memcpy((char *)f + off, &v, sizeof v);
}

#define EXPECT(id, f, want)                                                                        \
    do {                                                                                           \
        wb_criterion_result got_ = eval(id, f);                                                    \
        if (got_ != (want))                                                                        \
            fail_msg("%s: %s, want %s (line %d)", id, wb_criterion_result_name(got_),              \
                     wb_criterion_result_name(want), __LINE__);                                    \
    } while (0)

/* Minutes thresholds, the numbers written out. */
static void test_minutes_thresholds(void **state)
{
    (void)state;
    static const struct {
        const char *id;
        size_t fact;
        int64_t limit;
    } rows[] = {
        {"ir-5-a", offsetof(wb_facts, complete_unavailability_minutes), 30},
        {"ir-5-b", offsetof(wb_facts, slow_response_minutes), 60},
        {"ir-6-a", offsetof(wb_facts, complete_unavailability_minutes), 0},
        {"ir-6-b", offsetof(wb_facts, slow_response_minutes), 60},
        {"ir-7-a", offsetof(wb_facts, complete_unavailability_minutes), 30},
        {"ir-8-a", offsetof(wb_facts, complete_unavailability_minutes), 0},
        {"ir-8-b", offsetof(wb_facts, limited_availability_minutes), 60},
        {"ir-9-a", offsetof(wb_facts, complete_unavailability_minutes), 30},
        {"ir-10-a", offsetof(wb_facts, complete_unavailability_minutes), 30},
        {"ir-14-a", offsetof(wb_facts, complete_unavailability_minutes), 20},
        {"ir-14-b", offsetof(wb_facts, weekly_unavailability_minutes), 60},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        wb_facts f;
        wb_facts_init(&f);
        EXPECT(rows[i].id, &f, WB_CRIT_UNKNOWN);
        set_i64(&f, rows[i].fact, rows[i].limit); /* at: "more than" is not met */
        EXPECT(rows[i].id, &f, WB_CRIT_NOT_MET);
        if (rows[i].limit > 0) {
            set_i64(&f, rows[i].fact, rows[i].limit - 1); /* just below */
            EXPECT(rows[i].id, &f, WB_CRIT_NOT_MET);
        }
        set_i64(&f, rows[i].fact, rows[i].limit + 1); /* just above */
        EXPECT(rows[i].id, &f, WB_CRIT_MET);
    }
}

/* "more than P of users_eu or more than L, whichever is smaller", both
 * ways round: a large user base (L decides) and a small one (P decides). */
static void probe_users(const char *id, size_t fact, int64_t permille, int64_t limit,
                        int64_t minutes)
{
    wb_facts f;
    wb_facts_init(&f);
    if (minutes) f.limited_availability_minutes = minutes + 1;
    if (strstr(crit(id)->text, "data compromised")) f.data_compromised = WB_TRI_YES;
    EXPECT(id, &f, WB_CRIT_UNKNOWN);
    /* L decides (users_eu large): at L not met, L-1 not met, L+1 met. */
    f.users_eu = limit * 1000 / permille * 10;
    set_i64(&f, fact, limit);
    EXPECT(id, &f, WB_CRIT_NOT_MET);
    set_i64(&f, fact, limit - 1);
    EXPECT(id, &f, WB_CRIT_NOT_MET);
    set_i64(&f, fact, limit + 1);
    EXPECT(id, &f, WB_CRIT_MET);
    /* Without users_eu, only above L is decided. */
    f.users_eu = -1;
    EXPECT(id, &f, WB_CRIT_MET);
    set_i64(&f, fact, limit);
    EXPECT(id, &f, WB_CRIT_UNKNOWN);
    /* P decides: users_eu = 1000 * share-count, so the share is exactly s. */
    int64_t s = limit / 10;
    f.users_eu = s * 1000 / permille;
    set_i64(&f, fact, s);
    EXPECT(id, &f, WB_CRIT_NOT_MET);
    set_i64(&f, fact, s - 1);
    EXPECT(id, &f, WB_CRIT_NOT_MET);
    set_i64(&f, fact, s + 1);
    EXPECT(id, &f, WB_CRIT_MET);
    set_i64(&f, fact, 0);
    EXPECT(id, &f, WB_CRIT_NOT_MET);
    if (minutes) {
        set_i64(&f, fact, s + 1);
        f.limited_availability_minutes = minutes; /* at: not met */
        EXPECT(id, &f, WB_CRIT_NOT_MET);
        f.limited_availability_minutes = minutes - 1;
        EXPECT(id, &f, WB_CRIT_NOT_MET);
        f.limited_availability_minutes = -1;
        EXPECT(id, &f, WB_CRIT_UNKNOWN);
    }
    if (strstr(crit(id)->text, "data compromised")) {
        set_i64(&f, fact, s + 1);
        f.data_compromised = WB_TRI_NO;
        EXPECT(id, &f, WB_CRIT_NOT_MET);
    }
}

static void test_user_thresholds(void **state)
{
    (void)state;
    size_t lim = offsetof(wb_facts, limited_availability_users);
    size_t com = offsetof(wb_facts, complete_unavailability_users);
    size_t dat = offsetof(wb_facts, data_compromised_users);
    static const char *avail_hour[] = {"ir-7-b", "ir-9-b", "ir-10-b"};
    for (size_t i = 0; i < 3; i++)
        probe_users(avail_hour[i], lim, 50, 1000000, 60);
    static const char *data5[] = {"ir-7-d", "ir-9-d", "ir-10-d", "ir-11-d", "ir-12-d", "ir-13-d"};
    for (size_t i = 0; i < 6; i++)
        probe_users(data5[i], dat, 50, 1000000, 0);
    static const char *complete[] = {"ir-11-a", "ir-12-a", "ir-13-a"};
    static const char *limited[] = {"ir-11-b", "ir-12-b", "ir-13-b"};
    for (size_t i = 0; i < 3; i++) {
        probe_users(complete[i], com, 50, 1000000, 0);
        probe_users(limited[i], lim, 50, 1000000, 0);
    }
    probe_users("ir-14-c", lim, 10, 200000, 0);
    probe_users("ir-14-e", dat, 1, 100, 0);
    /* The table holds the same numbers. */
    size_t n;
    const wb_criterion *c = wb_criteria(&n);
    for (size_t i = 0; i < n; i++)
        if (c[i].permille && strncmp(c[i].id, "ir-1", 4) == 0 && strcmp(c[i].id, "ir-14-c") &&
            strcmp(c[i].id, "ir-14-e"))
            assert_true(c[i].limit == 1000000 && c[i].permille == 50);
}

static void test_financial_loss(void **state)
{
    (void)state;
    wb_facts f;
    wb_facts_init(&f);
    EXPECT("ir-3-1-a", &f, WB_CRIT_UNKNOWN);
    /* Turnover 100 M: 5 % is 5 M, so EUR 500 000 decides. */
    f.annual_turnover_cents = INT64_C(100000000) * 100;
    f.financial_loss_cents = INT64_C(500000) * 100;
    EXPECT("ir-3-1-a", &f, WB_CRIT_NOT_MET);
    f.financial_loss_cents = INT64_C(500000) * 100 - 1;
    EXPECT("ir-3-1-a", &f, WB_CRIT_NOT_MET);
    f.financial_loss_cents = INT64_C(500000) * 100 + 1; /* one cent more */
    EXPECT("ir-3-1-a", &f, WB_CRIT_MET);
    /* Turnover 2 M: 5 % is EUR 100 000, lower, so it decides. */
    f.annual_turnover_cents = INT64_C(2000000) * 100;
    f.financial_loss_cents = INT64_C(100000) * 100;
    EXPECT("ir-3-1-a", &f, WB_CRIT_NOT_MET);
    f.financial_loss_cents = INT64_C(100000) * 100 - 1;
    EXPECT("ir-3-1-a", &f, WB_CRIT_NOT_MET);
    f.financial_loss_cents = INT64_C(100000) * 100 + 1;
    EXPECT("ir-3-1-a", &f, WB_CRIT_MET);
    /* Without turnover: decided only above EUR 500 000 (or at zero). */
    f.annual_turnover_cents = -1;
    EXPECT("ir-3-1-a", &f, WB_CRIT_UNKNOWN);
    f.financial_loss_cents = INT64_C(500000) * 100 + 1;
    EXPECT("ir-3-1-a", &f, WB_CRIT_MET);
    f.financial_loss_cents = 0;
    EXPECT("ir-3-1-a", &f, WB_CRIT_NOT_MET);
}

static void test_recurring(void **state)
{
    (void)state;
    wb_facts f;
    wb_facts_init(&f);
    EXPECT("ir-4", &f, WB_CRIT_UNKNOWN);
    f.recurring_occurrences = 2;
    f.recurring_same_root_cause = WB_TRI_YES;
    f.annual_turnover_cents = INT64_C(100000000) * 100;
    f.recurring_financial_loss_cents = INT64_C(500000) * 100 + 1;
    EXPECT("ir-4", &f, WB_CRIT_MET);
    f.recurring_occurrences = 1; /* just below "at least twice" */
    EXPECT("ir-4", &f, WB_CRIT_NOT_MET);
    f.recurring_occurrences = 2;
    f.recurring_financial_loss_cents = INT64_C(500000) * 100; /* at */
    EXPECT("ir-4", &f, WB_CRIT_NOT_MET);
    f.recurring_financial_loss_cents = INT64_C(600000) * 100;
    f.recurring_same_root_cause = WB_TRI_NO;
    EXPECT("ir-4", &f, WB_CRIT_NOT_MET);
    f.recurring_same_root_cause = WB_TRI_UNKNOWN;
    EXPECT("ir-4", &f, WB_CRIT_UNKNOWN);
}

static void test_dns_data(void **state)
{
    (void)state;
    wb_facts f;
    wb_facts_init(&f);
    EXPECT("ir-5-c", &f, WB_CRIT_UNKNOWN);
    f.data_compromised = WB_TRI_NO;
    EXPECT("ir-5-c", &f, WB_CRIT_NOT_MET);
    f.data_compromised = WB_TRI_YES;
    f.misconfiguration = WB_TRI_NO;
    EXPECT("ir-5-c", &f, WB_CRIT_MET);
    f.misconfiguration = WB_TRI_YES;
    f.managed_domains = 1000000;
    f.misconfigured_domains = 999; /* < 1 000 and <= 1 %: the exception */
    EXPECT("ir-5-c", &f, WB_CRIT_NOT_MET);
    f.misconfigured_domains = 1000; /* not fewer than 1 000 */
    EXPECT("ir-5-c", &f, WB_CRIT_MET);
    f.managed_domains = 50000; /* 1 % = 500 */
    f.misconfigured_domains = 500;
    EXPECT("ir-5-c", &f, WB_CRIT_NOT_MET);
    f.misconfigured_domains = 499;
    EXPECT("ir-5-c", &f, WB_CRIT_NOT_MET);
    f.misconfigured_domains = 501;
    EXPECT("ir-5-c", &f, WB_CRIT_MET);
    f.managed_domains = -1;
    f.misconfigured_domains = 10;
    EXPECT("ir-5-c", &f, WB_CRIT_UNKNOWN);
    f.misconfigured_domains = 1000;
    EXPECT("ir-5-c", &f, WB_CRIT_MET);
}

static void test_answers(void **state)
{
    (void)state;
    static const struct {
        const char *id;
        size_t fact;
    } rows[] = {
        {"nis2-23-3-a-disruption", offsetof(wb_facts, severe_operational_disruption)},
        {"nis2-23-3-a-loss", offsetof(wb_facts, severe_financial_loss)},
        {"nis2-23-3-b", offsetof(wb_facts, damage_to_others)},
        {"ir-3-1-b", offsetof(wb_facts, trade_secrets_exfiltrated)},
        {"ir-3-1-c", offsetof(wb_facts, death)},
        {"ir-3-1-d", offsetof(wb_facts, health_damage)},
        {"ir-3-1-e", offsetof(wb_facts, malicious_access)},
        {"ir-6-c", offsetof(wb_facts, data_compromised)},
        {"ir-8-d", offsetof(wb_facts, physical_access_compromised)},
        {"ir-14-d", offsetof(wb_facts, physical_access_compromised)},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        wb_facts f;
        wb_facts_init(&f);
        EXPECT(rows[i].id, &f, WB_CRIT_UNKNOWN);
        set_tri(&f, rows[i].fact, WB_TRI_UNKNOWN);
        EXPECT(rows[i].id, &f, WB_CRIT_UNKNOWN);
        set_tri(&f, rows[i].fact, WB_TRI_NO);
        EXPECT(rows[i].id, &f, WB_CRIT_NOT_MET);
        set_tri(&f, rows[i].fact, WB_TRI_YES);
        EXPECT(rows[i].id, &f, WB_CRIT_MET);
    }
    static const char *malicious[] = {"ir-7-c",  "ir-8-c",  "ir-9-c", "ir-10-c",
                                      "ir-11-c", "ir-12-c", "ir-13-c"};
    for (size_t i = 0; i < 7; i++) {
        wb_facts f;
        wb_facts_init(&f);
        f.data_compromised = WB_TRI_YES;
        EXPECT(malicious[i], &f, WB_CRIT_UNKNOWN);
        f.data_compromise_malicious = WB_TRI_NO;
        EXPECT(malicious[i], &f, WB_CRIT_NOT_MET);
        f.data_compromise_malicious = WB_TRI_YES;
        EXPECT(malicious[i], &f, WB_CRIT_MET);
        f.data_compromised = WB_TRI_NO;
        EXPECT(malicious[i], &f, WB_CRIT_NOT_MET);
    }
}

static void test_table_and_entities(void **state)
{
    (void)state;
    size_t n;
    const wb_criterion *c = wb_criteria(&n);
    uint32_t covered = 0;
    for (size_t i = 0; i < n; i++) {
        assert_non_null(strstr(c[i].article, "Art. "));
        assert_true(strlen(c[i].text) > 10);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(c[i].id, c[j].id);
        if (strncmp(c[i].id, "ir-", 3) == 0) {
            assert_non_null(strstr(c[i].article, "2024/2690"));
            assert_int_equal(c[i].entities & 1u, 0); /* never `other` */
        }
        covered |= c[i].entities;
    }
    assert_int_equal(covered, (1u << WB_ENTITY_COUNT) - 1);
    /* Every provider type has criteria of its own article (Arts. 5-14). */
    for (int e = 1; e < WB_ENTITY_COUNT; e++) {
        bool own = false;
        for (size_t i = 0; i < n; i++)
            if ((c[i].entities >> e & 1u) && strncmp(c[i].id, "ir-", 3) == 0 &&
                strncmp(c[i].id, "ir-3", 4) != 0 && strcmp(c[i].id, "ir-4") != 0 &&
                c[i].entities != ((1u << WB_ENTITY_COUNT) - 2))
                own = true;
        assert_true(own);
    }
}

static void all_no(wb_facts *f)
{
    wb_facts_init(f);
    f->severe_operational_disruption = f->severe_financial_loss = f->damage_to_others = WB_TRI_NO;
    f->trade_secrets_exfiltrated = f->death = f->health_damage = f->malicious_access = WB_TRI_NO;
    f->financial_loss_cents = 0;
    f->recurring_occurrences = 1;
    f->users_eu = 1000000;
    f->complete_unavailability_minutes = f->limited_availability_minutes = 0;
    f->complete_unavailability_users = f->limited_availability_users = 0;
    f->weekly_unavailability_minutes = f->slow_response_minutes = 0;
    f->data_compromised = f->physical_access_compromised = WB_TRI_NO;
    f->data_compromised_users = 0;
}

static void test_verdicts(void **state)
{
    (void)state;
    wb_facts f;
    wb_assessment a;
    for (int e = 0; e < WB_ENTITY_COUNT; e++) {
        all_no(&f);
        wb_assess((wb_entity_type)e, &f, &a);
        if (a.verdict != WB_VERDICT_NOT_SIGNIFICANT)
            fail_msg("%s: %s", wb_entity_type_name(e), wb_verdict_name(a.verdict));
        assert_true(a.nreasons >= 3);
    }
    /* other: only NIS2 Art. 23(3). */
    all_no(&f);
    wb_assess(WB_ENTITY_OTHER, &f, &a);
    assert_int_equal(a.nreasons, 3);
    f.damage_to_others = WB_TRI_YES;
    wb_assess(WB_ENTITY_OTHER, &f, &a);
    assert_int_equal(a.verdict, WB_VERDICT_SIGNIFICANT);
    f.damage_to_others = WB_TRI_UNKNOWN;
    wb_assess(WB_ENTITY_OTHER, &f, &a);
    assert_int_equal(a.verdict, WB_VERDICT_UNDETERMINED);
    /* For a covered provider the Art. 23(3) questions are advisory: an open
     * answer does not hold back the verdict, a yes counts. */
    all_no(&f);
    f.damage_to_others = WB_TRI_UNSET;
    wb_assess(WB_ENTITY_CLOUD, &f, &a);
    assert_int_equal(a.verdict, WB_VERDICT_NOT_SIGNIFICANT);
    assert_true(a.reasons[2].advisory);
    f.damage_to_others = WB_TRI_YES;
    wb_assess(WB_ENTITY_CLOUD, &f, &a);
    assert_int_equal(a.verdict, WB_VERDICT_SIGNIFICANT);
    /* A missing regulation fact: undetermined; one met: significant. */
    all_no(&f);
    f.users_eu = -1;
    f.limited_availability_users = 60000;
    f.limited_availability_minutes = 61;
    wb_assess(WB_ENTITY_CLOUD, &f, &a);
    assert_int_equal(a.verdict, WB_VERDICT_UNDETERMINED);
    f.complete_unavailability_minutes = 31;
    wb_assess(WB_ENTITY_CLOUD, &f, &a);
    assert_int_equal(a.verdict, WB_VERDICT_SIGNIFICANT);
    /* Scheduled maintenance (Art. 3(2)). */
    f.scheduled_maintenance = WB_TRI_YES;
    wb_assess(WB_ENTITY_CLOUD, &f, &a);
    assert_int_equal(a.verdict, WB_VERDICT_NOT_SIGNIFICANT);
    assert_true(a.scheduled_maintenance);
    wb_assess(WB_ENTITY_OTHER, &f, &a); /* the regulation does not cover `other` */
    assert_false(a.scheduled_maintenance);
}

static int parse(const char *json, wb_facts *f, wb_error *err)
{
    return wb_facts_parse("facts.json", json, strlen(json), f, err);
}

static void test_facts_parse(void **state)
{
    (void)state;
    wb_facts f;
    wb_error err = {0};
    assert_int_equal(
        parse("{\"users_eu\": 2000000, \"death\": \"no\","
              " \"financial_loss_eur\": 500000.01, \"sector\": \"health\","
              " \"recurring\": {\"occurrences_6_months\": 3, \"same_root_cause\": \"yes\"}}",
              &f, &err),
        0);
    assert_int_equal(f.users_eu, 2000000);
    assert_int_equal(f.death, WB_TRI_NO);
    assert_int_equal(f.financial_loss_cents, 50000001);
    assert_int_equal(f.recurring_occurrences, 3);
    assert_string_equal(f.sector, "health");
    assert_int_equal(f.complete_unavailability_minutes, -1);
    assert_int_equal(f.trade_secrets_exfiltrated, WB_TRI_UNSET);
    static const struct {
        const char *json, *want;
    } bad[] = {
        {"{\"users\": 1}", "facts.json: $.users: unknown key"},
        {"{\"users_eu\": -1}", "facts.json: $.users_eu: must be a whole number"},
        {"{\"users_eu\": 1.5}", "$.users_eu"},
        {"{\"death\": true}", "facts.json: $.death: must be \"yes\", \"no\" or \"unknown\""},
        {"{\"financial_loss_eur\": \"1\"}", "$.financial_loss_eur: must be an amount"},
        {"{\"recurring\": 2}", "$.recurring: must be an object"},
        {"{\"recurring\": {\"times\": 2}}", "$.recurring.times: unknown key"},
        {"{\"recurring\": {\"same_root_cause\": \"y\"}}", "$.recurring.same_root_cause"},
        {"{\"sector\": \"public-administartion\"}", "$.sector: not a NIS2 sector"},
        {"[]", "facts.json: $: the facts are a JSON object"},
        {"{\"death\": \"no\",}", "facts.json:1:"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse(bad[i].json, &f, &err) == 0) fail_msg("accepted %s", bad[i].json);
        if (!strstr(err.msg, bad[i].want)) fail_msg("'%s' not in '%s'", bad[i].want, err.msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minutes_thresholds), cmocka_unit_test(test_user_thresholds),
        cmocka_unit_test(test_financial_loss),     cmocka_unit_test(test_recurring),
        cmocka_unit_test(test_dns_data),           cmocka_unit_test(test_answers),
        cmocka_unit_test(test_table_and_entities), cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_facts_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
