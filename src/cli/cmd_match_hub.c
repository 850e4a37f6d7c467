/*
 * cmd_match_hub.c - the hub mirror of `weerbaar match --hub --follow`
 * (cmd_match_hub.h): indicators grouped per event, a pull of the hub's change
 * feed, and a build of a new indicator set from the groups.
 *
 * Groups are found by event uuid in an open-addressing table. A group whose
 * event was dropped stays in the table, empty, so that the table never
 * needs deletion; it costs one slot per event ever seen, which the hub's
 * own event count bounds.
 *
 * The loaders hand indicators to a sink that copies them into the group of
 * their event (the MISP loader names the event on every indicator), so a
 * page of changes is parsed by the same MISP loader that `match -i` uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cmd_match_hub.h"

/* Events per page of the change feed (the hub's maximum). */
#define PULL_PAGE 1000

typedef struct group {
    char *uuid; /* NULL for the -i files' group */
    wb_ioc_in *iocs;
    size_t n, cap;
    wb_arena arena; /* the strings of iocs */
} group;

struct wb_cli_mirror {
    wb_hub_client hc;
    wb_intel_opts iopts;
    group files;
    group **slots; /* by uuid hash, linear probing */
    size_t nslots, nused;
    int64_t after;
    size_t total;
    /* --follow --nats: the subjects whose parts are kept per event as
     * groups "<uuid>|<subject>" beside the change feed's "<uuid>" */
    const char *const *subjects;
    size_t nsubjects;
};

typedef struct rec_sink {
    wb_ioc_sink base; /* first: the loaders see this */
    wb_cli_mirror *m;
    group *fixed; /* every indicator into this group, or NULL to go by event */
    int rc;
} rec_sink;

static void group_clear(wb_cli_mirror *m, group *g)
{
    m->total -= g->n;
    wb_arena_free(&g->arena);
    wb_arena_init(&g->arena, 4096);
    free(g->iocs);
    g->iocs = NULL;
    g->n = g->cap = 0;
}

static size_t slot_of(const wb_cli_mirror *m, const char *uuid)
{
    return (size_t)wb_hash64(uuid, strlen(uuid), 0x6875627379ULL) & (m->nslots - 1);
}

static int grow(wb_cli_mirror *m)
{
    size_t ns = m->nslots ? m->nslots * 2 : 1024;
    group **nt = calloc(ns, sizeof *nt);
    if (nt == NULL) return WB_ENOMEM;
    group **old = m->slots;
    size_t on = m->nslots;
    m->slots = nt;
    m->nslots = ns;
    for (size_t i = 0; i < on; i++) {
        if (old[i] == NULL) continue;
        size_t k = slot_of(m, old[i]->uuid);
        while (m->slots[k])
            k = (k + 1) & (ns - 1);
        m->slots[k] = old[i];
    }
    free(old);
    return 0;
}

/* The group of an event, made when missing (create) or NULL. */
static group *group_find(wb_cli_mirror *m, const char *uuid, bool create)
{
    if (m->nslots) {
        for (size_t k = slot_of(m, uuid);; k = (k + 1) & (m->nslots - 1)) {
            if (m->slots[k] == NULL) break;
            if (strcmp(m->slots[k]->uuid, uuid) == 0) return m->slots[k];
        }
    }
    if (!create) return NULL;
    /* At most half full, so probes stay short. */
    if ((m->nused + 1) * 2 > m->nslots && grow(m) != 0) return NULL;
    group *g = calloc(1, sizeof *g);
    if (g == NULL || (g->uuid = strdup(uuid)) == NULL) {
        free(g);
        return NULL;
    }
    wb_arena_init(&g->arena, 4096);
    size_t k = slot_of(m, uuid);
    while (m->slots[k])
        k = (k + 1) & (m->nslots - 1);
    m->slots[k] = g;
    m->nused++;
    return g;
}

static const char *keep(group *g, const char *s, size_t n)
{
    return s ? wb_arena_strndup(&g->arena, s, n) : NULL;
}

static int rec_add(wb_ioc_sink *self, const wb_ioc_in *in)
{
    rec_sink *rs = (rec_sink *)self;
    group *g = rs->fixed;
    if (g == NULL && in->event) g = group_find(rs->m, in->event, true);
    if (g == NULL) g = &rs->m->files; /* an indicator outside any event */
    if (g->n == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 8;
        wb_ioc_in *ni = realloc(g->iocs, nc * sizeof *ni);
        if (ni == NULL) return rs->rc = WB_ENOMEM;
        g->iocs = ni;
        g->cap = nc;
    }
    wb_ioc_in c = *in;
    c.value = keep(g, in->value, in->len);
    c.event = in->event ? keep(g, in->event, strlen(in->event)) : NULL;
    c.attribute = in->attribute ? keep(g, in->attribute, strlen(in->attribute)) : NULL;
    c.source = in->source ? keep(g, in->source, strlen(in->source)) : NULL;
    c.where = in->where ? keep(g, in->where, strlen(in->where)) : NULL;
    if (c.value == NULL || (in->event && c.event == NULL) || (in->attribute && !c.attribute) ||
        (in->source && !c.source) || (in->where && !c.where))
        return rs->rc = WB_ENOMEM;
    g->iocs[g->n++] = c;
    rs->m->total++;
    return 0;
}

static void rec_skip(wb_ioc_sink *self, const char *where, const char *reason)
{
    /* Passed-over records are counted by the set a full load builds
     * (--stats); the mirror keeps only indicators. */
    (void)self;
    (void)where;
    (void)reason;
}

int wb_cli_mirror_new(wb_cli_mirror **out, const wb_hub_client *hc, const wb_intel_opts *iopts)
{
    wb_cli_mirror *m = calloc(1, sizeof *m);
    if (m == NULL) return WB_ENOMEM;
    m->hc = *hc;
    m->iopts = *iopts;
    wb_arena_init(&m->files.arena, 65536);
    *out = m;
    return 0;
}

int wb_cli_mirror_load_file(wb_cli_mirror *m, const char *path, wb_error *err)
{
    rec_sink rs = {.base = {.add = rec_add, .skip = rec_skip}, .m = m, .fixed = &m->files};
    int rc = wb_intel_load(path, &m->iopts, &rs.base, err);
    if (rc == 0 && rs.rc) rc = wb_error_set(err, rs.rc, "out of memory");
    return rc;
}

/* Empties the NATS parts of an event: the change feed's group replaces them. */
static void drop_parts(wb_cli_mirror *m, const char *uuid)
{
    for (size_t i = 0; i < m->nsubjects; i++) {
        char key[256];
        snprintf(key, sizeof key, "%s|%s", uuid, m->subjects[i]);
        group *g = group_find(m, key, false);
        if (g) group_clear(m, g);
    }
}

void wb_cli_mirror_parts(wb_cli_mirror *m, const char *const *subjects, size_t n)
{
    m->subjects = subjects;
    m->nsubjects = n;
}

int wb_cli_mirror_apply_part(wb_cli_mirror *m, const char *event, const char *subject,
                             const char *body, size_t len, wb_error *err)
{
    char key[256];
    if (snprintf(key, sizeof key, "%s|%s", event, subject) >= (int)sizeof key)
        return wb_error_set(err, WB_EPARSE, "%s: event uuid too long", subject);
    group *feed = group_find(m, event, false);
    if (feed) group_clear(m, feed);
    group *g = group_find(m, key, true);
    if (g == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    group_clear(m, g);
    json_t *j = json_loadb(body, len, 0, NULL);
    json_t *ev = json_object_get(j, "Event");
    const char *uuid = json_string_value(json_object_get(ev, "uuid"));
    bool ok = uuid && strcmp(uuid, event) == 0, gone = json_is_true(json_object_get(ev, "deleted"));
    json_decref(j);
    if (!ok)
        return wb_error_set(err, WB_EPARSE, "%s: a message of event %s whose body is another's",
                            subject, event);
    if (gone) return 0;
    wb_intel_opts o = m->iopts;
    o.format = WB_INTEL_MISP;
    rec_sink rs = {.base = {.add = rec_add, .skip = rec_skip}, .m = m, .fixed = g};
    int rc = wb_intel_load_buffer(subject, body, len, &o, &rs.base, err);
    if (rc == 0 && rs.rc) rc = wb_error_set(err, rs.rc, "out of memory");
    return rc;
}

/* Applies one page: every event in it loses what it had, tombstones stay
 * empty, the others are loaded again. */
static int apply_page(wb_cli_mirror *m, const wb_buf *body, json_t *resp, wb_cli_pull_stats *st,
                      wb_error *err)
{
    size_t i;
    json_t *el;
    json_array_foreach(resp, i, el)
    {
        json_t *ev = json_object_get(el, "Event");
        const char *uuid = json_string_value(json_object_get(ev, "uuid"));
        if (uuid == NULL)
            return wb_error_set(err, WB_EFORMAT, "%s: $.response[%zu].Event.uuid: missing",
                                m->hc.base, i);
        group *g = group_find(m, uuid, true);
        if (g == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
        group_clear(m, g);
        drop_parts(m, uuid);
        if (json_is_true(json_object_get(ev, "deleted")))
            st->tombstones++;
        else
            st->events++;
    }
    wb_intel_opts o = m->iopts;
    o.format = WB_INTEL_MISP;
    rec_sink rs = {.base = {.add = rec_add, .skip = rec_skip}, .m = m};
    int rc = wb_intel_load_buffer(m->hc.base, body->data, body->len, &o, &rs.base, err);
    if (rc == 0 && rs.rc) rc = wb_error_set(err, rs.rc, "out of memory");
    return rc;
}

/* Forgets every event (not the -i files): the next pull starts from 0. */
static void forget_hub(wb_cli_mirror *m, wb_cli_pull_stats *st)
{
    for (size_t k = 0; k < m->nslots; k++) {
        if (m->slots[k] == NULL || m->slots[k]->n == 0) continue;
        group_clear(m, m->slots[k]);
        st->tombstones++;
    }
    m->after = 0;
}

int wb_cli_mirror_pull(wb_cli_mirror *m, wb_cli_pull_stats *st, wb_error *err)
{
    memset(st, 0, sizeof *st);
    wb_buf body = {0};
    int rc = 0;
    bool restarted = false;
    for (;;) {
        char path[96];
        snprintf(path, sizeof path, "/api/v1/events?after=%lld&limit=%d", (long long)m->after,
                 PULL_PAGE);
        long status = 0;
        rc = wb_hub_call(&m->hc, "GET", path, NULL, 0, &body, &status, err);
        if (rc && status == 409 && !restarted && m->after > 0) {
            /* The hub's database was restored or replaced (cursor_ahead):
             * what we hold may be gone there, so start again from 0. */
            forget_hub(m, st);
            restarted = true;
            continue;
        }
        if (rc) break;
        json_error_t je;
        json_t *j = json_loadb(body.data, body.len, 0, &je);
        json_t *resp = json_object_get(j, "response");
        json_t *last = json_object_get(j, "last_seq");
        bool more = json_is_true(json_object_get(j, "more"));
        /* A page that says "more" must move on, or this would loop. */
        if (!json_is_array(resp) || !json_is_integer(last) || json_integer_value(last) < m->after ||
            (more && json_integer_value(last) == m->after)) {
            json_decref(j);
            rc = wb_error_set(err, WB_EFORMAT,
                              "%s%s: not a change feed page (is this a weerbaar hub of this "
                              "version?)",
                              m->hc.base, path);
            break;
        }
        rc = apply_page(m, &body, resp, st, err);
        if (rc == 0) m->after = (int64_t)json_integer_value(last);
        json_decref(j);
        if (rc || !more) break;
    }
    st->last_seq = m->after;
    wb_buf_free(&body);
    return rc;
}

static int add_group(wb_iocset *set, const group *g)
{
    for (size_t i = 0; i < g->n; i++) {
        int rc = wb_iocset_add(set, &g->iocs[i]);
        if (rc == WB_ENOMEM) return rc; /* an invalid value is counted by the set */
    }
    return 0;
}

int wb_cli_mirror_build(const wb_cli_mirror *m, const wb_iocset_opts *sopts, wb_iocset **out,
                        wb_error *err)
{
    *out = NULL;
    wb_iocset *set = NULL;
    if (wb_iocset_new(&set, sopts) != 0) return wb_error_set(err, WB_ENOMEM, "out of memory");
    int rc = add_group(set, &m->files);
    for (size_t k = 0; rc == 0 && k < m->nslots; k++)
        if (m->slots[k]) rc = add_group(set, m->slots[k]);
    if (rc) rc = wb_error_set(err, rc, "out of memory");
    if (rc == 0) rc = wb_iocset_build(set, err);
    if (rc) {
        wb_iocset_free(set);
        return rc;
    }
    *out = set;
    return 0;
}

size_t wb_cli_mirror_count(const wb_cli_mirror *m)
{
    return m->total;
}

void wb_cli_mirror_free(wb_cli_mirror *m)
{
    if (m == NULL) return;
    for (size_t k = 0; k < m->nslots; k++) {
        group *g = m->slots[k];
        if (g == NULL) continue;
        wb_arena_free(&g->arena);
        free(g->iocs);
        free(g->uuid);
        free(g);
    }
    free(m->slots);
    wb_arena_free(&m->files.arena);
    free(m->files.iocs);
    free(m);
}
