/*
 * fuzz_http_head.c - libFuzzer target: the check of a request head that
 * the hub's connection gate makes before libmicrohttpd reads it
 * (wbi_hub_http_head_check), on the whole input and on every prefix length a
 * trickling client could have sent so far. Invariants: a complete head's
 * length lies within what was given and ends with a blank line, a refusal
 * names an HTTP status and code, and a prefix is never refused when a
 * longer input that starts with it is accepted.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    wbi_hub_http_head h;
    wbi_problem prob;
    int whole = wbi_hub_http_head_check(buf, size, 4096, 1024, &h, &prob);
    if (whole == 0 && (h.len == 0 || h.len > size || buf[h.len - 1] != '\n')) abort();
    if (whole < 0 && (prob.status < 400 || prob.status > 599 || prob.code == NULL)) abort();
    if (whole == 0) {
        size_t len = h.len;
        for (size_t n = 0; n < len; n += 1 + n / 8)
            if (wbi_hub_http_head_check(buf, n, 4096, 1024, &h, &prob) < 0) abort();
    }
    return 0;
}
