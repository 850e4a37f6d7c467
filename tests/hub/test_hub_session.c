/*
 * test_hub_session.c - the web page's sign-in (docs/web.md, "Sign-in
 * API"): TOTP against the test vectors of RFC 6238 and RFC 4226, base32
 * against RFC 4648; then through wb_hub_handle: sign-in answers identical
 * for an unknown user and a wrong password, the cookie's flags, the CSRF
 * refusal, throttling per account and per address, sign-out and expiry,
 * the second factor with recovery codes, first-login links used once, the
 * hub setting that requires a second factor for admins; and the static
 * files (types, no traversal, no hidden files or links, ETag) and GET /'s
 * negotiation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "hub/router.h"
#include "weerbaar/hub.h"
#include "weerbaar/store.h"
#include "weerbaar/websession.h"

#define PW "a good long password"

/* ---- RFC vectors ------------------------------------------------------------------ */

static void test_hotp_rfc4226(void **state)
{
    (void)state;
    static const uint32_t want[] = {755224, 287082, 359152, 969429, 338314,
                                    254676, 287922, 162583, 399871, 520489};
    const uint8_t *key = (const uint8_t *)"12345678901234567890";
    for (uint64_t c = 0; c < 10; c++)
        assert_int_equal(wb_hotp(WB_TOTP_SHA1, key, 20, c, 6), want[c]);
}

static void test_totp_rfc6238(void **state)
{
    (void)state;
    /* RFC 6238 Appendix B: 8 digits, T0 = 0, X = 30. */
    static const struct {
        int64_t t;
        uint32_t sha1, sha256, sha512;
    } v[] = {
        {59, 94287082, 46119246, 90693936},         {1111111109, 7081804, 68084774, 25091201},
        {1111111111, 14050471, 67062674, 99943326}, {1234567890, 89005924, 91819424, 93441116},
        {2000000000, 69279037, 90698825, 38618901}, {20000000000, 65353130, 77737706, 47863826},
    };
    const uint8_t *k1 = (const uint8_t *)"12345678901234567890";
    const uint8_t *k256 = (const uint8_t *)"12345678901234567890123456789012";
    const uint8_t *k512 =
        (const uint8_t *)"1234567890123456789012345678901234567890123456789012345678901234";
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint64_t step = (uint64_t)(v[i].t / 30);
        assert_int_equal(wb_hotp(WB_TOTP_SHA1, k1, 20, step, 8), v[i].sha1);
        assert_int_equal(wb_hotp(WB_TOTP_SHA256, k256, 32, step, 8), v[i].sha256);
        assert_int_equal(wb_hotp(WB_TOTP_SHA512, k512, 64, step, 8), v[i].sha512);
    }
    /* wb_totp_check: 6 digits, one step either side, no further. */
    uint8_t secret[WB_TOTP_SECRET_LEN];
    memcpy(secret, k1, 20);
    char code[8];
    int64_t step = 0;
    snprintf(code, sizeof code, "%06u", wb_hotp(WB_TOTP_SHA1, secret, 20, 1234567890 / 30, 6));
    assert_true(wb_totp_check(secret, code, 1234567890, &step));
    assert_int_equal(step, 1234567890 / 30);
    assert_true(wb_totp_check(secret, code, 1234567890 + 30, &step));
    assert_false(wb_totp_check(secret, code, 1234567890 + 90, &step));
    assert_false(wb_totp_check(secret, "12345", 1234567890, &step));
    assert_false(wb_totp_check(secret, "12345a", 1234567890, &step));
}

static void test_base32_rfc4648(void **state)
{
    (void)state;
    static const char *const want[] = {"",        "MY",       "MZXQ",      "MZXW6",
                                       "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI"};
    for (size_t n = 0; n <= 6; n++) {
        char out[16];
        wb_base32((const uint8_t *)"foobar", n, out);
        assert_string_equal(out, want[n]);
    }
}

/* ---- the hub -------------------------------------------------------------------------- */

typedef struct fixture {
    char dir[64], db[96], web[96];
    wb_hub *hub;
    char key[WB_KEY_TEXT_LEN + 1]; /* the member's */
} fixture;

typedef struct answer {
    unsigned status;
    char body[2048];
    char cookie[192];
    char etag[40];
    unsigned retry;
    const char *type;
} answer;

static answer call(fixture *f, const char *method, const char *path, const char *body,
                   const char *cookie, const char *csrf, const char *peer)
{
    wb_hub_request req = {.method = method,
                          .path = path,
                          .body = body,
                          .body_len = body ? strlen(body) : 0,
                          .cookie = cookie,
                          .csrf = csrf,
                          .content_type = body ? "application/json" : NULL,
                          .peer = peer ? peer : "192.0.2.1"};
    wb_hub_response resp;
    wb_hub_handle(f->hub, &req, &resp);
    answer a = {.status = resp.status, .retry = resp.retry_after, .type = resp.content_type};
    snprintf(a.body, sizeof a.body, "%.*s", (int)resp.body.len,
             resp.body.data ? resp.body.data : "");
    snprintf(a.cookie, sizeof a.cookie, "%s", resp.set_cookie);
    snprintf(a.etag, sizeof a.etag, "%s", resp.etag);
    wb_hub_response_free(&resp);
    return a;
}

/* "wb_session=TOKEN" from a Set-Cookie value. */
static void cookie_of(const answer *a, char *out, size_t cap)
{
    const char *semi = strchr(a->cookie, ';');
    assert_non_null(semi);
    snprintf(out, cap, "%.*s", (int)(semi - a->cookie), a->cookie);
}

static void csrf_of(const answer *a, char *out, size_t cap)
{
    json_t *j = json_loads(a->body, 0, NULL);
    assert_non_null(j);
    snprintf(out, cap, "%s", json_string_value(json_object_get(j, "csrf")));
    json_decref(j);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static int open_hub(fixture *f, bool admin_factor)
{
    wb_hub_opts o = {.db = f->db,
                     .connections = 2,
                     .rate = 1e6,
                     .web_dir = f->web,
                     .admin_second_factor = admin_factor};
    wb_error err;
    return wb_hub_open(&f->hub, &o, &err);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/wb-session-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/hub.db", f->dir);
    snprintf(f->web, sizeof f->web, "%s/web", f->dir);
    char p[160];
    assert_int_equal(mkdir(f->web, 0755), 0);
    snprintf(p, sizeof p, "%s/js", f->web);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/index.html", f->web);
    write_file(p, "<!doctype html><title>page</title>");
    snprintf(p, sizeof p, "%s/js/app.js", f->web);
    write_file(p, "export const x = 1;\n");
    snprintf(p, sizeof p, "%s/site.css", f->web);
    write_file(p, "body{}\n");
    snprintf(p, sizeof p, "%s/README.md", f->web);
    write_file(p, "not served\n");
    snprintf(p, sizeof p, "%s/.secret.js", f->web);
    write_file(p, "hidden\n");
    char target[160];
    snprintf(target, sizeof target, "%s/hub.db", f->dir);
    snprintf(p, sizeof p, "%s/db.json", f->web);
    assert_int_equal(symlink(target, p), 0);
    wb_store *st;
    wb_error err;
    assert_int_equal(wb_store_open(&st, f->db, &err), 0);
    int64_t org = 0, uid = 0;
    assert_int_equal(wb_store_org_add(st, "Org", WB_ORG_ESSENTIAL, NULL, NULL, &org, &err), 0);
    assert_int_equal(wb_store_user_add(st, "m@org.example", org, WB_ROLE_MEMBER, &uid, &err), 0);
    assert_int_equal(wb_store_key_add(st, uid, f->key, NULL, &err), 0);
    assert_int_equal(wb_store_user_add(st, "a@org.example", org, WB_ROLE_ORG_ADMIN, &uid, &err), 0);
    assert_int_equal(wb_store_user_add(st, "n@org.example", org, WB_ROLE_MEMBER, &uid, &err), 0);
    assert_int_equal(wb_password_set(st, "m@org.example", PW, "test", &err), 0);
    assert_int_equal(wb_password_set(st, "a@org.example", PW, "test", &err), 0);
    /* too short */
    assert_int_equal(wb_password_set(st, "n@org.example", "short", "test", &err), WB_EINVAL);
    wb_store_close(st);
    assert_int_equal(open_hub(f, false), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    wb_hub_close(f->hub);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static answer signin(fixture *f, const char *email, const char *pw, const char *totp,
                     const char *peer)
{
    json_t *b = json_pack("{s:s,s:s}", "email", email, "password", pw);
    if (totp) json_object_set_new(b, "totp", json_string(totp));
    char *text = json_dumps(b, JSON_COMPACT);
    answer a = call(f, "POST", "/api/v1/session", text, NULL, NULL, peer);
    free(text);
    json_decref(b);
    return a;
}

static void test_signin_and_csrf(void **state)
{
    fixture *f = *state;
    answer wrong = signin(f, "m@org.example", "not the password", NULL, "192.0.2.2");
    answer nobody = signin(f, "nobody@org.example", "not the password", NULL, "192.0.2.2");
    answer nopw = signin(f, "n@org.example", "not the password", NULL, "192.0.2.2");
    assert_int_equal(wrong.status, 401);
    assert_string_equal(wrong.body,
                        "{\"error\":{\"code\":\"signin_failed\",\"message\":\"sign-in failed\"}}");
    assert_string_equal(nobody.body, wrong.body);
    assert_int_equal(nobody.status, 401);
    assert_string_equal(nopw.body, wrong.body);
    assert_string_equal(wrong.cookie, "");

    answer ok = signin(f, "M@ORG.example", PW, NULL, "192.0.2.2");
    assert_int_equal(ok.status, 200);
    assert_non_null(strstr(ok.body, "\"role\":\"member\""));
    assert_non_null(strstr(ok.body, "\"expires\":\""));
    assert_non_null(strstr(ok.body, "\"idle_seconds\":1800")); /* the default idle limit */
    assert_non_null(strstr(ok.cookie, "; HttpOnly; SameSite=Strict; Path=/"));
    assert_null(strstr(ok.cookie, "Secure")); /* no TLS here */
    char cookie[128], csrf[80];
    cookie_of(&ok, cookie, sizeof cookie);
    csrf_of(&ok, csrf, sizeof csrf);
    assert_int_equal(strlen(cookie), strlen("wb_session=") + 64);

    /* the session works as the user's key would */
    assert_int_equal(call(f, "GET", "/api/v1/session", NULL, cookie, NULL, NULL).status, 200);
    assert_int_equal(call(f, "GET", "/api/v1/events", NULL, cookie, NULL, NULL).status, 200);
    assert_int_equal(call(f, "GET", "/api/v1/audit", NULL, cookie, NULL, NULL).status, 403);
    /* a state-changing request needs the CSRF header */
    const char *ev = "{\"Event\":{\"info\":\"x\",\"Attribute\":[]}}";
    answer a = call(f, "POST", "/api/v1/events", ev, cookie, NULL, NULL);
    assert_int_equal(a.status, 403);
    /* the API's one error shape (docs/hub.md "Errors"), which web/js/api.js reads */
    assert_string_equal(
        a.body,
        "{\"error\":{\"code\":\"csrf_failed\",\"message\":\"CSRF token missing or wrong\"}}");
    a = call(f, "POST", "/api/v1/events", ev, cookie, "00000000000000000000000000000000", NULL);
    assert_int_equal(a.status, 403);
    a = call(f, "DELETE", "/api/v1/events/0badc0de-0000-4000-8000-000000000000", NULL, cookie, "",
             NULL);
    assert_int_equal(a.status, 403);
    a = call(f, "POST", "/api/v1/events", ev, cookie, csrf, NULL);
    assert_int_equal(a.status, 201);
    /* and the body is not read without it: wb_hub_admit refuses on the headers */
    wb_hub_request req = {.method = "POST", .path = "/api/v1/events", .cookie = cookie};
    wb_hub_response resp;
    assert_false(wb_hub_admit(f->hub, &req, &resp));
    assert_int_equal(resp.status, 403);
    wb_hub_response_free(&resp);
    /* an API key needs no CSRF token */
    char auth[80];
    snprintf(auth, sizeof auth, "Bearer %s", f->key);
    wb_hub_request kr = {.method = "DELETE",
                         .path = "/api/v1/events/0badc0de-0000-4000-8000-000000000000",
                         .authorization = auth,
                         .cookie = cookie};
    wb_hub_handle(f->hub, &kr, &resp);
    assert_int_equal(resp.status, 404);
    wb_hub_response_free(&resp);

    /* sign-out revokes: the same cookie no longer works */
    assert_int_equal(call(f, "DELETE", "/api/v1/session", NULL, cookie, NULL, NULL).status, 403);
    a = call(f, "DELETE", "/api/v1/session", NULL, cookie, csrf, NULL);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.cookie, "wb_session=; "));
    assert_non_null(strstr(a.cookie, "Max-Age=0"));
    assert_int_equal(call(f, "GET", "/api/v1/session", NULL, cookie, NULL, NULL).status, 401);
    assert_int_equal(call(f, "GET", "/api/v1/events", NULL, cookie, NULL, NULL).status, 401);

    /* sign-in by API key; the session ends with the key */
    char body[128];
    snprintf(body, sizeof body, "{\"key\":\"%s\"}", f->key);
    a = call(f, "POST", "/api/v1/session", body, NULL, NULL, "192.0.2.3");
    assert_int_equal(a.status, 200);
    cookie_of(&a, cookie, sizeof cookie);
    assert_int_equal(call(f, "GET", "/api/v1/events", NULL, cookie, NULL, NULL).status, 200);
    /* a form from another site cannot sign in: JSON only */
    wb_hub_request form = {.method = "POST",
                           .path = "/api/v1/session",
                           .body = body,
                           .body_len = strlen(body),
                           .content_type = "text/plain"};
    wb_hub_handle(f->hub, &form, &resp);
    assert_int_equal(resp.status, 415);
    wb_hub_response_free(&resp);
    /* nor a body larger than any sign-in needs */
    char *big = malloc(20000);
    assert_non_null(big);
    memset(big, ' ', 19999);
    big[0] = '{';
    big[19998] = '}';
    big[19999] = '\0';
    assert_int_equal(call(f, "POST", "/api/v1/session", big, NULL, NULL, NULL).status, 413);
    free(big);
}

static void test_expiry_and_service(void **state)
{
    fixture *f = *state;
    wb_store *st;
    wb_error err;
    assert_int_equal(wb_store_open(&st, f->db, &err), 0);
    wb_signin_opts o = {.session_seconds = 3600, .idle_seconds = -1}; /* the lifetime alone */
    wb_signin_result res;
    wb_web_started out;
    wb_time now = wb_time_now();
    assert_int_equal(wb_signin(st, &o, "m@org.example", PW, NULL, NULL, now, &res, &out, &err), 0);
    assert_int_equal(res, WB_SIGNIN_OK);
    wb_web_session s;
    assert_int_equal(wb_session_check(st, out.token, 64, now + 3599 * 1000000LL, &s, &err), 0);
    assert_int_equal(wb_session_check(st, out.token, 64, now + 3601 * 1000000LL, &s, &err),
                     WB_ENOTFOUND);
    /* a wrong token of the right length, and a short one */
    char bad[65];
    memcpy(bad, out.token, 65);
    bad[0] = bad[0] == 'a' ? 'b' : 'a';
    assert_int_equal(wb_session_check(st, bad, 64, now, &s, &err), WB_ENOTFOUND);
    assert_int_equal(wb_session_check(st, out.token, 63, now, &s, &err), WB_ENOTFOUND);
    /* an admin's new password ends every session */
    assert_int_equal(wb_password_set(st, "m@org.example", PW, "test", &err), 0);
    assert_int_equal(wb_session_check(st, out.token, 64, now, &s, &err), WB_ENOTFOUND);

    /* The idle limit (10 minutes here): a session in use lives on, one
     * unused for the limit ends, before its lifetime does. */
    const int64_t S = 1000000LL;
    o.idle_seconds = 600;
    assert_int_equal(wb_signin(st, &o, "m@org.example", PW, NULL, NULL, now, &res, &out, &err), 0);
    assert_int_equal(wb_session_check(st, out.token, 64, now + 300 * S, &s, &err), 0);
    assert_int_equal(s.idle_seconds, 600);
    assert_int_equal(wb_session_check(st, out.token, 64, now + 850 * S, &s, &err), 0);
    /* The use is recorded in the database, not in this process: another
     * connection (a second hub node) counts from it. 1400 s after sign-in
     * is 550 s after the last use. */
    wb_store *st2;
    assert_int_equal(wb_store_open(&st2, f->db, &err), 0);
    assert_int_equal(wb_session_check(st2, out.token, 64, now + 1400 * S, &s, &err), 0);
    assert_int_equal(wb_session_check(st, out.token, 64, now + 1900 * S, &s, &err), 0);
    /* 600 s unused: ended, on every node */
    assert_int_equal(wb_session_check(st2, out.token, 64, now + 2500 * S, &s, &err), WB_ENOTFOUND);
    assert_int_equal(wb_session_check(st, out.token, 64, now + 2500 * S, &s, &err), WB_ENOTFOUND);
    wb_store_close(st2);
    /* the default is 30 minutes; a negative limit is none (the lifetime only) */
    o.idle_seconds = 0;
    assert_int_equal(wb_signin(st, &o, "m@org.example", PW, NULL, NULL, now, &res, &out, &err), 0);
    assert_int_equal(wb_session_check(st, out.token, 64, now + 1799 * S, &s, &err), 0);
    assert_int_equal(s.idle_seconds, 1800);
    assert_int_equal(wb_session_check(st, out.token, 64, now + 3599 * S, &s, &err), WB_ENOTFOUND);
    o.idle_seconds = -1;
    assert_int_equal(wb_signin(st, &o, "m@org.example", PW, NULL, NULL, now, &res, &out, &err), 0);
    assert_int_equal(wb_session_check(st, out.token, 64, now + 3599 * S, &s, &err), 0);
    assert_int_equal(s.idle_seconds, 0);
    wb_store_close(st);
}

static void test_throttle(void **state)
{
    fixture *f = *state;
    /* per account: 5 failures, then 429 with Retry-After, also for the
     * right password (from another address) */
    for (int i = 0; i < 5; i++)
        assert_int_equal(signin(f, "a@org.example", "wrong password", NULL, "192.0.2.10").status,
                         401);
    answer a = signin(f, "a@org.example", "wrong password", NULL, "192.0.2.11");
    assert_int_equal(a.status, 429);
    assert_true(a.retry > 0);
    assert_non_null(strstr(a.body, "too many sign-in attempts"));
    assert_int_equal(signin(f, "a@org.example", PW, NULL, "192.0.2.12").status, 429);
    /* per address: 20 failures over different accounts at once (a token
     * comes back every 3 s, and each failure takes Argon2id's time) */
    int i = 0;
    for (; i < 30; i++) {
        char email[64];
        snprintf(email, sizeof email, "nobody%d@org.example", i);
        unsigned st = signin(f, email, "x", NULL, "192.0.2.20").status;
        if (st == 429) break;
        assert_int_equal(st, 401);
    }
    assert_true(i >= 20 && i < 30);
    assert_int_equal(signin(f, "m@org.example", PW, NULL, "192.0.2.20").status, 429);
    /* successes do not count */
    for (int k = 0; k < 6; k++)
        assert_int_equal(signin(f, "m@org.example", PW, NULL, "192.0.2.30").status, 200);
}

static void test_totp_flow(void **state)
{
    fixture *f = *state;
    answer a = signin(f, "m@org.example", PW, NULL, "192.0.2.40");
    assert_int_equal(a.status, 200);
    char cookie[128], csrf[80];
    cookie_of(&a, cookie, sizeof cookie);
    csrf_of(&a, csrf, sizeof csrf);
    a = call(f, "POST", "/api/v1/session/totp/setup", "{}", cookie, csrf, NULL);
    assert_int_equal(a.status, 200);
    json_t *j = json_loads(a.body, 0, NULL);
    assert_non_null(j);
    const char *secret32 = json_string_value(json_object_get(j, "secret"));
    assert_non_null(strstr(json_string_value(json_object_get(j, "otpauth_uri")),
                           "otpauth://totp/weerbaar:m%40org.example?secret="));
    json_t *codes = json_object_get(j, "recovery_codes");
    assert_int_equal(json_array_size(codes), 10);
    char recovery[32];
    snprintf(recovery, sizeof recovery, "%s", json_string_value(json_array_get(codes, 3)));
    /* the secret back from base32, to compute codes as an app would */
    uint8_t secret[20] = {0};
    size_t bits = 0;
    for (const char *p = secret32; *p; p++) {
        unsigned v = *p >= 'A' ? (unsigned)(*p - 'A') : (unsigned)(*p - '2' + 26);
        for (int b = 4; b >= 0; b--, bits++)
            if (bits < 160 && ((v >> b) & 1)) secret[bits / 8] |= (uint8_t)(0x80 >> (bits % 8));
    }
    json_decref(j);
    /* not on before it is confirmed */
    assert_int_equal(signin(f, "m@org.example", PW, NULL, "192.0.2.40").status, 200);
    int64_t step = wb_time_now() / 1000000 / 30;
    char code[8];
    snprintf(code, sizeof code, "%06u", wb_hotp(WB_TOTP_SHA1, secret, 20, (uint64_t)step, 6));
    char body[64];
    snprintf(body, sizeof body, "{\"code\":\"%06u\"}",
             (wb_hotp(WB_TOTP_SHA1, secret, 20, (uint64_t)step, 6) + 1) % 1000000);
    assert_int_equal(
        call(f, "POST", "/api/v1/session/totp/confirm", body, cookie, csrf, NULL).status, 400);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    assert_int_equal(
        call(f, "POST", "/api/v1/session/totp/confirm", body, cookie, csrf, NULL).status, 200);
    /* now the password alone is not enough */
    a = signin(f, "m@org.example", PW, NULL, "192.0.2.41");
    assert_int_equal(a.status, 401);
    assert_string_equal(a.body,
                        "{\"error\":{\"code\":\"totp_required\",\"message\":\"second factor "
                        "required\"},\"totp_required\":true}");
    /* the code confirm used is not good again (replay) */
    assert_int_equal(signin(f, "m@org.example", PW, code, "192.0.2.41").status, 401);
    /* the next step's code is */
    snprintf(code, sizeof code, "%06u", wb_hotp(WB_TOTP_SHA1, secret, 20, (uint64_t)step + 1, 6));
    assert_int_equal(signin(f, "m@org.example", PW, code, "192.0.2.42").status, 200);
    /* a recovery code, once, in any case and without dashes */
    char loose[32];
    size_t o = 0;
    for (const char *p = recovery; *p; p++)
        if (*p != '-') loose[o++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    loose[o] = '\0';
    assert_int_equal(signin(f, "m@org.example", PW, loose, "192.0.2.43").status, 200);
    assert_int_equal(signin(f, "m@org.example", PW, recovery, "192.0.2.44").status, 401);
    /* a second set-up is refused while one is on */
    assert_int_equal(call(f, "POST", "/api/v1/session/totp/setup", "{}", cookie, csrf, NULL).status,
                     409);
    /* a lost device: an admin removes the second factor (admin user
     * second-factor-reset); the user's sessions end, the password alone
     * signs in again, and the old recovery codes are gone */
    wb_store *st;
    wb_error err;
    assert_int_equal(wb_store_open(&st, f->db, &err), 0);
    assert_int_equal(wb_totp_reset(st, "nobody@org.example", "test", &err), WB_ENOTFOUND);
    assert_int_equal(wb_totp_reset(st, "m@org.example", "test", &err), 0);
    wb_store_close(st);
    assert_int_equal(call(f, "GET", "/api/v1/session", NULL, cookie, NULL, NULL).status, 401);
    assert_int_equal(signin(f, "m@org.example", PW, NULL, "192.0.2.45").status, 200);
}

static void test_first_login_link(void **state)
{
    fixture *f = *state;
    wb_store *st;
    wb_error err;
    assert_int_equal(wb_store_open(&st, f->db, &err), 0);
    char token[WB_WEB_TOKEN_LEN + 1], old[WB_WEB_TOKEN_LEN + 1];
    wb_time now = wb_time_now();
    assert_int_equal(wb_signin_link_new(st, "n@org.example", 3600, "test", now, token, &err), 0);
    /* an expired link */
    assert_int_equal(
        wb_signin_link_new(st, "n@org.example", 3600, "test", now - 7200 * 1000000LL, old, &err),
        0);
    assert_int_equal(wb_signin_link_new(st, "nobody@org.example", 3600, "test", now, old, &err),
                     WB_ENOTFOUND);
    wb_store_close(st);
    char body[200];
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"short\"}", token);
    answer a = call(f, "POST", "/api/v1/session/first-login", body, NULL, NULL, "192.0.2.50");
    assert_int_equal(a.status, 400); /* too short; the link stays usable */
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"%s\"}", token, PW);
    a = call(f, "POST", "/api/v1/session/first-login", body, NULL, NULL, "192.0.2.50");
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "\"email\":\"n@org.example\""));
    assert_non_null(strstr(a.cookie, "wb_session="));
    a = call(f, "POST", "/api/v1/session/first-login", body, NULL, NULL, "192.0.2.50");
    assert_int_equal(a.status, 401);
    assert_non_null(strstr(a.body, "the link is not valid"));
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"%s\"}", old, PW);
    assert_int_equal(
        call(f, "POST", "/api/v1/session/first-login", body, NULL, NULL, "192.0.2.50").status, 401);
    assert_int_equal(signin(f, "n@org.example", PW, NULL, "192.0.2.51").status, 200);
}

static void test_admin_second_factor(void **state)
{
    fixture *f = *state;
    wb_hub_close(f->hub);
    assert_int_equal(open_hub(f, true), 0);
    answer a = signin(f, "a@org.example", PW, NULL, "192.0.2.60");
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "\"totp_setup_required\":true"));
    char cookie[128], csrf[80];
    cookie_of(&a, cookie, sizeof cookie);
    csrf_of(&a, csrf, sizeof csrf);
    a = call(f, "GET", "/api/v1/events", NULL, cookie, NULL, NULL);
    assert_int_equal(a.status, 403);
    assert_non_null(strstr(a.body, "\"totp_setup_required\":true"));
    assert_int_equal(call(f, "GET", "/api/v1/session", NULL, cookie, NULL, NULL).status, 200);
    assert_int_equal(call(f, "POST", "/api/v1/session/totp/setup", "{}", cookie, csrf, NULL).status,
                     200);
    /* a member is not asked */
    a = signin(f, "m@org.example", PW, NULL, "192.0.2.61");
    assert_int_equal(a.status, 200);
    assert_null(strstr(a.body, "totp_setup_required"));
    wb_hub_close(f->hub);
    assert_int_equal(open_hub(f, false), 0);
}

static void test_static_files(void **state)
{
    fixture *f = *state;
    answer a = call(f, "GET", "/js/app.js", NULL, NULL, NULL, NULL);
    assert_int_equal(a.status, 200);
    assert_string_equal(a.type, "text/javascript; charset=utf-8");
    assert_string_equal(a.body, "export const x = 1;\n");
    assert_int_equal(a.etag[0], '"');
    a = call(f, "GET", "/site.css", NULL, NULL, NULL, NULL);
    assert_string_equal(a.type, "text/css; charset=utf-8");
    a = call(f, "HEAD", "/site.css", NULL, NULL, NULL, NULL);
    assert_int_equal(a.status, 200);
    static const char *const refused[] = {
        "/README.md",        "/.secret.js", "/db.json",     "/js",          "/js/",
        "/js/../index.html", "/../hub.db",  "/index.html/", "//index.html", "/js/app.js%00"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        a = call(f, "GET", refused[i], NULL, NULL, NULL, NULL);
        if (a.status != 404) fail_msg("%s answered %u", refused[i], a.status);
        assert_string_equal(a.type ? a.type : "application/json", "application/json");
    }
    /* ETag: 304 to If-None-Match */
    a = call(f, "GET", "/js/app.js", NULL, NULL, NULL, NULL);
    char etag[40];
    snprintf(etag, sizeof etag, "%s", a.etag);
    wb_hub_request req = {.method = "GET", .path = "/js/app.js", .if_none_match = etag};
    wb_hub_response resp;
    wb_hub_handle(f->hub, &req, &resp);
    assert_int_equal(resp.status, 304);
    assert_int_equal(resp.body.len, 0);
    wb_hub_response_free(&resp);
    /* GET /: the page, or JSON to a client asking for it */
    static const struct {
        const char *accept;
        bool json;
    } neg[] = {
        {NULL, false},
        {"*/*", false},
        {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
        {"application/json", true},
        {"application/json, text/plain, */*", true},
        {"text/html;q=0.5, application/json;q=0.9", true},
        {"text/html, application/json", false},
        {"application/json;q=0", false},
    };
    for (size_t i = 0; i < sizeof neg / sizeof neg[0]; i++) {
        wb_hub_request r2 = {.method = "GET", .path = "/", .accept = neg[i].accept};
        wb_hub_handle(f->hub, &r2, &resp);
        assert_int_equal(resp.status, 200);
        bool is_json = resp.content_type == NULL;
        if (is_json != neg[i].json) fail_msg("Accept: %s", neg[i].accept ? neg[i].accept : "-");
        wb_hub_response_free(&resp);
    }
    a = call(f, "GET", "/api/v1/", NULL, NULL, NULL, NULL);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "\"api\":\"/api/v1\""));
}

/* The throttles' tables: keys chosen by strangers (e-mails, addresses)
 * must not grow them without bound; a bucket that is not full stays. */
static void test_ratelimit_prune(void **state)
{
    (void)state;
    wbi_hub_ratelimit rl;
    assert_int_equal(wbi_hub_ratelimit_init(&rl, 1000, 1), 0);
    unsigned retry;
    wb_time t = 1000000000000LL;
    assert_true(wbi_hub_ratelimit_take(&rl, 7, t, &retry));
    assert_false(wbi_hub_ratelimit_take(&rl, 7, t, &retry));
    /* many keys at the same moment: none is full, all are kept */
    for (int64_t k = 100; k < 10100; k++)
        assert_true(wbi_hub_ratelimit_take(&rl, k, t, &retry));
    assert_false(wbi_hub_ratelimit_take(&rl, 7, t, &retry));
    assert_true(rl.used >= 10001);
    /* a million keys over time, each refilled a millisecond later */
    for (int64_t k = 0; k < 1000000; k++)
        assert_true(wbi_hub_ratelimit_take(&rl, 20000 + k, t + 1000 + k * 10, &retry));
    assert_true(rl.cap <= 65536);
    wbi_hub_ratelimit_free(&rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hotp_rfc4226),
        cmocka_unit_test(test_totp_rfc6238),
        cmocka_unit_test(test_base32_rfc4648),
        cmocka_unit_test(test_ratelimit_prune),
        cmocka_unit_test_setup_teardown(test_signin_and_csrf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry_and_service, setup, teardown),
        cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_totp_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_login_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_second_factor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_static_files, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
