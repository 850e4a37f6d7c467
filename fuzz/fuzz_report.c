/*
 * fuzz_report.c - libFuzzer target: incident report documents. A report
 * that parses must write JSON that parses to the same JSON again, must
 * merge into a cumulative state twice without change, and every stage
 * check must answer without crashing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/incident.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_report *r = NULL, *again = NULL;
    wb_report_problems p = {0};
    wb_error err = {0};
    if (wb_report_parse("fuzz", (const char *)data, size, &r, &p, &err) == 0) {
        wb_buf a = {0}, b = {0};
        if (wb_report_to_json(r, &a) != 0) abort();
        if (wb_report_parse("again", a.data, a.len, &again, &p, &err) != 0) abort();
        if (wb_report_to_json(again, &b) != 0 || strcmp(a.data, b.data) != 0) abort();
        wb_report *st = wb_report_new();
        if (!st || wb_report_merge(st, r) != 0 || wb_report_merge(st, again) != 0) abort();
        if (st->present != r->present) abort();
        for (int s = 0; s < WB_STAGE_COUNT; s++)
            (void)wb_report_check_stage(st, r, (wb_stage)s, &p);
        wb_report_free(st);
        wb_buf_free(&a);
        wb_buf_free(&b);
    } else if (err.code == WB_EINVAL && p.count == 0) {
        abort(); /* refused without saying why */
    }
    wb_report_free(again);
    wb_report_free(r);
    wb_report_problems_free(&p);
    return 0;
}
