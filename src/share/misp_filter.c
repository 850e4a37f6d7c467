/*
 * misp_filter.c - the body of MISP's restSearch (events and attributes)
 * read into a wbi_misp_filter: value, type, category, tags (a list, "!tag"
 * for NOT, or {"OR", "AND", "NOT"}), org, eventid, uuid, to_ids,
 * published, last, timestamp, publish_timestamp, date/from/to, limit,
 * page, includeEventTags, withAttachments and returnFormat.
 *
 * No database: the fuzz target (fuzz/fuzz_misp_search.c) drives it. Every
 * refusal names the member ("$.timestamp: ..."); lists are bounded.
 */
#include <stdio.h>
#include <string.h>

#include "share/share_internal.h"

static int bad(wbi_problem *prob, const char *key, const char *what)
{
    wbi_problem_set(prob, 400, "invalid_request", "$.%s: %s", key, what);
    return -1;
}

/* A string, a number or a list of them into l (strings borrowed from
 * root; numbers as text in the filter's own buffer). */
static int str_list(wbi_misp_filter *f, const char *key, const json_t *v, wbi_strlist *l,
                    wbi_problem *prob)
{
    if (v == NULL || json_is_null(v)) return 0;
    const json_t *one = v;
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    for (size_t i = 0; i < n; i++) {
        if (json_is_array(v)) one = json_array_get(v, i);
        const char *s = NULL;
        if (json_is_string(one)) {
            s = json_string_value(one);
        } else if (json_is_integer(one)) {
            if (f->nnum == WBI_MISP_FILTER_MAX) return bad(prob, key, "too many values");
            snprintf(f->num[f->nnum], sizeof f->num[0], "%lld", (long long)json_integer_value(one));
            s = f->num[f->nnum++];
        } else {
            return bad(prob, key, "expected a string, a number or a list of them");
        }
        if (l->n == WBI_MISP_FILTER_MAX) return bad(prob, key, "more than 64 values");
        l->v[l->n++] = s;
    }
    return 0;
}

/* A flag: true/false, 0/1, "0"/"1", "true"/"false"; absent or "" is -1 (any). */
static int flag(const char *key, const json_t *v, int *out, wbi_problem *prob)
{
    *out = -1;
    if (v == NULL || json_is_null(v)) return 0;
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
        *out = (int)json_integer_value(v);
        return 0;
    }
    const char *s = json_string_value(v);
    if (s && (strcmp(s, "1") == 0 || strcmp(s, "true") == 0))
        *out = 1;
    else if (s && (strcmp(s, "0") == 0 || strcmp(s, "false") == 0))
        *out = 0;
    else if (s && *s == '\0')
        *out = -1;
    else
        return bad(prob, key, "expected true, false, 0 or 1");
    return 0;
}

/* Unix seconds, or a span back from now: "30s", "15m", "12h", "7d", "2w". */
static int time_of(const char *key, const json_t *v, int64_t now, int64_t *out, wbi_problem *prob)
{
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0) return bad(prob, key, "negative time");
        *out = json_integer_value(v);
        return 0;
    }
    const char *s = json_string_value(v);
    if (s == NULL || *s == '\0') return bad(prob, key, "expected Unix seconds or a span (7d)");
    size_t n = strlen(s);
    int64_t x;
    if (wb_parse_i64(s, n, 0, INT64_MAX, &x) == 0) {
        *out = x;
        return 0;
    }
    int64_t unit = 0;
    switch (s[n - 1]) {
    case 's':
        unit = 1;
        break;
    case 'm':
        unit = 60;
        break;
    case 'h':
        unit = 3600;
        break;
    case 'd':
        unit = 86400;
        break;
    case 'w':
        unit = 7 * 86400;
        break;
    default:
        break;
    }
    if (unit == 0 || wb_parse_i64(s, n - 1, 0, (int64_t)1 << 40, &x) != 0)
        return bad(prob, key, "expected Unix seconds or a span such as 7d, 12h, 30m");
    *out = now - x * unit;
    if (*out < 0) *out = 0;
    return 0;
}

/* A time or [from, to] into *from and *to. */
static int time_range(const char *key, const json_t *v, int64_t now, int64_t *from, int64_t *to,
                      wbi_problem *prob)
{
    if (v == NULL || json_is_null(v)) return 0;
    if (json_is_array(v)) {
        if (json_array_size(v) != 2) return bad(prob, key, "expected [from, to]");
        if (time_of(key, json_array_get(v, 0), now, from, prob) != 0) return -1;
        return time_of(key, json_array_get(v, 1), now, to, prob);
    }
    return time_of(key, v, now, from, prob);
}

/* YYYY-MM-DD, or a span back from now ("7d"), into out. */
static int date_of(const char *key, const json_t *v, int64_t now, char out[11], wbi_problem *prob)
{
    const char *s = json_string_value(v);
    if (s && strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
        wb_time t;
        if (wb_time_parse(s, 10, &t) != 0) return bad(prob, key, "not a date");
        memcpy(out, s, 11);
        return 0;
    }
    int64_t secs;
    if (time_of(key, v, now, &secs, prob) != 0) return -1;
    char buf[40];
    if (wb_time_format(secs * 1000000, buf, sizeof buf) != 0) return bad(prob, key, "out of range");
    memcpy(out, buf, 10);
    out[10] = '\0';
    return 0;
}

static int tags(wbi_misp_filter *f, const json_t *v, wbi_problem *prob)
{
    if (v == NULL || json_is_null(v)) return 0;
    if (json_is_object(v)) {
        const char *k;
        const json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            wbi_strlist *l = strcmp(k, "OR") == 0    ? &f->tags_or
                             : strcmp(k, "AND") == 0 ? &f->tags_and
                             : strcmp(k, "NOT") == 0 ? &f->tags_not
                                                     : NULL;
            if (l == NULL) return bad(prob, "tags", "expected the keys OR, AND and NOT");
            if (str_list(f, "tags", x, l, prob) != 0) return -1;
        }
        return 0;
    }
    wbi_strlist all = {0};
    if (str_list(f, "tags", v, &all, prob) != 0) return -1;
    for (size_t i = 0; i < all.n; i++) {
        const char *t = all.v[i];
        wbi_strlist *l = &f->tags_or;
        if (t[0] == '!') {
            l = &f->tags_not;
            t++;
        }
        if (l->n == WBI_MISP_FILTER_MAX) return bad(prob, "tags", "more than 64 values");
        l->v[l->n++] = t;
    }
    return 0;
}

static int int_of(const char *key, const json_t *v, int64_t min, int64_t max, int64_t *out,
                  wbi_problem *prob)
{
    if (v == NULL || json_is_null(v)) return 0;
    int64_t x;
    const char *s = json_string_value(v);
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

/* false, 0, "0", "", null, [] and {}: a filter left at its default. */
static bool neutral(const json_t *v)
{
    if (json_is_null(v) || json_is_false(v)) return true;
    if (json_is_integer(v)) return json_integer_value(v) == 0;
    if (json_is_string(v))
        return json_string_length(v) == 0 || strcmp(json_string_value(v), "0") == 0 ||
               strcmp(json_string_value(v), "false") == 0;
    if (json_is_array(v)) return json_array_size(v) == 0;
    if (json_is_object(v)) return json_object_size(v) == 0;
    return false;
}

void wbi_misp_filter_free(wbi_misp_filter *f)
{
    json_decref(f->root);
    f->root = NULL;
}

int wbi_misp_filter_parse(const char *body, size_t len, unsigned max_depth, int64_t now,
                          wbi_misp_filter *f, wbi_problem *prob)
{
    memset(f, 0, sizeof *f);
    f->to_ids = f->published = -1;
    f->format = WBI_MISP_JSON;
    if (len == 0) {
        f->root = json_object();
        return f->root ? 0 : (wbi_problem_set(prob, 500, "internal", "out of memory"), -1);
    }
    f->root = wbi_json_load(body, len, max_depth, prob);
    if (f->root == NULL) return -1;
    json_t *o = f->root;
    /* MISP also takes the filters wrapped in {"request": {...}}. */
    if (json_is_object(json_object_get(o, "request"))) o = json_object_get(o, "request");
    if (!json_is_object(o)) return bad(prob, "", "expected an object of filters");
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        int rc = 0;
        if (strcmp(k, "value") == 0)
            rc = str_list(f, k, v, &f->value, prob);
        else if (strcmp(k, "type") == 0)
            rc = str_list(f, k, v, &f->type, prob);
        else if (strcmp(k, "category") == 0)
            rc = str_list(f, k, v, &f->category, prob);
        else if (strcmp(k, "org") == 0)
            rc = str_list(f, k, v, &f->org, prob);
        else if (strcmp(k, "eventid") == 0)
            rc = str_list(f, k, v, &f->eventid, prob);
        else if (strcmp(k, "uuid") == 0)
            rc = str_list(f, k, v, &f->uuid, prob);
        else if (strcmp(k, "tags") == 0 || strcmp(k, "tag") == 0)
            rc = tags(f, v, prob);
        else if (strcmp(k, "to_ids") == 0)
            rc = flag(k, v, &f->to_ids, prob);
        else if (strcmp(k, "published") == 0)
            rc = flag(k, v, &f->published, prob);
        else if (strcmp(k, "timestamp") == 0)
            rc = time_range(k, v, now, &f->ts_from, &f->ts_to, prob);
        else if (strcmp(k, "publish_timestamp") == 0 || strcmp(k, "last") == 0)
            rc = time_range(k, v, now, &f->pts_from, &f->pts_to, prob);
        else if (strcmp(k, "date") == 0 && json_is_array(v)) {
            if (json_array_size(v) != 2) rc = bad(prob, k, "expected [from, to]");
            if (rc == 0) rc = date_of(k, json_array_get(v, 0), now, f->date_from, prob);
            if (rc == 0) rc = date_of(k, json_array_get(v, 1), now, f->date_to, prob);
        } else if ((strcmp(k, "date") == 0 || strcmp(k, "from") == 0) && !json_is_null(v))
            rc = date_of(k, v, now, f->date_from, prob);
        else if (strcmp(k, "to") == 0 && !json_is_null(v))
            rc = date_of(k, v, now, f->date_to, prob);
        else if (strcmp(k, "limit") == 0)
            rc = int_of(k, v, 1, WBI_MISP_MAX_RESULTS, &f->limit, prob);
        else if (strcmp(k, "page") == 0)
            rc = int_of(k, v, 1, 1000000, &f->page, prob);
        else if (strcmp(k, "includeEventTags") == 0) {
            int x;
            rc = flag(k, v, &x, prob);
            f->include_event_tags = x == 1;
        } else if (strcmp(k, "withAttachments") == 0) {
            int x;
            rc = flag(k, v, &x, prob);
            if (rc == 0 && x == 1)
                rc = bad(prob, k, "this hub stores no attachments (withAttachments: false)");
        } else if (strcmp(k, "returnFormat") == 0) {
            const char *s = json_string_value(v);
            if (s && strcmp(s, "json") == 0)
                f->format = WBI_MISP_JSON;
            else if (s && strcmp(s, "csv") == 0)
                f->format = WBI_MISP_CSV;
            else if (s && strcmp(s, "text") == 0)
                f->format = WBI_MISP_TEXT;
            else if (s && strcmp(s, "stix2") == 0)
                f->format = WBI_MISP_STIX2;
            else
                rc = bad(prob, k, "this hub answers json, csv, text and stix2");
        } else if (strcmp(k, "includeGalaxy") == 0 || strcmp(k, "include_galaxy") == 0) {
            int x;
            rc = flag(k, v, &x, prob);
            f->include_galaxy = x == 1;
        } else if (strcmp(k, "includeEventUuid") == 0) {
            int x;
            rc = flag(k, v, &x, prob);
            f->include_event_uuid = x == 1;
        } else if (strcmp(k, "enforceWarninglist") == 0) {
            int x;
            rc = flag(k, v, &x, prob);
            f->enforce_warninglist = x == 1;
        } else if (strcmp(k, "headerless") == 0) {
            int x;
            rc = flag(k, v, &x, prob);
            f->headerless = x == 1;
        } else if (strcmp(k, "request") == 0) {
            /* the wrapper handled above */
        } else if (neutral(v)) {
            /* a filter this hub does not know, given as "none" (clients
             * such as PyMISP send their defaults: false, 0, null, "") */
        } else {
            wbi_problem_set(prob, 400, "invalid_request",
                            "$.%s: not a filter this hub knows (docs/hub.md, MISP routes)", k);
            rc = -1;
        }
        if (rc) return -1;
    }
    if (f->page > 0 && f->limit == 0) return bad(prob, "page", "needs limit");
    return 0;
}

int wbi_misp_time_of(const char *key, const json_t *v, int64_t now, int64_t *out, wbi_problem *prob)
{
    const char *s = json_string_value(v);
    if (s && strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
        wb_time t;
        if (wb_time_parse(s, 10, &t) != 0) return bad(prob, key, "not a date");
        *out = t / 1000000;
        return 0;
    }
    return time_of(key, v, now, out, prob);
}
