/*
 * cmd_match_out.c - prints the sightings of `weerbaar match` in each --format,
 * applies grep's -c, -l, -q and -m, and keeps the --summary (see
 * cmd_match_out.h). Every format takes the same fields, in the same order, from
 * one place (sighting_json), so jsonl, json and csv cannot disagree;
 * docs/match.md documents them field by field.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cmd_match_out.h"
#include "weerbaar/core.h"

#define TABLE_HOLD 1000 /* rows held back to size a table's columns */
#define MATCHED_MAX 48  /* table: a matched value longer than this is cut unless --wide */

/* ---- a string set that hands out dense ids ------------------------------------ */

typedef struct strmap {
    char **keys;     /* by id */
    uint32_t *slots; /* id + 1, 0 = empty */
    size_t n, cap;   /* cap: slots, a power of two */
} strmap;

#define SEED 0x6d617463686f7574ULL

/* The id of key, added when new; -1 when out of memory. */
static int64_t strmap_id(strmap *m, const char *key)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        uint32_t *ns = calloc(cap, sizeof *ns);
        char **nk = realloc(m->keys, cap / 2 * sizeof *nk);
        if (ns == NULL || nk == NULL) {
            free(ns);
            if (nk) m->keys = nk;
            return -1;
        }
        m->keys = nk;
        for (size_t i = 0; i < m->n; i++) {
            size_t h = wb_hash64(nk[i], strlen(nk[i]), SEED) & (cap - 1);
            while (ns[h])
                h = (h + 1) & (cap - 1);
            ns[h] = (uint32_t)i + 1;
        }
        free(m->slots);
        m->slots = ns;
        m->cap = cap;
    }
    size_t h = wb_hash64(key, strlen(key), SEED) & (m->cap - 1);
    while (m->slots[h]) {
        if (strcmp(m->keys[m->slots[h] - 1], key) == 0) return m->slots[h] - 1;
        h = (h + 1) & (m->cap - 1);
    }
    char *k = strdup(key);
    if (k == NULL) return -1;
    m->keys[m->n] = k;
    m->slots[h] = (uint32_t)m->n + 1;
    return (int64_t)m->n++;
}

static void strmap_free(strmap *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->slots);
}

/* ---- the summary -------------------------------------------------------------- */

typedef struct seen {
    uint64_t hits;
    wb_time first, last;
} seen;

typedef struct sum_ioc {
    seen s;
    char *value, *type, *event, *tlp;
} sum_ioc;

typedef struct pair {
    uint32_t ioc, host;
} pair;

static void seen_add(seen *s, wb_time t)
{
    s->hits++;
    if (t == WB_TIME_NONE) return;
    if (s->first == WB_TIME_NONE || t < s->first) s->first = t;
    if (s->last == WB_TIME_NONE || t > s->last) s->last = t;
}

/* ---- state ---------------------------------------------------------------------- */

struct wb_cli_mout {
    wb_cli_mout_opts o;
    uint64_t selected;
    bool failed;
    bool started; /* json: "[" written; zeek: header written; csv: header */
    /* per file (input order): -c, -l, -m */
    char *file;
    uint64_t file_hits;
    /* table */
    char **rows; /* TABLE_HOLD rows of NCOLS cells */
    size_t nrows;
    size_t width[16];
    bool table_flushed;
    /* summary */
    strmap iocs, hosts, pairs;
    sum_ioc *ioc;
    seen *host;
    size_t ioc_cap, host_cap;
};

int wb_cli_mout_new(wb_cli_mout **out, const wb_cli_mout_opts *opts)
{
    wb_cli_mout *o = calloc(1, sizeof *o);
    if (o == NULL) return WB_ENOMEM;
    o->o = *opts;
    *out = o;
    return 0;
}

uint64_t wb_cli_mout_selected(const wb_cli_mout *o)
{
    return o->selected;
}

bool wb_cli_mout_write_failed(const wb_cli_mout *o)
{
    return o->failed;
}

/* ---- one sighting as JSON ------------------------------------------------------- */

/* A string jansson accepts: log bytes that are not UTF-8 become '?'. */
static json_t *jstr(const char *s)
{
    if (s == NULL) return json_null();
    json_t *j = json_string(s);
    if (j) return j;
    size_t n = strlen(s);
    char *c = malloc(n + 1);
    if (c == NULL) return json_null();
    for (size_t i = 0; i <= n; i++)
        c[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
    j = json_string(c);
    free(c);
    return j ? j : json_null();
}

static json_t *jport(const char *s)
{
    int64_t v;
    if (s == NULL || wb_parse_i64(s, strlen(s), 0, 65535, &v) != 0) return jstr(s);
    return json_integer((json_int_t)v);
}

static json_t *jflow_id(const char *s)
{
    int64_t v;
    if (s == NULL || wb_parse_i64(s, strlen(s), 0, INT64_MAX, &v) != 0) return jstr(s);
    return json_integer((json_int_t)v);
}

/* The fields of one sighting, in the documented order (docs/match.md). */
static json_t *sighting_json(const wb_cli_mout *o, const wb_sighting *s, const wb_sighting_where *w)
{
    char ts[40];
    if (s->ts != WB_TIME_NONE) wb_time_format(s->ts, ts, sizeof ts);
    json_t *j = json_object();
    json_object_set_new(j, "indicator", jstr(s->ioc->value));
    json_object_set_new(j, "type", jstr(wb_ioc_type_name(s->ioc->type)));
    json_object_set_new(j, "matched", jstr(s->matched));
    json_object_set_new(j, "field", jstr(s->field));
    json_object_set_new(j, "file", jstr(s->file));
    json_object_set_new(j, "line", json_integer((json_int_t)s->line));
    json_object_set_new(j, "ts", s->ts != WB_TIME_NONE ? json_string(ts) : json_null());
    json_object_set_new(j, "event", jstr(s->ioc->event));
    json_object_set_new(j, "attribute", jstr(s->ioc->attribute));
    json_object_set_new(j, "source", jstr(s->ioc->source));
    json_object_set_new(j, "tlp", jstr(wb_tlp_name(s->ioc->tlp)));
    json_object_set_new(j, "uid", jstr(s->ctx[WB_CTX_UID]));
    json_object_set_new(j, "flow_id", jflow_id(s->ctx[WB_CTX_FLOW_ID]));
    json_object_set_new(j, "community_id", jstr(s->ctx[WB_CTX_COMMUNITY_ID]));
    json_object_set_new(j, "orig_h", jstr(s->ctx[WB_CTX_ORIG_H]));
    json_object_set_new(j, "orig_p", jport(s->ctx[WB_CTX_ORIG_P]));
    json_object_set_new(j, "resp_h", jstr(s->ctx[WB_CTX_RESP_H]));
    json_object_set_new(j, "resp_p", jport(s->ctx[WB_CTX_RESP_P]));
    json_object_set_new(j, "proto", jstr(s->ctx[WB_CTX_PROTO]));
    json_object_set_new(j, "side", jstr(wb_side_name(w->side)));
    json_object_set_new(j, "internal", jstr(w->internal));
    json_object_set_new(j, "direction", jstr(wb_direction_name(w->direction)));
    (void)o;
    return j;
}

static void put(wb_cli_mout *o, int rc)
{
    if (rc < 0) o->failed = true;
}

/* Through a buffer: json_dumpf writes piece by piece into stdio, which was
 * a third of the time of a jsonl line. */
static void write_json(wb_cli_mout *o, json_t *j, size_t flags)
{
    char buf[8192];
    size_t n = json_dumpb(j, buf, sizeof buf, flags | JSON_PRESERVE_ORDER);
    if (n > 0 && n <= sizeof buf) {
        if (fwrite(buf, 1, n, o->o.out) != n) o->failed = true;
    } else if (json_dumpf(j, o->o.out, flags | JSON_PRESERVE_ORDER) != 0) {
        o->failed = true;
    }
}

/* ---- csv ------------------------------------------------------------------------- */

static void csv_cell(wb_cli_mout *o, const char *v, bool last)
{
    FILE *f = o->o.out;
    if (v && strpbrk(v, ",\"\r\n")) {
        put(o, fputc('"', f));
        for (const char *p = v; *p; p++) {
            if (*p == '"') put(o, fputc('"', f));
            put(o, fputc(*p, f));
        }
        put(o, fputc('"', f));
    } else if (v) {
        put(o, fputs(v, f));
    }
    put(o, fputs(last ? "\r\n" : ",", f));
}

/* A row from the JSON object: strings as they are, numbers in decimal,
 * null as an empty cell. */
static void csv_row(wb_cli_mout *o, json_t *j)
{
    const char *k;
    json_t *v;
    size_t i = 0, n = json_object_size(j);
    if (!o->started) {
        json_object_foreach(j, k, v) csv_cell(o, k, ++i == n);
        o->started = true;
        i = 0;
    }
    json_object_foreach(j, k, v)
    {
        char num[32];
        const char *cell = NULL;
        if (json_is_string(v)) {
            cell = json_string_value(v);
        } else if (json_is_integer(v)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            cell = num;
        }
        csv_cell(o, cell, ++i == n);
    }
}

/* ---- table ------------------------------------------------------------------------ */

enum { NCOLS = 9 };
static const char *const table_head[NCOLS] = {
    "TIME (UTC)", "INTERNAL", "DIR", "INDICATOR", "FIELD", "MATCHED", "EVENT", "FLOW", "WHERE"};

/* Columns on a terminal: UTF-8 continuation bytes take none. */
static size_t cols_of(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static char *dup_or_dash(const char *s)
{
    return strdup(s && *s ? s : "-");
}

static void table_print_row(wb_cli_mout *o, char **cells)
{
    for (int c = 0; c < NCOLS; c++) {
        const char *v = cells[c];
        put(o, fputs(v, o->o.out));
        if (c + 1 < NCOLS) {
            size_t pad = o->width[c] > cols_of(v) ? o->width[c] - cols_of(v) : 0;
            put(o, fprintf(o->o.out, "%*s", (int)(pad + 2), ""));
        }
    }
    put(o, fputc('\n', o->o.out));
}

/* Sizes the columns from the rows held back, prints them and the header. */
static void table_flush(wb_cli_mout *o)
{
    if (o->table_flushed) return;
    o->table_flushed = true;
    for (int c = 0; c < NCOLS; c++)
        o->width[c] = cols_of(table_head[c]);
    for (size_t r = 0; r < o->nrows; r++)
        for (int c = 0; c < NCOLS; c++) {
            size_t w = cols_of(o->rows[r * NCOLS + c]);
            if (w > o->width[c]) o->width[c] = w;
        }
    table_print_row(o, (char **)table_head);
    for (size_t r = 0; r < o->nrows; r++)
        table_print_row(o, &o->rows[r * NCOLS]);
}

static void table_row(wb_cli_mout *o, const wb_sighting *s, const wb_sighting_where *w)
{
    char ts[40] = "-", where[64];
    if (s->ts != WB_TIME_NONE) {
        wb_time_format(s->ts - s->ts % 1000000, ts, sizeof ts);
        ts[19] = '\0'; /* seconds are enough for a table */
    }
    char *cells[NCOLS];
    cells[0] = strdup(ts);
    cells[1] = dup_or_dash(w->internal);
    cells[2] = dup_or_dash(wb_direction_name(w->direction));
    cells[3] = dup_or_dash(s->ioc->value);
    cells[4] = dup_or_dash(s->field);
    /* The matched value is free text from the log: cut, marked, unless --wide. */
    size_t ml = strlen(s->matched);
    if (!o->o.wide && cols_of(s->matched) > MATCHED_MAX) {
        size_t k = 0, cols = 0;
        while (k < ml && cols < MATCHED_MAX - 1) {
            k++;
            while (k < ml && ((unsigned char)s->matched[k] & 0xc0) == 0x80)
                k++;
            cols++;
        }
        cells[5] = malloc(k + 4);
        if (cells[5]) {
            memcpy(cells[5], s->matched, k);
            memcpy(cells[5] + k, "\xe2\x80\xa6", 4); /* … */
        }
    } else {
        cells[5] = dup_or_dash(s->matched);
    }
    cells[6] = dup_or_dash(s->ioc->event);
    const char *flow = s->ctx[WB_CTX_UID]       ? s->ctx[WB_CTX_UID]
                       : s->ctx[WB_CTX_FLOW_ID] ? s->ctx[WB_CTX_FLOW_ID]
                                                : s->ctx[WB_CTX_COMMUNITY_ID];
    cells[7] = dup_or_dash(flow);
    snprintf(where, sizeof where, ":%llu", (unsigned long long)s->line);
    size_t fl = strlen(s->file), wl = strlen(where);
    cells[8] = malloc(fl + wl + 1);
    if (cells[8]) {
        memcpy(cells[8], s->file, fl);
        memcpy(cells[8] + fl, where, wl + 1);
    }
    bool oom = false;
    for (int c = 0; c < NCOLS; c++)
        oom |= cells[c] == NULL;
    if (!oom && !o->table_flushed && !o->o.stream && o->nrows < TABLE_HOLD) {
        if (o->rows == NULL) o->rows = calloc(TABLE_HOLD * NCOLS, sizeof *o->rows);
        if (o->rows) {
            memcpy(&o->rows[o->nrows * NCOLS], cells, sizeof cells);
            o->nrows++;
            return;
        }
    }
    if (oom) {
        o->failed = true;
    } else {
        table_flush(o);
        table_print_row(o, cells);
    }
    for (int c = 0; c < NCOLS; c++)
        free(cells[c]);
}

/* ---- zeek intel.log ------------------------------------------------------------ */

/* Zeek's ASCII writer: the separators, backslash and unprintable bytes as
 * \xNN, and a value that reads as the unset or empty marker escaped. */
static void zeek_field(wb_cli_mout *o, const char *v, bool set, bool last)
{
    FILE *f = o->o.out;
    if (v == NULL || *v == '\0') {
        put(o, fputc('-', f));
    } else if (strcmp(v, "-") == 0) {
        put(o, fputs("\\x2d", f));
    } else {
        for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
            if (*p < 0x20 || *p == 0x7f || *p == '\\' || (set && *p == ','))
                put(o, fprintf(f, "\\x%02x", *p));
            else
                put(o, fputc(*p, f));
        }
    }
    put(o, fputc(last ? '\n' : '\t', f));
}

static const char *zeek_intel_type(wb_ioc_type t)
{
    switch (t) {
    case WB_IOC_IP:
    case WB_IOC_IP_PORT:
        return "Intel::ADDR";
    case WB_IOC_CIDR:
        return "Intel::SUBNET";
    case WB_IOC_DOMAIN:
    case WB_IOC_HOSTNAME:
        return "Intel::DOMAIN";
    case WB_IOC_URL:
        return "Intel::URL";
    case WB_IOC_MD5:
    case WB_IOC_SHA1:
    case WB_IOC_SHA256:
        return "Intel::FILE_HASH";
    case WB_IOC_EMAIL:
        return "Intel::EMAIL";
    case WB_IOC_TYPE_COUNT:
        break;
    }
    return "Intel::ADDR";
}

/* Zeek's Intel::Where for the fields its own scripts watch. */
static const char *zeek_where(const char *field)
{
    static const char *const map[][2] = {
        {"id.orig_h", "Conn::IN_ORIG"},
        {"id.resp_h", "Conn::IN_RESP"},
        {"query", "DNS::IN_REQUEST"},
        {"answers", "DNS::IN_RESPONSE"},
        {"host", "HTTP::IN_HOST_HEADER"},
        {"host+uri", "HTTP::IN_URL"},
        {"referrer", "HTTP::IN_REFERRER_HEADER"},
        {"user_agent", "HTTP::IN_USER_AGENT_HEADER"},
        {"server_name", "SSL::IN_SERVER_NAME"},
        {"md5", "Files::IN_HASH"},
        {"sha1", "Files::IN_HASH"},
        {"sha256", "Files::IN_HASH"},
        {"mailfrom", "SMTP::IN_MAIL_FROM"},
        {"rcptto", "SMTP::IN_RCPT_TO"},
        {"san.dns", "X509::IN_CERT"},
        {"certificate.subject", "X509::IN_CERT"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], field) == 0) return map[i][1];
    return "Intel::IN_ANYWHERE";
}

static void zeek_header(wb_cli_mout *o)
{
    char open[40];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(open, sizeof open, "%Y-%m-%d-%H-%M-%S", &tm);
    put(o, fprintf(o->o.out,
                   "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
                   "#unset_field\t-\n#path\tintel\n#open\t%s\n"
                   "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\t"
                   "seen.indicator\tseen.indicator_type\tseen.where\tseen.node\tmatched\t"
                   "sources\tfuid\tfile_mime_type\tfile_desc\n"
                   "#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tenum\tenum\tstring\t"
                   "set[enum]\tset[string]\tstring\tstring\tstring\n",
                   open));
}

static void zeek_row(wb_cli_mout *o, const wb_sighting *s)
{
    if (!o->started) {
        zeek_header(o);
        o->started = true;
    }
    char ts[40] = "-";
    if (s->ts != WB_TIME_NONE)
        snprintf(ts, sizeof ts, "%lld.%06lld", (long long)(s->ts / 1000000),
                 (long long)(s->ts % 1000000));
    /* What was seen: an address hit is an address even when a CIDR or an
     * address|port indicator matched it. */
    char seen_v[300];
    snprintf(seen_v, sizeof seen_v, "%s", s->matched);
    wb_ioc_type t = s->ioc->type;
    if (t == WB_IOC_IP_PORT) {
        char *bar = strchr(seen_v, '|');
        if (bar) *bar = '\0';
    }
    const char *seen_type = t == WB_IOC_CIDR ? "Intel::ADDR" : zeek_intel_type(t);
    zeek_field(o, ts, false, false);
    zeek_field(o, s->ctx[WB_CTX_UID], false, false);
    zeek_field(o, s->ctx[WB_CTX_ORIG_H], false, false);
    zeek_field(o, s->ctx[WB_CTX_ORIG_P], false, false);
    zeek_field(o, s->ctx[WB_CTX_RESP_H], false, false);
    zeek_field(o, s->ctx[WB_CTX_RESP_P], false, false);
    zeek_field(o, seen_v, false, false);
    zeek_field(o, seen_type, false, false);
    zeek_field(o, zeek_where(s->field), false, false);
    zeek_field(o, "weerbaar", false, false);
    zeek_field(o, zeek_intel_type(t), true, false);
    zeek_field(o, s->ioc->event ? s->ioc->event : s->ioc->source, true, false);
    zeek_field(o, NULL, false, false);
    zeek_field(o, NULL, false, false);
    zeek_field(o, NULL, false, true);
}

/* ---- summary -------------------------------------------------------------------- */

static int summary_add(wb_cli_mout *o, const wb_sighting *s, const wb_sighting_where *w)
{
    const char *type = wb_ioc_type_name(s->ioc->type);
    const char *ev = s->ioc->event ? s->ioc->event : "";
    wb_buf key = {0};
    if (wb_buf_printf(&key, "%s\t%s\t%s", type, s->ioc->value, ev) != 0) return WB_ENOMEM;
    int64_t id = strmap_id(&o->iocs, key.data);
    wb_buf_free(&key);
    if (id < 0) return WB_ENOMEM;
    if ((size_t)id >= o->ioc_cap) {
        size_t cap = o->ioc_cap ? o->ioc_cap * 2 : 64;
        sum_ioc *n = realloc(o->ioc, cap * sizeof *n);
        if (n == NULL) return WB_ENOMEM;
        memset(n + o->ioc_cap, 0, (cap - o->ioc_cap) * sizeof *n);
        o->ioc = n;
        o->ioc_cap = cap;
    }
    sum_ioc *si = &o->ioc[id];
    if (si->s.hits == 0) {
        const char *tlp = wb_tlp_name(s->ioc->tlp);
        si->s.first = si->s.last = WB_TIME_NONE;
        si->value = strdup(s->ioc->value);
        si->type = strdup(type);
        si->event = s->ioc->event ? strdup(s->ioc->event) : NULL;
        si->tlp = tlp ? strdup(tlp) : NULL;
        if (si->value == NULL || si->type == NULL) return WB_ENOMEM;
    }
    seen_add(&si->s, s->ts);
    if (w->internal == NULL) return 0;
    int64_t h = strmap_id(&o->hosts, w->internal);
    if (h < 0) return WB_ENOMEM;
    if ((size_t)h >= o->host_cap) {
        size_t cap = o->host_cap ? o->host_cap * 2 : 64;
        seen *n = realloc(o->host, cap * sizeof *n);
        if (n == NULL) return WB_ENOMEM;
        for (size_t i = o->host_cap; i < cap; i++)
            n[i] = (seen){0, WB_TIME_NONE, WB_TIME_NONE};
        o->host = n;
        o->host_cap = cap;
    }
    seen_add(&o->host[h], s->ts);
    char pk[32];
    snprintf(pk, sizeof pk, "%lld %lld", (long long)id, (long long)h);
    return strmap_id(&o->pairs, pk) < 0 ? WB_ENOMEM : 0;
}

static json_t *jtime(wb_time t)
{
    char b[40];
    if (t == WB_TIME_NONE) return json_null();
    wb_time_format(t, b, sizeof b);
    return json_string(b);
}

typedef struct sort_ctx {
    const wb_cli_mout *o;
    bool hosts;
} sort_ctx;

static const sort_ctx *sort_by; /* qsort has no user pointer; set only while sorting */

/* Most hits first, then by name: a stable order for the same input. */
static int cmp_ids(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const wb_cli_mout *o = sort_by->o;
    uint64_t hx = sort_by->hosts ? o->host[x].hits : o->ioc[x].s.hits;
    uint64_t hy = sort_by->hosts ? o->host[y].hits : o->ioc[y].s.hits;
    if (hx != hy) return hx > hy ? -1 : 1;
    const char *nx = sort_by->hosts ? o->hosts.keys[x] : o->iocs.keys[x];
    const char *ny = sort_by->hosts ? o->hosts.keys[y] : o->iocs.keys[y];
    return strcmp(nx, ny);
}

static uint32_t *sorted_ids(const wb_cli_mout *o, bool hosts, size_t n)
{
    uint32_t *ids = malloc((n ? n : 1) * sizeof *ids);
    if (ids == NULL) return NULL;
    for (size_t i = 0; i < n; i++)
        ids[i] = (uint32_t)i;
    sort_ctx sc = {o, hosts};
    sort_by = &sc;
    qsort(ids, n, sizeof *ids, cmp_ids);
    sort_by = NULL;
    return ids;
}

/* The summary as JSON: {"indicators": [...], "hosts": [...]}. Lists of
 * hosts and indicators are sorted by name. */
static json_t *summary_json(const wb_cli_mout *o)
{
    size_t ni = o->iocs.n, nh = o->hosts.n;
    json_t **ih = calloc(ni ? ni : 1, sizeof *ih), **hi = calloc(nh ? nh : 1, sizeof *hi);
    uint32_t *iorder = sorted_ids(o, false, ni), *horder = sorted_ids(o, true, nh);
    json_t *root = json_object(), *ia = json_array(), *ha = json_array();
    if (!ih || !hi || !iorder || !horder || !root) goto out;
    for (size_t i = 0; i < ni; i++)
        ih[i] = json_array();
    for (size_t i = 0; i < nh; i++)
        hi[i] = json_array();
    /* pairs are "IOC HOST" */
    for (size_t p = 0; p < o->pairs.n; p++) {
        unsigned long long a, b;
        if (sscanf(o->pairs.keys[p], "%llu %llu", &a, &b) != 2) continue;
        json_array_append_new(ih[a], json_string(o->hosts.keys[b]));
        json_array_append_new(hi[b], json_string(o->ioc[a].value));
    }
    for (size_t k = 0; k < ni; k++) {
        uint32_t i = iorder[k];
        const sum_ioc *s = &o->ioc[i];
        json_t *j = json_object();
        json_object_set_new(j, "indicator", json_string(s->value));
        json_object_set_new(j, "type", json_string(s->type));
        json_object_set_new(j, "hits", json_integer((json_int_t)s->s.hits));
        json_object_set_new(j, "first_seen", jtime(s->s.first));
        json_object_set_new(j, "last_seen", jtime(s->s.last));
        json_object_set_new(j, "internal_hosts", ih[i]);
        ih[i] = NULL;
        json_object_set_new(j, "event", s->event ? json_string(s->event) : json_null());
        json_object_set_new(j, "tlp", s->tlp ? json_string(s->tlp) : json_null());
        json_array_append_new(ia, j);
    }
    for (size_t k = 0; k < nh; k++) {
        uint32_t h = horder[k];
        json_t *j = json_object();
        json_object_set_new(j, "host", json_string(o->hosts.keys[h]));
        json_object_set_new(j, "hits", json_integer((json_int_t)o->host[h].hits));
        json_object_set_new(j, "first_seen", jtime(o->host[h].first));
        json_object_set_new(j, "last_seen", jtime(o->host[h].last));
        json_object_set_new(j, "indicators", hi[h]);
        hi[h] = NULL;
        json_array_append_new(ha, j);
    }
out:
    for (size_t i = 0; ih && i < ni; i++)
        json_decref(ih[i]);
    for (size_t i = 0; hi && i < nh; i++)
        json_decref(hi[i]);
    free(ih);
    free(hi);
    free(iorder);
    free(horder);
    if (root == NULL) {
        json_decref(ia);
        json_decref(ha);
        return NULL;
    }
    /* sorted lists inside each entry, so output does not depend on order of arrival */
    size_t idx;
    json_t *e;
    json_array_foreach(ia, idx, e)
    {
        json_t *l = json_object_get(e, "internal_hosts");
        size_t n = json_array_size(l);
        for (size_t a = 1; a < n; a++)
            for (size_t b = a; b > 0 && strcmp(json_string_value(json_array_get(l, b - 1)),
                                               json_string_value(json_array_get(l, b))) > 0;
                 b--) {
                json_t *t = json_incref(json_array_get(l, b - 1));
                json_array_set(l, b - 1, json_array_get(l, b));
                json_array_set_new(l, b, t);
            }
    }
    json_array_foreach(ha, idx, e)
    {
        json_t *l = json_object_get(e, "indicators");
        size_t n = json_array_size(l);
        for (size_t a = 1; a < n; a++)
            for (size_t b = a; b > 0 && strcmp(json_string_value(json_array_get(l, b - 1)),
                                               json_string_value(json_array_get(l, b))) > 0;
                 b--) {
                json_t *t = json_incref(json_array_get(l, b - 1));
                json_array_set(l, b - 1, json_array_get(l, b));
                json_array_set_new(l, b, t);
            }
    }
    json_object_set_new(root, "indicators", ia);
    json_object_set_new(root, "hosts", ha);
    return root;
}

/* Joins a JSON array of strings with ", ". */
static void join(wb_buf *b, json_t *arr)
{
    size_t i;
    json_t *v;
    wb_buf_reset(b);
    json_array_foreach(arr, i, v)
    {
        if (i) wb_buf_puts(b, ", ");
        wb_buf_puts(b, json_string_value(v));
    }
    if (b->data == NULL || b->len == 0) wb_buf_puts(b, "-");
}

static void time_cell(char *out, size_t cap, json_t *t)
{
    snprintf(out, cap, "%.19s", json_is_string(t) ? json_string_value(t) : "-");
}

/* Prints rows of cells (strings) aligned; the last column is not padded. */
static void print_aligned(wb_cli_mout *o, char **cells, size_t rows, size_t ncols)
{
    size_t w[8] = {0};
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < ncols; c++)
            if (cols_of(cells[r * ncols + c]) > w[c]) w[c] = cols_of(cells[r * ncols + c]);
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < ncols; c++) {
            const char *v = cells[r * ncols + c];
            put(o, fputs(v, o->o.out));
            if (c + 1 < ncols) put(o, fprintf(o->o.out, "%*s", (int)(w[c] - cols_of(v) + 2), ""));
        }
        put(o, fputc('\n', o->o.out));
    }
}

static void summary_table(wb_cli_mout *o, json_t *sum)
{
    json_t *ia = json_object_get(sum, "indicators"), *ha = json_object_get(sum, "hosts");
    size_t ni = json_array_size(ia), nh = json_array_size(ha);
    wb_buf b = {0};
    enum { IC = 8, HC = 5 };
    char **cells = calloc((ni + 1) * IC + (nh + 1) * HC, sizeof *cells);
    if (cells == NULL) {
        o->failed = true;
        return;
    }
    static const char *const ihead[IC] = {"INDICATOR", "TYPE",           "HITS",  "FIRST SEEN",
                                          "LAST SEEN", "INTERNAL HOSTS", "EVENT", "TLP"};
    static const char *const hhead[HC] = {"INTERNAL HOST", "HITS", "FIRST SEEN", "LAST SEEN",
                                          "INDICATORS"};
    for (int c = 0; c < IC; c++)
        cells[c] = strdup(ihead[c]);
    for (size_t r = 0; r < ni; r++) {
        json_t *e = json_array_get(ia, r);
        char **row = &cells[(r + 1) * IC], t[40];
        row[0] = strdup(json_string_value(json_object_get(e, "indicator")));
        row[1] = strdup(json_string_value(json_object_get(e, "type")));
        snprintf(t, sizeof t, "%lld", (long long)json_integer_value(json_object_get(e, "hits")));
        row[2] = strdup(t);
        time_cell(t, sizeof t, json_object_get(e, "first_seen"));
        row[3] = strdup(t);
        time_cell(t, sizeof t, json_object_get(e, "last_seen"));
        row[4] = strdup(t);
        join(&b, json_object_get(e, "internal_hosts"));
        row[5] = strdup(b.data ? b.data : "-");
        json_t *ev = json_object_get(e, "event"), *tlp = json_object_get(e, "tlp");
        row[6] = strdup(json_is_string(ev) ? json_string_value(ev) : "-");
        row[7] = strdup(json_is_string(tlp) ? json_string_value(tlp) : "-");
    }
    char **hcells = &cells[(ni + 1) * IC];
    for (int c = 0; c < HC; c++)
        hcells[c] = strdup(hhead[c]);
    for (size_t r = 0; r < nh; r++) {
        json_t *e = json_array_get(ha, r);
        char **row = &hcells[(r + 1) * HC], t[40];
        row[0] = strdup(json_string_value(json_object_get(e, "host")));
        snprintf(t, sizeof t, "%lld", (long long)json_integer_value(json_object_get(e, "hits")));
        row[1] = strdup(t);
        time_cell(t, sizeof t, json_object_get(e, "first_seen"));
        row[2] = strdup(t);
        time_cell(t, sizeof t, json_object_get(e, "last_seen"));
        row[3] = strdup(t);
        join(&b, json_object_get(e, "indicators"));
        row[4] = strdup(b.data ? b.data : "-");
    }
    size_t total = (ni + 1) * IC + (nh + 1) * HC;
    bool oom = false;
    for (size_t i = 0; i < total; i++)
        oom |= cells[i] == NULL;
    if (oom) {
        o->failed = true;
    } else {
        put(o,
            fprintf(o->o.out, "%sIndicators sighted: %zu\n\n", o->o.summary_only ? "" : "\n", ni));
        print_aligned(o, cells, ni + 1, IC);
        put(o, fprintf(o->o.out, "\nInternal hosts involved: %zu\n\n", nh));
        if (nh) print_aligned(o, hcells, nh + 1, HC);
    }
    for (size_t i = 0; i < total; i++)
        free(cells[i]);
    free(cells);
    wb_buf_free(&b);
}

/* ---- the entry points ------------------------------------------------------------- */

int wb_cli_mout_sighting(wb_cli_mout *o, const wb_sighting *s)
{
    if (o->file == NULL || strcmp(o->file, s->file) != 0) {
        free(o->file);
        o->file = strdup(s->file);
        o->file_hits = 0;
        if (o->file == NULL) {
            o->failed = true;
            return 1;
        }
    }
    o->file_hits++;
    o->selected++;
    bool last = o->o.max_per_file && o->file_hits >= o->o.max_per_file;
    switch (o->o.grep) {
    case WB_GREP_QUIET:
        return 1;
    case WB_GREP_LIST:
        put(o, fprintf(o->o.out, "%s\n", s->file));
        return o->failed ? 1 : WB_ENGINE_NEXT_FILE;
    case WB_GREP_COUNT:
        return last ? WB_ENGINE_NEXT_FILE : 0;
    case WB_GREP_NONE:
        break;
    }
    bool sum = o->o.summary || o->o.summary_only;
    if (!sum && (o->o.format == WB_MF_COUNT || o->o.format == WB_MF_MISP))
        return last ? WB_ENGINE_NEXT_FILE : 0; /* nothing printed per sighting */
    wb_sighting_where w;
    wb_sighting_where_get(s, o->o.local, &w);
    if ((o->o.summary || o->o.summary_only) && summary_add(o, s, &w) != 0) {
        o->failed = true;
        return 1;
    }
    if (!o->o.summary_only) {
        switch (o->o.format) {
        case WB_MF_JSONL:
        case WB_MF_JSON:
        case WB_MF_CSV: {
            json_t *j = sighting_json(o, s, &w);
            if (j == NULL) {
                o->failed = true;
                break;
            }
            if (o->o.format == WB_MF_JSONL) {
                write_json(o, j, JSON_COMPACT);
                put(o, fputc('\n', o->o.out));
            } else if (o->o.format == WB_MF_JSON) {
                put(o, fputs(o->started     ? ",\n"
                             : o->o.summary ? "{\"sightings\": [\n"
                                            : "[\n",
                             o->o.out));
                o->started = true;
                write_json(o, j, JSON_COMPACT);
            } else {
                csv_row(o, j);
            }
            json_decref(j);
            break;
        }
        case WB_MF_TABLE:
            table_row(o, s, &w);
            break;
        case WB_MF_ZEEK_INTEL:
            zeek_row(o, s);
            break;
        case WB_MF_COUNT:
        case WB_MF_MISP:
            break;
        }
    }
    if (o->failed) return 1;
    return last ? WB_ENGINE_NEXT_FILE : 0;
}

void wb_cli_mout_file_done(wb_cli_mout *o, const char *file)
{
    if (o->o.grep == WB_GREP_COUNT) {
        uint64_t n = o->file && strcmp(o->file, file) == 0 ? o->file_hits : 0;
        if (o->o.with_filename)
            put(o, fprintf(o->o.out, "%s:%llu\n", file, (unsigned long long)n));
        else
            put(o, fprintf(o->o.out, "%llu\n", (unsigned long long)n));
    }
    free(o->file);
    o->file = NULL;
    o->file_hits = 0;
}

int wb_cli_mout_finish(wb_cli_mout *o)
{
    FILE *f = o->o.out;
    if (o->o.grep != WB_GREP_NONE) return o->failed ? -1 : 0;
    bool sum = o->o.summary || o->o.summary_only;
    json_t *sj = sum ? summary_json(o) : NULL;
    if (sum && sj == NULL) o->failed = true;
    if (!o->o.summary_only) {
        switch (o->o.format) {
        case WB_MF_JSON:
            /* With a summary the document is one object holding both:
             * {"sightings": [...], "indicators": [...], "hosts": [...]}. */
            if (!o->started) put(o, fputs(sj ? "{\"sightings\": [" : "[", f));
            put(o, fputs(o->started ? "\n]" : "]", f));
            if (!sj) put(o, fputc('\n', f));
            break;
        case WB_MF_TABLE:
            if (o->nrows) table_flush(o);
            break;
        case WB_MF_COUNT:
            put(o, fprintf(f, "%llu\n", (unsigned long long)o->selected));
            break;
        case WB_MF_ZEEK_INTEL: {
            if (!o->started) zeek_header(o);
            char close[40];
            time_t now = time(NULL);
            struct tm tm;
            gmtime_r(&now, &tm);
            strftime(close, sizeof close, "%Y-%m-%d-%H-%M-%S", &tm);
            put(o, fprintf(f, "#close\t%s\n", close));
            break;
        }
        case WB_MF_JSONL:
        case WB_MF_CSV:
        case WB_MF_MISP:
            break;
        }
    }
    if (sj) {
        switch (o->o.format) {
        case WB_MF_JSON:
            if (o->o.summary_only) {
                write_json(o, sj, JSON_INDENT(2));
                put(o, fputc('\n', f));
            } else {
                char *rest = json_dumps(sj, JSON_COMPACT | JSON_PRESERVE_ORDER);
                if (rest == NULL) o->failed = true;
                /* rest is {"indicators":...}: continue the open object */
                if (rest) put(o, fprintf(f, ",%s\n", rest + 1));
                free(rest);
            }
            break;
        case WB_MF_JSONL: {
            size_t i;
            json_t *e;
            json_array_foreach(json_object_get(sj, "indicators"), i, e)
            {
                json_t *l = json_pack("{s:s}", "summary", "indicator");
                json_object_update(l, e);
                write_json(o, l, JSON_COMPACT);
                put(o, fputc('\n', f));
                json_decref(l);
            }
            json_array_foreach(json_object_get(sj, "hosts"), i, e)
            {
                json_t *l = json_pack("{s:s}", "summary", "host");
                json_object_update(l, e);
                write_json(o, l, JSON_COMPACT);
                put(o, fputc('\n', f));
                json_decref(l);
            }
            break;
        }
        default:
            summary_table(o, sj);
            break;
        }
        json_decref(sj);
    }
    return o->failed ? -1 : 0;
}

void wb_cli_mout_free(wb_cli_mout *o)
{
    if (o == NULL) return;
    for (size_t i = 0; o->rows && i < o->nrows * NCOLS; i++)
        free(o->rows[i]);
    free(o->rows);
    for (size_t i = 0; i < o->iocs.n; i++) {
        free(o->ioc[i].value);
        free(o->ioc[i].type);
        free(o->ioc[i].event);
        free(o->ioc[i].tlp);
    }
    free(o->ioc);
    free(o->host);
    strmap_free(&o->iocs);
    strmap_free(&o->hosts);
    strmap_free(&o->pairs);
    free(o->file);
    free(o);
}
