/*
 * suite.h - helpers shared by the tests in tests/vuln/ that run the public
 * vers and purl test suites from ../shared/testdata: loading a suite file
 * and keeping the list of cases a test skipped, with the reason, so that
 * every run prints what it did not check.
 */
#ifndef WB_TESTS_VULN_SUITE_H
#define WB_TESTS_VULN_SUITE_H

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define SUITE_VERS WB_SHARED_DIR "/testdata/vers/"
#define SUITE_PURL WB_SHARED_DIR "/testdata/purl/tests/"

/* Loads a suite and returns its "tests" array (owned by *root). */
static inline json_t *suite_load(const char *path, json_t **root)
{
    json_error_t je;
    *root = json_load_file(path, 0, &je);
    if (!*root) {
        fprintf(stderr, "%s:%d: %s\n", path, je.line, je.text);
        return NULL;
    }
    json_t *tests = json_object_get(*root, "tests");
    return json_is_array(tests) ? tests : NULL;
}

typedef struct suite_tally {
    int run, failed, skipped;
    char skips[4096]; /* reasons, one a line, each counted once */
} suite_tally;

static inline void suite_skip(suite_tally *t, const char *reason)
{
    t->skipped++;
    size_t len = strlen(t->skips);
    if (!strstr(t->skips, reason))
        snprintf(t->skips + len, sizeof t->skips - len, "  %s\n", reason);
}

static inline void suite_report(const char *name, const suite_tally *t)
{
    printf("%s: %d cases run, %d failed, %d skipped\n", name, t->run, t->failed, t->skipped);
    if (t->skipped) printf("skipped, and why:\n%s", t->skips);
}

#endif
