/*
 * cmd_admin_server.c - `weerbaar admin server add|list|remove|pull|push`:
 * the hubs (weerbaar or MISP) this hub synchronises with, and a pull or
 * push on demand. Options and output only: the sync service (sync.h)
 * does the work and the auditing. The remote key is taken once and never
 * printed back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cmd_admin_server.h"
#include "weerbaar/client.h"
#include "weerbaar/progress.h"
#include "weerbaar/sync.h"

typedef struct run_ui {
    wb_progress line;
} run_ui;

static void on_progress(void *ud, size_t done, size_t total)
{
    run_ui *u = ud;
    wb_progress_update(&u->line, done, total);
}

static void on_log(void *ud, const char *msg)
{
    run_ui *u = ud;
    wb_progress_clear(&u->line);
    fprintf(stderr, "weerbaar: %s\n", msg);
}

static int run(wb_store *st, const wb_cli_server_opts *o, bool push, const char *name)
{
    if (wb_hub_global_init() != 0) {
        wb_cli_error("admin server: cannot initialise libcurl");
        return WB_EXIT_ERROR;
    }
    run_ui ui;
    wb_progress_start(&ui.line, wb_cli_progress_out(o->quiet),
                      push ? "events pushed" : "events pulled", WB_PROGRESS_ITEMS);
    wb_sync_run_opts ro = {
        .progress = on_progress, .log = on_log, .ud = &ui, .sightings_open = o->sightings_open};
    wb_sync_counts c;
    wb_error err = {0};
    int rc = push ? wb_sync_push(st, name, &ro, &c, &err) : wb_sync_pull(st, name, &ro, &c, &err);
    wb_hub_global_cleanup();
    wb_progress_end(&ui.line);
    if (o->json) {
        json_t *j = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I}", "server", name, "direction",
                              push ? "push" : "pull", "listed", (json_int_t)c.listed, "added",
                              (json_int_t)c.added, "updated", (json_int_t)c.updated, "unchanged",
                              (json_int_t)c.unchanged, "withheld", (json_int_t)c.withheld, "failed",
                              (json_int_t)c.failed);
        if (j) json_object_set_new(j, "deleted", json_integer((json_int_t)c.deleted));
        if (j) json_object_set_new(j, "sightings", json_integer((json_int_t)c.sightings));
        if (j)
            json_object_set_new(j, "sightings_unchanged",
                                json_integer((json_int_t)c.sightings_unchanged));
        if (j)
            json_object_set_new(j, "sightings_withheld",
                                json_integer((json_int_t)c.sightings_withheld));
        if (j && rc) json_object_set_new(j, "error", json_string(err.msg));
        char *s = j ? json_dumps(j, JSON_PRESERVE_ORDER) : NULL;
        if (s) puts(s);
        free(s);
        json_decref(j);
    } else {
        printf("%s %s: %zu listed, %zu added, %zu updated, %zu unchanged, %zu withheld, %zu "
               "failed, %zu deleted; sightings: %zu stored, %zu unchanged, %zu withheld\n",
               push ? "push to" : "pull from", name, c.listed, c.added, c.updated, c.unchanged,
               c.withheld, c.failed, c.deleted, c.sightings, c.sightings_unchanged,
               c.sightings_withheld);
    }
    if (rc) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

static int list(wb_store *st, const wb_cli_server_opts *o)
{
    json_t *rows = NULL;
    wb_error err = {0};
    if (wb_sync_server_list(st, &rows, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    if (o->json) {
        char *s = json_dumps(rows, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s) puts(s);
        free(s);
        json_decref(rows);
        return WB_EXIT_OK;
    }
    printf("%-20s %-40s %-20s %-14s %-20s %s\n", "NAME", "URL", "ORG", "DIRECTION", "LAST PULL",
           "LAST PUSH");
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        bool pl = json_is_true(json_object_get(r, "pull")),
             ps = json_is_true(json_object_get(r, "push")),
             sg = json_is_true(json_object_get(r, "push_sightings"));
        char dir[40];
        snprintf(dir, sizeof dir, "%s%s%s%s%s", pl ? "pull" : "", pl && ps ? "," : "",
                 ps ? "push" : "", (pl || ps) && sg && !ps ? "," : "",
                 sg && !ps ? "sightings" : "");
        const char *lp = json_string_value(json_object_get(r, "last_pull"));
        const char *lq = json_string_value(json_object_get(r, "last_push"));
        printf("%-20s %-40s %-20s %-14s %-20s %s\n", json_string_value(json_object_get(r, "name")),
               json_string_value(json_object_get(r, "url")),
               json_string_value(json_object_get(r, "org")), dir, lp ? lp : "-", lq ? lq : "-");
    }
    json_decref(rows);
    return WB_EXIT_OK;
}

int wb_cli_admin_server(const wb_cli_server_opts *o, char **args, int n)
{
    const char *act = n > 1 ? args[1] : "";
    bool named = strcmp(act, "add") == 0 || strcmp(act, "remove") == 0 ||
                 strcmp(act, "pull") == 0 || strcmp(act, "push") == 0;
    if (!((named && n == 3) || (strcmp(act, "list") == 0 && n == 2))) {
        wb_cli_error("admin server: expected 'add NAME --url URL --key KEY', 'list', 'remove "
                     "NAME', 'pull NAME' or 'push NAME'");
        return WB_EXIT_ERROR;
    }
    if (strcmp(act, "add") == 0 && (o->url == NULL || o->key == NULL)) {
        wb_cli_error("admin server add: --url URL and --key KEY are required");
        return WB_EXIT_ERROR;
    }
    wb_store *st = NULL;
    wb_error err = {0};
    if (wb_sync_open(&st, o->db, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    int status = WB_EXIT_OK;
    if (strcmp(act, "list") == 0) {
        status = list(st, o);
    } else if (strcmp(act, "pull") == 0 || strcmp(act, "push") == 0) {
        status = run(st, o, strcmp(act, "push") == 0, args[2]);
    } else if (strcmp(act, "remove") == 0) {
        if (wb_sync_server_remove(st, args[2], &err) != 0) {
            wb_cli_report(&err);
            status = WB_EXIT_ERROR;
        } else {
            printf("server %s removed\n", args[2]);
        }
    } else {
        bool created = false;
        wb_sync_server_opts so = {.name = args[2],
                                  .url = o->url,
                                  .key = o->key,
                                  .org = o->org,
                                  .pull = o->pull,
                                  .push = o->push,
                                  .push_sightings = o->push_sightings,
                                  .rules = o->rules,
                                  .sgroups = o->sgroups};
        if (!so.pull && !so.push && !so.push_sightings) so.pull = true; /* MISP's default */
        if (wb_sync_server_add(st, &so, &created, &err) != 0) {
            wb_cli_report(&err);
            status = WB_EXIT_ERROR;
        } else {
            printf("server %s: %s (%s%s%s%s%s), calls from it with keys of organisation %s%s\n",
                   args[2], o->url, so.pull ? "pull" : "", so.pull && so.push ? "," : "",
                   so.push ? "push" : "", (so.pull || so.push) && so.push_sightings ? "," : "",
                   so.push_sightings ? "push-sightings" : "", o->org ? o->org : args[2],
                   created ? " (created)" : "");
        }
    }
    wb_sync_close(st);
    return status;
}
