/*
 * amsterdam.c - Europe/Amsterdam local time without the machine's TZ: the
 * final-report deadline is "one calendar month" on the Dutch calendar at the
 * same local time, and deadlines are shown to people in Dutch time.
 *
 * The rule is the EU summer-time rule (Directive 2000/84/EC, in force in
 * the Netherlands since 1996): CET (UTC+1) all year except CEST (UTC+2) from
 * 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
 * October. tzdata's Europe/Amsterdam follows exactly this since 1996; the
 * tests compare both. A fixed rule is preferred over the system's zoneinfo
 * so that a server with TZ=UTC, a container without tzdata, or a future
 * change of the machine's zone cannot move a legal deadline.
 */
#include <stdio.h>
#include <string.h>

#include "incident/incident_internal.h"

/* Floor division for negative times (before 1970). */
static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Unix seconds of 01:00 UTC on the last Sunday of month m of year y. */
static int64_t last_sunday_0100(int64_t y, unsigned m)
{
    int64_t last = wb_days_from_civil(y, m, wb_days_in_month(y, m));
    /* 1970-01-01 was a Thursday: weekday 0 = Sunday. */
    int64_t wd = ((last + 4) % 7 + 7) % 7;
    return (last - wd) * 86400 + 3600;
}

int wb_ams_offset(wb_time t)
{
    int64_t secs = floordiv(t, 1000000);
    int64_t y;
    unsigned m, d;
    wb_civil_from_days(floordiv(secs, 86400), &y, &m, &d);
    if (secs >= last_sunday_0100(y, 3) && secs < last_sunday_0100(y, 10)) return 7200;
    return 3600;
}

static void civil_of(int64_t secs, unsigned usec, wb_civil *out)
{
    int64_t days = floordiv(secs, 86400), rem = secs - days * 86400;
    wb_civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (unsigned)(rem / 3600);
    out->minute = (unsigned)(rem / 60 % 60);
    out->second = (unsigned)(rem % 60);
    out->usec = usec;
}

void wb_ams_to_civil(wb_time t, wb_civil *out, int *offset)
{
    int off = wb_ams_offset(t);
    int64_t secs = floordiv(t, 1000000);
    unsigned usec = (unsigned)(t - secs * 1000000);
    civil_of(secs + off, usec, out);
    if (offset) *offset = off;
}

wb_time wb_ams_from_civil(const wb_civil *c)
{
    int64_t local = wb_days_from_civil(c->year, c->month, c->day) * 86400 +
                    (int64_t)c->hour * 3600 + (int64_t)c->minute * 60 + c->second;
    int64_t cest = local - 7200, cet = local - 3600;
    int64_t pick;
    if (wb_ams_offset(cest * 1000000) == 7200)
        pick = cest; /* valid in summer time; in the repeated hour also the earlier */
    else if (wb_ams_offset(cet * 1000000) == 3600)
        pick = cet;
    else
        pick = cet; /* the skipped hour: read with the offset before the gap */
    return pick * 1000000 + c->usec;
}

wb_time wb_ams_add_months(wb_time t, int months)
{
    wb_civil c;
    wb_ams_to_civil(t, &c, NULL);
    int64_t m0 = (int64_t)c.month - 1 + months;
    c.year += floordiv(m0, 12);
    c.month = (unsigned)(m0 - floordiv(m0, 12) * 12) + 1;
    unsigned dim = wb_days_in_month(c.year, c.month);
    if (c.day > dim) c.day = dim;
    return wb_ams_from_civil(&c);
}

size_t wb_ams_format(wb_time t, char *out, size_t cap)
{
    wb_civil c;
    int off;
    wb_ams_to_civil(t, &c, &off);
    int n;
    if (c.usec)
        n = snprintf(out, cap, "%04lld-%02u-%02uT%02u:%02u:%02u.%06u+%02d:00", (long long)c.year,
                     c.month, c.day, c.hour, c.minute, c.second, c.usec, off / 3600);
    else
        n = snprintf(out, cap, "%04lld-%02u-%02uT%02u:%02u:%02u+%02d:00", (long long)c.year,
                     c.month, c.day, c.hour, c.minute, c.second, off / 3600);
    return n < 0 ? 0 : (size_t)n;
}

static bool digits_at(const char *s, size_t n, size_t at, size_t count)
{
    if (at + count > n) return false;
    for (size_t i = at; i < at + count; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

int wb_time_parse_rfc3339(const char *s, size_t n, wb_time *out)
{
    /* The shape is checked here; wb_time_parse checks ranges and converts. */
    if (!digits_at(s, n, 0, 4) || n < 20 || s[4] != '-' || !digits_at(s, n, 5, 2) || s[7] != '-' ||
        !digits_at(s, n, 8, 2) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits_at(s, n, 11, 2) || s[13] != ':' || !digits_at(s, n, 14, 2) || s[16] != ':' ||
        !digits_at(s, n, 17, 2))
        return WB_EINVAL;
    size_t i = 19;
    if (i < n && s[i] == '.') {
        size_t start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start) return WB_EINVAL;
    }
    if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
        /* fine */
    } else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && digits_at(s, n, i + 1, 2) &&
               s[i + 3] == ':' && digits_at(s, n, i + 4, 2)) {
        /* fine */
    } else {
        return WB_EINVAL;
    }
    return wb_time_parse(s, n, out) == 0 ? 0 : WB_EINVAL;
}

/* "YYYY-MM-DD[T ]HH:MM[:SS]" with nothing after it: the local form. */
static bool local_shape(const char *s, size_t n, wb_civil *c)
{
    if ((n != 16 && n != 19) || !digits_at(s, n, 0, 4) || s[4] != '-' || !digits_at(s, n, 5, 2) ||
        s[7] != '-' || !digits_at(s, n, 8, 2) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits_at(s, n, 11, 2) || s[13] != ':' || !digits_at(s, n, 14, 2))
        return false;
    if (n == 19 && (s[16] != ':' || !digits_at(s, n, 17, 2))) return false;
#define NUM2(at) ((unsigned)(s[at] - '0') * 10 + (unsigned)(s[(at) + 1] - '0'))
    memset(c, 0, sizeof *c);
    c->year = (int64_t)NUM2(0) * 100 + NUM2(2);
    c->month = NUM2(5);
    c->day = NUM2(8);
    c->hour = NUM2(11);
    c->minute = NUM2(14);
    c->second = n == 19 ? NUM2(17) : 0;
#undef NUM2
    return c->month >= 1 && c->month <= 12 && c->day >= 1 &&
           c->day <= wb_days_in_month(c->year, c->month) && c->hour <= 23 && c->minute <= 59 &&
           c->second <= 59;
}

int wb_ams_parse(const char *s, wb_time now, wb_time *out, int *how, wb_error *err)
{
    size_t n = strlen(s);
    int dummy;
    if (how == NULL) how = &dummy;
    if (strcmp(s, "now") == 0) {
        *how = 1;
        *out = now;
        return 0;
    }
    *how = 0;
    if (wb_time_parse_rfc3339(s, n, out) == 0) return 0;
    wb_civil c;
    if (!local_shape(s, n, &c))
        return wb_error_set(err, WB_EINVAL,
                            "'%s': not a time: write now, a local time in Europe/Amsterdam "
                            "(2026-05-01T10:00 or 2026-05-01 10:00:00) or RFC 3339 with an "
                            "offset (2026-05-01T10:00:00+02:00)",
                            s);
    *how = 2;
    int64_t local = wb_days_from_civil(c.year, c.month, c.day) * 86400 + (int64_t)c.hour * 3600 +
                    (int64_t)c.minute * 60 + c.second;
    int64_t cest = local - 7200, cet = local - 3600;
    bool summer = wb_ams_offset(cest * 1000000) == 7200;
    bool winter = wb_ams_offset(cet * 1000000) == 3600;
    char date[16];
    snprintf(date, sizeof date, "%.10s", s);
    if (summer && winter)
        return wb_error_set(err, WB_EINVAL,
                            "'%s' happened twice in Europe/Amsterdam (at 03:00 summer time the "
                            "clocks went back to 02:00): write the offset, "
                            "%sT%02u:%02u:%02u+02:00 for the first (summer time) or "
                            "%sT%02u:%02u:%02u+01:00 for the second",
                            s, date, c.hour, c.minute, c.second, date, c.hour, c.minute, c.second);
    if (!summer && !winter)
        return wb_error_set(err, WB_EINVAL,
                            "'%s' never happened in Europe/Amsterdam (at 02:00 the clocks went "
                            "forward to 03:00, summer time): write the time the clock showed "
                            "(03:00 or later), or give the offset: %sT%02u:%02u:%02u+01:00",
                            s, date, c.hour, c.minute, c.second);
    *out = (summer ? cest : cet) * 1000000;
    return 0;
}
