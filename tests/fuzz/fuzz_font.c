/* fuzz_font.c -- fuzz the font engine: the bytes are a font file that a
 * one-role font map names (both written to scratch files), loaded with
 * sc_fonts_load.  Then a short Chinese + Latin string is measured, split
 * into runs and broken into lines; if the font loaded, the runs it draws
 * are placed on a hand-built one-page layout (regular and bold, a line, a
 * box, a watermark) and written as a PDF, which subsets the font: loca,
 * glyf outlines, composite components, hmtx, cmap, name and post all get
 * read from the fuzzed bytes.
 *
 * The same runs for fonts with CFF outlines: the 'CFF ' table is checked by
 * cff.c and the subset is made by HarfBuzz (a CID-keyed font keeps its
 * CIDs, a name-keyed one is reordered by us).
 *
 * Seeds: fuzz_gen_font writes tiny TrueType fonts built byte by byte, and
 * tests/fonts/make_cff_fonts.py a name-keyed CFF font and a CID-keyed one
 * cut from Noto CJK (no third-party font is committed); the corpus test
 * also runs the installed DejaVuSans.ttf and NotoSansCJK-Regular.ttc when
 * they are there. */
#include "fuzz.h"

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char map_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<fonts><role name=\"body\"><font file=\"font.ttf\"/></role></fonts>\n";

static const char sample[] = "绩效考核 中A B 𠮷 Performance 98% 2026-10，好。";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

/* Lay the runs of `sample` out on one page, as layout.c would, and write
 * the PDF.  Errors are fine (a glyph outline may be malformed); crashes
 * and leaks are not. */
static void write_pdf(const sc_fonts *f)
{
    sc_run *runs = NULL;
    size_t nruns = 0;
    size_t n = strlen(sample);
    if (sc_text_runs(f, SC_ROLE_BODY, 12, sample, n, &runs, &nruns) != SC_OK)
        return;
    sc_item *items = calloc(2 * nruns + 2, sizeof *items);
    if (!items) {
        free(runs);
        return;
    }
    size_t k = 0;
    for (int bold = 0; bold < 2; bold++) {
        double x = 40;
        for (size_t i = 0; i < nruns; i++) {
            if (runs[i].face >= 0) {
                sc_item *it = &items[k++];
                it->kind = SC_IT_TEXT;
                it->x = x;
                it->y = 60 + 30 * bold;
                it->face = runs[i].face;
                it->role = SC_ROLE_BODY;
                it->size = 12;
                it->bold = bold;
                it->text = sample + runs[i].start;
                it->len = runs[i].len;
            }
            x += runs[i].width;
        }
    }
    items[k++] = (sc_item){.kind = SC_IT_LINE, .x = 40, .y = 100, .w = 200,
                           .lw = 0.5};
    items[k++] = (sc_item){.kind = SC_IT_RECT, .x = 40, .y = 110, .w = 100,
                           .h = 20, .gray = 0.9};
    sc_page page = {items, k, k};
    sc_laid laid = {300, 200, &page, 1, "草稿 A", "中A 𠮷", NULL, NULL, 0};
    sc_pdf *pdf = NULL;
    sc_error err;
    if (sc_pdf_new(&pdf, f, NULL, &err) == SC_OK) {
        unsigned char *bytes = NULL;
        size_t len = 0;
        if (sc_pdf_add(pdf, &laid, &err) == SC_OK &&
            sc_pdf_finish(pdf, &bytes, &len, &err) == SC_OK)
            fuzz_write("out.pdf", bytes, len);
        sc_free(bytes);
        sc_pdf_free(pdf);
    }
    free(items);
    free(runs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write("font.ttf", data, size);
    const char *map = fuzz_write("fonts.xml", map_xml, sizeof map_xml - 1);
    sc_fonts *f = NULL;
    sc_error err;
    if (sc_fonts_load(&f, map, &err) != SC_OK)
        return 0;
    size_t n = strlen(sample);
    (void)sc_text_width(f, SC_ROLE_KAI, 10.5, sample, n);
    sc_run *runs = NULL;
    size_t nruns = 0;
    if (sc_text_runs(f, SC_ROLE_HEADING, 10.5, sample, n, &runs, &nruns) ==
        SC_OK)
        free(runs);
    sc_line *lines = NULL;
    size_t nlines = 0;
    if (sc_text_break(f, SC_ROLE_BODY, 10.5, sample, 40, 0, &lines, &nlines) ==
        SC_OK)
        free(lines);
    char *desc = NULL;
    if (sc_fonts_describe(f, "中A𠮷", &desc, &err) == SC_OK)
        sc_free(desc);
    write_pdf(f);
    sc_fonts_free(f);
    return 0;
}
