/*
 * match.c - `weerbaar match`: argument parsing and output for the matcher.
 */
#include "cli/cli.h"

int wb_cmd_match(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    wb_cli_error("match: the matcher is being built");
    return WB_EXIT_ERROR;
}
