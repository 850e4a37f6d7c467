/*
 * db_pg.c - the statement layer (db.h) over PostgreSQL's libpq, so that
 * the store's domain code (sqlite_<domain>.c), written in SQLite's SQL,
 * runs unchanged on PostgreSQL.
 *
 * Every difference of dialect the domain statements meet is handled here,
 * in pg_translate, once, when a statement is first prepared:
 *   ?NNN and ?            -> $NNN (SQLite's numbering: ? is the largest so far + 1)
 *   INSERT OR IGNORE      -> INSERT ... ON CONFLICT DO NOTHING
 *   a IS ?N               -> a IS NOT DISTINCT FROM $N
 *   max(a,b), min(a,b)    -> greatest(a,b), least(a,b) (two arguments only)
 *   group_concat(x, s)    -> string_agg(x, s)
 *   LIKE                  -> ILIKE (SQLite's LIKE ignores ASCII case)
 *   CAST(x AS INTEGER)    -> CAST(x AS BIGINT) (SQLite's integers are 64-bit)
 *   last_insert_rowid     -> RETURNING id appended to an INSERT into a table
 *                            with an id column, read by step and not shown
 * A statement SQLite and PostgreSQL cannot share is given in both dialects
 * by its domain (wbi_sqlite_stmt's pg table) rather than translated.
 *
 * Statements are prepared on the server once per connection, keyed by
 * their SQL text, on their first execution (when the parameters' kinds
 * are known: integers are int8, blobs bytea, text is left to the server to
 * infer, so that it compares as the column does).
 * Results are read whole (PQexecPrepared), which lets a caller run other
 * statements on the connection while it walks rows, as SQLite allows.
 *
 * SQLite undoes a failed statement and keeps its transaction; PostgreSQL
 * aborts the whole transaction. So a write inside a transaction runs under
 * a savepoint (RELEASE and SAVEPOINT in one round trip) and is rolled back
 * to it when it fails, leaving the caller's transaction as SQLite would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/db.h"

#define BYTEA_OID 17
#define INT8_OID 20
#define TEXT_OID 25
#define MAX_PARAMS 64

/* A statement's server-side preparations, one per kinds of parameters
 * bound (a NULL where text is usual needs its own, see execute). */
typedef struct pgvar {
    struct pgvar *next;
    char sig[MAX_PARAMS + 1]; /* i integer, t text, b blob, n NULL, per parameter */
    char name[24];
} pgvar;

typedef struct pgprep {
    struct pgprep *next;
    char *key; /* the SQL as the domain wrote it */
    char *sql; /* translated */
    int nparams;
    bool write;   /* INSERT, UPDATE or DELETE: runs under a savepoint in a transaction */
    bool auto_id; /* RETURNING id appended: the row is read for last_id */
    pgvar *vars;
} pgprep;

#define NBUCKETS 256

typedef struct pgdb {
    wbi_db base;
    PGconn *c;
    int errcode;
    char *errmsg;
    int64_t changes;
    int64_t last_id;
    int nprep;
    bool sp; /* a savepoint wb_sp exists in the open transaction */
    pgprep *buckets[NBUCKETS];
    char **id_tables; /* tables with an id column (auto RETURNING id) */
    size_t n_id_tables;
} pgdb;

typedef struct pgst {
    wbi_stmt base;
    pgdb *db;
    pgprep *p;
    PGresult *res;
    int row, nrows;
    char *vals[MAX_PARAMS];
    int lens[MAX_PARAMS];
    int fmts[MAX_PARAMS];
    Oid types[MAX_PARAMS];
    bool own[MAX_PARAMS];
    unsigned char **dec; /* decoded bytea columns of the current row */
    size_t *declen;
    int ndec;
} pgst;

static const wbi_db_vt pg_vt;

/* ---- errors ------------------------------------------------------------------ */

static void set_err(pgdb *d, int code, const char *msg)
{
    d->errcode = code;
    free(d->errmsg);
    d->errmsg = strdup(msg ? msg : "unknown error");
    if (d->errmsg) {
        size_t n = strlen(d->errmsg);
        while (n && (d->errmsg[n - 1] == '\n' || d->errmsg[n - 1] == ' '))
            d->errmsg[--n] = '\0';
    }
}

/* SQLSTATE to the layer's codes: class 23 is a constraint (uniqueness,
 * foreign key, check, and our triggers' refusals, raised as 23001). */
static int res_code(PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state == NULL) return WBI_DB_ERROR;
    if (strncmp(state, "23", 2) == 0) return WBI_DB_CONSTRAINT;
    if (strcmp(state, "53200") == 0) return WBI_DB_NOMEM;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
        return WBI_DB_BUSY;
    return WBI_DB_ERROR;
}

static int fail_res(pgdb *d, PGresult *r)
{
    int code = res_code(r);
    set_err(d, code, r ? PQresultErrorMessage(r) : PQerrorMessage(d->c));
    return code;
}

static bool ok_res(PGresult *r)
{
    ExecStatusType s = PQresultStatus(r);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

/* ---- translation ------------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    bool oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 256) + n;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static bool is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\n' || *s == '\t')
        s++;
    return s;
}

/* The number of top-level arguments of the call whose '(' is at s. */
static int call_args(const char *s)
{
    int depth = 0, args = 1;
    char q = 0;
    for (; *s; s++) {
        if (q) {
            if (*s == q) q = 0;
            continue;
        }
        if (*s == '\'' || *s == '"')
            q = *s;
        else if (*s == '(')
            depth++;
        else if (*s == ')') {
            if (--depth == 0) return args;
        } else if (*s == ',' && depth == 1)
            args++;
    }
    return args;
}

static bool word_is(const char *w, size_t n, const char *k)
{
    return strlen(k) == n && strncasecmp(w, k, n) == 0;
}

/* A whole word of s (case-insensitive) outside quotes, or NULL. */
static const char *find_word(const char *s, const char *k)
{
    size_t kn = strlen(k);
    char q = 0;
    for (const char *p = s; *p; p++) {
        if (q) {
            if (*p == q) q = 0;
            continue;
        }
        if (*p == '\'' || *p == '"') {
            q = *p;
            continue;
        }
        if ((p == s || !is_word(p[-1])) && strncasecmp(p, k, kn) == 0 && !is_word(p[kn])) return p;
    }
    return NULL;
}

static bool has_id_table(pgdb *d, const char *name, size_t n)
{
    for (size_t i = 0; i < d->n_id_tables; i++)
        if (strlen(d->id_tables[i]) == n && strncmp(d->id_tables[i], name, n) == 0) return true;
    return false;
}

/* Fragments of SQLite's SQL with no translation word by word: SQLite's
 * JSON functions, its clock, its schema tables. Each is replaced where it
 * appears, before the translation above. */
static const struct {
    const char *sqlite, *pg;
} fragments[] = {
    {"CAST(strftime('%s','now') AS INTEGER)", "CAST(extract(epoch FROM now()) AS BIGINT)"},
    {"json_extract(a.json,'$.warninglist') IS NULL",
     "coalesce(a.json::jsonb->'warninglist','null'::jsonb)='null'::jsonb"},
    {"json_set(json,'$.to_ids',json('false'),'$.warninglist',?2)",
     "jsonb_set(jsonb_set(json::jsonb,'{to_ids}','false'::jsonb),'{warninglist}',"
     "to_jsonb(?2::text))::text"},
    /* the tables whose foreign keys name ?1, and the column (sqlite_admin.c) */
    {"SELECT m.name,f.\"from\" FROM sqlite_schema m, pragma_foreign_key_list(m.name) f WHERE"
     " m.type='table' AND f.\"table\"=?1 ORDER BY m.name,f.\"from\"",
     "SELECT c.conrelid::regclass::text AS t,a.attname::text AS c FROM pg_constraint c"
     " JOIN pg_attribute a ON a.attrelid=c.conrelid AND a.attnum=ANY(c.conkey)"
     " WHERE c.contype='f' AND c.confrelid=?1::text::regclass ORDER BY 1,2"},
};

/* in with every fragment replaced; NULL when out of memory. */
static char *rewrite_fragments(const char *in)
{
    sbuf b = {0};
    sb_str(&b, in);
    for (size_t i = 0; i < sizeof fragments / sizeof fragments[0] && !b.oom; i++) {
        char *at;
        while ((at = strstr(b.p, fragments[i].sqlite)) != NULL) {
            sbuf o = {0};
            sb_add(&o, b.p, (size_t)(at - b.p));
            sb_str(&o, fragments[i].pg);
            sb_str(&o, at + strlen(fragments[i].sqlite));
            free(b.p);
            b = o;
            if (b.oom) break;
        }
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

static int translate_text(pgdb *d, const char *in, pgprep *p);

static int translate(pgdb *d, const char *sql, pgprep *p)
{
    char *in = rewrite_fragments(sql);
    if (in == NULL) return WBI_DB_NOMEM;
    int rc = translate_text(d, in, p);
    free(in);
    return rc;
}

static int translate_text(pgdb *d, const char *in, pgprep *p)
{
    sbuf b = {0};
    int maxp = 0;
    bool ignore = false;
    const char *s = in;
    char q = 0;
    while (*s) {
        char c = *s;
        if (q) {
            sb_add(&b, s, 1);
            if (c == q) q = 0;
            s++;
            continue;
        }
        if (c == '\'' || c == '"') {
            q = c;
            sb_add(&b, s, 1);
            s++;
            continue;
        }
        if (c == '?') {
            char num[16];
            s++;
            if (*s >= '0' && *s <= '9') {
                int n = 0;
                while (*s >= '0' && *s <= '9')
                    n = n * 10 + (*s++ - '0');
                if (n > maxp) maxp = n;
                snprintf(num, sizeof num, "$%d", n);
            } else {
                snprintf(num, sizeof num, "$%d", ++maxp);
            }
            sb_str(&b, num);
            continue;
        }
        if (is_word(c) && (s == in || !is_word(s[-1]))) {
            const char *w = s;
            while (is_word(*s))
                s++;
            size_t n = (size_t)(s - w);
            const char *after = skip_space(s);
            if (word_is(w, n, "INSERT") && strncasecmp(after, "OR IGNORE", 9) == 0) {
                sb_str(&b, "INSERT");
                s = after + 9;
                ignore = true;
            } else if ((word_is(w, n, "max") || word_is(w, n, "min")) && *after == '(' &&
                       call_args(after) == 2) {
                sb_str(&b, word_is(w, n, "max") ? "greatest" : "least");
            } else if (word_is(w, n, "group_concat") && *after == '(') {
                sb_str(&b, "string_agg");
            } else if (n == 4 && strncmp(w, "user", 4) == 0) {
                sb_str(&b, "\"user\""); /* the audit log's column; a keyword in PostgreSQL */
            } else if (word_is(w, n, "LIKE")) {
                sb_str(&b, "ILIKE");
            } else if (word_is(w, n, "IS") && *after == '?') {
                sb_str(&b, "IS NOT DISTINCT FROM");
            } else if (word_is(w, n, "AS") && strncasecmp(after, "INTEGER", 7) == 0 &&
                       !is_word(after[7])) {
                sb_str(&b, "AS BIGINT");
                s = after + 7;
            } else {
                sb_add(&b, w, n);
            }
            continue;
        }
        sb_add(&b, s, 1);
        s++;
    }
    if (b.oom || b.p == NULL) {
        free(b.p);
        return WBI_DB_NOMEM;
    }
    const char *first = skip_space(b.p);
    bool insert = strncasecmp(first, "INSERT", 6) == 0;
    p->write =
        insert || strncasecmp(first, "UPDATE", 6) == 0 || strncasecmp(first, "DELETE", 6) == 0;
    const char *ret = find_word(b.p, "RETURNING");
    char *out = b.p;
    if (ignore) {
        /* before RETURNING, or at the end */
        sbuf o = {0};
        size_t at = ret ? (size_t)(ret - b.p) : b.n;
        sb_add(&o, b.p, at);
        sb_str(&o, " ON CONFLICT DO NOTHING ");
        sb_str(&o, b.p + at);
        free(b.p);
        if (o.oom) {
            free(o.p);
            return WBI_DB_NOMEM;
        }
        out = o.p;
        ret = find_word(out, "RETURNING");
    }
    if (insert && ret == NULL) {
        const char *t = find_word(out, "INTO");
        if (t) {
            t = skip_space(t + 4);
            const char *e = t;
            while (is_word(*e))
                e++;
            if (has_id_table(d, t, (size_t)(e - t))) {
                sbuf o = {0};
                sb_str(&o, out);
                sb_str(&o, " RETURNING id");
                free(out);
                if (o.oom) {
                    free(o.p);
                    return WBI_DB_NOMEM;
                }
                out = o.p;
                p->auto_id = true;
            }
        }
    }
    p->sql = out;
    p->nparams = maxp;
    return maxp > MAX_PARAMS ? WBI_DB_ERROR : WBI_DB_OK;
}

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static pgprep *lookup(pgdb *d, const char *sql, int *rc)
{
    unsigned h = hash(sql) % NBUCKETS;
    for (pgprep *p = d->buckets[h]; p; p = p->next)
        if (strcmp(p->key, sql) == 0) return p;
    pgprep *p = calloc(1, sizeof *p);
    if (p == NULL || (p->key = strdup(sql)) == NULL) {
        free(p);
        *rc = WBI_DB_NOMEM;
        set_err(d, WBI_DB_NOMEM, "out of memory");
        return NULL;
    }
    *rc = translate(d, sql, p);
    if (*rc) {
        set_err(d, *rc, *rc == WBI_DB_NOMEM ? "out of memory" : "too many parameters");
        free(p->key);
        free(p->sql);
        free(p);
        return NULL;
    }
    p->next = d->buckets[h];
    d->buckets[h] = p;
    return p;
}

/* ---- statements ---------------------------------------------------------------- */

static int pg_prepare(wbi_db *db, const char *sql, bool persistent, wbi_stmt **out)
{
    pgdb *d = (pgdb *)db;
    *out = NULL;
    int rc = 0;
    pgprep *p = lookup(d, sql, &rc);
    if (p == NULL) return rc;
    pgst *st = calloc(1, sizeof *st);
    if (st == NULL) {
        set_err(d, WBI_DB_NOMEM, "out of memory");
        return WBI_DB_NOMEM;
    }
    st->base.vt = &pg_vt;
    st->db = d;
    st->p = p;
    for (int i = 0; i < MAX_PARAMS; i++)
        st->lens[i] = 0;
    *out = &st->base;
    return WBI_DB_OK;
}

static pgst *ST(wbi_stmt *s)
{
    return (pgst *)s;
}

static void clear_dec(pgst *st)
{
    for (int i = 0; i < st->ndec; i++) {
        if (st->dec[i]) PQfreemem(st->dec[i]);
        st->dec[i] = NULL;
    }
}

static void clear_param(pgst *st, int i)
{
    if (st->own[i]) free(st->vals[i]);
    st->vals[i] = NULL;
    st->own[i] = false;
    st->lens[i] = 0;
    st->fmts[i] = 0;
    st->types[i] = 0;
}

static void pg_reset(wbi_stmt *s)
{
    pgst *st = ST(s);
    PQclear(st->res);
    st->res = NULL;
    clear_dec(st);
    for (int i = 0; i < MAX_PARAMS; i++)
        if (st->vals[i] || st->types[i]) clear_param(st, i);
}

static void pg_finalize(wbi_stmt *s)
{
    pgst *st = ST(s);
    pg_reset(s);
    free(st->dec);
    free(st->declen);
    free(st);
}

static bool param_ok(pgst *st, int i)
{
    return i >= 1 && i <= MAX_PARAMS;
}

static void pg_bind_i64(wbi_stmt *s, int i, int64_t v)
{
    pgst *st = ST(s);
    if (!param_ok(st, i)) return;
    clear_param(st, i - 1);
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)v);
    st->vals[i - 1] = strdup(num);
    st->own[i - 1] = st->vals[i - 1] != NULL;
    st->types[i - 1] = INT8_OID;
}

static void pg_bind_text(wbi_stmt *s, int i, const char *v, bool copy)
{
    pgst *st = ST(s);
    if (!param_ok(st, i)) return;
    clear_param(st, i - 1);
    if (v == NULL) return;
    /* Copied always: the caller's buffer may change before the first step. */
    st->vals[i - 1] = strdup(v);
    st->own[i - 1] = st->vals[i - 1] != NULL;
    st->types[i - 1] = TEXT_OID;
    (void)copy;
}

static void pg_bind_blob(wbi_stmt *s, int i, const void *v, size_t n, bool copy)
{
    pgst *st = ST(s);
    if (!param_ok(st, i)) return;
    clear_param(st, i - 1);
    char *c = malloc(n ? n : 1);
    if (c == NULL) return;
    if (n) memcpy(c, v, n);
    st->vals[i - 1] = c;
    st->own[i - 1] = true;
    st->lens[i - 1] = (int)n;
    st->fmts[i - 1] = 1;
    st->types[i - 1] = BYTEA_OID;
    (void)copy;
}

static void pg_bind_null(wbi_stmt *s, int i)
{
    pgst *st = ST(s);
    if (param_ok(st, i)) clear_param(st, i - 1);
}

/* Runs sql as a simple query (no parameters); 0 or a code. */
static int simple(pgdb *d, const char *sql)
{
    PGresult *r = PQexec(d->c, sql);
    int rc = ok_res(r) ? WBI_DB_OK : fail_res(d, r);
    PQclear(r);
    return rc;
}

/* The preparation for the kinds of parameters bound now, made when new
 * (unprepared: name empty). NULL when out of memory. */
static pgvar *variant(pgst *st)
{
    char sig[MAX_PARAMS + 1];
    int n = st->p->nparams;
    for (int i = 0; i < n; i++)
        sig[i] = st->vals[i] == NULL         ? 'n'
                 : st->types[i] == INT8_OID  ? 'i'
                 : st->types[i] == BYTEA_OID ? 'b'
                                             : 't';
    sig[n] = '\0';
    for (pgvar *v = st->p->vars; v; v = v->next)
        if (strcmp(v->sig, sig) == 0) return v;
    pgvar *v = calloc(1, sizeof *v);
    if (v == NULL) return NULL;
    memcpy(v->sig, sig, (size_t)n + 1);
    v->next = st->p->vars;
    st->p->vars = v;
    return v;
}

/* Prepares st's statement for variant v. Integers are int8 and blobs
 * bytea; text is text (its column's collation decides how it compares);
 * a NULL is left to the server to infer from where it stands, and when
 * it cannot (a parameter that is only ever tested IS NULL), text. Inside
 * a transaction under a savepoint: a failed prepare would abort it. */
static int prepare_on_server(pgst *st, pgvar *v)
{
    pgdb *d = st->db;
    pgprep *p = st->p;
    char name[24];
    snprintf(name, sizeof name, "wb%d", ++d->nprep);
    bool txn = PQtransactionStatus(d->c) == PQTRANS_INTRANS;
    if (txn && simple(d, "SAVEPOINT wb_pp")) return d->errcode;
    Oid types[MAX_PARAMS];
    memcpy(types, st->types, sizeof types);
    PGresult *r = PQprepare(d->c, name, p->sql, p->nparams, types);
    const char *state = ok_res(r) ? NULL : PQresultErrorField(r, PG_DIAG_SQLSTATE);
    /* 42P18 indeterminate, 42P08 ambiguous: a NULL the server cannot place */
    if (state && (strcmp(state, "42P18") == 0 || strcmp(state, "42P08") == 0)) {
        PQclear(r);
        if (txn) simple(d, "ROLLBACK TO SAVEPOINT wb_pp");
        for (int i = 0; i < p->nparams; i++)
            if (types[i] == 0) types[i] = TEXT_OID;
        r = PQprepare(d->c, name, p->sql, p->nparams, types);
    }
    int rc = 0;
    if (!ok_res(r)) {
        rc = fail_res(d, r);
    }
    PQclear(r);
    if (txn) simple(d, rc ? "ROLLBACK TO SAVEPOINT wb_pp" : "RELEASE SAVEPOINT wb_pp");
    if (rc == 0) snprintf(v->name, sizeof v->name, "%s", name);
    return rc;
}

static int execute(pgst *st)
{
    pgdb *d = st->db;
    pgprep *p = st->p;
    pgvar *v = variant(st);
    if (v == NULL) {
        set_err(d, WBI_DB_NOMEM, "out of memory");
        return WBI_DB_NOMEM;
    }
    if (v->name[0] == '\0') {
        int rc = prepare_on_server(st, v);
        if (rc) return rc;
    }
    bool txn = PQtransactionStatus(d->c) == PQTRANS_INTRANS;
    if (!txn) d->sp = false;
    if (p->write && txn) {
        int rc = simple(d, d->sp ? "RELEASE SAVEPOINT wb_sp; SAVEPOINT wb_sp" : "SAVEPOINT wb_sp");
        if (rc) return rc;
        d->sp = true;
    }
    st->res = PQexecPrepared(d->c, v->name, p->nparams, (const char *const *)st->vals, st->lens,
                             st->fmts, 0);
    if (!ok_res(st->res)) {
        int rc = fail_res(d, st->res);
        PQclear(st->res);
        st->res = NULL;
        if (p->write && txn) simple(d, "ROLLBACK TO SAVEPOINT wb_sp");
        return rc;
    }
    const char *n = PQcmdTuples(st->res);
    if (n && *n) d->changes = strtoll(n, NULL, 10);
    st->nrows = PQntuples(st->res);
    st->row = -1;
    int cols = PQnfields(st->res);
    if (cols > st->ndec) {
        unsigned char **dec = realloc(st->dec, (size_t)cols * sizeof *dec);
        if (dec == NULL) return WBI_DB_NOMEM;
        st->dec = dec;
        size_t *dl = realloc(st->declen, (size_t)cols * sizeof *dl);
        if (dl == NULL) return WBI_DB_NOMEM;
        st->declen = dl;
        for (int i = st->ndec; i < cols; i++)
            st->dec[i] = NULL;
        st->ndec = cols;
    }
    if (p->auto_id && st->nrows > 0) {
        d->last_id = strtoll(PQgetvalue(st->res, st->nrows - 1, 0), NULL, 10);
        st->row = st->nrows;
    }
    return WBI_DB_OK;
}

static int pg_step(wbi_stmt *s)
{
    pgst *st = ST(s);
    if (st->res == NULL) {
        int rc = execute(st);
        if (rc) return rc;
    }
    clear_dec(st);
    if (st->row < st->nrows) st->row++;
    return st->row < st->nrows ? WBI_DB_ROW : WBI_DB_DONE;
}

static bool have(pgst *st, int i)
{
    return st->res && st->row >= 0 && st->row < st->nrows && i >= 0 && i < PQnfields(st->res);
}

static bool pg_col_null(wbi_stmt *s, int i)
{
    pgst *st = ST(s);
    return !have(st, i) || PQgetisnull(st->res, st->row, i);
}

static int64_t pg_col_i64(wbi_stmt *s, int i)
{
    pgst *st = ST(s);
    if (pg_col_null(s, i)) return 0;
    const char *v = PQgetvalue(st->res, st->row, i);
    if (v[0] == 't' && v[1] == '\0') return 1; /* booleans */
    if (v[0] == 'f' && v[1] == '\0') return 0;
    return strtoll(v, NULL, 10);
}

static const char *pg_col_text(wbi_stmt *s, int i)
{
    pgst *st = ST(s);
    if (pg_col_null(s, i)) return NULL;
    return PQgetvalue(st->res, st->row, i);
}

static bool decode(pgst *st, int i)
{
    if (pg_col_null(&st->base, i)) return false;
    if (PQftype(st->res, i) != BYTEA_OID) return false;
    if (st->dec[i] == NULL) {
        size_t n = 0;
        st->dec[i] = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, i), &n);
        st->declen[i] = n;
    }
    return st->dec[i] != NULL;
}

static const void *pg_col_blob(wbi_stmt *s, int i)
{
    pgst *st = ST(s);
    if (decode(st, i)) return st->dec[i];
    return pg_col_text(s, i);
}

static int pg_col_bytes(wbi_stmt *s, int i)
{
    pgst *st = ST(s);
    if (decode(st, i)) return (int)st->declen[i];
    const char *t = pg_col_text(s, i);
    return t ? (int)strlen(t) : 0;
}

/* ---- the connection ---------------------------------------------------------- */

static int pg_exec(wbi_db *db, const char *sql)
{
    pgdb *d = (pgdb *)db;
    int rc = simple(d, sql);
    if (PQtransactionStatus(d->c) != PQTRANS_INTRANS) d->sp = false;
    return rc;
}

static int64_t pg_changes(wbi_db *db)
{
    return ((pgdb *)db)->changes;
}

static int64_t pg_last_id(wbi_db *db)
{
    return ((pgdb *)db)->last_id;
}

static bool pg_in_txn(wbi_db *db)
{
    PGTransactionStatusType t = PQtransactionStatus(((pgdb *)db)->c);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

static int pg_errcode(wbi_db *db)
{
    return ((pgdb *)db)->errcode;
}

static const char *pg_errmsg(wbi_db *db)
{
    pgdb *d = (pgdb *)db;
    return d->errmsg ? d->errmsg : "no error";
}

static void forget_id_tables(pgdb *d)
{
    for (size_t i = 0; i < d->n_id_tables; i++)
        free(d->id_tables[i]);
    free(d->id_tables);
    d->id_tables = NULL;
    d->n_id_tables = 0;
}

static void pg_close(wbi_db *db)
{
    pgdb *d = (pgdb *)db;
    for (int h = 0; h < NBUCKETS; h++) {
        for (pgprep *p = d->buckets[h], *n; p; p = n) {
            n = p->next;
            for (pgvar *v = p->vars, *vn; v; v = vn) {
                vn = v->next;
                free(v);
            }
            free(p->key);
            free(p->sql);
            free(p);
        }
    }
    forget_id_tables(d);
    PQfinish(d->c);
    free(d->errmsg);
    free(d);
}

static const wbi_db_vt pg_vt = {
    .dialect = WBI_DB_POSTGRES,
    .prepare = pg_prepare,
    .exec = pg_exec,
    .step = pg_step,
    .reset = pg_reset,
    .finalize = pg_finalize,
    .bind_i64 = pg_bind_i64,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .col_i64 = pg_col_i64,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .col_bytes = pg_col_bytes,
    .col_null = pg_col_null,
    .changes = pg_changes,
    .last_id = pg_last_id,
    .in_txn = pg_in_txn,
    .errcode = pg_errcode,
    .errmsg = pg_errmsg,
    .close = pg_close,
};

/* Quiet: the server's NOTICEs (an IF NOT EXISTS that found the table)
 * are not the user's business. */
static void no_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

int wbi_db_pg_open(const char *conninfo, wbi_db **out)
{
    *out = NULL;
    pgdb *d = calloc(1, sizeof *d);
    if (d == NULL) return WBI_DB_NOMEM;
    d->base.vt = &pg_vt;
    *out = &d->base;
    d->c = PQconnectdb(conninfo);
    if (d->c == NULL) {
        set_err(d, WBI_DB_NOMEM, "out of memory");
        return WBI_DB_NOMEM;
    }
    if (PQstatus(d->c) != CONNECTION_OK) {
        set_err(d, WBI_DB_ERROR, PQerrorMessage(d->c));
        return WBI_DB_ERROR;
    }
    PQsetNoticeProcessor(d->c, no_notice, NULL);
    /* UTC and ISO for anything that prints a time; our times are integers. */
    return simple(d, "SET TIME ZONE 'UTC'; SET client_min_messages=warning");
}

int wbi_db_pg_learn_tables(wbi_db *db)
{
    pgdb *d = (pgdb *)db;
    if (db->vt != &pg_vt) return WBI_DB_OK;
    PGresult *r = PQexec(d->c, "SELECT table_name FROM information_schema.columns"
                               " WHERE column_name='id' AND table_schema=current_schema()");
    if (!ok_res(r)) {
        int rc = fail_res(d, r);
        PQclear(r);
        return rc;
    }
    forget_id_tables(d);
    int n = PQntuples(r);
    d->id_tables = calloc((size_t)n + 1, sizeof *d->id_tables);
    for (int i = 0; d->id_tables && i < n; i++) {
        d->id_tables[i] = strdup(PQgetvalue(r, i, 0));
        if (d->id_tables[i]) d->n_id_tables++;
    }
    PQclear(r);
    return d->id_tables ? WBI_DB_OK : WBI_DB_NOMEM;
}
