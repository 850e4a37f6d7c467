/*
 * nvd.c - NVD CVE JSON 2.0: the CVE API 2.0 response
 * ({"vulnerabilities":[{"cve":{...}}]}) and the 2.0 feed files of the same
 * shape, a single {"cve":{...}} item, or a bare cve object.
 *
 * Each CVE is one advisory. Applicability comes from
 * configurations[].nodes[].cpeMatch[]: an entry with vulnerable: true is an
 * affected product (its CPE criteria, and its version bounds as a generic
 * vers range); vulnerable: false entries describe the platform a product
 * must run on (the other half of an AND node) and are never matches by
 * themselves, so they are left out. Metrics are read newest CVSS version
 * first, the Primary (NVD's own) score before secondary ones.
 */
#include <stdio.h>
#include <string.h>

#include "vuln/vulndata.h"
#include "weerbaar/cpe.h"

static const char *cpe_part(wbi_doc *d, const wb_cpe *c, wb_cpe_attr a)
{
    size_t n;
    const char *v = wb_cpe_value(c, a, &n);
    if (n == 0) return NULL;
    /* WFN values quote punctuation ("node\.js"); names read better without. */
    char *s = wb_arena_alloc(&d->arena, n + 1);
    if (s == NULL) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\\' && i + 1 < n) i++;
        s[k++] = v[i];
    }
    s[k] = '\0';
    return s;
}

static int cpe_match(wbi_doc *d, const json_t *m, wbi_advb *b)
{
    if (!json_is_object(m)) return wbi_doc_fail(d, "expected an object");
    json_t *vuln = json_object_get(m, "vulnerable");
    if (!json_is_boolean(vuln)) {
        size_t old = wbi_path_key(d, "vulnerable");
        int rc = wbi_doc_fail(d, "expected true or false");
        wbi_path_cut(d, old);
        return rc;
    }
    const char *crit = NULL, *si = NULL, *se = NULL, *ei = NULL, *ee = NULL;
    int rc = wbi_req_str(d, m, "criteria", &crit);
    if (rc == 0) rc = wbi_opt_str(d, m, "versionStartIncluding", &si);
    if (rc == 0) rc = wbi_opt_str(d, m, "versionStartExcluding", &se);
    if (rc == 0) rc = wbi_opt_str(d, m, "versionEndIncluding", &ei);
    if (rc == 0) rc = wbi_opt_str(d, m, "versionEndExcluding", &ee);
    if (rc != 0 || json_is_false(vuln)) return rc;
    wb_cpe c;
    wb_error e = {0};
    if (wb_cpe_parse(crit, strlen(crit), &c, &e) != 0) {
        size_t old = wbi_path_key(d, "criteria");
        rc = wbi_doc_fail(d, "%s", e.msg);
        wbi_path_cut(d, old);
        return rc;
    }
    if ((si && se) || (ei && ee))
        return wbi_doc_fail(d, "both an including and an excluding bound on one side");
    wb_affected *a = wbi_advb_affected(b);
    if (a == NULL) return wbi_doc_nomem(d);
    a->status = WB_AFF_AFFECTED;
    a->cpe = crit;
    a->vendor = cpe_part(d, &c, WB_CPE_VENDOR);
    a->product = cpe_part(d, &c, WB_CPE_PRODUCT);
    a->scheme = "generic";
    a->product_id = json_string_value(json_object_get(m, "matchCriteriaId"));
    if (si || se || ei || ee) {
        char r[4 * 1100];
        int n = snprintf(r, sizeof r, "%s%s%s%s%s%s%s",
                         si   ? ">="
                         : se ? ">"
                              : "",
                         si   ? si
                         : se ? se
                              : "",
                         (si || se) && (ei || ee) ? "|" : "",
                         ei   ? "<="
                         : ee ? "<"
                              : "",
                         ei   ? ei
                         : ee ? ee
                              : "",
                         "", "");
        if (n < 0 || (size_t)n >= sizeof r) return wbi_doc_fail(d, "version bounds too long");
        rc = wbi_vers_canon(d, "generic", r, &a->range);
        if (rc != 0) return rc;
        if (ee) a->fixed = ee;
    } else {
        size_t vn;
        wb_cpe_value(&c, WB_CPE_VERSION, &vn);
        if (vn > 0 && c.kind[WB_CPE_VERSION] == WB_CPE_VALUE)
            a->version = cpe_part(d, &c, WB_CPE_VERSION);
    }
    return 0;
}

static int configurations(wbi_doc *d, const json_t *confs, wbi_advb *b)
{
    size_t i, j, k;
    json_t *conf, *node, *m;
    json_array_foreach(confs, i, conf)
    {
        size_t o1 = wbi_path_idx(d, i);
        json_t *nodes = NULL;
        if (!json_is_object(conf)) return wbi_doc_fail(d, "expected an object");
        int rc = wbi_opt_arr(d, conf, "nodes", &nodes);
        if (rc != 0) return rc;
        json_array_foreach(nodes, j, node)
        {
            size_t o2 = wbi_path_key(d, "nodes");
            wbi_path_idx(d, j);
            json_t *matches = NULL;
            if (!json_is_object(node)) return wbi_doc_fail(d, "expected an object");
            rc = wbi_opt_arr(d, node, "cpeMatch", &matches);
            if (rc != 0) return rc;
            /* A negated node says where the product is NOT vulnerable. */
            if (json_is_true(json_object_get(node, "negate"))) {
                wbi_path_cut(d, o2);
                continue;
            }
            json_array_foreach(matches, k, m)
            {
                size_t o3 = wbi_path_key(d, "cpeMatch");
                wbi_path_idx(d, k);
                rc = cpe_match(d, m, b);
                if (rc != 0) return rc;
                wbi_path_cut(d, o3);
            }
            wbi_path_cut(d, o2);
        }
        wbi_path_cut(d, o1);
    }
    return 0;
}

static const struct {
    const char *key;
    uint8_t version;
} metric_keys[] = {
    {"cvssMetricV40", 40}, {"cvssMetricV31", 31}, {"cvssMetricV30", 30}, {"cvssMetricV2", 20}};

static int metrics(wbi_doc *d, const json_t *mo, wbi_advb *b)
{
    for (size_t k = 0; k < sizeof metric_keys / sizeof metric_keys[0]; k++) {
        json_t *arr = NULL;
        int rc = wbi_opt_arr(d, mo, metric_keys[k].key, &arr);
        if (rc != 0) return rc;
        size_t old = wbi_path_key(d, metric_keys[k].key);
        for (int pass = 0; pass < 2; pass++) { /* Primary first */
            size_t i;
            json_t *m;
            json_array_foreach(arr, i, m)
            {
                const char *type = json_string_value(json_object_get(m, "type"));
                bool primary = type && strcmp(type, "Primary") == 0;
                if (primary != (pass == 0)) continue;
                size_t o2 = wbi_path_idx(d, i);
                json_t *data = NULL;
                const char *vec = NULL;
                double score = 0;
                bool has = false;
                if (!json_is_object(m)) return wbi_doc_fail(d, "expected an object");
                rc = wbi_opt_obj(d, m, "cvssData", &data);
                if (rc == 0 && data == NULL) rc = wbi_doc_fail(d, "cvssData is missing");
                if (rc != 0) return rc;
                size_t o3 = wbi_path_key(d, "cvssData");
                rc = wbi_opt_str(d, data, "vectorString", &vec);
                if (rc == 0) rc = wbi_opt_num(d, data, "baseScore", &score, &has);
                if (rc == 0 && (!has || score < 0 || score > 10))
                    rc = wbi_doc_fail(d, "baseScore missing or outside 0-10");
                if (rc != 0) return rc;
                if (wbi_advb_cvss(b, metric_keys[k].version, score, vec) != 0)
                    return wbi_doc_nomem(d);
                wbi_path_cut(d, o3);
                wbi_path_cut(d, o2);
            }
        }
        wbi_path_cut(d, old);
    }
    return 0;
}

static int one_cve(wbi_doc *d, const json_t *cve, wbi_advb *b, wb_advisory_sink *sink)
{
    if (!json_is_object(cve)) return wbi_doc_fail(d, "expected a cve object");
    wbi_advb_reset(b);
    json_t *descs = NULL, *mo = NULL, *confs = NULL;
    const char *status = NULL;
    int rc = wbi_req_str(d, cve, "id", &b->adv.id);
    if (rc == 0) rc = wbi_opt_time(d, cve, "published", &b->adv.published);
    if (rc == 0) rc = wbi_opt_time(d, cve, "lastModified", &b->adv.modified);
    if (rc == 0) rc = wbi_opt_str(d, cve, "vulnStatus", &status);
    if (rc == 0) rc = wbi_opt_arr(d, cve, "descriptions", &descs);
    if (rc == 0) rc = wbi_opt_obj(d, cve, "metrics", &mo);
    if (rc == 0) rc = wbi_opt_arr(d, cve, "configurations", &confs);
    if (rc != 0) return rc;
    b->adv.doc_id = b->adv.id;
    b->adv.source = d->name;
    b->adv.source_kind = "nvd";
    size_t i;
    json_t *x;
    json_array_foreach(descs, i, x)
    {
        const char *lang = json_string_value(json_object_get(x, "lang"));
        const char *val = json_string_value(json_object_get(x, "value"));
        if (val && (b->adv.title == NULL || (lang && strcmp(lang, "en") == 0))) b->adv.title = val;
        if (val && lang && strcmp(lang, "en") == 0) break;
    }
    size_t n = strlen(b->adv.id) + 40;
    char *url = wb_arena_alloc(&d->arena, n);
    if (url == NULL) return wbi_doc_nomem(d);
    snprintf(url, n, "https://nvd.nist.gov/vuln/detail/%s", b->adv.id);
    b->adv.url = url;
    if (mo) {
        size_t old = wbi_path_key(d, "metrics");
        rc = metrics(d, mo, b);
        if (rc != 0) return rc;
        wbi_path_cut(d, old);
    }
    if (confs) {
        size_t old = wbi_path_key(d, "configurations");
        rc = configurations(d, confs, b);
        if (rc != 0) return rc;
        wbi_path_cut(d, old);
    }
    /* Rejected CVEs are not vulnerabilities; keep them out of the scan. */
    if (status && strcmp(status, "Rejected") == 0) return 0;
    return wbi_advb_emit(b, d, sink);
}

int wbi_nvd_parse(wbi_doc *d, const json_t *root, wb_advisory_sink *sink)
{
    if (!json_is_object(root)) return wbi_doc_fail(d, "expected an object");
    wbi_advb b = {0};
    int rc = 0;
    json_t *vulns = NULL, *cve = NULL;
    rc = wbi_opt_arr(d, root, "vulnerabilities", &vulns);
    if (rc == 0 && vulns) {
        size_t old = wbi_path_key(d, "vulnerabilities"), i;
        json_t *v;
        json_array_foreach(vulns, i, v)
        {
            size_t o2 = wbi_path_idx(d, i);
            rc = wbi_opt_obj(d, v, "cve", &cve);
            if (rc == 0 && (!json_is_object(v) || cve == NULL))
                rc = wbi_doc_fail(d, "expected an object with a cve");
            if (rc == 0) {
                size_t o3 = wbi_path_key(d, "cve");
                rc = one_cve(d, cve, &b, sink);
                if (rc == 0) wbi_path_cut(d, o3);
            }
            if (rc != 0) break;
            cve = NULL;
            wbi_path_cut(d, o2);
        }
        if (rc == 0) wbi_path_cut(d, old);
    } else if (rc == 0 && (rc = wbi_opt_obj(d, root, "cve", &cve)) == 0 && cve) {
        size_t old = wbi_path_key(d, "cve");
        rc = one_cve(d, cve, &b, sink);
        if (rc == 0) wbi_path_cut(d, old);
    } else if (rc == 0) {
        rc = one_cve(d, root, &b, sink);
    }
    wbi_advb_free(&b);
    return rc;
}
