/*
 * cmd_admin_nats.c - `weerbaar admin nats-config --db PATH --out DIR
 * [--url URL] [--retention DAYS]`: options and output only; the
 * configuration is made by wb_nats_config (src/nats/config.c).
 */
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_admin_nats.h"
#include "weerbaar/nats.h"

int wb_cli_admin_nats(const char *db, const char *out, const char *url, const char *retention,
                      char **args, int n)
{
    if (n != 1) {
        wb_cli_error("admin nats-config takes no arguments, not '%s'", args[1]);
        return WB_EXIT_ERROR;
    }
    if (out == NULL) {
        wb_cli_error("admin nats-config: --out DIR is required");
        return WB_EXIT_ERROR;
    }
    int64_t days = 0;
    if (retention && wb_parse_i64(retention, strlen(retention), 1, 3650, &days) != 0) {
        wb_cli_error("admin nats-config: --retention: days from 1 to 3650, not '%s'", retention);
        return WB_EXIT_ERROR;
    }
    wb_nats_conf_opts o = {.db = db, .dir = out, .url = url, .retention_s = days * 86400};
    wb_nats_conf_stats st;
    wb_error err;
    wb_error_clear(&err);
    if (wb_nats_config(&o, &st, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    fprintf(stderr,
            "weerbaar: wrote %s/accounts.conf: %zu sensor user%s of %zu organisation%s (%zu "
            "kept their key); reload nats-server\n",
            out, st.users, st.users == 1 ? "" : "s", st.orgs, st.orgs == 1 ? "" : "s", st.kept);
    return WB_EXIT_OK;
}
