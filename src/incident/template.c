/*
 * template.c - `weerbaar incident template STAGE`: a report of one stage
 * filled in with examples to replace, so that nobody writes an early
 * warning's JSON by hand under a 24-hour clock (wb_report_template).
 *
 * Every field of the schema appears. In YAML the fields the stage needs
 * are filled in and every other one is there commented out, each with what
 * it holds; a field an earlier stage already gave (the early warning's
 * contact in a notification) is commented out too, because stating it
 * again replaces what was given. JSON has no comments, so the JSON form
 * carries the same notes in "$comment", which the parser ignores. The
 * examples are valid values: `incident validate` accepts an unchanged
 * template (tests/cli/incident_template.sh holds that for every stage).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "incident/incident_internal.h"

#define BIT(f) (1u << (f))

/* An example per field, as JSON text (it is valid YAML as well). */
static const char *const examples[WB_RF_COUNT] = {
    [WB_RF_SUMMARY] = "\"What happened, in a sentence or two: the customer portal is "
                      "unreachable since 08:30.\"",
    [WB_RF_MALICIOUS] = "unknown",
    [WB_RF_CROSS_BORDER] = "no",
    [WB_RF_CONTACT_NAME] = "\"Jan de Vries\"",
    [WB_RF_CONTACT_EMAIL] = "\"security@example.nl\"",
    [WB_RF_CONTACT_PHONE] = "\"+31 20 123 4567\"",
    [WB_RF_PERSONAL_DATA] = "unknown",
    [WB_RF_INITIAL_ASSESSMENT] = "\"What is known so far: a DDoS on the portal; no data was "
                                 "taken.\"",
    [WB_RF_SEVERITY] = "medium",
    [WB_RF_IMPACT_DESCRIPTION] = "\"Who and what is affected: customers cannot log in.\"",
    [WB_RF_IMPACT_USERS_AFFECTED] = "1200",
    [WB_RF_IMPACT_DURATION_MINUTES] = "90",
    [WB_RF_IMPACT_FINANCIAL_LOSS_EUR] = "0",
    [WB_RF_INDICATORS] = NULL, /* a list: written apart */
    [WB_RF_DESCRIPTION] = "\"The whole incident: what happened, when, and how it was "
                          "found.\"",
    [WB_RF_ROOT_CAUSE] = "\"rsit:availability=\\\"ddos\\\"\"",
    [WB_RF_MITIGATION_APPLIED] = "\"What was done: traffic filtered at the provider.\"",
    [WB_RF_MITIGATION_ONGOING] = "\"What still runs: monitoring of the filter.\"",
    [WB_RF_CROSS_BORDER_IMPACT] = "\"Impact in other member states, or none.\"",
    [WB_RF_STATUS_UPDATE] = "\"Where it stands: service restored, cause under "
                            "investigation.\"",
    [WB_RF_EXPECTED_HANDLED_AT] = NULL, /* a time from `now`: written apart */
};

static const char *const stage_titles[WB_REPORT_STAGE_COUNT] = {
    [WB_STAGE_EARLY_WARNING] = "early warning, within 24 hours (NIS2 Art. 23(4)(a))",
    [WB_STAGE_NOTIFICATION] = "incident notification, within 72 hours (NIS2 Art. 23(4)(b))",
    [WB_STAGE_INTERMEDIATE] = "intermediate report, when the CSIRT asks (NIS2 Art. 23(4)(c))",
    [WB_STAGE_FINAL] = "final report, a month after the notification (NIS2 Art. 23(4)(d))",
    [WB_STAGE_PROGRESS] = "progress report, while the incident goes on (NIS2 Art. 23(4)(e))",
};

typedef enum role { R_FILL, R_INHERITED, R_OPTIONAL } role;

/* The fields earlier stages require: stating them again replaces them. */
static uint32_t earlier_required(wb_stage stage)
{
    uint32_t m = 0;
    if (stage != WB_STAGE_EARLY_WARNING) m |= wb_report_stage_required(WB_STAGE_EARLY_WARNING);
    if (stage != WB_STAGE_EARLY_WARNING && stage != WB_STAGE_NOTIFICATION)
        m |= wb_report_stage_required(WB_STAGE_NOTIFICATION);
    return m;
}

static role role_of(wb_stage stage, int f)
{
    uint32_t need = wb_report_stage_required(stage);
    uint32_t fresh = wb_report_stage_fresh(stage);
    if (!(need & BIT(f))) return R_OPTIONAL;
    if ((earlier_required(stage) & BIT(f)) && !(fresh & BIT(f))) return R_INHERITED;
    return R_FILL;
}

static const char *note_of(role r)
{
    return r == R_FILL        ? "required"
           : r == R_INHERITED ? "required, given by an earlier report (state it again only "
                                "to change it)"
                              : "optional";
}

/* The key within its group: "contact.email" -> "email". */
static const char *key_of(int f)
{
    const char *p = wb_report_field_path((wb_report_field)f);
    const char *dot = strchr(p, '.');
    return dot ? dot + 1 : p;
}

/* "contact" for "contact.email", or NULL. */
static size_t group_len(int f)
{
    const char *p = wb_report_field_path((wb_report_field)f);
    const char *dot = strchr(p, '.');
    return dot ? (size_t)(dot - p) : 0;
}

static void example_of(int f, wb_time now, char *buf, size_t cap)
{
    if (f == WB_RF_EXPECTED_HANDLED_AT) {
        char t[48];
        /* A week from now, on the hour. */
        wb_time hour = (wb_time)3600 * 1000000;
        wb_time at = now - (now % hour + hour) % hour + (wb_time)7 * 24 * hour;
        wb_ams_format(at, t, sizeof t);
        snprintf(buf, cap, "\"%s\"", t);
        return;
    }
    snprintf(buf, cap, "%s", examples[f] ? examples[f] : "");
}

static int yaml_template(wb_stage stage, wb_time now, wb_buf *out)
{
    const char *name = wb_stage_name(stage);
    int rc = wb_buf_printf(
        out,
        "# weerbaar incident report: %s\n"
        "# Replace the examples. Lines starting with # are not read: take the # away\n"
        "# to give a field. What each field holds: docs/incident-report.schema.json.\n"
        "# Check:  weerbaar incident validate --stage %s --file FILE [--previous EARLIER]\n"
        "# Submit: weerbaar incident report ID --stage %s --file FILE --db PATH|--hub URL\n",
        stage_titles[stage], name, name);
    size_t open_group = 0;
    const char *group = NULL;
    bool group_open = false; /* written uncommented */
    for (int f = 0; rc == 0 && f < WB_RF_COUNT; f++) {
        role r = role_of(stage, f);
        size_t gl = group_len(f);
        const char *path = wb_report_field_path((wb_report_field)f);
        if (gl && (group == NULL || open_group != gl || strncmp(group, path, gl) != 0)) {
            /* A group opens: uncommented when one of its fields is filled. */
            group_open = false;
            for (int g = f; g < WB_RF_COUNT && group_len(g) == gl &&
                            strncmp(wb_report_field_path((wb_report_field)g), path, gl) == 0;
                 g++)
                group_open = group_open || role_of(stage, g) == R_FILL;
            rc = wb_buf_printf(out, "%s%.*s:\n", group_open ? "" : "# ", (int)gl, path);
            group = path;
            open_group = gl;
        } else if (!gl) {
            group = NULL;
            open_group = 0;
        }
        if (rc) break;
        const char *lead =
            gl ? (group_open ? (r == R_FILL ? "  " : "  # ") : "#   ") : (r == R_FILL ? "" : "# ");
        const char *what = wb_report_field_expected((wb_report_field)f);
        if (f == WB_RF_INDICATORS) {
            rc = wb_buf_printf(out,
                               "%sindicators:  # %s: %s\n%s  - type: ip-dst\n%s    value: "
                               "\"192.0.2.1\"\n",
                               lead, note_of(r), what, lead, lead);
            continue;
        }
        char ex[160];
        example_of(f, now, ex, sizeof ex);
        rc = wb_buf_printf(out, "%s%s: %s  # %s: %s\n", lead, key_of(f), ex, note_of(r), what);
    }
    return rc;
}

static int json_template(wb_stage stage, wb_time now, wb_buf *out)
{
    json_t *root = json_object(), *notes = json_array();
    char line[400];
    int rc = root && notes ? 0 : WB_ENOMEM;
    snprintf(line, sizeof line, "weerbaar incident report: %s", stage_titles[stage]);
    if (rc == 0) rc = json_array_append_new(notes, json_string(line)) ? WB_ENOMEM : 0;
    snprintf(line, sizeof line,
             "Replace the examples. Add any field listed below; this $comment is not read. "
             "Check: weerbaar incident validate --stage %s --file FILE",
             wb_stage_name(stage));
    if (rc == 0) rc = json_array_append_new(notes, json_string(line)) ? WB_ENOMEM : 0;
    for (int f = 0; rc == 0 && f < WB_RF_COUNT; f++) {
        role r = role_of(stage, f);
        const char *path = wb_report_field_path((wb_report_field)f);
        const char *what = wb_report_field_expected((wb_report_field)f);
        snprintf(line, sizeof line, "%s (%s): %s", path, note_of(r), what);
        if (json_array_append_new(notes, json_string(line)) != 0) rc = WB_ENOMEM;
    }
    if (rc == 0 && json_object_set_new(root, "$comment", notes) != 0) rc = WB_ENOMEM;
    notes = NULL;
    for (int f = 0; rc == 0 && f < WB_RF_COUNT; f++) {
        if (role_of(stage, f) != R_FILL) continue;
        json_t *v;
        if (f == WB_RF_INDICATORS) {
            v = json_pack("[{s:s, s:s}]", "type", "ip-dst", "value", "192.0.2.1");
        } else {
            char ex[160];
            example_of(f, now, ex, sizeof ex);
            /* The bare words (yes, medium) are YAML; JSON wants them quoted. */
            v = json_loads(ex, JSON_DECODE_ANY, NULL);
            if (v == NULL) v = json_string(ex);
        }
        size_t gl = group_len(f);
        json_t *parent = root;
        if (gl && v) {
            char g[32];
            snprintf(g, sizeof g, "%.*s", (int)gl, wb_report_field_path((wb_report_field)f));
            parent = json_object_get(root, g);
            if (parent == NULL) {
                parent = json_object();
                if (parent == NULL || json_object_set_new(root, g, parent) != 0) v = NULL;
            }
        }
        if (v == NULL || json_object_set_new(parent, key_of(f), v) != 0) rc = WB_ENOMEM;
    }
    json_decref(notes);
    char *text = rc == 0 ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    if (text == NULL) return WB_ENOMEM;
    rc = wb_buf_printf(out, "%s\n", text);
    free(text);
    return rc;
}

int wb_report_template(wb_stage stage, bool yaml, wb_time now, wb_buf *out)
{
    if (!wb_stage_is_report(stage)) return WB_EINVAL;
    return yaml ? yaml_template(stage, now, out) : json_template(stage, now, out);
}
