/*
 * fuzz_deps_share.c - libFuzzer target: the body of a dependency picture
 * share request (wb_depsdb_request_parse), what the hub's POST
 * /api/v1/deps/pictures reads from the network. What it accepts must be a
 * canonical picture that passes the check again and comes out the same
 * (the check is idempotent), and a revocation must carry no picture. Short
 * inputs with a leading '{' also go through wb_deps_picture_from_map, whose
 * output must pass the receivers' check.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/depsdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_share_audience to;
    bool shared = false;
    wb_buf pic = {0}, again = {0}, map = {0};
    wb_error err = {0};
    if (wb_depsdb_request_parse((const char *)data, size, &to, &shared, &pic, &err) == 0) {
        if ((unsigned)to > WB_SHARE_SUPERVISOR) abort();
        if (shared != (pic.len > 0)) abort();
        if (shared) {
            if (wb_deps_picture_check(pic.data, pic.len, "again", &again, &err) != 0) abort();
            if (again.len != pic.len || memcmp(again.data, pic.data, pic.len) != 0) abort();
        }
    }
    if (wb_deps_picture_from_map((const char *)data, size, "map", &map, &err) == 0 &&
        wb_deps_picture_check(map.data, map.len, "map", NULL, &err) != 0)
        abort();
    wb_buf_free(&pic);
    wb_buf_free(&again);
    wb_buf_free(&map);
    return 0;
}
