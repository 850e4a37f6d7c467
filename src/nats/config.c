/*
 * config.c - `weerbaar admin nats-config`: the nats-server configuration
 * for a hub's sensors, made from the hub's database (docs/scale.md, NATS).
 *
 * One account (WB) with JetStream holds the hub's user, which may do
 * anything in the account, and one user per sensor user of every
 * organisation that is not disabled. A sensor's NATS user may only
 *  - create, look at, delete and pull from its own durable consumers, one
 *    per subject of its organisation's audiences, through the 2.9 API
 *    subject that names the consumer's filter subject (so the server
 *    checks the filter: $JS.API.CONSUMER.CREATE.WB_IND.<name>.<subject>),
 *  - acknowledge their messages, and publish its sightings to its own
 *    subject (wb.sight.<org-uuid>.<user>),
 *  - receive on its own inbox prefix (_I.<user>.>); nothing else, so no
 *    plain subscription to an indicator subject either.
 * The legacy consumer-create subjects (the filter is in the body, which
 * permissions cannot see), direct get and message get (which read any
 * subject of the stream) are denied outright.
 *
 * Keys are NKeys made with libsodium (nkey.c); the seeds go into the user
 * files, the public keys into accounts.conf. A user file that exists is
 * read and its key kept, so a second run (after a membership change)
 * changes permissions, not credentials.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "nats/nats_internal.h"
#include "weerbaar/io.h"
#include "weerbaar/store.h"

#define MAX_GROUPS 256

typedef struct org_row {
    int64_t id;
    char *uuid, *name;
    bool disabled;
} org_row;

typedef struct sg_row {
    int64_t id;
    char *uuid;
} sg_row;

typedef struct user_row {
    int64_t id, org_id;
    char *email;
} user_row;

typedef struct conf_ctx {
    org_row *orgs;
    size_t norgs;
    sg_row *sgs;
    size_t nsgs;
    user_row *users;
    size_t nusers;
    bool oom;
} conf_ctx;

static int org_cb(void *ud, const wb_org *o)
{
    conf_ctx *c = ud;
    org_row *n = realloc(c->orgs, (c->norgs + 1) * sizeof *n);
    if (n == NULL) return c->oom = true, 1;
    c->orgs = n;
    n[c->norgs] = (org_row){o->id, strdup(o->uuid), strdup(o->name), o->disabled};
    if (n[c->norgs].uuid == NULL || n[c->norgs].name == NULL) c->oom = true;
    c->norgs++;
    return c->oom;
}

static int sg_cb(void *ud, const wb_sgroup *g)
{
    conf_ctx *c = ud;
    sg_row *n = realloc(c->sgs, (c->nsgs + 1) * sizeof *n);
    if (n == NULL) return c->oom = true, 1;
    c->sgs = n;
    n[c->nsgs] = (sg_row){g->id, strdup(g->uuid)};
    if (n[c->nsgs].uuid == NULL) c->oom = true;
    c->nsgs++;
    return c->oom;
}

static int user_cb(void *ud, const wb_user *u)
{
    conf_ctx *c = ud;
    if (u->role != WB_ROLE_SENSOR || u->disabled) return 0;
    user_row *n = realloc(c->users, (c->nusers + 1) * sizeof *n);
    if (n == NULL) return c->oom = true, 1;
    c->users = n;
    n[c->nusers] = (user_row){u->id, u->org_id, strdup(u->email)};
    if (n[c->nusers].email == NULL) c->oom = true;
    c->nusers++;
    return c->oom;
}

static void ctx_free(conf_ctx *c)
{
    for (size_t i = 0; i < c->norgs; i++) {
        free(c->orgs[i].uuid);
        free(c->orgs[i].name);
    }
    for (size_t i = 0; i < c->nsgs; i++)
        free(c->sgs[i].uuid);
    for (size_t i = 0; i < c->nusers; i++)
        free(c->users[i].email);
    free(c->orgs);
    free(c->sgs);
    free(c->users);
}

static const char *sg_uuid(const conf_ctx *c, int64_t id)
{
    for (size_t i = 0; i < c->nsgs; i++)
        if (c->sgs[i].id == id) return c->sgs[i].uuid;
    return NULL;
}

/* Writes len bytes to path through a temporary file and a rename, with mode. */
static int write_file(const char *path, const char *data, size_t len, mode_t mode, wb_error *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return wb_error_set(err, WB_EIO, "%s: %s", tmp, strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return wb_error_set(err, WB_EIO, "%s: %s", tmp, strerror(e));
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return wb_error_set(err, WB_EIO, "%s: %s", path, strerror(e));
    }
    return 0;
}

static int mkdir_p(const char *path, mode_t mode, wb_error *err)
{
    if (mkdir(path, mode) == 0 || errno == EEXIST) return 0;
    return wb_error_set(err, WB_EIO, "%s: %s", path, strerror(errno));
}

/* The seed of an earlier run's file, if there is a valid one. */
static bool old_seed(const char *path, char seed[WB_NKEY_SEED_LEN + 1])
{
    char *text = NULL;
    size_t len = 0;
    wb_error e;
    if (wb_read_file(path, 65536, &text, &len, &e) != 0) return false;
    wb_nats_user u;
    bool ok = wb_nats_user_parse(text, len, &u, &e) == 0 && strlen(u.seed) == WB_NKEY_SEED_LEN;
    if (ok) memcpy(seed, u.seed, WB_NKEY_SEED_LEN + 1);
    free(text);
    return ok;
}

/* A key pair: the earlier run's from path, or a new one. */
static int key_for(const char *path, char pub[WB_NKEY_PUB_LEN + 1], char seed[WB_NKEY_SEED_LEN + 1],
                   bool *kept)
{
    *kept = old_seed(path, seed) && wb_nkey_user_public(seed, pub) == 0;
    return *kept ? 0 : wb_nkey_user_new(pub, seed);
}

static int put_q(wb_buf *b, const char *s)
{
    /* Every string written is ours (uuids, tokens, fixed subjects): no
     * quote or backslash can be in it; checked anyway. */
    if (strpbrk(s, "\"\\\n") != NULL) return WB_EINVAL;
    return wb_buf_printf(b, "\"%s\"", s);
}

/* The user's subjects: all, its organisation, its groups, and each pair
 * of its groups (an attribute of one group in an event of another). */
static int org_subjects(const conf_ctx *c, const org_row *o, const int64_t *gids, size_t ng,
                        char subj[][160], size_t *ns, wb_error *err)
{
    size_t n = 0;
    snprintf(subj[n++], 160, "wb.ind.all");
    snprintf(subj[n++], 160, "wb.ind.org.%s", o->uuid);
    const char *u[MAX_GROUPS];
    for (size_t i = 0; i < ng; i++)
        if ((u[i] = sg_uuid(c, gids[i])) == NULL)
            return wb_error_set(err, WB_EINTERNAL, "sharing group %lld: no uuid",
                                (long long)gids[i]);
    size_t need = 2 + ng + ng * (ng - (ng > 0)) / 2;
    if (need > WB_NATS_MAX_SUBJECTS)
        return wb_error_set(err, WB_ELIMIT,
                            "organisation '%s': in %zu sharing groups, which needs %zu NATS "
                            "subjects (at most %d)",
                            o->name, ng, need, WB_NATS_MAX_SUBJECTS);
    for (size_t i = 0; i < ng; i++)
        snprintf(subj[n++], 160, "wb.ind.sg.%s", u[i]);
    for (size_t i = 0; i < ng; i++)
        for (size_t k = i + 1; k < ng; k++) {
            bool lt = strcmp(u[i], u[k]) < 0;
            snprintf(subj[n++], 160, "wb.ind.sg2.%s.%s", lt ? u[i] : u[k], lt ? u[k] : u[i]);
        }
    *ns = n;
    return 0;
}

static int put_user_perms(wb_buf *b, const char *token, const char *org_uuid, char subj[][160],
                          size_t ns)
{
    int rc = wb_buf_puts(b, "      permissions: {\n        publish: {\n          allow: [\n");
    for (size_t i = 0; rc == 0 && i < ns; i++) {
        char cn[256];
        if (wbi_nats_consumer_name(token, subj[i], cn, sizeof cn) != 0) return WB_EINVAL;
        rc = wb_buf_printf(b,
                           "            \"$JS.API.CONSUMER.CREATE." WB_NATS_STREAM_IND ".%s.%s\",\n"
                           "            \"$JS.API.CONSUMER.INFO." WB_NATS_STREAM_IND ".%s\",\n"
                           "            \"$JS.API.CONSUMER.DELETE." WB_NATS_STREAM_IND ".%s\",\n"
                           "            \"$JS.API.CONSUMER.MSG.NEXT." WB_NATS_STREAM_IND ".%s\",\n"
                           "            \"$JS.ACK." WB_NATS_STREAM_IND ".%s.>\",\n",
                           cn, subj[i], cn, cn, cn, cn);
    }
    if (rc == 0)
        rc = wb_buf_printf(b,
                           "            \"wb.sight.%s.%s\"\n          ]\n"
                           "          deny: [\"$JS.API.CONSUMER.CREATE." WB_NATS_STREAM_IND
                           "\", \"$JS.API.CONSUMER.DURABLE.CREATE.>\",\n"
                           "                 \"$JS.API.DIRECT.GET.>\", "
                           "\"$JS.API.STREAM.MSG.GET.>\"]\n        }\n"
                           "        subscribe: { allow: [\"_I.%s.>\"] }\n      }\n",
                           org_uuid, token, token);
    return rc;
}

static int user_file_text(wb_buf *f, const char *url, const char *token, const char *org_uuid,
                          const char *who, const char *pub, const char *seed, char subj[][160],
                          size_t ns)
{
    int rc = wb_buf_printf(f,
                           "# weerbaar NATS user %s (%s): keep it secret, it holds the key.\n"
                           "# Written by `weerbaar admin nats-config`; read by `weerbaar match\n"
                           "# --follow --nats URL --nats-user FILE`.\n"
                           "url=%s\nuser=%s\norg=%s\nnkey=%s\nseed=%s\ninbox=_I.%s\n",
                           token, who, url, token, org_uuid, pub, seed, token);
    if (rc == 0 && org_uuid[0] != '\0' && strcmp(token, "hub") != 0)
        rc = wb_buf_printf(f, "sights=wb.sight.%s.%s\n", org_uuid, token);
    for (size_t i = 0; rc == 0 && i < ns; i++)
        rc = wb_buf_printf(f, "subject=%s\n", subj[i]);
    return rc;
}

static int streams_json(const wb_nats_conf_opts *o, wb_buf *b)
{
    int64_t ret = o->retention_s > 0 ? o->retention_s : WB_NATS_RETENTION_DEFAULT;
    json_t *j = json_pack(
        "[{s:s,s:[s],s:s,s:s,s:s,s:I,s:I,s:i},{s:s,s:[s],s:s,s:s,s:s,s:I,s:I,s:i}]", "name",
        WB_NATS_STREAM_IND, "subjects", "wb.ind.>", "retention", "limits", "storage", "file",
        "discard", "old", "max_age", (json_int_t)(ret * 1000000000LL), "duplicate_window",
        (json_int_t)((int64_t)WB_NATS_DUP_WINDOW_S * 1000000000LL), "num_replicas", 1, "name",
        WB_NATS_STREAM_SIGHT, "subjects", "wb.sight.>", "retention", "workqueue", "storage", "file",
        "discard", "old", "max_age", (json_int_t)(ret * 1000000000LL), "duplicate_window",
        (json_int_t)((int64_t)WB_NATS_DUP_WINDOW_S * 1000000000LL), "num_replicas", 1);
    char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    int rc = s ? wb_buf_puts(b, s) : WB_ENOMEM;
    if (rc == 0) rc = wb_buf_putc(b, '\n');
    free(s);
    return rc;
}

int wb_nats_config(const wb_nats_conf_opts *o, wb_nats_conf_stats *st, wb_error *err)
{
    memset(st, 0, sizeof *st);
    const char *url = o->url ? o->url : "nats://127.0.0.1:4222";
    if (strpbrk(url, "\n\r\"\\") != NULL) return wb_error_set(err, WB_EINVAL, "--url: not a URL");
    if (strpbrk(o->dir, "\n\r\"\\") != NULL)
        return wb_error_set(err, WB_EINVAL, "--out: a quote, backslash or line break in the path");
    wb_store *s = NULL;
    int rc = wb_store_open(&s, o->db, err);
    if (rc) return rc;
    conf_ctx c = {0};
    rc = wb_store_org_list(s, org_cb, &c, err);
    if (rc == 0) rc = wb_store_sgroup_list(s, sg_cb, &c, err);
    if (rc == 0) rc = wb_store_user_list(s, user_cb, &c, err);
    if (rc == 0 && c.oom) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    wb_buf acc = {0}, f = {0};
    char path[4096];
    if (rc == 0) rc = mkdir_p(o->dir, 0700, err);
    snprintf(path, sizeof path, "%s/users", o->dir);
    if (rc == 0) rc = mkdir_p(path, 0700, err);
    char pub[WB_NKEY_PUB_LEN + 1], seed[WB_NKEY_SEED_LEN + 1];
    bool kept;
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/hub.nkey", o->dir);
        rc = key_for(path, pub, seed, &kept);
        if (rc == 0)
            rc = user_file_text(&f, url, "hub", "hub", "the hub's publisher", pub, seed, NULL, 0);
        if (rc == 0) rc = write_file(path, f.data, f.len, 0600, err);
        if (rc == 0)
            rc = wb_buf_printf(&acc,
                               "# Written by `weerbaar admin nats-config` from the hub's "
                               "database; run it\n# again (and reload nats-server) after "
                               "organisations, sensor users or\n# sharing-group members "
                               "change. docs/scale.md, NATS, explains the subjects.\n"
                               "accounts {\n  WB {\n    jetstream: enabled\n    users: [\n"
                               "      # the hub (serve --nats-creds hub.nkey)\n"
                               "      { nkey: \"%s\" }\n",
                               pub);
    }
    for (size_t oi = 0; rc == 0 && oi < c.norgs; oi++) {
        const org_row *org = &c.orgs[oi];
        if (org->disabled) continue;
        int64_t gids[MAX_GROUPS];
        size_t ng = 0;
        rc = wb_store_org_sgroups(s, org->id, gids, MAX_GROUPS, &ng, err);
        char subj[WB_NATS_MAX_SUBJECTS][160];
        size_t ns = 0;
        if (rc == 0) rc = org_subjects(&c, org, gids, ng, subj, &ns, err);
        bool any = false;
        for (size_t ui = 0; rc == 0 && ui < c.nusers; ui++) {
            const user_row *u = &c.users[ui];
            if (u->org_id != org->id) continue;
            if (!any) {
                snprintf(path, sizeof path, "%s/users/%s", o->dir, org->uuid);
                rc = mkdir_p(path, 0700, err);
                any = true;
                st->orgs++;
            }
            char token[32];
            snprintf(token, sizeof token, "u%lld", (long long)u->id);
            snprintf(path, sizeof path, "%s/users/%s/%s.nkey", o->dir, org->uuid, token);
            if (rc == 0) rc = key_for(path, pub, seed, &kept);
            char who[600];
            snprintf(who, sizeof who, "%s of %s", u->email, org->name);
            wb_buf_reset(&f);
            if (rc == 0) rc = user_file_text(&f, url, token, org->uuid, who, pub, seed, subj, ns);
            if (rc == 0) rc = write_file(path, f.data, f.len, 0600, err);
            if (rc == 0)
                rc = wb_buf_printf(&acc,
                                   "      # %s (organisation %s)\n      {\n        nkey: ", token,
                                   org->uuid);
            if (rc == 0) rc = put_q(&acc, pub);
            if (rc == 0) rc = wb_buf_puts(&acc, "\n");
            if (rc == 0) rc = put_user_perms(&acc, token, org->uuid, subj, ns);
            if (rc == 0) rc = wb_buf_puts(&acc, "      }\n");
            if (rc == 0) {
                st->users++;
                st->kept += kept;
            }
        }
    }
    if (rc == 0) rc = wb_buf_puts(&acc, "    ]\n  }\n}\n");
    if (rc == WB_ENOMEM || rc == WB_EINVAL)
        rc = wb_error_set(err, rc, rc == WB_ENOMEM ? "out of memory" : "unexpected character");
    snprintf(path, sizeof path, "%s/accounts.conf", o->dir);
    if (rc == 0) rc = write_file(path, acc.data, acc.len, 0600, err);
    /* A server configuration to start from: loopback, JetStream beside it. */
    wb_buf_reset(&f);
    if (rc == 0)
        rc = wb_buf_printf(&f,
                           "# A starting point: weerbaar's accounts and JetStream. Change "
                           "listen, add\n# TLS and a cluster block for production "
                           "(docs/scale.md, NATS).\n"
                           "listen: \"127.0.0.1:4222\"\n"
                           "jetstream { store_dir: \"%s/jetstream\" }\n"
                           "include \"accounts.conf\"\n",
                           o->dir);
    snprintf(path, sizeof path, "%s/nats-server.conf", o->dir);
    if (rc == 0) {
        struct stat sb;
        /* the operator's own edits are not overwritten */
        if (stat(path, &sb) != 0) rc = write_file(path, f.data, f.len, 0600, err);
    }
    wb_buf_reset(&f);
    if (rc == 0) rc = streams_json(o, &f);
    if (rc == WB_ENOMEM) rc = wb_error_set(err, rc, "out of memory");
    snprintf(path, sizeof path, "%s/streams.json", o->dir);
    if (rc == 0) rc = write_file(path, f.data, f.len, 0644, err);
    if (f.data) memset(f.data, 0, f.len);
    wb_buf_free(&f);
    wb_buf_free(&acc);
    ctx_free(&c);
    wb_store_close(s);
    return rc;
}
