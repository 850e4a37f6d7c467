/*
 * fuzz_facts.c - libFuzzer target: significance facts documents and the
 * assessment of every entity type on what parses. The verdict must agree
 * with the reasons: significant only with a criterion met.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "weerbaar/incident.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_facts f;
    wb_error err = {0};
    if (wb_facts_parse("fuzz", (const char *)data, size, &f, &err) != 0) {
        if (!err.msg[0]) abort();
        return 0;
    }
    for (int e = 0; e < WB_ENTITY_COUNT; e++) {
        wb_assessment a;
        wb_assess((wb_entity_type)e, &f, &a);
        int met = 0;
        for (size_t i = 0; i < a.nreasons; i++)
            met += a.reasons[i].result == WB_CRIT_MET;
        if (a.verdict == WB_VERDICT_SIGNIFICANT && met == 0) abort();
        if (!a.scheduled_maintenance && met > 0 && a.verdict != WB_VERDICT_SIGNIFICANT) abort();
    }
    return 0;
}
