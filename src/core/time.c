/*
 * time.c - parsing and formatting of timestamps as microseconds since the
 * epoch (UTC). Hand-written rather than strptime/timegm because log readers
 * call it per sighting and must accept exactly RFC 3339 plus the common
 * variants, reporting anything else as invalid instead of guessing.
 */
#include <stdio.h>
#include <time.h>

#include "weerbaar/core.h"

int64_t wb_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Howard Hinnant's days_from_civil. */
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void wb_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    /* Inverse of wb_days_from_civil: eras of 400 years (146097 days), years
     * counted from 1 March so that the leap day ends a year. */
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

#define DAY_US ((int64_t)86400 * 1000000)

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t wb_time_day(wb_time t)
{
    return floor_div(t, DAY_US);
}

wb_time wb_time_month_start(wb_time t)
{
    int64_t y;
    unsigned m, d;
    wb_civil_from_days(wb_time_day(t), &y, &m, &d);
    return wb_days_from_civil(y, m, 1) * DAY_US;
}

wb_time wb_time_add_months(wb_time t, int n)
{
    int64_t days = wb_time_day(t), y;
    wb_time rest = t - days * DAY_US;
    unsigned m, d;
    wb_civil_from_days(days, &y, &m, &d);
    int64_t mi = y * 12 + (m - 1) + n;
    y = floor_div(mi, 12);
    m = (unsigned)(mi - y * 12) + 1;
    unsigned last = wb_days_in_month(y, m);
    if (d > last) d = last;
    return wb_days_from_civil(y, m, d) * DAY_US + rest;
}

size_t wb_time_format_month(wb_time t, char *out, size_t cap)
{
    int64_t y;
    unsigned m, d;
    wb_civil_from_days(wb_time_day(t), &y, &m, &d);
    int n = snprintf(out, cap, "%04lld-%02u", (long long)y, m);
    return n < 0 ? 0 : (size_t)n;
}

int wb_time_from_unix(int64_t secs, wb_time *out)
{
    if (secs < WB_UNIX_SECS_MIN || secs > WB_UNIX_SECS_MAX) return WB_EINVAL;
    *out = secs * 1000000;
    return 0;
}

bool wb_time_in_range(wb_time t)
{
    return t >= WB_UNIX_SECS_MIN * 1000000 && t <= WB_UNIX_SECS_MAX * 1000000 + 999999;
}

wb_time wb_time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (wb_time)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int digits(const char *s, size_t n, size_t at, size_t count, unsigned *out)
{
    if (at + count > n) return -1;
    unsigned v = 0;
    for (size_t i = 0; i < count; i++) {
        unsigned d = (unsigned char)s[at + i] - '0';
        if (d > 9) return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

unsigned wb_days_in_month(int64_t y, unsigned m)
{
    static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[(m - 1) % 12];
}

int wb_time_parse(const char *s, size_t n, wb_time *out)
{
    unsigned y, mo, d, h = 0, mi = 0, sec = 0;
    if (digits(s, n, 0, 4, &y) || n < 10 || s[4] != '-' || digits(s, n, 5, 2, &mo) || s[7] != '-' ||
        digits(s, n, 8, 2, &d))
        return WB_EINVAL;
    if (mo < 1 || mo > 12 || d < 1 || d > wb_days_in_month(y, mo)) return WB_EINVAL;
    size_t i = 10;
    int64_t frac_us = 0;
    int64_t offset_s = 0;
    if (i < n) {
        if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return WB_EINVAL;
        i++;
        if (digits(s, n, i, 2, &h) || i + 2 >= n || s[i + 2] != ':' || digits(s, n, i + 3, 2, &mi))
            return WB_EINVAL;
        i += 5;
        if (i < n && s[i] == ':') {
            if (digits(s, n, i + 1, 2, &sec)) return WB_EINVAL;
            i += 3;
        }
        if (h > 23 || mi > 59 || sec > 60) return WB_EINVAL;
        if (sec == 60) sec = 59; /* leap second: keep it inside the minute */
        if (i < n && (s[i] == '.' || s[i] == ',')) {
            i++;
            size_t start = i;
            int64_t scale = 100000;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                frac_us += (s[i] - '0') * scale;
                scale /= 10;
                i++;
            }
            if (i == start) return WB_EINVAL;
        }
        if (i < n) {
            if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
                i++;
            } else if (s[i] == '+' || s[i] == '-') {
                unsigned oh, om = 0;
                int sign = s[i] == '-' ? -1 : 1;
                if (digits(s, n, i + 1, 2, &oh)) return WB_EINVAL;
                size_t j = i + 3;
                if (j < n && s[j] == ':') j++;
                if (j < n) {
                    if (digits(s, n, j, 2, &om)) return WB_EINVAL;
                    j += 2;
                }
                if (j != n || oh > 23 || om > 59) return WB_EINVAL;
                offset_s = sign * (int64_t)(oh * 3600 + om * 60);
                i = n;
            } else {
                return WB_EINVAL;
            }
        }
    }
    if (i != n) return WB_EINVAL;
    int64_t days = wb_days_from_civil(y, mo, d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_s;
    wb_time t;
    /* An offset can carry 0000-01-01 or 9999-12-31 across the range's edge. */
    if (wb_time_from_unix(secs, &t) != 0 || !wb_time_in_range(t + frac_us)) return WB_EINVAL;
    *out = t + frac_us;
    return 0;
}

int wb_time_parse_epoch(const char *s, size_t n, wb_time *out)
{
    size_t i = 0;
    int64_t secs = 0;
    if (n == 0) return WB_EINVAL;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        secs = secs * 10 + (s[i] - '0');
        if (secs > WB_UNIX_SECS_MAX) return WB_EINVAL; /* beyond year 9999 */
        i++;
    }
    if (i == 0) return WB_EINVAL;
    int64_t frac = 0;
    if (i < n && s[i] == '.') {
        i++;
        int64_t scale = 100000;
        size_t start = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            frac += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
        if (i == start) return WB_EINVAL;
    }
    if (i != n) return WB_EINVAL;
    wb_time t;
    if (wb_time_from_unix(secs, &t) != 0) return WB_EINVAL;
    *out = t + frac;
    return 0;
}

size_t wb_time_format(wb_time t, char *out, size_t cap)
{
    int64_t secs = t / 1000000, us = t % 1000000;
    if (us < 0) {
        us += 1000000;
        secs -= 1;
    }
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    int64_t y;
    unsigned m, d;
    wb_civil_from_days(days, &y, &m, &d);
    int n;
    if (us)
        n = snprintf(out, cap, "%04lld-%02u-%02uT%02u:%02u:%02u.%06lldZ", (long long)y, m, d,
                     (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60),
                     (long long)us);
    else
        n = snprintf(out, cap, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d,
                     (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
    return n < 0 ? 0 : (size_t)n;
}
