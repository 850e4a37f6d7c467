/*
 * galaxy.c - MISP's galaxies and galaxy clusters (threat actors, tools,
 * sectors, ATT&CK groups): importing MISP's galaxy JSON, the galaxies and
 * clusters views in MISP's shapes, attaching a cluster to an event or an
 * attribute, and the Galaxy arrays of a rendered event.
 *
 * A cluster is attached as MISP stores it: as the tag
 * misp-galaxy:TYPE="VALUE" on the event or attribute. So attaching is a
 * tag write through the event path (rights, audit, change feed), a
 * restSearch by that tag finds what carries the cluster, and the Galaxy
 * arrays of an event are made on the way out from its tags and the
 * clusters the hub knows. Galaxy definitions are public reference data
 * (no TLP): every key may read them; importing them is the site admin's.
 *
 * The file parser needs no database (fuzz/fuzz_galaxy.c drives it): one
 * file is a galaxy definition (galaxies/NAME.json in misp-galaxy) or a
 * cluster collection with its "values" (clusters/NAME.json).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "share/share_internal.h"
#include "weerbaar/mispsvc.h"
#include "weerbaar/store_misp.h"

/* Longest galaxy file read (MISP's largest cluster files are ~10 MB). */
#define MAX_FILE (64u << 20)
/* Most files one import reads from a directory. */
#define MAX_FILES 4096
#define TAG_MAX 1200

/* ---- the file parser ----------------------------------------------------------------------- */

void wbi_galaxy_doc_free(wbi_galaxy_doc *d)
{
    json_decref(d->root);
    d->root = NULL;
}

/* A galaxy type is the tag's namespace part: letters, digits, '-', '_'
 * and '.', 1 to 128 of them. */
static bool type_ok(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    if (n == 0 || n > 128) return false;
    for (const char *p = t; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return false;
    return true;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

int wbi_galaxy_doc_parse(const char *text, size_t len, unsigned max_depth, wbi_galaxy_doc *d,
                         wbi_problem *prob)
{
    memset(d, 0, sizeof *d);
    d->root = wbi_json_load(text, len, max_depth, prob);
    if (d->root == NULL) return -1;
    json_t *o = d->root;
    if (!json_is_object(o)) {
        wbi_problem_set(prob, 422, "invalid_galaxy",
                        "$: expected a galaxy or a cluster collection");
        return -1;
    }
    d->type = str(o, "type");
    d->name = str(o, "name");
    d->uuid = str(o, "uuid");
    d->description = str(o, "description");
    d->namespace_ = str(o, "namespace");
    d->icon = str(o, "icon");
    d->source = str(o, "source");
    json_t *values = json_object_get(o, "values");
    if (values) {
        if (!json_is_array(values)) {
            wbi_problem_set(prob, 422, "invalid_galaxy", "$.values: expected an array");
            return -1;
        }
        if (json_array_size(values) > WBI_GALAXY_MAX_VALUES) {
            wbi_problem_set(prob, 413, "too_large", "$.values: more than %d clusters",
                            WBI_GALAXY_MAX_VALUES);
            return -1;
        }
        d->clusters = true;
        d->values = values;
    }
    if (!type_ok(d->type)) {
        wbi_problem_set(prob, 422, "invalid_galaxy",
                        "$.type: expected 1-128 letters, digits, '-', '_' or '.'");
        return -1;
    }
    if (d->name == NULL || *d->name == '\0' || strlen(d->name) > 256) {
        wbi_problem_set(prob, 422, "invalid_galaxy", "$.name: expected 1-256 bytes");
        return -1;
    }
    if (d->uuid == NULL || !wb_uuid_valid(d->uuid, strlen(d->uuid)) ||
        strlen(d->uuid) != WB_UUID_LEN) {
        wbi_problem_set(prob, 422, "invalid_galaxy", "$.uuid: expected a uuid");
        return -1;
    }
    if (d->description && strlen(d->description) > 65535) {
        wbi_problem_set(prob, 422, "invalid_galaxy", "$.description: longer than 65535 bytes");
        return -1;
    }
    return 0;
}

int wbi_galaxy_value(const wbi_galaxy_doc *d, size_t i, const char **value, const char **uuid,
                     char *tag, size_t cap, wbi_problem *prob)
{
    const json_t *v = json_array_get(d->values, i);
    *value = str(v, "value");
    *uuid = str(v, "uuid");
    if (!json_is_object(v)) {
        wbi_problem_set(prob, 422, "invalid_galaxy", "$.values[%zu]: expected an object", i);
        return -1;
    }
    size_t n = *value ? strlen(*value) : 0;
    if (n == 0 || n > 1024) {
        wbi_problem_set(prob, 422, "invalid_galaxy", "$.values[%zu].value: expected 1-1024 bytes",
                        i);
        return -1;
    }
    /* The value is quoted inside the tag: a '"' or a control character
     * would make a tag that names something else. */
    for (const char *p = *value; *p; p++)
        if (*p == '"' || (unsigned char)*p < 0x20) {
            wbi_problem_set(prob, 422, "invalid_galaxy",
                            "$.values[%zu].value: a '\"' or a control character", i);
            return -1;
        }
    if (*uuid == NULL || strlen(*uuid) != WB_UUID_LEN || !wb_uuid_valid(*uuid, WB_UUID_LEN)) {
        wbi_problem_set(prob, 422, "invalid_galaxy", "$.values[%zu].uuid: expected a uuid", i);
        return -1;
    }
    int w = snprintf(tag, cap, "misp-galaxy:%s=\"%s\"", d->type, *value);
    if (w < 0 || (size_t)w >= cap) {
        wbi_problem_set(prob, 422, "invalid_galaxy", "$.values[%zu].value: tag too long", i);
        return -1;
    }
    return 0;
}

/* ---- import ------------------------------------------------------------------------------ */

static int read_file(wb_share *s, const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return wbi_share_fail(s, 400, "invalid_request", "%s: cannot open", path);
    wb_buf b = {0};
    char chunk[65536];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > MAX_FILE)
            rc =
                wbi_share_fail(s, 413, "too_large", "%s: larger than %u MiB", path, MAX_FILE >> 20);
        else if (wb_buf_append(&b, chunk, n) != 0)
            rc = wbi_share_internal(s, wb_error_set(&s->err, WB_ENOMEM, "out of memory"));
    }
    if (rc == 0 && ferror(f))
        rc = wbi_share_fail(s, 400, "invalid_request", "%s: read error", path);
    fclose(f);
    if (rc) {
        wb_buf_free(&b);
        return rc;
    }
    *text = b.data;
    *len = b.len;
    if (*text == NULL) *text = calloc(1, 1);
    return *text ? 0 : wbi_share_internal(s, wb_error_set(&s->err, WB_ENOMEM, "out of memory"));
}

typedef struct gal_find {
    int64_t id;
} gal_find;

static int gal_find_cb(void *ud, const wb_galaxy_rec *g)
{
    ((gal_find *)ud)->id = g->id;
    return 1;
}

/* The galaxy definition's JSON as stored: MISP's members only. */
static char *galaxy_json(const wbi_galaxy_doc *d, const char *ns)
{
    json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "name", d->name, "type", d->type,
                          "namespace", ns, "description", d->description ? d->description : "",
                          "icon", d->icon ? d->icon : "globe", "uuid", d->uuid);
    if (j == NULL) return NULL;
    json_t *v = json_object_get(d->root, "version");
    json_object_set_new(j, "version",
                        json_is_integer(v)
                            ? json_sprintf("%lld", (long long)json_integer_value(v))
                            : json_string(json_is_string(v) ? json_string_value(v) : "1"));
    json_t *kc = json_object_get(d->root, "kill_chain_order");
    if (json_is_object(kc)) json_object_set(j, "kill_chain_order", kc);
    char *t = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return t;
}

/* One parsed file into the store (inside the import's transaction). */
static int import_doc(wb_share *s, const wbi_galaxy_doc *d, const char *path,
                      wb_galaxy_import_stats *st)
{
    int rc;
    if (!d->clusters) {
        char *j = galaxy_json(d, d->namespace_ ? d->namespace_ : "misp");
        if (j == NULL) return wbi_share_internal(s, wb_error_set(&s->err, WB_ENOMEM, "no memory"));
        wb_galaxy_rec g = {.uuid = d->uuid, .type = d->type, .name = d->name, .json = j};
        rc = wb_store_galaxy_put(s->st, &g, NULL, &s->err);
        free(j);
        if (rc == WB_EINVAL) return wbi_share_fail(s, 409, "conflict", "%s: %s", path, s->err.msg);
        if (rc) return wbi_share_internal(s, rc);
        st->galaxies++;
        return 0;
    }
    /* A collection's galaxy: the definition imported before it (by type),
     * else one made from the collection itself. */
    gal_find gf = {0};
    rc = wb_store_galaxy_get(s->st, d->type, gal_find_cb, &gf, &s->err);
    if (rc == WB_ENOTFOUND) {
        char *j = galaxy_json(d, "misp");
        if (j == NULL) return wbi_share_internal(s, wb_error_set(&s->err, WB_ENOMEM, "no memory"));
        wb_galaxy_rec g = {.uuid = d->uuid, .type = d->type, .name = d->name, .json = j};
        rc = wb_store_galaxy_put(s->st, &g, &gf.id, &s->err);
        free(j);
        if (rc == 0) st->galaxies++;
    }
    if (rc == WB_EINVAL) return wbi_share_fail(s, 409, "conflict", "%s: %s", path, s->err.msg);
    if (rc) return wbi_share_internal(s, rc);
    json_t *authors = json_object_get(d->root, "authors");
    json_t *version = json_object_get(d->root, "version");
    for (size_t i = 0; i < json_array_size(d->values); i++) {
        const char *value, *uuid;
        char tag[TAG_MAX];
        wbi_problem prob;
        if (wbi_galaxy_value(d, i, &value, &uuid, tag, sizeof tag, &prob) != 0) {
            if (st->skipped++ == 0) snprintf(st->why, sizeof st->why, "%s: %s", path, prob.msg);
            continue;
        }
        json_t *src = json_array_get(d->values, i);
        json_t *c = json_pack("{s:s,s:s,s:s,s:s}", "value", value, "uuid", uuid, "description",
                              str(src, "description") ? str(src, "description") : "", "source",
                              d->source ? d->source : "", "collection_uuid", d->uuid);
        if (c == NULL) return wbi_share_internal(s, wb_error_set(&s->err, WB_ENOMEM, "no memory"));
        json_t *meta = json_object_get(src, "meta");
        json_object_set_new(c, "meta", json_is_object(meta) ? json_incref(meta) : json_object());
        json_object_set_new(c, "authors",
                            json_is_array(authors) ? json_incref(authors) : json_array());
        json_object_set_new(c, "version",
                            json_is_integer(version)
                                ? json_sprintf("%lld", (long long)json_integer_value(version))
                                : json_string("1"));
        char *j = json_dumps(c, JSON_COMPACT);
        json_decref(c);
        if (j == NULL) return wbi_share_internal(s, wb_error_set(&s->err, WB_ENOMEM, "no memory"));
        wb_cluster_rec cr = {
            .uuid = uuid, .galaxy_id = gf.id, .value = value, .tag_name = tag, .json = j};
        rc = wb_store_cluster_put(s->st, &cr, &s->err);
        free(j);
        if (rc == WB_EINVAL) {
            /* the same uuid and tag on two different clusters: skipped */
            if (st->skipped++ == 0)
                snprintf(st->why, sizeof st->why, "%s: $.values[%zu]: %s", path, i, s->err.msg);
            continue;
        }
        if (rc) return wbi_share_internal(s, rc);
        st->clusters++;
    }
    return 0;
}

static int import_file(wb_share *s, const char *path, bool clusters_pass,
                       wb_galaxy_import_stats *st)
{
    char *text = NULL;
    size_t len = 0;
    int rc = read_file(s, path, &text, &len);
    if (rc) return rc;
    wbi_galaxy_doc d;
    wbi_problem prob;
    if (wbi_galaxy_doc_parse(text, len, wbi_share_max_depth(s), &d, &prob) != 0) {
        wbi_galaxy_doc_free(&d);
        free(text);
        return wbi_share_fail(s, prob.status, prob.code, "%s: %s", path, prob.msg);
    }
    /* Definitions before collections, so that a collection finds the
     * galaxy its file defines. */
    if (d.clusters == clusters_pass) {
        rc = import_doc(s, &d, path, st);
        if (rc == 0) st->files++;
    }
    wbi_galaxy_doc_free(&d);
    free(text);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every NAME.json of dir (sorted), and of dir/galaxies and dir/clusters. */
static int list_dir(wb_share *s, const char *dir, char ***out, size_t *n)
{
    const char *subs[] = {"", "/galaxies", "/clusters"};
    for (size_t k = 0; k < 3; k++) {
        char d[4096];
        snprintf(d, sizeof d, "%s%s", dir, subs[k]);
        DIR *dp = opendir(d);
        if (dp == NULL) {
            if (k == 0) return wbi_share_fail(s, 400, "invalid_request", "%s: cannot open", dir);
            continue;
        }
        struct dirent *e;
        while ((e = readdir(dp)) != NULL) {
            size_t l = strlen(e->d_name);
            if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0 || e->d_name[0] == '.') continue;
            if (*n == MAX_FILES) {
                closedir(dp);
                return wbi_share_fail(s, 413, "too_large", "%s: more than %d files", dir,
                                      MAX_FILES);
            }
            char **x = realloc(*out, (*n + 1) * sizeof *x);
            char *p = x ? malloc(strlen(d) + l + 2) : NULL;
            if (p == NULL) {
                if (x) *out = x;
                closedir(dp);
                return wbi_share_internal(s, wb_error_set(&s->err, WB_ENOMEM, "out of memory"));
            }
            snprintf(p, strlen(d) + l + 2, "%s/%s", d, e->d_name);
            *out = x;
            (*out)[(*n)++] = p;
        }
        closedir(dp);
    }
    qsort(*out, *n, sizeof **out, cmp_str);
    return 0;
}

int wb_share_galaxy_import(wb_share *s, const char *path, wb_galaxy_import_stats *st)
{
    memset(st, 0, sizeof *st);
    if (s->who->role != WB_ROLE_SITE_ADMIN)
        return wbi_share_fail(s, 403, "forbidden", "importing galaxies is the site admin's");
    struct stat sb;
    if (path == NULL || stat(path, &sb) != 0)
        return wbi_share_fail(s, 400, "invalid_request", "%s: no such file or directory",
                              path ? path : "");
    char **files = NULL;
    size_t n = 0;
    int rc = 0;
    if (S_ISDIR(sb.st_mode)) {
        rc = list_dir(s, path, &files, &n);
    } else {
        files = malloc(sizeof *files);
        if (files) files[0] = strdup(path);
        if (files == NULL || files[0] == NULL) {
            free(files);
            files = NULL;
            rc = wbi_share_internal(s, wb_error_set(&s->err, WB_ENOMEM, "out of memory"));
        } else {
            n = 1;
        }
    }
    if (rc == 0) rc = wb_store_begin(s->st, &s->err) ? wbi_share_internal(s, s->err.code) : 0;
    bool open = rc == 0;
    for (int pass = 0; rc == 0 && pass < 2; pass++)
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = import_file(s, files[i], pass == 1, st);
    if (rc == 0) {
        char detail[160];
        snprintf(detail, sizeof detail, "%zu galaxies, %zu clusters from %zu files (%zu skipped)",
                 st->galaxies, st->clusters, st->files, st->skipped);
        rc = wbi_share_audit_now(s, "galaxy.import", path, detail);
    }
    if (rc == 0 && wb_store_commit(s->st, &s->err) != 0) rc = wbi_share_internal(s, s->err.code);
    if (rc && open) wb_store_rollback(s->st);
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    if (rc == 0 && st->files == 0)
        return wbi_share_fail(s, 422, "invalid_galaxy", "%s: no MISP galaxy files", path);
    return rc;
}

/* ---- MISP's shapes --------------------------------------------------------------------------- */

static json_t *galaxy_obj(wb_share *s, const wb_galaxy_rec *g)
{
    json_t *j = json_loads(g->json ? g->json : "", 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        j = json_object();
    }
    json_object_set_new(j, "id", json_string(wbi_share_num(s, g->id)));
    json_object_set_new(j, "uuid", json_string(g->uuid));
    json_object_set_new(j, "name", json_string(g->name));
    json_object_set_new(j, "type", json_string(g->type));
    json_object_set_new(j, "enabled", json_true());
    json_object_set_new(j, "local_only", json_false());
    json_object_set_new(j, "default", json_true());
    return j;
}

static json_t *cluster_obj(wb_share *s, const wb_cluster_rec *c, const char *type)
{
    json_t *j = json_loads(c->json ? c->json : "", 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        j = json_object();
    }
    /* A default cluster as MISP serves it; no distribution member, which
     * a default cluster must not carry (PyMISP refuses it). */
    json_object_set_new(j, "id", json_string(wbi_share_num(s, c->id)));
    json_object_set_new(j, "uuid", json_string(c->uuid));
    json_object_set_new(j, "galaxy_id", json_string(wbi_share_num(s, c->galaxy_id)));
    json_object_set_new(j, "value", json_string(c->value));
    json_object_set_new(j, "tag_name", json_string(c->tag_name));
    if (type) json_object_set_new(j, "type", json_string(type));
    json_object_set_new(j, "default", json_true());
    json_object_set_new(j, "locked", json_false());
    json_object_set_new(j, "published", json_true());
    json_object_set_new(j, "deleted", json_false());
    json_object_set_new(j, "org_id", json_string("0"));
    json_object_set_new(j, "orgc_id", json_string("0"));
    json_object_set_new(j, "extends_uuid", json_string(""));
    return j;
}

typedef struct gal_rows {
    wb_share *s;
    json_t *arr;
    const char *text;
} gal_rows;

static bool contains(const char *hay, const char *needle)
{
    if (hay == NULL) return false;
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0) return true;
    return false;
}

static int gal_row_cb(void *ud, const wb_galaxy_rec *g)
{
    gal_rows *w = ud;
    json_t *o = galaxy_obj(w->s, g);
    if (w->text && !contains(g->name, w->text) && !contains(g->type, w->text) &&
        !contains(str(o, "namespace"), w->text) && !contains(str(o, "description"), w->text)) {
        json_decref(o);
        return 0;
    }
    json_array_append_new(w->arr, json_pack("{s:o}", "Galaxy", o));
    return 0;
}

int wb_share_misp_galaxies(wb_share *s, const char *text, wb_buf *out)
{
    gal_rows w = {.s = s, .arr = json_array(), .text = text && *text ? text : NULL};
    int rc = wb_store_galaxy_list(s->st, gal_row_cb, &w, &s->err);
    if (rc) {
        json_decref(w.arr);
        return wbi_share_internal(s, rc);
    }
    return wbi_share_dump(s, w.arr, out);
}

typedef struct one_galaxy {
    wb_share *s;
    wb_galaxy_rec g;
    bool found;
} one_galaxy;

static int one_galaxy_cb(void *ud, const wb_galaxy_rec *g)
{
    one_galaxy *o = ud;
    o->g = *g;
    o->g.uuid = wbi_share_dup(o->s, g->uuid);
    o->g.type = wbi_share_dup(o->s, g->type);
    o->g.name = wbi_share_dup(o->s, g->name);
    o->g.json = wbi_share_dup(o->s, g->json);
    o->found = true;
    return 1;
}

typedef struct cl_rows {
    wb_share *s;
    json_t *arr;
    const char *type;
} cl_rows;

static int cl_row_cb(void *ud, const wb_cluster_rec *c)
{
    cl_rows *w = ud;
    json_array_append_new(w->arr, cluster_obj(w->s, c, w->type));
    return 0;
}

static int galaxy_by(wb_share *s, const char *ref, one_galaxy *o)
{
    memset(o, 0, sizeof *o);
    o->s = s;
    if (ref == NULL || *ref == '\0' || strlen(ref) > 128) return wbi_share_not_found(s);
    int rc = wb_store_galaxy_get(s->st, ref, one_galaxy_cb, o, &s->err);
    if (rc == WB_ENOTFOUND) return wbi_share_not_found(s);
    return rc ? wbi_share_internal(s, rc) : 0;
}

int wb_share_misp_galaxy_view(wb_share *s, const char *ref, wb_buf *out)
{
    one_galaxy o;
    int rc = galaxy_by(s, ref, &o);
    if (rc) return rc;
    cl_rows w = {.s = s, .arr = json_array(), .type = o.g.type};
    rc = wb_store_cluster_list(s->st, o.g.id, cl_row_cb, &w, &s->err);
    if (rc) {
        json_decref(w.arr);
        return wbi_share_internal(s, rc);
    }
    return wbi_share_dump(
        s, json_pack("{s:o,s:o}", "Galaxy", galaxy_obj(s, &o.g), "GalaxyCluster", w.arr), out);
}

typedef struct cl_search {
    wb_share *s;
    json_t *arr;
    const char *type, *text;
} cl_search;

static int cl_search_cb(void *ud, const wb_cluster_rec *c)
{
    cl_search *w = ud;
    /* searchall: the value, or anything in the cluster's JSON (its
     * description and meta: synonyms, references, country) */
    if (w->text && !contains(c->value, w->text) && !contains(c->json, w->text)) return 0;
    json_array_append_new(w->arr,
                          json_pack("{s:o}", "GalaxyCluster", cluster_obj(w->s, c, w->type)));
    return 0;
}

int wb_share_misp_clusters(wb_share *s, const char *galaxy, const char *context, const char *text,
                           wb_buf *out)
{
    one_galaxy o;
    int rc = galaxy_by(s, galaxy, &o);
    if (rc) return rc;
    cl_search w = {
        .s = s, .arr = json_array(), .type = o.g.type, .text = text && *text ? text : NULL};
    /* Every cluster here is a default one: the contexts of custom, own,
     * or deleted clusters hold none. */
    bool none =
        context && *context && strcmp(context, "all") != 0 && strcmp(context, "default") != 0;
    rc = none ? 0 : wb_store_cluster_list(s->st, o.g.id, cl_search_cb, &w, &s->err);
    if (rc) {
        json_decref(w.arr);
        return wbi_share_internal(s, rc);
    }
    return wbi_share_dump(s, w.arr, out);
}

typedef struct one_cluster {
    wb_share *s;
    wb_cluster_rec c;
    bool found;
} one_cluster;

static int one_cluster_cb(void *ud, const wb_cluster_rec *c)
{
    one_cluster *o = ud;
    o->c = *c;
    o->c.uuid = wbi_share_dup(o->s, c->uuid);
    o->c.value = wbi_share_dup(o->s, c->value);
    o->c.tag_name = wbi_share_dup(o->s, c->tag_name);
    o->c.json = wbi_share_dup(o->s, c->json);
    o->found = true;
    return 1;
}

static int cluster_by(wb_share *s, const char *ref, bool by_tag, one_cluster *o)
{
    memset(o, 0, sizeof *o);
    o->s = s;
    if (ref == NULL || *ref == '\0' || strlen(ref) > TAG_MAX) return wbi_share_not_found(s);
    int rc = wb_store_cluster_get(s->st, ref, by_tag, one_cluster_cb, o, &s->err);
    if (rc == WB_ENOTFOUND) return wbi_share_not_found(s);
    return rc ? wbi_share_internal(s, rc) : 0;
}

int wb_share_misp_cluster_view(wb_share *s, const char *ref, wb_buf *out)
{
    one_cluster c;
    int rc = cluster_by(s, ref, false, &c);
    if (rc) return rc;
    one_galaxy g;
    rc = galaxy_by(s, wbi_share_num(s, c.c.galaxy_id), &g);
    if (rc) return rc;
    json_t *j = cluster_obj(s, &c.c, g.g.type);
    json_object_set_new(j, "Galaxy", galaxy_obj(s, &g.g));
    return wbi_share_dump(s, json_pack("{s:o}", "GalaxyCluster", j), out);
}

int wb_share_misp_cluster_attach(wb_share *s, const char *target, bool attribute,
                                 const char *cluster, wb_buf *out)
{
    one_cluster c;
    int rc = cluster_by(s, cluster, false, &c);
    if (rc) {
        if (s->status == 404)
            return wbi_share_fail(s, 404, "not_found", "$.Galaxy.target_id: no such cluster");
        return rc;
    }
    /* The target by MISP's id or uuid: an attribute's, or an event's. */
    char uuid[WB_UUID_LEN + 1];
    if (attribute) {
        wbi_attr_find f;
        rc = wbi_misp_find_attr(s, target, &f);
        if (rc) return rc;
        snprintf(uuid, sizeof uuid, "%s", f.a.uuid);
    } else {
        int64_t num;
        if (target && wb_uuid_valid(target, strlen(target)) && strlen(target) == WB_UUID_LEN) {
            snprintf(uuid, sizeof uuid, "%s", target);
        } else if (target && wb_parse_i64(target, strlen(target), 1, INT64_MAX, &num) == 0) {
            wb_error e2 = {0};
            if (wb_store_event_uuid_of(s->st, num, uuid, &e2) != 0) return wbi_share_not_found(s);
        } else {
            return wbi_share_not_found(s);
        }
    }
    json_t *body = json_pack("{s:s,s:s}", "uuid", uuid, "tag", c.c.tag_name);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (text == NULL) return wbi_share_internal(s, wb_error_set(&s->err, WB_ENOMEM, "no memory"));
    wb_buf tmp = {0};
    rc = wb_share_misp_tag(s, text, strlen(text), true, &tmp);
    free(text);
    wb_buf_free(&tmp);
    if (rc) return rc;
    return wbi_share_dump(
        s,
        json_pack("{s:b,s:s,s:b}", "saved", 1, "success", "Cluster attached.", "check_publish", 1),
        out);
}

/* ---- the Galaxy arrays of an event ---------------------------------------------------------- */

/* The Galaxy array of obj's misp-galaxy: tags: one entry per galaxy with
 * its clusters. The array is set only when obj has such a tag or had a
 * Galaxy member (then replaced: what the hub knows of its tags). */
static int decorate_one(wb_share *s, json_t *obj)
{
    json_t *tags = json_object_get(obj, "Tag");
    json_t *out = NULL;
    size_t i;
    json_t *t;
    int rc = 0;
    json_array_foreach(tags, i, t)
    {
        const char *name = str(t, "name");
        if (name == NULL || strncmp(name, "misp-galaxy:", 12) != 0) continue;
        if (out == NULL) out = json_array();
        one_cluster c = {.s = s};
        wb_error keep = s->err;
        rc = wb_store_cluster_get(s->st, name, true, one_cluster_cb, &c, &s->err);
        if (rc == WB_ENOTFOUND) {
            s->err = keep;
            rc = 0;
            continue; /* a galaxy tag of a cluster this hub does not have */
        }
        if (rc) break;
        json_t *gal = NULL;
        size_t k;
        json_t *g;
        json_array_foreach(out, k, g)
        {
            if (strcmp(str(g, "id") ? str(g, "id") : "", wbi_share_num(s, c.c.galaxy_id)) == 0) {
                gal = g;
                break;
            }
        }
        if (gal == NULL) {
            one_galaxy og = {.s = s};
            rc = wb_store_galaxy_get(s->st, wbi_share_num(s, c.c.galaxy_id), one_galaxy_cb, &og,
                                     &s->err);
            if (rc) break;
            gal = galaxy_obj(s, &og.g);
            json_object_set_new(gal, "GalaxyCluster", json_array());
            json_array_append_new(out, gal);
        }
        json_array_append_new(json_object_get(gal, "GalaxyCluster"),
                              cluster_obj(s, &c.c, str(gal, "type")));
    }
    if (rc) {
        json_decref(out);
        return rc;
    }
    if (out)
        json_object_set_new(obj, "Galaxy", out);
    else if (json_object_get(obj, "Galaxy"))
        json_object_set_new(obj, "Galaxy", json_array());
    return 0;
}

int wbi_galaxy_decorate_attr(wb_share *s, json_t *attr)
{
    return decorate_one(s, attr);
}

int wbi_galaxy_decorate(wb_share *s, json_t *event, bool attrs)
{
    json_t *e = json_object_get(event, "Event");
    if (e == NULL) e = event;
    int rc = decorate_one(s, e);
    if (rc || !attrs) return rc;
    size_t i, k;
    json_t *a, *o;
    json_array_foreach(json_object_get(e, "Attribute"), i, a)
    {
        rc = decorate_one(s, a);
        if (rc) return rc;
    }
    json_array_foreach(json_object_get(e, "Object"), k, o)
    {
        json_array_foreach(json_object_get(o, "Attribute"), i, a)
        {
            rc = decorate_one(s, a);
            if (rc) return rc;
        }
    }
    return 0;
}
