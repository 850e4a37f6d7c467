/*
 * cmd_assess_db.c - `weerbaar assess` on assessments kept in a database (--db
 * PATH) or on a hub (--hub URL --key KEY): new, answer, import, export,
 * show ID, history, diff A B, share, sectors, list.
 *
 * Both places speak the same JSON (assessdb.h): with --db the library
 * writes it, with --hub the hub answers with it; everything after that -
 * scoring against the local catalogues, tables, exports - is one code path,
 * so the two behave the same. Argument parsing and output only.
 *
 * An assessment id is digits, optionally @VERSION ("12", "12@3"); a
 * catalogue name always has a letter in it, which is how `assess show` and
 * `assess diff` tell the two apart.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cmd_assess.h"
#include "cli/cli.h"
#include "weerbaar/assessdb.h"
#include "weerbaar/client.h"
#include "weerbaar/io.h"

typedef struct dbopts {
    const char *dirs[WB_CLI_ASSESS_MAX_DIRS];
    size_t ndirs;
    const char *db, *hub, *key;
    const char *catalogue, *org, *scope;
    const char *level, *evidence, *owner, *due, *note;
    const char *with;
    const char *format, *lang;
    bool revoke;
    int target;
    unsigned k;
} dbopts;

static void db_usage(FILE *f)
{
    fputs(
        "usage: weerbaar assess new --catalogue NAME --org ORG [--scope TEXT] [--target N] WHERE\n"
        "       weerbaar assess answer ID REF --level N|n/a [--evidence TEXT] [--owner WHO]\n"
        "                              [--due DATE] [--note TEXT] WHERE\n"
        "       weerbaar assess import ID FILE WHERE\n"
        "       weerbaar assess export ID[@V] [--format csv|json] WHERE\n"
        "       weerbaar assess show ID[@V] [--format table|json] [--lang nl|en] WHERE\n"
        "       weerbaar assess history ID [--format table|json] WHERE\n"
        "       weerbaar assess diff A B [--format table|json] WHERE\n"
        "       weerbaar assess share ID --with csirt|supervisor [--revoke] WHERE\n"
        "       weerbaar assess sectors [--catalogue NAME] [--k N] [--format table|json] WHERE\n"
        "       weerbaar assess list [--org ORG] [--format table|json] WHERE\n"
        "  WHERE is --db PATH (a local database) or --hub URL --key KEY (a hub)\n"
        "\n"
        "Assessments of the duty of care, versioned: every answer and every import\n"
        "makes a new version of the answers; old versions are kept and never change.\n"
        "ID is an assessment id (digits); ID@V names version V of it (default: the\n"
        "newest). A catalogue name always contains a letter, so 'assess show 12'\n"
        "shows assessment 12 and 'assess show cbw_nis2' the catalogue.\n"
        "\n"
        "  new       create an assessment for an organisation; prints its id alone\n"
        "            (on a hub, of a catalogue the hub has: none needed here)\n"
        "  answer    set one requirement's answer (fields not given keep their value;\n"
        "            --owner '' clears one); prints ID@VERSION\n"
        "  import    replace the answers with a CSV, JSON or XLSX file (ref,level,\n"
        "            evidence,owner,due,note; 'weerbaar assess template' writes the\n"
        "            sheet); all or nothing: a bad row is reported with its row,\n"
        "            column and reason and nothing is written; prints ID@VERSION\n"
        "  export    the answers as CSV (default) or JSON, to edit and import again\n"
        "  show      every score: per requirement, node, NIS2 measure and basic\n"
        "            principle with coverage, and the gaps below the target\n"
        "  history   the versions: when, who, what changed\n"
        "  diff      what improved and slipped from A to B (ids or ID@VERSION)\n"
        "  share     let the CSIRT or supervisor of the organisation's sector read\n"
        "            the assessment (all its versions); --revoke takes that back\n"
        "  sectors   mean maturity per sector over organisations' newest assessments;\n"
        "            a cell of fewer than k organisations is suppressed\n"
        "  list      the assessments (on a hub: those the key may see)\n"
        "\n"
        "options:\n"
        "  --db PATH          a local database (created when missing)\n"
        "  --hub URL          a weerbaar hub;  --key KEY  its API key ($WEERBAAR_KEY)\n"
        "  --catalogue NAME   as 'assess catalogues' lists it (sectors: default cbw_nis2)\n"
        "  --org ORG          an organisation known to the database ('admin org add');\n"
        "                     on a hub, the key's own organisation by default\n"
        "  --scope TEXT       what the assessment covers\n"
        "  --target N         the target level 1-5 for gaps (default 3)\n"
        "  --level N|n/a      maturity 0-5, or n/a for not applicable\n"
        "  --evidence TEXT, --owner WHO, --note TEXT, --due YYYY-MM-DD\n"
        "  --with csirt|supervisor, --revoke\n"
        "  --k N              sectors with --db: the least organisations a cell shows\n"
        "                     (default 3; a hub uses its own setting)\n"
        "  --catalogues DIR   also read the catalogues in DIR\n"
        "  --format F, --lang nl|en\n"
        "\n"
        "examples:\n"
        "  id=$(weerbaar assess new --db wb.db --catalogue cbw_nis2 --org Gamma --scope 'IT')\n"
        "  weerbaar assess import $id answers-2025.csv --db wb.db\n"
        "  weerbaar assess answer $id 11.1 --level 3 --owner CISO --due 2026-06-30 --db wb.db\n"
        "  weerbaar assess show $id --db wb.db\n"
        "  weerbaar assess diff $id@1 $id --db wb.db\n"
        "  weerbaar assess share $id --with supervisor --hub https://hub.example --key $KEY\n"
        "  weerbaar assess sectors --catalogue cbw_nis2 --hub https://hub.example --key $KEY\n"
        "\n"
        "Exit status: 0 done, 2 an error (unknown id, catalogue or requirement, a bad\n"
        "answers file: its row, column and reason on stderr).\n",
        f);
}

/* ---- where the assessments are ------------------------------------------------------ */

typedef struct conn {
    wb_store *st;
    wb_hub_client hc;
    bool hub, curl;
    wb_error err;
} conn;

static int fail(conn *c)
{
    wb_cli_report(&c->err);
    return WB_EXIT_ERROR;
}

static int conn_open(conn *c, const dbopts *o, const char *action)
{
    if ((o->db == NULL) == (o->hub == NULL)) {
        wb_cli_error("assess %s: give --db PATH or --hub URL --key KEY (one of them)", action);
        return WB_EXIT_ERROR;
    }
    if (o->db) {
        if (wb_assessdb_open(&c->st, o->db, &c->err) != 0) return fail(c);
        return WB_EXIT_OK;
    }
    c->hub = true;
    c->hc.base = o->hub;
    c->hc.key = o->key ? o->key : getenv("WEERBAAR_KEY");
    if (c->hc.key == NULL) {
        wb_cli_error("assess %s: --hub needs an API key: --key KEY or WEERBAAR_KEY", action);
        return WB_EXIT_ERROR;
    }
    if (wb_hub_global_init() != 0) {
        wb_cli_error("assess: cannot start the HTTP client");
        return WB_EXIT_ERROR;
    }
    c->curl = true;
    return WB_EXIT_OK;
}

static void conn_close(conn *c)
{
    wb_assessdb_close(c->st);
    if (c->curl) wb_hub_global_cleanup();
}

/* One hub request; the answer's body in out. */
static int hub(conn *c, const char *method, const char *path, json_t *body, wb_buf *out)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    int rc = wb_hub_call(&c->hc, method, path, text, text ? strlen(text) : 0, out, NULL, &c->err);
    free(text);
    return rc;
}

static json_t *parse_reply(conn *c, const wb_buf *b)
{
    json_error_t je;
    json_t *o = b->data ? json_loadb(b->data, b->len, 0, &je) : NULL;
    if (o == NULL) wb_error_set(&c->err, WB_EPARSE, "%s: the hub's answer is not JSON", c->hc.base);
    return o;
}

static int print_text(const char *s)
{
    json_t *o = json_loads(s, 0, NULL);
    char *t =
        o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(o);
    if (t == NULL) {
        wb_cli_error("assess: out of memory");
        return WB_EXIT_ERROR;
    }
    puts(t);
    free(t);
    return WB_EXIT_OK;
}

static const char *id_path(char *buf, size_t cap, int64_t id, const char *tail)
{
    snprintf(buf, cap, "/api/v1/assessments/%lld%s", (long long)id, tail);
    return buf;
}

/* An assessment's version as a view, from the database or the hub. */
static int load_view(conn *c, int64_t id, int version, wb_assessdb_view **out)
{
    if (!c->hub) return wb_assessdb_load(c->st, id, version, out, &c->err);
    char path[96], q[32] = "";
    if (version > 0) snprintf(q, sizeof q, "?version=%d", version);
    snprintf(path, sizeof path, "/api/v1/assessments/%lld%s", (long long)id, q);
    wb_buf b = {0};
    int rc = hub(c, "GET", path, NULL, &b);
    if (rc == 0) rc = wb_assessdb_view_parse(b.data, b.len, c->hc.base, out, &c->err);
    wb_buf_free(&b);
    return rc;
}

static int parse_id(const char *action, const char *s, int64_t *id, int *version, bool at_ok)
{
    if (wb_assessdb_parse_ref(s, id, version) != 0 || (!at_ok && *version != 0)) {
        wb_cli_error("assess %s: '%s' is not an assessment id%s", action, s,
                     at_ok ? " (ID or ID@VERSION)" : "");
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

/* The assessment's catalogue from the local set. */
static int catalogue_of(wb_catset *set, const char *name, const wb_catalogue **cat)
{
    wb_error err = {0};
    if (wb_catset_get(set, name, cat, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

/* ---- new, answer, import -------------------------------------------------------------- */

static int cmd_new(conn *c, wb_catset *set, const dbopts *o)
{
    if (o->catalogue == NULL || (!c->hub && o->org == NULL)) {
        wb_cli_error("assess new: --catalogue NAME and --org ORG are required");
        return WB_EXIT_ERROR;
    }
    int64_t id = 0;
    if (!c->hub) {
        const wb_catalogue *cat;
        if (catalogue_of(set, o->catalogue, &cat) != WB_EXIT_OK) return WB_EXIT_ERROR;
        if (wb_assessdb_create(c->st, cat, o->org, o->scope, o->target, "cli", &id, &c->err) != 0)
            return fail(c);
    } else {
        /* the hub's catalogues decide: it names one it does not have */
        json_t *body = json_pack("{s:s,s:i}", "catalogue", o->catalogue, "target", o->target);
        if (o->scope) json_object_set_new(body, "scope", json_string(o->scope));
        if (o->org) json_object_set_new(body, "organisation", json_string(o->org));
        wb_buf b = {0};
        json_t *r = NULL;
        if (hub(c, "POST", "/api/v1/assessments", body, &b) == 0 && (r = parse_reply(c, &b)))
            id = json_integer_value(json_object_get(r, "id"));
        json_decref(r);
        wb_buf_free(&b);
        if (id <= 0) return c->err.msg[0] ? fail(c) : WB_EXIT_ERROR;
    }
    /* the id alone on its line, for scripts: id=$(weerbaar assess new ...) */
    printf("%lld\n", (long long)id);
    return WB_EXIT_OK;
}

static int parse_level(const char *s, int *out)
{
    int64_t v;
    if (strcmp(s, "n/a") == 0) {
        *out = WB_LEVEL_NA;
        return 0;
    }
    if (wb_parse_i64(s, strlen(s), 0, WB_ASSESS_MAX_LEVEL, &v) != 0) return WB_EINVAL;
    *out = (int)v;
    return 0;
}

/* "" clears a field; NULL keeps the old value. */
static const char *field(const char *given, const char *old)
{
    if (given == NULL) return old;
    return given[0] ? given : NULL;
}

static int print_version(int64_t id, int version)
{
    printf("%lld@%d\n", (long long)id, version);
    return WB_EXIT_OK;
}

static int cmd_answer(conn *c, wb_catset *set, const dbopts *o, char **args, int nargs)
{
    int64_t id;
    int ver;
    if (nargs != 2 || o->level == NULL) {
        wb_cli_error("assess answer: give ID REF --level N|n/a (see 'weerbaar assess new --help')");
        return WB_EXIT_ERROR;
    }
    if (parse_id("answer", args[0], &id, &ver, false) != WB_EXIT_OK) return WB_EXIT_ERROR;
    wb_answer a = {.ref = args[1], .due = WB_TIME_NONE};
    if (parse_level(o->level, &a.level) != 0) {
        wb_cli_error("assess answer: --level must be 0-%d or n/a, not '%s'", WB_ASSESS_MAX_LEVEL,
                     o->level);
        return WB_EXIT_ERROR;
    }
    wb_time due = WB_TIME_NONE;
    if (o->due && o->due[0] &&
        (strlen(o->due) != 10 || wb_time_parse(o->due, strlen(o->due), &due) != 0)) {
        wb_cli_error("assess answer: --due must be a date YYYY-MM-DD, not '%s'", o->due);
        return WB_EXIT_ERROR;
    }
    wb_assessdb_view *v = NULL;
    if (load_view(c, id, 0, &v) != 0) return fail(c);
    const wb_catalogue *cat;
    int status = catalogue_of(set, v->a.catalogue, &cat);
    const wb_req_node *n = status == WB_EXIT_OK ? wb_catalogue_find(cat, args[1]) : NULL;
    if (status == WB_EXIT_OK && (n == NULL || !n->assessable)) {
        wb_cli_error("assess answer: '%s' is not an assessable requirement of %s (see 'weerbaar "
                     "assess show %s')",
                     args[1], cat->name, cat->name);
        status = WB_EXIT_ERROR;
    }
    if (status == WB_EXIT_OK) {
        /* fields not given keep the value the requirement has now */
        const wb_answer *old = wb_answers_find(v->answers, n->key);
        a.ref = n->key;
        a.evidence = field(o->evidence, old ? old->evidence : NULL);
        a.owner = field(o->owner, old ? old->owner : NULL);
        a.note = field(o->note, old ? old->note : NULL);
        a.due = o->due ? due : old ? old->due : WB_TIME_NONE;
        int version = 0;
        if (!c->hub) {
            if (wb_assessdb_answer(c->st, id, cat, &a, "cli", &version, &c->err) != 0)
                status = fail(c);
        } else {
            char path[96], d[40];
            json_t *body = json_pack("{s:s}", "ref", a.ref);
            json_object_set_new(
                body, "level", a.level == WB_LEVEL_NA ? json_string("n/a") : json_integer(a.level));
            if (a.evidence) json_object_set_new(body, "evidence", json_string(a.evidence));
            if (a.owner) json_object_set_new(body, "owner", json_string(a.owner));
            if (a.note) json_object_set_new(body, "note", json_string(a.note));
            if (a.due != WB_TIME_NONE) {
                wb_time_format(a.due, d, sizeof d);
                d[10] = '\0';
                json_object_set_new(body, "due", json_string(d));
            }
            wb_buf b = {0};
            json_t *r = NULL;
            if (hub(c, "POST", id_path(path, sizeof path, id, "/answers"), body, &b) == 0 &&
                (r = parse_reply(c, &b)))
                version = (int)json_integer_value(json_object_get(r, "version"));
            json_decref(r);
            wb_buf_free(&b);
            if (version <= 0) status = fail(c);
        }
        if (status == WB_EXIT_OK) status = print_version(id, version);
    }
    wb_assessdb_view_free(v);
    return status;
}

static int cmd_import(conn *c, wb_catset *set, char **args, int nargs)
{
    int64_t id;
    int ver;
    if (nargs != 2) {
        wb_cli_error("assess import: give ID FILE");
        return WB_EXIT_ERROR;
    }
    if (parse_id("import", args[0], &id, &ver, false) != WB_EXIT_OK) return WB_EXIT_ERROR;
    wb_assessdb_view *v = NULL;
    if (load_view(c, id, 0, &v) != 0) return fail(c);
    const wb_catalogue *cat;
    int status = catalogue_of(set, v->a.catalogue, &cat);
    wb_assessdb_view_free(v);
    if (status != WB_EXIT_OK) return status;
    char *data = NULL;
    size_t len = 0;
    if (wb_read_file(args[1], WB_ANSWERS_MAX_BYTES, &data, &len, &c->err) != 0) return fail(c);
    int version = 0;
    if (!c->hub) {
        if (wb_assessdb_import(c->st, id, cat, data, len, args[1], "cli", &version, &c->err) != 0)
            status = fail(c);
    } else {
        /* checked here first, so that a bad row is named by its line in the
         * file, then sent as JSON; the hub checks again */
        wb_answers *ans = NULL;
        wb_buf body = {0}, b = {0};
        char path[96];
        if (wb_answers_parse(data, len, args[1], cat, &ans, &c->err) != 0) {
            status = fail(c);
        } else if (wb_answers_write_json(ans, cat->name, &body) != 0) {
            wb_cli_error("assess: out of memory");
            status = WB_EXIT_ERROR;
        } else {
            json_t *doc = json_loadb(body.data, body.len, 0, NULL), *r = NULL;
            if (doc) json_object_set_new(doc, "name", json_string(args[1]));
            if (hub(c, "POST", id_path(path, sizeof path, id, "/versions"), doc, &b) == 0 &&
                (r = parse_reply(c, &b)))
                version = (int)json_integer_value(json_object_get(r, "version"));
            json_decref(r);
            if (version <= 0) status = fail(c);
        }
        wb_answers_free(ans);
        wb_buf_free(&body);
        wb_buf_free(&b);
    }
    free(data);
    if (status == WB_EXIT_OK) status = print_version(id, version);
    return status;
}

/* ---- export, show, history, diff -------------------------------------------------------- */

static int cmd_export(conn *c, const dbopts *o, char **args, int nargs)
{
    int64_t id;
    int ver;
    if (nargs != 1) {
        wb_cli_error("assess export: give ID or ID@VERSION");
        return WB_EXIT_ERROR;
    }
    if (parse_id("export", args[0], &id, &ver, true) != WB_EXIT_OK) return WB_EXIT_ERROR;
    bool json = strcmp(o->format, "json") == 0;
    if (!json && strcmp(o->format, "csv") != 0 && strcmp(o->format, "table") != 0) {
        wb_cli_error("assess export: --format must be csv or json, not '%s'", o->format);
        return WB_EXIT_ERROR;
    }
    wb_assessdb_view *v = NULL;
    if (load_view(c, id, ver, &v) != 0) return fail(c);
    wb_buf out = {0};
    int rc = json ? wb_answers_write_json(v->answers, v->a.catalogue, &out)
                  : wb_answers_write_csv(v->answers, &out);
    if (rc == 0 && out.len) fwrite(out.data, 1, out.len, stdout);
    wb_buf_free(&out);
    wb_assessdb_view_free(v);
    if (rc != 0) wb_cli_error("assess: out of memory");
    return rc ? WB_EXIT_ERROR : WB_EXIT_OK;
}

static void fmt_time(wb_time t, char *out, size_t cap)
{
    if (t == WB_TIME_NONE)
        snprintf(out, cap, "-");
    else
        wb_time_format(t, out, cap);
}

/* The scores of the previous version that a board compares with. */
static json_t *previous_json(const wb_catalogue *cat, const wb_catalogue *pr,
                             const wb_assessdb_view *v, const char *lang)
{
    wb_scores *sc = NULL;
    wb_error err = {0};
    wb_buf b = {0};
    json_t *out = NULL, *all = NULL;
    if (v->prev_version == 0) return json_null();
    if (wb_assess_score(cat, v->previous, pr, v->a.target, &sc, &err) == 0 &&
        wb_assess_scores_json(cat, pr, v->previous, sc, lang, &b) == 0 &&
        (all = json_loadb(b.data, b.len, 0, NULL)) != NULL) {
        out = json_object();
        json_object_set_new(out, "version", json_integer(v->prev_version));
        json_object_set(out, "overall", json_object_get(all, "overall"));
        json_object_set(out, "nis2_measures", json_object_get(all, "nis2_measures"));
        json_object_set(out, "principles", json_object_get(all, "principles"));
    }
    json_decref(all);
    wb_buf_free(&b);
    wb_scores_free(sc);
    return out ? out : json_null();
}

static int cmd_show(conn *c, wb_catset *set, const dbopts *o, char **args, int nargs)
{
    int64_t id;
    int ver;
    if (nargs != 1) {
        wb_cli_error("assess show: give one ID or ID@VERSION");
        return WB_EXIT_ERROR;
    }
    if (parse_id("show", args[0], &id, &ver, true) != WB_EXIT_OK) return WB_EXIT_ERROR;
    wb_assessdb_view *v = NULL;
    if (load_view(c, id, ver, &v) != 0) return fail(c);
    const wb_catalogue *cat;
    const wb_catalogue *pr = wb_cli_assess_principles(set);
    wb_scores *sc = NULL;
    int status = catalogue_of(set, v->a.catalogue, &cat);
    if (status == WB_EXIT_OK &&
        wb_assess_score(cat, v->answers, pr, v->a.target, &sc, &c->err) != 0)
        status = fail(c);
    char created[40], at[40];
    fmt_time(v->a.created, created, sizeof created);
    fmt_time(v->version_time, at, sizeof at);
    if (status == WB_EXIT_OK && strcmp(o->format, "json") == 0) {
        wb_buf b = {0}, ab = {0};
        json_t *scores = NULL, *root = NULL;
        if (wb_assess_scores_json(cat, pr, v->answers, sc, o->lang, &b) == 0 &&
            wb_assessment_json(&v->a, &ab) == 0 &&
            (scores = json_loadb(b.data, b.len, 0, NULL)) != NULL) {
            root = json_object();
            json_t *a = json_loadb(ab.data, ab.len, 0, NULL);
            json_object_set_new(a, "version", json_integer(v->version));
            json_object_set_new(a, "version_time", json_string(at));
            json_object_set_new(a, "newest_version", json_integer(v->a.version));
            json_object_set_new(root, "assessment", a);
            const char *key;
            json_t *val;
            json_object_foreach(scores, key, val) json_object_set(root, key, val);
            json_object_set_new(root, "previous", previous_json(cat, pr, v, o->lang));
        }
        char *text =
            root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))
                 : NULL;
        if (text)
            puts(text);
        else {
            wb_cli_error("assess: out of memory");
            status = WB_EXIT_ERROR;
        }
        free(text);
        json_decref(root);
        json_decref(scores);
        wb_buf_free(&b);
        wb_buf_free(&ab);
    } else if (status == WB_EXIT_OK) {
        printf("assessment %lld of %s (%s), version %d of %d, %s\n", (long long)v->a.id,
               v->a.org_name, v->a.org_sector ? v->a.org_sector : "no sector", v->version,
               v->a.version, at);
        if (v->a.scope) printf("scope: %s\n", v->a.scope);
        printf("target level %d; created %s; shared with csirt: %s, supervisor: %s\n", v->a.target,
               created, v->a.shared_csirt ? "yes" : "no", v->a.shared_supervisor ? "yes" : "no");
        wb_cli_assess_scores_table(cat, pr, v->answers, sc, o->lang);
    }
    wb_scores_free(sc);
    wb_assessdb_view_free(v);
    return status;
}

static int cmd_history(conn *c, const dbopts *o, char **args, int nargs)
{
    int64_t id;
    int ver;
    if (nargs != 1) {
        wb_cli_error("assess history: give one ID");
        return WB_EXIT_ERROR;
    }
    if (parse_id("history", args[0], &id, &ver, false) != WB_EXIT_OK) return WB_EXIT_ERROR;
    wb_buf b = {0};
    char path[96];
    int rc = c->hub ? hub(c, "GET", id_path(path, sizeof path, id, "/versions"), NULL, &b)
                    : wb_assessdb_history_json(c->st, id, &b, &c->err);
    if (rc != 0) {
        wb_buf_free(&b);
        return fail(c);
    }
    int status = WB_EXIT_OK;
    if (strcmp(o->format, "json") == 0) {
        status = print_text(b.data);
    } else {
        json_t *list = parse_reply(c, &b), *e;
        size_t i;
        if (list == NULL) status = fail(c);
        if (list)
            printf("%-7s %-27s %-20s %7s  %s\n", "VERSION", "CREATED", "AUTHOR", "ANSWERS",
                   "ACTION");
        json_array_foreach(list, i, e)
        {
            printf("%-7lld %-27s %-20s %7lld  %s\n",
                   (long long)json_integer_value(json_object_get(e, "version")),
                   json_string_value(json_object_get(e, "created")),
                   json_string_value(json_object_get(e, "author")),
                   (long long)json_integer_value(json_object_get(e, "answers")),
                   json_string_value(json_object_get(e, "action")));
        }
        if (list && json_array_size(list) == 0) printf("(no answers yet)\n");
        json_decref(list);
    }
    wb_buf_free(&b);
    return status;
}

static int cmd_diff(conn *c, wb_catset *set, const dbopts *o, char **args, int nargs)
{
    int64_t ia, ib;
    int va, vb;
    if (nargs != 2) {
        wb_cli_error("assess diff: give A B (assessment ids or ID@VERSION)");
        return WB_EXIT_ERROR;
    }
    if (parse_id("diff", args[0], &ia, &va, true) != WB_EXIT_OK ||
        parse_id("diff", args[1], &ib, &vb, true) != WB_EXIT_OK)
        return WB_EXIT_ERROR;
    wb_assessdb_view *a = NULL, *b = NULL;
    if (load_view(c, ia, va, &a) != 0) return fail(c);
    if (load_view(c, ib, vb, &b) != 0) {
        wb_assessdb_view_free(a);
        return fail(c);
    }
    const wb_catalogue *cat;
    int status = WB_EXIT_OK;
    if (strcmp(a->a.catalogue, b->a.catalogue) != 0) {
        wb_cli_error("assess diff: %s is of catalogue %s and %s of %s: nothing to compare", args[0],
                     a->a.catalogue, args[1], b->a.catalogue);
        status = WB_EXIT_ERROR;
    }
    if (status == WB_EXIT_OK) status = catalogue_of(set, a->a.catalogue, &cat);
    if (status == WB_EXIT_OK) {
        bool json = strcmp(o->format, "json") == 0;
        if (!json)
            printf("assessment %lld@%d (%s) -> %lld@%d (%s)\n", (long long)ia, a->version,
                   a->a.org_name, (long long)ib, b->version, b->a.org_name);
        status = wb_cli_assess_diff_print(cat, a->answers, b->answers, json);
    }
    wb_assessdb_view_free(a);
    wb_assessdb_view_free(b);
    return status;
}

/* ---- share, sectors, list ------------------------------------------------------------------ */

static int cmd_share(conn *c, const dbopts *o, char **args, int nargs)
{
    int64_t id;
    int ver;
    wb_share_audience to;
    if (nargs != 1 || o->with == NULL) {
        wb_cli_error("assess share: give ID --with csirt|supervisor [--revoke]");
        return WB_EXIT_ERROR;
    }
    if (parse_id("share", args[0], &id, &ver, false) != WB_EXIT_OK) return WB_EXIT_ERROR;
    if (wb_share_audience_parse(o->with, &to) != 0) {
        wb_cli_error("assess share: --with must be csirt or supervisor, not '%s'", o->with);
        return WB_EXIT_ERROR;
    }
    if (!c->hub) {
        if (wb_assessdb_share(c->st, id, to, !o->revoke, "cli", &c->err) != 0) return fail(c);
    } else {
        char path[96];
        wb_buf b = {0};
        json_t *body = json_pack("{s:s,s:b}", "with", o->with, "shared", !o->revoke);
        int rc = hub(c, "POST", id_path(path, sizeof path, id, "/share"), body, &b);
        wb_buf_free(&b);
        if (rc != 0) return fail(c);
    }
    printf("assessment %lld %s the %s\n", (long long)id,
           o->revoke ? "is no longer shared with" : "is shared with", o->with);
    return WB_EXIT_OK;
}

static void cell_text(json_t *cell, char *out, size_t cap)
{
    if (json_is_true(json_object_get(cell, "suppressed")))
        snprintf(out, cap, "<k");
    else
        snprintf(out, cap, "%.2f", json_number_value(json_object_get(cell, "score")));
}

static void sector_line(json_t *row, const char *name)
{
    char cell[16];
    char orgs[24] = "<k";
    json_t *n = json_object_get(row, "organisations");
    if (json_is_integer(n)) snprintf(orgs, sizeof orgs, "%lld", (long long)json_integer_value(n));
    printf("%-24.24s %5s", name, orgs);
    cell_text(json_object_get(row, "overall"), cell, sizeof cell);
    printf(" %7s", cell);
    json_t *p;
    size_t i;
    json_array_foreach(json_object_get(row, "principles"), i, p)
    {
        cell_text(p, cell, sizeof cell);
        printf(" %5s", cell);
    }
    putchar('\n');
}

static int cmd_sectors(conn *c, wb_catset *set, const dbopts *o, int nargs)
{
    if (nargs != 0) {
        wb_cli_error("assess sectors: takes no arguments (--catalogue NAME)");
        return WB_EXIT_ERROR;
    }
    const char *name = o->catalogue ? o->catalogue : "cbw_nis2";
    wb_buf b = {0};
    int rc;
    if (c->hub) {
        char path[256];
        snprintf(path, sizeof path, "/api/v1/assessments/sectors?catalogue=%s", name);
        for (const char *p = name; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.')) {
                wb_cli_error("assess sectors: '%s' is not a catalogue name", name);
                return WB_EXIT_ERROR;
            }
        rc = hub(c, "GET", path, NULL, &b);
    } else {
        const wb_catalogue *cat;
        wb_sector_view *v = NULL;
        if (catalogue_of(set, name, &cat) != WB_EXIT_OK) return WB_EXIT_ERROR;
        rc = wb_assessdb_sectors(c->st, cat, wb_cli_assess_principles(set), o->k, &v, &c->err);
        if (rc == 0 && wb_sector_view_json(v, &b) != 0)
            rc = wb_error_set(&c->err, WB_ENOMEM, "out of memory");
        wb_sector_view_free(v);
    }
    if (rc != 0) {
        wb_buf_free(&b);
        return fail(c);
    }
    int status = WB_EXIT_OK;
    if (strcmp(o->format, "json") == 0) {
        status = print_text(b.data);
    } else {
        json_t *root = parse_reply(c, &b), *row;
        size_t i;
        if (root == NULL) {
            status = fail(c);
        } else {
            printf("%s per sector; cells of fewer than %lld organisations are suppressed (<k)\n",
                   name, (long long)json_integer_value(json_object_get(root, "k")));
            printf("%-24s %5s %7s", "SECTOR", "ORGS", "OVERALL");
            json_t *first = json_object_get(root, "total");
            json_t *p;
            size_t j;
            json_array_foreach(json_object_get(first, "principles"), j, p)
                printf(" %5s", json_string_value(json_object_get(p, "ref")));
            putchar('\n');
            json_array_foreach(json_object_get(root, "sectors"), i, row)
            {
                const char *s = json_string_value(json_object_get(row, "sector"));
                sector_line(row, s ? s : "(no sector)");
            }
            sector_line(first, "all shown sectors");
        }
        json_decref(root);
    }
    wb_buf_free(&b);
    return status;
}

static int cmd_list(conn *c, const dbopts *o, int nargs)
{
    if (nargs != 0) {
        wb_cli_error("assess list: takes no arguments");
        return WB_EXIT_ERROR;
    }
    wb_buf b = {0};
    int rc = 0;
    if (c->hub) {
        rc = hub(c, "GET", "/api/v1/assessments", NULL, &b);
    } else {
        rc = wb_assessdb_list_json(c->st, o->org, NULL, NULL, &b, &c->err);
    }
    if (rc != 0) {
        wb_buf_free(&b);
        return fail(c);
    }
    int status = WB_EXIT_OK;
    json_t *list = parse_reply(c, &b), *e;
    size_t i;
    if (list == NULL) status = fail(c);
    /* on a hub, --org narrows what the key may see */
    for (i = json_array_size(list); c->hub && o->org && i-- > 0;) {
        const char *on =
            json_string_value(json_object_get(json_array_get(list, i), "organisation"));
        if (on == NULL || strcasecmp(on, o->org) != 0) json_array_remove(list, i);
    }
    if (list && strcmp(o->format, "json") == 0) {
        char *t = json_dumps(list, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (t)
            puts(t);
        else
            status = WB_EXIT_ERROR;
        free(t);
    } else if (list) {
        printf("%-6s %-24s %-22s %7s %6s %-16s %s\n", "ID", "ORGANISATION", "CATALOGUE", "VERSION",
               "TARGET", "SHARED", "SCOPE");
        json_array_foreach(list, i, e)
        {
            json_t *sh = json_object_get(e, "shared_with");
            bool cs = json_is_true(json_object_get(sh, "csirt"));
            bool sv = json_is_true(json_object_get(sh, "supervisor"));
            const char *scope = json_string_value(json_object_get(e, "scope"));
            printf("%-6lld %-24.24s %-22.22s %7lld %6lld %-16s %s\n",
                   (long long)json_integer_value(json_object_get(e, "id")),
                   json_string_value(json_object_get(e, "organisation")),
                   json_string_value(json_object_get(e, "catalogue")),
                   (long long)json_integer_value(json_object_get(e, "version")),
                   (long long)json_integer_value(json_object_get(e, "target")),
                   cs && sv ? "csirt,supervisor"
                   : cs     ? "csirt"
                   : sv     ? "supervisor"
                            : "-",
                   scope ? scope : "");
        }
    }
    json_decref(list);
    wb_buf_free(&b);
    return status;
}

/* ---- entry ----------------------------------------------------------------------------------- */

static bool is_ref(const char *s)
{
    int64_t id;
    int v;
    return wb_assessdb_parse_ref(s, &id, &v) == 0;
}

/* This file's actions, in one form. */
typedef int (*db_run)(conn *c, wb_catset *set, const dbopts *o, char **args, int nargs);

static int run_new(conn *c, wb_catset *set, const dbopts *o, char **args, int nargs)
{
    (void)args;
    if (nargs == 0) return cmd_new(c, set, o);
    wb_cli_error("assess new: takes no arguments");
    return WB_EXIT_ERROR;
}
static int run_import(conn *c, wb_catset *set, const dbopts *o, char **args, int nargs)
{
    (void)o;
    return cmd_import(c, set, args, nargs);
}
static int run_export(conn *c, wb_catset *set, const dbopts *o, char **args, int nargs)
{
    (void)set;
    return cmd_export(c, o, args, nargs);
}
static int run_history(conn *c, wb_catset *set, const dbopts *o, char **args, int nargs)
{
    (void)set;
    return cmd_history(c, o, args, nargs);
}
static int run_share(conn *c, wb_catset *set, const dbopts *o, char **args, int nargs)
{
    (void)set;
    return cmd_share(c, o, args, nargs);
}
static int run_sectors(conn *c, wb_catset *set, const dbopts *o, char **args, int nargs)
{
    (void)args;
    return cmd_sectors(c, set, o, nargs);
}
static int run_list(conn *c, wb_catset *set, const dbopts *o, char **args, int nargs)
{
    (void)set, (void)args;
    return cmd_list(c, o, nargs);
}

typedef struct db_action {
    const char *name;
    int refs;    /* show and diff: this many ID[@VERSION] arguments, else a catalogue's form */
    bool on_hub; /* on a hub it needs no catalogue here: the hub has its own */
    db_run run;
} db_action;

static const db_action db_actions[] = {
    {"new", 0, true, run_new},          {"answer", 0, false, cmd_answer},
    {"import", 0, false, run_import},   {"export", 0, true, run_export},
    {"show", 1, false, cmd_show},       {"history", 0, true, run_history},
    {"diff", 2, false, cmd_diff},       {"share", 0, true, run_share},
    {"sectors", 0, false, run_sectors}, {"list", 0, true, run_list},
};

/* Whether the words after the options name one of this file's actions. */
static bool is_db_action(const char *action, char **args, int nargs)
{
    for (size_t i = 0; i < sizeof db_actions / sizeof db_actions[0]; i++) {
        const db_action *a = &db_actions[i];
        if (strcmp(action, a->name) != 0) continue;
        if (a->refs == 0) return true;
        /* show ID and diff A B, where a catalogue name would stand otherwise */
        bool refs = nargs == a->refs;
        for (int k = 0; refs && k < nargs; k++)
            refs = is_ref(args[k]);
        return refs;
    }
    return false;
}

int wb_cli_assess_db(int argc, char **argv)
{
    enum {
        O_DIRS = 256,
        O_FORMAT,
        O_LANG,
        O_DB,
        O_HUB,
        O_KEY,
        O_CATALOGUE,
        O_ORG,
        O_SCOPE,
        O_TARGET,
        O_LEVEL,
        O_EVIDENCE,
        O_OWNER,
        O_DUE,
        O_NOTE,
        O_WITH,
        O_REVOKE,
        O_K,
        O_FILE_ONLY /* options of the file-based actions (cmd_assess.c) */
    };
    static const struct option opts[] = {{"catalogues", required_argument, NULL, O_DIRS},
                                         {"format", required_argument, NULL, O_FORMAT},
                                         {"lang", required_argument, NULL, O_LANG},
                                         {"db", required_argument, NULL, O_DB},
                                         {"hub", required_argument, NULL, O_HUB},
                                         {"key", required_argument, NULL, O_KEY},
                                         {"catalogue", required_argument, NULL, O_CATALOGUE},
                                         {"org", required_argument, NULL, O_ORG},
                                         {"scope", required_argument, NULL, O_SCOPE},
                                         {"target", required_argument, NULL, O_TARGET},
                                         {"level", required_argument, NULL, O_LEVEL},
                                         {"evidence", required_argument, NULL, O_EVIDENCE},
                                         {"owner", required_argument, NULL, O_OWNER},
                                         {"due", required_argument, NULL, O_DUE},
                                         {"note", required_argument, NULL, O_NOTE},
                                         {"with", required_argument, NULL, O_WITH},
                                         {"revoke", no_argument, NULL, O_REVOKE},
                                         {"k", required_argument, NULL, O_K},
                                         {"answers", required_argument, NULL, O_FILE_ONLY},
                                         {"from", required_argument, NULL, O_FILE_ONLY},
                                         {"to", required_argument, NULL, O_FILE_ONLY},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    /* A first pass, on a copy (getopt reorders what it scans), only finds
     * the action; anything not ours goes back to cmd_assess.c untouched. */
    char **copy = malloc(((size_t)argc + 1) * sizeof *copy);
    if (copy == NULL) {
        wb_cli_error("assess: out of memory");
        return WB_EXIT_ERROR;
    }
    memcpy(copy, argv, ((size_t)argc + 1) * sizeof *copy);
    optind = 1;
    opterr = 0;
    bool help = false;
    int c;
    while ((c = getopt_long(argc, copy, "h", opts, NULL)) != -1)
        if (c == 'h') help = true;
    bool ours = optind < argc && is_db_action(copy[optind], copy + optind + 1, argc - optind - 1);
    free(copy);
    optind = 1;
    if (!ours) return -1;
    if (help) {
        db_usage(stdout);
        return WB_EXIT_OK;
    }
    dbopts o = {.format = "table",
                .lang = "en",
                .target = WB_ASSESS_DEFAULT_TARGET,
                .k = WB_SECTOR_K_DEFAULT};
    const char *action = NULL;
    bool export = false;
    int64_t v;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_DIRS:
            if (!wb_cli_assess_opt_dir("assess", optarg, o.dirs, &o.ndirs)) return WB_EXIT_ERROR;
            break;
        case O_FORMAT:
            if (strcmp(optarg, "table") != 0 && strcmp(optarg, "json") != 0 &&
                strcmp(optarg, "csv") != 0) {
                wb_cli_error("assess: --format must be table, json or csv, not '%s'", optarg);
                return WB_EXIT_ERROR;
            }
            o.format = optarg;
            break;
        case O_LANG:
            if (!wb_cli_assess_opt_lang("assess", optarg, &o.lang)) return WB_EXIT_ERROR;
            break;
        case O_DB:
            o.db = optarg;
            break;
        case O_HUB:
            o.hub = optarg;
            break;
        case O_KEY:
            o.key = optarg;
            break;
        case O_CATALOGUE:
            o.catalogue = optarg;
            break;
        case O_ORG:
            o.org = optarg;
            break;
        case O_SCOPE:
            o.scope = optarg;
            break;
        case O_TARGET:
            if (!wb_cli_assess_opt_target("assess", optarg, &o.target)) return WB_EXIT_ERROR;
            break;
        case O_LEVEL:
            o.level = optarg;
            break;
        case O_EVIDENCE:
            o.evidence = optarg;
            break;
        case O_OWNER:
            o.owner = optarg;
            break;
        case O_DUE:
            o.due = optarg;
            break;
        case O_NOTE:
            o.note = optarg;
            break;
        case O_WITH:
            o.with = optarg;
            break;
        case O_REVOKE:
            o.revoke = true;
            break;
        case O_K:
            if (wb_parse_i64(optarg, strlen(optarg), 2, 1000000, &v) != 0) {
                wb_cli_error("assess: --k must be a number of organisations, at least 2, not "
                             "'%s'",
                             optarg);
                return WB_EXIT_ERROR;
            }
            o.k = (unsigned)v;
            break;
        case O_FILE_ONLY:
            wb_cli_error("assess: --answers, --from and --to are for the answers files of "
                         "'assess score' and 'assess diff CATALOGUE' (see 'weerbaar assess "
                         "--help')");
            return WB_EXIT_ERROR;
        default:
            wb_cli_error("assess: unknown option or missing value '%s' (see 'weerbaar assess "
                         "new --help')",
                         argv[optind - 1]);
            return WB_EXIT_ERROR;
        }
    }
    action = argv[optind];
    char **args = argv + optind + 1;
    int nargs = argc - optind - 1;
    export = strcmp(action, "export") == 0;
    if (export && strcmp(o.format, "table") == 0) o.format = "csv";
    if (!export && strcmp(o.format, "csv") == 0) {
        wb_cli_error("assess %s: --format must be table or json", action);
        return WB_EXIT_ERROR;
    }
    if (o.hub && o.k != WB_SECTOR_K_DEFAULT) {
        wb_cli_error("assess %s: --k is the hub's setting (weerbaar serve --sector-k)", action);
        return WB_EXIT_ERROR;
    }
    wb_catset *set = NULL;
    conn cn = {0};
    const db_action *da = NULL;
    for (size_t i = 0; i < sizeof db_actions / sizeof db_actions[0]; i++)
        if (strcmp(action, db_actions[i].name) == 0) da = &db_actions[i];
    bool need_set = o.hub == NULL || o.ndirs > 0 || !da->on_hub;
    if (need_set && wb_cli_assess_catset(o.dirs, o.ndirs, &set) != WB_EXIT_OK) return WB_EXIT_ERROR;
    int status = conn_open(&cn, &o, action);
    if (status == WB_EXIT_OK) status = da->run(&cn, set, &o, args, nargs);
    conn_close(&cn);
    wb_catset_free(set);
    return status;
}
