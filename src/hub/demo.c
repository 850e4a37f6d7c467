/*
 * demo.c - the demo database behind `weerbaar admin demo` and `make run`:
 * a national CSIRT and three organisations of its constituency (an
 * essential energy company, an important health organisation and a
 * municipality), a sharing group, users with keys, a warninglist, and
 * events at every TLP level. Events and a sighting go in through the API
 * handler with the users' own keys, so the demo data passed the same
 * validation, warninglists and policy as anything a member posts. All
 * addresses are documentation ranges (RFC 5737, RFC 3849) and all names
 * end in .example (RFC 2606), except the public resolver that shows the
 * warninglist at work.
 */
#include <stdio.h>
#include <string.h>

#include "weerbaar/hub.h"
#include "weerbaar/picture.h"

/* Organisations of the generated constituency: enough for most cells of a
 * monthly picture to reach k = 3. */
#define DEMO_CONSTITUENCY 120

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

/* Which user posts each event; "%SG%" becomes the sharing group's uuid. */
typedef struct demo_event {
    const char *poster;
    const char *json;
} demo_event;

static const demo_event events[] = {
    {"analist@csirt.example",
     "{\"Event\":{\"published\":true,\"uuid\":\"6d0e5a10-0001-4000-8000-000000000001\",\"info\":"
     "\"Phishing "
     "campaign impersonating DigiD log-in pages\",\"date\":\"2026-11-20\",\"distribution\":\"3\","
     "\"threat_level_id\":\"2\",\"analysis\":\"2\",\"Tag\":[{\"name\":\"tlp:clear\"},{\"name\":"
     "\"misp-galaxy:sector=\\\"Government\\\"\"}],\"Attribute\":["
     "{\"type\":\"domain\",\"category\":\"Network activity\",\"value\":\"digid-inloggen.example\","
     "\"to_ids\":true},"
     "{\"type\":\"url\",\"category\":\"Network activity\",\"value\":\"https://"
     "digid-inloggen.example/login/verificatie\",\"to_ids\":true},"
     "{\"type\":\"ip-dst\",\"category\":\"Network activity\",\"value\":\"198.51.100.23\","
     "\"to_ids\":true},"
     /* On the demo warninglist: stored with to_ids false. */
     "{\"type\":\"ip-dst\",\"category\":\"Network activity\",\"value\":\"8.8.8.8\","
     "\"to_ids\":true,\"comment\":\"resolver the phishing kit's pages query\"},"
     "{\"type\":\"email-src\",\"category\":\"Payload delivery\",\"value\":\"noreply@"
     "digid-inloggen.example\",\"to_ids\":true}]}}"},
    {"analist@csirt.example",
     "{\"Event\":{\"published\":true,\"uuid\":\"6d0e5a10-0002-4000-8000-000000000002\",\"info\":"
     "\"Mass scanning "
     "for vulnerable VPN gateways (CVE-2023-3519)\",\"date\":\"2026-11-21\",\"distribution\":"
     "\"1\",\"Tag\":[{\"name\":\"tlp:green\"}],\"Attribute\":["
     "{\"type\":\"ip-src\",\"category\":\"Network activity\",\"value\":\"203.0.113.0/24\","
     "\"to_ids\":true,\"comment\":\"scanner range\"},"
     "{\"type\":\"ip-src\",\"category\":\"Network activity\",\"value\":\"203.0.113.45\","
     "\"to_ids\":true},"
     "{\"type\":\"vulnerability\",\"category\":\"External analysis\",\"value\":\"CVE-2023-3519\","
     "\"to_ids\":false}]}}"},
    {"analist@csirt.example",
     "{\"Event\":{\"published\":true,\"uuid\":\"6d0e5a10-0003-4000-8000-000000000003\",\"info\":"
     "\"Ransomware "
     "intrusion at a distribution system operator: C2 infrastructure\",\"date\":\"2026-11-22\","
     "\"distribution\":\"4\",\"SharingGroup\":{\"uuid\":\"%SG%\"},\"Tag\":[{\"name\":"
     "\"tlp:amber\"}],\"Attribute\":["
     "{\"type\":\"domain\",\"category\":\"Network activity\",\"value\":\"update-check.example\","
     "\"to_ids\":true},"
     "{\"type\":\"ip-dst|port\",\"category\":\"Network activity\",\"value\":\"192.0.2.66|443\","
     "\"to_ids\":true},"
     "{\"type\":\"sha256\",\"category\":\"Payload installation\",\"value\":"
     "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\",\"to_ids\":true},"
     "{\"type\":\"ip-dst\",\"category\":\"Network activity\",\"value\":\"192.0.2.67\","
     "\"to_ids\":true,\"distribution\":\"0\",\"Tag\":[{\"name\":\"tlp:red\"}],\"comment\":"
     "\"source-sensitive: the CSIRT only\"}]}}"},
    {"soc@energienet.example",
     "{\"Event\":{\"published\":true,\"uuid\":\"6d0e5a10-0004-4000-8000-000000000004\",\"info\":"
     "\"Energienet: "
     "unexpected Modbus writes from an engineering workstation\",\"date\":\"2026-11-23\","
     "\"distribution\":\"0\",\"Tag\":[{\"name\":\"tlp:amber+strict\"}],\"Attribute\":["
     "{\"type\":\"ip-src\",\"category\":\"Network activity\",\"value\":\"192.0.2.130\","
     "\"to_ids\":true},"
     "{\"type\":\"filename|md5\",\"category\":\"Artifacts dropped\",\"value\":\"eng-tool.exe|"
     "d41d8cd98f00b204e9800998ecf8427e\",\"to_ids\":true}]}}"},
    {"analist@csirt.example",
     "{\"Event\":{\"published\":true,\"uuid\":\"6d0e5a10-0005-4000-8000-000000000005\",\"info\":"
     "\"Actor "
     "targeting hospital networks: spear-phishing senders\",\"date\":\"2026-11-24\","
     "\"distribution\":\"4\",\"SharingGroup\":{\"uuid\":\"%SG%\"},\"Tag\":[{\"name\":"
     "\"tlp:red\"}],\"Attribute\":["
     "{\"type\":\"email-src\",\"category\":\"Payload delivery\",\"value\":\"hr-portal@"
     "zorg-vacatures.example\",\"to_ids\":true},"
     "{\"type\":\"hostname\",\"category\":\"Network activity\",\"value\":\"mail.zorg-vacatures."
     "example\",\"to_ids\":true}]}}"},
    {"security@zorggroep-midden.example",
     "{\"Event\":{\"published\":true,\"uuid\":\"6d0e5a10-0006-4000-8000-000000000006\",\"info\":"
     "\"Zorggroep: "
     "credential stuffing against the patient portal\",\"date\":\"2026-11-25\","
     "\"distribution\":\"1\",\"Attribute\":["
     "{\"type\":\"ip-src\",\"category\":\"Network activity\",\"value\":\"198.51.100.0/25\","
     "\"to_ids\":true},"
     "{\"type\":\"ip-src\",\"category\":\"Network activity\",\"value\":\"2001:db8:1::7\","
     "\"to_ids\":true},"
     "{\"type\":\"user-agent\",\"category\":\"Network activity\",\"value\":\"python-requests/"
     "2.31.0\",\"to_ids\":false}]}}"},
    {"ict@gemeente-voorbeeld.example",
     "{\"Event\":{\"published\":true,\"uuid\":\"6d0e5a10-0007-4000-8000-000000000007\",\"info\":"
     "\"Gemeente: fake "
     "invoice e-mails with a malicious link\",\"date\":\"2026-11-26\",\"distribution\":\"2\","
     "\"Tag\":[{\"name\":\"tlp:green\"}],\"Attribute\":["
     "{\"type\":\"url\",\"category\":\"Network activity\",\"value\":\"http://factuur-"
     "download.example/f/2026-1183.zip\",\"to_ids\":true},"
     "{\"type\":\"domain|ip\",\"category\":\"Network activity\",\"value\":\"factuur-download."
     "example|198.51.100.77\",\"to_ids\":true}]}}"},
};

/* The hub's demo warninglist: public resolvers, which an event names now
 * and then (a phishing kit's resolver) and which would otherwise alert on
 * every DNS log line. */
static const char warninglist_name[] = "Public DNS resolvers (demo excerpt)";
static const char warninglist[] =
    "{\"name\":\"Public DNS resolvers (demo excerpt)\",\"version\":1,\"description\":"
    "\"Public DNS resolvers: an indicator that names one is almost always a false positive.\","
    "\"type\":\"cidr\",\"matching_attributes\":[\"ip-src\",\"ip-dst\",\"domain|ip\"],"
    "\"list\":[\"8.8.8.8/32\",\"8.8.4.4/32\",\"1.1.1.1/32\",\"9.9.9.9/32\"]}";

static const char sighting[] = "{\"value\":\"203.0.113.45\",\"type\":\"0\",\"source\":"
                               "\"energienet-zeek\",\"count\":3}";

typedef struct kept_key {
    const char *email;
    char key[WB_KEY_TEXT_LEN + 1];
} kept_key;

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

/* Posts body as the holder of key; the answer must be 2xx. */
static int post(wb_hub *hub, const char *path, const char *key, const char *body, wb_error *err)
{
    char auth[WB_KEY_TEXT_LEN + 16];
    snprintf(auth, sizeof auth, "Bearer %s", key);
    wb_hub_request req = {.method = "POST",
                          .path = path,
                          .authorization = auth,
                          .body = body,
                          .body_len = strlen(body)};
    wb_hub_response resp;
    wb_hub_handle(hub, &req, &resp);
    int rc = 0;
    if (resp.status / 100 != 2)
        rc = wb_error_set(err, WB_EINTERNAL, "demo: %s answered %u: %.300s", path, resp.status,
                          resp.body.data ? resp.body.data : "");
    wb_hub_response_free(&resp);
    return rc;
}

static const char *key_of(const kept_key *keys, const char *email)
{
    for (size_t i = 0; i < sizeof users / sizeof users[0]; i++)
        if (strcmp(keys[i].email, email) == 0) return keys[i].key;
    return "";
}

int wb_hub_demo(wb_store *st, const char *db,
                void (*key)(void *ud, const char *email, const char *org, const char *role,
                            const char *key),
                void *ud, wb_error *err)
{
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
    kept_key keys[sizeof users / sizeof users[0]];
    for (size_t i = 0; rc == 0 && i < sizeof users / sizeof users[0]; i++) {
        int64_t org = 0, uid = 0;
        rc = wb_store_org_find(st, users[i].org, org_id, &org, err);
        if (rc == 0) rc = wb_store_user_add(st, users[i].email, org, users[i].role, &uid, err);
        if (rc == 0) rc = wb_store_key_add(st, uid, keys[i].key, NULL, err);
        keys[i].email = users[i].email;
    }
    if (rc == 0) rc = wb_store_warninglist_put(st, warninglist_name, warninglist, err);
    if (rc == 0) {
        wb_audit_rec a = {.user = "cli",
                          .org = "-",
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
    char sg[WB_UUID_LEN + 1] = "";
    rc = wb_store_sgroup_find(st, 0, SG_NAME, sg_uuid, sg, err);
    wb_hub *hub = NULL;
    wb_hub_opts ho = {.db = db, .connections = 1, .rate = 1000};
    if (rc == 0) rc = wb_hub_open(&hub, &ho, err);
    wb_buf body = {0};
    for (size_t i = 0; rc == 0 && i < sizeof events / sizeof events[0]; i++) {
        /* Put the sharing group's uuid, made just now, into the event. */
        wb_buf_reset(&body);
        const char *s = events[i].json, *m;
        while (rc == 0 && (m = strstr(s, "%SG%")) != NULL) {
            rc = wb_buf_append(&body, s, (size_t)(m - s));
            if (rc == 0) rc = wb_buf_puts(&body, sg);
            s = m + 4;
        }
        if (rc == 0) rc = wb_buf_puts(&body, s);
        if (rc == 0)
            rc = post(hub, "/api/v1/events", key_of(keys, events[i].poster), body.data, err);
    }
    if (rc == 0)
        rc = post(hub, "/api/v1/sightings", key_of(keys, "sensor@energienet.example"), sighting,
                  err);
    wb_buf_free(&body);
    wb_hub_close(hub);
    /* A constituency with a quarter of incident history, so that
     * `weerbaar picture` has cells to publish (docs/picture.md). */
    if (rc == 0) rc = wb_picture_demo(st, DEMO_CONSTITUENCY, 92, wb_time_now(), 1, err);
    for (size_t i = 0; rc == 0 && i < sizeof users / sizeof users[0]; i++)
        key(ud, users[i].email, users[i].org, wb_role_name(users[i].role), keys[i].key);
    return rc;
}
