/*
 * deps_lpm.c - IPv4 look-ups per second on one core: weerbaar's RIR index
 * (wb_ipdb_lookup_v4) against libmaxminddb (MMDB_lookup_sockaddr) on the
 * same uniformly random addresses and the same ranges (bench/deps_mmdb.pl
 * writes them as an .mmdb), with the hit/miss mix, and a check that both
 * give the same country for every address.
 *   deps_lpm RIR.txt RANGES.mmdb [N]
 */
#include <arpa/inet.h>
#include <maxminddb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weerbaar/deps.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: deps_lpm RIR.txt RANGES.mmdb [N]\n");
        return 2;
    }
    size_t n = argc > 3 ? strtoul(argv[3], NULL, 10) : 20000000;
    wb_ipdb *db;
    wb_error err = {0};
    double t0 = now();
    if (wb_ipdb_new(&db, &err) || wb_ipdb_add_rir_file(db, argv[1], &err) ||
        wb_ipdb_build(db, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    double tload = now() - t0;
    size_t v4;
    wb_ipdb_stats(db, &v4, NULL, NULL, NULL);
    uint32_t *ips = malloc(n * sizeof *ips);
    if (!ips) return 2;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        ips[i] = (uint32_t)(x >> 16);
    }
    /* weerbaar: best of 3 */
    double best = 1e9;
    size_t hits = 0;
    for (int rep = 0; rep < 3; rep++) {
        size_t h = 0;
        t0 = now();
        for (size_t i = 0; i < n; i++)
            h += wb_ipdb_lookup_v4(db, ips[i]) >= 0;
        double t = now() - t0;
        if (t < best) best = t;
        hits = h;
    }
    MMDB_s mm;
    if (MMDB_open(argv[2], MMDB_MODE_MMAP, &mm) != MMDB_SUCCESS) {
        fprintf(stderr, "%s: cannot open\n", argv[2]);
        return 2;
    }
    size_t nm = n / 4; /* libmaxminddb is slower: a quarter of the addresses */
    double bestm = 1e9;
    size_t mhits = 0;
    for (int rep = 0; rep < 3; rep++) {
        size_t h = 0;
        t0 = now();
        for (size_t i = 0; i < nm; i++) {
            struct sockaddr_in sa = {.sin_family = AF_INET};
            sa.sin_addr.s_addr = htonl(ips[i]);
            int e;
            MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&mm, (struct sockaddr *)&sa, &e);
            h += r.found_entry;
        }
        double t = now() - t0;
        if (t < bestm) bestm = t;
        mhits = h;
    }
    /* the same answers: country for country on a sample */
    size_t diff = 0, checked = 0;
    for (size_t i = 0; i < n && checked < 200000; i += 7, checked++) {
        struct sockaddr_in sa = {.sin_family = AF_INET};
        sa.sin_addr.s_addr = htonl(ips[i]);
        int e;
        MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&mm, (struct sockaddr *)&sa, &e);
        char cc[3] = "";
        MMDB_entry_data_s d;
        if (r.found_entry && MMDB_get_value(&r.entry, &d, "country", "iso_code", NULL) == 0 &&
            d.has_data && d.data_size == 2) {
            memcpy(cc, d.utf8_string, 2);
            cc[2] = 0;
        }
        int32_t rec = wb_ipdb_lookup_v4(db, ips[i]);
        const char *mine = rec < 0 ? "" : wb_ipdb_record_cc(db, rec);
        if (strcmp(cc, mine) != 0 && diff++ < 5)
            fprintf(stderr, "differ: %u.%u.%u.%u mmdb '%s' weerbaar '%s'\n", ips[i] >> 24,
                    ips[i] >> 16 & 255, ips[i] >> 8 & 255, ips[i] & 255, cc, mine);
    }
    printf("ranges: %zu IPv4 records, indexed in %.2f s\n", v4, tload);
    printf("addresses: %zu uniformly random IPv4; hits %.1f %%, misses %.1f %%\n", n,
           100.0 * (double)hits / (double)n, 100.0 - 100.0 * (double)hits / (double)n);
    printf("weerbaar wb_ipdb_lookup_v4: %.1f M look-ups/s (one core, CPU time, best of 3)\n",
           (double)n / best / 1e6);
    printf("libmaxminddb MMDB_lookup_sockaddr: %.1f M look-ups/s (%zu addresses, hits %.1f %%)\n",
           (double)nm / bestm / 1e6, nm, 100.0 * (double)mhits / (double)nm);
    printf("ratio: %.1fx; answers differing on %zu of %zu sampled addresses\n",
           ((double)n / best) / ((double)nm / bestm), diff, checked);
    MMDB_close(&mm);
    free(ips);
    wb_ipdb_free(db);
    return diff ? 1 : 0;
}
