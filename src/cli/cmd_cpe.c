/*
 * cmd_cpe.c - `weerbaar cpe`: compare CPE names (NISTIR 7696) and show how a
 * name binds as a 2.3 formatted string and a 2.2 URI. Argument parsing and
 * output only (src/vuln/cpe.c does the work).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmdtab.h"
#include "weerbaar/cpe.h"

static void cpe_usage(FILE *f)
{
    fputs("usage: weerbaar cpe ACTION ARGS\n"
          "\n"
          "CPE names as CPE 2.3 formatted strings (cpe:2.3:part:vendor:product:version:...)\n"
          "or CPE 2.2 URIs (cpe:/part:vendor:product:version...).\n"
          "\n"
          "actions:\n"
          "  match A B   print how A relates to B (NISTIR 7696 name matching):\n"
          "                equal     the same names\n"
          "                subset    every name A matches, B matches too\n"
          "                superset  A matches every name B matches (A is wider)\n"
          "                disjoint  no name matches both\n"
          "                overlap   A is wider in some attributes and B in others\n"
          "              wildcards ('*', '?') count in A only; B must not have any\n"
          "  parse CPE   print the name as JSON: the 2.3 string, the 2.2 URI and the\n"
          "              eleven attributes (null for ANY, \"-\" for NA)\n"
          "\n"
          "examples:\n"
          "  weerbaar cpe match 'cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*' \\\n"
          "                     'cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*'   # superset\n"
          "  weerbaar cpe match cpe:/a:microsoft:office:2016 \\\n"
          "                     'cpe:2.3:a:microsoft:office:2016:*:*:*:*:*:*:*' # equal\n"
          "  weerbaar cpe match 'cpe:2.3:o:linux:linux_kernel:5.1?:*:*:*:*:*:*:*' \\\n"
          "                     'cpe:2.3:o:linux:linux_kernel:5.10:*:*:*:*:*:*:*' # superset\n"
          "  weerbaar cpe parse 'cpe:/a:acme:widget:1.0::~~~android~~'\n"
          "\n"
          "Exit status: 0 an answer, 2 an invalid name (or a target with wildcards).\n",
          f);
}

static int do_match(const char *a, const char *b)
{
    wb_cpe x, y;
    wb_error err = {0};
    wb_cpe_relation r;
    if (wb_cpe_parse(a, strlen(a), &x, &err) != 0 || wb_cpe_parse(b, strlen(b), &y, &err) != 0 ||
        wb_cpe_compare(&x, &y, &r, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    puts(wb_cpe_relation_name(r));
    return WB_EXIT_OK;
}

static int do_parse(const char *s)
{
    wb_cpe c;
    wb_error err = {0};
    if (wb_cpe_parse(s, strlen(s), &c, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    wb_buf fs = {0}, uri = {0};
    json_t *o = json_object();
    int rc = o && wb_cpe_format(&c, &fs) == 0 && wb_cpe_format_uri(&c, &uri) == 0 ? 0 : -1;
    if (rc == 0)
        rc = json_object_set_new(o, "cpe23", json_string(fs.data)) |
             json_object_set_new(o, "cpe22", json_string(uri.data));
    for (int a = 0; rc == 0 && a < WB_CPE_NATTR; a++) {
        size_t len;
        const char *v = wb_cpe_value(&c, (wb_cpe_attr)a, &len);
        json_t *j = c.kind[a] == WB_CPE_ANY  ? json_null()
                    : c.kind[a] == WB_CPE_NA ? json_string("-")
                                             : json_stringn(v, len);
        rc = json_object_set_new(o, wb_cpe_attr_name((wb_cpe_attr)a), j);
    }
    char *text = rc == 0 ? json_dumps(o, JSON_PRESERVE_ORDER) : NULL;
    if (text) puts(text);
    free(text);
    json_decref(o);
    wb_buf_free(&fs);
    wb_buf_free(&uri);
    if (!text) {
        wb_cli_error("cpe: out of memory");
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

static int act_match(void *ctx, int argc, char **argv)
{
    (void)ctx;
    if (argc == 3) return do_match(argv[1], argv[2]);
    cpe_usage(stderr);
    return WB_EXIT_ERROR;
}

static int act_parse(void *ctx, int argc, char **argv)
{
    (void)ctx;
    if (argc == 2) return do_parse(argv[1]);
    cpe_usage(stderr);
    return WB_EXIT_ERROR;
}

const wb_cli_action wb_cli_cpe_actions[] = {
    {"match", false, act_match, "how name A relates to name B", NULL},
    {"parse", false, act_parse, "a name as JSON: 2.3 string, 2.2 URI, attributes", NULL},
    {NULL, false, NULL, NULL, NULL}};

int wb_cmd_cpe(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            cpe_usage(stdout);
            return WB_EXIT_OK;
        }
        wb_cli_error("cpe: unknown option '%s' (see 'weerbaar cpe --help')", argv[optind - 1]);
        return WB_EXIT_ERROR;
    }
    int nargs = argc - optind;
    char **args = argv + optind;
    if (nargs < 1) {
        cpe_usage(stderr);
        return WB_EXIT_ERROR;
    }
    return wb_cli_dispatch("cpe", wb_cli_cpe_actions, NULL, nargs, args);
}
