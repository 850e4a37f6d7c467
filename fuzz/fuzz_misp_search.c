/*
 * fuzz_misp_search.c - libFuzzer target: the body of MISP's restSearch
 * (wbi_misp_filter_parse: values, lists, tags with OR/AND/NOT and "!",
 * times and spans, dates, limit/page, returnFormat) and MISP's value match
 * (wbi_misp_value_match, '%' patterns and composite values) of each parsed
 * value against every string of the body.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "share/share_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void match_all(const wbi_misp_filter *f, const json_t *j, unsigned depth)
{
    if (depth > 8) return;
    if (json_is_string(j)) {
        wbi_misp_value_match(&f->value, json_string_value(j));
        return;
    }
    size_t i;
    const char *k;
    json_t *x;
    if (json_is_array(j)) json_array_foreach((json_t *)j, i, x) match_all(f, x, depth + 1);
    if (json_is_object(j)) json_object_foreach((json_t *)j, k, x) match_all(f, x, depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wbi_misp_filter f;
    wbi_problem prob;
    if (wbi_misp_filter_parse((const char *)data, size, 32, 1790000000, &f, &prob) == 0) {
        match_all(&f, f.root, 0);
        wbi_misp_value_match(&f.value, "a|b");
    }
    wbi_misp_filter_free(&f);
    return 0;
}
