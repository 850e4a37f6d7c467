/*
 * fuzz_conf.c - libFuzzer target: the configuration file parser
 * (src/core/conf.c). Every key it reports must be a well-formed key and
 * every value trimmed and within the line limit; a callback's error must
 * stop the parse with its code; parsing must not read past the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct seen {
    long calls, last_line;
} seen;

static int on_key(void *ud, const char *key, const char *value, long line, wb_error *err)
{
    seen *s = ud;
    size_t kn = strlen(key), vn = strlen(value);
    if (kn == 0 || kn >= WB_CONF_KEY_MAX || strchr(key, '=') || strchr(key, ' ')) abort();
    if (vn >= WB_CONF_LINE_MAX) abort();
    if (vn &&
        (value[0] == ' ' || value[0] == '\t' || value[vn - 1] == ' ' || value[vn - 1] == '\t'))
        abort();
    if (line <= s->last_line) abort(); /* one key per line, in order */
    s->last_line = line;
    s->calls++;
    if (strcmp(key, "stop") == 0) return wb_error_set(err, WB_ELIMIT, "stop");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes, so ASan sees any read past the end */
    char *text = malloc(size ? size : 1);
    if (text == NULL) return 0;
    if (size) memcpy(text, data, size);
    static const char *const sections[] = {"serve", "match", NULL};
    for (size_t i = 0; i < 3; i++) {
        seen s = {0};
        wb_error err = {0};
        int rc = wb_conf_parse(text, size, "fuzz.conf", sections[i], on_key, &s, &err);
        if (rc != 0 && rc != WB_EPARSE && rc != WB_ELIMIT) abort();
        if (rc != 0 && err.msg[0] == '\0') abort();
        if (rc == WB_ELIMIT && strcmp(err.msg, "stop") != 0) abort();
    }
    free(text);
    return 0;
}
