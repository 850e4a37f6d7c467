/*
 * render.c - the picture for people: a self-contained HTML page with SVG
 * bar charts (no script) and an A4 PDF through the page layer of report.h,
 * both in Dutch or English, both drawn from the picture's JSON
 * (docs/picture.md) so that they show exactly its numbers and its
 * suppressions. Every chart has its numbers in a table beside it.
 *
 * The JSON may come from a hub (`picture --hub`), so it is read as
 * untrusted: every member is looked up by type, a missing or mistyped one is
 * shown as absent, and the sizes are bounded (fuzz/fuzz_picture_render.c).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weerbaar/picture.h"
#include "weerbaar/report.h"

/* Rows a table of the picture may have in a rendering. */
#define ROWS_MAX 400

typedef struct texts {
    const char *title, *period, *previous, *k_pre, *k_post, *orgs, *suppressed, *withheld, *key,
        *incidents, *prev_col, *change, *reports, *on_time, *median_late, *median_answer, *no_data,
        *by[4], *themes[5], *theme_notes[5], *deps, *deps_note, *deps_sector, *deps_leaving,
        *deps_critical, *viewer, *total, *legend_prev, *footer;
} texts;

static const texts nl = {
    "Dreigingsbeeld van de achterban",
    "Periode",
    "vergeleken met",
    "Elke gepubliceerde cel telt ten minste ",
    " organisaties; kleinere cellen zijn onderdrukt en tellen nergens mee, ook niet in totalen.",
    "organisaties in beeld",
    "onderdrukt",
    "niet getoond",
    "",
    "incidenten",
    "vorige periode",
    "verschil",
    "meldingen",
    "op tijd",
    "mediane overschrijding (uur)",
    "mediane antwoordtijd (uur)",
    "geen gegevens",
    {"Per sector", "Per soort (RSIT)", "Per maand", "Per ernst"},
    {"Incidenten", "Vroegtijdige waarschuwing (24 uur)", "Incidentmelding (72 uur)",
     "Eindverslag (een maand na de melding)", "Antwoord van het CSIRT"},
    {"Incidenten waarvan de organisatie in de periode op de hoogte raakte.",
     "Aandeel vroegtijdige waarschuwingen binnen 24 uur na het bewustwordingsmoment; mediane "
     "overschrijding van de late.",
     "Aandeel incidentmeldingen binnen 72 uur na het bewustwordingsmoment.",
     "Aandeel eindverslagen binnen een kalendermaand na de incidentmelding.",
     "Eerste reactie van het CSIRT (ontvangstbevestiging) na de eerste melding: aandeel binnen 24 "
     "uur en mediane tijd."},
    "Afhankelijkheden",
    "Gedeelde afhankelijkheidsbeelden (nieuwste versie per organisatie), per sector.",
    "sector",
    "aandeel verkeer buiten EU/EER (%)",
    "kritieke afhankelijkheden buiten EU/EER (%)",
    "Gezien als",
    "totaal",
    "vorige periode",
    "weerbaar dreigingsbeeld"};

static const texts en = {
    "Threat picture of the constituency",
    "Period",
    "compared with",
    "Every published cell counts at least ",
    " organisations; smaller cells are suppressed and counted nowhere, totals included.",
    "organisations in view",
    "suppressed",
    "withheld",
    "",
    "incidents",
    "previous period",
    "change",
    "reports",
    "on time",
    "median lateness (hours)",
    "median answer time (hours)",
    "no data",
    {"By sector", "By type (RSIT)", "By month", "By severity"},
    {"Incidents", "Early warning (24 hours)", "Incident notification (72 hours)",
     "Final report (one month after the notification)", "The CSIRT's answer"},
    {"Incidents the organisation became aware of in the period.",
     "Share of early warnings within 24 hours of awareness; median lateness of the late ones.",
     "Share of incident notifications within 72 hours of awareness.",
     "Share of final reports within one calendar month of the notification.",
     "The CSIRT's first answer (acknowledgement) after the first report: share within 24 hours "
     "and the median time."},
    "Dependencies",
    "Shared dependency pictures (each organisation's newest), by sector.",
    "sector",
    "traffic leaving the EU/EEA (%)",
    "critical dependencies leaving the EU/EEA (%)",
    "Viewed as",
    "total",
    "previous period",
    "weerbaar threat picture"};

static const char *const theme_keys[5] = {"incidents", "early_warning", "notification",
                                          "final_report", "csirt_answer"};
static const char *const table_keys[4] = {"sector", "type", "month", "severity"};

/* One row of a table as shown: text cells and the bar's values. */
typedef struct row {
    char key[256]; /* an identifier (a sector, an indicator): never cut */
    char cols[4][40];
    double bar, prev;
    bool has_bar, has_prev;
} row;

typedef struct table {
    row *rows;
    size_t n;
    const char *head[5];
    size_t ncols; /* besides the key */
    double max;
    bool percent;
    bool decimal;  /* the bars' numbers have a fraction */
    bool no_total; /* a list: no total row first */
} table;

static const texts *lang_texts(const char *lang)
{
    return lang && strcmp(lang, "en") == 0 ? &en : &nl;
}

static void fmt_num(char *out, size_t cap, json_t *v, bool percent)
{
    if (json_is_integer(v))
        snprintf(out, cap, "%lld", (long long)json_integer_value(v));
    else if (json_is_number(v))
        snprintf(out, cap, percent ? "%.0f%%" : "%.1f",
                 percent ? 100 * json_number_value(v) : json_number_value(v));
    else
        snprintf(out, cap, "-");
}

/* The rows of one table of one theme (theme 0: incidents; else
 * timeliness). The total comes first. */
static int table_read(json_t *th, int theme, json_t *arr, const texts *t, table *tb)
{
    memset(tb, 0, sizeof *tb);
    size_t n = json_array_size(arr) + 1;
    if (n > ROWS_MAX) n = ROWS_MAX;
    tb->rows = calloc(n, sizeof *tb->rows);
    if (!tb->rows) return WB_ENOMEM;
    tb->percent = theme != 0;
    if (theme == 0) {
        tb->head[0] = t->incidents;
        tb->head[1] = t->prev_col;
        tb->head[2] = t->change;
        tb->ncols = 3;
    } else {
        tb->head[0] = t->reports;
        tb->head[1] = t->on_time;
        tb->head[2] = theme == 4 ? t->median_answer : t->median_late;
        tb->head[3] = t->prev_col;
        tb->ncols = 4;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *c = i == 0 ? json_object_get(th, "total") : json_array_get(arr, i - 1);
        if (!json_is_object(c)) continue;
        row *r = &tb->rows[tb->n++];
        const char *key = i == 0 ? t->total : json_string_value(json_object_get(c, "key"));
        snprintf(r->key, sizeof r->key, "%s", key ? key : "?");
        bool sup = json_is_true(json_object_get(c, "suppressed"));
        const char *main = theme == 0 ? "incidents" : "on_time_share";
        json_t *v = json_object_get(c, main);
        if (!sup && json_is_number(v)) {
            r->bar = json_number_value(v) * (tb->percent ? 100 : 1);
            r->has_bar = isfinite(r->bar) && r->bar >= 0;
            if (r->has_bar && r->bar > tb->max && i > 0) tb->max = r->bar;
            if (r->has_bar && i == 0 && tb->percent && r->bar > tb->max) tb->max = r->bar;
        }
        json_t *pv = json_object_get(c, "previous");
        if (theme == 0 && json_is_integer(pv)) {
            r->prev = (double)json_integer_value(pv);
            r->has_prev = i > 0;
            if (r->has_prev && r->prev > tb->max) tb->max = r->prev;
        }
        if (sup) {
            snprintf(r->cols[0], sizeof r->cols[0], "%s", t->suppressed);
        } else if (theme == 0) {
            fmt_num(r->cols[0], sizeof r->cols[0], v, false);
        } else {
            fmt_num(r->cols[0], sizeof r->cols[0], json_object_get(c, "reports"), false);
            fmt_num(r->cols[1], sizeof r->cols[1], v, true);
            json_t *m = json_object_get(c, theme == 4 ? "median_hours" : "median_late_hours");
            if (json_is_true(json_object_get(c, theme == 4 ? "median_hours_suppressed"
                                                           : "median_late_hours_suppressed")))
                snprintf(r->cols[2], sizeof r->cols[2], "%s", t->suppressed);
            else
                fmt_num(r->cols[2], sizeof r->cols[2], m, false);
        }
        char *pc = theme == 0 ? r->cols[1] : r->cols[3];
        if (json_is_true(json_object_get(c, "previous_suppressed")))
            snprintf(pc, 40, "%s", t->suppressed);
        else
            fmt_num(pc, 40, pv, false);
        if (theme == 0) {
            json_t *ch = json_object_get(c, "change");
            if (json_is_integer(ch))
                snprintf(r->cols[2], sizeof r->cols[2], "%+lld", (long long)json_integer_value(ch));
            else if (json_is_true(json_object_get(c, "change_withheld")))
                snprintf(r->cols[2], sizeof r->cols[2], "%s", t->withheld);
            else
                snprintf(r->cols[2], sizeof r->cols[2], "-");
        }
    }
    if (tb->percent) tb->max = 100;
    if (tb->max <= 0) tb->max = 1;
    (void)th;
    return 0;
}

/* The dependency view's sector rows as a table of two percentages. */
static int deps_read(json_t *deps, const texts *t, table *tb)
{
    memset(tb, 0, sizeof *tb);
    json_t *secs = json_object_get(deps, "sectors");
    size_t n = json_array_size(secs) + 1;
    if (n > ROWS_MAX) n = ROWS_MAX;
    tb->rows = calloc(n, sizeof *tb->rows);
    if (!tb->rows) return WB_ENOMEM;
    tb->percent = true;
    tb->max = 100;
    tb->head[0] = t->orgs;
    tb->head[1] = t->deps_leaving;
    tb->head[2] = t->deps_critical;
    tb->ncols = 3;
    for (size_t i = 0; i < n; i++) {
        json_t *s = i == 0 ? json_object_get(deps, "total") : json_array_get(secs, i - 1);
        if (!json_is_object(s)) continue;
        row *r = &tb->rows[tb->n++];
        const char *name = i == 0 ? t->total : json_string_value(json_object_get(s, "sector"));
        snprintf(r->key, sizeof r->key, "%s", name ? name : "(none)");
        json_t *o = json_object_get(s, "organisations");
        if (json_is_true(json_object_get(s, "suppressed")) || (i > 0 && !json_is_integer(o)))
            snprintf(r->cols[0], sizeof r->cols[0], "%s", t->suppressed);
        else
            fmt_num(r->cols[0], sizeof r->cols[0], o, false);
        static const char *const cells[2] = {"share_leaving_eu_eea",
                                             "critical_dependencies_leaving_eu_eea"};
        for (int c = 0; c < 2; c++) {
            json_t *cell = json_object_get(s, cells[c]);
            json_t *v = json_object_get(cell, "share");
            if (json_is_true(json_object_get(cell, "suppressed")) || !json_is_number(v)) {
                snprintf(r->cols[c + 1], sizeof r->cols[c + 1], "%s",
                         json_is_true(json_object_get(cell, "suppressed")) ? t->suppressed : "-");
                continue;
            }
            fmt_num(r->cols[c + 1], sizeof r->cols[c + 1], v, true);
            if (c == 1) {
                r->bar = 100 * json_number_value(v);
                r->has_bar = isfinite(r->bar) && r->bar >= 0 && r->bar <= 100;
            }
        }
    }
    return 0;
}

/* ---- the themes from sightings, scans and assessments --------------------------- */

/* Texts of these themes, Dutch and English. */
enum {
    X_SIGHT,
    X_SIGHT_NOTE,
    X_EXPO,
    X_EXPO_NOTE,
    X_RES,
    X_RES_NOTE,
    X_BY_SECTOR,
    X_BY_TYPE,
    X_BY_MONTH,
    X_BY_THREAT,
    X_BY_PRINCIPLE,
    X_SIGHTINGS,
    X_ORGS,
    X_HOURS_FIRST,
    X_PREV,
    X_SCANS,
    X_KEV_OVERDUE,
    X_DAYS_OVERDUE,
    X_ASSESSED,
    X_COVERAGE,
    X_MEAN,
    X_TOP_IND,
    X_TOP_VULN,
    X_COUNT
};
static const char *const xt[X_COUNT][2] = {
    {"Waarnemingen", "Sightings"},
    {"Waarnemingen (sightings) van gedeelde indicatoren door organisaties in beeld, die de kijker "
     "volgens het deelbeleid (TLP) mag lezen; waarden alleen van TLP:CLEAR.",
     "Sightings of shared indicators by organisations in view that the viewer may read under the "
     "sharing policy (TLP); values only from TLP:CLEAR."},
    {"Kwetsbaarheden", "Exposure"},
    {"Kwetsbaarheidsscans die organisaties met het CSIRT delen (per inventaris de nieuwste voor "
     "het "
     "einde van de periode): bekend misbruikte (KEV) en over de termijn.",
     "Vulnerability scans organisations share with the CSIRT (each inventory's newest before the "
     "period's end): known exploited (KEV) and overdue."},
    {"Weerbaarheid", "Resilience"},
    {"Gedeelde zelfbeoordelingen van de zorgplicht: deelname per sector en gemiddelde score (0-5), "
     "per sector en per basisprincipe.",
     "Shared self-assessments of the duty of care: coverage per sector and the mean score (0-5), "
     "by sector and by basic principle."},
    {"Per sector", "By sector"},
    {"Per soort indicator", "By indicator type"},
    {"Per maand", "By month"},
    {"Per dreiging", "By threat"},
    {"Per basisprincipe", "By basic principle"},
    {"waarnemingen", "sightings"},
    {"organisaties", "organisations"},
    {"mediane uren tot eerste waarneming", "median hours to first sighting"},
    {"vorige periode (verschil)", "previous period (change)"},
    {"scans", "scans"},
    {"KEV over termijn", "KEV overdue"},
    {"mediane dagen over termijn", "median days overdue"},
    {"organisaties beoordeeld", "organisations assessed"},
    {"deelname", "coverage"},
    {"gemiddelde score", "mean score"},
    {"Indicatoren die de meeste organisaties zagen (TLP:CLEAR)",
     "Indicators seen by the most organisations (TLP:CLEAR)"},
    {"Kwetsbaarheden bij de meeste organisaties",
     "Vulnerabilities affecting the most organisations"},
};

typedef struct xcol {
    const char *key;
    int head;
    char fmt; /* 'i' whole number, 'r' one decimal, 'p' share as a percentage */
} xcol;

typedef struct xtheme {
    const char *key;
    int title, note;
    const char *by[4];
    int by_title[4];
    bool chart[4];
    xcol cols[3]; /* the first is the bar; then the previous period */
    double max;   /* the bars' scale; 0: from the numbers */
    const char *top;
    int top_title;
} xtheme;

static const xtheme xthemes[3] = {
    {"sightings",
     X_SIGHT,
     X_SIGHT_NOTE,
     {"sector", "type", "threat", "month"},
     {X_BY_SECTOR, X_BY_TYPE, X_BY_THREAT, X_BY_MONTH},
     {true, true, false, false},
     {{"sightings", X_SIGHTINGS, 'i'},
      {"organisations", X_ORGS, 'i'},
      {"median_hours_to_first_sighting", X_HOURS_FIRST, 'r'}},
     0,
     "top_indicators",
     X_TOP_IND},
    {"exposure",
     X_EXPO,
     X_EXPO_NOTE,
     {"sector", NULL, NULL, NULL},
     {X_BY_SECTOR, 0, 0, 0},
     {true, false, false, false},
     {{"kev_overdue_findings", X_KEV_OVERDUE, 'i'},
      {"scans", X_SCANS, 'i'},
      {"median_days_overdue", X_DAYS_OVERDUE, 'r'}},
     0,
     "top_vulnerabilities",
     X_TOP_VULN},
    {"resilience",
     X_RES,
     X_RES_NOTE,
     {"sector", "principle", NULL, NULL},
     {X_BY_SECTOR, X_BY_PRINCIPLE, 0, 0},
     {true, true, false, false},
     {{"mean_score", X_MEAN, 'r'},
      {"organisations", X_ASSESSED, 'i'},
      {"coverage", X_COVERAGE, 'p'}},
     5,
     NULL,
     0},
};

static void fmt_x(char *out, size_t cap, json_t *c, const xcol *col, const texts *t)
{
    char sup[80];
    snprintf(sup, sizeof sup, "%s_suppressed", col->key);
    json_t *v = json_object_get(c, col->key);
    if (json_is_true(json_object_get(c, sup)))
        snprintf(out, cap, "%s", t->suppressed);
    else if (col->fmt == 'p' && json_is_number(v))
        snprintf(out, cap, "%.0f%%", 100 * json_number_value(v));
    else
        fmt_num(out, cap, v, false);
}

/* The rows of one table of theme x (the total first). lang: 0 nl, 1 en. */
static int xtable_read(json_t *th, const xtheme *x, json_t *arr, const texts *t, int lang,
                       table *tb)
{
    memset(tb, 0, sizeof *tb);
    size_t n = json_array_size(arr) + 1;
    if (n > ROWS_MAX) n = ROWS_MAX;
    tb->rows = calloc(n, sizeof *tb->rows);
    if (!tb->rows) return WB_ENOMEM;
    for (int c = 0; c < 3; c++)
        tb->head[c] = xt[x->cols[c].head][lang];
    tb->head[3] = xt[X_PREV][lang];
    tb->ncols = 4;
    tb->decimal = x->cols[0].fmt == 'r';
    for (size_t i = 0; i < n; i++) {
        json_t *c = i == 0 ? json_object_get(th, "total") : json_array_get(arr, i - 1);
        if (!json_is_object(c)) continue;
        row *r = &tb->rows[tb->n++];
        const char *key = i == 0 ? t->total : json_string_value(json_object_get(c, "key"));
        snprintf(r->key, sizeof r->key, "%s", key ? key : "?");
        bool sup = json_is_true(json_object_get(c, "suppressed"));
        json_t *v = json_object_get(c, x->cols[0].key);
        if (!sup && json_is_number(v)) {
            r->bar = json_number_value(v);
            r->has_bar = isfinite(r->bar) && r->bar >= 0;
            if (r->has_bar && i > 0 && r->bar > tb->max) tb->max = r->bar;
        }
        json_t *pv = json_object_get(c, "previous");
        if (json_is_number(pv) && i > 0) {
            r->prev = json_number_value(pv);
            r->has_prev = isfinite(r->prev) && r->prev >= 0;
            if (r->has_prev && r->prev > tb->max) tb->max = r->prev;
        }
        if (sup)
            snprintf(r->cols[0], sizeof r->cols[0], "%s", t->suppressed);
        else
            for (int k = 0; k < 3; k++)
                fmt_x(r->cols[k], sizeof r->cols[k], c, &x->cols[k], t);
        char prev[24], chg[24] = "";
        if (json_is_true(json_object_get(c, "previous_suppressed")))
            snprintf(prev, sizeof prev, "%s", t->suppressed);
        else
            fmt_num(prev, sizeof prev, pv, false);
        json_t *ch = json_object_get(c, "change");
        if (json_is_integer(ch))
            snprintf(chg, sizeof chg, " (%+lld)", (long long)json_integer_value(ch));
        else if (json_is_number(ch))
            snprintf(chg, sizeof chg, " (%+.2f)", json_number_value(ch));
        else if (json_is_true(json_object_get(c, "change_withheld")))
            snprintf(chg, sizeof chg, " (%.16s)", t->withheld);
        snprintf(r->cols[3], sizeof r->cols[3], "%s%s", prev, chg);
    }
    if (x->max > 0) tb->max = x->max;
    if (tb->max <= 0) tb->max = 1;
    return 0;
}

/* A top list (key, organisations) as a table without a chart. */
static int xtop_read(json_t *arr, const texts *t, int lang, table *tb)
{
    memset(tb, 0, sizeof *tb);
    size_t n = json_array_size(arr);
    if (n > ROWS_MAX) n = ROWS_MAX;
    tb->rows = calloc(n + 1, sizeof *tb->rows);
    if (!tb->rows) return WB_ENOMEM;
    tb->head[0] = xt[X_ORGS][lang];
    tb->ncols = 1;
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(arr, i);
        const char *key = json_string_value(json_object_get(c, "key"));
        if (!key) continue;
        row *r = &tb->rows[tb->n++];
        snprintf(r->key, sizeof r->key, "%s", key);
        json_t *v = json_object_get(c, "organisations");
        fmt_num(r->cols[0], sizeof r->cols[0], v, false);
        if (json_is_integer(v) && json_integer_value(v) > 0) {
            r->bar = (double)json_integer_value(v);
            r->has_bar = true;
            if (r->bar > tb->max) tb->max = r->bar;
        }
    }
    tb->no_total = true;
    if (tb->max <= 0) tb->max = 1;
    (void)t;
    return 0;
}

/* The date of an RFC 3339 time member ("2026-11-01"), else the member. */
static const char *date_of(json_t *o, const char *k, char *buf, size_t cap)
{
    const char *s = json_string_value(json_object_get(o, k));
    if (!s) return "?";
    snprintf(buf, cap, "%.10s", s);
    return buf;
}

static const char *str_of(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "?";
}

/* ---- HTML -------------------------------------------------------------------------- */

static void esc(wb_buf *b, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<':
            wb_buf_puts(b, "&lt;");
            break;
        case '>':
            wb_buf_puts(b, "&gt;");
            break;
        case '&':
            wb_buf_puts(b, "&amp;");
            break;
        case '"':
            wb_buf_puts(b, "&quot;");
            break;
        case '\'':
            wb_buf_puts(b, "&#39;");
            break;
        default:
            wb_buf_putc(b, *s);
        }
}

static void html_table(wb_buf *b, const table *tb, const char *caption, const texts *t)
{
    (void)t;
    wb_buf_puts(b, "<section class=\"tab\"><h3>");
    esc(b, caption);
    wb_buf_puts(b, "</h3><div class=\"pair\">");
    /* the chart: one bar per row with a value, the previous period under it */
    size_t first = tb->no_total ? 0 : 1, nb = tb->n > first ? tb->n - first : 0;
    double h = 22.0 * (double)(nb ? nb : 1) + 10;
    wb_buf_printf(b,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"420\" height=\"%.0f\" "
                  "role=\"img\" viewBox=\"0 0 420 %.0f\">",
                  h, h);
    for (size_t i = first; i < tb->n; i++) {
        const row *r = &tb->rows[i];
        double y = 5 + 22.0 * (double)(i - first);
        wb_buf_printf(b, "<text x=\"168\" y=\"%.0f\" text-anchor=\"end\" font-size=\"11\">",
                      y + 13);
        esc(b, r->key);
        wb_buf_puts(b, "</text>");
        if (r->has_bar)
            wb_buf_printf(
                b,
                "<rect x=\"172\" y=\"%.0f\" width=\"%.1f\" height=\"12\" "
                "fill=\"#1f5f8b\"/><text x=\"%.1f\" y=\"%.0f\" font-size=\"10\">%s</text>",
                y + 2, 200 * r->bar / tb->max, 176 + 200 * r->bar / tb->max, y + 12,
                r->cols[tb->percent && tb->ncols == 4 ? 1
                                                      : (tb->ncols == 3 && tb->percent ? 2 : 0)]);
        else
            wb_buf_printf(b, "<text x=\"174\" y=\"%.0f\" font-size=\"10\" fill=\"#888\">%s</text>",
                          y + 12, r->cols[0]);
        if (r->has_prev)
            wb_buf_printf(b,
                          "<rect x=\"172\" y=\"%.0f\" width=\"%.1f\" height=\"4\" "
                          "fill=\"#9ab\"/>",
                          y + 15, 200 * r->prev / tb->max);
    }
    wb_buf_puts(b, "</svg><table><thead><tr><th></th>");
    for (size_t c = 0; c < tb->ncols; c++) {
        wb_buf_puts(b, "<th>");
        esc(b, tb->head[c]);
        wb_buf_puts(b, "</th>");
    }
    wb_buf_puts(b, "</tr></thead><tbody>");
    for (size_t i = 0; i < tb->n; i++) {
        wb_buf_puts(b, i == 0 && !tb->no_total ? "<tr class=\"total\"><th>" : "<tr><th>");
        esc(b, tb->rows[i].key);
        wb_buf_puts(b, "</th>");
        for (size_t c = 0; c < tb->ncols; c++) {
            wb_buf_puts(b, "<td>");
            esc(b, tb->rows[i].cols[c]);
            wb_buf_puts(b, "</td>");
        }
        wb_buf_puts(b, "</tr>");
    }
    wb_buf_puts(b, "</tbody></table></div></section>\n");
}

/* A theme of xthemes: its tables and its top list, or why it has no data. */
static int html_xtheme(wb_buf *out, json_t *tj, const xtheme *x, const texts *t, int lang)
{
    if (!json_is_object(tj)) return 0;
    wb_buf_puts(out, "<h2>");
    esc(out, xt[x->title][lang]);
    wb_buf_puts(out, "</h2><p class=\"note\">");
    const char *reason = json_string_value(json_object_get(tj, "reason"));
    if (json_is_false(json_object_get(tj, "data"))) {
        esc(out, t->no_data);
        if (reason) {
            wb_buf_puts(out, ": ");
            esc(out, reason);
        }
        wb_buf_puts(out, "</p>\n");
        return 0;
    }
    esc(out, xt[x->note][lang]);
    wb_buf_puts(out, "</p>\n");
    int rc = 0;
    for (int d = 0; d < 4 && x->by[d] && rc == 0; d++) {
        table tb;
        rc = xtable_read(tj, x, json_object_get(json_object_get(tj, "by"), x->by[d]), t, lang, &tb);
        if (rc == 0) html_table(out, &tb, xt[x->by_title[d]][lang], t);
        free(tb.rows);
    }
    json_t *top = x->top ? json_object_get(tj, x->top) : NULL;
    if (rc == 0 && json_array_size(top) > 0) {
        table tb;
        rc = xtop_read(top, t, lang, &tb);
        if (rc == 0) html_table(out, &tb, xt[x->top_title][lang], t);
        free(tb.rows);
    }
    return rc;
}

static const char css[] =
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
    "h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;margin-top:2em}h3{font-size:1em}"
    ".pair{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}"
    "table{border-collapse:collapse;font-size:.85em}th,td{padding:.2em .6em;text-align:right}"
    "tbody th{text-align:left;font-weight:normal}tr.total{font-weight:bold}"
    "thead th{border-bottom:1px solid #999}.note{color:#555;font-size:.9em}";

int wb_picture_html(const char *json, size_t len, const char *lang, wb_buf *out, wb_error *err)
{
    const texts *t = lang_texts(lang);
    if (len > WB_PICTURE_JSON_MAX)
        return wb_error_set(err, WB_ELIMIT, "the picture is longer than %zu bytes",
                            (size_t)WB_PICTURE_JSON_MAX);
    json_t *doc = json_loadb(json, len, 0, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return wb_error_set(err, WB_EPARSE, "the picture is not a JSON object");
    }
    json_t *themes = json_object_get(doc, "themes");
    wb_buf_printf(out, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>",
                  t == &en ? "en" : "nl");
    esc(out, t->title);
    wb_buf_printf(out, "</title><style>%s</style></head><body>\n<h1>", css);
    esc(out, t->title);
    wb_buf_puts(out, "</h1><p>");
    json_t *p = json_object_get(doc, "period"), *pp = json_object_get(doc, "previous_period");
    wb_buf_printf(out, "%s: ", t->period);
    esc(out, str_of(p, "from"));
    wb_buf_puts(out, " &ndash; ");
    esc(out, str_of(p, "to"));
    wb_buf_printf(out, " (%s ", t->previous);
    esc(out, str_of(pp, "from"));
    wb_buf_puts(out, " &ndash; ");
    esc(out, str_of(pp, "to"));
    wb_buf_printf(out, ")<br>%s: ", t->viewer);
    esc(out, str_of(doc, "viewer"));
    wb_buf_printf(out, "; %lld %s</p><p class=\"note\">",
                  (long long)json_integer_value(json_object_get(doc, "organisations")), t->orgs);
    char note[256];
    snprintf(note, sizeof note, "%s%lld%s", t->k_pre,
             (long long)json_integer_value(json_object_get(doc, "k")), t->k_post);
    esc(out, note);
    wb_buf_puts(out, "</p>\n");
    int rc = 0;
    for (int th = 0; th < 5 && rc == 0; th++) {
        json_t *tj = json_object_get(themes, theme_keys[th]);
        if (!json_is_object(tj)) continue;
        wb_buf_puts(out, "<h2>");
        esc(out, t->themes[th]);
        wb_buf_puts(out, "</h2><p class=\"note\">");
        esc(out, t->theme_notes[th]);
        wb_buf_puts(out, "</p>\n");
        for (int d = 0; d < (th == 0 ? 4 : 1) && rc == 0; d++) {
            table tb;
            rc = table_read(tj, th, json_object_get(json_object_get(tj, "by"), table_keys[d]), t,
                            &tb);
            if (rc == 0) html_table(out, &tb, t->by[d], t);
            free(tb.rows);
        }
    }
    for (int x = 0; x < 3 && rc == 0; x++)
        rc = html_xtheme(out, json_object_get(themes, xthemes[x].key), &xthemes[x], t, t == &en);
    json_t *deps = json_object_get(themes, "dependencies");
    if (rc == 0 && json_is_object(deps)) {
        wb_buf_puts(out, "<h2>");
        esc(out, t->deps);
        wb_buf_puts(out, "</h2><p class=\"note\">");
        esc(out, t->deps_note);
        wb_buf_puts(out, "</p>\n");
        table tb;
        rc = deps_read(deps, t, &tb);
        if (rc == 0) html_table(out, &tb, t->by[0], t);
        free(tb.rows);
    }
    if (rc == 0) wb_buf_puts(out, "</body></html>\n");
    json_decref(doc);
    if (rc == 0 && !out->data) rc = WB_ENOMEM;
    if (rc < 0) return wb_error_set(err, rc, "out of memory rendering the picture");
    return 0;
}

/* ---- PDF ------------------------------------------------------------------------- */

/* A tick step of 1, 2 or 5 times a power of ten giving at most ten ticks. */
static double nice_step(double max)
{
    double step = 1;
    while (max / step > 10) {
        if (max / (step * 2) <= 10) return step * 2;
        if (max / (step * 5) <= 10) return step * 5;
        step *= 10;
    }
    return step;
}

static void pdf_table(wb_doc *d, const table *tb, const char *caption, const texts *t, bool chart)
{
    wb_doc_heading(d, caption, 140);
    size_t first = tb->no_total ? 0 : 1;
    if (chart && tb->n > first) {
        wb_doc_bar *bars = calloc(tb->n, sizeof *bars);
        if (bars) {
            size_t nb = 0;
            for (size_t i = first; i < tb->n; i++) {
                const row *r = &tb->rows[i];
                bars[nb++] = (wb_doc_bar){.label = r->key,
                                          .current = r->bar,
                                          .previous = r->prev,
                                          .has_current = r->has_bar,
                                          .has_previous = r->has_prev,
                                          .note = r->has_bar ? NULL : t->suppressed};
            }
            wb_doc_chart c = {.bars = bars,
                              .nbars = nb,
                              .max = tb->max,
                              .legend_current = tb->head[tb->percent && tb->ncols == 4 ? 1 : 0],
                              .legend_previous = tb->percent ? NULL : t->legend_prev,
                              .step = nice_step(tb->max),
                              .number = tb->percent   ? WB_CHART_PERCENT
                                        : tb->decimal ? WB_CHART_DECIMAL
                                                      : WB_CHART_INTEGER};
            wb_doc_chart_draw(d, &c);
            free(bars);
        }
    }
    double widths[5] = {2, 1.3, 1.3, 1.6, 1.3};
    bool right[5] = {false, true, true, true, true};
    const char *head[5] = {"", tb->head[0], tb->head[1], tb->head[2], tb->head[3]};
    wb_doc_table dt = {.ncols = tb->ncols + 1,
                       .widths = widths,
                       .header = head,
                       .align_right = right,
                       .max_lines = 2};
    wb_doc_table_head(d, &dt);
    for (size_t i = 0; i < tb->n; i++) {
        const row *r = &tb->rows[i];
        const char *cells[5] = {r->key, r->cols[0], r->cols[1], r->cols[2], r->cols[3]};
        wb_doc_table_row(d, &dt, cells);
    }
    wb_doc_space(d, 10);
}

/* A page of a theme of xthemes: the tables with charts where they help,
 * the top list, or why it has no data. */
static int pdf_xtheme(wb_doc *d, json_t *tj, const xtheme *x, const texts *t, int lang)
{
    if (!json_is_object(tj)) return 0;
    wb_doc_page_break(d);
    wb_doc_text(d, WB_STYLE_TITLE, xt[x->title][lang], 2);
    if (json_is_false(json_object_get(tj, "data"))) {
        char line[400];
        const char *reason = json_string_value(json_object_get(tj, "reason"));
        snprintf(line, sizeof line, "%s%s%s", t->no_data, reason ? ": " : "", reason ? reason : "");
        wb_doc_text(d, WB_STYLE_BODY, line, 3);
        return 0;
    }
    wb_doc_text(d, WB_STYLE_SMALL, xt[x->note][lang], 3);
    wb_doc_space(d, 8);
    for (int k = 0; k < 4 && x->by[k]; k++) {
        table tb;
        if (xtable_read(tj, x, json_object_get(json_object_get(tj, "by"), x->by[k]), t, lang, &tb) <
            0)
            return WB_ENOMEM;
        pdf_table(d, &tb, xt[x->by_title[k]][lang], t, x->chart[k]);
        free(tb.rows);
    }
    json_t *top = x->top ? json_object_get(tj, x->top) : NULL;
    if (json_array_size(top) > 0) {
        table tb;
        if (xtop_read(top, t, lang, &tb) < 0) return WB_ENOMEM;
        pdf_table(d, &tb, xt[x->top_title][lang], t, false);
        free(tb.rows);
    }
    return 0;
}

typedef struct pdf_job {
    json_t *doc;
    const texts *t;
} pdf_job;

static int pdf_render(void *ud, const char *path, wb_error *err)
{
    pdf_job *j = ud;
    const texts *t = j->t;
    json_t *doc = j->doc, *themes = json_object_get(doc, "themes");
    wb_doc *d;
    int rc = wb_doc_open(path, WB_PAGE_PDF, 96, WB_PICTURE_PDF_MAX_PAGES, t->footer, &d, err);
    if (rc < 0) return rc;
    wb_doc_set_title(d, t->title);
    /* the cover */
    wb_doc_space(d, 120);
    wb_doc_text(d, WB_STYLE_TITLE, t->title, 2);
    wb_doc_space(d, 12);
    json_t *p = json_object_get(doc, "period"), *pp = json_object_get(doc, "previous_period");
    char line[512];
    char dt[4][16];
    snprintf(line, sizeof line, "%s: %s - %s (%s %s - %s)", t->period,
             date_of(p, "from", dt[0], 16), date_of(p, "to", dt[1], 16), t->previous,
             date_of(pp, "from", dt[2], 16), date_of(pp, "to", dt[3], 16));
    wb_doc_text(d, WB_STYLE_BODY, line, 3);
    snprintf(line, sizeof line, "%s: %s; %lld %s", t->viewer, str_of(doc, "viewer"),
             (long long)json_integer_value(json_object_get(doc, "organisations")), t->orgs);
    wb_doc_text(d, WB_STYLE_BODY, line, 2);
    wb_doc_space(d, 20);
    char fig[3][40];
    wb_doc_figure figs[3];
    for (int i = 0; i < 3; i++) {
        json_t *tot = json_object_get(json_object_get(themes, theme_keys[i]), "total");
        json_t *v = json_object_get(tot, i == 0 ? "incidents" : "on_time_share");
        if (json_is_true(json_object_get(tot, "suppressed")) || !json_is_number(v))
            snprintf(fig[i], sizeof fig[i], "%s", t->suppressed);
        else
            fmt_num(fig[i], sizeof fig[i], v, i != 0);
        figs[i] = (wb_doc_figure){fig[i], t->themes[i], false};
    }
    wb_doc_figures(d, figs, 3);
    wb_doc_space(d, 20);
    snprintf(line, sizeof line, "%s%lld%s", t->k_pre,
             (long long)json_integer_value(json_object_get(doc, "k")), t->k_post);
    wb_doc_text(d, WB_STYLE_SMALL, line, 4);
    /* a page per theme */
    for (int th = 0; th < 5; th++) {
        json_t *tj = json_object_get(themes, theme_keys[th]);
        if (!json_is_object(tj)) continue;
        wb_doc_page_break(d);
        wb_doc_text(d, WB_STYLE_TITLE, t->themes[th], 2);
        wb_doc_text(d, WB_STYLE_SMALL, t->theme_notes[th], 3);
        wb_doc_space(d, 8);
        for (int dim = 0; dim < (th == 0 ? 4 : 1); dim++) {
            table tb;
            if (table_read(tj, th, json_object_get(json_object_get(tj, "by"), table_keys[dim]), t,
                           &tb) < 0) {
                wb_doc_close(d, NULL);
                return wb_error_set(err, WB_ENOMEM, "out of memory rendering the picture");
            }
            /* the month and severity tables of incidents: numbers only, so
             * the theme keeps to one page */
            pdf_table(d, &tb, t->by[dim], t, dim < 2);
            free(tb.rows);
        }
    }
    int lang = t == &en;
    for (int x = 0; x < 3; x++)
        if (pdf_xtheme(d, json_object_get(themes, xthemes[x].key), &xthemes[x], t, lang) < 0) {
            wb_doc_close(d, NULL);
            return wb_error_set(err, WB_ENOMEM, "out of memory rendering the picture");
        }
    json_t *deps = json_object_get(themes, "dependencies");
    wb_doc_page_break(d);
    wb_doc_text(d, WB_STYLE_TITLE, t->deps, 2);
    wb_doc_text(d, WB_STYLE_SMALL, t->deps_note, 3);
    wb_doc_space(d, 8);
    if (json_is_object(deps)) {
        table tb;
        if (deps_read(deps, t, &tb) == 0) pdf_table(d, &tb, t->by[0], t, true);
        free(tb.rows);
    }
    return wb_doc_close(d, err);
}

int wb_picture_pdf(const char *json, size_t len, const char *lang, const char *path, wb_error *err)
{
    json_t *doc = json_loadb(json, len, 0, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return wb_error_set(err, WB_EPARSE, "the picture is not a JSON object");
    }
    pdf_job j = {doc, lang_texts(lang)};
    int rc = pdf_render(&j, path, err);
    json_decref(doc);
    return rc;
}
