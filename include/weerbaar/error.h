/*
 * error.h - weerbaar's error codes and the error context every fallible call fills.
 *
 * Functions that can fail return an int: 0 on success or a negative WB_E*
 * code, and write a human-readable message naming the input (file:line, JSON
 * path, field) into a caller-owned wb_error. Only src/cli/ prints messages.
 */
#ifndef WEERBAAR_ERROR_H
#define WEERBAAR_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes. Add a code here and its text in wb_strerror() (src/core/error.c):
 * the switch there has no default, so -Wswitch flags a missing case. */
typedef enum wb_code {
    WB_OK = 0,
    WB_ENOMEM = -1,    /* allocation failed */
    WB_EIO = -2,       /* reading or writing a file failed */
    WB_EPARSE = -3,    /* malformed input */
    WB_EINVAL = -4,    /* invalid argument or value */
    WB_ENOTFOUND = -5, /* no such file, record or key */
    WB_ELIMIT = -6,    /* input exceeds a configured bound */
    WB_EFORMAT = -7,   /* input format not recognised or not supported */
    WB_EINTERNAL = -8  /* an invariant was broken: a bug */
} wb_code;

#define WB_ERROR_MSG_MAX 512

typedef struct wb_error {
    int code;                   /* last code set, WB_OK when clear */
    char msg[WB_ERROR_MSG_MAX]; /* NUL-terminated message */
} wb_error;

/* Short text for a code (never NULL). */
const char *wb_strerror(int code);

/* Sets code and formatted message; returns code so callers can
 * `return wb_error_set(err, WB_EPARSE, "%s:%ld: ...", ...)`. err may be NULL. */
int wb_error_set(wb_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the current message with formatted context ("file.json: "). */
void wb_error_prefix(wb_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void wb_error_clear(wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
