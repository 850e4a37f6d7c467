/*
 * test_hub_keys.c - one answer to "what does this value match": the hub's
 * indicator look-up (GET /api/v1/indicators through wb_hub_handle, over a
 * hub database loaded with the indicators) and `weerbaar match`'s matcher
 * (the same indicators in a wb_iocset, each value looked up as a log value
 * of unknown kind, which is what the text and JSON readers do) must find
 * the same indicators for every value.
 *
 * The indicators and values are generated from a fixed seed: addresses v4
 * and v6, blocks of every prefix length, domains and their subdomains and
 * parents, host names, URLs with and without scheme, port and userinfo,
 * hashes, e-mail addresses and address|port pairs, and values derived from
 * them (inside and just outside a block, a subdomain, the host of a URL,
 * the domain of an address) plus noise. An indicator is named by its
 * attribute uuid on both sides; a disagreement prints the value and both
 * answers.
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
#include <jansson.h>

#include "common/hubfix.h"
#include "weerbaar/hub.h"
#include "weerbaar/match.h"
#include "weerbaar/normalize.h"
#include "weerbaar/store.h"

#ifndef N_VALUES
#define N_VALUES 10000
#endif

typedef struct ind {
    const char *misp;
    wb_ioc_type type;
    char value[160];
    char uuid[WB_UUID_LEN + 1];
} ind;

typedef struct gen {
    uint64_t s;
    ind *inds;
    size_t ninds, cap;
    char (*values)[200];
    size_t nvalues;
} gen;

static uint32_t rnd(gen *g)
{
    g->s = g->s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(g->s >> 33);
}

static unsigned pick(gen *g, unsigned n)
{
    return rnd(g) % n;
}

static const char *const labels[] = {"a", "evil", "cdn", "x1", "login", "mail", "b-2", "update"};
static const char *const tlds[] = {"example", "test", "nl", "org"};

static void domain(gen *g, char *out, size_t cap, unsigned depth)
{
    size_t k = 0;
    for (unsigned i = 1; i < depth; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s.", labels[pick(g, 8)]);
    /* The registered name from a larger space, so that few indicators
     * share one. */
    snprintf(out + k, cap - k, "%s%u.%s", labels[pick(g, 8)], pick(g, 16), tlds[pick(g, 4)]);
}

static void v4(gen *g, char *out, size_t cap)
{
    /* A small space, so that indicators and values meet. */
    snprintf(out, cap, "10.%u.%u.%u", pick(g, 3), pick(g, 4), pick(g, 256));
}

static void v6(gen *g, char *out, size_t cap)
{
    snprintf(out, cap, "2001:db8:%x::%x", pick(g, 3), pick(g, 65536));
}

static void add_ind(gen *g, const char *misp, wb_ioc_type type, const char *fmt, ...)
{
    if (g->ninds == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 1024;
        g->inds = realloc(g->inds, g->cap * sizeof *g->inds);
        assert_non_null(g->inds);
    }
    ind *d = &g->inds[g->ninds];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->value, sizeof d->value, fmt, ap);
    va_end(ap);
    /* Only values the hub accepts: an invalid one refuses the whole event. */
    wb_ioc_type t = type;
    wb_buf norm = {0};
    int rc = wb_ioc_normalize(&t, d->value, strlen(d->value), &norm, NULL);
    wb_buf_free(&norm);
    if (rc != 0) return;
    d->misp = misp;
    d->type = type;
    snprintf(d->uuid, sizeof d->uuid, "00000000-0000-4000-8000-%012zx", g->ninds);
    g->ninds++;
}

static void add_value(gen *g, const char *fmt, ...)
{
    if (g->nvalues >= N_VALUES) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->values[g->nvalues], sizeof g->values[0], fmt, ap);
    va_end(ap);
    g->nvalues++;
}

static void make_indicators(gen *g)
{
    char a[128], b[128];
    for (unsigned i = 0; i < 300; i++) {
        v4(g, a, sizeof a);
        add_ind(g, "ip-dst", WB_IOC_IP, "%s", a);
        v6(g, a, sizeof a);
        add_ind(g, "ip-src", WB_IOC_IP, "%s", a);
    }
    /* Blocks of every prefix length, several of each. */
    for (unsigned len = 0; len <= 32; len++)
        for (unsigned k = 0; k < 1 + (len >= 16); k++) {
            /* Anywhere for a short block, in 10/8 or among the addresses
             * for a long one: every value in dozens of blocks would make
             * the test slow and prove no more. */
            if (len < 16)
                snprintf(a, sizeof a, "%u.%u.%u.%u", pick(g, 256), pick(g, 256), pick(g, 256),
                         pick(g, 256));
            else if (k == 0)
                v4(g, a, sizeof a);
            else
                snprintf(a, sizeof a, "10.%u.%u.%u", pick(g, 256), pick(g, 256), pick(g, 256));
            wb_addr net;
            unsigned p;
            assert_int_equal(wb_cidr_parse(a, strlen(a), &net, &p), 0);
            wb_addr_format(&net, 96 + len, b, sizeof b); /* the network, host bits cleared */
            char *slash = strchr(b, '/');
            if (slash) *slash = '\0';
            add_ind(g, "ip-dst", WB_IOC_CIDR, "%s/%u", b, len);
        }
    for (unsigned len = 0; len <= 128; len++)
        for (unsigned k = 0; k < 1 + (len >= 32); k++) {
            if (len < 32)
                snprintf(a, sizeof a, "%x:%x::", pick(g, 65536), pick(g, 65536));
            else
                v6(g, a, sizeof a);
            wb_addr net;
            unsigned p;
            assert_int_equal(wb_cidr_parse(a, strlen(a), &net, &p), 0);
            wb_addr_format(&net, len, b, sizeof b);
            char *slash = strchr(b, '/');
            if (slash) *slash = '\0';
            add_ind(g, "ip-dst", WB_IOC_CIDR, "%s/%u", b, len);
        }
    for (unsigned i = 0; i < 300; i++) {
        domain(g, a, sizeof a, 1 + pick(g, 3));
        add_ind(g, "domain", WB_IOC_DOMAIN, "%s", a);
        domain(g, a, sizeof a, 1 + pick(g, 3));
        add_ind(g, "hostname", WB_IOC_HOSTNAME, "%s", a);
    }
    for (unsigned i = 0; i < 300; i++) {
        domain(g, a, sizeof a, 1 + pick(g, 2));
        switch (pick(g, 5)) {
        case 0:
            add_ind(g, "url", WB_IOC_URL, "http://%s/p%u", a, pick(g, 4));
            break;
        case 1:
            add_ind(g, "url", WB_IOC_URL, "https://%s:8443/p%u?q=1", a, pick(g, 4));
            break;
        case 2:
            add_ind(g, "url", WB_IOC_URL, "%s/p%u", a, pick(g, 4));
            break;
        case 3:
            v4(g, b, sizeof b);
            add_ind(g, "url", WB_IOC_URL, "http://%s:8080/p%u", b, pick(g, 4));
            break;
        default:
            add_ind(g, "url", WB_IOC_URL, "http://user@%s/p%u", a, pick(g, 4));
            break;
        }
    }
    for (unsigned i = 0; i < 150; i++) {
        char h[65];
        for (unsigned k = 0; k < 64; k++)
            h[k] = "0123456789abcdef"[pick(g, 16)];
        static const unsigned lens[] = {32, 40, 64};
        static const char *const names[] = {"md5", "sha1", "sha256"};
        static const wb_ioc_type types[] = {WB_IOC_MD5, WB_IOC_SHA1, WB_IOC_SHA256};
        unsigned t = pick(g, 3);
        h[lens[t]] = '\0';
        add_ind(g, names[t], types[t], "%s", h);
    }
    for (unsigned i = 0; i < 200; i++) {
        domain(g, a, sizeof a, 1 + pick(g, 2));
        add_ind(g, "email-src", WB_IOC_EMAIL, "%s@%s", labels[pick(g, 8)], a);
        v4(g, a, sizeof a);
        add_ind(g, "ip-dst|port", WB_IOC_IP_PORT, "%s|%u", a, 80 + pick(g, 3));
    }
}

/* Values: each indicator as written and in other shapes, things around
 * it, and noise. */
static void make_values(gen *g)
{
    char a[128];
    size_t round = 0;
    while (g->nvalues < N_VALUES) {
        const ind *d = &g->inds[pick(g, (unsigned)g->ninds)];
        const char *v = d->value;
        switch (round++ % 4 == 3 ? 99 : d->type) {
        case WB_IOC_IP:
        case WB_IOC_CIDR: {
            wb_addr net;
            unsigned p;
            assert_int_equal(wb_cidr_parse(v, strlen(v), &net, &p), 0);
            bool is4 = wb_addr_is_v4(&net) && strchr(v, ':') == NULL;
            for (unsigned i = 15; i >= (is4 ? 12u : 8u) && p < 128; i--) /* a random host inside */
                net.b[i] = (uint8_t)rnd(g);
            wb_addr_format(&net, 128, a, sizeof a);
            add_value(g, "%s", a);
            add_value(g, "%s", v);
            if (is4)
                add_value(g, "%s:443", a);
            else
                add_value(g, "[%s]:443", a);
            add_value(g, "http://%s%s%s/x", is4 ? "" : "[", a, is4 ? "" : "]");
            break;
        }
        case WB_IOC_DOMAIN:
        case WB_IOC_HOSTNAME: {
            add_value(g, "%s", v);
            add_value(g, "%s.%s", labels[pick(g, 8)], v);
            const char *dot = strchr(v, '.');
            if (dot && strchr(dot + 1, '.')) add_value(g, "%s", dot + 1);
            add_value(g, "%s:8080", v);
            add_value(g, "https://%s/login?next=/", v);
            add_value(g, "%s/index.html", v);
            add_value(g, "someone@%s", v);
            break;
        }
        case WB_IOC_URL: {
            add_value(g, "%s", v);
            const char *s = strstr(v, "://");
            if (s)
                add_value(g, "%s", s + 3);
            else
                add_value(g, "http://%s", v);
            add_value(g, "HTTP://%s", s ? s + 3 : v);
            break;
        }
        case WB_IOC_EMAIL:
            add_value(g, "%s", v);
            add_value(g, "Someone <%s>", v);
            add_value(g, "%s", strchr(v, '@') + 1);
            break;
        case WB_IOC_IP_PORT:
            add_value(g, "%s", v);
            break;
        case WB_IOC_MD5:
        case WB_IOC_SHA1:
        case WB_IOC_SHA256:
            add_value(g, "%s", v);
            snprintf(a, sizeof a, "%s", v);
            for (char *p = a; *p; p++)
                if (*p >= 'a' && *p <= 'f') *p = (char)(*p - 'a' + 'A');
            add_value(g, "%s", a);
            break;
        default:
            /* Noise built from the same parts. */
            switch (pick(g, 6)) {
            case 0:
                v4(g, a, sizeof a);
                add_value(g, "%s", a);
                break;
            case 1:
                v6(g, a, sizeof a);
                add_value(g, "%s", a);
                break;
            case 2:
                domain(g, a, sizeof a, 1 + pick(g, 4));
                add_value(g, "%s", a);
                break;
            case 3:
                domain(g, a, sizeof a, 1 + pick(g, 3));
                add_value(g, "ftp://u:pw@%s:21/f", a);
                break;
            case 4:
                v4(g, a, sizeof a);
                add_value(g, "%s/%u", a, pick(g, 33));
                break;
            default:
                v6(g, a, sizeof a);
                add_value(g, "%s/%u", a, pick(g, 129));
                break;
            }
        }
    }
}

/* ---- the two answers ---------------------------------------------------------- */

typedef struct answer {
    char (*uuids)[WB_UUID_LEN + 1];
    size_t n, cap;
} answer;

static void answer_add(answer *x, const char *uuid)
{
    for (size_t i = 0; i < x->n; i++)
        if (strcmp(x->uuids[i], uuid) == 0) return;
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 16;
        x->uuids = realloc(x->uuids, x->cap * sizeof *x->uuids);
        assert_non_null(x->uuids);
    }
    snprintf(x->uuids[x->n++], WB_UUID_LEN + 1, "%s", uuid);
}

static int cmp_uuid(const void *a, const void *b)
{
    return strcmp(a, b);
}

typedef struct found_ctx {
    const wb_iocset *set;
    answer *x;
} found_ctx;

static void found(void *ud, uint32_t id)
{
    found_ctx *f = ud;
    wb_ioc ioc;
    const wb_ioc *p = wb_iocset_get(f->set, id, &ioc);
    assert_non_null(p);
    assert_non_null(p->attribute);
    answer_add(f->x, p->attribute);
}

static unsigned hub_call(wb_hub *hub, const char *key, const char *method, const char *path,
                         const wb_hub_arg *args, size_t nargs, const char *body, json_t **out)
{
    wb_hub_request req = {
        .method = method, .path = path, .args = args, .nargs = nargs, .body = body};
    return hubfix_call(hub, &req, key, out);
}

static void agreement(void **state)
{
    (void)state;
    gen g = {.s = 20261206};
    g.values = calloc(N_VALUES, sizeof *g.values);
    assert_non_null(g.values);
    make_indicators(&g);
    make_values(&g);
    assert_true(g.ninds > 2000);
    assert_int_equal(g.nvalues, N_VALUES);

    /* The hub, with one organisation and its site admin (who reads all). */
    static const hubfix_org orgs[] = {{"CSIRT", WB_ORG_ESSENTIAL, NULL}};
    static const hubfix_user users[] = {{"admin@csirt.example", 0, WB_ROLE_SITE_ADMIN}};
    hubfix fx;
    hubfix_begin(&fx, "keys", orgs, 1, users, 1);
    hubfix_open(&fx, &(wb_hub_opts){.connections = 1, .rate = 1e9});
    wb_hub *hub = fx.hub;
    const char *key = fx.key[0];
    wb_error err;
    for (size_t first = 0; first < g.ninds; first += 1000) {
        json_t *attrs = json_array();
        for (size_t i = first; i < g.ninds && i < first + 1000; i++)
            json_array_append_new(attrs,
                                  json_pack("{s:s, s:s, s:s, s:b}", "uuid", g.inds[i].uuid, "type",
                                            g.inds[i].misp, "value", g.inds[i].value, "to_ids", 1));
        json_t *ev = json_pack("{s:{s:s, s:i, s:o}}", "Event", "info", "keys", "distribution", 1,
                               "Attribute", attrs);
        char *body = json_dumps(ev, 0);
        json_decref(ev);
        json_t *res;
        unsigned status = hub_call(hub, key, "POST", "/api/v1/events", NULL, 0, body, &res);
        if (status != 200 && status != 201) {
            char *t = json_dumps(res, 0);
            fail_msg("POST /api/v1/events: %u %s", status, t);
        }
        json_decref(res);
        free(body);
    }

    /* The matcher, with the same indicators. */
    wb_iocset *set;
    wb_iocset_opts so = {.now = WB_TIME_NONE};
    assert_int_equal(wb_iocset_new(&set, &so), 0);
    for (size_t i = 0; i < g.ninds; i++) {
        wb_ioc_in in = {.type = g.inds[i].type,
                        .value = g.inds[i].value,
                        .len = strlen(g.inds[i].value),
                        .attribute = g.inds[i].uuid,
                        .valid_until = WB_TIME_NONE,
                        .source = "test"};
        assert_int_equal(wb_iocset_add(set, &in), 0);
    }
    assert_int_equal(wb_iocset_build(set, &err), 0);

    size_t disagree = 0, matched = 0, total = 0;
    for (size_t i = 0; i < g.nvalues; i++) {
        const char *v = g.values[i];
        answer m = {0}, h = {0};
        found_ctx fc = {set, &m};
        wb_iocset_lookup(set, v, strlen(v), WB_V_AUTO, found, &fc);
        wb_hub_arg args[1] = {{"value", v}};
        json_t *res;
        unsigned status = hub_call(hub, key, "GET", "/api/v1/indicators", args, 1, NULL, &res);
        if (status == 200) {
            size_t k;
            json_t *a;
            json_array_foreach(json_object_get(json_object_get(res, "response"), "Attribute"), k, a)
                answer_add(&h, json_string_value(json_object_get(a, "uuid")));
        } else {
            assert_int_equal(status, 400); /* a value that is no indicator: nothing matches */
        }
        json_decref(res);
        if (m.n) qsort(m.uuids, m.n, sizeof *m.uuids, cmp_uuid);
        if (h.n) qsort(h.uuids, h.n, sizeof *h.uuids, cmp_uuid);
        bool same = m.n == h.n;
        for (size_t k = 0; same && k < m.n; k++)
            same = strcmp(m.uuids[k], h.uuids[k]) == 0;
        if (m.n) matched++;
        total += m.n;
        if (!same) {
            if (disagree++ < 20) {
                fprintf(stderr, "value '%s': match %zu, hub %zu (status %u)\n", v, m.n, h.n,
                        status);
                for (size_t k = 0; k < m.n; k++)
                    fprintf(stderr, "  match: %s\n",
                            g.inds[strtoul(m.uuids[k] + 24, NULL, 16)].value);
                for (size_t k = 0; k < h.n; k++)
                    fprintf(stderr, "  hub:   %s\n",
                            g.inds[strtoul(h.uuids[k] + 24, NULL, 16)].value);
            }
        }
        free(m.uuids);
        free(h.uuids);
    }
    fprintf(stderr,
            "%zu indicators, %zu values, %zu with a match (%zu matches), %zu disagreements\n",
            g.ninds, g.nvalues, matched, total, disagree);
    assert_int_equal(disagree, 0);
    /* The generator must produce matches, or agreement proves nothing. */
    assert_true(matched > N_VALUES / 4);

    wb_iocset_free(set);
    hubfix_end(&fx);
    free(g.inds);
    free(g.values);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(agreement)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
