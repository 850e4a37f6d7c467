/*
 * vulnscan_api.c - the hub's vulnerability scan service over HTTP
 * (docs/web.md, "Vulnerability scans"): POST /api/v1/vuln/scans with an
 * SBOM or package list as the body, GET the list, one scan with its
 * findings in `vuln scan`'s order, its CSV export, and sharing with the
 * CSIRT. The rules are the service's (vulnsvc.h); this file parses and
 * answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/router.h"
#include "weerbaar/vulnsvc.h"

static wb_vscan_actor actor(const wbi_hub_req *r)
{
    return (wb_vscan_actor){.who = &r->who, .user = r->owner.email, .org_name = r->owner.org_name};
}

static bool scan_id(wbi_hub_req *r, int64_t *id)
{
    if (r->id && wb_parse_i64(r->id, strlen(r->id), 1, INT64_MAX, id) == 0) return true;
    wbi_hub_reply_not_found(r);
    return false;
}

static json_t *rec_json(const wb_vscan_rec *v)
{
    char created[40];
    wb_time_format(v->created / 1000000 * 1000000, created, sizeof created);
    json_t *sum = v->summary ? json_loads(v->summary, 0, NULL) : NULL;
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:b,s:o}", "id", (json_int_t)v->id, "org", v->org_name,
                     "name", v->name, "author", v->author, "created", created, "shared_csirt",
                     v->shared_csirt, "summary", sum ? sum : json_object());
}

/* A temporary file holding the body: the inventory readers take a path. */
static int body_file(wbi_hub_req *r, char *path, size_t cap)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, cap, "%s/weerbaar-scan-XXXXXX", dir && dir[0] ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    const char *p = r->req->body;
    size_t left = r->req->body_len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w <= 0) {
            close(fd);
            unlink(path);
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    close(fd);
    return 0;
}

/* The scan itself, with the advisories in use (a reference held). */
static void scan_with(wbi_hub_req *r, wb_vscan_db *db)
{
    if (r->req->body_len == 0) {
        wbi_hub_reply_error(r, 400, "invalid_request",
                            "send the SBOM (CycloneDX, SPDX) or package list (dpkg, rpm, apk, CSV) "
                            "as the request body");
        return;
    }
    const char *name = wbi_hub_arg(r, "name");
    if (name == NULL || name[0] == '\0') name = "upload";
    if (strlen(name) > WB_NAME_MAX) {
        wbi_hub_reply_error(r, 400, "invalid_request", "?name= may have at most %d bytes",
                            WB_NAME_MAX);
        return;
    }
    char path[4096];
    if (body_file(r, path, sizeof path) != 0) {
        wb_error_set(&r->err, WB_EIO, "cannot write a temporary file for an upload");
        wbi_hub_reply_internal(r);
        return;
    }
    wb_vscan_actor a = actor(r);
    int64_t id = 0;
    int rc = wb_vscan_submit(r->st, db, &a, name, path, WB_TIME_NONE, &id, &r->err);
    unlink(path);
    if (rc == WB_EPARSE || rc == WB_EFORMAT || rc == WB_EINVAL || rc == WB_ELIMIT)
        wbi_hub_reply_error(r, 422, "invalid_inventory", "%s", r->err.msg);
    else if (rc)
        wbi_hub_reply_internal(r);
    else
        wbi_hub_h_vscan_get_id(r, id, 201);
}

void wbi_hub_h_vscan_add(wbi_hub_req *r)
{
    wb_vscan_db *db = wbi_hub_vscan_acquire(r->hub);
    if (db == NULL) {
        wbi_hub_reply_error(r, 503, "no_advisories",
                            "this hub scans nothing: it was started without advisories "
                            "(serve --advisories DIR)");
        return;
    }
    scan_with(r, db);
    wb_vscan_db_free(db);
}

typedef struct got {
    wbi_hub_req *r;
    unsigned status;
} got;

static int got_cb(void *ud, const wb_vscan_rec *v)
{
    got *g = ud;
    json_t *o = rec_json(v);
    json_t *findings = v->body ? json_loads(v->body, 0, NULL) : NULL;
    if (o && findings) {
        json_object_set_new(o, "findings", findings);
    } else {
        json_decref(findings);
        json_decref(o);
        o = NULL;
    }
    wbi_hub_reply_json(g->r, g->status, o);
    return 1;
}

void wbi_hub_h_vscan_get_id(wbi_hub_req *r, int64_t id, unsigned status)
{
    wb_vscan_actor a = actor(r);
    got g = {r, status};
    int rc = wb_vscan_read(r->st, &a, id, got_cb, &g, &r->err);
    if (rc == WB_ENOTFOUND)
        wbi_hub_reply_not_found(r);
    else if (rc)
        wbi_hub_reply_internal(r);
}

void wbi_hub_h_vscan_get(wbi_hub_req *r)
{
    int64_t id;
    if (scan_id(r, &id)) wbi_hub_h_vscan_get_id(r, id, 200);
}

static int list_cb(void *ud, const wb_vscan_rec *v)
{
    json_t *arr = ud;
    return json_array_append_new(arr, rec_json(v)) != 0;
}

void wbi_hub_h_vscan_list(wbi_hub_req *r)
{
    wb_vscan_actor a = actor(r);
    json_t *arr = json_array();
    int rc = arr ? wb_vscan_list(r->st, &a, list_cb, arr, &r->err) : WB_ENOMEM;
    if (rc) {
        json_decref(arr);
        wbi_hub_reply_internal(r);
        return;
    }
    wbi_hub_reply_json(r, 200, json_pack("{s:o}", "scans", arr));
}

/* One CSV field, quoted when it needs to be (RFC 4180). A leading = + -
 * or @ is prefixed with ' so that a spreadsheet does not run it. */
static void csv_field(wb_buf *b, const char *s, bool last)
{
    if (s == NULL) s = "";
    bool formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@';
    if (strpbrk(s, ",\"\r\n") || formula) {
        wb_buf_putc(b, '"');
        if (formula) wb_buf_putc(b, '\'');
        for (const char *p = s; *p; p++) {
            if (*p == '"') wb_buf_putc(b, '"');
            wb_buf_putc(b, *p);
        }
        wb_buf_putc(b, '"');
    } else {
        wb_buf_puts(b, s);
    }
    wb_buf_putc(b, last ? '\n' : ',');
}

static const char *text_of(json_t *f, const char *key, char *tmp, size_t cap)
{
    json_t *v = json_object_get(f, key);
    if (json_is_string(v)) return json_string_value(v);
    if (json_is_true(v)) return "true";
    if (json_is_false(v)) return "false";
    if (json_is_integer(v)) {
        snprintf(tmp, cap, "%lld", (long long)json_integer_value(v));
        return tmp;
    }
    if (json_is_real(v)) {
        snprintf(tmp, cap, "%g", json_real_value(v));
        return tmp;
    }
    if (json_is_array(v)) {
        size_t o = 0;
        tmp[0] = '\0';
        for (size_t i = 0; i < json_array_size(v) && o + 2 < cap; i++) {
            const char *s = json_string_value(json_array_get(v, i));
            int n = snprintf(tmp + o, cap - o, "%s%s", i ? " " : "", s ? s : "");
            if (n < 0) break;
            o += (size_t)n;
        }
        return tmp;
    }
    return "";
}

typedef struct csv_out {
    wbi_hub_req *r;
} csv_out;

static int csv_cb(void *ud, const wb_vscan_rec *v)
{
    csv_out *c = ud;
    static const char *const cols[] = {
        "rank", "asset", "component",      "version",  "vulnerability", "severity", "cvss_score",
        "kev",  "epss",  "fixed_versions", "deadline", "overdue",       "title",    "advisory_url"};
    const size_t ncols = sizeof cols / sizeof cols[0];
    json_t *findings = json_loads(v->body, 0, NULL);
    wb_buf *b = &c->r->resp->body;
    wb_buf_reset(b);
    for (size_t i = 0; i < ncols; i++)
        csv_field(b, cols[i], i + 1 == ncols);
    for (size_t k = 0; k < json_array_size(findings); k++) {
        json_t *f = json_array_get(findings, k);
        char tmp[1024];
        for (size_t i = 0; i < ncols; i++)
            csv_field(b, text_of(f, cols[i], tmp, sizeof tmp), i + 1 == ncols);
    }
    json_decref(findings);
    c->r->resp->status = findings ? 200 : 500;
    c->r->resp->content_type = "text/csv; charset=utf-8";
    return 1;
}

void wbi_hub_h_vscan_csv(wbi_hub_req *r)
{
    int64_t id;
    if (!scan_id(r, &id)) return;
    wb_vscan_actor a = actor(r);
    csv_out c = {r};
    int rc = wb_vscan_read(r->st, &a, id, csv_cb, &c, &r->err);
    if (rc == WB_ENOTFOUND)
        wbi_hub_reply_not_found(r);
    else if (rc)
        wbi_hub_reply_internal(r);
}

void wbi_hub_h_vscan_share(wbi_hub_req *r)
{
    int64_t id;
    if (!scan_id(r, &id)) return;
    wbi_problem prob;
    json_t *root = wbi_json_load(r->req->body, r->req->body_len, wbi_hub_max_depth(r->hub), &prob);
    if (root == NULL) {
        wbi_hub_reply_problem(r, &prob);
        return;
    }
    json_t *v = json_object_get(root, "csirt");
    if (!json_is_boolean(v)) {
        json_decref(root);
        wbi_hub_reply_error(r, 422, "invalid_share",
                            "send {\"csirt\": true} or {\"csirt\": false}");
        return;
    }
    bool shared = json_is_true(v);
    json_decref(root);
    wb_vscan_actor a = actor(r);
    int rc = wb_vscan_share(r->st, &a, id, shared, &r->err);
    if (rc == WB_ENOTFOUND)
        wbi_hub_reply_not_found(r);
    else if (rc == WB_EINVAL)
        wbi_hub_reply_error(r, 403, "forbidden", "%s", r->err.msg);
    else if (rc)
        wbi_hub_reply_internal(r);
    else
        wbi_hub_h_vscan_get_id(r, id, 200);
}
