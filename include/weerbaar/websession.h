/*
 * websession.h - signing in to the hub's web page (src/web/): passwords
 * (Argon2id), browser sessions kept in the store with an expiry, one-time
 * first-login and reset links, and a second factor (TOTP, RFC 6238) with
 * recovery codes.
 *
 * The hub's HTTP layer (src/hub/session_api.c) and the CLI (`admin user
 * password`, `admin user link`) call these; the rules live here once:
 * what a good password is, that a failed sign-in says nothing about which
 * part was wrong, that links and recovery codes work once, and that a
 * revoked session or API key ends every session made with it. Every
 * change is written to the audit log in the same transaction.
 *
 * Tokens handed out (the session cookie's value, link tokens, recovery
 * codes) are random and stored only as BLAKE2b hashes.
 */
#ifndef WEERBAAR_WEBSESSION_H
#define WEERBAAR_WEBSESSION_H

#include "weerbaar/store_web.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A session token, a link token: 64 hex digits (256 random bits). */
#define WB_WEB_TOKEN_LEN 64
/* Passwords: at least this many characters (bytes), at most WB_PASSWORD_MAX. */
#define WB_PASSWORD_MIN 12
#define WB_PASSWORD_MAX 1024
#define WB_RECOVERY_CODES 10
/* "xxxx-xxxx-xxxx-xxxx": 16 base32 characters (80 bits) and dashes. */
#define WB_RECOVERY_LEN 19

/* ---- TOTP (RFC 6238 over RFC 4226) ----------------------------------------- */

typedef enum wb_totp_alg { WB_TOTP_SHA1, WB_TOTP_SHA256, WB_TOTP_SHA512 } wb_totp_alg;

/* The HOTP value of key at counter `counter` with `digits` digits (6-8). */
uint32_t wb_hotp(wb_totp_alg alg, const uint8_t *key, size_t keylen, uint64_t counter,
                 unsigned digits);
/* Whether code (6 digits, SHA-1, 30 s steps) is good for secret at Unix
 * time `unix_secs`, allowing one step either side: the step it matched in
 * *step (for refusing a replay). */
bool wb_totp_check(const uint8_t secret[WB_TOTP_SECRET_LEN], const char *code, int64_t unix_secs,
                   int64_t *step);
/* RFC 4648 base32 without padding; out needs 8 * ceil(n / 5) + 1 bytes. */
void wb_base32(const uint8_t *in, size_t n, char *out);

/* ---- sign-in ----------------------------------------------------------------- */

typedef struct wb_signin_opts {
    int64_t session_seconds;  /* a session's lifetime; 0 = 12 hours */
    int64_t idle_seconds;     /* ends after this long unused; 0 = 30 minutes, <0 = never */
    bool admin_second_factor; /* site and org admins must use a second factor */
} wb_signin_opts;

typedef enum wb_signin_result {
    WB_SIGNIN_OK,
    WB_SIGNIN_FAILED,       /* unknown user, wrong password or key: one answer */
    WB_SIGNIN_TOTP_REQUIRED /* the password was right; a code is needed (or was wrong) */
} wb_signin_result;

/* What a sign-in or first login made. */
typedef struct wb_web_started {
    char token[WB_WEB_TOKEN_LEN + 1]; /* the cookie's value; never stored */
    wb_web_session s;
} wb_web_started;

/* Signs in by e-mail and password (and totp: a code or a recovery code
 * when the user has a second factor), or by an API key (key non-NULL; a
 * key signs in as its user, the session ends when the key is revoked). On
 * WB_SIGNIN_OK a session is stored and *out filled. The time spent is the
 * same for an unknown user as for a wrong password (a password hash is
 * checked either way). Returns 0 with *res set, or an error (database). */
int wb_signin(wb_store *st, const wb_signin_opts *o, const char *email, const char *password,
              const char *totp, const char *key, wb_time now, wb_signin_result *res,
              wb_web_started *out, wb_error *err);
/* The session of a cookie's token: 0, or WB_ENOTFOUND when the token names
 * no session, or one that expired, was revoked or was not used for its
 * idle limit. A use is recorded in the store (at most once a minute), so
 * the idle limit counts from the last request to any hub node. */
int wb_session_check(wb_store *st, const char *token, size_t n, wb_time now, wb_web_session *out,
                     wb_error *err);
/* Signs out: revokes the session. */
int wb_session_end(wb_store *st, const wb_web_session *s, wb_time now, wb_error *err);

/* ---- passwords and links ------------------------------------------------------ */

/* Whether pw is acceptable as a new password: 0, or WB_EINVAL with the
 * reason in err. */
int wb_password_acceptable(const char *pw, size_t n, wb_error *err);
/* Sets a user's password (admin user password): audited as `actor`;
 * every session of the user is revoked. WB_ENOTFOUND for no such user. */
int wb_password_set(wb_store *st, const char *email, const char *pw, const char *actor,
                    wb_error *err);
/* Removes a user's second factor and recovery codes (admin user
 * second-factor-reset: the user lost the device and the codes); every
 * session of the user is revoked, and the next sign-in is by password
 * alone until the user sets a second factor up again (or, where the hub
 * requires one, is asked to at once). Audited as `actor`. WB_ENOTFOUND
 * for no such user. */
int wb_totp_reset(wb_store *st, const char *email, const char *actor, wb_error *err);
/* A signed-in user's change: WB_EINVAL (err says) when old is wrong or
 * new is not acceptable. The user's other sessions are revoked. */
int wb_password_change(wb_store *st, const wb_web_session *s, const char *old, const char *pw,
                       wb_time now, wb_error *err);
/* A one-time link token for a first login or a reset, valid for
 * ttl_seconds (0 = 72 hours), into token. Audited as `actor`. */
int wb_signin_link_new(wb_store *st, const char *email, int64_t ttl_seconds, const char *actor,
                       wb_time now, char token[WB_WEB_TOKEN_LEN + 1], wb_error *err);
/* Uses a link: sets the password, revokes the user's sessions, and signs
 * in (*signed_in true, *out filled) unless the user has a second factor
 * (then the page asks for a normal sign-in). WB_ENOTFOUND when the link is
 * not valid (unknown, used or expired); WB_EINVAL for a weak password (the
 * link stays usable then). */
int wb_first_login(wb_store *st, const wb_signin_opts *o, const char *token, const char *pw,
                   wb_time now, bool *signed_in, wb_web_started *out, wb_error *err);

/* ---- second factor -------------------------------------------------------------- */

typedef struct wb_totp_new {
    char secret[40]; /* base32 */
    char uri[512];   /* otpauth://totp/... for an authenticator app's QR code */
    char recovery[WB_RECOVERY_CODES][WB_RECOVERY_LEN + 1];
} wb_totp_new;

/* Makes a new secret and recovery codes for the session's user (not yet
 * in force: wb_totp_confirm with a code from it turns it on). `issuer`
 * names the hub in the authenticator app. */
int wb_totp_setup(wb_store *st, const wb_web_session *s, const char *issuer, wb_totp_new *out,
                  wb_error *err);
/* Turns the second factor on with a code from the app: WB_EINVAL when the
 * code is wrong or nothing was set up. Clears the session's needs_totp. */
int wb_totp_confirm(wb_store *st, const wb_web_session *s, const char *code, wb_time now,
                    wb_error *err);

/* ---- the page's files ----------------------------------------------------------- */

/* The web page's directory: $WEERBAAR_WEB, else beside the program
 * (../share/weerbaar/web when installed, ../web in a build directory of
 * the source tree), else the configured prefix's. 0 with out filled, or
 * WB_ENOTFOUND when there is none. */
int wb_web_default_dir(char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
