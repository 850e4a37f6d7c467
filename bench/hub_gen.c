/*
 * hub_gen.c - the data of the hub look-up benchmark (bench/hub_run): a hub
 * database with N attributes written through the store API in one
 * transaction (posting them through the API would measure JSON parsing and
 * a commit per event instead), a reader key, and the look-up values wrk
 * rotates through (hits and misses of every kind).
 *
 *   hub_gen DB ATTRIBUTES VALUES_FILE     prints the reader's API key
 *
 * Events hold 1000 attributes each: 40% IPv4 addresses, 10% IPv4 /24
 * blocks, 30% domains, 20% SHA-256 hashes. Nine events in ten are TLP:GREEN
 * to the community (visible to the reader), one in ten TLP:RED to the
 * creator only (found by the index, refused by the policy). The values and
 * the look-up list are the same for the same arguments; uuids are random.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/normalize.h"
#include "weerbaar/store.h"

#define PER_EVENT 1000

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void die(const char *what, const wb_error *err)
{
    fprintf(stderr, "hub_gen: %s: %s\n", what, err ? err->msg : "");
    exit(2);
}

/* Attribute i's type and value. */
static const char *attr_value(long i, char *buf, size_t cap, const char **type)
{
    long k = i % 10;
    if (k < 4) {
        *type = "ip-dst";
        snprintf(buf, cap, "10.%ld.%ld.%ld", (i >> 16) & 255, (i >> 8) & 255, i & 255);
    } else if (k == 4) {
        *type = "ip-dst";
        snprintf(buf, cap, "172.%ld.%ld.0/24", 16 + ((i >> 16) & 15), (i >> 8) & 255);
    } else if (k < 8) {
        *type = "domain";
        snprintf(buf, cap, "d%ld.bench-%ld.example", i, i % 97);
    } else {
        *type = "sha256";
        snprintf(buf, cap, "%016llx%016llx%016llx%016llx", (unsigned long long)i,
                 (unsigned long long)(i * 31), (unsigned long long)(i * 131),
                 (unsigned long long)(i * 1031));
    }
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: hub_gen DB ATTRIBUTES VALUES_FILE\n");
        return 2;
    }
    long n = strtol(argv[2], NULL, 10);
    if (n < PER_EVENT) n = PER_EVENT;
    wb_store *st;
    wb_error err = {0};
    if (wb_store_open(&st, argv[1], &err) != 0) die("open", &err);
    int64_t creator, reader, uid;
    char key[WB_KEY_TEXT_LEN + 1];
    if (wb_store_org_add(st, "Bench-CSIRT", WB_ORG_CSIRT, NULL, NULL, &creator, &err) ||
        wb_store_org_add(st, "Bench-Reader", WB_ORG_ESSENTIAL, "energy", NULL, &reader, &err) ||
        wb_store_user_add(st, "reader@bench.example", reader, WB_ROLE_SENSOR, &uid, &err) ||
        wb_store_key_add(st, uid, key, NULL, &err))
        die("set-up", &err);
    wb_attr_rec *attrs = calloc(PER_EVENT, sizeof *attrs);
    char(*vals)[80] = calloc(PER_EVENT, sizeof *vals);
    char(*uuids)[WB_UUID_LEN + 1] = calloc(PER_EVENT, sizeof *uuids);
    char(*keys)[80] = calloc(PER_EVENT, sizeof *keys);
    if (!attrs || !vals || !uuids || !keys) die("out of memory", NULL);
    wb_buf norm = {0};
    if (wb_store_begin(st, &err) != 0) die("begin", &err);
    for (long e = 0; e * PER_EVENT < n; e++) {
        bool red = e % 10 == 9;
        char uuid[WB_UUID_LEN + 1];
        wb_uuid_v4(uuid);
        wb_event_rec ev = {.uuid = uuid,
                           .org_id = creator,
                           .info = "look-up benchmark",
                           .date = "2026-11-27",
                           .distribution = red ? 0 : 1,
                           .tlp = red ? WB_TLP_RED : WB_TLP_GREEN,
                           .timestamp = 1795000000 + e,
                           .json = "{\"info\":\"look-up benchmark\"}"};
        for (long a = 0; a < PER_EVENT; a++) {
            long i = e * PER_EVENT + a;
            const char *type;
            attr_value(i, vals[a], sizeof vals[a], &type);
            wb_uuid_v4(uuids[a]);
            wb_ioc_type t = strcmp(type, "ip-dst") == 0   ? WB_IOC_IP
                            : strcmp(type, "domain") == 0 ? WB_IOC_DOMAIN
                                                          : WB_IOC_SHA256;
            if (wb_ioc_normalize(&t, vals[a], strlen(vals[a]), &norm, &err) != 0)
                die(vals[a], &err);
            snprintf(keys[a], sizeof keys[a], "%s", norm.data);
            attrs[a] = (wb_attr_rec){.uuid = uuids[a],
                                     .type = type,
                                     .value = vals[a],
                                     .to_ids = true,
                                     .distribution = 5,
                                     .tlp = WB_TLP_UNSET,
                                     .timestamp = ev.timestamp,
                                     .json = "{\"category\":\"Network activity\"}",
                                     .nkeys = 1,
                                     .key_kind = {t},
                                     .key = {keys[a]}};
        }
        if (wb_store_event_put(st, &ev, NULL, 0, attrs, PER_EVENT, false, NULL, &err) != 0)
            die("event", &err);
    }
    if (wb_store_commit(st, &err) != 0) die("commit", &err);
    wb_buf_free(&norm);
    wb_store_close(st);

    /* The values wrk asks for: a quarter each of addresses (hits inside the
     * stored addresses and /24 blocks, and misses), parent-domain hits
     * (www.dN...), hash hits, and misses of every kind. */
    FILE *f = fopen(argv[3], "w");
    if (f == NULL) die(argv[3], NULL);
    for (int k = 0; k < 4000; k++) {
        long i = (long)(next() % (uint64_t)n);
        char v[80];
        const char *type;
        switch (k % 8) {
        case 0: /* an address stored as such, or inside a stored /24 */
            i -= i % 10;
            if (k % 16 == 8) i += 4;
            if (i % 10 == 4)
                fprintf(f, "172.%ld.%ld.7\n", 16 + ((i >> 16) & 15), (i >> 8) & 255);
            else
                fprintf(f, "%s\n", attr_value(i, v, sizeof v, &type));
            break;
        case 1: /* an address nobody stored */
            fprintf(f, "192.0.2.%d\n", (int)(next() % 256));
            break;
        case 2: /* a subdomain of a stored domain: found by its parent */
            i = i - i % 10 + 5;
            fprintf(f, "www.%s\n", attr_value(i, v, sizeof v, &type));
            break;
        case 3:
            i = i - i % 10 + 6;
            fprintf(f, "%s\n", attr_value(i, v, sizeof v, &type));
            break;
        case 4: /* a domain nobody stored */
            fprintf(f, "host%llu.unknown-%d.example\n", (unsigned long long)(next() % 1000000), k);
            break;
        case 5:
            i = i - i % 10 + 8;
            fprintf(f, "%s\n", attr_value(i, v, sizeof v, &type));
            break;
        case 6: /* a hash nobody stored */
            fprintf(f, "%016llx%016llx%016llx%016llx\n", (unsigned long long)next(),
                    (unsigned long long)next(), (unsigned long long)next(),
                    (unsigned long long)next());
            break;
        default: /* an address in a block nobody stored */
            fprintf(f, "198.51.100.%d\n", (int)(next() % 256));
            break;
        }
    }
    fclose(f);
    free(attrs);
    free(vals);
    free(uuids);
    free(keys);
    printf("%s\n", key);
    return 0;
}
