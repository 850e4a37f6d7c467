/*
 * core.h - small building blocks shared by every module: an arena allocator,
 * a growable byte buffer, hashing, checked number parsing and time.
 *
 * Nothing here keeps global state; every object is owned by its caller.
 */
#ifndef WEERBAAR_CORE_H
#define WEERBAAR_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- arena: many small allocations freed at once ---------------------- */

typedef struct wb_arena_chunk wb_arena_chunk;
typedef struct wb_arena {
    wb_arena_chunk *head; /* newest chunk first */
    size_t chunk_size;    /* default size of a new chunk */
    size_t used;          /* bytes handed out, for statistics */
} wb_arena;

/* chunk_size 0 picks 64 KiB. */
void wb_arena_init(wb_arena *a, size_t chunk_size);
/* Frees every chunk; the arena can be used again. Safe on a zeroed arena. */
void wb_arena_free(wb_arena *a);
/* Returns 8-byte aligned memory, or NULL when out of memory (or n overflows). */
void *wb_arena_alloc(wb_arena *a, size_t n);
/* Copies n bytes and appends a NUL; NULL when out of memory. */
char *wb_arena_strndup(wb_arena *a, const char *s, size_t n);
char *wb_arena_strdup(wb_arena *a, const char *s);

/* ---- buffer: growable bytes, always NUL-terminated ---------------------- */

typedef struct wb_buf {
    char *data; /* NULL until the first append */
    size_t len;
    size_t cap;
} wb_buf;

/* 0 or WB_ENOMEM. */
int wb_buf_reserve(wb_buf *b, size_t extra);
int wb_buf_append(wb_buf *b, const void *p, size_t n);
int wb_buf_puts(wb_buf *b, const char *s);
int wb_buf_putc(wb_buf *b, char c);
int wb_buf_printf(wb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wb_buf_reset(wb_buf *b); /* keeps memory */
void wb_buf_free(wb_buf *b);

/* ---- hashing ------------------------------------------------------------ */

/* A fast non-cryptographic 64-bit hash (not for secrets). */
uint64_t wb_hash64(const void *p, size_t n, uint64_t seed);
static inline uint64_t wb_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* ---- checked numbers ---------------------------------------------------- */

/* Parses the whole of s[0..n) as a decimal integer (optional leading '-')
 * within [min, max]. Returns 0, or WB_EINVAL when it is not one. */
int wb_parse_i64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out);

/* ---- time --------------------------------------------------------------- */

/* Times are microseconds since the Unix epoch, UTC. */
typedef int64_t wb_time;
#define WB_TIME_NONE INT64_MIN
#define WB_TIME_MAX INT64_MAX

wb_time wb_time_now(void);
/* RFC 3339 / ISO 8601: "2026-05-01T10:00:00Z", "...+02:00", fractions, a date
 * alone ("2026-05-01" = midnight UTC), a space instead of 'T'. 0 or WB_EINVAL. */
int wb_time_parse(const char *s, size_t n, wb_time *out);
/* Unix seconds with an optional fraction ("1790000000.123456"). 0 or WB_EINVAL. */
int wb_time_parse_epoch(const char *s, size_t n, wb_time *out);
/* Writes RFC 3339 UTC ("2026-05-01T08:00:00Z", with ".ffffff" when the time
 * has a fraction) into out (at least 32 bytes); returns the length. */
size_t wb_time_format(wb_time t, char *out, size_t cap);
/* The times weerbaar accepts from input: 0000-01-01T00:00:00Z to
 * 9999-12-31T23:59:59.999999Z, the four-digit years RFC 3339 can write.
 * Every time read from input (a parsed string, Unix seconds in JSON or a
 * log) is checked against this range before any arithmetic on it, so that
 * seconds-to-microseconds and back, a day added or a year formatted can
 * never overflow. */
#define WB_UNIX_SECS_MIN (-62167219200LL) /* 0000-01-01T00:00:00Z */
#define WB_UNIX_SECS_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */
/* Unix seconds read from input to a wb_time: 0, or WB_EINVAL (and *out
 * untouched) when secs lies outside [WB_UNIX_SECS_MIN, WB_UNIX_SECS_MAX]. */
int wb_time_from_unix(int64_t secs, wb_time *out);
/* True when t (microseconds) lies inside the range above. */
bool wb_time_in_range(wb_time t);
/* Calendar arithmetic on the proleptic Gregorian calendar, here only
 * (time.c): every module that needs dates uses these.
 * Days since 1970-01-01 for a date (no validation). */
int64_t wb_days_from_civil(int64_t y, unsigned m, unsigned d);
/* The date of a day number (its inverse; negative days are before 1970). */
void wb_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/* Days in month m (1-12) of year y. */
unsigned wb_days_in_month(int64_t y, unsigned m);
/* The day number of t (UTC midnight at or before t; floor, also before
 * 1970). */
int64_t wb_time_day(wb_time t);
/* The start (00:00 UTC) of t's calendar month. */
wb_time wb_time_month_start(wb_time t);
/* t plus n calendar months (UTC), the day clamped to the target month's
 * length (31 January + 1 = 28 or 29 February), the time of day kept. */
wb_time wb_time_add_months(wb_time t, int n);
/* "YYYY-MM" of t (UTC) into out (at least 8 bytes); returns the length. */
size_t wb_time_format_month(wb_time t, char *out, size_t cap);

/* ---- strings -------------------------------------------------------------- */

static inline char wb_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}
/* Case-insensitive comparison of a counted string with a C string. */
bool wb_strn_ieq(const char *s, size_t n, const char *lit);
/* Ends with suffix (case-sensitive). */
bool wb_str_endswith(const char *s, const char *suffix);

#ifdef __cplusplus
}
#endif
#endif
