/*
 * cmd_intel.c - `weerbaar intel`: indicator sets as sensors take them.
 *
 *   weerbaar intel export --to TARGET -i INDICATORS [-w LISTS] [--out PATH]
 *
 * Loads indicators exactly as `weerbaar match` does (same loaders,
 * warninglists and expiry, through the same indicator set) and writes them
 * with src/intel/export.c. A command group of its own, so that no log file
 * name can be mistaken for an action of `match`.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmdtab.h"
#include "cli/cmd_match_fetch.h"
#include "weerbaar/intelexport.h"
#include "weerbaar/ioc.h"
#include "weerbaar/match.h"

static const char usage_text[] =
    "usage: weerbaar intel export --to TARGET -i INDICATORS [-i ...] [options]\n"
    "\n"
    "Writes the indicators, after warninglists and expiry, for a sensor:\n"
    "  zeek-intel        a Zeek Intel framework file (Intel::read_files); --out FILE\n"
    "  suricata-dataset  Suricata 7 datasets for dns.query, http.host and tls.sni,\n"
    "                    an iprep list for addresses, file hash lists, and the\n"
    "                    rules that use them; --out DIR\n"
    "  suricata-rules    one Suricata 7 rule per indicator (domains with their\n"
    "                    subdomains, URLs, address groups, ip|port); --out DIR\n"
    "  csv               weerbaar's CSV (type,value,event,uuid,source,tlp); --out FILE\n"
    "What a target cannot express is counted per type on standard error.\n"
    "\n"
    "options:\n"
    "      --to TARGET            zeek-intel, suricata-dataset, suricata-rules, csv\n"
    "  -i, --iocs FILE|DIR|URL    indicators to load (repeatable), as for match\n"
    "      --key KEY              API key for a weerbaar hub URL (default $WEERBAAR_KEY)\n"
    "  -w, --warninglist FILE|DIR MISP warninglist(s): listed indicators are dropped\n"
    "      --now TIME             reference time for expiry (RFC 3339; default now)\n"
    "      --include-expired      also export indicators past their valid_until\n"
    "      --ioc-format FMT       auto (default), misp, stix, zeek, csv, plain\n"
    "      --all-attributes       MISP: also attributes whose to_ids is false\n"
    "  -o, --out PATH             the file (default standard output) or, for\n"
    "                             Suricata, the directory (created when missing)\n"
    "      --sid-base N           Suricata: the first rule's sid (default 1740000)\n"
    "  -h, --help                 this text\n"
    "\n"
    "Exit status: 0 written, 2 an error.\n"
    "\n"
    "examples:\n"
    "  weerbaar intel export --to zeek-intel -i feed/ -w lists/ --out /opt/zeek/intel.dat\n"
    "  weerbaar intel export --to suricata-dataset -i event.json --out /etc/suricata/weerbaar\n";

static int cmd_export(int argc, char **argv)
{
    enum { O_TO = 256, O_NOW, O_EXPIRED, O_IOCFMT, O_ALL, O_SID, O_KEY };
    static const struct option longopts[] = {
        {"to", required_argument, NULL, O_TO},
        {"iocs", required_argument, NULL, 'i'},
        {"warninglist", required_argument, NULL, 'w'},
        {"now", required_argument, NULL, O_NOW},
        {"include-expired", no_argument, NULL, O_EXPIRED},
        {"ioc-format", required_argument, NULL, O_IOCFMT},
        {"all-attributes", no_argument, NULL, O_ALL},
        {"out", required_argument, NULL, 'o'},
        {"sid-base", required_argument, NULL, O_SID},
        {"key", required_argument, NULL, O_KEY},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char **iocs = NULL, **wls = NULL;
    size_t niocs = 0, nwls = 0;
    wb_intel_opts iopts = {0};
    wb_iocset_opts sopts = {.now = WB_TIME_NONE};
    wb_export_opts eo = {.out = stdout};
    bool have_target = false;
    const char *target_name = "";
    const char *key = NULL;
    int status = WB_EXIT_ERROR, c;
    wb_warninglists *wl = NULL;
    wb_iocset *set = NULL;
    wb_error err;
    wb_error_clear(&err);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":i:w:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case O_TO:
            if (wb_export_target_parse(optarg, &eo.target) != 0) {
                wb_cli_error("intel export: unknown --to '%s' (zeek-intel, suricata-dataset, "
                             "suricata-rules, csv)",
                             optarg);
                goto done;
            }
            have_target = true;
            target_name = optarg;
            break;
        case 'i':
        case 'w': {
            const char ***v = c == 'i' ? &iocs : &wls;
            size_t *n = c == 'i' ? &niocs : &nwls;
            const char **nv = realloc(*v, (*n + 1) * sizeof *nv);
            if (nv == NULL) goto oom;
            nv[(*n)++] = optarg;
            *v = nv;
            break;
        }
        case O_NOW:
            if (wb_time_parse(optarg, strlen(optarg), &sopts.now) != 0) {
                wb_cli_error("intel export: --now: '%s' is not an RFC 3339 time", optarg);
                goto done;
            }
            break;
        case O_EXPIRED:
            sopts.include_expired = true;
            break;
        case O_IOCFMT: {
            static const char *const names[] = {"auto", "misp", "stix", "zeek", "csv", "plain"};
            bool ok = false;
            for (int k = 0; k < 6; k++)
                if (strcmp(optarg, names[k]) == 0) {
                    iopts.format = (wb_intel_format)k;
                    ok = true;
                }
            if (!ok) {
                wb_cli_error("intel export: unknown --ioc-format '%s'", optarg);
                goto done;
            }
            break;
        }
        case O_ALL:
            iopts.all_attributes = true;
            break;
        case 'o':
            eo.path = optarg;
            break;
        case O_SID: {
            int64_t v;
            if (wb_parse_i64(optarg, strlen(optarg), 1, 4000000000LL, &v) != 0) {
                wb_cli_error("intel export: --sid-base: '%s' is not a sid", optarg);
                goto done;
            }
            eo.sid_base = (uint32_t)v;
            break;
        }
        case O_KEY:
            key = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            status = WB_EXIT_OK;
            goto done;
        case ':':
            wb_cli_error("intel export: option '%s' needs a value", argv[optind - 1]);
            goto done;
        default:
            wb_cli_error("intel export: unknown option '%s' (see weerbaar intel --help)",
                         argv[optind - 1]);
            goto done;
        }
    }
    if (optind < argc) {
        wb_cli_error("intel export: unexpected argument '%s' (indicators go with -i)",
                     argv[optind]);
        goto done;
    }
    if (!have_target || niocs == 0) {
        wb_cli_error("intel export: give --to TARGET and at least one -i (see weerbaar intel "
                     "--help)");
        goto done;
    }
    if (key == NULL) key = getenv("WEERBAAR_KEY");
    if (nwls) {
        if (wb_warninglists_new(&wl) != 0) goto oom;
        for (size_t i = 0; i < nwls; i++)
            if (wb_warninglists_load(wl, wls[i], &err) != 0) {
                wb_cli_report(&err);
                goto done;
            }
        sopts.warnlists = wl;
    }
    if (wb_iocset_new(&set, &sopts) != 0) goto oom;
    for (size_t i = 0; i < niocs; i++)
        if (wb_cli_load_iocs(iocs[i], key, &iopts, wb_iocset_sink(set), &err) != 0) {
            wb_cli_report(&err);
            goto done;
        }
    if (wb_iocset_build(set, &err) != 0) {
        wb_cli_report(&err);
        goto done;
    }
    wb_export_stats st;
    if (wb_intel_export(set, &eo, &st, &err) != 0) {
        wb_cli_report(&err);
        goto done;
    }
    uint64_t written = 0;
    for (int t = 0; t < WB_IOC_TYPE_COUNT; t++) {
        written += st.written[t];
        if (st.skipped[t])
            fprintf(stderr, "weerbaar: %llu %s indicator%s not exported: %s has no way to say %s\n",
                    (unsigned long long)st.skipped[t], wb_ioc_type_name((wb_ioc_type)t),
                    st.skipped[t] == 1 ? "" : "s", target_name, st.skipped[t] == 1 ? "it" : "them");
    }
    fprintf(stderr, "weerbaar: %llu indicator%s exported", (unsigned long long)written,
            written == 1 ? "" : "s");
    if (eo.target == WB_EXPORT_SURICATA_DATASET || eo.target == WB_EXPORT_SURICATA_RULES)
        fprintf(stderr, ", %llu rule%s", (unsigned long long)st.rules, st.rules == 1 ? "" : "s");
    fputc('\n', stderr);
    status = WB_EXIT_OK;
    goto done;
oom:
    wb_cli_error("intel export: out of memory");
done:
    wb_iocset_free(set);
    wb_warninglists_free(wl);
    free(iocs);
    free(wls);
    return status;
}

static int act_export(void *ctx, int argc, char **argv)
{
    (void)ctx;
    return cmd_export(argc, argv);
}

static const char *const export_opts[] = {"--to zeek-intel|suricata-dataset|suricata-rules|csv",
                                          "--iocs FILE|DIR|URL",
                                          "-i FILE|DIR|URL",
                                          "--key KEY",
                                          "--warninglist FILE|DIR",
                                          "-w FILE|DIR",
                                          "--now TIME",
                                          "--include-expired",
                                          "--ioc-format auto|misp|stix|zeek|csv|plain",
                                          "--all-attributes",
                                          "--out PATH",
                                          "-o PATH",
                                          "--sid-base N",
                                          NULL};
const wb_cli_action wb_cli_intel_actions[] = {
    {"export", false, act_export, "indicators to Zeek Intel, Suricata datasets or rules, CSV",
     export_opts},
    {NULL, false, NULL, NULL, NULL}};

int wb_cmd_intel(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? WB_EXIT_ERROR : WB_EXIT_OK;
    }
    return wb_cli_dispatch("intel", wb_cli_intel_actions, NULL, argc - 1, argv + 1);
}
