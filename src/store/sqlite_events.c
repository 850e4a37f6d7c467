/*
 * sqlite_events.c - the SQLite back end of the store's events domain:
 * events, attributes, tags, sightings, warninglists and the change feed (wbi_store_events_ops in
 * store_internal.h).
 *
 * Its statements are its own: an enum and an SQL table, prepared once per
 * connection on first use (sqlite_internal.h). Its tables are made by the
 * migrations in sqlite.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

#define EV_COLS                                                                                    \
    "e.id,e.uuid,e.org_id,o.name,o.uuid,e.info,e.date,e.distribution,e.sharing_group_id,e.tlp,"    \
    "e.published,e.deleted,e.timestamp"
#define SIGHT_COLS                                                                                 \
    "s.id,s.attribute_id,a.uuid,s.org_id,so.name,s.user_id,s.type,s.source,s.date_sighting,"       \
    "s.count,s.first_seen,s.created,s.uuid,s.key_id,so.sector"
#define ATTR_COLS                                                                                  \
    "a.id,a.uuid,a.event_id,a.object_uuid,a.type,a.value,a.to_ids,a.distribution,"                 \
    "a.sharing_group_id,a.tlp,a.deleted,a.timestamp,a.json"

enum {
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
    S_SIGHT_CLAIM,
    S_SIGHT_MERGE,
    S_SIGHT_LIST,
    S_SIGHT_QUERY,
    S_SIGHT_ONE,
    S_SIGHT_DELETE,
    S_EV_CHANGES,
    S_EV_VERSION_AT,
    S_CIDR_PREFIXES,
    S_WL_PUT,
    S_WL_LIST,
    S_WL_GEN,
    S_WL_KEYS,
    S_WL_MARK,
    S_WL_TOUCH,
    S_SEQ_MAX,
    S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
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
                  " AND (?4<>0 OR e.deleted=0) ORDER BY e.timestamp,e.id",
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
                    "count,first_seen,created,uuid,key_id) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
    /* The record of the same identity whose window, widened by the gap
     * (?6), meets the report's [?7, ?8]; a first_seen of 0 (unknown, older
     * records) counts as date_sighting. */
    [S_SIGHT_FIND] = "SELECT id FROM sightings WHERE attribute_id=?1 AND org_id=?2 AND type=?3"
                     " AND key_id IS ?4 AND server_id IS NULL AND date_sighting>=?7-?6 AND (CASE "
                     "first_seen WHEN 0"
                     " THEN date_sighting ELSE first_seen END)<=?8+?6 ORDER BY id LIMIT 1",
    [S_SIGHT_CLAIM] = "INSERT OR IGNORE INTO sighting_requests(org_id,uuid,created) VALUES(?,?,?)",
    /* count saturates rather than overflow; first_seen 0 is unknown */
    [S_SIGHT_MERGE] = "UPDATE sightings SET count=CASE WHEN count>9000000000000000000-?2 THEN"
                      " 9000000000000000000 ELSE count+?2 END,"
                      " date_sighting=max(date_sighting,?3), first_seen=CASE WHEN first_seen=0"
                      " THEN ?4 WHEN ?4=0 THEN first_seen ELSE min(first_seen,?4) END,"
                      " user_id=coalesce(?5,user_id), source=coalesce(source,?6) WHERE id=?1",
    [S_SIGHT_LIST] = "SELECT " SIGHT_COLS " FROM sightings s"
                     " JOIN attributes a ON a.id=s.attribute_id JOIN orgs so ON so.id=s.org_id"
                     " WHERE a.event_id=? ORDER BY s.id",
    /* The who-sighted-what view: each filter applies when its value is set. */
    [S_SIGHT_QUERY] = "SELECT " ATTR_COLS "," EV_COLS "," SIGHT_COLS " FROM sightings s"
                      " JOIN attributes a ON a.id=s.attribute_id JOIN events e ON e.id=a.event_id"
                      " JOIN orgs o ON o.id=e.org_id JOIN orgs so ON so.id=s.org_id"
                      " WHERE s.id>?1 AND s.date_sighting>=?2 AND (?3=0 OR s.org_id=?3)"
                      " AND (?4=0 OR a.event_id=?4) AND (?5 IS NULL OR a.value=?5 OR a.id IN"
                      " (SELECT attribute_id FROM attribute_keys WHERE norm=?6))"
                      " AND a.deleted=0 AND e.deleted=0 ORDER BY s.id",
    [S_SIGHT_ONE] = "SELECT " ATTR_COLS "," EV_COLS "," SIGHT_COLS " FROM sightings s"
                    " JOIN attributes a ON a.id=s.attribute_id JOIN events e ON e.id=a.event_id"
                    " JOIN orgs o ON o.id=e.org_id JOIN orgs so ON so.id=s.org_id"
                    " WHERE (s.id=?1 OR s.uuid=?2) AND a.deleted=0 AND e.deleted=0",
    [S_SIGHT_DELETE] = "DELETE FROM sightings WHERE id=?1",
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
    /* What the hub compares to see whether a list was added or replaced. */
    [S_WL_GEN] = "SELECT count(*),coalesce(max(created),0) FROM warninglists",
    /* The look-up keys of attributes not yet marked as on a warninglist. */
    [S_WL_KEYS] = "SELECT k.attribute_id,a.event_id,k.kind,k.norm FROM attribute_keys k"
                  " JOIN attributes a ON a.id=k.attribute_id JOIN events e ON e.id=a.event_id"
                  " WHERE a.deleted=0 AND e.deleted=0"
                  " AND json_extract(a.json,'$.warninglist') IS NULL ORDER BY k.attribute_id",
    [S_WL_MARK] = "UPDATE attributes SET to_ids=0,json=json_set(json,'$.to_ids',json('false'),"
                  "'$.warninglist',?2) WHERE id=?1",
    /* A new timestamp puts the event on the change feed (trigger of migration 3). */
    [S_WL_TOUCH] = "UPDATE events SET timestamp=max(timestamp,?2) WHERE id=?1",
    [S_SEQ_MAX] = "SELECT coalesce(max(seq),0) FROM events",
};

static wbi_stmt *stmt(sq_store *q, int which, wb_error *err)
{
    return wbi_sqlite_stmt(q, WBI_SQ_EVENTS, stmt_sql, S_COUNT, which, err);
}

/* ---- events and attributes ------------------------------------------------------ */

static void bind_event(wbi_stmt *st, const wb_event_rec *ev)
{
    bind_text(st, 1, ev->uuid);
    wbi_db_bind_i64(st, 2, ev->org_id);
    bind_text(st, 3, ev->info);
    bind_text(st, 4, ev->date);
    wbi_db_bind_int(st, 5, ev->distribution);
    bind_id(st, 6, ev->sharing_group_id);
    wbi_db_bind_int(st, 7, (int)ev->tlp);
    wbi_db_bind_int(st, 8, ev->published);
    wbi_db_bind_int(st, 9, ev->deleted);
    wbi_db_bind_i64(st, 10, ev->timestamp);
    bind_text(st, 11, ev->json);
}

static int put_attr(sq_store *q, int64_t event_id, const wb_attr_rec *a, wb_error *err)
{
    wbi_stmt *st = stmt(q, S_ATTR_UPSERT, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    bind_text(st, 1, a->uuid);
    wbi_db_bind_i64(st, 2, event_id);
    bind_text(st, 3, a->object_uuid);
    bind_text(st, 4, a->type);
    bind_text(st, 5, a->value);
    wbi_db_bind_int(st, 6, a->to_ids);
    wbi_db_bind_int(st, 7, a->distribution);
    bind_id(st, 8, a->sharing_group_id);
    wbi_db_bind_int(st, 9, (int)a->tlp);
    wbi_db_bind_int(st, 10, a->deleted);
    wbi_db_bind_i64(st, 11, a->timestamp);
    bind_text(st, 12, a->json);
    int rc = wbi_db_step(st), ret = 0;
    int64_t id = 0;
    if (rc == WBI_DB_ROW) {
        id = wbi_db_col_i64(st, 0);
        while ((rc = wbi_db_step(st)) == WBI_DB_ROW) {
        }
    }
    if (rc != WBI_DB_DONE)
        ret = (rc & 0xff) == WBI_DB_CONSTRAINT
                  ? wb_error_set(err, WB_EINVAL, "attribute %s: invalid reference", a->uuid)
                  : db_error(q, err, "writing an attribute");
    else if (id == 0)
        /* The upsert's WHERE refused: the uuid belongs to another event. */
        ret = wb_error_set(err, WB_EINVAL, "attribute uuid %s belongs to another event", a->uuid);
    done(st);
    for (unsigned k = 0; ret == 0 && k < a->nkeys; k++) {
        st = stmt(q, S_ATTR_KEY_ADD, err);
        if (st == NULL) return wbi_store_prepare_failed(err);
        bind_text(st, 1, a->key[k]);
        wbi_db_bind_int(st, 2, (int)a->key_kind[k]);
        wbi_db_bind_i64(st, 3, id);
        ret = run(q, st, NULL, err);
    }
    return ret;
}

static int by_id(sq_store *q, int which, int64_t id, wb_error *err)
{
    wbi_stmt *st = stmt(q, which, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, id);
    return run(q, st, NULL, err);
}

static int sq_event_put(wb_store *s, const wb_event_rec *ev, const char *const *tags, size_t ntags,
                        const wb_attr_rec *attrs, size_t nattrs, bool replace, int64_t *id,
                        wb_error *err)
{
    sq_store *q = SQ(s);
    int rc = wbi_sqlite_begin(s, err);
    int64_t eid = 0;
    wbi_stmt *st = rc ? NULL : stmt(q, replace ? S_EV_UPDATE : S_EV_INSERT, err);
    if (rc == 0 && st == NULL) rc = WB_EIO;
    if (rc == 0) {
        bind_event(st, ev);
        int r = wbi_db_step(st);
        if (replace && r == WBI_DB_ROW) {
            eid = wbi_db_col_i64(st, 0);
            while ((r = wbi_db_step(st)) == WBI_DB_ROW) {
            }
        }
        if (r != WBI_DB_DONE)
            rc = (r & 0xff) == WBI_DB_CONSTRAINT
                     ? wb_error_set(err, WB_EINVAL, "event %s exists", ev->uuid)
                     : db_error(q, err, "writing an event");
        else if (replace && eid == 0)
            rc = wb_error_set(err, WB_ENOTFOUND, "no event %s of this organisation", ev->uuid);
        else if (!replace)
            eid = wbi_db_last_id(q->db);
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
        wbi_db_bind_i64(st, 1, eid);
        bind_text(st, 2, tags[i]);
        rc = run(q, st, NULL, err);
    }
    for (size_t i = 0; rc == 0 && i < nattrs; i++)
        rc = put_attr(q, eid, &attrs[i], err);
    if (rc == 0) rc = wbi_sqlite_commit(s, err);
    if (rc) wbi_sqlite_rollback(s);
    if (rc == 0 && id) *id = eid;
    return rc;
}

/* Event columns start at `c`; json is the column after them when with_json. */
static void row_event(wbi_stmt *st, int c, bool with_json, wb_event_rec *e)
{
    e->id = wbi_db_col_i64(st, c);
    e->uuid = col_text(st, c + 1);
    e->org_id = wbi_db_col_i64(st, c + 2);
    e->org_name = col_text(st, c + 3);
    e->org_uuid = col_text(st, c + 4);
    e->info = col_text(st, c + 5);
    e->date = col_text(st, c + 6);
    e->distribution = wbi_db_col_int(st, c + 7);
    e->sharing_group_id = wbi_db_col_i64(st, c + 8);
    e->tlp = (wb_tlp)wbi_db_col_int(st, c + 9);
    e->published = wbi_db_col_int(st, c + 10) != 0;
    e->deleted = wbi_db_col_int(st, c + 11) != 0;
    e->timestamp = wbi_db_col_i64(st, c + 12);
    e->json = with_json ? col_text(st, c + 13) : NULL;
}

static void row_attr(wbi_stmt *st, wb_attr_rec *a)
{
    memset(a, 0, sizeof *a);
    a->id = wbi_db_col_i64(st, 0);
    a->uuid = col_text(st, 1);
    a->event_id = wbi_db_col_i64(st, 2);
    a->object_uuid = col_text(st, 3);
    a->type = col_text(st, 4);
    a->value = col_text(st, 5);
    a->to_ids = wbi_db_col_int(st, 6) != 0;
    a->distribution = wbi_db_col_int(st, 7);
    a->sharing_group_id = wbi_db_col_i64(st, 8);
    a->tlp = (wb_tlp)wbi_db_col_int(st, 9);
    a->deleted = wbi_db_col_int(st, 10) != 0;
    a->timestamp = wbi_db_col_i64(st, 11);
    a->json = col_text(st, 12);
}

static int sq_event_get(wb_store *s, const char *uuid, wb_event_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_EV_GET, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    bind_text(st, 1, uuid);
    WALK(q, st, err, true, "no such event", wb_event_rec e, row_event(st, 0, true, &e), cb(ud, &e));
}

static int sq_event_list(wb_store *s, const wb_event_filter *f, wb_event_cb cb, void *ud,
                         wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_EV_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, f->since);
    wbi_db_bind_i64(st, 2, f->org_id);
    bind_text(st, 3, f->tag);
    wbi_db_bind_int(st, 4, f->include_deleted);
    WALK(q, st, err, false, "", wb_event_rec e, row_event(st, 0, true, &e), cb(ud, &e));
}

static int sq_event_flag(wb_store *s, int64_t id, bool published, bool deleted, int64_t ts,
                         wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_EV_FLAG, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, id);
    wbi_db_bind_int(st, 2, published);
    wbi_db_bind_int(st, 3, deleted);
    wbi_db_bind_i64(st, 4, ts);
    return run(q, st, NULL, err);
}

static int sq_attr_list(wb_store *s, int64_t event_id, wb_attr_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_ATTR_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, event_id);
    WALK(q, st, err, false, "", wb_attr_rec a, row_attr(st, &a), cb(ud, NULL, &a));
}

static int sq_attr_lookup(wb_store *s, wb_ioc_type kind, const char *norm, wb_attr_cb cb, void *ud,
                          wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_ATTR_LOOKUP, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_int(st, 1, (int)kind);
    bind_text(st, 2, norm);
    WALK(q, st, err, false, "", wb_attr_rec a;
         wb_event_rec e, (row_attr(st, &a), row_event(st, 13, false, &e)), cb(ud, &e, &a));
}

static int sq_attr_get(wb_store *s, const char *uuid, wb_attr_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_ATTR_GET, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    bind_text(st, 1, uuid);
    WALK(q, st, err, true, "no such attribute", wb_attr_rec a;
         wb_event_rec e, (row_attr(st, &a), row_event(st, 13, false, &e)), cb(ud, &e, &a));
}

/* ---- sightings and audit ----------------------------------------------------------- */

/* The id of the record of r's identity whose window meets r's within gap
 * seconds, 0 for none. */
static int sighting_find(sq_store *q, const wb_sighting_rec *r, int64_t gap, int64_t *id,
                         wb_error *err)
{
    wbi_stmt *st = stmt(q, S_SIGHT_FIND, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, r->attribute_id);
    wbi_db_bind_i64(st, 2, r->org_id);
    wbi_db_bind_int(st, 3, r->type);
    bind_id(st, 4, r->key_id);
    wbi_db_bind_i64(st, 6, gap);
    wbi_db_bind_i64(st, 7, r->first_seen > 0 ? r->first_seen : r->date_sighting);
    wbi_db_bind_i64(st, 8, r->date_sighting);
    int s = wbi_db_step(st);
    *id = s == WBI_DB_ROW ? wbi_db_col_i64(st, 0) : 0;
    done(st);
    return s == WBI_DB_ROW || s == WBI_DB_DONE ? 0 : db_error(q, err, "reading");
}

static int sighting_merge(sq_store *q, int64_t into, const wb_sighting_rec *r, wb_error *err)
{
    wbi_stmt *st = stmt(q, S_SIGHT_MERGE, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, into);
    wbi_db_bind_i64(st, 2, r->count);
    wbi_db_bind_i64(st, 3, r->date_sighting);
    wbi_db_bind_i64(st, 4, r->first_seen);
    bind_id(st, 5, r->user_id);
    bind_text(st, 6, r->source);
    return run(q, st, NULL, err);
}

static int sighting_insert(sq_store *q, const wb_sighting_rec *r, int64_t *id, wb_error *err)
{
    wbi_stmt *st = stmt(q, S_SIGHT_ADD, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    char uuid[WB_UUID_LEN + 1];
    if (r->uuid == NULL) wb_uuid_v4(uuid);
    wbi_db_bind_i64(st, 1, r->attribute_id);
    wbi_db_bind_i64(st, 2, r->org_id);
    bind_id(st, 3, r->user_id);
    wbi_db_bind_int(st, 4, r->type);
    bind_text(st, 5, r->source);
    wbi_db_bind_i64(st, 6, r->date_sighting);
    wbi_db_bind_i64(st, 7, r->count);
    wbi_db_bind_i64(st, 8, r->first_seen);
    wbi_db_bind_i64(st, 9, wb_time_now() / 1000000);
    bind_text(st, 10, r->uuid ? r->uuid : uuid);
    bind_id(st, 11, r->key_id);
    int rc = run(q, st, "invalid sighting reference", err);
    if (rc == 0 && id) *id = wbi_db_last_id(q->db);
    return rc;
}

/* A report is merged into the record of its identity (attribute,
 * organisation, key, type) whose window [first_seen, date_sighting] it
 * overlaps or comes within gap seconds of: counts added, the window
 * widened. A sensor that reports every minute thus makes one record per
 * stretch of activity, not one per report; a report after a longer
 * silence starts a new record, so the history keeps its gaps. */
static int sq_sighting_record(wb_store *s, const wb_sighting_rec *r, int64_t gap, int64_t *id,
                              bool *merged, wb_error *err)
{
    sq_store *q = SQ(s);
    int64_t into = 0;
    int rc = sighting_find(q, r, gap < 0 ? 0 : gap, &into, err);
    if (merged) *merged = into != 0;
    if (rc) return rc;
    if (into == 0) return sighting_insert(q, r, id, err);
    rc = sighting_merge(q, into, r, err);
    if (rc == 0 && id) *id = into;
    return rc;
}

static int sq_sighting_claim(wb_store *s, int64_t org_id, const char *uuid, bool *first,
                             wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_SIGHT_CLAIM, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, org_id);
    bind_text(st, 2, uuid);
    wbi_db_bind_i64(st, 3, wb_time_now() / 1000000);
    int rc = run(q, st, NULL, err);
    if (rc == 0) *first = wbi_db_changes(q->db) > 0;
    return rc;
}

static void row_sighting(wbi_stmt *st, int c, wb_sighting_rec *r)
{
    memset(r, 0, sizeof *r);
    r->id = wbi_db_col_i64(st, c);
    r->attribute_id = wbi_db_col_i64(st, c + 1);
    r->attribute_uuid = col_text(st, c + 2);
    r->org_id = wbi_db_col_i64(st, c + 3);
    r->org_name = col_text(st, c + 4);
    r->user_id = wbi_db_col_i64(st, c + 5);
    r->type = wbi_db_col_int(st, c + 6);
    r->source = col_text(st, c + 7);
    r->date_sighting = wbi_db_col_i64(st, c + 8);
    r->count = wbi_db_col_i64(st, c + 9);
    r->first_seen = wbi_db_col_i64(st, c + 10);
    r->created = wbi_db_col_i64(st, c + 11);
    r->uuid = col_text(st, c + 12);
    r->key_id = wbi_db_col_i64(st, c + 13);
    r->org_sector = col_text(st, c + 14);
}

static int sq_sighting_list(wb_store *s, int64_t event_id, wb_sighting_cb cb, void *ud,
                            wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_SIGHT_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, event_id);
    WALK(q, st, err, false, "", wb_sighting_rec r, row_sighting(st, 0, &r), cb(ud, &r));
}

static int sq_sighting_query(wb_store *s, const wb_sighting_filter *f, wb_sighting_row_cb cb,
                             void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_SIGHT_QUERY, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, f->after);
    wbi_db_bind_i64(st, 2, f->since);
    wbi_db_bind_i64(st, 3, f->org_id);
    wbi_db_bind_i64(st, 4, f->event_id);
    bind_text(st, 5, f->value);
    bind_text(st, 6, f->norm);
    WALK(q, st, err, false, "", wb_attr_rec a; wb_event_rec e;
         wb_sighting_rec r,
         (row_attr(st, &a), row_event(st, 13, false, &e), row_sighting(st, 26, &r)),
         cb(ud, &e, &a, &r));
}

static int sq_sighting_one(wb_store *s, int64_t id, const char *uuid, wb_sighting_row_cb cb,
                           void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_SIGHT_ONE, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, id);
    bind_text(st, 2, uuid);
    WALK(q, st, err, false, "", wb_attr_rec a; wb_event_rec e;
         wb_sighting_rec r,
         (row_attr(st, &a), row_event(st, 13, false, &e), row_sighting(st, 26, &r)),
         cb(ud, &e, &a, &r));
}

static int sq_sighting_delete(wb_store *s, int64_t id, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_SIGHT_DELETE, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, id);
    int rc = run(q, st, NULL, err);
    if (rc == 0 && wbi_db_changes(q->db) == 0)
        rc = wb_error_set(err, WB_ENOTFOUND, "sighting %lld: not found", (long long)id);
    return rc;
}

/* The chain's last link: the newest entry, else the last archived one,
 * else id 0 and zeros. */
/* ---- change feed (hub-sync) ------------------------------------------------------ */

static int sq_event_changes(wb_store *s, int64_t after, wb_event_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_EV_CHANGES, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, after);
    WALK(q, st, err, false, "", wb_event_rec e,
         (row_event(st, 0, true, &e), e.seq = wbi_db_col_i64(st, 14)), cb(ud, &e));
}

static int sq_event_version_at(wb_store *s, int64_t event_id, int64_t seq, wb_event_rec *out,
                               wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_EV_VERSION_AT, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, event_id);
    wbi_db_bind_i64(st, 2, seq);
    int rc = wbi_db_step(st), ret = 0;
    if (rc == WBI_DB_ROW) {
        out->seq = wbi_db_col_i64(st, 0);
        out->tlp = (wb_tlp)wbi_db_col_int(st, 1);
        out->distribution = wbi_db_col_int(st, 2);
        out->sharing_group_id = wbi_db_col_i64(st, 3);
        out->deleted = wbi_db_col_int(st, 4) != 0;
    } else if (rc == WBI_DB_DONE) {
        ret = WB_ENOTFOUND; /* created after seq: the caller never held it */
    } else {
        ret = db_error(q, err, "reading");
    }
    done(st);
    return ret;
}

static int sq_warninglist_put(wb_store *s, const char *name, const char *json, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_WL_PUT, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    bind_text(st, 1, name);
    bind_text(st, 2, json);
    wbi_db_bind_i64(st, 3, wb_time_now());
    return run(q, st, NULL, err);
}

static int sq_warninglist_list(wb_store *s, wb_warninglist_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_WL_LIST, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    WALK(q, st, err, false, "", wb_warninglist_rec w,
         (w.id = wbi_db_col_i64(st, 0), w.name = col_text(st, 1), w.json = col_text(st, 2),
          w.created = wbi_db_col_i64(st, 3)),
         cb(ud, &w));
}

static int sq_warninglist_gen(wb_store *s, int64_t *count, int64_t *latest, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_WL_GEN, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    int r = wbi_db_step(st);
    *count = r == WBI_DB_ROW ? wbi_db_col_i64(st, 0) : 0;
    *latest = r == WBI_DB_ROW ? wbi_db_col_i64(st, 1) : 0;
    done(st);
    return r == WBI_DB_ROW ? 0 : db_error(q, err, "reading");
}

static int sq_attr_key_walk(wb_store *s, wb_attr_key_cb cb, void *ud, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_WL_KEYS, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    WALK(q, st, err, false, "", (void)0, (void)0,
         cb(ud, wbi_db_col_i64(st, 0), wbi_db_col_i64(st, 1), (wb_ioc_type)wbi_db_col_int(st, 2),
            col_text(st, 3)));
}

static int sq_attr_warn(wb_store *s, int64_t attr_id, int64_t event_id, const char *list,
                        int64_t now, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_WL_MARK, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    wbi_db_bind_i64(st, 1, attr_id);
    bind_text(st, 2, list);
    int rc = run(q, st, NULL, err);
    if (rc == 0 && (st = stmt(q, S_WL_TOUCH, err)) == NULL) rc = WB_EIO;
    if (rc == 0) {
        wbi_db_bind_i64(st, 1, event_id);
        wbi_db_bind_i64(st, 2, now);
        rc = run(q, st, NULL, err);
    }
    return rc;
}

static int sq_event_seq_max(wb_store *s, int64_t *out, wb_error *err)
{
    sq_store *q = SQ(s);
    wbi_stmt *st = stmt(q, S_SEQ_MAX, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    int rc = wbi_db_step(st);
    *out = rc == WBI_DB_ROW ? wbi_db_col_i64(st, 0) : 0;
    done(st);
    return rc == WBI_DB_ROW ? 0 : db_error(q, err, "reading");
}

static int sq_cidr_prefixes(wb_store *s, wb_prefix_set *out, wb_error *err)
{
    sq_store *q = SQ(s);
    memset(out, 0, sizeof *out);
    wbi_stmt *st = stmt(q, S_CIDR_PREFIXES, err);
    if (st == NULL) return wbi_store_prepare_failed(err);
    int rc;
    while ((rc = wbi_db_step(st)) == WBI_DB_ROW) {
        int v6 = wbi_db_col_int(st, 0), len = wbi_db_col_int(st, 1);
        if (v6 && len >= 0 && len <= 128)
            out->v6[len / 64] |= (uint64_t)1 << (len % 64);
        else if (!v6 && len >= 0 && len <= 32)
            out->v4 |= (uint64_t)1 << len;
    }
    int ret = rc == WBI_DB_DONE ? 0 : db_error(q, err, "reading");
    done(st);
    return ret;
}

const wbi_store_events_ops wbi_sqlite_events_ops = {
    .event_put = sq_event_put,
    .event_get = sq_event_get,
    .event_list = sq_event_list,
    .event_flag = sq_event_flag,
    .attr_list = sq_attr_list,
    .attr_lookup = sq_attr_lookup,
    .attr_get = sq_attr_get,
    .sighting_record = sq_sighting_record,
    .sighting_claim = sq_sighting_claim,
    .sighting_list = sq_sighting_list,
    .sighting_query = sq_sighting_query,
    .sighting_one = sq_sighting_one,
    .sighting_delete = sq_sighting_delete,
    .event_changes = sq_event_changes,
    .event_version_at = sq_event_version_at,
    .cidr_prefixes = sq_cidr_prefixes,
    .warninglist_put = sq_warninglist_put,
    .warninglist_list = sq_warninglist_list,
    .warninglist_gen = sq_warninglist_gen,
    .attr_key_walk = sq_attr_key_walk,
    .attr_warn = sq_attr_warn,
    .event_seq_max = sq_event_seq_max,
};
