/*
 * rules.c - what may travel between hubs (MISP's server semantics, see
 * sync.h), and the parser of a remote hub's /events/index answer. Both
 * are pure: the rule table test and the fuzz target drive them directly.
 */
#include <stdlib.h>
#include <string.h>

#include "sync/sync_internal.h"

bool wb_sync_may_leave(wb_tlp tlp, int dist, bool in_sgroup)
{
    if (tlp == WB_TLP_AMBER_STRICT || tlp == WB_TLP_RED) return false;
    switch (dist) {
    case 2:
    case 3:
        return true;
    case 4:
        return in_sgroup;
    default: /* 0: the organisation; 1: this community */
        return false;
    }
}

int wb_sync_arrival(wb_tlp tlp, int dist)
{
    if (tlp == WB_TLP_AMBER_STRICT || tlp == WB_TLP_RED) return -1;
    switch (dist) {
    case 2:
        return 1; /* one hop: "connected communities" becomes "this community" */
    case 3:
    case 4:
        return dist;
    default:
        return -1;
    }
}

bool wb_sync_sighting_may_leave(const wb_sync_sighting_facts *f)
{
    if (f->sighting_from_there) return false; /* no loop */
    if (f->tlp == WB_TLP_AMBER_STRICT || f->tlp == WB_TLP_RED) return false;
    /* An event that came from there may go back there whatever its
     * distribution says now (2 arrives as 1): the remote has it. */
    if (!f->event_from_there && !(wb_sync_may_leave(f->tlp, f->event_dist, f->event_in_sgroup) &&
                                  wb_sync_may_leave(f->tlp, f->attr_dist, f->attr_in_sgroup)))
        return false;
    return f->sightings_open || f->event_from_there || f->party;
}

/* A MISP timestamp: Unix seconds as a JSON integer or a decimal string,
 * within the years 0000-9999. */
int wbi_sync_ts(const json_t *v, int64_t *out)
{
    int64_t s;
    wb_time t;
    if (json_is_integer(v))
        s = json_integer_value(v);
    else if (!json_is_string(v) ||
             wb_parse_i64(json_string_value(v), json_string_length(v), 0, INT64_MAX, &s) != 0)
        return -1;
    if (s < 0 || wb_time_from_unix(s, &t) != 0) return -1;
    *out = s;
    return 0;
}

static int entry_cmp(const void *a, const void *b)
{
    const wb_sync_entry *x = a, *y = b;
    if (x->timestamp != y->timestamp) return x->timestamp < y->timestamp ? -1 : 1;
    return strcmp(x->uuid, y->uuid);
}

int wb_sync_index_parse(const char *text, size_t len, unsigned max_depth, size_t max_entries,
                        wb_sync_entry **out, size_t *n, size_t *bad, wb_error *err)
{
    *out = NULL;
    *n = *bad = 0;
    if (!wbi_sync_depth_ok(text, len, max_depth))
        return wb_error_set(err, WB_EPARSE, "$: nested deeper than %u levels", max_depth);
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) return wb_error_set(err, WB_EPARSE, "line %d: %s", je.line, je.text);
    json_t *list = json_is_object(root) ? json_object_get(root, "response") : root;
    if (!json_is_array(list)) {
        json_decref(root);
        return wb_error_set(err, WB_EPARSE, "$: expected an array of events");
    }
    size_t count = json_array_size(list);
    if (count > max_entries) {
        json_decref(root);
        return wb_error_set(err, WB_ELIMIT, "$: more than %zu events", max_entries);
    }
    wb_sync_entry *e = calloc(count ? count : 1, sizeof *e);
    if (e == NULL) {
        json_decref(root);
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        /* {"Event": {...}} (weerbaar's list) or the bare event (MISP's index) */
        json_t *ev = json_is_object(json_object_get(v, "Event")) ? json_object_get(v, "Event") : v;
        const json_t *u = json_object_get(ev, "uuid");
        int64_t ts;
        if (!json_is_string(u) || json_string_length(u) != WB_SYNC_UUID_LEN ||
            !wb_uuid_valid(json_string_value(u), json_string_length(u)) ||
            wbi_sync_ts(json_object_get(ev, "timestamp"), &ts) != 0) {
            ++*bad;
            continue;
        }
        wb_sync_entry *x = &e[(*n)++];
        const char *s = json_string_value(u);
        for (size_t k = 0; k <= WB_SYNC_UUID_LEN; k++)
            x->uuid[k] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k]);
        x->timestamp = ts;
        int64_t sts = 0;
        if (wbi_sync_ts(json_object_get(ev, "sighting_timestamp"), &sts) == 0)
            x->sighting_timestamp = sts;
        /* MISP writes published as a boolean, weerbaar's list too; "0"/0 also */
        const json_t *p = json_object_get(ev, "published");
        x->published = !(json_is_false(p) || (json_is_integer(p) && json_integer_value(p) == 0) ||
                         (json_is_string(p) && strcmp(json_string_value(p), "0") == 0));
    }
    json_decref(root);
    qsort(e, *n, sizeof *e, entry_cmp);
    /* The same uuid twice (a remote paging over a list that changed) is
     * harmless: the second is unchanged or newer, and judged as such. */
    *out = e;
    return 0;
}

bool wbi_sync_depth_ok(const char *s, size_t n, unsigned max)
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
            if (++depth > max) return false;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return true;
}

/* Whether name is in the JSON array of strings list (case-insensitive). */
static bool listed(const json_t *list, const char *name)
{
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *s = json_string_value(v);
        if (s && name && strlen(s) == strlen(name) && wb_strn_ieq(s, strlen(s), name)) return true;
    }
    return false;
}

/* One of MISP's rule groups ({"OR": [...], "NOT": [...]}) against the
 * names an event has (n of them): OR needs one of them when it is not
 * empty; NOT refuses any of them. */
static bool group_pass(const json_t *g, const char *const *names, size_t n)
{
    const json_t *any = json_object_get(g, "OR"), *none = json_object_get(g, "NOT");
    bool hit = json_array_size(any) == 0;
    for (size_t i = 0; i < n; i++) {
        if (listed(none, names[i])) return false;
        if (listed(any, names[i])) hit = true;
    }
    return hit;
}

int wbi_sync_rules_check(const char *text, wb_error *err)
{
    if (text == NULL) return 0;
    json_t *r = json_loads(text, 0, NULL);
    bool ok = json_is_object(r);
    const char *key;
    json_t *g;
    json_object_foreach(r, key, g)
    {
        if (strcmp(key, "tags") != 0 && strcmp(key, "orgs") != 0) ok = false;
        const char *k2;
        json_t *l;
        json_object_foreach(g, k2, l)
        {
            if ((strcmp(k2, "OR") != 0 && strcmp(k2, "NOT") != 0) || !json_is_array(l)) ok = false;
            size_t i;
            json_t *v;
            json_array_foreach(l, i, v) ok = ok && json_is_string(v);
        }
        if (!json_is_object(g)) ok = false;
    }
    json_decref(r);
    return ok ? 0
              : wb_error_set(err, WB_EINVAL,
                             "--rules: expected {\"tags\": {\"OR\": [...], \"NOT\": [...]}, "
                             "\"orgs\": {\"OR\": [...], \"NOT\": [...]}} with names in the lists");
}

bool wbi_sync_rules_pass(const json_t *rules, const json_t *event)
{
    if (rules == NULL) return true;
    const json_t *e =
        json_is_object(json_object_get(event, "Event")) ? json_object_get(event, "Event") : event;
    const char *tags[WBI_SYNC_MAX_RULE_NAMES];
    size_t nt = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t i;
        const json_t *t;
        json_array_foreach(json_object_get(e, pass ? "EventTag" : "Tag"), i, t)
        {
            const json_t *x = pass ? json_object_get(t, "Tag") : t;
            const char *name = json_string_value(json_object_get(x, "name"));
            if (name && nt < WBI_SYNC_MAX_RULE_NAMES) tags[nt++] = name;
        }
    }
    const json_t *oc = json_object_get(e, "Orgc");
    const char *orgs[2] = {json_string_value(json_object_get(oc, "name")),
                           json_string_value(json_object_get(oc, "uuid"))};
    return group_pass(json_object_get(rules, "tags"), tags, nt) &&
           group_pass(json_object_get(rules, "orgs"), orgs, 2);
}
