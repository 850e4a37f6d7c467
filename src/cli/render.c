/*
 * render.c - writing a rendered page (PDF, PNG) to --out or to standard
 * output, for the commands that draw through src/report/ (standard output
 * through wb_render_to_buf, since cairo writes to file names). Binary
 * output is refused when standard output is a terminal.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "weerbaar/report.h"

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
    /* a PDF on a terminal is noise that can upset it, and never what was
     * meant: say how to get the file instead */
    if (isatty(STDOUT_FILENO)) {
        wb_cli_error("%s: not writing binary output to a terminal; give --out FILE (or "
                     "redirect standard output)",
                     cmd);
        return WB_EXIT_ERROR;
    }
    wb_buf b = {0};
    if (wb_render_to_buf(render, ud, &b, &err) != 0) {
        wb_buf_free(&b);
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    int status = fwrite(b.data, 1, b.len, stdout) == b.len && fflush(stdout) == 0 ? WB_EXIT_OK
                                                                                  : WB_EXIT_ERROR;
    if (status != WB_EXIT_OK) wb_cli_error("%s: writing standard output: %s", cmd, strerror(errno));
    wb_buf_free(&b);
    return status;
}

FILE *wb_cli_progress_out(bool quiet)
{
    return !quiet && isatty(STDERR_FILENO) ? stderr : NULL;
}

bool wb_cli_may_write_binary(const char *cmd, const char *out)
{
    if ((out && strcmp(out, "-") != 0) || !isatty(STDOUT_FILENO)) return true;
    wb_cli_error("%s: not writing binary output to a terminal; give --out FILE (or redirect "
                 "standard output)",
                 cmd);
    return false;
}

int wb_cli_write_bytes(const char *cmd, const char *out, const wb_buf *b)
{
    bool file = out && strcmp(out, "-") != 0;
    if (!wb_cli_may_write_binary(cmd, out)) return WB_EXIT_ERROR;
    FILE *f = file ? fopen(out, "wb") : stdout;
    if (f == NULL) {
        wb_cli_error("%s: cannot create %s: %s", cmd, out, strerror(errno));
        return WB_EXIT_ERROR;
    }
    bool ok = fwrite(b->data, 1, b->len, f) == b->len;
    ok = (file ? fclose(f) : fflush(f)) == 0 && ok;
    if (!ok) {
        wb_cli_error("%s: %s: write failed", cmd, file ? out : "standard output");
        if (file) remove(out);
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}
