/*
 * render_buf.c - a rendered page as bytes in memory. cairo writes PDF and
 * PNG surfaces to file names, so the page goes through a private temporary
 * file; the CLI uses this for standard output and the hub for its answers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weerbaar/io.h"
#include "weerbaar/report.h"

/* Largest page read back: far above the 500-page incident limit. */
#define WB_RENDER_MAX ((size_t)256 << 20)

int wb_render_to_buf(wb_render_fn render, void *ud, wb_buf *out, wb_error *err)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    if (dir == NULL || *dir == '\0') dir = "/tmp";
    snprintf(path, sizeof path, "%s/weerbaar-render-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0)
        return wb_error_set(err, WB_EIO, "cannot create a temporary file in %s: %s", dir,
                            strerror(errno));
    close(fd);
    char *data = NULL;
    size_t len = 0;
    int rc = render(ud, path, err);
    if (rc == 0) rc = wb_read_file(path, WB_RENDER_MAX, &data, &len, err);
    unlink(path);
    if (rc == 0 && wb_buf_append(out, data, len) != 0)
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    free(data);
    return rc;
}
