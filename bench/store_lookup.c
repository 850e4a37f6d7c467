/*
 * store_lookup.c - indicator look-ups through the store (wb_store_attr_lookup),
 * on whichever back end DB names: an SQLite file or a postgres:// URI
 * (bench/pg_run runs it on both, on the same attributes, in one run). The
 * same look-up keys as the hub's (an address and every stored block that
 * could hold it, a domain and its parents), THREADS threads with a
 * connection each, without HTTP, keys, policy or JSON.
 *
 *   store_lookup DB VALUES_FILE THREADS SECONDS
 *   prints "LOOKUPS_PER_S ROWS_PER_LOOKUP CPU_SECONDS"
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "hub/hub_internal.h"
#include "weerbaar/store.h"

#define MAX_VALUES 10000
#define MAX_KEYS 160

static char *values[MAX_VALUES];
static size_t nvalues;
static const char *db_path;
static double seconds;
static wb_prefix_set prefixes;

typedef struct result {
    unsigned long lookups, rows;
    unsigned tid;
} result;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count_cb(void *ud, const wb_event_rec *e, const wb_attr_rec *a)
{
    (void)e;
    (void)a;
    (*(unsigned long *)ud)++;
    return 0;
}

static void *run(void *arg)
{
    result *r = arg;
    wb_store *st;
    wb_error err;
    if (wb_store_open(&st, db_path, &err) != 0) {
        fprintf(stderr, "store_lookup: %s\n", err.msg);
        exit(2);
    }
    wb_ioc_key *keys = malloc(MAX_KEYS * sizeof *keys);
    double end = now() + seconds;
    size_t i = r->tid * 7919;
    while (now() < end) {
        for (int b = 0; b < 64; b++, i++) {
            const char *v = values[i % nvalues];
            wbi_problem prob;
            int nk = wbi_lookup_keys_in(v, strlen(v), NULL, &prefixes, keys, MAX_KEYS, &prob);
            for (int k = 0; k < nk; k++)
                if (wb_store_attr_lookup(st, keys[k].kind, keys[k].text, count_cb, &r->rows, &err) <
                    0) {
                    fprintf(stderr, "store_lookup: %s\n", err.msg);
                    exit(2);
                }
            r->lookups++;
        }
    }
    free(keys);
    wb_store_close(st);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: store_lookup DB VALUES_FILE THREADS SECONDS\n");
        return 2;
    }
    db_path = argv[1];
    unsigned threads = (unsigned)strtoul(argv[3], NULL, 10);
    seconds = strtod(argv[4], NULL);
    if (threads < 1 || threads > 64 || seconds <= 0) return 2;
    FILE *f = fopen(argv[2], "r");
    if (f == NULL) return 2;
    char line[512];
    while (nvalues < MAX_VALUES && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        values[nvalues++] = strdup(line);
    }
    fclose(f);
    if (nvalues == 0) return 2;
    wb_store *st;
    wb_error err;
    if (wb_store_open(&st, db_path, &err) != 0 ||
        wb_store_cidr_prefixes(st, &prefixes, &err) != 0) {
        fprintf(stderr, "store_lookup: %s\n", err.msg);
        return 2;
    }
    wb_store_close(st);
    pthread_t t[64];
    result r[64];
    memset(r, 0, sizeof r);
    double t0 = now();
    for (unsigned i = 0; i < threads; i++) {
        r[i].tid = i;
        pthread_create(&t[i], NULL, run, &r[i]);
    }
    unsigned long lookups = 0, rows = 0;
    for (unsigned i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        lookups += r[i].lookups;
        rows += r[i].rows;
    }
    double dt = now() - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    printf("%.0f %.2f %.2f\n", (double)lookups / dt, lookups ? (double)rows / (double)lookups : 0.0,
           cpu);
    for (size_t i = 0; i < nvalues; i++)
        free(values[i]);
    return 0;
}
