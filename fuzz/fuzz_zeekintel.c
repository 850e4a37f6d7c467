/*
 * fuzz_zeekintel.c - libFuzzer target: Zeek Intel framework files
 * through wb_intel_load_buffer with a sink that only counts.
 */
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/ioc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_add(wb_ioc_sink *self, const wb_ioc_in *in)
{
    (void)self;
    /* Touch every byte the loader hands over, so ASan sees a bad length. */
    volatile char sink = 0;
    for (size_t i = 0; i < in->len; i++)
        sink ^= in->value[i];
    if (in->where) sink ^= in->where[0];
    if (in->event) sink ^= in->event[0];
    if (in->attribute) sink ^= in->attribute[0];
    (void)sink;
    return 0;
}

static void count_skip(wb_ioc_sink *self, const char *where, const char *reason)
{
    (void)self;
    (void)where;
    (void)reason;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_ioc_sink sink = {count_add, count_skip};
    wb_intel_opts opts = {.format = WB_INTEL_ZEEK, .all_attributes = size > 0 && (data[0] & 1)};
    wb_error err;
    wb_intel_load_buffer("fuzz", (const char *)data, size, &opts, &sink, &err);
    return 0;
}
