/*
 * fuzz_hub_event.c - libFuzzer target: a posted MISP event through the hub's
 * parser and validator (wbi_event_parse: JSON depth check, fields, tags and
 * TLP, attributes and objects, indicator normalisation and look-up keys).
 * The first byte chooses the default distribution and a small attribute
 * limit, so that those paths are reached too.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hub/hub_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    wbi_limits lim = {.max_depth = 32,
                      .max_attributes = (data[0] & 1) ? 4 : 100000,
                      .default_distribution = (data[0] >> 1) % 5};
    wbi_event_in ev;
    wbi_problem prob;
    if (wbi_event_parse((const char *)data + 1, size - 1, &lim, 1790000000, &ev, &prob) == 0) {
        /* Touch what a caller would store. */
        volatile size_t sink = strlen(ev.info) + strlen(ev.date) + strlen(ev.uuid);
        for (size_t i = 0; i < ev.nattrs; i++) {
            sink += strlen(ev.attrs[i].rec.uuid) + strlen(ev.attrs[i].rec.value);
            for (unsigned k = 0; k < ev.attrs[i].rec.nkeys; k++)
                sink += strlen(ev.attrs[i].rec.key[k]);
        }
        (void)sink;
    } else if (prob.code == NULL || prob.status < 400) {
        __builtin_trap(); /* every refusal has a status and a code */
    }
    wbi_event_free(&ev);
    return 0;
}
