/*
 * intel.h - what the indicator loaders in src/intel/ share: the per-file
 * loading context, the MISP attribute-type table (also used by CSV files and
 * by warninglists' matching_attributes), value-based type guessing, and one
 * entry point per format.
 *
 * Every loader reports indicators through ctx->sink and fills ctx->err only
 * for problems that make the whole file unreadable.
 */
#ifndef WB_INTEL_INTEL_H
#define WB_INTEL_INTEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/ioc.h"

/* Largest file a loader reads when the caller sets no bound. */
#define WBI_DEFAULT_MAX_FILE ((size_t)1 << 30)

typedef struct wbi_ctx {
    const char *name;          /* file name used in messages ("where") */
    const char *source;        /* wb_ioc_in.source */
    const wb_intel_opts *opts; /* never NULL */
    wb_ioc_sink *sink;
    wb_error *err;
    wb_buf where; /* scratch: the "where" string of the current record */
    wb_buf tmp;   /* scratch: decoded values */
    wb_buf path;  /* MISP: JSON path of the current object, grown and cut back */
} wbi_ctx;

/* How a MISP attribute type maps onto weerbaar's indicator types. */
typedef enum wbi_split {
    WBI_WHOLE,      /* the whole value is one indicator of type `first` */
    WBI_AFTER_BAR,  /* "filename|hash": the part after the last '|' */
    WBI_BEFORE_BAR, /* "hostname|port": the part before the last '|' */
    WBI_BOTH        /* "domain|ip": `first` before the first '|', `second` after */
} wbi_split;

typedef struct wbi_misp_type {
    const char *name;
    wb_ioc_type first;
    wb_ioc_type second; /* only with WBI_BOTH */
    wbi_split split;
} wbi_misp_type;

/* The mapping of a MISP attribute type name (case-sensitive, as MISP writes
 * them), or NULL when weerbaar does not match that type. */
const wbi_misp_type *wbi_misp_type_find(const char *name, size_t n);
/* A static "unsupported attribute type 'x'" reason for skip() (a generic one
 * for types not in the table). */
const char *wbi_misp_unsupported_reason(const char *name, size_t n);
/* Bit mask (1u << wb_ioc_type) of the indicator types a MISP attribute type
 * name or a weerbaar type name stands for; 0 when none. */
uint32_t wbi_type_mask(const char *name, size_t n);

/* Splits a value according to a MISP type and adds the parts. A composite
 * value without its '|' is skipped with a reason. Returns 0 or the sink's
 * negative code. `base` supplies everything but type and value. */
int wbi_emit_misp(wbi_ctx *ctx, const wbi_misp_type *t, const wb_ioc_in *base);

/* Guesses a plain value's type: address or CIDR -> IP, "://" -> URL, hex of
 * 32/40/64 -> hash, '@' -> EMAIL, a name with a dot -> DOMAIN. false when the
 * value looks like none of them. */
bool wbi_guess_type(const char *v, size_t n, wb_ioc_type *out);

/* Calls the sink; on a negative return sets ctx->err (naming ioc->where)
 * unless the sink set it, and returns the code. */
int wbi_add(wbi_ctx *ctx, const wb_ioc_in *ioc);
void wbi_skip(wbi_ctx *ctx, const char *where, const char *reason);

/* "name:line" into ctx->where; returns its text. */
const char *wbi_where_line(wbi_ctx *ctx, size_t line);

/* Parses JSON (any root) with syntax errors reported as "name:line:col:
 * message". The caller owns *out (json_decref). */
int wbi_json_parse(wbi_ctx *ctx, const char *data, size_t len, json_t **out);
/* JSON scalar truthiness the way MISP exports write flags: true, 1, "1",
 * "true"/"True" are true; everything else is false. */
bool wbi_json_flag(const json_t *v);

/* Per-format loaders. JSON loaders take a validated document (jscan.h). */
struct wbi_jdoc;
int wbi_misp_load(wbi_ctx *ctx, struct wbi_jdoc *d);
int wbi_stix_load(wbi_ctx *ctx, struct wbi_jdoc *d);
/* True when a validated JSON document looks like STIX rather than MISP. */
bool wbi_stix_looks_like(const struct wbi_jdoc *d);
/* Takes a STIX pattern's values with base's event, TLP and where, or skips
 * the indicator as "unsupported STIX pattern". 0 or the sink's code. */
int wbi_stix_pattern(wbi_ctx *ctx, const wb_ioc_in *base, const char *s, size_t n);
/* Loads a MISP or STIX text (fmt, or decided by content for
 * WB_INTEL_AUTO) without a tree; `mapped` when data is a read-only file
 * mapping whose pages may be dropped behind the reader. */
int wbi_intel_json(wbi_ctx *ctx, wb_intel_format fmt, const char *data, size_t len, bool mapped);
/* The former loaders over a whole jansson tree, kept as the oracle of the
 * differential test (tests/intel/test_intel_stream.c): same contract. */
int wbi_intel_json_tree(wbi_ctx *ctx, wb_intel_format fmt, const char *data, size_t len);
int wbi_misp_load_tree(wbi_ctx *ctx, json_t *root);
int wbi_stix_load_tree(wbi_ctx *ctx, json_t *root);
bool wbi_stix_looks_like_tree(const json_t *root);
int wbi_zeek_load(wbi_ctx *ctx, const char *data, size_t len);
int wbi_csv_load(wbi_ctx *ctx, const char *data, size_t len);
/* True when the first line that is neither blank nor a comment has a comma
 * and names a value column (detection of CSV). */
bool wbi_csv_has_header(const char *data, size_t len);
int wbi_plain_load(wbi_ctx *ctx, const char *data, size_t len);

#endif
