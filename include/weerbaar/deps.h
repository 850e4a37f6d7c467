/*
 * deps.h - Depend: the map of an organisation's digital dependencies and of
 * the devices that can be switched from outside the EU/EEA.
 *
 * Four parts, each usable alone:
 *   - wb_ipdb: IP address -> registration country and holder (the RIRs'
 *     delegated-extended statistics files), location and ASN (MaxMind/DB-IP
 *     .mmdb through libmaxminddb) and AS names (an AS-name list). Immutable
 *     once built and safe to share between threads.
 *   - wb_ccset: a set of ISO 3166 country codes (the EU/EEA members, as data).
 *   - reference data: the asset inventory, the vendor-cloud list and the
 *     supplier register.
 *   - wb_deps_map: aggregates flow records (Zeek conn, Suricata EVE flow,
 *     nfdump/IPFIX CSV) and names (DNS answers, TLS SNI, HTTP host) per
 *     (asset, external endpoint) pair; wb_deps_report_build turns it into
 *     the report (per asset dependencies, the organisation's shares, the
 *     remote-switch exposures, the supplier join), which
 *     wb_deps_report_write renders as table, json, csv, dot, svg or html.
 *
 * Every function returns 0 or a negative WB_E* code and fills a wb_error
 * naming the input (file:line).
 */
#ifndef WEERBAAR_DEPS_H
#define WEERBAAR_DEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/normalize.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- addresses ------------------------------------------------------------ */

/* Addresses are weerbaar/normalize.h's wb_addr (IPv4 as ::ffff:a.b.c.d).
 * True for addresses that never leave the organisation: RFC 1918, loopback,
 * link-local, CGNAT (100.64/10), multicast, broadcast, unspecified, ULA. */
bool wb_deps_addr_internal(const wb_addr *a);

/* ---- country sets (EU/EEA as data) ----------------------------------------- */

typedef struct wb_ccset {
    uint8_t bits[(26 * 26 + 7) / 8];
} wb_ccset;

/* Parses "CC [comment]" lines ('#' comments); name names the input in
 * messages. Adds to *set. 0 or WB_EPARSE. */
int wb_ccset_parse(wb_ccset *set, const char *buf, size_t len, const char *name, wb_error *err);
int wb_ccset_load(wb_ccset *set, const char *path, wb_error *err);
bool wb_ccset_has(const wb_ccset *set, const char *cc);

/* ---- IP data ---------------------------------------------------------------- */

typedef struct wb_ipdb wb_ipdb;

/* What is known of an address; strings are owned by the wb_ipdb (or by the
 * struct itself for the arrays). Empty strings and 0 mean "not known". */
typedef struct wb_ipinfo {
    char reg_cc[3];       /* registration country (RIR delegated file) */
    const char *registry; /* "ripencc", "arin", ... or NULL */
    const char *holder;   /* the RIR's opaque id of the holder, or NULL */
    char loc_cc[3];       /* location country (.mmdb country.iso_code) */
    uint32_t asn;         /* AS number: .mmdb ASN data, else the holder's AS (RIR) */
    bool asn_from_holder; /* asn is the RIR holder's AS, not an origin AS */
    char as_name[128];    /* .mmdb organisation, else the AS-name list */
    char as_cc[3];        /* the AS-name list's country of the AS */
} wb_ipinfo;

int wb_ipdb_new(wb_ipdb **out, wb_error *err);
void wb_ipdb_free(wb_ipdb *db); /* NULL is fine */
/* A delegated or delegated-extended statistics file of any of the five RIRs
 * (registry|cc|type|start|value|date|status[|opaque-id]). Records of status
 * available or reserved are skipped (they have no holder). name names the
 * input in messages. */
int wb_ipdb_add_rir(wb_ipdb *db, const char *buf, size_t len, const char *name, wb_error *err);
int wb_ipdb_add_rir_file(wb_ipdb *db, const char *path, wb_error *err);
/* An AS-name list: "NUMBER NAME[, CC]" per line, an optional "AS" before the
 * number (RIPE's asn.txt format). */
int wb_ipdb_add_asnames(wb_ipdb *db, const char *buf, size_t len, const char *name, wb_error *err);
int wb_ipdb_add_asnames_file(wb_ipdb *db, const char *path, wb_error *err);
/* A MaxMind or DB-IP .mmdb (country, city or ASN database). Several may be
 * added; the first that knows a field wins. */
int wb_ipdb_add_mmdb(wb_ipdb *db, const char *path, wb_error *err);
/* Sorts and indexes what was added; no adds after this. */
int wb_ipdb_build(wb_ipdb *db, wb_error *err);
/* Fills *out (zeroed first). Never fails: unknown fields stay empty. */
void wb_ipdb_lookup(const wb_ipdb *db, const wb_addr *a, wb_ipinfo *out);
/* The fast path: the RIR registration record of an IPv4 address in host
 * order, as an index (>= 0), or -1 when no registry delegates it. */
int32_t wb_ipdb_lookup_v4(const wb_ipdb *db, uint32_t ip);
/* The country of a record index from wb_ipdb_lookup_v4 (2 letters + NUL). */
const char *wb_ipdb_record_cc(const wb_ipdb *db, int32_t rec);
/* Numbers of IPv4 and IPv6 ranges and of records loaded, for statistics. */
void wb_ipdb_stats(const wb_ipdb *db, size_t *v4_ranges, size_t *v6_ranges, size_t *asns,
                   size_t *mmdbs);

/* ---- reference data: inventory, vendor clouds, supplier register ----------- */

typedef enum wb_devclass {
    WB_DEV_INVERTER,
    WB_DEV_EV_CHARGER,
    WB_DEV_HEAT_PUMP,
    WB_DEV_BATTERY,
    WB_DEV_BUILDING_CONTROL,
    WB_DEV_PLC,
    WB_DEV_CAMERA,
    WB_DEV_SERVER,
    WB_DEV_WORKSTATION,
    WB_DEV_OTHER,
    WB_DEV_COUNT
} wb_devclass;

/* "inverter", "ev-charger", ...; NULL for a value out of range. */
const char *wb_devclass_name(wb_devclass c);
/* 0 and *out, or WB_EINVAL for an unknown name. */
int wb_devclass_parse(const char *s, size_t n, wb_devclass *out);
/* inverter, ev-charger, heat-pump, battery: the classes a remote switch can
 * take off or put on the grid. */
bool wb_devclass_is_energy(wb_devclass c);

typedef enum wb_crit {
    WB_CRIT_UNKNOWN,
    WB_CRIT_LOW,
    WB_CRIT_MEDIUM,
    WB_CRIT_HIGH,
    WB_CRIT_CRITICAL
} wb_crit;
const char *wb_crit_name(wb_crit c);
int wb_crit_parse(const char *s, size_t n, wb_crit *out);

typedef struct wb_deps_asset_def {
    wb_addr addr;
    unsigned prefix; /* in the 128-bit space (wb_cidr_parse): 128 a single address */
    const char *name, *owner;
    wb_devclass cls;
    wb_crit crit;
} wb_deps_asset_def;

typedef struct wb_deps_inventory {
    wb_deps_asset_def *assets;
    size_t n;
    wb_arena arena;
    struct wbi_addrmap *exact; /* single addresses -> index */
    size_t *cidrs;             /* indices of the entries that are networks */
    size_t ncidrs;
} wb_deps_inventory;

/* CSV with a header naming the columns (address|cidr|ip, asset|name,
 * class|device_class, criticality, owner) or without one (that order).
 * Replaces *inv; free with wb_deps_inventory_free. */
int wb_deps_inventory_parse(wb_deps_inventory *inv, const char *buf, size_t len, const char *name,
                            wb_error *err);
int wb_deps_inventory_load(wb_deps_inventory *inv, const char *path, wb_error *err);
void wb_deps_inventory_free(wb_deps_inventory *inv);
/* Index of the most specific asset covering a, or -1. */
long wb_deps_inventory_find(const wb_deps_inventory *inv, const wb_addr *a);

typedef struct wb_deps_vendor {
    const char *vendor;
    unsigned classes; /* bit set of 1u << wb_devclass */
    const char **domains;
    size_t ndomains;
    uint32_t *asns;
    size_t nasns;
    char country[3];     /* the cloud operator's country, "" unknown */
    int remote_control;  /* 1 documented, 0 documented absent, -1 unknown */
    const char *rc_note; /* what the source says */
    const char *source;  /* the first source, for reports */
    bool verified;       /* every fact used has a source and status is not unverified */
} wb_deps_vendor;

typedef struct wb_deps_vendors {
    wb_deps_vendor *v;
    size_t n;
    wb_arena arena;
} wb_deps_vendors;

/* data/vendor-clouds.yaml: see docs/deps.md for the schema. */
int wb_deps_vendors_parse(wb_deps_vendors *vs, const char *buf, size_t len, const char *name,
                          wb_error *err);
int wb_deps_vendors_load(wb_deps_vendors *vs, const char *path, wb_error *err);
void wb_deps_vendors_free(wb_deps_vendors *vs);

typedef struct wb_deps_supplier {
    const char *supplier, *service;
    char country[3];
    wb_crit crit;
    const char *clauses; /* contract security clauses */
    const char *sbom;    /* SBOM/CSAF available: yes/no/partial or free text */
    const char *exit_plan;
    const char *eu_alternative; /* the EU alternative recorded, or "" */
    const char **domains;       /* how to recognise it in the flows */
    size_t ndomains;
    uint32_t *asns;
    size_t nasns;
} wb_deps_supplier;

typedef struct wb_deps_suppliers {
    wb_deps_supplier *s;
    size_t n;
    wb_arena arena;
} wb_deps_suppliers;

/* CSV with a header, or a JSON array of objects, with the fields supplier,
 * service, country, criticality, clauses, sbom_csaf, exit_plan,
 * eu_alternative, domains, asns (lists separated by ';' or spaces in CSV,
 * arrays in JSON). The format is detected from the first character. */
int wb_deps_suppliers_parse(wb_deps_suppliers *ss, const char *buf, size_t len, const char *name,
                            wb_error *err);
int wb_deps_suppliers_load(wb_deps_suppliers *ss, const char *path, wb_error *err);
void wb_deps_suppliers_free(wb_deps_suppliers *ss);

/* ---- flow records ------------------------------------------------------------- */

typedef struct wb_deps_flow {
    wb_time ts;       /* start */
    double duration;  /* seconds, 0 when unknown */
    wb_addr src, dst; /* src: the initiator when the format knows it */
    unsigned sport, dport;
    uint8_t proto;        /* IP protocol number, 0 unknown */
    uint64_t src_bytes;   /* bytes sent by src */
    uint64_t dst_bytes;   /* bytes sent by dst */
    bool initiator_known; /* Zeek and EVE: src started it; CSV: guessed by port */
} wb_deps_flow;

typedef enum wb_deps_namekind { WB_NAME_DNS, WB_NAME_SNI, WB_NAME_HTTP } wb_deps_namekind;

typedef struct wb_deps_sink {
    void *ud;
    int (*flow)(void *ud, const wb_deps_flow *f);
    /* a is called name; client (NULL when the log does not say) asked */
    int (*name)(void *ud, const wb_addr *client, const wb_addr *a, const char *name, size_t n,
                wb_deps_namekind kind);
} wb_deps_sink;

typedef struct wb_deps_reader wb_deps_reader;

/* fmt: "zeek" (TSV conn/dns/ssl/http), "zeek-json", "eve", "csv" (nfdump or
 * IPFIX CSV with a header), or NULL to detect from the first block. */
int wb_deps_reader_new(wb_deps_reader **out, const char *fmt, const char *name, wb_error *err);
void wb_deps_reader_free(wb_deps_reader *r);
/* Feeds a block of whole lines. Records that cannot be read are counted and
 * skipped (the first is described in the reader's note). */
int wb_deps_reader_block(wb_deps_reader *r, const char *buf, size_t len, const wb_deps_sink *sink,
                         wb_error *err);
/* Records read and skipped so far; the first skipped record's reason. */
void wb_deps_reader_counts(const wb_deps_reader *r, uint64_t *records, uint64_t *skipped,
                           const char **first_skip);

/* ---- the map ---------------------------------------------------------------- */

typedef struct wb_deps_cfg {
    double periodic_day_share; /* share of observed days with a contact day (0.8) */
    unsigned periodic_per_day; /* contacts a day that make a contact day (12) */
    double long_session_s;     /* a session this long is long-lived (3600) */
    bool internal_as_assets;   /* internal addresses outside the inventory are assets */
    size_t max_pairs;          /* bound on (asset, endpoint) pairs; 0 = 50M */
} wb_deps_cfg;

void wb_deps_cfg_default(wb_deps_cfg *cfg);

typedef struct wb_deps_map wb_deps_map;

/* inv may be NULL (then only internal addresses are assets); it must outlive
 * the map. */
int wb_deps_map_new(wb_deps_map **out, const wb_deps_cfg *cfg, const wb_deps_inventory *inv,
                    wb_error *err);
void wb_deps_map_free(wb_deps_map *m);
/* The map as a sink for wb_deps_reader_block (single-threaded). */
wb_deps_sink wb_deps_map_sink(wb_deps_map *m);
/* Reads a whole file (plain, gzip or zstd); fmt as wb_deps_reader_new.
 * threads > 1 parses blocks on that many threads. */
int wb_deps_map_read(wb_deps_map *m, const char *path, const char *fmt, unsigned threads,
                     wb_error *err);
/* Totals: records read, skipped, flows that reached an asset, pairs. */
void wb_deps_map_counts(const wb_deps_map *m, uint64_t *records, uint64_t *skipped, uint64_t *flows,
                        size_t *pairs);

/* ---- the report ---------------------------------------------------------------- */

typedef enum wb_pattern {
    WB_PAT_OCCASIONAL,
    WB_PAT_PERIODIC,
    WB_PAT_LONG_LIVED,
    WB_PAT_PERIODIC_LONG
} wb_pattern;
const char *wb_pattern_name(wb_pattern p);

typedef struct wb_deps_dep {
    char addr[64];
    const char **names;
    size_t nnames;
    wb_ipinfo ip;
    char jur_cc[3];               /* jurisdiction, "" unknown */
    const char *jur_source;       /* "supplier register" or "vendor-clouds", NULL */
    char decide_cc[3];            /* the country "leaves the EU/EEA" is decided on, "" unknown */
    bool leaves_eu;               /* decide_cc is known and not EU/EEA */
    const char *provider;         /* vendor, supplier, AS name, holder, or "AS<n>"/"unknown" */
    uint64_t provider_bytes;      /* the provider's total over the report */
    const wb_deps_vendor *vendor; /* matching vendor cloud, or NULL */
    const wb_deps_supplier *supplier; /* matching register entry, or NULL */
    uint64_t bytes_out, bytes_in, flows, contacts;
    wb_time first, last;
    double max_session_s;
    unsigned contact_days;  /* days with any contact */
    unsigned periodic_days; /* days with at least periodic_per_day contacts */
    unsigned max_per_day;
    wb_pattern pattern;
    char ports[96]; /* "tcp/443 udp/123" (at most 8) */
    bool exposure;
    const char *why; /* for an exposure: the rule that fired */
} wb_deps_dep;

typedef struct wb_deps_asset {
    const char *name, *owner;
    char addr[72]; /* the address or CIDR */
    wb_devclass cls;
    wb_crit crit;
    bool listed; /* in the inventory (else an internal address seen in the flows) */
    wb_deps_dep *deps;
    size_t ndeps;
    uint64_t bytes, bytes_leaving;
    size_t deps_leaving, deps_unknown;
} wb_deps_asset;

typedef struct wb_deps_share {
    const char *key; /* a country code or a provider */
    bool eu;         /* EU/EEA (for a provider: its decide country) */
    bool known;
    uint64_t bytes, flows;
    size_t deps; /* dependencies counted in it */
} wb_deps_share;

typedef struct wb_deps_exposure {
    const wb_deps_asset *asset;
    const wb_deps_dep *dep;
} wb_deps_exposure;

typedef struct wb_deps_report {
    wb_deps_cfg cfg;
    wb_deps_asset *assets;
    size_t nassets;
    wb_deps_share *by_country, *by_provider;
    size_t ncountry, nprovider;
    wb_deps_exposure *exposures;
    size_t nexposures;
    uint64_t bytes, bytes_leaving, bytes_unknown;
    unsigned observed_days;
    uint64_t records, skipped, flows;
    /* the supplier join */
    const char **unregistered; /* providers seen (from critical assets or any) not registered */
    uint64_t *unregistered_bytes;
    size_t nunregistered;
    const wb_deps_supplier **unseen;
    size_t nunseen;
    const wb_deps_supplier **no_eu_alt;
    size_t nno_eu_alt;
    bool have_suppliers;
    wb_arena arena;
} wb_deps_report;

/* Builds the report. db, eu, vendors and suppliers may be NULL (eu NULL:
 * nothing is known to be inside). The report borrows from all of them: free
 * it before them. */
int wb_deps_report_build(wb_deps_report **out, const wb_deps_map *m, const wb_ipdb *db,
                         const wb_ccset *eu, const wb_deps_vendors *vendors,
                         const wb_deps_suppliers *suppliers, wb_error *err);
void wb_deps_report_free(wb_deps_report *r);
/* Appends the report in format "table", "json", "csv", "dot", "svg" or
 * "html" to out. WB_EINVAL for another format. */
int wb_deps_report_write(const wb_deps_report *r, const char *format, wb_buf *out, wb_error *err);

/* ---- fetching the RIR files ------------------------------------------------------ */

typedef struct wb_deps_fetch_result {
    char name[64];
    int status; /* 0 downloaded, 1 not modified, negative error */
    uint64_t bytes;
    bool md5_checked;
} wb_deps_fetch_result;

typedef struct wb_deps_fetch_opts {
    /* Bytes of the file at url received so far, of total (0: not known);
     * called often while a file comes in (not for its .md5). NULL: none. */
    void (*progress)(void *ud, const char *url, uint64_t done, uint64_t total);
    void *ud;
} wb_deps_fetch_opts;

/* Downloads each registry's delegated-extended file from base URLs into dir
 * (If-Modified-Since / ETag from the previous download; the published .md5
 * checked when there is one). urls: NULL for the five registries' public
 * addresses. o may be NULL. results (may be NULL) receives one entry per
 * URL. */
int wb_deps_fetch(const char *dir, const char *const *urls, size_t nurls,
                  const wb_deps_fetch_opts *o, wb_deps_fetch_result *results, wb_error *err);
/* The five public URLs. */
extern const char *const wb_deps_rir_urls[5];

#ifdef __cplusplus
}
#endif
#endif
