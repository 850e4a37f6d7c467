/*
 * context.c - where a sighting happened: which endpoint of the record's flow
 * the indicator matched, which way the flow went, and which internal host
 * was involved, decided against the networks the user calls internal
 * (--local-nets; Zeek's private address space by default).
 *
 * The readers give the endpoints as text (scan.h's context); this file is
 * the one place that interprets them, so every output format and the
 * summary agree on "inbound" and "internal host".
 */
#include <stdlib.h>
#include <string.h>

#include "weerbaar/match.h"
#include "weerbaar/normalize.h"

const char *const wb_localnets_default[] = {
    "10.0.0.0/8",     "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
    "169.254.0.0/16", "::1/128",       "fc00::/7",       "fe80::/10",     NULL,
};

typedef struct net {
    wb_addr addr;
    unsigned prefix;
} net;

struct wb_localnets {
    net *v;
    size_t n, cap;
};

int wb_localnets_new(wb_localnets **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : WB_ENOMEM;
}

int wb_localnets_add(wb_localnets *ln, const char *cidr, wb_error *err)
{
    net x;
    if (wb_cidr_parse(cidr, strlen(cidr), &x.addr, &x.prefix) != 0)
        return wb_error_set(err, WB_EINVAL, "'%s' is not an address or CIDR block", cidr);
    if (ln->n == ln->cap) {
        size_t cap = ln->cap ? ln->cap * 2 : 16;
        net *nv = realloc(ln->v, cap * sizeof *nv);
        if (nv == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
        ln->v = nv;
        ln->cap = cap;
    }
    ln->v[ln->n++] = x;
    return 0;
}

bool wb_localnets_contains(const wb_localnets *ln, const char *addr, size_t n)
{
    wb_addr a;
    if (ln == NULL || addr == NULL || wb_addr_parse(addr, n, &a) != 0) return false;
    for (size_t i = 0; i < ln->n; i++)
        if (wb_cidr_contains(&ln->v[i].addr, ln->v[i].prefix, &a)) return true;
    return false;
}

void wb_localnets_free(wb_localnets *ln)
{
    if (ln == NULL) return;
    free(ln->v);
    free(ln);
}

/* True when text a (an address, maybe "addr|port") is the address b. */
static bool same_addr(const char *a, const char *b)
{
    if (a == NULL || b == NULL) return false;
    const char *bar = strchr(a, '|');
    size_t an = bar ? (size_t)(bar - a) : strlen(a);
    wb_addr x, y;
    return wb_addr_parse(a, an, &x) == 0 && wb_addr_parse(b, strlen(b), &y) == 0 &&
           memcmp(x.b, y.b, sizeof x.b) == 0;
}

static bool local(const wb_localnets *ln, const char *a)
{
    return a && wb_localnets_contains(ln, a, strlen(a));
}

void wb_sighting_where_get(const wb_sighting *s, const wb_localnets *ln, wb_sighting_where *out)
{
    const char *orig = s->ctx[WB_CTX_ORIG_H], *resp = s->ctx[WB_CTX_RESP_H];
    memset(out, 0, sizeof *out);
    wb_ioc_type t = s->ioc->type;
    if (t == WB_IOC_IP || t == WB_IOC_CIDR || t == WB_IOC_IP_PORT) {
        if (same_addr(s->matched, orig))
            out->side = WB_SIDE_ORIG;
        else if (same_addr(s->matched, resp))
            out->side = WB_SIDE_RESP;
    }
    bool lo = local(ln, orig), lr = local(ln, resp);
    if (orig && resp)
        out->direction = lo && lr ? WB_DIR_INTERNAL
                         : lo     ? WB_DIR_OUTBOUND
                         : lr     ? WB_DIR_INBOUND
                                  : WB_DIR_EXTERNAL;
    switch (out->side) {
    case WB_SIDE_ORIG:
        out->internal = lr ? resp : NULL;
        break;
    case WB_SIDE_RESP:
        out->internal = lo ? orig : NULL;
        break;
    case WB_SIDE_NONE:
        out->internal = lo ? orig : lr ? resp : NULL;
        break;
    }
}

const char *wb_side_name(wb_side side)
{
    switch (side) {
    case WB_SIDE_NONE:
        return NULL;
    case WB_SIDE_ORIG:
        return "orig";
    case WB_SIDE_RESP:
        return "resp";
    }
    return NULL;
}

const char *wb_direction_name(wb_direction d)
{
    switch (d) {
    case WB_DIR_NONE:
        return NULL;
    case WB_DIR_OUTBOUND:
        return "outbound";
    case WB_DIR_INBOUND:
        return "inbound";
    case WB_DIR_INTERNAL:
        return "internal";
    case WB_DIR_EXTERNAL:
        return "external";
    }
    return NULL;
}
