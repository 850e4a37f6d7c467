/*
 * stix.c - indicators from STIX 2.1 bundles (and a bare indicator object or
 * a list of objects).
 *
 * weerbaar matches single values, so only patterns that are a disjunction of
 * equality tests on one observable each are taken:
 *     [ipv4-addr:value = '198.51.100.1' OR domain-name:value = 'x.example']
 *     [url:value = 'http://x/'] OR [file:hashes.'SHA-256' = '...']
 *     [ipv6-addr:value ISSUBSET '2001:db8::/32']
 * Anything else (AND, FOLLOWEDBY, qualifiers, MATCHES, other objects) cannot
 * be expressed as a set of values without changing its meaning, so the whole
 * indicator is skipped and counted as "unsupported STIX pattern".
 *
 * TLP: object_marking_refs pointing to the well-known TLP 1.0 and TLP 2.0
 * marking definitions, or to marking-definition objects in the bundle that
 * carry a TLP (definition_type "tlp", or the TLP 2.0 extension).
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

/* ---- pattern parsing ------------------------------------------------------ */

/* Nesting deeper than this is not a real-world indicator; the bound keeps
 * the recursive descent off the end of the stack on hostile input. */
#define MAX_DEPTH 32

typedef struct pat {
    const char *s;
    size_t n, i;
    int depth;
    bool emit; /* second pass: decode values and call the sink */
    wbi_ctx *ctx;
    const wb_ioc_in *base;
    int rc; /* the sink's error in the second pass */
} pat;

static void ws(pat *p)
{
    while (p->i < p->n &&
           (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* Consumes a keyword that is not the start of a longer word. */
static bool keyword(pat *p, const char *kw)
{
    size_t k = strlen(kw);
    if (p->n - p->i < k || memcmp(p->s + p->i, kw, k) != 0) return false;
    if (p->i + k < p->n && ident_char(p->s[p->i + k])) return false;
    p->i += k;
    return true;
}

static bool punct(pat *p, char c)
{
    ws(p);
    if (p->i < p->n && p->s[p->i] == c) {
        p->i++;
        return true;
    }
    return false;
}

/* A '...' literal with the \' and \\ escapes, the only ones STIX defines.
 * With out != NULL the decoded text is appended. */
static bool literal(pat *p, wb_buf *out)
{
    ws(p);
    if (p->i >= p->n || p->s[p->i] != '\'') return false;
    p->i++;
    while (p->i < p->n) {
        char c = p->s[p->i++];
        if (c == '\'') return true;
        if (c == '\\') {
            if (p->i >= p->n) return false;
            c = p->s[p->i++];
            if (c != '\'' && c != '\\') return false;
        }
        if (out != NULL && wb_buf_putc(out, c) != 0) {
            /* the pattern was valid; the indicator must not vanish silently */
            if (p->rc == 0) p->rc = wb_error_set(p->ctx->err, WB_ENOMEM, "out of memory");
            return false;
        }
    }
    return false;
}

/* Reads "type:prop.prop.'quoted'" into type/prop buffers; false when the
 * path has list indexes or does not fit (neither is a supported form). */
static bool object_path(pat *p, char *type, size_t tcap, char *prop, size_t pcap)
{
    ws(p);
    size_t t = 0;
    while (p->i < p->n && ident_char(p->s[p->i])) {
        if (t + 1 >= tcap) return false;
        type[t++] = p->s[p->i++];
    }
    type[t] = '\0';
    if (t == 0 || p->i >= p->n || p->s[p->i] != ':') return false;
    p->i++;
    size_t k = 0;
    for (;;) {
        if (p->i < p->n && p->s[p->i] == '\'') {
            p->i++;
            while (p->i < p->n && p->s[p->i] != '\'') {
                if (k + 1 >= pcap) return false;
                prop[k++] = p->s[p->i++];
            }
            if (p->i >= p->n) return false;
            p->i++;
        } else {
            size_t start = k;
            while (p->i < p->n && ident_char(p->s[p->i])) {
                if (k + 1 >= pcap) return false;
                prop[k++] = p->s[p->i++];
            }
            if (k == start) return false;
        }
        if (p->i < p->n && p->s[p->i] == '.') {
            if (k + 1 >= pcap) return false;
            prop[k++] = '.';
            p->i++;
            continue;
        }
        break;
    }
    prop[k] = '\0';
    return true;
}

static bool path_type(const char *type, const char *prop, bool subset, wb_ioc_type *out)
{
    size_t plen = strlen(prop);
    if (strcmp(type, "ipv4-addr") == 0 || strcmp(type, "ipv6-addr") == 0) {
        *out = WB_IOC_IP;
        return strcmp(prop, "value") == 0;
    }
    if (subset) return false; /* ISSUBSET only makes sense on addresses */
    if (strcmp(prop, "value") == 0) {
        if (strcmp(type, "domain-name") == 0)
            *out = WB_IOC_DOMAIN;
        else if (strcmp(type, "url") == 0)
            *out = WB_IOC_URL;
        else if (strcmp(type, "email-addr") == 0)
            *out = WB_IOC_EMAIL;
        else
            return false;
        return true;
    }
    if (strcmp(type, "file") == 0 && plen > 7 && memcmp(prop, "hashes.", 7) == 0) {
        const char *h = prop + 7;
        size_t hn = plen - 7;
        if (wb_strn_ieq(h, hn, "MD5"))
            *out = WB_IOC_MD5;
        else if (wb_strn_ieq(h, hn, "SHA-1") || wb_strn_ieq(h, hn, "SHA1"))
            *out = WB_IOC_SHA1;
        else if (wb_strn_ieq(h, hn, "SHA-256") || wb_strn_ieq(h, hn, "SHA256"))
            *out = WB_IOC_SHA256;
        else
            return false;
        return true;
    }
    return false;
}

static bool comparison(pat *p)
{
    char type[64], prop[128];
    if (!object_path(p, type, sizeof type, prop, sizeof prop)) return false;
    ws(p);
    bool subset;
    if (p->i < p->n && p->s[p->i] == '=') {
        p->i++;
        subset = false;
    } else if (keyword(p, "ISSUBSET")) {
        subset = true;
    } else {
        return false; /* !=, <, LIKE, MATCHES, IN, NOT ... */
    }
    wb_ioc_type t;
    if (!path_type(type, prop, subset, &t)) return false;
    if (!p->emit) return literal(p, NULL);
    wb_buf *v = &p->ctx->tmp;
    wb_buf_reset(v);
    if (!literal(p, v)) return false;
    if (t == WB_IOC_IP && v->len > 0 && memchr(v->data, '/', v->len) != NULL) t = WB_IOC_CIDR;
    wb_ioc_in in = *p->base;
    in.type = t;
    in.value = v->data ? v->data : "";
    in.len = v->len;
    if (p->rc == 0) p->rc = wbi_add(p->ctx, &in);
    return true;
}

/* Inside brackets: comparison (OR comparison)*, with parentheses. */
static bool comparison_expr(pat *p)
{
    if (++p->depth > MAX_DEPTH) return false;
    do {
        if (punct(p, '(')) {
            if (!comparison_expr(p) || !punct(p, ')')) return false;
        } else if (!comparison(p)) {
            return false;
        }
        ws(p);
    } while (keyword(p, "OR"));
    p->depth--;
    return true;
}

/* Observation expressions: [ ... ] (OR [ ... ])*, with parentheses. */
static bool observation_expr(pat *p)
{
    if (++p->depth > MAX_DEPTH) return false;
    do {
        if (punct(p, '(')) {
            if (!observation_expr(p) || !punct(p, ')')) return false;
        } else if (punct(p, '[')) {
            if (!comparison_expr(p) || !punct(p, ']')) return false;
        } else {
            return false;
        }
        ws(p);
    } while (keyword(p, "OR"));
    p->depth--;
    return true;
}

static bool pattern_ok(pat *p)
{
    p->i = 0;
    p->depth = 0;
    if (!observation_expr(p)) return false;
    ws(p);
    return p->i == p->n; /* a trailing AND, FOLLOWEDBY or qualifier */
}

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
    pat p = {
        .s = json_string_value(pattern),
        .n = json_string_length(pattern),
        .ctx = ctx,
        .base = &base,
    };
    /* Validate the whole pattern before adding anything, so that an
     * indicator is either taken entirely or skipped entirely. */
    if (!pattern_ok(&p)) {
        wbi_skip(ctx, where, "unsupported STIX pattern");
        return 0;
    }
    p.emit = true;
    pattern_ok(&p);
    return p.rc;
}

bool wbi_stix_looks_like(const json_t *root)
{
    const json_t *o = json_is_array(root) ? json_array_get(root, 0) : root;
    const json_t *type = json_object_get(o, "type");
    if (!json_is_string(type)) return false;
    if (strcmp(json_string_value(type), "bundle") == 0) return true;
    return json_object_get(o, "spec_version") != NULL || json_object_get(o, "pattern") != NULL;
}

int wbi_stix_load(wbi_ctx *ctx, json_t *root)
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
