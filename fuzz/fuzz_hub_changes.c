/*
 * fuzz_hub_changes.c - libFuzzer target: a page of the hub's change feed as
 * `weerbaar match --hub --follow` applies it (src/cli/cmd_match_hub.c): events
 * replacing a group of indicators, tombstones emptying one, and a new
 * indicator set built from the mirror. The mirror lives across inputs, so
 * pages apply on top of earlier ones as they do while following.
 *
 * The mirror is CLI code, not in the library: its file is compiled into
 * this target so that its static page parser can be driven directly.
 */
#include <stddef.h>
#include <stdint.h>

#include "cli/cmd_match_hub.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static wb_cli_mirror *m;
    if (m == NULL) {
        wb_hub_client hc = {.base = "fuzz"};
        wb_intel_opts o = {.all_attributes = true};
        if (wb_cli_mirror_new(&m, &hc, &o) != 0) return 0;
    }
    json_t *j = json_loadb((const char *)data, size, 0, NULL);
    json_t *resp = json_object_get(j, "response");
    if (json_is_array(resp)) {
        wb_buf b = {.data = (char *)data, .len = size, .cap = size};
        wb_cli_pull_stats st = {0};
        wb_error err;
        apply_page(m, &b, resp, &st, &err);
    }
    json_decref(j);
    wb_iocset_opts so = {.now = WB_TIME_NONE};
    wb_iocset *set = NULL;
    wb_error err;
    if (wb_cli_mirror_count(m) < 100000 && wb_cli_mirror_build(m, &so, &set, &err) == 0)
        wb_iocset_free(set);
    if (wb_cli_mirror_count(m) >= 100000) {
        /* Bounded: start afresh rather than grow without end. */
        wb_cli_mirror_free(m);
        m = NULL;
    }
    return 0;
}
