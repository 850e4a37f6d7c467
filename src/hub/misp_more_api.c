/*
 * misp_more_api.c - more of MISP's REST API, at MISP's paths (and the
 * camelCase ones PyMISP calls, shadowAttributes/...):
 *
 *   POST /sightings/restSearch[/attribute|event]   MISP's sighting filters
 *   GET|POST /sightings/index[/EVENT]              the sightings of an event
 *   POST /sightings/listSightings[/ID]             {"context", "id", "org_id"}
 *   POST|DELETE /sightings/delete/ID|UUID          the sighting's organisation or a site admin
 *   GET  /galaxies/index, POST /galaxies           {"value": text}
 *   GET  /galaxies/view/REF, /galaxy_clusters/view/REF
 *   POST /galaxy_clusters/index/GALAXY              {"context", "searchall"}
 *   POST /galaxies/attachCluster/TARGET/event|attribute/local:N
 *                                                  {"Galaxy": {"target_id": CLUSTER}}
 *   POST /shadow_attributes/add/EVENT, edit/ATTR, delete/ATTR, accept/ID,
 *        discard/ID; GET index[/EVENT], view/ID
 *   GET  /attributes/view/REF, POST /objects/delete/UUID
 *
 * HTTP only: the share service (sharesvc.h, mispsvc.h) applies the policy
 * and the rules. Errors in MISP's shape (the routes' WBI_ROUTE_MISP).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/misp_more_api.h"
#include "weerbaar/mispsvc.h"

/* ---- sightings ------------------------------------------------------------------------------ */

static void sightings(wbi_hub_req *r, const char *context, const char *id)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    const char *ct = NULL;
    int rc = wb_share_misp_sightings(&s, context, id, r->hub->opts.sightings_open, r->req->body,
                                     r->req->body_len, &r->resp->body, &ct);
    wbi_hub_reply_share(r, &s, rc, 200);
    if (rc == 0) r->resp->content_type = ct;
}

void wbi_hub_h_misp_sight_search(wbi_hub_req *r)
{
    /* /sightings/restSearch/{attribute|event}: the path's context */
    sightings(r, r->id, NULL);
}

void wbi_hub_h_misp_sight_index(wbi_hub_req *r)
{
    /* /sightings/index/{event}: that event's sightings; a body's filters
     * (PyMISP posts {} or {"org_id"}) narrow them further */
    sightings(r, r->id ? "event" : NULL, r->id);
}

void wbi_hub_h_misp_sight_list(wbi_hub_req *r)
{
    /* {"context": "event"|"attribute", "id": ...} in the body; with an id
     * in the path it is an event's (MISP's default context) */
    sightings(r, r->id ? "event" : NULL, r->id);
}

void wbi_hub_h_misp_sight_delete(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    int rc = wb_share_misp_sighting_delete(&s, r->id, r->hub->opts.sightings_open, &r->resp->body);
    wbi_hub_reply_share(r, &s, rc, 200);
}

/* ---- galaxies ---------------------------------------------------------------------------------
 */

void wbi_hub_h_misp_galaxies(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_misp_galaxies(&s, NULL, &r->resp->body), 200);
}

/* POST /galaxies {"value": text}: PyMISP's search_galaxy. */
void wbi_hub_h_misp_galaxy_search(wbi_hub_req *r)
{
    wbi_problem prob;
    json_t *root =
        wbi_json_load(r->req->body ? r->req->body : "{}", r->req->body ? r->req->body_len : 2,
                      wbi_hub_max_depth(r->hub), &prob);
    if (root == NULL) {
        wbi_hub_reply_problem(r, &prob);
        return;
    }
    const char *v = json_string_value(json_object_get(root, "value"));
    if (v == NULL) v = json_string_value(json_object_get(json_object_get(root, "Galaxy"), "value"));
    const char *text = v ? wbi_hub_rdup(r, v) : NULL;
    json_decref(root);
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_misp_galaxies(&s, text, &r->resp->body), 200);
}

void wbi_hub_h_misp_galaxy_view(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_misp_galaxy_view(&s, r->id, &r->resp->body), 200);
}

/* POST galaxy_clusters/index/{galaxy} {"context", "searchall"}: PyMISP's
 * search_galaxy_clusters. */
void wbi_hub_h_misp_cluster_index(wbi_hub_req *r)
{
    wbi_problem prob;
    json_t *root =
        wbi_json_load(r->req->body ? r->req->body : "{}", r->req->body ? r->req->body_len : 2,
                      wbi_hub_max_depth(r->hub), &prob);
    if (root == NULL) {
        wbi_hub_reply_problem(r, &prob);
        return;
    }
    const char *ctx = json_string_value(json_object_get(root, "context"));
    const char *text = json_string_value(json_object_get(root, "searchall"));
    ctx = ctx ? wbi_hub_rdup(r, ctx) : NULL;
    text = text ? wbi_hub_rdup(r, text) : NULL;
    json_decref(root);
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_misp_clusters(&s, r->id, ctx, text, &r->resp->body), 200);
}

void wbi_hub_h_misp_cluster_view(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_misp_cluster_view(&s, r->id, &r->resp->body), 200);
}

/* POST /galaxies/attachCluster/{target}/{event|attribute}/local:{0|1}. */
void wbi_hub_h_misp_cluster_attach(wbi_hub_req *r)
{
    static const char prefix[] = "/galaxies/attachCluster/";
    const char *p = r->req->path + strlen(prefix);
    const char *slash = strchr(p, '/');
    char target[64] = "", kind[16] = "";
    if (slash && (size_t)(slash - p) < sizeof target) {
        memcpy(target, p, (size_t)(slash - p));
        const char *k = slash + 1, *end = strchr(k, '/');
        size_t kn = end ? (size_t)(end - k) : strlen(k);
        if (kn < sizeof kind) memcpy(kind, k, kn);
    }
    bool attribute = strcmp(kind, "attribute") == 0;
    if (target[0] == '\0' || (!attribute && strcmp(kind, "event") != 0)) {
        wbi_hub_reply_error(r, 400, "invalid_request",
                            "expected /galaxies/attachCluster/{id}/{event|attribute}[/local:0]");
        return;
    }
    wbi_problem prob;
    json_t *root =
        wbi_json_load(r->req->body ? r->req->body : "{}", r->req->body ? r->req->body_len : 2,
                      wbi_hub_max_depth(r->hub), &prob);
    if (root == NULL) {
        wbi_hub_reply_problem(r, &prob);
        return;
    }
    json_t *g = json_object_get(root, "Galaxy");
    json_t *t = json_object_get(json_is_object(g) ? g : root, "target_id");
    const char *cluster = json_is_string(t)    ? wbi_hub_rdup(r, json_string_value(t))
                          : json_is_integer(t) ? wbi_hub_num(r, (int64_t)json_integer_value(t))
                                               : NULL;
    json_decref(root);
    if (cluster == NULL) {
        wbi_hub_reply_error(r, 422, "invalid_request",
                            "$.Galaxy.target_id: the cluster's id or uuid");
        return;
    }
    wb_share s;
    wbi_hub_share_of(r, &s);
    int rc = wb_share_misp_cluster_attach(&s, wbi_hub_rdup(r, target), attribute, cluster,
                                          &r->resp->body);
    wbi_hub_reply_share(r, &s, rc, 200);
}

/* ---- proposals ------------------------------------------------------------------------------- */

void wbi_hub_h_misp_prop_add(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    int rc = wb_share_proposal_add(&s, r->id, r->req->body, r->req->body_len, &r->resp->body);
    wbi_hub_reply_share(r, &s, rc, 200);
}

void wbi_hub_h_misp_prop_edit(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    int rc =
        wb_share_proposal_edit(&s, r->id, r->req->body, r->req->body_len, false, &r->resp->body);
    wbi_hub_reply_share(r, &s, rc, 200);
}

void wbi_hub_h_misp_prop_delete(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_proposal_edit(&s, r->id, NULL, 0, true, &r->resp->body),
                        200);
}

void wbi_hub_h_misp_prop_accept(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_proposal_accept(&s, r->id, &r->resp->body), 200);
}

void wbi_hub_h_misp_prop_discard(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_proposal_discard(&s, r->id, &r->resp->body), 200);
}

void wbi_hub_h_misp_prop_index(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_proposal_list(&s, r->id, &r->resp->body), 200);
}

void wbi_hub_h_misp_prop_view(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_proposal_view(&s, r->id, &r->resp->body), 200);
}

/* ---- attributes and objects by id ------------------------------------------------------------ */

void wbi_hub_h_misp_attr_view(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_misp_attr_view(&s, r->id, &r->resp->body), 200);
}

void wbi_hub_h_misp_object_delete(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_misp_object_delete(&s, r->id, &r->resp->body), 200);
}

void wbi_hub_h_misp_event_view_person(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_misp_event_view(&s, r->id, &r->resp->body), 200);
}
