/*
 * feed.h - MISP feeds out of and into a hub database.
 *
 * Out: the three files of a MISP feed (manifest.json, one {uuid}.json per
 * event, hashes.csv), as one organisation may see them, written through a
 * callback so that the same code fills a directory (`weerbaar feed export`)
 * and streams an HTTP answer (/feeds/misp/..., /feeds/public/...). Only
 * published, undeleted events go out, each as wb_policy_read allows with
 * the WB_READ_FEED path: an event the caller may see is listed even when
 * none of its attributes is visible (MISP lists events, not attributes);
 * an attribute it may not see is left out of the event file and of
 * hashes.csv. Fields that only mean something on this hub (distribution,
 * sharing groups, local tags) are not written: MISP's feed format has none.
 *
 * In: `weerbaar feed pull` reads a feed from a directory or over HTTP(S),
 * idempotent by event uuid and timestamp: a newer timestamp replaces the
 * stored event, the same or an older one leaves it alone (and the event
 * file is not even fetched).
 */
#ifndef WEERBAAR_FEED_H
#define WEERBAAR_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "weerbaar/error.h"
#include "weerbaar/hub.h"
#include "weerbaar/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Receives output bytes; returns 0, or non-zero to stop (the producer then
 * returns WB_EIO with the message "output closed"). */
typedef int (*wb_feed_write_fn)(void *ud, const char *p, size_t n);

typedef struct wb_feed_stats {
    size_t events;      /* manifest entries or event files written */
    size_t attributes;  /* attributes written into event files or hashed */
    size_t hashes;      /* hashes.csv lines */
    size_t admin_reads; /* items visible only through the site-admin right */
} wb_feed_stats;

/* The principal that `--as ORG` stands for: a member of that organisation
 * (its sharing groups included). org NULL or "" is the anonymous caller,
 * who sees the public feed. WB_ENOTFOUND for an unknown organisation. */
int wb_feed_principal(wb_store *st, const char *org, wb_principal *p, wb_error *err);

/* manifest.json: {"<uuid>": {Orgc, Tag, info, date, analysis,
 * threat_level_id, timestamp}, ...} for every visible published event. */
int wb_feed_manifest(wb_store *st, const wb_principal *p, wb_feed_write_fn w, void *ud,
                     wb_feed_stats *stats, wb_error *err);
/* <uuid>.json: {"Event": {...}} with the visible attributes and objects.
 * WB_ENOTFOUND when the event does not exist, is not published, is deleted
 * or is not visible to p (one answer for all four, as the API gives). */
int wb_feed_event(wb_store *st, const wb_principal *p, const char *uuid, wb_feed_write_fn w,
                  void *ud, wb_feed_stats *stats, wb_error *err);
/* hashes.csv: "md5(value),event_uuid" per visible attribute value (the
 * parts of a composite value such as domain|ip each on a line). */
int wb_feed_hashes(wb_store *st, const wb_principal *p, wb_feed_write_fn w, void *ud,
                   wb_feed_stats *stats, wb_error *err);
/* All three into directory dir (created when missing; files written under
 * a temporary name and renamed, so a reader never sees half a file). */
int wb_feed_export(wb_store *st, const wb_principal *p, const char *dir, wb_feed_stats *stats,
                   wb_error *err);

/* ---- pulling a feed ------------------------------------------------------------- */

typedef enum wb_feed_outcome {
    WB_FEED_NEW,       /* stored for the first time */
    WB_FEED_UPDATED,   /* a newer timestamp replaced the stored event */
    WB_FEED_UNCHANGED, /* the stored event is as new or newer */
    WB_FEED_SKIPPED    /* not stored: the reason names the file and JSON path */
} wb_feed_outcome;

typedef struct wb_feed_pull_opts {
    const char *source;    /* a directory, or an http:// or https:// URL of the feed */
    const char *org;       /* the organisation the events are created for */
    int distribution;      /* of every pulled event: 0-4 (a feed carries none) */
    const char *sgroup;    /* sharing group name or uuid, with distribution 4 */
    const char *key;       /* sent as "Authorization: KEY" when not NULL */
    long timeout_s;        /* per file; 0 = 60 s */
    size_t max_file;       /* largest file accepted; 0 = 256 MiB */
    size_t max_events;     /* largest manifest accepted; 0 = 1,000,000 events */
    unsigned max_depth;    /* JSON nesting; 0 = 32 */
    size_t max_attributes; /* per event; 0 = 100,000 */
    /* Called for each manifest entry with its outcome; reason is NULL
     * unless skipped. May be NULL. */
    void (*note)(void *ud, const char *uuid, wb_feed_outcome o, const char *reason);
    /* Called after each entry with how many of total are done. May be NULL. */
    void (*progress)(void *ud, size_t done, size_t total);
    void *ud;
} wb_feed_pull_opts;

typedef struct wb_feed_pull_counts {
    size_t listed, added, updated, unchanged, skipped;
    size_t attributes; /* stored by added and updated events */
} wb_feed_pull_counts;

/* Pulls the feed into st. Returns 0 when the manifest was read (entries
 * that could not be stored are counted as skipped and reported through
 * note), or an error when the manifest itself could not be fetched or
 * read, or the organisation or sharing group does not exist. The pull is
 * written to the audit log. Call wb_hub_global_init first for URLs. */
int wb_feed_pull(wb_store *st, const wb_feed_pull_opts *o, wb_feed_pull_counts *c, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
