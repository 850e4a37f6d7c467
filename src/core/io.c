/*
 * io.c - line-block input over files, pipes and compressed streams (zlib for
 * gzip, libzstd for zstd), with tail -f style following.
 *
 * Compressed data, pipes and followed files take one streaming path: data
 * is decoded (or, when plain, read straight) into a block buffer, and a
 * partial last line is carried into the next block.
 *
 * A plain regular file of at least WB_MAP_MIN bytes that is not followed is
 * memory-mapped instead and its blocks point into the mapping: the copy
 * read() makes was a sixth of a whole `match` run on a Zeek log. A log that
 * is truncated while it is mapped (logrotate's copytruncate) must not kill
 * the process with SIGBUS, so a SIGBUS handler replaces the vanished pages
 * of a registered mapping with zero pages and flags it; the reader then
 * reports the file as truncated while it was read (an error naming it), and
 * a block already being scanned sees zero bytes (malformed lines), not a
 * crash. Each block
 * holds a reference on its mapping, so it stays valid after the input is
 * closed until the last block is freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "weerbaar/io.h"

#define WB_DEFAULT_BLOCK (4u << 20)
#define WB_DEFAULT_MAX_LINE (64u << 20)
#define WB_INBUF (256u << 10)
/* Smaller files are read: a mapping and its page faults cost more there. */
#define WB_MAP_MIN (8u << 20)
#define WB_MAP_SLOTS 64

/* A mapped file, shared by the input and its blocks. */
struct wb_map {
    char *base;
    size_t len;
    atomic_int refs;
    int slot; /* index into map_slots, -1 when not registered */
};

/* The mappings the SIGBUS handler may repair, lock-free: the handler can
 * run in any thread at any time. */
static struct {
    _Atomic(uintptr_t) base;
    _Atomic(size_t) len;
    atomic_int hit;
} map_slots[WB_MAP_SLOTS];
static pthread_once_t sigbus_once = PTHREAD_ONCE_INIT;
static bool sigbus_ok;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    uintptr_t a = (uintptr_t)si->si_addr;
    for (int i = 0; i < WB_MAP_SLOTS; i++) {
        uintptr_t base = atomic_load(&map_slots[i].base);
        size_t len = atomic_load(&map_slots[i].len);
        if (base == 0 || a < base || a >= base + len) continue;
        /* The file shrank under the mapping: zero pages from here to the
         * mapping's end, and the faulting read resumes on them. */
        uintptr_t page = a & ~(uintptr_t)(sysconf(_SC_PAGESIZE) - 1);
        if (mmap((void *)page, base + len - page, PROT_READ,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
            atomic_store(&map_slots[i].hit, 1);
            return;
        }
        break;
    }
    /* Not ours, or not repairable: die of it as without a handler. */
    signal(sig, SIG_DFL);
    raise(sig);
}

static void sigbus_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigbus_ok = sigaction(SIGBUS, &sa, NULL) == 0;
}

static void map_unref(struct wb_map *m)
{
    if (m == NULL || atomic_fetch_sub(&m->refs, 1) != 1) return;
    if (m->slot >= 0) {
        atomic_store(&map_slots[m->slot].len, 0);
        atomic_store(&map_slots[m->slot].base, 0);
    }
    munmap(m->base, m->len);
    free(m);
}

struct wb_input {
    char *path;
    int fd;
    bool is_stdin;
    bool follow;
    bool reopened;
    wb_compression comp;
    size_t block_size, max_line;
    /* streaming */
    unsigned char *inbuf;
    size_t in_len, in_off;
    bool src_eof;
    z_stream zs;
    bool zs_init, zs_ended;
    ZSTD_DStream *zd;
    size_t zd_last; /* last ZSTD_decompressStream hint: 0 at a frame end */
    char *carry;
    size_t carry_len, carry_cap;
    bool done;
    uint64_t bytes_in, bytes_out;
    dev_t dev;
    ino_t ino;
    /* a mapped file (see the top of this file) */
    struct wb_map *map;
    size_t map_pos;
};

static int io_err(wb_error *err, const char *path, int e)
{
    return wb_error_set(err, e == ENOENT ? WB_ENOTFOUND : WB_EIO, "%s: %s", path, strerror(e));
}

static int fill_raw(wb_input *in, wb_error *err)
{
    /* Moves unread input to the front and reads more. */
    if (in->in_off > 0) {
        memmove(in->inbuf, in->inbuf + in->in_off, in->in_len - in->in_off);
        in->in_len -= in->in_off;
        in->in_off = 0;
    }
    if (in->in_len == WB_INBUF) return 0;
    for (;;) {
        ssize_t r = read(in->fd, in->inbuf + in->in_len, WB_INBUF - in->in_len);
        if (r < 0) {
            if (errno == EINTR) continue;
            return io_err(err, in->path, errno);
        }
        if (r == 0) in->src_eof = true;
        in->in_len += (size_t)r;
        in->bytes_in += (uint64_t)r;
        return 0;
    }
}

static void detect(wb_input *in)
{
    const unsigned char *p = in->inbuf;
    if (in->in_len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        in->comp = WB_COMP_GZIP;
    else if (in->in_len >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        in->comp = WB_COMP_ZSTD;
    else
        in->comp = WB_COMP_NONE;
}

static int start_decoder(wb_input *in, wb_error *err)
{
    if (in->comp == WB_COMP_GZIP) {
        memset(&in->zs, 0, sizeof in->zs);
        if (inflateInit2(&in->zs, 15 + 32) != Z_OK)
            return wb_error_set(err, WB_ENOMEM, "%s: cannot start gzip decoder", in->path);
        in->zs_init = true;
    } else if (in->comp == WB_COMP_ZSTD) {
        in->zd = ZSTD_createDStream();
        if (in->zd == NULL || ZSTD_isError(ZSTD_initDStream(in->zd)))
            return wb_error_set(err, WB_ENOMEM, "%s: cannot start zstd decoder", in->path);
        in->zd_last = 0;
    }
    return 0;
}

static void stop_decoder(wb_input *in)
{
    if (in->zs_init) inflateEnd(&in->zs);
    in->zs_init = false;
    ZSTD_freeDStream(in->zd);
    in->zd = NULL;
}

/* A read-only mapping of size bytes of fd, registered with the SIGBUS
 * guard; NULL when the guard is not in place, every slot is taken or mmap
 * fails (the caller reads the file instead). */
static struct wb_map *map_guarded(int fd, size_t size)
{
    pthread_once(&sigbus_once, sigbus_install);
    if (!sigbus_ok || size == 0) return NULL;
    struct wb_map *m = calloc(1, sizeof *m);
    if (m == NULL) return NULL;
    void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
        free(m);
        return NULL;
    }
    m->base = p;
    m->len = size;
    m->slot = -1;
    atomic_init(&m->refs, 1);
    for (int i = 0; i < WB_MAP_SLOTS && m->slot < 0; i++) {
        uintptr_t zero = 0;
        if (atomic_compare_exchange_strong(&map_slots[i].base, &zero, (uintptr_t)p)) {
            atomic_store(&map_slots[i].hit, 0);
            atomic_store(&map_slots[i].len, size);
            m->slot = i;
        }
    }
    if (m->slot < 0) { /* every slot taken: no guard, so no mapping */
        munmap(p, size);
        free(m);
        return NULL;
    }
    return m;
}

struct wb_map *wb_map_open(int fd, size_t size)
{
    return map_guarded(fd, size);
}

const char *wb_map_data(const struct wb_map *m)
{
    return m->base;
}

bool wb_map_shrank(const struct wb_map *m, int fd)
{
    struct stat st;
    return atomic_load(&map_slots[m->slot].hit) ||
           (fstat(fd, &st) == 0 && (uint64_t)st.st_size < (uint64_t)m->len);
}

void wb_map_close(struct wb_map *m)
{
    map_unref(m);
}

/* Maps the whole file when the SIGBUS guard is in place and a slot is
 * free; otherwise the input simply stays on the read() path. */
static void try_map(wb_input *in, size_t size)
{
    struct wb_map *m = map_guarded(in->fd, size);
    if (m == NULL) return;
    madvise(m->base, size, MADV_SEQUENTIAL);
    in->map = m;
    in->map_pos = 0;
    in->bytes_in = size;
}

/* Whether the mapped file lost pages under the mapping (the SIGBUS guard
 * fired) or is now shorter than the mapping. */
static bool mapped_shrank(wb_input *in, const struct wb_map *m, struct stat *st)
{
    return atomic_load(&map_slots[m->slot].hit) ||
           (fstat(in->fd, st) == 0 && (uint64_t)st->st_size < (uint64_t)m->len);
}

/* A file truncated under the mapping (logrotate's copytruncate): the rest
 * is gone. Reported once, as an error naming the file, because lines of it
 * already handed out may have read as zero bytes (see the top). */
static int map_truncated(wb_input *in, wb_error *err)
{
    size_t at = in->map_pos;
    in->map_pos = in->map->len;
    in->done = true;
    return wb_error_set(err, WB_EIO,
                        "%s: the file was truncated while it was read (log rotation?); "
                        "nothing after byte %zu was read",
                        in->path, at);
}

/* The next block of a mapped file: whole lines pointing into the mapping,
 * except a last line without a newline, which is copied so that the block
 * ends in a NUL as every other does. */
static int next_mapped(wb_input *in, wb_block *b, wb_error *err)
{
    struct wb_map *m = in->map;
    struct stat st;
    if (in->map_pos < m->len && mapped_shrank(in, m, &st)) return map_truncated(in, err);
    size_t pos = in->map_pos, len = m->len;
    if (pos >= len) {
        in->done = true;
        return 0;
    }
    const char *base = m->base;
    size_t end = len - pos > in->block_size ? pos + in->block_size : len;
    if (end < len) {
        const char *nl = memrchr(base + pos, '\n', end - pos);
        if (nl) {
            end = (size_t)(nl - base) + 1;
        } else {
            size_t lim = len - pos > in->max_line ? pos + in->max_line : len;
            nl = memchr(base + end, '\n', lim - end);
            if (nl)
                end = (size_t)(nl - base) + 1;
            else if (atomic_load(&map_slots[m->slot].hit))
                return map_truncated(in, err);
            else if (lim < len)
                return wb_error_set(err, WB_ELIMIT, "%s: a line is longer than %zu bytes", in->path,
                                    in->max_line);
            else
                end = len;
        }
    }
    /* Zero pages from a truncation can make the cut above wrong: check
     * again now that the block's bytes have been touched. */
    if (atomic_load(&map_slots[m->slot].hit)) return map_truncated(in, err);
    in->map_pos = end;
    in->bytes_out += end - pos;
    if (base[end - 1] != '\n') { /* the file's last line has no newline */
        char *buf = malloc(end - pos + 1);
        if (buf == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
        memcpy(buf, base + pos, end - pos);
        buf[end - pos] = '\0';
        b->data = buf;
        b->owned = buf;
    } else {
        b->data = base + pos;
        atomic_fetch_add(&m->refs, 1);
        b->map = m;
    }
    b->len = end - pos;
    return 1;
}

/* Opens the file and either maps it or prepares streaming. */
static int open_fd(wb_input *in, wb_error *err)
{
    struct stat st;
    if (in->is_stdin) {
        in->fd = STDIN_FILENO;
    } else {
        in->fd = open(in->path, O_RDONLY | O_CLOEXEC);
        if (in->fd < 0) return io_err(err, in->path, errno);
    }
    if (fstat(in->fd, &st) != 0) return io_err(err, in->path, errno);
    if (S_ISDIR(st.st_mode)) return wb_error_set(err, WB_EIO, "%s: is a directory", in->path);
    in->dev = st.st_dev;
    in->ino = st.st_ino;
    in->in_len = in->in_off = 0;
    in->src_eof = false;
    int rc = fill_raw(in, err);
    if (rc) return rc;
    detect(in);
    if (in->comp == WB_COMP_NONE && !in->is_stdin && !in->follow && S_ISREG(st.st_mode) &&
        st.st_size >= (off_t)WB_MAP_MIN && (uint64_t)st.st_size <= (uint64_t)SIZE_MAX)
        try_map(in, (size_t)st.st_size);
    return start_decoder(in, err);
}

int wb_input_open(wb_input **out, const char *path, const wb_input_opts *opts, wb_error *err)
{
    *out = NULL;
    wb_input *in = calloc(1, sizeof *in);
    if (in == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    in->fd = -1;
    in->is_stdin = strcmp(path, "-") == 0;
    in->path = strdup(in->is_stdin ? "(standard input)" : path);
    in->inbuf = malloc(WB_INBUF);
    in->block_size = opts && opts->block_size ? opts->block_size : WB_DEFAULT_BLOCK;
    in->max_line = opts && opts->max_line ? opts->max_line : WB_DEFAULT_MAX_LINE;
    in->follow = opts && opts->follow;
    if (in->path == NULL || in->inbuf == NULL) {
        wb_input_close(in);
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    int rc = open_fd(in, err);
    if (rc) {
        wb_input_close(in);
        return rc;
    }
    *out = in;
    return 0;
}

/* Decodes (or copies) into dst; returns bytes produced, 0 at end of data,
 * or a negative code. */
static ssize_t produce(wb_input *in, char *dst, size_t cap, wb_error *err)
{
    for (;;) {
        if (in->comp == WB_COMP_NONE && in->in_off == in->in_len && !in->src_eof) {
            /* Plain data: read straight into the block, one copy only. */
            for (;;) {
                ssize_t r = read(in->fd, dst, cap);
                if (r < 0 && errno == EINTR) continue;
                if (r < 0) return io_err(err, in->path, errno);
                if (r == 0) {
                    in->src_eof = true;
                    return 0;
                }
                in->bytes_in += (uint64_t)r;
                return r;
            }
        }
        if (in->in_off == in->in_len && !in->src_eof) {
            int rc = fill_raw(in, err);
            if (rc) return rc;
        }
        size_t avail = in->in_len - in->in_off;
        if (avail == 0 && in->src_eof) {
            if (in->comp == WB_COMP_GZIP && in->zs_init && !in->zs_ended)
                return wb_error_set(err, WB_EIO, "%s: truncated gzip data", in->path);
            if (in->comp == WB_COMP_ZSTD && in->zd_last != 0)
                return wb_error_set(err, WB_EIO, "%s: truncated zstd data", in->path);
            return 0;
        }
        unsigned char *src = in->inbuf + in->in_off;
        if (in->comp == WB_COMP_NONE) {
            size_t n = avail < cap ? avail : cap;
            memcpy(dst, src, n);
            in->in_off += n;
            return (ssize_t)n;
        }
        if (in->comp == WB_COMP_GZIP) {
            if (in->zs_ended) {
                /* Another gzip member follows (concatenated .gz files). */
                if (inflateReset(&in->zs) != Z_OK)
                    return wb_error_set(err, WB_EIO, "%s: corrupt gzip data", in->path);
                in->zs_ended = false;
            }
            in->zs.next_in = src;
            in->zs.avail_in = (uInt)(avail > UINT32_MAX ? UINT32_MAX : avail);
            in->zs.next_out = (unsigned char *)dst;
            in->zs.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
            int zr = inflate(&in->zs, Z_NO_FLUSH);
            size_t used = avail - in->zs.avail_in;
            size_t made = cap - in->zs.avail_out;
            in->in_off += used;
            if (zr == Z_STREAM_END) {
                in->zs_ended = true;
            } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
                return wb_error_set(err, WB_EIO, "%s: corrupt gzip data (%s)", in->path,
                                    in->zs.msg ? in->zs.msg : "inflate failed");
            }
            if (made) return (ssize_t)made;
            if (used == 0 && zr == Z_BUF_ERROR && in->src_eof && in->in_off == in->in_len) continue;
            continue;
        }
        ZSTD_inBuffer ib = {src, avail, 0};
        ZSTD_outBuffer ob = {dst, cap, 0};
        size_t zr = ZSTD_decompressStream(in->zd, &ob, &ib);
        if (ZSTD_isError(zr))
            return wb_error_set(err, WB_EIO, "%s: corrupt zstd data (%s)", in->path,
                                ZSTD_getErrorName(zr));
        in->zd_last = zr;
        in->in_off += ib.pos;
        if (ob.pos) return (ssize_t)ob.pos;
    }
}

/* Checks whether a followed file was truncated or replaced; reopens it. */
static int check_rotation(wb_input *in, wb_error *err)
{
    if (in->is_stdin) return 0;
    struct stat cur, now;
    if (fstat(in->fd, &cur) != 0) return 0;
    bool replaced = stat(in->path, &now) == 0 && (now.st_ino != in->ino || now.st_dev != in->dev);
    off_t pos = lseek(in->fd, 0, SEEK_CUR);
    bool truncated = pos >= 0 && cur.st_size < pos;
    if (!replaced && !truncated) return 0;
    stop_decoder(in);
    close(in->fd);
    in->fd = -1;
    in->carry_len = 0;
    in->zs_ended = false;
    in->reopened = true;
    return open_fd(in, err);
}

int wb_input_next(wb_input *in, wb_block *b, wb_error *err)
{
    b->data = NULL;
    b->len = 0;
    b->owned = NULL;
    b->map = NULL;
    if (in->map) return next_mapped(in, b, err);
    if (in->done && !in->follow) return 0;
    if (in->follow && in->src_eof) {
        int rc = check_rotation(in, err);
        if (rc) return rc;
        in->src_eof = false; /* try reading again: the file may have grown */
    }
    size_t cap = in->block_size + in->carry_len;
    char *buf = malloc(cap + 1);
    if (buf == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    size_t len = in->carry_len;
    if (len) memcpy(buf, in->carry, len);
    in->carry_len = 0;
    bool eof = false;
    for (;;) {
        while (len < cap) {
            ssize_t r = produce(in, buf + len, cap - len, err);
            if (r < 0) {
                free(buf);
                return (int)r;
            }
            if (r == 0) {
                eof = true;
                break;
            }
            len += (size_t)r;
        }
        if (eof) break;
        if (memchr(buf + (len > in->block_size ? len - in->block_size : 0), '\n',
                   len > in->block_size ? in->block_size : len))
            break;
        if (cap >= in->max_line) {
            free(buf);
            return wb_error_set(err, WB_ELIMIT, "%s: a line is longer than %zu bytes", in->path,
                                in->max_line);
        }
        size_t ncap = cap * 2 > in->max_line ? in->max_line : cap * 2;
        char *nb = realloc(buf, ncap + 1);
        if (nb == NULL) {
            free(buf);
            return wb_error_set(err, WB_ENOMEM, "out of memory");
        }
        buf = nb;
        cap = ncap;
    }
    size_t keep = len;
    if (!eof || in->follow) {
        char *nl = memrchr(buf, '\n', len);
        keep = nl ? (size_t)(nl - buf) + 1 : 0;
    }
    size_t rest = len - keep;
    if (rest) {
        if (rest > in->carry_cap) {
            char *c = realloc(in->carry, rest);
            if (c == NULL) {
                free(buf);
                return wb_error_set(err, WB_ENOMEM, "out of memory");
            }
            in->carry = c;
            in->carry_cap = rest;
        }
        memcpy(in->carry, buf + keep, rest);
        in->carry_len = rest;
    }
    if (eof && !in->follow) in->done = true;
    if (keep == 0) {
        free(buf);
        return 0;
    }
    buf[keep] = '\0';
    b->data = buf;
    b->len = keep;
    b->owned = buf;
    in->bytes_out += keep;
    return 1;
}

void wb_block_free(wb_block *b)
{
    free(b->owned);
    map_unref(b->map);
    b->map = NULL;
    b->owned = NULL;
    b->data = NULL;
    b->len = 0;
}

bool wb_input_reopened(wb_input *in)
{
    bool r = in->reopened;
    in->reopened = false;
    return r;
}

wb_compression wb_input_compression(const wb_input *in)
{
    return in->comp;
}
uint64_t wb_input_bytes_in(const wb_input *in)
{
    return in->bytes_in;
}
uint64_t wb_input_bytes_out(const wb_input *in)
{
    return in->bytes_out;
}
const char *wb_input_path(const wb_input *in)
{
    return in->path;
}

void wb_input_close(wb_input *in)
{
    if (in == NULL) return;
    stop_decoder(in);
    map_unref(in->map);
    if (in->fd >= 0 && !in->is_stdin) close(in->fd);
    free(in->inbuf);
    free(in->carry);
    free(in->path);
    free(in);
}

int wb_read_file(const char *path, size_t max, char **data, size_t *len, wb_error *err)
{
    *data = NULL;
    *len = 0;
    wb_input *in;
    int rc = wb_input_open(&in, path, NULL, err);
    if (rc) return rc;
    char *buf = NULL;
    size_t n = 0;
    wb_block b;
    while ((rc = wb_input_next(in, &b, err)) == 1) {
        if (b.len > max || n > max - b.len) {
            wb_block_free(&b);
            rc = wb_error_set(err, WB_ELIMIT, "%s: larger than %zu bytes", path, max);
            break;
        }
        char *nb = realloc(buf, n + b.len + 1);
        if (nb == NULL) {
            wb_block_free(&b);
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
            break;
        }
        buf = nb;
        memcpy(buf + n, b.data, b.len);
        n += b.len;
        wb_block_free(&b);
    }
    wb_input_close(in);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    if (buf == NULL) {
        buf = malloc(1);
        if (buf == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}
