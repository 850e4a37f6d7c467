/*
 * fuzz_misp_sightings.c - libFuzzer target: the body of MISP's
 * sightings/restSearch (wbi_sight_filter_parse: id, uuid, value, type,
 * source, org, context, from/to/last as seconds, spans or dates,
 * limit/page, includeAttribute/includeEvent, returnFormat), with each of
 * the path's contexts.
 */
#include <stddef.h>
#include <stdint.h>

#include "share/share_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const contexts[] = {NULL, "attribute", "event"};
    for (size_t i = 0; i < 3; i++) {
        wbi_sight_filter f;
        wbi_problem prob;
        wbi_sight_filter_parse((const char *)data, size, contexts[i], 32, 1790000000, &f, &prob);
        wbi_sight_filter_free(&f);
    }
    return 0;
}
