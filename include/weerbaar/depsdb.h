/*
 * depsdb.h - an organisation's aggregate picture of its digital
 * dependencies (what `deps map` found, minus everything that names a single
 * asset or address), kept in a store (store.h) as versions, shared with its
 * CSIRT or supervisor and revocable, and aggregated per sector with every
 * cell of fewer than k organisations suppressed, as assessments are
 * (assessdb.h).
 *
 * This is the one place where pictures are validated, written, audited and
 * aggregated, so that `weerbaar deps share --db`, `--hub` and the hub's
 * endpoints cannot disagree. Who may call what is the hub's policy; which
 * pictures a viewer aggregates (the sectors it serves, only shared
 * pictures) is part of what wb_depsdb_sectors computes.
 * docs/deps.md describes the picture and the view field by field.
 */
#ifndef WEERBAAR_DEPSDB_H
#define WEERBAAR_DEPSDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WB_DEPS_PICTURE_SCHEMA "weerbaar-deps-picture/1"
/* Rows a picture's lists may have (countries, providers, classes). */
#define WB_DEPS_PICTURE_MAX_ROWS 512
/* Longest provider name in a picture. */
#define WB_DEPS_PROVIDER_MAX 128
/* Longest `deps map --format json` report wb_deps_picture_from_map reads. */
#define WB_DEPS_MAP_JSON_MAX ((size_t)1 << 30)
/* The smallest number of organisations a sector cell aggregates by default. */
#define WB_DEPS_SECTOR_K_DEFAULT 3

/* Derives the aggregate picture from a `deps map --format json` report
 * (named `name` in messages) and writes it to out as compact canonical JSON:
 * shares by country and provider, the critical assets' dependencies leaving
 * the EU/EEA counted by country and provider, exposed devices counted by
 * class. No asset name, address, endpoint or host name is copied. WB_EPARSE
 * with the JSON path of what is wrong, WB_ELIMIT, WB_ENOMEM. */
int wb_deps_picture_from_map(const char *data, size_t len, const char *name, wb_buf *out,
                             wb_error *err);

/* Checks a picture strictly (only the documented members, each in range:
 * an unknown member is refused, so that nothing else can travel inside
 * one) and writes its canonical form to canon (may be NULL). WB_EPARSE
 * with the JSON path, WB_ELIMIT. This is what the hub runs on a request. */
int wb_deps_picture_check(const char *data, size_t len, const char *name, wb_buf *canon,
                          wb_error *err);

/* Stores picture (checked as above) as organisation org's next version
 * (*version gets it; may be NULL), records a share with `to` and writes the
 * audit entries, in one transaction. With shared false it records a
 * revocation instead and picture may be NULL. org is a name or uuid, or
 * org_id > 0 names it directly. WB_ENOTFOUND, WB_EPARSE, WB_ELIMIT. */
int wb_depsdb_share(wb_store *s, int64_t org_id, const char *org, const char *picture, size_t len,
                    wb_share_audience to, bool shared, const char *author, int *version,
                    wb_error *err);

/* The body of a share request (the hub's POST /api/v1/deps/pictures):
 * {"with": "csirt"|"supervisor", "shared": true|false, "picture": {...}},
 * picture required when shared and refused when not, nothing else. *to and
 * *shared get the first two; the picture, checked, goes to picture as
 * canonical JSON (empty when revoking). WB_EPARSE with the JSON path,
 * WB_ELIMIT. */
#define WB_DEPS_REQUEST_MAX (WB_DEPS_PICTURE_MAX + 4096)
int wb_depsdb_request_parse(const char *data, size_t len, wb_share_audience *to, bool *shared,
                            wb_buf *picture, wb_error *err);

/* The newest picture of organisation org_id with its sharing state as JSON
 * (docs/deps.md: organisation, sector, version, created, author,
 * shared_with, picture). WB_ENOTFOUND when it has none. */
int wb_depsdb_own_json(wb_store *s, int64_t org_id, wb_buf *out, wb_error *err);

/* The sector view as JSON (docs/deps.md) over the newest pictures shared
 * with `audience`: of every organisation when viewer is 0, else only of
 * organisations whose sector routes to viewer as that audience (its CSIRT
 * or its supervisor). A cell is published only when at least k (>= 2)
 * organisations give it a value; a country, provider or class appears only
 * when at least k organisations of the whole view have it; a total
 * aggregates only published cells. WB_EINVAL for k < 2. */
int wb_depsdb_sectors(wb_store *s, int64_t viewer, wb_share_audience audience, unsigned k,
                      wb_buf *out, wb_error *err);

/* ---- the service the front ends call (`deps --db`, the hub) ------------------------ */

/* Opens (and migrates) the store at path for a local command; close with
 * wb_depsdb_close. The front ends never call the store themselves. */
int wb_depsdb_open(wb_store **s, const char *path, wb_error *err);
void wb_depsdb_close(wb_store *s);

/* The id and kind of organisation `name` (a name or uuid). WB_ENOTFOUND. */
int wb_depsdb_org_find(wb_store *s, const char *name, int64_t *id, wb_org_kind *kind,
                       wb_error *err);
/* The kind of organisation id (the policy needs it). WB_ENOTFOUND. */
int wb_depsdb_org_kind(wb_store *s, int64_t id, wb_org_kind *kind, wb_error *err);

/* Writes the audit entry of a site admin's read of the sector view (as
 * `audience`) in a transaction of its own: the read is not answered
 * without it. */
int wb_depsdb_audit_sectors(wb_store *s, const char *user, const char *org,
                            wb_share_audience audience, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
