/*
 * fuzz_csvioc.c - libFuzzer target: CSV with a header and plain lists, and format detection (any
 * format) through wb_intel_load_buffer (see fuzz_intel_common.h).
 */
#include "fuzz_intel_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_intel(WB_INTEL_AUTO, data, size);
    return 0;
}
