/*
 * fuzz_sync_index.c - libFuzzer target: what a pull reads from another hub
 * before anything touches the database. The first byte chooses, modulo 2:
 * 0 an /events/index answer (wb_sync_index_parse: MISP's bare array, the
 * {"response": [...]} form, minimal or full rows), checked to be sorted by
 * timestamp then uuid with valid lower-case uuids; 1 a server's rules and
 * an event document split at the first NUL byte (wbi_sync_rules_check,
 * then wbi_sync_rules_pass on whatever the rules parse to).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sync/sync_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    if (data[0] % 2 == 0) {
        wb_sync_entry *e = NULL;
        size_t n = 0, bad = 0;
        wb_error err = {0};
        if (wb_sync_index_parse(text, len, 32, 1000, &e, &n, &bad, &err) == 0) {
            for (size_t i = 0; i < n; i++) {
                if (strlen(e[i].uuid) != 36 || !wb_uuid_valid(e[i].uuid, 36) || e[i].timestamp < 0)
                    __builtin_trap();
                for (size_t k = 0; k < 36; k++)
                    if (e[i].uuid[k] >= 'A' && e[i].uuid[k] <= 'Z') __builtin_trap();
                if (i > 0 &&
                    (e[i - 1].timestamp > e[i].timestamp || (e[i - 1].timestamp == e[i].timestamp &&
                                                             strcmp(e[i - 1].uuid, e[i].uuid) > 0)))
                    __builtin_trap();
            }
        } else if (e != NULL || n != 0 || err.msg[0] == '\0') {
            __builtin_trap();
        }
        free(e);
        return 0;
    }
    const char *nul = memchr(text, '\0', len);
    size_t rlen = nul ? (size_t)(nul - text) : len;
    char *rules = malloc(rlen + 1);
    if (rules == NULL) return 0;
    memcpy(rules, text, rlen);
    rules[rlen] = '\0';
    wb_error err = {0};
    bool valid = wbi_sync_rules_check(rules, &err) == 0;
    json_t *r = json_loads(rules, 0, NULL);
    json_t *ev = nul ? json_loadb(nul + 1, len - rlen - 1, 0, NULL) : NULL;
    bool pass = wbi_sync_rules_pass(valid ? r : NULL, ev);
    /* no rules pass everything */
    if (!valid && !pass) __builtin_trap();
    json_decref(ev);
    json_decref(r);
    free(rules);
    return 0;
}
