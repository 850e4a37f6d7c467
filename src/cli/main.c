/*
 * main.c - the weerbaar program: dispatches `weerbaar GROUP ...` to the
 * subcommand that owns GROUP.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const wb_command commands[] = {
    /* in the order of the capabilities: detect, patch, share, report, assess */
    {"match", wb_cmd_match, "match indicators of compromise against logs (grep's exit codes)"},
    {"intel", wb_cmd_intel, "indicator sets for sensors: export to Zeek Intel, Suricata, CSV"},
    {"vuln", wb_cmd_vuln, "inventories against advisories; patch deadlines (scan, index, fetch)"},
    {"vers", wb_cmd_vers, "compare package versions; test, normalise and translate vers ranges"},
    {"purl", wb_cmd_purl, "parse and canonicalise package URLs (purl)"},
    {"cpe", wb_cmd_cpe, "match CPE 2.3 names and 2.2 URIs (NISTIR 7696)"},
    {"serve", wb_cmd_serve, "run the hub: share events and indicators under TLP (HTTP API)"},
    {"admin", wb_cmd_admin, "administer a hub database: organisations, users, keys, groups"},
    {"feed", wb_cmd_feed, "MISP feeds: export a hub's events, pull a feed into a hub"},
    {"incident", wb_cmd_incident, "Cbw incident reporting: significance, report checks, deadlines"},
    {"assess", wb_cmd_assess, "control catalogues (Cbw, NIS2, basic principles), scores and gaps"},
    {"deps", wb_cmd_deps, "map digital dependencies and devices switchable from outside the EU"},
};

static void usage(FILE *f)
{
    fprintf(f,
            "weerbaar %s - the software backbone of a cyber-resilience network\n\n"
            "usage: weerbaar COMMAND [ARGS] [--options]\n\n"
            "commands:\n",
            WB_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'weerbaar COMMAND --help' explains a command. Exit status: 0 success,\n"
               "1 a negative answer (match: nothing matched), 2 an error.\n"
               "Documentation: docs/ in the source tree.\n");
}

void wb_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("weerbaar: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void wb_cli_report(const wb_error *err)
{
    fprintf(stderr, "weerbaar: %s\n", err->msg[0] ? err->msg : wb_strerror(err->code));
}

bool wb_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) return true;
    }
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return WB_EXIT_ERROR;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return WB_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("weerbaar %s\n", WB_VERSION);
        return WB_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    wb_cli_error("unknown command '%s' (see 'weerbaar --help')", cmd);
    return WB_EXIT_ERROR;
}
