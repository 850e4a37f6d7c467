/*
 * misp_api.c - MISP's REST API, the part integrations (PyMISP, SOAR
 * playbooks, sensors) use, at MISP's paths and in MISP's shapes: version
 * and user information, describeTypes, events restSearch, publish and
 * delete, attributes restSearch, add, edit and delete, objects add, tags,
 * organisations, sharing groups, feeds and sightings. HTTP only: the share
 * service (sharesvc.h) applies the policy and does the work; the routes
 * are in api.c's table with WBI_ROUTE_RAW_KEY ("Authorization: KEY" as
 * MISP takes it) and WBI_ROUTE_MISP (errors in MISP's shape, written by
 * misp_sync_api.c's wbi_hub_misp_error_shape).
 *
 * Events are named by uuid or MISP's numeric id on these paths,
 * attributes by uuid (PyMISP sends uuids); docs/hub.md lists what differs
 * from MISP and why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/router.h"
#include "weerbaar/sync.h"

/* The MISP release whose API these routes follow, and the PyMISP release
 * the tests run. */
#define MISP_API_VERSION "2.5.34"
#define PYMISP_VERSION "2.5.34"

/* ---- who and what -------------------------------------------------------------------------- */

void wbi_hub_h_misp_version(wbi_hub_req *r)
{
    bool sensor = r->who.role == WB_ROLE_SENSOR;
    wbi_hub_reply_json(r, 200,
                       json_pack("{s:s,s:s,s:b,s:b,s:b,s:[],s:b}", "version", MISP_API_VERSION,
                                 "pymisp_recommended_version", PYMISP_VERSION, "perm_sync", 0,
                                 "perm_sighting", 1, "perm_galaxy_editor", 0, "request_encoding",
                                 "filter_sightings", !sensor));
}

void wbi_hub_h_misp_pymisp_version(wbi_hub_req *r)
{
    wbi_hub_reply_json(r, 200, json_pack("{s:s}", "version", PYMISP_VERSION));
}

/* MISP's role of a weerbaar role (its ids are MISP's default roles). */
static const char *role_id(wb_role role)
{
    return role == WB_ROLE_SITE_ADMIN  ? "1"
           : role == WB_ROLE_ORG_ADMIN ? "2"
           : role == WB_ROLE_MEMBER    ? "3"
                                       : "5";
}

static json_t *role_json(wb_role role)
{
    bool sensor = role == WB_ROLE_SENSOR;
    bool admin = role == WB_ROLE_SITE_ADMIN || role == WB_ROLE_ORG_ADMIN;
    return json_pack("{s:s,s:s,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b}", "id", role_id(role), "name",
                     wb_role_name(role), "perm_add", !sensor, "perm_modify", !sensor,
                     "perm_modify_org", !sensor, "perm_publish", !sensor, "perm_admin", admin,
                     "perm_site_admin", role == WB_ROLE_SITE_ADMIN, "perm_sighting", 1,
                     "perm_tagger", !sensor);
}

void wbi_hub_h_misp_user_me(wbi_hub_req *r)
{
    char uid[24], oid[24];
    snprintf(uid, sizeof uid, "%lld", (long long)r->who.user_id);
    snprintf(oid, sizeof oid, "%lld", (long long)r->who.org_id);
    json_t *u = json_pack("{s:s,s:s,s:s,s:s,s:b}", "id", uid, "email", r->owner.email, "org_id",
                          oid, "role_id", role_id(r->who.role), "disabled", 0);
    json_t *o = json_pack("{s:s,s:s}", "id", oid, "name", r->owner.org_name);
    wbi_hub_reply_json(r, 200,
                       json_pack("{s:o,s:o,s:o,s:[]}", "User", u, "Role", role_json(r->who.role),
                                 "Organisation", o, "UserSetting"));
}

/* The categories and types this hub knows, with MISP's default category
 * and to_ids for each (MISP's describeTypes contract; the table is ours). */
static const struct {
    const char *type, *category;
    bool to_ids;
} types[] = {
    {"ip-src", "Network activity", true},
    {"ip-dst", "Network activity", true},
    {"ip-src|port", "Network activity", true},
    {"ip-dst|port", "Network activity", true},
    {"domain", "Network activity", true},
    {"domain|ip", "Network activity", true},
    {"hostname", "Network activity", true},
    {"hostname|port", "Network activity", true},
    {"url", "Network activity", true},
    {"uri", "Network activity", true},
    {"user-agent", "Network activity", false},
    {"AS", "Network activity", false},
    {"email", "Social network", true},
    {"email-src", "Payload delivery", true},
    {"email-dst", "Network activity", true},
    {"email-subject", "Payload delivery", false},
    {"md5", "Payload delivery", true},
    {"sha1", "Payload delivery", true},
    {"sha256", "Payload delivery", true},
    {"sha512", "Payload delivery", true},
    {"ssdeep", "Payload delivery", true},
    {"filename", "Payload delivery", true},
    {"filename|md5", "Payload delivery", true},
    {"filename|sha1", "Payload delivery", true},
    {"filename|sha256", "Payload delivery", true},
    {"vulnerability", "External analysis", false},
    {"link", "External analysis", false},
    {"text", "Other", false},
    {"comment", "Other", false},
    {"port", "Network activity", false},
    {"x509-fingerprint-sha1", "Network activity", true},
    {"ja3-fingerprint-md5", "Network activity", true},
    {"btc", "Financial fraud", true},
    {"other", "Other", false},
};

void wbi_hub_h_misp_describe_types(wbi_hub_req *r)
{
    json_t *tl = json_array(), *sane = json_object(), *cats = json_array(), *map = json_object();
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        json_array_append_new(tl, json_string(types[i].type));
        json_object_set_new(sane, types[i].type,
                            json_pack("{s:s,s:i}", "default_category", types[i].category, "to_ids",
                                      types[i].to_ids ? 1 : 0));
        json_t *m = json_object_get(map, types[i].category);
        if (m == NULL) {
            m = json_array();
            json_object_set_new(map, types[i].category, m);
            json_array_append_new(cats, json_string(types[i].category));
        }
        json_array_append_new(m, json_string(types[i].type));
    }
    wbi_hub_reply_json(r, 200,
                       json_pack("{s:{s:o,s:o,s:o,s:o}}", "result", "sane_defaults", sane, "types",
                                 tl, "categories", cats, "category_type_mappings", map));
}

/* ---- events and attributes ------------------------------------------------------------------ */

static void search(wbi_hub_req *r, bool attributes)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    const char *ct = NULL;
    int rc =
        wb_share_misp_search(&s, attributes, r->req->body, r->req->body_len, &r->resp->body, &ct);
    wbi_hub_reply_share(r, &s, rc, 200);
    if (rc == 0) r->resp->content_type = ct;
}

void wbi_hub_h_misp_event_search(wbi_hub_req *r)
{
    search(r, false);
}

void wbi_hub_h_misp_attr_search(wbi_hub_req *r)
{
    search(r, true);
}

/* MISP's numeric event id in the path (r->id) as the event's uuid; a
 * uuid, and an id of no event, are left for the service to answer (404,
 * the same for an event the caller may not see). */
static void event_ref(wbi_hub_req *r)
{
    if (r->id == NULL || wb_uuid_valid(r->id, strlen(r->id))) return;
    char uuid[WB_UUID_LEN + 1];
    wb_error err = {0};
    if (wb_sync_event_ref(r->st, r->id, uuid, &err) == 0) r->id = wbi_hub_rdup(r, uuid);
}

/* MISP's answer to a write that went through: {"saved", "success",
 * "name", "message", "url", "id"}. */
static void saved(wbi_hub_req *r, const char *what)
{
    wbi_hub_reply_json(r, 200,
                       json_pack("{s:b,s:b,s:s,s:s,s:s,s:s}", "saved", 1, "success", 1, "name",
                                 what, "message", what, "url", r->req->path, "id",
                                 r->id ? r->id : ""));
}

void wbi_hub_h_misp_event_publish(wbi_hub_req *r)
{
    event_ref(r);
    wb_share s;
    wbi_hub_share_of(r, &s);
    wb_buf b = {0};
    int rc = wb_share_event_publish(&s, r->id, &b);
    wb_buf_free(&b);
    if (rc)
        wbi_hub_reply_share(r, &s, rc, 200);
    else
        saved(r, "Job queued");
}

void wbi_hub_h_misp_event_delete(wbi_hub_req *r)
{
    if (wbi_hub_misp_sync_delete(r)) return; /* a server's sync user (misp_sync_api.c) */
    event_ref(r);
    wb_share s;
    wbi_hub_share_of(r, &s);
    wb_buf b = {0};
    int rc = wb_share_event_delete(&s, r->id, &b);
    wb_buf_free(&b);
    if (rc)
        wbi_hub_reply_share(r, &s, rc, 200);
    else
        saved(r, "Event deleted.");
}

void wbi_hub_h_misp_attr_add(wbi_hub_req *r)
{
    event_ref(r);
    wb_share s;
    wbi_hub_share_of(r, &s);
    int rc = wb_share_misp_attr_add(&s, r->id, r->req->body, r->req->body_len, &r->resp->body);
    wbi_hub_reply_share(r, &s, rc, 200);
}

void wbi_hub_h_misp_attr_edit(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    int rc = wb_share_misp_attr_edit(&s, r->id, r->req->body, r->req->body_len, &r->resp->body);
    wbi_hub_reply_share(r, &s, rc, 200);
}

void wbi_hub_h_misp_attr_delete(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_misp_attr_delete(&s, r->id, &r->resp->body), 200);
}

void wbi_hub_h_misp_object_add(wbi_hub_req *r)
{
    event_ref(r);
    wb_share s;
    wbi_hub_share_of(r, &s);
    int rc = wb_share_misp_object_add(&s, r->id, r->req->body, r->req->body_len, &r->resp->body);
    wbi_hub_reply_share(r, &s, rc, 200);
}

static void tag(wbi_hub_req *r, bool attach)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    int rc = wb_share_misp_tag(&s, r->req->body, r->req->body_len, attach, &r->resp->body);
    wbi_hub_reply_share(r, &s, rc, 200);
}

void wbi_hub_h_misp_tag_attach(wbi_hub_req *r)
{
    tag(r, true);
}

void wbi_hub_h_misp_tag_remove(wbi_hub_req *r)
{
    tag(r, false);
}

/* ---- lists ----------------------------------------------------------------------------------- */

void wbi_hub_h_misp_tags(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_misp_tags(&s, &r->resp->body), 200);
}

void wbi_hub_h_misp_sgroups(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_misp_sgroups(&s, r->id, &r->resp->body), 200);
}

/* organisations/index/scope:local and the like: every organisation. */
void wbi_hub_h_misp_orgs_all(wbi_hub_req *r)
{
    r->id = NULL;
    wbi_hub_h_misp_orgs(r);
}

void wbi_hub_h_misp_orgs(wbi_hub_req *r)
{
    wb_share s;
    wbi_hub_share_of(r, &s);
    wbi_hub_reply_share(r, &s, wb_share_misp_orgs(&s, r->id, &r->resp->body), 200);
}

/* feeds/index: the feeds this hub serves itself (its own MISP feeds). */
void wbi_hub_h_misp_feeds(wbi_hub_req *r)
{
    wbi_hub_reply_json(r, 200,
                       json_pack("[{s:{s:s,s:s,s:s,s:s,s:b,s:s}},{s:{s:s,s:s,s:s,s:s,s:b,s:s}}]",
                                 "Feed", "id", "1", "name", "weerbaar hub feed (members)",
                                 "provider", "weerbaar", "url", "/feeds/misp", "enabled", 1,
                                 "source_format", "misp", "Feed", "id", "2", "name",
                                 "weerbaar hub feed (public)", "provider", "weerbaar", "url",
                                 "/feeds/public", "enabled", 1, "source_format", "misp"));
}
