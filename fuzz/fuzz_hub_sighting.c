/*
 * fuzz_hub_sighting.c - libFuzzer target: posted MISP sightings
 * (wbi_sightings_parse) and the indicator look-up keys of their values
 * (wbi_lookup_keys, which also serves GET /api/v1/indicators, with every
 * block length and with the lengths a hub has stored).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *root = NULL;
    wbi_sighting_in *in = NULL;
    size_t n = 0;
    wbi_problem prob;
    static wb_ioc_key keys[160];
    if (wbi_sightings_parse((const char *)data, size, 32, 1790000000, &root, &in, &n, &prob) == 0) {
        for (size_t i = 0; i < n; i++) {
            if (in[i].value == NULL) continue;
            wbi_lookup_keys(in[i].value, strlen(in[i].value), in[i].type_filter, keys,
                            sizeof keys / sizeof keys[0], &prob);
            /* And with only some block lengths stored, as the hub asks:
             * a set made from the input's first bytes. */
            wb_prefix_set pf = {0};
            for (size_t k = 0; k < size && k < 32; k++) {
                unsigned q = data[k] % 162;
                if (q < 33)
                    pf.v4 |= (uint64_t)1 << q;
                else
                    pf.v6[(q - 33) / 64] |= (uint64_t)1 << ((q - 33) % 64);
            }
            wbi_lookup_keys_in(in[i].value, strlen(in[i].value), in[i].type_filter, &pf, keys,
                               sizeof keys / sizeof keys[0], &prob);
        }
    }
    free(in);
    json_decref(root);
    return 0;
}
