/*
 * fuzz_match_state.c - libFuzzer target: the read-position file of
 * `weerbaar match --state` (src/match/state.c). A state that parses must
 * save and parse again to the same records; parsing must not read past
 * the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weerbaar/matchstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    if (text == NULL) return 0;
    memcpy(text, data, size);
    wb_mstate *st = NULL;
    wb_error err;
    if (wb_mstate_parse(&st, "fuzz", text, size, &err) == 0) {
        char path[64];
        snprintf(path, sizeof path, "/tmp/wb-fuzz-state-%ld", (long)getpid());
        wb_mstate *again = NULL;
        if (wb_mstate_save(st, path, &err) == 0 && wb_mstate_load(&again, path, &err) == 0) {
            if (wb_mstate_count(again) != wb_mstate_count(st)) abort();
            for (size_t i = 0; i < wb_mstate_count(st); i++) {
                const wb_mstate_file *a = wb_mstate_at(st, i), *b = wb_mstate_at(again, i);
                if (a->dev != b->dev || a->ino != b->ino || a->offset != b->offset ||
                    a->fp != b->fp || a->fp_len != b->fp_len)
                    abort();
            }
            if ((wb_mstate_pending(st) == NULL) != (wb_mstate_pending(again) == NULL)) abort();
        }
        wb_mstate_free(again);
        unlink(path);
        wb_mstate_free(st);
    }
    free(text);
    return 0;
}
