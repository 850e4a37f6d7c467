/*
 * http.h - the one HTTP client every module that fetches uses (libcurl):
 * the hub client, feed pull, `match -i URL` and `intel fetch`, the
 * vulnerability and IP data fetches, and the webhook dispatcher.
 *
 * What every request gets unless its options say otherwise: TLS
 * certificate and host verification on (there is no option to turn it
 * off), http and https only, no redirects (when asked, a bounded number,
 * and never from https down to http), no signals (threads), a connect
 * timeout, "weerbaar/VERSION" as user agent, and a bounded answer: a body
 * that would grow past max_body ends the transfer with WB_ELIMIT and an
 * error naming the URL and the bound. Other errors name the URL and
 * libcurl's reason (WB_EIO); an HTTP status is the caller's to judge.
 *
 * The same handle also sends mail (wb_smtp_send, for the reminder
 * e-mails): smtp:// with STARTTLS required unless the caller allows plain
 * text, or smtps://, with the same certificate checks.
 */
#ifndef WB_HTTP_H
#define WB_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"

/* The bound on an answer when the request names none. */
#define WB_HTTP_MAX_BODY ((uint64_t)512 << 20)

typedef struct wb_http_opts {
    const char *user_agent; /* NULL: "weerbaar/" WB_VERSION */
    const char *protocols;  /* NULL: "http,https" */
    long connect_timeout_s; /* 0: 10 */
    long timeout_s;         /* the whole transfer; 0: no limit */
    long stall_timeout_s;   /* fails when under 1 byte/s for this long; 0: not checked */
    long max_redirects;     /* 0: redirects are not followed */
    bool compressed;        /* asks for (and decodes) every encoding libcurl knows */
    bool no_proxy;          /* ignores proxies named in the environment */
    const char *ca_file;    /* trusted certificates (PEM); NULL: the system's */
} wb_http_opts;

/* libcurl's global set-up, once per process and thread-safe: the first
 * call does it, later ones return its result (0, or WB_EINTERNAL when
 * libcurl could not initialise). wb_http_handle calls it; a caller that
 * uses libcurl directly (a multi handle) calls it first. Nothing else in
 * weerbaar calls curl_global_init. */
int wb_http_global_init(void);

/* A libcurl easy handle (CURL *) with the options set; NULL when out of
 * memory. Reusable for one request after another on one thread (the
 * connection is kept); freed with wb_http_free. */
void *wb_http_handle(const wb_http_opts *o);
void wb_http_free(void *h);

typedef struct wb_http_req {
    const char *url;
    const char *method;         /* NULL: GET, or POST when there is a body */
    const char *const *headers; /* "Name: value" lines ("Name:" removes one) */
    size_t nheaders;
    const char *body; /* NULL: none */
    size_t body_len;
    uint64_t max_body; /* 0: WB_HTTP_MAX_BODY */
    /* Where the answer goes (a 2xx or an error page alike): the buffer
     * (replaced), else the file, else on_data (nonzero stops the transfer
     * with WB_EIO), else nowhere. */
    wb_buf *out;
    FILE *file;
    int (*on_data)(void *ud, const char *p, size_t n);
    /* Each header line of the answer, as it came (with its CRLF). */
    void (*on_header)(void *ud, const char *line, size_t n);
    /* Bytes received so far of how many (0: not known). */
    void (*on_progress)(void *ud, uint64_t now, uint64_t total);
    void *ud;
} wb_http_req;

/* Performs r on h. *status is the final HTTP status (0 when none came);
 * *got, when not NULL, the body's bytes received. 0 when an answer came,
 * whatever its status. */
int wb_http_perform(void *h, const wb_http_req *r, long *status, uint64_t *got, wb_error *err);

/* One request on a handle of its own. */
int wb_http_request(const wb_http_opts *o, const wb_http_req *r, long *status, wb_error *err);

/* One message to an SMTP server, on a handle made with protocols
 * "smtp,smtps". The message is sent as given (header lines, an empty
 * line, the body; CRLF line ends), so the caller writes its headers. */
typedef struct wb_smtp_msg {
    const char *url;      /* smtp://host[:port] or smtps://host[:port] */
    bool plain;           /* smtp:// without TLS when the server offers no
                             STARTTLS (else STARTTLS is required) */
    const char *user;     /* NULL: no authentication */
    const char *password; /* never put in an error message */
    const char *from;     /* the envelope sender, an address */
    const char *to;       /* the one recipient, an address */
    const char *data;
    size_t len;
} wb_smtp_msg;

/* Sends m on h. *code is the server's last reply code (0 when none
 * came): 250 when accepted. 0 when the server accepted the message;
 * WB_EIO with the server's reply or libcurl's reason otherwise (a refusal
 * with its code in *code: 4xx is temporary, 5xx permanent). */
int wb_smtp_send(void *h, const wb_smtp_msg *m, long *code, wb_error *err);

#endif
