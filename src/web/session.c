/*
 * session.c - the sign-in service (websession.h): passwords, sessions,
 * one-time links and the second factor, over the store's web domain
 * (store_web.h). The hub's session endpoints and `admin user password` /
 * `admin user link` call it; they only parse and print.
 *
 * Failed sign-ins answer one way whatever failed: an unknown e-mail is
 * checked against a fixed Argon2id hash with the same parameters, so it
 * takes as long as a wrong password. Throttling is the caller's (the hub
 * counts per account and per address in memory).
 *
 * Password hashing (about 0.1 s and 64 MiB) happens before a write
 * transaction is opened, so writers are not held up behind it.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "weerbaar/accounts.h"
#include "weerbaar/websession.h"

#define DEFAULT_SESSION_SECONDS (12 * 3600)
#define DEFAULT_IDLE_SECONDS (30 * 60)
/* A session's last use is written at most this often (or a quarter of its
 * idle limit, when that is shorter): a write per browser request would
 * serialise every page load on the database's write lock. The session may
 * so end up to this much before its idle limit, never after it. */
#define TOUCH_EVERY_SECONDS 60
#define DEFAULT_LINK_SECONDS (72 * 3600)
#define USEC 1000000LL

/* Argon2id of a password nobody has, with the parameters wb_password_set
 * uses (crypto_pwhash_*_INTERACTIVE): what an unknown user is checked
 * against. */
static const char dummy_hash[] = "$argon2id$v=19$m=65536,t=2,p=1$SUDzRpJN00Ij9Twmdk41fA$"
                                 "XsDOKVX21P7YImfMCLn2bRVKFMbSFy4t/dB7cXncOmU";

static void token_new(char out[WB_WEB_TOKEN_LEN + 1])
{
    uint8_t b[WB_WEB_TOKEN_LEN / 2];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, WB_WEB_TOKEN_LEN + 1, b, sizeof b);
    sodium_memzero(b, sizeof b);
}

static void token_hash(const char *t, size_t n, uint8_t h[WB_WEB_HASH_LEN])
{
    crypto_generichash(h, WB_WEB_HASH_LEN, (const unsigned char *)t, n, NULL, 0);
}

static bool pw_verify(const char *hash, const char *pw)
{
    size_t n = pw ? strlen(pw) : 0;
    if (n > WB_PASSWORD_MAX) n = WB_PASSWORD_MAX;
    return crypto_pwhash_str_verify(hash[0] ? hash : dummy_hash, pw ? pw : "", n) == 0 &&
           hash[0] != '\0';
}

static int pw_hash(const char *pw, char out[WB_PWHASH_MAX + 1], wb_error *err)
{
    if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return wb_error_set(err, WB_ENOMEM, "out of memory hashing a password");
    return 0;
}

static int audit(wb_store *st, const char *user, const char *org, const char *action,
                 const char *object, const char *detail, wb_error *err)
{
    wb_audit_rec a = {
        .user = user, .org = org, .action = action, .object = object, .detail = detail};
    return wb_store_audit(st, &a, err);
}

static int finish(wb_store *st, int rc, wb_error *err)
{
    if (rc == 0) rc = wb_store_commit(st, err);
    if (rc) wb_store_rollback(st);
    return rc;
}

int wb_password_acceptable(const char *pw, size_t n, wb_error *err)
{
    if (n < WB_PASSWORD_MIN)
        return wb_error_set(err, WB_EINVAL, "a password needs at least %d characters",
                            WB_PASSWORD_MIN);
    if (n > WB_PASSWORD_MAX)
        return wb_error_set(err, WB_EINVAL, "a password may have at most %d bytes",
                            WB_PASSWORD_MAX);
    if (memchr(pw, '\0', n))
        return wb_error_set(err, WB_EINVAL, "a password may not contain a NUL byte");
    return 0;
}

/* A recovery code as stored: upper case, without dashes and spaces. */
static bool recovery_norm(const char *in, char out[WB_RECOVERY_LEN + 1])
{
    size_t o = 0;
    for (; *in; in++) {
        if (*in == '-' || *in == ' ') continue;
        if (o == 16 || !isalnum((unsigned char)*in)) return false;
        out[o++] = (char)toupper((unsigned char)*in);
    }
    out[o] = '\0';
    return o == 16;
}

/* Stores a new session for u inside the caller's transaction. */
static int session_new(wb_store *st, const wb_signin_opts *o, const wb_web_user *u, int64_t key_id,
                       wb_time now, wb_web_started *out, wb_error *err)
{
    memset(out, 0, sizeof *out);
    token_new(out->token);
    uint8_t h[WB_WEB_HASH_LEN];
    token_hash(out->token, WB_WEB_TOKEN_LEN, h);
    wb_web_session *s = &out->s;
    s->user_id = u->user_id;
    s->org_id = u->org_id;
    s->key_id = key_id;
    s->role = u->role;
    snprintf(s->email, sizeof s->email, "%s", u->email);
    snprintf(s->org_name, sizeof s->org_name, "%s", u->org_name);
    uint8_t c[16];
    randombytes_buf(c, sizeof c);
    sodium_bin2hex(s->csrf, sizeof s->csrf, c, sizeof c);
    bool admin = u->role == WB_ROLE_SITE_ADMIN || u->role == WB_ROLE_ORG_ADMIN;
    s->needs_totp = o->admin_second_factor && admin && !u->totp_on;
    /* whole seconds: the page shows the expiry */
    now -= now % USEC;
    s->created = now;
    int64_t secs = o->session_seconds > 0 ? o->session_seconds : DEFAULT_SESSION_SECONDS;
    s->expires = now + secs * USEC;
    s->idle_seconds = o->idle_seconds < 0   ? 0
                      : o->idle_seconds > 0 ? o->idle_seconds
                                            : DEFAULT_IDLE_SECONDS;
    s->last_seen = now;
    /* Expired sessions go as new ones come: the table holds only live ones
     * and a day of history. */
    int rc = wb_store_web_session_prune(st, now - 24 * 3600 * USEC, err);
    if (rc == 0) rc = wb_store_web_session_add(st, h, s, &s->id, err);
    return rc;
}

/* The second factor of a sign-in, checked and used inside the caller's
 * transaction: 0, or WB_ENOTFOUND when the code is wrong or used. */
static int second_factor(wb_store *st, const wb_web_user *u, const char *code, wb_time now,
                         wb_error *err)
{
    int64_t step;
    if (wb_totp_check(u->totp_secret, code, now / USEC, &step))
        return wb_store_web_totp_use(st, u->user_id, step, err);
    char norm[WB_RECOVERY_LEN + 1];
    if (!recovery_norm(code, norm)) return wb_error_set(err, WB_ENOTFOUND, "wrong code");
    uint8_t h[WB_WEB_HASH_LEN];
    token_hash(norm, strlen(norm), h);
    return wb_store_web_recovery_use(st, u->user_id, h, now, err);
}

int wb_signin(wb_store *st, const wb_signin_opts *o, const char *email, const char *password,
              const char *totp, const char *key, wb_time now, wb_signin_result *res,
              wb_web_started *out, wb_error *err)
{
    *res = WB_SIGNIN_FAILED;
    wb_web_user u;
    int rc = 0;
    int64_t key_id = 0;
    if (key) {
        wb_keyowner ko;
        wb_key_state ks;
        /* the accounts service's check: revoked, expired, user or
         * organisation disabled all refuse */
        rc = wb_acct_key_auth(st, key, strlen(key), now, &ko, &ks, err);
        if (rc == 0 && ks != WB_KEY_OK) rc = WB_ENOTFOUND;
        if (rc == 0) rc = wb_store_web_user(st, NULL, ko.user_id, &u, err);
        key_id = ko.key_id;
        sodium_memzero(&ko, sizeof ko);
        if (rc == WB_ENOTFOUND) return 0;
        if (rc) return rc;
    } else {
        rc = email && strlen(email) <= WB_EMAIL_MAX ? wb_store_web_user(st, email, 0, &u, err)
                                                    : WB_ENOTFOUND;
        if (rc && rc != WB_ENOTFOUND) return rc;
        bool ok = pw_verify(rc == 0 ? u.password : "", password);
        if (rc == WB_ENOTFOUND || !ok) {
            sodium_memzero(&u, sizeof u);
            return 0;
        }
    }
    /* Sensors use keys, not the page (admin user link refuses them too). */
    if (u.role == WB_ROLE_SENSOR) {
        sodium_memzero(&u, sizeof u);
        return 0;
    }
    bool used_factor = false;
    if (u.totp_on) {
        if (totp == NULL || totp[0] == '\0') {
            *res = WB_SIGNIN_TOTP_REQUIRED;
            sodium_memzero(&u, sizeof u);
            return 0;
        }
        used_factor = true;
    }
    rc = wb_store_begin(st, err);
    if (rc == 0 && used_factor) {
        rc = second_factor(st, &u, totp, now, err);
        if (rc == WB_ENOTFOUND) {
            wb_store_rollback(st);
            *res = WB_SIGNIN_TOTP_REQUIRED;
            sodium_memzero(&u, sizeof u);
            return 0;
        }
    }
    /* A session made with a key dies with it (the session look-up joins it). */
    if (rc == 0) rc = session_new(st, o, &u, key_id, now, out, err);
    char detail[64];
    snprintf(detail, sizeof detail, "%s%s%s", key ? "api key" : "password",
             used_factor ? " and second factor" : "",
             out->s.needs_totp ? ", must set up a second factor" : "");
    if (rc == 0) rc = audit(st, u.email, u.org_name, "web.signin", u.email, detail, err);
    sodium_memzero(&u, sizeof u);
    rc = finish(st, rc, err);
    if (rc == 0) *res = WB_SIGNIN_OK;
    return rc;
}

int wb_session_check(wb_store *st, const char *token, size_t n, wb_time now, wb_web_session *out,
                     wb_error *err)
{
    if (n != WB_WEB_TOKEN_LEN) return wb_error_set(err, WB_ENOTFOUND, "no such session");
    uint8_t h[WB_WEB_HASH_LEN];
    token_hash(token, n, h);
    int rc = wb_store_web_session_get(st, h, out, err);
    if (rc == 0 && (out->revoked || out->expires <= now))
        rc = wb_error_set(err, WB_ENOTFOUND, "the session has ended");
    if (rc == 0 && out->idle_seconds > 0 && now - out->last_seen >= out->idle_seconds * USEC)
        rc = wb_error_set(err, WB_ENOTFOUND, "the session has ended (unused too long)");
    if (rc == 0 && out->idle_seconds > 0) {
        int64_t every = out->idle_seconds / 4 < TOUCH_EVERY_SECONDS ? out->idle_seconds / 4
                                                                    : TOUCH_EVERY_SECONDS;
        if (now - out->last_seen >= every * USEC) {
            rc = wb_store_begin(st, err);
            if (rc == 0) rc = wb_store_web_session_touch(st, out->id, now, err);
            rc = finish(st, rc, err);
            if (rc == 0) out->last_seen = now;
        }
    }
    return rc;
}

int wb_session_end(wb_store *st, const wb_web_session *s, wb_time now, wb_error *err)
{
    int rc = wb_store_begin(st, err);
    if (rc == 0) rc = wb_store_web_session_revoke(st, s->id, s->user_id, now, NULL, err);
    if (rc == 0) rc = audit(st, s->email, s->org_name, "web.signout", s->email, NULL, err);
    return finish(st, rc, err);
}

int wb_password_set(wb_store *st, const char *email, const char *pw, const char *actor,
                    wb_error *err)
{
    int rc = wb_password_acceptable(pw, strlen(pw), err);
    char hash[WB_PWHASH_MAX + 1];
    if (rc == 0) rc = pw_hash(pw, hash, err);
    if (rc) return rc;
    wb_web_user u;
    rc = wb_store_begin(st, err);
    if (rc == 0) rc = wb_store_web_user(st, email, 0, &u, err);
    if (rc == WB_ENOTFOUND) rc = wb_error_set(err, WB_ENOTFOUND, "no user %s", email);
    if (rc == 0) rc = wb_store_web_password_set(st, u.user_id, hash, err);
    if (rc == 0) rc = wb_store_web_session_revoke(st, 0, u.user_id, wb_time_now(), NULL, err);
    if (rc == 0) rc = audit(st, actor, "-", "web.password", u.email, "set by an admin", err);
    sodium_memzero(&u, sizeof u);
    return finish(st, rc, err);
}

int wb_totp_reset(wb_store *st, const char *email, const char *actor, wb_error *err)
{
    wb_web_user u;
    int rc = wb_store_begin(st, err);
    if (rc == 0) rc = wb_store_web_user(st, email, 0, &u, err);
    if (rc == WB_ENOTFOUND) rc = wb_error_set(err, WB_ENOTFOUND, "no user %s", email);
    if (rc == 0) rc = wb_store_web_totp_set(st, u.user_id, NULL, false, err);
    if (rc == 0) rc = wb_store_web_recovery_set(st, u.user_id, NULL, 0, err);
    if (rc == 0) rc = wb_store_web_session_revoke(st, 0, u.user_id, wb_time_now(), NULL, err);
    if (rc == 0)
        rc = audit(st, actor, "-", "web.totp", u.email, "second factor removed by an admin", err);
    sodium_memzero(&u, sizeof u);
    return finish(st, rc, err);
}

int wb_password_change(wb_store *st, const wb_web_session *s, const char *old, const char *pw,
                       wb_time now, wb_error *err)
{
    wb_web_user u;
    int rc = wb_store_web_user(st, NULL, s->user_id, &u, err);
    if (rc) return rc;
    bool ok = pw_verify(u.password, old);
    sodium_memzero(&u, sizeof u);
    if (!ok) return wb_error_set(err, WB_EINVAL, "the current password is not right");
    rc = wb_password_acceptable(pw ? pw : "", pw ? strlen(pw) : 0, err);
    char hash[WB_PWHASH_MAX + 1];
    if (rc == 0) rc = pw_hash(pw, hash, err);
    if (rc) return rc;
    rc = wb_store_begin(st, err);
    if (rc == 0) rc = wb_store_web_password_set(st, s->user_id, hash, err);
    /* Every other session ends: a changed password is often a suspected one. */
    if (rc == 0) rc = wb_store_web_session_revoke(st, -s->id, s->user_id, now, NULL, err);
    if (rc == 0) rc = audit(st, s->email, s->org_name, "web.password", s->email, "changed", err);
    return finish(st, rc, err);
}

int wb_signin_link_new(wb_store *st, const char *email, int64_t ttl_seconds, const char *actor,
                       wb_time now, char token[WB_WEB_TOKEN_LEN + 1], wb_error *err)
{
    if (ttl_seconds <= 0) ttl_seconds = DEFAULT_LINK_SECONDS;
    if (ttl_seconds > 30 * 24 * 3600)
        return wb_error_set(err, WB_EINVAL, "a link may be valid for at most 30 days");
    token_new(token);
    uint8_t h[WB_WEB_HASH_LEN];
    token_hash(token, WB_WEB_TOKEN_LEN, h);
    wb_web_user u;
    int rc = wb_store_begin(st, err);
    if (rc == 0) rc = wb_store_web_user(st, email, 0, &u, err);
    if (rc == WB_ENOTFOUND) rc = wb_error_set(err, WB_ENOTFOUND, "no user %s", email);
    if (rc == 0 && u.role == WB_ROLE_SENSOR)
        rc = wb_error_set(err, WB_EINVAL, "%s is a sensor: sensors use API keys, not the page",
                          email);
    if (rc == 0) rc = wb_store_web_link_add(st, h, u.user_id, now, now + ttl_seconds * USEC, err);
    char detail[64];
    snprintf(detail, sizeof detail, "one-time link, valid %lld h", (long long)(ttl_seconds / 3600));
    if (rc == 0) rc = audit(st, actor, "-", "web.link", u.email, detail, err);
    rc = finish(st, rc, err);
    if (rc) sodium_memzero(token, WB_WEB_TOKEN_LEN + 1);
    return rc;
}

int wb_first_login(wb_store *st, const wb_signin_opts *o, const char *token, const char *pw,
                   wb_time now, bool *signed_in, wb_web_started *out, wb_error *err)
{
    *signed_in = false;
    if (token == NULL || strlen(token) != WB_WEB_TOKEN_LEN)
        return wb_error_set(err, WB_ENOTFOUND, "the link is not valid");
    int rc = wb_password_acceptable(pw ? pw : "", pw ? strlen(pw) : 0, err);
    char hash[WB_PWHASH_MAX + 1];
    if (rc == 0) rc = pw_hash(pw, hash, err);
    if (rc) return rc;
    uint8_t h[WB_WEB_HASH_LEN];
    token_hash(token, WB_WEB_TOKEN_LEN, h);
    int64_t uid = 0;
    wb_web_user u;
    rc = wb_store_begin(st, err);
    if (rc == 0) rc = wb_store_web_link_use(st, h, now, &uid, err);
    if (rc == 0) rc = wb_store_web_user(st, NULL, uid, &u, err);
    if (rc == 0) rc = wb_store_web_password_set(st, uid, hash, err);
    if (rc == 0) rc = wb_store_web_session_revoke(st, 0, uid, now, NULL, err);
    if (rc == 0) rc = audit(st, u.email, u.org_name, "web.password", u.email, "one-time link", err);
    /* With a second factor on, the link alone does not sign in. */
    if (rc == 0 && !u.totp_on) {
        rc = session_new(st, o, &u, 0, now, out, err);
        if (rc == 0)
            rc = audit(st, u.email, u.org_name, "web.signin", u.email, "one-time link", err);
        *signed_in = rc == 0;
    }
    sodium_memzero(&u, sizeof u);
    rc = finish(st, rc, err);
    if (rc) *signed_in = false;
    return rc;
}

/* Percent-encodes s for an otpauth URI. */
static void uri_part(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    for (; *s && o + 4 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~') {
            out[o++] = (char)c;
        } else {
            snprintf(out + o, cap - o, "%%%02X", c);
            o += 3;
        }
    }
    out[o] = '\0';
}

int wb_totp_setup(wb_store *st, const wb_web_session *s, const char *issuer, wb_totp_new *out,
                  wb_error *err)
{
    memset(out, 0, sizeof *out);
    wb_web_user u;
    int rc = wb_store_web_user(st, NULL, s->user_id, &u, err);
    bool on = rc == 0 && u.totp_on;
    sodium_memzero(&u, sizeof u);
    if (rc) return rc;
    /* Replacing a factor in force would switch it off until confirmed. */
    if (on) return wb_error_set(err, WB_EINVAL, "a second factor is already on");
    uint8_t secret[WB_TOTP_SECRET_LEN];
    randombytes_buf(secret, sizeof secret);
    wb_base32(secret, sizeof secret, out->secret);
    char is[128], em[3 * WB_EMAIL_MAX + 1];
    uri_part(is, sizeof is, issuer && issuer[0] ? issuer : "weerbaar");
    uri_part(em, sizeof em, s->email);
    snprintf(out->uri, sizeof out->uri,
             "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=6&period=30", is, em,
             out->secret, is);
    uint8_t hashes[WB_RECOVERY_CODES][WB_WEB_HASH_LEN];
    for (size_t i = 0; i < WB_RECOVERY_CODES; i++) {
        uint8_t r[10];
        char b[17];
        randombytes_buf(r, sizeof r);
        wb_base32(r, sizeof r, b);
        token_hash(b, 16, hashes[i]);
        snprintf(out->recovery[i], sizeof out->recovery[i], "%.4s-%.4s-%.4s-%.4s", b, b + 4, b + 8,
                 b + 12);
        sodium_memzero(b, sizeof b);
    }
    rc = wb_store_begin(st, err);
    if (rc == 0) rc = wb_store_web_totp_set(st, s->user_id, secret, false, err);
    if (rc == 0) rc = wb_store_web_recovery_set(st, s->user_id, hashes, WB_RECOVERY_CODES, err);
    if (rc == 0)
        rc = audit(st, s->email, s->org_name, "web.totp", s->email, "set up (not yet on)", err);
    sodium_memzero(secret, sizeof secret);
    rc = finish(st, rc, err);
    if (rc) sodium_memzero(out, sizeof *out);
    return rc;
}

int wb_totp_confirm(wb_store *st, const wb_web_session *s, const char *code, wb_time now,
                    wb_error *err)
{
    wb_web_user u;
    int rc = wb_store_web_user(st, NULL, s->user_id, &u, err);
    if (rc) return rc;
    int64_t step = 0;
    if (!u.has_totp_secret || u.totp_on) {
        rc = wb_error_set(err, WB_EINVAL,
                          u.totp_on ? "the second factor is on already"
                                    : "set up a second factor first");
    } else if (!wb_totp_check(u.totp_secret, code, now / USEC, &step)) {
        rc = wb_error_set(err, WB_EINVAL, "the code is not right (check the device's clock)");
    }
    if (rc == 0) rc = wb_store_begin(st, err);
    if (rc == 0) {
        rc = wb_store_web_totp_use(st, s->user_id, step, err);
        if (rc == 0) rc = wb_store_web_totp_set(st, s->user_id, u.totp_secret, true, err);
        if (rc == 0) rc = wb_store_web_session_totp_done(st, s->id, err);
        if (rc == 0) rc = audit(st, s->email, s->org_name, "web.totp", s->email, "on", err);
        rc = finish(st, rc, err);
    }
    sodium_memzero(&u, sizeof u);
    return rc;
}
