/*
 * xlsx.c - reads an answer sheet saved as XLSX (Office Open XML, ECMA-376
 * Part 1, SpreadsheetML) back into CSV, so that one parser (answers.c)
 * checks every answer whichever way it was filled in.
 *
 * An .xlsx is a zip archive (core/zip.c) of XML parts: xl/workbook.xml
 * lists the sheets, xl/_rels/workbook.xml.rels says which part each is,
 * xl/sharedStrings.xml holds the text that cells refer to by index. Only
 * the first sheet is read, as `assess template` writes the answers there.
 * libxml2 parses the XML; documents with a DTD are refused (no entity can
 * expand), no network is used, and every size is bounded: members by
 * WBI_XLSX_MAX_PART, rows by WB_ANSWERS_MAX_ROWS, columns by 32.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "assess/assess_internal.h"
#include "core/zip.h"

#define WBI_XLSX_MAX_PART (64u << 20) /* largest XML part inflated */
#define XLSX_MAX_COLUMNS 32           /* as answers.c reads CSV */
#define XLSX_MAX_STRINGS 1000000      /* shared strings kept */

static int oom(wb_error *err, const char *name)
{
    return wb_error_set(err, WB_ENOMEM, "%s: out of memory", name);
}

/* Parses XML from memory without network, DTDs or entity expansion. */
static xmlDoc *read_xml(const char *data, size_t len, const char *name, const char *part,
                        wb_error *err)
{
    if (len > WBI_XLSX_MAX_PART || len > (size_t)INT32_MAX) {
        wb_error_set(err, WB_ELIMIT, "%s!%s: larger than %u bytes", name, part, WBI_XLSX_MAX_PART);
        return NULL;
    }
    xmlDoc *doc = xmlReadMemory(data, (int)len, part, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL) {
        const xmlError *e = xmlGetLastError();
        wb_error_set(err, WB_EPARSE, "%s!%s:%d: not well-formed XML%s%.120s", name, part,
                     e ? e->line : 0, e && e->message ? ": " : "",
                     e && e->message ? e->message : "");
        return NULL;
    }
    if (doc->intSubset != NULL || xmlDocGetRootElement(doc) == NULL) {
        wb_error_set(err, WB_EPARSE, "%s!%s: %s", name, part,
                     doc->intSubset ? "a document type declaration is not accepted"
                                    : "no root element");
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

static bool is_el(const xmlNode *n, const char *local)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0;
}

static xmlNode *child(const xmlNode *n, const char *local)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (is_el(c, local)) return c;
    return NULL;
}

/* Appends the text of every <t> under n, skipping phonetic runs (<rPh>),
 * which are readings of the text, not part of it. */
static int append_text(const xmlNode *n, wb_buf *b)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_el(c, "rPh")) continue;
        if (is_el(c, "t")) {
            xmlChar *s = xmlNodeGetContent(c);
            if (s == NULL) continue;
            int rc = wb_buf_puts(b, (const char *)s);
            xmlFree(s);
            if (rc) return WB_ENOMEM;
            if (b->len > WB_ANSWERS_MAX_FIELD) return WB_ELIMIT;
        } else if (append_text(c, b) != 0) {
            return b->len > WB_ANSWERS_MAX_FIELD ? WB_ELIMIT : WB_ENOMEM;
        }
    }
    return 0;
}

/* ---- shared strings ------------------------------------------------------------------ */

typedef struct sst {
    wb_buf text;   /* the strings, NUL-separated */
    size_t *off;   /* start of string i in text */
    size_t n, cap; /* strings */
} sst;

static void sst_free(sst *s)
{
    wb_buf_free(&s->text);
    free(s->off);
}

static int sst_load(const char *data, size_t len, const char *name, sst *s, wb_error *err)
{
    xmlDoc *doc = read_xml(data, len, name, "xl/sharedStrings.xml", err);
    if (doc == NULL) return err->code;
    int rc = 0;
    for (xmlNode *si = xmlDocGetRootElement(doc)->children; si && rc == 0; si = si->next) {
        if (!is_el(si, "si")) continue;
        if (s->n == XLSX_MAX_STRINGS) {
            rc = wb_error_set(err, WB_ELIMIT, "%s: more than %d shared strings", name,
                              XLSX_MAX_STRINGS);
            break;
        }
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 256;
            size_t *off = realloc(s->off, cap * sizeof *off);
            if (off == NULL) {
                rc = oom(err, name);
                break;
            }
            s->off = off;
            s->cap = cap;
        }
        size_t start = s->text.len;
        wb_buf one = {0};
        int r = append_text(si, &one);
        if (r == WB_ELIMIT)
            rc = wb_error_set(err, WB_ELIMIT, "%s: shared string %zu longer than %d bytes", name,
                              s->n, WB_ANSWERS_MAX_FIELD);
        else if (r != 0 || wb_buf_append(&s->text, one.data ? one.data : "", one.len) != 0 ||
                 wb_buf_putc(&s->text, '\0') != 0)
            rc = oom(err, name);
        else if (s->text.len > WBI_XLSX_MAX_PART)
            rc = wb_error_set(err, WB_ELIMIT, "%s: shared strings larger than %u bytes", name,
                              WBI_XLSX_MAX_PART);
        wb_buf_free(&one);
        if (rc == 0) s->off[s->n++] = start;
    }
    xmlFreeDoc(doc);
    return rc;
}

/* ---- the sheet ------------------------------------------------------------------------- */

/* "C12" to column 2; -1 when there are no letters or too many. */
static long ref_column(const char *r)
{
    long col = 0;
    size_t i = 0;
    for (; r[i] >= 'A' && r[i] <= 'Z'; i++) {
        if (i == 3) return -1; /* XFD is the last column a workbook may have */
        col = col * 26 + (r[i] - 'A' + 1);
    }
    return i ? col - 1 : -1;
}

/* A serial date (days since 1899-12-30, the 1900 date system) as
 * YYYY-MM-DD, for a due date typed into a spreadsheet that made it a date. */
static bool serial_date(const char *v, char out[16])
{
    int64_t days;
    size_t n = strcspn(v, ".");
    if (wb_parse_i64(v, n, 1, 2958465, &days) != 0) return false; /* to 9999-12-31 */
    for (const char *p = v + n + (v[n] == '.'); *p; p++)
        if (*p < '0' || *p > '9') return false;
    /* civil_from_days (Howard Hinnant), from 1970-01-01 */
    int64_t z = days - 25569 + 719468, era = z / 146097;
    int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(out, 16, "%04d-%02d-%02d", (int)(y + (m <= 2)), (int)m, (int)d);
    return true;
}

/* "3.0" as "3": a level typed as a number may come back with a fraction. */
static void integral(char *v)
{
    char *dot = strchr(v, '.');
    if (dot == NULL || dot == v) return;
    for (const char *p = dot + 1; *p; p++)
        if (*p != '0') return;
    for (const char *p = v; p < dot; p++)
        if ((*p < '0' || *p > '9') && !(p == v && *p == '-')) return;
    *dot = '\0';
}

typedef struct sheet_job {
    const char *name;
    const sst *strings;
    wb_buf *csv;
    wb_error *err;
    long due_col; /* from the header row, -1 until known */
    char *cells[XLSX_MAX_COLUMNS];
    wb_buf cellbuf;
} sheet_job;

/* The text of cell c into b (reset first). */
static int cell_text(sheet_job *j, const xmlNode *c, size_t row, long col, wb_buf *b)
{
    wb_buf_reset(b);
    xmlChar *t = xmlGetProp(c, (const xmlChar *)"t");
    const char *type = t ? (const char *)t : "n";
    int rc = 0;
    if (strcmp(type, "inlineStr") == 0) {
        const xmlNode *is = child(c, "is");
        rc = is ? append_text(is, b) : 0;
        if (rc == WB_ELIMIT)
            rc = wb_error_set(j->err, WB_ELIMIT, "%s: row %zu: a cell longer than %d bytes",
                              j->name, row, WB_ANSWERS_MAX_FIELD);
        else if (rc)
            rc = oom(j->err, j->name);
        xmlFree(t);
        return rc;
    }
    const xmlNode *vn = child(c, "v");
    xmlChar *v = vn ? xmlNodeGetContent(vn) : NULL;
    const char *vs = v ? (const char *)v : "";
    if (strcmp(type, "s") == 0) {
        int64_t i;
        if (wb_parse_i64(vs, strlen(vs), 0, INT32_MAX, &i) != 0 || (size_t)i >= j->strings->n)
            rc = wb_error_set(j->err, WB_EPARSE,
                              "%s: row %zu: a cell names shared string '%.20s', "
                              "which the workbook does not have",
                              j->name, row, vs);
        else
            rc = wb_buf_puts(b, j->strings->text.data + j->strings->off[i]) ? oom(j->err, j->name)
                                                                            : 0;
    } else {
        char date[16];
        if (strcmp(type, "n") == 0 && col == j->due_col && row > 1 && serial_date(vs, date))
            vs = date;
        if (strlen(vs) > WB_ANSWERS_MAX_FIELD)
            rc = wb_error_set(j->err, WB_ELIMIT, "%s: row %zu: a cell longer than %d bytes",
                              j->name, row, WB_ANSWERS_MAX_FIELD);
        else if (wb_buf_puts(b, vs) != 0)
            rc = oom(j->err, j->name);
        else if (strcmp(type, "n") == 0 && b->data)
            integral(b->data);
    }
    xmlFree(v);
    xmlFree(t);
    return rc;
}

/* Writes one sheet row as a CSV record. */
static int put_row(sheet_job *j, const xmlNode *rowel, size_t row)
{
    size_t offs[XLSX_MAX_COLUMNS];
    bool set[XLSX_MAX_COLUMNS] = {false};
    long ncols = 0, next = 0;
    wb_buf one = {0};
    int rc = 0;
    wb_buf_reset(&j->cellbuf);
    for (const xmlNode *c = rowel->children; c && rc == 0; c = c->next) {
        if (!is_el(c, "c")) continue;
        xmlChar *r = xmlGetProp(c, (const xmlChar *)"r");
        long col = r ? ref_column((const char *)r) : next;
        xmlFree(r);
        if (col < 0) {
            rc = wb_error_set(j->err, WB_EPARSE, "%s: row %zu: a cell with a bad reference",
                              j->name, row);
            break;
        }
        next = col + 1;
        rc = cell_text(j, c, row, col, &one);
        if (rc || one.len == 0) continue;
        if (col >= XLSX_MAX_COLUMNS) {
            rc = wb_error_set(j->err, WB_ELIMIT, "%s: row %zu: text beyond column %d", j->name, row,
                              XLSX_MAX_COLUMNS);
            break;
        }
        offs[col] = j->cellbuf.len;
        set[col] = true;
        if (wb_buf_append(&j->cellbuf, one.data, one.len) != 0 ||
            wb_buf_putc(&j->cellbuf, '\0') != 0)
            rc = oom(j->err, j->name);
        if (col + 1 > ncols) ncols = col + 1;
    }
    wb_buf_free(&one);
    if (rc) return rc;
    if (ncols == 0) return wb_buf_putc(j->csv, '\n') ? oom(j->err, j->name) : 0;
    for (long c = 0; c < ncols && rc == 0; c++) {
        const char *s = set[c] ? j->cellbuf.data + offs[c] : "";
        if (row == 1 && wb_strn_ieq(s, strlen(s), "due")) j->due_col = c;
        rc = wbi_assess_csv_put(j->csv, s, c + 1 == ncols) ? oom(j->err, j->name) : 0;
    }
    return rc;
}

int wbi_assess_sheet_csv(const char *sheet, size_t slen, const char *sstdata, size_t sstlen,
                         const char *name, wb_buf *csv, wb_error *err)
{
    sst strings = {0};
    int rc = sstdata ? sst_load(sstdata, sstlen, name, &strings, err) : 0;
    xmlDoc *doc = rc == 0 ? read_xml(sheet, slen, name, "sheet", err) : NULL;
    if (rc == 0 && doc == NULL) rc = err->code ? err->code : WB_EPARSE;
    const xmlNode *data = doc ? child(xmlDocGetRootElement(doc), "sheetData") : NULL;
    if (rc == 0 && (data == NULL || !is_el(xmlDocGetRootElement(doc), "worksheet")))
        rc = wb_error_set(err, WB_EPARSE, "%s: the first sheet is not a worksheet with data", name);
    sheet_job j = {name, &strings, csv, err, -1, {0}, {0}};
    size_t row = 0;
    for (const xmlNode *r = data ? data->children : NULL; r && rc == 0; r = r->next) {
        if (!is_el(r, "row")) continue;
        xmlChar *num = xmlGetProp(r, (const xmlChar *)"r");
        int64_t n = (int64_t)row + 1;
        if (num && wb_parse_i64((const char *)num, strlen((const char *)num), 1,
                                WB_ANSWERS_MAX_ROWS + 1, &n) != 0)
            rc = wb_error_set(err, WB_ELIMIT, "%s: row '%.20s': not a row number up to %d", name,
                              (const char *)num, WB_ANSWERS_MAX_ROWS + 1);
        else if ((size_t)n <= row)
            rc = wb_error_set(err, WB_EPARSE, "%s: row %lld comes after row %zu", name,
                              (long long)n, row);
        xmlFree(num);
        /* rows the sheet leaves out are empty records: row numbers stay */
        while (rc == 0 && row + 1 < (size_t)n) {
            row++;
            if (wb_buf_putc(csv, '\n') != 0) rc = oom(err, name);
        }
        if (rc == 0) rc = put_row(&j, r, ++row);
        if (rc == 0 && csv->len > WB_ANSWERS_MAX_BYTES)
            rc = wb_error_set(err, WB_ELIMIT, "%s: more than %u bytes of answers", name,
                              WB_ANSWERS_MAX_BYTES);
    }
    wb_buf_free(&j.cellbuf);
    xmlFreeDoc(doc);
    sst_free(&strings);
    return rc;
}

/* ---- the workbook ------------------------------------------------------------------------ */

/* The part name of the workbook's first sheet ("xl/worksheets/sheet1.xml"),
 * from workbook.xml and its relationships; the usual name when either is
 * missing. */
static int first_sheet(const wbi_core_zip *z, const char *name, char *part, size_t cap,
                       wb_error *err)
{
    snprintf(part, cap, "xl/worksheets/sheet1.xml");
    long wi = wbi_core_zip_find(z, "xl/workbook.xml");
    long ri = wbi_core_zip_find(z, "xl/_rels/workbook.xml.rels");
    if (wi < 0 || ri < 0) return 0;
    char *wdata = NULL, *rdata = NULL;
    size_t wlen, rlen;
    xmlDoc *wb = NULL, *rels = NULL;
    xmlChar *rid = NULL;
    int rc = wbi_core_zip_read(z, (size_t)wi, WBI_XLSX_MAX_PART, &wdata, &wlen, err);
    if (rc == 0) rc = wbi_core_zip_read(z, (size_t)ri, WBI_XLSX_MAX_PART, &rdata, &rlen, err);
    if (rc == 0 && (wb = read_xml(wdata, wlen, name, "xl/workbook.xml", err)) == NULL)
        rc = err->code;
    if (rc == 0 && (rels = read_xml(rdata, rlen, name, "xl/_rels/workbook.xml.rels", err)) == NULL)
        rc = err->code;
    const xmlNode *sheets = rc == 0 ? child(xmlDocGetRootElement(wb), "sheets") : NULL;
    const xmlNode *sheet = child(sheets, "sheet");
    if (sheet)
        rid = xmlGetNsProp(
            sheet, (const xmlChar *)"id",
            (const xmlChar *)"http://schemas.openxmlformats.org/officeDocument/2006/relationships");
    for (const xmlNode *r = rid ? xmlDocGetRootElement(rels)->children : NULL; r; r = r->next) {
        if (!is_el(r, "Relationship")) continue;
        xmlChar *id = xmlGetProp(r, (const xmlChar *)"Id");
        xmlChar *target = xmlGetProp(r, (const xmlChar *)"Target");
        if (id && target && strcmp((const char *)id, (const char *)rid) == 0) {
            const char *t = (const char *)target;
            /* relative to xl/, or absolute from the package root */
            if (t[0] == '/')
                snprintf(part, cap, "%s", t + 1);
            else
                snprintf(part, cap, "xl/%s", t);
        }
        xmlFree(id);
        xmlFree(target);
    }
    xmlFree(rid);
    xmlFreeDoc(wb);
    xmlFreeDoc(rels);
    free(wdata);
    free(rdata);
    return rc;
}

int wbi_assess_xlsx_csv(const char *data, size_t len, const char *name, wb_buf *csv, wb_error *err)
{
    wbi_core_zip *z = NULL;
    char part[512];
    char *sheet = NULL, *sstdata = NULL;
    size_t slen = 0, sstlen = 0;
    int rc = wbi_core_zip_open_mem(data, len, name, &z, err);
    if (rc == 0) rc = first_sheet(z, name, part, sizeof part, err);
    long si = rc == 0 ? wbi_core_zip_find(z, part) : -1;
    if (rc == 0 && si < 0)
        rc = wb_error_set(err, WB_EPARSE, "%s: not an XLSX workbook (no %s in the archive)", name,
                          part);
    if (rc == 0) rc = wbi_core_zip_read(z, (size_t)si, WBI_XLSX_MAX_PART, &sheet, &slen, err);
    long ti = rc == 0 ? wbi_core_zip_find(z, "xl/sharedStrings.xml") : -1;
    if (rc == 0 && ti >= 0)
        rc = wbi_core_zip_read(z, (size_t)ti, WBI_XLSX_MAX_PART, &sstdata, &sstlen, err);
    if (rc == 0) rc = wbi_assess_sheet_csv(sheet, slen, sstdata, sstlen, name, csv, err);
    free(sheet);
    free(sstdata);
    wbi_core_zip_close(z);
    return rc;
}
