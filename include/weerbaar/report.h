/*
 * report.h - pages for people: the one-page board report of an assessment
 * (PDF, PNG or a self-contained HTML page) and the PDF export of an incident.
 *
 * Two layers. The page layer (wb_doc) draws on A4 through cairo: wrapped
 * text with an ellipsis where a block has a line limit, headings, tables,
 * a horizontal bar chart and a footer on every page, breaking pages when a
 * document may have several. The documents on top take plain data (wb_board,
 * or an incident as the register loads it) that the caller has already
 * computed with the capability libraries, so that a report shows the very
 * numbers `assess score --format json` and `incident show` print; nothing
 * here scores or judges.
 *
 * Also here: the reader of `weerbaar vuln scan --format json` results that
 * the board report counts overdue patches from.
 */
#ifndef WEERBAAR_REPORT_H
#define WEERBAAR_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/assess.h"
#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/register.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- pages ------------------------------------------------------------------ */

#define WB_A4_WIDTH 595.276 /* points: 210 mm */
#define WB_A4_HEIGHT 841.89 /* points: 297 mm */

typedef enum wb_page_format {
    WB_PAGE_PDF,
    WB_PAGE_PNG /* one file per page: PATH, then PATH-2.png, PATH-3.png, ... */
} wb_page_format;

typedef struct wb_doc wb_doc;

/* Opens a document that will be written to path. max_pages bounds the pages
 * (a board report is one page); content that would need more is not drawn
 * and wb_doc_close fails with WB_ELIMIT, so a clipped page is never passed
 * off as complete. png_dpi is used for WB_PAGE_PNG (e.g. 96). footer (may be
 * NULL) is printed at the bottom of every page with the page number.
 * WB_EIO when the file cannot be created, WB_ENOMEM. */
int wb_doc_open(const char *path, wb_page_format fmt, double png_dpi, int max_pages,
                const char *footer, wb_doc **out, wb_error *err);
/* Finishes the last page, writes and frees the document (d may be NULL).
 * WB_EIO when writing failed, WB_ELIMIT when content did not fit; on
 * failure the file is removed. */
int wb_doc_close(wb_doc *d, wb_error *err);
/* Frees the font caches cairo keeps for the life of the process. Only for
 * leak checkers at exit: no document may be open, in any thread. */
void wb_report_cleanup(void);
/* The document's title in the PDF's metadata (what a viewer shows). */
void wb_doc_set_title(wb_doc *d, const char *title);
/* Pages begun so far. */
int wb_doc_pages(const wb_doc *d);

/* Text styles. */
typedef enum wb_doc_style {
    WB_STYLE_BODY,    /* 9 pt */
    WB_STYLE_SMALL,   /* 7 pt, grey */
    WB_STYLE_STRONG,  /* 9 pt bold */
    WB_STYLE_TITLE,   /* 18 pt bold */
    WB_STYLE_HEADING, /* 11 pt bold, a rule under it */
    WB_STYLE_BIG      /* 20 pt bold: a key figure */
} wb_doc_style;

/* A paragraph over the full text width, wrapped at spaces (a word wider than
 * the line is cut), at most max_lines lines (0: no limit) with "…" ending a
 * cut text. Moves the cursor below it. */
void wb_doc_text(wb_doc *d, wb_doc_style style, const char *text, int max_lines);
/* A heading; starts a new page first when fewer than `keep` points are left
 * below it, so a heading never ends a page. */
void wb_doc_heading(wb_doc *d, const char *text, double keep);
/* Vertical space. */
void wb_doc_space(wb_doc *d, double pt);
/* Points left on the current page above the footer. */
double wb_doc_left(const wb_doc *d);
/* Starts a new page (a no-op on an empty page). */
void wb_doc_page_break(wb_doc *d);

/* A table: column widths as shares of the text width (they are scaled to sum
 * to 1), a header row, and rows whose cells wrap to at most max_lines lines
 * each. A row that does not fit goes to the next page with the header
 * repeated. A cell may be NULL (empty). Cells of columns with align_right
 * set are right-aligned (numbers). */
typedef struct wb_doc_table {
    size_t ncols;
    const double *widths;
    const char *const *header;
    const bool *align_right; /* may be NULL */
    int max_lines;           /* per cell; 0: no limit */
} wb_doc_table;
void wb_doc_table_head(wb_doc *d, const wb_doc_table *t);
void wb_doc_table_row(wb_doc *d, const wb_doc_table *t, const char *const *cells);
/* The same with a text colour per cell (0xRRGGBB; 0 for the default). */
void wb_doc_table_row_colored(wb_doc *d, const wb_doc_table *t, const char *const *cells,
                              const uint32_t *colors);

/* A horizontal bar chart on a 0..max scale: one row per item with its label,
 * the current value as a bar with its number, the previous value as a thin
 * bar under it, and the target as a line across the row; a legend under the
 * chart. has_* false leaves that part out (an item without a score shows
 * "n/a"). */
typedef struct wb_doc_bar {
    const char *label;
    double current, previous, target;
    bool has_current, has_previous, has_target;
    const char *note; /* right of the number, e.g. coverage "4/9"; may be NULL */
} wb_doc_bar;
/* How a bar's number is written: 2.35, 12, 83%. */
typedef enum wb_chart_number {
    WB_CHART_DECIMAL = 0,
    WB_CHART_INTEGER,
    WB_CHART_PERCENT
} wb_chart_number;
typedef struct wb_doc_chart {
    const wb_doc_bar *bars;
    size_t nbars;
    double max;
    const char *legend_current, *legend_previous, *legend_target;
    double step;            /* between ticks of the scale; 0: 1 (at most 50 ticks) */
    wb_chart_number number; /* WB_CHART_DECIMAL by default */
} wb_doc_chart;
void wb_doc_chart_draw(wb_doc *d, const wb_doc_chart *c);

/* Key figures side by side in boxes: a big number and a caption each. */
typedef struct wb_doc_figure {
    const char *value;
    const char *caption;
    bool alert; /* drawn in the warning colour */
} wb_doc_figure;
void wb_doc_figures(wb_doc *d, const wb_doc_figure *f, size_t n);

/* ---- the board report --------------------------------------------------------- */

/* The numbers of one board report. Strings are borrowed; the caller keeps
 * them alive until the report is written. */
typedef struct wb_board_principle {
    const char *title;
    wb_score current;
    wb_score previous; /* has_value false without a previous assessment */
} wb_board_principle;

typedef struct wb_board_item { /* a gap or an overdue improvement action */
    const char *ref;
    const char *name;
    int level; /* 0..5; 0 when unanswered */
    bool answered;
    int shortfall;
    const char *owner; /* may be NULL */
    wb_time due;       /* WB_TIME_NONE when none */
    int principle;     /* 1..5, 0 none */
} wb_board_item;

typedef struct wb_board_incident {
    int64_t id;
    const char *title;
    wb_time aware_at;
    const char *status; /* open, handled, closed */
    /* The deadline of each stage; has[s] false when the incident has none. */
    bool has[WB_STAGE_COUNT];
    wb_deadline_state state[WB_STAGE_COUNT];
    /* The earliest deadline of each stage still open (due, not yet met or
     * missed), for the board to name; 0 when there is none. */
    wb_time open_due[WB_STAGE_COUNT];
} wb_board_incident;

/* One overdue patch, named on the board (texts cut to fit, at a UTF-8
 * character boundary). */
#define WB_VULN_URGENT 5
typedef struct wb_vuln_overdue {
    char vulnerability[64]; /* the CVE, else the advisory's id */
    char asset[96];
    char component[128]; /* name and version */
    char fixed[48];      /* the first fixed version, "" when none is known */
    bool kev;
    wb_time deadline;
} wb_vuln_overdue;

/* What `weerbaar vuln scan --format json` says about patches. */
typedef struct wb_vuln_summary {
    size_t findings; /* unsuppressed findings */
    size_t overdue;  /* of which the patch deadline has passed */
    size_t overdue_kev;
    size_t overdue_critical;
    wb_time now; /* the scan's reference time */
    /* The most urgent overdue patches: known exploited first, then the
     * longest overdue (earliest deadline), then file order. */
    wb_vuln_overdue urgent[WB_VULN_URGENT];
    size_t nurgent;
} wb_vuln_summary;

typedef struct wb_board {
    const char *lang; /* "nl" or "en" */
    const char *organisation;
    const char *scope;           /* may be NULL */
    const char *catalogue;       /* name, "cbw_nis2" */
    const char *catalogue_title; /* in lang */
    const char *assessment;      /* id or file the answers came from */
    const char *previous;        /* id or file of the previous one, or NULL */
    wb_time as_of;               /* the report's date */
    int target;
    wb_score overall;
    wb_score overall_previous; /* has_value false without a previous one */
    const wb_board_principle *principles;
    size_t nprinciples;
    size_t ngaps;              /* every gap below target */
    const wb_board_item *gaps; /* the largest first */
    size_t ngaps_shown;
    const wb_board_item *overdue; /* improvement actions past due */
    size_t noverdue;
    bool has_incidents; /* false: no register was given */
    const wb_board_incident *incidents;
    size_t nincidents;
    int year; /* of the incidents */
    bool has_vuln;
    wb_vuln_summary vuln;
    const char *vuln_source;
    const char *attribution;            /* the catalogue's */
    const char *principles_attribution; /* may be NULL */
} wb_board;

/* The board report holds at most this many of each list; the rest is
 * counted ("and 3 more"), so the page never runs over. */
#define WB_BOARD_MAX_PRINCIPLES 5
#define WB_BOARD_MAX_GAPS 5
#define WB_BOARD_MAX_OVERDUE 3
#define WB_BOARD_MAX_INCIDENTS 4

/* Draws the board report on one A4 page into path (PDF or PNG at png_dpi).
 * WB_EIO, WB_ENOMEM; WB_ELIMIT if it did not fit on the page (a bug). */
int wb_board_render(const wb_board *b, const char *path, wb_page_format fmt, double png_dpi,
                    wb_error *err);
/* Appends the board report as one self-contained HTML page (inline CSS and
 * SVG, no external resources; all text escaped) with the same numbers as the
 * PDF. 0 or WB_ENOMEM. */
int wb_board_html(const wb_board *b, wb_buf *out);

/* A score as the report prints it: the value rounded to two decimals like
 * `assess score --format json` ("2.33"), or "n/a". */
void wb_board_score_text(const wb_score *s, char *out, size_t cap);

/* ---- a board from an assessment's answers ---------------------------------------- */

/* A board and everything it borrows, freed together by wb_board_data_free.
 * The command line (`assess report`) and the hub (GET
 * /api/v1/assessments/{id}/report) fill it through the same functions, so
 * both print the same numbers. */
typedef struct wb_board_data {
    wb_board b;
    wb_scores *sc, *prev;
    wb_board_principle *principles;
    wb_board_item *gaps, *overdue;
    wb_board_incident *incidents;
    size_t nincidents, capincidents;
    wb_arena arena; /* texts the board borrows */
} wb_board_data;

/* Sets up an empty board of cat in lang ("nl" or "en") as of as_of. */
void wb_board_data_init(wb_board_data *bd, const wb_catalogue *cat, const char *lang, wb_time as_of,
                        int target);
/* Scores, principles (through the principles catalogue, may be NULL), the
 * largest gaps and the improvement actions past due, from the answers and
 * (may be NULL) those of the previous assessment. WB_ENOMEM and what
 * wb_assess_score returns; the message is in err. */
int wb_board_fill_scores(wb_board_data *bd, const wb_catalogue *cat, const wb_catalogue *principles,
                         const wb_answers *ans, const wb_answers *previous, wb_error *err);
/* The organisation's incidents of the board's year from the incident
 * register in st (org NULL: every incident), each judged as of the
 * board's date as `incident due` judges it. Sets has_incidents. */
int wb_board_fill_incidents(wb_board_data *bd, wb_store *st, const char *org, wb_error *err);
void wb_board_data_free(wb_board_data *bd);

/* ---- overdue patches ------------------------------------------------------------ */

#define WB_VULN_SUMMARY_MAX_BYTES (256u << 20) /* largest scan result read */

/* Reads a `weerbaar vuln scan --format json` result: counts the findings
 * that are not suppressed and those whose "overdue" is true (of which KEV
 * and critical), and checks them against "summary". WB_EPARSE with "name:
 * $.findings[3].overdue: not a boolean" and the like; WB_ELIMIT above
 * WB_VULN_SUMMARY_MAX_BYTES. */
int wb_vuln_summary_parse(const char *data, size_t len, const char *name, wb_vuln_summary *out,
                          wb_error *err);
int wb_vuln_summary_load(const char *path, wb_vuln_summary *out, wb_error *err);

/* ---- incidents -------------------------------------------------------------------- */

/* Something that draws into a file name (cairo's surfaces write to paths). */
typedef int (*wb_render_fn)(void *ud, const char *path, wb_error *err);
/* Renders into a private temporary file ($TMPDIR, else /tmp), reads it into
 * *out (appended) and removes the file: for standard output and for the
 * hub's answers. 0, WB_EIO, WB_ENOMEM or what render returned. */
int wb_render_to_buf(wb_render_fn render, void *ud, wb_buf *out, wb_error *err);

/* The incident with its stages, deadlines and states, each report's key
 * fields and the CSIRT's actions, on as many A4 pages as it needs (at most
 * WB_INCIDENT_DOC_MAX_PAGES). Times in Europe/Amsterdam, or UTC with utc;
 * text in lang "nl" or "en" (NULL: en).
 * WB_EIO, WB_ENOMEM, WB_ELIMIT. */
#define WB_INCIDENT_DOC_MAX_PAGES 500
int wb_incident_render(const wb_reg_incident *ri, const char *path, wb_page_format fmt, bool utc,
                       const char *lang, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
