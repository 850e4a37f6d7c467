/*
 * test_core.c - arena, buffers, checked numbers, time parsing/formatting and
 * the block reader over plain, gzip, zstd, truncated and growing files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "weerbaar/core.h"
#include "weerbaar/io.h"

static void test_parse_i64(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(wb_parse_i64("123", 3, 0, 1000, &v), 0);
    assert_int_equal(v, 123);
    assert_int_equal(wb_parse_i64("-5", 2, -10, 10, &v), 0);
    assert_int_equal(v, -5);
    assert_int_equal(wb_parse_i64("9223372036854775807", 19, INT64_MIN, INT64_MAX, &v), 0);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(wb_parse_i64("-9223372036854775808", 20, INT64_MIN, INT64_MAX, &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(wb_parse_i64("9223372036854775808", 19, INT64_MIN, INT64_MAX, &v), WB_EINVAL);
    assert_int_equal(wb_parse_i64("12a", 3, 0, 1000, &v), WB_EINVAL);
    assert_int_equal(wb_parse_i64("", 0, 0, 1000, &v), WB_EINVAL);
    assert_int_equal(wb_parse_i64("-", 1, -10, 1000, &v), WB_EINVAL);
    assert_int_equal(wb_parse_i64("1001", 4, 0, 1000, &v), WB_EINVAL);
}

static wb_time T(const char *s)
{
    wb_time t = 0;
    assert_int_equal(wb_time_parse(s, strlen(s), &t), 0);
    return t;
}

static void test_time(void **state)
{
    (void)state;
    char buf[40];
    assert_true(T("1970-01-01T00:00:00Z") == 0);
    assert_true(T("2026-05-01T10:00:00+02:00") == T("2026-05-01T08:00:00Z"));
    assert_true(T("2009-11-24T21:27:09.534255+0100") == T("2009-11-24T20:27:09.534255Z"));
    assert_true(T("2024-02-29") == T("2024-02-29T00:00:00Z"));
    assert_true(T("2024-02-29 12:00:00") == T("2024-02-29T12:00:00Z"));
    wb_time t;
    assert_int_equal(wb_time_parse("2023-02-29", 10, &t), WB_EINVAL);
    assert_int_equal(wb_time_parse("2023-13-01", 10, &t), WB_EINVAL);
    assert_int_equal(wb_time_parse("2023-01-01T25:00:00Z", 20, &t), WB_EINVAL);
    assert_int_equal(wb_time_parse("2023-01-01T10:00:00X", 20, &t), WB_EINVAL);
    assert_int_equal(wb_time_parse("yesterday", 9, &t), WB_EINVAL);
    wb_time_format(T("2026-05-02T08:00:00Z"), buf, sizeof buf);
    assert_string_equal(buf, "2026-05-02T08:00:00Z");
    wb_time_format(T("1999-12-31T23:59:59.5Z"), buf, sizeof buf);
    assert_string_equal(buf, "1999-12-31T23:59:59.500000Z");
    assert_int_equal(wb_time_parse_epoch("1790000000.000000", 17, &t), 0);
    wb_time_format(t, buf, sizeof buf);
    assert_string_equal(buf, "2026-09-21T14:13:20Z");
    assert_int_equal(wb_time_parse_epoch("XXXXXXXXXX.XXXXXX", 17, &t), WB_EINVAL);
    assert_int_equal(wb_time_parse_epoch("1.", 2, &t), WB_EINVAL);
    wb_time_format(-1, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999999Z");
    /* calendar months in UTC: clamped days, leap years, before 1970 */
    assert_true(wb_time_add_months(T("2024-01-31T10:00:00Z"), 1) == T("2024-02-29T10:00:00Z"));
    assert_true(wb_time_add_months(T("2023-01-31T10:00:00Z"), 1) == T("2023-02-28T10:00:00Z"));
    assert_true(wb_time_add_months(T("2026-01-15"), -1) == T("2025-12-15"));
    assert_true(wb_time_add_months(T("2026-03-01"), -13) == T("2025-02-01"));
    assert_true(wb_time_add_months(T("1969-12-31T23:00:00Z"), 2) == T("1970-02-28T23:00:00Z"));
    assert_true(wb_time_month_start(T("2026-12-31T23:59:59Z")) == T("2026-12-01"));
    assert_true(wb_time_month_start(-1) == T("1969-12-01"));
    assert_true(wb_time_day(-1) == -1 && wb_time_day(T("1970-01-02")) == 1);
    wb_time_format_month(T("2026-02-28T23:59:59Z"), buf, sizeof buf);
    assert_string_equal(buf, "2026-02");
    wb_time_format_month(-1, buf, sizeof buf);
    assert_string_equal(buf, "1969-12");
}

/* Times from input are held to years 0000-9999 before any arithmetic
 * (issue 21: a feed timestamp of INT64_MAX seconds overflowed on its way to
 * microseconds). Each edge, and one step past it, through every reader. */
static void test_time_range(void **state)
{
    (void)state;
    char buf[40];
    wb_time t = 7;
    assert_int_equal(wb_time_from_unix(WB_UNIX_SECS_MAX, &t), 0);
    wb_time_format(t, buf, sizeof buf);
    assert_string_equal(buf, "9999-12-31T23:59:59Z");
    assert_int_equal(wb_time_from_unix(WB_UNIX_SECS_MIN, &t), 0);
    wb_time_format(t, buf, sizeof buf);
    assert_string_equal(buf, "0000-01-01T00:00:00Z");
    t = 7;
    assert_int_equal(wb_time_from_unix(WB_UNIX_SECS_MAX + 1, &t), WB_EINVAL);
    assert_int_equal(wb_time_from_unix(WB_UNIX_SECS_MIN - 1, &t), WB_EINVAL);
    assert_int_equal(wb_time_from_unix(INT64_MAX, &t), WB_EINVAL);
    assert_int_equal(wb_time_from_unix(INT64_MIN, &t), WB_EINVAL);
    assert_int_equal(t, 7);
    assert_true(wb_time_in_range(WB_UNIX_SECS_MAX * 1000000 + 999999));
    assert_false(wb_time_in_range(WB_UNIX_SECS_MAX * 1000000 + 1000000));
    assert_false(wb_time_in_range(WB_TIME_NONE));
    assert_int_equal(wb_time_parse_epoch("253402300799.999999", 19, &t), 0);
    assert_int_equal(wb_time_parse_epoch("253402300800", 12, &t), WB_EINVAL);
    assert_int_equal(wb_time_parse_epoch("9999999999999", 13, &t), WB_EINVAL);
    assert_int_equal(wb_time_parse_epoch("9223372036854775807", 19, &t), WB_EINVAL);
    assert_int_equal(wb_time_parse("9999-12-31T23:59:59.999999Z", 27, &t), 0);
    assert_int_equal(wb_time_parse("9999-12-31T23:59:59-01:00", 25, &t), WB_EINVAL);
    assert_int_equal(wb_time_parse("0000-01-01T00:00:00Z", 20, &t), 0);
    assert_int_equal(wb_time_parse("0000-01-01T00:00:00+01:00", 25, &t), WB_EINVAL);
}

static void test_buf_arena(void **state)
{
    (void)state;
    wb_buf b = {0};
    for (int i = 0; i < 1000; i++)
        assert_int_equal(wb_buf_printf(&b, "%d,", i), 0);
    assert_int_equal(strncmp(b.data, "0,1,2,", 6), 0);
    assert_int_equal(b.data[b.len], '\0');
    wb_buf_reset(&b);
    assert_int_equal(b.len, 0);
    wb_buf_free(&b);
    wb_buf_free(&b); /* freeing twice is safe */
    wb_arena a;
    wb_arena_init(&a, 128);
    char *big = wb_arena_alloc(&a, 10000);
    assert_non_null(big);
    memset(big, 'x', 10000);
    char *s = wb_arena_strdup(&a, "hello");
    assert_string_equal(s, "hello");
    assert_true(((uintptr_t)wb_arena_alloc(&a, 3) & 7) == 0);
    assert_null(wb_arena_alloc(&a, SIZE_MAX));
    wb_arena_free(&a);
    wb_arena_free(&a);
}

static char tmpdir[] = "/tmp/wbtest-core-XXXXXX";

static void write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

/* Reads a whole file through blocks, checking every block ends at a newline
 * except possibly the last. */
static int read_all(const char *path, size_t block, wb_buf *out, wb_error *err)
{
    wb_input_opts o = {.block_size = block};
    wb_input *in;
    int rc = wb_input_open(&in, path, &o, err);
    if (rc) return rc;
    wb_block b;
    while ((rc = wb_input_next(in, &b, err)) == 1) {
        assert_true(b.len > 0);
        wb_buf_append(out, b.data, b.len);
        wb_block_free(&b);
    }
    wb_input_close(in);
    return rc;
}

static void test_io(void **state)
{
    (void)state;
    char path[256], cmd[1200];
    wb_buf want = {0};
    for (int i = 0; i < 5000; i++)
        wb_buf_printf(&want, "line %d %s\n", i, i % 7 ? "x" : "a longer line with more text");
    wb_buf_puts(&want, "last line without newline");
    snprintf(path, sizeof path, "%s/plain.log", tmpdir);
    write_file(path, want.data, want.len);
    snprintf(cmd, sizeof cmd, "gzip -kf %s && zstd -qf %s -o %s.zst", path, path, path);
    assert_int_equal(system(cmd), 0);
    const char *suffix[] = {"", ".gz", ".zst"};
    for (int k = 0; k < 3; k++) {
        char p[300];
        snprintf(p, sizeof p, "%s%s", path, suffix[k]);
        for (size_t block = 64; block <= 1 << 20; block *= 32) {
            wb_buf got = {0};
            wb_error err;
            assert_int_equal(read_all(p, block, &got, &err), 0);
            assert_int_equal(got.len, want.len);
            assert_memory_equal(got.data, want.data, want.len);
            wb_buf_free(&got);
        }
    }
    /* Truncated gzip: an error naming the file, not silent data loss. */
    char trunc[300];
    snprintf(trunc, sizeof trunc, "%s/trunc.gz", tmpdir);
    snprintf(cmd, sizeof cmd, "head -c 2000 %s.gz > %s", path, trunc);
    assert_int_equal(system(cmd), 0);
    wb_buf got = {0};
    wb_error err;
    assert_int_equal(read_all(trunc, 4096, &got, &err), WB_EIO);
    assert_non_null(strstr(err.msg, "trunc.gz"));
    assert_non_null(strstr(err.msg, "truncated"));
    wb_buf_free(&got);
    /* Truncated zstd likewise. */
    snprintf(trunc, sizeof trunc, "%s/trunc.zst", tmpdir);
    snprintf(cmd, sizeof cmd, "head -c 2000 %s.zst > %s", path, trunc);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(read_all(trunc, 4096, &got, &err), WB_EIO);
    assert_non_null(strstr(err.msg, "truncated zstd"));
    wb_buf_free(&got);
    /* Missing file. */
    assert_int_equal(read_all("/nonexistent/x.log", 4096, &got, &err), WB_ENOTFOUND);
    assert_non_null(strstr(err.msg, "/nonexistent/x.log"));
    /* Concatenated gzip members are one stream. */
    char cat[300];
    snprintf(cat, sizeof cat, "%s/cat.gz", tmpdir);
    snprintf(cmd, sizeof cmd, "(printf 'a\\n' | gzip; printf 'b\\n' | gzip) > %s", cat);
    assert_int_equal(system(cmd), 0);
    char *data;
    size_t n;
    assert_int_equal(wb_read_file(cat, 100, &data, &n, &err), 0);
    assert_string_equal(data, "a\nb\n");
    free(data);
    assert_int_equal(wb_read_file(cat, 3, &data, &n, &err), WB_ELIMIT);
    /* An empty file has no blocks. */
    snprintf(cat, sizeof cat, "%s/empty", tmpdir);
    write_file(cat, "", 0);
    assert_int_equal(read_all(cat, 4096, &got, &err), 0);
    assert_int_equal(got.len, 0);
    wb_buf_free(&want);
}

static void test_follow(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/grow.log", tmpdir);
    write_file(path, "one\ntw", 6);
    wb_input_opts o = {.follow = true};
    wb_input *in;
    wb_error err;
    assert_int_equal(wb_input_open(&in, path, &o, &err), 0);
    wb_block b;
    assert_int_equal(wb_input_next(in, &b, &err), 1);
    assert_int_equal(b.len, 4); /* the partial "tw" waits for its newline */
    wb_block_free(&b);
    assert_int_equal(wb_input_next(in, &b, &err), 0);
    FILE *f = fopen(path, "ab");
    fputs("o\nthree\n", f);
    fclose(f);
    assert_int_equal(wb_input_next(in, &b, &err), 1);
    assert_int_equal(b.len, 10);
    assert_memory_equal(b.data, "two\nthree\n", 10);
    wb_block_free(&b);
    /* Rotation: the file is replaced; reading starts over in the new one. */
    char rotated[300];
    snprintf(rotated, sizeof rotated, "%s.1", path);
    assert_int_equal(rename(path, rotated), 0);
    write_file(path, "new\n", 4);
    int r = wb_input_next(in, &b, &err); /* the reader notices at EOF */
    if (r == 0) r = wb_input_next(in, &b, &err);
    assert_int_equal(r, 1);
    assert_true(wb_input_reopened(in));
    assert_memory_equal(b.data, "new\n", 4);
    wb_block_free(&b);
    wb_input_close(in);
}

/* A log truncated while it is read (logrotate's copytruncate) ends the
 * read early; it must not kill the process (it would under a mapping). */
static void test_truncated_while_reading(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/trunc-live.log", tmpdir);
    wb_buf big = {0};
    for (int i = 0; i < 200000; i++)
        wb_buf_printf(&big, "line %d\n", i);
    write_file(path, big.data, big.len);
    wb_input_opts o = {.block_size = 4096};
    wb_input *in;
    wb_error err;
    assert_int_equal(wb_input_open(&in, path, &o, &err), 0);
    wb_block b;
    assert_int_equal(wb_input_next(in, &b, &err), 1);
    wb_block_free(&b);
    assert_int_equal(truncate(path, 0), 0);
    int rc;
    size_t blocks = 0;
    while ((rc = wb_input_next(in, &b, &err)) == 1) {
        assert_true(b.len > 0);
        wb_block_free(&b);
        blocks++;
    }
    assert_int_equal(rc, 0);
    assert_true(blocks < 100); /* what was buffered, then the end */
    wb_input_close(in);
    wb_buf_free(&big);
}

/* A file large enough to be memory-mapped (src/core/io.c), truncated while
 * a block of the mapping is held: reading the block gives zero bytes
 * instead of SIGBUS killing the process, and the reader reports the
 * truncation once, naming the file. */
static void test_truncated_while_mapped(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/trunc-mapped.log", tmpdir);
    wb_buf big = {0};
    for (int i = 0; big.len < ((size_t)12 << 20); i++)
        wb_buf_printf(&big, "line %d of a log that logrotate will cut\n", i);
    write_file(path, big.data, big.len);
    wb_input_opts o = {.block_size = (size_t)1 << 20};
    wb_input *in;
    wb_error err;
    assert_int_equal(wb_input_open(&in, path, &o, &err), 0);
    wb_block b, held;
    assert_int_equal(wb_input_next(in, &b, &err), 1);
    assert_non_null(b.map); /* mapped, not read */
    assert_memory_equal(b.data, big.data, b.len);
    wb_block_free(&b);
    assert_int_equal(wb_input_next(in, &held, &err), 1);
    assert_int_equal(truncate(path, 0), 0);
    unsigned long sum = 0;
    for (size_t k = 0; k < held.len; k++)
        sum += (unsigned char)held.data[k];
    assert_int_equal(sum, 0); /* the vanished pages read as zeros */
    int rc;
    while ((rc = wb_input_next(in, &b, &err)) == 1)
        wb_block_free(&b);
    assert_int_equal(rc, WB_EIO); /* reported once, naming the file */
    assert_non_null(strstr(err.msg, "trunc-mapped.log: the file was truncated while it was read"));
    assert_int_equal(wb_input_next(in, &b, &err), 0);
    wb_input_close(in);
    wb_block_free(&held); /* the mapping outlives the input until here */
    /* Untouched, the whole file arrives, in blocks that end at line ends. */
    write_file(path, big.data, big.len);
    assert_int_equal(wb_input_open(&in, path, &o, &err), 0);
    size_t n = 0;
    while ((rc = wb_input_next(in, &b, &err)) == 1) {
        assert_memory_equal(b.data, big.data + n, b.len);
        assert_int_equal(b.data[b.len - 1], '\n');
        n += b.len;
        wb_block_free(&b);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, big.len);
    wb_input_close(in);
    wb_buf_free(&big);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_i64),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_time_range),
        cmocka_unit_test(test_buf_arena),
        cmocka_unit_test(test_io),
        cmocka_unit_test(test_follow),
        cmocka_unit_test(test_truncated_while_reading),
        cmocka_unit_test(test_truncated_while_mapped),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
