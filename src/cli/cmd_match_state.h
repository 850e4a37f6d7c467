/*
 * cmd_match_state.h - `weerbaar match --state FILE`: the read positions of
 * the logs a sensor follows (matchstate.h), checked against each file's
 * identity and first bytes, and the sightings posted but not yet
 * acknowledged by the hub.
 */
#ifndef WB_CLI_MATCH_STATE_H
#define WB_CLI_MATCH_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/error.h"
#include "weerbaar/matchstate.h"

typedef struct wb_cli_mstate {
    char *path;
    wb_mstate *st;
    bool dirty; /* positions moved since the last save */
} wb_cli_mstate;

/* The default state file of a follower: in $STATE_DIRECTORY (systemd's
 * StateDirectory=), else $XDG_STATE_HOME/weerbaar, else
 * ~/.local/state/weerbaar (made when missing), named after the hub and
 * the paths followed. NULL (with err) when there is no such directory. */
char *wb_cli_mstate_default(const char *hub, const char *const *paths, size_t n, wb_error *err);
int wb_cli_mstate_open(wb_cli_mstate *s, const char *path, wb_error *err);
void wb_cli_mstate_close(wb_cli_mstate *s);
/* Engine callbacks (wb_engine_cb.resume and .position) with s as ud. */
uint64_t wb_cli_mstate_resume(wb_cli_mstate *s, const char *path, uint64_t dev, uint64_t ino);
void wb_cli_mstate_position(wb_cli_mstate *s, const char *path, uint64_t dev, uint64_t ino,
                            uint64_t offset);
int wb_cli_mstate_save(wb_cli_mstate *s, wb_error *err);
/* A random version 4 UUID into out (37 bytes). */
void wb_cli_uuid4(char out[37]);

#endif
