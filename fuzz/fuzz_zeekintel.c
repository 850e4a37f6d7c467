/*
 * fuzz_zeekintel.c - libFuzzer target: Zeek Intel framework files
 * through wb_intel_load_buffer (see fuzz_intel_common.h).
 */
#include "fuzz_intel_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_intel(WB_INTEL_ZEEK, data, size);
    return 0;
}
