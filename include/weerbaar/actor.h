/*
 * actor.h - who asks a service (incidentsvc.h, sharesvc.h, ...): a user of
 * an organisation with a role, through a channel. The services audit as
 * the actor; the channel says which front end the request came through.
 */
#ifndef WEERBAAR_ACTOR_H
#define WEERBAAR_ACTOR_H

#include <stddef.h>
#include <stdint.h>

#include "weerbaar/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a request came from. */
typedef enum wb_actor_channel {
    WB_ACTOR_CLI, /* a local --db command: the operator */
    WB_ACTOR_API, /* the hub's HTTP API, with a user's key */
    WB_ACTOR_WEB,
    WB_ACTOR_SYNC
} wb_actor_channel;

/* Who asks. The local operator is a site admin of no organisation, user
 * "cli" of organisation "-" (wb_incsvc_operator, wb_share_operator). */
typedef struct wb_actor {
    const char *user;     /* e-mail; "cli" for the local operator */
    int64_t org_id;       /* 0 for the local operator */
    const char *org_name; /* "-" for the local operator */
    wb_role role;
    wb_actor_channel channel;
    /* The sharing groups of org_id (incident share names one). */
    const int64_t *groups;
    size_t ngroups;
} wb_actor;

#ifdef __cplusplus
}
#endif
#endif
