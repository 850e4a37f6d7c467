/*
 * buf.c - growable, always NUL-terminated byte buffer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/core.h"

int wb_buf_reserve(wb_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1) return WB_ENOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (p == NULL) return WB_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int wb_buf_append(wb_buf *b, const void *p, size_t n)
{
    if (wb_buf_reserve(b, n) != 0) return WB_ENOMEM;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int wb_buf_puts(wb_buf *b, const char *s)
{
    return wb_buf_append(b, s, strlen(s));
}

int wb_buf_putc(wb_buf *b, char c)
{
    return wb_buf_append(b, &c, 1);
}

int wb_buf_printf(wb_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return WB_EINVAL;
    if ((size_t)n < sizeof small) return wb_buf_append(b, small, (size_t)n);
    if (wb_buf_reserve(b, (size_t)n) != 0) return WB_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void wb_buf_reset(wb_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

void wb_buf_free(wb_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
