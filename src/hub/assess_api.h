/*
 * assess_api.h - the hub's assessment endpoints (assess_api.c) as api.c
 * calls them: a narrow request (the store, the caller, the path's {id},
 * the query and body) in, a status and a JSON body or an error out, so
 * that the endpoints need none of api.c's internals.
 */
#ifndef WB_ASSESS_API_H
#define WB_ASSESS_API_H

#include <pthread.h>

#include <jansson.h>

#include "weerbaar/assess.h"
#include "weerbaar/hub.h"

/* The hub's catalogues, loaded on first use under a lock; a catalogue once
 * loaded is immutable and read without it. */
typedef struct wbi_hub_catalogues {
    pthread_mutex_t lock;
    wb_catset *set;
} wbi_hub_catalogues;

/* The built-in directory (when there is one) and dir (may be NULL). */
int wbi_hub_catalogues_init(wbi_hub_catalogues *c, const char *dir, wb_error *err);
void wbi_hub_catalogues_free(wbi_hub_catalogues *c);

typedef struct wbi_hub_areq {
    /* in */
    wb_store *st;
    const wb_principal *who;
    const char *user;     /* the caller's e-mail, for the audit log */
    const char *org_name; /* the caller's organisation */
    const char *id;       /* the {id} of the path, or NULL */
    const wb_hub_request *req;
    unsigned max_depth;
    unsigned sector_k;
    wbi_hub_catalogues *cats;
    /* out: either reply (with status) or code and msg (with status), or
     * internal set with err */
    unsigned status;
    json_t *reply;
    const char *code;
    char msg[WB_ERROR_MSG_MAX];
    bool internal;
    wb_error err;
    /* out, instead of reply: a body that is not JSON (a PDF, an HTML page) */
    const char *content_type;
    wb_buf body;
    char style_hash[48]; /* wb_hub_response's, for an HTML body */
} wbi_hub_areq;

/* Replies on a narrow request, shared by assess_api.c and deps_api.c:
 * an error with its status and code; a library error as 404/422 (what the
 * caller got wrong, with the message) or internal (the rest); a JSON body
 * (o is taken; NULL makes the answer an internal out-of-memory error). */
void wbi_hub_areq_fail(wbi_hub_areq *r, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void wbi_hub_areq_fail_err(wbi_hub_areq *r, const wb_error *e);
void wbi_hub_areq_reply(wbi_hub_areq *r, unsigned status, json_t *o);
/* The value of query argument key ("" for a bare key), or NULL. */
const char *wbi_hub_areq_arg(const wbi_hub_areq *r, const char *key);

void wbi_hub_assess_list(wbi_hub_areq *r);    /* GET  /api/v1/assessments */
void wbi_hub_assess_add(wbi_hub_areq *r);     /* POST /api/v1/assessments */
void wbi_hub_assess_sectors(wbi_hub_areq *r); /* GET  /api/v1/assessments/sectors */
void wbi_hub_assess_get(wbi_hub_areq *r);     /* GET  /api/v1/assessments/{id} */
void wbi_hub_assess_history(wbi_hub_areq *r); /* GET  /api/v1/assessments/{id}/versions */
void wbi_hub_assess_answer(wbi_hub_areq *r);  /* POST /api/v1/assessments/{id}/answers */
void wbi_hub_assess_import(wbi_hub_areq *r);  /* POST /api/v1/assessments/{id}/versions */
void wbi_hub_assess_share(wbi_hub_areq *r);   /* POST /api/v1/assessments/{id}/share */
void wbi_hub_assess_score(wbi_hub_areq *r);   /* GET  /api/v1/assessments/{id}/score */
void wbi_hub_assess_report(wbi_hub_areq *r);  /* GET  /api/v1/assessments/{id}/report */
void wbi_hub_catalogue_list(wbi_hub_areq *r); /* GET  /api/v1/catalogues */
void wbi_hub_catalogue_get(wbi_hub_areq *r);  /* GET  /api/v1/catalogues/{name} */

#endif
