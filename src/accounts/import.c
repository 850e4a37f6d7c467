/*
 * import.c - `admin import FILE.csv|FILE.json`: organisations and users in
 * bulk (accounts.h). The file is parsed whole and every row checked before
 * anything is written; then one transaction creates what is missing,
 * changes what differs and leaves alone what is already so, which makes a
 * second run of the same file change nothing, and a bad row change nothing
 * at all. Every problem is reported with its file and line (or JSON path),
 * not only the first.
 *
 * The CSV reader is RFC 4180 (quoted fields with doubled quotes, commas and
 * line breaks inside quotes, CRLF or LF) with a header line naming the
 * columns; it is fuzzed (fuzz/fuzz_acct_import.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "accounts/accounts_internal.h"
#include "weerbaar/incident.h" /* wb_sector_valid */

#define MAX_FIELD 1024
#define MAX_PROBLEMS_SHOWN 50

struct wb_acct_import {
    size_t problems; /* found by the parse; apply refuses a file with any */
    wb_arena arena;
    wb_acct_import_row *rows;
    size_t n, cap;
    const char *name;
    void (*progress)(void *ud, size_t done, size_t total);
    void *progress_ud;
};

void wb_acct_import_on_progress(wb_acct_import *im,
                                void (*progress)(void *ud, size_t done, size_t total), void *ud)
{
    im->progress = progress;
    im->progress_ud = ud;
}

typedef struct parse {
    wb_acct_import *im;
    const char *name;
    wb_acct_problem_cb problem;
    void *ud;
    size_t problems;
} parse;

static void problem(parse *p, size_t line, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void problem(parse *p, size_t line, const char *path, const char *fmt, ...)
{
    char msg[600], full[800];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (path)
        snprintf(full, sizeof full, "%s: %s: %s", p->name, path, msg);
    else
        snprintf(full, sizeof full, "%s:%zu: %s", p->name, line, msg);
    if (p->problem && p->problems < MAX_PROBLEMS_SHOWN) p->problem(p->ud, full);
    p->problems++;
}

static int push_row(wb_acct_import *im, const wb_acct_import_row *r, wb_error *err)
{
    if (im->n == WB_ACCT_IMPORT_MAX_ROWS)
        return wb_error_set(err, WB_ELIMIT, "%s: more than %d rows", im->name,
                            WB_ACCT_IMPORT_MAX_ROWS);
    if (im->n == im->cap) {
        size_t cap = im->cap ? im->cap * 2 : 256;
        wb_acct_import_row *nr = realloc(im->rows, cap * sizeof *nr);
        if (nr == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
        im->rows = nr;
        im->cap = cap;
    }
    im->rows[im->n++] = *r;
    return 0;
}

/* Checks of one row that need no database; problems reported. */
static bool has_control(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return true;
    return false;
}

static void check_row(parse *p, const wb_acct_import_row *r)
{
    wb_org_kind k;
    wb_role role;
    const char *path = r->path;
    const char *fields[] = {r->org, r->kind, r->sector, r->kvk, r->email, r->role};
    static const char *const names[] = {"organisation", "kind", "sector", "kvk", "email", "role"};
    for (size_t i = 0; i < 6; i++)
        if (has_control(fields[i]))
            problem(p, r->line, path, "%s: control characters (a line break?)", names[i]);
    if (r->org == NULL || r->org[0] == '\0' || strlen(r->org) > WB_NAME_MAX)
        problem(p, r->line, path, "organisation: a name of 1-%d bytes is required", WB_NAME_MAX);
    if (r->kind && r->kind[0] && wb_org_kind_parse(r->kind, &k) != 0)
        problem(p, r->line, path,
                "kind: '%.60s' is not csirt, essential, important, supervisor or other", r->kind);
    if (r->sector && r->sector[0] && !wb_sector_valid(r->sector))
        problem(p, r->line, path, "sector: '%.60s' is not a NIS2 sector", r->sector);
    if (r->email && r->email[0]) {
        const char *at = strchr(r->email, '@');
        if (at == NULL || at == r->email || at[1] == '\0' || strlen(r->email) > WB_EMAIL_MAX ||
            strpbrk(r->email, " ,\t"))
            problem(p, r->line, path, "email: '%.60s' is not an e-mail address", r->email);
        if (r->role == NULL || wb_role_parse(r->role, &role) != 0)
            problem(p, r->line, path,
                    "role: '%.60s' is not site-admin, org-admin, member or sensor",
                    r->role ? r->role : "");
    } else if (r->role && r->role[0]) {
        problem(p, r->line, path, "role without an email");
    }
}

/* ---- CSV ----------------------------------------------------------------------------------- */

enum { C_ORG, C_KIND, C_SECTOR, C_KVK, C_EMAIL, C_ROLE, C_COUNT };
static const char *const col_names[C_COUNT][3] = {{"organisation", "org", "organization"},
                                                  {"kind", NULL, NULL},
                                                  {"sector", NULL, NULL},
                                                  {"kvk", NULL, NULL},
                                                  {"email", "e-mail", "user"},
                                                  {"role", NULL, NULL}};

/* Reads one record's fields from *pos: fields into f (arena copies), *nf,
 * *line advanced past its line breaks. 1 on a malformed record (reported),
 * WB_ENOMEM. */
typedef struct csv_rec {
    const char *f[16];
    size_t nf;
} csv_rec;

static int csv_record(parse *p, const char *d, size_t len, size_t *pos, size_t *line, csv_rec *rec,
                      wb_error *err)
{
    size_t i = *pos, start_line = *line;
    char buf[MAX_FIELD + 1];
    rec->nf = 0;
    bool bad = false;
    for (;;) {
        size_t n = 0;
        bool quoted = false, toolong = false;
        if (i < len && d[i] == '"') {
            quoted = true;
            i++;
            for (;;) {
                if (i >= len) {
                    problem(p, start_line, NULL, "a quoted field is not closed");
                    *pos = len;
                    return 1;
                }
                if (d[i] == '"') {
                    if (i + 1 < len && d[i + 1] == '"') {
                        i++;
                    } else {
                        i++;
                        break;
                    }
                }
                if (d[i] == '\n') (*line)++;
                if (n < MAX_FIELD)
                    buf[n++] = d[i];
                else
                    toolong = true;
                i++;
            }
            if (i < len && d[i] != ',' && d[i] != '\n' && d[i] != '\r' && !bad) {
                problem(p, start_line, NULL, "text after a closing quote");
                bad = true;
            }
        }
        while (i < len && d[i] != ',' && d[i] != '\n') {
            if (!quoted && d[i] == '"' && !bad) {
                problem(p, start_line, NULL, "a quote inside an unquoted field");
                bad = true;
            }
            if (!quoted && !(d[i] == '\r' && (i + 1 == len || d[i + 1] == '\n'))) {
                if (n < MAX_FIELD)
                    buf[n++] = d[i];
                else
                    toolong = true;
            }
            i++;
        }
        if (toolong && !bad) {
            problem(p, start_line, NULL, "a field longer than %d bytes", MAX_FIELD);
            bad = true;
        }
        if (memchr(buf, '\0', n) && !bad) {
            problem(p, start_line, NULL, "a NUL byte in a field");
            bad = true;
        }
        /* trim spaces around unquoted fields */
        size_t b = 0;
        if (!quoted) {
            while (b < n && (buf[b] == ' ' || buf[b] == '\t'))
                b++;
            while (n > b && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
                n--;
        }
        if (rec->nf == sizeof rec->f / sizeof rec->f[0]) {
            if (!bad) problem(p, start_line, NULL, "more than 16 fields");
            bad = true;
        } else {
            char *s = wb_arena_strndup(&p->im->arena, buf + b, n - b);
            if (s == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
            rec->f[rec->nf++] = s;
        }
        if (i >= len || d[i] == '\n') {
            if (i < len) {
                i++;
                (*line)++;
            }
            break;
        }
        i++; /* the comma */
    }
    *pos = i;
    return bad ? 1 : 0;
}

static bool blank_record(const csv_rec *r)
{
    for (size_t i = 0; i < r->nf; i++)
        if (r->f[i][0]) return false;
    return true;
}

static int parse_csv(parse *p, const char *d, size_t len, wb_error *err)
{
    size_t pos = 0, line = 1;
    int map[16];
    size_t ncols = 0;
    bool have_header = false;
    /* a UTF-8 byte order mark, as spreadsheets write */
    if (len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0) pos = 3;
    while (pos < len) {
        size_t at = line;
        if (d[pos] == '#') { /* a comment line */
            while (pos < len && d[pos] != '\n')
                pos++;
            if (pos < len) pos++;
            line++;
            continue;
        }
        csv_rec rec;
        int rc = csv_record(p, d, len, &pos, &line, &rec, err);
        if (rc < 0) return rc;
        if (rc > 0 || blank_record(&rec)) continue;
        if (!have_header) {
            have_header = true;
            ncols = rec.nf;
            bool seen[C_COUNT] = {false};
            for (size_t i = 0; i < rec.nf; i++) {
                map[i] = -1;
                for (int c = 0; c < C_COUNT && map[i] < 0; c++)
                    for (int k = 0; k < 3; k++)
                        if (col_names[c][k] && strcasecmp(rec.f[i], col_names[c][k]) == 0)
                            map[i] = c;
                if (map[i] < 0)
                    problem(p, at, NULL,
                            "unknown column '%.40s' (organisation, kind, sector, kvk, email, "
                            "role)",
                            rec.f[i]);
                else if (seen[map[i]])
                    problem(p, at, NULL, "column '%.40s' given twice", rec.f[i]);
                else
                    seen[map[i]] = true;
            }
            if (!seen[C_ORG]) {
                /* every row would be wrong: the header is the one problem */
                problem(p, at, NULL,
                        "the header line must name an organisation column (organisation, kind, "
                        "sector, kvk, email, role)");
                return 0;
            }
            continue;
        }
        if (rec.nf != ncols) {
            problem(p, at, NULL, "%zu fields where the header has %zu", rec.nf, ncols);
            continue;
        }
        wb_acct_import_row r = {.line = at};
        const char **slot[C_COUNT] = {&r.org, &r.kind, &r.sector, &r.kvk, &r.email, &r.role};
        for (size_t i = 0; i < rec.nf; i++)
            if (map[i] >= 0 && rec.f[i][0]) *slot[map[i]] = rec.f[i];
        check_row(p, &r);
        if ((rc = push_row(p->im, &r, err)) != 0) return rc;
    }
    if (!have_header) problem(p, 1, NULL, "no header line (organisation, kind, ...)");
    return 0;
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static const char *jstr(parse *p, json_t *o, const char *key, const char *path, bool *ok)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL || json_is_null(v)) return NULL;
    if (!json_is_string(v) || strlen(json_string_value(v)) > MAX_FIELD) {
        problem(p, 0, path, "%s: a string of at most %d bytes", key, MAX_FIELD);
        *ok = false;
        return NULL;
    }
    return wb_arena_strdup(&p->im->arena, json_string_value(v));
}

static int parse_json(parse *p, const char *d, size_t len, wb_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(d, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        problem(p, (size_t)je.line, NULL, "%s", je.text);
        return 0;
    }
    static const char *const lists[] = {"organisations", "users"};
    static const char *const known[2][4] = {{"name", "kind", "sector", "kvk"},
                                            {"email", "organisation", "role", NULL}};
    int rc = 0;
    if (!json_is_object(root)) problem(p, 0, "$", "an object {\"organisations\", \"users\"}");
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "organisations") != 0 && strcmp(key, "users") != 0)
            problem(p, 0, "$", "unknown member '%.40s' (organisations, users)", key);
    }
    for (int l = 0; l < 2 && rc == 0 && json_is_object(root); l++) {
        json_t *arr = json_object_get(root, lists[l]);
        if (arr == NULL) continue;
        char path[80];
        if (!json_is_array(arr)) {
            snprintf(path, sizeof path, "$.%s", lists[l]);
            problem(p, 0, path, "an array");
            continue;
        }
        size_t i;
        json_array_foreach(arr, i, v)
        {
            snprintf(path, sizeof path, "$.%s[%zu]", lists[l], i);
            const char *pth = wb_arena_strdup(&p->im->arena, path);
            if (pth == NULL) {
                rc = wb_error_set(err, WB_ENOMEM, "out of memory");
                break;
            }
            if (!json_is_object(v)) {
                problem(p, 0, pth, "an object");
                continue;
            }
            json_t *mv;
            json_object_foreach(v, key, mv)
            {
                bool k = false;
                for (int j = 0; j < 4; j++)
                    if (known[l][j] && strcmp(key, known[l][j]) == 0) k = true;
                if (!k) problem(p, 0, pth, "unknown member '%.40s'", key);
            }
            bool ok = true;
            wb_acct_import_row r = {.line = i + 1, .path = pth};
            if (l == 0) {
                r.org = jstr(p, v, "name", pth, &ok);
                r.kind = jstr(p, v, "kind", pth, &ok);
                r.sector = jstr(p, v, "sector", pth, &ok);
                r.kvk = jstr(p, v, "kvk", pth, &ok);
            } else {
                r.email = jstr(p, v, "email", pth, &ok);
                r.org = jstr(p, v, "organisation", pth, &ok);
                r.role = jstr(p, v, "role", pth, &ok);
                if (r.email == NULL && ok) {
                    problem(p, 0, pth, "email is required");
                    ok = false;
                }
            }
            if (!ok) continue;
            check_row(p, &r);
            if ((rc = push_row(p->im, &r, err)) != 0) break;
        }
    }
    json_decref(root);
    return rc;
}

int wb_acct_import_parse(const char *name, const char *data, size_t len, wb_acct_import **out,
                         wb_acct_problem_cb cb, void *ud, wb_error *err)
{
    *out = NULL;
    wb_acct_import *im = calloc(1, sizeof *im);
    if (im == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_arena_init(&im->arena, 65536);
    im->name = wb_arena_strdup(&im->arena, name);
    parse p = {.im = im, .name = name, .problem = cb, .ud = ud};
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    int rc = im->name ? 0 : wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0)
        rc = i < len && (data[i] == '{' || data[i] == '[') ? parse_json(&p, data, len, err)
                                                           : parse_csv(&p, data, len, err);
    im->problems = p.problems;
    if (rc) {
        wb_acct_import_free(im);
        return rc;
    }
    *out = im;
    return 0;
}

size_t wb_acct_import_count(const wb_acct_import *im)
{
    return im ? im->n : 0;
}

size_t wb_acct_import_problems(const wb_acct_import *im)
{
    return im ? im->problems : 0;
}

void wb_acct_import_free(wb_acct_import *im)
{
    if (im == NULL) return;
    wb_arena_free(&im->arena);
    free(im->rows);
    free(im);
}

/* ---- apply --------------------------------------------------------------------------------- */

/* The file's organisations, one each: what the file says (from the rows
 * that say it) and what the database has. */
typedef struct plan_org {
    const char *name;
    const wb_acct_import_row *kind_row, *sector_row, *kvk_row; /* who said it first */
    const char *kind, *sector, *kvk;
    wbi_acct_org db; /* db.id 0: missing */
    int64_t id;
} plan_org;

typedef struct plan_user {
    const wb_acct_import_row *row;
    size_t org; /* index into orgs */
    wbi_acct_user db;
} plan_user;

typedef struct plan {
    plan_org *orgs;
    size_t norgs;
    size_t *slots; /* name hash table of org indexes + 1; 0 = empty */
    size_t nslots;
    plan_user *users;
    size_t nusers;
    size_t *uslots; /* email hash table of user indexes + 1 */
} plan;

static uint64_t fold_hash(const char *s)
{
    char b[WB_EMAIL_MAX + 1];
    size_t n = 0;
    for (; s[n] && n < WB_EMAIL_MAX; n++)
        b[n] = wb_lower(s[n]);
    return wb_hash64(b, n, 7);
}

static size_t find_slot(size_t *slots, size_t nslots, uint64_t h, bool (*same)(void *, size_t),
                        void *ud)
{
    size_t i = (size_t)h & (nslots - 1);
    while (slots[i] && !same(ud, slots[i] - 1))
        i = (i + 1) & (nslots - 1);
    return i;
}

typedef struct name_q {
    plan *pl;
    const char *name;
} name_q;

static bool same_org(void *ud, size_t idx)
{
    name_q *q = ud;
    return strcasecmp(q->pl->orgs[idx].name, q->name) == 0;
}

static bool same_user(void *ud, size_t idx)
{
    name_q *q = ud;
    return strcasecmp(q->pl->users[idx].row->email, q->name) == 0;
}

/* One file value for an org's field: the first row that gives it wins,
 * and a later row that gives another is a problem. */
static void plan_field(parse *p, const wb_acct_import_row *r, const char *v, const char **have,
                       const wb_acct_import_row **who, const char *what, const char *org)
{
    if (v == NULL) return;
    if (*have == NULL) {
        *have = v;
        *who = r;
    } else if (strcasecmp(*have, v) != 0) {
        if ((*who)->path)
            problem(p, r->line, r->path, "%s of %s: '%.60s' here, '%.60s' at %s", what, org, v,
                    *have, (*who)->path);
        else
            problem(p, r->line, r->path, "%s of %s: '%.60s' here, '%.60s' on line %zu", what, org,
                    v, *have, (*who)->line);
    }
}

static int build_plan(wb_store *s, const wb_acct_import *im, parse *p, plan *pl, wb_error *err)
{
    size_t n = im->n ? im->n : 1;
    pl->nslots = 1;
    while (pl->nslots < 2 * n)
        pl->nslots <<= 1;
    pl->orgs = calloc(n, sizeof *pl->orgs);
    pl->users = calloc(n, sizeof *pl->users);
    pl->slots = calloc(pl->nslots, sizeof *pl->slots);
    pl->uslots = calloc(pl->nslots, sizeof *pl->uslots);
    if (!pl->orgs || !pl->users || !pl->slots || !pl->uslots)
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    for (size_t i = 0; i < im->n; i++) {
        const wb_acct_import_row *r = &im->rows[i];
        name_q q = {pl, r->org};
        size_t sl = find_slot(pl->slots, pl->nslots, fold_hash(r->org), same_org, &q);
        if (pl->slots[sl] == 0) {
            pl->orgs[pl->norgs].name = r->org;
            pl->slots[sl] = ++pl->norgs;
        }
        plan_org *o = &pl->orgs[pl->slots[sl] - 1];
        plan_field(p, r, r->kind, &o->kind, &o->kind_row, "kind", o->name);
        plan_field(p, r, r->sector, &o->sector, &o->sector_row, "sector", o->name);
        plan_field(p, r, r->kvk, &o->kvk, &o->kvk_row, "kvk", o->name);
        if (r->email == NULL) continue;
        q.name = r->email;
        size_t us = find_slot(pl->uslots, pl->nslots, fold_hash(r->email), same_user, &q);
        if (pl->uslots[us]) {
            const wb_acct_import_row *first = pl->users[pl->uslots[us] - 1].row;
            if (first->path)
                problem(p, r->line, r->path, "user %.100s is given again (first at %s)", r->email,
                        first->path);
            else
                problem(p, r->line, r->path, "user %.100s is given again (first on line %zu)",
                        r->email, first->line);
            continue;
        }
        pl->users[pl->nusers] = (plan_user){.row = r, .org = pl->slots[sl] - 1};
        pl->uslots[us] = ++pl->nusers;
    }
    /* what the database has */
    for (size_t i = 0; i < pl->norgs; i++) {
        plan_org *o = &pl->orgs[i];
        int rc = wbi_acct_org_find(s, o->name, &o->db, err);
        if (rc == WB_ENOTFOUND) {
            o->db.id = 0;
            if (o->kind == NULL) {
                const wb_acct_import_row *r = NULL;
                for (size_t k = 0; k < im->n && r == NULL; k++)
                    if (strcasecmp(im->rows[k].org, o->name) == 0) r = &im->rows[k];
                problem(p, r ? r->line : 0, r ? r->path : NULL,
                        "organisation %.100s does not exist and no row gives its kind", o->name);
            }
        } else if (rc) {
            return rc;
        }
        o->id = o->db.id;
    }
    for (size_t i = 0; i < pl->nusers; i++) {
        int rc = wbi_acct_user_find(s, pl->users[i].row->email, &pl->users[i].db, err);
        if (rc == WB_ENOTFOUND)
            pl->users[i].db.id = 0;
        else if (rc)
            return rc;
    }
    return 0;
}

static void plan_free(plan *pl)
{
    free(pl->orgs);
    free(pl->users);
    free(pl->slots);
    free(pl->uslots);
}

static bool differs(const char *file, const char *db)
{
    return file && strcasecmp(file, db) != 0;
}

int wb_acct_import_apply(wb_store *s, const wb_actor *who, const wb_acct_import *im, wb_time now,
                         wb_buf *out, bool *forbidden, wb_acct_problem_cb cb, void *ud,
                         wb_error *err)
{
    (void)now;
    *forbidden = false;
    if (who->role != WB_ROLE_SITE_ADMIN)
        return wbi_acct_deny(forbidden, err, "only site admins import organisations and users");
    /* The parse's problems were reported already; the plan's follow, so
     * that one run names every problem of the file. */
    parse p = {.im = (wb_acct_import *)im,
               .name = im->name,
               .problem = cb,
               .ud = ud,
               .problems = im->problems};
    plan pl = {0};
    int rc = build_plan(s, im, &p, &pl, err);
    if (rc == 0 && p.problems)
        rc = wb_error_set(err, WB_EINVAL, "%s: %zu problem%s; nothing was imported", im->name,
                          p.problems, p.problems == 1 ? "" : "s");
    int64_t oc = 0, och = 0, ouc = 0, uc = 0, uch = 0, uuc = 0;
    if (rc == 0)
        rc = wb_store_begin(s, err);
    else {
        plan_free(&pl);
        return rc;
    }
    for (size_t i = 0; rc == 0 && i < pl.norgs; i++) {
        plan_org *o = &pl.orgs[i];
        wb_org_kind kind = WB_ORG_OTHER;
        if (o->kind) wb_org_kind_parse(o->kind, &kind);
        const wb_acct_import_row *r = o->kind_row ? o->kind_row : NULL;
        if (o->db.id == 0) {
            rc = wb_store_org_add(s, o->name, kind, o->sector, o->kvk, &o->id, err);
            if (rc == 0) rc = wbi_acct_audit(s, who, "org.add", o->name, "import", err);
            oc++;
        } else if ((o->kind && kind != o->db.kind) || differs(o->sector, o->db.sector) ||
                   differs(o->kvk, o->db.kvk)) {
            rc = wb_store_org_update(s, o->id, NULL, o->kind ? &kind : NULL, o->sector, o->kvk, -1,
                                     err);
            if (rc == 0) rc = wbi_acct_audit(s, who, "org.set", o->db.name, "import", err);
            och++;
        } else {
            ouc++;
        }
        if (rc && r) problem(&p, r->line, r->path, "%s", err->msg);
        if (im->progress) im->progress(im->progress_ud, i + 1, pl.norgs + pl.nusers);
    }
    for (size_t i = 0; rc == 0 && i < pl.nusers; i++) {
        plan_user *u = &pl.users[i];
        const wb_acct_import_row *r = u->row;
        wb_role role = WB_ROLE_MEMBER;
        wb_role_parse(r->role, &role);
        int64_t org_id = pl.orgs[u->org].id;
        char detail[200];
        snprintf(detail, sizeof detail, "%s, %s (import)", pl.orgs[u->org].name,
                 wb_role_name(role));
        if (u->db.id == 0) {
            rc = wb_store_user_add(s, r->email, org_id, role, NULL, err);
            if (rc == 0) rc = wbi_acct_audit(s, who, "user.add", r->email, detail, err);
            uc++;
        } else if (u->db.org_id != org_id || u->db.role != role) {
            rc = wb_store_user_update(s, u->db.id, org_id, &role, -1, err);
            if (rc == 0) rc = wbi_acct_audit(s, who, "user.set", r->email, detail, err);
            uch++;
        } else {
            uuc++;
        }
        if (rc) problem(&p, r->line, r->path, "%s", err->msg);
        if (im->progress) im->progress(im->progress_ud, pl.norgs + i + 1, pl.norgs + pl.nusers);
    }
    char msg[300];
    snprintf(msg, sizeof msg,
             "%s: organisations %lld created, %lld changed, %lld unchanged; users %lld created, "
             "%lld changed, %lld unchanged",
             im->name, (long long)oc, (long long)och, (long long)ouc, (long long)uc, (long long)uch,
             (long long)uuc);
    if (rc == 0 && (oc || och || uc || uch))
        rc = wbi_acct_audit(s, who, "admin.import", im->name, msg, err);
    if (rc == 0) rc = wb_store_commit(s, err);
    if (rc) wb_store_rollback(s);
    plan_free(&pl);
    if (rc) return rc;
    return wbi_acct_dump(json_pack("{s:s,s:{s:I,s:I,s:I},s:{s:I,s:I,s:I}}", "message", msg,
                                   "organisations", "created", (json_int_t)oc, "changed",
                                   (json_int_t)och, "unchanged", (json_int_t)ouc, "users",
                                   "created", (json_int_t)uc, "changed", (json_int_t)uch,
                                   "unchanged", (json_int_t)uuc),
                         out, err);
}
