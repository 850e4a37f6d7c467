/*
 * hubfix.h - the one fixture builder of the hub tests (tests/hub/): a
 * temporary directory with a hub database, the organisations and users a
 * test describes in two tables (each user gets an API key, kept at its
 * index), the hub opened on it, and a request helper that reads a streamed
 * answer to its end, parses the JSON and checks the error shape.
 *
 *   static const hubfix_org orgs[] = {{"Own", WB_ORG_ESSENTIAL, "energy"}, ...};
 *   static const hubfix_user users[] = {{"a@own.example", 0, WB_ROLE_MEMBER}, ...};
 *   hubfix_begin(&f->h, "incident", orgs, N, users, M);   (store open: add rows)
 *   hubfix_open(&f->h, &(wb_hub_opts){.connections = 2}); (store closed, hub open)
 *   ... hubfix_call(&f->h, &req, f->h.key[i], &json) ...
 *   hubfix_end(&f->h);                                    (all closed, dir removed)
 *
 * Built into every test program (the .c files of tests/common, CMakeLists.txt).
 */
#ifndef WB_TEST_HUBFIX_H
#define WB_TEST_HUBFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "weerbaar/hub.h"
#include "weerbaar/store.h"

#define HUBFIX_MAX_ORGS 32
#define HUBFIX_MAX_USERS 32

typedef struct hubfix_org {
    const char *name;
    wb_org_kind kind;
    const char *sector; /* or NULL */
} hubfix_org;

typedef struct hubfix_user {
    const char *email; /* NULL: no user in this slot */
    int org;           /* index into the orgs table */
    wb_role role;
} hubfix_user;

typedef struct hubfix {
    char dir[64], db[256];
    wb_store *st; /* open from hubfix_begin to hubfix_open (to hubfix_end when keep_store) */
    bool keep_store;
    wb_hub *hub; /* open from hubfix_open to hubfix_end */
    int64_t org[HUBFIX_MAX_ORGS];
    int64_t user[HUBFIX_MAX_USERS];
    char key[HUBFIX_MAX_USERS][WB_KEY_TEXT_LEN + 1];
} hubfix;

/* A fresh directory /tmp/wb-NAME-XXXXXX with hub.db, the organisations
 * (ids in f->org[i]) and users (ids in f->user[i], keys in f->key[i]). */
void hubfix_begin(hubfix *f, const char *name, const hubfix_org *orgs, size_t norgs,
                  const hubfix_user *users, size_t nusers);
/* Closes the store (unless keep_store) and opens the hub on the database (o->db is set here;
 * o NULL: two connections, no rate limit). */
void hubfix_open(hubfix *f, const wb_hub_opts *o);
/* Closes what is open and removes the directory. */
void hubfix_end(hubfix *f);

/* One more organisation or user (with a key into key, when not NULL). */
int64_t hubfix_add_org(wb_store *st, const char *name, wb_org_kind kind, const char *sector);
int64_t hubfix_add_user(wb_store *st, const char *email, int64_t org, wb_role role, char *key);

/* Sends req with "Bearer KEY" (no Authorization when key is NULL) and
 * returns the status; the answer (a stream read to its end) must be JSON,
 * an error must carry a code and a message; *out gets the parsed body (the
 * caller decrefs) when out is not NULL. */
unsigned hubfix_call(wb_hub *hub, const wb_hub_request *req, const char *key, json_t **out);

#endif
