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
 * Every event stored, and every run, is an audit entry. A run keeps one
 * HTTP handle, so its requests share one connection (keep-alive).
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

typedef struct server {
    int64_t id;
    char name[WB_NAME_MAX + 1];
    char *url, *key, *rules_text;
    json_t *rules;
    bool pull, push;
    int64_t pull_cursor, push_cursor;
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

/* The run's summary as the server's last result and an audit entry. */
static void finish(wb_store *st, const server *s, bool push, int64_t cursor,
                   const wb_sync_counts *c, int rc, const wb_error *why)
{
    char d[WB_ERROR_MSG_MAX + 200];
    snprintf(d, sizeof d,
             "%s: %zu listed, %zu added, %zu updated, %zu unchanged, %zu withheld, %zu failed, "
             "%zu deleted%s%.300s",
             push ? "push" : "pull", c->listed, c->added, c->updated, c->unchanged, c->withheld,
             c->failed, c->deleted, rc ? "; stopped: " : "", rc ? why->msg : "");
    wb_error e;
    if (wb_store_begin(st, &e) != 0) return;
    int r = wb_store_server_progress(st, s->id, push, cursor, wb_time_now() / 1000000, d, &e);
    wb_audit_rec a = {.user = "sync",
                      .org = "-",
                      .action = push ? "server.push" : "server.pull",
                      .object = s->name,
                      .detail = d};
    if (r == 0) r = wb_store_audit(st, &a, &e);
    if (r == 0) r = wb_store_commit(st, &e);
    if (r) wb_store_rollback(st);
}

static void save_cursor(wb_store *st, const server *s, bool push, int64_t cursor)
{
    wb_error e;
    if (wb_store_begin(st, &e) != 0) return;
    if (wb_store_server_progress(st, s->id, push, cursor, wb_time_now() / 1000000, "in progress",
                                 &e) == 0 &&
        wb_store_commit(st, &e) == 0)
        return;
    wb_store_rollback(st);
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
        snprintf(path, sizeof path, "/events/index?minimal=1&published=1&limit=%d&page=%lld",
                 INDEX_PAGE, (long long)page);
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
    wb_sync_outcome oc;
    char reason[WB_ERROR_MSG_MAX];
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

/* Stores one pending document (in the batch's transaction when one is open). */
static int store_pending(puller *p, pending *x, bool *undone, wb_error *err)
{
    const wb_sync_run_opts *o = p->o;
    x->reason[0] = '\0';
    return wbi_sync_ingest(p->st, p->s->id, p->user, p->s->name, x->doc.data, x->doc.len,
                           o && o->max_depth ? o->max_depth : 32, o ? o->max_attributes : 0, &x->oc,
                           NULL, x->reason, sizeof x->reason, undone, err);
}

/* Stores the batch, counts and empties it. Database errors are returned. */
static int flush(puller *p, const wb_sync_entry *ents, wb_error *err)
{
    if (p->n == 0) return 0;
    int rc = wb_store_begin(p->st, err);
    bool redo = false;
    for (size_t i = 0; rc == 0 && i < p->n && !redo; i++)
        rc = store_pending(p, &p->items[i], &redo, err);
    if (rc == 0 && !redo) rc = wb_store_commit(p->st, err);
    if (rc) wb_store_rollback(p->st);
    for (size_t i = 0; rc == 0 && redo && i < p->n; i++) {
        bool undone;
        rc = store_pending(p, &p->items[i], &undone, err);
    }
    for (size_t i = 0; i < p->n; i++) {
        pending *x = &p->items[i];
        if (rc == 0) count(p->o, p->c, ents[x->index].uuid, x->oc, x->reason);
        wb_buf_free(&x->doc);
    }
    p->n = p->bytes = 0;
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
    c->listed = n;
    int64_t cursor = s.pull_cursor, seen = s.pull_cursor;
    wb_buf b = {0};
    char user[WB_NAME_MAX + 16];
    snprintf(user, sizeof user, "sync:%s", s.name);
    puller *p = calloc(1, sizeof *p);
    if (rc == 0 && p == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (p) *p = (puller){.st = st, .s = &s, .o = o, .user = user, .c = c};
    size_t done = 0;
    bool net_stop = false;
    for (size_t i = 0; rc == 0 && i < n && !(o && o->stop && *o->stop); i++) {
        local_ts l = {0};
        wb_error le;
        int r = wb_store_event_get(st, ents[i].uuid, local_cb, &l, &le);
        if (r != 0 && r != WB_ENOTFOUND) {
            rc = r;
            *err = le;
            break;
        }
        if (ents[i].timestamp > seen) seen = ents[i].timestamp;
        if (l.found && l.ts >= ents[i].timestamp) {
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
        memset(x, 0, sizeof *x);
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
        /* the whole index looked at: the newest timestamp it listed */
        if (rc == 0 && !(o && o->stop && *o->stop)) cursor = seen;
    } else if (p && net_stop) {
        wb_error ferr = {0};
        if (flush(p, ents, &ferr) != 0) *err = ferr;
    }
    if (p) {
        for (size_t i = 0; i < p->n; i++)
            wb_buf_free(&p->items[i].doc);
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
    json_t *doc = wbi_sync_render(st, NULL, s->id, &e->ev, err);
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
    if (!s.push) {
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
    while (rc == 0) {
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
    bool *pull, *push;
    size_t n, cap;
} names;

static int names_cb(void *ud, const wb_sync_server_rec *r)
{
    names *x = ud;
    if (x->n == x->cap) return 1;
    snprintf(x->v[x->n], WB_NAME_MAX + 1, "%s", r->name);
    x->pull[x->n] = r->pull;
    x->push[x->n] = r->push;
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
            else if (c.added || c.updated || c.failed || c.deleted)
                say(o,
                    "sync %s %s: %zu added, %zu updated, %zu unchanged, %zu withheld, %zu failed, "
                    "%zu deleted",
                    push ? "push to" : "pull from", x.v[i], c.added, c.updated, c.unchanged,
                    c.withheld, c.failed, c.deleted);
        }
    }
    free(x.v);
    free(x.pull);
    free(x.push);
}
