/*
 * gate.h - the hub's connection gate (gate.c) as the HTTP server
 * (server.c) uses it: open it on the listening address, start it once
 * libmicrohttpd runs, report each connection's requests from
 * libmicrohttpd's callbacks by socket, stop it before libmicrohttpd.
 */
#ifndef WB_HUB_GATE_H
#define WB_HUB_GATE_H

#include <stdbool.h>
#include <sys/socket.h>

#include "hub/hub_internal.h"

struct MHD_Daemon;
typedef struct wbi_hub_gate wbi_hub_gate;

typedef struct wbi_hub_gate_opts {
    unsigned max_connections; /* 0 = 1000 (at most the descriptor limit less 128) */
    unsigned max_per_address; /* 0 = 64 */
    unsigned header_timeout;  /* seconds; 0 = 10 */
    unsigned idle_timeout;    /* seconds; 0 = 30 */
    bool tls;                 /* heads are encrypted: the gate cannot read them */
    wbi_hub_metrics *metrics; /* refusals are counted here (GET /metrics); may be NULL */
} wbi_hub_gate_opts;

/* Listens on addr (raising the descriptor limit to its hard limit, since
 * the connection table is indexed by socket). 0, or an error naming
 * `name` (the --listen text). */
int wbi_hub_gate_open(wbi_hub_gate **out, const struct sockaddr *addr, socklen_t len,
                      const wbi_hub_gate_opts *o, const char *name, wb_error *err);
/* The connection limit in force: libmicrohttpd's own must lie above it. */
unsigned wbi_hub_gate_max_connections(const wbi_hub_gate *g);
/* Starts accepting, handing connections to d. */
int wbi_hub_gate_start(wbi_hub_gate *g, struct MHD_Daemon *d, wb_error *err);
/* Stops accepting and closes the connections not yet handed over. */
void wbi_hub_gate_stop(wbi_hub_gate *g);
/* After libmicrohttpd has stopped. NULL is fine. */
void wbi_hub_gate_free(wbi_hub_gate *g);

/* From libmicrohttpd's callbacks, by the connection's socket: */
/* a request line arrived (its head's deadline starts); */
void wbi_hub_gate_request_line(wbi_hub_gate *g, int fd);
/* its head is complete; keyed when it carries Authorization. False when
 * an unkeyed request would take a connection kept for keyed clients. */
bool wbi_hub_gate_request_head(wbi_hub_gate *g, int fd, bool keyed);
/* its answer is done (the connection waits for the next request); */
void wbi_hub_gate_request_done(wbi_hub_gate *g, int fd);
/* the connection is closing (before its socket is closed). */
void wbi_hub_gate_closed(wbi_hub_gate *g, int fd);

/* {"error":{"code","message"}} as text, or NULL out of memory (the
 * caller frees it). */
char *wbi_hub_error_json(const char *code, const char *msg);

#endif
