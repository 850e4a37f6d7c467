/*
 * test_nats.c - NKeys, the sensor's user file, and the permissions
 * `admin nats-config` gives (src/nats/): a nats-server started here on a
 * free loopback port with the generated accounts refuses what a sensor of
 * one organisation may not do (another organisation's subject, by
 * consumer or by plain subscription; the legacy consumer-create, direct
 * get and message get subjects), while the same calls work for what the
 * sensor may do and for the hub (so each refusal is the permissions').
 * Skips (77) when nats-server is not installed.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <nats/nats.h>

#include "common/hubfix.h"
#include "weerbaar/io.h"
#include "weerbaar/nats.h"

#define NATS_SERVER "/usr/sbin/nats-server"

static void test_nkey(void **state)
{
    (void)state;
    char pub[WB_NKEY_PUB_LEN + 1], seed[WB_NKEY_SEED_LEN + 1], pub2[WB_NKEY_PUB_LEN + 1];
    assert_int_equal(wb_nkey_user_new(pub, seed), 0);
    assert_int_equal(strlen(pub), WB_NKEY_PUB_LEN);
    assert_int_equal(strlen(seed), WB_NKEY_SEED_LEN);
    assert_int_equal(pub[0], 'U');
    assert_memory_equal(seed, "SU", 2);
    assert_true(wb_nkey_user_valid(pub));
    assert_int_equal(wb_nkey_user_public(seed, pub2), 0);
    assert_string_equal(pub, pub2);
    /* one character changed: the checksum (or the prefix) no longer holds */
    for (size_t i = 0; i < WB_NKEY_PUB_LEN; i += 7) {
        char bad[WB_NKEY_PUB_LEN + 1];
        memcpy(bad, pub, sizeof bad);
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        assert_false(wb_nkey_user_valid(bad));
    }
    char bads[WB_NKEY_SEED_LEN + 1];
    memcpy(bads, seed, sizeof bads);
    bads[20] = bads[20] == 'A' ? 'B' : 'A';
    assert_int_not_equal(wb_nkey_user_public(bads, pub2), 0);
    assert_int_not_equal(wb_nkey_user_public("SU", pub2), 0);
    assert_false(wb_nkey_user_valid(seed));
    unsigned char sig[64];
    assert_int_equal(wb_nkey_sign(seed, "nonce", 5, sig), 0);
}

static int parse(const char *text, wb_nats_user *u, wb_error *err)
{
    static char buf[8192];
    size_t n = strlen(text);
    memcpy(buf, text, n + 1);
    return wb_nats_user_parse(buf, n, u, err);
}

static void test_user_file(void **state)
{
    (void)state;
    char pub[WB_NKEY_PUB_LEN + 1], seed[WB_NKEY_SEED_LEN + 1];
    assert_int_equal(wb_nkey_user_new(pub, seed), 0);
    char good[2048];
    snprintf(good, sizeof good,
             "# a comment\nurl=nats://127.0.0.1:4222\nuser=u3\norg=abc\nnkey=%s\nseed=%s\r\n"
             "inbox=_I.u3\nsights=wb.sight.abc.u3\nsubject=wb.ind.all\n"
             "subject=wb.ind.sg2.a-1.b-2\n",
             pub, seed);
    wb_nats_user u;
    wb_error err = {0};
    assert_int_equal(parse(good, &u, &err), 0);
    assert_string_equal(u.user, "u3");
    assert_string_equal(u.seed, seed);
    assert_int_equal(u.nsubjects, 2);
    assert_string_equal(u.subjects[1], "wb.ind.sg2.a-1.b-2");
    static const char *const bad[] = {
        "user=u3\nuser=u4\n",       /* twice */
        "color=blue\n",             /* unknown */
        "subject=wb.ind.>\n",       /* a wildcard */
        "subject=wb.ind.org.a.b\n", /* a token too many */
        "subject=wb.sight.x.y\n",   /* not an indicator subject */
        "user=u\x01x\n",            /* a control character */
        "novalue\n",                /* not key=value */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char t[2048];
        snprintf(t, sizeof t, "%sorg=abc\nseed=%s\ninbox=_I.u3\n", bad[i], seed);
        if (strncmp(bad[i], "user=", 5) != 0) strncat(t, "user=u3\n", sizeof t - strlen(t) - 1);
        assert_int_equal(parse(t, &u, &err), WB_EPARSE);
    }
    char wrong[2048];
    char pub2[WB_NKEY_PUB_LEN + 1], seed2[WB_NKEY_SEED_LEN + 1];
    assert_int_equal(wb_nkey_user_new(pub2, seed2), 0);
    snprintf(wrong, sizeof wrong, "user=u3\norg=abc\nnkey=%s\nseed=%s\ninbox=_I.u3\n", pub2, seed);
    assert_int_equal(parse(wrong, &u, &err), WB_EPARSE); /* key of another seed */
    assert_int_equal(parse("user=u3\norg=abc\ninbox=_I.u3\n", &u, &err), WB_EPARSE); /* no seed */
}

/* ---- a nats-server with the generated configuration ------------------------------------ */

typedef struct srv {
    hubfix h;
    pid_t pid;
    int port;
    char cfg[160];
    char url[64];
    char org_a[40], org_b[40];
    wb_nats_user ua, ub, hub;
    char *ua_text, *ub_text, *hub_text;
    volatile int violations;
} srv;

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

typedef struct uuid_walk {
    char *out;
} uuid_walk;

static int org_uuid_cb(void *ud, const wb_org *o)
{
    snprintf(((uuid_walk *)ud)->out, 40, "%s", o->uuid);
    return 1;
}

static void load_user(const char *path, char **text, wb_nats_user *u)
{
    size_t len;
    wb_error err = {0};
    assert_int_equal(wb_read_file(path, 65536, text, &len, &err), 0);
    assert_int_equal(wb_nats_user_parse(*text, len, u, &err), 0);
}

static int setup_server(void **state)
{
    if (access(NATS_SERVER, X_OK) != 0) {
        fprintf(stderr, "nats-server is not installed: skipped\n");
        exit(77);
    }
    srv *s = calloc(1, sizeof *s);
    static const hubfix_org orgs[] = {{"OrgA", WB_ORG_ESSENTIAL, "energy"},
                                      {"OrgB", WB_ORG_ESSENTIAL, "health"}};
    static const hubfix_user users[] = {{"sensor@a.example", 0, WB_ROLE_SENSOR},
                                        {"sensor@b.example", 1, WB_ROLE_SENSOR},
                                        {"member@a.example", 0, WB_ROLE_MEMBER}};
    hubfix_begin(&s->h, "nats", orgs, 2, users, 3);
    wb_error err = {0};
    uuid_walk w = {s->org_a};
    assert_int_equal(wb_store_org_get(s->h.st, s->h.org[0], org_uuid_cb, &w, &err), 0);
    w.out = s->org_b;
    assert_int_equal(wb_store_org_get(s->h.st, s->h.org[1], org_uuid_cb, &w, &err), 0);
    wb_store_close(s->h.st);
    s->h.st = NULL;
    snprintf(s->cfg, sizeof s->cfg, "%s/nats", s->h.dir);
    s->port = free_port();
    snprintf(s->url, sizeof s->url, "nats://127.0.0.1:%d", s->port);
    wb_nats_conf_opts o = {.db = s->h.db, .dir = s->cfg, .url = s->url};
    wb_nats_conf_stats st;
    assert_int_equal(wb_nats_config(&o, &st, &err), 0);
    assert_int_equal(st.users, 2);
    char path[256], conf[512];
    snprintf(path, sizeof path, "%s/test.conf", s->cfg);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "listen: \"127.0.0.1:%d\"\njetstream { store_dir: \"%s/js\" }\n"
            "include \"accounts.conf\"\n",
            s->port, s->cfg);
    fclose(f);
    snprintf(conf, sizeof conf, "%s/nats.log", s->cfg);
    s->pid = fork();
    if (s->pid == 0) {
        FILE *lf = freopen(conf, "w", stderr);
        (void)lf;
        execl(NATS_SERVER, NATS_SERVER, "-c", path, (char *)NULL);
        _exit(127);
    }
    snprintf(path, sizeof path, "%s/users/%s/u%lld.nkey", s->cfg, s->org_a,
             (long long)s->h.user[0]);
    load_user(path, &s->ua_text, &s->ua);
    snprintf(path, sizeof path, "%s/users/%s/u%lld.nkey", s->cfg, s->org_b,
             (long long)s->h.user[1]);
    load_user(path, &s->ub_text, &s->ub);
    snprintf(path, sizeof path, "%s/hub.nkey", s->cfg);
    load_user(path, &s->hub_text, &s->hub);
    *state = s;
    return 0;
}

static int teardown_server(void **state)
{
    srv *s = *state;
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
    }
    free(s->ua_text);
    free(s->ub_text);
    free(s->hub_text);
    hubfix_end(&s->h);
    free(s);
    return 0;
}

static natsStatus sign(char **custom, unsigned char **sig, int *len, const char *nonce, void *ud)
{
    (void)custom;
    const wb_nats_user *u = ud;
    *sig = malloc(64);
    *len = 64;
    return wb_nkey_sign(u->seed, nonce, strlen(nonce), *sig) == 0 ? NATS_OK : NATS_ERR;
}

static void on_error(natsConnection *nc, natsSubscription *sub, natsStatus err, void *ud)
{
    (void)nc;
    (void)sub;
    if (err == NATS_NOT_PERMITTED) ((srv *)ud)->violations++;
}

static natsConnection *connect_as(srv *s, wb_nats_user *u)
{
    char pub[WB_NKEY_PUB_LEN + 1];
    assert_int_equal(wb_nkey_user_public(u->seed, pub), 0);
    natsOptions *o = NULL;
    natsConnection *nc = NULL;
    assert_int_equal(natsOptions_Create(&o), NATS_OK);
    natsOptions_SetURL(o, s->url);
    natsOptions_SetNKey(o, pub, sign, u);
    natsOptions_SetCustomInboxPrefix(o, u->inbox);
    natsOptions_SetErrorHandler(o, on_error, s);
    natsStatus st = NATS_ERR;
    for (int i = 0; i < 100 && st != NATS_OK; i++) { /* the server is starting */
        st = natsConnection_Connect(&nc, o);
        if (st != NATS_OK) usleep(50000);
    }
    natsOptions_Destroy(o);
    assert_int_equal(st, NATS_OK);
    return nc;
}

/* A JetStream API request's answer: NATS_OK with a reply, else the error. */
static natsStatus api(natsConnection *nc, const char *subject, const char *body, char *reply,
                      size_t n)
{
    natsMsg *m = NULL;
    natsStatus st = natsConnection_RequestString(&m, nc, subject, body, 700);
    if (st == NATS_OK) {
        snprintf(reply, n, "%.*s", natsMsg_GetDataLength(m), natsMsg_GetData(m));
        natsMsg_Destroy(m);
    }
    return st;
}

static void test_permissions(void **state)
{
    srv *s = *state;
    /* the hub makes the streams (as serve --nats does) and publishes to
     * organisation B's subject */
    wb_nats_pub *pub = NULL;
    char creds[256];
    snprintf(creds, sizeof creds, "%s/hub.nkey", s->cfg);
    wb_nats_pub_opts po = {.db = s->h.db, .url = s->url, .creds = creds};
    wb_error err = {0};
    for (int i = 0; i < 50; i++) {
        if (wb_nats_pub_start(&pub, &po, &err) == 0) break;
        usleep(100000);
    }
    assert_non_null(pub);
    natsConnection *hub = connect_as(s, &s->hub);
    jsCtx *js = NULL;
    assert_int_equal(natsConnection_JetStream(&js, hub, NULL), NATS_OK);
    char subj_b[128], subj_a[128], reply[4096];
    snprintf(subj_b, sizeof subj_b, "wb.ind.org.%s", s->org_b);
    snprintf(subj_a, sizeof subj_a, "wb.ind.org.%s", s->org_a);
    jsErrCode je = 0;
    assert_int_equal(js_Publish(NULL, js, subj_b, "secret-of-b", 11, NULL, &je), NATS_OK);
    assert_int_equal(js_Publish(NULL, js, subj_a, "own-of-a", 8, NULL, &je), NATS_OK);

    natsConnection *a = connect_as(s, &s->ua);
    char body[512], subj[512];
    const char *me = s->ua.user;
    /* allowed: its own consumer on its own organisation's subject */
    snprintf(subj, sizeof subj, "$JS.API.CONSUMER.CREATE.WB_IND.%s-org.%s", me, subj_a);
    snprintf(body, sizeof body,
             "{\"stream_name\":\"WB_IND\",\"config\":{\"name\":\"%s-org\",\"durable_name\":"
             "\"%s-org\",\"filter_subject\":\"%s\",\"ack_policy\":\"explicit\","
             "\"deliver_policy\":\"all\"}}",
             me, me, subj_a);
    assert_int_equal(api(a, subj, body, reply, sizeof reply), NATS_OK);
    assert_null(strstr(reply, "\"error\""));
    /* refused: a consumer (of its own name or another) on B's subject */
    snprintf(subj, sizeof subj, "$JS.API.CONSUMER.CREATE.WB_IND.%s-org.%s", me, subj_b);
    snprintf(body, sizeof body,
             "{\"stream_name\":\"WB_IND\",\"config\":{\"name\":\"%s-org\",\"filter_subject\":"
             "\"%s\",\"ack_policy\":\"explicit\"}}",
             me, subj_b);
    assert_int_not_equal(api(a, subj, body, reply, sizeof reply), NATS_OK);
    snprintf(subj, sizeof subj, "$JS.API.CONSUMER.CREATE.WB_IND.x.%s", subj_b);
    assert_int_not_equal(api(a, subj, body, reply, sizeof reply), NATS_OK);
    /* refused: the legacy create (the filter in the body) and durable create */
    assert_int_not_equal(api(a, "$JS.API.CONSUMER.CREATE.WB_IND", body, reply, sizeof reply),
                         NATS_OK);
    snprintf(subj, sizeof subj, "$JS.API.CONSUMER.DURABLE.CREATE.WB_IND.%s-org", me);
    assert_int_not_equal(api(a, subj, body, reply, sizeof reply), NATS_OK);
    /* refused: reading a message by sequence or directly; the hub may */
    assert_int_not_equal(
        api(a, "$JS.API.STREAM.MSG.GET.WB_IND", "{\"seq\":1}", reply, sizeof reply), NATS_OK);
    assert_int_equal(api(hub, "$JS.API.STREAM.MSG.GET.WB_IND", "{\"seq\":1}", reply, sizeof reply),
                     NATS_OK);
    assert_non_null(strstr(reply, "\"message\""));
    snprintf(subj, sizeof subj, "$JS.API.DIRECT.GET.WB_IND.%s", subj_b);
    assert_int_not_equal(api(a, subj, "", reply, sizeof reply), NATS_OK);
    /* refused: a plain subscription to B's subject (the server says so and
     * nothing published there arrives) */
    natsSubscription *sub = NULL;
    int before = s->violations;
    assert_int_equal(natsConnection_SubscribeSync(&sub, a, subj_b), NATS_OK);
    natsConnection_Flush(a);
    assert_int_equal(natsConnection_PublishString(hub, subj_b, "live-secret"), NATS_OK);
    natsConnection_Flush(hub);
    natsMsg *m = NULL;
    assert_int_not_equal(natsSubscription_NextMsg(&m, sub, 500), NATS_OK);
    for (int i = 0; i < 20 && s->violations == before; i++)
        usleep(50000);
    assert_true(s->violations > before);
    natsSubscription_Destroy(sub);
    /* nor may it listen on another inbox prefix (where replies to B go) */
    before = s->violations;
    assert_int_equal(natsConnection_SubscribeSync(&sub, a, "_I.u2.>"), NATS_OK);
    natsConnection_Flush(a);
    for (int i = 0; i < 20 && s->violations == before; i++)
        usleep(50000);
    assert_true(s->violations > before);
    natsSubscription_Destroy(sub);

    natsConnection_Destroy(a);
    jsCtx_Destroy(js);
    natsConnection_Destroy(hub);
    wb_nats_pub_stop(pub);
}

static wb_nats_pub *start_pub(srv *s)
{
    static char creds[256];
    snprintf(creds, sizeof creds, "%s/hub.nkey", s->cfg);
    wb_nats_pub_opts po = {.db = s->h.db, .url = s->url, .creds = creds, .interval_ms = 60000};
    wb_error err = {0};
    wb_nats_pub *pub = NULL;
    for (int i = 0; i < 50 && pub == NULL; i++)
        if (wb_nats_pub_start(&pub, &po, &err) != 0) usleep(100000);
    assert_non_null(pub);
    return pub;
}

static natsStatus send_sightings(natsConnection *nc, const char *subject, const char *body,
                                 const char *msg_id)
{
    jsCtx *js = NULL;
    natsConnection_JetStream(&js, nc, NULL);
    natsMsg *m = NULL;
    natsMsg_Create(&m, subject, NULL, body, (int)strlen(body));
    natsMsgHeader_Set(m, "Nats-Msg-Id", msg_id);
    jsPubOptions o;
    jsPubOptions_Init(&o);
    o.MaxWait = 700;
    jsErrCode je = 0;
    natsStatus st = js_PublishMsg(NULL, js, m, &o, &je);
    natsMsg_Destroy(m);
    jsCtx_Destroy(js);
    return st;
}

/* The sightings of attribute `attr` on the hub, as its creator's member
 * sees them: the count of records and the sum of their counts. */
static void hub_sightings(srv *s, const char *event, size_t *records, long *count)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/events/%s/sightings", event);
    wb_hub_request req = {.method = "GET", .path = path};
    json_t *j = NULL;
    assert_int_equal(hubfix_call(s->h.hub, &req, s->h.key[2], &j), 200);
    json_t *arr = json_object_get(j, "response");
    *records = json_array_size(arr);
    *count = 0;
    size_t i;
    json_t *el;
    json_array_foreach(arr, i, el)
    {
        json_t *c = json_object_get(json_object_get(el, "Sighting"), "count");
        int64_t v = 0;
        if (json_is_integer(c))
            v = json_integer_value(c);
        else
            assert_int_equal(
                wb_parse_i64(json_string_value(c), strlen(json_string_value(c)), 0, INT64_MAX, &v),
                0);
        *count += (long)v;
    }
    json_decref(j);
}

static void test_sightings(void **state)
{
    srv *s = *state;
    hubfix_open(&s->h, NULL);
    static const char ev[] =
        "{\"Event\":{\"uuid\":\"5a7a0000-0000-4000-8000-0000000000e1\",\"info\":\"n\","
        "\"distribution\":\"1\",\"Tag\":[{\"name\":\"tlp:green\"}],\"Attribute\":["
        "{\"uuid\":\"5a7a0000-0000-4000-8000-0000000000a1\",\"type\":\"domain\","
        "\"value\":\"seen.example\",\"to_ids\":true}]}}";
    static const char ev0[] =
        "{\"Event\":{\"uuid\":\"5a7a0000-0000-4000-8000-0000000000e2\",\"info\":\"n\","
        "\"distribution\":\"0\",\"Tag\":[{\"name\":\"tlp:amber\"}],\"Attribute\":["
        "{\"uuid\":\"5a7a0000-0000-4000-8000-0000000000a2\",\"type\":\"domain\","
        "\"value\":\"own.example\",\"to_ids\":true}]}}";
    wb_hub_request req = {
        .method = "POST", .path = "/api/v1/events", .body = ev, .body_len = strlen(ev)};
    assert_int_equal(hubfix_call(s->h.hub, &req, s->h.key[2], NULL), 201);
    req.body = ev0;
    req.body_len = strlen(ev0);
    assert_int_equal(hubfix_call(s->h.hub, &req, s->h.key[2], NULL), 201);
    wb_nats_pub *pub = start_pub(s);
    size_t n = 0;
    wb_error err = {0};
    assert_int_equal(wb_nats_pub_flush(pub, &n, &err), 0); /* (its thread may have been first) */

    natsConnection *a = connect_as(s, &s->ua), *b = connect_as(s, &s->ub);
    char body[1024];
    snprintf(body, sizeof body,
             "[{\"uuid\":\"5a7a0000-0000-4000-8000-0000000000a1\",\"sighting_uuid\":"
             "\"6b000000-0000-4000-8000-000000000001\",\"date_sighting\":\"%lld\",\"type\":"
             "\"0\",\"count\":3,\"source\":\"nats-test\",\"first_seen\":null}]",
             (long long)time(NULL));
    /* sent, sent again under another message id (JetStream keeps both),
     * and once more under the first id (JetStream drops it) */
    assert_int_equal(send_sightings(a, s->ua.sights, body, "m1"), NATS_OK);
    assert_int_equal(send_sightings(a, s->ua.sights, body, "m2"), NATS_OK);
    assert_int_equal(send_sightings(a, s->ua.sights, body, "m1"), NATS_OK);
    /* B may not send as A */
    assert_int_not_equal(send_sightings(b, s->ua.sights, body, "m3"), NATS_OK);
    /* B reports an attribute it cannot see (A's own): not recorded */
    snprintf(body, sizeof body,
             "[{\"uuid\":\"5a7a0000-0000-4000-8000-0000000000a2\",\"sighting_uuid\":"
             "\"6b000000-0000-4000-8000-000000000002\",\"date_sighting\":\"%lld\","
             "\"count\":5}]",
             (long long)time(NULL));
    assert_int_equal(send_sightings(b, s->ub.sights, body, "m4"), NATS_OK);
    assert_int_equal(send_sightings(b, s->ub.sights, "not json", "m5"), NATS_OK);
    assert_int_equal(wb_nats_pub_flush(pub, &n, &err), 0);
    size_t records = 0;
    long count = 0;
    hub_sightings(s, "5a7a0000-0000-4000-8000-0000000000e1", &records, &count);
    assert_int_equal(records, 1);
    assert_int_equal(count, 3); /* once, however often it came */
    hub_sightings(s, "5a7a0000-0000-4000-8000-0000000000e2", &records, &count);
    assert_int_equal(records, 0);
    natsConnection_Destroy(a);
    natsConnection_Destroy(b);
    wb_nats_pub_stop(pub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nkey),
        cmocka_unit_test(test_user_file),
        cmocka_unit_test_setup_teardown(test_permissions, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_sightings, setup_server, teardown_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
