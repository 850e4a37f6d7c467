/*
 * run.c - pull from and push to a server over its MISP API, as MISP
 * servers do.
 *
 * Pull: GET /events/index?minimal=1&published=1 (paged), then for every
 * event that is new here or newer than the stored copy GET
 * /events/view/{uuid} and store it (ingest.c). The comparison with what
 * is stored makes a pull resumable wherever it stopped: an event stored
 * before is not fetched again, one not stored yet is. The pull cursor
 * records the newest remote timestamp stored, for `server list`.
 *
 * Push: the local change feed (the event change sequence) from the push
 * cursor on; every published event that may leave to the server (sync.h),
 * that its rules pass and that did not come from that server unchanged is
 * sent with POST /events/add (a weerbaar hub stores or updates it; a MISP
 * server that has it answers with an error, and /events/edit/{uuid} is
 * tried). The cursor is stored every few events and at the end, so a push
 * cut short sends at most those few again, which the receiver takes as
 * unchanged (equal timestamps). A deleted event in the feed is sent as
 * POST /events/delete/{uuid}, which the receiver applies only to an event
 * it received from this hub.
 *
 * Sightings travel with their events, in MISP's shape (each attribute's
 * Sighting array) in every event pulled or pushed, and on their own: a
 * pull also fetches an unchanged event whose sighting_timestamp in the
 * remote index is at or after the server's sighting pull cursor, and a
 * push (or a server added with --push-sightings only) sends the sightings
 * changed since the server's sighting push cursor with MISP's POST
 * /sightings/bulkSaveSightings/{event}. Which sightings may go is
 * sync.h's sighting rule (the hub's sighting policy, the event's and
 * attribute's distribution and TLP, never back where they came from).
 *
 * Deletions on pull: after a complete pull, an event this hub received
 * from the server that its index no longer lists is asked for once more
 * (GET /events/view/{uuid}); when the server answers 404 it is deleted
 * here as the change feed deletes (a tombstone that travels on). At most
 * MAX_GONE such checks a run; an empty index deletes nothing.
 *
 * Every event stored, and every run, is an audit entry. A run keeps one
 * HTTP handle, so its requests share one connection (keep-alive). Writes
 * go through the share service's sync put (src/share/sync_put.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sync/sync_internal.h"
#include "weerbaar/client.h"
#include "weerbaar/http.h"

#define INDEX_PAGE 5000
#define MAX_INDEX_ENTRIES ((size_t)2000000)
#define CURSOR_EVERY 25
#define PUSH_BATCH 1000
#define SIGHT_BATCH 1000
#define MAX_GONE 1000

typedef struct server {
    int64_t id, org_id;
    char name[WB_NAME_MAX + 1];
    char *url, *key, *rules_text;
    json_t *rules;
    bool pull, push, push_sightings;
    int64_t pull_cursor, push_cursor;
    int64_t sighting_push_cursor, sighting_pull_cursor;
} server;

static char *sdup(const char *s)
{
    if (s == NULL) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static int server_cb(void *ud, const wb_sync_server_rec *r)
{
    server *s = ud;
    s->id = r->id;
    snprintf(s->name, sizeof s->name, "%s", r->name);
    s->url = sdup(r->url);
    s->key = sdup(r->key);
    s->rules_text = sdup(r->rules);
    s->pull = r->pull;
    s->push = r->push;
    s->pull_cursor = r->pull_cursor;
    s->push_cursor = r->push_cursor;
    s->org_id = r->org_id;
    s->push_sightings = r->push_sightings;
    s->sighting_push_cursor = r->sighting_push_cursor;
    s->sighting_pull_cursor = r->sighting_pull_cursor;
    return 1;
}

static void server_free(server *s)
{
    free(s->url);
    if (s->key) memset(s->key, 0, strlen(s->key));
    free(s->key);
    free(s->rules_text);
    json_decref(s->rules);
}

static int server_get(wb_store *st, const char *name, server *s, wb_error *err)
{
    memset(s, 0, sizeof *s);
    int rc = wb_store_server_find(st, name, 0, server_cb, s, err);
    if (rc == 0 && (s->url == NULL || s->key == NULL))
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0 && s->rules_text) s->rules = json_loads(s->rules_text, 0, NULL);
    return rc;
}

static void say(const wb_sync_run_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(const wb_sync_run_opts *o, const char *fmt, ...)
{
    if (o == NULL || o->log == NULL) return;
    char m[WB_ERROR_MSG_MAX + 200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    o->log(o->ud, m);
}

static void progress(const wb_sync_run_opts *o, size_t done, size_t total)
{
    if (o && o->progress) o->progress(o->ud, done, total);
}

/* Who writes a run's progress: the sync engine (audited as user "sync"). */
static const wb_actor sync_actor = {
    .user = "sync", .org_name = "-", .role = WB_ROLE_SITE_ADMIN, .channel = WB_ACTOR_SYNC};

/* The run's summary as the server's last result and an audit entry
 * (best effort: a failure here does not change the run's result). */
static void finish(wb_store *st, const server *s, bool push, int64_t cursor,
                   const wb_sync_counts *c, int rc, const wb_error *why)
{
    char d[WB_ERROR_MSG_MAX + 200];
    snprintf(d, sizeof d,
             "%s: %zu listed, %zu added, %zu updated, %zu unchanged, %zu withheld, %zu failed, "
             "%zu deleted; sightings: %zu stored, %zu unchanged, %zu withheld%s%.300s",
             push ? "push" : "pull", c->listed, c->added, c->updated, c->unchanged, c->withheld,
             c->failed, c->deleted, c->sightings, c->sightings_unchanged, c->sightings_withheld,
             rc ? "; stopped: " : "", rc ? why->msg : "");
    wb_error e;
    wbi_share_server_progress(st, &sync_actor, s->id, s->name, push, cursor, d, true, &e);
}

static void save_cursor(wb_store *st, const server *s, bool push, int64_t cursor)
{
    wb_error e;
    wbi_share_server_progress(st, &sync_actor, s->id, s->name, push, cursor, "in progress", false,
                              &e);
}

typedef struct local_ts {
    bool found;
    int64_t ts;
} local_ts;

static int local_cb(void *ud, const wb_event_rec *e)
{
    local_ts *l = ud;
    l->found = true;
    l->ts = e->timestamp;
    return 1;
}

/* wb_hub_call, waiting out a rate limit: a weerbaar hub answers 429 with
 * the seconds until the key's next token ("retry in N s"), MISP's
 * throttling with 429 too. Up to MAX_WAITS waits of at most 30 s. */
#define MAX_WAITS 20

static int call(const wb_hub_client *cl, const char *method, const char *path, const char *body,
                size_t len, wb_buf *out, long *status, const volatile int *stop, wb_error *err)
{
    for (int i = 0;; i++) {
        long st = 0;
        int rc = wb_hub_call(cl, method, path, body, len, out, &st, err);
        if (status) *status = st;
        if (st != 429 || i == MAX_WAITS || (stop && *stop)) return rc;
        unsigned secs = 1;
        const char *p = strstr(err->msg, "retry in ");
        if (p) {
            int64_t v;
            const char *q = p + 9;
            size_t n = 0;
            while (q[n] >= '0' && q[n] <= '9')
                n++;
            if (n && wb_parse_i64(q, n, 1, 30, &v) == 0) secs = (unsigned)v;
        }
        struct timespec ts = {.tv_sec = secs, .tv_nsec = 0};
        nanosleep(&ts, NULL);
    }
}

/* ---- pull -------------------------------------------------------------------------- */

/* Every entry of the remote index (all pages) into *out, sorted. */
static int fetch_index(const wb_hub_client *cl, const wb_sync_run_opts *o, wb_sync_entry **out,
                       size_t *n, wb_error *err)
{
    *out = NULL;
    *n = 0;
    wb_buf b = {0};
    int rc = 0;
    size_t cap = 0;
    for (int64_t page = 1; rc == 0; page++) {
        char path[128];
        /* unpublished events too: they are not fetched, but an event
         * missing from the index is one the server no longer has */
        snprintf(path, sizeof path, "/events/index?minimal=1&limit=%d&page=%lld", INDEX_PAGE,
                 (long long)page);
        rc = call(cl, "GET", path, NULL, 0, &b, NULL, o ? o->stop : NULL, err);
        wb_sync_entry *e = NULL;
        size_t k = 0, bad = 0;
        if (rc == 0)
            rc = wb_sync_index_parse(b.data ? b.data : "", b.len,
                                     o && o->max_depth ? o->max_depth : 32, INDEX_PAGE, &e, &k,
                                     &bad, err);
        if (rc == 0 && bad)
            say(o, "index page %lld: %zu entries without uuid or timestamp left out",
                (long long)page, bad);
        if (rc == 0 && *n + k > MAX_INDEX_ENTRIES)
            rc = wb_error_set(err, WB_ELIMIT, "the remote index has more than %zu events",
                              MAX_INDEX_ENTRIES);
        if (rc == 0 && *n + k > cap) {
            size_t nc = cap ? cap * 2 : 1024;
            while (nc < *n + k)
                nc *= 2;
            void *p = realloc(*out, nc * sizeof **out);
            if (p == NULL)
                rc = wb_error_set(err, WB_ENOMEM, "out of memory");
            else {
                *out = p;
                cap = nc;
            }
        }
        if (rc == 0 && k) memcpy(*out + *n, e, k * sizeof *e);
        if (rc == 0) *n += k;
        free(e);
        if (rc == 0 && k + bad < INDEX_PAGE) break;
    }
    wb_buf_free(&b);
    return rc;
}

static int entry_cmp(const void *a, const void *b)
{
    const wb_sync_entry *x = a, *y = b;
    if (x->timestamp != y->timestamp) return x->timestamp < y->timestamp ? -1 : 1;
    return strcmp(x->uuid, y->uuid);
}

/* Fetched events are stored in batches, one transaction each, as feed
 * pull does: a transaction per event synced the WAL to disk per event
 * (synchronous=FULL), 230 events/s for 10,000 events where the feed pull
 * of the same events did 1,500. A write that fails inside a batch (an
 * attribute uuid another event holds) rolls the whole batch back; the
 * batch is then stored again one event per transaction. */
#define BATCH_EVENTS 64
#define BATCH_BYTES ((size_t)64 << 20)

typedef struct pending {
    size_t index; /* into the index entries */
    wb_buf doc;
    wbi_sync_arrived arr;
} pending;

typedef struct puller {
    wb_store *st;
    const server *s;
    const wb_sync_run_opts *o;
    const char *user;
    wb_sync_counts *c;
    pending items[BATCH_EVENTS];
    size_t n, bytes;
} puller;

static void count_sightings(wb_sync_counts *c, const wbi_sync_arrived *x)
{
    c->sightings += x->doc.s_added + x->doc.s_updated;
    c->sightings_unchanged += x->doc.s_unchanged;
    c->sightings_withheld += x->doc.s_withheld + x->sbad;
}

static void count(const wb_sync_run_opts *o, wb_sync_counts *c, const char *uuid,
                  wb_sync_outcome oc, const char *reason)
{
    switch (oc) {
    case WB_SYNC_ADDED:
        c->added++;
        break;
    case WB_SYNC_UPDATED:
        c->updated++;
        break;
    case WB_SYNC_UNCHANGED:
        c->unchanged++;
        break;
    case WB_SYNC_DELETED:
        c->deleted++;
        break;
    case WB_SYNC_WITHHELD:
        c->withheld++;
        break;
    case WB_SYNC_REFUSED:
        c->failed++;
        say(o, "%s: %s", uuid, reason);
        break;
    }
}

/* Reads the batch's documents, stores them (one transaction: the share
 * service's sync batch), counts and empties the batch. Database errors
 * are returned. */
static int flush(puller *p, const wb_sync_entry *ents, wb_error *err)
{
    if (p->n == 0) return 0;
    const wb_sync_run_opts *o = p->o;
    wbi_sync_from from = {
        .server_id = p->s->id, .server_org = p->s->org_id, .user = p->user, .org = p->s->name};
    wbi_share_sync_doc *docs[BATCH_EVENTS];
    size_t nd = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < p->n; i++) {
        pending *x = &p->items[i];
        rc = wbi_sync_prepare(p->st, &from, x->doc.data, x->doc.len,
                              o && o->max_depth ? o->max_depth : 32, o ? o->max_attributes : 0,
                              &x->arr, err);
        if (rc == 0 && x->arr.doc.in) docs[nd++] = &x->arr.doc;
    }
    if (rc == 0) rc = wbi_share_sync_batch(p->st, docs, nd, err);
    for (size_t i = 0; i < p->n; i++) {
        pending *x = &p->items[i];
        if (rc == 0) {
            count(p->o, p->c, ents[x->index].uuid, x->arr.doc.oc, x->arr.doc.reason);
            count_sightings(p->c, &x->arr);
        }
        wbi_sync_arrived_free(&x->arr);
        wb_buf_free(&x->doc);
    }
    p->n = p->bytes = 0;
    return rc;
}

/* ---- deletions on pull ----------------------------------------------------------------- */

typedef struct held {
    char (*v)[WB_UUID_LEN + 1];
    size_t n, cap;
    const char (*listed)[WB_UUID_LEN + 1]; /* the index's uuids, sorted */
    size_t nlisted;
    bool oom;
} held;

static int uuid_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

static int held_cb(void *ud, const char *uuid, int64_t ts)
{
    (void)ts;
    held *h = ud;
    if (bsearch(uuid, h->listed, h->nlisted, sizeof *h->listed, uuid_cmp)) return 0;
    if (h->n == MAX_GONE) return 1;
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        void *p = realloc(h->v, cap * sizeof *h->v);
        if (p == NULL) {
            h->oom = true;
            return 1;
        }
        h->v = p;
        h->cap = cap;
    }
    snprintf(h->v[h->n++], WB_UUID_LEN + 1, "%s", uuid);
    return 0;
}

/* Events received from s that its complete index no longer lists: each
 * asked for once more, and deleted here when s answers 404. */
static int pull_deletions(wb_store *st, const server *s, const wb_hub_client *cl,
                          const wb_sync_run_opts *o, const wb_sync_entry *ents, size_t n,
                          const char *user, wb_sync_counts *c, wb_error *err)
{
    char(*listed)[WB_UUID_LEN + 1] = malloc((n ? n : 1) * sizeof *listed);
    if (listed == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        memcpy(listed[i], ents[i].uuid, WB_UUID_LEN + 1);
    qsort(listed, n, sizeof *listed, uuid_cmp);
    held h = {.listed = (const char(*)[WB_UUID_LEN + 1]) listed, .nlisted = n};
    int rc = wb_store_sync_origin_events(st, s->id, held_cb, &h, err);
    if (rc == 0 && h.oom) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0 && h.n && n == 0) {
        /* more likely a key that sees nothing than a server that emptied */
        say(o, "pull from %s: its index is empty; %zu events received from it are kept", s->name,
            h.n);
        h.n = 0;
    }
    wb_buf b = {0};
    for (size_t i = 0; rc == 0 && i < h.n && !(o && o->stop && *o->stop); i++) {
        char path[80];
        snprintf(path, sizeof path, "/events/view/%s", h.v[i]);
        wb_error fe = {0};
        long status = 0;
        int r = call(cl, "GET", path, NULL, 0, &b, &status, o ? o->stop : NULL, &fe);
        if (r != 0 && status == 0) {
            rc = r;
            *err = fe;
            break;
        }
        if (status != 404) continue; /* still there (listed late), or a passing error */
        wb_sync_outcome oc;
        char reason[WB_ERROR_MSG_MAX];
        rc = wbi_share_sync_delete(st, s->id, user, s->name, h.v[i], "pull: gone from its index",
                                   &oc, reason, sizeof reason, err);
        if (rc == WB_ENOTFOUND) rc = 0;
        if (rc == 0 && oc == WB_SYNC_DELETED) c->deleted++;
        if (rc == 0 && oc == WB_SYNC_REFUSED) say(o, "%s: %s", h.v[i], reason);
    }
    wb_buf_free(&b);
    free(h.v);
    free(listed);
    return rc;
}

int wb_sync_pull(wb_store *st, const char *name, const wb_sync_run_opts *o, wb_sync_counts *c,
                 wb_error *err)
{
    memset(c, 0, sizeof *c);
    server s;
    int rc = server_get(st, name, &s, err);
    if (rc) {
        server_free(&s);
        return rc;
    }
    if (!s.pull) {
        server_free(&s);
        return wb_error_set(err, WB_EINVAL, "server '%s' was added without --pull", name);
    }
    wb_hub_client cl = {.base = s.url,
                        .key = s.key,
                        .raw_key = true,
                        .timeout_s = o && o->timeout_s ? o->timeout_s : 60};
    wb_http_opts ho = {.timeout_s = cl.timeout_s};
    cl.handle = wb_http_handle(&ho); /* one connection for the run; NULL: one per call */
    wb_sync_entry *ents = NULL;
    size_t n = 0;
    rc = fetch_index(&cl, o, &ents, &n, err);
    if (rc == 0 && n > 1) qsort(ents, n, sizeof *ents, entry_cmp);
    for (size_t i = 0; i < n; i++)
        c->listed += ents[i].published;
    int64_t cursor = s.pull_cursor, seen = s.pull_cursor;
    int64_t sseen = s.sighting_pull_cursor;
    wb_buf b = {0};
    char user[WB_NAME_MAX + 16];
    snprintf(user, sizeof user, "sync:%s", s.name);
    puller *p = calloc(1, sizeof *p);
    if (rc == 0 && p == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (p) *p = (puller){.st = st, .s = &s, .o = o, .user = user, .c = c};
    size_t done = 0;
    bool net_stop = false;
    for (size_t i = 0; rc == 0 && i < n && !(o && o->stop && *o->stop); i++) {
        if (!ents[i].published) {
            progress(o, ++done, n);
            continue;
        }
        local_ts l = {0};
        wb_error le;
        int r = wb_store_event_get(st, ents[i].uuid, local_cb, &l, &le);
        if (r != 0 && r != WB_ENOTFOUND) {
            rc = r;
            *err = le;
            break;
        }
        if (ents[i].timestamp > seen) seen = ents[i].timestamp;
        if (ents[i].sighting_timestamp > sseen) sseen = ents[i].sighting_timestamp;
        /* an unchanged event is fetched again for its sightings when they
         * changed at or after the last complete pull's newest change
         * (seconds: an equal one may be newer) */
        bool sightings =
            ents[i].sighting_timestamp > 0 && ents[i].sighting_timestamp >= s.sighting_pull_cursor;
        if (l.found && l.ts >= ents[i].timestamp && !sightings) {
            c->unchanged++;
            progress(o, ++done, n);
            continue;
        }
        char path[80];
        snprintf(path, sizeof path, "/events/view/%s", ents[i].uuid);
        wb_error fe = {0};
        long status = 0;
        r = call(&cl, "GET", path, NULL, 0, &b, &status, o ? o->stop : NULL, &fe);
        if (r == WB_ENOMEM || (r != 0 && status == 0)) {
            /* out of memory, or the server went away: stop (keeping what
             * was fetched), carry on next time */
            rc = r;
            *err = fe;
            net_stop = true;
            break;
        }
        bool pass = r == 0;
        if (r != 0) {
            c->failed++;
            say(o, "%s: %s", ents[i].uuid, fe.msg);
        } else if (s.rules) {
            json_t *doc = json_loadb(b.data, b.len, 0, NULL);
            pass = wbi_sync_rules_pass(s.rules, doc);
            json_decref(doc);
            if (!pass) c->withheld++;
        }
        if (!pass) {
            progress(o, ++done, n);
            continue;
        }
        pending *x = &p->items[p->n++];
        x->doc = (wb_buf){0};
        x->index = i;
        x->doc = b; /* the buffer moves into the batch */
        memset(&b, 0, sizeof b);
        p->bytes += x->doc.len;
        if (p->n == BATCH_EVENTS || p->bytes >= BATCH_BYTES) {
            size_t nb = p->n;
            rc = flush(p, ents, err);
            done += nb;
            if (rc == 0) {
                cursor = seen;
                save_cursor(st, &s, false, cursor);
            }
            progress(o, done, n);
        }
    }
    if (p && rc == 0) {
        rc = flush(p, ents, err);
        bool whole = rc == 0 && !(o && o->stop && *o->stop);
        /* the whole index looked at: the newest timestamps it listed */
        if (whole) cursor = seen;
        if (whole && sseen != s.sighting_pull_cursor) {
            wb_error e2;
            if (wb_store_server_sighting_cursor(st, s.id, false, sseen, &e2) != 0)
                say(o, "pull from %s: %s", s.name, e2.msg);
        }
        if (whole) rc = pull_deletions(st, &s, &cl, o, ents, n, user, c, err);
    } else if (p && net_stop) {
        wb_error ferr = {0};
        if (flush(p, ents, &ferr) != 0) *err = ferr;
    }
    if (p) {
        for (size_t i = 0; i < p->n; i++) {
            wbi_sync_arrived_free(&p->items[i].arr);
            wb_buf_free(&p->items[i].doc);
        }
        free(p);
    }
    if (rc == 0) progress(o, n, n);
    finish(st, &s, false, cursor, c, rc, err);
    wb_http_free(cl.handle);
    wb_buf_free(&b);
    free(ents);
    server_free(&s);
    return rc;
}

/* ---- push -------------------------------------------------------------------------- */

typedef struct change {
    char uuid[WB_UUID_LEN + 1];
    int64_t seq;
} change;

typedef struct changes {
    change *v;
    size_t n;
} changes;

static int change_cb(void *ud, const wb_event_rec *e)
{
    changes *c = ud;
    snprintf(c->v[c->n].uuid, sizeof c->v[c->n].uuid, "%s", e->uuid);
    c->v[c->n].seq = e->seq;
    return ++c->n == PUSH_BATCH;
}

/* Whether the event may go to s at all; why not into *why. */
static bool push_eligible(wb_store *st, const server *s, const wbi_sync_event *e, const char **why)
{
    const wb_event_rec *ev = &e->ev;
    wb_policy_item it = {.kind = WB_ITEM_EVENT,
                         .creator_org = ev->org_id,
                         .event_tlp = ev->tlp,
                         .event_distribution = ev->distribution,
                         .event_sharing_group = ev->sharing_group_id};
    if (ev->deleted || !ev->published) {
        *why = "not published";
        return false;
    }
    if (!wbi_sync_item_leaves(st, wb_policy_tlp(&it), ev->distribution, ev->sharing_group_id,
                              s->id)) {
        *why = "may not travel";
        return false;
    }
    int64_t from = 0, ts = 0;
    wb_error e2;
    if (wb_store_sync_origin_get(st, ev->uuid, &from, &ts, &e2) == 0 && from == s->id &&
        ts == ev->timestamp) {
        *why = "came from that server unchanged";
        return false;
    }
    return true;
}

/* Sends one event; 0 with the outcome counted, or a transport error. */
static int push_one(wb_store *st, const server *s, const wb_hub_client *cl,
                    const wb_sync_run_opts *o, const wbi_sync_event *e, wb_buf *b,
                    wb_sync_counts *c, wb_error *err)
{
    wbi_sync_peer peer = {
        .server_id = s->id, .org_id = s->org_id, .sightings_open = o && o->sightings_open};
    json_t *doc = wbi_sync_render(st, NULL, &peer, &e->ev, err);
    if (doc == NULL) return err->code ? err->code : WB_ENOMEM;
    if (s->rules && !wbi_sync_rules_pass(s->rules, doc)) {
        json_decref(doc);
        c->withheld++;
        return 0;
    }
    /* No local ids on the wire: they mean nothing on the other side. */
    json_object_del(json_object_get(doc, "Event"), "id");
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (text == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_error fe = {0};
    long status = 0;
    const volatile int *stop = o ? o->stop : NULL;
    int r = call(cl, "POST", "/events/add", text, strlen(text), b, &status, stop, &fe);
    if (r != 0 && status >= 400 && status < 500 && status != 401 && status != 404 &&
        status != 429) {
        /* MISP refuses an add of an event it has: an edit then */
        char path[80];
        snprintf(path, sizeof path, "/events/edit/%s", e->ev.uuid);
        r = call(cl, "POST", path, text, strlen(text), b, &status, stop, &fe);
    }
    free(text);
    if (r != 0 && status == 0) {
        *err = fe;
        return r;
    }
    if (r != 0) {
        c->failed++;
        say(o, "%s: %s", e->ev.uuid, fe.msg);
        return 0;
    }
    json_t *ans = json_loadb(b->data, b->len, 0, NULL);
    const char *how = json_string_value(json_object_get(ans, "weerbaar_sync"));
    if (how && strcmp(how, "added") == 0)
        c->added++;
    else if (how && strcmp(how, "unchanged") == 0)
        c->unchanged++;
    else if (how && strcmp(how, "withheld") == 0)
        c->withheld++;
    else
        c->updated++;
    json_decref(ans);
    return 0;
}

/* A deleted event (a tombstone in the change feed): POST
 * /events/delete/{uuid} when the event may travel to s and did not come
 * from it. The receiver applies it only to an event it received from this
 * hub (wb_sync_delete); 404 means it never had the event. */
static int push_delete(wb_store *st, const server *s, const wb_hub_client *cl,
                       const wb_sync_run_opts *o, const wbi_sync_event *e, wb_buf *b,
                       wb_sync_counts *c, wb_error *err)
{
    const wb_event_rec *ev = &e->ev;
    wb_policy_item it = {.kind = WB_ITEM_EVENT,
                         .creator_org = ev->org_id,
                         .event_tlp = ev->tlp,
                         .event_distribution = ev->distribution,
                         .event_sharing_group = ev->sharing_group_id};
    int64_t from = 0, ts = 0;
    wb_error e2;
    if (!wbi_sync_item_leaves(st, wb_policy_tlp(&it), ev->distribution, ev->sharing_group_id,
                              s->id) ||
        (wb_store_sync_origin_get(st, ev->uuid, &from, &ts, &e2) == 0 && from == s->id)) {
        c->withheld++;
        return 0;
    }
    char path[80];
    snprintf(path, sizeof path, "/events/delete/%s", ev->uuid);
    wb_error fe = {0};
    long status = 0;
    int r = call(cl, "POST", path, "{}", 2, b, &status, o ? o->stop : NULL, &fe);
    if (r != 0 && status == 0) {
        *err = fe;
        return r;
    }
    if (status == 404) {
        c->unchanged++;
        return 0;
    }
    if (r != 0) {
        c->failed++;
        say(o, "%s: delete: %s", ev->uuid, fe.msg);
        return 0;
    }
    json_t *ans = json_loadb(b->data, b->len, 0, NULL);
    const char *how = json_string_value(json_object_get(ans, "weerbaar_sync"));
    if (how && strcmp(how, "unchanged") == 0)
        c->unchanged++;
    else
        c->deleted++;
    json_decref(ans);
    return 0;
}

/* ---- sightings pushed on their own ------------------------------------------------------- */

typedef struct srow {
    wb_sync_sighting_rec r; /* facts only: strings are in j */
    char ev_uuid[WB_UUID_LEN + 1];
    json_t *j;
} srow;

typedef struct srows {
    srow *v;
    size_t n;
    bool oom;
} srows;

static int srow_cb(void *ud, const wb_sync_sighting_rec *r)
{
    srows *x = ud;
    srow *w = &x->v[x->n];
    w->j = wbi_sync_sighting_json(r);
    if (w->j == NULL) {
        x->oom = true;
        return 1;
    }
    w->r = *r;
    snprintf(w->ev_uuid, sizeof w->ev_uuid, "%s", r->event_uuid);
    w->r.uuid = w->r.attribute_uuid = w->r.event_uuid = w->r.org_name = w->r.org_uuid = NULL;
    w->r.source = NULL;
    return ++x->n == SIGHT_BATCH;
}

static int srow_cmp(const void *a, const void *b)
{
    const srow *x = a, *y = b;
    if (x->r.event_id != y->r.event_id) return x->r.event_id < y->r.event_id ? -1 : 1;
    return x->r.seq < y->r.seq ? -1 : x->r.seq > y->r.seq;
}

/* One event's sightings rows [from, to) that may go to s, sent with
 * MISP's POST /sightings/bulkSaveSightings/{event}. */
static int push_event_sightings(wb_store *st, const server *s, const wbi_sync_peer *peer,
                                const wb_hub_client *cl, const wb_sync_run_opts *o, srow *rows,
                                size_t from, size_t to, wb_buf *b, wb_sync_counts *c, wb_error *err)
{
    wbi_sync_event e;
    int rc = wbi_sync_event_get(st, rows[from].ev_uuid, &e, err);
    if (rc == WB_ENOTFOUND || (rc == 0 && (e.ev.deleted || !e.ev.published))) {
        /* the remote cannot have it (yet): its push carries them */
        c->sightings_withheld += to - from;
        wbi_sync_event_free(&e);
        return 0;
    }
    json_t *arr = rc == 0 ? json_array() : NULL;
    if (rc == 0 && arr == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    int there = rc == 0 ? wbi_sync_came_from(st, e.ev.uuid, s->id) : 0;
    for (size_t i = from; rc == 0 && i < to; i++) {
        if (wbi_sync_sighting_leaves(st, peer, &e.ev, &rows[i].r, there))
            json_array_append(arr, rows[i].j);
        else
            c->sightings_withheld++;
    }
    size_t k = json_array_size(arr);
    char *text = rc == 0 && k ? json_dumps(arr, JSON_COMPACT) : NULL;
    if (rc == 0 && k && text == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    json_decref(arr);
    if (rc == 0 && k) {
        char path[96];
        snprintf(path, sizeof path, "/sightings/bulkSaveSightings/%s", e.ev.uuid);
        wb_error fe = {0};
        long status = 0;
        int r = call(cl, "POST", path, text, strlen(text), b, &status, o ? o->stop : NULL, &fe);
        if (r != 0 && status == 0) {
            rc = r;
            *err = fe;
        } else if (status == 404) {
            c->sightings_withheld += k; /* the remote does not have the event */
        } else if (r != 0) {
            c->failed++;
            say(o, "%s: sightings: %s", e.ev.uuid, fe.msg);
        } else {
            json_t *ans = json_loadb(b->data, b->len, 0, NULL);
            const json_t *ws = json_object_get(ans, "weerbaar_sync");
            if (json_is_object(ws)) {
                c->sightings += (size_t)json_integer_value(json_object_get(ws, "saved"));
                c->sightings_unchanged +=
                    (size_t)json_integer_value(json_object_get(ws, "unchanged"));
                c->sightings_withheld +=
                    (size_t)json_integer_value(json_object_get(ws, "withheld"));
            } else {
                c->sightings += k; /* MISP says how many it saved only in prose */
            }
            json_decref(ans);
        }
    }
    free(text);
    wbi_sync_event_free(&e);
    return rc;
}

/* The sightings changed since the server's sighting push cursor, a batch
 * at a time; the cursor is stored after each batch that went through. */
static int push_sightings(wb_store *st, const server *s, const wb_hub_client *cl,
                          const wb_sync_run_opts *o, wb_buf *b, wb_sync_counts *c, wb_error *err)
{
    wbi_sync_peer peer = {
        .server_id = s->id, .org_id = s->org_id, .sightings_open = o && o->sightings_open};
    srows x = {.v = calloc(SIGHT_BATCH, sizeof(srow))};
    if (x.v == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    int64_t cursor = s->sighting_push_cursor;
    int rc = 0;
    for (;;) {
        x.n = 0;
        x.oom = false;
        rc = wb_store_sync_sightings(st, 0, cursor, SIGHT_BATCH, false, srow_cb, &x, err);
        if (rc == 0 && x.oom) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        int64_t last = cursor;
        for (size_t i = 0; i < x.n; i++)
            if (x.v[i].r.seq > last) last = x.v[i].r.seq;
        if (rc == 0 && x.n > 1) qsort(x.v, x.n, sizeof *x.v, srow_cmp);
        for (size_t i = 0; rc == 0 && i < x.n;) {
            size_t j = i + 1;
            while (j < x.n && x.v[j].r.event_id == x.v[i].r.event_id)
                j++;
            rc = push_event_sightings(st, s, &peer, cl, o, x.v, i, j, b, c, err);
            i = j;
        }
        size_t got = x.n;
        for (size_t i = 0; i < x.n; i++)
            json_decref(x.v[i].j);
        if (rc || got == 0) break;
        cursor = last;
        wb_error e2;
        if (wb_store_server_sighting_cursor(st, s->id, true, cursor, &e2) != 0)
            say(o, "push to %s: %s", s->name, e2.msg);
        if (got < SIGHT_BATCH || (o && o->stop && *o->stop)) break;
    }
    free(x.v);
    return rc;
}

int wb_sync_push(wb_store *st, const char *name, const wb_sync_run_opts *o, wb_sync_counts *c,
                 wb_error *err)
{
    memset(c, 0, sizeof *c);
    server s;
    int rc = server_get(st, name, &s, err);
    if (rc) {
        server_free(&s);
        return rc;
    }
    if (!s.push && !s.push_sightings) {
        server_free(&s);
        return wb_error_set(err, WB_EINVAL, "server '%s' was added without --push", name);
    }
    wb_hub_client cl = {.base = s.url,
                        .key = s.key,
                        .raw_key = true,
                        .timeout_s = o && o->timeout_s ? o->timeout_s : 60};
    wb_http_opts ho = {.timeout_s = cl.timeout_s};
    cl.handle = wb_http_handle(&ho); /* one connection for the run; NULL: one per call */
    int64_t cursor = s.push_cursor, total = 0;
    if (wb_store_event_seq_max(st, &total, err) != 0) total = 0;
    changes ch = {.v = calloc(PUSH_BATCH, sizeof(change))};
    if (ch.v == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_buf b = {0};
    size_t since_save = 0;
    while (rc == 0 && s.push) { /* events; a --push-sightings server takes sightings only */
        ch.n = 0;
        rc = wb_store_event_changes(st, cursor, change_cb, &ch, err);
        if (rc || ch.n == 0) break;
        for (size_t i = 0; rc == 0 && i < ch.n; i++) {
            if (o && o->stop && *o->stop) {
                ch.n = 0;
                break;
            }
            c->listed++;
            wbi_sync_event e;
            int r = wbi_sync_event_get(st, ch.v[i].uuid, &e, err);
            const char *why = NULL;
            if (r == WB_ENOTFOUND) {
                r = 0;
            } else if (r == 0 && e.ev.deleted) {
                r = push_delete(st, &s, &cl, o, &e, &b, c, err);
            } else if (r == 0 && !push_eligible(st, &s, &e, &why)) {
                c->withheld++;
            } else if (r == 0) {
                r = push_one(st, &s, &cl, o, &e, &b, c, err);
            }
            wbi_sync_event_free(&e);
            if (r) {
                rc = r;
                break;
            }
            cursor = ch.v[i].seq;
            if (++since_save == CURSOR_EVERY) {
                save_cursor(st, &s, true, cursor);
                since_save = 0;
            }
            progress(o, (size_t)cursor, (size_t)total);
        }
        if (ch.n < PUSH_BATCH) break;
    }
    if (rc == 0 && !(o && o->stop && *o->stop)) rc = push_sightings(st, &s, &cl, o, &b, c, err);
    finish(st, &s, true, cursor, c, rc, err);
    wb_http_free(cl.handle);
    free(ch.v);
    wb_buf_free(&b);
    server_free(&s);
    return rc;
}

/* ---- every server (serve's schedule) --------------------------------------------------- */

typedef struct names {
    char (*v)[WB_NAME_MAX + 1];
    bool *pull, *push; /* push: events or sightings */
    size_t n, cap;
} names;

static int names_cb(void *ud, const wb_sync_server_rec *r)
{
    names *x = ud;
    if (x->n == x->cap) return 1;
    snprintf(x->v[x->n], WB_NAME_MAX + 1, "%s", r->name);
    x->pull[x->n] = r->pull;
    x->push[x->n] = r->push || r->push_sightings;
    x->n++;
    return 0;
}

void wb_sync_all(wb_store *st, const wb_sync_run_opts *o)
{
    names x = {.cap = 256};
    x.v = calloc(x.cap, sizeof *x.v);
    x.pull = calloc(x.cap, sizeof *x.pull);
    x.push = calloc(x.cap, sizeof *x.push);
    wb_error err;
    if (x.v == NULL || x.pull == NULL || x.push == NULL) {
        say(o, "sync: out of memory");
    } else if (wb_store_server_list(st, names_cb, &x, &err) != 0) {
        say(o, "sync: %s", err.msg);
    }
    for (size_t i = 0; i < x.n && !(o && o->stop && *o->stop); i++) {
        wb_sync_counts c;
        for (int push = 0; push < 2; push++) {
            if (!(push ? x.push[i] : x.pull[i])) continue;
            int rc = push ? wb_sync_push(st, x.v[i], o, &c, &err)
                          : wb_sync_pull(st, x.v[i], o, &c, &err);
            if (rc)
                say(o, "sync %s %s: %s", push ? "push to" : "pull from", x.v[i], err.msg);
            else if (c.added || c.updated || c.failed || c.deleted || c.sightings)
                say(o,
                    "sync %s %s: %zu added, %zu updated, %zu unchanged, %zu withheld, %zu failed, "
                    "%zu deleted, %zu sightings",
                    push ? "push to" : "pull from", x.v[i], c.added, c.updated, c.unchanged,
                    c.withheld, c.failed, c.deleted, c.sightings);
        }
    }
    free(x.v);
    free(x.pull);
    free(x.push);
}
