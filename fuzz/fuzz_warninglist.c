/*
 * fuzz_warninglist.c - libFuzzer target: MISP warninglist files. The input
 * is written to a temporary file (warninglists load from paths), loaded,
 * and a few values of every type are looked up in whatever loaded.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weerbaar/ioc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (path[0] == '\0') {
        snprintf(path, sizeof path, "/tmp/wb-fuzz-wl-%ld.json", (long)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    wb_warninglists *wl;
    if (wb_warninglists_new(&wl) != 0) return 0;
    wb_error err;
    wb_warninglists_load(wl, path, &err);
    static const struct {
        wb_ioc_type t;
        const char *v;
    } probes[] = {
        {WB_IOC_IP, "10.1.2.3"},
        {WB_IOC_IP, "2001:db8::1"},
        {WB_IOC_CIDR, "192.168.0.0/16"},
        {WB_IOC_DOMAIN, "www.example.com"},
        {WB_IOC_HOSTNAME, "a.b.c.example"},
        {WB_IOC_URL, "http://user@bit.ly:8080/x?y#z"},
        {WB_IOC_URL, "[::1]/x"},
        {WB_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e"},
        {WB_IOC_EMAIL, "a@example.com"},
        {WB_IOC_IP_PORT, "10.0.0.1|443"},
    };
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
        wb_warninglists_find(wl, probes[i].t, probes[i].v, strlen(probes[i].v));
    wb_warninglists_free(wl);
    return 0;
}
