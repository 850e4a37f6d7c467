/*
 * fuzz_vulnpolicy.c - libFuzzer target: the policy file of `weerbaar vuln
 * scan --policy`. Whatever the bytes, parsing either fails with a message
 * naming the input or gives a policy whose days are in range; a deadline
 * computed from it for every band is then well defined.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "weerbaar/vulnscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_policy p;
    wb_policy_default(&p);
    wb_error err = {0};
    if (wb_policy_parse("fuzz.json", (const char *)data, size, &p, &err) != 0) {
        if (err.msg[0] == '\0') abort();
        return 0;
    }
    const int days[] = {p.critical_internet, p.critical, p.high, p.medium, p.low, p.none};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        if (days[i] < -1 || days[i] > 3650) abort();
    for (int s = WB_SEV_UNKNOWN; s <= WB_SEV_CRITICAL; s++)
        for (int inet = 0; inet < 2; inet++) {
            wb_patch_rule r;
            wb_time d = wb_policy_deadline(&p, (wb_severity)s, inet != 0, 0, 86400000000LL, &r);
            if (d != WB_TIME_NONE && d > 86400000000LL * 3651) abort();
            if (d == WB_TIME_NONE && r != WB_DL_NONE) abort();
        }
    return 0;
}
