/*
 * sync_servers.h - the share service's writes for the sync module's own
 * bookkeeping (sync_servers.c): the servers a hub synchronises with (add,
 * remove), a run's progress and result, and the audit entries of a site
 * admin's reads of the sync index.
 *
 * The sync module (src/sync/) checks its own rules language and talks to
 * the other hub; these functions validate what they store, open the
 * transaction, write, audit as the actor and commit, so src/sync/ holds no
 * transaction of its own.
 */
#ifndef WB_SHARE_SYNC_SERVERS_H
#define WB_SHARE_SYNC_SERVERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/actor.h"
#include "weerbaar/error.h"
#include "weerbaar/store.h"
#include "weerbaar/sync.h"

/* Checks a server's URL (http:// or https://, at most 2000 bytes), key
 * (1-512 bytes, no spaces or control characters) and that it travels in
 * one direction at least. o->rules is the sync module's to check. */
int wbi_share_server_check(const wb_sync_server_opts *o, wb_error *err);

/* Adds server o (checked with wbi_share_server_check) in one transaction:
 * its sharing groups by name or uuid (WB_ENOTFOUND for an unknown one),
 * its organisation (created when missing, audited as "org.add"; then
 * *created_org), the server, audited as "server.add" by who. */
int wbi_share_server_add(wb_store *st, const wb_actor *who, const wb_sync_server_opts *o,
                         bool *created_org, wb_error *err);

/* Removes server name, audited as "server.remove" by who. */
int wbi_share_server_remove(wb_store *st, const wb_actor *who, const char *name, wb_error *err);

/* Records a run's progress on server (id, name): its pull or push cursor,
 * the time now and result as its last result; when audit, also an audit
 * entry "server.push" or "server.pull" by who with result as detail. */
int wbi_share_server_progress(wb_store *st, const wb_actor *who, int64_t id, const char *name,
                              bool push, int64_t cursor, const char *result, bool audit,
                              wb_error *err);

/* Audits n reads by who of the events uuids[0..n) (action "read.admin",
 * the same detail for each) in one transaction: all or none. */
int wbi_share_audit_reads(wb_store *st, const wb_actor *who, const char (*uuids)[WB_UUID_LEN + 1],
                          size_t n, const char *detail, wb_error *err);

#endif
