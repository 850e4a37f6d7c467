/*
 * incident_doc.c - an incident from the register as a PDF (`weerbaar
 * incident export ID --format pdf`): its facts, every deadline with its
 * state, each report with the fields it stated, the CSIRT's actions and the
 * cumulative state, on as many A4 pages as it takes.
 *
 * It shows what the register loaded and judged (wb_reg_incident): no rule
 * is applied here. The TLP marking goes into every page's footer, because a
 * printed page travels without the rest of the document.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "weerbaar/incident.h"
#include "weerbaar/ioc.h"
#include "weerbaar/report.h"
#include "weerbaar/store.h"

/* A field in a table cell is cut after this many lines (the JSON export has
 * all of it), so that one row always fits on a page. */
#define FIELD_MAX_LINES 50
/* Indicators listed per report; the rest are counted. */
#define MAX_INDICATORS_SHOWN 50

/* Text in the reader's language: en, or nl with --lang nl. */
#define L(nl, en, nl_text) ((nl) ? (nl_text) : (en))

static const char *const field_labels_nl[WB_RF_COUNT] = {
    [WB_RF_SUMMARY] = "samenvatting",
    [WB_RF_MALICIOUS] = "kwaadwillig",
    [WB_RF_CROSS_BORDER] = "grensoverschrijdende impact mogelijk",
    [WB_RF_CONTACT_NAME] = "contact: naam",
    [WB_RF_CONTACT_EMAIL] = "contact: e-mail",
    [WB_RF_CONTACT_PHONE] = "contact: telefoon",
    [WB_RF_PERSONAL_DATA] = "persoonsgegevens",
    [WB_RF_INITIAL_ASSESSMENT] = "eerste beoordeling",
    [WB_RF_SEVERITY] = "ernst",
    [WB_RF_IMPACT_DESCRIPTION] = "impact",
    [WB_RF_IMPACT_USERS_AFFECTED] = "getroffen gebruikers",
    [WB_RF_IMPACT_DURATION_MINUTES] = "duur (minuten)",
    [WB_RF_IMPACT_FINANCIAL_LOSS_EUR] = "financieel verlies (EUR)",
    [WB_RF_INDICATORS] = "indicatoren",
    [WB_RF_DESCRIPTION] = "beschrijving",
    [WB_RF_ROOT_CAUSE] = "oorzaak",
    [WB_RF_MITIGATION_APPLIED] = "genomen maatregelen",
    [WB_RF_MITIGATION_ONGOING] = "lopende maatregelen",
    [WB_RF_CROSS_BORDER_IMPACT] = "grensoverschrijdende impact",
    [WB_RF_STATUS_UPDATE] = "stand van zaken",
    [WB_RF_EXPECTED_HANDLED_AT] = "verwacht afgehandeld op",
};

/* A deadline's state as the reader says it. */
static const char *state_text(wb_deadline_state st, bool nl)
{
    if (!nl) return wb_deadline_state_name(st);
    const char *en = wb_deadline_state_name(st);
    if (strcmp(en, "met") == 0) return "op tijd";
    if (strcmp(en, "late") == 0) return "te laat";
    if (strcmp(en, "overdue") == 0) return "verlopen";
    if (strcmp(en, "open") == 0) return "open";
    return en;
}

static const char *const field_labels[WB_RF_COUNT] = {
    [WB_RF_SUMMARY] = "summary",
    [WB_RF_MALICIOUS] = "malicious",
    [WB_RF_CROSS_BORDER] = "cross-border impact possible",
    [WB_RF_CONTACT_NAME] = "contact: name",
    [WB_RF_CONTACT_EMAIL] = "contact: e-mail",
    [WB_RF_CONTACT_PHONE] = "contact: phone",
    [WB_RF_PERSONAL_DATA] = "personal data",
    [WB_RF_INITIAL_ASSESSMENT] = "initial assessment",
    [WB_RF_SEVERITY] = "severity",
    [WB_RF_IMPACT_DESCRIPTION] = "impact",
    [WB_RF_IMPACT_USERS_AFFECTED] = "users affected",
    [WB_RF_IMPACT_DURATION_MINUTES] = "duration (minutes)",
    [WB_RF_IMPACT_FINANCIAL_LOSS_EUR] = "financial loss (EUR)",
    [WB_RF_INDICATORS] = "indicators",
    [WB_RF_DESCRIPTION] = "description",
    [WB_RF_ROOT_CAUSE] = "root cause",
    [WB_RF_MITIGATION_APPLIED] = "mitigation applied",
    [WB_RF_MITIGATION_ONGOING] = "mitigation ongoing",
    [WB_RF_CROSS_BORDER_IMPACT] = "cross-border impact",
    [WB_RF_STATUS_UPDATE] = "status update",
    [WB_RF_EXPECTED_HANDLED_AT] = "expected handled at",
};

/* A field's value as text into b (reset first). */
static void field_text(const wb_report *r, wb_report_field f, bool utc, wb_buf *b)
{
    wb_buf_reset(b);
    if (r->cleared & (1u << f)) {
        wb_buf_puts(b, "(withdrawn)");
        return;
    }
    switch (f) {
    case WB_RF_MALICIOUS:
    case WB_RF_CROSS_BORDER:
    case WB_RF_PERSONAL_DATA:
        wb_buf_puts(b, wb_tri_name((wb_tri)r->num[f]) ? wb_tri_name((wb_tri)r->num[f]) : "-");
        break;
    case WB_RF_SEVERITY: {
        const char *s = wb_incident_severity_name((wb_incident_severity)r->num[f]);
        wb_buf_puts(b, s ? s : "-");
        break;
    }
    case WB_RF_IMPACT_USERS_AFFECTED:
    case WB_RF_IMPACT_DURATION_MINUTES:
        wb_buf_printf(b, "%" PRId64, r->num[f]);
        break;
    case WB_RF_IMPACT_FINANCIAL_LOSS_EUR:
        wb_buf_printf(b, "%" PRId64 ".%02d", r->num[f] / 100, (int)(r->num[f] % 100));
        break;
    case WB_RF_EXPECTED_HANDLED_AT: {
        char t[64];
        wbi_datetime(r->num[f], utc, t, sizeof t);
        wb_buf_puts(b, t);
        break;
    }
    case WB_RF_INDICATORS:
        wb_buf_printf(b, "%zu:", r->nindicators);
        for (size_t i = 0; i < r->nindicators && i < MAX_INDICATORS_SHOWN; i++)
            wb_buf_printf(b, "\n%s %s", r->indicators[i].type, r->indicators[i].value);
        if (r->nindicators > MAX_INDICATORS_SHOWN)
            wb_buf_printf(b, "\n(and %zu more)", r->nindicators - MAX_INDICATORS_SHOWN);
        break;
    default:
        wb_buf_puts(b, r->text[f] ? r->text[f] : "-");
        break;
    }
}

/* Every stated or withdrawn field of r as a two-column table. */
static void fields_table(wb_doc *d, const wb_report *r, bool utc, bool nl, wb_buf *b)
{
    static const double widths[] = {0.27, 0.73};
    static const char *const head_en[] = {"field", "value"}, *const head_nl[] = {"veld", "waarde"};
    const char *const *head = nl ? head_nl : head_en;
    wb_doc_table tab = {2, widths, head, NULL, FIELD_MAX_LINES};
    bool any = false;
    for (int f = 0; f < WB_RF_COUNT; f++) {
        if (!((r->present | r->cleared) & (1u << f))) continue;
        if (!any) wb_doc_table_head(d, &tab);
        any = true;
        field_text(r, (wb_report_field)f, utc, b);
        const char *cells[] = {nl ? field_labels_nl[f] : field_labels[f],
                               wb_buf_putc(b, '\0') == 0 ? b->data : ""};
        wb_doc_table_row(d, &tab, cells);
    }
    if (!any) wb_doc_text(d, WB_STYLE_SMALL, L(nl, "(no fields)", "(geen velden)"), 1);
}

static void facts(wb_doc *d, const wb_reg_incident *ri, bool utc, bool nl)
{
    const wb_incident_rec *i = &ri->inc;
    char aware[64], detected[64], handled[64], now[64], org[512];
    wbi_datetime(i->aware_at, utc, aware, sizeof aware);
    wbi_datetime(i->detected_at, utc, detected, sizeof detected);
    wbi_datetime(i->handled_at, utc, handled, sizeof handled);
    wbi_datetime(ri->now, utc, now, sizeof now);
    snprintf(org, sizeof org, "%s (sector %s)", i->org_name ? i->org_name : "-",
             i->org_sector ? i->org_sector : "-");
    static const double widths[] = {0.27, 0.73};
    static const char *const head[] = {"", ""};
    wb_doc_table tab = {2, widths, head, NULL, 4};
    const char *rows[][2] = {
        {L(nl, "organisation", "organisatie"), org},
        {"status", wb_incident_status_name(i->status)},
        {L(nl, "aware at (the clock's start)", "bekend sinds (start van de termijnen)"), aware},
        {L(nl, "detected at", "ontdekt op"), detected},
        {L(nl, "handled at", "afgehandeld op"), handled},
        {L(nl, "entity type", "soort entiteit"), i->entity_type ? i->entity_type : "-"},
        {"TLP", wb_tlp_name(i->tlp)},
        {L(nl, "RSIT classification", "RSIT-classificatie"), i->rsit ? i->rsit : "-"},
        {L(nl, "deadlines judged at", "termijnen beoordeeld op"), now}};
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++)
        wb_doc_table_row(d, &tab, rows[k]);
    wb_doc_space(d, 12);
}

static void deadlines(wb_doc *d, const wb_reg_incident *ri, bool utc, bool nl)
{
    static const double widths[] = {0.15, 0.27, 0.2, 0.2, 0.18};
    static const char *const head_en[] = {"stage", "rule", "due", "submitted", "state"};
    static const char *const head_nl[] = {"fase", "regel", "uiterlijk", "ingediend", "stand"};
    wb_doc_table tab = {5, widths, nl ? head_nl : head_en, NULL, 5};
    wb_doc_heading(d, L(nl, "Deadlines", "Termijnen"), 60);
    wb_doc_table_head(d, &tab);
    for (size_t k = 0; k < ri->ndeadlines; k++) {
        const wb_deadline *dl = &ri->deadlines[k];
        char due[64], sub[64], rule[256];
        if (dl->due == WB_TIME_NONE)
            snprintf(due, sizeof due, "%s", L(nl, "handled_at + 1 month", "afgehandeld + 1 maand"));
        else
            wbi_datetime(dl->due, utc, due, sizeof due);
        wbi_datetime(dl->submitted, utc, sub, sizeof sub);
        snprintf(rule, sizeof rule, "%s (%s)", dl->rule ? dl->rule->rule : "-",
                 dl->rule ? dl->rule->article : "-");
        const char *cells[] = {wb_stage_name(dl->stage), rule, due, sub, state_text(dl->state, nl)};
        const uint32_t colors[5] = {0, 0, 0, 0, wbi_state_color(dl->state)};
        wb_doc_table_row_colored(d, &tab, cells, colors);
    }
    wb_doc_space(d, 12);
}

static void reports(wb_doc *d, const wb_reg_incident *ri, bool utc, bool nl, wb_buf *b)
{
    wb_doc_heading(d, L(nl, "Reports", "Meldingen"), 60);
    if (ri->nreports == 0)
        wb_doc_text(d, WB_STYLE_BODY, L(nl, "No report was submitted.", "Nog geen melding gedaan."),
                    1);
    for (size_t k = 0; k < ri->nreports; k++) {
        const wb_incident_report_rec *r = &ri->reports[k];
        char at[64], line[512], name[64];
        wbi_datetime(r->submitted_at, utc, at, sizeof at);
        snprintf(line, sizeof line,
                 L(nl, "Report %lld: %s, submitted %s", "Melding %lld: %s, ingediend %s"),
                 (long long)r->id, r->stage, at);
        wb_doc_space(d, 4);
        if (wb_doc_left(d) < 60) wb_doc_page_break(d);
        wb_doc_text(d, WB_STYLE_STRONG, line, 2);
        snprintf(line, sizeof line, L(nl, "channel %s%s, by %s", "kanaal %s%s, door %s"),
                 wb_report_channel_name(r->channel),
                 r->channel != WB_CHANNEL_RECORDED ? ""
                 : nl ? " (via een ander kanaal gedaan, vastgelegd met --submitted-at)"
                      : " (made through another channel, recorded with --submitted-at)",
                 r->author ? r->author : "-");
        wb_doc_text(d, WB_STYLE_SMALL, line, 2);
        wb_doc_space(d, 2);
        snprintf(name, sizeof name, "report %lld", (long long)r->id);
        wb_report *rep = NULL;
        wb_report_problems probs = {0};
        wb_error err = {0};
        if (wb_report_parse(name, r->json, strlen(r->json), &rep, &probs, &err) == 0)
            fields_table(d, rep, utc, nl, b);
        else
            wb_doc_text(d, WB_STYLE_SMALL,
                        L(nl, "(the stored document no longer parses)",
                          "(het opgeslagen document is niet meer leesbaar)"),
                        1);
        wb_report_free(rep);
        wb_report_problems_free(&probs);
    }
    wb_doc_space(d, 12);
}

static void actions(wb_doc *d, const wb_reg_incident *ri, bool utc, bool nl)
{
    static const double widths[] = {0.12, 0.22, 0.22, 0.44};
    static const char *const head_en[] = {"action", "at", "by", "text"};
    static const char *const head_nl[] = {"actie", "op", "door", "tekst"};
    wb_doc_table tab = {4, widths, nl ? head_nl : head_en, NULL, FIELD_MAX_LINES};
    wb_doc_heading(d, L(nl, "CSIRT actions", "Acties van het CSIRT"), 60);
    if (ri->nactions == 0) {
        wb_doc_text(d, WB_STYLE_BODY, L(nl, "None yet.", "Nog geen."), 1);
        wb_doc_space(d, 12);
        return;
    }
    wb_doc_table_head(d, &tab);
    for (size_t k = 0; k < ri->nactions; k++) {
        const wb_incident_action_rec *a = &ri->actions[k];
        char at[64], by[128], text[64];
        wbi_datetime(a->at, utc, at, sizeof at);
        snprintf(by, sizeof by, "%s", a->author ? a->author : "-");
        const char *t = a->text;
        if (a->kind == WB_ACTION_ASK) {
            char when[64];
            wbi_datetime(a->by, utc, when, sizeof when);
            snprintf(text, sizeof text,
                     L(nl, "intermediate report by %s", "tussenrapportage uiterlijk %s"), when);
            t = text;
        }
        const char *cells[] = {wb_incident_action_name(a->kind), at, by, t ? t : "-"};
        wb_doc_table_row(d, &tab, cells);
    }
    wb_doc_space(d, 12);
}

int wb_incident_render(const wb_reg_incident *ri, const char *path, wb_page_format fmt, bool utc,
                       const char *lang, wb_error *err)
{
    bool nl = lang && strcmp(lang, "nl") == 0;
    char footer[512], now[64], title[512];
    wbi_datetime(ri->now, utc, now, sizeof now);
    snprintf(footer, sizeof footer, "TLP:%s \xc2\xb7 weerbaar \xc2\xb7 incident %lld \xc2\xb7 %s",
             wb_tlp_name(ri->inc.tlp), (long long)ri->inc.id, now);
    for (char *p = footer + 4; *p && *p != ' '; p++)
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
    wb_doc *d;
    int rc = wb_doc_open(path, fmt, 96, WB_INCIDENT_DOC_MAX_PAGES, footer, &d, err);
    if (rc != 0) return rc;
    wb_buf b = {0};
    snprintf(title, sizeof title, "Incident %lld: %s", (long long)ri->inc.id,
             ri->inc.title ? ri->inc.title : "");
    wb_doc_set_title(d, title);
    wb_doc_text(d, WB_STYLE_TITLE, title, 3);
    wb_doc_text(d, WB_STYLE_SMALL,
                L(nl,
                  "Cbw (NIS2 Art. 23) incident reporting. Times are Europe/Amsterdam unless "
                  "marked UTC.",
                  "Meldplicht Cbw (NIS2 art. 23). Tijden in Europe/Amsterdam, tenzij als UTC "
                  "gemarkeerd."),
                1);
    wb_doc_space(d, 8);
    facts(d, ri, utc, nl);
    deadlines(d, ri, utc, nl);
    reports(d, ri, utc, nl, &b);
    actions(d, ri, utc, nl);
    wb_doc_heading(
        d, L(nl, "Current state (every report merged)", "Huidige stand (alle meldingen samen)"),
        60);
    if (ri->state) fields_table(d, ri->state, utc, nl, &b);
    wb_buf_free(&b);
    return wb_doc_close(d, err);
}
