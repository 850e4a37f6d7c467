/*
 * session_api.c - the web page's sign-in over HTTP (docs/web.md, "Sign-in
 * API"): POST/GET/DELETE /api/v1/session, the password change, the
 * first-login link and the second factor's set-up; and, for the router,
 * the session cookie as a way to authenticate every /api/v1 route (with
 * its CSRF check). The rules are the sign-in service's (websession.h);
 * this file parses, throttles and answers.
 *
 * Errors have the API's one shape, {"error": {"code", "message"}} (the
 * page shows the message, and acts on the code: csrf_failed, rate_limited,
 * totp_required); a few add a member beside "error" (totp_required,
 * totp_setup_required). Throttling is in memory, per account and per client address
 * (token buckets, ratelimit.c): a failed attempt spends a token of each,
 * a successful one gives them back.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "hub/router.h"

#define COOKIE_NAME "wb_session"
#define MAX_BODY 16384

/* ---- parsing (pure: the fuzz target drives it) ---------------------------------- */

bool wbi_hub_cookie_session(const char *cookie, const char **val, size_t *n)
{
    if (cookie == NULL) return false;
    const char *p = cookie;
    const size_t cn = sizeof COOKIE_NAME - 1;
    while (*p) {
        while (*p == ' ' || *p == ';' || *p == '\t')
            p++;
        const char *name = p;
        while (*p && *p != '=' && *p != ';')
            p++;
        size_t nn = (size_t)(p - name);
        while (nn > 0 && (name[nn - 1] == ' ' || name[nn - 1] == '\t'))
            nn--;
        if (*p != '=') continue;
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        const char *v = p;
        while (*p && *p != ';')
            p++;
        size_t vn = (size_t)(p - v);
        while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
            vn--;
        if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
            v++;
            vn -= 2;
        }
        if (nn == cn && memcmp(name, COOKIE_NAME, cn) == 0) {
            *val = v;
            *n = vn;
            return true;
        }
    }
    return false;
}

/* A string member of o: NULL when absent or null; *bad when another type
 * or longer than max. */
static const char *member(const json_t *o, const char *key, size_t max, bool *bad)
{
    const json_t *v = json_object_get(o, key);
    if (v == NULL || json_is_null(v)) return NULL;
    if (!json_is_string(v) || json_string_length(v) > max ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        *bad = true;
        return NULL;
    }
    return json_string_value(v);
}

int wbi_hub_session_body_parse(const char *body, size_t len, unsigned max_depth, json_t **root,
                               wbi_hub_session_body *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    wbi_problem prob;
    *root = wbi_json_load(body, len, max_depth, &prob);
    if (*root == NULL) {
        snprintf(why, cap, "%s", prob.msg);
        return -1;
    }
    if (!json_is_object(*root)) {
        snprintf(why, cap, "the body must be a JSON object");
        return -1;
    }
    bool bad = false;
    out->email = member(*root, "email", WB_EMAIL_MAX, &bad);
    out->password = member(*root, "password", WB_PASSWORD_MAX, &bad);
    out->totp = member(*root, "totp", 64, &bad);
    out->key = member(*root, "key", 256, &bad);
    out->token = member(*root, "token", 256, &bad);
    out->old = member(*root, "old", WB_PASSWORD_MAX, &bad);
    out->new_password = member(*root, "new", WB_PASSWORD_MAX, &bad);
    out->code = member(*root, "code", 64, &bad);
    if (bad) {
        snprintf(why, cap, "every member must be a string of sensible length");
        return -1;
    }
    return 0;
}

/* ---- replies ------------------------------------------------------------------------ */

static void reply_words(wbi_hub_req *r, unsigned status, const char *code, const char *msg)
{
    wbi_hub_reply_error(r, status, code, "%s", msg);
}

/* The error with one more member beside it, flag: true. */
static void reply_flagged(wbi_hub_req *r, unsigned status, const char *code, const char *msg,
                          const char *flag)
{
    wbi_hub_reply_json(
        r, status, json_pack("{s:{s:s,s:s},s:b}", "error", "code", code, "message", msg, flag, 1));
}

static void reply_session(wbi_hub_req *r, const wb_web_session *s)
{
    char exp[40] = "";
    if (s->expires) wb_time_format(s->expires, exp, sizeof exp);
    json_t *o = json_pack("{s:{s:s,s:s,s:s},s:s}", "user", "email", s->email, "org", s->org_name,
                          "role", wb_role_name(s->role), "csrf", s->csrf);
    if (o && exp[0]) json_object_set_new(o, "expires", json_string(exp));
    if (o && s->idle_seconds > 0)
        json_object_set_new(o, "idle_seconds", json_integer(s->idle_seconds));
    if (o && s->needs_totp) json_object_set_new(o, "totp_setup_required", json_true());
    wbi_hub_reply_json(r, 200, o);
}

static void set_cookie(wbi_hub_req *r, const char *token, bool clear)
{
    snprintf(r->resp->set_cookie, sizeof r->resp->set_cookie,
             "%s=%s; HttpOnly; SameSite=Strict; Path=/%s%s", COOKIE_NAME, clear ? "" : token,
             clear ? "; Max-Age=0" : "", r->req->tls ? "; Secure" : "");
}

/* Sign-in bodies must be JSON by their Content-Type: a form on another
 * site cannot send that without the browser asking first (CORS), so a
 * stranger's page cannot sign a visitor in as someone else. */
static bool json_body(wbi_hub_req *r, json_t **root, wbi_hub_session_body *b)
{
    const char *ct = r->req->content_type;
    if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
        reply_words(r, 415, "unsupported_media_type",
                    "the body must be JSON (Content-Type: application/json)");
        return false;
    }
    /* Every member is bounded (a password at 1024 bytes): a larger body is
     * not parsed at all. */
    if (r->req->body_len > MAX_BODY) {
        reply_words(r, 413, "too_large", "the body is too large for a sign-in request");
        return false;
    }
    char why[WB_ERROR_MSG_MAX];
    if (wbi_hub_session_body_parse(r->req->body, r->req->body_len, wbi_hub_max_depth(r->hub), root,
                                   b, why, sizeof why) != 0) {
        json_decref(*root);
        *root = NULL;
        reply_words(r, 400, "invalid_json", why);
        return false;
    }
    return true;
}

/* ---- throttling ---------------------------------------------------------------------- */

/* A bucket id for a text: 64 bits of its BLAKE2b, never 0 or -1. */
static int64_t bucket_of(const char *kind, const char *s)
{
    uint8_t h[8];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
    for (const char *p = s ? s : ""; *p; p++) {
        unsigned char c = (unsigned char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        crypto_generichash_update(&st, &c, 1);
    }
    crypto_generichash_final(&st, h, sizeof h);
    int64_t v;
    memcpy(&v, h, sizeof v);
    v &= INT64_MAX;
    return v < 2 ? 2 : v;
}

typedef struct throttle {
    int64_t acct, addr;
    bool took_acct, took_addr;
} throttle;

/* Takes a token of the account's and the address's buckets; false with
 * the 429 sent when either is empty. */
static bool throttle_take(wbi_hub_req *r, throttle *t, const char *account)
{
    wb_time now = wb_time_now();
    unsigned ra = 0, rb = 0;
    t->addr = bucket_of("addr", r->req->peer ? r->req->peer : "-");
    t->took_addr = wbi_hub_ratelimit_take(wbi_hub_signin_rl(r->hub, false), t->addr, now, &ra);
    t->took_acct = true;
    if (account) {
        t->acct = bucket_of("acct", account);
        t->took_acct = wbi_hub_ratelimit_take(wbi_hub_signin_rl(r->hub, true), t->acct, now, &rb);
    }
    if (t->took_addr && t->took_acct) return true;
    /* what was taken from the other bucket goes back: only refusals wait */
    if (t->took_addr) wbi_hub_ratelimit_give(wbi_hub_signin_rl(r->hub, false), t->addr);
    if (t->took_acct && account) wbi_hub_ratelimit_give(wbi_hub_signin_rl(r->hub, true), t->acct);
    unsigned retry = ra > rb ? ra : rb;
    r->resp->retry_after = retry;
    char msg[96];
    snprintf(msg, sizeof msg, "too many sign-in attempts; retry in %u s", retry);
    reply_words(r, 429, "rate_limited", msg);
    return false;
}

/* A success gives the tokens back: throttling counts failures. */
static void throttle_refund(wbi_hub_req *r, const throttle *t, bool account)
{
    wbi_hub_ratelimit_give(wbi_hub_signin_rl(r->hub, false), t->addr);
    if (account) wbi_hub_ratelimit_give(wbi_hub_signin_rl(r->hub, true), t->acct);
}

/* ---- the session as a way in (the router's authenticate) ---------------------------- */

static bool state_changing(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

int wbi_hub_session_auth(wbi_hub_req *r, const char *tok, size_t n)
{
    char token[WB_WEB_TOKEN_LEN + 1];
    if (n != WB_WEB_TOKEN_LEN) {
        reply_words(r, 401, "unauthorized", "not signed in (the session has ended; sign in again)");
        return -1;
    }
    memcpy(token, tok, n);
    token[n] = '\0';
    int rc = wb_session_check(r->st, token, n, wb_time_now(), &r->sess, &r->err);
    sodium_memzero(token, sizeof token);
    if (rc == WB_ENOTFOUND) {
        reply_words(r, 401, "unauthorized", "not signed in (the session has ended; sign in again)");
        return -1;
    }
    if (rc) {
        wbi_hub_reply_internal(r);
        return -1;
    }
    /* Every request that changes something carries the session's CSRF
     * token in a header: another site can make the browser send the
     * cookie, but cannot read the token to send it along. */
    if (state_changing(r->req->method ? r->req->method : "")) {
        const char *c = r->req->csrf;
        size_t want = strlen(r->sess.csrf);
        if (c == NULL || strlen(c) != want || want == 0 ||
            sodium_memcmp(c, r->sess.csrf, want) != 0) {
            reply_words(r, 403, "csrf_failed", "CSRF token missing or wrong");
            return -1;
        }
    }
    r->web = true;
    wb_keyowner *o = &r->owner;
    o->key_id = r->sess.key_id;
    o->user_id = r->sess.user_id;
    o->org_id = r->sess.org_id;
    o->role = r->sess.role;
    o->revoked = false;
    snprintf(o->email, sizeof o->email, "%s", r->sess.email);
    snprintf(o->org_name, sizeof o->org_name, "%s", r->sess.org_name);
    return 0;
}

bool wbi_hub_session_setup_only(wbi_hub_req *r)
{
    if (!r->web || !r->sess.needs_totp) return false;
    reply_flagged(r, 403, "totp_setup_required",
                  "set up a second factor first (this hub requires one for admins)",
                  "totp_setup_required");
    return true;
}

/* The caller as a session: the cookie's, or one made up from an API key
 * (id 0: nothing stored to revoke). */
static wb_web_session caller(const wbi_hub_req *r)
{
    if (r->web) return r->sess;
    wb_web_session s = {0};
    s.user_id = r->owner.user_id;
    s.org_id = r->owner.org_id;
    s.key_id = r->owner.key_id;
    s.role = r->owner.role;
    snprintf(s.email, sizeof s.email, "%s", r->owner.email);
    snprintf(s.org_name, sizeof s.org_name, "%s", r->owner.org_name);
    return s;
}

/* ---- handlers ---------------------------------------------------------------------------- */

void wbi_hub_h_session_new(wbi_hub_req *r)
{
    json_t *root = NULL;
    wbi_hub_session_body b;
    if (!json_body(r, &root, &b)) return;
    if (b.key == NULL && (b.email == NULL || b.password == NULL)) {
        json_decref(root);
        reply_words(r, 400, "invalid_request",
                    "sign in with \"email\" and \"password\", or with \"key\"");
        return;
    }
    throttle t;
    if (!throttle_take(r, &t, b.key ? b.key : b.email)) {
        json_decref(root);
        return;
    }
    wb_signin_result res;
    wb_web_started out;
    int rc = wb_signin(r->st, wbi_hub_signin_opts(r->hub), b.key ? NULL : b.email, b.password,
                       b.totp, b.key, wb_time_now(), &res, &out, &r->err);
    json_decref(root);
    if (rc) {
        wbi_hub_reply_internal(r);
    } else if (res == WB_SIGNIN_FAILED) {
        wbi_hub_audit_anon(r, "web.signin.fail", NULL, "unknown user, wrong password or key");
        reply_words(r, 401, "signin_failed", "sign-in failed");
    } else if (res == WB_SIGNIN_TOTP_REQUIRED) {
        reply_flagged(r, 401, "totp_required", "second factor required", "totp_required");
    } else {
        throttle_refund(r, &t, true);
        set_cookie(r, out.token, false);
        reply_session(r, &out.s);
    }
    sodium_memzero(&out, sizeof out);
}

void wbi_hub_h_session_get(wbi_hub_req *r)
{
    reply_session(r, (const wb_web_session[]){caller(r)});
}

void wbi_hub_h_session_delete(wbi_hub_req *r)
{
    if (!r->web) {
        reply_words(r, 400, "invalid_request",
                    "no session to end: this request carries an API key");
        return;
    }
    if (wb_session_end(r->st, &r->sess, wb_time_now(), &r->err) != 0) {
        wbi_hub_reply_internal(r);
        return;
    }
    set_cookie(r, "", true);
    wbi_hub_reply_json(r, 200, json_pack("{s:b}", "signed_out", 1));
}

void wbi_hub_h_session_password(wbi_hub_req *r)
{
    json_t *root = NULL;
    wbi_hub_session_body b;
    if (!json_body(r, &root, &b)) return;
    if (b.old == NULL || b.new_password == NULL) {
        json_decref(root);
        reply_words(r, 400, "invalid_request", "send \"old\" and \"new\"");
        return;
    }
    throttle t;
    wb_web_session s = caller(r);
    if (!throttle_take(r, &t, s.email)) {
        json_decref(root);
        return;
    }
    int rc = wb_password_change(r->st, &s, b.old, b.new_password, wb_time_now(), &r->err);
    json_decref(root);
    if (rc == WB_EINVAL) {
        reply_words(r, 400, "invalid_password", r->err.msg);
    } else if (rc) {
        wbi_hub_reply_internal(r);
    } else {
        throttle_refund(r, &t, true);
        wbi_hub_reply_json(r, 200, json_pack("{s:b}", "password_changed", 1));
    }
}

void wbi_hub_h_first_login(wbi_hub_req *r)
{
    json_t *root = NULL;
    wbi_hub_session_body b;
    if (!json_body(r, &root, &b)) return;
    if (b.token == NULL || b.password == NULL) {
        json_decref(root);
        reply_words(r, 400, "invalid_request", "send \"token\" (from the link) and \"password\"");
        return;
    }
    throttle t;
    if (!throttle_take(r, &t, NULL)) {
        json_decref(root);
        return;
    }
    bool in = false;
    wb_web_started out;
    memset(&out, 0, sizeof out);
    int rc = wb_first_login(r->st, wbi_hub_signin_opts(r->hub), b.token, b.password, wb_time_now(),
                            &in, &out, &r->err);
    json_decref(root);
    if (rc == WB_ENOTFOUND) {
        wbi_hub_audit_anon(r, "web.link.fail", NULL, "unknown, used or expired link");
        reply_words(r, 401, "invalid_link",
                    "the link is not valid: it was used, has expired or is unknown; "
                    "ask an administrator for a new one");
    } else if (rc == WB_EINVAL) {
        throttle_refund(r, &t, false);
        reply_words(r, 400, "invalid_password", r->err.msg);
    } else if (rc) {
        wbi_hub_reply_internal(r);
    } else if (in) {
        throttle_refund(r, &t, false);
        set_cookie(r, out.token, false);
        reply_session(r, &out.s);
    } else {
        throttle_refund(r, &t, false);
        wbi_hub_reply_json(r, 200, json_pack("{s:b}", "password_set", 1));
    }
    sodium_memzero(&out, sizeof out);
}

void wbi_hub_h_totp_setup(wbi_hub_req *r)
{
    wb_web_session s = caller(r);
    wb_totp_new t;
    int rc = wb_totp_setup(r->st, &s, wbi_hub_signin_name(r->hub), &t, &r->err);
    if (rc == WB_EINVAL) {
        reply_words(r, 409, "conflict", r->err.msg);
        return;
    }
    if (rc) {
        wbi_hub_reply_internal(r);
        return;
    }
    json_t *codes = json_array();
    for (size_t i = 0; codes && i < WB_RECOVERY_CODES; i++)
        json_array_append_new(codes, json_string(t.recovery[i]));
    wbi_hub_reply_json(r, 200,
                       json_pack("{s:s,s:s,s:o}", "secret", t.secret, "otpauth_uri", t.uri,
                                 "recovery_codes", codes));
    sodium_memzero(&t, sizeof t);
}

void wbi_hub_h_totp_confirm(wbi_hub_req *r)
{
    json_t *root = NULL;
    wbi_hub_session_body b;
    if (!json_body(r, &root, &b)) return;
    wb_web_session s = caller(r);
    throttle t;
    if (!throttle_take(r, &t, s.email)) {
        json_decref(root);
        return;
    }
    int rc = wb_totp_confirm(r->st, &s, b.code ? b.code : "", wb_time_now(), &r->err);
    json_decref(root);
    if (rc == WB_EINVAL || rc == WB_ENOTFOUND) {
        reply_words(r, 400, "invalid_code",
                    rc == WB_EINVAL ? r->err.msg : "that code was used already");
    } else if (rc) {
        wbi_hub_reply_internal(r);
    } else {
        throttle_refund(r, &t, true);
        if (r->web) r->sess.needs_totp = false;
        wbi_hub_reply_json(r, 200, json_pack("{s:b}", "totp", 1));
    }
}
