/* fontwork.c -- font work per document, measured inside the library.
 *
 *   scorecard-fontwork DATA [OUTDIR [-v]]
 *
 * Renders every employee of DATA into its own PDF (as `scorecard render`
 * does: one process, fonts loaded once) and prints, per document, the
 * time sc_pdf_save spent on fonts: building each face's subset, its font
 * program and that program's compression, widths, CIDSet and ToUnicode
 * (sc_pdf_font_stats).  Each form's (template's) documents 1 and 2 are
 * listed apart: the process builds that form's font bases from them
 * (docs/fonts.md).  Used by bench/run.sh; the numbers it prints are what
 * docs/performance.md quotes. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const sc_error *e)
{
    fprintf(stderr, "fontwork: %s:%d: %s\n", e->file, e->line, e->message);
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: scorecard-fontwork DATA [OUTDIR]\n");
        return 2;
    }
    const char *data = argv[1], *outdir = argc > 2 ? argv[2] : "/tmp";
    int each = argc > 3 && !strcmp(argv[3], "-v"); /* every document */
    sc_error err;
    sc_fonts *fonts = NULL;
    sc_reader *r = NULL;
    if (sc_fonts_load(&fonts, NULL, &err) != SC_OK ||
        sc_reader_open(&r, data, NULL, NULL, &err) != SC_OK)
        die(&err);
    char path[4096];
    sc_template *tpls[16] = {0};
    char *names[16] = {0};
    int ntpl = 0;
    double first[2] = {0}, sum = 0, max = 0;
    unsigned long n = 0, nfirst[2] = {0}, nrest = 0, seen[16] = {0};
    for (;;) {
        sc_record *rec = NULL;
        sc_status st = sc_reader_next(r, &rec, &err);
        if (st == SC_END)
            break;
        if (st != SC_OK)
            die(&err);
        const char *name = sc_record_get(rec, "template");
        if (!name[0])
            name = sc_reader_template(r);
        int t = 0;
        while (t < ntpl && strcmp(names[t], name))
            t++;
        if (t == ntpl) {
            if (ntpl == 16 ||
                sc_template_find(path, sizeof path, name, NULL, data,
                                 &err) != SC_OK ||
                sc_template_load(&tpls[t], path, NULL, NULL, &err) != SC_OK)
                die(&err);
            names[ntpl++] = strdup(name);
        }
        snprintf(path, sizeof path, "%s/fontwork-%lu.pdf", outdir, n);
        sc_book *b = NULL;
        unsigned long long ns0, ns1;
        unsigned long d0, d1;
        sc_pdf_font_stats(&ns0, &d0);
        if (sc_book_open(&b, fonts, path, NULL, &err) != SC_OK ||
            sc_book_add(b, tpls[t], rec, NULL, &err) != SC_OK ||
            sc_book_close(b, &err) != SC_OK)
            die(&err);
        sc_pdf_font_stats(&ns1, &d1);
        remove(path);
        double ms = (double)(ns1 - ns0) / 1e6;
        if (each)
            printf("document %lu (%s, %s): %.2f ms\n", n + 1,
                   sc_record_get(rec, "id"), name, ms);
        if (seen[t] < 2) {
            first[seen[t]] += ms;
            nfirst[seen[t]]++;
        } else {
            sum += ms;
            nrest++;
            if (ms > max)
                max = ms;
        }
        seen[t]++;
        n++;
        sc_record_free(rec);
    }
    printf("font work, %d form(s), %lu documents\n", ntpl, n);
    for (int i = 0; i < 2; i++)
        if (nfirst[i])
            printf("font work, document %d of a form: mean %.2f ms\n", i + 1,
                   first[i] / (double)nfirst[i]);
    if (nrest)
        printf("font work, later documents: mean %.2f ms, max %.2f ms\n",
               sum / (double)nrest, max);
    for (int t = 0; t < ntpl; t++) {
        sc_template_free(tpls[t]);
        free(names[t]);
    }
    sc_reader_free(r);
    sc_fonts_free(fonts);
    return 0;
}
