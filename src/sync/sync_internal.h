/*
 * sync_internal.h - what the files of the sync module share: rules.c (the
 * rules and the index parser), ingest.c (storing an event that arrived),
 * render.c (an event as it may leave), run.c (pull and push over HTTP),
 * server.c (the servers) and serve.c (the MISP routes' index and view).
 *
 * The event parser is still the hub's (src/hub/event.c, moving to the
 * share service); this module reaches it through hub_internal.h until then.
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
