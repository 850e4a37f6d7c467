/*
 * demo.c - the demo's accounts (admin.h, wb_admin_demo_accounts): a
 * national CSIRT and three organisations of its constituency (an essential
 * energy company, an important health organisation and a municipality), a
 * sharing group, users of every role with a key each, and a warninglist.
 * The demo's events are posted by the hub through its own API as these
 * users (src/hub/demo.c, wb_hub_demo), so they pass the same validation,
 * warninglists and policy as anything a member posts. All names end in
 * .example (RFC 2606), except the public resolvers of the warninglist.
 */
#include <stdio.h>
#include <string.h>

#include "weerbaar/admin.h"

typedef struct demo_org {
    const char *name;
    wb_org_kind kind;
    const char *sector, *kvk;
} demo_org;

static const demo_org orgs[] = {
    {"Demo-CSIRT", WB_ORG_CSIRT, "digital infrastructure", "90000001"},
    {"Energienet", WB_ORG_ESSENTIAL, "energy", "90000002"},
    {"Zorggroep-Midden", WB_ORG_IMPORTANT, "health", "90000003"},
    {"Gemeente-Voorbeeld", WB_ORG_OTHER, "public administration", "90000004"},
};

typedef struct demo_user {
    const char *email, *org;
    wb_role role;
} demo_user;

static const demo_user users[] = {
    {"admin@csirt.example", "Demo-CSIRT", WB_ROLE_SITE_ADMIN},
    {"analist@csirt.example", "Demo-CSIRT", WB_ROLE_MEMBER},
    {"soc@energienet.example", "Energienet", WB_ROLE_ORG_ADMIN},
    {"sensor@energienet.example", "Energienet", WB_ROLE_SENSOR},
    {"security@zorggroep-midden.example", "Zorggroep-Midden", WB_ROLE_MEMBER},
    {"ict@gemeente-voorbeeld.example", "Gemeente-Voorbeeld", WB_ROLE_MEMBER},
};

#define SG_NAME "Vitaal-Energie-Zorg"

_Static_assert(sizeof users / sizeof users[0] == WB_ADMIN_DEMO_USERS, "admin.h's count");

/* The hub's demo warninglist: public resolvers, which an event names now
 * and then (a phishing kit's resolver) and which would otherwise alert on
 * every DNS log line. */
static const char warninglist_name[] = "Public DNS resolvers (demo excerpt)";
static const char warninglist[] =
    "{\"name\":\"Public DNS resolvers (demo excerpt)\",\"version\":1,\"description\":"
    "\"Public DNS resolvers: an indicator that names one is almost always a false positive.\","
    "\"type\":\"cidr\",\"matching_attributes\":[\"ip-src\",\"ip-dst\",\"domain|ip\"],"
    "\"list\":[\"8.8.8.8/32\",\"8.8.4.4/32\",\"1.1.1.1/32\",\"9.9.9.9/32\"]}";

static int count_org(void *ud, const wb_org *o)
{
    (void)o;
    (*(int *)ud)++;
    return 1;
}

static int org_id(void *ud, const wb_org *o)
{
    *(int64_t *)ud = o->id;
    return 1;
}

static int sg_uuid(void *ud, const wb_sgroup *g)
{
    snprintf(ud, WB_UUID_LEN + 1, "%s", g->uuid);
    return 1;
}

int wb_admin_demo_accounts(wb_store *st, const wb_actor *who, const char *db, wb_admin_demo *out,
                           wb_error *err)
{
    memset(out, 0, sizeof *out);
    int n = 0;
    int rc = wb_store_org_list(st, count_org, &n, err);
    if (rc == 0 && n > 0)
        return wb_error_set(err, WB_EINVAL,
                            "%s: the database already holds organisations; the "
                            "demo needs an empty one",
                            db);
    rc = wb_store_begin(st, err);
    for (size_t i = 0; rc == 0 && i < sizeof orgs / sizeof orgs[0]; i++)
        rc = wb_store_org_add(st, orgs[i].name, orgs[i].kind, orgs[i].sector, orgs[i].kvk, NULL,
                              err);
    int64_t ids[3];
    for (size_t i = 0; rc == 0 && i < 3; i++)
        rc = wb_store_org_find(st, orgs[i].name, org_id, &ids[i], err);
    if (rc == 0) rc = wb_store_sgroup_add(st, SG_NAME, ids, 3, NULL, err);
    for (size_t i = 0; rc == 0 && i < sizeof users / sizeof users[0]; i++) {
        wb_admin_demo_user *u = &out->users[i];
        int64_t org = 0, uid = 0;
        u->email = users[i].email;
        u->org = users[i].org;
        u->role = users[i].role;
        rc = wb_store_org_find(st, users[i].org, org_id, &org, err);
        if (rc == 0) rc = wb_store_user_add(st, users[i].email, org, users[i].role, &uid, err);
        if (rc == 0) rc = wb_store_key_add(st, uid, u->key, NULL, err);
    }
    if (rc == 0) rc = wb_store_warninglist_put(st, warninglist_name, warninglist, err);
    if (rc == 0) {
        wb_audit_rec a = {.user = who->user,
                          .org = who->org_name,
                          .action = "demo",
                          .object = db,
                          .detail = "demo organisations, users, keys, sharing group and "
                                    "warninglist"};
        rc = wb_store_audit(st, &a, err);
    }
    if (rc == 0) rc = wb_store_commit(st, err);
    if (rc) {
        wb_store_rollback(st);
        return rc;
    }
    return wb_store_sgroup_find(st, 0, SG_NAME, sg_uuid, out->sgroup_uuid, err);
}
