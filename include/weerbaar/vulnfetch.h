/*
 * vulnfetch.h - `weerbaar vuln fetch`: keeping a local copy of the sources
 * `weerbaar vuln scan` reads, and telling a scan how old that copy is.
 *
 * A source is one of: a CSAF 2.0 provider, named by the URL of its
 * provider-metadata.json (its ROLIE feeds and directory distributions are
 * mirrored, every document checked against the SHA-256/SHA-512 file the
 * provider publishes and its OpenPGP signature checked with gpgv against the
 * keys the metadata names); an OSV ecosystem's all.zip; CISA's KEV
 * catalogue; FIRST's EPSS scores. Each source has a folder under the
 * directory and a state file in it (.fetch-state.json) with the validators
 * (ETag, Last-Modified) of every file and the time of the last complete
 * fetch, so a second fetch sends conditional requests and transfers only
 * what changed. Downloads go to a hidden ".NAME.part" file beside the target
 * and are renamed over it only when complete and verified; an interrupted
 * download is resumed with a Range request when the server allows.
 *
 *   DIR/csaf/HOST/            a provider: provider-metadata.json and its
 *                             documents at their paths below the metadata
 *   DIR/osv/ECOSYSTEM/all.zip
 *   DIR/kev/known_exploited_vulnerabilities.json
 *   DIR/epss/epss_scores-current.csv.gz
 *
 * docs/vuln.md ("Fetching advisories") describes the command.
 */
#ifndef WEERBAAR_VULNFETCH_H
#define WEERBAAR_VULNFETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The Dutch NCSC's CSAF provider: the example the documentation gives. */
#define WB_FETCH_NCSC_CSAF "https://advisories.ncsc.nl/.well-known/csaf/provider-metadata.json"
#define WB_FETCH_KEV_URL                                                                           \
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
#define WB_FETCH_EPSS_URL "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"
#define WB_FETCH_OSV_BASE "https://osv-vulnerabilities.storage.googleapis.com"

typedef enum wb_fetch_kind {
    WB_FETCH_CSAF,
    WB_FETCH_OSV,
    WB_FETCH_KEV,
    WB_FETCH_EPSS
} wb_fetch_kind;

typedef struct wb_fetch_source {
    wb_fetch_kind kind;
    char url[4100]; /* what is downloaded first: the metadata, all.zip, KEV or EPSS file */
    char name[300]; /* its folder below the directory: "csaf/HOST", "osv/PyPI", "kev", "epss" */
} wb_fetch_source;

/* "csaf:URL" (a provider-metadata.json), "csaf:DOMAIN" (the same at
 * https://DOMAIN/.well-known/csaf/provider-metadata.json), "osv:ECOSYSTEM" or
 * "osv:ECOSYSTEM=URL" (an all.zip elsewhere, e.g. a mirror), "kev" or
 * "kev:URL", "epss" or "epss:URL". WB_EINVAL with a message for anything
 * else. */
int wb_fetch_source_parse(const char *spec, wb_fetch_source *out, wb_error *err);
/* "kind" as written in messages: "csaf", "osv", "kev", "epss". */
const char *wb_fetch_kind_name(wb_fetch_kind k);

/* The default directory: $XDG_DATA_HOME/weerbaar/advisories, else
 * $HOME/.local/share/weerbaar/advisories. WB_ENOTFOUND when neither
 * variable is set. */
int wb_fetch_default_dir(wb_buf *out, wb_error *err);

typedef struct wb_fetch_opts {
    bool require_signatures; /* a CSAF provider without keys, an unsigned document, or no
                                gpgv: an error instead of a warning */
    const char *gpgv;        /* the gpgv program; NULL = "gpgv" on PATH */
    long connect_timeout_s;  /* 0 = 20 */
    long stall_timeout_s;    /* a transfer slower than 1 byte/s this long fails; 0 = 60 */
    /* Called with each warning (a provider without signatures, no gpgv, a
     * feed that needs authorisation, ...); may be NULL. */
    void (*warn)(void *ud, const char *msg);
    /* Called with each file that was refused or could not be fetched, the
     * message naming URL and local file; the fetch goes on with the next
     * file. May be NULL. */
    void (*problem)(void *ud, const wb_error *err);
    /* Called during a transfer: bytes so far and the size (0 when unknown). */
    void (*progress)(void *ud, const char *url, uint64_t done, uint64_t total);
    void *ud;
} wb_fetch_opts;

typedef struct wb_fetch_stats {
    size_t requests;     /* HTTP requests sent */
    size_t not_modified; /* answered 304 */
    size_t updated;      /* files written (new or changed) */
    size_t unchanged;    /* documents skipped because the listing says they are unchanged */
    size_t failed;       /* files refused (checksum, signature, format) or not fetched */
    size_t resumed;      /* transfers continued from a partial file */
    uint64_t bytes;      /* body bytes received */
} wb_fetch_stats;

/* Brings one source in dir up to date (dir and the source's folder are
 * created). Returns 0 when everything was fetched and verified; otherwise
 * the first failure's code, with err saying how many files failed (each was
 * reported through opts->problem). The source's state records the time of
 * the last fetch that returned 0. stats are added to. */
int wb_fetch_run(const char *dir, const wb_fetch_source *src, const wb_fetch_opts *opts,
                 wb_fetch_stats *stats, wb_error *err);

/* Takes an exclusive lock on dir (created if missing) so that two fetches
 * cannot write the same files; *fd is closed by wb_fetch_unlock. WB_EIO
 * "DIR: another vuln fetch is running" when it is held. */
int wb_fetch_lock(const char *dir, int *fd, wb_error *err);
void wb_fetch_unlock(int fd);

/* ---- what a scan reads -------------------------------------------------------------- */

typedef struct wb_fetched_source {
    wb_fetch_source src;
    wb_time checked;     /* end of its last complete fetch (every listing read; documents
                            may have been refused); WB_TIME_NONE when never complete */
    size_t refused_docs; /* CSAF documents refused or not fetched at that fetch */
} wb_fetched_source;

typedef struct wb_fetched {
    wb_fetched_source *v; /* every source with a state file, sorted by name */
    size_t n;
    char *csaf; /* DIR/csaf when it holds a provider, else NULL */
    char *osv;  /* DIR/osv when it holds an all.zip, else NULL */
    char *kev;  /* the KEV file when present, else NULL */
    char *epss; /* the EPSS file when present, else NULL */
} wb_fetched;

/* What dir holds. A directory that does not exist gives an empty result
 * (not an error); an unreadable state file is WB_EPARSE naming it. */
int wb_fetched_list(const char *dir, wb_fetched *out, wb_error *err);
void wb_fetched_free(wb_fetched *f);

/* The dateReleased of a KEV catalogue (WB_TIME_NONE when it has none).
 * Errors name the file. */
int wb_kev_released(const char *path, wb_time *out, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
