/*
 * cmd_picture.c - `weerbaar picture`: the constituency's threat picture
 * (picture.h) over a hub database, as JSON, HTML or PDF. Options and output only; the
 * picture and its privacy rules are the library's.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmdtab.h"
#include "weerbaar/client.h"
#include "weerbaar/core.h"
#include "weerbaar/picture.h"
#include "weerbaar/report.h"

static const char usage_text[] =
    "usage: weerbaar picture --db PATH [--options]\n"
    "       weerbaar picture --hub URL --key KEY [--options]\n"
    "\n"
    "The threat picture of the hub's constituency over a period, compared with\n"
    "the period before: incidents by sector, RSIT class, month and severity;\n"
    "reporting timeliness (early warnings within 24 h, notifications within\n"
    "72 h, final reports within a month of the notification) and the CSIRT's\n"
    "answer times; the shared dependency pictures by sector. Every published\n"
    "cell counts at least k organisations; smaller cells are marked\n"
    "suppressed (docs/picture.md).\n"
    "\n"
    "options:\n"
    "  --db PATH       the hub database (the operator's view: every sector)\n"
    "  --hub URL       a hub: the picture as it serves it to the key's organisation\n"
    "                  (a CSIRT or supervisor: the sectors routed to it; k is the hub's)\n"
    "  --key KEY       the API key for --hub (default: $WEERBAAR_KEY)\n"
    "  --from DATE     start of the period (RFC 3339 or YYYY-MM-DD), with --to;\n"
    "                  default: the last full calendar month (UTC)\n"
    "  --to DATE       end of the period, exclusive\n"
    "  --k N           organisations a cell needs to be published (default 3, at least 2)\n"
    "  --format json|html|pdf  json (default); a self-contained HTML page with SVG\n"
    "                  charts; an A4 PDF (to a terminal only with --out)\n"
    "  --lang nl|en    the language of html and pdf (default nl)\n"
    "  --out FILE      write to FILE instead of standard output\n"
    "  -h, --help      this text\n";

const char *const wb_cli_picture_opts[] = {"--db PATH",
                                           "--hub URL",
                                           "--key KEY",
                                           "--from DATE",
                                           "--to DATE",
                                           "--k N",
                                           "--format json|html|pdf",
                                           "--lang nl|en",
                                           "--out FILE",
                                           NULL};

static const struct option lopts[] = {{"db", required_argument, NULL, 'd'},
                                      {"from", required_argument, NULL, 'f'},
                                      {"to", required_argument, NULL, 't'},
                                      {"k", required_argument, NULL, 'k'},
                                      {"format", required_argument, NULL, 'F'},
                                      {"out", required_argument, NULL, 'o'},
                                      {"lang", required_argument, NULL, 'L'},
                                      {"hub", required_argument, NULL, 'H'},
                                      {"key", required_argument, NULL, 'K'},
                                      {"help", no_argument, NULL, 'h'},
                                      {NULL, 0, NULL, 0}};

static bool parse_time(const char *name, const char *v, wb_time *out)
{
    if (wb_time_parse(v, strlen(v), out) == 0) return true;
    wb_cli_error("picture: %s expects an RFC 3339 time or YYYY-MM-DD, not '%s'", name, v);
    return false;
}

/* Appends s to b with everything but unreserved characters %-escaped. */
static int put_query_value(wb_buf *b, const char *s)
{
    int rc = 0;
    for (; *s && rc == 0; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            c == '-' || c == '.' || c == '_' || c == '~')
            rc = wb_buf_putc(b, (char)c);
        else
            rc = wb_buf_printf(b, "%%%02X", c);
    }
    return rc;
}

/* GET /api/v1/picture of the hub into out. */
static int from_hub(const char *hub, const char *key, const char *from, const char *to, wb_buf *out,
                    wb_error *err)
{
    if (wb_hub_global_init() != 0)
        return wb_error_set(err, WB_EINTERNAL, "the HTTP client did not initialise");
    wb_hub_client hc = {.base = hub, .key = key};
    wb_buf path = {0};
    int rc = wb_buf_puts(&path, "/api/v1/picture");
    if (rc == 0 && from) {
        rc = wb_buf_puts(&path, "?from=");
        if (rc == 0) rc = put_query_value(&path, from);
        if (rc == 0) rc = wb_buf_puts(&path, "&to=");
        if (rc == 0) rc = put_query_value(&path, to);
    }
    if (rc == 0)
        rc = wb_hub_call(&hc, "GET", path.data, NULL, 0, out, NULL, err);
    else
        wb_error_set(err, rc, "out of memory");
    wb_buf_free(&path);
    wb_hub_global_cleanup();
    return rc;
}

typedef struct pdf_job {
    const wb_buf *json;
    const char *lang;
} pdf_job;

static int render_pdf(void *ud, const char *path, wb_error *err)
{
    const pdf_job *j = ud;
    return wb_picture_pdf(j->json->data, j->json->len, j->lang, path, err);
}

int wb_cmd_picture(int argc, char **argv)
{
    const char *db = NULL, *out = NULL, *format = "json", *lang = "nl", *hub = NULL, *key = NULL,
               *from = NULL, *to = NULL;
    wb_picture_opts po = {.from = WB_TIME_NONE, .to = WB_TIME_NONE, .k = WB_PICTURE_K_DEFAULT};
    int64_t v;
    bool k_given = false;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            if (!parse_time("--from", optarg, &po.from)) return WB_EXIT_ERROR;
            from = optarg;
            break;
        case 't':
            if (!parse_time("--to", optarg, &po.to)) return WB_EXIT_ERROR;
            to = optarg;
            break;
        case 'k':
            if (wb_parse_i64(optarg, strlen(optarg), WB_PICTURE_K_MIN, WB_PICTURE_K_MAX, &v) < 0) {
                wb_cli_error("picture: --k expects a number from %d to %d, not '%s'",
                             WB_PICTURE_K_MIN, WB_PICTURE_K_MAX, optarg);
                return WB_EXIT_ERROR;
            }
            po.k = (unsigned)v;
            k_given = true;
            break;
        case 'F':
            format = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'L':
            lang = optarg;
            break;
        case 'H':
            hub = optarg;
            break;
        case 'K':
            key = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return WB_EXIT_OK;
        default:
            wb_cli_error("picture: unknown option or missing value '%s' (see 'weerbaar picture "
                         "--help')",
                         argv[optind - 1]);
            return WB_EXIT_ERROR;
        }
    }
    if (optind != argc) {
        wb_cli_error("picture: unexpected argument '%s'", argv[optind]);
        return WB_EXIT_ERROR;
    }
    if (strcmp(format, "json") != 0 && strcmp(format, "html") != 0 && strcmp(format, "pdf") != 0) {
        wb_cli_error("picture: --format expects json, html or pdf, not '%s'", format);
        return WB_EXIT_ERROR;
    }
    if (strcmp(lang, "nl") != 0 && strcmp(lang, "en") != 0) {
        wb_cli_error("picture: --lang expects nl or en, not '%s'", lang);
        return WB_EXIT_ERROR;
    }
    if (strcmp(format, "pdf") == 0 && !wb_cli_may_write_binary("picture", out))
        return WB_EXIT_ERROR;
    if (!db == !hub) {
        wb_cli_error("picture: --db PATH or --hub URL (see 'weerbaar picture --help')");
        return WB_EXIT_ERROR;
    }
    if (hub && !key) key = getenv("WEERBAAR_KEY");
    if (hub && !key) {
        wb_cli_error("picture: --hub needs an API key: --key KEY or WEERBAAR_KEY");
        return WB_EXIT_ERROR;
    }
    if (hub && k_given) {
        wb_cli_error("picture: --k is for --db; a hub publishes with its own (--sector-k)");
        return WB_EXIT_ERROR;
    }
    if ((po.from == WB_TIME_NONE) != (po.to == WB_TIME_NONE)) {
        wb_cli_error("picture: --from and --to go together");
        return WB_EXIT_ERROR;
    }
    wb_buf b = {0};
    wb_error err = {0};
    if (hub ? from_hub(hub, key, from, to, &b, &err) < 0
            : wb_picture_build_db(db, &po, &b, &err) < 0) {
        wb_cli_report(&err);
        wb_buf_free(&b);
        return WB_EXIT_ERROR;
    }
    int rc;
    if (strcmp(format, "pdf") == 0) {
        pdf_job j = {&b, lang};
        rc = wb_cli_write_rendered("picture", out, render_pdf, &j);
        wb_report_cleanup(); /* the font caches, for a clean exit */
    } else if (strcmp(format, "html") == 0) {
        wb_buf h = {0};
        if (wb_picture_html(b.data, b.len, lang, &h, &err) < 0) {
            wb_cli_report(&err);
            rc = WB_EXIT_ERROR;
        } else {
            rc = wb_cli_write_bytes("picture", out, &h);
        }
        wb_buf_free(&h);
    } else {
        rc = wb_cli_write_bytes("picture", out, &b);
    }
    wb_buf_free(&b);
    return rc;
}
