/*
 * main.c - the weerbaar program: the table of command groups (cmdtab.h);
 * dispatches `weerbaar GROUP ...` to the group that owns GROUP, and answers
 * `help` and `completion` from the same tables.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmdtab.h"

#define GROUP(n, fn, sum, acts, opts)                                                              \
    static const wb_cli_group group_##n = {#n, fn, sum, acts, opts}
/* in the order of the capabilities: detect, patch, share, report, assess */
GROUP(match, wb_cmd_match, "match indicators of compromise against logs (grep's exit codes)", NULL,
      wb_cli_match_opts);
GROUP(intel, wb_cmd_intel, "indicator sets for sensors: export to Zeek Intel, Suricata, CSV",
      wb_cli_intel_actions, NULL);
GROUP(vuln, wb_cmd_vuln, "inventories against advisories; patch deadlines (scan, index, fetch)",
      wb_cli_vuln_actions, NULL);
GROUP(vers, wb_cmd_vers, "compare package versions; test, normalise and translate vers ranges",
      wb_cli_vers_actions, wb_cli_vers_opts);
GROUP(purl, wb_cmd_purl, "parse and canonicalise package URLs (purl)", wb_cli_purl_actions, NULL);
GROUP(cpe, wb_cmd_cpe, "match CPE 2.3 names and 2.2 URIs (NISTIR 7696)", wb_cli_cpe_actions, NULL);
GROUP(serve, wb_cmd_serve, "run the hub: share events and indicators under TLP (HTTP API)", NULL,
      wb_cli_serve_opts);
GROUP(admin, wb_cmd_admin, "administer a hub database: organisations, users, keys, groups",
      wb_cli_admin_actions, wb_cli_admin_opts);
GROUP(sighting, wb_cmd_sighting, "who sighted what: sightings per day, indicator, organisation",
      wb_cli_sighting_actions, NULL);
GROUP(feed, wb_cmd_feed, "MISP feeds: export a hub's events, pull a feed into a hub",
      wb_cli_feed_actions, wb_cli_feed_opts);
GROUP(incident, wb_cmd_incident, "Cbw incident reporting: significance, report checks, deadlines",
      wb_cli_incident_actions, NULL);
GROUP(assess, wb_cmd_assess, "control catalogues (Cbw, NIS2, basic principles), scores and gaps",
      wb_cli_assess_actions, NULL);
GROUP(picture, wb_cmd_picture, "the constituency's threat picture from the hub, k-anonymous", NULL,
      wb_cli_picture_opts);
GROUP(deps, wb_cmd_deps, "map digital dependencies and devices switchable from outside the EU",
      wb_cli_deps_actions, NULL);

const wb_cli_group *const wb_cli_groups[] = {
    &group_match,    &group_intel,  &group_vuln,  &group_vers,     &group_purl,
    &group_cpe,      &group_serve,  &group_admin, &group_sighting, &group_feed,
    &group_incident, &group_assess, &group_deps,  &group_picture,  NULL};

static void usage(FILE *f)
{
    fprintf(f,
            "weerbaar %s - the software backbone of a cyber-resilience network\n\n"
            "usage: weerbaar COMMAND [ARGS] [--options]\n\n"
            "commands:\n",
            WB_VERSION);
    for (size_t i = 0; wb_cli_groups[i]; i++)
        fprintf(f, "  %-10s %s\n", wb_cli_groups[i]->name, wb_cli_groups[i]->summary);
    fprintf(f, "  %-10s %s\n", "completion",
            "a shell completion script: weerbaar completion bash|zsh");
    fprintf(f, "\n'weerbaar help COMMAND [ACTION]' (or 'weerbaar COMMAND [ACTION] --help')\n"
               "explains a command. Exit status: 0 success,\n"
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
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        usage(stdout);
        return WB_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0) return wb_cli_help(argc - 1, argv + 1, usage);
    if (strcmp(cmd, "completion") == 0) return wb_cli_completion(argc - 1, argv + 1);
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("weerbaar %s\n", WB_VERSION);
        return WB_EXIT_OK;
    }
    for (size_t i = 0; wb_cli_groups[i]; i++)
        if (strcmp(cmd, wb_cli_groups[i]->name) == 0)
            return wb_cli_groups[i]->run(argc - 1, argv + 1);
    wb_cli_error("unknown command '%s' (see 'weerbaar --help')", cmd);
    return WB_EXIT_ERROR;
}
