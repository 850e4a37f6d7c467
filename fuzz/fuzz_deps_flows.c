/*
 * fuzz_deps_flows.c - libFuzzer target: the flow readers of `deps map`
 * (detection, Zeek TSV, Zeek JSON / EVE, CSV) feeding a real map, the input
 * split into two blocks at a point the first byte chooses (the header state
 * carried between blocks), then the report rendered in every format.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "weerbaar/deps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const fmts[] = {NULL, "zeek", "eve", "csv"};
    const char *buf = (const char *)data;
    size_t cut = size ? (size_t)data[0] * size / 256 : 0;
    /* blocks are whole lines: cut after a newline */
    while (cut < size && buf[cut] != '\n')
        cut++;
    if (cut < size) cut++;
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        wb_error err = {0};
        wb_deps_map *m;
        wb_deps_reader *rd;
        if (wb_deps_map_new(&m, NULL, NULL, &err) != 0) return 0;
        if (wb_deps_reader_new(&rd, fmts[i], "fuzz", &err) != 0) {
            wb_deps_map_free(m);
            return 0;
        }
        wb_deps_sink sink = wb_deps_map_sink(m);
        if (wb_deps_reader_block(rd, buf, cut, &sink, &err) == 0)
            (void)wb_deps_reader_block(rd, buf + cut, size - cut, &sink, &err);
        wb_deps_report *r;
        if (wb_deps_report_build(&r, m, NULL, NULL, NULL, NULL, &err) == 0) {
            static const char *const out[] = {"table", "json", "csv", "dot", "svg", "html"};
            for (size_t k = 0; k < 6; k++) {
                wb_buf b = {0};
                (void)wb_deps_report_write(r, out[k], &b, &err);
                wb_buf_free(&b);
            }
            wb_deps_report_free(r);
        }
        wb_deps_reader_free(rd);
        wb_deps_map_free(m);
    }
    return 0;
}
