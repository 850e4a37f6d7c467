/*
 * cmd_admin_accounts.c - `weerbaar admin org|user|key|sharing-group|audit
 * list|import`: the accounts service (accounts.h) on a local database as
 * the hub's operator (--db), or the same operations on a running hub
 * (--hub URL --key KEY, /api/v1/admin/...). Both ways get the service's
 * JSON and print it through the same code, so they cannot disagree.
 * Options and output only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cmd_admin_accounts.h"
#include "weerbaar/accounts.h"
#include "weerbaar/client.h"
#include "weerbaar/io.h"
#include "weerbaar/progress.h"

/* ---- output ------------------------------------------------------------------------------ */

typedef struct col {
    const char *head, *key;
} col;

static const col org_cols[] = {{"ID", "id"},         {"NAME", "name"}, {"KIND", "kind"},
                               {"SECTOR", "sector"}, {"KVK", "kvk"},   {"STATE", "disabled"},
                               {"UUID", "uuid"},     {NULL, NULL}};
static const col user_cols[] = {{"ID", "id"},     {"EMAIL", "email"},    {"ORGANISATION", "org"},
                                {"ROLE", "role"}, {"STATE", "disabled"}, {NULL, NULL}};
static const col key_cols[] = {
    {"ID", "id"},           {"USER", "email"},          {"ORGANISATION", "org"},
    {"CREATED", "created"}, {"LAST-USED", "last_used"}, {"EXPIRES", "expires"},
    {"STATE", "state"},     {"COMMENT", "comment"},     {NULL, NULL}};
static const col sg_cols[] = {
    {"ID", "id"}, {"NAME", "name"}, {"UUID", "uuid"}, {"ORGANISATIONS", "orgs"}, {NULL, NULL}};
static const col member_cols[] = {
    {"NAME", "name"}, {"KIND", "kind"}, {"SECTOR", "sector"}, {"STATE", "disabled"}, {NULL, NULL}};
static const col audit_cols[] = {{"ID", "id"},         {"TIME", "time"},     {"USER", "user"},
                                 {"ORG", "org"},       {"ACTION", "action"}, {"OBJECT", "object"},
                                 {"DETAIL", "detail"}, {NULL, NULL}};

static const col *cols_of(const char *object, const char *action)
{
    if (strcmp(object, "org") == 0) return org_cols;
    if (strcmp(object, "user") == 0) return user_cols;
    if (strcmp(object, "key") == 0) return key_cols;
    if (strcmp(object, "sharing-group") == 0)
        return strcmp(action, "members") == 0 ? member_cols : sg_cols;
    return audit_cols;
}

static void cell(json_t *v, const char *key, char *buf, size_t cap)
{
    if (strcmp(key, "disabled") == 0)
        snprintf(buf, cap, "%s", json_is_true(v) ? "disabled" : "active");
    else if (json_is_string(v))
        snprintf(buf, cap, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
    else
        snprintf(buf, cap, "-");
}

/* A table whose columns widen to their longest cell: identifiers are
 * never cut. The last column is not padded. */
static void print_table(json_t *rows, const col *cols)
{
    size_t w[16] = {0}, nc = 0;
    char buf[2048];
    for (; cols[nc].head; nc++)
        w[nc] = strlen(cols[nc].head);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        for (size_t c = 0; c < nc; c++) {
            cell(json_object_get(row, cols[c].key), cols[c].key, buf, sizeof buf);
            if (strlen(buf) > w[c]) w[c] = strlen(buf);
        }
    }
    for (size_t c = 0; c < nc; c++) {
        if (c + 1 < nc)
            printf("%-*s  ", (int)w[c], cols[c].head);
        else
            printf("%s\n", cols[c].head);
    }
    json_array_foreach(rows, i, row)
    {
        for (size_t c = 0; c < nc; c++) {
            cell(json_object_get(row, cols[c].key), cols[c].key, buf, sizeof buf);
            if (c + 1 < nc)
                printf("%-*s  ", (int)w[c], buf);
            else
                printf("%s\n", buf);
        }
    }
}

static int print_answer(const wb_cli_admin_conn *c, const char *object, const char *action,
                        const wb_buf *out)
{
    json_error_t je;
    json_t *j = json_loadb(out->data ? out->data : "", out->len, 0, &je);
    if (j == NULL) {
        wb_cli_error("admin: the answer is not JSON: %s", je.text);
        return WB_EXIT_ERROR;
    }
    if (c->json) {
        char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s) puts(s);
        free(s);
    } else if (json_is_array(j)) {
        print_table(j, cols_of(object, action));
    } else if (strcmp(object, "key") == 0 && strcmp(action, "add") == 0) {
        json_t *k = json_object_get(j, "key");
        printf("id: %lld\nuser: %s\nkey: %s\n",
               (long long)json_integer_value(json_object_get(k, "id")),
               json_string_value(json_object_get(k, "user")),
               json_string_value(json_object_get(k, "key")));
        if (json_is_string(json_object_get(k, "expires")))
            printf("expires: %s\n", json_string_value(json_object_get(k, "expires")));
        if (isatty(fileno(stdout)))
            fprintf(stderr, "weerbaar: the key is shown only now; it is stored as a hash\n");
    } else {
        const char *m = json_string_value(json_object_get(j, "message"));
        puts(m ? m : "done");
    }
    json_decref(j);
    return WB_EXIT_OK;
}

/* ---- remote ------------------------------------------------------------------------------ */

static const char *plural(const char *object)
{
    return strcmp(object, "org") == 0             ? "orgs"
           : strcmp(object, "user") == 0          ? "users"
           : strcmp(object, "key") == 0           ? "keys"
           : strcmp(object, "sharing-group") == 0 ? "sharing-groups"
                                                  : "audit";
}

static int url_arg(wb_buf *b, const char *key, const char *v)
{
    if (v == NULL) return 0;
    int rc = wb_buf_printf(b, "%c%s=", strchr(b->data, '?') ? '&' : '?', key);
    for (const unsigned char *p = (const unsigned char *)v; rc == 0 && *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            rc = wb_buf_putc(b, (char)*p);
        else
            rc = wb_buf_printf(b, "%%%02X", *p);
    }
    return rc;
}

/* The hub's own message of a refusal ({"error": {"message"}}), else err's. */
static void remote_error(const wb_buf *out, const wb_error *err)
{
    json_t *j = out->len ? json_loadb(out->data, out->len, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    const char *m = json_string_value(json_object_get(e, "message"));
    if (m)
        wb_cli_error("admin: %s", m);
    else
        wb_cli_error("admin: %s", err->msg);
    json_t *probs = json_object_get(e, "problems");
    size_t i;
    json_t *v;
    json_array_foreach(probs, i, v) wb_cli_error("%s", json_string_value(v));
    json_decref(j);
}

static int remote_call(const wb_cli_admin_conn *c, const char *method, const char *path,
                       const char *body, size_t len, wb_buf *out)
{
    wb_hub_client hc = {.base = c->hub, .key = c->key};
    wb_error err = {0};
    if (wb_hub_global_init() != 0) {
        wb_cli_error("admin: cannot start the HTTP client");
        return WB_EXIT_ERROR;
    }
    int rc = wb_hub_call(&hc, method, path, body, len, out, NULL, &err);
    wb_hub_global_cleanup();
    if (rc) {
        remote_error(out, &err);
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

static int remote_op(const wb_cli_admin_conn *c, const wb_acct_op *op, const wb_acct_args *a,
                     wb_buf *out)
{
    wb_buf path = {0};
    int rc = wb_buf_printf(&path, "/api/v1/admin/%s", plural(op->object));
    char *body = NULL;
    if (!op->write) {
        if (strcmp(op->action, "list") != 0) rc = rc ? rc : wb_buf_printf(&path, "/%s", op->action);
        char num[32];
        if (rc == 0) rc = url_arg(&path, "target", a->target);
        if (rc == 0) rc = url_arg(&path, "org", a->org);
        if (rc == 0) rc = url_arg(&path, "since", a->since);
        if (rc == 0) rc = url_arg(&path, "action", a->action);
        snprintf(num, sizeof num, "%lld", (long long)a->limit);
        if (rc == 0 && a->limit) rc = url_arg(&path, "limit", num);
        snprintf(num, sizeof num, "%lld", (long long)a->page);
        if (rc == 0 && a->page) rc = url_arg(&path, "page", num);
    } else {
        if (rc == 0) rc = wb_buf_printf(&path, "/%s", op->action);
        json_t *o =
            json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?}", "target",
                      a->target, "new_name", a->new_name, "kind", a->kind, "sector", a->sector,
                      "kvk", a->kvk, "org", a->org, "role", a->role, "orgs", a->orgs, "transfer_to",
                      a->transfer_to, "expires", a->expires, "comment", a->comment);
        body = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        if (body == NULL) rc = WB_ENOMEM;
    }
    int st = WB_EXIT_ERROR;
    if (rc)
        wb_cli_error("admin: out of memory");
    else
        st = remote_call(c, op->write ? "POST" : "GET", path.data, body, body ? strlen(body) : 0,
                         out);
    free(body);
    wb_buf_free(&path);
    return st;
}

/* ---- the commands ----------------------------------------------------------------------- */

int wb_cli_admin_accounts(const wb_cli_admin_conn *c, const char *object, int n, char **args,
                          wb_acct_args *a)
{
    const char *action = n >= 1 ? args[0] : "";
    const wb_acct_op *op = wb_acct_op_find(object, action);
    if (op == NULL) {
        char acts[200] = "";
        size_t len = 0;
        for (const wb_acct_op *p = wb_acct_ops; p->object; p++)
            if (strcmp(p->object, object) == 0 && len < sizeof acts)
                len += (size_t)snprintf(acts + len, sizeof acts - len, "%s%s", len ? ", " : "",
                                        p->action);
        wb_cli_error("admin %s: expected one of: %s (see 'weerbaar admin --help')", object, acts);
        return WB_EXIT_ERROR;
    }
    int want = 1 + (op->takes_target ? 1 : 0) + (strcmp(action, "rename") == 0 ? 1 : 0);
    if (n != want) {
        wb_cli_error("admin %s %s: expected %s", object, action,
                     strcmp(action, "rename") == 0 ? "NAME NEW-NAME"
                     : op->takes_target            ? "one NAME, e-mail or id"
                                                   : "no arguments");
        return WB_EXIT_ERROR;
    }
    if (op->takes_target) a->target = args[1];
    if (strcmp(action, "rename") == 0) a->new_name = args[2];
    wb_buf out = {0};
    int st;
    if (c->hub) {
        st = remote_op(c, op, a, &out);
    } else {
        wb_store *s = NULL;
        wb_error err = {0};
        wb_actor who = wb_incsvc_operator();
        bool forbidden = false;
        st = WB_EXIT_OK;
        if (wb_acct_open(&s, c->db, &err) != 0 ||
            wb_acct_run(s, &who, op, a, wb_time_now(), &out, &forbidden, &err) != 0) {
            wb_cli_error("admin: %s", err.msg);
            st = WB_EXIT_ERROR;
        }
        wb_acct_close(s);
    }
    if (st == WB_EXIT_OK) st = print_answer(c, object, action, &out);
    wb_buf_free(&out);
    return st;
}

/* ud: the progress line to take off the screen first, or NULL. */
static void problem_cb(void *ud, const char *msg)
{
    if (ud) wb_progress_clear(ud);
    wb_cli_error("%s", msg);
}

static void on_import_progress(void *ud, size_t done, size_t total)
{
    wb_progress_update(ud, done, total);
}

int wb_cli_admin_import(const wb_cli_admin_conn *c, int n, char **args)
{
    if (n != 2) {
        wb_cli_error("admin import: expected FILE.csv or FILE.json");
        return WB_EXIT_ERROR;
    }
    char *data = NULL;
    size_t len = 0;
    wb_error err = {0};
    if (wb_read_file(args[1], (size_t)64 << 20, &data, &len, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    wb_buf out = {0};
    int st = WB_EXIT_OK;
    if (c->hub) {
        const char *base = strrchr(args[1], '/') ? strrchr(args[1], '/') + 1 : args[1];
        wb_buf path = {0};
        if (wb_buf_puts(&path, "/api/v1/admin/import") || url_arg(&path, "name", base)) {
            wb_cli_error("admin: out of memory");
            st = WB_EXIT_ERROR;
        } else {
            st = remote_call(c, "POST", path.data, data, len, &out);
        }
        wb_buf_free(&path);
    } else {
        wb_acct_import *im = NULL;
        wb_store *s = NULL;
        wb_actor who = wb_incsvc_operator();
        bool forbidden = false;
        int rc = wb_acct_import_parse(args[1], data, len, &im, problem_cb, NULL, &err);
        if (rc == 0) rc = wb_acct_open(&s, c->db, &err);
        /* "records imported: 42% 4200 of 10000, 5 s left" */
        wb_progress line;
        wb_progress_start(&line, wb_cli_progress_out(c->quiet), "records imported",
                          WB_PROGRESS_ITEMS);
        if (rc == 0) wb_acct_import_on_progress(im, on_import_progress, &line);
        if (rc == 0)
            rc = wb_acct_import_apply(s, &who, im, wb_time_now(), &out, &forbidden, problem_cb,
                                      &line, &err);
        wb_progress_end(&line);
        if (rc) {
            wb_cli_error("admin: %s", err.msg);
            st = WB_EXIT_ERROR;
        }
        wb_acct_close(s);
        wb_acct_import_free(im);
    }
    free(data);
    if (st == WB_EXIT_OK) st = print_answer(c, "import", "import", &out);
    wb_buf_free(&out);
    return st;
}
