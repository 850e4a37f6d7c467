/*
 * fuzz_vex.c - libFuzzer target: VEX detection and the CSAF VEX, CycloneDX
 * VEX and OpenVEX readers, and the KEV and EPSS loaders, on the same bytes
 * (through a temporary file: they read paths).
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_vuln_common.h"

static int fz_vex(wb_vex_sink *self, const wb_vex *v)
{
    (void)self;
    if (v->status > WB_VEX_UNDER_INVESTIGATION) abort();
    size_t n = fz_touch(v->vuln) + fz_touch(v->purl) + fz_touch(v->cpe) + fz_touch(v->product) +
               fz_touch(v->version) + fz_touch(v->justification) + fz_touch(v->detail) +
               fz_touch(v->vendor) + fz_touch(v->range);
    return n == SIZE_MAX ? WB_ENOMEM : 0;
}

static int fz_kev(wb_kev_sink *self, const wb_kev *k)
{
    (void)self;
    return fz_touch(k->cve) == SIZE_MAX ? WB_ENOMEM : 0;
}

static int fz_epss(wb_epss_sink *self, const wb_epss *e)
{
    (void)self;
    if (!(e->score >= 0 && e->score <= 1) || !(e->percentile >= 0 && e->percentile <= 1)) abort();
    return fz_touch(e->cve) == SIZE_MAX ? WB_ENOMEM : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = fz_tempfile(data, size);
    wb_vex_sink vs = {fz_vex};
    wb_kev_sink ks = {fz_kev};
    wb_epss_sink es = {fz_epss};
    wb_error err = {0};
    wb_vex_load(path, &vs, &err);
    wb_kev_load(path, &ks, &err);
    wb_epss_load(path, &es, &err);
    unlink(path);
    free(path);
    return 0;
}
