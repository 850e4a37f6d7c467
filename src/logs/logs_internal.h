/*
 * logs_internal.h - helpers shared by the log readers in src/logs/: line
 * iteration, timestamp parsers handed to wb_scan_ts(), the Zeek field rules
 * used by both Zeek readers, shape tests, and the format tables.
 *
 * Everything here is re-entrant: readers run on several threads at once.
 */
#ifndef WB_LOGS_INTERNAL_H
#define WB_LOGS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "weerbaar/logs.h"
#include "weerbaar/normalize.h" /* wb_url_host */

/* ---- lines ---------------------------------------------------------------- */

/* One line of a block: [p, p+n) without its '\n' (and without a '\r' before
 * it). Returns false at the end of the block. *pos advances past the line. */
static inline bool wbi_next_line(const char *buf, size_t len, size_t *pos, const char **p,
                                 size_t *n)
{
    if (*pos >= len) return false;
    const char *start = buf + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    size_t l = nl ? (size_t)(nl - start) : len - *pos;
    *pos += l + (nl != NULL);
    if (l && start[l - 1] == '\r') l--;
    *p = start;
    *n = l;
    return true;
}

/* Number of lines in a block, a last line without '\n' included. */
uint64_t wbi_count_lines(const char *buf, size_t len);

/* True when the line holds only spaces and tabs. */
bool wbi_blank(const char *p, size_t n);

/* The loop every line-oriented reader shares: calls fn for each non-blank
 * line with its 0-based index in the block, stops at the first non-zero
 * return (WB_ENOMEM) and returns it, and sets s->lines. */
typedef int (*wbi_line_fn)(wb_scan *s, uint64_t line, const char *p, size_t n, void *ctx);
int wbi_scan_lines(wb_scan *s, const char *buf, size_t len, wbi_line_fn fn, void *ctx);

/* ---- timestamps (wb_ts_parser) -------------------------------------------- */

/* Unix seconds with an optional fraction. */
int wbi_ts_epoch(const char *s, size_t n, wb_time *out);
/* RFC 3339 / ISO 8601 (wb_time_parse). */
int wbi_ts_iso(const char *s, size_t n, wb_time *out);
/* Epoch seconds or ISO 8601, whichever the text is. */
int wbi_ts_any(const char *s, size_t n, wb_time *out);
/* Syslog "Mmm dd hh:mm:ss" (no year: the current UTC year, or the previous
 * one when that would put the time more than a day into the future). */
int wbi_ts_syslog(const char *s, size_t n, wb_time *out);
/* Same with an explicit "now", for tests. */
int wbi_ts_syslog_at(const char *s, size_t n, wb_time now, wb_time *out);
/* Apache/CLF "10/Oct/2000:13:55:36 -0700" (without the brackets). */
int wbi_ts_clf(const char *s, size_t n, wb_time *out);
/* BIND "01-Jan-2024 10:00:00.123" (UTC). */
int wbi_ts_bind(const char *s, size_t n, wb_time *out);

/* Length of a syslog "Mmm dd hh:mm:ss" or RFC 3339 prefix of a line (the
 * timestamp token only), 0 when the line starts with neither; *parser gets
 * the parser for it. */
size_t wbi_line_ts_prefix(const char *p, size_t n, wb_ts_parser *parser);

/* Month number 1..12 from a three-letter English abbreviation, 0 if none. */
unsigned wbi_month(const char *s);

/* ---- shapes --------------------------------------------------------------- */

bool wbi_is_ipv4(const char *p, size_t n);
/* Loose IPv6 shape: hex digits, colons (at least two) and dots only. */
bool wbi_is_ipv6(const char *p, size_t n);
static inline bool wbi_is_ip(const char *p, size_t n)
{
    return wbi_is_ipv4(p, n) || wbi_is_ipv6(p, n);
}

/* "host:port" -> host (an IPv6 literal in brackets loses them). */
void wbi_strip_port(const char **p, size_t *n);

/* ---- Zeek field rules (zeek.c, json.c) ------------------------------------ */

/* Zeek's generated identifiers and enum-like strings that never hold an
 * indicator (uid, fuid, conn_state, history, ...): not worth a lookup. */
bool wbi_zeek_skip_key(const char *name, size_t n);
/* Field names that hold addresses in Zeek logs although they do not end in
 * "_h" (tx_hosts, san.ip, ...). */
bool wbi_zeek_addr_key(const char *name, size_t n);

/* ---- detection ------------------------------------------------------------ */

/* Scores a buffer by the share of its first few non-blank lines that
 * line_ok() accepts, scaled to max. */
int wbi_detect_lines(const char *buf, size_t len, bool (*line_ok)(const char *p, size_t n),
                     int max);

/* ---- the formats ---------------------------------------------------------- */

extern const wb_logfmt wbi_fmt_zeek;
/* Tests only: true makes the Zeek TSV reader use its baseline block scan
 * even where the CPU has AVX2 (zeek.c), so both copies are tested. */
extern bool wbi_zeek_baseline_only;
extern const wb_logfmt wbi_fmt_zeek_json;
extern const wb_logfmt wbi_fmt_eve;
extern const wb_logfmt wbi_fmt_jsonl;
extern const wb_logfmt wbi_fmt_dns_bind;
extern const wb_logfmt wbi_fmt_dns_unbound;
extern const wb_logfmt wbi_fmt_dnsmasq;
extern const wb_logfmt wbi_fmt_clf;
extern const wb_logfmt wbi_fmt_squid;
extern const wb_logfmt wbi_fmt_nfdump_csv;
extern const wb_logfmt wbi_fmt_text;

#endif
