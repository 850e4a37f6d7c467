/*
 * ioc.h - indicators of compromise as the intel loaders hand them over, the
 * Traffic Light Protocol, and the loaders themselves (MISP, STIX 2.1, Zeek
 * Intel, CSV and plain lists) plus MISP warninglists.
 *
 * Loaders do not build the matcher: they call a wb_ioc_sink for every
 * indicator they find (src/match/ implements the sink that normalises,
 * filters and indexes). That keeps each format's parser small and lets tests
 * record exactly what a parser produced.
 */
#ifndef WEERBAAR_IOC_H
#define WEERBAAR_IOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Indicator types, as `weerbaar match` reports them in the `type` field. */
typedef enum wb_ioc_type {
    WB_IOC_IP,       /* one IPv4/IPv6 address; a value with "/len" becomes WB_IOC_CIDR */
    WB_IOC_CIDR,     /* an address block; matches every address inside */
    WB_IOC_DOMAIN,   /* matches itself and its subdomains */
    WB_IOC_HOSTNAME, /* matches exactly */
    WB_IOC_URL,
    WB_IOC_MD5,
    WB_IOC_SHA1,
    WB_IOC_SHA256,
    WB_IOC_EMAIL,
    WB_IOC_IP_PORT, /* value "ADDRESS|PORT" */
    WB_IOC_TYPE_COUNT
} wb_ioc_type;

/* "ip", "cidr", "domain", ... (never NULL for a valid type). */
const char *wb_ioc_type_name(wb_ioc_type t);
/* Parses one of the names above; 0 or WB_EINVAL. */
int wb_ioc_type_parse(const char *s, size_t n, wb_ioc_type *out);

/* TLP 2.0. WB_TLP_UNSET when the source carries no TLP. */
typedef enum wb_tlp {
    WB_TLP_UNSET = 0,
    WB_TLP_CLEAR,
    WB_TLP_GREEN,
    WB_TLP_AMBER,
    WB_TLP_AMBER_STRICT,
    WB_TLP_RED
} wb_tlp;

/* "clear", "green", "amber", "amber+strict", "red"; NULL for WB_TLP_UNSET. */
const char *wb_tlp_name(wb_tlp t);
/* Accepts "tlp:green", "TLP:GREEN", "green", "tlp:white" (TLP 1.0, = clear),
 * "amber+strict"; 0 or WB_EINVAL. */
int wb_tlp_parse(const char *s, size_t n, wb_tlp *out);
/* The stricter of two levels (UNSET is weaker than everything). */
wb_tlp wb_tlp_stricter(wb_tlp a, wb_tlp b);

/* One indicator as a loader found it. Strings need only live for the call:
 * the sink copies what it keeps. */
typedef struct wb_ioc_in {
    wb_ioc_type type;
    const char *value; /* as written in the source (the sink normalises) */
    size_t len;
    const char *event;     /* event/report/bundle uuid, or NULL */
    const char *attribute; /* attribute/indicator uuid, or NULL */
    wb_tlp tlp;
    wb_time valid_until; /* WB_TIME_NONE when the source sets none */
    const char *source;  /* the file, feed or hub it came from */
    const char *where;   /* "file:line" or "file: $.json.path", for messages */
} wb_ioc_in;

typedef struct wb_ioc_sink wb_ioc_sink;
struct wb_ioc_sink {
    /* Takes one indicator. Returns 0, or a negative code that stops loading
     * (only for failures such as WB_ENOMEM; an invalid value is the sink's to
     * report through its own channel and returns 0). */
    int (*add)(wb_ioc_sink *self, const wb_ioc_in *ioc);
    /* A record the loader passed over on purpose (unsupported STIX pattern,
     * attribute type weerbaar does not match, to_ids false): counted by reason.
     * `where` may be NULL. */
    void (*skip)(wb_ioc_sink *self, const char *where, const char *reason);
};

typedef enum wb_intel_format {
    WB_INTEL_AUTO = 0,
    WB_INTEL_MISP, /* event, list of events, restSearch response, feed dir */
    WB_INTEL_STIX, /* STIX 2.1 bundle (or a single indicator object) */
    WB_INTEL_ZEEK, /* Zeek Intel framework file */
    WB_INTEL_CSV,  /* CSV with a header naming a type and a value column */
    WB_INTEL_PLAIN /* one value a line, type detected from the value */
} wb_intel_format;

typedef struct wb_intel_opts {
    wb_intel_format format; /* WB_INTEL_AUTO: detected from content per file */
    bool all_attributes;    /* MISP: also attributes with to_ids false */
    size_t max_file;        /* largest file read; 0 = 1 GiB */
} wb_intel_opts;

/* Loads indicators from a file or directory (a MISP feed directory when it
 * holds manifest.json, otherwise every regular file below it, in name order).
 * Returns 0, or a negative code with a message naming the file and line or
 * JSON path of the first problem that makes the file unreadable. */
int wb_intel_load(const char *path, const wb_intel_opts *opts, wb_ioc_sink *sink, wb_error *err);
/* The same on a buffer already in memory; `name` is used in messages and as
 * the source. */
int wb_intel_load_buffer(const char *name, const char *data, size_t len, const wb_intel_opts *opts,
                         wb_ioc_sink *sink, wb_error *err);
/* Guesses the format of a buffer; WB_INTEL_AUTO when it cannot tell. */
wb_intel_format wb_intel_detect(const char *data, size_t len);

/* ---- MISP warninglists ---------------------------------------------------- */

typedef struct wb_warninglists wb_warninglists;

int wb_warninglists_new(wb_warninglists **out);
/* Adds a list.json file, or every list.json below a directory. Errors name the
 * file and JSON path. */
int wb_warninglists_load(wb_warninglists *wl, const char *path, wb_error *err);
/* The name of the first list on which this normalised indicator stands, or
 * NULL. Honours each list's type (string, substring, hostname, cidr, regex)
 * and its matching_attributes. Safe to call from several threads. */
const char *wb_warninglists_find(const wb_warninglists *wl, wb_ioc_type type, const char *value,
                                 size_t len);
/* Adds one list from its list.json text already in memory; `name` is used
 * in messages (the hub keeps its lists in its database). */
int wb_warninglists_load_buffer(wb_warninglists *wl, const char *name, const char *data, size_t len,
                                wb_error *err);
size_t wb_warninglists_count(const wb_warninglists *wl);
void wb_warninglists_free(wb_warninglists *wl);

#ifdef __cplusplus
}
#endif
#endif
