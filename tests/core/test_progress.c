/*
 * test_progress.c - the progress line (progress.h): its text with and
 * without a known size (percentage and time left only with one, and only
 * after half a second of work), units, the silent line that draws nothing, the
 * first drawing held back for quick work, and clearing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "weerbaar/progress.h"

static void test_format(void **state)
{
    (void)state;
    wb_progress p;
    char buf[160];
    wb_progress_start(&p, NULL, "advisories loaded", WB_PROGRESS_ITEMS);
    p.done = 4200;
    wb_progress_format(&p, 3, buf, sizeof buf);
    assert_string_equal(buf, "advisories loaded: 4200");
    p.total = 10000;
    wb_progress_format(&p, 0.4, buf, sizeof buf);
    assert_string_equal(buf, "advisories loaded:  42% 4200 of 10000");
    /* 42% in 42 s: 58 s to go. */
    wb_progress_format(&p, 42, buf, sizeof buf);
    assert_string_equal(buf, "advisories loaded:  42% 4200 of 10000, 58 s left");
    wb_progress_format(&p, 420, buf, sizeof buf);
    assert_string_equal(buf, "advisories loaded:  42% 4200 of 10000, 9 min 40 s left");
    p.done = 10000;
    wb_progress_format(&p, 420, buf, sizeof buf);
    assert_string_equal(buf, "advisories loaded: 100% 10000 of 10000");

    wb_progress_start(&p, NULL, "nvdcve.json.gz", WB_PROGRESS_BYTES);
    p.done = 1500000;
    p.total = 6000000;
    wb_progress_format(&p, 7200, buf, sizeof buf);
    assert_string_equal(buf, "nvdcve.json.gz:  25% 1.5 MB of 6.0 MB, 6 h 0 min left");
    p.total = 0;
    wb_progress_format(&p, 2, buf, sizeof buf);
    assert_string_equal(buf, "nvdcve.json.gz: 1.5 MB, 750.0 kB/s");
    wb_progress_format(&p, 0.2, buf, sizeof buf);
    assert_string_equal(buf, "nvdcve.json.gz: 1.5 MB");
    p.done = 2500000000u;
    wb_progress_format(&p, 0.2, buf, sizeof buf);
    assert_string_equal(buf, "nvdcve.json.gz: 2.50 GB");
    /* A count past its total (a source that under-announced): no percentage. */
    wb_progress_start(&p, NULL, "events", WB_PROGRESS_ITEMS);
    p.done = 12;
    p.total = 10;
    wb_progress_format(&p, 5, buf, sizeof buf);
    assert_string_equal(buf, "events: 12");
}

static void test_draw(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    wb_progress p;
    /* Silent: nothing, whatever is called. */
    wb_progress_start(&p, NULL, "x", WB_PROGRESS_ITEMS);
    p.start -= 10;
    wb_progress_update(&p, 5, 10);
    wb_progress_add(&p, 1000);
    wb_progress_end(&p);
    assert_int_equal(p.done, 1005);
    /* Quick work (under 0.5 s): nothing drawn, nothing to clear. */
    wb_progress_start(&p, f, "events pulled", WB_PROGRESS_ITEMS);
    wb_progress_update(&p, 5, 10);
    wb_progress_end(&p);
    fflush(f);
    assert_int_equal(len, 0);
    /* Longer work: drawn in place, then cleared. */
    wb_progress_start(&p, f, "events pulled", WB_PROGRESS_ITEMS);
    p.start -= 2;
    wb_progress_update(&p, 5, 10);
    fflush(f);
    assert_string_equal(text, "\rweerbaar: events pulled:  50% 5 of 10, 2 s left");
    /* Within 0.25 s of the last drawing: not drawn again. */
    wb_progress_update(&p, 6, 10);
    fflush(f);
    assert_null(strstr(text, "6 of 10"));
    wb_progress_end(&p);
    fflush(f);
    assert_non_null(strstr(text, "left\r "));
    assert_int_equal(text[len - 1], '\r');
    fclose(f);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_draw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
