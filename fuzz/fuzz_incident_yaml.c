/*
 * fuzz_incident_yaml.c - libFuzzer target: a report document as a user
 * writes it, YAML or JSON (wb_report_doc_json), then the report parser and
 * every stage's check on what comes out. A YAML document that converts must
 * come out as JSON the report parser reads without a syntax error, and a
 * refused one must say why with a position.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/incident.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_buf json = {0};
    wb_error err = {0};
    int rc = wb_report_doc_json("fuzz", (const char *)data, size, &json, &err);
    if (rc != 0) {
        if (!err.msg[0]) abort();
        wb_buf_free(&json);
        return 0;
    }
    wb_report_problems probs = {0};
    wb_report *r = NULL;
    memset(&err, 0, sizeof err);
    rc = wb_report_parse_partial("fuzz", json.data ? json.data : "", json.len, &r, &probs, &err);
    /* Converted YAML is JSON text: only the document's own JSON input may
     * fail to parse as JSON. */
    if (rc == WB_EINVAL && r == NULL) abort();
    if (r) {
        for (int s = 0; s < WB_REPORT_STAGE_COUNT; s++)
            if (wb_report_check_stage(r, r, (wb_stage)s, &probs) == WB_ENOMEM) abort();
        wb_buf out = {0};
        if (wb_report_to_json(r, &out) != 0) abort();
        wb_buf_free(&out);
    }
    wb_report_free(r);
    wb_report_problems_free(&probs);
    wb_buf_free(&json);
    return 0;
}
