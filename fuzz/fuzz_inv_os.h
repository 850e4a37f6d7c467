/*
 * fuzz_inv_os.h - what the fuzz targets of the text inventory readers
 * (src/vuln/inventory_os.c) share: one reader run on the bytes in both
 * passes (checking, then handing out to a sink that reads every string),
 * from a heap copy without a terminating NUL so that an over-read shows.
 */
#ifndef WB_FUZZ_INV_OS_H
#define WB_FUZZ_INV_OS_H

#include "fuzz_vuln_common.h"
#include "vuln/inventory_internal.h"

static int fz_os_comp(wb_component_sink *self, const wb_component *c)
{
    (void)self;
    size_t n = fz_touch(c->asset) + fz_touch(c->name) + fz_touch(c->version) + fz_touch(c->purl) +
               fz_touch(c->cpe) + fz_touch(c->vendor) + fz_touch(c->source_name) +
               fz_touch(c->source_version) + fz_touch(c->where);
    return n == SIZE_MAX ? WB_ENOMEM : 0;
}

static void fz_os_skip(void *ud, const wb_error *e)
{
    (void)ud;
    if (strlen(e->msg) >= sizeof e->msg) abort();
}

static inline void fz_inv_run(const uint8_t *data, size_t size,
                              int (*reader)(wbi_inv *, const char *, size_t), const char *distro)
{
    char *copy = malloc(size ? size : 1);
    if (copy == NULL) return;
    if (size) memcpy(copy, data, size);
    wb_component_sink sink = {fz_os_comp};
    wb_inventory_opts o = {.distro = distro, .skipped = fz_os_skip};
    wb_error err = {0};
    wbi_inv v = {.opts = &o, .distro = distro, .asset = "fuzz"};
    wbi_doc_init(&v.d, "fuzz", &err);
    for (int pass = 0; pass < 2; pass++) {
        v.sink = pass ? &sink : NULL;
        wb_arena_free(&v.d.arena);
        if (reader(&v, copy, size) != 0) break;
    }
    free(v.owned);
    wbi_doc_free(&v.d);
    free(copy);
}

#endif
