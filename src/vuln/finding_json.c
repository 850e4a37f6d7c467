/*
 * finding_json.c - one finding as the JSON object that `weerbaar vuln scan
 * --format json` prints (docs/vuln-scan.md lists the fields), written
 * straight into a buffer.
 *
 * Why not jansson, which the rest of weerbaar uses for output: a 10k-component
 * scan has 35 000 findings of 40 values each, and building, dumping and
 * freeing a jansson object per finding cost as much CPU as the whole scan
 * (0.45 s of 0.93 s user time in the benchmark of docs/performance.md). This
 * writer allocates nothing per value. Its output is byte for byte what
 * jansson gives with JSON_COMPACT | JSON_PRESERVE_ORDER |
 * JSON_REAL_PRECISION(6), and tests/vuln/test_finding_json.c holds it to that
 * with jansson as the oracle: the same escapes (\" \\ \b \f \n \r \t, other
 * control characters as \u00XX with upper-case hex, everything else as is),
 * the same treatment of strings that are not UTF-8 (the CLI's rule: every
 * byte from 0x80 up becomes '?'), and the same number formats.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "weerbaar/vulnscan.h"

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 when it is not one.
 * The same rules as jansson's utf8_check_string, so that a string it would
 * refuse gets the same '?' treatment here. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    unsigned cp;
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0;
    if (c < 0xE0) {
        n = 2;
        cp = c & 0x1F;
    } else if (c < 0xF0) {
        n = 3;
        cp = c & 0x0F;
    } else if (c < 0xF5) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)) return 0;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

static bool utf8_valid(const unsigned char *p, size_t len)
{
    const unsigned char *end = p + len;
    while (p < end) {
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t n = utf8_seq(p, end);
        if (n == 0) return false;
        p += n;
    }
    return true;
}

/* s as a JSON string; NULL as null. */
static int put_str(wb_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    if (s == NULL) return wb_buf_append(b, "null", 4);
    size_t len = strlen(s);
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    bool ascii_only = !utf8_valid(p, len);
    /* worst case: every byte a \u00XX escape */
    if (len > (SIZE_MAX - 2) / 6 || wb_buf_reserve(b, len * 6 + 2) != 0) return WB_ENOMEM;
    char *o = b->data + b->len;
    *o++ = '"';
    for (; p < end; p++) {
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\') {
            *o++ = c >= 0x80 && ascii_only ? '?' : (char)c;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"':
        case '\\':
            *o++ = (char)c;
            break;
        case '\b':
            *o++ = 'b';
            break;
        case '\f':
            *o++ = 'f';
            break;
        case '\n':
            *o++ = 'n';
            break;
        case '\r':
            *o++ = 'r';
            break;
        case '\t':
            *o++ = 't';
            break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
            break;
        }
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
    return 0;
}

/* A double as jansson writes it with JSON_REAL_PRECISION(6): "%.6g", then
 * ".0" when that looks like an integer, and the exponent without '+' or
 * leading zeros ("1e-05" -> "1e-5"). jansson refuses NaN and infinities
 * (the key would be missing); null is the honest value for them. */
static int put_real(wb_buf *b, double v)
{
    if (!isfinite(v)) return wb_buf_append(b, "null", 4);
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%.6g", v);
    if (n < 0 || (size_t)n >= sizeof buf - 3) return WB_EINVAL;
    char *e = strchr(buf, 'e');
    if (e == NULL) {
        if (strchr(buf, '.') == NULL) memcpy(buf + n, ".0", 3), n += 2;
        return wb_buf_append(b, buf, (size_t)n);
    }
    char *q = e + 1, *r = e + 1;
    if (*r == '+')
        r++;
    else if (*r == '-')
        *q++ = *r++;
    while (*r == '0' && r[1] != '\0')
        r++;
    memmove(q, r, strlen(r) + 1);
    return wb_buf_puts(b, buf);
}

static int put_time(wb_buf *b, wb_time t)
{
    char buf[40];
    if (t == WB_TIME_NONE) return wb_buf_append(b, "null", 4);
    wb_time_format(t, buf, sizeof buf);
    return put_str(b, buf);
}

static int put_bool(wb_buf *b, bool v)
{
    return v ? wb_buf_append(b, "true", 4) : wb_buf_append(b, "false", 5);
}

static int put_list(wb_buf *b, const char *const *v, size_t n)
{
    int rc = wb_buf_putc(b, '[');
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (i) rc = wb_buf_putc(b, ',');
        if (rc == 0) rc = put_str(b, v[i]);
    }
    return rc == 0 ? wb_buf_putc(b, ']') : rc;
}

static const char *cvss_version_name(unsigned v)
{
    switch (v) {
    case 40:
        return "4.0";
    case 31:
        return "3.1";
    case 30:
        return "3.0";
    case 20:
        return "2.0";
    }
    return NULL;
}

/* The key, with the comma that separates it from the previous member. */
#define KEY(name) (rc == 0 ? wb_buf_puts(out, ",\"" name "\":") : rc)

int wb_finding_json(const wb_finding *f, wb_buf *out)
{
    int rc = wb_buf_puts(out, "{\"rank\":");
    if (rc == 0) rc = f->rank ? wb_buf_printf(out, "%zu", f->rank) : wb_buf_puts(out, "null");
    rc = KEY("asset");
    if (rc == 0) rc = put_str(out, f->asset);
    rc = KEY("component");
    if (rc == 0) rc = put_str(out, f->component);
    rc = KEY("name");
    if (rc == 0) rc = put_str(out, f->name);
    rc = KEY("version");
    if (rc == 0) rc = put_str(out, f->version);
    rc = KEY("inventory");
    if (rc == 0) rc = put_str(out, f->where);
    rc = KEY("internet_facing");
    if (rc == 0) rc = put_bool(out, f->internet_facing);
    rc = KEY("vulnerability");
    if (rc == 0) rc = put_str(out, f->vuln);
    rc = KEY("cve");
    if (rc == 0) rc = put_str(out, f->cve);
    rc = KEY("ids");
    if (rc == 0) rc = put_list(out, f->ids, f->nids);
    rc = KEY("title");
    if (rc == 0) rc = put_str(out, f->title);
    rc = KEY("advisory");
    if (rc == 0) rc = put_str(out, f->advisory);
    rc = KEY("advisory_source");
    if (rc == 0) rc = put_str(out, f->advisory_source);
    rc = KEY("advisory_kind");
    if (rc == 0) rc = put_str(out, f->advisory_kind);
    rc = KEY("advisory_url");
    if (rc == 0) rc = put_str(out, f->advisory_url);
    rc = KEY("matched_by");
    if (rc == 0) rc = put_str(out, f->matched_by);
    rc = KEY("status");
    if (rc == 0) rc = put_str(out, f->status);
    rc = KEY("cvss_score");
    if (rc == 0) rc = f->cvss_version ? put_real(out, f->cvss_score) : wb_buf_puts(out, "null");
    rc = KEY("cvss_version");
    if (rc == 0) rc = put_str(out, cvss_version_name(f->cvss_version));
    rc = KEY("cvss_vector");
    if (rc == 0) rc = put_str(out, f->cvss_vector);
    rc = KEY("severity");
    if (rc == 0) rc = put_str(out, wb_severity_name(f->severity));
    rc = KEY("kev");
    if (rc == 0) rc = put_bool(out, f->kev);
    rc = KEY("kev_date_added");
    if (rc == 0) rc = put_time(out, f->kev_added);
    rc = KEY("kev_due_date");
    if (rc == 0) rc = put_time(out, f->kev_due);
    rc = KEY("kev_ransomware");
    if (rc == 0) rc = f->kev ? put_bool(out, f->kev_ransomware) : wb_buf_puts(out, "null");
    rc = KEY("epss");
    if (rc == 0) rc = f->has_epss ? put_real(out, f->epss) : wb_buf_puts(out, "null");
    rc = KEY("epss_percentile");
    if (rc == 0) rc = f->has_epss ? put_real(out, f->epss_percentile) : wb_buf_puts(out, "null");
    rc = KEY("fixed_versions");
    if (rc == 0) rc = put_list(out, f->fixed, f->nfixed);
    rc = KEY("remediation");
    if (rc == 0) rc = put_str(out, f->remediation);
    rc = KEY("remediation_category");
    if (rc == 0) rc = put_str(out, f->remediation_category);
    rc = KEY("remediation_url");
    if (rc == 0) rc = put_str(out, f->remediation_url);
    rc = KEY("published");
    if (rc == 0) rc = put_time(out, f->published);
    rc = KEY("deadline");
    if (rc == 0) rc = put_time(out, f->deadline);
    rc = KEY("deadline_rule");
    if (rc == 0) rc = put_str(out, wb_patch_rule_name(f->deadline_rule));
    rc = KEY("overdue");
    if (rc == 0) rc = put_bool(out, f->overdue);
    rc = KEY("suppressed");
    if (rc == 0) rc = put_bool(out, f->suppressed);
    rc = KEY("vex_status");
    if (rc == 0) rc = put_str(out, f->vex_status);
    rc = KEY("vex_justification");
    if (rc == 0) rc = put_str(out, f->vex_justification);
    rc = KEY("vex_detail");
    if (rc == 0) rc = put_str(out, f->vex_detail);
    rc = KEY("vex_source");
    if (rc == 0) rc = put_str(out, f->vex_source);
    return rc == 0 ? wb_buf_putc(out, '}') : rc;
}
