/*
 * board_html.c - the board report as one self-contained HTML page: inline
 * CSS, the principles chart as inline SVG, no scripts, fonts or images from
 * elsewhere, so it can be mailed or archived as it is. It shows the same
 * figures as the PDF (board.c), formatted by the same functions; every text
 * from the data is escaped.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_internal.h"
#include "weerbaar/report.h"

static const char css[] =
    "body{font-family:'DejaVu Sans',Verdana,sans-serif;color:#1b1f24;max-width:60em;"
    "margin:2em auto;padding:0 1em;font-size:14px;line-height:1.4}"
    "h1{color:#154273;font-size:1.8em;margin:0}"
    "h2{color:#154273;font-size:1.15em;border-bottom:1px solid #154273;margin:1.4em 0 .4em}"
    ".sub{margin:.2em 0 1em}.org{font-weight:bold;margin-top:.3em}"
    ".figs{display:flex;gap:.6em;flex-wrap:wrap}"
    ".fig{flex:1 1 9em;background:#f1f4f8;border-left:4px solid #154273;padding:.4em .7em}"
    ".fig.alert{border-left-color:#b3261e}.fig .v{font-size:1.7em;font-weight:bold;"
    "color:#154273}.fig.alert .v{color:#b3261e}.fig .c{font-size:.8em}"
    "table{border-collapse:collapse;width:100%;font-size:.9em}"
    "th{background:#f1f4f8;color:#154273;text-align:left;font-weight:bold}"
    "th,td{padding:.25em .4em;border-bottom:1px solid #d5dbe3;vertical-align:top}"
    "td.n{text-align:right}.more,.src{color:#5f6b7a;font-size:.8em}"
    ".late,.overdue{color:#b3261e;font-weight:bold}.met{color:#2e7d32}"
    "svg text{font-family:inherit}";

typedef struct html {
    wb_buf *b;
    int rc;
} html;

static void put(html *h, const char *s)
{
    if (h->rc == 0 && wb_buf_puts(h->b, s) != 0) h->rc = WB_ENOMEM;
}

static void esc(html *h, const char *s)
{
    if (h->rc == 0) h->rc = wbi_html_text(h->b, s ? s : "-");
}

/* A tag with escaped text: <tag>text</tag>. */
static void elem(html *h, const char *open, const char *text, const char *close)
{
    put(h, open);
    esc(h, text);
    put(h, close);
}

static void figure(html *h, const char *value, const char *caption, bool alert)
{
    put(h, alert ? "<div class=\"fig alert\"><div class=\"v\">"
                 : "<div class=\"fig\"><div "
                   "class=\"v\">");
    esc(h, value);
    put(h, "</div><div class=\"c\">");
    esc(h, caption);
    put(h, "</div></div>\n");
}

static void figures(html *h, const wb_board *b, const wbi_board_texts *t)
{
    char v[48], c[200];
    put(h, "<div class=\"figs\">\n");
    bool alert;
    wbi_board_maturity(b, t, v, sizeof v, c, sizeof c, &alert);
    figure(h, v, c, alert);
    double cov = b->overall.assessable
                     ? 100.0 * (double)b->overall.answered / (double)b->overall.assessable
                     : 0;
    snprintf(v, sizeof v, "%.0f%%", cov);
    snprintf(c, sizeof c, "%s: %zu/%zu", t->coverage, b->overall.answered, b->overall.assessable);
    figure(h, v, c, b->overall.answered < b->overall.assessable);
    snprintf(v, sizeof v, "%zu", b->ngaps);
    snprintf(c, sizeof c, "%s (%d)", t->gaps_below, b->target);
    figure(h, v, c, b->ngaps > 0);
    if (b->has_vuln) {
        snprintf(v, sizeof v, "%zu", b->vuln.overdue);
        snprintf(c, sizeof c, "%s; %zu %s", t->overdue_patches, b->vuln.overdue_kev,
                 t->of_which_kev);
        figure(h, v, c, b->vuln.overdue > 0);
    } else {
        figure(h, "-", t->no_scan, false);
    }
    if (b->has_incidents) {
        size_t n[4];
        wbi_board_deadline_counts(b, n);
        snprintf(v, sizeof v, "%zu", b->nincidents);
        snprintf(c, sizeof c, "%s %d; %zu %s", t->incidents_year, b->year,
                 n[WB_DEADLINE_LATE] + n[WB_DEADLINE_OVERDUE], t->missed);
        figure(h, v, c, n[WB_DEADLINE_LATE] + n[WB_DEADLINE_OVERDUE] > 0);
    } else {
        snprintf(c, sizeof c, "%s %d", t->incidents_year, b->year);
        figure(h, "-", c, false);
    }
    put(h, "</div>\n");
}

/* The chart as SVG, laid out like the PDF's: label, bar, previous bar,
 * target line, number. */
static void chart(html *h, const wb_board *b, const wbi_board_texts *t)
{
    const double lw = 300, bw = 290, row = 34, x0 = lw, scale = bw / WB_ASSESS_MAX_LEVEL;
    double height;
    bool any_prev = false;
    char s[512];
    size_t n = b->nprinciples < WB_BOARD_MAX_PRINCIPLES ? b->nprinciples : WB_BOARD_MAX_PRINCIPLES;
    elem(h, "<h2>", t->principles, "</h2>\n");
    if (n == 0) {
        snprintf(s, sizeof s, "%s %s.", b->catalogue, t->not_mapped);
        elem(h, "<p>", s, "</p>\n");
        return;
    }
    height = (double)n * row + 40;
    snprintf(s, sizeof s,
             "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 700 %.0f\" width=\"100%%\" "
             "role=\"img\">\n",
             height);
    put(h, s);
    for (int v = 0; v <= WB_ASSESS_MAX_LEVEL; v++) {
        double x = x0 + v * scale;
        snprintf(s, sizeof s,
                 "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#d5dbe3\"/>"
                 "<text x=\"%.1f\" y=\"%.0f\" font-size=\"10\" fill=\"#5f6b7a\" "
                 "text-anchor=\"middle\">%d</text>\n",
                 x, x, (double)n * row, x, (double)n * row + 12, v);
        put(h, s);
    }
    for (size_t i = 0; i < n; i++) {
        const wb_board_principle *p = &b->principles[i];
        double y = (double)i * row;
        char num[16];
        /* the label column holds about 46 characters at 11 px: a longer
         * title is cut, and whole in a tooltip */
        char label[256];
        snprintf(s, sizeof s, "<text x=\"0\" y=\"%.1f\" font-size=\"11\"><title>", y + 19);
        put(h, s);
        esc(h, p->title);
        snprintf(s, sizeof s, "</title>%zu. ", i + 1);
        put(h, s);
        esc(h, wbi_utf8_cut(p->title, 44, label, sizeof label));
        put(h, "</text>\n");
        wb_board_score_text(&p->current, num, sizeof num);
        if (p->current.has_value) {
            snprintf(
                s, sizeof s,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"13\" fill=\"#154273\"/>\n", x0,
                y + 7, fmax(round(p->current.value * 100) / 100, 0) * scale);
            put(h, s);
        }
        if (p->previous.has_value) {
            any_prev = true;
            snprintf(s, sizeof s,
                     "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"6\" fill=\"#a9b4c2\"/>\n",
                     x0, y + 22, fmax(p->previous.value, 0) * scale);
            put(h, s);
        }
        snprintf(s, sizeof s,
                 "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e17000\" "
                 "stroke-width=\"2.5\"/>\n"
                 "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" font-weight=\"bold\">%s</text>"
                 "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#5f6b7a\">%zu/%zu</text>\n",
                 x0 + b->target * scale, y + 3, x0 + b->target * scale, y + row - 4, x0 + bw + 8,
                 y + 19, num, x0 + bw + 48, y + 19, p->current.answered, p->current.assessable);
        put(h, s);
    }
    double ly = (double)n * row + 28;
    snprintf(s, sizeof s,
             "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"9\" fill=\"#154273\"/>"
             "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">",
             x0, ly - 8, x0 + 16, ly);
    put(h, s);
    esc(h, t->current);
    put(h, " (");
    esc(h, t->answered);
    put(h, ")</text>\n");
    double lx = x0 + 130;
    if (any_prev) {
        snprintf(s, sizeof s,
                 "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"5\" fill=\"#a9b4c2\"/>"
                 "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">",
                 lx, ly - 6, lx + 16, ly);
        put(h, s);
        esc(h, t->previous);
        put(h, "</text>\n");
        lx += 140;
    }
    snprintf(s, sizeof s,
             "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e17000\" "
             "stroke-width=\"2.5\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">",
             lx + 5, ly - 9, lx + 5, ly + 1, lx + 14, ly);
    put(h, s);
    esc(h, t->target_line);
    snprintf(s, sizeof s, " (%d)</text>\n</svg>\n", b->target);
    put(h, s);
}

static void items(html *h, const wb_board *b, const wbi_board_texts *t, const wb_board_item *it,
                  size_t shown, size_t total)
{
    put(h, "<table><tr>");
    elem(h, "<th>", t->col_ref, "</th>");
    elem(h, "<th>", t->col_requirement, "</th>");
    elem(h, "<th>", t->col_principle, "</th>");
    elem(h, "<th>", t->col_level, "</th>");
    elem(h, "<th>", t->col_owner, "</th>");
    elem(h, "<th>", t->col_due, "</th></tr>\n");
    for (size_t i = 0; i < shown; i++) {
        const wb_board_item *g = &it[i];
        char level[16], due[16], pr[8];
        if (g->answered)
            snprintf(level, sizeof level, "%d / %d", g->level, b->target);
        else
            snprintf(level, sizeof level, "- / %d", b->target);
        wbi_date(g->due, due, sizeof due);
        if (g->principle)
            snprintf(pr, sizeof pr, "%d", g->principle);
        else
            snprintf(pr, sizeof pr, "-");
        elem(h, "<tr><td>", g->ref, "</td>");
        elem(h, "<td>", g->name, "</td>");
        elem(h, "<td class=\"n\">", pr, "</td>");
        elem(h, "<td class=\"n\">", level, "</td>");
        elem(h, "<td>", g->owner, "</td>");
        elem(h, "<td>", due, "</td></tr>\n");
    }
    put(h, "</table>\n");
    if (total > shown) {
        char more[64];
        snprintf(more, sizeof more, "+ %zu %s", total - shown, t->more);
        elem(h, "<p class=\"more\">", more, "</p>\n");
    }
}

static void patches(html *h, const wb_board *b, const wbi_board_texts *t)
{
    if (!b->has_vuln || b->vuln.nurgent == 0) return;
    elem(h, "<h2>", t->urgent, "</h2>\n");
    put(h, "<table><tr>");
    const char *head[] = {t->col_vuln,  t->col_asset, t->col_component,
                          t->col_fixed, t->col_kev,   t->col_days_overdue};
    for (int k = 0; k < 6; k++)
        elem(h, "<th>", head[k], "</th>");
    put(h, "</tr>\n");
    for (size_t i = 0; i < b->vuln.nurgent; i++) {
        const wb_vuln_overdue *u = &b->vuln.urgent[i];
        char days[24];
        const char *kev;
        wbi_board_patch_cells(b, t, u, days, sizeof days, &kev);
        elem(h, "<tr><td>", u->vulnerability, "</td>");
        elem(h, "<td>", u->asset, "</td>");
        elem(h, "<td>", u->component, "</td>");
        elem(h, "<td>", u->fixed[0] ? u->fixed : "-", "</td>");
        elem(h, u->kev ? "<td class=\"overdue\">" : "<td>", kev, "</td>");
        elem(h, "<td class=\"n\">", days, "</td></tr>\n");
    }
    put(h, "</table>\n");
    if (b->vuln.overdue > b->vuln.nurgent) {
        char more[64];
        snprintf(more, sizeof more, "+ %zu %s", b->vuln.overdue - b->vuln.nurgent, t->more);
        elem(h, "<p class=\"more\">", more, "</p>\n");
    }
}

static void incidents(html *h, const wb_board *b, const wbi_board_texts *t)
{
    static const char *const cls[] = {"open", "met", "late", "overdue"};
    static const wb_stage stages[] = {WB_STAGE_EARLY_WARNING, WB_STAGE_NOTIFICATION,
                                      WB_STAGE_FINAL};
    char s[1024];
    snprintf(s, sizeof s, "%s %d", t->incidents, b->year);
    elem(h, "<h2>", s, "</h2>\n");
    if (!b->has_incidents || b->nincidents == 0) {
        elem(h, "<p>", b->has_incidents ? t->no_incidents : t->no_register, "</p>\n");
        return;
    }
    put(h, "<table><tr>");
    const char *head[] = {t->col_id,    t->col_title, t->col_aware, t->col_ew,
                          t->col_notif, t->col_final, t->col_status};
    for (int k = 0; k < 7; k++)
        elem(h, "<th>", head[k], "</th>");
    put(h, "</tr>\n");
    size_t shown = b->nincidents < WB_BOARD_MAX_INCIDENTS ? b->nincidents : WB_BOARD_MAX_INCIDENTS;
    for (size_t i = 0; i < shown; i++) {
        const wb_board_incident *inc = &b->incidents[i];
        char aware[16];
        wbi_date(inc->aware_at, aware, sizeof aware);
        snprintf(s, sizeof s, "<tr><td class=\"n\">%lld</td>", (long long)inc->id);
        put(h, s);
        elem(h, "<td>", inc->title, "</td>");
        elem(h, "<td>", aware, "</td>");
        for (int k = 0; k < 3; k++) {
            wb_stage sg = stages[k];
            char fin[64];
            const char *text = NULL;
            if (k == 2) {
                text = wbi_board_final_cell(t, inc, fin, sizeof fin);
                if (inc->has[WB_STAGE_PROGRESS] && text == fin) sg = WB_STAGE_PROGRESS;
            }
            if (!inc->has[sg]) {
                put(h, "<td>-</td>");
                continue;
            }
            unsigned st = inc->state[sg] & 3;
            snprintf(s, sizeof s, "<td class=\"%s\">", cls[st]);
            elem(h, s, text ? text : t->state[st], "</td>");
        }
        elem(h, "<td>", wbi_board_status(t, inc->status), "</td></tr>\n");
    }
    put(h, "</table>\n");
    wbi_board_deadline_summary(b, t, shown, s, sizeof s);
    elem(h, "<p class=\"more\">", s, "</p>\n");
}

int wb_board_html(const wb_board *b, wb_buf *out)
{
    const wbi_board_texts *t = wbi_board_texts_for(b->lang);
    html h = {out, 0};
    char date[16], s[256];
    wbi_date(b->as_of, date, sizeof date);
    put(&h, "<!DOCTYPE html>\n<html lang=\"");
    put(&h, b->lang && strcmp(b->lang, "nl") == 0 ? "nl" : "en");
    put(&h, "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
            "content=\"width=device-width, initial-scale=1\">\n<title>");
    esc(&h, t->title);
    put(&h, " - ");
    esc(&h, b->organisation);
    put(&h, "</title>\n<style>");
    put(&h, css);
    put(&h, "</style>\n</head>\n<body>\n");
    elem(&h, "<h1>", t->title, "</h1>\n");
    elem(&h, "<div class=\"org\">", b->organisation, "</div>\n");
    put(&h, "<div class=\"sub\">");
    esc(&h, b->catalogue_title);
    put(&h, " (");
    esc(&h, b->catalogue);
    put(&h, ") &middot; ");
    esc(&h, date);
    if (b->scope) {
        put(&h, " &middot; ");
        esc(&h, t->scope);
        put(&h, ": ");
        esc(&h, b->scope);
    }
    put(&h, "</div>\n");
    figures(&h, b, t);
    chart(&h, b, t);
    snprintf(s, sizeof s, "%s (%s %d)", t->largest_gaps, t->target_of, b->target);
    elem(&h, "<h2>", s, "</h2>\n");
    size_t shown = b->ngaps_shown < WB_BOARD_MAX_GAPS ? b->ngaps_shown : WB_BOARD_MAX_GAPS;
    if (shown == 0)
        elem(&h, "<p>", t->no_gaps, "</p>\n");
    else
        items(&h, b, t, b->gaps, shown, b->ngaps);
    elem(&h, "<h2>", t->overdue_actions, "</h2>\n");
    shown = b->noverdue < WB_BOARD_MAX_OVERDUE ? b->noverdue : WB_BOARD_MAX_OVERDUE;
    if (shown == 0)
        elem(&h, "<p>", t->none_overdue, "</p>\n");
    else
        items(&h, b, t, b->overdue, shown, b->noverdue);
    patches(&h, b, t);
    incidents(&h, b, t);
    put(&h, "<p class=\"src\">");
    esc(&h, t->source);
    put(&h, " ");
    esc(&h, b->catalogue);
    put(&h, ": ");
    esc(&h, b->attribution);
    put(&h, "</p>\n");
    if (b->principles_attribution) {
        put(&h, "<p class=\"src\">");
        esc(&h, t->principles_source);
        put(&h, ": ");
        esc(&h, b->principles_attribution);
        put(&h, "</p>\n");
    }
    put(&h, "<p class=\"src\">weerbaar &middot; ");
    esc(&h, b->assessment);
    put(&h, "</p>\n</body>\n</html>\n");
    return h.rc;
}
