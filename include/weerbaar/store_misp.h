/*
 * store_misp.h - the store's MISP domain (migration 14): galaxies and
 * their clusters as MISP's galaxy JSON defines them, and proposals
 * (MISP's shadow attributes) waiting for the event's organisation. Also
 * the attribute look-up by MISP's numeric id. Only the share service
 * (src/share/galaxy.c, proposal.c, misp_write.c) calls these.
 *
 * Every function returns 0 or a negative WB_E* code with err filled;
 * WB_ENOTFOUND when the row asked for is not there. Strings handed to a
 * callback live until it returns. Writes run in the caller's transaction
 * when one is open.
 */
#ifndef WEERBAAR_STORE_MISP_H
#define WEERBAAR_STORE_MISP_H

#include "weerbaar/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A galaxy: MISP's definition (name, type, namespace, description, icon,
 * version) kept as its JSON; type is unique (the tag's namespace). */
typedef struct wb_galaxy_rec {
    int64_t id;
    const char *uuid;
    const char *type;
    const char *name;
    const char *json; /* {"name", "type", "namespace", "description", "icon", "version", ...} */
    int64_t clusters; /* filled on read: how many clusters it has */
} wb_galaxy_rec;

/* A cluster of a galaxy: its tag is misp-galaxy:TYPE="VALUE". */
typedef struct wb_cluster_rec {
    int64_t id;
    const char *uuid;
    int64_t galaxy_id;
    const char *value;
    const char *tag_name;
    const char *json; /* {"value", "description", "meta", "source", "authors", "version"} */
} wb_cluster_rec;

typedef int (*wb_galaxy_cb)(void *ud, const wb_galaxy_rec *g);
typedef int (*wb_cluster_cb)(void *ud, const wb_cluster_rec *c);

/* Adds a galaxy, or replaces the one with the same uuid or type (its id
 * and clusters stay). */
int wb_store_galaxy_put(wb_store *s, const wb_galaxy_rec *g, int64_t *id, wb_error *err);
/* Adds a cluster, or replaces the one with the same uuid or tag. */
int wb_store_cluster_put(wb_store *s, const wb_cluster_rec *c, wb_error *err);
/* Every galaxy in name order; one by id, uuid or type. */
int wb_store_galaxy_list(wb_store *s, wb_galaxy_cb cb, void *ud, wb_error *err);
int wb_store_galaxy_get(wb_store *s, const char *ref, wb_galaxy_cb cb, void *ud, wb_error *err);
/* The clusters of a galaxy in value order. */
int wb_store_cluster_list(wb_store *s, int64_t galaxy_id, wb_cluster_cb cb, void *ud,
                          wb_error *err);
/* One cluster by id or uuid, or by its tag name (by_tag). */
int wb_store_cluster_get(wb_store *s, const char *ref, bool by_tag, wb_cluster_cb cb, void *ud,
                         wb_error *err);

/* A proposal: a new attribute for an event (attribute_id 0), a change to
 * one, or its deletion, by another organisation than the event's. */
typedef enum wb_proposal_action {
    WB_PROPOSE_ADD,
    WB_PROPOSE_EDIT,
    WB_PROPOSE_DELETE
} wb_proposal_action;

typedef enum wb_proposal_state {
    WB_PROPOSAL_OPEN,
    WB_PROPOSAL_ACCEPTED,
    WB_PROPOSAL_DISCARDED
} wb_proposal_state;

typedef struct wb_proposal_rec {
    int64_t id;
    const char *uuid; /* made on insert when NULL */
    int64_t event_id;
    int64_t attribute_id; /* 0 for a new attribute */
    int64_t org_id;       /* who proposes */
    const char *org_name; /* filled on read */
    int64_t user_id;
    const char *email; /* filled on read; NULL when the user is gone */
    wb_proposal_action action;
    const char *json; /* the proposed attribute (MISP's shape) */
    wb_proposal_state state;
    int64_t created, decided; /* Unix seconds; decided 0 while open */
} wb_proposal_rec;

typedef int (*wb_proposal_cb)(void *ud, const wb_proposal_rec *p);

int wb_store_proposal_add(wb_store *s, const wb_proposal_rec *p, int64_t *id, wb_error *err);
int wb_store_proposal_get(wb_store *s, int64_t id, wb_proposal_cb cb, void *ud, wb_error *err);
/* The open proposals (of one event when event_id is not 0), in id order. */
int wb_store_proposal_list(wb_store *s, int64_t event_id, wb_proposal_cb cb, void *ud,
                           wb_error *err);
/* Closes an open proposal; WB_ENOTFOUND when it is not open. */
int wb_store_proposal_close(wb_store *s, int64_t id, wb_proposal_state state, int64_t at,
                            wb_error *err);

/* The uuid of the attribute with row id `id` (MISP's numeric attribute
 * ids); WB_ENOTFOUND. */
int wb_store_attr_uuid_of(wb_store *s, int64_t id, char uuid[WB_UUID_LEN + 1], wb_error *err);

/* The uuid of the event that holds a live attribute of object
 * `object_uuid`; WB_ENOTFOUND. */
int wb_store_object_event_uuid(wb_store *s, const char *object_uuid, char uuid[WB_UUID_LEN + 1],
                               wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
