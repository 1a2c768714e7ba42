/* fontwork.c -- font work per document, measured inside the library.
 *
 *   scorecard-fontwork DATA [OUTDIR [-v]]
 *
 * Renders every employee of DATA into its own PDF through the batch driver
 * (sc_batch_run, as `scorecard render` does: one process, fonts loaded
 * once) and prints, per document, the font work the library did for it:
 * making its form's font bases (for a form's first document), choosing
 * them, building each face's subset and font program, compressing it,
 * widths, CIDSet and ToUnicode (sc_fontwork_stats).  Each form's first
 * document is listed apart, since it pays for the bases (docs/fonts.md).
 * Used by bench/run.sh; the numbers it prints are what
 * docs/performance.md quotes. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FORMS 16

typedef struct stats {
    int each;                     /* -v: every document */
    unsigned long long last_ns;
    char forms[MAX_FORMS][256];
    int nforms;
    double first, sum, max;
    unsigned long nfirst, nrest, n;
} stats;

static void on_result(void *ud, const sc_result *r)
{
    stats *s = ud;
    unsigned long long ns;
    unsigned long docs;
    sc_fontwork_stats(&ns, &docs);
    double ms = (double)(ns - s->last_ns) / 1e6;
    s->last_ns = ns;
    if (r->status != SC_OK)
        return;
    if (r->path)
        remove(r->path);
    const char *form = sc_record_get(r->record, "template");
    int f = 0;
    while (f < s->nforms && strcmp(s->forms[f], form))
        f++;
    int first = f == s->nforms;
    if (first && s->nforms < MAX_FORMS)
        snprintf(s->forms[s->nforms++], sizeof s->forms[0], "%s", form);
    if (s->each)
        printf("document %lu (%s): %.2f ms%s\n", s->n + 1,
               sc_record_get(r->record, "id"), ms, first ? " (form's first)" : "");
    if (first) {
        s->first += ms;
        s->nfirst++;
    } else {
        s->sum += ms;
        s->nrest++;
        if (ms > s->max)
            s->max = ms;
    }
    s->n++;
}

static void on_diag(void *ud, const sc_error *e)
{
    (void)ud;
    fprintf(stderr, "fontwork: %s:%d: %s\n", e->file, e->line, e->message);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: scorecard-fontwork DATA [OUTDIR [-v]]\n");
        return 2;
    }
    const char *data = argv[1];
    stats s;
    memset(&s, 0, sizeof s);
    s.each = argc > 3 && !strcmp(argv[3], "-v");
    sc_error err;
    sc_fonts *fonts = NULL;
    if (sc_fonts_load(&fonts, NULL, &err) != SC_OK) {
        on_diag(NULL, &err);
        return 1;
    }
    sc_batch_opts o = SC_BATCH_OPTS_INIT;
    o.data = &data;
    o.ndata = 1;
    o.out_dir = argc > 2 ? argv[2] : "/tmp";
    o.name_pattern = "fontwork-{id}.pdf";
    o.diag = on_diag;
    o.on_result = on_result;
    o.result_ud = &s;
    sc_batch_summary sum;
    sc_status st = sc_batch_run(fonts, &o, &sum, &err);
    sc_fonts_free(fonts);
    if (st != SC_OK) {
        on_diag(NULL, &err);
        return 1;
    }
    printf("font work, %d form(s), %lu documents\n", s.nforms, s.n);
    if (s.nfirst)
        printf("font work, first document of a form (with its bases): mean %.2f ms\n",
               s.first / (double)s.nfirst);
    if (s.nrest)
        printf("font work, later documents: mean %.2f ms, max %.2f ms\n",
               s.sum / (double)s.nrest, s.max);
    return sum.failed || sum.unusable || sum.cut_short ? 1 : 0;
}
