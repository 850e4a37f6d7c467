/*
 * core_internal.h - helpers of src/core shared inside libweerbaar but not
 * part of its public API (include/weerbaar/core.h): each module that needs
 * one includes this header rather than declaring the function itself.
 */
#ifndef WB_CORE_INTERNAL_H
#define WB_CORE_INTERNAL_H

#include <stddef.h>

/* MD5 of data as 32 lower-case hex digits (md5.c). Not a secure hash: used
 * where a format prescribes it (MISP's hashes.csv, the RIRs' NAME.md5). */
void wbi_core_md5_hex(const void *data, size_t n, char out[33]);

#endif
