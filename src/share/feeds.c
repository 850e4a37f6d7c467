/*
 * feeds.c - the MISP feed export of the share service: a feed directory
 * for a local command, and one event file for the hub's /feeds/ routes,
 * each audited as the actor (feed.c writes the files, through the policy's
 * WB_READ_FEED path).
 */
#include <stdio.h>
#include <string.h>

#include "share/share_internal.h"

int wb_share_feed_export(wb_share *s, const char *as, const char *dir, wb_feed_stats *stats)
{
    wb_principal who;
    int rc = wb_feed_principal(s->st, as, &who, &s->err);
    if (rc == WB_ENOTFOUND) {
        char why[sizeof s->err.msg]; /* vsnprintf must not read the buffer it writes */
        memcpy(why, s->err.msg, sizeof why);
        return wbi_share_fail(s, 404, "not_found", "%s", why);
    }
    if (rc == 0) rc = wb_feed_export(s->st, &who, dir, stats, &s->err);
    if (rc) return wbi_share_internal(s, rc);
    char d[160];
    snprintf(d, sizeof d, "%s; %zu events, %zu attributes, %zu hashes",
             as ? "MISP feed" : "public feed", stats->events, stats->attributes, stats->hashes);
    wb_actor saved = s->actor;
    if (as) s->actor.org_name = as;
    rc = wbi_share_audit_now(s, "feed.export", dir, d);
    s->actor = saved;
    return rc ? wbi_share_internal(s, rc) : 0;
}

static int buf_write(void *ud, const char *p, size_t n)
{
    return wb_buf_append(ud, p, n);
}

int wb_share_feed_event(wb_share *s, const char *uuid, wb_buf *out)
{
    wb_feed_stats stats = {0};
    wb_buf_reset(out);
    int rc = wb_feed_event(s->st, s->who, uuid, buf_write, out, &stats, &s->err);
    if (rc == 0 && stats.admin_reads)
        wbi_share_audit_later(s, "read.admin", uuid,
                              "TLP:AMBER or stricter read by site admin via MISP feed");
    if (rc == 0) return wb_share_flush(s);
    wb_buf_reset(out);
    if (rc == WB_ENOTFOUND) return wbi_share_not_found(s);
    return wbi_share_internal(s, rc);
}
