/*
 * board.c - the one-page board report of an assessment, drawn on A4 through
 * the page layer (doc.c): key figures, the five basic principles against
 * target and previous assessment, the largest gaps, overdue improvement
 * actions, this year's incidents with their reporting timeliness, and the
 * catalogue's attribution. Dutch and English texts live in one table here;
 * board_html.c writes the same content as HTML.
 *
 * Every list is capped (WB_BOARD_MAX_*) and every text has a line limit, so
 * the page cannot run over whatever the names are; if it still did, the
 * document reports WB_ELIMIT instead of clipping silently.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "weerbaar/report.h"

static const wbi_board_texts texts_en = {
    .title = "Board report: digital resilience",
    .overall = "maturity of answered (0-5), target",
    .coverage = "requirements answered",
    .gaps_below = "requirements below the target level",
    .overdue_patches = "overdue patches",
    .no_scan = "overdue patches (no scan given)",
    .incidents_year = "incidents in",
    .no_register = "No incident register was given (--db).",
    .principles = "The five basic principles",
    .current = "current",
    .previous = "previous assessment",
    .target_line = "target level",
    .largest_gaps = "The largest gaps",
    .col_ref = "ref",
    .col_requirement = "requirement",
    .col_principle = "principle",
    .col_level = "level",
    .col_owner = "owner",
    .col_due = "due",
    .more = "more",
    .overdue_actions = "Overdue improvement actions",
    .none_overdue = "No improvement action is past its due date.",
    .incidents = "Incidents and reporting timeliness",
    .col_id = "id",
    .col_title = "incident",
    .col_aware = "aware",
    .col_ew = "early warning",
    .col_notif = "notification",
    .col_final = "final report",
    .progress = "progress",
    .col_status = "status",
    .no_incidents = "No incidents this year.",
    .source = "Catalogue",
    .principles_source = "Basic principles",
    .of_which_kev = "known exploited",
    .no_gaps = "No requirement is below the target level.",
    .deadlines = "reporting deadlines",
    .missed = "deadlines missed",
    .not_mapped = "is not mapped to the basic principles",
    .target_of = "target",
    .answered = "answered",
    .scope = "scope",
    .previous_of = "previous",
    .urgent = "The most urgent overdue patches",
    .col_vuln = "vulnerability",
    .col_asset = "asset",
    .col_component = "component",
    .col_fixed = "fixed in",
    .col_kev = "KEV",
    .col_days_overdue = "days overdue",
    .yes = "yes",
    .open_deadlines = "open deadlines",
    .state = {"open", "met", "late", "overdue"},
    .status = {"open", "handled", "closed"},
};

static const wbi_board_texts texts_nl = {
    .title = "Bestuursrapportage digitale weerbaarheid",
    .overall = "volwassenheid beantwoord (0-5), doel",
    .coverage = "eisen beantwoord",
    .gaps_below = "eisen onder het doelniveau",
    .overdue_patches = "achterstallige patches",
    .no_scan = "achterstallige patches (geen scan opgegeven)",
    .incidents_year = "incidenten in",
    .no_register = "Er is geen incidentregister opgegeven (--db).",
    .principles = "De vijf basisprincipes",
    .current = "nu",
    .previous = "vorige beoordeling",
    .target_line = "doelniveau",
    .largest_gaps = "De grootste tekortkomingen",
    .col_ref = "ref",
    .col_requirement = "eis",
    .col_principle = "principe",
    .col_level = "niveau",
    .col_owner = "eigenaar",
    .col_due = "uiterlijk",
    .more = "meer",
    .overdue_actions = "Verbeteracties over de datum",
    .none_overdue = "Geen verbeteractie is over de datum.",
    .incidents = "Incidenten en tijdigheid van melden",
    .col_id = "nr",
    .col_title = "incident",
    .col_aware = "bekend",
    .col_ew = "vroege waarschuwing",
    .col_notif = "melding",
    .col_final = "eindrapport",
    .progress = "voortgang",
    .col_status = "status",
    .no_incidents = "Geen incidenten dit jaar.",
    .source = "Catalogus",
    .principles_source = "Basisprincipes",
    .of_which_kev = "actief misbruikt",
    .no_gaps = "Geen eis ligt onder het doelniveau.",
    .deadlines = "meldtermijnen",
    .missed = "termijnen gemist",
    .not_mapped = "is niet op de basisprincipes afgebeeld",
    .target_of = "doel",
    .answered = "beantwoord",
    .scope = "reikwijdte",
    .previous_of = "vorige",
    .urgent = "De meest urgente achterstallige patches",
    .col_vuln = "kwetsbaarheid",
    .col_asset = "systeem",
    .col_component = "component",
    .col_fixed = "opgelost in",
    .col_kev = "KEV",
    .col_days_overdue = "dagen te laat",
    .yes = "ja",
    .open_deadlines = "open termijnen",
    .state = {"open", "op tijd", "te laat", "verlopen"},
    .status = {"open", "afgehandeld", "gesloten"},
};

const wbi_board_texts *wbi_board_texts_for(const char *lang)
{
    return lang && strcmp(lang, "nl") == 0 ? &texts_nl : &texts_en;
}

const char *wbi_board_final_cell(const wbi_board_texts *t, const wb_board_incident *inc, char *buf,
                                 size_t cap)
{
    const wb_stage f = WB_STAGE_FINAL, p = WB_STAGE_PROGRESS;
    /* while the final report waits for handled_at, the progress report is
     * the deadline that counts */
    if (inc->has[p] && (!inc->has[f] || inc->state[f] == WB_DEADLINE_OPEN)) {
        snprintf(buf, cap, "%s (%s)", t->state[inc->state[p] & 3], t->progress);
        return buf;
    }
    return inc->has[f] ? t->state[inc->state[f] & 3] : "-";
}

void wbi_board_deadline_summary(const wb_board *b, const wbi_board_texts *t, size_t shown,
                                char *out, size_t cap)
{
    size_t n[4], len = 0;
    wbi_board_deadline_counts(b, n);
    if (b->nincidents > shown)
        len = (size_t)snprintf(out, cap, "+ %zu %s. ", b->nincidents - shown, t->more);
    if (len >= cap) return;
    len += (size_t)snprintf(out + len, cap - len, "%s: %zu %s, %zu %s, %zu %s, %zu %s.",
                            t->deadlines, n[WB_DEADLINE_MET], t->state[WB_DEADLINE_MET],
                            n[WB_DEADLINE_LATE], t->state[WB_DEADLINE_LATE], n[WB_DEADLINE_OVERDUE],
                            t->state[WB_DEADLINE_OVERDUE], n[WB_DEADLINE_OPEN],
                            t->state[WB_DEADLINE_OPEN]);
    /* the open ones by name and time, soonest first: what is due next */
    typedef struct open_deadline {
        wb_time due;
        int64_t id;
        wb_stage stage;
    } open_deadline;
    open_deadline open[WB_BOARD_MAX_INCIDENTS * 4];
    static const wb_stage stages[] = {WB_STAGE_EARLY_WARNING, WB_STAGE_NOTIFICATION,
                                      WB_STAGE_PROGRESS, WB_STAGE_FINAL};
    size_t no = 0;
    for (size_t i = 0; i < shown && i < WB_BOARD_MAX_INCIDENTS; i++)
        for (size_t k = 0; k < 4 && no < sizeof open / sizeof open[0]; k++)
            if (b->incidents[i].open_due[stages[k]] != 0) {
                open[no].due = b->incidents[i].open_due[stages[k]];
                open[no].id = b->incidents[i].id;
                open[no++].stage = stages[k];
            }
    for (size_t i = 1; i < no; i++) /* a handful: insertion sort */
        for (size_t j = i; j > 0 && open[j].due < open[j - 1].due; j--) {
            open_deadline x = open[j];
            open[j] = open[j - 1];
            open[j - 1] = x;
        }
    if (no && len < cap) len += (size_t)snprintf(out + len, cap - len, " %s:", t->open_deadlines);
    for (size_t i = 0; i < no && len < cap; i++) {
        const char *name = open[i].stage == WB_STAGE_EARLY_WARNING  ? t->col_ew
                           : open[i].stage == WB_STAGE_NOTIFICATION ? t->col_notif
                           : open[i].stage == WB_STAGE_PROGRESS     ? t->progress
                                                                    : t->col_final;
        char when[40];
        wb_time_format(open[i].due, when, sizeof when);
        /* to the minute, in UTC as the register keeps it */
        len +=
            (size_t)snprintf(out + len, cap - len, " #%lld %s %.10s %.5s UTC%s",
                             (long long)open[i].id, name, when, when + 11, i + 1 < no ? ";" : ".");
    }
}

wbi_rgb wbi_state_color(wb_deadline_state s)
{
    switch (s) {
    case WB_DEADLINE_MET:
        return WBI_OK;
    case WB_DEADLINE_LATE:
    case WB_DEADLINE_OVERDUE:
        return WBI_ALERT;
    case WB_DEADLINE_OPEN:
        break;
    }
    return 0;
}

const char *wbi_board_status(const wbi_board_texts *t, const char *status)
{
    static const char *const names[] = {"open", "handled", "closed"};
    for (int i = 0; i < 3; i++)
        if (status && strcmp(status, names[i]) == 0) return t->status[i];
    return status ? status : "-";
}

void wbi_board_deadline_counts(const wb_board *b, size_t counts[4])
{
    memset(counts, 0, 4 * sizeof *counts);
    for (size_t i = 0; i < b->nincidents; i++)
        for (int s = 0; s < WB_STAGE_COUNT; s++)
            /* the CSIRT's answer is the CSIRT's duty, not the organisation's */
            if (s != WB_STAGE_CSIRT_ANSWER && b->incidents[i].has[s] &&
                (unsigned)b->incidents[i].state[s] < 4)
                counts[b->incidents[i].state[s]]++;
}

void wb_board_score_text(const wb_score *s, char *out, size_t cap)
{
    /* rounded first, as `assess score --format json` rounds: %.2f alone
     * would round 2.125 to "2.12" where the JSON says 2.13 */
    if (s->has_value)
        snprintf(out, cap, "%.2f", round(s->value * 100.0) / 100.0);
    else
        snprintf(out, cap, "n/a");
}

/* ---- the page ----------------------------------------------------------------- */

static void render_header(wb_doc *d, const wb_board *b, const wbi_board_texts *t)
{
    char date[16], line[1024];
    wbi_date(b->as_of, date, sizeof date);
    wb_doc_text(d, WB_STYLE_TITLE, t->title, 1);
    wb_doc_space(d, 2);
    wb_doc_text(d, WB_STYLE_STRONG, b->organisation ? b->organisation : "-", 1);
    snprintf(line, sizeof line, "%s (%s) \xc2\xb7 %s%s%s%s%s", b->catalogue_title, b->catalogue,
             date, b->scope ? " \xc2\xb7 " : "", b->scope ? t->scope : "", b->scope ? ": " : "",
             b->scope ? b->scope : "");
    wb_doc_text(d, WB_STYLE_BODY, line, 1);
    wb_doc_space(d, 8);
}

/* Not the overall score, which counts an unanswered requirement as 0: a
 * board would read half answered at level 4 as "maturity 2". Coverage
 * stands beside it as a figure of its own. */
void wbi_board_maturity(const wb_board *b, const wbi_board_texts *t, char *v, size_t vcap, char *c,
                        size_t ccap, bool *alert)
{
    wb_score now = {.has_value = b->overall.rated > 0, .value = b->overall.maturity};
    wb_score was = {.has_value = b->overall_previous.rated > 0,
                    .value = b->overall_previous.maturity};
    wb_board_score_text(&now, v, vcap);
    if (was.has_value) {
        char p[16];
        wb_board_score_text(&was, p, sizeof p);
        snprintf(c, ccap, "%s %d; %s %s", t->overall, b->target, t->previous_of, p);
    } else {
        snprintf(c, ccap, "%s %d", t->overall, b->target);
    }
    *alert = now.has_value && now.value < b->target;
}

static void render_figures(wb_doc *d, const wb_board *b, const wbi_board_texts *t)
{
    char v[5][48], c[5][160];
    size_t counts[4];
    wb_doc_figure f[5];
    bool alert;
    wbi_board_maturity(b, t, v[0], sizeof v[0], c[0], sizeof c[0], &alert);
    f[0] = (wb_doc_figure){v[0], c[0], alert};
    double cov = b->overall.assessable
                     ? 100.0 * (double)b->overall.answered / (double)b->overall.assessable
                     : 0;
    snprintf(v[1], sizeof v[1], "%.0f%%", cov);
    snprintf(c[1], sizeof c[1], "%s: %zu/%zu", t->coverage, b->overall.answered,
             b->overall.assessable);
    f[1] = (wb_doc_figure){v[1], c[1], b->overall.answered < b->overall.assessable};
    snprintf(v[2], sizeof v[2], "%zu", b->ngaps);
    snprintf(c[2], sizeof c[2], "%s (%d)", t->gaps_below, b->target);
    f[2] = (wb_doc_figure){v[2], c[2], b->ngaps > 0};
    if (b->has_vuln) {
        snprintf(v[3], sizeof v[3], "%zu", b->vuln.overdue);
        snprintf(c[3], sizeof c[3], "%s; %zu %s", t->overdue_patches, b->vuln.overdue_kev,
                 t->of_which_kev);
        f[3] = (wb_doc_figure){v[3], c[3], b->vuln.overdue > 0};
    } else {
        snprintf(v[3], sizeof v[3], "-");
        snprintf(c[3], sizeof c[3], "%s", t->no_scan);
        f[3] = (wb_doc_figure){v[3], c[3], false};
    }
    if (b->has_incidents) {
        wbi_board_deadline_counts(b, counts);
        snprintf(v[4], sizeof v[4], "%zu", b->nincidents);
        snprintf(c[4], sizeof c[4], "%s %d; %zu %s", t->incidents_year, b->year,
                 counts[WB_DEADLINE_LATE] + counts[WB_DEADLINE_OVERDUE], t->missed);
        f[4] =
            (wb_doc_figure){v[4], c[4], counts[WB_DEADLINE_LATE] + counts[WB_DEADLINE_OVERDUE] > 0};
    } else {
        snprintf(v[4], sizeof v[4], "-");
        snprintf(c[4], sizeof c[4], "%s %d", t->incidents_year, b->year);
        f[4] = (wb_doc_figure){v[4], c[4], false};
    }
    wb_doc_figures(d, f, 5);
    wb_doc_space(d, 8);
}

static void render_chart(wb_doc *d, const wb_board *b, const wbi_board_texts *t)
{
    wb_doc_bar bars[WB_BOARD_MAX_PRINCIPLES];
    char notes[WB_BOARD_MAX_PRINCIPLES][48], label[WB_BOARD_MAX_PRINCIPLES][400];
    size_t n = b->nprinciples < WB_BOARD_MAX_PRINCIPLES ? b->nprinciples : WB_BOARD_MAX_PRINCIPLES;
    bool any_previous = false;
    wb_doc_heading(d, t->principles, 150);
    if (n == 0) {
        char line[256];
        snprintf(line, sizeof line, "%s %s.", b->catalogue, t->not_mapped);
        wb_doc_text(d, WB_STYLE_BODY, line, 2);
        wb_doc_space(d, 7);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const wb_board_principle *p = &b->principles[i];
        snprintf(label[i], sizeof label[i], "%zu. %s", i + 1, p->title ? p->title : "-");
        snprintf(notes[i], sizeof notes[i], "%zu/%zu", p->current.answered, p->current.assessable);
        bars[i] = (wb_doc_bar){.label = label[i],
                               .current = p->current.value,
                               .has_current = p->current.has_value,
                               .previous = p->previous.value,
                               .has_previous = p->previous.has_value,
                               .target = b->target,
                               .has_target = true,
                               .note = notes[i]};
        /* the bar shows the number the JSON prints */
        if (p->current.has_value) bars[i].current = round(p->current.value * 100.0) / 100.0;
        any_previous |= p->previous.has_value;
    }
    char cur[64], tgt[64];
    snprintf(cur, sizeof cur, "%s (%s)", t->current, t->answered);
    snprintf(tgt, sizeof tgt, "%s (%d)", t->target_line, b->target);
    wb_doc_chart c = {.bars = bars,
                      .nbars = n,
                      .max = WB_ASSESS_MAX_LEVEL,
                      .legend_current = cur,
                      .legend_previous = any_previous ? t->previous : NULL,
                      .legend_target = tgt};
    wb_doc_chart_draw(d, &c);
    wb_doc_space(d, 7);
}

/* How much of the optional detail a page holds: tried from the most down
 * until the page fits (wb_board_render). */
typedef struct board_fit {
    size_t patches; /* overdue patches named */
    int gap_lines;  /* lines of requirement text per gap */
} board_fit;

static void item_cells(const wb_board_item *g, int target, char *level, size_t lcap, char *due,
                       size_t dcap, char *pr, size_t pcap)
{
    if (g->answered)
        snprintf(level, lcap, "%d / %d", g->level, target);
    else
        snprintf(level, lcap, "- / %d", target);
    wbi_date(g->due, due, dcap);
    if (g->principle)
        snprintf(pr, pcap, "%d", g->principle);
    else
        snprintf(pr, pcap, "-");
}

static void render_items(wb_doc *d, const wb_board *b, const wbi_board_texts *t,
                         const wb_board_item *items, size_t shown, size_t total, int max_lines)
{
    static const double widths[] = {0.09, 0.45, 0.08, 0.08, 0.18, 0.12};
    static const bool right[] = {false, false, true, true, false, false};
    const char *head[] = {t->col_ref,   t->col_requirement, t->col_principle,
                          t->col_level, t->col_owner,       t->col_due};
    wb_doc_table tab = {6, widths, head, right, max_lines};
    wb_doc_table_head(d, &tab);
    for (size_t i = 0; i < shown; i++) {
        const wb_board_item *g = &items[i];
        char level[16], due[16], pr[8];
        item_cells(g, b->target, level, sizeof level, due, sizeof due, pr, sizeof pr);
        const char *cells[] = {g->ref, g->name, pr, level, g->owner ? g->owner : "-", due};
        wb_doc_table_row(d, &tab, cells);
    }
    if (total > shown) {
        char more[64];
        snprintf(more, sizeof more, "+ %zu %s", total - shown, t->more);
        wb_doc_space(d, 2);
        wb_doc_text(d, WB_STYLE_SMALL, more, 1);
    }
}

static void render_gaps(wb_doc *d, const wb_board *b, const wbi_board_texts *t,
                        const board_fit *fit)
{
    char h[128];
    snprintf(h, sizeof h, "%s (%s %d)", t->largest_gaps, t->target_of, b->target);
    wb_doc_heading(d, h, 60);
    size_t shown = b->ngaps_shown < WB_BOARD_MAX_GAPS ? b->ngaps_shown : WB_BOARD_MAX_GAPS;
    if (shown == 0)
        wb_doc_text(d, WB_STYLE_BODY, t->no_gaps, 1);
    else
        render_items(d, b, t, b->gaps, shown, b->ngaps, fit->gap_lines);
    wb_doc_space(d, 7);
}

static void render_overdue(wb_doc *d, const wb_board *b, const wbi_board_texts *t)
{
    wb_doc_heading(d, t->overdue_actions, 40);
    size_t shown = b->noverdue < WB_BOARD_MAX_OVERDUE ? b->noverdue : WB_BOARD_MAX_OVERDUE;
    if (shown == 0)
        wb_doc_text(d, WB_STYLE_BODY, t->none_overdue, 1);
    else
        render_items(d, b, t, b->overdue, shown, b->noverdue, 1);
    wb_doc_space(d, 7);
}

void wbi_board_patch_cells(const wb_board *b, const wbi_board_texts *t, const wb_vuln_overdue *u,
                           char *days, size_t dcap, const char **kev)
{
    wb_time now = b->vuln.now != WB_TIME_NONE ? b->vuln.now : b->as_of;
    if (u->deadline == WB_TIME_NONE || now == WB_TIME_NONE || now < u->deadline)
        snprintf(days, dcap, "-");
    else
        snprintf(days, dcap, "%lld", (long long)((now - u->deadline) / (INT64_C(86400) * 1000000)));
    *kev = u->kev ? t->yes : "-";
}

/* Names the overdue patches a board should ask about first. Shown only
 * when a scan was given and something is overdue: the figure above says
 * "0" otherwise, and the page has no room for an empty table. */
static void render_patches(wb_doc *d, const wb_board *b, const wbi_board_texts *t,
                           const board_fit *fit)
{
    size_t shown = b->vuln.nurgent < fit->patches ? b->vuln.nurgent : fit->patches;
    if (!b->has_vuln || shown == 0) return;
    wb_doc_heading(d, t->urgent, 40);
    static const double widths[] = {0.17, 0.17, 0.34, 0.12, 0.08, 0.12};
    static const bool right[] = {false, false, false, false, false, true};
    const char *head[] = {t->col_vuln,  t->col_asset, t->col_component,
                          t->col_fixed, t->col_kev,   t->col_days_overdue};
    wb_doc_table tab = {6, widths, head, right, 1};
    wb_doc_table_head(d, &tab);
    for (size_t i = 0; i < b->vuln.nurgent; i++) {
        const wb_vuln_overdue *u = &b->vuln.urgent[i];
        char days[24];
        const char *kev;
        wbi_board_patch_cells(b, t, u, days, sizeof days, &kev);
        const char *cells[] = {
            u->vulnerability, u->asset, u->component, u->fixed[0] ? u->fixed : "-", kev, days};
        wb_doc_table_row(d, &tab, cells);
    }
    if (b->vuln.overdue > b->vuln.nurgent) {
        char more[64];
        snprintf(more, sizeof more, "+ %zu %s", b->vuln.overdue - b->vuln.nurgent, t->more);
        wb_doc_space(d, 2);
        wb_doc_text(d, WB_STYLE_SMALL, more, 1);
    }
    wb_doc_space(d, 7);
}

static void render_incidents(wb_doc *d, const wb_board *b, const wbi_board_texts *t)
{
    char h[128];
    snprintf(h, sizeof h, "%s %d", t->incidents, b->year);
    wb_doc_heading(d, h, 40);
    if (!b->has_incidents) {
        wb_doc_text(d, WB_STYLE_BODY, t->no_register, 1);
        wb_doc_space(d, 7);
        return;
    }
    if (b->nincidents == 0) {
        wb_doc_text(d, WB_STYLE_BODY, t->no_incidents, 1);
        wb_doc_space(d, 7);
        return;
    }
    static const double widths[] = {0.04, 0.29, 0.11, 0.14, 0.11, 0.19, 0.12};
    const char *head[] = {t->col_id,    t->col_title, t->col_aware, t->col_ew,
                          t->col_notif, t->col_final, t->col_status};
    static const wb_stage stages[] = {WB_STAGE_EARLY_WARNING, WB_STAGE_NOTIFICATION,
                                      WB_STAGE_FINAL};
    wb_doc_table tab = {7, widths, head, NULL, 1};
    wb_doc_table_head(d, &tab);
    size_t shown = b->nincidents < WB_BOARD_MAX_INCIDENTS ? b->nincidents : WB_BOARD_MAX_INCIDENTS;
    for (size_t i = 0; i < shown; i++) {
        const wb_board_incident *inc = &b->incidents[i];
        char id[24], aware[16];
        const char *st[3];
        snprintf(id, sizeof id, "%lld", (long long)inc->id);
        wbi_date(inc->aware_at, aware, sizeof aware);
        char fin[64];
        for (int k = 0; k < 3; k++)
            st[k] = inc->has[stages[k]] ? t->state[inc->state[stages[k]] & 3] : "-";
        st[2] = wbi_board_final_cell(t, inc, fin, sizeof fin);
        const char *cells[] = {
            id, inc->title, aware, st[0], st[1], st[2], wbi_board_status(t, inc->status)};
        uint32_t colors[7] = {0};
        for (int k = 0; k < 3; k++) {
            wb_stage sg = stages[k];
            if (k == 2 && st[2] == fin) sg = WB_STAGE_PROGRESS;
            if (inc->has[sg]) colors[3 + k] = wbi_state_color(inc->state[sg]);
        }
        wb_doc_table_row_colored(d, &tab, cells, colors);
    }
    char sum[1024];
    wbi_board_deadline_summary(b, t, shown, sum, sizeof sum);
    wb_doc_space(d, 2);
    wb_doc_text(d, WB_STYLE_SMALL, sum, 3);
    wb_doc_space(d, 7);
}

static void render_sources(wb_doc *d, const wb_board *b, const wbi_board_texts *t)
{
    char *s = NULL;
    wb_buf buf = {0};
    wb_buf_printf(&buf, "%s %s: %s", t->source, b->catalogue,
                  b->attribution ? b->attribution : "-");
    if (wb_buf_putc(&buf, '\0') == 0) s = buf.data;
    wb_doc_text(d, WB_STYLE_SMALL, s ? s : "", 4);
    if (b->principles_attribution) {
        wb_buf_reset(&buf);
        wb_buf_printf(&buf, "%s: %s", t->principles_source, b->principles_attribution);
        if (wb_buf_putc(&buf, '\0') == 0) wb_doc_text(d, WB_STYLE_SMALL, buf.data, 3);
    }
    wb_buf_free(&buf);
}

static int render_page(const wb_board *b, const char *path, wb_page_format fmt, double png_dpi,
                       const board_fit *fit, wb_error *err)
{
    const wbi_board_texts *t = wbi_board_texts_for(b->lang);
    char footer[512], date[16];
    wbi_date(b->as_of, date, sizeof date);
    snprintf(footer, sizeof footer, "weerbaar \xc2\xb7 %s \xc2\xb7 %s \xc2\xb7 %s", b->catalogue,
             b->assessment ? b->assessment : "-", date);
    wb_doc *d;
    int rc = wb_doc_open(path, fmt, png_dpi, 1, footer, &d, err);
    if (rc != 0) return rc;
    char title[512];
    snprintf(title, sizeof title, "%s: %s", t->title, b->organisation ? b->organisation : "-");
    wb_doc_set_title(d, title);
    render_header(d, b, t);
    render_figures(d, b, t);
    render_chart(d, b, t);
    render_gaps(d, b, t, fit);
    render_overdue(d, b, t);
    render_patches(d, b, t, fit);
    render_incidents(d, b, t);
    render_sources(d, b, t);
    return wb_doc_close(d, err);
}

/* The page is drawn with all the detail first; when long names leave no
 * room, gap texts get one line, then fewer patches are named (the figure
 * still counts them all, and "+ N more" says what is left out). */
int wb_board_render(const wb_board *b, const char *path, wb_page_format fmt, double png_dpi,
                    wb_error *err)
{
    static const board_fit fits[] = {
        {WB_VULN_URGENT, 2}, {WB_VULN_URGENT, 1}, {3, 1}, {1, 1}, {0, 2}};
    int rc = 0;
    for (size_t i = 0; i < sizeof fits / sizeof fits[0]; i++) {
        wb_error_clear(err);
        rc = render_page(b, path, fmt, png_dpi, &fits[i], err);
        if (rc != WB_ELIMIT) break;
    }
    return rc;
}
