/*
 * error.c - error codes to text and the wb_error context helpers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "weerbaar/error.h"

const char *wb_strerror(int code)
{
    /* No default: -Wswitch reports a code added to the enum but not here. */
    switch ((wb_code)code) {
    case WB_OK:
        return "success";
    case WB_ENOMEM:
        return "out of memory";
    case WB_EIO:
        return "input/output error";
    case WB_EPARSE:
        return "malformed input";
    case WB_EINVAL:
        return "invalid argument";
    case WB_ENOTFOUND:
        return "not found";
    case WB_ELIMIT:
        return "limit exceeded";
    case WB_EFORMAT:
        return "unrecognised format";
    case WB_EINTERNAL:
        return "internal error";
    }
    return "unknown error";
}

int wb_error_set(wb_error *err, int code, const char *fmt, ...)
{
    if (err == NULL) return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void wb_error_prefix(wb_error *err, const char *fmt, ...)
{
    if (err == NULL) return;
    char prefix[WB_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    /* Truncation is acceptable: the message keeps its start. */
    size_t plen = (size_t)n < sizeof prefix ? (size_t)n : sizeof prefix - 1;
    size_t mlen = strlen(err->msg);
    if (plen + mlen >= sizeof err->msg) mlen = sizeof err->msg - 1 - plen;
    memmove(err->msg + plen, err->msg, mlen);
    memcpy(err->msg, prefix, plen);
    err->msg[plen + mlen] = '\0';
}

void wb_error_clear(wb_error *err)
{
    if (err == NULL) return;
    err->code = WB_OK;
    err->msg[0] = '\0';
}
