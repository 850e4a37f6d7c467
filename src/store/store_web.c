/*
 * store_web.c - the store's web sign-in domain (store_web.h) and the hub's
 * vulnerability scans (store_vulnscan.h) as the back end
 * independent functions that dispatch to its operations table
 * (store_internal.h); the SQLite side is sqlite_web.c.
 */
#include "store/store_internal.h"

int wb_store_web_user(wb_store *s, const char *email, int64_t user_id, wb_web_user *out,
                      wb_error *err)
{
    return s->web->user(s, email, user_id, out, err);
}

int wb_store_web_password_set(wb_store *s, int64_t user_id, const char *hash, wb_error *err)
{
    return s->web->password_set(s, user_id, hash, err);
}

int wb_store_web_totp_set(wb_store *s, int64_t user_id, const uint8_t *secret, bool on,
                          wb_error *err)
{
    return s->web->totp_set(s, user_id, secret, on, err);
}

int wb_store_web_totp_use(wb_store *s, int64_t user_id, int64_t step, wb_error *err)
{
    return s->web->totp_use(s, user_id, step, err);
}

int wb_store_web_recovery_set(wb_store *s, int64_t user_id,
                              const uint8_t (*hashes)[WB_WEB_HASH_LEN], size_t n, wb_error *err)
{
    return s->web->recovery_set(s, user_id, hashes, n, err);
}

int wb_store_web_recovery_use(wb_store *s, int64_t user_id, const uint8_t hash[WB_WEB_HASH_LEN],
                              wb_time now, wb_error *err)
{
    return s->web->recovery_use(s, user_id, hash, now, err);
}

int wb_store_web_session_add(wb_store *s, const uint8_t hash[WB_WEB_HASH_LEN],
                             const wb_web_session *r, int64_t *id, wb_error *err)
{
    return s->web->session_add(s, hash, r, id, err);
}

int wb_store_web_session_get(wb_store *s, const uint8_t hash[WB_WEB_HASH_LEN], wb_web_session *out,
                             wb_error *err)
{
    return s->web->session_get(s, hash, out, err);
}

int wb_store_web_session_revoke(wb_store *s, int64_t id, int64_t user_id, wb_time now, int64_t *n,
                                wb_error *err)
{
    return s->web->session_revoke(s, id, user_id, now, n, err);
}

int wb_store_web_session_totp_done(wb_store *s, int64_t id, wb_error *err)
{
    return s->web->session_totp_done(s, id, err);
}

int wb_store_web_session_touch(wb_store *s, int64_t id, wb_time now, wb_error *err)
{
    return s->web->session_touch(s, id, now, err);
}

int wb_store_web_session_prune(wb_store *s, wb_time before, wb_error *err)
{
    return s->web->session_prune(s, before, err);
}

int wb_store_web_link_add(wb_store *s, const uint8_t hash[WB_WEB_HASH_LEN], int64_t user_id,
                          wb_time now, wb_time expires, wb_error *err)
{
    return s->web->link_add(s, hash, user_id, now, expires, err);
}

int wb_store_web_link_use(wb_store *s, const uint8_t hash[WB_WEB_HASH_LEN], wb_time now,
                          int64_t *user_id, wb_error *err)
{
    return s->web->link_use(s, hash, now, user_id, err);
}

/* ---- the hub's vulnerability scans (store_vulnscan.h) ----------------------------- */

int wb_store_vscan_add(wb_store *s, const wb_vscan_rec *r, int64_t *id, wb_error *err)
{
    return s->vscan->add(s, r, id, err);
}

int wb_store_vscan_get(wb_store *s, int64_t id, wb_vscan_cb cb, void *ud, wb_error *err)
{
    return s->vscan->get(s, id, cb, ud, err);
}

int wb_store_vscan_list(wb_store *s, int64_t org_id, wb_vscan_cb cb, void *ud, wb_error *err)
{
    return s->vscan->list(s, org_id, cb, ud, err);
}

int wb_store_vscan_share(wb_store *s, int64_t id, bool shared, wb_error *err)
{
    return s->vscan->share(s, id, shared, err);
}
