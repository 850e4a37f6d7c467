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

/* Appends s as one CSV field (quoted when it must be) and ',' or, when
 * last, '\n'. 0 or WB_ENOMEM. */
int wbi_assess_csv_put(wb_buf *b, const char *s, bool last);

/* The first sheet of an XLSX workbook (data, len: the .xlsx bytes) as CSV,
 * one record per sheet row from row 1 (empty rows as empty records, so the
 * CSV's row numbers are the sheet's). Errors name name: WB_EPARSE (not a
 * workbook, bad XML, a DTD), WB_ELIMIT (sizes, rows, columns), WB_ENOMEM. */
int wbi_assess_xlsx_csv(const char *data, size_t len, const char *name, wb_buf *csv, wb_error *err);
/* The same for one worksheet's XML and the workbook's shared strings (sst
 * may be NULL): the part the fuzzer drives. */
int wbi_assess_sheet_csv(const char *sheet, size_t slen, const char *sst, size_t sstlen,
                         const char *name, wb_buf *csv, wb_error *err);

#endif
