/*
 * sqlite_web.c - the SQLite side of the store's web sign-in domain
 * (store_web.h, migration 11): password hashes and second factors beside
 * the users table, hashed recovery codes, browser sessions and one-time
 * sign-in links.
 *
 * Statements are prepared per call rather than kept per connection: a
 * sign-in or a session look-up happens once per browser request, and the
 * few tens of microseconds of a prepare are nothing beside the request;
 * it keeps this domain independent of sqlite.c's statement table.
 * Writes run inside the caller's transaction (the sign-in service opens
 * it); reads run in whatever read transaction the caller holds.
 */
#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"

/* Never edit once shipped: a change is the next migration. */
const char wbi_sqlite_web_schema[] =
    /* A user's sign-in secrets: an Argon2id string (crypto_pwhash_str),
     * the TOTP secret (kept as is: codes are computed from it), whether it
     * is confirmed, and the newest time step used (a code is good once). */
    "CREATE TABLE user_secrets(user_id INTEGER PRIMARY KEY REFERENCES users(id),"
    " password TEXT, totp_secret BLOB, totp_on INTEGER NOT NULL DEFAULT 0,"
    " totp_step INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL);"
    /* BLAKE2b of each recovery code; used once. */
    "CREATE TABLE recovery_codes(user_id INTEGER NOT NULL REFERENCES users(id),"
    " hash BLOB NOT NULL, used INTEGER, PRIMARY KEY(user_id, hash)) WITHOUT ROWID;"
    /* A browser session by the BLAKE2b of its cookie's token; key_id when
     * signed in with an API key (revoking the key ends the session). */
    "CREATE TABLE web_sessions(id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE,"
    " user_id INTEGER NOT NULL REFERENCES users(id), key_id INTEGER REFERENCES api_keys(id),"
    " csrf TEXT NOT NULL, needs_totp INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL, revoked INTEGER);"
    "CREATE INDEX web_sessions_user ON web_sessions(user_id);"
    "CREATE INDEX web_sessions_expires ON web_sessions(expires);"
    /* One-time first-login and reset links, by the BLAKE2b of their token. */
    "CREATE TABLE signin_links(hash BLOB PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES "
    "users(id),"
    " created INTEGER NOT NULL, expires INTEGER NOT NULL, used INTEGER) WITHOUT ROWID;";

/* Migration 17: the idle limit a session was made with (seconds, 0 = none)
 * and when it was last used (NULL = at its creation). In the row, not in
 * a node's memory or options, so that hub nodes on one database agree on
 * when a session ends. */
const char wbi_sqlite_web_idle_schema[] =
    "ALTER TABLE web_sessions ADD COLUMN idle INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE web_sessions ADD COLUMN last_seen INTEGER;";

/* Steps a statement that returns no row to the end; finalizes it. */
static int run(wb_store *s, wbi_stmt *st, const char *what, wb_error *err)
{
    int rc = wbi_db_step(st);
    int ret = rc == WBI_DB_DONE || rc == WBI_DB_ROW ? 0 : wbi_sqlite_error(s, err, what);
    wbi_db_finalize(st);
    return ret;
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static int web_user(wb_store *s, const char *email, int64_t user_id, wb_web_user *out,
                    wb_error *err)
{
    memset(out, 0, sizeof *out);
    wbi_stmt *st = wbi_sqlite_prep(
        s,
        "SELECT u.id,u.org_id,u.role,u.email,o.name,x.password,x.totp_secret,"
        " coalesce(x.totp_on,0),coalesce(x.totp_step,0) FROM users u JOIN orgs o ON o.id=u.org_id"
        " LEFT JOIN user_secrets x ON x.user_id=u.id WHERE (?1 IS NULL OR u.email=?1)"
        " AND (?1 IS NOT NULL OR u.id=?2)"
        /* a disabled user or organisation (migration 9) signs in nowhere */
        " AND u.disabled=0 AND o.disabled=0",
        err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    if (email)
        wbi_db_bind_text(st, 1, email);
    else
        wbi_db_bind_null(st, 1);
    wbi_db_bind_i64(st, 2, user_id);
    int rc = wbi_db_step(st), ret = 0;
    if (rc == WBI_DB_ROW) {
        out->user_id = wbi_db_col_i64(st, 0);
        out->org_id = wbi_db_col_i64(st, 1);
        if (wb_role_parse(wbi_db_col_text(st, 2), &out->role) != 0)
            ret = wb_error_set(err, WB_EFORMAT, "user %lld has an unknown role",
                               (long long)out->user_id);
        copy_text(out->email, sizeof out->email, wbi_db_col_text(st, 3));
        copy_text(out->org_name, sizeof out->org_name, wbi_db_col_text(st, 4));
        copy_text(out->password, sizeof out->password, wbi_db_col_text(st, 5));
        if (wbi_db_col_bytes(st, 6) == WB_TOTP_SECRET_LEN) {
            memcpy(out->totp_secret, wbi_db_col_blob(st, 6), WB_TOTP_SECRET_LEN);
            out->has_totp_secret = true;
        }
        out->totp_on = wbi_db_col_int(st, 7) != 0 && out->has_totp_secret;
        out->totp_step = wbi_db_col_i64(st, 8);
    } else if (rc == WBI_DB_DONE) {
        ret = wb_error_set(err, WB_ENOTFOUND, "no such user");
    } else {
        ret = wbi_sqlite_error(s, err, "reading a user");
    }
    wbi_db_finalize(st);
    return ret;
}

/* The user's row in user_secrets, made when missing. */
static int secrets_row(wb_store *s, int64_t user_id, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(
        s, "INSERT INTO user_secrets(user_id,updated) VALUES(?,?) ON CONFLICT DO NOTHING", err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, user_id);
    wbi_db_bind_i64(st, 2, wb_time_now());
    return run(s, st, "storing a user's secrets", err);
}

static int web_password_set(wb_store *s, int64_t user_id, const char *hash, wb_error *err)
{
    int rc = secrets_row(s, user_id, err);
    wbi_stmt *st = rc ? NULL
                      : wbi_sqlite_prep(
                            s, "UPDATE user_secrets SET password=?,updated=? WHERE user_id=?", err);
    if (st == NULL) return rc ? rc : WB_EIO;
    wbi_db_bind_text(st, 1, hash);
    wbi_db_bind_i64(st, 2, wb_time_now());
    wbi_db_bind_i64(st, 3, user_id);
    return run(s, st, "storing a password", err);
}

static int web_totp_set(wb_store *s, int64_t user_id, const uint8_t *secret, bool on, wb_error *err)
{
    int rc = secrets_row(s, user_id, err);
    wbi_stmt *st =
        rc ? NULL
           : wbi_sqlite_prep(
                 s, "UPDATE user_secrets SET totp_secret=?,totp_on=?,updated=? WHERE user_id=?",
                 err);
    if (st == NULL) return rc ? rc : WB_EIO;
    if (secret)
        wbi_db_bind_blob(st, 1, secret, WB_TOTP_SECRET_LEN);
    else
        wbi_db_bind_null(st, 1);
    wbi_db_bind_int(st, 2, secret && on);
    wbi_db_bind_i64(st, 3, wb_time_now());
    wbi_db_bind_i64(st, 4, user_id);
    return run(s, st, "storing a second factor", err);
}

static int web_totp_use(wb_store *s, int64_t user_id, int64_t step, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(
        s, "UPDATE user_secrets SET totp_step=?1 WHERE user_id=?2 AND totp_step<?1", err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, step);
    wbi_db_bind_i64(st, 2, user_id);
    int rc = run(s, st, "recording a code", err);
    if (rc == 0 && wbi_db_changes(wbi_sqlite_db(s)) == 0)
        rc = wb_error_set(err, WB_ENOTFOUND, "that code was used already");
    return rc;
}

static int web_recovery_set(wb_store *s, int64_t user_id, const uint8_t (*hashes)[WB_WEB_HASH_LEN],
                            size_t n, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s, "DELETE FROM recovery_codes WHERE user_id=?", err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, user_id);
    int rc = run(s, st, "replacing recovery codes", err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        st = wbi_sqlite_prep(s, "INSERT INTO recovery_codes(user_id,hash) VALUES(?,?)", err);
        if (st == NULL) return wbi_store_prepare_failed(err);
        wbi_db_bind_i64(st, 1, user_id);
        wbi_db_bind_blob(st, 2, hashes[i], WB_WEB_HASH_LEN);
        rc = run(s, st, "storing a recovery code", err);
    }
    return rc;
}

static int web_recovery_use(wb_store *s, int64_t user_id, const uint8_t *hash, wb_time now,
                            wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s,
                                   "UPDATE recovery_codes SET used=? WHERE user_id=? AND hash=?"
                                   " AND used IS NULL",
                                   err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, now);
    wbi_db_bind_i64(st, 2, user_id);
    wbi_db_bind_blob(st, 3, hash, WB_WEB_HASH_LEN);
    int rc = run(s, st, "using a recovery code", err);
    if (rc == 0 && wbi_db_changes(wbi_sqlite_db(s)) == 0)
        rc = wb_error_set(err, WB_ENOTFOUND, "no such recovery code");
    return rc;
}

static int web_session_add(wb_store *s, const uint8_t *hash, const wb_web_session *r, int64_t *id,
                           wb_error *err)
{
    wbi_stmt *st =
        wbi_sqlite_prep(s,
                        "INSERT INTO web_sessions(hash,user_id,key_id,csrf,needs_totp,created,"
                        "expires,idle,last_seen) VALUES(?,?,?,?,?,?,?,?,?)",
                        err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_blob(st, 1, hash, WB_WEB_HASH_LEN);
    wbi_db_bind_i64(st, 2, r->user_id);
    if (r->key_id > 0)
        wbi_db_bind_i64(st, 3, r->key_id);
    else
        wbi_db_bind_null(st, 3);
    wbi_db_bind_text(st, 4, r->csrf);
    wbi_db_bind_int(st, 5, r->needs_totp);
    wbi_db_bind_i64(st, 6, r->created);
    wbi_db_bind_i64(st, 7, r->expires);
    wbi_db_bind_i64(st, 8, r->idle_seconds > 0 ? r->idle_seconds : 0);
    wbi_db_bind_i64(st, 9, r->last_seen ? r->last_seen : r->created);
    int rc = run(s, st, "storing a session", err);
    if (rc == 0) *id = wbi_db_last_id(wbi_sqlite_db(s));
    return rc;
}

static int web_session_get(wb_store *s, const uint8_t *hash, wb_web_session *out, wb_error *err)
{
    memset(out, 0, sizeof *out);
    wbi_stmt *st = wbi_sqlite_prep(
        s,
        "SELECT w.id,w.user_id,u.org_id,coalesce(w.key_id,0),u.role,u.email,o.name,w.csrf,"
        " w.needs_totp,w.revoked IS NOT NULL OR (w.key_id IS NOT NULL AND k.revoked IS NOT NULL)"
        /* a session ends with its user's or organisation's disabling, and
         * with its key's expiry (migration 9), at the next request */
        " OR u.disabled<>0 OR o.disabled<>0 OR (w.key_id IS NOT NULL AND k.expires IS NOT NULL"
        " AND k.expires<=CAST(strftime('%s','now') AS INTEGER)*1000000),"
        " w.created,w.expires,w.idle,coalesce(w.last_seen,w.created) FROM web_sessions w JOIN "
        "users u ON u.id=w.user_id"
        " JOIN orgs o ON o.id=u.org_id LEFT JOIN api_keys k ON k.id=w.key_id WHERE w.hash=?",
        err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_blob(st, 1, hash, WB_WEB_HASH_LEN);
    int rc = wbi_db_step(st), ret = 0;
    if (rc == WBI_DB_ROW) {
        out->id = wbi_db_col_i64(st, 0);
        out->user_id = wbi_db_col_i64(st, 1);
        out->org_id = wbi_db_col_i64(st, 2);
        out->key_id = wbi_db_col_i64(st, 3);
        if (wb_role_parse(wbi_db_col_text(st, 4), &out->role) != 0)
            ret = wb_error_set(err, WB_EFORMAT, "user %lld has an unknown role",
                               (long long)out->user_id);
        copy_text(out->email, sizeof out->email, wbi_db_col_text(st, 5));
        copy_text(out->org_name, sizeof out->org_name, wbi_db_col_text(st, 6));
        copy_text(out->csrf, sizeof out->csrf, wbi_db_col_text(st, 7));
        out->needs_totp = wbi_db_col_int(st, 8) != 0;
        out->revoked = wbi_db_col_int(st, 9) != 0;
        out->created = wbi_db_col_i64(st, 10);
        out->expires = wbi_db_col_i64(st, 11);
        out->idle_seconds = wbi_db_col_i64(st, 12);
        out->last_seen = wbi_db_col_i64(st, 13);
    } else if (rc == WBI_DB_DONE) {
        ret = wb_error_set(err, WB_ENOTFOUND, "no such session");
    } else {
        ret = wbi_sqlite_error(s, err, "reading a session");
    }
    wbi_db_finalize(st);
    return ret;
}

static int web_session_revoke(wb_store *s, int64_t id, int64_t user_id, wb_time now, int64_t *n,
                              wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s,
                                   "UPDATE web_sessions SET revoked=?1 WHERE revoked IS NULL AND"
                                   " ((?2>0 AND id=?2) OR (?2<=0 AND user_id=?3 AND id<>-?2))",
                                   err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, now);
    wbi_db_bind_i64(st, 2, id);
    wbi_db_bind_i64(st, 3, user_id);
    int rc = run(s, st, "revoking a session", err);
    if (rc == 0 && n) *n = wbi_db_changes(wbi_sqlite_db(s));
    return rc;
}

static int web_session_totp_done(wb_store *s, int64_t id, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s, "UPDATE web_sessions SET needs_totp=0 WHERE id=?", err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, id);
    return run(s, st, "updating a session", err);
}

static int web_session_touch(wb_store *s, int64_t id, wb_time now, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s,
                                   "UPDATE web_sessions SET last_seen=? WHERE id=? AND"
                                   " (last_seen IS NULL OR last_seen<?)",
                                   err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, now);
    wbi_db_bind_i64(st, 2, id);
    wbi_db_bind_i64(st, 3, now);
    return run(s, st, "recording a session's use", err);
}

static int web_session_prune(wb_store *s, wb_time before, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s, "DELETE FROM web_sessions WHERE expires<?", err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, before);
    return run(s, st, "removing expired sessions", err);
}

static int web_link_add(wb_store *s, const uint8_t *hash, int64_t user_id, wb_time now,
                        wb_time expires, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(
        s, "INSERT INTO signin_links(hash,user_id,created,expires) VALUES(?,?,?,?)", err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_blob(st, 1, hash, WB_WEB_HASH_LEN);
    wbi_db_bind_i64(st, 2, user_id);
    wbi_db_bind_i64(st, 3, now);
    wbi_db_bind_i64(st, 4, expires);
    return run(s, st, "storing a sign-in link", err);
}

static int web_link_use(wb_store *s, const uint8_t *hash, wb_time now, int64_t *user_id,
                        wb_error *err)
{
    /* One statement marks it used and returns its user: two requests with
     * the same link cannot both get a row. */
    wbi_stmt *st =
        wbi_sqlite_prep(s,
                        "UPDATE signin_links SET used=?1 WHERE hash=?2 AND used IS NULL AND"
                        " expires>?1 RETURNING user_id",
                        err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, now);
    wbi_db_bind_blob(st, 2, hash, WB_WEB_HASH_LEN);
    int rc = wbi_db_step(st), ret = 0;
    if (rc == WBI_DB_ROW)
        *user_id = wbi_db_col_i64(st, 0);
    else if (rc == WBI_DB_DONE)
        ret = wb_error_set(err, WB_ENOTFOUND, "the link is not valid (used, expired or unknown)");
    else
        ret = wbi_sqlite_error(s, err, "using a sign-in link");
    if (ret == 0 && wbi_db_step(st) != WBI_DB_DONE)
        ret = wbi_sqlite_error(s, err, "using a sign-in link");
    wbi_db_finalize(st);
    return ret;
}

const wbi_store_web_ops wbi_sqlite_web_ops = {
    .user = web_user,
    .password_set = web_password_set,
    .totp_set = web_totp_set,
    .totp_use = web_totp_use,
    .recovery_set = web_recovery_set,
    .recovery_use = web_recovery_use,
    .session_add = web_session_add,
    .session_get = web_session_get,
    .session_revoke = web_session_revoke,
    .session_totp_done = web_session_totp_done,
    .session_touch = web_session_touch,
    .session_prune = web_session_prune,
    .link_add = web_link_add,
    .link_use = web_link_use,
};
