/*
 * common.c - pieces every indicator loader uses: the MISP attribute-type
 * table, splitting of composite MISP values, guessing a plain value's type,
 * JSON parsing with file:line:col errors, and the calls into the sink.
 */
#include <string.h>

#include "intel/intel.h"
#include "core/core_internal.h"

/* MISP attribute types weerbaar matches. IP types map to WB_IOC_IP: the sink
 * turns "a.b.c.d/len" into a CIDR indicator. */
static const wbi_misp_type misp_types[] = {
    {"ip-src", WB_IOC_IP, WB_IOC_IP, WBI_WHOLE},
    {"ip-dst", WB_IOC_IP, WB_IOC_IP, WBI_WHOLE},
    {"ip-src|port", WB_IOC_IP_PORT, WB_IOC_IP_PORT, WBI_WHOLE},
    {"ip-dst|port", WB_IOC_IP_PORT, WB_IOC_IP_PORT, WBI_WHOLE},
    {"domain", WB_IOC_DOMAIN, WB_IOC_DOMAIN, WBI_WHOLE},
    {"hostname", WB_IOC_HOSTNAME, WB_IOC_HOSTNAME, WBI_WHOLE},
    {"hostname|port", WB_IOC_HOSTNAME, WB_IOC_HOSTNAME, WBI_BEFORE_BAR},
    {"domain|ip", WB_IOC_DOMAIN, WB_IOC_IP, WBI_BOTH},
    {"url", WB_IOC_URL, WB_IOC_URL, WBI_WHOLE},
    {"uri", WB_IOC_URL, WB_IOC_URL, WBI_WHOLE},
    {"md5", WB_IOC_MD5, WB_IOC_MD5, WBI_WHOLE},
    {"sha1", WB_IOC_SHA1, WB_IOC_SHA1, WBI_WHOLE},
    {"sha256", WB_IOC_SHA256, WB_IOC_SHA256, WBI_WHOLE},
    {"filename|md5", WB_IOC_MD5, WB_IOC_MD5, WBI_AFTER_BAR},
    {"filename|sha1", WB_IOC_SHA1, WB_IOC_SHA1, WBI_AFTER_BAR},
    {"filename|sha256", WB_IOC_SHA256, WB_IOC_SHA256, WBI_AFTER_BAR},
    /* A malware sample's value is "filename|md5". */
    {"malware-sample", WB_IOC_MD5, WB_IOC_MD5, WBI_AFTER_BAR},
    {"email", WB_IOC_EMAIL, WB_IOC_EMAIL, WBI_WHOLE},
    {"email-src", WB_IOC_EMAIL, WB_IOC_EMAIL, WBI_WHOLE},
    {"email-dst", WB_IOC_EMAIL, WB_IOC_EMAIL, WBI_WHOLE},
    {"email-reply-to", WB_IOC_EMAIL, WB_IOC_EMAIL, WBI_WHOLE},
};

const wbi_misp_type *wbi_misp_type_find(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof misp_types / sizeof misp_types[0]; i++) {
        const char *t = misp_types[i].name;
        if (strlen(t) == n && memcmp(t, name, n) == 0) return &misp_types[i];
    }
    return NULL;
}

/* Reasons are static strings because a sink may keep the pointer to count by
 * reason; the common MISP types weerbaar does not match get their own. */
#define UNSUPPORTED(t)                                                                             \
    {                                                                                              \
        t, "unsupported attribute type '" t "'"                                                    \
    }
static const struct {
    const char *type;
    const char *reason;
} unsupported[] = {
    UNSUPPORTED("AS"),
    UNSUPPORTED("attachment"),
    UNSUPPORTED("btc"),
    UNSUPPORTED("campaign-name"),
    UNSUPPORTED("comment"),
    UNSUPPORTED("cookie"),
    UNSUPPORTED("counter"),
    UNSUPPORTED("cpe"),
    UNSUPPORTED("datetime"),
    UNSUPPORTED("email-attachment"),
    UNSUPPORTED("email-subject"),
    UNSUPPORTED("filename"),
    UNSUPPORTED("filename|imphash"),
    UNSUPPORTED("filename|sha512"),
    UNSUPPORTED("filename|ssdeep"),
    UNSUPPORTED("float"),
    UNSUPPORTED("hassh-md5"),
    UNSUPPORTED("http-method"),
    UNSUPPORTED("imphash"),
    UNSUPPORTED("ja3-fingerprint-md5"),
    UNSUPPORTED("link"),
    UNSUPPORTED("mutex"),
    UNSUPPORTED("named pipe"),
    UNSUPPORTED("other"),
    UNSUPPORTED("pattern-in-file"),
    UNSUPPORTED("pdb"),
    UNSUPPORTED("port"),
    UNSUPPORTED("regkey"),
    UNSUPPORTED("regkey|value"),
    UNSUPPORTED("sha224"),
    UNSUPPORTED("sha512"),
    UNSUPPORTED("sigma"),
    UNSUPPORTED("size-in-bytes"),
    UNSUPPORTED("snort"),
    UNSUPPORTED("ssdeep"),
    UNSUPPORTED("text"),
    UNSUPPORTED("threat-actor"),
    UNSUPPORTED("tlsh"),
    UNSUPPORTED("user-agent"),
    UNSUPPORTED("vulnerability"),
    UNSUPPORTED("whois-registrant-email"),
    UNSUPPORTED("x509-fingerprint-md5"),
    UNSUPPORTED("x509-fingerprint-sha1"),
    UNSUPPORTED("x509-fingerprint-sha256"),
    UNSUPPORTED("yara"),
};
#undef UNSUPPORTED

const char *wbi_misp_unsupported_reason(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++) {
        const char *t = unsupported[i].type;
        if (strlen(t) == n && memcmp(t, name, n) == 0) return unsupported[i].reason;
    }
    return "unsupported attribute type";
}

uint32_t wbi_type_mask(const char *name, size_t n)
{
    const wbi_misp_type *t = wbi_misp_type_find(name, n);
    uint32_t m = 0;
    if (t != NULL) {
        m = 1u << t->first;
        if (t->split == WBI_BOTH) m |= 1u << t->second;
    } else {
        wb_ioc_type wt;
        if (wb_ioc_type_parse(name, n, &wt) == 0) m = 1u << wt;
    }
    /* An IP attribute whose value has a prefix becomes a CIDR indicator, so a
     * list meant for ip-src/ip-dst also covers CIDRs. */
    if (m & (1u << WB_IOC_IP)) m |= 1u << WB_IOC_CIDR;
    return m;
}

int wbi_add(wbi_ctx *ctx, const wb_ioc_in *ioc)
{
    int rc = ctx->sink->add(ctx->sink, ioc);
    if (rc < 0 && (ctx->err == NULL || ctx->err->code != rc))
        wb_error_set(ctx->err, rc, "%s: %s", ioc->where ? ioc->where : ctx->name, wb_strerror(rc));
    return rc < 0 ? rc : 0;
}

void wbi_skip(wbi_ctx *ctx, const char *where, const char *reason)
{
    if (ctx->sink->skip) ctx->sink->skip(ctx->sink, where, reason);
}

static int add_part(wbi_ctx *ctx, const wb_ioc_in *base, wb_ioc_type type, const char *v, size_t n)
{
    wb_ioc_in ioc = *base;
    ioc.type = type;
    ioc.value = v;
    ioc.len = n;
    return wbi_add(ctx, &ioc);
}

int wbi_emit_misp(wbi_ctx *ctx, const wbi_misp_type *t, const wb_ioc_in *base)
{
    const char *v = base->value;
    size_t n = base->len;
    if (t->split == WBI_WHOLE) return add_part(ctx, base, t->first, v, n);
    const char *bar = t->split == WBI_BOTH ? memchr(v, '|', n) : memrchr(v, '|', n);
    if (bar == NULL) {
        wbi_skip(ctx, base->where, "composite value without '|'");
        return 0;
    }
    size_t left = (size_t)(bar - v);
    switch (t->split) {
    case WBI_AFTER_BAR:
        return add_part(ctx, base, t->first, bar + 1, n - left - 1);
    case WBI_BEFORE_BAR:
        return add_part(ctx, base, t->first, v, left);
    case WBI_BOTH: {
        int rc = add_part(ctx, base, t->first, v, left);
        if (rc == 0) rc = add_part(ctx, base, t->second, bar + 1, n - left - 1);
        return rc;
    }
    case WBI_WHOLE:
        break;
    }
    return add_part(ctx, base, t->first, v, n);
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Digits, dots and an optional "/len": a dotted quad with or without prefix.
 * The sink validates the numbers; this only decides the type. */
static bool looks_ipv4(const char *v, size_t n)
{
    unsigned dots = 0, digits = 0;
    size_t i = 0;
    for (; i < n && v[i] != '/'; i++) {
        if (v[i] == '.') {
            if (digits == 0) return false;
            dots++;
            digits = 0;
        } else if (v[i] >= '0' && v[i] <= '9') {
            if (++digits > 3) return false;
        } else {
            return false;
        }
    }
    if (dots != 3 || digits == 0) return false;
    if (i < n) { /* prefix */
        if (++i == n) return false;
        for (; i < n; i++)
            if (v[i] < '0' || v[i] > '9') return false;
    }
    return true;
}

static bool looks_ipv6(const char *v, size_t n)
{
    unsigned colons = 0;
    size_t i = 0;
    for (; i < n && v[i] != '/'; i++) {
        if (v[i] == ':')
            colons++;
        else if (!is_hex(v[i]) && v[i] != '.')
            return false;
    }
    if (colons < 2) return false;
    if (i < n) {
        if (++i == n) return false;
        for (; i < n; i++)
            if (v[i] < '0' || v[i] > '9') return false;
    }
    return true;
}

static bool looks_domain(const char *v, size_t n)
{
    if (n > 0 && v[n - 1] == '.') n--; /* fully qualified form */
    if (n == 0 || n > 253 || v[0] == '.' || v[n - 1] == '.') return false;
    size_t last = 0; /* start of the last label */
    bool dot = false;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (c == '.') {
            if (v[i - 1] == '.') return false;
            dot = true;
            last = i + 1;
        } else if (!(is_alpha(c) || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
            return false;
        }
    }
    if (!dot) return false;
    /* Top-level domains are never all digits; "1.2.3" is no domain. */
    for (size_t i = last; i < n; i++)
        if (is_alpha(v[i])) return true;
    return false;
}

bool wbi_guess_type(const char *v, size_t n, wb_ioc_type *out)
{
    if (n == 0) return false;
    /* No indicator value holds white space; a line that does is prose. */
    for (size_t i = 0; i < n; i++)
        if (v[i] == ' ' || v[i] == '\t') return false;
    if (looks_ipv4(v, n) || looks_ipv6(v, n)) {
        *out = WB_IOC_IP;
        return true;
    }
    if (n > 3 && memmem(v, n, "://", 3) != NULL) {
        *out = WB_IOC_URL;
        return true;
    }
    if (n == 32 || n == 40 || n == 64) {
        size_t i = 0;
        while (i < n && is_hex(v[i]))
            i++;
        if (i == n) {
            *out = n == 32 ? WB_IOC_MD5 : n == 40 ? WB_IOC_SHA1 : WB_IOC_SHA256;
            return true;
        }
    }
    if (memchr(v, '@', n) != NULL) {
        *out = WB_IOC_EMAIL;
        return true;
    }
    if (looks_domain(v, n)) {
        *out = WB_IOC_DOMAIN;
        return true;
    }
    return false;
}

const char *wbi_where_line(wbi_ctx *ctx, size_t line)
{
    /* Hand-formatted: CSV and plain lists call this for every line, and a
     * printf per line shows up when loading a million indicators. */
    char num[24];
    size_t k = sizeof num;
    do {
        num[--k] = (char)('0' + line % 10);
        line /= 10;
    } while (line && k > 0);
    wb_buf_reset(&ctx->where);
    if (wb_buf_puts(&ctx->where, ctx->name) != 0 || wb_buf_putc(&ctx->where, ':') != 0 ||
        wb_buf_append(&ctx->where, num + k, sizeof num - k) != 0)
        return ctx->name; /* out of memory: the file name alone still helps */
    return ctx->where.data;
}

int wbi_json_parse(wbi_ctx *ctx, const char *data, size_t len, json_t **out)
{
    json_error_t je;
    *out = json_loadb(data, len, JSON_DECODE_ANY, &je);
    if (*out == NULL && wbi_core_json_oom(&je))
        return wb_error_set(ctx->err, WB_ENOMEM, "%s: out of memory", ctx->name);
    if (*out == NULL)
        return wb_error_set(ctx->err, WB_EPARSE, "%s:%d:%d: %s", ctx->name, je.line, je.column,
                            je.text);
    return 0;
}

bool wbi_json_flag(const json_t *v)
{
    if (json_is_true(v)) return true;
    if (json_is_integer(v)) return json_integer_value(v) != 0;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        return wb_strn_ieq(s, n, "1") || wb_strn_ieq(s, n, "true");
    }
    return false;
}
