/*
 * admin.h - the hub database's operation as one service for the front
 * ends: a connection and its read snapshot, the schema's state, the audit
 * log's writing and its hash chain (verify, archive), where a sector's
 * incidents go (routes), the reminder webhooks, the warninglists' listing,
 * backup and restore, and the demo's accounts.
 *
 * `weerbaar admin ... --db` and the hub's router (src/hub/api.c,
 * ops_api.c, stream.c) call these and never the store: each write checks
 * its input, opens the transaction, writes, audits as the actor and
 * commits, so the rules live here once. Organisations, users and keys are
 * the accounts service's (accounts.h).
 */
#ifndef WEERBAAR_ADMIN_H
#define WEERBAAR_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/actor.h"
#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/hooks.h"
#include "weerbaar/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- a connection ------------------------------------------------------------ */

/* Opens (creating when missing, and migrating) the hub database at path;
 * errors name the path. Close with wb_admin_close (NULL is safe). */
int wb_admin_open(wb_store **s, const char *path, wb_error *err);
void wb_admin_close(wb_store *s);
/* One read snapshot over the calls in between (a request's reads see one
 * state); writes in between open their own transactions. read_end fails
 * only when committing a stray write failed (WB_EIO). */
void wb_admin_read_begin(wb_store *s);
int wb_admin_read_end(wb_store *s, wb_error *err);
/* The schema version the database was at when opened. */
int wb_admin_schema_version(wb_store *s);
/* The schema version stored now (*in_db) and the newest this build knows
 * (*known); a failed query is the error (the database is unreachable). */
int wb_admin_schema_check(wb_store *s, int64_t *in_db, int *known, wb_error *err);
/* The change feed's newest sequence number (0 for none). */
int wb_admin_feed_seq(wb_store *s, int64_t *seq, wb_error *err);

/* ---- the audit log ----------------------------------------------------------- */

/* Writes n entries in one transaction (nested in the caller's when one is
 * open): all or none. */
int wb_admin_audit_write(wb_store *s, const wb_audit_rec *recs, size_t n, wb_error *err);
/* Checks the chain in the table (wb_store_audit_verify): 0 with
 * out->bad_id 0 when it holds, 0 with the first bad entry's id (err says
 * why), or an error. */
int wb_admin_audit_verify(wb_store *s, wb_audit_check *out, wb_error *err);
/* Checks an archive file (wb_store_audit_verify_file). */
int wb_admin_audit_verify_file(wb_store *s, const char *path, wb_audit_check *out, wb_error *err);
/* Moves the entries older than `before` to the file at path, recorded as
 * an audit.archive entry of the actor (wb_store_audit_archive). */
int wb_admin_audit_archive(wb_store *s, const wb_actor *who, wb_time before, const char *path,
                           wb_audit_check *out, wb_error *err);

/* ---- routes ------------------------------------------------------------------ */

/* Every route, sector by sector. */
int wb_admin_route_list(wb_store *s, wb_route_cb cb, void *ud, wb_error *err);
/* Sets where the incidents of organisations in `sector` go (a NIS2 sector,
 * or "*" for every sector without a route of its own): the organisation
 * named csirt (of kind csirt) and, when not NULL, supervisor (of kind
 * supervisor). Audited as "route.set". WB_EINVAL for a sector or kind
 * that does not fit, WB_ENOTFOUND for an unknown organisation; the
 * message starts with "admin route add: " and names the option. */
int wb_admin_route_set(wb_store *s, const wb_actor *who, const char *sector, const char *csirt,
                       const char *supervisor, wb_error *err);

/* ---- reminder webhooks ------------------------------------------------------- */

/* The active hooks, of organisation `org` (a name) or of all (NULL). */
int wb_admin_hook_list(wb_store *s, const char *org, wb_hook_cb cb, void *ud, wb_error *err);
/* Every delivery, of hook `hook_id` or of all (0). */
int wb_admin_hook_deliveries(wb_store *s, int64_t hook_id, wb_delivery_cb cb, void *ud,
                             wb_error *err);
/* A receiver of organisation `org`'s reminders at url (checked by
 * wb_hook_url_check with the two allowances): *id and its new signing
 * secret, which is stored and shown only now. Audited as "hook.add". */
int wb_admin_hook_add(wb_store *s, const wb_actor *who, const char *org, const char *url,
                      bool allow_insecure, bool allow_private, int64_t *id,
                      char secret[WB_HOOK_SECRET_LEN + 1], wb_error *err);
/* An e-mail recipient of organisation `org`'s reminders (a hook whose URL
 * is mailto:address), writing in lang ("nl" or "en"; NULL: "nl"): *id.
 * Audited as "hook.add". */
int wb_admin_hook_add_mail(wb_store *s, const wb_actor *who, const char *org, const char *address,
                           const char *lang, int64_t *id, wb_error *err);
/* Stops hook id and cancels its pending deliveries; audited as
 * "hook.remove" with `object` (the id as the caller wrote it; NULL: the
 * id in decimal). */
int wb_admin_hook_remove(wb_store *s, const wb_actor *who, int64_t id, const char *object,
                         wb_error *err);

/* ---- warninglists ------------------------------------------------------------ */

/* The stored warninglists (their documents in w->json). */
int wb_admin_warninglist_list(wb_store *s, wb_warninglist_cb cb, void *ud, wb_error *err);

/* ---- backup and restore ------------------------------------------------------ */

/* A consistent, integrity-checked copy of the database at db (open by a
 * running hub or not) written to out (wb_store_backup). */
int wb_admin_backup(const char *db, const char *out, wb_error *err);
/* Replaces db with a checked backup; WB_EINVAL, db untouched, when a
 * process has db open and force is false (wb_store_restore). */
int wb_admin_restore(const char *file, const char *db, bool force, wb_error *err);

/* ---- the demo ---------------------------------------------------------------- */

/* The demo's users (wb_admin_demo_accounts). */
#define WB_ADMIN_DEMO_USERS 6

typedef struct wb_admin_demo_user {
    const char *email, *org; /* static strings */
    wb_role role;
    char key[WB_KEY_TEXT_LEN + 1]; /* its new API key, shown only now */
} wb_admin_demo_user;

typedef struct wb_admin_demo {
    wb_admin_demo_user users[WB_ADMIN_DEMO_USERS];
    char sgroup_uuid[WB_UUID_LEN + 1]; /* the demo sharing group's */
} wb_admin_demo;

/* The demo's accounts in an empty database, in one transaction audited as
 * "demo" by the actor: a national CSIRT and three member organisations, a
 * sharing group of three, users of every role with a key each, and a
 * warninglist of public resolvers. `db` names the database in messages and
 * the audit entry. WB_EINVAL when the database already holds
 * organisations. The events are the caller's to post (wb_hub_demo posts
 * them through the API as these users). */
int wb_admin_demo_accounts(wb_store *s, const wb_actor *who, const char *db, wb_admin_demo *out,
                           wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
