/*
 * kev.c - CISA's Known Exploited Vulnerabilities catalog
 * (known_exploited_vulnerabilities.json, schema in cisagov/kev-data): one
 * wb_kev per vulnerabilities[] entry. The whole catalog is checked before
 * the first entry goes out, so a truncated download is an error, not a
 * silently shorter list.
 */
#include <stdlib.h>
#include <string.h>

#include "vuln/vulndata.h"
#include "weerbaar/io.h"

static int kev_pass(wbi_doc *d, const json_t *vulns, wb_kev_sink *sink)
{
    size_t old = wbi_path_key(d, "vulnerabilities"), i;
    json_t *v;
    json_array_foreach(vulns, i, v)
    {
        size_t o2 = wbi_path_idx(d, i);
        wb_kev k = {0};
        const char *ransom = NULL;
        if (!json_is_object(v)) return wbi_doc_fail(d, "expected an object");
        int rc = wbi_req_str(d, v, "cveID", &k.cve);
        if (rc == 0) rc = wbi_opt_time(d, v, "dateAdded", &k.date_added);
        if (rc == 0) rc = wbi_opt_time(d, v, "dueDate", &k.due_date);
        if (rc == 0) rc = wbi_opt_str(d, v, "knownRansomwareCampaignUse", &ransom);
        if (rc == 0) rc = wbi_opt_str(d, v, "vendorProject", &k.vendor);
        if (rc == 0) rc = wbi_opt_str(d, v, "product", &k.product);
        if (rc == 0) rc = wbi_opt_str(d, v, "vulnerabilityName", &k.name);
        if (rc == 0 && k.date_added == WB_TIME_NONE) rc = wbi_doc_fail(d, "dateAdded is missing");
        if (rc != 0) return rc;
        k.ransomware = ransom && strcmp(ransom, "Known") == 0;
        if (sink) {
            rc = sink->add(sink, &k);
            if (rc != 0) {
                if (d->err == NULL || d->err->code == WB_OK)
                    wb_error_set(d->err, rc, "%s: %s: %s", d->name, k.cve, wb_strerror(rc));
                return rc;
            }
        }
        wbi_path_cut(d, o2);
    }
    wbi_path_cut(d, old);
    return 0;
}

int wb_kev_load(const char *path, wb_kev_sink *sink, wb_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = wb_read_file(path, WBI_VULN_MAX_FILE, &data, &len, err);
    if (rc != 0) return rc;
    wbi_doc d;
    wbi_doc_init(&d, path, err);
    json_t *root = NULL, *vulns = NULL;
    rc = wbi_doc_json(&d, data, len, &root);
    if (rc == 0 && !json_is_object(root)) rc = wbi_doc_fail(&d, "expected the KEV catalog object");
    if (rc == 0) rc = wbi_opt_arr(&d, root, "vulnerabilities", &vulns);
    if (rc == 0 && vulns == NULL)
        rc = wb_error_set(err, WB_EFORMAT, "%s: no vulnerabilities array: not a KEV catalog", path);
    if (rc == 0) rc = kev_pass(&d, vulns, NULL);
    if (rc == 0) rc = kev_pass(&d, vulns, sink);
    json_decref(root);
    wbi_doc_free(&d);
    free(data);
    return rc;
}
