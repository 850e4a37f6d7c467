/*
 * fuzz_apk.c - libFuzzer target: the /lib/apk/db/installed inventory reader
 * (wbi_inv_apk in src/vuln/inventory_os.c) on any bytes, both passes.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_inv_os.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_inv_run(data, size, wbi_inv_apk, "alpine-3.18");
    return 0;
}
