/*
 * admin_api.c - the admins' endpoints: /api/v1/admin/... over the accounts
 * service (accounts.h), and GET /api/v1/audit, the audit log paged by
 * page/limit and since.
 *
 *   GET  /api/v1/admin/OBJECTS[?org=&since=&action=&limit=&page=&target=]
 *        a list: orgs, users, keys, sharing-groups, audit (and
 *        sharing-groups/members with ?target=GROUP)
 *   POST /api/v1/admin/OBJECTS/ACTION  {"target", "new_name", "kind", ...}
 *        one operation of wb_acct_ops ("orgs/add", "users/disable", ...)
 *   POST /api/v1/admin/import?name=FILE  the CSV or JSON file as the body
 *
 * HTTP only: the service checks rights, validates, writes and audits; the
 * answer is the service's JSON as it is, which `weerbaar admin --hub`
 * prints exactly as `--db` does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/admin_api.h"
#include "hub/router.h"
#include "weerbaar/accounts.h"

wb_actor wbi_hub_admin_actor(const wbi_hub_req *r)
{
    return (wb_actor){.user = r->owner.email,
                      .org_id = r->who.org_id,
                      .org_name = r->owner.org_name,
                      .role = r->who.role,
                      .channel = WB_ACTOR_API};
}

/* The path's OBJECTS word to the service's object name. */
static const char *object_of(const char *word, size_t n)
{
    static const char *const map[][2] = {{"orgs", "org"},
                                         {"users", "user"},
                                         {"keys", "key"},
                                         {"sharing-groups", "sharing-group"},
                                         {"audit", "audit"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i][0]) == n && memcmp(map[i][0], word, n) == 0) return map[i][1];
    return NULL;
}

void wbi_hub_admin_reply(wbi_hub_req *r, int rc, bool forbidden, const wb_buf *out,
                         unsigned ok_status)
{
    if (rc == 0) {
        json_t *o = json_loadb(out->data ? out->data : "", out->len, 0, NULL);
        if (o == NULL) {
            wb_error_set(&r->err, WB_EINTERNAL, "the accounts service answered no JSON");
            wbi_hub_reply_internal(r);
            return;
        }
        wbi_hub_reply_json(r, ok_status, o);
    } else if (forbidden) {
        wbi_hub_reply_error(r, 403, "forbidden", "%s", r->err.msg);
    } else if (rc == WB_ENOTFOUND) {
        wbi_hub_reply_error(r, 404, "not_found", "%s", r->err.msg);
    } else if (rc == WB_EINVAL || rc == WB_EPARSE || rc == WB_ELIMIT) {
        wbi_hub_reply_error(r, 422, "invalid_request", "%s", r->err.msg);
    } else {
        wbi_hub_reply_internal(r);
    }
}

/* Runs op with args as the caller; the reply is sent. */
void wbi_hub_admin_run(wbi_hub_req *r, const wb_acct_op *op, const wb_acct_args *a)
{
    wb_actor who = wbi_hub_admin_actor(r);
    wb_buf out = {0};
    bool forbidden = false;
    int rc = wb_acct_run(r->st, &who, op, a, wb_time_now(), &out, &forbidden, &r->err);
    wbi_hub_admin_reply(r, rc, forbidden, &out,
                        op->write && strcmp(op->action, "add") == 0 ? 201 : 200);
    wb_buf_free(&out);
}

static const char *admin_rest(const wbi_hub_req *r)
{
    static const char prefix[] = "/api/v1/admin/";
    const char *p = r->req->path ? r->req->path : "";
    return strncmp(p, prefix, sizeof prefix - 1) == 0 ? p + sizeof prefix - 1 : "";
}

static bool arg_i64(wbi_hub_req *r, const char *key, int64_t max, int64_t *out)
{
    return wbi_hub_arg_int(r, key, 1, max, out);
}

/* GET /api/v1/admin/OBJECTS[/members] */
void wbi_hub_h_admin_list(wbi_hub_req *r)
{
    const char *rest = admin_rest(r);
    size_t n = strcspn(rest, "/");
    const char *object = object_of(rest, n);
    const char *action = "list";
    if (object && strcmp(object, "sharing-group") == 0 && strncmp(rest + n, "/members", 8) == 0)
        action = "members";
    else if (rest[n] == '/' && rest[n + 1] != '\0')
        object = NULL;
    const wb_acct_op *op = wb_acct_op_find(object, action);
    if (op == NULL) {
        wbi_hub_reply_not_found(r);
        return;
    }
    wb_acct_args a = {.org = wbi_hub_arg(r, "org"),
                      .since = wbi_hub_arg(r, "since"),
                      .action = wbi_hub_arg(r, "action"),
                      .target = wbi_hub_arg(r, "target")};
    if (!arg_i64(r, "limit", 100000, &a.limit) || !arg_i64(r, "page", 1000000, &a.page)) return;
    wbi_hub_admin_run(r, op, &a);
}

/* A string member of the body; false with a 422 sent when it is not one. */
static bool member(wbi_hub_req *r, json_t *o, const char *key, const char **out)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL || json_is_null(v)) return true;
    if (!json_is_string(v) || strlen(json_string_value(v)) > 4096) {
        wbi_hub_reply_error(r, 422, "invalid_request", "$.%s: expected a string", key);
        return false;
    }
    *out = wbi_hub_rdup(r, json_string_value(v));
    return true;
}

/* POST /api/v1/admin/OBJECTS/ACTION */
void wbi_hub_h_admin_op(wbi_hub_req *r)
{
    const char *rest = admin_rest(r);
    size_t n = strcspn(rest, "/");
    const char *object = object_of(rest, n);
    const char *action = rest[n] == '/' ? rest + n + 1 : "";
    const wb_acct_op *op = wb_acct_op_find(object, action);
    if (op == NULL || !op->write) {
        wbi_hub_reply_not_found(r);
        return;
    }
    wbi_problem prob = {0};
    json_t *o =
        wbi_json_load(r->req->body ? r->req->body : "{}", r->req->body ? r->req->body_len : 2,
                      wbi_hub_max_depth(r->hub), &prob);
    if (o == NULL) {
        wbi_hub_reply_problem(r, &prob);
        return;
    }
    static const char *const keys[] = {"target",      "new_name", "kind",    "sector",
                                       "kvk",         "org",      "role",    "orgs",
                                       "transfer_to", "expires",  "comment", NULL};
    wb_acct_args a = {0};
    const char **slots[] = {&a.target, &a.new_name, &a.kind,        &a.sector,  &a.kvk,    &a.org,
                            &a.role,   &a.orgs,     &a.transfer_to, &a.expires, &a.comment};
    bool ok = json_is_object(o);
    if (!ok) wbi_hub_reply_error(r, 422, "invalid_request", "$: expected a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach(ok ? o : NULL, key, v)
    {
        bool known = false;
        for (size_t i = 0; keys[i]; i++)
            if (strcmp(key, keys[i]) == 0) known = true;
        if (!known && ok) {
            wbi_hub_reply_error(r, 422, "invalid_request",
                                "$.%s: unknown member (target, new_name, kind, sector, kvk, org, "
                                "role, orgs, transfer_to, expires, comment)",
                                key);
            ok = false;
        }
    }
    for (size_t i = 0; ok && keys[i]; i++)
        ok = member(r, o, keys[i], slots[i]);
    json_decref(o);
    if (ok) wbi_hub_admin_run(r, op, &a);
}

static void problem_cb(void *ud, const char *msg)
{
    json_array_append_new(ud, json_string(msg));
}

/* POST /api/v1/admin/import?name=FILE: all or nothing; 422 with every
 * problem ("FILE:LINE: ...") in error.problems. */
void wbi_hub_h_admin_import(wbi_hub_req *r)
{
    const char *name = wbi_hub_arg(r, "name");
    if (name == NULL || name[0] == '\0' || strlen(name) > 200) name = "import";
    json_t *problems = json_array();
    wb_acct_import *im = NULL;
    wb_actor who = wbi_hub_admin_actor(r);
    wb_buf out = {0};
    bool forbidden = false;
    int rc = wb_acct_import_parse(name, r->req->body ? r->req->body : "",
                                  r->req->body ? r->req->body_len : 0, &im, problem_cb, problems,
                                  &r->err);
    if (rc == 0)
        rc = wb_acct_import_apply(r->st, &who, im, wb_time_now(), &out, &forbidden, problem_cb,
                                  problems, &r->err);
    wb_acct_import_free(im);
    if (rc != 0 && !forbidden && json_array_size(problems) > 0) {
        json_t *e = json_pack("{s:{s:s,s:s,s:O}}", "error", "code", "invalid_import", "message",
                              r->err.msg, "problems", problems);
        wbi_hub_reply_json(r, 422, e);
    } else {
        wbi_hub_admin_reply(r, rc, forbidden, &out, 200);
    }
    json_decref(problems);
    wb_buf_free(&out);
}

/* ---- GET /api/v1/audit --------------------------------------------------------------------- */

/* The audit log in MISP's shape, {"response": [{"Audit": {...}}]}: the
 * accounts service's audit list, each row wrapped. */
void wbi_hub_h_audit(wbi_hub_req *r)
{
    int64_t page = 1, limit = 100;
    if (!wbi_hub_arg_int(r, "page", 1, 1000000, &page) ||
        !wbi_hub_arg_int(r, "limit", 1, 1000, &limit))
        return;
    wb_acct_args a = {.since = wbi_hub_arg(r, "since"), .limit = limit, .page = page};
    wb_actor who = wbi_hub_admin_actor(r);
    wb_buf out = {0};
    bool forbidden = false;
    int rc = wb_acct_run(r->st, &who, wb_acct_op_find("audit", "list"), &a, wb_time_now(), &out,
                         &forbidden, &r->err);
    json_t *rows = rc == 0 ? json_loadb(out.data ? out.data : "", out.len, 0, NULL) : NULL;
    if (rc == 0 && rows == NULL) rc = WB_EINTERNAL;
    if (rc) {
        wbi_hub_admin_reply(r, rc, forbidden, &out, 200);
    } else {
        json_t *arr = json_array(), *row;
        size_t i;
        json_array_foreach(rows, i, row)
            json_array_append_new(arr, json_pack("{s:O}", "Audit", row));
        wbi_hub_reply_json(r, 200, json_pack("{s:o}", "response", arr));
    }
    json_decref(rows);
    wb_buf_free(&out);
}
