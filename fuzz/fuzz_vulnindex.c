/*
 * fuzz_vulnindex.c - libFuzzer target: the loader of `weerbaar vuln index`
 * files. Whatever the bytes, loading either refuses them with a message or
 * gives a database that a scan of a few components, and copying it into a
 * new builder, read without leaving its bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/vulnscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_vulndb *db = NULL;
    wb_error err = {0};
    if (wb_vulndb_open_mem(&db, "fuzz.idx", data, size, &err) != 0) {
        if (db != NULL || err.msg[0] == '\0') abort();
        return 0;
    }
    static const wb_component comps[] = {
        {.asset = "a", .name = "x", .purl = "pkg:npm/x@1.0.0"},
        {.asset = "a", .name = "p", .cpe = "cpe:2.3:a:v:p:3:*:*:*:*:*:*:*"},
        {.asset = "a", .name = "n", .vendor = "v", .product = "p", .version = "1"},
        {.asset = "a",
         .name = "libssl3",
         .purl = "pkg:deb/debian/libssl3@3.0.9-1?distro=debian-12",
         .source_name = "openssl",
         .source_version = "3.0.9-1"},
        /* the platform rule and VEX ranges and vendors */
        {.asset = "a",
         .name = "openssl",
         .purl = "pkg:rpm/redhat/openssl@1:3.0.1-4.el9?distro=rhel-9.2"},
        {.asset = "a", .name = "g", .vendor = "Acme", .product = "Gateway", .version = "2.5"},
        /* package names: rpm NEVRA products (arch, module stream, epoch),
         * vendor + product names of a deb package */
        {.asset = "a",
         .name = "telnet",
         .purl = "pkg:rpm/redhat/telnet@0.17-64.el7?arch=x86_64&epoch=1&distro=rhel-7"},
        {.asset = "a",
         .name = "nodejs",
         .purl = "pkg:rpm/redhat/nodejs@18.12.1-1.module%2Bel8.7.0%2B1%2Bab?arch=x86_64&epoch=1&"
                 "rpmmod=nodejs:18:8070020221024084802:ad008a3a"},
        {.asset = "a", .name = "openssl", .purl = "pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u4"},
    };
    wb_vulnscan *s = NULL;
    wb_scan_opts o = {.now = 0};
    /* the same database as scan-time extras too, so its KEV, EPSS and VEX
     * records are read the way a scan reads them */
    if (wb_vulnscan_new(&s, db, db, &o, &err) != 0) abort();
    wb_component_sink *k = wb_vulnscan_sink(s);
    for (size_t i = 0; i < sizeof comps / sizeof comps[0]; i++)
        (void)k->add(k, &comps[i]);
    (void)wb_vulnscan_finish(s, &err);
    wb_vulnscan_free(s);
    wb_vulndb *copy = NULL;
    if (wb_vulndb_new(&copy) == 0) {
        if (wb_vulndb_copy_into(db, copy, &err) == 0) (void)wb_vulndb_build(copy, &err);
        wb_vulndb_free(copy);
    }
    wb_vulndb_free(db);
    return 0;
}
