/*
 * misp.c - indicators from MISP JSON: one event ({"Event": ...} or a bare
 * event object), a list of events, a restSearch response ({"response": [...]},
 * or {"response": {"Attribute": [...]}} from an attribute search). A feed
 * directory is walked in detect.c, which hands each event file to this one.
 *
 * MISP writes flags and numbers sometimes as JSON booleans/integers and
 * sometimes as strings ("to_ids": "1", "deleted": "0"), so every flag goes
 * through wbi_json_flag. TLP comes from tags named "tlp:*" on the event
 * (Tag[] or EventTag[].Tag) and on the attribute; the stricter one applies.
 *
 * The text is read without a tree (jscan.h). An event's Tag (its TLP) and
 * uuid may come after its Attribute array, so each event's own members are
 * looked at first, skipping over the attribute arrays, and then the
 * attributes are walked; nothing is kept per attribute.
 */
#include <stdio.h>
#include <string.h>

#include "intel/intel.h"
#include "intel/jscan.h"

typedef struct misp_event {
    const char *uuid; /* NULL when the event has none */
    wb_tlp tlp;
} misp_event;

typedef struct misp {
    wbi_ctx *ctx;
    wbi_jdoc *d;
    wb_buf uuid; /* the current event's uuid */
    wb_buf s1;   /* scratch for decoded strings */
    wb_buf attr; /* the current attribute's uuid */
} misp;

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

static int nomem(misp *m)
{
    return wb_error_set(m->ctx->err, WB_ENOMEM, "out of memory");
}

/* The strictest "tlp:*" name in a Tag array (elements {"name": ...}) and
 * in a EventTag/AttributeTag array (elements {"Tag": {"name": ...}}),
 * given as the arrays' offsets (or WBI_JNONE). Unknown TLP names
 * ("tlp:ex:chr") are ignored. */
static int tags_tlp(misp *m, size_t tags, size_t links, wb_tlp *out)
{
    const wbi_jdoc *d = m->d;
    wb_tlp tlp = WB_TLP_UNSET;
    size_t arr[2] = {tags, links};
    for (int k = 0; k < 2; k++) {
        if (wbi_jscan_kind(d, arr[k]) != '[') continue;
        size_t it = arr[k], key = WBI_JNONE, t;
        while (wbi_jscan_next(d, &it, &key, &t)) {
            size_t tag = k == 0 ? t : wbi_jscan_get(d, t, "Tag");
            size_t name = wbi_jscan_get(d, tag, "name");
            if (wbi_jscan_kind(d, name) != '"') continue;
            const char *s;
            size_t n;
            if (wbi_jscan_str(d, name, &m->s1, &s, &n) != 0) return nomem(m);
            wb_tlp v;
            if (is_tlp_tag(s, n) && wb_tlp_parse(s, n, &v) == 0) tlp = wb_tlp_stricter(tlp, v);
        }
    }
    *out = tlp;
    return 0;
}

enum { A_DELETED, A_TYPE, A_VALUE, A_TO_IDS, A_UUID, A_TAG, A_ATAG, A_N };

static int load_attribute(misp *m, const misp_event *ev, size_t a)
{
    static const char *const keys[A_N] = {"deleted", "type", "value",       "to_ids",
                                          "uuid",    "Tag",  "AttributeTag"};
    wbi_ctx *ctx = m->ctx;
    const wbi_jdoc *d = m->d;
    wb_buf_reset(&ctx->where);
    if (wb_buf_printf(&ctx->where, "%s: %s.value", ctx->name, ctx->path.data) != 0) return nomem(m);
    const char *where = ctx->where.data;
    if (d->s[a] != '{') {
        wbi_skip(ctx, where, "attribute is not an object");
        return 0;
    }
    size_t v[A_N];
    wbi_jscan_members(d, a, keys, A_N, v);
    if (wbi_jscan_flag(d, v[A_DELETED])) {
        wbi_skip(ctx, where, "attribute is deleted");
        return 0;
    }
    if (wbi_jscan_kind(d, v[A_TYPE]) != '"' || wbi_jscan_kind(d, v[A_VALUE]) != '"') {
        wbi_skip(ctx, where, "attribute without a type or value string");
        return 0;
    }
    if (!ctx->opts->all_attributes && !wbi_jscan_flag(d, v[A_TO_IDS])) {
        wbi_skip(ctx, where, "to_ids is false");
        return 0;
    }
    const char *ts;
    size_t tn;
    if (wbi_jscan_str(d, v[A_TYPE], &m->s1, &ts, &tn) != 0) return nomem(m);
    const wbi_misp_type *t = wbi_misp_type_find(ts, tn);
    if (t == NULL) {
        wbi_skip(ctx, where, wbi_misp_unsupported_reason(ts, tn));
        return 0;
    }
    wb_tlp atlp;
    int rc = tags_tlp(m, v[A_TAG], v[A_ATAG], &atlp);
    if (rc) return rc;
    const char *attr = NULL;
    if (wbi_jscan_kind(d, v[A_UUID]) == '"') {
        if (wbi_jscan_str_copy(d, v[A_UUID], &m->attr) != 0) return nomem(m);
        attr = m->attr.data;
    }
    const char *vs;
    size_t vn;
    if (wbi_jscan_str(d, v[A_VALUE], &m->s1, &vs, &vn) != 0) return nomem(m);
    wb_ioc_in in = {
        .value = vs,
        .len = vn,
        .event = ev->uuid,
        .attribute = attr,
        .tlp = wb_tlp_stricter(ev->tlp, atlp),
        .valid_until = WB_TIME_NONE,
        .source = ctx->source,
        .where = where,
    };
    return wbi_emit_misp(ctx, t, &in);
}

static int load_attributes(misp *m, const misp_event *ev, size_t arr)
{
    wbi_ctx *ctx = m->ctx;
    if (arr == WBI_JNONE) return 0;
    if (m->d->s[arr] != '[') {
        wbi_skip(ctx, NULL, "Attribute is not an array");
        return 0;
    }
    size_t it = arr, key = WBI_JNONE, a, i = 0, saved;
    while (wbi_jscan_next(m->d, &it, &key, &a)) {
        int rc = path_push(ctx, &saved, ".Attribute", i++, true);
        if (rc == 0) rc = load_attribute(m, ev, a);
        path_pop(ctx, saved);
        if (rc) return rc;
        wbi_jdoc_release(m->d, a);
    }
    return 0;
}

enum { E_UUID, E_TAG, E_ETAG, E_ATTRIBUTE, E_OBJECT, E_N };

static int load_event(misp *m, size_t e)
{
    static const char *const keys[E_N] = {"uuid", "Tag", "EventTag", "Attribute", "Object"};
    wbi_ctx *ctx = m->ctx;
    const wbi_jdoc *d = m->d;
    if (d->s[e] != '{') {
        wbi_skip(ctx, NULL, "event is not an object");
        return 0;
    }
    /* One look over the event's own members first: its Tag and uuid may
     * follow the attributes they apply to. */
    size_t v[E_N];
    wbi_jscan_members(d, e, keys, E_N, v);
    misp_event ev = {NULL, WB_TLP_UNSET};
    if (wbi_jscan_kind(d, v[E_UUID]) == '"') {
        if (wbi_jscan_str_copy(d, v[E_UUID], &m->uuid) != 0) return nomem(m);
        ev.uuid = m->uuid.data;
    }
    int rc = tags_tlp(m, v[E_TAG], v[E_ETAG], &ev.tlp);
    if (rc == 0) rc = load_attributes(m, &ev, v[E_ATTRIBUTE]);
    if (rc == 0 && wbi_jscan_kind(d, v[E_OBJECT]) == '[') {
        size_t it = v[E_OBJECT], key = WBI_JNONE, o, i = 0, saved;
        static const char *const okeys[] = {"deleted", "Attribute"};
        while (wbi_jscan_next(d, &it, &key, &o)) {
            size_t idx = i++, ov[2];
            if (d->s[o] != '{') continue;
            wbi_jscan_members(d, o, okeys, 2, ov);
            if (wbi_jscan_flag(d, ov[0])) {
                wbi_skip(ctx, NULL, "object is deleted");
                continue;
            }
            rc = path_push(ctx, &saved, ".Object", idx, true);
            if (rc == 0) rc = load_attributes(m, &ev, ov[1]);
            path_pop(ctx, saved);
            if (rc) break;
        }
    }
    return rc;
}

/* One element of a list of events or of a restSearch response. */
static int load_wrapped(misp *m, size_t el)
{
    size_t e = wbi_jscan_get(m->d, el, "Event");
    if (e == WBI_JNONE) return load_event(m, el);
    size_t saved;
    int rc = path_push(m->ctx, &saved, ".Event", 0, false);
    if (rc == 0) rc = load_event(m, e);
    path_pop(m->ctx, saved);
    return rc;
}

static int load_list(misp *m, size_t arr)
{
    size_t it = arr, key = WBI_JNONE, el, i = 0, saved;
    while (wbi_jscan_next(m->d, &it, &key, &el)) {
        int rc = path_push(m->ctx, &saved, "", i++, true);
        if (rc == 0) rc = load_wrapped(m, el);
        path_pop(m->ctx, saved);
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

static int load_root(misp *m)
{
    wbi_ctx *ctx = m->ctx;
    const wbi_jdoc *d = m->d;
    size_t root = wbi_jscan_root(d);
    if (d->s[root] == '[') return set_path(ctx, "$") ? WB_ENOMEM : load_list(m, root);
    if (d->s[root] != '{')
        return wb_error_set(ctx->err, WB_EFORMAT, "%s: $: a MISP file holds an object or a list",
                            ctx->name);
    enum { R_EVENT, R_RESPONSE, R_ATTRIBUTE, R_OBJECT, R_INFO, R_UUID, R_N };
    static const char *const keys[R_N] = {"Event",  "response", "Attribute",
                                          "Object", "info",     "uuid"};
    size_t v[R_N];
    wbi_jscan_members(d, root, keys, R_N, v);
    if (v[R_EVENT] != WBI_JNONE)
        return set_path(ctx, "$.Event") ? WB_ENOMEM : load_event(m, v[R_EVENT]);
    char rk = wbi_jscan_kind(d, v[R_RESPONSE]);
    if (rk == '[') return set_path(ctx, "$.response") ? WB_ENOMEM : load_list(m, v[R_RESPONSE]);
    if (rk == '{') {
        /* restSearch on attributes: {"response": {"Attribute": [...]}} */
        misp_event none = {NULL, WB_TLP_UNSET};
        if (set_path(ctx, "$.response")) return WB_ENOMEM;
        return load_attributes(m, &none, wbi_jscan_get(d, v[R_RESPONSE], "Attribute"));
    }
    if (v[R_ATTRIBUTE] != WBI_JNONE || v[R_OBJECT] != WBI_JNONE ||
        (v[R_INFO] != WBI_JNONE && v[R_UUID] != WBI_JNONE))
        return set_path(ctx, "$") ? WB_ENOMEM : load_event(m, root);
    /* A feed's manifest.json maps event uuids to summaries without
     * attributes. Its first member tells. */
    size_t it = root, key = 0, val;
    if (wbi_jscan_next(d, &it, &key, &val) && d->s[val] == '{' &&
        wbi_jscan_get(d, val, "info") != WBI_JNONE)
        return wb_error_set(ctx->err, WB_EFORMAT,
                            "%s: $: this is a MISP feed manifest: load its directory", ctx->name);
    return wb_error_set(ctx->err, WB_EFORMAT,
                        "%s: $: no MISP event (expected Event, a list of events or response)",
                        ctx->name);
}

int wbi_misp_load(wbi_ctx *ctx, wbi_jdoc *d)
{
    misp m = {.ctx = ctx, .d = d};
    int rc = load_root(&m);
    wb_buf_free(&m.uuid);
    wb_buf_free(&m.s1);
    wb_buf_free(&m.attr);
    return rc;
}
