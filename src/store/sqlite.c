/*
 * sqlite.c - the SQLite back end of the store (store_internal.h).
 *
 * One wb_store is one sqlite3 connection. The database runs in WAL mode so
 * readers never wait for the writer, with synchronous=FULL because the hub
 * promises that a write it answered 2xx survives a crash or kill -9, with
 * foreign keys on and a busy timeout so concurrent writers from several
 * connections queue instead of failing. Statements are prepared once per
 * connection on first use and kept.
 *
 * The schema is created and upgraded by the migrations in the const table
 * below, run in one transaction at open and recorded in schema_version; a
 * database newer than this program is refused rather than guessed at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "store/store_internal.h"

#define BUSY_TIMEOUT_MS 10000

/* ---- schema -------------------------------------------------------------- */

typedef struct sq_store sq_store;

typedef struct migration {
    int version;
    const char *sql;
} migration;

/* What a migration needs besides its SQL: work SQL cannot do (hashing),
 * then SQL to run after that work. */
typedef struct migration_step {
    int version;
    int (*post)(sq_store *q, wb_error *err);
    const char *sql_after;
} migration_step;

static int audit_backfill(sq_store *q, wb_error *err);

/* Never edit a migration that has shipped: add the next one. */
static const migration migrations[] = {
    {1, "CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
        "CREATE TABLE orgs(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
        " name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
        " kind TEXT NOT NULL CHECK(kind IN ('csirt','essential','important','supervisor','other')),"
        " sector TEXT, kvk TEXT, created INTEGER NOT NULL);"
        "CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
        " org_id INTEGER NOT NULL REFERENCES orgs(id),"
        " role TEXT NOT NULL CHECK(role IN ('site-admin','org-admin','member','sensor')),"
        " created INTEGER NOT NULL);"
        "CREATE INDEX users_org ON users(org_id);"
        "CREATE TABLE api_keys(id INTEGER PRIMARY KEY,"
        " user_id INTEGER NOT NULL REFERENCES users(id), hash BLOB NOT NULL UNIQUE,"
        " created INTEGER NOT NULL, revoked INTEGER);"
        "CREATE INDEX api_keys_user ON api_keys(user_id);"
        "CREATE TABLE sharing_groups(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
        " name TEXT NOT NULL UNIQUE COLLATE NOCASE, created INTEGER NOT NULL);"
        "CREATE TABLE sharing_group_orgs(sg_id INTEGER NOT NULL REFERENCES sharing_groups(id),"
        " org_id INTEGER NOT NULL REFERENCES orgs(id), PRIMARY KEY(sg_id, org_id)) WITHOUT ROWID;"
        "CREATE INDEX sharing_group_orgs_org ON sharing_group_orgs(org_id);"
        "CREATE TABLE events(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
        " org_id INTEGER NOT NULL REFERENCES orgs(id), info TEXT NOT NULL, date TEXT NOT NULL,"
        " distribution INTEGER NOT NULL CHECK(distribution BETWEEN 0 AND 4),"
        " sharing_group_id INTEGER REFERENCES sharing_groups(id),"
        " tlp INTEGER NOT NULL, published INTEGER NOT NULL DEFAULT 0,"
        " deleted INTEGER NOT NULL DEFAULT 0, timestamp INTEGER NOT NULL, json TEXT NOT NULL);"
        "CREATE INDEX events_time ON events(timestamp, id);"
        "CREATE INDEX events_org ON events(org_id);"
        "CREATE TABLE event_tags(event_id INTEGER NOT NULL REFERENCES events(id),"
        " name TEXT NOT NULL, PRIMARY KEY(event_id, name)) WITHOUT ROWID;"
        "CREATE INDEX event_tags_name ON event_tags(name);"
        "CREATE TABLE attributes(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
        " event_id INTEGER NOT NULL REFERENCES events(id), object_uuid TEXT,"
        " type TEXT NOT NULL, value TEXT NOT NULL, to_ids INTEGER NOT NULL,"
        " distribution INTEGER NOT NULL CHECK(distribution BETWEEN 0 AND 5),"
        " sharing_group_id INTEGER REFERENCES sharing_groups(id), tlp INTEGER NOT NULL,"
        " deleted INTEGER NOT NULL DEFAULT 0, timestamp INTEGER NOT NULL, json TEXT NOT NULL);"
        "CREATE INDEX attributes_event ON attributes(event_id);"
        /* The normalised look-up keys: one per indicator in the value (two
         * for composite types such as domain|ip), kind a wb_ioc_type. */
        "CREATE TABLE attribute_keys(norm TEXT NOT NULL, kind INTEGER NOT NULL,"
        " attribute_id INTEGER NOT NULL REFERENCES attributes(id),"
        " PRIMARY KEY(norm, kind, attribute_id)) WITHOUT ROWID;"
        "CREATE INDEX attribute_keys_attr ON attribute_keys(attribute_id);"
        "CREATE TABLE sightings(id INTEGER PRIMARY KEY,"
        " attribute_id INTEGER NOT NULL REFERENCES attributes(id),"
        " org_id INTEGER NOT NULL REFERENCES orgs(id), user_id INTEGER REFERENCES users(id),"
        " type INTEGER NOT NULL CHECK(type BETWEEN 0 AND 2), source TEXT,"
        " date_sighting INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 1,"
        " first_seen INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL);"
        "CREATE INDEX sightings_attr ON sightings(attribute_id);"
        "CREATE TABLE audit(id INTEGER PRIMARY KEY, time INTEGER NOT NULL, user TEXT NOT NULL,"
        " org TEXT NOT NULL, action TEXT NOT NULL, object TEXT, detail TEXT);"
        "CREATE INDEX audit_time ON audit(time);"
        /* Append-only, enforced by the database so that no code path (and
         * no later bug) can rewrite history. */
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
        "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"},
    /* The incident register (the Cbw reporting duty, incident.h). Reports and
     * CSIRT actions are records of what was said when: append-only like the
     * audit log, enforced by triggers; a correction is a new report. */
    {2, "CREATE TABLE incidents(id INTEGER PRIMARY KEY,"
        " org_id INTEGER NOT NULL REFERENCES orgs(id), title TEXT NOT NULL,"
        " aware_at INTEGER NOT NULL, detected_at INTEGER, entity_type TEXT NOT NULL,"
        " status TEXT NOT NULL DEFAULT 'open' CHECK(status IN ('open','handled','closed')),"
        " rsit TEXT, tlp INTEGER NOT NULL, handled_at INTEGER, created INTEGER NOT NULL);"
        "CREATE INDEX incidents_org ON incidents(org_id);"
        "CREATE TABLE incident_reports(id INTEGER PRIMARY KEY,"
        " incident_id INTEGER NOT NULL REFERENCES incidents(id), stage TEXT NOT NULL,"
        " json TEXT NOT NULL, submitted_at INTEGER NOT NULL,"
        " channel TEXT NOT NULL CHECK(channel IN ('hub','local','recorded')),"
        " author TEXT NOT NULL, created INTEGER NOT NULL);"
        "CREATE INDEX incident_reports_incident ON incident_reports(incident_id);"
        "CREATE TRIGGER incident_reports_no_update BEFORE UPDATE ON incident_reports"
        " BEGIN SELECT RAISE(ABORT, 'incident reports are immutable'); END;"
        "CREATE TRIGGER incident_reports_no_delete BEFORE DELETE ON incident_reports"
        " BEGIN SELECT RAISE(ABORT, 'incident reports are immutable'); END;"
        "CREATE TABLE incident_actions(id INTEGER PRIMARY KEY,"
        " incident_id INTEGER NOT NULL REFERENCES incidents(id),"
        " kind TEXT NOT NULL CHECK(kind IN ('ack','ask','comment')), at INTEGER NOT NULL,"
        " by_time INTEGER, text TEXT, author TEXT NOT NULL);"
        "CREATE INDEX incident_actions_incident ON incident_actions(incident_id);"
        "CREATE TRIGGER incident_actions_no_update BEFORE UPDATE ON incident_actions"
        " BEGIN SELECT RAISE(ABORT, 'incident actions are append-only'); END;"
        "CREATE TRIGGER incident_actions_no_delete BEFORE DELETE ON incident_actions"
        " BEGIN SELECT RAISE(ABORT, 'incident actions are append-only'); END;"
        /* sector '*' is the national CSIRT for every sector without a row. */
        "CREATE TABLE routes(sector TEXT PRIMARY KEY,"
        " csirt_id INTEGER NOT NULL REFERENCES orgs(id),"
        " supervisor_id INTEGER REFERENCES orgs(id), created INTEGER NOT NULL);"},
    /* hub-sync: the change feed. Every write of an event row takes the next
     * change sequence number, and the policy facts of each version are
     * kept, so that a client that last pulled at sequence S can be told
     * exactly which events it held at S have since gone or become
     * invisible to it. A counter, not the clock: clocks go backwards and
     * two writes can share a second. Writers are serialised (BEGIN
     * IMMEDIATE), so max(seq)+1 inside the write is unique and commits in
     * sequence order: a reader never sees N+1 without N. Triggers rather
     * than code, so that no write path (feed import included) can forget. */
    {3, "ALTER TABLE events ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;"
        "UPDATE events SET seq=id;"
        "CREATE UNIQUE INDEX events_seq ON events(seq);"
        "CREATE TABLE event_versions(event_id INTEGER NOT NULL REFERENCES events(id),"
        " seq INTEGER NOT NULL, tlp INTEGER NOT NULL, distribution INTEGER NOT NULL,"
        " sharing_group_id INTEGER, deleted INTEGER NOT NULL,"
        " PRIMARY KEY(event_id, seq)) WITHOUT ROWID;"
        "INSERT INTO event_versions SELECT id,seq,tlp,distribution,sharing_group_id,deleted"
        " FROM events;"
        "CREATE TRIGGER events_seq_insert AFTER INSERT ON events BEGIN"
        " UPDATE events SET seq=(SELECT coalesce(max(seq),0)+1 FROM events) WHERE id=new.id;"
        " INSERT INTO event_versions SELECT id,seq,tlp,distribution,sharing_group_id,deleted"
        " FROM events WHERE id=new.id; END;"
        /* Not on seq itself: the triggers' own UPDATE must not fire it (it
         * would not anyway without recursive_triggers; this says why). */
        "CREATE TRIGGER events_seq_update AFTER UPDATE OF uuid,org_id,info,date,distribution,"
        "sharing_group_id,tlp,published,deleted,timestamp,json ON events BEGIN"
        " UPDATE events SET seq=(SELECT coalesce(max(seq),0)+1 FROM events) WHERE id=new.id;"
        " INSERT INTO event_versions SELECT id,seq,tlp,distribution,sharing_group_id,deleted"
        " FROM events WHERE id=new.id; END;"
        /* The CIDR prefix lengths in use, so that a look-up of an address
         * probes only the blocks that can exist (2 of 33 for IPv4, say)
         * instead of every one. Only grows: a length no longer used costs
         * a probe, never a miss. */
        "CREATE TABLE cidr_prefixes(v6 INTEGER NOT NULL, len INTEGER NOT NULL,"
        " PRIMARY KEY(v6, len)) WITHOUT ROWID;"
        "INSERT OR IGNORE INTO cidr_prefixes SELECT instr(norm,':')>0,"
        " CAST(substr(norm, instr(norm,'/')+1) AS INTEGER) FROM attribute_keys"
        " WHERE kind=1 AND instr(norm,'/')>0;"
        "CREATE TRIGGER attribute_keys_prefix AFTER INSERT ON attribute_keys"
        " WHEN new.kind=1 AND instr(new.norm,'/')>0 BEGIN"
        " INSERT OR IGNORE INTO cidr_prefixes VALUES(instr(new.norm,':')>0,"
        " CAST(substr(new.norm, instr(new.norm,'/')+1) AS INTEGER)); END;"
        /* MISP warninglists the hub applies at ingest (list.json as given). */
        "CREATE TABLE warninglists(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
        " json TEXT NOT NULL, created INTEGER NOT NULL);"},
    /* 4: incident reminders. A hook's secret is kept as is: HMAC signing
     * needs the secret itself, and encrypting it under a key stored beside
     * it would protect nothing (docs/incident.md). A delivery's
     * (hook_id, event_key) is unique so that each event fires once per hook
     * however often the dispatcher looks. */
    {4, "CREATE TABLE hooks(id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id),"
        " url TEXT NOT NULL, secret TEXT NOT NULL, created INTEGER NOT NULL, removed INTEGER);"
        "CREATE INDEX hooks_org ON hooks(org_id);"
        "CREATE TABLE hook_deliveries(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
        " hook_id INTEGER NOT NULL REFERENCES hooks(id), event_key TEXT NOT NULL,"
        " body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
        " next_attempt INTEGER NOT NULL,"
        " status TEXT NOT NULL CHECK(status IN ('pending','delivered','failed','cancelled')),"
        " last_status INTEGER NOT NULL DEFAULT 0, last_error TEXT, created INTEGER NOT NULL,"
        " delivered INTEGER, UNIQUE(hook_id, event_key));"
        "CREATE INDEX hook_deliveries_due ON hook_deliveries(status, next_attempt);"
        "CREATE TABLE incident_events(incident_id INTEGER NOT NULL REFERENCES incidents(id),"
        " event_uuid TEXT NOT NULL, anonymous INTEGER NOT NULL, author TEXT NOT NULL,"
        " at INTEGER NOT NULL, PRIMARY KEY(incident_id, event_uuid)) WITHOUT ROWID;"},
    /* Assessments of the duty of care (assessdb.h). An assessment's answers
     * are versions: each change writes the whole answer set anew, so any
     * version loads with one read and history cannot be rewritten (the
     * triggers). Shares are a log too: the newest row per audience decides,
     * and who shared or revoked when stays on record. */
    {5, "CREATE TABLE assessments(id INTEGER PRIMARY KEY,"
        " org_id INTEGER NOT NULL REFERENCES orgs(id), catalogue TEXT NOT NULL, scope TEXT,"
        " target INTEGER NOT NULL CHECK(target BETWEEN 1 AND 5), author TEXT NOT NULL,"
        " created INTEGER NOT NULL);"
        "CREATE INDEX assessments_org ON assessments(org_id);"
        "CREATE TRIGGER assessments_no_update BEFORE UPDATE ON assessments"
        " BEGIN SELECT RAISE(ABORT, 'assessments are immutable: answers make new versions'); END;"
        "CREATE TRIGGER assessments_no_delete BEFORE DELETE ON assessments"
        " BEGIN SELECT RAISE(ABORT, 'assessments are kept'); END;"
        "CREATE TABLE assessment_versions("
        " assessment_id INTEGER NOT NULL REFERENCES assessments(id),"
        " version INTEGER NOT NULL CHECK(version >= 1), json TEXT NOT NULL,"
        " answers INTEGER NOT NULL, action TEXT NOT NULL, author TEXT NOT NULL,"
        " created INTEGER NOT NULL, PRIMARY KEY(assessment_id, version)) WITHOUT ROWID;"
        "CREATE TRIGGER assessment_versions_no_update BEFORE UPDATE ON assessment_versions"
        " BEGIN SELECT RAISE(ABORT, 'assessment versions are immutable'); END;"
        "CREATE TRIGGER assessment_versions_no_delete BEFORE DELETE ON assessment_versions"
        " BEGIN SELECT RAISE(ABORT, 'assessment versions are immutable'); END;"
        "CREATE TABLE assessment_shares(id INTEGER PRIMARY KEY,"
        " assessment_id INTEGER NOT NULL REFERENCES assessments(id),"
        " audience TEXT NOT NULL CHECK(audience IN ('csirt','supervisor')),"
        " shared INTEGER NOT NULL CHECK(shared IN (0,1)), author TEXT NOT NULL,"
        " at INTEGER NOT NULL);"
        "CREATE INDEX assessment_shares_assessment ON assessment_shares(assessment_id, audience);"
        "CREATE TRIGGER assessment_shares_no_update BEFORE UPDATE ON assessment_shares"
        " BEGIN SELECT RAISE(ABORT, 'assessment shares are append-only'); END;"
        "CREATE TRIGGER assessment_shares_no_delete BEFORE DELETE ON assessment_shares"
        " BEGIN SELECT RAISE(ABORT, 'assessment shares are append-only'); END;"},
    /* 6: the audit log as a hash chain, and its retention. Each entry
     * carries BLAKE2b-256 of the previous entry's hash and of itself
     * (wb_audit_hash), so a changed, removed or inserted entry breaks the
     * chain from there on (admin audit verify). Entries made before are
     * chained at this migration (audit_backfill; hashing is not SQL's),
     * with the update trigger lifted for that alone. Deleting stays
     * refused except for entries an archive (admin audit archive) has
     * written out and recorded in audit_archives, itself append-only: the
     * last archived hash is where the table's chain starts. */
    {6, "DROP TRIGGER audit_no_update;"
        "DROP TRIGGER audit_no_delete;"
        "ALTER TABLE audit ADD COLUMN hash BLOB;"
        "CREATE TABLE audit_archives(id INTEGER PRIMARY KEY, upto_id INTEGER NOT NULL,"
        " hash BLOB NOT NULL, rows INTEGER NOT NULL, before INTEGER NOT NULL, file TEXT NOT NULL,"
        " at INTEGER NOT NULL);"
        "CREATE TRIGGER audit_archives_no_update BEFORE UPDATE ON audit_archives"
        " BEGIN SELECT RAISE(ABORT, 'audit archive records are append-only'); END;"
        "CREATE TRIGGER audit_archives_no_delete BEFORE DELETE ON audit_archives"
        " BEGIN SELECT RAISE(ABORT, 'audit archive records are append-only'); END;"},
    /* 7: incident shares, one row per share request (incident_api.c). The
     * key makes a share idempotent: a retry finds the row of the first
     * attempt (unique among the shares still in force, so a withdrawn or
     * discarded proposal can be proposed again). An anonymous share is a
     * proposal: its event is made only when the CSIRT approves it. */
    {7, "CREATE TABLE incident_shares(id INTEGER PRIMARY KEY,"
        " incident_id INTEGER NOT NULL REFERENCES incidents(id), share_key TEXT NOT NULL,"
        " digest TEXT NOT NULL, anonymous INTEGER NOT NULL,"
        " status TEXT NOT NULL CHECK(status IN"
        " ('published','pending','approved','discarded','withdrawn')),"
        " org_id INTEGER NOT NULL REFERENCES orgs(id), csirt_id INTEGER,"
        " tlp INTEGER NOT NULL, distribution INTEGER NOT NULL, sharing_group_id INTEGER,"
        " body TEXT NOT NULL, attributes INTEGER NOT NULL, warninglisted INTEGER NOT NULL,"
        " event_uuid TEXT, author TEXT NOT NULL, created INTEGER NOT NULL,"
        " decided_by TEXT, decided_at INTEGER);"
        "CREATE UNIQUE INDEX incident_shares_key ON incident_shares(incident_id, share_key)"
        " WHERE status IN ('published','pending','approved');"
        "CREATE INDEX incident_shares_csirt ON incident_shares(csirt_id, status);"},
    /* 8: dependency pictures (depsdb.h): an organisation's aggregate picture
     * of its digital dependencies, every upload a new version, and its
     * shares with the CSIRT or supervisor, append-only like assessments. */
    {8, "CREATE TABLE deps_pictures(org_id INTEGER NOT NULL REFERENCES orgs(id),"
        " version INTEGER NOT NULL, json TEXT NOT NULL, author TEXT NOT NULL,"
        " created INTEGER NOT NULL, PRIMARY KEY(org_id, version)) WITHOUT ROWID;"
        "CREATE TRIGGER deps_pictures_no_update BEFORE UPDATE ON deps_pictures"
        " BEGIN SELECT RAISE(ABORT, 'dependency pictures are immutable'); END;"
        "CREATE TRIGGER deps_pictures_no_delete BEFORE DELETE ON deps_pictures"
        " BEGIN SELECT RAISE(ABORT, 'dependency pictures are immutable'); END;"
        "CREATE TABLE deps_shares(id INTEGER PRIMARY KEY,"
        " org_id INTEGER NOT NULL REFERENCES orgs(id),"
        " audience TEXT NOT NULL CHECK(audience IN ('csirt','supervisor')),"
        " shared INTEGER NOT NULL, author TEXT NOT NULL, at INTEGER NOT NULL);"
        "CREATE INDEX deps_shares_org ON deps_shares(org_id, audience);"
        "CREATE TRIGGER deps_shares_no_update BEFORE UPDATE ON deps_shares"
        " BEGIN SELECT RAISE(ABORT, 'dependency picture shares are append-only'); END;"
        "CREATE TRIGGER deps_shares_no_delete BEFORE DELETE ON deps_shares"
        " BEGIN SELECT RAISE(ABORT, 'dependency picture shares are append-only'); END;"},
    /* 11: web sign-in: passwords, second factors, sessions, links (sqlite_web.c) */
    {11, wbi_sqlite_web_schema},
    /* 13: hub-to-hub synchronisation (sqlite_sync.c): the servers this hub
     * pulls from and pushes to, each with the local organisation that
     * stands for it and its cursors; the servers each sharing group may
     * travel to (distribution 4); and where a pulled event came from, so
     * that it is not pushed back there. */
    {13, "CREATE TABLE sync_servers(id INTEGER PRIMARY KEY,"
         " name TEXT NOT NULL UNIQUE COLLATE NOCASE, url TEXT NOT NULL, key TEXT NOT NULL,"
         " org_id INTEGER NOT NULL REFERENCES orgs(id), pull INTEGER NOT NULL,"
         " push INTEGER NOT NULL, rules TEXT, pull_cursor INTEGER NOT NULL DEFAULT 0,"
         " push_cursor INTEGER NOT NULL DEFAULT 0, last_pull INTEGER NOT NULL DEFAULT 0,"
         " last_push INTEGER NOT NULL DEFAULT 0, last_result TEXT, created INTEGER NOT NULL);"
         "CREATE INDEX sync_servers_org ON sync_servers(org_id);"
         "CREATE TABLE sync_server_sgroups(sg_id INTEGER NOT NULL REFERENCES sharing_groups(id),"
         " server_id INTEGER NOT NULL REFERENCES sync_servers(id),"
         " PRIMARY KEY(sg_id, server_id)) WITHOUT ROWID;"
         "CREATE TABLE sync_origins(event_uuid TEXT NOT NULL PRIMARY KEY,"
         " server_id INTEGER NOT NULL, timestamp INTEGER NOT NULL) WITHOUT ROWID;"},
};

/* Migration 6's chaining of the entries made before it (audit_backfill)
 * runs with the update trigger lifted; the triggers come back after it. */
static const migration_step migration_steps[] = {
    {6, audit_backfill,
     "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
     " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
     "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
     " WHEN old.id > coalesce((SELECT max(upto_id) FROM audit_archives), 0)"
     " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: only archived entries are"
     " removed (admin audit archive)'); END;"},
};

/* ---- statements ------------------------------------------------------------ */

#define EV_COLS                                                                                    \
    "e.id,e.uuid,e.org_id,o.name,o.uuid,e.info,e.date,e.distribution,e.sharing_group_id,e.tlp,"    \
    "e.published,e.deleted,e.timestamp"
#define ISH_COLS                                                                                   \
    "id,incident_id,share_key,digest,anonymous,status,org_id,csirt_id,tlp,distribution,"           \
    "sharing_group_id,body,attributes,warninglisted,event_uuid,author,created,decided_by,"         \
    "decided_at"
#define ATTR_COLS                                                                                  \
    "a.id,a.uuid,a.event_id,a.object_uuid,a.type,a.value,a.to_ids,a.distribution,"                 \
    "a.sharing_group_id,a.tlp,a.deleted,a.timestamp,a.json"
#define INC_COLS                                                                                   \
    "i.id,i.org_id,o.name,o.sector,i.title,i.aware_at,i.detected_at,i.entity_type,i.status,"       \
    "i.rsit,i.tlp,i.handled_at,i.created FROM incidents i JOIN orgs o ON o.id=i.org_id"
#define ROUTE_COLS                                                                                 \
    "r.sector,r.csirt_id,c.name,r.supervisor_id,v.name FROM routes r JOIN orgs c ON"               \
    " c.id=r.csirt_id LEFT JOIN orgs v ON v.id=r.supervisor_id"
#define DLV_COLS                                                                                   \
    "d.id,d.uuid,d.hook_id,h.url,h.secret,d.event_key,d.body,d.attempts,d.next_attempt,d.status,"  \
    "d.last_status,d.last_error,d.created,d.delivered FROM hook_deliveries d JOIN hooks h ON"      \
    " h.id=d.hook_id"
#define ASSESS_SHARED(aud)                                                                         \
    "coalesce((SELECT s.shared FROM assessment_shares s WHERE s.assessment_id=a.id AND"            \
    " s.audience='" aud "' ORDER BY s.id DESC LIMIT 1),0)"
#define ASSESS_COLS                                                                                \
    "a.id,a.org_id,o.name,o.sector,a.catalogue,a.scope,a.target,a.author,a.created,"               \
    "(SELECT max(v.version) FROM assessment_versions v WHERE v.assessment_id=a.id),"               \
    "(SELECT v.created FROM assessment_versions v WHERE v.assessment_id=a.id ORDER BY"             \
    " v.version DESC LIMIT 1)," ASSESS_SHARED("csirt") "," ASSESS_SHARED(                          \
        "supervisor") " FROM assessments a JOIN orgs o ON o.id=a.org_id"
#define DSHARED(aud)                                                                               \
    "coalesce((SELECT s.shared FROM deps_shares s WHERE s.org_id=p.org_id AND"                     \
    " s.audience='" aud "' ORDER BY s.id DESC LIMIT 1),0)"
#define SG_COLS                                                                                    \
    "g.id,g.uuid,g.name,(SELECT group_concat(name, ',') FROM (SELECT o.name FROM"                  \
    " sharing_group_orgs m JOIN orgs o ON o.id=m.org_id WHERE m.sg_id=g.id ORDER BY o.name)),"     \
    "g.created"

enum {
    S_ORG_ADD,
    S_ORG_BY_ID,
    S_ORG_BY_NAME,
    S_ORG_LIST,
    S_USER_ADD,
    S_USER_FIND,
    S_USER_LIST,
    S_KEY_ADD,
    S_KEY_REVOKE_ID,
    S_KEY_REVOKE_USER,
    S_KEY_LIST,
    S_KEY_BY_HASH,
    S_SG_ADD,
    S_SG_ORG_ADD,
    S_SG_BY_ID,
    S_SG_BY_KEY,
    S_SG_LIST,
    S_ORG_SGS,
    S_SG_HAS_ORG,
    S_EV_INSERT,
    S_EV_UPDATE,
    S_EV_ID,
    S_TAGS_DEL,
    S_TAG_ADD,
    S_ATTR_MARK_DELETED,
    S_ATTR_KEYS_DEL,
    S_ATTR_UPSERT,
    S_ATTR_KEY_ADD,
    S_EV_GET,
    S_EV_LIST,
    S_EV_FLAG,
    S_ATTR_LIST,
    S_ATTR_LOOKUP,
    S_ATTR_GET,
    S_SIGHT_ADD,
    S_SIGHT_FIND,
    S_SIGHT_SOURCES,
    S_SIGHT_MERGE,
    S_SIGHT_LIST,
    S_AUDIT_HEAD,
    S_AUDIT_WALK,
    S_AUDIT_ANCHOR,
    S_AUDIT_ANCHORS,
    S_AUDIT_ARCHIVE,
    S_AUDIT_PRUNE,
    S_AUDIT_ADD,
    S_AUDIT_LIST,
    S_INC_ADD,
    S_INC_GET,
    S_INC_LIST,
    S_INC_STATUS,
    S_IREP_ADD,
    S_IREP_LIST,
    S_IACT_ADD,
    S_IACT_LIST,
    S_ROUTE_SET,
    S_ROUTE_LIST,
    S_ROUTE_FOR,
    /* webhooks and shared incident events */
    S_HOOK_ADD,
    S_HOOK_REMOVE,
    S_HOOK_CANCEL,
    S_HOOK_LIST,
    S_DLV_ADD,
    S_DLV_DUE,
    S_DLV_LIST,
    S_DLV_UPDATE,
    S_IEV_ADD,
    S_IEV_LIST,
    S_ISH_ADD,
    S_ISH_BY_ID,
    S_ISH_BY_KEY,
    S_ISH_LIST,
    S_ISH_DECIDE,
    S_ASSESS_ADD,
    S_ASSESS_GET,
    S_ASSESS_LIST,
    S_AVER_ADD,
    S_AVER_GET,
    S_AVER_LIST,
    S_ASHARE_ADD,
    S_ASHARE_LIST,
    S_DPIC_ADD,
    S_DPIC_LIST,
    S_DSHARE_ADD,
    /* hub-sync */
    S_EV_CHANGES,
    S_EV_VERSION_AT,
    S_CIDR_PREFIXES,
    S_WL_PUT,
    S_WL_LIST,
    S_SEQ_MAX,
    S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    [S_ORG_ADD] = "INSERT INTO orgs(uuid,name,kind,sector,kvk,created) VALUES(?,?,?,?,?,?)",
    [S_ORG_BY_ID] = "SELECT id,uuid,name,kind,sector,kvk,created FROM orgs WHERE id=?",
    [S_ORG_BY_NAME] = "SELECT id,uuid,name,kind,sector,kvk,created FROM orgs"
                      " WHERE name=?1 OR uuid=lower(?1)",
    [S_ORG_LIST] = "SELECT id,uuid,name,kind,sector,kvk,created FROM orgs ORDER BY name",
    [S_USER_ADD] = "INSERT INTO users(email,org_id,role,created) VALUES(?,?,?,?)",
    [S_USER_FIND] = "SELECT u.id,u.email,u.org_id,o.name,u.role,u.created FROM users u"
                    " JOIN orgs o ON o.id=u.org_id WHERE u.email=?",
    [S_USER_LIST] = "SELECT u.id,u.email,u.org_id,o.name,u.role,u.created FROM users u"
                    " JOIN orgs o ON o.id=u.org_id ORDER BY o.name,u.email",
    [S_KEY_ADD] = "INSERT INTO api_keys(user_id,hash,created) VALUES(?,?,?)",
    [S_KEY_REVOKE_ID] = "UPDATE api_keys SET revoked=?2 WHERE id=?1 AND revoked IS NULL",
    [S_KEY_REVOKE_USER] = "UPDATE api_keys SET revoked=?2 WHERE user_id=?1 AND revoked IS NULL",
    [S_KEY_LIST] = "SELECT k.id,k.user_id,u.email,k.created,k.revoked FROM api_keys k"
                   " JOIN users u ON u.id=k.user_id ORDER BY k.id",
    [S_KEY_BY_HASH] = "SELECT k.id,k.user_id,u.org_id,u.role,k.revoked,u.email,o.name,k.hash"
                      " FROM api_keys k JOIN users u ON u.id=k.user_id"
                      " JOIN orgs o ON o.id=u.org_id WHERE k.hash=?",
    [S_SG_ADD] = "INSERT INTO sharing_groups(uuid,name,created) VALUES(?,?,?)",
    [S_SG_ORG_ADD] = "INSERT OR IGNORE INTO sharing_group_orgs(sg_id,org_id) VALUES(?,?)",
    [S_SG_BY_ID] = "SELECT " SG_COLS " FROM sharing_groups g WHERE g.id=?",
    [S_SG_BY_KEY] = "SELECT " SG_COLS " FROM sharing_groups g WHERE g.uuid=lower(?1) OR g.name=?1",
    [S_SG_LIST] = "SELECT " SG_COLS " FROM sharing_groups g ORDER BY g.name",
    [S_ORG_SGS] = "SELECT sg_id FROM sharing_group_orgs WHERE org_id=? ORDER BY sg_id",
    [S_SG_HAS_ORG] = "SELECT 1 FROM sharing_group_orgs WHERE sg_id=? AND org_id=?",
    [S_EV_INSERT] = "INSERT INTO events(uuid,org_id,info,date,distribution,sharing_group_id,tlp,"
                    "published,deleted,timestamp,json) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
    [S_EV_UPDATE] = "UPDATE events SET info=?3,date=?4,distribution=?5,sharing_group_id=?6,"
                    "tlp=?7,published=?8,deleted=?9,timestamp=?10,json=?11 WHERE uuid=?1"
                    " AND org_id=?2 RETURNING id",
    [S_EV_ID] = "SELECT id FROM events WHERE uuid=?",
    [S_TAGS_DEL] = "DELETE FROM event_tags WHERE event_id=?",
    [S_TAG_ADD] = "INSERT OR IGNORE INTO event_tags(event_id,name) VALUES(?,?)",
    [S_ATTR_MARK_DELETED] = "UPDATE attributes SET deleted=1 WHERE event_id=?",
    [S_ATTR_KEYS_DEL] = "DELETE FROM attribute_keys WHERE attribute_id IN"
                        " (SELECT id FROM attributes WHERE event_id=?)",
    [S_ATTR_UPSERT] =
        "INSERT INTO attributes(uuid,event_id,object_uuid,type,value,to_ids,distribution,"
        "sharing_group_id,tlp,deleted,timestamp,json) "
        "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)"
        " ON CONFLICT(uuid) DO UPDATE SET object_uuid=excluded.object_uuid,type=excluded.type,"
        "value=excluded.value,to_ids=excluded.to_ids,distribution=excluded.distribution,"
        "sharing_group_id=excluded.sharing_group_id,tlp=excluded.tlp,deleted=excluded.deleted,"
        "timestamp=excluded.timestamp,json=excluded.json"
        " WHERE attributes.event_id=excluded.event_id RETURNING id",
    [S_ATTR_KEY_ADD] = "INSERT OR IGNORE INTO attribute_keys(norm,kind,attribute_id) VALUES(?,?,?)",
    [S_EV_GET] = "SELECT " EV_COLS ",e.json FROM events e JOIN orgs o ON o.id=e.org_id"
                 " WHERE e.uuid=lower(?)",
    [S_EV_LIST] = "SELECT " EV_COLS ",e.json FROM events e JOIN orgs o ON o.id=e.org_id"
                  " WHERE e.timestamp>=?1 AND (?2=0 OR e.org_id=?2) AND (?3 IS NULL OR EXISTS"
                  " (SELECT 1 FROM event_tags t WHERE t.event_id=e.id AND t.name=?3))"
                  " AND (?4 OR e.deleted=0) ORDER BY e.timestamp,e.id",
    [S_EV_FLAG] = "UPDATE events SET published=?2,deleted=?3,timestamp=?4 WHERE id=?1",
    [S_ATTR_LIST] = "SELECT " ATTR_COLS " FROM attributes a WHERE a.event_id=? ORDER BY a.id",
    [S_ATTR_LOOKUP] = "SELECT " ATTR_COLS "," EV_COLS " FROM attribute_keys k"
                      " JOIN attributes a ON a.id=k.attribute_id JOIN events e ON e.id=a.event_id"
                      " JOIN orgs o ON o.id=e.org_id WHERE k.norm=?2 AND k.kind=?1"
                      " AND a.deleted=0 AND e.deleted=0 ORDER BY a.id",
    [S_ATTR_GET] = "SELECT " ATTR_COLS "," EV_COLS " FROM attributes a"
                   " JOIN events e ON e.id=a.event_id JOIN orgs o ON o.id=e.org_id"
                   " WHERE a.uuid=lower(?)",
    [S_SIGHT_ADD] = "INSERT INTO sightings(attribute_id,org_id,user_id,type,source,date_sighting,"
                    "count,first_seen,created) VALUES(?,?,?,?,?,?,?,?,?)",
    [S_SIGHT_FIND] = "SELECT id FROM sightings WHERE attribute_id=? AND org_id=? AND type=?"
                     " AND source IS ? ORDER BY id LIMIT 1",
    [S_SIGHT_SOURCES] = "SELECT count(*) FROM sightings WHERE attribute_id=? AND org_id=?",
    /* count saturates rather than overflow; first_seen 0 is unknown */
    [S_SIGHT_MERGE] = "UPDATE sightings SET count=CASE WHEN count>9000000000000000000-?2 THEN"
                      " 9000000000000000000 ELSE count+?2 END,"
                      " date_sighting=max(date_sighting,?3), first_seen=CASE WHEN first_seen=0"
                      " THEN ?4 WHEN ?4=0 THEN first_seen ELSE min(first_seen,?4) END,"
                      " user_id=coalesce(?5,user_id) WHERE id=?1",
    [S_SIGHT_LIST] = "SELECT s.id,s.attribute_id,a.uuid,s.org_id,o.name,s.user_id,s.type,"
                     "s.source,s.date_sighting,s.count,s.first_seen,s.created FROM sightings s"
                     " JOIN attributes a ON a.id=s.attribute_id JOIN orgs o ON o.id=s.org_id"
                     " WHERE a.event_id=? ORDER BY s.id",
    [S_AUDIT_ADD] = "INSERT INTO audit(id,time,user,org,action,object,detail,hash)"
                    " VALUES(?,?,?,?,?,?,?,?)",
    [S_AUDIT_HEAD] = "SELECT id,hash FROM audit ORDER BY id DESC LIMIT 1",
    [S_AUDIT_WALK] = "SELECT id,time,user,org,action,object,detail,hash FROM audit"
                     " WHERE ?1<=0 OR id<=?1 ORDER BY id",
    [S_AUDIT_ANCHOR] = "SELECT upto_id,hash FROM audit_archives ORDER BY id DESC LIMIT 1",
    [S_AUDIT_ANCHORS] = "SELECT upto_id,hash FROM audit_archives ORDER BY id",
    [S_AUDIT_ARCHIVE] = "INSERT INTO audit_archives(upto_id,hash,rows,before,file,at)"
                        " VALUES(?,?,?,?,?,?)",
    [S_AUDIT_PRUNE] = "DELETE FROM audit WHERE id<=?",
    [S_AUDIT_LIST] = "SELECT id,time,user,org,action,object,detail FROM audit WHERE time>=?"
                     " ORDER BY id DESC LIMIT ? OFFSET ?",
    [S_INC_ADD] = "INSERT INTO incidents(org_id,title,aware_at,detected_at,entity_type,rsit,tlp,"
                  "created) VALUES(?,?,?,?,?,?,?,?)",
    [S_INC_GET] = "SELECT " INC_COLS " WHERE i.id=?",
    [S_INC_LIST] = "SELECT " INC_COLS " ORDER BY i.id",
    [S_INC_STATUS] = "UPDATE incidents SET status=?2,handled_at=coalesce(?3,handled_at)"
                     " WHERE id=?1",
    [S_IREP_ADD] = "INSERT INTO incident_reports(incident_id,stage,json,submitted_at,channel,"
                   "author,created) VALUES(?,?,?,?,?,?,?)",
    [S_IREP_LIST] = "SELECT id,incident_id,stage,json,submitted_at,channel,author,created FROM"
                    " incident_reports WHERE incident_id=? ORDER BY submitted_at,id",
    [S_IACT_ADD] = "INSERT INTO incident_actions(incident_id,kind,at,by_time,text,author)"
                   " VALUES(?,?,?,?,?,?)",
    [S_IACT_LIST] = "SELECT id,incident_id,kind,at,by_time,text,author FROM incident_actions"
                    " WHERE incident_id=? ORDER BY at,id",
    [S_ROUTE_SET] = "INSERT INTO routes(sector,csirt_id,supervisor_id,created) VALUES(?,?,?,?)"
                    " ON CONFLICT(sector) DO UPDATE SET csirt_id=excluded.csirt_id,"
                    "supervisor_id=excluded.supervisor_id",
    /* "*" sorts last: it is the fallback, not a sector. */
    [S_ROUTE_LIST] = "SELECT " ROUTE_COLS " ORDER BY r.sector='*',r.sector",
    [S_ROUTE_FOR] = "SELECT " ROUTE_COLS " WHERE r.sector IN (?1,'*') ORDER BY r.sector='*'"
                    " LIMIT 1",
    [S_HOOK_ADD] = "INSERT INTO hooks(org_id,url,secret,created) VALUES(?,?,?,?)",
    [S_HOOK_REMOVE] = "UPDATE hooks SET removed=?2 WHERE id=?1 AND removed IS NULL",
    [S_HOOK_CANCEL] = "UPDATE hook_deliveries SET status='cancelled' WHERE hook_id=?"
                      " AND status='pending'",
    [S_HOOK_LIST] = "SELECT h.id,h.org_id,o.name,h.url,h.secret,h.created,h.removed FROM hooks h"
                    " JOIN orgs o ON o.id=h.org_id WHERE (?1=0 OR h.org_id=?1)"
                    " AND (?2 OR h.removed IS NULL) ORDER BY h.id",
    [S_DLV_ADD] =
        "INSERT INTO hook_deliveries(uuid,hook_id,event_key,body,next_attempt,status,"
        "created) VALUES(?,?,?,?,?,'pending',?) ON CONFLICT(hook_id,event_key) DO NOTHING",
    /* At most 8 per hook: a receiver with a long backlog must not fill the
     * batch and starve every other organisation's reminders. */
    [S_DLV_DUE] = "SELECT " DLV_COLS " WHERE d.id IN (SELECT id FROM (SELECT d2.id,"
                  " row_number() OVER (PARTITION BY d2.hook_id ORDER BY d2.next_attempt,d2.id)"
                  " AS rn FROM hook_deliveries d2 WHERE d2.status='pending'"
                  " AND d2.next_attempt<=?1) WHERE rn<=8) AND h.removed IS NULL"
                  " ORDER BY d.next_attempt,d.id LIMIT ?2",
    [S_DLV_LIST] = "SELECT " DLV_COLS " WHERE (?1=0 OR d.hook_id=?1) ORDER BY d.id",
    [S_DLV_UPDATE] = "UPDATE hook_deliveries SET attempts=?2,next_attempt=?3,status=?4,"
                     "last_status=?5,last_error=?6,delivered=?7 WHERE id=?1",
    [S_IEV_ADD] = "INSERT INTO incident_events(incident_id,event_uuid,anonymous,author,at)"
                  " VALUES(?,?,?,?,?)",
    [S_IEV_LIST] = "SELECT incident_id,event_uuid,anonymous,author,at FROM incident_events"
                   " WHERE incident_id=? ORDER BY at,event_uuid",
    [S_ISH_ADD] =
        "INSERT INTO incident_shares(incident_id,share_key,digest,anonymous,status,"
        "org_id,csirt_id,tlp,distribution,sharing_group_id,body,attributes,"
        "warninglisted,event_uuid,author,created) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [S_ISH_BY_ID] = "SELECT " ISH_COLS " FROM incident_shares WHERE id=?",
    [S_ISH_BY_KEY] = "SELECT " ISH_COLS " FROM incident_shares WHERE incident_id=? AND"
                     " share_key=? AND status IN ('published','pending','approved')",
    [S_ISH_LIST] = "SELECT " ISH_COLS " FROM incident_shares WHERE anonymous=1 AND"
                   " (?1=0 OR org_id=?1 OR csirt_id=?1) AND (?2 IS NULL OR status=?2)"
                   " ORDER BY id DESC",
    [S_ISH_DECIDE] = "UPDATE incident_shares SET status=?2,event_uuid=coalesce(?3,event_uuid),"
                     "decided_by=?4,decided_at=?5 WHERE id=?1 AND status='pending'",
    [S_ASSESS_ADD] = "INSERT INTO assessments(org_id,catalogue,scope,target,author,created)"
                     " VALUES(?,?,?,?,?,?)",
    [S_ASSESS_GET] = "SELECT " ASSESS_COLS " WHERE a.id=?",
    [S_ASSESS_LIST] = "SELECT " ASSESS_COLS " WHERE ?1=0 OR a.org_id=?1 ORDER BY a.id",
    /* The next number in the same statement, under the writer's lock; the
     * HAVING bounds how many versions an assessment gathers. */
    [S_AVER_ADD] = "INSERT INTO assessment_versions(assessment_id,version,json,answers,action,"
                   "author,created) SELECT ?1,coalesce(max(version),0)+1,?2,?3,?4,?5,?6 FROM"
                   " assessment_versions WHERE assessment_id=?1"
                   " HAVING coalesce(max(version),0)<?7 RETURNING version",
    [S_AVER_GET] = "SELECT assessment_id,version,json,answers,action,author,created FROM"
                   " assessment_versions WHERE assessment_id=?1 AND (?2=0 OR version=?2)"
                   " ORDER BY version DESC LIMIT 1",
    [S_AVER_LIST] = "SELECT assessment_id,version,NULL,answers,action,author,created FROM"
                    " assessment_versions WHERE assessment_id=? ORDER BY version",
    [S_ASHARE_ADD] = "INSERT INTO assessment_shares(assessment_id,audience,shared,author,at)"
                     " VALUES(?,?,?,?,?)",
    [S_ASHARE_LIST] = "SELECT assessment_id,audience,shared,author,at FROM assessment_shares"
                      " WHERE assessment_id=? ORDER BY id",
    /* dependency pictures (migration 8): the next version in the statement,
     * under the writer's lock, bounded by the HAVING */
    [S_DPIC_ADD] = "INSERT INTO deps_pictures(org_id,version,json,author,created)"
                   " SELECT ?1,coalesce(max(version),0)+1,?2,?3,?4 FROM deps_pictures"
                   " WHERE org_id=?1 HAVING coalesce(max(version),0)<?5 RETURNING version",
    [S_DPIC_LIST] = "SELECT p.org_id,o.name,o.sector,p.version,p.json,p.author,p.created," DSHARED(
        "csirt") "," DSHARED("supervisor") " FROM deps_pictures p"
                                           " JOIN orgs o ON o.id=p.org_id WHERE (?1=0 OR "
                                           "p.org_id=?1) AND"
                                           " p.version=(SELECT max(x.version) FROM deps_pictures x "
                                           "WHERE"
                                           " x.org_id=p.org_id) ORDER BY p.org_id",
    [S_DSHARE_ADD] = "INSERT INTO deps_shares(org_id,audience,shared,author,at) VALUES(?,?,?,?,?)",
    /* hub-sync: the change feed, deleted events included (tombstones). */
    [S_EV_CHANGES] = "SELECT " EV_COLS ",e.json,e.seq FROM events e JOIN orgs o ON o.id=e.org_id"
                     " WHERE e.seq>?1 ORDER BY e.seq",
    /* The version in force at sequence ?2: the newest at or before it. */
    [S_EV_VERSION_AT] = "SELECT seq,tlp,distribution,sharing_group_id,deleted FROM event_versions"
                        " WHERE event_id=?1 AND seq<=?2 ORDER BY seq DESC LIMIT 1",
    [S_CIDR_PREFIXES] = "SELECT v6,len FROM cidr_prefixes",
    [S_WL_PUT] = "INSERT INTO warninglists(name,json,created) VALUES(?,?,?)"
                 " ON CONFLICT(name) DO UPDATE SET json=excluded.json,created=excluded.created",
    [S_WL_LIST] = "SELECT id,name,json,created FROM warninglists ORDER BY name",
    [S_SEQ_MAX] = "SELECT coalesce(max(seq),0) FROM events",
};

struct sq_store {
    wb_store base; /* first: the public handle points here */
    sqlite3 *db;
    char *path;
    int version;
    int depth;    /* transaction nesting: only the outermost begins and commits */
    bool reading; /* inside wb_store_read_begin's read transaction */
    sqlite3_stmt *st[S_COUNT];
};

static sq_store *SQ(wb_store *s)
{
    return (sq_store *)s;
}

/* The connection, for the domain files that keep their own statements
 * (sqlite_sync.c, sqlite_web.c); NULL for a store of another back end. */
sqlite3 *wbi_sqlite_db(wb_store *s)
{
    return s && s->ops && strcmp(s->ops->name, "sqlite") == 0 ? SQ(s)->db : NULL;
}

const char *wbi_sqlite_path(wb_store *s)
{
    return SQ(s)->path;
}

/* Errors name the database file and keep SQLite's reason: the hub logs
 * these and sends its clients only a generic message. */
static int db_error(sq_store *q, wb_error *err, const char *what)
{
    int ec = sqlite3_errcode(q->db);
    int code = ec == SQLITE_NOMEM ? WB_ENOMEM : WB_EIO;
    return wb_error_set(err, code, "%s: %s: %s", q->path, what, sqlite3_errmsg(q->db));
}

static sqlite3_stmt *stmt(sq_store *q, int which, wb_error *err)
{
    if (q->st[which] == NULL &&
        sqlite3_prepare_v3(q->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT, &q->st[which],
                           NULL) != SQLITE_OK) {
        db_error(q, err, "preparing a statement");
        return NULL;
    }
    return q->st[which];
}

static void done(sqlite3_stmt *st)
{
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_id(sqlite3_stmt *st, int i, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(st, i, id);
    else
        sqlite3_bind_null(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static int exec(sq_store *q, const char *sql, wb_error *err)
{
    if (sqlite3_exec(q->db, sql, NULL, NULL, NULL) != SQLITE_OK) return db_error(q, err, sql);
    return 0;
}

/* Runs a statement that returns no rows (or whose rows are ignored). A
 * constraint failure is WB_EINVAL with `dup` as the message. */
static int run(sq_store *q, sqlite3_stmt *st, const char *dup, wb_error *err)
{
    int rc = sqlite3_step(st);
    int ret = 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        if ((rc & 0xff) == SQLITE_CONSTRAINT && dup)
            ret = wb_error_set(err, WB_EINVAL, "%s", dup);
        else
            ret = db_error(q, err, "writing");
    }
    done(st);
    return ret;
}

/* ---- open, close, transactions --------------------------------------------------- */

static int sq_begin(wb_store *s, wb_error *err)
{
    sq_store *q = SQ(s);
    /* A write ends the read transaction: its snapshot may be older than
     * the database, and SQLite cannot upgrade it without risking BUSY. */
    if (q->depth == 0 && q->reading) {
        sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL);
        q->reading = false;
    }
    /* IMMEDIATE takes the write lock up front: a deferred transaction that
     * upgrades later can fail with SQLITE_BUSY without the busy handler
     * being asked to wait. */
    /* A ROLLBACK that could not run (SQLite out of memory) left its
     * transaction open; end it, or every later write fails. */
    if (q->depth == 0 && !sqlite3_get_autocommit(q->db))
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    int rc = q->depth == 0 ? exec(q, "BEGIN IMMEDIATE", err) : 0;
    if (rc != 0) return rc; /* WB_ENOMEM when SQLite ran out of memory */
    q->depth++;
    return 0;
}

static int sq_commit(wb_store *s, wb_error *err)
{
    sq_store *q = SQ(s);
    if (q->depth == 0) return wb_error_set(err, WB_EINTERNAL, "commit without begin");
    if (q->depth > 1) {
        q->depth--;
        return 0;
    }
    int rc = exec(q, "COMMIT", err);
    if (rc) {
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    }
    q->depth = 0;
    return rc;
}

static void sq_rollback(wb_store *s)
{
    sq_store *q = SQ(s);
    if (q->depth > 0) sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    q->depth = 0;
}

static void sq_close(wb_store *s)
{
    sq_store *q = SQ(s);
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(q->st[i]);
    sqlite3_close(q->db);
    sodium_memzero(q->base.secret, sizeof q->base.secret);
    free(q->path);
    free(q);
}

static int sq_schema_version(wb_store *s)
{
    return SQ(s)->version;
}

static int query_int(sq_store *q, const char *sql, int64_t *out, wb_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(q, err, "reading");
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(q, err, "reading");
}

static int migrate(sq_store *q, wb_error *err)
{
    int latest = migrations[sizeof migrations / sizeof migrations[0] - 1].version;
    int rc = sq_begin(&q->base, err);
    if (rc) return rc;
    rc = exec(q, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)", err);
    int64_t cur = 0;
    if (rc == 0)
        rc = query_int(q, "SELECT coalesce(max(version), 0) FROM schema_version", &cur, err);
    if (rc == 0 && cur > latest)
        rc = wb_error_set(err, WB_EFORMAT,
                          "%s: schema version %lld is newer than this weerbaar knows (%d)", q->path,
                          (long long)cur, latest);
    /* Each migration not yet recorded runs, not only those above the newest:
     * migrations are numbered when written, so a database made by a build
     * that had 5 but not yet 3 and 4 still gets them. */
    for (size_t i = 0; rc == 0 && i < sizeof migrations / sizeof migrations[0]; i++) {
        char sql[96];
        int64_t done = 0;
        snprintf(sql, sizeof sql, "SELECT count(*) FROM schema_version WHERE version=%d",
                 migrations[i].version);
        rc = query_int(q, sql, &done, err);
        if (rc || done) continue;
        snprintf(sql, sizeof sql, "INSERT INTO schema_version(version) VALUES(%d)",
                 migrations[i].version);
        rc = exec(q, migrations[i].sql, err);
        for (size_t k = 0; k < sizeof migration_steps / sizeof migration_steps[0]; k++) {
            if (rc || migration_steps[k].version != migrations[i].version) continue;
            if (migration_steps[k].post) rc = migration_steps[k].post(q, err);
            if (rc == 0 && migration_steps[k].sql_after)
                rc = exec(q, migration_steps[k].sql_after, err);
        }
        if (rc == 0) rc = exec(q, sql, err);
        if (rc) wb_error_prefix(err, "migration %d: ", migrations[i].version);
    }
    /* The key-hashing secret is made with the database, once. */
    sqlite3_stmt *st = NULL;
    if (rc == 0 && sqlite3_prepare_v2(q->db, "SELECT value FROM meta WHERE key='key_secret'", -1,
                                      &st, NULL) != SQLITE_OK)
        rc = db_error(q, err, "reading the key secret");
    if (rc == 0) {
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW && sqlite3_column_bytes(st, 0) == WB_KEY_HASH_LEN) {
            memcpy(q->base.secret, sqlite3_column_blob(st, 0), WB_KEY_HASH_LEN);
        } else if (s == SQLITE_DONE) {
            sqlite3_stmt *ins = NULL;
            randombytes_buf(q->base.secret, WB_KEY_HASH_LEN);
            if (sqlite3_prepare_v2(q->db, "INSERT INTO meta(key,value) VALUES('key_secret',?)", -1,
                                   &ins, NULL) != SQLITE_OK)
                rc = db_error(q, err, "storing the key secret");
            else {
                sqlite3_bind_blob(ins, 1, q->base.secret, WB_KEY_HASH_LEN, SQLITE_STATIC);
                if (sqlite3_step(ins) != SQLITE_DONE)
                    rc = db_error(q, err, "storing the key secret");
            }
            sqlite3_finalize(ins);
        } else {
            rc = wb_error_set(err, WB_EFORMAT, "%s: the key secret in table meta is damaged",
                              q->path);
        }
    }
    sqlite3_finalize(st);
    if (rc == 0) rc = sq_commit(&q->base, err);
    if (rc) sq_rollback(&q->base);
    q->version = latest;
    return rc;
}

static const wbi_store_ops sqlite_ops;

int wbi_sqlite_error(wb_store *s, wb_error *err, const char *what)
{
    return db_error(SQ(s), err, what);
}

int wbi_sqlite_open(wb_store **out, const char *path, wb_error *err)
{
    *out = NULL;
    sq_store *q = calloc(1, sizeof *q);
    if (q == NULL || (q->path = strdup(path)) == NULL) {
        free(q);
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    q->base.ops = &sqlite_ops;
    q->base.web = &wbi_sqlite_web_ops;
    int rc = 0;
    /* NOMUTEX: a connection is used by one thread at a time (store.h). */
    if (sqlite3_open_v2(path, &q->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = wb_error_set(err, WB_EIO, "%s: cannot open the database: %s", path,
                          q->db ? sqlite3_errmsg(q->db) : "out of memory");
    }
    if (rc == 0) sqlite3_busy_timeout(q->db, BUSY_TIMEOUT_MS);
    if (rc == 0) sqlite3_extended_result_codes(q->db, 1);
    /* journal_mode answers with a row; exec ignores it. WAL persists in the
     * file; the other pragmas are per connection. */
    if (rc == 0) rc = exec(q, "PRAGMA journal_mode=WAL", err);
    if (rc == 0) rc = exec(q, "PRAGMA synchronous=FULL", err);
    /* Reads through a memory map instead of a pread() per page: the hub's
     * look-ups touch a few pages of a large file at random, and the copies
     * and system calls were a tenth of a look-up's time (bench/hub_run).
     * Address space only; the page cache is shared with other connections. */
    if (rc == 0) rc = exec(q, "PRAGMA mmap_size=4294967296", err);
    if (rc == 0) rc = exec(q, "PRAGMA foreign_keys=ON", err);
    if (rc == 0) {
        int64_t fk = 0;
        rc = query_int(q, "PRAGMA foreign_keys", &fk, err);
        if (rc == 0 && fk != 1)
            rc = wb_error_set(err, WB_EINTERNAL, "%s: SQLite without foreign keys", path);
    }
    if (rc == 0) rc = migrate(q, err);
    if (rc) {
        /* A file that is not a database reports "file is not a database". */
        sq_close(&q->base);
        return rc;
    }
    *out = &q->base;
    return 0;
}

/* ---- organisations, users, keys, sharing groups ---------------------------------- */

static int sq_org_add(wb_store *s, const char *uuid, const char *name, wb_org_kind kind,
                      const char *sector, const char *kvk, int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_ORG_ADD, err);
    if (st == NULL) return WB_EIO;
    bind_text(st, 1, uuid);
    bind_text(st, 2, name);
    bind_text(st, 3, wb_org_kind_name(kind));
    bind_text(st, 4, sector);
    bind_text(st, 5, kvk);
    sqlite3_bind_int64(st, 6, wb_time_now());
    char dup[200];
    snprintf(dup, sizeof dup, "organisation '%s' exists", name);
    int rc = run(q, st, dup, err);
    if (rc == 0 && id) *id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static void row_org(sqlite3_stmt *st, wb_org *o)
{
    o->id = sqlite3_column_int64(st, 0);
    o->uuid = col_text(st, 1);
    o->name = col_text(st, 2);
    if (wb_org_kind_parse(col_text(st, 3), &o->kind) != 0) o->kind = WB_ORG_OTHER;
    o->sector = col_text(st, 4);
    o->kvk = col_text(st, 5);
    o->created = sqlite3_column_int64(st, 6);
}

/* Steps st calling fn for each row; returns 0, the error, or WB_ENOTFOUND
 * when `need` and no row came. */
#define WALK(q, st, err, need, notfound_msg, ROWDECL, FILL, CALL)                                  \
    do {                                                                                           \
        int rc_, n_ = 0, ret_ = 0;                                                                 \
        while ((rc_ = sqlite3_step(st)) == SQLITE_ROW) {                                           \
            ROWDECL;                                                                               \
            FILL;                                                                                  \
            n_++;                                                                                  \
            if (CALL) {                                                                            \
                rc_ = SQLITE_DONE;                                                                 \
                break;                                                                             \
            }                                                                                      \
        }                                                                                          \
        if (rc_ != SQLITE_DONE)                                                                    \
            ret_ = db_error(q, err, "reading");                                                    \
        else if ((need) && n_ == 0)                                                                \
            ret_ = wb_error_set(err, WB_ENOTFOUND, "%s", notfound_msg);                            \
        done(st);                                                                                  \
        return ret_;                                                                               \
    } while (0)

static int sq_org_find(wb_store *s, int64_t id, const char *name, wb_org_cb cb, void *ud,
                       wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, id > 0 ? S_ORG_BY_ID : S_ORG_BY_NAME, err);
    if (st == NULL) return WB_EIO;
    char msg[200];
    if (id > 0) {
        sqlite3_bind_int64(st, 1, id);
        snprintf(msg, sizeof msg, "no organisation with id %lld", (long long)id);
    } else {
        bind_text(st, 1, name);
        snprintf(msg, sizeof msg, "unknown organisation '%.150s'", name);
    }
    WALK(q, st, err, true, msg, wb_org o, row_org(st, &o), cb(ud, &o));
}

static int sq_org_list(wb_store *s, wb_org_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_ORG_LIST, err);
    if (st == NULL) return WB_EIO;
    WALK(q, st, err, false, "", wb_org o, row_org(st, &o), cb(ud, &o));
}

static int sq_user_add(wb_store *s, const char *email, int64_t org_id, wb_role role, int64_t *id,
                       wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_USER_ADD, err);
    if (st == NULL) return WB_EIO;
    bind_text(st, 1, email);
    sqlite3_bind_int64(st, 2, org_id);
    bind_text(st, 3, wb_role_name(role));
    sqlite3_bind_int64(st, 4, wb_time_now());
    char dup[300];
    snprintf(dup, sizeof dup, "user '%s' exists (or the organisation does not)", email);
    int rc = run(q, st, dup, err);
    if (rc == 0 && id) *id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static void row_user(sqlite3_stmt *st, wb_user *u)
{
    u->id = sqlite3_column_int64(st, 0);
    u->email = col_text(st, 1);
    u->org_id = sqlite3_column_int64(st, 2);
    u->org_name = col_text(st, 3);
    if (wb_role_parse(col_text(st, 4), &u->role) != 0) u->role = WB_ROLE_MEMBER;
    u->created = sqlite3_column_int64(st, 5);
}

static int sq_user_find(wb_store *s, const char *email, wb_user_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_USER_FIND, err);
    if (st == NULL) return WB_EIO;
    bind_text(st, 1, email);
    char msg[300];
    snprintf(msg, sizeof msg, "unknown user '%.254s'", email);
    WALK(q, st, err, true, msg, wb_user u, row_user(st, &u), cb(ud, &u));
}

static int sq_user_list(wb_store *s, wb_user_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_USER_LIST, err);
    if (st == NULL) return WB_EIO;
    WALK(q, st, err, false, "", wb_user u, row_user(st, &u), cb(ud, &u));
}

static int sq_key_add(wb_store *s, int64_t user_id, const uint8_t hash[WB_KEY_HASH_LEN],
                      int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_KEY_ADD, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_blob(st, 2, hash, WB_KEY_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, wb_time_now());
    int rc = run(q, st, "no such user", err);
    if (rc == 0 && id) *id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static int sq_key_revoke(wb_store *s, int64_t key_id, int64_t user_id, int64_t *n, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, key_id > 0 ? S_KEY_REVOKE_ID : S_KEY_REVOKE_USER, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, key_id > 0 ? key_id : user_id);
    sqlite3_bind_int64(st, 2, wb_time_now());
    int rc = run(q, st, NULL, err);
    *n = rc == 0 ? sqlite3_changes(q->db) : 0;
    return rc;
}

static void row_key(sqlite3_stmt *st, wb_apikey *k)
{
    k->id = sqlite3_column_int64(st, 0);
    k->user_id = sqlite3_column_int64(st, 1);
    k->email = col_text(st, 2);
    k->created = sqlite3_column_int64(st, 3);
    k->revoked =
        sqlite3_column_type(st, 4) == SQLITE_NULL ? WB_TIME_NONE : sqlite3_column_int64(st, 4);
}

static int sq_key_list(wb_store *s, wb_apikey_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_KEY_LIST, err);
    if (st == NULL) return WB_EIO;
    WALK(q, st, err, false, "", wb_apikey k, row_key(st, &k), cb(ud, &k));
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) n = cap - 1;
    if (n) memcpy(dst, src, n);
    dst[n] = '\0';
}

static int sq_key_by_hash(wb_store *s, const uint8_t hash[WB_KEY_HASH_LEN], wb_keyowner *out,
                          uint8_t stored[WB_KEY_HASH_LEN], wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_KEY_BY_HASH, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_blob(st, 1, hash, WB_KEY_HASH_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st), ret = 0;
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 7) == WB_KEY_HASH_LEN) {
        out->key_id = sqlite3_column_int64(st, 0);
        out->user_id = sqlite3_column_int64(st, 1);
        out->org_id = sqlite3_column_int64(st, 2);
        if (wb_role_parse(col_text(st, 3), &out->role) != 0) out->role = WB_ROLE_SENSOR;
        out->revoked = sqlite3_column_type(st, 4) != SQLITE_NULL;
        copy_str(out->email, sizeof out->email, col_text(st, 5));
        copy_str(out->org_name, sizeof out->org_name, col_text(st, 6));
        memcpy(stored, sqlite3_column_blob(st, 7), WB_KEY_HASH_LEN);
    } else if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
        ret = wb_error_set(err, WB_ENOTFOUND, "no such key");
    } else {
        ret = db_error(q, err, "reading");
    }
    done(st);
    return ret;
}

static int sq_sgroup_add(wb_store *s, const char *uuid, const char *name, const int64_t *orgs,
                         size_t norgs, int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    int rc = sq_begin(s, err);
    sqlite3_stmt *st = rc == 0 ? stmt(q, S_SG_ADD, err) : NULL;
    if (rc == 0 && st == NULL) rc = WB_EIO;
    int64_t sg = 0;
    if (rc == 0) {
        bind_text(st, 1, uuid);
        bind_text(st, 2, name);
        sqlite3_bind_int64(st, 3, wb_time_now());
        char dup[200];
        snprintf(dup, sizeof dup, "sharing group '%s' exists", name);
        rc = run(q, st, dup, err);
        sg = sqlite3_last_insert_rowid(q->db);
    }
    for (size_t i = 0; rc == 0 && i < norgs; i++) {
        st = stmt(q, S_SG_ORG_ADD, err);
        if (st == NULL) {
            rc = WB_EIO;
            break;
        }
        sqlite3_bind_int64(st, 1, sg);
        sqlite3_bind_int64(st, 2, orgs[i]);
        rc = run(q, st, "no such organisation", err);
    }
    if (rc == 0) rc = sq_commit(s, err);
    if (rc) sq_rollback(s);
    if (rc == 0 && id) *id = sg;
    return rc;
}

static void row_sg(sqlite3_stmt *st, wb_sgroup *g)
{
    g->id = sqlite3_column_int64(st, 0);
    g->uuid = col_text(st, 1);
    g->name = col_text(st, 2);
    g->orgs = col_text(st, 3);
    if (g->orgs == NULL) g->orgs = "";
    g->created = sqlite3_column_int64(st, 4);
}

static int sq_sgroup_find(wb_store *s, int64_t id, const char *key, wb_sgroup_cb cb, void *ud,
                          wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, id > 0 ? S_SG_BY_ID : S_SG_BY_KEY, err);
    if (st == NULL) return WB_EIO;
    char msg[200];
    if (id > 0) {
        sqlite3_bind_int64(st, 1, id);
        snprintf(msg, sizeof msg, "no sharing group with id %lld", (long long)id);
    } else {
        bind_text(st, 1, key);
        snprintf(msg, sizeof msg, "unknown sharing group '%.150s'", key);
    }
    WALK(q, st, err, true, msg, wb_sgroup g, row_sg(st, &g), cb(ud, &g));
}

static int sq_sgroup_list(wb_store *s, wb_sgroup_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_SG_LIST, err);
    if (st == NULL) return WB_EIO;
    WALK(q, st, err, false, "", wb_sgroup g, row_sg(st, &g), cb(ud, &g));
}

static int sq_org_sgroups(wb_store *s, int64_t org_id, int64_t *ids, size_t max, size_t *n,
                          wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_ORG_SGS, err);
    *n = 0;
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, org_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
        ids[(*n)++] = sqlite3_column_int64(st, 0);
    int ret = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : db_error(q, err, "reading");
    done(st);
    return ret;
}

static bool sq_sgroup_has_org(wb_store *s, int64_t sg_id, int64_t org_id)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_SG_HAS_ORG, NULL);
    if (st == NULL) return false;
    sqlite3_bind_int64(st, 1, sg_id);
    sqlite3_bind_int64(st, 2, org_id);
    bool yes = sqlite3_step(st) == SQLITE_ROW;
    done(st);
    return yes;
}

/* ---- events and attributes ------------------------------------------------------ */

static void bind_event(sqlite3_stmt *st, const wb_event_rec *ev)
{
    bind_text(st, 1, ev->uuid);
    sqlite3_bind_int64(st, 2, ev->org_id);
    bind_text(st, 3, ev->info);
    bind_text(st, 4, ev->date);
    sqlite3_bind_int(st, 5, ev->distribution);
    bind_id(st, 6, ev->sharing_group_id);
    sqlite3_bind_int(st, 7, (int)ev->tlp);
    sqlite3_bind_int(st, 8, ev->published);
    sqlite3_bind_int(st, 9, ev->deleted);
    sqlite3_bind_int64(st, 10, ev->timestamp);
    bind_text(st, 11, ev->json);
}

static int put_attr(sq_store *q, int64_t event_id, const wb_attr_rec *a, wb_error *err)
{
    sqlite3_stmt *st = stmt(q, S_ATTR_UPSERT, err);
    if (st == NULL) return WB_EIO;
    bind_text(st, 1, a->uuid);
    sqlite3_bind_int64(st, 2, event_id);
    bind_text(st, 3, a->object_uuid);
    bind_text(st, 4, a->type);
    bind_text(st, 5, a->value);
    sqlite3_bind_int(st, 6, a->to_ids);
    sqlite3_bind_int(st, 7, a->distribution);
    bind_id(st, 8, a->sharing_group_id);
    sqlite3_bind_int(st, 9, (int)a->tlp);
    sqlite3_bind_int(st, 10, a->deleted);
    sqlite3_bind_int64(st, 11, a->timestamp);
    bind_text(st, 12, a->json);
    int rc = sqlite3_step(st), ret = 0;
    int64_t id = 0;
    if (rc == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        }
    }
    if (rc != SQLITE_DONE)
        ret = (rc & 0xff) == SQLITE_CONSTRAINT
                  ? wb_error_set(err, WB_EINVAL, "attribute %s: invalid reference", a->uuid)
                  : db_error(q, err, "writing an attribute");
    else if (id == 0)
        /* The upsert's WHERE refused: the uuid belongs to another event. */
        ret = wb_error_set(err, WB_EINVAL, "attribute uuid %s belongs to another event", a->uuid);
    done(st);
    for (unsigned k = 0; ret == 0 && k < a->nkeys; k++) {
        st = stmt(q, S_ATTR_KEY_ADD, err);
        if (st == NULL) return WB_EIO;
        bind_text(st, 1, a->key[k]);
        sqlite3_bind_int(st, 2, (int)a->key_kind[k]);
        sqlite3_bind_int64(st, 3, id);
        ret = run(q, st, NULL, err);
    }
    return ret;
}

static int by_id(sq_store *q, int which, int64_t id, wb_error *err)
{
    sqlite3_stmt *st = stmt(q, which, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, id);
    return run(q, st, NULL, err);
}

static int sq_event_put(wb_store *s, const wb_event_rec *ev, const char *const *tags, size_t ntags,
                        const wb_attr_rec *attrs, size_t nattrs, bool replace, int64_t *id,
                        wb_error *err)
{
    sq_store *q = SQ(s);
    int rc = sq_begin(s, err);
    int64_t eid = 0;
    sqlite3_stmt *st = rc ? NULL : stmt(q, replace ? S_EV_UPDATE : S_EV_INSERT, err);
    if (rc == 0 && st == NULL) rc = WB_EIO;
    if (rc == 0) {
        bind_event(st, ev);
        int r = sqlite3_step(st);
        if (replace && r == SQLITE_ROW) {
            eid = sqlite3_column_int64(st, 0);
            while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            }
        }
        if (r != SQLITE_DONE)
            rc = (r & 0xff) == SQLITE_CONSTRAINT
                     ? wb_error_set(err, WB_EINVAL, "event %s exists", ev->uuid)
                     : db_error(q, err, "writing an event");
        else if (replace && eid == 0)
            rc = wb_error_set(err, WB_ENOTFOUND, "no event %s of this organisation", ev->uuid);
        else if (!replace)
            eid = sqlite3_last_insert_rowid(q->db);
        done(st);
    }
    if (rc == 0 && replace) {
        rc = by_id(q, S_TAGS_DEL, eid, err);
        if (rc == 0) rc = by_id(q, S_ATTR_KEYS_DEL, eid, err);
        if (rc == 0) rc = by_id(q, S_ATTR_MARK_DELETED, eid, err);
    }
    for (size_t i = 0; rc == 0 && i < ntags; i++) {
        st = stmt(q, S_TAG_ADD, err);
        if (st == NULL) {
            rc = WB_EIO;
            break;
        }
        sqlite3_bind_int64(st, 1, eid);
        bind_text(st, 2, tags[i]);
        rc = run(q, st, NULL, err);
    }
    for (size_t i = 0; rc == 0 && i < nattrs; i++)
        rc = put_attr(q, eid, &attrs[i], err);
    if (rc == 0) rc = sq_commit(s, err);
    if (rc) sq_rollback(s);
    if (rc == 0 && id) *id = eid;
    return rc;
}

/* Event columns start at `c`; json is the column after them when with_json. */
static void row_event(sqlite3_stmt *st, int c, bool with_json, wb_event_rec *e)
{
    e->id = sqlite3_column_int64(st, c);
    e->uuid = col_text(st, c + 1);
    e->org_id = sqlite3_column_int64(st, c + 2);
    e->org_name = col_text(st, c + 3);
    e->org_uuid = col_text(st, c + 4);
    e->info = col_text(st, c + 5);
    e->date = col_text(st, c + 6);
    e->distribution = sqlite3_column_int(st, c + 7);
    e->sharing_group_id = sqlite3_column_int64(st, c + 8);
    e->tlp = (wb_tlp)sqlite3_column_int(st, c + 9);
    e->published = sqlite3_column_int(st, c + 10) != 0;
    e->deleted = sqlite3_column_int(st, c + 11) != 0;
    e->timestamp = sqlite3_column_int64(st, c + 12);
    e->json = with_json ? col_text(st, c + 13) : NULL;
}

static void row_attr(sqlite3_stmt *st, wb_attr_rec *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    a->uuid = col_text(st, 1);
    a->event_id = sqlite3_column_int64(st, 2);
    a->object_uuid = col_text(st, 3);
    a->type = col_text(st, 4);
    a->value = col_text(st, 5);
    a->to_ids = sqlite3_column_int(st, 6) != 0;
    a->distribution = sqlite3_column_int(st, 7);
    a->sharing_group_id = sqlite3_column_int64(st, 8);
    a->tlp = (wb_tlp)sqlite3_column_int(st, 9);
    a->deleted = sqlite3_column_int(st, 10) != 0;
    a->timestamp = sqlite3_column_int64(st, 11);
    a->json = col_text(st, 12);
}

static int sq_event_get(wb_store *s, const char *uuid, wb_event_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_EV_GET, err);
    if (st == NULL) return WB_EIO;
    bind_text(st, 1, uuid);
    WALK(q, st, err, true, "no such event", wb_event_rec e, row_event(st, 0, true, &e), cb(ud, &e));
}

static int sq_event_list(wb_store *s, const wb_event_filter *f, wb_event_cb cb, void *ud,
                         wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_EV_LIST, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, f->since);
    sqlite3_bind_int64(st, 2, f->org_id);
    bind_text(st, 3, f->tag);
    sqlite3_bind_int(st, 4, f->include_deleted);
    WALK(q, st, err, false, "", wb_event_rec e, row_event(st, 0, true, &e), cb(ud, &e));
}

static int sq_event_flag(wb_store *s, int64_t id, bool published, bool deleted, int64_t ts,
                         wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_EV_FLAG, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, published);
    sqlite3_bind_int(st, 3, deleted);
    sqlite3_bind_int64(st, 4, ts);
    return run(q, st, NULL, err);
}

static int sq_attr_list(wb_store *s, int64_t event_id, wb_attr_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_ATTR_LIST, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, event_id);
    WALK(q, st, err, false, "", wb_attr_rec a, row_attr(st, &a), cb(ud, NULL, &a));
}

static int sq_attr_lookup(wb_store *s, wb_ioc_type kind, const char *norm, wb_attr_cb cb, void *ud,
                          wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_ATTR_LOOKUP, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int(st, 1, (int)kind);
    bind_text(st, 2, norm);
    WALK(q, st, err, false, "", wb_attr_rec a;
         wb_event_rec e, (row_attr(st, &a), row_event(st, 13, false, &e)), cb(ud, &e, &a));
}

static int sq_attr_get(wb_store *s, const char *uuid, wb_attr_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_ATTR_GET, err);
    if (st == NULL) return WB_EIO;
    bind_text(st, 1, uuid);
    WALK(q, st, err, true, "no such attribute", wb_attr_rec a;
         wb_event_rec e, (row_attr(st, &a), row_event(st, 13, false, &e)), cb(ud, &e, &a));
}

/* ---- sightings and audit ----------------------------------------------------------- */

/* The id of the record of (attribute, org, type, source), 0 for none. */
static int sighting_find(sq_store *q, const wb_sighting_rec *r, int64_t *id, wb_error *err)
{
    sqlite3_stmt *st = stmt(q, S_SIGHT_FIND, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, r->attribute_id);
    sqlite3_bind_int64(st, 2, r->org_id);
    sqlite3_bind_int(st, 3, r->type);
    bind_text(st, 4, r->source);
    int s = sqlite3_step(st);
    *id = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    done(st);
    return s == SQLITE_ROW || s == SQLITE_DONE ? 0 : db_error(q, err, "reading");
}

static int sighting_merge(sq_store *q, int64_t into, const wb_sighting_rec *r, wb_error *err)
{
    sqlite3_stmt *st = stmt(q, S_SIGHT_MERGE, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, into);
    sqlite3_bind_int64(st, 2, r->count);
    sqlite3_bind_int64(st, 3, r->date_sighting);
    sqlite3_bind_int64(st, 4, r->first_seen);
    bind_id(st, 5, r->user_id);
    return run(q, st, NULL, err);
}

/* A sighting is merged into the record of the same attribute,
 * organisation, type and source (counts added, the latest date and the
 * earliest first_seen kept): repeated reports of one source are one
 * record with a count, not one row each. Past WB_SIGHTING_SOURCES_MAX
 * records of one organisation on one attribute, further sources go into
 * one record with source "*", so that varying the source does not grow
 * the table either. */
static int sighting_insert(sq_store *q, const wb_sighting_rec *r, int64_t *id, wb_error *err)
{
    sqlite3_stmt *st = stmt(q, S_SIGHT_ADD, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, r->attribute_id);
    sqlite3_bind_int64(st, 2, r->org_id);
    bind_id(st, 3, r->user_id);
    sqlite3_bind_int(st, 4, r->type);
    bind_text(st, 5, r->source);
    sqlite3_bind_int64(st, 6, r->date_sighting);
    sqlite3_bind_int64(st, 7, r->count);
    sqlite3_bind_int64(st, 8, r->first_seen);
    sqlite3_bind_int64(st, 9, wb_time_now() / 1000000);
    int rc = run(q, st, "invalid sighting reference", err);
    if (rc == 0 && id) *id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static int sq_sighting_add(wb_store *s, const wb_sighting_rec *in, int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    wb_sighting_rec r = *in;
    int64_t into = 0;
    int rc = sighting_find(q, &r, &into, err);
    if (rc == 0 && into == 0) {
        sqlite3_stmt *cs = stmt(q, S_SIGHT_SOURCES, err);
        if (cs == NULL) return WB_EIO;
        sqlite3_bind_int64(cs, 1, r.attribute_id);
        sqlite3_bind_int64(cs, 2, r.org_id);
        int c = sqlite3_step(cs);
        int64_t n = c == SQLITE_ROW ? sqlite3_column_int64(cs, 0) : 0;
        done(cs);
        if (c != SQLITE_ROW) return db_error(q, err, "reading");
        if (n >= WB_SIGHTING_SOURCES_MAX) {
            r.source = WB_SIGHTING_OTHER_SOURCES;
            rc = sighting_find(q, &r, &into, err);
        }
    }
    if (rc) return rc;
    if (into == 0) return sighting_insert(q, &r, id, err);
    rc = sighting_merge(q, into, &r, err);
    if (rc == 0 && id) *id = into;
    return rc;
}

static void row_sighting(sqlite3_stmt *st, wb_sighting_rec *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->attribute_id = sqlite3_column_int64(st, 1);
    r->attribute_uuid = col_text(st, 2);
    r->org_id = sqlite3_column_int64(st, 3);
    r->org_name = col_text(st, 4);
    r->user_id = sqlite3_column_int64(st, 5);
    r->type = sqlite3_column_int(st, 6);
    r->source = col_text(st, 7);
    r->date_sighting = sqlite3_column_int64(st, 8);
    r->count = sqlite3_column_int64(st, 9);
    r->first_seen = sqlite3_column_int64(st, 10);
    r->created = sqlite3_column_int64(st, 11);
}

static int sq_sighting_list(wb_store *s, int64_t event_id, wb_sighting_cb cb, void *ud,
                            wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_SIGHT_LIST, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, event_id);
    WALK(q, st, err, false, "", wb_sighting_rec r, row_sighting(st, &r), cb(ud, &r));
}

/* The chain's last link: the newest entry, else the last archived one,
 * else id 0 and zeros. */
static int audit_head(sq_store *q, int64_t *id, uint8_t hash[WB_AUDIT_HASH_LEN], wb_error *err)
{
    *id = 0;
    memset(hash, 0, WB_AUDIT_HASH_LEN);
    for (int k = 0; k < 2; k++) {
        sqlite3_stmt *st = stmt(q, k == 0 ? S_AUDIT_HEAD : S_AUDIT_ANCHOR, err);
        if (st == NULL) return WB_EIO;
        int r = sqlite3_step(st);
        bool found = r == SQLITE_ROW;
        if (found) {
            *id = sqlite3_column_int64(st, 0);
            if (sqlite3_column_bytes(st, 1) == WB_AUDIT_HASH_LEN)
                memcpy(hash, sqlite3_column_blob(st, 1), WB_AUDIT_HASH_LEN);
        }
        done(st);
        if (r != SQLITE_ROW && r != SQLITE_DONE) return db_error(q, err, "reading the audit log");
        if (found) return 0;
    }
    return 0;
}

static int sq_audit_add(wb_store *s, const wb_audit_rec *in, wb_error *err)
{
    sq_store *q = SQ(s);
    /* The head is read and the entry written in one write transaction, so
     * that two connections never chain onto the same entry. */
    int rc = sq_begin(s, err);
    if (rc) return rc;
    wb_audit_rec a = *in;
    a.user = a.user ? a.user : "-";
    a.org = a.org ? a.org : "-";
    a.time = wb_time_now();
    uint8_t prev[WB_AUDIT_HASH_LEN], h[WB_AUDIT_HASH_LEN];
    rc = audit_head(q, &a.id, prev, err);
    a.id++;
    sqlite3_stmt *st = rc == 0 ? stmt(q, S_AUDIT_ADD, err) : NULL;
    if (rc == 0 && st == NULL) rc = WB_EIO;
    if (rc == 0) {
        wb_audit_hash(prev, &a, h);
        sqlite3_bind_int64(st, 1, a.id);
        sqlite3_bind_int64(st, 2, a.time);
        bind_text(st, 3, a.user);
        bind_text(st, 4, a.org);
        bind_text(st, 5, a.action);
        bind_text(st, 6, a.object);
        bind_text(st, 7, a.detail);
        sqlite3_bind_blob(st, 8, h, sizeof h, SQLITE_STATIC);
        rc = run(q, st, NULL, err);
    }
    if (rc == 0) return sq_commit(s, err);
    sq_rollback(s);
    return rc;
}

static void row_audit(sqlite3_stmt *st, wb_audit_rec *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    a->time = sqlite3_column_int64(st, 1);
    a->user = col_text(st, 2);
    a->org = col_text(st, 3);
    a->action = col_text(st, 4);
    a->object = col_text(st, 5);
    a->detail = col_text(st, 6);
    if (sqlite3_column_bytes(st, 7) == WB_AUDIT_HASH_LEN) a->hash = sqlite3_column_blob(st, 7);
}

static int sq_audit_walk(wb_store *s, int64_t upto_id, wb_audit_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_AUDIT_WALK, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, upto_id);
    WALK(q, st, err, false, "", wb_audit_rec a, row_audit(st, &a), cb(ud, &a));
}

static int sq_audit_anchor(wb_store *s, bool all,
                           int (*cb)(void *ud, int64_t upto_id, const uint8_t *hash), void *ud,
                           wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, all ? S_AUDIT_ANCHORS : S_AUDIT_ANCHOR, err);
    if (st == NULL) return WB_EIO;
    int r = SQLITE_DONE, ret = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const uint8_t *h =
            sqlite3_column_bytes(st, 1) == WB_AUDIT_HASH_LEN ? sqlite3_column_blob(st, 1) : NULL;
        if (h && cb(ud, sqlite3_column_int64(st, 0), h)) break;
    }
    if (r != SQLITE_ROW && r != SQLITE_DONE) ret = db_error(q, err, "reading the audit archives");
    done(st);
    return ret;
}

static int sq_audit_archive(wb_store *s, int64_t upto_id, const uint8_t *hash, int64_t rows,
                            wb_time before, const char *file, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_AUDIT_ARCHIVE, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, upto_id);
    sqlite3_bind_blob(st, 2, hash, WB_AUDIT_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, rows);
    sqlite3_bind_int64(st, 4, before);
    bind_text(st, 5, file);
    sqlite3_bind_int64(st, 6, wb_time_now());
    int rc = run(q, st, NULL, err);
    if (rc == 0) {
        st = stmt(q, S_AUDIT_PRUNE, err);
        if (st == NULL) return WB_EIO;
        sqlite3_bind_int64(st, 1, upto_id);
        rc = run(q, st, NULL, err);
    }
    return rc;
}

/* Migration 6: chains the entries made before it, oldest first. */
static int audit_backfill(sq_store *q, wb_error *err)
{
    sqlite3_stmt *sel = NULL, *upd = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT id,time,user,org,action,object,detail FROM audit ORDER BY id",
                           -1, &sel, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(q->db, "UPDATE audit SET hash=? WHERE id=?", -1, &upd, NULL) !=
            SQLITE_OK)
        rc = db_error(q, err, "chaining the audit log");
    uint8_t prev[WB_AUDIT_HASH_LEN] = {0};
    int r = SQLITE_DONE;
    while (rc == 0 && (r = sqlite3_step(sel)) == SQLITE_ROW) {
        wb_audit_rec a = {.id = sqlite3_column_int64(sel, 0),
                          .time = sqlite3_column_int64(sel, 1),
                          .user = col_text(sel, 2),
                          .org = col_text(sel, 3),
                          .action = col_text(sel, 4),
                          .object = col_text(sel, 5),
                          .detail = col_text(sel, 6)};
        wb_audit_hash(prev, &a, prev);
        sqlite3_bind_blob(upd, 1, prev, sizeof prev, SQLITE_TRANSIENT);
        sqlite3_bind_int64(upd, 2, a.id);
        if (sqlite3_step(upd) != SQLITE_DONE) rc = db_error(q, err, "chaining the audit log");
        sqlite3_reset(upd);
    }
    if (rc == 0 && r != SQLITE_DONE) rc = db_error(q, err, "chaining the audit log");
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    return rc;
}

static int sq_audit_list(wb_store *s, wb_time since, int64_t offset, int64_t limit, wb_audit_cb cb,
                         void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_AUDIT_LIST, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, since == WB_TIME_NONE ? INT64_MIN : since);
    sqlite3_bind_int64(st, 2, limit);
    sqlite3_bind_int64(st, 3, offset);
    WALK(q, st, err, false, "", wb_audit_rec a,
         (a.id = sqlite3_column_int64(st, 0), a.time = sqlite3_column_int64(st, 1),
          a.user = col_text(st, 2), a.org = col_text(st, 3), a.action = col_text(st, 4),
          a.object = col_text(st, 5), a.detail = col_text(st, 6)),
         cb(ud, &a));
}

/* ---- incidents -------------------------------------------------------------------- */

static void bind_time(sqlite3_stmt *st, int i, wb_time t)
{
    if (t == WB_TIME_NONE)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, t);
}

static wb_time col_time(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? WB_TIME_NONE : sqlite3_column_int64(st, i);
}

static int sq_incident_add(wb_store *s, const wb_incident_rec *r, int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_INC_ADD, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, r->org_id);
    bind_text(st, 2, r->title);
    sqlite3_bind_int64(st, 3, r->aware_at);
    bind_time(st, 4, r->detected_at);
    bind_text(st, 5, r->entity_type);
    bind_text(st, 6, r->rsit);
    sqlite3_bind_int(st, 7, (int)r->tlp);
    sqlite3_bind_int64(st, 8, wb_time_now());
    int rc = run(q, st, "no such organisation", err);
    if (rc == 0 && id) *id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static void row_incident(sqlite3_stmt *st, wb_incident_rec *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->org_id = sqlite3_column_int64(st, 1);
    r->org_name = col_text(st, 2);
    r->org_sector = col_text(st, 3);
    r->title = col_text(st, 4);
    r->aware_at = sqlite3_column_int64(st, 5);
    r->detected_at = col_time(st, 6);
    r->entity_type = col_text(st, 7);
    if (wb_incident_status_parse(col_text(st, 8), &r->status) != 0) r->status = WB_INCIDENT_OPEN;
    r->rsit = col_text(st, 9);
    r->tlp = (wb_tlp)sqlite3_column_int(st, 10);
    r->handled_at = col_time(st, 11);
    r->created = sqlite3_column_int64(st, 12);
}

static int sq_incident_find(wb_store *s, int64_t id, wb_incident_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, id > 0 ? S_INC_GET : S_INC_LIST, err);
    if (st == NULL) return WB_EIO;
    char msg[64];
    snprintf(msg, sizeof msg, "no incident %lld", (long long)id);
    if (id > 0) sqlite3_bind_int64(st, 1, id);
    WALK(q, st, err, id > 0, msg, wb_incident_rec r, row_incident(st, &r), cb(ud, &r));
}

static int sq_incident_status(wb_store *s, int64_t id, wb_incident_status status,
                              wb_time handled_at, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_INC_STATUS, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, wb_incident_status_name(status));
    bind_time(st, 3, handled_at);
    int rc = run(q, st, NULL, err);
    if (rc == 0 && sqlite3_changes(q->db) == 0)
        rc = wb_error_set(err, WB_ENOTFOUND, "no incident %lld", (long long)id);
    return rc;
}

static int sq_ireport_add(wb_store *s, const wb_incident_report_rec *r, int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_IREP_ADD, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, r->incident_id);
    bind_text(st, 2, r->stage);
    bind_text(st, 3, r->json);
    sqlite3_bind_int64(st, 4, r->submitted_at);
    bind_text(st, 5, wb_report_channel_name(r->channel));
    bind_text(st, 6, r->author);
    sqlite3_bind_int64(st, 7, wb_time_now());
    char msg[64];
    snprintf(msg, sizeof msg, "no incident %lld", (long long)r->incident_id);
    int rc = run(q, st, msg, err);
    if (rc == 0 && id) *id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static void row_ireport(sqlite3_stmt *st, wb_incident_report_rec *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->incident_id = sqlite3_column_int64(st, 1);
    r->stage = col_text(st, 2);
    r->json = col_text(st, 3);
    r->submitted_at = sqlite3_column_int64(st, 4);
    const char *ch = col_text(st, 5);
    r->channel = strcmp(ch, "hub") == 0        ? WB_CHANNEL_HUB
                 : strcmp(ch, "recorded") == 0 ? WB_CHANNEL_RECORDED
                                               : WB_CHANNEL_LOCAL;
    r->author = col_text(st, 6);
    r->created = sqlite3_column_int64(st, 7);
}

static int sq_ireport_list(wb_store *s, int64_t incident_id, wb_incident_report_cb cb, void *ud,
                           wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_IREP_LIST, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, incident_id);
    WALK(q, st, err, false, "", wb_incident_report_rec r, row_ireport(st, &r), cb(ud, &r));
}

static int sq_iaction_add(wb_store *s, const wb_incident_action_rec *a, int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_IACT_ADD, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, a->incident_id);
    bind_text(st, 2, wb_incident_action_name(a->kind));
    sqlite3_bind_int64(st, 3, a->at);
    bind_time(st, 4, a->by);
    bind_text(st, 5, a->text);
    bind_text(st, 6, a->author);
    char msg[64];
    snprintf(msg, sizeof msg, "no incident %lld", (long long)a->incident_id);
    int rc = run(q, st, msg, err);
    if (rc == 0 && id) *id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static void row_iaction(sqlite3_stmt *st, wb_incident_action_rec *a)
{
    a->id = sqlite3_column_int64(st, 0);
    a->incident_id = sqlite3_column_int64(st, 1);
    const char *k = col_text(st, 2);
    a->kind = strcmp(k, "ack") == 0   ? WB_ACTION_ACK
              : strcmp(k, "ask") == 0 ? WB_ACTION_ASK
                                      : WB_ACTION_COMMENT;
    a->at = sqlite3_column_int64(st, 3);
    a->by = col_time(st, 4);
    a->text = col_text(st, 5);
    a->author = col_text(st, 6);
}

static int sq_iaction_list(wb_store *s, int64_t incident_id, wb_incident_action_cb cb, void *ud,
                           wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_IACT_LIST, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, incident_id);
    WALK(q, st, err, false, "", wb_incident_action_rec a, row_iaction(st, &a), cb(ud, &a));
}

static int sq_route_set(wb_store *s, const char *sector, int64_t csirt_id, int64_t supervisor_id,
                        wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_ROUTE_SET, err);
    if (st == NULL) return WB_EIO;
    bind_text(st, 1, sector);
    sqlite3_bind_int64(st, 2, csirt_id);
    bind_id(st, 3, supervisor_id);
    sqlite3_bind_int64(st, 4, wb_time_now());
    return run(q, st, "no such organisation", err);
}

static void row_route(sqlite3_stmt *st, wb_route_rec *r)
{
    r->sector = col_text(st, 0);
    r->csirt_id = sqlite3_column_int64(st, 1);
    r->csirt_name = col_text(st, 2);
    r->supervisor_id = sqlite3_column_int64(st, 3);
    r->supervisor_name = col_text(st, 4);
}

static int sq_route_find(wb_store *s, const char *sector, bool all, wb_route_cb cb, void *ud,
                         wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, all ? S_ROUTE_LIST : S_ROUTE_FOR, err);
    if (st == NULL) return WB_EIO;
    char msg[200];
    snprintf(msg, sizeof msg, "no route for sector '%.120s' and no national route ('*')",
             sector ? sector : "*");
    if (!all) bind_text(st, 1, sector);
    WALK(q, st, err, !all, msg, wb_route_rec r, row_route(st, &r), cb(ud, &r));
}

/* ---- webhooks and shared incident events ------------------------------------------ */

static int sq_hook_add(wb_store *s, int64_t org_id, const char *url, const char *secret,
                       int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_HOOK_ADD, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, org_id);
    bind_text(st, 2, url);
    bind_text(st, 3, secret);
    sqlite3_bind_int64(st, 4, wb_time_now());
    int rc = run(q, st, "no such organisation", err);
    if (rc == 0 && id) *id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static int sq_hook_remove(wb_store *s, int64_t id, wb_time now, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_HOOK_REMOVE, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    int rc = run(q, st, NULL, err);
    if (rc == 0 && sqlite3_changes(q->db) == 0)
        return wb_error_set(err, WB_ENOTFOUND, "no active hook %lld", (long long)id);
    if (rc == 0 && (st = stmt(q, S_HOOK_CANCEL, err)) == NULL) return WB_EIO;
    if (rc == 0) {
        sqlite3_bind_int64(st, 1, id);
        rc = run(q, st, NULL, err);
    }
    return rc;
}

static int sq_hook_list(wb_store *s, int64_t org_id, bool include_removed, wb_hook_cb cb, void *ud,
                        wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_HOOK_LIST, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, org_id);
    sqlite3_bind_int(st, 2, include_removed);
    WALK(q, st, err, false, "", wb_hook_rec h,
         (h.id = sqlite3_column_int64(st, 0), h.org_id = sqlite3_column_int64(st, 1),
          h.org_name = col_text(st, 2), h.url = col_text(st, 3), h.secret = col_text(st, 4),
          h.created = sqlite3_column_int64(st, 5), h.removed = col_time(st, 6)),
         cb(ud, &h));
}

static int sq_delivery_add(wb_store *s, const wb_delivery_rec *d, bool *added, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_DLV_ADD, err);
    if (st == NULL) return WB_EIO;
    bind_text(st, 1, d->uuid);
    sqlite3_bind_int64(st, 2, d->hook_id);
    bind_text(st, 3, d->event_key);
    bind_text(st, 4, d->body);
    sqlite3_bind_int64(st, 5, d->next_attempt);
    sqlite3_bind_int64(st, 6,
                       d->created != WB_TIME_NONE && d->created ? d->created : wb_time_now());
    int rc = run(q, st, "no such hook", err);
    if (added) *added = rc == 0 && sqlite3_changes(q->db) > 0;
    return rc;
}

static wb_delivery_status delivery_status(const char *s)
{
    return strcmp(s, "delivered") == 0   ? WB_DELIVERY_DELIVERED
           : strcmp(s, "failed") == 0    ? WB_DELIVERY_FAILED
           : strcmp(s, "cancelled") == 0 ? WB_DELIVERY_CANCELLED
                                         : WB_DELIVERY_PENDING;
}

static void row_delivery(sqlite3_stmt *st, wb_delivery_rec *d)
{
    d->id = sqlite3_column_int64(st, 0);
    d->uuid = col_text(st, 1);
    d->hook_id = sqlite3_column_int64(st, 2);
    d->url = col_text(st, 3);
    d->secret = col_text(st, 4);
    d->event_key = col_text(st, 5);
    d->body = col_text(st, 6);
    d->attempts = sqlite3_column_int64(st, 7);
    d->next_attempt = sqlite3_column_int64(st, 8);
    d->status = delivery_status(col_text(st, 9));
    d->last_status = sqlite3_column_int64(st, 10);
    d->last_error = col_text(st, 11);
    d->created = sqlite3_column_int64(st, 12);
    d->delivered = col_time(st, 13);
}

static int sq_delivery_walk(wb_store *s, int64_t hook_id, wb_time now, int64_t limit,
                            wb_delivery_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, hook_id < 0 ? S_DLV_DUE : S_DLV_LIST, err);
    if (st == NULL) return WB_EIO;
    if (hook_id < 0) {
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_int64(st, 2, limit);
    } else {
        sqlite3_bind_int64(st, 1, hook_id);
    }
    WALK(q, st, err, false, "", wb_delivery_rec d, row_delivery(st, &d), cb(ud, &d));
}

static int sq_delivery_update(wb_store *s, const wb_delivery_rec *d, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_DLV_UPDATE, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, d->id);
    sqlite3_bind_int64(st, 2, d->attempts);
    sqlite3_bind_int64(st, 3, d->next_attempt);
    bind_text(st, 4, wb_delivery_status_name(d->status));
    sqlite3_bind_int64(st, 5, d->last_status);
    bind_text(st, 6, d->last_error);
    bind_time(st, 7, d->delivered);
    return run(q, st, NULL, err);
}

static int sq_ievent_add(wb_store *s, const wb_incident_event_rec *e, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_IEV_ADD, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, e->incident_id);
    bind_text(st, 2, e->event_uuid);
    sqlite3_bind_int(st, 3, e->anonymous);
    bind_text(st, 4, e->author);
    sqlite3_bind_int64(st, 5, e->at);
    return run(q, st, "no such incident, or the event is linked already", err);
}

static int sq_ievent_list(wb_store *s, int64_t incident_id, wb_incident_event_cb cb, void *ud,
                          wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_IEV_LIST, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, incident_id);
    WALK(q, st, err, false, "", wb_incident_event_rec e,
         (e.incident_id = sqlite3_column_int64(st, 0), e.event_uuid = col_text(st, 1),
          e.anonymous = sqlite3_column_int(st, 2) != 0, e.author = col_text(st, 3),
          e.at = sqlite3_column_int64(st, 4)),
         cb(ud, &e));
}

/* ---- incident shares and proposals (migration 7) ---------------------------------- */

static int sq_ishare_add(wb_store *s, const wb_incident_share_rec *r, int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_ISH_ADD, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, r->incident_id);
    bind_text(st, 2, r->share_key);
    bind_text(st, 3, r->digest);
    sqlite3_bind_int(st, 4, r->anonymous);
    bind_text(st, 5, r->status);
    sqlite3_bind_int64(st, 6, r->org_id);
    if (r->csirt_id > 0)
        sqlite3_bind_int64(st, 7, r->csirt_id);
    else
        sqlite3_bind_null(st, 7);
    sqlite3_bind_int(st, 8, r->tlp);
    sqlite3_bind_int(st, 9, r->distribution);
    if (r->sharing_group_id > 0)
        sqlite3_bind_int64(st, 10, r->sharing_group_id);
    else
        sqlite3_bind_null(st, 10);
    bind_text(st, 11, r->body);
    sqlite3_bind_int64(st, 12, r->attributes);
    sqlite3_bind_int64(st, 13, r->warninglisted);
    bind_text(st, 14, r->event_uuid);
    bind_text(st, 15, r->author);
    sqlite3_bind_int64(st, 16, r->created);
    int rc = run(q, st, "the incident has a share with this key already", err);
    if (rc == 0 && id) *id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static void row_ishare(sqlite3_stmt *st, wb_incident_share_rec *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->incident_id = sqlite3_column_int64(st, 1);
    r->share_key = col_text(st, 2);
    r->digest = col_text(st, 3);
    r->anonymous = sqlite3_column_int(st, 4) != 0;
    r->status = col_text(st, 5);
    r->org_id = sqlite3_column_int64(st, 6);
    r->csirt_id = sqlite3_column_int64(st, 7);
    r->tlp = sqlite3_column_int(st, 8);
    r->distribution = sqlite3_column_int(st, 9);
    r->sharing_group_id = sqlite3_column_int64(st, 10);
    r->body = col_text(st, 11);
    r->attributes = sqlite3_column_int64(st, 12);
    r->warninglisted = sqlite3_column_int64(st, 13);
    r->event_uuid = col_text(st, 14);
    r->author = col_text(st, 15);
    r->created = sqlite3_column_int64(st, 16);
    r->decided_by = col_text(st, 17);
    r->decided_at = col_time(st, 18);
}

static int sq_ishare_find(wb_store *s, int64_t id, int64_t incident_id, const char *key,
                          wb_incident_share_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, id > 0 ? S_ISH_BY_ID : S_ISH_BY_KEY, err);
    if (st == NULL) return WB_EIO;
    if (id > 0) {
        sqlite3_bind_int64(st, 1, id);
    } else {
        sqlite3_bind_int64(st, 1, incident_id);
        bind_text(st, 2, key);
    }
    WALK(q, st, err, true, "no such share", wb_incident_share_rec r, row_ishare(st, &r),
         cb(ud, &r));
}

static int sq_ishare_list(wb_store *s, int64_t org_id, const char *status, wb_incident_share_cb cb,
                          void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_ISH_LIST, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, org_id);
    bind_text(st, 2, status);
    WALK(q, st, err, false, "", wb_incident_share_rec r, row_ishare(st, &r), cb(ud, &r));
}

static int sq_ishare_decide(wb_store *s, int64_t id, const char *status, const char *event_uuid,
                            const char *by, wb_time at, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_ISH_DECIDE, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, status);
    bind_text(st, 3, event_uuid);
    bind_text(st, 4, by);
    sqlite3_bind_int64(st, 5, at);
    int rc = run(q, st, NULL, err);
    if (rc == 0 && sqlite3_changes(q->db) == 0)
        return wb_error_set(err, WB_ENOTFOUND, "proposal %lld is not pending", (long long)id);
    return rc;
}

/* ---- assessments -------------------------------------------------------------------- */

/* The bound on versions lives in assessdb.h; the store keeps its own copy so
 * that it does not depend on the assess module. */
#define MAX_ASSESS_VERSIONS 100000

static int sq_assessment_add(wb_store *s, const wb_assessment_rec *r, int64_t *id, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_ASSESS_ADD, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, r->org_id);
    bind_text(st, 2, r->catalogue);
    bind_text(st, 3, r->scope);
    sqlite3_bind_int(st, 4, r->target);
    bind_text(st, 5, r->author);
    sqlite3_bind_int64(st, 6, wb_time_now());
    int rc = run(q, st, "no such organisation", err);
    if (rc == 0 && id) *id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static void row_assessment(sqlite3_stmt *st, wb_assessment_rec *a)
{
    a->id = sqlite3_column_int64(st, 0);
    a->org_id = sqlite3_column_int64(st, 1);
    a->org_name = col_text(st, 2);
    a->org_sector = col_text(st, 3);
    a->catalogue = col_text(st, 4);
    a->scope = col_text(st, 5);
    a->target = sqlite3_column_int(st, 6);
    a->author = col_text(st, 7);
    a->created = sqlite3_column_int64(st, 8);
    a->version = sqlite3_column_int(st, 9);
    a->version_time = col_time(st, 10);
    a->shared_csirt = sqlite3_column_int(st, 11) != 0;
    a->shared_supervisor = sqlite3_column_int(st, 12) != 0;
}

static int sq_assessment_find(wb_store *s, int64_t id, int64_t org_id, wb_assessment_cb cb,
                              void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, id > 0 ? S_ASSESS_GET : S_ASSESS_LIST, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, id > 0 ? id : org_id);
    char msg[64];
    snprintf(msg, sizeof msg, "no assessment %lld", (long long)id);
    WALK(q, st, err, id > 0, msg, wb_assessment_rec a, row_assessment(st, &a), cb(ud, &a));
}

static int sq_aversion_add(wb_store *s, const wb_assessment_version_rec *v, int *version,
                           wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_AVER_ADD, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, v->assessment_id);
    bind_text(st, 2, v->json);
    sqlite3_bind_int64(st, 3, (int64_t)v->nanswers);
    bind_text(st, 4, v->action);
    bind_text(st, 5, v->author);
    sqlite3_bind_int64(st, 6, wb_time_now());
    sqlite3_bind_int(st, 7, MAX_ASSESS_VERSIONS);
    int rc = sqlite3_step(st), ret = 0;
    if (rc == SQLITE_ROW) {
        if (version) *version = sqlite3_column_int(st, 0);
    } else if (rc == SQLITE_DONE) {
        ret = wb_error_set(err, WB_ELIMIT, "assessment %lld has %d versions, the most it may have",
                           (long long)v->assessment_id, MAX_ASSESS_VERSIONS);
    } else if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        ret = wb_error_set(err, WB_EINVAL, "no assessment %lld", (long long)v->assessment_id);
    } else {
        ret = db_error(q, err, "writing");
    }
    done(st);
    return ret;
}

static void row_aversion(sqlite3_stmt *st, wb_assessment_version_rec *v)
{
    v->assessment_id = sqlite3_column_int64(st, 0);
    v->version = sqlite3_column_int(st, 1);
    v->json = col_text(st, 2);
    v->nanswers = (size_t)sqlite3_column_int64(st, 3);
    v->action = col_text(st, 4);
    v->author = col_text(st, 5);
    v->created = sqlite3_column_int64(st, 6);
}

static int sq_aversion_find(wb_store *s, int64_t assessment_id, int version, bool list,
                            wb_assessment_version_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, list ? S_AVER_LIST : S_AVER_GET, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, assessment_id);
    if (!list) sqlite3_bind_int(st, 2, version);
    char msg[96];
    if (version > 0)
        snprintf(msg, sizeof msg, "assessment %lld has no version %d", (long long)assessment_id,
                 version);
    else
        snprintf(msg, sizeof msg, "assessment %lld has no answers yet", (long long)assessment_id);
    WALK(q, st, err, !list, msg, wb_assessment_version_rec v, row_aversion(st, &v), cb(ud, &v));
}

static int sq_ashare_add(wb_store *s, const wb_assessment_share_rec *r, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_ASHARE_ADD, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, r->assessment_id);
    bind_text(st, 2, wb_share_audience_name(r->audience));
    sqlite3_bind_int(st, 3, r->shared ? 1 : 0);
    bind_text(st, 4, r->author);
    sqlite3_bind_int64(st, 5, r->at != WB_TIME_NONE && r->at != 0 ? r->at : wb_time_now());
    char msg[64];
    snprintf(msg, sizeof msg, "no assessment %lld", (long long)r->assessment_id);
    return run(q, st, msg, err);
}

static void row_ashare(sqlite3_stmt *st, wb_assessment_share_rec *r)
{
    r->assessment_id = sqlite3_column_int64(st, 0);
    r->audience = strcmp(col_text(st, 1), "supervisor") == 0 ? WB_SHARE_SUPERVISOR : WB_SHARE_CSIRT;
    r->shared = sqlite3_column_int(st, 2) != 0;
    r->author = col_text(st, 3);
    r->at = sqlite3_column_int64(st, 4);
}

static int sq_ashare_list(wb_store *s, int64_t assessment_id, wb_assessment_share_cb cb, void *ud,
                          wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_ASHARE_LIST, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, assessment_id);
    WALK(q, st, err, false, "", wb_assessment_share_rec r, row_ashare(st, &r), cb(ud, &r));
}

/* ---- dependency pictures (migration 8) ------------------------------------------------ */

/* The bound on versions lives in depsdb.h; the store keeps its own copy. */
#define MAX_DEPS_VERSIONS 100000

static int sq_dpic_add(wb_store *s, const wb_deps_picture_rec *r, int *version, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_DPIC_ADD, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, r->org_id);
    bind_text(st, 2, r->json);
    bind_text(st, 3, r->author);
    sqlite3_bind_int64(st, 4, wb_time_now());
    sqlite3_bind_int(st, 5, MAX_DEPS_VERSIONS);
    int rc = sqlite3_step(st), ret = 0;
    if (rc == SQLITE_ROW) {
        if (version) *version = sqlite3_column_int(st, 0);
    } else if (rc == SQLITE_DONE) {
        ret =
            wb_error_set(err, WB_ELIMIT, "organisation %lld has %d pictures, the most it may have",
                         (long long)r->org_id, MAX_DEPS_VERSIONS);
    } else if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        ret = wb_error_set(err, WB_EINVAL, "no organisation %lld", (long long)r->org_id);
    } else {
        ret = db_error(q, err, "writing");
    }
    done(st);
    return ret;
}

static void row_dpic(sqlite3_stmt *st, wb_deps_picture_rec *r)
{
    r->org_id = sqlite3_column_int64(st, 0);
    r->org_name = col_text(st, 1);
    r->org_sector = col_text(st, 2);
    r->version = sqlite3_column_int(st, 3);
    r->json = col_text(st, 4);
    r->author = col_text(st, 5);
    r->created = sqlite3_column_int64(st, 6);
    r->shared_csirt = sqlite3_column_int(st, 7) != 0;
    r->shared_supervisor = sqlite3_column_int(st, 8) != 0;
}

static int sq_dpic_list(wb_store *s, int64_t org_id, wb_deps_picture_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_DPIC_LIST, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, org_id);
    WALK(q, st, err, false, "", wb_deps_picture_rec r, row_dpic(st, &r), cb(ud, &r));
}

static int sq_dshare_add(wb_store *s, const wb_deps_share_rec *r, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_DSHARE_ADD, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, r->org_id);
    bind_text(st, 2, wb_share_audience_name(r->audience));
    sqlite3_bind_int(st, 3, r->shared ? 1 : 0);
    bind_text(st, 4, r->author);
    sqlite3_bind_int64(st, 5, r->at != WB_TIME_NONE && r->at != 0 ? r->at : wb_time_now());
    char msg[64];
    snprintf(msg, sizeof msg, "no organisation %lld", (long long)r->org_id);
    return run(q, st, msg, err);
}

/* ---- hub feeds ------------------------------------------------------------------------ */

static int sq_cache_size(wb_store *s, size_t bytes, wb_error *err)
{
    sq_store *q = SQ(s);
    char sql[64];
    /* A negative cache_size is in KiB. */
    snprintf(sql, sizeof sql, "PRAGMA cache_size=-%zu", bytes / 1024 ? bytes / 1024 : 1);
    return exec(q, sql, err);
}

/* ---- change feed (hub-sync) ------------------------------------------------------ */

static int sq_event_changes(wb_store *s, int64_t after, wb_event_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_EV_CHANGES, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, after);
    WALK(q, st, err, false, "", wb_event_rec e,
         (row_event(st, 0, true, &e), e.seq = sqlite3_column_int64(st, 14)), cb(ud, &e));
}

static int sq_event_version_at(wb_store *s, int64_t event_id, int64_t seq, wb_event_rec *out,
                               wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_EV_VERSION_AT, err);
    if (st == NULL) return WB_EIO;
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, seq);
    int rc = sqlite3_step(st), ret = 0;
    if (rc == SQLITE_ROW) {
        out->seq = sqlite3_column_int64(st, 0);
        out->tlp = (wb_tlp)sqlite3_column_int(st, 1);
        out->distribution = sqlite3_column_int(st, 2);
        out->sharing_group_id = sqlite3_column_int64(st, 3);
        out->deleted = sqlite3_column_int(st, 4) != 0;
    } else if (rc == SQLITE_DONE) {
        ret = WB_ENOTFOUND; /* created after seq: the caller never held it */
    } else {
        ret = db_error(q, err, "reading");
    }
    done(st);
    return ret;
}

/* One read transaction around a request's reads: each statement outside a
 * transaction takes and drops the WAL read lock (fcntl calls on the shm
 * file) on its own, and a look-up request runs several. */
static void sq_read_begin(wb_store *s)
{
    sq_store *q = SQ(s);
    if (q->depth == 0 && !q->reading && sqlite3_exec(q->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
        q->reading = true;
}

/* Commits, in case a write slipped in without its own transaction: then
 * this COMMIT is what makes it durable, and its failure must be known. */
static int sq_read_end(wb_store *s, wb_error *err)
{
    sq_store *q = SQ(s);
    int rc = 0;
    if (q->reading && sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_error(q, err, "ending a read transaction");
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    }
    q->reading = false;
    return rc;
}

static int sq_warninglist_put(wb_store *s, const char *name, const char *json, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_WL_PUT, err);
    if (st == NULL) return WB_EIO;
    bind_text(st, 1, name);
    bind_text(st, 2, json);
    sqlite3_bind_int64(st, 3, wb_time_now());
    return run(q, st, NULL, err);
}

static int sq_warninglist_list(wb_store *s, wb_warninglist_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_WL_LIST, err);
    if (st == NULL) return WB_EIO;
    WALK(q, st, err, false, "", wb_warninglist_rec w,
         (w.id = sqlite3_column_int64(st, 0), w.name = col_text(st, 1), w.json = col_text(st, 2),
          w.created = sqlite3_column_int64(st, 3)),
         cb(ud, &w));
}

static int sq_event_seq_max(wb_store *s, int64_t *out, wb_error *err)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, S_SEQ_MAX, err);
    if (st == NULL) return WB_EIO;
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    done(st);
    return rc == SQLITE_ROW ? 0 : db_error(q, err, "reading");
}

static int sq_cidr_prefixes(wb_store *s, wb_prefix_set *out, wb_error *err)
{
    sq_store *q = SQ(s);
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = stmt(q, S_CIDR_PREFIXES, err);
    if (st == NULL) return WB_EIO;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int v6 = sqlite3_column_int(st, 0), len = sqlite3_column_int(st, 1);
        if (v6 && len >= 0 && len <= 128)
            out->v6[len / 64] |= (uint64_t)1 << (len % 64);
        else if (!v6 && len >= 0 && len <= 32)
            out->v4 |= (uint64_t)1 << len;
    }
    int ret = rc == SQLITE_DONE ? 0 : db_error(q, err, "reading");
    done(st);
    return ret;
}

static int sq_schema_check(wb_store *s, int64_t *in_db, int *known, wb_error *err)
{
    *known = migrations[sizeof migrations / sizeof migrations[0] - 1].version;
    return query_int(SQ(s), "SELECT coalesce(max(version), 0) FROM schema_version", in_db, err);
}

static const wbi_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .schema_version = sq_schema_version,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .org_add = sq_org_add,
    .org_find = sq_org_find,
    .org_list = sq_org_list,
    .user_add = sq_user_add,
    .user_find = sq_user_find,
    .user_list = sq_user_list,
    .key_add = sq_key_add,
    .key_revoke = sq_key_revoke,
    .key_list = sq_key_list,
    .key_by_hash = sq_key_by_hash,
    .sgroup_add = sq_sgroup_add,
    .sgroup_find = sq_sgroup_find,
    .sgroup_list = sq_sgroup_list,
    .org_sgroups = sq_org_sgroups,
    .sgroup_has_org = sq_sgroup_has_org,
    .event_put = sq_event_put,
    .event_get = sq_event_get,
    .event_list = sq_event_list,
    .event_flag = sq_event_flag,
    .attr_list = sq_attr_list,
    .attr_lookup = sq_attr_lookup,
    .attr_get = sq_attr_get,
    .sighting_add = sq_sighting_add,
    .sighting_list = sq_sighting_list,
    .audit_add = sq_audit_add,
    .audit_list = sq_audit_list,
    .audit_walk = sq_audit_walk,
    .audit_anchor = sq_audit_anchor,
    .audit_archive = sq_audit_archive,
    .incident_add = sq_incident_add,
    .incident_find = sq_incident_find,
    .incident_status = sq_incident_status,
    .ireport_add = sq_ireport_add,
    .ireport_list = sq_ireport_list,
    .iaction_add = sq_iaction_add,
    .iaction_list = sq_iaction_list,
    .route_set = sq_route_set,
    .route_find = sq_route_find,
    /* webhooks and shared incident events */
    .hook_add = sq_hook_add,
    .hook_remove = sq_hook_remove,
    .hook_list = sq_hook_list,
    .delivery_add = sq_delivery_add,
    .delivery_walk = sq_delivery_walk,
    .delivery_update = sq_delivery_update,
    .ievent_add = sq_ievent_add,
    .ievent_list = sq_ievent_list,
    .ishare_add = sq_ishare_add,
    .ishare_find = sq_ishare_find,
    .ishare_list = sq_ishare_list,
    .ishare_decide = sq_ishare_decide,
    /* assessments (migration 5) */
    .assessment_add = sq_assessment_add,
    .assessment_find = sq_assessment_find,
    .aversion_add = sq_aversion_add,
    .aversion_find = sq_aversion_find,
    .ashare_add = sq_ashare_add,
    .ashare_list = sq_ashare_list,
    /* dependency pictures (migration 8) */
    .dpic_add = sq_dpic_add,
    .dpic_list = sq_dpic_list,
    .dshare_add = sq_dshare_add,
    /* hub feeds */
    .cache_size = sq_cache_size,
    /* hub-sync */
    .event_changes = sq_event_changes,
    .event_version_at = sq_event_version_at,
    .cidr_prefixes = sq_cidr_prefixes,
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
    .warninglist_put = sq_warninglist_put,
    .warninglist_list = sq_warninglist_list,
    .event_seq_max = sq_event_seq_max,
    .schema_check = sq_schema_check,
};
