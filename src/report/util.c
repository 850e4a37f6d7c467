/*
 * util.c - small helpers of src/report/: dates on the Amsterdam calendar
 * (boards read local dates, not UTC) and HTML escaping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "weerbaar/incident.h"

char *wbi_strdup(const char *s)
{
    if (s == NULL) return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

void wbi_date(wb_time t, char *out, size_t cap)
{
    if (t == WB_TIME_NONE) {
        snprintf(out, cap, "-");
        return;
    }
    wb_civil c;
    wb_ams_to_civil(t, &c, NULL);
    snprintf(out, cap, "%04lld-%02u-%02u", (long long)c.year, c.month, c.day);
}

void wbi_datetime(wb_time t, bool utc, char *out, size_t cap)
{
    if (t == WB_TIME_NONE) {
        snprintf(out, cap, "-");
        return;
    }
    if (utc) {
        char full[40];
        wb_time_format(t, full, sizeof full);
        snprintf(out, cap, "%.10s %.5s UTC", full, full + 11);
        return;
    }
    wb_civil c;
    int off;
    wb_ams_to_civil(t, &c, &off);
    snprintf(out, cap, "%04lld-%02u-%02u %02u:%02u +%02d:00", (long long)c.year, c.month, c.day,
             c.hour, c.minute, off / 3600);
}

int wbi_html_text(wb_buf *b, const char *s)
{
    char *clean = wbi_clean_text(s ? s : "", false);
    if (clean == NULL) return WB_ENOMEM;
    int rc = 0;
    for (const char *p = clean; rc == 0 && *p; p++) {
        switch (*p) {
        case '&':
            rc = wb_buf_puts(b, "&amp;");
            break;
        case '<':
            rc = wb_buf_puts(b, "&lt;");
            break;
        case '>':
            rc = wb_buf_puts(b, "&gt;");
            break;
        case '"':
            rc = wb_buf_puts(b, "&quot;");
            break;
        case '\'':
            rc = wb_buf_puts(b, "&#39;");
            break;
        default:
            rc = wb_buf_putc(b, *p);
        }
    }
    free(clean);
    return rc ? WB_ENOMEM : 0;
}

const char *wbi_utf8_cut(const char *s, size_t max_chars, char *out, size_t cap)
{
    size_t n = 0, i = 0, chars = 0;
    if (cap < 4) return "";
    for (; s && s[i] && chars < max_chars; chars++) {
        size_t len = 1;
        while (((unsigned char)s[i + len] & 0xc0) == 0x80)
            len++;
        if (n + len + 4 > cap) break;
        memcpy(out + n, s + i, len);
        n += len;
        i += len;
    }
    if (s && s[i]) { /* cut: end in an ellipsis */
        while (n > 0 && out[n - 1] == ' ')
            n--;
        memcpy(out + n, "\xe2\x80\xa6", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}
