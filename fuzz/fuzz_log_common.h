/*
 * fuzz_log_common.h - the body of every log reader fuzz target: detection
 * on the input, then the reader over the input cut into two blocks at a
 * newline (so state crosses a block boundary), with a scan that reads every
 * byte it is given and parses every timestamp, for ASan to check.
 *
 * A target defines FUZZ_LOG_FORMAT (the format's name) and includes this.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/logs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned fuzz_sink;

static void fuzz_touch(const char *p, size_t n)
{
    unsigned h = 0;
    for (size_t i = 0; i < n; i++)
        h = h * 31 + (unsigned char)p[i];
    fuzz_sink += h;
}

static void fuzz_ts(wb_scan *s)
{
    wb_time t;
    if (s->ts && s->ts_parse && s->ts_parse(s->ts, s->ts_len, &t) == 0) fuzz_sink += (unsigned)t;
}

static void fuzz_value(wb_scan *s, const char *field, size_t flen, const char *v, size_t n,
                       unsigned kinds)
{
    fuzz_touch(field, flen);
    fuzz_touch(v, n);
    fuzz_ts(s);
    if (!kinds || kinds > 0x7f) abort();
    /* As the matcher does on a record's hit: the record's context, which
     * the reader extracts from the record again. */
    if (s->ctx_fn) s->ctx_fn(s, s->ctx_rec);
}

static void fuzz_ip_port(wb_scan *s, const char *field, size_t flen, const char *ip, size_t n,
                         unsigned port)
{
    fuzz_touch(field, flen);
    fuzz_touch(ip, n);
    if (port > 65535) abort();
    (void)s;
}

static void fuzz_malformed(wb_scan *s, uint64_t line, const char *reason)
{
    (void)s;
    fuzz_sink += (unsigned)line;
    fuzz_touch(reason, strlen(reason));
}

static void fuzz_context(wb_scan *s, wb_ctx_key key, const char *v, size_t n)
{
    (void)s;
    if ((unsigned)key >= WB_CTX_COUNT || n == 0) abort();
    fuzz_touch(v, n);
}

static const wb_scan_ops fuzz_ops = {fuzz_value, fuzz_ip_port, fuzz_malformed, fuzz_context};

static void fuzz_block(const wb_logfmt *fmt, void **state, const char *p, size_t n)
{
    wb_scan s = {.ops = &fuzz_ops};
    void *next = NULL;
    /* Exact-size heap copy: ASan catches a read past the block's end. */
    char *copy = malloc(n ? n : 1);
    if (!copy) return;
    memcpy(copy, p, n);
    static const char *const only[] = {"a", "a.b"};
    wb_logopts opts = {only, 2};
    if (fmt->scan(*state, &next, &s, copy, n, (n & 1) ? &opts : NULL) == 0 && next) {
        fmt->state_free(*state);
        *state = next;
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const wb_logfmt *fmt = wb_logfmt_find(FUZZ_LOG_FORMAT);
    const char *p = (const char *)data;
    if (!fmt) abort();
    fuzz_sink += (unsigned)wb_logfmt_detect(p, size)->name[0];
    size_t cut = size / 2;
    while (cut > 0 && cut < size && p[cut - 1] != '\n')
        cut++;
    void *state = NULL;
    fuzz_block(fmt, &state, p, cut);
    if (cut < size) fuzz_block(fmt, &state, p + cut, size - cut);
    if (fmt->state_free) fmt->state_free(state);
    return 0;
}
