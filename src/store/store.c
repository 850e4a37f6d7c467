/*
 * store.c - the storage interface: dispatch of wb_store_* to the back end's
 * operations (one table per domain, store_internal.h), plus what does not
 * depend on the back end: the names of organisation kinds and roles, API key
 * generation and hashing, UUIDs.
 *
 * API keys are 256 random bits. Only a BLAKE2b hash keyed with the
 * database's own secret is stored: a key is high-entropy, so a fast keyed
 * hash is as safe as a password hash here and checking one costs
 * microseconds on every request; the secret means a stolen table of hashes
 * cannot be checked against guesses without the database's meta table too.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "store/store_internal.h"

static const char *const kind_names[] = {"csirt", "essential", "important", "supervisor", "other"};
static const char *const role_names[] = {"site-admin", "org-admin", "member", "sensor"};

const char *wb_org_kind_name(wb_org_kind k)
{
    return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "other";
}

int wb_org_kind_parse(const char *s, wb_org_kind *out)
{
    for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (wb_org_kind)i;
            return 0;
        }
    return WB_EINVAL;
}

const char *wb_role_name(wb_role r)
{
    return (unsigned)r < sizeof role_names / sizeof role_names[0] ? role_names[r] : "member";
}

int wb_role_parse(const char *s, wb_role *out)
{
    for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
        if (strcmp(s, role_names[i]) == 0) {
            *out = (wb_role)i;
            return 0;
        }
    return WB_EINVAL;
}

void wb_uuid_v4(char out[WB_UUID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t b[16];
    randombytes_buf(b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}

bool wb_uuid_valid(const char *s, size_t n)
{
    if (n != WB_UUID_LEN) return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];
        if (dash ? c != '-'
                 : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

int wb_store_open(wb_store **out, const char *path, wb_error *err)
{
    *out = NULL;
    /* sodium_init is idempotent and thread-safe; it seeds randombytes. */
    if (sodium_init() < 0) return wb_error_set(err, WB_EINTERNAL, "libsodium failed to start");
    if (wbi_pg_url(path)) return wbi_pg_open(out, path, err);
    return wbi_sqlite_open(out, path, err);
}

void wb_store_close(wb_store *s)
{
    if (s) s->ops->close(s);
}

int wb_store_schema_version(wb_store *s)
{
    return s->ops->schema_version(s);
}

int wb_store_schema_check(wb_store *s, int64_t *in_db, int *known, wb_error *err)
{
    return s->ops->schema_check(s, in_db, known, err);
}

int wb_store_begin(wb_store *s, wb_error *err)
{
    return s->ops->begin(s, err);
}

int wb_store_commit(wb_store *s, wb_error *err)
{
    return s->ops->commit(s, err);
}

void wb_store_rollback(wb_store *s)
{
    s->ops->rollback(s);
}

int wb_store_org_add(wb_store *s, const char *name, wb_org_kind kind, const char *sector,
                     const char *kvk, int64_t *id, wb_error *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > WB_NAME_MAX)
        return wb_error_set(err, WB_EINVAL, "organisation name must be 1-%d bytes", WB_NAME_MAX);
    if (sector && strlen(sector) > WB_NAME_MAX)
        return wb_error_set(err, WB_EINVAL, "sector longer than %d bytes", WB_NAME_MAX);
    if (kvk) {
        /* A KvK number is eight digits. */
        size_t k = strlen(kvk);
        bool ok = k == 8;
        for (size_t i = 0; ok && i < k; i++)
            ok = kvk[i] >= '0' && kvk[i] <= '9';
        if (!ok) return wb_error_set(err, WB_EINVAL, "KvK number '%s' is not 8 digits", kvk);
    }
    char uuid[WB_UUID_LEN + 1];
    wb_uuid_v4(uuid);
    return s->accounts->org_add(s, uuid, name, kind, sector, kvk, id, err);
}

int wb_store_org_find(wb_store *s, const char *name, wb_org_cb cb, void *ud, wb_error *err)
{
    return s->accounts->org_find(s, 0, name, cb, ud, err);
}

int wb_store_org_get(wb_store *s, int64_t id, wb_org_cb cb, void *ud, wb_error *err)
{
    return s->accounts->org_find(s, id, NULL, cb, ud, err);
}

int wb_store_org_list(wb_store *s, wb_org_cb cb, void *ud, wb_error *err)
{
    return s->accounts->org_list(s, cb, ud, err);
}

/* A plausible address: something@domain, no spaces or control bytes. The
 * hub does not send mail; the address is an identifier people recognise. */
static bool email_ok(const char *e)
{
    size_t n = strlen(e);
    const char *at = strchr(e, '@');
    if (n < 3 || n > WB_EMAIL_MAX || at == NULL || at == e || at[1] == '\0' ||
        strchr(at + 1, '@') != NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)e[i] <= ' ' || e[i] == 0x7f || e[i] == ',') return false;
    return true;
}

int wb_store_user_add(wb_store *s, const char *email, int64_t org_id, wb_role role, int64_t *id,
                      wb_error *err)
{
    if (!email_ok(email))
        return wb_error_set(err, WB_EINVAL, "'%.100s' is not an e-mail address", email);
    return s->accounts->user_add(s, email, org_id, role, id, err);
}

int wb_store_user_find(wb_store *s, const char *email, wb_user_cb cb, void *ud, wb_error *err)
{
    return s->accounts->user_find(s, email, cb, ud, err);
}

int wb_store_user_list(wb_store *s, wb_user_cb cb, void *ud, wb_error *err)
{
    return s->accounts->user_list(s, cb, ud, err);
}

static void key_hash(const wb_store *s, const char *key, size_t len, uint8_t out[WB_KEY_HASH_LEN])
{
    crypto_generichash(out, WB_KEY_HASH_LEN, (const unsigned char *)key, len, s->secret,
                       sizeof s->secret);
}

int wb_store_key_add(wb_store *s, int64_t user_id, char key[WB_KEY_TEXT_LEN + 1], int64_t *id,
                     wb_error *err)
{
    uint8_t raw[WB_KEY_TEXT_LEN / 2], hash[WB_KEY_HASH_LEN];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(key, WB_KEY_TEXT_LEN + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    key_hash(s, key, WB_KEY_TEXT_LEN, hash);
    int rc = s->accounts->key_add(s, user_id, hash, id, err);
    if (rc) sodium_memzero(key, WB_KEY_TEXT_LEN + 1);
    return rc;
}

int wb_store_key_revoke(wb_store *s, int64_t key_id, int64_t user_id, int64_t *n, wb_error *err)
{
    return s->accounts->key_revoke(s, key_id, user_id, n, err);
}

int wb_store_key_list(wb_store *s, wb_apikey_cb cb, void *ud, wb_error *err)
{
    return s->accounts->key_list(s, cb, ud, err);
}

int wb_store_key_auth(wb_store *s, const char *key, size_t len, wb_keyowner *out, wb_error *err)
{
    if (len != WB_KEY_TEXT_LEN) return wb_error_set(err, WB_ENOTFOUND, "no such key");
    uint8_t hash[WB_KEY_HASH_LEN], stored[WB_KEY_HASH_LEN];
    key_hash(s, key, len, hash);
    int rc = s->accounts->key_by_hash(s, hash, out, stored, err);
    if (rc) return rc;
    /* The look-up found the row by its hash through an index; comparing in
     * constant time as well means no code path depends on how much of a
     * guessed hash matched. */
    if (sodium_memcmp(hash, stored, WB_KEY_HASH_LEN) != 0)
        return wb_error_set(err, WB_ENOTFOUND, "no such key");
    return 0;
}

int wb_store_sgroup_add(wb_store *s, const char *name, const int64_t *orgs, size_t norgs,
                        int64_t *id, wb_error *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > WB_NAME_MAX)
        return wb_error_set(err, WB_EINVAL, "sharing group name must be 1-%d bytes", WB_NAME_MAX);
    if (norgs == 0) return wb_error_set(err, WB_EINVAL, "a sharing group needs organisations");
    char uuid[WB_UUID_LEN + 1];
    wb_uuid_v4(uuid);
    return s->accounts->sgroup_add(s, uuid, name, orgs, norgs, id, err);
}

int wb_store_sgroup_find(wb_store *s, int64_t id, const char *uuid_or_name, wb_sgroup_cb cb,
                         void *ud, wb_error *err)
{
    return s->accounts->sgroup_find(s, id, uuid_or_name, cb, ud, err);
}

int wb_store_sgroup_list(wb_store *s, wb_sgroup_cb cb, void *ud, wb_error *err)
{
    return s->accounts->sgroup_list(s, cb, ud, err);
}

int wb_store_org_sgroups(wb_store *s, int64_t org_id, int64_t *ids, size_t max, size_t *n,
                         wb_error *err)
{
    return s->accounts->org_sgroups(s, org_id, ids, max, n, err);
}

bool wb_store_sgroup_has_org(wb_store *s, int64_t sg_id, int64_t org_id)
{
    return s->accounts->sgroup_has_org(s, sg_id, org_id);
}

int wb_store_event_put(wb_store *s, const wb_event_rec *ev, const char *const *tags, size_t ntags,
                       const wb_attr_rec *attrs, size_t nattrs, bool replace, int64_t *id,
                       wb_error *err)
{
    return s->events->event_put(s, ev, tags, ntags, attrs, nattrs, replace, id, err);
}

int wb_store_event_get(wb_store *s, const char *uuid, wb_event_cb cb, void *ud, wb_error *err)
{
    return s->events->event_get(s, uuid, cb, ud, err);
}

int wb_store_event_list(wb_store *s, const wb_event_filter *f, wb_event_cb cb, void *ud,
                        wb_error *err)
{
    return s->events->event_list(s, f, cb, ud, err);
}

int wb_store_event_flag(wb_store *s, int64_t id, bool published, bool deleted, int64_t timestamp,
                        wb_error *err)
{
    return s->events->event_flag(s, id, published, deleted, timestamp, err);
}

int wb_store_event_changes(wb_store *s, int64_t after, wb_event_cb cb, void *ud, wb_error *err)
{
    return s->events->event_changes(s, after, cb, ud, err);
}

int wb_store_event_version_at(wb_store *s, int64_t event_id, int64_t seq, wb_event_rec *out,
                              wb_error *err)
{
    return s->events->event_version_at(s, event_id, seq, out, err);
}

void wb_store_read_begin(wb_store *s)
{
    s->ops->read_begin(s);
}

int wb_store_read_end(wb_store *s, wb_error *err)
{
    return s->ops->read_end(s, err);
}

int wb_store_warninglist_put(wb_store *s, const char *name, const char *json, wb_error *err)
{
    return s->events->warninglist_put(s, name, json, err);
}

int wb_store_warninglist_list(wb_store *s, wb_warninglist_cb cb, void *ud, wb_error *err)
{
    return s->events->warninglist_list(s, cb, ud, err);
}

int wb_store_warninglist_gen(wb_store *s, int64_t *count, int64_t *latest, wb_error *err)
{
    return s->events->warninglist_gen(s, count, latest, err);
}

int wb_store_attr_key_walk(wb_store *s, wb_attr_key_cb cb, void *ud, wb_error *err)
{
    return s->events->attr_key_walk(s, cb, ud, err);
}

int wb_store_attr_warn(wb_store *s, int64_t attr_id, int64_t event_id, const char *list,
                       int64_t now, wb_error *err)
{
    return s->events->attr_warn(s, attr_id, event_id, list, now, err);
}

int wb_store_event_seq_max(wb_store *s, int64_t *out, wb_error *err)
{
    return s->events->event_seq_max(s, out, err);
}

int wb_store_cidr_prefixes(wb_store *s, wb_prefix_set *out, wb_error *err)
{
    return s->events->cidr_prefixes(s, out, err);
}

int wb_store_attr_list(wb_store *s, int64_t event_id, wb_attr_cb cb, void *ud, wb_error *err)
{
    return s->events->attr_list(s, event_id, cb, ud, err);
}

int wb_store_attr_lookup(wb_store *s, wb_ioc_type kind, const char *norm, wb_attr_cb cb, void *ud,
                         wb_error *err)
{
    return s->events->attr_lookup(s, kind, norm, cb, ud, err);
}

int wb_store_attr_get(wb_store *s, const char *uuid, wb_attr_cb cb, void *ud, wb_error *err)
{
    return s->events->attr_get(s, uuid, cb, ud, err);
}

int wb_store_sighting_add(wb_store *s, const wb_sighting_rec *r, int64_t *id, wb_error *err)
{
    return s->events->sighting_record(s, r, WB_SIGHTING_GAP_DEFAULT, id, NULL, err);
}

int wb_store_sighting_record(wb_store *s, const wb_sighting_rec *r, int64_t gap, int64_t *id,
                             bool *merged, wb_error *err)
{
    return s->events->sighting_record(s, r, gap, id, merged, err);
}

int wb_store_sighting_claim(wb_store *s, int64_t org_id, const char *uuid, bool *first,
                            wb_error *err)
{
    return s->events->sighting_claim(s, org_id, uuid, first, err);
}

int wb_store_sighting_query(wb_store *s, const wb_sighting_filter *f, wb_sighting_row_cb cb,
                            void *ud, wb_error *err)
{
    return s->events->sighting_query(s, f, cb, ud, err);
}

int wb_store_sighting_one(wb_store *s, int64_t id, const char *uuid, wb_sighting_row_cb cb,
                          void *ud, wb_error *err)
{
    return s->events->sighting_one(s, id, uuid, cb, ud, err);
}

int wb_store_sighting_delete(wb_store *s, int64_t id, wb_error *err)
{
    return s->events->sighting_delete(s, id, err);
}

int wb_store_sighting_list(wb_store *s, int64_t event_id, wb_sighting_cb cb, void *ud,
                           wb_error *err)
{
    return s->events->sighting_list(s, event_id, cb, ud, err);
}

int wb_store_audit(wb_store *s, const wb_audit_rec *a, wb_error *err)
{
    return s->audit->audit_add(s, a, err);
}

int wb_store_audit_list(wb_store *s, wb_time since, int64_t offset, int64_t limit, wb_audit_cb cb,
                        void *ud, wb_error *err)
{
    return s->audit->audit_list(s, since, offset, limit, cb, ud, err);
}

/* ---- incidents ---------------------------------------------------------------- */

static const char *const status_names[] = {"open", "handled", "closed"};
static const char *const channel_names[] = {"hub", "local", "recorded"};
static const char *const action_names[] = {"ack", "ask", "comment"};

const char *wb_incident_status_name(wb_incident_status st)
{
    return (unsigned)st < sizeof status_names / sizeof status_names[0] ? status_names[st] : "open";
}

int wb_incident_status_parse(const char *s, wb_incident_status *out)
{
    for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++)
        if (strcmp(s, status_names[i]) == 0) {
            *out = (wb_incident_status)i;
            return 0;
        }
    return WB_EINVAL;
}

const char *wb_report_channel_name(wb_report_channel c)
{
    return (unsigned)c < sizeof channel_names / sizeof channel_names[0] ? channel_names[c]
                                                                        : "local";
}

const char *wb_incident_action_name(wb_incident_action_kind k)
{
    return (unsigned)k < sizeof action_names / sizeof action_names[0] ? action_names[k] : "comment";
}

int wb_store_incident_add(wb_store *s, const wb_incident_rec *r, int64_t *id, wb_error *err)
{
    size_t n = r->title ? strlen(r->title) : 0;
    if (n == 0 || n > WB_INCIDENT_TITLE_MAX)
        return wb_error_set(err, WB_EINVAL, "an incident title must be 1-%d bytes",
                            WB_INCIDENT_TITLE_MAX);
    if (r->aware_at == WB_TIME_NONE)
        return wb_error_set(err, WB_EINVAL, "an incident needs the time of awareness (aware_at)");
    if (r->entity_type == NULL || r->entity_type[0] == '\0')
        return wb_error_set(err, WB_EINVAL, "an incident needs an entity type");
    if (r->rsit && strlen(r->rsit) > WB_NAME_MAX)
        return wb_error_set(err, WB_EINVAL, "RSIT classification longer than %d bytes",
                            WB_NAME_MAX);
    return s->reg->incident_add(s, r, id, err);
}

int wb_store_incident_get(wb_store *s, int64_t id, wb_incident_cb cb, void *ud, wb_error *err)
{
    if (id <= 0) return wb_error_set(err, WB_ENOTFOUND, "no incident %lld", (long long)id);
    return s->reg->incident_find(s, id, cb, ud, err);
}

int wb_store_incident_list(wb_store *s, wb_incident_cb cb, void *ud, wb_error *err)
{
    return s->reg->incident_find(s, 0, cb, ud, err);
}

int wb_store_incident_set_status(wb_store *s, int64_t id, wb_incident_status st, wb_time handled_at,
                                 wb_error *err)
{
    return s->reg->incident_status(s, id, st, handled_at, err);
}

int wb_store_incident_report_add(wb_store *s, const wb_incident_report_rec *r, int64_t *id,
                                 wb_error *err)
{
    if (r->stage == NULL || r->json == NULL || r->author == NULL || r->submitted_at == WB_TIME_NONE)
        return wb_error_set(err, WB_EINVAL,
                            "a report needs a stage, a document, an author and "
                            "a submission time");
    return s->reg->ireport_add(s, r, id, err);
}

int wb_store_incident_report_list(wb_store *s, int64_t incident_id, wb_incident_report_cb cb,
                                  void *ud, wb_error *err)
{
    return s->reg->ireport_list(s, incident_id, cb, ud, err);
}

int wb_store_incident_action_add(wb_store *s, const wb_incident_action_rec *a, int64_t *id,
                                 wb_error *err)
{
    if (a->author == NULL || a->at == WB_TIME_NONE)
        return wb_error_set(err, WB_EINVAL, "an action needs an author and a time");
    if (a->kind == WB_ACTION_ASK && a->by == WB_TIME_NONE)
        return wb_error_set(err, WB_EINVAL, "a request for an intermediate report needs a date");
    if (a->kind == WB_ACTION_COMMENT) {
        size_t n = a->text ? strlen(a->text) : 0;
        if (n == 0 || n > WB_INCIDENT_TEXT_MAX)
            return wb_error_set(err, WB_EINVAL, "a comment must be 1-%d bytes",
                                WB_INCIDENT_TEXT_MAX);
    }
    return s->reg->iaction_add(s, a, id, err);
}

int wb_store_incident_action_list(wb_store *s, int64_t incident_id, wb_incident_action_cb cb,
                                  void *ud, wb_error *err)
{
    return s->reg->iaction_list(s, incident_id, cb, ud, err);
}

int wb_store_route_set(wb_store *s, const char *sector, int64_t csirt_id, int64_t supervisor_id,
                       wb_error *err)
{
    size_t n = sector ? strlen(sector) : 0;
    if (n == 0 || n > WB_NAME_MAX)
        return wb_error_set(err, WB_EINVAL, "a route's sector must be 1-%d bytes", WB_NAME_MAX);
    return s->reg->route_set(s, sector, csirt_id, supervisor_id, err);
}

int wb_store_route_list(wb_store *s, wb_route_cb cb, void *ud, wb_error *err)
{
    return s->reg->route_find(s, NULL, true, cb, ud, err);
}

int wb_store_route_for(wb_store *s, const char *sector, wb_route_cb cb, void *ud, wb_error *err)
{
    return s->reg->route_find(s, sector ? sector : "*", false, cb, ud, err);
}

static int route_ids_cb(void *ud, const wb_route_rec *r)
{
    int64_t *ids = ud;
    ids[0] = r->csirt_id;
    ids[1] = r->supervisor_id;
    return 1;
}

int wb_store_route_ids(wb_store *s, const char *sector, int64_t *csirt, int64_t *supervisor,
                       wb_error *err)
{
    int64_t ids[2] = {0, 0};
    int rc = wb_store_route_for(s, sector, route_ids_cb, ids, err);
    if (rc == WB_ENOTFOUND) rc = 0;
    if (csirt) *csirt = rc == 0 ? ids[0] : 0;
    if (supervisor) *supervisor = rc == 0 ? ids[1] : 0;
    return rc;
}

/* ---- webhooks and shared incident events ------------------------------------------- */

static const char *const delivery_names[] = {"pending", "delivered", "failed", "cancelled"};

const char *wb_delivery_status_name(wb_delivery_status st)
{
    return (unsigned)st < 4 ? delivery_names[st] : "?";
}

static bool hex_only(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

int wb_store_hook_add(wb_store *s, int64_t org_id, const char *url, const char *secret, int64_t *id,
                      wb_error *err)
{
    size_t n = url ? strlen(url) : 0;
    /* Only http(s): libcurl speaks many schemes (file://, gopher://) that a
     * hook must never reach. */
    if (n == 0 || n > WB_HOOK_URL_MAX ||
        !(strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0))
        return wb_error_set(err, WB_EINVAL,
                            "a hook's URL must start with http:// or https:// "
                            "and be at most %d bytes",
                            WB_HOOK_URL_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f)
            return wb_error_set(err, WB_EINVAL,
                                "a hook's URL may not contain spaces or "
                                "control characters");
    if (secret == NULL || strlen(secret) != WB_HOOK_SECRET_LEN ||
        !hex_only(secret, WB_HOOK_SECRET_LEN))
        return wb_error_set(err, WB_EINVAL, "a hook's secret must be %d lower-case hex digits",
                            WB_HOOK_SECRET_LEN);
    return s->hooks->hook_add(s, org_id, url, secret, NULL, id, err);
}

/* The shape of an address as SMTP's RCPT TO takes it, not whether it is
 * delivered: nothing libcurl or a mail header could read as a second
 * address, a new line or a command. */
static bool mail_address_ok(const char *a)
{
    size_t n = strlen(a);
    const char *at = strchr(a, '@');
    if (n == 0 || n > 254 || at == NULL || at == a || strchr(at + 1, '@') ||
        strchr(at + 1, '.') == NULL || at[1] == '.' || a[n - 1] == '.')
        return false;
    for (const char *p = a; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || strchr("\"<>()[],;:\\", *p)) return false;
    return true;
}

int wb_store_hook_add_mail(wb_store *s, int64_t org_id, const char *address, const char *lang,
                           const char *secret, int64_t *id, wb_error *err)
{
    if (address == NULL || !mail_address_ok(address))
        return wb_error_set(err, WB_EINVAL, "'%.80s' is not an e-mail address (local@domain)",
                            address ? address : "");
    if (lang == NULL || (strcmp(lang, "nl") != 0 && strcmp(lang, "en") != 0))
        return wb_error_set(err, WB_EINVAL, "a recipient's language is nl or en, not '%.20s'",
                            lang ? lang : "");
    if (secret == NULL || strlen(secret) != WB_HOOK_SECRET_LEN ||
        !hex_only(secret, WB_HOOK_SECRET_LEN))
        return wb_error_set(err, WB_EINVAL, "a hook's secret must be %d lower-case hex digits",
                            WB_HOOK_SECRET_LEN);
    char url[sizeof WB_HOOK_MAILTO + 256];
    snprintf(url, sizeof url, "%s%s", WB_HOOK_MAILTO, address);
    return s->hooks->hook_add(s, org_id, url, secret, lang, id, err);
}

int wb_store_hook_remove(wb_store *s, int64_t id, wb_time now, wb_error *err)
{
    return s->hooks->hook_remove(s, id, now, err);
}

int wb_store_hook_list(wb_store *s, int64_t org_id, bool include_removed, wb_hook_cb cb, void *ud,
                       wb_error *err)
{
    return s->hooks->hook_list(s, org_id, include_removed, cb, ud, err);
}

int wb_store_delivery_add(wb_store *s, const wb_delivery_rec *d, bool *added, wb_error *err)
{
    size_t k = d->event_key ? strlen(d->event_key) : 0;
    if (d->uuid == NULL || !wb_uuid_valid(d->uuid, strlen(d->uuid)) || k == 0 ||
        k > WB_HOOK_EVENT_KEY_MAX || d->body == NULL || d->next_attempt == WB_TIME_NONE)
        return wb_error_set(err, WB_EINVAL,
                            "a delivery needs a uuid, an event key of 1-%d "
                            "bytes, a body and a time",
                            WB_HOOK_EVENT_KEY_MAX);
    return s->hooks->delivery_add(s, d, added, err);
}

int wb_store_delivery_due(wb_store *s, wb_time now, int64_t limit, wb_delivery_cb cb, void *ud,
                          wb_error *err)
{
    return s->hooks->delivery_walk(s, -1, now, limit, cb, ud, err);
}

int wb_store_delivery_list(wb_store *s, int64_t hook_id, wb_delivery_cb cb, void *ud, wb_error *err)
{
    return s->hooks->delivery_walk(s, hook_id < 0 ? 0 : hook_id, WB_TIME_NONE, INT64_MAX, cb, ud,
                                   err);
}

int wb_store_delivery_update(wb_store *s, const wb_delivery_rec *d, wb_error *err)
{
    return s->hooks->delivery_update(s, d, err);
}

int wb_store_incident_event_add(wb_store *s, const wb_incident_event_rec *e, wb_error *err)
{
    if (e->event_uuid == NULL || !wb_uuid_valid(e->event_uuid, strlen(e->event_uuid)) ||
        e->author == NULL || e->at == WB_TIME_NONE)
        return wb_error_set(err, WB_EINVAL, "a shared event needs a uuid, an author and a time");
    return s->hooks->ievent_add(s, e, err);
}

int wb_store_incident_event_list(wb_store *s, int64_t incident_id, wb_incident_event_cb cb,
                                 void *ud, wb_error *err)
{
    return s->hooks->ievent_list(s, incident_id, cb, ud, err);
}

int wb_store_incident_share_add(wb_store *s, const wb_incident_share_rec *r, int64_t *id,
                                wb_error *err)
{
    if (r->share_key == NULL || r->share_key[0] == '\0' || r->digest == NULL || r->status == NULL ||
        r->body == NULL || r->author == NULL)
        return wb_error_set(err, WB_EINVAL, "a share needs a key, a status, a body and an author");
    return s->reg->ishare_add(s, r, id, err);
}

int wb_store_incident_share_find(wb_store *s, int64_t id, int64_t incident_id, const char *key,
                                 wb_incident_share_cb cb, void *ud, wb_error *err)
{
    if (id <= 0 && key == NULL) return wb_error_set(err, WB_EINVAL, "a share by id or by key");
    return s->reg->ishare_find(s, id, incident_id, key, cb, ud, err);
}

int wb_store_incident_share_list(wb_store *s, int64_t org_id, const char *status,
                                 wb_incident_share_cb cb, void *ud, wb_error *err)
{
    return s->reg->ishare_list(s, org_id, status, cb, ud, err);
}

int wb_store_incident_share_decide(wb_store *s, int64_t id, const char *status,
                                   const char *event_uuid, const char *by, wb_time at,
                                   wb_error *err)
{
    return s->reg->ishare_decide(s, id, status, event_uuid, by, at, err);
}

/* ---- assessments ------------------------------------------------------------------- */

static const char *const audience_names[] = {"csirt", "supervisor"};

const char *wb_share_audience_name(wb_share_audience a)
{
    return (unsigned)a < 2 ? audience_names[a] : "csirt";
}

int wb_share_audience_parse(const char *s, wb_share_audience *out)
{
    for (size_t i = 0; i < 2; i++)
        if (strcmp(s, audience_names[i]) == 0) {
            *out = (wb_share_audience)i;
            return 0;
        }
    return WB_EINVAL;
}

int wb_store_assessment_add(wb_store *s, const wb_assessment_rec *r, int64_t *id, wb_error *err)
{
    size_t n = r->catalogue ? strlen(r->catalogue) : 0;
    if (n == 0 || n > WB_ASSESS_CATALOGUE_MAX)
        return wb_error_set(err, WB_EINVAL, "an assessment's catalogue name must be 1-%d bytes",
                            WB_ASSESS_CATALOGUE_MAX);
    if (r->scope && strlen(r->scope) > WB_ASSESS_SCOPE_MAX)
        return wb_error_set(err, WB_EINVAL, "an assessment's scope is at most %d bytes",
                            WB_ASSESS_SCOPE_MAX);
    if (r->target < 1 || r->target > 5)
        return wb_error_set(err, WB_EINVAL, "an assessment's target level must be 1-5, not %d",
                            r->target);
    if (r->author == NULL || r->author[0] == '\0')
        return wb_error_set(err, WB_EINVAL, "an assessment needs an author");
    return s->assess->assessment_add(s, r, id, err);
}

int wb_store_assessment_get(wb_store *s, int64_t id, wb_assessment_cb cb, void *ud, wb_error *err)
{
    if (id <= 0) return wb_error_set(err, WB_ENOTFOUND, "no assessment %lld", (long long)id);
    return s->assess->assessment_find(s, id, 0, cb, ud, err);
}

int wb_store_assessment_list(wb_store *s, int64_t org_id, wb_assessment_cb cb, void *ud,
                             wb_error *err)
{
    return s->assess->assessment_find(s, 0, org_id, cb, ud, err);
}

int wb_store_assessment_version_add(wb_store *s, const wb_assessment_version_rec *v, int *version,
                                    wb_error *err)
{
    if (v->json == NULL || v->author == NULL || v->action == NULL)
        return wb_error_set(err, WB_EINVAL, "a version needs its answers, author and action");
    if (strlen(v->action) > WB_ASSESS_ACTION_MAX)
        return wb_error_set(err, WB_EINVAL, "a version's action is at most %d bytes",
                            WB_ASSESS_ACTION_MAX);
    return s->assess->aversion_add(s, v, version, err);
}

int wb_store_assessment_version_get(wb_store *s, int64_t assessment_id, int version,
                                    wb_assessment_version_cb cb, void *ud, wb_error *err)
{
    if (version < 0) return wb_error_set(err, WB_ENOTFOUND, "no version %d", version);
    return s->assess->aversion_find(s, assessment_id, version, false, cb, ud, err);
}

int wb_store_assessment_version_list(wb_store *s, int64_t assessment_id,
                                     wb_assessment_version_cb cb, void *ud, wb_error *err)
{
    return s->assess->aversion_find(s, assessment_id, 0, true, cb, ud, err);
}

int wb_store_assessment_share(wb_store *s, const wb_assessment_share_rec *r, wb_error *err)
{
    if ((unsigned)r->audience > WB_SHARE_SUPERVISOR || r->author == NULL)
        return wb_error_set(err, WB_EINVAL, "a share needs an audience and an author");
    return s->assess->ashare_add(s, r, err);
}

int wb_store_assessment_share_list(wb_store *s, int64_t assessment_id, wb_assessment_share_cb cb,
                                   void *ud, wb_error *err)
{
    return s->assess->ashare_list(s, assessment_id, cb, ud, err);
}

/* ---- dependency pictures ------------------------------------------------------------ */

int wb_store_deps_picture_add(wb_store *s, const wb_deps_picture_rec *r, int *version,
                              wb_error *err)
{
    if (r->json == NULL || r->author == NULL || r->author[0] == '\0')
        return wb_error_set(err, WB_EINVAL, "a dependency picture needs its JSON and an author");
    if (strlen(r->json) > WB_DEPS_PICTURE_MAX)
        return wb_error_set(err, WB_ELIMIT, "a dependency picture is at most %d bytes",
                            WB_DEPS_PICTURE_MAX);
    return s->deps->dpic_add(s, r, version, err);
}

int wb_store_deps_picture_list(wb_store *s, int64_t org_id, wb_deps_picture_cb cb, void *ud,
                               wb_error *err)
{
    return s->deps->dpic_list(s, org_id, cb, ud, err);
}

int wb_store_deps_share(wb_store *s, const wb_deps_share_rec *r, wb_error *err)
{
    if ((unsigned)r->audience > WB_SHARE_SUPERVISOR || r->author == NULL)
        return wb_error_set(err, WB_EINVAL, "a share needs an audience and an author");
    return s->deps->dshare_add(s, r, err);
}

int wb_store_cache_size(wb_store *s, size_t bytes, wb_error *err)
{
    return s->ops->cache_size(s, bytes, err);
}
