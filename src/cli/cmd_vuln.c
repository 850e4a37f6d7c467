/*
 * cmd_vuln.c - `weerbaar vuln scan` and `weerbaar vuln index`: argument parsing,
 * loading through the vulndb.h parsers into the database of vulnscan.h, and
 * the four outputs (table, JSON, CSV, SARIF 2.1.0). The rules live in
 * src/vuln/match.c and src/vuln/policy.c; docs/vuln-scan.md describes
 * every option and output field.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cmdtab.h"
#include "cli/cmd_vuln_fetch.h"
#include "weerbaar/progress.h"
#include "weerbaar/vulndb.h"
#include "weerbaar/vulnscan.h"

static const char usage_text[] =
    "usage: weerbaar vuln scan [--advisories PATH [--advisories PATH ...] | --dir DIR]\n"
    "                          --inventory PATH[=ASSET] [--inventory ...] [options]\n"
    "       weerbaar vuln index [--advisories PATH [--advisories PATH ...] | --dir DIR]\n"
    "                           [--kev FILE] [--epss FILE] [--max-age DAYS] [--quiet]\n"
    "                           --out FILE\n"
    "       weerbaar vuln fetch [--dir DIR] [--source SOURCE]... (see vuln fetch --help)\n"
    "\n"
    "scan: which systems are vulnerable, and which patches are overdue. Matches\n"
    "an inventory (CycloneDX or SPDX SBOMs in JSON or tag-value, a CSV asset\n"
    "list, /var/lib/dpkg/status, dpkg -l, dpkg-query -W, /lib/apk/db/installed,\n"
    "rpm -qa output, or a root file system: --inventory / for this machine)\n"
    "against advisories (CSAF 2.0, OSV, NVD CVE JSON 2.0: files,\n"
    "directories, mirrored CSAF providers, OSV all.zip, or an index file made by\n"
    "'vuln index') and prints one finding per asset, component and vulnerability,\n"
    "most urgent first: known exploited (KEV), then internet-facing, then CVSS\n"
    "score, then EPSS. The ids of one vulnerability (CVE, GHSA, vendor ids) are\n"
    "merged into one.\n"
    "\n"
    "Matching: by purl (type, namespace and name equal; the installed version in\n"
    "the advisory's range, in the ecosystem's version scheme), by CPE (NISTIR\n"
    "7696: the advisory's CPE equal to or wider than the component's, the version\n"
    "inside its bounds), and by CSAF product-tree vendor, product and version\n"
    "names (case-insensitive) for components with neither purl nor CPE, and by\n"
    "package name where a CSAF product has neither: Red Hat's NEVRA product\n"
    "versions (telnet-1:0.17-65.el7_6.x86_64) against rpm packages of the same\n"
    "name, arch and module stream (rpmvercmp), a distribution's vendor and\n"
    "product names against its rpm/deb/apk purls. 'fixed'\n"
    "versions of deb, rpm and alpine packages also make older versions on the\n"
    "same distribution release affected; Debian advisories are matched by source\n"
    "package. 'not affected' statements of an advisory, and VEX statements\n"
    "(not_affected or fixed), suppress a finding.\n"
    "\n"
    "inputs:\n"
    "      --advisories PATH      advisories or an index file (repeatable)\n"
    "      --inventory PATH[=ASSET]  an inventory file, or a directory read as a\n"
    "                             root file system (its os-release, dpkg status\n"
    "                             and apk database; / is this machine); repeatable.\n"
    "                             =ASSET names the system (default: the SBOM's\n"
    "                             metadata.component or SPDX name, the root's\n"
    "                             hostname; CSV lists carry their own). A bad\n"
    "                             component or row is skipped and said.\n"
    "      --distro NAME          package lists: the release, e.g. debian-12, rhel-9\n"
    "                             (rpm lists need it: it gives the purl namespace;\n"
    "                             a root file system's os-release gives it there)\n"
    "      --kev FILE             CISA known_exploited_vulnerabilities.json\n"
    "      --epss FILE            FIRST EPSS scores (CSV, optionally gzip)\n"
    "      --vex PATH             VEX: CSAF VEX, CycloneDX VEX, OpenVEX (repeatable)\n"
    "      --dir DIR              what 'vuln fetch' keeps in DIR: its advisories when\n"
    "                             no --advisories are given, its KEV and EPSS when no\n"
    "                             --kev/--epss are (default without --advisories:\n"
    "                             the directory vuln fetch uses by default)\n"
    "      --max-age DAYS         warn when a fetched source, the KEV catalogue or\n"
    "                             the EPSS scores are older than DAYS (default 7)\n"
    "\n"
    "deadlines:\n"
    "      --policy FILE          days per band (JSON, see docs/vuln-scan.md); the\n"
    "                             defaults: KEV due date; critical and internet-\n"
    "                             facing 7 days after first release; critical 14;\n"
    "                             high 30; medium 90; low 180; no score as medium.\n"
    "                             The earlier of KEV's and the policy's date wins.\n"
    "      --now TIME             reference time for 'overdue' (RFC 3339; default now)\n"
    "\n"
    "output:\n"
    "      --format FMT           table (default), json, csv or sarif (SARIF 2.1.0\n"
    "                             for code-scanning tools)\n"
    "      --fail-on LEVEL        exit 1 when a finding is at or above LEVEL:\n"
    "                             critical, high, medium, low, or kev\n"
    "      --only WHAT            list only findings that are in KEV (kev), past\n"
    "                             their deadline (overdue) or have a fix (fixable);\n"
    "                             repeatable or comma-separated: all must hold\n"
    "      --wide                 table: titles whole (identifiers are never cut)\n"
    "      --show-suppressed      also list findings VEX suppressed, with the\n"
    "                             statement's status and justification\n"
    "      --no-index             compare every component with every advisory entry\n"
    "                             (slow; the benchmark's baseline)\n"
    "  -q, --quiet                scan, index: no progress line on standard error\n"
    "                             (shown only when it is a terminal)\n"
    "  -h, --help                 this text\n"
    "\n"
    "index: parses the advisories (and KEV and EPSS) once and writes a binary\n"
    "index that later scans load in one read: give it to --advisories. Without\n"
    "--advisories it reads what 'vuln fetch' keeps, as scan does (--dir DIR,\n"
    "--max-age DAYS, --kev and --epss as for scan).\n"
    "      --out FILE             the index file to write\n"
    "\n"
    "Exit status: 0 no finding at or above --fail-on (or no --fail-on), 1 findings\n"
    "at or above it, 2 an error. A document that is not valid CSAF, OSV, NVD or\n"
    "JSON, or a file that is not an inventory, is reported with its file and\n"
    "JSON path and skipped; the scan reports the rest and exits 2 at the end. A\n"
    "valid advisory weerbaar cannot fully read (a CSAF range in free text it\n"
    "cannot parse) is used: its products get status 'unknown', with a warning.\n"
    "\n"
    "examples:\n"
    "  weerbaar vuln scan --advisories csaf-mirror/ --inventory sbom.cdx.json\n"
    "  weerbaar vuln scan --advisories osv/ --advisories ncsc-csaf/ \\\n"
    "      --inventory web01.cdx.json=web01 --inventory assets.csv \\\n"
    "      --kev known_exploited_vulnerabilities.json --epss epss.csv.gz \\\n"
    "      --vex vendor-vex.json --fail-on high --format sarif > findings.sarif\n"
    "  weerbaar vuln scan --advisories debian-osv/ --inventory / --only overdue\n"
    "  dpkg-query -W -f='${binary:Package} ${Version} ${source:Package} ${source:Version}\\n' \\\n"
    "      > pkgs.txt && weerbaar vuln scan --advisories debian-csaf/ \\\n"
    "      --inventory pkgs.txt=db01 --distro debian-12\n"
    "  rpm -qa --qf '%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE} %{ARCH}\\n' > rpms.txt && \\\n"
    "      weerbaar vuln scan --advisories redhat-csaf/ --inventory rpms.txt --distro rhel-7\n"
    "  weerbaar vuln index --advisories osv/ --advisories csaf/ --kev kev.json --out vulns.idx\n"
    "  weerbaar vuln scan --advisories vulns.idx --inventory sbom.json --format json\n";

enum { OUT_TABLE, OUT_JSON, OUT_CSV, OUT_SARIF };
enum { ONLY_KEV = 1, ONLY_OVERDUE = 2, ONLY_FIXABLE = 4 };

/* What the outputs list and how. */
typedef struct outopts {
    bool show_suppressed;
    unsigned only; /* ONLY_*: every one given must hold */
    bool wide;     /* table: free text whole */
    size_t skipped;
    wb_time now;
} outopts;

/* Whether a finding is listed: --show-suppressed, then --only. */
static bool listed(const wb_finding *f, const outopts *o)
{
    if (f->suppressed && !o->show_suppressed) return false;
    if ((o->only & ONLY_KEV) && !f->kev) return false;
    if ((o->only & ONLY_OVERDUE) && !f->overdue) return false;
    if ((o->only & ONLY_FIXABLE) && f->nfixed == 0 &&
        !(f->remediation_category && strcmp(f->remediation_category, "vendor_fix") == 0))
        return false;
    return true;
}
enum { FAIL_NONE = -1, FAIL_KEV = 100 };

typedef struct strv {
    const char **v;
    size_t n;
} strv;

static int strv_push(strv *s, const char *p)
{
    const char **nv = realloc(s->v, (s->n + 1) * sizeof *nv);
    if (nv == NULL) return -1;
    s->v = nv;
    s->v[s->n++] = p;
    return 0;
}

/* ---- progress and bad documents ------------------------------------------------- */

typedef wb_progress progress;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void tick(progress *p)
{
    wb_progress_add(p, 1);
}

static void progress_end(progress *p)
{
    wb_progress_end(p);
}

/* Sinks that count for the progress line and pass records on. */
typedef struct adv_tap {
    wb_advisory_sink sink;
    wb_advisory_sink *to;
    progress *p;
} adv_tap;

static int adv_tap_add(wb_advisory_sink *self, const wb_advisory *a)
{
    adv_tap *t = (adv_tap *)self;
    tick(t->p);
    return t->to->add(t->to, a);
}

typedef struct comp_tap {
    wb_component_sink sink;
    wb_component_sink *to;
    progress *p;
} comp_tap;

static int comp_tap_add(wb_component_sink *self, const wb_component *c)
{
    comp_tap *t = (comp_tap *)self;
    tick(t->p);
    return t->to->add(t->to, c);
}

typedef struct run_state {
    bool had_error; /* exit 2 at the end */
    unsigned bad_docs;
    unsigned warnings; /* parts used as far as they could be read */
    size_t skipped;    /* inventory components skipped */
    bool no_source;    /* a Debian list without source names was read (said once) */
    bool deb_adv;      /* Debian/Ubuntu advisories (source package names) are loaded */
} run_state;

static void on_bad(void *ud, const wb_error *err)
{
    run_state *r = ud;
    r->had_error = true;
    r->bad_docs++;
    fprintf(stderr, "weerbaar: %s (skipped)\n", err->msg[0] ? err->msg : wb_strerror(err->code));
}

/* A valid document that weerbaar cannot fully interpret (a CSAF range in
 * free text it cannot read): said, and not an error. */
static void on_warn(void *ud, const wb_error *err)
{
    run_state *r = ud;
    r->warnings++;
    fprintf(stderr, "weerbaar: warning: %s\n", err->msg);
}

static void on_skip(void *ud, const wb_error *err)
{
    run_state *r = ud;
    r->skipped++;
    fprintf(stderr, "weerbaar: warning: %s\n", err->msg);
}

/* Debian's and Ubuntu's advisories name source packages (glibc, not libc6):
 * a list without them matches only where the names agree. Said once, and
 * loudly, with the command that gives a list with them, when such
 * advisories are loaded in this scan (other advisories do not care). */
static void on_no_source(void *ud, const char *path)
{
    run_state *r = ud;
    if (r->no_source || !r->deb_adv) return;
    r->no_source = true;
    fprintf(stderr,
            "weerbaar: WARNING: %s names no source packages, and Debian and Ubuntu advisories "
            "name source packages (glibc, not libc6): most of their findings will be MISSED. "
            "Give the dpkg status file (--inventory /var/lib/dpkg/status, or --inventory / for "
            "this machine), or a list made with\n"
            "  dpkg-query -W -f='${binary:Package} ${Version} ${source:Package} "
            "${source:Version}\\n'\n",
            path);
}

/* Advisories from every path into one database: an index file alone is used
 * as it is; otherwise each index is copied into a builder beside the raw
 * sources, so that aliases merge across all of them. */
static int load_advisories(const strv *paths, const char *kev, const char *epss, bool rebuild,
                           run_state *r, progress *pg, wb_vulndb **out)
{
    wb_error err;
    wb_error_clear(&err);
    *out = NULL;
    if (paths->n == 1 && !rebuild && !kev && !epss && wb_vulndb_is_index(paths->v[0])) {
        if (wb_vulndb_open(out, paths->v[0], &err) != 0) {
            wb_cli_report(&err);
            return -1;
        }
        return 0;
    }
    wb_vulndb *db;
    if (wb_vulndb_new(&db) != 0) {
        wb_cli_error("vuln: out of memory");
        return -1;
    }
    adv_tap tap = {{adv_tap_add}, wb_vulndb_advisory_sink(db), pg};
    wb_advisory_opts ao = {.bad = on_bad, .bad_ud = r, .warn = on_warn, .warn_ud = r};
    for (size_t i = 0; i < paths->n; i++) {
        const char *p = paths->v[i];
        if (wb_vulndb_is_index(p)) {
            wb_vulndb *idx = NULL;
            if (wb_vulndb_open(&idx, p, &err) != 0 || wb_vulndb_copy_into(idx, db, &err) != 0) {
                wb_cli_report(&err);
                r->had_error = true;
            }
            wb_vulndb_free(idx);
            wb_error_clear(&err);
            continue;
        }
        if (wb_advisories_load(p, &ao, &tap.sink, &err) != 0) {
            wb_cli_report(&err);
            r->had_error = true;
            if (err.code == WB_ENOMEM) {
                wb_vulndb_free(db);
                return -1;
            }
            wb_error_clear(&err);
        }
    }
    progress_end(pg);
    if (kev && wb_kev_load(kev, wb_vulndb_kev_sink(db), &err) != 0) {
        wb_cli_report(&err);
        r->had_error = true;
        wb_error_clear(&err);
    }
    if (epss && wb_epss_load(epss, wb_vulndb_epss_sink(db), &err) != 0) {
        wb_cli_report(&err);
        r->had_error = true;
        wb_error_clear(&err);
    }
    if (wb_vulndb_build(db, &err) != 0) {
        wb_cli_report(&err);
        wb_vulndb_free(db);
        return -1;
    }
    *out = db;
    return 0;
}

/* ---- small output helpers ---------------------------------------------------------- */

static json_t *jstr(const char *s)
{
    if (s == NULL) return json_null();
    json_t *j = json_string(s);
    /* Input strings that are not UTF-8 are kept with '?' for bad bytes. */
    if (j == NULL) {
        wb_buf b = {0};
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
            wb_buf_putc(&b, *p < 0x80 ? (char)*p : '?');
        j = json_string(b.data ? b.data : "");
        wb_buf_free(&b);
    }
    return j;
}

static json_t *jtime(wb_time t)
{
    char buf[40];
    if (t == WB_TIME_NONE) return json_null();
    wb_time_format(t, buf, sizeof buf);
    return json_string(buf);
}

static const char *cvss_version_str(unsigned v)
{
    switch (v) {
    case 40:
        return "4.0";
    case 31:
        return "3.1";
    case 30:
        return "3.0";
    case 20:
        return "2.0";
    }
    return NULL;
}

static json_t *finding_json(const wb_finding *f)
{
    json_t *o = json_object();
    json_t *ids = json_array(), *fixed = json_array();
    for (size_t i = 0; i < f->nids; i++)
        json_array_append_new(ids, jstr(f->ids[i]));
    for (size_t i = 0; i < f->nfixed; i++)
        json_array_append_new(fixed, jstr(f->fixed[i]));
    json_object_set_new(o, "rank", f->rank ? json_integer((json_int_t)f->rank) : json_null());
    json_object_set_new(o, "asset", jstr(f->asset));
    json_object_set_new(o, "component", jstr(f->component));
    json_object_set_new(o, "name", jstr(f->name));
    json_object_set_new(o, "version", jstr(f->version));
    json_object_set_new(o, "inventory", jstr(f->where));
    json_object_set_new(o, "internet_facing", json_boolean(f->internet_facing));
    json_object_set_new(o, "vulnerability", jstr(f->vuln));
    json_object_set_new(o, "cve", jstr(f->cve));
    json_object_set_new(o, "ids", ids);
    json_object_set_new(o, "title", jstr(f->title));
    json_object_set_new(o, "advisory", jstr(f->advisory));
    json_object_set_new(o, "advisory_source", jstr(f->advisory_source));
    json_object_set_new(o, "advisory_kind", jstr(f->advisory_kind));
    json_object_set_new(o, "advisory_url", jstr(f->advisory_url));
    json_object_set_new(o, "matched_by", jstr(f->matched_by));
    json_object_set_new(o, "status", jstr(f->status));
    json_object_set_new(o, "cvss_score", f->cvss_version ? json_real(f->cvss_score) : json_null());
    json_object_set_new(o, "cvss_version", jstr(cvss_version_str(f->cvss_version)));
    json_object_set_new(o, "cvss_vector", jstr(f->cvss_vector));
    json_object_set_new(o, "severity", jstr(wb_severity_name(f->severity)));
    json_object_set_new(o, "kev", json_boolean(f->kev));
    json_object_set_new(o, "kev_date_added", jtime(f->kev_added));
    json_object_set_new(o, "kev_due_date", jtime(f->kev_due));
    json_object_set_new(o, "kev_ransomware",
                        f->kev ? json_boolean(f->kev_ransomware) : json_null());
    json_object_set_new(o, "epss", f->has_epss ? json_real(f->epss) : json_null());
    json_object_set_new(o, "epss_percentile",
                        f->has_epss ? json_real(f->epss_percentile) : json_null());
    json_object_set_new(o, "fixed_versions", fixed);
    json_object_set_new(o, "remediation", jstr(f->remediation));
    json_object_set_new(o, "remediation_category", jstr(f->remediation_category));
    json_object_set_new(o, "remediation_url", jstr(f->remediation_url));
    json_object_set_new(o, "published", jtime(f->published));
    json_object_set_new(o, "deadline", jtime(f->deadline));
    json_object_set_new(o, "deadline_rule", jstr(wb_patch_rule_name(f->deadline_rule)));
    json_object_set_new(o, "overdue", json_boolean(f->overdue));
    json_object_set_new(o, "suppressed", json_boolean(f->suppressed));
    json_object_set_new(o, "vex_status", jstr(f->vex_status));
    json_object_set_new(o, "vex_justification", jstr(f->vex_justification));
    json_object_set_new(o, "vex_detail", jstr(f->vex_detail));
    json_object_set_new(o, "vex_source", jstr(f->vex_source));
    return o;
}

static json_t *summary_json(const wb_scan_summary *s, size_t skipped)
{
    json_t *o = json_object(), *sev = json_object();
    for (int i = WB_SEV_CRITICAL; i >= WB_SEV_UNKNOWN; i--)
        json_object_set_new(sev, wb_severity_name((wb_severity)i),
                            json_integer((json_int_t)s->by_severity[i]));
    json_object_set_new(o, "components", json_integer((json_int_t)s->components));
    json_object_set_new(o, "findings", json_integer((json_int_t)s->findings));
    json_object_set_new(o, "by_severity", sev);
    json_object_set_new(o, "kev", json_integer((json_int_t)s->kev));
    json_object_set_new(o, "overdue", json_integer((json_int_t)s->overdue));
    json_object_set_new(o, "suppressed", json_integer((json_int_t)s->suppressed));
    json_object_set_new(o, "unknown", json_integer((json_int_t)s->unknown));
    json_object_set_new(o, "skipped_components", json_integer((json_int_t)skipped));
    return o;
}

/* Findings [from, to) as JSON lines, each preceded by ",\n" (the caller
 * drops the first comma), into a buffer. Used by two threads at once on
 * separate halves: the finished scan is only read, each half has its own
 * buffer. */
typedef struct json_part {
    const wb_vulnscan *s;
    size_t from, to;
    const outopts *o;
    wb_buf out;
    int rc;
} json_part;

static void *json_part_run(void *arg)
{
    json_part *p = arg;
    for (size_t i = p->from; p->rc == 0 && i < p->to; i++) {
        const wb_finding *f = wb_vulnscan_get(p->s, i);
        if (!listed(f, p->o)) continue;
        if (wb_buf_append(&p->out, ",\n", 2) != 0 || wb_finding_json(f, &p->out) != 0) p->rc = -1;
    }
    return NULL;
}

/* One JSON document, each finding on one line. Building the whole tree
 * first cost three times the scan itself for 35 000 findings (1.4 million
 * jansson values allocated, then freed); a jansson object per finding still
 * cost as much CPU as the scan, so findings are written by wb_finding_json
 * (the same bytes, no allocation per value), the two halves of the list on
 * two threads. */
static int print_json(const wb_vulnscan *s, const outopts *o, FILE *out)
{
    const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6);
    wb_scan_summary sum;
    wb_vulnscan_summary_get(s, &sum);
    json_t *head = json_object();
    json_object_set_new(head, "generated", jtime(wb_time_now() / 1000000 * 1000000));
    json_object_set_new(head, "now", jtime(o->now));
    json_object_set_new(head, "summary", summary_json(&sum, o->skipped));
    char *h = json_dumps(head, flags);
    json_decref(head);
    if (h == NULL) return -1;
    size_t n = wb_vulnscan_count(s), mid = n / 2;
    json_part part[2] = {{s, 0, mid, o, {0}, 0}, {s, mid, n, o, {0}, 0}};
    pthread_t th;
    /* Few findings are not worth a thread; no thread is not an error. */
    bool threaded = n >= 2048 && pthread_create(&th, NULL, json_part_run, &part[1]) == 0;
    json_part_run(&part[0]);
    if (threaded)
        pthread_join(th, NULL);
    else
        json_part_run(&part[1]);
    int rc = part[0].rc || part[1].rc ? -1 : 0;
    /* the header object without its closing brace, then the array */
    if (rc == 0 && fprintf(out, "%.*s,\"findings\":[", (int)(strlen(h) - 1), h) < 0) rc = -1;
    free(h);
    bool first = true;
    for (int k = 0; rc == 0 && k < 2; k++) {
        const char *d = part[k].out.data;
        size_t len = part[k].out.len;
        if (len == 0) continue;
        /* the first finding of the document takes no comma */
        if (first) d++, len--;
        first = false;
        if (fwrite(d, 1, len, out) != len) rc = -1;
    }
    if (rc == 0 && fputs("\n]}\n", out) == EOF) rc = -1;
    wb_buf_free(&part[0].out);
    wb_buf_free(&part[1].out);
    return rc;
}

static void csv_field(wb_buf *b, const char *s, bool last)
{
    if (s && strpbrk(s, ",\"\r\n")) {
        wb_buf_putc(b, '"');
        for (const char *p = s; *p; p++) {
            if (*p == '"') wb_buf_putc(b, '"');
            wb_buf_putc(b, *p);
        }
        wb_buf_putc(b, '"');
    } else if (s) {
        wb_buf_puts(b, s);
    }
    wb_buf_puts(b, last ? "\r\n" : ",");
}

static int print_csv(const wb_vulnscan *s, const outopts *o, FILE *out)
{
    static const char *const cols[] = {"rank",
                                       "asset",
                                       "component",
                                       "name",
                                       "version",
                                       "vulnerability",
                                       "cve",
                                       "ids",
                                       "title",
                                       "severity",
                                       "cvss_score",
                                       "cvss_version",
                                       "kev",
                                       "kev_due_date",
                                       "kev_ransomware",
                                       "epss",
                                       "epss_percentile",
                                       "fixed_versions",
                                       "remediation",
                                       "remediation_url",
                                       "advisory",
                                       "advisory_source",
                                       "matched_by",
                                       "status",
                                       "internet_facing",
                                       "published",
                                       "deadline",
                                       "deadline_rule",
                                       "overdue",
                                       "suppressed",
                                       "vex_status",
                                       "vex_justification"};
    size_t nc = sizeof cols / sizeof cols[0];
    wb_buf b = {0}, t = {0};
    for (size_t i = 0; i < nc; i++)
        csv_field(&b, cols[i], i + 1 == nc);
    for (size_t i = 0; i < wb_vulnscan_count(s); i++) {
        const wb_finding *f = wb_vulnscan_get(s, i);
        if (!listed(f, o)) continue;
        char num[64], tm[3][40];
        const char *v[sizeof cols / sizeof cols[0]];
        memset(v, 0, sizeof v);
        wb_buf_reset(&t);
        for (size_t k = 0; k < f->nids; k++)
            wb_buf_printf(&t, "%s%s", k ? " " : "", f->ids[k]);
        size_t ids_end = t.len;
        wb_buf_putc(&t, '\0');
        for (size_t k = 0; k < f->nfixed; k++)
            wb_buf_printf(&t, "%s%s", k ? " " : "", f->fixed[k]);
        char rank[24] = "", score[24] = "", epss[24] = "", pct[24] = "";
        if (f->rank) snprintf(rank, sizeof rank, "%zu", f->rank);
        if (f->cvss_version) snprintf(score, sizeof score, "%.1f", f->cvss_score);
        if (f->has_epss) {
            snprintf(epss, sizeof epss, "%.5f", f->epss);
            snprintf(pct, sizeof pct, "%.5f", f->epss_percentile);
        }
        wb_time times[3] = {f->kev_due, f->published, f->deadline};
        for (int k = 0; k < 3; k++) {
            tm[k][0] = '\0';
            if (times[k] != WB_TIME_NONE) wb_time_format(times[k], tm[k], sizeof tm[k]);
        }
        (void)num;
        size_t k = 0;
        v[k++] = rank;
        v[k++] = f->asset;
        v[k++] = f->component;
        v[k++] = f->name;
        v[k++] = f->version;
        v[k++] = f->vuln;
        v[k++] = f->cve;
        v[k++] = t.data;
        v[k++] = f->title;
        v[k++] = wb_severity_name(f->severity);
        v[k++] = score;
        v[k++] = cvss_version_str(f->cvss_version);
        v[k++] = f->kev ? "true" : "false";
        v[k++] = tm[0];
        v[k++] = f->kev ? (f->kev_ransomware ? "true" : "false") : "";
        v[k++] = epss;
        v[k++] = pct;
        v[k++] = t.data + ids_end + 1;
        v[k++] = f->remediation;
        v[k++] = f->remediation_url;
        v[k++] = f->advisory;
        v[k++] = f->advisory_source;
        v[k++] = f->matched_by;
        v[k++] = f->status;
        v[k++] = f->internet_facing ? "true" : "false";
        v[k++] = tm[1];
        v[k++] = tm[2];
        v[k++] = wb_patch_rule_name(f->deadline_rule);
        v[k++] = f->overdue ? "true" : "false";
        v[k++] = f->suppressed ? "true" : "false";
        v[k++] = f->vex_status;
        v[k++] = f->vex_justification;
        for (size_t c = 0; c < nc; c++)
            csv_field(&b, v[c], c + 1 == nc);
    }
    int rc = b.len && fwrite(b.data, 1, b.len, out) != b.len ? -1 : 0;
    wb_buf_free(&b);
    wb_buf_free(&t);
    return rc;
}

static const char *sarif_level(wb_severity s)
{
    switch (s) {
    case WB_SEV_CRITICAL:
    case WB_SEV_HIGH:
        return "error";
    case WB_SEV_MEDIUM:
    case WB_SEV_UNKNOWN:
        return "warning";
    case WB_SEV_LOW:
    case WB_SEV_NONE:
        return "note";
    }
    return "warning";
}

/* The inventory file of a "file:line" or "file: $.path" location. */
static json_t *artifact_uri(const char *where)
{
    if (where == NULL) return NULL;
    const char *colon = strchr(where, ':');
    size_t n = colon ? (size_t)(colon - where) : strlen(where);
    if (n == 0) return NULL;
    return json_stringn(where, n);
}

static int print_sarif(const wb_vulnscan *s, const outopts *o, FILE *out)
{
    json_t *root = json_object(), *run = json_object(), *driver = json_object();
    json_t *rules = json_array(), *results = json_array(), *rule_ix = json_object();
    json_object_set_new(root, "$schema",
                        json_string("https://json.schemastore.org/sarif-2.1.0.json"));
    json_object_set_new(root, "version", json_string("2.1.0"));
    json_object_set_new(driver, "name", json_string("weerbaar"));
    json_object_set_new(driver, "version", json_string(WB_VERSION));
    json_object_set_new(driver, "informationUri",
                        json_string("https://github.com/weerbaar/weerbaar"));
    for (size_t i = 0; i < wb_vulnscan_count(s); i++) {
        const wb_finding *f = wb_vulnscan_get(s, i);
        if (!listed(f, o)) continue;
        json_t *ix = json_object_get(rule_ix, f->vuln);
        if (ix == NULL) {
            json_t *r = json_object(), *props = json_object(), *tags = json_array();
            json_object_set_new(r, "id", jstr(f->vuln));
            json_object_set_new(r, "name", jstr(f->vuln));
            json_t *sd = json_object();
            json_object_set_new(sd, "text", jstr(f->title ? f->title : f->vuln));
            json_object_set_new(r, "shortDescription", sd);
            if (f->advisory_url) json_object_set_new(r, "helpUri", jstr(f->advisory_url));
            json_t *dc = json_object();
            json_object_set_new(dc, "level", json_string(sarif_level(f->severity)));
            json_object_set_new(r, "defaultConfiguration", dc);
            json_array_append_new(tags, json_string("security"));
            json_array_append_new(tags, json_string("vulnerability"));
            json_object_set_new(props, "tags", tags);
            if (f->cvss_version) {
                /* GitHub code scanning reads this as a number in a string. */
                char sc[16];
                snprintf(sc, sizeof sc, "%.1f", f->cvss_score);
                json_object_set_new(props, "security-severity", json_string(sc));
            }
            json_object_set_new(r, "properties", props);
            ix = json_integer((json_int_t)json_array_size(rules));
            json_object_set_new(rule_ix, f->vuln, ix);
            json_array_append_new(rules, r);
        }
        json_t *res = json_object(), *msg = json_object(), *loc = json_object();
        json_t *logical = json_object(), *props = json_object();
        json_object_set_new(res, "ruleId", jstr(f->vuln));
        json_object_set_new(res, "ruleIndex", json_integer(json_integer_value(ix)));
        json_object_set_new(res, "level", json_string(sarif_level(f->severity)));
        wb_buf t = {0};
        wb_buf_printf(&t, "%s %s on %s is affected by %s (%s%s%s)%s%s", f->name ? f->name : "?",
                      f->version ? f->version : "(version unknown)", f->asset ? f->asset : "?",
                      f->vuln, wb_severity_name(f->severity), f->kev ? ", known exploited" : "",
                      f->overdue ? ", patch overdue" : "", f->nfixed ? "; fixed in " : "",
                      f->nfixed ? f->fixed[0] : "");
        json_object_set_new(msg, "text", jstr(t.data));
        wb_buf_reset(&t);
        wb_buf_printf(&t, "%s/%s", f->asset ? f->asset : "", f->component ? f->component : "");
        json_object_set_new(logical, "name", jstr(f->component));
        json_object_set_new(logical, "fullyQualifiedName", jstr(t.data));
        json_object_set_new(logical, "kind", json_string("module"));
        wb_buf_free(&t);
        json_t *lls = json_array();
        json_array_append_new(lls, logical);
        json_object_set_new(loc, "logicalLocations", lls);
        json_t *uri = artifact_uri(f->where);
        if (uri) {
            json_t *pl = json_object(), *al = json_object();
            json_object_set_new(al, "uri", uri);
            json_object_set_new(pl, "artifactLocation", al);
            json_object_set_new(loc, "physicalLocation", pl);
        }
        json_t *locs = json_array();
        json_array_append_new(locs, loc);
        json_object_set_new(res, "message", msg);
        json_object_set_new(res, "locations", locs);
        json_object_set_new(props, "finding", finding_json(f));
        json_object_set_new(res, "properties", props);
        if (f->suppressed) {
            json_t *sup = json_array(), *so = json_object();
            json_object_set_new(so, "kind", json_string("external"));
            json_object_set_new(so, "justification",
                                jstr(f->vex_justification ? f->vex_justification : f->vex_status));
            json_array_append_new(sup, so);
            json_object_set_new(res, "suppressions", sup);
        }
        json_array_append_new(results, res);
    }
    json_decref(rule_ix);
    json_object_set_new(driver, "rules", rules);
    json_t *tool = json_object();
    json_object_set_new(tool, "driver", driver);
    json_object_set_new(run, "tool", tool);
    json_object_set_new(run, "results", results);
    json_t *runs = json_array();
    json_array_append_new(runs, run);
    json_object_set_new(root, "runs", runs);
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(root);
    return rc != 0 || fputc('\n', out) == EOF ? -1 : 0;
}

static void date_only(wb_time t, char *out, size_t cap)
{
    if (t == WB_TIME_NONE) {
        snprintf(out, cap, "-");
        return;
    }
    char buf[40];
    wb_time_format(t, buf, sizeof buf);
    buf[10] = '\0';
    snprintf(out, cap, "%s", buf);
}

/* Days past the deadline, or 0. */
static long days_over(const wb_finding *f, wb_time now)
{
    if (!f->overdue || f->deadline == WB_TIME_NONE || now <= f->deadline) return 0;
    int64_t day = (int64_t)86400 * 1000000;
    return (long)((now - f->deadline + day - 1) / day);
}

#define TITLE_MAX 48 /* table: the title is free text, cut here unless --wide */

typedef struct tcol {
    const char *head;
    size_t w;
    bool right;
} tcol;

enum {
    C_RANK,
    C_ASSET,
    C_COMP,
    C_VER,
    C_VULN,
    C_STATUS,
    C_SEV,
    C_CVSS,
    C_KEV,
    C_EPSS,
    C_DL,
    C_OVER,
    C_FIX,
    C_TITLE,
    NCOLS
};

/* The cells of one finding; identifiers whole, the title cut with "…"
 * unless wide. Strings live in the buffers of r. */
typedef struct trow {
    const char *c[NCOLS];
    char rank[24], score[16], epss[16], dl[24], over[24];
    wb_buf fixed, title;
} trow;

static void row_cells(trow *r, const wb_finding *f, const outopts *o)
{
    if (f->rank)
        snprintf(r->rank, sizeof r->rank, "%zu", f->rank);
    else
        snprintf(r->rank, sizeof r->rank, "-");
    if (f->cvss_version)
        snprintf(r->score, sizeof r->score, "%.1f", f->cvss_score);
    else
        snprintf(r->score, sizeof r->score, "-");
    if (f->has_epss)
        snprintf(r->epss, sizeof r->epss, "%.3f", f->epss);
    else
        snprintf(r->epss, sizeof r->epss, "-");
    date_only(f->deadline, r->dl, sizeof r->dl);
    long d = f->suppressed ? 0 : days_over(f, o->now);
    if (d > 0)
        snprintf(r->over, sizeof r->over, "%ld d", d);
    else
        snprintf(r->over, sizeof r->over, "-");
    wb_buf_reset(&r->fixed);
    if (f->suppressed)
        wb_buf_puts(&r->fixed, f->vex_justification ? f->vex_justification : f->vex_status);
    for (size_t k = 0; !f->suppressed && k < f->nfixed; k++)
        wb_buf_printf(&r->fixed, "%s%s", k ? "," : "", f->fixed[k]);
    if (r->fixed.len == 0) wb_buf_puts(&r->fixed, "-");
    wb_buf_reset(&r->title);
    const char *t = f->title ? f->title : "";
    size_t tn = strcspn(t, "\r\n"), chars = 0, cut = tn;
    /* count characters, not bytes, and cut on a character boundary */
    for (size_t i = 0; i < tn; i++)
        if (((unsigned char)t[i] & 0xC0) != 0x80 && ++chars > TITLE_MAX && cut == tn) cut = i;
    if (o->wide || cut == tn)
        wb_buf_append(&r->title, t, tn);
    else {
        wb_buf_append(&r->title, t, cut);
        wb_buf_puts(&r->title, "\xE2\x80\xA6");
    }
    if (r->title.len == 0) wb_buf_puts(&r->title, "");
    r->c[C_RANK] = r->rank;
    r->c[C_ASSET] = f->asset ? f->asset : "-";
    r->c[C_COMP] = f->name ? f->name : f->component ? f->component : "?";
    r->c[C_VER] = f->version ? f->version : "-";
    r->c[C_VULN] = f->vuln;
    r->c[C_STATUS] = f->status ? f->status : "-";
    r->c[C_SEV] = wb_severity_name(f->severity);
    r->c[C_CVSS] = r->score;
    r->c[C_KEV] = f->kev ? "yes" : "-";
    r->c[C_EPSS] = r->epss;
    r->c[C_DL] = r->dl;
    r->c[C_OVER] = r->over;
    r->c[C_FIX] = r->fixed.data ? r->fixed.data : "-";
    r->c[C_TITLE] = r->title.data ? r->title.data : "";
}

/* Display width in characters (UTF-8 continuation bytes do not count). */
static size_t width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void print_rows(const wb_vulnscan *s, const outopts *o, bool suppressed, tcol *cols,
                       FILE *out)
{
    trow r = {0};
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            for (int c = 0; c < NCOLS; c++)
                fprintf(out, "%s%s%*s", c ? "  " : "", cols[c].head,
                        c + 1 < NCOLS ? (int)(cols[c].w - width(cols[c].head)) : 0, "");
            fputc('\n', out);
        }
        for (size_t i = 0; i < wb_vulnscan_count(s); i++) {
            const wb_finding *f = wb_vulnscan_get(s, i);
            if (f->suppressed != suppressed || !listed(f, o)) continue;
            row_cells(&r, f, o);
            for (int c = 0; c < NCOLS; c++) {
                size_t w = width(r.c[c]);
                if (pass == 0) {
                    if (w > cols[c].w) cols[c].w = w;
                    continue;
                }
                int pad = c + 1 < NCOLS ? (int)(cols[c].w - w) : 0;
                if (cols[c].right)
                    fprintf(out, "%s%*s%s", c ? "  " : "", pad, "", r.c[c]);
                else
                    fprintf(out, "%s%s%*s", c ? "  " : "", r.c[c], pad, "");
            }
            if (pass == 1) fputc('\n', out);
        }
    }
    wb_buf_free(&r.fixed);
    wb_buf_free(&r.title);
}

/* One line per asset: its findings by severity, KEV and overdue. */
static void asset_lines(const wb_vulnscan *s, const outopts *o, FILE *out)
{
    size_t n = wb_vulnscan_count(s), na = 0;
    const char **assets = calloc(n ? n : 1, sizeof *assets);
    if (assets == NULL) return;
    for (size_t i = 0; i < n; i++) {
        const wb_finding *f = wb_vulnscan_get(s, i);
        if (f->suppressed || !listed(f, o)) continue;
        const char *a = f->asset ? f->asset : "-";
        size_t k = 0;
        while (k < na && strcmp(assets[k], a) != 0)
            k++;
        if (k == na) assets[na++] = a;
    }
    for (size_t k = 0; k < na; k++) {
        size_t sev[WB_SEV_CRITICAL + 1] = {0}, kev = 0, over = 0, tot = 0;
        long worst = 0;
        for (size_t i = 0; i < n; i++) {
            const wb_finding *f = wb_vulnscan_get(s, i);
            if (f->suppressed || !listed(f, o) || strcmp(f->asset ? f->asset : "-", assets[k]))
                continue;
            tot++;
            sev[f->severity]++;
            kev += f->kev;
            over += f->overdue;
            long d = days_over(f, o->now);
            if (d > worst) worst = d;
        }
        fprintf(out,
                "asset %s: %zu finding%s: %zu critical, %zu high, %zu medium, %zu low, %zu without "
                "score; %zu known exploited, %zu overdue",
                assets[k], tot, tot == 1 ? "" : "s", sev[WB_SEV_CRITICAL], sev[WB_SEV_HIGH],
                sev[WB_SEV_MEDIUM], sev[WB_SEV_LOW], sev[WB_SEV_UNKNOWN], kev, over);
        if (worst > 0) fprintf(out, " (the oldest by %ld days)", worst);
        fputc('\n', out);
    }
    free(assets);
}

static int print_table(const wb_vulnscan *s, const outopts *o, FILE *out)
{
    wb_scan_summary sum;
    wb_vulnscan_summary_get(s, &sum);
    size_t shown = 0, shown_supp = 0;
    for (size_t i = 0; i < wb_vulnscan_count(s); i++) {
        const wb_finding *f = wb_vulnscan_get(s, i);
        if (listed(f, o)) f->suppressed ? shown_supp++ : shown++;
    }
    tcol cols[NCOLS] = {{"RANK", 4, true},
                        {"ASSET", 5, false},
                        {"COMPONENT", 9, false},
                        {"VERSION", 7, false},
                        {"VULNERABILITY", 13, false},
                        {"STATUS", 6, false},
                        {"SEVERITY", 8, false},
                        {"CVSS", 4, true},
                        {"KEV", 3, false},
                        {"EPSS", 5, true},
                        {"DEADLINE", 10, false},
                        {"OVERDUE", 7, true},
                        {"FIXED IN", 8, false},
                        {"TITLE", 5, false}};
    if (shown) print_rows(s, o, false, cols, out);
    if (shown_supp) {
        fprintf(out, "\nsuppressed by VEX:\n");
        cols[C_FIX].head = "JUSTIFICATION";
        cols[C_FIX].w = 13;
        print_rows(s, o, true, cols, out);
    }
    if (shown) {
        fputc('\n', out);
        asset_lines(s, o, out);
    }
    if (o->only && shown < sum.findings)
        fprintf(out, "%zu of %zu findings listed (--only)\n", shown, sum.findings);
    fprintf(out,
            "%zu finding%s in %zu component%s: %zu critical, %zu high, %zu medium, %zu low, "
            "%zu without score; %zu known exploited, %zu overdue, %zu suppressed by VEX\n",
            sum.findings, sum.findings == 1 ? "" : "s", sum.components,
            sum.components == 1 ? "" : "s", sum.by_severity[WB_SEV_CRITICAL],
            sum.by_severity[WB_SEV_HIGH], sum.by_severity[WB_SEV_MEDIUM],
            sum.by_severity[WB_SEV_LOW], sum.by_severity[WB_SEV_UNKNOWN], sum.kev, sum.overdue,
            sum.suppressed);
    if (sum.unknown || o->skipped)
        fprintf(out,
                "%zu finding%s with status unknown (the advisory's version range could not be "
                "read); %zu inventory component%s skipped\n",
                sum.unknown, sum.unknown == 1 ? "" : "s", o->skipped, o->skipped == 1 ? "" : "s");
    return ferror(out) ? -1 : 0;
}

/* ---- the commands ---------------------------------------------------------------------- */

static bool fails(const wb_finding *f, int fail_on, const wb_policy *p)
{
    if (fail_on == FAIL_KEV) return f->kev;
    wb_severity s = f->severity == WB_SEV_UNKNOWN ? p->unscored_as : f->severity;
    return s != WB_SEV_UNKNOWN && (int)s >= fail_on;
}

/* PATH or PATH=ASSET: split at the last '=' only when what is before it is a
 * file, so paths with '=' in them still work. */
static void split_inventory(const char *arg, wb_buf *path, const char **asset)
{
    const char *eq = strrchr(arg, '=');
    struct stat st;
    wb_buf_reset(path);
    *asset = NULL;
    if (eq && eq[1] != '\0') {
        wb_buf_append(path, arg, (size_t)(eq - arg));
        if (path->data && stat(path->data, &st) == 0) {
            *asset = eq + 1;
            return;
        }
        wb_buf_reset(path);
    }
    wb_buf_puts(path, arg);
}

static int cmd_scan(int argc, char **argv)
{
    enum {
        O_ADV = 256,
        O_INV,
        O_DISTRO,
        O_KEV,
        O_EPSS,
        O_VEX,
        O_NOW,
        O_POLICY,
        O_FORMAT,
        O_FAIL,
        O_SUPP,
        O_NOIDX,
        O_ONLY,
        O_WIDE,
        O_DIR,
        O_MAXAGE
    };
    static const struct option longopts[] = {
        {"advisories", required_argument, NULL, O_ADV},
        {"inventory", required_argument, NULL, O_INV},
        {"distro", required_argument, NULL, O_DISTRO},
        {"kev", required_argument, NULL, O_KEV},
        {"epss", required_argument, NULL, O_EPSS},
        {"vex", required_argument, NULL, O_VEX},
        {"now", required_argument, NULL, O_NOW},
        {"policy", required_argument, NULL, O_POLICY},
        {"format", required_argument, NULL, O_FORMAT},
        {"fail-on", required_argument, NULL, O_FAIL},
        {"show-suppressed", no_argument, NULL, O_SUPP},
        {"no-index", no_argument, NULL, O_NOIDX},
        {"only", required_argument, NULL, O_ONLY},
        {"wide", no_argument, NULL, O_WIDE},
        {"dir", required_argument, NULL, O_DIR},
        {"max-age", required_argument, NULL, O_MAXAGE},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool quiet = false;
    strv adv = {0}, inv = {0}, vex = {0};
    const char *fetch_dir = NULL;
    int max_age = 7;
    wb_fetched fetched = {0};
    const char *distro = NULL, *kev = NULL, *epss = NULL, *policy_path = NULL;
    wb_time now = WB_TIME_NONE;
    int format = OUT_TABLE, fail_on = FAIL_NONE, status = WB_EXIT_ERROR, c;
    bool show_supp = false, linear = false, wide = false;
    unsigned only = 0;
    wb_vulndb *db = NULL, *extra = NULL;
    wb_vulnscan *scan = NULL;
    wb_buf path = {0};
    run_state r = {0};
    wb_policy pol;
    wb_policy_default(&pol);
    wb_error err;
    wb_error_clear(&err);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hq", longopts, NULL)) != -1) {
        switch (c) {
        case 'q':
            quiet = true;
            break;
        case O_ADV:
            if (strv_push(&adv, optarg)) goto oom;
            break;
        case O_INV:
            if (strv_push(&inv, optarg)) goto oom;
            break;
        case O_VEX:
            if (strv_push(&vex, optarg)) goto oom;
            break;
        case O_DISTRO:
            distro = optarg;
            break;
        case O_KEV:
            kev = optarg;
            break;
        case O_EPSS:
            epss = optarg;
            break;
        case O_POLICY:
            policy_path = optarg;
            break;
        case O_NOW:
            if (wb_time_parse(optarg, strlen(optarg), &now) != 0) {
                wb_cli_error("vuln scan: --now: '%s' is not an RFC 3339 time", optarg);
                goto done;
            }
            break;
        case O_FORMAT:
            if (strcmp(optarg, "table") == 0)
                format = OUT_TABLE;
            else if (strcmp(optarg, "json") == 0)
                format = OUT_JSON;
            else if (strcmp(optarg, "csv") == 0)
                format = OUT_CSV;
            else if (strcmp(optarg, "sarif") == 0)
                format = OUT_SARIF;
            else {
                wb_cli_error("vuln scan: unknown --format '%s' (table, json, csv, sarif)", optarg);
                goto done;
            }
            break;
        case O_FAIL: {
            wb_severity s;
            if (strcmp(optarg, "kev") == 0)
                fail_on = FAIL_KEV;
            else if (wb_severity_parse(optarg, &s) == 0 && s >= WB_SEV_LOW)
                fail_on = (int)s;
            else {
                wb_cli_error("vuln scan: --fail-on '%s': critical, high, medium, low or kev",
                             optarg);
                goto done;
            }
            break;
        }
        case O_SUPP:
            show_supp = true;
            break;
        case O_NOIDX:
            linear = true;
            break;
        case O_ONLY:
            /* kev, overdue, fixable; several (repeated or "kev,overdue") narrow */
            for (const char *p = optarg; *p;) {
                size_t n = strcspn(p, ",");
                if (wb_strn_ieq(p, n, "kev"))
                    only |= ONLY_KEV;
                else if (wb_strn_ieq(p, n, "overdue"))
                    only |= ONLY_OVERDUE;
                else if (wb_strn_ieq(p, n, "fixable"))
                    only |= ONLY_FIXABLE;
                else {
                    wb_cli_error("vuln scan: --only '%s': kev, overdue or fixable", optarg);
                    goto done;
                }
                p += n;
                if (*p == ',') p++;
            }
            break;
        case O_WIDE:
            wide = true;
            break;
        case O_DIR:
            fetch_dir = optarg;
            break;
        case O_MAXAGE:
            if ((max_age = wb_cli_max_age("vuln scan", optarg)) < 0) goto done;
            break;
        case 'h':
            fputs(usage_text, stdout);
            status = WB_EXIT_OK;
            goto done;
        case ':':
            wb_cli_error("vuln scan: option '%s' needs a value", argv[optind - 1]);
            goto done;
        default:
            wb_cli_error("vuln scan: unknown option '%s' (see weerbaar vuln --help)",
                         argv[optind - 1]);
            goto done;
        }
    }
    if (optind < argc) {
        wb_cli_error("vuln scan: unexpected argument '%s' (inputs are given with --advisories "
                     "and --inventory)",
                     argv[optind]);
        goto done;
    }
    if (inv.n > 0 &&
        wb_cli_vuln_fetched("vuln scan", fetch_dir, adv.n > 0, max_age, now, &fetched) != 0)
        goto done;
    if (adv.n == 0 && ((fetched.csaf && strv_push(&adv, fetched.csaf)) ||
                       (fetched.osv && strv_push(&adv, fetched.osv))))
        goto oom;
    kev = kev ? kev : fetched.kev;
    epss = epss ? epss : fetched.epss;
    wb_cli_vuln_stale_kev("vuln scan", kev, max_age, now);
    wb_cli_vuln_stale_epss("vuln scan", epss, max_age, now);
    if (adv.n == 0 || inv.n == 0) {
        wb_cli_error("vuln scan: give --advisories PATH and --inventory PATH (see weerbaar vuln "
                     "--help)");
        goto done;
    }
    if (policy_path && wb_policy_load(policy_path, &pol, &err) != 0) {
        wb_cli_report(&err);
        goto done;
    }
    FILE *pout = wb_cli_progress_out(quiet);
    progress pa;
    wb_progress_start(&pa, pout, "advisories loaded", WB_PROGRESS_ITEMS);
    if (load_advisories(&adv, NULL, NULL, false, &r, &pa, &db) != 0) goto done;
    {
        wb_vulndb_stats st;
        wb_vulndb_stats_get(db, &st);
        r.deb_adv = st.deb > 0;
    }
    /* Scan-time KEV, EPSS and VEX go into a second, small database. */
    if (wb_vulndb_new(&extra) != 0) goto oom;
    if (kev && wb_kev_load(kev, wb_vulndb_kev_sink(extra), &err) != 0) {
        wb_cli_report(&err);
        r.had_error = true;
        wb_error_clear(&err);
    }
    if (epss && wb_epss_load(epss, wb_vulndb_epss_sink(extra), &err) != 0) {
        wb_cli_report(&err);
        r.had_error = true;
        wb_error_clear(&err);
    }
    for (size_t i = 0; i < vex.n; i++) {
        if (wb_vex_load(vex.v[i], wb_vulndb_vex_sink(extra), &err) != 0) {
            wb_cli_report(&err);
            r.had_error = true;
            wb_error_clear(&err);
        }
    }
    if (wb_vulndb_build(extra, &err) != 0) {
        wb_cli_report(&err);
        goto done;
    }
    wb_scan_opts so = {.now = now, .policy = &pol, .linear = linear};
    if (wb_vulnscan_new(&scan, db, extra, &so, &err) != 0) {
        wb_cli_report(&err);
        goto done;
    }
    progress pc;
    wb_progress_start(&pc, pout, "components scanned", WB_PROGRESS_ITEMS);
    comp_tap tap = {{comp_tap_add}, wb_vulnscan_sink(scan), &pc};
    for (size_t i = 0; i < inv.n; i++) {
        wb_inventory_opts io = {.distro = distro,
                                .skipped = on_skip,
                                .skipped_ud = &r,
                                .no_source = on_no_source,
                                .no_source_ud = &r};
        split_inventory(inv.v[i], &path, &io.asset);
        if (path.data == NULL) goto oom;
        if (wb_inventory_load(path.data, &io, &tap.sink, &err) != 0) {
            wb_cli_report(&err);
            r.had_error = true;
            if (err.code == WB_ENOMEM) goto done;
            wb_error_clear(&err);
        }
    }
    progress_end(&pc);
    if (wb_vulnscan_finish(scan, &err) != 0) {
        wb_cli_report(&err);
        goto done;
    }
    wb_time shown_now = now != WB_TIME_NONE ? now : wb_time_now() / 1000000 * 1000000;
    outopts oo = {show_supp, only, wide, r.skipped, shown_now};
    int wrc = format == OUT_JSON    ? print_json(scan, &oo, stdout)
              : format == OUT_CSV   ? print_csv(scan, &oo, stdout)
              : format == OUT_SARIF ? print_sarif(scan, &oo, stdout)
                                    : print_table(scan, &oo, stdout);
    if (fflush(stdout) != 0 || wrc != 0) {
        wb_cli_error("vuln scan: cannot write the output");
        goto done;
    }
    if (r.bad_docs)
        wb_cli_error("vuln scan: %u malformed document%s skipped (see above)", r.bad_docs,
                     r.bad_docs == 1 ? "" : "s");
    if (r.skipped)
        fprintf(stderr, "weerbaar: vuln scan: %zu inventory component%s skipped (see above)\n",
                r.skipped, r.skipped == 1 ? "" : "s");
    if (r.had_error) goto done;
    status = WB_EXIT_OK;
    if (fail_on != FAIL_NONE)
        for (size_t i = 0; i < wb_vulnscan_count(scan); i++) {
            const wb_finding *f = wb_vulnscan_get(scan, i);
            if (!f->suppressed && fails(f, fail_on, &pol)) {
                status = WB_EXIT_NO;
                break;
            }
        }
    goto done;
oom:
    wb_cli_error("vuln: out of memory");
    status = WB_EXIT_ERROR;
done:
    wb_vulnscan_free(scan);
    wb_vulndb_free(db);
    wb_vulndb_free(extra);
    wb_buf_free(&path);
    wb_fetched_free(&fetched);
    free(adv.v);
    free(inv.v);
    free(vex.v);
    return status;
}

static int cmd_index(int argc, char **argv)
{
    enum { O_ADV = 256, O_KEV, O_EPSS, O_OUT, O_DIR, O_MAXAGE };
    static const struct option longopts[] = {
        {"advisories", required_argument, NULL, O_ADV},
        {"kev", required_argument, NULL, O_KEV},
        {"epss", required_argument, NULL, O_EPSS},
        {"out", required_argument, NULL, O_OUT},
        {"dir", required_argument, NULL, O_DIR},
        {"max-age", required_argument, NULL, O_MAXAGE},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool quiet = false;
    strv adv = {0};
    const char *kev = NULL, *epss = NULL, *out = NULL, *fetch_dir = NULL;
    int status = WB_EXIT_ERROR, c, max_age = 7;
    wb_fetched fetched = {0};
    wb_vulndb *db = NULL;
    run_state r = {0};
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hq", longopts, NULL)) != -1) {
        switch (c) {
        case 'q':
            quiet = true;
            break;
        case O_ADV:
            if (strv_push(&adv, optarg)) {
                wb_cli_error("vuln: out of memory");
                goto done;
            }
            break;
        case O_KEV:
            kev = optarg;
            break;
        case O_EPSS:
            epss = optarg;
            break;
        case O_OUT:
            out = optarg;
            break;
        case O_DIR:
            fetch_dir = optarg;
            break;
        case O_MAXAGE:
            if ((max_age = wb_cli_max_age("vuln index", optarg)) < 0) goto done;
            break;
        case 'h':
            fputs(usage_text, stdout);
            status = WB_EXIT_OK;
            goto done;
        case ':':
            wb_cli_error("vuln index: option '%s' needs a value", argv[optind - 1]);
            goto done;
        default:
            wb_cli_error("vuln index: unknown option '%s' (see weerbaar vuln --help)",
                         argv[optind - 1]);
            goto done;
        }
    }
    if (optind < argc || out == NULL) {
        wb_cli_error("vuln index: give --advisories PATH (or a fetched --dir) and --out FILE "
                     "(see weerbaar vuln --help)");
        goto done;
    }
    /* Without --advisories (or with --dir): what vuln fetch keeps, as for vuln scan. */
    if (wb_cli_vuln_fetched("vuln index", fetch_dir, adv.n > 0, max_age, WB_TIME_NONE, &fetched) !=
        0)
        goto done;
    if (adv.n == 0 && ((fetched.csaf && strv_push(&adv, fetched.csaf)) ||
                       (fetched.osv && strv_push(&adv, fetched.osv)))) {
        wb_cli_error("vuln: out of memory");
        goto done;
    }
    kev = kev ? kev : fetched.kev;
    epss = epss ? epss : fetched.epss;
    wb_cli_vuln_stale_kev("vuln index", kev, max_age, WB_TIME_NONE);
    wb_cli_vuln_stale_epss("vuln index", epss, max_age, WB_TIME_NONE);
    if (adv.n == 0) {
        wb_cli_error("vuln index: give --advisories PATH and --out FILE (see weerbaar vuln "
                     "--help)");
        goto done;
    }
    double t0 = mono();
    progress pa;
    wb_progress_start(&pa, wb_cli_progress_out(quiet), "advisories loaded", WB_PROGRESS_ITEMS);
    /* Always through the builder, even for one index, so that --kev and
     * --epss are added and the output is freshly built. */
    if (load_advisories(&adv, kev, epss, true, &r, &pa, &db) != 0) goto done;
    wb_error err;
    wb_error_clear(&err);
    if (wb_vulndb_save(db, out, &err) != 0) {
        wb_cli_report(&err);
        goto done;
    }
    wb_vulndb_stats st;
    wb_vulndb_stats_get(db, &st);
    fprintf(stderr,
            "weerbaar: %s: %zu advisories, %zu vulnerabilities, %zu affected entries, %zu KEV, "
            "%zu EPSS; %.1f MB in %.2f s\n",
            out, st.advisories, st.vulns, st.affected, st.kev, st.epss, (double)st.bytes / 1e6,
            mono() - t0);
    if (st.bad_purls || st.bad_cpes)
        fprintf(stderr,
                "weerbaar: %zu purls and %zu CPEs in advisories did not parse; those entries "
                "match only by name\n",
                st.bad_purls, st.bad_cpes);
    if (r.bad_docs)
        wb_cli_error("vuln index: %u malformed document%s skipped (see above)", r.bad_docs,
                     r.bad_docs == 1 ? "" : "s");
    status = r.had_error ? WB_EXIT_ERROR : WB_EXIT_OK;
done:
    wb_vulndb_free(db);
    wb_fetched_free(&fetched);
    free(adv.v);
    return status;
}

static int act_scan(void *ctx, int argc, char **argv)
{
    (void)ctx;
    return cmd_scan(argc, argv);
}

static int act_index(void *ctx, int argc, char **argv)
{
    (void)ctx;
    return cmd_index(argc, argv);
}

static int act_fetch(void *ctx, int argc, char **argv)
{
    (void)ctx;
    return wb_cmd_vuln_fetch(argc, argv);
}

static const char *const scan_opts[] = {"--advisories PATH",
                                        "--inventory PATH[=ASSET]",
                                        "--distro NAME",
                                        "--kev FILE",
                                        "--epss FILE",
                                        "--vex PATH",
                                        "--dir DIR",
                                        "--max-age DAYS",
                                        "--policy FILE",
                                        "--now TIME",
                                        "--format table|json|csv|sarif",
                                        "--fail-on critical|high|medium|low|kev",
                                        "--only kev|overdue|fixable",
                                        "--wide",
                                        "--show-suppressed",
                                        "--no-index",
                                        "--quiet",
                                        "-q",
                                        NULL};
static const char *const index_opts[] = {
    "--advisories PATH", "--kev FILE", "--epss FILE", "--dir DIR", "--max-age DAYS",
    "--out FILE",        "--quiet",    "-q",          NULL};
static const char *const fetch_opts[] = {
    "--dir DIR", "--source SOURCE", "--require-signatures", "--max-age DAYS", "--quiet", "-q",
    NULL};
const wb_cli_action wb_cli_vuln_actions[] = {
    {"scan", false, act_scan, "inventories against advisories; overdue patches", scan_opts},
    {"index", false, act_index, "advisories into one index file", index_opts},
    {"fetch", false, act_fetch, "download and keep advisories, KEV and EPSS current", fetch_opts},
    {NULL, false, NULL, NULL, NULL}};

int wb_cmd_vuln(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? WB_EXIT_ERROR : WB_EXIT_OK;
    }
    return wb_cli_dispatch("vuln", wb_cli_vuln_actions, NULL, argc - 1, argv + 1);
}
