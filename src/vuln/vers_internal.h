/*
 * vers_internal.h - what vers.c shares with vers_native.c.
 */
#ifndef WB_VULN_VERS_INTERNAL_H
#define WB_VULN_VERS_INTERNAL_H

#include <stddef.h>

#include "weerbaar/core.h"

/* Appends v[0..n) with the characters vers requires encoded
 * (<>=!*|%, space, controls and non-ASCII) as upper-case %XX. */
void wbi_vers_encode(wb_buf *out, const char *v, size_t n);

#endif
