/*
 * fuzz_freerange.c - libFuzzer target: the free-text CSAF range reader
 * (src/vuln/freerange.c); whatever it reads must be a range that vers
 * accepts for the generic scheme, or the CSAF reader would report a
 * readable range as unreadable.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/vulndata.h"
#include "weerbaar/vers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *s = malloc(size + 1);
    if (s == NULL) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    wb_buf b = {0};
    if (wbi_free_range(s, &b) == 0) {
        wb_vers *v = NULL;
        wb_error err;
        if (wb_vers_parse_for("generic", b.data, b.len, &v, &err) == 0) {
            bool in;
            wb_vers_contains(v, "1.2.3", &in, &err);
        }
        wb_vers_free(v);
    }
    wb_buf_free(&b);
    free(s);
    return 0;
}
