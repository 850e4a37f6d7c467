/*
 * vulnsum.c - reads the result of `weerbaar vuln scan --format json`
 * (docs/vuln-scan.md) for the board report: how many unsuppressed findings
 * there are, how many of them have a patch deadline in the past, and the
 * five most urgent of those by name.
 *
 * The findings are counted rather than the summary trusted, and the two are
 * compared: a file edited by hand or cut short is refused with the JSON path
 * that disagrees, instead of a wrong number reaching a board.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "weerbaar/io.h"
#include "weerbaar/report.h"
#include "core/core_internal.h"

/* An optional boolean member: absent and null are false. */
static int opt_bool(json_t *o, const char *key, size_t i, const char *name, bool *out,
                    wb_error *err)
{
    json_t *v = json_object_get(o, key);
    *out = false;
    if (v == NULL || json_is_null(v)) return 0;
    if (!json_is_boolean(v))
        return wb_error_set(err, WB_EPARSE, "%s: $.findings[%zu].%s: not a boolean", name, i, key);
    *out = json_is_true(v);
    return 0;
}

/* dst = src cut at a character boundary to fit; "" for NULL. */
static void copy_cut(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

static const char *opt_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Whether a comes before b on the board: KEV first, then the earlier
 * deadline (the longer overdue); a missing deadline last. */
static bool more_urgent(const wb_vuln_overdue *a, const wb_vuln_overdue *b)
{
    if (a->kev != b->kev) return a->kev;
    if (a->deadline == WB_TIME_NONE || b->deadline == WB_TIME_NONE)
        return b->deadline == WB_TIME_NONE && a->deadline != WB_TIME_NONE;
    return a->deadline < b->deadline;
}

/* Keeps finding f among the WB_VULN_URGENT most urgent (insertion: five). */
static void keep_urgent(wb_vuln_summary *out, json_t *f)
{
    wb_vuln_overdue u = {0};
    const char *id = opt_str(f, "cve");
    copy_cut(u.vulnerability, sizeof u.vulnerability, id ? id : opt_str(f, "vulnerability"));
    copy_cut(u.asset, sizeof u.asset, opt_str(f, "asset"));
    const char *name = opt_str(f, "name"), *ver = opt_str(f, "version");
    char comp[256];
    snprintf(comp, sizeof comp, "%s%s%s",
             name                      ? name
             : opt_str(f, "component") ? opt_str(f, "component")
                                       : "-",
             ver ? " " : "", ver ? ver : "");
    copy_cut(u.component, sizeof u.component, comp);
    copy_cut(u.fixed, sizeof u.fixed,
             json_string_value(json_array_get(json_object_get(f, "fixed_versions"), 0)));
    u.kev = json_is_true(json_object_get(f, "kev"));
    const char *dl = opt_str(f, "deadline");
    if (dl == NULL || wb_time_parse(dl, strlen(dl), &u.deadline) != 0) u.deadline = WB_TIME_NONE;
    size_t at = out->nurgent;
    while (at > 0 && more_urgent(&u, &out->urgent[at - 1]))
        at--;
    if (at >= WB_VULN_URGENT) return;
    size_t last = out->nurgent < WB_VULN_URGENT ? out->nurgent : WB_VULN_URGENT - 1;
    memmove(&out->urgent[at + 1], &out->urgent[at], (last - at) * sizeof u);
    out->urgent[at] = u;
    if (out->nurgent < WB_VULN_URGENT) out->nurgent++;
}

/* Compares an integer member of $.summary with what was counted. */
static int check_sum(json_t *sum, const char *key, size_t counted, const char *name, wb_error *err)
{
    json_t *v = json_object_get(sum, key);
    if (v == NULL) return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return wb_error_set(err, WB_EPARSE, "%s: $.summary.%s: not a count", name, key);
    if ((size_t)json_integer_value(v) != counted)
        return wb_error_set(err, WB_EPARSE,
                            "%s: $.summary.%s: says %lld, but the findings hold %zu", name, key,
                            (long long)json_integer_value(v), counted);
    return 0;
}

int wb_vuln_summary_parse(const char *data, size_t len, const char *name, wb_vuln_summary *out,
                          wb_error *err)
{
    memset(out, 0, sizeof *out);
    out->now = WB_TIME_NONE;
    if (len > WB_VULN_SUMMARY_MAX_BYTES)
        return wb_error_set(err, WB_ELIMIT, "%s: larger than %u MB", name,
                            WB_VULN_SUMMARY_MAX_BYTES >> 20);
    json_error_t je;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL && wbi_core_json_oom(&je))
        return wb_error_set(err, WB_ENOMEM, "%s: out of memory", name);
    if (root == NULL)
        return wb_error_set(err, WB_EPARSE, "%s:%d:%d: not JSON: %s", name, je.line, je.column,
                            je.text);
    int rc = 0;
    json_t *findings = json_is_object(root) ? json_object_get(root, "findings") : NULL;
    if (!json_is_object(root))
        rc = wb_error_set(err, WB_EPARSE,
                          "%s: $: not an object (want the output of 'weerbaar vuln scan "
                          "--format json')",
                          name);
    else if (!json_is_array(findings))
        rc = wb_error_set(err, WB_EPARSE, "%s: $.findings: %s", name,
                          findings ? "not an array" : "missing (not a vuln scan result)");
    json_t *now = rc == 0 ? json_object_get(root, "now") : NULL;
    if (rc == 0 && now && !json_is_null(now)) {
        const char *s = json_string_value(now);
        if (s == NULL || wb_time_parse(s, strlen(s), &out->now) != 0)
            rc = wb_error_set(err, WB_EPARSE, "%s: $.now: not an RFC 3339 time", name);
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(findings); i++) {
        json_t *f = json_array_get(findings, i);
        bool suppressed, overdue, kev;
        if (!json_is_object(f)) {
            rc = wb_error_set(err, WB_EPARSE, "%s: $.findings[%zu]: not an object", name, i);
            break;
        }
        json_t *od = json_object_get(f, "overdue");
        if (!json_is_boolean(od)) {
            rc = wb_error_set(err, WB_EPARSE, "%s: $.findings[%zu].overdue: %s", name, i,
                              od ? "not a boolean" : "missing");
            break;
        }
        overdue = json_is_true(od);
        if ((rc = opt_bool(f, "suppressed", i, name, &suppressed, err)) != 0) break;
        if ((rc = opt_bool(f, "kev", i, name, &kev, err)) != 0) break;
        json_t *sev = json_object_get(f, "severity");
        if (sev && !json_is_null(sev) && !json_is_string(sev)) {
            rc =
                wb_error_set(err, WB_EPARSE, "%s: $.findings[%zu].severity: not a string", name, i);
            break;
        }
        if (suppressed) continue;
        out->findings++;
        if (!overdue) continue;
        out->overdue++;
        keep_urgent(out, f);
        if (kev) out->overdue_kev++;
        if (sev && json_is_string(sev) && strcmp(json_string_value(sev), "critical") == 0)
            out->overdue_critical++;
    }
    json_t *sum = rc == 0 ? json_object_get(root, "summary") : NULL;
    if (sum && !json_is_object(sum))
        rc = wb_error_set(err, WB_EPARSE, "%s: $.summary: not an object", name);
    else if (sum) {
        rc = check_sum(sum, "overdue", out->overdue, name, err);
        if (rc == 0) rc = check_sum(sum, "findings", out->findings, name, err);
    }
    json_decref(root);
    if (rc != 0) memset(out, 0, sizeof *out), out->now = WB_TIME_NONE;
    return rc;
}

int wb_vuln_summary_load(const char *path, wb_vuln_summary *out, wb_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = wb_read_file(path, WB_VULN_SUMMARY_MAX_BYTES, &data, &len, err);
    if (rc == 0) rc = wb_vuln_summary_parse(data, len, path, out, err);
    free(data);
    return rc;
}
