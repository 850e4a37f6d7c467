/*
 * assess_internal.h - what the files of src/assess/ share: the YAML tree the
 * catalogue loader reads and the catalogue's lookup index.
 */
#ifndef WB_ASSESS_INTERNAL_H
#define WB_ASSESS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "weerbaar/assess.h"

/* Most YAML nodes (scalars and collections) in one document: about 16 times
 * what the largest real catalogue (ABRO, 350 KB) has. */
#define WBI_YAML_MAX_NODES 2000000

enum { WBI_Y_SCALAR, WBI_Y_SEQ, WBI_Y_MAP };

/* A YAML node. A mapping's children alternate key, value. */
typedef struct wbi_ynode {
    int kind;
    const char *s; /* scalar text, NUL-terminated */
    size_t len;
    bool plain; /* an unquoted scalar: may be a null, boolean or number */
    size_t line;
    struct wbi_ynode *first, *last, *next;
    size_t n;
} wbi_ynode;

/* Parses one YAML document into a tree allocated in arena. Errors name
 * srcname and the line: WB_EPARSE, WB_ELIMIT, WB_ENOMEM. */
int wbi_yaml_parse(const char *data, size_t len, const char *srcname, wb_arena *arena,
                   wbi_ynode **root, wb_error *err);
/* The value of key in a mapping, or NULL (also when map is not a mapping). */
wbi_ynode *wbi_ymap_get(const wbi_ynode *map, const char *key);
/* An unquoted "", "~" or "null". */
bool wbi_yscalar_is_null(const wbi_ynode *n);

/* Node of an assessable requirement by ref, or -1 (with a message naming
 * what). */
long wbi_catalogue_req(const wb_catalogue *cat, const char *ref);

#endif
