/*
 * hubfix.c - the hub tests' fixture builder (hubfix.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/hubfix.h"
#include "common/testdb.h"

int64_t hubfix_add_org(wb_store *st, const char *name, wb_org_kind kind, const char *sector)
{
    int64_t id = 0;
    wb_error err;
    assert_int_equal(wb_store_org_add(st, name, kind, sector, NULL, &id, &err), 0);
    return id;
}

int64_t hubfix_add_user(wb_store *st, const char *email, int64_t org, wb_role role, char *key)
{
    int64_t uid = 0;
    wb_error err;
    assert_int_equal(wb_store_user_add(st, email, org, role, &uid, &err), 0);
    if (key) assert_int_equal(wb_store_key_add(st, uid, key, NULL, &err), 0);
    return uid;
}

void hubfix_begin(hubfix *f, const char *name, const hubfix_org *orgs, size_t norgs,
                  const hubfix_user *users, size_t nusers)
{
    memset(f, 0, sizeof *f);
    assert_true(norgs <= HUBFIX_MAX_ORGS && nusers <= HUBFIX_MAX_USERS);
    snprintf(f->dir, sizeof f->dir, "/tmp/wb-%.20s-XXXXXX", name);
    assert_non_null(mkdtemp(f->dir));
    char file[96];
    snprintf(file, sizeof file, "%s/hub.db", f->dir);
    testdb_path(file, f->db, sizeof f->db);
    wb_error err;
    assert_int_equal(wb_store_open(&f->st, f->db, &err), 0);
    for (size_t i = 0; i < norgs; i++)
        f->org[i] = hubfix_add_org(f->st, orgs[i].name, orgs[i].kind, orgs[i].sector);
    for (size_t i = 0; i < nusers; i++) {
        if (users[i].email == NULL) continue; /* a slot without a user (a caller with no key) */
        assert_true(users[i].org >= 0 && (size_t)users[i].org < norgs);
        f->user[i] =
            hubfix_add_user(f->st, users[i].email, f->org[users[i].org], users[i].role, f->key[i]);
    }
}

void hubfix_open(hubfix *f, const wb_hub_opts *o)
{
    if (!f->keep_store) {
        wb_store_close(f->st);
        f->st = NULL;
    }
    wb_hub_opts ho = o ? *o : (wb_hub_opts){.connections = 2, .rate = 1e6};
    ho.db = f->db;
    wb_error err;
    if (wb_hub_open(&f->hub, &ho, &err) != 0) fail_msg("wb_hub_open: %s", err.msg);
}

void hubfix_end(hubfix *f)
{
    if (f->hub) wb_hub_close(f->hub);
    if (f->st) wb_store_close(f->st);
    f->hub = NULL;
    f->st = NULL;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
}

unsigned hubfix_call(wb_hub *hub, const wb_hub_request *in, const char *key, json_t **out)
{
    char auth[WB_KEY_TEXT_LEN + 16];
    wb_hub_request req = *in;
    if (key) {
        snprintf(auth, sizeof auth, "Bearer %s", key);
        req.authorization = auth;
    }
    if (req.body && req.body_len == 0) req.body_len = strlen(req.body);
    wb_hub_response resp;
    wb_hub_handle(hub, &req, &resp);
    unsigned status = resp.status;
    if (resp.stream) {
        /* A streamed answer (a feed's manifest) is read to its end. */
        char buf[4096];
        long n;
        while ((n = wb_hub_stream_read(resp.stream, buf, sizeof buf)) > 0)
            assert_int_equal(wb_buf_append(&resp.body, buf, (size_t)n), 0);
        assert_int_equal(n, 0);
        assert_int_equal(wb_buf_putc(&resp.body, '\0'), 0);
    }
    json_t *j = json_loads(resp.body.data ? resp.body.data : "", 0, NULL);
    if (j == NULL)
        fail_msg("%s %s: HTTP %u, not JSON: %.200s", req.method, req.path, status,
                 resp.body.data ? resp.body.data : "");
    if (status >= 400 && json_object_get(j, "error") == NULL) {
        /* MISP's paths answer in MISP's shape */
        assert_true(json_is_string(json_object_get(j, "message")));
        assert_non_null(json_object_get(j, "errors"));
    } else if (status >= 400) {
        json_t *e = json_object_get(j, "error");
        assert_true(json_is_string(json_object_get(e, "code")));
        assert_true(json_is_string(json_object_get(e, "message")));
    }
    wb_hub_response_free(&resp);
    if (out)
        *out = j;
    else
        json_decref(j);
    return status;
}
