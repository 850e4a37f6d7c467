/*
 * incident_internal.h - what the files of src/incident/ share: small JSON
 * helpers for messages that name a JSON path, the calendar, and the problem
 * list used while validating reports.
 */
#ifndef WB_INCIDENT_INTERNAL_H
#define WB_INCIDENT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "weerbaar/incident.h"

/* Appends a problem (copied into the list's arena). 0 or WB_ENOMEM. Past
 * WB_REPORT_MAX_PROBLEMS only `dropped` grows. */
int wbi_problem_add(wb_report_problems *p, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parses JSON text with duplicate keys refused; on a syntax error fills err
 * with "NAME:LINE:COLUMN: reason" and returns WB_EPARSE. */
int wbi_incident_json_load(const char *name, const char *data, size_t len, json_t **out,
                           wb_error *err);

/* A JSON number that is a whole number in [0, max] (integers, or reals with
 * no fraction such as 5.0). */
bool wbi_json_count(const json_t *v, int64_t max, int64_t *out);
/* A JSON number >= 0 and <= max_eur as euro cents, rounded to the cent.
 * Callers keep max_eur at or below 10^12 so that cents stay well inside a
 * double's exact integers and writing the amount back reads the same. */
bool wbi_json_cents(const json_t *v, int64_t max_eur, int64_t *out);

/* Writes an amount of euro cents as JSON (an integer when whole euros). */
json_t *wbi_json_from_cents(int64_t cents);

/* What the e-mail of one reminder delivery is made from (mail.c). */
typedef struct wbi_mail_in {
    const char *body; /* the delivery's JSON, as a webhook receives it */
    const char *uuid, *key;
    const char *from, *to;
    const char *lang;    /* "nl" or "en" */
    const char *hub_url; /* the link's base; NULL: no link */
    wb_time now;         /* the Date header */
} wbi_mail_in;

/* Writes the whole message (headers, an empty line, the text; CRLF line
 * ends) into out (reset first). WB_EINVAL for a body that is not a
 * reminder's, WB_ENOMEM. */
int wbi_hooks_mail_compose(const wbi_mail_in *in, wb_buf *out, wb_error *err);

#endif
