/*
 * logs.h - log formats: detection from content and block readers.
 *
 * Each format is a const wb_logfmt in a const table (src/logs/registry.c);
 * nothing registers itself at run time. A reader scans a block of whole lines
 * (see scan.h) and may carry state from block to block (Zeek's #fields
 * header): it receives the state in force at the start of the block and, when
 * the block changes it, returns a new state for the blocks after it.
 */
#ifndef WEERBAAR_LOGS_H
#define WEERBAAR_LOGS_H

#include <stdbool.h>
#include <stddef.h>

#include "weerbaar/error.h"
#include "weerbaar/scan.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wb_logopts {
    const char *const *fields; /* jsonl: only these keys (dotted paths); NULL = every string */
    size_t nfields;
} wb_logopts;

typedef struct wb_logfmt {
    const char *name;    /* as --log-format takes it: "zeek", "eve", ... */
    const char *summary; /* one line for --help: what it reads */
    const char *checks;  /* which fields it checks, for --help and docs */
    /* Confidence 0..100 that a file starting with buf is in this format. */
    int (*detect)(const char *buf, size_t len);
    /* Scans a block. `state` is the state in force at the block's start (NULL
     * before any); when the block changes it, *state_out receives a new state
     * (owned by the caller, freed with state_free), else it is left NULL.
     * Returns 0 or WB_ENOMEM (bad lines are reported through the scan). */
    int (*scan)(const void *state, void **state_out, wb_scan *s, const char *buf, size_t len,
                const wb_logopts *opts);
    void (*state_free)(void *state); /* NULL for stateless formats */
} wb_logfmt;

/* NULL-terminated, in --help order. */
extern const wb_logfmt *const wb_logfmts[];

const wb_logfmt *wb_logfmt_find(const char *name);
/* The most likely format for a file beginning with buf; the `text` format
 * when nothing else fits. */
const wb_logfmt *wb_logfmt_detect(const char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
