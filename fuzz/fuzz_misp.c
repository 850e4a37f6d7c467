/*
 * fuzz_misp.c - libFuzzer target: MISP JSON (events, lists, restSearch responses)
 * through wb_intel_load_buffer (see fuzz_intel_common.h).
 */
#include "fuzz_intel_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_intel(WB_INTEL_MISP, data, size);
    return 0;
}
