/*
 * scanblocks.c - the matcher's scan speed on a Zeek log, measured per 4 MiB
 * block in CPU time of the scanning thread, for shared machines.
 *
 * On a machine that other people use, a whole-run time mostly measures
 * them. A block of 4 MiB scans in a few milliseconds, so some blocks run
 * undisturbed; the least disturbed block's rate, applied to the whole file,
 * estimates the scan on a quiet machine, and the median block shows how far
 * off the noise is. Reading (read(2), page cache) and loading are not in
 * these figures; bench/run measures them with the whole command.
 *
 *   scanblocks IOCS LOG      (built and run by bench/run)
 *
 * Prints: scan CPU seconds in all, the best-block and median-block
 * estimates in seconds and MB/s, and the number of sightings (which must
 * equal `weerbaar match --format count`).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "match/scan_internal.h"
#include "weerbaar/ioc.h"
#include "weerbaar/logs.h"

#define BLOCK (4u << 20)

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: scanblocks IOCS LOG\n");
        return 2;
    }
    wb_iocset *set;
    wb_iocset_opts o = {.now = WB_TIME_NONE};
    wb_intel_opts io = {0};
    wb_error err = {0};
    if (wb_iocset_new(&set, &o) || wb_intel_load(argv[1], &io, wb_iocset_sink(set), &err) ||
        wb_iocset_build(set, &err)) {
        fprintf(stderr, "scanblocks: %s\n", err.msg);
        return 2;
    }
    FILE *f = fopen(argv[2], "rb");
    char *buf = malloc(BLOCK);
    size_t cap = 1024, nrates = 0, have = 0, bytes = 0;
    double *rates = malloc(cap * sizeof *rates), total = 0;
    const wb_logfmt *fmt = wb_logfmt_find("zeek");
    if (!f || !buf || !rates || !fmt) {
        fprintf(stderr, "scanblocks: cannot open %s\n", argv[2]);
        return 2;
    }
    void *state = NULL;
    uint64_t hits = 0;
    wbi_scanner sc;
    wbi_scanner_init(&sc, set);
    for (bool first = true;; first = false) {
        size_t r = fread(buf + have, 1, BLOCK - have, f);
        have += r;
        if (have == 0) break;
        size_t cut = have;
        if (r) /* whole lines only, unless this is the end */
            while (cut > 0 && buf[cut - 1] != '\n')
                cut--;
        if (cut == 0) {
            fprintf(stderr, "scanblocks: a line longer than %u bytes\n", BLOCK);
            return 2;
        }
        wbi_scanner_reset(&sc);
        void *next = NULL;
        double t0 = cpu_now();
        int rc = fmt->scan(state, &next, &sc.scan, buf, cut, NULL);
        double dt = cpu_now() - t0;
        if (rc) {
            fprintf(stderr, "scanblocks: scan failed (%d)\n", rc);
            return 2;
        }
        if (next) {
            if (state) fmt->state_free(state);
            state = next;
        }
        hits += sc.nhits;
        total += dt;
        bytes += cut;
        /* The first block parses the header and warms the caches. */
        if (!first) {
            if (nrates == cap) {
                cap *= 2;
                double *nr = realloc(rates, cap * sizeof *rates);
                if (!nr) return 2;
                rates = nr;
            }
            rates[nrates++] = dt / (double)cut;
        }
        memmove(buf, buf + cut, have - cut);
        have -= cut;
        if (r == 0 && have == 0) break;
    }
    if (nrates == 0) {
        fprintf(stderr, "scanblocks: the log needs more than one block of %u bytes\n", BLOCK);
        return 2;
    }
    qsort(rates, nrates, sizeof *rates, by_value);
    double best = rates[0] * (double)bytes, median = rates[nrates / 2] * (double)bytes;
    printf("scan CPU %.3f s; least disturbed block: %.3f s (%.0f MB/s); median block: %.3f s "
           "(%.0f MB/s); %zu blocks; %llu sightings\n",
           total, best, (double)bytes / 1e6 / best, median, (double)bytes / 1e6 / median,
           nrates + 1, (unsigned long long)hits);
    if (state) fmt->state_free(state);
    wbi_scanner_free(&sc);
    wb_iocset_free(set);
    free(rates);
    free(buf);
    fclose(f);
    return 0;
}
