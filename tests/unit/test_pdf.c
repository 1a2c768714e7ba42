/* test_pdf.c -- the libharu writer: a valid PDF, extractable Chinese text,
 * one outline entry per record with its Chinese title. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fontengine.h"
#include "internal.h"

#include "fonts_fixture.h"
#include "run_cmd.h"
#include "pdf_file.h"

static const sc_style body = {
    "body", SC_ROLE_BODY, 12, 0, SC_ALIGN_LEFT, SC_VALIGN_TOP,
    {2, 2, 2, 2}, 1.4, -1, 0, 0, 0};
static const sc_style bold = {
    "title", SC_ROLE_HEADING, 16, 1, SC_ALIGN_CENTER, SC_VALIGN_MIDDLE,
    {2, 2, 2, 2}, 1.4, 0.9, 0, 0, 0};

/* A one-record layout: a bold title, a paragraph and a 2x2 table. */
static sc_laid *small_laid(sc_arena *a, const char *title, const char *text)
{
    sc_bound *b = sc_arena_alloc(a, sizeof *b);
    b->page_w = 595.28;
    b->page_h = 841.89;
    for (int i = 0; i < 4; i++)
        b->margin[i] = 56;
    b->title = title;
    b->label = title;
    b->watermark = "草稿";
    b->body = sc_arena_alloc(a, 3 * sizeof(sc_block));
    b->nbody = 3;
    b->body[0] = (sc_block){.kind = SC_BLK_PARA, .style = &bold,
                            .text = "月度绩效考核表"};
    b->body[1] = (sc_block){.kind = SC_BLK_PARA, .style = &body, .text = text};
    sc_row *rows = sc_arena_alloc(a, 2 * sizeof *rows);
    sc_colspec *cols = sc_arena_alloc(a, 2 * sizeof *cols);
    cols[0].weight = cols[1].weight = 1;
    for (int r = 0; r < 2; r++) {
        rows[r].kind = r ? SC_ROW_BODY : SC_ROW_HEADER;
        rows[r].ncells = 2;
        rows[r].cells = sc_arena_alloc(a, 2 * sizeof(sc_cell));
        rows[r].cells[0] = (sc_cell){r ? "客户满意度" : "考核指标", &body,
                                     1, 1, -1, NULL, 0, 0, 0, NULL, 0, NULL, 0};
        rows[r].cells[1] = (sc_cell){r ? "≥ 90%" : "目标值", &body, 1, 1, -1,
                                     NULL, 0, 0, 0, NULL, 0, NULL, 0};
    }
    b->body[2] = (sc_block){.kind = SC_BLK_TABLE, .style = &body, .cols = cols,
                            .ncols = 2, .rows = rows, .nrows = 2, .borders = 1};
    sc_laid *l = NULL;
    sc_error err = {0};
    sc_status st = sc_layout(b, fonts, a, &l, &err);
    if (st != SC_OK)
        fprintf(stderr, "layout: %s\n", err.message);
    assert_int_equal(st, SC_OK);
    return l;
}

static void write_pdf(const char *path, const char *const *titles, int n)
{
    sc_pdf *pdf = NULL;
    sc_error err = {0};
    assert_int_equal(sc_pdf_new(&pdf, fonts, NULL, &err), SC_OK);
    sc_arena *a = sc_arena_new();
    for (int i = 0; i < n; i++) {
        sc_laid *l = small_laid(a, titles[i], "被考核人：张晓明，客户服务部。");
        sc_status st = sc_pdf_add(pdf, l, &err);
        if (st != SC_OK)
            fprintf(stderr, "pdf_add: %s\n", err.message);
        assert_int_equal(st, SC_OK);
    }
    sc_status st = save_pdf(pdf, path, &err);
    if (st != SC_OK)
        fprintf(stderr, "pdf_save: %s\n", err.message);
    assert_int_equal(st, SC_OK);
    sc_pdf_free(pdf);
    sc_arena_free(a);
}

static void test_pdf_is_valid_and_text_extracts(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/sc_test_pdf_%ld.pdf", (long)getpid());
    const char *titles[] = {"KF001 张晓明"};
    write_pdf(path, titles, 1);

    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char head[8] = {0};
    assert_int_equal(fread(head, 1, 5, fp), 5);
    fclose(fp);
    assert_memory_equal(head, "%PDF-", 5);

    char cmd[256];
    int status;
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' 2>&1", path);
    char *out = run(cmd, &status);
    if (status != 0)
        fprintf(stderr, "%s\n", out);
    assert_int_equal(status, 0);
    sc_free(out);

    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>/dev/null", path);
    out = run(cmd, &status);
    assert_int_equal(status, 0);
    assert_non_null(strstr(out, "月度绩效考核表"));
    assert_non_null(strstr(out, "张晓明"));
    assert_non_null(strstr(out, "客户满意度"));
    sc_free(out);

    /* the document title is UTF-16BE, so readers show it in Chinese */
    snprintf(cmd, sizeof cmd, "pdfinfo -enc UTF-8 '%s' 2>/dev/null", path);
    out = run(cmd, &status);
    assert_int_equal(status, 0);
    assert_non_null(strstr(out, "KF001 张晓明"));
    assert_non_null(strstr(out, "scorecard " SC_VERSION));
    sc_free(out);
    remove(path);
}

static void test_combined_file_has_one_outline_entry_per_record(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/sc_test_pdf3_%ld.pdf", (long)getpid());
    /* the third has a character outside the BMP (U+20BB7) */
    const char *titles[] = {"KF001 张晓明", "KF002 李丽", "KF003 \xF0\xA0\xAE\xB7田"};
    write_pdf(path, titles, 3);
    char cmd[256];
    int status;
    snprintf(cmd, sizeof cmd, "mutool show '%s' outline 2>/dev/null", path);
    char *out = run(cmd, &status);
    assert_int_equal(status, 0);
    int lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    if (lines != 3)
        fprintf(stderr, "outline:\n%s\n", out);
    assert_int_equal(lines, 3);
    assert_non_null(strstr(out, "KF001 张晓明"));
    assert_non_null(strstr(out, "KF002 李丽"));
    assert_non_null(strstr(out, "KF003 \xF0\xA0\xAE\xB7田"));
    /* each entry points at the first page of its record */
    assert_non_null(strstr(out, "#page=1"));
    assert_non_null(strstr(out, "#page=2"));
    assert_non_null(strstr(out, "#page=3"));
    sc_free(out);

    snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null 2>&1", path);
    assert_int_equal(system(cmd), 0);
    remove(path);
}

/* Units shown in another order than drawn: pages and outline entries
 * follow (a sorted book, the summary in front). */
static void test_arrange_reorders_pages_and_outline(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/sc_test_pdf4_%ld.pdf", (long)getpid());
    sc_pdf *pdf = NULL;
    sc_error err = {0};
    assert_int_equal(sc_pdf_new(&pdf, fonts, NULL, &err), SC_OK);
    sc_arena *a = sc_arena_new();
    const char *titles[] = {"甲 第一", "乙 第二", "丙 第三"};
    const char *texts[] = {"甲甲甲", "乙乙乙", "丙丙丙"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(sc_pdf_add(pdf, small_laid(a, titles[i], texts[i]), &err), SC_OK);
    assert_int_equal(sc_pdf_units(pdf), 3);
    int bad[] = {0, 0, 1};
    assert_int_equal(sc_pdf_arrange(pdf, bad, 3, &err), SC_ERR_USAGE);
    int order[] = {2, 0, 1};
    assert_int_equal(sc_pdf_arrange(pdf, order, 3, &err), SC_OK);
    sc_pdf_set_duplex(pdf, 1);
    assert_int_equal(save_pdf(pdf, path, &err), SC_OK);
    sc_pdf_free(pdf);
    sc_arena_free(a);
    char cmd[256];
    int status;
    snprintf(cmd, sizeof cmd, "mutool show '%s' outline 2>/dev/null", path);
    char *out = run(cmd, &status);
    const char *c = strstr(out, "丙 第三"), *j = strstr(out, "甲 第一"), *y = strstr(out, "乙 第二");
    assert_true(c && j && y && c < j && j < y);
    assert_non_null(strstr(c, "#page=1"));
    assert_non_null(strstr(j, "#page=2"));
    assert_non_null(strstr(y, "#page=3"));
    sc_free(out);
    for (int p = 1; p <= 3; p++) {
        snprintf(cmd, sizeof cmd, "pdftotext -f %d -l %d '%s' - 2>/dev/null", p, p, path);
        out = run(cmd, &status);
        assert_non_null(strstr(out, texts[(p + 1) % 3]));
        sc_free(out);
    }
    char big[512];
    snprintf(big, sizeof big, "qpdf --json '%s' | grep -q '\"/Duplex\": \"/DuplexFlipLongEdge\"'",
             path);
    assert_int_equal(system(big), 0);
    remove(path);
}

/* Whole file into a malloc'd buffer. */
static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    sc_buf b = {0};
    char chunk[4096];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, fp)) > 0)
        sc_buf_append(&b, chunk, k);
    fclose(fp);
    *n = b.len;
    return (unsigned char *)b.data;
}

/* One document per sc_pdf, as a batch renders, starting from `bases`;
 * *from_base gets how many of its font programs came from a base. */
static void write_doc(sc_fonts *f, const sc_fontbases *bases, const char *path,
                      const char *name, int *from_base)
{
    sc_fonts *saved = fonts; /* small_laid lays out with the global */
    fonts = f;
    char title[64], text[128];
    snprintf(title, sizeof title, "KF001 %s", name);
    snprintf(text, sizeof text, "被考核人：%s，客户服务部。", name);
    sc_pdf *pdf = NULL;
    sc_error err = {0};
    sc_arena *a = sc_arena_new();
    sc_pdf_opts po = {.bases = bases, .created = 1700000000};
    assert_int_equal(sc_pdf_new(&pdf, f, &po, &err), SC_OK);
    assert_int_equal(sc_pdf_add(pdf, small_laid(a, title, text), &err), SC_OK);
    sc_status st = save_pdf(pdf, path, &err);
    if (st != SC_OK)
        fprintf(stderr, "pdf_save: %s\n", err.message);
    assert_int_equal(st, SC_OK);
    if (from_base)
        *from_base = sc_pdf_faces_from_base(pdf);
    sc_pdf_free(pdf);
    sc_arena_free(a);
    fonts = saved;
}

/* The bases of the small form: laid out for a record with no name. */
static sc_fontbases *form_bases(sc_fonts *f)
{
    sc_fonts *saved = fonts;
    fonts = f;
    sc_arena *a = sc_arena_new();
    sc_fontbases *b = NULL;
    sc_error err = {0};
    assert_int_equal(sc_fontbases_new(&b, f, small_laid(a, "", "被考核人：，客户服务部。"),
                                      &err), SC_OK);
    sc_arena_free(a);
    fonts = saved;
    return b;
}

/* The font bases of a form (fontbases.c): every document of the form
 * starts from them, from the first one on, so its font programs are made
 * from the base's compressed bytes; each still extracts its own text and
 * not a colleague's, passes the font checks, and its bytes do not depend
 * on which documents came before it: the same record gives the same file
 * first, last or alone, with fresh bases or used ones. */
static void test_form_bases_make_documents_independent(void **state)
{
    (void)state;
    const char *names[] = {"张晓明", "李丽", "王芳"};
    char path[3][64], alone[64], cmd[512];
    snprintf(alone, sizeof alone, "/tmp/sc_test_pdfc_alone_%ld.pdf", (long)getpid());
    sc_fonts *f = NULL;
    sc_error err = {0};
    assert_int_equal(sc_fonts_load(&f, NULL, &err), SC_OK);
    sc_fontbases *bases = form_bases(f);
    for (int i = 0; i < 3; i++) {
        snprintf(path[i], sizeof path[i], "/tmp/sc_test_pdfc%d_%ld.pdf", i,
                 (long)getpid());
        int from_base = 0;
        write_doc(f, bases, path[i], names[i], &from_base);
        assert_true(from_base >= 2); /* body and heading faces at least */
        int status;
        char who[128];
        snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>/dev/null",
                 path[i]);
        char *out = run(cmd, &status);
        assert_int_equal(status, 0);
        snprintf(who, sizeof who, "被考核人：%s，客户服务部。", names[i]);
        assert_non_null(strstr(out, who));
        assert_non_null(strstr(out, "月度绩效考核表"));
        assert_non_null(strstr(out, "客户满意度"));
        assert_null(strstr(out, names[(i + 1) % 3]));
        sc_free(out);
        snprintf(cmd, sizeof cmd, "%s/tests/fonts/check_pdf.sh '%s' 2>&1",
                 SC_SOURCE_DIR, path[i]);
        out = run(cmd, &status);
        if (status != 0)
            fprintf(stderr, "%s", out);
        sc_free(out);
        assert_int_equal(status, 0);
    }
    /* A document that draws none of the bases' glyphs does not start from
     * them (choose_bases): it would carry ~30 unused outlines. */
    {
        sc_arena *a = sc_arena_new();
        sc_bound *b = sc_arena_alloc(a, sizeof *b);
        b->page_w = 595.28;
        b->page_h = 841.89;
        for (int i = 0; i < 4; i++)
            b->margin[i] = 56;
        b->body = sc_arena_alloc(a, sizeof(sc_block));
        b->nbody = 1;
        b->body[0] = (sc_block){.kind = SC_BLK_PARA, .style = &body,
                                .text = "甲乙丙丁戊己庚辛壬癸"};
        sc_laid *l = NULL;
        sc_pdf *pdf = NULL;
        sc_pdf_opts po = {.bases = bases, .created = 1700000000};
        assert_int_equal(sc_layout(b, f, a, &l, &err), SC_OK);
        assert_int_equal(sc_pdf_new(&pdf, f, &po, &err), SC_OK);
        assert_int_equal(sc_pdf_add(pdf, l, &err), SC_OK);
        assert_int_equal(save_pdf(pdf, alone, &err), SC_OK);
        assert_int_equal(sc_pdf_faces_from_base(pdf), 0);
        sc_pdf_free(pdf);
        sc_arena_free(a);
        int status;
        snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>/dev/null",
                 alone);
        char *out = run(cmd, &status);
        assert_non_null(strstr(out, "甲乙丙丁戊己庚辛壬癸"));
        sc_free(out);
    }

    /* the last document alone, in a fresh font set with fresh bases */
    sc_fonts *g = NULL;
    assert_int_equal(sc_fonts_load(&g, NULL, &err), SC_OK);
    sc_fontbases *gb = form_bases(g);
    write_doc(g, gb, alone, names[2], NULL);
    size_t n3, n5;
    unsigned char *d3 = slurp(path[2], &n3), *d5 = slurp(alone, &n5);
    assert_int_equal(n3, n5);
    assert_memory_equal(d3, d5, n3);
    sc_free(d3);
    sc_free(d5);
    sc_fontbases_free(gb);
    sc_fonts_free(g);
    sc_fontbases_free(bases);
    sc_fonts_free(f);
    for (int i = 0; i < 3; i++)
        remove(path[i]);
    remove(alone);
}

/* Documents of two forms (templates), interleaved as a department batch
 * of several positions renders them: each starts from its own form's
 * bases, although the two forms' glyphs are nothing alike. */
static void test_each_form_gets_its_own_base(void **state)
{
    (void)state;
    const char *names[] = {"张晓明", "李丽"};
    char path[64];
    snprintf(path, sizeof path, "/tmp/sc_test_pdff_%ld.pdf", (long)getpid());
    sc_fonts *f = NULL, *saved = fonts;
    sc_error err = {0};
    assert_int_equal(sc_fonts_load(&f, NULL, &err), SC_OK);
    fonts = f; /* small_laid lays out with the global */
    sc_fontbases *ba = form_bases(f), *bb = NULL;
    const char *other = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳";
    {
        sc_arena *a = sc_arena_new();
        sc_bound *b = sc_arena_alloc(a, sizeof *b);
        b->page_w = 595.28;
        b->page_h = 841.89;
        for (int i = 0; i < 4; i++)
            b->margin[i] = 56;
        b->body = sc_arena_alloc(a, sizeof(sc_block));
        b->nbody = 1;
        b->body[0] = (sc_block){.kind = SC_BLK_PARA, .style = &body, .text = other};
        sc_laid *l = NULL;
        assert_int_equal(sc_layout(b, f, a, &l, &err), SC_OK);
        assert_int_equal(sc_fontbases_new(&bb, f, l, &err), SC_OK);
        sc_arena_free(a);
    }
    for (int doc = 0; doc < 2; doc++) {
        for (int form = 0; form < 2; form++) {
            sc_arena *a = sc_arena_new();
            char title[64], text[128];
            snprintf(title, sizeof title, "KF00%d %s", doc + 1, names[doc]);
            snprintf(text, sizeof text, "被考核人：%s，客户服务部。", names[doc]);
            sc_laid *l;
            if (form == 0) {
                l = small_laid(a, title, text);
            } else {
                sc_bound *b = sc_arena_alloc(a, sizeof *b);
                b->page_w = 595.28;
                b->page_h = 841.89;
                for (int i = 0; i < 4; i++)
                    b->margin[i] = 56;
                b->title = b->label = title;
                b->body = sc_arena_alloc(a, sizeof(sc_block));
                b->nbody = 1;
                b->body[0] = (sc_block){.kind = SC_BLK_PARA, .style = &body,
                                        .text = doc ? "甲乙丙丁戊己庚辛壬癸子丑寅卯午未"
                                                    : other};
                assert_int_equal(sc_layout(b, f, a, &l, &err), SC_OK);
            }
            sc_pdf *pdf = NULL;
            sc_pdf_opts po = {.bases = form ? bb : ba, .created = 1700000000};
            assert_int_equal(sc_pdf_new(&pdf, f, &po, &err), SC_OK);
            assert_int_equal(sc_pdf_add(pdf, l, &err), SC_OK);
            assert_int_equal(save_pdf(pdf, path, &err), SC_OK);
            assert_true(sc_pdf_faces_from_base(pdf) >= 1);
            sc_pdf_free(pdf);
            sc_arena_free(a);
            int status;
            char cmd[256];
            snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>/dev/null",
                     path);
            char *out = run(cmd, &status);
            assert_int_equal(status, 0);
            assert_non_null(strstr(out, form ? "甲乙丙丁戊己庚辛壬癸子丑寅卯" : text));
            sc_free(out);
        }
    }
    remove(path);
    fonts = saved;
    sc_fontbases_free(ba);
    sc_fontbases_free(bb);
    sc_fonts_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pdf_is_valid_and_text_extracts),
        cmocka_unit_test(test_combined_file_has_one_outline_entry_per_record),
        cmocka_unit_test(test_arrange_reorders_pages_and_outline),
        cmocka_unit_test(test_form_bases_make_documents_independent),
        cmocka_unit_test(test_each_form_gets_its_own_base),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
