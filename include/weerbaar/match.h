/*
 * match.h - the indicator set (normalised, filtered, indexed) and the
 * matching engine that runs log readers over files and reports sightings.
 *
 * Life cycle: wb_iocset_new, feed it through wb_iocset_sink() (the intel
 * loaders call it), wb_iocset_build, then any number of wb_engine_run calls
 * (the built set is immutable and shared by all worker threads), and
 * wb_iocset_free.
 */
#ifndef WEERBAAR_MATCH_H
#define WEERBAAR_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/ioc.h"
#include "weerbaar/logs.h"
#include "weerbaar/scan.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wb_iocset wb_iocset;

typedef struct wb_iocset_opts {
    wb_time now;                      /* expiry reference; WB_TIME_NONE = the current time */
    bool include_expired;             /* keep indicators past valid_until */
    const wb_warninglists *warnlists; /* drop indicators on these lists; may be NULL */
    /* Called for every indicator dropped or rejected at load (invalid value,
     * warninglist, expired), with the reason; may be NULL. */
    void (*notice)(void *ud, const char *where, const char *what);
    void *notice_ud;
} wb_iocset_opts;

/* A loaded indicator as the matcher reports it. */
typedef struct wb_ioc {
    wb_ioc_type type;
    wb_tlp tlp;
    const char *value;     /* normalised */
    const char *event;     /* or NULL */
    const char *attribute; /* or NULL */
    const char *source;
} wb_ioc;

typedef struct wb_iocset_stats {
    uint64_t loaded[WB_IOC_TYPE_COUNT]; /* indexed, per type */
    uint64_t invalid;                   /* values that did not normalise */
    uint64_t expired;
    uint64_t warninglisted;   /* total; per list through wb_iocset_warninglist_drops */
    uint64_t skipped;         /* records the loaders passed over (see skip reasons) */
    size_t memory;            /* bytes held by the built set */
    unsigned v4_filter_grain; /* the IPv4 pre-filter's block size (/16../24), 0 = none */
    unsigned v4_fine_grain;   /* the finer bitmap's behind it, 0 = none */
    bool name_filter;         /* a Bloom filter stands in front of the name map */
} wb_iocset_stats;

int wb_iocset_new(wb_iocset **out, const wb_iocset_opts *opts);
/* The sink the intel loaders feed. Not thread-safe; only before build. */
wb_ioc_sink *wb_iocset_sink(wb_iocset *set);
/* Adds one indicator directly (the sink does the same). 0, WB_EINVAL for an
 * invalid value (counted, reported through notice), WB_ENOMEM. */
int wb_iocset_add(wb_iocset *set, const wb_ioc_in *ioc);
/* Finishes the index; afterwards the set is immutable. */
int wb_iocset_build(wb_iocset *set, wb_error *err);
size_t wb_iocset_count(const wb_iocset *set);
const wb_ioc *wb_iocset_get(const wb_iocset *set, uint32_t id, wb_ioc *out);
void wb_iocset_stats_get(const wb_iocset *set, wb_iocset_stats *st);
/* Iterates the per-warninglist drop counts: returns the i-th list name and
 * its count, or NULL past the end. */
const char *wb_iocset_warninglist_drops(const wb_iocset *set, size_t i, uint64_t *count);
/* Iterates the loaders' skip reasons likewise. */
const char *wb_iocset_skip_reasons(const wb_iocset *set, size_t i, uint64_t *count);
void wb_iocset_free(wb_iocset *set);

/* Looks one value up (kinds as in scan.h) and calls found() for every
 * indicator it matches, exactly as a log value of those kinds would. For
 * tests and one-off look-ups; the hub, which keeps its indicators in the
 * store, derives the same answer's text keys with wb_ioc_keys
 * (normalize.h). */
void wb_iocset_lookup(const wb_iocset *set, const char *v, size_t n, unsigned kinds,
                      void (*found)(void *ud, uint32_t id), void *ud);

/* ---- engine --------------------------------------------------------------- */

typedef struct wb_sighting {
    const wb_ioc *ioc;
    const char *matched; /* the value as seen in the log */
    const char *field;
    const char *file;
    uint64_t line; /* 1-based, every line of the file counted */
    wb_time ts;    /* WB_TIME_NONE when the record has none */
    uint32_t ioc_id;
    /* The record's flow (scan.h's wb_ctx_key), each NULL when the log has
     * none; valid only during the sighting callback. */
    const char *ctx[WB_CTX_COUNT];
} wb_sighting;

#define WB_ENGINE_NEXT_FILE 2

typedef struct wb_engine_cb {
    void *ud;
    /* In input order. Return 0 to go on, WB_ENGINE_NEXT_FILE to skip the
     * rest of this file's sightings (and stop reading it), any other
     * non-zero value to stop the run (e.g. output closed). */
    int (*sighting)(void *ud, const wb_sighting *s);
    /* A file was read to its end (or skipped by WB_ENGINE_NEXT_FILE), in
     * input order, after its last sighting; not with follow. May be NULL. */
    void (*file_done)(void *ud, const char *file);
    /* A malformed line (only the first `max_malformed_reports` per file). */
    void (*malformed)(void *ud, const char *file, uint64_t line, const char *reason);
    /* A file that could not be read or was cut short; the run goes on. */
    void (*file_error)(void *ud, const wb_error *err);
    /* After each block: bytes done so far in this run; may be NULL. */
    void (*progress)(void *ud, uint64_t bytes);
    /* With follow: called when output should be flushed; may be NULL. */
    void (*flush)(void *ud);
    /* With follow: called between blocks, when no block is in flight, so the
     * indicator set can be replaced while following (hub-sync: match
     * --follow --hub). Returns the set to match with from now on, or NULL
     * to keep the current one. The engine no longer touches the set it
     * used before once this returns a new one; the caller frees it. May be
     * NULL. */
    const wb_iocset *(*refresh)(void *ud);
    /* Read positions (match --state); both may be NULL. resume: where to
     * start reading a file just opened, given its identity (0: its
     * start; line numbers then count from there). position: after the
     * sightings of a block were delivered, the offset the file (of that
     * identity) has been read up to. Not called for stdin. */
    uint64_t (*resume)(void *ud, const char *path, uint64_t dev, uint64_t ino);
    void (*position)(void *ud, const char *path, uint64_t dev, uint64_t ino, uint64_t offset);
} wb_engine_cb;

typedef struct wb_engine_opts {
    const wb_logfmt *format; /* NULL = detect per file */
    wb_logopts logopts;
    unsigned threads; /* 0 = one per online CPU */
    bool follow;
    size_t block_size;              /* 0 = 4 MiB */
    unsigned max_malformed_reports; /* per file; 0 = 10 */
    volatile int *stop;             /* set non-zero (e.g. from a signal handler) to stop */
} wb_engine_opts;

typedef struct wb_engine_stats {
    uint64_t files, file_errors;
    uint64_t lines, records, malformed;
    uint64_t bytes_in, bytes;
    uint64_t sightings;
    double seconds;
} wb_engine_stats;

/* Runs over paths (files, directories recursively in name order, "-" for
 * stdin); a file named twice (overlapping directories, a link) is read once. Returns 0 when every
 * file was read, WB_EIO when some could not be (each reported through file_error), or another
 * negative code when the run could not go on (with err set). */
int wb_engine_run(const wb_iocset *set, const char *const *paths, size_t npaths,
                  const wb_engine_opts *opts, const wb_engine_cb *cb, wb_engine_stats *stats,
                  wb_error *err);

/* ---- where a sighting happened (context.c) ------------------------------- */

/* The networks that count as internal (--local-nets). */
typedef struct wb_localnets wb_localnets;

/* Zeek's Site::private_address_space: RFC 1918, CGNAT, loopback, link-local
 * and unique-local ranges; NULL-terminated. */
extern const char *const wb_localnets_default[];

/* An empty list; 0 or WB_ENOMEM. */
int wb_localnets_new(wb_localnets **out);
/* Adds "a.b.c.d/len", "v6/len" or an address; WB_EINVAL (err names the
 * text) or WB_ENOMEM. */
int wb_localnets_add(wb_localnets *ln, const char *cidr, wb_error *err);
bool wb_localnets_contains(const wb_localnets *ln, const char *addr, size_t n);
void wb_localnets_free(wb_localnets *ln);

typedef enum wb_side { WB_SIDE_NONE, WB_SIDE_ORIG, WB_SIDE_RESP } wb_side;
typedef enum wb_direction {
    WB_DIR_NONE,     /* the record does not name both endpoints */
    WB_DIR_OUTBOUND, /* internal originator, external responder */
    WB_DIR_INBOUND,  /* external originator, internal responder */
    WB_DIR_INTERNAL, /* both internal */
    WB_DIR_EXTERNAL  /* neither */
} wb_direction;

typedef struct wb_sighting_where {
    wb_side side;           /* the endpoint the matched address is, for address hits */
    wb_direction direction; /* of the record's flow */
    const char *internal;   /* the internal host involved (points into s->ctx), or NULL */
} wb_sighting_where;

/* Derives the side, the direction and the internal host of a sighting from
 * its context. The internal host is the endpoint that did not match (the
 * other side of an address hit, else the originator, then the responder)
 * when it lies in ln. */
void wb_sighting_where_get(const wb_sighting *s, const wb_localnets *ln, wb_sighting_where *out);
/* "orig", "resp", or NULL for WB_SIDE_NONE. */
const char *wb_side_name(wb_side side);
/* "outbound", "inbound", "internal", "external", or NULL for WB_DIR_NONE. */
const char *wb_direction_name(wb_direction d);

#ifdef __cplusplus
}
#endif
#endif
