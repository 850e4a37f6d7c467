/*
 * cmd_incident.c - `weerbaar incident`: the Cbw reporting duty from the command
 * line. Without a database: assess significance, validate a report against
 * the cumulative state of earlier ones, compute the deadlines of a
 * described incident, list the taxonomies. With one: the incident register
 * on a local database (--db, through the service in incidentsvc.h, acting
 * as the register's operator) or on a hub (--hub, through the hub client),
 * printing both from the same JSON document; and the reminder webhooks
 * (hooks run). Argument parsing and output only: the rules are in
 * src/incident/ (incident.h, register.h, incidentsvc.h).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmdtab.h"
#include "weerbaar/client.h"
#include "weerbaar/hooks.h"
#include "weerbaar/incident.h"
#include "weerbaar/incidentsvc.h"
#include "weerbaar/io.h"
#include "weerbaar/register.h"
#include "weerbaar/report.h"

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
          "the register (a local database --db PATH, or a hub: --hub URL --key KEY):\n"
          "  new --title TEXT --aware-at TIME [--org ORG] [--detected-at TIME]\n"
          "      [--entity-type TYPE] [--tlp LEVEL] [--rsit TAG] [EARLY WARNING]\n"
          "      says where it went, the deadlines with the time left, and the new id\n"
          "      last (--org is required with --db; on a hub it is the key's\n"
          "      organisation). EARLY WARNING: --summary TEXT --suspected-malicious A\n"
          "      --cross-border A --contact-name TEXT --contact-email ADDR\n"
          "      --contact-phone NUMBER files the early warning in the same command\n"
          "  report ID --stage STAGE --file REPORT.json [--submitted-at TIME]\n"
          "      (an early warning also from the EARLY WARNING options instead of --file)\n"
          "      (--stage gdpr-breach without --file records the GDPR notification;\n"
          "      --submitted-at only with --db: on a hub its receipt time counts)\n"
          "  handled ID --at TIME;  show ID;  list\n"
          "  export ID --format json|pdf [--lang nl|en] [--out FILE]\n"
          "      everything about the incident: JSON, or a PDF (deadlines and states,\n"
          "      reports, CSIRT actions) for the file, in English or Dutch\n"
          "  due [--now TIME] [--duties own|csirt|all]   every deadline of every\n"
          "      incident with the time left; exit 1 if one of those shown is overdue\n"
          "  ack ID;  ask ID --by TIME;  comment ID --text TEXT   (the CSIRT)\n"
          "  share ID --tlp LEVEL --distribution N [--sharing-group NAME] [--anonymous]\n"
          "      [--share-key KEY]\n"
          "      (--hub only) publishes the incident's indicators as a MISP event;\n"
          "      --anonymous proposes it to the incident's CSIRT, which publishes it in\n"
          "      its own name once it approves; a retry of the same share changes nothing\n"
          "  proposals   the anonymous shares your organisation made or decides (--hub)\n"
          "  approve PROPOSAL;  discard PROPOSAL   (the CSIRT the proposal was made to)\n"
          "  withdraw PROPOSAL   (the organisation that proposed it, while pending)\n"
          "  hooks run --db PATH [--once] [--now TIME] [--interval SECONDS]\n"
          "      [--allow-insecure] [--allow-private] [--smtp URL --mail-from ADDR\n"
          "      [--smtp-user USER] [--smtp-ca FILE] [--smtp-plain] [--hub-url URL]]\n"
          "      sends the reminder webhooks and e-mails of a local register (a hub\n"
          "      sends its own; recipients are added with 'weerbaar admin hook add')\n"
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
          "  --db PATH            a local register (SQLite)\n"
          "  --hub URL            a hub instead; --key KEY (default $WEERBAAR_KEY)\n"
          "  --key KEY            the hub's API key (default $WEERBAAR_KEY)\n"
          "  --org ORG            new: the organisation (a name 'admin org add' knows)\n"
          "  --title TEXT         new: a short title\n"
          "  --detected-at TIME   new: when the incident was detected\n"
          "  --rsit TAG           new: the RSIT class, rsit:availability=\"ddos\"\n"
          "  --submitted-at TIME  report: when it was submitted (afterwards, --db only)\n"
          "  --at TIME            handled: when; ack, ask, comment: when (--db only)\n"
          "  --by TIME            ask: when the intermediate report is due\n"
          "  --text TEXT          comment: the comment\n"
          "  --out FILE           export: write the PDF or JSON here\n"
          "  --lang L             export --format pdf: nl (Dutch) or en (default)\n"
          "  --summary TEXT       early warning: what happened, in a sentence or two\n"
          "  --suspected-malicious A  early warning: yes, no or unknown\n"
          "  --cross-border A     early warning: a cross-border impact? yes, no, unknown\n"
          "  --contact-name TEXT  early warning: who the CSIRT can reach\n"
          "  --contact-email ADDR early warning: the contact's e-mail address\n"
          "  --contact-phone NUMBER  early warning: the contact's telephone number\n"
          "  --duties D           due: own (the organisation's reports; the default with\n"
          "                       --db and an organisation's key), csirt (the CSIRT's\n"
          "                       answers, with the organisation; default for a CSIRT's\n"
          "                       key) or all\n"
          "  --tlp LEVEL          new, share: clear green amber amber+strict red\n"
          "  --distribution N     share: MISP distribution 0-4 (4: --sharing-group NAME)\n"
          "  --sharing-group NAME share: the sharing group of distribution 4\n"
          "  --anonymous          share: without the reporting organisation's identity\n"
          "  --share-key KEY      share: the idempotency key (default: a digest of what is\n"
          "                       shared); the same key again answers with the first share\n"
          "  --interval SECONDS   hooks run: seconds between looks (default 30)\n"
          "  --once               hooks run: look and send once (for cron), then exit\n"
          "  --allow-insecure     hooks run: also deliver to http:// URLs (default: https)\n"
          "  --allow-private      hooks run: also deliver to loopback, link-local and private\n"
          "                       addresses (checked on the address connected to)\n"
          "  --smtp URL           hooks run: the mail server for the e-mail recipients:\n"
          "                       smtp://HOST:PORT (STARTTLS required) or smtps://HOST:PORT;\n"
          "                       without it their reminders wait; the password comes\n"
          "                       from $WEERBAAR_SMTP_PASSWORD only\n"
          "  --smtp-user USER     hooks run: authenticate as USER\n"
          "  --smtp-ca FILE       hooks run: the mail server's CA certificate (PEM)\n"
          "  --smtp-plain         hooks run: smtp:// without STARTTLS when the server has\n"
          "                       none (a relay on this machine)\n"
          "  --mail-from ADDR     hooks run: the reminders' sender address\n"
          "  --hub-url URL        hooks run: the messages link to URL/#/incidents/ID\n"
          "  -h, --help           this help\n"
          "\n"
          "TIME is now, a local time in Europe/Amsterdam (2026-05-01T10:00 or\n"
          "'2026-05-01 10:00:00'; echoed with the offset it was read with), or RFC 3339\n"
          "with an offset (2026-05-01T10:00:00+02:00 or ...Z). A local time the clocks\n"
          "skipped (spring) or passed twice (autumn) is refused: give the offset.\n"
          "\n"
          "examples:\n"
          "  weerbaar incident assess --entity-type cloud --facts facts.json\n"
          "  weerbaar incident validate --stage notification --file n.json --previous ew.json\n"
          "  weerbaar incident deadlines --aware-at 2026-01-30T09:00:00+01:00 \\\n"
          "      --notification-at 2026-01-31T16:00:00+01:00 --now 2026-02-20T12:00:00Z\n"
          "  weerbaar incident taxonomy rsit\n"
          "  weerbaar incident new --title 'Portal DDoS' --aware-at 2026-01-30T09:00:00+01:00 \\\n"
          "      --hub https://hub.example --key $KEY\n"
          "  weerbaar incident report 1 --stage early-warning --file ew.json --db reg.db\n"
          "  weerbaar incident due --format json --hub https://hub.example --key $KEY\n"
          "  weerbaar incident share 1 --tlp green --distribution 1 --anonymous --hub URL --key K\n"
          "  weerbaar incident hooks run --once --db reg.db   # from cron, every minute\n"
          "  weerbaar incident export 1 --format pdf --out incident-1.pdf --db reg.db\n"
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
    O_FORMAT,
    O_DB,
    O_ORG,
    O_TITLE,
    O_DETECTED,
    O_TLP,
    O_RSIT,
    O_AT,
    O_BY,
    O_TEXT,
    O_SUBMITTED_AT,
    O_ONCE,
    O_INTERVAL,
    O_ALLOW_INSECURE,
    O_ALLOW_PRIVATE,
    O_HUB,
    O_KEY,
    O_DISTRIBUTION,
    O_SHARING_GROUP,
    O_ANONYMOUS,
    O_SHARE_KEY,
    O_OUT,
    O_SUMMARY,
    O_MALICIOUS,
    O_CROSS_BORDER,
    O_CONTACT_NAME,
    O_CONTACT_EMAIL,
    O_CONTACT_PHONE,
    O_DUTIES,
    O_LANG,
    O_SMTP,
    O_SMTP_USER,
    O_SMTP_CA,
    O_SMTP_PLAIN,
    O_MAIL_FROM,
    O_HUB_URL
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
    /* the register (--db) */
    const char *db, *org, *title, *rsit, *text;
    bool has_entity, has_tlp;
    wb_tlp tlp;
    wb_time detected_at, at, by, submitted_at;
    /* hooks run */
    bool once;
    int64_t interval;
    bool allow_insecure, allow_private;
    /* --hub and share */
    const char *hub, *key, *sharing_group, *share_key;
    int64_t distribution;
    bool anonymous;
    /* export --format pdf (cmd_incident_export.c) */
    bool pdf;
    const char *out;
    /* the early warning's fields as options (new, report) */
    const char *summary, *malicious, *cross_border, *contact_name, *contact_email, *contact_phone;
    /* due --duties: NULL for the default */
    const char *duties;
    /* export --format pdf --lang nl|en */
    const char *lang;
    /* hooks run: the e-mail reminders */
    const char *smtp, *smtp_user, *smtp_ca, *mail_from, *hub_url;
    bool smtp_plain;
} opts;

/* The time every option's "now" means: the command's start. */
static wb_time cli_now;

/* A time option: now, RFC 3339, or a local time in Europe/Amsterdam, which
 * is echoed on stderr with the offset it was read with. */
static int parse_time_opt(const char *opt, const char *s, wb_time *out)
{
    wb_error err = {0};
    int how = 0;
    if (wb_ams_parse(s, cli_now, out, &how, &err) != 0) {
        wb_cli_error("incident: %s %s", opt, err.msg);
        return -1;
    }
    if (how != 0) {
        char t[48];
        wb_ams_format(*out - (*out % 1000000 + 1000000) % 1000000, t, sizeof t);
        fprintf(stderr, "weerbaar: %s %s: %s (Europe/Amsterdam)\n", opt, s, t);
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

static const struct option incident_longopts[] = {
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
    {"db", required_argument, NULL, O_DB},
    {"org", required_argument, NULL, O_ORG},
    {"title", required_argument, NULL, O_TITLE},
    {"detected-at", required_argument, NULL, O_DETECTED},
    {"tlp", required_argument, NULL, O_TLP},
    {"rsit", required_argument, NULL, O_RSIT},
    {"at", required_argument, NULL, O_AT},
    {"by", required_argument, NULL, O_BY},
    {"text", required_argument, NULL, O_TEXT},
    {"submitted-at", required_argument, NULL, O_SUBMITTED_AT},
    {"once", no_argument, NULL, O_ONCE},
    {"allow-insecure", no_argument, NULL, O_ALLOW_INSECURE},
    {"allow-private", no_argument, NULL, O_ALLOW_PRIVATE},
    {"interval", required_argument, NULL, O_INTERVAL},
    {"hub", required_argument, NULL, O_HUB},
    {"key", required_argument, NULL, O_KEY},
    {"distribution", required_argument, NULL, O_DISTRIBUTION},
    {"sharing-group", required_argument, NULL, O_SHARING_GROUP},
    {"anonymous", no_argument, NULL, O_ANONYMOUS},
    {"share-key", required_argument, NULL, O_SHARE_KEY},
    {"out", required_argument, NULL, O_OUT},
    {"summary", required_argument, NULL, O_SUMMARY},
    {"suspected-malicious", required_argument, NULL, O_MALICIOUS},
    {"cross-border", required_argument, NULL, O_CROSS_BORDER},
    {"contact-name", required_argument, NULL, O_CONTACT_NAME},
    {"contact-email", required_argument, NULL, O_CONTACT_EMAIL},
    {"contact-phone", required_argument, NULL, O_CONTACT_PHONE},
    {"duties", required_argument, NULL, O_DUTIES},
    {"lang", required_argument, NULL, O_LANG},
    {"smtp", required_argument, NULL, O_SMTP},
    {"smtp-user", required_argument, NULL, O_SMTP_USER},
    {"smtp-ca", required_argument, NULL, O_SMTP_CA},
    {"smtp-plain", no_argument, NULL, O_SMTP_PLAIN},
    {"mail-from", required_argument, NULL, O_MAIL_FROM},
    {"hub-url", required_argument, NULL, O_HUB_URL},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* Returns the index of the first positional argument (the action), or -1
 * after printing the error. */
static int parse_opts(int argc, char **argv, opts *o, bool *help)
{

    memset(o, 0, sizeof *o);
    cli_now = wb_time_now();
    o->aware_at = o->handled_at = o->now = o->ack_at = WB_TIME_NONE;
    o->detected_at = o->at = o->by = o->submitted_at = WB_TIME_NONE;
    o->interval = 30;
    o->distribution = -1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", incident_longopts, NULL)) != -1) {
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
            o->has_entity = true;
            break;
        case O_FACTS:
            o->facts = optarg;
            break;
        case O_STAGE:
            /* gdpr-breach only for `report`: it records the notification
             * to the data protection authority. */
            if (wb_stage_parse(optarg, &o->stage) != 0 || o->stage == WB_STAGE_CSIRT_ANSWER) {
                wb_cli_error("incident: unknown stage '%s' (early-warning, notification, "
                             "intermediate, final, progress; gdpr-breach for report)",
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
            else if (strcmp(optarg, "pdf") == 0)
                o->pdf = true;
            else if (strcmp(optarg, "table") != 0) {
                wb_cli_error("incident: --format '%s': table or json (pdf for export)", optarg);
                return -1;
            }
            break;
        case O_DB:
            o->db = optarg;
            break;
        case O_ORG:
            o->org = optarg;
            break;
        case O_TITLE:
            o->title = optarg;
            break;
        case O_DETECTED:
            if (parse_time_opt("--detected-at", optarg, &o->detected_at)) return -1;
            break;
        case O_TLP:
            if (wb_tlp_parse(optarg, strlen(optarg), &o->tlp) != 0) {
                wb_cli_error("incident: --tlp '%s': clear, green, amber, amber+strict or red",
                             optarg);
                return -1;
            }
            o->has_tlp = true;
            break;
        case O_RSIT:
            o->rsit = optarg;
            break;
        case O_AT:
            if (parse_time_opt("--at", optarg, &o->at)) return -1;
            break;
        case O_BY:
            if (parse_time_opt("--by", optarg, &o->by)) return -1;
            break;
        case O_TEXT:
            o->text = optarg;
            break;
        case O_SUBMITTED_AT:
            if (parse_time_opt("--submitted-at", optarg, &o->submitted_at)) return -1;
            break;
        case O_ALLOW_INSECURE:
            o->allow_insecure = true;
            break;
        case O_ALLOW_PRIVATE:
            o->allow_private = true;
            break;
        case O_SMTP:
            o->smtp = optarg;
            break;
        case O_SMTP_USER:
            o->smtp_user = optarg;
            break;
        case O_SMTP_CA:
            o->smtp_ca = optarg;
            break;
        case O_SMTP_PLAIN:
            o->smtp_plain = true;
            break;
        case O_MAIL_FROM:
            o->mail_from = optarg;
            break;
        case O_HUB_URL:
            o->hub_url = optarg;
            break;
        case O_ONCE:
            o->once = true;
            break;
        case O_INTERVAL:
            if (wb_parse_i64(optarg, strlen(optarg), 1, 86400, &o->interval) != 0) {
                wb_cli_error("incident: --interval '%s': seconds from 1 to 86400", optarg);
                return -1;
            }
            break;
        case O_HUB:
            o->hub = optarg;
            break;
        case O_KEY:
            o->key = optarg;
            break;
        case O_DISTRIBUTION:
            if (wb_parse_i64(optarg, strlen(optarg), 0, 4, &o->distribution) != 0) {
                wb_cli_error("incident: --distribution '%s': a MISP distribution from 0 to 4",
                             optarg);
                return -1;
            }
            break;
        case O_SHARING_GROUP:
            o->sharing_group = optarg;
            break;
        case O_SHARE_KEY:
            o->share_key = optarg;
            break;
        case O_ANONYMOUS:
            o->anonymous = true;
            break;
        case O_OUT:
            o->out = optarg;
            break;
        case O_SUMMARY:
            o->summary = optarg;
            break;
        case O_MALICIOUS:
        case O_CROSS_BORDER: {
            wb_tri t;
            if (wb_tri_parse(optarg, &t) != 0) {
                wb_cli_error("incident: %s '%s': yes, no or unknown",
                             argv[optind - 1][0] == '-' ? argv[optind - 1] : argv[optind - 2],
                             optarg);
                return -1;
            }
            if (c == O_MALICIOUS)
                o->malicious = optarg;
            else
                o->cross_border = optarg;
            break;
        }
        case O_CONTACT_NAME:
            o->contact_name = optarg;
            break;
        case O_CONTACT_EMAIL:
            o->contact_email = optarg;
            break;
        case O_CONTACT_PHONE:
            o->contact_phone = optarg;
            break;
        case O_LANG:
            if (strcmp(optarg, "nl") != 0 && strcmp(optarg, "en") != 0) {
                wb_cli_error("incident: --lang '%s': nl or en", optarg);
                return -1;
            }
            o->lang = optarg;
            break;
        case O_DUTIES:
            if (strcmp(optarg, "own") != 0 && strcmp(optarg, "csirt") != 0 &&
                strcmp(optarg, "all") != 0) {
                wb_cli_error("incident: --duties '%s': own, csirt or all", optarg);
                return -1;
            }
            o->duties = optarg;
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
        wb_buf b = {0};
        json_t *v = wb_significance_json(o->entity, &a, &b) == 0
                        ? json_loadb(b.data, b.len, JSON_DECODE_ANY, NULL)
                        : NULL;
        wb_buf_free(&b);
        return print_json(v);
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
    if (rc == 0 && (rc = wb_report_check_values(*out, probs)) != 0) {
        wb_report_free(*out);
        *out = NULL;
    }
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
    if (!wb_stage_is_report(o->stage)) {
        wb_cli_error("incident validate: --stage %s: not a report stage (early-warning, "
                     "notification, intermediate, final, progress)",
                     wb_stage_name(o->stage));
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

/* A time in a table: to the second (a column never breaks on microseconds),
 * in Europe/Amsterdam with its offset, or UTC. */
static void fmt_time(wb_time t, bool utc, char *buf, size_t cap)
{
    if (t == WB_TIME_NONE) {
        snprintf(buf, cap, "-");
        return;
    }
    t -= (t % 1000000 + 1000000) % 1000000;
    if (utc)
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

/* ---- the register (--db) ----------------------------------------------------------- */

/* The register's commands share an open store and the incident's id. */
typedef struct reg_ctx {
    wb_store *st;
    wb_error err;
    int64_t id;
    const char *id_text;
} reg_ctx;

/* Forward: new files the early warning through the report's path. */
static int local_file(reg_ctx *c, const struct opts *o, wb_stage stage, json_t **res);
static int new_with_ew(json_t *res, const struct opts *o, int filed, json_t *receipt, json_t *inc);

static int reg_fail(reg_ctx *c)
{
    wb_cli_report(&c->err);
    return WB_EXIT_ERROR;
}

/* ---- output, the same for a local register and a hub ------------------------------- */

/* Both forms print from the incident's JSON (wb_reg_incident_json locally,
 * the hub's answer remotely), so `--db` and `--hub` cannot drift apart. */

static wb_time jtime_of(json_t *v)
{
    wb_time t = WB_TIME_NONE;
    const char *s = json_string_value(v);
    if (s == NULL || wb_time_parse_rfc3339(s, strlen(s), &t) != 0) return WB_TIME_NONE;
    return t;
}

static const char *jstr_of(json_t *o, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : dflt;
}

static long long jint_of(json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

static void jfmt(json_t *o, const char *key, bool utc, char *buf, size_t cap)
{
    fmt_time(jtime_of(json_object_get(o, key)), utc, buf, cap);
}

/* WB_EXIT_NO when any deadline of the incident is overdue. */
static int overdue_status(json_t *inc)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(inc, "deadlines"), i, d)
    {
        if (strcmp(jstr_of(d, "state", ""), "overdue") == 0) return WB_EXIT_NO;
    }
    return WB_EXIT_OK;
}

/* How long until a deadline still to meet, or how long it is overdue, in
 * hours and minutes at now; "-" for one met, late or without a date. */
static void left_of(json_t *d, wb_time now, char *buf, size_t cap)
{
    const char *state = jstr_of(d, "state", "");
    wb_time due = jtime_of(json_object_get(d, "due"));
    if (due == WB_TIME_NONE || now == WB_TIME_NONE ||
        (strcmp(state, "open") != 0 && strcmp(state, "overdue") != 0)) {
        snprintf(buf, cap, "-");
        return;
    }
    int64_t min = (due > now ? due - now : now - due) / 60000000;
    snprintf(buf, cap, "%s%lld h %02lld min", due > now ? "in " : "overdue by ",
             (long long)(min / 60), (long long)(min % 60));
}

static void print_deadlines(json_t *inc, bool utc)
{
    wb_time now = jtime_of(json_object_get(inc, "judged_at"));
    printf("%-14s %-25s %-8s %-22s %-25s %s\n", "STAGE", "DUE", "STATE", "LEFT", "SUBMITTED",
           "ARTICLE");
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(inc, "deadlines"), i, d)
    {
        char due[48], sub[48], left[48];
        jfmt(d, "due", utc, due, sizeof due);
        if (json_is_null(json_object_get(d, "due")))
            snprintf(due, sizeof due, "handled_at + 1 month");
        jfmt(d, "submitted", utc, sub, sizeof sub);
        left_of(d, now, left, sizeof left);
        printf("%-14s %-25s %-8s %-22s %-25s %s\n", jstr_of(d, "stage", "?"), due,
               jstr_of(d, "state", "?"), left, sub, jstr_of(d, "article", ""));
    }
}

/* A report's contents, one field a line ("contact.email: ..."), in the
 * document's order; a list's items numbered. Nothing is cut. */
static void print_doc(json_t *v, const char *path)
{
    char sub[256];
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", k);
            print_doc(x, sub);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            print_doc(x, sub);
        }
    } else if (v && path[0]) {
        char *t = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
        printf("         %s: %s\n", path, t ? t : json_string_value(v));
        free(t);
    }
}

/* The table of `incident show`; WB_EXIT_NO when a deadline is overdue. */
static int print_incident(json_t *inc, bool utc)
{
    char aware[48], detected[48], handled[48];
    jfmt(inc, "aware_at", utc, aware, sizeof aware);
    jfmt(inc, "detected_at", utc, detected, sizeof detected);
    jfmt(inc, "handled_at", utc, handled, sizeof handled);
    printf("incident %lld: %s\n"
           "  organisation  %s (sector %s)\n"
           "  status        %s\n"
           "  aware at      %s\n"
           "  detected at   %s\n"
           "  handled at    %s\n"
           "  entity type   %s\n"
           "  TLP           %s\n"
           "  RSIT          %s\n",
           jint_of(inc, "id"), jstr_of(inc, "title", ""), jstr_of(inc, "org", "-"),
           jstr_of(inc, "sector", "-"), jstr_of(inc, "status", "?"), aware, detected, handled,
           jstr_of(inc, "entity_type", "?"), jstr_of(inc, "tlp", "?"), jstr_of(inc, "rsit", "-"));
    printf("\nreports:\n");
    json_t *reps = json_object_get(inc, "reports"), *acts = json_object_get(inc, "actions");
    if (json_array_size(reps) == 0) printf("  (none)\n");
    size_t k;
    json_t *r;
    json_array_foreach(reps, k, r)
    {
        char at[48];
        jfmt(r, "submitted_at", utc, at, sizeof at);
        printf("  %-4lld %-14s %-25s %-9s %s\n", jint_of(r, "id"), jstr_of(r, "stage", "?"), at,
               jstr_of(r, "channel", "?"), jstr_of(r, "author", "?"));
        print_doc(json_object_get(r, "report"), "");
    }
    printf("\nCSIRT actions:\n");
    if (json_array_size(acts) == 0) printf("  (none)\n");
    json_array_foreach(acts, k, r)
    {
        char at[48], by[48];
        const char *kind = jstr_of(r, "kind", "?");
        jfmt(r, "at", utc, at, sizeof at);
        jfmt(r, "by", utc, by, sizeof by);
        printf("  %-8s %-26s %s", kind, at, jstr_of(r, "author", "?"));
        if (strcmp(kind, "ask") == 0) printf(" (intermediate report by %s)", by);
        if (strcmp(kind, "comment") == 0) printf(": %s", jstr_of(r, "text", ""));
        putchar('\n');
    }
    json_t *evs = json_object_get(inc, "events");
    if (json_array_size(evs) > 0) {
        printf("\nshared as events:\n");
        json_array_foreach(evs, k, r)
        {
            char at[48];
            jfmt(r, "at", utc, at, sizeof at);
            printf("  %s %-26s %s%s\n", jstr_of(r, "uuid", "?"), at, jstr_of(r, "author", "?"),
                   json_is_true(json_object_get(r, "anonymous")) ? " (anonymous)" : "");
        }
    }
    printf("\ndeadlines:\n");
    print_deadlines(inc, utc);
    return overdue_status(inc);
}

/* One row of `incident list`: the earliest deadline still to meet is the
 * one to act on. */
static void print_list_row(json_t *inc, bool utc)
{
    json_t *next = NULL;
    wb_time next_due = WB_TIME_NONE;
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(inc, "deadlines"), i, d)
    {
        wb_time due = jtime_of(json_object_get(d, "due"));
        if (json_is_null(json_object_get(d, "submitted")) && due != WB_TIME_NONE &&
            strcmp(jstr_of(d, "stage", ""), "csirt-answer") != 0 &&
            (next == NULL || due < next_due)) {
            next = d;
            next_due = due;
        }
    }
    char aware[48];
    jfmt(inc, "aware_at", utc, aware, sizeof aware);
    printf("%-8lld %-20s %-8s %-25s %-14s %s\n", jint_of(inc, "id"), jstr_of(inc, "org", "-"),
           jstr_of(inc, "status", "?"), aware, next ? jstr_of(next, "stage", "?") : "-",
           jstr_of(inc, "title", ""));
}

/* The due rows a --duties set shows: own (the organisation's reports),
 * csirt (the CSIRT's answers) or all. */
static bool in_duties(json_t *d, const char *duties)
{
    return strcmp(duties, "all") == 0 || strcmp(jstr_of(d, "duty", "own"), duties) == 0;
}

static void print_each_header(bool due)
{
    if (!due)
        printf("%-8s %-20s %-8s %-25s %-14s %s\n", "ID", "ORGANISATION", "STATUS", "AWARE AT",
               "NEXT", "TITLE");
}

/* `incident due`: the rows of the chosen duties with the time left; the
 * organisation column for a CSIRT's view (csirt or all), as wide as the
 * longest name (a name is never cut). */
static void print_due_table(json_t *all, const char *duties, wb_time now, bool utc)
{
    bool orgs = strcmp(duties, "own") != 0;
    int w = (int)strlen("ORGANISATION");
    size_t i;
    json_t *d;
    json_array_foreach(all, i, d)
    {
        int n = (int)strlen(jstr_of(d, "org", "-"));
        if (in_duties(d, duties) && n > w) w = n;
    }
    printf("%-8s ", "INCIDENT");
    if (orgs) printf("%-*s ", w, "ORGANISATION");
    printf("%-14s %-25s %-8s %-22s %s\n", "STAGE", "DUE", "STATE", "LEFT", "SUBMITTED");
    json_array_foreach(all, i, d)
    {
        if (!in_duties(d, duties)) continue;
        char dt[48], sub[48], left[48];
        jfmt(d, "due", utc, dt, sizeof dt);
        if (json_is_null(json_object_get(d, "due")))
            snprintf(dt, sizeof dt, "handled_at + 1 month");
        jfmt(d, "submitted", utc, sub, sizeof sub);
        left_of(d, now, left, sizeof left);
        printf("%-8lld ", jint_of(d, "incident"));
        if (orgs) printf("%-*s ", w, jstr_of(d, "org", "-"));
        printf("%-14s %-25s %-8s %-22s %s\n", jstr_of(d, "stage", "?"), dt,
               jstr_of(d, "state", "?"), left, sub);
    }
}

/* show and export: the JSON as is, or the table. */
static int output_incident(json_t *inc, const opts *o)
{
    if (o->json) return print_json(inc);
    int status = print_incident(inc, o->utc);
    json_decref(inc);
    return status;
}

/* show and export: the incident of the answer; show leaves out the
 * documents and the cumulative state that the answer carries. */
static int print_shown(json_t *res, const opts *o, bool export)
{
    json_t *inc = json_incref(json_object_get(res, "incident"));
    json_decref(res);
    if (!json_is_object(inc)) {
        json_decref(inc);
        wb_cli_error("incident: the answer has no incident");
        return WB_EXIT_ERROR;
    }
    if (!export) {
        json_object_del(inc, "state");
        size_t i;
        json_t *r;
        /* the table shows every report's contents; the JSON of show is
         * without them (export has them) */
        if (o->json)
            json_array_foreach(json_object_get(inc, "reports"), i, r) json_object_del(r, "report");
    }
    return output_incident(inc, o);
}

/* list and due: the rows of the answer; due exits 1 when one is overdue. */
/* list and due: the rows of the answer. due shows the duties chosen with
 * --duties (default: what the answer says, own for a local register and an
 * organisation's key, csirt for a CSIRT's) and exits 1 only when one of
 * those is overdue. */
static int print_each(json_t *res, const opts *o, bool due)
{
    json_t *all = json_incref(json_object_get(res, "response"));
    const char *dflt = jstr_of(res, "duties", "own");
    char duties[8];
    snprintf(duties, sizeof duties, "%s", o->duties ? o->duties : dflt);
    json_decref(res);
    if (!json_is_array(all)) {
        json_decref(all);
        wb_cli_error("incident: the answer has no list");
        return WB_EXIT_ERROR;
    }
    bool overdue = false;
    for (size_t i = json_array_size(all); due && i-- > 0;) {
        json_t *v = json_array_get(all, i);
        if (!in_duties(v, duties))
            json_array_remove(all, i);
        else if (strcmp(jstr_of(v, "state", ""), "overdue") == 0)
            overdue = true;
    }
    int status = WB_EXIT_OK;
    if (o->json) {
        status = print_json(all);
    } else if (due) {
        print_due_table(all, duties, o->now != WB_TIME_NONE ? o->now : wb_time_now(), o->utc);
        json_decref(all);
    } else {
        print_each_header(false);
        size_t i;
        json_t *v;
        json_array_foreach(all, i, v) print_list_row(v, o->utc);
        json_decref(all);
    }
    if (status == WB_EXIT_OK && due && overdue) status = WB_EXIT_NO;
    return status;
}

/* ---- what a write answers: printed from the service's JSON (--db) or the
 * hub's (--hub), which are the same document ------------------------------------------ */

/* Where a write went, truthfully: a local register sends nothing; a hub's
 * routed CSIRT sees what the hub received (its receipt names it). */
static void where_text(json_t *res, const opts *o, const char *at_key, char *buf, size_t cap)
{
    char at[48];
    jfmt(res, at_key, o->utc, at, sizeof at);
    const char *channel = jstr_of(res, "channel", o->hub ? "hub" : "local");
    const char *to = jstr_of(res, "sent_to", NULL);
    const char *receipt = jstr_of(res, "receipt", NULL);
    char rc[96] = "";
    if (receipt)
        snprintf(rc, sizeof rc, ", receipt sha256:%.16s", receipt);
    else if (json_is_object(json_object_get(res, "incident")))
        snprintf(rc, sizeof rc, ", receipt: incident %lld on the hub",
                 jint_of(json_object_get(res, "incident"), "id"));
    if (strcmp(channel, "recorded") == 0)
        snprintf(buf, cap,
                 "recorded in the local register (not sent) as submitted at %s through "
                 "another channel",
                 at);
    else if (strcmp(channel, "local") == 0)
        snprintf(buf, cap, "recorded in the local register (not sent) at %s", at);
    else if (to)
        snprintf(buf, cap, "sent to %s at %s%s", to, at, rc);
    else
        snprintf(buf, cap,
                 "sent to the hub at %s%s; no CSIRT is routed for the organisation's sector "
                 "yet (weerbaar admin route add)",
                 at, rc);
}

/* The line of a report's receipt. */
static void print_receipt_line(json_t *res, const opts *o, const char *lead)
{
    char where[320], due[48];
    where_text(res, o, "submitted_at", where, sizeof where);
    jfmt(res, "due", o->utc, due, sizeof due);
    printf("%sreport %lld: %s of incident %lld, %s: %s%s (due %s)\n", lead, jint_of(res, "report"),
           jstr_of(res, "stage", "?"), jint_of(res, "incident"), where,
           json_is_true(json_object_get(res, "correction")) ? "a correction; the first decided "
                                                            : "",
           jstr_of(res, "state", "?"), due);
}

/* new: what happened, the deadlines that started with their time left,
 * and the id alone on the last line, for scripts: id=$(... | tail -1).
 * With --format json the service's document (with the early warning's
 * receipt as "early_warning" when one was filed). */
static int print_new(json_t *res, const opts *o)
{
    if (o->json) return print_json(res);
    json_t *inc = json_object_get(res, "incident");
    json_t *where = json_pack("{s:O?, s:O?}", "created", json_object_get(inc, "created"), "sent_to",
                              json_object_get(res, "sent_to"));
    json_object_set(where, "incident", inc);
    if (o->db) json_object_set_new(where, "channel", json_string("local"));
    char text[320];
    where_text(where, o, "created", text, sizeof text);
    json_decref(where);
    printf("incident %lld \"%s\" of %s: %s\n", jint_of(inc, "id"), jstr_of(inc, "title", ""),
           jstr_of(inc, "org", "-"), text);
    json_t *ew = json_object_get(res, "early_warning");
    if (json_is_object(ew)) print_receipt_line(ew, o, "");
    printf("\n");
    print_deadlines(inc, o->utc);
    printf("\n%lld\n", jint_of(inc, "id"));
    json_decref(res);
    return WB_EXIT_OK;
}

static int print_receipt(json_t *res, const opts *o)
{
    if (o->json) return print_json(res);
    print_receipt_line(res, o, "");
    json_decref(res);
    return WB_EXIT_OK;
}

/* The early warning of `new` and `report` given as options: NULL when no
 * such option was given, else the document (the register lists what is
 * missing). */
static json_t *ew_doc(const opts *o)
{
    if (!o->summary && !o->malicious && !o->cross_border && !o->contact_name && !o->contact_email &&
        !o->contact_phone)
        return NULL;
    json_t *d = json_object(), *c = json_object();
    if (o->summary) json_object_set_new(d, "summary", json_string(o->summary));
    if (o->malicious) json_object_set_new(d, "malicious", json_string(o->malicious));
    if (o->cross_border) json_object_set_new(d, "cross_border", json_string(o->cross_border));
    if (o->contact_name) json_object_set_new(c, "name", json_string(o->contact_name));
    if (o->contact_email) json_object_set_new(c, "email", json_string(o->contact_email));
    if (o->contact_phone) json_object_set_new(c, "phone", json_string(o->contact_phone));
    if (json_object_size(c))
        json_object_set_new(d, "contact", c);
    else
        json_decref(c);
    return d;
}

/* The report's document: --file, or the early warning's options. *data is
 * the caller's to free. An exit status. */
static int report_data(const opts *o, wb_stage stage, char **data, size_t *len, wb_error *err)
{
    *data = NULL;
    *len = 0;
    json_t *ew = ew_doc(o);
    if (ew && o->file) {
        json_decref(ew);
        wb_cli_error("incident report: --file and the early warning's options (--summary, ...) "
                     "exclude each other");
        return WB_EXIT_ERROR;
    }
    if (ew && stage != WB_STAGE_EARLY_WARNING) {
        json_decref(ew);
        wb_cli_error("incident report: --summary, --suspected-malicious, --cross-border and "
                     "--contact-* are the early warning's fields (--stage early-warning)");
        return WB_EXIT_ERROR;
    }
    if (ew) {
        *data = json_dumps(ew, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(ew);
        if (*data == NULL) {
            wb_cli_error("incident: out of memory");
            return WB_EXIT_ERROR;
        }
        *len = strlen(*data);
        return WB_EXIT_OK;
    }
    if (wb_stage_is_report(stage) && !o->file) {
        wb_cli_error("incident report: --file REPORT.json is required (for an early warning, "
                     "or --summary TEXT --suspected-malicious yes|no|unknown --cross-border "
                     "yes|no|unknown --contact-name/--contact-email/--contact-phone; 'weerbaar "
                     "incident template STAGE' writes a skeleton)");
        return WB_EXIT_ERROR;
    }
    if (o->file && wb_read_file(o->file, WB_REPORT_MAX_BYTES, data, len, err) != 0) {
        wb_cli_report(err);
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

static int print_handled(json_t *res, const opts *o)
{
    if (o->json) return print_json(res);
    json_t *inc = json_object_get(res, "incident");
    char at[48];
    wb_time_format(o->at, at, sizeof at);
    printf("incident %lld handled at %s\n", jint_of(inc, "id"), at);
    json_decref(res);
    return WB_EXIT_OK;
}

/* The newest action of a kind in an incident's answer. */
static json_t *last_action(json_t *inc, const char *kind)
{
    json_t *best = NULL, *a;
    size_t i;
    json_array_foreach(json_object_get(inc, "actions"), i, a)
    {
        if (strcmp(jstr_of(a, "kind", ""), kind) == 0 &&
            (best == NULL || jint_of(a, "id") > jint_of(best, "id")))
            best = a;
    }
    return best;
}

static int print_action(json_t *res, const opts *o, wb_incident_action_kind kind)
{
    if (o->json) return print_json(res);
    json_t *inc = json_object_get(res, "incident");
    json_t *a = last_action(inc, wb_incident_action_name(kind));
    long long id = jint_of(inc, "id");
    char at[48];
    if (kind == WB_ACTION_ACK) {
        jfmt(a, "at", o->utc, at, sizeof at);
        printf("incident %lld acknowledged at %s\n", id, at);
    } else if (kind == WB_ACTION_ASK) {
        jfmt(a, "by", o->utc, at, sizeof at);
        printf("incident %lld: intermediate report asked for by %s\n", id, at);
    } else {
        printf("incident %lld: comment %lld added\n", id, jint_of(a, "id"));
    }
    json_decref(res);
    return WB_EXIT_OK;
}

/* ---- the register's writes on a local database (--db): the service
 * (incidentsvc.h) as the operator ---------------------------------------------------- */

/* The service's answer parsed, or its refusal reported. */
static int svc_done(reg_ctx *c, const char *action, int rc, wb_buf *out, json_t **res)
{
    *res = rc == 0 ? json_loadb(out->data, out->len, 0, NULL) : NULL;
    wb_buf_free(out);
    if (rc == WB_EINVAL) {
        wb_cli_error("incident %s: %s", action, c->err.msg);
        return WB_EXIT_ERROR;
    }
    if (rc) return reg_fail(c);
    if (*res == NULL) {
        wb_cli_error("incident %s: out of memory", action);
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

static int cmd_new(reg_ctx *c, const opts *o)
{
    if (!o->org || !o->title || o->aware_at == WB_TIME_NONE) {
        wb_cli_error("incident new: --org ORG, --title TEXT and --aware-at TIME are required");
        return WB_EXIT_ERROR;
    }
    if (o->rsit && !wb_rsit_tag_valid(o->rsit)) {
        wb_cli_error("incident new: --rsit '%s': not an RSIT value; write it as a machine tag, "
                     "rsit:availability=\"ddos\" (see 'weerbaar incident taxonomy rsit')",
                     o->rsit);
        return WB_EXIT_ERROR;
    }
    wb_incsvc_new_req req = {.org = o->org,
                             .title = o->title,
                             .aware_at = o->aware_at,
                             .detected_at = o->detected_at,
                             .entity = o->entity,
                             .tlp = o->has_tlp ? o->tlp : WB_TLP_UNSET,
                             .rsit = o->rsit};
    wb_actor who = wb_incsvc_operator();
    wb_buf out = {0};
    json_t *res;
    int rc = wb_incsvc_new(c->st, &who, &req, wb_time_now(), &c->id, &out, &c->err);
    if (svc_done(c, "new", rc, &out, &res) != 0) return WB_EXIT_ERROR;
    json_t *ew = ew_doc(o);
    if (ew == NULL) return print_new(res, o);
    json_decref(ew);
    json_t *receipt = NULL, *inc = NULL, *shown = NULL;
    int filed = local_file(c, o, WB_STAGE_EARLY_WARNING, &receipt);
    /* the incident again, with the early warning's deadline met */
    wb_buf b = {0};
    if (filed == WB_EXIT_OK &&
        svc_done(c, "new", wb_incsvc_show(c->st, c->id, 0, wb_time_now(), &b, &c->err), &b,
                 &shown) == WB_EXIT_OK)
        inc = json_incref(json_object_get(shown, "incident"));
    json_decref(shown);
    return new_with_ew(res, o, filed, receipt, inc);
}

/* Files a report of `stage` on the local register; *res its receipt. */
static int local_file(reg_ctx *c, const opts *o, wb_stage stage, json_t **res)
{
    char *data = NULL;
    size_t len = 0;
    *res = NULL;
    if (report_data(o, stage, &data, &len, &c->err) != WB_EXIT_OK) return WB_EXIT_ERROR;
    wb_actor who = wb_incsvc_operator();
    wb_report_problems probs = {0};
    wb_buf out = {0};
    const char *name = o->file ? o->file
                       : o->has_stage && o->stage == WB_STAGE_GDPR_BREACH
                           ? "report"
                           : "early warning (options)";
    int rc = wb_incsvc_report(c->st, &who, c->id, stage, o->submitted_at, wb_time_now(), name, data,
                              len, &probs, &out, &c->err);
    free(data);
    if (rc && probs.count) {
        for (size_t i = 0; i < probs.count; i++)
            wb_cli_error("%s: %s: %s", name, probs.items[i].path, probs.items[i].message);
        if (probs.dropped) wb_cli_error("%s: %zu more problems not listed", name, probs.dropped);
        wb_report_problems_free(&probs);
        wb_buf_free(&out);
        return WB_EXIT_ERROR;
    }
    wb_report_problems_free(&probs);
    return svc_done(c, "report", rc, &out, res);
}

static int cmd_report(reg_ctx *c, const opts *o)
{
    if (!o->has_stage) {
        wb_cli_error("incident report: --stage STAGE is required");
        return WB_EXIT_ERROR;
    }
    json_t *res;
    if (local_file(c, o, o->stage, &res) != WB_EXIT_OK) return WB_EXIT_ERROR;
    return print_receipt(res, o);
}

/* new with the early warning's options: files it at once. The incident
 * stays registered when the early warning is refused (exit 2, with how to
 * file it). */
static int new_with_ew(json_t *res, const opts *o, int filed, json_t *receipt, json_t *inc)
{
    if (receipt) json_object_set_new(res, "early_warning", receipt);
    if (inc) json_object_set(res, "incident", inc);
    json_decref(inc);
    long long id = jint_of(json_object_get(res, "incident"), "id");
    int status = print_new(res, o);
    if (filed != WB_EXIT_OK) {
        wb_cli_error("incident new: incident %lld is registered, its early warning is not: file "
                     "it with 'weerbaar incident report %lld --stage early-warning ...'",
                     id, id);
        return WB_EXIT_ERROR;
    }
    return status;
}

static int cmd_handled(reg_ctx *c, const opts *o)
{
    if (o->at == WB_TIME_NONE) {
        wb_cli_error("incident handled: --at TIME is required");
        return WB_EXIT_ERROR;
    }
    wb_actor who = wb_incsvc_operator();
    wb_buf out = {0};
    json_t *res;
    int rc = wb_incsvc_handled(c->st, &who, c->id, o->at, wb_time_now(), &out, &c->err);
    if (svc_done(c, "handled", rc, &out, &res) != 0) return WB_EXIT_ERROR;
    return print_handled(res, o);
}

static int cmd_action(reg_ctx *c, const opts *o, wb_incident_action_kind kind)
{
    if (kind == WB_ACTION_ASK && o->by == WB_TIME_NONE) {
        wb_cli_error("incident ask: --by TIME is required (the date the intermediate report is "
                     "due)");
        return WB_EXIT_ERROR;
    }
    if (kind == WB_ACTION_COMMENT && !o->text) {
        wb_cli_error("incident comment: --text TEXT is required");
        return WB_EXIT_ERROR;
    }
    wb_actor who = wb_incsvc_operator();
    wb_buf out = {0};
    json_t *res;
    int rc = wb_incsvc_act(c->st, &who, c->id, kind, o->at, o->by, o->text, wb_time_now(), &out,
                           &c->err);
    if (svc_done(c, wb_incident_action_name(kind), rc, &out, &res) != 0) return WB_EXIT_ERROR;
    return print_action(res, o, kind);
}

static int cmd_show(reg_ctx *c, const opts *o, bool export)
{
    if (export && !o->json && !o->pdf) {
        wb_cli_error("incident export: --format json is required (or --format pdf)");
        return WB_EXIT_ERROR;
    }
    wb_time now = o->now != WB_TIME_NONE ? o->now : wb_time_now();
    if (export && o->pdf) {
        /* the service renders it, as the hub does for --hub */
        if (!wb_cli_may_write_binary("incident export", o->out)) return WB_EXIT_ERROR;
        wb_buf pdf = {0};
        if (wb_incsvc_pdf(c->st, c->id, now, o->utc, o->lang, &pdf, &c->err) != 0) {
            wb_buf_free(&pdf);
            return reg_fail(c);
        }
        int status = wb_cli_write_bytes("incident export", o->out, &pdf);
        wb_buf_free(&pdf);
        wb_report_cleanup(); /* the font caches, for a clean exit */
        return status;
    }
    /* What the hub's GET /api/v1/incidents/{id} answers, printed alike. */
    wb_buf out = {0};
    json_t *res;
    int rc =
        wb_incsvc_show(c->st, c->id, WB_REG_JSON_REPORTS | WB_REG_JSON_STATE, now, &out, &c->err);
    if (svc_done(c, export ? "export" : "show", rc, &out, &res) != 0) return WB_EXIT_ERROR;
    return print_shown(res, o, export);
}

static int cmd_each(reg_ctx *c, const opts *o, bool due)
{
    wb_time now = o->now != WB_TIME_NONE ? o->now : wb_time_now();
    wb_buf out = {0};
    json_t *res;
    wb_actor who = wb_incsvc_operator();
    int rc = wb_incsvc_list(c->st, &who, due, now, NULL, NULL, &out, &c->err);
    if (svc_done(c, due ? "due" : "list", rc, &out, &res) != 0) return WB_EXIT_ERROR;
    return print_each(res, o, due);
}

/* ---- over a hub (--hub URL --key KEY) ------------------------------------------------ */

/* The same commands through the hub's API (docs/hub.md): the output and
 * exit statuses of the local form, with the hub's clock as the time of
 * every submission and action. */
typedef struct hub_ctx {
    wb_hub_client cl;
    wb_error err;
    int64_t id;
    wb_buf out;
} hub_ctx;

static int remote_file(hub_ctx *h, const opts *o, wb_stage stage, json_t **res);

/* One call; the answer parsed into *res. Returns WB_EXIT_OK or
 * WB_EXIT_ERROR (reported: the URL, the HTTP status and the hub's error
 * code and message). */
static int hub_do(hub_ctx *h, const char *method, const char *path, json_t *body, json_t **res)
{
    *res = NULL;
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(body);
    /* A GET has no body; a POST always has one (libcurl sends a GET
     * otherwise). */
    bool get = strcmp(method, "GET") == 0;
    int rc = wb_hub_call(&h->cl, method, path,
                         get    ? NULL
                         : text ? text
                                : "",
                         text ? strlen(text) : 0, &h->out, NULL, &h->err);
    free(text);
    if (rc != 0) {
        wb_cli_report(&h->err);
        return WB_EXIT_ERROR;
    }
    *res = json_loadb(h->out.data, h->out.len, 0, NULL);
    if (*res == NULL) {
        wb_cli_error("%s%s: the hub's answer is not JSON", h->cl.base, path);
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

static void path_of(char *buf, size_t cap, const hub_ctx *h, const char *tail, wb_time now)
{
    char t[48] = "";
    if (now != WB_TIME_NONE) wb_time_format(now, t, sizeof t);
    if (h->id > 0)
        snprintf(buf, cap, "/api/v1/incidents/%lld%s%s%s", (long long)h->id, tail,
                 t[0] ? "?now=" : "", t);
    else
        snprintf(buf, cap, "/api/v1/incidents%s%s%s", tail, t[0] ? "?now=" : "", t);
}

static void set_time(json_t *o, const char *key, wb_time t)
{
    char buf[48];
    if (t == WB_TIME_NONE) return;
    wb_time_format(t, buf, sizeof buf);
    json_object_set_new(o, key, json_string(buf));
}

static int remote_new(hub_ctx *h, const opts *o)
{
    if (!o->title || o->aware_at == WB_TIME_NONE) {
        wb_cli_error("incident new: --title TEXT and --aware-at TIME are required (on a hub the "
                     "organisation is the key's)");
        return WB_EXIT_ERROR;
    }
    if (o->rsit && !wb_rsit_tag_valid(o->rsit)) {
        wb_cli_error("incident new: --rsit '%s': not an RSIT value; write it as a machine tag, "
                     "rsit:availability=\"ddos\" (see 'weerbaar incident taxonomy rsit')",
                     o->rsit);
        return WB_EXIT_ERROR;
    }
    json_t *b = json_pack("{s:s}", "title", o->title);
    set_time(b, "aware_at", o->aware_at);
    set_time(b, "detected_at", o->detected_at);
    if (o->has_entity)
        json_object_set_new(b, "entity_type", json_string(wb_entity_type_name(o->entity)));
    if (o->has_tlp) json_object_set_new(b, "tlp", json_string(wb_tlp_name(o->tlp)));
    if (o->rsit) json_object_set_new(b, "rsit", json_string(o->rsit));
    if (o->org) json_object_set_new(b, "org", json_string(o->org));
    json_t *res;
    if (hub_do(h, "POST", "/api/v1/incidents", b, &res) != 0) return WB_EXIT_ERROR;
    json_t *ew = ew_doc(o);
    if (ew == NULL) return print_new(res, o);
    json_decref(ew);
    h->id = jint_of(json_object_get(res, "incident"), "id");
    json_t *receipt = NULL, *inc = NULL, *shown = NULL;
    int filed = remote_file(h, o, WB_STAGE_EARLY_WARNING, &receipt);
    char path[96];
    path_of(path, sizeof path, h, "", WB_TIME_NONE);
    if (filed == WB_EXIT_OK && hub_do(h, "GET", path, NULL, &shown) == WB_EXIT_OK) {
        inc = json_incref(json_object_get(shown, "incident"));
        /* show's parts that new does not carry */
        json_object_del(inc, "state");
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(inc, "reports"), i, r) json_object_del(r, "report");
    }
    json_decref(shown);
    return new_with_ew(res, o, filed, receipt, inc);
}

/* Files a report of `stage` on the hub; *res its receipt. */
static int remote_file(hub_ctx *h, const opts *o, wb_stage stage, json_t **res)
{
    *res = NULL;
    if (o->submitted_at != WB_TIME_NONE) {
        wb_cli_error("incident report: --submitted-at is for a local register only: on a hub "
                     "the time the hub receives a report is its submission time");
        return WB_EXIT_ERROR;
    }
    char *data = NULL;
    size_t len = 0;
    if (report_data(o, stage, &data, &len, &h->err) != WB_EXIT_OK) return WB_EXIT_ERROR;
    char path[160];
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports?stage=%s", (long long)h->id,
             wb_stage_name(stage));
    long status = 0;
    int rc = wb_hub_call(&h->cl, "POST", path, data ? data : "", len, &h->out, &status, &h->err);
    free(data);
    if (rc != 0) {
        const char *name = o->file ? o->file
                           : o->has_stage && o->stage == WB_STAGE_GDPR_BREACH
                               ? "report"
                               : "early warning (options)";
        json_t *j = h->out.len ? json_loadb(h->out.data, h->out.len, 0, NULL) : NULL;
        json_t *probs = json_object_get(json_object_get(j, "error"), "problems");
        size_t i;
        json_t *p;
        json_array_foreach(probs, i, p)
        {
            wb_cli_error("%s: %s: %s", name, jstr_of(p, "path", "$"), jstr_of(p, "message", ""));
        }
        if (json_array_size(probs) == 0) wb_cli_report(&h->err);
        json_decref(j);
        return WB_EXIT_ERROR;
    }
    *res = json_loadb(h->out.data, h->out.len, 0, NULL);
    if (*res == NULL) {
        wb_cli_error("%s%s: the hub's answer is not JSON", h->cl.base, path);
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

static int remote_report(hub_ctx *h, const opts *o)
{
    if (!o->has_stage) {
        wb_cli_error("incident report: --stage STAGE is required");
        return WB_EXIT_ERROR;
    }
    json_t *res;
    if (remote_file(h, o, o->stage, &res) != WB_EXIT_OK) return WB_EXIT_ERROR;
    return print_receipt(res, o);
}

static int remote_handled(hub_ctx *h, const opts *o)
{
    if (o->at == WB_TIME_NONE) {
        wb_cli_error("incident handled: --at TIME is required");
        return WB_EXIT_ERROR;
    }
    json_t *b = json_object(), *res;
    set_time(b, "at", o->at);
    char path[96];
    path_of(path, sizeof path, h, "/handled", WB_TIME_NONE);
    if (hub_do(h, "POST", path, b, &res) != 0) return WB_EXIT_ERROR;
    return print_handled(res, o);
}

static int remote_action(hub_ctx *h, const opts *o, wb_incident_action_kind kind)
{
    if (o->at != WB_TIME_NONE) {
        wb_cli_error("incident %s: --at is for a local register only: on a hub the hub's clock "
                     "dates the CSIRT's actions",
                     wb_incident_action_name(kind));
        return WB_EXIT_ERROR;
    }
    if (kind == WB_ACTION_ASK && o->by == WB_TIME_NONE) {
        wb_cli_error("incident ask: --by TIME is required (the date the intermediate report is "
                     "due)");
        return WB_EXIT_ERROR;
    }
    if (kind == WB_ACTION_COMMENT && !o->text) {
        wb_cli_error("incident comment: --text TEXT is required");
        return WB_EXIT_ERROR;
    }
    json_t *b = json_object(), *res;
    const char *tail = kind == WB_ACTION_ACK   ? "/ack"
                       : kind == WB_ACTION_ASK ? "/ask"
                                               : "/comments";
    if (kind == WB_ACTION_ASK) set_time(b, "by", o->by);
    if (kind == WB_ACTION_COMMENT) json_object_set_new(b, "text", json_string(o->text));
    char path[96];
    path_of(path, sizeof path, h, tail, WB_TIME_NONE);
    if (hub_do(h, "POST", path, b, &res) != 0) return WB_EXIT_ERROR;
    return print_action(res, o, kind);
}

/* export --format pdf over a hub: the hub renders the PDF from its register
 * (GET /api/v1/incidents/{id}/pdf); its bytes go to --out or standard output. */
static int remote_pdf(hub_ctx *h, const opts *o)
{
    char path[160], now[48] = "";
    if (o->now != WB_TIME_NONE) wb_time_format(o->now, now, sizeof now);
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/pdf?utc=%d&lang=%s%s%s", (long long)h->id,
             o->utc ? 1 : 0, o->lang ? o->lang : "en", now[0] ? "&now=" : "", now);
    long status = 0;
    if (!wb_cli_may_write_binary("incident export", o->out)) return WB_EXIT_ERROR;
    if (wb_hub_call(&h->cl, "GET", path, NULL, 0, &h->out, &status, &h->err) != 0) {
        wb_cli_report(&h->err);
        return WB_EXIT_ERROR;
    }
    if (h->out.len < 5 || memcmp(h->out.data, "%PDF-", 5) != 0) {
        wb_cli_error("%s%s: the hub's answer is not a PDF", h->cl.base, path);
        return WB_EXIT_ERROR;
    }
    return wb_cli_write_bytes("incident export", o->out, &h->out);
}

static int remote_show(hub_ctx *h, const opts *o, bool export)
{
    if (export && !o->json && !o->pdf) {
        wb_cli_error("incident export: --format json is required (or --format pdf)");
        return WB_EXIT_ERROR;
    }
    char path[160];
    if (export && o->pdf) return remote_pdf(h, o);
    path_of(path, sizeof path, h, "", o->now);
    json_t *res;
    if (hub_do(h, "GET", path, NULL, &res) != 0) return WB_EXIT_ERROR;
    return print_shown(res, o, export);
}

static int remote_each(hub_ctx *h, const opts *o, bool due)
{
    char path[128];
    path_of(path, sizeof path, h, due ? "/due" : "", o->now);
    json_t *res;
    if (hub_do(h, "GET", path, NULL, &res) != 0) return WB_EXIT_ERROR;
    return print_each(res, o, due);
}

static int remote_share(hub_ctx *h, const opts *o)
{
    if (!o->has_tlp || o->distribution < 0) {
        wb_cli_error("incident share: --tlp LEVEL and --distribution N are required");
        return WB_EXIT_ERROR;
    }
    if (o->distribution == 4 && !o->sharing_group) {
        wb_cli_error("incident share: --distribution 4 needs --sharing-group NAME");
        return WB_EXIT_ERROR;
    }
    json_t *b = json_pack("{s:s, s:I, s:b}", "tlp", wb_tlp_name(o->tlp), "distribution",
                          (json_int_t)o->distribution, "anonymous", o->anonymous);
    if (o->sharing_group) json_object_set_new(b, "sharing_group", json_string(o->sharing_group));
    if (o->share_key) json_object_set_new(b, "key", json_string(o->share_key));
    char path[96];
    path_of(path, sizeof path, h, "/share", WB_TIME_NONE);
    json_t *res;
    if (hub_do(h, "POST", path, b, &res) != 0) return WB_EXIT_ERROR;
    const char *again = json_is_true(json_object_get(res, "replayed")) ? " (already)" : "";
    if (json_is_true(json_object_get(res, "anonymous")))
        printf("incident %lld proposed to its CSIRT as proposal %lld%s: %lld indicators (%lld on "
               "warninglists), TLP:%s, distribution %lld, anonymous; %s\n",
               (long long)h->id, jint_of(res, "id"), again, jint_of(res, "attributes"),
               jint_of(res, "warninglisted"), jstr_of(res, "tlp", "?"),
               jint_of(res, "distribution"), jstr_of(res, "status", "?"));
    else
        printf("incident %lld shared as event %s%s: %lld indicators, TLP:%s, distribution %lld\n",
               (long long)h->id, jstr_of(res, "event", "?"), again, jint_of(res, "attributes"),
               jstr_of(res, "tlp", "?"), jint_of(res, "distribution"));
    json_decref(res);
    return WB_EXIT_OK;
}

/* incident proposals: a table, or the hub's list as JSON. */
static int remote_proposals(hub_ctx *h, const opts *o)
{
    json_t *res;
    if (hub_do(h, "GET", "/api/v1/incidents/proposals", NULL, &res) != 0) return WB_EXIT_ERROR;
    json_t *all = json_incref(json_object_get(res, "response"));
    json_decref(res);
    if (!json_is_array(all)) {
        json_decref(all);
        wb_cli_error("%s/api/v1/incidents/proposals: the hub's answer has no list", h->cl.base);
        return WB_EXIT_ERROR;
    }
    if (o->json) return print_json(all);
    printf("%-8s %-8s %-9s %-12s %-4s %-5s %-4s %s\n", "proposal", "incident", "status", "tlp",
           "dist", "attrs", "warn", "event");
    size_t i;
    json_t *v;
    json_array_foreach(all, i, v)
    {
        printf("%-8lld %-8lld %-9s %-12s %-4lld %-5lld %-4lld %s\n", jint_of(v, "id"),
               jint_of(v, "incident"), jstr_of(v, "status", "?"), jstr_of(v, "tlp", "?"),
               jint_of(v, "distribution"), jint_of(v, "attributes"), jint_of(v, "warninglisted"),
               jstr_of(v, "event", "-"));
        size_t k;
        json_t *hit;
        json_array_foreach(json_object_get(v, "warninglist_hits"), k, hit)
            printf("    %s %s: on warninglist '%s' (published with to_ids off)\n",
                   jstr_of(hit, "type", "?"), jstr_of(hit, "value", "?"),
                   jstr_of(hit, "warninglist", "?"));
    }
    json_decref(all);
    return WB_EXIT_OK;
}

/* incident approve|discard|withdraw PROPOSAL. */
static int remote_decide(hub_ctx *h, const opts *o, const char *action)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/incidents/proposals/%lld/%s", (long long)h->id, action);
    json_t *res;
    if (hub_do(h, "POST", path, json_object(), &res) != 0) return WB_EXIT_ERROR;
    int status = WB_EXIT_OK;
    if (o->json) {
        status = print_json(res);
    } else {
        printf("proposal %lld %s", (long long)h->id, jstr_of(res, "status", "?"));
        if (json_is_string(json_object_get(res, "event")))
            printf(": event %s in the CSIRT's name", jstr_of(res, "event", "?"));
        printf("\n");
        json_decref(res);
    }
    return status;
}

/* The table's remote forms of the commands that share one function. */
static int remote_show_one(hub_ctx *h, const opts *o)
{
    return remote_show(h, o, false);
}
static int remote_export(hub_ctx *h, const opts *o)
{
    return remote_show(h, o, true);
}
static int remote_list(hub_ctx *h, const opts *o)
{
    return remote_each(h, o, false);
}
static int remote_due(hub_ctx *h, const opts *o)
{
    return remote_each(h, o, true);
}
static int remote_ack(hub_ctx *h, const opts *o)
{
    return remote_action(h, o, WB_ACTION_ACK);
}
static int remote_ask(hub_ctx *h, const opts *o)
{
    return remote_action(h, o, WB_ACTION_ASK);
}
static int remote_comment(hub_ctx *h, const opts *o)
{
    return remote_action(h, o, WB_ACTION_COMMENT);
}
static int remote_approve(hub_ctx *h, const opts *o)
{
    return remote_decide(h, o, "approve");
}
static int remote_discard(hub_ctx *h, const opts *o)
{
    return remote_decide(h, o, "discard");
}
static int remote_withdraw(hub_ctx *h, const opts *o)
{
    return remote_decide(h, o, "withdraw");
}

/* One register command on a hub: the client set up, fn called. */
static int cmd_remote(const opts *o, const char *action, int64_t id,
                      int (*fn)(hub_ctx *h, const opts *o))
{
    hub_ctx h = {.cl = {.base = o->hub, .key = o->key ? o->key : getenv("WEERBAAR_KEY")}, .id = id};
    if (h.cl.key == NULL || h.cl.key[0] == '\0') {
        wb_cli_error("incident %s: --hub needs an API key: --key KEY or WEERBAAR_KEY", action);
        return WB_EXIT_ERROR;
    }
    if (o->db) {
        wb_cli_error("incident %s: --db and --hub exclude each other", action);
        return WB_EXIT_ERROR;
    }
    if (wb_hub_global_init() != 0) {
        wb_cli_error("incident: libcurl failed to start");
        return WB_EXIT_ERROR;
    }
    int status = fn(&h, o);
    wb_buf_free(&h.out);
    wb_hub_global_cleanup();
    return status;
}

/* ---- reminder webhooks (hooks run) ---------------------------------------------------- */

static volatile sig_atomic_t hooks_stop;

static void on_hooks_signal(int sig)
{
    (void)sig;
    hooks_stop = 1;
}

static wb_time fixed_clock(void *ud)
{
    return *(const wb_time *)ud;
}

/* `incident hooks run`: the hub's dispatcher for a local register (cron, or
 * a loop of its own). */
static int cmd_hooks(const opts *o, char **args, int nargs)
{
    if (nargs != 1 || strcmp(args[0], "run") != 0) {
        wb_cli_error("incident hooks: expected 'run --db PATH [--once] [--now TIME]'");
        return WB_EXIT_ERROR;
    }
    if (!o->db || o->hub) {
        wb_cli_error("incident hooks run: --db PATH is required (a hub runs its own dispatcher)");
        return WB_EXIT_ERROR;
    }
    if (o->now != WB_TIME_NONE && !o->once) {
        wb_cli_error("incident hooks run: --now needs --once (a loop follows the clock)");
        return WB_EXIT_ERROR;
    }
    wb_error err = {0};
    wb_store *st = NULL;
    if (wb_incsvc_open(&st, o->db, &err) != 0 || wb_hub_global_init() != 0) {
        if (err.msg[0] == '\0') wb_error_set(&err, WB_EINTERNAL, "libcurl failed to start");
        wb_cli_report(&err);
        wb_incsvc_close(st);
        return WB_EXIT_ERROR;
    }
    wb_time fixed = o->now;
    wb_hooks_opts ho = {.clock = fixed != WB_TIME_NONE ? fixed_clock : NULL,
                        .clock_ud = &fixed,
                        .allow_insecure = o->allow_insecure,
                        .allow_private = o->allow_private,
                        .smtp_url = o->smtp,
                        .smtp_plain = o->smtp_plain,
                        .smtp_user = o->smtp_user,
                        .smtp_password = getenv("WEERBAAR_SMTP_PASSWORD"),
                        .smtp_ca_file = o->smtp_ca,
                        .mail_from = o->mail_from,
                        .hub_url = o->hub_url};
    if (wb_hooks_mail_check(&ho, &err) != 0) {
        wb_cli_report(&err);
        wb_incsvc_close(st);
        wb_hub_global_cleanup();
        return WB_EXIT_ERROR;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_hooks_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    int status = WB_EXIT_OK;
    do {
        wb_hooks_stats stats = {0};
        wb_time now = wb_hooks_now(&ho);
        int rc = wb_hooks_queue(st, &ho, now, &stats, &err);
        if (rc == 0) rc = wb_hooks_deliver(st, &ho, now, &stats, &err);
        if (rc) {
            wb_cli_report(&err);
            status = WB_EXIT_ERROR;
            break;
        }
        printf("hooks: %zu queued, %zu delivered, %zu to retry, %zu failed\n", stats.queued,
               stats.delivered, stats.retried, stats.failed);
        fflush(stdout);
        for (int64_t s = 0; !o->once && !hooks_stop && s < o->interval; s++)
            sleep(1);
    } while (!o->once && !hooks_stop);
    wb_incsvc_close(st);
    wb_hub_global_cleanup();
    return status;
}

/* ---- the action table ------------------------------------------------------------- */

/* What the actions run with: the parsed options. */
typedef struct inc_run {
    opts *o;
} inc_run;

/* A register action: its local form (NULL: on a hub only) and its remote
 * one. */
typedef int (*local_fn)(reg_ctx *c, const opts *o);
typedef int (*remote_fn)(hub_ctx *h, const opts *o);

/* What a register action takes after its name. */
typedef enum id_kind { ID_NONE, ID_INCIDENT, ID_PROPOSAL } id_kind;

static int run_register(const opts *o, const char *action, id_kind kind, local_fn local,
                        remote_fn remote, int argc, char **argv)
{
    reg_ctx c = {0};
    char **args = argv + 1;
    int nargs = argc - 1;
    if (!o->db && !o->hub) {
        wb_cli_error("incident %s: --db PATH or --hub URL --key KEY is required", action);
        return WB_EXIT_ERROR;
    }
    if (o->pdf && strcmp(action, "export") != 0) {
        wb_cli_error("incident %s: --format pdf is for export", action);
        return WB_EXIT_ERROR;
    }
    if (kind != ID_NONE) {
        bool prop = kind == ID_PROPOSAL;
        if (nargs != 1) {
            wb_cli_error("incident %s: expected one %s id", action, prop ? "proposal" : "incident");
            return WB_EXIT_ERROR;
        }
        c.id_text = args[0];
        if (wb_parse_i64(args[0], strlen(args[0]), 1, INT64_MAX, &c.id) != 0) {
            wb_cli_error("incident %s: '%s' is not %s id", action, args[0],
                         prop ? "a proposal" : "an incident");
            return WB_EXIT_ERROR;
        }
    } else if (nargs != 0) {
        wb_cli_error("incident %s: unexpected argument '%s'", action, args[0]);
        return WB_EXIT_ERROR;
    }
    if (o->hub) return cmd_remote(o, action, c.id, remote);
    if (local == NULL) {
        if (kind == ID_INCIDENT)
            wb_cli_error("incident %s: publishes to a hub's events: use --hub URL --key KEY",
                         action);
        else
            wb_cli_error("incident %s: proposals are shares on a hub: use --hub URL --key KEY",
                         action);
        return WB_EXIT_ERROR;
    }
    if (wb_incsvc_open(&c.st, o->db, &c.err) != 0) return reg_fail(&c);
    int status = local(&c, o);
    wb_incsvc_close(c.st);
    return status;
}

/* The register's actions: a local and a remote form. */
#define REG_ACT(name, kind, local, remote)                                                         \
    static int act_##name(void *ctx, int argc, char **argv)                                        \
    {                                                                                              \
        return run_register(((inc_run *)ctx)->o, argv[0], kind, local, remote, argc, argv);        \
    }

static int local_show(reg_ctx *c, const opts *o)
{
    return cmd_show(c, o, false);
}
static int local_export(reg_ctx *c, const opts *o)
{
    return cmd_show(c, o, true);
}
static int local_list(reg_ctx *c, const opts *o)
{
    return cmd_each(c, o, false);
}
static int local_due(reg_ctx *c, const opts *o)
{
    return cmd_each(c, o, true);
}
static int local_ack(reg_ctx *c, const opts *o)
{
    return cmd_action(c, o, WB_ACTION_ACK);
}
static int local_ask(reg_ctx *c, const opts *o)
{
    return cmd_action(c, o, WB_ACTION_ASK);
}
static int local_comment(reg_ctx *c, const opts *o)
{
    return cmd_action(c, o, WB_ACTION_COMMENT);
}

REG_ACT(new, ID_NONE, cmd_new, remote_new)
REG_ACT(report, ID_INCIDENT, cmd_report, remote_report)
REG_ACT(handled, ID_INCIDENT, cmd_handled, remote_handled)
REG_ACT(show, ID_INCIDENT, local_show, remote_show_one)
REG_ACT(list, ID_NONE, local_list, remote_list)
REG_ACT(export, ID_INCIDENT, local_export, remote_export)
REG_ACT(due, ID_NONE, local_due, remote_due)
REG_ACT(ack, ID_INCIDENT, local_ack, remote_ack)
REG_ACT(ask, ID_INCIDENT, local_ask, remote_ask)
REG_ACT(comment, ID_INCIDENT, local_comment, remote_comment)
REG_ACT(share, ID_INCIDENT, NULL, remote_share)
REG_ACT(proposals, ID_NONE, NULL, remote_proposals)
REG_ACT(approve, ID_PROPOSAL, NULL, remote_approve)
REG_ACT(discard, ID_PROPOSAL, NULL, remote_discard)
REG_ACT(withdraw, ID_PROPOSAL, NULL, remote_withdraw)

/* The actions without a register take no argument (taxonomy one word,
 * hooks its own). */
static int too_many(int argc, char **argv, int most)
{
    if (argc - 1 <= most) return 0;
    wb_cli_error("incident %s: unexpected argument '%s'", argv[0], argv[1 + most]);
    return -1;
}

static int act_assess(void *ctx, int argc, char **argv)
{
    return too_many(argc, argv, 0) ? WB_EXIT_ERROR : cmd_assess(((inc_run *)ctx)->o);
}
static int act_validate(void *ctx, int argc, char **argv)
{
    return too_many(argc, argv, 0) ? WB_EXIT_ERROR : cmd_validate(((inc_run *)ctx)->o);
}
static int act_deadlines(void *ctx, int argc, char **argv)
{
    return too_many(argc, argv, 0) ? WB_EXIT_ERROR : cmd_deadlines(((inc_run *)ctx)->o);
}
static int act_taxonomy(void *ctx, int argc, char **argv)
{
    if (too_many(argc, argv, 1)) return WB_EXIT_ERROR;
    return cmd_taxonomy(((inc_run *)ctx)->o, argc > 1 ? argv[1] : NULL);
}
static int act_hooks(void *ctx, int argc, char **argv)
{
    return cmd_hooks(((inc_run *)ctx)->o, argv + 1, argc - 1);
}

static const char *const inc_show[] = {"--now TIME",          "--db PATH", "--hub URL", "--key KEY",
                                       "--format table|json", "--utc",     NULL};
static const char *const inc_assess[] = {"--entity-type TYPE", "--facts FILE",
                                         "--format table|json", NULL};
static const char *const inc_validate[] = {"--stage STAGE", "--file FILE", "--previous FILE",
                                           "--format table|json", NULL};
static const char *const inc_deadlines[] = {"--aware-at TIME",
                                            "--entity-type TYPE",
                                            "--notification-at TIME",
                                            "--handled-at TIME",
                                            "--personal-data yes|no|unknown",
                                            "--now TIME",
                                            "--submitted STAGE=TIME",
                                            "--ask TIME",
                                            "--csirt-ack-at TIME",
                                            "--utc",
                                            "--format table|json",
                                            NULL};
static const char *const inc_taxonomy[] = {"--taxonomy FILE", "--format table|json", NULL};
static const char *const inc_new[] = {"--title TEXT",
                                      "--aware-at TIME",
                                      "--org ORG",
                                      "--detected-at TIME",
                                      "--entity-type TYPE",
                                      "--tlp LEVEL",
                                      "--rsit TAG",
                                      "--summary TEXT",
                                      "--suspected-malicious yes|no|unknown",
                                      "--cross-border yes|no|unknown",
                                      "--contact-name TEXT",
                                      "--contact-email ADDR",
                                      "--contact-phone NUMBER",
                                      "--db PATH",
                                      "--hub URL",
                                      "--key KEY",
                                      "--format table|json",
                                      NULL};
static const char *const inc_report[] = {"--summary TEXT",
                                         "--suspected-malicious yes|no|unknown",
                                         "--cross-border yes|no|unknown",
                                         "--contact-name TEXT",
                                         "--contact-email ADDR",
                                         "--contact-phone NUMBER",
                                         "--stage STAGE",
                                         "--file FILE",
                                         "--submitted-at TIME",
                                         "--db PATH",
                                         "--hub URL",
                                         "--key KEY",
                                         "--format table|json",
                                         "--utc",
                                         NULL};
static const char *const inc_handled[] = {"--at TIME", "--db PATH",           "--hub URL",
                                          "--key KEY", "--format table|json", NULL};
static const char *const inc_export[] = {"--format json|pdf", "--lang nl|en", "--out FILE",
                                         "--now TIME",        "--db PATH",    "--hub URL",
                                         "--key KEY",         "--utc",        NULL};
static const char *const inc_due[] = {
    "--duties own|csirt|all", "--now TIME", "--db PATH", "--hub URL", "--key KEY",
    "--format table|json",    "--utc",      NULL};
static const char *const inc_act[] = {"--at TIME",           "--db PATH", "--hub URL", "--key KEY",
                                      "--format table|json", "--utc",     NULL};
static const char *const inc_ask[] = {"--by TIME", "--at TIME", "--db PATH",           "--hub URL",
                                      "--key KEY", "--utc",     "--format table|json", NULL};
static const char *const inc_comment[] = {
    "--text TEXT", "--at TIME", "--db PATH", "--hub URL", "--key KEY", "--format table|json", NULL};
static const char *const inc_share[] = {"--tlp LEVEL",
                                        "--distribution N",
                                        "--sharing-group NAME",
                                        "--anonymous",
                                        "--share-key KEY",
                                        "--hub URL",
                                        "--key KEY",
                                        NULL};
static const char *const inc_hub[] = {"--hub URL", "--key KEY", "--format table|json", NULL};
static const char *const inc_hooks[] = {"--db PATH",
                                        "--once",
                                        "--now TIME",
                                        "--interval SECONDS",
                                        "--allow-insecure",
                                        "--allow-private",
                                        "--smtp URL",
                                        "--smtp-user USER",
                                        "--smtp-ca FILE",
                                        "--smtp-plain",
                                        "--mail-from ADDR",
                                        "--hub-url URL",
                                        NULL};

const wb_cli_action wb_cli_incident_actions[] = {
    {"assess", false, act_assess, "is the incident significant?", inc_assess},
    {"validate", false, act_validate, "check a report against the stage's fields", inc_validate},
    {"deadlines", false, act_deadlines, "the deadlines of a described incident", inc_deadlines},
    {"taxonomy", false, act_taxonomy, "RSIT, the NIS2 sectors, the entity types", inc_taxonomy},
    {"new", false, act_new, "register an incident; prints its id", inc_new},
    {"report", true, act_report, "submit a report of a stage", inc_report},
    {"handled", true, act_handled, "record when the incident was handled", inc_handled},
    {"show", true, act_show, "one incident", inc_show},
    {"list", false, act_list, "the incidents", inc_show},
    {"export", true, act_export, "everything about an incident: JSON or PDF", inc_export},
    {"due", false, act_due, "every deadline of every incident", inc_due},
    {"ack", true, act_ack, "the CSIRT's initial feedback", inc_act},
    {"ask", true, act_ask, "the CSIRT asks for an intermediate report", inc_ask},
    {"comment", true, act_comment, "the CSIRT comments", inc_comment},
    {"share", true, act_share, "publish the incident's indicators as a MISP event", inc_share},
    {"proposals", false, act_proposals, "anonymous shares proposed or to decide", inc_hub},
    {"approve", true, act_approve, "the CSIRT approves a proposal", inc_hub},
    {"discard", true, act_discard, "the CSIRT discards a proposal", inc_hub},
    {"withdraw", true, act_withdraw, "withdraw a pending proposal", inc_hub},
    {"hooks", false, act_hooks, "send the reminder webhooks of a local register", inc_hooks},
    {NULL, false, NULL, NULL, NULL}};

/* The first word of argv that is neither an option nor an option's value:
 * the action, as getopt finds it (so `incident new --title show --help` is
 * new's help, not show's). */
static const char *action_word(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) return i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-' || a[1] == '\0') return a;
        if (a[1] != '-' || strchr(a, '=')) continue;
        for (const struct option *lo = incident_longopts; lo->name; lo++)
            if (strcmp(lo->name, a + 2) == 0 && lo->has_arg == required_argument) i++;
    }
    return NULL;
}

/* `incident ACTION --help` (and `help incident ACTION`): the action's usage
 * from its table row, its line, and the group text's description of each
 * of its options, so that each is written once. */
static void action_help(const wb_cli_action *a)
{
    int col = printf("usage: weerbaar incident %s%s", a->name, a->takes_id ? " ID" : "");
    for (size_t i = 0; a->opts && a->opts[i]; i++) {
        int w = (int)strlen(a->opts[i]) + 3;
        if (col + w > 79) col = printf("\n       ") - 1;
        col += printf(" [%s]", a->opts[i]);
    }
    printf("\n\n%s\n\noptions:\n", a->help);
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (m) {
        incident_usage(m);
        fclose(m);
    }
    const char *sec = text ? strstr(text, "\noptions:\n") : NULL;
    for (size_t i = 0; sec && a->opts && a->opts[i]; i++) {
        size_t n = strcspn(a->opts[i], " ");
        for (const char *l = sec + 10; l && *l && *l != '\n';
             l = strchr(l, '\n'), l = l ? l + 1 : l) {
            if (strncmp(l, "  ", 2) != 0 || strncmp(l + 2, a->opts[i], n) != 0 ||
                (l[2 + n] != ' ' && l[2 + n] != '\n'))
                continue;
            /* the line and the lines that continue it */
            const char *e = strchr(l, '\n');
            while (e && strncmp(e + 1, "                       ", 23) == 0)
                e = strchr(e + 1, '\n');
            printf("%.*s\n", (int)(e ? e - l : (ptrdiff_t)strlen(l)), l);
            break;
        }
    }
    free(text);
    printf("  -h, --help           this help\n\n"
           "'weerbaar incident --help' describes every action.\n");
}

int wb_cmd_incident(int argc, char **argv)
{
    opts o;
    bool help = false;
    int first = parse_opts(argc, argv, &o, &help);
    if (help) {
        const char *w = action_word(argc, argv);
        const wb_cli_action *a = w ? wb_cli_action_find(wb_cli_incident_actions, w) : NULL;
        if (a)
            action_help(a);
        else
            incident_usage(stdout);
        return WB_EXIT_OK;
    }
    if (first < 0) return WB_EXIT_ERROR;
    if (first >= argc) {
        incident_usage(stderr);
        return WB_EXIT_ERROR;
    }
    inc_run r = {&o};
    return wb_cli_dispatch("incident", wb_cli_incident_actions, &r, argc - first, argv + first);
}
