/*
 * assess_api.c - the hub's assessment endpoints: create, list, read a
 * version, history, answer, import, share, and the supervisor's sector view.
 *
 * Every endpoint that names an assessment resolves who it concerns (its
 * organisation and the CSIRT and supervisor its sector routes to) and asks
 * wb_policy_assessment; an assessment the caller may not see answers 404
 * exactly as a missing one, and a site admin's read is in the audit log
 * before the answer leaves. The JSON is assessdb.h's, the same that
 * `weerbaar assess --db` produces, so the command line reads both alike.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hub/assess_api.h"
#include "hub/hub_internal.h"
#include "weerbaar/assessdb.h"
#include "weerbaar/report.h"

/* ---- catalogues ------------------------------------------------------------------------ */

int wbi_hub_catalogues_init(wbi_hub_catalogues *c, const char *dir, wb_error *err)
{
    char builtin[4096];
    wb_error ignore = {0};
    c->set = wb_catset_new();
    if (c->set == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    pthread_mutex_init(&c->lock, NULL);
    /* A hub that starts without any catalogue would answer every assessment
     * request with "unknown catalogue" and say nothing at start: so it does
     * not start, and says where it looked. An operator who gives --catalogues
     * DIR may run without the built-in ones. */
    int rc = 0;
    if (wb_catalogue_default_dir(builtin, sizeof builtin, dir ? &ignore : err) == 0) {
        int brc = wb_catset_add_dir(c->set, builtin, dir ? &ignore : err);
        if (dir == NULL) rc = brc;
    } else if (dir == NULL) {
        rc = WB_ENOTFOUND;
    }
    if (rc == 0 && dir) rc = wb_catset_add_dir(c->set, dir, err);
    if (rc == 0 && wb_catset_count(c->set) == 0)
        rc = wb_error_set(err, WB_ENOTFOUND, "%s: no catalogues (*.yaml) in it",
                          dir ? dir : builtin);
    if (rc != 0) wbi_hub_catalogues_free(c);
    return rc;
}

void wbi_hub_catalogues_free(wbi_hub_catalogues *c)
{
    if (c->set == NULL) return;
    wb_catset_free(c->set);
    c->set = NULL;
    pthread_mutex_destroy(&c->lock);
}

static int catalogue(wbi_hub_catalogues *c, const char *name, const wb_catalogue **out,
                     wb_error *err)
{
    pthread_mutex_lock(&c->lock);
    int rc = wb_catset_get(c->set, name, out, err);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

/* ---- replies ------------------------------------------------------------------------------ */

void wbi_hub_areq_fail(wbi_hub_areq *r, unsigned status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg, sizeof r->msg, fmt, ap);
    va_end(ap);
    r->status = status;
    r->code = code;
}

static void not_found(wbi_hub_areq *r)
{
    wbi_hub_areq_fail(r, 404, "not_found", "no such assessment");
}

/* A library error as a reply: what the caller got wrong is 4xx with the
 * message, database trouble is internal. */
void wbi_hub_areq_fail_err(wbi_hub_areq *r, const wb_error *e)
{
    switch (e->code) {
    case WB_ENOTFOUND:
        wbi_hub_areq_fail(r, 404, "not_found", "%s", e->msg);
        return;
    case WB_EINVAL:
    case WB_EPARSE:
    case WB_ELIMIT:
        wbi_hub_areq_fail(r, 422, "invalid_request", "%s", e->msg);
        return;
    default:
        r->err = *e;
        r->internal = true;
    }
}

void wbi_hub_areq_reply(wbi_hub_areq *r, unsigned status, json_t *o)
{
    if (o == NULL) {
        wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        r->internal = true;
        return;
    }
    r->status = status;
    r->reply = o;
}

static void reply_buf(wbi_hub_areq *r, unsigned status, const wb_buf *b)
{
    wbi_hub_areq_reply(r, status, b->data ? json_loadb(b->data, b->len, 0, NULL) : NULL);
}

const char *wbi_hub_areq_arg(const wbi_hub_areq *r, const char *key)
{
    for (size_t i = 0; i < r->req->nargs; i++)
        if (strcmp(r->req->args[i].key, key) == 0)
            return r->req->args[i].value ? r->req->args[i].value : "";
    return NULL;
}

static json_t *body_object(wbi_hub_areq *r)
{
    wbi_problem prob = {0};
    json_t *o =
        wbi_json_load(r->req->body ? r->req->body : "", r->req->body_len, r->max_depth, &prob);
    if (o == NULL) {
        wbi_hub_areq_fail(r, prob.status ? prob.status : 400,
                          prob.code ? prob.code : "invalid_json", "%s", prob.msg);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        wbi_hub_areq_fail(r, 422, "invalid_request", "$: expected a JSON object");
        return NULL;
    }
    return o;
}

static bool only_keys(wbi_hub_areq *r, json_t *o, const char *const *keys, size_t n)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        size_t i = 0;
        while (i < n && strcmp(keys[i], k) != 0)
            i++;
        if (i == n) {
            wbi_hub_areq_fail(r, 422, "invalid_request", "$.%.100s: unknown key", k);
            return false;
        }
    }
    return true;
}

/* An optional string member of at most max bytes; false with the reply set. */
static bool member_str(wbi_hub_areq *r, json_t *o, const char *key, size_t max, const char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (v == NULL || json_is_null(v)) return true;
    if (!json_is_string(v) || json_string_length(v) > max ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        wbi_hub_areq_fail(r, 422, "invalid_request", "$.%s: expected a string of at most %zu bytes",
                          key, max);
        return false;
    }
    *out = json_string_length(v) ? json_string_value(v) : NULL;
    return true;
}

static int audit(wbi_hub_areq *r, const char *action, int64_t id, const char *detail)
{
    return wb_assessdb_audit(r->st, r->user, r->org_name, action, id, detail, &r->err);
}

/* Resolves {id} and asks the policy: 0 when allowed, else the reply is set
 * (404 for one the caller may not see, 403 for a write it may not do). */
static int may(wbi_hub_areq *r, wb_assessment_op op, int64_t *id)
{
    wb_assessment_audience a;
    int rc = WB_ENOTFOUND;
    if (r->id && wb_parse_i64(r->id, strlen(r->id), 1, INT64_MAX, id) == 0)
        rc = wb_assessdb_audience(r->st, *id, &a, &r->err);
    if (rc == WB_ENOTFOUND) {
        not_found(r);
        return -1;
    }
    if (rc != 0) {
        r->internal = true;
        return -1;
    }
    wb_access read = wb_policy_assessment(r->who, WB_ASSESSMENT_READ, &a);
    if (read == WB_DENY) {
        not_found(r);
        return -1;
    }
    if (op != WB_ASSESSMENT_READ && wb_policy_assessment(r->who, op, &a) == WB_DENY) {
        wbi_hub_areq_fail(r, 403, "forbidden",
                          op == WB_ASSESSMENT_WRITE
                              ? "only the assessment's organisation changes its answers"
                              : "only an admin of the assessment's organisation shares it");
        return -1;
    }
    if (read == WB_ALLOW_AUDITED && op == WB_ASSESSMENT_READ &&
        audit(r, "read.admin", *id, "assessment read by site admin") != 0) {
        r->internal = true;
        return -1;
    }
    return 0;
}

/* ---- list, create ---------------------------------------------------------------------------- */

/* A site admin's list holds what its own organisation may see: reading
 * another organisation's assessment is one audited request by id. */
static bool list_visible(void *ud, const wb_assessment_audience *a)
{
    wbi_hub_areq *r = ud;
    return wb_policy_assessment(r->who, WB_ASSESSMENT_READ, a) == WB_ALLOW;
}

void wbi_hub_assess_list(wbi_hub_areq *r)
{
    wb_buf b = {0};
    if (wb_assessdb_list_json(r->st, NULL, list_visible, r, &b, &r->err) == 0)
        reply_buf(r, 200, &b);
    else
        wbi_hub_areq_fail_err(r, &r->err);
    wb_buf_free(&b);
}

void wbi_hub_assess_add(wbi_hub_areq *r)
{
    static const char *const keys[] = {"catalogue", "scope", "target", "organisation"};
    json_t *o = body_object(r);
    if (o == NULL) return;
    const char *name = NULL, *scope = NULL, *org = NULL;
    int64_t target = WB_ASSESS_DEFAULT_TARGET;
    json_t *t = json_object_get(o, "target");
    if (!only_keys(r, o, keys, sizeof keys / sizeof keys[0]) ||
        !member_str(r, o, "catalogue", WB_ASSESS_CATALOGUE_MAX, &name) ||
        !member_str(r, o, "scope", WB_ASSESS_SCOPE_MAX, &scope) ||
        !member_str(r, o, "organisation", WB_NAME_MAX, &org))
        goto out;
    if (name == NULL) {
        wbi_hub_areq_fail(r, 422, "invalid_request", "$.catalogue: required");
        goto out;
    }
    if (t && !json_is_null(t)) {
        target = json_is_integer(t) ? json_integer_value(t) : 0;
        if (target < 1 || target > WB_ASSESS_MAX_LEVEL) {
            wbi_hub_areq_fail(r, 422, "invalid_request", "$.target: expected a level from 1 to %d",
                              WB_ASSESS_MAX_LEVEL);
            goto out;
        }
    }
    /* An organisation assesses itself: the key decides whose it is. */
    if (org) {
        bool same = false;
        wb_error e = {0};
        if (wb_assessdb_org_is(r->st, org, r->who->org_id, &same, &e) != 0 || !same) {
            wbi_hub_areq_fail(r, 403, "forbidden",
                              "an assessment belongs to the key's own organisation (%s)",
                              r->org_name);
            goto out;
        }
    }
    const wb_catalogue *cat;
    int64_t id = 0;
    wb_error e = {0};
    if (catalogue(r->cats, name, &cat, &e) != 0) {
        wbi_hub_areq_fail(r, 422, "invalid_request", "$.catalogue: %s", e.msg);
        goto out;
    }
    if (wb_assessdb_create(r->st, cat, r->org_name, scope, (int)target, r->user, &id, &e) != 0) {
        wbi_hub_areq_fail_err(r, &e);
        goto out;
    }
    wbi_hub_areq_reply(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
out:
    json_decref(o);
}

/* ---- one assessment ----------------------------------------------------------------------------
 */

void wbi_hub_assess_get(wbi_hub_areq *r)
{
    int64_t id, version = 0;
    const char *v = wbi_hub_areq_arg(r, "version");
    if (v && wb_parse_i64(v, strlen(v), 1, WB_ASSESSDB_MAX_VERSIONS, &version) != 0) {
        wbi_hub_areq_fail(r, 400, "invalid_request", "version: expected a version number");
        return;
    }
    if (may(r, WB_ASSESSMENT_READ, &id) != 0) return;
    wb_assessdb_view *view = NULL;
    wb_buf b = {0};
    wb_error e = {0};
    if (wb_assessdb_load(r->st, id, (int)version, &view, &e) != 0)
        wbi_hub_areq_fail_err(r, &e);
    else if (wb_assessdb_view_json(view, &b) != 0)
        wbi_hub_areq_reply(r, 500, NULL);
    else
        reply_buf(r, 200, &b);
    wb_buf_free(&b);
    wb_assessdb_view_free(view);
}

void wbi_hub_assess_history(wbi_hub_areq *r)
{
    int64_t id;
    if (may(r, WB_ASSESSMENT_READ, &id) != 0) return;
    wb_buf b = {0};
    wb_error e = {0};
    if (wb_assessdb_history_json(r->st, id, &b, &e) != 0)
        wbi_hub_areq_fail_err(r, &e);
    else
        reply_buf(r, 200, &b);
    wb_buf_free(&b);
}

/* The assessment's catalogue, for the writes. */
static int catalogue_of(wbi_hub_areq *r, int64_t id, const wb_catalogue **cat)
{
    wb_assessdb_view *v = NULL;
    wb_error e = {0};
    int rc = wb_assessdb_load(r->st, id, 0, &v, &e);
    if (rc == 0 && catalogue(r->cats, v->a.catalogue, cat, &e) != 0) rc = WB_EINVAL;
    if (rc != 0) wbi_hub_areq_fail_err(r, &e);
    wb_assessdb_view_free(v);
    return rc;
}

static void reply_version(wbi_hub_areq *r, int64_t id, int version)
{
    wbi_hub_areq_reply(r, 201, json_pack("{s:I,s:i}", "id", (json_int_t)id, "version", version));
}

void wbi_hub_assess_answer(wbi_hub_areq *r)
{
    static const char *const keys[] = {"ref", "level", "evidence", "owner", "due", "note"};
    int64_t id;
    if (may(r, WB_ASSESSMENT_WRITE, &id) != 0) return;
    json_t *o = body_object(r);
    if (o == NULL) return;
    wb_answer a = {.due = WB_TIME_NONE};
    const char *due = NULL;
    json_t *lv = json_object_get(o, "level");
    if (!only_keys(r, o, keys, sizeof keys / sizeof keys[0]) ||
        !member_str(r, o, "ref", WB_ANSWERS_MAX_FIELD, &a.ref) ||
        !member_str(r, o, "evidence", WB_ANSWERS_MAX_FIELD, &a.evidence) ||
        !member_str(r, o, "owner", WB_ANSWERS_MAX_FIELD, &a.owner) ||
        !member_str(r, o, "note", WB_ANSWERS_MAX_FIELD, &a.note) ||
        !member_str(r, o, "due", 10, &due))
        goto out;
    if (a.ref == NULL) {
        wbi_hub_areq_fail(r, 422, "invalid_request", "$.ref: required");
        goto out;
    }
    if (json_is_string(lv) && strcmp(json_string_value(lv), "n/a") == 0) {
        a.level = WB_LEVEL_NA;
    } else if (json_is_integer(lv) && json_integer_value(lv) >= 0 &&
               json_integer_value(lv) <= WB_ASSESS_MAX_LEVEL) {
        a.level = (int)json_integer_value(lv);
    } else {
        wbi_hub_areq_fail(r, 422, "invalid_request", "$.level: expected 0-%d or \"n/a\"",
                          WB_ASSESS_MAX_LEVEL);
        goto out;
    }
    if (due && (strlen(due) != 10 || wb_time_parse(due, 10, &a.due) != 0)) {
        wbi_hub_areq_fail(r, 422, "invalid_request", "$.due: expected a date YYYY-MM-DD");
        goto out;
    }
    const wb_catalogue *cat;
    int version = 0;
    wb_error e = {0};
    if (catalogue_of(r, id, &cat) != 0) goto out;
    if (wb_assessdb_answer(r->st, id, cat, &a, r->user, &version, &e) != 0)
        wbi_hub_areq_fail_err(r, &e);
    else
        reply_version(r, id, version);
out:
    json_decref(o);
}

void wbi_hub_assess_import(wbi_hub_areq *r)
{
    static const char *const keys[] = {"answers", "catalogue", "name"};
    int64_t id;
    if (may(r, WB_ASSESSMENT_WRITE, &id) != 0) return;
    json_t *o = body_object(r);
    if (o == NULL) return;
    const char *name = NULL, *cname = NULL;
    char *text = NULL;
    if (!only_keys(r, o, keys, sizeof keys / sizeof keys[0]) ||
        !member_str(r, o, "name", 200, &name) ||
        !member_str(r, o, "catalogue", WB_ASSESS_CATALOGUE_MAX, &cname))
        goto out;
    if (!json_is_array(json_object_get(o, "answers"))) {
        wbi_hub_areq_fail(r, 422, "invalid_request", "$.answers: expected an array of answers");
        goto out;
    }
    const wb_catalogue *cat;
    if (catalogue_of(r, id, &cat) != 0) goto out;
    if (cname && strcmp(cname, cat->name) != 0) {
        wbi_hub_areq_fail(r, 422, "invalid_request",
                          "$.catalogue: assessment %lld is of %s, not %s", (long long)id, cat->name,
                          cname);
        goto out;
    }
    /* only the answers go on: the library reads them as an answers file */
    json_t *only = json_pack("{s:O}", "answers", json_object_get(o, "answers"));
    text = only ? json_dumps(only, JSON_COMPACT) : NULL;
    json_decref(only);
    if (text == NULL) {
        wbi_hub_areq_reply(r, 500, NULL);
        goto out;
    }
    char label[256];
    const char *base = name ? strrchr(name, '/') : NULL;
    snprintf(label, sizeof label, "%s", name ? (base ? base + 1 : name) : "request");
    int version = 0;
    wb_error e = {0};
    if (wb_assessdb_import(r->st, id, cat, text, strlen(text), label, r->user, &version, &e) != 0)
        wbi_hub_areq_fail_err(r, &e);
    else
        reply_version(r, id, version);
out:
    free(text);
    json_decref(o);
}

void wbi_hub_assess_share(wbi_hub_areq *r)
{
    static const char *const keys[] = {"with", "shared"};
    int64_t id;
    if (may(r, WB_ASSESSMENT_SHARE, &id) != 0) return;
    json_t *o = body_object(r);
    if (o == NULL) return;
    const char *with = NULL;
    json_t *sh = json_object_get(o, "shared");
    wb_share_audience to;
    if (!only_keys(r, o, keys, sizeof keys / sizeof keys[0]) ||
        !member_str(r, o, "with", 16, &with))
        goto out;
    if (with == NULL || wb_share_audience_parse(with, &to) != 0) {
        wbi_hub_areq_fail(r, 422, "invalid_request",
                          "$.with: expected \"csirt\" or \"supervisor\"");
        goto out;
    }
    if (sh && !json_is_boolean(sh)) {
        wbi_hub_areq_fail(r, 422, "invalid_request", "$.shared: expected true or false");
        goto out;
    }
    wb_error e = {0};
    wb_buf b = {0};
    if (wb_assessdb_share(r->st, id, to, sh == NULL || json_is_true(sh), r->user, &e) != 0 ||
        wb_assessdb_get_json(r->st, id, &b, &e) != 0)
        wbi_hub_areq_fail_err(r, &e);
    else
        reply_buf(r, 200, &b);
    wb_buf_free(&b);
out:
    json_decref(o);
}

/* ---- the sector view
 * ------------------------------------------------------------------------------ */

void wbi_hub_assess_sectors(wbi_hub_areq *r)
{
    wb_org_kind kind = WB_ORG_OTHER;
    wb_error e = {0};
    if (wb_assessdb_org_kind(r->st, r->who->org_id, &kind, &e) != 0) {
        wbi_hub_areq_fail_err(r, &e);
        return;
    }
    if (wb_policy_sector_view(r->who, kind) == WB_DENY) {
        wbi_hub_areq_fail(r, 403, "forbidden",
                          "the sector view is for supervisors, CSIRTs and site admins");
        return;
    }
    const char *name = wbi_hub_areq_arg(r, "catalogue");
    const wb_catalogue *cat, *pr = NULL;
    if (name == NULL || name[0] == '\0') name = "cbw_nis2";
    if (catalogue(r->cats, name, &cat, &e) != 0) {
        wbi_hub_areq_fail(r, 422, "invalid_request", "catalogue: %s", e.msg);
        return;
    }
    wb_error ignore = {0};
    if (catalogue(r->cats, WB_PRINCIPLES_CATALOGUE, &pr, &ignore) != 0) pr = NULL;
    /* a CSIRT or supervisor sees the sectors routed to it, over what was
     * shared with it; a site admin of another organisation every sector,
     * over what was shared with the audience it names (default csirt) */
    wb_sector_scope sc = {r->who->org_id,
                          kind == WB_ORG_SUPERVISOR ? WB_SHARE_SUPERVISOR : WB_SHARE_CSIRT};
    if (kind != WB_ORG_SUPERVISOR && kind != WB_ORG_CSIRT) {
        const char *a = wbi_hub_areq_arg(r, "audience");
        sc.viewer = 0;
        if (a && wb_share_audience_parse(a, &sc.audience) != 0) {
            wbi_hub_areq_fail(r, 422, "invalid_request", "audience: expected csirt or supervisor");
            return;
        }
    }
    wb_sector_view *v = NULL;
    wb_buf b = {0};
    if (wb_assessdb_sectors_for(r->st, &sc, cat, pr, r->sector_k, &v, &e) != 0)
        wbi_hub_areq_fail_err(r, &e);
    else if (wb_sector_view_json(v, &b) != 0)
        wbi_hub_areq_reply(r, 500, NULL);
    else
        reply_buf(r, 200, &b);
    wb_buf_free(&b);
    wb_sector_view_free(v);
}

/* ---- catalogues, scores and the board report (the web page's) -------------------------------- */

/* "nl" or "en" from ?lang=, default en; false with the reply set. */
static bool lang_arg(wbi_hub_areq *r, const char **lang)
{
    const char *l = wbi_hub_areq_arg(r, "lang");
    *lang = "en";
    if (l == NULL || *l == '\0') return true;
    if (strcmp(l, "nl") != 0 && strcmp(l, "en") != 0) {
        wbi_hub_areq_fail(r, 400, "invalid_request", "lang: expected nl or en");
        return false;
    }
    *lang = l;
    return true;
}

/* ?version=V (1..), 0 when absent; false with the reply set. */
static bool version_arg(wbi_hub_areq *r, int *version)
{
    int64_t v = 0;
    const char *s = wbi_hub_areq_arg(r, "version");
    if (s && *s && wb_parse_i64(s, strlen(s), 1, WB_ASSESSDB_MAX_VERSIONS, &v) != 0) {
        wbi_hub_areq_fail(r, 400, "invalid_request", "version: expected a version number");
        return false;
    }
    *version = (int)v;
    return true;
}

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* GET /api/v1/catalogues[?lang=]: {"catalogues": [{name, title}]}, the
 * catalogues the hub answers assessments of. */
void wbi_hub_catalogue_list(wbi_hub_areq *r)
{
    const char *lang;
    if (!lang_arg(r, &lang)) return;
    json_t *arr = json_array();
    pthread_mutex_lock(&r->cats->lock);
    size_t n = wb_catset_count(r->cats->set);
    pthread_mutex_unlock(&r->cats->lock);
    for (size_t i = 0; arr && i < n; i++) {
        pthread_mutex_lock(&r->cats->lock);
        const char *name = wb_catset_name(r->cats->set, i);
        pthread_mutex_unlock(&r->cats->lock);
        const wb_catalogue *cat;
        wb_error e = {0};
        /* a file that does not load is left out here; answering it names the error */
        if (name == NULL || catalogue(r->cats, name, &cat, &e) != 0) continue;
        const char *title = wb_cat_text_get(cat->texts, cat->ntexts, WB_TEXT_NAME, lang, NULL);
        json_array_append_new(
            arr, json_pack("{s:s,s:o}", "name", cat->name, "title", text_or_null(title)));
    }
    wbi_hub_areq_reply(r, 200, arr ? json_pack("{s:o}", "catalogues", arr) : NULL);
}

/* GET /api/v1/catalogues/{name}[?lang=]: the requirement tree with its
 * texts in lang and the meaning of each maturity level, for answering. */
void wbi_hub_catalogue_get(wbi_hub_areq *r)
{
    const char *lang;
    const wb_catalogue *cat;
    wb_error e = {0};
    if (!lang_arg(r, &lang)) return;
    if (r->id == NULL || catalogue(r->cats, r->id, &cat, &e) != 0) {
        wbi_hub_areq_fail(r, 404, "not_found", "no such catalogue");
        return;
    }
    json_t *nodes = json_array(), *levels = json_array();
    for (size_t i = 0; nodes && i < cat->nnodes; i++) {
        const wb_req_node *n = &cat->nodes[i];
        const char *name = wb_cat_text_get(n->texts, n->ntexts, WB_TEXT_NAME, lang, NULL);
        const char *desc = wb_cat_text_get(n->texts, n->ntexts, WB_TEXT_DESCRIPTION, lang, NULL);
        json_array_append_new(
            nodes, json_pack("{s:s,s:o,s:i,s:o,s:o,s:b}", "ref", n->key, "parent",
                             n->parent >= 0 ? json_string(cat->nodes[n->parent].key) : json_null(),
                             "depth", n->depth, "title", text_or_null(name), "description",
                             text_or_null(desc), "assessable", n->assessable));
    }
    for (int l = 0; levels && l <= WB_ASSESS_MAX_LEVEL; l++)
        json_array_append_new(levels, json_pack("{s:i,s:o}", "level", l, "meaning",
                                                text_or_null(wb_assess_level_meaning(l, lang))));
    const char *title = wb_cat_text_get(cat->texts, cat->ntexts, WB_TEXT_NAME, lang, NULL);
    wbi_hub_areq_reply(r, 200,
                       nodes && levels ? json_pack("{s:s,s:o,s:o,s:o,s:o}", "name", cat->name,
                                                   "title", text_or_null(title), "attribution",
                                                   text_or_null(cat->copyright), "levels", levels,
                                                   "nodes", nodes)
                                       : NULL);
}

/* The version asked for (?version=, default the newest) with its
 * catalogue and the principles catalogue; 0, else the reply is set. */
static int load_scored(wbi_hub_areq *r, int64_t id, wb_assessdb_view **v, const wb_catalogue **cat,
                       const wb_catalogue **pr)
{
    int version;
    wb_error e = {0};
    *v = NULL;
    if (!version_arg(r, &version)) return WB_EINVAL;
    int rc = wb_assessdb_load(r->st, id, version, v, &e);
    if (rc == 0 && catalogue(r->cats, (*v)->a.catalogue, cat, &e) != 0) rc = WB_EINVAL;
    if (rc != 0) {
        wbi_hub_areq_fail_err(r, &e);
        wb_assessdb_view_free(*v);
        *v = NULL;
        return rc;
    }
    wb_error ignore = {0};
    if (catalogue(r->cats, WB_PRINCIPLES_CATALOGUE, pr, &ignore) != 0) *pr = NULL;
    return 0;
}

/* GET /api/v1/assessments/{id}/score[?version=V][&lang=]: what `assess
 * show ID --format json` prints after its assessment object: overall,
 * nodes, NIS2 measures, principles and gaps against the assessment's
 * target. */
void wbi_hub_assess_score(wbi_hub_areq *r)
{
    int64_t id;
    const char *lang;
    if (!lang_arg(r, &lang) || may(r, WB_ASSESSMENT_READ, &id) != 0) return;
    wb_assessdb_view *v;
    const wb_catalogue *cat, *pr;
    if (load_scored(r, id, &v, &cat, &pr) != 0) return;
    wb_scores *sc = NULL;
    wb_buf b = {0};
    wb_error e = {0};
    if (wb_assess_score(cat, v->answers, pr, v->a.target, &sc, &e) != 0)
        wbi_hub_areq_fail_err(r, &e);
    else if (wb_assess_scores_json(cat, pr, v->answers, sc, lang, &b) != 0)
        wbi_hub_areq_reply(r, 500, NULL);
    else
        reply_buf(r, 200, &b);
    wb_buf_free(&b);
    wb_scores_free(sc);
    wb_assessdb_view_free(v);
}

/* The base64 SHA-256 of the page's one <style> element, which the
 * answer's Content-Security-Policy allows by that hash (server.c): the
 * board report's HTML is self-contained, inline CSS included, and the
 * hub's policy otherwise refuses every inline style. */
static void style_hash(const wb_buf *html, char *out, size_t cap)
{
    const char *open = html->data ? strstr(html->data, "<style>") : NULL;
    const char *close = open ? strstr(open, "</style>") : NULL;
    unsigned char h[crypto_hash_sha256_BYTES];
    out[0] = '\0';
    if (close == NULL) return;
    open += strlen("<style>");
    crypto_hash_sha256(h, (const unsigned char *)open, (unsigned long long)(close - open));
    sodium_bin2base64(out, cap, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
}

static int render_board(void *ud, const char *path, wb_error *err)
{
    /* 110 dpi as `assess report` uses for PNG; a PDF is vector */
    return wb_board_render(ud, path, WB_PAGE_PDF, 110, err);
}

/* GET /api/v1/assessments/{id}/report[?format=pdf|html][&lang=][&version=]:
 * the one-page board report `weerbaar assess report ID` makes, against the
 * version before it, with the organisation's incidents of this year. */
void wbi_hub_assess_report(wbi_hub_areq *r)
{
    int64_t id;
    const char *lang, *format = wbi_hub_areq_arg(r, "format");
    if (format == NULL || *format == '\0') format = "pdf";
    if (strcmp(format, "pdf") != 0 && strcmp(format, "html") != 0) {
        wbi_hub_areq_fail(r, 400, "invalid_request", "format: expected pdf or html");
        return;
    }
    if (!lang_arg(r, &lang) || may(r, WB_ASSESSMENT_READ, &id) != 0) return;
    wb_assessdb_view *v;
    const wb_catalogue *cat, *pr;
    if (load_scored(r, id, &v, &cat, &pr) != 0) return;
    if (v->version == 0) {
        wbi_hub_areq_fail(r, 409, "conflict",
                          "assessment %lld has no answers yet: answer it before making its report",
                          (long long)id);
        wb_assessdb_view_free(v);
        return;
    }
    char label[128], prev[128];
    snprintf(label, sizeof label, "assessment %lld@%d", (long long)id, v->version);
    snprintf(prev, sizeof prev, "assessment %lld@%d", (long long)id, v->prev_version);
    wb_board_data bd;
    wb_error e = {0};
    wb_board_data_init(&bd, cat, lang, wb_time_now(), v->a.target);
    bd.b.organisation = v->a.org_name;
    bd.b.scope = v->a.scope;
    bd.b.assessment = label;
    bd.b.previous = v->prev_version > 0 ? prev : NULL;
    int rc = wb_board_fill_scores(&bd, cat, pr, v->answers,
                                  v->prev_version > 0 ? v->previous : NULL, &e);
    if (rc == 0) rc = wb_board_fill_incidents(&bd, r->st, v->a.org_name, &e);
    if (rc == 0)
        rc = strcmp(format, "html") == 0 ? wb_board_html(&bd.b, &r->body)
                                         : wb_render_to_buf(render_board, &bd.b, &r->body, &e);
    if (rc == 0) {
        r->status = 200;
        r->content_type =
            strcmp(format, "html") == 0 ? "text/html; charset=utf-8" : "application/pdf";
        if (strcmp(format, "html") == 0) style_hash(&r->body, r->style_hash, sizeof r->style_hash);
    } else {
        if (e.msg[0] == '\0') wb_error_set(&e, rc, "board report: out of memory");
        r->err = e;
        r->internal = true;
    }
    wb_board_data_free(&bd);
    wb_assessdb_view_free(v);
}
