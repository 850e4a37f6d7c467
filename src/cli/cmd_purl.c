/*
 * cmd_purl.c - `weerbaar purl`: parse and canonicalise package URLs, printing
 * the parts as JSON. Argument parsing and output only (src/vuln/purl.c does
 * the work).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmdtab.h"
#include "weerbaar/purl.h"

static void purl_usage(FILE *f)
{
    fputs("usage: weerbaar purl parse PURL [--strict]\n"
          "\n"
          "Parses a package URL (https://github.com/package-url/purl-spec), checks it\n"
          "against the rules of its type and prints its canonical form and parts as\n"
          "one JSON object: type, namespace, name, version, qualifiers (an object),\n"
          "subpath (null when absent) and purl (the canonical string).\n"
          "\n"
          "options:\n"
          "  --strict     reject what would otherwise be repaired (upper-case qualifier\n"
          "               keys, 'PKG:', surrounding white space)\n"
          "  -h, --help   this help\n"
          "\n"
          "examples:\n"
          "  weerbaar purl parse 'pkg:PYPI/Django_package@1.11.1'\n"
          "      {\"type\": \"pypi\", \"namespace\": null, \"name\": \"django-package\", ...,\n"
          "       \"purl\": \"pkg:pypi/django-package@1.11.1\"}\n"
          "  weerbaar purl parse 'pkg:deb/debian/curl@7.50.3-1?distro=jessie&arch=i386'\n"
          "\n"
          "Exit status: 0 valid, 2 invalid (the reason on stderr).\n",
          f);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int purl_print(const wb_purl *p)
{
    wb_buf canon = {0};
    json_t *o = json_object(), *q = json_object();
    int rc = o && q && wb_purl_format(p, &canon) == 0 ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < p->nqualifiers; i++)
        rc = json_object_set_new(q, p->qualifiers[i].key, json_string(p->qualifiers[i].value));
    if (rc == 0)
        rc = json_object_set_new(o, "type", json_string(p->type)) |
             json_object_set_new(o, "namespace", str_or_null(p->ns)) |
             json_object_set_new(o, "name", json_string(p->name)) |
             json_object_set_new(o, "version", str_or_null(p->version)) |
             json_object_set_new(o, "qualifiers", json_incref(q)) |
             json_object_set_new(o, "subpath", str_or_null(p->subpath)) |
             json_object_set_new(o, "purl", json_string(canon.data));
    char *text = rc == 0 ? json_dumps(o, JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII) : NULL;
    if (text) {
        puts(text);
        free(text);
    }
    json_decref(q);
    json_decref(o);
    wb_buf_free(&canon);
    if (!text) {
        wb_cli_error("purl: out of memory");
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

static int act_parse(void *ctx, int argc, char **argv);

static const char *const parse_opts[] = {"--strict", NULL};
const wb_cli_action wb_cli_purl_actions[] = {
    {"parse", false, act_parse, "a package URL's canonical form and parts (JSON)", parse_opts},
    {NULL, false, NULL, NULL, NULL}};

int wb_cmd_purl(int argc, char **argv)
{
    static const struct option opts[] = {
        {"strict", no_argument, NULL, 'S'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    bool strict = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'S':
            strict = true;
            break;
        case 'h':
            purl_usage(stdout);
            return WB_EXIT_OK;
        default:
            wb_cli_error("purl: unknown option '%s' (see 'weerbaar purl --help')",
                         argv[optind - 1]);
            return WB_EXIT_ERROR;
        }
    }
    if (argc - optind < 1) {
        purl_usage(stderr);
        return WB_EXIT_ERROR;
    }
    return wb_cli_dispatch("purl", wb_cli_purl_actions, &strict, argc - optind, argv + optind);
}

static int act_parse(void *ctx, int argc, char **argv)
{
    bool strict = *(const bool *)ctx;
    if (argc != 2) {
        purl_usage(stderr);
        return WB_EXIT_ERROR;
    }
    const char *s = argv[1];
    wb_purl *p = NULL;
    wb_error err = {0};
    if (wb_purl_parse(s, strlen(s), strict ? WB_PURL_STRICT : 0, &p, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    int status = purl_print(p);
    wb_purl_free(p);
    return status;
}
