/*
 * test_accounts.c - the accounts service (accounts.h) without a front end:
 * who may run which operation (a site admin everything; an org admin their
 * own organisation's users and keys, never a site admin, never another
 * organisation's; members and sensors nothing), that a refused call writes
 * nothing, the key check's states (revoked, expired, user or organisation
 * disabled) and its last-use record at day resolution, and the import
 * parser's CSV edge cases.
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
#include <jansson.h>

#include "weerbaar/accounts.h"

typedef struct fixture {
    char dir[64], db[96];
    wb_store *st;
    wb_actor op, oa, member;
} fixture;

static int run(fixture *f, const wb_actor *who, const char *object, const char *action,
               wb_acct_args a, bool *forbidden, json_t **out)
{
    wb_buf b = {0};
    wb_error err = {0};
    bool fb = false;
    int rc =
        wb_acct_run(f->st, who, wb_acct_op_find(object, action), &a, wb_time_now(), &b, &fb, &err);
    if (forbidden) *forbidden = fb;
    if (out) *out = rc == 0 ? json_loadb(b.data, b.len, 0, NULL) : NULL;
    wb_buf_free(&b);
    return rc;
}

static void ok(fixture *f, const wb_actor *who, const char *object, const char *action,
               wb_acct_args a)
{
    assert_int_equal(run(f, who, object, action, a, NULL, NULL), 0);
}

static void refused(fixture *f, const wb_actor *who, const char *object, const char *action,
                    wb_acct_args a)
{
    bool forbidden = false;
    assert_int_equal(run(f, who, object, action, a, &forbidden, NULL), WB_EINVAL);
    assert_true(forbidden);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/wb-acct-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/hub.db", f->dir);
    wb_error err;
    assert_int_equal(wb_acct_open(&f->st, f->db, &err), 0);
    f->op = wb_incsvc_operator();
    ok(f, &f->op, "org", "add", (wb_acct_args){.target = "A", .kind = "essential"});
    ok(f, &f->op, "org", "add", (wb_acct_args){.target = "B", .kind = "other"});
    ok(f, &f->op, "user", "add",
       (wb_acct_args){.target = "oa@a.example", .org = "A", .role = "org-admin"});
    ok(f, &f->op, "user", "add",
       (wb_acct_args){.target = "m@a.example", .org = "A", .role = "member"});
    ok(f, &f->op, "user", "add",
       (wb_acct_args){.target = "m@b.example", .org = "B", .role = "member"});
    ok(f, &f->op, "user", "add",
       (wb_acct_args){.target = "sa@a.example", .org = "A", .role = "site-admin"});
    f->oa = (wb_actor){"oa@a.example", 1, "A", WB_ROLE_ORG_ADMIN, WB_ACTOR_API, NULL, 0};
    f->member = (wb_actor){"m@a.example", 1, "A", WB_ROLE_MEMBER, WB_ACTOR_API, NULL, 0};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    wb_acct_close(f->st);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static size_t audit_count(fixture *f)
{
    json_t *rows = NULL;
    assert_int_equal(run(f, &f->op, "audit", "list", (wb_acct_args){.limit = 100000}, NULL, &rows),
                     0);
    size_t n = json_array_size(rows);
    json_decref(rows);
    return n;
}

static void test_rights(void **state)
{
    fixture *f = *state;
    size_t before = audit_count(f);
    /* an org admin: no organisations, sharing groups or audit */
    refused(f, &f->oa, "org", "add", (wb_acct_args){.target = "C", .kind = "other"});
    refused(f, &f->oa, "org", "disable", (wb_acct_args){.target = "A"});
    refused(f, &f->oa, "sharing-group", "add", (wb_acct_args){.target = "G", .orgs = "A"});
    refused(f, &f->oa, "audit", "list", (wb_acct_args){0});
    /* not another organisation's users, not a site admin, never make one */
    refused(f, &f->oa, "user", "disable", (wb_acct_args){.target = "m@b.example"});
    refused(f, &f->oa, "user", "disable", (wb_acct_args){.target = "sa@a.example"});
    refused(f, &f->oa, "key", "add", (wb_acct_args){.target = "m@b.example"});
    refused(f, &f->oa, "user", "add",
            (wb_acct_args){.target = "x@a.example", .org = "A", .role = "site-admin"});
    refused(f, &f->oa, "user", "add",
            (wb_acct_args){.target = "x@b.example", .org = "B", .role = "member"});
    refused(f, &f->oa, "user", "set", (wb_acct_args){.target = "m@a.example", .org = "B"});
    /* members nothing */
    refused(f, &f->member, "user", "list", (wb_acct_args){0});
    refused(f, &f->member, "key", "add", (wb_acct_args){.target = "m@a.example"});
    assert_int_equal(audit_count(f), before); /* nothing written */
    /* what an org admin may do, in their organisation */
    ok(f, &f->oa, "user", "add", (wb_acct_args){.target = "n@a.example", .role = "sensor"});
    ok(f, &f->oa, "key", "add", (wb_acct_args){.target = "n@a.example", .comment = "sensor 1"});
    ok(f, &f->oa, "user", "disable", (wb_acct_args){.target = "n@a.example"});
    json_t *rows = NULL;
    assert_int_equal(run(f, &f->oa, "user", "list", (wb_acct_args){0}, NULL, &rows), 0);
    size_t i;
    json_t *u;
    json_array_foreach(rows, i, u)
        assert_string_equal(json_string_value(json_object_get(u, "org")), "A");
    assert_int_equal(json_array_size(rows), 4);
    json_decref(rows);
    assert_int_equal(audit_count(f), before + 3);
}

static void test_key_states(void **state)
{
    fixture *f = *state;
    json_t *k = NULL;
    assert_int_equal(
        run(f, &f->op, "key", "add", (wb_acct_args){.target = "m@b.example"}, NULL, &k), 0);
    char key[WB_KEY_TEXT_LEN + 1];
    snprintf(key, sizeof key, "%s",
             json_string_value(json_object_get(json_object_get(k, "key"), "key")));
    json_decref(k);
    wb_keyowner o;
    wb_key_state st;
    wb_error err;
    wb_time now = wb_time_now(), day = now - now % ((wb_time)86400 * 1000000);
    assert_int_equal(wb_acct_key_auth(f->st, key, strlen(key), now, &o, &st, &err), 0);
    assert_int_equal(st, WB_KEY_OK);
    assert_int_equal(o.last_used, day);
    /* the next day's first use records again; the same day's does not */
    assert_int_equal(wb_acct_key_auth(f->st, key, strlen(key), now + 86400000000LL, &o, &st, &err),
                     0);
    assert_int_equal(o.last_used, day + 86400000000LL);
    ok(f, &f->op, "user", "disable", (wb_acct_args){.target = "m@b.example"});
    assert_int_equal(wb_acct_key_auth(f->st, key, strlen(key), now, &o, &st, &err), 0);
    assert_int_equal(st, WB_KEY_USER_DISABLED);
    ok(f, &f->op, "user", "enable", (wb_acct_args){.target = "m@b.example"});
    ok(f, &f->op, "org", "disable", (wb_acct_args){.target = "B"});
    assert_int_equal(wb_acct_key_auth(f->st, key, strlen(key), now, &o, &st, &err), 0);
    assert_int_equal(st, WB_KEY_ORG_DISABLED);
    ok(f, &f->op, "org", "enable", (wb_acct_args){.target = "B"});
    assert_int_equal(wb_acct_key_auth(f->st, key, strlen(key), now, &o, &st, &err), 0);
    assert_int_equal(st, WB_KEY_OK);
    /* expiry: accepted before, refused from the moment on, saying so */
    assert_int_equal(run(f, &f->op, "key", "add",
                         (wb_acct_args){.target = "m@b.example", .expires = "2999-01-01"}, NULL,
                         &k),
                     0);
    snprintf(key, sizeof key, "%s",
             json_string_value(json_object_get(json_object_get(k, "key"), "key")));
    json_decref(k);
    wb_time exp;
    assert_int_equal(wb_time_parse("2999-01-01", 10, &exp), 0);
    assert_int_equal(wb_acct_key_auth(f->st, key, strlen(key), exp - 1, &o, &st, &err), 0);
    assert_int_equal(st, WB_KEY_OK);
    assert_int_equal(wb_acct_key_auth(f->st, key, strlen(key), exp, &o, &st, &err), 0);
    assert_int_equal(st, WB_KEY_EXPIRED);
    char msg[160];
    wb_acct_key_refusal(st, &o, msg, sizeof msg);
    assert_non_null(strstr(msg, "expired at 2999-01-01T00:00:00Z"));
    ok(f, &f->op, "key", "revoke", (wb_acct_args){.target = "m@b.example"});
    assert_int_equal(wb_acct_key_auth(f->st, key, strlen(key), now, &o, &st, &err), 0);
    assert_int_equal(st, WB_KEY_REVOKED);
    assert_int_equal(wb_acct_key_auth(f->st, "00", 2, now, &o, &st, &err), 0);
    assert_int_equal(st, WB_KEY_UNKNOWN);
}

static size_t problems;
static char last_problem[800];
static void on_problem(void *ud, const char *msg)
{
    (void)ud;
    problems++;
    snprintf(last_problem, sizeof last_problem, "%s", msg);
}

static size_t parse(const char *text, size_t *rows)
{
    wb_acct_import *im = NULL;
    wb_error err;
    problems = 0;
    last_problem[0] = '\0';
    assert_int_equal(wb_acct_import_parse("t.csv", text, strlen(text), &im, on_problem, NULL, &err),
                     0);
    *rows = wb_acct_import_count(im);
    size_t n = wb_acct_import_problems(im);
    assert_int_equal(n, problems);
    wb_acct_import_free(im);
    return n;
}

static void test_import_parse(void **state)
{
    (void)state;
    size_t rows;
    /* quotes, doubled quotes, a comma and a line break inside quotes, CRLF,
     * a byte order mark, comments, blank lines, spaces around fields */
    assert_int_equal(parse("\xef\xbb\xbf"
                           "Organisation , Kind,email,role\r\n"
                           "# members\r\n"
                           "\"Water, \"\"Noord\"\"\",essential,a@w.example,member\r\n"
                           "\r\n"
                           "\"Two\nLines\",other,,\n"
                           "  C  ,csirt,b@c.example , sensor\n",
                           &rows),
                     1);
    assert_int_equal(rows, 3);
    assert_non_null(strstr(last_problem, "t.csv:5: organisation: control characters"));
    assert_int_equal(
        parse("org,kind\n\"Water, \"\"Noord\"\"\",other\n\"a\nb\",\"c\nd\"\nZ,x\n", &rows), 4);
    assert_non_null(strstr(last_problem, "t.csv:6: kind: 'x'"));
    assert_int_equal(parse("kind,role\nother,member\n", &rows), 1);
    assert_non_null(strstr(last_problem, "t.csv:1: the header line must name an organisation"));
    assert_int_equal(parse("org,kind\nA,other,extra\nB,nokind\n\"open,other\n", &rows), 3);
    assert_non_null(strstr(last_problem, "t.csv:4: a quoted field is not closed"));
    assert_int_equal(parse("org,email\nA,not-an-address\n", &rows), 2); /* and no role */
    assert_int_equal(parse("org,colour\nA,red\n", &rows), 1);
    assert_int_equal(parse("", &rows), 1);
    /* an unknown member, a user without organisation and role */
    assert_int_equal(parse("{\"users\": [{\"email\": \"a@b.example\"}], \"x\": 1}", &rows), 3);
    assert_int_equal(parse("{\"organisations\": [{\"name\": \"A\", \"kind\": \"other\"}]}", &rows),
                     0);
    assert_int_equal(rows, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rights, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_states, setup, teardown),
        cmocka_unit_test(test_import_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
