/*
 * client.h - talking to a weerbaar hub over HTTP(S): the small client that
 * `weerbaar match --hub` (and later other commands with --hub) use.
 */
#ifndef WEERBAAR_CLIENT_H
#define WEERBAAR_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wb_hub_client {
    const char *base; /* "https://hub.example:8443" (a trailing '/' is ignored) */
    const char *key;  /* API key, sent as "Authorization: Bearer KEY" */
    long timeout_s;   /* whole request; 0 = 300 s */
    size_t max_body;  /* largest response accepted; 0 = 512 MiB */
    bool raw_key;     /* "Authorization: KEY", as MISP servers send it (sync) */
    /* A handle of wb_http_handle (http.h) reused for every call, keeping
     * the connection (one thread at a time); NULL: one per call. Its
     * options are the handle's (timeout_s above is then not applied). */
    void *handle;
} wb_hub_client;

/* libcurl's global set-up (wb_http_global_init: once per process,
 * thread-safe; calling it again is harmless). wb_hub_global_cleanup does
 * nothing any more: the set-up lasts until the process ends. 0 or
 * WB_EINTERNAL. */
int wb_hub_global_init(void);
void wb_hub_global_cleanup(void);

/* One request: method "GET" or "POST", path "/api/v1/events?page=1", an
 * optional JSON body. On a 2xx answer returns 0 with the body in *out
 * (replaced). Otherwise a negative code with a message naming the URL and
 * the hub's error code and message, or the transport failure. *status gets
 * the HTTP status (0 when there was none); may be NULL. */
int wb_hub_call(const wb_hub_client *c, const char *method, const char *path, const char *body,
                size_t len, wb_buf *out, long *status, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
