/*
 * cmd_admin_backup.c - the command line of `weerbaar admin backup --out FILE`
 * (a consistent copy of a live hub's database) and `admin restore FILE`
 * (checked, refused on a database in use unless --force). The work is the
 * admin service's (admin.h, over src/store/backup.c); this file checks the
 * words and prints.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cmd_admin_backup.h"
#include "cli/cli.h"
#include "weerbaar/admin.h"

int wb_cli_admin_backup(const char *db, const char *out, bool force, char **args, int n)
{
    wb_error err = {0};
    if (strcmp(args[0], "backup") == 0) {
        if (n != 1 || out == NULL) {
            wb_cli_error("admin: usage: admin backup --out FILE --db PATH");
            return WB_EXIT_ERROR;
        }
        if (wb_admin_backup(db, out, &err) != 0) {
            wb_cli_report(&err);
            return WB_EXIT_ERROR;
        }
        struct stat st;
        printf("backup: %s -> %s (%lld bytes, integrity ok)\n", db, out,
               stat(out, &st) == 0 ? (long long)st.st_size : 0LL);
        return WB_EXIT_OK;
    }
    if (n != 2) {
        wb_cli_error("admin: usage: admin restore FILE --db PATH [--force]");
        return WB_EXIT_ERROR;
    }
    if (wb_admin_restore(args[1], db, force, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    printf("restore: %s -> %s (integrity ok, schema current)\n", args[1], db);
    return WB_EXIT_OK;
}
