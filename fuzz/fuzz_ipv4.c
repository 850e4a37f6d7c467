/*
 * fuzz_ipv4.c - differential libFuzzer target: the matcher's fast dotted-quad
 * parser (src/match/ipv4_fast.h) must accept exactly what wb_ipv4_parse()
 * accepts and return the same address. The input is copied to a buffer of
 * its own size, so ASan catches a read past the value's end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match/ipv4_fast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64) return 0;
    char *s = malloc(size ? size : 1);
    if (s == NULL) return 0;
    if (size) memcpy(s, data, size);
    uint32_t want = 0, got = 0;
    int rw = wb_ipv4_parse(s, size, &want);
    int rg = wbi_ipv4_parse(s, size, &got);
    free(s);
    if (rw != rg || (rw == 0 && want != got)) abort();
    return 0;
}
