/*
 * model.c - the names of the incident module's enumerations (as they appear
 * in JSON, on the command line and in docs/incident.md) and the JSON helpers
 * the report, facts and taxonomy readers share.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "incident/incident_internal.h"
#include "core/core_internal.h"

static int find_name(const char *const *names, size_t n, const char *s)
{
    if (!s) return -1;
    for (size_t i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], s) == 0) return (int)i;
    return -1;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const tri_names[] = {NULL, "yes", "no", "unknown"};
const char *wb_tri_name(wb_tri t)
{
    return (unsigned)t < COUNT(tri_names) ? tri_names[t] : NULL;
}
int wb_tri_parse(const char *s, wb_tri *out)
{
    int i = find_name(tri_names, COUNT(tri_names), s);
    if (i < 0) return WB_EINVAL;
    *out = (wb_tri)i;
    return 0;
}

static const char *const severity_names[] = {NULL, "low", "medium", "high", "critical"};
const char *wb_incident_severity_name(wb_incident_severity s)
{
    return (unsigned)s < COUNT(severity_names) ? severity_names[s] : NULL;
}
int wb_incident_severity_parse(const char *s, wb_incident_severity *out)
{
    int i = find_name(severity_names, COUNT(severity_names), s);
    if (i < 0) return WB_EINVAL;
    *out = (wb_incident_severity)i;
    return 0;
}

static const struct {
    const char *name;
    const char *description;
} entities[WB_ENTITY_COUNT] = {
    [WB_ENTITY_OTHER] = {"other", "any other essential or important entity under NIS2"},
    [WB_ENTITY_DNS] = {"dns", "DNS service provider"},
    [WB_ENTITY_TLD] = {"tld", "top-level domain name registry"},
    [WB_ENTITY_CLOUD] = {"cloud", "cloud computing service provider"},
    [WB_ENTITY_DATA_CENTRE] = {"data-centre", "data centre service provider"},
    [WB_ENTITY_CDN] = {"cdn", "content delivery network provider"},
    [WB_ENTITY_MSP] = {"msp", "managed service provider"},
    [WB_ENTITY_MSSP] = {"mssp", "managed security service provider"},
    [WB_ENTITY_MARKETPLACE] = {"marketplace", "provider of an online marketplace"},
    [WB_ENTITY_SEARCH_ENGINE] = {"search-engine", "provider of an online search engine"},
    [WB_ENTITY_SOCIAL_NETWORK] = {"social-network",
                                  "provider of a social networking services platform"},
    [WB_ENTITY_TRUST_SERVICE] = {"trust-service", "trust service provider"},
};
const char *wb_entity_type_name(wb_entity_type t)
{
    return (unsigned)t < WB_ENTITY_COUNT ? entities[t].name : NULL;
}
const char *wb_entity_type_description(wb_entity_type t)
{
    return (unsigned)t < WB_ENTITY_COUNT ? entities[t].description : NULL;
}
int wb_entity_type_parse(const char *s, wb_entity_type *out)
{
    for (int i = 0; s && i < WB_ENTITY_COUNT; i++)
        if (strcmp(entities[i].name, s) == 0) {
            *out = (wb_entity_type)i;
            return 0;
        }
    return WB_EINVAL;
}

static const char *const stage_names[WB_STAGE_COUNT] = {
    "early-warning", "notification", "intermediate", "final",
    "progress",      "csirt-answer", "gdpr-breach"};
const char *wb_stage_name(wb_stage s)
{
    return (unsigned)s < WB_STAGE_COUNT ? stage_names[s] : NULL;
}
int wb_stage_parse(const char *s, wb_stage *out)
{
    int i = find_name(stage_names, WB_STAGE_COUNT, s);
    if (i < 0) return WB_EINVAL;
    *out = (wb_stage)i;
    return 0;
}
bool wb_stage_is_report(wb_stage s)
{
    return (unsigned)s < WB_REPORT_STAGE_COUNT;
}

static const char *const state_names[] = {"open", "met", "late", "overdue"};
const char *wb_deadline_state_name(wb_deadline_state s)
{
    return (unsigned)s < COUNT(state_names) ? state_names[s] : NULL;
}

static const char *const verdict_names[] = {"not-significant", "significant", "undetermined"};
const char *wb_verdict_name(wb_verdict v)
{
    return (unsigned)v < COUNT(verdict_names) ? verdict_names[v] : NULL;
}

static const char *const result_names[] = {"not-met", "met", "unknown"};
const char *wb_criterion_result_name(wb_criterion_result r)
{
    return (unsigned)r < COUNT(result_names) ? result_names[r] : NULL;
}

/* ---- JSON helpers -------------------------------------------------------- */

int wbi_incident_json_load(const char *name, const char *data, size_t len, json_t **out,
                           wb_error *err)
{
    json_error_t je;
    *out = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!*out && wbi_core_json_oom(&je))
        return wb_error_set(err, WB_ENOMEM, "%s: out of memory", name);
    if (!*out)
        return wb_error_set(err, WB_EPARSE, "%s:%d:%d: not valid JSON: %s", name, je.line,
                            je.column, je.text);
    return 0;
}

bool wbi_json_count(const json_t *v, int64_t max, int64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0 || i > max) return false;
        *out = (int64_t)i;
        return true;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!(d >= 0) || d > (double)max || d != floor(d)) return false;
        *out = (int64_t)d;
        return true;
    }
    return false;
}

bool wbi_json_cents(const json_t *v, int64_t max_eur, int64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0 || i > max_eur) return false;
        *out = (int64_t)i * 100;
        return true;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!(d >= 0) || d > (double)max_eur) return false;
        *out = (int64_t)llround(d * 100.0);
        return true;
    }
    return false;
}

json_t *wbi_json_from_cents(int64_t cents)
{
    if (cents % 100 == 0) return json_integer(cents / 100);
    return json_real((double)cents / 100.0);
}
