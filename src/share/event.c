/*
 * event.c - reading what clients post: MISP events (validated, normalised,
 * with look-up keys for every indicator attribute), MISP sighting objects,
 * and the keys an indicator look-up searches.
 *
 * MISP clients write numbers sometimes as JSON numbers and sometimes as
 * strings ("distribution": "0") and flags as booleans, 0/1 or "0"/"1", so
 * every such field goes through one reader of each. Every refusal names the
 * JSON path of the offending field. Indicator values are normalised by the
 * same code as `weerbaar match` (normalize.h, and the MISP type table and
 * value splitting of src/intel), so that the hub finds what match would.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "share/share_internal.h"
#include "intel/intel.h"
#include "weerbaar/normalize.h"
#include "core/core_internal.h"

void wbi_problem_set(wbi_problem *p, unsigned status, const char *code, const char *fmt, ...)
{
    p->status = status;
    p->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
}

int wbi_json_depth_ok(const char *s, size_t n, unsigned max)
{
    unsigned depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max) return -1;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return 0;
}

json_t *wbi_json_load(const char *body, size_t len, unsigned max_depth, wbi_problem *prob)
{
    if (body == NULL || len == 0) {
        wbi_problem_set(prob, 400, "invalid_json", "the request has no JSON body");
        return NULL;
    }
    if (wbi_json_depth_ok(body, len, max_depth) != 0) {
        wbi_problem_set(prob, 400, "invalid_json", "JSON nested deeper than %u levels", max_depth);
        return NULL;
    }
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL && wbi_core_json_oom(&je))
        wbi_problem_set(prob, 500, "internal", "out of memory");
    else if (root == NULL)
        wbi_problem_set(prob, 400, "invalid_json", "body:%d:%d: %s", je.line, je.column, je.text);
    return root;
}

/* An integer written as a number or a string of digits: 0, 1 when absent
 * (or null), -1 when present but not an integer in [min, max]. */
static int get_int(const json_t *v, int64_t min, int64_t max, int64_t *out)
{
    if (v == NULL || json_is_null(v)) return 1;
    int64_t x;
    if (json_is_integer(v)) {
        x = json_integer_value(v);
    } else if (json_is_string(v)) {
        if (wb_parse_i64(json_string_value(v), json_string_length(v), min, max, &x) != 0) return -1;
    } else {
        return -1;
    }
    if (x < min || x > max) return -1;
    *out = x;
    return 0;
}

/* A flag as MISP writes them: true/false, 0/1, "0"/"1", "true"/"false".
 * 0, 1 when absent, -1 when it is something else. */
static int get_flag(const json_t *v, bool *out)
{
    if (v == NULL || json_is_null(v)) return 1;
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    int64_t x;
    if (get_int(v, 0, 1, &x) == 0) {
        *out = x == 1;
        return 0;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
            *out = s[0] == 't';
            return 0;
        }
    }
    return -1;
}

static bool is_tlp_tag(const char *s, size_t n)
{
    return n > 4 && wb_strn_ieq(s, 4, "tlp:");
}

/* Collects tag names (into tags when non-NULL) and the strictest TLP among
 * them from a Tag array and an EventTag/AttributeTag array. */
static int read_tags(const json_t *obj, const char *tag_key, const char *link_key, const char *path,
                     const char **tags, size_t *ntags, wb_tlp *tlp, wbi_problem *prob)
{
    const char *keys[2] = {tag_key, link_key};
    for (int k = 0; k < 2; k++) {
        const json_t *arr = json_object_get(obj, keys[k]);
        if (arr == NULL) continue;
        if (!json_is_array(arr)) {
            wbi_problem_set(prob, 422, "invalid_event", "%s.%s: not an array", path, keys[k]);
            return -1;
        }
        size_t i;
        const json_t *t;
        json_array_foreach(arr, i, t)
        {
            const json_t *tag = k == 0 ? t : json_object_get(t, "Tag");
            const json_t *name = json_object_get(tag, "name");
            if (!json_is_string(name) || json_string_length(name) == 0 ||
                json_string_length(name) > 255) {
                wbi_problem_set(prob, 422, "invalid_event",
                                "%s.%s[%zu].name: a tag needs a name of 1-255 bytes", path, keys[k],
                                i);
                return -1;
            }
            const char *s = json_string_value(name);
            size_t n = json_string_length(name);
            wb_tlp v;
            if (is_tlp_tag(s, n)) {
                /* Unknown TLP names ("tlp:ex:chr") are ordinary tags. */
                if (wb_tlp_parse(s, n, &v) == 0) *tlp = wb_tlp_stricter(*tlp, v);
            }
            if (tags) {
                if (*ntags >= WBI_MAX_TAGS) {
                    wbi_problem_set(prob, 422, "invalid_event", "%s.%s: more than %d tags", path,
                                    keys[k], WBI_MAX_TAGS);
                    return -1;
                }
                tags[(*ntags)++] = s;
            }
        }
    }
    return 0;
}

/* Distribution (0..max) and, for 4, the sharing group reference. */
static int read_distribution(json_t *obj, const char *path, int max, int dflt, int *dist,
                             wbi_sgref *sg, wbi_problem *prob)
{
    int64_t d = dflt;
    if (get_int(json_object_get(obj, "distribution"), 0, max, &d) < 0) {
        wbi_problem_set(prob, 422, "invalid_event", "%s.distribution: expected 0-%d", path, max);
        return -1;
    }
    *dist = (int)d;
    memset(sg, 0, sizeof *sg);
    if (d != 4) return 0;
    int64_t id = 0;
    int r = get_int(json_object_get(obj, "sharing_group_id"), 1, INT64_MAX, &id);
    if (r < 0 && !json_is_string(json_object_get(obj, "sharing_group_id"))) {
        wbi_problem_set(prob, 422, "invalid_event", "%s.sharing_group_id: not an id", path);
        return -1;
    }
    if (r == 0) sg->id = id;
    const json_t *u = json_object_get(json_object_get(obj, "SharingGroup"), "uuid");
    if (json_is_string(u) && wb_uuid_valid(json_string_value(u), json_string_length(u)))
        memcpy(sg->uuid, json_string_value(u), WB_UUID_LEN + 1);
    if (sg->id == 0 && sg->uuid[0] == '\0') {
        wbi_problem_set(prob, 422, "invalid_event",
                        "%s: distribution 4 needs sharing_group_id or SharingGroup.uuid", path);
        return -1;
    }
    return 0;
}

static const char *dist_label(int d)
{
    static const char *const names[] = {"0 (your organisation only)", "1 (this community)",
                                        "2 (connected communities)",  "3 (all communities)",
                                        "4 (a sharing group)",        "5 (inherit)"};
    return d >= 0 && d <= 5 ? names[d] : "?";
}

static int check_tlp_distribution(wb_tlp tlp, int dist, const char *path, wbi_problem *prob)
{
    if (wb_policy_distribution_allowed(tlp, dist)) return 0;
    const char *name = wb_tlp_name(tlp);
    wbi_problem_set(prob, 422, "invalid_tlp_distribution",
                    "%s.distribution: TLP:%s may be shared only with distribution 0 (your "
                    "organisation) or 4 (a sharing group), not %s",
                    path, name ? name : "?", dist_label(dist));
    return -1;
}

/* ---- indicator keys of an attribute ------------------------------------------------- */

typedef struct key_sink {
    wb_ioc_sink base;
    wb_arena *arena;
    wb_attr_rec *rec;
    wb_buf norm;
    wb_error err;
    const char *bad; /* first reason the value was refused */
} key_sink;

static int key_add(wb_ioc_sink *self, const wb_ioc_in *in)
{
    key_sink *ks = (key_sink *)self;
    wb_ioc_type t = in->type;
    if (ks->bad) return 0;
    int rc = wb_ioc_normalize(&t, in->value, in->len, &ks->norm, &ks->err);
    if (rc == WB_ENOMEM) return rc;
    if (rc) {
        ks->bad = ks->err.msg;
        return 0;
    }
    if (ks->rec->nkeys >= 2) return 0;
    char *k = wb_arena_strdup(ks->arena, wb_ioc_key_text(t, ks->norm.data));
    if (k == NULL) return WB_ENOMEM;
    ks->rec->key_kind[ks->rec->nkeys] = t;
    ks->rec->key[ks->rec->nkeys++] = k;
    return 0;
}

static void key_skip(wb_ioc_sink *self, const char *where, const char *reason)
{
    key_sink *ks = (key_sink *)self;
    if (ks->bad == NULL) ks->bad = reason;
}

/* Fills rec->key[] for indicator types; other types (text, comment, ...)
 * carry no keys. -1 with *prob for a value its type refuses. */
static int attr_keys(wbi_event_in *ev, wbi_attr_in *a, wbi_problem *prob)
{
    const wbi_misp_type *t = wbi_misp_type_find(a->rec.type, strlen(a->rec.type));
    if (t == NULL) return 0;
    key_sink ks = {{key_add, key_skip}, &ev->arena, &a->rec, {0}, {0}, NULL};
    wb_intel_opts opts = {0};
    wb_error err = {0};
    wbi_ctx ctx = {.name = "body", .source = "hub", .opts = &opts, .sink = &ks.base, .err = &err};
    wb_ioc_in base = {.value = a->rec.value, .len = strlen(a->rec.value)};
    int rc = wbi_emit_misp(&ctx, t, &base);
    wb_buf_free(&ks.norm);
    wb_buf_free(&ctx.where);
    wb_buf_free(&ctx.tmp);
    wb_buf_free(&ctx.path);
    if (rc) {
        wbi_problem_set(prob, 500, "internal", "out of memory");
        return -1;
    }
    if (ks.bad) {
        wbi_problem_set(prob, 422, "invalid_event", "%s.value: not a valid %s: %s", a->path,
                        a->rec.type, ks.bad);
        return -1;
    }
    return 0;
}

/* ---- events ------------------------------------------------------------------------ */

static bool type_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > 100) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) return false;
    }
    return true;
}

/* A uuid field: kept (lower-cased) when valid, generated when absent. */
static int take_uuid(json_t *obj, const char *path, char out[WB_UUID_LEN + 1], wbi_problem *prob)
{
    const json_t *u = json_object_get(obj, "uuid");
    if (u == NULL || json_is_null(u)) {
        wb_uuid_v4(out);
    } else if (json_is_string(u) && wb_uuid_valid(json_string_value(u), json_string_length(u))) {
        const char *s = json_string_value(u);
        for (size_t i = 0; i <= WB_UUID_LEN; i++)
            out[i] = wb_lower(s[i]);
    } else {
        wbi_problem_set(prob, 422, "invalid_event", "%s.uuid: not a UUID", path);
        return -1;
    }
    json_object_set_new(obj, "uuid", json_string(out));
    return 0;
}

static int parse_attr(wbi_event_in *ev, json_t *a, const char *object_uuid, int64_t now,
                      wbi_attr_in *out, wbi_problem *prob)
{
    const char *path = out->path;
    if (!json_is_object(a)) {
        wbi_problem_set(prob, 422, "invalid_event", "%s: not an object", path);
        return -1;
    }
    const json_t *type = json_object_get(a, "type"), *value = json_object_get(a, "value");
    if (!json_is_string(type) || !type_name_ok(json_string_value(type), json_string_length(type))) {
        wbi_problem_set(prob, 422, "invalid_event", "%s.type: expected a MISP attribute type",
                        path);
        return -1;
    }
    if (!json_is_string(value) || json_string_length(value) == 0 ||
        json_string_length(value) > WBI_MAX_VALUE ||
        strlen(json_string_value(value)) != json_string_length(value)) {
        wbi_problem_set(prob, 422, "invalid_event", "%s.value: expected a string of 1-%d bytes",
                        path, WBI_MAX_VALUE);
        return -1;
    }
    char *uuid = wb_arena_alloc(&ev->arena, WB_UUID_LEN + 1);
    if (uuid == NULL) {
        wbi_problem_set(prob, 500, "internal", "out of memory");
        return -1;
    }
    if (take_uuid(a, path, uuid, prob) != 0) return -1;
    wb_attr_rec *r = &out->rec;
    r->uuid = uuid;
    r->object_uuid = object_uuid;
    r->type = json_string_value(type);
    r->value = json_string_value(value);
    r->timestamp = now;
    bool flag = false;
    int f = get_flag(json_object_get(a, "to_ids"), &flag);
    if (f < 0) {
        wbi_problem_set(prob, 422, "invalid_event", "%s.to_ids: expected true or false", path);
        return -1;
    }
    r->to_ids = f == 0 && flag;
    flag = false;
    f = get_flag(json_object_get(a, "deleted"), &flag);
    if (f < 0) {
        wbi_problem_set(prob, 422, "invalid_event", "%s.deleted: expected true or false", path);
        return -1;
    }
    r->deleted = f == 0 && flag;
    if (read_distribution(a, path, 5, 5, &r->distribution, &out->sg, prob) != 0) return -1;
    wb_tlp tlp = WB_TLP_UNSET;
    if (read_tags(a, "Tag", "AttributeTag", path, NULL, NULL, &tlp, prob) != 0) return -1;
    r->tlp = tlp;
    int eff = r->distribution == 5 ? ev->distribution : r->distribution;
    if (check_tlp_distribution(wb_tlp_stricter(ev->tlp, tlp), eff, path, prob) != 0) return -1;
    if (attr_keys(ev, out, prob) != 0) return -1;
    /* Local ids of another instance mean nothing here; sightings, proposals
     * and correlations have audiences of their own (see wbi_event_parse). */
    static const char *const aforeign[] = {"id",       "event_id",        "object_id",
                                           "Sighting", "ShadowAttribute", "RelatedAttribute"};
    for (size_t k = 0; k < sizeof aforeign / sizeof aforeign[0]; k++)
        json_object_del(a, aforeign[k]);
    json_object_set_new(a, "to_ids", json_boolean(r->to_ids));
    json_object_set_new(a, "deleted", json_boolean(r->deleted));
    char num[24];
    snprintf(num, sizeof num, "%d", r->distribution);
    json_object_set_new(a, "distribution", json_string(num));
    snprintf(num, sizeof num, "%lld", (long long)now);
    json_object_set_new(a, "timestamp", json_string(num));
    out->json = json_incref(a);
    return 0;
}

/* Takes the Attribute array out of obj, parsing each element. */
static int parse_attr_array(wbi_event_in *ev, json_t *obj, const char *base,
                            const char *object_uuid, const wbi_limits *lim, int64_t now,
                            size_t *cap, wbi_problem *prob)
{
    json_t *arr = json_object_get(obj, "Attribute");
    if (arr == NULL || json_is_null(arr)) return 0;
    if (!json_is_array(arr)) {
        wbi_problem_set(prob, 422, "invalid_event", "%s.Attribute: not an array", base);
        return -1;
    }
    size_t i;
    json_t *a;
    json_array_foreach(arr, i, a)
    {
        if (ev->nattrs >= lim->max_attributes) {
            wbi_problem_set(prob, 413, "too_large", "%s.Attribute: more than %zu attributes", base,
                            lim->max_attributes);
            return -1;
        }
        if (ev->nattrs == *cap) {
            size_t nc = *cap ? *cap * 2 : 16;
            wbi_attr_in *na = realloc(ev->attrs, nc * sizeof *na);
            if (na == NULL) {
                wbi_problem_set(prob, 500, "internal", "out of memory");
                return -1;
            }
            ev->attrs = na;
            *cap = nc;
        }
        wbi_attr_in *out = &ev->attrs[ev->nattrs];
        memset(out, 0, sizeof *out);
        snprintf(out->path, sizeof out->path, "%s.Attribute[%zu]", base, i);
        int rc = parse_attr(ev, a, object_uuid, now, out, prob);
        if (out->json) ev->nattrs++; /* owned from here on, freed with the event */
        if (rc) return -1;
    }
    json_object_del(obj, "Attribute");
    return 0;
}

int wbi_event_parse(const char *body, size_t len, const wbi_limits *lim, int64_t now,
                    wbi_event_in *ev, wbi_problem *prob)
{
    json_t *root = wbi_json_load(body, len, lim->max_depth, prob);
    if (root == NULL) {
        memset(ev, 0, sizeof *ev);
        wb_arena_init(&ev->arena, 0);
        return -1;
    }
    return wbi_event_parse_json(root, lim, now, ev, prob);
}

int wbi_event_parse_json(json_t *root, const wbi_limits *lim, int64_t now, wbi_event_in *ev,
                         wbi_problem *prob)
{
    memset(ev, 0, sizeof *ev);
    wb_arena_init(&ev->arena, 0);
    ev->root = root;
    json_t *e = json_object_get(ev->root, "Event");
    const char *base = "$.Event";
    if (e == NULL) {
        e = ev->root;
        base = "$";
    }
    if (!json_is_object(e)) {
        wbi_problem_set(prob, 422, "invalid_event", "%s: expected a MISP event object", base);
        return -1;
    }
    ev->event = e;
    const json_t *given = json_object_get(e, "uuid");
    ev->uuid_given = given != NULL && !json_is_null(given);
    if (take_uuid(e, base, ev->uuid, prob) != 0) return -1;
    const json_t *info = json_object_get(e, "info");
    if (!json_is_string(info) || json_string_length(info) == 0 ||
        json_string_length(info) > WBI_MAX_VALUE ||
        strlen(json_string_value(info)) != json_string_length(info)) {
        wbi_problem_set(prob, 422, "invalid_event", "%s.info: expected a string of 1-%d bytes",
                        base, WBI_MAX_VALUE);
        return -1;
    }
    ev->info = json_string_value(info);
    const json_t *date = json_object_get(e, "date");
    wb_time t;
    if (date == NULL || json_is_null(date)) {
        char buf[40];
        if (wb_time_from_unix(now, &t) != 0) {
            /* now is a feed's timestamp when a pull stores an event */
            wbi_problem_set(prob, 422, "invalid_event", "%s.timestamp: outside the years 0000-9999",
                            base);
            return -1;
        }
        wb_time_format(t, buf, sizeof buf);
        memcpy(ev->date, buf, 10);
    } else if (json_is_string(date) && json_string_length(date) == 10 &&
               wb_time_parse(json_string_value(date), 10, &t) == 0) {
        memcpy(ev->date, json_string_value(date), 10);
    } else {
        wbi_problem_set(prob, 422, "invalid_event", "%s.date: expected YYYY-MM-DD", base);
        return -1;
    }
    ev->date[10] = '\0';
    if (read_distribution(e, base, 4, lim->default_distribution, &ev->distribution, &ev->sg,
                          prob) != 0)
        return -1;
    bool pub = false;
    if (get_flag(json_object_get(e, "published"), &pub) < 0) {
        wbi_problem_set(prob, 422, "invalid_event", "%s.published: expected true or false", base);
        return -1;
    }
    ev->published = pub;
    wb_tlp tlp = WB_TLP_UNSET;
    if (read_tags(e, "Tag", "EventTag", base, ev->tags, &ev->ntags, &tlp, prob) != 0) return -1;
    ev->tlp = tlp == WB_TLP_UNSET ? WB_TLP_AMBER : tlp;
    if (check_tlp_distribution(ev->tlp, ev->distribution, base, prob) != 0) return -1;
    size_t cap = 0;
    if (parse_attr_array(ev, e, base, NULL, lim, now, &cap, prob) != 0) return -1;
    json_t *objs = json_object_get(e, "Object");
    if (objs != NULL && !json_is_null(objs)) {
        if (!json_is_array(objs)) {
            wbi_problem_set(prob, 422, "invalid_event", "%s.Object: not an array", base);
            return -1;
        }
        size_t i;
        json_t *o;
        json_array_foreach(objs, i, o)
        {
            char opath[64];
            snprintf(opath, sizeof opath, "%s.Object[%zu]", base, i);
            if (!json_is_object(o)) {
                wbi_problem_set(prob, 422, "invalid_event", "%s: not an object", opath);
                return -1;
            }
            char *ou = wb_arena_alloc(&ev->arena, WB_UUID_LEN + 1);
            if (ou == NULL) {
                wbi_problem_set(prob, 500, "internal", "out of memory");
                return -1;
            }
            /* An object's own audience is not modelled: its attributes carry
             * theirs. An object narrower than its event would otherwise be
             * served to the whole event audience, so it is refused. */
            int64_t od = 5;
            json_t *odist = json_object_get(o, "distribution");
            if (odist != NULL && (get_int(odist, 0, 5, &od) < 0 || od != 5)) {
                wbi_problem_set(prob, 422, "invalid_event",
                                "%s.distribution: an object must inherit the event's (5); give "
                                "its attributes their own distribution instead",
                                opath);
                return -1;
            }
            static const char *const oforeign[] = {"id", "event_id", "sharing_group_id",
                                                   "SharingGroup"};
            for (size_t k = 0; k < sizeof oforeign / sizeof oforeign[0]; k++)
                json_object_del(o, oforeign[k]);
            if (take_uuid(o, opath, ou, prob) != 0) return -1;
            if (parse_attr_array(ev, o, opath, ou, lim, now, &cap, prob) != 0) return -1;
        }
    }
    /* Identity and time are the hub's to set (api.c), from the caller's key.
     * Sub-objects with audiences of their own (event reports, sightings,
     * proposals, related events) are not modelled by the policy, so they
     * are not kept: served as posted they would reach the whole event
     * audience. */
    static const char *const local[] = {
        "id",           "org_id",      "orgc_id",           "Org",
        "Orgc",         "timestamp",   "publish_timestamp", "sharing_group_id",
        "SharingGroup", "EventReport", "RelatedEvent",      "ShadowAttribute",
        "Sighting"};
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
        json_object_del(e, local[i]);
    return 0;
}

void wbi_event_free(wbi_event_in *ev)
{
    for (size_t i = 0; i < ev->nattrs; i++)
        json_decref(ev->attrs[i].json);
    free(ev->attrs);
    json_decref(ev->root);
    wb_arena_free(&ev->arena);
    memset(ev, 0, sizeof *ev);
}

/* ---- indicator look-up keys ------------------------------------------------------------- */

int wbi_lookup_keys(const char *v, size_t n, const char *type, wb_ioc_key *keys, size_t max,
                    wbi_problem *prob)
{
    return wbi_lookup_keys_in(v, n, type, NULL, keys, max, prob);
}

int wbi_lookup_keys_in(const char *v, size_t n, const char *type, const wb_prefix_set *only,
                       wb_ioc_key *keys, size_t max, wbi_problem *prob)
{
    uint32_t mask = 0; /* 0: classified by its shape, as `weerbaar match` does */
    if (n == 0 || n > WBI_MAX_VALUE) {
        wbi_problem_set(prob, 400, "invalid_request", "value: expected 1-%d bytes", WBI_MAX_VALUE);
        return -1;
    }
    if (type) {
        mask = wbi_type_mask(type, strlen(type));
        if (mask == 0) {
            wbi_problem_set(prob, 400, "invalid_request",
                            "type: '%.64s' is not an indicator type weerbaar looks up", type);
            return -1;
        }
    }
    int nk = wb_ioc_keys(v, n, mask, only, keys, max);
    if (nk == 0) {
        if (type)
            wbi_problem_set(prob, 400, "invalid_request", "value: '%.64s' is not a valid %s", v,
                            type);
        else
            wbi_problem_set(prob, 400, "invalid_request",
                            "value: cannot tell what kind of indicator '%.64s' is; add type=", v);
        return -1;
    }
    return nk;
}

/* ---- sightings ------------------------------------------------------------------------- */

static int parse_sighting(json_t *o, int64_t now, wbi_sighting_in *s, wbi_problem *prob)
{
    const char *path = s->path;
    if (!json_is_object(o)) {
        wbi_problem_set(prob, 422, "invalid_sighting", "%s: not an object", path);
        return -1;
    }
    const json_t *u = json_object_get(o, "uuid"), *v = json_object_get(o, "value");
    if (u && !json_is_null(u)) {
        if (!json_is_string(u) || !wb_uuid_valid(json_string_value(u), json_string_length(u))) {
            wbi_problem_set(prob, 422, "invalid_sighting", "%s.uuid: not a UUID", path);
            return -1;
        }
        s->uuid = json_string_value(u);
    } else if (json_is_string(v) && json_string_length(v) > 0 &&
               json_string_length(v) <= WBI_MAX_VALUE &&
               strlen(json_string_value(v)) == json_string_length(v)) {
        s->value = json_string_value(v);
    } else {
        wbi_problem_set(prob, 422, "invalid_sighting",
                        "%s: a sighting needs an attribute uuid or a value", path);
        return -1;
    }
    int64_t x = 0;
    if (get_int(json_object_get(o, "type"), 0, 2, &x) < 0) {
        wbi_problem_set(prob, 422, "invalid_sighting",
                        "%s.type: expected 0 (seen), 1 (false positive) or 2 (expiration)", path);
        return -1;
    }
    s->type = (int)x;
    const json_t *src = json_object_get(o, "source");
    if (src && !json_is_null(src)) {
        if (!json_is_string(src) || json_string_length(src) > 255 ||
            strlen(json_string_value(src)) != json_string_length(src)) {
            wbi_problem_set(prob, 422, "invalid_sighting",
                            "%s.source: a string of at most 255 bytes", path);
            return -1;
        }
        s->source = json_string_value(src);
    }
    s->date_sighting = now;
    /* A day of clock skew is tolerated; later than that is a mistake. */
    if (get_int(json_object_get(o, "date_sighting"), 0, now + 86400, &s->date_sighting) < 0) {
        wbi_problem_set(prob, 422, "invalid_sighting",
                        "%s.date_sighting: expected Unix seconds, not in the future", path);
        return -1;
    }
    s->count = 1;
    if (get_int(json_object_get(o, "count"), 1, 1000000000000LL, &s->count) < 0) {
        wbi_problem_set(prob, 422, "invalid_sighting", "%s.count: expected a positive integer",
                        path);
        return -1;
    }
    const json_t *fs = json_object_get(o, "first_seen");
    wb_time ft;
    if (json_is_string(fs) &&
        wb_time_parse(json_string_value(fs), json_string_length(fs), &ft) == 0)
        s->first_seen = ft / 1000000;
    else if (get_int(fs, 0, now + 86400, &s->first_seen) < 0) {
        wbi_problem_set(prob, 422, "invalid_sighting",
                        "%s.first_seen: expected RFC 3339 time or Unix seconds", path);
        return -1;
    }
    const json_t *tf = json_object_get(o, "filter_type");
    if (json_is_string(tf)) s->type_filter = json_string_value(tf);
    return 0;
}

int wbi_sightings_parse(const char *body, size_t len, unsigned max_depth, int64_t now,
                        json_t **root, wbi_sighting_in **out, size_t *n, wbi_problem *prob)
{
    *out = NULL;
    *n = 0;
    *root = wbi_json_load(body, len, max_depth, prob);
    if (*root == NULL) return -1;
    bool list = json_is_array(*root);
    size_t count = list ? json_array_size(*root) : 1;
    if (count == 0) {
        wbi_problem_set(prob, 422, "invalid_sighting", "$: no sightings");
        return -1;
    }
    if (count > WBI_MAX_SIGHTINGS) {
        wbi_problem_set(prob, 413, "too_large", "$: more than %d sightings", WBI_MAX_SIGHTINGS);
        return -1;
    }
    *out = calloc(count, sizeof **out);
    if (*out == NULL) {
        wbi_problem_set(prob, 500, "internal", "out of memory");
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        wbi_sighting_in *s = &(*out)[i];
        if (list)
            snprintf(s->path, sizeof s->path, "$[%zu]", i);
        else
            snprintf(s->path, sizeof s->path, "$");
        if (parse_sighting(list ? json_array_get(*root, i) : *root, now, s, prob) != 0) return -1;
        (*n)++;
    }
    return 0;
}
