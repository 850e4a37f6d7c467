/*
 * cmd_deps.c - `weerbaar deps`: the map of digital dependencies (`deps map`)
 * and the download of the RIR statistics files it uses (`deps fetch`);
 * the shared picture's actions are in cmd_deps_share.c.
 * Options and output only; src/deps/ does the work.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmdtab.h"
#include "weerbaar/deps.h"
#include "weerbaar/progress.h"

static void deps_usage(FILE *f)
{
    fputs("usage: weerbaar deps map LOG... [--inventory CSV] [--suppliers FILE]\n"
          "                     [--ipdata DIR] [--rir FILE]... [--mmdb FILE]... [--asnames FILE]\n"
          "                     [--vendors YAML] [--eu FILE] [--log-format FMT]\n"
          "                     [--periodic-share X] [--periodic-per-day N] [--long-session S]\n"
          "                     [--no-internal-assets] [--max-pairs N] [--threads N]\n"
          "                     [--format table|json|csv|dot|svg|html] [-o FILE]\n"
          "       weerbaar deps fetch [--ipdata DIR] [--url URL]... [--quiet]\n"
          "       weerbaar deps picture|share|sectors ... (see 'weerbaar deps share --help')\n"
          "\n"
          "map: which external parties each asset depends on, in which countries, how\n"
          "much traffic leaves the EU/EEA, and which energy devices (inverter, ev-charger,\n"
          "heat-pump, battery) keep periodic or long-lived sessions to endpoints outside\n"
          "the EU/EEA (remote-switch exposure). LOGs: Zeek conn/dns/ssl/http (TSV or\n"
          "JSON), Suricata EVE (flow, netflow, dns, tls, http), nfdump or IPFIX CSV with\n"
          "a header; plain, gzip or zstd. DNS answers, TLS SNI and HTTP hosts name the\n"
          "endpoints.\n"
          "\n"
          "options (map):\n"
          "  --inventory CSV       assets: address or CIDR, asset, class, criticality, owner\n"
          "  --suppliers FILE      supplier register, CSV or JSON (docs/deps.md)\n"
          "  --ipdata DIR          RIR delegated files, asn.txt and *.mmdb in DIR (default\n"
          "                        $WEERBAAR_IPDATA, else ~/.local/share/weerbaar/ipdata)\n"
          "  --rir FILE            a delegated(-extended) file (repeatable)\n"
          "  --mmdb FILE           a MaxMind or DB-IP .mmdb (repeatable)\n"
          "  --asnames FILE        an AS-name list (RIPE asn.txt format)\n"
          "  --vendors YAML        vendor clouds (default: the built-in vendor-clouds.yaml)\n"
          "  --eu FILE             EU/EEA members (default: the built-in eu-eea.txt)\n"
          "  --log-format FMT      zeek, zeek-json, eve, csv or dnsmasq (default: detected)\n"
          "  --periodic-share X    periodic: contact days on at least X of the observed\n"
          "                        days (default 0.8)\n"
          "  --periodic-per-day N  a contact day has at least N contacts (default 12)\n"
          "  --long-session S      long-lived: a session of at least S seconds (default 3600)\n"
          "  --no-internal-assets  only inventory addresses are assets (default: internal\n"
          "                        addresses outside the inventory are assets too)\n"
          "  --max-pairs N         at most N (asset, endpoint) pairs (default 50000000)\n"
          "  --threads N           parse with N threads (default 2)\n"
          "  --format F            table (default), json, csv, dot, svg, html\n"
          "  -o, --output FILE     write there instead of standard output\n"
          "\n"
          "options (fetch):\n"
          "  --ipdata DIR          where to put the files (as above)\n"
          "  --url URL             fetch URL instead of the five registries (repeatable)\n"
          "  -q, --quiet           no progress line (shown on standard error only when it\n"
          "                        is a terminal: percentage and time left of each file)\n"
          "\n"
          "examples:\n"
          "  weerbaar deps fetch\n"
          "  weerbaar deps map conn.log dns.log --inventory assets.csv --format html -o deps.html\n"
          "\n"
          "Exit status: 0 success, 2 an error.\n",
          f);
}

/* A built-in data file: $WEERBAAR_DATA/NAME, else next to the program
 * (installed: ../share/weerbaar/NAME; build tree: ../data/NAME). */
static int data_file(const char *name, char *out, size_t cap)
{
    const char *env = getenv("WEERBAAR_DATA");
    if (env && *env) {
        snprintf(out, cap, "%s/%s", env, name);
        return access(out, R_OK) == 0 ? 0 : -1;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return -1;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    static const char *const rel[] = {"/../share/weerbaar/", "/../data/"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(out, cap, "%s%s%s", exe, rel[i], name);
        if (access(out, R_OK) == 0) return 0;
    }
#ifdef WB_DATADIR
    /* the prefix this program was configured to be installed in */
    snprintf(out, cap, "%s/%s", WB_DATADIR, name);
    if (access(out, R_OK) == 0) return 0;
#endif
    return -1;
}

static void default_ipdata(char *out, size_t cap)
{
    const char *env = getenv("WEERBAAR_IPDATA");
    const char *home = getenv("HOME");
    if (env && *env)
        snprintf(out, cap, "%s", env);
    else if (home && *home)
        snprintf(out, cap, "%s/.local/share/weerbaar/ipdata", home);
    else
        snprintf(out, cap, "ipdata");
}

/* Loads what an ipdata directory holds; a missing directory is no error. */
static int load_ipdata(wb_ipdb *db, const char *dir, bool explicit, wb_error *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (!explicit) return 0;
        return wb_error_set(err, WB_ENOTFOUND, "%s: %s", dir, strerror(errno));
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        const char *s = e->d_name;
        bool rir = strncmp(s, "delegated-", 10) == 0 && !wb_str_endswith(s, ".md5") &&
                   !wb_str_endswith(s, ".asc") && !wb_str_endswith(s, ".meta") &&
                   !wb_str_endswith(s, ".part");
        bool mmdb = wb_str_endswith(s, ".mmdb");
        bool asn = strcmp(s, "asn.txt") == 0 || strcmp(s, "asnames.txt") == 0;
        if (!rir && !mmdb && !asn) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **p = realloc(names, cap * sizeof *p);
            if (!p) {
                rc = WB_ENOMEM;
                break;
            }
            names = p;
        }
        names[n] = strdup(s);
        if (!names[n])
            rc = WB_ENOMEM;
        else
            n++;
    }
    closedir(d);
    /* a stable order: the first file that knows an address wins */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j], names[j - 1]) < 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        if (wb_str_endswith(names[i], ".mmdb"))
            rc = wb_ipdb_add_mmdb(db, p, err);
        else if (strncmp(names[i], "delegated-", 10) == 0)
            rc = wb_ipdb_add_rir_file(db, p, err);
        else
            rc = wb_ipdb_add_asnames_file(db, p, err);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (rc == WB_ENOMEM) wb_error_set(err, rc, "out of memory");
    return rc;
}

static int write_out(const char *path, const wb_buf *b)
{
    FILE *f = path && strcmp(path, "-") != 0 ? fopen(path, "wb") : stdout;
    if (!f) {
        wb_cli_error("deps: %s: %s", path, strerror(errno));
        return WB_EXIT_ERROR;
    }
    bool ok = b->len == 0 || fwrite(b->data, 1, b->len, f) == b->len;
    if (f != stdout)
        ok = fclose(f) == 0 && ok;
    else
        ok = fflush(f) == 0 && ok;
    if (!ok) {
        wb_cli_error("deps: %s: write failed", path ? path : "standard output");
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

static bool parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < lo || v > hi) return false;
    *out = v;
    return true;
}

enum {
    O_INV = 256,
    O_SUP,
    O_IPDATA,
    O_RIR,
    O_MMDB,
    O_ASN,
    O_VEND,
    O_EU,
    O_LOGFMT,
    O_PSHARE,
    O_PDAY,
    O_LONG,
    O_NOINT,
    O_MAXP,
    O_THREADS,
    O_FORMAT,
    O_URL
};

typedef struct opts {
    const char *inv, *sup, *ipdata, *asn, *vend, *eu, *logfmt, *format, *output;
    const char *rir[32], *mmdb[8], *url[16];
    size_t nrir, nmmdb, nurl;
    wb_deps_cfg cfg;
    unsigned threads;
    bool quiet;
} opts;

static int run_map(opts *o, int nfiles, char **files)
{
    wb_error err = {0};
    int rc = 0;
    wb_deps_inventory inv = {0};
    wb_deps_suppliers sup = {0};
    wb_deps_vendors vend = {0};
    wb_ccset eu = {0};
    wb_ipdb *db = NULL;
    wb_deps_map *m = NULL;
    wb_deps_report *r = NULL;
    wb_buf out = {0};
    char path[4200], ipdir[4096];
    if (o->inv) rc = wb_deps_inventory_load(&inv, o->inv, &err);
    if (rc == 0 && o->sup) rc = wb_deps_suppliers_load(&sup, o->sup, &err);
    if (rc == 0) {
        if (o->vend)
            rc = wb_deps_vendors_load(&vend, o->vend, &err);
        else if (data_file("vendor-clouds.yaml", path, sizeof path) == 0)
            rc = wb_deps_vendors_load(&vend, path, &err);
    }
    if (rc == 0) {
        if (o->eu)
            rc = wb_ccset_load(&eu, o->eu, &err);
        else if (data_file("eu-eea.txt", path, sizeof path) == 0)
            rc = wb_ccset_load(&eu, path, &err);
        else
            rc = wb_error_set(&err, WB_ENOTFOUND,
                              "deps: no eu-eea.txt next to the program; set WEERBAAR_DATA or "
                              "use --eu FILE");
    }
    if (rc == 0) rc = wb_ipdb_new(&db, &err);
    if (rc == 0) {
        if (o->ipdata)
            snprintf(ipdir, sizeof ipdir, "%s", o->ipdata);
        else
            default_ipdata(ipdir, sizeof ipdir);
        rc = load_ipdata(db, ipdir, o->ipdata != NULL, &err);
    }
    for (size_t i = 0; rc == 0 && i < o->nrir; i++)
        rc = wb_ipdb_add_rir_file(db, o->rir[i], &err);
    for (size_t i = 0; rc == 0 && i < o->nmmdb; i++)
        rc = wb_ipdb_add_mmdb(db, o->mmdb[i], &err);
    if (rc == 0 && o->asn) rc = wb_ipdb_add_asnames_file(db, o->asn, &err);
    if (rc == 0) rc = wb_ipdb_build(db, &err);
    if (rc == 0) rc = wb_deps_map_new(&m, &o->cfg, o->inv ? &inv : NULL, &err);
    for (int i = 0; rc == 0 && i < nfiles; i++)
        rc = wb_deps_map_read(m, files[i], o->logfmt, o->threads, &err);
    if (rc == 0) {
        uint64_t skipped;
        wb_deps_map_counts(m, NULL, &skipped, NULL, NULL);
        size_t v4 = 0, v6 = 0, mm = 0;
        wb_ipdb_stats(db, &v4, &v6, NULL, &mm);
        if (v4 + v6 + mm == 0)
            wb_cli_error("deps: warning: no IP data (no RIR files or .mmdb in %s; run 'weerbaar "
                         "deps fetch' or give --rir/--mmdb): countries are unknown",
                         ipdir);
        if (skipped) wb_cli_error("deps: %llu records skipped", (unsigned long long)skipped);
    }
    if (rc == 0)
        rc = wb_deps_report_build(&r, m, db, &eu, vend.n || o->vend ? &vend : NULL,
                                  o->sup ? &sup : NULL, &err);
    if (rc == 0) rc = wb_deps_report_write(r, o->format, &out, &err);
    int status = WB_EXIT_OK;
    if (rc) {
        wb_cli_report(&err);
        status = WB_EXIT_ERROR;
    } else
        status = write_out(o->output, &out);
    wb_buf_free(&out);
    wb_deps_report_free(r);
    wb_deps_map_free(m);
    wb_ipdb_free(db);
    wb_deps_inventory_free(&inv);
    wb_deps_suppliers_free(&sup);
    wb_deps_vendors_free(&vend);
    return status;
}

/* The progress line of a download: "NAME: 42% 1.2 of 3.0 MB, 5 s left". */
typedef struct fetch_ui {
    wb_progress line;
    const char *url;
} fetch_ui;

static void on_fetch_progress(void *ud, const char *url, uint64_t done, uint64_t total)
{
    fetch_ui *u = ud;
    if (u->url != url) {
        wb_progress_end(&u->line);
        const char *slash = strrchr(url, '/');
        wb_progress_start(&u->line, wb_cli_progress_out(false), slash ? slash + 1 : url,
                          WB_PROGRESS_BYTES);
        u->url = url;
    }
    wb_progress_update(&u->line, done, total);
}

static int run_fetch(opts *o)
{
    char dir[4096];
    if (o->ipdata)
        snprintf(dir, sizeof dir, "%s", o->ipdata);
    else
        default_ipdata(dir, sizeof dir);
    wb_deps_fetch_result res[16];
    memset(res, 0, sizeof res); /* an early error fills none */
    wb_error err = {0};
    const char *const *urls = o->nurl ? o->url : NULL;
    size_t n = o->nurl ? o->nurl : 5;
    fetch_ui ui = {0};
    wb_deps_fetch_opts fo = {.progress = wb_cli_progress_out(o->quiet) ? on_fetch_progress : NULL,
                             .ud = &ui};
    int rc = wb_deps_fetch(dir, urls, n, &fo, res, &err);
    wb_progress_end(&ui.line);
    for (size_t i = 0; i < n; i++) {
        if (res[i].name[0] == '\0') continue;
        if (res[i].status == 0)
            printf("%s: downloaded %llu bytes%s\n", res[i].name, (unsigned long long)res[i].bytes,
                   res[i].md5_checked ? ", MD5 checked" : "");
        else if (res[i].status == 1)
            printf("%s: not modified\n", res[i].name);
    }
    if (rc) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

/* Parses the options of map and fetch into o: the index of the action, or
 * -1 with the exit status in *status (the help printed, or an error). */
static int parse_map_opts(int argc, char **argv, opts *o, int *status)
{
    static const struct option lo[] = {{"inventory", required_argument, NULL, O_INV},
                                       {"suppliers", required_argument, NULL, O_SUP},
                                       {"ipdata", required_argument, NULL, O_IPDATA},
                                       {"rir", required_argument, NULL, O_RIR},
                                       {"mmdb", required_argument, NULL, O_MMDB},
                                       {"asnames", required_argument, NULL, O_ASN},
                                       {"vendors", required_argument, NULL, O_VEND},
                                       {"eu", required_argument, NULL, O_EU},
                                       {"log-format", required_argument, NULL, O_LOGFMT},
                                       {"periodic-share", required_argument, NULL, O_PSHARE},
                                       {"periodic-per-day", required_argument, NULL, O_PDAY},
                                       {"long-session", required_argument, NULL, O_LONG},
                                       {"no-internal-assets", no_argument, NULL, O_NOINT},
                                       {"max-pairs", required_argument, NULL, O_MAXP},
                                       {"threads", required_argument, NULL, O_THREADS},
                                       {"format", required_argument, NULL, O_FORMAT},
                                       {"url", required_argument, NULL, O_URL},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    *o = (opts){.format = "table", .threads = 2};
    wb_deps_cfg_default(&o->cfg);
    *status = WB_EXIT_ERROR;
    optind = 1;
    opterr = 0;
    int c;
    double v;
    while ((c = getopt_long(argc, argv, "hqo:", lo, NULL)) != -1) {
        switch (c) {
        case O_INV:
            o->inv = optarg;
            break;
        case O_SUP:
            o->sup = optarg;
            break;
        case O_IPDATA:
            o->ipdata = optarg;
            break;
        case O_ASN:
            o->asn = optarg;
            break;
        case O_VEND:
            o->vend = optarg;
            break;
        case O_EU:
            o->eu = optarg;
            break;
        case O_LOGFMT:
            o->logfmt = optarg;
            break;
        case O_FORMAT:
            o->format = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'q':
            o->quiet = true;
            break;
        case O_RIR:
            if (o->nrir == 32) {
                wb_cli_error("deps: at most 32 --rir files");
                return -1;
            }
            o->rir[o->nrir++] = optarg;
            break;
        case O_MMDB:
            if (o->nmmdb == 8) {
                wb_cli_error("deps: at most 8 --mmdb files");
                return -1;
            }
            o->mmdb[o->nmmdb++] = optarg;
            break;
        case O_URL:
            if (o->nurl == 16) {
                wb_cli_error("deps: at most 16 --url");
                return -1;
            }
            o->url[o->nurl++] = optarg;
            break;
        case O_PSHARE:
            if (!parse_num(optarg, 0.01, 1, &v)) goto bad;
            o->cfg.periodic_day_share = v;
            break;
        case O_PDAY:
            if (!parse_num(optarg, 1, 1e9, &v) || v != (unsigned)v) goto bad;
            o->cfg.periodic_per_day = (unsigned)v;
            break;
        case O_LONG:
            if (!parse_num(optarg, 1, 1e9, &v)) goto bad;
            o->cfg.long_session_s = v;
            break;
        case O_MAXP:
            if (!parse_num(optarg, 1, 4e9, &v) || v != (double)(size_t)v) goto bad;
            o->cfg.max_pairs = (size_t)v;
            break;
        case O_THREADS:
            if (!parse_num(optarg, 1, 16, &v) || v != (unsigned)v) goto bad;
            o->threads = (unsigned)v;
            break;
        case O_NOINT:
            o->cfg.internal_as_assets = false;
            break;
        case 'h':
            deps_usage(stdout);
            *status = WB_EXIT_OK;
            return -1;
        default:
            wb_cli_error("deps: unknown option '%s' (see 'weerbaar deps --help')",
                         argv[optind - 1]);
            return -1;
        }
        continue;
    bad:
        wb_cli_error("deps: bad value '%s' for %s (see 'weerbaar deps --help')", optarg,
                     argv[optind - 1][0] == '-' ? argv[optind - 1] : argv[optind - 2]);
        return -1;
    }
    return optind;
}

/* map and fetch share the parser above. */
typedef struct deps_run {
    int argc;
    char **argv;
} deps_run;

static int act_map(void *ctx, int argc, char **argv)
{
    (void)argc, (void)argv;
    deps_run *r = ctx;
    opts o;
    int status, first = parse_map_opts(r->argc, r->argv, &o, &status);
    if (first < 0) return status;
    if (r->argc - first < 2) {
        wb_cli_error("deps map: no log files (see 'weerbaar deps --help')");
        return WB_EXIT_ERROR;
    }
    static const char *const formats[] = {"table", "json", "csv", "dot", "svg", "html"};
    bool ok = false;
    for (size_t i = 0; i < 6; i++)
        ok |= strcmp(o.format, formats[i]) == 0;
    if (!ok) {
        wb_cli_error("deps: unknown --format '%s' (table, json, csv, dot, svg, html)", o.format);
        return WB_EXIT_ERROR;
    }
    return run_map(&o, r->argc - first - 1, r->argv + first + 1);
}

static int act_fetch(void *ctx, int argc, char **argv)
{
    (void)argc, (void)argv;
    deps_run *r = ctx;
    opts o;
    int status, first = parse_map_opts(r->argc, r->argv, &o, &status);
    if (first < 0) return status;
    if (r->argc - first != 1) {
        wb_cli_error("deps fetch: takes no arguments (see 'weerbaar deps --help')");
        return WB_EXIT_ERROR;
    }
    return run_fetch(&o);
}

/* picture, share and sectors parse options of their own (cmd_deps_share.c). */
static int act_picture(void *ctx, int argc, char **argv)
{
    (void)argc, (void)argv;
    return wb_cli_deps_picture(((deps_run *)ctx)->argc, ((deps_run *)ctx)->argv);
}
static int act_share(void *ctx, int argc, char **argv)
{
    (void)argc, (void)argv;
    return wb_cli_deps_share(((deps_run *)ctx)->argc, ((deps_run *)ctx)->argv);
}
static int act_sectors(void *ctx, int argc, char **argv)
{
    (void)argc, (void)argv;
    return wb_cli_deps_sectors(((deps_run *)ctx)->argc, ((deps_run *)ctx)->argv);
}

static const char *const deps_map[] = {"--inventory CSV",
                                       "--suppliers FILE",
                                       "--ipdata DIR",
                                       "--rir FILE",
                                       "--mmdb FILE",
                                       "--asnames FILE",
                                       "--vendors YAML",
                                       "--eu FILE",
                                       "--log-format zeek|zeek-json|eve|csv|dnsmasq",
                                       "--periodic-share X",
                                       "--periodic-per-day N",
                                       "--long-session S",
                                       "--no-internal-assets",
                                       "--max-pairs N",
                                       "--threads N",
                                       "--format table|json|csv|dot|svg|html",
                                       "--output FILE",
                                       NULL};
static const char *const deps_fetch[] = {"--ipdata DIR", "--url URL", "--quiet", NULL};
static const char *const deps_picture[] = {NULL};
static const char *const deps_share[] = {"--with csirt|supervisor",
                                         "--revoke",
                                         "--org ORG",
                                         "--db PATH",
                                         "--hub URL",
                                         "--key KEY",
                                         NULL};
static const char *const deps_sectors[] = {
    "--for ORG", "--audience csirt|supervisor", "--k N", "--db PATH", "--hub URL", "--key KEY",
    NULL};

const wb_cli_action wb_cli_deps_actions[] = {
    {"map", false, act_map, "who each asset depends on, and where", deps_map},
    {"fetch", false, act_fetch, "download the RIR and AS data", deps_fetch},
    {"picture", false, act_picture, "the aggregate picture of a map, to share", deps_picture},
    {"share", false, act_share, "share (or revoke) the picture with the CSIRT or supervisor",
     deps_share},
    {"sectors", false, act_sectors, "the k-anonymous sector view over shared pictures",
     deps_sectors},
    {NULL, false, NULL, NULL, NULL}};

int wb_cmd_deps(int argc, char **argv)
{
    const char *word = wb_cli_action_word(argc, argv, wb_cli_deps_actions);
    if (word == NULL) {
        bool help = wb_cli_wants_help(argc, argv);
        deps_usage(help ? stdout : stderr);
        return help ? WB_EXIT_OK : WB_EXIT_ERROR;
    }
    deps_run r = {argc, argv};
    char *w = (char *)word;
    return wb_cli_dispatch("deps", wb_cli_deps_actions, &r, 1, &w);
}
