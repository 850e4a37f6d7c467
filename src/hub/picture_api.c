/*
 * picture_api.c - GET /api/v1/picture?from=&to=: the constituency's threat
 * picture (picture.h) for CSIRTs and supervisors. Only parses the query and
 * calls wb_picture_request, which decides who may ask and what they see.
 */
#include "hub/picture_api.h"
#include "weerbaar/picture.h"

void wbi_hub_picture(wbi_hub_areq *r)
{
    wb_buf b = {0};
    wb_error e = {0};
    unsigned status = 500;
    int rc = wb_picture_request(r->st, r->who, r->user, r->org_name, wbi_hub_areq_arg(r, "from"),
                                wbi_hub_areq_arg(r, "to"), r->sector_k, &b, &status, &e);
    if (rc < 0)
        wbi_hub_areq_fail_err(r, &e);
    else if (status == 403)
        wbi_hub_areq_fail(r, 403, "forbidden", "%s", e.msg);
    else if (status != 200)
        wbi_hub_areq_fail(r, 422, "invalid_request", "%s", e.msg);
    else
        wbi_hub_areq_reply(r, 200, json_loadb(b.data, b.len, 0, NULL));
    wb_buf_free(&b);
}
