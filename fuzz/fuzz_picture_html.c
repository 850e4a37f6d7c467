/*
 * fuzz_picture_html.c - libFuzzer target: a picture's JSON as
 * wb_picture_html reads it (`weerbaar picture` renders what a hub sent).
 * Whatever the input, the page must come out or the call fail cleanly, and
 * no markup may pass from the input into the page: a page never holds a
 * script element.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "weerbaar/picture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_buf out = {0};
    wb_error err = {0};
    if (wb_picture_html((const char *)data, size, size % 2 ? "en" : "nl", &out, &err) == 0) {
        if (!out.data) abort();
        for (size_t i = 0; i + 7 <= out.len; i++)
            if (strncasecmp(out.data + i, "<script", 7) == 0) abort();
    }
    wb_buf_free(&out);
    return 0;
}
