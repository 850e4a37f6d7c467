/*
 * flow.c - flow records exported as CSV ("nfdump-csv"): `nfdump -o csv`
 * and other NetFlow/IPFIX CSV exports whose header names the address
 * columns (sa/da, srcaddr/dstaddr, src_ip/dst_ip, IPFIX names).
 *
 * Like Zeek TSV, the reader is driven by a header line, which only the first
 * block of a file holds, so the column layout is state carried between
 * blocks. nfdump ends its output with a "Summary" line and a summary
 * header and row: those are neither records nor malformed, and the state
 * remembers that the summary has begun in case it spans two blocks.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "logs/logs_internal.h"

#define CSV_MAX_COLS 512

enum { C_SKIP, C_IP, C_PORT, C_TS };
enum { SIDE_NONE, SIDE_SRC, SIDE_DST };

typedef struct ccol {
    unsigned char act, side;
    int port_col; /* C_IP: its port column or -1 */
    const char *name;
    size_t nlen;
} ccol;

typedef struct cstate {
    char *header; /* copy of the header line; names point into it */
    size_t ncols;
    ccol *cols;
    int ts_col;
    bool summary; /* inside nfdump's trailing summary */
} cstate;

static void cstate_free(void *p)
{
    cstate *st = p;
    if (!st) return;
    free(st->header);
    free(st->cols);
    free(st);
}

typedef struct cname {
    const char *name;
    unsigned char act, side;
} cname;

static const cname names[] = {
    {"sa", C_IP, SIDE_SRC},
    {"da", C_IP, SIDE_DST},
    {"srcaddr", C_IP, SIDE_SRC},
    {"dstaddr", C_IP, SIDE_DST},
    {"src_addr", C_IP, SIDE_SRC},
    {"dst_addr", C_IP, SIDE_DST},
    {"src_ip", C_IP, SIDE_SRC},
    {"dst_ip", C_IP, SIDE_DST},
    {"srcip", C_IP, SIDE_SRC},
    {"dstip", C_IP, SIDE_DST},
    {"sourceipv4address", C_IP, SIDE_SRC},
    {"destinationipv4address", C_IP, SIDE_DST},
    {"sourceipv6address", C_IP, SIDE_SRC},
    {"destinationipv6address", C_IP, SIDE_DST},
    {"sp", C_PORT, SIDE_SRC},
    {"dp", C_PORT, SIDE_DST},
    {"srcport", C_PORT, SIDE_SRC},
    {"dstport", C_PORT, SIDE_DST},
    {"src_port", C_PORT, SIDE_SRC},
    {"dst_port", C_PORT, SIDE_DST},
    {"sport", C_PORT, SIDE_SRC},
    {"dport", C_PORT, SIDE_DST},
    {"sourcetransportport", C_PORT, SIDE_SRC},
    {"destinationtransportport", C_PORT, SIDE_DST},
    {"ts", C_TS, SIDE_NONE},
    {"first", C_TS, SIDE_NONE},
    {"start", C_TS, SIDE_NONE},
    {"stime", C_TS, SIDE_NONE},
    {"starttime", C_TS, SIDE_NONE},
    {"timestamp", C_TS, SIDE_NONE},
    {"time", C_TS, SIDE_NONE},
    {NULL, 0, 0},
};

typedef struct tok {
    const char *p;
    size_t n;
} tok;

/* Trims spaces and one pair of surrounding double quotes. */
static tok trim(const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
        p++;
        n -= 2;
    }
    return (tok){p, n};
}

/* Splits a CSV line into at most max fields (commas inside double quotes do
 * not split); returns the number of fields, which may exceed max. */
static size_t split_csv(const char *p, size_t n, tok *t, size_t max)
{
    size_t k = 0, start = 0;
    bool q = false;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] == '"') q = !q;
        if (i == n || (p[i] == ',' && !q)) {
            if (k < max) t[k] = trim(p + start, i - start);
            k++;
            start = i + 1;
        }
    }
    return k;
}

static const cname *lookup(tok t)
{
    for (size_t i = 0; names[i].name; i++)
        if (wb_strn_ieq(t.p, t.n, names[i].name)) return &names[i];
    return NULL;
}

/* A header line: every field a name and at least one address column. */
static bool is_header(const char *p, size_t n)
{
    tok first = trim(p, n);
    /* Data lines start with a number or an address: stay cheap for them. */
    if (!first.n || wb_lower(first.p[0]) < 'a' || wb_lower(first.p[0]) > 'z') return false;
    tok t[CSV_MAX_COLS];
    size_t k = split_csv(p, n, t, CSV_MAX_COLS);
    bool addr = false;
    if (k < 2 || k > CSV_MAX_COLS) return false;
    for (size_t i = 0; i < k; i++) {
        if (!t[i].n) return false;
        char c = wb_lower(t[i].p[0]);
        if (c < 'a' || c > 'z') return false;
        for (size_t j = 0; j < t[i].n; j++) {
            char d = wb_lower(t[i].p[j]);
            if (!((d >= 'a' && d <= 'z') || (d >= '0' && d <= '9') || d == '_' || d == ' ' ||
                  d == '-' || d == '.'))
                return false;
        }
        const cname *c2 = lookup(t[i]);
        addr |= c2 && c2->act == C_IP;
    }
    return addr;
}

static cstate *cstate_from_header(const char *p, size_t n)
{
    cstate *st = calloc(1, sizeof *st);
    if (!st) return NULL;
    st->header = malloc(n + 1);
    tok t[CSV_MAX_COLS];
    size_t k = split_csv(p, n, t, CSV_MAX_COLS);
    st->cols = calloc(k ? k : 1, sizeof *st->cols);
    if (!st->header || !st->cols) {
        cstate_free(st);
        return NULL;
    }
    memcpy(st->header, p, n);
    st->header[n] = '\0';
    st->ncols = k;
    st->ts_col = -1;
    for (size_t i = 0; i < k; i++) {
        const cname *c = lookup(t[i]);
        ccol *col = &st->cols[i];
        col->name = st->header + (t[i].p - p);
        col->nlen = t[i].n;
        col->port_col = -1;
        if (!c) continue;
        col->act = c->act;
        col->side = c->side;
        if (c->act == C_TS && st->ts_col < 0) st->ts_col = (int)i;
    }
    for (size_t i = 0; i < k; i++) {
        if (st->cols[i].act != C_IP) continue;
        for (size_t j = 0; j < k; j++)
            if (st->cols[j].act == C_PORT && st->cols[j].side == st->cols[i].side) {
                st->cols[i].port_col = (int)j;
                break;
            }
    }
    return st;
}

/* After "Summary" only a new header line matters: the columns go. */
static cstate *cstate_summary(void)
{
    cstate *st = calloc(1, sizeof *st);
    if (st) {
        st->summary = true;
        st->ts_col = -1;
    }
    return st;
}

static bool port_of(tok t, unsigned *port)
{
    int64_t v;
    if (wb_parse_i64(t.p, t.n, 0, 65535, &v)) return false;
    *port = (unsigned)v;
    return true;
}

typedef struct frec {
    const cstate *st;
    const tok *t;
} frec;

static bool col_is(const ccol *c, const char *lit)
{
    return strlen(lit) == c->nlen && strncasecmp(c->name, lit, c->nlen) == 0;
}

/* The flow of the current record (wb_ctx_fn): the first source and
 * destination address and port columns, and the protocol. */
static void flow_ctx(wb_scan *s, const void *arg)
{
    const frec *r = arg;
    for (size_t i = 0; i < r->st->ncols; i++) {
        const ccol *c = &r->st->cols[i];
        tok v = r->t[i];
        if (c->act == C_IP)
            wb_scan_ctx(s, c->side == SIDE_SRC ? WB_CTX_ORIG_H : WB_CTX_RESP_H, v.p, v.n);
        else if (c->act == C_PORT)
            wb_scan_ctx(s, c->side == SIDE_SRC ? WB_CTX_ORIG_P : WB_CTX_RESP_P, v.p, v.n);
        else if (col_is(c, "pr") || col_is(c, "proto") || col_is(c, "protocol"))
            wb_scan_ctx(s, WB_CTX_PROTO, v.p, v.n);
    }
}

static int csv_scan(const void *state, void **state_out, wb_scan *s, const char *buf, size_t len,
                    const wb_logopts *opts)
{
    (void)opts;
    const cstate *cur = state;
    cstate *own = NULL;
    size_t pos = 0;
    uint64_t line = 0;
    const char *p;
    size_t n;
    tok t[CSV_MAX_COLS];
    *state_out = NULL;
    while (wbi_next_line(buf, len, &pos, &p, &n)) {
        uint64_t ln = line++;
        if (wbi_blank(p, n)) continue;
        tok whole = trim(p, n);
        bool summary = whole.n == 7 && memcmp(whole.p, "Summary", 7) == 0;
        if (summary || is_header(p, n)) {
            cstate *st = summary ? cstate_summary() : cstate_from_header(p, n);
            if (!st) {
                cstate_free(own);
                return WB_ENOMEM;
            }
            cstate_free(own);
            own = st;
            cur = st;
            continue;
        }
        if (cur && cur->summary) continue;
        if (!cur || !cur->ncols) {
            wb_scan_malformed(s, ln, "CSV flows: no header line naming the address columns");
            continue;
        }
        size_t k = split_csv(p, n, t, CSV_MAX_COLS);
        if (k != cur->ncols) {
            wb_scan_malformed(s, ln, "CSV flows: wrong number of fields");
            continue;
        }
        wb_scan_record(s, ln);
        frec fr = {cur, t};
        wb_scan_ctx_source(s, flow_ctx, &fr);
        if (cur->ts_col >= 0 && t[cur->ts_col].n)
            wb_scan_ts(s, t[cur->ts_col].p, t[cur->ts_col].n, wbi_ts_any);
        for (size_t i = 0; i < k; i++) {
            const ccol *c = &cur->cols[i];
            if (c->act != C_IP || !t[i].n) continue;
            wb_scan_value(s, c->name, c->nlen, t[i].p, t[i].n, WB_V_IP);
            unsigned port;
            if (c->port_col >= 0 && !s->no_ip_port && port_of(t[c->port_col], &port))
                wb_scan_ip_port(s, c->name, c->nlen, t[i].p, t[i].n, port);
        }
    }
    s->lines = line;
    *state_out = own;
    return 0;
}

static int csv_detect(const char *buf, size_t len)
{
    size_t pos = 0;
    const char *p;
    size_t n;
    while (wbi_next_line(buf, len, &pos, &p, &n))
        if (!wbi_blank(p, n)) return is_header(p, n) ? 90 : 0;
    return 0;
}

const wb_logfmt wbi_fmt_nfdump_csv = {
    .name = "nfdump-csv",
    .summary = "NetFlow/IPFIX flows as CSV: nfdump -o csv and exports naming sa/da, "
               "srcaddr/dstaddr or src_ip/dst_ip",
    .checks = "source and destination address as IP, each with its port as IP|port; ts",
    .detect = csv_detect,
    .scan = csv_scan,
    .state_free = cstate_free,
};
