/*
 * catalogue.c - loading a control catalogue from the YAML library format of
 * intuitem's CISO Assistant into a tree of requirement nodes.
 *
 * The file's top level has urn, ref_id, name, description, copyright,
 * provider, locale and translations; objects.framework.requirement_nodes is
 * a list of nodes with urn, parent_urn, ref_id, name, description,
 * annotation, assessable, depth and translations {lang: {name, description,
 * annotation}}. weerbaar's principles catalogue adds nis2_measures (a list of
 * letters a-j) and maps_to ({catalogue: [refs]}) to a node. Every other key
 * (implementation_groups, reference_controls, scores_definition, ...) is
 * ignored so that newer library files still load.
 *
 * Parents come before their children in every library file; a parent_urn
 * that names no earlier node is an error rather than something to repair.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess/assess_internal.h"
#include "weerbaar/io.h"

struct wb_cat_index {
    size_t mask;
    struct cat_slot {
        const char *key;
        size_t node;
    } * slots;
};

typedef struct load_ctx {
    const char *src;
    wb_catalogue *cat;
    wb_error *err;
} load_ctx;

static int oom(wb_error *err)
{
    return wb_error_set(err, WB_ENOMEM, "out of memory");
}

/* ---- scalars ---------------------------------------------------------------- */

/* A text field: absent or null gives NULL; a collection is an error. */
static int get_text(load_ctx *c, const wbi_ynode *map, const char *key, const char *what,
                    const char **out)
{
    const wbi_ynode *v = wbi_ymap_get(map, key);
    *out = NULL;
    if (v == NULL || wbi_yscalar_is_null(v)) return 0;
    if (v->kind != WBI_Y_SCALAR)
        return wb_error_set(c->err, WB_EPARSE, "%s:%zu: %s: %s must be text", c->src, v->line, what,
                            key);
    *out = v->s;
    return 0;
}

static int get_bool(load_ctx *c, const wbi_ynode *map, const char *key, const char *what, bool *out)
{
    const wbi_ynode *v = wbi_ymap_get(map, key);
    *out = false;
    if (v == NULL || wbi_yscalar_is_null(v)) return 0;
    if (v->kind == WBI_Y_SCALAR && v->plain) {
        if (wb_strn_ieq(v->s, v->len, "true") || wb_strn_ieq(v->s, v->len, "yes")) {
            *out = true;
            return 0;
        }
        if (wb_strn_ieq(v->s, v->len, "false") || wb_strn_ieq(v->s, v->len, "no")) return 0;
    }
    return wb_error_set(c->err, WB_EPARSE, "%s:%zu: %s: %s must be true or false", c->src, v->line,
                        what, key);
}

/* ---- texts in several languages ------------------------------------------------ */

static int add_text(load_ctx *c, const wbi_ynode *map, const char *lang, const char *what,
                    wb_cat_text *t)
{
    t->lang = lang;
    int rc = get_text(c, map, "name", what, &t->name);
    if (rc == 0) rc = get_text(c, map, "description", what, &t->description);
    if (rc == 0) rc = get_text(c, map, "annotation", what, &t->annotation);
    return rc;
}

/* texts[0] from the map itself in the locale, then one per translation. */
static int read_texts(load_ctx *c, const wbi_ynode *map, const char *what, wb_cat_text **texts,
                      size_t *ntexts)
{
    const wbi_ynode *tr = wbi_ymap_get(map, "translations");
    size_t n = 1;
    if (tr && !wbi_yscalar_is_null(tr)) {
        if (tr->kind != WBI_Y_MAP)
            return wb_error_set(c->err, WB_EPARSE, "%s:%zu: %s: translations must be a mapping",
                                c->src, tr->line, what);
        n += tr->n / 2;
    }
    wb_cat_text *t = wb_arena_alloc(&c->cat->arena, n * sizeof *t);
    if (t == NULL) return oom(c->err);
    memset(t, 0, n * sizeof *t);
    int rc = add_text(c, map, c->cat->locale, what, &t[0]);
    size_t i = 1;
    if (rc == 0 && n > 1) {
        for (const wbi_ynode *k = tr->first; rc == 0 && k && k->next; k = k->next->next) {
            const wbi_ynode *v = k->next;
            if (k->kind != WBI_Y_SCALAR || v->kind != WBI_Y_MAP)
                return wb_error_set(c->err, WB_EPARSE,
                                    "%s:%zu: %s: a translation must be a language code with a "
                                    "mapping of name, description",
                                    c->src, k->line, what);
            rc = add_text(c, v, k->s, what, &t[i++]);
        }
    }
    *texts = t;
    *ntexts = i;
    return rc;
}

/* ---- the index ---------------------------------------------------------------------- */

static int index_put(load_ctx *c, const char *key, size_t node, const char *what)
{
    wb_cat_index *ix = c->cat->index;
    size_t h = (size_t)wb_hash64(key, strlen(key), 0x5eed) & ix->mask;
    while (ix->slots[h].key) {
        if (strcmp(ix->slots[h].key, key) == 0) {
            if (ix->slots[h].node == node) return 0;
            const wb_req_node *other = &c->cat->nodes[ix->slots[h].node];
            return wb_error_set(
                c->err, WB_EPARSE, "%s:%zu: %s: %s '%s' is also that of the node at line %zu",
                c->src, c->cat->nodes[node].line, c->cat->nodes[node].urn, what, key, other->line);
        }
        h = (h + 1) & ix->mask;
    }
    ix->slots[h].key = key;
    ix->slots[h].node = node;
    return 0;
}

static long index_get(const wb_catalogue *cat, const char *key)
{
    const wb_cat_index *ix = cat->index;
    if (ix == NULL || key == NULL) return -1;
    size_t h = (size_t)wb_hash64(key, strlen(key), 0x5eed) & ix->mask;
    while (ix->slots[h].key) {
        if (strcmp(ix->slots[h].key, key) == 0) return (long)ix->slots[h].node;
        h = (h + 1) & ix->mask;
    }
    return -1;
}

/* ---- nodes ------------------------------------------------------------------------- */

static int read_mappings(load_ctx *c, const wbi_ynode *m, wb_req_node *node)
{
    const wbi_ynode *v = wbi_ymap_get(m, "nis2_measures");
    if (v && !wbi_yscalar_is_null(v)) {
        if (v->kind != WBI_Y_SEQ)
            return wb_error_set(c->err, WB_EPARSE, "%s:%zu: %s: nis2_measures must be a list",
                                c->src, v->line, node->urn);
        for (const wbi_ynode *e = v->first; e; e = e->next) {
            char l = e->kind == WBI_Y_SCALAR && e->len == 1 ? wb_lower(e->s[0]) : 0;
            if (l < 'a' || l > 'j')
                return wb_error_set(c->err, WB_EPARSE,
                                    "%s:%zu: %s: nis2_measures: '%s' is not a measure a-j of "
                                    "NIS2 Art. 21(2)",
                                    c->src, e->line, node->urn,
                                    e->kind == WBI_Y_SCALAR ? e->s : "(a collection)");
            node->nis2_measures |= (uint16_t)(1u << (l - 'a'));
        }
    }
    v = wbi_ymap_get(m, "maps_to");
    if (v == NULL || wbi_yscalar_is_null(v)) return 0;
    if (v->kind != WBI_Y_MAP)
        return wb_error_set(c->err, WB_EPARSE,
                            "%s:%zu: %s: maps_to must map catalogue names to lists of refs", c->src,
                            v->line, node->urn);
    size_t nmaps = v->n / 2 + 1;
    node->maps = wb_arena_alloc(&c->cat->arena, nmaps * sizeof *node->maps);
    if (node->maps == NULL) return oom(c->err);
    /* arena memory is not zeroed: nrefs must start at 0 */
    memset(node->maps, 0, nmaps * sizeof *node->maps);
    for (const wbi_ynode *k = v->first; k && k->next; k = k->next->next) {
        const wbi_ynode *list = k->next;
        if (k->kind != WBI_Y_SCALAR || list->kind != WBI_Y_SEQ)
            return wb_error_set(c->err, WB_EPARSE,
                                "%s:%zu: %s: maps_to must map catalogue names to lists of refs",
                                c->src, k->line, node->urn);
        wb_cat_map *map = &node->maps[node->nmaps++];
        map->catalogue = k->s;
        map->line = list->line;
        map->refs = wb_arena_alloc(&c->cat->arena, (list->n + 1) * sizeof *map->refs);
        if (map->refs == NULL) return oom(c->err);
        for (const wbi_ynode *e = list->first; e; e = e->next) {
            if (e->kind != WBI_Y_SCALAR || e->len == 0)
                return wb_error_set(c->err, WB_EPARSE, "%s:%zu: %s: maps_to %s: a ref must be text",
                                    c->src, e->line, node->urn, k->s);
            map->refs[map->nrefs++] = e->s;
        }
    }
    return 0;
}

static int read_node(load_ctx *c, const wbi_ynode *m, const char *prefix, size_t i)
{
    wb_catalogue *cat = c->cat;
    wb_req_node *node = &cat->nodes[i];
    node->line = m->line;
    node->parent = -1;
    if (m->kind != WBI_Y_MAP)
        return wb_error_set(c->err, WB_EPARSE, "%s:%zu: a requirement node must be a mapping",
                            c->src, m->line);
    char what[64];
    snprintf(what, sizeof what, "requirement node %zu", i + 1);
    int rc = get_text(c, m, "urn", what, &node->urn);
    if (rc) return rc;
    if (node->urn == NULL)
        return wb_error_set(c->err, WB_EPARSE, "%s:%zu: %s has no urn", c->src, m->line, what);
    const char *urn = node->urn;
    rc = get_text(c, m, "parent_urn", urn, &node->parent_urn);
    if (rc == 0) rc = get_text(c, m, "ref_id", urn, &node->ref_id);
    if (rc == 0) rc = get_bool(c, m, "assessable", urn, &node->assessable);
    if (rc == 0) rc = read_texts(c, m, urn, &node->texts, &node->ntexts);
    if (rc == 0) rc = read_mappings(c, m, node);
    if (rc) return rc;
    const wbi_ynode *d = wbi_ymap_get(m, "depth");
    int64_t depth;
    if (d && !wbi_yscalar_is_null(d) &&
        (d->kind != WBI_Y_SCALAR || wb_parse_i64(d->s, d->len, 1, 1000, &depth) != 0))
        return wb_error_set(c->err, WB_EPARSE, "%s:%zu: %s: depth must be a whole number from 1",
                            c->src, d->line, urn);
    if (node->ref_id && node->ref_id[0] == '\0') node->ref_id = NULL;
    size_t plen = strlen(prefix);
    if (node->ref_id)
        node->key = node->ref_id;
    else if (plen && strncmp(urn, prefix, plen) == 0 && urn[plen])
        node->key = urn + plen;
    else
        node->key = urn;
    if (node->parent_urn) {
        long p = index_get(cat, node->parent_urn);
        /* the index holds the nodes before this one: they are inserted as read */
        if (p < 0)
            return wb_error_set(c->err, WB_EPARSE,
                                "%s:%zu: %s: parent_urn %s is not an earlier node", c->src, m->line,
                                urn, node->parent_urn);
        node->parent = p;
        node->depth = cat->nodes[p].depth + 1;
        cat->nodes[p].nchildren++;
    } else {
        node->depth = 1;
        cat->nroots++;
    }
    if (node->assessable) cat->nassessable++;
    rc = index_put(c, node->urn, i, "urn");
    if (rc == 0) rc = index_put(c, node->key, i, "ref");
    return rc;
}

/* Children arrays, filled in file order in a second pass once counts are known. */
static int link_children(load_ctx *c)
{
    wb_catalogue *cat = c->cat;
    cat->roots = wb_arena_alloc(&cat->arena, (cat->nroots + 1) * sizeof *cat->roots);
    if (cat->roots == NULL) return oom(c->err);
    size_t nroots = 0;
    for (size_t i = 0; i < cat->nnodes; i++) {
        wb_req_node *n = &cat->nodes[i];
        if (n->nchildren) {
            n->children = wb_arena_alloc(&cat->arena, n->nchildren * sizeof *n->children);
            if (n->children == NULL) return oom(c->err);
            n->nchildren = 0;
        }
        if (n->parent < 0) {
            cat->roots[nroots++] = i;
        } else {
            wb_req_node *p = &cat->nodes[n->parent];
            p->children[p->nchildren++] = i;
        }
    }
    return 0;
}

/* "urn:intuitem:risk:framework:X" -> "urn:intuitem:risk:req_node:X:";
 * "" when the urn has no framework part, NULL when out of memory (an empty
 * prefix then would silently change every node's key). */
static const char *node_prefix(wb_arena *a, const char *fw_urn)
{
    const char *f = fw_urn ? strstr(fw_urn, ":framework:") : NULL;
    if (f == NULL) return "";
    wb_buf b = {0};
    const char *s = NULL;
    if (wb_buf_append(&b, fw_urn, (size_t)(f - fw_urn)) == 0 &&
        wb_buf_printf(&b, ":req_node:%s:", f + strlen(":framework:")) == 0)
        s = wb_arena_strdup(a, b.data);
    wb_buf_free(&b);
    return s;
}

static int read_catalogue(load_ctx *c, const wbi_ynode *root)
{
    wb_catalogue *cat = c->cat;
    if (root->kind != WBI_Y_MAP)
        return wb_error_set(c->err, WB_EPARSE, "%s:%zu: a catalogue must be a YAML mapping", c->src,
                            root->line);
    const wbi_ynode *fw = wbi_ymap_get(wbi_ymap_get(root, "objects"), "framework");
    const wbi_ynode *nodes = wbi_ymap_get(fw, "requirement_nodes");
    if (nodes == NULL || nodes->kind != WBI_Y_SEQ)
        return wb_error_set(c->err, WB_EPARSE,
                            "%s:%zu: no objects.framework.requirement_nodes list: not a "
                            "catalogue library",
                            c->src, fw ? fw->line : root->line);
    if (nodes->n > WB_CATALOGUE_MAX_NODES)
        return wb_error_set(c->err, WB_ELIMIT, "%s:%zu: more than %d requirement nodes", c->src,
                            nodes->line, WB_CATALOGUE_MAX_NODES);
    int rc = get_text(c, root, "locale", "catalogue", &cat->locale);
    if (rc == 0 && cat->locale == NULL) cat->locale = "en";
    if (rc == 0) rc = get_text(c, root, "urn", "catalogue", &cat->urn);
    if (rc == 0) rc = get_text(c, root, "ref_id", "catalogue", &cat->ref_id);
    if (rc == 0) rc = get_text(c, root, "provider", "catalogue", &cat->provider);
    if (rc == 0) rc = get_text(c, root, "copyright", "catalogue", &cat->copyright);
    if (rc == 0) rc = get_text(c, root, "version", "catalogue", &cat->version);
    if (rc == 0) rc = get_text(c, root, "publication_date", "catalogue", &cat->publication_date);
    if (rc == 0) rc = read_texts(c, root, "catalogue", &cat->texts, &cat->ntexts);
    if (rc == 0 && cat->texts[0].name == NULL) {
        /* some libraries name only the framework */
        rc = get_text(c, fw, "name", "framework", &cat->texts[0].name);
    }
    if (rc) return rc;
    const char *fw_urn = NULL;
    rc = get_text(c, fw, "urn", "framework", &fw_urn);
    if (rc) return rc;
    const char *prefix = node_prefix(&cat->arena, fw_urn);
    if (prefix == NULL) return oom(c->err);

    cat->nnodes = nodes->n;
    cat->nodes = wb_arena_alloc(&cat->arena, (nodes->n + 1) * sizeof *cat->nodes);
    if (cat->nodes == NULL) return oom(c->err);
    memset(cat->nodes, 0, (nodes->n + 1) * sizeof *cat->nodes);
    size_t cap = 16;
    while (cap < cat->nnodes * 4)
        cap *= 2;
    cat->index = wb_arena_alloc(&cat->arena, sizeof *cat->index);
    if (cat->index == NULL) return oom(c->err);
    cat->index->slots = wb_arena_alloc(&cat->arena, cap * sizeof *cat->index->slots);
    if (cat->index->slots == NULL) return oom(c->err);
    memset(cat->index->slots, 0, cap * sizeof *cat->index->slots);
    cat->index->mask = cap - 1;
    size_t i = 0;
    for (const wbi_ynode *m = nodes->first; rc == 0 && m; m = m->next)
        rc = read_node(c, m, prefix, i++);
    if (rc == 0) rc = link_children(c);
    return rc;
}

int wb_catalogue_parse(const char *data, size_t len, const char *srcname, const char *name,
                       wb_catalogue **out, wb_error *err)
{
    *out = NULL;
    if (len > WB_CATALOGUE_MAX_BYTES)
        return wb_error_set(err, WB_ELIMIT, "%s: larger than %u bytes", srcname,
                            WB_CATALOGUE_MAX_BYTES);
    wb_catalogue *cat = calloc(1, sizeof *cat);
    if (cat == NULL) return oom(err);
    wb_arena_init(&cat->arena, 0);
    load_ctx c = {srcname, cat, err};
    wbi_ynode *root = NULL;
    /* The YAML tree shares the catalogue's arena: the catalogue's strings
     * point into it, so nothing is copied twice (the tree costs about three
     * times the file's size, bounded by WB_CATALOGUE_MAX_BYTES). */
    cat->name = wb_arena_strdup(&cat->arena, name);
    cat->path = wb_arena_strdup(&cat->arena, srcname);
    int rc = cat->name && cat->path ? 0 : oom(err);
    if (rc == 0) rc = wbi_yaml_parse(data, len, srcname, &cat->arena, &root, err);
    if (rc == 0) rc = read_catalogue(&c, root);
    if (rc != 0) {
        wb_catalogue_free(cat);
        return rc;
    }
    *out = cat;
    return 0;
}

/* "dir/cbw_nis2.yaml.gz" -> "cbw_nis2" */
static void name_from_path(const char *path, char *out, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(out, cap, "%s", base);
    static const char *const suffixes[] = {".gz", ".zst", ".yaml", ".yml"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t n = strlen(out), k = strlen(suffixes[i]);
        if (n > k && strcmp(out + n - k, suffixes[i]) == 0) out[n - k] = '\0';
    }
}

int wb_catalogue_load(const char *path, wb_catalogue **out, wb_error *err)
{
    char *data;
    size_t len;
    char name[256];
    *out = NULL;
    int rc = wb_read_file(path, WB_CATALOGUE_MAX_BYTES, &data, &len, err);
    if (rc) return rc;
    name_from_path(path, name, sizeof name);
    rc = wb_catalogue_parse(data, len, path, name, out, err);
    free(data);
    return rc;
}

void wb_catalogue_free(wb_catalogue *cat)
{
    if (cat == NULL) return;
    wb_arena_free(&cat->arena);
    free(cat);
}

const wb_req_node *wb_catalogue_find(const wb_catalogue *cat, const char *ref)
{
    long i = index_get(cat, ref);
    return i < 0 ? NULL : &cat->nodes[i];
}

size_t wb_catalogue_node_index(const wb_catalogue *cat, const wb_req_node *node)
{
    return (size_t)(node - cat->nodes);
}

long wbi_catalogue_req(const wb_catalogue *cat, const char *ref)
{
    long i = index_get(cat, ref);
    return i >= 0 && cat->nodes[i].assessable ? i : -1;
}

static const char *text_field(const wb_cat_text *t, enum wb_cat_field f)
{
    switch (f) {
    case WB_TEXT_NAME:
        return t->name;
    case WB_TEXT_DESCRIPTION:
        return t->description;
    case WB_TEXT_ANNOTATION:
        return t->annotation;
    }
    return NULL;
}

const char *wb_cat_text_get(const wb_cat_text *texts, size_t ntexts, enum wb_cat_field field,
                            const char *lang, const char **shown)
{
    /* the language asked for, the other official one, the locale, anything */
    const char *order[3] = {lang, NULL, ntexts ? texts[0].lang : NULL};
    if (lang && strcmp(lang, "nl") == 0) order[1] = "en";
    if (lang && strcmp(lang, "en") == 0) order[1] = "nl";
    for (size_t k = 0; k < 3; k++) {
        for (size_t i = 0; order[k] && i < ntexts; i++) {
            const char *s = text_field(&texts[i], field);
            if (s && texts[i].lang && strcmp(texts[i].lang, order[k]) == 0) {
                if (shown) *shown = texts[i].lang;
                return s;
            }
        }
    }
    for (size_t i = 0; i < ntexts; i++) {
        const char *s = text_field(&texts[i], field);
        if (s) {
            if (shown) *shown = texts[i].lang;
            return s;
        }
    }
    if (shown) *shown = NULL;
    return NULL;
}

void wb_catalogue_languages(const wb_catalogue *cat, char *out, size_t cap)
{
    size_t used = 0;
    if (cap) out[0] = '\0';
    for (size_t i = 0; i < cat->ntexts && used < cap; i++) {
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen |= strcmp(cat->texts[j].lang, cat->texts[i].lang) == 0;
        if (seen) continue;
        int w = snprintf(out + used, cap - used, "%s%s", used ? "," : "", cat->texts[i].lang);
        if (w < 0) break;
        used += (size_t)w;
    }
}
