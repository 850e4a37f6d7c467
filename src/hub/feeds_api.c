/*
 * feeds_api.c - the MISP feeds (/feeds/misp/ for members, /feeds/public/
 * without a key: manifest.json and hashes.csv streamed on a thread of
 * their own, {uuid}.json built in memory) and the STIX 2.1 export of an
 * event (GET /api/v1/events/{uuid}/stix). Every export is audited.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/router.h"

/* The bucket all keyless fetches of the public feed's manifest and hashes
 * share: each is an audit row and an fsync, like a failed authentication. */
#define PUBLIC_FEED_BUCKET ((int64_t)-2)

/* ---- feeds and STIX (feed.c, stix_out.c) ------------------------------------------------ */

typedef struct feed_job {
    wb_principal who;
    bool hashes;         /* hashes.csv, else manifest.json */
    atomic_int *streams; /* the hub's count, given back when the stream ends */
    wbi_hub_addrcount *addrs;
    wbi_hub_addr addr;
    bool has_addr;
} feed_job;

static void feed_job_free(void *ctx)
{
    feed_job *j = ctx;
    atomic_fetch_sub(j->streams, 1);
    if (j->has_addr) wbi_hub_addrcount_give(j->addrs, &j->addr);
    free(j);
}

static int feed_run(void *ctx, wb_store *st, wb_feed_write_fn w, void *wctx, wb_error *err)
{
    feed_job *j = ctx;
    wb_feed_stats stats = {0};
    return j->hashes ? wb_feed_hashes(st, &j->who, w, wctx, &stats, err)
                     : wb_feed_manifest(st, &j->who, w, wctx, &stats, err);
}

/* manifest.json and hashes.csv: streamed, each request written to the
 * audit log first (an export is audited even if the client stops early). */
static void feed_stream(wbi_hub_req *r, bool hashes)
{
    unsigned retry;
    if (!r->who.authenticated &&
        !wbi_hub_ratelimit_take(&r->hub->rl, PUBLIC_FEED_BUCKET, wb_time_now(), &retry)) {
        r->resp->retry_after = retry;
        wbi_hub_reply_error(r, 429, "rate_limited", "too many public feed requests; retry in %u s",
                            retry);
        return;
    }
    wb_hub *hub = r->hub;
    bool keyed = r->who.authenticated;
    atomic_int *count = keyed ? &hub->streams_keyed : &hub->streams_public;
    int max = (int)(keyed ? hub->opts.max_streams_keyed : hub->opts.max_streams_public);
    if (atomic_fetch_add(count, 1) >= max) {
        atomic_fetch_sub(count, 1);
        r->resp->retry_after = 1;
        wbi_hub_reply_error(r, 503, "busy", "%d %s feed downloads are running; retry in a second",
                            max, keyed ? "keyed" : "public");
        return;
    }
    wbi_hub_addr addr;
    bool has_addr = wbi_hub_addr_parse(r->req->peer, &addr);
    if (has_addr &&
        !wbi_hub_addrcount_take(&hub->stream_addrs, &addr, hub->opts.max_streams_per_address)) {
        atomic_fetch_sub(count, 1);
        r->resp->retry_after = 5;
        wbi_hub_reply_error(
            r, 429, "too_many_streams",
            "%u feed downloads from your address are running; retry when one is done",
            hub->opts.max_streams_per_address);
        return;
    }
    const char *file = hashes ? "hashes.csv" : "manifest.json";
    feed_job *j = malloc(sizeof *j);
    /* A member's export is an entry of its own; anonymous ones aggregate. */
    if (j && !r->who.authenticated) wbi_hub_audit_anon(r, "feed.export", file, "public feed");
    if (j == NULL ||
        (r->who.authenticated && wbi_hub_audit_now(r, "feed.export", file, "MISP feed") != 0)) {
        if (j == NULL) wb_error_set(&r->err, WB_ENOMEM, "out of memory");
        free(j);
        atomic_fetch_sub(count, 1);
        if (has_addr) wbi_hub_addrcount_give(&hub->stream_addrs, &addr);
        wbi_hub_reply_internal(r);
        return;
    }
    j->who = r->who;
    j->hashes = hashes;
    j->streams = count;
    j->addrs = &hub->stream_addrs;
    j->addr = addr;
    j->has_addr = has_addr;
    wb_hub_stream *s = wbi_hub_stream_start(r->hub->opts.db, feed_run, j, feed_job_free,
                                            r->hub->opts.log, r->hub->opts.log_ud, &r->err);
    if (s == NULL) {
        wbi_hub_reply_internal(r);
        return;
    }
    wb_buf_reset(&r->resp->body);
    r->resp->status = 200;
    r->resp->stream = s;
    r->resp->content_type = hashes ? "text/csv; charset=utf-8" : "application/json";
}

void wbi_hub_h_feed_manifest(wbi_hub_req *r)
{
    feed_stream(r, false);
}

void wbi_hub_h_feed_hashes(wbi_hub_req *r)
{
    feed_stream(r, true);
}

/* {uuid}.json: one event, built in memory (an event is bounded by
 * max_attributes at ingest). */
void wbi_hub_h_feed_event(wbi_hub_req *r)
{
    size_t n = strlen(r->id);
    if (n != WB_UUID_LEN + 5 || strcmp(r->id + WB_UUID_LEN, ".json") != 0) {
        wbi_hub_reply_not_found(r);
        return;
    }
    char uuid[WB_UUID_LEN + 1];
    memcpy(uuid, r->id, WB_UUID_LEN);
    uuid[WB_UUID_LEN] = '\0';
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_feed_event(&s, uuid, &r->resp->body), 200);
}

void wbi_hub_h_event_stix(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_event_stix(&s, r->id, &r->resp->body), 200);
}
