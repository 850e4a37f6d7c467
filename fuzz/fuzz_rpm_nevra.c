/*
 * fuzz_rpm_nevra.c - libFuzzer target: the rpm -qa (NAME-VERSION-RELEASE.ARCH) inventory reader
 * (wbi_inv_rpm_nevra in src/vuln/inventory_os.c) on any bytes, both passes.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_inv_os.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_inv_run(data, size, wbi_inv_rpm_nevra, "rhel-9");
    return 0;
}
