/*
 * test_incident_report.c - report documents: every kind of field and how
 * it is refused (with its JSON path), unknown keys, every problem listed,
 * the required fields of each stage, the cumulative state (inheritance,
 * withdrawal with null, nested merge, indicators replaced), JSON output, and
 * the examples in docs/incident.md.
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
#include "weerbaar/io.h"

static const char *full =
    "{\"summary\": \"Ransomware on file servers\", \"malicious\": \"yes\","
    " \"cross_border\": \"unknown\","
    " \"contact\": {\"name\": \"A. de Vries\", \"email\": \"soc@example.nl\","
    "   \"phone\": \"+31 20 123 4567\"},"
    " \"personal_data\": \"no\", \"initial_assessment\": \"contained to one site\","
    " \"severity\": \"high\","
    " \"impact\": {\"description\": \"file shares down\", \"users_affected\": 1200,"
    "   \"duration_minutes\": 90, \"financial_loss_eur\": 25000.5},"
    " \"indicators\": [{\"type\": \"ip-dst\", \"value\": \"203.0.113.7\"},"
    "   {\"type\": \"sha256\", \"value\": "
    "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}],"
    " \"description\": \"detailed\", \"root_cause\": "
    "\"rsit:malicious-code=\\\"infected-system\\\"\","
    " \"mitigation\": {\"applied\": \"restored\", \"ongoing\": \"monitoring\"},"
    " \"cross_border_impact\": \"none known\", \"status_update\": \"restoring\","
    " \"expected_handled_at\": \"2026-05-20T17:00:00+02:00\"}";

static wb_report *parse_ok(const char *json)
{
    wb_report *r = NULL;
    wb_report_problems p = {0};
    wb_error err = {0};
    int rc = wb_report_parse("r.json", json, strlen(json), &r, &p, &err);
    if (rc != 0) {
        wb_buf b = {0};
        wb_report_problems_format(&p, "r.json", &b);
        fail_msg("%s\n%s", err.msg, b.data ? b.data : "");
    }
    wb_report_problems_free(&p);
    return r;
}

/* Parses a report that must be refused and returns its problems as text,
 * one per line ("PATH: message"). The caller frees. */
static char *problems_of(const char *json, size_t *count)
{
    wb_report *r = NULL;
    wb_report_problems p = {0};
    wb_error err = {0};
    int rc = wb_report_parse("r.json", json, strlen(json), &r, &p, &err);
    /* Values are checked on entry after parsing (wb_reg_submit does both). */
    if (rc == 0) {
        rc = wb_report_check_values(r, &p);
        wb_report_free(r);
        r = NULL;
    }
    assert_int_equal(rc, WB_EINVAL);
    assert_null(r);
    wb_buf b = {0};
    wb_report_problems_format(&p, NULL, &b);
    if (count) *count = p.count;
    wb_report_problems_free(&p);
    return b.data;
}

static void expect_problem(const char *json, const char *want)
{
    char *text = problems_of(json, NULL);
    if (!text || !strstr(text, want)) fail_msg("want '%s' in:\n%s", want, text ? text : "");
    free(text);
}

static void test_full_report(void **state)
{
    (void)state;
    wb_report *r = parse_ok(full);
    assert_int_equal(r->present, (1u << WB_RF_COUNT) - 1);
    assert_string_equal(r->text[WB_RF_CONTACT_EMAIL], "soc@example.nl");
    assert_int_equal(r->num[WB_RF_MALICIOUS], WB_TRI_YES);
    assert_int_equal(r->num[WB_RF_SEVERITY], WB_INC_SEVERITY_HIGH);
    assert_int_equal(r->num[WB_RF_IMPACT_USERS_AFFECTED], 1200);
    assert_int_equal(r->num[WB_RF_IMPACT_FINANCIAL_LOSS_EUR], 2500050);
    assert_int_equal(r->nindicators, 2);
    assert_string_equal(r->indicators[1].type, "sha256");
    wb_time t;
    assert_int_equal(wb_time_parse("2026-05-20T15:00:00Z", 20, &t), 0);
    assert_true(r->num[WB_RF_EXPECTED_HANDLED_AT] == t);
    for (int s = 0; s < WB_REPORT_STAGE_COUNT; s++) {
        wb_report_problems p = {0};
        assert_int_equal(wb_report_check_stage(r, r, (wb_stage)s, &p), 0);
        wb_report_problems_free(&p);
    }
    /* Output and parse again: the same report. */
    wb_buf b = {0};
    assert_int_equal(wb_report_to_json(r, &b), 0);
    assert_non_null(strstr(b.data, "\"financial_loss_eur\": 25000.5"));
    assert_non_null(strstr(b.data, "\"expected_handled_at\": \"2026-05-20T15:00:00Z\""));
    wb_report *again = parse_ok(b.data);
    wb_buf b2 = {0};
    assert_int_equal(wb_report_to_json(again, &b2), 0);
    assert_string_equal(b.data, b2.data);
    wb_buf_free(&b);
    wb_buf_free(&b2);
    wb_report_free(again);
    wb_report_free(r);
}

static void test_field_problems(void **state)
{
    (void)state;
    expect_problem("{\"summary\": 5}", "$.summary: must be a string");
    expect_problem("{\"summary\": \"  \"}", "$.summary: must not be empty");
    expect_problem("{\"malicious\": \"maybe\"}", "$.malicious: must be \"yes\", \"no\"");
    expect_problem("{\"cross_border\": true}", "$.cross_border: must be");
    expect_problem("{\"personal_data\": \"YES\"}", "$.personal_data: must be");
    expect_problem("{\"severity\": \"severe\"}", "$.severity: must be \"low\"");
    expect_problem("{\"contact\": {\"email\": \"soc.example.nl\"}}",
                   "$.contact.email: not an e-mail address");
    expect_problem("{\"contact\": {\"email\": \"soc@localhost\"}}", "$.contact.email");
    expect_problem("{\"contact\": {\"email\": \"a b@example.nl\"}}", "$.contact.email");
    expect_problem("{\"contact\": {\"email\": \"a@@example.nl\"}}", "$.contact.email");
    expect_problem("{\"contact\": {\"email\": \"a@-x.nl\"}}", "$.contact.email");
    expect_problem("{\"contact\": {\"phone\": \"12345\"}}", "$.contact.phone: not a telephone");
    expect_problem("{\"contact\": {\"phone\": \"020-CALL-NOW\"}}", "$.contact.phone");
    expect_problem("{\"contact\": {\"phone\": \"31+20 1234567\"}}", "$.contact.phone");
    expect_problem("{\"contact\": {\"fax\": \"1\"}}",
                   "$.contact.fax: unknown key (known: name, email, phone)");
    expect_problem("{\"contact\": \"me\"}", "$.contact: must be an object");
    expect_problem("{\"impact\": {\"users_affected\": -1}}",
                   "$.impact.users_affected: must be a whole number of at least 0");
    expect_problem("{\"impact\": {\"users_affected\": 2.5}}", "$.impact.users_affected");
    expect_problem("{\"impact\": {\"duration_minutes\": \"90\"}}", "$.impact.duration_minutes");
    expect_problem("{\"impact\": {\"financial_loss_eur\": -0.01}}",
                   "$.impact.financial_loss_eur: must be an amount in euro");
    expect_problem("{\"expected_handled_at\": \"2026-05-20\"}",
                   "$.expected_handled_at: must be an RFC 3339 date-time with an offset");
    expect_problem("{\"expected_handled_at\": \"2026-05-20T10:00:00\"}", "$.expected_handled_at");
    expect_problem("{\"indicators\": {}}", "$.indicators: must be an array");
    expect_problem("{\"indicators\": [{\"type\": \"ip\", \"value\": \"1.2.3.4\"}]}",
                   "$.indicators[0].type: not a MISP attribute type");
    expect_problem("{\"indicators\": [{\"type\": \"domain\"}]}", "$.indicators[0]: needs a value");
    expect_problem("{\"indicators\": [{\"value\": \"x\"}]}", "$.indicators[0]: needs a type");
    expect_problem("{\"indicators\": [{\"type\": \"domain\", \"value\": \"\"}]}",
                   "$.indicators[0].value: must be a non-empty string");
    expect_problem("{\"indicators\": [1]}", "$.indicators[0]: must be an object");
    expect_problem("{\"indicators\": [{\"type\": \"url\", \"value\": \"x\", \"to_ids\": 1}]}",
                   "$.indicators[0]: unknown key 'to_ids'");
    /* Values are checked on entry, as the hub checks them at share time, at
     * the path the caller wrote. */
    expect_problem("{\"indicators\": [{\"type\": \"ip-dst\", \"value\": \"192.0.2.1\"},"
                   " {\"type\": \"ip-src\", \"value\": \"999.1.1.1\"}]}",
                   "$.indicators[1].value: not a valid ip-src: '999.1.1.1' is not an IP");
    expect_problem("{\"indicators\": [{\"type\": \"sha256\", \"value\": \"abc\"}]}",
                   "$.indicators[0].value: not a valid sha256");
    expect_problem("{\"indicators\": [{\"type\": \"domain|ip\", \"value\": \"a.example\"}]}",
                   "$.indicators[0].value: not a valid domain|ip: composite value");
    expect_problem("{\"root_cause\": \"rsit:availability=\\\"tsunami\\\"\"}",
                   "$.root_cause: 'rsit:availability=\"tsunami\"' is not an RSIT value");
    expect_problem("{\"sumary\": \"typo\"}", "$.sumary: unknown key (known: contact, impact");
    expect_problem("[1, 2]", "$: a report is a JSON object");
    /* Plain-text root causes and every RSIT value are fine. */
    wb_report_free(parse_ok("{\"root_cause\": \"a contractor's laptop\"}"));
    size_t n;
    const wb_taxonomy_entry *rsit = wb_taxonomy_rsit(&n);
    for (size_t i = 0; i < n; i++) {
        char doc[256];
        snprintf(doc, sizeof doc, "{\"root_cause\": \"rsit:%s=\\\"%s\\\"\"}", rsit[i].predicate,
                 rsit[i].value);
        wb_report_free(parse_ok(doc));
    }
    /* Every MISP type the shared MISP events use is known. */
    static const char *seen[] = {
        "domain",     "filename|sha1", "domain|ip", "ip-dst",       "pdb",     "md5",      "sha1",
        "link",       "regkey",        "text",      "sha256",       "mutex",   "datetime", "url",
        "attachment", "ip-dst|port",   "comment",   "regkey|value", "filename"};
    for (size_t i = 0; i < sizeof seen / sizeof seen[0]; i++)
        assert_true(wb_misp_attribute_type_valid(seen[i]));
    assert_false(wb_misp_attribute_type_valid("IP-DST"));
}

static void test_every_problem_listed(void **state)
{
    (void)state;
    size_t count = 0;
    char *text = problems_of("{\"summary\": 1, \"malicious\": \"x\", \"bogus\": 1,"
                             " \"contact\": {\"email\": \"x\", \"phone\": \"1\"},"
                             " \"impact\": {\"users_affected\": -3}}",
                             &count);
    assert_int_equal(count, 6);
    free(text);
    /* Past the limit they are counted, not listed. */
    wb_buf doc = {0};
    wb_buf_puts(&doc, "{\"indicators\": [");
    for (int i = 0; i < WB_REPORT_MAX_PROBLEMS + 20; i++)
        wb_buf_printf(&doc, "%s{\"type\": \"nope\", \"value\": \"v\"}", i ? "," : "");
    wb_buf_puts(&doc, "]}");
    wb_report *r = NULL;
    wb_report_problems p = {0};
    wb_error err = {0};
    assert_int_equal(wb_report_parse("big.json", doc.data, doc.len, &r, &p, &err), WB_EINVAL);
    assert_int_equal(p.count, WB_REPORT_MAX_PROBLEMS);
    assert_int_equal(p.dropped, 20);
    wb_buf out = {0};
    wb_report_problems_format(&p, "big.json", &out);
    assert_non_null(strstr(out.data, "big.json: 20 more problems not listed"));
    wb_buf_free(&out);
    wb_report_problems_free(&p);
    wb_buf_free(&doc);
}

static void test_not_json(void **state)
{
    (void)state;
    wb_report *r = NULL;
    wb_report_problems p = {0};
    wb_error err = {0};
    const char *bad = "{\n  \"summary\": \"x\",\n  oops\n}";
    assert_int_equal(wb_report_parse("bad.json", bad, strlen(bad), &r, &p, &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, "bad.json:3:"));
    const char *dup = "{\"summary\": \"a\", \"summary\": \"b\"}";
    assert_int_equal(wb_report_parse("dup.json", dup, strlen(dup), &r, &p, &err), WB_EPARSE);
    assert_int_equal(wb_report_parse("big.json", "{}", WB_REPORT_MAX_BYTES + 1, &r, &p, &err),
                     WB_ELIMIT);
    assert_null(r);
}

/* The fields each stage requires, written out here so that a change to the
 * table in report.c shows up. */
static const struct {
    wb_stage stage;
    const char *fields[10];
} required[] = {
    {WB_STAGE_EARLY_WARNING,
     {"summary", "malicious", "cross_border", "contact.name", "contact.email", "contact.phone"}},
    {WB_STAGE_NOTIFICATION,
     {"summary", "malicious", "cross_border", "contact.name", "contact.email", "contact.phone",
      "initial_assessment", "severity", "impact.description"}},
    {WB_STAGE_INTERMEDIATE, {"status_update"}},
    {WB_STAGE_FINAL,
     {"severity", "impact.description", "description", "root_cause", "mitigation.applied",
      "mitigation.ongoing", "cross_border_impact"}},
    {WB_STAGE_PROGRESS, {"status_update", "expected_handled_at"}},
};

static int field_of(const char *path)
{
    for (int f = 0; f < WB_RF_COUNT; f++)
        if (strcmp(wb_report_field_path(f), path) == 0) return f;
    fail_msg("no field %s", path);
    return -1;
}

static void test_required_per_stage(void **state)
{
    (void)state;
    wb_report *all = parse_ok(full);
    for (size_t s = 0; s < sizeof required / sizeof required[0]; s++) {
        uint32_t mask = 0;
        for (size_t i = 0; i < 10 && required[s].fields[i]; i++)
            mask |= 1u << field_of(required[s].fields[i]);
        assert_int_equal(wb_report_stage_required(required[s].stage), mask);
        /* Take each required field away in turn: exactly it is reported. */
        for (size_t i = 0; i < 10 && required[s].fields[i]; i++) {
            int f = field_of(required[s].fields[i]);
            wb_report *st = wb_report_new();
            wb_report_merge(st, all);
            st->present &= ~(1u << f);
            wb_report_problems p = {0};
            assert_int_equal(wb_report_check_stage(st, all, required[s].stage, &p), WB_EINVAL);
            assert_int_equal(p.count, 1);
            char want[64];
            snprintf(want, sizeof want, "$.%s", required[s].fields[i]);
            assert_string_equal(p.items[0].path, want);
            assert_non_null(strstr(p.items[0].message, "missing: "));
            assert_non_null(strstr(p.items[0].message, "(expected: "));
            wb_report_problems_free(&p);
            wb_report_free(st);
        }
        /* An empty report: every required field, each at its path. */
        wb_report *empty = wb_report_new();
        wb_report_problems p = {0};
        assert_int_equal(wb_report_check_stage(empty, empty, required[s].stage, &p), WB_EINVAL);
        size_t k = 0;
        for (; k < 10 && required[s].fields[k]; k++) {
            char want[64];
            snprintf(want, sizeof want, "$.%s", required[s].fields[k]);
            bool found = false;
            for (size_t j = 0; j < p.count; j++)
                found = found || strcmp(p.items[j].path, want) == 0;
            assert_true(found);
        }
        assert_int_equal(p.count, k);
        wb_report_problems_free(&p);
        wb_report_free(empty);
    }
    wb_report_problems p = {0};
    assert_int_equal(wb_report_check_stage(all, all, WB_STAGE_CSIRT_ANSWER, &p), WB_EINVAL);
    wb_report_problems_free(&p);
    wb_report_free(all);
}

static void test_cumulative_state(void **state)
{
    (void)state;
    wb_report *st = wb_report_new();
    wb_report *ew =
        parse_ok("{\"summary\": \"outage\", \"malicious\": \"unknown\","
                 " \"cross_border\": \"no\", \"contact\": {\"name\": \"Jan\","
                 " \"email\": \"jan@example.nl\", \"phone\": \"020 123 4567\"},"
                 " \"indicators\": [{\"type\": \"domain\", \"value\": \"bad.example\"}]}");
    wb_report_problems p = {0};
    assert_int_equal(wb_report_merge(st, ew), 0);
    assert_int_equal(wb_report_check_stage(st, ew, WB_STAGE_EARLY_WARNING, &p), 0);
    /* The notification states only what is new; the rest is inherited. */
    wb_report *nt =
        parse_ok("{\"malicious\": \"yes\", \"initial_assessment\": \"phishing\","
                 " \"severity\": \"medium\", \"impact\": {\"description\": \"mail\"},"
                 " \"contact\": {\"phone\": \"+31 6 1234 5678\"},"
                 " \"indicators\": [{\"type\": \"ip-src\", \"value\": \"192.0.2.1\"}]}");
    assert_int_equal(wb_report_merge(st, nt), 0);
    assert_int_equal(wb_report_check_stage(st, nt, WB_STAGE_NOTIFICATION, &p), 0);
    assert_string_equal(st->text[WB_RF_SUMMARY], "outage");
    assert_int_equal(st->num[WB_RF_MALICIOUS], WB_TRI_YES);
    assert_string_equal(st->text[WB_RF_CONTACT_NAME], "Jan");
    assert_string_equal(st->text[WB_RF_CONTACT_PHONE], "+31 6 1234 5678");
    assert_int_equal(st->nindicators, 1); /* replaced, not appended */
    assert_string_equal(st->indicators[0].type, "ip-src");
    /* null withdraws a statement: the notification then misses it. */
    wb_report *wd = parse_ok("{\"contact\": {\"email\": null}, \"severity\": null}");
    assert_int_equal(wb_report_merge(st, wd), 0);
    assert_int_equal(wb_report_check_stage(st, wd, WB_STAGE_NOTIFICATION, &p), WB_EINVAL);
    assert_int_equal(p.count, 2);
    assert_string_equal(p.items[0].path, "$.contact.email");
    assert_string_equal(p.items[1].path, "$.severity");
    wb_report_problems_free(&p);
    /* A whole group withdrawn. */
    wb_report *wg = parse_ok("{\"contact\": null}");
    assert_int_equal(wb_report_merge(st, wg), 0);
    assert_null(st->text[WB_RF_CONTACT_NAME]);
    assert_int_equal(st->present & (1u << WB_RF_CONTACT_PHONE), 0);
    /* status_update must come from the intermediate report itself. */
    wb_report *pr = parse_ok("{\"status_update\": \"still restoring\","
                             " \"expected_handled_at\": \"2026-06-01T12:00:00Z\"}");
    assert_int_equal(wb_report_merge(st, pr), 0);
    assert_int_equal(wb_report_check_stage(st, pr, WB_STAGE_PROGRESS, &p), 0);
    wb_report *im = parse_ok("{\"impact\": {\"users_affected\": 40}}");
    assert_int_equal(wb_report_merge(st, im), 0);
    assert_int_equal(wb_report_check_stage(st, im, WB_STAGE_INTERMEDIATE, &p), WB_EINVAL);
    assert_string_equal(p.items[0].path, "$.status_update");
    assert_non_null(strstr(p.items[0].message, "must state it itself"));
    wb_report_problems_free(&p);
    /* expected_handled_at may be inherited by a later progress report. */
    wb_report *pr2 = parse_ok("{\"status_update\": \"nearly done\"}");
    assert_int_equal(wb_report_merge(st, pr2), 0);
    assert_int_equal(wb_report_check_stage(st, pr2, WB_STAGE_PROGRESS, &p), 0);
    wb_report_free(pr2);
    wb_report_free(im);
    wb_report_free(pr);
    wb_report_free(wg);
    wb_report_free(wd);
    wb_report_free(nt);
    wb_report_free(ew);
    wb_report_free(st);
}

/* Every example in docs/incident.md marked <!-- report: STAGE --> is a
 * valid report of that stage, taken in order as one incident. */
static void test_docs_examples(void **state)
{
    (void)state;
    char *doc = NULL;
    size_t len = 0;
    wb_error err = {0};
    assert_int_equal(
        wb_read_file(WB_TEST_DATA "/../../docs/incident.md", 1 << 20, &doc, &len, &err), 0);
    wb_report *st = wb_report_new();
    size_t examples = 0;
    for (char *p = strstr(doc, "<!-- report: "); p; p = strstr(p + 1, "<!-- report: ")) {
        char stage_name[32] = {0};
        assert_int_equal(sscanf(p, "<!-- report: %31[a-z-] -->", stage_name), 1);
        wb_stage stage;
        assert_int_equal(wb_stage_parse(stage_name, &stage), 0);
        char *start = strstr(p, "```json\n");
        assert_non_null(start);
        start += 8;
        char *end = strstr(start, "```");
        assert_non_null(end);
        wb_report *r = NULL;
        wb_report_problems pr = {0};
        if (wb_report_parse("docs/incident.md", start, (size_t)(end - start), &r, &pr, &err)) {
            wb_buf b = {0};
            wb_report_problems_format(&pr, stage_name, &b);
            fail_msg("%s\n%s", err.msg, b.data ? b.data : "");
        }
        assert_int_equal(wb_report_merge(st, r), 0);
        if (wb_report_check_stage(st, r, stage, &pr) != 0)
            fail_msg("%s example: %s", stage_name, pr.items[0].message);
        wb_report_problems_free(&pr);
        wb_report_free(r);
        examples++;
    }
    assert_true(examples >= 4);
    wb_report_free(st);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_report),          cmocka_unit_test(test_field_problems),
        cmocka_unit_test(test_every_problem_listed), cmocka_unit_test(test_not_json),
        cmocka_unit_test(test_required_per_stage),   cmocka_unit_test(test_cumulative_state),
        cmocka_unit_test(test_docs_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
