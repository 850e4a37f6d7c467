/*
 * progress.c - the progress line (progress.h): when to draw, and what.
 *
 * Time left is the elapsed time scaled by what remains, the plain estimate
 * for work that goes at a steady pace (a download, a file read in order);
 * it is shown only after half a second of work, the first drawing.
 */
#include <string.h>
#include <time.h>

#include "weerbaar/progress.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void wb_progress_start(wb_progress *p, FILE *out, const char *what, wb_progress_unit unit)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->what = what;
    p->unit = unit;
    p->start = out ? mono() : 0;
}

/* "1.2 MB" or "4200". */
static size_t amount(const wb_progress *p, uint64_t n, char *buf, size_t cap)
{
    int k;
    if (p->unit == WB_PROGRESS_ITEMS)
        k = snprintf(buf, cap, "%llu", (unsigned long long)n);
    else if (n < 1000 * 1000)
        k = snprintf(buf, cap, "%.1f kB", (double)n / 1e3);
    else if (n < (uint64_t)1000 * 1000 * 1000)
        k = snprintf(buf, cap, "%.1f MB", (double)n / 1e6);
    else
        k = snprintf(buf, cap, "%.2f GB", (double)n / 1e9);
    return k < 0 ? 0 : (size_t)k < cap ? (size_t)k : cap - 1;
}

/* "45 s", "3 min 20 s", "2 h 5 min". */
static void duration(double s, char *buf, size_t cap)
{
    unsigned long t = s < 0 ? 0 : s > 360000 ? 360000 : (unsigned long)(s + 0.5);
    if (t < 60)
        snprintf(buf, cap, "%lu s", t);
    else if (t < 3600)
        snprintf(buf, cap, "%lu min %lu s", t / 60, t % 60);
    else
        snprintf(buf, cap, "%lu h %lu min", t / 3600, t / 60 % 60);
}

size_t wb_progress_format(const wb_progress *p, double elapsed, char *buf, size_t cap)
{
    char done[32], total[32], left[32];
    amount(p, p->done, done, sizeof done);
    int k;
    if (p->total > 0 && p->done <= p->total) {
        amount(p, p->total, total, sizeof total);
        double share = (double)p->done / (double)p->total;
        if (elapsed >= 0.5 && p->done > 0 && p->done < p->total) {
            duration(elapsed * (1 - share) / share, left, sizeof left);
            k = snprintf(buf, cap, "%s: %3.0f%% %s of %s, %s left", p->what, 100 * share, done,
                         total, left);
        } else {
            k = snprintf(buf, cap, "%s: %3.0f%% %s of %s", p->what, 100 * share, done, total);
        }
    } else if (p->unit == WB_PROGRESS_BYTES && elapsed >= 0.5) {
        char rate[32];
        amount(p, (uint64_t)((double)p->done / elapsed), rate, sizeof rate);
        k = snprintf(buf, cap, "%s: %s, %s/s", p->what, done, rate);
    } else {
        k = snprintf(buf, cap, "%s: %s", p->what, done);
    }
    return k < 0 ? 0 : (size_t)k < cap ? (size_t)k : cap - 1;
}

static void draw(wb_progress *p, double now)
{
    char line[160];
    size_t n = wb_progress_format(p, now - p->start, line, sizeof line);
    /* Pad over what a longer earlier line left on screen. */
    int pad = p->shown > n ? (int)(p->shown - n) : 0;
    fprintf(p->out, "\rweerbaar: %s%*s", line, pad, "");
    fflush(p->out);
    p->shown = n;
    p->last = now;
}

void wb_progress_update(wb_progress *p, uint64_t done, uint64_t total)
{
    p->done = done;
    p->total = total;
    if (p->out == NULL) return;
    double now = mono();
    if (now - p->start < 0.5 || now - p->last < 0.25) return;
    draw(p, now);
}

void wb_progress_add(wb_progress *p, uint64_t n)
{
    p->done += n;
    /* The clock is read every 256 items only: adding one costs an add. */
    if (p->out == NULL || (p->unit == WB_PROGRESS_ITEMS && (p->done & 255) != 0)) return;
    wb_progress_update(p, p->done, p->total);
}

void wb_progress_clear(wb_progress *p)
{
    if (p->out == NULL || p->shown == 0) return;
    fprintf(p->out, "\r%*s\r", (int)(p->shown + 10), "");
    fflush(p->out);
    p->shown = 0;
}

void wb_progress_end(wb_progress *p)
{
    wb_progress_clear(p);
    p->out = NULL;
}
