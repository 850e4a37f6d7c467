/*
 * audit.c - the audit log as a hash chain, its check and its retention
 * (store.h: wb_audit_hash, wb_store_audit_verify, wb_store_audit_archive),
 * independent of the back end.
 *
 * Every entry's hash is BLAKE2b-256 over the hash of the entry before it
 * and the entry's own fields, so changing, removing or inserting an entry
 * breaks the chain at that entry. The back end writes the hash with the
 * entry (in one write transaction with reading the head). An archive
 * writes the oldest entries to a file, with their hashes, before they are
 * removed from the table; the table records the last archived id and hash,
 * which is where its chain continues. Truncating the newest entries leaves
 * a valid shorter chain: `admin audit verify` prints the head so that an
 * operator can note it elsewhere and compare (docs/hub.md).
 *
 * The archive file is JSON lines: a first line
 * {"weerbaar_audit_archive":1,"prev":HEX,"before":TIME} and then one
 * {"id","time" (microseconds),"user","org","action","object","detail",
 * "hash"} per entry, oldest first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "store/store_internal.h"

/* ---- the hash ------------------------------------------------------------------------ */

static void put_u64(crypto_generichash_state *h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    crypto_generichash_update(h, b, sizeof b);
}

/* A field as a presence byte and, when present, its length and bytes: no
 * two different entries hash the same bytes. */
static void put_str(crypto_generichash_state *h, const char *s)
{
    uint8_t present = s != NULL;
    crypto_generichash_update(h, &present, 1);
    if (s == NULL) return;
    size_t n = strlen(s);
    put_u64(h, n);
    crypto_generichash_update(h, (const unsigned char *)s, n);
}

void wb_audit_hash(const uint8_t prev[WB_AUDIT_HASH_LEN], const wb_audit_rec *a,
                   uint8_t out[WB_AUDIT_HASH_LEN])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, WB_AUDIT_HASH_LEN);
    crypto_generichash_update(&h, (const unsigned char *)"weerbaar audit 1", 16);
    crypto_generichash_update(&h, prev, WB_AUDIT_HASH_LEN);
    put_u64(&h, (uint64_t)a->id);
    put_u64(&h, (uint64_t)a->time);
    put_str(&h, a->user);
    put_str(&h, a->org);
    put_str(&h, a->action);
    put_str(&h, a->object);
    put_str(&h, a->detail);
    crypto_generichash_final(&h, out, WB_AUDIT_HASH_LEN);
}

/* ---- the store's part ---------------------------------------------------------------- */

int wb_store_audit_walk(wb_store *s, int64_t upto_id, wb_audit_cb cb, void *ud, wb_error *err)
{
    return s->audit->audit_walk(s, upto_id, cb, ud, err);
}

typedef struct anchor_one {
    int64_t upto;
    uint8_t *hash;
} anchor_one;

static int anchor_one_cb(void *ud, int64_t upto, const uint8_t *hash)
{
    anchor_one *a = ud;
    a->upto = upto;
    memcpy(a->hash, hash, WB_AUDIT_HASH_LEN);
    return 1;
}

int wb_store_audit_anchor(wb_store *s, int64_t *upto_id, uint8_t hash[WB_AUDIT_HASH_LEN],
                          wb_error *err)
{
    memset(hash, 0, WB_AUDIT_HASH_LEN);
    anchor_one a = {0, hash};
    int rc = s->audit->audit_anchor(s, false, anchor_one_cb, &a, err);
    *upto_id = a.upto;
    return rc;
}

/* ---- checking ---------------------------------------------------------------------- */

typedef struct chain {
    uint8_t prev[WB_AUDIT_HASH_LEN];
    int64_t last_id;
    wb_audit_check *out;
    wb_error *err;
    const char *where; /* "audit entry" or the file's name */
} chain;

/* One more link: true when it holds; otherwise out->bad_id is set. */
static bool chain_step(chain *c, const wb_audit_rec *a, const uint8_t *hash)
{
    uint8_t h[WB_AUDIT_HASH_LEN];
    wb_audit_hash(c->prev, a, h);
    if (a->id <= c->last_id) {
        c->out->bad_id = a->id;
        wb_error_set(c->err, WB_EINVAL, "%s %lld: out of order after %lld", c->where,
                     (long long)a->id, (long long)c->last_id);
        return false;
    }
    if (hash == NULL || sodium_memcmp(h, hash, sizeof h) != 0) {
        c->out->bad_id = a->id;
        wb_error_set(c->err, WB_EINVAL,
                     "%s %lld: its hash does not match its contents and the entry before it "
                     "(changed, removed or inserted entries)",
                     c->where, (long long)a->id);
        return false;
    }
    memcpy(c->prev, h, sizeof h);
    c->last_id = a->id;
    c->out->rows++;
    c->out->head_id = a->id;
    memcpy(c->out->head, h, sizeof h);
    return true;
}

static int verify_cb(void *ud, const wb_audit_rec *a)
{
    return chain_step(ud, a, a->hash) ? 0 : 1;
}

int wb_store_audit_verify(wb_store *s, wb_audit_check *out, wb_error *err)
{
    memset(out, 0, sizeof *out);
    chain c = {.out = out, .err = err, .where = "audit entry"};
    int rc = wb_store_audit_anchor(s, &c.last_id, c.prev, err);
    memcpy(out->head, c.prev, WB_AUDIT_HASH_LEN);
    out->head_id = c.last_id;
    if (rc == 0) rc = wb_store_audit_walk(s, 0, verify_cb, &c, err);
    return rc;
}

/* ---- archiving ------------------------------------------------------------------------- */

typedef struct arch {
    chain c;
    FILE *f;
    wb_time before;
    int rc;
} arch;

static int arch_cb(void *ud, const wb_audit_rec *a)
{
    arch *w = ud;
    if (a->time >= w->before) return 1; /* the oldest entries only: a prefix */
    if (!chain_step(&w->c, a, a->hash)) {
        w->rc = WB_EINVAL;
        return 1;
    }
    char hex[2 * WB_AUDIT_HASH_LEN + 1];
    sodium_bin2hex(hex, sizeof hex, a->hash, WB_AUDIT_HASH_LEN);
    json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s?,s:s?,s:s}", "id", (json_int_t)a->id, "time",
                          (json_int_t)a->time, "user", a->user ? a->user : "-", "org",
                          a->org ? a->org : "-", "action", a->action ? a->action : "", "object",
                          a->object, "detail", a->detail, "hash", hex);
    char *t = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (t == NULL || fprintf(w->f, "%s\n", t) < 0) {
        w->rc = wb_error_set(w->c.err, t ? WB_EIO : WB_ENOMEM, "writing the archive: %s",
                             t ? strerror(errno) : "out of memory");
        free(t);
        return 1;
    }
    free(t);
    return 0;
}

/* Makes a rename in dir durable. */
static void sync_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int wb_store_audit_archive(wb_store *s, wb_time before, const char *path, const char *user,
                           wb_audit_check *out, wb_error *err)
{
    memset(out, 0, sizeof *out);
    if (strlen(path) > 4000) return wb_error_set(err, WB_EINVAL, "%.64s...: path too long", path);
    if (access(path, F_OK) == 0)
        return wb_error_set(err, WB_EINVAL, "%s: exists; archives are never overwritten", path);
    /* The whole chain first: an archive of a broken chain would carry
     * the damage into a file that looks sound. */
    wb_audit_check all;
    int rc = wb_store_audit_verify(s, &all, err);
    if (rc) return rc;
    if (all.bad_id) return WB_EINVAL;
    arch w = {.c = {.out = out, .err = err, .where = "audit entry"}, .before = before};
    int64_t anchor_id;
    rc = wb_store_audit_anchor(s, &anchor_id, w.c.prev, err);
    if (rc) return rc;
    w.c.last_id = anchor_id;
    char tmp[4100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    w.f = fopen(tmp, "wx");
    if (w.f == NULL) return wb_error_set(err, WB_EIO, "%s: %s", tmp, strerror(errno));
    char hex[2 * WB_AUDIT_HASH_LEN + 1], when[40];
    sodium_bin2hex(hex, sizeof hex, w.c.prev, WB_AUDIT_HASH_LEN);
    wb_time_format(before, when, sizeof when);
    if (fprintf(w.f, "{\"weerbaar_audit_archive\":1,\"prev\":\"%s\",\"before\":\"%s\"}\n", hex,
                when) < 0)
        rc = wb_error_set(err, WB_EIO, "%s: %s", tmp, strerror(errno));
    /* Entries up to the archive are never changed (the triggers), so they
     * are written out without holding the write lock. */
    if (rc == 0) rc = wb_store_audit_walk(s, 0, arch_cb, &w, err);
    if (rc == 0) rc = w.rc;
    if (rc == 0 && (fflush(w.f) != 0 || fsync(fileno(w.f)) != 0))
        rc = wb_error_set(err, WB_EIO, "%s: %s", tmp, strerror(errno));
    if (fclose(w.f) != 0 && rc == 0) rc = wb_error_set(err, WB_EIO, "%s: %s", tmp, strerror(errno));
    if (rc || out->rows == 0) {
        unlink(tmp);
        return rc;
    }
    if (rename(tmp, path) != 0) {
        rc = wb_error_set(err, WB_EIO, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return rc;
    }
    sync_dir(path);
    /* The file is on disk: now the entries go, with the record of where
     * the chain continues, in one transaction. */
    char detail[160];
    snprintf(detail, sizeof detail, "%lld entries, ids %lld-%lld, before %s", (long long)out->rows,
             (long long)anchor_id + 1, (long long)out->head_id, when);
    wb_audit_rec a = {.user = user ? user : "cli",
                      .org = "-",
                      .action = "audit.archive",
                      .object = path,
                      .detail = detail};
    int64_t now_anchor = 0;
    uint8_t now_hash[WB_AUDIT_HASH_LEN];
    rc = s->ops->begin(s, err);
    if (rc == 0) rc = wb_store_audit_anchor(s, &now_anchor, now_hash, err);
    if (rc == 0 && now_anchor != anchor_id)
        rc = wb_error_set(err, WB_EINVAL, "another archive ran meanwhile; run this one again");
    if (rc == 0)
        rc = s->audit->audit_archive(s, out->head_id, out->head, out->rows, before, path, err);
    if (rc == 0) rc = s->audit->audit_add(s, &a, err);
    if (rc == 0) rc = s->ops->commit(s, err);
    if (rc) {
        s->ops->rollback(s);
        unlink(path); /* nothing was removed: the file would only mislead */
    }
    return rc;
}

/* ---- checking an archive file ------------------------------------------------------------ */

typedef struct anchors {
    int64_t *ids;
    uint8_t (*hashes)[WB_AUDIT_HASH_LEN];
    size_t n, cap;
    bool oom;
} anchors;

static int anchors_cb(void *ud, int64_t upto, const uint8_t *hash)
{
    anchors *a = ud;
    if (a->n == a->cap) {
        size_t nc = a->cap ? 2 * a->cap : 16;
        int64_t *ni = realloc(a->ids, nc * sizeof *ni);
        if (ni) a->ids = ni;
        uint8_t(*nh)[WB_AUDIT_HASH_LEN] = realloc(a->hashes, nc * sizeof *nh);
        if (nh) a->hashes = nh;
        if (ni == NULL || nh == NULL) {
            a->oom = true;
            return 1;
        }
        a->cap = nc;
    }
    a->ids[a->n] = upto;
    memcpy(a->hashes[a->n++], hash, WB_AUDIT_HASH_LEN);
    return 0;
}

static bool hex32(const json_t *v, uint8_t out[WB_AUDIT_HASH_LEN])
{
    size_t n = 0;
    const char *s = json_string_value(v);
    return s && strlen(s) == 2 * WB_AUDIT_HASH_LEN &&
           sodium_hex2bin(out, WB_AUDIT_HASH_LEN, s, strlen(s), NULL, &n, NULL) == 0 &&
           n == WB_AUDIT_HASH_LEN;
}

int wb_store_audit_verify_file(wb_store *s, const char *path, wb_audit_check *out, wb_error *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (f == NULL) return wb_error_set(err, WB_EIO, "%s: %s", path, strerror(errno));
    chain c = {.out = out, .err = err, .where = path};
    uint8_t first_prev[WB_AUDIT_HASH_LEN];
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = 0;
    ssize_t n;
    while (rc == 0 && out->bad_id == 0 && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        json_t *o = json_loadb(line, (size_t)n, 0, NULL);
        if (!json_is_object(o)) {
            rc = wb_error_set(err, WB_EFORMAT, "%s:%ld: not a JSON object", path, lineno);
        } else if (lineno == 1) {
            if (json_integer_value(json_object_get(o, "weerbaar_audit_archive")) != 1 ||
                !hex32(json_object_get(o, "prev"), c.prev))
                rc = wb_error_set(err, WB_EFORMAT, "%s:1: not a weerbaar audit archive", path);
            memcpy(first_prev, c.prev, sizeof first_prev);
        } else {
            uint8_t h[WB_AUDIT_HASH_LEN];
            wb_audit_rec a = {
                .id = json_integer_value(json_object_get(o, "id")),
                .time = json_integer_value(json_object_get(o, "time")),
                .user = json_string_value(json_object_get(o, "user")),
                .org = json_string_value(json_object_get(o, "org")),
                .action = json_string_value(json_object_get(o, "action")),
                .object = json_string_value(json_object_get(o, "object")),
                .detail = json_string_value(json_object_get(o, "detail")),
            };
            if (!json_is_integer(json_object_get(o, "id")) || !hex32(json_object_get(o, "hash"), h))
                rc = wb_error_set(err, WB_EFORMAT, "%s:%ld: an entry needs an id and a hash", path,
                                  lineno);
            else
                chain_step(&c, &a, h);
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    if (rc || out->bad_id) return rc;
    if (lineno < 2) return wb_error_set(err, WB_EFORMAT, "%s: no entries", path);
    /* The file must be an archive this database recorded, and begin where
     * the archive before it ended. */
    anchors an = {0};
    rc = s->audit->audit_anchor(s, true, anchors_cb, &an, err);
    if (rc == 0 && an.oom) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    size_t k = an.n;
    for (size_t i = 0; rc == 0 && i < an.n && k == an.n; i++)
        if (an.ids[i] == out->head_id && sodium_memcmp(an.hashes[i], out->head, 32) == 0) k = i;
    uint8_t zero[WB_AUDIT_HASH_LEN] = {0};
    if (rc == 0 && k == an.n) {
        out->bad_id = out->head_id;
        wb_error_set(err, WB_EINVAL,
                     "%s: its last entry (%lld) is not an archive this database recorded", path,
                     (long long)out->head_id);
    } else if (rc == 0 && sodium_memcmp(first_prev, k == 0 ? zero : an.hashes[k - 1], 32) != 0) {
        out->bad_id = out->head_id;
        wb_error_set(err, WB_EINVAL, "%s: does not begin where the archive before it ended", path);
    }
    free(an.ids);
    free(an.hashes);
    return rc;
}
