/*
 * zip.c - a small reader for zip archives such as OSV's all.zip (one JSON
 * record per member) and XLSX answer sheets (XML members): the central directory (PKWARE
 * APPNOTE 4.3.12-4.3.16, with the Zip64 end records and extra field of 4.3.14/4.5.3, since all.zip
 * holds more than 65,535 members), stored and deflated members, CRC-32
 * checked. zlib does the inflating; no other dependency is needed for the
 * read-only subset that archives of records use (no encryption, no
 * multi-disk, no other methods).
 *
 * Every offset and size read from the archive is checked against the
 * mapping before use, and a member is never inflated beyond the caller's
 * bound, so a hostile archive can neither read outside the file nor
 * exhaust memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "core/zip.h"

typedef struct zip_entry {
    char *name;
    uint64_t csize, usize, offset;
    uint32_t crc;
    uint16_t method, flags;
} zip_entry;

struct wbi_core_zip {
    const char *path;
    const unsigned char *map;
    size_t size;
    zip_entry *e;
    size_t n;
    bool mapped; /* map is ours to munmap */
};

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

bool wbi_core_zip_magic(const char *data, size_t len)
{
    /* a local file header, or the end record of an empty archive */
    return len >= 4 && data[0] == 'P' && data[1] == 'K' &&
           ((data[2] == 3 && data[3] == 4) || (data[2] == 5 && data[3] == 6));
}

static int bad(const wbi_core_zip *z, wb_error *err, const char *what)
{
    return wb_error_set(err, WB_EPARSE, "%s: not a readable zip archive: %s", z->path, what);
}

/* Reads the Zip64 extra field of a central-directory entry: the values
 * that are 0xFFFFFFFF in the fixed part follow in this order. */
static int zip64_extra(const unsigned char *x, size_t xl, zip_entry *e, bool need_u, bool need_c,
                       bool need_o)
{
    size_t i = 0;
    while (i + 4 <= xl) {
        uint16_t id = le16(x + i), sz = le16(x + i + 2);
        if (i + 4 + sz > xl) return -1;
        if (id == 0x0001) {
            const unsigned char *p = x + i + 4;
            size_t k = 0;
            if (need_u) {
                if (k + 8 > sz) return -1;
                e->usize = le64(p + k), k += 8;
            }
            if (need_c) {
                if (k + 8 > sz) return -1;
                e->csize = le64(p + k), k += 8;
            }
            if (need_o) {
                if (k + 8 > sz) return -1;
                e->offset = le64(p + k);
            }
            return 0;
        }
        i += 4 + (size_t)sz;
    }
    return (need_u || need_c || need_o) ? -1 : 0;
}

static int read_directory(wbi_core_zip *z, wb_error *err)
{
    const unsigned char *m = z->map;
    size_t size = z->size;
    if (size < 22) return bad(z, err, "too short");
    /* The end record sits in the last 22 + 65535 (comment) bytes. */
    size_t lo = size > 22 + 65535 ? size - 22 - 65535 : 0, eocd = SIZE_MAX;
    for (size_t i = size - 22 + 1; i-- > lo;)
        if (m[i] == 'P' && le32(m + i) == 0x06054b50) {
            eocd = i;
            break;
        }
    if (eocd == SIZE_MAX) return bad(z, err, "no end of central directory record");
    uint64_t count = le16(m + eocd + 10), cdsize = le32(m + eocd + 12), cdoff = le32(m + eocd + 16);
    if (le16(m + eocd + 4) != 0 || le16(m + eocd + 6) != 0)
        return bad(z, err, "multi-disk archives are not supported");
    if ((count == 0xFFFF || cdsize == 0xFFFFFFFFu || cdoff == 0xFFFFFFFFu) && eocd >= 20 &&
        le32(m + eocd - 20) == 0x07064b50) {
        uint64_t rec = le64(m + eocd - 20 + 8);
        if (rec > size || size - rec < 56 || le32(m + rec) != 0x06064b50)
            return bad(z, err, "bad Zip64 end of central directory record");
        count = le64(m + rec + 32);
        cdsize = le64(m + rec + 40);
        cdoff = le64(m + rec + 48);
    }
    if (cdoff > size || cdsize > size - cdoff) return bad(z, err, "central directory out of range");
    /* each entry takes at least 46 bytes: bounds the allocation */
    if (count > cdsize / 46) return bad(z, err, "entry count does not fit the directory");
    z->e = calloc(count ? count : 1, sizeof *z->e);
    if (z->e == NULL) return wb_error_set(err, WB_ENOMEM, "%s: out of memory", z->path);
    size_t p = (size_t)cdoff, end = (size_t)(cdoff + cdsize);
    for (uint64_t k = 0; k < count; k++) {
        if (end - p < 46 || le32(m + p) != 0x02014b50)
            return bad(z, err, "bad central directory entry");
        zip_entry *e = &z->e[z->n];
        e->flags = le16(m + p + 8);
        e->method = le16(m + p + 10);
        e->crc = le32(m + p + 16);
        e->csize = le32(m + p + 20);
        e->usize = le32(m + p + 24);
        size_t nl = le16(m + p + 28), xl = le16(m + p + 30), cl = le16(m + p + 32);
        e->offset = le32(m + p + 42);
        if (end - p - 46 < nl + xl + cl) return bad(z, err, "central directory entry out of range");
        if (zip64_extra(m + p + 46 + nl, xl, e, e->usize == 0xFFFFFFFFu, e->csize == 0xFFFFFFFFu,
                        e->offset == 0xFFFFFFFFu) != 0)
            return bad(z, err, "bad Zip64 extra field");
        e->name = malloc(nl + 1);
        if (e->name == NULL) return wb_error_set(err, WB_ENOMEM, "%s: out of memory", z->path);
        memcpy(e->name, m + p + 46, nl);
        e->name[nl] = '\0';
        z->n++;
        p += 46 + nl + xl + cl;
    }
    return 0;
}

int wbi_core_zip_open(const char *path, wbi_core_zip **out, wb_error *err)
{
    *out = NULL;
    wbi_core_zip *z = calloc(1, sizeof *z);
    if (z == NULL) return wb_error_set(err, WB_ENOMEM, "%s: out of memory", path);
    z->path = path;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        int rc = wb_error_set(err, errno == ENOENT ? WB_ENOTFOUND : WB_EIO, "%s: %s", path,
                              strerror(errno));
        if (fd >= 0) close(fd);
        free(z);
        return rc;
    }
    z->size = (size_t)st.st_size;
    if (z->size > 0) {
        void *m = mmap(NULL, z->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int rc = wb_error_set(err, WB_EIO, "%s: %s", path, strerror(errno));
            close(fd);
            free(z);
            return rc;
        }
        z->map = m;
        z->mapped = true;
    }
    close(fd);
    int rc = read_directory(z, err);
    if (rc != 0) {
        wbi_core_zip_close(z);
        return rc;
    }
    *out = z;
    return 0;
}

int wbi_core_zip_open_mem(const char *data, size_t len, const char *name, wbi_core_zip **out,
                          wb_error *err)
{
    *out = NULL;
    wbi_core_zip *z = calloc(1, sizeof *z);
    if (z == NULL) return wb_error_set(err, WB_ENOMEM, "%s: out of memory", name);
    z->path = name;
    z->map = (const unsigned char *)data;
    z->size = len;
    int rc = read_directory(z, err);
    if (rc != 0) {
        wbi_core_zip_close(z);
        return rc;
    }
    *out = z;
    return 0;
}

long wbi_core_zip_find(const wbi_core_zip *z, const char *name)
{
    for (size_t i = 0; i < z->n; i++)
        if (strcmp(z->e[i].name, name) == 0) return (long)i;
    return -1;
}

size_t wbi_core_zip_count(const wbi_core_zip *z)
{
    return z->n;
}

const char *wbi_core_zip_name(const wbi_core_zip *z, size_t i)
{
    return i < z->n ? z->e[i].name : NULL;
}

int wbi_core_zip_read(const wbi_core_zip *z, size_t i, size_t max, char **data, size_t *len,
                      wb_error *err)
{
    *data = NULL;
    *len = 0;
    if (i >= z->n) return wb_error_set(err, WB_EINVAL, "%s: no member %zu", z->path, i);
    const zip_entry *e = &z->e[i];
    const unsigned char *m = z->map;
    if (e->flags & 1)
        return wb_error_set(err, WB_EFORMAT, "%s!%s: encrypted members are not supported", z->path,
                            e->name);
    if (e->method != 0 && e->method != 8)
        return wb_error_set(err, WB_EFORMAT, "%s!%s: compression method %u is not supported",
                            z->path, e->name, e->method);
    if (e->usize > max)
        return wb_error_set(err, WB_ELIMIT, "%s!%s: member larger than %zu bytes", z->path, e->name,
                            max);
    if (e->offset > z->size || z->size - e->offset < 30 || le32(m + e->offset) != 0x04034b50)
        return wb_error_set(err, WB_EPARSE, "%s!%s: bad local header", z->path, e->name);
    size_t start = (size_t)e->offset + 30 + le16(m + e->offset + 26) + le16(m + e->offset + 28);
    if (start > z->size || e->csize > z->size - start)
        return wb_error_set(err, WB_EPARSE, "%s!%s: member data out of range", z->path, e->name);
    char *out = malloc((size_t)e->usize + 1);
    if (out == NULL) return wb_error_set(err, WB_ENOMEM, "%s: out of memory", z->path);
    size_t got;
    if (e->method == 0) {
        if (e->csize != e->usize) {
            free(out);
            return wb_error_set(err, WB_EPARSE, "%s!%s: stored sizes differ", z->path, e->name);
        }
        memcpy(out, m + start, (size_t)e->usize);
        got = (size_t)e->usize;
    } else {
        z_stream s;
        memset(&s, 0, sizeof s);
        if (inflateInit2(&s, -MAX_WBITS) != Z_OK) {
            free(out);
            return wb_error_set(err, WB_ENOMEM, "%s: out of memory", z->path);
        }
        /* zlib counts in uInt: feed and drain in pieces below 4 GiB. The
         * output has one byte more than declared so that a member that
         * inflates to more than its header says is caught. */
        const unsigned char *in = m + start;
        uint64_t in_left = e->csize;
        size_t out_cap = (size_t)e->usize + 1, out_done = 0;
        int zr;
        for (;;) {
            if (s.avail_in == 0 && in_left > 0) {
                uInt c = in_left > (1u << 30) ? (1u << 30) : (uInt)in_left;
                s.next_in = (Bytef *)(uintptr_t)in;
                s.avail_in = c;
                in += c;
                in_left -= c;
            }
            size_t room = out_cap - out_done;
            uInt ao = room > (1u << 30) ? (1u << 30) : (uInt)room, ai = s.avail_in;
            s.next_out = (Bytef *)out + out_done;
            s.avail_out = ao;
            zr = inflate(&s, Z_NO_FLUSH);
            out_done += ao - s.avail_out;
            if (zr == Z_STREAM_END) break;
            if (zr != Z_OK && zr != Z_BUF_ERROR) break;
            if (ao == s.avail_out && ai == s.avail_in) { /* no progress: truncated */
                zr = Z_DATA_ERROR;
                break;
            }
        }
        inflateEnd(&s);
        got = out_done;
        if (zr != Z_STREAM_END || got != e->usize) {
            free(out);
            return wb_error_set(err, WB_EPARSE, "%s!%s: corrupt deflate data", z->path, e->name);
        }
    }
    uLong crc = crc32(0L, Z_NULL, 0);
    for (size_t k = 0; k < got;) {
        uInt c = got - k > (1u << 30) ? (1u << 30) : (uInt)(got - k);
        crc = crc32(crc, (const Bytef *)out + k, c);
        k += c;
    }
    if ((uint32_t)crc != e->crc) {
        free(out);
        return wb_error_set(err, WB_EPARSE, "%s!%s: CRC mismatch", z->path, e->name);
    }
    out[got] = '\0';
    *data = out;
    *len = got;
    return 0;
}

void wbi_core_zip_close(wbi_core_zip *z)
{
    if (z == NULL) return;
    for (size_t i = 0; i < z->n; i++)
        free(z->e[i].name);
    free(z->e);
    if (z->mapped) munmap((void *)(uintptr_t)z->map, z->size);
    free(z);
}
