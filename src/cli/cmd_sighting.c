/*
 * cmd_sighting.c - `weerbaar sighting list`: who sighted what, per
 * indicator, per organisation, per day, from a hub database (--db, as the
 * operator: everything) or a running hub (--hub URL --key KEY: what the
 * key's organisation may see). Options and output only; both paths read
 * the pages the sighting service writes (sightingsvc.h), so they print the
 * same.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cmdtab.h"
#include "weerbaar/client.h"
#include "weerbaar/sightingsvc.h"

static const char usage_text[] =
    "usage: weerbaar sighting list (--db PATH | --hub URL --key KEY) [--options]\n"
    "\n"
    "Who sighted what: the sightings of indicators, per day, indicator and\n"
    "organisation, with the number of times seen. From a hub database (--db,\n"
    "everything) or a running hub (--hub: only what the key may see; under the\n"
    "hub's open sighting policy other organisations appear as their sector).\n"
    "\n"
    "options:\n"
    "  --db PATH          a hub database\n"
    "  --hub URL          a weerbaar hub;  --key KEY  its API key ($WEERBAAR_KEY)\n"
    "  --since TIME       last seen at or after TIME (RFC 3339 or Unix seconds)\n"
    "  --org ORG          sightings of one organisation (name or uuid)\n"
    "  --event UUID       sightings on one event's attributes\n"
    "  --value V          sightings of one indicator value\n"
    "  --format table|json|jsonl|csv  table (default): one row per day,\n"
    "                     indicator, organisation and type; json/jsonl: every\n"
    "                     sighting record as the hub's API gives it\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit status: 0 sightings listed, 1 none, 2 an error.\n"
    "\n"
    "examples:\n"
    "  weerbaar sighting list --db hub.db --since 2026-12-01T00:00:00Z\n"
    "  weerbaar sighting list --hub https://hub.example --key KEY --value evil.example\n"
    "See docs/hub.md (Sightings).\n";

typedef struct sight_opts {
    const char *db, *hub, *key, *org, *event, *value, *format;
    int64_t since;
} sight_opts;

/* Percent-encodes v into b (RFC 3986 unreserved characters pass). */
static int put_escaped(wb_buf *b, const char *v)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;
    for (const unsigned char *p = (const unsigned char *)v; *p && rc == 0; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            rc = wb_buf_putc(b, (char)*p);
        else
            rc = wb_buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
    return rc;
}

/* One page into *page: from the hub or from the database. */
static int fetch_page(const sight_opts *o, const wb_hub_client *hc, wb_store *st, int64_t after,
                      wb_buf *page, wb_error *err)
{
    if (st) {
        /* The operator: a site admin of no organisation, reading all. */
        wb_principal p = {.authenticated = true, .role = WB_ROLE_SITE_ADMIN};
        wb_sightsvc_query q = {
            .after = after, .since = o->since, .org = o->org, .event = o->event, .value = o->value};
        return wb_sightsvc_list(st, &p, &q, page, NULL, NULL, err);
    }
    wb_buf path = {0};
    int rc = wb_buf_printf(&path, "/api/v1/sightings?after=%lld&since=%lld", (long long)after,
                           (long long)o->since);
    const char *names[] = {"org", "event", "value"};
    const char *vals[] = {o->org, o->event, o->value};
    for (int i = 0; i < 3 && rc == 0; i++) {
        if (vals[i] == NULL) continue;
        rc = wb_buf_printf(&path, "&%s=", names[i]);
        if (rc == 0) rc = put_escaped(&path, vals[i]);
    }
    if (rc == 0) rc = wb_buf_putc(&path, '\0');
    if (rc)
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    else
        rc = wb_hub_call(hc, "GET", path.data, NULL, 0, page, NULL, err);
    wb_buf_free(&path);
    return rc;
}

/* A table row: the sightings of one day, indicator, organisation, type. */
typedef struct agg_row {
    char *day, *value, *org, *type, *event;
    long long count;
} agg_row;

static const char *type_name(const char *t)
{
    if (t && strcmp(t, "1") == 0) return "false-positive";
    if (t && strcmp(t, "2") == 0) return "expired";
    return "seen";
}

static const char *str_or(json_t *o, const char *k, const char *dflt)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : dflt;
}

static int agg_add(agg_row **rows, size_t *n, json_t *s)
{
    json_t *org = json_object_get(s, "Organisation");
    const char *on = json_string_value(json_object_get(org, "name"));
    char who[160];
    if (on)
        snprintf(who, sizeof who, "%s", on);
    else
        snprintf(who, sizeof who, "(sector %s)", str_or(org, "sector", "unknown"));
    const char *day = str_or(s, "day", ""), *value = str_or(s, "value", "");
    const char *type = type_name(str_or(s, "type", "0"));
    for (size_t i = 0; i < *n; i++) {
        agg_row *r = &(*rows)[i];
        if (strcmp(r->day, day) == 0 && strcmp(r->value, value) == 0 && strcmp(r->org, who) == 0 &&
            strcmp(r->type, type) == 0) {
            r->count += (long long)json_integer_value(json_object_get(s, "count"));
            return 0;
        }
    }
    agg_row *nr = realloc(*rows, (*n + 1) * sizeof *nr);
    if (nr == NULL) return WB_ENOMEM;
    *rows = nr;
    agg_row *r = &nr[(*n)++];
    r->day = strdup(day);
    r->value = strdup(value);
    r->org = strdup(who);
    r->type = strdup(type);
    r->event = strdup(str_or(s, "event_uuid", ""));
    r->count = (long long)json_integer_value(json_object_get(s, "count"));
    return r->day && r->value && r->org && r->type && r->event ? 0 : WB_ENOMEM;
}

static int agg_cmp(const void *a, const void *b)
{
    const agg_row *x = a, *y = b;
    int c = strcmp(x->day, y->day);
    if (c == 0) c = strcmp(x->value, y->value);
    if (c == 0) c = strcmp(x->org, y->org);
    if (c == 0) c = strcmp(x->type, y->type);
    return c;
}

static void csv_field(const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"') putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void print_rows(const sight_opts *o, agg_row *rows, size_t n)
{
    qsort(rows, n, sizeof *rows, agg_cmp);
    bool csv = strcmp(o->format, "csv") == 0;
    if (csv) {
        puts("day,value,organisation,type,count,event");
        for (size_t i = 0; i < n; i++) {
            const char *f[] = {rows[i].day, rows[i].value, rows[i].org, rows[i].type};
            for (int k = 0; k < 4; k++) {
                csv_field(f[k]);
                putchar(',');
            }
            printf("%lld,%s\n", rows[i].count, rows[i].event);
        }
        return;
    }
    /* Identifiers are never cut: the columns widen. */
    int wv = 5, wo = 12, wt = 4;
    for (size_t i = 0; i < n; i++) {
        if ((int)strlen(rows[i].value) > wv) wv = (int)strlen(rows[i].value);
        if ((int)strlen(rows[i].org) > wo) wo = (int)strlen(rows[i].org);
        if ((int)strlen(rows[i].type) > wt) wt = (int)strlen(rows[i].type);
    }
    printf("%-10s  %-*s  %-*s  %-*s  %9s\n", "DAY", wv, "VALUE", wo, "ORGANISATION", wt, "TYPE",
           "SIGHTINGS");
    for (size_t i = 0; i < n; i++)
        printf("%-10s  %-*s  %-*s  %-*s  %9lld\n", rows[i].day, wv, rows[i].value, wo, rows[i].org,
               wt, rows[i].type, rows[i].count);
}

static int act_list(void *ctx, int argc, char **argv)
{
    sight_opts *o = ctx;
    if (argc > 1) {
        wb_cli_error("sighting list: unexpected argument '%s'", argv[1]);
        return WB_EXIT_ERROR;
    }
    wb_error err = {0};
    wb_store *st = NULL;
    wb_hub_client hc = {.base = o->hub, .key = o->key ? o->key : getenv("WEERBAAR_KEY")};
    if (o->db && wb_sightsvc_open(&st, o->db, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    if (o->hub && hc.key == NULL) {
        wb_cli_error("sighting list: --hub needs an API key: --key KEY or WEERBAAR_KEY");
        return WB_EXIT_ERROR;
    }
    if (o->hub && wb_hub_global_init() != 0) {
        wb_cli_error("sighting list: libcurl failed to start");
        return WB_EXIT_ERROR;
    }
    bool table = strcmp(o->format, "table") == 0 || strcmp(o->format, "csv") == 0;
    bool jsonl = strcmp(o->format, "jsonl") == 0;
    agg_row *rows = NULL;
    size_t nrows = 0, total = 0;
    wb_buf page = {0};
    int64_t after = 0;
    int rc = 0;
    if (strcmp(o->format, "json") == 0) fputs("[", stdout);
    for (bool more = true; more && rc == 0;) {
        rc = fetch_page(o, &hc, st, after, &page, &err);
        if (rc) break;
        json_t *j = json_loadb(page.data, page.len, 0, NULL);
        json_t *resp = json_object_get(j, "response");
        json_t *last = json_object_get(j, "last_id");
        if (!json_is_array(resp) || !json_is_integer(last)) {
            json_decref(j);
            rc = wb_error_set(&err, WB_EFORMAT, "%s: not a page of sightings",
                              o->hub ? o->hub : o->db);
            break;
        }
        more = json_is_true(json_object_get(j, "more"));
        if (more && json_integer_value(last) <= after) more = false; /* no progress */
        after = json_integer_value(last);
        size_t i;
        json_t *e;
        json_array_foreach(resp, i, e)
        {
            json_t *s = json_object_get(e, "Sighting");
            if (table) {
                if (agg_add(&rows, &nrows, s) != 0) {
                    rc = wb_error_set(&err, WB_ENOMEM, "out of memory");
                    break;
                }
            } else {
                char *t = json_dumps(e, JSON_COMPACT);
                if (t) printf("%s%s%s", !jsonl && total ? "," : "", t, jsonl ? "\n" : "");
                free(t);
            }
            total++;
        }
        json_decref(j);
    }
    if (strcmp(o->format, "json") == 0) fputs("]\n", stdout);
    if (rc == 0 && table) print_rows(o, rows, nrows);
    for (size_t i = 0; i < nrows; i++) {
        free(rows[i].day);
        free(rows[i].value);
        free(rows[i].org);
        free(rows[i].type);
        free(rows[i].event);
    }
    free(rows);
    wb_buf_free(&page);
    if (st) wb_sightsvc_close(st);
    if (o->hub) wb_hub_global_cleanup();
    if (rc) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    return total ? WB_EXIT_OK : WB_EXIT_NO;
}

static const char *const list_opts[] = {
    "--db PATH", "--hub URL",    "--key KEY", "--since TIME",
    "--org ORG", "--event UUID", "--value V", "--format table|json|jsonl|csv",
    NULL};
const wb_cli_action wb_cli_sighting_actions[] = {
    {"list", false, act_list, "who sighted what: per day, indicator and organisation", list_opts},
    {NULL, false, NULL, NULL, NULL}};

int wb_cmd_sighting(int argc, char **argv)
{
    static const struct option lopts[] = {
        {"db", required_argument, NULL, 'd'},    {"hub", required_argument, NULL, 'H'},
        {"key", required_argument, NULL, 'k'},   {"since", required_argument, NULL, 's'},
        {"org", required_argument, NULL, 'o'},   {"event", required_argument, NULL, 'e'},
        {"value", required_argument, NULL, 'v'}, {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    sight_opts o = {.format = "table"};
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            o.db = optarg;
            break;
        case 'H':
            o.hub = optarg;
            break;
        case 'k':
            o.key = optarg;
            break;
        case 's': {
            wb_time t;
            int64_t secs;
            if (wb_parse_i64(optarg, strlen(optarg), 0, INT64_MAX / 1000000, &secs) == 0) {
                o.since = secs;
            } else if (wb_time_parse(optarg, strlen(optarg), &t) == 0) {
                o.since = t / 1000000;
            } else {
                wb_cli_error("sighting: --since expects RFC 3339 or Unix seconds, not '%s'",
                             optarg);
                return WB_EXIT_ERROR;
            }
            break;
        }
        case 'o':
            o.org = optarg;
            break;
        case 'e':
            o.event = optarg;
            break;
        case 'v':
            o.value = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "table") != 0 && strcmp(optarg, "json") != 0 &&
                strcmp(optarg, "jsonl") != 0 && strcmp(optarg, "csv") != 0) {
                wb_cli_error("sighting: --format must be table, json, jsonl or csv, not '%s'",
                             optarg);
                return WB_EXIT_ERROR;
            }
            o.format = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return WB_EXIT_OK;
        default:
            wb_cli_error("sighting: unknown option or missing value '%s' (see 'weerbaar "
                         "sighting --help')",
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
    if ((o.db == NULL) == (o.hub == NULL)) {
        wb_cli_error("sighting: give --db PATH or --hub URL (one of them)");
        return WB_EXIT_ERROR;
    }
    return wb_cli_dispatch("sighting", wb_cli_sighting_actions, &o, n, args);
}
