/*
 * ioc.c - names of indicator types and TLP levels, and TLP parsing.
 */
#include <string.h>

#include "weerbaar/ioc.h"

static const char *const type_names[WB_IOC_TYPE_COUNT] = {
    [WB_IOC_IP] = "ip",         [WB_IOC_CIDR] = "cidr",
    [WB_IOC_DOMAIN] = "domain", [WB_IOC_HOSTNAME] = "hostname",
    [WB_IOC_URL] = "url",       [WB_IOC_MD5] = "md5",
    [WB_IOC_SHA1] = "sha1",     [WB_IOC_SHA256] = "sha256",
    [WB_IOC_EMAIL] = "email",   [WB_IOC_IP_PORT] = "ip-port",
};

const char *wb_ioc_type_name(wb_ioc_type t)
{
    return (unsigned)t < WB_IOC_TYPE_COUNT ? type_names[t] : "unknown";
}

int wb_ioc_type_parse(const char *s, size_t n, wb_ioc_type *out)
{
    for (unsigned i = 0; i < WB_IOC_TYPE_COUNT; i++) {
        if (wb_strn_ieq(s, n, type_names[i])) {
            *out = (wb_ioc_type)i;
            return 0;
        }
    }
    return WB_EINVAL;
}

const char *wb_tlp_name(wb_tlp t)
{
    switch (t) {
    case WB_TLP_UNSET:
        return NULL;
    case WB_TLP_CLEAR:
        return "clear";
    case WB_TLP_GREEN:
        return "green";
    case WB_TLP_AMBER:
        return "amber";
    case WB_TLP_AMBER_STRICT:
        return "amber+strict";
    case WB_TLP_RED:
        return "red";
    }
    return NULL;
}

int wb_tlp_parse(const char *s, size_t n, wb_tlp *out)
{
    if (n >= 4 && wb_strn_ieq(s, 4, "tlp:")) {
        s += 4;
        n -= 4;
    }
    static const struct {
        const char *name;
        wb_tlp tlp;
    } names[] = {
        {"clear", WB_TLP_CLEAR},
        {"white", WB_TLP_CLEAR},
        {"green", WB_TLP_GREEN},
        {"amber", WB_TLP_AMBER},
        {"amber+strict", WB_TLP_AMBER_STRICT},
        {"red", WB_TLP_RED},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (wb_strn_ieq(s, n, names[i].name)) {
            *out = names[i].tlp;
            return 0;
        }
    }
    return WB_EINVAL;
}

wb_tlp wb_tlp_stricter(wb_tlp a, wb_tlp b)
{
    return a > b ? a : b;
}
