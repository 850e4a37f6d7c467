/*
 * test_inventory.c - inventories: the real CycloneDX SBOMs of
 * ../shared/testdata/sbom/ (Keycloak 10.0.2: 903 components plus the
 * application itself; Dropwizard 1.3.15: 167 plus itself) and the SPDX
 * 2.2/2.3 examples, with counts checked against the files; CSV asset lists
 * (a bad row is skipped and reported naming row and column); dpkg-query
 * and rpm -qa output with the purls --distro forms.
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

#include "vulnsink.h"

#define SBOM WB_SHARED_DIR "/testdata/sbom/"
#define INV WB_TEST_DATA "/vuln/inv/"

/* The skipped components' messages, for the last load. */
static char skipped_msg[8][512];
static size_t nskipped;

static void on_skipped(void *ud, const wb_error *why)
{
    (void)ud;
    if (nskipped < 8) snprintf(skipped_msg[nskipped], sizeof skipped_msg[0], "%s", why->msg);
    nskipped++;
}

static void load(compsink *s, const char *path, const wb_inventory_opts *o)
{
    wb_error err = {0};
    compsink_init(s);
    if (wb_inventory_load(path, o, &s->sink, &err) != 0) fail_msg("%s: %s", path, err.msg);
}

static void cyclonedx(void **state)
{
    (void)state;
    compsink s;
    load(&s, SBOM "keycloak-10.0.2.cdx.json", NULL);
    assert_int_equal(s.n, 903 + 1);
    /* metadata.component: the asset, and a component of its own */
    assert_string_equal(s.c[0].name, "keycloak-parent");
    assert_string_equal(s.c[0].purl, "pkg:maven/org.keycloak/keycloak-parent@10.0.2");
    assert_non_null(strstr(s.c[0].where, "keycloak-10.0.2.cdx.json: $.metadata.component"));
    for (size_t i = 0; i < s.n; i++)
        assert_string_equal(s.c[i].asset, "keycloak-parent");
    const wb_component *c = compsink_find(&s, "bcprov-jdk15on");
    assert_non_null(c);
    assert_string_equal(c->version, "1.62");
    assert_string_equal(c->purl, "pkg:maven/org.bouncycastle/bcprov-jdk15on@1.62?type=jar");
    assert_string_equal(c->vendor, "org.bouncycastle"); /* the group, without a supplier */
    assert_non_null(strstr(c->where, "$.components[0]"));
    compsink_free(&s);
    wb_inventory_opts o = {.asset = "idp-prod-01"};
    load(&s, SBOM "dropwizard-1.3.15.cdx.json", &o);
    assert_int_equal(s.n, 167 + 1);
    assert_string_equal(s.c[s.n - 1].asset, "idp-prod-01");
    compsink_free(&s);
}

static void spdx(void **state)
{
    (void)state;
    compsink s;
    load(&s, SBOM "spdx-appbomination.spdx.json", NULL);
    assert_int_equal(s.n, 7);
    assert_string_equal(s.c[0].asset, "SpdxDoc for App-BOM-ination");
    const wb_component *c = compsink_find(&s, "App-BOM-ination");
    assert_string_equal(c->version, "1.0");
    assert_string_equal(c->vendor, "ACT Project");
    size_t refs = 0;
    for (size_t i = 0; i < s.n; i++)
        refs += s.c[i].purl != NULL || s.c[i].cpe != NULL;
    assert_true(refs >= 1);
    compsink_free(&s);
    load(&s, SBOM "spdx-examplemaven-0.0.1.spdx.json", NULL);
    assert_int_equal(s.n, 6);
    assert_string_equal(compsink_find(&s, "JUnit")->version, "3.8.1");
    compsink_free(&s);
}

static void csv(void **state)
{
    (void)state;
    compsink s;
    load(&s, INV "assets.csv", NULL);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.c[0].asset, "gw-01");
    assert_true(s.c[0].internet_facing);
    assert_string_equal(s.c[0].owner, "Netwerkbeheer, team 2"); /* quoted comma */
    assert_string_equal(s.c[0].criticality, "high");
    assert_string_equal(s.c[0].where, INV "assets.csv:3");
    assert_string_equal(s.c[1].purl, "pkg:npm/lodash@4.17.20");
    assert_string_equal(s.c[1].name, "lodash"); /* from the purl */
    assert_string_equal(s.c[1].version, "4.17.20");
    assert_false(s.c[1].internet_facing);
    assert_null(s.c[2].cpe);
    assert_string_equal(s.c[2].vendor, "Siemens");
    assert_string_equal(s.c[2].product, "SIMATIC S7-1500");
    assert_string_equal(s.c[2].version, "V2.9.4");
    compsink_free(&s);
    /* row 2 lacks its vendor: it is skipped and said, the others are used */
    wb_error err = {0};
    compsink_init(&s);
    wb_inventory_opts o = {.skipped = on_skipped};
    nskipped = 0;
    assert_int_equal(wb_inventory_load(INV "bad-row.csv", &o, &s.sink, &err), 0);
    assert_int_equal(nskipped, 1);
    assert_string_equal(skipped_msg[0],
                        INV "bad-row.csv:3: row 2, column vendor: empty, and the row has "
                            "no cpe or purl: each row needs cpe, purl, or vendor, product "
                            "and version (row skipped)");
    assert_int_equal(s.n, 1);
    compsink_free(&s);
}

static int load_text(compsink *s, const char *text, const wb_inventory_opts *o, wb_error *err)
{
    char path[] = "/tmp/wb-inv-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return WB_EIO;
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    compsink_init(s);
    int rc = wb_inventory_load(path, o, &s->sink, err);
    unlink(path);
    return rc;
}

static void csv_errors(void **state)
{
    (void)state;
    compsink s;
    wb_error err = {0};
    assert_int_equal(load_text(&s, "asset,cpe,colour\n", NULL, &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, ":1: column 3: unknown column 'colour'"));
    compsink_free(&s);
    wb_inventory_opts o = {.skipped = on_skipped};
    nskipped = 0;
    assert_int_equal(
        load_text(&s, "asset,cpe\nh1,cpe:2.3:a:x\nh2,cpe:2.3:a:v:p:1:*:*:*:*:*:*:*\n", &o, &err),
        0);
    assert_int_equal(s.n, 1);
    assert_int_equal(nskipped, 1);
    assert_non_null(strstr(skipped_msg[0], ":2: row 1, column cpe: "));
    compsink_free(&s);
    nskipped = 0;
    assert_int_equal(load_text(&s, "asset,purl,internet_facing\nh1,pkg:npm/a@1,maybe\n", &o, &err),
                     0);
    assert_int_equal(s.n, 0);
    assert_non_null(strstr(skipped_msg[0], "row 1, column internet_facing: 'maybe'"));
    compsink_free(&s);
    /* a URL written as a purl (Microsoft's sbom-tool) in an SPDX SBOM: that
     * package is skipped, the others are read */
    nskipped = 0;
    assert_int_equal(
        load_text(&s,
                  "{\"spdxVersion\":\"SPDX-2.2\",\"name\":\"d\",\"packages\":["
                  "{\"name\":\"a\",\"externalRefs\":[{\"referenceCategory\":\"PACKAGE-MANAGER\","
                  "\"referenceType\":\"purl\",\"referenceLocator\":\"https://github.com/x/y\"}]},"
                  "{\"name\":\"b\",\"externalRefs\":[{\"referenceCategory\":\"PACKAGE-MANAGER\","
                  "\"referenceType\":\"purl\",\"referenceLocator\":\"pkg:npm/b@1.0.0\"}]}]}",
                  &o, &err),
        0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.c[0].name, "b");
    assert_int_equal(nskipped, 1);
    assert_non_null(strstr(skipped_msg[0], ": $.packages[0].externalRefs[0].referenceLocator: "));
    compsink_free(&s);
    assert_int_equal(load_text(&s, "asset,purl\nh1,\"pkg:npm/a@1\n", NULL, &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, ":2: malformed CSV record"));
    compsink_free(&s);
    nskipped = 0;
    assert_int_equal(load_text(&s, "asset,purl\nh1,pkg:npm/a@1,extra\n", &o, &err), 0);
    assert_non_null(strstr(skipped_msg[0], "row 1 has 3 fields, the header 2"));
    compsink_free(&s);
    assert_int_equal(load_text(&s, "hello world this is text\n", NULL, &err), WB_EFORMAT);
    compsink_free(&s);
}

static void dpkg(void **state)
{
    (void)state;
    compsink s;
    wb_inventory_opts o = {.distro = "debian-12", .asset = "srv-01"};
    load(&s, INV "dpkg.txt", &o);
    assert_int_equal(s.n, 3); /* the not-installed package is left out */
    const wb_component *c = compsink_find(&s, "libssl3");
    assert_string_equal(c->version, "3.0.11-1~deb12u2");
    assert_string_equal(c->source_name, "openssl");
    assert_string_equal(c->source_version, "3.0.11-1~deb12u2");
    assert_string_equal(c->purl, "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12");
    assert_string_equal(c->asset, "srv-01");
    assert_string_equal(c->where, INV "dpkg.txt:1");
    compsink_free(&s);
    o.distro = "ubuntu-22.04";
    load(&s, INV "dpkg.txt", &o);
    assert_string_equal(compsink_find(&s, "libc6")->purl,
                        "pkg:deb/ubuntu/libc6@2.36-9%2Bdeb12u4?distro=ubuntu-22.04");
    compsink_free(&s);
}

static void rpm(void **state)
{
    (void)state;
    compsink s;
    wb_inventory_opts o = {.distro = "rhel-9"};
    load(&s, INV "rpm.txt", &o);
    assert_int_equal(s.n, 3); /* gpg-pubkey is not software */
    const wb_component *c = compsink_find(&s, "openssl-libs");
    assert_string_equal(c->version, "1:3.0.7-25.el9_3");
    assert_string_equal(
        c->purl, "pkg:rpm/redhat/openssl-libs@3.0.7-25.el9_3?arch=x86_64&distro=rhel-9&epoch=1");
    c = compsink_find(&s, "bash");
    assert_string_equal(c->version, "5.1.8-6.el9_1"); /* (none): no epoch */
    assert_string_equal(c->purl, "pkg:rpm/redhat/bash@5.1.8-6.el9_1?arch=x86_64&distro=rhel-9");
    compsink_free(&s);
    wb_error err = {0};
    assert_int_equal(
        load_text(&s, "bash (none):5.1.8-6.el9_1 x86_64\nbroken 5.1 x86_64\n", &o, &err),
        WB_EPARSE);
    assert_non_null(strstr(err.msg, ":2: version '5.1' is not EPOCH:VERSION-RELEASE"));
    assert_int_equal(s.n, 0);
    compsink_free(&s);
    /* without a known distribution there is no purl namespace to give */
    wb_inventory_opts none = {0}, unknown = {.distro = "plan9-4"};
    assert_int_equal(load_text(&s, "bash (none):5.1.8-6.el9_1 x86_64\n", &none, &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, "needs --distro"));
    compsink_free(&s);
    assert_int_equal(load_text(&s, "bash (none):5.1.8-6.el9_1 x86_64\n", &unknown, &err),
                     WB_EPARSE);
    assert_non_null(strstr(err.msg, "needs --distro"));
    compsink_free(&s);
}

/* dpkg's own database (an excerpt of a Debian 12 machine's): installed
 * packages only, the source package and its version from Source:. */
static void dpkg_status(void **state)
{
    (void)state;
    compsink s;
    wb_inventory_opts o = {.distro = "debian-12"};
    load(&s, INV "dpkg-status", &o);
    assert_int_equal(s.n, 6); /* oldpkg is config-files only */
    assert_null(compsink_find(&s, "oldpkg"));
    const wb_component *c = compsink_find(&s, "libc6");
    assert_string_equal(c->version, "2.36-9+deb12u14");
    assert_string_equal(c->source_name, "glibc");
    assert_string_equal(c->source_version, "2.36-9+deb12u14");
    assert_string_equal(c->purl,
                        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12");
    assert_string_equal(c->asset, INV "dpkg-status");
    c = compsink_find(&s, "adduser");
    assert_string_equal(c->source_name, "adduser"); /* no Source: the package is its own */
    c = compsink_find(&s, "libfoo1");               /* Source: foo (1.2-3) */
    assert_string_equal(c->source_name, "foo");
    assert_string_equal(c->source_version, "1.2-3");
    assert_string_equal(c->version, "1.2-3+b1");
    compsink_free(&s);
}

/* dpkg -l and dpkg-query -W's default: installed packages, ':arch' moved into
 * the purl, and the list says it has no source names. */
static bool nosrc;
static void on_nosrc(void *ud, const char *path)
{
    (void)ud;
    (void)path;
    nosrc = true;
}

static void dpkg_lists(void **state)
{
    (void)state;
    compsink s;
    wb_inventory_opts o = {.distro = "debian-12", .no_source = on_nosrc};
    nosrc = false;
    load(&s, INV "dpkg-l.txt", &o);
    assert_true(nosrc);
    assert_int_equal(s.n, 5); /* the rc line is not installed */
    const wb_component *c = compsink_find(&s, "libc6");
    assert_non_null(c);
    assert_string_equal(c->version, "2.36-9+deb12u14");
    assert_null(c->source_name);
    assert_string_equal(c->purl,
                        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12");
    assert_string_equal(compsink_find(&s, "zlib1g")->version, "1:1.2.13.dfsg-1");
    compsink_free(&s);
    nosrc = false;
    load(&s, INV "dpkg-query-default.txt", &o);
    assert_true(nosrc);
    assert_int_equal(s.n, 3);
    assert_string_equal(compsink_find(&s, "libc6")->purl,
                        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12");
    compsink_free(&s);
    nosrc = false;
    load(&s, INV "dpkg.txt", &o); /* four columns: sources known */
    assert_false(nosrc);
    compsink_free(&s);
}

/* Alpine's database (written from apk-tools' format): the origin is the
 * source package that Alpine's advisories name. */
static void apk(void **state)
{
    (void)state;
    compsink s;
    wb_inventory_opts o = {.distro = "alpine-3.18"};
    load(&s, INV "apk-installed", &o);
    assert_int_equal(s.n, 2);
    const wb_component *c = compsink_find(&s, "libcrypto3");
    assert_string_equal(c->version, "3.1.4-r1");
    assert_string_equal(c->source_name, "openssl");
    assert_string_equal(c->purl,
                        "pkg:apk/alpine/libcrypto3@3.1.4-r1?arch=x86_64&distro=alpine-3.18");
    compsink_free(&s);
}

static void rpm_default(void **state)
{
    (void)state;
    compsink s;
    wb_inventory_opts o = {.distro = "rhel-9"};
    load(&s, INV "rpm-qa-default.txt", &o);
    assert_int_equal(s.n, 3); /* gpg-pubkey is a key, not software */
    const wb_component *c = compsink_find(&s, "openssl-libs");
    assert_string_equal(c->version, "3.0.7-27.el9");
    assert_string_equal(c->purl,
                        "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9");
    assert_string_equal(compsink_find(&s, "python3-foo")->version, "1.0-1.el9");
    compsink_free(&s);
    wb_error err = {0};
    compsink_init(&s);
    assert_int_equal(wb_inventory_load(INV "rpm-qa-default.txt", NULL, &s.sink, &err), WB_EPARSE);
    assert_non_null(strstr(err.msg, "needs --distro"));
    compsink_free(&s);
}

/* SPDX tag-value in Syft's shape: Go's "go1.20.0" and "v1.5.9" versions kept
 * as written (the scanner reads them), a <text> block that is not a
 * package, a URL as purl skipped and said. */
static void spdx_tag_value(void **state)
{
    (void)state;
    compsink s;
    wb_inventory_opts o = {.skipped = on_skipped};
    nskipped = 0;
    load(&s, INV "go-app.spdx", &o);
    assert_int_equal(s.n, 2);
    assert_int_equal(nskipped, 1);
    assert_non_null(
        strstr(skipped_msg[0], "go-app.spdx:38: PackageName broken: ExternalRef purl: "));
    const wb_component *c = compsink_find(&s, "stdlib");
    assert_string_equal(c->version, "go1.20.0");
    assert_string_equal(c->purl, "pkg:golang/stdlib@1.20.0");
    assert_string_equal(c->cpe, "cpe:2.3:a:golang:go:1.20.0:-:*:*:*:*:*:*");
    assert_string_equal(c->asset, "go-app");
    c = compsink_find(&s, "github.com/containerd/containerd");
    assert_string_equal(c->version, "v1.5.9");
    compsink_free(&s);
}

static void put_file(const char *dir, const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A root file system made here: os-release gives the distro, hostname the
 * asset, the dpkg status its packages; an RPM database is named as not
 * read; a directory without any package database is an error. */
static void rootfs(void **state)
{
    (void)state;
    char root[] = "/tmp/wb-rootfs-XXXXXX";
    assert_non_null(mkdtemp(root));
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s/etc %s/var/lib/dpkg %s/var/lib/rpm && cp %s %s/var/lib/dpkg/status", root,
             root, root, INV "dpkg-status", root);
    assert_int_equal(system(cmd), 0);
    put_file(root, "etc/os-release",
             "PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\nID=ubuntu\nVERSION_ID=\"22.04\"\n");
    put_file(root, "etc/hostname", "web01\n");
    put_file(root, "var/lib/rpm/rpmdb.sqlite", "");
    compsink s;
    wb_inventory_opts o = {.skipped = on_skipped};
    nskipped = 0;
    load(&s, root, &o);
    assert_int_equal(s.n, 6);
    const wb_component *c = compsink_find(&s, "libssl3");
    assert_string_equal(c->asset, "web01");
    assert_string_equal(c->purl,
                        "pkg:deb/ubuntu/libssl3@3.0.19-1~deb12u2?arch=amd64&distro=ubuntu-22.04");
    assert_int_equal(nskipped, 1);
    assert_non_null(strstr(skipped_msg[0], "var/lib/rpm: an RPM database, not read"));
    compsink_free(&s);
    snprintf(cmd, sizeof cmd, "rm -rf %s/var", root);
    assert_int_equal(system(cmd), 0);
    wb_error err = {0};
    compsink_init(&s);
    assert_int_equal(wb_inventory_load(root, NULL, &s.sink, &err), WB_EFORMAT);
    assert_non_null(strstr(err.msg, "no package database"));
    compsink_free(&s);
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cyclonedx),   cmocka_unit_test(spdx),           cmocka_unit_test(csv),
        cmocka_unit_test(csv_errors),  cmocka_unit_test(dpkg),           cmocka_unit_test(rpm),
        cmocka_unit_test(dpkg_status), cmocka_unit_test(dpkg_lists),     cmocka_unit_test(apk),
        cmocka_unit_test(rpm_default), cmocka_unit_test(spdx_tag_value), cmocka_unit_test(rootfs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
