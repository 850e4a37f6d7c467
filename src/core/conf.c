/*
 * conf.c - the configuration file parser (include/weerbaar/conf.h): one
 * pass over the lines, no allocation, every error naming file and line.
 * What a key means is the caller's business (src/cli/config.c maps them to
 * a command's long options).
 */
#include <stdbool.h>
#include <string.h>

#include "weerbaar/conf.h"

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* [s, e) without blanks at either end. */
static void trim(const char **s, const char **e)
{
    while (*s < *e && blank(**s))
        (*s)++;
    while (*e > *s && blank((*e)[-1]))
        (*e)--;
}

static bool key_ok(const char *s, size_t n)
{
    if (n == 0 || n >= WB_CONF_KEY_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
              s[i] == '_'))
            return false;
    return true;
}

int wb_conf_parse(const char *text, size_t len, const char *name, const char *section,
                  wb_conf_cb cb, void *ud, wb_error *err)
{
    bool wanted = false, in_section = false;
    long line = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        line++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if ((size_t)(le - p) >= WB_CONF_LINE_MAX)
            return wb_error_set(err, WB_EPARSE, "%s:%ld: line longer than %d bytes", name, line,
                                WB_CONF_LINE_MAX - 1);
        if (memchr(p, '\0', (size_t)(le - p)))
            return wb_error_set(err, WB_EPARSE, "%s:%ld: NUL byte", name, line);
        const char *s = p, *e = le;
        p = nl ? nl + 1 : end;
        trim(&s, &e);
        if (s == e || *s == '#') continue;
        if (*s == '[') {
            if (e[-1] != ']' || e - s < 3 || !key_ok(s + 1, (size_t)(e - s - 2)))
                return wb_error_set(err, WB_EPARSE,
                                    "%s:%ld: a section header is [name] (letters, digits, '-')",
                                    name, line);
            size_t n = (size_t)(e - s - 2);
            wanted = section && strlen(section) == n && memcmp(s + 1, section, n) == 0;
            in_section = true;
            continue;
        }
        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (eq == NULL)
            return wb_error_set(err, WB_EPARSE, "%s:%ld: expected 'key = value'", name, line);
        const char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;
        trim(&ks, &ke);
        trim(&vs, &ve);
        if (!key_ok(ks, (size_t)(ke - ks)))
            return wb_error_set(err, WB_EPARSE,
                                "%s:%ld: a key is lower-case letters, digits and '-', not '%.*s'",
                                name, line, (int)(ke - ks > 64 ? 64 : ke - ks), ks);
        /* every key belongs to a command: no key means the same to all */
        if (!in_section)
            return wb_error_set(err, WB_EPARSE, "%s:%ld: '%.*s' before the first [section]", name,
                                line, (int)(ke - ks), ks);
        if (!wanted) continue;
        char key[WB_CONF_KEY_MAX], value[WB_CONF_LINE_MAX];
        memcpy(key, ks, (size_t)(ke - ks));
        key[ke - ks] = '\0';
        memcpy(value, vs, (size_t)(ve - vs));
        value[ve - vs] = '\0';
        int rc = cb(ud, key, value, line, err);
        if (rc) return rc;
    }
    return 0;
}
