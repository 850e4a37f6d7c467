/*
 * register.h - the incident register: incidents, their reports and the
 * CSIRT's actions as kept in a store (store.h), read back as one incident
 * with its cumulative report state and its deadlines (incident.h).
 *
 * This is the one place where a stored incident meets the reporting rules,
 * so that `weerbaar incident --db` and the hub's incident endpoints load,
 * validate and judge an incident the same way. It decides nothing about who
 * may see an incident: that is the hub's policy.
 */
#ifndef WEERBAAR_REGISTER_H
#define WEERBAAR_REGISTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/incident.h"
#include "weerbaar/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bounds on what one incident may gather; a register refuses more. */
#define WB_REGISTER_MAX_REPORTS 1000
#define WB_REGISTER_MAX_ACTIONS 1000
#define WB_REGISTER_MAX_ASKS 64
#define WB_REGISTER_MAX_EVENTS 1000
/* Deadline rows an incident can have: six fixed ones plus one per ask. */
#define WB_REGISTER_MAX_DEADLINES (6 + WB_REGISTER_MAX_ASKS)

/* One incident as loaded: every string points into `arena`. */
typedef struct wb_reg_incident {
    wb_incident_rec inc;
    wb_incident_report_rec *reports; /* (submitted_at, id) order */
    size_t nreports;
    wb_incident_action_rec *actions; /* (at, id) order */
    size_t nactions;
    wb_incident_event_rec *events; /* shared as MISP events (incident share) */
    size_t nevents;
    wb_report *state; /* the cumulative state of every report */
    wb_time now;      /* the time the deadlines were judged at */
    wb_deadline deadlines[WB_REGISTER_MAX_DEADLINES];
    size_t ndeadlines;
    wb_arena arena;
} wb_reg_incident;

/* Loads incident `id` with its reports and actions and judges its deadlines
 * as of `now`. WB_ENOTFOUND when there is none; WB_EFORMAT when a stored
 * report no longer parses (the message names the report). The caller frees
 * *out with wb_reg_incident_free. */
int wb_reg_incident_load(wb_store *s, int64_t id, wb_time now, wb_reg_incident **out,
                         wb_error *err);
void wb_reg_incident_free(wb_reg_incident *ri);

/* What a submission needs besides the document. */
typedef struct wb_reg_submission {
    int64_t incident_id;
    wb_stage stage; /* a report stage, or WB_STAGE_GDPR_BREACH to record the
                       notification to the data protection authority (the
                       document may then be empty: "{}" is stored) */
    wb_time submitted_at;
    wb_report_channel channel;
    const char *author;
} wb_reg_submission;

/* The outcome of a submission. */
typedef struct wb_reg_receipt {
    int64_t report_id;
    bool correction;         /* an earlier report of the stage exists */
    wb_deadline_state state; /* of the stage's deadline: decided by the first */
    wb_time due;
} wb_reg_receipt;

/* Validates the document `data` (named `name` in messages) as a report of
 * sub->stage against the incident's cumulative state, and appends it.
 * Returns 0 with *rcpt filled; WB_EINVAL with every problem in `problems`
 * (a broken document, or the fields the stage still lacks); WB_EINVAL
 * without problems and a message in err for a stage that cannot be
 * submitted now (an intermediate report nobody asked for, a submission
 * before aware_at or to a closed incident); WB_EPARSE, WB_ELIMIT,
 * WB_ENOTFOUND; store errors. Runs in a transaction of its own. */
int wb_reg_submit(wb_store *s, const wb_reg_submission *sub, const char *name, const char *data,
                  size_t len, wb_reg_receipt *rcpt, wb_report_problems *problems, wb_error *err);

/* Which parts wb_reg_incident_json writes. */
enum {
    WB_REG_JSON_REPORTS = 1, /* each report with its full document */
    WB_REG_JSON_STATE = 2    /* the cumulative state */
};

/* Writes the incident as a JSON object: its fields, the reports (without
 * documents unless WB_REG_JSON_REPORTS), the actions, the deadlines and,
 * with WB_REG_JSON_STATE, the cumulative state. Times RFC 3339 UTC.
 * 0 or WB_ENOMEM. docs/incident.md describes every key. */
int wb_reg_incident_json(const wb_reg_incident *ri, unsigned parts, wb_buf *out);

/* One deadline as a JSON object with exactly incident, stage, due, state and
 * submitted (the `incident due` row). 0 or WB_ENOMEM. */
int wb_reg_due_json(int64_t incident_id, const wb_deadline *d, wb_buf *out);

#ifdef __cplusplus
}
#endif
#endif
