/*
 * misp_sightings.c - MISP's sightings/restSearch, sightings/index/EVENT and
 * sightings/listSightings over the sightings the caller may see: the body
 * read into a wbi_sight_filter (no database, so fuzz/fuzz_misp_sightings.c
 * drives it), then the who-sighted-what query (wb_store_sighting_query)
 * with every row put through wb_policy_read as the hub's other sighting
 * paths do, with the hub's sighting policy.
 *
 * MISP's filters: id (with context "attribute" or "event" the id or uuid
 * of that attribute or event, else the sighting's own id), uuid (the
 * sighting's), value, type (0 seen, 1 false positive, 2 expiration),
 * source, org_id/org, from/to and last on the sighting's date,
 * includeAttribute, includeEvent, limit/page, returnFormat json or csv.
 * A filter by organisation matches only the sightings whose organisation
 * the caller may see named (the policy may show a sector instead), so the
 * filter cannot tell who reported what the answer itself hides.
 *
 * And MISP's sightings/delete/ID: by the sighting's organisation or a site
 * admin, of a sighting the policy lets the caller see.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "share/share_internal.h"

static int bad(wbi_problem *prob, const char *key, const char *what)
{
    wbi_problem_set(prob, 400, "invalid_request", "$.%s: %s", key, what);
    return -1;
}

void wbi_sight_filter_free(wbi_sight_filter *f)
{
    json_decref(f->root);
    f->root = NULL;
}

/* A string or a number (as text in buf) into *out; NULL and "" leave it. */
static int text_of(const char *key, const json_t *v, char buf[24], const char **out,
                   wbi_problem *prob)
{
    if (v == NULL || json_is_null(v) || json_is_false(v)) return 0;
    if (json_is_integer(v)) {
        snprintf(buf, 24, "%lld", (long long)json_integer_value(v));
        *out = buf;
        return 0;
    }
    if (!json_is_string(v)) return bad(prob, key, "expected a string or a number");
    if (json_string_length(v) > 4096) return bad(prob, key, "longer than 4096 bytes");
    if (json_string_length(v) > 0) *out = json_string_value(v);
    return 0;
}

static int flag_of(const char *key, const json_t *v, bool *out, wbi_problem *prob)
{
    if (v == NULL || json_is_null(v)) return 0;
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
        *out = json_integer_value(v) == 1;
        return 0;
    }
    const char *s = json_string_value(v);
    if (s && (strcmp(s, "1") == 0 || strcmp(s, "true") == 0))
        *out = true;
    else if (s && (strcmp(s, "0") == 0 || strcmp(s, "false") == 0 || *s == '\0'))
        *out = false;
    else
        return bad(prob, key, "expected true, false, 0 or 1");
    return 0;
}

static int int_in(const char *key, const json_t *v, int64_t min, int64_t max, int64_t *out,
                  wbi_problem *prob)
{
    if (v == NULL || json_is_null(v)) return 0;
    const char *s = json_string_value(v);
    int64_t x;
    if (json_is_integer(v))
        x = json_integer_value(v);
    else if (s == NULL || wb_parse_i64(s, strlen(s), INT64_MIN, INT64_MAX, &x) != 0)
        return bad(prob, key, "expected an integer");
    if (x < min || x > max) {
        wbi_problem_set(prob, 400, "invalid_request", "$.%s: expected %lld to %lld", key,
                        (long long)min, (long long)max);
        return -1;
    }
    *out = x;
    return 0;
}

static int context_of(const char *s, int *out, wbi_problem *prob)
{
    if (s == NULL || *s == '\0')
        *out = WBI_SIGHT_ANY;
    else if (strcmp(s, "attribute") == 0)
        *out = WBI_SIGHT_ATTRIBUTE;
    else if (strcmp(s, "event") == 0)
        *out = WBI_SIGHT_EVENT;
    else
        return bad(prob, "context", "expected \"attribute\" or \"event\"");
    return 0;
}

int wbi_sight_filter_parse(const char *body, size_t len, const char *context, unsigned max_depth,
                           int64_t now, wbi_sight_filter *f, wbi_problem *prob)
{
    memset(f, 0, sizeof *f);
    f->type = -1;
    f->format = WBI_MISP_JSON;
    f->root = len ? wbi_json_load(body, len, max_depth, prob) : json_object();
    if (f->root == NULL) {
        if (len == 0) wbi_problem_set(prob, 500, "internal", "out of memory");
        return -1;
    }
    json_t *o = f->root;
    if (json_is_object(json_object_get(o, "request"))) o = json_object_get(o, "request");
    if (!json_is_object(o)) return bad(prob, "", "expected an object of filters");
    if (context && context_of(context, &f->context, prob) != 0) return -1;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        int rc = 0;
        if (strcmp(k, "id") == 0)
            rc = text_of(k, v, f->num[0], &f->id, prob);
        else if (strcmp(k, "uuid") == 0)
            rc = text_of(k, v, f->num[1], &f->uuid, prob);
        else if (strcmp(k, "value") == 0)
            rc = text_of(k, v, f->num[1], &f->value, prob);
        else if (strcmp(k, "source") == 0)
            rc = text_of(k, v, f->num[1], &f->source, prob);
        else if (strcmp(k, "org_id") == 0 || strcmp(k, "org") == 0)
            rc = text_of(k, v, f->num[2], &f->org, prob);
        else if (strcmp(k, "context") == 0) {
            const char *c = NULL;
            rc = text_of(k, v, f->num[1], &c, prob);
            /* the path's context wins over the body's */
            if (rc == 0 && context == NULL) rc = context_of(c, &f->context, prob);
        } else if (strcmp(k, "type") == 0) {
            int64_t t = -1;
            if (!(json_is_string(v) && json_string_length(v) == 0))
                rc = int_in(k, v, 0, 2, &t, prob);
            f->type = (int)t;
        } else if (strcmp(k, "from") == 0 || strcmp(k, "to") == 0 || strcmp(k, "last") == 0) {
            if (v && !json_is_null(v) && !(json_is_string(v) && json_string_length(v) == 0)) {
                int64_t t;
                rc = wbi_misp_time_of(k, v, now, &t, prob);
                if (rc == 0 && k[0] == 't')
                    f->to = t;
                else if (rc == 0 && (f->from == 0 || t > f->from))
                    f->from = t;
            }
        } else if (strcmp(k, "limit") == 0)
            rc = int_in(k, v, 1, WBI_MISP_MAX_RESULTS, &f->limit, prob);
        else if (strcmp(k, "page") == 0)
            rc = int_in(k, v, 1, 1000000, &f->page, prob);
        else if (strcmp(k, "includeAttribute") == 0)
            rc = flag_of(k, v, &f->include_attribute, prob);
        else if (strcmp(k, "includeEvent") == 0 || strcmp(k, "includeEventMeta") == 0)
            rc = flag_of(k, v, &f->include_event, prob);
        else if (strcmp(k, "returnFormat") == 0) {
            const char *s = json_string_value(v);
            if (s && strcmp(s, "json") == 0)
                f->format = WBI_MISP_JSON;
            else if (s && strcmp(s, "csv") == 0)
                f->format = WBI_MISP_CSV;
            else
                rc = bad(prob, k, "this hub answers sightings as json and csv");
        } else if (strcmp(k, "request") == 0 || v == NULL || json_is_null(v) || json_is_false(v) ||
                   (json_is_string(v) && json_string_length(v) == 0)) {
            /* the wrapper, or a filter left at PyMISP's default */
        } else {
            wbi_problem_set(
                prob, 400, "invalid_request",
                "$.%s: not a sightings filter this hub knows (docs/hub.md, MISP routes)", k);
            rc = -1;
        }
        if (rc) return -1;
    }
    if (f->page > 0 && f->limit == 0) return bad(prob, "page", "needs limit");
    if (f->id && f->context == WBI_SIGHT_ANY && !wb_uuid_valid(f->id, strlen(f->id))) {
        int64_t x;
        if (wb_parse_i64(f->id, strlen(f->id), 1, INT64_MAX, &x) != 0)
            return bad(prob, "id", "expected a sighting id or uuid");
    }
    return 0;
}

/* ---- the search ---------------------------------------------------------------------- */

typedef struct sight_walk {
    wb_share *s;
    const wbi_sight_filter *f;
    bool sightings_open;
    int64_t id_num;  /* f->id as a number, 0 when a uuid */
    int64_t org_num; /* f->org as a number, 0 otherwise */
    int64_t skip, max, matched;
    size_t sent;
    wb_buf *out;
    int rc;
} sight_walk;

static bool id_is(const char *want, int64_t want_num, int64_t id, const char *uuid)
{
    if (want == NULL) return true;
    if (want_num) return id == want_num;
    return uuid && strcasecmp(want, uuid) == 0;
}

static void csv_field(wb_buf *b, const char *v)
{
    wb_buf_putc(b, '"');
    for (const char *p = v ? v : ""; *p; p++) {
        if (*p == '"') wb_buf_putc(b, '"');
        wb_buf_putc(b, *p);
    }
    wb_buf_putc(b, '"');
}

static int put_row(sight_walk *w, const wb_event_rec *e, const wb_attr_rec *a,
                   const wb_sighting_rec *r, const wb_policy_item *it)
{
    wb_share *s = w->s;
    bool named = wb_policy_sighting_named(s->who, it);
    if (w->f->format == WBI_MISP_CSV) {
        wb_buf *b = w->out;
        wb_buf_printf(b, "%lld,", (long long)r->id);
        csv_field(b, r->uuid);
        wb_buf_putc(b, ',');
        csv_field(b, a->uuid);
        wb_buf_putc(b, ',');
        csv_field(b, e->uuid);
        wb_buf_putc(b, ',');
        csv_field(b, a->value);
        wb_buf_putc(b, ',');
        csv_field(b, named ? r->org_name : "");
        wb_buf_putc(b, ',');
        csv_field(b, r->org_sector);
        wb_buf_printf(b, ",%d,", r->type);
        csv_field(b, r->source);
        w->sent++;
        return wb_buf_printf(b, ",%lld,%lld\n", (long long)r->date_sighting, (long long)r->count)
                   ? WB_ENOMEM
                   : 0;
    }
    json_t *org = named ? json_pack("{s:s,s:s?,s:s?}", "id", wbi_share_num(s, r->org_id), "name",
                                    r->org_name, "sector", r->org_sector)
                        : json_pack("{s:s?}", "sector", r->org_sector);
    json_t *o = json_pack(
        "{s:s,s:s?,s:s,s:s?,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "id", wbi_share_num(s, r->id), "uuid",
        r->uuid, "attribute_id", wbi_share_num(s, a->id), "attribute_uuid", a->uuid, "event_id",
        wbi_share_num(s, e->id), "event_uuid", e->uuid, "type", wbi_share_num(s, r->type), "source",
        r->source ? r->source : "", "date_sighting", wbi_share_num(s, r->date_sighting), "count",
        wbi_share_num(s, r->count), "Organisation", org ? org : json_null());
    if (o == NULL) return WB_ENOMEM;
    /* MISP names the organisation by org_id; left out when the policy
     * shows only its sector. */
    json_object_set_new(o, "org_id", json_string(named ? wbi_share_num(s, r->org_id) : "0"));
    if (w->f->include_attribute) {
        json_t *aj = json_loads(a->json ? a->json : "", 0, NULL);
        if (json_is_object(aj)) {
            wbi_tags_set_effective(aj, "AttributeTag", wb_policy_tlp(it), a->tlp != WB_TLP_UNSET);
            wbi_misp_attr_ids(s, aj, a, e);
            json_object_set_new(o, "Attribute", aj);
        } else {
            json_decref(aj);
        }
    }
    if (w->f->include_event)
        json_object_set_new(o, "Event",
                            json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?}", "id", wbi_share_num(s, e->id),
                                      "uuid", e->uuid, "info", e->info ? e->info : "", "org_id",
                                      wbi_share_num(s, e->org_id), "orgc_id",
                                      wbi_share_num(s, e->org_id), "date", e->date));
    return wbi_body_json(w->out, json_pack("{s:o}", "Sighting", o), w->sent++ > 0);
}

static int sight_cb(void *ud, const wb_event_rec *e, const wb_attr_rec *a, const wb_sighting_rec *r)
{
    sight_walk *w = ud;
    const wbi_sight_filter *f = w->f;
    if (a->deleted || e->deleted) return 0;
    if (f->context == WBI_SIGHT_ANY && !id_is(f->id, w->id_num, r->id, r->uuid)) return 0;
    if (f->context == WBI_SIGHT_ATTRIBUTE && !id_is(f->id, w->id_num, a->id, a->uuid)) return 0;
    if (f->context == WBI_SIGHT_EVENT && !id_is(f->id, w->id_num, e->id, e->uuid)) return 0;
    if (f->uuid && (r->uuid == NULL || strcasecmp(f->uuid, r->uuid) != 0)) return 0;
    if (f->type >= 0 && r->type != f->type) return 0;
    if (f->source && (r->source == NULL || strcmp(f->source, r->source) != 0)) return 0;
    if (f->to && r->date_sighting > f->to) return 0;
    wb_policy_item it = wbi_policy_item_of(e, a);
    it.kind = WB_ITEM_SIGHTING;
    it.sighting_org = r->org_id;
    it.sightings_open = w->sightings_open;
    if (wb_policy_read(w->s->who, WB_READ_SIGHTING, &it) == WB_DENY) return 0;
    if (f->org) {
        /* only what the caller may see named can be picked by its name */
        if (!wb_policy_sighting_named(w->s->who, &it)) return 0;
        if (r->org_id != w->org_num) return 0;
    }
    if (w->matched >= w->skip + w->max) {
        w->matched++; /* one more than fits: the caller answers 413 without limit */
        return 1;
    }
    if (w->matched++ < w->skip) return 0;
    wbi_share_may_read(w->s, WB_READ_SIGHTING, &it, a->uuid); /* the admin's audit entry */
    w->rc = put_row(w, e, a, r, &it);
    return w->rc != 0;
}

typedef struct org_one {
    int64_t id;
} org_one;

static int org_one_cb(void *ud, const wb_org *o)
{
    ((org_one *)ud)->id = o->id;
    return 1;
}

int wb_share_misp_sightings(wb_share *s, const char *context, const char *id, bool sightings_open,
                            const char *body, size_t len, wb_buf *out, const char **content_type)
{
    wbi_sight_filter f;
    wbi_problem prob;
    if (wbi_sight_filter_parse(body, len, context, wbi_share_max_depth(s), s->now, &f, &prob) !=
        0) {
        wbi_sight_filter_free(&f);
        if (prob.status >= 500) return wbi_share_internal(s, WB_ENOMEM);
        return wbi_share_fail(s, prob.status, prob.code, "%s", prob.msg);
    }
    if (id) f.id = id;
    *content_type = f.format == WBI_MISP_CSV ? "text/csv; charset=utf-8" : NULL;
    sight_walk w = {.s = s,
                    .f = &f,
                    .sightings_open = sightings_open,
                    .out = out,
                    .skip = f.limit && f.page ? (f.page - 1) * f.limit : 0,
                    .max = f.limit ? f.limit : WBI_MISP_MAX_RESULTS};
    wb_sighting_filter q = {.since = f.from};
    int rc = 0;
    if (f.id && !wb_uuid_valid(f.id, strlen(f.id)) &&
        wb_parse_i64(f.id, strlen(f.id), 1, INT64_MAX, &w.id_num) != 0)
        w.id_num = -1; /* names nothing: an empty answer, as for an id of nothing */
    if (f.context == WBI_SIGHT_EVENT && w.id_num > 0) q.event_id = w.id_num;
    if (f.org) {
        if (wb_parse_i64(f.org, strlen(f.org), 1, INT64_MAX, &w.org_num) != 0) {
            /* a name or uuid: the organisation's id (none: nothing matches) */
            org_one o = {0};
            rc = wb_store_org_find(s->st, f.org, org_one_cb, &o, &s->err);
            if (rc == WB_ENOTFOUND) rc = 0;
            w.org_num = o.id ? o.id : -1;
        }
        /* narrowed in the query; the walk still checks the naming */
        if (rc == 0 && w.org_num > 0) q.org_id = w.org_num;
    }
    wb_ioc_key key;
    if (rc == 0 && f.value) {
        q.value = f.value;
        if (wb_ioc_keys(f.value, strlen(f.value), 0, NULL, &key, 1) > 0) q.norm = key.text;
    }
    wb_buf_reset(out);
    if (f.format == WBI_MISP_JSON)
        rc = rc ? rc : (wb_buf_puts(out, "{\"response\":[") ? WB_ENOMEM : 0);
    else if (rc == 0)
        rc = wb_buf_puts(out, "id,uuid,attribute_uuid,event_uuid,value,org,sector,type,source,"
                              "date_sighting,count\n")
                 ? WB_ENOMEM
                 : 0;
    if (rc == 0 && w.id_num >= 0 && w.org_num >= 0) {
        rc = wb_store_sighting_query(s->st, &q, sight_cb, &w, &s->err);
        if (rc == 0) rc = w.rc;
    }
    bool too_many = f.limit == 0 && w.matched > WBI_MISP_MAX_RESULTS;
    int fmt = f.format;
    wbi_sight_filter_free(&f);
    if (rc) return wbi_share_internal(s, rc);
    if (too_many) {
        s->naudits = s->audits_dropped = 0;
        return wbi_share_fail(s, 413, "too_large",
                              "more than %d sightings: page with limit and page",
                              WBI_MISP_MAX_RESULTS);
    }
    if (fmt == WBI_MISP_JSON && wb_buf_puts(out, "]}") != 0)
        return wbi_share_internal(s, wb_error_set(&s->err, WB_ENOMEM, "out of memory"));
    return wb_share_flush(s);
}

/* ---- sightings/delete ------------------------------------------------------------------------ */

typedef struct one_sight {
    wb_share *s;
    bool sightings_open, found;
    int64_t id, org_id;
    char uuid[WB_UUID_LEN + 1], attr_uuid[WB_UUID_LEN + 1];
} one_sight;

static int one_cb(void *ud, const wb_event_rec *e, const wb_attr_rec *a, const wb_sighting_rec *r)
{
    one_sight *o = ud;
    wb_policy_item it = wbi_policy_item_of(e, a);
    it.kind = WB_ITEM_SIGHTING;
    it.sighting_org = r->org_id;
    it.sightings_open = o->sightings_open;
    if (wb_policy_read(o->s->who, WB_READ_SIGHTING, &it) == WB_DENY) return 1;
    o->found = true;
    o->id = r->id;
    o->org_id = r->org_id;
    snprintf(o->uuid, sizeof o->uuid, "%s", r->uuid ? r->uuid : "");
    snprintf(o->attr_uuid, sizeof o->attr_uuid, "%s", a->uuid ? a->uuid : "");
    return 1;
}

int wb_share_misp_sighting_delete(wb_share *s, const char *ref, bool sightings_open, wb_buf *out)
{
    size_t n = ref ? strlen(ref) : 0;
    int64_t id = 0;
    char low[WB_UUID_LEN + 1];
    const char *uuid = NULL;
    if (n == WB_UUID_LEN && wb_uuid_valid(ref, n)) {
        for (size_t i = 0; i <= n; i++)
            low[i] = (char)(ref[i] >= 'A' && ref[i] <= 'Z' ? ref[i] + 32 : ref[i]);
        uuid = low;
    } else if (n == 0 || wb_parse_i64(ref, n, 1, INT64_MAX, &id) != 0) {
        return wbi_share_not_found(s);
    }
    one_sight o = {.s = s, .sightings_open = sightings_open};
    int rc = wb_store_sighting_one(s->st, id, uuid, one_cb, &o, &s->err);
    if (rc) return wbi_share_internal(s, rc);
    if (!o.found) return wbi_share_not_found(s);
    if (o.org_id != s->who->org_id && s->who->role != WB_ROLE_SITE_ADMIN)
        return wbi_share_fail(s, 403, "forbidden",
                              "only the organisation that reported a sighting, or a site admin, "
                              "may delete it");
    char detail[64];
    snprintf(detail, sizeof detail, "attribute %s", o.attr_uuid);
    rc = wb_store_begin(s->st, &s->err);
    if (rc == 0) rc = wb_store_sighting_delete(s->st, o.id, &s->err);
    if (rc == 0) rc = wbi_share_audit_now(s, "sighting.delete", o.uuid, detail);
    if (rc == 0) rc = wb_store_commit(s->st, &s->err);
    if (rc) {
        wb_store_rollback(s->st);
        return rc == WB_ENOTFOUND ? wbi_share_not_found(s) : wbi_share_internal(s, rc);
    }
    return wbi_share_dump(s,
                          json_pack("{s:b,s:b,s:s,s:s,s:s}", "saved", 1, "success", 1, "name",
                                    "Sighting successfully deleted.", "message",
                                    "Sighting successfully deleted.", "id", wbi_share_num(s, o.id)),
                          out);
}
