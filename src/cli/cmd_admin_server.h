/*
 * cmd_admin_server.h - `weerbaar admin server` (cmd_admin_server.c): the
 * hubs this hub synchronises with, called by cmd_admin.c before it opens
 * the database itself.
 */
#ifndef WB_CLI_ADMIN_SERVER_H
#define WB_CLI_ADMIN_SERVER_H

#include <stdbool.h>

typedef struct wb_cli_server_opts {
    const char *db, *url, *key, *org, *rules, *sgroups;
    bool pull, push, json;
    bool push_sightings; /* add: sightings only (MISP's "push sightings") */
    bool sightings_open; /* pull, push: --sighting-policy event */
    bool quiet;          /* pull, push: no progress line */
} wb_cli_server_opts;

/* args[0] is "server"; n the words from there. An exit status. */
int wb_cli_admin_server(const wb_cli_server_opts *o, char **args, int n);

#endif
