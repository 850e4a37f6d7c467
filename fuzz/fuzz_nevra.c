/*
 * fuzz_nevra.c - libFuzzer target: wb_nevra_parse, the reader of rpm
 * package names (NAME-[EPOCH:]VERSION-RELEASE[.ARCH]) that CSAF product
 * versions are matched by. Besides memory errors it checks that every part
 * lies inside the input, that the [epoch:]version-release it gives is a
 * valid version of the rpm scheme, and that writing the parts back as
 * NAME-EVR[.ARCH] parses to the same parts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const char *p, size_t n, const char *s, size_t len)
{
    if (n && (p < s || p + n > s + len)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    wb_nevra a, b;
    wb_error err = {0};
    if (wb_nevra_parse(s, size, &a, &err) != 0) {
        if (err.msg[0] == '\0') abort();
        return 0;
    }
    inside(a.name, a.name_len, s, size);
    inside(a.epoch, a.epoch_len, s, size);
    inside(a.version, a.version_len, s, size);
    inside(a.release, a.release_len, s, size);
    inside(a.arch, a.arch_len, s, size);
    if (a.name_len == 0 || a.version_len == 0 || a.release_len == 0) abort();
    char evr[2 * WB_VERSION_MAX];
    if (wb_nevra_evr(&a, evr, sizeof evr) == 0) abort();
    if (wb_version_valid("rpm", evr, &err) != 0) abort();
    char again[4 * WB_VERSION_MAX];
    int k = snprintf(again, sizeof again, "%.*s-%s%s%.*s", (int)a.name_len, a.name, evr,
                     a.arch_len ? "." : "", (int)a.arch_len, a.arch_len ? a.arch : "");
    if (k < 0 || (size_t)k >= sizeof again) abort();
    if (wb_nevra_parse(again, (size_t)k, &b, &err) != 0) abort();
    if (b.name_len != a.name_len || memcmp(b.name, a.name, a.name_len) != 0 ||
        b.release_len != a.release_len || memcmp(b.release, a.release, a.release_len) != 0 ||
        b.arch_len != a.arch_len || b.epoch_len != a.epoch_len)
        abort();
    return 0;
}
