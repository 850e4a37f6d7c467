/*
 * admin_api.h - what admin_api.c (/api/v1/admin/...) shares with
 * misp_admin_api.c (MISP's admin/users and admin/organisations paths):
 * the caller as the accounts service's actor, running one operation, and
 * turning the service's answer into a reply; and the handlers of both.
 */
#ifndef WB_HUB_ADMIN_API_H
#define WB_HUB_ADMIN_API_H

#include "hub/hub_internal.h"
#include "weerbaar/accounts.h"

wb_actor wbi_hub_admin_actor(const wbi_hub_req *r);
/* rc 0: out's JSON with ok_status; else 403 (forbidden), 404, 422 or 500. */
void wbi_hub_admin_reply(wbi_hub_req *r, int rc, bool forbidden, const wb_buf *out,
                         unsigned ok_status);
/* Runs op with args as the caller; the reply is sent. */
void wbi_hub_admin_run(wbi_hub_req *r, const wb_acct_op *op, const wb_acct_args *a);

void wbi_hub_h_admin_list(wbi_hub_req *r);
void wbi_hub_h_admin_op(wbi_hub_req *r);
void wbi_hub_h_admin_import(wbi_hub_req *r);
void wbi_hub_h_misp_org_add(wbi_hub_req *r);
void wbi_hub_h_misp_org_edit(wbi_hub_req *r);
void wbi_hub_h_misp_org_delete(wbi_hub_req *r);
void wbi_hub_h_misp_user_index(wbi_hub_req *r);
void wbi_hub_h_misp_user_add(wbi_hub_req *r);
void wbi_hub_h_misp_user_edit(wbi_hub_req *r);
void wbi_hub_h_misp_user_delete(wbi_hub_req *r);

#endif
