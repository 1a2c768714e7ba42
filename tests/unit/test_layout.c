/* test_layout.c -- paragraphs, tables, pagination, placeholders, the dump. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "fonts_fixture.h"

/* ---- building bound records by hand ------------------------------------ */

static const sc_style body_style = {
    "body", SC_ROLE_BODY, 10.5, 0, SC_ALIGN_LEFT, SC_VALIGN_TOP,
    {0, 0, 0, 0}, 1.5, -1, 0, 0, 0};
static const sc_style cell_style = {
    "cell", SC_ROLE_BODY, 10, 0, SC_ALIGN_LEFT, SC_VALIGN_MIDDLE,
    {3, 4, 3, 4}, 1.35, -1, 0, 0, 0};
static const sc_style head_style = {
    "head", SC_ROLE_HEADING, 10, 1, SC_ALIGN_CENTER, SC_VALIGN_MIDDLE,
    {3, 4, 3, 4}, 1.35, 0.85, 0, 0, 0};

/* A4 with 50 pt margins: content box x 50..545.28, y 50..791.89. */
static sc_bound *new_bound(sc_arena *a)
{
    sc_bound *b = sc_arena_alloc(a, sizeof *b);
    b->page_w = 595.28;
    b->page_h = 841.89;
    for (int i = 0; i < 4; i++)
        b->margin[i] = 50;
    b->header_y = 20;
    b->footer_y = 810;
    b->title = "KF001 张晓明";
    b->label = "KF001 张晓明";
    return b;
}

static sc_block *blocks(sc_arena *a, int n)
{
    return sc_arena_alloc(a, (size_t)n * sizeof(sc_block));
}

static void para(sc_block *blk, const char *text)
{
    blk->kind = SC_BLK_PARA;
    blk->style = &body_style;
    blk->text = text;
}

/* A 3-column table: header row + nbody rows; if group > 0, the first
 * cell of every `group` rows spans them (category). */
static void table(sc_arena *a, sc_block *blk, int nbody, int group)
{
    int nr = 1 + nbody;
    sc_row *rows = sc_arena_alloc(a, (size_t)nr * sizeof *rows);
    sc_colspec *cols = sc_arena_alloc(a, 3 * sizeof *cols);
    cols[0].fixed = 80;
    cols[1].weight = 2;
    cols[2].weight = 1;
    rows[0].kind = SC_ROW_HEADER;
    rows[0].cells = sc_arena_alloc(a, 3 * sizeof(sc_cell));
    rows[0].ncells = 3;
    const char *hd[] = {"考核项目", "考核指标", "得分"};
    for (int i = 0; i < 3; i++)
        rows[0].cells[i] = (sc_cell){hd[i], &head_style, 1, 1, -1, NULL, 0, 0, 0, NULL, 0, NULL, 0};
    for (int r = 1; r < nr; r++) {
        sc_row *row = &rows[r];
        row->kind = SC_ROW_BODY;
        row->cells = sc_arena_alloc(a, 3 * sizeof(sc_cell));
        int k = 0;
        if (group <= 0) {
            row->cells[k++] = (sc_cell){"项目", &cell_style, 1, 1, -1, NULL, 0, 0, 0, NULL, 0, NULL, 0};
        } else if ((r - 1) % group == 0) {
            int span = nr - r < group ? nr - r : group;
            row->cells[k++] = (sc_cell){"工作业绩", &cell_style, 1, span, -1,
                                        NULL, 0, 0, 0, NULL, 0, NULL, 0};
        }
        row->cells[k++] = (sc_cell){sc_arena_printf(a, "指标%d", r),
                                    &cell_style, 1, 1, -1, NULL, 0, 0, 0, NULL, 0, NULL, 0};
        row->cells[k++] = (sc_cell){"9.5", &cell_style, 1, 1, -1, NULL, 0, 0, 0, NULL, 0, NULL, 0};
        row->ncells = k;
    }
    blk->kind = SC_BLK_TABLE;
    blk->style = &cell_style;
    blk->cols = cols;
    blk->ncols = 3;
    blk->rows = rows;
    blk->nrows = nr;
    blk->borders = 1;
}

/* ---- looking at the result --------------------------------------------- */

/* Number of text items on page p whose text equals s. */
static int count_text(const sc_laid *l, int p, const char *s)
{
    int n = 0;
    const sc_page *pg = &l->pages[p];
    for (size_t i = 0; i < pg->nitems; i++)
        if (pg->items[i].kind == SC_IT_TEXT && pg->items[i].len == strlen(s) &&
            memcmp(pg->items[i].text, s, pg->items[i].len) == 0)
            n++;
    return n;
}

/* Concatenated text of items on page p with y in [y0, y1). */
static void text_between(const sc_laid *l, int p, double y0, double y1,
                         char *out, size_t n)
{
    out[0] = '\0';
    const sc_page *pg = &l->pages[p];
    for (size_t i = 0; i < pg->nitems; i++) {
        const sc_item *it = &pg->items[i];
        if (it->kind == SC_IT_TEXT && it->y >= y0 && it->y < y1)
            strncat(out, it->text, it->len < n - strlen(out) - 1
                                       ? it->len : n - strlen(out) - 1);
    }
}

static sc_laid *lay_ok(const sc_bound *b, sc_arena *a)
{
    sc_laid *l = NULL;
    sc_error err = {0};
    sc_status st = sc_layout(b, fonts, a, &l, &err);
    if (st != SC_OK)
        fprintf(stderr, "layout failed: %s\n", err.message);
    assert_int_equal(st, SC_OK);
    assert_non_null(l);
    return l;
}

/* ---- tests -------------------------------------------------------------- */

static void test_paragraph_wraps_at_content_width(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    sc_bound *b = new_bound(a);
    b->body = blocks(a, 1);
    b->nbody = 1;
    para(&b->body[0], "客户满意度是衡量客服工作质量的核心指标，本月目标为不低于"
                      "百分之九十，投诉处理结案率不低于百分之九十八，各类报表"
                      "准确率不低于百分之九十九，未达标者按规定扣分。");
    sc_laid *l = lay_ok(b, a);
    assert_int_equal(l->npages, 1);
    const sc_page *pg = &l->pages[0];
    double right = b->page_w - b->margin[1];
    double ys[16];
    int nys = 0;
    for (size_t i = 0; i < pg->nitems; i++) {
        const sc_item *it = &pg->items[i];
        assert_int_equal(it->kind, SC_IT_TEXT);
        assert_true(it->x >= b->margin[3] - 0.01);
        assert_true(it->x + it->w <= right + 0.01);
        int seen = 0;
        for (int k = 0; k < nys; k++)
            seen |= fabs(ys[k] - it->y) < 0.01;
        if (!seen && nys < 16)
            ys[nys++] = it->y;
    }
    assert_true(nys >= 2);
    /* lines are one line height apart: 10.5 * 1.5 */
    assert_true(fabs(ys[1] - ys[0] - 15.75) < 0.01);
    sc_arena_free(a);
}

static void test_table_header_repeats_on_every_page(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    sc_bound *b = new_bound(a);
    b->body = blocks(a, 1);
    b->nbody = 1;
    table(a, &b->body[0], 60, 0);
    sc_laid *l = lay_ok(b, a);
    assert_true(l->npages >= 2);
    int rows_seen = 0;
    for (int p = 0; p < l->npages; p++) {
        assert_int_equal(count_text(l, p, "考核项目"), 1);
        for (int r = 1; r <= 60; r++) {
            char s[32];
            snprintf(s, sizeof s, "指标%d", r);
            rows_seen += count_text(l, p, s);
        }
        /* nothing below the bottom margin */
        const sc_page *pg = &l->pages[p];
        for (size_t i = 0; i < pg->nitems; i++)
            if (pg->items[i].kind == SC_IT_LINE)
                assert_true(pg->items[i].y <= b->page_h - b->margin[2] + 0.01);
    }
    assert_int_equal(rows_seen, 60); /* each row exactly once */
    sc_arena_free(a);
}

static void test_rowspan_cut_by_page_break_repeats_text(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    sc_bound *b = new_bound(a);
    b->body = blocks(a, 1);
    b->nbody = 1;
    /* one category spanning all 60 rows: it must show on every page */
    table(a, &b->body[0], 60, 60);
    sc_laid *l = lay_ok(b, a);
    assert_true(l->npages >= 2);
    for (int p = 0; p < l->npages; p++)
        assert_int_equal(count_text(l, p, "工作业绩"), 1);
    sc_arena_free(a);
}

static void test_header_never_alone_at_page_bottom(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    sc_bound *b = new_bound(a);
    b->body = blocks(a, 3);
    b->nbody = 3;
    /* leave ~25 pt: room for the header row (~19.5 pt), not for a body row
     * (a space at the very top of a page would vanish: text first) */
    para(&b->body[0], "开始"); /* 15.75 pt */
    b->body[1].kind = SC_BLK_SPACE;
    b->body[1].height = (b->page_h - 100) - 15.75 - 25;
    table(a, &b->body[2], 3, 0);
    sc_laid *l = lay_ok(b, a);
    assert_int_equal(l->npages, 2);
    assert_int_equal(count_text(l, 0, "考核项目"), 0);
    assert_int_equal(count_text(l, 1, "考核项目"), 1);
    assert_int_equal(count_text(l, 1, "指标1"), 1);
    sc_arena_free(a);
}

static void test_total_row_kept_with_last_body_row(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    sc_bound *b = new_bound(a);
    b->body = blocks(a, 1);
    b->nbody = 1;
    table(a, &b->body[0], 80, 0);
    sc_block *t = &b->body[0];
    /* find how many rows fit on page 1 without a total row, then make the
     * row after the last one that fits a TOTAL row */
    sc_laid *l = lay_ok(b, a);
    assert_true(l->npages >= 2);
    int last = 0;
    for (int r = 1; r <= 80; r++) {
        char s[32];
        snprintf(s, sizeof s, "指标%d", r);
        if (count_text(l, 0, s))
            last = r;
    }
    assert_true(last > 1 && last < 80);
    t->rows[last + 1].kind = SC_ROW_TOTAL; /* row index last+1 = 指标(last+1) */
    l = lay_ok(b, a);
    char s[32];
    snprintf(s, sizeof s, "指标%d", last);
    assert_int_equal(count_text(l, 0, s), 0); /* moved along with the total */
    assert_int_equal(count_text(l, 1, s), 1);
    snprintf(s, sizeof s, "指标%d", last + 1);
    assert_int_equal(count_text(l, 1, s), 1);
    sc_arena_free(a);
}

static void test_keep_together_group_moves_to_next_page(void **state)
{
    (void)state;
    for (int keep = 0; keep <= 1; keep++) {
        sc_arena *a = sc_arena_new();
        sc_bound *b = new_bound(a);
        b->body = blocks(a, 3);
        b->nbody = 3;
        para(&b->body[0], "开始"); /* 15.75 pt */
        b->body[1].kind = SC_BLK_SPACE;
        b->body[1].height = (b->page_h - 100) - 15.75 - 40; /* 40 pt left */
        sc_block *g = &b->body[2];
        g->kind = SC_BLK_GROUP;
        g->keep_together = keep;
        g->children = blocks(a, 4);
        g->nchildren = 4;
        para(&g->children[0], "被考核人签字");
        para(&g->children[1], "考核人签字");
        para(&g->children[2], "复核人签字");
        para(&g->children[3], "日期");
        sc_laid *l = lay_ok(b, a);
        assert_int_equal(l->npages, 2);
        assert_int_equal(count_text(l, 0, "被考核人签字"), keep ? 0 : 1);
        assert_int_equal(count_text(l, 1, "被考核人签字"), keep ? 1 : 0);
        assert_int_equal(count_text(l, 1, "日期"), 1);
        sc_arena_free(a);
    }
}

/* A keep-together group is laid out twice (measured, then placed): its
 * warnings -- a character drawn as a marker, a word broken inside -- are
 * reported once each, by the real pass. */
static int ndiag;
static void count_diag(void *ud, const sc_error *e)
{
    (void)ud;
    (void)e;
    ndiag++;
}

static void test_keep_together_warns_once(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    sc_bound *b = new_bound(a);
    b->allow_missing = 1;
    b->diag = count_diag;
    b->body = blocks(a, 2);
    b->nbody = 2;
    para(&b->body[0], "开始"); /* the page is not fresh: measuring happens */
    sc_block *g = &b->body[1];
    g->kind = SC_BLK_GROUP;
    g->keep_together = 1;
    g->children = blocks(a, 2);
    g->nchildren = 2;
    para(&g->children[0], "姓名：\xF4\x8F\xBF\xBD"); /* U+10FFFD */
    para(&g->children[1], "KF0000000000000000000000000000000000000000000000000"
                          "00000000000000000000000000000000000000000000000000");
    ndiag = 0;
    sc_laid *l = lay_ok(b, a);
    assert_int_equal(l->npages, 1);
    assert_int_equal(ndiag, 2);
    sc_arena_free(a);
}

static void test_space_dropped_at_page_top_and_pagebreak(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    sc_bound *b = new_bound(a);
    b->body = blocks(a, 4);
    b->nbody = 4;
    para(&b->body[0], "第一页");
    b->body[1].kind = SC_BLK_PAGEBREAK;
    b->body[2].kind = SC_BLK_SPACE;
    b->body[2].height = 100;
    para(&b->body[3], "第二页");
    sc_laid *l = lay_ok(b, a);
    assert_int_equal(l->npages, 2);
    assert_int_equal(count_text(l, 1, "第二页"), 1);
    /* the space vanished: the paragraph starts at the top margin */
    assert_true(l->pages[1].items[0].y < b->margin[0] + 15);
    sc_arena_free(a);
}

static void test_page_placeholders_in_footer(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    sc_bound *b = new_bound(a);
    b->body = blocks(a, 3);
    b->nbody = 3;
    para(&b->body[0], "正文");
    b->body[1].kind = SC_BLK_PAGEBREAK;
    para(&b->body[2], "正文");
    b->footer = blocks(a, 1);
    b->nfooter = 1;
    para(&b->footer[0], "第 " SC_PH_PAGE " 页 / 共 " SC_PH_PAGES " 页");
    b->footer[0].style = &body_style;
    sc_laid *l = lay_ok(b, a);
    assert_int_equal(l->npages, 2);
    char s[128];
    text_between(l, 0, b->footer_y, b->page_h, s, sizeof s);
    assert_string_equal(s, "第 1 页 / 共 2 页");
    text_between(l, 1, b->footer_y, b->page_h, s, sizeof s);
    assert_string_equal(s, "第 2 页 / 共 2 页");
    sc_arena_free(a);
}

static void test_character_in_no_font_fails(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    sc_bound *b = new_bound(a);
    b->body = blocks(a, 1);
    b->nbody = 1;
    para(&b->body[0], "姓名：\xF4\x8F\xBF\xBD"); /* U+10FFFD */
    b->body[0].field = "employee/name";
    sc_laid *l = NULL;
    sc_error err = {0};
    assert_int_equal(sc_layout(b, fonts, a, &l, &err), SC_ERR_FONT);
    assert_null(l);
    assert_int_equal(err.code, SC_ERR_FONT);
    assert_non_null(strstr(err.message, "U+10FFFD"));
    assert_non_null(strstr(err.message, "role body"));
    assert_string_equal(err.employee, "KF001 张晓明");
    assert_string_equal(err.field, "employee/name");
    sc_arena_free(a);
}

static void test_too_many_cells_is_a_layout_error(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    sc_bound *b = new_bound(a);
    b->body = blocks(a, 1);
    b->nbody = 1;
    table(a, &b->body[0], 3, 3); /* rows 2, 3 omit the spanned column */
    b->body[0].rows[2].cells[0].text = "x";
    b->body[0].rows[2].ncells = 3; /* ... but now row 2 has one too many */
    b->body[0].rows[2].cells[2] = b->body[0].rows[2].cells[1];
    sc_laid *l = NULL;
    sc_error err = {0};
    assert_int_equal(sc_layout(b, fonts, a, &l, &err), SC_ERR_LAYOUT);
    assert_non_null(strstr(err.message, "more cells"));
    sc_arena_free(a);
}

static void test_row_taller_than_page_is_split(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    sc_bound *b = new_bound(a);
    b->body = blocks(a, 1);
    b->nbody = 1;
    table(a, &b->body[0], 2, 0);
    sc_buf long_text = {0};
    for (int i = 0; i < 120; i++)
        sc_buf_printf(&long_text, "第%d条说明\n", i + 1);
    b->body[0].rows[1].cells[1].text = sc_arena_strdup(a, long_text.data);
    sc_buf_free(&long_text);
    sc_laid *l = lay_ok(b, a);
    assert_true(l->npages >= 2);
    int found = 0;
    for (int p = 0; p < l->npages; p++) {
        found += count_text(l, p, "第1条说明") + count_text(l, p, "第120条说明");
        const sc_page *pg = &l->pages[p];
        for (size_t i = 0; i < pg->nitems; i++)
            assert_true(pg->items[i].y <= b->page_h - b->margin[2] + 0.01);
    }
    assert_int_equal(found, 2);
    assert_int_equal(count_text(l, l->npages - 1, "第120条说明"), 1);
    sc_arena_free(a);
}

/* Every item of every page inside the page, every text item inside the
 * content box. */
static void assert_all_on_page(const sc_laid *l, const sc_bound *b)
{
    for (int p = 0; p < l->npages; p++) {
        const sc_page *pg = &l->pages[p];
        for (size_t i = 0; i < pg->nitems; i++) {
            const sc_item *it = &pg->items[i];
            double x2 = it->x + it->w, y2 = it->y + it->h;
            assert_true(it->x >= -0.01 && x2 <= b->page_w + 0.01);
            assert_true(it->y >= -0.01 && y2 <= b->page_h + 0.01);
            if (it->kind == SC_IT_TEXT && it->y > b->margin[0]) {
                assert_true(it->x >= b->margin[3] - 0.01);
                assert_true(x2 <= b->page_w - b->margin[1] + 0.01);
                assert_true(it->y <= b->page_h - b->margin[2] + 0.01);
            }
        }
    }
}

/* A row taller than a page inside a merged category: cut over pages, every
 * line of its long cell once, the merged category and the row's short
 * cells (its 指标) on every page it reaches, the first piece filling what
 * is left of the page it starts on. */
static void test_tall_row_in_merged_group_is_split(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    sc_bound *b = new_bound(a);
    b->body = blocks(a, 2);
    b->nbody = 2;
    para(&b->body[0], "开始");
    table(a, &b->body[1], 3, 3); /* one category over the 3 rows */
    sc_buf long_text = {0};
    for (int i = 0; i < 150; i++)
        sc_buf_printf(&long_text, "第%d条说明\n", i + 1);
    b->body[1].rows[2].cells[1].text = sc_arena_strdup(a, long_text.data);
    sc_buf_free(&long_text);
    sc_laid *l = lay_ok(b, a);
    assert_int_equal(l->npages, 3);
    int lines = 0;
    for (int p = 0; p < l->npages; p++) {
        char s[32];
        for (int i = 1; i <= 150; i++) {
            snprintf(s, sizeof s, "第%d条说明", i);
            lines += count_text(l, p, s);
        }
        assert_int_equal(count_text(l, p, "工作业绩"), 1);
        assert_int_equal(count_text(l, p, "指标2"), 1);
        assert_int_equal(count_text(l, p, "考核项目"), 1);
    }
    assert_int_equal(lines, 150);
    assert_int_equal(count_text(l, 0, "第1条说明"), 1); /* starts on page 1 */
    assert_int_equal(count_text(l, 0, "开始"), 1);
    assert_all_on_page(l, b);
    sc_arena_free(a);
}

/* A merged category cut by a page break shows its whole text in each part:
 * a part too short for it grows (its last row), rather than letting the
 * text run below the table or the page. */
static void test_cut_merged_cell_part_grows(void **state)
{
    (void)state;
    for (double left = 40; left <= 120; left += 10) {
        sc_arena *a = sc_arena_new();
        sc_bound *b = new_bound(a);
        b->body = blocks(a, 3);
        b->nbody = 3;
        para(&b->body[0], "开始"); /* 15.75 pt */
        b->body[1].kind = SC_BLK_SPACE;
        b->body[1].height = (b->page_h - 100) - 15.75 - left;
        table(a, &b->body[2], 6, 6);
        b->body[2].rows[1].cells[0].text = "工作\n业绩\n考核\n项目\n七成";
        sc_laid *l = lay_ok(b, a);
        for (int p = 0; p < l->npages; p++) {
            const sc_page *pg = &l->pages[p];
            double bottom = 0;
            for (size_t i = 0; i < pg->nitems; i++)
                if (pg->items[i].kind == SC_IT_LINE && pg->items[i].y > bottom)
                    bottom = pg->items[i].y + (pg->items[i].h > 0 ? pg->items[i].h : 0);
            for (size_t i = 0; i < pg->nitems; i++)
                if (pg->items[i].kind == SC_IT_TEXT && pg->items[i].y > 100) {
                    assert_true(pg->items[i].y < bottom);
                    assert_true(pg->items[i].y <= b->page_h - b->margin[2]);
                }
            if (count_text(l, p, "指标1") || count_text(l, p, "指标6"))
                assert_int_equal(count_text(l, p, "七成"), 1);
        }
        sc_arena_free(a);
    }
}

/* A row spanning the header's columns (评语 across them) never starts a
 * page part alone: the row above comes along, and so does the header. */
static void test_full_width_row_kept_with_row_above(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    sc_bound *b = new_bound(a);
    b->body = blocks(a, 1);
    b->nbody = 1;
    table(a, &b->body[0], 80, 0);
    sc_block *t = &b->body[0];
    sc_laid *l = lay_ok(b, a);
    int last = 0;
    for (int r = 1; r <= 80; r++) {
        char s[32];
        snprintf(s, sizeof s, "指标%d", r);
        if (count_text(l, 0, s))
            last = r;
    }
    assert_true(last > 1 && last < 79);
    sc_row *row = &t->rows[last + 1];
    row->cells[0].text = "评语";
    row->cells[0].colspan = 3;
    row->ncells = 1;
    l = lay_ok(b, a);
    char s[32];
    snprintf(s, sizeof s, "指标%d", last);
    assert_int_equal(count_text(l, 0, s), 0);
    assert_int_equal(count_text(l, 1, s), 1);
    assert_int_equal(count_text(l, 1, "评语"), 1);
    assert_int_equal(count_text(l, 1, "考核项目"), 1);
    sc_arena_free(a);
}

/* ... and a page part of nothing but such rows has no header: they do not
 * use its columns. */
static void test_header_not_over_full_width_rows(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    sc_bound *b = new_bound(a);
    b->body = blocks(a, 1);
    b->nbody = 1;
    table(a, &b->body[0], 120, 0);
    sc_block *t = &b->body[0];
    for (int r = 6; r <= 120; r++) { /* rows 6..120: one note each */
        t->rows[r].cells[0].text = sc_arena_printf(a, "备注%d", r);
        t->rows[r].cells[0].colspan = 3;
        t->rows[r].ncells = 1;
    }
    sc_laid *l = lay_ok(b, a);
    assert_true(l->npages >= 3);
    int notes = 0;
    for (int p = 0; p < l->npages; p++)
        for (int r = 6; r <= 120; r++) {
            char s[32];
            snprintf(s, sizeof s, "备注%d", r);
            notes += count_text(l, p, s);
        }
    assert_int_equal(notes, 115);
    assert_int_equal(count_text(l, 0, "考核项目"), 1);
    assert_int_equal(count_text(l, l->npages - 1, "考核项目"), 0);
    assert_int_equal(count_text(l, l->npages - 1, "备注120"), 1);
    sc_arena_free(a);
}

/* min_spacing: a body a few lines over one page is set tighter on one
 * page; one that shrinking cannot bring to fewer pages keeps its spacing. */
static void test_min_spacing_saves_a_page(void **state)
{
    (void)state;
    for (int n = 48; n <= 80; n += 32) {
        sc_arena *a = sc_arena_new();
        sc_bound *b = new_bound(a);
        b->body = blocks(a, n);
        b->nbody = n;
        for (int i = 0; i < n; i++) /* 15.75 pt each; a page holds 741.89 */
            para(&b->body[i], sc_arena_printf(a, "第%d行", i + 1));
        sc_laid *l = lay_ok(b, a);
        assert_int_equal(l->npages, 2);
        b->min_spacing = 0.6;
        l = lay_ok(b, a);
        double y1 = -1, y2 = -1;
        for (size_t i = 0; i < l->pages[0].nitems && y2 < 0; i++)
            if (l->pages[0].items[i].kind == SC_IT_TEXT)
                y1 < 0 ? (y1 = l->pages[0].items[i].y)
                       : (y2 = l->pages[0].items[i].y);
        if (n == 48) {
            /* 48 lines fit at 741.89 / 48 = 15.456 pt: the line gap
             * (0.5 of the size, 5.25 pt) shrinks to 0.944 of itself at
             * most, and by no more than 1/8 of the allowed range (0.05)
             * beyond: 10.5 + 5.25 x 0.894 = 15.19 */
            assert_int_equal(l->npages, 1);
            assert_true(y2 - y1 <= 15.456 && y2 - y1 >= 15.19 - 0.01);
        } else {
            assert_int_equal(l->npages, 2);
            assert_true(fabs(y2 - y1 - 15.75) < 0.01);
        }
        sc_arena_free(a);
    }
}

/* What cannot be laid out fails the record, naming the block: a cell whose
 * padding leaves no room for a character, a line taller than the page, a
 * running header that runs into the body. */
static void test_impossible_layouts_fail(void **state)
{
    (void)state;
    static const sc_style fat = {
        "fat", SC_ROLE_BODY, 10, 0, SC_ALIGN_LEFT, SC_VALIGN_TOP,
        {3, 200, 3, 200}, 1.35, -1, 0, 0, 0};
    static const sc_style huge = {
        "huge", SC_ROLE_BODY, 200, 0, SC_ALIGN_LEFT, SC_VALIGN_TOP,
        {0, 0, 0, 0}, 5, -1, 0, 0, 0};
    for (int k = 0; k < 3; k++) {
        sc_arena *a = sc_arena_new();
        sc_bound *b = new_bound(a);
        b->body = blocks(a, 1);
        b->nbody = 1;
        if (k == 0) {
            table(a, &b->body[0], 3, 0);
            b->body[0].rows[2].cells[1].style = &fat;
        } else if (k == 1) {
            para(&b->body[0], "大字");
            b->body[0].style = &huge;
        } else {
            para(&b->body[0], "正文");
            b->header = blocks(a, 1);
            b->nheader = 1;
            para(&b->header[0], "页眉\n第二行\n第三行");
        }
        b->body[0].field = "t.xml:7";
        if (b->nheader)
            b->header[0].field = "t.xml:3";
        sc_laid *l = NULL;
        sc_error err = {0};
        assert_int_equal(sc_layout(b, fonts, a, &l, &err), SC_ERR_LAYOUT);
        assert_null(l);
        assert_string_equal(err.employee, "KF001 张晓明");
        assert_string_equal(err.field, k == 2 ? "t.xml:3" : "t.xml:7");
        assert_non_null(strstr(err.message, k == 0   ? "padding leaves"
                                            : k == 1 ? "more than a page"
                                                     : "running header"));
        sc_arena_free(a);
    }
}

/* The grid is emitted joined: one horizontal line per row boundary (a
 * rowspan only shortens it), vertical lines only at the 4 column edges,
 * and no two lines that touch end to end on one line.  (A category
 * cell's edge and the edges of the rows beside it overlap rather than
 * touch; they are not joined, as before.) */
static void test_table_grid_lines_are_joined(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    sc_bound *b = new_bound(a);
    b->body = blocks(a, 1);
    b->nbody = 1;
    table(a, &b->body[0], 6, 2); /* header + 6 rows, categories of 2 */
    sc_laid *l = lay_ok(b, a);
    assert_int_equal(l->npages, 1);
    const sc_page *pg = &l->pages[0];
    int horiz = 0, vert = 0;
    double vx[16];
    for (size_t i = 0; i < pg->nitems; i++) {
        const sc_item *p = &pg->items[i];
        if (p->kind != SC_IT_LINE)
            continue;
        if (fabs(p->h) < 0.01)
            horiz++;
        else if (fabs(p->w) < 0.01) {
            int k = 0;
            while (k < vert && fabs(vx[k] - p->x) > 0.01)
                k++;
            if (k == vert && vert < 16)
                vx[vert++] = p->x;
        }
        for (size_t j = 0; j < pg->nitems; j++) {
            const sc_item *q = &pg->items[j];
            if (j == i || q->kind != SC_IT_LINE)
                continue;
            int same_h = fabs(p->h) < 0.01 && fabs(q->h) < 0.01 &&
                         fabs(p->y - q->y) < 0.01;
            int same_v = fabs(p->w) < 0.01 && fabs(q->w) < 0.01 &&
                         fabs(p->x - q->x) < 0.01;
            assert_false(same_h && fabs(p->x + p->w - q->x) < 0.01);
            assert_false(same_v && fabs(p->y + p->h - q->y) < 0.01);
        }
    }
    assert_int_equal(horiz, 8); /* 7 rows: 8 boundaries */
    assert_int_equal(vert, 4);  /* 3 columns: 4 edges, distinct x */
    sc_arena_free(a);
}

static void test_dump_of_small_layout(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    sc_bound *b = new_bound(a);
    b->watermark = "草稿";
    b->body = blocks(a, 2);
    b->nbody = 2;
    para(&b->body[0], "客服\"A\\B\"");
    sc_row *rows = sc_arena_alloc(a, sizeof *rows);
    sc_colspec *cols = sc_arena_alloc(a, 2 * sizeof *cols);
    cols[0].fixed = 100;
    cols[1].weight = 1;
    rows[0].kind = SC_ROW_BODY;
    rows[0].ncells = 2;
    rows[0].cells = sc_arena_alloc(a, 2 * sizeof(sc_cell));
    rows[0].cells[0] = (sc_cell){"得分", &head_style, 1, 1, -1, NULL, 0, 0, 0, NULL, 0, NULL, 0};
    rows[0].cells[1] = (sc_cell){"", &cell_style, 1, 1, -1, NULL, 0, 1, 0, NULL, 0, NULL, 0};
    b->body[1].kind = SC_BLK_TABLE;
    b->body[1].cols = cols;
    b->body[1].ncols = 2;
    b->body[1].rows = rows;
    b->body[1].nrows = 1;
    b->body[1].borders = 1;
    sc_laid *l = lay_ok(b, a);
    sc_buf buf = {0};
    sc_dump(l, fonts, &buf);
    const char *expected =
        "document pages=1 size=595.28x841.89 title=\"KF001 张晓明\" "
        "watermark=\"草稿\"\n"
        "page 1\n"
        "  text 50.00 61.78 body/UMingCN 10.50 b0 g0.00 \"客服\\\"A\\\\B\\\"\"\n"
        "  rect 50.00 65.75 100.00 19.50 g0.85\n"
        "  text 90.00 79.00 heading/WenQuanYiMicroHei 10.00 b1 g0.00 \"得分\"\n"
        "  line 154.00 82.25 541.28 82.25 w0.50\n"
        "  line 50.00 65.75 545.28 65.75 w0.50\n"
        "  line 50.00 85.25 545.28 85.25 w0.50\n"
        "  line 50.00 65.75 50.00 85.25 w0.50\n"
        "  line 150.00 65.75 150.00 85.25 w0.50\n"
        "  line 545.28 65.75 545.28 85.25 w0.50\n";
    if (strcmp(buf.data, expected) != 0)
        fprintf(stderr, "got:\n%s", buf.data);
    assert_string_equal(buf.data, expected);
    sc_buf_free(&buf);
    sc_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paragraph_wraps_at_content_width),
        cmocka_unit_test(test_table_header_repeats_on_every_page),
        cmocka_unit_test(test_rowspan_cut_by_page_break_repeats_text),
        cmocka_unit_test(test_header_never_alone_at_page_bottom),
        cmocka_unit_test(test_total_row_kept_with_last_body_row),
        cmocka_unit_test(test_keep_together_group_moves_to_next_page),
        cmocka_unit_test(test_keep_together_warns_once),
        cmocka_unit_test(test_space_dropped_at_page_top_and_pagebreak),
        cmocka_unit_test(test_page_placeholders_in_footer),
        cmocka_unit_test(test_character_in_no_font_fails),
        cmocka_unit_test(test_too_many_cells_is_a_layout_error),
        cmocka_unit_test(test_row_taller_than_page_is_split),
        cmocka_unit_test(test_tall_row_in_merged_group_is_split),
        cmocka_unit_test(test_cut_merged_cell_part_grows),
        cmocka_unit_test(test_full_width_row_kept_with_row_above),
        cmocka_unit_test(test_header_not_over_full_width_rows),
        cmocka_unit_test(test_min_spacing_saves_a_page),
        cmocka_unit_test(test_impossible_layouts_fail),
        cmocka_unit_test(test_table_grid_lines_are_joined),
        cmocka_unit_test(test_dump_of_small_layout),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
