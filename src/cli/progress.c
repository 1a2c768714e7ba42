/* progress.c -- the progress line of a long batch, and the CPU count.
 *
 *   scorecard: 4210/10000 documents, 612/s, 0:09 left
 *
 * It is drawn on stderr with a carriage return and erased with ESC [K, so
 * it is shown only on a terminal (never in a log or a pipe) and not with
 * -q; a message printed meanwhile erases it first (progress_clear).  A
 * batch of a few seconds shows nothing: the line appears after SHOW_AFTER
 * and is redrawn at most every REDRAW seconds.  The total is the number
 * of <employee> start tags in the data files, counted when the line is
 * first drawn (a byte scan: "<employee" is ASCII in every encoding the
 * reader accepts, and no multi-byte character of GBK, GB18030 or Big5
 * has '<' as a byte); a tag inside a comment would be counted too, so the
 * line never claims more than "done" once done passes it. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */

#include "cli.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHOW_AFTER 2.0 /* seconds */
#define REDRAW 0.1     /* seconds */

int cli_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

struct progress_bar {
    const char *const *data;
    int ndata;
    double t0, last;
    long total;   /* -1: not counted yet */
    int shown;    /* the line is on the screen */
};

/* "<employee" followed by a space, '>' or '/' in the file; 0 if unreadable. */
static long count_records(const char *path)
{
    static const char tag[] = "<employee";
    const size_t tl = sizeof tag - 1;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    long n = 0;
    char buf[1 << 16];
    size_t keep = 0, got;
    while ((got = fread(buf + keep, 1, sizeof buf - keep, f)) > 0) {
        size_t len = keep + got;
        for (char *p = buf; (p = memchr(p, '<', (size_t)(buf + len - p)));) {
            if ((size_t)(buf + len - p) <= tl) /* may continue in the next read */
                break;
            if (!memcmp(p, tag, tl) && strchr(" \t\r\n>/", p[tl]))
                n++;
            p++;
        }
        keep = len < tl ? len : tl;
        memmove(buf, buf + len - keep, keep);
    }
    fclose(f);
    return n;
}

progress_bar *progress_new(int on, const char *const *data, int ndata)
{
    if (!on || !isatty(2))
        return NULL;
    progress_bar *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->data = data;
    p->ndata = ndata;
    p->t0 = now();
    p->total = -1;
    return p;
}

void progress_tick(progress_bar *p, int done)
{
    if (!p)
        return;
    double t = now();
    if (t - p->t0 < SHOW_AFTER || t - p->last < REDRAW)
        return;
    if (p->total < 0) {
        p->total = 0;
        for (int i = 0; i < p->ndata; i++)
            p->total += count_records(p->data[i]);
    }
    p->last = t;
    double rate = done / (t - p->t0);
    fprintf(stderr, "\rscorecard: %d", done);
    if (p->total > done) {
        long left = rate > 0 ? (long)((double)(p->total - done) / rate + 0.5) : 0;
        fprintf(stderr, "/%ld documents, %.0f/s, %ld:%02ld left", p->total, rate,
                left / 60, left % 60);
    } else {
        fprintf(stderr, " documents, %.0f/s", rate);
    }
    fputs("\033[K", stderr);
    fflush(stderr);
    p->shown = 1;
}

void progress_clear(progress_bar *p)
{
    if (!p || !p->shown)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->shown = 0;
}

void progress_end(progress_bar *p)
{
    progress_clear(p);
    free(p);
}
