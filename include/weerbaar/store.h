/*
 * store.h - the hub's storage: organisations, users, API keys, sharing
 * groups, MISP events and attributes, sightings, the audit log, and the
 * incident register (incidents, their reports, CSIRT actions, routes) and
 * the assessments of the duty of care with their versions and shares.
 *
 * A wb_store is one connection to one database. Callers see only this
 * interface; the back end behind it (SQLite today, src/store/sqlite.c) is a
 * table of function pointers chosen at open, so a PostgreSQL back end can
 * follow without the hub or the CLI changing. A connection is used by one
 * thread at a time; a server opens one per worker.
 *
 * Records handed to callbacks point into the back end's memory and are valid
 * only during the call: copy what you keep. A callback returns 0 to go on or
 * non-zero to stop the walk (the walk then returns 0).
 *
 * The store does not decide who may read what: that is the hub's policy
 * (hub.h). It checks integrity only (unique names, existing references).
 */
#ifndef WEERBAAR_STORE_H
#define WEERBAAR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/ioc.h"
#include "weerbaar/normalize.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bounds on names and identifiers (bytes, without the NUL). */
#define WB_NAME_MAX 128
#define WB_EMAIL_MAX 254
#define WB_UUID_LEN 36
/* The size of a key's hash and of the per-database secret that keys it. */
#define WB_KEY_HASH_LEN 32
/* An API key as handed out: 64 hex digits (256 random bits). */
#define WB_KEY_TEXT_LEN 64

typedef struct wb_store wb_store;

typedef enum wb_org_kind {
    WB_ORG_CSIRT,
    WB_ORG_ESSENTIAL,
    WB_ORG_IMPORTANT,
    WB_ORG_SUPERVISOR,
    WB_ORG_OTHER
} wb_org_kind;

typedef enum wb_role {
    WB_ROLE_SITE_ADMIN,
    WB_ROLE_ORG_ADMIN,
    WB_ROLE_MEMBER,
    WB_ROLE_SENSOR /* reads indicators and posts sightings, nothing else */
} wb_role;

/* "csirt", "essential", ...; 0 or WB_EINVAL for an unknown name. */
const char *wb_org_kind_name(wb_org_kind k);
int wb_org_kind_parse(const char *s, wb_org_kind *out);
/* "site-admin", "org-admin", "member", "sensor". */
const char *wb_role_name(wb_role r);
int wb_role_parse(const char *s, wb_role *out);

typedef struct wb_org {
    int64_t id;
    const char *uuid;
    const char *name;
    wb_org_kind kind;
    const char *sector; /* or NULL */
    const char *kvk;    /* Chamber of Commerce number, or NULL */
    wb_time created;
    bool disabled; /* its users' keys are refused (migration 9) */
} wb_org;

typedef struct wb_user {
    int64_t id;
    const char *email;
    int64_t org_id;
    const char *org_name;
    wb_role role;
    wb_time created;
    bool disabled; /* its keys are refused (migration 9) */
} wb_user;

typedef struct wb_apikey {
    int64_t id;
    int64_t user_id;
    const char *email;
    wb_time created;
    wb_time revoked; /* WB_TIME_NONE while valid */
    /* migration 9 */
    wb_time expires;     /* WB_TIME_NONE: never */
    wb_time last_used;   /* the day (00:00 UTC) it was last used; WB_TIME_NONE: never */
    const char *comment; /* or NULL */
    int64_t org_id;
    const char *org_name;
} wb_apikey;

/* Who a key belongs to (from wb_store_key_auth). */
typedef struct wb_keyowner {
    int64_t key_id;
    int64_t user_id;
    int64_t org_id;
    wb_role role;
    bool revoked;
    char email[WB_EMAIL_MAX + 1];
    char org_name[WB_NAME_MAX + 1];
    /* migration 9: refused as well when expired or disabled (accounts.h) */
    wb_time expires;   /* WB_TIME_NONE: never */
    wb_time last_used; /* the day it was last used; WB_TIME_NONE: never */
    bool user_disabled, org_disabled;
} wb_keyowner;

typedef struct wb_sgroup {
    int64_t id;
    const char *uuid;
    const char *name;
    const char *orgs; /* member organisation names, comma-separated, by name */
    wb_time created;
} wb_sgroup;

/* An event row. json is the MISP event object without attributes (they are
 * rows of their own and put back on read). tlp is the effective level:
 * amber when the event has no tlp: tag. Times are Unix seconds. */
typedef struct wb_event_rec {
    int64_t id;
    const char *uuid;
    int64_t org_id;
    const char *org_name; /* filled on read */
    const char *org_uuid; /* filled on read */
    const char *info;
    const char *date;         /* YYYY-MM-DD */
    int distribution;         /* 0-4 */
    int64_t sharing_group_id; /* 0 when none */
    wb_tlp tlp;
    bool published;
    bool deleted;
    int64_t timestamp;
    const char *json; /* NULL in look-up results */
    /* The change sequence number of the event's last write (every insert,
     * update, delete and publish takes the next one); filled by
     * wb_store_event_changes and wb_store_event_version_at, 0 elsewhere. */
    int64_t seq;
} wb_event_rec;

/* An attribute row. tlp is the attribute's own tag (WB_TLP_UNSET when it has
 * none); distribution 5 inherits the event's. keys are the normalised forms
 * the indicator look-up finds it by (two for composite types such as
 * domain|ip, none for types that are not indicators). */
typedef struct wb_attr_rec {
    int64_t id;
    const char *uuid;
    int64_t event_id;
    const char *object_uuid; /* the MISP object it belongs to, or NULL */
    const char *type;
    const char *value;
    bool to_ids;
    int distribution; /* 0-5 */
    int64_t sharing_group_id;
    wb_tlp tlp;
    bool deleted;
    int64_t timestamp;
    const char *json;
    unsigned nkeys; /* writes only */
    wb_ioc_type key_kind[2];
    const char *key[2];
} wb_attr_rec;

/* A sighting record. Its identity is (org_id, key_id, attribute_id, type);
 * a record is one stretch [first_seen, date_sighting] of reports of that
 * identity, with their count (wb_store_sighting_record). */
typedef struct wb_sighting_rec {
    int64_t id;
    const char *uuid; /* the record's own; made on insert when NULL */
    int64_t attribute_id;
    const char *attribute_uuid; /* filled on read */
    int64_t org_id;
    const char *org_name;   /* filled on read */
    const char *org_sector; /* filled on read; NULL when the org has none */
    int64_t user_id;
    int64_t key_id; /* the reporting API key; 0 for none (command line, records before 10) */
    int type;       /* 0 seen, 1 false positive, 2 expiration */
    const char *source;
    int64_t date_sighting; /* Unix seconds: the last time it was seen */
    int64_t count;
    int64_t first_seen; /* 0 when unknown */
    int64_t created;
} wb_sighting_rec;

/* The who-sighted-what view (wb_store_sighting_query): each field filters
 * when set. */
typedef struct wb_sighting_filter {
    int64_t after;     /* sighting id > after (paging) */
    int64_t since;     /* date_sighting >= since */
    int64_t org_id;    /* the sighting organisation */
    int64_t event_id;  /* the attribute's event */
    const char *value; /* the attribute's value as stored, or */
    const char *norm;  /* one of its look-up keys (norm, kind) */
    wb_ioc_type kind;
} wb_sighting_filter;

typedef struct wb_audit_rec {
    int64_t id;
    wb_time time;       /* set by the store on write */
    const char *user;   /* e-mail, or "cli" / "-" */
    const char *org;    /* organisation name, or "-" */
    const char *action; /* "event.add", "key.revoke", "auth.fail", "read.admin", ... */
    const char *object; /* uuid, e-mail, name; may be NULL */
    const char *detail; /* may be NULL */
    /* Filled on read: BLAKE2b-256 over the previous entry's hash and this
     * entry (wb_audit_hash); NULL for none. */
    const uint8_t *hash;
} wb_audit_rec;

typedef struct wb_event_filter {
    int64_t since;   /* timestamp >= since; 0 for all */
    int64_t org_id;  /* creator; 0 for all */
    const char *tag; /* exact tag name, or NULL */
    bool include_deleted;
} wb_event_filter;

typedef int (*wb_org_cb)(void *ud, const wb_org *o);
typedef int (*wb_user_cb)(void *ud, const wb_user *u);
typedef int (*wb_apikey_cb)(void *ud, const wb_apikey *k);
typedef int (*wb_sgroup_cb)(void *ud, const wb_sgroup *g);
typedef int (*wb_event_cb)(void *ud, const wb_event_rec *e);
/* ev is the attribute's event (json NULL) in look-ups, NULL in per-event walks. */
typedef int (*wb_attr_cb)(void *ud, const wb_event_rec *ev, const wb_attr_rec *a);
typedef int (*wb_sighting_cb)(void *ud, const wb_sighting_rec *s);
/* A sighting with its attribute and event (json NULL in both). */
typedef int (*wb_sighting_row_cb)(void *ud, const wb_event_rec *ev, const wb_attr_rec *a,
                                  const wb_sighting_rec *s);
typedef int (*wb_audit_cb)(void *ud, const wb_audit_rec *a);

/* Opens (creating when missing) the database at path and brings its schema
 * up to date. Errors name the path. The caller closes *out. */
int wb_store_open(wb_store **out, const char *path, wb_error *err);
void wb_store_close(wb_store *s);
/* The schema version the database is at after open. */
int wb_store_schema_version(wb_store *s);
/* Reads the database's schema version now (not as it was at open: another
 * program may have migrated it since) into *in_db, and the newest this
 * build knows into *known. A query that fails is the error (the health
 * check's "database reachable"). */
int wb_store_schema_check(wb_store *s, int64_t *in_db, int *known, wb_error *err);

/* Transactions: writes between begin and commit land together or not at
 * all. A commit that returns 0 is on disk (it survives a crash). */
int wb_store_begin(wb_store *s, wb_error *err);
int wb_store_commit(wb_store *s, wb_error *err);
void wb_store_rollback(wb_store *s);
/* Reads between read_begin and read_end see one snapshot and cost one
 * lock (hub-sync: the server wraps each request in them). A write
 * transaction begun in between ends the read transaction first; reads
 * after it run on their own again. A write made in between without
 * wb_store_begin is committed by read_end, which then fails if that
 * commit does (WB_EIO); otherwise it returns 0. */
void wb_store_read_begin(wb_store *s);
int wb_store_read_end(wb_store *s, wb_error *err);

/* ---- organisations, users, keys, sharing groups ------------------------------ */

/* Adds an organisation (uuid generated). WB_EINVAL when the name exists. */
int wb_store_org_add(wb_store *s, const char *name, wb_org_kind kind, const char *sector,
                     const char *kvk, int64_t *id, wb_error *err);
/* By name (case-insensitive) or uuid; WB_ENOTFOUND when there is none. */
int wb_store_org_find(wb_store *s, const char *name, wb_org_cb cb, void *ud, wb_error *err);
int wb_store_org_get(wb_store *s, int64_t id, wb_org_cb cb, void *ud, wb_error *err);
int wb_store_org_list(wb_store *s, wb_org_cb cb, void *ud, wb_error *err);

/* WB_EINVAL when the e-mail exists, WB_ENOTFOUND when the org does not. */
int wb_store_user_add(wb_store *s, const char *email, int64_t org_id, wb_role role, int64_t *id,
                      wb_error *err);
int wb_store_user_find(wb_store *s, const char *email, wb_user_cb cb, void *ud, wb_error *err);
int wb_store_user_list(wb_store *s, wb_user_cb cb, void *ud, wb_error *err);

/* Creates a key for a user: fills key (WB_KEY_TEXT_LEN hex digits and a NUL)
 * with 256 random bits and stores only its keyed hash. */
int wb_store_key_add(wb_store *s, int64_t user_id, char key[WB_KEY_TEXT_LEN + 1], int64_t *id,
                     wb_error *err);
/* Revokes one key (user_id 0) or every key of a user (key_id 0); *n is how
 * many were revoked. */
int wb_store_key_revoke(wb_store *s, int64_t key_id, int64_t user_id, int64_t *n, wb_error *err);
int wb_store_key_list(wb_store *s, wb_apikey_cb cb, void *ud, wb_error *err);
/* Looks a presented key up: 0 with *out filled (check out->revoked), or
 * WB_ENOTFOUND. The comparison of hashes is constant-time. */
int wb_store_key_auth(wb_store *s, const char *key, size_t len, wb_keyowner *out, wb_error *err);

/* Adds a sharing group with its member organisations. */
int wb_store_sgroup_add(wb_store *s, const char *name, const int64_t *orgs, size_t norgs,
                        int64_t *id, wb_error *err);
/* By id (when id > 0) or else by uuid or name. */
int wb_store_sgroup_find(wb_store *s, int64_t id, const char *uuid_or_name, wb_sgroup_cb cb,
                         void *ud, wb_error *err);
int wb_store_sgroup_list(wb_store *s, wb_sgroup_cb cb, void *ud, wb_error *err);
/* The sharing groups an organisation belongs to: up to max ids into ids. */
int wb_store_org_sgroups(wb_store *s, int64_t org_id, int64_t *ids, size_t max, size_t *n,
                         wb_error *err);
bool wb_store_sgroup_has_org(wb_store *s, int64_t sg_id, int64_t org_id);

/* ---- administration (migration 9; rules in accounts.h) ---------------------- */

/* Changes an organisation: name, kind, sector, kvk when not NULL (an empty
 * sector or kvk clears it), disabled when >= 0. WB_EINVAL when the new
 * name exists, WB_ENOTFOUND when there is no such organisation. */
int wb_store_org_update(wb_store *s, int64_t id, const char *name, const wb_org_kind *kind,
                        const char *sector, const char *kvk, int disabled, wb_error *err);
/* What an organisation owns: one call per table that refers to it, with
 * the number of rows (only tables with rows). */
typedef int (*wb_holding_cb)(void *ud, const char *table, int64_t rows);
int wb_store_org_holdings(wb_store *s, int64_t id, wb_holding_cb cb, void *ud, wb_error *err);
/* Removes an organisation. With transfer_to > 0 everything it owns is
 * given to that organisation first (its sharing-group memberships are
 * dropped); WB_EINVAL, naming the table, when something it owns cannot
 * move (append-only records) or, without transfer_to, when it owns
 * anything. */
int wb_store_org_remove(wb_store *s, int64_t id, int64_t transfer_to, wb_error *err);
/* Changes a user: organisation when org_id > 0, role when not NULL,
 * disabled when >= 0. WB_ENOTFOUND. */
int wb_store_user_update(wb_store *s, int64_t id, int64_t org_id, const wb_role *role, int disabled,
                         wb_error *err);
/* Removes a user and its keys; sightings it reported stay, without it. */
int wb_store_user_remove(wb_store *s, int64_t id, wb_error *err);
/* A key's expiry (WB_TIME_NONE: never) and comment (NULL: none). */
int wb_store_key_set(wb_store *s, int64_t id, wb_time expires, const char *comment, wb_error *err);
/* Records that a key was used on `day` (00:00 UTC of the day). */
int wb_store_key_touch(wb_store *s, int64_t id, wb_time day, wb_error *err);
/* WB_EINVAL when the name exists. */
int wb_store_sgroup_rename(wb_store *s, int64_t id, const char *name, wb_error *err);
/* Adds (add) or removes an organisation; *changed false when it already
 * was (or was not) a member. */
int wb_store_sgroup_member(wb_store *s, int64_t sg_id, int64_t org_id, bool add, bool *changed,
                           wb_error *err);
/* Gives every event shared with the group (by the event or one of its
 * attributes) the next change sequence number, so that change-feed
 * followers look at them again after a membership change; *n events. */
int wb_store_sgroup_touch(wb_store *s, int64_t sg_id, int64_t *n, wb_error *err);
/* The sharing groups org_id was taken out of at change number `after` or
 * later (migration 15), at most max into ids; *n of them. The change feed
 * asks it to send tombstones for what the organisation held then. */
int wb_store_sgroup_removed_since(wb_store *s, int64_t org_id, int64_t after, int64_t *ids,
                                  size_t max, size_t *n, wb_error *err);

typedef struct wb_audit_filter {
    wb_time since;      /* WB_TIME_NONE or 0: all */
    const char *org;    /* the entry's organisation name, or NULL */
    const char *action; /* "user.add", or "user" for every user.* action; NULL */
    int64_t offset, limit;
} wb_audit_filter;
/* Newest first. */
int wb_store_audit_query(wb_store *s, const wb_audit_filter *f, wb_audit_cb cb, void *ud,
                         wb_error *err);

/* ---- events, attributes, sightings -------------------------------------------- */

/* Inserts an event (ev->id ignored) or, with replace, updates the event with
 * ev->uuid, together with its attributes and tags in one transaction of its
 * own. On replace, attributes of the event missing from attrs are marked
 * deleted (their sightings stay). WB_EINVAL when the uuid exists on insert,
 * or an attribute uuid belongs to another event. *id is the event's id. */
int wb_store_event_put(wb_store *s, const wb_event_rec *ev, const char *const *tags, size_t ntags,
                       const wb_attr_rec *attrs, size_t nattrs, bool replace, int64_t *id,
                       wb_error *err);
/* By uuid, deleted events included (the caller decides); WB_ENOTFOUND. */
int wb_store_event_get(wb_store *s, const char *uuid, wb_event_cb cb, void *ud, wb_error *err);
/* In (timestamp, id) order. */
int wb_store_event_list(wb_store *s, const wb_event_filter *f, wb_event_cb cb, void *ud,
                        wb_error *err);
/* The change feed: events written after change sequence number `after`, in
 * sequence order, deleted ones included, each with its seq. */
int wb_store_event_changes(wb_store *s, int64_t after, wb_event_cb cb, void *ud, wb_error *err);
/* The highest change sequence number given out (0 for none). */
int wb_store_event_seq_max(wb_store *s, int64_t *out, wb_error *err);
/* The policy facts (seq, tlp, distribution, sharing_group_id, deleted) of
 * the version of an event in force at sequence number `seq` into *out;
 * WB_ENOTFOUND when the event was written first after seq. */
int wb_store_event_version_at(wb_store *s, int64_t event_id, int64_t seq, wb_event_rec *out,
                              wb_error *err);
/* The prefix lengths of the address blocks (CIDR look-up keys) stored
 * (wb_prefix_set, normalize.h). */
int wb_store_cidr_prefixes(wb_store *s, wb_prefix_set *out, wb_error *err);
/* Sets published or deleted. */
int wb_store_event_flag(wb_store *s, int64_t id, bool published, bool deleted, int64_t timestamp,
                        wb_error *err);
/* The event's attributes in id order, deleted ones included. */
int wb_store_attr_list(wb_store *s, int64_t event_id, wb_attr_cb cb, void *ud, wb_error *err);
/* Attributes with key `norm` of kind `kind`, with their events, deleted
 * ones excluded. */
int wb_store_attr_lookup(wb_store *s, wb_ioc_type kind, const char *norm, wb_attr_cb cb, void *ud,
                         wb_error *err);
/* One attribute by uuid with its event; WB_ENOTFOUND. */
int wb_store_attr_get(wb_store *s, const char *uuid, wb_attr_cb cb, void *ud, wb_error *err);

/* Records a sighting report r: merged into the record of the same
 * identity (attribute, organisation, key, type) whose window
 * [first_seen, date_sighting] overlaps r's or lies within gap seconds of
 * it (counts added, window widened, *merged true), else a new record
 * (r->uuid, or a new one). *id is the record's. wb_store_sighting_add
 * does the same with the default gap. */
#define WB_SIGHTING_GAP_DEFAULT 3600
int wb_store_sighting_record(wb_store *s, const wb_sighting_rec *r, int64_t gap, int64_t *id,
                             bool *merged, wb_error *err);
int wb_store_sighting_add(wb_store *s, const wb_sighting_rec *r, int64_t *id, wb_error *err);
/* Remembers a client-supplied request uuid of an organisation: *first is
 * true the first time, false for a uuid seen before (a retry). In the
 * caller's transaction, so a request that fails forgets it again. */
int wb_store_sighting_claim(wb_store *s, int64_t org_id, const char *uuid, bool *first,
                            wb_error *err);
int wb_store_sighting_list(wb_store *s, int64_t event_id, wb_sighting_cb cb, void *ud,
                           wb_error *err);
/* Sightings matching f, in id order, with their attribute and event;
 * deleted attributes and events left out. The caller applies the policy. */
int wb_store_sighting_query(wb_store *s, const wb_sighting_filter *f, wb_sighting_row_cb cb,
                            void *ud, wb_error *err);
/* The sighting of id, or of uuid (NULL: none), with its attribute and
 * event, when neither is deleted: cb once, or not at all when there is
 * none. */
int wb_store_sighting_one(wb_store *s, int64_t id, const char *uuid, wb_sighting_row_cb cb,
                          void *ud, wb_error *err);
/* Removes sighting id (MISP's sightings/delete); WB_ENOTFOUND when there
 * is none. In the caller's transaction. */
int wb_store_sighting_delete(wb_store *s, int64_t id, wb_error *err);

/* ---- warninglists (hub-sync) ---------------------------------------------------- */

/* A MISP warninglist the hub applies at ingest: its list.json text. */
typedef struct wb_warninglist_rec {
    int64_t id;
    const char *name;
    const char *json;
    wb_time created;
} wb_warninglist_rec;
typedef int (*wb_warninglist_cb)(void *ud, const wb_warninglist_rec *w);
/* Adds a list, or replaces the one with the same name (the caller has
 * checked that json is a valid list). */
int wb_store_warninglist_put(wb_store *s, const char *name, const char *json, wb_error *err);
/* In name order. */
int wb_store_warninglist_list(wb_store *s, wb_warninglist_cb cb, void *ud, wb_error *err);
/* How many lists there are and when the newest was added or replaced
 * (wb_time): a change in either is a change of the lists (the hub reloads). */
int wb_store_warninglist_gen(wb_store *s, int64_t *count, int64_t *latest, wb_error *err);
/* The look-up keys of every attribute (not deleted, event not deleted) not
 * yet marked as on a warninglist, in attribute order. */
typedef int (*wb_attr_key_cb)(void *ud, int64_t attr_id, int64_t event_id, wb_ioc_type kind,
                              const char *norm);
int wb_store_attr_key_walk(wb_store *s, wb_attr_key_cb cb, void *ud, wb_error *err);
/* Marks an attribute as on warninglist `list` (to_ids false, "warninglist"
 * in its JSON, as at ingest) and gives its event the timestamp now (Unix
 * seconds), so the change feed carries it. Nothing is deleted. */
int wb_store_attr_warn(wb_store *s, int64_t attr_id, int64_t event_id, const char *list,
                       int64_t now, wb_error *err);

/* ---- audit ---------------------------------------------------------------- */

/* Appends an entry (the table refuses updates, and deletes of entries
 * not archived). Each entry carries the hash of the one before it and of
 * itself (a chain: wb_store_audit_verify), so the entry is written in a
 * write transaction of its own when the caller has none open. */
int wb_store_audit(wb_store *s, const wb_audit_rec *a, wb_error *err);

#define WB_AUDIT_HASH_LEN 32
/* The chain's hash of entry a (its id, time, user, org, action, object,
 * detail) after the entry whose hash is prev. */
void wb_audit_hash(const uint8_t prev[WB_AUDIT_HASH_LEN], const wb_audit_rec *a,
                   uint8_t out[WB_AUDIT_HASH_LEN]);

/* Every entry in id order (oldest first) with its hash, those with
 * id <= upto_id when upto_id > 0. */
int wb_store_audit_walk(wb_store *s, int64_t upto_id, wb_audit_cb cb, void *ud, wb_error *err);

/* Where the chain in the table starts: the last archived entry's id and
 * hash (0 and zeros when nothing was archived). */
int wb_store_audit_anchor(wb_store *s, int64_t *upto_id, uint8_t hash[WB_AUDIT_HASH_LEN],
                          wb_error *err);

typedef struct wb_audit_check {
    int64_t rows;                    /* entries checked */
    int64_t head_id;                 /* the newest entry's id (0 for none) */
    uint8_t head[WB_AUDIT_HASH_LEN]; /* its hash: the chain's head */
    int64_t bad_id;                  /* the first entry that does not chain, 0 for none */
} wb_audit_check;

/* Checks the chain from the anchor through every entry. Returns 0 with
 * out->bad_id 0 when it holds; 0 with out->bad_id the first entry whose
 * hash does not match (err says why); or an error. */
int wb_store_audit_verify(wb_store *s, wb_audit_check *out, wb_error *err);

/* Archives the oldest entries, those before `before` (up to the first
 * entry that is not): writes them to the file `path` (which must not
 * exist; JSON lines, docs/hub.md) with their hashes, so that the file's
 * chain continues into the entries that stay, syncs it, and only then
 * removes them from the table, recording the archive (its last id and
 * hash) and adding an audit.archive entry with `user`. Refuses (WB_EINVAL)
 * when the chain does not verify. out->rows is how many were archived (0:
 * nothing to do, no file written). */
int wb_store_audit_archive(wb_store *s, wb_time before, const char *path, const char *user,
                           wb_audit_check *out, wb_error *err);

/* Checks an archive file on its own and against the database: its rows
 * chain from its first line's prev, and its last entry is an archive the
 * database recorded (so the table's chain continues from it). 0 with
 * out->bad_id as in wb_store_audit_verify, or an error naming the file
 * and line. */
int wb_store_audit_verify_file(wb_store *s, const char *path, wb_audit_check *out, wb_error *err);
/* Newest first, entries with time >= since, skipping offset, at most limit. */
int wb_store_audit_list(wb_store *s, wb_time since, int64_t offset, int64_t limit, wb_audit_cb cb,
                        void *ud, wb_error *err);

/* ---- incidents (the Cbw reporting duty; rules in incident.h) ---------------- */

#define WB_INCIDENT_TITLE_MAX 512
#define WB_INCIDENT_TEXT_MAX 65536 /* a comment */

typedef enum wb_incident_status {
    WB_INCIDENT_OPEN,
    WB_INCIDENT_HANDLED,
    WB_INCIDENT_CLOSED
} wb_incident_status;
/* "open", "handled", "closed". */
const char *wb_incident_status_name(wb_incident_status st);
int wb_incident_status_parse(const char *s, wb_incident_status *out);

/* How a report reached the register: through the hub (the server's receipt
 * time is the submission time), into a local register at the moment it was
 * made, or recorded afterwards in a local register with the time it was made
 * through another channel (--submitted-at): marked so nobody mistakes the
 * stated time for one the register witnessed. */
typedef enum wb_report_channel {
    WB_CHANNEL_HUB,
    WB_CHANNEL_LOCAL,
    WB_CHANNEL_RECORDED
} wb_report_channel;
const char *wb_report_channel_name(wb_report_channel c); /* "hub", "local", "recorded" */

typedef enum wb_incident_action_kind {
    WB_ACTION_ACK,    /* the CSIRT's initial feedback (NIS2 Art. 23(5)) */
    WB_ACTION_ASK,    /* a request for an intermediate report by a date */
    WB_ACTION_COMMENT /* free text */
} wb_incident_action_kind;
const char *wb_incident_action_name(wb_incident_action_kind k); /* "ack", "ask", "comment" */

/* An incident row. entity_type is an incident.h entity type name and rsit an
 * RSIT machine tag (or NULL): the caller validates them, the store keeps
 * them. org_name and org_sector are filled on read. */
typedef struct wb_incident_rec {
    int64_t id;
    int64_t org_id;
    const char *org_name;
    const char *org_sector; /* or NULL */
    const char *title;
    wb_time aware_at;
    wb_time detected_at; /* WB_TIME_NONE when not given */
    const char *entity_type;
    wb_incident_status status;
    const char *rsit;
    wb_tlp tlp;
    wb_time handled_at; /* WB_TIME_NONE while not handled */
    wb_time created;
} wb_incident_rec;

/* One submitted report. json is the document as submitted (validated by the
 * caller); reports are never changed or deleted. */
typedef struct wb_incident_report_rec {
    int64_t id;
    int64_t incident_id;
    const char *stage; /* an incident.h stage name */
    const char *json;
    wb_time submitted_at;
    wb_report_channel channel;
    const char *author; /* e-mail, or "cli" */
    wb_time created;    /* set by the store: when the register received it */
} wb_incident_report_rec;

typedef struct wb_incident_action_rec {
    int64_t id;
    int64_t incident_id;
    wb_incident_action_kind kind;
    wb_time at;
    wb_time by;       /* ask: the date set; WB_TIME_NONE otherwise */
    const char *text; /* comment: the text; NULL otherwise */
    const char *author;
} wb_incident_action_rec;

/* A sector's CSIRT and supervisor; sector "*" stands for every sector without
 * a route of its own. Names are filled on read. */
typedef struct wb_route_rec {
    const char *sector;
    int64_t csirt_id;
    const char *csirt_name;
    int64_t supervisor_id; /* 0 when none */
    const char *supervisor_name;
} wb_route_rec;

typedef int (*wb_incident_cb)(void *ud, const wb_incident_rec *r);
typedef int (*wb_incident_report_cb)(void *ud, const wb_incident_report_rec *r);
typedef int (*wb_incident_action_cb)(void *ud, const wb_incident_action_rec *a);
typedef int (*wb_route_cb)(void *ud, const wb_route_rec *r);

/* Adds an incident (r->id, status, handled_at and created ignored: a new
 * incident is open). WB_EINVAL for an empty or too long title, a missing
 * aware_at or an unknown organisation. */
int wb_store_incident_add(wb_store *s, const wb_incident_rec *r, int64_t *id, wb_error *err);
/* WB_ENOTFOUND when there is none. */
int wb_store_incident_get(wb_store *s, int64_t id, wb_incident_cb cb, void *ud, wb_error *err);
/* Every incident in id order. */
int wb_store_incident_list(wb_store *s, wb_incident_cb cb, void *ud, wb_error *err);
/* Sets the status; handled_at with WB_INCIDENT_HANDLED (WB_TIME_NONE keeps
 * the one set before). WB_ENOTFOUND. */
int wb_store_incident_set_status(wb_store *s, int64_t id, wb_incident_status st, wb_time handled_at,
                                 wb_error *err);

/* Appends a report; there is no update: a correction is a new report of the
 * same stage. WB_EINVAL for an unknown incident. */
int wb_store_incident_report_add(wb_store *s, const wb_incident_report_rec *r, int64_t *id,
                                 wb_error *err);
/* The incident's reports in (submitted_at, id) order. */
int wb_store_incident_report_list(wb_store *s, int64_t incident_id, wb_incident_report_cb cb,
                                  void *ud, wb_error *err);
/* Appends a CSIRT action (append-only too). */
int wb_store_incident_action_add(wb_store *s, const wb_incident_action_rec *a, int64_t *id,
                                 wb_error *err);
/* In (at, id) order. */
int wb_store_incident_action_list(wb_store *s, int64_t incident_id, wb_incident_action_cb cb,
                                  void *ud, wb_error *err);

/* Sets the route of a sector (replacing the one it had). WB_EINVAL when the
 * sector is empty or an organisation does not exist. supervisor_id 0: none. */
int wb_store_route_set(wb_store *s, const char *sector, int64_t csirt_id, int64_t supervisor_id,
                       wb_error *err);
int wb_store_route_list(wb_store *s, wb_route_cb cb, void *ud, wb_error *err);
/* The route that applies to a sector: its own, else "*"; WB_ENOTFOUND when
 * neither exists. sector may be NULL (an organisation without one). */
int wb_store_route_for(wb_store *s, const char *sector, wb_route_cb cb, void *ud, wb_error *err);
/* The CSIRT's and supervisor's organisation ids of the route that applies
 * to sector (either pointer may be NULL; a route without a supervisor
 * gives 0); both 0 and 0 returned when no route applies. */
int wb_store_route_ids(wb_store *s, const char *sector, int64_t *csirt, int64_t *supervisor,
                       wb_error *err);

/* ---- webhooks: incident reminders (delivered by hooks.h) --------------------- */

#define WB_HOOK_URL_MAX 2048
/* A hook's secret as handed out and stored: 64 hex digits (256 bits). It is
 * kept as is, not hashed: signing needs it (docs/incident.md says why). */
#define WB_HOOK_SECRET_LEN 64
#define WB_HOOK_EVENT_KEY_MAX 200

/* A receiver of one organisation's reminders. removed is WB_TIME_NONE while
 * the hook is active; a removed hook stays for its deliveries' history. */
typedef struct wb_hook_rec {
    int64_t id;
    int64_t org_id;
    const char *org_name; /* filled on read */
    const char *url;
    const char *secret;
    wb_time created;
    wb_time removed;
    const char *lang; /* "nl" or "en": the language of an e-mail hook's messages */
} wb_hook_rec;

typedef enum wb_delivery_status {
    WB_DELIVERY_PENDING,   /* not yet acknowledged: tried again at next_attempt */
    WB_DELIVERY_DELIVERED, /* the receiver answered 2xx */
    WB_DELIVERY_FAILED,    /* given up (docs/incident.md: after how long) */
    WB_DELIVERY_CANCELLED  /* its hook was removed before it was delivered */
} wb_delivery_status;
/* "pending", "delivered", "failed", "cancelled". */
const char *wb_delivery_status_name(wb_delivery_status st);

/* One message to one hook. (hook_id, event_key) is unique: a second add of
 * the same event is ignored, which makes every event fire once. url and
 * secret are the hook's, filled on read. */
typedef struct wb_delivery_rec {
    int64_t id;
    const char *uuid; /* the delivery id receivers de-duplicate by */
    int64_t hook_id;
    const char *url;
    const char *secret;
    const char *event_key; /* "incident:42:notification:2026-02-02T08:00:00Z:due-6h" */
    const char *body;      /* the JSON sent, fixed when the delivery is made */
    int64_t attempts;
    wb_time next_attempt;
    wb_delivery_status status;
    int64_t last_status; /* the last HTTP status; 0 when there was none */
    const char *last_error;
    wb_time created;
    wb_time delivered; /* WB_TIME_NONE until delivered */
    const char *lang;  /* the hook's, filled on read */
} wb_delivery_rec;

/* An event created by sharing an incident's indicators (incident share). */
typedef struct wb_incident_event_rec {
    int64_t incident_id;
    const char *event_uuid;
    bool anonymous;
    const char *author;
    wb_time at;
} wb_incident_event_rec;

typedef int (*wb_hook_cb)(void *ud, const wb_hook_rec *h);
typedef int (*wb_delivery_cb)(void *ud, const wb_delivery_rec *d);
typedef int (*wb_incident_event_cb)(void *ud, const wb_incident_event_rec *e);

/* Adds a hook. WB_EINVAL for a URL that is not http(s):// or too long, a
 * secret that is not WB_HOOK_SECRET_LEN hex digits, an unknown org. */
int wb_store_hook_add(wb_store *s, int64_t org_id, const char *url, const char *secret, int64_t *id,
                      wb_error *err);
/* The prefix of an e-mail recipient's URL: "mailto:" and one address. */
#define WB_HOOK_MAILTO "mailto:"
/* Adds an e-mail recipient of the organisation's reminders: a hook whose
 * URL is "mailto:ADDRESS", with the language ("nl" or "en") its messages
 * are written in. WB_EINVAL for an address that is not local@domain.tld
 * (no spaces, control characters, quotes, brackets, commas or a second
 * '@'; at most 254 bytes), another language, an unknown org. */
int wb_store_hook_add_mail(wb_store *s, int64_t org_id, const char *address, const char *lang,
                           const char *secret, int64_t *id, wb_error *err);
/* Marks the hook removed and cancels its pending deliveries. WB_ENOTFOUND
 * when there is no active hook with that id. */
int wb_store_hook_remove(wb_store *s, int64_t id, wb_time now, wb_error *err);
/* Hooks in id order; org_id 0 for every organisation's. */
int wb_store_hook_list(wb_store *s, int64_t org_id, bool include_removed, wb_hook_cb cb, void *ud,
                       wb_error *err);
/* Adds a pending delivery (d->id, url, secret, attempts, status and
 * delivered ignored). *added is false when the hook already has that event
 * key (nothing is written). */
int wb_store_delivery_add(wb_store *s, const wb_delivery_rec *d, bool *added, wb_error *err);
/* Pending deliveries of active hooks with next_attempt <= now, oldest
 * first, at most limit, and at most 8 of any one hook (a backlog to one
 * receiver does not crowd out the others). */
int wb_store_delivery_due(wb_store *s, wb_time now, int64_t limit, wb_delivery_cb cb, void *ud,
                          wb_error *err);
/* Every delivery (of one hook, or all with hook_id 0) in id order. */
int wb_store_delivery_list(wb_store *s, int64_t hook_id, wb_delivery_cb cb, void *ud,
                           wb_error *err);
/* Records an attempt: attempts, next_attempt, status, last_status,
 * last_error and delivered of d->id. */
int wb_store_delivery_update(wb_store *s, const wb_delivery_rec *d, wb_error *err);

/* Links an event to the incident whose indicators it shares. */
int wb_store_incident_event_add(wb_store *s, const wb_incident_event_rec *e, wb_error *err);
int wb_store_incident_event_list(wb_store *s, int64_t incident_id, wb_incident_event_cb cb,
                                 void *ud, wb_error *err);

/* One request to share an incident's indicators (migration 7). status is
 * "published" (the event was made at once), or for an anonymous share, a
 * proposal: "pending" until the CSIRT approves ("approved", the event made
 * in the CSIRT's name) or discards it, or the reporter withdraws it. */
typedef struct wb_incident_share_rec {
    int64_t id, incident_id;
    const char *share_key; /* the client's idempotency key, or the digest */
    const char *digest;    /* of what is shared (incident_api.c) */
    bool anonymous;
    const char *status;
    int64_t org_id;   /* the reporting organisation */
    int64_t csirt_id; /* who decides a proposal; 0 for none */
    int tlp, distribution;
    int64_t sharing_group_id; /* 0 for none */
    const char *body;         /* the MISP event document to create */
    int64_t attributes, warninglisted;
    const char *event_uuid; /* NULL until an event exists */
    const char *author;
    wb_time created;
    const char *decided_by; /* NULL while pending or published */
    wb_time decided_at;     /* WB_TIME_NONE likewise */
} wb_incident_share_rec;
typedef int (*wb_incident_share_cb)(void *ud, const wb_incident_share_rec *r);

/* Adds a share; WB_EINVAL when the incident has a share in force with the
 * same key. */
int wb_store_incident_share_add(wb_store *s, const wb_incident_share_rec *r, int64_t *id,
                                wb_error *err);
/* By id (id > 0), else the share in force (published, pending or approved)
 * of incident_id with that key. WB_ENOTFOUND when there is none. */
int wb_store_incident_share_find(wb_store *s, int64_t id, int64_t incident_id, const char *key,
                                 wb_incident_share_cb cb, void *ud, wb_error *err);
/* Proposals (anonymous shares), newest first: those an organisation made or
 * decides (org_id 0: all), of one status (NULL: any). */
int wb_store_incident_share_list(wb_store *s, int64_t org_id, const char *status,
                                 wb_incident_share_cb cb, void *ud, wb_error *err);
/* Moves a pending proposal to status (recording event_uuid when not NULL);
 * WB_ENOTFOUND when it is not pending. */
int wb_store_incident_share_decide(wb_store *s, int64_t id, const char *status,
                                   const char *event_uuid, const char *by, wb_time at,
                                   wb_error *err);

/* ---- tuning (hub feeds) ---------------------------------------------------------- */

/* Sets how much of the database this connection keeps in memory. A bulk
 * import (`weerbaar feed pull`) inserts into indexes in random order, and
 * with the default 2 MB most inserts read their pages again. */
int wb_store_cache_size(wb_store *s, size_t bytes, wb_error *err);

/* A random version 4 UUID, lower-case, into out (WB_UUID_LEN + 1 bytes). */
void wb_uuid_v4(char out[WB_UUID_LEN + 1]);
/* True for 8-4-4-4-12 hex digits (either case). */
bool wb_uuid_valid(const char *s, size_t n);

/* ---- assessments of the duty of care (rules in assess.h, assessdb.h) ---------- */

#define WB_ASSESS_SCOPE_MAX 1024
#define WB_ASSESS_CATALOGUE_MAX 128
#define WB_ASSESS_ACTION_MAX 512

/* Who an assessment may be shared with besides its organisation. */
typedef enum wb_share_audience { WB_SHARE_CSIRT, WB_SHARE_SUPERVISOR } wb_share_audience;
/* "csirt", "supervisor"; 0 or WB_EINVAL. */
const char *wb_share_audience_name(wb_share_audience a);
int wb_share_audience_parse(const char *s, wb_share_audience *out);

/* An assessment: an organisation's answers to one catalogue, kept as
 * versions. org_name, org_sector, version, version_time and the shared_*
 * flags are filled on read. */
typedef struct wb_assessment_rec {
    int64_t id;
    int64_t org_id;
    const char *org_name;
    const char *org_sector; /* or NULL */
    const char *catalogue;  /* a name as `assess catalogues` lists it */
    const char *scope;      /* or NULL */
    int target;             /* 1..5 */
    const char *author;     /* e-mail, or "cli" */
    wb_time created;
    int version;          /* the newest version, 0 while there is none */
    wb_time version_time; /* when it was made; WB_TIME_NONE while none */
    bool shared_csirt;    /* shared now (the newest share or revoke decides) */
    bool shared_supervisor;
} wb_assessment_rec;

/* One version of an assessment's answers: the whole answer set as
 * wb_answers_write_json writes it, never changed once written. */
typedef struct wb_assessment_version_rec {
    int64_t assessment_id;
    int version;      /* 1, 2, ... */
    const char *json; /* NULL in lists */
    size_t nanswers;
    const char *action; /* what made it: "answer 11.1", "import answers.csv" */
    const char *author;
    wb_time created;
} wb_assessment_version_rec;

/* One share or revocation, append-only. */
typedef struct wb_assessment_share_rec {
    int64_t assessment_id;
    wb_share_audience audience;
    bool shared; /* false: revoked */
    const char *author;
    wb_time at;
} wb_assessment_share_rec;

typedef int (*wb_assessment_cb)(void *ud, const wb_assessment_rec *a);
typedef int (*wb_assessment_version_cb)(void *ud, const wb_assessment_version_rec *v);
typedef int (*wb_assessment_share_cb)(void *ud, const wb_assessment_share_rec *s);

/* Adds an assessment without versions (r->id, created and the read-only
 * fields ignored). WB_EINVAL for an empty or too long catalogue name or
 * scope, a target outside 1..5, an unknown organisation. */
int wb_store_assessment_add(wb_store *s, const wb_assessment_rec *r, int64_t *id, wb_error *err);
/* WB_ENOTFOUND when there is none. */
int wb_store_assessment_get(wb_store *s, int64_t id, wb_assessment_cb cb, void *ud, wb_error *err);
/* In id order; org_id 0 for every organisation. */
int wb_store_assessment_list(wb_store *s, int64_t org_id, wb_assessment_cb cb, void *ud,
                             wb_error *err);
/* Appends the next version (the newest + 1) with the whole answer set as
 * JSON. *version gets its number. WB_EINVAL for an unknown assessment. */
int wb_store_assessment_version_add(wb_store *s, const wb_assessment_version_rec *v, int *version,
                                    wb_error *err);
/* One version with its JSON; version 0 for the newest. WB_ENOTFOUND. */
int wb_store_assessment_version_get(wb_store *s, int64_t assessment_id, int version,
                                    wb_assessment_version_cb cb, void *ud, wb_error *err);
/* Every version, oldest first, json NULL. */
int wb_store_assessment_version_list(wb_store *s, int64_t assessment_id,
                                     wb_assessment_version_cb cb, void *ud, wb_error *err);
/* Appends a share (shared true) or a revocation. WB_EINVAL for an unknown
 * assessment. */
int wb_store_assessment_share(wb_store *s, const wb_assessment_share_rec *r, wb_error *err);
/* Every share and revocation, oldest first. */
int wb_store_assessment_share_list(wb_store *s, int64_t assessment_id, wb_assessment_share_cb cb,
                                   void *ud, wb_error *err);

/* ---- dependency pictures (rules in depsdb.h) --------------------------------- */

/* Longest stored picture (the JSON depsdb.h validates). */
#define WB_DEPS_PICTURE_MAX (256 * 1024)

/* One version of an organisation's aggregate dependency picture, never
 * changed once written. org_name, org_sector and the shared_* flags are
 * filled on read (the newest share or revocation decides). */
typedef struct wb_deps_picture_rec {
    int64_t org_id;
    const char *org_name;
    const char *org_sector; /* or NULL */
    int version;            /* 1, 2, ... per organisation */
    const char *json;
    const char *author;
    wb_time created;
    bool shared_csirt;
    bool shared_supervisor;
} wb_deps_picture_rec;

/* One share or revocation of an organisation's pictures, append-only. */
typedef struct wb_deps_share_rec {
    int64_t org_id;
    wb_share_audience audience;
    bool shared;
    const char *author;
    wb_time at;
} wb_deps_share_rec;

typedef int (*wb_deps_picture_cb)(void *ud, const wb_deps_picture_rec *r);

/* Appends the organisation's next picture; *version gets its number.
 * WB_EINVAL for an unknown organisation, WB_ELIMIT. */
int wb_store_deps_picture_add(wb_store *s, const wb_deps_picture_rec *r, int *version,
                              wb_error *err);
/* The newest picture of each organisation (org_id 0) or of one, by org id. */
int wb_store_deps_picture_list(wb_store *s, int64_t org_id, wb_deps_picture_cb cb, void *ud,
                               wb_error *err);
/* Appends a share (shared true) or a revocation. WB_EINVAL for an unknown
 * organisation. */
int wb_store_deps_share(wb_store *s, const wb_deps_share_rec *r, wb_error *err);

/* ---- backup ------------------------------------------------------------------ */

/* A consistent copy of the database at db (open elsewhere or not: SQLite's
 * online backup API, one read snapshot) written to out through a temporary
 * file, checked with PRAGMA integrity_check and renamed into place. */
int wb_store_backup(const char *db, const char *out, wb_error *err);
/* Replaces (or creates) the database at db with the backup file: the file
 * must pass integrity_check and be a weerbaar database this build can open
 * (an older schema is migrated). WB_EINVAL, without touching db, when a
 * process has db open (a running hub) and force is false. */
int wb_store_restore(const char *file, const char *db, bool force, wb_error *err);

/* ---- hub-to-hub synchronisation (migration 13, sqlite_sync.c) ------------------ */

/* A server this hub synchronises with. key is the remote hub's API key for
 * this hub's sync user: filled on read for the sync engine only, never
 * printed. org_id is the local organisation that stands for the remote
 * hub: its users' keys are the ones the remote hub calls with. */
typedef struct wb_sync_server_rec {
    int64_t id;
    const char *name, *url, *key;
    int64_t org_id;
    const char *org_name; /* filled on read */
    bool pull, push;
    const char *rules;   /* JSON, or NULL */
    const char *sgroups; /* filled on read: sharing group names, comma-separated */
    int64_t pull_cursor; /* newest remote timestamp a pull stored */
    int64_t push_cursor; /* local change sequence pushed up to */
    int64_t last_pull, last_push;
    const char *last_result;
    int64_t created;
    /* migration 16: sightings pushed even without --push (MISP's "push
     * sightings"); the sighting change number pushed up to, and the
     * newest remote sighting_timestamp a pull took sightings up to */
    bool push_sightings;
    int64_t sighting_push_cursor, sighting_pull_cursor;
} wb_sync_server_rec;

typedef int (*wb_sync_server_cb)(void *ud, const wb_sync_server_rec *r);

/* Adds a server with the sharing groups it may receive (distribution 4).
 * WB_EINVAL when the name exists. */
int wb_store_server_add(wb_store *s, const wb_sync_server_rec *r, const int64_t *sgroups,
                        size_t nsgroups, int64_t *id, wb_error *err);
/* Removes a server, its sharing-group links and its origin records;
 * WB_ENOTFOUND. */
int wb_store_server_remove(wb_store *s, const char *name, wb_error *err);
/* By name (org_id 0), or every server whose organisation is org_id. */
int wb_store_server_find(wb_store *s, const char *name, int64_t org_id, wb_sync_server_cb cb,
                         void *ud, wb_error *err);
int wb_store_server_list(wb_store *s, wb_sync_server_cb cb, void *ud, wb_error *err);
/* Records progress: the pull or push cursor, the time and a result line. */
int wb_store_server_progress(wb_store *s, int64_t id, bool push, int64_t cursor, int64_t at,
                             const char *result, wb_error *err);
/* Whether sharing group sg_id lists server server_id. */
bool wb_store_server_in_sgroup(wb_store *s, int64_t sg_id, int64_t server_id);
/* Where an event was last received from by sync, and with which timestamp. */
int wb_store_sync_origin_set(wb_store *s, const char *event_uuid, int64_t server_id, int64_t ts,
                             wb_error *err);
/* WB_ENOTFOUND when the event did not come by sync. */
int wb_store_sync_origin_get(wb_store *s, const char *event_uuid, int64_t *server_id, int64_t *ts,
                             wb_error *err);
/* The uuid of the event with row id `id` (MISP's numeric event ids). */
int wb_store_event_uuid_of(wb_store *s, int64_t id, char uuid[WB_UUID_LEN + 1], wb_error *err);
/* The id of the event with that uuid (0 when none). */
int wb_store_event_id_of(wb_store *s, const char *uuid, int64_t *id, wb_error *err);
/* The organisation with that uuid; WB_ENOTFOUND. */
int wb_store_org_by_uuid(wb_store *s, const char *uuid, int64_t *id, wb_error *err);
/* An organisation (kind other) or a sharing group with a given uuid, as
 * another hub names it. WB_EINVAL when the name or uuid exists. */
int wb_store_org_add_uuid(wb_store *s, const char *uuid, const char *name, int64_t *id,
                          wb_error *err);
int wb_store_sgroup_add_uuid(wb_store *s, const char *uuid, const char *name, const int64_t *orgs,
                             size_t norgs, int64_t *id, wb_error *err);

/* ---- sightings by sync (migration 16, sqlite_sync.c) ---------------------------- */

/* A sighting record with what sync needs to judge and send it. */
typedef struct wb_sync_sighting_rec {
    int64_t id;
    const char *uuid;
    int64_t attribute_id;
    const char *attribute_uuid;
    int64_t event_id;
    const char *event_uuid;
    int64_t org_id;
    const char *org_name, *org_uuid;
    int type; /* 0 seen, 1 false positive, 2 expiration */
    const char *source;
    int64_t date_sighting, count, first_seen;
    int64_t seq;       /* sighting change number of its last write */
    int64_t changed;   /* Unix seconds of its last write */
    int64_t server_id; /* the server it came from; 0 when reported here */
    wb_tlp attr_tlp;   /* the attribute's own TLP and audience */
    int attr_distribution;
    int64_t attr_sharing_group;
} wb_sync_sighting_rec;
typedef int (*wb_sync_sighting_cb)(void *ud, const wb_sync_sighting_rec *r);

/* Sightings of event event_id (0: of every event) whose change number is
 * after `after`, deleted attributes and events left out, in change order
 * (by_event: in event id order), at most limit rows (0: all). */
int wb_store_sync_sightings(wb_store *s, int64_t event_id, int64_t after, size_t limit,
                            bool by_event, wb_sync_sighting_cb cb, void *ud, wb_error *err);
/* Stores a sighting record that arrived by sync from server_id by its
 * uuid (r->uuid, attribute_id, org_id, type, source, date_sighting, count,
 * first_seen): a new record, or the one of that uuid widened (the larger
 * count and date_sighting, the earlier first_seen), so that a record seen
 * again changes nothing. *how: 0 unchanged, 1 added, 2 updated. WB_EINVAL
 * when the uuid is a sighting of another attribute. */
int wb_store_sync_sighting_put(wb_store *s, const wb_sighting_rec *r, int64_t server_id, int *how,
                               wb_error *err);
/* A server's sighting cursor: push (a local sighting change number) or
 * pull (a remote sighting_timestamp). */
int wb_store_server_sighting_cursor(wb_store *s, int64_t id, bool push, int64_t cursor,
                                    wb_error *err);
/* The events last received from server_id and not deleted here, with
 * their timestamps (deletions on pull). */
typedef int (*wb_sync_origin_cb)(void *ud, const char *event_uuid, int64_t timestamp);
int wb_store_sync_origin_events(wb_store *s, int64_t server_id, wb_sync_origin_cb cb, void *ud,
                                wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
