/*
 * fuzz_stix.c - libFuzzer target: STIX 2.1 bundles and their patterns
 * through wb_intel_load_buffer (see fuzz_intel_common.h).
 */
#include "fuzz_intel_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_intel(WB_INTEL_STIX, data, size);
    return 0;
}
