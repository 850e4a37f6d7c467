/*
 * config.h - a command's options from the configuration file and the
 * environment as well as its command line (config.c).
 */
#ifndef WB_CLI_CONFIG_H
#define WB_CLI_CONFIG_H

#include <getopt.h>

typedef struct wb_cli_args {
    int argc;
    char **argv; /* argv[0], then --key value from the file, the environment, the line */
} wb_cli_args;

/* The arguments command `section` parses: each `key = value` of its
 * section in the configuration file (--config FILE or --config=FILE taken
 * out of argv; else $WEERBAAR_CONFIG; else /etc/weerbaar/weerbaar.conf when
 * it exists) as --key value, then each WEERBAAR_<SECTION>_<KEY> variable
 * set, then argv's own; a later one wins. A key is a long option of lopts
 * (not help or config); a flag's value is true/yes/1 or false/no/0. Returns
 * 0, or an exit status with the error printed ("FILE:LINE: unknown key"). */
int wb_cli_config_args(const char *section, const struct option *lopts, int argc, char **argv,
                       wb_cli_args *out);
void wb_cli_args_free(wb_cli_args *a);

#endif
