/*
 * cmd_admin.c - `weerbaar admin`: the command's options and dispatch, and
 * the output of the hub database's routes, hooks, warninglists, audit
 * chain and demo, whose rules are the admin service's (admin.h).
 * Organisations, users, keys, sharing groups, audit list and import are
 * the accounts service's (cmd_admin_accounts.c, accounts.h), on a local
 * database or, with --hub URL --key KEY, on a running hub. Every action is
 * written to the audit log in the same transaction.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cmd_admin_accounts.h"
#include "cli/cmd_admin_backup.h"
#include "cli/cmd_admin_galaxy.h"
#include "cli/cmd_admin_nats.h"
#include "cli/cmd_admin_server.h"
#include "cli/cmd_admin_web.h"
#include "cli/cli.h"
#include "cli/cmdtab.h"
#include "weerbaar/admin.h"
#include "weerbaar/hooks.h"
#include "weerbaar/hub.h"
#include "weerbaar/incident.h"
#include "weerbaar/io.h"
#include "weerbaar/warnlistsvc.h"

static const char usage_text[] =
    "usage: weerbaar admin OBJECT ACTION [ARGS] --db PATH|--hub URL --key KEY [--options]\n"
    "\n"
    "Administers a hub: its database (--db, created when missing; you act as\n"
    "the hub's operator) or, for organisations, users, keys, sharing groups,\n"
    "audit list and import, a running hub (--hub URL --key KEY: a site admin's\n"
    "key, or an organisation admin's for their own users and keys).\n"
    "\n"
    "  org add NAME --kind csirt|essential|important|supervisor|other\n"
    "          [--sector SECTOR] [--kvk NUMBER]\n"
    "  org list\n"
    "  org rename NAME NEW-NAME\n"
    "  org set NAME [--kind KIND] [--sector SECTOR] [--kvk NUMBER]\n"
    "                         ('' clears sector or kvk)\n"
    "  org disable NAME       its keys are refused from the next request on; its\n"
    "                         events and records stay\n"
    "  org enable NAME\n"
    "  org remove NAME [--transfer-to ORG]\n"
    "                         only when it owns nothing, or after giving what it\n"
    "                         owns (users, events, incidents, ...) to ORG\n"
    "  user add EMAIL --org NAME --role site-admin|org-admin|member|sensor\n"
    "  user list [--org NAME]\n"
    "  user set EMAIL [--role ROLE] [--org NAME]\n"
    "  user disable EMAIL     its keys are refused from the next request on\n"
    "  user enable EMAIL\n"
    "  user remove EMAIL      the user and its keys\n"
    "  user password EMAIL    sets the user's password for the web page: asked twice\n"
    "                         on a terminal, else the first line of standard input\n"
    "  user link EMAIL [--url URL] [--hours N]\n"
    "                         prints a one-time link (valid N hours, default 72) with\n"
    "                         which the user sets a password and signs in: the first\n"
    "                         login, or a reset; URL is the hub's page (default\n"
    "                         http://127.0.0.1:8080)\n"
    "  user second-factor-reset EMAIL\n"
    "                         removes the user's TOTP second factor and recovery\n"
    "                         codes (a lost device) and ends the user's sessions\n"
    "  key add EMAIL [--expires DATE] [--comment TEXT]\n"
    "                         prints the key's id and the key, once: it is stored\n"
    "                         only as a keyed hash and cannot be shown again; an\n"
    "                         expired key is refused, saying that it expired\n"
    "  key revoke ID|EMAIL    one key by id, or every key of a user\n"
    "  key list [--org NAME]  created, last used (the day), expiry, state\n"
    "  sharing-group add NAME --orgs A,B,... [--uuid UUID]\n"
    "                         creates the group, or adds organisations to it;\n"
    "                         --uuid: the group's uuid on another hub, so that\n"
    "                         its events keep their sharing group by sync\n"
    "  sharing-group remove NAME --orgs A,B,...\n"
    "                         takes organisations out of the group\n"
    "  sharing-group rename NAME NEW-NAME\n"
    "  sharing-group members NAME\n"
    "  sharing-group list\n"
    "  server add NAME --url URL --key KEY [--org ORG] [--pull] [--push]\n"
    "          [--push-sightings] [--rules JSON] [--sharing-groups A,B]\n"
    "                         links this hub to another hub (weerbaar or MISP) to\n"
    "                         pull its events and/or push ours (default --pull);\n"
    "                         KEY is the other hub's key for our sync user, kept\n"
    "                         for syncing and never shown again; calls from it come\n"
    "                         with keys of organisation ORG (default NAME, created\n"
    "                         when missing); distribution 4 events of the sharing\n"
    "                         groups named travel to and from it; --rules is\n"
    "                         MISP's {\"tags\": {\"OR\": [..], \"NOT\": [..]},\n"
    "                         \"orgs\": {...}} filter, both ways;\n"
    "                         --push-sightings pushes sightings (not events) to\n"
    "                         it, as MISP's \"push sightings\" (implied by --push)\n"
    "  server list            the servers, cursors and last results (no keys)\n"
    "  server remove NAME\n"
    "  server pull NAME       pulls now (progress on a terminal's stderr)\n"
    "  server push NAME       pushes now; sightings go as --sighting-policy says:\n"
    "          [--sighting-policy org|event]\n"
    "                         org (default, MISP's): only towards the event's\n"
    "                         creator; event: wherever the event may go (use\n"
    "                         serve's --sighting-policy)\n"
    "  import FILE [--quiet]  organisations and users from FILE.csv (a header line:\n"
    "                         organisation,kind,sector,kvk,email,role) or FILE.json\n"
    "                         ({\"organisations\": [...], \"users\": [...]}): all or\n"
    "                         nothing, problems named by file:line; a second run\n"
    "                         changes nothing\n"
    "  audit list [--since DATE] [--org NAME] [--action ACTION] [--limit N] [--page N]\n"
    "                         newest first; --action user is every user.* action\n"
    "  route add --sector SECTOR --csirt ORG [--supervisor ORG]\n"
    "                         the CSIRT (and supervisor) incidents of organisations\n"
    "                         in SECTOR go to; --sector '*' is the national CSIRT\n"
    "                         for every sector without a route of its own\n"
    "  route list\n"
    "  hook add --org ORG --url URL [--allow-insecure] [--allow-private]\n"
    "                         https:// to a public address unless allowed (the\n"
    "                         dispatcher checks again, with its own options)\n"
    "                         a receiver of ORG's incident reminders (deadline 6 h\n"
    "                         away, overdue; for a CSIRT also every new report);\n"
    "                         prints the hook's id and its signing secret, once\n"
    "  hook add --org ORG --email ADDR [--lang nl|en]\n"
    "                         an e-mail recipient of the same reminders, written in\n"
    "                         Dutch (default) or English ('incident hooks run' and\n"
    "                         serve send them through the mail server they name)\n"
    "  hook list [--org ORG]  active hooks (the secret is never shown again)\n"
    "  hook remove ID         stops a hook; its pending deliveries are cancelled\n"
    "  hook deliveries [ID]   every delivery (of one hook): status, attempts, the\n"
    "                         receiver's last answer\n"
    "  warninglist add FILE|DIR... [--recheck]\n"
    "                         MISP warninglists (list.json, or a directory such\n"
    "                         as misp-warninglists' lists/): indicators posted\n"
    "                         afterwards that are on one keep to_ids false and\n"
    "                         name the list; a running serve applies them at its\n"
    "                         next request; a list with the same name is replaced;\n"
    "                         --recheck also marks stored attributes (recheck)\n"
    "  warninglist recheck    marks stored attributes a list now covers (to_ids\n"
    "                         false, \"warninglist\": its name), as MISP does;\n"
    "                         nothing is deleted\n"
    "  warninglist list\n"
    "  galaxy add FILE|DIR...  MISP galaxy JSON (misp-galaxy's galaxies/ and\n"
    "                         clusters/ files, or a directory with them, such as\n"
    "                         the set in share/weerbaar/galaxies): the clusters\n"
    "                         MISP clients attach to events as misp-galaxy: tags\n"
    "  galaxy list\n"
    "  audit verify [FILE...] checks the audit log's hash chain (and archive files\n"
    "                         that admin audit archive wrote); prints the head\n"
    "                         hash to note elsewhere; exit 1 when it is broken\n"
    "  audit archive --before DATE --out FILE\n"
    "                         writes the entries older than DATE (RFC 3339 or a\n"
    "                         date) to FILE, whose chain continues into the\n"
    "                         entries that stay, then removes them from the table\n"
    "  backup --out FILE      a consistent copy of the database, also of a running\n"
    "                         hub's (SQLite's online backup), integrity-checked\n"
    "  restore FILE [--force] replaces the database with a backup after checking\n"
    "                         it; refused while a hub has the database open\n"
    "                         unless --force (then restart the hub)\n"
    "  nats-config --out DIR [--url URL] [--retention DAYS]\n"
    "                         the nats-server accounts for the hub's sensors: one\n"
    "                         NATS user (an NKey) per sensor user, allowed only\n"
    "                         its organisation's indicator subjects; the user\n"
    "                         files (DIR/users/ORG/uN.nkey), hub.nkey and the\n"
    "                         stream definitions (streams.json, WB_IND kept DAYS,\n"
    "                         default 7); URL goes into the user files\n"
    "  demo                   fills an empty database with demo organisations,\n"
    "                         users, a sharing group, a warninglist and events at\n"
    "                         every TLP level, and prints the demo users' keys\n"
    "\n"
    "options:\n"
    "  --db PATH       the hub database (SQLite)\n"
    "  --hub URL       a running hub instead (org, user, key, sharing-group,\n"
    "                  import, audit list), with --key KEY\n"
    "  --key KEY       an admin's API key for --hub\n"
    "  --format FMT    output: table (default) or json\n"
    "  -q, --quiet     import, server pull|push: no progress line (drawn on standard\n"
    "                  error only when it is a terminal)\n"
    "  -h, --help      this text\n"
    "\n"
    "examples:\n"
    "  weerbaar admin org add NCSC --kind csirt --db hub.db\n"
    "  weerbaar admin import members.csv --db hub.db\n"
    "  weerbaar admin org disable Member-018 --hub https://hub.example --key KEY\n"
    "  weerbaar admin key add soc@energienet.example --expires 2027-01-01 --db hub.db\n"
    "  weerbaar admin sharing-group add Drinkwater --orgs Member-018 --db hub.db\n"
    "  weerbaar admin audit list --action org --since 2026-12-01 --db hub.db\n"
    "  weerbaar admin route add --sector '*' --csirt NCSC --db hub.db\n"
    "  weerbaar admin hook add --org NCSC --url https://soc.example.nl/weerbaar --db hub.db\n"
    "  weerbaar admin warninglist add misp-warninglists/lists/public-dns-v4/list.json "
    "--db hub.db\n"
    "\n"
    "Every action is written to the audit log. Exit status: 0 success, 1 an\n"
    "audit chain that does not verify, 2 an error (unknown organisation,\n"
    "duplicate e-mail, bad role, a refused import, ...).\n";

typedef struct admin_opts {
    const char *db, *kind, *sector, *kvk, *org, *role, *orgs, *csirt, *supervisor, *url;
    const char *before, *out;
    const char *hub, *key, *expires, *comment, *transfer_to, *since, *action; /* accounts */
    int64_t limit, page;
    const char *hours;           /* user link (and --url) */
    const char *rules, *sgroups; /* server (and --key, --url, --org) */
    const char *retention;       /* nats-config */
    const char *uuid;            /* sharing-group add */
    const char *email, *lang;    /* hook add: an e-mail recipient */
    bool pull, push;             /* server */
    bool quiet;                  /* import, server pull|push: no progress line */
    bool push_sightings, sightings_open;
    bool json;
    bool allow_insecure, allow_private; /* hook add */
    bool force;                         /* restore */
    bool recheck;                       /* warninglist add */
} admin_opts;

typedef struct admin_ctx {
    wb_store *st;
    wb_error err;
    bool json;
    json_t *rows;
} admin_ctx;

static int fail(admin_ctx *c)
{
    wb_cli_report(&c->err);
    return WB_EXIT_ERROR;
}

static void fmt_time(wb_time t, char *buf, size_t cap)
{
    if (t == WB_TIME_NONE) {
        snprintf(buf, cap, "-");
        return;
    }
    wb_time_format(t - t % 1000000, buf, cap);
}

static int print_rows(admin_ctx *c)
{
    if (!c->json) return WB_EXIT_OK;
    char *s = json_dumps(c->rows, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s == NULL) {
        wb_cli_error("admin: out of memory");
        return WB_EXIT_ERROR;
    }
    puts(s);
    free(s);
    return WB_EXIT_OK;
}

/* ---- routes ------------------------------------------------------------------ */

static int route_row(void *ud, const wb_route_rec *r)
{
    admin_ctx *c = ud;
    if (c->json) {
        json_t *o = json_pack("{s:s,s:s}", "sector", r->sector, "csirt", r->csirt_name);
        json_object_set_new(o, "supervisor",
                            r->supervisor_name ? json_string(r->supervisor_name) : json_null());
        json_array_append_new(c->rows, o);
        return 0;
    }
    printf("%-36s %-30s %s\n", r->sector, r->csirt_name,
           r->supervisor_name ? r->supervisor_name : "-");
    return 0;
}

static int route_cmd(admin_ctx *c, const admin_opts *o, char **args, int n)
{
    if (n == 1 && strcmp(args[0], "list") == 0) {
        if (!c->json) printf("%-36s %-30s %s\n", "SECTOR", "CSIRT", "SUPERVISOR");
        if (wb_admin_route_list(c->st, route_row, c, &c->err) != 0) return fail(c);
        return print_rows(c);
    }
    if (n != 1 || strcmp(args[0], "add") != 0 || o->sector == NULL || o->csirt == NULL) {
        wb_cli_error("admin route: expected 'add --sector SECTOR --csirt ORG [--supervisor "
                     "ORG]' or 'list'");
        return WB_EXIT_ERROR;
    }
    wb_actor op = wb_incsvc_operator();
    if (wb_admin_route_set(c->st, &op, o->sector, o->csirt, o->supervisor, &c->err) != 0)
        return fail(c);
    printf("route: %s -> %s%s%s\n", o->sector, o->csirt, o->supervisor ? ", supervisor " : "",
           o->supervisor ? o->supervisor : "");
    return WB_EXIT_OK;
}

/* ---- reminder webhooks ----------------------------------------------------------- */

static int hook_row(void *ud, const wb_hook_rec *h)
{
    admin_ctx *c = ud;
    char created[48];
    fmt_time(h->created, created, sizeof created);
    if (c->json) {
        json_array_append_new(c->rows,
                              json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)h->id, "org",
                                        h->org_name, "url", h->url, "created", created));
        return 0;
    }
    printf("%-4lld %-30s %-26s %s\n", (long long)h->id, h->org_name, created, h->url);
    return 0;
}

static int delivery_row(void *ud, const wb_delivery_rec *d)
{
    admin_ctx *c = ud;
    char next[48], delivered[48];
    fmt_time(d->next_attempt, next, sizeof next);
    fmt_time(d->delivered, delivered, sizeof delivered);
    if (c->json) {
        json_t *o = json_pack("{s:I,s:s,s:I,s:s,s:s,s:I,s:s,s:I,s:s?,s:s}", "id", (json_int_t)d->id,
                              "delivery", d->uuid, "hook", (json_int_t)d->hook_id, "event_key",
                              d->event_key, "status", wb_delivery_status_name(d->status),
                              "attempts", (json_int_t)d->attempts, "next_attempt", next,
                              "last_status", (json_int_t)d->last_status, "last_error",
                              d->last_error, "delivered", delivered);
        if (o) json_object_set_new(o, "body", json_loads(d->body, 0, NULL));
        json_array_append_new(c->rows, o);
        return 0;
    }
    printf("%-5lld %-5lld %-10s %-8lld %-4lld %s\n", (long long)d->id, (long long)d->hook_id,
           wb_delivery_status_name(d->status), (long long)d->attempts, (long long)d->last_status,
           d->event_key);
    return 0;
}

static int hook_cmd(admin_ctx *c, const admin_opts *o, char **args, int n)
{
    int64_t id = 0;
    if (n == 1 && strcmp(args[0], "list") == 0) {
        if (!c->json) printf("%-4s %-30s %-26s %s\n", "ID", "ORGANISATION", "CREATED", "URL");
        if (wb_admin_hook_list(c->st, o->org, hook_row, c, &c->err) != 0) return fail(c);
        return print_rows(c);
    }
    if ((n == 1 || n == 2) && strcmp(args[0], "deliveries") == 0) {
        if (n == 2 && wb_parse_i64(args[1], strlen(args[1]), 1, INT64_MAX, &id) != 0) {
            wb_cli_error("admin hook deliveries: '%s' is not a hook id", args[1]);
            return WB_EXIT_ERROR;
        }
        if (!c->json)
            printf("%-5s %-5s %-10s %-8s %-4s %s\n", "ID", "HOOK", "STATUS", "ATTEMPTS", "HTTP",
                   "EVENT");
        if (wb_admin_hook_deliveries(c->st, id, delivery_row, c, &c->err) != 0) return fail(c);
        return print_rows(c);
    }
    if (n == 2 && strcmp(args[0], "remove") == 0) {
        if (wb_parse_i64(args[1], strlen(args[1]), 1, INT64_MAX, &id) != 0) {
            wb_cli_error("admin hook remove: '%s' is not a hook id", args[1]);
            return WB_EXIT_ERROR;
        }
        wb_actor op = wb_incsvc_operator();
        if (wb_admin_hook_remove(c->st, &op, id, args[1], &c->err) != 0) return fail(c);
        printf("hook %lld removed\n", (long long)id);
        return WB_EXIT_OK;
    }
    if (n != 1 || strcmp(args[0], "add") != 0 || o->org == NULL ||
        (o->url == NULL) == (o->email == NULL) || (o->lang && o->email == NULL)) {
        wb_cli_error("admin hook: expected 'add --org ORG --url URL', 'add --org ORG --email ADDR "
                     "[--lang nl|en]', 'list', 'remove ID' or 'deliveries [ID]'");
        return WB_EXIT_ERROR;
    }
    char secret[WB_HOOK_SECRET_LEN + 1];
    wb_actor op = wb_incsvc_operator();
    if (o->email) {
        const char *lang = o->lang ? o->lang : "nl";
        if (wb_admin_hook_add_mail(c->st, &op, o->org, o->email, lang, &id, &c->err) != 0)
            return fail(c);
        printf("hook %lld for %s: mailto:%s (%s)\n", (long long)id, o->org, o->email, lang);
        return WB_EXIT_OK;
    }
    if (wb_admin_hook_add(c->st, &op, o->org, o->url, o->allow_insecure, o->allow_private, &id,
                          secret, &c->err) != 0)
        return fail(c);
    /* Shown once, like an API key: the receiver needs it to check signatures. */
    printf("hook %lld for %s: %s\nsecret %s\n", (long long)id, o->org, o->url, secret);
    return WB_EXIT_OK;
}

static void demo_key(void *ud, const char *email, const char *org, const char *role,
                     const char *key)
{
    (void)ud;
    printf("%-34s %-20s %-10s %s\n", email, org, role, key);
}

/* ---- warninglists ------------------------------------------------------------- */

static int wl_row(void *ud, const wb_warninglist_rec *w)
{
    admin_ctx *c = ud;
    json_t *j = json_loads(w->json, 0, NULL);
    size_t entries = json_is_object(json_object_get(j, "list"))
                         ? json_object_size(json_object_get(j, "list"))
                         : json_array_size(json_object_get(j, "list"));
    const char *type = json_string_value(json_object_get(j, "type"));
    char t[40];
    fmt_time(w->created, t, sizeof t);
    if (c->json)
        json_array_append_new(c->rows, json_pack("{s:I,s:s,s:s,s:I,s:s}", "id", (json_int_t)w->id,
                                                 "name", w->name, "type", type ? type : "string",
                                                 "entries", (json_int_t)entries, "added", t));
    else
        printf("%-4lld %-50s %-10s %8zu  %s\n", (long long)w->id, w->name, type ? type : "string",
               entries, t);
    json_decref(j);
    return 0;
}

static int wl_recheck(admin_ctx *c)
{
    size_t marked = 0;
    wb_actor op = wb_incsvc_operator();
    if (wb_wlsvc_recheck(c->st, &op, &marked, &c->err) != 0) return fail(c);
    printf("warninglist recheck: %zu attribute%s marked\n", marked, marked == 1 ? "" : "s");
    return WB_EXIT_OK;
}

static int wl_cmd(admin_ctx *c, const admin_opts *o, char **args, int n)
{
    if (n == 1 && strcmp(args[0], "list") == 0) {
        if (!c->json)
            printf("%-4s %-50s %-10s %8s  %s\n", "ID", "NAME", "TYPE", "ENTRIES", "ADDED");
        if (wb_admin_warninglist_list(c->st, wl_row, c, &c->err) != 0) return fail(c);
        return print_rows(c);
    }
    if (n == 1 && strcmp(args[0], "recheck") == 0) return wl_recheck(c);
    if (n < 2 || strcmp(args[0], "add") != 0) {
        wb_cli_error("admin warninglist: expected 'add FILE|DIR...', 'recheck' or 'list'");
        return WB_EXIT_ERROR;
    }
    wb_actor op = wb_incsvc_operator();
    for (int i = 1; i < n; i++) {
        size_t added = 0;
        if (wb_wlsvc_add(c->st, &op, args[i], &added, &c->err) != 0) return fail(c);
        printf("warninglist: %zu list%s from %s\n", added, added == 1 ? "" : "s", args[i]);
    }
    return o->recheck ? wl_recheck(c) : WB_EXIT_OK;
}

/* ---- audit ----------------------------------------------------------------- */

static void hex_of(const uint8_t *h, char out[2 * WB_AUDIT_HASH_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < WB_AUDIT_HASH_LEN; i++) {
        out[2 * i] = digits[h[i] >> 4];
        out[2 * i + 1] = digits[h[i] & 15];
    }
    out[2 * WB_AUDIT_HASH_LEN] = '\0';
}

/* One checked chain: a line (or a JSON row); false when it is broken. */
static bool audit_report(admin_ctx *c, const char *what, const wb_audit_check *k)
{
    char hex[2 * WB_AUDIT_HASH_LEN + 1];
    hex_of(k->head, hex);
    if (k->bad_id) wb_cli_error("admin: %s", c->err.msg);
    if (c->json) {
        json_array_append_new(c->rows, json_pack("{s:s,s:b,s:I,s:I,s:s,s:I}", "chain", what, "ok",
                                                 k->bad_id == 0, "entries", (json_int_t)k->rows,
                                                 "head_id", (json_int_t)k->head_id, "head", hex,
                                                 "bad_id", (json_int_t)k->bad_id));
    } else if (k->bad_id == 0) {
        printf("%s: %lld entries, chain intact; head %s (entry %lld)\n", what, (long long)k->rows,
               hex, (long long)k->head_id);
    } else {
        printf("%s: BROKEN at entry %lld\n", what, (long long)k->bad_id);
    }
    return k->bad_id == 0;
}

static int audit_cmd(admin_ctx *c, const admin_opts *o, char **args, int n)
{
    wb_audit_check k;
    if (n >= 1 && strcmp(args[0], "verify") == 0) {
        bool ok = true;
        for (int i = 1; i < n; i++) {
            if (wb_admin_audit_verify_file(c->st, args[i], &k, &c->err) != 0) return fail(c);
            ok = audit_report(c, args[i], &k) && ok;
        }
        if (wb_admin_audit_verify(c->st, &k, &c->err) != 0) return fail(c);
        ok = audit_report(c, "audit log", &k) && ok;
        int st = print_rows(c);
        return st != WB_EXIT_OK ? st : ok ? WB_EXIT_OK : WB_EXIT_NO;
    }
    if (n == 1 && strcmp(args[0], "archive") == 0) {
        wb_time before;
        if (o->before == NULL || o->out == NULL) {
            wb_cli_error("admin: audit archive needs --before DATE and --out FILE");
            return WB_EXIT_ERROR;
        }
        if (wb_time_parse(o->before, strlen(o->before), &before) != 0) {
            wb_cli_error("admin: --before: '%s' is not an RFC 3339 time or date", o->before);
            return WB_EXIT_ERROR;
        }
        wb_actor op = wb_incsvc_operator();
        if (wb_admin_audit_archive(c->st, &op, before, o->out, &k, &c->err) != 0) return fail(c);
        char hex[2 * WB_AUDIT_HASH_LEN + 1];
        hex_of(k.head, hex);
        if (c->json) {
            json_array_append_new(c->rows, json_pack("{s:I,s:s,s:I,s:s}", "archived",
                                                     (json_int_t)k.rows, "file", o->out, "last_id",
                                                     (json_int_t)k.head_id, "hash", hex));
            return print_rows(c);
        }
        if (k.rows == 0)
            printf("no entries before %s: nothing archived, no file written\n", o->before);
        else
            printf("%lld entries (to entry %lld) archived to %s and removed; the chain goes on "
                   "from %s\n",
                   (long long)k.rows, (long long)k.head_id, o->out, hex);
        return WB_EXIT_OK;
    }
    wb_cli_error("admin: audit verify [FILE...] | audit archive --before DATE --out FILE");
    return WB_EXIT_ERROR;
}

static int demo_cmd(admin_ctx *c, const char *db)
{
    printf("%-34s %-20s %-10s %s\n", "USER", "ORGANISATION", "ROLE", "KEY");
    if (wb_hub_demo(c->st, db, demo_key, NULL, &c->err) != 0) return fail(c);
    printf("\nThe keys are shown only now. Try:\n"
           "  curl -H 'Authorization: Bearer KEY' http://127.0.0.1:8080/api/v1/events\n");
    return WB_EXIT_OK;
}

/* What an object's action runs with: the open store and the options. */
typedef struct admin_run {
    admin_ctx *c;
    const admin_opts *o;
} admin_run;

#define ADMIN_ACT(name, call)                                                                      \
    static int act_##name(void *ctx, int argc, char **argv)                                        \
    {                                                                                              \
        admin_run *r = ctx;                                                                        \
        (void)r;                                                                                   \
        return call;                                                                               \
    }
ADMIN_ACT(route, route_cmd(r->c, r->o, argv + 1, argc - 1))
ADMIN_ACT(hook, hook_cmd(r->c, r->o, argv + 1, argc - 1))
ADMIN_ACT(wl, wl_cmd(r->c, r->o, argv + 1, argc - 1))
ADMIN_ACT(audit, audit_cmd(r->c, r->o, argv + 1, argc - 1))

static int act_galaxy(void *ctx, int argc, char **argv)
{
    admin_run *r = ctx;
    return wb_cli_admin_galaxy(r->o->db, r->o->json, argv + 1, argc - 1);
}

static int act_demo(void *ctx, int argc, char **argv)
{
    admin_run *r = ctx;
    if (argc == 1) return demo_cmd(r->c, r->o->db);
    wb_cli_error("admin: demo takes no arguments, not '%s'", argv[1]);
    return WB_EXIT_ERROR;
}

const char *const wb_cli_admin_opts[] = {"--db PATH", "--hub URL", "--key KEY",
                                         "--format table|json", NULL};
static const char *const org_opts[] = {"--kind csirt|essential|important|supervisor|other",
                                       "--sector SECTOR", "--kvk NUMBER", "--transfer-to ORG",
                                       NULL};
static const char *const user_opts[] = {"--org NAME", "--role site-admin|org-admin|member|sensor",
                                        "--url URL", "--hours N", NULL};
static const char *const key_opts[] = {"--expires DATE", "--comment TEXT", "--org NAME", NULL};
static const char *const sg_opts[] = {"--orgs A,B", "--uuid UUID", NULL};
static const char *const server_opts[] = {"--url URL",
                                          "--key KEY",
                                          "--org ORG",
                                          "--pull",
                                          "--push",
                                          "--push-sightings",
                                          "--sighting-policy org|event",
                                          "--rules JSON",
                                          "--sharing-groups A,B",
                                          "--quiet",
                                          NULL};
static const char *const import_opts[] = {"--quiet", NULL};
static const char *const route_opts[] = {"--sector SECTOR", "--csirt ORG", "--supervisor ORG",
                                         NULL};
static const char *const hook_opts[] = {
    "--org ORG",       "--url URL", "--email ADDR", "--lang nl|en", "--allow-insecure",
    "--allow-private", NULL};
static const char *const audit_opts[] = {
    "--before DATE", "--out FILE", "--since DATE", "--org NAME",
    "--action NAME", "--limit N",  "--page N",     NULL};
static const char *const backup_opts[] = {"--out FILE", NULL};
static const char *const restore_opts[] = {"--force", NULL};
static const char *const wl_opts[] = {"--recheck", NULL};
static const char *const nats_opts[] = {"--out DIR", "--url URL", "--retention DAYS", NULL};
const wb_cli_action wb_cli_admin_actions[] = {
    /* the accounts service's (cmd_admin_accounts.c), dispatched by
     * wb_cmd_admin: local (--db) or on a hub (--hub, --key) */
    {"org", false, NULL, "organisations: add, list, rename, set, disable, enable, remove",
     org_opts},
    {"user", false, NULL,
     "users: add, list, set, disable, enable, remove, password, link, second-factor-reset",
     user_opts},
    {"key", false, NULL, "API keys: add (expiry, comment), list, revoke", key_opts},
    {"sharing-group", false, NULL, "sharing groups: add, remove, rename, members, list", sg_opts},
    {"import", false, NULL, "organisations and users from a CSV or JSON file", import_opts},
    {"server", false, NULL, "hub-to-hub sync: add, list, remove, pull, push", server_opts},
    {"route", false, act_route, "where a sector's incidents go: add, list", route_opts},
    {"hook", false, act_hook, "reminder webhooks: add, list, remove, deliveries", hook_opts},
    {"warninglist", false, act_wl, "MISP warninglists: add, recheck, list", wl_opts},
    {"galaxy", false, act_galaxy, "MISP galaxies and clusters: add, list", NULL},
    {"audit", false, act_audit, "the audit log: list, verify, archive", audit_opts},
    {"demo", false, act_demo, "a demonstration hub's data", NULL},
    /* dispatched by wb_cmd_admin before the database is opened */
    {"backup", false, NULL, "a consistent copy of a (running) hub's database", backup_opts},
    {"restore", false, NULL, "replace the database with a checked backup", restore_opts},
    {"nats-config", false, NULL, "the nats-server accounts and streams for the sensors", nats_opts},
    {NULL, false, NULL, NULL, NULL}};

/* Whether args name an operation of the accounts service. */
static bool accounts_cmd(char **args, int n)
{
    static const char *const objs[] = {"org", "user", "key", "sharing-group", "import"};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        if (strcmp(args[0], objs[i]) == 0) return true;
    return n >= 2 && strcmp(args[0], "audit") == 0 && strcmp(args[1], "list") == 0;
}

static int run_accounts(const admin_opts *o, char **args, int n)
{
    if ((o->db != NULL) == (o->hub != NULL) || (o->hub && o->key == NULL)) {
        wb_cli_error("admin %s: give --db PATH, or --hub URL with --key KEY", args[0]);
        return WB_EXIT_ERROR;
    }
    wb_cli_admin_conn c = {
        .db = o->db, .hub = o->hub, .key = o->key, .json = o->json, .quiet = o->quiet};
    if (strcmp(args[0], "import") == 0) return wb_cli_admin_import(&c, n, args);
    wb_acct_args a = {.kind = o->kind,
                      .sector = o->sector,
                      .kvk = o->kvk,
                      .org = o->org,
                      .role = o->role,
                      .orgs = o->orgs,
                      .transfer_to = o->transfer_to,
                      .expires = o->expires,
                      .comment = o->comment,
                      .since = o->since,
                      .action = o->action,
                      .limit = o->limit,
                      .page = o->page,
                      .uuid = o->uuid};
    return wb_cli_admin_accounts(&c, args[0], n - 1, args + 1, &a);
}

int wb_cmd_admin(int argc, char **argv)
{
    static const struct option lopts[] = {{"db", required_argument, NULL, 'd'},
                                          {"kind", required_argument, NULL, 'k'},
                                          {"sector", required_argument, NULL, 's'},
                                          {"kvk", required_argument, NULL, 'K'},
                                          {"org", required_argument, NULL, 'o'},
                                          {"role", required_argument, NULL, 'r'},
                                          {"orgs", required_argument, NULL, 'O'},
                                          {"format", required_argument, NULL, 'f'},
                                          {"csirt", required_argument, NULL, 'c'},
                                          {"supervisor", required_argument, NULL, 'S'},
                                          {"url", required_argument, NULL, 'u'},
                                          {"before", required_argument, NULL, 'b'},
                                          {"out", required_argument, NULL, 'w'},
                                          {"allow-insecure", no_argument, NULL, 'I'},
                                          {"allow-private", no_argument, NULL, 'P'},
                                          {"force", no_argument, NULL, 'F'},
                                          {"recheck", no_argument, NULL, 'R'},
                                          {"hub", required_argument, NULL, 'H'},
                                          {"key", required_argument, NULL, 'y'},
                                          {"expires", required_argument, NULL, 'e'},
                                          {"comment", required_argument, NULL, 'C'},
                                          {"transfer-to", required_argument, NULL, 'T'},
                                          {"since", required_argument, NULL, 'n'},
                                          {"action", required_argument, NULL, 'a'},
                                          {"limit", required_argument, NULL, 'l'},
                                          {"page", required_argument, NULL, 'p'},
                                          {"hours", required_argument, NULL, 'N'},
                                          {"pull", no_argument, NULL, 1002},
                                          {"push", no_argument, NULL, 1003},
                                          {"rules", required_argument, NULL, 1004},
                                          {"sharing-groups", required_argument, NULL, 1005},
                                          {"uuid", required_argument, NULL, 1006},
                                          {"push-sightings", no_argument, NULL, 1007},
                                          {"sighting-policy", required_argument, NULL, 1008},
                                          {"email", required_argument, NULL, 1009},
                                          {"lang", required_argument, NULL, 1010},
                                          {"retention", required_argument, NULL, 1020},
                                          {"quiet", no_argument, NULL, 'q'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    admin_opts o = {0};
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "hq", lopts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            o.db = optarg;
            break;
        case 'q':
            o.quiet = true;
            break;
        case 'k':
            o.kind = optarg;
            break;
        case 's':
            o.sector = optarg;
            break;
        case 'K':
            o.kvk = optarg;
            break;
        case 'o':
            o.org = optarg;
            break;
        case 'r':
            o.role = optarg;
            break;
        case 'O':
            o.orgs = optarg;
            break;
        case 'c':
            o.csirt = optarg;
            break;
        case 'S':
            o.supervisor = optarg;
            break;
        case 'u':
            o.url = optarg;
            break;
        case 1009:
            o.email = optarg;
            break;
        case 1010:
            o.lang = optarg;
            break;
        case 'b':
            o.before = optarg;
            break;
        case 'w':
            o.out = optarg;
            break;
        case 'I':
            o.allow_insecure = true;
            break;
        case 'P':
            o.allow_private = true;
            break;
        case 'F':
            o.force = true;
            break;
        case 'R':
            o.recheck = true;
            break;
        case 'H':
            o.hub = optarg;
            break;
        case 'y':
            o.key = optarg;
            break;
        case 'e':
            o.expires = optarg;
            break;
        case 'C':
            o.comment = optarg;
            break;
        case 'T':
            o.transfer_to = optarg;
            break;
        case 'n':
            o.since = optarg;
            break;
        case 'a':
            o.action = optarg;
            break;
        case 'N':
            o.hours = optarg;
            break;
        case 1002:
            o.pull = true;
            break;
        case 1003:
            o.push = true;
            break;
        case 1004:
            o.rules = optarg;
            break;
        case 1005:
            o.sgroups = optarg;
            break;
        case 1006:
            o.uuid = optarg;
            break;
        case 1007:
            o.push_sightings = true;
            break;
        case 1008:
            if (strcmp(optarg, "org") != 0 && strcmp(optarg, "event") != 0) {
                wb_cli_error("admin: --sighting-policy must be org or event, not '%s'", optarg);
                return WB_EXIT_ERROR;
            }
            o.sightings_open = strcmp(optarg, "event") == 0;
            break;
        case 1020:
            o.retention = optarg;
            break;
        case 'l':
        case 'p':
            if (wb_parse_i64(optarg, strlen(optarg), 1, 1000000, ch == 'l' ? &o.limit : &o.page) !=
                0) {
                wb_cli_error("admin: --%s: a number from 1 to 1000000, not '%s'",
                             ch == 'l' ? "limit" : "page", optarg);
                return WB_EXIT_ERROR;
            }
            break;
        case 'f':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0) {
                wb_cli_error("admin: --format must be table or json");
                return WB_EXIT_ERROR;
            }
            o.json = strcmp(optarg, "json") == 0;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return WB_EXIT_OK;
        default:
            wb_cli_error("admin: unknown option or missing value '%s' (see 'weerbaar admin "
                         "--help')",
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
    /* hub-to-hub sync goes through the sync service */
    if (strcmp(args[0], "server") == 0) {
        wb_cli_server_opts so = {.db = o.db,
                                 .url = o.url,
                                 .key = o.key,
                                 .org = o.org,
                                 .rules = o.rules,
                                 .sgroups = o.sgroups,
                                 .pull = o.pull,
                                 .push = o.push,
                                 .push_sightings = o.push_sightings,
                                 .sightings_open = o.sightings_open,
                                 .quiet = o.quiet,
                                 .json = o.json};
        return wb_cli_admin_server(&so, args, n);
    }
    /* a user's web password and one-time links (cmd_admin_web.c), local only */
    if (n == 3 && strcmp(args[0], "user") == 0 && wb_cli_admin_web_verb(args[1])) {
        if (o.db == NULL) {
            wb_cli_error("admin user %s: --db PATH is required", args[1]);
            return WB_EXIT_ERROR;
        }
        admin_ctx c = {.json = o.json};
        if (wb_admin_open(&c.st, o.db, &c.err) != 0) return fail(&c);
        int status = wb_cli_admin_web(c.st, args[1], args[2], o.url, o.hours);
        wb_admin_close(c.st);
        return status;
    }
    if (accounts_cmd(args, n)) return run_accounts(&o, args, n);
    if (o.db == NULL) {
        wb_cli_error("admin: --db PATH is required");
        return WB_EXIT_ERROR;
    }
    /* before the database is opened here: a restore replaces it */
    if (strcmp(args[0], "backup") == 0 || strcmp(args[0], "restore") == 0)
        return wb_cli_admin_backup(o.db, o.out, o.force, args, n);
    if (strcmp(args[0], "nats-config") == 0)
        return wb_cli_admin_nats(o.db, o.out, o.url, o.retention, args, n);
    admin_ctx c = {.json = o.json};
    if (wb_admin_open(&c.st, o.db, &c.err) != 0) return fail(&c);
    if (o.json) c.rows = json_array();
    admin_run r = {&c, &o};
    int status = wb_cli_dispatch("admin", wb_cli_admin_actions, &r, n, args);
    json_decref(c.rows);
    wb_admin_close(c.st);
    return status;
}
