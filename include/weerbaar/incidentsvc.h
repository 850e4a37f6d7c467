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
#include "weerbaar/hub.h"
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

/* Creates the incident; *out gets {"incident": {...}, "sent_to": NAME}
 * (the incident as wb_reg_incident_json writes it, judged at now; sent_to
 * the CSIRT the incident is routed to, which sees it on a hub: null for
 * the local operator, whose register sends nothing) and *id its id. An
 * unknown organisation is WB_ENOTFOUND with how to add it. */
int wb_incsvc_new(wb_store *s, const wb_actor *who, const wb_incsvc_new_req *req, wb_time now,
                  int64_t *id, wb_buf *out, wb_error *err);

/* Submits a report of `stage` (wb_reg_submit): submitted_at WB_TIME_NONE
 * means now; an earlier time is "recorded afterwards" and is for the local
 * operator only. *out gets the receipt {"report", "incident", "stage",
 * "submitted_at", "correction", "state", "due", "channel", "sent_to",
 * "receipt"}: sent_to as for wb_incsvc_new, receipt the SHA-256 of the
 * document as the register stored it (hex). A refused
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
 * rows, each with the incident's `org` and whose `duty` it is: "own" for
 * the organisation's reports, "csirt" for the CSIRT's answer) judged at
 * now, oldest first, at most WB_INCSVC_LIST_MAX incidents: *out gets
 * {"response": [...]}, and for due also "duties": the set `incident due`
 * shows the actor by default ("csirt" for a CSIRT's key, else "own"). */
int wb_incsvc_list(wb_store *s, const wb_actor *who, bool due, wb_time now,
                   wb_incsvc_visible_fn visible, void *ud, wb_buf *out, wb_error *err);

/* Who incident id concerns: its organisation, and the CSIRT and supervisor
 * its sector routes to (0 when none). WB_ENOTFOUND for no such incident.
 * The hub's policy (wb_policy_incident) decides on this. */
int wb_incsvc_audience(wb_store *s, int64_t id, wb_incident_audience *a, wb_error *err);

/* The incident as a PDF judged at now (times in UTC when utc, else
 * Europe/Amsterdam; text in lang "nl" or "en", NULL: en) into out.
 * WB_ELIMIT when it needs more than WB_INCIDENT_DOC_MAX_PAGES pages. */
int wb_incsvc_pdf(wb_store *s, int64_t id, wb_time now, bool utc, const char *lang, wb_buf *out,
                  wb_error *err);

/* ---- sharing an incident's indicators (incident share, proposals) ---------------- */

/* The events path a share publishes through: the hub's own, so that an
 * incident's event is checked and stored as every other event is. */
typedef struct wb_incsvc_events {
    /* Creates the MISP event document body as organisation creator_org, in
     * the transaction the service has open; 0 with its uuid in uuid, or
     * non-zero when the events path refused it (the caller keeps that
     * answer; the service rolls back). */
    int (*create)(void *ud, const char *body, size_t len, int64_t creator_org,
                  char uuid[WB_UUID_LEN + 1]);
    /* The attributes of body on the warninglists, appended to hits (NULL:
     * only counted) as a JSON array text of {"type", "value",
     * "warninglist"}; the count, or -1 for a document the events path
     * would refuse. */
    int (*warninglisted)(void *ud, const char *body, size_t len, wb_buf *hits);
    void *ud;
} wb_incsvc_events;

/* Why a share or a proposal's decision was refused (with WB_EINVAL). */
typedef enum wb_incsvc_refusal {
    WB_INCSVC_FAILED,      /* not refused: the store failed (500), or WB_ENOTFOUND */
    WB_INCSVC_BAD_REQUEST, /* the request (422, or 400 for a list's argument) */
    WB_INCSVC_BAD_EVENT,   /* the event the share would make (422 invalid_event) */
    WB_INCSVC_CONFLICT,    /* a share or proposal in another state (409) */
    WB_INCSVC_FORBIDDEN,   /* visible, but not the caller's to decide (403) */
    WB_INCSVC_EVENTS_PATH  /* the events path refused; its answer stands */
} wb_incsvc_refusal;

typedef struct wb_incsvc_share_req {
    wb_tlp tlp;                /* required */
    int distribution;          /* MISP distribution 0-4; -1: not given */
    const char *sharing_group; /* exactly when distribution is 4 */
    bool anonymous;            /* a proposal to the incident's CSIRT */
    const char *key;           /* the idempotency key; NULL: the digest */
} wb_incsvc_share_req;

/* What a share did. */
typedef enum wb_incsvc_shared {
    WB_INCSVC_PUBLISHED, /* an event, as the organisation (201) */
    WB_INCSVC_PROPOSED,  /* a pending proposal to the CSIRT (202) */
    WB_INCSVC_REPLAYED   /* a retry: the first share, nothing written (200) */
} wb_incsvc_shared;

/* Longest idempotency key. */
#define WB_INCSVC_SHARE_KEY_MAX 128

/* Shares incident id's indicators (the cumulative state of its reports) as
 * a MISP event, or anonymously as a proposal that the CSIRT approves
 * before it is published in the CSIRT's name. Event, link, share row and
 * audit entry are one transaction. *out gets the share's JSON (docs/hub.md).
 * Refused: WB_EINVAL with *why. */
int wb_incsvc_share(wb_store *s, const wb_actor *who, int64_t id, const wb_incsvc_share_req *req,
                    const wb_incsvc_events *ev, wb_time now, wb_incsvc_shared *done,
                    wb_incsvc_refusal *why, wb_buf *out, wb_error *err);

/* The proposals the actor's organisation made or decides, of one status
 * (NULL: any; else pending, approved, discarded, withdrawn), newest first,
 * at most WB_INCSVC_LIST_MAX: *out gets {"response": [...]}. */
int wb_incsvc_proposals(wb_store *s, const wb_actor *who, const char *status,
                        const wb_incsvc_events *ev, wb_buf *out, wb_error *err);

typedef enum wb_incsvc_decision {
    WB_INCSVC_APPROVE, /* the CSIRT: publish in its own name */
    WB_INCSVC_DISCARD, /* the CSIRT: decline */
    WB_INCSVC_WITHDRAW /* the reporting organisation, while pending */
} wb_incsvc_decision;

/* Decides pending proposal pid. WB_ENOTFOUND for someone else's proposal
 * (as for a missing one); WB_EINVAL with *why FORBIDDEN or CONFLICT. *out
 * gets the proposal's JSON. */
int wb_incsvc_decide(wb_store *s, const wb_actor *who, int64_t pid, wb_incsvc_decision op,
                     const wb_incsvc_events *ev, wb_time now, wb_incsvc_refusal *why, wb_buf *out,
                     wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
