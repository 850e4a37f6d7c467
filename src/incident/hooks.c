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
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "weerbaar/hooks.h"
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

void wb_hook_sign(const char *secret, const char *body, size_t len,
                  char out[WB_HOOK_SIGNATURE_LEN + 1])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, WB_HOOK_SIGNATURE_LEN + 1 - 7, mac, sizeof mac);
    sodium_memzero(&st, sizeof st);
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
    char *url, *secret, *uuid, *key, *body;
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

/* One attempt: the HTTP status in *status (0 when there was none) and, on
 * a transport failure, its reason in why. */
static void attempt(const due_item *it, long timeout_s, long *status, char *why, size_t cap)
{
    *status = 0;
    why[0] = '\0';
    CURL *c = curl_easy_init();
    if (c == NULL) {
        snprintf(why, cap, "libcurl could not start");
        return;
    }
    char sig[WB_HOOK_SIGNATURE_LEN + 1];
    wb_hook_sign(it->secret, it->body, strlen(it->body), sig);
    char h_sig[WB_HOOK_SIGNATURE_LEN + 40], h_id[WB_UUID_LEN + 40],
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
    char ebuf[CURL_ERROR_SIZE] = "";
    CURLcode rc = hdr ? CURLE_OK : CURLE_OUT_OF_MEMORY;
    if (rc == CURLE_OK) {
        curl_easy_setopt(c, CURLOPT_URL, it->url);
        /* Only http(s), never redirected: a hook URL is an organisation's
         * input and must not reach file:// or be bounced elsewhere. */
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, it->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(it->body));
        curl_easy_setopt(c, CURLOPT_USERAGENT, "weerbaar-hooks/1");
        curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout_s);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
        rc = curl_easy_perform(c);
    }
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    else
        snprintf(why, cap, "%s", ebuf[0] ? ebuf : curl_easy_strerror(rc));
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
}

int wb_hooks_deliver(wb_store *s, const wb_hooks_opts *o, wb_time now, wb_hooks_stats *st,
                     wb_error *err)
{
    size_t batch = o->batch ? o->batch : 100;
    due_list l = {0};
    int rc = wb_store_delivery_due(s, now, (int64_t)batch, due_cb, &l, err);
    if (rc == 0 && l.oom) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_time first = opt_or(o->retry_first, 30 * SECOND);
    wb_time most = opt_or(o->retry_max, HOUR);
    wb_time give_up = opt_or(o->give_up_after, 7 * 24 * HOUR);
    long timeout = o->timeout_s > 0 ? o->timeout_s : 10;
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        due_item *it = &l.v[i];
        long status;
        char why[CURL_ERROR_SIZE + 32], msg[CURL_ERROR_SIZE + 64];
        attempt(it, timeout, &status, why, sizeof why);
        it->d.attempts++;
        it->d.last_status = status;
        if (status >= 200 && status <= 299) {
            it->d.status = WB_DELIVERY_DELIVERED;
            it->d.delivered = now;
            it->d.last_error = NULL;
            st->delivered++;
        } else {
            if (why[0])
                snprintf(msg, sizeof msg, "%s", why);
            else
                snprintf(msg, sizeof msg, "the receiver answered HTTP %ld", status);
            it->d.last_error = msg;
            it->d.delivered = WB_TIME_NONE;
            /* first, 2 x first, 4 x first, ... up to `most`. */
            wb_time wait = first;
            for (int64_t k = 1; k < it->d.attempts && wait < most; k++)
                wait *= 2;
            if (wait > most) wait = most;
            it->d.next_attempt = now + wait;
            if (now - it->d.created >= give_up) {
                it->d.status = WB_DELIVERY_FAILED;
                st->failed++;
            } else {
                st->retried++;
            }
        }
        rc = wb_store_begin(s, err);
        if (rc == 0) rc = wb_store_delivery_update(s, &it->d, err);
        if (rc == 0) rc = wb_store_commit(s, err);
        if (rc) wb_store_rollback(s);
    }
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
