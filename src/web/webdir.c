/*
 * webdir.c - where the web page's files are: found like the assessment
 * catalogues, relative to the program first so that an installed tree can
 * be moved (CMakeLists.txt installs web/ as share/weerbaar/web).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weerbaar/websession.h"

static bool has_index(const char *dir)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/index.html", dir);
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int wb_web_default_dir(char *out, size_t cap)
{
    const char *env = getenv("WEERBAAR_WEB");
    if (env && env[0]) {
        snprintf(out, cap, "%s", env);
        return 0;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) n = 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    static const char *const rel[] = {"/../share/weerbaar/web", "/../web"};
    for (size_t i = 0; n > 0 && i < sizeof rel / sizeof rel[0]; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s%s", exe, rel[i]);
        if (has_index(p)) {
            snprintf(out, cap, "%s", p);
            return 0;
        }
    }
#ifdef WB_DATADIR
    if (has_index(WB_DATADIR "/web")) {
        snprintf(out, cap, "%s", WB_DATADIR "/web");
        return 0;
    }
#endif
    return WB_ENOTFOUND;
}
