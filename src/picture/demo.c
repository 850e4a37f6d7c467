/*
 * demo.c - a generated constituency with a history of incidents, reports
 * and CSIRT answers (wb_picture_demo), so that the demo hub (`admin demo`),
 * the benchmark (bench/picture.c) and anyone trying `weerbaar picture` have
 * a picture with published cells. The numbers are pseudo-random from a
 * seed: the same seed, the same history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/picture.h"
#include "weerbaar/store_vulnscan.h"

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

static int attr_id_cb(void *ud, const wb_event_rec *ev, const wb_attr_rec *a)
{
    (void)ev;
    *(int64_t *)ud = a->id;
    return 0;
}

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

/* Two events of organisation org, for itself only (distribution 0):
 * TLP:CLEAR with a threat actor (ip-dst indicators) and TLP:GREEN without
 * (domains), their attribute ids into ids[0..19]. In transactions of their
 * own. */
static int events(wb_store *st, int64_t org, wb_time now, int64_t *ids, wb_error *err)
{
    static const char *const uuids[2] = {"8e1d5c2a-0d4b-4f6e-9a57-3c0f1b2d0001",
                                         "8e1d5c2a-0d4b-4f6e-9a57-3c0f1b2d0002"};
    int rc = 0;
    for (int e = 0; e < 2 && rc == 0; e++) {
        char vals[10][64], au[10][40];
        wb_attr_rec at[10];
        for (int i = 0; i < 10; i++) {
            snprintf(au[i], sizeof au[i], "8e1d5c2a-0d4b-4f6e-9a57-3c0f1b2d%02d%02d", e + 1, i);
            if (e == 0)
                snprintf(vals[i], sizeof vals[i], "203.0.113.%d", 10 + i);
            else
                snprintf(vals[i], sizeof vals[i], "c2-%d.demo.example", i);
            at[i] = (wb_attr_rec){.uuid = au[i],
                                  .type = e == 0 ? "ip-dst" : "domain",
                                  .value = vals[i],
                                  .to_ids = true,
                                  .distribution = 5,
                                  .timestamp = (now - 60 * DAY) / 1000000,
                                  .json = "{}",
                                  .nkeys = 1,
                                  .key_kind = {e == 0 ? WB_IOC_IP : WB_IOC_DOMAIN},
                                  .key = {vals[i]}};
        }
        const char *tag = e == 0 ? "misp-galaxy:threat-actor=\"Demo Bear\"" : NULL;
        wb_event_rec ev = {.uuid = uuids[e],
                           .org_id = org,
                           .info = e == 0 ? "demo campaign" : "demo phishing",
                           .date = "2026-01-01",
                           /* its organisation only: the demo hub's feeds,
                            * event lists and their tests stay as they were;
                            * the operator's picture (--db) reads them */
                           .distribution = 0,
                           .tlp = e == 0 ? WB_TLP_CLEAR : WB_TLP_GREEN,
                           .published = true,
                           .timestamp = (now - 60 * DAY) / 1000000,
                           .json = e == 0 ? "{\"Tag\":[{\"name\":\"misp-galaxy:threat-actor="
                                            "\\\"Demo Bear\\\"\"}]}"
                                          : "{}"};
        rc = wb_store_event_put(st, &ev, &tag, tag ? 1 : 0, at, 10, false, NULL, err);
        for (int i = 0; i < 10 && rc == 0; i++)
            rc = wb_store_attr_get(st, au[i], attr_id_cb, &ids[e * 10 + i], err);
    }
    return rc;
}

/* A shared scan of org with a few known-exploited findings, some overdue. */
static int demo_scan(wb_store *st, uint64_t *s, int64_t org, wb_time at, wb_error *err)
{
    wb_buf body = {0};
    int n = (int)rnd(s, 4), rc = 0;
    wb_buf_putc(&body, '[');
    for (int i = 0; i < n; i++) {
        bool overdue = rnd(s, 2);
        char due[40];
        wb_time_format(at - (overdue ? (wb_time)(1 + rnd(s, 60)) * DAY : -(wb_time)10 * DAY), due,
                       sizeof due);
        wb_buf_printf(&body,
                      "{\"vulnerability\":\"CVE-2025-%04u\",\"kev\":true,\"overdue\":%s,"
                      "\"deadline\":\"%s\"},",
                      1000 + rnd(s, 12), overdue ? "true" : "false", due);
    }
    wb_buf_puts(&body, "{\"vulnerability\":\"CVE-2024-0001\",\"kev\":false,\"overdue\":false}]");
    if (!body.data) return wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_vscan_rec r = {.org_id = org,
                      .name = "servers",
                      .author = "demo",
                      .created = at,
                      .components = 10,
                      .findings = n + 1,
                      .kev = n,
                      .overdue = n,
                      .summary = "{}",
                      .body = body.data};
    int64_t id;
    rc = wb_store_vscan_add(st, &r, &id, err);
    if (rc == 0 && rnd(s, 4)) rc = wb_store_vscan_share(st, id, true, err);
    wb_buf_free(&body);
    return rc;
}

int wb_picture_demo(wb_store *st, int norgs, int days, wb_time now, uint64_t seed, wb_error *err)
{
    if (norgs < 1 || norgs > 100000 || days < 1 || days > 3660)
        return wb_error_set(err, WB_EINVAL, "demo: 1..100000 organisations, 1..3660 days");
    uint64_t s = seed ? seed : 0x9e3779b97f4a7c15ull;
    int64_t *ids = calloc((size_t)norgs, sizeof *ids);
    if (!ids) return wb_error_set(err, WB_ENOMEM, "out of memory");
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
        ids[i] = org;
    }
    if (rc == 0)
        rc = wb_store_commit(st, err);
    else
        wb_store_rollback(st);
    /* the first organisation shares two events; the others see some of
     * their indicators, and most share a vulnerability scan or two */
    int64_t attrs[20];
    if (rc == 0) rc = events(st, ids[0], now, attrs, err);
    if (rc == 0) rc = wb_store_begin(st, err);
    for (int i = 0; rc == 0 && i < norgs; i++) {
        int64_t org = ids[i];
        int n = (int)rnd(&s, 4);
        for (int j = 0; rc == 0 && j < n; j++) {
            int64_t at = (now - (wb_time)rnd(&s, (unsigned)days * 24) * HOUR - HOUR) / 1000000;
            wb_sighting_rec r = {.attribute_id = attrs[rnd(&s, 20)],
                                 .org_id = org,
                                 .source = "demo",
                                 .date_sighting = at,
                                 .count = 1 + rnd(&s, 5),
                                 .first_seen = at - rnd(&s, 7200)};
            rc = wb_store_sighting_add(st, &r, NULL, err);
        }
        for (int j = 0; rc == 0 && j < 2; j++)
            if (rnd(&s, 3))
                rc = demo_scan(st, &s, org, now - (wb_time)rnd(&s, (unsigned)days) * DAY - HOUR,
                               err);
    }
    free(ids);
    if (rc == 0) return wb_store_commit(st, err);
    wb_store_rollback(st);
    return rc;
}
