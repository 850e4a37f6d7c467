/*
 * freerange.c - the free-text version ranges of real CSAF advisories, read
 * into bare constraints that vers understands.
 *
 * CSAF 2.0 allows any text in a product_version_range, and vendors of
 * industrial products use it: CISA's ICS advisories carry "All versions <
 * V4.8 SP5", "< V6.0 SP9 Upd4", ">= V2.0 < V2.2", "vers:all/>=V2.9.2<V2.9.4",
 * "<V19_Update_2", ">= 5.2.0 build 140805 | <= 5.4.5 Build 160928". This
 * file turns such a text into "<4.8.SP5", ">=2.0|<2.2", ...: comparators
 * with or without spaces, one to several in one string (separated by
 * nothing, '|', ',' or "and"), a leading "All versions" or "vers:all/", a
 * "V", "Ver." or "Version" before the number, and the words of a build
 * (SP, Upd, Update, HF, build) joined to it with dots, which the generic
 * scheme compares as post-release words (version.c).
 *
 * What it does not read on purpose, so that the caller reports it instead of
 * guessing: prose ("...in connection with using...", "only if ..."),
 * wildcards ("11.x", "2310****"), serial numbers and anything with quotes or
 * brackets. Guessing there would turn a range nobody can read into a
 * confident "not affected".
 */
#include <string.h>

#include "vuln/vulndata.h"

/* Words that make a range prose rather than a version. */
static const char *const prose[] = {"affected",
                                    "and",
                                    "application",
                                    "are",
                                    "authentication",
                                    "between",
                                    "by",
                                    "components",
                                    "configuration",
                                    "default",
                                    "devices",
                                    "digits",
                                    "excluding",
                                    "first",
                                    "for",
                                    "function",
                                    "if",
                                    "in",
                                    "including",
                                    "installed",
                                    "is",
                                    "mechanism",
                                    "modules",
                                    "number",
                                    "numbers",
                                    "of",
                                    "on",
                                    "only",
                                    "or",
                                    "prior",
                                    "serial",
                                    "state",
                                    "the",
                                    "these",
                                    "to",
                                    "used",
                                    "using",
                                    "when",
                                    "with",
                                    NULL};

static bool is_prose(const char *w, size_t n)
{
    for (size_t i = 0; prose[i]; i++)
        if (wb_strn_ieq(w, n, prose[i])) return true;
    return false;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '_';
}

/* "V4.8", "v2", "Ver.2.60", "Version 3": the length of the prefix before the
 * number, or 0. */
static size_t v_prefix(const char *s, size_t n)
{
    static const char *const pre[] = {"version", "ver.", "ver", "v", NULL};
    for (size_t i = 0; pre[i]; i++) {
        size_t k = strlen(pre[i]);
        if (n <= k || !wb_strn_ieq(s, k, pre[i])) continue;
        size_t j = k;
        while (j < n && (s[j] == ' ' || s[j] == '_'))
            j++;
        if (j < n && s[j] >= '0' && s[j] <= '9') return j;
    }
    return 0;
}

int wbi_free_version(const char *s, size_t n, wb_buf *out)
{
    while (n > 0 && is_space(*s))
        s++, n--;
    while (n > 0 && is_space(s[n - 1]))
        n--;
    size_t skip = v_prefix(s, n);
    s += skip, n -= skip;
    if (n == 0) return -1;
    bool digit = false;
    size_t start = out->len;
    for (size_t i = 0; i < n;) {
        if (is_space(s[i])) {
            while (i < n && is_space(s[i]))
                i++;
            if (wb_buf_putc(out, '.') != 0) return -2;
            continue;
        }
        size_t j = i;
        while (j < n && !is_space(s[j]))
            j++;
        /* one word: letters and digits with . - + ~ between them */
        size_t alpha = 0;
        for (size_t k = i; k < j; k++) {
            char c = s[k];
            if (c >= '0' && c <= '9')
                digit = true;
            else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                alpha++;
            else if (c != '.' && c != '-' && c != '+' && c != '~')
                return -1;
        }
        if (alpha == j - i && is_prose(s + i, j - i)) return -1;
        /* a wildcard component: "11.x", "2.X.3" */
        for (size_t k = i; k < j; k++)
            if ((s[k] == 'x' || s[k] == 'X') && (k == i || s[k - 1] == '.') &&
                (k + 1 == j || s[k + 1] == '.') && j - i > 1)
                return -1;
        if (wb_buf_append(out, s + i, j - i) != 0) return -2;
        i = j;
    }
    if (!digit || out->len == start) return -1;
    return 0;
}

/* The word "and" at i, followed by a space. */
static bool and_at(const char *s, size_t n, size_t i)
{
    return i + 3 < n && wb_strn_ieq(s + i, 3, "and") && is_space(s[i + 3]);
}

/* "V7" -> "8", "2.3" -> "2.4": the version after every version that starts
 * with this one, appended to out. */
static int next_number(const char *s, size_t n, wb_buf *out)
{
    size_t start = out->len;
    int rc = wbi_free_version(s, n, out);
    if (rc != 0) return rc;
    char *v = out->data + start;
    size_t len = out->len - start;
    size_t e = len;
    while (e > 0 && v[e - 1] >= '0' && v[e - 1] <= '9')
        e--;
    if (e == len || len - e > 9) return -1;
    /* increment the last number in place, carrying into a new digit */
    size_t k = len;
    while (k > e && v[k - 1] == '9')
        v[--k] = '0';
    if (k > e) {
        v[k - 1]++;
        return 0;
    }
    if (wb_buf_putc(out, '0') != 0) return -2;
    v = out->data + start;
    v[e] = '1';
    return 0;
}

static size_t op_len(const char *s, size_t n)
{
    if (n >= 2 && (s[0] == '<' || s[0] == '>' || s[0] == '!' || s[0] == '=') && s[1] == '=')
        return 2;
    if (n >= 1 && (s[0] == '<' || s[0] == '>' || s[0] == '=')) return 1;
    return 0;
}

int wbi_free_range(const char *text, wb_buf *out)
{
    const char *s = text;
    size_t n = strlen(text);
    wb_buf_reset(out);
    while (n > 0 && is_space(*s))
        s++, n--;
    if (n > 5 && strncmp(s, "vers:", 5) == 0) {
        const char *slash = memchr(s, '/', n);
        if (slash == NULL) return -1;
        n -= (size_t)(slash + 1 - s);
        s = slash + 1;
    }
    while (n > 0 && is_space(*s))
        s++, n--;
    /* "All versions", "All BIOS versions", "Versions", "Firmware versions" */
    bool lead = false;
    for (;;) {
        static const char *const words[] = {"all", "bios", "firmware", "versions", "version", NULL};
        size_t w = 0;
        while (w < n && !is_space(s[w]))
            w++;
        size_t k = 0;
        while (words[k] && !wb_strn_ieq(s, w, words[k]))
            k++;
        if (words[k] == NULL) break;
        lead = true;
        s += w, n -= w;
        while (n > 0 && is_space(*s))
            s++, n--;
    }
    if (lead && n == 0) return wb_buf_puts(out, "*") == 0 ? 0 : -2;
    if (n == 1 && *s == '*') return wb_buf_puts(out, "*") == 0 ? 0 : -2;
    int clauses = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && (is_space(s[i]) || s[i] == '|' || s[i] == ','))
            i++;
        if (and_at(s, n, i) && clauses > 0) {
            i += 3;
            continue;
        }
        if (i == n) break;
        size_t ol = op_len(s + i, n - i);
        const char *op = s + i;
        i += ol;
        size_t vs = i;
        while (i < n && s[i] != '|' && s[i] != ',' && s[i] != '<' && s[i] != '>' && s[i] != '=' &&
               s[i] != '!' && !(i > vs && is_space(s[i - 1]) && and_at(s, n, i)))
            i++;
        if (clauses > 0 && wb_buf_putc(out, '|') != 0) return -2;
        /* "<= V7.x": every 7.*, so below 8; ">= 7.x" is from 7 */
        size_t vn = i - vs;
        while (vn > 0 && is_space(s[vs + vn - 1]))
            vn--;
        bool wild = vn > 2 && (s[vs + vn - 1] == 'x' || s[vs + vn - 1] == 'X') &&
                    s[vs + vn - 2] == '.' && s[vs + vn - 3] >= '0' && s[vs + vn - 3] <= '9';
        if (wild) {
            vn -= 2;
            if (ol == 2 && op[0] == '<') {
                if (wb_buf_putc(out, '<') != 0) return -2;
                int rc = next_number(s + vs, vn, out);
                if (rc != 0) return rc;
                clauses++;
                continue;
            }
            if (!(ol == 2 && op[0] == '>') && !(ol == 1 && op[0] == '<')) return -1;
        }
        if (ol == 0 ? wb_buf_putc(out, '=') != 0 : wb_buf_append(out, op, ol) != 0) return -2;
        int rc = wbi_free_version(s + vs, vn, out);
        if (rc != 0) return rc;
        clauses++;
    }
    return clauses > 0 ? 0 : -1;
}
