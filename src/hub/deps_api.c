/*
 * deps_api.c - the hub's dependency picture endpoints: an organisation
 * stores and shares (or revokes) its aggregate picture and reads its own;
 * its CSIRT and supervisor read the k-anonymous sector view over the
 * pictures shared with them, of the sectors routed to them.
 *
 * No endpoint takes an organisation from the request: the caller's key
 * names it, so no caller can write or read another organisation's picture.
 * Who may call which endpoint is wb_policy_deps; the body is checked by
 * wb_depsdb_request_parse, which refuses anything but a picture's
 * documented members; the JSON is depsdb.h's, the same `deps --db` prints.
 */
#include <string.h>

#include "hub/deps_api.h"
#include "hub/hub_internal.h"
#include "weerbaar/depsdb.h"

/* The policy's answer for the caller; 0 to go on (*acc says how), else the
 * reply is set. */
static int may(wbi_hub_areq *r, wb_deps_op op, wb_org_kind *kind, wb_access *acc)
{
    wb_error e = {0};
    if (wb_depsdb_org_kind(r->st, r->who->org_id, kind, &e) != 0) {
        wbi_hub_areq_fail_err(r, &e);
        return -1;
    }
    *acc = wb_policy_deps(r->who, op, *kind);
    if (*acc == WB_DENY) {
        wbi_hub_areq_fail(
            r, 403, "forbidden",
            op == WB_DEPS_SHARE     ? "sharing the picture is for the organisation's admins"
            : op == WB_DEPS_SECTORS ? "the sector view is for CSIRTs, supervisors and site admins"
                                    : "forbidden");
        return -1;
    }
    return 0;
}

void wbi_hub_deps_share(wbi_hub_areq *r)
{
    wb_org_kind kind;
    wb_access acc;
    if (may(r, WB_DEPS_SHARE, &kind, &acc) != 0) return;
    wb_share_audience to;
    bool shared;
    wb_buf pic = {0};
    wb_error e = {0};
    int version = 0;
    if (wb_depsdb_request_parse(r->req->body ? r->req->body : "", r->req->body_len, &to, &shared,
                                &pic, &e) != 0 ||
        wb_depsdb_share(r->st, r->who->org_id, NULL, pic.data, pic.len, to, shared, r->user,
                        &version, &e) != 0) {
        wbi_hub_areq_fail_err(r, &e);
    } else {
        json_t *o = json_pack("{s:s,s:s,s:b}", "organisation", r->org_name, "with",
                              wb_share_audience_name(to), "shared", shared);
        if (o && shared) json_object_set_new(o, "version", json_integer(version));
        wbi_hub_areq_reply(r, 200, o);
    }
    wb_buf_free(&pic);
}

void wbi_hub_deps_own(wbi_hub_areq *r)
{
    wb_org_kind kind;
    wb_access acc;
    if (may(r, WB_DEPS_OWN, &kind, &acc) != 0) return;
    wb_buf b = {0};
    wb_error e = {0};
    if (wb_depsdb_own_json(r->st, r->who->org_id, &b, &e) != 0)
        wbi_hub_areq_fail_err(r, &e);
    else
        wbi_hub_areq_reply(r, 200, json_loadb(b.data, b.len, 0, NULL));
    wb_buf_free(&b);
}

void wbi_hub_deps_sectors(wbi_hub_areq *r)
{
    wb_org_kind kind;
    wb_access acc;
    if (may(r, WB_DEPS_SECTORS, &kind, &acc) != 0) return;
    /* a CSIRT or supervisor sees the sectors routed to it, as that
     * audience; a site admin of another organisation every sector, as the
     * audience it names, and its read is in the audit log first */
    int64_t viewer = r->who->org_id;
    wb_share_audience aud = kind == WB_ORG_SUPERVISOR ? WB_SHARE_SUPERVISOR : WB_SHARE_CSIRT;
    if (acc == WB_ALLOW_AUDITED) {
        const char *a = wbi_hub_areq_arg(r, "audience");
        viewer = 0;
        if (a && wb_share_audience_parse(a, &aud) != 0) {
            wbi_hub_areq_fail(r, 422, "invalid_request", "audience: expected csirt or supervisor");
            return;
        }
        int rc = wb_depsdb_audit_sectors(r->st, r->user, r->org_name, aud, &r->err);
        if (rc != 0) {
            r->internal = true;
            return;
        }
    }
    wb_buf b = {0};
    wb_error e = {0};
    if (wb_depsdb_sectors(r->st, viewer, aud, r->sector_k, &b, &e) != 0)
        wbi_hub_areq_fail_err(r, &e);
    else
        wbi_hub_areq_reply(r, 200, json_loadb(b.data, b.len, 0, NULL));
    wb_buf_free(&b);
}
