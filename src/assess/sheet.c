/*
 * sheet.c - the answer sheet of a catalogue (`weerbaar assess template`):
 * one row per assessable requirement with its text and empty answer
 * columns, as CSV or as an XLSX workbook (libxlsxwriter) whose level column
 * is a drop-down and whose second sheet says what each level means.
 *
 * What is written here is read back by answers.c (CSV) and xlsx.c (XLSX):
 * the columns keep the names the importer knows (ref, level, evidence,
 * owner, due, note); "requirement" and "levels" are for people and the
 * importer skips them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "assess/assess_internal.h"

/* Longest requirement text in a cell: whole paragraphs, well inside what
 * the importer accepts in a field and a spreadsheet in a cell. */
#define SHEET_MAX_TEXT 4000

static const char *const meaning_en[] = {
    "not in place",
    "initial: done ad hoc, depends on individuals",
    "repeatable: done regularly, not documented",
    "defined: documented, assigned and followed",
    "managed: measured and reviewed, deviations acted on",
    "optimised: improved continuously from measurements and lessons learnt"};
static const char *const meaning_nl[] = {
    "niet aanwezig",
    "initieel: ad hoc, afhankelijk van personen",
    "herhaalbaar: gebeurt regelmatig, niet vastgelegd",
    "gedefinieerd: vastgelegd, belegd en nageleefd",
    "beheerst: gemeten en beoordeeld, afwijkingen worden opgevolgd",
    "optimaliserend: voortdurend verbeterd op basis van metingen en lessen"};

const char *wb_assess_level_meaning(int level, const char *lang)
{
    bool nl = lang && strcmp(lang, "nl") == 0;
    if (level == WB_LEVEL_NA) return nl ? "niet van toepassing" : "not applicable";
    if (level < 0 || level > WB_ASSESS_MAX_LEVEL) return NULL;
    return nl ? meaning_nl[level] : meaning_en[level];
}

/* "0 = ...; 1 = ...; ...; n/a = ..." for the CSV's levels column. */
static int levels_line(const char *lang, wb_buf *b)
{
    int rc = 0;
    for (int l = 0; l <= WB_ASSESS_MAX_LEVEL; l++)
        rc |= wb_buf_printf(b, "%d = %s; ", l, wb_assess_level_meaning(l, lang));
    rc |= wb_buf_printf(b, "n/a = %s", wb_assess_level_meaning(WB_LEVEL_NA, lang));
    return rc ? WB_ENOMEM : 0;
}

/* The requirement's text: its name and description, cut at a character
 * boundary (marked "...") when longer than a cell should hold. */
static int requirement_text(const wb_req_node *n, const char *lang, wb_buf *b)
{
    wb_buf_reset(b);
    const char *name = wb_cat_text_get(n->texts, n->ntexts, WB_TEXT_NAME, lang, NULL);
    const char *desc = wb_cat_text_get(n->texts, n->ntexts, WB_TEXT_DESCRIPTION, lang, NULL);
    int rc = 0;
    if (name) rc |= wb_buf_puts(b, name);
    if (name && desc) rc |= wb_buf_puts(b, ": ");
    if (desc) rc |= wb_buf_puts(b, desc);
    if (rc == 0 && b->len == 0) rc = wb_buf_puts(b, "");
    if (rc) return WB_ENOMEM;
    /* trailing newlines of YAML block scalars say nothing */
    while (b->len && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == ' '))
        b->data[--b->len] = '\0';
    if (b->len > SHEET_MAX_TEXT) {
        size_t cut = SHEET_MAX_TEXT;
        while (cut > 0 && ((unsigned char)b->data[cut] & 0xc0) == 0x80)
            cut--;
        b->len = cut;
        b->data[cut] = '\0';
        if (wb_buf_puts(b, "...") != 0) return WB_ENOMEM;
    }
    return 0;
}

int wb_answers_template_csv(const wb_catalogue *cat, const char *lang, wb_buf *out)
{
    wb_buf text = {0}, levels = {0};
    int rc = levels_line(lang, &levels);
    if (rc == 0) rc = wb_buf_puts(out, "ref,requirement,level,evidence,owner,due,note,levels\n");
    for (size_t i = 0; rc == 0 && i < cat->nnodes; i++) {
        const wb_req_node *n = &cat->nodes[i];
        if (!n->assessable) continue;
        rc = requirement_text(n, lang, &text);
        if (rc == 0) rc = wbi_assess_csv_put(out, n->key, false);
        if (rc == 0) rc = wbi_assess_csv_put(out, text.data, false);
        if (rc == 0) rc = wb_buf_puts(out, ",,,,,") ? WB_ENOMEM : 0;
        if (rc == 0) rc = wbi_assess_csv_put(out, levels.data, true);
    }
    wb_buf_free(&text);
    wb_buf_free(&levels);
    return rc ? WB_ENOMEM : 0;
}

/* ---- XLSX ------------------------------------------------------------------------ */

static int xlsx_fail(wb_error *err, const char *path, lxw_error e)
{
    return wb_error_set(err, e == LXW_ERROR_MEMORY_MALLOC_FAILED ? WB_ENOMEM : WB_EIO,
                        "%s: cannot write the workbook: %s", path, lxw_strerror(e));
}

/* The second sheet: what the levels mean, and where the text comes from. */
static lxw_error levels_sheet(lxw_workbook *wb, const wb_catalogue *cat, const char *lang,
                              lxw_format *bold, lxw_format *wrap)
{
    bool nl = strcmp(lang, "nl") == 0;
    lxw_worksheet *ws = workbook_add_worksheet(wb, nl ? "Niveaus" : "Levels");
    if (ws == NULL) return LXW_ERROR_MEMORY_MALLOC_FAILED;
    lxw_error e = worksheet_set_column(ws, 0, 0, 8, NULL);
    if (!e) e = worksheet_set_column(ws, 1, 1, 90, wrap);
    if (!e) e = worksheet_write_string(ws, 0, 0, nl ? "Niveau" : "Level", bold);
    if (!e) e = worksheet_write_string(ws, 0, 1, nl ? "Betekenis" : "Meaning", bold);
    for (int l = 0; !e && l <= WB_ASSESS_MAX_LEVEL; l++) {
        char v[4];
        snprintf(v, sizeof v, "%d", l);
        e = worksheet_write_string(ws, (lxw_row_t)(l + 1), 0, v, NULL);
        if (!e)
            e = worksheet_write_string(ws, (lxw_row_t)(l + 1), 1, wb_assess_level_meaning(l, lang),
                                       NULL);
    }
    lxw_row_t r = WB_ASSESS_MAX_LEVEL + 2;
    if (!e) e = worksheet_write_string(ws, r, 0, "n/a", NULL);
    if (!e) e = worksheet_write_string(ws, r, 1, wb_assess_level_meaning(WB_LEVEL_NA, lang), NULL);
    const char *how =
        nl ? "Vul per eis het niveau in (keuzelijst), met bewijs, eigenaar, streefdatum "
             "(JJJJ-MM-DD) en toelichting. Lees het blad in met 'weerbaar assess import ID "
             "BESTAND'. Een rij zonder niveau telt als niet beantwoord; de score (volwassenheid) "
             "is het gemiddelde over de beantwoorde eisen, de dekking het aandeel beantwoord."
           : "Give each requirement a level (drop-down), with evidence, owner, due date "
             "(YYYY-MM-DD) and a note. Read the sheet back with 'weerbaar assess import ID "
             "FILE'. A row without a level counts as not answered; maturity is the mean over "
             "the answered requirements, coverage the share answered.";
    if (!e) e = worksheet_write_string(ws, r + 2, 1, how, NULL);
    char line[512];
    snprintf(line, sizeof line, "%s: %s", nl ? "Catalogus" : "Catalogue", cat->name);
    if (!e) e = worksheet_write_string(ws, r + 3, 1, line, NULL);
    if (!e && cat->copyright) e = worksheet_write_string(ws, r + 4, 1, cat->copyright, NULL);
    return e;
}

int wb_answers_template_xlsx(const wb_catalogue *cat, const char *lang, const char *path,
                             wb_error *err)
{
    bool nl = strcmp(lang, "nl") == 0;
    lxw_workbook *wb = workbook_new(path);
    if (wb == NULL) return wb_error_set(err, WB_EIO, "%s: cannot create the workbook", path);
    lxw_format *bold = workbook_add_format(wb), *wrap = workbook_add_format(wb),
               *text = workbook_add_format(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, nl ? "Antwoorden" : "Answers");
    lxw_error e = bold && wrap && text && ws ? LXW_NO_ERROR : LXW_ERROR_MEMORY_MALLOC_FAILED;
    wb_buf buf = {0};
    if (!e) {
        format_set_bold(bold);
        format_set_text_wrap(wrap);
        format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
        format_set_num_format(text, "@"); /* a typed date stays the text it is */
    }
    static const char *const head[] = {"ref",   "requirement", "level", "evidence",
                                       "owner", "due",         "note"};
    static const double width[] = {12, 70, 8, 40, 20, 12, 40};
    for (lxw_col_t c = 0; !e && c < 7; c++) {
        e = worksheet_set_column(ws, c, c, width[c], c == 1 ? wrap : c == 5 ? text : NULL);
        if (!e) e = worksheet_write_string(ws, 0, c, head[c], bold);
    }
    if (!e) worksheet_freeze_panes(ws, 1, 0);
    lxw_row_t row = 0;
    for (size_t i = 0; !e && i < cat->nnodes; i++) {
        const wb_req_node *n = &cat->nodes[i];
        if (!n->assessable) continue;
        row++;
        if (requirement_text(n, lang, &buf) != 0) {
            e = LXW_ERROR_MEMORY_MALLOC_FAILED;
            break;
        }
        e = worksheet_write_string(ws, row, 0, n->key, NULL);
        if (!e) e = worksheet_write_string(ws, row, 1, buf.data, wrap);
    }
    if (!e && row > 0) {
        /* the drop-down: what the importer accepts, and nothing else */
        static char l0[] = "0", l1[] = "1", l2[] = "2", l3[] = "3", l4[] = "4", l5[] = "5",
                    lna[] = "n/a";
        static char *levels[] = {l0, l1, l2, l3, l4, l5, lna, NULL};
        lxw_data_validation dv = {0};
        dv.validate = LXW_VALIDATION_TYPE_LIST;
        dv.value_list = levels;
        /* libxlsxwriter takes char *, and only reads them */
        static char t_nl[] = "Niveau", t_en[] = "Level",
                    m_nl[] = "0-5 of n/a; zie het blad Niveaus",
                    m_en[] = "0-5 or n/a; see the sheet Levels", et_nl[] = "Geen niveau",
                    et_en[] = "Not a level", em_nl[] = "Kies 0 tot 5, of n/a.",
                    em_en[] = "Choose 0 to 5, or n/a.";
        dv.input_title = nl ? t_nl : t_en;
        dv.input_message = nl ? m_nl : m_en;
        dv.error_title = nl ? et_nl : et_en;
        dv.error_message = nl ? em_nl : em_en;
        e = worksheet_data_validation_range(ws, 1, 2, row, 2, &dv);
    }
    if (!e) e = levels_sheet(wb, cat, lang, bold, wrap);
    wb_buf_free(&buf);
    lxw_error ce = workbook_close(wb); /* frees wb, also after an error */
    if (e) return xlsx_fail(err, path, e);
    if (ce) return xlsx_fail(err, path, ce);
    return 0;
}
