/*
 * fuzz_board_html.c - libFuzzer target: the board report's HTML page with
 * every text (organisation, titles, names, owners, attribution) taken from
 * the input. Whatever the bytes, they must not add markup: the page has as
 * many '<' as the same page with plain names.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count_lt(const wb_buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->len; i++)
        n += b->data[i] == '<';
    return n;
}

static int page(const char *text, wb_buf *out)
{
    wb_board_principle pr[5];
    wb_board_item items[6];
    wb_board_incident inc[5];
    memset(inc, 0, sizeof inc);
    for (int i = 0; i < 5; i++) {
        pr[i] = (wb_board_principle){
            .title = text,
            .current = {.value = i, .has_value = true, .answered = 1, .assessable = 2}};
        inc[i] = (wb_board_incident){.id = i + 1, .title = text, .status = text};
        inc[i].has[WB_STAGE_EARLY_WARNING] = true;
        inc[i].state[WB_STAGE_EARLY_WARNING] = WB_DEADLINE_LATE;
    }
    for (int i = 0; i < 6; i++)
        items[i] = (wb_board_item){.ref = text, .name = text, .owner = text, .due = WB_TIME_NONE};
    wb_board b = {.lang = "nl",
                  .organisation = text,
                  .scope = text,
                  .catalogue = text,
                  .catalogue_title = text,
                  .assessment = text,
                  .target = 3,
                  .principles = pr,
                  .nprinciples = 5,
                  .ngaps = 6,
                  .gaps = items,
                  .ngaps_shown = 6,
                  .overdue = items,
                  .noverdue = 6,
                  .has_incidents = true,
                  .incidents = inc,
                  .nincidents = 5,
                  .year = 2026,
                  .attribution = text,
                  .principles_attribution = text};
    return wb_board_html(&b, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *text = malloc(size + 1);
    if (text == NULL) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    wb_buf a = {0}, b = {0};
    if (page(text, &a) == 0 && page("x", &b) == 0 && count_lt(&a) != count_lt(&b)) abort();
    wb_buf_free(&a);
    wb_buf_free(&b);
    free(text);
    return 0;
}
