/*
 * sync_internal.h - what the files of the sync module share: rules.c (the
 * rules and the index parser), ingest.c (storing an event that arrived),
 * render.c (an event as it may leave), run.c (pull and push over HTTP),
 * server.c (the servers) and serve.c (the MISP routes' index and view).
 *
 * The event parser, the policy's view of a row and the tag helpers are the
 * share service's (src/share/share_internal.h): an event that arrives by
 * sync is validated exactly as one posted to the API. Storing keeps what
 * the share service's add does not (the uuid's owner, the timestamp,
 * Orgc), so ingest.c writes through the store itself, in the same
 * transaction as its audit entry.
 */
#ifndef WB_SYNC_INTERNAL_H
#define WB_SYNC_INTERNAL_H

#include <jansson.h>

#include "weerbaar/store.h"
#include "weerbaar/sync.h"

#define WB_SYNC_UUID_LEN 36

int wbi_sync_ts(const json_t *v, int64_t *out);
bool wbi_sync_depth_ok(const char *s, size_t n, unsigned max);

/* The strictest tlp: tag of obj's Tag array and of its link_key array
 * ([{"Tag": {...}}]); WB_TLP_UNSET when it has none. */
wb_tlp wbi_sync_tags_tlp(const json_t *obj, const char *link_key);

/* {"Event": {...}} of stored event ev as it may go to server server_id
 * (and, when p is not NULL, as p may read it): the attributes that may
 * leave, Orgc and Org, its sharing group by uuid. NULL with *err set. */
json_t *wbi_sync_render(wb_store *st, const wb_principal *p, int64_t server_id,
                        const wb_event_rec *ev, wb_error *err);

/* The sharing group of a stored item may go to server_id. */
bool wbi_sync_item_leaves(wb_store *st, wb_tlp tlp, int dist, int64_t sg, int64_t server_id);

/* wb_sync_ingest inside the caller's transaction (pull's batches): *undone
 * is set when a write failed and was rolled back, which rolls back the
 * caller's transaction too (the store's transactions nest). */
int wbi_sync_ingest(wb_store *st, int64_t server_id, const char *user, const char *org,
                    const char *body, size_t len, unsigned max_depth, size_t max_attributes,
                    wb_sync_outcome *oc, char *uuid_out, char *reason, size_t cap, bool *undone,
                    wb_error *err);

/* A stored event copied out of the store's walk. */
typedef struct wbi_sync_event {
    wb_event_rec ev;
    char *uuid, *org_name, *org_uuid, *info, *date, *json;
    bool found;
} wbi_sync_event;
/* WB_ENOTFOUND; free with wbi_sync_event_free (also after a failure). */
int wbi_sync_event_get(wb_store *st, const char *uuid, wbi_sync_event *o, wb_error *err);
void wbi_sync_event_free(wbi_sync_event *o);

/* MISP's server rules: {"tags": {"OR": [...], "NOT": [...]}, "orgs":
 * {...}} (names; orgs by Orgc name or uuid). check: 0 or WB_EINVAL;
 * pass: whether event (MISP's document) may travel; rules NULL passes. */
#define WBI_SYNC_MAX_RULE_NAMES 256
int wbi_sync_rules_check(const char *text, wb_error *err);
bool wbi_sync_rules_pass(const json_t *rules, const json_t *event);

#endif
