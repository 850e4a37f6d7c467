/*
 * fuzz_feed.c - libFuzzer target: what `weerbaar feed pull` reads from a
 * feed before anything touches the database, and the export's fast copy of
 * stored attributes. The first byte chooses, modulo 3: 0 a manifest.json
 * (wbi_feed_manifest_parse); 1 an event file (wbi_feed_event_read: uuid
 * check, timestamp, Orgc, the feed's audience dropped and the pull's given,
 * TLP narrowing, then the hub's event validation), with the distribution
 * from the same byte; 2 a stored attribute through wbi_feed_attr_fast,
 * checked against jansson: whatever it copies must be what jansson reads,
 * and every member a feed carries must be copied.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hub/hub_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    if (data[0] % 3 == 2) {
        wb_buf out = {0};
        int rc = wbi_feed_attr_fast(text, len, &out);
        json_t *in = json_loadb(text, len, JSON_DECODE_ANY, NULL);
        if (rc == 0 && json_is_object(in)) {
            json_t *got = json_loadb(out.data, out.len, 0, NULL);
            if (!json_is_object(got)) __builtin_trap();
            const char *k;
            json_t *v;
            json_object_foreach(got, k, v)
            {
                if (!json_equal(v, json_object_get(in, k))) __builtin_trap();
            }
            static const char *const keep[] = {"uuid", "type", "value", "category", "to_ids"};
            for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
                if (json_object_get(in, keep[i]) && !json_object_get(got, keep[i]))
                    __builtin_trap();
            if (json_object_get(got, "distribution") || json_object_get(got, "Tag"))
                __builtin_trap();
            json_decref(got);
        }
        json_decref(in);
        wb_buf_free(&out);
        return 0;
    }
    if (data[0] % 3 == 0) {
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
