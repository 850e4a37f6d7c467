/*
 * fuzz_deps_refdata.c - libFuzzer target: the reference data of `deps map`
 * on the same bytes: the asset inventory (CSV), the vendor-cloud list
 * (YAML), the supplier register (CSV or JSON) and the EU/EEA country list.
 */
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/deps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    wb_error err = {0};
    wb_deps_inventory inv = {0};
    if (wb_deps_inventory_parse(&inv, buf, size, "fuzz", &err) == 0 && inv.n) {
        wb_addr a = inv.assets[0].addr;
        (void)wb_deps_inventory_find(&inv, &a);
    }
    wb_deps_inventory_free(&inv);
    wb_deps_vendors vs = {0};
    (void)wb_deps_vendors_parse(&vs, buf, size, "fuzz", &err);
    wb_deps_vendors_free(&vs);
    wb_deps_suppliers ss = {0};
    (void)wb_deps_suppliers_parse(&ss, buf, size, "fuzz", &err);
    wb_deps_suppliers_free(&ss);
    wb_ccset cs = {0};
    (void)wb_ccset_parse(&cs, buf, size, "fuzz", &err);
    return 0;
}
