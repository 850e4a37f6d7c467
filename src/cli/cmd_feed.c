/*
 * cmd_feed.c - `weerbaar feed`: MISP feeds out of a hub database into a
 * directory (export) and from a directory or URL into a hub database
 * (pull). Argument parsing and output only; the share service does the
 * work (sharesvc.h, feed.h: src/share/feeds.c, feed.c, feed_pull.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cmdtab.h"
#include "weerbaar/progress.h"
#include "weerbaar/client.h"
#include "weerbaar/feed.h"
#include "weerbaar/sharesvc.h"

static const char usage_text[] =
    "usage: weerbaar feed export --db PATH --out DIR [--as ORG]\n"
    "       weerbaar feed pull URL|DIR --db PATH --as ORG [--options]\n"
    "\n"
    "MISP feeds (manifest.json, one <uuid>.json per event, hashes.csv), the\n"
    "format a MISP instance adds under Sync Actions > Feeds.\n"
    "\n"
    "export  writes the feed of a hub database into DIR: the published events\n"
    "        ORG may see under the hub's TLP policy, or without --as the public\n"
    "        feed (TLP:CLEAR with distribution 3 only). Earlier feed files in DIR\n"
    "        are replaced. The same files the hub serves at /feeds/misp/ and\n"
    "        /feeds/public/. Written to the audit log.\n"
    "pull    imports a MISP feed from a directory or an http(s) URL. Events are\n"
    "        created for ORG with --distribution (a feed carries none); their\n"
    "        tags and TLP are kept, and the organisation that made them is kept\n"
    "        as Orgc. Idempotent: an event whose timestamp is not newer than the\n"
    "        stored copy is not fetched again. Each skipped event is reported\n"
    "        with the file and JSON path at fault.\n"
    "\n"
    "options:\n"
    "  --db PATH              the hub database (SQLite); required\n"
    "  --out DIR              export: the directory to write (created when missing)\n"
    "  --as ORG               export: whose view (default: the public feed);\n"
    "                         pull: the organisation the events belong to (required)\n"
    "  --distribution N       pull: 0 organisation only (default), 1 community,\n"
    "                         2 connected communities, 3 all, 4 a sharing group\n"
    "  --sharing-group NAME   pull: the group for --distribution 4\n"
    "  --key KEY              pull: sent as 'Authorization: KEY' (a weerbaar hub's\n"
    "                         /feeds/misp/ needs an API key; MISP feeds may too)\n"
    "  --timeout SECONDS      pull: per file (default 60)\n"
    "  --max-file BYTES       pull: largest file accepted (default 268435456)\n"
    "  --format text|json     pull: the summary as text (default) or JSON\n"
    "  -q, --quiet            pull: no progress on standard error (shown only when\n"
    "                         it is a terminal)\n"
    "  -h, --help             this text\n"
    "\n"
    "examples:\n"
    "  weerbaar feed export --db hub.db --out /srv/feeds/public\n"
    "  weerbaar feed export --db hub.db --out /srv/feeds/energy --as 'Energie BV'\n"
    "  weerbaar feed pull https://www.circl.lu/doc/misp/feed-osint --db hub.db \\\n"
    "      --as CSIRT --distribution 1\n"
    "  weerbaar feed pull https://hub.example/feeds/misp --key \"$KEY\" --db hub.db --as CSIRT\n"
    "  weerbaar feed pull ./feed-dir --db hub.db --as CSIRT\n"
    "\n"
    "Exit status: 0 done (skipped events are reported, not fatal), 2 an error\n"
    "(unreadable manifest, unknown organisation, database trouble).\n";

typedef struct feed_opts {
    const char *db, *out, *as, *sgroup, *key, *format;
    int distribution;
    long timeout;
    size_t max_file;
    bool quiet;
} feed_opts;

static int export_cmd(const feed_opts *o, char **args, int n)
{
    if (n != 0) {
        wb_cli_error("feed export: unexpected argument '%s'", args[0]);
        return WB_EXIT_ERROR;
    }
    if (o->out == NULL) {
        wb_cli_error("feed export: --out DIR is required");
        return WB_EXIT_ERROR;
    }
    wb_store *st = NULL;
    wb_error err = {0};
    wb_feed_stats stats = {0};
    wb_arena arena;
    wb_arena_init(&arena, 4096);
    wb_principal op = wb_share_operator_principal();
    int rc = wb_share_open(&st, o->db, &err);
    if (rc == 0) {
        wb_share s = {.st = st,
                      .who = &op,
                      .actor = wb_share_operator(),
                      .now = wb_time_now() / 1000000,
                      .arena = &arena};
        rc = wb_share_feed_export(&s, o->as, o->out, &stats);
        if (rc) err = s.err;
    }
    wb_share_close(st);
    wb_arena_free(&arena);
    if (rc) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    printf("%s: %zu events, %zu attributes, %zu hashes (%s%s)\n", o->out, stats.events,
           stats.attributes, stats.hashes, o->as ? "the view of " : "the public feed",
           o->as ? o->as : "");
    return WB_EXIT_OK;
}

typedef struct pull_ui {
    wb_progress line;
    bool json;
    json_t *skipped;
} pull_ui;

static void on_note(void *ud, const char *uuid, wb_feed_outcome oc, const char *reason)
{
    pull_ui *u = ud;
    if (oc != WB_FEED_SKIPPED) return;
    wb_progress_clear(&u->line);
    fprintf(stderr, "weerbaar: skipped: %s\n", reason ? reason : "?");
    if (u->json)
        json_array_append_new(
            u->skipped, json_pack("{s:s?,s:s}", "uuid", uuid, "reason", reason ? reason : "?"));
}

static void on_progress(void *ud, size_t done, size_t total)
{
    pull_ui *u = ud;
    wb_progress_update(&u->line, done, total);
}

static int pull_cmd(const feed_opts *o, char **args, int n)
{
    if (n != 1) {
        wb_cli_error("feed pull: give one URL or directory");
        return WB_EXIT_ERROR;
    }
    if (o->as == NULL) {
        wb_cli_error("feed pull: --as ORG is required (the organisation the events belong to)");
        return WB_EXIT_ERROR;
    }
    pull_ui ui = {.json = o->format && strcmp(o->format, "json") == 0};
    wb_progress_start(&ui.line, wb_cli_progress_out(o->quiet), "events pulled", WB_PROGRESS_ITEMS);
    if (ui.json) ui.skipped = json_array();
    wb_feed_pull_opts po = {.source = args[0],
                            .org = o->as,
                            .distribution = o->distribution,
                            .sgroup = o->sgroup,
                            .key = o->key,
                            .timeout_s = o->timeout,
                            .max_file = o->max_file,
                            .note = on_note,
                            .progress = on_progress,
                            .ud = &ui};
    wb_store *st = NULL;
    wb_error err = {0};
    wb_feed_pull_counts c;
    memset(&c, 0, sizeof c);
    if (wb_hub_global_init() != 0) {
        wb_cli_error("feed pull: cannot initialise libcurl");
        json_decref(ui.skipped);
        return WB_EXIT_ERROR;
    }
    int rc = wb_share_open(&st, o->db, &err);
    if (rc == 0) rc = wb_feed_pull(st, &po, &c, &err);
    wb_progress_end(&ui.line);
    wb_share_close(st);
    wb_hub_global_cleanup();
    if (rc) wb_cli_report(&err);
    if (ui.json) {
        json_t *j = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "source", args[0], "listed",
                              (json_int_t)c.listed, "new", (json_int_t)c.added, "updated",
                              (json_int_t)c.updated, "unchanged", (json_int_t)c.unchanged,
                              "skipped_count", (json_int_t)c.skipped, "attributes",
                              (json_int_t)c.attributes, "skipped", ui.skipped);
        char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        if (s) puts(s);
        free(s);
        json_decref(j);
    } else if (rc == 0) {
        printf("%s: %zu listed, %zu new, %zu updated, %zu unchanged, %zu skipped; %zu "
               "attributes stored\n",
               args[0], c.listed, c.added, c.updated, c.unchanged, c.skipped, c.attributes);
    }
    return rc ? WB_EXIT_ERROR : WB_EXIT_OK;
}

static int act_export(void *ctx, int argc, char **argv)
{
    return export_cmd(ctx, argv + 1, argc - 1);
}

static int act_pull(void *ctx, int argc, char **argv)
{
    return pull_cmd(ctx, argv + 1, argc - 1);
}

const char *const wb_cli_feed_opts[] = {"--db PATH", NULL};
static const char *const export_opts[] = {"--out DIR", "--as ORG", NULL};
static const char *const pull_opts[] = {"--as ORG",
                                        "--distribution N",
                                        "--sharing-group NAME",
                                        "--key KEY",
                                        "--timeout SECONDS",
                                        "--max-file BYTES",
                                        "--format text|json",
                                        "--quiet",
                                        "-q",
                                        NULL};
const wb_cli_action wb_cli_feed_actions[] = {
    {"export", false, act_export, "a hub's events as a MISP feed directory", export_opts},
    {"pull", false, act_pull, "a MISP feed (URL or directory) into a hub", pull_opts},
    {NULL, false, NULL, NULL, NULL}};

int wb_cmd_feed(int argc, char **argv)
{
    static const struct option lopts[] = {{"db", required_argument, NULL, 'd'},
                                          {"out", required_argument, NULL, 'o'},
                                          {"as", required_argument, NULL, 'a'},
                                          {"distribution", required_argument, NULL, 'D'},
                                          {"sharing-group", required_argument, NULL, 'g'},
                                          {"key", required_argument, NULL, 'k'},
                                          {"timeout", required_argument, NULL, 't'},
                                          {"max-file", required_argument, NULL, 'm'},
                                          {"format", required_argument, NULL, 'f'},
                                          {"quiet", no_argument, NULL, 'q'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    feed_opts o = {.timeout = 60};
    optind = 1;
    opterr = 0;
    int ch;
    int64_t v;
    while ((ch = getopt_long(argc, argv, "hq", lopts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            o.db = optarg;
            break;
        case 'o':
            o.out = optarg;
            break;
        case 'a':
            o.as = optarg;
            break;
        case 'g':
            o.sgroup = optarg;
            break;
        case 'k':
            o.key = optarg;
            break;
        case 'D':
            if (wb_parse_i64(optarg, strlen(optarg), 0, 4, &v) != 0) {
                wb_cli_error("feed: --distribution must be 0-4, not '%s'", optarg);
                return WB_EXIT_ERROR;
            }
            o.distribution = (int)v;
            break;
        case 't':
            if (wb_parse_i64(optarg, strlen(optarg), 1, 86400, &v) != 0) {
                wb_cli_error("feed: --timeout must be 1-86400 seconds, not '%s'", optarg);
                return WB_EXIT_ERROR;
            }
            o.timeout = (long)v;
            break;
        case 'm':
            if (wb_parse_i64(optarg, strlen(optarg), 1024, INT64_MAX, &v) != 0) {
                wb_cli_error("feed: --max-file must be a number of bytes >= 1024, not '%s'",
                             optarg);
                return WB_EXIT_ERROR;
            }
            o.max_file = (size_t)v;
            break;
        case 'q':
            o.quiet = true;
            break;
        case 'f':
            if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
                wb_cli_error("feed: --format must be text or json");
                return WB_EXIT_ERROR;
            }
            o.format = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return WB_EXIT_OK;
        default:
            wb_cli_error("feed: unknown option or missing value '%s' (see 'weerbaar feed --help')",
                         argv[optind - 1]);
            return WB_EXIT_ERROR;
        }
    }
    int n = argc - optind;
    char **args = argv + optind;
    if (n < 1) {
        fputs(usage_text, stderr);
        return WB_EXIT_ERROR;
    }
    if (o.db == NULL) {
        wb_cli_error("feed: --db PATH is required");
        return WB_EXIT_ERROR;
    }
    return wb_cli_dispatch("feed", wb_cli_feed_actions, &o, n, args);
}
