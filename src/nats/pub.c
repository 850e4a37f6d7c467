/*
 * pub.c - the hub's NATS publisher (serve --nats URL --nats-creds FILE):
 * every change of the change feed, split by audience, to stream WB_IND.
 *
 * A thread of its own with its own database connection looks at the
 * change feed every interval and publishes each changed event, in
 * sequence order, as every audience sees it: the policy decides, through
 * the events service (wb_share_event_get as a principal standing for the
 * audience), so the subjects carry what the change feed would give a
 * member of that audience and nothing more. The audiences (nats.h):
 *    all        a principal of no organisation and no group
 *    org.<X>    the creator, without its groups
 *    sg.<G>     a principal of no organisation in group G alone
 *    sg2.<A>.<B> in groups A and B (an attribute of B in an event of A)
 * A part goes out when its audience sees more of the event than the
 * audiences below it (all; for sg2 also sg.A and sg.B) see, whose
 * subscribers receive those anyway. A subject that carried the event
 * before and does not now gets an empty part (a tombstone), as does every
 * subject of a deleted event.
 *
 * Exactly once, across restarts: each message carries Nats-Msg-Id
 * "<seq>:<subject>" (JetStream drops a repeat within its duplicate window)
 * and Wb-Prev, the change published before on that subject, which the
 * publisher keeps with its progress in the database (migration 19) and
 * writes only after JetStream acknowledged every part of the change. A
 * crash in between publishes the same change again with the same ids.
 */
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <nats/nats.h>

#include "nats/nats_internal.h"
#include "weerbaar/io.h"
#include "weerbaar/sharesvc.h"
#include "weerbaar/sightingsvc.h"
#include "weerbaar/store_nats.h"

#define BATCH 256       /* changes read per round */
#define MAX_PARTS 64    /* audiences one event goes to */
#define MAX_SUBJECT 160 /* wb.ind.sg2.<uuid>.<uuid> fits */

struct wb_nats_pub {
    wb_nats_pub_opts o;
    char *seed; /* the hub's NKey seed */
    wb_store *st;
    natsOptions *nopts;
    natsConnection *nc;
    jsCtx *js;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool quit;
    pthread_mutex_t work;          /* one round at a time (thread or flush) */
    natsSubscription *sights;      /* the hub's consumer of WB_SIGHT */
    char who_subject[MAX_SUBJECT]; /* the sender the cache below is of */
    wb_principal who;
    char who_email[256], who_org[256];
    struct part *parts; /* MAX_PARTS, under work; bodies reused */
    struct change_batch *batch;
};

struct part {
    char subject[MAX_SUBJECT];
    wb_principal who;
    int below[3]; /* parts whose audiences are inside this one's; -1 none */
    wb_buf body;
    long count; /* attributes seen; -1: the event is not visible */
    bool send;
};
typedef struct part part;

static void logf_(wb_nats_pub *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(wb_nats_pub *p, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->o.log) p->o.log(p->o.log_ud, msg);
}

static natsStatus sign_cb(char **custom, unsigned char **sig, int *siglen, const char *nonce,
                          void *closure)
{
    wb_nats_pub *p = closure;
    (void)custom;
    unsigned char *s = malloc(64);
    if (s == NULL) return NATS_NO_MEMORY;
    if (wb_nkey_sign(p->seed, nonce, strlen(nonce), s) != 0) {
        free(s);
        return NATS_ERR;
    }
    *sig = s;
    *siglen = 64;
    return NATS_OK;
}

/* Attributes in a rendered {"Event": ...}: its own and its objects'. */
static long count_attrs(const wb_buf *b)
{
    json_t *j = json_loadb(b->data, b->len, 0, NULL);
    json_t *ev = json_object_get(j, "Event");
    long n = (long)json_array_size(json_object_get(ev, "Attribute"));
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(ev, "Object"), i, o) n +=
        (long)json_array_size(json_object_get(o, "Attribute"));
    json_decref(j);
    return n;
}

typedef struct attr_groups {
    int64_t ids[MAX_PARTS];
    size_t n;
} attr_groups;

static int attr_cb(void *ud, const wb_event_rec *unused, const wb_attr_rec *a)
{
    (void)unused;
    attr_groups *g = ud;
    if (a->deleted || a->distribution != 4 || a->sharing_group_id <= 0) return 0;
    for (size_t i = 0; i < g->n; i++)
        if (g->ids[i] == a->sharing_group_id) return 0;
    if (g->n < MAX_PARTS - 8) g->ids[g->n++] = a->sharing_group_id;
    return 0;
}

typedef struct uuid_of {
    char uuid[64];
} uuid_of;

static int sg_cb(void *ud, const wb_sgroup *g)
{
    snprintf(((uuid_of *)ud)->uuid, sizeof((uuid_of *)ud)->uuid, "%s", g->uuid);
    return 1;
}

static int org_cb(void *ud, const wb_org *o)
{
    snprintf(((uuid_of *)ud)->uuid, sizeof((uuid_of *)ud)->uuid, "%s", o->uuid);
    return 1;
}

static wb_principal audience(int64_t org, const int64_t *groups, size_t ng)
{
    /* org -1: no organisation a creator can have, so distribution 0 and
     * the creator's share of distribution 4 stay out. */
    wb_principal w = {.authenticated = true, .org_id = org, .role = WB_ROLE_SENSOR};
    for (size_t i = 0; i < ng; i++)
        w.groups[w.ngroups++] = groups[i];
    return w;
}

/* Renders part x of event uuid as its audience sees it. */
static int render(wb_nats_pub *p, const char *uuid, part *x, wb_error *err)
{
    wb_arena arena;
    wb_arena_init(&arena, 16384);
    wb_share_conf conf = {0};
    wb_share s = {.st = p->st, .conf = &conf, .who = &x->who, .now = time(NULL), .arena = &arena};
    s.actor = (wb_actor){
        .user = "nats", .org_name = "-", .role = WB_ROLE_SENSOR, .channel = WB_ACTOR_API};
    wb_buf_reset(&x->body);
    int rc = wb_share_event_get(&s, uuid, WB_READ_INDICATOR, &x->body);
    if (rc == 0) {
        x->count = count_attrs(&x->body);
    } else if (s.status == 404) {
        x->count = -1;
        rc = 0;
    } else {
        rc = wb_error_set(err, rc, "event %s: %s", uuid, s.err.msg);
    }
    wb_arena_free(&arena);
    return rc;
}

typedef struct prev_list {
    char subj[MAX_PARTS][MAX_SUBJECT];
    size_t n;
} prev_list;

static int prev_cb(void *ud, const char *subject)
{
    prev_list *l = ud;
    if (l->n < MAX_PARTS) snprintf(l->subj[l->n++], MAX_SUBJECT, "%s", subject);
    return 0;
}

static int publish_one(wb_nats_pub *p, const char *subject, int64_t seq, const char *uuid,
                       const char *body, size_t len, wb_error *err)
{
    int64_t prev = 0;
    int rc = wb_store_nats_subject_prev(p->st, subject, &prev, err);
    if (rc) return rc;
    natsMsg *m = NULL;
    char id[MAX_SUBJECT + 32], sq[24], pv[24];
    snprintf(id, sizeof id, "%lld:%s", (long long)seq, subject);
    snprintf(sq, sizeof sq, "%lld", (long long)seq);
    snprintf(pv, sizeof pv, "%lld", (long long)prev);
    natsStatus s = natsMsg_Create(&m, subject, NULL, body, (int)len);
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Nats-Msg-Id", id);
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Wb-Seq", sq);
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Wb-Prev", pv);
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Wb-Event", uuid);
    jsErrCode jerr = 0;
    jsPubAck *ack = NULL;
    if (s == NATS_OK) s = js_PublishMsg(&ack, p->js, m, NULL, &jerr);
    jsPubAck_Destroy(ack);
    natsMsg_Destroy(m);
    if (s != NATS_OK)
        return wb_error_set(err, WB_EIO, "NATS: publishing change %lld to %s: %s (%d)",
                            (long long)seq, subject, natsStatus_GetText(s), (int)jerr);
    return 0;
}

/* Publishes one changed event and records it. *n messages sent. */
static int publish_event(wb_nats_pub *p, const wb_event_rec *e, size_t *n, wb_error *err)
{
    part *parts = p->parts;
    size_t np = 0;
    int rc = 0;
    uuid_of ou = {{0}};
    if (!e->deleted) {
        if (e->org_uuid)
            snprintf(ou.uuid, sizeof ou.uuid, "%s", e->org_uuid);
        else
            rc = wb_store_org_get(p->st, e->org_id, org_cb, &ou, err);
        attr_groups g = {{0}, 0};
        if (rc == 0) rc = wb_store_attr_list(p->st, e->id, attr_cb, &g, err);
        int64_t esg = e->distribution == 4 ? e->sharing_group_id : 0;
        if (rc == 0 && esg > 0) {
            bool have = false;
            for (size_t i = 0; i < g.n; i++)
                have |= g.ids[i] == esg;
            if (!have && g.n < MAX_PARTS - 8) g.ids[g.n++] = esg;
        }
        uuid_of gu[MAX_PARTS];
        for (size_t i = 0; rc == 0 && i < g.n; i++)
            rc = wb_store_sgroup_find(p->st, g.ids[i], NULL, sg_cb, &gu[i], err);
        if (rc == 0) {
            parts[np] =
                (part){.who = audience(-1, NULL, 0), .below = {-1, -1, -1}, .body = parts[np].body};
            snprintf(parts[np++].subject, MAX_SUBJECT, "wb.ind.all");
            parts[np] = (part){
                .who = audience(e->org_id, NULL, 0), .below = {0, -1, -1}, .body = parts[np].body};
            snprintf(parts[np++].subject, MAX_SUBJECT, "wb.ind.org.%s", ou.uuid);
            int esg_part = -1;
            for (size_t i = 0; i < g.n; i++) {
                parts[np] = (part){.who = audience(-1, &g.ids[i], 1),
                                   .below = {0, -1, -1},
                                   .body = parts[np].body};
                if (g.ids[i] == esg) esg_part = (int)np;
                snprintf(parts[np++].subject, MAX_SUBJECT, "wb.ind.sg.%s", gu[i].uuid);
            }
            /* an attribute of another group inside the event's group */
            for (size_t i = 0; esg_part >= 0 && i < g.n && np < MAX_PARTS; i++) {
                if (g.ids[i] == esg) continue;
                int64_t two[2] = {esg, g.ids[i]};
                const char *a = gu[esg_part - 2].uuid, *b = gu[i].uuid;
                bool lt = strcmp(a, b) < 0;
                parts[np] = (part){.who = audience(-1, two, 2),
                                   .below = {0, esg_part, (int)(i + 2)},
                                   .body = parts[np].body};
                snprintf(parts[np++].subject, MAX_SUBJECT, "wb.ind.sg2.%s.%s", lt ? a : b,
                         lt ? b : a);
            }
        }
        for (size_t i = 0; rc == 0 && i < np; i++)
            rc = render(p, e->uuid, &parts[i], err);
        for (size_t i = 0; rc == 0 && i < np; i++) {
            long most = -1;
            for (int k = 0; k < 3; k++)
                if (parts[i].below[k] >= 0 && parts[parts[i].below[k]].count > most)
                    most = parts[parts[i].below[k]].count;
            parts[i].send = parts[i].count >= 0 && (parts[i].count > most || most < 0);
        }
    }
    prev_list prev = {.n = 0};
    if (rc == 0) rc = wb_store_nats_event_subjects(p->st, e->id, prev_cb, &prev, err);
    const char *now[MAX_PARTS], *sent[2 * MAX_PARTS];
    size_t nnow = 0, nsent = 0;
    for (size_t i = 0; rc == 0 && i < np; i++) {
        if (!parts[i].send) continue;
        rc = publish_one(p, parts[i].subject, e->seq, e->uuid, parts[i].body.data,
                         parts[i].body.len, err);
        now[nnow++] = parts[i].subject;
        sent[nsent++] = parts[i].subject;
    }
    char tomb[200];
    int tl = snprintf(tomb, sizeof tomb, "{\"Event\":{\"uuid\":\"%s\",\"deleted\":true}}", e->uuid);
    for (size_t k = 0; rc == 0 && k < prev.n; k++) {
        bool still = false;
        for (size_t i = 0; i < nnow; i++)
            still |= strcmp(now[i], prev.subj[k]) == 0;
        if (still) continue;
        rc = publish_one(p, prev.subj[k], e->seq, e->uuid, tomb, (size_t)tl, err);
        sent[nsent++] = prev.subj[k];
    }
    if (rc == 0) rc = wb_store_begin(p->st, err);
    if (rc == 0) {
        rc = wb_store_nats_record(p->st, e->id, e->seq, now, nnow, sent, nsent, err);
        if (rc == 0)
            rc = wb_store_commit(p->st, err);
        else
            wb_store_rollback(p->st);
    }
    if (rc == 0) *n += nsent;
    return rc;
}

struct change_batch {
    wb_event_rec rows[BATCH];
    wb_arena arena;
    size_t n;
};
typedef struct change_batch change_batch;

static int change_cb(void *ud, const wb_event_rec *e)
{
    change_batch *b = ud;
    if (b->n == BATCH) return 1;
    wb_event_rec *d = &b->rows[b->n++];
    *d = *e;
    d->uuid = wb_arena_strdup(&b->arena, e->uuid);
    d->org_uuid = e->org_uuid ? wb_arena_strdup(&b->arena, e->org_uuid) : NULL;
    d->json = NULL;
    d->info = d->date = d->org_name = NULL;
    return d->uuid == NULL;
}

static int round_(wb_nats_pub *p, size_t *n, wb_error *err)
{
    *n = 0;
    int rc = 0;
    change_batch *bp = p->batch;
    for (;;) {
        int64_t last = 0;
        rc = wb_store_nats_last(p->st, &last, err);
        if (rc) break;
        wb_arena_init(&bp->arena, 65536);
        bp->n = 0;
        rc = wb_store_event_changes(p->st, last, change_cb, bp, err);
        for (size_t i = 0; rc == 0 && i < bp->n; i++)
            rc = publish_event(p, &bp->rows[i], n, err);
        size_t got = bp->n;
        wb_arena_free(&bp->arena);
        if (rc || got < BATCH) break;
    }
    return rc;
}

/* ---- sightings back ------------------------------------------------------------------------ */

typedef struct org_find {
    int64_t id;
    bool disabled;
    char name[256];
} org_find;

static int org_find_cb(void *ud, const wb_org *o)
{
    org_find *f = ud;
    f->id = o->id;
    f->disabled = o->disabled;
    snprintf(f->name, sizeof f->name, "%s", o->name);
    return 1;
}

typedef struct user_find {
    int64_t id, org_id;
    bool ok;
    char email[256];
} user_find;

static int user_find_cb(void *ud, const wb_user *u)
{
    user_find *f = ud;
    if (u->id != f->id) return 0;
    f->ok = u->role == WB_ROLE_SENSOR && !u->disabled && u->org_id == f->org_id;
    snprintf(f->email, sizeof f->email, "%s", u->email);
    return 1;
}

/* Who sent to subject wb.sight.<org-uuid>.u<id>: the server let only that
 * user publish there (admin nats-config), and the database must still
 * know it as a sensor of that organisation. WB_ENOTFOUND otherwise. */
static int sender(wb_nats_pub *p, const char *subject, wb_error *err)
{
    if (strcmp(subject, p->who_subject) == 0) return 0;
    p->who_subject[0] = '\0';
    char org[64];
    const char *rest = strncmp(subject, "wb.sight.", 9) == 0 ? subject + 9 : NULL;
    const char *dot = rest ? strchr(rest, '.') : NULL;
    int64_t uid = 0;
    if (dot == NULL || (size_t)(dot - rest) >= sizeof org || dot[1] != 'u' ||
        wb_parse_i64(dot + 2, strlen(dot + 2), 1, INT64_MAX, &uid) != 0)
        return wb_error_set(err, WB_ENOTFOUND, "%s: not a sensor's sighting subject", subject);
    memcpy(org, rest, (size_t)(dot - rest));
    org[dot - rest] = '\0';
    org_find of = {0};
    int rc = wb_store_org_find(p->st, org, org_find_cb, &of, err);
    if (rc == 0 && (of.id == 0 || of.disabled)) rc = WB_ENOTFOUND;
    user_find uf = {.id = uid, .org_id = of.id};
    if (rc == 0) rc = wb_store_user_list(p->st, user_find_cb, &uf, err);
    if (rc == 0 && !uf.ok) rc = WB_ENOTFOUND;
    if (rc == WB_ENOTFOUND)
        return wb_error_set(err, rc,
                            "%s: no such sensor (or disabled): run admin nats-config "
                            "again",
                            subject);
    if (rc) return rc;
    p->who = audience(of.id, NULL, 0);
    p->who.user_id = uid;
    size_t ng = 0;
    rc = wb_store_org_sgroups(p->st, of.id, p->who.groups, WB_PRINCIPAL_MAX_GROUPS, &ng, err);
    if (rc) return rc;
    p->who.ngroups = ng;
    snprintf(p->who_email, sizeof p->who_email, "%s", uf.email);
    snprintf(p->who_org, sizeof p->who_org, "%s", of.name);
    snprintf(p->who_subject, sizeof p->who_subject, "%s", subject);
    return 0;
}

/* Records one sightings message; a message that cannot be recorded for a
 * reason of its own (a sender the hub does not know, no JSON) is logged
 * and dropped, a database error leaves it for the next round. */
static int ingest(wb_nats_pub *p, natsMsg *m, size_t *n, wb_error *err)
{
    const char *subject = natsMsg_GetSubject(m);
    wb_nats_sighting *v = NULL;
    size_t nv = 0, skipped = 0;
    int rc = sender(p, subject, err);
    if (rc == 0)
        rc = wb_nats_sightings_parse(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m), &v, &nv,
                                     &skipped, err);
    if (rc == WB_ENOTFOUND || rc == WB_EPARSE || rc == WB_ELIMIT) {
        logf_(p, "NATS: sightings dropped: %s", err->msg);
        return 0;
    }
    wb_sightsvc_report *reps = rc == 0 ? calloc(nv ? nv : 1, sizeof *reps) : NULL;
    const char **uuids = rc == 0 ? calloc(nv ? nv : 1, sizeof *uuids) : NULL;
    if (rc == 0 && (reps == NULL || uuids == NULL))
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < nv; i++) {
        uuids[i] = v[i].attr;
        reps[i] = (wb_sightsvc_report){.request_uuid = v[i].request[0] ? v[i].request : NULL,
                                       .type = v[i].type,
                                       .source = v[i].source[0] ? v[i].source : "nats",
                                       .date_sighting = v[i].date,
                                       .first_seen = v[i].first,
                                       .count = v[i].count};
    }
    wb_actor actor = {.user = p->who_email,
                      .org_id = p->who.org_id,
                      .org_name = p->who_org,
                      .role = WB_ROLE_SENSOR,
                      .channel = WB_ACTOR_API};
    wb_sightsvc_who who = {.actor = &actor, .user_id = p->who.user_id};
    wb_sightsvc_result res = {0};
    size_t unseen = 0;
    int64_t gap = p->o.sighting_gap < 0 ? 0 : p->o.sighting_gap ? p->o.sighting_gap : 3600;
    if (rc == 0 && nv > 0)
        rc = wb_sightsvc_save_uuids(p->st, &p->who, &who, uuids, reps, nv, gap, &res, &unseen, err);
    if (rc == 0) *n += res.saved;
    free(reps);
    free(uuids);
    free(v);
    return rc;
}

static int sight_round(wb_nats_pub *p, size_t *n, wb_error *err)
{
    int rc = 0;
    for (int rounds = 0; rc == 0 && rounds < 64; rounds++) {
        natsMsgList list = {0};
        jsErrCode je = 0;
        natsStatus s = natsSubscription_Fetch(&list, p->sights, 64, 20, &je);
        if (s == NATS_TIMEOUT) break;
        if (s != NATS_OK)
            return wb_error_set(err, WB_EIO, "NATS: sightings: %s (%d)", natsStatus_GetText(s),
                                (int)je);
        for (int k = 0; rc == 0 && k < list.Count; k++) {
            rc = ingest(p, list.Msgs[k], n, err);
            if (rc == 0) natsMsg_AckSync(list.Msgs[k], NULL, NULL);
        }
        int got = list.Count;
        natsMsgList_Destroy(&list);
        if (got < 64) break;
    }
    return rc;
}

int wb_nats_pub_flush(wb_nats_pub *p, size_t *n, wb_error *err)
{
    pthread_mutex_lock(&p->work);
    int rc = round_(p, n, err);
    size_t ns = 0;
    if (rc == 0 && p->sights) rc = sight_round(p, &ns, err);
    pthread_mutex_unlock(&p->work);
    return rc;
}

static void *pub_main(void *arg)
{
    wb_nats_pub *p = arg;
    unsigned ms = p->o.interval_ms ? p->o.interval_ms : 200;
    bool failing = false;
    pthread_mutex_lock(&p->mu);
    while (!p->quit) {
        pthread_mutex_unlock(&p->mu);
        size_t n = 0;
        wb_error err;
        wb_error_clear(&err);
        int rc = wb_nats_pub_flush(p, &n, &err);
        if (rc && !failing) logf_(p, "%s (trying again)", err.msg);
        if (rc == 0 && failing) logf_(p, "NATS: publishing again");
        failing = rc != 0;
        pthread_mutex_lock(&p->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)(failing ? 1000 : ms) * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        while (!p->quit && pthread_cond_timedwait(&p->cv, &p->mu, &until) == 0) {
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* WB_IND's max age and the streams' replicas: streams.json beside the
 * creds file (nats-config's; edit num_replicas to 3 for a cluster), else
 * the option, else the defaults. */
static void stream_settings(const wb_nats_pub_opts *o, int64_t *age_s, int *replicas)
{
    *age_s = o->retention_s > 0 ? o->retention_s : WB_NATS_RETENTION_DEFAULT;
    *replicas = 1;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", o->creds);
    char path[4200];
    snprintf(path, sizeof path, "%s/streams.json", dirname(dir));
    json_t *j = json_load_file(path, 0, NULL);
    size_t i;
    json_t *s;
    json_array_foreach(j, i, s)
    {
        const char *name = json_string_value(json_object_get(s, "name"));
        json_int_t age = json_integer_value(json_object_get(s, "max_age"));
        json_int_t rep = json_integer_value(json_object_get(s, "num_replicas"));
        if (name == NULL || strcmp(name, WB_NATS_STREAM_IND) != 0) continue;
        if (age >= 1000000000LL) *age_s = (int64_t)(age / 1000000000LL);
        if (rep >= 1 && rep <= 5) *replicas = (int)rep;
    }
    json_decref(j);
}

static int add_stream(wb_nats_pub *p, const char *name, const char *subject, bool workqueue,
                      int64_t max_age_s, int replicas, wb_error *err)
{
    jsStreamConfig c;
    jsStreamConfig_Init(&c);
    const char *subs[1] = {subject};
    c.Name = name;
    c.Subjects = subs;
    c.SubjectsLen = 1;
    c.Retention = workqueue ? js_WorkQueuePolicy : js_LimitsPolicy;
    c.Storage = js_FileStorage;
    c.MaxAge = max_age_s * 1000000000LL;
    c.Replicas = replicas;
    /* JetStream wants the duplicate window within the age */
    c.Duplicates =
        (max_age_s < WB_NATS_DUP_WINDOW_S ? max_age_s : WB_NATS_DUP_WINDOW_S) * 1000000000LL;
    jsErrCode je = 0;
    natsStatus s = js_AddStream(NULL, p->js, &c, NULL, &je);
    if (s != NATS_OK && je == JSStreamNameExistErr) s = js_UpdateStream(NULL, p->js, &c, NULL, &je);
    if (s != NATS_OK)
        return wb_error_set(err, WB_EIO, "NATS: stream %s: %s (%d)", name, natsStatus_GetText(s),
                            (int)je);
    return 0;
}

void wb_nats_pub_stop(wb_nats_pub *p)
{
    if (p == NULL) return;
    if (p->started) {
        pthread_mutex_lock(&p->mu);
        p->quit = true;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->thread, NULL);
    }
    natsSubscription_Destroy(p->sights);
    jsCtx_Destroy(p->js);
    natsConnection_Destroy(p->nc);
    natsOptions_Destroy(p->nopts);
    if (p->st) wb_share_close(p->st);
    for (size_t i = 0; p->parts && i < MAX_PARTS; i++)
        wb_buf_free(&p->parts[i].body);
    free(p->parts);
    free(p->batch);
    if (p->seed) {
        memset(p->seed, 0, strlen(p->seed));
        free(p->seed);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_mutex_destroy(&p->work);
    pthread_cond_destroy(&p->cv);
    free(p);
}

int wb_nats_pub_start(wb_nats_pub **out, const wb_nats_pub_opts *o, wb_error *err)
{
    *out = NULL;
    wb_nats_pub *p = calloc(1, sizeof *p);
    if (p == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    p->o = *o;
    p->parts = calloc(MAX_PARTS, sizeof *p->parts);
    p->batch = calloc(1, sizeof *p->batch);
    pthread_mutex_init(&p->mu, NULL);
    pthread_mutex_init(&p->work, NULL);
    pthread_cond_init(&p->cv, NULL);
    char *text = NULL;
    size_t len = 0;
    wb_nats_user u;
    int rc = p->parts && p->batch ? wb_read_file(o->creds, 65536, &text, &len, err)
                                  : wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0 && wb_nats_user_parse(text, len, &u, err) != 0) {
        wb_error_prefix(err, "%s: ", o->creds);
        rc = err->code;
    }
    char pub[WB_NKEY_PUB_LEN + 1];
    if (rc == 0 && (p->seed = strdup(u.seed)) == NULL)
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0) rc = wb_nkey_user_public(p->seed, pub);
    if (text) {
        memset(text, 0, len);
        free(text);
    }
    if (rc == 0) rc = wb_share_open(&p->st, o->db, err);
    natsStatus s = NATS_OK;
    if (rc == 0) {
        s = natsOptions_Create(&p->nopts);
        if (s == NATS_OK) s = wbi_nats_set_urls(p->nopts, o->url);
        if (s == NATS_OK) s = natsOptions_SetNKey(p->nopts, pub, sign_cb, p);
        if (s == NATS_OK) s = natsOptions_SetMaxReconnect(p->nopts, -1);
        if (s == NATS_OK) s = natsOptions_SetReconnectWait(p->nopts, 250);
        if (s == NATS_OK) s = natsConnection_Connect(&p->nc, p->nopts);
        if (s == NATS_OK) s = natsConnection_JetStream(&p->js, p->nc, NULL);
        if (s != NATS_OK)
            rc = wb_error_set(err, WB_EIO, "NATS %s: %s", o->url, natsStatus_GetText(s));
    }
    int64_t ret;
    int replicas;
    stream_settings(o, &ret, &replicas);
    if (rc == 0) rc = add_stream(p, WB_NATS_STREAM_IND, "wb.ind.>", false, ret, replicas, err);
    if (rc == 0) rc = add_stream(p, WB_NATS_STREAM_SIGHT, "wb.sight.>", true, ret, replicas, err);
    if (rc == 0) {
        /* The hub's durable consumer of the sensors' sightings; a work
         * queue, so what it acknowledged is gone from the stream. */
        jsConsumerConfig c;
        jsConsumerConfig_Init(&c);
        c.Durable = "hub";
        c.AckPolicy = js_AckExplicit;
        c.AckWait = 60LL * 1000000000LL;
        jsErrCode je = 0;
        natsStatus st = js_AddConsumer(NULL, p->js, WB_NATS_STREAM_SIGHT, &c, NULL, &je);
        jsSubOptions so;
        jsSubOptions_Init(&so);
        so.Stream = WB_NATS_STREAM_SIGHT;
        so.Consumer = "hub";
        so.ManualAck = true;
        if (st == NATS_OK || je == JSConsumerNameExistErr)
            st = js_PullSubscribe(&p->sights, p->js, "wb.sight.>", "hub", NULL, &so, &je);
        if (st != NATS_OK)
            rc = wb_error_set(err, WB_EIO, "NATS: the sightings consumer: %s (%d)",
                              natsStatus_GetText(st), (int)je);
    }
    if (rc == 0) {
        if (pthread_create(&p->thread, NULL, pub_main, p) != 0)
            rc = wb_error_set(err, WB_EIO, "cannot start the NATS publisher's thread");
        else
            p->started = true;
    }
    if (rc) {
        wb_nats_pub_stop(p);
        return rc;
    }
    *out = p;
    return 0;
}
