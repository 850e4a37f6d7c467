/*
 * depsdb.c - aggregate dependency pictures (depsdb.h): derived from a
 * `deps map` report, checked strictly, stored as versions, shared and
 * revoked, and aggregated per sector k-anonymously.
 *
 * The picture is derived on the organisation's side (wb_deps_picture_from_map)
 * and checked again wherever it is received (wb_deps_picture_check): the
 * check refuses any member it does not know, so a client cannot smuggle
 * asset names or addresses inside a picture, whatever it runs.
 *
 * The sector view follows assessments (src/assess/sectors.c): a cell of
 * fewer than k organisations is suppressed, marked and never shown as zero,
 * and a column's total adds only published cells, so that no suppressed
 * cell can be had by subtraction. Countries and providers are open sets,
 * so their very names could single out one organisation: a name is listed
 * only when at least k organisations of the whole view have it.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/deps.h"
#include "weerbaar/depsdb.h"

/* ---- deriving a picture from a map report ------------------------------------------ */

static int bad(wb_error *err, const char *name, const char *path, const char *what)
{
    return wb_error_set(err, WB_EPARSE, "%s: %s: %s", name, path, what);
}

static double num(const json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : 0.0;
}

/* A count from the report; out of range becomes -1, which the picture's
 * check refuses (a cast of a huge double would be undefined). */
static json_int_t cnt(const json_t *v)
{
    double x = num(v);
    return x >= 0 && x <= 1e12 ? (json_int_t)x : -1;
}

/* Adds n to counts[key] (an object of integers). */
static int count_add(json_t *counts, const char *key, json_int_t n)
{
    json_t *c = json_object_get(counts, key);
    return json_object_set_new(counts, key, json_integer((c ? json_integer_value(c) : 0) + n));
}

/* An object of counts as a sorted array of {key: name, value_key: n}. */
static json_t *counts_array(json_t *counts, const char *key, const char *value_key)
{
    json_t *a = json_array();
    const char **keys = NULL;
    size_t n = json_object_size(counts), i = 0;
    if (n && (keys = malloc(n * sizeof *keys)) == NULL) {
        json_decref(a);
        return NULL;
    }
    const char *k;
    json_t *v;
    json_object_foreach(counts, k, v) keys[i++] = k;
    for (size_t x = 1; x < n; x++)
        for (size_t y = x; y > 0 && strcmp(keys[y - 1], keys[y]) > 0; y--) {
            const char *t = keys[y];
            keys[y] = keys[y - 1];
            keys[y - 1] = t;
        }
    for (i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, key, json_string(keys[i]));
        json_object_set(o, value_key, json_object_get(counts, keys[i]));
        json_array_append_new(a, o);
    }
    free(keys);
    return a;
}

/* by_country / by_provider of the report: only the name, eu_eea and share. */
static json_t *shares_copy(const json_t *rows, const char *key)
{
    json_t *a = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        const char *k = json_string_value(json_object_get(r, key));
        if (k == NULL) continue;
        json_t *o = json_object();
        json_object_set_new(o, key, json_string(k));
        json_t *eu = json_object_get(r, "eu_eea");
        json_object_set_new(o, "eu_eea", json_is_boolean(eu) ? json_copy(eu) : json_null());
        json_object_set_new(o, "share", json_real(num(json_object_get(r, "share"))));
        json_array_append_new(a, o);
    }
    return a;
}

static int dump_canon(json_t *pic, const char *name, wb_buf *out, wb_error *err);

int wb_deps_picture_from_map(const char *data, size_t len, const char *name, wb_buf *out,
                             wb_error *err)
{
    if (len > WB_DEPS_MAP_JSON_MAX)
        return wb_error_set(err, WB_ELIMIT, "%s: larger than %zu bytes", name,
                            WB_DEPS_MAP_JSON_MAX);
    json_error_t je;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) return wb_error_set(err, WB_EPARSE, "%s:%d: %s", name, je.line, je.text);
    int rc = 0;
    json_t *assets = json_object_get(root, "assets"), *ex = json_object_get(root, "exposures");
    if (!json_is_object(root) || !json_is_array(assets) || !json_is_array(ex) ||
        !json_is_array(json_object_get(root, "by_country")) ||
        !json_is_array(json_object_get(root, "by_provider")))
        rc = bad(err, name, "$",
                 "not a `deps map --format json` report (needs assets, exposures, by_country, "
                 "by_provider)");
    json_t *pic = json_object(), *lc = json_object(), *lp = json_object(), *cls = json_object(),
           *seen = json_object();
    double bytes = num(json_object_get(root, "bytes"));
    json_int_t crit = 0, cdeps = 0, cleave = 0;
    size_t i;
    json_t *a;
    if (rc == 0) {
        json_array_foreach(assets, i, a)
        {
            if (!json_is_true(json_object_get(a, "critical"))) continue;
            crit++;
            json_t *deps = json_object_get(a, "dependencies");
            cdeps += (json_int_t)json_array_size(deps);
            cleave += cnt(json_object_get(a, "dependencies_leaving_eu_eea"));
            const char *k;
            json_t *v;
            json_object_foreach(json_object_get(a, "leaving_by_country"), k, v)
            {
                if (count_add(lc, k, cnt(v))) rc = WB_ENOMEM;
            }
            json_object_foreach(json_object_get(a, "leaving_by_provider"), k, v)
            {
                if (count_add(lp, k, cnt(v))) rc = WB_ENOMEM;
            }
        }
        /* exposed devices by class, each device once however many of its
         * dependencies were flagged (the names are used here and dropped) */
        json_array_foreach(ex, i, a)
        {
            const char *asset = json_string_value(json_object_get(a, "asset"));
            const char *c = json_string_value(json_object_get(a, "class"));
            if (asset == NULL || c == NULL) continue;
            json_t *of = json_object_get(seen, c);
            if (of == NULL && json_object_set_new(seen, c, of = json_object()) != 0) of = NULL;
            if (of == NULL) {
                rc = WB_ENOMEM;
                break;
            }
            if (json_object_get(of, asset)) continue;
            json_object_set_new(of, asset, json_true());
            if (count_add(cls, c, 1)) rc = WB_ENOMEM;
        }
        if (rc) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    if (rc == 0) {
        json_object_set_new(pic, "schema", json_string(WB_DEPS_PICTURE_SCHEMA));
        json_object_set_new(pic, "observed_days",
                            json_integer(cnt(json_object_get(root, "observed_days"))));
        json_object_set_new(pic, "share_leaving_eu_eea",
                            json_real(num(json_object_get(root, "share_leaving_eu_eea"))));
        json_object_set_new(
            pic, "share_country_unknown",
            json_real(bytes > 0 ? num(json_object_get(root, "bytes_country_unknown")) / bytes
                                : 0.0));
        json_object_set_new(pic, "by_country",
                            shares_copy(json_object_get(root, "by_country"), "country"));
        json_object_set_new(pic, "by_provider",
                            shares_copy(json_object_get(root, "by_provider"), "provider"));
        json_object_set_new(pic, "critical_assets", json_integer(crit));
        json_object_set_new(pic, "critical_dependencies", json_integer(cdeps));
        json_object_set_new(pic, "critical_dependencies_leaving_eu_eea", json_integer(cleave));
        json_object_set_new(pic, "critical_leaving_by_country",
                            counts_array(lc, "country", "dependencies"));
        json_object_set_new(pic, "critical_leaving_by_provider",
                            counts_array(lp, "provider", "dependencies"));
        json_object_set_new(pic, "exposures_by_class", counts_array(cls, "class", "devices"));
        /* what we wrote must pass what every receiver checks */
        rc = dump_canon(pic, name, out, err);
    }
    json_decref(pic);
    json_decref(lc);
    json_decref(lp);
    json_decref(cls);
    json_decref(seen);
    json_decref(root);
    return rc;
}

/* ---- checking a picture ------------------------------------------------------------- */

typedef struct chk {
    const char *name;
    wb_error *err;
    char path[128];
} chk;

static int fail(chk *c, const char *what)
{
    return bad(c->err, c->name, c->path, what);
}

/* Only the listed members, and each of them. */
static int members(chk *c, const json_t *o, const char *const *keys, size_t n)
{
    if (!json_is_object(o)) return fail(c, "must be an object");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        bool known = false;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(k, keys[i]) == 0;
        if (!known) {
            char what[160];
            snprintf(what, sizeof what,
                     "unknown member '%.64s' (a picture carries only the "
                     "members docs/deps.md lists)",
                     k);
            return fail(c, what);
        }
    }
    for (size_t i = 0; i < n; i++)
        if (json_object_get(o, keys[i]) == NULL) {
            char what[96];
            snprintf(what, sizeof what, "missing member '%s'", keys[i]);
            return fail(c, what);
        }
    return 0;
}

static int share_ok(chk *c, const json_t *v)
{
    if (!json_is_number(v) || !(json_number_value(v) >= 0.0 && json_number_value(v) <= 1.0))
        return fail(c, "must be a number from 0 to 1");
    return 0;
}

static int count_ok(chk *c, const json_t *v)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > (json_int_t)1000000000000)
        return fail(c, "must be a count (an integer >= 0)");
    return 0;
}

static int country_ok(chk *c, const char *s)
{
    bool ok = s &&
              ((s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z') ||
               (s[0] == '?' && s[1] == '?')) &&
              s[2] == '\0';
    return ok ? 0 : fail(c, "a country is two capital letters or ?? (unknown)");
}

static int provider_ok(chk *c, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > WB_DEPS_PROVIDER_MAX) return fail(c, "a provider is 1-128 bytes");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return fail(c, "a provider has no control characters");
    return 0;
}

static int class_ok(chk *c, const char *s)
{
    wb_devclass cls;
    return s && wb_devclass_parse(s, strlen(s), &cls) == 0 ? 0 : fail(c, "not a device class");
}

enum { ROW_SHARE, ROW_COUNT };

/* One list: rows {key: name, eu_eea, share} or {key: name, value_key: n},
 * names unique. */
static int rows_ok(chk *c, const json_t *root, const char *list, const char *key,
                   const char *value_key, int kind, int (*name_ok)(chk *, const char *))
{
    const json_t *a = json_object_get(root, list);
    snprintf(c->path, sizeof c->path, "$.%s", list);
    if (!json_is_array(a)) return fail(c, "must be an array");
    if (json_array_size(a) > WB_DEPS_PICTURE_MAX_ROWS) {
        return wb_error_set(c->err, WB_ELIMIT, "%s: %s: more than %d rows", c->name, c->path,
                            WB_DEPS_PICTURE_MAX_ROWS);
    }
    json_t *names = json_object();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        const json_t *r = json_array_get(a, i);
        snprintf(c->path, sizeof c->path, "$.%s[%zu]", list, i);
        const char *k3[] = {key, "eu_eea", "share"}, *k2[] = {key, value_key};
        rc = kind == ROW_SHARE ? members(c, r, k3, 3) : members(c, r, k2, 2);
        if (rc) break;
        const char *nm = json_string_value(json_object_get(r, key));
        rc = name_ok(c, nm);
        if (rc == 0 && json_object_get(names, nm)) rc = fail(c, "named twice");
        if (rc == 0) json_object_set_new(names, nm, json_true());
        if (rc == 0 && kind == ROW_SHARE) {
            const json_t *eu = json_object_get(r, "eu_eea");
            if (!json_is_boolean(eu) && !json_is_null(eu))
                rc = fail(c, "eu_eea must be true, false or null");
            if (rc == 0) rc = share_ok(c, json_object_get(r, "share"));
        } else if (rc == 0) {
            rc = count_ok(c, json_object_get(r, value_key));
        }
    }
    json_decref(names);
    return rc;
}

static const char *const picture_keys[] = {"schema",
                                           "observed_days",
                                           "share_leaving_eu_eea",
                                           "share_country_unknown",
                                           "by_country",
                                           "by_provider",
                                           "critical_assets",
                                           "critical_dependencies",
                                           "critical_dependencies_leaving_eu_eea",
                                           "critical_leaving_by_country",
                                           "critical_leaving_by_provider",
                                           "exposures_by_class"};
#define NPICTURE_KEYS (sizeof picture_keys / sizeof picture_keys[0])

static int check_tree(const json_t *p, const char *name, wb_error *err)
{
    chk c = {.name = name, .err = err, .path = "$"};
    int rc = members(&c, p, picture_keys, NPICTURE_KEYS);
    if (rc == 0 &&
        (!json_is_string(json_object_get(p, "schema")) ||
         strcmp(json_string_value(json_object_get(p, "schema")), WB_DEPS_PICTURE_SCHEMA) != 0))
        rc = fail(&c, "schema must be \"" WB_DEPS_PICTURE_SCHEMA "\"");
    const char *counts[] = {"observed_days", "critical_assets", "critical_dependencies",
                            "critical_dependencies_leaving_eu_eea"};
    for (size_t i = 0; rc == 0 && i < 4; i++) {
        snprintf(c.path, sizeof c.path, "$.%s", counts[i]);
        rc = count_ok(&c, json_object_get(p, counts[i]));
    }
    const char *shares[] = {"share_leaving_eu_eea", "share_country_unknown"};
    for (size_t i = 0; rc == 0 && i < 2; i++) {
        snprintf(c.path, sizeof c.path, "$.%s", shares[i]);
        rc = share_ok(&c, json_object_get(p, shares[i]));
    }
    if (rc == 0 && json_integer_value(json_object_get(p, "critical_dependencies_leaving_eu_eea")) >
                       json_integer_value(json_object_get(p, "critical_dependencies"))) {
        snprintf(c.path, sizeof c.path, "$.critical_dependencies_leaving_eu_eea");
        rc = fail(&c, "more than critical_dependencies");
    }
    if (rc == 0) rc = rows_ok(&c, p, "by_country", "country", NULL, ROW_SHARE, country_ok);
    if (rc == 0) rc = rows_ok(&c, p, "by_provider", "provider", NULL, ROW_SHARE, provider_ok);
    if (rc == 0)
        rc = rows_ok(&c, p, "critical_leaving_by_country", "country", "dependencies", ROW_COUNT,
                     country_ok);
    if (rc == 0)
        rc = rows_ok(&c, p, "critical_leaving_by_provider", "provider", "dependencies", ROW_COUNT,
                     provider_ok);
    if (rc == 0) rc = rows_ok(&c, p, "exposures_by_class", "class", "devices", ROW_COUNT, class_ok);
    return rc;
}

static int dump_canon(json_t *pic, const char *name, wb_buf *out, wb_error *err)
{
    int rc = check_tree(pic, name, err);
    if (rc != 0 || out == NULL) return rc;
    char *text = json_dumps(pic, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(6));
    if (text == NULL || wb_buf_puts(out, text) != 0)
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    free(text);
    return rc;
}

int wb_deps_picture_check(const char *data, size_t len, const char *name, wb_buf *canon,
                          wb_error *err)
{
    if (len > WB_DEPS_PICTURE_MAX)
        return wb_error_set(err, WB_ELIMIT, "%s: a picture is at most %d bytes", name,
                            WB_DEPS_PICTURE_MAX);
    json_error_t je;
    json_t *p = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (p == NULL) return wb_error_set(err, WB_EPARSE, "%s:%d: %s", name, je.line, je.text);
    int rc = dump_canon(p, name, canon, err);
    json_decref(p);
    return rc;
}

int wb_depsdb_request_parse(const char *data, size_t len, wb_share_audience *to, bool *shared,
                            wb_buf *picture, wb_error *err)
{
    if (len > WB_DEPS_REQUEST_MAX)
        return wb_error_set(err, WB_ELIMIT, "request: at most %d bytes", WB_DEPS_REQUEST_MAX);
    json_error_t je;
    json_t *o = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (o == NULL) return wb_error_set(err, WB_EPARSE, "request:%d: %s", je.line, je.text);
    chk c = {.name = "request", .err = err, .path = "$"};
    json_t *with = json_object_get(o, "with"), *sh = json_object_get(o, "shared"),
           *pic = json_object_get(o, "picture");
    const char *keys[] = {"with", "shared", "picture"};
    int rc = members(&c, o, keys, json_is_false(sh) ? 2 : 3);
    if (rc == 0 && !json_is_boolean(sh)) {
        snprintf(c.path, sizeof c.path, "$.shared");
        rc = fail(&c, "must be true or false");
    }
    if (rc == 0 &&
        (!json_is_string(with) || wb_share_audience_parse(json_string_value(with), to))) {
        snprintf(c.path, sizeof c.path, "$.with");
        rc = fail(&c, "must be \"csirt\" or \"supervisor\"");
    }
    if (rc == 0) *shared = json_is_true(sh);
    if (rc == 0 && pic) {
        wb_error e = {0};
        rc = dump_canon(pic, "request", picture, &e);
        if (rc != 0) {
            /* the picture's paths, under $.picture */
            const char *m = strncmp(e.msg, "request: $", 10) == 0 ? e.msg + 10 : e.msg;
            rc = wb_error_set(err, rc, "request: $.picture%s", m);
        }
    }
    json_decref(o);
    return rc;
}

/* ---- storing and sharing ------------------------------------------------------------- */

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

static int audit(wb_store *s, const char *author, const org_ref *o, const char *action,
                 const char *detail, wb_error *err)
{
    wb_audit_rec r = {.user = author,
                      .org = o->name,
                      .action = action,
                      .object = "dependency picture",
                      .detail = detail};
    return wb_store_audit(s, &r, err);
}

int wb_depsdb_share(wb_store *s, int64_t org_id, const char *org, const char *picture, size_t len,
                    wb_share_audience to, bool shared, const char *author, int *version,
                    wb_error *err)
{
    wb_buf canon = {0};
    org_ref o = {0};
    int rc = 0, num = 0;
    if (author == NULL || author[0] == '\0')
        return wb_error_set(err, WB_EINVAL, "a share needs an author");
    if (shared && picture == NULL) return wb_error_set(err, WB_EINVAL, "sharing needs a picture");
    if (shared) rc = wb_deps_picture_check(picture, len, "picture", &canon, err);
    if (rc == 0)
        rc = org_id > 0 ? wb_store_org_get(s, org_id, org_cb, &o, err)
                        : wb_store_org_find(s, org ? org : "", org_cb, &o, err);
    if (rc == 0) rc = wb_store_begin(s, err);
    if (rc != 0) {
        wb_buf_free(&canon);
        return rc;
    }
    if (shared) {
        wb_deps_picture_rec r = {.org_id = o.id, .json = canon.data, .author = author};
        rc = wb_store_deps_picture_add(s, &r, &num, err);
        char detail[32];
        snprintf(detail, sizeof detail, "version %d", num);
        if (rc == 0) rc = audit(s, author, &o, "deps.picture", detail, err);
    }
    wb_deps_share_rec sr = {.org_id = o.id, .audience = to, .shared = shared, .author = author};
    if (rc == 0) rc = wb_store_deps_share(s, &sr, err);
    if (rc == 0)
        rc = audit(s, author, &o, shared ? "deps.share" : "deps.unshare",
                   wb_share_audience_name(to), err);
    if (rc == 0) rc = wb_store_commit(s, err);
    if (rc != 0) wb_store_rollback(s);
    if (rc == 0 && version) *version = num;
    wb_buf_free(&canon);
    return rc;
}

/* ---- reading ------------------------------------------------------------------------------ */

static json_t *shared_with(bool csirt, bool supervisor)
{
    json_t *a = json_array();
    if (csirt) json_array_append_new(a, json_string("csirt"));
    if (supervisor) json_array_append_new(a, json_string("supervisor"));
    return a;
}

typedef struct own_ctx {
    json_t *out;
} own_ctx;

static int own_cb(void *ud, const wb_deps_picture_rec *r)
{
    own_ctx *c = ud;
    char when[32];
    wb_time_format(r->created, when, sizeof when);
    json_t *o = json_object();
    json_object_set_new(o, "organisation", json_string(r->org_name));
    json_object_set_new(o, "sector", r->org_sector ? json_string(r->org_sector) : json_null());
    json_object_set_new(o, "version", json_integer(r->version));
    json_object_set_new(o, "created", json_string(when));
    json_object_set_new(o, "author", json_string(r->author));
    json_object_set_new(o, "shared_with", shared_with(r->shared_csirt, r->shared_supervisor));
    json_object_set_new(o, "picture", json_loads(r->json, 0, NULL));
    c->out = o;
    return 1;
}

static int dump(json_t *root, wb_buf *out, wb_error *err)
{
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    int rc = text == NULL || wb_buf_puts(out, text) != 0 || wb_buf_puts(out, "\n") != 0
                 ? wb_error_set(err, WB_ENOMEM, "out of memory")
                 : 0;
    free(text);
    return rc;
}

int wb_depsdb_own_json(wb_store *s, int64_t org_id, wb_buf *out, wb_error *err)
{
    own_ctx c = {0};
    if (org_id <= 0) return wb_error_set(err, WB_ENOTFOUND, "no organisation");
    int rc = wb_store_deps_picture_list(s, org_id, own_cb, &c, err);
    if (rc == 0 && c.out == NULL)
        rc = wb_error_set(err, WB_ENOTFOUND, "the organisation has shared no dependency picture");
    if (rc == 0) rc = dump(c.out, out, err);
    json_decref(c.out);
    return rc;
}

/* ---- the sector view ------------------------------------------------------------------ */

/* Columns are named by kind and key: "L" the share leaving the EU/EEA, "K"
 * the critical dependencies leaving, "c:US", "p:AMAZON-02", "x:inverter". */
typedef struct member {
    const char *sector; /* NULL: none */
    json_t *pic;
} member;

typedef struct view_ctx {
    member *m;
    size_t n, cap;
    wb_share_audience aud;
    bool oom;
} view_ctx;

static int view_cb(void *ud, const wb_deps_picture_rec *r)
{
    view_ctx *c = ud;
    if (!(c->aud == WB_SHARE_CSIRT ? r->shared_csirt : r->shared_supervisor)) return 0;
    json_t *pic = json_loads(r->json, 0, NULL);
    if (pic == NULL || check_tree(pic, "stored picture", NULL) != 0) {
        json_decref(pic); /* a picture the rules no longer accept is left out */
        return 0;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 32;
        member *m = realloc(c->m, cap * sizeof *m);
        if (m == NULL) {
            json_decref(pic);
            c->oom = true;
            return 1;
        }
        c->m = m;
        c->cap = cap;
    }
    char *sector = r->org_sector ? strdup(r->org_sector) : NULL;
    if (r->org_sector && sector == NULL) {
        json_decref(pic);
        c->oom = true;
        return 1;
    }
    c->m[c->n++] = (member){sector, pic};
    return 0;
}

/* Calls fn(column, value) for each value the picture gives. */
static void values(const json_t *p, void (*fn)(void *, const char *, double), void *ud)
{
    char col[160];
    fn(ud, "L", num(json_object_get(p, "share_leaving_eu_eea")));
    double cd = num(json_object_get(p, "critical_dependencies"));
    if (cd > 0) fn(ud, "K", num(json_object_get(p, "critical_dependencies_leaving_eu_eea")) / cd);
    const struct {
        const char *list, *key, *val, *prefix;
    } lists[] = {{"by_country", "country", "share", "c:"},
                 {"by_provider", "provider", "share", "p:"},
                 {"exposures_by_class", "class", "devices", "x:"}};
    for (size_t l = 0; l < 3; l++) {
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(p, lists[l].list), i, r)
        {
            double v = num(json_object_get(r, lists[l].val));
            if (v <= 0) continue; /* absent, not a value of 0 */
            snprintf(col, sizeof col, "%s%s", lists[l].prefix,
                     json_string_value(json_object_get(r, lists[l].key)));
            fn(ud, col, v);
        }
    }
}

/* Running sums per column: an object column -> [sum, n]. */
static void acc_add(void *ud, const char *col, double v)
{
    json_t *acc = ud, *a = json_object_get(acc, col);
    if (a == NULL) {
        a = json_pack("[f,i]", 0.0, 0);
        json_object_set_new(acc, col, a);
    }
    if (a == NULL) return;
    json_array_set_new(a, 0, json_real(num(json_array_get(a, 0)) + v));
    json_array_set_new(a, 1, json_integer(json_integer_value(json_array_get(a, 1)) + 1));
}

static json_t *cell(const json_t *acc, const char *col, unsigned k, bool sum, const char *vkey)
{
    const json_t *a = json_object_get(acc, col);
    json_int_t n = a ? json_integer_value(json_array_get(a, 1)) : 0;
    double s = a ? num(json_array_get(a, 0)) : 0;
    bool sup = n < (json_int_t)k;
    json_t *o = json_object();
    if (sup)
        json_object_set_new(o, vkey, json_null());
    else if (sum)
        json_object_set_new(o, vkey, json_integer((json_int_t)llround(s)));
    else
        json_object_set_new(o, vkey, json_real(round(s / (double)n * 1e4) / 1e4));
    json_object_set_new(o, "organisations", sup ? json_null() : json_integer(n));
    json_object_set_new(o, "suppressed", json_boolean(sup));
    return o;
}

/* One row over the sums acc; cols lists the view's open columns. */
static json_t *row(const json_t *acc, const json_t *cols, size_t orgs, unsigned k)
{
    json_t *o = json_object();
    bool sup = orgs < k;
    json_object_set_new(o, "organisations", sup ? json_null() : json_integer((json_int_t)orgs));
    json_object_set_new(o, "suppressed", json_boolean(sup));
    json_object_set_new(o, "share_leaving_eu_eea", cell(acc, "L", k, false, "share"));
    json_object_set_new(o, "critical_dependencies_leaving_eu_eea",
                        cell(acc, "K", k, false, "share"));
    json_t *bc = json_array(), *bp = json_array(), *bx = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(cols, i, c)
    {
        const char *col = json_string_value(c);
        json_t *target = col[0] == 'c' ? bc : col[0] == 'p' ? bp : bx;
        const char *key = col[0] == 'c' ? "country" : col[0] == 'p' ? "provider" : "class";
        json_t *x = json_object();
        json_object_set_new(x, key, json_string(col + 2));
        json_object_update_new(
            x, cell(acc, col, k, col[0] == 'x', col[0] == 'x' ? "devices" : "share"));
        json_array_append_new(target, x);
    }
    json_object_set_new(o, "by_country", bc);
    json_object_set_new(o, "by_provider", bp);
    json_object_set_new(o, "exposures_by_class", bx);
    return o;
}

static int cmp_member(const void *x, const void *y)
{
    const member *a = x, *b = y;
    if (a->sector == NULL || b->sector == NULL) return (a->sector == NULL) - (b->sector == NULL);
    return strcmp(a->sector, b->sector);
}

static bool same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

int wb_depsdb_sectors(wb_store *s, int64_t viewer, wb_share_audience audience, unsigned k,
                      wb_buf *out, wb_error *err)
{
    if (k < 2) return wb_error_set(err, WB_EINVAL, "k must be at least 2, not %u", k);
    view_ctx vc = {.aud = audience};
    int rc = wb_store_deps_picture_list(s, 0, view_cb, &vc, err);
    if (rc == 0 && vc.oom) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    /* only the sectors that route to the viewer (after the walk: a query
     * may not run inside another) */
    size_t kept = 0;
    for (size_t i = 0; i < vc.n; i++) {
        bool keep = viewer == 0;
        if (!keep && rc == 0) {
            int64_t csirt, sup;
            int x = wb_store_route_ids(s, vc.m[i].sector, &csirt, &sup, err);
            if (x != 0) rc = x;
            keep = x == 0 && (audience == WB_SHARE_CSIRT ? csirt : sup) == viewer;
        }
        if (keep) {
            vc.m[kept++] = vc.m[i];
        } else {
            free((char *)vc.m[i].sector);
            json_decref(vc.m[i].pic);
        }
    }
    vc.n = kept;
    if (vc.n > 1) qsort(vc.m, vc.n, sizeof *vc.m, cmp_member);

    /* the open columns named by at least k organisations of the view */
    json_t *all = json_object(), *cols = json_array(), *total = json_object(), *rows = json_array(),
           *root = json_object();
    for (size_t i = 0; i < vc.n; i++)
        values(vc.m[i].pic, acc_add, all);
    const char *key;
    json_t *v;
    size_t ncols = 0;
    const char **names = malloc((json_object_size(all) + 1) * sizeof *names);
    if (names == NULL && rc == 0) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0) {
        json_object_foreach(all, key, v)
        {
            if (key[0] != 'L' && key[0] != 'K' &&
                json_integer_value(json_array_get(v, 1)) >= (json_int_t)k)
                names[ncols++] = key;
        }
        if (ncols > 1) qsort(names, ncols, sizeof *names, cmp_str);
        for (size_t i = 0; i < ncols; i++)
            json_array_append_new(cols, json_string(names[i]));
    }
    size_t total_orgs = 0;
    for (size_t i = 0; rc == 0 && i < vc.n;) {
        const char *sector = vc.m[i].sector;
        json_t *acc = json_object();
        size_t orgs = 0;
        for (; i < vc.n && same(vc.m[i].sector, sector); i++, orgs++)
            values(vc.m[i].pic, acc_add, acc);
        if (orgs < k) json_object_clear(acc); /* the whole row, not even its count */
        json_t *r = json_object();
        json_object_set_new(r, "sector", sector ? json_string(sector) : json_null());
        json_object_update_new(r, row(acc, cols, orgs, k));
        json_array_append_new(rows, r);
        if (orgs >= k) total_orgs += orgs;
        /* only what is published goes into the total */
        json_object_foreach(acc, key, v)
        {
            if (json_integer_value(json_array_get(v, 1)) < (json_int_t)k) continue;
            json_t *t = json_object_get(total, key);
            if (t == NULL) {
                json_object_set(total, key, v);
            } else {
                json_array_set_new(
                    t, 0, json_real(num(json_array_get(t, 0)) + num(json_array_get(v, 0))));
                json_array_set_new(t, 1,
                                   json_integer(json_integer_value(json_array_get(t, 1)) +
                                                json_integer_value(json_array_get(v, 1))));
            }
        }
        json_decref(acc);
    }
    if (rc == 0) {
        json_object_set_new(root, "k", json_integer(k));
        json_object_set_new(root, "audience", json_string(wb_share_audience_name(audience)));
        json_object_set_new(root, "sectors", rows);
        rows = NULL;
        json_object_set_new(root, "total", row(total, cols, total_orgs, k));
        rc = dump(root, out, err);
    }
    free(names);
    json_decref(all);
    json_decref(cols);
    json_decref(total);
    json_decref(rows);
    json_decref(root);
    for (size_t i = 0; i < vc.n; i++) {
        free((char *)vc.m[i].sector);
        json_decref(vc.m[i].pic);
    }
    free(vc.m);
    return rc;
}
