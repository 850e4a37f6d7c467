/*
 * test_report.c - src/report/: the vuln scan reader (counts and every error
 * with its JSON path), scores printed as the JSON rounds them, HTML escaping,
 * the page layer's page breaks and page limit, text that is not UTF-8, and
 * the board page as PDF and PNG.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "weerbaar/report.h"

static void expect_vuln_error(const char *doc, const char *msg)
{
    wb_vuln_summary s;
    wb_error err = {0};
    int rc = wb_vuln_summary_parse(doc, strlen(doc), "scan.json", &s, &err);
    if (rc != WB_EPARSE || strstr(err.msg, msg) == NULL)
        fail_msg("want '%s', got %d '%s'", msg, rc, err.msg);
    assert_int_equal(s.overdue, 0);
}

static void test_vuln_summary(void **state)
{
    (void)state;
    const char *doc =
        "{\"now\": \"2026-01-01T00:00:00Z\", \"summary\": {\"findings\": 4, \"overdue\": 3},"
        " \"findings\": ["
        "{\"overdue\": true, \"kev\": true, \"severity\": \"critical\", \"suppressed\": false,"
        " \"cve\": \"CVE-1\", \"deadline\": \"2025-12-01T00:00:00Z\"},"
        "{\"overdue\": true, \"kev\": false, \"severity\": \"high\", \"cve\": \"CVE-2\","
        " \"deadline\": \"2025-06-01T00:00:00Z\", \"fixed_versions\": [\"1.2\"]},"
        "{\"overdue\": true, \"kev\": null, \"severity\": \"critical\", \"vulnerability\": "
        "\"GHSA-3\","
        " \"deadline\": \"2025-03-01T00:00:00Z\"},"
        "{\"overdue\": false, \"kev\": true, \"severity\": null},"
        "{\"overdue\": true, \"kev\": true, \"severity\": \"critical\", \"suppressed\": true}]}";
    wb_vuln_summary s;
    wb_error err = {0};
    assert_int_equal(wb_vuln_summary_parse(doc, strlen(doc), "scan.json", &s, &err), 0);
    assert_int_equal(s.findings, 4); /* the suppressed one is not counted */
    assert_int_equal(s.overdue, 3);
    assert_int_equal(s.overdue_kev, 1);
    assert_int_equal(s.overdue_critical, 2);
    /* named: known exploited first, then the longest overdue */
    assert_int_equal(s.nurgent, 3);
    assert_string_equal(s.urgent[0].vulnerability, "CVE-1");
    assert_true(s.urgent[0].kev);
    assert_string_equal(s.urgent[1].vulnerability, "GHSA-3");
    assert_string_equal(s.urgent[2].vulnerability, "CVE-2");
    assert_string_equal(s.urgent[2].fixed, "1.2");
    assert_true(s.now == INT64_C(1767225600) * 1000000);

    expect_vuln_error("[1", "scan.json:1:");
    expect_vuln_error("[]", "scan.json: $: not an object");
    expect_vuln_error("{}", "scan.json: $.findings: missing");
    expect_vuln_error("{\"findings\": {}}", "scan.json: $.findings: not an array");
    expect_vuln_error("{\"findings\": [1]}", "scan.json: $.findings[0]: not an object");
    expect_vuln_error("{\"findings\": [{\"overdue\": true}, {}]}",
                      "scan.json: $.findings[1].overdue: missing");
    expect_vuln_error("{\"findings\": [{\"overdue\": 1}]}",
                      "scan.json: $.findings[0].overdue: not a boolean");
    expect_vuln_error("{\"findings\": [{\"overdue\": true, \"kev\": \"yes\"}]}",
                      "scan.json: $.findings[0].kev: not a boolean");
    expect_vuln_error("{\"findings\": [{\"overdue\": true, \"suppressed\": 0}]}",
                      "scan.json: $.findings[0].suppressed: not a boolean");
    expect_vuln_error("{\"findings\": [{\"overdue\": true, \"severity\": 9}]}",
                      "scan.json: $.findings[0].severity: not a string");
    expect_vuln_error("{\"now\": \"yesterday\", \"findings\": []}",
                      "scan.json: $.now: not an RFC 3339 time");
    expect_vuln_error("{\"summary\": [], \"findings\": []}", "scan.json: $.summary: not an object");
    expect_vuln_error("{\"summary\": {\"overdue\": -1}, \"findings\": []}",
                      "scan.json: $.summary.overdue: not a count");
    expect_vuln_error("{\"summary\": {\"overdue\": 2}, \"findings\": [{\"overdue\": true}]}",
                      "scan.json: $.summary.overdue: says 2, but the findings hold 1");
    expect_vuln_error("{\"summary\": {\"findings\": 0}, \"findings\": [{\"overdue\": false}]}",
                      "scan.json: $.summary.findings: says 0, but the findings hold 1");
    expect_vuln_error("{\"findings\": [], \"findings\": []}", "scan.json:1:");

    /* the size bound is checked before anything is read */
    assert_int_equal(
        wb_vuln_summary_parse("{}", (size_t)WB_VULN_SUMMARY_MAX_BYTES + 1, "big", &s, &err),
        WB_ELIMIT);
    assert_int_equal(wb_vuln_summary_load("/nonexistent/scan.json", &s, &err), WB_ENOTFOUND);
}

static void test_score_text(void **state)
{
    (void)state;
    char t[16];
    wb_score s = {.value = 2.125, .has_value = true};
    wb_board_score_text(&s, t, sizeof t);
    assert_string_equal(t, "2.13"); /* as round(v * 100) / 100 in the JSON, not "2.12" */
    s.value = 0.3703703;
    wb_board_score_text(&s, t, sizeof t);
    assert_string_equal(t, "0.37");
    s.has_value = false;
    wb_board_score_text(&s, t, sizeof t);
    assert_string_equal(t, "n/a");
}

/* A board with every list filled, texts from `text`. */
typedef struct test_board {
    wb_board b;
    wb_board_principle pr[5];
    wb_board_item items[7];
    wb_board_incident inc[6];
} test_board;

static void make_board(test_board *t, const char *text, const char *lang)
{
    memset(t, 0, sizeof *t);
    for (int i = 0; i < 5; i++)
        t->pr[i] = (wb_board_principle){
            .title = text,
            .current = {.value = i * 1.1, .has_value = true, .answered = 1, .assessable = 3},
            .previous = {.value = i * 0.9, .has_value = i != 2}};
    for (int i = 0; i < 7; i++)
        t->items[i] = (wb_board_item){.ref = "1.1",
                                      .name = text,
                                      .level = 1,
                                      .answered = true,
                                      .shortfall = 2,
                                      .owner = text,
                                      .due = INT64_C(1767225600) * 1000000,
                                      .principle = 1};
    for (int i = 0; i < 6; i++) {
        t->inc[i] = (wb_board_incident){.id = i + 1, .title = text, .status = "open"};
        t->inc[i].has[WB_STAGE_EARLY_WARNING] = true;
        t->inc[i].state[WB_STAGE_EARLY_WARNING] = (wb_deadline_state)(i % 4);
    }
    t->b = (wb_board){.lang = lang,
                      .organisation = text,
                      .scope = text,
                      .catalogue = "cbw_nis2",
                      .catalogue_title = text,
                      .assessment = "a.csv",
                      .as_of = INT64_C(1781510400) * 1000000,
                      .target = 3,
                      .overall = {.value = 1.5,
                                  .has_value = true,
                                  .answered = 3,
                                  .assessable = 9,
                                  .rated = 3,
                                  .maturity = 2.5},
                      .principles = t->pr,
                      .nprinciples = 5,
                      .ngaps = 7,
                      .gaps = t->items,
                      .ngaps_shown = 5,
                      .overdue = t->items,
                      .noverdue = 7,
                      .has_incidents = true,
                      .incidents = t->inc,
                      .nincidents = 6,
                      .year = 2026,
                      .has_vuln = true,
                      .vuln = {.findings = 9, .overdue = 4, .overdue_kev = 2},
                      .attribution = text,
                      .principles_attribution = text};
}

static void test_html(void **state)
{
    (void)state;
    test_board t;
    make_board(&t, "<script>alert('x')</script> & \"q\" \xff\x01 ok", "en");
    wb_buf b = {0};
    assert_int_equal(wb_board_html(&t.b, &b), 0);
    assert_int_equal(wb_buf_putc(&b, '\0'), 0);
    assert_null(strstr(b.data, "<script"));
    assert_non_null(
        strstr(b.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; ? ok"));
    assert_null(strstr(b.data, " src="));
    assert_null(strstr(b.data, " href="));
    assert_non_null(strstr(b.data, "<svg xmlns="));
    /* the numbers: maturity over the answered (not the overall score, which
     * counts the unanswered as 0), coverage, gaps, patches, deadlines */
    assert_non_null(strstr(b.data, ">2.50<"));
    assert_null(strstr(b.data, ">1.50<"));
    assert_non_null(strstr(b.data, ">33%<"));
    assert_non_null(strstr(b.data, "requirements answered: 3/9"));
    assert_non_null(strstr(b.data, ">4</div><div class=\"c\">overdue patches; 2 known exploited"));
    assert_non_null(strstr(b.data, "+ 2 more. reporting deadlines: 2 met, 1 late, 1 overdue, 2 "
                                   "open."));
    assert_non_null(strstr(b.data, "<html lang=\"en\">"));
    wb_buf_free(&b);

    make_board(&t, "x", "nl");
    assert_int_equal(wb_board_html(&t.b, &b), 0);
    assert_int_equal(wb_buf_putc(&b, '\0'), 0);
    assert_non_null(strstr(b.data, "<html lang=\"nl\">"));
    assert_non_null(strstr(b.data, "Bestuursrapportage digitale weerbaarheid"));
    assert_non_null(strstr(b.data, "meldtermijnen: 2 op tijd, 1 te laat, 1 verlopen, 2 open."));
    wb_buf_free(&b);
}

static char *tmp_path(const char *suffix)
{
    char *p = malloc(256);
    assert_non_null(p);
    snprintf(p, 256, "%s/wb-test-report-%ld%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (long)getpid(), suffix);
    return p;
}

static void test_doc_pages(void **state)
{
    (void)state;
    char *path = tmp_path(".pdf");
    wb_doc *d;
    wb_error err = {0};
    /* 400 lines do not fit on three pages: refused, not clipped */
    assert_int_equal(wb_doc_open(path, WB_PAGE_PDF, 0, 3, "footer", &d, &err), 0);
    for (int i = 0; i < 400; i++)
        wb_doc_text(d, WB_STYLE_BODY, "a line of text", 1);
    assert_int_equal(wb_doc_pages(d), 3);
    assert_int_equal(wb_doc_close(d, &err), WB_ELIMIT);
    assert_non_null(strstr(err.msg, "needs more than 3 pages"));
    assert_int_equal(access(path, F_OK), -1); /* no clipped document left behind */

    assert_int_equal(wb_doc_open(path, WB_PAGE_PDF, 0, 100, NULL, &d, &err), 0);
    static const double widths[] = {1, 3};
    static const char *const head[] = {"key", "value"};
    wb_doc_table tab = {2, widths, head, NULL, 0};
    wb_doc_heading(d, "A table over pages", 40);
    wb_doc_table_head(d, &tab);
    for (int i = 0; i < 200; i++) {
        const char *cells[] = {"k", "a value long enough to wrap over two lines in the right "
                                    "column of this table, which is three quarters wide"};
        wb_doc_table_row(d, &tab, cells);
    }
    assert_true(wb_doc_pages(d) >= 4);
    /* text that is not UTF-8, control characters and a word wider than the
     * line: still a valid document */
    wb_doc_text(d, WB_STYLE_BODY, "bad \xff\xfe\xc3 bytes\x01\x1b[0m and a tab\there", 0);
    char word[3000];
    memset(word, 'W', sizeof word - 1);
    word[sizeof word - 1] = '\0';
    wb_doc_text(d, WB_STYLE_BODY, word, 0);
    wb_doc_text(d, WB_STYLE_BODY, word, 2);
    wb_doc_text(d, WB_STYLE_BODY, "", 1);
    wb_doc_page_break(d);
    wb_doc_page_break(d); /* on an empty page: no new page */
    int pages = wb_doc_pages(d);
    assert_int_equal(wb_doc_close(d, &err), 0);
    assert_true(pages >= 5);
    unlink(path);
    free(path);

    assert_int_equal(wb_doc_open("/nonexistent/dir/x.pdf", WB_PAGE_PDF, 0, 1, NULL, &d, &err),
                     WB_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/dir/x.pdf"));
    assert_int_equal(wb_doc_close(NULL, &err), 0);
}

static void test_board_render(void **state)
{
    (void)state;
    test_board t;
    char text[1200];
    memset(text, 'x', sizeof text - 1);
    for (size_t i = 7; i < sizeof text - 1; i += 8)
        text[i] = ' ';
    text[sizeof text - 1] = '\0';
    make_board(&t, text, "en");
    char *pdf = tmp_path(".pdf"), *png = tmp_path(".png");
    wb_error err = {0};
    /* every list full and every text 1200 bytes: one page */
    assert_int_equal(wb_board_render(&t.b, pdf, WB_PAGE_PDF, 0, &err), 0);
    assert_int_equal(wb_board_render(&t.b, png, WB_PAGE_PNG, 72, &err), 0);
    FILE *f = fopen(png, "rb");
    assert_non_null(f);
    unsigned char h[24];
    assert_int_equal(fread(h, 1, sizeof h, f), sizeof h);
    fclose(f);
    assert_memory_equal(h, "\x89PNG\r\n\x1a\n", 8);
    unsigned w = (unsigned)h[16] << 24 | (unsigned)h[17] << 16 | (unsigned)h[18] << 8 | h[19];
    unsigned ht = (unsigned)h[20] << 24 | (unsigned)h[21] << 16 | (unsigned)h[22] << 8 | h[23];
    assert_int_equal(w, 596); /* ceil(595.276) at 72 dpi */
    assert_int_equal(ht, 842);
    char *second = tmp_path("-2.png");
    assert_int_equal(access(second, F_OK), -1); /* one page only */
    unlink(pdf);
    unlink(png);
    free(pdf);
    free(png);
    free(second);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vuln_summary), cmocka_unit_test(test_score_text),
        cmocka_unit_test(test_html),         cmocka_unit_test(test_doc_pages),
        cmocka_unit_test(test_board_render),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    wb_report_cleanup();
    return rc;
}
