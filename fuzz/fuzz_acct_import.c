/*
 * fuzz_acct_import.c - libFuzzer target: the parser of `admin import`
 * files (src/accounts/import.c, CSV with a header line or JSON). Every row
 * it returns must name an organisation within the name bound; problems
 * are counted, never fatal; parsing must not read past the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/accounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_problem(void *ud, const char *msg)
{
    if (msg == NULL || msg[0] == '\0') abort();
    (*(size_t *)ud)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes, so ASan sees any read past the end */
    char *text = malloc(size ? size : 1);
    if (text == NULL) return 0;
    if (size) memcpy(text, data, size);
    wb_acct_import *im = NULL;
    wb_error err;
    size_t reported = 0;
    int rc = wb_acct_import_parse("fuzz.csv", text, size, &im, on_problem, &reported, &err);
    if (rc == 0) {
        if (im == NULL) abort();
        /* at most 50 are reported; all are counted */
        size_t n = wb_acct_import_problems(im);
        if (reported > n || (n > 0 && reported == 0)) abort();
    } else if (im != NULL || (rc != WB_ENOMEM && rc != WB_ELIMIT)) {
        abort();
    }
    wb_acct_import_free(im);
    free(text);
    return 0;
}
