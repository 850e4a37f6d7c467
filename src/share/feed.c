/*
 * feed.c - MISP feeds out of a hub database (feed.h): manifest.json, one
 * {uuid}.json per event and hashes.csv, as one principal may see them.
 *
 * Everything is written through a wb_feed_write_fn in 64 KiB pieces while
 * the store is walked, so memory stays bounded by one event's objects
 * (attributes of MISP objects wait until their object is written; plain
 * attributes go straight out), whatever the size of the feed. The walk
 * over attributes runs inside the walk over events: SQLite allows a second
 * statement on the connection while the first is stepping, and the
 * alternative - collecting every event first - is what would not be
 * bounded.
 *
 * The format is MISP's own (app/Model/Feed.php reads it; PyMISP's
 * feed_generator writes it): the manifest's analysis, threat_level_id and
 * timestamp are JSON integers, the event files keep MISP's strings.
 * Distribution and sharing groups are this hub's audiences and mean nothing
 * elsewhere, local tags are local: none of them is written.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core_internal.h"
#include "share/share_internal.h"

#define OUT_CHUNK 65536

/* ---- buffered output --------------------------------------------------------------- */

typedef struct out {
    wb_feed_write_fn w;
    void *ud;
    wb_buf buf;
    int rc;
    wb_error *err;
} out;

static int out_flush(out *o)
{
    if (o->rc == 0 && o->buf.len > 0) {
        if (o->w(o->ud, o->buf.data, o->buf.len) != 0)
            o->rc = wb_error_set(o->err, WB_EIO, "output closed");
        wb_buf_reset(&o->buf);
    }
    return o->rc;
}

static int out_put(out *o, const char *p, size_t n)
{
    if (o->rc) return o->rc;
    if (wb_buf_append(&o->buf, p, n) != 0)
        return o->rc = wb_error_set(o->err, WB_ENOMEM, "out of memory");
    return o->buf.len >= OUT_CHUNK ? out_flush(o) : 0;
}

static int out_puts(out *o, const char *s)
{
    return out_put(o, s, strlen(s));
}

static int dump_cb(const char *p, size_t n, void *ud)
{
    return out_put(ud, p, n) == 0 ? 0 : -1;
}

static int out_json(out *o, const json_t *j)
{
    if (o->rc) return o->rc;
    if (json_dump_callback(j, dump_cb, o, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0 && o->rc == 0)
        o->rc = wb_error_set(o->err, WB_ENOMEM, "out of memory");
    return o->rc;
}

/* ---- policy -------------------------------------------------------------------------- */

static bool visible(const wb_principal *p, const wb_event_rec *e, const wb_attr_rec *a,
                    wb_feed_stats *stats)
{
    wb_policy_item it = wbi_policy_item_of(e, a);
    wb_access acc = wb_policy_read(p, WB_READ_FEED, &it);
    if (acc == WB_ALLOW_AUDITED) stats->admin_reads++;
    return acc != WB_DENY;
}

/* A feed carries published events only, as a MISP feed does. */
static bool listed(const wb_principal *p, const wb_event_rec *e, wb_feed_stats *stats)
{
    return e->published && !e->deleted && visible(p, e, NULL, stats);
}

typedef struct org_find {
    int64_t id;
} org_find;

static int org_cb(void *ud, const wb_org *o)
{
    ((org_find *)ud)->id = o->id;
    return 1;
}

int wb_feed_principal(wb_store *st, const char *org, wb_principal *p, wb_error *err)
{
    memset(p, 0, sizeof *p);
    if (org == NULL || org[0] == '\0') return 0;
    org_find f = {0};
    int rc = wb_store_org_find(st, org, org_cb, &f, err);
    if (rc == 0 && f.id == 0) rc = WB_ENOTFOUND;
    if (rc == WB_ENOTFOUND)
        return wb_error_set(err, WB_ENOTFOUND, "unknown organisation '%s'", org);
    if (rc) return rc;
    p->authenticated = true;
    p->org_id = f.id;
    p->role = WB_ROLE_MEMBER;
    return wb_store_org_sgroups(st, f.id, p->groups, WB_PRINCIPAL_MAX_GROUPS, &p->ngroups, err);
}

/* ---- what a feed keeps of an event --------------------------------------------------- */

/* MISP's local tags stay on the instance that set them. */
static bool tag_local(const json_t *t)
{
    const json_t *l = json_object_get(t, "local");
    if (json_is_true(l)) return true;
    if (json_is_integer(l)) return json_integer_value(l) != 0;
    if (json_is_string(l)) return strcmp(json_string_value(l), "1") == 0;
    return false;
}

/* A tag named as a TLP level weerbaar knows ("tlp:ex:chr" is not one). */
static bool tlp_tag(const char *name, wb_tlp *level)
{
    size_t n = strlen(name);
    return n > 4 && wb_strn_ieq(name, 4, "tlp:") && wb_tlp_parse(name, n, level) == 0;
}

json_t *wbi_tags_effective(const json_t *obj, const char *link_key, wb_tlp eff, bool add, bool feed)
{
    json_t *outa = json_array();
    if (outa == NULL) return NULL;
    const char *keys[2] = {"Tag", link_key};
    bool have = false, had = false;
    for (int k = 0; k < 2; k++) {
        const json_t *arr = keys[k] ? json_object_get(obj, keys[k]) : NULL;
        size_t i;
        json_t *t;
        json_array_foreach(arr, i, t)
        {
            /* EventTag/AttributeTag: [{"local": ..., "Tag": {"name": ...}}] */
            json_t *tag = k == 0 ? t : json_object_get(t, "Tag");
            const json_t *name = json_object_get(tag, "name");
            if (!json_is_string(name)) continue;
            if (feed && (tag_local(t) || tag_local(tag))) continue;
            wb_tlp level;
            if (tlp_tag(json_string_value(name), &level)) {
                had = true;
                /* A weaker (or, once one is kept, a repeated) level goes:
                 * what is written must be what the hub enforced. */
                if (level != eff || have) continue;
                have = true;
            }
            json_t *o = tag;
            if (feed) {
                o = json_pack("{s:O}", "name", name);
                const json_t *colour = json_object_get(tag, "colour");
                if (o && json_is_string(colour)) json_object_set(o, "colour", (json_t *)colour);
            } else {
                json_incref(o);
            }
            json_array_append_new(outa, o);
        }
    }
    if (!have && (add || had)) {
        const char *lv = wb_tlp_name(eff);
        char name[32];
        snprintf(name, sizeof name, "tlp:%s", lv ? lv : "amber");
        json_array_append_new(outa, json_pack("{s:s}", "name", name));
    }
    return outa;
}

void wbi_tags_set_effective(json_t *obj, const char *link_key, wb_tlp eff, bool add)
{
    if (!add && json_object_get(obj, "Tag") == NULL && json_object_get(obj, link_key) == NULL)
        return;
    json_t *tags = wbi_tags_effective(obj, link_key, eff, add, false);
    if (tags == NULL) return;
    json_object_set_new(obj, "Tag", tags);
    json_object_del(obj, link_key);
}

static void copy_keys(json_t *dst, const json_t *src, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(src, keys[i]);
        if (v && !json_is_null(v)) json_object_set(dst, keys[i], v);
    }
}

static const char *const attr_keys[] = {
    "category",   "comment",   "data",           "disable_correlation",
    "first_seen", "last_seen", "object_relation"};
static const char *const object_keys[] = {"name",       "meta-category", "description",
                                          "comment",    "template_uuid", "template_version",
                                          "first_seen", "last_seen",     "ObjectReference"};
static const char *const event_keys[] = {"info", "threat_level_id",   "analysis",
                                         "date", "publish_timestamp", "extends_uuid"};

static char *i64s(char buf[24], int64_t v)
{
    snprintf(buf, 24, "%lld", (long long)v);
    return buf;
}

/* The feed form of a stored attribute whose effective TLP is eff; NULL
 * when its JSON is unreadable. */
static json_t *feed_attr(const wb_attr_rec *a, wb_tlp eff)
{
    json_t *src = json_loads(a->json, 0, NULL);
    if (!json_is_object(src)) {
        json_decref(src);
        return NULL;
    }
    char ts[24];
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:b,s:b,s:s}", "uuid", a->uuid, "type", a->type, "value", a->value,
                  "to_ids", a->to_ids, "deleted", 0, "timestamp", i64s(ts, a->timestamp));
    if (o) {
        copy_keys(o, src, attr_keys, sizeof attr_keys / sizeof attr_keys[0]);
        /* Its tags and those of MISP's AttributeTag shape, its own TLP
         * raised to the effective one (an attribute without one inherits
         * the event's, as in MISP). */
        json_t *tags = wbi_tags_effective(src, "AttributeTag", eff, a->tlp != WB_TLP_UNSET, true);
        if (json_array_size(tags) > 0)
            json_object_set_new(o, "Tag", tags);
        else
            json_decref(tags);
    }
    json_decref(src);
    return o;
}

/* ---- the fast path for attributes ----------------------------------------------------- */

/* A stored attribute is jansson's compact dump of an object the hub built
 * (event.c), so the members a feed carries can be copied from it as they
 * are, without a jansson tree per attribute: the tree, built and dumped
 * again, was more than half of the export's time (41,000 attributes/s on a
 * busy 2-core machine, where the issue asks for 1M in 5 s). The scanner
 * below only finds where each top-level member starts and ends; anything
 * it does not expect, and every attribute with tags (local tags must be
 * filtered), goes the jansson way (feed_attr). fuzz/fuzz_feed.c checks it
 * against jansson. */

/* Index just past the string starting at s[i] == '"', or 0. */
static size_t skip_string(const char *s, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\') {
            i++;
        } else if (s[i] == '"') {
            return i + 1;
        } else if ((unsigned char)s[i] < 0x20) {
            return 0;
        }
    }
    return 0;
}

/* Index just past the JSON value starting at s[i], or 0. Nesting is
 * bounded by the depth the hub accepted at ingest. */
static size_t skip_value(const char *s, size_t n, size_t i)
{
    if (i >= n) return 0;
    if (s[i] == '"') return skip_string(s, n, i);
    if (s[i] == '{' || s[i] == '[') {
        unsigned depth = 0;
        for (; i < n; i++) {
            char c = s[i];
            if (c == '"') {
                size_t j = skip_string(s, n, i);
                if (j == 0) return 0;
                i = j - 1;
            } else if (c == '{' || c == '[') {
                if (++depth > 64) return 0;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) return i + 1;
            }
        }
        return 0;
    }
    size_t start = i;
    while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']')
        i++;
    return i > start ? i : 0;
}

static bool feed_key(const char *k, size_t n)
{
    static const char *const keys[] = {"uuid",
                                       "type",
                                       "value",
                                       "category",
                                       "comment",
                                       "data",
                                       "to_ids",
                                       "deleted",
                                       "timestamp",
                                       "first_seen",
                                       "last_seen",
                                       "object_relation",
                                       "disable_correlation"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strlen(keys[i]) == n && memcmp(keys[i], k, n) == 0) return true;
    return false;
}

int wbi_feed_attr_fast(const char *json, size_t n, wb_buf *dst)
{
    wb_buf_reset(dst);
    size_t i = 0;
    if (n < 2 || json[0] != '{') return 1;
    i = 1;
    int seen = 0; /* uuid, type, value */
    bool first = true;
    if (wb_buf_putc(dst, '{') != 0) return -1;
    while (i < n && json[i] != '}') {
        if (json[i] != '"') return 1;
        size_t kend = skip_string(json, n, i);
        if (kend == 0 || kend >= n || json[kend] != ':') return 1;
        const char *key = json + i + 1;
        size_t klen = kend - i - 2;
        size_t vend = skip_value(json, n, kend + 1);
        if (vend == 0) return 1;
        if ((klen == 3 && memcmp(key, "Tag", 3) == 0) ||
            (klen == 12 && memcmp(key, "AttributeTag", 12) == 0))
            return 1;
        if (feed_key(key, klen)) {
            if ((klen == 4 && memcmp(key, "uuid", 4) == 0) ||
                (klen == 4 && memcmp(key, "type", 4) == 0) ||
                (klen == 5 && memcmp(key, "value", 5) == 0))
                seen++;
            if ((!first && wb_buf_putc(dst, ',') != 0) ||
                wb_buf_append(dst, json + i, vend - i) != 0)
                return -1;
            first = false;
        }
        i = vend;
        if (i < n && json[i] == ',') i++;
    }
    if (i + 1 != n || seen != 3) return 1;
    return wb_buf_putc(dst, '}') != 0 ? -1 : 0;
}

/* The organisation that made the event: the one a pulled feed named
 * (kept in the stored JSON), else the creator on this hub. */
static json_t *orgc_of(const json_t *stored, const wb_event_rec *e)
{
    const json_t *o = json_object_get(stored, "Orgc");
    const json_t *name = json_object_get(o, "name"), *uuid = json_object_get(o, "uuid");
    if (json_is_string(name) && json_is_string(uuid))
        return json_pack("{s:O,s:O}", "name", name, "uuid", uuid);
    return json_pack("{s:s,s:s}", "name", e->org_name ? e->org_name : "", "uuid",
                     e->org_uuid ? e->org_uuid : "");
}

/* A MISP number that may be written as a string: as an integer, or def. */
static json_int_t int_of(const json_t *v, json_int_t def)
{
    int64_t x;
    if (json_is_integer(v)) return json_integer_value(v);
    if (json_is_string(v) &&
        wb_parse_i64(json_string_value(v), json_string_length(v), 0, INT64_MAX, &x) == 0)
        return (json_int_t)x;
    return def;
}

/* ---- an index of uuids ------------------------------------------------------------ */

int wbi_uuid_index_init(wbi_uuid_index *x, size_t n)
{
    memset(x, 0, sizeof *x);
    size_t cap = 16;
    while (cap < 2 * n) {
        if (cap > SIZE_MAX / 4 / sizeof *x->keys) return WB_ENOMEM;
        cap *= 2;
    }
    x->keys = calloc(cap, sizeof *x->keys);
    x->vals = calloc(cap, sizeof *x->vals);
    if (x->keys == NULL || x->vals == NULL) {
        wbi_uuid_index_free(x);
        return WB_ENOMEM;
    }
    x->cap = cap;
    return 0;
}

static size_t uuid_slot(const wbi_uuid_index *x, const char *uuid)
{
    size_t k = (size_t)wb_hash64(uuid, strlen(uuid), 0) & (x->cap - 1);
    while (x->keys[k] && strcmp(x->keys[k], uuid) != 0)
        k = (k + 1) & (x->cap - 1);
    return k;
}

int wbi_uuid_index_put(wbi_uuid_index *x, const char *uuid, size_t v)
{
    if ((x->used + 1) * 2 > x->cap) return WB_ENOMEM; /* sized at init */
    size_t k = uuid_slot(x, uuid);
    if (x->keys[k] == NULL) x->used++;
    x->keys[k] = uuid;
    x->vals[k] = v;
    return 0;
}

bool wbi_uuid_index_get(const wbi_uuid_index *x, const char *uuid, size_t *v)
{
    if (x->cap == 0) return false;
    size_t k = uuid_slot(x, uuid);
    if (x->keys[k] == NULL) return false;
    *v = x->vals[k];
    return true;
}

void wbi_uuid_index_free(wbi_uuid_index *x)
{
    free(x->keys);
    free(x->vals);
    memset(x, 0, sizeof *x);
}

/* ---- event files -------------------------------------------------------------------- */

typedef struct obj_slot {
    const char *uuid;
    json_t *obj;  /* the object's feed form, without Attribute */
    wb_buf attrs; /* its attributes as JSON text, comma-separated */
    size_t nattrs;
} obj_slot;

typedef struct ev_walk {
    const wb_principal *p;
    const wb_event_rec *ev;
    wb_feed_stats *stats;
    out *file;   /* the event file, or NULL */
    out *hashes; /* hashes.csv lines, or NULL */
    size_t ntop;
    obj_slot *objs;
    size_t nobjs;
    /* object uuid -> index into objs: an event may hold 100,000 objects,
     * and a scan per attribute made writing it quadratic */
    wbi_uuid_index index;
    wb_buf scratch; /* one attribute's feed form */
    int rc;
    wb_error *err;
} ev_walk;

static obj_slot *find_slot(ev_walk *w, const char *uuid)
{
    size_t i;
    if (uuid == NULL || !wbi_uuid_index_get(&w->index, uuid, &i)) return NULL;
    return &w->objs[i];
}

static int hash_lines(out *o, const wb_attr_rec *a, const char *event_uuid)
{
    /* Composite values (domain|ip, filename|md5, malware-sample) are hashed
     * part by part, as MISP does, so that each part is found. */
    bool split = strchr(a->type, '|') != NULL || strcmp(a->type, "malware-sample") == 0;
    const char *v = a->value, *end = v + strlen(v);
    int n = 0;
    while (o->rc == 0) {
        const char *bar = split ? memchr(v, '|', (size_t)(end - v)) : NULL;
        const char *stop = bar ? bar : end;
        char line[32 + 1 + WB_UUID_LEN + 2];
        wbi_core_md5_hex(v, (size_t)(stop - v), line);
        line[32] = ',';
        memcpy(line + 33, event_uuid, WB_UUID_LEN);
        line[33 + WB_UUID_LEN] = '\n';
        out_put(o, line, sizeof line - 1);
        n++;
        if (bar == NULL) break;
        v = bar + 1;
    }
    return n;
}

static int ev_attr_cb(void *ud, const wb_event_rec *unused, const wb_attr_rec *a)
{
    (void)unused;
    ev_walk *w = ud;
    if (a->deleted || !visible(w->p, w->ev, a, w->stats)) return 0;
    w->stats->attributes++;
    if (w->hashes) w->stats->hashes += (size_t)hash_lines(w->hashes, a, w->ev->uuid);
    if (w->file == NULL) {
        w->rc = w->hashes->rc;
        return w->rc != 0;
    }
    /* An attribute with a TLP of its own goes the jansson way, which
     * writes its effective TLP; one without inherits the event's. */
    int fast =
        a->tlp != WB_TLP_UNSET ? 1 : wbi_feed_attr_fast(a->json, strlen(a->json), &w->scratch);
    if (fast < 0) {
        w->rc = wb_error_set(w->err, WB_ENOMEM, "out of memory");
        return 1;
    }
    if (fast > 0) {
        wb_policy_item it = wbi_policy_item_of(w->ev, a);
        json_t *j = feed_attr(a, wb_policy_tlp(&it));
        char *t = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(j);
        wb_buf_reset(&w->scratch);
        int bad = t == NULL || wb_buf_puts(&w->scratch, t) != 0;
        free(t);
        if (bad) {
            w->rc =
                wb_error_set(w->err, WB_EINTERNAL, "attribute %s: stored JSON unreadable", a->uuid);
            return 1;
        }
    }
    obj_slot *s = find_slot(w, a->object_uuid);
    if (s) {
        if ((s->nattrs && wb_buf_putc(&s->attrs, ',') != 0) ||
            wb_buf_append(&s->attrs, w->scratch.data, w->scratch.len) != 0)
            w->rc = wb_error_set(w->err, WB_ENOMEM, "out of memory");
        s->nattrs++;
    } else {
        if (w->ntop++) out_put(w->file, ",", 1);
        out_put(w->file, w->scratch.data, w->scratch.len);
    }
    if (w->rc == 0) w->rc = w->file->rc;
    if (w->rc == 0 && w->hashes) w->rc = w->hashes->rc;
    return w->rc != 0;
}

/* Writes one event (the caller checked that p may see it) into file and its
 * hash lines into hashes; either may be NULL. */
static int write_event(wb_store *st, const wb_principal *p, const wb_event_rec *e, out *file,
                       out *hashes, wb_feed_stats *stats, wb_error *err)
{
    json_t *stored = json_loads(e->json ? e->json : "", 0, NULL);
    if (!json_is_object(stored)) {
        json_decref(stored);
        return wb_error_set(err, WB_EINTERNAL, "event %s: stored JSON unreadable", e->uuid);
    }
    ev_walk w = {.p = p, .ev = e, .stats = stats, .file = file, .hashes = hashes, .err = err};
    int rc = 0;
    if (file) {
        char ts[24];
        json_t *h = json_pack("{s:s}", "uuid", e->uuid);
        copy_keys(h, stored, event_keys, sizeof event_keys / sizeof event_keys[0]);
        json_object_set_new(h, "date", json_string(e->date));
        json_object_set_new(h, "published", json_true());
        json_object_set_new(h, "timestamp", json_string(i64s(ts, e->timestamp)));
        json_object_set_new(h, "Orgc", orgc_of(stored, e));
        json_object_set_new(h, "Tag", wbi_tags_effective(stored, "EventTag", e->tlp, true, true));
        char *text = json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(h);
        if (text == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        if (rc == 0) {
            /* The header without its closing brace: the arrays follow. */
            out_puts(file, "{\"Event\":");
            out_put(file, text, strlen(text) - 1);
            out_puts(file, ",\"Attribute\":[");
        }
        free(text);
        json_t *objs = json_object_get(stored, "Object");
        size_t nobj = json_array_size(objs);
        w.objs = nobj ? calloc(nobj, sizeof *w.objs) : NULL;
        if (nobj && (w.objs == NULL || wbi_uuid_index_init(&w.index, nobj) != 0))
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < nobj; i++) {
            json_t *o = json_array_get(objs, i);
            const char *u = json_string_value(json_object_get(o, "uuid"));
            if (u == NULL) continue;
            size_t have;
            /* The first object of a uuid takes its attributes (as before). */
            if (wbi_uuid_index_get(&w.index, u, &have)) continue;
            if (wbi_uuid_index_put(&w.index, u, w.nobjs) != 0) {
                rc = wb_error_set(err, WB_ENOMEM, "out of memory");
                break;
            }
            obj_slot *s = &w.objs[w.nobjs++];
            s->uuid = u;
            s->obj = json_pack("{s:s,s:b}", "uuid", u, "deleted", 0);
            copy_keys(s->obj, o, object_keys, sizeof object_keys / sizeof object_keys[0]);
            json_t *ot = json_object_get(o, "timestamp");
            if (ot) json_object_set(s->obj, "timestamp", ot);
        }
    }
    if (rc == 0) rc = wb_store_attr_list(st, e->id, ev_attr_cb, &w, err);
    if (rc == 0) rc = w.rc;
    if (rc == 0 && file) {
        out_puts(file, "]");
        size_t written = 0;
        for (size_t i = 0; i < w.nobjs; i++) {
            obj_slot *s = &w.objs[i];
            /* An object none of whose attributes the caller may see goes too. */
            if (s->nattrs == 0) continue;
            out_puts(file, written++ ? "," : ",\"Object\":[");
            char *t = json_dumps(s->obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
            if (t == NULL) {
                rc = wb_error_set(err, WB_ENOMEM, "out of memory");
                break;
            }
            out_put(file, t, strlen(t) - 1);
            free(t);
            out_puts(file, ",\"Attribute\":[");
            out_put(file, s->attrs.data, s->attrs.len);
            out_puts(file, "]}");
        }
        if (written) out_puts(file, "]");
        out_puts(file, "}}");
        if (rc == 0) rc = file->rc;
    }
    for (size_t i = 0; i < w.nobjs; i++) {
        json_decref(w.objs[i].obj);
        wb_buf_free(&w.objs[i].attrs);
    }
    free(w.objs);
    wbi_uuid_index_free(&w.index);
    wb_buf_free(&w.scratch);
    json_decref(stored);
    if (rc == 0) stats->events++;
    return rc;
}

typedef struct one_ev {
    wb_event_rec ev;
    char *json, *uuid, *org_name, *org_uuid, *info, *date;
    bool found;
} one_ev;

static char *dupz(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int one_ev_cb(void *ud, const wb_event_rec *e)
{
    one_ev *o = ud;
    o->ev = *e;
    o->ev.json = o->json = dupz(e->json);
    o->ev.uuid = o->uuid = dupz(e->uuid);
    o->ev.org_name = o->org_name = dupz(e->org_name);
    o->ev.org_uuid = o->org_uuid = dupz(e->org_uuid);
    o->ev.info = o->info = dupz(e->info);
    o->ev.date = o->date = dupz(e->date);
    o->found = true;
    return 1;
}

static void one_ev_free(one_ev *o)
{
    free(o->json);
    free(o->uuid);
    free(o->org_name);
    free(o->org_uuid);
    free(o->info);
    free(o->date);
}

int wb_feed_event(wb_store *st, const wb_principal *p, const char *uuid, wb_feed_write_fn w,
                  void *ud, wb_feed_stats *stats, wb_error *err)
{
    if (uuid == NULL || !wb_uuid_valid(uuid, strlen(uuid)))
        return wb_error_set(err, WB_ENOTFOUND, "no such event");
    one_ev o = {0};
    int rc = wb_store_event_get(st, uuid, one_ev_cb, &o, err);
    if (rc == 0 && (!o.found || !listed(p, &o.ev, stats)))
        rc = wb_error_set(err, WB_ENOTFOUND, "no such event");
    if (rc == 0 && o.json == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    out f = {.w = w, .ud = ud, .err = err};
    if (rc == 0) rc = write_event(st, p, &o.ev, &f, NULL, stats, err);
    if (rc == 0) rc = out_flush(&f);
    wb_buf_free(&f.buf);
    one_ev_free(&o);
    return rc;
}

/* ---- manifest and hashes --------------------------------------------------------------- */

/* The manifest entry of an event: "uuid":{...}. */
static int manifest_entry(out *o, const wb_event_rec *e, bool first, wb_error *err)
{
    json_t *stored = json_loads(e->json ? e->json : "", 0, NULL);
    if (!json_is_object(stored)) {
        json_decref(stored);
        return wb_error_set(err, WB_EINTERNAL, "event %s: stored JSON unreadable", e->uuid);
    }
    json_t *m = json_object();
    json_object_set_new(m, "Orgc", orgc_of(stored, e));
    json_object_set_new(m, "Tag", wbi_tags_effective(stored, "EventTag", e->tlp, true, true));
    json_object_set_new(m, "info", json_string(e->info));
    json_object_set_new(m, "date", json_string(e->date));
    json_object_set_new(m, "analysis",
                        json_integer(int_of(json_object_get(stored, "analysis"), 0)));
    json_object_set_new(m, "threat_level_id",
                        json_integer(int_of(json_object_get(stored, "threat_level_id"), 4)));
    json_object_set_new(m, "timestamp", json_integer(e->timestamp));
    json_decref(stored);
    out_puts(o, first ? "\"" : ",\"");
    out_puts(o, e->uuid);
    out_puts(o, "\":");
    out_json(o, m);
    json_decref(m);
    return o->rc;
}

typedef struct list_walk {
    wb_store *st;
    const wb_principal *p;
    wb_feed_stats *stats;
    out *manifest, *hashes;
    const char *dir; /* export: event files go here */
    int rc;
    wb_error *err;
} list_walk;

static int file_write(void *ud, const char *p, size_t n)
{
    return fwrite(p, 1, n, ud) == n ? 0 : -1;
}

/* Opens DIR/name.tmp for writing. */
static FILE *tmp_open(const char *dir, const char *name, char *path, size_t cap, wb_error *err)
{
    snprintf(path, cap, "%s/%s.tmp", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL) wb_error_set(err, WB_EIO, "%s: %s", path, strerror(errno));
    return f;
}

/* Closes f and renames DIR/name.tmp to DIR/name; on failure removes it. */
static int tmp_commit(FILE *f, const char *dir, const char *name, int rc, wb_error *err)
{
    char tmp[4200], final[4200];
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
    snprintf(final, sizeof final, "%s/%s", dir, name);
    bool ok = fflush(f) == 0 && !ferror(f);
    ok = fclose(f) == 0 && ok;
    if (rc == 0 && !ok) rc = wb_error_set(err, WB_EIO, "%s: %s", tmp, strerror(errno));
    if (rc == 0 && rename(tmp, final) != 0)
        rc = wb_error_set(err, WB_EIO, "%s: %s", final, strerror(errno));
    if (rc) remove(tmp);
    return rc;
}

static int list_cb(void *ud, const wb_event_rec *e)
{
    list_walk *w = ud;
    if (!listed(w->p, e, w->stats)) return 0;
    if (w->manifest) {
        w->rc = manifest_entry(w->manifest, e, w->stats->events == 0, w->err);
        if (w->rc == 0 && w->dir == NULL) w->stats->events++;
    }
    if (w->rc == 0 && w->dir) {
        char name[WB_UUID_LEN + 8], path[4200];
        snprintf(name, sizeof name, "%s.json", e->uuid);
        FILE *f = tmp_open(w->dir, name, path, sizeof path, w->err);
        if (f == NULL) {
            w->rc = WB_EIO;
            return 1;
        }
        out fo = {.w = file_write, .ud = f, .err = w->err};
        w->rc = write_event(w->st, w->p, e, &fo, w->hashes, w->stats, w->err);
        if (w->rc == 0) w->rc = out_flush(&fo);
        wb_buf_free(&fo.buf);
        w->rc = tmp_commit(f, w->dir, name, w->rc, w->err);
    } else if (w->rc == 0 && w->hashes) {
        w->rc = write_event(w->st, w->p, e, NULL, w->hashes, w->stats, w->err);
    }
    return w->rc != 0;
}

int wb_feed_manifest(wb_store *st, const wb_principal *p, wb_feed_write_fn w, void *ud,
                     wb_feed_stats *stats, wb_error *err)
{
    out o = {.w = w, .ud = ud, .err = err};
    list_walk lw = {.st = st, .p = p, .stats = stats, .manifest = &o, .err = err};
    wb_event_filter f = {0};
    out_puts(&o, "{");
    int rc = wb_store_event_list(st, &f, list_cb, &lw, err);
    if (rc == 0) rc = lw.rc;
    if (rc == 0) out_puts(&o, "}");
    if (rc == 0) rc = out_flush(&o);
    wb_buf_free(&o.buf);
    return rc;
}

int wb_feed_hashes(wb_store *st, const wb_principal *p, wb_feed_write_fn w, void *ud,
                   wb_feed_stats *stats, wb_error *err)
{
    out o = {.w = w, .ud = ud, .err = err};
    list_walk lw = {.st = st, .p = p, .stats = stats, .hashes = &o, .err = err};
    wb_event_filter f = {0};
    int rc = wb_store_event_list(st, &f, list_cb, &lw, err);
    if (rc == 0) rc = lw.rc;
    if (rc == 0) rc = out_flush(&o);
    wb_buf_free(&o.buf);
    return rc;
}

/* True for "<uuid>.json": a file an earlier export wrote. */
static bool feed_file(const char *name)
{
    size_t n = strlen(name);
    return n == WB_UUID_LEN + 5 && strcmp(name + WB_UUID_LEN, ".json") == 0 &&
           wb_uuid_valid(name, WB_UUID_LEN);
}

/* Removes what an earlier export left, so that an event no longer visible
 * (or visible only to another --as) does not stay behind in the
 * directory. Only files of a feed's own names are touched. */
static int clear_dir(const char *dir, wb_error *err)
{
    DIR *d = opendir(dir);
    if (d == NULL) return wb_error_set(err, WB_EIO, "%s: %s", dir, strerror(errno));
    struct dirent *de;
    int rc = 0;
    char path[4200];
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (!feed_file(de->d_name) && strcmp(de->d_name, "manifest.json") != 0 &&
            strcmp(de->d_name, "hashes.csv") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (remove(path) != 0) rc = wb_error_set(err, WB_EIO, "%s: %s", path, strerror(errno));
    }
    closedir(d);
    return rc;
}

int wb_feed_export(wb_store *st, const wb_principal *p, const char *dir, wb_feed_stats *stats,
                   wb_error *err)
{
    if (strlen(dir) > 4000) return wb_error_set(err, WB_EINVAL, "%.64s...: path too long", dir);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return wb_error_set(err, WB_EIO, "%s: %s", dir, strerror(errno));
    int rc = clear_dir(dir, err);
    if (rc) return rc;
    char mpath[4200], hpath[4200];
    FILE *mf = tmp_open(dir, "manifest.json", mpath, sizeof mpath, err);
    if (mf == NULL) return WB_EIO;
    FILE *hf = tmp_open(dir, "hashes.csv", hpath, sizeof hpath, err);
    if (hf == NULL) {
        fclose(mf);
        remove(mpath);
        return WB_EIO;
    }
    /* One walk writes all three: each event's manifest entry, its file and
     * its hash lines. */
    out mo = {.w = file_write, .ud = mf, .err = err};
    out ho = {.w = file_write, .ud = hf, .err = err};
    list_walk lw = {
        .st = st, .p = p, .stats = stats, .manifest = &mo, .hashes = &ho, .dir = dir, .err = err};
    wb_event_filter f = {0};
    out_puts(&mo, "{");
    rc = wb_store_event_list(st, &f, list_cb, &lw, err);
    if (rc == 0) rc = lw.rc;
    if (rc == 0) out_puts(&mo, "}\n");
    if (rc == 0) rc = out_flush(&mo);
    if (rc == 0) rc = out_flush(&ho);
    wb_buf_free(&mo.buf);
    wb_buf_free(&ho.buf);
    /* hashes.csv and then the manifest last: a reader that finds the new
     * manifest finds every file it names. */
    rc = tmp_commit(hf, dir, "hashes.csv", rc, err);
    rc = tmp_commit(mf, dir, "manifest.json", rc, err);
    return rc;
}
