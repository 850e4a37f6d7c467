/*
 * vulnsvc.h - the hub's vulnerability scan service (src/vuln/scansvc.c):
 * an organisation uploads an SBOM or a package list, the library's scanner
 * (vulnscan.h) matches it against the hub's advisories, and the findings
 * are stored for the organisation in the order `weerbaar vuln scan` gives
 * them. A scan is private to its organisation unless an admin of it shares
 * it with the CSIRT its sector routes to, as assessments are (the same
 * policy, wb_policy_assessment); a site admin reads with an audit entry.
 */
#ifndef WEERBAAR_VULNSVC_H
#define WEERBAAR_VULNSVC_H

#include "weerbaar/hub.h"
#include "weerbaar/store_vulnscan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The advisories a hub scans against, loaded once (immutable, shared by
 * threads). */
typedef struct wb_vscan_db wb_vscan_db;

/* path: a directory `weerbaar vuln fetch` keeps (its CSAF and OSV sources,
 * KEV and EPSS), or what `vuln scan --advisories` takes (a file, directory
 * or index). Errors name the path. */
int wb_vscan_db_open(wb_vscan_db **out, const char *path, wb_error *err);
/* Counted references: a hub swaps in new advisories while scans still use
 * the old ones. ref adds one; free drops one and frees at none. */
void wb_vscan_db_ref(wb_vscan_db *db);
void wb_vscan_db_free(wb_vscan_db *db);

/* `vuln fetch` on a schedule (src/vuln/scanfetch.c): every `seconds`,
 * a thread brings every source already fetched into dir up to date (as
 * `weerbaar vuln fetch --dir DIR` without --source does, under the same
 * lock) and, when a file changed, reads the advisories again and hands
 * them to reload (which takes the reference). Lines for the log go to
 * log. libcurl must be initialised (wb_hub_global_init). */
typedef struct wb_vscan_fetcher wb_vscan_fetcher;
typedef void (*wb_vscan_reload_fn)(void *ud, wb_vscan_db *db);
int wb_vscan_fetcher_start(wb_vscan_fetcher **out, const char *dir, unsigned seconds,
                           wb_vscan_reload_fn reload, void *reload_ud,
                           void (*log)(void *ud, const char *msg), void *log_ud, wb_error *err);
/* Stops the thread (an HTTP transfer under way is waited for) and frees
 * it; NULL is fine. */
void wb_vscan_fetcher_stop(wb_vscan_fetcher *f);

/* Who asks. */
typedef struct wb_vscan_actor {
    const wb_principal *who;
    const char *user;     /* e-mail, for the audit log */
    const char *org_name; /* the caller's organisation */
} wb_vscan_actor;

/* Scans the inventory in file `path` (format detected) for the caller's
 * organisation, named `name`, and stores it: *id. WB_EPARSE (err names
 * the input by `name`) when it is not an inventory. */
int wb_vscan_submit(wb_store *st, const wb_vscan_db *db, const wb_vscan_actor *a, const char *name,
                    const char *path, wb_time now, int64_t *id, wb_error *err);
/* One scan with its findings, when the caller may read it: else
 * WB_ENOTFOUND (as for one that does not exist). */
int wb_vscan_read(wb_store *st, const wb_vscan_actor *a, int64_t id, wb_vscan_cb cb, void *ud,
                  wb_error *err);
/* The scans the caller may read, newest first, without findings. */
int wb_vscan_list(wb_store *st, const wb_vscan_actor *a, wb_vscan_cb cb, void *ud, wb_error *err);
/* Shares with (or withdraws from) the routed CSIRT: WB_ENOTFOUND for a
 * scan the caller cannot see, WB_EINVAL when the caller may see but not
 * share it (only its organisation's admins may). */
int wb_vscan_share(wb_store *st, const wb_vscan_actor *a, int64_t id, bool shared, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
