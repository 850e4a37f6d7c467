/*
 * fuzz_jscan.c - libFuzzer target: the tree-less JSON reader of the MISP and
 * STIX loaders (src/intel/jscan.c) against jansson. The reader must accept
 * exactly what json_loadb(JSON_DECODE_ANY) accepts, and the streaming
 * loaders must hand the sink what the former tree loaders did (same code,
 * same number of indicators and skips, same values in order); any
 * difference aborts.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel/intel.h"
#include "intel/jscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct tally {
    wb_ioc_sink sink;
    size_t n, skips;
    uint64_t h; /* order-sensitive hash of what was added */
} tally;

static int tally_add(wb_ioc_sink *self, const wb_ioc_in *in)
{
    tally *t = (tally *)self;
    t->n++;
    t->h = t->h * 31 + wb_hash64(in->value, in->len, (uint64_t)in->type * 7 + (uint64_t)in->tlp);
    if (in->event) t->h ^= wb_hash64(in->event, strlen(in->event), 1);
    if (in->attribute) t->h ^= wb_hash64(in->attribute, strlen(in->attribute), 2);
    if (in->where) t->h += wb_hash64(in->where, strlen(in->where), 3);
    return 0;
}

static void tally_skip(wb_ioc_sink *self, const char *where, const char *reason)
{
    tally *t = (tally *)self;
    t->skips++;
    t->h = t->h * 17 + wb_hash64(reason, strlen(reason), 5) +
           (where ? wb_hash64(where, strlen(where), 4) : 0);
}

static int load(bool tree, wb_intel_format fmt, const char *s, size_t n, tally *t)
{
    memset(t, 0, sizeof *t);
    t->sink.add = tally_add;
    t->sink.skip = tally_skip;
    wb_error err;
    wb_intel_opts opts = {.format = fmt};
    wbi_ctx ctx = {.name = "fuzz", .source = "fuzz", .opts = &opts, .sink = &t->sink, .err = &err};
    int rc = tree ? wbi_intel_json_tree(&ctx, fmt, s, n) : wbi_intel_json(&ctx, fmt, s, n, false);
    wb_buf_free(&ctx.where);
    wb_buf_free(&ctx.tmp);
    wb_buf_free(&ctx.path);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    wbi_jdoc d = {.s = s, .n = size};
    size_t bad;
    bool ours = wbi_jscan_valid(&d, &bad);
    json_error_t je;
    json_t *root = json_loadb(s, size, JSON_DECODE_ANY, &je);
    if (ours != (root != NULL)) abort();
    json_decref(root);
    wb_intel_format fmt = size && (data[0] & 1) ? WB_INTEL_STIX : WB_INTEL_AUTO;
    tally a, b;
    int ra = load(true, fmt, s, size, &a);
    int rb = load(false, fmt, s, size, &b);
    if (ra != rb || a.n != b.n || a.skips != b.skips || a.h != b.h) abort();
    return 0;
}
