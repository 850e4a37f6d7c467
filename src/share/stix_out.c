/*
 * stix_out.c - an event as a STIX 2.1 bundle (GET /api/v1/events/{uuid}/stix).
 *
 * The bundle holds an identity for the organisation that made the event,
 * the TLP 2.0 marking definitions it uses (the official OASIS objects with
 * the TLP 2.0 extension, so any STIX consumer knows them by id), and an
 * indicator per visible to_ids attribute whose MISP type has a STIX
 * pattern. Attributes without to_ids are not indicators in MISP's sense
 * and are left out, as `weerbaar match -i` leaves them out of a MISP event.
 *
 * Composite MISP values are split where each part is an indicator on its
 * own - domain|ip gives a domain-name and an address indicator, the hash of
 * filename|sha256 is the indicator (the file name goes in its name) - and
 * ANDed where only the combination means something: ip-dst|port becomes one
 * network-traffic observation with address and port. Every indicator
 * carries the stricter of the event's and the attribute's TLP in
 * object_marking_refs and as its one tlp: label, and the other tags of
 * both (Tag and MISP's EventTag/AttributeTag shapes) as labels.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "share/share_internal.h"

#define TLP2_EXTENSION "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

/* The TLP 2.0 marking definitions as OASIS publishes them
 * (cti-stix-common-objects); index by wb_tlp. */
static const struct {
    const char *id, *name, *level;
} tlp_markings[] = {
    [WB_TLP_CLEAR] = {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR",
                      "clear"},
    [WB_TLP_GREEN] = {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN",
                      "green"},
    [WB_TLP_AMBER] = {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER",
                      "amber"},
    [WB_TLP_AMBER_STRICT] = {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
                             "TLP:AMBER+STRICT", "amber+strict"},
    [WB_TLP_RED] = {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED", "red"},
};

static json_t *marking_object(wb_tlp t)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:{s:s,s:s}}}", "type", "marking-definition",
                     "spec_version", "2.1", "id", tlp_markings[t].id, "created",
                     "2022-10-01T00:00:00.000Z", "name", tlp_markings[t].name, "extensions",
                     TLP2_EXTENSION, "extension_type", "property-extension", "tlp_2_0",
                     tlp_markings[t].level);
}

/* A STIX string literal: '...' with ' and \ escaped. */
static int lit(wb_buf *b, const char *s, size_t n)
{
    int rc = wb_buf_putc(b, '\'');
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (s[i] == '\'' || s[i] == '\\') rc = wb_buf_putc(b, '\\');
        if (rc == 0) rc = wb_buf_putc(b, s[i]);
    }
    if (rc == 0) rc = wb_buf_putc(b, '\'');
    return rc;
}

static const char *addr_type(const char *v, size_t n)
{
    return memchr(v, ':', n) ? "ipv6-addr" : "ipv4-addr";
}

/* One comparison "[type:prop = 'v']" into b. */
static int simple(wb_buf *b, const char *type, const char *prop, const char *v, size_t n)
{
    int rc = wb_buf_printf(b, "[%s:%s = ", type, prop);
    if (rc == 0) rc = lit(b, v, n);
    if (rc == 0) rc = wb_buf_putc(b, ']');
    return rc;
}

typedef enum pat_kind { P_NONE, P_ADDR, P_DOMAIN, P_URL, P_EMAIL, P_HASH, P_ADDR_PORT } pat_kind;

typedef struct stix_type {
    const char *misp;
    pat_kind kind;
    const char *hash; /* STIX hash name for P_HASH */
    int part;         /* -1 the whole value; 0/1 the part before/after '|'; 2 both parts */
    bool src;         /* ip-src|port: the source side of the traffic */
} stix_type;

static const stix_type stix_types[] = {
    {"ip-src", P_ADDR, NULL, -1, false},
    {"ip-dst", P_ADDR, NULL, -1, false},
    {"ip-src|port", P_ADDR_PORT, NULL, -1, true},
    {"ip-dst|port", P_ADDR_PORT, NULL, -1, false},
    {"domain", P_DOMAIN, NULL, -1, false},
    {"hostname", P_DOMAIN, NULL, -1, false},
    {"hostname|port", P_DOMAIN, NULL, 0, false},
    {"domain|ip", P_DOMAIN, NULL, 2, false},
    {"url", P_URL, NULL, -1, false},
    {"uri", P_URL, NULL, -1, false},
    {"md5", P_HASH, "MD5", -1, false},
    {"sha1", P_HASH, "'SHA-1'", -1, false},
    {"sha256", P_HASH, "'SHA-256'", -1, false},
    {"sha512", P_HASH, "'SHA-512'", -1, false},
    {"filename|md5", P_HASH, "MD5", 1, false},
    {"filename|sha1", P_HASH, "'SHA-1'", 1, false},
    {"filename|sha256", P_HASH, "'SHA-256'", 1, false},
    {"filename|sha512", P_HASH, "'SHA-512'", 1, false},
    {"malware-sample", P_HASH, "MD5", 1, false},
    {"email", P_EMAIL, NULL, -1, false},
    {"email-src", P_EMAIL, NULL, -1, false},
    {"email-dst", P_EMAIL, NULL, -1, false},
    {"email-reply-to", P_EMAIL, NULL, -1, false},
};

static const stix_type *stix_type_of(const char *misp)
{
    for (size_t i = 0; i < sizeof stix_types / sizeof stix_types[0]; i++)
        if (strcmp(stix_types[i].misp, misp) == 0) return &stix_types[i];
    return NULL;
}

/* A stable id for the n-th indicator made from one attribute: the
 * attribute's uuid for the first, a name-based one (RFC 9562 version 8,
 * from BLAKE2b) for the second, so the same export gives the same ids. */
static void indicator_id(const char *attr_uuid, int n, char out[64])
{
    if (n == 0) {
        snprintf(out, 64, "indicator--%s", attr_uuid);
        return;
    }
    char name[WB_UUID_LEN + 8];
    snprintf(name, sizeof name, "%s#%d", attr_uuid, n);
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)name, strlen(name), NULL, 0);
    h[6] = (unsigned char)((h[6] & 0x0f) | 0x80);
    h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
    snprintf(out, 64,
             "indicator--%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13],
             h[14], h[15]);
}

static void rfc3339(int64_t unix_s, char out[40])
{
    wb_time_format((wb_time)unix_s * 1000000, out, 40);
}

typedef struct stix_walk {
    const wb_principal *p;
    const wb_event_rec *ev;
    json_t *objects;
    json_t *event_labels;
    const char *identity;
    const char *info;
    bool used[WB_TLP_RED + 1];
    size_t *admin_reads;
    wb_buf pat;
    int rc;
    wb_error *err;
} stix_walk;

/* The names of an object's tags (Tag and MISP's EventTag/AttributeTag
 * shape) as labels, without TLP levels: the indicator's one TLP label is
 * added apart, the effective one (its marking's), never a weaker one the
 * data was posted with. */
static void add_labels(json_t *labels, const json_t *obj, const char *link_key)
{
    json_t *tags = wbi_tags_effective(obj, link_key, WB_TLP_AMBER, false, false);
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t)
    {
        json_t *name = json_object_get(t, "name");
        wb_tlp level;
        const char *v = json_string_value(name);
        if (v == NULL ||
            (strlen(v) > 4 && wb_strn_ieq(v, 4, "tlp:") && wb_tlp_parse(v, strlen(v), &level) == 0))
            continue;
        json_array_append(labels, name);
    }
    json_decref(tags);
}

/* Pattern of part `part` (-1 whole) of value v into w->pat; false when the
 * part is empty. */
static bool make_pattern(stix_walk *w, const stix_type *t, const char *v, int part,
                         const char **shown, size_t *shown_len)
{
    const char *bar = strchr(v, '|');
    const char *s = v;
    size_t n = strlen(v);
    if (part == 0 && bar) n = (size_t)(bar - v);
    if (part == 1) {
        if (bar == NULL) return false;
        s = bar + 1;
        n = strlen(s);
    }
    if (n == 0) return false;
    *shown = s;
    *shown_len = n;
    wb_buf_reset(&w->pat);
    int rc = 0;
    pat_kind k = t->kind;
    if (t->part == 2 && part == 1) k = P_ADDR; /* domain|ip: the address half */
    switch (k) {
    case P_ADDR:
        rc = simple(&w->pat, addr_type(s, n), "value", s, n);
        break;
    case P_DOMAIN:
        rc = simple(&w->pat, "domain-name", "value", s, n);
        break;
    case P_URL:
        rc = simple(&w->pat, "url", "value", s, n);
        break;
    case P_EMAIL:
        rc = simple(&w->pat, "email-addr", "value", s, n);
        break;
    case P_HASH: {
        char prop[32];
        snprintf(prop, sizeof prop, "hashes.%s", t->hash);
        rc = simple(&w->pat, "file", prop, s, n);
        break;
    }
    case P_ADDR_PORT: {
        /* The address and the port only mean something together. */
        const char *pb = memchr(s, '|', n);
        int64_t port;
        if (pb == NULL || pb == s ||
            wb_parse_i64(pb + 1, (size_t)(s + n - pb - 1), 0, 65535, &port) != 0)
            return false;
        size_t an = (size_t)(pb - s);
        const char *side = t->src ? "src" : "dst";
        rc = wb_buf_printf(
            &w->pat,
            "[network-traffic:%s_ref.type = '%s' AND network-traffic:%s_ref.value = ", side,
            addr_type(s, an), side);
        if (rc == 0) rc = lit(&w->pat, s, an);
        if (rc == 0)
            rc = wb_buf_printf(&w->pat, " AND network-traffic:%s_port = %lld]", side,
                               (long long)port);
        break;
    }
    case P_NONE:
        return false;
    }
    if (rc) w->rc = wb_error_set(w->err, WB_ENOMEM, "out of memory");
    return rc == 0;
}

static int stix_attr_cb(void *ud, const wb_event_rec *unused, const wb_attr_rec *a)
{
    (void)unused;
    stix_walk *w = ud;
    if (a->deleted || !a->to_ids) return 0;
    const stix_type *t = stix_type_of(a->type);
    if (t == NULL) return 0;
    wb_policy_item it = wbi_policy_item_of(w->ev, a);
    wb_access acc = wb_policy_read(w->p, WB_READ_STIX, &it);
    if (acc == WB_DENY) return 0;
    if (acc == WB_ALLOW_AUDITED) (*w->admin_reads)++;
    wb_tlp tlp = wb_policy_tlp(&it);
    if (tlp < WB_TLP_CLEAR || tlp > WB_TLP_RED) tlp = WB_TLP_AMBER;
    w->used[tlp] = true;
    json_t *src = json_loads(a->json, 0, NULL);
    json_t *labels = json_deep_copy(w->event_labels);
    add_labels(labels, src, "AttributeTag");
    char tlp_label[32];
    snprintf(tlp_label, sizeof tlp_label, "tlp:%s", tlp_markings[tlp].level);
    json_array_append_new(labels, json_string(tlp_label));
    char created[40], valid[40];
    rfc3339(a->timestamp, created);
    /* valid_from: when the attribute says it was first seen, else when it
     * was last changed. */
    const json_t *fs = json_object_get(src, "first_seen");
    wb_time ft;
    if (json_is_string(fs) &&
        wb_time_parse(json_string_value(fs), json_string_length(fs), &ft) == 0)
        wb_time_format(ft - ft % 1000000, valid, sizeof valid);
    else
        memcpy(valid, created, sizeof valid);
    int parts[2] = {t->part == 2 ? 0 : t->part, 1};
    int nparts = t->part == 2 ? 2 : 1;
    for (int i = 0; i < nparts && w->rc == 0; i++) {
        const char *shown;
        size_t shown_len;
        if (!make_pattern(w, t, a->value, parts[i], &shown, &shown_len)) continue;
        char id[64], name[160];
        indicator_id(a->uuid, i, id);
        snprintf(name, sizeof name, "%s: %.*s", a->type, (int)(shown_len > 120 ? 120 : shown_len),
                 shown);
        json_t *ind = json_pack(
            "{s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:s#,s:s,s:s,s:[s],s:O,s:[s]}", "type", "indicator",
            "spec_version", "2.1", "id", id, "created_by_ref", w->identity, "created", created,
            "modified", created, "description", w->info, "pattern", w->pat.data, w->pat.len,
            "pattern_type", "stix", "pattern_version", "2.1", "indicator_types",
            "malicious-activity", "labels", labels, "object_marking_refs", tlp_markings[tlp].id);
        if (ind == NULL) {
            w->rc = wb_error_set(w->err, WB_EINTERNAL, "attribute %s: cannot build its indicator",
                                 a->uuid);
            break;
        }
        json_object_set_new(ind, "name", json_string(name));
        json_object_set_new(ind, "valid_from", json_string(valid));
        if (json_array_size(labels) == 0) json_object_del(ind, "labels");
        json_array_append_new(w->objects, ind);
    }
    json_decref(labels);
    json_decref(src);
    return w->rc != 0;
}

int wbi_stix_bundle(wb_store *st, const wb_principal *p, const wb_event_rec *ev, json_t **out,
                    size_t *admin_reads, wb_error *err)
{
    *out = NULL;
    json_t *stored = json_loads(ev->json ? ev->json : "", 0, NULL);
    if (!json_is_object(stored)) {
        json_decref(stored);
        return wb_error_set(err, WB_EINTERNAL, "event %s: stored JSON unreadable", ev->uuid);
    }
    /* The organisation that made the event: a pulled feed's Orgc, else the
     * creator here. */
    const json_t *orgc = json_object_get(stored, "Orgc");
    const char *oname = json_string_value(json_object_get(orgc, "name"));
    const char *ouuid = json_string_value(json_object_get(orgc, "uuid"));
    if (oname == NULL || ouuid == NULL || !wb_uuid_valid(ouuid, strlen(ouuid))) {
        oname = ev->org_name ? ev->org_name : "";
        ouuid = ev->org_uuid ? ev->org_uuid : "";
    }
    char identity[64], created[40], uuid[WB_UUID_LEN + 1];
    snprintf(identity, sizeof identity, "identity--%s", ouuid);
    rfc3339(ev->timestamp, created);
    json_t *objects = json_array();
    json_array_append_new(objects, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "identity",
                                             "spec_version", "2.1", "id", identity, "created",
                                             created, "modified", created, "name", oname,
                                             "identity_class", "organization"));
    stix_walk w = {.p = p,
                   .ev = ev,
                   .objects = objects,
                   .event_labels = json_array(),
                   .identity = identity,
                   .info = ev->info,
                   .admin_reads = admin_reads,
                   .err = err};
    add_labels(w.event_labels, stored, "EventTag");
    int rc = wb_store_attr_list(st, ev->id, stix_attr_cb, &w, err);
    if (rc == 0) rc = w.rc;
    /* The identity's own marking is the event's TLP. */
    wb_tlp etlp = ev->tlp >= WB_TLP_CLEAR && ev->tlp <= WB_TLP_RED ? ev->tlp : WB_TLP_AMBER;
    json_object_set_new(json_array_get(objects, 0), "object_marking_refs",
                        json_pack("[s]", tlp_markings[etlp].id));
    w.used[etlp] = true;
    for (int t = WB_TLP_CLEAR; t <= WB_TLP_RED; t++)
        if (w.used[t]) json_array_append_new(objects, marking_object((wb_tlp)t));
    wb_buf_free(&w.pat);
    json_decref(w.event_labels);
    json_decref(stored);
    if (rc) {
        json_decref(objects);
        return rc;
    }
    wb_uuid_v4(uuid);
    char bid[64];
    snprintf(bid, sizeof bid, "bundle--%s", uuid);
    *out = json_pack("{s:s,s:s,s:o}", "type", "bundle", "id", bid, "objects", objects);
    return *out ? 0 : wb_error_set(err, WB_ENOMEM, "out of memory");
}
