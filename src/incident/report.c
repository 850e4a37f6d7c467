/*
 * report.c - an incident report as the Cbw asks for it: parsing and
 * validating one report document, folding reports into the incident's
 * cumulative state, checking a stage's required fields against that state,
 * and writing the state back as JSON.
 *
 * The fields are described once, in `fields[]` below, and every step (parse,
 * merge, the stage check, output) walks that table, so a new field is one
 * row plus its enum value in incident.h. Validation collects every problem
 * of a document instead of stopping at the first: a person fixing a report
 * wants the whole list, and the hub answers 422 with all of it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident/incident_internal.h"
#include "weerbaar/ioc.h"
#include "weerbaar/normalize.h"

typedef enum kind {
    K_TEXT,       /* non-empty text */
    K_TRI,        /* yes | no | unknown */
    K_SEVERITY,   /* low | medium | high | critical */
    K_EMAIL,      /* an e-mail address */
    K_PHONE,      /* a telephone number */
    K_COUNT,      /* a whole number >= 0 */
    K_MONEY,      /* an amount of euro >= 0, kept in cents */
    K_TIME,       /* an RFC 3339 date-time */
    K_ROOT_CAUSE, /* text, or an RSIT machine tag ("rsit:...") checked against RSIT */
    K_INDICATORS  /* [{type, value}] */
} kind;

static const struct field {
    const char *group; /* enclosing object, or NULL for a top-level key */
    const char *key;
    const char *path; /* without "$." */
    kind kind;
} fields[WB_RF_COUNT] = {
    [WB_RF_SUMMARY] = {NULL, "summary", "summary", K_TEXT},
    [WB_RF_MALICIOUS] = {NULL, "malicious", "malicious", K_TRI},
    [WB_RF_CROSS_BORDER] = {NULL, "cross_border", "cross_border", K_TRI},
    [WB_RF_CONTACT_NAME] = {"contact", "name", "contact.name", K_TEXT},
    [WB_RF_CONTACT_EMAIL] = {"contact", "email", "contact.email", K_EMAIL},
    [WB_RF_CONTACT_PHONE] = {"contact", "phone", "contact.phone", K_PHONE},
    [WB_RF_PERSONAL_DATA] = {NULL, "personal_data", "personal_data", K_TRI},
    [WB_RF_INITIAL_ASSESSMENT] = {NULL, "initial_assessment", "initial_assessment", K_TEXT},
    [WB_RF_SEVERITY] = {NULL, "severity", "severity", K_SEVERITY},
    [WB_RF_IMPACT_DESCRIPTION] = {"impact", "description", "impact.description", K_TEXT},
    [WB_RF_IMPACT_USERS_AFFECTED] = {"impact", "users_affected", "impact.users_affected", K_COUNT},
    [WB_RF_IMPACT_DURATION_MINUTES] = {"impact", "duration_minutes", "impact.duration_minutes",
                                       K_COUNT},
    [WB_RF_IMPACT_FINANCIAL_LOSS_EUR] = {"impact", "financial_loss_eur",
                                         "impact.financial_loss_eur", K_MONEY},
    [WB_RF_INDICATORS] = {NULL, "indicators", "indicators", K_INDICATORS},
    [WB_RF_DESCRIPTION] = {NULL, "description", "description", K_TEXT},
    [WB_RF_ROOT_CAUSE] = {NULL, "root_cause", "root_cause", K_ROOT_CAUSE},
    [WB_RF_MITIGATION_APPLIED] = {"mitigation", "applied", "mitigation.applied", K_TEXT},
    [WB_RF_MITIGATION_ONGOING] = {"mitigation", "ongoing", "mitigation.ongoing", K_TEXT},
    [WB_RF_CROSS_BORDER_IMPACT] = {NULL, "cross_border_impact", "cross_border_impact", K_TEXT},
    [WB_RF_STATUS_UPDATE] = {NULL, "status_update", "status_update", K_TEXT},
    [WB_RF_EXPECTED_HANDLED_AT] = {NULL, "expected_handled_at", "expected_handled_at", K_TIME},
};

static const char *const groups[] = {"contact", "impact", "mitigation"};

/* What a field of each kind holds, as the problems and the template say it. */
static const char *const expected[] = {
    [K_TEXT] = "text",
    [K_TRI] = "\"yes\", \"no\" or \"unknown\"",
    [K_SEVERITY] = "\"low\", \"medium\", \"high\" or \"critical\"",
    [K_EMAIL] = "an e-mail address",
    [K_PHONE] = "a telephone number (6 to 20 digits, an optional leading '+')",
    [K_COUNT] = "a whole number of at least 0",
    [K_MONEY] = "an amount in euro of at least 0",
    [K_TIME] = "an RFC 3339 date-time with an offset",
    [K_ROOT_CAUSE] = "text, or an RSIT value rsit:PREDICATE=\"VALUE\"",
    [K_INDICATORS] = "a list of {type: a MISP attribute type, value}",
};

const char *wb_report_field_expected(wb_report_field f)
{
    return (unsigned)f < WB_RF_COUNT ? expected[fields[f].kind] : NULL;
}

#define BIT(f) (1u << (f))

/* What each report stage requires, from the list and NIS2 Art.
 * 23(4): (a) early warning, (b) incident notification, (c) intermediate
 * report on request, (d) final report, (e) progress report. The "fresh"
 * fields must be stated by the report itself rather than inherited. */
static const struct stage_rule {
    uint32_t required;
    uint32_t fresh;
} stage_rules[WB_REPORT_STAGE_COUNT] = {
    [WB_STAGE_EARLY_WARNING] = {BIT(WB_RF_SUMMARY) | BIT(WB_RF_MALICIOUS) |
                                    BIT(WB_RF_CROSS_BORDER) | BIT(WB_RF_CONTACT_NAME) |
                                    BIT(WB_RF_CONTACT_EMAIL) | BIT(WB_RF_CONTACT_PHONE),
                                0},
    [WB_STAGE_NOTIFICATION] = {BIT(WB_RF_SUMMARY) | BIT(WB_RF_MALICIOUS) | BIT(WB_RF_CROSS_BORDER) |
                                   BIT(WB_RF_CONTACT_NAME) | BIT(WB_RF_CONTACT_EMAIL) |
                                   BIT(WB_RF_CONTACT_PHONE) | BIT(WB_RF_INITIAL_ASSESSMENT) |
                                   BIT(WB_RF_SEVERITY) | BIT(WB_RF_IMPACT_DESCRIPTION),
                               0},
    [WB_STAGE_INTERMEDIATE] = {BIT(WB_RF_STATUS_UPDATE), BIT(WB_RF_STATUS_UPDATE)},
    [WB_STAGE_FINAL] = {BIT(WB_RF_DESCRIPTION) | BIT(WB_RF_SEVERITY) |
                            BIT(WB_RF_IMPACT_DESCRIPTION) | BIT(WB_RF_ROOT_CAUSE) |
                            BIT(WB_RF_MITIGATION_APPLIED) | BIT(WB_RF_MITIGATION_ONGOING) |
                            BIT(WB_RF_CROSS_BORDER_IMPACT),
                        0},
    [WB_STAGE_PROGRESS] = {BIT(WB_RF_STATUS_UPDATE) | BIT(WB_RF_EXPECTED_HANDLED_AT),
                           BIT(WB_RF_STATUS_UPDATE)},
};

const char *wb_report_field_path(wb_report_field f)
{
    return (unsigned)f < WB_RF_COUNT ? fields[f].path : NULL;
}

uint32_t wb_report_stage_required(wb_stage stage)
{
    return wb_stage_is_report(stage) ? stage_rules[stage].required : 0;
}

uint32_t wb_report_stage_fresh(wb_stage stage)
{
    return wb_stage_is_report(stage) ? stage_rules[stage].fresh : 0;
}

/* ---- problems ----------------------------------------------------------- */

int wbi_problem_add(wb_report_problems *p, const char *path, const char *fmt, ...)
{
    if (p->count >= WB_REPORT_MAX_PROBLEMS) {
        p->dropped++;
        return 0;
    }
    if (!p->items) {
        p->items = wb_arena_alloc(&p->arena, WB_REPORT_MAX_PROBLEMS * sizeof *p->items);
        if (!p->items) return WB_ENOMEM;
        p->cap = WB_REPORT_MAX_PROBLEMS;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    wb_report_problem *it = &p->items[p->count];
    it->path = wb_arena_strdup(&p->arena, path);
    it->message = wb_arena_strdup(&p->arena, msg);
    if (!it->path || !it->message) return WB_ENOMEM;
    p->count++;
    return 0;
}

void wb_report_problems_free(wb_report_problems *p)
{
    if (!p) return;
    wb_arena_free(&p->arena);
    p->items = NULL;
    p->count = p->cap = p->dropped = 0;
}

int wb_report_problems_format(const wb_report_problems *p, const char *name, wb_buf *out)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < p->count; i++)
        rc = name ? wb_buf_printf(out, "%s: %s: %s\n", name, p->items[i].path, p->items[i].message)
                  : wb_buf_printf(out, "%s: %s\n", p->items[i].path, p->items[i].message);
    if (rc == 0 && p->dropped)
        rc = wb_buf_printf(out, "%s%s%zu more problems not listed\n", name ? name : "",
                           name ? ": " : "", p->dropped);
    return rc;
}

/* ---- value checks ---------------------------------------------------------- */

static bool is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return false;
    return true;
}

/* The shape of an address, not its deliverability: local@domain with a
 * dotted domain of letters, digits, hyphens (or UTF-8 for IDNs). */
static bool email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || strchr(at + 1, '@') || at == s || at - s > 64 || strlen(s) > 254) return false;
    for (const char *p = s; p < at; p++)
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == ',' || *p == '<' || *p == '>' ||
            *p == '(' || *p == ')' || *p == ';' || *p == ':' || *p == '\\' || *p == '[' ||
            *p == ']')
            return false;
    if (at[-1] == '.' || s[0] == '.' || strstr(s, "..")) return false;
    const char *d = at + 1;
    size_t labels = 0, len = 0;
    for (const char *p = d;; p++) {
        if (*p == '.' || *p == '\0') {
            if (len == 0 || len > 63 || p[-1] == '-' || p[-(ptrdiff_t)len] == '-') return false;
            labels++;
            len = 0;
            if (*p == '\0') break;
            continue;
        }
        unsigned char c = (unsigned char)*p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c >= 0x80))
            return false;
        len++;
    }
    return labels >= 2;
}

/* International or national notation: an optional leading '+', digits,
 * spaces and the separators - ( ) . /, between 6 and 20 digits. */
static bool phone_ok(const char *s)
{
    size_t digits = 0;
    for (const char *p = s; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (*p == '+') {
            if (p != s) return false;
        } else if (!strchr(" -().", *p))
            return false;
    }
    return digits >= 6 && digits <= 20;
}

static bool text_ok(const json_t *v, const char *path, wb_report_problems *pr, int *rc)
{
    if (!json_is_string(v)) {
        *rc = wbi_problem_add(pr, path, "must be a string");
        return false;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n) {
        *rc = wbi_problem_add(pr, path, "contains a NUL character");
        return false;
    }
    if (n > WB_REPORT_MAX_TEXT) {
        *rc = wbi_problem_add(pr, path, "longer than %d bytes", WB_REPORT_MAX_TEXT);
        return false;
    }
    if (is_blank(s)) {
        *rc = wbi_problem_add(pr, path, "must not be empty (leave the key out instead)");
        return false;
    }
    return true;
}

/* Stores the value of one field into r, or records why it cannot. Returns 0
 * or WB_ENOMEM; problems do not make it fail. */

/* Checks an indicator's value the way the hub's events path will when the
 * incident is shared (the same MISP type table and normaliser, through the
 * public loader), so that a bad value is refused here, at the path the
 * caller wrote, rather than at share time. */
typedef struct value_sink {
    wb_ioc_sink base;
    wb_buf norm;
    wb_error err;
    char why[160];
} value_sink;

static int value_add(wb_ioc_sink *self, const wb_ioc_in *in)
{
    value_sink *vs = (value_sink *)self;
    wb_ioc_type t = in->type;
    if (vs->why[0]) return 0;
    wb_buf_reset(&vs->norm);
    int rc = wb_ioc_normalize(&t, in->value, in->len, &vs->norm, &vs->err);
    if (rc == WB_ENOMEM) return rc;
    if (rc) snprintf(vs->why, sizeof vs->why, "%s", vs->err.msg);
    return 0;
}

/* Types weerbaar does not match (text, comment, ...) are passed over by
 * the loader and fine here; a composite type without its '|' is not. */
static void value_skip(wb_ioc_sink *self, const char *where, const char *reason)
{
    value_sink *vs = (value_sink *)self;
    if (vs->why[0] == '\0' && strncmp(reason, "composite value", 15) == 0)
        snprintf(vs->why, sizeof vs->why, "%s", reason);
}

/* Fills why (empty when the value is good for its type). 0 or WB_ENOMEM. */
static int indicator_problem(const char *type, const json_t *value, char *why, size_t cap)
{
    why[0] = '\0';
    json_t *doc =
        json_pack("{s:[{s:s, s:O, s:b}]}", "Attribute", "type", type, "value", value, "to_ids", 1);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (text == NULL) return WB_ENOMEM;
    value_sink vs = {.base = {value_add, value_skip}};
    wb_intel_opts opts = {.format = WB_INTEL_MISP, .all_attributes = true};
    wb_error err = {0};
    int lrc = wb_intel_load_buffer("report", text, strlen(text), &opts, &vs.base, &err);
    free(text);
    wb_buf_free(&vs.norm);
    if (lrc == WB_ENOMEM) return WB_ENOMEM;
    if (lrc && vs.why[0] == '\0') snprintf(vs.why, sizeof vs.why, "%s", err.msg);
    snprintf(why, cap, "%s", vs.why);
    return 0;
}

int wb_report_check_values(const wb_report *r, wb_report_problems *problems)
{
    bool bad = false;
    for (size_t i = 0; i < r->nindicators; i++) {
        json_t *v = json_string(r->indicators[i].value);
        char why[160] = "";
        int rc = v ? indicator_problem(r->indicators[i].type, v, why, sizeof why) : WB_ENOMEM;
        json_decref(v);
        if (rc) return rc;
        if (why[0] == '\0') continue;
        /* The parser keeps the indicators only when every element was a
         * good {type, value}, so i is the index the caller wrote. */
        char path[64];
        snprintf(path, sizeof path, "$.indicators[%zu].value", i);
        if (wbi_problem_add(problems, path, "not a valid %s: %s", r->indicators[i].type, why))
            return WB_ENOMEM;
        bad = true;
    }
    return bad ? WB_EINVAL : 0;
}

static int set_field(wb_report *r, wb_report_field f, const json_t *v, wb_report_problems *pr)
{
    char path[64];
    snprintf(path, sizeof path, "$.%s", fields[f].path);
    int rc = 0;
    if (json_is_null(v)) {
        r->cleared |= BIT(f);
        return 0;
    }
    switch (fields[f].kind) {
    case K_TEXT:
    case K_EMAIL:
    case K_PHONE:
    case K_ROOT_CAUSE: {
        if (!text_ok(v, path, pr, &rc)) return rc;
        const char *s = json_string_value(v);
        if (fields[f].kind == K_EMAIL && !email_ok(s))
            return wbi_problem_add(pr, path, "not an e-mail address: '%.80s'", s);
        if (fields[f].kind == K_PHONE && !phone_ok(s))
            return wbi_problem_add(pr, path,
                                   "not a telephone number (digits, an optional leading '+', "
                                   "spaces and - ( ) .; 6 to 20 digits): '%.80s'",
                                   s);
        if (fields[f].kind == K_ROOT_CAUSE && strncmp(s, "rsit:", 5) == 0 && !wb_rsit_tag_valid(s))
            return wbi_problem_add(pr, path,
                                   "'%.80s' is not an RSIT value (rsit:PREDICATE=\"VALUE\", "
                                   "see 'weerbaar incident taxonomy rsit'); write plain text "
                                   "for a cause RSIT does not name",
                                   s);
        r->text[f] = wb_arena_strdup(&r->arena, s);
        if (!r->text[f]) return WB_ENOMEM;
        break;
    }
    case K_TRI: {
        wb_tri t;
        if (!json_is_string(v) || wb_tri_parse(json_string_value(v), &t) != 0)
            return wbi_problem_add(pr, path, "must be \"yes\", \"no\" or \"unknown\"");
        r->num[f] = t;
        break;
    }
    case K_SEVERITY: {
        wb_incident_severity s;
        if (!json_is_string(v) || wb_incident_severity_parse(json_string_value(v), &s) != 0)
            return wbi_problem_add(pr, path,
                                   "must be \"low\", \"medium\", \"high\" or \"critical\"");
        r->num[f] = s;
        break;
    }
    case K_COUNT: {
        int64_t n;
        if (!wbi_json_count(v, INT64_C(1) << 53, &n))
            return wbi_problem_add(pr, path, "must be a whole number of at least 0");
        r->num[f] = n;
        break;
    }
    case K_MONEY: {
        int64_t c;
        if (!wbi_json_cents(v, INT64_C(1000000000000), &c))
            return wbi_problem_add(pr, path, "must be an amount in euro of at least 0");
        r->num[f] = c;
        break;
    }
    case K_TIME: {
        wb_time t;
        if (!json_is_string(v) ||
            wb_time_parse_rfc3339(json_string_value(v), json_string_length(v), &t) != 0)
            return wbi_problem_add(pr, path,
                                   "must be an RFC 3339 date-time with an offset, such as "
                                   "\"2026-05-01T10:00:00+02:00\"");
        r->num[f] = t;
        break;
    }
    case K_INDICATORS: {
        if (!json_is_array(v)) return wbi_problem_add(pr, path, "must be an array");
        size_t n = json_array_size(v);
        if (n > WB_REPORT_MAX_INDICATORS)
            return wbi_problem_add(pr, path, "more than %d indicators", WB_REPORT_MAX_INDICATORS);
        wb_report_indicator *ind = n ? wb_arena_alloc(&r->arena, n * sizeof *ind) : NULL;
        if (n && !ind) return WB_ENOMEM;
        size_t ok = 0, i;
        json_t *it;
        json_array_foreach(v, i, it)
        {
            char ip[96];
            snprintf(ip, sizeof ip, "$.indicators[%zu]", i);
            if (!json_is_object(it)) {
                rc = wbi_problem_add(pr, ip, "must be an object {\"type\", \"value\"}");
                if (rc) return rc;
                continue;
            }
            const char *k;
            json_t *kv;
            bool bad = false;
            json_object_foreach(it, k, kv)
            {
                if (strcmp(k, "type") != 0 && strcmp(k, "value") != 0) {
                    rc = wbi_problem_add(pr, ip, "unknown key '%.60s' (known: type, value)", k);
                    if (rc) return rc;
                    bad = true;
                }
            }
            json_t *t = json_object_get(it, "type"), *val = json_object_get(it, "value");
            char sub[112];
            snprintf(sub, sizeof sub, "%s.type", ip);
            if (!t) {
                rc = wbi_problem_add(pr, ip, "needs a type (a MISP attribute type)");
                bad = true;
            } else if (!json_is_string(t) || !wb_misp_attribute_type_valid(json_string_value(t))) {
                rc = wbi_problem_add(pr, sub,
                                     "not a MISP attribute type (such as ip-dst, domain, "
                                     "sha256, url)%s%.60s%s",
                                     json_is_string(t) ? ": '" : "",
                                     json_is_string(t) ? json_string_value(t) : "",
                                     json_is_string(t) ? "'" : "");
                bad = true;
            }
            if (rc) return rc;
            snprintf(sub, sizeof sub, "%s.value", ip);
            if (!val) {
                rc = wbi_problem_add(pr, ip, "needs a value");
                bad = true;
            } else if (!json_is_string(val) || json_string_length(val) == 0 ||
                       json_string_length(val) > 4096 ||
                       strlen(json_string_value(val)) != json_string_length(val)) {
                rc = wbi_problem_add(pr, sub, "must be a non-empty string of at most 4096 bytes");
                bad = true;
            }
            if (rc) return rc;
            if (bad) continue;
            ind[ok].type = wb_arena_strdup(&r->arena, json_string_value(t));
            ind[ok].value = wb_arena_strdup(&r->arena, json_string_value(val));
            if (!ind[ok].type || !ind[ok].value) return WB_ENOMEM;
            ok++;
        }
        if (ok != n) return 0; /* problems recorded; the field is not stated */
        r->indicators = ind;
        r->nindicators = n;
        break;
    }
    }
    r->present |= BIT(f);
    return 0;
}

static int find_field(const char *group, const char *key)
{
    for (int f = 0; f < WB_RF_COUNT; f++) {
        bool same_group = group ? (fields[f].group && strcmp(fields[f].group, group) == 0)
                                : fields[f].group == NULL;
        if (same_group && strcmp(fields[f].key, key) == 0) return f;
    }
    return -1;
}

static const char *known_keys(const char *group, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    if (!group)
        for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
            len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, "%s%s", len ? ", " : "",
                                    groups[g]);
    for (int f = 0; f < WB_RF_COUNT && len < cap; f++) {
        bool same = group ? (fields[f].group && strcmp(fields[f].group, group) == 0)
                          : fields[f].group == NULL;
        if (same)
            len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, "%s%s", len ? ", " : "",
                                    fields[f].key);
    }
    return buf;
}

static bool is_group(const char *key)
{
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        if (strcmp(groups[g], key) == 0) return true;
    return false;
}

wb_report *wb_report_new(void)
{
    wb_report *r = calloc(1, sizeof *r);
    if (r) wb_arena_init(&r->arena, 4096);
    return r;
}

void wb_report_free(wb_report *r)
{
    if (!r) return;
    wb_arena_free(&r->arena);
    free(r);
}

static int parse_doc(const char *name, const char *data, size_t len, wb_report **out,
                     wb_report_problems *problems, bool partial, wb_error *err);

int wb_report_parse(const char *name, const char *data, size_t len, wb_report **out,
                    wb_report_problems *problems, wb_error *err)
{
    return parse_doc(name, data, len, out, problems, false, err);
}

int wb_report_parse_partial(const char *name, const char *data, size_t len, wb_report **out,
                            wb_report_problems *problems, wb_error *err)
{
    return parse_doc(name, data, len, out, problems, true, err);
}

/* "$comment": what JSON Schema calls a comment, for the template's notes:
 * a string or a list of strings, ignored. */
static bool is_comment(const char *key, const json_t *v, wb_report_problems *pr, int *rc)
{
    if (strcmp(key, "$comment") != 0) return false;
    bool ok = json_is_string(v);
    if (json_is_array(v)) {
        size_t i;
        json_t *it;
        ok = true;
        json_array_foreach(v, i, it) ok = ok && json_is_string(it);
    }
    if (!ok) *rc = wbi_problem_add(pr, "$.$comment", "a comment is text or a list of texts");
    return true;
}

static int parse_doc(const char *name, const char *data, size_t len, wb_report **out,
                     wb_report_problems *problems, bool partial, wb_error *err)
{
    *out = NULL;
    if (len > WB_REPORT_MAX_BYTES)
        return wb_error_set(err, WB_ELIMIT, "%s: report larger than %zu bytes", name,
                            WB_REPORT_MAX_BYTES);
    json_t *root;
    int rc = wbi_incident_json_load(name, data, len, &root, err);
    if (rc) return rc;
    wb_report *r = wb_report_new();
    if (!r) {
        json_decref(root);
        return wb_error_set(err, WB_ENOMEM, "%s: out of memory", name);
    }
    size_t before = problems->count + problems->dropped;
    char known[512];
    if (!json_is_object(root)) {
        rc = wbi_problem_add(problems, "$", "a report is a JSON object");
    } else {
        const char *key;
        json_t *v;
        json_object_foreach(root, key, v)
        {
            char path[160];
            snprintf(path, sizeof path, "$.%.120s", key);
            if (is_comment(key, v, problems, &rc)) {
                if (rc) break;
                continue;
            }
            if (is_group(key)) {
                if (json_is_null(v)) {
                    for (int f = 0; f < WB_RF_COUNT; f++)
                        if (fields[f].group && strcmp(fields[f].group, key) == 0)
                            r->cleared |= BIT(f);
                    continue;
                }
                if (!json_is_object(v)) {
                    rc = wbi_problem_add(problems, path, "must be an object (keys: %s)",
                                         known_keys(key, known, sizeof known));
                } else {
                    const char *sk;
                    json_t *sv;
                    json_object_foreach(v, sk, sv)
                    {
                        int f = find_field(key, sk);
                        if (f < 0) {
                            char sp[300];
                            snprintf(sp, sizeof sp, "%s.%.120s", path, sk);
                            rc = wbi_problem_add(problems, sp, "unknown key (known: %s)",
                                                 known_keys(key, known, sizeof known));
                        } else {
                            rc = set_field(r, (wb_report_field)f, sv, problems);
                        }
                        if (rc) break;
                    }
                }
            } else {
                int f = find_field(NULL, key);
                if (f < 0)
                    rc = wbi_problem_add(problems, path, "unknown key (known: %s)",
                                         known_keys(NULL, known, sizeof known));
                else
                    rc = set_field(r, (wb_report_field)f, v, problems);
            }
            if (rc) break;
        }
    }
    json_decref(root);
    if (rc) {
        wb_report_free(r);
        return wb_error_set(err, WB_ENOMEM, "%s: out of memory", name);
    }
    if (problems->count + problems->dropped != before) {
        if (partial)
            *out = r;
        else
            wb_report_free(r);
        return wb_error_set(err, WB_EINVAL, "%s: the report breaks %zu rules", name,
                            problems->count + problems->dropped - before);
    }
    *out = r;
    return 0;
}

int wb_report_merge(wb_report *state, const wb_report *later)
{
    for (int f = 0; f < WB_RF_COUNT; f++) {
        uint32_t bit = BIT(f);
        if (later->cleared & bit) {
            state->present &= ~bit;
            state->text[f] = NULL;
            state->num[f] = 0;
            if (f == WB_RF_INDICATORS) {
                state->indicators = NULL;
                state->nindicators = 0;
            }
        }
        if (!(later->present & bit)) continue;
        if (f == WB_RF_INDICATORS) {
            size_t n = later->nindicators;
            wb_report_indicator *ind = n ? wb_arena_alloc(&state->arena, n * sizeof *ind) : NULL;
            if (n && !ind) return WB_ENOMEM;
            for (size_t i = 0; i < n; i++) {
                ind[i].type = wb_arena_strdup(&state->arena, later->indicators[i].type);
                ind[i].value = wb_arena_strdup(&state->arena, later->indicators[i].value);
                if (!ind[i].type || !ind[i].value) return WB_ENOMEM;
            }
            state->indicators = ind;
            state->nindicators = n;
        } else if (later->text[f]) {
            state->text[f] = wb_arena_strdup(&state->arena, later->text[f]);
            if (!state->text[f]) return WB_ENOMEM;
        }
        state->num[f] = later->num[f];
        state->present |= bit;
    }
    return 0;
}

int wb_report_check_stage(const wb_report *state, const wb_report *latest, wb_stage stage,
                          wb_report_problems *problems)
{
    if (!wb_stage_is_report(stage))
        return wbi_problem_add(problems, "$", "'%s' is not a report stage",
                               wb_stage_name(stage) ? wb_stage_name(stage) : "?") == 0
                   ? WB_EINVAL
                   : WB_ENOMEM;
    uint32_t missing = stage_rules[stage].required & ~state->present;
    uint32_t stale = stage_rules[stage].fresh & ~(latest ? latest->present : 0) & ~missing;
    if (!missing && !stale) return 0;
    const char *a = stage == WB_STAGE_EARLY_WARNING || stage == WB_STAGE_INTERMEDIATE ? "an" : "a";
    /* One problem per field, at its own path, with what it should hold:
     * the list a person fills in. */
    for (int f = 0; f < WB_RF_COUNT; f++) {
        char path[64];
        snprintf(path, sizeof path, "$.%s", fields[f].path);
        int rc = 0;
        if (missing & BIT(f))
            rc = wbi_problem_add(problems, path,
                                 "missing: %s %s report needs it and neither it nor an earlier "
                                 "report gives it (expected: %s)",
                                 a, wb_stage_name(stage), expected[fields[f].kind]);
        else if (stale & BIT(f))
            rc = wbi_problem_add(problems, path,
                                 "missing: %s %s report must state it itself (expected: %s)", a,
                                 wb_stage_name(stage), expected[fields[f].kind]);
        if (rc) return rc;
    }
    return WB_EINVAL;
}

/* ---- output ----------------------------------------------------------------- */

static json_t *field_json(const wb_report *r, wb_report_field f)
{
    switch (fields[f].kind) {
    case K_TEXT:
    case K_EMAIL:
    case K_PHONE:
    case K_ROOT_CAUSE:
        return json_string(r->text[f]);
    case K_TRI:
        return json_string(wb_tri_name((wb_tri)r->num[f]));
    case K_SEVERITY:
        return json_string(wb_incident_severity_name((wb_incident_severity)r->num[f]));
    case K_COUNT:
        return json_integer(r->num[f]);
    case K_MONEY:
        return wbi_json_from_cents(r->num[f]);
    case K_TIME: {
        char t[48];
        wb_time_format(r->num[f], t, sizeof t);
        return json_string(t);
    }
    case K_INDICATORS: {
        json_t *a = json_array();
        for (size_t i = 0; a && i < r->nindicators; i++) {
            json_t *o = json_pack("{s:s, s:s}", "type", r->indicators[i].type, "value",
                                  r->indicators[i].value);
            if (!o || json_array_append_new(a, o) != 0) {
                json_decref(a);
                return NULL;
            }
        }
        return a;
    }
    }
    return NULL;
}

int wb_report_to_json(const wb_report *r, wb_buf *out)
{
    json_t *root = json_object();
    int rc = root ? 0 : WB_ENOMEM;
    for (int f = 0; rc == 0 && f < WB_RF_COUNT; f++) {
        if (!(r->present & BIT(f))) continue;
        json_t *parent = root;
        if (fields[f].group) {
            parent = json_object_get(root, fields[f].group);
            if (!parent) {
                parent = json_object();
                if (!parent || json_object_set_new(root, fields[f].group, parent) != 0) {
                    rc = WB_ENOMEM;
                    break;
                }
            }
        }
        json_t *v = field_json(r, (wb_report_field)f);
        if (!v || json_object_set_new(parent, fields[f].key, v) != 0) rc = WB_ENOMEM;
    }
    char *text = rc == 0 ? json_dumps(root, JSON_PRESERVE_ORDER | JSON_INDENT(2)) : NULL;
    json_decref(root);
    if (!text) return WB_ENOMEM;
    rc = wb_buf_puts(out, text);
    free(text);
    return rc;
}
