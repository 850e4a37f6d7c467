/*
 * stix_tree.c - the former STIX 2.1 loader over a whole jansson tree, kept
 * only as the oracle of the differential test of the streaming loader in
 * stix.c (tests/intel/test_intel_stream.c). Nothing else calls it.
 */
#include <stdio.h>
#include <string.h>

#include "intel/intel.h"

/* The TLP 2.0 marking-definition extension (FIRST / OASIS). */
#define TLP2_EXTENSION "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

static const struct {
    const char *id;
    wb_tlp tlp;
} known_markings[] = {
    /* TLP 1.0, STIX 2.1 section 7.2.1.4 */
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", WB_TLP_CLEAR},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", WB_TLP_GREEN},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", WB_TLP_AMBER},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", WB_TLP_RED},
    /* TLP 2.0 extension */
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", WB_TLP_CLEAR},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", WB_TLP_GREEN},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", WB_TLP_AMBER},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", WB_TLP_AMBER_STRICT},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", WB_TLP_RED},
};

/* ---- bundle --------------------------------------------------------------- */

static wb_tlp marking_tlp(const json_t *md)
{
    wb_tlp t;
    const json_t *def = json_object_get(md, "definition");
    const json_t *dt = json_object_get(md, "definition_type");
    const json_t *tlp = json_object_get(def, "tlp");
    if (json_is_string(dt) && strcmp(json_string_value(dt), "tlp") == 0 && json_is_string(tlp) &&
        wb_tlp_parse(json_string_value(tlp), json_string_length(tlp), &t) == 0)
        return t;
    const json_t *ext = json_object_get(json_object_get(md, "extensions"), TLP2_EXTENSION);
    if (ext != NULL) {
        const json_t *v = json_object_get(ext, "tlp_2_0");
        if (!json_is_string(v)) v = json_object_get(md, "name");
        if (json_is_string(v) && wb_tlp_parse(json_string_value(v), json_string_length(v), &t) == 0)
            return t;
    }
    return WB_TLP_UNSET;
}

typedef struct bundle {
    const char *id;
    const char *path; /* JSON path of the object list: "$.objects", "$", or NULL for one object */
    json_t *markings; /* marking-definition id -> integer wb_tlp */
    json_t *reports;  /* indicator id -> report id */
} bundle;

static wb_tlp lookup_tlp(const bundle *b, const char *ref)
{
    for (size_t i = 0; i < sizeof known_markings / sizeof known_markings[0]; i++)
        if (strcmp(ref, known_markings[i].id) == 0) return known_markings[i].tlp;
    const json_t *v = json_object_get(b->markings, ref);
    return json_is_integer(v) ? (wb_tlp)json_integer_value(v) : WB_TLP_UNSET;
}

static int index_objects(bundle *b, const json_t *objects)
{
    size_t i;
    const json_t *o;
    json_array_foreach(objects, i, o)
    {
        const json_t *type = json_object_get(o, "type");
        const json_t *id = json_object_get(o, "id");
        if (!json_is_string(type) || !json_is_string(id)) continue;
        if (strcmp(json_string_value(type), "marking-definition") == 0) {
            wb_tlp t = marking_tlp(o);
            if (t != WB_TLP_UNSET &&
                json_object_set_new(b->markings, json_string_value(id), json_integer(t)) != 0)
                return WB_ENOMEM;
        } else if (strcmp(json_string_value(type), "report") == 0) {
            size_t k;
            const json_t *ref;
            json_array_foreach(json_object_get(o, "object_refs"), k, ref)
            {
                if (!json_is_string(ref) || json_object_get(b->reports, json_string_value(ref)))
                    continue;
                if (json_object_set(b->reports, json_string_value(ref), (json_t *)id) != 0)
                    return WB_ENOMEM;
            }
        }
    }
    return 0;
}

static int load_indicator(wbi_ctx *ctx, const bundle *b, const json_t *o, size_t idx)
{
    wb_buf_reset(&ctx->where);
    int prc = b->path ? wb_buf_printf(&ctx->where, "%s: %s[%zu].pattern", ctx->name, b->path, idx)
                      : wb_buf_printf(&ctx->where, "%s: $.pattern", ctx->name);
    if (prc != 0) return wb_error_set(ctx->err, WB_ENOMEM, "out of memory");
    const char *where = ctx->where.data;
    const json_t *pattern = json_object_get(o, "pattern");
    const json_t *ptype = json_object_get(o, "pattern_type");
    const json_t *id = json_object_get(o, "id");
    if (!json_is_string(pattern)) {
        wbi_skip(ctx, where, "indicator without a pattern");
        return 0;
    }
    if (ptype != NULL &&
        !(json_is_string(ptype) && strcmp(json_string_value(ptype), "stix") == 0)) {
        wbi_skip(ctx, where, "unsupported pattern_type");
        return 0;
    }
    if (json_is_true(json_object_get(o, "revoked"))) {
        wbi_skip(ctx, where, "indicator is revoked");
        return 0;
    }
    wb_time until = WB_TIME_NONE;
    const json_t *vu = json_object_get(o, "valid_until");
    if (vu != NULL && (!json_is_string(vu) ||
                       wb_time_parse(json_string_value(vu), json_string_length(vu), &until) != 0)) {
        wbi_skip(ctx, where, "invalid valid_until");
        return 0;
    }
    wb_tlp tlp = WB_TLP_UNSET;
    size_t k;
    const json_t *ref;
    json_array_foreach(json_object_get(o, "object_marking_refs"), k, ref)
    {
        if (json_is_string(ref)) tlp = wb_tlp_stricter(tlp, lookup_tlp(b, json_string_value(ref)));
    }
    const char *attr = json_is_string(id) ? json_string_value(id) : NULL;
    const json_t *report = attr ? json_object_get(b->reports, attr) : NULL;
    wb_ioc_in base = {
        .event = json_is_string(report) ? json_string_value(report) : b->id,
        .attribute = attr,
        .tlp = tlp,
        .valid_until = until,
        .source = ctx->source,
        .where = where,
    };
    return wbi_stix_pattern(ctx, &base, json_string_value(pattern), json_string_length(pattern));
}

bool wbi_stix_looks_like_tree(const json_t *root)
{
    const json_t *o = json_is_array(root) ? json_array_get(root, 0) : root;
    const json_t *type = json_object_get(o, "type");
    if (!json_is_string(type)) return false;
    if (strcmp(json_string_value(type), "bundle") == 0) return true;
    return json_object_get(o, "spec_version") != NULL || json_object_get(o, "pattern") != NULL;
}

int wbi_stix_load_tree(wbi_ctx *ctx, json_t *root)
{
    json_t *objects;
    bundle b = {0};
    if (json_is_array(root)) {
        objects = json_incref(root);
        b.path = "$";
    } else if (json_is_object(root)) {
        const json_t *type = json_object_get(root, "type");
        if (json_is_string(type) && strcmp(json_string_value(type), "bundle") == 0) {
            objects = json_incref(json_object_get(root, "objects"));
            b.path = "$.objects";
            const json_t *id = json_object_get(root, "id");
            b.id = json_is_string(id) ? json_string_value(id) : NULL;
            if (objects == NULL) return 0; /* an empty bundle may omit objects */
            if (!json_is_array(objects)) {
                json_decref(objects);
                return wb_error_set(ctx->err, WB_EFORMAT, "%s: $.objects: not an array", ctx->name);
            }
        } else {
            objects = json_array();
            if (objects == NULL || json_array_append(objects, root) != 0) {
                json_decref(objects);
                return wb_error_set(ctx->err, WB_ENOMEM, "out of memory");
            }
        }
    } else {
        return wb_error_set(ctx->err, WB_EFORMAT, "%s: $: a STIX file holds an object or a list",
                            ctx->name);
    }
    b.markings = json_object();
    b.reports = json_object();
    int rc = b.markings && b.reports ? index_objects(&b, objects) : WB_ENOMEM;
    if (rc) wb_error_set(ctx->err, rc, "out of memory");
    size_t i;
    const json_t *o;
    json_array_foreach(objects, i, o)
    {
        if (rc) break;
        const json_t *type = json_object_get(o, "type");
        if (json_is_string(type) && strcmp(json_string_value(type), "indicator") == 0)
            rc = load_indicator(ctx, &b, o, i);
    }
    json_decref(b.markings);
    json_decref(b.reports);
    json_decref(objects);
    return rc;
}
