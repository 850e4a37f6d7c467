/*
 * service.c - the picture as the hub serves it (wb_picture_request): who
 * may ask (CSIRTs and supervisors over the sectors routed to them; a site
 * admin of another kind of organisation the operator's view, audited), the
 * period from the query, and the picture itself. src/hub/picture_api.c
 * only parses the request and calls this.
 */
#include <string.h>

#include "weerbaar/assess.h"
#include "weerbaar/hub.h"
#include "weerbaar/picture.h"

static int kind_cb(void *ud, const wb_org *o)
{
    *(wb_org_kind *)ud = o->kind;
    return 0;
}

static int set_status(unsigned *status, unsigned v, wb_error *err, const char *msg)
{
    *status = v;
    wb_error_set(err, WB_EINVAL, "%s", msg);
    return 0;
}

int wb_picture_request(wb_store *st, const wb_principal *who, const char *user,
                       const char *org_name, const char *from, const char *to, unsigned k,
                       const wb_catalogue *const cats[2], wb_buf *out, unsigned *status,
                       wb_error *err)
{
    wb_org_kind kind = WB_ORG_OTHER;
    int rc = wb_store_org_get(st, who->org_id, kind_cb, &kind, err);
    if (rc < 0) return rc;
    wb_access acc = wb_policy_sector_view(who, kind);
    if (acc == WB_DENY)
        return set_status(status, 403, err,
                          "the picture is for CSIRTs, supervisors and site admins");
    wb_picture_opts o = {.from = WB_TIME_NONE,
                         .to = WB_TIME_NONE,
                         .k = k,
                         .reader = who,
                         .catalogue = cats ? cats[0] : NULL,
                         .principles = cats ? cats[1] : NULL};
    if ((from == NULL) != (to == NULL))
        return set_status(status, 422, err, "from and to go together");
    if (from && (wb_time_parse(from, strlen(from), &o.from) != 0 ||
                 wb_time_parse(to, strlen(to), &o.to) != 0 || o.from >= o.to))
        return set_status(status, 422, err,
                          "from, to: expected RFC 3339 times or dates, from before to");
    if (kind == WB_ORG_CSIRT || kind == WB_ORG_SUPERVISOR) {
        /* over the sectors routed to the caller's organisation in its role */
        o.viewer = who->org_id;
        o.audience = kind == WB_ORG_SUPERVISOR ? WB_SHARE_SUPERVISOR : WB_SHARE_CSIRT;
    } else {
        /* a site admin of the operator: every sector, and the read is audited */
        wb_audit_rec ar = {.user = user,
                           .org = org_name,
                           .action = "picture.read",
                           .object = "threat picture",
                           .detail = "operator view"};
        rc = wb_store_begin(st, err);
        if (rc == 0) rc = wb_store_audit(st, &ar, err);
        if (rc == 0) rc = wb_store_commit(st, err);
        if (rc < 0) {
            wb_store_rollback(st);
            return rc;
        }
    }
    rc = wb_picture_build(st, &o, out, err);
    *status = rc == WB_EINVAL ? 422 : 200;
    return rc == WB_EINVAL ? 0 : rc;
}
