/*
 * scan.h - the interface between log readers and the matcher.
 *
 * A log reader gets a block of whole lines and, for every record, tells the
 * wb_scan which line it is on, where its timestamp is, and each field value
 * worth checking, with the kinds of value the field can hold. The matcher
 * behind the wb_scan does the rest. Timestamps are parsed lazily, only when a
 * record produces a sighting, so readers pass the raw text and a parser.
 *
 * The ops table lets tests record what a reader emits without a matcher.
 */
#ifndef WEERBAAR_SCAN_H
#define WEERBAAR_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Kinds of value a field may hold (a bit set). */
enum {
    WB_V_IP = 1u << 0,     /* an address */
    WB_V_DOMAIN = 1u << 1, /* a domain or host name */
    WB_V_URL = 1u << 2,    /* a URL, with or without scheme */
    WB_V_HASH = 1u << 3,   /* an MD5, SHA-1 or SHA-256 hex digest */
    WB_V_EMAIL = 1u << 4,  /* an e-mail address (or "Name <a@b>") */
    WB_V_AUTO = 1u << 5,   /* unknown: classify the value by its shape */
    /* With WB_V_URL: the URL's host is checked too, as an address or a
     * domain (a referer). Not for URLs joined from a host field that is
     * checked on its own, which would count the host twice. */
    WB_V_URL_HOST = 1u << 6
};

/* Parses a raw timestamp; 0 or non-zero when it is not one. */
typedef int (*wb_ts_parser)(const char *s, size_t n, wb_time *out);

/* The context of a record that produced a sighting: its flow, when the log
 * has one. Web and DNS server logs give the client as WB_CTX_ORIG_H. */
typedef enum wb_ctx_key {
    WB_CTX_UID,          /* Zeek uid */
    WB_CTX_FLOW_ID,      /* Suricata flow_id */
    WB_CTX_COMMUNITY_ID, /* Community ID flow hash (EVE community_id) */
    WB_CTX_ORIG_H,       /* originator (Zeek id.orig_h, EVE src_ip, client) */
    WB_CTX_ORIG_P,
    WB_CTX_RESP_H, /* responder (Zeek id.resp_h, EVE dest_ip) */
    WB_CTX_RESP_P,
    WB_CTX_PROTO, /* transport protocol as the log writes it */
    WB_CTX_COUNT
} wb_ctx_key;

typedef struct wb_scan wb_scan;

/* A reader's context extractor: called by the matcher at most once per
 * record and only for a record that produced a sighting, while the record
 * is being scanned (so whatever the reader pointed `rec` at is still
 * valid). It reports each item with wb_scan_ctx(). Keeping this lazy is
 * what keeps context off the hot path: a record without a hit costs one
 * pointer store. */
typedef void (*wb_ctx_fn)(wb_scan *s, const void *rec);

typedef struct wb_scan_ops {
    /* One value of field `field` of the current record. */
    void (*value)(wb_scan *s, const char *field, size_t flen, const char *v, size_t n,
                  unsigned kinds);
    /* An address with the port it was seen on (e.g. id.resp_h + id.resp_p),
     * for ip|port indicators. The address is also checked on its own only
     * when the reader calls value() for it too. Readers may skip the work of
     * finding the port when no_ip_port is set. */
    void (*ip_port)(wb_scan *s, const char *field, size_t flen, const char *ip, size_t iplen,
                    unsigned port);
    /* A line the reader could not parse (not a bad field): reason is static text. */
    void (*malformed)(wb_scan *s, uint64_t line, const char *reason);
    /* One context item of the current record (from a wb_ctx_fn); may be NULL
     * in implementations that want no context. */
    void (*context)(wb_scan *s, wb_ctx_key key, const char *v, size_t n);
} wb_scan_ops;

struct wb_scan {
    const wb_scan_ops *ops;
    void *impl; /* the implementation's own state */
    /* current record */
    uint64_t line; /* 0-based line within the block */
    const char *ts;
    size_t ts_len;
    wb_ts_parser ts_parse;
    wb_ctx_fn ctx_fn; /* the current record's context extractor, or NULL */
    const void *ctx_rec;
    /* Set by the matcher when no indicator is an address|port pair: readers
     * then need not find and parse the ports at all. */
    bool no_ip_port;
    /* totals for the block, kept by the reader */
    uint64_t lines;   /* lines in the block, headers and blank lines included */
    uint64_t records; /* records (non-header lines) looked at */
};

/* Starts a record on block-relative line `line` with no timestamp yet. */
static inline void wb_scan_record(wb_scan *s, uint64_t line)
{
    s->line = line;
    s->ts = NULL;
    s->ts_len = 0;
    s->ts_parse = NULL;
    s->ctx_fn = NULL;
    s->records++;
}

/* Names the current record's context extractor (after wb_scan_record). */
static inline void wb_scan_ctx_source(wb_scan *s, wb_ctx_fn fn, const void *rec)
{
    s->ctx_fn = fn;
    s->ctx_rec = rec;
}

/* From a wb_ctx_fn: one item of context (empty values are dropped). */
static inline void wb_scan_ctx(wb_scan *s, wb_ctx_key key, const char *v, size_t n)
{
    if (n && s->ops->context) s->ops->context(s, key, v, n);
}

static inline void wb_scan_ts(wb_scan *s, const char *ts, size_t n, wb_ts_parser parse)
{
    s->ts = ts;
    s->ts_len = n;
    s->ts_parse = parse;
}

static inline void wb_scan_value(wb_scan *s, const char *field, size_t flen, const char *v,
                                 size_t n, unsigned kinds)
{
    if (n) s->ops->value(s, field, flen, v, n, kinds);
}

static inline void wb_scan_ip_port(wb_scan *s, const char *field, size_t flen, const char *ip,
                                   size_t iplen, unsigned port)
{
    if (iplen) s->ops->ip_port(s, field, flen, ip, iplen, port);
}

static inline void wb_scan_malformed(wb_scan *s, uint64_t line, const char *reason)
{
    s->ops->malformed(s, line, reason);
}

#ifdef __cplusplus
}
#endif
#endif
