/*
 * accounts.h - the hub's accounts as one service for every front end:
 * organisations, users, API keys, sharing-group membership, the audit
 * log's reading, bulk import, and the authentication of a presented key.
 *
 * `weerbaar admin ... --db` (the local operator), `weerbaar admin ...
 * --hub URL --key KEY` and the hub's /api/v1/admin/... and MISP
 * admin/users, admin/organisations routes all call wb_acct_run, which
 * checks the actor's rights (a site admin everything; an organisation's
 * admin its own organisation's users and keys), validates, opens the
 * transaction, writes, audits as the actor and commits, and answers with
 * the JSON document the API sends, so every front end prints from the
 * same bytes. Checks that do not depend on who asks are the same for
 * every channel.
 *
 * The operations are a const table (wb_acct_ops): OBJECT ACTION, as the
 * command line names them ("org add", "user disable", "key list", ...).
 */
#ifndef WEERBAAR_ACCOUNTS_H
#define WEERBAAR_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/incidentsvc.h" /* wb_actor */
#include "weerbaar/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The arguments of an operation; NULL (0) when not given. Strings as the
 * user typed them: the service parses and checks them. */
typedef struct wb_acct_args {
    const char *target;      /* the object: organisation, e-mail, key id, group */
    const char *new_name;    /* rename: the new name */
    const char *kind;        /* organisation kind */
    const char *sector;      /* "" clears */
    const char *kvk;         /* "" clears */
    const char *org;         /* a user's organisation; a list's filter */
    const char *role;        /* a user's role */
    const char *orgs;        /* sharing groups: A,B,... */
    const char *transfer_to; /* org remove */
    const char *expires;     /* key add: RFC 3339 time or date, or "never" */
    const char *comment;     /* key add */
    const char *since;       /* audit list: RFC 3339 time or date */
    const char *action;      /* audit list: "user.add", or "user" for user.* */
    int64_t limit;           /* audit list: at most this many (default 100) */
    int64_t page;            /* audit list: 1, 2, ... */
    const char *uuid;        /* sharing-group add: the group's uuid on another hub (sync) */
} wb_acct_args;

/* One operation of the table. */
typedef struct wb_acct_op {
    const char *object;  /* "org", "user", "key", "sharing-group", "audit" */
    const char *action;  /* "add", "list", ... */
    bool takes_target;   /* wants args->target */
    bool write;          /* writes (POST on the API), else reads (GET) */
    bool org_admin;      /* an org admin may call it (for their organisation) */
    const char *summary; /* for help texts */
} wb_acct_op;

/* The table, ended by an entry with object NULL. */
extern const wb_acct_op wb_acct_ops[];
/* The operation OBJECT ACTION, or NULL. */
const wb_acct_op *wb_acct_op_find(const char *object, const char *action);

/* Opens (and migrates) a hub database for a local command; close with
 * wb_acct_close. The front ends open it through these and never call the
 * store themselves. */
int wb_acct_open(wb_store **s, const char *path, wb_error *err);
void wb_acct_close(wb_store *s);

/* Runs an operation as `who`. On success *out holds the answer: a JSON
 * object for a write ({"message": "...", and the record}), a JSON array
 * of rows for a list. A refusal because of the actor's rights returns
 * WB_EINVAL with *forbidden set (the API answers 403); otherwise WB_EINVAL
 * for bad input (422), WB_ENOTFOUND for an unknown target (404). */
int wb_acct_run(wb_store *s, const wb_actor *who, const wb_acct_op *op, const wb_acct_args *a,
                wb_time now, wb_buf *out, bool *forbidden, wb_error *err);

/* ---- bulk import -------------------------------------------------------------- */

/* The most rows (CSV) or entries (JSON) one import file may hold. */
#define WB_ACCT_IMPORT_MAX_ROWS 100000

/* One organisation or user as a file names it; line is the CSV line (or
 * the 1-based index in the JSON array) for error messages. */
typedef struct wb_acct_import_row {
    const char *org, *kind, *sector, *kvk; /* org set on every row */
    const char *email, *role;              /* NULL: the row is an organisation only */
    size_t line;
    const char *path; /* JSON: "$.users[3]"; CSV: NULL */
} wb_acct_import_row;

/* A parsed import file: rows point into the document (freed together). */
typedef struct wb_acct_import wb_acct_import;

/* Parses an import file's bytes: CSV with a header line naming its
 * columns (organisation, kind, sector, kvk, email, role; any order; only
 * organisation is required), or JSON {"organisations": [{"name", "kind",
 * "sector", "kvk"}], "users": [{"email", "organisation", "role"}]}
 * (detected from the first byte). Every problem is reported through
 * `problem` as "FILE:LINE: message" (JSON: "FILE: $.users[2]: role:
 * message") and counted (wb_acct_import_problems), and the parse goes on;
 * wb_acct_import_apply then reports the problems that need the database
 * and refuses a file with any. Returns 0, WB_ELIMIT or WB_ENOMEM. */
typedef void (*wb_acct_problem_cb)(void *ud, const char *msg);
int wb_acct_import_parse(const char *name, const char *data, size_t len, wb_acct_import **out,
                         wb_acct_problem_cb problem, void *ud, wb_error *err);
size_t wb_acct_import_count(const wb_acct_import *im);
size_t wb_acct_import_problems(const wb_acct_import *im);
void wb_acct_import_free(wb_acct_import *im);
/* Calls progress(ud, done, total) while wb_acct_import_apply writes:
 * organisations and users (records) written of how many. NULL: none. */
void wb_acct_import_on_progress(wb_acct_import *im,
                                void (*progress)(void *ud, size_t done, size_t total), void *ud);

/* Applies a parsed file as `who` (a site admin) in one transaction: every
 * organisation and user is created, or changed to what the file says, or
 * left alone when it already is so (a second run changes nothing). Any
 * row that cannot be applied is reported through `problem` and nothing is
 * written. *out gets {"message", "organisations": {"created", "changed",
 * "unchanged"}, "users": {...}}. */
int wb_acct_import_apply(wb_store *s, const wb_actor *who, const wb_acct_import *im, wb_time now,
                         wb_buf *out, bool *forbidden, wb_acct_problem_cb problem, void *ud,
                         wb_error *err);

/* ---- authentication ------------------------------------------------------------ */

typedef enum wb_key_state {
    WB_KEY_OK,
    WB_KEY_UNKNOWN,
    WB_KEY_REVOKED,
    WB_KEY_EXPIRED,
    WB_KEY_USER_DISABLED,
    WB_KEY_ORG_DISABLED
} wb_key_state;

/* The message a refused key's caller reads ("the API key expired at ..."
 * needs the owner: see wb_acct_key_refusal). */
const char *wb_key_state_name(wb_key_state st);
/* The 401 message for a refused key into buf. */
void wb_acct_key_refusal(wb_key_state st, const wb_keyowner *o, char *buf, size_t cap);

/* Looks a presented key up (wb_store_key_auth) and says whether it may be
 * used now: *state WB_KEY_OK, or why not. 0 unless the store failed (then
 * the error). An accepted key's last use is recorded when its stored day
 * is older than now's: at most one write per key per day, so the look-up
 * path stays a read; a failed record is not an authentication failure. */
int wb_acct_key_auth(wb_store *s, const char *key, size_t len, wb_time now, wb_keyowner *out,
                     wb_key_state *state, wb_error *err);

/* The sharing groups organisation org_id belongs to (a caller's
 * principal): up to max ids into ids, *n of them. */
int wb_acct_org_groups(wb_store *s, int64_t org_id, int64_t *ids, size_t max, size_t *n,
                       wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
