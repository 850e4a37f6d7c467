/*
 * accounts_internal.h - what accounts.c shares with import.c: copies of
 * organisation and user rows, the parsers of kinds and roles with the
 * service's messages, and the audit, refusal and JSON helpers.
 */
#ifndef WB_ACCOUNTS_INTERNAL_H
#define WB_ACCOUNTS_INTERNAL_H

#include <jansson.h>

#include "weerbaar/accounts.h"

typedef struct wbi_acct_org {
    int64_t id;
    wb_org_kind kind;
    bool disabled;
    char name[WB_NAME_MAX + 1];
    char uuid[WB_UUID_LEN + 1];
    char sector[WB_NAME_MAX + 1];
    char kvk[WB_NAME_MAX + 1];
} wbi_acct_org;

typedef struct wbi_acct_user {
    int64_t id, org_id;
    wb_role role;
    bool disabled;
    char email[WB_EMAIL_MAX + 1];
    char org_name[WB_NAME_MAX + 1];
} wbi_acct_user;

/* WB_ENOTFOUND (with the store's message) when there is none. */
int wbi_acct_org_find(wb_store *s, const char *name, wbi_acct_org *out, wb_error *err);
int wbi_acct_user_find(wb_store *s, const char *email, wbi_acct_user *out, wb_error *err);
/* WB_EINVAL with the message a client reads. */
int wbi_acct_kind(const char *s, wb_org_kind *k, wb_error *err);
int wbi_acct_role(const char *s, wb_role *r, wb_error *err);
int wbi_acct_sector(const char *s, wb_error *err);
/* Sets *forbidden; WB_EINVAL with msg. */
int wbi_acct_deny(bool *forbidden, wb_error *err, const char *msg);
int wbi_acct_audit(wb_store *s, const wb_actor *who, const char *action, const char *object,
                   const char *detail, wb_error *err);
/* Takes j's reference; out gets its compact text. */
int wbi_acct_dump(json_t *j, wb_buf *out, wb_error *err);

#endif
