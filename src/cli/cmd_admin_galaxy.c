/*
 * cmd_admin_galaxy.c - `weerbaar admin galaxy add FILE|DIR... --db PATH`
 * imports MISP galaxy JSON (misp-galaxy's galaxies/ and clusters/ files,
 * or the small set weerbaar ships in share/weerbaar/galaxies) through the
 * share service, which audits it; `admin galaxy list` prints what the hub
 * has, from the same document the hub's galaxies/index answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cmd_admin_galaxy.h"
#include "weerbaar/mispsvc.h"

static int list(wb_share *s, bool json)
{
    wb_buf b = {0};
    int rc = wb_share_misp_galaxies(s, NULL, &b);
    if (rc) {
        wb_buf_free(&b);
        return rc;
    }
    json_t *arr = json_loadb(b.data ? b.data : "[]", b.len ? b.len : 2, 0, NULL);
    wb_buf_free(&b);
    if (json) {
        char *t = json_dumps(arr, JSON_INDENT(2));
        if (t) puts(t);
        free(t);
        json_decref(arr);
        return 0;
    }
    printf("%-4s %-28s %-16s %s\n", "ID", "TYPE", "NAMESPACE", "NAME");
    size_t i;
    json_t *g;
    json_array_foreach(arr, i, g)
    {
        json_t *o = json_object_get(g, "Galaxy");
        printf("%-4s %-28s %-16s %s\n", json_string_value(json_object_get(o, "id")),
               json_string_value(json_object_get(o, "type")),
               json_string_value(json_object_get(o, "namespace")),
               json_string_value(json_object_get(o, "name")));
    }
    json_decref(arr);
    return 0;
}

int wb_cli_admin_galaxy(const char *db, bool json, char **args, int n)
{
    bool is_list = n == 1 && strcmp(args[0], "list") == 0;
    if (!is_list && (n < 2 || strcmp(args[0], "add") != 0)) {
        wb_cli_error("admin galaxy: expected 'add FILE|DIR...' or 'list'");
        return WB_EXIT_ERROR;
    }
    wb_store *st = NULL;
    wb_error err = {0};
    wb_arena arena;
    wb_arena_init(&arena, 4096);
    wb_principal op = wb_share_operator_principal();
    int orc = wb_share_open(&st, db, &err), rc = orc;
    wb_share s = {.st = st,
                  .who = &op,
                  .actor = wb_share_operator(),
                  .now = wb_time_now() / 1000000,
                  .arena = &arena};
    if (rc == 0 && is_list) rc = list(&s, json);
    for (int i = 1; rc == 0 && !is_list && i < n; i++) {
        wb_galaxy_import_stats gs;
        rc = wb_share_galaxy_import(&s, args[i], &gs);
        if (rc) break;
        printf("galaxy: %zu galax%s, %zu cluster%s from %s\n", gs.galaxies,
               gs.galaxies == 1 ? "y" : "ies", gs.clusters, gs.clusters == 1 ? "" : "s", args[i]);
        if (gs.skipped)
            fprintf(stderr, "weerbaar: %zu cluster value%s skipped; the first: %s\n", gs.skipped,
                    gs.skipped == 1 ? "" : "s", gs.why);
    }
    if (rc && orc == 0) err = s.err;
    wb_share_close(st);
    wb_arena_free(&arena);
    if (rc) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}
