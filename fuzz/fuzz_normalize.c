/*
 * fuzz_normalize.c - libFuzzer target for indicator normalisation and for
 * the matcher's classification of log values (every kind of value).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/match.h"
#include "weerbaar/normalize.h"

static wb_iocset *set;

static void found(void *ud, uint32_t id)
{
    (void)ud;
    (void)id;
}

static void build(void)
{
    static const struct {
        wb_ioc_type t;
        const char *v;
    } iocs[] = {
        {WB_IOC_CIDR, "10.0.0.0/8"},        {WB_IOC_IP, "2001:db8::/32"},
        {WB_IOC_IP, "0.0.0.0/0"},           {WB_IOC_IP, "::/0"},
        {WB_IOC_DOMAIN, "evil.example"},    {WB_IOC_HOSTNAME, "a.b.example"},
        {WB_IOC_URL, "http://x.example/p"}, {WB_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e"},
        {WB_IOC_EMAIL, "a@evil.example"},   {WB_IOC_IP_PORT, "10.1.1.1|80"},
    };
    wb_iocset_opts o = {.now = WB_TIME_NONE};
    if (wb_iocset_new(&set, &o) != 0) abort();
    for (size_t i = 0; i < sizeof iocs / sizeof iocs[0]; i++) {
        wb_ioc_in in = {.type = iocs[i].t,
                        .value = iocs[i].v,
                        .len = strlen(iocs[i].v),
                        .valid_until = WB_TIME_NONE,
                        .source = "fuzz"};
        wb_iocset_add(set, &in);
    }
    wb_error err;
    wb_iocset_build(set, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (set == NULL) build();
    const char *v = (const char *)data;
    wb_buf out = {0};
    for (int t = 0; t < WB_IOC_TYPE_COUNT; t++) {
        wb_ioc_type type = (wb_ioc_type)t;
        wb_error err;
        wb_ioc_normalize(&type, v, size, &out, &err);
    }
    wb_buf_free(&out);
    static const unsigned kinds[] = {WB_V_IP,   WB_V_DOMAIN, WB_V_URL,
                                     WB_V_HASH, WB_V_EMAIL,  WB_V_AUTO};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        wb_iocset_lookup(set, v, size, kinds[k], found, NULL);
    return 0;
}
