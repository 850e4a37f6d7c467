/*
 * hub_raw.c - the baseline of the hub look-up benchmark (bench/hub_run):
 * how many indicator look-ups per second SQLite itself answers on the same
 * database, with the same look-up keys the hub searches for each value (an
 * address and every block that could hold it, a domain and its parents),
 * on THREADS threads with a connection each, without HTTP, keys, policy or
 * JSON. Address look-ups probe only the block lengths stored, as the hub's. The hub's rate divided
 * by this is the share of the raw rate the whole request path keeps.
 *
 *   hub_raw DB VALUES_FILE THREADS SECONDS    prints "LOOKUPS_PER_S ROWS_PER_LOOKUP"
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "hub/hub_internal.h"

#define MAX_VALUES 10000
#define MAX_KEYS 160

static char *values[MAX_VALUES];
static size_t nvalues;
static const char *db_path;
static double seconds;
static wb_prefix_set prefixes; /* as the hub reads them per request */

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

static void *run(void *arg)
{
    result *r = arg;
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT a.id FROM attribute_keys k JOIN attributes a ON"
                           " a.id=k.attribute_id JOIN events e ON e.id=a.event_id"
                           " WHERE k.norm=?2 AND k.kind=?1 AND a.deleted=0 AND e.deleted=0",
                           -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "hub_raw: %s\n", sqlite3_errmsg(db));
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
            for (int k = 0; k < nk; k++) {
                sqlite3_bind_int(st, 1, (int)keys[k].kind);
                sqlite3_bind_text(st, 2, keys[k].text, -1, SQLITE_STATIC);
                while (sqlite3_step(st) == SQLITE_ROW)
                    r->rows++;
                sqlite3_reset(st);
            }
            r->lookups++;
        }
    }
    free(keys);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: hub_raw DB VALUES_FILE THREADS SECONDS\n");
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
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT v6,len FROM cidr_prefixes", -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "hub_raw: %s: %s\n", db_path, sqlite3_errmsg(db));
        return 2;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        int v6 = sqlite3_column_int(st, 0), len = sqlite3_column_int(st, 1);
        if (v6 && len >= 0 && len <= 128)
            prefixes.v6[len / 64] |= (uint64_t)1 << (len % 64);
        else if (!v6 && len >= 0 && len <= 32)
            prefixes.v4 |= (uint64_t)1 << len;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
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
    printf("%.0f %.2f\n", (double)lookups / dt, lookups ? (double)rows / (double)lookups : 0.0);
    for (size_t i = 0; i < nvalues; i++)
        free(values[i]);
    return 0;
}
