/*
 * cmd_deps_share.c - `weerbaar deps picture|share|sectors`: an organisation's
 * aggregate dependency picture, shared with its CSIRT or supervisor in a
 * database (--db PATH) or on a hub (--hub URL --key KEY), and the sector
 * view they see. Options and output only: depsdb.h derives, checks, stores
 * and aggregates, and the hub answers with the same JSON, so both places
 * print the same.
 *
 * The picture is derived here, on the organisation's machine, from a
 * `deps map --format json` report; only the picture is sent.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "weerbaar/client.h"
#include "weerbaar/depsdb.h"
#include "weerbaar/io.h"

static void usage(FILE *f)
{
    fputs("usage: weerbaar deps picture MAP.json\n"
          "       weerbaar deps share MAP.json --with csirt|supervisor WHERE [--org ORG]\n"
          "       weerbaar deps share --revoke --with csirt|supervisor WHERE [--org ORG]\n"
          "       weerbaar deps sectors WHERE [--for ORG] [--audience csirt|supervisor]\n"
          "                             [--k N]\n"
          "  WHERE is --db PATH (a local database) or --hub URL --key KEY (a hub)\n"
          "\n"
          "picture: the aggregate picture of a `deps map --format json` report, as share\n"
          "  would send it: shares by country and provider, critical dependencies leaving\n"
          "  the EU/EEA, exposed devices by class; no asset, address or host name.\n"
          "share:   stores that picture as the organisation's next version and shares it\n"
          "  with its CSIRT or supervisor; --revoke withdraws the share.\n"
          "sectors: the k-anonymous view per sector over the shared pictures.\n"
          "\n"
          "options:\n"
          "  --db PATH          a local database (created when missing)\n"
          "  --hub URL          a weerbaar hub;  --key KEY  its API key ($WEERBAAR_KEY)\n"
          "  --org ORG          share with --db: the organisation (on a hub: the key's)\n"
          "  --with AUDIENCE    share: csirt or supervisor\n"
          "  --revoke           share: withdraw the share\n"
          "  --for ORG          sectors with --db: as ORG (a CSIRT or supervisor) sees\n"
          "                     them: only the sectors routed to it\n"
          "  --audience A       sectors with --db and no --for: the pictures shared with\n"
          "                     A (default csirt); on a hub, for a site admin\n"
          "  --k N              sectors with --db: the least organisations a cell shows\n"
          "                     (default 3; a hub uses its own setting)\n"
          "\n"
          "examples:\n"
          "  weerbaar deps map conn.log --inventory assets.csv --format json -o map.json\n"
          "  weerbaar deps picture map.json\n"
          "  weerbaar deps share map.json --with csirt --hub https://hub.example --key $KEY\n"
          "  weerbaar deps sectors --hub https://hub.example --key $KEY\n"
          "\n"
          "Exit status: 0 success, 2 an error.\n",
          f);
}

typedef struct sopts {
    const char *db, *hub, *key, *org, *with, *forg, *audience;
    bool revoke;
    unsigned k;
} sopts;

typedef struct conn {
    wb_store *st;
    wb_hub_client hc;
    bool hub, curl;
    wb_error err;
} conn;

static int fail(conn *c)
{
    wb_cli_report(&c->err);
    return WB_EXIT_ERROR;
}

static int conn_open(conn *c, const sopts *o, const char *action)
{
    if ((o->db == NULL) == (o->hub == NULL)) {
        wb_cli_error("deps %s: give --db PATH or --hub URL --key KEY (one of them)", action);
        return WB_EXIT_ERROR;
    }
    if (o->db) return wb_depsdb_open(&c->st, o->db, &c->err) != 0 ? fail(c) : WB_EXIT_OK;
    c->hub = true;
    c->hc.base = o->hub;
    c->hc.key = o->key ? o->key : getenv("WEERBAAR_KEY");
    if (c->hc.key == NULL) {
        wb_cli_error("deps %s: --hub needs an API key: --key KEY or WEERBAAR_KEY", action);
        return WB_EXIT_ERROR;
    }
    if (wb_hub_global_init() != 0) {
        wb_cli_error("deps: cannot start the HTTP client");
        return WB_EXIT_ERROR;
    }
    c->curl = true;
    return WB_EXIT_OK;
}

static void conn_close(conn *c)
{
    wb_depsdb_close(c->st);
    if (c->curl) wb_hub_global_cleanup();
}

static int print_buf(const wb_buf *b)
{
    if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len) return WB_EXIT_ERROR;
    if (b->len && b->data[b->len - 1] != '\n') putchar('\n');
    return fflush(stdout) == 0 ? WB_EXIT_OK : WB_EXIT_ERROR;
}

/* The picture of the report in path, canonical, into pic. */
static int picture_of(const char *path, wb_buf *pic, wb_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = wb_read_file(path, WB_DEPS_MAP_JSON_MAX, &data, &len, err);
    if (rc == 0) rc = wb_deps_picture_from_map(data, len, path, pic, err);
    free(data);
    return rc;
}

static int cmd_picture(int nargs, char **args)
{
    if (nargs != 1) {
        wb_cli_error("deps picture: give one MAP.json (see 'weerbaar deps --help')");
        return WB_EXIT_ERROR;
    }
    wb_buf pic = {0}, out = {0};
    wb_error err = {0};
    int rc = picture_of(args[0], &pic, &err);
    /* pretty, as the hub's answers are */
    json_t *o = rc == 0 ? json_loadb(pic.data, pic.len, 0, NULL) : NULL;
    char *t = o ? json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(o);
    wb_buf_free(&pic);
    if (rc != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    if (t == NULL) {
        wb_cli_error("deps picture: out of memory");
        return WB_EXIT_ERROR;
    }
    wb_buf_puts(&out, t);
    free(t);
    rc = print_buf(&out);
    wb_buf_free(&out);
    return rc;
}

static int cmd_share(conn *c, const sopts *o, int nargs, char **args)
{
    wb_share_audience to;
    if (o->with == NULL || wb_share_audience_parse(o->with, &to) != 0) {
        wb_cli_error("deps share: --with must be csirt or supervisor");
        return WB_EXIT_ERROR;
    }
    if (nargs != (o->revoke ? 0 : 1)) {
        wb_cli_error(o->revoke ? "deps share --revoke: takes no file"
                               : "deps share: give one MAP.json (a `deps map --format json` "
                                 "report)");
        return WB_EXIT_ERROR;
    }
    if (!c->hub && o->org == NULL) {
        wb_cli_error("deps share: --db needs --org ORG");
        return WB_EXIT_ERROR;
    }
    wb_buf pic = {0}, b = {0};
    int rc = o->revoke ? 0 : picture_of(args[0], &pic, &c->err), version = 0;
    if (rc == 0 && !c->hub) {
        rc = wb_depsdb_share(c->st, 0, o->org, pic.data, pic.len, to, !o->revoke, "cli", &version,
                             &c->err);
    } else if (rc == 0) {
        json_t *body = json_pack("{s:s,s:b}", "with", o->with, "shared", !o->revoke);
        if (!o->revoke)
            json_object_set_new(body, "picture", json_loadb(pic.data, pic.len, 0, NULL));
        char *text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        rc = text ? wb_hub_call(&c->hc, "POST", "/api/v1/deps/pictures", text, strlen(text), &b,
                                NULL, &c->err)
                  : wb_error_set(&c->err, WB_ENOMEM, "out of memory");
        free(text);
        json_t *r = rc == 0 ? json_loadb(b.data ? b.data : "", b.len, 0, NULL) : NULL;
        version = (int)json_integer_value(json_object_get(r, "version"));
        json_decref(r);
    }
    wb_buf_free(&pic);
    wb_buf_free(&b);
    if (rc != 0) return fail(c);
    if (o->revoke)
        printf("the dependency picture is no longer shared with the %s\n", o->with);
    else
        printf("dependency picture version %d is shared with the %s\n", version, o->with);
    return WB_EXIT_OK;
}

static int cmd_sectors(conn *c, const sopts *o, int nargs)
{
    if (nargs != 0) {
        wb_cli_error("deps sectors: takes no arguments");
        return WB_EXIT_ERROR;
    }
    wb_share_audience aud = WB_SHARE_CSIRT;
    if (o->audience && wb_share_audience_parse(o->audience, &aud) != 0) {
        wb_cli_error("deps sectors: --audience must be csirt or supervisor");
        return WB_EXIT_ERROR;
    }
    wb_buf b = {0};
    int rc;
    if (c->hub) {
        rc = wb_hub_call(&c->hc, "GET",
                         o->audience && aud == WB_SHARE_SUPERVISOR
                             ? "/api/v1/deps/sectors?audience=supervisor"
                             : "/api/v1/deps/sectors",
                         NULL, 0, &b, NULL, &c->err);
    } else {
        struct {
            int64_t id;
            wb_org_kind kind;
        } who = {0, WB_ORG_OTHER};
        rc = 0;
        if (o->forg) {
            rc = wb_depsdb_org_find(c->st, o->forg, &who.id, &who.kind, &c->err);
            if (rc == 0 && who.kind != WB_ORG_CSIRT && who.kind != WB_ORG_SUPERVISOR)
                rc = wb_error_set(&c->err, WB_EINVAL,
                                  "deps sectors: --for %s: not a CSIRT or supervisor", o->forg);
            if (rc == 0) aud = who.kind == WB_ORG_CSIRT ? WB_SHARE_CSIRT : WB_SHARE_SUPERVISOR;
        }
        if (rc == 0) rc = wb_depsdb_sectors(c->st, who.id, aud, o->k, &b, &c->err);
    }
    if (rc != 0) {
        wb_buf_free(&b);
        return fail(c);
    }
    /* one printer for both places, so that --db and --hub print alike */
    json_t *v = json_loadb(b.data ? b.data : "", b.len, 0, NULL);
    char *t =
        v ? json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(v);
    wb_buf_free(&b);
    if (t == NULL) {
        wb_cli_error("deps sectors: the answer is not JSON");
        return WB_EXIT_ERROR;
    }
    puts(t);
    free(t);
    return fflush(stdout) == 0 ? WB_EXIT_OK : WB_EXIT_ERROR;
}

/* The options of picture, share and sectors: the index of the action, or
 * -1 with the exit status in *status (help printed, or an error). */
static int parse_share_opts(int argc, char **argv, sopts *out, int *status)
{
    enum { O_DB = 256, O_HUB, O_KEY, O_ORG, O_WITH, O_REVOKE, O_FOR, O_AUD, O_K };
    static const struct option lo[] = {{"db", required_argument, NULL, O_DB},
                                       {"hub", required_argument, NULL, O_HUB},
                                       {"key", required_argument, NULL, O_KEY},
                                       {"org", required_argument, NULL, O_ORG},
                                       {"with", required_argument, NULL, O_WITH},
                                       {"revoke", no_argument, NULL, O_REVOKE},
                                       {"for", required_argument, NULL, O_FOR},
                                       {"audience", required_argument, NULL, O_AUD},
                                       {"k", required_argument, NULL, O_K},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    sopts o = {.k = WB_DEPS_SECTOR_K_DEFAULT};
    *status = WB_EXIT_ERROR;
    optind = 1;
    opterr = 0;
    int ch;
    int64_t v;
    while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (ch) {
        case O_DB:
            o.db = optarg;
            break;
        case O_HUB:
            o.hub = optarg;
            break;
        case O_KEY:
            o.key = optarg;
            break;
        case O_ORG:
            o.org = optarg;
            break;
        case O_WITH:
            o.with = optarg;
            break;
        case O_REVOKE:
            o.revoke = true;
            break;
        case O_FOR:
            o.forg = optarg;
            break;
        case O_AUD:
            o.audience = optarg;
            break;
        case O_K:
            if (wb_parse_i64(optarg, strlen(optarg), 2, 1000, &v) != 0) {
                wb_cli_error("deps: --k must be a number from 2 to 1000, not '%s'", optarg);
                return -1;
            }
            o.k = (unsigned)v;
            break;
        case 'h':
            usage(stdout);
            *status = WB_EXIT_OK;
            return -1;
        default:
            wb_cli_error("deps: unknown option '%s' (see 'weerbaar deps share --help')",
                         argv[optind - 1]);
            return -1;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return -1;
    }
    *out = o;
    return optind;
}

int wb_cli_deps_picture(int argc, char **argv)
{
    sopts o;
    int status, first = parse_share_opts(argc, argv, &o, &status);
    if (first < 0) return status;
    return cmd_picture(argc - first - 1, argv + first + 1);
}

/* share and sectors: on a database or a hub. */
static int with_conn(int argc, char **argv, bool share)
{
    sopts o;
    int status, first = parse_share_opts(argc, argv, &o, &status);
    if (first < 0) return status;
    conn c = {0};
    int rc = conn_open(&c, &o, argv[first]);
    if (rc != WB_EXIT_OK) return rc;
    rc = share ? cmd_share(&c, &o, argc - first - 1, argv + first + 1)
               : cmd_sectors(&c, &o, argc - first - 1);
    conn_close(&c);
    return rc;
}

int wb_cli_deps_share(int argc, char **argv)
{
    return with_conn(argc, argv, true);
}

int wb_cli_deps_sectors(int argc, char **argv)
{
    return with_conn(argc, argv, false);
}
