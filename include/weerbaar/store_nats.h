/*
 * store_nats.h - what the hub's NATS publisher keeps in the database
 * (migration 19; src/nats/pub.c is the only caller): the last change
 * sequence number published, the subjects each event was last published
 * to (so that a change that narrows an event's audience sends the subject
 * it left an empty part), and per subject the last change published on it
 * (each message names the one before on its subject: a sensor that misses
 * one knows).
 */
#ifndef WEERBAAR_STORE_NATS_H
#define WEERBAAR_STORE_NATS_H

#include "weerbaar/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The last change published (0 for none). */
int wb_store_nats_last(wb_store *s, int64_t *seq, wb_error *err);
/* The subjects event_id was last published to: cb per subject (return
 * non-zero to stop). */
int wb_store_nats_event_subjects(wb_store *s, int64_t event_id,
                                 int (*cb)(void *ud, const char *subject), void *ud, wb_error *err);
/* The last change published on subject (0 for none). */
int wb_store_nats_subject_prev(wb_store *s, const char *subject, int64_t *prev, wb_error *err);
/* Records that change seq of event_id was published to the subjects in
 * sent (each now has seq as its last), of which those in now carry part of
 * the event (the others had an empty part), and that seq is the last
 * change published. In the caller's transaction when one is open. */
int wb_store_nats_record(wb_store *s, int64_t event_id, int64_t seq, const char *const *now,
                         size_t nnow, const char *const *sent, size_t nsent, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
