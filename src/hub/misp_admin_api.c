/*
 * misp_admin_api.c - MISP's administration paths where PyMISP uses them
 * (pymisp/api.py: add_organisation, update_organisation,
 * delete_organisation, users, add_user, update_user, delete_user):
 *
 *   POST /admin/organisations/add          {"name", "type"|"kind", "sector", ...}
 *   POST /admin/organisations/edit/{id}    the same members, those given change
 *   POST /admin/organisations/delete/{id}
 *   GET  /admin/users/index
 *   POST /admin/users/add                  {"email", "org_id", "role_id"|"role"}
 *   POST /admin/users/edit/{id}            {"org_id", "role_id"|"role", "disabled"}
 *   POST /admin/users/delete/{id}
 *
 * Only the translation between MISP's documents and the accounts service's
 * is here; every rule is the service's, exactly as for /api/v1/admin.
 * MISP's role ids: 1 admin (site-admin), 2 Org Admin (org-admin), 3 User,
 * 4 Publisher, 5 Sync user and 6 Read Only (member); a weerbaar "role"
 * name is taken as well, and is how a sensor is made.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hub/admin_api.h"
#include "hub/router.h"

/* The body's object, unwrapped from {"Organisation": {...}} or
 * {"User": {...}}; NULL with the reply sent. The caller decrefs *root. */
static json_t *misp_body(wbi_hub_req *r, const char *wrapper, json_t **root)
{
    wbi_problem prob = {0};
    *root = wbi_json_load(r->req->body ? r->req->body : "{}", r->req->body ? r->req->body_len : 2,
                          wbi_hub_max_depth(r->hub), &prob);
    if (*root == NULL) {
        wbi_hub_reply_problem(r, &prob);
        return NULL;
    }
    json_t *o = json_object_get(*root, wrapper);
    if (o == NULL) o = *root;
    if (!json_is_object(o)) {
        wbi_hub_reply_error(r, 422, "invalid_request", "$: expected a JSON object");
        return NULL;
    }
    return o;
}

/* A member as text: strings as they are, numbers in decimal (MISP sends
 * ids both ways); NULL when absent or null. */
static const char *text_member(wbi_hub_req *r, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_string(v)) return wbi_hub_rdup(r, json_string_value(v));
    if (json_is_integer(v)) return wbi_hub_num(r, (int64_t)json_integer_value(v));
    return NULL;
}

/* Runs an operation; 0 with *out the service's answer, else the reply is
 * sent and -1 returned. */
static int run_op(wbi_hub_req *r, const char *object, const char *action, const wb_acct_args *a,
                  json_t **out)
{
    wb_actor who = wbi_hub_admin_actor(r);
    wb_buf b = {0};
    bool forbidden = false;
    int rc = wb_acct_run(r->st, &who, wb_acct_op_find(object, action), a, wb_time_now(), &b,
                         &forbidden, &r->err);
    if (rc == 0) {
        *out = json_loadb(b.data ? b.data : "", b.len, 0, NULL);
        if (*out == NULL) rc = WB_EINTERNAL;
    }
    if (rc) wbi_hub_admin_reply(r, rc, forbidden, &b, 200);
    wb_buf_free(&b);
    return rc ? -1 : 0;
}

/* MISP's Organisation from the service's organisation record. */
static json_t *misp_org(wbi_hub_req *r, json_t *o)
{
    json_t *org =
        json_pack("{s:s,s:O,s:O,s:O,s:O,s:b,s:b}", "id",
                  wbi_hub_num(r, (int64_t)json_integer_value(json_object_get(o, "id"))), "name",
                  json_object_get(o, "name"), "uuid", json_object_get(o, "uuid"), "type",
                  json_object_get(o, "kind"), "sector", json_object_get(o, "sector"), "local", 1,
                  "disabled", json_is_true(json_object_get(o, "disabled")));
    return json_pack("{s:o}", "Organisation", org);
}

/* A MISP "type" that names one of our kinds is the kind; "kind" wins. */
static const char *org_kind(wbi_hub_req *r, json_t *o)
{
    const char *k = text_member(r, o, "kind");
    if (k) return k;
    const char *t = text_member(r, o, "type");
    wb_org_kind kind;
    return t && wb_org_kind_parse(t, &kind) == 0 ? t : NULL;
}

void wbi_hub_h_misp_org_add(wbi_hub_req *r)
{
    json_t *root, *o = misp_body(r, "Organisation", &root), *res = NULL;
    if (o) {
        const char *kind = org_kind(r, o);
        wb_acct_args a = {.target = text_member(r, o, "name"),
                          .kind = kind ? kind : "other",
                          .sector = text_member(r, o, "sector"),
                          .kvk = text_member(r, o, "kvk")};
        if (run_op(r, "org", "add", &a, &res) == 0)
            wbi_hub_reply_json(r, 200, misp_org(r, json_object_get(res, "organisation")));
    }
    json_decref(res);
    json_decref(root);
}

void wbi_hub_h_misp_org_edit(wbi_hub_req *r)
{
    json_t *root, *o = misp_body(r, "Organisation", &root), *res = NULL;
    if (o == NULL) {
        json_decref(root);
        return;
    }
    const char *target = r->id;
    wb_acct_args a = {.target = target,
                      .kind = org_kind(r, o),
                      .sector = text_member(r, o, "sector"),
                      .kvk = text_member(r, o, "kvk")};
    int rc = 0;
    const char *name = text_member(r, o, "name");
    if (a.kind || a.sector || a.kvk) rc = run_op(r, "org", "set", &a, &res);
    if (rc == 0 && name) {
        /* the target's current name: from the set's answer, or the id */
        wb_acct_args rn = {.target = target, .new_name = name};
        json_t *cur_name =
            res ? json_object_get(json_object_get(res, "organisation"), "name") : NULL;
        if (cur_name && strcasecmp(json_string_value(cur_name), name) == 0) {
            /* nothing to rename */
        } else {
            json_decref(res);
            res = NULL;
            rc = run_op(r, "org", "rename", &rn, &res);
        }
    }
    if (rc == 0 && res == NULL) {
        wbi_hub_reply_error(r, 422, "invalid_request",
                            "$: nothing to change (name, type or kind, sector, kvk)");
    } else if (rc == 0) {
        wbi_hub_reply_json(r, 200, misp_org(r, json_object_get(res, "organisation")));
    }
    json_decref(res);
    json_decref(root);
}

void wbi_hub_h_misp_org_delete(wbi_hub_req *r)
{
    wb_acct_args a = {.target = r->id};
    json_t *res = NULL;
    if (run_op(r, "org", "remove", &a, &res) == 0) {
        char url[200];
        snprintf(url, sizeof url, "/admin/organisations/delete/%s", r->id);
        wbi_hub_reply_json(r, 200,
                           json_pack("{s:b,s:b,s:s,s:s,s:s}", "saved", 1, "success", 1, "name",
                                     "Organisation deleted", "message", "Organisation deleted",
                                     "url", url));
    }
    json_decref(res);
}

/* ---- users ---------------------------------------------------------------------------- */

static const struct {
    int id;
    const char *misp, *ours;
} roles[] = {{1, "admin", "site-admin"}, {2, "Org Admin", "org-admin"}, {3, "User", "member"},
             {4, "Publisher", "member"}, {5, "Sync user", "member"},    {6, "Read Only", "member"},
             {7, "sensor", "sensor"}};

static const char *role_of(wbi_hub_req *r, json_t *o, bool *bad)
{
    const char *role = text_member(r, o, "role");
    if (role) return role;
    const char *rid = text_member(r, o, "role_id");
    if (rid == NULL) return NULL;
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(wbi_hub_num(r, roles[i].id), rid) == 0) return roles[i].ours;
    *bad = true;
    wbi_hub_reply_error(r, 422, "invalid_request", "$.role_id: 1-7 (admin, Org Admin, User, ...)");
    return NULL;
}

static json_t *misp_user(wbi_hub_req *r, json_t *u, json_t *orgs)
{
    const char *role = json_string_value(json_object_get(u, "role"));
    size_t ri = 2;
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (role && strcmp(roles[i].ours, role) == 0 && (i != 3 && i != 4 && i != 5)) ri = i;
    const char *org = json_string_value(json_object_get(u, "org"));
    const char *org_id = "0";
    size_t i;
    json_t *v;
    json_array_foreach(orgs, i, v)
    {
        if (org && strcmp(json_string_value(json_object_get(v, "name")), org) == 0)
            org_id = wbi_hub_num(r, (int64_t)json_integer_value(json_object_get(v, "id")));
    }
    return json_pack("{s:{s:s,s:O,s:s,s:s,s:b},s:{s:s,s:s},s:{s:s,s:s}}", "User", "id",
                     wbi_hub_num(r, (int64_t)json_integer_value(json_object_get(u, "id"))), "email",
                     json_object_get(u, "email"), "org_id", org_id, "role_id",
                     wbi_hub_num(r, roles[ri].id), "disabled",
                     json_is_true(json_object_get(u, "disabled")), "Role", "id",
                     wbi_hub_num(r, roles[ri].id), "name", roles[ri].misp, "Organisation", "id",
                     org_id, "name", org ? org : "");
}

/* The organisations the caller may list (for org_id in user records). */
static json_t *org_rows(wbi_hub_req *r)
{
    json_t *orgs = NULL;
    wb_acct_args none = {0};
    wb_actor who = wbi_hub_admin_actor(r);
    wb_buf b = {0};
    bool forbidden;
    if (wb_acct_run(r->st, &who, wb_acct_op_find("org", "list"), &none, wb_time_now(), &b,
                    &forbidden, &r->err) == 0)
        orgs = json_loadb(b.data ? b.data : "", b.len, 0, NULL);
    wb_buf_free(&b);
    return orgs ? orgs : json_array();
}

void wbi_hub_h_misp_user_index(wbi_hub_req *r)
{
    wb_acct_args a = {0};
    json_t *res = NULL;
    if (run_op(r, "user", "list", &a, &res) != 0) return;
    json_t *orgs = org_rows(r), *arr = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(res, i, v) json_array_append_new(arr, misp_user(r, v, orgs));
    wbi_hub_reply_json(r, 200, arr);
    json_decref(orgs);
    json_decref(res);
}

/* A MISP org_id (a number, or a uuid) as the service's target text. */
static const char *org_ref(wbi_hub_req *r, json_t *o)
{
    const char *v = text_member(r, o, "org_id");
    return v ? v : text_member(r, o, "org");
}

static void reply_user(wbi_hub_req *r, json_t *res)
{
    json_t *orgs = org_rows(r);
    wbi_hub_reply_json(r, 200, misp_user(r, json_object_get(res, "user"), orgs));
    json_decref(orgs);
}

void wbi_hub_h_misp_user_add(wbi_hub_req *r)
{
    json_t *root, *o = misp_body(r, "User", &root), *res = NULL;
    bool bad = false;
    if (o) {
        wb_acct_args a = {.target = text_member(r, o, "email"),
                          .org = org_ref(r, o),
                          .role = role_of(r, o, &bad)};
        if (!bad && a.role == NULL) a.role = "member";
        if (!bad && run_op(r, "user", "add", &a, &res) == 0) reply_user(r, res);
    }
    json_decref(res);
    json_decref(root);
}

void wbi_hub_h_misp_user_edit(wbi_hub_req *r)
{
    json_t *root, *o = misp_body(r, "User", &root), *res = NULL;
    bool bad = false;
    if (o == NULL) {
        json_decref(root);
        return;
    }
    wb_acct_args a = {.target = r->id, .org = org_ref(r, o), .role = role_of(r, o, &bad)};
    json_t *dis = json_object_get(o, "disabled");
    int rc = bad ? -1 : 0;
    if (rc == 0 && (a.org || a.role)) rc = run_op(r, "user", "set", &a, &res);
    if (rc == 0 && (json_is_boolean(dis) || json_is_integer(dis))) {
        bool off = json_is_true(dis) || (json_is_integer(dis) && json_integer_value(dis) != 0);
        wb_acct_args d = {.target = r->id};
        json_decref(res);
        res = NULL;
        rc = run_op(r, "user", off ? "disable" : "enable", &d, &res);
    }
    if (rc == 0 && res == NULL)
        wbi_hub_reply_error(r, 422, "invalid_request",
                            "$: nothing to change (org_id, role_id or role, disabled)");
    else if (rc == 0)
        reply_user(r, res);
    json_decref(res);
    json_decref(root);
}

void wbi_hub_h_misp_user_delete(wbi_hub_req *r)
{
    wb_acct_args a = {.target = r->id};
    json_t *res = NULL;
    if (run_op(r, "user", "remove", &a, &res) == 0) {
        char url[200];
        snprintf(url, sizeof url, "/admin/users/delete/%s", r->id);
        wbi_hub_reply_json(r, 200,
                           json_pack("{s:b,s:b,s:s,s:s,s:s}", "saved", 1, "success", 1, "name",
                                     "User deleted", "message", "User deleted", "url", url));
    }
    json_decref(res);
}
