/*
 * fuzz_intel_common.h - the shared body of the indicator-loader fuzz
 * targets: load the input as one format through wb_intel_load_buffer with a
 * sink that touches every byte it is handed (so ASan sees a bad length) and
 * keeps nothing.
 */
#ifndef WB_FUZZ_INTEL_COMMON_H
#define WB_FUZZ_INTEL_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "weerbaar/ioc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_count_add(wb_ioc_sink *self, const wb_ioc_in *in)
{
    (void)self;
    volatile char sink = 0;
    for (size_t i = 0; i < in->len; i++)
        sink ^= in->value[i];
    if (in->where) sink ^= in->where[0];
    if (in->event) sink ^= in->event[0];
    if (in->attribute) sink ^= in->attribute[0];
    (void)sink;
    return 0;
}

static void fuzz_count_skip(wb_ioc_sink *self, const char *where, const char *reason)
{
    (void)self;
    (void)where;
    (void)reason;
}

static void fuzz_intel(wb_intel_format format, const uint8_t *data, size_t size)
{
    wb_ioc_sink sink = {fuzz_count_add, fuzz_count_skip};
    wb_intel_opts opts = {.format = format, .all_attributes = size > 0 && (data[0] & 1)};
    wb_error err;
    wb_intel_load_buffer("fuzz", (const char *)data, size, &opts, &sink, &err);
}

#endif
