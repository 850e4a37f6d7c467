/*
 * report_internal.h - what the files of src/report/ share: the palette (one
 * for the PDF and the HTML page, so both look alike), text cleaning, dates
 * in Europe/Amsterdam and HTML escaping.
 */
#ifndef WB_REPORT_INTERNAL_H
#define WB_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/report.h"

typedef uint32_t wbi_rgb; /* 0xRRGGBB */

#define WBI_INK 0x1b1f24u      /* body text */
#define WBI_GREY 0x5f6b7au     /* secondary text */
#define WBI_ACCENT 0x154273u   /* headings, current scores */
#define WBI_PREVIOUS 0xa9b4c2u /* the previous assessment */
#define WBI_TARGET 0xe17000u   /* the target level */
#define WBI_ALERT 0xb3261eu    /* overdue, late */
#define WBI_OK 0x2e7d32u       /* met */
#define WBI_RULE 0xd5dbe3u     /* lines */
#define WBI_SHADE 0xf1f4f8u    /* table header and figure boxes */

#define WBI_MAX_COLS 12

/* A copy of s (NULL for NULL) with invalid UTF-8 bytes as '?', control
 * characters and runs of white space as one space, trimmed; newlines kept
 * when keep_newlines. Heap memory; NULL when out of memory. */
char *wbi_clean_text(const char *s, bool keep_newlines);
char *wbi_strdup(const char *s);

/* "2026-05-01" of t on the Amsterdam calendar, or "-" for WB_TIME_NONE. */
void wbi_date(wb_time t, char *out, size_t cap);
/* "2026-05-01 10:00 +02:00" in Amsterdam (or "2026-05-01 08:00 UTC" with utc). */
void wbi_datetime(wb_time t, bool utc, char *out, size_t cap);
/* At most max_chars characters of s into out, ending in "…" when cut;
 * returns out. */
const char *wbi_utf8_cut(const char *s, size_t max_chars, char *out, size_t cap);
/* Appends s with &, <, >, " and ' escaped and the text cleaned as
 * wbi_clean_text does. 0 or WB_ENOMEM. */
int wbi_html_text(wb_buf *b, const char *s);

/* The fixed texts of the board report in one language. */
typedef struct wbi_board_texts {
    const char *title, *overall, *coverage, *gaps_below, *overdue_patches, *no_scan,
        *incidents_year, *no_register, *principles, *current, *previous, *target_line,
        *largest_gaps, *col_ref, *col_requirement, *col_principle, *col_level, *col_owner, *col_due,
        *more, *overdue_actions, *none_overdue, *incidents, *col_id, *col_title, *col_aware,
        *col_ew, *col_notif, *col_final, *col_status, *no_incidents, *source, *principles_source,
        *of_which_kev, *no_gaps, *deadlines, *target_of, *answered, *scope, *previous_of, *progress,
        *missed, *not_mapped;
    /* the most urgent overdue patches */
    const char *urgent, *col_vuln, *col_asset, *col_component, *col_fixed, *col_kev,
        *col_days_overdue, *yes, *open_deadlines;
    const char *state[4];  /* by wb_deadline_state: open, met, late, overdue */
    const char *status[3]; /* open, handled, closed */
} wbi_board_texts;

/* The texts for "nl", else English. */
const wbi_board_texts *wbi_board_texts_for(const char *lang);
/* Deadlines of the incidents per wb_deadline_state. */
/* The cells of an overdue patch: days overdue against the scan's time (or
 * the report's when the scan gives none), and KEV. */
void wbi_board_patch_cells(const wb_board *b, const wbi_board_texts *t, const wb_vuln_overdue *u,
                           char *days, size_t dcap, const char **kev);

/* The headline maturity figure: the mean level over the answered
 * requirements (coverage is its own figure) into v, its caption into c;
 * *alert when it is below the target. */
void wbi_board_maturity(const wb_board *b, const wbi_board_texts *t, char *v, size_t vcap, char *c,
                        size_t ccap, bool *alert);
void wbi_board_deadline_counts(const wb_board *b, size_t counts[4]);
/* The final report's cell: its state, or the progress report's while the
 * final one waits for the incident to be handled. */
const char *wbi_board_final_cell(const wbi_board_texts *t, const wb_board_incident *inc, char *buf,
                                 size_t cap);
/* "+ 2 more. reporting deadlines: 3 met, 1 late, 2 overdue, 4 open." */
void wbi_board_deadline_summary(const wb_board *b, const wbi_board_texts *t, size_t shown,
                                char *out, size_t cap);
/* The colour a deadline state is shown in: red for late and overdue,
 * green for met, 0 (the default) for open. */
wbi_rgb wbi_state_color(wb_deadline_state s);
/* The incident status in the report's language. */
const char *wbi_board_status(const wbi_board_texts *t, const char *status);

#endif
