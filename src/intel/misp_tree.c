/*
 * misp_tree.c - the former MISP JSON loader over a whole jansson tree, kept
 * only as the oracle of the differential test of the streaming loader in
 * misp.c (tests/intel/test_intel_stream.c). Nothing else calls it.
 */
#include <stdio.h>
#include <string.h>

#include "intel/intel.h"

typedef struct misp_event {
    const char *uuid; /* NULL when the event has none */
    wb_tlp tlp;
} misp_event;

/* JSON paths ("$.response[2].Event.Attribute[7]") grow as the walk goes
 * down and are cut back on the way up, in one buffer per file. */
static int path_push(wbi_ctx *ctx, size_t *saved, const char *seg, size_t idx, bool indexed)
{
    *saved = ctx->path.len;
    int rc =
        indexed ? wb_buf_printf(&ctx->path, "%s[%zu]", seg, idx) : wb_buf_puts(&ctx->path, seg);
    return rc ? wb_error_set(ctx->err, WB_ENOMEM, "out of memory") : 0;
}

static void path_pop(wbi_ctx *ctx, size_t saved)
{
    ctx->path.len = saved;
    ctx->path.data[saved] = '\0';
}

static bool is_tlp_tag(const char *s, size_t n)
{
    return n > 4 && wb_strn_ieq(s, 4, "tlp:");
}

/* The strictest "tlp:*" name in a Tag array (elements {"name": ...}) and in
 * a EventTag/AttributeTag array (elements {"Tag": {"name": ...}}). Unknown
 * TLP names ("tlp:ex:chr") are ignored. */
static wb_tlp tags_tlp(const json_t *obj, const char *tag_key, const char *link_key)
{
    wb_tlp tlp = WB_TLP_UNSET;
    const json_t *arr[2] = {json_object_get(obj, tag_key), json_object_get(obj, link_key)};
    for (int k = 0; k < 2; k++) {
        size_t i;
        const json_t *t;
        if (!json_is_array(arr[k])) continue;
        json_array_foreach(arr[k], i, t)
        {
            const json_t *tag = k == 0 ? t : json_object_get(t, "Tag");
            const json_t *name = json_object_get(tag, "name");
            if (!json_is_string(name)) continue;
            const char *s = json_string_value(name);
            size_t n = json_string_length(name);
            wb_tlp v;
            if (is_tlp_tag(s, n) && wb_tlp_parse(s, n, &v) == 0) tlp = wb_tlp_stricter(tlp, v);
        }
    }
    return tlp;
}

static int load_attribute(wbi_ctx *ctx, const misp_event *ev, const json_t *a)
{
    wb_buf_reset(&ctx->where);
    if (wb_buf_printf(&ctx->where, "%s: %s.value", ctx->name, ctx->path.data) != 0)
        return wb_error_set(ctx->err, WB_ENOMEM, "out of memory");
    const char *where = ctx->where.data;
    if (!json_is_object(a)) {
        wbi_skip(ctx, where, "attribute is not an object");
        return 0;
    }
    if (wbi_json_flag(json_object_get(a, "deleted"))) {
        wbi_skip(ctx, where, "attribute is deleted");
        return 0;
    }
    const json_t *type = json_object_get(a, "type");
    const json_t *value = json_object_get(a, "value");
    if (!json_is_string(type) || !json_is_string(value)) {
        wbi_skip(ctx, where, "attribute without a type or value string");
        return 0;
    }
    if (!ctx->opts->all_attributes && !wbi_json_flag(json_object_get(a, "to_ids"))) {
        wbi_skip(ctx, where, "to_ids is false");
        return 0;
    }
    const char *ts = json_string_value(type);
    size_t tn = json_string_length(type);
    const wbi_misp_type *t = wbi_misp_type_find(ts, tn);
    if (t == NULL) {
        wbi_skip(ctx, where, wbi_misp_unsupported_reason(ts, tn));
        return 0;
    }
    const json_t *uuid = json_object_get(a, "uuid");
    wb_ioc_in in = {
        .value = json_string_value(value),
        .len = json_string_length(value),
        .event = ev->uuid,
        .attribute = json_is_string(uuid) ? json_string_value(uuid) : NULL,
        .tlp = wb_tlp_stricter(ev->tlp, tags_tlp(a, "Tag", "AttributeTag")),
        .valid_until = WB_TIME_NONE,
        .source = ctx->source,
        .where = where,
    };
    return wbi_emit_misp(ctx, t, &in);
}

static int load_attributes(wbi_ctx *ctx, const misp_event *ev, const json_t *arr)
{
    if (arr == NULL) return 0;
    if (!json_is_array(arr)) {
        wbi_skip(ctx, NULL, "Attribute is not an array");
        return 0;
    }
    size_t i, saved;
    const json_t *a;
    json_array_foreach(arr, i, a)
    {
        int rc = path_push(ctx, &saved, ".Attribute", i, true);
        if (rc == 0) rc = load_attribute(ctx, ev, a);
        path_pop(ctx, saved);
        if (rc) return rc;
    }
    return 0;
}

static int load_event(wbi_ctx *ctx, const json_t *e)
{
    if (!json_is_object(e)) {
        wbi_skip(ctx, NULL, "event is not an object");
        return 0;
    }
    const json_t *uuid = json_object_get(e, "uuid");
    misp_event ev = {
        .uuid = json_is_string(uuid) ? json_string_value(uuid) : NULL,
        .tlp = tags_tlp(e, "Tag", "EventTag"),
    };
    int rc = load_attributes(ctx, &ev, json_object_get(e, "Attribute"));
    const json_t *objs = json_object_get(e, "Object");
    if (rc == 0 && json_is_array(objs)) {
        size_t i, saved;
        const json_t *o;
        json_array_foreach(objs, i, o)
        {
            if (!json_is_object(o)) continue;
            if (wbi_json_flag(json_object_get(o, "deleted"))) {
                wbi_skip(ctx, NULL, "object is deleted");
                continue;
            }
            rc = path_push(ctx, &saved, ".Object", i, true);
            if (rc == 0) rc = load_attributes(ctx, &ev, json_object_get(o, "Attribute"));
            path_pop(ctx, saved);
            if (rc) break;
        }
    }
    return rc;
}

static bool looks_like_event(const json_t *o)
{
    return json_object_get(o, "Attribute") != NULL || json_object_get(o, "Object") != NULL ||
           (json_object_get(o, "info") != NULL && json_object_get(o, "uuid") != NULL);
}

/* One element of a list of events or of a restSearch response. */
static int load_wrapped(wbi_ctx *ctx, const json_t *el)
{
    const json_t *e = json_object_get(el, "Event");
    if (e == NULL) return load_event(ctx, el);
    size_t saved;
    int rc = path_push(ctx, &saved, ".Event", 0, false);
    if (rc == 0) rc = load_event(ctx, e);
    path_pop(ctx, saved);
    return rc;
}

static int load_list(wbi_ctx *ctx, const json_t *arr)
{
    size_t i, saved;
    const json_t *el;
    json_array_foreach(arr, i, el)
    {
        int rc = path_push(ctx, &saved, "", i, true);
        if (rc == 0) rc = load_wrapped(ctx, el);
        path_pop(ctx, saved);
        if (rc) return rc;
    }
    return 0;
}

/* Starts the path of a file's walk. */
static int set_path(wbi_ctx *ctx, const char *root)
{
    wb_buf_reset(&ctx->path);
    return wb_buf_puts(&ctx->path, root) ? wb_error_set(ctx->err, WB_ENOMEM, "out of memory") : 0;
}

int wbi_misp_load_tree(wbi_ctx *ctx, json_t *root)
{
    if (json_is_array(root)) return set_path(ctx, "$") ? WB_ENOMEM : load_list(ctx, root);
    if (!json_is_object(root))
        return wb_error_set(ctx->err, WB_EFORMAT, "%s: $: a MISP file holds an object or a list",
                            ctx->name);
    const json_t *e = json_object_get(root, "Event");
    if (e != NULL) return set_path(ctx, "$.Event") ? WB_ENOMEM : load_event(ctx, e);
    const json_t *resp = json_object_get(root, "response");
    if (json_is_array(resp)) return set_path(ctx, "$.response") ? WB_ENOMEM : load_list(ctx, resp);
    if (json_is_object(resp)) {
        /* restSearch on attributes: {"response": {"Attribute": [...]}} */
        misp_event none = {NULL, WB_TLP_UNSET};
        if (set_path(ctx, "$.response")) return WB_ENOMEM;
        return load_attributes(ctx, &none, json_object_get(resp, "Attribute"));
    }
    if (looks_like_event(root)) return set_path(ctx, "$") ? WB_ENOMEM : load_event(ctx, root);
    /* A feed's manifest.json maps event uuids to summaries without attributes. */
    const char *key;
    const json_t *val;
    json_object_foreach((json_t *)root, key, val)
    {
        if (json_is_object(val) && json_object_get(val, "info") != NULL)
            return wb_error_set(ctx->err, WB_EFORMAT,
                                "%s: $: this is a MISP feed manifest: load its directory",
                                ctx->name);
        break;
    }
    return wb_error_set(ctx->err, WB_EFORMAT,
                        "%s: $: no MISP event (expected Event, a list of events or response)",
                        ctx->name);
}
