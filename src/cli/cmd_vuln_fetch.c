/*
 * cmd_vuln_fetch.c - `weerbaar vuln fetch`: options, progress and messages
 * around wb_fetch_run (vulnfetch.h, src/vuln/fetch.c), and what `vuln scan`
 * says about the directory it reads: which one, how old, and which sources
 * are older than --max-age. docs/vuln.md ("Fetching advisories") documents
 * both.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd_vuln_fetch.h"
#include "weerbaar/client.h"
#include "weerbaar/progress.h"
#include "weerbaar/vulndb.h"

static const char usage_text[] =
    "usage: weerbaar vuln fetch [--dir DIR] [--source SOURCE]...\n"
    "                           [--require-signatures] [--max-age DAYS] [--quiet]\n"
    "\n"
    "Downloads advisories, the KEV catalogue and EPSS scores into DIR and keeps\n"
    "them current: a second fetch sends conditional requests (ETag,\n"
    "If-Modified-Since) and transfers only what changed; an interrupted download\n"
    "is resumed. 'weerbaar vuln scan' reads DIR when --advisories is not given.\n"
    "\n"
    "      --dir DIR              where to keep them (default\n"
    "                             $XDG_DATA_HOME/weerbaar/advisories, else\n"
    "                             ~/.local/share/weerbaar/advisories)\n"
    "      --source SOURCE        what to fetch (repeatable; default: every source\n"
    "                             fetched into DIR before):\n"
    "          csaf:URL           a CSAF 2.0 provider, by the URL of its\n"
    "                             provider-metadata.json (csaf:DOMAIN: the one at\n"
    "                             https://DOMAIN/.well-known/csaf/): its ROLIE\n"
    "                             feeds and directories, each document checked\n"
    "                             against the SHA-256/SHA-512 file the provider\n"
    "                             publishes and its OpenPGP signature (gpgv, the\n"
    "                             provider's own keys)\n"
    "          osv:ECOSYSTEM[=URL]  an OSV ecosystem's all.zip (PyPI, npm, Go,\n"
    "                             crates.io, Maven, Debian:12, ...); =URL: a mirror\n"
    "          kev[:URL]          CISA's known exploited vulnerabilities catalogue\n"
    "          epss[:URL]         FIRST's EPSS scores (CSV, gzip)\n"
    "      --require-signatures   a CSAF provider without OpenPGP keys, a document\n"
    "                             without a signature, or a machine without gpgv is\n"
    "                             an error (default: a warning, on every fetch)\n"
    "      --max-age DAYS         afterwards, warn about each source in DIR whose\n"
    "                             last complete fetch is older than DAYS (default 7)\n"
    "  -q, --quiet                no progress on standard error (shown only when it\n"
    "                             is a terminal)\n"
    "  -h, --help                 this text\n"
    "\n"
    "A file that fails its checksum, its signature or its format check is refused:\n"
    "the previous copy stays, the message names URL and file, and the exit status\n"
    "is 2. Progress is shown on stderr when it is a terminal.\n"
    "\n"
    "Exit status: 0 every source fetched and verified, 2 an error.\n"
    "\n"
    "examples:\n"
    "  weerbaar vuln fetch --source csaf:" WB_FETCH_NCSC_CSAF " \\\n"
    "      --source kev --source epss --source osv:PyPI\n"
    "  weerbaar vuln fetch        # later: bring the same sources up to date\n"
    "  weerbaar vuln scan --inventory sbom.cdx.json\n";

int wb_cli_max_age(const char *cmd, const char *arg)
{
    int64_t v;
    if (wb_parse_i64(arg, strlen(arg), 0, 36500, &v) != 0) {
        wb_cli_error("%s: --max-age '%s': a number of days, 0-36500", cmd, arg);
        return -1;
    }
    return (int)v;
}

/* ---- progress ---------------------------------------------------------------------------- */

typedef struct fetch_ui {
    bool tty;
    const char *url;
    char name[48]; /* the file being fetched, the progress line's subject */
    wb_progress line;
    size_t warnings;
} fetch_ui;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void clear_line(fetch_ui *u)
{
    wb_progress_clear(&u->line);
}

static void on_warn(void *ud, const char *msg)
{
    fetch_ui *u = ud;
    clear_line(u);
    u->warnings++;
    wb_cli_error("warning: %s", msg);
}

static void on_problem(void *ud, const wb_error *err)
{
    clear_line(ud);
    wb_cli_report(err);
}

static void on_progress(void *ud, const char *url, uint64_t done, uint64_t total)
{
    fetch_ui *u = ud;
    if (u->url != url) {
        wb_progress_end(&u->line);
        u->url = url;
        const char *name = strrchr(url, '/');
        snprintf(u->name, sizeof u->name, "%.47s", name && name[1] ? name + 1 : url);
        wb_progress_start(&u->line, stderr, u->name, WB_PROGRESS_BYTES);
    }
    wb_progress_update(&u->line, done, total >= done ? total : 0);
}

/* ---- ages -------------------------------------------------------------------------------- */

static void age_text(wb_time now, wb_time then, char *out, size_t cap)
{
    double s = (double)(now - then) / 1e6;
    if (s < 0) s = 0;
    if (s < 120)
        snprintf(out, cap, "%.0f seconds", s);
    else if (s < 7200)
        snprintf(out, cap, "%.0f minutes", s / 60);
    else if (s < 2 * 86400)
        snprintf(out, cap, "%.0f hours", s / 3600);
    else
        snprintf(out, cap, "%.0f days", s / 86400);
}

static bool too_old(wb_time now, wb_time then, int max_age)
{
    return then == WB_TIME_NONE || now - then > (wb_time)max_age * 86400 * 1000000;
}

/* One warning per source of f older than max_age days. */
static void warn_stale(const char *cmd, const char *dir, const wb_fetched *f, int max_age,
                       wb_time now)
{
    for (size_t i = 0; i < f->n; i++) {
        const wb_fetched_source *s = &f->v[i];
        if (s->refused_docs)
            wb_cli_error("warning: %s: %s (%s): %zu document%s refused or not fetched at its "
                         "last fetch: %s scanned",
                         cmd, s->src.name, s->src.url, s->refused_docs,
                         s->refused_docs == 1 ? " was" : "s were",
                         s->refused_docs == 1 ? "an older copy or none is"
                                              : "older copies or none are");
        if (!too_old(now, s->checked, max_age)) continue;
        if (s->checked == WB_TIME_NONE) {
            wb_cli_error("warning: %s: %s (%s) in %s has never been fetched completely", cmd,
                         s->src.name, s->src.url, dir);
            continue;
        }
        char age[40], when[40];
        age_text(now, s->checked, age, sizeof age);
        wb_time_format(s->checked, when, sizeof when);
        wb_cli_error("warning: %s: %s (%s) was last fetched %s ago (%s), more than %d day%s: "
                     "run 'weerbaar vuln fetch --dir %s'",
                     cmd, s->src.name, s->src.url, age, when, max_age, max_age == 1 ? "" : "s",
                     dir);
    }
}

/* ---- vuln fetch -------------------------------------------------------------------------- */

int wb_cmd_vuln_fetch(int argc, char **argv)
{
    enum { O_DIR = 256, O_SOURCE, O_REQSIG, O_MAXAGE, O_QUIET = 'q' };
    static const struct option longopts[] = {
        {"dir", required_argument, NULL, O_DIR},
        {"source", required_argument, NULL, O_SOURCE},
        {"require-signatures", no_argument, NULL, O_REQSIG},
        {"max-age", required_argument, NULL, O_MAXAGE},
        {"quiet", no_argument, NULL, O_QUIET},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL;
    int max_age = 7, c, status = WB_EXIT_ERROR, lock = -1;
    bool reqsig = false, quiet = false;
    wb_fetch_source *srcs = NULL;
    size_t nsrc = 0;
    wb_buf dbuf = {0};
    wb_fetched have = {0};
    wb_error err;
    wb_error_clear(&err);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hq", longopts, NULL)) != -1) {
        switch (c) {
        case O_DIR:
            dir = optarg;
            break;
        case O_SOURCE: {
            wb_fetch_source *v = realloc(srcs, (nsrc + 1) * sizeof *v);
            if (v == NULL) {
                wb_cli_error("vuln fetch: out of memory");
                goto done;
            }
            srcs = v;
            if (wb_fetch_source_parse(optarg, &srcs[nsrc], &err) != 0) {
                wb_cli_error("vuln fetch: %s", err.msg);
                goto done;
            }
            nsrc++;
            break;
        }
        case O_QUIET:
            quiet = true;
            break;
        case O_REQSIG:
            reqsig = true;
            break;
        case O_MAXAGE:
            if ((max_age = wb_cli_max_age("vuln fetch", optarg)) < 0) goto done;
            break;
        case 'h':
            fputs(usage_text, stdout);
            status = WB_EXIT_OK;
            goto done;
        case ':':
            wb_cli_error("vuln fetch: option '%s' needs a value", argv[optind - 1]);
            goto done;
        default:
            wb_cli_error("vuln fetch: unknown option '%s' (see weerbaar vuln fetch --help)",
                         argv[optind - 1]);
            goto done;
        }
    }
    if (optind < argc) {
        wb_cli_error("vuln fetch: unexpected argument '%s' (sources are given with --source)",
                     argv[optind]);
        goto done;
    }
    if (dir == NULL) {
        if (wb_fetch_default_dir(&dbuf, &err) != 0) {
            wb_cli_error("vuln fetch: %s", err.msg);
            goto done;
        }
        dir = dbuf.data;
    }
    if (wb_fetch_lock(dir, &lock, &err) != 0) {
        wb_cli_error("vuln fetch: %s", err.msg);
        goto done;
    }
    if (wb_fetched_list(dir, &have, &err) != 0) {
        wb_cli_report(&err);
        goto done;
    }
    if (nsrc == 0) {
        if (have.n == 0) {
            wb_cli_error("vuln fetch: nothing fetched into %s yet: name the sources, e.g.\n"
                         "  weerbaar vuln fetch --dir %s --source csaf:%s \\\n"
                         "      --source kev --source epss --source osv:PyPI",
                         dir, dir, WB_FETCH_NCSC_CSAF);
            goto done;
        }
        srcs = calloc(have.n, sizeof *srcs);
        if (srcs == NULL) {
            wb_cli_error("vuln fetch: out of memory");
            goto done;
        }
        for (size_t i = 0; i < have.n; i++)
            srcs[nsrc++] = have.v[i].src;
    }
    if (wb_hub_global_init() != 0) {
        wb_cli_error("vuln fetch: cannot initialise libcurl");
        goto done;
    }
    fetch_ui ui = {.tty = wb_cli_progress_out(quiet) != NULL};
    wb_fetch_opts o = {.require_signatures = reqsig,
                       .warn = on_warn,
                       .problem = on_problem,
                       .progress = ui.tty ? on_progress : NULL,
                       .ud = &ui};
    bool failed = false;
    for (size_t i = 0; i < nsrc; i++) {
        wb_fetch_stats st = {0};
        double t0 = mono();
        wb_error_clear(&err);
        int rc = wb_fetch_run(dir, &srcs[i], &o, &st, &err);
        wb_progress_end(&ui.line);
        ui.url = NULL;
        if (rc != 0) {
            failed = true;
            wb_cli_report(&err);
        }
        printf("%s: %s; %zu request%s (%zu not modified), %zu file%s updated, %zu unchanged, "
               "%zu failed, %.1f MB in %.1f s\n",
               srcs[i].name, rc == 0 ? "current" : "INCOMPLETE", st.requests,
               st.requests == 1 ? "" : "s", st.not_modified, st.updated, st.updated == 1 ? "" : "s",
               st.unchanged, st.failed, (double)st.bytes / 1e6, mono() - t0);
        fflush(stdout);
    }
    wb_fetched_free(&have);
    if (wb_fetched_list(dir, &have, &err) == 0)
        warn_stale("vuln fetch", dir, &have, max_age, wb_time_now());
    status = failed ? WB_EXIT_ERROR : WB_EXIT_OK;
done:
    wb_fetch_unlock(lock);
    wb_fetched_free(&have);
    wb_buf_free(&dbuf);
    free(srcs);
    return status;
}

/* ---- what vuln scan reads ---------------------------------------------------------------- */

int wb_cli_vuln_fetched(const char *cmd, const char *dir, bool adv_given, int max_age, wb_time now,
                        wb_fetched *f)
{
    memset(f, 0, sizeof *f);
    if (adv_given && dir == NULL) return 0;
    wb_buf dbuf = {0};
    wb_error err;
    wb_error_clear(&err);
    if (dir == NULL) {
        if (wb_fetch_default_dir(&dbuf, &err) != 0) {
            wb_cli_error("%s: no --advisories, and %s", cmd, err.msg);
            return -1;
        }
        dir = dbuf.data;
    }
    if (now == WB_TIME_NONE) now = wb_time_now();
    int rc = 0;
    if (wb_fetched_list(dir, f, &err) != 0) {
        wb_cli_report(&err);
        rc = -1;
    } else if (!adv_given && f->csaf == NULL && f->osv == NULL) {
        wb_cli_error("%s: no advisories: give --advisories PATH, or fetch them into %s "
                     "first:\n  weerbaar vuln fetch --dir %s --source csaf:%s \\\n"
                     "      --source kev --source epss --source osv:PyPI",
                     cmd, dir, dir, WB_FETCH_NCSC_CSAF);
        rc = -1;
    } else {
        wb_time oldest = WB_TIME_MAX;
        for (size_t i = 0; i < f->n; i++)
            if (f->v[i].checked < oldest) oldest = f->v[i].checked;
        char age[40] = "unknown";
        if (oldest != WB_TIME_MAX && oldest != WB_TIME_NONE) age_text(now, oldest, age, sizeof age);
        wb_cli_error("%s: reading %s (%zu source%s, the oldest fetched %s%s)", cmd, dir, f->n,
                     f->n == 1 ? "" : "s", age,
                     oldest != WB_TIME_MAX && oldest != WB_TIME_NONE ? " ago" : "");
        warn_stale(cmd, dir, f, max_age, now);
    }
    if (rc != 0) wb_fetched_free(f);
    wb_buf_free(&dbuf);
    return rc;
}

void wb_cli_vuln_stale_epss(const char *cmd, const char *path, int max_age, wb_time now)
{
    if (path == NULL) return;
    if (now == WB_TIME_NONE) now = wb_time_now();
    wb_time day = WB_TIME_NONE;
    wb_error err;
    wb_error_clear(&err);
    /* An EPSS file that does not parse is reported by the scan itself. */
    if (wb_epss_score_date(path, &day, &err) != 0 || day == WB_TIME_NONE) return;
    if (!too_old(now, day, max_age)) return;
    char age[40], when[40];
    age_text(now, day, age, sizeof age);
    wb_time_format(day, when, sizeof when);
    wb_cli_error("warning: %s: the EPSS scores %s are from %s ago (score_date %s), more than %d "
                 "day%s: priorities may rest on old probabilities; 'weerbaar vuln fetch --source "
                 "epss' gets the current ones",
                 cmd, path, age, when, max_age, max_age == 1 ? "" : "s");
}

void wb_cli_vuln_stale_kev(const char *cmd, const char *path, int max_age, wb_time now)
{
    if (path == NULL) return;
    if (now == WB_TIME_NONE) now = wb_time_now();
    wb_time rel = WB_TIME_NONE;
    wb_error err;
    wb_error_clear(&err);
    /* A KEV file that does not parse is reported by the scan itself. */
    if (wb_kev_released(path, &rel, &err) != 0 || rel == WB_TIME_NONE) return;
    if (!too_old(now, rel, max_age)) return;
    char age[40], when[40];
    age_text(now, rel, age, sizeof age);
    wb_time_format(rel, when, sizeof when);
    wb_cli_error("warning: %s: the KEV catalogue %s was released %s ago (dateReleased %s), "
                 "more than %d day%s: newer known exploited vulnerabilities are missing; "
                 "'weerbaar vuln fetch --source kev' gets the current one",
                 cmd, path, age, when, max_age, max_age == 1 ? "" : "s");
}
