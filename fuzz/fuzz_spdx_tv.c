/*
 * fuzz_spdx_tv.c - libFuzzer target: the SPDX 2.x tag-value inventory reader
 * (wbi_inv_spdx_tv in src/vuln/inventory_os.c) on any bytes, both passes.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_inv_os.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_inv_run(data, size, wbi_inv_spdx_tv, "debian-12");
    return 0;
}
