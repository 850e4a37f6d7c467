/*
 * cmd_admin_accounts.h - the accounts half of `weerbaar admin` (organisations,
 * users, keys, sharing groups, audit list, import), local or on a hub.
 */
#ifndef WB_CLI_CMD_ADMIN_ACCOUNTS_H
#define WB_CLI_CMD_ADMIN_ACCOUNTS_H

#include <stdbool.h>

#include "weerbaar/accounts.h"

/* Where the command acts: a local database (db), or a hub (hub and key). */
typedef struct wb_cli_admin_conn {
    const char *db, *hub, *key;
    bool json;
    bool quiet; /* import: no progress line */
} wb_cli_admin_conn;

/* `admin OBJECT ACTION [TARGET [NEW-NAME]]`: args[0] is the action; a has
 * the options. Returns an exit status. */
int wb_cli_admin_accounts(const wb_cli_admin_conn *c, const char *object, int n, char **args,
                          wb_acct_args *a);
/* `admin import FILE`: args[0] is "import". */
int wb_cli_admin_import(const wb_cli_admin_conn *c, int n, char **args);

#endif
