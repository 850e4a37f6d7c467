/*
 * proposal.c - MISP's proposals (shadow attributes): a member of one
 * organisation proposes a new attribute for, a change to, or the deletion
 * of an attribute of another organisation's event it may read; the
 * event's organisation (or a site admin) accepts or discards it; the
 * proposing organisation may withdraw (discard) its own.
 *
 * A proposal is checked when it is made (the event visible, not the
 * caller's own, a new attribute valid as the event path would find it)
 * and stored aside (migration 14, store_misp.h). Accepting applies it
 * through the event path (wbi_misp_store_doc: validation, TLP and
 * distribution rules, warninglists, the event.edit audit entry and the
 * change feed) and closes it in the same transaction, so a proposal is
 * applied once or not at all. Proposals are shown to the event's
 * organisation, the proposing one and site admins, on events they may
 * still read: to anyone else one does not exist (404).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/share_internal.h"
#include "weerbaar/mispsvc.h"
#include "weerbaar/store_misp.h"

/* The uuid of an event named by MISP's numeric id or its uuid; 404. */
static int event_uuid_ref(wb_share *s, const char *ref, char uuid[WB_UUID_LEN + 1])
{
    int64_t num;
    if (ref && strlen(ref) == WB_UUID_LEN && wb_uuid_valid(ref, WB_UUID_LEN)) {
        memcpy(uuid, ref, WB_UUID_LEN + 1);
        return 0;
    }
    wb_error e2 = {0};
    if (ref && wb_parse_i64(ref, strlen(ref), 1, INT64_MAX, &num) == 0 &&
        wb_store_event_uuid_of(s->st, num, uuid, &e2) == 0)
        return 0;
    return wbi_share_not_found(s);
}

/* Checks a proposed new attribute as the event path would, on its own
 * (an event of the proposing organisation holding only it): the type,
 * the value, its tags. Accepting checks it again, inside the event. */
static int check_attr(wb_share *s, json_t *a)
{
    json_t *doc = json_pack("{s:{s:s,s:i,s:[O]}}", "Event", "info", "proposal", "distribution", 0,
                            "Attribute", a);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (text == NULL) return wbi_share_internal(s, wb_error_set(&s->err, WB_ENOMEM, "no memory"));
    wbi_event_in in;
    wbi_problem prob;
    wbi_limits lim = wbi_share_limits(s);
    int rc = wbi_event_parse(text, strlen(text), &lim, s->now, &in, &prob);
    wbi_event_free(&in);
    free(text);
    if (rc == 0) return 0;
    if (prob.status >= 500) return wbi_share_internal(s, WB_ENOMEM);
    return wbi_share_fail(s, 422, "invalid_proposal", "proposal: %s", prob.msg);
}

/* {"ShadowAttribute": {...}} of a stored proposal. */
static json_t *render(wb_share *s, const wb_proposal_rec *p, const wb_event_rec *ev)
{
    json_t *a = json_loads(p->json ? p->json : "", 0, NULL);
    if (!json_is_object(a)) {
        json_decref(a);
        a = json_object();
    }
    json_object_set_new(a, "id", json_string(wbi_share_num(s, p->id)));
    /* MISP gives a proposal its attribute's uuid (of the attribute to be,
     * for a new one); the proposal's own is proposal_uuid */
    if (!json_is_string(json_object_get(a, "uuid")))
        json_object_set_new(a, "uuid", json_string(p->uuid));
    json_object_set_new(a, "proposal_uuid", json_string(p->uuid));
    json_object_set_new(a, "event_id", json_string(wbi_share_num(s, p->event_id)));
    json_object_set_new(a, "event_uuid", json_string(ev->uuid));
    json_object_set_new(a, "old_id", json_string(wbi_share_num(s, p->attribute_id)));
    json_object_set_new(a, "org_id", json_string(wbi_share_num(s, p->org_id)));
    json_object_set_new(a, "email", json_string(p->email ? p->email : ""));
    json_object_set_new(a, "proposal_to_delete", json_boolean(p->action == WB_PROPOSE_DELETE));
    json_object_set_new(a, "deleted", json_false());
    json_object_set_new(a, "timestamp", json_string(wbi_share_num(s, p->created)));
    json_object_set_new(a, "Org",
                        json_pack("{s:s,s:s}", "id", wbi_share_num(s, p->org_id), "name",
                                  p->org_name ? p->org_name : ""));
    json_object_del(a, "Tag");
    json_object_del(a, "AttributeTag");
    return json_pack("{s:o}", "ShadowAttribute", a);
}

typedef struct one_prop {
    wb_share *s;
    wb_proposal_rec p;
} one_prop;

static int one_prop_cb(void *ud, const wb_proposal_rec *p)
{
    one_prop *o = ud;
    o->p = *p;
    o->p.uuid = wbi_share_dup(o->s, p->uuid);
    o->p.org_name = wbi_share_dup(o->s, p->org_name);
    o->p.email = wbi_share_dup(o->s, p->email);
    o->p.json = wbi_share_dup(o->s, p->json);
    return 1;
}

/* Stores a proposal with its audit entry; *out its rendering. */
static int save(wb_share *s, wb_proposal_rec *p, const wb_event_rec *ev, wb_buf *out)
{
    int64_t id = 0;
    int rc = wb_store_begin(s->st, &s->err);
    if (rc == 0) rc = wb_store_proposal_add(s->st, p, &id, &s->err);
    if (rc == 0) {
        static const char *const what[] = {"a new attribute", "a change", "a deletion"};
        char d[96];
        snprintf(d, sizeof d, "proposal %lld: %s", (long long)id, what[p->action]);
        rc = wbi_share_audit_now(s, "proposal.add", ev->uuid, d);
    }
    if (rc == 0) rc = wb_store_commit(s->st, &s->err);
    if (rc) {
        wb_store_rollback(s->st);
        return s->status ? rc : wbi_share_internal(s, rc);
    }
    one_prop o = {.s = s};
    rc = wb_store_proposal_get(s->st, id, one_prop_cb, &o, &s->err);
    if (rc) return wbi_share_internal(s, rc);
    return wbi_share_dump(s, render(s, &o.p, ev), out);
}

static int not_own(wb_share *s, const wb_event_rec *ev)
{
    if (ev->org_id == s->who->org_id)
        return wbi_share_fail(s, 403, "forbidden",
                              "your organisation's event: change it directly (attributes/add, "
                              "attributes/edit); proposals are for another organisation's event");
    return 0;
}

int wb_share_proposal_add(wb_share *s, const char *event, const char *body, size_t len, wb_buf *out)
{
    char uuid[WB_UUID_LEN + 1];
    int rc = event_uuid_ref(s, event, uuid);
    if (rc) return rc;
    wb_event_rec ev;
    rc = wb_share_event_fetch(s, uuid, WB_READ_EVENT_GET, &ev);
    s->naudits = s->audits_dropped = 0; /* a write is audited as such */
    if (rc) return rc;
    rc = not_own(s, &ev);
    if (rc) return rc;
    json_t *a = wbi_misp_posted(s, body, len, "ShadowAttribute", &rc);
    if (a == NULL) return rc;
    json_t *inner = json_object_get(a, "Attribute");
    if (json_is_object(inner)) {
        json_t *x = json_incref(inner);
        json_decref(a);
        a = x;
    }
    /* ids and state are this hub's to give */
    static const char *const drop[] = {"id",         "event_id", "object_id", "old_id",
                                       "org_id",     "email",    "deleted",   "proposal_to_delete",
                                       "event_uuid", "Org",      "timestamp"};
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        json_object_del(a, drop[i]);
    const char *u = json_string_value(json_object_get(a, "uuid"));
    if (u == NULL || strlen(u) != WB_UUID_LEN || !wb_uuid_valid(u, WB_UUID_LEN)) {
        char nu[WB_UUID_LEN + 1];
        wb_uuid_v4(nu);
        json_object_set_new(a, "uuid", json_string(nu));
    }
    rc = check_attr(s, a);
    char *text = rc ? NULL : json_dumps(a, JSON_COMPACT);
    json_decref(a);
    if (rc) return rc;
    if (text == NULL) return wbi_share_internal(s, wb_error_set(&s->err, WB_ENOMEM, "no memory"));
    wb_proposal_rec p = {.event_id = ev.id,
                         .org_id = s->who->org_id,
                         .user_id = s->who->user_id,
                         .action = WB_PROPOSE_ADD,
                         .json = wbi_share_dup(s, text),
                         .created = s->now};
    free(text);
    return save(s, &p, &ev, out);
}

int wb_share_proposal_edit(wb_share *s, const char *attr, const char *body, size_t len, bool remove,
                           wb_buf *out)
{
    wbi_attr_find f;
    int rc = wbi_misp_find_attr(s, attr, &f);
    if (rc) return rc;
    rc = not_own(s, &f.ev);
    if (rc) return rc;
    json_t *cur = json_loads(f.a.json, 0, NULL);
    if (!json_is_object(cur)) {
        json_decref(cur);
        return wbi_share_internal(s, wb_error_set(&s->err, WB_EINTERNAL, "unreadable attribute"));
    }
    if (!remove) {
        json_t *a = wbi_misp_posted(s, body, len, "ShadowAttribute", &rc);
        if (a == NULL) {
            json_decref(cur);
            return rc;
        }
        json_t *inner = json_object_get(a, "Attribute");
        const char *k;
        json_t *v;
        json_object_foreach(json_is_object(inner) ? inner : a, k, v)
        {
            /* the attribute's identity and place stay, as for attributes/edit */
            if (strcmp(k, "uuid") == 0 || strcmp(k, "id") == 0 || strcmp(k, "event_id") == 0 ||
                strcmp(k, "object_id") == 0 || strcmp(k, "timestamp") == 0 ||
                strcmp(k, "old_id") == 0 || strcmp(k, "org_id") == 0 || strcmp(k, "email") == 0 ||
                strcmp(k, "Org") == 0 || strcmp(k, "proposal_to_delete") == 0 ||
                strcmp(k, "deleted") == 0)
                continue;
            json_object_set(cur, k, v);
        }
        json_decref(a);
        rc = check_attr(s, cur);
        if (rc) {
            json_decref(cur);
            return rc;
        }
    }
    char *text = json_dumps(cur, JSON_COMPACT);
    json_decref(cur);
    if (text == NULL) return wbi_share_internal(s, wb_error_set(&s->err, WB_ENOMEM, "no memory"));
    wb_proposal_rec p = {.event_id = f.ev.id,
                         .attribute_id = f.a.id,
                         .org_id = s->who->org_id,
                         .user_id = s->who->user_id,
                         .action = remove ? WB_PROPOSE_DELETE : WB_PROPOSE_EDIT,
                         .json = wbi_share_dup(s, text),
                         .created = s->now};
    free(text);
    return save(s, &p, &f.ev, out);
}

/* The open proposal `id` with its event, as the caller may see it: the
 * event readable, and the caller the event's organisation, the proposing
 * one or a site admin; 404 otherwise. */
static int find_prop(wb_share *s, const char *id, one_prop *o, wb_event_rec *ev)
{
    int64_t num;
    memset(o, 0, sizeof *o);
    o->s = s;
    if (id == NULL || wb_parse_i64(id, strlen(id), 1, INT64_MAX, &num) != 0)
        return wbi_share_not_found(s);
    int rc = wb_store_proposal_get(s->st, num, one_prop_cb, o, &s->err);
    if (rc == WB_ENOTFOUND || (rc == 0 && o->p.state != WB_PROPOSAL_OPEN))
        return wbi_share_not_found(s);
    if (rc) return wbi_share_internal(s, rc);
    char uuid[WB_UUID_LEN + 1];
    wb_error e2 = {0};
    if (wb_store_event_uuid_of(s->st, o->p.event_id, uuid, &e2) != 0) return wbi_share_not_found(s);
    rc = wb_share_event_fetch(s, uuid, WB_READ_EVENT_GET, ev);
    if (rc) return rc;
    if (ev->org_id != s->who->org_id && o->p.org_id != s->who->org_id &&
        s->who->role != WB_ROLE_SITE_ADMIN)
        return wbi_share_not_found(s);
    return 0;
}

int wb_share_proposal_accept(wb_share *s, const char *id, wb_buf *out)
{
    one_prop o;
    wb_event_rec ev;
    int rc = find_prop(s, id, &o, &ev);
    s->naudits = s->audits_dropped = 0; /* a write is audited as such */
    if (rc) return rc;
    if (ev.org_id != s->who->org_id && s->who->role != WB_ROLE_SITE_ADMIN)
        return wbi_share_fail(s, 403, "forbidden",
                              "only the event's organisation accepts a proposal on it");
    json_t *doc;
    rc = wbi_misp_event_doc(s, ev.uuid, true, &ev, &doc);
    if (rc) return rc;
    json_t *a = json_loads(o.p.json, 0, NULL);
    if (!json_is_object(a)) {
        json_decref(a);
        json_decref(doc);
        return wbi_share_internal(s, wb_error_set(&s->err, WB_EINTERNAL, "unreadable proposal"));
    }
    if (o.p.action == WB_PROPOSE_ADD) {
        json_array_append_new(json_object_get(json_object_get(doc, "Event"), "Attribute"), a);
    } else {
        char auuid[WB_UUID_LEN + 1];
        wb_error e2 = {0};
        json_t *arr = NULL, *x = NULL;
        size_t at = 0;
        if (wb_store_attr_uuid_of(s->st, o.p.attribute_id, auuid, &e2) == 0)
            x = wbi_misp_doc_attr(doc, auuid, &arr, &at);
        if (x == NULL) {
            json_decref(a);
            json_decref(doc);
            return wbi_share_fail(s, 409, "conflict",
                                  "the attribute this proposal changes is no longer in the event; "
                                  "discard it");
        }
        if (o.p.action == WB_PROPOSE_DELETE) {
            json_array_remove(arr, at);
        } else {
            const char *k;
            json_t *v;
            json_object_foreach(a, k, v)
            {
                if (strcmp(k, "uuid") != 0) json_object_set(x, k, v);
            }
        }
        json_decref(a);
    }
    /* Closing first makes a second accept of the same proposal find it
     * closed; the event write and the close commit together. */
    rc = wb_store_begin(s->st, &s->err);
    if (rc == 0) rc = wb_store_proposal_close(s->st, o.p.id, WB_PROPOSAL_ACCEPTED, s->now, &s->err);
    if (rc) {
        json_decref(doc);
        wb_store_rollback(s->st);
        return rc == WB_ENOTFOUND ? wbi_share_not_found(s) : wbi_share_internal(s, rc);
    }
    rc = wbi_misp_store_doc(s, &ev, doc);
    if (rc == 0) {
        char d[64];
        snprintf(d, sizeof d, "proposal %lld accepted", (long long)o.p.id);
        rc = wbi_share_audit_now(s, "proposal.accept", ev.uuid, d);
    }
    if (rc == 0) rc = wb_store_commit(s->st, &s->err);
    if (rc) {
        wb_store_rollback(s->st);
        return s->status ? rc : wbi_share_internal(s, rc);
    }
    return wbi_share_dump(s,
                          json_pack("{s:b,s:s,s:s}", "saved", 1, "success", "Proposal accepted",
                                    "message", "Proposal accepted"),
                          out);
}

int wb_share_proposal_discard(wb_share *s, const char *id, wb_buf *out)
{
    one_prop o;
    wb_event_rec ev;
    int rc = find_prop(s, id, &o, &ev);
    s->naudits = s->audits_dropped = 0; /* a write is audited as such */
    if (rc) return rc;
    rc = wb_store_begin(s->st, &s->err);
    if (rc == 0)
        rc = wb_store_proposal_close(s->st, o.p.id, WB_PROPOSAL_DISCARDED, s->now, &s->err);
    if (rc == 0) {
        char d[64];
        snprintf(d, sizeof d, "proposal %lld discarded", (long long)o.p.id);
        rc = wbi_share_audit_now(s, "proposal.discard", ev.uuid, d);
    }
    if (rc == 0) rc = wb_store_commit(s->st, &s->err);
    if (rc) {
        wb_store_rollback(s->st);
        if (rc == WB_ENOTFOUND) return wbi_share_not_found(s);
        return s->status ? rc : wbi_share_internal(s, rc);
    }
    return wbi_share_dump(s,
                          json_pack("{s:b,s:s,s:s}", "saved", 1, "success", "Proposal discarded",
                                    "message", "Proposal discarded"),
                          out);
}

typedef struct list_walk {
    wb_share *s;
    wb_proposal_rec *rows;
    size_t n, cap;
    int rc;
} list_walk;

static int list_cb(void *ud, const wb_proposal_rec *p)
{
    list_walk *w = ud;
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 32;
        wb_proposal_rec *x = realloc(w->rows, nc * sizeof *x);
        if (x == NULL) {
            w->rc = wb_error_set(&w->s->err, WB_ENOMEM, "out of memory");
            return 1;
        }
        w->rows = x;
        w->cap = nc;
    }
    one_prop o = {.s = w->s};
    one_prop_cb(&o, p);
    w->rows[w->n++] = o.p;
    return 0;
}

/* Most proposals one index answers with. */
#define MAX_LISTED 10000

int wb_share_proposal_list(wb_share *s, const char *event, wb_buf *out)
{
    int64_t event_id = 0;
    if (event) {
        char uuid[WB_UUID_LEN + 1];
        int rc = event_uuid_ref(s, event, uuid);
        wb_event_rec ev;
        if (rc == 0) rc = wb_share_event_fetch(s, uuid, WB_READ_EVENT_GET, &ev);
        if (rc) return rc;
        event_id = ev.id;
    }
    list_walk w = {.s = s};
    int rc = wb_store_proposal_list(s->st, event_id, list_cb, &w, &s->err);
    if (rc == 0) rc = w.rc;
    if (rc) {
        free(w.rows);
        return wbi_share_internal(s, rc);
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < w.n && json_array_size(arr) < MAX_LISTED; i++) {
        wb_proposal_rec *p = &w.rows[i];
        char uuid[WB_UUID_LEN + 1];
        wb_error e2 = {0};
        wb_event_rec ev;
        if (wb_store_event_uuid_of(s->st, p->event_id, uuid, &e2) != 0) continue;
        if (wb_share_event_fetch(s, uuid, WB_READ_EVENT_GET, &ev) != 0) {
            if (s->status >= 500) break;
            s->status = 0;
            s->code = NULL;
            continue;
        }
        if (ev.org_id != s->who->org_id && p->org_id != s->who->org_id &&
            s->who->role != WB_ROLE_SITE_ADMIN)
            continue;
        json_array_append_new(arr, render(s, p, &ev));
    }
    free(w.rows);
    rc = s->status >= 500 ? wbi_share_internal(s, s->err.code) : wb_share_flush(s);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    return wbi_share_dump(s, arr, out);
}

int wb_share_proposal_view(wb_share *s, const char *id, wb_buf *out)
{
    one_prop o;
    wb_event_rec ev;
    int rc = find_prop(s, id, &o, &ev);
    if (rc == 0) rc = wb_share_flush(s);
    if (rc) return rc;
    return wbi_share_dump(s, render(s, &o.p, &ev), out);
}
