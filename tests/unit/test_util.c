/* test_util.c -- arenas, buffers, decimal formatting, error values. */
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

static void test_format_decimal_rounds_half_up_on_decimal_digits(void **state)
{
    (void)state;
    char s[32];
    sc_format_decimal(s, sizeof s, 92.345, 2); /* binary 92.34499999... */
    assert_string_equal(s, "92.35");
    sc_format_decimal(s, sizeof s, 0.005, 2);
    assert_string_equal(s, "0.01");
    sc_format_decimal(s, sizeof s, 99.995, 2);
    assert_string_equal(s, "100.00");
    sc_format_decimal(s, sizeof s, 100, 0);
    assert_string_equal(s, "100");
    sc_format_decimal(s, sizeof s, -2.5, 0);
    assert_string_equal(s, "-3");
    sc_format_decimal(s, sizeof s, -0.001, 2);
    assert_string_equal(s, "0.00");
    sc_format_decimal(s, sizeof s, 1870.0, 2);
    assert_string_equal(s, "1870.00");
}

/* sc_format_pt as the PDF writer once wrote numbers: "%.3f", trailing
 * zeros and dot dropped, |v| < 0.0005 as 0. */
static void pt_by_printf(char *out, double v)
{
    if (fabs(v) < 0.0005)
        v = 0;
    snprintf(out, 48, "%.3f", v);
    char *e = out + strlen(out);
    while (e > out && e[-1] == '0')
        *--e = '\0';
    if (e > out && e[-1] == '.')
        *--e = '\0';
}

static void check_pt(double v)
{
    char a[48], b[48];
    pt_by_printf(a, v);
    size_t n = sc_format_pt(b, v);
    if (strcmp(a, b) || n != strlen(b))
        fail_msg("%.17g: printf \"%s\", sc_format_pt \"%s\"", v, a, b);
}

/* Every coordinate the PDF writer prints comes out as printf would have
 * printed it: halves of a thousandth (exact and inexact in binary), the
 * results of layout-like arithmetic, tiny and large values (a page is
 * never 1e15 pt wide: there it only never overruns). */
static void test_format_pt_is_printf(void **state)
{
    (void)state;
    static const double fixed[] = {0, -0.0, 0.0004999, 0.0005, -0.0005, 0.0015,
                                   0.0025, 1.0005, 2.0005, 12.5, -12.5, 595.276,
                                   841.89, 1e-9, -1e-9, 999999.9995, 123456789.0625,
                                   1e13, -1e13, 0.1 + 0.2, 72 * 1.35};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        check_pt(fixed[i]);
    srand(15);
    for (int i = 0; i < 300000; i++) {
        long k = rand() % 4000000 - 2000000;
        check_pt(k / 2000.0);                  /* every half-thousandth */
        check_pt(k / 2000.0 + 1e-12 * (rand() % 3 - 1));
        check_pt((double)rand() / RAND_MAX * 2000.0 - 1000.0);
        check_pt(k * 0.35 / 3.0);              /* layout-like sums */
    }
}

/* The set keeps every key once, with the value it was added with; folded
 * keys compare without ASCII case; a key longer than a block is kept. */
static void test_strset(void **state)
{
    (void)state;
    sc_strset s = {0}, f = {.fold = 1};
    char k[32], v[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(k, sizeof k, "B%06d", i);
        snprintf(v, sizeof v, "v%d", i);
        assert_int_equal(sc_strset_add(&s, k, v, NULL), 1);
    }
    assert_int_equal(s.count, 100000);
    for (int i = 0; i < 100000; i += 997) {
        const char *found = NULL;
        snprintf(k, sizeof k, "B%06d", i);
        snprintf(v, sizeof v, "v%d", i);
        assert_int_equal(sc_strset_add(&s, k, "other", &found), 0);
        assert_string_equal(found, v);
    }
    assert_int_equal(sc_strset_add(&s, "b000001", NULL, NULL), 1); /* case counts */
    const char *found = NULL;
    assert_int_equal(sc_strset_add(&f, "张伟.PDF", "A1", NULL), 1);
    assert_int_equal(sc_strset_add(&f, "张伟.pdf", "A2", &found), 0);
    assert_string_equal(found, "A1");
    char *big = malloc(200000);
    assert_non_null(big);
    memset(big, 'x', 199999);
    big[199999] = '\0';
    assert_int_equal(sc_strset_add(&f, big, NULL, NULL), 1);
    assert_int_equal(sc_strset_add(&f, big, NULL, &found), 0);
    assert_string_equal(found, "");
    free(big);
    sc_strset_free(&s);
    sc_strset_free(&f);
}

static void test_arena_strings_and_alignment(void **state)
{
    (void)state;
    sc_arena *a = sc_arena_new();
    assert_non_null(a);
    char *s = sc_arena_strdup(a, "考核表");
    assert_string_equal(s, "考核表");
    char *p = sc_arena_printf(a, "%s-%03d", "KF", 7);
    assert_string_equal(p, "KF-007");
    void *big = sc_arena_alloc(a, 100000); /* larger than a chunk */
    assert_non_null(big);
    assert_int_equal((uintptr_t)big % 16, 0);
    assert_string_equal(s, "考核表"); /* earlier allocations survive */
    sc_arena_free(a);
}

static void test_buf_grows(void **state)
{
    (void)state;
    sc_buf b = {0};
    for (int i = 0; i < 1000; i++)
        sc_buf_printf(&b, "%d,", i);
    assert_false(b.oom);
    assert_int_equal(strncmp(b.data, "0,1,2,", 6), 0);
    assert_int_equal(b.data[b.len], '\0');
    sc_buf_free(&b);
}

static void test_error_set_fills_location(void **state)
{
    (void)state;
    sc_error e;
    sc_status st = sc_error_set(&e, SC_ERR_SCHEMA, "a.xml", 3, 7, "bad %s", "weight");
    assert_int_equal(st, SC_ERR_SCHEMA);
    assert_string_equal(e.file, "a.xml");
    assert_int_equal(e.line, 3);
    assert_int_equal(e.column, 7);
    assert_string_equal(e.message, "bad weight");
    assert_string_equal(e.employee, "");
    assert_string_equal(sc_strerror(SC_ERR_FONT), "font error");
    assert_string_equal(sc_strerror((sc_status)99), "unknown error");
}

/* A message never ends half-way through a character, and a long value is
 * quoted short with its length. */
static void test_utf8_cut_and_quote(void **state)
{
    (void)state;
    char s[16];
    strcpy(s, "ab长长");
    s[7] = '\0'; /* "ab", 长, 2 of the 3 bytes of the next */
    sc_utf8_trim(s);
    assert_string_equal(s, "ab长");
    snprintf(s, sizeof s, "长");
    sc_utf8_trim(s);
    assert_string_equal(s, "长");
    sc_error e;
    char msg[1200] = "x";
    for (int i = 0; i < 300; i++)
        strcat(msg, "长");
    sc_error_set(&e, SC_ERR_DATA, NULL, 0, 0, "%s", msg); /* cut at 511 bytes */
    assert_true(sc_utf8_valid(e.message, strlen(e.message), NULL));
    assert_int_equal(strlen(e.message), 1 + 170 * 3);

    char q[SC_QUOTE_MAX];
    sc_quote(q, sizeof q, "张三");
    assert_string_equal(q, "\"张三\"");
    sc_quote(q, sizeof q, msg + 1);
    assert_true(sc_utf8_valid(q, strlen(q), NULL));
    assert_non_null(strstr(q, "…\" (300 characters)"));
    assert_int_equal(sc_utf8_count(q), 1 + 40 + 2 + strlen(" (300 characters)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_decimal_rounds_half_up_on_decimal_digits),
        cmocka_unit_test(test_format_pt_is_printf),
        cmocka_unit_test(test_strset),
        cmocka_unit_test(test_arena_strings_and_alignment),
        cmocka_unit_test(test_buf_grows),
        cmocka_unit_test(test_error_set_fills_location),
        cmocka_unit_test(test_utf8_cut_and_quote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
