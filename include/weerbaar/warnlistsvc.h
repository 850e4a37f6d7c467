/*
 * warnlistsvc.h - the hub's MISP warninglists as one service: adding lists
 * from files and directories (as `match -w` reads them), loading them for
 * the hub (with a generation, so a running hub picks up a change on its
 * next request), and re-checking stored attributes against them.
 *
 * An indicator on a warninglist (a public resolver, a top site) is almost
 * always a false positive. At ingest the hub keeps such an attribute with
 * to_ids false and the list's name in "warninglist"; a recheck does the
 * same to attributes stored before the list came, as MISP's warninglist
 * check does: nothing is deleted.
 */
#ifndef WEERBAAR_WARNLISTSVC_H
#define WEERBAAR_WARNLISTSVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/error.h"
#include "weerbaar/incidentsvc.h"
#include "weerbaar/ioc.h"
#include "weerbaar/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Adds (or replaces, by name) the lists at path: a list.json file, or a
 * directory searched for list.json files (misp-warninglists' lists/). Each
 * is checked as the hub loads it; all are written in one transaction with
 * an audit entry each, or none. *added is how many. */
int wb_wlsvc_add(wb_store *s, const wb_actor *who, const char *path, size_t *added, wb_error *err);

/* Marks every stored attribute that a list now covers (wb_store_attr_warn)
 * in one transaction, audited as "warninglist.recheck". *marked is how
 * many attributes were marked. */
int wb_wlsvc_recheck(wb_store *s, const wb_actor *who, size_t *marked, wb_error *err);

/* The generation of the stored lists (wb_store_warninglist_gen). */
typedef struct wb_wlsvc_gen {
    int64_t count, latest;
} wb_wlsvc_gen;
int wb_wlsvc_generation(wb_store *s, wb_wlsvc_gen *gen, wb_error *err);
/* Loads the stored lists into a new set (*out NULL when there are none),
 * with the generation read in the same snapshot. */
int wb_wlsvc_load(wb_store *s, wb_warninglists **out, wb_wlsvc_gen *gen, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
