/*
 * significance_json.c - the significance assessment (wb_assess) as JSON:
 * what `weerbaar incident assess --format json` prints and what the hub's
 * POST /api/v1/incidents/significance answers, written in one place.
 */
#include <jansson.h>
#include <stdlib.h>

#include "weerbaar/incident.h"

int wb_significance_json(wb_entity_type entity, const wb_assessment *a, wb_buf *out)
{
    json_t *reasons = json_array();
    for (size_t i = 0; reasons && i < a->nreasons; i++) {
        const wb_assessment_reason *r = &a->reasons[i];
        if (json_array_append_new(reasons,
                                  json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "id",
                                            r->criterion->id, "article", r->criterion->article,
                                            "criterion", r->criterion->text, "result",
                                            wb_criterion_result_name(r->result), "advisory",
                                            r->advisory, "facts", r->why)) != 0) {
            json_decref(reasons);
            reasons = NULL;
        }
    }
    json_t *o = reasons
                    ? json_pack("{s:s, s:s, s:b, s:o}", "entity_type", wb_entity_type_name(entity),
                                "verdict", wb_verdict_name(a->verdict), "scheduled_maintenance",
                                a->scheduled_maintenance, "reasons", reasons)
                    : NULL;
    char *text = o ? json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
    json_decref(o);
    int rc = text && wb_buf_puts(out, text) == 0 ? 0 : WB_ENOMEM;
    free(text);
    return rc;
}
