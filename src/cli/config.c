/*
 * config.c - every long option of a command also as a configuration file
 * key and an environment variable (include/weerbaar/conf.h for the file's
 * form). Rather than a second way to set each option, the file and the
 * environment become arguments in front of the command line's, so one
 * getopt loop applies them all and the command line wins by coming last.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/config.h"
#include "weerbaar/conf.h"
#include "weerbaar/io.h"

#define DEFAULT_CONFIG "/etc/weerbaar/weerbaar.conf"
#define MAX_CONFIG_BYTES ((size_t)1 << 20)

typedef struct builder {
    char **v;
    int n, cap;
    const char *section, *file;
    const struct option *lopts;
} builder;

static int push(builder *b, const char *s)
{
    if (b->n + 1 >= b->cap) {
        int cap = b->cap ? 2 * b->cap : 32;
        char **nv = realloc(b->v, (size_t)cap * sizeof *nv);
        if (nv == NULL) return WB_ENOMEM;
        b->v = nv;
        b->cap = cap;
    }
    b->v[b->n] = strdup(s);
    if (b->v[b->n] == NULL) return WB_ENOMEM;
    b->v[++b->n] = NULL;
    return 0;
}

static const struct option *find(const struct option *lopts, const char *key)
{
    if (strcmp(key, "help") == 0 || strcmp(key, "config") == 0) return NULL;
    for (const struct option *o = lopts; o->name; o++)
        if (strcmp(o->name, key) == 0) return o;
    return NULL;
}

/* A flag's value: 1 true, 0 false, -1 neither. */
static int truth(const char *v)
{
    if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1")) return 1;
    if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0")) return 0;
    return -1;
}

/* --key value (or --key for a true flag) from `where` (for messages). */
static int add(builder *b, const struct option *o, const char *value, const char *where,
               wb_error *err)
{
    char opt[80];
    snprintf(opt, sizeof opt, "--%s", o->name);
    if (o->has_arg == no_argument) {
        int t = truth(value);
        if (t < 0)
            return wb_error_set(err, WB_EPARSE, "%s: %s is a flag: true or false, not '%s'", where,
                                o->name, value);
        return t ? push(b, opt) : 0;
    }
    int rc = push(b, opt);
    return rc ? rc : push(b, value);
}

static int file_key(void *ud, const char *key, const char *value, long line, wb_error *err)
{
    builder *b = ud;
    char where[4200];
    snprintf(where, sizeof where, "%s:%ld", b->file, line);
    const struct option *o = find(b->lopts, key);
    if (o == NULL)
        return wb_error_set(err, WB_EPARSE,
                            "%s: unknown key '%s' in [%s] (see 'weerbaar %s --help')", where, key,
                            b->section, b->section);
    return add(b, o, value, where, err);
}

/* WEERBAAR_SERVE_ACCESS_LOG for serve's access-log. */
static void env_name(const char *section, const char *key, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "WEERBAAR_%s_%s", section, key);
    for (size_t i = 0; i < n && i < cap; i++)
        out[i] = out[i] == '-' ? '_' : (char)toupper((unsigned char)out[i]);
}

int wb_cli_config_args(const char *section, const struct option *lopts, int argc, char **argv,
                       wb_cli_args *out)
{
    builder b = {.section = section, .lopts = lopts};
    wb_error err = {0};
    const char *file = NULL;
    bool required = true;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) file = argv[i + 1];
        if (strncmp(argv[i], "--config=", 9) == 0) file = argv[i] + 9;
    }
    if (file == NULL) file = getenv("WEERBAAR_CONFIG");
    if (file == NULL || file[0] == '\0') {
        file = DEFAULT_CONFIG;
        required = false;
    }
    int rc = push(&b, argv[0]);
    char *text = NULL;
    size_t len = 0;
    if (rc == 0 && (required || access(file, F_OK) == 0)) {
        b.file = file;
        rc = wb_read_file(file, MAX_CONFIG_BYTES, &text, &len, &err);
        if (rc == 0) rc = wb_conf_parse(text, len, file, section, file_key, &b, &err);
        free(text);
    }
    for (const struct option *o = lopts; rc == 0 && o->name; o++) {
        char name[96];
        if (find(lopts, o->name) == NULL) continue;
        env_name(section, o->name, name, sizeof name);
        const char *v = getenv(name);
        if (v) rc = add(&b, o, v, name, &err);
    }
    for (int i = 1; rc == 0 && i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            i++;
            continue;
        }
        if (strncmp(argv[i], "--config=", 9) == 0) continue;
        rc = push(&b, argv[i]);
    }
    out->argc = b.n;
    out->argv = b.v;
    if (rc == 0) return 0;
    wb_cli_args_free(out);
    if (rc == WB_ENOMEM && err.msg[0] == '\0') wb_error_set(&err, WB_ENOMEM, "out of memory");
    wb_cli_report(&err);
    return WB_EXIT_ERROR;
}

void wb_cli_args_free(wb_cli_args *a)
{
    for (int i = 0; a->argv && i < a->argc; i++)
        free(a->argv[i]);
    free(a->argv);
    a->argv = NULL;
    a->argc = 0;
}
