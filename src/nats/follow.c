/*
 * follow.c - the sensor's side of NATS (match --follow --nats): one pull
 * consumer per subject of the user file, made durable under the names its
 * permissions allow (names.c), and the check of each message's headers.
 *
 * The consumers are deleted and made again at open and after a resync, to
 * deliver from a point in time: the sensor's indicator set lives in
 * memory, so what a consumer left off at in an earlier run is no use to
 * it. While the process runs they carry it across NATS restarts and lost
 * connections (acknowledged messages are not sent again).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nats/nats.h>

#include "nats/nats_internal.h"

#define FETCH_BATCH 256

struct wb_nats_follow {
    const wb_nats_user *user;
    natsOptions *nopts;
    natsConnection *nc;
    jsCtx *js;
    size_t n;
    natsSubscription *subs[WB_NATS_MAX_SUBJECTS];
    char names[WB_NATS_MAX_SUBJECTS][256];
};

static natsStatus sign_cb(char **custom, unsigned char **sig, int *siglen, const char *nonce,
                          void *closure)
{
    const wb_nats_user *u = closure;
    (void)custom;
    unsigned char *s = malloc(64);
    if (s == NULL) return NATS_NO_MEMORY;
    if (wb_nkey_sign(u->seed, nonce, strlen(nonce), s) != 0) {
        free(s);
        return NATS_ERR;
    }
    *sig = s;
    *siglen = 64;
    return NATS_OK;
}

int wb_nats_msg_check(const char *seq, const char *prev, const char *event, wb_nats_msg *m,
                      wb_error *err)
{
    if (seq == NULL || prev == NULL || event == NULL)
        return wb_error_set(err, WB_EPARSE, "a message without Wb-Seq, Wb-Prev or Wb-Event");
    if (wb_parse_i64(seq, strlen(seq), 1, INT64_MAX, &m->seq) != 0 ||
        wb_parse_i64(prev, strlen(prev), 0, INT64_MAX, &m->prev) != 0 || m->prev >= m->seq)
        return wb_error_set(err, WB_EPARSE, "Wb-Seq '%.30s', Wb-Prev '%.30s': not a sequence", seq,
                            prev);
    size_t n = strlen(event);
    if (n != 36 || strspn(event, "0123456789abcdefABCDEF-") != n)
        return wb_error_set(err, WB_EPARSE, "Wb-Event '%.40s': not a uuid", event);
    m->event = event;
    return 0;
}

static int nerr(wb_error *err, const char *what, natsStatus s, jsErrCode je)
{
    const char *t = nats_GetLastError(NULL);
    return wb_error_set(err, WB_EIO, "NATS: %s: %s (%d)%s%s", what, natsStatus_GetText(s), (int)je,
                        t ? ": " : "", t ? t : "");
}

/* (Re)creates consumer i to deliver from start_unix, and binds to it. */
static int make_consumer(wb_nats_follow *f, size_t i, int64_t start_unix, wb_error *err)
{
    if (f->subs[i]) {
        natsSubscription_Destroy(f->subs[i]);
        f->subs[i] = NULL;
    }
    jsErrCode je = 0;
    js_DeleteConsumer(f->js, WB_NATS_STREAM_IND, f->names[i], NULL, &je); /* absent is fine */
    jsConsumerConfig c;
    jsConsumerConfig_Init(&c);
    c.Name = f->names[i];
    c.Durable = f->names[i];
    c.FilterSubject = f->user->subjects[i];
    c.AckPolicy = js_AckExplicit;
    c.AckWait = 30LL * 1000000000LL;
    if (start_unix > 0) {
        c.DeliverPolicy = js_DeliverByStartTime;
        c.OptStartTime = start_unix * 1000000000LL;
    } else {
        c.DeliverPolicy = js_DeliverAll;
    }
    je = 0;
    natsStatus s = js_AddConsumer(NULL, f->js, WB_NATS_STREAM_IND, &c, NULL, &je);
    if (s != NATS_OK) return nerr(err, f->names[i], s, je);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = WB_NATS_STREAM_IND;
    so.Consumer = f->names[i];
    so.ManualAck = true;
    s = js_PullSubscribe(&f->subs[i], f->js, f->user->subjects[i], f->names[i], NULL, &so, &je);
    if (s != NATS_OK) return nerr(err, f->names[i], s, je);
    return 0;
}

int wb_nats_follow_restart(wb_nats_follow *f, int64_t start_unix, wb_error *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < f->n; i++)
        rc = make_consumer(f, i, start_unix, err);
    return rc;
}

void wb_nats_follow_close(wb_nats_follow *f)
{
    if (f == NULL) return;
    for (size_t i = 0; i < f->n; i++)
        natsSubscription_Destroy(f->subs[i]);
    jsCtx_Destroy(f->js);
    natsConnection_Destroy(f->nc);
    natsOptions_Destroy(f->nopts);
    free(f);
}

int wb_nats_follow_open(wb_nats_follow **out, const wb_nats_follow_opts *o, wb_error *err)
{
    *out = NULL;
    const char *url = o->url ? o->url : o->user->url;
    if (url == NULL) return wb_error_set(err, WB_EINVAL, "no NATS URL: give --nats URL");
    wb_nats_follow *f = calloc(1, sizeof *f);
    if (f == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    f->user = o->user;
    f->n = o->user->nsubjects;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < f->n; i++)
        if (wbi_nats_consumer_name(o->user->user, o->user->subjects[i], f->names[i],
                                   sizeof f->names[i]) != 0)
            rc = wb_error_set(err, WB_EINVAL, "%s: no consumer name", o->user->subjects[i]);
    char pub[WB_NKEY_PUB_LEN + 1];
    if (rc == 0 && wb_nkey_user_public(o->user->seed, pub) != 0)
        rc = wb_error_set(err, WB_EPARSE, "the user file's seed is not a NATS user seed");
    natsStatus s = NATS_OK;
    if (rc == 0) {
        s = natsOptions_Create(&f->nopts);
        if (s == NATS_OK) s = wbi_nats_set_urls(f->nopts, url);
        if (s == NATS_OK) s = natsOptions_SetNKey(f->nopts, pub, sign_cb, (void *)o->user);
        if (s == NATS_OK) s = natsOptions_SetCustomInboxPrefix(f->nopts, o->user->inbox);
        if (s == NATS_OK) s = natsOptions_SetMaxReconnect(f->nopts, -1);
        if (s == NATS_OK) s = natsOptions_SetReconnectWait(f->nopts, 250);
        if (s == NATS_OK) s = natsConnection_Connect(&f->nc, f->nopts);
        if (s == NATS_OK) s = natsConnection_JetStream(&f->js, f->nc, NULL);
        if (s != NATS_OK) rc = nerr(err, url, s, 0);
    }
    if (rc == 0) rc = wb_nats_follow_restart(f, o->start_unix, err);
    if (rc) {
        wb_nats_follow_close(f);
        return rc;
    }
    *out = f;
    return 0;
}

int wb_nats_follow_poll(wb_nats_follow *f, unsigned wait_ms, wb_nats_msg_fn fn, void *ud, size_t *n,
                        wb_error *err)
{
    *n = 0;
    int rc = 0;
    size_t bad = 0;
    wb_error bad_err;
    wb_error_clear(&bad_err);
    int64_t each = f->n ? (int64_t)(wait_ms / f->n) : 0;
    if (each < 10) each = 10;
    for (size_t i = 0; rc == 0 && i < f->n; i++) {
        natsMsgList list = {0};
        jsErrCode je = 0;
        natsStatus s = natsSubscription_Fetch(&list, f->subs[i], FETCH_BATCH, each, &je);
        if (s == NATS_TIMEOUT) continue;
        if (s != NATS_OK) {
            rc = nerr(err, f->names[i], s, je);
            break;
        }
        for (int k = 0; k < list.Count; k++) {
            natsMsg *msg = list.Msgs[k];
            if (rc) break; /* not acknowledged: delivered again */
            const char *seq = NULL, *prev = NULL, *ev = NULL;
            natsMsgHeader_Get(msg, "Wb-Seq", &seq);
            natsMsgHeader_Get(msg, "Wb-Prev", &prev);
            natsMsgHeader_Get(msg, "Wb-Event", &ev);
            wb_nats_msg m = {.subject = f->user->subjects[i]};
            if (wb_nats_msg_check(seq, prev, ev, &m, &bad_err) != 0) {
                /* Reported once polled, and acknowledged: sending it
                 * again would not mend it. */
                bad++;
                natsMsg_Ack(msg, NULL);
                continue;
            }
            m.body = natsMsg_GetData(msg);
            m.len = (size_t)natsMsg_GetDataLength(msg);
            rc = fn(ud, &m, err);
            if (rc == 0) {
                natsMsg_Ack(msg, NULL);
                (*n)++;
            }
        }
        natsMsgList_Destroy(&list);
    }
    if (rc == 0 && bad)
        rc = wb_error_set(err, WB_EPARSE, "%zu message%s skipped: %s", bad, bad == 1 ? "" : "s",
                          bad_err.msg);
    return rc;
}

int wb_nats_follow_report(wb_nats_follow *f, const char *body, size_t len, const char *msg_id,
                          wb_error *err)
{
    if (f->user->sights == NULL)
        return wb_error_set(err, WB_EINVAL, "the user file names no sighting subject (sights=)");
    natsMsg *m = NULL;
    natsStatus s = natsMsg_Create(&m, f->user->sights, NULL, body, (int)len);
    if (s == NATS_OK && msg_id) s = natsMsgHeader_Set(m, "Nats-Msg-Id", msg_id);
    jsErrCode je = 0;
    if (s == NATS_OK) s = js_PublishMsg(NULL, f->js, m, NULL, &je);
    natsMsg_Destroy(m);
    if (s != NATS_OK) return nerr(err, f->user->sights, s, je);
    return 0;
}
