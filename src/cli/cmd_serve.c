/*
 * cmd_serve.c - `weerbaar serve`: runs the hub's HTTP API on a database until
 * SIGTERM or SIGINT. Argument parsing, signals and log output only; the
 * server is src/hub/server.c and the API src/hub/api.c.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmdtab.h"
#include "cli/config.h"
#include "weerbaar/client.h"
#include "weerbaar/hooks.h"
#include "weerbaar/hub.h"
#include "weerbaar/nats.h"
#include "weerbaar/report.h"
#include "weerbaar/vulnsvc.h"
#include "weerbaar/sightingsvc.h"
#include "weerbaar/websession.h"
#include "weerbaar/sync.h"

static const char usage_text[] =
    "usage: weerbaar serve --db PATH --listen ADDR:PORT [--options]\n"
    "\n"
    "Runs the hub: MISP events, indicator look-ups and sightings over an HTTP\n"
    "JSON API (/api/v1, Authorization: Bearer KEY), with the TLP and\n"
    "distribution policy applied to every read. The database is created and\n"
    "migrated when needed; keys come from 'weerbaar admin key add'.\n"
    "It also serves its published events as MISP feeds (/feeds/misp/ with a key,\n"
    "/feeds/public/ without: manifest.json, <uuid>.json, hashes.csv) and each\n"
    "event as a STIX 2.1 bundle (/api/v1/events/<uuid>/stix).\n"
    "\n"
    "options:\n"
    "  --db PATH            the hub database (SQLite); required\n"
    "  --listen ADDR:PORT   where to listen (default 127.0.0.1:8080; [::1]:8080 for IPv6)\n"
    "  --tls-cert FILE      PEM certificate (with --tls-key): serve HTTPS\n"
    "  --tls-key FILE       PEM private key\n"
    "  --threads N          worker threads (default 4)\n"
    "  --max-body BYTES     largest request body (default 50000000)\n"
    "  --rate N             requests per second per key (default 100; bursts of 2N)\n"
    "  --max-connections N  connections open at once, all clients (default 1000)\n"
    "  --max-per-address N  connections open at once from one address (default 64)\n"
    "  --header-timeout S   a request's head must be complete within S seconds\n"
    "                       (default 10)\n"
    "  --timeout S          an idle kept-alive connection is closed after S seconds\n"
    "                       (default 30)\n"
    "  --hooks-interval S   how often the reminder webhooks are looked at and sent\n"
    "                       (default 30 seconds; 0 turns the dispatcher off)\n"
    "  --sync-interval S    pull from and push to the servers of 'admin server'\n"
    "                       every S seconds (default 0: only on demand, with\n"
    "                       'admin server pull|push')\n"
    "  --hooks-allow-insecure  also deliver to http:// hook URLs (default: https only)\n"
    "  --hooks-allow-private   also deliver to loopback, link-local and private\n"
    "                       addresses (checked on the address connected to)\n"
    "  --smtp URL           the mail server for the reminders' e-mail recipients\n"
    "                       (added with 'admin hook add'): smtp://HOST:PORT with\n"
    "                       STARTTLS required, or smtps://HOST:PORT; the password\n"
    "                       comes from $WEERBAAR_SMTP_PASSWORD only\n"
    "  --smtp-user USER     authenticate to the mail server as USER\n"
    "  --smtp-ca FILE       the mail server's CA certificate (PEM; default the system's)\n"
    "  --smtp-plain         smtp:// without STARTTLS when the server has none (a relay\n"
    "                       on this machine)\n"
    "  --mail-from ADDR     the reminders' sender address (required with --smtp)\n"
    "  --public-url URL     the hub's address as people reach it: the e-mails link to\n"
    "                       URL/#/incidents/ID\n"
    "  --sector-k N         the sector view of assessments shows a cell only when at\n"
    "                       least N organisations are in it (default 3, at least 2)\n"
    "  --catalogues DIR     assessment catalogues beside the built-in ones\n"
    "  --sighting-gap S     a sighting report merges into the record of the same\n"
    "                       organisation, key, attribute and type whose first/last\n"
    "                       seen window lies within S seconds (default 3600)\n"
    "  --sighting-policy owner|event  who sees sightings: the event's creator and\n"
    "                       the sighting organisation (owner, the default), or\n"
    "                       everyone who sees the event, the organisation shown\n"
    "                       only as its sector (event)\n"
    "  --web DIR            the web page's files, served at / (default: the installed\n"
    "                       share/weerbaar/web beside the program, or web/ of the\n"
    "                       source tree; without one GET / answers the status)\n"
    "  --session-hours N    a browser session ends N hours after sign-in (default 12)\n"
    "  --session-idle-minutes N\n"
    "                       ... or N minutes after its last request (default 30;\n"
    "                       0: no idle limit)\n"
    "  --advisories PATH    what POST /api/v1/vuln/scans scans against: a directory\n"
    "                       that 'weerbaar vuln fetch' keeps, or what 'vuln scan\n"
    "                       --advisories' takes (file, directory, index); read at\n"
    "                       start; without it scans answer 503\n"
    "  --vuln-fetch-every S every S seconds, bring the sources fetched into the\n"
    "                       --advisories directory up to date (as 'weerbaar vuln fetch'\n"
    "                       does for that directory) and scan against the new advisories\n"
    "                       (default 0: never; 21600 is every 6 hours)\n"
    "  --admin-second-factor  site and organisation admins must sign in to the page\n"
    "                       with a second factor (TOTP); without one set up, their\n"
    "                       session may only set it up\n"
    "  --access-log FILE    one line per request appended to FILE: time, client\n"
    "                       address, key id, method, target (secret query values\n"
    "                       hidden), status, body bytes, microseconds\n"
    "  --nats URL           publish every indicator change to NATS JetStream\n"
    "                       (stream WB_IND, one subject per audience; docs/scale.md,\n"
    "                       NATS), from where the last run stopped; with\n"
    "  --nats-creds FILE    the hub's NKey file that 'admin nats-config' wrote\n"
    "                       (hub.nkey; streams.json beside it sets the retention)\n"
    "  --config FILE        the configuration file (default $WEERBAAR_CONFIG, else\n"
    "                       /etc/weerbaar/weerbaar.conf when it exists): in its\n"
    "                       [serve] section each option above as 'key = value'\n"
    "                       (db = hub.db; a flag as true or false); the variable\n"
    "                       WEERBAAR_SERVE_<KEY> (WEERBAAR_SERVE_ACCESS_LOG) beats\n"
    "                       the file, the command line beats both\n"
    "  -h, --help           this text\n"
    "\n"
    "SIGTERM or SIGINT stops accepting connections, lets requests in flight\n"
    "finish (up to 10 s) and closes the database. SIGHUP reopens the access log\n"
    "(after log rotation). Exit status: 0 after a clean\n"
    "shutdown, 2 an error (database, address in use, certificate).\n"
    "\n"
    "examples:\n"
    "  weerbaar serve --db hub.db --listen 127.0.0.1:8080\n"
    "  weerbaar serve --db hub.db --listen [::]:8443 --tls-cert hub.pem --tls-key hub.key\n"
    "  weerbaar serve --db hub.db --hooks-interval 10\n"
    "  curl -H 'Authorization: Bearer KEY' http://127.0.0.1:8080/feeds/misp/manifest.json\n"
    "  curl http://127.0.0.1:8080/feeds/public/hashes.csv\n"
    "See docs/hub.md for the endpoints.\n";

static volatile sig_atomic_t stop_flag, reopen_flag;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        reopen_flag = 1;
    else
        stop_flag = 1;
}

static void log_line(void *ud, const char *msg)
{
    (void)ud;
    pthread_mutex_lock(&log_lock);
    fprintf(stderr, "weerbaar serve: %s\n", msg);
    pthread_mutex_unlock(&log_lock);
}

static void reload_vscan(void *ud, wb_vscan_db *db)
{
    wb_hub_vscan_replace(ud, db);
}

static bool parse_num(const char *name, const char *v, int64_t min, int64_t max, int64_t *out)
{
    if (wb_parse_i64(v, strlen(v), min, max, out) == 0) return true;
    wb_cli_error("serve: %s expects a number from %lld to %lld, not '%s'", name, (long long)min,
                 (long long)max, v);
    return false;
}

/* The options as the usage text shows them (cmdtab.h). */
const char *const wb_cli_serve_opts[] = {"--db PATH",
                                         "--listen ADDR:PORT",
                                         "--tls-cert FILE",
                                         "--tls-key FILE",
                                         "--threads N",
                                         "--max-body BYTES",
                                         "--rate N",
                                         "--max-connections N",
                                         "--max-per-address N",
                                         "--header-timeout S",
                                         "--timeout S",
                                         "--hooks-interval S",
                                         "--hooks-allow-insecure",
                                         "--hooks-allow-private",
                                         "--sync-interval S",
                                         "--sector-k N",
                                         "--catalogues DIR",
                                         "--sighting-gap S",
                                         "--sighting-policy owner|event",
                                         "--web DIR",
                                         "--session-hours N",
                                         "--session-idle-minutes N",
                                         "--advisories PATH",
                                         "--vuln-fetch-every S",
                                         "--admin-second-factor",
                                         "--access-log FILE",
                                         "--smtp URL",
                                         "--smtp-user USER",
                                         "--smtp-ca FILE",
                                         "--smtp-plain",
                                         "--mail-from ADDR",
                                         "--public-url URL",
                                         "--nats URL",
                                         "--nats-creds FILE",
                                         "--config FILE",
                                         NULL};

/* Also the configuration file's keys and the WEERBAAR_SERVE_* variables (config.c). */
static const struct option serve_lopts[] = {{"db", required_argument, NULL, 'd'},
                                            {"listen", required_argument, NULL, 'l'},
                                            {"tls-cert", required_argument, NULL, 'c'},
                                            {"tls-key", required_argument, NULL, 'k'},
                                            {"threads", required_argument, NULL, 't'},
                                            {"max-body", required_argument, NULL, 'b'},
                                            {"rate", required_argument, NULL, 'r'},
                                            {"max-connections", required_argument, NULL, 'M'},
                                            {"max-per-address", required_argument, NULL, 'A'},
                                            {"header-timeout", required_argument, NULL, 'T'},
                                            {"timeout", required_argument, NULL, 'i'},
                                            {"hooks-interval", required_argument, NULL, 'H'},
                                            {"hooks-allow-insecure", no_argument, NULL, 'I'},
                                            {"hooks-allow-private", no_argument, NULL, 'P'},
                                            {"sync-interval", required_argument, NULL, 'S'},
                                            {"sector-k", required_argument, NULL, 'K'},
                                            {"catalogues", required_argument, NULL, 'C'},
                                            {"access-log", required_argument, NULL, 'L'},
                                            {"sighting-gap", required_argument, NULL, 'G'},
                                            {"sighting-policy", required_argument, NULL, 'Y'},
                                            {"web", required_argument, NULL, 'W'},
                                            {"session-hours", required_argument, NULL, 'E'},
                                            {"session-idle-minutes", required_argument, NULL, 'J'},
                                            {"advisories", required_argument, NULL, 'V'},
                                            {"vuln-fetch-every", required_argument, NULL, 'F'},
                                            {"admin-second-factor", no_argument, NULL, '2'},
                                            {"smtp", required_argument, NULL, 1001},
                                            {"smtp-user", required_argument, NULL, 1002},
                                            {"smtp-ca", required_argument, NULL, 1003},
                                            {"smtp-plain", no_argument, NULL, 1004},
                                            {"mail-from", required_argument, NULL, 1005},
                                            {"public-url", required_argument, NULL, 1006},
                                            {"nats", required_argument, NULL, 1020},
                                            {"nats-creds", required_argument, NULL, 1021},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};

static int serve_run(int argc, char **argv)
{
    const struct option *lopts = serve_lopts;
    wb_hub_opts ho = {.log = log_line};
    wb_serve_opts so = {.listen = "127.0.0.1:8080", .stop = &stop_flag, .reopen = &reopen_flag};
    int64_t v, hooks_interval = 30, sync_interval = 0, fetch_every = 0;
    bool hooks_insecure = false, hooks_private = false;
    /* The e-mail reminders (hooks.h); the password only from the environment. */
    wb_hooks_opts hopts = {.smtp_password = getenv("WEERBAAR_SMTP_PASSWORD")};
    wb_nats_pub_opts nopts = {.log = log_line};
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            ho.db = optarg;
            break;
        case 'l':
            so.listen = optarg;
            break;
        case 'c':
            so.tls_cert = optarg;
            break;
        case 'k':
            so.tls_key = optarg;
            break;
        case 't':
            if (!parse_num("--threads", optarg, 1, 256, &v)) return WB_EXIT_ERROR;
            so.threads = (unsigned)v;
            break;
        case 'b':
            if (!parse_num("--max-body", optarg, 1024, (int64_t)1 << 32, &v)) return WB_EXIT_ERROR;
            ho.max_body = (size_t)v;
            break;
        case 'r':
            if (!parse_num("--rate", optarg, 1, 1000000, &v)) return WB_EXIT_ERROR;
            ho.rate = (double)v;
            break;
        case 'M':
            if (!parse_num("--max-connections", optarg, 16, 1000000, &v)) return WB_EXIT_ERROR;
            so.max_connections = (unsigned)v;
            break;
        case 'A':
            if (!parse_num("--max-per-address", optarg, 1, 1000000, &v)) return WB_EXIT_ERROR;
            so.max_per_address = (unsigned)v;
            break;
        case 'T':
            if (!parse_num("--header-timeout", optarg, 1, 3600, &v)) return WB_EXIT_ERROR;
            so.header_timeout = (unsigned)v;
            break;
        case 'i':
            if (!parse_num("--timeout", optarg, 1, 86400, &v)) return WB_EXIT_ERROR;
            so.timeout = (unsigned)v;
            break;
        case 'H':
            if (!parse_num("--hooks-interval", optarg, 0, 86400, &v)) return WB_EXIT_ERROR;
            hooks_interval = v;
            break;
        case 'I':
            hooks_insecure = true;
            break;
        case 'S':
            if (!parse_num("--sync-interval", optarg, 0, 86400 * 7, &v)) return WB_EXIT_ERROR;
            sync_interval = v;
            break;
        case 'P':
            hooks_private = true;
            break;
        case 'K':
            if (!parse_num("--sector-k", optarg, 2, 1000000, &v)) return WB_EXIT_ERROR;
            ho.sector_k = (unsigned)v;
            break;
        case 'C':
            ho.catalogues = optarg;
            break;
        case 'L':
            so.access_log = optarg;
            break;
        case 'G':
            if (!parse_num("--sighting-gap", optarg, 0, WB_SIGHTING_GAP_MAX, &v))
                return WB_EXIT_ERROR;
            ho.sighting_gap = v == 0 ? -1 : v; /* -1: no gap (0 means the default) */
            break;
        case 'Y':
            if (strcmp(optarg, "owner") != 0 && strcmp(optarg, "event") != 0) {
                wb_cli_error("serve: --sighting-policy is owner or event, not '%s'", optarg);
                return WB_EXIT_ERROR;
            }
            ho.sightings_open = strcmp(optarg, "event") == 0;
            break;
        case 'W':
            ho.web_dir = optarg;
            break;
        case 'E':
            if (!parse_num("--session-hours", optarg, 1, 24 * 30, &v)) return WB_EXIT_ERROR;
            ho.session_seconds = v * 3600;
            break;
        case 'J':
            if (!parse_num("--session-idle-minutes", optarg, 0, 24 * 60, &v)) return WB_EXIT_ERROR;
            ho.session_idle_seconds = v == 0 ? -1 : v * 60;
            break;
        case '2':
            ho.admin_second_factor = true;
            break;
        case 'V':
            ho.advisories = optarg;
            break;
        case 'F':
            if (!parse_num("--vuln-fetch-every", optarg, 0, 30 * 86400, &v)) return WB_EXIT_ERROR;
            fetch_every = v;
            break;
        case 1001:
            hopts.smtp_url = optarg;
            break;
        case 1002:
            hopts.smtp_user = optarg;
            break;
        case 1003:
            hopts.smtp_ca_file = optarg;
            break;
        case 1004:
            hopts.smtp_plain = true;
            break;
        case 1005:
            hopts.mail_from = optarg;
            break;
        case 1006:
            hopts.hub_url = optarg;
            break;
        case 1020:
            nopts.url = optarg;
            break;
        case 1021:
            nopts.creds = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return WB_EXIT_OK;
        default:
            wb_cli_error("serve: unknown option or missing value '%s' (see 'weerbaar serve "
                         "--help')",
                         argv[optind - 1]);
            return WB_EXIT_ERROR;
        }
    }
    if (optind != argc) {
        wb_cli_error("serve: unexpected argument '%s'", argv[optind]);
        return WB_EXIT_ERROR;
    }
    if (ho.db == NULL) {
        wb_cli_error("serve: --db PATH is required");
        return WB_EXIT_ERROR;
    }
    if (fetch_every > 0 && ho.advisories == NULL) {
        wb_cli_error("serve: --vuln-fetch-every needs --advisories DIR (a directory that "
                     "'weerbaar vuln fetch' set up)");
        return WB_EXIT_ERROR;
    }
    if ((nopts.url != NULL) != (nopts.creds != NULL)) {
        wb_cli_error("serve: --nats URL and --nats-creds FILE go together");
        return WB_EXIT_ERROR;
    }
    wb_error err = {0};
    if (wb_hooks_mail_check(&hopts, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    char webdir[4096];
    if (ho.web_dir == NULL && wb_web_default_dir(webdir, sizeof webdir) == 0) ho.web_dir = webdir;
    /* One database connection per worker thread, plus one to spare. */
    ho.connections = (so.threads ? so.threads : 4) + 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    wb_hub *hub = NULL;
    if (wb_hub_open(&hub, &ho, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    /* The reminder webhooks (docs/incident.md): a thread of their own with
     * their own connection, so a slow receiver never holds up the API. */
    wb_hooks_dispatcher *hooks = NULL;
    if (hooks_interval > 0) {
        hopts.allow_insecure = hooks_insecure;
        hopts.allow_private = hooks_private;
        if (wb_hub_global_init() != 0 ||
            wb_hooks_dispatcher_start(&hooks, ho.db, &hopts, (unsigned)hooks_interval, log_line,
                                      NULL, &err) != 0) {
            if (err.msg[0] == '\0') wb_error_set(&err, WB_EINTERNAL, "serve: libcurl failed");
            wb_cli_report(&err);
            wb_hub_close(hub);
            return WB_EXIT_ERROR;
        }
    }
    /* Hub-to-hub sync on a schedule: a thread and a connection of its own. */
    wb_sync_scheduler *sync = NULL;
    if (sync_interval > 0) {
        if ((hooks == NULL && wb_hub_global_init() != 0) ||
            wb_sync_scheduler_start(&sync, ho.db, (unsigned)sync_interval, ho.sightings_open,
                                    log_line, NULL, &err) != 0) {
            if (err.msg[0] == '\0') wb_error_set(&err, WB_EINTERNAL, "serve: libcurl failed");
            wb_cli_report(&err);
            wb_hooks_dispatcher_stop(hooks);
            wb_hub_close(hub);
            return WB_EXIT_ERROR;
        }
    }
    /* The advisory directory kept current (vulnsvc.h): a thread of its own. */
    wb_vscan_fetcher *fetcher = NULL;
    if (fetch_every > 0) {
        if ((hooks == NULL && sync == NULL && wb_hub_global_init() != 0) ||
            wb_vscan_fetcher_start(&fetcher, ho.advisories, (unsigned)fetch_every, reload_vscan,
                                   hub, log_line, NULL, &err) != 0) {
            if (err.msg[0] == '\0') wb_error_set(&err, WB_EINTERNAL, "serve: libcurl failed");
            wb_cli_report(&err);
            wb_sync_scheduler_stop(sync);
            wb_hooks_dispatcher_stop(hooks);
            wb_hub_close(hub);
            return WB_EXIT_ERROR;
        }
    }
    /* Indicator changes to NATS JetStream (nats.h): a thread and a
     * connection of its own, resuming where the database says it stopped. */
    wb_nats_pub *npub = NULL;
    if (nopts.url) {
        nopts.db = ho.db;
        nopts.sighting_gap = ho.sighting_gap;
        if (wb_nats_pub_start(&npub, &nopts, &err) != 0) {
            wb_cli_report(&err);
            wb_vscan_fetcher_stop(fetcher);
            wb_sync_scheduler_stop(sync);
            wb_hooks_dispatcher_stop(hooks);
            if (hooks || sync || fetcher) wb_hub_global_cleanup();
            wb_hub_close(hub);
            return WB_EXIT_ERROR;
        }
        fprintf(stderr, "weerbaar serve: publishing indicator changes to %s\n", nopts.url);
    }
    fprintf(stderr, "weerbaar serve: %s on %s://%s (database %s)\n", WB_VERSION,
            so.tls_cert ? "https" : "http", so.listen, ho.db);
    if (ho.web_dir)
        fprintf(stderr, "weerbaar serve: the web page at %s://%s/ (from %s)\n",
                so.tls_cert ? "https" : "http", so.listen, ho.web_dir);
    else
        fprintf(stderr, "weerbaar serve: no web page (no web directory found; --web DIR)\n");
    int rc = wb_hub_serve(hub, &so, &err);
    wb_nats_pub_stop(npub);
    wb_vscan_fetcher_stop(fetcher);
    wb_sync_scheduler_stop(sync);
    wb_hooks_dispatcher_stop(hooks);
    if (hooks || sync || fetcher) wb_hub_global_cleanup();
    wb_hub_close(hub);
    wb_report_cleanup(); /* the incident PDFs the hub drew (fontconfig's caches) */
    if (rc) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    fprintf(stderr, "weerbaar serve: stopped\n");
    return WB_EXIT_OK;
}

int wb_cmd_serve(int argc, char **argv)
{
    /* --help answers before any configuration file is read: it must work
     * with a --config that names a file not there yet. */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            return WB_EXIT_OK;
        }
    wb_cli_args a = {0};
    int status = wb_cli_config_args("serve", serve_lopts, argc, argv, &a);
    if (status != 0) return status;
    status = serve_run(a.argc, a.argv);
    wb_cli_args_free(&a);
    return status;
}
