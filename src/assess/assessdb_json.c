/*
 * assessdb_json.c - assessments as JSON: one assessment, a loaded version
 * with the one before it, and the history. The hub answers with these and
 * `weerbaar assess --hub` reads them back (wb_assessdb_view_parse), so that
 * the command line scores and prints the same way whether the assessment
 * came from a local database or from a hub.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/assessdb.h"
#include "core/core_internal.h"

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jtime(wb_time t)
{
    char buf[40];
    if (t == WB_TIME_NONE) return json_null();
    wb_time_format(t, buf, sizeof buf);
    return json_string(buf);
}

static int dump(json_t *o, wb_buf *out)
{
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (text == NULL) return WB_ENOMEM;
    int rc = wb_buf_puts(out, text);
    free(text);
    return rc ? WB_ENOMEM : 0;
}

static json_t *assessment_obj(const wb_assessment_rec *a)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "organisation", jstr(a->org_name));
    json_object_set_new(o, "sector", jstr(a->org_sector));
    json_object_set_new(o, "catalogue", jstr(a->catalogue));
    json_object_set_new(o, "scope", jstr(a->scope));
    json_object_set_new(o, "target", json_integer(a->target));
    json_object_set_new(o, "author", jstr(a->author));
    json_object_set_new(o, "created", jtime(a->created));
    json_object_set_new(o, "version", json_integer(a->version));
    json_object_set_new(o, "version_time", jtime(a->version_time));
    json_object_set_new(
        o, "shared_with",
        json_pack("{s:b,s:b}", "csirt", a->shared_csirt, "supervisor", a->shared_supervisor));
    return o;
}

int wb_assessment_json(const wb_assessment_rec *a, wb_buf *out)
{
    return dump(assessment_obj(a), out);
}

/* The answers array as wb_answers_write_json writes it. */
static json_t *answers_array(const wb_answers *a)
{
    wb_buf b = {0};
    json_t *arr = NULL;
    if (wb_answers_write_json(a, NULL, &b) == 0) {
        json_t *doc = json_loadb(b.data, b.len, 0, NULL);
        arr = json_incref(json_object_get(doc, "answers"));
        json_decref(doc);
    }
    wb_buf_free(&b);
    return arr;
}

int wb_assessdb_view_json(const wb_assessdb_view *v, wb_buf *out)
{
    json_t *o = assessment_obj(&v->a);
    /* the version loaded, which may be older than the newest */
    json_object_set_new(o, "newest_version", json_integer(v->a.version));
    json_object_set_new(o, "version", json_integer(v->version));
    json_object_set_new(o, "version_time", jtime(v->version_time));
    json_object_set_new(o, "version_author", jstr(v->version_author));
    json_object_set_new(o, "version_action", jstr(v->version_action));
    json_t *a = answers_array(v->answers), *p = answers_array(v->previous);
    if (a == NULL || p == NULL) {
        json_decref(a);
        json_decref(p);
        json_decref(o);
        return WB_ENOMEM;
    }
    json_object_set_new(o, "answers", a);
    json_object_set_new(o, "previous_version", json_integer(v->prev_version));
    json_object_set_new(o, "previous_time", jtime(v->prev_time));
    json_object_set_new(o, "previous", p);
    return dump(o, out);
}

/* ---- reading it back ------------------------------------------------------------------ */

typedef struct rd {
    const char *name;
    wb_arena *arena;
    wb_error *err;
    int rc;
} rd;

static int bad(rd *r, const char *key, const char *what)
{
    if (r->rc == 0) r->rc = wb_error_set(r->err, WB_EPARSE, "%s: $.%s: %s", r->name, key, what);
    return r->rc;
}

static const char *get_str(rd *r, json_t *o, const char *key, bool nullable)
{
    json_t *v = json_object_get(o, key);
    if (v && json_is_null(v) && nullable) return NULL;
    if (!json_is_string(v)) {
        bad(r, key, nullable ? "expected a string or null" : "expected a string");
        return NULL;
    }
    char *s = wb_arena_strndup(r->arena, json_string_value(v), json_string_length(v));
    if (s == NULL && r->rc == 0) r->rc = wb_error_set(r->err, WB_ENOMEM, "out of memory");
    return s;
}

static int64_t get_int(rd *r, json_t *o, const char *key, int64_t min, int64_t max)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        bad(r, key, "expected an integer in range");
        return min;
    }
    return json_integer_value(v);
}

static wb_time get_time(rd *r, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    wb_time t = WB_TIME_NONE;
    if (v == NULL || json_is_null(v)) return WB_TIME_NONE;
    if (!json_is_string(v) || wb_time_parse(json_string_value(v), json_string_length(v), &t) != 0)
        bad(r, key, "expected an RFC 3339 time or null");
    return t;
}

static bool get_shared(rd *r, json_t *o, const char *who)
{
    json_t *v = json_object_get(json_object_get(o, "shared_with"), who);
    if (!json_is_boolean(v)) {
        bad(r, "shared_with", "expected {\"csirt\": bool, \"supervisor\": bool}");
        return false;
    }
    return json_is_true(v);
}

static wb_answers *get_answers(rd *r, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_array(v)) {
        bad(r, key, "expected an array of answers");
        return NULL;
    }
    char *text = json_dumps(v, JSON_COMPACT);
    wb_answers *a = NULL;
    if (text == NULL) {
        if (r->rc == 0) r->rc = wb_error_set(r->err, WB_ENOMEM, "out of memory");
        return NULL;
    }
    char name[128];
    snprintf(name, sizeof name, "%s: $.%s", r->name, key);
    int rc = wb_answers_parse_json(text, strlen(text), name, NULL, &a, r->err);
    free(text);
    if (rc != 0 && r->rc == 0) r->rc = rc;
    return a;
}

int wb_assessdb_view_parse(const char *data, size_t len, const char *name, wb_assessdb_view **out,
                           wb_error *err)
{
    *out = NULL;
    if (len > WB_ASSESSDB_MAX_JSON)
        return wb_error_set(err, WB_ELIMIT, "%s: larger than %d bytes", name,
                            (int)WB_ASSESSDB_MAX_JSON);
    json_error_t je;
    /* Depth is bounded by the shape: answers are flat objects in arrays. */
    json_t *o = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (o == NULL && wbi_core_json_oom(&je))
        return wb_error_set(err, WB_ENOMEM, "%s: out of memory", name);
    if (!json_is_object(o)) {
        json_decref(o);
        return wb_error_set(err, WB_EPARSE, "%s: %d: %s", name, je.line,
                            o ? "expected an object" : je.text);
    }
    wb_assessdb_view *v = calloc(1, sizeof *v);
    if (v == NULL) {
        json_decref(o);
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    wb_arena_init(&v->arena, 4096);
    rd r = {name, &v->arena, err, 0};
    wb_assessment_rec *a = &v->a;
    a->id = get_int(&r, o, "id", 1, INT64_MAX);
    a->org_name = get_str(&r, o, "organisation", false);
    a->org_sector = get_str(&r, o, "sector", true);
    a->catalogue = get_str(&r, o, "catalogue", false);
    a->scope = get_str(&r, o, "scope", true);
    a->target = (int)get_int(&r, o, "target", 1, WB_ASSESS_MAX_LEVEL);
    a->author = get_str(&r, o, "author", false);
    a->created = get_time(&r, o, "created");
    a->version = (int)get_int(&r, o, "newest_version", 0, WB_ASSESSDB_MAX_VERSIONS);
    a->shared_csirt = get_shared(&r, o, "csirt");
    a->shared_supervisor = get_shared(&r, o, "supervisor");
    v->version = (int)get_int(&r, o, "version", 0, WB_ASSESSDB_MAX_VERSIONS);
    v->version_time = get_time(&r, o, "version_time");
    a->version_time = v->version == a->version ? v->version_time : WB_TIME_NONE;
    v->version_author = get_str(&r, o, "version_author", true);
    v->version_action = get_str(&r, o, "version_action", true);
    v->prev_version = (int)get_int(&r, o, "previous_version", 0, WB_ASSESSDB_MAX_VERSIONS);
    v->prev_time = get_time(&r, o, "previous_time");
    if (r.rc == 0) v->answers = get_answers(&r, o, "answers");
    if (r.rc == 0) v->previous = get_answers(&r, o, "previous");
    if (r.rc == 0 &&
        (v->version > a->version || v->prev_version != (v->version > 0 ? v->version - 1 : 0)))
        bad(&r, "version", "versions out of order");
    json_decref(o);
    if (r.rc != 0) {
        wb_assessdb_view_free(v);
        return r.rc;
    }
    *out = v;
    return 0;
}

/* ---- history ---------------------------------------------------------------------------- */

typedef struct hist_ctx {
    json_t *list;
    bool oom;
} hist_ctx;

static int hist_cb(void *ud, const wb_assessment_version_rec *v)
{
    hist_ctx *h = ud;
    json_t *e = json_object();
    json_object_set_new(e, "version", json_integer(v->version));
    json_object_set_new(e, "created", jtime(v->created));
    json_object_set_new(e, "author", jstr(v->author));
    json_object_set_new(e, "action", jstr(v->action));
    json_object_set_new(e, "answers", json_integer((json_int_t)v->nanswers));
    if (json_array_append_new(h->list, e) != 0) h->oom = true;
    return h->oom;
}

static int one_cb(void *ud, const wb_assessment_rec *a)
{
    (void)ud;
    (void)a;
    return 1;
}

int wb_assessdb_history_json(wb_store *s, int64_t id, wb_buf *out, wb_error *err)
{
    int rc = wb_store_assessment_get(s, id, one_cb, NULL, err);
    if (rc != 0) return rc;
    hist_ctx h = {json_array(), false};
    if (h.list == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    rc = wb_store_assessment_version_list(s, id, hist_cb, &h, err);
    if (rc == 0 && h.oom) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc != 0) {
        json_decref(h.list);
        return rc;
    }
    if (dump(h.list, out) != 0) return wb_error_set(err, WB_ENOMEM, "out of memory");
    return 0;
}
