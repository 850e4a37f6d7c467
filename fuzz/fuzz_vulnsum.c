/*
 * fuzz_vulnsum.c - libFuzzer target: `vuln scan --format json` results as
 * the board report reads them. What parses must count consistently: the
 * overdue findings are among the findings, KEV and critical among those.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "weerbaar/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_vuln_summary s;
    wb_error err = {0};
    if (wb_vuln_summary_parse((const char *)data, size, "fuzz", &s, &err) != 0) {
        if (!err.msg[0] || s.findings || s.overdue) abort();
        return 0;
    }
    if (s.overdue > s.findings || s.overdue_kev > s.overdue || s.overdue_critical > s.overdue)
        abort();
    return 0;
}
