/*
 * fuzz_nats_user.c - libFuzzer target: the sensor's NATS user file
 * (wb_nats_user_parse, src/nats/userfile.c) and the headers of an
 * indicator message (wb_nats_msg_check, src/nats/follow.c), both read
 * from what the sensor cannot trust (a copied file; a message on the
 * wire), and a sightings message the hub reads (wb_nats_sightings_parse,
 * src/nats/sight.c). The first byte chooses the parser. A parsed file must hold the
 * required fields, subjects within the bound and without wildcards; a
 * checked message a sequence after its predecessor.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/nats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int which = data[0] % 3;
    data++;
    size--;
    /* a copy with exactly one byte more (the NUL the parser may write) */
    char *text = malloc(size + 1);
    if (text == NULL) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    wb_error err;
    if (which == 2) {
        wb_nats_sighting *v = NULL;
        size_t n = 0, skipped = 0;
        if (wb_nats_sightings_parse(text, size, &v, &n, &skipped, &err) == 0) {
            if (n > WB_NATS_SIGHT_MAX) abort();
            for (size_t i = 0; i < n; i++)
                if (strlen(v[i].attr) != 36 || v[i].type < 0 || v[i].type > 2 || v[i].count < 1 ||
                    (v[i].first && v[i].first > v[i].date))
                    abort();
        } else if (v != NULL) {
            abort();
        }
        free(v);
    } else if (which == 0) {
        wb_nats_user u;
        if (wb_nats_user_parse(text, size, &u, &err) == 0) {
            if (u.user == NULL || u.seed == NULL || u.inbox == NULL || u.org == NULL) abort();
            if (u.nsubjects > WB_NATS_MAX_SUBJECTS) abort();
            for (size_t i = 0; i < u.nsubjects; i++)
                if (strpbrk(u.subjects[i], "*> \t") != NULL ||
                    strncmp(u.subjects[i], "wb.ind.", 7) != 0)
                    abort();
        }
    } else {
        /* three NUL-separated header values: Wb-Seq, Wb-Prev, Wb-Event */
        const char *seq = text;
        const char *prev = seq + strlen(seq) + 1;
        const char *ev = prev <= text + size ? prev + strlen(prev) + 1 : NULL;
        if (prev <= text + size && ev != NULL && ev <= text + size) {
            wb_nats_msg m = {0};
            if (wb_nats_msg_check(seq, prev, ev, &m, &err) == 0 &&
                (m.seq < 1 || m.prev < 0 || m.prev >= m.seq || strlen(m.event) != 36))
                abort();
        }
    }
    free(text);
    return 0;
}
