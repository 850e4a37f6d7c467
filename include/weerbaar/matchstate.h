/*
 * matchstate.h - the read positions of `weerbaar match --state FILE`: for
 * each log file (by identity: device and inode) the offset it has been
 * read up to and a fingerprint of its first bytes, and the sightings
 * reported to the hub but not yet acknowledged (each with its
 * sighting_uuid, so that posting them again after a crash changes nothing
 * at the hub).
 *
 * The file is text, one record a line, rewritten whole and renamed into
 * place (write, fsync, rename, fsync of the directory), so a crash leaves
 * the old state or the new one:
 *
 *   weerbaar-match-state 1
 *   file DEV INO OFFSET FPLEN FPHASH SEEN "PATH"   (PATH a JSON string)
 *   pending [ ... ]                               (a JSON array, one line)
 */
#ifndef WEERBAAR_MATCHSTATE_H
#define WEERBAAR_MATCHSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of a file's start its fingerprint covers at most. */
#define WB_MSTATE_FP_MAX 64
/* Files one state remembers at most (the least recently seen go). */
#define WB_MSTATE_MAX_FILES 100000

typedef struct wb_mstate wb_mstate;

typedef struct wb_mstate_file {
    uint64_t dev, ino, offset;
    uint32_t fp_len; /* bytes the fingerprint covers (0 to WB_MSTATE_FP_MAX) */
    uint64_t fp;     /* wb_hash64 of them */
    int64_t seen;    /* Unix seconds the file was last read */
    const char *path;
} wb_mstate_file;

/* An empty state. WB_ENOMEM. */
int wb_mstate_new(wb_mstate **out);
/* Reads path; a missing file is an empty state. A malformed file is
 * WB_EFORMAT naming path:line. */
int wb_mstate_load(wb_mstate **out, const char *path, wb_error *err);
/* The same from text in memory; name is for messages. */
int wb_mstate_parse(wb_mstate **out, const char *name, const char *data, size_t len, wb_error *err);
void wb_mstate_free(wb_mstate *st);

/* The record of a file identity, or NULL. */
const wb_mstate_file *wb_mstate_find(const wb_mstate *st, uint64_t dev, uint64_t ino);
/* Adds or updates the record of f's identity (copies path). */
int wb_mstate_put(wb_mstate *st, const wb_mstate_file *f);
size_t wb_mstate_count(const wb_mstate *st);
const wb_mstate_file *wb_mstate_at(const wb_mstate *st, size_t i);

/* Sightings posted but not acknowledged: a JSON array's text, or NULL. */
const char *wb_mstate_pending(const wb_mstate *st);
int wb_mstate_set_pending(wb_mstate *st, const char *json);

/* Writes the state to path atomically (see above). */
int wb_mstate_save(const wb_mstate *st, const char *path, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
