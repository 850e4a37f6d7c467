/*
 * test_intel_stix.c - the STIX 2.1 loader on the OASIS example bundles in
 * ../shared/testdata/stix/, the 2.1 specification's pattern examples (all
 * either taken or skipped, none crashing), and patterns, markings and
 * validity written here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <jansson.h>

#include "weerbaar/io.h"
#include "recsink.h"

#define STIX_DIR WB_SHARED_DIR "/testdata/stix"

static void load_file(recsink *r, const char *path)
{
    wb_error err = {0};
    rec_init(r);
    if (wb_intel_load(path, NULL, &r->sink, &err) != 0) fail_msg("%s: %s", path, err.msg);
}

static void apt1(void **state)
{
    (void)state;
    recsink r;
    load_file(&r, STIX_DIR "/apt1.json");
    /* CIDRs inside '=' comparisons are passed on as CIDRs. */
    assert_int_equal(rec_count(&r, WB_IOC_CIDR), 4);
    assert_int_equal(rec_count(&r, WB_IOC_DOMAIN), 3);
    assert_int_equal(rec_count(&r, WB_IOC_MD5), 3); /* file:hashes.md5, lower case */
    assert_int_equal(r.n, 10);
    assert_int_equal(rec_skips(&r, "unsupported STIX pattern"), 2); /* x509 AND */
    const rec_ioc *c = rec_find(&r, "223.166.0.0/15");
    assert_non_null(c);
    assert_int_equal(c->type, WB_IOC_CIDR);
    assert_string_equal(c->attribute, "indicator--031778a4-057f-48e6-9db9-c8d72b81ccd5");
    /* The report that lists the indicator stands for the event. */
    assert_string_equal(c->event, "report--e33ffe07-2f4c-48d8-b0af-ee2619d765cf");
    assert_int_equal(c->tlp, WB_TLP_UNSET);
    assert_int_equal(c->valid_until, WB_TIME_NONE);
    assert_non_null(strstr(c->where, "apt1.json: $.objects["));
    assert_non_null(strstr(c->where, "].pattern"));
    rec_free(&r);
}

static void poisonivy(void **state)
{
    (void)state;
    recsink r;
    load_file(&r, STIX_DIR "/poisonivy.json");
    assert_int_equal(rec_count(&r, WB_IOC_IP), 40);
    assert_int_equal(rec_count(&r, WB_IOC_DOMAIN), 25);
    assert_int_equal(r.n, 65);
    assert_int_equal(rec_skips(&r, "unsupported STIX pattern"), 2); /* file:name */
    /* One indicator, an OR-chain: every value carries its id. */
    size_t n = 0;
    for (size_t i = 0; i < r.n; i++)
        n += strcmp(r.iocs[i].attribute, "indicator--329ae6e9-25bd-49e8-89d1-aae4ca52e4a7") == 0;
    assert_true(n >= 5);
    assert_int_equal(rec_find(&r, "www.webserver.dynssl.com")->type, WB_IOC_DOMAIN);
    rec_free(&r);
}

static void small_bundles(void **state)
{
    (void)state;
    recsink r;
    load_file(&r, STIX_DIR "/indicator-for-c2-ip-address.json");
    assert_int_equal(r.n, 1);
    assert_int_equal(r.iocs[0].type, WB_IOC_IP);
    assert_string_equal(r.iocs[0].value, "10.0.0.0");
    assert_string_equal(r.iocs[0].event, "bundle--44af6c39-c09b-49c5-9de2-394224b04982");
    assert_string_equal(r.iocs[0].attribute, "indicator--33fe3b22-0201-47cf-85d0-97c02164528d");
    rec_free(&r);
    load_file(&r, STIX_DIR "/indicators-for-C2-with-COA.json");
    assert_int_equal(r.n, 2);
    assert_int_equal(
        rec_find(&r, "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c")->type,
        WB_IOC_SHA256);
    rec_free(&r);
    load_file(&r, STIX_DIR "/malicious-email-indicator-with-attachment.json");
    assert_int_equal(r.n, 0);
    assert_int_equal(rec_skips(&r, "unsupported STIX pattern"), 2);
    rec_free(&r);
    /* PyMISP's STIX 2.0 export holds observed-data only: nothing to take. */
    load_file(&r, WB_SHARED_DIR "/testdata/misp/events/stix2.json");
    assert_int_equal(r.n, 0);
    rec_free(&r);
}

/* Wraps one pattern (already JSON-escaped) in an indicator. */
static int load_pattern(recsink *r, const char *pattern)
{
    char buf[4096];
    snprintf(buf, sizeof buf,
             "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[{\"type\":\"indicator\","
             "\"spec_version\":\"2.1\",\"id\":\"indicator--1\",\"pattern_type\":\"stix\","
             "\"pattern\":\"%s\"}]}",
             pattern);
    wb_error err;
    return rec_load_str(r, "p.json", buf, NULL, &err);
}

static void supported_patterns(void **state)
{
    (void)state;
    static const struct {
        const char *pattern;
        size_t n;
        wb_ioc_type type;
        const char *value; /* the first value */
    } cases[] = {
        {"[ipv4-addr:value = '198.51.100.1']", 1, WB_IOC_IP, "198.51.100.1"},
        {"[ipv6-addr:value = '2001:db8::1']", 1, WB_IOC_IP, "2001:db8::1"},
        {"[ipv4-addr:value ISSUBSET '198.51.100.0/24']", 1, WB_IOC_CIDR, "198.51.100.0/24"},
        {"[ipv6-addr:value ISSUBSET '2001:db8::/32']", 1, WB_IOC_CIDR, "2001:db8::/32"},
        {"[domain-name:value = 'x.example']", 1, WB_IOC_DOMAIN, "x.example"},
        {"[url:value = 'http://x.example/a?b=c']", 1, WB_IOC_URL, "http://x.example/a?b=c"},
        {"[email-addr:value = 'a@x.example']", 1, WB_IOC_EMAIL, "a@x.example"},
        {"[file:hashes.MD5 = '0749bae92ca336a02c83d126e04ec628']", 1, WB_IOC_MD5,
         "0749bae92ca336a02c83d126e04ec628"},
        {"[file:hashes.'SHA-1' = '77b0c41b7d340b8a3d903f21347bbf06aa766b5b']", 1, WB_IOC_SHA1,
         "77b0c41b7d340b8a3d903f21347bbf06aa766b5b"},
        {"[file:hashes.SHA1 = '77b0c41b7d340b8a3d903f21347bbf06aa766b5b']", 1, WB_IOC_SHA1,
         "77b0c41b7d340b8a3d903f21347bbf06aa766b5b"},
        {"[file:hashes.SHA256 = "
         "'b3c4ae251f8094fa15b510051835c657eaef2a6cea46075d3aec964b14a99f68']",
         1, WB_IOC_SHA256, "b3c4ae251f8094fa15b510051835c657eaef2a6cea46075d3aec964b14a99f68"},
        {"[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']", 2,
         WB_IOC_URL, "http://example.com/foo"},
        {"[domain-name:value = 'a.example'] OR [ipv4-addr:value = '192.0.2.1']", 2, WB_IOC_DOMAIN,
         "a.example"},
        {"([domain-name:value = 'a.example'] OR ([ipv4-addr:value = '192.0.2.1']))", 2,
         WB_IOC_DOMAIN, "a.example"},
        {"[(domain-name:value = 'a.example' OR domain-name:value = 'b.example')]", 2, WB_IOC_DOMAIN,
         "a.example"},
        {"  [ domain-name:value='c.example' ]  ", 1, WB_IOC_DOMAIN, "c.example"},
        /* Escapes: \\' is a quote, \\\\ a backslash (JSON-escaped here). */
        {"[url:value = 'http://x.example/it\\\\'s\\\\\\\\']", 1, WB_IOC_URL,
         "http://x.example/it's\\"},
    };
    recsink r;
    rec_init(&r);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(load_pattern(&r, cases[i].pattern), 0);
        if (r.n != cases[i].n) fail_msg("%s: %zu indicators", cases[i].pattern, r.n);
        assert_int_equal(r.iocs[0].type, cases[i].type);
        assert_string_equal(r.iocs[0].value, cases[i].value);
        assert_string_equal(r.iocs[0].event, "bundle--1");
        assert_string_equal(r.iocs[0].where, "p.json: $.objects[0].pattern");
        assert_int_equal(r.nskip, 0);
    }
    rec_free(&r);
}

static void unsupported_patterns(void **state)
{
    (void)state;
    static const char *cases[] = {
        "[domain-name:value = 'a.example' AND domain-name:value = 'b.example']",
        "[domain-name:value != 'a.example']",
        "[domain-name:value LIKE 'a.%']",
        "[domain-name:value MATCHES '^a']",
        "[domain-name:value = 'a.example'] AND [ipv4-addr:value = '192.0.2.1']",
        "[domain-name:value = 'a.example'] FOLLOWEDBY [ipv4-addr:value = '192.0.2.1']",
        "[domain-name:value = 'a.example'] WITHIN 300 SECONDS",
        "[domain-name:value = 'a.example'] REPEATS 5 TIMES",
        "[domain-name:value ISSUBSET 'a.example']",
        "[domain-name:value = 'a.example' or domain-name:value = 'b.example']",
        "[file:hashes.'SHA-512' = 'ab']",
        "[file:name = 'x.exe']",
        "[ipv4-addr:value = '1.2.3.4'",
        "[ipv4-addr:value = '1.2.3.4]",
        "[ipv4-addr:value = '1.2\\\\x']",
        "[ipv4-addr:value = 1]",
        "[network-traffic:dst_ref.value = '192.0.2.1']",
        "[domain-name:resolves_to_refs[*].value = '192.0.2.1']",
        "[]",
        "",
        ("(((((((((((((((((((((((((((((((((((((((([domain-name:value = 'a.example']"
         "))))))))))))))))))))))))))))))))))))))))"),
    };
    recsink r;
    rec_init(&r);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(load_pattern(&r, cases[i]), 0);
        if (r.n != 0) fail_msg("%s: %zu indicators", cases[i], r.n);
        assert_int_equal(rec_skips(&r, "unsupported STIX pattern"), 1);
    }
    rec_free(&r);
}

/* Each line of the specification's examples, as an indicator: the three
 * that are plain equality tests are taken, the rest skipped, none crash. */
static void spec_examples(void **state)
{
    (void)state;
    char *data;
    size_t len;
    wb_error err;
    assert_int_equal(
        wb_read_file(STIX_DIR "/pattern-spec-examples-v21.txt", 1 << 20, &data, &len, &err), 0);
    json_t *objects = json_array();
    size_t lines = 0;
    for (char *p = data, *nl; p < data + len; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)(data + len - p));
        if (nl == NULL) nl = data + len;
        if (nl == p) continue;
        json_array_append_new(objects, json_pack("{s:s, s:s, s:s#}", "type", "indicator", "id",
                                                 "indicator--x", "pattern", p, (int)(nl - p)));
        lines++;
    }
    json_t *bundle = json_pack("{s:s, s:o}", "type", "bundle", "objects", objects);
    char *text = json_dumps(bundle, 0);
    json_decref(bundle);
    recsink r;
    rec_init(&r);
    assert_int_equal(rec_load_str(&r, "spec.json", text, NULL, &err), 0);
    assert_int_equal(lines, 23);
    assert_int_equal(r.n, 4); /* SHA-256, two URLs, MD5 */
    assert_int_equal(rec_count(&r, WB_IOC_URL), 2);
    assert_int_equal(rec_skips(&r, "unsupported STIX pattern"), 20);
    rec_free(&r);
    free(text);
    free(data);
}

static void markings_and_validity(void **state)
{
    (void)state;
    static const char bundle[] =
        "{\"type\":\"bundle\",\"id\":\"bundle--b\",\"objects\":["
        "{\"type\":\"marking-definition\",\"id\":\"marking-definition--custom-amber\","
        "\"definition_type\":\"tlp\",\"definition\":{\"tlp\":\"amber\"}},"
        "{\"type\":\"marking-definition\",\"id\":\"marking-definition--ext\",\"name\":\"TLP:AMBER+"
        "STRICT\",\"extensions\":{\"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d\":"
        "{\"extension_type\":\"property-extension\",\"tlp_2_0\":\"amber+strict\"}}},"
        "{\"type\":\"report\",\"id\":\"report--r\",\"object_refs\":[\"indicator--2\"]},"
        "{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern\":\"[domain-name:value = "
        "'green.example']\",\"object_marking_refs\":[\"marking-definition--34098fce-860f-48ae-8e50-"
        "ebd3cc5e41da\"],\"valid_until\":\"2030-01-01T00:00:00Z\"},"
        "{\"type\":\"indicator\",\"id\":\"indicator--2\",\"pattern\":\"[domain-name:value = "
        "'red.example']\",\"object_marking_refs\":[\"marking-definition--bab4a63c-aed9-4cf5-a766-"
        "dfca5abac2bb\",\"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1\"]},"
        "{\"type\":\"indicator\",\"id\":\"indicator--3\",\"pattern\":\"[domain-name:value = "
        "'amber.example']\",\"object_marking_refs\":[\"marking-definition--custom-amber\"]},"
        "{\"type\":\"indicator\",\"id\":\"indicator--4\",\"pattern\":\"[domain-name:value = "
        "'strict.example']\",\"object_marking_refs\":[\"marking-definition--ext\"]},"
        "{\"type\":\"indicator\",\"id\":\"indicator--5\",\"pattern\":\"[domain-name:value = "
        "'white.example']\",\"object_marking_refs\":[\"marking-definition--613f2e26-407d-48c7-9eca-"
        "b8e91df99dc9\"]},"
        "{\"type\":\"indicator\",\"id\":\"indicator--6\",\"pattern\":\"[domain-name:value = "
        "'x.example']\",\"valid_until\":\"not a time\"},"
        "{\"type\":\"indicator\",\"id\":\"indicator--7\",\"pattern\":\"[domain-name:value = "
        "'x.example']\",\"revoked\":true},"
        "{\"type\":\"indicator\",\"id\":\"indicator--8\",\"pattern_type\":\"sigma\",\"pattern\":"
        "\"title: x\"},"
        "{\"type\":\"indicator\",\"id\":\"indicator--9\"}"
        "]}";
    recsink r;
    rec_init(&r);
    wb_error err;
    assert_int_equal(rec_load_str(&r, "m.json", bundle, NULL, &err), 0);
    assert_int_equal(r.n, 5);
    const rec_ioc *g = rec_find(&r, "green.example");
    assert_int_equal(g->tlp, WB_TLP_GREEN);
    wb_time t;
    assert_int_equal(wb_time_parse("2030-01-01T00:00:00Z", 20, &t), 0);
    assert_true(g->valid_until == t);
    assert_string_equal(g->event, "bundle--b");
    const rec_ioc *red = rec_find(&r, "red.example");
    assert_int_equal(red->tlp, WB_TLP_RED); /* the stricter of GREEN and RED */
    assert_string_equal(red->event, "report--r");
    assert_int_equal(rec_find(&r, "amber.example")->tlp, WB_TLP_AMBER);
    assert_int_equal(rec_find(&r, "strict.example")->tlp, WB_TLP_AMBER_STRICT);
    assert_int_equal(rec_find(&r, "white.example")->tlp, WB_TLP_CLEAR);
    assert_int_equal(rec_skips(&r, "invalid valid_until"), 1);
    assert_int_equal(rec_skips(&r, "indicator is revoked"), 1);
    assert_int_equal(rec_skips(&r, "unsupported pattern_type"), 1);
    assert_int_equal(rec_skips(&r, "indicator without a pattern"), 1);
    rec_free(&r);
}

static void shapes_and_errors(void **state)
{
    (void)state;
    recsink r;
    rec_init(&r);
    wb_error err;
    /* A bare indicator object. */
    assert_int_equal(
        rec_load_str(&r, "one.json",
                     "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":"
                     "\"indicator--1\",\"pattern\":\"[ipv4-addr:value = '192.0.2.5']\"}",
                     NULL, &err),
        0);
    assert_int_equal(r.n, 1);
    assert_null(r.iocs[0].event);
    assert_string_equal(r.iocs[0].where, "one.json: $.pattern");
    /* A list of objects. */
    assert_int_equal(
        rec_load_str(&r, "list.json",
                     "[{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":"
                     "\"indicator--1\",\"pattern\":\"[ipv4-addr:value = '192.0.2.5']\"}]",
                     NULL, &err),
        0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.iocs[0].where, "list.json: $[0].pattern");
    /* An empty bundle. */
    assert_int_equal(
        rec_load_str(&r, "e.json", "{\"type\":\"bundle\",\"id\":\"bundle--e\"}", NULL, &err), 0);
    assert_int_equal(r.n, 0);
    /* Broken JSON and a bad objects member. */
    assert_int_equal(
        rec_load_str(&r, "b.json", "{\"type\": \"bundle\",\n\"objects\": [}", NULL, &err),
        WB_EPARSE);
    assert_string_equal(err.msg, "b.json:2:13: unexpected token near '}'");
    assert_int_equal(rec_load_str(&r, "o.json", "{\"type\":\"bundle\",\"objects\":{}}", NULL, &err),
                     WB_EFORMAT);
    assert_string_equal(err.msg, "o.json: $.objects: not an array");
    rec_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(apt1),
        cmocka_unit_test(poisonivy),
        cmocka_unit_test(small_bundles),
        cmocka_unit_test(supported_patterns),
        cmocka_unit_test(unsupported_patterns),
        cmocka_unit_test(spec_examples),
        cmocka_unit_test(markings_and_validity),
        cmocka_unit_test(shapes_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
