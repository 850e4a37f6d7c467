/*
 * fuzz_deps_rir.c - libFuzzer target: the RIR delegated(-extended) parser
 * and the AS-name list parser on the same bytes, then a build and look-ups
 * of addresses taken from the input, so the boundary index is exercised on
 * whatever ranges the input declared.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "weerbaar/deps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_ipdb *db;
    wb_error err = {0};
    if (wb_ipdb_new(&db, &err) != 0) return 0;
    (void)wb_ipdb_add_rir(db, (const char *)data, size, "fuzz", &err);
    (void)wb_ipdb_add_asnames(db, (const char *)data, size, "fuzz", &err);
    if (wb_ipdb_build(db, &err) == 0) {
        for (size_t i = 0; i + 16 <= size; i += 16) {
            wb_addr a;
            memcpy(a.b, data + i, 16);
            wb_ipinfo in;
            wb_ipdb_lookup(db, &a, &in);
            uint32_t v4;
            memcpy(&v4, data + i, 4);
            (void)wb_ipdb_lookup_v4(db, v4);
        }
    }
    wb_ipdb_free(db);
    return 0;
}
