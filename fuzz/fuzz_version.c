/*
 * fuzz_version.c - libFuzzer target: every version scheme. The first byte
 * picks the scheme, the rest is split at the first newline into two
 * versions. Besides memory errors it checks that each scheme's comparison
 * is an order on valid versions: a = a, and swapping the operands flips the
 * sign.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t nschemes = 0;
    while (wb_version_schemes[nschemes])
        nschemes++;
    const wb_version_scheme *vs = wb_version_schemes[data[0] % nschemes];
    const char *a = (const char *)data + 1;
    size_t rest = size - 1;
    const char *nl = memchr(a, '\n', rest);
    size_t an = nl ? (size_t)(nl - a) : rest;
    const char *b = nl ? nl + 1 : a;
    size_t bn = nl ? rest - an - 1 : rest;
    wb_error err = {0};
    int r1, r2, r0;
    if (wb_version_scheme_cmp(vs, a, an, b, bn, &r1, &err) != 0) return 0;
    if (wb_version_scheme_cmp(vs, b, bn, a, an, &r2, &err) != 0) abort();
    if (r1 != -r2) abort();
    if (wb_version_scheme_cmp(vs, a, an, a, an, &r0, &err) != 0 || r0 != 0) abort();
    return 0;
}
