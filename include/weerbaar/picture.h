/*
 * picture.h - the threat picture of a constituency (`weerbaar picture`):
 * what a hub knows about its organisations' incidents, their reporting
 * timeliness and their shared dependency pictures, over a period and
 * compared with the period before, with no organisation identifiable.
 *
 * Privacy by construction (docs/picture.md has the argument): every
 * published cell counts at least k distinct organisations; a cell below
 * that is marked suppressed, never shown as a number; the records counted
 * in a theme are those that lie only in publishable cells of every table of
 * the theme (a fixpoint), so that totals and other tables of the theme
 * cannot give a suppressed cell back by subtraction; a change against the
 * previous period is shown only when both cells are publishable and their
 * sets of organisations differ by none or by at least k. No organisation
 * name, title or report text is ever read into the picture.
 */
#ifndef WEERBAAR_PICTURE_H
#define WEERBAAR_PICTURE_H

#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"
#include "weerbaar/store.h"

#ifdef __cplusplus
extern "C" {
#endif

struct wb_principal;
struct wb_catalogue;

#define WB_PICTURE_SCHEMA "weerbaar-picture/1"
#define WB_PICTURE_K_DEFAULT 3
#define WB_PICTURE_K_MIN 2
#define WB_PICTURE_K_MAX 1000

typedef struct wb_picture_opts {
    wb_time from, to;           /* [from, to); both WB_TIME_NONE: the last full month before now */
    unsigned k;                 /* 0: WB_PICTURE_K_DEFAULT; below WB_PICTURE_K_MIN is refused */
    int64_t viewer;             /* 0: the operator (every sector); else the organisation viewing */
    wb_share_audience audience; /* the viewer's role: the sectors routed to it as this */
    wb_time now;                /* WB_TIME_NONE or 0: the clock */
    /* The viewer's principal, for the hub's read policy on events
     * (sightings count only on attributes it may read); NULL: the
     * operator, who reads everything. */
    const struct wb_principal *reader;
    /* The assessment catalogue the resilience theme scores (and the basic
     * principles it is read by, may be NULL); NULL: no resilience theme.
     * wb_picture_build_db loads the built-in cbw_nis2 and
     * ncsc-basic-principles when these are NULL. */
    const struct wb_catalogue *catalogue, *principles;
} wb_picture_opts;

/* The last full calendar month (UTC) before now: [*from, *to). */
void wb_picture_last_month(wb_time now, wb_time *from, wb_time *to);

/* Builds the picture over the store and writes it to out as JSON
 * (docs/picture.md, field by field). WB_EINVAL for k out of range or an
 * empty or reversed period; store errors as they come; WB_ENOMEM. */
int wb_picture_build(wb_store *s, const wb_picture_opts *o, wb_buf *out, wb_error *err);

/* The same over the hub database at path (opened and closed here). */
int wb_picture_build_db(const char *path, const wb_picture_opts *o, wb_buf *out, wb_error *err);

/* The picture as the hub serves it (GET /api/v1/picture?from=&to=): for
 * a caller of a CSIRT or supervisor organisation over the sectors routed to
 * it in that role; for a site admin of another organisation every sector,
 * with an audit entry (user, org_name); others are refused. from and to are
 * the query's (NULL: absent); cats the resilience theme's catalogue and
 * basic principles (NULL, or either NULL: none). *status is 200 with the picture in out, or
 * 403 or 422 with the reason in err (returning 0); a negative return is an
 * internal error. */
struct wb_principal;
int wb_picture_request(wb_store *st, const struct wb_principal *who, const char *user,
                       const char *org_name, const char *from, const char *to, unsigned k,
                       const struct wb_catalogue *const cats[2], wb_buf *out, unsigned *status,
                       wb_error *err);

/* Adds a generated constituency of norgs organisations ("Demo-Org-0001",
 * ...; in seven sectors) with days of incident history before now:
 * incidents with early warnings, notifications, final reports and CSIRT
 * acknowledgements, some late, from the seed (0: a fixed one). One
 * transaction. WB_EINVAL for sizes out of range (or names already taken),
 * store errors. */
int wb_picture_demo(wb_store *st, int norgs, int days, wb_time now, uint64_t seed, wb_error *err);

/* The longest picture JSON the renderers read (WB_ELIMIT beyond). */
#define WB_PICTURE_JSON_MAX ((size_t)16 << 20)
/* The longest PDF a picture makes. */
#define WB_PICTURE_PDF_MAX_PAGES 40

/* A self-contained HTML page (SVG charts, no script; each chart beside a
 * table of its numbers) from a picture's JSON, appended to out; lang "nl"
 * (also for NULL) or "en". The JSON is read as untrusted: a missing member
 * shows as absent. WB_EPARSE when it is not a JSON object, WB_ELIMIT, WB_ENOMEM. */
int wb_picture_html(const char *json, size_t len, const char *lang, wb_buf *out, wb_error *err);
/* The same as an A4 PDF written to path: a cover page and a page per theme.
 * WB_EPARSE, WB_EIO, WB_ENOMEM, WB_ELIMIT. */
int wb_picture_pdf(const char *json, size_t len, const char *lang, const char *path, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
