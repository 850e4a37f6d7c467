/*
 * csaf.c - CSAF 2.0 advisories (OASIS CSAF v2.0, sections 3.1 and 3.2).
 *
 * The product tree is flattened once per document into a table of products
 * indexed by product_id: each leaf of `branches` takes the vendor, product
 * name (or family), version and version range of the branches above it;
 * `full_product_names` stand alone; each `relationships` entry makes a new
 * product that is the referenced component, remembering the platform it is
 * installed on or a component of. product_identification_helper purl/cpe
 * give the identity (the purl's version becomes the version, its type the
 * version scheme). Every vulnerability then becomes one wb_advisory whose
 * product_status lists resolve through the index, so the work is linear in
 * the document's size.
 *
 * A reference to a product_id or group_id the tree does not define is an
 * error (CSAF mandatory test 6.1.1): a document that names products it does
 * not describe cannot be matched correctly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/vulndata.h"
#include "weerbaar/version.h"

/* ---- product tree ------------------------------------------------------------------ */

typedef struct branch_ctx {
    const char *vendor, *product, *family, *version, *range;
    const char *range_path; /* JSON path of the range's own branch name, for messages */
} branch_ctx;

static wbi_csaf_product *tree_add(wbi_doc *d, wbi_csaf_tree *t, const char *id)
{
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 32;
        wbi_csaf_product *p = realloc(t->p, nc * sizeof *p);
        if (p == NULL) {
            wbi_doc_nomem(d);
            return NULL;
        }
        t->p = p;
        t->cap = nc;
    }
    bool fresh;
    if (wbi_strmap_put(&t->ids, id, t->n, &fresh) != 0) {
        wbi_doc_nomem(d);
        return NULL;
    }
    if (!fresh) {
        wbi_doc_fail(d, "product_id '%s' is defined more than once", id);
        return NULL;
    }
    wbi_csaf_product *p = &t->p[t->n++];
    memset(p, 0, sizeof *p);
    p->id = id;
    return p;
}

/* The product's range from its branch: a vers string or bare constraints,
 * else the free text of real advisories (freerange.c). A text that still
 * cannot be read makes the product "unknown" with one warning per branch:
 * the rest of the advisory is used, and a component of this product is
 * reported as possibly affected rather than dropped. Only a failure to
 * allocate is an error here. */
static int product_range(wbi_doc *d, wbi_csaf_tree *t, wbi_csaf_product *p, const branch_ctx *bc)
{
    wb_error e, *saved = d->err;
    wb_error_clear(&e);
    d->err = &e; /* a failure here is not the document's */
    int rc = wbi_vers_canon(d, p->scheme, bc->range, &p->range);
    d->err = saved;
    if (rc == 0) return 0;
    if (e.code == WB_ENOMEM) return wbi_doc_nomem(d);
    wb_buf b = {0};
    int fr = wbi_free_range(bc->range, &b);
    if (fr == -2) {
        wb_buf_free(&b);
        return wbi_doc_nomem(d);
    }
    if (fr == 0) {
        wb_error_clear(&e);
        /* free text is vendor versions: the generic scheme, whatever a purl says */
        d->err = &e;
        rc = wbi_vers_canon(d, "generic", b.data, &p->range);
        d->err = saved;
        if (rc == 0 && p->purl == NULL) p->scheme = "generic";
        if (rc != 0 && e.code == WB_ENOMEM) {
            wb_buf_free(&b);
            return wbi_doc_nomem(d);
        }
    }
    wb_buf_free(&b);
    if (fr == 0 && rc == 0) return 0;
    p->range = NULL;
    p->unknown = true;
    if (t->warned != bc->range_path) {
        t->warned = bc->range_path;
        wbi_doc_warn(d, bc->range_path,
                     "product_version_range '%.200s' cannot be read as a version range: its "
                     "products are reported with status unknown",
                     bc->range);
    }
    return 0;
}

/* Reads a full_product_name object (name, product_id, helper) into a new
 * product with the given branch context (NULL outside branches). */
static int full_product(wbi_doc *d, wbi_csaf_tree *t, const json_t *fpn, const branch_ctx *bc,
                        wbi_csaf_product **out)
{
    if (!json_is_object(fpn)) return wbi_doc_fail(d, "expected an object");
    const char *id = NULL, *name = NULL;
    json_t *helper = NULL;
    int rc = wbi_req_str(d, fpn, "product_id", &id);
    if (rc == 0) rc = wbi_opt_str(d, fpn, "name", &name);
    if (rc == 0) rc = wbi_opt_obj(d, fpn, "product_identification_helper", &helper);
    if (rc != 0) return rc;
    wbi_csaf_product *p = tree_add(d, t, id);
    if (p == NULL) return d->err ? d->err->code : WB_EPARSE;
    p->name = name;
    p->scheme = "generic";
    if (bc) {
        p->vendor = bc->vendor;
        p->product = bc->product ? bc->product : bc->family;
        p->version = bc->version;
    }
    if (helper) {
        size_t old = wbi_path_key(d, "product_identification_helper");
        const char *purl = NULL, *cpe = NULL;
        rc = wbi_opt_str(d, helper, "purl", &purl);
        if (rc == 0) rc = wbi_opt_str(d, helper, "cpe", &cpe);
        if (rc == 0 && purl) {
            size_t o2 = wbi_path_key(d, "purl");
            const char *v = NULL;
            rc = wbi_purl_split(d, purl, &p->purl, &v, &p->scheme);
            if (rc == 0 && v) p->version = v; /* the purl's version is the precise one */
            wbi_path_cut(d, o2);
        }
        if (rc == 0 && cpe) {
            size_t o2 = wbi_path_key(d, "cpe");
            rc = wbi_cpe_canon(d, cpe, &p->cpe);
            wbi_path_cut(d, o2);
        }
        wbi_path_cut(d, old);
        if (rc != 0) return rc;
    }
    if (bc && bc->range) {
        rc = product_range(d, t, p, bc);
        if (rc != 0) return rc;
        /* A "vers:npm/..." range says its own scheme when no purl does. */
        const char *slash = p->range ? strchr(p->range + 5, '/') : NULL;
        if (p->purl == NULL && slash != NULL) {
            char *ty = wb_arena_strndup(&d->arena, p->range + 5, (size_t)(slash - p->range - 5));
            if (ty == NULL) return wbi_doc_nomem(d);
            if (wb_version_scheme_find(ty) != NULL) p->scheme = ty;
        }
        p->version = NULL; /* a range branch has no single version */
    }
    if (out) *out = p;
    return 0;
}

static int walk_branches(wbi_doc *d, wbi_csaf_tree *t, const json_t *arr, branch_ctx bc, int depth)
{
    if (depth > WBI_VULN_MAX_DEPTH) return wbi_doc_fail(d, "branches nested too deeply");
    size_t i;
    json_t *b;
    json_array_foreach(arr, i, b)
    {
        size_t old = wbi_path_idx(d, i);
        int rc = 0;
        if (!json_is_object(b)) rc = wbi_doc_fail(d, "expected an object");
        const char *cat = NULL, *name = NULL;
        json_t *prod = NULL, *sub = NULL;
        if (rc == 0) rc = wbi_req_str(d, b, "category", &cat);
        if (rc == 0) rc = wbi_req_str(d, b, "name", &name);
        if (rc == 0) rc = wbi_opt_obj(d, b, "product", &prod);
        if (rc == 0) rc = wbi_opt_arr(d, b, "branches", &sub);
        if (rc != 0) return rc;
        branch_ctx c = bc;
        if (strcmp(cat, "vendor") == 0)
            c.vendor = name;
        else if (strcmp(cat, "product_name") == 0)
            c.product = name;
        else if (strcmp(cat, "product_family") == 0)
            c.family = name;
        else if (strcmp(cat, "product_version") == 0)
            c.version = name, c.range = NULL;
        else if (strcmp(cat, "product_version_range") == 0) {
            c.range = name, c.version = NULL;
            c.range_path = wbi_doc_where(d, "name");
            if (c.range_path == NULL) return wbi_doc_nomem(d);
            /* wbi_doc_where gives "file: $.path.name": keep the path */
            const char *sp = strstr(c.range_path, ": $");
            if (sp) c.range_path = sp + 2;
        } else if (strcmp(cat, "service_pack") == 0 || strcmp(cat, "patch_level") == 0) {
            /* A build below a version branch: Cisco names the release train
             * as product_version ("12.2SE") and the installed image as
             * service_pack ("12.2(55)SE"). A name that is a version of its
             * own replaces the train; a bare "SP1" is joined to it. */
            if (bc.version == NULL || (name[0] >= '0' && name[0] <= '9') ||
                ((name[0] == 'v' || name[0] == 'V') && name[1] >= '0' && name[1] <= '9')) {
                c.version = name;
            } else {
                size_t n1 = strlen(bc.version), n2 = strlen(name);
                char *j = wb_arena_alloc(&d->arena, n1 + n2 + 2);
                if (j == NULL) return wbi_doc_nomem(d);
                memcpy(j, bc.version, n1);
                j[n1] = ' ';
                memcpy(j + n1 + 1, name, n2 + 1);
                c.version = j;
            }
            c.range = NULL;
        }
        if (prod) {
            size_t o2 = wbi_path_key(d, "product");
            rc = full_product(d, t, prod, &c, NULL);
            wbi_path_cut(d, o2);
        }
        if (rc == 0 && sub) {
            size_t o2 = wbi_path_key(d, "branches");
            rc = walk_branches(d, t, sub, c, depth + 1);
            wbi_path_cut(d, o2);
        }
        if (rc != 0) return rc;
        wbi_path_cut(d, old);
    }
    return 0;
}

/* One relationship; *later true when a reference is to a product that a
 * later relationship defines (tried again after the others). */
static int relationship(wbi_doc *d, wbi_csaf_tree *t, const json_t *r, bool *later)
{
    const char *ref = NULL, *to = NULL;
    json_t *fpn = NULL;
    *later = false;
    if (!json_is_object(r)) return wbi_doc_fail(d, "expected an object");
    int rc = wbi_req_str(d, r, "product_reference", &ref);
    if (rc == 0) rc = wbi_req_str(d, r, "relates_to_product_reference", &to);
    if (rc == 0) rc = wbi_opt_obj(d, r, "full_product_name", &fpn);
    if (rc == 0 && fpn == NULL) rc = wbi_doc_fail(d, "full_product_name is missing");
    if (rc != 0) return rc;
    size_t pi, qi;
    if (!wbi_strmap_get(&t->ids, ref, &pi) || !wbi_strmap_get(&t->ids, to, &qi)) {
        *later = true;
        return 0;
    }
    size_t old = wbi_path_key(d, "full_product_name");
    wbi_csaf_product *np = NULL;
    rc = full_product(d, t, fpn, NULL, &np);
    wbi_path_cut(d, old);
    if (rc != 0) return rc;
    /* t->p may have moved in full_product: index again. */
    const wbi_csaf_product *comp = &t->p[pi], *plat = &t->p[qi];
    const char *id = np->id, *name = np->name;
    const char *purl = np->purl, *cpe = np->cpe, *ver = np->version, *scheme = np->scheme;
    *np = *comp;
    np->id = id;
    if (purl) np->purl = purl, np->version = ver, np->scheme = scheme;
    if (cpe) np->cpe = cpe;
    /* keep both names: the component's full name stays reachable through
     * product/version, the platform's through platform */
    np->name = name ? name : comp->name;
    np->platform = plat->name ? plat->name : plat->id;
    np->platform_cpe = plat->cpe;
    return 0;
}

int wbi_csaf_tree_build(wbi_doc *d, const json_t *root, wbi_csaf_tree *t)
{
    memset(t, 0, sizeof *t);
    json_t *tree = NULL, *arr = NULL;
    int rc = wbi_opt_obj(d, root, "product_tree", &tree);
    if (rc != 0 || tree == NULL) return rc;
    size_t old = wbi_path_key(d, "product_tree");
    rc = wbi_opt_arr(d, tree, "branches", &arr);
    if (rc == 0 && arr) {
        size_t o2 = wbi_path_key(d, "branches");
        rc = walk_branches(d, t, arr, (branch_ctx){0}, 0);
        wbi_path_cut(d, o2);
    }
    arr = NULL;
    if (rc == 0) rc = wbi_opt_arr(d, tree, "full_product_names", &arr);
    if (rc == 0 && arr) {
        size_t o2 = wbi_path_key(d, "full_product_names");
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v)
        {
            size_t o3 = wbi_path_idx(d, i);
            rc = full_product(d, t, v, NULL, NULL);
            if (rc != 0) break;
            wbi_path_cut(d, o3);
        }
        if (rc == 0) wbi_path_cut(d, o2);
    }
    arr = NULL;
    if (rc == 0) rc = wbi_opt_arr(d, tree, "relationships", &arr);
    if (rc == 0 && arr) {
        size_t o2 = wbi_path_key(d, "relationships");
        size_t n = json_array_size(arr), pending = n;
        unsigned char *done = calloc(n ? n : 1, 1);
        if (done == NULL) rc = wbi_doc_nomem(d);
        /* Usually one pass; another only for relationships that build on
         * relationships listed after them. */
        while (rc == 0 && pending > 0) {
            size_t before = pending;
            for (size_t i = 0; rc == 0 && i < n; i++) {
                if (done[i]) continue;
                size_t o3 = wbi_path_idx(d, i);
                bool later;
                rc = relationship(d, t, json_array_get(arr, i), &later);
                if (rc == 0 && !later) done[i] = 1, pending--;
                if (rc == 0) wbi_path_cut(d, o3);
            }
            if (rc == 0 && pending == before) {
                for (size_t i = 0; i < n; i++) {
                    if (done[i]) continue;
                    wbi_path_idx(d, i);
                    rc = wbi_doc_fail(d, "references a product_id not defined (or only through a "
                                         "circle of relationships)");
                    break;
                }
            }
        }
        free(done);
        if (rc == 0) wbi_path_cut(d, o2);
    }
    arr = NULL;
    if (rc == 0) rc = wbi_opt_arr(d, tree, "product_groups", &arr);
    if (rc == 0 && arr) {
        size_t o2 = wbi_path_key(d, "product_groups");
        t->group_json = arr;
        size_t i;
        json_t *g;
        json_array_foreach(arr, i, g)
        {
            size_t o3 = wbi_path_idx(d, i);
            const char *gid = NULL;
            json_t *ids = NULL;
            if (!json_is_object(g)) rc = wbi_doc_fail(d, "expected an object");
            if (rc == 0) rc = wbi_req_str(d, g, "group_id", &gid);
            if (rc == 0) rc = wbi_opt_arr(d, g, "product_ids", &ids);
            size_t j;
            json_t *id;
            json_array_foreach(ids, j, id)
            {
                const wbi_csaf_product *p;
                if (rc != 0) break;
                size_t o4 = wbi_path_key(d, "product_ids");
                wbi_path_idx(d, j);
                rc = wbi_csaf_tree_find(d, t, id, &p);
                if (rc == 0) wbi_path_cut(d, o4);
            }
            bool fresh = true;
            if (rc == 0 && wbi_strmap_put(&t->groups, gid, i, &fresh) != 0) rc = wbi_doc_nomem(d);
            if (rc == 0 && !fresh)
                rc = wbi_doc_fail(d, "group_id '%s' is defined more than once", gid);
            if (rc != 0) break;
            wbi_path_cut(d, o3);
        }
        if (rc == 0) wbi_path_cut(d, o2);
    }
    if (rc == 0) wbi_path_cut(d, old);
    return rc;
}

void wbi_csaf_tree_free(wbi_csaf_tree *t)
{
    free(t->p);
    wbi_strmap_free(&t->ids);
    wbi_strmap_free(&t->groups);
    memset(t, 0, sizeof *t);
}

int wbi_csaf_tree_find(wbi_doc *d, const wbi_csaf_tree *t, const json_t *id,
                       const wbi_csaf_product **out)
{
    if (!json_is_string(id)) return wbi_doc_fail(d, "expected a product_id string");
    size_t i;
    if (!wbi_strmap_get(&t->ids, json_string_value(id), &i))
        return wbi_doc_fail(d, "product_id '%s' is not defined in the product tree",
                            json_string_value(id));
    *out = &t->p[i];
    return 0;
}

/* ---- vulnerabilities ------------------------------------------------------------------ */

static const struct {
    const char *key;
    wb_aff_status status;
} status_lists[] = {
    {"known_affected", WB_AFF_AFFECTED},
    {"first_affected", WB_AFF_AFFECTED},
    {"last_affected", WB_AFF_AFFECTED},
    {"fixed", WB_AFF_FIXED},
    {"first_fixed", WB_AFF_FIXED},
    {"known_not_affected", WB_AFF_NOT_AFFECTED},
    {"under_investigation", WB_AFF_UNDER_INVESTIGATION},
};

/* seen maps product_id -> bit set of statuses already listed for it: CSAF
 * lists a product under both first_fixed and fixed, say, and one entry per
 * (status, product) is enough. */
static int product_status(wbi_doc *d, const wbi_csaf_tree *t, const json_t *ps, wbi_advb *b,
                          wbi_strmap *seen)
{
    for (size_t k = 0; k < sizeof status_lists / sizeof status_lists[0]; k++) {
        json_t *arr = NULL;
        int rc = wbi_opt_arr(d, ps, status_lists[k].key, &arr);
        if (rc != 0) return rc;
        if (arr == NULL) continue;
        size_t old = wbi_path_key(d, status_lists[k].key);
        size_t i;
        json_t *id;
        json_array_foreach(arr, i, id)
        {
            size_t o2 = wbi_path_idx(d, i);
            const wbi_csaf_product *p;
            rc = wbi_csaf_tree_find(d, t, id, &p);
            if (rc != 0) return rc;
            bool fresh;
            size_t *bits = wbi_strmap_slot(seen, p->id, &fresh);
            if (bits == NULL) return wbi_doc_nomem(d);
            size_t bit = (size_t)1 << status_lists[k].status;
            if (*bits & bit) {
                wbi_path_cut(d, o2);
                continue;
            }
            *bits |= bit;
            wb_aff_status st = status_lists[k].status;
            /* an unreadable range: affected becomes unknown; a fixed or
             * not-affected statement about it can clear nothing */
            if (p->unknown && st != WB_AFF_AFFECTED) {
                wbi_path_cut(d, o2);
                continue;
            }
            if (p->unknown) st = WB_AFF_UNKNOWN;
            wb_affected *a = wbi_advb_affected(b);
            if (a == NULL) return wbi_doc_nomem(d);
            a->status = st;
            a->purl = p->purl;
            a->cpe = p->cpe;
            a->vendor = p->vendor;
            a->product = p->product;
            a->version = p->version;
            a->range = p->range;
            a->scheme = p->scheme;
            a->product_id = p->id;
            a->platform = p->platform;
            if (a->status == WB_AFF_FIXED) a->fixed = p->version;
            wbi_path_cut(d, o2);
        }
        wbi_path_cut(d, old);
    }
    return 0;
}

int wbi_csaf_product_list(wbi_doc *d, const wbi_csaf_tree *t, const json_t *obj,
                          const char *const **out, size_t *nout)
{
    json_t *ids = NULL, *gids = NULL;
    int rc = wbi_opt_arr(d, obj, "product_ids", &ids);
    if (rc == 0) rc = wbi_opt_arr(d, obj, "group_ids", &gids);
    if (rc != 0) return rc;
    *out = NULL;
    *nout = 0;
    if (ids == NULL && gids == NULL) return 0;
    size_t n = json_array_size(ids), i;
    json_t *v;
    json_array_foreach(gids, i, v)
    {
        size_t gi;
        if (!json_is_string(v) || !wbi_strmap_get(&t->groups, json_string_value(v), &gi)) {
            size_t old = wbi_path_key(d, "group_ids");
            wbi_path_idx(d, i);
            rc = wbi_doc_fail(d, "group_id is not defined in the product tree");
            wbi_path_cut(d, old);
            return rc;
        }
        n += json_array_size(json_object_get(json_array_get(t->group_json, gi), "product_ids"));
    }
    if (n > SIZE_MAX / sizeof(char *)) return wbi_doc_nomem(d);
    const char **list = wb_arena_alloc(&d->arena, (n ? n : 1) * sizeof *list);
    if (list == NULL) return wbi_doc_nomem(d);
    size_t k = 0;
    json_array_foreach(ids, i, v)
    {
        if (!json_is_string(v)) {
            size_t old = wbi_path_key(d, "product_ids");
            wbi_path_idx(d, i);
            rc = wbi_doc_fail(d, "expected a product_id string");
            wbi_path_cut(d, old);
            return rc;
        }
        const wbi_csaf_product *p;
        size_t old = wbi_path_key(d, "product_ids");
        wbi_path_idx(d, i);
        rc = wbi_csaf_tree_find(d, t, v, &p);
        if (rc != 0) return rc;
        wbi_path_cut(d, old);
        list[k++] = json_string_value(v);
    }
    json_array_foreach(gids, i, v)
    {
        size_t gi, j;
        json_t *p;
        wbi_strmap_get(&t->groups, json_string_value(v), &gi);
        json_array_foreach(json_object_get(json_array_get(t->group_json, gi), "product_ids"), j,
                           p) if (json_is_string(p)) list[k++] = json_string_value(p);
    }
    *out = list;
    *nout = k;
    return 0;
}

static int remediations(wbi_doc *d, const wbi_csaf_tree *t, const json_t *arr, wbi_advb *b)
{
    size_t i;
    json_t *r;
    json_array_foreach(arr, i, r)
    {
        size_t old = wbi_path_idx(d, i);
        if (!json_is_object(r)) return wbi_doc_fail(d, "expected an object");
        wb_remediation *m = wbi_advb_remediation(b);
        if (m == NULL) return wbi_doc_nomem(d);
        int rc = wbi_req_str(d, r, "category", &m->category);
        if (rc == 0) rc = wbi_opt_str(d, r, "details", &m->details);
        if (rc == 0) rc = wbi_opt_str(d, r, "url", &m->url);
        if (rc == 0) rc = wbi_csaf_product_list(d, t, r, &m->product_ids, &m->nproduct_ids);
        if (rc != 0) return rc;
        wbi_path_cut(d, old);
    }
    return 0;
}

/* One cvss_v2 / cvss_v3 / cvss_v4 object. */
static int score_obj(wbi_doc *d, const json_t *s, const char *key, wbi_advb *b)
{
    json_t *o = NULL;
    int rc = wbi_opt_obj(d, s, key, &o);
    if (rc != 0 || o == NULL) return rc;
    size_t old = wbi_path_key(d, key);
    const char *ver = NULL, *vec = NULL;
    double score = 0;
    bool has = false;
    rc = wbi_opt_str(d, o, "version", &ver);
    if (rc == 0) rc = wbi_opt_str(d, o, "vectorString", &vec);
    if (rc == 0) rc = wbi_opt_num(d, o, "baseScore", &score, &has);
    uint8_t v = wbi_cvss_version(ver);
    if (rc == 0 && v == 0)
        rc = wbi_doc_fail(d, "version '%s' is not a CVSS version", ver ? ver : "");
    if (rc == 0 && !has && v >= 30 && v < 40 && wbi_cvss3_score(vec, &score, NULL) != 0)
        rc = wbi_doc_fail(d, "no baseScore and no valid vectorString");
    if (rc == 0 && !has && v == 20 && wbi_cvss2_score(vec, &score) != 0)
        rc = wbi_doc_fail(d, "no baseScore and no valid vectorString");
    if (rc == 0 && (score < 0 || score > 10))
        rc = wbi_doc_fail(d, "baseScore %g is outside 0-10", score);
    if (rc == 0 && wbi_advb_cvss(b, v, score, vec) != 0) rc = wbi_doc_nomem(d);
    if (rc == 0) wbi_path_cut(d, old);
    return rc;
}

static int scores(wbi_doc *d, const json_t *vuln, wbi_advb *b)
{
    json_t *arr = NULL;
    int rc = wbi_opt_arr(d, vuln, "scores", &arr);
    if (rc == 0 && arr) {
        size_t old = wbi_path_key(d, "scores"), i;
        json_t *s;
        json_array_foreach(arr, i, s)
        {
            size_t o2 = wbi_path_idx(d, i);
            if (!json_is_object(s)) return wbi_doc_fail(d, "expected an object");
            rc = score_obj(d, s, "cvss_v3", b);
            if (rc == 0) rc = score_obj(d, s, "cvss_v2", b);
            if (rc != 0) return rc;
            wbi_path_cut(d, o2);
        }
        wbi_path_cut(d, old);
    }
    /* CSAF 2.1 moves scores to metrics[].content and adds CVSS v4. */
    arr = NULL;
    if (rc == 0) rc = wbi_opt_arr(d, vuln, "metrics", &arr);
    if (rc == 0 && arr) {
        size_t old = wbi_path_key(d, "metrics"), i;
        json_t *m;
        json_array_foreach(arr, i, m)
        {
            size_t o2 = wbi_path_idx(d, i);
            json_t *content = NULL;
            if (!json_is_object(m)) return wbi_doc_fail(d, "expected an object");
            rc = wbi_opt_obj(d, m, "content", &content);
            if (rc == 0 && content) {
                size_t o3 = wbi_path_key(d, "content");
                rc = score_obj(d, content, "cvss_v4", b);
                if (rc == 0) rc = score_obj(d, content, "cvss_v3", b);
                if (rc == 0) rc = score_obj(d, content, "cvss_v2", b);
                if (rc == 0) wbi_path_cut(d, o3);
            }
            if (rc != 0) return rc;
            wbi_path_cut(d, o2);
        }
        wbi_path_cut(d, old);
    }
    return rc;
}

typedef struct doc_info {
    const char *tracking_id, *title, *url, *severity;
    wb_time published, modified;
} doc_info;

static int read_document(wbi_doc *d, const json_t *root, doc_info *di)
{
    memset(di, 0, sizeof *di);
    json_t *doc = NULL, *tracking = NULL, *refs = NULL, *agg = NULL;
    int rc = wbi_opt_obj(d, root, "document", &doc);
    if (rc == 0 && doc == NULL) rc = wbi_doc_fail(d, "document is missing");
    if (rc != 0) return rc;
    size_t old = wbi_path_key(d, "document");
    rc = wbi_opt_obj(d, doc, "tracking", &tracking);
    if (rc == 0 && tracking == NULL) rc = wbi_doc_fail(d, "tracking is missing");
    if (rc == 0) rc = wbi_opt_str(d, doc, "title", &di->title);
    if (rc == 0) rc = wbi_opt_arr(d, doc, "references", &refs);
    if (rc == 0) rc = wbi_opt_obj(d, doc, "aggregate_severity", &agg);
    if (rc == 0 && agg) {
        size_t o2 = wbi_path_key(d, "aggregate_severity");
        rc = wbi_opt_str(d, agg, "text", &di->severity);
        if (rc == 0) wbi_path_cut(d, o2);
    }
    if (rc == 0) {
        size_t o2 = wbi_path_key(d, "tracking");
        rc = wbi_req_str(d, tracking, "id", &di->tracking_id);
        if (rc == 0) rc = wbi_opt_time(d, tracking, "initial_release_date", &di->published);
        if (rc == 0) rc = wbi_opt_time(d, tracking, "current_release_date", &di->modified);
        if (rc == 0) wbi_path_cut(d, o2);
    }
    size_t i;
    json_t *r;
    json_array_foreach(refs, i, r)
    {
        const char *cat = json_string_value(json_object_get(r, "category"));
        const char *url = json_string_value(json_object_get(r, "url"));
        if (cat && url && strcmp(cat, "self") == 0) {
            di->url = url;
            break;
        }
    }
    if (rc == 0) wbi_path_cut(d, old);
    return rc;
}

static int vulnerability(wbi_doc *d, const doc_info *di, const wbi_csaf_tree *t, const json_t *v,
                         size_t ordinal, size_t count, wbi_advb *b, wb_advisory_sink *sink)
{
    if (!json_is_object(v)) return wbi_doc_fail(d, "expected an object");
    wbi_advb_reset(b);
    const char *cve = NULL, *title = NULL;
    json_t *ids = NULL, *ps = NULL, *rems = NULL, *threats = NULL;
    int rc = wbi_opt_str(d, v, "cve", &cve);
    if (rc == 0) rc = wbi_opt_str(d, v, "title", &title);
    if (rc == 0) rc = wbi_opt_arr(d, v, "ids", &ids);
    if (rc == 0) rc = wbi_opt_obj(d, v, "product_status", &ps);
    if (rc == 0) rc = wbi_opt_arr(d, v, "remediations", &rems);
    if (rc == 0) rc = wbi_opt_arr(d, v, "threats", &threats);
    if (rc != 0) return rc;
    if (cve && cve[0]) {
        b->adv.id = cve;
    } else {
        size_t n = strlen(di->tracking_id) + 24;
        char *id = wb_arena_alloc(&d->arena, n);
        if (id == NULL) return wbi_doc_nomem(d);
        snprintf(id, n, "%s#%zu", di->tracking_id, ordinal);
        b->adv.id = id;
    }
    b->adv.doc_id = di->tracking_id;
    b->adv.source = d->name;
    b->adv.source_kind = "csaf";
    b->adv.title = title ? title : di->title;
    b->adv.url = di->url;
    b->adv.published = di->published;
    b->adv.modified = di->modified;
    b->adv.severity = di->severity;
    size_t i;
    json_t *x;
    json_array_foreach(ids, i, x)
    {
        const char *text = NULL;
        size_t old = wbi_path_key(d, "ids");
        wbi_path_idx(d, i);
        if (!json_is_object(x)) return wbi_doc_fail(d, "expected an object");
        rc = wbi_req_str(d, x, "text", &text);
        if (rc == 0 && wbi_advb_alias(b, text) != 0) rc = wbi_doc_nomem(d);
        if (rc != 0) return rc;
        wbi_path_cut(d, old);
    }
    /* The tracking id is another name of the vulnerability only when the
     * document is about one: as an alias of each of an RHSA's CVEs it would
     * merge them all into one vulnerability (one finding, the others'
     * ids lost). It stays the finding's "advisory" either way. */
    if (count == 1 && wbi_advb_alias(b, di->tracking_id) != 0) return wbi_doc_nomem(d);
    /* A per-vulnerability impact rating (Red Hat writes one) is more
     * precise than the document's aggregate. */
    json_array_foreach(threats, i, x)
    {
        const char *cat = json_string_value(json_object_get(x, "category"));
        const char *det = json_string_value(json_object_get(x, "details"));
        if (cat && det && strcmp(cat, "impact") == 0 && json_object_get(x, "product_ids") == NULL &&
            json_object_get(x, "group_ids") == NULL) {
            b->adv.severity = det;
            break;
        }
    }
    if (ps) {
        size_t old = wbi_path_key(d, "product_status");
        wbi_strmap seen = {0};
        rc = product_status(d, t, ps, b, &seen);
        wbi_strmap_free(&seen);
        if (rc != 0) return rc;
        wbi_path_cut(d, old);
    }
    if (rems) {
        size_t old = wbi_path_key(d, "remediations");
        rc = remediations(d, t, rems, b);
        if (rc != 0) return rc;
        wbi_path_cut(d, old);
    }
    rc = scores(d, v, b);
    if (rc != 0) return rc;
    return wbi_advb_emit(b, d, sink);
}

int wbi_csaf_parse(wbi_doc *d, const json_t *root, wb_advisory_sink *sink)
{
    if (!json_is_object(root)) return wbi_doc_fail(d, "expected a CSAF document object");
    doc_info di;
    wbi_csaf_tree t;
    json_t *vulns = NULL;
    int rc = read_document(d, root, &di);
    if (rc != 0) return rc;
    rc = wbi_csaf_tree_build(d, root, &t);
    if (rc == 0) rc = wbi_opt_arr(d, root, "vulnerabilities", &vulns);
    if (rc == 0 && vulns) {
        wbi_advb b = {0};
        size_t old = wbi_path_key(d, "vulnerabilities"), i;
        json_t *v;
        json_array_foreach(vulns, i, v)
        {
            size_t o2 = wbi_path_idx(d, i);
            rc = vulnerability(d, &di, &t, v, i + 1, json_array_size(vulns), &b, sink);
            if (rc != 0) break;
            wbi_path_cut(d, o2);
        }
        if (rc == 0) wbi_path_cut(d, old);
        wbi_advb_free(&b);
    }
    wbi_csaf_tree_free(&t);
    return rc;
}
