/*
 * conf.h - weerbaar's configuration files (/etc/weerbaar/weerbaar.conf or
 * --config FILE): `key = value` lines, `[section]` headers naming a command
 * (`[serve]`, `[match]`), `#` comments. Every key is in a section. See
 * docs/hub.md, "Configuration file".
 */
#ifndef WEERBAAR_CONF_H
#define WEERBAAR_CONF_H

#include <stddef.h>

#include "weerbaar/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest line, key and value a configuration file may have. */
#define WB_CONF_LINE_MAX 4096
#define WB_CONF_KEY_MAX 64

/* Called for each `key = value` of the wanted section with the key and value trimmed and
 * NUL-terminated, and the line number. Returns 0, or non-zero after
 * filling err (the parse then stops with that code). */
typedef int (*wb_conf_cb)(void *ud, const char *key, const char *value, long line, wb_error *err);

/* Parses text (len bytes, not NUL-terminated; name for messages). Lines
 * outside the wanted section are checked for form but not reported.
 * WB_EPARSE naming "name:line" for a line that is neither blank, comment,
 * header nor `key = value`, a key that is not [a-z0-9_-] or comes before
 * the first header, a line too long, a NUL byte; otherwise what cb
 * returned. */
int wb_conf_parse(const char *text, size_t len, const char *name, const char *section,
                  wb_conf_cb cb, void *ud, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
