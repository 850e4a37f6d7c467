/*
 * catset.c - the catalogues a command can use: every YAML file of the
 * built-in catalogue directory and of directories the user adds, loaded on
 * first use; where the built-in directory is; and the titles of the NIS2
 * Art. 21(2) measures the principles catalogue maps to.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assess/assess_internal.h"

#define CATSET_MAX 1000 /* catalogue files in one set */

typedef struct cat_entry {
    char *name;
    char *path;
    wb_catalogue *cat; /* NULL until loaded */
} cat_entry;

struct wb_catset {
    cat_entry *e;
    size_t n;
};

wb_catset *wb_catset_new(void)
{
    return calloc(1, sizeof(wb_catset));
}

void wb_catset_free(wb_catset *set)
{
    if (set == NULL) return;
    for (size_t i = 0; i < set->n; i++) {
        free(set->e[i].name);
        free(set->e[i].path);
        wb_catalogue_free(set->e[i].cat);
    }
    free(set->e);
    free(set);
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const cat_entry *)a)->name, ((const cat_entry *)b)->name);
}

static int catset_put(wb_catset *set, const char *dir, const char *file, size_t namelen,
                      wb_error *err)
{
    char *name = strndup(file, namelen);
    wb_buf path = {0};
    if (name == NULL || wb_buf_printf(&path, "%s/%s", dir, file) != 0) {
        free(name);
        wb_buf_free(&path);
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < set->n; i++) {
        if (strcmp(set->e[i].name, name) == 0) {
            /* a later directory overrides: the user's catalogue wins */
            free(name);
            free(set->e[i].path);
            set->e[i].path = path.data;
            wb_catalogue_free(set->e[i].cat);
            set->e[i].cat = NULL;
            return 0;
        }
    }
    if (set->n >= CATSET_MAX) {
        free(name);
        wb_buf_free(&path);
        return wb_error_set(err, WB_ELIMIT, "%s: more than %d catalogues", dir, CATSET_MAX);
    }
    cat_entry *ne = realloc(set->e, (set->n + 1) * sizeof *ne);
    if (ne == NULL) {
        free(name);
        wb_buf_free(&path);
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    set->e = ne;
    set->e[set->n++] = (cat_entry){name, path.data, NULL};
    return 0;
}

int wb_catset_add_dir(wb_catset *set, const char *dir, wb_error *err)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return wb_error_set(err, WB_ENOTFOUND, "%s: cannot open the catalogue directory", dir);
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        const char *f = de->d_name;
        size_t n = strlen(f);
        if (f[0] == '.') continue;
        if (n > 5 && strcmp(f + n - 5, ".yaml") == 0)
            rc = catset_put(set, dir, f, n - 5, err);
        else if (n > 4 && strcmp(f + n - 4, ".yml") == 0)
            rc = catset_put(set, dir, f, n - 4, err);
    }
    closedir(d);
    if (set->n > 1) qsort(set->e, set->n, sizeof *set->e, entry_cmp);
    return rc;
}

size_t wb_catset_count(const wb_catset *set)
{
    return set->n;
}

const char *wb_catset_name(const wb_catset *set, size_t i)
{
    return i < set->n ? set->e[i].name : NULL;
}

const char *wb_catset_path(const wb_catset *set, size_t i)
{
    return i < set->n ? set->e[i].path : NULL;
}

int wb_catset_get(wb_catset *set, const char *name, const wb_catalogue **out, wb_error *err)
{
    *out = NULL;
    for (size_t i = 0; i < set->n; i++) {
        if (strcmp(set->e[i].name, name) != 0) continue;
        if (set->e[i].cat == NULL) {
            wb_catalogue *cat;
            int rc = wb_catalogue_load(set->e[i].path, &cat, err);
            if (rc) return rc;
            /* the name is the one listed, even when the file was compressed */
            cat->name = set->e[i].name;
            set->e[i].cat = cat;
        }
        *out = set->e[i].cat;
        return 0;
    }
    wb_buf names = {0};
    for (size_t i = 0; i < set->n; i++)
        wb_buf_printf(&names, "%s%s", i ? ", " : "", set->e[i].name);
    wb_error_set(err, WB_ENOTFOUND, "unknown catalogue '%s' (there are: %s)", name,
                 names.data ? names.data : "none");
    wb_buf_free(&names);
    return WB_ENOTFOUND;
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int wb_catalogue_default_dir(char *out, size_t cap, wb_error *err)
{
    const char *env = getenv("WEERBAAR_CATALOGUES");
    if (env && env[0]) {
        snprintf(out, cap, "%s", env);
        return 0;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) n = 0; /* no /proc: only the installed prefix is left to try */
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    /* Relative to the program first, so that an installed tree can be moved
     * (or installed with any --prefix) and still find its own catalogues:
     * installed ($prefix/bin/weerbaar), then a build directory in the source
     * tree (build/weerbaar next to data/), then the prefix this program was
     * configured for (WB_DATADIR, from CMake's install directories). */
    static const char *const rel[] = {"/../share/weerbaar/catalogues", "/../data/catalogues"};
    for (size_t i = 0; n > 0 && i < sizeof rel / sizeof rel[0]; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s%s", exe, rel[i]);
        if (is_dir(p)) {
            snprintf(out, cap, "%s", p);
            return 0;
        }
    }
#ifdef WB_DATADIR
    if (is_dir(WB_DATADIR "/catalogues")) {
        snprintf(out, cap, "%s", WB_DATADIR "/catalogues");
        return 0;
    }
#define WB_DATADIR_NOTE " or " WB_DATADIR "/catalogues"
#else
#define WB_DATADIR_NOTE ""
#endif
    if (n == 0)
        return wb_error_set(err, WB_ENOTFOUND,
                            "no built-in catalogues (no /proc/self/exe)%s; set "
                            "WEERBAAR_CATALOGUES or use --catalogues DIR",
                            WB_DATADIR_NOTE);
    return wb_error_set(err, WB_ENOTFOUND,
                        "no built-in catalogues at %s/../share/weerbaar/catalogues, "
                        "%s/../data/catalogues%s; set WEERBAAR_CATALOGUES or use --catalogues DIR",
                        exe, exe, WB_DATADIR_NOTE);
#undef WB_DATADIR_NOTE
}

/* Short titles after the wording of NIS2 Art. 21(2) and its Dutch text as
 * the Cbw control framework quotes it. */
static const char *const measure_titles[WB_NIS2_MEASURES][2] = {
    {"policies on risk analysis and information system security",
     "beleid inzake risicoanalyse en beveiliging van informatiesystemen"},
    {"incident handling", "incidentenbehandeling"},
    {"business continuity, backup management, disaster recovery, crisis management",
     "bedrijfscontinuïteit, back-upbeheer, herstel na een calamiteit, crisisbeheer"},
    {"supply chain security", "beveiliging van de toeleveringsketen"},
    {"security in acquisition, development and maintenance, vulnerability handling",
     "beveiliging bij verwerving, ontwikkeling en onderhoud, omgang met kwetsbaarheden"},
    {"assessing the effectiveness of cybersecurity measures",
     "beoordelen van de effectiviteit van de maatregelen"},
    {"basic cyber hygiene and cybersecurity training",
     "basispraktijken voor cyberhygiëne en cyberbeveiligingsopleidingen"},
    {"cryptography and encryption", "cryptografie en versleuteling"},
    {"human resources security, access control, asset management",
     "personeelsbeveiliging, toegangsbeleid en beheer van activa"},
    {"multi-factor or continuous authentication, secured communications",
     "multifactor- of continue authenticatie, beveiligde communicatie"},
};

const char *wb_nis2_measure_title(int i, const char *lang)
{
    if (i < 0 || i >= WB_NIS2_MEASURES) return "";
    return measure_titles[i][lang && strcmp(lang, "nl") == 0 ? 1 : 0];
}
