/*
 * cvss.c - CVSS base scores from vectors, for sources that give only the
 * vector (OSV's severity[]): v3.0 and v3.1 per the FIRST specification
 * (section 7 and its Appendix A rounding), v2 per the v2 guide section 3.2.1.
 * v4.0 scores need the specification's 270-entry macro-vector table and are
 * not computed here; callers store the vector with score 0.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/vulndata.h"

uint8_t wbi_cvss_version(const char *s)
{
    if (s == NULL) return 0;
    if (strcmp(s, "2.0") == 0 || strcmp(s, "2") == 0) return 20;
    if (strcmp(s, "3.0") == 0) return 30;
    if (strcmp(s, "3.1") == 0) return 31;
    if (strcmp(s, "4.0") == 0 || strcmp(s, "4") == 0) return 40;
    return 0;
}

typedef struct metric {
    const char *key;
    const char *vals; /* one letter per allowed value */
    int got;          /* index into vals, or -1 */
} metric;

/* Reads "K:V/K:V..." into the metrics table: each key at most once, each
 * value one of its letters. Keys not in the table (temporal and
 * environmental metrics) are accepted when their value is a single
 * letter, since they do not change the base score. */
static int read_metrics(const char *s, metric *m, size_t nm)
{
    while (*s) {
        const char *colon = strchr(s, ':');
        if (colon == NULL || colon == s) return WB_EINVAL;
        const char *end = strchr(colon, '/');
        if (end == NULL) end = colon + strlen(colon);
        size_t kl = (size_t)(colon - s), vl = (size_t)(end - colon - 1);
        if (vl == 0) return WB_EINVAL;
        bool known = false;
        for (size_t i = 0; i < nm; i++) {
            if (strlen(m[i].key) != kl || memcmp(m[i].key, s, kl) != 0) continue;
            known = true;
            if (m[i].got >= 0 || vl != 1) return WB_EINVAL;
            const char *p = strchr(m[i].vals, colon[1]);
            if (p == NULL || colon[1] == '\0') return WB_EINVAL;
            m[i].got = (int)(p - m[i].vals);
        }
        if (!known && vl > 2) return WB_EINVAL;
        s = *end ? end + 1 : end;
    }
    for (size_t i = 0; i < nm; i++)
        if (m[i].got < 0) return WB_EINVAL;
    return 0;
}

/* CVSS v3.1 Appendix A: round up to one decimal without floating-point
 * surprises (4.000000000000001 must stay 4.0). */
static double roundup31(double x)
{
    long long i = llround(x * 100000.0);
    if (i % 10000 == 0) return (double)i / 100000.0;
    return (floor((double)i / 10000.0) + 1.0) / 10.0;
}

static double roundup30(double x)
{
    return ceil(x * 10.0) / 10.0;
}

int wbi_cvss3_score(const char *vector, double *score, uint8_t *version)
{
    if (vector == NULL) return WB_EINVAL;
    uint8_t ver;
    if (strncmp(vector, "CVSS:3.1/", 9) == 0)
        ver = 31;
    else if (strncmp(vector, "CVSS:3.0/", 9) == 0)
        ver = 30;
    else
        return WB_EINVAL;
    metric m[] = {{"AV", "NALP", -1}, {"AC", "LH", -1}, {"PR", "NLH", -1}, {"UI", "NR", -1},
                  {"S", "UC", -1},    {"C", "HLN", -1}, {"I", "HLN", -1},  {"A", "HLN", -1}};
    if (read_metrics(vector + 9, m, sizeof m / sizeof m[0]) != 0) return WB_EINVAL;
    static const double av[] = {0.85, 0.62, 0.55, 0.2}, ac[] = {0.77, 0.44}, ui[] = {0.85, 0.62},
                        cia[] = {0.56, 0.22, 0.0};
    bool changed = m[4].got == 1;
    static const double pr_u[] = {0.85, 0.62, 0.27}, pr_c[] = {0.85, 0.68, 0.5};
    double pr = changed ? pr_c[m[2].got] : pr_u[m[2].got];
    double iss = 1.0 - (1.0 - cia[m[5].got]) * (1.0 - cia[m[6].got]) * (1.0 - cia[m[7].got]);
    double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
    double expl = 8.22 * av[m[0].got] * ac[m[1].got] * pr * ui[m[3].got];
    double (*up)(double) = ver == 31 ? roundup31 : roundup30;
    double base;
    if (impact <= 0)
        base = 0;
    else if (changed)
        base = up(fmin(1.08 * (impact + expl), 10.0));
    else
        base = up(fmin(impact + expl, 10.0));
    *score = base;
    if (version) *version = ver;
    return 0;
}

int wbi_cvss2_score(const char *vector, double *score)
{
    if (vector == NULL) return WB_EINVAL;
    if (strncmp(vector, "(", 1) == 0) vector++; /* NVD once wrote "(AV:N/...)" */
    char buf[256];
    size_t n = strlen(vector);
    if (n >= sizeof buf) return WB_EINVAL;
    memcpy(buf, vector, n + 1);
    if (n > 0 && buf[n - 1] == ')') buf[n - 1] = '\0';
    metric m[] = {{"AV", "LAN", -1}, {"AC", "HML", -1}, {"Au", "MSN", -1},
                  {"C", "NPC", -1},  {"I", "NPC", -1},  {"A", "NPC", -1}};
    if (read_metrics(buf, m, sizeof m / sizeof m[0]) != 0) return WB_EINVAL;
    static const double av[] = {0.395, 0.646, 1.0}, ac[] = {0.35, 0.61, 0.71},
                        au[] = {0.45, 0.56, 0.704}, cia[] = {0.0, 0.275, 0.660};
    double impact =
        10.41 * (1.0 - (1.0 - cia[m[3].got]) * (1.0 - cia[m[4].got]) * (1.0 - cia[m[5].got]));
    double expl = 20.0 * av[m[0].got] * ac[m[1].got] * au[m[2].got];
    double f = impact == 0 ? 0 : 1.176;
    double base = ((0.6 * impact) + (0.4 * expl) - 1.5) * f;
    *score = round(base * 10.0) / 10.0;
    if (*score < 0) *score = 0;
    return 0;
}
