/*
 * fuzz_csaf.c - libFuzzer target: the CSAF parser on one document in memory,
 * with a sink that reads every string it is handed. Errors are expected;
 * crashes, leaks and out-of-range values are not.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_vuln_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_advisory_sink sink = {fz_adv};
    wb_error err = {0};
    wb_advisory_parse("fuzz.json", (const char *)data, size, WB_ADV_CSAF, &sink, &err);
    wb_advisory_parse("fuzz.json", (const char *)data, size, WB_ADV_AUTO, &sink, &err);
    return 0;
}
