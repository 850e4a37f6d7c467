/*
 * test_intel_misp.c - the MISP loader on the real events in
 * ../shared/testdata/misp/ and on small events written here for the
 * variants real files do not show (to_ids spellings, deleted, tags, lists,
 * restSearch responses) and for every error path.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "recsink.h"

#define MISP_DIR WB_SHARED_DIR "/testdata/misp"

static void load_file(recsink *r, const char *path, bool all)
{
    wb_intel_opts o = {.all_attributes = all};
    wb_error err = {0};
    rec_init(r);
    int rc = wb_intel_load(path, &o, &r->sink, &err);
    if (rc != 0) fail_msg("%s: %s", path, err.msg);
}

static void glupteba(void **state)
{
    (void)state;
    recsink r;
    load_file(&r, MISP_DIR "/real-events/eset-glupteba.misp-event.json", false);
    /* 270 domain + 4 domain|ip, 40 ip-dst + 4 domain|ip, 6 filename|sha1 */
    assert_int_equal(rec_count(&r, WB_IOC_DOMAIN), 274);
    assert_int_equal(rec_count(&r, WB_IOC_IP), 44);
    assert_int_equal(rec_count(&r, WB_IOC_SHA1), 6);
    assert_int_equal(r.n, 324);
    assert_int_equal(rec_skips(&r, "unsupported attribute type 'regkey'"), 1);
    assert_int_equal(r.nskip, 1);
    const rec_ioc *a = rec_find(&r, "5.101.6.132");
    assert_non_null(a);
    assert_int_equal(a->type, WB_IOC_IP);
    assert_string_equal(a->event, "5aa2e21b-79d8-4fd7-b15d-34670a016219");
    assert_string_equal(a->attribute, "5aa2e262-8c78-484b-8d0a-2f490a016219");
    assert_int_equal(a->tlp, WB_TLP_UNSET);
    assert_int_equal(a->valid_until, WB_TIME_NONE);
    assert_string_equal(a->source, MISP_DIR "/real-events/eset-glupteba.misp-event.json");
    assert_string_equal(a->where, MISP_DIR "/real-events/eset-glupteba.misp-event.json: "
                                           "$.response[0].Event.Attribute[0].value");
    /* Every value of a filename|sha1 is the hash alone. */
    for (size_t i = 0; i < r.n; i++)
        if (r.iocs[i].type == WB_IOC_SHA1) assert_int_equal(strlen(r.iocs[i].value), 40);
    rec_free(&r);
}

static void stantinko(void **state)
{
    (void)state;
    recsink r;
    load_file(&r, MISP_DIR "/real-events/eset-stantinko.misp-event.json", false);
    assert_int_equal(rec_count(&r, WB_IOC_DOMAIN), 10 + 77);
    assert_int_equal(rec_count(&r, WB_IOC_IP), 4 + 77);
    assert_int_equal(rec_count(&r, WB_IOC_SHA1), 121 + 5);
    assert_int_equal(rec_skips(&r, "to_ids is false"), 11 + 22);
    assert_int_equal(rec_skips(&r, "unsupported attribute type 'regkey'"), 13);
    rec_free(&r);
    /* With every attribute, mutex and pdb are passed over for their type. */
    load_file(&r, MISP_DIR "/real-events/eset-stantinko.misp-event.json", true);
    assert_int_equal(rec_skips(&r, "to_ids is false"), 0);
    assert_int_equal(rec_skips(&r, "unsupported attribute type 'mutex'"), 11);
    assert_int_equal(rec_skips(&r, "unsupported attribute type 'pdb'"), 22);
    assert_int_equal(r.n, 87 + 81 + 126);
    rec_free(&r);
}

static void objects_and_tlp(void **state)
{
    (void)state;
    recsink r;
    load_file(&r, MISP_DIR "/events/very_long_event.json", false);
    assert_int_equal(rec_count(&r, WB_IOC_IP_PORT), 2);
    assert_int_equal(rec_count(&r, WB_IOC_MD5), 8 + 8); /* event + objects */
    assert_int_equal(rec_count(&r, WB_IOC_SHA1), 8);
    assert_int_equal(rec_count(&r, WB_IOC_SHA256), 8);
    assert_int_equal(rec_count(&r, WB_IOC_URL), 1);
    assert_int_equal(r.n, 35);
    for (size_t i = 0; i < r.n; i++) {
        assert_int_equal(r.iocs[i].tlp, WB_TLP_CLEAR); /* tlp:white */
        assert_string_equal(r.iocs[i].event, "5abf6421-c1b8-477b-a9d2-9c0902de0b81");
    }
    size_t in_objects = 0;
    for (size_t i = 0; i < r.n; i++)
        in_objects += strstr(r.iocs[i].where, "$.Event.Object[") != NULL;
    assert_int_equal(in_objects, 24);
    rec_free(&r);
}

static void feed_directory(void **state)
{
    (void)state;
    recsink r;
    const char *dir = MISP_DIR "/feed-misp-tests";
    load_file(&r, dir, false);
    assert_int_equal(r.n, 0);
    assert_int_equal(rec_skips(&r, "to_ids is false"), 1);
    assert_non_null(
        strstr(r.skips[0].where,
               "/56bf399d-c46c-4fdb-a9cf-d9bb02de0b81.json: $.Event.Attribute[0].value"));
    rec_free(&r);
    load_file(&r, dir, true);
    assert_int_equal(r.n, 0);
    assert_int_equal(rec_skips(&r, "unsupported attribute type 'link'"), 1);
    rec_free(&r);

    /* The manifest alone is not a list of events. */
    wb_error err = {0};
    rec_init(&r);
    assert_int_equal(wb_intel_load(MISP_DIR "/feed-misp-tests/manifest.json", NULL, &r.sink, &err),
                     WB_EFORMAT);
    assert_non_null(strstr(err.msg, "manifest.json: $: this is a MISP feed manifest"));
    rec_free(&r);
}

static void bare_event(void **state)
{
    (void)state;
    recsink r;
    load_file(&r, MISP_DIR "/events/misp_event.json", true);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.iocs[0].type, WB_IOC_URL);
    assert_string_equal(r.iocs[0].value, "http://fake.website.com/malware/is/here");
    assert_string_equal(r.iocs[0].event, "5758ebf5-c898-48e6-9fe9-5665c0a83866");
    assert_string_equal(r.iocs[0].attribute, "575c8598-f1f0-4c16-a94a-0612c0a83866");
    assert_non_null(strstr(r.iocs[0].where, "misp_event.json: $.Attribute[0].value"));
    assert_int_equal(rec_skips(&r, "unsupported attribute type 'text'"), 1);
    rec_free(&r);
}

static void to_ids_spellings(void **state)
{
    (void)state;
    static const char *yes[] = {"true", "1", "\"1\"", "\"True\"", "\"true\""};
    static const char *no[] = {"false", "0", "\"0\"", "\"False\"", "null", "\"\""};
    char buf[256];
    recsink r;
    rec_init(&r);
    wb_error err;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        snprintf(buf, sizeof buf,
                 "{\"Event\":{\"Attribute\":[{\"type\":\"domain\",\"value\":\"x.example\","
                 "\"to_ids\":%s}]}}",
                 yes[i]);
        assert_int_equal(rec_load_str(&r, "t.json", buf, NULL, &err), 0);
        assert_int_equal(r.n, 1);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        snprintf(buf, sizeof buf,
                 "{\"Event\":{\"Attribute\":[{\"type\":\"domain\",\"value\":\"x.example\","
                 "\"to_ids\":%s}]}}",
                 no[i]);
        assert_int_equal(rec_load_str(&r, "t.json", buf, NULL, &err), 0);
        assert_int_equal(r.n, 0);
        assert_int_equal(rec_skips(&r, "to_ids is false"), 1);
    }
    /* An attribute without to_ids counts as false as well. */
    assert_int_equal(rec_load_str(&r, "t.json",
                                  "{\"Event\":{\"Attribute\":[{\"type\":\"domain\",\"value\":\"x."
                                  "example\"}]}}",
                                  NULL, &err),
                     0);
    assert_int_equal(r.n, 0);
    rec_free(&r);
}

static const char composite_event[] =
    "{\"Event\":{\"uuid\":\"e1\",\"distribution\":\"0\",\"timestamp\":1700000000,"
    "\"Tag\":[{\"name\":\"tlp:green\"},{\"name\":\"type:OSINT\"}],\"Attribute\":["
    "{\"type\":\"domain|ip\",\"value\":\"evil.example|198.51.100.7\",\"to_ids\":true,"
    "\"uuid\":\"a0\"},"
    "{\"type\":\"filename|sha256\",\"value\":\"a|b.exe|"
    "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f\",\"to_ids\":\"1\"},"
    "{\"type\":\"ip-dst|port\",\"value\":\"203.0.113.9|8443\",\"to_ids\":1},"
    "{\"type\":\"hostname|port\",\"value\":\"c2.example|443\",\"to_ids\":true},"
    "{\"type\":\"ip-src\",\"value\":\"192.0.2.0/24\",\"to_ids\":true,"
    "\"Tag\":[{\"name\":\"TLP:RED\"}]},"
    "{\"type\":\"email-src\",\"value\":\"bad@evil.example\",\"to_ids\":true,"
    "\"AttributeTag\":[{\"Tag\":{\"name\":\"tlp:clear\"}}]},"
    "{\"type\":\"uri\",\"value\":\"http://evil.example/x\",\"to_ids\":true},"
    "{\"type\":\"malware-sample\",\"value\":\"s.exe|0749bae92ca336a02c83d126e04ec628\","
    "\"to_ids\":true},"
    "{\"type\":\"domain|ip\",\"value\":\"nobar.example\",\"to_ids\":true},"
    "{\"type\":\"domain\",\"value\":\"gone.example\",\"to_ids\":true,\"deleted\":true},"
    "{\"type\":\"domain\",\"value\":\"gone2.example\",\"to_ids\":true,\"deleted\":\"1\"},"
    "{\"type\":\"domain\",\"value\":42,\"to_ids\":true},"
    "{\"type\":\"whatever-new\",\"value\":\"x\",\"to_ids\":true}"
    "],\"Object\":[{\"name\":\"file\",\"deleted\":true,\"Attribute\":[{\"type\":\"md5\","
    "\"value\":\"0749bae92ca336a02c83d126e04ec628\",\"to_ids\":true}]},"
    "{\"name\":\"domain-ip\",\"Attribute\":[{\"type\":\"hostname\",\"value\":\"h.example\","
    "\"to_ids\":true,\"uuid\":\"o1\"}]}]}}";

static void composites_and_tags(void **state)
{
    (void)state;
    recsink r;
    rec_init(&r);
    wb_error err;
    assert_int_equal(rec_load_str(&r, "c.json", composite_event, NULL, &err), 0);
    const rec_ioc *d = rec_find(&r, "evil.example");
    assert_non_null(d);
    assert_int_equal(d->type, WB_IOC_DOMAIN);
    assert_string_equal(d->attribute, "a0");
    assert_string_equal(d->event, "e1");
    assert_int_equal(d->tlp, WB_TLP_GREEN);
    assert_int_equal(rec_find(&r, "198.51.100.7")->type, WB_IOC_IP);
    assert_string_equal(rec_find(&r, "198.51.100.7")->attribute, "a0");
    assert_int_equal(
        rec_find(&r, "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f")->type,
        WB_IOC_SHA256);
    assert_int_equal(rec_find(&r, "203.0.113.9|8443")->type, WB_IOC_IP_PORT);
    assert_int_equal(rec_find(&r, "c2.example")->type, WB_IOC_HOSTNAME);
    /* The attribute's own TLP is stricter than the event's. */
    assert_int_equal(rec_find(&r, "192.0.2.0/24")->tlp, WB_TLP_RED);
    /* ... and a weaker one does not lower the event's. */
    assert_int_equal(rec_find(&r, "bad@evil.example")->tlp, WB_TLP_GREEN);
    assert_int_equal(rec_find(&r, "bad@evil.example")->type, WB_IOC_EMAIL);
    assert_int_equal(rec_find(&r, "http://evil.example/x")->type, WB_IOC_URL);
    assert_int_equal(rec_find(&r, "0749bae92ca336a02c83d126e04ec628")->type, WB_IOC_MD5);
    assert_int_equal(rec_find(&r, "h.example")->type, WB_IOC_HOSTNAME);
    assert_string_equal(rec_find(&r, "h.example")->where,
                        "c.json: $.Event.Object[1].Attribute[0].value");
    assert_null(rec_find(&r, "gone.example"));
    assert_null(rec_find(&r, "gone2.example"));
    assert_int_equal(r.n, 10);
    assert_int_equal(rec_skips(&r, "composite value without '|'"), 1);
    assert_int_equal(rec_skips(&r, "attribute is deleted"), 2);
    assert_int_equal(rec_skips(&r, "object is deleted"), 1);
    assert_int_equal(rec_skips(&r, "attribute without a type or value string"), 1);
    assert_int_equal(rec_skips(&r, "unsupported attribute type"), 1);
    rec_free(&r);
}

static void lists_and_responses(void **state)
{
    (void)state;
    recsink r;
    rec_init(&r);
    wb_error err;
    /* A list of events, wrapped and bare, with EventTag TLP. */
    assert_int_equal(
        rec_load_str(&r, "l.json",
                     "[{\"Event\":{\"uuid\":\"e1\",\"EventTag\":[{\"Tag\":{\"name\":\"tlp:amber\"}}"
                     "],\"Attribute\":[{\"type\":\"md5\",\"value\":"
                     "\"0749bae92ca336a02c83d126e04ec628\",\"to_ids\":true}]}},"
                     "{\"uuid\":\"e2\",\"info\":\"x\",\"Tag\":[{\"name\":\"tlp:amber+strict\"}],"
                     "\"Attribute\":[{\"type\":\"sha1\",\"value\":"
                     "\"77b0c41b7d340b8a3d903f21347bbf06aa766b5b\",\"to_ids\":true}]}]",
                     NULL, &err),
        0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.iocs[0].event, "e1");
    assert_int_equal(r.iocs[0].tlp, WB_TLP_AMBER);
    assert_string_equal(r.iocs[0].where, "l.json: $[0].Event.Attribute[0].value");
    assert_string_equal(r.iocs[1].event, "e2");
    assert_int_equal(r.iocs[1].tlp, WB_TLP_AMBER_STRICT);
    assert_string_equal(r.iocs[1].where, "l.json: $[1].Attribute[0].value");
    /* restSearch on attributes. */
    assert_int_equal(rec_load_str(&r, "a.json",
                                  "{\"response\":{\"Attribute\":[{\"type\":\"ip-dst\",\"value\":"
                                  "\"192.0.2.1\",\"to_ids\":true,\"uuid\":\"u\"}]}}",
                                  NULL, &err),
                     0);
    assert_int_equal(r.n, 1);
    assert_null(r.iocs[0].event);
    assert_string_equal(r.iocs[0].where, "a.json: $.response.Attribute[0].value");
    rec_free(&r);
}

static void errors(void **state)
{
    (void)state;
    recsink r;
    rec_init(&r);
    wb_error err;
    wb_intel_opts misp = {.format = WB_INTEL_MISP};
    assert_int_equal(
        rec_load_str(&r, "bad.json", "{\"Event\": {\n  \"Attribute\": [,]}}", &misp, &err),
        WB_EPARSE);
    assert_string_equal(err.msg, "bad.json:2:17: unexpected token near ','");
    assert_int_equal(rec_load_str(&r, "n.json", "{\"foo\": 1}", NULL, &err), WB_EFORMAT);
    assert_string_equal(err.msg,
                        "n.json: $: no MISP event (expected Event, a list of events or response)");
    assert_int_equal(rec_load_str(&r, "s.json", "\"just a string\"", &misp, &err), WB_EFORMAT);
    /* The bound on input size. */
    wb_intel_opts small = {.max_file = 8};
    assert_int_equal(rec_load_str(&r, "big.json", "{\"Event\":{}}", &small, &err), WB_ELIMIT);
    assert_string_equal(err.msg, "big.json: larger than 8 bytes");
    /* A failing sink stops the load and its code comes back. */
    rec_free(&r);
    rec_init(&r);
    r.fail_after = 1;
    wb_error_clear(&err);
    assert_int_equal(wb_intel_load_buffer("c.json", composite_event, strlen(composite_event), NULL,
                                          &r.sink, &err),
                     WB_ENOMEM);
    assert_int_equal(r.n, 1);
    assert_string_equal(err.msg, "c.json: $.Event.Attribute[0].value: out of memory");
    rec_free(&r);
    /* Missing files name the path. */
    rec_init(&r);
    assert_int_equal(wb_intel_load("/nonexistent/feed.json", NULL, &r.sink, &err), WB_ENOTFOUND);
    assert_non_null(strstr(err.msg, "/nonexistent/feed.json"));
    rec_free(&r);
}

static void real_events_dir(void **state)
{
    (void)state;
    /* A directory without manifest.json: every file in name order, each
     * detected on its own (MISP events and the STIX bundle side by side). */
    recsink r;
    load_file(&r, MISP_DIR "/events", false);
    assert_true(r.n > 0);
    assert_true(strstr(r.iocs[0].source, "57c4445b-c548-4654-af0b-4be3950d210f.json") != NULL);
    rec_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(glupteba),
        cmocka_unit_test(stantinko),
        cmocka_unit_test(objects_and_tlp),
        cmocka_unit_test(feed_directory),
        cmocka_unit_test(bare_event),
        cmocka_unit_test(to_ids_spellings),
        cmocka_unit_test(composites_and_tags),
        cmocka_unit_test(lists_and_responses),
        cmocka_unit_test(errors),
        cmocka_unit_test(real_events_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
