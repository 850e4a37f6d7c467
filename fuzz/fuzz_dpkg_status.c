/*
 * fuzz_dpkg_status.c - libFuzzer target: the /var/lib/dpkg/status inventory reader
 * (wbi_inv_dpkg_status in src/vuln/inventory_os.c) on any bytes, both passes.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_inv_os.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_inv_run(data, size, wbi_inv_dpkg_status, "debian-12");
    return 0;
}
