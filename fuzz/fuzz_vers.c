/*
 * fuzz_vers.c - libFuzzer target: vers parsing (strict and lenient),
 * formatting, containment and native range translation. The canonical form
 * of a leniently parsed range must parse strictly and format to itself.
 * The input is "RANGE\nVERSION"; the first byte also selects the
 * from-native scheme (npm or pypi) for the whole input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/vers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t rn = nl ? (size_t)(nl - s) : size;
    wb_vers *v = NULL;
    wb_error err = {0};
    wb_buf b = {0}, c = {0};
    if (wb_vers_parse(s, rn, WB_VERS_STRICT, &v, &err) == 0) wb_vers_free(v);
    if (wb_vers_parse(s, rn, 0, &v, &err) == 0) {
        if (wb_vers_format(v, &b) != 0) abort();
        wb_vers *w = NULL;
        if (wb_vers_parse(b.data, b.len, WB_VERS_STRICT, &w, &err) != 0) abort();
        if (wb_vers_format(w, &c) != 0 || strcmp(b.data, c.data) != 0) abort();
        wb_vers_free(w);
        if (nl) {
            char version[256];
            size_t vn = size - rn - 1 < sizeof version - 1 ? size - rn - 1 : sizeof version - 1;
            memcpy(version, nl + 1, vn);
            version[vn] = '\0';
            bool in;
            (void)wb_vers_contains(v, version, &in, &err);
        }
        wb_vers_free(v);
    }
    if (wb_vers_parse_for("generic", s, rn, &v, &err) == 0) wb_vers_free(v);
    if (size < 4096) {
        char *z = malloc(size + 1);
        if (!z) return 0;
        memcpy(z, data, size);
        z[size] = '\0';
        (void)wb_vers_from_native(size && (data[0] & 1) ? "npm" : "pypi", z, &b, &err);
        free(z);
    }
    wb_buf_free(&b);
    wb_buf_free(&c);
    return 0;
}
