/*
 * admin_api.c - the site admin's endpoints: GET /api/v1/audit, the audit
 * log paged by page/limit and since.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/router.h"

/* ---- GET /api/v1/audit --------------------------------------------------------------------- */

static int audit_cb(void *ud, const wb_audit_rec *a)
{
    char t[40];
    wb_time_format(a->time, t, sizeof t);
    json_t *o = json_pack("{s:{s:I,s:s,s:s,s:s,s:s}}", "Audit", "id", (json_int_t)a->id, "time", t,
                          "user", a->user, "org", a->org, "action", a->action);
    if (o == NULL) return 1;
    json_t *in = json_object_get(o, "Audit");
    json_object_set_new(in, "object", a->object ? json_string(a->object) : json_null());
    json_object_set_new(in, "detail", a->detail ? json_string(a->detail) : json_null());
    json_array_append_new(ud, o);
    return 0;
}

void wbi_h_audit(wbi_req *r)
{
    int64_t page = 1, limit = 100;
    wb_time since = WB_TIME_NONE;
    if (!wbi_arg_int(r, "page", 1, 1000000, &page) || !wbi_arg_int(r, "limit", 1, 1000, &limit) ||
        !wbi_arg_time(r, "since", &since))
        return;
    json_t *arr = json_array();
    if (wb_store_audit_list(r->st, since, (page - 1) * limit, limit, audit_cb, arr, &r->err) != 0) {
        json_decref(arr);
        wbi_reply_internal(r);
        return;
    }
    wbi_reply_json(r, 200, json_pack("{s:o}", "response", arr));
}
