/*
 * fetch_internal.h - the readers behind `weerbaar vuln fetch` that take
 * bytes from the network: a CSAF provider's provider-metadata.json, its ROLIE
 * feeds, the changes.csv / index.txt of its directory distributions, the
 * checksum files published beside each document, and ASCII-armoured OpenPGP
 * keys. They are pure functions over memory (no I/O), so that one fuzz
 * target (fuzz/fuzz_vulnfetch.c) and the unit tests reach all of them.
 *
 * The second half of this header is the download engine that fetch.c
 * offers the CSAF provider code in fetch_csaf.c.
 *
 * Every string they return lives in the arena of the structure that holds
 * it; free the structure to free them. Every URL they hand out is absolute
 * http(s), at most WBI_FETCH_MAX_URL bytes, and without control characters
 * or spaces.
 */
#ifndef WB_VULN_FETCH_INTERNAL_H
#define WB_VULN_FETCH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/vulnfetch.h"

#define WBI_FETCH_MAX_URL 4096
/* Bounds on what one provider may list: far beyond real providers (the
 * largest public CSAF providers have some 30,000 documents). */
#define WBI_FETCH_MAX_DOCS 1000000
#define WBI_FETCH_MAX_KEYS 64
#define WBI_FETCH_MAX_DISTS 256

typedef struct wbi_pm_key {
    const char *fingerprint; /* upper-case hex, no spaces (40 or 64 digits) */
    const char *url;         /* or NULL when the metadata gives none */
} wbi_pm_key;

typedef struct wbi_pm_feed {
    const char *url;
    const char *tlp; /* "WHITE", "CLEAR", "GREEN", ... as written; or NULL */
} wbi_pm_feed;

/* What vuln fetch needs from a provider-metadata.json (CSAF 2.0, 7.1.20). */
typedef struct wbi_provider_meta {
    wb_arena arena;
    const char *canonical_url; /* or NULL */
    const char *publisher;     /* publisher.name, or NULL */
    const char *role;          /* or NULL */
    const char *last_updated;  /* or NULL */
    wbi_pm_key *keys;
    size_t nkeys;
    const char **dirs; /* distributions[].directory_url, without a trailing '/' */
    size_t ndirs;
    wbi_pm_feed *feeds; /* distributions[].rolie.feeds[] */
    size_t nfeeds;
} wbi_provider_meta;

/* Parses a provider-metadata.json. name names it in messages. WB_EPARSE
 * "name: $.path: reason" for JSON that is not provider metadata (no
 * distributions, a URL that is not http(s), a fingerprint that is not hex);
 * WB_ELIMIT past the bounds above; WB_ENOMEM. On error *m is empty (freeing
 * it is still safe). */
int wbi_fetch_parse_metadata(const char *name, const char *data, size_t len, wbi_provider_meta *m,
                             wb_error *err);
void wbi_provider_meta_free(wbi_provider_meta *m);

/* One document a feed or listing names. */
typedef struct wbi_doc_ref {
    const char *url;
    const char *hash[2]; /* checksum file URLs (ROLIE rel="hash"); NULL when not given */
    const char *sig;     /* signature URL (ROLIE rel="signature"); or NULL */
    const char *updated; /* the time the listing gives (RFC 3339 text), or NULL */
} wbi_doc_ref;

typedef struct wbi_doc_list {
    wb_arena arena;
    wbi_doc_ref *v;
    size_t n, cap;
} wbi_doc_list;

/* Appends the entries of a ROLIE feed (RFC 8322; CSAF 2.0 7.1.21): for each
 * feed.entry[], link rel="self" (else content.src) as the document,
 * rel="hash" and rel="signature", and "updated". Entries without a document
 * URL are errors (the feed is refused: a feed that does not say what it
 * holds cannot be mirrored exactly). */
int wbi_fetch_parse_rolie(const char *name, const char *data, size_t len, wbi_doc_list *out,
                          wb_error *err);
/* Appends the documents of a directory distribution's changes.csv
 * ("path","time" per line; csv true) or index.txt (a path per line),
 * resolved against base_url (the directory_url). A path that is absolute,
 * leaves the directory (".."), or holds characters outside a URL path is an
 * error naming the line. */
int wbi_fetch_parse_listing(const char *name, const char *base_url, const char *data, size_t len,
                            bool csv, wbi_doc_list *out, wb_error *err);
void wbi_doc_list_free(wbi_doc_list *l);

/* The digest in a checksum file ("<hex>  <file name>" as sha256sum and
 * sha512sum write it, or the hex alone): *bits 256 or 512 from its length,
 * the digest decoded into out (64 bytes). WB_EPARSE otherwise. */
int wbi_fetch_parse_checksum(const char *data, size_t len, unsigned char out[64], unsigned *bits);

/* An OpenPGP key as gpgv reads it: the binary packets of an ASCII-armoured
 * "PUBLIC KEY BLOCK" (armour headers and the CRC line dropped), or the input
 * as it is when it is already binary. Appends to out. WB_EPARSE when it is
 * neither. */
int wbi_fetch_dearmor(const char *data, size_t len, wb_buf *out);

/* An http(s) URL that is safe to hand to curl and to log: 0, or WB_EINVAL. */
int wbi_fetch_url_ok(const char *url);

/* The local path (relative to the provider's folder) for a document URL:
 * its path below base (the directory of provider-metadata.json) when it is
 * under it, else "ext/HOST/PATH". Each segment is [A-Za-z0-9._+~-] and does
 * not start with '.'; the last ends in ".json". WB_EINVAL (message names the
 * URL) for anything else, so nothing outside the folder is ever written. */
int wbi_fetch_local_path(const char *base, const char *url, wb_buf *out, wb_error *err);

/* ---- the download engine (fetch.c), used by the CSAF provider (fetch_csaf.c) ---- */

/* Bounds per kind of file: far above the real ones (a CSAF document is
 * rarely 1 MB). */
#define WBI_FETCH_MAX_META ((uint64_t)16 << 20)
#define WBI_FETCH_MAX_LISTING ((uint64_t)256 << 20)
#define WBI_FETCH_MAX_DOC ((uint64_t)64 << 20)
#define WBI_FETCH_MAX_SMALL ((uint64_t)64 << 10) /* checksum files, signatures */
#define WBI_FETCH_MAX_KEY ((uint64_t)1 << 20)

/* One source's .fetch-state.json: {"kind", "url", "checked", "signatures",
 * "files": {LOCAL PATH: {"url", "etag", "last_modified", "size", "updated",
 * "checksum", "signed", "part_*"}}}. */
typedef struct wbi_fetch_state {
    char path[4600];
    json_t *root;
    json_t *files; /* borrowed from root */
} wbi_fetch_state;

/* One source's downloads: the curl handle, the caller's options, counts. */
typedef struct wbi_fetcher {
    const wb_fetch_opts *o;
    wb_fetch_stats *st;
    void *curl;         /* CURL * */
    size_t failed;      /* files reported through wbi_fetch_problem() */
    size_t docs_failed; /* of which CSAF documents (the source is still current) */
    int first_code;     /* the first failure's code */
    wb_error first;     /* and its message */
} wbi_fetcher;

/* Checks a downloaded file before it replaces the current copy: 0, or an
 * error naming what is wrong (the caller adds URL and file). */
typedef int (*wbi_fetch_check_fn)(void *ud, const char *tmp, wb_error *err);

enum { WBI_GOT_NEW, WBI_GOT_SAME };

/* Downloads url to dest (a path), conditional on the validators in entry
 * (a state "files" object, updated), resuming a partial file when the
 * server supports it, through a hidden ".NAME.part" that check() must
 * accept before it is renamed over dest. *got is WBI_GOT_SAME on 304; *code
 * the HTTP status (0 when none came). Errors name the URL (WB_ENOTFOUND for
 * 404/410), and the local file when it was refused. */
int wbi_fetch_get_file(wbi_fetcher *f, const char *url, const char *dest, json_t *entry,
                       uint64_t max, wbi_fetch_check_fn check, void *cud, int *got, long *code,
                       wb_error *err);
/* A small file into memory (replaced, NUL-terminated), unconditionally. */
int wbi_fetch_get_mem(wbi_fetcher *f, const char *url, uint64_t max, wb_buf *out, long *code,
                      wb_error *err);
/* A file's bytes as they are (no decompression), at most max. */
int wbi_fetch_read_small(const char *path, uint64_t max, char **data, size_t *len, wb_error *err);
/* Writes through a temporary sibling and a rename. */
int wbi_fetch_write_atomic(const char *path, const void *data, size_t len, wb_error *err);
bool wbi_fetch_is_file(const char *path);
/* The state entry of a local path, created empty when new; NULL when out of
 * memory. */
json_t *wbi_fetch_state_file(wbi_fetch_state *s, const char *rel);
const char *wbi_fetch_jget(const json_t *o, const char *k);
/* Sets a string member, or removes it when v is NULL or empty. */
void wbi_fetch_jset(json_t *o, const char *k, const char *v);
/* A file refused or not fetched: counted, kept as the first failure, and
 * handed to the caller's problem callback. */
void wbi_fetch_problem(wbi_fetcher *f, const wb_error *e);
void wbi_fetch_warn(wbi_fetcher *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Mirrors one CSAF provider into srcdir (fetch_csaf.c). Per-file failures go
 * through wbi_fetch_problem; the return value is for what stops the whole
 * provider (its metadata, --require-signatures, memory). */
int wbi_fetch_csaf(wbi_fetcher *f, wbi_fetch_state *s, const wb_fetch_source *src,
                   const char *srcdir, wb_error *err);

#endif
