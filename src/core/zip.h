/*
 * zip.h - the library's bounded reader of zip archives (core/zip.c), shared
 * by vuln (OSV all.zip) and assess (answer sheets in XLSX, which are zip
 * archives of XML). Internal to libweerbaar: wbi_core_ names.
 */
#ifndef WB_CORE_ZIP_H
#define WB_CORE_ZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/error.h"

typedef struct wbi_core_zip wbi_core_zip;
/* Opens an archive (memory-mapped) and reads its central directory. On
 * error *out is NULL and err names the path. */
int wbi_core_zip_open(const char *path, wbi_core_zip **out, wb_error *err);
/* The same over bytes in memory, which must outlive the archive; name is
 * what messages call it (kept, not copied). */
int wbi_core_zip_open_mem(const char *data, size_t len, const char *name, wbi_core_zip **out,
                          wb_error *err);
size_t wbi_core_zip_count(const wbi_core_zip *z);
const char *wbi_core_zip_name(const wbi_core_zip *z, size_t i);
/* The index of the member called name, or -1. */
long wbi_core_zip_find(const wbi_core_zip *z, const char *name);
/* Extracts member i (stored or deflate, CRC checked) into a heap buffer of
 * at most max bytes (NUL-terminated); the caller frees *data. */
int wbi_core_zip_read(const wbi_core_zip *z, size_t i, size_t max, char **data, size_t *len,
                      wb_error *err);
/* Frees the archive; NULL is fine. */
void wbi_core_zip_close(wbi_core_zip *z);
/* True when the bytes start like a zip archive. */
bool wbi_core_zip_magic(const char *data, size_t len);

#endif
