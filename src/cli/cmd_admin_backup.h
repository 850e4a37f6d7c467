/*
 * cmd_admin_backup.h - `weerbaar admin backup` and `admin restore` (cmd_admin_backup.c),
 * called by cmd_admin.c before it opens the database itself.
 */
#ifndef WB_CLI_ADMIN_BACKUP_H
#define WB_CLI_ADMIN_BACKUP_H

#include <stdbool.h>

/* args[0] is "backup" or "restore"; n the words from there. An exit status. */
int wb_cli_admin_backup(const char *db, const char *out, bool force, char **args, int n);

#endif
