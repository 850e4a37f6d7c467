/*
 * sqlite_sync.c - the store's hub-to-hub synchronisation domain (migration
 * 13): the servers a hub pulls from and pushes to, the servers each
 * sharing group may travel to, and the origin of events received by sync;
 * and (migration 16) sightings as sync reads and writes them: by change
 * number, and stored by their uuid.
 * Also the few look-ups the MISP routes need that the events domain does
 * not have yet (numeric event ids, organisations by uuid).
 *
 * Statements are prepared per call: these run once per server or once per
 * event synchronised, where the network costs a thousand times more.
 * Every function runs in the caller's transaction when one is open.
 *
 * A server's key (the other hub's API key) is kept sealed: the key column
 * holds "v1:" and base64 of a random nonce and crypto_secretbox of the key
 * under a key derived (BLAKE2b, keyed) from the database's key secret.
 * Rows written before hold the key as it was given; they are read as they
 * are and sealed on the server's next write (its progress after a run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store/store_internal.h"

static void bind_text(wbi_stmt *st, int i, const char *v)
{
    if (v)
        wbi_db_bind_text(st, i, v);
    else
        wbi_db_bind_null(st, i);
}

#define SEAL_PREFIX "v1:"
#define SEAL_KEY_MAX 1024 /* longer keys are no API key */

static void seal_key(wb_store *s, uint8_t k[crypto_secretbox_KEYBYTES])
{
    static const char ctx[] = "weerbaar sync server key v1";
    crypto_generichash(k, crypto_secretbox_KEYBYTES, (const uint8_t *)ctx, sizeof ctx - 1,
                       s->secret, sizeof s->secret);
}

/* plain sealed into a malloc'd "v1:..." string, or NULL with *err set. */
static char *seal(wb_store *s, const char *plain, wb_error *err)
{
    size_t n = strlen(plain);
    if (n > SEAL_KEY_MAX) {
        wb_error_set(err, WB_EINVAL, "the server key is longer than %d bytes", SEAL_KEY_MAX);
        return NULL;
    }
    uint8_t raw[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + SEAL_KEY_MAX];
    uint8_t k[crypto_secretbox_KEYBYTES];
    seal_key(s, k);
    randombytes_buf(raw, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(raw + crypto_secretbox_NONCEBYTES, (const uint8_t *)plain, n, raw, k);
    sodium_memzero(k, sizeof k);
    size_t rn = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    size_t bn = sodium_base64_ENCODED_LEN(rn, sodium_base64_VARIANT_ORIGINAL);
    char *out = malloc(sizeof SEAL_PREFIX - 1 + bn);
    if (out == NULL) {
        wb_error_set(err, WB_ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(out, SEAL_PREFIX, sizeof SEAL_PREFIX - 1);
    sodium_bin2base64(out + sizeof SEAL_PREFIX - 1, bn, raw, rn, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

/* The stored key column opened into out (cap bytes); a row without the
 * prefix is a key stored before sealing and is copied as it is. */
static int unseal(wb_store *s, const char *stored, const char *name, char *out, size_t cap,
                  wb_error *err)
{
    size_t pn = sizeof SEAL_PREFIX - 1;
    if (strncmp(stored, SEAL_PREFIX, pn) != 0) {
        if (strlen(stored) >= cap)
            return wb_error_set(err, WB_EINVAL, "server '%.128s': stored key too long", name);
        memcpy(out, stored, strlen(stored) + 1);
        return 0;
    }
    uint8_t raw[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + SEAL_KEY_MAX];
    size_t rn = 0;
    const char *b64 = stored + pn;
    if (sodium_base642bin(raw, sizeof raw, b64, strlen(b64), NULL, &rn, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        rn < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES ||
        rn - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES >= cap)
        return wb_error_set(err, WB_EINVAL, "server '%.128s': the stored key is damaged", name);
    uint8_t k[crypto_secretbox_KEYBYTES];
    seal_key(s, k);
    size_t n = rn - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    int bad = crypto_secretbox_open_easy((uint8_t *)out, raw + crypto_secretbox_NONCEBYTES,
                                         rn - crypto_secretbox_NONCEBYTES, raw, k);
    sodium_memzero(k, sizeof k);
    if (bad)
        return wb_error_set(err, WB_EINVAL,
                            "server '%.128s': the stored key does not open with this database's "
                            "secret (re-add the server)",
                            name);
    out[n] = '\0';
    return 0;
}

int wb_store_server_add(wb_store *s, const wb_sync_server_rec *r, const int64_t *sgroups,
                        size_t nsgroups, int64_t *id, wb_error *err)
{
    size_t n = strlen(r->name);
    if (n == 0 || n > WB_NAME_MAX)
        return wb_error_set(err, WB_EINVAL, "server name must be 1-%d bytes", WB_NAME_MAX);
    wbi_stmt *st =
        wbi_sqlite_prep(s,
                        "INSERT INTO sync_servers(name,url,key,org_id,pull,push,rules,created,"
                        "push_sightings) VALUES(?,?,?,?,?,?,?,?,?)",
                        err);
    if (st == NULL) return err->code;
    char *sealed = r->key ? seal(s, r->key, err) : NULL;
    if (r->key && sealed == NULL) {
        wbi_db_finalize(st);
        return err->code;
    }
    bind_text(st, 1, r->name);
    bind_text(st, 2, r->url);
    bind_text(st, 3, sealed);
    wbi_db_bind_i64(st, 4, r->org_id);
    wbi_db_bind_int(st, 5, r->pull);
    wbi_db_bind_int(st, 6, r->push);
    bind_text(st, 7, r->rules);
    wbi_db_bind_i64(st, 8, wb_time_now() / 1000000);
    wbi_db_bind_int(st, 9, r->push_sightings);
    char dup[200];
    snprintf(dup, sizeof dup, "server '%.128s' exists", r->name);
    int rc = wbi_sqlite_run(s, st, dup, err);
    free(sealed);
    int64_t sid = rc == 0 ? wbi_db_last_id(wbi_sqlite_db(s)) : 0;
    for (size_t i = 0; rc == 0 && i < nsgroups; i++) {
        st = wbi_sqlite_prep(
            s, "INSERT OR IGNORE INTO sync_server_sgroups(sg_id,server_id) VALUES(?,?)", err);
        if (st == NULL) return err->code;
        wbi_db_bind_i64(st, 1, sgroups[i]);
        wbi_db_bind_i64(st, 2, sid);
        rc = wbi_sqlite_run(s, st, NULL, err);
    }
    if (rc == 0 && id) *id = sid;
    return rc;
}

int wb_store_server_remove(wb_store *s, const char *name, wb_error *err)
{
    int64_t sid = 0;
    wbi_stmt *st = wbi_sqlite_prep(s, "SELECT id FROM sync_servers WHERE name=?", err);
    if (st == NULL) return err->code;
    bind_text(st, 1, name);
    int rc = wbi_db_step(st);
    if (rc == WBI_DB_ROW) sid = wbi_db_col_i64(st, 0);
    if (rc != WBI_DB_ROW && rc != WBI_DB_DONE) return wbi_sqlite_fail(s, st, NULL, err);
    wbi_db_finalize(st);
    if (sid == 0) return wb_error_set(err, WB_ENOTFOUND, "unknown server '%.128s'", name);
    static const char *const del[] = {"DELETE FROM sync_server_sgroups WHERE server_id=?",
                                      "DELETE FROM sync_origins WHERE server_id=?",
                                      /* still not merged with local reports, but from
                                       * no server a later one could be numbered as */
                                      "UPDATE sightings SET server_id=-1 WHERE server_id=?",
                                      "DELETE FROM sync_servers WHERE id=?"};
    rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof del / sizeof del[0]; i++) {
        st = wbi_sqlite_prep(s, del[i], err);
        if (st == NULL) return err->code;
        wbi_db_bind_i64(st, 1, sid);
        rc = wbi_sqlite_run(s, st, NULL, err);
    }
    return rc;
}

#define SERVER_COLS                                                                                \
    "s.id,s.name,s.url,s.key,s.org_id,o.name,s.pull,s.push,s.rules,"                               \
    "(SELECT group_concat(g.name, ',') FROM sync_server_sgroups x"                                 \
    " JOIN sharing_groups g ON g.id=x.sg_id WHERE x.server_id=s.id),"                              \
    "s.pull_cursor,s.push_cursor,s.last_pull,s.last_push,s.last_result,s.created,"                 \
    "s.push_sightings,s.sighting_push_cursor,s.sighting_pull_cursor"                               \
    " FROM sync_servers s JOIN orgs o ON o.id=s.org_id"

static int walk(wb_store *s, wbi_stmt *st, bool need, const char *what, wb_sync_server_cb cb,
                void *ud, wb_error *err)
{
    int rc, n = 0;
    char key[SEAL_KEY_MAX + 1];
    while ((rc = wbi_db_step(st)) == WBI_DB_ROW) {
        const char *stored = wbi_db_col_text(st, 3);
        const char *sname = wbi_db_col_text(st, 1);
        if (stored && unseal(s, stored, sname ? sname : "?", key, sizeof key, err) != 0) {
            sodium_memzero(key, sizeof key);
            wbi_db_finalize(st);
            return err->code;
        }
        wb_sync_server_rec r = {
            .id = wbi_db_col_i64(st, 0),
            .name = wbi_db_col_text(st, 1),
            .url = wbi_db_col_text(st, 2),
            .key = stored ? key : NULL,
            .org_id = wbi_db_col_i64(st, 4),
            .org_name = wbi_db_col_text(st, 5),
            .pull = wbi_db_col_int(st, 6) != 0,
            .push = wbi_db_col_int(st, 7) != 0,
            .rules = wbi_db_col_text(st, 8),
            .sgroups = wbi_db_col_text(st, 9),
            .pull_cursor = wbi_db_col_i64(st, 10),
            .push_cursor = wbi_db_col_i64(st, 11),
            .last_pull = wbi_db_col_i64(st, 12),
            .last_push = wbi_db_col_i64(st, 13),
            .last_result = wbi_db_col_text(st, 14),
            .created = wbi_db_col_i64(st, 15),
            .push_sightings = wbi_db_col_int(st, 16) != 0,
            .sighting_push_cursor = wbi_db_col_i64(st, 17),
            .sighting_pull_cursor = wbi_db_col_i64(st, 18),
        };
        n++;
        int stop = cb(ud, &r);
        sodium_memzero(key, sizeof key);
        if (stop) {
            rc = WBI_DB_DONE;
            break;
        }
    }
    if (rc != WBI_DB_DONE) return wbi_sqlite_fail(s, st, NULL, err);
    wbi_db_finalize(st);
    if (need && n == 0) return wb_error_set(err, WB_ENOTFOUND, "unknown server '%.128s'", what);
    return 0;
}

int wb_store_server_find(wb_store *s, const char *name, int64_t org_id, wb_sync_server_cb cb,
                         void *ud, wb_error *err)
{
    wbi_stmt *st =
        wbi_sqlite_prep(s,
                        org_id > 0 ? "SELECT " SERVER_COLS " WHERE s.org_id=? ORDER BY s.id"
                                   : "SELECT " SERVER_COLS " WHERE s.name=?",
                        err);
    if (st == NULL) return err->code;
    if (org_id > 0)
        wbi_db_bind_i64(st, 1, org_id);
    else
        bind_text(st, 1, name);
    return walk(s, st, org_id == 0, name ? name : "", cb, ud, err);
}

int wb_store_server_list(wb_store *s, wb_sync_server_cb cb, void *ud, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s, "SELECT " SERVER_COLS " ORDER BY s.name", err);
    if (st == NULL) return err->code;
    return walk(s, st, false, "", cb, ud, err);
}

/* A key stored before sealing, sealed now. */
static int reseal(wb_store *s, int64_t id, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s,
                                   "SELECT key FROM sync_servers WHERE id=? AND key IS NOT NULL AND"
                                   " substr(key,1,3)<>'" SEAL_PREFIX "'",
                                   err);
    if (st == NULL) return err->code;
    wbi_db_bind_i64(st, 1, id);
    int rc = wbi_db_step(st);
    if (rc == WBI_DB_DONE) {
        wbi_db_finalize(st);
        return 0;
    }
    if (rc != WBI_DB_ROW) return wbi_sqlite_fail(s, st, NULL, err);
    char *sealed = seal(s, wbi_db_col_text(st, 0), err);
    wbi_db_finalize(st);
    if (sealed == NULL) return err->code;
    st = wbi_sqlite_prep(s, "UPDATE sync_servers SET key=? WHERE id=?", err);
    if (st == NULL) {
        free(sealed);
        return err->code;
    }
    bind_text(st, 1, sealed);
    wbi_db_bind_i64(st, 2, id);
    rc = wbi_sqlite_run(s, st, NULL, err);
    free(sealed);
    return rc;
}

int wb_store_server_progress(wb_store *s, int64_t id, bool push, int64_t cursor, int64_t at,
                             const char *result, wb_error *err)
{
    if (reseal(s, id, err) != 0) return err->code;
    wbi_stmt *st = wbi_sqlite_prep(
        s,
        push ? "UPDATE sync_servers SET push_cursor=?,last_push=?,last_result=? WHERE id=?"
             : "UPDATE sync_servers SET pull_cursor=?,last_pull=?,last_result=? WHERE id=?",
        err);
    if (st == NULL) return err->code;
    wbi_db_bind_i64(st, 1, cursor);
    wbi_db_bind_i64(st, 2, at);
    bind_text(st, 3, result);
    wbi_db_bind_i64(st, 4, id);
    return wbi_sqlite_run(s, st, NULL, err);
}

bool wb_store_server_in_sgroup(wb_store *s, int64_t sg_id, int64_t server_id)
{
    wb_error err;
    wbi_stmt *st =
        wbi_sqlite_prep(s, "SELECT 1 FROM sync_server_sgroups WHERE sg_id=? AND server_id=?", &err);
    if (st == NULL) return false;
    wbi_db_bind_i64(st, 1, sg_id);
    wbi_db_bind_i64(st, 2, server_id);
    bool yes = wbi_db_step(st) == WBI_DB_ROW;
    wbi_db_finalize(st);
    return yes;
}

int wb_store_sync_origin_set(wb_store *s, const char *event_uuid, int64_t server_id, int64_t ts,
                             wb_error *err)
{
    wbi_stmt *st =
        wbi_sqlite_prep(s,
                        "INSERT INTO sync_origins(event_uuid,server_id,timestamp) VALUES(?,?,?)"
                        " ON CONFLICT(event_uuid) DO UPDATE SET server_id=excluded.server_id,"
                        " timestamp=excluded.timestamp",
                        err);
    if (st == NULL) return err->code;
    bind_text(st, 1, event_uuid);
    wbi_db_bind_i64(st, 2, server_id);
    wbi_db_bind_i64(st, 3, ts);
    return wbi_sqlite_run(s, st, NULL, err);
}

/* One integer column (or two) of the first row; WB_ENOTFOUND without one. */
static int one_row(wb_store *s, wbi_stmt *st, int64_t *a, int64_t *b, const char *what,
                   wb_error *err)
{
    int rc = wbi_db_step(st);
    if (rc == WBI_DB_ROW) {
        if (a) *a = wbi_db_col_i64(st, 0);
        if (b) *b = wbi_db_col_i64(st, 1);
        wbi_db_finalize(st);
        return 0;
    }
    if (rc != WBI_DB_DONE) return wbi_sqlite_fail(s, st, NULL, err);
    wbi_db_finalize(st);
    return wb_error_set(err, WB_ENOTFOUND, "%s", what);
}

int wb_store_sync_origin_get(wb_store *s, const char *event_uuid, int64_t *server_id, int64_t *ts,
                             wb_error *err)
{
    wbi_stmt *st =
        wbi_sqlite_prep(s, "SELECT server_id,timestamp FROM sync_origins WHERE event_uuid=?", err);
    if (st == NULL) return err->code;
    bind_text(st, 1, event_uuid);
    return one_row(s, st, server_id, ts, "the event did not come by sync", err);
}

int wb_store_event_uuid_of(wb_store *s, int64_t id, char uuid[WB_UUID_LEN + 1], wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s, "SELECT uuid FROM events WHERE id=?", err);
    if (st == NULL) return err->code;
    wbi_db_bind_i64(st, 1, id);
    int rc = wbi_db_step(st);
    if (rc == WBI_DB_ROW) {
        snprintf(uuid, WB_UUID_LEN + 1, "%s", wbi_db_col_text(st, 0));
        wbi_db_finalize(st);
        return 0;
    }
    if (rc != WBI_DB_DONE) return wbi_sqlite_fail(s, st, NULL, err);
    wbi_db_finalize(st);
    return wb_error_set(err, WB_ENOTFOUND, "no event %lld", (long long)id);
}

int wb_store_event_id_of(wb_store *s, const char *uuid, int64_t *id, wb_error *err)
{
    *id = 0;
    wbi_stmt *st = wbi_sqlite_prep(s, "SELECT id FROM events WHERE uuid=lower(?)", err);
    if (st == NULL) return err->code;
    bind_text(st, 1, uuid);
    int rc = one_row(s, st, id, NULL, "", err);
    return rc == WB_ENOTFOUND ? 0 : rc;
}

int wb_store_org_by_uuid(wb_store *s, const char *uuid, int64_t *id, wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s, "SELECT id FROM orgs WHERE uuid=lower(?)", err);
    if (st == NULL) return err->code;
    bind_text(st, 1, uuid);
    return one_row(s, st, id, NULL, "unknown organisation", err);
}

int wb_store_org_add_uuid(wb_store *s, const char *uuid, const char *name, int64_t *id,
                          wb_error *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > WB_NAME_MAX)
        return wb_error_set(err, WB_EINVAL, "organisation name must be 1-%d bytes", WB_NAME_MAX);
    if (!wb_uuid_valid(uuid, strlen(uuid)))
        return wb_error_set(err, WB_EINVAL, "'%.64s' is not a uuid", uuid);
    return s->accounts->org_add(s, uuid, name, WB_ORG_OTHER, NULL, NULL, id, err);
}

int wb_store_sgroup_add_uuid(wb_store *s, const char *uuid, const char *name, const int64_t *orgs,
                             size_t norgs, int64_t *id, wb_error *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > WB_NAME_MAX)
        return wb_error_set(err, WB_EINVAL, "sharing group name must be 1-%d bytes", WB_NAME_MAX);
    if (norgs == 0) return wb_error_set(err, WB_EINVAL, "a sharing group needs organisations");
    if (!wb_uuid_valid(uuid, strlen(uuid)) || strlen(uuid) != WB_UUID_LEN)
        return wb_error_set(err, WB_EINVAL, "'%.64s' is not a uuid", uuid);
    char low[WB_UUID_LEN + 1];
    for (size_t i = 0; i <= WB_UUID_LEN; i++)
        low[i] = (char)(uuid[i] >= 'A' && uuid[i] <= 'Z' ? uuid[i] + 32 : uuid[i]);
    return s->accounts->sgroup_add(s, low, name, orgs, norgs, id, err);
}

/* ---- sightings by sync (migration 16) ------------------------------------------------ */

#define SYNC_SIGHT_SQL                                                                             \
    "SELECT s.id,s.uuid,s.attribute_id,a.uuid,a.event_id,e.uuid,s.org_id,o.name,o.uuid,s.type,"    \
    "s.source,s.date_sighting,s.count,s.first_seen,s.seq,s.changed,coalesce(s.server_id,0),"       \
    "a.tlp,a.distribution,coalesce(a.sharing_group_id,0) FROM sightings s"                         \
    " JOIN attributes a ON a.id=s.attribute_id JOIN events e ON e.id=a.event_id"                   \
    " JOIN orgs o ON o.id=s.org_id WHERE s.seq>?2 AND a.deleted=0 AND e.deleted=0"

int wb_store_sync_sightings(wb_store *s, int64_t event_id, int64_t after, size_t limit,
                            bool by_event, wb_sync_sighting_cb cb, void *ud, wb_error *err)
{
    /* One event's by its attributes (the attributes_event and
     * sightings_attr indexes: an event view must not scan every
     * sighting), or every event's. */
    wbi_stmt *st =
        wbi_sqlite_prep(s,
                        event_id > 0 ? SYNC_SIGHT_SQL " AND a.event_id=?1 ORDER BY s.seq LIMIT ?3"
                        : by_event   ? SYNC_SIGHT_SQL " AND ?1=0 ORDER BY a.event_id,s.seq LIMIT ?3"
                                     : SYNC_SIGHT_SQL " AND ?1=0 ORDER BY s.seq LIMIT ?3",
                        err);
    if (st == NULL) return err->code;
    wbi_db_bind_i64(st, 1, event_id);
    wbi_db_bind_i64(st, 2, after);
    wbi_db_bind_i64(st, 3, limit ? (int64_t)limit : -1);
    int rc;
    while ((rc = wbi_db_step(st)) == WBI_DB_ROW) {
        wb_sync_sighting_rec r = {
            .id = wbi_db_col_i64(st, 0),
            .uuid = wbi_db_col_text(st, 1),
            .attribute_id = wbi_db_col_i64(st, 2),
            .attribute_uuid = wbi_db_col_text(st, 3),
            .event_id = wbi_db_col_i64(st, 4),
            .event_uuid = wbi_db_col_text(st, 5),
            .org_id = wbi_db_col_i64(st, 6),
            .org_name = wbi_db_col_text(st, 7),
            .org_uuid = wbi_db_col_text(st, 8),
            .type = wbi_db_col_int(st, 9),
            .source = wbi_db_col_text(st, 10),
            .date_sighting = wbi_db_col_i64(st, 11),
            .count = wbi_db_col_i64(st, 12),
            .first_seen = wbi_db_col_i64(st, 13),
            .seq = wbi_db_col_i64(st, 14),
            .changed = wbi_db_col_i64(st, 15),
            .server_id = wbi_db_col_i64(st, 16),
            .attr_tlp = (wb_tlp)wbi_db_col_int(st, 17),
            .attr_distribution = wbi_db_col_int(st, 18),
            .attr_sharing_group = wbi_db_col_i64(st, 19),
        };
        if (r.uuid == NULL || r.attribute_uuid == NULL || r.event_uuid == NULL) continue;
        if (cb(ud, &r)) {
            rc = WBI_DB_DONE;
            break;
        }
    }
    if (rc != WBI_DB_DONE) return wbi_sqlite_fail(s, st, NULL, err);
    wbi_db_finalize(st);
    return 0;
}

/* A record seen again is widened, never narrowed: the larger count and
 * last-seen time and the earlier first-seen time win, whichever order
 * copies arrive in, so two hubs that exchange a record agree on it and a
 * copy sent back changes nothing (no loop, no double count). */
int wb_store_sync_sighting_put(wb_store *s, const wb_sighting_rec *r, int64_t server_id, int *how,
                               wb_error *err)
{
    *how = 0;
    if (r->uuid == NULL) return wb_error_set(err, WB_EINVAL, "a synced sighting keeps its uuid");
    wbi_stmt *st =
        wbi_sqlite_prep(s,
                        "SELECT id,attribute_id,count,date_sighting,first_seen FROM sightings"
                        " WHERE uuid=lower(?)",
                        err);
    if (st == NULL) return err->code;
    bind_text(st, 1, r->uuid);
    int rc = wbi_db_step(st);
    if (rc != WBI_DB_ROW && rc != WBI_DB_DONE) return wbi_sqlite_fail(s, st, NULL, err);
    bool found = rc == WBI_DB_ROW;
    int64_t id = 0, attr = 0, count = 0, last = 0, first = 0;
    if (found) {
        id = wbi_db_col_i64(st, 0);
        attr = wbi_db_col_i64(st, 1);
        count = wbi_db_col_i64(st, 2);
        last = wbi_db_col_i64(st, 3);
        first = wbi_db_col_i64(st, 4);
    }
    wbi_db_finalize(st);
    if (found && attr != r->attribute_id)
        return wb_error_set(err, WB_EINVAL, "sighting %.36s: the uuid is another attribute's",
                            r->uuid);
    if (!found) {
        st = wbi_sqlite_prep(
            s,
            "INSERT INTO sightings(uuid,attribute_id,org_id,type,source,date_sighting,count,"
            "first_seen,created,server_id) VALUES(lower(?),?,?,?,?,?,?,?,?,?)",
            err);
        if (st == NULL) return err->code;
        bind_text(st, 1, r->uuid);
        wbi_db_bind_i64(st, 2, r->attribute_id);
        wbi_db_bind_i64(st, 3, r->org_id);
        wbi_db_bind_int(st, 4, r->type);
        bind_text(st, 5, r->source);
        wbi_db_bind_i64(st, 6, r->date_sighting);
        wbi_db_bind_i64(st, 7, r->count);
        wbi_db_bind_i64(st, 8, r->first_seen);
        wbi_db_bind_i64(st, 9, wb_time_now() / 1000000);
        if (server_id > 0)
            wbi_db_bind_i64(st, 10, server_id);
        else
            wbi_db_bind_null(st, 10);
        rc = wbi_sqlite_run(s, st, "invalid sighting reference", err);
        if (rc == 0) *how = 1;
        return rc;
    }
    int64_t nc = r->count > count ? r->count : count;
    int64_t nl = r->date_sighting > last ? r->date_sighting : last;
    int64_t nf = first == 0                                   ? r->first_seen
                 : r->first_seen > 0 && r->first_seen < first ? r->first_seen
                                                              : first;
    if (nc == count && nl == last && nf == first) return 0;
    st = wbi_sqlite_prep(
        s, "UPDATE sightings SET count=?2,date_sighting=?3,first_seen=?4 WHERE id=?1", err);
    if (st == NULL) return err->code;
    wbi_db_bind_i64(st, 1, id);
    wbi_db_bind_i64(st, 2, nc);
    wbi_db_bind_i64(st, 3, nl);
    wbi_db_bind_i64(st, 4, nf);
    rc = wbi_sqlite_run(s, st, NULL, err);
    if (rc == 0) *how = 2;
    return rc;
}

int wb_store_server_sighting_cursor(wb_store *s, int64_t id, bool push, int64_t cursor,
                                    wb_error *err)
{
    wbi_stmt *st =
        wbi_sqlite_prep(s,
                        push ? "UPDATE sync_servers SET sighting_push_cursor=? WHERE id=?"
                             : "UPDATE sync_servers SET sighting_pull_cursor=? WHERE id=?",
                        err);
    if (st == NULL) return err->code;
    wbi_db_bind_i64(st, 1, cursor);
    wbi_db_bind_i64(st, 2, id);
    return wbi_sqlite_run(s, st, NULL, err);
}

int wb_store_sync_origin_events(wb_store *s, int64_t server_id, wb_sync_origin_cb cb, void *ud,
                                wb_error *err)
{
    wbi_stmt *st = wbi_sqlite_prep(s,
                                   "SELECT e.uuid,e.timestamp FROM sync_origins o JOIN events e"
                                   " ON e.uuid=o.event_uuid WHERE o.server_id=? AND e.deleted=0"
                                   " ORDER BY e.id",
                                   err);
    if (st == NULL) return err->code;
    wbi_db_bind_i64(st, 1, server_id);
    int rc;
    while ((rc = wbi_db_step(st)) == WBI_DB_ROW) {
        const char *u = wbi_db_col_text(st, 0);
        if (u && cb(ud, u, wbi_db_col_i64(st, 1))) {
            rc = WBI_DB_DONE;
            break;
        }
    }
    if (rc != WBI_DB_DONE) return wbi_sqlite_fail(s, st, NULL, err);
    wbi_db_finalize(st);
    return 0;
}
