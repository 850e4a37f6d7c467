/*
 * vex.c - VEX statements (does a vulnerability affect a product?) from three
 * formats, detected from content:
 *
 *  - CSAF VEX (csaf_vex profile, CSAF 2.0 section 4.5): product_status lists,
 *    with the justification from flags[].label and the detail from
 *    threats[] of category impact, both matched to products through their
 *    product_ids and group_ids. Products come from the flattened product tree
 *    (csaf.c), so a product_version_range product keeps its range.
 *  - CycloneDX VEX (1.4-1.6): vulnerabilities[].analysis.state and
 *    .justification/.detail, for each affects[].ref, resolved through the
 *    bom-refs of the document's components (and metadata.component), also
 *    when written as a BOM-Link "urn:cdx:serial/version#bom-ref".
 *    affects[].versions[] narrows a statement to versions or ranges.
 *  - OpenVEX (0.0.1 and 0.2.0, https://github.com/openvex/spec):
 *    statements[] with vulnerability.name (or a plain string), products[]
 *    (@id and identifiers purl/cpe23/cpe22, or plain strings), status,
 *    justification and impact_statement. A statement about subcomponents of
 *    a product speaks about the subcomponents: those are what an inventory
 *    lists and a finding names.
 *
 * A document is checked completely before its first statement goes out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/vulndata.h"
#include "weerbaar/io.h"
#include "weerbaar/purl.h"

typedef struct vexctx {
    wbi_doc d;
    wb_vex_sink *sink; /* NULL in the checking pass */
} vexctx;

static int vemit(vexctx *x, wb_vex *v)
{
    if (x->sink == NULL) return 0;
    v->source = x->d.name;
    int rc = x->sink->add(x->sink, v);
    if (rc != 0 && (x->d.err == NULL || x->d.err->code == WB_OK))
        wb_error_set(x->d.err, rc, "%s: %s: %s", x->d.name, v->vuln, wb_strerror(rc));
    return rc;
}

/* Splits a purl's version off into v->version (the purl stays as given). */
static int purl_version(vexctx *x, wb_vex *v)
{
    if (v->purl == NULL) return 0;
    wb_purl *p = NULL;
    wb_error e = {0};
    if (wb_purl_parse(v->purl, strlen(v->purl), 0, &p, &e) != 0) {
        if (e.code == WB_ENOMEM) return wbi_doc_nomem(&x->d);
        return wbi_doc_fail(&x->d, "%s", e.msg);
    }
    if (p->version && v->version == NULL) {
        v->version = wb_arena_strdup(&x->d.arena, p->version);
        if (v->version == NULL) {
            wb_purl_free(p);
            return wbi_doc_nomem(&x->d);
        }
    }
    wb_purl_free(p);
    return 0;
}

/* ---- CSAF VEX ----------------------------------------------------------------------------------
 */

/* For each product_id, the index of the first flag / impact threat naming it. */
static int index_products(vexctx *x, const wbi_csaf_tree *t, const json_t *arr, const char *key,
                          const char *want_cat, wbi_strmap *m)
{
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        size_t old = wbi_path_key(&x->d, key);
        wbi_path_idx(&x->d, i);
        if (!json_is_object(o)) return wbi_doc_fail(&x->d, "expected an object");
        const char *cat = json_string_value(json_object_get(o, "category"));
        if (want_cat && (cat == NULL || strcmp(cat, want_cat) != 0)) {
            wbi_path_cut(&x->d, old);
            continue;
        }
        const char *const *ids;
        size_t n;
        int rc = wbi_csaf_product_list(&x->d, t, o, &ids, &n);
        if (rc != 0) return rc;
        for (size_t k = 0; k < n; k++)
            if (wbi_strmap_put(m, ids[k], i, NULL) != 0) return wbi_doc_nomem(&x->d);
        wbi_path_cut(&x->d, old);
    }
    return 0;
}

static const struct {
    const char *key;
    wb_vex_status status;
} csaf_lists[] = {
    {"known_not_affected", WB_VEX_NOT_AFFECTED},
    {"known_affected", WB_VEX_AFFECTED},
    {"first_affected", WB_VEX_AFFECTED},
    {"last_affected", WB_VEX_AFFECTED},
    {"fixed", WB_VEX_FIXED},
    {"first_fixed", WB_VEX_FIXED},
    {"under_investigation", WB_VEX_UNDER_INVESTIGATION},
};

static int csaf_vuln(vexctx *x, const wbi_csaf_tree *t, const json_t *vj)
{
    if (!json_is_object(vj)) return wbi_doc_fail(&x->d, "expected an object");
    const char *id = NULL;
    json_t *ps = NULL, *flags = NULL, *threats = NULL, *ids = NULL;
    int rc = wbi_opt_str(&x->d, vj, "cve", &id);
    if (rc == 0) rc = wbi_opt_obj(&x->d, vj, "product_status", &ps);
    if (rc == 0) rc = wbi_opt_arr(&x->d, vj, "flags", &flags);
    if (rc == 0) rc = wbi_opt_arr(&x->d, vj, "threats", &threats);
    if (rc == 0) rc = wbi_opt_arr(&x->d, vj, "ids", &ids);
    if (rc != 0) return rc;
    if (id == NULL) id = json_string_value(json_object_get(json_array_get(ids, 0), "text"));
    if (id == NULL) return wbi_doc_fail(&x->d, "a VEX statement needs a cve or ids[].text");
    wbi_strmap fm = {0}, tm = {0};
    rc = index_products(x, t, flags, "flags", NULL, &fm);
    if (rc == 0) rc = index_products(x, t, threats, "threats", "impact", &tm);
    size_t old = wbi_path_key(&x->d, "product_status");
    for (size_t k = 0; rc == 0 && ps && k < sizeof csaf_lists / sizeof csaf_lists[0]; k++) {
        json_t *arr = NULL;
        rc = wbi_opt_arr(&x->d, ps, csaf_lists[k].key, &arr);
        size_t o2 = wbi_path_key(&x->d, csaf_lists[k].key), i;
        json_t *pid;
        json_array_foreach(arr, i, pid)
        {
            if (rc != 0) break;
            size_t o3 = wbi_path_idx(&x->d, i);
            const wbi_csaf_product *p;
            rc = wbi_csaf_tree_find(&x->d, t, pid, &p);
            if (rc != 0) break;
            if (p->unknown) { /* a statement about versions nobody can read says nothing */
                wbi_path_cut(&x->d, o3);
                continue;
            }
            wb_vex v = {0};
            v.vuln = id;
            v.status = csaf_lists[k].status;
            v.purl = p->purl;
            v.cpe = p->cpe;
            v.vendor = p->vendor;
            v.product = p->product ? p->product : p->name;
            v.version = p->version;
            v.range = p->range;
            size_t fi;
            if (wbi_strmap_get(&fm, p->id, &fi))
                v.justification =
                    json_string_value(json_object_get(json_array_get(flags, fi), "label"));
            if (wbi_strmap_get(&tm, p->id, &fi))
                v.detail =
                    json_string_value(json_object_get(json_array_get(threats, fi), "details"));
            rc = vemit(x, &v);
            if (rc == 0) wbi_path_cut(&x->d, o3);
        }
        if (rc == 0) wbi_path_cut(&x->d, o2);
    }
    if (rc == 0) wbi_path_cut(&x->d, old);
    wbi_strmap_free(&fm);
    wbi_strmap_free(&tm);
    return rc;
}

static int csaf_vex(vexctx *x, const json_t *root)
{
    wbi_csaf_tree t;
    json_t *vulns = NULL;
    int rc = wbi_csaf_tree_build(&x->d, root, &t);
    if (rc == 0) rc = wbi_opt_arr(&x->d, root, "vulnerabilities", &vulns);
    size_t old = wbi_path_key(&x->d, "vulnerabilities"), i;
    json_t *v;
    json_array_foreach(vulns, i, v)
    {
        if (rc != 0) break;
        size_t o2 = wbi_path_idx(&x->d, i);
        rc = csaf_vuln(x, &t, v);
        if (rc == 0) wbi_path_cut(&x->d, o2);
    }
    if (rc == 0) wbi_path_cut(&x->d, old);
    wbi_csaf_tree_free(&t);
    return rc;
}

/* ---- CycloneDX VEX ---------------------------------------------------------------------- */

typedef struct cdx_refs {
    wbi_strmap map;   /* bom-ref -> index */
    const json_t **c; /* the component objects */
    size_t n, cap;
} cdx_refs;

static int collect_refs(vexctx *x, cdx_refs *r, const json_t *c, int depth)
{
    if (depth > WBI_VULN_MAX_DEPTH) return wbi_doc_fail(&x->d, "components nested too deeply");
    const char *ref = json_string_value(json_object_get(c, "bom-ref"));
    if (ref) {
        if (r->n == r->cap) {
            size_t nc = r->cap ? r->cap * 2 : 32;
            const json_t **p = realloc(r->c, nc * sizeof *p);
            if (p == NULL) return wbi_doc_nomem(&x->d);
            r->c = p;
            r->cap = nc;
        }
        r->c[r->n] = c;
        if (wbi_strmap_put(&r->map, ref, r->n, NULL) != 0) return wbi_doc_nomem(&x->d);
        r->n++;
    }
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(c, "components"), i, s)
    {
        int rc = collect_refs(x, r, s, depth + 1);
        if (rc != 0) return rc;
    }
    return 0;
}

static const struct {
    const char *state;
    wb_vex_status status;
} cdx_states[] = {
    {"not_affected", WB_VEX_NOT_AFFECTED},    {"false_positive", WB_VEX_NOT_AFFECTED},
    {"exploitable", WB_VEX_AFFECTED},         {"resolved", WB_VEX_FIXED},
    {"resolved_with_pedigree", WB_VEX_FIXED}, {"in_triage", WB_VEX_UNDER_INVESTIGATION},
};

static int cdx_affect(vexctx *x, const cdx_refs *refs, const json_t *a, wb_vex base)
{
    const char *ref = NULL;
    json_t *versions = NULL;
    if (!json_is_object(a)) return wbi_doc_fail(&x->d, "expected an object");
    int rc = wbi_req_str(&x->d, a, "ref", &ref);
    if (rc == 0) rc = wbi_opt_arr(&x->d, a, "versions", &versions);
    if (rc != 0) return rc;
    const char *key = ref;
    if (strncmp(ref, "urn:cdx:", 8) == 0 && strchr(ref, '#')) key = strchr(ref, '#') + 1;
    size_t ci;
    if (wbi_strmap_get(&refs->map, key, &ci)) {
        const json_t *c = refs->c[ci];
        base.purl = json_string_value(json_object_get(c, "purl"));
        base.cpe = json_string_value(json_object_get(c, "cpe"));
        base.product = json_string_value(json_object_get(c, "name"));
        base.version = json_string_value(json_object_get(c, "version"));
    } else if (strncmp(ref, "pkg:", 4) == 0) {
        base.purl = ref;
    } else {
        size_t old = wbi_path_key(&x->d, "ref");
        rc = wbi_doc_fail(&x->d, "'%.100s' is not a bom-ref of this document", ref);
        wbi_path_cut(&x->d, old);
        return rc;
    }
    if (base.purl) {
        size_t old = wbi_path_key(&x->d, "ref");
        rc = purl_version(x, &base);
        if (rc != 0) return rc;
        wbi_path_cut(&x->d, old);
    }
    if (json_array_size(versions) == 0) return vemit(x, &base);
    size_t old = wbi_path_key(&x->d, "versions"), i;
    json_t *v;
    json_array_foreach(versions, i, v)
    {
        size_t o2 = wbi_path_idx(&x->d, i);
        wb_vex one = base;
        const char *ver = NULL, *range = NULL, *status = NULL;
        if (!json_is_object(v)) return wbi_doc_fail(&x->d, "expected an object");
        rc = wbi_opt_str(&x->d, v, "version", &ver);
        if (rc == 0) rc = wbi_opt_str(&x->d, v, "range", &range);
        if (rc == 0) rc = wbi_opt_str(&x->d, v, "status", &status);
        if (rc == 0 && !ver == !range) rc = wbi_doc_fail(&x->d, "needs either version or range");
        if (rc == 0 && range) rc = wbi_vers_canon(&x->d, "generic", range, &one.range);
        if (rc != 0) return rc;
        if (ver)
            one.version = ver, one.range = NULL;
        else
            one.version = NULL;
        if (status && strcmp(status, "unaffected") == 0)
            one.status = WB_VEX_NOT_AFFECTED;
        else if (status && strcmp(status, "affected") == 0 && one.status == WB_VEX_NOT_AFFECTED)
            one.status = WB_VEX_AFFECTED;
        else if (status && strcmp(status, "unknown") == 0)
            one.status = WB_VEX_UNDER_INVESTIGATION;
        rc = vemit(x, &one);
        if (rc != 0) return rc;
        wbi_path_cut(&x->d, o2);
    }
    wbi_path_cut(&x->d, old);
    return 0;
}

static int cdx_vex(vexctx *x, const json_t *root)
{
    cdx_refs refs = {0};
    int rc = 0;
    json_t *mc = json_object_get(json_object_get(root, "metadata"), "component");
    if (json_is_object(mc)) rc = collect_refs(x, &refs, mc, 0);
    size_t i;
    json_t *c, *vulns = NULL;
    json_array_foreach(json_object_get(root, "components"), i, c) if (rc == 0 && json_is_object(c))
        rc = collect_refs(x, &refs, c, 0);
    if (rc == 0) rc = wbi_opt_arr(&x->d, root, "vulnerabilities", &vulns);
    size_t old = wbi_path_key(&x->d, "vulnerabilities");
    json_t *v;
    json_array_foreach(vulns, i, v)
    {
        if (rc != 0) break;
        size_t o2 = wbi_path_idx(&x->d, i);
        const char *id = NULL, *state = NULL;
        json_t *an = NULL, *affects = NULL;
        if (!json_is_object(v)) rc = wbi_doc_fail(&x->d, "expected an object");
        if (rc == 0) rc = wbi_req_str(&x->d, v, "id", &id);
        if (rc == 0) rc = wbi_opt_obj(&x->d, v, "analysis", &an);
        if (rc == 0) rc = wbi_opt_arr(&x->d, v, "affects", &affects);
        if (rc != 0) break;
        if (an == NULL) { /* a vulnerability without analysis is no VEX statement */
            wbi_path_cut(&x->d, o2);
            continue;
        }
        wb_vex base = {0};
        base.vuln = id;
        size_t o3 = wbi_path_key(&x->d, "analysis");
        rc = wbi_req_str(&x->d, an, "state", &state);
        if (rc == 0) rc = wbi_opt_str(&x->d, an, "justification", &base.justification);
        if (rc == 0) rc = wbi_opt_str(&x->d, an, "detail", &base.detail);
        size_t k;
        for (k = 0; rc == 0 && k < sizeof cdx_states / sizeof cdx_states[0]; k++)
            if (strcmp(state, cdx_states[k].state) == 0) break;
        if (rc == 0 && k == sizeof cdx_states / sizeof cdx_states[0]) {
            wbi_path_key(&x->d, "state");
            rc = wbi_doc_fail(&x->d, "unknown state '%.40s'", state);
        }
        if (rc != 0) break;
        base.status = cdx_states[k].status;
        wbi_path_cut(&x->d, o3);
        size_t j;
        json_t *a;
        json_array_foreach(affects, j, a)
        {
            size_t o4 = wbi_path_key(&x->d, "affects");
            wbi_path_idx(&x->d, j);
            rc = cdx_affect(x, &refs, a, base);
            if (rc != 0) break;
            wbi_path_cut(&x->d, o4);
        }
        if (rc == 0) wbi_path_cut(&x->d, o2);
    }
    if (rc == 0) wbi_path_cut(&x->d, old);
    wbi_strmap_free(&refs.map);
    free(refs.c);
    return rc;
}

/* ---- OpenVEX ------------------------------------------------------------------------------ */

static const struct {
    const char *name;
    wb_vex_status status;
} openvex_states[] = {{"not_affected", WB_VEX_NOT_AFFECTED},
                      {"affected", WB_VEX_AFFECTED},
                      {"fixed", WB_VEX_FIXED},
                      {"under_investigation", WB_VEX_UNDER_INVESTIGATION}};

/* One product or subcomponent: "@id" (or a plain string) and identifiers. */
static int openvex_product(vexctx *x, const json_t *p, wb_vex base)
{
    const char *id = NULL;
    if (json_is_string(p)) {
        id = json_string_value(p);
    } else if (json_is_object(p)) {
        json_t *idents = NULL;
        int rc = wbi_opt_str(&x->d, p, "@id", &id);
        if (rc == 0) rc = wbi_opt_obj(&x->d, p, "identifiers", &idents);
        if (rc != 0) return rc;
        if (idents) {
            base.purl = json_string_value(json_object_get(idents, "purl"));
            base.cpe = json_string_value(json_object_get(idents, "cpe23"));
            if (!base.cpe) base.cpe = json_string_value(json_object_get(idents, "cpe22"));
        }
    } else {
        return wbi_doc_fail(&x->d, "expected a product object or string");
    }
    if (id && !base.purl && strncmp(id, "pkg:", 4) == 0) base.purl = id;
    if (id && !base.cpe && strncmp(id, "cpe:", 4) == 0) base.cpe = id;
    if (id && !base.purl && !base.cpe) base.product = id;
    if (!base.purl && !base.cpe && !base.product)
        return wbi_doc_fail(&x->d, "a product needs an @id or identifiers");
    int rc = purl_version(x, &base);
    return rc != 0 ? rc : vemit(x, &base);
}

static int openvex(vexctx *x, const json_t *root)
{
    json_t *stmts = NULL;
    int rc = wbi_opt_arr(&x->d, root, "statements", &stmts);
    if (rc != 0) return rc;
    size_t old = wbi_path_key(&x->d, "statements"), i;
    json_t *s;
    json_array_foreach(stmts, i, s)
    {
        size_t o2 = wbi_path_idx(&x->d, i);
        if (!json_is_object(s)) return wbi_doc_fail(&x->d, "expected an object");
        wb_vex base = {0};
        const char *status = NULL;
        json_t *vul = json_object_get(s, "vulnerability"), *prods = NULL;
        if (json_is_string(vul))
            base.vuln = json_string_value(vul); /* OpenVEX 0.0.1 */
        else if (json_is_object(vul))
            base.vuln = json_string_value(json_object_get(vul, "name"));
        if (base.vuln == NULL || base.vuln[0] == '\0') {
            wbi_path_key(&x->d, "vulnerability");
            return wbi_doc_fail(&x->d, "needs a vulnerability name");
        }
        rc = wbi_req_str(&x->d, s, "status", &status);
        if (rc == 0) rc = wbi_opt_str(&x->d, s, "justification", &base.justification);
        if (rc == 0) rc = wbi_opt_str(&x->d, s, "impact_statement", &base.detail);
        if (rc == 0 && base.detail == NULL)
            rc = wbi_opt_str(&x->d, s, "action_statement", &base.detail);
        if (rc == 0) rc = wbi_opt_arr(&x->d, s, "products", &prods);
        if (rc != 0) return rc;
        size_t k;
        for (k = 0; k < sizeof openvex_states / sizeof openvex_states[0]; k++)
            if (strcmp(status, openvex_states[k].name) == 0) break;
        if (k == sizeof openvex_states / sizeof openvex_states[0]) {
            wbi_path_key(&x->d, "status");
            return wbi_doc_fail(&x->d, "unknown status '%.40s'", status);
        }
        base.status = openvex_states[k].status;
        if (json_array_size(prods) == 0) return wbi_doc_fail(&x->d, "a statement needs products");
        size_t j;
        json_t *p;
        json_array_foreach(prods, j, p)
        {
            size_t o3 = wbi_path_key(&x->d, "products");
            wbi_path_idx(&x->d, j);
            json_t *subs = json_is_object(p) ? json_object_get(p, "subcomponents") : NULL;
            if (json_array_size(subs) > 0) {
                size_t m;
                json_t *sc;
                json_array_foreach(subs, m, sc)
                {
                    size_t o4 = wbi_path_key(&x->d, "subcomponents");
                    wbi_path_idx(&x->d, m);
                    rc = openvex_product(x, sc, base);
                    if (rc != 0) return rc;
                    wbi_path_cut(&x->d, o4);
                }
            } else {
                rc = openvex_product(x, p, base);
                if (rc != 0) return rc;
            }
            wbi_path_cut(&x->d, o3);
        }
        wbi_path_cut(&x->d, o2);
    }
    wbi_path_cut(&x->d, old);
    return 0;
}

int wb_vex_load(const char *path, wb_vex_sink *sink, wb_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = wb_read_file(path, WBI_VULN_MAX_FILE, &data, &len, err);
    if (rc != 0) return rc;
    vexctx x = {0};
    wbi_doc_init(&x.d, path, err);
    json_t *root = NULL;
    rc = wbi_doc_json(&x.d, data, len, &root);
    int (*fn)(vexctx *, const json_t *) = NULL;
    if (rc == 0) {
        json_t *doc = json_object_get(root, "document");
        const char *ctx = json_string_value(json_object_get(root, "@context"));
        if (json_is_object(doc) && json_object_get(doc, "csaf_version"))
            fn = csaf_vex;
        else if (json_object_get(root, "bomFormat"))
            fn = cdx_vex;
        else if ((ctx && strstr(ctx, "openvex")) ||
                 json_is_array(json_object_get(root, "statements")))
            fn = openvex;
        else
            rc = wb_error_set(err, WB_EFORMAT, "%s: not a CSAF, CycloneDX or OpenVEX document",
                              path);
    }
    for (int pass = 0; rc == 0 && pass < 2; pass++) {
        x.sink = pass == 0 ? NULL : sink; /* check, then hand out */
        wb_arena_free(&x.d.arena);
        rc = fn(&x, root);
    }
    json_decref(root);
    wbi_doc_free(&x.d);
    free(data);
    return rc;
}
