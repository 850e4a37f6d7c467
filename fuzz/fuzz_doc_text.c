/*
 * fuzz_doc_text.c - libFuzzer target: the page layer's text handling (UTF-8
 * cleaning, word wrapping, cutting words wider than a line, the ellipsis,
 * table cells, page breaks) on any bytes. The document must always close
 * cleanly, or report that it needed more pages: never leave cairo in an
 * error state.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/report.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* cairo and fontconfig keep their font caches for the life of the process;
 * freed at exit so that the leak checker sees only leaks of ours. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    atexit(wb_report_cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384) return 0;
    char *text = malloc(size + 1);
    if (text == NULL) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    wb_doc *d;
    wb_error err = {0};
    if (wb_doc_open("/dev/null", WB_PAGE_PDF, 0, 3, text, &d, &err) != 0) {
        free(text);
        return 0;
    }
    static const double widths[] = {1, 2, 1};
    static const char *const head[] = {"a", "b", "c"};
    wb_doc_table tab = {3, widths, head, NULL, 3};
    const char *cells[] = {text, text, text};
    wb_doc_heading(d, text, 40);
    wb_doc_text(d, WB_STYLE_BODY, text, 0);
    wb_doc_text(d, WB_STYLE_STRONG, text, 2);
    wb_doc_table_head(d, &tab);
    wb_doc_table_row(d, &tab, cells);
    wb_doc_bar bar = {.label = text, .current = 2, .has_current = true, .note = text};
    wb_doc_chart chart = {&bar, 1, 5, text, text, text, 0, WB_CHART_DECIMAL};
    wb_doc_chart_draw(d, &chart);
    wb_doc_figure fig = {text, text, true};
    wb_doc_figures(d, &fig, 1);
    int rc = wb_doc_close(d, &err);
    if (rc != 0 && rc != WB_ELIMIT) abort();
    free(text);
    return 0;
}
