/*
 * fuzz_answers_xlsx.c - libFuzzer target: the XML of an XLSX answer sheet
 * (assess/xlsx.c). The input is a worksheet, optionally followed by a line
 * "--sst--" and the shared strings part; the zip around them is core/zip.c's
 * (fuzzed through the OSV loader), here the XML is what matters. What
 * converts must parse as answers CSV or fail with a message, never crash.
 * A whole input that starts like a zip archive is also read as a workbook.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "assess/assess_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *find(const char *h, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(h + i, needle, k) == 0) return h + i;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20)) return 0;
    const char *s = (const char *)data;
    const char *sep = find(s, size, "\n--sst--\n");
    size_t slen = sep ? (size_t)(sep - s) : size;
    const char *sst = sep ? sep + 9 : NULL;
    size_t sstlen = sep ? size - slen - 9 : 0;
    wb_buf csv = {0};
    wb_error err = {0};
    if (wbi_assess_sheet_csv(s, slen, sst, sstlen, "fuzz.xlsx", &csv, &err) == 0) {
        wb_answers *a = NULL;
        if (wb_answers_parse_csv(csv.data ? csv.data : "", csv.len, "fuzz.xlsx", NULL, &a, &err) ==
            0)
            wb_answers_free(a);
    } else if (err.msg[0] == '\0') {
        abort(); /* a failure always says why */
    }
    wb_buf_free(&csv);
    wb_answers *a = NULL;
    if (wb_answers_parse(s, size, "fuzz.xlsx", NULL, &a, &err) == 0) wb_answers_free(a);
    return 0;
}
