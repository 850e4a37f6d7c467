/*
 * fuzz_vuln_common.h - what the vuln parser fuzz targets share: sinks that
 * check what they are given (every string a parser hands out must be
 * readable and NUL-terminated, every status in range) and a helper that
 * writes the input to a temporary file for the loaders that take paths.
 */
#ifndef WB_FUZZ_VULN_COMMON_H
#define WB_FUZZ_VULN_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weerbaar/vulndb.h"

static inline size_t fz_touch(const char *s)
{
    return s ? strlen(s) : 0;
}

static inline int fz_adv(wb_advisory_sink *self, const wb_advisory *a)
{
    (void)self;
    size_t n = fz_touch(a->id) + fz_touch(a->title) + fz_touch(a->url) + fz_touch(a->severity);
    for (size_t i = 0; i < a->naliases; i++)
        n += fz_touch(a->aliases[i]);
    for (size_t i = 0; i < a->ncvss; i++)
        if (a->cvss[i].score < 0 || a->cvss[i].score > 10) abort();
    for (size_t i = 0; i < a->naffected; i++) {
        const wb_affected *f = &a->affected[i];
        if (f->status > WB_AFF_UNKNOWN) abort();
        n += fz_touch(f->purl) + fz_touch(f->cpe) + fz_touch(f->vendor) + fz_touch(f->product) +
             fz_touch(f->version) + fz_touch(f->range) + fz_touch(f->scheme) + fz_touch(f->fixed) +
             fz_touch(f->product_id) + fz_touch(f->platform);
    }
    for (size_t i = 0; i < a->nremediations; i++)
        for (size_t k = 0; k < a->remediations[i].nproduct_ids; k++)
            n += fz_touch(a->remediations[i].product_ids[k]);
    return n == SIZE_MAX ? WB_ENOMEM : 0;
}

/* Writes the input to a temporary file; the caller unlinks and frees. */
static inline char *fz_tempfile(const uint8_t *data, size_t size)
{
    char *path = strdup("/tmp/wb-fuzz-XXXXXX");
    if (path == NULL) abort();
    int fd = mkstemp(path);
    if (fd < 0) abort();
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) abort();
        off += (size_t)w;
    }
    close(fd);
    return path;
}

#endif
