/*
 * cmd_admin_galaxy.h - `weerbaar admin galaxy` (cmd_admin_galaxy.c): MISP
 * galaxies and their clusters in the hub database.
 */
#ifndef WB_CLI_ADMIN_GALAXY_H
#define WB_CLI_ADMIN_GALAXY_H

#include <stdbool.h>

#include "weerbaar/core.h"

/* args are the words after "galaxy" (add FILE|DIR..., list); the database
 * at db. An exit status. */
int wb_cli_admin_galaxy(const char *db, bool json, char **args, int n);

#endif
