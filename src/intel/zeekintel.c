/*
 * zeekintel.c - indicators from Zeek Intel framework files: tab-separated,
 * a "#fields" header naming at least `indicator` and `indicator_type`,
 * optional "#separator", "#empty_field" and "#unset_field" headers, other
 * '#' lines ignored, "-" for an unset field (the defaults of Zeek's ASCII
 * input reader).
 *
 * Zeek reads these files strictly: a line with a different number of fields
 * than the header is an error there, and so it is here, naming file:line.
 */
#include <string.h>

#include "intel/intel.h"

#define MAX_FIELDS 1024

typedef struct zeek {
    char sep;
    const char *empty, *unset; /* point into the data or at literals */
    size_t empty_n, unset_n;
    size_t ncols, col_ind, col_type;
} zeek;

static const struct {
    const char *name;
    wb_ioc_type type;
} zeek_types[] = {
    {"Intel::ADDR", WB_IOC_IP},
    {"Intel::SUBNET", WB_IOC_CIDR},
    {"Intel::DOMAIN", WB_IOC_DOMAIN},
    {"Intel::URL", WB_IOC_URL},
    {"Intel::EMAIL", WB_IOC_EMAIL},
    {"Intel::FILE_HASH", WB_IOC_MD5}, /* the real type follows from the length */
};

#define UNSUPPORTED(t)                                                                             \
    {                                                                                              \
        t, "unsupported Zeek intel type '" t "'"                                                   \
    }
static const struct {
    const char *name;
    const char *reason;
} zeek_unsupported[] = {
    UNSUPPORTED("Intel::USER_NAME"),   UNSUPPORTED("Intel::CERT_HASH"),
    UNSUPPORTED("Intel::PUBKEY_HASH"), UNSUPPORTED("Intel::SOFTWARE"),
    UNSUPPORTED("Intel::FILE_NAME"),
};
#undef UNSUPPORTED

static bool eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* "#separator \x09": the value is one byte, written as \xHH or literally. */
static int parse_separator(wbi_ctx *ctx, zeek *z, const char *v, size_t n, size_t line)
{
    unsigned hi, lo;
    if (n == 1) {
        z->sep = v[0];
        return 0;
    }
    if (n == 4 && v[0] == '\\' && v[1] == 'x') {
        hi = (unsigned)(v[2] >= 'a' ? v[2] - 'a' + 10 : v[2] >= 'A' ? v[2] - 'A' + 10 : v[2] - '0');
        lo = (unsigned)(v[3] >= 'a' ? v[3] - 'a' + 10 : v[3] >= 'A' ? v[3] - 'A' + 10 : v[3] - '0');
        if (hi < 16 && lo < 16 && (hi | lo) != 0) {
            z->sep = (char)(hi * 16 + lo);
            return 0;
        }
    }
    return wb_error_set(ctx->err, WB_EPARSE, "%s:%zu: unsupported #separator '%.*s'", ctx->name,
                        line, (int)(n > 32 ? 32 : n), v);
}

static int parse_fields(wbi_ctx *ctx, zeek *z, const char *s, size_t n, size_t line)
{
    size_t col = 0;
    bool have_ind = false, have_type = false;
    const char *end = s + n;
    while (s <= end) {
        const char *e = memchr(s, z->sep, (size_t)(end - s));
        if (e == NULL) e = end;
        if (eq(s, (size_t)(e - s), "indicator")) {
            z->col_ind = col;
            have_ind = true;
        } else if (eq(s, (size_t)(e - s), "indicator_type")) {
            z->col_type = col;
            have_type = true;
        }
        if (++col > MAX_FIELDS)
            return wb_error_set(ctx->err, WB_ELIMIT, "%s:%zu: more than %d fields", ctx->name, line,
                                MAX_FIELDS);
        s = e + 1;
    }
    if (!have_ind || !have_type)
        return wb_error_set(ctx->err, WB_EPARSE,
                            "%s:%zu: #fields names no indicator or no indicator_type column",
                            ctx->name, line);
    z->ncols = col;
    return 0;
}

/* A header line ("#..."); everything but the four Zeek reader headers is a
 * comment. */
static int header(wbi_ctx *ctx, zeek *z, const char *s, size_t n, size_t line)
{
    static const char sepkw[] = "#separator ";
    if (n >= sizeof sepkw - 1 && memcmp(s, sepkw, sizeof sepkw - 1) == 0)
        return parse_separator(ctx, z, s + sizeof sepkw - 1, n - (sizeof sepkw - 1), line);
    const char *e = memchr(s, z->sep, n);
    if (e == NULL) return 0;
    size_t kw = (size_t)(e - s);
    const char *v = e + 1;
    size_t vn = n - kw - 1;
    if (eq(s, kw, "#fields")) return parse_fields(ctx, z, v, vn, line);
    if (eq(s, kw, "#empty_field")) {
        z->empty = v;
        z->empty_n = vn;
    } else if (eq(s, kw, "#unset_field")) {
        z->unset = v;
        z->unset_n = vn;
    }
    return 0;
}

static int data_line(wbi_ctx *ctx, zeek *z, const char *s, size_t n, size_t line)
{
    const char *ind = NULL, *type = NULL;
    size_t ind_n = 0, type_n = 0, col = 0;
    const char *end = s + n;
    for (const char *p = s; p <= end; col++) {
        const char *e = memchr(p, z->sep, (size_t)(end - p));
        if (e == NULL) e = end;
        if (col == z->col_ind) {
            ind = p;
            ind_n = (size_t)(e - p);
        } else if (col == z->col_type) {
            type = p;
            type_n = (size_t)(e - p);
        }
        p = e + 1;
    }
    if (col != z->ncols)
        return wb_error_set(ctx->err, WB_EPARSE, "%s:%zu: %zu fields, but #fields names %zu",
                            ctx->name, line, col, z->ncols);
    const char *where = wbi_where_line(ctx, line);
    if (ind_n == 0 || (ind_n == z->unset_n && memcmp(ind, z->unset, ind_n) == 0) ||
        (ind_n == z->empty_n && memcmp(ind, z->empty, ind_n) == 0)) {
        wbi_skip(ctx, where, "empty indicator");
        return 0;
    }
    size_t k = 0;
    const size_t nt = sizeof zeek_types / sizeof zeek_types[0];
    while (k < nt && !eq(type, type_n, zeek_types[k].name))
        k++;
    if (k == nt) {
        const char *reason = "unsupported Zeek intel type";
        for (size_t u = 0; u < sizeof zeek_unsupported / sizeof zeek_unsupported[0]; u++)
            if (eq(type, type_n, zeek_unsupported[u].name)) reason = zeek_unsupported[u].reason;
        wbi_skip(ctx, where, reason);
        return 0;
    }
    wb_ioc_in in = {
        .type = zeek_types[k].type,
        .value = ind,
        .len = ind_n,
        .tlp = WB_TLP_UNSET,
        .valid_until = WB_TIME_NONE,
        .source = ctx->source,
        .where = where,
    };
    if (eq(type, type_n, "Intel::FILE_HASH")) {
        if (ind_n == 32)
            in.type = WB_IOC_MD5;
        else if (ind_n == 40)
            in.type = WB_IOC_SHA1;
        else if (ind_n == 64)
            in.type = WB_IOC_SHA256;
        else {
            wbi_skip(ctx, where, "file hash of unknown length");
            return 0;
        }
    } else if (in.type == WB_IOC_URL && memmem(ind, ind_n, "://", 3) == NULL) {
        /* Zeek writes Intel::URL without its scheme ("host/path"). The
         * canonical URL key has no scheme either, so any scheme will do. */
        wb_buf_reset(&ctx->tmp);
        if (wb_buf_puts(&ctx->tmp, "http://") != 0 || wb_buf_append(&ctx->tmp, ind, ind_n) != 0)
            return wb_error_set(ctx->err, WB_ENOMEM, "out of memory");
        in.value = ctx->tmp.data;
        in.len = ctx->tmp.len;
    }
    return wbi_add(ctx, &in);
}

int wbi_zeek_load(wbi_ctx *ctx, const char *data, size_t len)
{
    zeek z = {.sep = '\t', .empty = "(empty)", .empty_n = 7, .unset = "-", .unset_n = 1};
    bool have_fields = false;
    size_t line = 0;
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        size_t n = (size_t)(e - p);
        line++;
        if (n > 0 && p[n - 1] == '\r') n--;
        int rc = 0;
        if (n == 0) {
            /* blank line */
        } else if (p[0] == '#') {
            rc = header(ctx, &z, p, n, line);
            if (z.ncols) have_fields = true;
        } else if (!have_fields) {
            rc = wb_error_set(ctx->err, WB_EPARSE, "%s:%zu: data before the #fields header",
                              ctx->name, line);
        } else {
            rc = data_line(ctx, &z, p, n, line);
        }
        if (rc) return rc;
        p = e + 1;
    }
    return 0;
}
