/* test_chart.c -- charts (chart.c): bar, line and radar lowered to items. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#include "fonts_fixture.h"
#include "pdf_file.h"

static const sc_style chart_style = {
    "chart", SC_ROLE_BODY, 9, 0, SC_ALIGN_LEFT, SC_VALIGN_TOP,
    {0, 0, 0, 0}, 1.3, -1, 0, 0, 0};

static const char *const months[12] = {"1月", "2月", "3月", "4月",
                                       "5月", "6月", "7月", "8月",
                                       "9月", "10月", "11月", "12月"};

/* A chart of n points, one series s0 (and s1 if given). */
static sc_chart make(int type, int n, const double *s0, const char *const *t0,
                     const double *s1, const char *const *t1,
                     sc_chart_series ser[2])
{
    memset(ser, 0, 2 * sizeof *ser);
    ser[0] = (sc_chart_series){"得分", s0, t0, 0.3, -1, 0, 1};
    if (s1)
        ser[1] = (sc_chart_series){"要求", s1, t1, 0.6, 0.85, 1, 0};
    sc_chart c = {0};
    c.type = type;
    c.title = "月度得分";
    c.labels = months;
    c.n = n;
    c.series = ser;
    c.nseries = s1 ? 2 : 1;
    c.min = 0;
    c.max = 120;
    c.width = 500;
    c.height = 180;
    c.style = &chart_style;
    return c;
}

static int has_text(const sc_item *it, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (it[i].kind == SC_IT_TEXT && it[i].len == k &&
            memcmp(it[i].text, s, k) == 0)
            return 1;
    return 0;
}

static size_t count_kind(const sc_item *it, size_t n, int kind)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += it[i].kind == kind;
    return c;
}

/* Bars and markers: rectangles that are not the white chips behind
 * value labels. */
static size_t count_marks(const sc_item *it, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += it[i].kind == SC_IT_RECT && it[i].gray < 0.99;
    return c;
}

/* Every item lies inside the chart box (x0, y0, w, h). */
static void inside(const sc_item *it, size_t n, double x0, double y0,
                   double w, double h)
{
    for (size_t i = 0; i < n; i++) {
        if (it[i].kind == SC_IT_PATH) {
            for (int k = 0; k < it[i].npts; k++) {
                assert_true(it[i].pts[2 * k] >= x0 - 0.01);
                assert_true(it[i].pts[2 * k] <= x0 + w + 0.01);
                assert_true(it[i].pts[2 * k + 1] >= y0 - 0.01);
                assert_true(it[i].pts[2 * k + 1] <= y0 + h + 0.01);
            }
        } else {
            assert_true(it[i].x >= x0 - 0.01);
            assert_true(it[i].x + it[i].w <= x0 + w + 0.01);
            assert_true(it[i].y >= y0 - 0.01);
            assert_true(it[i].y <= y0 + h + 0.01);
        }
    }
}

static void bar_chart_twelve_months(void **state)
{
    (void)state;
    static const double v[12] = {95, 88, 91.5, 97, 90, 93,
                                 86.5, 92, 94, 94.6, NAN, 120};
    static const char *const t[12] = {"95", "88", "91.5", "97", "90", "93",
                                      "86.5", "92", "94", "94.6", "", "120"};
    sc_chart_series ser[2];
    sc_chart c = make(SC_CHART_BAR, 12, v, t, NULL, NULL, ser);
    sc_arena *a = sc_arena_new();
    sc_item *it;
    size_t n;
    sc_error err;
    assert_int_equal(sc_chart_lower(&c, fonts, 40, 100, a, "X", &it, &n, &err),
                     SC_OK);
    inside(it, n, 40, 100, 500, 180);
    /* one bar per value present (November is missing) */
    assert_int_equal(count_marks(it, n), 11);
    /* and a white chip behind each of the 11 value labels */
    assert_int_equal(count_kind(it, n, SC_IT_RECT), 22);
    /* labels: title, months, values, ticks 0..120 in steps of 20 */
    assert_true(has_text(it, n, "月度得分"));
    assert_true(has_text(it, n, "1月"));
    assert_true(has_text(it, n, "12月"));
    assert_true(has_text(it, n, "91.5"));
    assert_true(has_text(it, n, "94.6"));
    for (int k = 0; k <= 120; k += 20) {
        char b[8];
        snprintf(b, sizeof b, "%d", k);
        assert_true(has_text(it, n, b));
    }
    assert_false(has_text(it, n, "25"));
    /* bar heights are proportional to the values: 120 is the full axis,
     * 90 three quarters of it, and both stand on the same baseline */
    const sc_item *bars[11];
    int nb = 0;
    for (size_t i = 0; i < n; i++)
        if (it[i].kind == SC_IT_RECT && it[i].gray < 0.99 && nb < 11)
            bars[nb++] = &it[i];
    const sc_item *b90 = bars[4], *b120 = bars[10]; /* May; December */
    assert_non_null(b90);
    assert_non_null(b120);
    assert_float_equal(b90->h / b120->h, 0.75, 1e-9);
    assert_float_equal(b90->y + b90->h, b120->y + b120->h, 1e-9);
    /* light gray gridlines and axes: paths, never black */
    size_t paths = 0;
    for (size_t i = 0; i < n; i++)
        if (it[i].kind == SC_IT_PATH) {
            paths++;
            assert_true(it[i].stroke > 0.3);
            assert_int_equal(it[i].closed, 0);
        }
    assert_true(paths >= 6 + 2);
    sc_arena_free(a);
}

static void line_chart_breaks_at_gaps(void **state)
{
    (void)state;
    static const double v[6] = {80, 85, NAN, 90, 95, 100};
    static const char *const t[6] = {"80", "85", "", "90", "95", "100"};
    sc_chart_series ser[2];
    sc_chart c = make(SC_CHART_LINE, 6, v, t, NULL, NULL, ser);
    sc_arena *a = sc_arena_new();
    sc_item *it;
    size_t n;
    sc_error err;
    assert_int_equal(sc_chart_lower(&c, fonts, 0, 0, a, "X", &it, &n, &err),
                     SC_OK);
    /* the series: two polylines (2 and 3 points), series gray, 1.2pt */
    int runs[2] = {0, 0}, nr = 0;
    for (size_t i = 0; i < n; i++)
        if (it[i].kind == SC_IT_PATH && it[i].stroke == 0.3) {
            assert_true(nr < 2);
            runs[nr++] = it[i].npts;
            assert_float_equal(it[i].lw, 1.2, 1e-9);
            /* higher values are drawn higher up (y grows downward) */
            assert_true(it[i].pts[3] < it[i].pts[1]);
        }
    assert_int_equal(nr, 2);
    assert_int_equal(runs[0], 2);
    assert_int_equal(runs[1], 3);
    /* markers: one per value */
    assert_int_equal(count_marks(it, n), 5);
    assert_true(has_text(it, n, "100"));
    sc_arena_free(a);
}

static void radar_two_series(void **state)
{
    (void)state;
    static const char *const comp[6] = {"客户导向", "沟通能力", "问题解决",
                                        "团队协作", "专业知识", "执行力"};
    static const double as[6] = {4, 4.5, 3, 3.5, 5, 2.5};
    static const char *const at[6] = {"4", "4.5", "3", "3.5", "5", "2.5"};
    static const double rq[6] = {4, 4, 3, 3, 4, 4};
    static const char *const rt[6] = {"4", "4", "3", "3", "4", "4"};
    sc_chart_series ser[2];
    sc_chart c = make(SC_CHART_RADAR, 6, as, at, rq, rt, ser);
    c.labels = comp;
    c.min = 0;
    c.max = 5;
    c.width = 400;
    c.height = 240;
    sc_arena *a = sc_arena_new();
    sc_item *it;
    size_t n;
    sc_error err;
    assert_int_equal(sc_chart_lower(&c, fonts, 50, 60, a, "X", &it, &n, &err),
                     SC_OK);
    inside(it, n, 50, 60, 400, 240);
    for (int i = 0; i < 6; i++)
        assert_true(has_text(it, n, comp[i]));
    /* shown values: the first series only (the second has values off) */
    assert_true(has_text(it, n, "4.5"));
    assert_true(has_text(it, n, "2.5"));
    /* the web: 5 closed rings of 6 points; two closed series polygons */
    const sc_item *assessed = NULL, *required = NULL, *outer = NULL;
    int rings = 0;
    for (size_t i = 0; i < n; i++) {
        if (it[i].kind != SC_IT_PATH || !it[i].closed || it[i].npts != 6)
            continue;
        if (it[i].stroke == 0.3)
            assessed = &it[i];
        else if (it[i].stroke == 0.6)
            required = &it[i];
        else
            rings++, outer = &it[i];
    }
    assert_int_equal(rings, 5);
    assert_non_null(assessed);
    assert_non_null(required);
    assert_int_equal(required->dash, 1);
    assert_float_equal(required->gray, 0.85, 1e-9);
    assert_true(assessed->gray < 0); /* not filled */
    /* the filled series is drawn first, so the outline stays on top */
    assert_true(required < assessed);
    /* vertex 4 (专业知识, 5 = max) lies on the outer ring; vertex 0
     * (客户导向, 4) at 4/5 of the radius, straight up from the centre */
    assert_float_equal(assessed->pts[8], outer->pts[8], 1e-6);
    assert_float_equal(assessed->pts[9], outer->pts[9], 1e-6);
    double cx = (outer->pts[2] + outer->pts[8]) / 2;
    double cy = (outer->pts[3] + outer->pts[9]) / 2;
    double r = cy - outer->pts[1];
    assert_float_equal(assessed->pts[0], cx, 1e-6);
    assert_float_equal(cy - assessed->pts[1], 0.8 * r, 1e-6);
    sc_arena_free(a);
}

static void automatic_axis_and_errors(void **state)
{
    (void)state;
    static const double v[3] = {3.2, 7.9, 5};
    static const char *const t[3] = {"3.2", "7.9", "5"};
    sc_chart_series ser[2];
    sc_chart c = make(SC_CHART_BAR, 3, v, t, NULL, NULL, ser);
    c.min = NAN;
    c.max = NAN;
    sc_arena *a = sc_arena_new();
    sc_item *it;
    size_t n;
    sc_error err;
    assert_int_equal(sc_chart_lower(&c, fonts, 0, 0, a, "X", &it, &n, &err),
                     SC_OK);
    /* 0 .. 8 in steps of 2: the top tick is above the highest value */
    assert_true(has_text(it, n, "8"));
    assert_true(has_text(it, n, "2"));
    assert_false(has_text(it, n, "10"));

    /* a radar needs 3 points */
    c.type = SC_CHART_RADAR;
    c.n = 2;
    assert_int_equal(sc_chart_lower(&c, fonts, 0, 0, a, "X", &it, &n, &err),
                     SC_ERR_DATA);
    assert_non_null(strstr(err.message, "at least 3"));
    /* no series */
    c.nseries = 0;
    assert_int_equal(sc_chart_lower(&c, fonts, 0, 0, a, "X", &it, &n, &err),
                     SC_ERR_USAGE);
    /* a box too small for its labels */
    c.type = SC_CHART_BAR;
    c.nseries = 1;
    c.n = 3;
    c.height = 30;
    assert_int_equal(sc_chart_lower(&c, fonts, 0, 0, a, "X", &it, &n, &err),
                     SC_ERR_TEMPLATE);
    /* a label no font has names the record */
    static const char *const odd[3] = {"A", "\xCD\xB8", "C"}; /* U+0378 */
    c.height = 180;
    c.labels = odd;
    assert_int_equal(sc_chart_lower(&c, fonts, 0, 0, a, "KF001 张三", &it, &n,
                                    &err),
                     SC_ERR_FONT);
    assert_non_null(strstr(err.message, "U+0378"));
    assert_string_equal(err.employee, "KF001 张三");
    sc_arena_free(a);
}


/* Through layout, the dump and the PDF writer: a chart that does not fit
 * below a tall block moves whole to the next page, centred; its paths are
 * dumped with their points and written as PDF vector graphics. */
static void chart_laid_dumped_and_written(void **state)
{
    (void)state;
    static const char *const comp[4] = {"客户导向", "沟通能力", "执行力",
                                        "专业知识"};
    static const double as[4] = {4, 4.5, 3, 3.5};
    static const char *const at[4] = {"4", "4.5", "3", "3.5"};
    static const double rq[4] = {4, 4, 3, 3};
    static const char *const rt[4] = {"4", "4", "3", "3"};
    sc_chart_series ser[2];
    sc_chart c = make(SC_CHART_RADAR, 4, as, at, rq, rt, ser);
    c.labels = comp;
    c.min = 0;
    c.max = 5;
    c.width = 300;
    c.height = 200;
    sc_arena *a = sc_arena_new();
    sc_bound *b = sc_arena_alloc(a, sizeof *b);
    b->page_w = 595.28;
    b->page_h = 841.89;
    for (int i = 0; i < 4; i++)
        b->margin[i] = 50;
    b->header_y = 20;
    b->footer_y = 810;
    b->title = b->label = "KF001 张晓明";
    sc_block *blk = sc_arena_alloc(a, 3 * sizeof *blk);
    blk[0].kind = SC_BLK_PARA; /* a space at the top of a page vanishes */
    blk[0].style = &chart_style;
    blk[0].text = "胜任素质";
    blk[1].kind = SC_BLK_SPACE;
    blk[1].height = 600; /* leaves < 141.89pt: the chart needs 200 */
    blk[2].kind = SC_BLK_CHART;
    blk[2].chart = &c;
    blk[2].height = c.height;
    blk[2].keep_together = 1;
    b->body = blk;
    b->nbody = 3;
    sc_laid *l = NULL;
    sc_error err;
    assert_int_equal(sc_layout(b, fonts, a, &l, &err), SC_OK);
    assert_int_equal(l->npages, 2);
    assert_false(has_text(l->pages[0].items, l->pages[0].nitems, "沟通能力"));
    const sc_page *pg = &l->pages[1];
    assert_true(has_text(pg->items, pg->nitems, "沟通能力"));
    inside(pg->items, pg->nitems, 50 + (495.28 - 300) / 2, 50, 300, 200);

    sc_buf d = {0};
    sc_dump(l, fonts, &d);
    assert_non_null(d.data);
    /* the filled, dashed polygon of the second series, 4 points */
    assert_non_null(strstr(d.data, "  path 4 closed f0.85 w1.20 s0.60 dash "));
    /* the first series: outline only */
    assert_non_null(strstr(d.data, "  path 4 closed fnone w1.20 s0.30 "));
    /* a gridline: open, light gray */
    assert_non_null(strstr(d.data, "  path 2 open fnone w0.40 s0.82 "));
    sc_buf_free(&d);

    sc_pdf *pdf = NULL;
    char path[] = "/tmp/sc-test-chart-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(sc_pdf_new(&pdf, fonts, NULL, &err), SC_OK);
    assert_int_equal(sc_pdf_add(pdf, l, &err), SC_OK);
    assert_int_equal(save_pdf(pdf, path, &err), SC_OK);
    sc_pdf_free(pdf);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char head[5] = {0};
    assert_int_equal(fread(head, 1, 4, f), 4);
    fclose(f);
    assert_string_equal(head, "%PDF");
    unlink(path);
    sc_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bar_chart_twelve_months),
        cmocka_unit_test(line_chart_breaks_at_gaps),
        cmocka_unit_test(radar_two_series),
        cmocka_unit_test(automatic_axis_and_errors),
        cmocka_unit_test(chart_laid_dumped_and_written),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
