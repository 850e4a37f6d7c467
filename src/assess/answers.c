/*
 * answers.c - the answers of an assessment: one per assessable requirement
 * with a maturity level 0-5 or n/a, evidence, owner, due date and note;
 * imported from and exported to CSV and JSON so that an organisation can
 * fill a spreadsheet and load it back.
 *
 * Import is all or nothing: every row is checked before anything is
 * returned, and the first bad row's number, column and reason become the
 * error. CSV follows RFC 4180 (quoted fields with "" inside, CRLF or LF),
 * with a UTF-8 byte order mark skipped and ';' accepted as the separator
 * when the header uses it, because Dutch spreadsheet programs write that.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess/assess_internal.h"
#include "core/zip.h"
#include "weerbaar/io.h"
#include "core/core_internal.h"

#define CSV_MAX_COLUMNS 32

enum { COL_REF, COL_LEVEL, COL_EVIDENCE, COL_OWNER, COL_DUE, COL_NOTE, NCOLS };
static const char *const col_names[NCOLS] = {"ref", "level", "evidence", "owner", "due", "note"};

static int oom(wb_error *err)
{
    return wb_error_set(err, WB_ENOMEM, "out of memory");
}

/* ---- the set ----------------------------------------------------------------- */

wb_answers *wb_answers_new(void)
{
    wb_answers *a = calloc(1, sizeof *a);
    if (a) wb_arena_init(&a->arena, 16384);
    return a;
}

void wb_answers_free(wb_answers *a)
{
    if (a == NULL) return;
    wb_arena_free(&a->arena);
    free(a->items);
    free(a->slots);
    free(a);
}

static size_t ref_hash(const char *ref)
{
    return (size_t)wb_hash64(ref, strlen(ref), 0xa115);
}

/* Slot of ref: its answer's slot or the empty one where it would go. */
static size_t slot_of(const wb_answers *a, const char *ref)
{
    size_t mask = a->nslots - 1, h = ref_hash(ref) & mask;
    while (a->slots[h] && strcmp(a->items[a->slots[h] - 1].ref, ref) != 0)
        h = (h + 1) & mask;
    return h;
}

static int grow(wb_answers *a)
{
    if (a->n + 1 <= a->cap) return 0;
    size_t cap = a->cap ? a->cap * 2 : 64;
    wb_answer *items = realloc(a->items, cap * sizeof *items);
    if (items == NULL) return WB_ENOMEM;
    a->items = items;
    a->cap = cap;
    /* keep the index at most half full */
    size_t *slots = calloc(cap * 2, sizeof *slots);
    if (slots == NULL) return WB_ENOMEM;
    free(a->slots);
    a->slots = slots;
    a->nslots = cap * 2;
    for (size_t i = 0; i < a->n; i++)
        a->slots[slot_of(a, a->items[i].ref)] = i + 1;
    return 0;
}

static const char *dup_or_null(wb_arena *ar, const char *s, bool *failed)
{
    if (s == NULL || s[0] == '\0') return NULL;
    const char *d = wb_arena_strdup(ar, s);
    if (d == NULL) *failed = true;
    return d;
}

int wb_answers_set(wb_answers *a, const wb_answer *ans, wb_error *err)
{
    if (ans->ref == NULL || ans->ref[0] == '\0')
        return wb_error_set(err, WB_EINVAL, "an answer needs a ref");
    if (ans->level != WB_LEVEL_NA && (ans->level < 0 || ans->level > WB_ASSESS_MAX_LEVEL))
        return wb_error_set(err, WB_EINVAL, "%s: level %d is not 0-%d or n/a", ans->ref, ans->level,
                            WB_ASSESS_MAX_LEVEL);
    if (grow(a) != 0) return oom(err);
    bool failed = false;
    wb_answer c = *ans;
    c.ref = wb_arena_strdup(&a->arena, ans->ref);
    c.evidence = dup_or_null(&a->arena, ans->evidence, &failed);
    c.owner = dup_or_null(&a->arena, ans->owner, &failed);
    c.note = dup_or_null(&a->arena, ans->note, &failed);
    if (c.ref == NULL || failed) return oom(err);
    size_t h = slot_of(a, c.ref);
    if (a->slots[h]) {
        a->items[a->slots[h] - 1] = c;
    } else {
        a->items[a->n++] = c;
        a->slots[h] = a->n;
    }
    return 0;
}

const wb_answer *wb_answers_find(const wb_answers *a, const char *ref)
{
    if (a == NULL || a->nslots == 0) return NULL;
    size_t h = slot_of(a, ref);
    return a->slots[h] ? &a->items[a->slots[h] - 1] : NULL;
}

/* ---- field checks shared by CSV and JSON ------------------------------------------ */

static bool utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        size_t k;
        unsigned min;
        if (c == 0) return false;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            k = 1, min = 0x80, c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2, min = 0x800, c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        if (n - i <= k) return false;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80) return false;
            c = (c << 6) | (p[i + j] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return false;
        i += k + 1;
    }
    return true;
}

/* Trims spaces and tabs in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Each check writes its reason into why (at most 200 bytes) and returns -1. */
static int check_level(const char *s, int *level, char *why, size_t cap)
{
    int64_t v;
    if (wb_strn_ieq(s, strlen(s), "n/a")) {
        *level = WB_LEVEL_NA;
        return 0;
    }
    if (wb_parse_i64(s, strlen(s), 0, WB_ASSESS_MAX_LEVEL, &v) == 0) {
        *level = (int)v;
        return 0;
    }
    snprintf(why, cap, "'%.40s' is not a level: 0 to %d, or n/a for not applicable", s,
             WB_ASSESS_MAX_LEVEL);
    return -1;
}

static int check_due(const char *s, wb_time *due, char *why, size_t cap)
{
    *due = WB_TIME_NONE;
    if (s[0] == '\0') return 0;
    /* a date alone: a time of day would suggest a precision nobody means */
    if (strlen(s) == 10 && wb_time_parse(s, 10, due) == 0) return 0;
    *due = WB_TIME_NONE;
    snprintf(why, cap, "'%.40s' is not a date (YYYY-MM-DD)", s);
    return -1;
}

static int check_text(const char *s, char *why, size_t cap)
{
    size_t n = strlen(s);
    if (n > WB_ANSWERS_MAX_FIELD) {
        snprintf(why, cap, "longer than %d bytes", WB_ANSWERS_MAX_FIELD);
        return -1;
    }
    if (!utf8_valid(s, n)) {
        snprintf(why, cap, "not valid UTF-8 text (save the file as UTF-8)");
        return -1;
    }
    return 0;
}

/* The ref against the catalogue; *key is what to store. */
static int check_ref(const wb_catalogue *cat, const char *ref, const char **key, char *why,
                     size_t cap)
{
    *key = ref;
    if (ref[0] == '\0') {
        snprintf(why, cap, "no ref");
        return -1;
    }
    /* CSV trims cells; JSON must not keep what a CSV export would lose */
    size_t n = strlen(ref);
    if (strchr(" \t\r\n", ref[0]) || strchr(" \t\r\n", ref[n - 1])) {
        snprintf(why, cap, "'%.60s' begins or ends with white space", ref);
        return -1;
    }
    if (cat == NULL) return 0;
    const wb_req_node *node = wb_catalogue_find(cat, ref);
    if (node == NULL) {
        snprintf(why, cap, "'%.60s' is not a requirement of %s", ref, cat->name);
        return -1;
    }
    if (!node->assessable) {
        snprintf(why, cap, "'%.60s' is a heading in %s, not an assessable requirement", ref,
                 cat->name);
        return -1;
    }
    *key = node->key;
    return 0;
}

/* ---- CSV ------------------------------------------------------------------------- */

typedef struct csv_reader {
    const char *p, *end;
    char sep;
    size_t line; /* of the next byte */
    wb_buf field;
    char *fields[CSV_MAX_COLUMNS];
    size_t nfields;
    wb_buf store; /* the record's fields, NUL-separated */
} csv_reader;

/* Reads one record. 1 with fields set, 0 at the end, or -1 with why set. */
static int csv_record(csv_reader *r, char *why, size_t cap)
{
    if (r->p >= r->end) return 0;
    size_t offs[CSV_MAX_COLUMNS];
    wb_buf_reset(&r->store);
    r->nfields = 0;
    for (;;) {
        wb_buf_reset(&r->field);
        bool quoted = false;
        if (r->p < r->end && *r->p == '"') {
            quoted = true;
            r->p++;
            for (;;) {
                if (r->p >= r->end) {
                    snprintf(why, cap, "a quoted field is not closed");
                    return -1;
                }
                char c = *r->p++;
                if (c == '"') {
                    if (r->p < r->end && *r->p == '"') {
                        r->p++;
                    } else {
                        break;
                    }
                } else if (c == '\n') {
                    r->line++;
                }
                if (wb_buf_putc(&r->field, c) != 0) return -2;
                if (r->field.len > WB_ANSWERS_MAX_FIELD) {
                    snprintf(why, cap, "a field longer than %d bytes", WB_ANSWERS_MAX_FIELD);
                    return -1;
                }
            }
        }
        while (r->p < r->end && *r->p != r->sep && *r->p != '\n') {
            if (quoted) {
                if (*r->p != '\r' && *r->p != ' ' && *r->p != '\t') {
                    snprintf(why, cap,
                             "text after a closing quote (write \"\" for a quote inside)");
                    return -1;
                }
                r->p++;
                continue;
            }
            if (wb_buf_putc(&r->field, *r->p++) != 0) return -2;
            if (r->field.len > WB_ANSWERS_MAX_FIELD) {
                snprintf(why, cap, "a field longer than %d bytes", WB_ANSWERS_MAX_FIELD);
                return -1;
            }
        }
        if (r->nfields >= CSV_MAX_COLUMNS) {
            snprintf(why, cap, "more than %d columns", CSV_MAX_COLUMNS);
            return -1;
        }
        if (memchr(r->field.data ? r->field.data : "", '\0', r->field.len)) {
            snprintf(why, cap, "a NUL byte in a field");
            return -1;
        }
        offs[r->nfields++] = r->store.len;
        if (wb_buf_append(&r->store, r->field.data ? r->field.data : "", r->field.len) != 0 ||
            wb_buf_putc(&r->store, '\0') != 0)
            return -2;
        if (r->p < r->end && *r->p == r->sep) {
            r->p++;
            continue;
        }
        if (r->p < r->end) r->p++; /* the newline */
        r->line++;
        break;
    }
    for (size_t i = 0; i < r->nfields; i++)
        r->fields[i] = r->store.data + offs[i];
    return 1;
}

static bool record_blank(const csv_reader *r)
{
    for (size_t i = 0; i < r->nfields; i++) {
        const char *s = r->fields[i];
        while (*s == ' ' || *s == '\t' || *s == '\r')
            s++;
        if (*s) return false;
    }
    return true;
}

/* The separator: ';' when the header line has one outside quotes and no ','. */
static char csv_separator(const char *p, const char *end)
{
    bool q = false, comma = false, semi = false;
    for (; p < end && (q || *p != '\n'); p++) {
        if (*p == '"') q = !q;
        if (!q && *p == ',') comma = true;
        if (!q && *p == ';') semi = true;
    }
    return semi && !comma ? ';' : ',';
}

typedef struct csv_job {
    const char *name;
    const wb_catalogue *cat;
    wb_answers *out;
    long *seen_row; /* per node with a catalogue: the row that answered it */
    wb_error *err;
} csv_job;

static int row_error(csv_job *j, size_t line, size_t row, const char *col, const char *why)
{
    if (col)
        return wb_error_set(j->err, WB_EPARSE, "%s:%zu: row %zu, column %s: %s", j->name, line, row,
                            col, why);
    return wb_error_set(j->err, WB_EPARSE, "%s:%zu: row %zu: %s", j->name, line, row, why);
}

static int csv_header(csv_job *j, csv_reader *r, int *colmap, int *where)
{
    char why[256];
    for (int c = 0; c < NCOLS; c++)
        where[c] = -1;
    for (size_t i = 0; i < r->nfields; i++) {
        char *h = trim(r->fields[i]);
        int c = 0;
        while (c < NCOLS && !wb_strn_ieq(h, strlen(h), col_names[c]))
            c++;
        /* what `assess template` writes for people to read: not answers */
        if (c == NCOLS &&
            (wb_strn_ieq(h, strlen(h), "requirement") || wb_strn_ieq(h, strlen(h), "levels"))) {
            colmap[i] = -1;
            continue;
        }
        if (c == NCOLS) {
            snprintf(why, sizeof why,
                     "unknown column '%.40s' (the columns are ref, level, evidence, owner, due, "
                     "note)",
                     h);
            return row_error(j, 1, 1, NULL, why);
        }
        if (where[c] >= 0) {
            snprintf(why, sizeof why, "column %s appears twice", col_names[c]);
            return row_error(j, 1, 1, NULL, why);
        }
        where[c] = (int)i;
        colmap[i] = c;
    }
    for (int c = COL_REF; c <= COL_LEVEL; c++) {
        if (where[c] < 0) {
            snprintf(why, sizeof why,
                     "the header has no %s column (expected ref,level,evidence,owner,due,note)",
                     col_names[c]);
            return row_error(j, 1, 1, NULL, why);
        }
    }
    return 0;
}

static int csv_row(csv_job *j, csv_reader *r, const int *where, size_t ncols, size_t line,
                   size_t row)
{
    char why[256];
    if (r->nfields > ncols) {
        snprintf(why, sizeof why, "%zu fields, but the header names %zu columns", r->nfields,
                 ncols);
        return row_error(j, line, row, NULL, why);
    }
    const char *v[NCOLS];
    for (int c = 0; c < NCOLS; c++)
        v[c] = where[c] >= 0 && (size_t)where[c] < r->nfields ? trim(r->fields[where[c]]) : "";
    if (v[COL_LEVEL][0] == '\0') {
        /* a template row nobody filled in: not an answer, not an error */
        bool empty = true;
        for (int c = COL_EVIDENCE; c < NCOLS; c++)
            empty &= v[c][0] == '\0';
        if (empty) return 0;
        return row_error(j, line, row, "level", "no level; give 0 to 5, or n/a for not applicable");
    }
    wb_answer a = {0};
    a.row = row;
    for (int c = COL_REF; c < NCOLS; c++)
        if (check_text(v[c], why, sizeof why) != 0)
            return row_error(j, line, row, col_names[c], why);
    if (check_ref(j->cat, v[COL_REF], &a.ref, why, sizeof why) != 0)
        return row_error(j, line, row, "ref", why);
    if (check_level(v[COL_LEVEL], &a.level, why, sizeof why) != 0)
        return row_error(j, line, row, "level", why);
    if (check_due(v[COL_DUE], &a.due, why, sizeof why) != 0)
        return row_error(j, line, row, "due", why);
    a.evidence = v[COL_EVIDENCE];
    a.owner = v[COL_OWNER];
    a.note = v[COL_NOTE];
    const wb_answer *prev = wb_answers_find(j->out, a.ref);
    if (prev) {
        snprintf(why, sizeof why, "'%.60s' is already answered in row %zu", a.ref, prev->row);
        return row_error(j, line, row, "ref", why);
    }
    return wb_answers_set(j->out, &a, j->err);
}

int wb_answers_parse_csv(const char *data, size_t len, const char *name, const wb_catalogue *cat,
                         wb_answers **out, wb_error *err)
{
    *out = NULL;
    if (len > WB_ANSWERS_MAX_BYTES)
        return wb_error_set(err, WB_ELIMIT, "%s: larger than %u bytes", name, WB_ANSWERS_MAX_BYTES);
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) data += 3, len -= 3;
    csv_job j = {name, cat, wb_answers_new(), NULL, err};
    if (j.out == NULL) return oom(err);
    csv_reader r = {.p = data, .end = data + len, .line = 1};
    r.sep = csv_separator(data, data + len);
    int colmap[CSV_MAX_COLUMNS], where[NCOLS];
    char why[256];
    size_t row = 0, ncols = 0;
    int rc = 0;
    for (;;) {
        size_t line = r.line;
        int got = csv_record(&r, why, sizeof why);
        if (got == 0) break;
        row++;
        if (got == -2) {
            rc = oom(err);
            break;
        }
        if (got < 0) {
            rc = row_error(&j, line, row, NULL, why);
            break;
        }
        if (row == 1) {
            ncols = r.nfields;
            rc = csv_header(&j, &r, colmap, where);
        } else if (!record_blank(&r)) {
            if (j.out->n >= WB_ANSWERS_MAX_ROWS) {
                rc = wb_error_set(err, WB_ELIMIT, "%s:%zu: more than %d answers", name, line,
                                  WB_ANSWERS_MAX_ROWS);
            } else {
                rc = csv_row(&j, &r, where, ncols, line, row);
            }
        }
        if (rc) break;
    }
    if (rc == 0 && row == 0)
        rc = wb_error_set(err, WB_EPARSE,
                          "%s:1: empty; the first row names the columns ref,level,evidence,"
                          "owner,due,note",
                          name);
    wb_buf_free(&r.field);
    wb_buf_free(&r.store);
    if (rc) {
        wb_answers_free(j.out);
        return rc;
    }
    *out = j.out;
    return 0;
}

/* ---- JSON ------------------------------------------------------------------------- */

static int json_fail(wb_error *err, const char *name, size_t i, const char *member, const char *why)
{
    return wb_error_set(err, WB_EPARSE, "%s: $.answers[%zu]%s%s: %s", name, i, member ? "." : "",
                        member ? member : "", why);
}

static int json_answer(const char *name, const wb_catalogue *cat, wb_answers *out, size_t i,
                       json_t *o, wb_error *err)
{
    char why[256];
    if (!json_is_object(o)) return json_fail(err, name, i, NULL, "an answer must be an object");
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        int c = 0;
        while (c < NCOLS && strcmp(key, col_names[c]) != 0)
            c++;
        if (c == NCOLS) {
            snprintf(why, sizeof why,
                     "unknown member '%.40s' (the members are ref, level, evidence, owner, due, "
                     "note)",
                     key);
            return json_fail(err, name, i, NULL, why);
        }
    }
    const char *txt[NCOLS] = {0};
    for (int c = 0; c < NCOLS; c++) {
        if (c == COL_LEVEL) continue;
        v = json_object_get(o, col_names[c]);
        if (v == NULL || json_is_null(v)) {
            txt[c] = "";
        } else if (json_is_string(v)) {
            txt[c] = json_string_value(v);
            if (check_text(txt[c], why, sizeof why) != 0)
                return json_fail(err, name, i, col_names[c], why);
        } else {
            return json_fail(err, name, i, col_names[c], "must be a string");
        }
    }
    wb_answer a = {0};
    a.row = i + 1;
    if (check_ref(cat, txt[COL_REF], &a.ref, why, sizeof why) != 0)
        return json_fail(err, name, i, "ref", why);
    v = json_object_get(o, "level");
    if (json_is_integer(v) && json_integer_value(v) >= 0 &&
        json_integer_value(v) <= WB_ASSESS_MAX_LEVEL) {
        a.level = (int)json_integer_value(v);
    } else if (json_is_string(v)) {
        if (check_level(json_string_value(v), &a.level, why, sizeof why) != 0)
            return json_fail(err, name, i, "level", why);
    } else {
        return json_fail(err, name, i, "level",
                         v ? "not a level: 0 to 5, or \"n/a\" for not applicable"
                           : "missing: give 0 to 5, or \"n/a\" for not applicable");
    }
    if (check_due(txt[COL_DUE], &a.due, why, sizeof why) != 0)
        return json_fail(err, name, i, "due", why);
    a.evidence = txt[COL_EVIDENCE];
    a.owner = txt[COL_OWNER];
    a.note = txt[COL_NOTE];
    const wb_answer *prev = wb_answers_find(out, a.ref);
    if (prev) {
        snprintf(why, sizeof why, "'%.60s' is already answered in $.answers[%zu]", a.ref,
                 prev->row - 1);
        return json_fail(err, name, i, "ref", why);
    }
    return wb_answers_set(out, &a, err);
}

int wb_answers_parse_json(const char *data, size_t len, const char *name, const wb_catalogue *cat,
                          wb_answers **out, wb_error *err)
{
    *out = NULL;
    if (len > WB_ANSWERS_MAX_BYTES)
        return wb_error_set(err, WB_ELIMIT, "%s: larger than %u bytes", name, WB_ANSWERS_MAX_BYTES);
    json_error_t je;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL && wbi_core_json_oom(&je))
        return wb_error_set(err, WB_ENOMEM, "%s: out of memory", name);
    if (root == NULL)
        return wb_error_set(err, WB_EPARSE, "%s:%d: JSON: %s", name, je.line, je.text);
    json_t *list = json_is_object(root) ? json_object_get(root, "answers") : root;
    int rc = 0;
    if (!json_is_array(list)) {
        rc = wb_error_set(err, WB_EPARSE,
                          "%s: $%s: expected a list of answers (or an object with \"answers\")",
                          name, json_is_object(root) ? ".answers" : "");
    } else if (json_array_size(list) > WB_ANSWERS_MAX_ROWS) {
        rc = wb_error_set(err, WB_ELIMIT, "%s: $.answers: more than %d answers", name,
                          WB_ANSWERS_MAX_ROWS);
    }
    wb_answers *a = rc == 0 ? wb_answers_new() : NULL;
    if (rc == 0 && a == NULL) rc = oom(err);
    size_t i;
    json_t *o;
    if (rc == 0) {
        json_array_foreach(list, i, o)
        {
            rc = json_answer(name, cat, a, i, o, err);
            if (rc) break;
        }
    }
    json_decref(root);
    if (rc) {
        wb_answers_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

int wb_answers_parse(const char *data, size_t len, const char *name, const wb_catalogue *cat,
                     wb_answers **out, wb_error *err)
{
    size_t i = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < len && (data[i] == '{' || data[i] == '['))
        return wb_answers_parse_json(data, len, name, cat, out, err);
    if (wbi_core_zip_magic(data, len)) {
        /* an XLSX answer sheet: its first sheet as CSV, then as any CSV */
        *out = NULL;
        wb_buf csv = {0};
        int rc = wbi_assess_xlsx_csv(data, len, name, &csv, err);
        if (rc == 0)
            rc = wb_answers_parse_csv(csv.data ? csv.data : "", csv.len, name, cat, out, err);
        wb_buf_free(&csv);
        return rc;
    }
    return wb_answers_parse_csv(data, len, name, cat, out, err);
}

int wb_answers_load(const char *path, const wb_catalogue *cat, wb_answers **out, wb_error *err)
{
    char *data;
    size_t len;
    *out = NULL;
    int rc = wb_read_file(path, WB_ANSWERS_MAX_BYTES, &data, &len, err);
    if (rc) return rc;
    rc = wb_answers_parse(data, len, path, cat, out, err);
    free(data);
    return rc;
}

/* ---- writing ------------------------------------------------------------------------- */

static void format_date(wb_time t, char out[16])
{
    char full[40];
    wb_time_format(t, full, sizeof full);
    snprintf(out, 16, "%.10s", full);
}

int wbi_assess_csv_put(wb_buf *b, const char *s, bool last)
{
    int rc = 0;
    s = s ? s : "";
    bool quote = strpbrk(s, ",;\"\r\n") != NULL || s[0] == ' ' || s[0] == '\t' ||
                 (s[0] && (s[strlen(s) - 1] == ' ' || s[strlen(s) - 1] == '\t'));
    if (quote) {
        rc |= wb_buf_putc(b, '"');
        for (; *s; s++) {
            if (*s == '"') rc |= wb_buf_putc(b, '"');
            rc |= wb_buf_putc(b, *s);
        }
        rc |= wb_buf_putc(b, '"');
    } else {
        rc |= wb_buf_puts(b, s);
    }
    rc |= wb_buf_putc(b, last ? '\n' : ',');
    return rc ? WB_ENOMEM : 0;
}

int wb_answers_write_csv(const wb_answers *a, wb_buf *out)
{
    int rc = wb_buf_puts(out, "ref,level,evidence,owner,due,note\n");
    for (size_t i = 0; rc == 0 && i < a->n; i++) {
        const wb_answer *x = &a->items[i];
        char level[8], due[16] = "";
        if (x->level == WB_LEVEL_NA)
            snprintf(level, sizeof level, "n/a");
        else
            snprintf(level, sizeof level, "%d", x->level);
        if (x->due != WB_TIME_NONE) format_date(x->due, due);
        rc = wbi_assess_csv_put(out, x->ref, false);
        if (rc == 0) rc = wbi_assess_csv_put(out, level, false);
        if (rc == 0) rc = wbi_assess_csv_put(out, x->evidence, false);
        if (rc == 0) rc = wbi_assess_csv_put(out, x->owner, false);
        if (rc == 0) rc = wbi_assess_csv_put(out, due, false);
        if (rc == 0) rc = wbi_assess_csv_put(out, x->note, true);
    }
    return rc ? WB_ENOMEM : 0;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

int wb_answers_write_json(const wb_answers *a, const char *catalogue, wb_buf *out)
{
    json_t *root = json_object(), *list = json_array();
    int rc = root && list ? 0 : -1;
    if (rc == 0 && catalogue) rc = json_object_set_new(root, "catalogue", json_string(catalogue));
    if (rc == 0) rc = json_object_set(root, "answers", list);
    for (size_t i = 0; rc == 0 && i < a->n; i++) {
        const wb_answer *x = &a->items[i];
        char due[16];
        json_t *o = json_object();
        if (o == NULL) {
            rc = -1;
            break;
        }
        if (x->due != WB_TIME_NONE) format_date(x->due, due);
        rc =
            json_object_set_new(o, "ref", json_string(x->ref)) |
            json_object_set_new(
                o, "level", x->level == WB_LEVEL_NA ? json_string("n/a") : json_integer(x->level)) |
            json_object_set_new(o, "evidence", str_or_null(x->evidence)) |
            json_object_set_new(o, "owner", str_or_null(x->owner)) |
            json_object_set_new(o, "due", x->due != WB_TIME_NONE ? json_string(due) : json_null()) |
            json_object_set_new(o, "note", str_or_null(x->note));
        if (json_array_append_new(list, o) != 0) rc = -1;
    }
    char *text = rc == 0 ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(list);
    json_decref(root);
    if (text == NULL) return WB_ENOMEM;
    rc = wb_buf_puts(out, text) | wb_buf_putc(out, '\n');
    free(text);
    return rc ? WB_ENOMEM : 0;
}
