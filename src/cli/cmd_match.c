/*
 * cmd_match.c - `weerbaar match`: load indicators, run the engine over logs,
 * print sightings. Argument parsing and output only; the work is in
 * src/intel (loading), src/match (index and engine) and src/logs (readers).
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cmdtab.h"
#include "cli/cmd_match_fetch.h"
#include "cli/cmd_match_hub.h"
#include "cli/cmd_match_nats.h"
#include "cli/cmd_match_out.h"
#include "cli/cmd_match_state.h"
#include "cli/config.h"
#include "weerbaar/progress.h"
#include "weerbaar/client.h"
#include "weerbaar/intelfetch.h"
#include "weerbaar/ioc.h"
#include "weerbaar/logs.h"
#include "weerbaar/match.h"

#define MAX_NOTICES 20

static const char usage_text[] =
    "usage: weerbaar match -i INDICATORS [-i ...] [options] [LOG ...]\n"
    "       weerbaar match --hub URL --key KEY [--report] [options] [LOG ...]\n"
    "       weerbaar match --hub URL --key KEY --follow [--hub-interval S] LOG ...\n"
    "       weerbaar match --follow --nats URL --nats-user FILE [--hub URL --key KEY]\n"
    "                      LOG ...\n"
    "\n"
    "Finds known indicators of compromise in logs. Indicators come from MISP\n"
    "(an event, a list of events, a restSearch response or a feed directory),\n"
    "STIX 2.1 bundles, Zeek Intel files, CSV files with a type and a value\n"
    "column, or plain lists (one value a line); the format is detected from\n"
    "the content. LOGs are files, directories (read recursively) or - for\n"
    "standard input (the default); gzip and zstd are decompressed on the fly.\n"
    "\n"
    "Matching: an address matches itself and every loaded CIDR around it\n"
    "(IPv4-mapped IPv6 equals IPv4); a domain matches itself and its\n"
    "subdomains on label boundaries; a hostname matches exactly; URLs are\n"
    "compared normalised, with or without scheme; hashes and e-mail\n"
    "addresses case-insensitively. One sighting per log record, field and\n"
    "indicator.\n"
    "\n"
    "indicators:\n"
    "  -i, --iocs FILE|DIR|URL    indicators to load (repeatable); an http(s)\n"
    "                             URL is a MISP feed (ending in / or\n"
    "                             manifest.json), a MISP restSearch, or one\n"
    "                             file; cached with its ETag\n"
    "      --hub URL              also load every event this key may see from a\n"
    "                             weerbaar hub (https://hub.example:8443)\n"
    "      --key KEY              the hub API key, also sent with -i URLs\n"
    "                             (default: $WEERBAAR_KEY)\n"
    "      --report               post the sightings to the hub at the end,\n"
    "                             aggregated per indicator (count, first, last);\n"
    "                             with --follow also every --hub-interval; with\n"
    "                             --nats they are published to NATS (stream\n"
    "                             WB_SIGHT), which the hub records\n"
    "      --hub-interval S       with --follow: ask the hub for changes every S\n"
    "                             seconds (default 60); new, changed, deleted and\n"
    "                             no longer visible events take effect at once\n"
    "      --nats URL             with --follow and --nats-user: keep the hub's\n"
    "                             indicators current from NATS JetStream (durable\n"
    "                             consumers of the subjects the user file names);\n"
    "                             with --hub and --key the set starts from the\n"
    "                             hub's change feed, and is resynchronised from it\n"
    "                             when the stream no longer holds what was missed\n"
    "      --nats-user FILE       the user file 'admin nats-config' wrote for this\n"
    "                             sensor (its NKey seed and subjects)\n"
    "      --ioc-format FMT       auto (default), misp, stix, zeek, csv, plain\n"
    "      --all-attributes       MISP: also attributes whose to_ids is false\n"
    "  -w, --warninglist FILE|DIR MISP warninglist(s): indicators on a list are\n"
    "                             dropped at load and reported with its name\n"
    "      --now TIME             reference time for expiry (RFC 3339; default now)\n"
    "      --include-expired      also match indicators past their valid_until\n"
    "\n"
    "logs:\n"
    "      --log-format FMT       auto (default: detected per file) or one of:\n"
    "%s"
    "      --field NAME           jsonl: check only this key (dotted path; repeatable)\n"
    "  -j, --jobs N               worker threads (default: one per CPU)\n"
    "  -f, --follow               keep reading files as they grow (tail -f;\n"
    "                             follows rotation), until interrupted\n"
    "      --state FILE           read positions: each file goes on where the\n"
    "                             last run stopped (by device, inode and first\n"
    "                             bytes), and --report resends only what the\n"
    "                             hub did not acknowledge; with --follow the\n"
    "                             default is a file in $STATE_DIRECTORY, else\n"
    "                             $XDG_STATE_HOME/weerbaar or ~/.local/state/weerbaar\n"
    "\n"
    "output:\n"
    "      --format FMT           jsonl (default): one sighting per line;\n"
    "                             json: one array; csv: a header and a row\n"
    "                             per sighting; table: aligned columns for\n"
    "                             people; count: the number; misp-sightings:\n"
    "                             MISP sighting objects per attribute;\n"
    "                             zeek-intel-log: lines of Zeek's intel.log\n"
    "      --summary              after the sightings: per indicator (hits,\n"
    "                             first and last seen, internal hosts, event,\n"
    "                             TLP) and per internal host (indicators hit);\n"
    "                             with --format table, jsonl or json\n"
    "      --summary-only         the summary alone\n"
    "      --local-nets CIDR,...  the internal networks (repeatable; default the\n"
    "                             private, loopback, link-local and unique-local\n"
    "                             ranges, as Zeek's Site::private_address_space)\n"
    "      --wide                 table: matched values whole, not cut\n"
    "  -c, --count                the number of sightings per file\n"
    "  -l, --files-with-matches   the names of files with sightings\n"
    "  -q, --quiet                no output: the exit status only\n"
    "  -m, --max-count N          stop reading a file after N sightings\n"
    "      --sighting-source NAME source written into MISP sightings (default weerbaar)\n"
    "      --stats                statistics on standard error at the end\n"
    "  -v, --verbose              report every dropped indicator, not the first 20\n"
    "      --config FILE          the configuration file (default $WEERBAAR_CONFIG,\n"
    "                             else /etc/weerbaar/weerbaar.conf when it exists):\n"
    "                             its [match] section gives options as 'key = value'\n"
    "                             (hub = URL, state = FILE, report = true); a\n"
    "                             WEERBAAR_MATCH_<KEY> variable beats the file, the\n"
    "                             command line beats both\n"
    "  -h, --help                 this text\n"
    "\n"
    "jsonl fields: indicator, type (ip cidr domain hostname url md5 sha1\n"
    "sha256 email ip-port), matched, field, file, line (1-based, all lines\n"
    "counted), ts (RFC 3339 UTC or null), event, attribute, source, tlp; the\n"
    "record's flow: uid, flow_id, community_id, orig_h, orig_p, resp_h,\n"
    "resp_p, proto; side (orig or resp: the endpoint the indicator matched),\n"
    "internal (the internal host involved), direction (outbound, inbound,\n"
    "internal, external). Each is null when the log does not say.\n"
    "\n"
    "Exit status: 0 something matched, 1 nothing matched, 2 an error (an\n"
    "unreadable indicator or log file; 2 wins, except that with -q a match\n"
    "is 0, as in grep). Malformed log lines are counted\n"
    "and the first ten per file reported; they do not make the status 2.\n"
    "\n"
    "examples:\n"
    "  weerbaar match -i misp-feed/ /var/log/zeek/current/\n"
    "  weerbaar match -i iocs.csv -w warninglists/lists --stats dns.log.gz\n"
    "  zcat eve.json.gz | weerbaar match -i bundle.json --format count\n"
    "  weerbaar match -i iocs.csv --summary-only --format table /var/log/zeek/\n"
    "  weerbaar match -i event.json --follow --log-format dnsmasq /var/log/dnsmasq.log\n"
    "  WEERBAAR_KEY=... weerbaar match --hub https://hub.example --report /var/log/zeek/\n"
    "  weerbaar match --hub https://hub.example --key KEY --follow --hub-interval 30 \\\n"
    "      --report /var/log/zeek/current/dns.log\n";

typedef struct agg {
    uint64_t count;
    wb_time first, last;
} agg;

typedef struct match_ctx {
    wb_cli_mformat format;
    wb_cli_mout *mout;
    FILE *out;
    bool verbose;
    unsigned notices, notices_dropped;
    agg *aggs;        /* per indicator, for misp-sightings */
    wb_progress line; /* silent unless a terminal; not while following */
    double t0;
    bool write_failed;
    size_t rss_loaded;    /* resident memory once the indicators are loaded */
    wb_cli_mstate *state; /* --state, or NULL */
    bool report;          /* positions are saved with the reports only */
    bool state_failed;
    struct hub_follow *follow; /* with --follow --hub */
} match_ctx;

static volatile int stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void on_notice(void *ud, const char *where, const char *what)
{
    match_ctx *m = ud;
    if (!m->verbose && m->notices >= MAX_NOTICES) {
        m->notices_dropped++;
        return;
    }
    m->notices++;
    fprintf(stderr, "weerbaar: %s: %s\n", where, what);
}

static int on_sighting(void *ud, const wb_sighting *s)
{
    match_ctx *m = ud;
    if (m->aggs) {
        agg *a = &m->aggs[s->ioc_id];
        a->count++;
        if (s->ts != WB_TIME_NONE) {
            if (a->first == WB_TIME_NONE || s->ts < a->first) a->first = s->ts;
            if (a->last == WB_TIME_NONE || s->ts > a->last) a->last = s->ts;
        }
    }
    int rc = wb_cli_mout_sighting(m->mout, s);
    if (rc != 0 && rc != WB_ENGINE_NEXT_FILE && wb_cli_mout_write_failed(m->mout))
        m->write_failed = true;
    return rc;
}

static void on_file_done(void *ud, const char *file)
{
    match_ctx *m = ud;
    wb_cli_mout_file_done(m->mout, file);
}

static void on_malformed(void *ud, const char *file, uint64_t line, const char *reason)
{
    (void)ud;
    fprintf(stderr, "weerbaar: %s:%llu: malformed line skipped: %s\n", file,
            (unsigned long long)line, reason);
}

static void on_file_error(void *ud, const wb_error *err)
{
    (void)ud;
    wb_cli_report(err);
}

/* Resident memory now, from /proc (0 where there is none). */
static size_t resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL) return 0;
    unsigned long size = 0, res = 0;
    int n = fscanf(f, "%lu %lu", &size, &res);
    fclose(f);
    return n == 2 ? (size_t)res * (size_t)sysconf(_SC_PAGESIZE) : 0;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_progress(void *ud, uint64_t bytes)
{
    match_ctx *m = ud;
    wb_progress_update(&m->line, bytes, m->line.total);
}

/* The bytes the engine will read, when known: every input a regular file
 * that is not compressed (the engine counts the bytes it decompressed). 0
 * for standard input, a directory or a gzip/zstd file. */
static uint64_t input_size(const char *const *paths, size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") == 0 || stat(paths[i], &st) != 0 || !S_ISREG(st.st_mode))
            return 0;
        unsigned char magic[4] = {0};
        FILE *f = fopen(paths[i], "rb");
        size_t got = f ? fread(magic, 1, sizeof magic, f) : 0;
        if (f) fclose(f);
        if ((got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) ||
            (got == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f &&
             magic[3] == 0xfd))
            return 0;
        total += (uint64_t)st.st_size;
    }
    return total;
}

/* Saves the read positions once their output is out (not with --report:
 * there they go with the report that covers them, report_hub). */
static void save_positions(match_ctx *m)
{
    if (m->state == NULL || m->report || !m->state->dirty) return;
    if (fflush(m->out) != 0) return;
    wb_error err;
    if (wb_cli_mstate_save(m->state, &err) != 0 && !m->state_failed) {
        wb_cli_report(&err);
        m->state_failed = true;
    }
}

static void on_flush(void *ud)
{
    match_ctx *m = ud;
    fflush(m->out);
    save_positions(m);
}

static uint64_t on_resume(void *ud, const char *path, uint64_t dev, uint64_t ino)
{
    match_ctx *m = ud;
    return wb_cli_mstate_resume(m->state, path, dev, ino);
}

static void on_position(void *ud, const char *path, uint64_t dev, uint64_t ino, uint64_t off)
{
    match_ctx *m = ud;
    wb_cli_mstate_position(m->state, path, dev, ino, off);
}

static void print_stats(const wb_iocset *set, const wb_engine_stats *es, size_t rss_loaded)
{
    wb_iocset_stats st;
    wb_iocset_stats_get(set, &st);
    uint64_t total = 0;
    for (int t = 0; t < WB_IOC_TYPE_COUNT; t++)
        total += st.loaded[t];
    fprintf(stderr, "indicators loaded: %llu\n", (unsigned long long)total);
    for (int t = 0; t < WB_IOC_TYPE_COUNT; t++)
        if (st.loaded[t])
            fprintf(stderr, "  %-10s %llu\n", wb_ioc_type_name((wb_ioc_type)t),
                    (unsigned long long)st.loaded[t]);
    fprintf(stderr, "indicators expired: %llu\n", (unsigned long long)st.expired);
    fprintf(stderr, "indicators invalid: %llu\n", (unsigned long long)st.invalid);
    fprintf(stderr, "indicators on warninglists: %llu\n", (unsigned long long)st.warninglisted);
    uint64_t c;
    const char *name;
    for (size_t i = 0; (name = wb_iocset_warninglist_drops(set, i, &c)) != NULL; i++)
        fprintf(stderr, "  %s: %llu\n", name, (unsigned long long)c);
    fprintf(stderr, "records skipped by loaders: %llu\n", (unsigned long long)st.skipped);
    for (size_t i = 0; (name = wb_iocset_skip_reasons(set, i, &c)) != NULL; i++)
        fprintf(stderr, "  %s: %llu\n", name, (unsigned long long)c);
    fprintf(stderr, "index memory: %.1f MB (%.0f bytes per indicator)\n", (double)st.memory / 1e6,
            total ? (double)st.memory / (double)total : 0.0);
    if (st.v4_filter_grain)
        fprintf(stderr, "IPv4 pre-filter: one bit per /%u (%zu KiB)\n", st.v4_filter_grain,
                ((size_t)1 << st.v4_filter_grain) / 8 / 1024);
    if (st.v4_fine_grain)
        fprintf(stderr, "IPv4 pre-filter, second level: one bit per /%u (%zu KiB)\n",
                st.v4_fine_grain, ((size_t)1 << st.v4_fine_grain) / 8 / 1024);
    if (st.name_filter) fprintf(stderr, "name filter: a Bloom filter in front of the name map\n");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr, "resident memory: %.1f MB after loading, %.1f MB at most\n",
            (double)rss_loaded / 1e6, (double)ru.ru_maxrss * 1024 / 1e6);
    fprintf(stderr, "files: %llu (%llu unreadable)\n", (unsigned long long)es->files,
            (unsigned long long)es->file_errors);
    fprintf(stderr, "lines: %llu\nrecords: %llu\nmalformed lines: %llu\n",
            (unsigned long long)es->lines, (unsigned long long)es->records,
            (unsigned long long)es->malformed);
    fprintf(stderr, "bytes: %llu (%llu read)\n", (unsigned long long)es->bytes,
            (unsigned long long)es->bytes_in);
    fprintf(stderr, "sightings: %llu\n", (unsigned long long)es->sightings);
    fprintf(stderr, "time: %.3f s, %.1f MB/s\n", es->seconds,
            es->seconds > 0 ? (double)es->bytes / 1e6 / es->seconds : 0.0);
}

/* The sightings as MISP sighting objects, one per sighted indicator. */
static json_t *misp_sightings(const match_ctx *m, const wb_iocset *set, const char *source)
{
    json_t *arr = json_array();
    wb_time now = wb_time_now();
    for (size_t i = 0; i < wb_iocset_count(set); i++) {
        const agg *a = &m->aggs[i];
        if (a->count == 0) continue;
        wb_ioc ioc;
        wb_iocset_get(set, (uint32_t)i, &ioc);
        json_t *o = json_object();
        if (ioc.attribute)
            json_object_set_new(o, "uuid", json_string(ioc.attribute));
        else
            json_object_set_new(o, "value", json_string(ioc.value));
        wb_time last = a->last != WB_TIME_NONE ? a->last : now;
        char buf[40];
        snprintf(buf, sizeof buf, "%lld", (long long)(last / 1000000));
        json_object_set_new(o, "date_sighting", json_string(buf));
        json_object_set_new(o, "source", json_string(source));
        json_object_set_new(o, "type", json_string("0"));
        json_object_set_new(o, "count", json_integer((json_int_t)a->count));
        if (a->first != WB_TIME_NONE) {
            wb_time_format(a->first, buf, sizeof buf);
            json_object_set_new(o, "first_seen", json_string(buf));
            wb_time_format(a->last, buf, sizeof buf);
            json_object_set_new(o, "last_seen", json_string(buf));
        } else {
            json_object_set_new(o, "first_seen", json_null());
            json_object_set_new(o, "last_seen", json_null());
        }
        if (ioc.event) json_object_set_new(o, "event_uuid", json_string(ioc.event));
        json_object_set_new(o, "indicator", json_string(ioc.value));
        json_object_set_new(o, "indicator_type", json_string(wb_ioc_type_name(ioc.type)));
        json_array_append_new(arr, o);
    }
    return arr;
}

static int print_misp(match_ctx *m, const wb_iocset *set, const char *source)
{
    json_t *arr = misp_sightings(m, set, source);
    int rc = json_dumpf(arr, m->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(arr);
    if (rc != 0 || fputc('\n', m->out) == EOF) return -1;
    return 0;
}

/* Loads every event the key may see from the hub, page by page through the
 * change feed: keyset paging (after=SEQ), so each page costs the same
 * however far into the hub's events it is. */
static int load_hub(const wb_hub_client *hc, const wb_intel_opts *iopts, wb_ioc_sink *sink,
                    wb_error *err)
{
    wb_intel_opts o = *iopts;
    o.format = WB_INTEL_MISP;
    wb_buf body = {0};
    int rc = 0;
    int64_t after = 0;
    for (bool more = true; rc == 0 && more;) {
        char path[96];
        snprintf(path, sizeof path, "/api/v1/events?after=%lld&limit=1000", (long long)after);
        rc = wb_hub_call(hc, "GET", path, NULL, 0, &body, NULL, err);
        if (rc) break;
        json_t *j = json_loadb(body.data, body.len, 0, NULL);
        json_t *last = json_object_get(j, "last_seq");
        more = json_is_true(json_object_get(j, "more"));
        if (!json_is_integer(last) || json_integer_value(last) < after ||
            (more && json_integer_value(last) == after)) {
            json_decref(j);
            rc = wb_error_set(err, WB_EFORMAT, "%s%s: not a change feed page", hc->base, path);
            break;
        }
        after = (int64_t)json_integer_value(last);
        json_decref(j);
        rc = wb_intel_load_buffer(hc->base, body.data, body.len, &o, sink, err);
    }
    wb_buf_free(&body);
    return rc;
}

/* Reports not acknowledged are kept up to this many sightings; older ones
 * go first (a hub unreachable for days must not grow the state file
 * without bound). */
#define MAX_PENDING 200000

/* Posts the aggregated sightings to the hub, at most 10,000 a request (the
 * hub's limit). Each carries a sighting_uuid of its own. With --state they
 * are first written to the state file with the read positions that cover
 * them, together with any earlier ones not acknowledged, and removed once
 * the hub has them: a crash between the two posts them again, and the hub
 * ignores the repeat. Returns 0 or a negative code with err set. */
static int report_hub(const wb_hub_client *hc, wb_cli_nats *nats, const match_ctx *m,
                      const wb_iocset *set, const char *source, size_t *reported, wb_error *err)
{
    enum { CHUNK = 10000 };
    json_t *all = misp_sightings(m, set, source);
    size_t i;
    json_t *el;
    json_array_foreach(all, i, el)
    {
        char u[37];
        wb_cli_uuid4(u);
        json_object_set_new(el, "sighting_uuid", json_string(u));
        /* Fields the hub does not read, left out of what is kept. */
        json_object_del(el, "indicator");
        json_object_del(el, "indicator_type");
        json_object_del(el, "last_seen");
        json_object_del(el, "event_uuid");
    }
    int rc = 0;
    const char *pend = m->state ? wb_mstate_pending(m->state->st) : NULL;
    if (pend) {
        json_t *old = json_loads(pend, 0, NULL);
        if (json_is_array(old)) {
            json_array_extend(old, all);
            json_decref(all);
            all = old;
        } else {
            json_decref(old);
        }
    }
    size_t n = json_array_size(all);
    if (n > MAX_PENDING) {
        fprintf(stderr, "weerbaar: %zu sightings the hub never acknowledged are dropped\n",
                n - MAX_PENDING);
        json_t *keep = json_array();
        for (size_t k = n - MAX_PENDING; k < n; k++)
            json_array_append(keep, json_array_get(all, k));
        json_decref(all);
        all = keep;
        n = MAX_PENDING;
    }
    if (m->state) {
        char *text = n ? json_dumps(all, JSON_COMPACT) : NULL;
        if (n && text == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        if (rc == 0 && wb_mstate_set_pending(m->state->st, text) != 0)
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        free(text);
        if (rc == 0) rc = wb_cli_mstate_save(m->state, err);
    }
    wb_buf resp = {0};
    *reported = 0;
    for (i = 0; rc == 0 && i < n; i += CHUNK) {
        json_t *part = json_array();
        for (size_t k = i; k < n && k < i + CHUNK; k++)
            json_array_append(part, json_array_get(all, k));
        char *body = json_dumps(part, JSON_COMPACT);
        json_decref(part);
        if (body == NULL) {
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
            break;
        }
        if (nats) {
            /* the chunk's first report uuid names the message: a chunk
             * sent again (after a crash, from the state file) is the same
             * message to JetStream's de-duplication */
            const char *id =
                json_string_value(json_object_get(json_array_get(all, i), "sighting_uuid"));
            rc = wb_cli_nats_report(nats, body, strlen(body), id, err);
        } else {
            rc = wb_hub_call(hc, "POST", "/api/v1/sightings", body, strlen(body), &resp, NULL, err);
        }
        free(body);
        if (rc == WB_ENOTFOUND) rc = 0; /* gone from the hub: nothing to send again */
        if (rc == 0) *reported += (n - i < CHUNK ? n - i : CHUNK);
    }
    wb_buf_free(&resp);
    json_decref(all);
    if (rc == 0 && m->state && n) {
        wb_mstate_set_pending(m->state->st, NULL);
        rc = wb_cli_mstate_save(m->state, err);
    }
    return rc;
}

/* ---- --follow --hub: the live indicator set --------------------------------------- */

/* A poller thread pulls the hub's changes every interval and, when there
 * were any, builds a whole new indicator set from the mirror off the
 * matching thread. The engine asks for it between blocks (refresh) and
 * swaps: the built set stays immutable, as the matcher's design wants, and
 * the matching thread never waits for the network or a build. */
typedef struct hub_follow {
    wb_cli_mirror *mirror;
    wb_cli_nats *nats;    /* --nats: the mirror follows NATS, not the feed */
    wb_iocset_opts sopts; /* for rebuilds: no notices (they came at start) */
    unsigned interval;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool quit;
    wb_iocset *ready; /* built and not taken yet */
    /* The matching thread's own: */
    match_ctx *m;
    wb_iocset *cur, *retired;
    const wb_hub_client *hc;
    const char *source;
    bool report;
    double last_report;
    uint64_t swaps;
} hub_follow;

/* --follow --nats: messages as they come (each poll waits up to half a
 * second), a build whenever something changed. */
static void *follow_nats(hub_follow *f)
{
    pthread_mutex_lock(&f->mu);
    while (!f->quit) {
        pthread_mutex_unlock(&f->mu);
        bool changed = false;
        wb_error err;
        wb_error_clear(&err);
        int rc = wb_cli_nats_step(f->nats, 500, &changed, &err);
        wb_iocset *set = NULL;
        if (changed) {
            wb_error berr;
            wb_error_clear(&berr);
            if (wb_cli_mirror_build(f->mirror, &f->sopts, &set, &berr) != 0) {
                wb_cli_report(&berr);
                set = NULL;
            }
        }
        if (rc) {
            fprintf(stderr, "weerbaar: %s (trying again in 1 s)\n", err.msg);
            struct timespec ts = {1, 0};
            nanosleep(&ts, NULL);
        }
        pthread_mutex_lock(&f->mu);
        if (set) {
            wb_iocset_free(f->ready);
            f->ready = set;
        }
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

static void *follow_main(void *arg)
{
    hub_follow *f = arg;
    if (f->nats) return follow_nats(f);
    pthread_mutex_lock(&f->mu);
    while (!f->quit) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += (time_t)f->interval;
        while (!f->quit && pthread_cond_timedwait(&f->cv, &f->mu, &until) == 0) {
        }
        if (f->quit) break;
        pthread_mutex_unlock(&f->mu);
        wb_cli_pull_stats ps;
        wb_error err;
        wb_error_clear(&err);
        wb_iocset *set = NULL;
        int rc = wb_cli_mirror_pull(f->mirror, &ps, &err);
        /* A page applied before a failure still counts: build from it. */
        if (ps.events || ps.tombstones) {
            wb_error berr;
            wb_error_clear(&berr);
            if (wb_cli_mirror_build(f->mirror, &f->sopts, &set, &berr) != 0) {
                wb_cli_report(&berr);
                set = NULL;
            }
        }
        if (rc) fprintf(stderr, "weerbaar: %s (trying again in %u s)\n", err.msg, f->interval);
        pthread_mutex_lock(&f->mu);
        if (set) {
            wb_iocset_free(f->ready); /* superseded before it was taken */
            f->ready = set;
        }
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

/* Posts what was seen since the last report and starts counting afresh. */
static void follow_report(hub_follow *f)
{
    match_ctx *m = f->m;
    size_t sent = 0;
    wb_error err;
    wb_error_clear(&err);
    int rc = report_hub(f->hc, f->nats, m, f->cur, f->source, &sent, &err);
    if (rc != 0) {
        /* Following goes on; with --state the counts wait in the state
         * file for the next report, otherwise they are lost rather than
         * sent twice. */
        wb_cli_report(&err);
    } else if (sent) {
        fprintf(stderr, "weerbaar: reported the sightings of %zu indicator%s to %s\n", sent,
                sent == 1 ? "" : "s", f->nats ? "NATS" : f->hc->base);
    }
    size_t n = wb_iocset_count(f->cur);
    for (size_t i = 0; i < n; i++) {
        m->aggs[i].count = 0;
        m->aggs[i].first = m->aggs[i].last = WB_TIME_NONE;
    }
    f->last_report = mono();
}

static const wb_iocset *on_refresh(void *ud)
{
    match_ctx *m = ud;
    hub_follow *f = m->follow;
    /* The engine let go of the set before the last swap when it asked again. */
    wb_iocset_free(f->retired);
    f->retired = NULL;
    pthread_mutex_lock(&f->mu);
    wb_iocset *next = f->ready;
    f->ready = NULL;
    pthread_mutex_unlock(&f->mu);
    if (f->report && (next || mono() - f->last_report >= f->interval)) follow_report(f);
    if (next == NULL) return NULL;
    if (m->format == WB_MF_MISP && print_misp(m, f->cur, f->source) != 0) m->write_failed = true;
    if (m->aggs) {
        size_t n = wb_iocset_count(next);
        agg *na = calloc(n ? n : 1, sizeof *na);
        if (na == NULL) {
            /* Keep matching with what we have; the next build tries again. */
            wb_iocset_free(next);
            return NULL;
        }
        for (size_t i = 0; i < n; i++)
            na[i].first = na[i].last = WB_TIME_NONE;
        free(m->aggs);
        m->aggs = na;
    }
    f->retired = f->cur;
    f->cur = next;
    f->swaps++;
    return next;
}

static int follow_start(hub_follow *f)
{
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    f->last_report = mono();
    if (pthread_create(&f->thread, NULL, follow_main, f) != 0) return -1;
    f->started = true;
    return 0;
}

static void follow_stop(hub_follow *f)
{
    if (!f->started) return;
    pthread_mutex_lock(&f->mu);
    f->quit = true;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    wb_iocset_free(f->ready);
    f->ready = NULL;
    wb_iocset_free(f->retired);
    f->retired = NULL;
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    f->started = false;
}

static void list_formats(wb_buf *b)
{
    for (size_t i = 0; wb_logfmts[i]; i++)
        wb_buf_printf(b, "                               %-11s %s\n", wb_logfmts[i]->name,
                      wb_logfmts[i]->summary);
}

static void usage(FILE *f)
{
    wb_buf b = {0};
    list_formats(&b);
    fprintf(f, usage_text, b.data ? b.data : "");
    wb_buf_free(&b);
}

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

/* The options as the usage text shows them (cmdtab.h): completion and the
 * usage/parser test read them. */
const char *const wb_cli_match_opts[] = {
    "--iocs FILE|DIR|URL",
    "-i FILE|DIR|URL",
    "--hub URL",
    "--key KEY",
    "--report",
    "--hub-interval S",
    "--nats URL",
    "--nats-user FILE",
    "--ioc-format auto|misp|stix|zeek|csv|plain",
    "--all-attributes",
    "--warninglist FILE|DIR",
    "-w FILE|DIR",
    "--now TIME",
    "--include-expired",
    "--log-format auto|zeek|zeek-json|eve|jsonl|dns-bind|dns-unbound|dnsmasq|clf|squid|nfdump-csv|"
    "text",
    "--field NAME",
    "--jobs N",
    "-j N",
    "--follow",
    "-f",
    "--state FILE",
    "--format jsonl|json|csv|table|count|misp-sightings|zeek-intel-log",
    "--summary",
    "--summary-only",
    "--local-nets CIDR,...",
    "--wide",
    "--count",
    "-c",
    "--files-with-matches",
    "-l",
    "--quiet",
    "-q",
    "--max-count N",
    "-m N",
    "--sighting-source NAME",
    "--stats",
    "--verbose",
    "-v",
    "--config FILE",
    NULL};

/* Options of match (also the configuration file's [match] keys, config.c). */
enum {
    O_ALL = 256,
    O_NOW,
    O_EXPIRED,
    O_LOGFMT,
    O_FIELD,
    O_FORMAT,
    O_STATS,
    O_IOCFMT,
    O_SRC,
    O_HUB,
    O_KEY,
    O_REPORT,
    O_HUB_INTERVAL,
    O_SUMMARY,
    O_SUMMARY_ONLY,
    O_WIDE,
    O_LOCAL_NETS,
    O_STATE,
    O_NATS,
    O_NATS_USER
};
static const struct option match_lopts[] = {
    {"iocs", required_argument, NULL, 'i'},
    {"warninglist", required_argument, NULL, 'w'},
    {"all-attributes", no_argument, NULL, O_ALL},
    {"now", required_argument, NULL, O_NOW},
    {"include-expired", no_argument, NULL, O_EXPIRED},
    {"log-format", required_argument, NULL, O_LOGFMT},
    {"field", required_argument, NULL, O_FIELD},
    {"format", required_argument, NULL, O_FORMAT},
    {"jobs", required_argument, NULL, 'j'},
    {"follow", no_argument, NULL, 'f'},
    {"stats", no_argument, NULL, O_STATS},
    {"ioc-format", required_argument, NULL, O_IOCFMT},
    {"sighting-source", required_argument, NULL, O_SRC},
    {"hub", required_argument, NULL, O_HUB},
    {"key", required_argument, NULL, O_KEY},
    {"report", no_argument, NULL, O_REPORT},
    {"hub-interval", required_argument, NULL, O_HUB_INTERVAL},
    {"summary", no_argument, NULL, O_SUMMARY},
    {"summary-only", no_argument, NULL, O_SUMMARY_ONLY},
    {"wide", no_argument, NULL, O_WIDE},
    {"local-nets", required_argument, NULL, O_LOCAL_NETS},
    {"state", required_argument, NULL, O_STATE},
    {"nats", required_argument, NULL, O_NATS},
    {"nats-user", required_argument, NULL, O_NATS_USER},
    {"count", no_argument, NULL, 'c'},
    {"files-with-matches", no_argument, NULL, 'l'},
    {"quiet", no_argument, NULL, 'q'},
    {"max-count", required_argument, NULL, 'm'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int match_run(int argc, char **argv)
{
    const struct option *longopts = match_lopts;
    strv iocs = {0}, wls = {0}, fields = {0};
    wb_intel_opts iopts = {0};
    wb_engine_opts eopts = {0};
    wb_iocset_opts sopts = {.now = WB_TIME_NONE};
    match_ctx m = {.format = WB_MF_JSONL, .out = stdout};
    wb_cli_mout_opts mo = {.out = stdout};
    wb_localnets *local = NULL;
    bool local_given = false;
    unsigned ngrep = 0;
    bool stats = false;
    const char *sighting_source = "weerbaar";
    wb_hub_client hc = {0};
    bool report = false, curl_up = false;
    int status = WB_EXIT_ERROR;
    wb_warninglists *wl = NULL;
    wb_iocset *set = NULL;
    hub_follow hf = {.interval = 60, .m = &m};
    bool interval_given = false;
    const char *state_path = NULL;
    const char *nats_url = NULL, *nats_user = NULL;
    char *state_default = NULL;
    wb_cli_mstate mstate = {0};
    int c;
    wb_error err0;
    wb_error_clear(&err0);
    optind = 1;
    opterr = 0;
    if (wb_localnets_new(&local) != 0) goto oom;
    while ((c = getopt_long(argc, argv, ":i:w:j:fvhclqm:", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            if (strv_push(&iocs, optarg)) goto oom;
            break;
        case 'w':
            if (strv_push(&wls, optarg)) goto oom;
            break;
        case O_ALL:
            iopts.all_attributes = true;
            break;
        case O_NOW:
            if (wb_time_parse(optarg, strlen(optarg), &sopts.now) != 0) {
                wb_cli_error("match: --now: '%s' is not an RFC 3339 time", optarg);
                goto done;
            }
            break;
        case O_EXPIRED:
            sopts.include_expired = true;
            break;
        case O_LOGFMT:
            if (strcmp(optarg, "auto") == 0) {
                eopts.format = NULL;
            } else if ((eopts.format = wb_logfmt_find(optarg)) == NULL) {
                wb_cli_error("match: unknown --log-format '%s' (see weerbaar match --help)",
                             optarg);
                goto done;
            }
            break;
        case O_FIELD:
            if (strv_push(&fields, optarg)) goto oom;
            break;
        case O_FORMAT: {
            static const struct {
                const char *name;
                wb_cli_mformat f;
            } fmts[] = {{"jsonl", WB_MF_JSONL},
                        {"json", WB_MF_JSON},
                        {"csv", WB_MF_CSV},
                        {"table", WB_MF_TABLE},
                        {"count", WB_MF_COUNT},
                        {"misp-sightings", WB_MF_MISP},
                        {"zeek-intel-log", WB_MF_ZEEK_INTEL}};
            bool ok = false;
            for (size_t k = 0; k < sizeof fmts / sizeof fmts[0]; k++)
                if (strcmp(optarg, fmts[k].name) == 0) {
                    m.format = fmts[k].f;
                    ok = true;
                }
            if (!ok) {
                wb_cli_error("match: unknown --format '%s' (table, jsonl, json, csv, count, "
                             "misp-sightings, zeek-intel-log)",
                             optarg);
                goto done;
            }
            break;
        }
        case O_SUMMARY:
            mo.summary = true;
            break;
        case O_SUMMARY_ONLY:
            mo.summary_only = true;
            break;
        case O_WIDE:
            mo.wide = true;
            break;
        case O_LOCAL_NETS: {
            /* Repeatable, and each value may list several: "10.0.0.0/8,fd00::/8". */
            local_given = true;
            char *copy = strdup(optarg);
            if (copy == NULL) goto oom;
            wb_error lerr;
            wb_error_clear(&lerr);
            int lrc = 0;
            for (char *p = copy; lrc == 0 && p && *p;) {
                char *comma = strchr(p, ',');
                if (comma) *comma = '\0';
                if (*p) lrc = wb_localnets_add(local, p, &lerr);
                p = comma ? comma + 1 : NULL;
            }
            free(copy);
            if (lrc) {
                wb_cli_error("match: --local-nets: %s", lerr.msg);
                goto done;
            }
            break;
        }
        case 'c':
            mo.grep = WB_GREP_COUNT;
            ngrep++;
            break;
        case 'l':
            mo.grep = WB_GREP_LIST;
            ngrep++;
            break;
        case 'q':
            mo.grep = WB_GREP_QUIET;
            ngrep++;
            break;
        case 'm': {
            int64_t v;
            if (wb_parse_i64(optarg, strlen(optarg), 1, INT64_MAX, &v) != 0) {
                wb_cli_error("match: -m: '%s' is not a number of sightings from 1", optarg);
                goto done;
            }
            mo.max_per_file = (uint64_t)v;
            break;
        }
        case 'j': {
            int64_t j;
            if (wb_parse_i64(optarg, strlen(optarg), 1, 256, &j) != 0) {
                wb_cli_error("match: --jobs: '%s' is not a number from 1 to 256", optarg);
                goto done;
            }
            eopts.threads = (unsigned)j;
            break;
        }
        case 'f':
            eopts.follow = true;
            break;
        case O_STATS:
            stats = true;
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
                wb_cli_error("match: unknown --ioc-format '%s'", optarg);
                goto done;
            }
            break;
        }
        case O_SRC:
            sighting_source = optarg;
            break;
        case O_HUB:
            hc.base = optarg;
            break;
        case O_KEY:
            hc.key = optarg;
            break;
        case O_STATE:
            state_path = optarg;
            break;
        case O_NATS:
            nats_url = optarg;
            break;
        case O_NATS_USER:
            nats_user = optarg;
            break;
        case O_REPORT:
            report = true;
            break;
        case O_HUB_INTERVAL: {
            int64_t v;
            if (wb_parse_i64(optarg, strlen(optarg), 1, 86400, &v) != 0) {
                wb_cli_error("match: --hub-interval: '%s' is not a number of seconds from 1 to "
                             "86400",
                             optarg);
                goto done;
            }
            hf.interval = (unsigned)v;
            interval_given = true;
            break;
        }
        case 'v':
            m.verbose = true;
            break;
        case 'h':
            usage(stdout);
            status = WB_EXIT_OK;
            goto done;
        case ':':
            wb_cli_error("match: option '%s' needs a value", argv[optind - 1]);
            goto done;
        default:
            wb_cli_error("match: unknown option '%s' (see weerbaar match --help)",
                         argv[optind - 1]);
            goto done;
        }
    }
    if (ngrep > 1) {
        wb_cli_error("match: -c, -l and -q exclude one another");
        goto done;
    }
    if (mo.summary && mo.summary_only) {
        wb_cli_error("match: --summary and --summary-only exclude one another");
        goto done;
    }
    if ((mo.summary || mo.summary_only) &&
        (ngrep || (m.format != WB_MF_TABLE && m.format != WB_MF_JSONL && m.format != WB_MF_JSON))) {
        wb_cli_error("match: --summary and --summary-only print with --format table, jsonl or "
                     "json, and not with -c, -l or -q");
        goto done;
    }
    if (!local_given) {
        for (size_t k = 0; wb_localnets_default[k]; k++)
            if (wb_localnets_add(local, wb_localnets_default[k], &err0) != 0) goto oom;
    }
    if (hc.key == NULL) hc.key = getenv("WEERBAAR_KEY");
    if ((nats_url != NULL || nats_user != NULL) &&
        (nats_url == NULL || nats_user == NULL || !eopts.follow)) {
        wb_cli_error("match: --nats URL and --nats-user FILE go together, with --follow");
        goto done;
    }
    if (iocs.n == 0 && hc.base == NULL && nats_url == NULL) {
        wb_cli_error("match: no indicators: give -i FILE or --hub URL (see weerbaar match --help)");
        goto done;
    }
    if (hc.base && (hc.key == NULL || *hc.key == '\0')) {
        wb_cli_error("match: --hub needs an API key: --key KEY or WEERBAAR_KEY");
        goto done;
    }
    if (report && hc.base == NULL && nats_url == NULL) {
        wb_cli_error("match: --report posts sightings to the hub given with --hub (or, with "
                     "--nats, publishes them to NATS)");
        goto done;
    }
    if (interval_given && (hc.base == NULL || !eopts.follow)) {
        wb_cli_error("match: --hub-interval is for --follow with --hub");
        goto done;
    }
    bool hub_follow_mode = (hc.base != NULL || nats_url != NULL) && eopts.follow;
    wb_error err;
    wb_error_clear(&err);
    if (wls.n) {
        if (wb_warninglists_new(&wl) != 0) goto oom;
        for (size_t i = 0; i < wls.n; i++) {
            if (wb_warninglists_load(wl, wls.v[i], &err) != 0) {
                wb_cli_report(&err);
                goto done;
            }
        }
        sopts.warnlists = wl;
    }
    sopts.notice = on_notice;
    sopts.notice_ud = &m;
    if (hc.base) {
        if (wb_hub_global_init() != 0) {
            wb_cli_error("match: cannot start the HTTP client");
            goto done;
        }
        curl_up = true;
    }
    if (hub_follow_mode) {
        /* Everything goes through the mirror, so that each later build has
         * the -i files and the hub's events as they are now. */
        wb_cli_pull_stats ps;
        if (wb_cli_mirror_new(&hf.mirror, &hc, &iopts) != 0) goto oom;
        for (size_t i = 0; i < iocs.n; i++) {
            if (wb_intel_is_url(iocs.v[i])) {
                wb_cli_error("match: -i URL is not for --follow --hub; the hub's own events "
                             "come with --hub");
                goto done;
            }
            if (wb_cli_mirror_load_file(hf.mirror, iocs.v[i], &err) != 0) {
                wb_cli_report(&err);
                goto done;
            }
        }
        if (nats_url) {
            /* the change feed once (with --hub), then NATS */
            if (wb_cli_nats_open(&hf.nats, nats_url, nats_user, hf.mirror, hc.base != NULL, &err) !=
                0) {
                wb_cli_report(&err);
                goto done;
            }
            for (bool changed = true; changed;) /* what the stream holds now */
                if (wb_cli_nats_step(hf.nats, 200, &changed, &err) != 0) {
                    wb_cli_report(&err);
                    goto done;
                }
        } else if (wb_cli_mirror_pull(hf.mirror, &ps, &err) != 0) {
            wb_cli_report(&err);
            goto done;
        }
        if (wb_cli_mirror_build(hf.mirror, &sopts, &set, &err) != 0) {
            wb_cli_report(&err);
            goto done;
        }
        hf.sopts = sopts;
        hf.sopts.notice = NULL;
        hf.sopts.notice_ud = NULL;
    } else {
        if (wb_iocset_new(&set, &sopts) != 0) goto oom;
        for (size_t i = 0; i < iocs.n; i++) {
            if (wb_cli_load_iocs(iocs.v[i], hc.key, &iopts, wb_iocset_sink(set), &err) != 0) {
                wb_cli_report(&err);
                goto done;
            }
        }
        if (hc.base && load_hub(&hc, &iopts, wb_iocset_sink(set), &err) != 0) {
            wb_cli_report(&err);
            goto done;
        }
        if (wb_iocset_build(set, &err) != 0) {
            wb_cli_report(&err);
            goto done;
        }
    }
    m.rss_loaded = resident_bytes();
    if (m.notices_dropped)
        fprintf(stderr, "weerbaar: ... and %u more dropped indicators (-v lists all)\n",
                m.notices_dropped);
    if (wb_iocset_count(set) == 0)
        fprintf(stderr, "weerbaar: warning: no indicators loaded: nothing can match\n");
    if (m.format == WB_MF_MISP || report) {
        size_t n = wb_iocset_count(set);
        m.aggs = calloc(n ? n : 1, sizeof *m.aggs);
        if (m.aggs == NULL) goto oom;
        for (size_t i = 0; i < n; i++)
            m.aggs[i].first = m.aggs[i].last = WB_TIME_NONE;
    }
    eopts.logopts.fields = fields.v;
    eopts.logopts.nfields = fields.n;
    eopts.stop = &stop_flag;
    const char *stdin_only[] = {"-"};
    const char *const *paths = optind < argc ? (const char *const *)argv + optind : stdin_only;
    size_t npaths = optind < argc ? (size_t)(argc - optind) : 1;
    wb_progress_start(&m.line, wb_cli_progress_out(eopts.follow || mo.grep == WB_GREP_QUIET),
                      "scanned", WB_PROGRESS_BYTES);
    m.line.total = input_size(paths, npaths);
    mo.format = m.format;
    mo.local = local;
    mo.stream = eopts.follow;
    {
        struct stat st;
        mo.with_filename = npaths > 1 || (strcmp(paths[0], "-") != 0 && stat(paths[0], &st) == 0 &&
                                          S_ISDIR(st.st_mode));
    }
    if (wb_cli_mout_new(&m.mout, &mo) != 0) goto oom;
    m.t0 = mono();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    wb_engine_cb cb = {.ud = &m,
                       .sighting = on_sighting,
                       .malformed = on_malformed,
                       .file_error = on_file_error,
                       .progress = on_progress,
                       .flush = on_flush,
                       .file_done = on_file_done};
    if (state_path == NULL && eopts.follow && !(npaths == 1 && strcmp(paths[0], "-") == 0)) {
        state_default = wb_cli_mstate_default(hc.base, paths, npaths, &err);
        if (state_default == NULL)
            fprintf(stderr, "weerbaar: warning: %s: read positions are not kept\n", err.msg);
        state_path = state_default;
    }
    if (state_path) {
        if (wb_cli_mstate_open(&mstate, state_path, &err) != 0) {
            wb_cli_report(&err);
            goto done;
        }
        m.state = &mstate;
        m.report = report;
        cb.resume = on_resume;
        cb.position = on_position;
    }
    if (hub_follow_mode) {
        hf.cur = set;
        hf.hc = &hc;
        hf.source = sighting_source;
        hf.report = report;
        cb.refresh = on_refresh;
        m.follow = &hf;
        if (follow_start(&hf) != 0) {
            wb_cli_error("match: cannot start the thread that follows the hub");
            goto done;
        }
    }
    wb_engine_stats es;
    int rc = wb_engine_run(set, paths, npaths, &eopts, &cb, &es, &err);
    if (hub_follow_mode) {
        follow_stop(&hf);
        set = hf.cur; /* the set in force at the end, for the report and --stats */
    }
    wb_progress_end(&m.line);
    if (rc != 0 && rc != WB_EIO) wb_cli_report(&err);
    if (es.malformed > 0)
        fprintf(stderr, "weerbaar: %llu malformed line%s skipped\n",
                (unsigned long long)es.malformed, es.malformed == 1 ? "" : "s");
    if (wb_cli_mout_finish(m.mout) != 0) m.write_failed = true;
    if (m.format == WB_MF_MISP && print_misp(&m, set, sighting_source) != 0) m.write_failed = true;
    if (fflush(stdout) != 0) m.write_failed = true;
    if (m.write_failed) wb_cli_error("match: cannot write the output");
    if (!m.write_failed) save_positions(&m);
    bool report_failed = false;
    if (report && rc != WB_ENOMEM) {
        size_t sent = 0;
        wb_error rerr;
        wb_error_clear(&rerr);
        if (report_hub(&hc, hf.nats, &m, set, sighting_source, &sent, &rerr) != 0) {
            wb_cli_report(&rerr);
            report_failed = true;
        } else {
            fprintf(stderr, "weerbaar: reported the sightings of %zu indicator%s to %s\n", sent,
                    sent == 1 ? "" : "s", hf.nats ? "NATS" : hc.base);
        }
    }
    if (stats) print_stats(set, &es, m.rss_loaded);
    uint64_t selected = wb_cli_mout_selected(m.mout);
    if (mo.grep == WB_GREP_QUIET && selected && rc != WB_ENOMEM)
        status = WB_EXIT_OK; /* as grep -q: a match wins over an unreadable file */
    else if (rc != 0 || m.write_failed || report_failed)
        status = WB_EXIT_ERROR;
    else
        status = selected ? WB_EXIT_OK : WB_EXIT_NO;
    goto done;
oom:
    wb_cli_error("match: out of memory");
    status = WB_EXIT_ERROR;
done:
    if (hf.started) {
        follow_stop(&hf);
        set = hf.cur;
    }
    wb_cli_nats_close(hf.nats);
    wb_cli_mirror_free(hf.mirror);
    wb_cli_mstate_close(&mstate);
    free(state_default);
    if (curl_up) wb_hub_global_cleanup();
    free(m.aggs);
    wb_cli_mout_free(m.mout);
    wb_localnets_free(local);
    wb_iocset_free(set);
    wb_warninglists_free(wl);
    free(iocs.v);
    free(wls.v);
    free(fields.v);
    return status;
}

int wb_cmd_match(int argc, char **argv)
{
    /* --help answers before a configuration file is read (as serve). */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return WB_EXIT_OK;
        }
    wb_cli_args a = {0};
    int status = wb_cli_config_args("match", match_lopts, argc, argv, &a);
    if (status != 0) return status;
    status = match_run(a.argc, a.argv);
    wb_cli_args_free(&a);
    return status;
}
