/*
 * progress.h - the one progress line for long work (vulnerability scans,
 * imports, feed pulls and syncs, fetches, log matching): "what: 42% 1.2 of
 * 3.0 MB, 5 s left" when the size is known, "what: 1.2 MB, 0.4 MB/s" or
 * "what: 4200" when it is not, redrawn in place at most four times a second
 * and cleared at the end.
 *
 * The front end decides whether there is a line at all: it passes the
 * stream to draw on (standard error when that is a terminal and --quiet was
 * not given, wb_cli_progress_out) or NULL, and then every call is a no-op,
 * so the work's code calls the same functions either way. Not thread-safe:
 * one line, one thread.
 */
#ifndef WEERBAAR_PROGRESS_H
#define WEERBAAR_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum wb_progress_unit {
    WB_PROGRESS_ITEMS, /* counted things: advisories, events */
    WB_PROGRESS_BYTES  /* shown as kB, MB, GB */
} wb_progress_unit;

typedef struct wb_progress {
    FILE *out; /* NULL: silent */
    const char *what;
    wb_progress_unit unit;
    uint64_t done, total; /* total 0: not known */
    double start, last;   /* monotonic seconds */
    size_t shown;         /* the width of the line on screen, 0 when none */
} wb_progress;

/* Starts a line about `what` (kept by pointer) on out (NULL: silent). */
void wb_progress_start(wb_progress *p, FILE *out, const char *what, wb_progress_unit unit);
/* Records how far the work is (total 0: not known) and redraws when the
 * last drawing is 0.25 s old. The first drawing waits 0.5 s, so quick work
 * draws nothing. */
void wb_progress_update(wb_progress *p, uint64_t done, uint64_t total);
/* Adds n to done (total unchanged). */
void wb_progress_add(wb_progress *p, uint64_t n);
/* Takes the line off the screen before other output (it comes back with
 * the next update). */
void wb_progress_clear(wb_progress *p);
/* Clears the line; p may be started again. */
void wb_progress_end(wb_progress *p);

/* The line's text for `elapsed` seconds of work (no "\r"), into buf: the
 * percentage needs a total, the time left half a second of work too. Returns the
 * length. For tests and for front ends that draw elsewhere. */
size_t wb_progress_format(const wb_progress *p, double elapsed, char *buf, size_t cap);

#endif
