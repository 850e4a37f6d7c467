/*
 * assessdb.c - assessments kept in a store (assessdb.h): create, load a
 * version with the one before it, answer, import, share, and the ID@VERSION
 * syntax the command line uses.
 *
 * A version holds the whole answer set as the JSON wb_answers_write_json
 * writes, so a version loads with one read and parses with the same code as
 * an answers file; a change reads the newest version, applies the change
 * and appends the result, inside one transaction, so two writers cannot
 * both build on the same version and lose one change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess/assess_internal.h"
#include "weerbaar/assessdb.h"

/* ---- small helpers ---------------------------------------------------------------- */

typedef struct org_ref {
    int64_t id;
    char name[WB_NAME_MAX + 1];
} org_ref;

static int org_cb(void *ud, const wb_org *o)
{
    org_ref *r = ud;
    r->id = o->id;
    snprintf(r->name, sizeof r->name, "%s", o->name);
    return 1;
}

typedef struct copy_ctx {
    wb_arena *arena;
    wb_assessment_rec *a;
    bool oom;
} copy_ctx;

static const char *adup(wb_arena *ar, const char *s, bool *oom)
{
    if (s == NULL) return NULL;
    char *d = wb_arena_strdup(ar, s);
    if (d == NULL) *oom = true;
    return d;
}

static int assessment_cb(void *ud, const wb_assessment_rec *r)
{
    copy_ctx *c = ud;
    *c->a = *r;
    c->a->org_name = adup(c->arena, r->org_name, &c->oom);
    c->a->org_sector = adup(c->arena, r->org_sector, &c->oom);
    c->a->catalogue = adup(c->arena, r->catalogue, &c->oom);
    c->a->scope = adup(c->arena, r->scope, &c->oom);
    c->a->author = adup(c->arena, r->author, &c->oom);
    return 1;
}

/* The assessment's row, its strings copied into arena. */
static int get_assessment(wb_store *s, int64_t id, wb_arena *arena, wb_assessment_rec *out,
                          wb_error *err)
{
    copy_ctx c = {arena, out, false};
    int rc = wb_store_assessment_get(s, id, assessment_cb, &c, err);
    if (rc == 0 && c.oom) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    return rc;
}

/* One version parsed: its answers, time, author and action. */
typedef struct version_ctx {
    wb_arena *arena;
    const char *srcname;
    wb_answers *answers;
    int version;
    wb_time created;
    const char *author, *action;
    int rc;
    wb_error *err;
} version_ctx;

static int version_cb(void *ud, const wb_assessment_version_rec *v)
{
    version_ctx *c = ud;
    bool oom = false;
    c->version = v->version;
    c->created = v->created;
    c->author = adup(c->arena, v->author, &oom);
    c->action = adup(c->arena, v->action, &oom);
    if (oom) {
        c->rc = wb_error_set(c->err, WB_ENOMEM, "out of memory");
        return 1;
    }
    /* Stored refs were checked when written; the catalogue checks them
     * again when the answers are scored. */
    c->rc = wb_answers_parse_json(v->json, strlen(v->json), c->srcname, NULL, &c->answers, c->err);
    if (c->rc != 0) c->rc = WB_EFORMAT;
    return 1;
}

static int load_version(wb_store *s, int64_t id, int version, wb_arena *arena, version_ctx *out,
                        wb_error *err)
{
    char name[64];
    snprintf(name, sizeof name, "assessment %lld version %d", (long long)id, version);
    *out = (version_ctx){.arena = arena, .srcname = name, .err = err};
    int rc = wb_store_assessment_version_get(s, id, version, version_cb, out, err);
    if (rc == 0) rc = out->rc;
    if (rc != 0) {
        wb_answers_free(out->answers);
        out->answers = NULL;
    }
    return rc;
}

static int audit(wb_store *s, const char *author, const wb_assessment_rec *a, const char *action,
                 const char *detail, wb_error *err)
{
    char obj[48];
    snprintf(obj, sizeof obj, "assessment %lld", (long long)a->id);
    wb_audit_rec r = {.user = author,
                      .org = a->org_name ? a->org_name : "-",
                      .action = action,
                      .object = obj,
                      .detail = detail};
    return wb_store_audit(s, &r, err);
}

static int finish(wb_store *s, int rc, wb_error *err)
{
    if (rc == 0) rc = wb_store_commit(s, err);
    if (rc != 0) wb_store_rollback(s);
    return rc;
}

/* ---- create, load ------------------------------------------------------------------- */

int wb_assessdb_create(wb_store *s, const wb_catalogue *cat, const char *org, const char *scope,
                       int target, const char *author, int64_t *id, wb_error *err)
{
    org_ref org_found = {0};
    if (target < 1 || target > WB_ASSESS_MAX_LEVEL)
        return wb_error_set(err, WB_EINVAL, "the target level must be 1-%d, not %d",
                            WB_ASSESS_MAX_LEVEL, target);
    if (scope && strlen(scope) > WB_ASSESS_SCOPE_MAX)
        return wb_error_set(err, WB_EINVAL, "the scope is at most %d bytes", WB_ASSESS_SCOPE_MAX);
    int rc = wb_store_org_find(s, org, org_cb, &org_found, err);
    if (rc != 0) return rc;
    wb_assessment_rec r = {.org_id = org_found.id,
                           .catalogue = cat->name,
                           .scope = scope && scope[0] ? scope : NULL,
                           .target = target,
                           .author = author};
    rc = wb_store_begin(s, err);
    if (rc != 0) return rc;
    rc = wb_store_assessment_add(s, &r, id, err);
    r.id = id ? *id : 0;
    r.org_name = org_found.name; /* as the organisation spells it, not as typed */
    if (rc == 0) rc = audit(s, author, &r, "assessment.add", cat->name, err);
    return finish(s, rc, err);
}

void wb_assessdb_view_free(wb_assessdb_view *v)
{
    if (v == NULL) return;
    wb_answers_free(v->answers);
    wb_answers_free(v->previous);
    wb_arena_free(&v->arena);
    free(v);
}

int wb_assessdb_load(wb_store *s, int64_t id, int version, wb_assessdb_view **out, wb_error *err)
{
    *out = NULL;
    wb_assessdb_view *v = calloc(1, sizeof *v);
    if (v == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_arena_init(&v->arena, 4096);
    int rc = get_assessment(s, id, &v->arena, &v->a, err);
    if (rc == 0 && version > v->a.version)
        rc = wb_error_set(err, WB_ENOTFOUND, "assessment %lld has no version %d (its newest is %d)",
                          (long long)id, version, v->a.version);
    int want = version > 0 ? version : v->a.version;
    version_ctx cur = {0}, prev = {0};
    if (rc == 0 && want > 0) rc = load_version(s, id, want, &v->arena, &cur, err);
    if (rc == 0 && want > 1) rc = load_version(s, id, want - 1, &v->arena, &prev, err);
    if (rc == 0) {
        v->version = cur.version;
        v->version_time = want > 0 ? cur.created : WB_TIME_NONE;
        v->version_author = cur.author;
        v->version_action = cur.action;
        v->answers = cur.answers ? cur.answers : wb_answers_new();
        v->prev_version = prev.version;
        v->prev_time = want > 1 ? prev.created : WB_TIME_NONE;
        v->previous = prev.answers ? prev.answers : wb_answers_new();
        cur.answers = prev.answers = NULL;
        if (v->answers == NULL || v->previous == NULL)
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    wb_answers_free(cur.answers);
    wb_answers_free(prev.answers);
    if (rc != 0) {
        wb_assessdb_view_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

/* ---- changes ------------------------------------------------------------------------ */

/* Appends `ans` as the next version. */
static int put_version(wb_store *s, const wb_assessment_rec *a, const wb_answers *ans,
                       const char *action, const char *author, int *version, wb_error *err)
{
    wb_buf json = {0};
    int rc = wb_answers_write_json(ans, a->catalogue, &json);
    if (rc != 0) return wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_assessment_version_rec v = {.assessment_id = a->id,
                                   .json = json.data,
                                   .nanswers = ans->n,
                                   .action = action,
                                   .author = author};
    int num = 0;
    rc = wb_store_assessment_version_add(s, &v, &num, err);
    wb_buf_free(&json);
    if (rc == 0 && version) *version = num;
    if (rc == 0) {
        char detail[WB_ASSESS_ACTION_MAX + 32];
        snprintf(detail, sizeof detail, "version %d: %s", num, action);
        rc = audit(s, author, a, "assessment.version", detail, err);
    }
    return rc;
}

static int check_catalogue(const wb_assessment_rec *a, const wb_catalogue *cat, wb_error *err)
{
    if (strcmp(a->catalogue, cat->name) != 0)
        return wb_error_set(err, WB_EINVAL, "assessment %lld is of catalogue %s, not %s",
                            (long long)a->id, a->catalogue, cat->name);
    return 0;
}

static int check_field(const char *name, const char *s, wb_error *err)
{
    if (s && strlen(s) > WB_ANSWERS_MAX_FIELD)
        return wb_error_set(err, WB_ELIMIT, "%s is longer than %d bytes", name,
                            WB_ANSWERS_MAX_FIELD);
    return 0;
}

int wb_assessdb_answer(wb_store *s, int64_t id, const wb_catalogue *cat, const wb_answer *ans,
                       const char *author, int *version, wb_error *err)
{
    if (ans->ref == NULL || ans->ref[0] == '\0')
        return wb_error_set(err, WB_EINVAL, "an answer needs a requirement");
    long node = wbi_catalogue_req(cat, ans->ref);
    if (node < 0)
        return wb_error_set(err, WB_EINVAL, "'%.200s' is not an assessable requirement of %s",
                            ans->ref, cat->name);
    int rc = check_field("evidence", ans->evidence, err);
    if (rc == 0) rc = check_field("owner", ans->owner, err);
    if (rc == 0) rc = check_field("note", ans->note, err);
    if (rc != 0) return rc;
    wb_answer a = *ans;
    a.ref = cat->nodes[node].key;
    a.row = 0;
    wb_arena arena;
    wb_arena_init(&arena, 1024);
    wb_assessment_rec rec;
    version_ctx cur = {0};
    rc = wb_store_begin(s, err);
    if (rc != 0) {
        wb_arena_free(&arena);
        return rc;
    }
    rc = get_assessment(s, id, &arena, &rec, err);
    if (rc == 0) rc = check_catalogue(&rec, cat, err);
    if (rc == 0 && rec.version > 0) rc = load_version(s, id, rec.version, &arena, &cur, err);
    if (rc == 0 && cur.answers == NULL && (cur.answers = wb_answers_new()) == NULL)
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0) rc = wb_answers_set(cur.answers, &a, err);
    if (rc == 0) {
        char action[WB_ASSESS_ACTION_MAX], lv[8];
        if (a.level == WB_LEVEL_NA)
            snprintf(lv, sizeof lv, "n/a");
        else
            snprintf(lv, sizeof lv, "%d", a.level);
        snprintf(action, sizeof action, "answer %.200s level %s", a.ref, lv);
        rc = put_version(s, &rec, cur.answers, action, author, version, err);
    }
    rc = finish(s, rc, err);
    wb_answers_free(cur.answers);
    wb_arena_free(&arena);
    return rc;
}

int wb_assessdb_import(wb_store *s, int64_t id, const wb_catalogue *cat, const char *data,
                       size_t len, const char *name, const char *author, int *version,
                       wb_error *err)
{
    wb_answers *ans = NULL;
    /* Parsed and checked whole before anything is written: all or nothing. */
    int rc = wb_answers_parse(data, len, name, cat, &ans, err);
    if (rc != 0) return rc;
    if (ans->n == 0) {
        wb_answers_free(ans);
        return wb_error_set(err, WB_EINVAL, "%s: no answers", name);
    }
    wb_arena arena;
    wb_arena_init(&arena, 1024);
    wb_assessment_rec rec;
    rc = wb_store_begin(s, err);
    if (rc == 0) {
        rc = get_assessment(s, id, &arena, &rec, err);
        if (rc == 0) rc = check_catalogue(&rec, cat, err);
        if (rc == 0) {
            char action[WB_ASSESS_ACTION_MAX];
            const char *base = strrchr(name, '/');
            snprintf(action, sizeof action, "import %.400s (%zu answers)", base ? base + 1 : name,
                     ans->n);
            rc = put_version(s, &rec, ans, action, author, version, err);
        }
        rc = finish(s, rc, err);
    }
    wb_answers_free(ans);
    wb_arena_free(&arena);
    return rc;
}

int wb_assessdb_share(wb_store *s, int64_t id, wb_share_audience to, bool shared,
                      const char *author, wb_error *err)
{
    wb_arena arena;
    wb_arena_init(&arena, 1024);
    wb_assessment_rec rec;
    int rc = wb_store_begin(s, err);
    if (rc == 0) {
        rc = get_assessment(s, id, &arena, &rec, err);
        wb_assessment_share_rec r = {
            .assessment_id = id, .audience = to, .shared = shared, .author = author};
        if (rc == 0) rc = wb_store_assessment_share(s, &r, err);
        if (rc == 0)
            rc = audit(s, author, &rec, shared ? "assessment.share" : "assessment.unshare",
                       wb_share_audience_name(to), err);
        rc = finish(s, rc, err);
    }
    wb_arena_free(&arena);
    return rc;
}

int wb_assessdb_parse_ref(const char *s, int64_t *id, int *version)
{
    const char *at = strchr(s, '@');
    size_t n = at ? (size_t)(at - s) : strlen(s);
    int64_t v = 0;
    if (wb_parse_i64(s, n, 1, INT64_MAX, id) != 0) return WB_EINVAL;
    if (at && wb_parse_i64(at + 1, strlen(at + 1), 1, WB_ASSESSDB_MAX_VERSIONS, &v) != 0)
        return WB_EINVAL;
    *version = (int)v;
    return 0;
}
