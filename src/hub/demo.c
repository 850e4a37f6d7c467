/*
 * demo.c - the demo database behind `weerbaar admin demo` and `make run`:
 * the demo's accounts (wb_admin_demo_accounts: a national CSIRT, three
 * organisations of its constituency, a sharing group, users with keys, a
 * warninglist), then events at every TLP level and a sighting posted
 * through the API handler with the users' own keys, so the demo data
 * passed the same validation, warninglists and policy as anything a member
 * posts, and a constituency with incident history for the picture. All
 * addresses are documentation ranges (RFC 5737, RFC 3849) and all names
 * end in .example (RFC 2606), except the public resolver that shows the
 * warninglist at work.
 */
#include <stdio.h>
#include <string.h>

#include "weerbaar/admin.h"
#include "weerbaar/hub.h"
#include "weerbaar/incidentsvc.h"
#include "weerbaar/picture.h"

/* Organisations of the generated constituency: enough for most cells of a
 * monthly picture to reach k = 3. */
#define DEMO_CONSTITUENCY 120

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

static const char sighting[] = "{\"value\":\"203.0.113.45\",\"type\":\"0\",\"source\":"
                               "\"energienet-zeek\",\"count\":3}";

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

static const char *key_of(const wb_admin_demo *d, const char *email)
{
    for (size_t i = 0; i < WB_ADMIN_DEMO_USERS; i++)
        if (strcmp(d->users[i].email, email) == 0) return d->users[i].key;
    return "";
}

int wb_hub_demo(wb_store *st, const char *db,
                void (*key)(void *ud, const char *email, const char *org, const char *role,
                            const char *key),
                void *ud, wb_error *err)
{
    wb_admin_demo d;
    wb_actor op = wb_incsvc_operator();
    int rc = wb_admin_demo_accounts(st, &op, db, &d, err);
    if (rc) return rc;
    wb_hub *hub = NULL;
    wb_hub_opts ho = {.db = db, .connections = 1, .rate = 1000};
    rc = wb_hub_open(&hub, &ho, err);
    wb_buf body = {0};
    for (size_t i = 0; rc == 0 && i < sizeof events / sizeof events[0]; i++) {
        /* Put the sharing group's uuid, made just now, into the event. */
        wb_buf_reset(&body);
        const char *s = events[i].json, *m;
        while (rc == 0 && (m = strstr(s, "%SG%")) != NULL) {
            rc = wb_buf_append(&body, s, (size_t)(m - s));
            if (rc == 0) rc = wb_buf_puts(&body, d.sgroup_uuid);
            s = m + 4;
        }
        if (rc == 0) rc = wb_buf_puts(&body, s);
        if (rc == 0) rc = post(hub, "/api/v1/events", key_of(&d, events[i].poster), body.data, err);
    }
    if (rc == 0)
        rc = post(hub, "/api/v1/sightings", key_of(&d, "sensor@energienet.example"), sighting, err);
    wb_buf_free(&body);
    wb_hub_close(hub);
    /* A constituency with a quarter of incident history, so that
     * `weerbaar picture` has cells to publish (docs/picture.md). */
    if (rc == 0) rc = wb_picture_demo(st, DEMO_CONSTITUENCY, 92, wb_time_now(), 1, err);
    for (size_t i = 0; rc == 0 && i < WB_ADMIN_DEMO_USERS; i++)
        key(ud, d.users[i].email, d.users[i].org, wb_role_name(d.users[i].role), d.users[i].key);
    return rc;
}
