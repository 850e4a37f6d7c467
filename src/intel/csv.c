/*
 * csv.c - indicators from CSV files with a header (RFC 4180 quoting) and
 * from plain lists (one value a line, '#' comments, type guessed from the
 * value).
 *
 * These are the formats people export a million indicators in, so both
 * parse in place: fields point into the file's buffer, only quoted fields
 * with "" escapes are copied, into one scratch buffer reused for every row.
 * There is no allocation per line and no JSON.
 *
 * CSV header names are case-insensitive: the value column is `value`,
 * `indicator` or `ioc`; the type column `type`, `indicator_type` or
 * `ioc_type`; optional `event`, `uuid`/`attribute`, `tlp`, `valid_until`,
 * `source`. Type values are weerbaar's names (ip, cidr, domain, ...) or MISP
 * attribute types (ip-dst, domain|ip, filename|sha256, ...); without a type
 * column (or with an empty type) the type is guessed as in plain lists.
 */
#include <stdlib.h>
#include <string.h>

#include "intel/intel.h"

#define MAX_COLUMNS 256

enum { COL_VALUE, COL_TYPE, COL_EVENT, COL_ATTR, COL_TLP, COL_UNTIL, COL_SOURCE, COL_N };

typedef struct field {
    const char *p; /* NULL while the text lives in the scratch buffer at off */
    size_t off, n;
} field;

typedef struct csv {
    int col[COL_N]; /* column index, -1 when absent */
    size_t ncols;
    field f[MAX_COLUMNS];
    wb_buf event, attr, source; /* NUL-terminated copies for the sink */
} csv;

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_space((*s)[*n - 1]))
        (*n)--;
}

/* Splits one record starting at *pos. Fields beyond MAX_COLUMNS are counted
 * but not stored. Quoted fields may span lines; *lines counts the newlines
 * consumed. Returns the number of fields, or -1 for a quote left open at the
 * end of the data. */
static long split_record(const char *data, size_t len, size_t *pos, field *f, wb_buf *scratch,
                         size_t *lines)
{
    const char *end = data + len;
    const char *p = data + *pos;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *eol = nl ? nl : end;
    long nf = 0;
    *lines = 1;
    if (memchr(p, '"', (size_t)(eol - p)) == NULL) {
        /* Fast path: no quotes on this line. */
        for (;;) {
            const char *c = memchr(p, ',', (size_t)(eol - p));
            const char *fe = c ? c : eol;
            if (nf < MAX_COLUMNS) f[nf] = (field){p, 0, (size_t)(fe - p)};
            nf++;
            if (c == NULL) break;
            p = c + 1;
        }
        *pos = nl ? (size_t)(nl - data) + 1 : len;
        return nf;
    }
    wb_buf_reset(scratch);
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p < end && *p == '"') {
            size_t off = scratch->len;
            p++;
            for (;;) {
                const char *q = memchr(p, '"', (size_t)(end - p));
                if (q == NULL) return -1;
                for (const char *r = p; r < q; r++)
                    if (*r == '\n') (*lines)++;
                if (wb_buf_append(scratch, p, (size_t)(q - p)) != 0) return -1;
                p = q + 1;
                if (p < end && *p == '"') { /* "" is one quote */
                    if (wb_buf_putc(scratch, '"') != 0) return -1;
                    p++;
                    continue;
                }
                break;
            }
            if (nf < MAX_COLUMNS) f[nf] = (field){NULL, off, scratch->len - off};
            nf++;
            /* Whatever follows the closing quote up to the separator is
             * dropped, as most CSV readers do with `"a" ,b`. */
            while (p < end && *p != ',' && *p != '\n')
                p++;
        } else {
            const char *s = p;
            while (p < end && *p != ',' && *p != '\n')
                p++;
            if (nf < MAX_COLUMNS) f[nf] = (field){s, 0, (size_t)(p - s)};
            nf++;
        }
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        break;
    }
    *pos = p < end ? (size_t)(p - data) + 1 : len;
    return nf;
}

static void field_get(const csv *c, const wb_buf *scratch, long i, const char **s, size_t *n)
{
    const field *f = &c->f[i];
    *s = f->p ? f->p : scratch->data + f->off;
    *n = f->n;
    trim(s, n);
}

static bool blank_or_comment(const char *p, const char *end)
{
    while (p < end && is_space(*p))
        p++;
    return p == end || *p == '\n' || *p == '#';
}

static int header_column(const char *s, size_t n)
{
    static const struct {
        const char *name;
        int col;
    } names[] = {
        {"value", COL_VALUE},       {"indicator", COL_VALUE},     {"ioc", COL_VALUE},
        {"type", COL_TYPE},         {"indicator_type", COL_TYPE}, {"ioc_type", COL_TYPE},
        {"event", COL_EVENT},       {"event_uuid", COL_EVENT},    {"uuid", COL_ATTR},
        {"attribute", COL_ATTR},    {"attribute_uuid", COL_ATTR}, {"tlp", COL_TLP},
        {"valid_until", COL_UNTIL}, {"source", COL_SOURCE},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (wb_strn_ieq(s, n, names[i].name)) return names[i].col;
    return -1;
}

/* Copies a field into a NUL-terminated buffer, or returns NULL when empty. */
static const char *cstr(wb_buf *b, const char *s, size_t n, int *rc)
{
    if (n == 0) return NULL;
    wb_buf_reset(b);
    if (wb_buf_append(b, s, n) != 0) {
        *rc = WB_ENOMEM;
        return NULL;
    }
    return b->data;
}

static int parse_until(const char *s, size_t n, wb_time *out)
{
    size_t i = 0;
    while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
        i++;
    if (i == n) return wb_time_parse_epoch(s, n, out);
    return wb_time_parse(s, n, out);
}

static int row(wbi_ctx *ctx, csv *c, long nf, size_t line)
{
    const char *where = wbi_where_line(ctx, line);
    if ((size_t)nf != c->ncols) {
        wbi_skip(ctx, where, "wrong number of CSV columns");
        return 0;
    }
    const char *val[COL_N] = {0};
    size_t len[COL_N] = {0};
    for (int k = 0; k < COL_N; k++)
        if (c->col[k] >= 0) field_get(c, &ctx->tmp, c->col[k], &val[k], &len[k]);
    if (len[COL_VALUE] == 0) {
        wbi_skip(ctx, where, "empty value");
        return 0;
    }
    wb_ioc_in in = {
        .value = val[COL_VALUE],
        .len = len[COL_VALUE],
        .tlp = WB_TLP_UNSET,
        .valid_until = WB_TIME_NONE,
        .source = ctx->source,
        .where = where,
    };
    if (len[COL_TLP] && wb_tlp_parse(val[COL_TLP], len[COL_TLP], &in.tlp) != 0) {
        wbi_skip(ctx, where, "invalid TLP");
        return 0;
    }
    if (len[COL_UNTIL] && parse_until(val[COL_UNTIL], len[COL_UNTIL], &in.valid_until) != 0) {
        wbi_skip(ctx, where, "invalid valid_until");
        return 0;
    }
    int rc = 0;
    in.event = cstr(&c->event, val[COL_EVENT], len[COL_EVENT], &rc);
    in.attribute = cstr(&c->attr, val[COL_ATTR], len[COL_ATTR], &rc);
    const char *src = cstr(&c->source, val[COL_SOURCE], len[COL_SOURCE], &rc);
    if (src) in.source = src;
    if (rc) return wb_error_set(ctx->err, rc, "out of memory");
    if (len[COL_TYPE] == 0) {
        if (!wbi_guess_type(in.value, in.len, &in.type)) {
            wbi_skip(ctx, where, "cannot tell the indicator type");
            return 0;
        }
        return wbi_add(ctx, &in);
    }
    if (wb_ioc_type_parse(val[COL_TYPE], len[COL_TYPE], &in.type) == 0) return wbi_add(ctx, &in);
    const wbi_misp_type *mt = wbi_misp_type_find(val[COL_TYPE], len[COL_TYPE]);
    if (mt == NULL) {
        wbi_skip(ctx, where, "unknown indicator type");
        return 0;
    }
    return wbi_emit_misp(ctx, mt, &in);
}

/* Finds the header; returns its field count or a negative code. */
static int read_header(wbi_ctx *ctx, csv *c, const char *data, size_t len, size_t *pos,
                       size_t *line)
{
    while (*pos < len && blank_or_comment(data + *pos, data + len)) {
        const char *nl = memchr(data + *pos, '\n', len - *pos);
        *pos = nl ? (size_t)(nl - data) + 1 : len;
        (*line)++;
    }
    size_t hline = *line + 1, lines;
    long nf = split_record(data, len, pos, c->f, &ctx->tmp, &lines);
    *line += lines;
    if (nf < 0)
        return wb_error_set(ctx->err, WB_EPARSE, "%s:%zu: unterminated quoted field in header",
                            ctx->name, hline);
    if (nf > MAX_COLUMNS)
        return wb_error_set(ctx->err, WB_ELIMIT, "%s:%zu: more than %d columns", ctx->name, hline,
                            MAX_COLUMNS);
    for (int k = 0; k < COL_N; k++)
        c->col[k] = -1;
    for (long i = 0; i < nf; i++) {
        const char *s;
        size_t n;
        field_get(c, &ctx->tmp, i, &s, &n);
        int k = header_column(s, n);
        if (k >= 0 && c->col[k] < 0) c->col[k] = (int)i;
    }
    if (c->col[COL_VALUE] < 0)
        return wb_error_set(
            ctx->err, WB_EPARSE,
            "%s:%zu: the CSV header names no value column (value, indicator or ioc)", ctx->name,
            hline);
    c->ncols = (size_t)nf;
    return 0;
}

int wbi_csv_load(wbi_ctx *ctx, const char *data, size_t len)
{
    csv *c = calloc(1, sizeof *c);
    if (c == NULL) return wb_error_set(ctx->err, WB_ENOMEM, "out of memory");
    size_t pos = 0, line = 0;
    int rc = read_header(ctx, c, data, len, &pos, &line);
    while (rc == 0 && pos < len) {
        if (blank_or_comment(data + pos, data + len)) {
            const char *nl = memchr(data + pos, '\n', len - pos);
            pos = nl ? (size_t)(nl - data) + 1 : len;
            line++;
            continue;
        }
        size_t lines, start = line + 1;
        long nf = split_record(data, len, &pos, c->f, &ctx->tmp, &lines);
        line += lines;
        if (nf < 0) {
            wbi_skip(ctx, wbi_where_line(ctx, start), "unterminated quoted field");
            break;
        }
        rc = row(ctx, c, nf, start);
    }
    wb_buf_free(&c->event);
    wb_buf_free(&c->attr);
    wb_buf_free(&c->source);
    free(c);
    return rc;
}

int wbi_plain_load(wbi_ctx *ctx, const char *data, size_t len)
{
    size_t line = 0;
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        const char *s = p;
        size_t n = (size_t)(e - p);
        line++;
        p = e + 1;
        trim(&s, &n);
        if (n == 0 || s[0] == '#') continue;
        /* A trailing comment: '#' after white space ("1.2.3.4  # c2"). A '#'
         * inside a URL (fragment) has no white space before it. */
        for (size_t i = 1; i < n; i++) {
            if (s[i] == '#' && is_space(s[i - 1])) {
                n = i;
                trim(&s, &n);
                break;
            }
        }
        const char *where = wbi_where_line(ctx, line);
        wb_ioc_in in = {
            .value = s,
            .len = n,
            .tlp = WB_TLP_UNSET,
            .valid_until = WB_TIME_NONE,
            .source = ctx->source,
            .where = where,
        };
        if (!wbi_guess_type(s, n, &in.type)) {
            wbi_skip(ctx, where, "cannot tell the indicator type");
            continue;
        }
        int rc = wbi_add(ctx, &in);
        if (rc) return rc;
    }
    return 0;
}

bool wbi_csv_has_header(const char *data, size_t len)
{
    size_t pos = 0;
    while (pos < len && blank_or_comment(data + pos, data + len)) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        pos = nl ? (size_t)(nl - data) + 1 : len;
    }
    const char *nl = memchr(data + pos, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - data) - pos : len - pos;
    const char *s = data + pos;
    if (memchr(s, ',', n) == NULL) return false;
    const char *end = s + n;
    while (s <= end) {
        const char *c = memchr(s, ',', (size_t)(end - s));
        const char *fe = c ? c : end;
        const char *t = s;
        size_t tn = (size_t)(fe - s);
        trim(&t, &tn);
        if (tn >= 2 && t[0] == '"' && t[tn - 1] == '"') {
            t++;
            tn -= 2;
        }
        if (header_column(t, tn) == COL_VALUE) return true;
        s = fe + 1;
    }
    return false;
}
