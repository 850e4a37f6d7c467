/*
 * hooks.c - reminder webhooks (hooks.h): which events the incidents call
 * for, the signed JSON each hook gets, delivery over libcurl with
 * exponential backoff, and the hub's dispatcher thread.
 *
 * An event's key names the incident, what happened and, for a deadline, the
 * due time itself ("incident:42:notification:2026-02-02T08:00:00Z:due-6h"):
 * the store keeps one delivery per (hook, key), so looking again never sends
 * twice, and a deadline that moves (the final report's date follows the
 * notification) gets reminders for its new date. Deliveries are made in the
 * database first and sent afterwards, so a crash between the two loses
 * nothing: the next run sends what is pending.
 *
 * Deliveries go concurrently over one libcurl multi handle, a few in
 * flight per receiver and with a time budget per receiver per run, so that
 * one receiver that stalls delays only its own. Each is signed over its
 * time, its delivery id and its body (a receiver refuses old or re-labelled
 * ones), and by default goes only to https:// and public addresses, checked
 * on the address connected to.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "incident/incident_internal.h"
#include "weerbaar/hooks.h"
#include "weerbaar/http.h"
#include "weerbaar/incident.h"
#include "weerbaar/register.h"

#define SECOND ((wb_time)1000000)
#define HOUR (3600 * SECOND)

/* Incidents looked at per queue run; beyond this the register is not one
 * a single hub serves. */
#define MAX_INCIDENTS ((size_t)1000000)
#define MAX_HOOKS ((size_t)100000)
/* Incidents whose new deliveries are committed together. */
#define QUEUE_BATCH 256

static wb_time opt_or(wb_time v, wb_time dflt)
{
    return v > 0 ? v : dflt;
}

wb_time wb_hooks_now(const wb_hooks_opts *o)
{
    return o && o->clock ? o->clock(o->clock_ud) : wb_time_now();
}

void wb_hook_secret_new(char out[WB_HOOK_SECRET_LEN + 1])
{
    unsigned char raw[WB_HOOK_SECRET_LEN / 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, WB_HOOK_SECRET_LEN + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
}

/* HMAC-SHA256 of "T.ID.BODY" as 64 hex digits into hex. */
static void mac_hex(const char *secret, int64_t t, const char *id, const char *body, size_t len,
                    char hex[65])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    char head[48];
    int n = snprintf(head, sizeof head, "%lld.", (long long)t);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)head, (unsigned long long)n);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, 65, mac, sizeof mac);
    sodium_memzero(&st, sizeof st);
}

void wb_hook_sign(const char *secret, int64_t t, const char *id, const char *body, size_t len,
                  char out[WB_HOOK_SIGNATURE_MAX + 1])
{
    char hex[65];
    mac_hex(secret, t, id, body, len, hex);
    snprintf(out, WB_HOOK_SIGNATURE_MAX + 1, "t=%lld,v1=%s", (long long)t, hex);
}

int wb_hook_verify(const char *secret, const char *header, const char *id, const char *body,
                   size_t len, int64_t now, int64_t tolerance_s)
{
    if (header == NULL || id == NULL || strncmp(header, "t=", 2) != 0) return WB_EINVAL;
    const char *comma = strchr(header, ',');
    int64_t t;
    if (comma == NULL || strncmp(comma, ",v1=", 4) != 0 ||
        wb_parse_i64(header + 2, (size_t)(comma - header - 2), 0, INT64_MAX / 2, &t) != 0 ||
        strlen(comma + 4) != 64)
        return WB_EINVAL;
    char hex[65];
    mac_hex(secret, t, id, body, len, hex);
    /* Constant time: a receiver must not tell how much of a guess matched. */
    if (sodium_memcmp(hex, comma + 4, 64) != 0) return WB_EINVAL;
    if (t < now - tolerance_s || t > now + tolerance_s) return WB_ELIMIT;
    return 0;
}

/* ---- queueing --------------------------------------------------------------------- */

typedef struct hook_ref {
    int64_t id, org_id;
    wb_time created;
} hook_ref;

typedef struct hook_set {
    hook_ref *v;
    size_t n, cap;
    bool oom;
} hook_set;

static int hook_cb(void *ud, const wb_hook_rec *h)
{
    hook_set *s = ud;
    if (s->n == MAX_HOOKS) return 1;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        hook_ref *p = realloc(s->v, cap * sizeof *p);
        if (p == NULL) {
            s->oom = true;
            return 1;
        }
        s->v = p;
        s->cap = cap;
    }
    s->v[s->n++] = (hook_ref){h->id, h->org_id, h->created};
    return 0;
}

typedef struct id_list {
    int64_t *v;
    size_t n, cap;
    bool oom;
} id_list;

static int incident_id_cb(void *ud, const wb_incident_rec *r)
{
    id_list *l = ud;
    if (l->n == MAX_INCIDENTS) return 1;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        int64_t *p = realloc(l->v, cap * sizeof *p);
        if (p == NULL) {
            l->oom = true;
            return 1;
        }
        l->v = p;
        l->cap = cap;
    }
    l->v[l->n++] = r->id;
    return 0;
}

static int csirt_cb(void *ud, const wb_route_rec *r)
{
    *(int64_t *)ud = r->csirt_id;
    return 1;
}

static json_t *jtime(wb_time t)
{
    char buf[48];
    if (t == WB_TIME_NONE) return json_null();
    wb_time_format(t, buf, sizeof buf);
    return json_string(buf);
}

/* What one queue run knows about the incident being looked at. */
typedef struct queue_ctx {
    wb_store *s;
    const hook_set *hooks;
    wb_time now;
    wb_hooks_stats *st;
    wb_error *err;
    const wb_reg_incident *ri;
    int64_t csirt_id;
    bool in_tx; /* a transaction was begun for this incident's deliveries */
} queue_ctx;

/* Stores the delivery of `event` to every hook of the organisations in
 * `orgs` (zeros skipped). `since` > 0 limits it to hooks that existed at
 * that time (a new hook is not sent the reports of the past). */
static int enqueue(queue_ctx *q, const char *event, const char *key, json_t *detail,
                   const int64_t orgs[2], wb_time since)
{
    const wb_incident_rec *inc = &q->ri->inc;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < q->hooks->n; i++) {
        const hook_ref *h = &q->hooks->v[i];
        if (h->org_id == 0 || (h->org_id != orgs[0] && h->org_id != orgs[1])) continue;
        if (since != WB_TIME_NONE && h->created > since) continue;
        char uuid[WB_UUID_LEN + 1];
        wb_uuid_v4(uuid);
        json_t *o = json_pack(
            "{s:s, s:s, s:s, s:o, s:{s:I, s:s, s:s, s:s, s:o}, s:O}", "delivery", uuid, "event",
            event, "key", key, "created", jtime(q->now), "incident", "id", (json_int_t)inc->id,
            "title", inc->title, "org", inc->org_name ? inc->org_name : "", "status",
            wb_incident_status_name(inc->status), "aware_at", jtime(inc->aware_at),
            event[0] == 'r' ? "report" : "deadline", detail);
        char *body = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(o);
        if (body == NULL) return wb_error_set(q->err, WB_ENOMEM, "out of memory");
        wb_delivery_rec d = {.uuid = uuid,
                             .hook_id = h->id,
                             .event_key = key,
                             .body = body,
                             .next_attempt = q->now,
                             .created = q->now};
        bool added = false;
        /* Begun only when there is something to store: most looks find
         * nothing new, and must not take the write lock for it. */
        if (!q->in_tx) {
            rc = wb_store_begin(q->s, q->err);
            q->in_tx = rc == 0;
        }
        if (rc == 0) rc = wb_store_delivery_add(q->s, &d, &added, q->err);
        free(body);
        if (rc == 0 && added) q->st->queued++;
    }
    return rc;
}

static int queue_incident(queue_ctx *q, wb_time remind)
{
    const wb_reg_incident *ri = q->ri;
    int64_t orgs[2] = {ri->inc.org_id, q->csirt_id != ri->inc.org_id ? q->csirt_id : 0};
    char key[WB_HOOK_EVENT_KEY_MAX];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ri->ndeadlines; i++) {
        const wb_deadline *d = &ri->deadlines[i];
        if (d->due == WB_TIME_NONE || d->submitted != WB_TIME_NONE) continue;
        bool overdue = q->now > d->due;
        if (!overdue && q->now < d->due - remind) continue;
        char due[48];
        wb_time_format(d->due, due, sizeof due);
        snprintf(key, sizeof key, "incident:%lld:%s:%s:%s", (long long)ri->inc.id,
                 wb_stage_name(d->stage), due, overdue ? "overdue" : "due-6h");
        json_t *detail =
            json_pack("{s:s, s:s, s:s, s:s}", "stage", wb_stage_name(d->stage), "due", due, "state",
                      wb_deadline_state_name(d->state), "article", d->rule->article);
        if (detail == NULL) return wb_error_set(q->err, WB_ENOMEM, "out of memory");
        rc = enqueue(q, overdue ? "deadline.overdue" : "deadline.due-soon", key, detail, orgs,
                     WB_TIME_NONE);
        json_decref(detail);
    }
    /* Every new report to the CSIRT, and only to hooks that existed when
     * the report came in. */
    int64_t csirt[2] = {q->csirt_id, 0};
    for (size_t i = 0; rc == 0 && q->csirt_id && i < ri->nreports; i++) {
        const wb_incident_report_rec *r = &ri->reports[i];
        snprintf(key, sizeof key, "incident:%lld:report:%lld", (long long)ri->inc.id,
                 (long long)r->id);
        json_t *detail =
            json_pack("{s:I, s:s, s:o, s:s, s:o}", "id", (json_int_t)r->id, "stage", r->stage,
                      "submitted_at", jtime(r->submitted_at), "channel",
                      wb_report_channel_name(r->channel), "received_at", jtime(r->created));
        if (detail == NULL) return wb_error_set(q->err, WB_ENOMEM, "out of memory");
        rc = enqueue(q, "report.new", key, detail, csirt, r->created);
        json_decref(detail);
    }
    return rc;
}

int wb_hooks_queue(wb_store *s, const wb_hooks_opts *o, wb_time now, wb_hooks_stats *st,
                   wb_error *err)
{
    hook_set hooks = {0};
    id_list ids = {0};
    int rc = wb_store_hook_list(s, 0, false, hook_cb, &hooks, err);
    if (rc == 0 && hooks.oom) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    /* Nothing to tell anyone: do not load every incident for nothing. */
    if (rc == 0 && hooks.n > 0) rc = wb_store_incident_list(s, incident_id_cb, &ids, err);
    if (rc == 0 && ids.oom) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_time remind = opt_or(o->remind_before, 6 * HOUR);
    /* New deliveries are committed every QUEUE_BATCH incidents rather than
     * one incident at a time: a hook added to a large register makes tens
     * of thousands at once, and a commit each (an fsync) took a minute for
     * 10,000 incidents; the write lock is still held only briefly. */
    bool in_tx = false;
    size_t pending = 0;
    for (size_t i = 0; rc == 0 && i < ids.n; i++) {
        wb_reg_incident *ri = NULL;
        rc = wb_reg_incident_load(s, ids.v[i], now, &ri, err);
        if (rc) break;
        queue_ctx q = {
            .s = s, .hooks = &hooks, .now = now, .st = st, .err = err, .ri = ri, .in_tx = in_tx};
        if (ri->inc.status != WB_INCIDENT_CLOSED) {
            rc = wb_store_route_for(s, ri->inc.org_sector, csirt_cb, &q.csirt_id, err);
            if (rc == WB_ENOTFOUND) rc = 0; /* no route: the organisation alone */
            if (rc == 0) rc = queue_incident(&q, remind);
        }
        in_tx = q.in_tx;
        if (in_tx) pending++;
        if (rc == 0 && in_tx && (pending == QUEUE_BATCH || i + 1 == ids.n)) {
            rc = wb_store_commit(s, err);
            in_tx = false;
            pending = 0;
        }
        wb_reg_incident_free(ri);
    }
    if (in_tx) {
        if (rc == 0) rc = wb_store_commit(s, err);
        if (rc) wb_store_rollback(s);
    }
    free(hooks.v);
    free(ids.v);
    return rc;
}

/* ---- delivering ------------------------------------------------------------------- */

typedef struct due_item {
    wb_delivery_rec d;
    char *url, *secret, *uuid, *key, *body, *lang;
} due_item;

typedef struct due_list {
    due_item *v;
    size_t n, cap;
    bool oom;
} due_list;

static char *dup_or_null(const char *s, bool *oom)
{
    if (s == NULL) return NULL;
    char *p = strdup(s);
    if (p == NULL) *oom = true;
    return p;
}

static int due_cb(void *ud, const wb_delivery_rec *d)
{
    due_list *l = ud;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        due_item *p = realloc(l->v, cap * sizeof *p);
        if (p == NULL) {
            l->oom = true;
            return 1;
        }
        l->v = p;
        l->cap = cap;
    }
    due_item *it = &l->v[l->n++];
    memset(it, 0, sizeof *it);
    it->d = *d;
    it->url = dup_or_null(d->url, &l->oom);
    it->secret = dup_or_null(d->secret, &l->oom);
    it->uuid = dup_or_null(d->uuid, &l->oom);
    it->key = dup_or_null(d->event_key, &l->oom);
    it->body = dup_or_null(d->body, &l->oom);
    it->lang = dup_or_null(d->lang, &l->oom);
    it->d.lang = it->lang;
    it->d.url = it->url;
    it->d.secret = it->secret;
    it->d.uuid = it->uuid;
    it->d.event_key = it->key;
    it->d.body = it->body;
    it->d.last_error = NULL;
    return l->oom ? 1 : 0;
}

static void due_free(due_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].url);
        if (l->v[i].secret) sodium_memzero(l->v[i].secret, strlen(l->v[i].secret));
        free(l->v[i].secret);
        free(l->v[i].uuid);
        free(l->v[i].key);
        free(l->v[i].body);
        free(l->v[i].lang);
    }
    free(l->v);
}

/* The receiver's answer is not kept: only its status counts. */
static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* Addresses a hook may not reach unless the operator allows it: loopback,
 * link-local, private and shared (RFC 1918, 6598, 4193), unspecified,
 * multicast and reserved. A hook URL is an organisation's input; without
 * this it could make the hub post to its own admin interfaces or to the
 * cloud's metadata service (169.254.169.254). */
static bool ipv4_internal(const unsigned char *a)
{
    return a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 100 && (a[1] & 0xc0) == 64) ||
           (a[0] == 169 && a[1] == 254) || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
           (a[0] == 192 && a[1] == 168) || (a[0] == 192 && a[1] == 0 && a[2] == 0) || a[0] >= 224;
}

static bool addr_internal(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return ipv4_internal((const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr);
    if (sa->sa_family != AF_INET6) return true;
    const unsigned char *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
    static const unsigned char zero[10] = {0};
    /* ::ffff:a.b.c.d and the NAT64 prefix 64:ff9b::/96 carry an IPv4
     * address: judge that. ::/96 covers :: and ::1. */
    if (memcmp(b, zero, 10) == 0 && b[10] == 0xff && b[11] == 0xff) return ipv4_internal(b + 12);
    if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && memcmp(b + 4, zero, 8) == 0)
        return ipv4_internal(b + 12);
    if (memcmp(b, zero, 10) == 0 && b[10] == 0 && b[11] == 0) return true;
    return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || b[0] == 0xff;
}

int wb_hook_url_check(const char *url, bool allow_insecure, bool allow_private, wb_error *err)
{
    bool https = strncasecmp(url, "https://", 8) == 0;
    if (!https && strncasecmp(url, "http://", 7) != 0)
        return wb_error_set(err, WB_EINVAL, "hook URL '%s': must start with http:// or https://",
                            url);
    if (!https && !allow_insecure)
        return wb_error_set(err, WB_EINVAL,
                            "hook URL '%s': not https:// (the reminders name incidents; "
                            "--allow-insecure to add it anyway)",
                            url);
    CURLU *u = curl_url();
    char *host = NULL;
    int rc = 0;
    if (u == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        rc = wb_error_set(err, WB_EINVAL, "hook URL '%s': not a URL", url);
    if (rc == 0 && !allow_private) {
        /* "[::1]" comes back with its brackets. */
        char name[256];
        size_t n = strlen(host);
        if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
            snprintf(name, sizeof name, "%.*s", (int)(n - 2), host + 1);
        else
            snprintf(name, sizeof name, "%s", host);
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
        int g = getaddrinfo(name, NULL, &hints, &res);
        if (g != 0)
            rc = wb_error_set(err, WB_EINVAL, "hook URL '%s': cannot resolve '%s': %s", url, name,
                              gai_strerror(g));
        for (struct addrinfo *a = res; rc == 0 && a; a = a->ai_next) {
            if (!addr_internal(a->ai_addr)) continue;
            char text[INET6_ADDRSTRLEN] = "?";
            getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, NULL, 0, NI_NUMERICHOST);
            rc = wb_error_set(err, WB_EINVAL,
                              "hook URL '%s': '%s' is %s, a loopback, link-local or private "
                              "address (--allow-private to add it anyway)",
                              url, name, text);
        }
        if (res) freeaddrinfo(res);
    }
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

/* One attempt in flight. */
typedef struct attempt_ctx {
    due_item *it;
    size_t receiver;
    CURL *c;
    struct curl_slist *hdr;
    char ebuf[CURL_ERROR_SIZE];
    char refused[128]; /* why the opensocket check refused the address */
    bool allow_private;
} attempt_ctx;

/* libcurl asks here for every socket it opens, with the address it
 * resolved: the check happens on the address actually connected to, so a
 * name that resolves to something else at delivery time (DNS rebinding)
 * is caught too. */
static curl_socket_t open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    attempt_ctx *x = ud;
    (void)purpose;
    if (!x->allow_private && addr_internal(&a->addr)) {
        char host[INET6_ADDRSTRLEN] = "?";
        const void *p = a->family == AF_INET
                            ? (const void *)&((const struct sockaddr_in *)&a->addr)->sin_addr
                            : (const void *)&((const struct sockaddr_in6 *)&a->addr)->sin6_addr;
        inet_ntop(a->family, p, host, sizeof host);
        snprintf(x->refused, sizeof x->refused,
                 "refused: the receiver's address %s is loopback, link-local or private "
                 "(allow with --hooks-allow-private)",
                 host);
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

/* Sets up one attempt's handle. false on an allocation failure. */
static bool attempt_setup(attempt_ctx *x, long timeout_s)
{
    const due_item *it = x->it;
    /* Only http(s), never redirected: a hook URL is an organisation's
     * input and must not reach file:// or be bounced elsewhere. No proxy
     * from the environment: the address check must see the receiver's
     * address, not a proxy's. */
    wb_http_opts ho = {.user_agent = "weerbaar-hooks/2",
                       .connect_timeout_s = timeout_s,
                       .timeout_s = timeout_s,
                       .no_proxy = true};
    x->c = wb_http_handle(&ho);
    if (x->c == NULL) return false;
    char sig[WB_HOOK_SIGNATURE_MAX + 1];
    wb_hook_sign(it->secret, (int64_t)time(NULL), it->uuid, it->body, strlen(it->body), sig);
    char h_sig[WB_HOOK_SIGNATURE_MAX + 40], h_id[WB_UUID_LEN + 40],
        h_ev[WB_HOOK_EVENT_KEY_MAX + 40];
    snprintf(h_sig, sizeof h_sig, "%s: %s", WB_HOOK_SIGNATURE_HEADER, sig);
    snprintf(h_id, sizeof h_id, "X-Weerbaar-Delivery: %s", it->uuid);
    snprintf(h_ev, sizeof h_ev, "X-Weerbaar-Event-Key: %s", it->key);
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = hdr ? curl_slist_append(hdr, h_sig) : NULL;
    hdr = hdr ? curl_slist_append(hdr, h_id) : NULL;
    hdr = hdr ? curl_slist_append(hdr, h_ev) : NULL;
    /* An empty Expect: libcurl would otherwise wait a second for a 100
     * Continue on larger bodies. */
    hdr = hdr ? curl_slist_append(hdr, "Expect:") : NULL;
    x->hdr = hdr;
    if (hdr == NULL) return false;
    CURL *c = x->c;
    curl_easy_setopt(c, CURLOPT_URL, it->url);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, x);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, it->body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(it->body));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->ebuf);
    curl_easy_setopt(c, CURLOPT_PRIVATE, x);
    return true;
}

static void attempt_free(attempt_ctx *x)
{
    wb_http_free(x->c);
    curl_slist_free_all(x->hdr);
    x->c = NULL;
    x->hdr = NULL;
}

/* A receiver: one scheme, host and port, whoever's hooks point there. */
typedef struct receiver {
    char *name;
    size_t in_flight;
    wb_time started; /* the first attempt of this run; WB_TIME_NONE before */
} receiver;

/* "scheme://host:port" of a URL (lower-cased by libcurl's parser), or the
 * URL itself when it does not parse (its attempt will fail and say so). */
static char *receiver_name(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        size_t n = strlen(scheme) + strlen(host) + strlen(port) + 8;
        out = malloc(n);
        if (out) snprintf(out, n, "%s://%s:%s", scheme, host, port);
        for (char *p = out; p && *p; p++)
            *p = wb_lower(*p);
    } else {
        out = strdup(url);
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return out;
}

typedef struct deliver_run {
    wb_store *s;
    wb_time now;
    wb_time first, most, give_up;
    wb_hooks_stats *st;
    wb_error *err;
} deliver_run;

/* Records the outcome of one attempt: ok, or a failure retried with
 * backoff until give_up, or until max_attempts (0: no bound). */
static int record_outcome(deliver_run *d, due_item *it, bool ok, long status, const char *why,
                          int64_t max_attempts)
{
    char msg[WB_ERROR_MSG_MAX + CURL_ERROR_SIZE + 160];
    it->d.attempts++;
    it->d.last_status = status;
    if (ok) {
        it->d.status = WB_DELIVERY_DELIVERED;
        it->d.delivered = d->now;
        it->d.last_error = NULL;
        d->st->delivered++;
    } else {
        if (why && why[0])
            snprintf(msg, sizeof msg, "%s", why);
        else
            snprintf(msg, sizeof msg, "the receiver answered HTTP %ld", status);
        it->d.last_error = msg;
        it->d.delivered = WB_TIME_NONE;
        /* first, 2 x first, 4 x first, ... up to `most`. */
        wb_time wait = d->first;
        for (int64_t k = 1; k < it->d.attempts && wait < d->most; k++)
            wait *= 2;
        if (wait > d->most) wait = d->most;
        it->d.next_attempt = d->now + wait;
        if (d->now - it->d.created >= d->give_up ||
            (max_attempts > 0 && it->d.attempts >= max_attempts)) {
            it->d.status = WB_DELIVERY_FAILED;
            d->st->failed++;
        } else {
            d->st->retried++;
        }
    }
    int rc = wb_store_begin(d->s, d->err);
    if (rc == 0) rc = wb_store_delivery_update(d->s, &it->d, d->err);
    if (rc == 0) rc = wb_store_commit(d->s, d->err);
    if (rc) wb_store_rollback(d->s);
    it->d.last_error = NULL;
    return rc;
}

int wb_hooks_mail_check(const wb_hooks_opts *o, wb_error *err)
{
    if (o->smtp_url == NULL) {
        if (o->mail_from || o->smtp_user || o->smtp_ca_file || o->smtp_plain)
            return wb_error_set(err, WB_EINVAL,
                                "the mail options need --smtp URL (the mail server)");
        return 0;
    }
    const char *u = o->smtp_url;
    size_t skip = strncasecmp(u, "smtp://", 7) == 0    ? 7
                  : strncasecmp(u, "smtps://", 8) == 0 ? 8
                                                       : 0;
    if (skip == 0)
        return wb_error_set(err, WB_EINVAL, "--smtp: smtp://HOST[:PORT] or smtps://HOST[:PORT]");
    size_t auth = strcspn(u + skip, "/?#");
    if (memchr(u + skip, '@', auth))
        return wb_error_set(err, WB_EINVAL,
                            "--smtp: no user or password in the URL (--smtp-user USER; the "
                            "password from $WEERBAAR_SMTP_PASSWORD)");
    for (const char *p = u; *p; p++)
        if ((unsigned char)*p <= ' ')
            return wb_error_set(err, WB_EINVAL, "--smtp: a URL without spaces");
    if (o->smtp_plain && skip == 8)
        return wb_error_set(err, WB_EINVAL, "--smtp-plain is for smtp://, not smtps://");
    const char *f = o->mail_from;
    if (f == NULL || strchr(f, '@') == NULL || strpbrk(f, " \t\r\n<>\"(),;:[]\\") != NULL)
        return wb_error_set(err, WB_EINVAL, "--mail-from ADDR: the sender's address is required");
    if (o->smtp_user && strpbrk(o->smtp_user, "\r\n"))
        return wb_error_set(err, WB_EINVAL, "--smtp-user: one line");
    if (o->smtp_password && strpbrk(o->smtp_password, "\r\n"))
        return wb_error_set(err, WB_EINVAL, "the SMTP password: one line");
    if (o->hub_url && strncasecmp(o->hub_url, "https://", 8) != 0 &&
        strncasecmp(o->hub_url, "http://", 7) != 0)
        return wb_error_set(err, WB_EINVAL, "--hub-url: an http(s):// URL");
    return 0;
}

/* A webhook's attempt: acknowledged with 2xx. */
static int record(deliver_run *d, due_item *it, long status, const char *why)
{
    return record_outcome(d, it, status >= 200 && status <= 299, status, why, 0);
}

static bool is_mail(const due_item *it)
{
    return strncmp(it->url, WB_HOOK_MAILTO, sizeof WB_HOOK_MAILTO - 1) == 0;
}

/* Sends this batch's e-mails one after another over one SMTP handle (a
 * reminder is a few hundred bytes, and a relay is one server), marking
 * them started. Without a server configured they wait untouched. A refusal
 * (4xx or 5xx) or a failed connection is retried with the webhooks'
 * backoff, at most o->mail_attempts times; the server's reply is recorded
 * as the last error, the password never (it is not in the URL: the
 * caller refuses user information there). */
static int deliver_mail(deliver_run *d, const wb_hooks_opts *o, due_list *l, bool *started,
                        size_t *done, long timeout)
{
    void *h = NULL;
    wb_buf msg = {0};
    int rc = 0;
    int64_t most = o->mail_attempts > 0 ? o->mail_attempts : 8;
    for (size_t i = 0; rc == 0 && i < l->n; i++) {
        due_item *it = &l->v[i];
        if (!is_mail(it)) continue;
        started[i] = true;
        (*done)++;
        if (o->smtp_url == NULL || o->mail_from == NULL) continue;
        if (h == NULL) {
            wb_http_opts ho = {.user_agent = "weerbaar-hooks/2",
                               .protocols = "smtp,smtps",
                               .connect_timeout_s = timeout,
                               .timeout_s = timeout,
                               .no_proxy = true,
                               .ca_file = o->smtp_ca_file};
            if ((h = wb_http_handle(&ho)) == NULL) {
                rc = wb_error_set(d->err, WB_ENOMEM, "hooks: cannot start an SMTP client");
                break;
            }
        }
        const char *to = it->url + sizeof WB_HOOK_MAILTO - 1;
        wbi_mail_in in = {.body = it->body,
                          .uuid = it->uuid,
                          .key = it->key,
                          .from = o->mail_from,
                          .to = to,
                          .lang = it->lang,
                          .hub_url = o->hub_url,
                          .now = d->now};
        wb_error me = {0};
        long code = 0;
        int mrc = wbi_hooks_mail_compose(&in, &msg, &me);
        if (mrc == WB_ENOMEM) {
            rc = wb_error_set(d->err, WB_ENOMEM, "out of memory");
            break;
        }
        if (mrc == 0) {
            wb_smtp_msg m = {.url = o->smtp_url,
                             .plain = o->smtp_plain,
                             .user = o->smtp_user,
                             .password = o->smtp_password,
                             .from = o->mail_from,
                             .to = to,
                             .data = msg.data,
                             .len = msg.len};
            mrc = wb_smtp_send(h, &m, &code, &me);
        }
        rc = record_outcome(d, it, mrc == 0, code, me.msg, mrc == WB_EINVAL ? 1 : most);
    }
    wb_http_free(h);
    wb_buf_free(&msg);
    return rc;
}

static wb_time mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (wb_time)ts.tv_sec * SECOND + ts.tv_nsec / 1000;
}

/* Sends the due deliveries concurrently over one libcurl multi handle:
 * at most o->per_receiver in flight to one receiver and o->in_flight in
 * all, and a receiver that has had its time budget in this run gets no
 * new attempt (its deliveries stay due for the next run). One receiver
 * that stalls therefore holds only its own deliveries: everyone else's go
 * at once. */
int wb_hooks_deliver(wb_store *s, const wb_hooks_opts *o, wb_time now, wb_hooks_stats *st,
                     wb_error *err)
{
    size_t batch = o->batch ? o->batch : 100;
    size_t per_receiver = o->per_receiver ? o->per_receiver : 2;
    size_t max_flight = o->in_flight ? o->in_flight : 32;
    long timeout = o->timeout_s > 0 ? o->timeout_s : 10;
    wb_time budget =
        o->receiver_budget_s > 0 ? o->receiver_budget_s * SECOND : 3 * (wb_time)timeout * SECOND;
    deliver_run d = {.s = s,
                     .now = now,
                     .first = opt_or(o->retry_first, 30 * SECOND),
                     .most = opt_or(o->retry_max, HOUR),
                     .give_up = opt_or(o->give_up_after, 7 * 24 * HOUR),
                     .st = st,
                     .err = err};
    due_list l = {0};
    int rc = wb_store_delivery_due(s, now, (int64_t)batch, due_cb, &l, err);
    if (rc == 0 && l.oom) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    receiver *rv = l.n ? calloc(l.n, sizeof *rv) : NULL;
    size_t *rof = l.n ? calloc(l.n, sizeof *rof) : NULL;
    attempt_ctx *xs = l.n ? calloc(l.n, sizeof *xs) : NULL;
    size_t nrv = 0;
    if (rc == 0 && l.n && (!rv || !rof || !xs)) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    /* Receivers by name; a batch is at most a few hundred, so a linear
     * search is enough. */
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        char *name = receiver_name(l.v[i].url);
        if (name == NULL) {
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
            break;
        }
        size_t k = 0;
        while (k < nrv && strcmp(rv[k].name, name) != 0)
            k++;
        if (k == nrv) {
            rv[nrv].name = name;
            rv[nrv++].started = WB_TIME_NONE;
        } else {
            free(name);
        }
        rof[i] = k;
    }
    /* http:// only when allowed: the body names incidents and deadlines,
     * and the signature does not hide it. Refused attempts are recorded as
     * failed attempts so that they are retried once the operator allows
     * it or the organisation fixes its URL. */
    size_t in_flight = 0, done = 0;
    bool *started = l.n ? calloc(l.n, sizeof *started) : NULL;
    if (rc == 0 && l.n && started == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0) rc = deliver_mail(&d, o, &l, started, &done, timeout);
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        if (started[i] || o->allow_insecure || strncasecmp(l.v[i].url, "https://", 8) == 0)
            continue;
        started[i] = true;
        done++;
        rc = record(&d, &l.v[i], 0,
                    "refused: the hook's URL is not https:// (allow with --hooks-allow-insecure)");
    }
    /* libcurl's global set-up before the multi handle (the easy handles
     * do it themselves, but they come later): safe without a front end
     * having done it. */
    if (rc == 0 && done < l.n && wb_http_global_init() != 0)
        rc = wb_error_set(err, WB_EINTERNAL, "libcurl could not initialise");
    CURLM *m = rc == 0 && done < l.n ? curl_multi_init() : NULL;
    if (rc == 0 && done < l.n && m == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    while (rc == 0 && done < l.n) {
        /* Start what the limits allow, oldest first. */
        wb_time t = mono_now();
        for (size_t i = 0; i < l.n && in_flight < max_flight; i++) {
            receiver *r = &rv[rof[i]];
            if (started[i] || r->in_flight >= per_receiver) continue;
            if (r->started != WB_TIME_NONE && t - r->started >= budget) {
                started[i] = true; /* left for the next run, untouched */
                done++;
                continue;
            }
            attempt_ctx *x = &xs[i];
            x->it = &l.v[i];
            x->receiver = rof[i];
            x->allow_private = o->allow_private;
            if (!attempt_setup(x, timeout) || curl_multi_add_handle(m, x->c) != CURLM_OK) {
                attempt_free(x);
                rc = wb_error_set(err, WB_ENOMEM, "hooks: libcurl could not start an attempt");
                break;
            }
            started[i] = true;
            if (r->started == WB_TIME_NONE) r->started = t;
            r->in_flight++;
            in_flight++;
        }
        if (rc || in_flight == 0) continue;
        int running = 0;
        if (curl_multi_perform(m, &running) != CURLM_OK) {
            rc = wb_error_set(err, WB_EIO, "hooks: libcurl failed");
            break;
        }
        CURLMsg *msg;
        int left;
        while (rc == 0 && (msg = curl_multi_info_read(m, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE) continue;
            attempt_ctx *x = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
            long status = 0;
            char why[CURL_ERROR_SIZE + 32] = "";
            if (msg->data.result == CURLE_OK)
                curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &status);
            else if (x->refused[0])
                snprintf(why, sizeof why, "%s", x->refused);
            else
                snprintf(why, sizeof why, "%s",
                         x->ebuf[0] ? x->ebuf : curl_easy_strerror(msg->data.result));
            curl_multi_remove_handle(m, x->c);
            attempt_free(x);
            rv[x->receiver].in_flight--;
            in_flight--;
            done++;
            rc = record(&d, x->it, status, why);
        }
        if (rc == 0 && in_flight > 0) curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    for (size_t i = 0; xs && i < l.n; i++)
        if (xs[i].c) {
            curl_multi_remove_handle(m, xs[i].c);
            attempt_free(&xs[i]);
        }
    if (m) curl_multi_cleanup(m);
    for (size_t k = 0; k < nrv; k++)
        free(rv[k].name);
    free(rv);
    free(rof);
    free(xs);
    free(started);
    due_free(&l);
    return rc;
}

/* ---- the dispatcher thread ------------------------------------------------------------ */

struct wb_hooks_dispatcher {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    wb_store *st;
    wb_hooks_opts opts;
    unsigned interval_s;
    void (*log)(void *ud, const char *msg);
    void *log_ud;
};

static void *dispatch(void *arg)
{
    wb_hooks_dispatcher *d = arg;
    pthread_mutex_lock(&d->lock);
    while (!d->stop) {
        pthread_mutex_unlock(&d->lock);
        wb_error err = {0};
        wb_hooks_stats st = {0};
        wb_time now = wb_hooks_now(&d->opts);
        int rc = wb_hooks_queue(d->st, &d->opts, now, &st, &err);
        if (rc == 0) rc = wb_hooks_deliver(d->st, &d->opts, now, &st, &err);
        if (rc && d->log) {
            char msg[WB_ERROR_MSG_MAX + 16];
            snprintf(msg, sizeof msg, "hooks: %s", err.msg[0] ? err.msg : wb_strerror(rc));
            d->log(d->log_ud, msg);
        }
        pthread_mutex_lock(&d->lock);
        if (d->stop) break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += d->interval_s;
        while (!d->stop && pthread_cond_timedwait(&d->cond, &d->lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

int wb_hooks_dispatcher_start(wb_hooks_dispatcher **out, const char *db, const wb_hooks_opts *o,
                              unsigned interval_s, void (*log)(void *ud, const char *msg),
                              void *log_ud, wb_error *err)
{
    *out = NULL;
    wb_hooks_dispatcher *d = calloc(1, sizeof *d);
    if (d == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    d->opts = *o;
    d->interval_s = interval_s ? interval_s : 30;
    d->log = log;
    d->log_ud = log_ud;
    int rc = wb_store_open(&d->st, db, err);
    if (rc) {
        free(d);
        return rc;
    }
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->cond, NULL);
    if (pthread_create(&d->thread, NULL, dispatch, d) != 0) {
        wb_store_close(d->st);
        pthread_mutex_destroy(&d->lock);
        pthread_cond_destroy(&d->cond);
        free(d);
        return wb_error_set(err, WB_EINTERNAL, "hooks: cannot start the dispatcher thread");
    }
    *out = d;
    return 0;
}

void wb_hooks_dispatcher_stop(wb_hooks_dispatcher *d)
{
    if (d == NULL) return;
    pthread_mutex_lock(&d->lock);
    d->stop = true;
    pthread_cond_signal(&d->cond);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    wb_store_close(d->st);
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->cond);
    free(d);
}
