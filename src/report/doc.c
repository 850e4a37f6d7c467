/*
 * doc.c - the page layer of report.h: A4 pages drawn with cairo, a cursor
 * that moves down the page, and the blocks reports are built from (wrapped
 * text, headings, tables, a bar chart, key figures, a footer per page).
 *
 * Text goes through cairo's toy font API with DejaVu Sans (found through
 * fontconfig): it has every Latin character Dutch needs and no shaping is
 * required. Every string is cleaned first (invalid UTF-8 and control
 * characters replaced), because one bad byte would put the cairo context in
 * an error state and blank the rest of the page.
 *
 * A document knows how many pages it may have; content beyond them is not
 * drawn and wb_doc_close reports WB_ELIMIT.
 */
/* RTLD_DEFAULT: _GNU_SOURCE comes from the build */
#include <dlfcn.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_internal.h"
#include "weerbaar/report.h"

#define MARGIN_X 42.0
#define MARGIN_TOP 36.0
#define MARGIN_BOTTOM 44.0 /* the footer lives in here */
#define TEXT_W (WB_A4_WIDTH - 2 * MARGIN_X)
#define BOTTOM (WB_A4_HEIGHT - MARGIN_BOTTOM)
/* No line of any style holds more bytes than this: a longer candidate is
 * not measured, which keeps wrapping a 64 KB word linear. */
#define MAX_LINE_BYTES 512

struct wb_doc {
    cairo_surface_t *surface;
    cairo_t *cr;
    wb_page_format fmt;
    double scale; /* device pixels per point (PNG) */
    char *path;
    char *footer;
    int max_pages;
    int page;
    bool dirty;    /* something was drawn on this page */
    bool overflow; /* content went beyond max_pages */
    bool io_error;
    double y;
    wb_buf scratch;
};

typedef struct style_def {
    double size;
    bool bold;
    wbi_rgb color;
} style_def;

static const style_def styles[] = {
    [WB_STYLE_BODY] = {9.0, false, WBI_INK},       [WB_STYLE_SMALL] = {7.0, false, WBI_GREY},
    [WB_STYLE_STRONG] = {9.0, true, WBI_INK},      [WB_STYLE_TITLE] = {18.0, true, WBI_ACCENT},
    [WB_STYLE_HEADING] = {11.0, true, WBI_ACCENT}, [WB_STYLE_BIG] = {20.0, true, WBI_ACCENT},
};

/* ---- cleaning text -------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (len > n) return 0;
    unsigned cp = c & (0x7fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

char *wbi_clean_text(const char *s, bool keep_newlines)
{
    size_t n = s ? strlen(s) : 0;
    char *out = malloc(n + 1), *o = out;
    if (out == NULL) return NULL;
    bool space = true; /* drops leading white space */
    for (size_t i = 0; i < n;) {
        const unsigned char *p = (const unsigned char *)s + i;
        if (*p == '\n' && keep_newlines) {
            while (o > out && o[-1] == ' ')
                o--;
            *o++ = '\n';
            space = true;
            i++;
            continue;
        }
        if (*p < 0x20 || *p == 0x7f || *p == ' ') {
            if (!space) *o++ = ' ';
            space = true;
            i++;
            continue;
        }
        size_t len = utf8_len(p, n - i);
        if (len == 0) {
            *o++ = '?';
            i++;
        } else {
            memcpy(o, p, len);
            o += len;
            i += len;
        }
        space = false;
    }
    while (o > out && (o[-1] == ' ' || o[-1] == '\n'))
        o--;
    *o = '\0';
    return out;
}

/* ---- fonts and measuring ----------------------------------------------------- */

static void set_font(wb_doc *d, double size, bool bold)
{
    cairo_select_font_face(d->cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(d->cr, size);
}

static void set_rgb(wb_doc *d, wbi_rgb c)
{
    cairo_set_source_rgb(d->cr, ((c >> 16) & 0xff) / 255.0, ((c >> 8) & 0xff) / 255.0,
                         (c & 0xff) / 255.0);
}

/* Width of s[0..n) in the current font; a scratch copy supplies the NUL. */
static double measure(wb_doc *d, const char *s, size_t n)
{
    wb_buf_reset(&d->scratch);
    if (wb_buf_append(&d->scratch, s, n) != 0 || wb_buf_putc(&d->scratch, '\0') != 0) return 1e9;
    cairo_text_extents_t ex;
    cairo_text_extents(d->cr, d->scratch.data, &ex);
    return ex.x_advance;
}

static size_t char_len(const char *s)
{
    size_t n = 1;
    while (((unsigned char)s[n] & 0xc0) == 0x80)
        n++;
    return n;
}

/* ---- wrapping ------------------------------------------------------------------ */

typedef struct line {
    size_t off, len;
} line;

typedef struct wrapped {
    char *text; /* cleaned */
    line *lines;
    size_t n, cap;
    bool ellipsis; /* the last line ends in "…" */
} wrapped;

static void wrapped_free(wrapped *w)
{
    free(w->text);
    free(w->lines);
    memset(w, 0, sizeof *w);
}

static int push_line(wrapped *w, size_t off, size_t len)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        line *p = realloc(w->lines, cap * sizeof *p);
        if (p == NULL) return -1;
        w->lines = p;
        w->cap = cap;
    }
    w->lines[w->n++] = (line){off, len};
    return 0;
}

static bool fits(wb_doc *d, const char *s, size_t n, double width)
{
    return n <= MAX_LINE_BYTES && measure(d, s, n) <= width;
}

/* Breaks text into lines of at most width points in the current font. */
static int wrap(wb_doc *d, const char *text, double width, int max_lines, wrapped *w)
{
    memset(w, 0, sizeof *w);
    w->text = wbi_clean_text(text, true);
    if (w->text == NULL) return -1;
    const char *s = w->text;
    size_t pos = 0;
    while (s[pos] && (max_lines <= 0 || w->n < (size_t)max_lines)) {
        if (s[pos] == '\n') { /* an empty line between paragraphs */
            if (push_line(w, pos, 0)) return -1;
            pos++;
            continue;
        }
        size_t start = pos, end = pos, i = pos;
        for (;;) {
            size_t e = i;
            while (s[e] == ' ')
                e++;
            while (s[e] && s[e] != ' ' && s[e] != '\n')
                e++;
            if (!fits(d, s + start, e - start, width)) break;
            end = i = e;
            if (s[i] == '\0' || s[i] == '\n') break;
        }
        if (end == start) { /* a word wider than the line: cut it */
            double x = 0;
            while (s[end] && s[end] != ' ' && s[end] != '\n') {
                size_t cl = char_len(s + end);
                double cw = measure(d, s + end, cl);
                if (x + cw > width && end > start) break;
                x += cw;
                end += cl;
            }
        }
        if (push_line(w, start, end - start)) return -1;
        pos = end;
        while (s[pos] == ' ')
            pos++;
        if (s[pos] == '\n') pos++;
    }
    while (s[pos] == ' ' || s[pos] == '\n')
        pos++;
    if (s[pos] && w->n > 0) {
        /* more text than lines: end the last one in an ellipsis that fits */
        line *l = &w->lines[w->n - 1];
        static const char ell[] = "\xe2\x80\xa6";
        double ew = measure(d, ell, 3);
        while (l->len > 0 && measure(d, s + l->off, l->len) + ew > width) {
            size_t k = l->len - 1;
            while (k > 0 && ((unsigned char)s[l->off + k] & 0xc0) == 0x80)
                k--;
            l->len = k;
        }
        while (l->len > 0 && s[l->off + l->len - 1] == ' ')
            l->len--;
        w->ellipsis = true;
    }
    return 0;
}

static void show(wb_doc *d, double x, double y, const char *s, size_t n, bool ellipsis)
{
    wb_buf_reset(&d->scratch);
    if (wb_buf_append(&d->scratch, s, n) != 0 ||
        (ellipsis && wb_buf_puts(&d->scratch, "\xe2\x80\xa6")) ||
        wb_buf_putc(&d->scratch, '\0') != 0)
        return;
    cairo_move_to(d->cr, x, y);
    cairo_show_text(d->cr, d->scratch.data);
}

/* Draws wrapped lines with the first baseline at y + size. */
static void draw_wrapped(wb_doc *d, const wrapped *w, double x, double y, double width, double size,
                         bool right)
{
    double lh = size * 1.3;
    for (size_t i = 0; i < w->n; i++) {
        const line *l = &w->lines[i];
        bool ell = w->ellipsis && i + 1 == w->n;
        double dx = 0;
        if (right) {
            dx = width - measure(d, w->text + l->off, l->len) -
                 (ell ? measure(d, "\xe2\x80\xa6", 3) : 0);
            if (dx < 0) dx = 0;
        }
        show(d, x + dx, y + size + (double)i * lh, w->text + l->off, l->len, ell);
    }
}

/* ---- pages ---------------------------------------------------------------------- */

static void paint_white(wb_doc *d)
{
    cairo_save(d->cr);
    cairo_set_source_rgb(d->cr, 1, 1, 1);
    cairo_paint(d->cr);
    cairo_restore(d->cr);
}

static void draw_footer(wb_doc *d)
{
    char num[32];
    snprintf(num, sizeof num, "%d", d->page);
    double y = WB_A4_HEIGHT - 26;
    cairo_set_line_width(d->cr, 0.5);
    set_rgb(d, WBI_RULE);
    cairo_move_to(d->cr, MARGIN_X, y - 10);
    cairo_line_to(d->cr, WB_A4_WIDTH - MARGIN_X, y - 10);
    cairo_stroke(d->cr);
    set_font(d, 6.5, false);
    set_rgb(d, WBI_GREY);
    double nw = measure(d, num, strlen(num));
    show(d, WB_A4_WIDTH - MARGIN_X - nw, y, num, strlen(num), false);
    if (d->footer) {
        wrapped w;
        if (wrap(d, d->footer, TEXT_W - nw - 20, 1, &w) == 0 && w.n)
            draw_wrapped(d, &w, MARGIN_X, y - 6.5, TEXT_W, 6.5, false);
        wrapped_free(&w);
    }
}

static char *png_page_path(const wb_doc *d, int page)
{
    size_t n = strlen(d->path) + 32;
    char *p = malloc(n);
    if (p == NULL) return NULL;
    if (page == 1) {
        snprintf(p, n, "%s", d->path);
        return p;
    }
    size_t base = strlen(d->path);
    if (wb_str_endswith(d->path, ".png")) base -= 4;
    snprintf(p, n, "%.*s-%d.png", (int)base, d->path, page);
    return p;
}

/* Ends the current page: footer, then out to the file. */
static void finish_page(wb_doc *d)
{
    draw_footer(d);
    if (d->fmt == WB_PAGE_PDF) {
        cairo_show_page(d->cr);
        return;
    }
    cairo_surface_flush(d->surface);
    char *p = png_page_path(d, d->page);
    if (p == NULL || cairo_surface_write_to_png(d->surface, p) != CAIRO_STATUS_SUCCESS)
        d->io_error = true;
    free(p);
    paint_white(d);
}

static bool muted(const wb_doc *d)
{
    return d->overflow;
}

void wb_doc_page_break(wb_doc *d)
{
    if (muted(d) || !d->dirty) return;
    if (d->page >= d->max_pages) {
        d->overflow = true;
        return;
    }
    finish_page(d);
    d->page++;
    d->dirty = false;
    d->y = MARGIN_TOP;
}

/* Makes room for h points: a new page when they do not fit on this one
 * (unless the page is empty: then the block is drawn as far as it goes). */
static bool room(wb_doc *d, double h)
{
    if (muted(d)) return false;
    if (d->y + h > BOTTOM && d->dirty) wb_doc_page_break(d);
    if (muted(d)) return false;
    d->dirty = true;
    return true;
}

void wb_doc_set_title(wb_doc *d, const char *title)
{
    if (d->fmt != WB_PAGE_PDF || title == NULL) return;
    char *t = wbi_clean_text(title, false);
    if (t) cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_TITLE, t);
    free(t);
}

double wb_doc_left(const wb_doc *d)
{
    return BOTTOM - d->y;
}

int wb_doc_pages(const wb_doc *d)
{
    return d->page;
}

int wb_doc_open(const char *path, wb_page_format fmt, double png_dpi, int max_pages,
                const char *footer, wb_doc **out, wb_error *err)
{
    *out = NULL;
    wb_doc *d = calloc(1, sizeof *d);
    if (d == NULL) return wb_error_set(err, WB_ENOMEM, "report: out of memory");
    d->fmt = fmt;
    d->max_pages = max_pages > 0 ? max_pages : 1;
    d->page = 1;
    d->y = MARGIN_TOP;
    d->path = wbi_strdup(path);
    d->footer = footer ? wbi_clean_text(footer, false) : NULL;
    if (d->path == NULL || (footer && d->footer == NULL)) {
        wb_doc_close(d, NULL);
        return wb_error_set(err, WB_ENOMEM, "report: out of memory");
    }
    if (fmt == WB_PAGE_PDF) {
        d->surface = cairo_pdf_surface_create(path, WB_A4_WIDTH, WB_A4_HEIGHT);
        d->scale = 1;
    } else {
        d->scale = (png_dpi > 0 && png_dpi <= 600 ? png_dpi : 96) / 72.0;
        d->surface =
            cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(WB_A4_WIDTH * d->scale),
                                       (int)ceil(WB_A4_HEIGHT * d->scale));
    }
    cairo_status_t st = cairo_surface_status(d->surface);
    if (st != CAIRO_STATUS_SUCCESS) {
        wb_doc_close(d, NULL);
        return wb_error_set(err, st == CAIRO_STATUS_NO_MEMORY ? WB_ENOMEM : WB_EIO,
                            "%s: cannot create: %s", path, cairo_status_to_string(st));
    }
    if (fmt == WB_PAGE_PDF)
        cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATOR, "weerbaar");
    d->cr = cairo_create(d->surface);
    if (cairo_status(d->cr) != CAIRO_STATUS_SUCCESS) {
        wb_doc_close(d, NULL);
        return wb_error_set(err, WB_ENOMEM, "report: out of memory");
    }
    if (fmt == WB_PAGE_PNG) {
        cairo_scale(d->cr, d->scale, d->scale);
        paint_white(d);
    }
    *out = d;
    return 0;
}

int wb_doc_close(wb_doc *d, wb_error *err)
{
    if (d == NULL) return 0;
    int rc = 0;
    if (d->cr) {
        finish_page(d);
        cairo_status_t st = cairo_status(d->cr);
        cairo_destroy(d->cr);
        cairo_surface_finish(d->surface);
        if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_status(d->surface);
        if (st != CAIRO_STATUS_SUCCESS)
            rc = wb_error_set(err, st == CAIRO_STATUS_NO_MEMORY ? WB_ENOMEM : WB_EIO, "%s: %s",
                              d->path, cairo_status_to_string(st));
        else if (d->io_error)
            rc = wb_error_set(err, WB_EIO, "%s: cannot write the PNG file", d->path);
        else if (d->overflow)
            rc = wb_error_set(err, WB_ELIMIT, "%s: the content needs more than %d page%s", d->path,
                              d->max_pages, d->max_pages == 1 ? "" : "s");
    }
    if (d->surface) cairo_surface_destroy(d->surface);
    /* a page that failed is not left behind to be taken for a good one */
    for (int p = 1; rc != 0 && d->path && p <= d->page; p++) {
        char *f = d->fmt == WB_PAGE_PNG ? png_page_path(d, p) : wbi_strdup(d->path);
        if (f) unlink(f);
        free(f);
        if (d->fmt == WB_PAGE_PDF) break;
    }
    wb_buf_free(&d->scratch);
    free(d->path);
    free(d->footer);
    free(d);
    return rc;
}

/* ---- blocks ------------------------------------------------------------------------ */

void wb_doc_space(wb_doc *d, double pt)
{
    if (!muted(d)) d->y += pt;
}

/* Height of a wrapped block of n lines. */
static double block_h(size_t n, double size)
{
    return n ? (double)n * size * 1.3 : 0;
}

void wb_doc_text(wb_doc *d, wb_doc_style style, const char *text, int max_lines)
{
    const style_def *st = &styles[style];
    wrapped w;
    if (muted(d)) return;
    set_font(d, st->size, st->bold);
    if (wrap(d, text ? text : "", TEXT_W, max_lines, &w) != 0) {
        wrapped_free(&w);
        return;
    }
    /* a long paragraph flows over pages a line at a time */
    double lh = st->size * 1.3;
    for (size_t i = 0; i < w.n; i++) {
        if (!room(d, lh)) break;
        set_font(d, st->size, st->bold);
        set_rgb(d, st->color);
        bool ell = w.ellipsis && i + 1 == w.n;
        show(d, MARGIN_X, d->y + st->size, w.text + w.lines[i].off, w.lines[i].len, ell);
        d->y += lh;
    }
    wrapped_free(&w);
}

void wb_doc_heading(wb_doc *d, const char *text, double keep)
{
    const style_def *st = &styles[WB_STYLE_HEADING];
    if (muted(d)) return;
    if (d->dirty && d->y + st->size * 1.6 + keep > BOTTOM) wb_doc_page_break(d);
    wb_doc_text(d, WB_STYLE_HEADING, text, 2);
    if (!room(d, 4)) return;
    cairo_set_line_width(d->cr, 0.75);
    set_rgb(d, WBI_ACCENT);
    cairo_move_to(d->cr, MARGIN_X, d->y + 1);
    cairo_line_to(d->cr, WB_A4_WIDTH - MARGIN_X, d->y + 1);
    cairo_stroke(d->cr);
    d->y += 5;
}

/* ---- tables ------------------------------------------------------------------------- */

#define CELL_SIZE 8.0
#define HEAD_SIZE 7.0
#define CELL_PAD 2.5

static void col_geometry(const wb_doc_table *t, double *x, double *w)
{
    double sum = 0;
    for (size_t c = 0; c < t->ncols; c++)
        sum += t->widths[c] > 0 ? t->widths[c] : 0;
    if (sum <= 0) sum = 1;
    double at = MARGIN_X;
    for (size_t c = 0; c < t->ncols; c++) {
        x[c] = at;
        w[c] = TEXT_W * (t->widths[c] > 0 ? t->widths[c] : 0) / sum;
        at += w[c];
    }
}

/* One row: measured first, then moved to a new page (with the header again)
 * when it does not fit. */
static void table_row(wb_doc *d, const wb_doc_table *t, const char *const *cells,
                      const uint32_t *colors, bool head)
{
    double x[WBI_MAX_COLS], w[WBI_MAX_COLS];
    wrapped cw[WBI_MAX_COLS];
    size_t ncols = t->ncols < WBI_MAX_COLS ? t->ncols : WBI_MAX_COLS;
    double size = head ? HEAD_SIZE : CELL_SIZE;
    if (muted(d)) return;
    col_geometry(t, x, w);
    set_font(d, size, head);
    size_t lines = 1;
    for (size_t c = 0; c < ncols; c++) {
        const char *s = cells && cells[c] ? cells[c] : "";
        if (wrap(d, s, w[c] - 2 * CELL_PAD, head ? 2 : t->max_lines, &cw[c]) != 0) cw[c].n = 0;
        if (cw[c].n > lines) lines = cw[c].n;
    }
    double h = block_h(lines, size) + 2 * CELL_PAD;
    int page = d->page;
    if (room(d, h)) {
        if (!head && d->page != page) {
            for (size_t c = 0; c < ncols; c++)
                wrapped_free(&cw[c]);
            table_row(d, t, t->header, NULL, true);
            table_row(d, t, cells, colors, false);
            return;
        }
        if (head) {
            cairo_rectangle(d->cr, MARGIN_X, d->y, TEXT_W, h);
            set_rgb(d, WBI_SHADE);
            cairo_fill(d->cr);
        }
        set_font(d, size, head);
        for (size_t c = 0; c < ncols; c++) {
            set_rgb(d, head ? WBI_ACCENT : colors && colors[c] ? colors[c] : WBI_INK);
            draw_wrapped(d, &cw[c], x[c] + CELL_PAD, d->y + CELL_PAD - 1, w[c] - 2 * CELL_PAD, size,
                         t->align_right && t->align_right[c]);
        }
        d->y += h;
        cairo_set_line_width(d->cr, 0.4);
        set_rgb(d, WBI_RULE);
        cairo_move_to(d->cr, MARGIN_X, d->y);
        cairo_line_to(d->cr, WB_A4_WIDTH - MARGIN_X, d->y);
        cairo_stroke(d->cr);
    }
    for (size_t c = 0; c < ncols; c++)
        wrapped_free(&cw[c]);
}

void wb_doc_table_head(wb_doc *d, const wb_doc_table *t)
{
    table_row(d, t, t->header, NULL, true);
}

void wb_doc_table_row(wb_doc *d, const wb_doc_table *t, const char *const *cells)
{
    table_row(d, t, cells, NULL, false);
}

void wb_doc_table_row_colored(wb_doc *d, const wb_doc_table *t, const char *const *cells,
                              const uint32_t *colors)
{
    table_row(d, t, cells, colors, false);
}

/* ---- chart --------------------------------------------------------------------------- */

#define BAR_ROW 23.0
#define LABEL_W 168.0
#define NUM_W 70.0

void wb_doc_chart_draw(wb_doc *d, const wb_doc_chart *c)
{
    double max = c->max > 0 ? c->max : 1;
    double x0 = MARGIN_X + LABEL_W, x1 = WB_A4_WIDTH - MARGIN_X - NUM_W;
    double scale = (x1 - x0) / max;
    double h = (double)c->nbars * BAR_ROW + 14 + 16;
    if (!room(d, h)) return;
    cairo_t *cr = d->cr;
    double top = d->y;
    /* grid and scale */
    set_font(d, 6.5, false);
    /* a tick per step (1 unless the chart names one: counts and percentages
     * would otherwise draw a line per unit) */
    double step = c->step > 0 ? c->step : 1;
    if (max / step > 50) step = max / 50;
    for (int i = 0; i <= (int)(max / step + 1e-9); i++) {
        double v = i * step;
        double x = x0 + v * scale;
        cairo_set_line_width(cr, 0.4);
        set_rgb(d, WBI_RULE);
        cairo_move_to(cr, x, top);
        cairo_line_to(cr, x, top + (double)c->nbars * BAR_ROW);
        cairo_stroke(cr);
        char t[16];
        snprintf(t, sizeof t, "%g", v);
        set_rgb(d, WBI_GREY);
        show(d, x - measure(d, t, strlen(t)) / 2, top + (double)c->nbars * BAR_ROW + 8, t,
             strlen(t), false);
    }
    for (size_t i = 0; i < c->nbars; i++) {
        const wb_doc_bar *b = &c->bars[i];
        double ry = top + (double)i * BAR_ROW;
        wrapped w;
        set_font(d, 8.0, false);
        set_rgb(d, WBI_INK);
        if (wrap(d, b->label ? b->label : "", LABEL_W - 8, 2, &w) == 0) {
            double bh = block_h(w.n, 8.0);
            draw_wrapped(d, &w, MARGIN_X, ry + (BAR_ROW - bh) / 2 - 1.5, LABEL_W - 8, 8.0, false);
        }
        wrapped_free(&w);
        double cy = ry + 3.5;
        if (b->has_current) {
            set_rgb(d, WBI_ACCENT);
            cairo_rectangle(cr, x0, cy, fmax(b->current, 0) * scale, 10);
            cairo_fill(cr);
        }
        if (b->has_previous) {
            set_rgb(d, WBI_PREVIOUS);
            cairo_rectangle(cr, x0, cy + 11.5, fmax(b->previous, 0) * scale, 4.5);
            cairo_fill(cr);
        }
        if (b->has_target) {
            double tx = x0 + b->target * scale;
            set_rgb(d, WBI_TARGET);
            cairo_set_line_width(cr, 2.2);
            cairo_move_to(cr, tx, ry + 2);
            cairo_line_to(cr, tx, ry + BAR_ROW - 4);
            cairo_stroke(cr);
        }
        char num[32];
        if (b->has_current && c->number == WB_CHART_INTEGER)
            snprintf(num, sizeof num, "%.0f", round(b->current));
        else if (b->has_current && c->number == WB_CHART_PERCENT)
            snprintf(num, sizeof num, "%.0f%%", round(b->current));
        else if (b->has_current)
            snprintf(num, sizeof num, "%.2f", round(b->current * 100) / 100);
        else
            snprintf(num, sizeof num, "n/a");
        set_font(d, 8.5, true);
        set_rgb(d, WBI_INK);
        show(d, x1 + 6, cy + 8.5, num, strlen(num), false);
        if (b->note) {
            double nw = measure(d, num, strlen(num));
            set_font(d, 6.5, false);
            set_rgb(d, WBI_GREY);
            wrapped nwp;
            if (wrap(d, b->note, NUM_W - nw - 10, 1, &nwp) == 0 && nwp.n)
                show(d, x1 + 10 + nw, cy + 8.5, nwp.text + nwp.lines[0].off, nwp.lines[0].len,
                     nwp.ellipsis);
            wrapped_free(&nwp);
        }
    }
    /* legend */
    double ly = top + (double)c->nbars * BAR_ROW + 15, lx = x0;
    const char *labels[3] = {c->legend_current, c->legend_previous, c->legend_target};
    set_font(d, 7.0, false);
    for (int k = 0; k < 3; k++) {
        if (labels[k] == NULL) continue;
        if (k == 2) {
            set_rgb(d, WBI_TARGET);
            cairo_set_line_width(cr, 2.2);
            cairo_move_to(cr, lx + 4, ly);
            cairo_line_to(cr, lx + 4, ly + 9);
            cairo_stroke(cr);
        } else {
            set_rgb(d, k == 0 ? WBI_ACCENT : WBI_PREVIOUS);
            cairo_rectangle(cr, lx, ly + (k == 0 ? 1 : 3), 10, k == 0 ? 7 : 4);
            cairo_fill(cr);
        }
        set_rgb(d, WBI_INK);
        wrapped lw;
        if (wrap(d, labels[k], 140, 1, &lw) == 0 && lw.n) {
            show(d, lx + 14, ly + 7.5, lw.text + lw.lines[0].off, lw.lines[0].len, lw.ellipsis);
            lx += 14 + measure(d, lw.text + lw.lines[0].off, lw.lines[0].len) + 18;
        }
        wrapped_free(&lw);
    }
    d->y = top + h;
}

/* ---- key figures ----------------------------------------------------------------------- */

#define FIG_H 55.0

void wb_doc_figures(wb_doc *d, const wb_doc_figure *f, size_t n)
{
    if (n == 0 || !room(d, FIG_H)) return;
    double gap = 8, w = (TEXT_W - gap * (double)(n - 1)) / (double)n;
    for (size_t i = 0; i < n; i++) {
        double x = MARGIN_X + (double)i * (w + gap);
        cairo_rectangle(d->cr, x, d->y, w, FIG_H);
        set_rgb(d, WBI_SHADE);
        cairo_fill(d->cr);
        cairo_rectangle(d->cr, x, d->y, 3, FIG_H);
        set_rgb(d, f[i].alert ? WBI_ALERT : WBI_ACCENT);
        cairo_fill(d->cr);
        wrapped vw, cw;
        set_font(d, 17, true);
        if (wrap(d, f[i].value ? f[i].value : "", w - 14, 1, &vw) == 0)
            draw_wrapped(d, &vw, x + 10, d->y + 4, w - 14, 17, false);
        wrapped_free(&vw);
        set_font(d, 7, false);
        set_rgb(d, WBI_INK);
        if (wrap(d, f[i].caption ? f[i].caption : "", w - 14, 3, &cw) == 0)
            draw_wrapped(d, &cw, x + 10, d->y + 25, w - 14, 7, false);
        wrapped_free(&cw);
    }
    d->y += FIG_H;
}

/* ---- process exit ---------------------------------------------------------------------- */

void wb_report_cleanup(void)
{
    cairo_debug_reset_static_data();
    /* fontconfig's configuration outlives cairo's caches. libweerbaar does
     * not link fontconfig itself (cairo does), so FcFini is looked up
     * rather than called: a missing symbol just leaves the memory to exit. */
    void *sym = dlsym(RTLD_DEFAULT, "FcFini");
    void (*fini)(void);
    if (sym == NULL) return;
    memcpy(&fini, &sym, sizeof fini);
    fini();
}
