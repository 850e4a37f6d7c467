/*
 * accounts.c - the accounts service (accounts.h): organisations, users,
 * API keys, sharing-group membership and the audit log's reading, for
 * `weerbaar admin` (local and --hub) and the hub's admin API alike.
 *
 * Every operation is a row of the const table wb_acct_ops and a function
 * of one signature: it checks the actor's rights, validates, and for a
 * write opens the transaction, writes, audits as the actor and commits.
 * The answer is JSON built here, so that every front end prints the same.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "accounts/accounts_internal.h"
#include "weerbaar/incident.h" /* wb_sector_valid */

#define DAY_US ((wb_time)86400 * 1000000)
/* Organisations one sharing-group call names at most. */
#define MAX_ORGS 256

int wb_acct_open(wb_store **s, const char *path, wb_error *err)
{
    return wb_store_open(s, path, err);
}

void wb_acct_close(wb_store *s)
{
    wb_store_close(s);
}

/* ---- helpers shared with import.c ------------------------------------------------ */

int wbi_acct_deny(bool *forbidden, wb_error *err, const char *msg)
{
    *forbidden = true;
    return wb_error_set(err, WB_EINVAL, "%s", msg);
}

int wbi_acct_audit(wb_store *s, const wb_actor *who, const char *action, const char *object,
                   const char *detail, wb_error *err)
{
    wb_audit_rec a = {.user = who->user ? who->user : "-",
                      .org = who->org_name ? who->org_name : "-",
                      .action = action,
                      .object = object,
                      .detail = detail};
    return wb_store_audit(s, &a, err);
}

/* Commits after the audit entry, or rolls back everything on error. */
static int finish(wb_store *s, const wb_actor *who, int rc, const char *action, const char *object,
                  const char *detail, wb_error *err)
{
    if (rc == 0) rc = wbi_acct_audit(s, who, action, object, detail, err);
    if (rc == 0) rc = wb_store_commit(s, err);
    if (rc) wb_store_rollback(s);
    return rc;
}

int wbi_acct_dump(json_t *j, wb_buf *out, wb_error *err)
{
    if (j == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    char *t = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    int rc = t ? 0 : WB_ENOMEM;
    wb_buf_reset(out);
    if (rc == 0) rc = wb_buf_puts(out, t);
    free(t);
    return rc ? wb_error_set(err, WB_ENOMEM, "out of memory") : 0;
}

static json_t *time_json(wb_time t)
{
    if (t == WB_TIME_NONE) return json_null();
    char b[40];
    wb_time_format(t - t % 1000000, b, sizeof b);
    return json_string(b);
}

static json_t *day_json(wb_time t)
{
    if (t == WB_TIME_NONE) return json_null();
    char b[40];
    wb_time_format(t - t % 1000000, b, sizeof b);
    b[10] = '\0';
    return json_string(b);
}

static int org_copy_cb(void *ud, const wb_org *o)
{
    wbi_acct_org *c = ud;
    c->id = o->id;
    c->kind = o->kind;
    c->disabled = o->disabled;
    snprintf(c->name, sizeof c->name, "%s", o->name);
    snprintf(c->uuid, sizeof c->uuid, "%s", o->uuid);
    snprintf(c->sector, sizeof c->sector, "%s", o->sector ? o->sector : "");
    snprintf(c->kvk, sizeof c->kvk, "%s", o->kvk ? o->kvk : "");
    return 1;
}

/* By name or uuid, else (MISP's paths name them so) by a numeric id. */
int wbi_acct_org_find(wb_store *s, const char *name, wbi_acct_org *out, wb_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = wb_store_org_find(s, name, org_copy_cb, out, err);
    int64_t id;
    if (rc == WB_ENOTFOUND && wb_parse_i64(name, strlen(name), 1, INT64_MAX, &id) == 0) {
        wb_error e;
        if (wb_store_org_get(s, id, org_copy_cb, out, &e) == 0) rc = 0;
    }
    return rc;
}

static int org_by_id(wb_store *s, int64_t id, wbi_acct_org *out, wb_error *err)
{
    memset(out, 0, sizeof *out);
    return wb_store_org_get(s, id, org_copy_cb, out, err);
}

static int user_copy_cb(void *ud, const wb_user *u)
{
    wbi_acct_user *c = ud;
    c->id = u->id;
    c->org_id = u->org_id;
    c->role = u->role;
    c->disabled = u->disabled;
    snprintf(c->email, sizeof c->email, "%s", u->email);
    snprintf(c->org_name, sizeof c->org_name, "%s", u->org_name);
    return 1;
}

typedef struct user_by_id {
    int64_t id;
    wbi_acct_user *out;
} user_by_id;

static int user_id_cb(void *ud, const wb_user *u)
{
    user_by_id *b = ud;
    if (u->id != b->id) return 0;
    user_copy_cb(b->out, u);
    return 1;
}

/* By e-mail, else by a numeric id. */
int wbi_acct_user_find(wb_store *s, const char *email, wbi_acct_user *out, wb_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = wb_store_user_find(s, email, user_copy_cb, out, err);
    user_by_id b = {0, out};
    if (rc == WB_ENOTFOUND && wb_parse_i64(email, strlen(email), 1, INT64_MAX, &b.id) == 0) {
        wb_error e;
        if (wb_store_user_list(s, user_id_cb, &b, &e) == 0 && out->id) rc = 0;
    }
    return rc;
}

static bool is_site_admin(const wb_actor *who)
{
    return who->role == WB_ROLE_SITE_ADMIN;
}

/* An org admin may act on users of their own organisation that are not
 * site admins; a site admin on anyone. */
static int may_manage_user(const wb_actor *who, const wbi_acct_user *u, bool *forbidden,
                           wb_error *err)
{
    if (is_site_admin(who)) return 0;
    if (who->role == WB_ROLE_ORG_ADMIN && u->org_id == who->org_id && u->role != WB_ROLE_SITE_ADMIN)
        return 0;
    return wbi_acct_deny(forbidden, err,
                         "an organisation's admin manages only their own organisation's users "
                         "and keys");
}

static int need(const char *v, const char *what, wb_error *err)
{
    if (v && v[0]) return 0;
    return wb_error_set(err, WB_EINVAL, "%s is required", what);
}

int wbi_acct_kind(const char *s, wb_org_kind *k, wb_error *err)
{
    if (s && wb_org_kind_parse(s, k) == 0) return 0;
    return wb_error_set(err, WB_EINVAL,
                        "kind must be csirt, essential, important, supervisor or other%s%s",
                        s ? ", not " : "", s ? s : "");
}

int wbi_acct_role(const char *s, wb_role *r, wb_error *err)
{
    if (s && wb_role_parse(s, r) == 0) return 0;
    return wb_error_set(err, WB_EINVAL, "role must be site-admin, org-admin, member or sensor%s%s",
                        s ? ", not " : "", s ? s : "");
}

int wbi_acct_sector(const char *s, wb_error *err)
{
    if (s == NULL || s[0] == '\0' || wb_sector_valid(s)) return 0;
    return wb_error_set(err, WB_EINVAL,
                        "sector '%.100s' is not a NIS2 sector (see 'weerbaar incident taxonomy "
                        "sectors')",
                        s);
}

static json_t *org_json(const wbi_acct_org *o)
{
    json_t *j = json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)o->id, "uuid", o->uuid, "name",
                          o->name, "kind", wb_org_kind_name(o->kind));
    if (j == NULL) return NULL;
    json_object_set_new(j, "sector", o->sector[0] ? json_string(o->sector) : json_null());
    json_object_set_new(j, "kvk", o->kvk[0] ? json_string(o->kvk) : json_null());
    json_object_set_new(j, "disabled", json_boolean(o->disabled));
    return j;
}

static json_t *user_json(const wbi_acct_user *u)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:b}", "id", (json_int_t)u->id, "email", u->email, "org",
                     u->org_name, "role", wb_role_name(u->role), "disabled", u->disabled);
}

static int write_answer(json_t *rec, const char *key, wb_buf *out, wb_error *err, const char *fmt,
                        ...) __attribute__((format(printf, 5, 6)));
static int write_answer(json_t *rec, const char *key, wb_buf *out, wb_error *err, const char *fmt,
                        ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *j = json_pack("{s:s}", "message", msg);
    if (j && rec) json_object_set_new(j, key, rec);
    return wbi_acct_dump(j, out, err);
}

/* ---- organisations ------------------------------------------------------------------- */

typedef struct op_ctx {
    wb_store *s;
    const wb_actor *who;
    const wb_acct_args *a;
    wb_time now;
    wb_buf *out;
    bool *forbidden;
    wb_error *err;
} op_ctx;

static int site_admin_only(op_ctx *c)
{
    if (is_site_admin(c->who)) return 0;
    return wbi_acct_deny(c->forbidden, c->err,
                         "only site admins manage organisations and "
                         "sharing groups, and read the audit log");
}

static int org_add(op_ctx *c)
{
    const wb_acct_args *a = c->a;
    wb_org_kind kind;
    int rc = site_admin_only(c);
    if (rc == 0) rc = wbi_acct_kind(a->kind, &kind, c->err);
    if (rc == 0) rc = wbi_acct_sector(a->sector, c->err);
    int64_t id = 0;
    if (rc == 0)
        rc = wb_store_begin(c->s, c->err);
    else
        return rc;
    if (rc == 0)
        rc = wb_store_org_add(c->s, a->target, kind, a->sector && a->sector[0] ? a->sector : NULL,
                              a->kvk && a->kvk[0] ? a->kvk : NULL, &id, c->err);
    if (finish(c->s, c->who, rc, "org.add", a->target, wb_org_kind_name(kind), c->err)) return -1;
    wbi_acct_org o;
    if (org_by_id(c->s, id, &o, c->err) != 0) return -1;
    return write_answer(org_json(&o), "organisation", c->out, c->err, "organisation %lld: %s (%s)",
                        (long long)id, o.name, wb_org_kind_name(o.kind));
}

static int org_row_cb(void *ud, const wb_org *o)
{
    wbi_acct_org c;
    org_copy_cb(&c, o);
    json_array_append_new(ud, org_json(&c));
    return 0;
}

static int org_list(op_ctx *c)
{
    json_t *rows = json_array();
    int rc;
    if (is_site_admin(c->who))
        rc = wb_store_org_list(c->s, org_row_cb, rows, c->err);
    else if (c->who->role == WB_ROLE_ORG_ADMIN)
        rc = wb_store_org_get(c->s, c->who->org_id, org_row_cb, rows, c->err);
    else
        rc = wbi_acct_deny(c->forbidden, c->err, "only admins list organisations");
    if (rc) {
        json_decref(rows);
        return rc;
    }
    return wbi_acct_dump(rows, c->out, c->err);
}

/* rename, set, disable, enable: one update with what changes. */
static int org_change(op_ctx *c, const char *action)
{
    const wb_acct_args *a = c->a;
    wbi_acct_org o;
    int rc = site_admin_only(c);
    if (rc == 0) rc = wbi_acct_org_find(c->s, a->target, &o, c->err);
    if (rc) return rc;
    const char *name = NULL, *sector = NULL, *kvk = NULL;
    wb_org_kind kind, *kp = NULL;
    int disabled = -1;
    char detail[300] = "";
    if (strcmp(action, "rename") == 0) {
        rc = need(a->new_name, "the new name", c->err);
        name = a->new_name;
        snprintf(detail, sizeof detail, "%s -> %s", o.name, name ? name : "");
    } else if (strcmp(action, "set") == 0) {
        if (!a->kind && !a->sector && !a->kvk)
            return wb_error_set(c->err, WB_EINVAL, "org set: give kind, sector or kvk");
        if (a->kind) {
            rc = wbi_acct_kind(a->kind, &kind, c->err);
            kp = &kind;
        }
        if (rc == 0) rc = wbi_acct_sector(a->sector, c->err);
        sector = a->sector;
        kvk = a->kvk;
        snprintf(detail, sizeof detail, "kind %s, sector %s, kvk %s", a->kind ? a->kind : "=",
                 sector ? (sector[0] ? sector : "-") : "=", kvk ? (kvk[0] ? kvk : "-") : "=");
    } else {
        disabled = strcmp(action, "disable") == 0;
    }
    if (rc) return rc;
    char act[32];
    snprintf(act, sizeof act, "org.%s", action);
    rc = wb_store_begin(c->s, c->err);
    if (rc == 0) rc = wb_store_org_update(c->s, o.id, name, kp, sector, kvk, disabled, c->err);
    if (finish(c->s, c->who, rc, act, o.name, detail[0] ? detail : NULL, c->err)) return -1;
    wbi_acct_org now;
    if (org_by_id(c->s, o.id, &now, c->err) != 0) return -1;
    return write_answer(org_json(&now), "organisation", c->out, c->err, "organisation %lld: %s%s",
                        (long long)now.id, now.name,
                        disabled == 1   ? " disabled: its keys are refused from now on"
                        : disabled == 0 ? " enabled"
                                        : " changed");
}

typedef struct holding_text {
    char buf[400];
    size_t n;
} holding_text;

static int holding_cb(void *ud, const char *table, int64_t rows)
{
    holding_text *h = ud;
    if (h->n < sizeof h->buf)
        h->n += (size_t)snprintf(h->buf + h->n, sizeof h->buf - h->n, "%s%lld %s", h->n ? ", " : "",
                                 (long long)rows, table);
    return 0;
}

static int org_remove(op_ctx *c)
{
    const wb_acct_args *a = c->a;
    wbi_acct_org o, to = {0};
    int rc = site_admin_only(c);
    if (rc == 0) rc = wbi_acct_org_find(c->s, a->target, &o, c->err);
    if (rc == 0 && a->transfer_to) rc = wbi_acct_org_find(c->s, a->transfer_to, &to, c->err);
    if (rc) return rc;
    if (to.id == 0) {
        holding_text h = {0};
        rc = wb_store_org_holdings(c->s, o.id, holding_cb, &h, c->err);
        if (rc) return rc;
        if (h.n)
            return wb_error_set(c->err, WB_EINVAL,
                                "organisation %s owns %s: remove those first, or give them to "
                                "another organisation with transfer-to",
                                o.name, h.buf);
    }
    char detail[200] = "";
    if (to.id) snprintf(detail, sizeof detail, "records transferred to %s", to.name);
    rc = wb_store_begin(c->s, c->err);
    if (rc == 0) rc = wb_store_org_remove(c->s, o.id, to.id, c->err);
    if (finish(c->s, c->who, rc, "org.remove", o.name, detail[0] ? detail : NULL, c->err))
        return -1;
    return write_answer(org_json(&o), "organisation", c->out, c->err, "organisation %s removed%s%s",
                        o.name, to.id ? "; its records now belong to " : "", to.id ? to.name : "");
}

/* ---- users ----------------------------------------------------------------------------- */

static int user_add(op_ctx *c)
{
    const wb_acct_args *a = c->a;
    wb_role role;
    wbi_acct_org o;
    int rc = wbi_acct_role(a->role, &role, c->err);
    if (rc) return rc;
    if (!is_site_admin(c->who)) {
        if (c->who->role != WB_ROLE_ORG_ADMIN)
            return wbi_acct_deny(c->forbidden, c->err, "only admins add users");
        if (role == WB_ROLE_SITE_ADMIN)
            return wbi_acct_deny(c->forbidden, c->err, "only site admins make site admins");
        rc = org_by_id(c->s, c->who->org_id, &o, c->err);
        if (rc == 0 && a->org && strcasecmp(a->org, o.name) != 0)
            return wbi_acct_deny(c->forbidden, c->err,
                                 "an organisation's admin adds users to their own organisation "
                                 "only");
    } else {
        rc = need(a->org, "the user's organisation (org)", c->err);
        if (rc == 0) rc = wbi_acct_org_find(c->s, a->org, &o, c->err);
    }
    if (rc) return rc;
    int64_t id = 0;
    char detail[200];
    snprintf(detail, sizeof detail, "%s, %s", o.name, wb_role_name(role));
    rc = wb_store_begin(c->s, c->err);
    if (rc == 0) rc = wb_store_user_add(c->s, a->target, o.id, role, &id, c->err);
    if (finish(c->s, c->who, rc, "user.add", a->target, detail, c->err)) return -1;
    wbi_acct_user u;
    if (wbi_acct_user_find(c->s, a->target, &u, c->err) != 0) return -1;
    return write_answer(user_json(&u), "user", c->out, c->err, "user %lld: %s (%s, %s)",
                        (long long)id, u.email, u.org_name, wb_role_name(role));
}

typedef struct list_walk {
    json_t *rows;
    int64_t org_id; /* 0: all */
} list_walk;

static int user_row_cb(void *ud, const wb_user *u)
{
    list_walk *w = ud;
    if (w->org_id && u->org_id != w->org_id) return 0;
    wbi_acct_user c;
    user_copy_cb(&c, u);
    json_array_append_new(w->rows, user_json(&c));
    return 0;
}

/* The organisation a list is limited to: an org admin's own; a site
 * admin's --org filter, or all (0). */
static int list_scope(op_ctx *c, int64_t *org_id)
{
    *org_id = 0;
    if (!is_site_admin(c->who)) {
        if (c->who->role != WB_ROLE_ORG_ADMIN)
            return wbi_acct_deny(c->forbidden, c->err, "only admins list users and keys");
        *org_id = c->who->org_id;
        return 0;
    }
    if (c->a->org == NULL) return 0;
    wbi_acct_org o;
    int rc = wbi_acct_org_find(c->s, c->a->org, &o, c->err);
    *org_id = o.id;
    return rc;
}

static int user_list(op_ctx *c)
{
    list_walk w = {.rows = json_array()};
    int rc = list_scope(c, &w.org_id);
    if (rc == 0) rc = wb_store_user_list(c->s, user_row_cb, &w, c->err);
    if (rc) {
        json_decref(w.rows);
        return rc;
    }
    return wbi_acct_dump(w.rows, c->out, c->err);
}

static int user_change(op_ctx *c, const char *action)
{
    const wb_acct_args *a = c->a;
    wbi_acct_user u;
    int rc = wbi_acct_user_find(c->s, a->target, &u, c->err);
    if (rc == 0) rc = may_manage_user(c->who, &u, c->forbidden, c->err);
    if (rc) return rc;
    int disabled = -1;
    wb_role role, *rp = NULL;
    wbi_acct_org to = {0};
    char detail[300] = "";
    bool remove = strcmp(action, "remove") == 0;
    if (strcmp(action, "set") == 0) {
        if (!a->role && !a->org)
            return wb_error_set(c->err, WB_EINVAL, "user set: give role or org");
        if (a->role) {
            rc = wbi_acct_role(a->role, &role, c->err);
            if (rc) return rc;
            if (role == WB_ROLE_SITE_ADMIN && !is_site_admin(c->who))
                return wbi_acct_deny(c->forbidden, c->err, "only site admins make site admins");
            rp = &role;
        }
        if (a->org) {
            if (!is_site_admin(c->who))
                return wbi_acct_deny(c->forbidden, c->err,
                                     "only site admins move users to another organisation");
            rc = wbi_acct_org_find(c->s, a->org, &to, c->err);
            if (rc) return rc;
        }
        snprintf(detail, sizeof detail, "role %s, org %s", rp ? wb_role_name(*rp) : "=",
                 to.id ? to.name : "=");
    } else if (!remove) {
        disabled = strcmp(action, "disable") == 0;
        if (disabled && c->who->channel != WB_ACTOR_CLI && strcasecmp(u.email, c->who->user) == 0)
            return wb_error_set(c->err, WB_EINVAL, "you cannot disable yourself");
    }
    char act[32];
    snprintf(act, sizeof act, "user.%s", action);
    rc = wb_store_begin(c->s, c->err);
    if (rc == 0)
        rc = remove ? wb_store_user_remove(c->s, u.id, c->err)
                    : wb_store_user_update(c->s, u.id, to.id, rp, disabled, c->err);
    if (finish(c->s, c->who, rc, act, u.email, detail[0] ? detail : NULL, c->err)) return -1;
    if (remove)
        return write_answer(user_json(&u), "user", c->out, c->err, "user %s removed with its keys",
                            u.email);
    if (wbi_acct_user_find(c->s, a->target, &u, c->err) != 0) return -1;
    return write_answer(user_json(&u), "user", c->out, c->err, "user %s%s", u.email,
                        disabled == 1   ? " disabled: its keys are refused from now on"
                        : disabled == 0 ? " enabled"
                                        : " changed");
}

/* ---- keys -------------------------------------------------------------------------------- */

static int key_add(op_ctx *c)
{
    const wb_acct_args *a = c->a;
    wbi_acct_user u;
    int rc = wbi_acct_user_find(c->s, a->target, &u, c->err);
    if (rc == 0) rc = may_manage_user(c->who, &u, c->forbidden, c->err);
    if (rc) return rc;
    wb_time expires = WB_TIME_NONE;
    if (a->expires && strcmp(a->expires, "never") != 0) {
        if (wb_time_parse(a->expires, strlen(a->expires), &expires) != 0)
            return wb_error_set(c->err, WB_EINVAL,
                                "expires: '%.60s' is not an RFC 3339 time or date", a->expires);
        if (expires <= c->now)
            return wb_error_set(c->err, WB_EINVAL, "expires: %.60s lies in the past", a->expires);
    }
    if (a->comment && strlen(a->comment) > 200)
        return wb_error_set(c->err, WB_EINVAL, "comment: at most 200 bytes");
    char key[WB_KEY_TEXT_LEN + 1], obj[32];
    int64_t id = 0;
    rc = wb_store_begin(c->s, c->err);
    if (rc == 0) rc = wb_store_key_add(c->s, u.id, key, &id, c->err);
    if (rc == 0 && (expires != WB_TIME_NONE || a->comment))
        rc = wb_store_key_set(c->s, id, expires, a->comment, c->err);
    snprintf(obj, sizeof obj, "key %lld", (long long)id);
    if (finish(c->s, c->who, rc, "key.add", obj, u.email, c->err)) return -1;
    json_t *j = json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)id, "user", u.email, "org",
                          u.org_name, "key", key);
    if (j) {
        json_object_set_new(j, "expires", time_json(expires));
        json_object_set_new(j, "comment", a->comment ? json_string(a->comment) : json_null());
    }
    memset(key, 0, sizeof key);
    return write_answer(j, "key", c->out, c->err,
                        "key %lld for %s: shown only now, it is stored as a hash", (long long)id,
                        u.email);
}

typedef struct key_walk {
    json_t *rows;
    int64_t org_id;
    wb_time now;
} key_walk;

static int key_row_cb(void *ud, const wb_apikey *k)
{
    key_walk *w = ud;
    if (w->org_id && k->org_id != w->org_id) return 0;
    const char *state = k->revoked != WB_TIME_NONE                           ? "revoked"
                        : k->expires != WB_TIME_NONE && k->expires <= w->now ? "expired"
                                                                             : "valid";
    json_t *j = json_pack("{s:I,s:s,s:s,s:o,s:o,s:o,s:o,s:s}", "id", (json_int_t)k->id, "email",
                          k->email, "org", k->org_name ? k->org_name : "", "created",
                          time_json(k->created), "last_used", day_json(k->last_used), "expires",
                          time_json(k->expires), "revoked", time_json(k->revoked), "state", state);
    if (j) json_object_set_new(j, "comment", k->comment ? json_string(k->comment) : json_null());
    json_array_append_new(w->rows, j);
    return 0;
}

static int key_list(op_ctx *c)
{
    key_walk w = {.rows = json_array(), .now = c->now};
    int rc = list_scope(c, &w.org_id);
    if (rc == 0) rc = wb_store_key_list(c->s, key_row_cb, &w, c->err);
    if (rc) {
        json_decref(w.rows);
        return rc;
    }
    return wbi_acct_dump(w.rows, c->out, c->err);
}

typedef struct key_pick {
    int64_t id;
    wb_apikey_cb unused;
    int64_t user_id;
    char email[WB_EMAIL_MAX + 1];
} key_pick;

static int key_pick_cb(void *ud, const wb_apikey *k)
{
    key_pick *p = ud;
    if (k->id != p->id) return 0;
    p->user_id = k->user_id;
    snprintf(p->email, sizeof p->email, "%s", k->email);
    return 1;
}

static int key_revoke(op_ctx *c)
{
    const wb_acct_args *a = c->a;
    int64_t key_id = 0;
    wbi_acct_user u;
    int rc;
    if (wb_parse_i64(a->target, strlen(a->target), 1, INT64_MAX, &key_id) == 0) {
        key_pick p = {.id = key_id};
        rc = wb_store_key_list(c->s, key_pick_cb, &p, c->err);
        if (rc == 0 && p.user_id == 0)
            return wb_error_set(c->err, WB_ENOTFOUND, "no key with id %lld", (long long)key_id);
        if (rc == 0) rc = wbi_acct_user_find(c->s, p.email, &u, c->err);
    } else {
        rc = wbi_acct_user_find(c->s, a->target, &u, c->err);
    }
    if (rc == 0) rc = may_manage_user(c->who, &u, c->forbidden, c->err);
    if (rc) return rc;
    int64_t count = 0;
    rc = wb_store_begin(c->s, c->err);
    if (rc == 0) rc = wb_store_key_revoke(c->s, key_id, key_id ? 0 : u.id, &count, c->err);
    if (rc == 0 && count == 0)
        rc = wb_error_set(c->err, WB_ENOTFOUND, "no valid key %s %s",
                          key_id ? "with id" : "of user", a->target);
    if (finish(c->s, c->who, rc, "key.revoke", a->target, NULL, c->err)) return -1;
    return write_answer(json_pack("{s:I}", "revoked", (json_int_t)count), "result", c->out, c->err,
                        "revoked %lld key%s", (long long)count, count == 1 ? "" : "s");
}

/* ---- sharing groups ----------------------------------------------------------------------- */

typedef struct sg_pick {
    int64_t id;
    char name[WB_NAME_MAX + 1];
} sg_pick;

static int sg_pick_cb(void *ud, const wb_sgroup *g)
{
    sg_pick *p = ud;
    p->id = g->id;
    snprintf(p->name, sizeof p->name, "%s", g->name);
    return 1;
}

/* The organisations of a comma-separated list, each found. */
static int org_list_ids(op_ctx *c, int64_t *ids, char (*names)[WB_NAME_MAX + 1], size_t *n)
{
    *n = 0;
    const char *p = c->a->orgs;
    if (p == NULL || *p == '\0')
        return wb_error_set(c->err, WB_EINVAL, "orgs: a list of organisation names, A,B,...");
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || len > WB_NAME_MAX || *n == MAX_ORGS)
            return wb_error_set(c->err, WB_EINVAL, "orgs: a list of 1-%d organisation names",
                                MAX_ORGS);
        char name[WB_NAME_MAX + 1];
        memcpy(name, p, len);
        name[len] = '\0';
        wbi_acct_org o;
        int rc = wbi_acct_org_find(c->s, name, &o, c->err);
        if (rc) return rc;
        ids[*n] = o.id;
        snprintf(names[*n], sizeof names[*n], "%s", o.name);
        (*n)++;
        p += len + (comma ? 1 : 0);
    }
    return 0;
}

static json_t *sg_members_json(op_ctx *c, int64_t id);

/* add: creates the group, or adds organisations to the one that exists;
 * remove: takes organisations out. Either way events shared with the
 * group get a new change sequence number (followers look again). */
static int sg_members(op_ctx *c, bool add)
{
    int64_t ids[MAX_ORGS];
    char names[MAX_ORGS][WB_NAME_MAX + 1];
    size_t n = 0;
    sg_pick g = {0};
    int rc = site_admin_only(c);
    if (rc == 0) rc = org_list_ids(c, ids, names, &n);
    if (rc) return rc;
    rc = wb_store_sgroup_find(c->s, 0, c->a->target, sg_pick_cb, &g, c->err);
    if (rc == WB_ENOTFOUND && add) {
        rc = wb_store_begin(c->s, c->err);
        if (rc == 0)
            rc = c->a->uuid ? wb_store_sgroup_add_uuid(c->s, c->a->uuid, c->a->target, ids, n,
                                                       &g.id, c->err)
                            : wb_store_sgroup_add(c->s, c->a->target, ids, n, &g.id, c->err);
        if (finish(c->s, c->who, rc, "sharing-group.add", c->a->target, c->a->orgs, c->err))
            return -1;
        return write_answer(sg_members_json(c, g.id), "members", c->out, c->err,
                            "sharing group %lld: %s (%s)", (long long)g.id, c->a->target,
                            c->a->orgs);
    }
    if (rc) return rc;
    char changed[2048] = "";
    size_t len = 0;
    int64_t touched = 0;
    rc = wb_store_begin(c->s, c->err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        bool ch = false;
        rc = wb_store_sgroup_member(c->s, g.id, ids[i], add, &ch, c->err);
        if (rc == 0 && ch && len < sizeof changed)
            len += (size_t)snprintf(changed + len, sizeof changed - len, "%s%s", len ? "," : "",
                                    names[i]);
    }
    if (rc == 0 && len) rc = wb_store_sgroup_touch(c->s, g.id, &touched, c->err);
    char act[40];
    snprintf(act, sizeof act, "sharing-group.%s", add ? "member-add" : "member-remove");
    if (len == 0) {
        wb_store_rollback(c->s);
        return write_answer(sg_members_json(c, g.id), "members", c->out, c->err,
                            "sharing group %s: nothing to change", g.name);
    }
    if (finish(c->s, c->who, rc, act, g.name, changed, c->err)) return -1;
    return write_answer(
        sg_members_json(c, g.id), "members", c->out, c->err,
        "sharing group %s: %s %s (%lld event%s sent to change-feed followers again)", g.name,
        add ? "added" : "removed", changed, (long long)touched, touched == 1 ? "" : "s");
}

static int sg_rename(op_ctx *c)
{
    sg_pick g = {0};
    int rc = site_admin_only(c);
    if (rc == 0) rc = need(c->a->new_name, "the new name", c->err);
    if (rc == 0) rc = wb_store_sgroup_find(c->s, 0, c->a->target, sg_pick_cb, &g, c->err);
    if (rc) return rc;
    char detail[300];
    snprintf(detail, sizeof detail, "%s -> %s", g.name, c->a->new_name);
    rc = wb_store_begin(c->s, c->err);
    if (rc == 0) rc = wb_store_sgroup_rename(c->s, g.id, c->a->new_name, c->err);
    if (finish(c->s, c->who, rc, "sharing-group.rename", g.name, detail, c->err)) return -1;
    return write_answer(sg_members_json(c, g.id), "members", c->out, c->err,
                        "sharing group %lld: %s renamed %s", (long long)g.id, g.name,
                        c->a->new_name);
}

static json_t *names_array(const char *csv)
{
    json_t *arr = json_array();
    const char *p = csv;
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        json_array_append_new(arr, json_stringn(p, len));
        p += len + (comma ? 1 : 0);
    }
    return arr;
}

static int sg_row_cb(void *ud, const wb_sgroup *g)
{
    json_t *j = json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)g->id, "uuid", g->uuid, "name",
                          g->name, "orgs", g->orgs);
    json_array_append_new(ud, j);
    return 0;
}

static int sg_one_cb(void *ud, const wb_sgroup *g)
{
    json_t **out = ud;
    *out = json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)g->id, "uuid", g->uuid, "name", g->name,
                     "orgs", g->orgs);
    return 1;
}

static json_t *sg_members_json(op_ctx *c, int64_t id)
{
    json_t *j = NULL;
    wb_error e;
    wb_store_sgroup_find(c->s, id, NULL, sg_one_cb, &j, &e);
    return j ? j : json_object();
}

static int sg_list(op_ctx *c)
{
    int rc = site_admin_only(c);
    if (rc) return rc;
    json_t *rows = json_array();
    rc = wb_store_sgroup_list(c->s, sg_row_cb, rows, c->err);
    if (rc) {
        json_decref(rows);
        return rc;
    }
    return wbi_acct_dump(rows, c->out, c->err);
}

static int sg_show(op_ctx *c)
{
    sg_pick g = {0};
    int rc = site_admin_only(c);
    if (rc == 0) rc = wb_store_sgroup_find(c->s, 0, c->a->target, sg_pick_cb, &g, c->err);
    if (rc) return rc;
    /* One row per member, with its kind and sector. */
    json_t *grp = sg_members_json(c, g.id), *rows = json_array();
    json_t *names = names_array(json_string_value(json_object_get(grp, "orgs")));
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v)
    {
        wbi_acct_org o;
        if (wbi_acct_org_find(c->s, json_string_value(v), &o, c->err) == 0)
            json_array_append_new(rows, org_json(&o));
    }
    json_decref(names);
    json_decref(grp);
    return wbi_acct_dump(rows, c->out, c->err);
}

/* ---- audit --------------------------------------------------------------------------------- */

static int audit_row_cb(void *ud, const wb_audit_rec *a)
{
    char t[40];
    wb_time_format(a->time, t, sizeof t); /* to the microsecond, as hashed */
    json_t *j = json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)a->id, "time", t, "user",
                          a->user, "org", a->org, "action", a->action);
    if (j) {
        json_object_set_new(j, "object", a->object ? json_string(a->object) : json_null());
        json_object_set_new(j, "detail", a->detail ? json_string(a->detail) : json_null());
    }
    json_array_append_new(ud, j);
    return 0;
}

static int audit_list(op_ctx *c)
{
    const wb_acct_args *a = c->a;
    int rc = site_admin_only(c);
    if (rc) return rc;
    wb_audit_filter f = {.since = WB_TIME_NONE, .org = a->org, .action = a->action};
    f.limit = a->limit > 0 ? a->limit : 100;
    if (f.limit > 100000) return wb_error_set(c->err, WB_EINVAL, "limit: at most 100000");
    int64_t page = a->page > 0 ? a->page : 1;
    if (page > 1000000) return wb_error_set(c->err, WB_EINVAL, "page: at most 1000000");
    f.offset = (page - 1) * f.limit;
    int64_t secs;
    if (a->since &&
        !(wb_parse_i64(a->since, strlen(a->since), 0, INT64_MAX, &secs) == 0 &&
          wb_time_from_unix(secs, &f.since) == 0) &&
        wb_time_parse(a->since, strlen(a->since), &f.since) != 0)
        return wb_error_set(c->err, WB_EINVAL,
                            "since: '%.60s' is not an RFC 3339 time or date, or Unix seconds",
                            a->since);
    json_t *rows = json_array();
    rc = wb_store_audit_query(c->s, &f, audit_row_cb, rows, c->err);
    if (rc) {
        json_decref(rows);
        return rc;
    }
    return wbi_acct_dump(rows, c->out, c->err);
}

/* ---- the table ------------------------------------------------------------------------------ */

const wb_acct_op wb_acct_ops[] = {
    {"org", "add", true, true, false, "add an organisation (kind required)"},
    {"org", "list", false, false, true, "organisations"},
    {"org", "rename", true, true, false, "give an organisation a new name"},
    {"org", "set", true, true, false, "change an organisation's kind, sector or kvk"},
    {"org", "disable", true, true, false, "refuse its keys from the next request; data stays"},
    {"org", "enable", true, true, false, "accept its keys again"},
    {"org", "remove", true, true, false, "remove one that owns nothing (or transfer-to)"},
    {"user", "add", true, true, true, "add a user (org, role)"},
    {"user", "list", false, false, true, "users"},
    {"user", "set", true, true, true, "change a user's role or organisation"},
    {"user", "disable", true, true, true, "refuse the user's keys from the next request"},
    {"user", "enable", true, true, true, "accept the user's keys again"},
    {"user", "remove", true, true, true, "remove a user and its keys"},
    {"key", "add", true, true, true, "a new key (expires, comment)"},
    {"key", "list", false, false, true, "keys: created, last used, expiry, state"},
    {"key", "revoke", true, true, true, "revoke a key by id, or every key of a user"},
    {"sharing-group", "add", true, true, false, "create a group, or add organisations to one"},
    {"sharing-group", "remove", true, true, false, "take organisations out of a group"},
    {"sharing-group", "rename", true, true, false, "give a group a new name"},
    {"sharing-group", "list", false, false, false, "groups and their members"},
    {"sharing-group", "members", true, false, false, "one group's member organisations"},
    {"audit", "list", false, false, false, "read the audit log (since, org, action)"},
    {NULL, NULL, false, false, false, NULL}};

const wb_acct_op *wb_acct_op_find(const char *object, const char *action)
{
    for (const wb_acct_op *op = wb_acct_ops; object && action && op->object; op++)
        if (strcmp(op->object, object) == 0 && strcmp(op->action, action) == 0) return op;
    return NULL;
}

int wb_acct_run(wb_store *s, const wb_actor *who, const wb_acct_op *op, const wb_acct_args *a,
                wb_time now, wb_buf *out, bool *forbidden, wb_error *err)
{
    *forbidden = false;
    if (op == NULL) return wb_error_set(err, WB_EINVAL, "no such administrative operation");
    if (op->takes_target && (a->target == NULL || a->target[0] == '\0'))
        return wb_error_set(err, WB_EINVAL, "%s %s: which one? (a name, e-mail or id)", op->object,
                            op->action);
    if (who->role != WB_ROLE_SITE_ADMIN && !(who->role == WB_ROLE_ORG_ADMIN && op->org_admin))
        return wbi_acct_deny(forbidden, err,
                             who->role == WB_ROLE_ORG_ADMIN
                                 ? "only site admins manage organisations and sharing groups, "
                                   "and read the audit log"
                                 : "only admins administer the hub");
    op_ctx c = {s, who, a, now, out, forbidden, err};
    const char *o = op->object, *act = op->action;
    int rc;
    if (strcmp(o, "org") == 0) {
        rc = strcmp(act, "add") == 0      ? org_add(&c)
             : strcmp(act, "list") == 0   ? org_list(&c)
             : strcmp(act, "remove") == 0 ? org_remove(&c)
                                          : org_change(&c, act);
    } else if (strcmp(o, "user") == 0) {
        rc = strcmp(act, "add") == 0    ? user_add(&c)
             : strcmp(act, "list") == 0 ? user_list(&c)
                                        : user_change(&c, act);
    } else if (strcmp(o, "key") == 0) {
        rc = strcmp(act, "add") == 0    ? key_add(&c)
             : strcmp(act, "list") == 0 ? key_list(&c)
                                        : key_revoke(&c);
    } else if (strcmp(o, "sharing-group") == 0) {
        rc = strcmp(act, "add") == 0      ? sg_members(&c, true)
             : strcmp(act, "remove") == 0 ? sg_members(&c, false)
             : strcmp(act, "rename") == 0 ? sg_rename(&c)
             : strcmp(act, "list") == 0   ? sg_list(&c)
                                          : sg_show(&c);
    } else {
        rc = audit_list(&c);
    }
    /* -1: a write failed after its checks; err has the reason. */
    return rc == -1 ? (err->code ? err->code : WB_EINTERNAL) : rc;
}

/* ---- authentication -------------------------------------------------------------------------- */

const char *wb_key_state_name(wb_key_state st)
{
    switch (st) {
    case WB_KEY_OK:
        return "valid";
    case WB_KEY_UNKNOWN:
        return "unknown";
    case WB_KEY_REVOKED:
        return "revoked";
    case WB_KEY_EXPIRED:
        return "expired";
    case WB_KEY_USER_DISABLED:
        return "user disabled";
    case WB_KEY_ORG_DISABLED:
        return "organisation disabled";
    }
    return "unknown";
}

void wb_acct_key_refusal(wb_key_state st, const wb_keyowner *o, char *buf, size_t cap)
{
    char t[40] = "";
    switch (st) {
    case WB_KEY_EXPIRED:
        wb_time_format(o->expires - o->expires % 1000000, t, sizeof t);
        snprintf(buf, cap, "the API key expired at %s; ask an admin for a new one", t);
        return;
    case WB_KEY_USER_DISABLED:
        snprintf(buf, cap, "the API key's user is disabled");
        return;
    case WB_KEY_ORG_DISABLED:
        snprintf(buf, cap, "the API key's organisation is disabled");
        return;
    case WB_KEY_OK:
    case WB_KEY_UNKNOWN:
    case WB_KEY_REVOKED:
        break;
    }
    snprintf(buf, cap, "the API key is not valid");
}

int wb_acct_key_auth(wb_store *s, const char *key, size_t len, wb_time now, wb_keyowner *out,
                     wb_key_state *state, wb_error *err)
{
    memset(out, 0, sizeof *out);
    *state = WB_KEY_UNKNOWN;
    int rc = wb_store_key_auth(s, key, len, out, err);
    if (rc == WB_ENOTFOUND) return 0;
    if (rc) return rc;
    *state = out->revoked                                          ? WB_KEY_REVOKED
             : out->expires != WB_TIME_NONE && out->expires <= now ? WB_KEY_EXPIRED
             : out->org_disabled                                   ? WB_KEY_ORG_DISABLED
             : out->user_disabled                                  ? WB_KEY_USER_DISABLED
                                                                   : WB_KEY_OK;
    /* Day resolution: one write per key per day at most, so a look-up
     * stays a read on every other request (docs/performance.md). */
    wb_time day = now - now % DAY_US;
    if (*state == WB_KEY_OK && (out->last_used == WB_TIME_NONE || out->last_used < day)) {
        wb_error e;
        int wr = wb_store_begin(s, &e);
        if (wr == 0) wr = wb_store_key_touch(s, out->key_id, day, &e);
        if (wr == 0) wr = wb_store_commit(s, &e);
        if (wr)
            wb_store_rollback(s);
        else
            out->last_used = day;
    }
    return 0;
}

int wb_acct_org_groups(wb_store *s, int64_t org_id, int64_t *ids, size_t max, size_t *n,
                       wb_error *err)
{
    return wb_store_org_sgroups(s, org_id, ids, max, n, err);
}
