/*
 * store_web.h - the store's web sign-in domain (migration 11): users'
 * password hashes and second factors, recovery codes, browser sessions and
 * one-time sign-in links. Only the sign-in service (websession.h) calls
 * these; the hub and the CLI go through that service.
 *
 * The store keeps what it is given: hashing (Argon2id for passwords,
 * BLAKE2b for session tokens, links and recovery codes) is the service's
 * work, so no secret a user types or holds is stored as it was sent.
 * Times are wb_time (microseconds since the epoch). Every function returns
 * 0 or a negative WB_E* code with err filled; WB_ENOTFOUND when the row
 * asked for is not there (or no longer usable, for links).
 */
#ifndef WEERBAAR_STORE_WEB_H
#define WEERBAAR_STORE_WEB_H

#include "weerbaar/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* BLAKE2b-256 of a session token, link token or recovery code. */
#define WB_WEB_HASH_LEN 32
/* A TOTP secret (RFC 4226 recommends 160 bits). */
#define WB_TOTP_SECRET_LEN 20
/* An Argon2id string (crypto_pwhash_STRBYTES is 128). */
#define WB_PWHASH_MAX 128

/* A user as sign-in sees it. */
typedef struct wb_web_user {
    int64_t user_id;
    int64_t org_id;
    wb_role role;
    char email[WB_EMAIL_MAX + 1];
    char org_name[WB_NAME_MAX + 1];
    char password[WB_PWHASH_MAX + 1]; /* "" when the user has none yet */
    uint8_t totp_secret[WB_TOTP_SECRET_LEN];
    bool has_totp_secret; /* a secret is stored (set up, maybe not confirmed) */
    bool totp_on;         /* confirmed: sign-in asks for a code */
    int64_t totp_step;    /* the newest time step used (no replay) */
} wb_web_user;

/* By e-mail (when email is non-NULL) or id. WB_ENOTFOUND for no such user. */
int wb_store_web_user(wb_store *s, const char *email, int64_t user_id, wb_web_user *out,
                      wb_error *err);
int wb_store_web_password_set(wb_store *s, int64_t user_id, const char *hash, wb_error *err);
/* secret NULL removes the second factor; on marks it confirmed. */
int wb_store_web_totp_set(wb_store *s, int64_t user_id, const uint8_t *secret, bool on,
                          wb_error *err);
/* Records step as used; WB_ENOTFOUND when step is not newer than the last. */
int wb_store_web_totp_use(wb_store *s, int64_t user_id, int64_t step, wb_error *err);
/* Replaces the user's recovery codes by n hashes. */
int wb_store_web_recovery_set(wb_store *s, int64_t user_id,
                              const uint8_t (*hashes)[WB_WEB_HASH_LEN], size_t n, wb_error *err);
/* Marks an unused code used: 0, or WB_ENOTFOUND when there is none. */
int wb_store_web_recovery_use(wb_store *s, int64_t user_id, const uint8_t hash[WB_WEB_HASH_LEN],
                              wb_time now, wb_error *err);

/* A browser session. */
typedef struct wb_web_session {
    int64_t id;
    int64_t user_id, org_id, key_id; /* key_id: signed in with that API key; 0 = password */
    wb_role role;
    char email[WB_EMAIL_MAX + 1];
    char org_name[WB_NAME_MAX + 1];
    char csrf[65];
    bool needs_totp; /* may only set up its second factor (hub setting) */
    bool revoked;    /* revoked, or its API key is */
    wb_time created, expires;
    /* Idle limit (migration 17): the session ends idle_seconds after
     * last_seen (0: no idle limit, as for sessions made before it).
     * Both live in the database, so every hub node on it agrees. */
    int64_t idle_seconds;
    wb_time last_seen;
} wb_web_session;

int wb_store_web_session_add(wb_store *s, const uint8_t hash[WB_WEB_HASH_LEN],
                             const wb_web_session *r, int64_t *id, wb_error *err);
/* By token hash; WB_ENOTFOUND when there is no such session. */
int wb_store_web_session_get(wb_store *s, const uint8_t hash[WB_WEB_HASH_LEN], wb_web_session *out,
                             wb_error *err);
/* Revokes one session (id > 0), or every session of user_id but session
 * -id (id <= 0; 0 for all). *n how many (n may be NULL). */
int wb_store_web_session_revoke(wb_store *s, int64_t id, int64_t user_id, wb_time now, int64_t *n,
                                wb_error *err);
int wb_store_web_session_totp_done(wb_store *s, int64_t id, wb_error *err);
/* Records use of session id at `now` (never moves last_seen back). */
int wb_store_web_session_touch(wb_store *s, int64_t id, wb_time now, wb_error *err);
/* Removes sessions that expired before `before`. */
int wb_store_web_session_prune(wb_store *s, wb_time before, wb_error *err);

int wb_store_web_link_add(wb_store *s, const uint8_t hash[WB_WEB_HASH_LEN], int64_t user_id,
                          wb_time now, wb_time expires, wb_error *err);
/* Uses a link once: its user in *user_id, or WB_ENOTFOUND when it does
 * not exist, was used or has expired. */
int wb_store_web_link_use(wb_store *s, const uint8_t hash[WB_WEB_HASH_LEN], wb_time now,
                          int64_t *user_id, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
