/*
 * epss.c - FIRST's EPSS scores (https://www.first.org/epss/data_stats), the
 * daily CSV as FIRST publishes it, usually gzipped:
 *
 *     #model_version:v2023.03.01,score_date:2024-05-01T00:00:00+0000
 *     cve,epss,percentile
 *     CVE-1999-0001,0.01025,0.83286
 *
 * Lines starting with '#' are comments; the header names the columns (in
 * any order). Scores and percentiles must be numbers in [0, 1]. The file is
 * checked completely before the first score goes out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/vulndata.h"
#include "weerbaar/io.h"

#define EPSS_MAX_FIELD 64

static bool probability(const char *s, size_t n, double *out)
{
    char buf[EPSS_MAX_FIELD];
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (errno != 0 || end != buf + n || !(v >= 0.0 && v <= 1.0)) return false;
    *out = v;
    return true;
}

static int epss_pass(const char *path, const char *data, size_t len, wb_epss_sink *sink,
                     wb_error *err)
{
    int col_cve = -1, col_epss = -1, col_pct = -1;
    size_t line = 0;
    bool header = false;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && data[j] != '\n')
            j++;
        line++;
        const char *s = data + i;
        size_t n = j - i;
        i = j + 1;
        if (n > 0 && s[n - 1] == '\r') n--;
        if (n == 0 || s[0] == '#') continue;
        const char *f[8];
        size_t fl[8];
        int nf = 0;
        size_t st = 0;
        for (size_t k = 0; k <= n; k++)
            if (k == n || s[k] == ',') {
                if (nf == 8)
                    return wb_error_set(err, WB_EPARSE, "%s:%zu: too many fields", path, line);
                f[nf] = s + st;
                fl[nf++] = k - st;
                st = k + 1;
            }
        if (!header) {
            for (int k = 0; k < nf; k++) {
                if (wb_strn_ieq(f[k], fl[k], "cve"))
                    col_cve = k;
                else if (wb_strn_ieq(f[k], fl[k], "epss"))
                    col_epss = k;
                else if (wb_strn_ieq(f[k], fl[k], "percentile"))
                    col_pct = k;
            }
            if (col_cve < 0 || col_epss < 0)
                return wb_error_set(err, WB_EFORMAT,
                                    "%s:%zu: expected the header 'cve,epss,percentile'", path,
                                    line);
            header = true;
            continue;
        }
        wb_epss e = {0};
        char cve[EPSS_MAX_FIELD];
        int need = col_cve > col_epss ? col_cve : col_epss;
        if (col_pct > need) need = col_pct;
        if (nf <= need)
            return wb_error_set(err, WB_EPARSE, "%s:%zu: %d fields, expected %d", path, line, nf,
                                need + 1);
        if (fl[col_cve] < 5 || fl[col_cve] >= sizeof cve || !wb_strn_ieq(f[col_cve], 4, "CVE-"))
            return wb_error_set(err, WB_EPARSE, "%s:%zu: column cve: '%.*s' is not a CVE id", path,
                                line, (int)(fl[col_cve] > 40 ? 40 : fl[col_cve]), f[col_cve]);
        if (!probability(f[col_epss], fl[col_epss], &e.score))
            return wb_error_set(err, WB_EPARSE, "%s:%zu: column epss: not a number in [0, 1]", path,
                                line);
        if (col_pct >= 0 && !probability(f[col_pct], fl[col_pct], &e.percentile))
            return wb_error_set(err, WB_EPARSE, "%s:%zu: column percentile: not a number in [0, 1]",
                                path, line);
        if (sink == NULL) continue;
        memcpy(cve, f[col_cve], fl[col_cve]);
        cve[fl[col_cve]] = '\0';
        e.cve = cve;
        int rc = sink->add(sink, &e);
        if (rc != 0) {
            if (err == NULL || err->code == WB_OK)
                wb_error_set(err, rc, "%s:%zu: %s", path, line, wb_strerror(rc));
            return rc;
        }
    }
    if (!header) return wb_error_set(err, WB_EFORMAT, "%s: no 'cve,epss,percentile' header", path);
    return 0;
}

int wb_epss_load(const char *path, wb_epss_sink *sink, wb_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = wb_read_file(path, WBI_VULN_MAX_FILE, &data, &len, err);
    if (rc == 0) rc = epss_pass(path, data, len, NULL, err);
    if (rc == 0) rc = epss_pass(path, data, len, sink, err);
    free(data);
    return rc;
}

int wb_epss_score_date(const char *path, wb_time *out, wb_error *err)
{
    *out = WB_TIME_NONE;
    wb_input *in = NULL;
    wb_input_opts o = {.block_size = 4096, .max_line = 1 << 20};
    int rc = wb_input_open(&in, path, &o, err);
    if (rc != 0) return rc;
    wb_block b = {0};
    rc = wb_input_next(in, &b, err);
    if (rc > 0) {
        const char *nl = memchr(b.data, '\n', b.len);
        size_t n = nl ? (size_t)(nl - b.data) : b.len;
        static const char key[] = "score_date:";
        const char *p = NULL;
        if (n > 0 && b.data[0] == '#')
            for (size_t i = 0; i + sizeof key - 1 <= n; i++)
                if (memcmp(b.data + i, key, sizeof key - 1) == 0) {
                    p = b.data + i + sizeof key - 1;
                    break;
                }
        rc = 0;
        if (p) {
            size_t m = (size_t)(b.data + n - p);
            const char *comma = memchr(p, ',', m);
            if (comma) m = (size_t)(comma - p);
            while (m > 0 && (p[m - 1] == '\r' || p[m - 1] == ' '))
                m--;
            /* FIRST writes 2024-05-01T00:00:00+0000 (no colon in the offset):
             * the day is what counts, so the date alone is taken if needed */
            if (wb_time_parse(p, m, out) != 0 && (m < 10 || wb_time_parse(p, 10, out) != 0)) {
                *out = WB_TIME_NONE;
                rc = wb_error_set(err, WB_EPARSE, "%s: score_date '%.*s' is not a date", path,
                                  (int)(m > 40 ? 40 : m), p);
            }
        }
        wb_block_free(&b);
    }
    wb_input_close(in);
    return rc < 0 ? rc : 0;
}
