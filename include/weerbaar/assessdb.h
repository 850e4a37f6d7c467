/*
 * assessdb.h - assessments of the duty of care kept in a store (store.h):
 * created for an organisation and a catalogue, answered one requirement at
 * a time or imported whole, every change a new version, shared with the
 * organisation's CSIRT or supervisor, and aggregated per sector.
 *
 * This is the one place where stored answers meet the pure functions of
 * assess.h, so that `weerbaar assess --db`, the hub's assessment endpoints
 * and the board report load, change and score an assessment the same way.
 * It decides nothing about who may see an assessment: that is the hub's
 * policy (wb_policy_assessment in hub.h). The one exception is the sector
 * view, whose k-anonymity rule is part of what it computes.
 */
#ifndef WEERBAAR_ASSESSDB_H
#define WEERBAAR_ASSESSDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/assess.h"
#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Versions one assessment may have; the store refuses more. */
#define WB_ASSESSDB_MAX_VERSIONS 100000
/* The smallest number of organisations a sector cell aggregates by default. */
#define WB_SECTOR_K_DEFAULT 3

/* One version of an assessment as loaded: every string points into arena. */
typedef struct wb_assessdb_view {
    wb_assessment_rec a; /* the assessment (org, catalogue, scope, target, created) */
    int version;         /* the version loaded; 0 when it has none yet */
    wb_time version_time;
    const char *version_author; /* NULL when version is 0 */
    const char *version_action;
    wb_answers *answers; /* of `version`; empty (never NULL) when version is 0 */
    /* The version before it (version - 1), for "against the previous
     * assessment": prev_version 0 and an empty set when there is none. */
    int prev_version;
    wb_time prev_time;
    wb_answers *previous;
    wb_arena arena;
} wb_assessdb_view;

/* Creates an assessment of catalogue cat->name for organisation org (a name
 * or uuid as `admin org` knows it), with scope (may be NULL) and target
 * 1..5, and writes the audit entry; *id gets its id. WB_ENOTFOUND for an
 * unknown organisation, WB_EINVAL for a bad scope or target. One
 * transaction of its own. */
int wb_assessdb_create(wb_store *s, const wb_catalogue *cat, const char *org, const char *scope,
                       int target, const char *author, int64_t *id, wb_error *err);

/* Loads version `version` of assessment id (0: the newest) with the one
 * before it. WB_ENOTFOUND for an unknown assessment or version; WB_EFORMAT
 * when stored answers no longer parse (the message names the version). The
 * caller frees *out with wb_assessdb_view_free. */
int wb_assessdb_load(wb_store *s, int64_t id, int version, wb_assessdb_view **out, wb_error *err);
void wb_assessdb_view_free(wb_assessdb_view *v);

/* Sets one answer (ans->ref must name an assessable requirement of cat, the
 * assessment's catalogue) on top of the newest version and stores the result
 * as a new version; *version gets its number (may be NULL). WB_EINVAL for a
 * ref that is not an assessable requirement, a catalogue that is not the
 * assessment's, a level out of range; WB_ENOTFOUND. One transaction. */
int wb_assessdb_answer(wb_store *s, int64_t id, const wb_catalogue *cat, const wb_answer *ans,
                       const char *author, int *version, wb_error *err);

/* Replaces the answers with those of a CSV or JSON document (as
 * wb_answers_parse reads it, named `name` in messages) as a new version. All
 * or nothing: a bad row fails with WB_EPARSE naming the row, column and
 * reason and nothing is written. WB_EINVAL for an empty document. */
int wb_assessdb_import(wb_store *s, int64_t id, const wb_catalogue *cat, const char *data,
                       size_t len, const char *name, const char *author, int *version,
                       wb_error *err);

/* Shares the assessment with the organisation's CSIRT or supervisor (as the
 * sector's route names them), or with shared false revokes that, and writes
 * the audit entry. WB_ENOTFOUND. */
int wb_assessdb_share(wb_store *s, int64_t id, wb_share_audience to, bool shared,
                      const char *author, wb_error *err);

/* "ID" or "ID@VERSION" (VERSION >= 1): 0, or WB_EINVAL. *version is 0 for
 * the newest. */
int wb_assessdb_parse_ref(const char *s, int64_t *id, int *version);

/* Writes every score as JSON (docs/assess.md describes each key): the
 * catalogue, attribution, target, overall, nodes, NIS2 measures, principles
 * (when principles maps cat) and the gaps in the library's order, with text
 * in lang ("nl" or "en"). This is what `assess score` and `assess show ID`
 * print and what the board report's numbers must equal. 0 or WB_ENOMEM. */
int wb_assess_scores_json(const wb_catalogue *cat, const wb_catalogue *principles,
                          const wb_answers *ans, const wb_scores *sc, const char *lang,
                          wb_buf *out);

/* ---- JSON: what `assess --db` and the hub exchange ---------------------------------- */

/* Longest JSON document wb_assessdb_view_parse accepts. */
#define WB_ASSESSDB_MAX_JSON (2 * WB_ANSWERS_MAX_BYTES + 65536)

/* One assessment as a compact JSON object (docs/assess.md: id,
 * organisation, sector, catalogue, scope, target, author, created,
 * version, version_time, shared_with). 0 or WB_ENOMEM. */
int wb_assessment_json(const wb_assessment_rec *a, wb_buf *out);

/* A loaded version as a compact JSON object: the assessment's members, plus
 * version_author, version_action, answers, previous_version, previous_time,
 * previous (answers as wb_answers_write_json writes them). 0 or WB_ENOMEM. */
int wb_assessdb_view_json(const wb_assessdb_view *v, wb_buf *out);
/* Reads what wb_assessdb_view_json wrote (from a hub), named `name` in
 * messages: WB_EPARSE with the JSON path of what is wrong, WB_ELIMIT. The
 * caller frees *out with wb_assessdb_view_free. */
int wb_assessdb_view_parse(const char *data, size_t len, const char *name, wb_assessdb_view **out,
                           wb_error *err);

/* The versions of an assessment as a JSON array of {version, created,
 * author, action, answers} objects, oldest first. WB_ENOTFOUND. */
int wb_assessdb_history_json(wb_store *s, int64_t id, wb_buf *out, wb_error *err);

/* ---- the sector view --------------------------------------------------------- */

/* Values of one cell of the sector view: the mean over the organisations
 * that have a value, and how many those are. A cell aggregating fewer than
 * k organisations is suppressed: suppressed is true, value and n are 0. */
typedef struct wb_sector_cell {
    double value;
    size_t n;
    bool suppressed;
} wb_sector_cell;

/* One row: a sector (NULL: organisations without one) or, as the last row,
 * all sectors. Columns: overall, the NIS2 measures (a)-(j) and the
 * principles 1..nprinciples. */
typedef struct wb_sector_row {
    const char *sector;
    size_t orgs; /* organisations with an assessment of the catalogue;
                    0 when the row is suppressed as a whole */
    bool suppressed;
    wb_sector_cell overall;
    wb_sector_cell measures[WB_NIS2_MEASURES];
    wb_sector_cell *principles;
} wb_sector_row;

typedef struct wb_sector_view {
    const char *catalogue;
    unsigned k;
    size_t nprinciples;
    const char **principle_refs; /* the principles' keys */
    bool mapped;
    wb_sector_row *rows; /* sectors by name, the "(none)" row, then the total */
    size_t nrows;
    wb_arena arena;
} wb_sector_view;

/* Aggregates, per sector, the newest version of each organisation's newest
 * assessment of cat that has answers, scored against principles (may be
 * NULL). A cell is published only when at least k (>= 2) organisations give
 * it a value. The total row aggregates exactly the organisations counted in
 * the published cells of each column, so that no suppressed cell can be
 * recovered by subtracting published cells from the total. */
int wb_assessdb_sectors(wb_store *s, const wb_catalogue *cat, const wb_catalogue *principles,
                        unsigned k, wb_sector_view **out, wb_error *err);
/* Whose view: a viewer (a CSIRT's or supervisor's organisation; 0 for a
 * site admin: every sector) as an audience. Only assessments the
 * organisations shared with that audience count, and with a viewer only
 * the sectors routed to it (its own route, else "*"), as the dependency
 * view does (depsdb.h). */
typedef struct wb_sector_scope {
    int64_t viewer;
    wb_share_audience audience;
} wb_sector_scope;
/* wb_assessdb_sectors as the hub shows it to a viewer; wb_assessdb_sectors
 * itself is the hub operator's view of every assessment (a local --db). */
int wb_assessdb_sectors_for(wb_store *s, const wb_sector_scope *scope, const wb_catalogue *cat,
                            const wb_catalogue *principles, unsigned k, wb_sector_view **out,
                            wb_error *err);
void wb_sector_view_free(wb_sector_view *v);
/* As JSON (docs/assess.md). 0 or WB_ENOMEM. */
int wb_sector_view_json(const wb_sector_view *v, wb_buf *out);

/* ---- the service the front ends call (`assess --db`, the hub) ----------------------- */

/* Opens (and migrates) the store at path for a local command; close with
 * wb_assessdb_close. The front ends never call the store themselves. */
int wb_assessdb_open(wb_store **s, const char *path, wb_error *err);
void wb_assessdb_close(wb_store *s);

/* Who assessment id concerns: its organisation, the CSIRT and supervisor
 * its sector routes to, and whether it is shared with them (the input of
 * wb_policy_assessment). WB_ENOTFOUND. */
struct wb_assessment_audience;
int wb_assessdb_audience(wb_store *s, int64_t id, struct wb_assessment_audience *a, wb_error *err);

/* Says whether an assessment with this audience is listed (NULL: all). */
typedef bool (*wb_assessdb_visible_fn)(void *ud, const struct wb_assessment_audience *a);

/* The assessments (of organisation org, a name or uuid, when not NULL:
 * WB_ENOTFOUND when there is none) that visible admits, as a JSON array of
 * wb_assessment_json objects, oldest first, at most WB_ASSESSDB_MAX_LIST
 * looked at. */
#define WB_ASSESSDB_MAX_LIST 100000
int wb_assessdb_list_json(wb_store *s, const char *org, wb_assessdb_visible_fn visible, void *ud,
                          wb_buf *out, wb_error *err);

/* Assessment id as one wb_assessment_json object. WB_ENOTFOUND. */
int wb_assessdb_get_json(wb_store *s, int64_t id, wb_buf *out, wb_error *err);

/* Whether organisation `name` (a name or uuid) is the one with id org_id:
 * *same false also when there is no such organisation. */
int wb_assessdb_org_is(wb_store *s, const char *name, int64_t org_id, bool *same, wb_error *err);

/* The kind of organisation org_id (the sector view's policy needs it). */
int wb_assessdb_org_kind(wb_store *s, int64_t org_id, wb_org_kind *kind, wb_error *err);

/* Writes one audit entry ("assessment ID" as its object) in a transaction
 * of its own: a read that must be audited (a site admin's). */
int wb_assessdb_audit(wb_store *s, const char *user, const char *org, const char *action,
                      int64_t id, const char *detail, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
