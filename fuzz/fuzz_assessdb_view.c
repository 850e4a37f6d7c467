/*
 * fuzz_assessdb_view.c - libFuzzer target: an assessment version as a hub
 * sends it (wb_assessdb_view_parse), the one document `weerbaar assess
 * --hub` reads from the network. What parses must write back
 * (wb_assessdb_view_json) to JSON that parses to the same versions and
 * answer counts. Short inputs also go through the ID@VERSION parser of the
 * command line, which must accept only what it can print back unchanged.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/assessdb.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_assessdb_view *v = NULL, *w = NULL;
    wb_error err = {0};
    if (size < 64) {
        char s[64], back[80];
        int64_t id;
        int version;
        memcpy(s, data, size);
        s[size] = '\0';
        if (wb_assessdb_parse_ref(s, &id, &version) == 0) {
            if (version)
                snprintf(back, sizeof back, "%lld@%d", (long long)id, version);
            else
                snprintf(back, sizeof back, "%lld", (long long)id);
            /* leading zeros or a '+' would print differently: compare values */
            int64_t id2;
            int v2;
            if (wb_assessdb_parse_ref(back, &id2, &v2) != 0 || id2 != id || v2 != version) abort();
        }
    }
    if (wb_assessdb_view_parse((const char *)data, size, "fuzz", &v, &err) != 0) return 0;
    wb_buf out = {0};
    if (wb_assessdb_view_json(v, &out) != 0) abort();
    if (wb_assessdb_view_parse(out.data, out.len, "again", &w, &err) != 0) abort();
    if (w->version != v->version || w->prev_version != v->prev_version ||
        w->answers->n != v->answers->n || w->previous->n != v->previous->n || w->a.id != v->a.id)
        abort();
    wb_assessdb_view_free(w);
    wb_assessdb_view_free(v);
    wb_buf_free(&out);
    return 0;
}
