/*
 * hooks.h - reminder webhooks for the Cbw reporting duty: when one of an
 * incident's deadlines is six hours away, when it passes, and (to the
 * CSIRT) when a report comes in, every hook of the organisation concerned
 * gets an HTTP POST with a JSON body signed with the hook's secret.
 *
 * Two steps, both driven by a clock the caller passes in (so tests set the
 * time): wb_hooks_queue looks at every incident and stores one delivery per
 * hook and event (the store makes a second one with the same event key a
 * no-op, so an event fires once however often this runs); wb_hooks_deliver
 * sends the deliveries that are due and records each attempt, retrying with
 * exponential backoff until the receiver answers 2xx. A hook whose URL is
 * mailto:ADDRESS is an e-mail recipient: it gets the same events as an
 * e-mail in its language (nl or en) over SMTP, retried with the same
 * backoff when the server refuses, at most mail_attempts times. The hub runs both in
 * a dispatcher thread (wb_hooks_dispatcher_start); `weerbaar incident hooks
 * run` runs them once or in a loop on a local register.
 *
 * libcurl must be initialised by the caller (wb_hub_global_init, client.h)
 * before the first delivery.
 */
#ifndef WEERBAAR_HOOKS_H
#define WEERBAAR_HOOKS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The header a signature goes in, and its form: "t=UNIX,v1=HEX" where
 * UNIX is the time of sending in seconds and HEX the 64 hex digits of
 * HMAC-SHA256, keyed with the hook's secret (its 64 hex digits as ASCII),
 * over "UNIX.DELIVERY-ID.BODY": the raw body, the X-Weerbaar-Delivery id
 * and the time, so that neither a captured body with another delivery id
 * nor an old delivery passes (docs/incident.md has the receiver's check). */
#define WB_HOOK_SIGNATURE_HEADER "X-Weerbaar-Signature"
#define WB_HOOK_SIGNATURE_MAX (2 + 20 + 4 + 64)
/* How far a receiver should let the signed time stray from its clock. */
#define WB_HOOK_TOLERANCE_S 300

/* A clock: returns the current time. NULL in the options means wb_time_now. */
typedef wb_time (*wb_clock)(void *ud);

typedef struct wb_hooks_opts {
    wb_clock clock;
    void *clock_ud;
    wb_time remind_before;  /* how long before a deadline the reminder goes; 0 = 6 h */
    wb_time retry_first;    /* the wait after the first failed attempt; 0 = 30 s */
    wb_time retry_max;      /* the longest wait between attempts; 0 = 1 h */
    wb_time give_up_after;  /* a delivery still failing this long after it was made
                               is marked failed; 0 = 7 days */
    long timeout_s;         /* one attempt, connecting included; 0 = 10 s */
    size_t batch;           /* deliveries attempted per wb_hooks_deliver; 0 = 100 */
    size_t per_receiver;    /* attempts in flight to one scheme://host:port; 0 = 2 */
    size_t in_flight;       /* attempts in flight in all; 0 = 32 */
    long receiver_budget_s; /* no new attempt to a receiver this long after its
                               first one in a run; 0 = 3 x timeout_s */
    bool allow_insecure;    /* http:// hook URLs (else refused, retried later) */
    bool allow_private;     /* loopback, link-local and private addresses */
    /* E-mail recipients (hooks whose URL is mailto:ADDRESS). Without
     * smtp_url their deliveries wait, untouched, for a run that has one. */
    const char *smtp_url;      /* smtp://host[:port] (STARTTLS required) or smtps:// */
    bool smtp_plain;           /* smtp:// without STARTTLS when the server has none */
    const char *smtp_user;     /* NULL: no authentication */
    const char *smtp_password; /* never logged nor stored */
    const char *smtp_ca_file;  /* the server's CA (PEM); NULL: the system's */
    const char *mail_from;     /* the sender's address; required with smtp_url */
    const char *hub_url;       /* the messages link to HUB_URL/#/incidents/ID */
    int mail_attempts;         /* a message the server refuses this often is
                                  marked failed; 0 = 8 */
} wb_hooks_opts;

typedef struct wb_hooks_stats {
    size_t queued;    /* new deliveries stored */
    size_t delivered; /* acknowledged with 2xx */
    size_t retried;   /* failed attempts that will be tried again */
    size_t failed;    /* given up */
} wb_hooks_stats;

/* A new secret: 64 lower-case hex digits from 256 random bits. */
void wb_hook_secret_new(char out[WB_HOOK_SECRET_LEN + 1]);
/* The signature header's value for a delivery sent at Unix time t. */
void wb_hook_sign(const char *secret, int64_t t, const char *id, const char *body, size_t len,
                  char out[WB_HOOK_SIGNATURE_MAX + 1]);
/* The receiver's check (a reference for docs/incident.md): 0 when header
 * signs this delivery id and body and its time lies within tolerance_s of
 * now; WB_EINVAL for a bad or forged signature, WB_ELIMIT for one too old
 * or too new. A receiver also keeps the delivery ids it has acted on for
 * the tolerance window and acts once per id (a retry repeats the id). */
int wb_hook_verify(const char *secret, const char *header, const char *id, const char *body,
                   size_t len, int64_t now, int64_t tolerance_s);

/* The check `weerbaar admin hook add` makes: an http(s) URL, https://
 * unless allow_insecure, and a host whose addresses (as it resolves now)
 * are public unless allow_private. WB_EINVAL with the reason. The
 * dispatcher checks the address again when it connects. */
int wb_hook_url_check(const char *url, bool allow_insecure, bool allow_private, wb_error *err);

/* Checks the e-mail options: none set, or smtp_url smtp:// or smtps://
 * without user information (the password has its own field and stays out
 * of URLs, and so of every message), with a mail_from address, and a
 * hub_url that is http(s)://. WB_EINVAL with the reason. */
int wb_hooks_mail_check(const wb_hooks_opts *o, wb_error *err);

/* The time the options' clock shows. */
wb_time wb_hooks_now(const wb_hooks_opts *o);

/* Stores the deliveries the incidents call for at `now` (see the file
 * comment); adds their count to st->queued. 0 or a store error. */
int wb_hooks_queue(wb_store *s, const wb_hooks_opts *o, wb_time now, wb_hooks_stats *st,
                   wb_error *err);
/* Attempts the deliveries due at `now` (at most o->batch) and records each
 * outcome. A receiver that fails is not an error (it is retried); 0 or a
 * store error. */
int wb_hooks_deliver(wb_store *s, const wb_hooks_opts *o, wb_time now, wb_hooks_stats *st,
                     wb_error *err);

/* The hub's dispatcher: a thread with its own connection to the database
 * that queues and delivers every interval_s seconds until stopped. */
typedef struct wb_hooks_dispatcher wb_hooks_dispatcher;
/* log (may be NULL) gets each store or delivery problem; it is called from
 * the dispatcher's thread. */
int wb_hooks_dispatcher_start(wb_hooks_dispatcher **out, const char *db, const wb_hooks_opts *o,
                              unsigned interval_s, void (*log)(void *ud, const char *msg),
                              void *log_ud, wb_error *err);
/* Stops the thread (waiting for an attempt in flight) and frees d. */
void wb_hooks_dispatcher_stop(wb_hooks_dispatcher *d);

#ifdef __cplusplus
}
#endif
#endif
