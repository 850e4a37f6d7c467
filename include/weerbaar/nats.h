/*
 * nats.h - indicator changes to sensors over NATS JetStream (docs/scale.md,
 * "NATS").
 *
 * Three parts:
 *  - NKeys (the NATS encoding of Ed25519 keys: base32 of a prefix byte,
 *    the key and a CRC16) and the user file a sensor is given;
 *  - `weerbaar admin nats-config`: the nats-server accounts, one NATS user
 *    per sensor user of each organisation, with subject permissions that
 *    admit only the audiences the organisation belongs to, and the stream
 *    definitions;
 *  - the hub's publisher (serve --nats): every change of the change feed,
 *    split by audience, to stream WB_IND, resumable from the feed's
 *    sequence number, and the consumer of the sensors' sightings (stream
 *    WB_SIGHT) (wb_nats_pub_*); and the sensor side of `match --follow
 *    --nats` (wb_nats_follow_*).
 *
 * Audiences (one subject each; docs/scale.md has the table): an attribute
 * goes to the subject whose subscribers are exactly the organisations the
 * policy (wb_policy_read) lets read it:
 *    wb.ind.all                  every organisation (distribution 1-3)
 *    wb.ind.org.<org-uuid>       the creator only (distribution 0, and
 *                                AMBER+STRICT/RED outside a sharing group)
 *    wb.ind.sg.<sg-uuid>         a sharing group's members (distribution 4)
 *    wb.ind.sg2.<sg-a>.<sg-b>    members of both groups (an attribute of
 *                                group b inside an event of group a; a < b)
 */
#ifndef WEERBAAR_NATS_H
#define WEERBAAR_NATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- NKeys ------------------------------------------------------------------------ */

/* An encoded user public key ("U" + 55) and seed ("SU" + 56), with NUL. */
#define WB_NKEY_PUB_LEN 56
#define WB_NKEY_SEED_LEN 58

/* A new user key pair from libsodium's random Ed25519 seed. */
int wb_nkey_user_new(char pub[WB_NKEY_PUB_LEN + 1], char seed[WB_NKEY_SEED_LEN + 1]);
/* The public key of an encoded user seed; WB_EPARSE for a seed that is not
 * one (wrong length, alphabet, prefix or checksum). */
int wb_nkey_user_public(const char *seed, char pub[WB_NKEY_PUB_LEN + 1]);
/* Ed25519 signature of msg with an encoded user seed (64 bytes). */
int wb_nkey_sign(const char *seed, const void *msg, size_t len, unsigned char sig[64]);
/* Whether s is a valid encoded user public key. */
bool wb_nkey_user_valid(const char *s);

/* ---- the sensor's user file ---------------------------------------------------------- */

#define WB_NATS_MAX_SUBJECTS 64

/* What `admin nats-config` gives one sensor user (users/<org>/<user>.nkey):
 * "key=value" lines, '#' comments. Strings point into the parsed text. */
typedef struct wb_nats_user {
    const char *url;    /* the NATS server(s), or NULL */
    const char *user;   /* the NATS user's token: u<user id>, also its consumer prefix */
    const char *org;    /* the organisation's uuid */
    const char *nkey;   /* U... */
    const char *seed;   /* SU... */
    const char *inbox;  /* its inbox prefix, _I.<user> */
    const char *sights; /* the subject its sightings go to */
    const char *subjects[WB_NATS_MAX_SUBJECTS];
    size_t nsubjects;
} wb_nats_user;

/* Parses a user file held in text (len bytes and a NUL after them, as
 * wb_read_file gives; modified in place: NULs end the values). WB_EPARSE naming the line for
 * anything else than the keys above, a duplicate, a value with a control character or a subject
 * that is not an indicator subject; WB_ELIMIT past WB_NATS_MAX_SUBJECTS. */
int wb_nats_user_parse(char *text, size_t len, wb_nats_user *u, wb_error *err);

/* ---- the server configuration --------------------------------------------------------- */

typedef struct wb_nats_conf_opts {
    const char *db;      /* the hub's database */
    const char *dir;     /* written into: accounts.conf, nats-server.conf, streams.json,
                          * hub.nkey, users/<org-uuid>/<user>.nkey */
    const char *url;     /* written into the user files; NULL: nats://127.0.0.1:4222 */
    int64_t retention_s; /* WB_IND's max age; 0: 7 days */
} wb_nats_conf_opts;

typedef struct wb_nats_conf_stats {
    size_t orgs, users, kept; /* kept: users whose key an earlier run made */
} wb_nats_conf_stats;

/* Writes the configuration. Keys of users already in dir are kept, so a
 * run after a membership change changes permissions, not credentials.
 * Files holding seeds are 0600. */
int wb_nats_config(const wb_nats_conf_opts *o, wb_nats_conf_stats *st, wb_error *err);

/* The streams (name, subjects, retention) as nats-config writes them and
 * the hub creates them. */
#define WB_NATS_STREAM_IND "WB_IND"
#define WB_NATS_STREAM_SIGHT "WB_SIGHT"
#define WB_NATS_RETENTION_DEFAULT (7 * 86400)
/* How long JetStream remembers a Nats-Msg-Id (the publisher's dedup window). */
#define WB_NATS_DUP_WINDOW_S 600

/* ---- sightings back ---------------------------------------------------------------------- */

/* Sightings a sensor publishes to its subject (wb.sight.<org-uuid>.<user>,
 * stream WB_SIGHT): the JSON array `match --report` posts to the hub
 * (docs/match.md), of which the hub takes the entries that name an
 * attribute by uuid. */
#define WB_NATS_SIGHT_MAX 10000       /* entries a message holds at most */
#define WB_NATS_SIGHT_BYTES (4 << 20) /* and bytes */

typedef struct wb_nats_sighting {
    char attr[37];    /* the attribute's uuid */
    char request[37]; /* sighting_uuid: the report's identity; "" for none */
    int type;         /* 0 seen, 1 false positive, 2 expired */
    int64_t date;     /* date_sighting, Unix seconds */
    int64_t first;    /* first_seen, Unix seconds; 0 for none */
    int64_t count;
    char source[128];
} wb_nats_sighting;

/* Parses a message: *out (the caller frees it) gets the entries that are
 * valid, *skipped counts the others (no attribute uuid, a field out of
 * range). WB_EPARSE when the text is no JSON array of objects, WB_ELIMIT
 * beyond the bounds above. */
int wb_nats_sightings_parse(const char *text, size_t len, wb_nats_sighting **out, size_t *n,
                            size_t *skipped, wb_error *err);

/* ---- the hub's publisher ---------------------------------------------------------------- */

typedef struct wb_nats_pub wb_nats_pub;

typedef struct wb_nats_pub_opts {
    const char *db;       /* the hub's database (opened again by the publisher's thread) */
    const char *url;      /* NATS server(s), comma-separated */
    const char *creds;    /* the hub's nkey file (hub.nkey) */
    int64_t retention_s;  /* WB_IND's max age; 0: 7 days */
    unsigned interval_ms; /* how often the change feed is looked at; 0: 200 */
    int64_t sighting_gap; /* serve --sighting-gap: 0 the default hour, -1 none */
    void (*log)(void *ud, const char *msg);
    void *log_ud;
} wb_nats_pub_opts;

/* Connects, creates or updates the streams, and starts a thread that
 * publishes every change after the last one published (the database keeps
 * it, migration 19) until wb_nats_pub_stop. */
int wb_nats_pub_start(wb_nats_pub **out, const wb_nats_pub_opts *o, wb_error *err);
/* Publishes what is pending now and records the sightings waiting in
 * WB_SIGHT (the thread does this every interval); *n messages published.
 * For tests and the benchmark. */
int wb_nats_pub_flush(wb_nats_pub *p, size_t *n, wb_error *err);
void wb_nats_pub_stop(wb_nats_pub *p);

/* ---- the sensor ---------------------------------------------------------------------------- */

/* One indicator message as the sensor reads it: the change sequence
 * number, the previous change sequence number published on the same
 * subject (0 for none), the event's uuid, and the body: {"Event": {...}}
 * as the audience sees it, or {"Event": {"uuid", "deleted": true}}. */
typedef struct wb_nats_msg {
    const char *subject;
    int64_t seq, prev;
    const char *event;
    const char *body;
    size_t len;
} wb_nats_msg;

/* Checks a message's headers (Wb-Seq, Wb-Prev, Wb-Event) as parsed
 * strings: numbers in range, prev < seq, an event uuid. WB_EPARSE. */
int wb_nats_msg_check(const char *seq, const char *prev, const char *event, wb_nats_msg *m,
                      wb_error *err);

typedef struct wb_nats_follow wb_nats_follow;

/* Called for every message in order per subject; return 0 to acknowledge
 * it, or an error to stop. */
typedef int (*wb_nats_msg_fn)(void *ud, const wb_nats_msg *m, wb_error *err);

typedef struct wb_nats_follow_opts {
    const char *url;          /* NULL: the user file's */
    const wb_nats_user *user; /* the parsed user file */
    int64_t start_unix;       /* deliver from this time (0: from the stream's start) */
} wb_nats_follow_opts;

/* Connects as the user and (re)creates its durable consumers, one per
 * subject of the user file. */
int wb_nats_follow_open(wb_nats_follow **out, const wb_nats_follow_opts *o, wb_error *err);
/* Fetches what is there (waiting up to wait_ms in all) and hands each
 * message to fn in order per subject; *n messages handled. A message whose
 * headers do not check is acknowledged and skipped, and the poll returns
 * WB_EPARSE saying so after handling the others; an error of fn stops the
 * poll, leaving that message and the rest unacknowledged. */
int wb_nats_follow_poll(wb_nats_follow *f, unsigned wait_ms, wb_nats_msg_fn fn, void *ud, size_t *n,
                        wb_error *err);
/* Publishes a sightings message (the JSON array above) to the user's
 * sighting subject, with Nats-Msg-Id msg_id (a report's uuid: a repeat is
 * dropped by JetStream, and by the hub's sighting identity after that),
 * and waits for JetStream's acknowledgement. */
int wb_nats_follow_report(wb_nats_follow *f, const char *body, size_t len, const char *msg_id,
                          wb_error *err);
/* Recreates the consumers to deliver from start_unix (after a resync). */
int wb_nats_follow_restart(wb_nats_follow *f, int64_t start_unix, wb_error *err);
void wb_nats_follow_close(wb_nats_follow *f);

#ifdef __cplusplus
}
#endif
#endif
