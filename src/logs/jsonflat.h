/*
 * jsonflat.h - a one-pass JSON reader for log lines: parses one object into
 * a flat list of its scalar values, each with its dotted path, the object it
 * belongs to and whether it sits in an array.
 *
 * Used instead of a JSON library's tree because the JSON-lines readers only
 * need the strings and a few numbers of each line, and building and freeing
 * a tree per line made them 20 times slower than the Zeek TSV reader. The
 * grammar is checked in full (a line that is not JSON is malformed); string
 * bytes are not checked for valid UTF-8, since logs are not always clean.
 */
#ifndef WB_LOGS_JSONFLAT_H
#define WB_LOGS_JSONFLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"

enum { WBI_J_STR = 1, WBI_J_NUM = 2, WBI_J_OTHER = 3 }; /* OTHER: true, false, null */

typedef struct wbi_jent {
    uint32_t path, plen; /* dotted path: offset into wbi_jflat.paths, length */
    uint32_t key;        /* the last component starts at path + key */
    uint32_t obj;        /* the object it is a member of (0: the line's object) */
    uint32_t val, vlen;  /* the value's bytes: offset into the line, or into
                            wbi_jflat.strs when `esc` (an unescaped string) */
    uint8_t type;
    bool in_array;
    bool esc;
} wbi_jent;

typedef struct wbi_jflat {
    wbi_jent *e;
    size_t n, cap;
    wb_buf paths; /* NUL-terminated paths, one per entry */
    wb_buf strs;  /* unescaped strings */
    wb_buf cur;   /* the path being built */
    const char *line;
} wbi_jflat;

/* Parses one line holding a JSON object. Returns 0; 1 when the line is not
 * JSON (or nests deeper than 64); 2 when it does not start with an object;
 * or WB_ENOMEM. Entries stay valid until the next call. */
int wbi_jflat_parse(wbi_jflat *f, const char *p, size_t n);
void wbi_jflat_free(wbi_jflat *f);

static inline const char *wbi_jent_path(const wbi_jflat *f, const wbi_jent *e)
{
    return f->paths.data + e->path;
}

static inline const char *wbi_jent_val(const wbi_jflat *f, const wbi_jent *e)
{
    return e->esc ? f->strs.data + e->val : f->line + e->val;
}

#endif
