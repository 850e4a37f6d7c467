/*
 * io.h - reading input files: plain, gzip or zstd (detected from the first
 * bytes, not the name), from a path or stdin, as blocks of whole lines.
 *
 * Log readers never see a partial line: each block ends at a newline, except
 * the last block of a file that does not end in one. Each block owns its
 * buffer.
 */
#ifndef WEERBAAR_IO_H
#define WEERBAAR_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum wb_compression { WB_COMP_NONE, WB_COMP_GZIP, WB_COMP_ZSTD } wb_compression;

typedef struct wb_input wb_input;

typedef struct wb_block {
    const char *data; /* whole lines */
    size_t len;
    char *owned;        /* heap memory behind data */
    struct wb_map *map; /* or the file mapping behind it (counted) */
} wb_block;

typedef struct wb_input_opts {
    size_t block_size; /* target bytes per block; 0 = 4 MiB */
    size_t max_line;   /* longest line accepted; 0 = 64 MiB */
    bool follow;       /* keep the file open at EOF and return new lines later */
} wb_input_opts;

/* Opens path ("-" is stdin). On error returns WB_ENOTFOUND/WB_EIO with a
 * message naming the path; *out is NULL. */
int wb_input_open(wb_input **out, const char *path, const wb_input_opts *opts, wb_error *err);
/* Next block: 1 with *b filled, 0 at end of input (with follow: nothing new
 * yet), or a negative code (truncated or corrupt compressed data, read error)
 * with a message naming the file. Free each block with wb_block_free. */
int wb_input_next(wb_input *in, wb_block *b, wb_error *err);
void wb_block_free(wb_block *b);
/* With follow: true when the file was replaced (rotated) or truncated and has
 * been reopened from its start. Clears the flag. */
bool wb_input_reopened(wb_input *in);
wb_compression wb_input_compression(const wb_input *in);
/* Bytes read from the file (compressed size) and handed out (decompressed). */
uint64_t wb_input_bytes_in(const wb_input *in);
uint64_t wb_input_bytes_out(const wb_input *in);
const char *wb_input_path(const wb_input *in);
void wb_input_close(wb_input *in);

/* A read-only mapping of a regular file under the same SIGBUS guard as the
 * log reader's (src/core/io.c): if the file is truncated in place while it
 * is mapped, the vanished pages read as zero bytes instead of killing the
 * process, and wb_map_shrank says so afterwards. wb_map_open returns NULL
 * when no guarded mapping can be made (read the file instead); fd may be
 * closed once it returns. wb_map_shrank takes an fd of the same file (or
 * -1: only the guard is asked). */
struct wb_map *wb_map_open(int fd, size_t size);
const char *wb_map_data(const struct wb_map *m);
bool wb_map_shrank(const struct wb_map *m, int fd);
void wb_map_close(struct wb_map *m);

/* Reads a whole file (decompressing transparently) into a NUL-terminated heap
 * buffer of at most max bytes; the caller frees *data. WB_ELIMIT when larger. */
int wb_read_file(const char *path, size_t max, char **data, size_t *len, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
