/*
 * store_internal.h - what a storage back end implements: const tables of
 * operations that the public wb_store_* functions (store.c, audit.c,
 * backup.c) dispatch to.
 *
 * The operations are split by domain, one table each, so that a back end
 * can be written (or moved to another database) one domain at a time:
 *   wbi_store_ops           the connection: close, transactions, schema
 *   wbi_store_accounts_ops  organisations, users, API keys, sharing groups
 *   wbi_store_events_ops    events, attributes, tags, sightings,
 *                           warninglists, the change feed
 *   wbi_store_register_ops  incidents, reports, actions, routes, shares
 *   wbi_store_hooks_ops     webhooks, deliveries, incident events
 *   wbi_store_assess_ops    assessments, their versions and shares
 *   wbi_store_deps_ops      dependency pictures and their shares
 *   wbi_store_audit_ops     the audit log, its chain and archives
 * docs/internals.md says how a domain's back end is added.
 *
 * A back end allocates its own connection struct with `wb_store base` as
 * its first member, fills base.ops, one table pointer per domain and
 * base.secret at open, and casts back in each operation. Key hashing, UUIDs
 * and name tables are back-end independent and live in store.c.
 */
#ifndef WB_STORE_INTERNAL_H
#define WB_STORE_INTERNAL_H

#include "store/db.h"
#include "weerbaar/store.h"
#include "weerbaar/store_vulnscan.h"
#include "weerbaar/store_web.h"

/* The connection: lifetime, transactions, schema, caches. */
typedef struct wbi_store_ops {
    const char *name;
    void (*close)(wb_store *s);
    int (*schema_version)(wb_store *s);
    int (*begin)(wb_store *s, wb_error *err);
    int (*commit)(wb_store *s, wb_error *err);
    void (*rollback)(wb_store *s);
    int (*cache_size)(wb_store *s, size_t bytes, wb_error *err);
    void (*read_begin)(wb_store *s);
    int (*read_end)(wb_store *s, wb_error *err);
    int (*schema_check)(wb_store *s, int64_t *in_db, int *known, wb_error *err);
} wbi_store_ops;

/* Organisations, users, API keys, sharing groups. */
typedef struct wbi_store_accounts_ops {
    int (*org_add)(wb_store *s, const char *uuid, const char *name, wb_org_kind kind,
                   const char *sector, const char *kvk, int64_t *id, wb_error *err);
    int (*org_find)(wb_store *s, int64_t id, const char *name, wb_org_cb cb, void *ud,
                    wb_error *err);
    int (*org_list)(wb_store *s, wb_org_cb cb, void *ud, wb_error *err);
    int (*user_add)(wb_store *s, const char *email, int64_t org_id, wb_role role, int64_t *id,
                    wb_error *err);
    int (*user_find)(wb_store *s, const char *email, wb_user_cb cb, void *ud, wb_error *err);
    int (*user_list)(wb_store *s, wb_user_cb cb, void *ud, wb_error *err);
    int (*key_add)(wb_store *s, int64_t user_id, const uint8_t hash[WB_KEY_HASH_LEN], int64_t *id,
                   wb_error *err);
    int (*key_revoke)(wb_store *s, int64_t key_id, int64_t user_id, int64_t *n, wb_error *err);
    int (*key_list)(wb_store *s, wb_apikey_cb cb, void *ud, wb_error *err);
    /* Fills out and the stored hash (for the constant-time check). */
    int (*key_by_hash)(wb_store *s, const uint8_t hash[WB_KEY_HASH_LEN], wb_keyowner *out,
                       uint8_t stored[WB_KEY_HASH_LEN], wb_error *err);
    int (*sgroup_add)(wb_store *s, const char *uuid, const char *name, const int64_t *orgs,
                      size_t norgs, int64_t *id, wb_error *err);
    int (*sgroup_find)(wb_store *s, int64_t id, const char *key, wb_sgroup_cb cb, void *ud,
                       wb_error *err);
    int (*sgroup_list)(wb_store *s, wb_sgroup_cb cb, void *ud, wb_error *err);
    int (*org_sgroups)(wb_store *s, int64_t org_id, int64_t *ids, size_t max, size_t *n,
                       wb_error *err);
    bool (*sgroup_has_org)(wb_store *s, int64_t sg_id, int64_t org_id);
} wbi_store_accounts_ops;

/* Events, attributes, tags, sightings, warninglists, the change feed (migration 3). */
typedef struct wbi_store_events_ops {
    int (*event_put)(wb_store *s, const wb_event_rec *ev, const char *const *tags, size_t ntags,
                     const wb_attr_rec *attrs, size_t nattrs, bool replace, int64_t *id,
                     wb_error *err);
    int (*event_get)(wb_store *s, const char *uuid, wb_event_cb cb, void *ud, wb_error *err);
    int (*event_list)(wb_store *s, const wb_event_filter *f, wb_event_cb cb, void *ud,
                      wb_error *err);
    int (*event_flag)(wb_store *s, int64_t id, bool published, bool deleted, int64_t ts,
                      wb_error *err);
    int (*attr_list)(wb_store *s, int64_t event_id, wb_attr_cb cb, void *ud, wb_error *err);
    int (*attr_lookup)(wb_store *s, wb_ioc_type kind, const char *norm, wb_attr_cb cb, void *ud,
                       wb_error *err);
    int (*attr_get)(wb_store *s, const char *uuid, wb_attr_cb cb, void *ud, wb_error *err);
    int (*sighting_record)(wb_store *s, const wb_sighting_rec *r, int64_t gap, int64_t *id,
                           bool *merged, wb_error *err);
    int (*sighting_claim)(wb_store *s, int64_t org_id, const char *uuid, bool *first,
                          wb_error *err);
    int (*sighting_list)(wb_store *s, int64_t event_id, wb_sighting_cb cb, void *ud, wb_error *err);
    int (*sighting_query)(wb_store *s, const wb_sighting_filter *f, wb_sighting_row_cb cb, void *ud,
                          wb_error *err);
    int (*sighting_one)(wb_store *s, int64_t id, const char *uuid, wb_sighting_row_cb cb, void *ud,
                        wb_error *err);
    int (*sighting_delete)(wb_store *s, int64_t id, wb_error *err);
    int (*event_changes)(wb_store *s, int64_t after, wb_event_cb cb, void *ud, wb_error *err);
    int (*event_version_at)(wb_store *s, int64_t event_id, int64_t seq, wb_event_rec *out,
                            wb_error *err);
    int (*cidr_prefixes)(wb_store *s, wb_prefix_set *out, wb_error *err);
    int (*warninglist_put)(wb_store *s, const char *name, const char *json, wb_error *err);
    int (*warninglist_list)(wb_store *s, wb_warninglist_cb cb, void *ud, wb_error *err);
    int (*warninglist_gen)(wb_store *s, int64_t *count, int64_t *latest, wb_error *err);
    int (*attr_key_walk)(wb_store *s, wb_attr_key_cb cb, void *ud, wb_error *err);
    int (*attr_warn)(wb_store *s, int64_t attr_id, int64_t event_id, const char *list, int64_t now,
                     wb_error *err);
    int (*event_seq_max)(wb_store *s, int64_t *out, wb_error *err);
} wbi_store_events_ops;

/* The incident register: incidents, reports, CSIRT actions, routes, incident shares (migration 7).
 */
typedef struct wbi_store_register_ops {
    int (*incident_add)(wb_store *s, const wb_incident_rec *r, int64_t *id, wb_error *err);
    int (*incident_find)(wb_store *s, int64_t id, wb_incident_cb cb, void *ud, wb_error *err);
    int (*incident_status)(wb_store *s, int64_t id, wb_incident_status st, wb_time handled_at,
                           wb_error *err);
    int (*ireport_add)(wb_store *s, const wb_incident_report_rec *r, int64_t *id, wb_error *err);
    int (*ireport_list)(wb_store *s, int64_t incident_id, wb_incident_report_cb cb, void *ud,
                        wb_error *err);
    int (*iaction_add)(wb_store *s, const wb_incident_action_rec *a, int64_t *id, wb_error *err);
    int (*iaction_list)(wb_store *s, int64_t incident_id, wb_incident_action_cb cb, void *ud,
                        wb_error *err);
    int (*route_set)(wb_store *s, const char *sector, int64_t csirt_id, int64_t supervisor_id,
                     wb_error *err);
    /* sector NULL: every route; else the sector's own, then "*". */
    int (*route_find)(wb_store *s, const char *sector, bool all, wb_route_cb cb, void *ud,
                      wb_error *err);
    int (*ishare_add)(wb_store *s, const wb_incident_share_rec *r, int64_t *id, wb_error *err);
    int (*ishare_find)(wb_store *s, int64_t id, int64_t incident_id, const char *key,
                       wb_incident_share_cb cb, void *ud, wb_error *err);
    int (*ishare_list)(wb_store *s, int64_t org_id, const char *status, wb_incident_share_cb cb,
                       void *ud, wb_error *err);
    int (*ishare_decide)(wb_store *s, int64_t id, const char *status, const char *event_uuid,
                         const char *by, wb_time at, wb_error *err);
} wbi_store_register_ops;

/* Webhooks, their deliveries, incident events (migration 4). */
typedef struct wbi_store_hooks_ops {
    /* lang: "nl" or "en" (migration 18); NULL for "nl". */
    int (*hook_add)(wb_store *s, int64_t org_id, const char *url, const char *secret,
                    const char *lang, int64_t *id, wb_error *err);
    int (*hook_remove)(wb_store *s, int64_t id, wb_time now, wb_error *err);
    int (*hook_list)(wb_store *s, int64_t org_id, bool include_removed, wb_hook_cb cb, void *ud,
                     wb_error *err);
    int (*delivery_add)(wb_store *s, const wb_delivery_rec *d, bool *added, wb_error *err);
    /* hook_id < 0: pending ones due at `now` (at most limit); else a list. */
    int (*delivery_walk)(wb_store *s, int64_t hook_id, wb_time now, int64_t limit,
                         wb_delivery_cb cb, void *ud, wb_error *err);
    int (*delivery_update)(wb_store *s, const wb_delivery_rec *d, wb_error *err);
    int (*ievent_add)(wb_store *s, const wb_incident_event_rec *e, wb_error *err);
    int (*ievent_list)(wb_store *s, int64_t incident_id, wb_incident_event_cb cb, void *ud,
                       wb_error *err);
} wbi_store_hooks_ops;

/* Assessments, their versions and shares (migration 5). */
typedef struct wbi_store_assess_ops {
    int (*assessment_add)(wb_store *s, const wb_assessment_rec *r, int64_t *id, wb_error *err);
    /* id > 0: that one; else every assessment of org_id (0: all). */
    int (*assessment_find)(wb_store *s, int64_t id, int64_t org_id, wb_assessment_cb cb, void *ud,
                           wb_error *err);
    int (*aversion_add)(wb_store *s, const wb_assessment_version_rec *v, int *version,
                        wb_error *err);
    /* version 0: the newest; list: every version without json. */
    int (*aversion_find)(wb_store *s, int64_t assessment_id, int version, bool list,
                         wb_assessment_version_cb cb, void *ud, wb_error *err);
    int (*ashare_add)(wb_store *s, const wb_assessment_share_rec *r, wb_error *err);
    int (*ashare_list)(wb_store *s, int64_t assessment_id, wb_assessment_share_cb cb, void *ud,
                       wb_error *err);
} wbi_store_assess_ops;

/* Dependency pictures and their shares (migration 8). */
typedef struct wbi_store_deps_ops {
    /* dependency pictures (migration 8); dpic_list: the newest of each */
    int (*dpic_add)(wb_store *s, const wb_deps_picture_rec *r, int *version, wb_error *err);
    int (*dpic_list)(wb_store *s, int64_t org_id, wb_deps_picture_cb cb, void *ud, wb_error *err);
    int (*dshare_add)(wb_store *s, const wb_deps_share_rec *r, wb_error *err);
} wbi_store_deps_ops;

/* The audit log, its hash chain and archives (migration 6). */
typedef struct wbi_store_audit_ops {
    int (*audit_add)(wb_store *s, const wb_audit_rec *a, wb_error *err);
    int (*audit_list)(wb_store *s, wb_time since, int64_t offset, int64_t limit, wb_audit_cb cb,
                      void *ud, wb_error *err);
    int (*audit_walk)(wb_store *s, int64_t upto_id, wb_audit_cb cb, void *ud, wb_error *err);
    /* archive (upto_id, hash) records: the newest only, or every one when all */
    int (*audit_anchor)(wb_store *s, bool all,
                        int (*cb)(void *ud, int64_t upto_id, const uint8_t *hash), void *ud,
                        wb_error *err);
    /* In the caller's transaction: records the archive and removes the
     * entries with id <= upto_id. */
    int (*audit_archive)(wb_store *s, int64_t upto_id, const uint8_t *hash, int64_t rows,
                         wb_time before, const char *file, wb_error *err);
} wbi_store_audit_ops;

/* The web sign-in domain (migration 11; store_web.h), a table of its own. */
typedef struct wbi_store_web_ops {
    int (*user)(wb_store *s, const char *email, int64_t user_id, wb_web_user *out, wb_error *err);
    int (*password_set)(wb_store *s, int64_t user_id, const char *hash, wb_error *err);
    int (*totp_set)(wb_store *s, int64_t user_id, const uint8_t *secret, bool on, wb_error *err);
    int (*totp_use)(wb_store *s, int64_t user_id, int64_t step, wb_error *err);
    int (*recovery_set)(wb_store *s, int64_t user_id, const uint8_t (*hashes)[WB_WEB_HASH_LEN],
                        size_t n, wb_error *err);
    int (*recovery_use)(wb_store *s, int64_t user_id, const uint8_t *hash, wb_time now,
                        wb_error *err);
    int (*session_add)(wb_store *s, const uint8_t *hash, const wb_web_session *r, int64_t *id,
                       wb_error *err);
    int (*session_get)(wb_store *s, const uint8_t *hash, wb_web_session *out, wb_error *err);
    int (*session_revoke)(wb_store *s, int64_t id, int64_t user_id, wb_time now, int64_t *n,
                          wb_error *err);
    int (*session_totp_done)(wb_store *s, int64_t id, wb_error *err);
    int (*session_touch)(wb_store *s, int64_t id, wb_time now, wb_error *err);
    int (*session_prune)(wb_store *s, wb_time before, wb_error *err);
    int (*link_add)(wb_store *s, const uint8_t *hash, int64_t user_id, wb_time now, wb_time expires,
                    wb_error *err);
    int (*link_use)(wb_store *s, const uint8_t *hash, wb_time now, int64_t *user_id, wb_error *err);
} wbi_store_web_ops;

/* The accounts domain's administration (migration 9; sqlite_admin.c):
 * changing and removing organisations and users, key expiry and last use,
 * sharing-group names and members, the filtered audit read. */
typedef struct wbi_store_admin_ops {
    int (*org_update)(wb_store *s, int64_t id, const char *name, const wb_org_kind *kind,
                      const char *sector, const char *kvk, int disabled, wb_error *err);
    int (*org_holdings)(wb_store *s, int64_t id, wb_holding_cb cb, void *ud, wb_error *err);
    int (*org_remove)(wb_store *s, int64_t id, int64_t transfer_to, wb_error *err);
    int (*user_update)(wb_store *s, int64_t id, int64_t org_id, const wb_role *role, int disabled,
                       wb_error *err);
    int (*user_remove)(wb_store *s, int64_t id, wb_error *err);
    int (*key_set)(wb_store *s, int64_t id, wb_time expires, const char *comment, wb_error *err);
    int (*key_touch)(wb_store *s, int64_t id, wb_time day, wb_error *err);
    int (*sgroup_rename)(wb_store *s, int64_t id, const char *name, wb_error *err);
    int (*sgroup_member)(wb_store *s, int64_t sg_id, int64_t org_id, bool add, bool *changed,
                         wb_error *err);
    int (*sgroup_touch)(wb_store *s, int64_t sg_id, int64_t *n, wb_error *err);
    int (*sgroup_removed_since)(wb_store *s, int64_t org_id, int64_t after, int64_t *ids,
                                size_t max, size_t *n, wb_error *err);
    int (*audit_query)(wb_store *s, const wb_audit_filter *f, wb_audit_cb cb, void *ud,
                       wb_error *err);
} wbi_store_admin_ops;
/* The hub's vulnerability scans (migration 12; store_vulnscan.h). */
typedef struct wbi_store_vscan_ops {
    int (*add)(wb_store *s, const wb_vscan_rec *r, int64_t *id, wb_error *err);
    int (*get)(wb_store *s, int64_t id, wb_vscan_cb cb, void *ud, wb_error *err);
    int (*list)(wb_store *s, int64_t org_id, wb_vscan_cb cb, void *ud, wb_error *err);
    int (*share)(wb_store *s, int64_t id, bool shared, wb_error *err);
} wbi_store_vscan_ops;

struct wb_store {
    const wbi_store_ops *ops;
    const wbi_store_accounts_ops *accounts;
    const wbi_store_admin_ops *admin;
    const wbi_store_events_ops *events;
    const wbi_store_register_ops *reg; /* `register` is a keyword */
    const wbi_store_hooks_ops *hooks;
    const wbi_store_assess_ops *assess;
    const wbi_store_deps_ops *deps;
    const wbi_store_audit_ops *audit;
    const wbi_store_web_ops *web;
    const wbi_store_vscan_ops *vscan;
    /* Keys API keys' BLAKE2b hashes; created with the database, never leaves it. */
    uint8_t secret[WB_KEY_HASH_LEN];
};

/* What a statement that could not be prepared returns: the code its error
 * was set with (WB_ENOMEM when SQLite ran out of memory), WB_EIO when none
 * was set. */
static inline int wbi_store_prepare_failed(const wb_error *err)
{
    return err && err->code ? err->code : WB_EIO;
}

/* The PostgreSQL back end (pg.c): a postgres:// or postgresql:// URI. */
bool wbi_pg_url(const char *path);
int wbi_pg_open(wb_store **out, const char *url, wb_error *err);
/* The SQLite back end (sqlite.c, sqlite_<domain>.c). */
int wbi_sqlite_open(wb_store **out, const char *path, wb_error *err);
/* For the SQLite files that keep their statements outside the statement
 * caches (sqlite_web.c, sqlite_sync.c): the connection (NULL for another
 * back end), an error that names the database file and SQLite's reason,
 * and the file's path. */
wbi_db *wbi_sqlite_db(wb_store *s);
int wbi_sqlite_error(wb_store *s, wb_error *err, const char *what);
const char *wbi_sqlite_path(wb_store *s);
/* A statement for one use (the caller finalizes it); NULL with err set. */
wbi_stmt *wbi_sqlite_prep(wb_store *s, const char *sql, wb_error *err);
/* A failed one-use statement (constraint: WB_EINVAL with dup or the
 * database's message), finalized; and stepping one that returns no rows. */
int wbi_sqlite_fail(wb_store *s, wbi_stmt *st, const char *dup, wb_error *err);
int wbi_sqlite_run(wb_store *s, wbi_stmt *st, const char *dup, wb_error *err);
/* The web domain's operations and its migration (sqlite_web.c). */
extern const wbi_store_web_ops wbi_sqlite_web_ops;
/* The accounts domain's administration (sqlite_admin.c). */
extern const wbi_store_admin_ops wbi_sqlite_admin_ops;
extern const char wbi_sqlite_web_schema[];
extern const char wbi_sqlite_web_idle_schema[];
/* The vulnerability scans' operations and migration (sqlite_vulnscan.c). */
extern const wbi_store_vscan_ops wbi_sqlite_vscan_ops;
extern const char wbi_sqlite_vulnscan_schema[];
/* migration 14: galaxies and proposals (sqlite_misp.c) */
extern const char wbi_sqlite_misp_m14[];
/* The NATS publisher's migration (sqlite_nats.c). */
extern const char wbi_sqlite_nats_schema[];

#endif
