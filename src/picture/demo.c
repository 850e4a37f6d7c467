/*
 * demo.c - a generated constituency with a history of incidents, reports
 * and CSIRT answers (wb_picture_demo), so that the demo hub (`admin demo`),
 * the benchmark (bench/picture.c) and anyone trying `weerbaar picture` have
 * a picture with published cells. The numbers are pseudo-random from a
 * seed: the same seed, the same history.
 */
#include <stdio.h>
#include <string.h>

#include "weerbaar/picture.h"

#define HOUR ((wb_time)3600 * 1000000)
#define DAY (24 * HOUR)

static const char *const sectors[] = {"energy",
                                      "health",
                                      "drinking water",
                                      "transport",
                                      "finance",
                                      "digital infrastructure",
                                      "public administration"};
static const char *const classes[] = {"availability", "malicious-code",
                                      "intrusions",   "intrusion-attempts",
                                      "fraud",        "information-gathering"};
static const char *const sevs[] = {"low", "medium", "high", "critical"};

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static unsigned rnd(uint64_t *s, unsigned n)
{
    return (unsigned)(next(s) % n);
}

/* A report of stage at time at stating severity sev (may be NULL). */
static int report(wb_store *st, int64_t inc, const char *stage, wb_time at, const char *sev,
                  wb_error *err)
{
    char json[160];
    if (sev)
        snprintf(json, sizeof json, "{\"summary\":\"demo\",\"severity\":\"%s\"}", sev);
    else
        snprintf(json, sizeof json, "{\"summary\":\"demo\"}");
    wb_incident_report_rec r = {.incident_id = inc,
                                .stage = stage,
                                .json = json,
                                .submitted_at = at,
                                .channel = WB_CHANNEL_RECORDED,
                                .author = "demo"};
    return wb_store_incident_report_add(st, &r, NULL, err);
}

/* One incident with its reports and perhaps the CSIRT's ack; reports that
 * would lie after now are not made. */
static int incident(wb_store *st, uint64_t *s, int64_t org, wb_time aware, wb_time now,
                    wb_error *err)
{
    char rsit[64];
    snprintf(rsit, sizeof rsit, "rsit:%s=\"demo\"", classes[rnd(s, 6)]);
    wb_incident_rec r = {.org_id = org,
                         .title = "demo incident",
                         .aware_at = aware,
                         .detected_at = WB_TIME_NONE,
                         .entity_type = "other",
                         .rsit = rsit,
                         .tlp = WB_TLP_AMBER};
    int64_t id;
    int rc = wb_store_incident_add(st, &r, &id, err);
    /* most early warnings in time, a tail of late ones */
    wb_time ew = aware + (wb_time)(rnd(s, 4) ? rnd(s, 20) : 20 + rnd(s, 60)) * HOUR;
    wb_time nt = ew + (wb_time)(rnd(s, 4) ? rnd(s, 40) : 40 + rnd(s, 100)) * HOUR;
    wb_time fin = nt + (wb_time)(rnd(s, 5) ? 5 + rnd(s, 22) : 30 + rnd(s, 30)) * DAY;
    const char *sev = sevs[rnd(s, 10) < 5 ? 0 : rnd(s, 4)];
    if (rc == 0 && ew < now) rc = report(st, id, "early-warning", ew, sev, err);
    if (rc == 0 && nt < now) rc = report(st, id, "notification", nt, rnd(s, 3) ? sev : NULL, err);
    if (rc == 0 && fin < now && rnd(s, 4)) rc = report(st, id, "final", fin, NULL, err);
    wb_time ack = ew + (wb_time)(rnd(s, 5) ? 1 + rnd(s, 20) : 24 + rnd(s, 48)) * HOUR;
    if (rc == 0 && ack < now && rnd(s, 5)) {
        wb_incident_action_rec a = {.incident_id = id,
                                    .kind = WB_ACTION_ACK,
                                    .at = ack,
                                    .by = WB_TIME_NONE,
                                    .author = "demo"};
        rc = wb_store_incident_action_add(st, &a, NULL, err);
    }
    return rc;
}

int wb_picture_demo(wb_store *st, int norgs, int days, wb_time now, uint64_t seed, wb_error *err)
{
    if (norgs < 1 || norgs > 100000 || days < 1 || days > 3660)
        return wb_error_set(err, WB_EINVAL, "demo: 1..100000 organisations, 1..3660 days");
    uint64_t s = seed ? seed : 0x9e3779b97f4a7c15ull;
    int rc = wb_store_begin(st, err);
    for (int i = 0; rc == 0 && i < norgs; i++) {
        char name[64];
        snprintf(name, sizeof name, "Demo-Org-%04d", i + 1);
        int64_t org;
        rc = wb_store_org_add(st, name, i % 3 ? WB_ORG_IMPORTANT : WB_ORG_ESSENTIAL,
                              sectors[i % (int)(sizeof sectors / sizeof sectors[0])], NULL, &org,
                              err);
        /* about one incident per organisation per quarter, more in some */
        int n = (int)rnd(&s, (unsigned)(days / 45 + 1)) + (int)(rnd(&s, 4) == 0);
        for (int j = 0; rc == 0 && j < n; j++) {
            wb_time aware = now - (wb_time)rnd(&s, (unsigned)days * 24) * HOUR - HOUR;
            rc = incident(st, &s, org, aware, now, err);
        }
    }
    if (rc == 0) return wb_store_commit(st, err);
    wb_store_rollback(st);
    return rc;
}
