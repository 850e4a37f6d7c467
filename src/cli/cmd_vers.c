/*
 * cmd_vers.c - `weerbaar vers`: compare versions, test and normalise vers
 * ranges, translate native npm/pypi ranges. Argument parsing and output
 * only; the work is in src/vuln/ (version.h, vers.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmdtab.h"
#include "weerbaar/vers.h"
#include "weerbaar/version.h"

static void vers_usage(FILE *f)
{
    fputs(
        "usage: weerbaar vers ACTION [ARGS] [--options]\n"
        "\n"
        "Compare package versions the way each ecosystem does, and work with vers\n"
        "ranges (https://github.com/package-url/vers-spec).\n"
        "\n"
        "actions:\n"
        "  compare SCHEME A B      print <, = or > (A compared to B)\n"
        "  compare SCHEME -        read 'A B' pairs from stdin, one a line; print one\n"
        "                          result a line ('!' for an invalid pair, with the reason\n"
        "                          on stderr)\n"
        "  contains RANGE VERSION  print yes or no; exit 0 for yes, 1 for no\n"
        "  normalize RANGE         print the canonical form of a vers range\n"
        "  from-native SCHEME RANGE\n"
        "                          translate an npm or pypi range to vers\n"
        "  schemes                 list the version schemes\n"
        "\n"
        "options:\n"
        "  --scheme SCHEME   contains/normalize: RANGE holds bare constraints of this\n"
        "                    scheme, as CSAF product_version_range does ('<=2', '>= 1.0 | <2')\n"
        "  --strict          contains/normalize: accept only canonical vers strings\n"
        "  -h, --help        this help\n"
        "\n"
        "examples:\n"
        "  weerbaar vers compare deb 1:1.0~rc1-1 1.0-1           # >\n"
        "  weerbaar vers compare pypi 1.0.dev1 1.0a1             # <\n"
        "  printf '1.0 1.0.0\\n2.0-1 2.0\\n' | weerbaar vers compare maven -\n"
        "  weerbaar vers contains 'vers:npm/>=1.0.0|<2.0.0' 1.4.2  # yes, exit 0\n"
        "  weerbaar vers contains --scheme generic '<=2' 3        # no, exit 1\n"
        "  weerbaar vers normalize 'vers:pypi/<2.0|>= 1.0'         # vers:pypi/>=1.0|<2.0\n"
        "  weerbaar vers from-native npm '^1.2.3 || ~2.0'          # vers:npm/>=1.2.3|<2.0.0|...\n"
        "  weerbaar vers from-native pypi '>=1.0,!=1.5.*'\n"
        "\n"
        "Schemes: deb rpm alpm pypi maven npm semver nuget gem alpine (apk) generic intdot\n"
        "lexicographic datetime. Exit status: 0 success (contains: in the range),\n"
        "1 contains: not in the range, 2 an invalid version, range or scheme.\n",
        f);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static const char *cmp_sym(int r)
{
    return r < 0 ? "<" : r > 0 ? ">" : "=";
}

/* Batch mode: "A B" a line from stdin, one answer a line on stdout. */
static int compare_batch(const wb_version_scheme *vs)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned long lineno = 0;
    int status = WB_EXIT_OK;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        lineno++;
        char *p = trim(line);
        if (*p == '\0') continue;
        char *a = p, *b = p;
        while (*b && *b != ' ' && *b != '\t')
            b++;
        size_t an = (size_t)(b - a);
        while (*b == ' ' || *b == '\t')
            b++;
        char *end = b;
        while (*end && *end != ' ' && *end != '\t')
            end++;
        wb_error err = {0};
        int r = 0, rc;
        if (*b == '\0' || *end != '\0')
            rc = wb_error_set(&err, WB_EINVAL, "expected two versions separated by white space");
        else
            rc = wb_version_scheme_cmp(vs, a, an, b, (size_t)(end - b), &r, &err);
        if (rc != 0) {
            puts("!");
            fflush(stdout);
            wb_cli_error("stdin:%lu: %s", lineno, err.msg);
            status = WB_EXIT_ERROR;
        } else {
            puts(cmp_sym(r));
        }
    }
    free(line);
    if (ferror(stdin)) {
        wb_cli_error("stdin: read error");
        return WB_EXIT_ERROR;
    }
    return status;
}

static int do_compare(int nargs, char **args)
{
    if (nargs != 2 && nargs != 3) {
        wb_cli_error("vers compare: expected SCHEME A B or SCHEME - (see 'weerbaar vers --help')");
        return WB_EXIT_ERROR;
    }
    const wb_version_scheme *vs = wb_version_scheme_find(args[0]);
    if (!vs) {
        wb_error err = {0};
        int r;
        (void)wb_version_cmp(args[0], "0", "0", &r, &err);
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    if (nargs == 2) {
        if (strcmp(args[1], "-") != 0) {
            wb_cli_error("vers compare: expected SCHEME A B or SCHEME -");
            return WB_EXIT_ERROR;
        }
        return compare_batch(vs);
    }
    int r;
    wb_error err = {0};
    if (wb_version_scheme_cmp(vs, args[1], strlen(args[1]), args[2], strlen(args[2]), &r, &err) !=
        0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    puts(cmp_sym(r));
    return WB_EXIT_OK;
}

static int parse_range(const char *range, const char *scheme, bool strict, wb_vers **v,
                       wb_error *err)
{
    if (scheme) return wb_vers_parse_for(scheme, range, strlen(range), v, err);
    return wb_vers_parse(range, strlen(range), strict ? WB_VERS_STRICT : 0, v, err);
}

static int do_contains(int nargs, char **args, const char *scheme, bool strict)
{
    if (nargs != 2) {
        wb_cli_error("vers contains: expected RANGE VERSION");
        return WB_EXIT_ERROR;
    }
    wb_vers *v = NULL;
    wb_error err = {0};
    bool in = false;
    int rc = parse_range(args[0], scheme, strict, &v, &err);
    if (rc == 0) rc = wb_vers_contains(v, args[1], &in, &err);
    wb_vers_free(v);
    if (rc != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    puts(in ? "yes" : "no");
    return in ? WB_EXIT_OK : WB_EXIT_NO;
}

static int do_normalize(int nargs, char **args, const char *scheme, bool strict)
{
    if (nargs != 1) {
        wb_cli_error("vers normalize: expected RANGE");
        return WB_EXIT_ERROR;
    }
    wb_vers *v = NULL;
    wb_error err = {0};
    wb_buf out = {0};
    int rc = parse_range(args[0], scheme, strict, &v, &err);
    if (rc == 0 && wb_vers_format(v, &out) != 0)
        rc = wb_error_set(&err, WB_ENOMEM, "out of memory");
    wb_vers_free(v);
    if (rc == 0) puts(out.data);
    wb_buf_free(&out);
    if (rc != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

static int do_from_native(int nargs, char **args)
{
    if (nargs != 2) {
        wb_cli_error("vers from-native: expected SCHEME RANGE");
        return WB_EXIT_ERROR;
    }
    wb_buf out = {0};
    wb_error err = {0};
    int rc = wb_vers_from_native(args[0], args[1], &out, &err);
    if (rc == 0) puts(out.data);
    wb_buf_free(&out);
    if (rc != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

typedef struct vers_opts {
    const char *scheme;
    bool strict;
} vers_opts;

static int act_compare(void *ctx, int argc, char **argv)
{
    (void)ctx;
    return do_compare(argc - 1, argv + 1);
}

static int act_contains(void *ctx, int argc, char **argv)
{
    const vers_opts *o = ctx;
    return do_contains(argc - 1, argv + 1, o->scheme, o->strict);
}

static int act_normalize(void *ctx, int argc, char **argv)
{
    const vers_opts *o = ctx;
    return do_normalize(argc - 1, argv + 1, o->scheme, o->strict);
}

static int act_from_native(void *ctx, int argc, char **argv)
{
    (void)ctx;
    return do_from_native(argc - 1, argv + 1);
}

static int act_schemes(void *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    for (size_t i = 0; wb_version_schemes[i]; i++)
        printf("%-14s %s\n", wb_version_schemes[i]->name, wb_version_schemes[i]->summary);
    return WB_EXIT_OK;
}

const char *const wb_cli_vers_opts[] = {"--scheme SCHEME", "--strict", NULL};
const wb_cli_action wb_cli_vers_actions[] = {
    {"compare", false, act_compare, "print <, = or > (A compared to B)", NULL},
    {"contains", false, act_contains, "is VERSION in RANGE? (exit 0 yes, 1 no)", NULL},
    {"normalize", false, act_normalize, "the canonical form of a vers range", NULL},
    {"normalise", false, act_normalize, "the canonical form of a vers range", NULL},
    {"from-native", false, act_from_native, "translate an npm or pypi range to vers", NULL},
    {"schemes", false, act_schemes, "list the version schemes", NULL},
    {NULL, false, NULL, NULL, NULL}};

int wb_cmd_vers(int argc, char **argv)
{
    static const struct option opts[] = {{"scheme", required_argument, NULL, 's'},
                                         {"strict", no_argument, NULL, 'S'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *scheme = NULL;
    bool strict = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            scheme = optarg;
            break;
        case 'S':
            strict = true;
            break;
        case 'h':
            vers_usage(stdout);
            return WB_EXIT_OK;
        default:
            wb_cli_error("vers: unknown option '%s' (see 'weerbaar vers --help')",
                         argv[optind - 1]);
            return WB_EXIT_ERROR;
        }
    }
    int nargs = argc - optind;
    char **args = argv + optind;
    if (nargs < 1) {
        vers_usage(stderr);
        return WB_EXIT_ERROR;
    }
    vers_opts o = {scheme, strict};
    return wb_cli_dispatch("vers", wb_cli_vers_actions, &o, nargs, args);
}
