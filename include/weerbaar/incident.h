/*
 * incident.h - the Cbw (NIS2) incident-reporting duty as plain data and
 * rules: the report model and its validation, the cumulative state of an
 * incident's reports, the reporting deadlines, the significance assessment,
 * Europe/Amsterdam local time, and the taxonomies reports refer to.
 *
 * Nothing here touches a database or the network: callers (the CLI, the
 * hub's incident endpoints) hand in reports, times and facts and get plain
 * results back. Every table of rules (required fields per stage, deadlines,
 * significance thresholds) is a const table whose rows cite the article they
 * come from; docs/incident.md describes them for people.
 */
#ifndef WEERBAAR_INCIDENT_H
#define WEERBAAR_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- enumerations ----------------------------------------------------- */

/* yes / no / unknown, with UNSET for "not stated". */
typedef enum wb_tri { WB_TRI_UNSET = 0, WB_TRI_YES, WB_TRI_NO, WB_TRI_UNKNOWN } wb_tri;
/* "yes", "no", "unknown"; NULL for UNSET. */
const char *wb_tri_name(wb_tri t);
/* 0 or WB_EINVAL. */
int wb_tri_parse(const char *s, wb_tri *out);

typedef enum wb_incident_severity {
    WB_INC_SEVERITY_UNSET = 0,
    WB_INC_SEVERITY_LOW,
    WB_INC_SEVERITY_MEDIUM,
    WB_INC_SEVERITY_HIGH,
    WB_INC_SEVERITY_CRITICAL
} wb_incident_severity;
const char *wb_incident_severity_name(wb_incident_severity s); /* NULL for UNSET */
int wb_incident_severity_parse(const char *s, wb_incident_severity *out);

/* The kinds of entity whose significance thresholds differ (Implementing
 * Regulation (EU) 2024/2690 Arts. 5-14); OTHER is every other NIS2 entity. */
typedef enum wb_entity_type {
    WB_ENTITY_OTHER = 0,
    WB_ENTITY_DNS,
    WB_ENTITY_TLD,
    WB_ENTITY_CLOUD,
    WB_ENTITY_DATA_CENTRE,
    WB_ENTITY_CDN,
    WB_ENTITY_MSP,
    WB_ENTITY_MSSP,
    WB_ENTITY_MARKETPLACE,
    WB_ENTITY_SEARCH_ENGINE,
    WB_ENTITY_SOCIAL_NETWORK,
    WB_ENTITY_TRUST_SERVICE,
    WB_ENTITY_COUNT
} wb_entity_type;
/* "dns", "tld", "cloud", "data-centre", ..., "other". */
const char *wb_entity_type_name(wb_entity_type t);
/* A sentence naming the kind of entity ("cloud computing service provider"). */
const char *wb_entity_type_description(wb_entity_type t);
int wb_entity_type_parse(const char *s, wb_entity_type *out);

/* Report stages (the first five) and the other deadlines of an incident. */
typedef enum wb_stage {
    WB_STAGE_EARLY_WARNING = 0,
    WB_STAGE_NOTIFICATION,
    WB_STAGE_INTERMEDIATE,
    WB_STAGE_FINAL,
    WB_STAGE_PROGRESS,
    WB_STAGE_CSIRT_ANSWER, /* the CSIRT's initial feedback (NIS2 Art. 23(5)) */
    WB_STAGE_GDPR_BREACH,  /* personal-data breach notification (GDPR Art. 33) */
    WB_STAGE_COUNT
} wb_stage;
#define WB_REPORT_STAGE_COUNT 5
/* "early-warning", "notification", ..., "csirt-answer", "gdpr-breach". */
const char *wb_stage_name(wb_stage s);
int wb_stage_parse(const char *s, wb_stage *out);
/* True for the five stages an organisation submits a report for. */
bool wb_stage_is_report(wb_stage s);

/* ---- Europe/Amsterdam local time ---------------------------------------- */

/* Computed from the EU summer-time rule (Directive 2000/84/EC): CET (UTC+1),
 * and CEST (UTC+2) from 01:00 UTC on the last Sunday of March to 01:00 UTC on
 * the last Sunday of October. That is tzdata's Europe/Amsterdam for every
 * time since 1996; earlier Dutch summer time ended in September and is not
 * modelled (no deadline of this law lies before 2024). The machine's TZ is
 * never consulted. */

typedef struct wb_civil {
    int64_t year;
    unsigned month, day, hour, minute, second;
    unsigned usec;
} wb_civil;

/* Seconds east of UTC in Amsterdam at t: 3600 or 7200. */
int wb_ams_offset(wb_time t);
/* The Amsterdam wall-clock reading of t; *offset (may be NULL) gets the
 * offset in seconds. */
void wb_ams_to_civil(wb_time t, wb_civil *out, int *offset);
/* The instant an Amsterdam wall clock shows c. A reading inside the hour
 * skipped in March (02:00-02:59 on the last Sunday) does not exist and is
 * moved forward by the gap (02:30 -> 03:30 CEST), as RFC 5545 and java.time
 * do; a reading inside the hour repeated in October is the earlier of the two
 * (CEST), so a deadline never falls later than the first time the clock shows
 * it. Fields are not range-checked beyond what days_in_month needs. */
wb_time wb_ams_from_civil(const wb_civil *c);
/* t plus `months` calendar months on the Amsterdam calendar at the same local
 * time; the day is clamped to the last day of a shorter month (31 January +
 * 1 month = 28 or 29 February). */
wb_time wb_ams_add_months(wb_time t, int months);
/* Writes "2026-05-02T10:00:00+02:00" (with ".ffffff" when t has a fraction)
 * into out (at least 40 bytes); returns the length. */
size_t wb_ams_format(wb_time t, char *out, size_t cap);

/* A time as a person writes it: "now" (the given now), RFC 3339 with an
 * offset ("2026-12-05T08:30:00+01:00", "...Z"), or a local date and time
 * without one ("2026-12-05T08:30", "2026-12-05 08:30:15"), read in
 * Europe/Amsterdam. A local time in the spring-forward gap (it never
 * happened) or in the repeated autumn hour (it happened twice) is WB_EINVAL
 * with a message that says why and what to write instead. *how (may be
 * NULL) gets what was read: 0 an offset given, 1 "now", 2 a local time. */
int wb_ams_parse(const char *s, wb_time now, wb_time *out, int *how, wb_error *err);

/* Strict RFC 3339 date-time: "YYYY-MM-DDThh:mm:ss[.frac](Z|+hh:mm|-hh:mm)"
 * ('t', 'z' and a space for 'T' allowed). 0 or WB_EINVAL. Looser forms that
 * wb_time_parse accepts (a date alone, no seconds, no offset) are refused,
 * because a report's time without an offset is ambiguous. */
int wb_time_parse_rfc3339(const char *s, size_t n, wb_time *out);

/* ---- reports -------------------------------------------------------------- */

#define WB_REPORT_MAX_BYTES ((size_t)1 << 20) /* largest report document */
#define WB_REPORT_MAX_TEXT 65536              /* longest text field, bytes */
#define WB_REPORT_MAX_INDICATORS 10000
#define WB_REPORT_MAX_PROBLEMS 100 /* problems listed; the rest are counted */

/* Every field of a report, in document order. Nested fields carry their
 * parent's name: WB_RF_CONTACT_EMAIL is $.contact.email. */
typedef enum wb_report_field {
    WB_RF_SUMMARY = 0,
    WB_RF_MALICIOUS,
    WB_RF_CROSS_BORDER,
    WB_RF_CONTACT_NAME,
    WB_RF_CONTACT_EMAIL,
    WB_RF_CONTACT_PHONE,
    WB_RF_PERSONAL_DATA,
    WB_RF_INITIAL_ASSESSMENT,
    WB_RF_SEVERITY,
    WB_RF_IMPACT_DESCRIPTION,
    WB_RF_IMPACT_USERS_AFFECTED,
    WB_RF_IMPACT_DURATION_MINUTES,
    WB_RF_IMPACT_FINANCIAL_LOSS_EUR,
    WB_RF_INDICATORS,
    WB_RF_DESCRIPTION,
    WB_RF_ROOT_CAUSE,
    WB_RF_MITIGATION_APPLIED,
    WB_RF_MITIGATION_ONGOING,
    WB_RF_CROSS_BORDER_IMPACT,
    WB_RF_STATUS_UPDATE,
    WB_RF_EXPECTED_HANDLED_AT,
    WB_RF_COUNT
} wb_report_field;

/* "contact.email" and the like (the JSON path without "$."). */
const char *wb_report_field_path(wb_report_field f);
/* What the field holds, for messages: "an e-mail address", "text", ... */
const char *wb_report_field_expected(wb_report_field f);

typedef struct wb_report_indicator {
    const char *type; /* a MISP attribute type */
    const char *value;
} wb_report_indicator;

/* One report, or the cumulative state of several. A field is stated when its
 * bit (1u << field) is in `present`; `cleared` marks fields a report
 * withdrew with JSON null. Values live in the arrays indexed by field:
 *   text[]: text fields, contact fields, root_cause;
 *   num[]:  tri-state and severity fields (their enum value), users_affected
 *           and duration_minutes (integers), financial_loss_eur (euro cents),
 *           expected_handled_at (wb_time). */
typedef struct wb_report {
    uint32_t present;
    uint32_t cleared;
    const char *text[WB_RF_COUNT];
    int64_t num[WB_RF_COUNT];
    wb_report_indicator *indicators;
    size_t nindicators;
    wb_arena arena; /* owns every string */
} wb_report;

typedef struct wb_report_problem {
    const char *path;    /* "$.contact.email", "$" for the whole report */
    const char *message; /* "not an e-mail address: 'x'" */
} wb_report_problem;

/* Problems found in a report: every one, up to WB_REPORT_MAX_PROBLEMS, then
 * only counted in `dropped`. Zero-initialise; wb_report_problems_free. */
typedef struct wb_report_problems {
    wb_report_problem *items;
    size_t count, cap;
    size_t dropped;
    wb_arena arena;
} wb_report_problems;

void wb_report_problems_free(wb_report_problems *p);
/* Writes each problem as "NAME: PATH: message\n" (NAME may be NULL). */
int wb_report_problems_format(const wb_report_problems *p, const char *name, wb_buf *out);

/* An empty report (nothing stated), for use as a cumulative state. NULL when
 * out of memory. */
wb_report *wb_report_new(void);
void wb_report_free(wb_report *r);

/* Parses and validates one report document (a JSON object with the keys of
 * docs/incident-report.schema.json). Returns 0 with *out a new report;
 * WB_EINVAL when the document breaks the rules, with every problem in
 * `problems` (unknown keys, wrong types, values outside their enumeration,
 * e-mail/phone/time shapes, negative numbers); WB_EPARSE when it is not JSON
 * (err names `name`, line and column); WB_ELIMIT when larger than
 * WB_REPORT_MAX_BYTES; WB_ENOMEM. On failure *out is NULL. */
int wb_report_parse(const char *name, const char *data, size_t len, wb_report **out,
                    wb_report_problems *problems, wb_error *err);
/* A report document as JSON text into out (reset first): JSON as given,
 * or YAML converted (YAML when the first character other than white space
 * does not open a JSON object or array; scalars by YAML 1.2's core schema,
 * so `yes` stays text; aliases and a second document refused). Every
 * front end that reads a report file calls this first, so the register and
 * the hub store and see JSON only. WB_EPARSE with "NAME:LINE:COLUMN: YAML:
 * reason", WB_ELIMIT past WB_REPORT_MAX_BYTES or the nesting and size
 * bounds, WB_ENOMEM. */
int wb_report_doc_json(const char *name, const char *data, size_t len, wb_buf *out, wb_error *err);

/* A filled-in skeleton of a stage's report (incident template) into out
 * (appended): YAML with every field of the schema, those the stage needs
 * filled in with examples to replace and every other one commented out with
 * what it holds; or JSON with the stage's fields filled in and the notes in
 * "$comment". `now` dates the example times. 0, WB_EINVAL for a stage that
 * is not a report's, WB_ENOMEM. */
int wb_report_template(wb_stage stage, bool yaml, wb_time now, wb_buf *out);

/* As wb_report_parse, except that on WB_EINVAL *out is the report with the
 * fields that were good, so that a stage's missing fields can be listed
 * beside the document's own problems (incident validate). */
int wb_report_parse_partial(const char *name, const char *data, size_t len, wb_report **out,
                            wb_report_problems *problems, wb_error *err);

/* Checks each indicator's value against its MISP type as the hub's events
 * path will when the incident is shared (999.1.1.1 is no ip-dst), so that
 * a report is refused on entry, at "$.indicators[N].value", rather than at
 * share time. Types weerbaar does not match (text, comment) take any value.
 * Called on entry only (wb_reg_submit, incident validate): a stored report
 * accepted before this check existed must still load. 0, WB_EINVAL with
 * the problems, or WB_ENOMEM. */
int wb_report_check_values(const wb_report *r, wb_report_problems *problems);

/* Applies a later report to a cumulative state the way JSON Merge Patch
 * (RFC 7396) does: what the later report states replaces the state's value,
 * JSON null withdraws it, and what it leaves out is inherited. The
 * indicators array is replaced as a whole. 0 or WB_ENOMEM. */
int wb_report_merge(wb_report *state, const wb_report *later);

/* Checks that a stage's required fields are stated in `state` (the
 * cumulative state including `latest`); status_update must be stated by
 * `latest` itself, because a status update describes the moment of its
 * report. Returns 0, or WB_EINVAL with one problem per missing field at
 * its path ("$.contact.email: missing: ... (expected: an e-mail address)"),
 * or WB_ENOMEM. */
int wb_report_check_stage(const wb_report *state, const wb_report *latest, wb_stage stage,
                          wb_report_problems *problems);

/* The fields a stage requires (a bit mask over wb_report_field), and those
 * its report must state itself. */
uint32_t wb_report_stage_required(wb_stage stage);
uint32_t wb_report_stage_fresh(wb_stage stage);

/* Writes the report as a JSON object (keys in schema order, only stated
 * fields, times in RFC 3339 UTC). 0 or WB_ENOMEM. */
int wb_report_to_json(const wb_report *r, wb_buf *out);

/* ---- taxonomies ----------------------------------------------------------- */

/* True when name is a MISP attribute type (MISP's describeTypes). */
bool wb_misp_attribute_type_valid(const char *name);
size_t wb_misp_attribute_type_count(void);
const char *wb_misp_attribute_type_at(size_t i);

typedef struct wb_taxonomy_entry {
    const char *predicate; /* "availability" */
    const char *value;     /* "ddos" */
    const char *expanded;  /* "DDoS", may be NULL */
} wb_taxonomy_entry;

/* The built-in copies (CC0, MISP/misp-taxonomies): the RSIT values and the
 * NIS2 taxonomy's impact-sectors-impacted values, exactly as written there. */
const wb_taxonomy_entry *wb_taxonomy_rsit(size_t *count);
const wb_taxonomy_entry *wb_taxonomy_nis2_sectors(size_t *count);
/* True when "rsit:PREDICATE=\"VALUE\"" (the MISP machine-tag form) names an RSIT
 * value of the built-in table. */
bool wb_rsit_tag_valid(const char *s);
bool wb_sector_valid(const char *s);

/* A MISP machinetag.json loaded from a file: every value of every predicate
 * (or only of `predicate` when not NULL). Errors name the file and JSON path. */
typedef struct wb_taxonomy {
    char *name; /* the namespace */
    wb_taxonomy_entry *entries;
    size_t count;
    wb_arena arena;
} wb_taxonomy;
int wb_taxonomy_load(const char *path, const char *predicate, wb_taxonomy **out, wb_error *err);
void wb_taxonomy_free(wb_taxonomy *t);

/* ---- deadlines -------------------------------------------------------------- */

typedef enum wb_deadline_state {
    WB_DEADLINE_OPEN = 0, /* not submitted, not yet due */
    WB_DEADLINE_MET,      /* first submission at or before the deadline */
    WB_DEADLINE_LATE,     /* first submission after the deadline */
    WB_DEADLINE_OVERDUE   /* not submitted and past due */
} wb_deadline_state;
const char *wb_deadline_state_name(wb_deadline_state s);

typedef struct wb_incident_submission {
    wb_stage stage; /* a report stage, or WB_STAGE_GDPR_BREACH for the
                       notification to the data protection authority */
    wb_time at;
} wb_incident_submission;

/* A CSIRT's request for an intermediate report (NIS2 Art. 23(4)(c)). */
typedef struct wb_incident_ask {
    wb_time asked_at; /* WB_TIME_NONE: any intermediate report answers it */
    wb_time by;       /* the date the CSIRT set */
} wb_incident_ask;

/* Everything the deadlines depend on. Submissions and asks in any order;
 * times in UTC, WB_TIME_NONE when not (yet) known. */
typedef struct wb_incident_clock {
    wb_time aware_at; /* required */
    wb_entity_type entity;
    wb_time handled_at;
    wb_tri personal_data;
    const wb_incident_submission *submissions;
    size_t nsubmissions;
    const wb_incident_ask *asks;
    size_t nasks;
    wb_time csirt_ack_at; /* when the CSIRT gave its initial feedback */
} wb_incident_clock;

/* What a deadline is counted from. */
typedef enum wb_deadline_base {
    WB_FROM_AWARE,         /* aware_at */
    WB_FROM_EARLY_WARNING, /* the first early warning's submission */
    WB_FROM_NOTIFICATION,  /* the first notification, else its deadline */
    WB_FROM_ASK,           /* the date the CSIRT set */
    WB_FROM_FIRST_FINAL,   /* the final report's first date */
    WB_FROM_HANDLED        /* handled_at */
} wb_deadline_base;

/* One row of the rule table: a deadline, how it is counted and where the
 * law sets it. The first row whose stage and entity mask match applies. */
typedef struct wb_deadline_rule {
    wb_stage stage;
    uint32_t entities; /* bit mask (1u << wb_entity_type); 0 = every entity */
    wb_deadline_base base;
    int hours;           /* added to the base */
    int months;          /* calendar months added on the Amsterdam calendar */
    const char *rule;    /* "aware_at + 24 h" */
    const char *article; /* "NIS2 Art. 23(4)(a)" */
} wb_deadline_rule;
const wb_deadline_rule *wb_deadline_rules(size_t *count);

typedef struct wb_deadline {
    wb_stage stage;
    wb_time due;       /* WB_TIME_NONE: not fixed yet (final report of an
                          incident not handled by its first final date) */
    wb_time submitted; /* first submission, WB_TIME_NONE when none */
    wb_deadline_state state;
    size_t ask; /* for intermediate reports: index into asks */
    const wb_deadline_rule *rule;
} wb_deadline;

/* Every deadline of an incident as of `now`, in stage order. `out` has room
 * for `cap` rows; *n gets the number written. Returns 0; WB_EINVAL when
 * aware_at is missing; WB_ELIMIT when cap is too small (6 + nasks rows always
 * suffice). */
int wb_incident_deadlines(const wb_incident_clock *clock, wb_time now, wb_deadline *out, size_t cap,
                          size_t *n, wb_error *err);

/* ---- significance ----------------------------------------------------------- */

typedef enum wb_verdict {
    WB_VERDICT_NOT_SIGNIFICANT = 0,
    WB_VERDICT_SIGNIFICANT,
    WB_VERDICT_UNDETERMINED
} wb_verdict;
const char *wb_verdict_name(wb_verdict v); /* "significant", ... */

typedef enum wb_criterion_result {
    WB_CRIT_NOT_MET = 0,
    WB_CRIT_MET,
    WB_CRIT_UNKNOWN /* a fact it needs is missing or "unknown" */
} wb_criterion_result;
const char *wb_criterion_result_name(wb_criterion_result r); /* "met", ... */

/* The facts an assessment reads (docs/incident.md lists the JSON keys).
 * Counts and minutes are -1 when not given, money in euro cents (-1 when
 * not given), answers WB_TRI_UNSET when not given. */
typedef struct wb_facts {
    wb_tri severe_operational_disruption;
    wb_tri severe_financial_loss;
    wb_tri damage_to_others;
    wb_tri scheduled_maintenance;
    int64_t financial_loss_cents;
    int64_t annual_turnover_cents;
    wb_tri trade_secrets_exfiltrated;
    wb_tri death;
    wb_tri health_damage;
    wb_tri malicious_access;
    int64_t recurring_occurrences;
    wb_tri recurring_same_root_cause;
    int64_t recurring_financial_loss_cents;
    int64_t users_eu;
    int64_t complete_unavailability_minutes;
    int64_t complete_unavailability_users;
    int64_t limited_availability_minutes;
    int64_t limited_availability_users;
    int64_t weekly_unavailability_minutes;
    int64_t slow_response_minutes;
    wb_tri data_compromised;
    wb_tri data_compromise_malicious;
    int64_t data_compromised_users;
    wb_tri misconfiguration;
    int64_t misconfigured_domains;
    int64_t managed_domains;
    wb_tri physical_access_compromised;
    char sector[48]; /* a NIS2 impact-sectors-impacted value, "" when not given */
} wb_facts;

#define WB_FACTS_MAX_BYTES ((size_t)1 << 16)

/* Every fact unset. */
void wb_facts_init(wb_facts *f);
/* Parses a facts document (a JSON object; unknown keys refused). Returns 0,
 * WB_EPARSE (not JSON) or WB_EINVAL (a wrong key or value), with a message
 * naming `name` and the JSON path. */
int wb_facts_parse(const char *name, const char *data, size_t len, wb_facts *out, wb_error *err);

/* One row of the significance table. The test reads the facts through
 * `fact` (an offsetof into wb_facts) and the thresholds in the row:
 *   limit     an absolute threshold (minutes, users, euro cents),
 *   permille  a share of users_eu (or of the turnover), in 1/1000:
 *             "more than 5 % of users or more than 1 million, whichever is
 *             smaller" is permille 50 with limit 1000000,
 *   minutes   a duration that must also be exceeded (0: none). */
typedef struct wb_criterion wb_criterion;
struct wb_criterion {
    const char *id;      /* stable identifier: "ir-7-a" */
    const char *article; /* "Implementing Regulation (EU) 2024/2690 Art. 7(a)" */
    const char *text;    /* the criterion in short */
    uint32_t entities;   /* bit mask (1u << wb_entity_type) it applies to */
    wb_criterion_result (*test)(const wb_criterion *c, const wb_facts *f, char *why, size_t cap);
    size_t fact;
    int64_t limit;
    int64_t permille;
    int64_t minutes;
};
const wb_criterion *wb_criteria(size_t *count);

typedef struct wb_assessment_reason {
    const wb_criterion *criterion;
    wb_criterion_result result;
    bool advisory; /* NIS2 Art. 23(3) for a provider the regulation covers:
                      counts when met, but an open answer does not hold back
                      the verdict, because the regulation's criteria are the
                      binding form of Art. 23(3) for it (NIS2 Art. 23(11)) */
    char why[160]; /* the facts compared with the threshold */
} wb_assessment_reason;

#define WB_ASSESSMENT_MAX_REASONS 48

typedef struct wb_assessment {
    wb_verdict verdict;
    bool scheduled_maintenance; /* Art. 3(2) of the regulation decided it */
    size_t nreasons;
    wb_assessment_reason reasons[WB_ASSESSMENT_MAX_REASONS];
} wb_assessment;

/* Evaluates every criterion that applies to the entity type. Significant
 * when any is met; not significant when all are answered and none is met;
 * otherwise undetermined. Planned maintenance (Art. 3(2)) makes the
 * incident of a provider covered by the regulation not significant. */
void wb_assess(wb_entity_type entity, const wb_facts *facts, wb_assessment *out);

/* The assessment as one JSON object {entity_type, verdict,
 * scheduled_maintenance, reasons: [{id, article, criterion, result,
 * advisory, facts}]} (docs/incident.md), appended to out. 0 or WB_ENOMEM. */
int wb_significance_json(wb_entity_type entity, const wb_assessment *a, wb_buf *out);

#ifdef __cplusplus
}
#endif
#endif
