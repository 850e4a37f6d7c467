/*
 * incident.c - `weerbaar incident`: the parts of the Cbw reporting duty
 * that need no database: assess significance, validate a report against the
 * cumulative state of earlier ones, compute the deadlines of a described
 * incident, and list the taxonomies. Argument parsing and output only; the
 * rules are in src/incident/ (weerbaar/incident.h).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "weerbaar/incident.h"
#include "weerbaar/io.h"

static void incident_usage(FILE *f)
{
    fputs("usage: weerbaar incident ACTION [ARGS] [--options]\n"
          "\n"
          "The Cbw (NIS2) duty to report significant incidents to the CSIRT: an early\n"
          "warning within 24 hours of becoming aware, a notification within 72 hours\n"
          "(24 for trust service providers), a final report one month after the\n"
          "notification (or a progress report then, while the incident goes on).\n"
          "\n"
          "actions:\n"
          "  assess --entity-type TYPE --facts FILE.json [--format table|json]\n"
          "      Is the incident significant? Prints the verdict (significant,\n"
          "      not-significant, undetermined) and every criterion with its article and\n"
          "      the facts it compared (NIS2 Art. 23(3); Implementing Regulation (EU)\n"
          "      2024/2690 Arts. 3-14 for the digital providers it covers).\n"
          "  validate --stage STAGE --file REPORT.json [--previous EARLIER.json ...]\n"
          "      Checks a report and the stage's required fields against the state the\n"
          "      earlier reports (oldest first) built up. Exit 0 valid, 2 with every\n"
          "      problem listed. --format json prints the cumulative state.\n"
          "  deadlines --aware-at TIME [--entity-type TYPE] [--notification-at TIME]\n"
          "            [--handled-at TIME] [--personal-data yes|no|unknown] [--now TIME]\n"
          "            [--submitted STAGE=TIME ...] [--ask TIME ...] [--csirt-ack-at TIME]\n"
          "            [--utc] [--format table|json]\n"
          "      Every deadline of a described incident with its state (open, met, late,\n"
          "      overdue). Exit 1 when one is overdue.\n"
          "  taxonomy rsit|sectors|entity-types [--taxonomy MACHINETAG.json] [--format ...]\n"
          "      The RSIT classification (root causes), the NIS2 sectors, the entity types.\n"
          "\n"
          "options:\n"
          "  --entity-type TYPE   dns tld cloud data-centre cdn msp mssp marketplace\n"
          "                       search-engine social-network trust-service other (default)\n"
          "  --facts FILE         assess: the facts as JSON (keys in docs/incident.md)\n"
          "  --stage STAGE        early-warning notification intermediate final progress\n"
          "  --file FILE          validate: the report (JSON; gzip/zstd accepted)\n"
          "  --previous FILE      validate: an earlier report of the incident (repeatable)\n"
          "  --aware-at TIME      when the organisation became aware: the clocks start\n"
          "  --notification-at T  when the notification was submitted\n"
          "  --submitted S=TIME   when a report of stage S (or gdpr-breach) was submitted\n"
          "  --ask TIME           the CSIRT asked for an intermediate report by TIME\n"
          "  --csirt-ack-at TIME  when the CSIRT gave its initial feedback\n"
          "  --handled-at TIME    when the incident was handled\n"
          "  --personal-data A    yes adds the GDPR Art. 33 deadline (72 h)\n"
          "  --now TIME           the time to judge states at (default: now)\n"
          "  --utc                table times in UTC instead of Europe/Amsterdam\n"
          "  --taxonomy FILE      taxonomy: read a MISP machinetag.json instead\n"
          "  --format FMT         table (default) or json (times RFC 3339 UTC)\n"
          "  -h, --help           this help\n"
          "\n"
          "TIME is RFC 3339 with an offset: 2026-05-01T10:00:00+02:00 or ...Z.\n"
          "\n"
          "examples:\n"
          "  weerbaar incident assess --entity-type cloud --facts facts.json\n"
          "  weerbaar incident validate --stage notification --file n.json --previous ew.json\n"
          "  weerbaar incident deadlines --aware-at 2026-01-30T09:00:00+01:00 \\\n"
          "      --notification-at 2026-01-31T16:00:00+01:00 --now 2026-02-20T12:00:00Z\n"
          "  weerbaar incident taxonomy rsit\n"
          "\n"
          "Exit status: 0 success (validate: valid), 1 deadlines: something overdue,\n"
          "2 an error or an invalid report. Documentation: docs/incident.md.\n",
          f);
}

enum {
    O_ENTITY = 256,
    O_FACTS,
    O_STAGE,
    O_FILE,
    O_PREVIOUS,
    O_AWARE,
    O_NOTIFICATION,
    O_SUBMITTED,
    O_ASK,
    O_ACK,
    O_HANDLED,
    O_PERSONAL,
    O_NOW,
    O_UTC,
    O_TAXONOMY,
    O_FORMAT
};

#define MAX_LIST 64

typedef struct opts {
    wb_entity_type entity;
    const char *facts, *file, *taxonomy;
    const char *previous[MAX_LIST];
    size_t nprevious;
    bool has_stage, utc, json;
    wb_stage stage;
    wb_time aware_at, handled_at, now, ack_at;
    wb_tri personal_data;
    wb_incident_submission subs[MAX_LIST];
    size_t nsubs;
    wb_incident_ask asks[MAX_LIST];
    size_t nasks;
} opts;

static int parse_time_opt(const char *opt, const char *s, wb_time *out)
{
    if (wb_time_parse_rfc3339(s, strlen(s), out) != 0) {
        wb_cli_error("incident: %s '%s': not an RFC 3339 time with an offset "
                     "(2026-05-01T10:00:00+02:00)",
                     opt, s);
        return -1;
    }
    return 0;
}

static int add_submission(opts *o, wb_stage stage, const char *opt, const char *when)
{
    if (o->nsubs >= MAX_LIST) {
        wb_cli_error("incident: more than %d submissions", MAX_LIST);
        return -1;
    }
    o->subs[o->nsubs].stage = stage;
    if (parse_time_opt(opt, when, &o->subs[o->nsubs].at)) return -1;
    o->nsubs++;
    return 0;
}

/* Returns the index of the first positional argument (the action), or -1
 * after printing the error. */
static int parse_opts(int argc, char **argv, opts *o, bool *help)
{
    static const struct option longopts[] = {
        {"entity-type", required_argument, NULL, O_ENTITY},
        {"facts", required_argument, NULL, O_FACTS},
        {"stage", required_argument, NULL, O_STAGE},
        {"file", required_argument, NULL, O_FILE},
        {"previous", required_argument, NULL, O_PREVIOUS},
        {"aware-at", required_argument, NULL, O_AWARE},
        {"notification-at", required_argument, NULL, O_NOTIFICATION},
        {"submitted", required_argument, NULL, O_SUBMITTED},
        {"ask", required_argument, NULL, O_ASK},
        {"csirt-ack-at", required_argument, NULL, O_ACK},
        {"handled-at", required_argument, NULL, O_HANDLED},
        {"personal-data", required_argument, NULL, O_PERSONAL},
        {"now", required_argument, NULL, O_NOW},
        {"utc", no_argument, NULL, O_UTC},
        {"taxonomy", required_argument, NULL, O_TAXONOMY},
        {"format", required_argument, NULL, O_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->aware_at = o->handled_at = o->now = o->ack_at = WB_TIME_NONE;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            *help = true;
            return 0;
        case O_ENTITY:
            if (wb_entity_type_parse(optarg, &o->entity) != 0) {
                wb_cli_error("incident: unknown entity type '%s' (see 'weerbaar incident "
                             "taxonomy entity-types')",
                             optarg);
                return -1;
            }
            break;
        case O_FACTS:
            o->facts = optarg;
            break;
        case O_STAGE:
            if (wb_stage_parse(optarg, &o->stage) != 0 || !wb_stage_is_report(o->stage)) {
                wb_cli_error("incident: unknown stage '%s' (early-warning, notification, "
                             "intermediate, final, progress)",
                             optarg);
                return -1;
            }
            o->has_stage = true;
            break;
        case O_FILE:
            o->file = optarg;
            break;
        case O_PREVIOUS:
            if (o->nprevious >= MAX_LIST) {
                wb_cli_error("incident: more than %d --previous reports", MAX_LIST);
                return -1;
            }
            o->previous[o->nprevious++] = optarg;
            break;
        case O_AWARE:
            if (parse_time_opt("--aware-at", optarg, &o->aware_at)) return -1;
            break;
        case O_NOTIFICATION:
            if (add_submission(o, WB_STAGE_NOTIFICATION, "--notification-at", optarg)) return -1;
            break;
        case O_SUBMITTED: {
            char *eq = strchr(optarg, '=');
            wb_stage s;
            if (eq) *eq = '\0';
            bool ok = eq && wb_stage_parse(optarg, &s) == 0 && s != WB_STAGE_CSIRT_ANSWER;
            if (eq) *eq = '=';
            if (!ok) {
                wb_cli_error("incident: --submitted '%s': want STAGE=TIME with a report stage "
                             "or gdpr-breach",
                             optarg);
                return -1;
            }
            if (add_submission(o, s, "--submitted", eq + 1)) return -1;
            break;
        }
        case O_ASK:
            if (o->nasks >= MAX_LIST) {
                wb_cli_error("incident: more than %d --ask", MAX_LIST);
                return -1;
            }
            o->asks[o->nasks].asked_at = WB_TIME_NONE;
            if (parse_time_opt("--ask", optarg, &o->asks[o->nasks].by)) return -1;
            o->nasks++;
            break;
        case O_ACK:
            if (parse_time_opt("--csirt-ack-at", optarg, &o->ack_at)) return -1;
            break;
        case O_HANDLED:
            if (parse_time_opt("--handled-at", optarg, &o->handled_at)) return -1;
            break;
        case O_PERSONAL:
            if (wb_tri_parse(optarg, &o->personal_data) != 0) {
                wb_cli_error("incident: --personal-data '%s': yes, no or unknown", optarg);
                return -1;
            }
            break;
        case O_NOW:
            if (parse_time_opt("--now", optarg, &o->now)) return -1;
            break;
        case O_UTC:
            o->utc = true;
            break;
        case O_TAXONOMY:
            o->taxonomy = optarg;
            break;
        case O_FORMAT:
            if (strcmp(optarg, "json") == 0)
                o->json = true;
            else if (strcmp(optarg, "table") != 0) {
                wb_cli_error("incident: --format '%s': table or json", optarg);
                return -1;
            }
            break;
        default:
            wb_cli_error("incident: unknown option or missing value '%s' (see 'weerbaar "
                         "incident --help')",
                         argv[optind - 1]);
            return -1;
        }
    }
    return optind;
}

static int print_json(json_t *v)
{
    char *text = v ? json_dumps(v, JSON_PRESERVE_ORDER | JSON_INDENT(2)) : NULL;
    json_decref(v);
    if (!text) {
        wb_cli_error("incident: out of memory");
        return WB_EXIT_ERROR;
    }
    puts(text);
    free(text);
    return WB_EXIT_OK;
}

/* ---- assess ---------------------------------------------------------------- */

static int cmd_assess(const opts *o)
{
    if (!o->facts) {
        wb_cli_error("incident assess: --facts FILE is required");
        return WB_EXIT_ERROR;
    }
    char *data = NULL;
    size_t len = 0;
    wb_error err = {0};
    wb_facts facts;
    if (wb_read_file(o->facts, WB_FACTS_MAX_BYTES, &data, &len, &err) != 0 ||
        wb_facts_parse(o->facts, data, len, &facts, &err) != 0) {
        free(data);
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    free(data);
    wb_assessment a;
    wb_assess(o->entity, &facts, &a);
    if (o->json) {
        json_t *reasons = json_array();
        for (size_t i = 0; reasons && i < a.nreasons; i++) {
            const wb_assessment_reason *r = &a.reasons[i];
            json_array_append_new(reasons,
                                  json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "id",
                                            r->criterion->id, "article", r->criterion->article,
                                            "criterion", r->criterion->text, "result",
                                            wb_criterion_result_name(r->result), "advisory",
                                            r->advisory, "facts", r->why));
        }
        return print_json(json_pack("{s:s, s:s, s:b, s:o}", "entity_type",
                                    wb_entity_type_name(o->entity), "verdict",
                                    wb_verdict_name(a.verdict), "scheduled_maintenance",
                                    a.scheduled_maintenance, "reasons", reasons));
    }
    printf("verdict: %s (%s)\n", wb_verdict_name(a.verdict), wb_entity_type_description(o->entity));
    if (a.scheduled_maintenance)
        printf("  scheduled maintenance: planned interruptions are not significant incidents "
               "(Implementing Regulation (EU) 2024/2690 Art. 3(2))\n");
    for (size_t i = 0; i < a.nreasons; i++) {
        const wb_assessment_reason *r = &a.reasons[i];
        printf("  %-8s %s: %s%s\n           %s\n", wb_criterion_result_name(r->result),
               r->criterion->article, r->criterion->text,
               r->advisory ? " [advisory: the regulation's criteria decide]" : "", r->why);
    }
    return WB_EXIT_OK;
}

/* ---- validate ---------------------------------------------------------------- */

static int load_report(const char *path, wb_report **out, wb_report_problems *probs)
{
    char *data = NULL;
    size_t len = 0;
    wb_error err = {0};
    int rc = wb_read_file(path, WB_REPORT_MAX_BYTES, &data, &len, &err);
    if (rc == 0) rc = wb_report_parse(path, data, len, out, probs, &err);
    free(data);
    if (rc == WB_EINVAL && probs->count) {
        for (size_t i = 0; i < probs->count; i++)
            wb_cli_error("%s: %s: %s", path, probs->items[i].path, probs->items[i].message);
        if (probs->dropped) wb_cli_error("%s: %zu more problems not listed", path, probs->dropped);
    } else if (rc) {
        wb_cli_report(&err);
    }
    return rc;
}

static int cmd_validate(const opts *o)
{
    if (!o->has_stage || !o->file) {
        wb_cli_error("incident validate: --stage STAGE and --file REPORT.json are required");
        return WB_EXIT_ERROR;
    }
    wb_report *state = wb_report_new();
    if (!state) {
        wb_cli_error("incident: out of memory");
        return WB_EXIT_ERROR;
    }
    int status = WB_EXIT_OK;
    for (size_t i = 0; i < o->nprevious; i++) {
        wb_report_problems probs = {0};
        wb_report *r = NULL;
        if (load_report(o->previous[i], &r, &probs) != 0 || wb_report_merge(state, r) != 0)
            status = WB_EXIT_ERROR;
        wb_report_free(r);
        wb_report_problems_free(&probs);
    }
    wb_report_problems probs = {0};
    wb_report *latest = NULL;
    if (load_report(o->file, &latest, &probs) != 0) {
        status = WB_EXIT_ERROR;
    } else if (status == WB_EXIT_OK) {
        if (wb_report_merge(state, latest) != 0) {
            wb_cli_error("incident: out of memory");
            status = WB_EXIT_ERROR;
        } else if (wb_report_check_stage(state, latest, o->stage, &probs) != 0) {
            for (size_t i = 0; i < probs.count; i++)
                wb_cli_error("%s: %s: %s", o->file, probs.items[i].path, probs.items[i].message);
            status = WB_EXIT_ERROR;
        }
    }
    if (status == WB_EXIT_OK) {
        if (o->json) {
            wb_buf b = {0};
            if (wb_report_to_json(state, &b) == 0)
                puts(b.data);
            else
                status = WB_EXIT_ERROR;
            wb_buf_free(&b);
        } else {
            printf("%s: valid %s report\n", o->file, wb_stage_name(o->stage));
        }
    }
    wb_report_free(latest);
    wb_report_free(state);
    wb_report_problems_free(&probs);
    return status;
}

/* ---- deadlines ----------------------------------------------------------------- */

static void fmt_time(wb_time t, bool utc, char *buf, size_t cap)
{
    if (t == WB_TIME_NONE)
        snprintf(buf, cap, "-");
    else if (utc)
        wb_time_format(t, buf, cap);
    else
        wb_ams_format(t, buf, cap);
}

static json_t *time_json(wb_time t)
{
    char buf[48];
    if (t == WB_TIME_NONE) return json_null();
    wb_time_format(t, buf, sizeof buf);
    return json_string(buf);
}

static int cmd_deadlines(opts *o)
{
    if (o->aware_at == WB_TIME_NONE) {
        wb_cli_error("incident deadlines: --aware-at TIME is required");
        return WB_EXIT_ERROR;
    }
    wb_incident_clock clock = {
        .aware_at = o->aware_at,
        .entity = o->entity,
        .handled_at = o->handled_at,
        .personal_data = o->personal_data,
        .submissions = o->subs,
        .nsubmissions = o->nsubs,
        .asks = o->asks,
        .nasks = o->nasks,
        .csirt_ack_at = o->ack_at,
    };
    wb_time now = o->now == WB_TIME_NONE ? wb_time_now() : o->now;
    wb_deadline rows[6 + MAX_LIST];
    size_t n = 0;
    wb_error err = {0};
    if (wb_incident_deadlines(&clock, now, rows, sizeof rows / sizeof rows[0], &n, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    int status = WB_EXIT_OK;
    for (size_t i = 0; i < n; i++)
        if (rows[i].state == WB_DEADLINE_OVERDUE) status = WB_EXIT_NO;
    if (o->json) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < n; i++)
            json_array_append_new(
                a, json_pack("{s:s, s:o, s:s, s:o, s:s, s:s}", "stage",
                             wb_stage_name(rows[i].stage), "due", time_json(rows[i].due), "state",
                             wb_deadline_state_name(rows[i].state), "submitted",
                             time_json(rows[i].submitted), "rule", rows[i].rule->rule, "article",
                             rows[i].rule->article));
        int rc = print_json(a);
        return rc ? rc : status;
    }
    printf("%-14s %-26s %-8s %-26s %s\n", "STAGE", "DUE", "STATE", "SUBMITTED", "ARTICLE");
    for (size_t i = 0; i < n; i++) {
        char due[48], sub[48];
        fmt_time(rows[i].due, o->utc, due, sizeof due);
        if (rows[i].due == WB_TIME_NONE) snprintf(due, sizeof due, "handled_at + 1 month");
        fmt_time(rows[i].submitted, o->utc, sub, sizeof sub);
        printf("%-14s %-26s %-8s %-26s %s\n", wb_stage_name(rows[i].stage), due,
               wb_deadline_state_name(rows[i].state), sub, rows[i].rule->article);
    }
    return status;
}

/* ---- taxonomy --------------------------------------------------------------------- */

static int print_entries(const wb_taxonomy_entry *e, size_t n, bool rsit, bool json)
{
    if (json) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < n; i++)
            json_array_append_new(a, json_pack("{s:s, s:s, s:s?}", "predicate", e[i].predicate,
                                               "value", e[i].value, "expanded", e[i].expanded));
        return print_json(a);
    }
    for (size_t i = 0; i < n; i++) {
        if (rsit)
            printf("rsit:%s=\"%s\"\t%s\n", e[i].predicate, e[i].value,
                   e[i].expanded ? e[i].expanded : "");
        else
            printf("%s\t%s\n", e[i].value, e[i].expanded ? e[i].expanded : "");
    }
    return WB_EXIT_OK;
}

static int cmd_taxonomy(const opts *o, const char *which)
{
    if (!which) {
        wb_cli_error("incident taxonomy: which one? rsit, sectors or entity-types");
        return WB_EXIT_ERROR;
    }
    if (strcmp(which, "entity-types") == 0) {
        if (o->json) {
            json_t *a = json_array();
            for (int i = 0; a && i < WB_ENTITY_COUNT; i++)
                json_array_append_new(
                    a, json_pack("{s:s, s:s}", "name", wb_entity_type_name((wb_entity_type)i),
                                 "description", wb_entity_type_description((wb_entity_type)i)));
            return print_json(a);
        }
        for (int i = 1; i <= WB_ENTITY_COUNT; i++) {
            wb_entity_type t = (wb_entity_type)(i % WB_ENTITY_COUNT); /* other last */
            printf("%s\t%s\n", wb_entity_type_name(t), wb_entity_type_description(t));
        }
        return WB_EXIT_OK;
    }
    bool rsit = strcmp(which, "rsit") == 0;
    if (!rsit && strcmp(which, "sectors") != 0) {
        wb_cli_error("incident taxonomy: unknown taxonomy '%s' (rsit, sectors, entity-types)",
                     which);
        return WB_EXIT_ERROR;
    }
    if (o->taxonomy) {
        wb_taxonomy *t = NULL;
        wb_error err = {0};
        if (wb_taxonomy_load(o->taxonomy, rsit ? NULL : "impact-sectors-impacted", &t, &err)) {
            wb_cli_report(&err);
            return WB_EXIT_ERROR;
        }
        int st = print_entries(t->entries, t->count, rsit, o->json);
        wb_taxonomy_free(t);
        return st;
    }
    size_t n;
    const wb_taxonomy_entry *e = rsit ? wb_taxonomy_rsit(&n) : wb_taxonomy_nis2_sectors(&n);
    return print_entries(e, n, rsit, o->json);
}

int wb_cmd_incident(int argc, char **argv)
{
    opts o;
    bool help = false;
    int first = parse_opts(argc, argv, &o, &help);
    if (help) {
        incident_usage(stdout);
        return WB_EXIT_OK;
    }
    if (first < 0) return WB_EXIT_ERROR;
    if (first >= argc) {
        incident_usage(stderr);
        return WB_EXIT_ERROR;
    }
    const char *action = argv[first];
    int extra = argc - first - 1;
    if (strcmp(action, "taxonomy") == 0 && extra <= 1)
        return cmd_taxonomy(&o, extra ? argv[first + 1] : NULL);
    if (extra != 0) {
        wb_cli_error("incident %s: unexpected argument '%s'", action, argv[first + 1]);
        return WB_EXIT_ERROR;
    }
    if (strcmp(action, "assess") == 0) return cmd_assess(&o);
    if (strcmp(action, "validate") == 0) return cmd_validate(&o);
    if (strcmp(action, "deadlines") == 0) return cmd_deadlines(&o);
    wb_cli_error("incident: unknown action '%s' (assess, validate, deadlines, taxonomy; see "
                 "'weerbaar incident --help')",
                 action);
    return WB_EXIT_ERROR;
}
