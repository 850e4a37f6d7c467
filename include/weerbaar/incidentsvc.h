/*
 * incidentsvc.h - the incident register's operations as one service for
 * every front end: `weerbaar incident --db` (the local operator), the hub's
 * /api/v1/incidents endpoints, and what comes after them (the web page).
 *
 * Each operation validates its input, opens the transaction, writes,
 * audits as the actor and commits, and answers with the JSON document the
 * hub's API sends, so that `--db` and `--hub` print from the same bytes.
 * Every rule that does not depend on who asks (a time in the future, a
 * report's fields, an ask date before now) is checked here, the same for
 * every channel. Who may see or change an incident is not: the hub decides
 * that with wb_policy_incident before it calls in.
 *
 * A refused request is WB_EINVAL with the message a client sees, naming
 * the JSON member as the API does ("$.aware_at: lies in the future").
 */
#ifndef WEERBAAR_INCIDENTSVC_H
#define WEERBAAR_INCIDENTSVC_H

#include <stdbool.h>
#include <stdint.h>

#include "weerbaar/actor.h"
#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/incident.h"
#include "weerbaar/register.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opens (and migrates) the register at path for a local command; close
 * with wb_incsvc_close. The front ends open a register through these and
 * never call the store themselves. */
int wb_incsvc_open(wb_store **s, const char *path, wb_error *err);
void wb_incsvc_close(wb_store *s);

/* The actor of a local command: a site admin, channel cli, audited as
 * user "cli" of organisation "-" (as `weerbaar admin` is). */
wb_actor wb_incsvc_operator(void);

/* A new incident. Strings may be NULL when not given. */
typedef struct wb_incsvc_new_req {
    const char *org; /* the operator names it (required); others may only
                        repeat their own organisation's name */
    const char *title;
    wb_time aware_at;
    wb_time detected_at; /* WB_TIME_NONE when not given */
    wb_entity_type entity;
    wb_tlp tlp; /* WB_TLP_UNSET: amber */
    const char *rsit;
} wb_incsvc_new_req;

/* Creates the incident; *out gets {"incident": {...}} (the incident as
 * wb_reg_incident_json writes it, judged at now) and *id its id. */
int wb_incsvc_new(wb_store *s, const wb_actor *who, const wb_incsvc_new_req *req, wb_time now,
                  int64_t *id, wb_buf *out, wb_error *err);

/* Submits a report of `stage` (wb_reg_submit): submitted_at WB_TIME_NONE
 * means now; an earlier time is "recorded afterwards" and is for the local
 * operator only. *out gets the receipt {"report", "incident", "stage",
 * "submitted_at", "correction", "state", "due", "channel"}. A refused
 * document is WB_EINVAL (or WB_EPARSE, WB_ELIMIT) with `problems` filled. */
int wb_incsvc_report(wb_store *s, const wb_actor *who, int64_t id, wb_stage stage,
                     wb_time submitted_at, wb_time now, const char *name, const char *data,
                     size_t len, wb_report_problems *problems, wb_buf *out, wb_error *err);

/* Marks the incident handled at `at` (between its aware_at and now). */
int wb_incsvc_handled(wb_store *s, const wb_actor *who, int64_t id, wb_time at, wb_time now,
                      wb_buf *out, wb_error *err);

/* The CSIRT's ack, ask (by: a time after `at`) or comment (text) at `at`
 * (WB_TIME_NONE: now). */
int wb_incsvc_act(wb_store *s, const wb_actor *who, int64_t id, wb_incident_action_kind kind,
                  wb_time at, wb_time by, const char *text, wb_time now, wb_buf *out,
                  wb_error *err);

/* {"incident": {...}} with the WB_REG_JSON_* parts, judged at now. */
int wb_incsvc_show(wb_store *s, int64_t id, unsigned parts, wb_time now, wb_buf *out,
                   wb_error *err);

/* Most incidents one list answers with, and most it looks at. */
#define WB_INCSVC_LIST_MAX 10000
#define WB_INCSVC_LIST_SCAN ((size_t)10000000)

/* Says whether the actor may see incident id (*visible); the hub's policy,
 * which may also note an audit entry. Non-zero stops the list with that
 * error. NULL: every incident (the local operator). */
typedef int (*wb_incsvc_visible_fn)(void *ud, int64_t id, bool *visible, wb_error *err);

/* Every visible incident (due: every deadline of each, the `incident due`
 * rows) judged at now, oldest first, at most WB_INCSVC_LIST_MAX incidents:
 * *out gets {"response": [...]}. */
int wb_incsvc_list(wb_store *s, bool due, wb_time now, wb_incsvc_visible_fn visible, void *ud,
                   wb_buf *out, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
