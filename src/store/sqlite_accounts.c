/*
 * sqlite_accounts.c - the SQLite back end of the store's accounts domain:
 * organisations, users, API keys and sharing groups (wbi_store_accounts_ops in store_internal.h).
 *
 * Its statements are its own: an enum and an SQL table, prepared once per
 * connection on first use (sqlite_internal.h). Its tables are made by the
 * migrations in sqlite.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

#define SG_COLS                                                                                    \
    "g.id,g.uuid,g.name,(SELECT group_concat(name, ',') FROM (SELECT o.name FROM"                  \
    " sharing_group_orgs m JOIN orgs o ON o.id=m.org_id WHERE m.sg_id=g.id ORDER BY o.name) n),"   \
    "g.created"

enum {
    S_ORG_ADD,
    S_ORG_BY_ID,
    S_ORG_BY_NAME,
    S_ORG_LIST,
    S_USER_ADD,
    S_USER_FIND,
    S_USER_LIST,
    S_KEY_ADD,
    S_KEY_REVOKE_ID,
    S_KEY_REVOKE_USER,
    S_KEY_LIST,
    S_KEY_BY_HASH,
    S_SG_ADD,
    S_SG_ORG_ADD,
    S_SG_BY_ID,
    S_SG_BY_KEY,
    S_SG_LIST,
    S_ORG_SGS,
    S_SG_HAS_ORG,
    S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    [S_ORG_ADD] = "INSERT INTO orgs(uuid,name,kind,sector,kvk,created) VALUES(?,?,?,?,?,?)",
    [S_ORG_BY_ID] = "SELECT id,uuid,name,kind,sector,kvk,created,disabled FROM orgs WHERE id=?",
    [S_ORG_BY_NAME] = "SELECT id,uuid,name,kind,sector,kvk,created,disabled FROM orgs"
                      " WHERE name=?1 OR uuid=lower(?1)",
    [S_ORG_LIST] = "SELECT id,uuid,name,kind,sector,kvk,created,disabled FROM orgs ORDER BY name",
    [S_USER_ADD] = "INSERT INTO users(email,org_id,role,created) VALUES(?,?,?,?)",
    [S_USER_FIND] = "SELECT u.id,u.email,u.org_id,o.name,u.role,u.created,u.disabled FROM users u"
                    " JOIN orgs o ON o.id=u.org_id WHERE u.email=?",
    [S_USER_LIST] = "SELECT u.id,u.email,u.org_id,o.name,u.role,u.created,u.disabled FROM users u"
                    " JOIN orgs o ON o.id=u.org_id ORDER BY o.name,u.email",
    [S_KEY_ADD] = "INSERT INTO api_keys(user_id,hash,created) VALUES(?,?,?)",
    [S_KEY_REVOKE_ID] = "UPDATE api_keys SET revoked=?2 WHERE id=?1 AND revoked IS NULL",
    [S_KEY_REVOKE_USER] = "UPDATE api_keys SET revoked=?2 WHERE user_id=?1 AND revoked IS NULL",
    [S_KEY_LIST] = "SELECT k.id,k.user_id,u.email,k.created,k.revoked,k.expires,k.last_used,"
                   "k.comment,u.org_id,o.name FROM api_keys k JOIN users u ON u.id=k.user_id"
                   " JOIN orgs o ON o.id=u.org_id ORDER BY k.id",
    [S_KEY_BY_HASH] = "SELECT k.id,k.user_id,u.org_id,u.role,k.revoked,u.email,o.name,k.hash,"
                      "k.expires,k.last_used,u.disabled,o.disabled"
                      " FROM api_keys k JOIN users u ON u.id=k.user_id"
                      " JOIN orgs o ON o.id=u.org_id WHERE k.hash=?",
    [S_SG_ADD] = "INSERT INTO sharing_groups(uuid,name,created) VALUES(?,?,?)",
    [S_SG_ORG_ADD] = "INSERT OR IGNORE INTO sharing_group_orgs(sg_id,org_id) VALUES(?,?)",
    [S_SG_BY_ID] = "SELECT " SG_COLS " FROM sharing_groups g WHERE g.id=?",
    [S_SG_BY_KEY] = "SELECT " SG_COLS " FROM sharing_groups g WHERE g.uuid=lower(?1) OR g.name=?1",
    [S_SG_LIST] = "SELECT " SG_COLS " FROM sharing_groups g ORDER BY g.name",
    [S_ORG_SGS] = "SELECT sg_id FROM sharing_group_orgs WHERE org_id=? ORDER BY sg_id",
    [S_SG_HAS_ORG] = "SELECT 1 FROM sharing_group_orgs WHERE sg_id=? AND org_id=?",
};

static wbi_stmt *stmt(sq_store *q, int which, wb_error *err)
{
    return wbi_sqlite_stmt(q, WBI_SQ_ACCOUNTS, stmt_sql, S_COUNT, which, err);
}

static int sq_org_add(wb_store *s, const char *uuid, const char *name, wb_org_kind kind,
                      const char *sector, const char *kvk, int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_ORG_ADD, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    bind_text(st, 1, uuid);
    bind_text(st, 2, name);
    bind_text(st, 3, wb_org_kind_name(kind));
    bind_text(st, 4, sector);
    bind_text(st, 5, kvk);
    wbi_db_bind_i64(st, 6, wb_time_now());
    char dup[200];
    snprintf(dup, sizeof dup, "organisation '%s' exists", name);
    int rc = run(q, st, dup, err);
    if (rc == 0 && id) *id = wbi_db_last_id(q->db);
    return rc;
}

static void row_org(wbi_stmt *st, wb_org *o)
{
    o->id = wbi_db_col_i64(st, 0);
    o->uuid = col_text(st, 1);
    o->name = col_text(st, 2);
    if (wb_org_kind_parse(col_text(st, 3), &o->kind) != 0) o->kind = WB_ORG_OTHER;
    o->sector = col_text(st, 4);
    o->kvk = col_text(st, 5);
    o->created = wbi_db_col_i64(st, 6);
    o->disabled = wbi_db_col_int(st, 7) != 0;
}

/* Steps st calling fn for each row; returns 0, the error, or WB_ENOTFOUND
 * when `need` and no row came. */

static int sq_org_find(wb_store *s, int64_t id, const char *name, wb_org_cb cb, void *ud,
                       wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, id > 0 ? S_ORG_BY_ID : S_ORG_BY_NAME, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    char msg[200];
    if (id > 0) {
        wbi_db_bind_i64(st, 1, id);
        snprintf(msg, sizeof msg, "no organisation with id %lld", (long long)id);
    } else {
        bind_text(st, 1, name);
        snprintf(msg, sizeof msg, "unknown organisation '%.150s'", name);
    }
    WALK(q, st, err, true, msg, wb_org o, row_org(st, &o), cb(ud, &o));
}

static int sq_org_list(wb_store *s, wb_org_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_ORG_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    WALK(q, st, err, false, "", wb_org o, row_org(st, &o), cb(ud, &o));
}

static int sq_user_add(wb_store *s, const char *email, int64_t org_id, wb_role role, int64_t *id,
                       wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_USER_ADD, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    bind_text(st, 1, email);
    wbi_db_bind_i64(st, 2, org_id);
    bind_text(st, 3, wb_role_name(role));
    wbi_db_bind_i64(st, 4, wb_time_now());
    char dup[300];
    snprintf(dup, sizeof dup, "user '%s' exists (or the organisation does not)", email);
    int rc = run(q, st, dup, err);
    if (rc == 0 && id) *id = wbi_db_last_id(q->db);
    return rc;
}

static void row_user(wbi_stmt *st, wb_user *u)
{
    u->id = wbi_db_col_i64(st, 0);
    u->email = col_text(st, 1);
    u->org_id = wbi_db_col_i64(st, 2);
    u->org_name = col_text(st, 3);
    if (wb_role_parse(col_text(st, 4), &u->role) != 0) u->role = WB_ROLE_MEMBER;
    u->created = wbi_db_col_i64(st, 5);
    u->disabled = wbi_db_col_int(st, 6) != 0;
}

static int sq_user_find(wb_store *s, const char *email, wb_user_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_USER_FIND, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    bind_text(st, 1, email);
    char msg[300];
    snprintf(msg, sizeof msg, "unknown user '%.254s'", email);
    WALK(q, st, err, true, msg, wb_user u, row_user(st, &u), cb(ud, &u));
}

static int sq_user_list(wb_store *s, wb_user_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_USER_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    WALK(q, st, err, false, "", wb_user u, row_user(st, &u), cb(ud, &u));
}

static int sq_key_add(wb_store *s, int64_t user_id, const uint8_t hash[WB_KEY_HASH_LEN],
                      int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_KEY_ADD, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, user_id);
    wbi_db_bind_blob(st, 2, hash, WB_KEY_HASH_LEN);
    wbi_db_bind_i64(st, 3, wb_time_now());
    int rc = run(q, st, "no such user", err);
    if (rc == 0 && id) *id = wbi_db_last_id(q->db);
    return rc;
}

static int sq_key_revoke(wb_store *s, int64_t key_id, int64_t user_id, int64_t *n, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, key_id > 0 ? S_KEY_REVOKE_ID : S_KEY_REVOKE_USER, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, key_id > 0 ? key_id : user_id);
    wbi_db_bind_i64(st, 2, wb_time_now());
    int rc = run(q, st, NULL, err);
    *n = rc == 0 ? wbi_db_changes(q->db) : 0;
    return rc;
}

static void row_key(wbi_stmt *st, wb_apikey *k)
{
    k->id = wbi_db_col_i64(st, 0);
    k->user_id = wbi_db_col_i64(st, 1);
    k->email = col_text(st, 2);
    k->created = wbi_db_col_i64(st, 3);
    k->revoked = wbi_db_col_null(st, 4) ? WB_TIME_NONE : wbi_db_col_i64(st, 4);
    k->expires = wbi_db_col_null(st, 5) ? WB_TIME_NONE : wbi_db_col_i64(st, 5);
    k->last_used = wbi_db_col_null(st, 6) ? WB_TIME_NONE : wbi_db_col_i64(st, 6);
    k->comment = col_text(st, 7);
    k->org_id = wbi_db_col_i64(st, 8);
    k->org_name = col_text(st, 9);
}

static int sq_key_list(wb_store *s, wb_apikey_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_KEY_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    WALK(q, st, err, false, "", wb_apikey k, row_key(st, &k), cb(ud, &k));
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) n = cap - 1;
    if (n) memcpy(dst, src, n);
    dst[n] = '\0';
}

static int sq_key_by_hash(wb_store *s, const uint8_t hash[WB_KEY_HASH_LEN], wb_keyowner *out,
                          uint8_t stored[WB_KEY_HASH_LEN], wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_KEY_BY_HASH, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_blob(st, 1, hash, WB_KEY_HASH_LEN);
    int rc = wbi_db_step(st), ret = 0;
    if (rc == WBI_DB_ROW && wbi_db_col_bytes(st, 7) == WB_KEY_HASH_LEN) {
        out->key_id = wbi_db_col_i64(st, 0);
        out->user_id = wbi_db_col_i64(st, 1);
        out->org_id = wbi_db_col_i64(st, 2);
        if (wb_role_parse(col_text(st, 3), &out->role) != 0) out->role = WB_ROLE_SENSOR;
        out->revoked = !wbi_db_col_null(st, 4);
        copy_str(out->email, sizeof out->email, col_text(st, 5));
        copy_str(out->org_name, sizeof out->org_name, col_text(st, 6));
        memcpy(stored, wbi_db_col_blob(st, 7), WB_KEY_HASH_LEN);
        out->expires = wbi_db_col_null(st, 8) ? WB_TIME_NONE : wbi_db_col_i64(st, 8);
        out->last_used = wbi_db_col_null(st, 9) ? WB_TIME_NONE : wbi_db_col_i64(st, 9);
        out->user_disabled = wbi_db_col_int(st, 10) != 0;
        out->org_disabled = wbi_db_col_int(st, 11) != 0;
    } else if (rc == WBI_DB_DONE || rc == WBI_DB_ROW) {
        ret = wb_error_set(err, WB_ENOTFOUND, "no such key");
    } else {
        ret = db_error(q, err, "reading");
    }
    done(st);
    return ret;
}

static int sq_sgroup_add(wb_store *s, const char *uuid, const char *name, const int64_t *orgs,
                         size_t norgs, int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    int rc = wbi_sqlite_begin(s, err);
    wbi_stmt *st = rc == 0 ? stmt(q, S_SG_ADD, err) : NULL;
    if (rc == 0 && st == NULL) rc = WB_EIO;
    int64_t sg = 0;
    if (rc == 0) {
        bind_text(st, 1, uuid);
        bind_text(st, 2, name);
        wbi_db_bind_i64(st, 3, wb_time_now());
        char dup[200];
        snprintf(dup, sizeof dup, "sharing group '%s' exists", name);
        rc = run(q, st, dup, err);
        sg = wbi_db_last_id(q->db);
    }
    for (size_t i = 0; rc == 0 && i < norgs; i++) {
        st = stmt(q, S_SG_ORG_ADD, err);
        if (st == NULL) {
            rc = WB_EIO;
            break;
        }
        wbi_db_bind_i64(st, 1, sg);
        wbi_db_bind_i64(st, 2, orgs[i]);
        rc = run(q, st, "no such organisation", err);
    }
    if (rc == 0) rc = wbi_sqlite_commit(s, err);
    if (rc) wbi_sqlite_rollback(s);
    if (rc == 0 && id) *id = sg;
    return rc;
}

static void row_sg(wbi_stmt *st, wb_sgroup *g)
{
    g->id = wbi_db_col_i64(st, 0);
    g->uuid = col_text(st, 1);
    g->name = col_text(st, 2);
    g->orgs = col_text(st, 3);
    if (g->orgs == NULL) g->orgs = "";
    g->created = wbi_db_col_i64(st, 4);
}

static int sq_sgroup_find(wb_store *s, int64_t id, const char *key, wb_sgroup_cb cb, void *ud,
                          wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, id > 0 ? S_SG_BY_ID : S_SG_BY_KEY, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    char msg[200];
    if (id > 0) {
        wbi_db_bind_i64(st, 1, id);
        snprintf(msg, sizeof msg, "no sharing group with id %lld", (long long)id);
    } else {
        bind_text(st, 1, key);
        snprintf(msg, sizeof msg, "unknown sharing group '%.150s'", key);
    }
    WALK(q, st, err, true, msg, wb_sgroup g, row_sg(st, &g), cb(ud, &g));
}

static int sq_sgroup_list(wb_store *s, wb_sgroup_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_SG_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    WALK(q, st, err, false, "", wb_sgroup g, row_sg(st, &g), cb(ud, &g));
}

static int sq_org_sgroups(wb_store *s, int64_t org_id, int64_t *ids, size_t max, size_t *n,
                          wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_ORG_SGS, err);
    *n = 0;
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, org_id);
    int rc;
    while ((rc = wbi_db_step(st)) == WBI_DB_ROW && *n < max)
        ids[(*n)++] = wbi_db_col_i64(st, 0);
    int ret = rc == WBI_DB_DONE || rc == WBI_DB_ROW ? 0 : db_error(q, err, "reading");
    done(st);
    return ret;
}

static bool sq_sgroup_has_org(wb_store *s, int64_t sg_id, int64_t org_id)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_SG_HAS_ORG, NULL);
    if (st == NULL) return false;
    wbi_db_bind_i64(st, 1, sg_id);
    wbi_db_bind_i64(st, 2, org_id);
    bool yes = wbi_db_step(st) == WBI_DB_ROW;
    done(st);
    return yes;
}

const wbi_store_accounts_ops wbi_sqlite_accounts_ops = {
    .org_add = sq_org_add,
    .org_find = sq_org_find,
    .org_list = sq_org_list,
    .user_add = sq_user_add,
    .user_find = sq_user_find,
    .user_list = sq_user_list,
    .key_add = sq_key_add,
    .key_revoke = sq_key_revoke,
    .key_list = sq_key_list,
    .key_by_hash = sq_key_by_hash,
    .sgroup_add = sq_sgroup_add,
    .sgroup_find = sq_sgroup_find,
    .sgroup_list = sq_sgroup_list,
    .org_sgroups = sq_org_sgroups,
    .sgroup_has_org = sq_sgroup_has_org,
};
