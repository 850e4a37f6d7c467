/*
 * warninglists.c - the hub's warninglists (warnlistsvc.h): add from files
 * and directories, load with a generation for live reloading, and recheck
 * stored attributes.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "weerbaar/core.h"
#include "weerbaar/io.h"
#include "weerbaar/warnlistsvc.h"

#define MAX_LIST_BYTES ((size_t)64 << 20)
#define MAX_DEPTH 8

typedef struct path_set {
    char **v;
    size_t n;
} path_set;

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* The list files at path: path itself when it is a file, else every
 * list.json below it (MISP's layout: lists/<name>/list.json beside README
 * files and scripts), in name order. */
static int find_lists(const char *path, int depth, bool top, path_set *out, wb_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return wb_error_set(err, errno == ENOENT ? WB_ENOTFOUND : WB_EIO, "%s: %s", path,
                            strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        if (!top && !wb_str_endswith(path, "/list.json")) return 0;
        char **nv = realloc(out->v, (out->n + 1) * sizeof *nv);
        if (nv == NULL || (nv[out->n] = strdup(path)) == NULL) {
            if (nv) out->v = nv;
            return wb_error_set(err, WB_ENOMEM, "out of memory");
        }
        out->v = nv;
        out->n++;
        return 0;
    }
    if (depth >= MAX_DEPTH)
        return wb_error_set(err, WB_ELIMIT, "%s: directories nested deeper than %d", path,
                            MAX_DEPTH);
    struct dirent **ents;
    int n = scandir(path, &ents, NULL, name_cmp);
    if (n < 0) return wb_error_set(err, WB_EIO, "%s: %s", path, strerror(errno));
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0 && ents[i]->d_name[0] != '.') {
            wb_buf sub = {0};
            if (wb_buf_printf(&sub, "%s%s%s", path, wb_str_endswith(path, "/") ? "" : "/",
                              ents[i]->d_name) != 0)
                rc = wb_error_set(err, WB_ENOMEM, "out of memory");
            else
                rc = find_lists(sub.data, depth + 1, false, out, err);
            wb_buf_free(&sub);
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

static int audit(wb_store *s, const wb_actor *who, const char *action, const char *object,
                 const char *detail, wb_error *err)
{
    wb_audit_rec a = {.user = who->user ? who->user : "-",
                      .org = who->org_name ? who->org_name : "-",
                      .action = action,
                      .object = object,
                      .detail = detail};
    return wb_store_audit(s, &a, err);
}

int wb_wlsvc_add(wb_store *s, const wb_actor *who, const char *path, size_t *added, wb_error *err)
{
    *added = 0;
    path_set ps = {0};
    int rc = find_lists(path, 0, true, &ps, err);
    if (rc == 0 && ps.n == 0)
        rc = wb_error_set(err, WB_ENOTFOUND, "%s: no list.json below it", path);
    wb_warninglists *check = NULL;
    if (rc == 0 && wb_warninglists_new(&check) != 0)
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0) rc = wb_store_begin(s, err);
    bool open = rc == 0;
    for (size_t i = 0; rc == 0 && i < ps.n; i++) {
        char *data = NULL;
        size_t len = 0;
        /* Checked as the hub will load it, so a bad list fails here,
         * naming the file and JSON path, not at the hub's next request. */
        rc = wb_read_file(ps.v[i], MAX_LIST_BYTES, &data, &len, err);
        if (rc == 0) rc = wb_warninglists_load_buffer(check, ps.v[i], data, len, err);
        json_t *j = rc == 0 ? json_loadb(data, len, 0, NULL) : NULL;
        const char *name = json_string_value(json_object_get(j, "name"));
        if (rc == 0 && (name == NULL || strlen(name) > 256))
            rc = wb_error_set(err, WB_EPARSE, "%s: $.name: missing or longer than 256 bytes",
                              ps.v[i]);
        if (rc == 0) rc = wb_store_warninglist_put(s, name, data, err);
        if (rc == 0) rc = audit(s, who, "warninglist.add", name, ps.v[i], err);
        if (rc == 0) (*added)++;
        json_decref(j);
        free(data);
    }
    if (open) {
        if (rc == 0) rc = wb_store_commit(s, err);
        if (rc) wb_store_rollback(s);
    }
    if (rc) *added = 0;
    wb_warninglists_free(check);
    for (size_t i = 0; i < ps.n; i++)
        free(ps.v[i]);
    free(ps.v);
    return rc;
}

/* ---- loading ------------------------------------------------------------------------ */

int wb_wlsvc_generation(wb_store *s, wb_wlsvc_gen *gen, wb_error *err)
{
    return wb_store_warninglist_gen(s, &gen->count, &gen->latest, err);
}

typedef struct wl_load {
    wb_warninglists *wl;
    wb_error *err;
    int rc;
} wl_load;

static int wl_load_cb(void *ud, const wb_warninglist_rec *w)
{
    wl_load *l = ud;
    char name[300];
    snprintf(name, sizeof name, "warninglist '%.256s'", w->name);
    l->rc = wb_warninglists_load_buffer(l->wl, name, w->json, strlen(w->json), l->err);
    return l->rc != 0;
}

int wb_wlsvc_load(wb_store *s, wb_warninglists **out, wb_wlsvc_gen *gen, wb_error *err)
{
    *out = NULL;
    wl_load l = {.err = err};
    if (wb_warninglists_new(&l.wl) != 0) return wb_error_set(err, WB_ENOMEM, "out of memory");
    /* In the caller's snapshot when it holds one (the hub reads each
     * request in one); otherwise a list added in between is picked up by
     * the next generation check. */
    int rc = wb_wlsvc_generation(s, gen, err);
    if (rc == 0) rc = wb_store_warninglist_list(s, wl_load_cb, &l, err);
    if (rc == 0) rc = l.rc;
    if (rc || wb_warninglists_count(l.wl) == 0) {
        wb_warninglists_free(l.wl);
        return rc;
    }
    *out = l.wl;
    return 0;
}

/* ---- recheck ------------------------------------------------------------------------ */

typedef struct hit {
    int64_t attr_id, event_id;
    const char *list; /* owned by the warninglists */
} hit;

typedef struct recheck_walk {
    const wb_warninglists *wl;
    hit *hits;
    size_t n, cap;
    int64_t last_attr; /* one mark per attribute */
    int rc;
} recheck_walk;

static int recheck_cb(void *ud, int64_t attr_id, int64_t event_id, wb_ioc_type kind,
                      const char *norm)
{
    recheck_walk *w = ud;
    if (attr_id == w->last_attr) return 0;
    const char *name = wb_warninglists_find(w->wl, kind, norm, strlen(norm));
    if (name == NULL) return 0;
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 64;
        hit *nh = realloc(w->hits, nc * sizeof *nh);
        if (nh == NULL) {
            w->rc = WB_ENOMEM;
            return 1;
        }
        w->hits = nh;
        w->cap = nc;
    }
    w->hits[w->n++] = (hit){attr_id, event_id, name};
    w->last_attr = attr_id;
    return 0;
}

int wb_wlsvc_recheck(wb_store *s, const wb_actor *who, size_t *marked, wb_error *err)
{
    *marked = 0;
    wb_warninglists *wl = NULL;
    wb_wlsvc_gen gen;
    int rc = wb_wlsvc_load(s, &wl, &gen, err);
    if (rc || wl == NULL) return rc; /* no lists: nothing to mark */
    recheck_walk w = {.wl = wl};
    /* Found first, written after: the walk's statement is not open while
     * the rows it reads change. */
    rc = wb_store_attr_key_walk(s, recheck_cb, &w, err);
    if (rc == 0 && w.rc) rc = wb_error_set(err, w.rc, "out of memory");
    if (rc == 0) rc = wb_store_begin(s, err);
    if (rc == 0) {
        int64_t now = wb_time_now() / 1000000;
        for (size_t i = 0; rc == 0 && i < w.n; i++)
            rc = wb_store_attr_warn(s, w.hits[i].attr_id, w.hits[i].event_id, w.hits[i].list, now,
                                    err);
        char d[64];
        snprintf(d, sizeof d, "%zu attributes marked", w.n);
        if (rc == 0) rc = audit(s, who, "warninglist.recheck", NULL, d, err);
        if (rc == 0) rc = wb_store_commit(s, err);
        if (rc)
            wb_store_rollback(s);
        else
            *marked = w.n;
    }
    free(w.hits);
    wb_warninglists_free(wl);
    return rc;
}
