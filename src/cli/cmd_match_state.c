/*
 * cmd_match_state.c - the read positions of `weerbaar match --state`
 * (cmd_match_state.h) on top of the state file (src/match/state.c).
 *
 * A file is known by its identity (device, inode) and the hash of its
 * first bytes: a file renamed by log rotation keeps its record, a new file
 * under the old name starts from 0, and so does one truncated in place
 * (copytruncate) or whose inode was reused, because its first bytes or its
 * size no longer fit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cmd_match_state.h"
#include "weerbaar/core.h"

#define FP_SEED 0x7374617465ULL

/* The fingerprint of the file at path if it still has identity (dev,
 * ino): its first bytes (up to WB_MSTATE_FP_MAX) hashed. False when the
 * path now names another file or cannot be read. */
static bool fingerprint(const char *path, uint64_t dev, uint64_t ino, uint32_t *len, uint64_t *fp)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st;
    unsigned char buf[WB_MSTATE_FP_MAX];
    ssize_t n = -1;
    if (fstat(fd, &st) == 0 && (uint64_t)st.st_dev == dev && (uint64_t)st.st_ino == ino)
        n = pread(fd, buf, sizeof buf, 0);
    close(fd);
    if (n < 0) return false;
    *len = (uint32_t)n;
    *fp = wb_hash64(buf, (size_t)n, FP_SEED);
    return true;
}

char *wb_cli_mstate_default(const char *hub, const char *const *paths, size_t n, wb_error *err)
{
    char dir[4096];
    const char *sd = getenv("STATE_DIRECTORY"), *xdg = getenv("XDG_STATE_HOME"),
               *home = getenv("HOME");
    if (sd && *sd) {
        /* systemd lists several directories with ':'; the first is ours. */
        size_t k = strcspn(sd, ":");
        snprintf(dir, sizeof dir, "%.*s", (int)k, sd);
    } else if (xdg && *xdg) {
        snprintf(dir, sizeof dir, "%s/weerbaar", xdg);
    } else if (home && *home) {
        snprintf(dir, sizeof dir, "%s/.local/state/weerbaar", home);
    } else {
        wb_error_set(err, WB_ENOTFOUND,
                     "no state directory ($STATE_DIRECTORY, $XDG_STATE_HOME or $HOME)");
        return NULL;
    }
    /* mkdir -p, private: the state names the logs a sensor reads. */
    for (char *p = dir + 1;; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
                wb_error_set(err, WB_EIO, "%s: %s", dir, strerror(errno));
                return NULL;
            }
            if (end) break;
            *p = '/';
        }
    }
    uint64_t h = wb_hash64(hub ? hub : "", strlen(hub ? hub : ""), FP_SEED);
    for (size_t i = 0; i < n; i++) {
        char *rp = realpath(paths[i], NULL);
        const char *p = rp ? rp : paths[i];
        h = wb_hash64(p, strlen(p) + 1, h);
        free(rp);
    }
    size_t len = strlen(dir) + 40;
    char *out = malloc(len);
    if (out == NULL) {
        wb_error_set(err, WB_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(out, len, "%s/match-%016llx.state", dir, (unsigned long long)h);
    return out;
}

int wb_cli_mstate_open(wb_cli_mstate *s, const char *path, wb_error *err)
{
    memset(s, 0, sizeof *s);
    s->path = strdup(path);
    if (s->path == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    return wb_mstate_load(&s->st, path, err);
}

void wb_cli_mstate_close(wb_cli_mstate *s)
{
    wb_mstate_free(s->st);
    free(s->path);
    memset(s, 0, sizeof *s);
}

uint64_t wb_cli_mstate_resume(wb_cli_mstate *s, const char *path, uint64_t dev, uint64_t ino)
{
    const wb_mstate_file *f = wb_mstate_find(s->st, dev, ino);
    if (f == NULL) return 0;
    /* The same first bytes as when it was read: the same file. A file now
     * shorter than its fingerprint, or with other first bytes, is a new
     * one that happens to have the identity (truncated, inode reused). */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    unsigned char buf[WB_MSTATE_FP_MAX];
    ssize_t n = pread(fd, buf, f->fp_len, 0);
    close(fd);
    if (n < 0 || (uint32_t)n != f->fp_len || wb_hash64(buf, (size_t)n, FP_SEED) != f->fp) return 0;
    return f->offset;
}

void wb_cli_mstate_position(wb_cli_mstate *s, const char *path, uint64_t dev, uint64_t ino,
                            uint64_t offset)
{
    const wb_mstate_file *old = wb_mstate_find(s->st, dev, ino);
    wb_mstate_file f = {.dev = dev, .ino = ino, .offset = offset, .path = path};
    f.seen = (int64_t)time(NULL);
    /* The fingerprint is taken again until it covers its full length, and
     * after the file started over (truncated in place: other first bytes). */
    if (old && old->fp_len == WB_MSTATE_FP_MAX && offset >= old->offset) {
        f.fp_len = old->fp_len;
        f.fp = old->fp;
    } else if (!fingerprint(path, dev, ino, &f.fp_len, &f.fp)) {
        /* Renamed away before we looked: an empty fingerprint still holds
         * the offset for a restart that finds it by identity. */
        f.fp_len = old ? old->fp_len : 0;
        f.fp = old ? old->fp : wb_hash64("", 0, FP_SEED);
    }
    if (wb_mstate_put(s->st, &f) == 0) s->dirty = true;
}

int wb_cli_mstate_save(wb_cli_mstate *s, wb_error *err)
{
    int rc = wb_mstate_save(s->st, s->path, err);
    if (rc == 0) s->dirty = false;
    return rc;
}

void wb_cli_uuid4(char out[37])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        /* Not random enough to be unique without it: fall back to the
         * clock and the address space, hashed. */
        uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)(uintptr_t)&b << 16);
        uint64_t h1 = wb_hash64(&t, sizeof t, 1), h2 = wb_hash64(&t, sizeof t, 2);
        memcpy(b, &h1, 8);
        memcpy(b + 8, &h2, 8);
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}
