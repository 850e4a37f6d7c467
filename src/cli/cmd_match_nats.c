/*
 * cmd_match_nats.c - the NATS side of `match --follow` (cmd_match_nats.h).
 *
 * Each message carries its change number and the change number published
 * before it on its subject (Wb-Seq, Wb-Prev; src/nats/pub.c). Per subject
 * the last change applied is kept: a message at or below it is a repeat
 * (skipped), one whose predecessor is above it means messages were lost
 * (the sensor was away longer than the stream keeps them, or its
 * consumer was removed): then the mirror pulls the change feed from where
 * it stood, which replaces every event changed since, and the consumers
 * start again from just before that pull. Messages already covered by
 * the pull are repeats by the same rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cmd_match_nats.h"
#include "weerbaar/io.h"

/* How far before a feed pull the consumers start: a change committed
 * before the pull but published (and stamped by the server) later than
 * the pull began is then still delivered; a clock apart by more than this
 * shows as a gap and another resync, never as a loss. */
#define START_MARGIN_S 300

struct wb_cli_nats {
    char *text; /* the user file; the user's strings point into it */
    wb_nats_user user;
    wb_nats_follow *f;
    wb_cli_mirror *m;
    bool have_hub;
    int64_t last[WB_NATS_MAX_SUBJECTS];
    bool changed, gap;
    size_t resyncs;
};

static size_t subject_index(const wb_cli_nats *n, const char *subject)
{
    for (size_t i = 0; i < n->user.nsubjects; i++)
        if (n->user.subjects[i] == subject || strcmp(n->user.subjects[i], subject) == 0) return i;
    return 0;
}

static int on_msg(void *ud, const wb_nats_msg *msg, wb_error *err)
{
    wb_cli_nats *n = ud;
    size_t i = subject_index(n, msg->subject);
    if (msg->seq <= n->last[i]) return 0;
    if (msg->prev > n->last[i]) {
        if (n->have_hub) {
            n->gap = true;
            return wb_error_set(err, WB_ENOTFOUND, "%s: change %lld missed", msg->subject,
                                (long long)msg->prev);
        }
        fprintf(stderr,
                "weerbaar: NATS: %s: changes %lld to %lld are no longer in the stream; give "
                "--hub URL --key KEY to resynchronise from the hub's change feed\n",
                msg->subject, (long long)n->last[i] + 1, (long long)msg->prev);
    }
    int rc = wb_cli_mirror_apply_part(n->m, msg->event, msg->subject, msg->body, msg->len, err);
    if (rc == WB_EPARSE) {
        wb_cli_report(err); /* a message the loader refused: skipped, not retried */
        rc = 0;
    }
    if (rc == 0) {
        n->last[i] = msg->seq;
        n->changed = true;
    }
    return rc;
}

/* Pulls the change feed and starts every subject after what it gave. */
static int resync(wb_cli_nats *n, bool connect, const char *url, wb_error *err)
{
    int64_t start = (int64_t)time(NULL) - START_MARGIN_S;
    wb_cli_pull_stats ps = {0};
    int rc = 0;
    if (n->have_hub) {
        rc = wb_cli_mirror_pull(n->m, &ps, err);
        if (rc) return rc;
        if (ps.events || ps.tombstones) n->changed = true;
        for (size_t i = 0; i < n->user.nsubjects; i++)
            if (n->last[i] < ps.last_seq) n->last[i] = ps.last_seq;
    } else {
        start = 0;
    }
    if (connect) {
        wb_nats_follow_opts fo = {.url = url, .user = &n->user, .start_unix = start};
        return wb_nats_follow_open(&n->f, &fo, err);
    }
    return wb_nats_follow_restart(n->f, start, err);
}

int wb_cli_nats_open(wb_cli_nats **out, const char *url, const char *user_file, wb_cli_mirror *m,
                     bool have_hub, wb_error *err)
{
    *out = NULL;
    wb_cli_nats *n = calloc(1, sizeof *n);
    if (n == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    n->m = m;
    n->have_hub = have_hub;
    size_t len = 0;
    int rc = wb_read_file(user_file, 65536, &n->text, &len, err);
    if (rc == 0 && (rc = wb_nats_user_parse(n->text, len, &n->user, err)) != 0)
        wb_error_prefix(err, "%s: ", user_file);
    if (rc == 0 && n->user.nsubjects == 0)
        rc = wb_error_set(err, WB_EPARSE, "%s: no subject", user_file);
    if (rc == 0) {
        wb_cli_mirror_parts(m, n->user.subjects, n->user.nsubjects);
        rc = resync(n, true, url, err);
    }
    if (rc) {
        wb_cli_nats_close(n);
        return rc;
    }
    *out = n;
    return 0;
}

int wb_cli_nats_step(wb_cli_nats *n, unsigned wait_ms, bool *changed, wb_error *err)
{
    n->changed = n->gap = false;
    size_t got = 0;
    int rc = wb_nats_follow_poll(n->f, wait_ms, on_msg, n, &got, err);
    if (rc == WB_EPARSE) {
        wb_cli_report(err);
        rc = 0;
    }
    if (rc && n->gap) {
        n->resyncs++;
        fprintf(stderr, "weerbaar: NATS: %s: resynchronising from the hub's change feed\n",
                err->msg);
        wb_error_clear(err);
        rc = resync(n, false, NULL, err);
    }
    *changed = n->changed;
    return rc;
}

void wb_cli_nats_close(wb_cli_nats *n)
{
    if (n == NULL) return;
    wb_nats_follow_close(n->f);
    if (n->text) {
        memset(n->text, 0, strlen(n->text));
        free(n->text);
    }
    free(n);
}

int wb_cli_nats_report(wb_cli_nats *n, const char *body, size_t len, const char *msg_id,
                       wb_error *err)
{
    return wb_nats_follow_report(n->f, body, len, msg_id, err);
}
