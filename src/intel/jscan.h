/*
 * jscan.h - a JSON reader for the indicator loaders that builds no tree.
 *
 * MISP and STIX files of a million indicators are hundreds of megabytes; as
 * jansson trees they took 1-2 GB. This reader instead checks the whole text
 * once (accepting exactly what jansson's json_loadb(JSON_DECODE_ANY) accepts,
 * so a file is either loaded entirely or rejected before any indicator is
 * handed on), and then lets a loader walk it by offsets: the members of an
 * object, the elements of an array, a string decoded only when it is used.
 * Nothing is kept per value, so memory is the caller's, not the document's.
 *
 * When the text is a read-only file mapping, wbi_jdoc_release() tells the
 * kernel that the pages behind an offset can be dropped; they are reread
 * from the page cache if touched again, so it never changes what is read.
 */
#ifndef WB_INTEL_JSCAN_H
#define WB_INTEL_JSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "weerbaar/core.h"

#define WBI_JNONE ((size_t)-1) /* "no such value" offset */

typedef struct wbi_jdoc {
    const char *s;
    size_t n;
    bool mapped;     /* s is an mmap'ed file: release may drop pages */
    size_t released; /* page-aligned offset the current walk dropped pages up to */
} wbi_jdoc;

/* Checks the text the way jansson's json_loadb(JSON_DECODE_ANY) does
 * (syntax, UTF-8, escapes, \u0000, integer and real overflow, nesting
 * depth). Returns true when it is valid; false sets *bad to the offset of
 * the first problem found, or to WBI_JNONE when memory ran out. */
bool wbi_jscan_valid(wbi_jdoc *d, size_t *bad);

/* The rest assumes a validated document. Offsets point at a value's first
 * byte. */
size_t wbi_jscan_root(const wbi_jdoc *d);
/* Offset just past the value at i. */
size_t wbi_jscan_skip(const wbi_jdoc *d, size_t i);
/* The first byte of the value at i: '{', '[', '"', 't', 'f', 'n', or a
 * number's first byte; 0 for WBI_JNONE. */
static inline char wbi_jscan_kind(const wbi_jdoc *d, size_t i)
{
    return i == WBI_JNONE ? 0 : d->s[i];
}

/* Iteration over an object's members or an array's elements: start with
 * *it = the container's offset; each call sets *val (and *key, the key
 * string's offset, for objects) and returns true, or false at the end. */
bool wbi_jscan_next(const wbi_jdoc *d, size_t *it, size_t *key, size_t *val);

/* The last value whose key equals one of keys[0..nkeys) goes into
 * vals[k] (WBI_JNONE when absent), as jansson keeps the last duplicate.
 * An object member lookup on a non-object leaves all WBI_JNONE. */
void wbi_jscan_members(const wbi_jdoc *d, size_t obj, const char *const *keys, size_t nkeys,
                       size_t *vals);
size_t wbi_jscan_get(const wbi_jdoc *d, size_t obj, const char *key);
/* True when the string at i decodes to exactly lit. */
bool wbi_jscan_str_eq(const wbi_jdoc *d, size_t i, const char *lit);

/* Decodes the string at i. Without escapes *out points into the document
 * (not NUL-terminated); with escapes into tmp. Returns 0 or WB_ENOMEM. */
int wbi_jscan_str(const wbi_jdoc *d, size_t i, wb_buf *tmp, const char **out, size_t *len);
/* Decodes the string at i into b (reset first), NUL-terminated. */
int wbi_jscan_str_copy(const wbi_jdoc *d, size_t i, wb_buf *b);

/* MISP flag truthiness (see wbi_json_flag) of the value at i. */
bool wbi_jscan_flag(const wbi_jdoc *d, size_t i);

/* Lets the pages before offset i go when the document is a file mapping. */
void wbi_jdoc_release(wbi_jdoc *d, size_t i);

#endif
