/*
 * cmd_assess_report.c - `weerbaar assess report`: the one-page board report of
 * an assessment as PDF, PNG or HTML. Gathers the numbers from the libraries
 * (wb_assess_score for the scores and gaps, the incident register for this
 * year's incidents, a vuln scan result for overdue patches) into a wb_board
 * and hands it to src/report/, which draws it.
 *
 * Two forms: an assessment in a database (`report ID --db PATH`) and a file
 * of answers (`report CATALOGUE --answers FILE [--previous FILE]`), which
 * works without any database; --db then only adds the incidents.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_assess.h"
#include "cli/cli.h"
#include "weerbaar/assess.h"
#include "weerbaar/assessdb.h"
#include "weerbaar/client.h"
#include "weerbaar/incident.h"
#include "weerbaar/register.h"
#include "weerbaar/report.h"

typedef struct report_opts {
    const char *dirs[WB_CLI_ASSESS_MAX_DIRS];
    size_t ndirs;
    const char *format; /* pdf, html or png */
    const char *lang;
    const char *answers, *previous, *org, *scope, *db, *vuln, *out, *hub, *key;
    int target;
    bool has_target;
    wb_time now;
} report_opts;

static void report_usage(FILE *f)
{
    fputs("usage: weerbaar assess report ID --db PATH | --hub URL --key KEY [options]\n"
          "       weerbaar assess report CATALOGUE --answers FILE --org ORG\n"
          "                              [--previous FILE] [--db PATH] [options]\n"
          "\n"
          "The one-page board report of an assessment: maturity (the mean level over the\n"
          "answered requirements) and coverage (the share answered) as separate figures,\n"
          "the five basic principles against the target and the previous assessment, the\n"
          "five largest gaps with owner and due date, improvement actions past their due\n"
          "date, the five most urgent overdue patches (from --vuln: known exploited\n"
          "first, then the longest overdue), this year's incidents with their reporting\n"
          "timeliness and open deadlines (from the incident register in --db or the\n"
          "hub) and the catalogue's attribution. The numbers are those 'assess score\n"
          "--format json' prints.\n"
          "\n"
          "  ID            an assessment in the database or on the hub (as 'assess new'\n"
          "                printed it; ID@VERSION for an older version), compared with\n"
          "                the version before it\n"
          "  CATALOGUE     with --answers: a catalogue as 'assess catalogues' lists it\n"
          "\n"
          "options:\n"
          "  --format F        pdf (default), html (one self-contained page) or png\n"
          "  --out FILE        where to write (default: standard output; a PDF or PNG\n"
          "                    is not written to a terminal)\n"
          "  --lang L          nl or en (default en)\n"
          "  --db PATH         the local database: the assessment and the incident register\n"
          "  --hub URL         a hub instead: the assessment and the incidents the key may\n"
          "                    see (--key KEY, or $WEERBAAR_KEY)\n"
          "  --answers FILE    the answers (CSV or JSON) of the file form\n"
          "  --previous FILE   the answers of the previous assessment (file form)\n"
          "  --org ORG         the organisation (file form; with --db only its incidents)\n"
          "  --scope TEXT      what the assessment covers (file form)\n"
          "  --target N        the target level, 1-5 (default 3, or the assessment's)\n"
          "  --vuln FILE       a 'weerbaar vuln scan --format json' result: overdue patches\n"
          "  --now TIME        the report's date (RFC 3339; default now): decides which\n"
          "                    actions are overdue and which year's incidents are shown\n"
          "  --catalogues DIR  also read the catalogues in DIR (repeatable)\n"
          "  -h, --help        this help\n"
          "\n"
          "examples:\n"
          "  weerbaar assess report 1 --db org.db --vuln scan.json --out board.pdf\n"
          "  weerbaar assess report 7@2 --hub https://hub.example --key $KEY --lang nl \\\n"
          "      --out bestuur.pdf\n"
          "  weerbaar assess report cbw_nis2 --answers 2026.csv --previous 2025.csv \\\n"
          "      --org 'Waterschap Oost' --lang nl --format html --out board.html\n"
          "  weerbaar assess report cbw_nis2 --answers 2026.csv --org Gamma \\\n"
          "      --vuln scan.json --db incidents.db --out board.pdf\n"
          "\n"
          "Exit status: 0 written, 2 an error (a bad answers or scan file: the row or JSON\n"
          "path on stderr).\n",
          f);
}

/* ---- catalogues (as cmd_assess.c opens them) ------------------------------------------ */

/* ---- the board's data ------------------------------------------------------------- */

/* Where the assessment and the incidents come from: a database, a hub, or
 * (file form without either) nowhere. */
typedef struct source {
    wb_store *st;
    wb_hub_client hc;
    bool hub, curl;
} source;

static int source_open(source *src, const report_opts *o)
{
    wb_error err = {0};
    memset(src, 0, sizeof *src);
    if (o->db && o->hub) {
        wb_cli_error("assess report: give --db PATH or --hub URL --key KEY, not both");
        return WB_EXIT_ERROR;
    }
    if (o->db) {
        if (wb_assessdb_open(&src->st, o->db, &err) != 0) {
            wb_cli_report(&err);
            return WB_EXIT_ERROR;
        }
        return WB_EXIT_OK;
    }
    if (o->hub == NULL) return WB_EXIT_OK;
    src->hub = true;
    src->hc.base = o->hub;
    src->hc.key = o->key ? o->key : getenv("WEERBAAR_KEY");
    if (src->hc.key == NULL) {
        wb_cli_error("assess report: --hub needs an API key: --key KEY or WEERBAAR_KEY");
        return WB_EXIT_ERROR;
    }
    if (wb_hub_global_init() != 0) {
        wb_cli_error("assess report: cannot start the HTTP client");
        return WB_EXIT_ERROR;
    }
    src->curl = true;
    return WB_EXIT_OK;
}

static void source_close(source *src)
{
    wb_assessdb_close(src->st);
    if (src->curl) wb_hub_global_cleanup();
}

/* "2026-05-01" on the Amsterdam calendar, "-" for none. */
static void wbc_date(wb_time t, char *out, size_t cap)
{
    wb_civil c;
    if (t == WB_TIME_NONE) {
        snprintf(out, cap, "-");
        return;
    }
    wb_ams_to_civil(t, &c, NULL);
    snprintf(out, cap, "%04lld-%02u-%02u", (long long)c.year, c.month, c.day);
}

/* The library's scores and gaps, with its error on stderr. */
static int fill_scores(wb_board_data *bd, const wb_catalogue *cat, const wb_catalogue *pr,
                       const wb_answers *ans, const wb_answers *previous)
{
    wb_error err = {0};
    if (wb_board_fill_scores(bd, cat, pr, ans, previous, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

/* The same from a hub: GET /api/v1/incidents?now= gives every incident the
 * key may see with its deadlines judged at the report's time. The answer is
 * checked as any input is, with the JSON path of what is wrong. */
static int hub_incident(wb_board_data *bd, json_t *o, size_t i, const char *base, wb_error *err)
{
    json_t *id = json_object_get(o, "id"), *dls = json_object_get(o, "deadlines");
    const char *title = json_string_value(json_object_get(o, "title"));
    const char *status = json_string_value(json_object_get(o, "status"));
    const char *aware = json_string_value(json_object_get(o, "aware_at"));
    wb_board_incident *bi = &bd->incidents[bd->nincidents];
    memset(bi, 0, sizeof *bi);
    if (!json_is_integer(id) || !title || !status || !aware || !json_is_array(dls) ||
        wb_time_parse(aware, strlen(aware), &bi->aware_at) != 0)
        return wb_error_set(err, WB_EPARSE,
                            "%s: $.response[%zu]: not an incident (id, title, status, aware_at, "
                            "deadlines)",
                            base, i);
    bi->id = json_integer_value(id);
    bi->title = wb_arena_strdup(&bd->arena, title);
    bi->status = wb_arena_strdup(&bd->arena, status);
    if (bi->title == NULL || bi->status == NULL)
        return wb_error_set(err, WB_ENOMEM, "assess report: out of memory");
    for (size_t k = 0; k < json_array_size(dls); k++) {
        json_t *d = json_array_get(dls, k);
        const char *stage = json_string_value(json_object_get(d, "stage"));
        const char *state = json_string_value(json_object_get(d, "state"));
        wb_stage sg;
        int st = -1;
        for (int x = WB_DEADLINE_OPEN; state && x <= WB_DEADLINE_OVERDUE; x++)
            if (strcmp(state, wb_deadline_state_name((wb_deadline_state)x)) == 0) st = x;
        if (stage == NULL || wb_stage_parse(stage, &sg) != 0 || st < 0)
            return wb_error_set(err, WB_EPARSE,
                                "%s: $.response[%zu].deadlines[%zu]: want a known stage and "
                                "state",
                                base, i, k);
        if (!bi->has[sg] || (wb_deadline_state)st > bi->state[sg])
            bi->state[sg] = (wb_deadline_state)st;
        bi->has[sg] = true;
        const char *due = json_string_value(json_object_get(d, "due"));
        wb_time dt;
        if (st == WB_DEADLINE_OPEN && due && wb_time_parse(due, strlen(due), &dt) == 0 &&
            (bi->open_due[sg] == 0 || dt < bi->open_due[sg]))
            bi->open_due[sg] = dt;
    }
    bd->nincidents++;
    return 0;
}

static int fill_incidents_hub(wb_board_data *bd, const source *src, const char *org)
{
    wb_error err = {0};
    char now[48], path[96];
    wb_time_format(bd->b.as_of, now, sizeof now);
    snprintf(path, sizeof path, "/api/v1/incidents?now=%s", now);
    wb_buf b = {0};
    json_t *root = NULL;
    int rc = wb_hub_call(&src->hc, "GET", path, NULL, 0, &b, NULL, &err);
    if (rc == 0) {
        json_error_t je;
        root = json_loadb(b.data, b.len, 0, &je);
        if (!json_is_array(json_object_get(root, "response")))
            rc = wb_error_set(&err, WB_EPARSE, "%s: $.response: not the list of incidents",
                              src->hc.base);
    }
    json_t *list = json_object_get(root, "response");
    if (rc == 0) {
        bd->incidents = calloc(json_array_size(list) + 1, sizeof *bd->incidents);
        if (bd->incidents == NULL) rc = wb_error_set(&err, WB_ENOMEM, "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(list); i++) {
        json_t *o = json_array_get(list, i);
        const char *name = json_string_value(json_object_get(o, "org"));
        const char *aware = json_string_value(json_object_get(o, "aware_at"));
        wb_time t;
        wb_civil c;
        /* this year's incidents of the organisation, as from a database */
        if (org && (name == NULL || strcmp(name, org) != 0)) continue;
        if (aware && wb_time_parse(aware, strlen(aware), &t) == 0) {
            wb_ams_to_civil(t, &c, NULL);
            if (c.year != bd->b.year) continue;
        }
        rc = hub_incident(bd, o, i, src->hc.base, &err);
    }
    json_decref(root);
    wb_buf_free(&b);
    if (rc != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    bd->b.has_incidents = true;
    bd->b.incidents = bd->incidents;
    bd->b.nincidents = bd->nincidents;
    return WB_EXIT_OK;
}

/* ---- writing ------------------------------------------------------------------------ */

typedef struct board_page {
    const wb_board *b;
    wb_page_format fmt;
} board_page;

static int render_board(void *ud, const char *path, wb_error *err)
{
    const board_page *p = ud;
    /* 110 dpi: A4 at 910 x 1287 pixels, sharp enough to read on a screen */
    return wb_board_render(p->b, path, p->fmt, 110, err);
}

/* HTML is written here; PDF and PNG through render.c. */
static int write_board(const wb_board *b, const report_opts *o)
{
    if (strcmp(o->format, "html") == 0) {
        wb_buf buf = {0};
        int status = WB_EXIT_OK;
        if (wb_board_html(b, &buf) != 0) {
            wb_cli_error("assess report: out of memory");
            wb_buf_free(&buf);
            return WB_EXIT_ERROR;
        }
        FILE *f = o->out && strcmp(o->out, "-") != 0 ? fopen(o->out, "wb") : stdout;
        if (f == NULL) {
            wb_cli_error("assess report: %s: %s", o->out, strerror(errno));
            status = WB_EXIT_ERROR;
        } else {
            if (fwrite(buf.data, 1, buf.len, f) != buf.len) status = WB_EXIT_ERROR;
            if ((f == stdout ? fflush(f) : fclose(f)) != 0) status = WB_EXIT_ERROR;
            if (status != WB_EXIT_OK)
                wb_cli_error("assess report: writing %s: %s",
                             f == stdout ? "standard output" : o->out, strerror(errno));
        }
        wb_buf_free(&buf);
        return status;
    }
    board_page page = {b, strcmp(o->format, "png") == 0 ? WB_PAGE_PNG : WB_PAGE_PDF};
    return wb_cli_write_rendered("assess report", o->out, render_board, &page);
}

/* ---- the two forms ---------------------------------------------------------------- */

/* Loads --vuln and the incidents, then writes the report. */
static int finish(wb_board_data *bd, const report_opts *o, const source *src, const char *org)
{
    wb_error err = {0};
    if (o->vuln) {
        if (wb_vuln_summary_load(o->vuln, &bd->b.vuln, &err) != 0) {
            wb_cli_report(&err);
            return WB_EXIT_ERROR;
        }
        bd->b.has_vuln = true;
        bd->b.vuln_source = o->vuln;
    }
    if (src->st && wb_board_fill_incidents(bd, src->st, org, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    if (src->hub && fill_incidents_hub(bd, src, org) != WB_EXIT_OK) return WB_EXIT_ERROR;
    return write_board(&bd->b, o);
}

static void board_init(wb_board_data *bd, const wb_catalogue *cat, const report_opts *o)
{
    wb_board_data_init(bd, cat, o->lang, o->now, o->target);
}

static int report_files(wb_catset *set, const report_opts *o, const char *catname)
{
    const wb_catalogue *cat, *pr = NULL;
    wb_error err = {0};
    if (o->org == NULL) {
        wb_cli_error("assess report: --org ORG is required with --answers (the organisation "
                     "the report is for)");
        return WB_EXIT_ERROR;
    }
    if (wb_catset_get(set, catname, &cat, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    if (wb_catset_get(set, WB_PRINCIPLES_CATALOGUE, &pr, &err) != 0) pr = NULL;
    wb_answers *ans = NULL, *prev = NULL;
    if (wb_answers_load(o->answers, cat, &ans, &err) != 0 ||
        (o->previous && wb_answers_load(o->previous, cat, &prev, &err) != 0)) {
        wb_cli_report(&err);
        wb_answers_free(ans);
        return WB_EXIT_ERROR;
    }
    wb_board_data bd;
    board_init(&bd, cat, o);
    bd.b.organisation = o->org;
    bd.b.scope = o->scope;
    bd.b.assessment = o->answers;
    bd.b.previous = o->previous;
    source src;
    int status = fill_scores(&bd, cat, pr, ans, prev);
    if (status == WB_EXIT_OK) status = source_open(&src, o);
    if (status == WB_EXIT_OK) {
        status = finish(&bd, o, &src, o->org);
        source_close(&src);
    }
    wb_board_data_free(&bd);
    wb_answers_free(ans);
    wb_answers_free(prev);
    return status;
}

static int report_db(wb_catset *set, const report_opts *o, const char *ref);

static int run_report(const report_opts *o, char **args, int nargs)
{
    if (nargs != 1) {
        wb_cli_error("assess report: give ID --db PATH, or CATALOGUE --answers FILE --org ORG "
                     "(see 'weerbaar assess report --help')");
        return WB_EXIT_ERROR;
    }
    if (o->previous && o->answers == NULL) {
        wb_cli_error("assess report: --previous goes with --answers (an assessment in the "
                     "database is compared with its version before)");
        return WB_EXIT_ERROR;
    }
    wb_catset *set;
    if (wb_cli_assess_catset(o->dirs, o->ndirs, &set) != WB_EXIT_OK) return WB_EXIT_ERROR;
    int status = o->answers ? report_files(set, o, args[0]) : report_db(set, o, args[0]);
    wb_catset_free(set);
    return status;
}

/* An assessment's version with the one before it, from the database or,
 * as `assess show ID --hub` reads it, from the hub. */
static int load_view(const source *src, int64_t id, int version, wb_assessdb_view **out,
                     wb_error *err)
{
    if (!src->hub) return wb_assessdb_load(src->st, id, version, out, err);
    char path[96], q[32] = "";
    if (version > 0) snprintf(q, sizeof q, "?version=%d", version);
    snprintf(path, sizeof path, "/api/v1/assessments/%lld%s", (long long)id, q);
    wb_buf b = {0};
    int rc = wb_hub_call(&src->hc, "GET", path, NULL, 0, &b, NULL, err);
    if (rc == 0) rc = wb_assessdb_view_parse(b.data, b.len, src->hc.base, out, err);
    wb_buf_free(&b);
    return rc;
}

/* An assessment in the database or on a hub, against the version before it. */
static int report_db(wb_catset *set, const report_opts *o, const char *ref)
{
    wb_error err = {0};
    int64_t id;
    int version;
    if (o->db == NULL && o->hub == NULL) {
        wb_cli_error("assess report: '%s': give --db PATH (or --hub URL --key KEY) for an "
                     "assessment kept there, or --answers FILE for a file of answers",
                     ref);
        return WB_EXIT_ERROR;
    }
    if (wb_assessdb_parse_ref(ref, &id, &version) != 0) {
        wb_cli_error("assess report: '%s' is not an assessment id (ID or ID@VERSION); for a "
                     "catalogue give --answers FILE",
                     ref);
        return WB_EXIT_ERROR;
    }
    if (o->org || o->scope) {
        wb_cli_error("assess report: --org and --scope go with --answers (assessment %s has "
                     "its own)",
                     ref);
        return WB_EXIT_ERROR;
    }
    source src;
    wb_assessdb_view *v = NULL;
    const wb_catalogue *cat, *pr = NULL;
    if (source_open(&src, o) != WB_EXIT_OK) return WB_EXIT_ERROR;
    if (load_view(&src, id, version, &v, &err) != 0 ||
        wb_catset_get(set, v->a.catalogue, &cat, &err) != 0) {
        wb_cli_report(&err);
        wb_assessdb_view_free(v);
        source_close(&src);
        return WB_EXIT_ERROR;
    }
    if (v->version == 0) {
        wb_cli_error("assess report: assessment %lld has no answers yet (see 'weerbaar assess "
                     "answer --help')",
                     (long long)id);
        wb_assessdb_view_free(v);
        source_close(&src);
        return WB_EXIT_ERROR;
    }
    if (wb_catset_get(set, WB_PRINCIPLES_CATALOGUE, &pr, &err) != 0) pr = NULL;
    char label[128], prev[128], d1[16], d2[16];
    wbc_date(v->version_time, d1, sizeof d1);
    wbc_date(v->prev_time, d2, sizeof d2);
    snprintf(label, sizeof label, "assessment %lld@%d (%s)", (long long)id, v->version, d1);
    snprintf(prev, sizeof prev, "assessment %lld@%d (%s)", (long long)id, v->prev_version, d2);
    wb_board_data bd;
    board_init(&bd, cat, o);
    bd.b.organisation = v->a.org_name;
    bd.b.scope = v->a.scope;
    bd.b.assessment = label;
    bd.b.previous = v->prev_version > 0 ? prev : NULL;
    /* the assessment's own target, unless --target overrides it */
    bd.b.target = o->has_target ? o->target : v->a.target;
    int status = fill_scores(&bd, cat, pr, v->answers, v->prev_version > 0 ? v->previous : NULL);
    if (status == WB_EXIT_OK) status = finish(&bd, o, &src, v->a.org_name);
    wb_board_data_free(&bd);
    wb_assessdb_view_free(v);
    source_close(&src);
    return status;
}

int wb_cmd_assess_report(int argc, char **argv)
{
    enum {
        O_DIRS = 256,
        O_FORMAT,
        O_LANG,
        O_ANSWERS,
        O_PREVIOUS,
        O_TARGET,
        O_ORG,
        O_SCOPE,
        O_DB,
        O_VULN,
        O_OUT,
        O_NOW,
        O_HUB,
        O_KEY
    };
    static const struct option opts[] = {{"catalogues", required_argument, NULL, O_DIRS},
                                         {"format", required_argument, NULL, O_FORMAT},
                                         {"lang", required_argument, NULL, O_LANG},
                                         {"answers", required_argument, NULL, O_ANSWERS},
                                         {"previous", required_argument, NULL, O_PREVIOUS},
                                         {"target", required_argument, NULL, O_TARGET},
                                         {"org", required_argument, NULL, O_ORG},
                                         {"scope", required_argument, NULL, O_SCOPE},
                                         {"db", required_argument, NULL, O_DB},
                                         {"vuln", required_argument, NULL, O_VULN},
                                         {"out", required_argument, NULL, O_OUT},
                                         {"now", required_argument, NULL, O_NOW},
                                         {"hub", required_argument, NULL, O_HUB},
                                         {"key", required_argument, NULL, O_KEY},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    report_opts o = {.format = "pdf", .lang = "en", .target = WB_ASSESS_DEFAULT_TARGET};
    o.now = wb_time_now();
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_DIRS:
            if (!wb_cli_assess_opt_dir("assess report", optarg, o.dirs, &o.ndirs))
                return WB_EXIT_ERROR;
            break;
        case O_FORMAT:
            if (strcmp(optarg, "pdf") != 0 && strcmp(optarg, "html") != 0 &&
                strcmp(optarg, "png") != 0) {
                wb_cli_error("assess report: --format must be pdf, html or png, not '%s'", optarg);
                return WB_EXIT_ERROR;
            }
            o.format = optarg;
            break;
        case O_LANG:
            if (!wb_cli_assess_opt_lang("assess report", optarg, &o.lang)) return WB_EXIT_ERROR;
            break;
        case O_ANSWERS:
            o.answers = optarg;
            break;
        case O_PREVIOUS:
            o.previous = optarg;
            break;
        case O_TARGET:
            if (!wb_cli_assess_opt_target("assess report", optarg, &o.target)) return WB_EXIT_ERROR;
            o.has_target = true;
            break;
        case O_ORG:
            o.org = optarg;
            break;
        case O_SCOPE:
            o.scope = optarg;
            break;
        case O_DB:
            o.db = optarg;
            break;
        case O_VULN:
            o.vuln = optarg;
            break;
        case O_OUT:
            o.out = optarg;
            break;
        case O_NOW:
            if (wb_time_parse_rfc3339(optarg, strlen(optarg), &o.now) != 0) {
                wb_cli_error("assess report: --now '%s': not an RFC 3339 time "
                             "(2026-05-01T10:00:00+02:00)",
                             optarg);
                return WB_EXIT_ERROR;
            }
            break;
        case O_HUB:
            o.hub = optarg;
            break;
        case O_KEY:
            o.key = optarg;
            break;
        case 'h':
            report_usage(stdout);
            return WB_EXIT_OK;
        default:
            wb_cli_error("assess report: unknown option or missing value '%s' (see 'weerbaar "
                         "assess report --help')",
                         argv[optind - 1]);
            return WB_EXIT_ERROR;
        }
    }
    /* argv[optind] is the word "report" */
    if (optind >= argc || strcmp(argv[optind], "report") != 0) {
        report_usage(stderr);
        return WB_EXIT_ERROR;
    }
    int status = run_report(&o, argv + optind + 1, argc - optind - 1);
    wb_report_cleanup();
    return status;
}
