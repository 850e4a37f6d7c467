/*
 * render.c - writing a rendered page (PDF, PNG) to --out or to standard
 * output, for the commands that draw through src/report/. cairo writes to a
 * file name, so standard output goes through a temporary file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static int copy_to_stdout(const char *cmd, const char *path)
{
    FILE *f = fopen(path, "rb");
    char buf[65536];
    size_t n;
    int status = WB_EXIT_OK;
    if (f == NULL) {
        wb_cli_error("%s: %s: %s", cmd, path, strerror(errno));
        return WB_EXIT_ERROR;
    }
    while (status == WB_EXIT_OK && (n = fread(buf, 1, sizeof buf, f)) > 0)
        if (fwrite(buf, 1, n, stdout) != n) status = WB_EXIT_ERROR;
    fclose(f);
    if (status == WB_EXIT_OK && fflush(stdout) != 0) status = WB_EXIT_ERROR;
    if (status != WB_EXIT_OK) wb_cli_error("%s: writing standard output: %s", cmd, strerror(errno));
    return status;
}

int wb_cli_write_rendered(const char *cmd, const char *out, wb_cli_render_fn render, void *ud)
{
    wb_error err = {0};
    if (out && strcmp(out, "-") != 0) {
        if (render(ud, out, &err) != 0) {
            wb_cli_report(&err);
            return WB_EXIT_ERROR;
        }
        return WB_EXIT_OK;
    }
    const char *dir = getenv("TMPDIR");
    char path[4096];
    if (dir == NULL || *dir == '\0') dir = "/tmp";
    snprintf(path, sizeof path, "%s/weerbaar-render-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        wb_cli_error("%s: cannot create a temporary file in %s: %s", cmd, dir, strerror(errno));
        return WB_EXIT_ERROR;
    }
    close(fd);
    int status;
    if (render(ud, path, &err) != 0) {
        wb_cli_report(&err);
        status = WB_EXIT_ERROR;
    } else {
        status = copy_to_stdout(cmd, path);
    }
    unlink(path);
    return status;
}
