/*
 * cmd_match_nats.h - `weerbaar match --follow --nats URL --nats-user FILE`
 * (cmd_match_nats.c): the hub mirror (cmd_match_hub.h) kept current from
 * NATS JetStream instead of by polling the change feed, resynchronised
 * from the change feed when messages were lost.
 */
#ifndef WB_CLI_MATCH_NATS_H
#define WB_CLI_MATCH_NATS_H

#include <stdbool.h>

#include "cli/cmd_match_hub.h"
#include "weerbaar/nats.h"

typedef struct wb_cli_nats wb_cli_nats;

/* Reads the user file, pulls the change feed once when the mirror has a
 * hub (--hub, --key) and connects: the consumers deliver from just before
 * that pull, or from the stream's start without a hub. Errors name the
 * file or the server. */
int wb_cli_nats_open(wb_cli_nats **out, const char *url, const char *user_file, wb_cli_mirror *m,
                     bool have_hub, wb_error *err);
/* One round: the messages there are (waiting up to wait_ms), applied to
 * the mirror; *changed when the indicator set must be built again. A gap
 * in a subject's sequence resynchronises from the change feed (with a hub;
 * without one it is reported and the stream taken as it is). */
int wb_cli_nats_step(wb_cli_nats *n, unsigned wait_ms, bool *changed, wb_error *err);
/* Publishes one sightings message (the body `match --report` posts) to
 * the user's sighting subject, msg_id its Nats-Msg-Id. */
int wb_cli_nats_report(wb_cli_nats *n, const char *body, size_t len, const char *msg_id,
                       wb_error *err);
void wb_cli_nats_close(wb_cli_nats *n);

#endif
