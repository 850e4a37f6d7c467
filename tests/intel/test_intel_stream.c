/*
 * test_intel_stream.c - differential test of the tree-less MISP and STIX
 * loaders (misp.c, stix.c over jscan.c) against the former loaders over a
 * whole jansson tree (misp_tree.c, stix_tree.c): on the fuzz seed corpora and
 * on generated documents that move an event's Tag and uuid after its
 * attributes, put marking definitions after the indicators they mark,
 * repeat keys, escape strings, write flags in every way MISP does, and break
 * the syntax. Both must return the same code and message and hand the sink
 * the same indicators and skips in the same order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "weerbaar/io.h"
#include "intel/intel.h"
#include "intel/jscan.h"
#include "recsink.h"

typedef struct outcome {
    int rc;
    char msg[WB_ERROR_MSG_MAX];
    recsink r;
} outcome;

static void run(bool tree, wb_intel_format fmt, bool all, const char *data, size_t len, outcome *o)
{
    memset(o, 0, sizeof *o);
    rec_init(&o->r);
    wb_error err;
    wb_error_clear(&err);
    wb_intel_opts opts = {.format = fmt, .all_attributes = all};
    wbi_ctx ctx = {.name = "doc", .source = "src", .opts = &opts, .sink = &o->r.sink, .err = &err};
    o->rc = tree ? wbi_intel_json_tree(&ctx, fmt, data, len)
                 : wbi_intel_json(&ctx, fmt, data, len, false);
    if (o->rc) snprintf(o->msg, sizeof o->msg, "%s", err.msg);
    wb_buf_free(&ctx.where);
    wb_buf_free(&ctx.tmp);
    wb_buf_free(&ctx.path);
}

static bool str_same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Indicators and skips seen, so the generators are known to reach both. */
static size_t seen_iocs, seen_skips, seen_errors;

/* Fails the test with the document shown when the two loaders differ. */
static void same(wb_intel_format fmt, bool all, const char *data, size_t len)
{
    outcome a, b;
    run(true, fmt, all, data, len, &a);
    run(false, fmt, all, data, len, &b);
    bool eq = a.rc == b.rc && (a.rc == 0 || strcmp(a.msg, b.msg) == 0) && a.r.n == b.r.n &&
              a.r.nskip == b.r.nskip;
    for (size_t i = 0; eq && i < a.r.n; i++) {
        const rec_ioc *x = &a.r.iocs[i], *y = &b.r.iocs[i];
        eq = x->type == y->type && x->tlp == y->tlp && x->valid_until == y->valid_until &&
             str_same(x->value, y->value) && str_same(x->event, y->event) &&
             str_same(x->attribute, y->attribute) && str_same(x->source, y->source) &&
             str_same(x->where, y->where);
    }
    for (size_t i = 0; eq && i < a.r.nskip; i++)
        eq = str_same(a.r.skips[i].where, b.r.skips[i].where) &&
             strcmp(a.r.skips[i].reason, b.r.skips[i].reason) == 0;
    if (!eq)
        fail_msg(
            "loaders differ (rc %d/%d, %zu/%zu indicators, %zu/%zu skips, '%s'/'%s') on:\n%.*s",
            a.rc, b.rc, a.r.n, b.r.n, a.r.nskip, b.r.nskip, a.msg, b.msg, (int)len, data);
    seen_iocs += a.r.n;
    seen_skips += a.r.nskip;
    seen_errors += a.rc != 0;
    rec_free(&a.r);
    rec_free(&b.r);
}

static void same_all_ways(const char *data, size_t len)
{
    static const wb_intel_format fmts[] = {WB_INTEL_AUTO, WB_INTEL_MISP, WB_INTEL_STIX};
    for (size_t f = 0; f < 3; f++) {
        same(fmts[f], false, data, len);
        same(fmts[f], true, data, len);
    }
}

static void corpus_dir(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    wb_error err;
    size_t files = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *data;
        size_t len;
        assert_int_equal(wb_read_file(path, 1 << 24, &data, &len, &err), 0);
        same_all_ways(data, len);
        free(data);
        files++;
    }
    closedir(d);
    assert_true(files > 0);
}

static void test_corpora(void **state)
{
    (void)state;
    corpus_dir(WB_TEST_DATA "/../../fuzz/corpus/fuzz_misp");
    corpus_dir(WB_TEST_DATA "/../../fuzz/corpus/fuzz_stix");
}

/* ---- generated documents ------------------------------------------------ */

static uint64_t rng_state;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static const char *pick(const char *const *a, size_t n)
{
    return a[rnd((unsigned)n)];
}
#define PICK(a) pick(a, sizeof a / sizeof a[0])

static void put(wb_buf *b, const char *s)
{
    assert_int_equal(wb_buf_puts(b, s), 0);
}

static void sp(wb_buf *b)
{
    static const char *const w[] = {"", "", "", " ", "\n  ", "\t", "\r\n"};
    put(b, PICK(w));
}

/* Members as key:value texts, written in random order, sometimes twice. */
static void object(wb_buf *b, const char **kv, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = rnd((unsigned)i);
        const char *t = kv[i - 1];
        kv[i - 1] = kv[j];
        kv[j] = t;
    }
    put(b, "{");
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (kv[i] == NULL) continue;
        int reps = rnd(12) == 0 ? 2 : 1;
        for (int r = 0; r < reps; r++) {
            if (out++) put(b, ",");
            sp(b);
            put(b, kv[i]);
            sp(b);
        }
    }
    put(b, "}");
}

static const char *const flags[] = {"true",     "false",    "1",   "0",          "\"1\"", "\"0\"",
                                    "\"True\"", "\"no\"",   "1.0", "null",       "-0",    "[1]",
                                    "2",        "\"true\"", "1e0", "\"\\u0031\""};
static const char *const tlp_names[] = {
    "\"tlp:white\"",        "\"tlp:green\"",  "\"TLP:AMBER\"", "\"tlp:red\"", "\"tlp:clear\"",
    "\"tlp:amber+strict\"", "\"tlp:ex:chr\"", "\"osint\"",     "7",           "\"tl\\u0070:red\""};

static void tags(wb_buf *b, bool linked)
{
    put(b, "[");
    unsigned n = rnd(3);
    for (unsigned i = 0; i < n; i++) {
        if (i) put(b, ",");
        char t[128];
        snprintf(t, sizeof t, "{\"name\":%s}", PICK(tlp_names));
        if (linked) {
            char l[160];
            snprintf(l, sizeof l, "{\"Tag\":%s}", t);
            put(b, l);
        } else {
            put(b, t);
        }
    }
    put(b, "]");
}

static void attribute(wb_buf *b)
{
    static const char *const types[] = {
        "\"ip-dst\"",        "\"domain\"",        "\"url\"",     "\"md5\"",  "\"domain|ip\"",
        "\"filename|sha1\"", "\"hostname|port\"", "\"comment\"", "\"yara\"", "7",
        "\"ip-src|port\"",   "\"d\\u006fmain\""};
    static const char *const values[] = {"\"198.51.100.7\"",
                                         "\"evil.example\"",
                                         "\"http:\\/\\/x.example\\/a?b=\\u00e9\"",
                                         "\"d41d8cd98f00b204e9800998ecf8427e\"",
                                         "\"a.example|203.0.113.9\"",
                                         "\"f.exe|da39a3ee5e6b4b0d3255bfef95601890afd80709\"",
                                         "\"no-bar\"",
                                         "\"\\ud83d\\ude00.example\"",
                                         "42",
                                         "\"2001:db8::/32\""};
    if (rnd(15) == 0) {
        put(b, rnd(2) ? "\"text\"" : "null");
        return;
    }
    char kv[8][256];
    const char *p[8];
    size_t n = 0;
    snprintf(kv[n], 256, "\"type\":%s", PICK(types));
    p[n] = rnd(12) ? kv[n] : NULL, n++;
    snprintf(kv[n], 256, "\"value\":%s", PICK(values));
    p[n] = rnd(12) ? kv[n] : NULL, n++;
    snprintf(kv[n], 256, "\"to_ids\":%s", PICK(flags));
    p[n] = rnd(6) ? kv[n] : NULL, n++;
    snprintf(kv[n], 256, "\"deleted\":%s", PICK(flags));
    p[n] = rnd(3) ? NULL : kv[n], n++;
    snprintf(kv[n], 256, "\"uuid\":\"%08x-aaaa-4bbb-8ccc-%012x\"", rnd(1u << 30), rnd(99));
    p[n] = rnd(5) ? kv[n] : NULL, n++;
    wb_buf t = {0};
    tags(&t, false);
    snprintf(kv[n], 256, "\"Tag\":%s", t.data);
    p[n] = rnd(3) ? NULL : kv[n], n++;
    wb_buf_reset(&t);
    tags(&t, true);
    snprintf(kv[n], 256, "\"AttributeTag\":%s", t.data);
    p[n] = rnd(4) ? NULL : kv[n], n++;
    wb_buf_free(&t);
    object(b, p, n);
}

static void attributes(wb_buf *b)
{
    if (rnd(20) == 0) {
        put(b, "{}");
        return;
    }
    put(b, "[");
    unsigned n = rnd(6);
    for (unsigned i = 0; i < n; i++) {
        if (i) put(b, ",");
        sp(b);
        attribute(b);
    }
    put(b, "]");
}

static void event(wb_buf *b)
{
    wb_buf parts[6] = {{0}};
    const char *p[6];
    size_t n = 0;
    char u[80];
    snprintf(u, sizeof u, "\"uuid\":\"%08x-1111-4222-8333-444444444444\"", rnd(1u << 30));
    put(&parts[n], rnd(8) ? u : "\"uuid\":17");
    p[n] = rnd(6) ? parts[n].data : NULL, n++;
    put(&parts[n], "\"Tag\":");
    tags(&parts[n], false);
    p[n] = rnd(2) ? parts[n].data : NULL, n++;
    put(&parts[n], "\"EventTag\":");
    tags(&parts[n], true);
    p[n] = rnd(3) ? NULL : parts[n].data, n++;
    put(&parts[n], "\"Attribute\":");
    attributes(&parts[n]);
    p[n] = rnd(8) ? parts[n].data : NULL, n++;
    put(&parts[n], "\"Object\":[");
    unsigned no = rnd(3);
    for (unsigned i = 0; i < no; i++) {
        if (i) put(&parts[n], ",");
        if (rnd(8) == 0) {
            put(&parts[n], "3");
            continue;
        }
        put(&parts[n], "{\"deleted\":");
        put(&parts[n], PICK(flags));
        put(&parts[n], ",\"Attribute\":");
        attributes(&parts[n]);
        put(&parts[n], "}");
    }
    put(&parts[n], "]");
    p[n] = rnd(3) ? NULL : parts[n].data, n++;
    put(&parts[n], "\"info\":\"x\"");
    p[n] = rnd(2) ? parts[n].data : NULL, n++;
    object(b, p, n);
    for (size_t i = 0; i < n; i++)
        wb_buf_free(&parts[i]);
}

static void misp_doc(wb_buf *b)
{
    static const char *const case_list_prefix[] = {"[", "{\"response\":["};
    switch (rnd(7)) {
    case 0:
        put(b, "{\"Event\":");
        event(b);
        put(b, "}");
        break;
    case 1:
        event(b);
        break;
    case 2:
    case 3: {
        put(b, case_list_prefix[rnd(2)]);
        unsigned n = rnd(4);
        for (unsigned i = 0; i < n; i++) {
            if (i) put(b, ",");
            if (rnd(2)) {
                put(b, "{\"Event\":");
                event(b);
                put(b, "}");
            } else {
                event(b);
            }
        }
        put(b, b->data[0] == '[' ? "]" : "]}");
        break;
    }
    case 4:
        put(b, "{\"response\":{\"Attribute\":");
        attributes(b);
        put(b, "}}");
        break;
    case 5:
        put(b, "{\"5a1b-cc\":{\"info\":\"manifest\"}}");
        break;
    default:
        put(b, rnd(2) ? "{\"response\":3,\"x\":1}" : "\"just a string\"");
        break;
    }
}

static void stix_doc(wb_buf *b)
{
    static const char *const markings[] = {
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        "marking-definition--00000000-0000-4000-8000-00000000000a",
        "marking-definition--00000000-0000-4000-8000-00000000000b",
        "marking-definition--00000000-0000-4000-8000-00000000000c"};
    static const char *const patterns[] = {
        "[ipv4-addr:value = '198.51.100.1']",
        "[domain-name:value = 'x.example' OR url:value = 'http://y.example/']",
        "[file:hashes.'SHA-256' = "
        "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
        "[ipv6-addr:value ISSUBSET '2001:db8::/32'] OR ([email-addr:value = 'a@b.example'])",
        "[ipv4-addr:value = '1.2.3.4' AND domain-name:value = 'z.example']",
        "[domain-name:value = 'it\\\\'s.example']",
        "[x:y = 'z'] FOLLOWEDBY [a:b = 'c']"};
    static const char *const objs_prefix[] = {
        "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[", "[", "{\"objects\":[",
        "{\"type\":\"bundle\",\"objects\":["};
    unsigned shape = rnd(6);
    if (shape == 5) {
        put(b, rnd(2) ? "{\"type\":\"bundle\",\"id\":\"bundle--2\"}"
                      : "{\"type\":\"bundle\",\"objects\":{}}");
        return;
    }
    bool single = shape == 4;
    const char *prefix = single ? "" : objs_prefix[rnd(4)];
    put(b, prefix);
    unsigned n = single ? 1 : rnd(7);
    char buf[1024];
    for (unsigned i = 0; i < n; i++) {
        if (i) put(b, ",");
        sp(b);
        unsigned kind = single ? 0 : rnd(5);
        if (kind <= 1) {
            const char *p[8];
            char kv[8][400];
            size_t k = 0;
            snprintf(kv[k], 400, "\"type\":\"indicator\"");
            p[k] = rnd(12) ? kv[k] : NULL, k++;
            snprintf(kv[k], 400, "\"id\":\"indicator--%u\"", rnd(6));
            p[k] = rnd(8) ? kv[k] : NULL, k++;
            wb_buf esc = {0};
            const char *pt = PICK(patterns);
            for (const char *c = pt; *c; c++) {
                if (*c == '\\')
                    put(&esc, "\\\\");
                else if (*c == '/' && rnd(2))
                    put(&esc, "\\/");
                else {
                    char one[2] = {*c, 0};
                    put(&esc, one);
                }
            }
            snprintf(kv[k], 400, "\"pattern\":\"%s\"", esc.data);
            wb_buf_free(&esc);
            p[k] = rnd(12) ? kv[k] : NULL, k++;
            snprintf(kv[k], 400, "\"pattern_type\":%s", rnd(4) ? "\"stix\"" : "\"sigma\"");
            p[k] = rnd(2) ? kv[k] : NULL, k++;
            snprintf(kv[k], 400, "\"revoked\":%s", PICK(flags));
            p[k] = rnd(3) ? NULL : kv[k], k++;
            snprintf(kv[k], 400, "\"valid_until\":%s",
                     rnd(3)   ? "\"2030-01-01T00:00:00Z\""
                     : rnd(2) ? "\"soon\""
                              : "5");
            p[k] = rnd(3) ? NULL : kv[k], k++;
            snprintf(kv[k], 400, "\"object_marking_refs\":[\"%s\",\"%s\"]", PICK(markings),
                     PICK(markings));
            p[k] = rnd(2) ? kv[k] : NULL, k++;
            snprintf(kv[k], 400, "\"spec_version\":\"2.1\"");
            p[k] = rnd(2) ? kv[k] : NULL, k++;
            wb_buf o = {0};
            object(&o, p, k);
            put(b, o.data);
            wb_buf_free(&o);
        } else if (kind == 2) {
            static const char *const defs[] = {
                "\"definition_type\":\"tlp\",\"definition\":{\"tlp\":\"red\"}",
                "\"definition_type\":\"tlp\",\"definition\":{\"tlp\":\"bogus\"}",
                "\"extensions\":{\""
                "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
                "\":{\"tlp_2_0\":\"amber+strict\"}}",
                "\"name\":\"TLP:GREEN\",\"extensions\":{\""
                "extension-definition--60a3c5c5-0d10-"
                "413e-aab3-9e08dde9e88d\":{}}",
                "\"definition_type\":\"statement\",\"definition\":{\"statement\":\"c\"}"};
            snprintf(buf, sizeof buf, "{\"type\":\"marking-definition\",\"id\":\"%s\",%s}",
                     markings[2 + rnd(3)], PICK(defs));
            put(b, buf);
        } else if (kind == 3) {
            snprintf(
                buf, sizeof buf,
                "{\"type\":\"report\",\"id\":\"report--%u\",\"object_refs\":[\"indicator--%u\","
                "\"indicator--%u\",7]}",
                rnd(3), rnd(6), rnd(6));
            put(b, buf);
        } else {
            put(b, rnd(2) ? "{\"type\":\"malware\",\"id\":\"malware--1\"}" : "\"odd\"");
        }
    }
    if (!single) put(b, prefix[0] == '[' ? "]" : "]}");
}

/* Breaks a valid document the ways files get broken. */
static void corrupt(wb_buf *b)
{
    if (b->len == 0) return;
    size_t at = rnd((unsigned)b->len);
    switch (rnd(5)) {
    case 0:
        b->len = at; /* truncated */
        break;
    case 1:
        b->data[at] = (char)"{}[],:\"\\x\x01"[rnd(10)];
        break;
    case 2:
        b->data[at] = (char)0xc3; /* a lone UTF-8 lead byte */
        break;
    case 3:
        put(b, " x");
        break;
    default:
        put(b, "\"\\ud800\"");
        break;
    }
}

static void generated(void (*gen)(wb_buf *), unsigned count, uint64_t seed)
{
    rng_state = seed;
    wb_buf b = {0};
    seen_iocs = seen_skips = seen_errors = 0;
    for (unsigned i = 0; i < count; i++) {
        wb_buf_reset(&b);
        gen(&b);
        if (rnd(8) == 0) corrupt(&b);
        same_all_ways(b.data ? b.data : "", b.len);
    }
    wb_buf_free(&b);
    print_message("%u documents: %zu indicators, %zu skips, %zu errors\n", count, seen_iocs,
                  seen_skips, seen_errors);
    /* a generator that only wrote broken or empty documents proves nothing */
    assert_true(seen_iocs > count && seen_skips > count && seen_errors > count / 10);
}

static void test_generated_misp(void **state)
{
    (void)state;
    generated(misp_doc, 1500, 0x9e3779b97f4a7c15u);
}

static void test_generated_stix(void **state)
{
    (void)state;
    generated(stix_doc, 1500, 0xd1b54a32d192ed03u);
}

/* What jansson refuses, the check refuses, and the error text is jansson's. */
static void test_syntax(void **state)
{
    (void)state;
    static const char *const docs[] = {"",
                                       "  ",
                                       "{",
                                       "[1,]",
                                       "{\"a\":1,}",
                                       "[01]",
                                       "[1.]",
                                       "[1e]",
                                       "[-]",
                                       "[+1]",
                                       "[9223372036854775807]",
                                       "[9223372036854775808]",
                                       "[-9223372036854775809]",
                                       "[1e400]",
                                       "[1e-400]",
                                       "[\"\\u0000\"]",
                                       "[\"\\ud800\"]",
                                       "[\"\\udc00\"]",
                                       "[\"\\ud800\\u0041\"]",
                                       "[\"\\x\"]",
                                       "[\"a\tb\"]",
                                       "[\"\xc0\xaf\"]",
                                       "[\"\xed\xa0\x80\"]",
                                       "[\"\xf4\x90\x80\x80\"]",
                                       "[\"\xe2\x82\"]",
                                       "[tru]",
                                       "[true] x",
                                       "{\"a\" 1}",
                                       "{1:2}",
                                       "nul",
                                       "\xef\xbb\xbf[]",
                                       "[\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"]",
                                       "[\"\xf0\x9f\x98\x80\"]",
                                       "{\"Event\":{}}\n"};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        same_all_ways(docs[i], strlen(docs[i]));
    /* jansson takes a scalar root followed by one NUL at the very end */
    static const char *const nul[] = {"1\0", "true\0", "\"a\"\0", "1\0x", "12\0\0", "[1]\0"};
    static const size_t nul_len[] = {2, 5, 4, 3, 4, 4};
    for (size_t i = 0; i < sizeof nul / sizeof nul[0]; i++)
        same_all_ways(nul[i], nul_len[i]);
    /* nesting: jansson stops at 2048 values deep, counting the innermost */
    for (size_t depth = 2046; depth <= 2050; depth++) {
        wb_buf b = {0};
        for (size_t k = 0; k < depth; k++)
            put(&b, "[");
        if (depth % 2) put(&b, "1");
        for (size_t k = 0; k < depth; k++)
            put(&b, "]");
        same_all_ways(b.data, b.len);
        wb_buf_free(&b);
    }
}

/* A sink that truncates the file being loaded when it takes its first
 * indicator: the loader's mapping loses its pages under it. */
typedef struct cut_sink {
    wb_ioc_sink sink;
    const char *path;
    size_t taken;
} cut_sink;

static int cut_add(wb_ioc_sink *self, const wb_ioc_in *ioc)
{
    (void)ioc;
    cut_sink *c = (cut_sink *)self;
    if (c->taken++ == 0 && truncate(c->path, 100) != 0) return WB_EIO;
    return 0;
}

static void cut_skip(wb_ioc_sink *self, const char *where, const char *reason)
{
    (void)self;
    (void)where;
    (void)reason;
}

/* A STIX bundle truncated in place while it loads (the mapping of
 * src/intel/detect.c): the vanished pages read as zero bytes under the
 * SIGBUS guard of src/core/io.c, and the load fails naming the file,
 * instead of the process dying of SIGBUS or keeping a shorter set. */
static void test_truncated_while_loading(void **state)
{
    (void)state;
    char path[] = "/tmp/wb-intel-cut-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    wb_buf b = {0};
    put(&b, "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[");
    for (int i = 0; b.len < ((size_t)6 << 20); i++)
        wb_buf_printf(&b,
                      "%s{\"type\":\"indicator\",\"spec_version\":\"2.1\","
                      "\"id\":\"indicator--%08d-0000-4000-8000-000000000000\","
                      "\"created\":\"2024-01-01T00:00:00Z\",\"modified\":\"2024-01-01T00:00:00Z\","
                      "\"pattern\":\"[domain-name:value = 'h%d.example.org']\","
                      "\"pattern_type\":\"stix\",\"valid_from\":\"2024-01-01T00:00:00Z\"}",
                      i ? "," : "", i, i);
    put(&b, "]}");
    assert_int_equal(write(fd, b.data, b.len), (ssize_t)b.len);
    close(fd);
    cut_sink c = {{cut_add, cut_skip}, path, 0};
    wb_intel_opts o = {0};
    wb_error err;
    int rc = wb_intel_load(path, &o, &c.sink, &err);
    assert_int_equal(rc, WB_EIO);
    assert_non_null(strstr(err.msg, "the file was truncated while it was read"));
    assert_non_null(strstr(err.msg, path));
    assert_true(c.taken > 0);
    unlink(path);
    wb_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpora),
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_generated_misp),
        cmocka_unit_test(test_generated_stix),
        cmocka_unit_test(test_truncated_while_loading),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
