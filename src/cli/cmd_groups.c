/*
 * cmd_groups.c - the action tables of assess and deps, registered
 * as data: their files (cmd_assess*.c, cmd_deps.c) still dispatch with
 * their own code, so every fn here is NULL and the group's run function
 * does the work. The names and options serve `weerbaar help` and the shell
 * completion. Moving a table into its group's file, with fn filled in and
 * wb_cli_dispatch called, is all the conversion that remains.
 */
#include <stddef.h>

#include "cli/cmdtab.h"

static const char *const as_cat[] = {"--catalogues DIR", "--format table|json", NULL};
static const char *const as_show[] = {"--catalogues DIR",
                                      "--lang nl|en",
                                      "--format table|json",
                                      "--db PATH",
                                      "--hub URL",
                                      "--key KEY",
                                      NULL};
static const char *const as_score[] = {"--catalogues DIR", "--answers FILE",      "--target N",
                                       "--lang nl|en",     "--format table|json", NULL};
/* diff A B --db PATH too: the parser tells the two forms apart by their
 * arguments, so the table shows the catalogue form. */
static const char *const as_diff[] = {"--catalogues DIR", "--from FILE", "--to FILE",
                                      "--format table|json", NULL};
static const char *const as_new[] = {"--catalogue NAME", "--org ORG", "--scope TEXT", "--target N",
                                     "--db PATH",        "--hub URL", "--key KEY",    NULL};
static const char *const as_answer[] = {"--level N",  "--evidence TEXT", "--owner WHO",
                                        "--due DATE", "--note TEXT",     "--db PATH",
                                        "--hub URL",  "--key KEY",       NULL};
static const char *const as_where[] = {"--db PATH", "--hub URL", "--key KEY", "--format table|json",
                                       NULL};
static const char *const as_export[] = {"--format csv|json", "--db PATH", "--hub URL", "--key KEY",
                                        NULL};
static const char *const as_share[] = {
    "--with csirt|supervisor", "--revoke", "--db PATH", "--hub URL", "--key KEY", NULL};
static const char *const as_sectors[] = {
    "--catalogue NAME", "--k N", "--format table|json", "--db PATH", "--hub URL",
    "--key KEY",        NULL};
static const char *const as_list[] = {"--org ORG", "--format table|json", "--db PATH",
                                      "--hub URL", "--key KEY",           NULL};
static const char *const as_report[] = {
    "--answers FILE", "--org ORG", "--out FILE", "--format pdf|html|png",
    "--db PATH",      "--hub URL", "--key KEY",  NULL};

const wb_cli_action wb_cli_assess_actions[] = {
    {"catalogues", false, NULL, "every catalogue", as_cat},
    {"show", true, NULL, "a catalogue's outline, a requirement, or an assessment", as_show},
    {"score", true, NULL, "scores and gaps from an answers file", as_score},
    {"diff", false, NULL, "what improved and slipped", as_diff},
    {"new", false, NULL, "create an assessment; prints its id", as_new},
    {"answer", true, NULL, "set one requirement's answer", as_answer},
    {"import", true, NULL, "replace the answers with a CSV or JSON file", as_where},
    {"export", true, NULL, "the answers as CSV or JSON", as_export},
    {"history", true, NULL, "the versions of an assessment", as_where},
    {"share", true, NULL, "let the CSIRT or supervisor read it", as_share},
    {"sectors", false, NULL, "mean maturity per sector", as_sectors},
    {"list", false, NULL, "the assessments", as_list},
    {"report", true, NULL, "the one-page board report (PDF, HTML, PNG)", as_report},
    {NULL, false, NULL, NULL, NULL}};

static const char *const deps_map[] = {"--inventory CSV",
                                       "--suppliers FILE",
                                       "--ipdata DIR",
                                       "--rir FILE",
                                       "--mmdb FILE",
                                       "--asnames FILE",
                                       "--vendors YAML",
                                       "--eu FILE",
                                       "--log-format zeek|zeek-json|eve|csv|dnsmasq",
                                       "--periodic-share X",
                                       "--periodic-per-day N",
                                       "--long-session S",
                                       "--no-internal-assets",
                                       "--max-pairs N",
                                       "--threads N",
                                       "--format table|json|csv|dot|svg|html",
                                       "--output FILE",
                                       NULL};
static const char *const deps_fetch[] = {"--ipdata DIR", "--url URL", NULL};

const wb_cli_action wb_cli_deps_actions[] = {
    {"map", false, NULL, "who each asset depends on, and where", deps_map},
    {"fetch", false, NULL, "download the RIR and AS data", deps_fetch},
    {NULL, false, NULL, NULL, NULL}};
