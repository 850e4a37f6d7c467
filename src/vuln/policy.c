/*
 * policy.c - severity bands and patch deadlines for `weerbaar vuln scan`.
 *
 * The bands are FIRST's (CVSS v3.1/v4.0 specification, "qualitative severity
 * rating scale"). A deadline is the advisory's first release plus the days
 * of the finding's band, and the KEV catalogue's due date when the policy
 * uses it; the earlier of the two wins, because an organisation bound by
 * both is late when it misses either.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/io.h"
#include "weerbaar/vulnscan.h"
#include "core/core_internal.h"

#define DAY ((wb_time)86400 * 1000000)
#define MAX_DAYS 3650
#define MAX_POLICY (1u << 20)

wb_severity wb_severity_from_score(double score)
{
    /* Scores carry one decimal; compare against the band edges with that in
     * mind so 3.95 (never a real score) still lands somewhere sensible. */
    if (!(score > 0.0)) return WB_SEV_NONE;
    if (score < 4.0) return WB_SEV_LOW;
    if (score < 7.0) return WB_SEV_MEDIUM;
    if (score < 9.0) return WB_SEV_HIGH;
    return WB_SEV_CRITICAL;
}

wb_severity wb_severity_from_word(const char *word)
{
    /* The words sources rate with: CVSS's qualitative names (GHSA, OSV
     * database_specific), Red Hat's and SUSE's "important" and "moderate",
     * Microsoft's. Anything else (Ubuntu's "negligible", free text) is no
     * rating: the finding stays unscored rather than guessed. */
    static const struct {
        const char *word;
        wb_severity sev;
    } words[] = {
        {"critical", WB_SEV_CRITICAL}, {"high", WB_SEV_HIGH},     {"important", WB_SEV_HIGH},
        {"moderate", WB_SEV_MEDIUM},   {"medium", WB_SEV_MEDIUM}, {"low", WB_SEV_LOW},
        {"none", WB_SEV_NONE},
    };
    if (word == NULL) return WB_SEV_UNKNOWN;
    while (*word == ' ' || *word == '\t')
        word++;
    size_t n = strlen(word);
    while (n > 0 && (word[n - 1] == ' ' || word[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (n == strlen(words[i].word) && wb_strn_ieq(word, n, words[i].word)) return words[i].sev;
    return WB_SEV_UNKNOWN;
}

const char *wb_severity_name(wb_severity s)
{
    switch (s) {
    case WB_SEV_UNKNOWN:
        return "unknown";
    case WB_SEV_NONE:
        return "none";
    case WB_SEV_LOW:
        return "low";
    case WB_SEV_MEDIUM:
        return "medium";
    case WB_SEV_HIGH:
        return "high";
    case WB_SEV_CRITICAL:
        return "critical";
    }
    return "unknown";
}

int wb_severity_parse(const char *name, wb_severity *out)
{
    for (int s = WB_SEV_UNKNOWN; s <= WB_SEV_CRITICAL; s++)
        if (strcmp(name, wb_severity_name((wb_severity)s)) == 0) {
            *out = (wb_severity)s;
            return 0;
        }
    return WB_EINVAL;
}

const char *wb_patch_rule_name(wb_patch_rule r)
{
    switch (r) {
    case WB_DL_NONE:
        return "none";
    case WB_DL_KEV:
        return "kev";
    case WB_DL_CRITICAL_INTERNET:
        return "critical-internet-facing";
    case WB_DL_CRITICAL:
        return "critical";
    case WB_DL_HIGH:
        return "high";
    case WB_DL_MEDIUM:
        return "medium";
    case WB_DL_LOW:
        return "low";
    case WB_DL_SEVERITY_NONE:
        return "severity-none";
    case WB_DL_UNSCORED:
        return "unscored";
    }
    return "none";
}

void wb_policy_default(wb_policy *p)
{
    p->kev_due_date = true;
    p->critical_internet = 7;
    p->critical = 14;
    p->high = 30;
    p->medium = 90;
    p->low = 180;
    p->none = -1;
    p->unscored_as = WB_SEV_MEDIUM;
}

/* Days for a band; -1 when the band has no deadline. */
static int band_days(const wb_policy *p, wb_severity sev, bool internet, wb_patch_rule *rule)
{
    switch (sev) {
    case WB_SEV_CRITICAL:
        if (internet && p->critical_internet >= 0) {
            *rule = WB_DL_CRITICAL_INTERNET;
            return p->critical_internet;
        }
        *rule = WB_DL_CRITICAL;
        return p->critical;
    case WB_SEV_HIGH:
        *rule = WB_DL_HIGH;
        return p->high;
    case WB_SEV_MEDIUM:
        *rule = WB_DL_MEDIUM;
        return p->medium;
    case WB_SEV_LOW:
        *rule = WB_DL_LOW;
        return p->low;
    case WB_SEV_NONE:
        *rule = WB_DL_SEVERITY_NONE;
        return p->none;
    case WB_SEV_UNKNOWN:
        break;
    }
    *rule = WB_DL_NONE;
    return -1;
}

wb_time wb_policy_deadline(const wb_policy *p, wb_severity sev, bool internet_facing,
                           wb_time published, wb_time kev_due, wb_patch_rule *rule)
{
    wb_time best = WB_TIME_NONE;
    *rule = WB_DL_NONE;
    if (published != WB_TIME_NONE) {
        wb_patch_rule r;
        int days;
        if (sev == WB_SEV_UNKNOWN) {
            days = p->unscored_as == WB_SEV_UNKNOWN
                       ? -1
                       : band_days(p, p->unscored_as, internet_facing, &r);
            r = WB_DL_UNSCORED;
        } else {
            days = band_days(p, sev, internet_facing, &r);
        }
        if (days >= 0) {
            best = published + (wb_time)days * DAY;
            *rule = r;
        }
    }
    if (p->kev_due_date && kev_due != WB_TIME_NONE && (best == WB_TIME_NONE || kev_due < best)) {
        best = kev_due;
        *rule = WB_DL_KEV;
    }
    return best;
}

static int days_field(const char *name, const char *key, json_t *v, int *out, wb_error *err)
{
    if (json_is_null(v)) {
        *out = -1;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > MAX_DAYS)
        return wb_error_set(err, WB_EPARSE, "%s: $.%s: want a number of days from 0 to %d, or null",
                            name, key, MAX_DAYS);
    *out = (int)json_integer_value(v);
    return 0;
}

int wb_policy_parse(const char *name, const char *json, size_t len, wb_policy *p, wb_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL && wbi_core_json_oom(&je))
        return wb_error_set(err, WB_ENOMEM, "%s: out of memory", name);
    if (root == NULL) return wb_error_set(err, WB_EPARSE, "%s:%d: %s", name, je.line, je.text);
    int rc = 0;
    if (!json_is_object(root)) rc = wb_error_set(err, WB_EPARSE, "%s: $: want an object", name);
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (rc != 0) break;
        if (strcmp(key, "kev_due_date") == 0) {
            if (!json_is_boolean(v))
                rc = wb_error_set(err, WB_EPARSE, "%s: $.kev_due_date: want true or false", name);
            else
                p->kev_due_date = json_is_true(v);
        } else if (strcmp(key, "critical_internet") == 0) {
            rc = days_field(name, key, v, &p->critical_internet, err);
        } else if (strcmp(key, "critical") == 0) {
            rc = days_field(name, key, v, &p->critical, err);
        } else if (strcmp(key, "high") == 0) {
            rc = days_field(name, key, v, &p->high, err);
        } else if (strcmp(key, "medium") == 0) {
            rc = days_field(name, key, v, &p->medium, err);
        } else if (strcmp(key, "low") == 0) {
            rc = days_field(name, key, v, &p->low, err);
        } else if (strcmp(key, "none") == 0) {
            rc = days_field(name, key, v, &p->none, err);
        } else if (strcmp(key, "unscored_as") == 0) {
            wb_severity s;
            if (!json_is_string(v) || wb_severity_parse(json_string_value(v), &s) != 0 ||
                s == WB_SEV_NONE)
                rc = wb_error_set(err, WB_EPARSE,
                                  "%s: $.unscored_as: want critical, high, medium, low or "
                                  "unknown (no deadline)",
                                  name);
            else
                p->unscored_as = s;
        } else if (key[0] != '$' && strcmp(key, "comment") != 0) {
            /* A typo would otherwise silently leave a default in force. */
            rc = wb_error_set(err, WB_EPARSE,
                              "%s: $.%s: unknown key (kev_due_date, critical_internet, "
                              "critical, high, medium, low, none, unscored_as, comment)",
                              name, key);
        }
    }
    json_decref(root);
    return rc;
}

int wb_policy_load(const char *path, wb_policy *p, wb_error *err)
{
    char *data;
    size_t len;
    int rc = wb_read_file(path, MAX_POLICY, &data, &len, err);
    if (rc != 0) return rc;
    rc = wb_policy_parse(path, data, len, p, err);
    free(data);
    return rc;
}
