/*
 * lookup_api.c - GET / (the hub's status) and GET /api/v1/indicators:
 * every attribute the caller may see that a value matches (the share
 * service's look-up, sharesvc.h). The look-up walk is also lent to
 * sightings_api.c through wbi_hub_lookup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/router.h"
#include "weerbaar/admin.h"

/* ---- GET / ------------------------------------------------------------------------------ */

void wbi_hub_h_status(wbi_hub_req *r)
{
    wbi_hub_reply_json(r, 200,
                       json_pack("{s:s,s:s,s:s,s:i}", "name", "weerbaar hub", "version", WB_VERSION,
                                 "api", "/api/v1", "schema", wb_admin_schema_version(r->st)));
}

/* ---- GET /api/v1/indicators ---------------------------------------------------------------- */

int wbi_hub_look_push(wbi_look_walk *w, wbi_hub_req *r, wbi_hit h, size_t max_cap)
{
    return wbi_look_add(w, &r->err, h, max_cap);
}

int wbi_hub_lookup(wbi_hub_req *r, const char *value, const char *type, wb_read_path path,
                   wbi_look_walk *w, wbi_problem *prob)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    int rc = wbi_share_lookup(&s, value, type, path, w, prob);
    for (size_t i = 0; i < s.naudits; i++)
        wbi_hub_audit_later(r, s.audits[i].action, s.audits[i].object, s.audits[i].detail);
    r->audits_dropped += s.audits_dropped;
    w->s = NULL;
    if (rc) r->err = s.err;
    return rc;
}

void wbi_hub_h_indicators(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    int rc =
        wb_share_indicators(&s, wbi_hub_arg(r, "value"), wbi_hub_arg(r, "type"), &r->resp->body);
    wbi_hub_reply_share(r, &s, rc, 200);
}
