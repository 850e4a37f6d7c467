/*
 * sqlite.c - the SQLite back end of the store (store_internal.h): the
 * connection, transactions and the migrations. The operations of each
 * domain, with their statements, are in sqlite_<domain>.c (accounts,
 * events, register, hooks, assess, deps, audit; sqlite_internal.h).
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

#include "store/sqlite_internal.h"

#define BUSY_TIMEOUT_MS 10000

/* ---- schema -------------------------------------------------------------- */

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

/* One numbered sequence for every domain, applied in order. Never edit a
 * migration that has shipped: add the next one at the end. Its SQL may be a
 * literal here or live beside its domain's code: declare it in
 * sqlite_internal.h as `extern const char wbi_sqlite_<domain>_mN[];`, define
 * it in sqlite_<domain>.c and add `{N, wbi_sqlite_<domain>_mN}` here. */
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
    /* 9: administration (accounts.h). An organisation or user is disabled
     * rather than deleted while it owns anything; a key may expire, carries
     * a comment, and records the day it was last used (day resolution, so
     * the look-up path writes at most once per key per day). */
    {9, "ALTER TABLE orgs ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE api_keys ADD COLUMN expires INTEGER;"
        "ALTER TABLE api_keys ADD COLUMN comment TEXT;"
        "ALTER TABLE api_keys ADD COLUMN last_used INTEGER;"
        "CREATE INDEX audit_action ON audit(action);"},
    /* 10: one identity for a sighting (docs/hub.md, Sightings): the
     * reporting organisation and key, the attribute and the type, with a
     * window [first_seen, date_sighting] and a count. Each record gets a
     * uuid of its own (the same record everywhere: API, sync); records made
     * before keep their rows, counts and sources, with no key. A client's
     * request uuid is remembered per organisation so that a retried post
     * changes nothing (sighting_requests). */
    {10,
     "ALTER TABLE sightings ADD COLUMN uuid TEXT;"
     "ALTER TABLE sightings ADD COLUMN key_id INTEGER REFERENCES api_keys(id);"
     "UPDATE sightings SET uuid=lower(hex(randomblob(4)))||'-'||lower(hex(randomblob(2)))"
     "||'-4'||substr(lower(hex(randomblob(2))),2)||'-'||substr('89ab',1+abs(random()%4),1)"
     "||substr(lower(hex(randomblob(2))),2)||'-'||lower(hex(randomblob(6)));"
     "CREATE UNIQUE INDEX sightings_uuid ON sightings(uuid);"
     "CREATE INDEX sightings_ident ON sightings(attribute_id, org_id, type, date_sighting);"
     "CREATE INDEX sightings_time ON sightings(date_sighting);"
     "CREATE INDEX sightings_org ON sightings(org_id, date_sighting);"
     "CREATE TABLE sighting_requests(org_id INTEGER NOT NULL REFERENCES orgs(id),"
     " uuid TEXT NOT NULL, created INTEGER NOT NULL, PRIMARY KEY(org_id, uuid)) WITHOUT ROWID;"},
    /* 11: web sign-in: passwords, second factors, sessions, links (sqlite_web.c) */
    {11, wbi_sqlite_web_schema},
    /* 12: the hub's vulnerability scans (sqlite_vulnscan.c) */
    {12, wbi_sqlite_vulnscan_schema},
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
    /* 15: sharing-group membership history (sqlite_admin.c): an
     * organisation taken out of a group, and the change sequence number
     * at that moment, so that the change feed sends that organisation's
     * followers a tombstone for the group's events it held then. */
    /* 14: MISP galaxies with their clusters, and proposals (sqlite_misp.c) */
    {14, wbi_sqlite_misp_m14},
    {15, "CREATE TABLE sharing_group_removals(sg_id INTEGER NOT NULL, org_id INTEGER NOT NULL,"
         " seq INTEGER NOT NULL);"
         "CREATE INDEX sharing_group_removals_org ON sharing_group_removals(org_id, seq);"},
    /* 16: sightings travel by sync (sqlite_sync.c). Every write of a
     * sighting record gets the next sighting change number (seq, for the
     * push cursor) and the time of the write (changed, MISP's
     * sighting_timestamp in the event index), by triggers as events' seq;
     * a record that arrived by sync keeps the server it came from
     * (server_id) and is never merged with local reports. A server may
     * take sightings only (push_sightings, MISP's "push sightings"), and
     * has a sighting cursor each way. */
    {16, "ALTER TABLE sightings ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;"
         "ALTER TABLE sightings ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;"
         "ALTER TABLE sightings ADD COLUMN server_id INTEGER;"
         "UPDATE sightings SET seq=id, changed=created;"
         "CREATE INDEX sightings_seq ON sightings(seq);"
         "CREATE TRIGGER sightings_seq_insert AFTER INSERT ON sightings BEGIN"
         " UPDATE sightings SET seq=(SELECT coalesce(max(seq),0)+1 FROM sightings),"
         " changed=CAST(strftime('%s','now') AS INTEGER) WHERE id=new.id; END;"
         "CREATE TRIGGER sightings_seq_update AFTER UPDATE OF count,date_sighting,first_seen,"
         "source,type,attribute_id,org_id ON sightings BEGIN"
         " UPDATE sightings SET seq=(SELECT coalesce(max(seq),0)+1 FROM sightings),"
         " changed=CAST(strftime('%s','now') AS INTEGER) WHERE id=new.id; END;"
         "ALTER TABLE sync_servers ADD COLUMN push_sightings INTEGER NOT NULL DEFAULT 0;"
         "ALTER TABLE sync_servers ADD COLUMN sighting_push_cursor INTEGER NOT NULL DEFAULT 0;"
         "ALTER TABLE sync_servers ADD COLUMN sighting_pull_cursor INTEGER NOT NULL DEFAULT 0;"},
    /* 17: a web session's idle limit and last use (sqlite_web.c) */
    {17, wbi_sqlite_web_idle_schema},
    /* 18: e-mail recipients of the incident reminders. A recipient is a hook
     * whose URL is mailto:ADDRESS (so it shares the deliveries' once-per-
     * event key, backoff and cancellation); lang is the language its
     * messages are written in (hooks.c). A webhook's lang is unused. */
    {18, "ALTER TABLE hooks ADD COLUMN lang TEXT NOT NULL DEFAULT 'nl'"
         " CHECK(lang IN ('nl','en'));"},
    /* 19: the hub's NATS publisher (sqlite_nats.c): how far it published
     * the change feed, each event's subjects, each subject's last change. */
    {19, wbi_sqlite_nats_schema},
};

/* Migration 6's chaining of the entries made before it (audit_backfill)
 * runs with the update trigger lifted; the triggers come back after it. */
static const migration_step migration_steps[] = {
    {6, wbi_sqlite_audit_backfill,
     "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
     " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
     "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
     " WHEN old.id > coalesce((SELECT max(upto_id) FROM audit_archives), 0)"
     " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: only archived entries are"
     " removed (admin audit archive)'); END;"},
};

size_t wbi_sqlite_migration_count(void)
{
    return sizeof migrations / sizeof migrations[0];
}

int wbi_sqlite_migration_version(size_t i)
{
    return migrations[i].version;
}

/* ---- statements ------------------------------------------------------------ */

wbi_db *wbi_sqlite_db(wb_store *s)
{
    /* both SQL back ends (sqlite.c, pg.c) keep an sq_store */
    return s ? SQ(s)->db : NULL;
}

int wbi_sqlite_error(wb_store *s, wb_error *err, const char *what)
{
    return db_error(SQ(s), err, what);
}

/* A statement prepared for one use (the caller finalizes it), for the
 * domains whose statements are not cached; NULL with err set (out of
 * memory as WB_ENOMEM) when it cannot be prepared. */
wbi_stmt *wbi_sqlite_prep(wb_store *s, const char *sql, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = NULL;
    if (wbi_db_prepare(q->db, sql, &st) != WBI_DB_OK) {
        db_error(q, err, "preparing a statement");
        wbi_db_finalize(st);
        return NULL;
    }
    return st;
}

/* A one-use statement that failed: a constraint is WB_EINVAL with dup (or
 * the database's message when dup is NULL), out of memory WB_ENOMEM,
 * anything else WB_EIO naming the file; st is finalized. */
int wbi_sqlite_fail(wb_store *s, wbi_stmt *st, const char *dup, wb_error *err)
{
    wbi_db *db = SQ(s)->db;
    int ec = wbi_db_errcode(db);
    int rc = (ec & 0xff) == WBI_DB_CONSTRAINT
                 ? wb_error_set(err, WB_EINVAL, "%s", dup ? dup : wbi_db_errmsg(db))
                 : wb_error_set(err, ec == WBI_DB_NOMEM ? WB_ENOMEM : WB_EIO, "%s: %s", SQ(s)->path,
                                wbi_db_errmsg(db));
    wbi_db_finalize(st);
    return rc;
}

/* Steps a one-use statement that returns no rows and finalizes it. */
int wbi_sqlite_run(wb_store *s, wbi_stmt *st, const char *dup, wb_error *err)
{
    int rc = wbi_db_step(st);
    if (rc != WBI_DB_DONE && rc != WBI_DB_ROW) return wbi_sqlite_fail(s, st, dup, err);
    wbi_db_finalize(st);
    return 0;
}

const char *wbi_sqlite_path(wb_store *s)
{
    return SQ(s)->path;
}

wbi_stmt *wbi_sqlite_prepare(sq_store *q, wbi_sq_domain d, const char *const *sql, int n, int which,
                             wb_error *err)
{
    if (q->st[d] == NULL) {
        q->st[d] = calloc((size_t)n, sizeof *q->st[d]);
        if (q->st[d] == NULL) {
            wb_error_set(err, WB_ENOMEM, "out of memory");
            return NULL;
        }
        q->nst[d] = n;
    }
    if (q->st[d][which] == NULL &&
        wbi_db_prepare_persistent(q->db, sql[which], &q->st[d][which]) != WBI_DB_OK) {
        db_error(q, err, "preparing a statement");
        return NULL;
    }
    return q->st[d][which];
}

/* ---- open, close, transactions --------------------------------------------------- */

int wbi_sqlite_begin(wb_store *s, wb_error *err)
{
    sq_store *q = SQ(s);
    /* A write ends the read transaction: its snapshot may be older than
     * the database, and SQLite cannot upgrade it without risking BUSY. */
    if (q->depth == 0 && q->reading) {
        wbi_db_exec(q->db, "COMMIT");
        q->reading = false;
    }
    /* IMMEDIATE takes the write lock up front: a deferred transaction that
     * upgrades later can fail with WBI_DB_BUSY without the busy handler
     * being asked to wait. */
    /* A ROLLBACK that could not run (SQLite out of memory) left its
     * transaction open; end it, or every later write fails. */
    if (q->depth == 0 && wbi_db_in_txn(q->db)) wbi_db_exec(q->db, "ROLLBACK");
    int rc = q->depth == 0 ? exec(q,
                                  wbi_db_dialect_of(q->db) == WBI_DB_POSTGRES ? WBI_PG_BEGIN
                                                                              : "BEGIN IMMEDIATE",
                                  err)
                           : 0;
    if (rc != 0) return rc; /* WB_ENOMEM when SQLite ran out of memory */
    q->depth++;
    return 0;
}

int wbi_sqlite_commit(wb_store *s, wb_error *err)
{
    sq_store *q = SQ(s);
    if (q->depth == 0) return wb_error_set(err, WB_EINTERNAL, "commit without begin");
    if (q->depth > 1) {
        q->depth--;
        return 0;
    }
    int rc = exec(q, "COMMIT", err);
    if (rc) {
        wbi_db_exec(q->db, "ROLLBACK");
    }
    q->depth = 0;
    return rc;
}

void wbi_sqlite_rollback(wb_store *s)
{
    sq_store *q = SQ(s);
    if (q->depth > 0) wbi_db_exec(q->db, "ROLLBACK");
    q->depth = 0;
}

void wbi_sqlite_close(wb_store *s)
{
    sq_store *q = SQ(s);
    for (int d = 0; d < WBI_SQ_NDOMAINS; d++) {
        for (int i = 0; q->st[d] && i < q->nst[d]; i++)
            wbi_db_finalize(q->st[d][i]);
        free(q->st[d]);
    }
    wbi_db_close(q->db);
    sodium_memzero(q->base.secret, sizeof q->base.secret);
    free(q->path);
    free(q);
}

static int sq_schema_version(wb_store *s)
{
    return SQ(s)->version;
}

int wbi_sqlite_query_int(sq_store *q, const char *sql, int64_t *out, wb_error *err)
{
    wbi_stmt *st;
    if (wbi_db_prepare(q->db, sql, &st) != WBI_DB_OK) return db_error(q, err, "reading");
    int rc = wbi_db_step(st);
    *out = rc == WBI_DB_ROW ? wbi_db_col_i64(st, 0) : 0;
    wbi_db_finalize(st);
    return rc == WBI_DB_ROW || rc == WBI_DB_DONE ? 0 : db_error(q, err, "reading");
}

/* The newest migration is the highest number, not the last entry:
 * numbers are handed out ahead of time and appended when they land (14
 * came after 15). */
static int newest_migration(void)
{
    int latest = 0;
    for (size_t i = 0; i < sizeof migrations / sizeof migrations[0]; i++)
        if (migrations[i].version > latest) latest = migrations[i].version;
    return latest;
}

/* The key-hashing secret is made with the database, once: read from
 * table meta, or made and stored there (in the caller's transaction). */
int wbi_sqlite_key_secret(sq_store *q, wb_error *err)
{
    int rc = 0;
    wbi_stmt *st = NULL;
    if (wbi_db_prepare(q->db, "SELECT value FROM meta WHERE key='key_secret'", &st) != WBI_DB_OK)
        rc = db_error(q, err, "reading the key secret");
    if (rc == 0) {
        int s = wbi_db_step(st);
        if (s == WBI_DB_ROW && wbi_db_col_bytes(st, 0) == WB_KEY_HASH_LEN) {
            memcpy(q->base.secret, wbi_db_col_blob(st, 0), WB_KEY_HASH_LEN);
        } else if (s == WBI_DB_DONE) {
            wbi_stmt *ins = NULL;
            randombytes_buf(q->base.secret, WB_KEY_HASH_LEN);
            if (wbi_db_prepare(q->db, "INSERT INTO meta(key,value) VALUES('key_secret',?)", &ins) !=
                WBI_DB_OK)
                rc = db_error(q, err, "storing the key secret");
            else {
                wbi_db_bind_blob(ins, 1, q->base.secret, WB_KEY_HASH_LEN);
                if (wbi_db_step(ins) != WBI_DB_DONE)
                    rc = db_error(q, err, "storing the key secret");
            }
            wbi_db_finalize(ins);
        } else {
            rc = wb_error_set(err, WB_EFORMAT, "%s: the key secret in table meta is damaged",
                              q->path);
        }
    }
    wbi_db_finalize(st);
    return rc;
}

static int migrate(sq_store *q, wb_error *err)
{
    int latest = newest_migration();
    int rc = wbi_sqlite_begin(&q->base, err);
    if (rc) return rc;
    rc = exec(q, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)", err);
    int64_t cur = 0;
    if (rc == 0)
        rc = wbi_sqlite_query_int(q, "SELECT coalesce(max(version), 0) FROM schema_version", &cur,
                                  err);
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
        rc = wbi_sqlite_query_int(q, sql, &done, err);
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
    if (rc == 0) rc = wbi_sqlite_key_secret(q, err);
    if (rc == 0) rc = wbi_sqlite_commit(&q->base, err);
    if (rc) wbi_sqlite_rollback(&q->base);
    q->version = latest;
    return rc;
}

static const wbi_store_ops sqlite_ops;

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
    q->base.admin = &wbi_sqlite_admin_ops;
    q->base.vscan = &wbi_sqlite_vscan_ops;
    q->base.accounts = &wbi_sqlite_accounts_ops;
    q->base.events = &wbi_sqlite_events_ops;
    q->base.reg = &wbi_sqlite_register_ops;
    q->base.hooks = &wbi_sqlite_hooks_ops;
    q->base.assess = &wbi_sqlite_assess_ops;
    q->base.deps = &wbi_sqlite_deps_ops;
    q->base.audit = &wbi_sqlite_audit_ops;
    int rc = 0;
    if (wbi_db_sqlite_open(path, &q->db) != WBI_DB_OK)
        rc = wb_error_set(err, WB_EIO, "%s: cannot open the database: %s", path,
                          q->db ? wbi_db_errmsg(q->db) : "out of memory");
    if (rc == 0) sqlite3_busy_timeout(wbi_db_sqlite_handle(q->db), BUSY_TIMEOUT_MS);
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
        rc = wbi_sqlite_query_int(q, "PRAGMA foreign_keys", &fk, err);
        if (rc == 0 && fk != 1)
            rc = wb_error_set(err, WB_EINTERNAL, "%s: SQLite without foreign keys", path);
    }
    if (rc == 0) rc = migrate(q, err);
    if (rc) {
        /* A file that is not a database reports "file is not a database". */
        wbi_sqlite_close(&q->base);
        return rc;
    }
    *out = &q->base;
    return 0;
}

/* ---- caches and read transactions
 * ------------------------------------------------------------------------ */

static int sq_cache_size(wb_store *s, size_t bytes, wb_error *err)
{
    sq_store *q = SQ(s);
    char sql[64];
    /* A negative cache_size is in KiB. */
    snprintf(sql, sizeof sql, "PRAGMA cache_size=-%zu", bytes / 1024 ? bytes / 1024 : 1);
    return exec(q, sql, err);
}

/* One read transaction around a request's reads: each statement outside a
 * transaction takes and drops the WAL read lock (fcntl calls on the shm
 * file) on its own, and a look-up request runs several. */
static void sq_read_begin(wb_store *s)
{
    sq_store *q = SQ(s);
    if (q->depth == 0 && !q->reading && wbi_db_exec(q->db, "BEGIN") == WBI_DB_OK) q->reading = true;
}

/* Commits, in case a write slipped in without its own transaction: then
 * this COMMIT is what makes it durable, and its failure must be known. */
static int sq_read_end(wb_store *s, wb_error *err)
{
    sq_store *q = SQ(s);
    int rc = 0;
    if (q->reading && wbi_db_exec(q->db, "COMMIT") != WBI_DB_OK) {
        rc = db_error(q, err, "ending a read transaction");
        wbi_db_exec(q->db, "ROLLBACK");
    }
    q->reading = false;
    return rc;
}

static int sq_schema_check(wb_store *s, int64_t *in_db, int *known, wb_error *err)
{
    *known = newest_migration();
    return wbi_sqlite_query_int(SQ(s), "SELECT coalesce(max(version), 0) FROM schema_version",
                                in_db, err);
}

static const wbi_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = wbi_sqlite_close,
    .schema_version = sq_schema_version,
    .begin = wbi_sqlite_begin,
    .commit = wbi_sqlite_commit,
    .rollback = wbi_sqlite_rollback,
    .cache_size = sq_cache_size,
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
    .schema_check = sq_schema_check,
};
