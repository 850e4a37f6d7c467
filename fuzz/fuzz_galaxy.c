/*
 * fuzz_galaxy.c - libFuzzer target: one MISP galaxy JSON file as `admin
 * galaxy add` reads it (wbi_galaxy_doc_parse: a galaxy definition or a
 * cluster collection) and every cluster value of it (wbi_galaxy_value:
 * value, uuid and the misp-galaxy: tag it is attached as).
 */
#include <stddef.h>
#include <stdint.h>

#include "share/share_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wbi_galaxy_doc d;
    wbi_problem prob;
    if (wbi_galaxy_doc_parse((const char *)data, size, 32, &d, &prob) == 0) {
        for (size_t i = 0; i < json_array_size(d.values); i++) {
            const char *value, *uuid;
            char tag[1200];
            wbi_galaxy_value(&d, i, &value, &uuid, tag, sizeof tag, &prob);
        }
    }
    wbi_galaxy_doc_free(&d);
    return 0;
}
