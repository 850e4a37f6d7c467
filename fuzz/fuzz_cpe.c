/*
 * fuzz_cpe.c - libFuzzer target: CPE 2.3 strings and 2.2 URIs. A name that
 * parses must bind to both forms, each of which must parse back to a name
 * equal to the first; two names split at a newline are also compared.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/cpe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool wild(const wb_cpe *c)
{
    for (int a = 0; a < WB_CPE_NATTR; a++) {
        size_t n;
        const char *v = wb_cpe_value(c, (wb_cpe_attr)a, &n);
        for (size_t i = 0; i < n; i++) {
            if (v[i] == '\\')
                i++;
            else if (v[i] == '*' || v[i] == '?')
                return true;
        }
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t n1 = nl ? (size_t)(nl - s) : size;
    wb_cpe x, y, z;
    wb_error err = {0};
    wb_buf b = {0};
    wb_cpe_relation r;
    if (wb_cpe_parse(s, n1, &x, &err) != 0) return 0;
    if (wb_cpe_format(&x, &b) != 0 || wb_cpe_parse(b.data, b.len, &y, &err) != 0) abort();
    if (wb_cpe_format_uri(&x, &b) != 0 || wb_cpe_parse(b.data, b.len, &z, &err) != 0) abort();
    if (!wild(&x)) {
        if (wb_cpe_compare(&y, &x, &r, &err) != 0 || r != WB_CPE_EQUAL) abort();
        if (wb_cpe_compare(&z, &x, &r, &err) != 0 || r != WB_CPE_EQUAL) abort();
    }
    if (nl && wb_cpe_parse(nl + 1, size - n1 - 1, &y, &err) == 0)
        (void)wb_cpe_compare(&x, &y, &r, &err);
    wb_buf_free(&b);
    return 0;
}
