/*
 * fuzz_feed.c - libFuzzer target: what `weerbaar feed pull` reads from a
 * feed before anything touches the database. The first byte chooses the
 * file: even, a manifest.json (wbi_feed_manifest_parse); odd, an event file
 * (wbi_feed_event_read: uuid check, timestamp, Orgc, the feed's audience
 * dropped and the pull's given, TLP narrowing, then the hub's event
 * validation), with the distribution taken from the same byte.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    if ((data[0] & 1) == 0) {
        wbi_feed_entry *e = NULL;
        size_t n = 0, bad = 0;
        wbi_problem prob;
        if (wbi_feed_manifest_parse(text, len, 32, 64, &e, &n, &bad, &prob) == 0) {
            for (size_t i = 0; i < n; i++)
                if (!wb_uuid_valid(e[i].uuid, strlen(e[i].uuid)) || e[i].timestamp < 0)
                    __builtin_trap();
        } else if (prob.code == NULL || prob.status < 400) {
            __builtin_trap(); /* every refusal has a status and a code */
        }
        free(e);
        return 0;
    }
    wbi_limits lim = {.max_depth = 32, .max_attributes = (data[0] & 2) ? 4 : 100000};
    wbi_event_in in;
    int64_t ts = 0;
    size_t narrowed = 0;
    char reason[WB_ERROR_MSG_MAX];
    int dist = (data[0] >> 2) % 5;
    if (wbi_feed_event_read(text, len, "56bf399d-c46c-4fdb-a9cf-d9bb02de0b81", 1455373240, dist,
                            "5e0f7a6c-0000-4000-8000-0000000000aa", &lim, &in, &ts, &narrowed,
                            reason, sizeof reason) == 0) {
        /* What the pull stores must satisfy the policy's table. */
        if (!wb_policy_distribution_allowed(in.tlp, in.distribution)) __builtin_trap();
        volatile size_t sink = strlen(in.info) + strlen(in.date);
        for (size_t i = 0; i < in.nattrs; i++)
            sink += strlen(in.attrs[i].rec.value);
        (void)sink;
    } else if (reason[0] == '\0') {
        __builtin_trap(); /* every skip says why */
    }
    wbi_event_free(&in);
    return 0;
}
