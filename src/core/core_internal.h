/*
 * core_internal.h - helpers of src/core shared inside libweerbaar but not
 * part of its public API (include/weerbaar/core.h): each module that needs
 * one includes this header rather than declaring the function itself.
 */
#ifndef WB_CORE_INTERNAL_H
#define WB_CORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* MD5 of data as 32 lower-case hex digits (md5.c). Not a secure hash: used
 * where a format prescribes it (MISP's hashes.csv, the RIRs' NAME.md5). */
void wbi_core_md5_hex(const void *data, size_t n, char out[33]);

/* True when json_loadb failed because memory ran out, not because the input
 * is malformed: every JSON reader asks this first and reports WB_ENOMEM, so
 * that out of memory never reads as a parse error with an empty message.
 * jansson 2.14 says so with json_error_out_of_memory, except when its first
 * allocations fail: then it returns NULL with the error still empty (line
 * -1, no text), which a malformed document never does. */
static inline bool wbi_core_json_oom(const json_error_t *je)
{
    return json_error_code(je) == json_error_out_of_memory || je->text[0] == '\0';
}

#endif
