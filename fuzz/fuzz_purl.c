/*
 * fuzz_purl.c - libFuzzer target: purl parsing. A purl that parses
 * leniently must format to a canonical string that parses strictly, to the
 * same string again.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/purl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_purl *p = NULL, *q = NULL;
    wb_error err = {0};
    wb_buf a = {0}, b = {0};
    if (wb_purl_parse((const char *)data, size, WB_PURL_STRICT, &p, &err) == 0) wb_purl_free(p);
    if (wb_purl_parse((const char *)data, size, 0, &p, &err) == 0) {
        if (wb_purl_format(p, &a) != 0) abort();
        if (wb_purl_parse(a.data, a.len, WB_PURL_STRICT, &q, &err) != 0) abort();
        if (wb_purl_format(q, &b) != 0 || strcmp(a.data, b.data) != 0) abort();
        wb_purl_free(q);
        wb_purl_free(p);
    }
    wb_buf_free(&a);
    wb_buf_free(&b);
    return 0;
}
