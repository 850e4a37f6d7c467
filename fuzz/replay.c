/*
 * replay.c - runs a libFuzzer target without libFuzzer: its
 * LLVMFuzzerTestOneInput on every file of the corpus directories (or files)
 * given, once each. Linked with every fuzz target in the ordinary test build
 * (gcc, ASan+UBSan, `make test`), so that every seed, and above all every
 * `regress-*` input a campaign once crashed on, is replayed on each change
 * by a compiler and a sanitizer runtime other than the fuzz build's; and in
 * the clang coverage build (`make fuzz-coverage`), where it produces the
 * profile without libFuzzer's own instrumentation.
 *
 *   replay_fuzz_NAME [-t SECONDS] DIR_OR_FILE...
 *
 * regress-* files run first, then the others in name order. After SECONDS
 * (default 30) the remaining seeds are skipped and the count is printed, so
 * that a corpus grown by a campaign cannot make `make test` slow; regress-*
 * files are never skipped. Exit 0 when every input ran (a crash or a
 * sanitizer report aborts the process), 2 when a path cannot be read.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "weerbaar/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

typedef struct input {
    char *path;
    int regress;
} input;

typedef struct list {
    input *v;
    size_t n, cap;
} list;

static int add(list *l, const char *dir, const char *name)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        input *v = realloc(l->v, cap * sizeof *v);
        if (v == NULL) return -1;
        l->v = v;
        l->cap = cap;
    }
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);
    if (p == NULL) return -1;
    snprintf(p, len, "%s%s%s", dir, dir[0] ? "/" : "", name);
    l->v[l->n].path = p;
    l->v[l->n].regress = strncmp(name, "regress-", 8) == 0;
    l->n++;
    return 0;
}

static int collect(list *l, const char *arg)
{
    struct stat st;
    if (stat(arg, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) return add(l, "", arg);
    DIR *d = opendir(arg);
    if (d == NULL) return -1;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        rc = add(l, arg, e->d_name);
    }
    closedir(d);
    return rc;
}

static int order(const void *a, const void *b)
{
    const input *x = a, *y = b;
    if (x->regress != y->regress) return y->regress - x->regress;
    return strcmp(x->path, y->path);
}

/* The whole file in a buffer of exactly its size, as libFuzzer passes it,
 * so that ASan sees a read one byte past the input. */
static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            uint8_t *b = realloc(buf, cap);
            if (b == NULL) break;
            buf = b;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    int bad = ferror(f) || (n == cap && !feof(f));
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    uint8_t *exact = malloc(n ? n : 1);
    if (exact == NULL) {
        free(buf);
        return NULL;
    }
    if (n) memcpy(exact, buf, n);
    free(buf);
    *size = n;
    return exact;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int64_t limit = 30;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "-t") == 0) {
        if (wb_parse_i64(argv[2], strlen(argv[2]), 1, 86400, &limit) != 0) {
            fprintf(stderr, "replay: -t: expected seconds\n");
            return 2;
        }
        first = 3;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [-t SECONDS] DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    list l = {0};
    for (int i = first; i < argc; i++)
        if (collect(&l, argv[i]) != 0) {
            fprintf(stderr, "replay: %s: cannot read\n", argv[i]);
            return 2;
        }
    if (l.n > 1) qsort(l.v, l.n, sizeof *l.v, order);
    double start = seconds();
    size_t ran = 0, regress = 0;
    int status = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (!l.v[i].regress && seconds() - start > (double)limit) break;
        size_t size = 0;
        uint8_t *data = slurp(l.v[i].path, &size);
        if (data == NULL) {
            fprintf(stderr, "replay: %s: cannot read\n", l.v[i].path);
            status = 2;
            continue;
        }
        LLVMFuzzerTestOneInput(data, size);
        free(data);
        ran++;
        regress += (size_t)l.v[i].regress;
    }
    printf("replayed %zu of %zu inputs (%zu regress-*) in %.1f s%s\n", ran, l.n, regress,
           seconds() - start, ran < l.n ? ": the rest skipped after the time limit" : "");
    for (size_t i = 0; i < l.n; i++)
        free(l.v[i].path);
    free(l.v);
    return status;
}
