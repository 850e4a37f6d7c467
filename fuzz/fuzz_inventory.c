/*
 * fuzz_inventory.c - libFuzzer target: inventory detection and every
 * inventory format (CycloneDX, SPDX, CSV, dpkg, rpm) on the same bytes,
 * through a temporary file as wb_inventory_load reads paths.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_vuln_common.h"

static int fz_comp(wb_component_sink *self, const wb_component *c)
{
    (void)self;
    size_t n = fz_touch(c->asset) + fz_touch(c->name) + fz_touch(c->version) + fz_touch(c->purl) +
               fz_touch(c->cpe) + fz_touch(c->vendor) + fz_touch(c->product) +
               fz_touch(c->source_name) + fz_touch(c->source_version) + fz_touch(c->where);
    return n == SIZE_MAX ? WB_ENOMEM : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = fz_tempfile(data, size);
    wb_component_sink sink = {fz_comp};
    static const wb_inventory_format fmts[] = {WB_INV_AUTO, WB_INV_CYCLONEDX, WB_INV_SPDX,
                                               WB_INV_CSV,  WB_INV_DPKG,      WB_INV_RPM};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        wb_inventory_opts o = {.format = fmts[i], .distro = i % 2 ? "rhel-9" : "debian-12"};
        wb_error err = {0};
        wb_inventory_load(path, &o, &sink, &err);
    }
    unlink(path);
    free(path);
    return 0;
}
