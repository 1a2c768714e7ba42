/* test_text.c -- UTF-8 decoding, measuring and Chinese line breaking. */
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

/* ---- UTF-8 ---------------------------------------------------------------- */

static void test_decode_valid(void **state)
{
    (void)state;
    uint32_t cp;
    assert_int_equal(sc_utf8_decode("A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(sc_utf8_decode("\xC2\xB1", 2, &cp), 2); /* ± */
    assert_int_equal(cp, 0xB1);
    assert_int_equal(sc_utf8_decode("中", 3, &cp), 3);
    assert_int_equal(cp, 0x4E2D);
    assert_int_equal(sc_utf8_decode("𠮷", 4, &cp), 4);
    assert_int_equal(cp, 0x20BB7);
    assert_int_equal(sc_utf8_decode("\xF4\x8F\xBF\xBF", 4, &cp), 4);
    assert_int_equal(cp, 0x10FFFF);
}

static void test_decode_invalid(void **state)
{
    (void)state;
    uint32_t cp;
    assert_int_equal(sc_utf8_decode("\xC0\xAF", 2, &cp), 0);         /* overlong / */
    assert_int_equal(sc_utf8_decode("\xC1\xBF", 2, &cp), 0);         /* overlong */
    assert_int_equal(sc_utf8_decode("\xE0\x80\xAF", 3, &cp), 0);     /* overlong */
    assert_int_equal(sc_utf8_decode("\xF0\x82\x82\xAC", 4, &cp), 0); /* overlong € */
    assert_int_equal(sc_utf8_decode("\xED\xA0\x80", 3, &cp), 0);     /* U+D800 */
    assert_int_equal(sc_utf8_decode("\xED\xBF\xBF", 3, &cp), 0);     /* U+DFFF */
    assert_int_equal(sc_utf8_decode("\xF4\x90\x80\x80", 4, &cp), 0); /* > 10FFFF */
    assert_int_equal(sc_utf8_decode("\xF5\x80\x80\x80", 4, &cp), 0);
    assert_int_equal(sc_utf8_decode("\x80", 1, &cp), 0);             /* lone cont. */
    assert_int_equal(sc_utf8_decode("\xE4\xB8", 2, &cp), 0);         /* truncated */
    assert_int_equal(sc_utf8_decode("中", 2, &cp), 0);               /* n too small */
    assert_int_equal(sc_utf8_decode("\xE4\x41\xAD", 3, &cp), 0);     /* bad cont. */
    assert_int_equal(sc_utf8_decode("", 0, &cp), 0);

    size_t bad = 99;
    assert_int_equal(sc_utf8_valid("ab中𠮷", strlen("ab中𠮷"), &bad), 1);
    assert_int_equal(sc_utf8_valid("ab中\xED\xA0\x80z", 9, &bad), 0);
    assert_int_equal(bad, 5);
    assert_int_equal(sc_utf8_valid("\xFF", 1, &bad), 0);
    assert_int_equal(bad, 0);
}

/* ---- widths --------------------------------------------------------------- */

static double adv(uint32_t cp)
{
    int fi = sc_fonts_pick(fonts, SC_ROLE_BODY, cp);
    assert_true(fi >= 0);
    return sc_face_advance(sc_fonts_face(fonts, fi), cp);
}

static void test_width(void **state)
{
    (void)state;
    /* UMing's hanzi are one em wide; its Latin is proportional. */
    assert_true(fabs(sc_text_width(fonts, SC_ROLE_BODY, 10, "中文", 6) - 20.0) < 1e-9);
    double a = adv('A'), i = adv('i');
    assert_true(a == 0.5 && i == 0.5); /* UMing's Latin is half-width */
    assert_true(fabs(sc_text_width(fonts, SC_ROLE_BODY, 12, "Ai", 2) - 12 * (a + i)) < 1e-9);
    /* only the first n bytes count */
    assert_true(fabs(sc_text_width(fonts, SC_ROLE_BODY, 10, "中文", 3) - 10.0) < 1e-9);
    /* a character no font has measures 1em */
    assert_int_equal(sc_fonts_pick(fonts, SC_ROLE_BODY, 0x1200), -1);
    assert_true(fabs(sc_text_width(fonts, SC_ROLE_BODY, 10, "\xE1\x88\x80", 3) - 10.0) < 1e-9);
    assert_true(sc_text_width(fonts, SC_ROLE_BODY, 10, "", 0) == 0);
    /* kai measures with its own font */
    assert_true(sc_text_width(fonts, SC_ROLE_KAI, 10, "i", 1) <
                sc_text_width(fonts, SC_ROLE_KAI, 10, "W", 1));
}

/* ---- breaking ------------------------------------------------------------- */

typedef struct broken {
    sc_line *l;
    size_t n;
    unsigned flags; /* sc_text_break flags, 0 unless a test sets them */
    char text[64][256];
} broken;

static void brk(broken *b, int role, double size, const char *s, double w)
{
    assert_int_equal(sc_text_break(fonts, role, size, s, w, b->flags, &b->l, &b->n), SC_OK);
    assert_true(b->n >= 1 && b->n <= 64);
    for (size_t i = 0; i < b->n; i++) {
        assert_true(b->l[i].len < 256);
        memcpy(b->text[i], s + b->l[i].start, b->l[i].len);
        b->text[i][b->l[i].len] = '\0';
        /* the width reported is exactly what sc_text_width says */
        assert_true(b->l[i].width ==
                    sc_text_width(fonts, role, size, s + b->l[i].start, b->l[i].len));
    }
}

static int starts_with_any(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (!strncmp(s, *set, strlen(*set)))
            return 1;
    return 0;
}

static int ends_with_any(const char *s, const char *const *set)
{
    size_t n = strlen(s);
    for (; *set; set++) {
        size_t k = strlen(*set);
        if (n >= k && !strcmp(s + n - k, *set))
            return 1;
    }
    return 0;
}

static const char *const closing[] = {
    "，", "。", "、", "；", "：", "？", "！", "）", "」", "』", "】", "》",
    "〉", "”", "’", "…", "％", ",", ".", ";", ":", "!", "?", ")", "%", NULL};
static const char *const opening[] = {
    "（", "「", "『", "【", "《", "〈", "“", "‘", "(", "[", "￥", "$", NULL};

static void test_break_simple(void **state)
{
    (void)state;
    broken b = {0};
    /* 5em per line: 五 cannot stay because ， may not start a line, so 五
     * comes down with it. */
    brk(&b, SC_ROLE_BODY, 10, "一二三四五，六七八", 50);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.text[0], "一二三四");
    assert_string_equal(b.text[1], "五，六七八");
    assert_true(fabs(b.l[0].width - 40) < 1e-9);
    free(b.l);

    /* opening punctuation never ends a line */
    brk(&b, SC_ROLE_BODY, 10, "一二三四（五六）", 50);
    assert_string_equal(b.text[0], "一二三四");
    assert_string_equal(b.text[1], "（五六）");
    free(b.l);

    /* a line that fits is not broken */
    brk(&b, SC_ROLE_BODY, 10, "考核指标", 40);
    assert_int_equal(b.n, 1);
    assert_int_equal(b.l[0].start, 0);
    assert_int_equal(b.l[0].len, strlen("考核指标"));
    free(b.l);
}

static void test_break_numbers_whole(void **state)
{
    (void)state;
    const char *s = "投诉处理结案率98%，统计期间2026-10，金额1,234.50元";
    /* from 50pt on, the widest unit ("1,234.50元", 5em: a number keeps
     * the unit after it) fits a line */
    for (double w = 50; w <= 200; w += 5) {
        broken b = {0};
        brk(&b, SC_ROLE_BODY, 10, s, w);
        int pct = 0, per = 0, amt = 0;
        for (size_t i = 0; i < b.n; i++) {
            pct += strstr(b.text[i], "98%") != NULL;
            per += strstr(b.text[i], "2026-10") != NULL;
            amt += strstr(b.text[i], "1,234.50元") != NULL;
        }
        assert_int_equal(pct, 1);
        assert_int_equal(per, 1);
        assert_int_equal(amt, 1);
        for (size_t i = 0; i < b.n; i++)
            assert_int_equal(b.l[i].forced, 0); /* every break was allowed */
        free(b.l);
    }
}

/* Properties that must hold at every width for mixed text, once the line
 * is wider than the widest cluster of a character and its closing marks
 * (here "件”)。", 3.5em): narrower lines are broken by characters and
 * may have to start with a mark. */
static void test_break_kinsoku_sweep(void **state)
{
    (void)state;
    const char *s = "客户满意度（≥90%）达标；「首次响应时间」在线≤30秒，电话≤15秒。"
                    "被考核人在接到该表确认后不签名则视为默认……请于2026-10-31前"
                    "反馈：A/B test, e-mail zhangxm@example.com (see “附件”)。";
    size_t n = strlen(s);
    for (double w = 35; w <= 300; w += 3.5) {
        broken b = {0};
        brk(&b, SC_ROLE_BODY, 10, s, w);
        size_t prev_end = 0;
        for (size_t i = 0; i < b.n; i++) {
            assert_true(b.l[i].len > 0);
            if (i > 0)
                assert_false(starts_with_any(b.text[i], closing));
            if (i + 1 < b.n)
                assert_false(ends_with_any(b.text[i], opening));
            /* lines are in order, only spaces between them */
            assert_true(b.l[i].start >= prev_end);
            for (size_t k = prev_end; k < b.l[i].start; k++)
                assert_int_equal(s[k], ' ');
            prev_end = b.l[i].start + b.l[i].len;
            /* fits, unless it is a single character */
            if (b.l[i].width > w + 1e-9) {
                uint32_t cp;
                assert_int_equal(sc_utf8_decode(b.text[i], b.l[i].len, &cp), b.l[i].len);
            }
        }
        assert_int_equal(prev_end, n);
        free(b.l);
    }
}

static void test_break_spaces(void **state)
{
    (void)state;
    broken b = {0};
    double hello = sc_text_width(fonts, SC_ROLE_BODY, 10, "hello", 5);
    brk(&b, SC_ROLE_BODY, 10, "hello world", hello + 1);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.text[0], "hello"); /* trailing space excluded */
    assert_true(b.l[0].width == hello);
    assert_string_equal(b.text[1], "world");
    assert_int_equal(b.l[1].start, 6);
    free(b.l);

    /* trailing spaces of the text do not count either */
    brk(&b, SC_ROLE_BODY, 10, "中文   ", 100);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.text[0], "中文");
    assert_true(fabs(b.l[0].width - 20) < 1e-9);
    free(b.l);
}

static void test_break_overlong_word(void **state)
{
    (void)state;
    broken b = {0};
    const char *s = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz";
    brk(&b, SC_ROLE_BODY, 10, s, 30);
    assert_true(b.n > 3);
    size_t total = 0;
    for (size_t i = 0; i < b.n; i++) {
        assert_true(b.l[i].len > 0);
        assert_true(b.l[i].width <= 30 + 1e-9);
        assert_int_equal(b.l[i].start, total);
        total += b.l[i].len;
    }
    assert_int_equal(total, strlen(s));
    /* every line but the last ends inside the word: layout warns */
    for (size_t i = 0; i + 1 < b.n; i++)
        assert_int_equal(b.l[i].forced, 1);
    assert_int_equal(b.l[b.n - 1].forced, 0);
    free(b.l);

    /* narrower than one character: one character per line, no loop */
    brk(&b, SC_ROLE_BODY, 10, "中文，好", 1);
    assert_int_equal(b.n, 4);
    assert_string_equal(b.text[2], "，");
    free(b.l);
    assert_int_equal(sc_text_break(fonts, SC_ROLE_BODY, 10, "ab", 0, 0, &b.l, &b.n), SC_OK);
    assert_int_equal(b.n, 2);
    free(b.l);
}

static void test_break_newlines(void **state)
{
    (void)state;
    broken b = {0};
    brk(&b, SC_ROLE_BODY, 10, "甲\n乙", 100);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.text[0], "甲");
    assert_string_equal(b.text[1], "乙");
    free(b.l);

    brk(&b, SC_ROLE_BODY, 10, "a\n\nb\r\nc\n", 100);
    assert_int_equal(b.n, 5);
    assert_string_equal(b.text[0], "a");
    assert_string_equal(b.text[1], "");
    assert_string_equal(b.text[2], "b");
    assert_string_equal(b.text[3], "c");
    assert_string_equal(b.text[4], "");
    assert_int_equal(b.l[4].start, strlen("a\n\nb\r\nc\n"));
    free(b.l);

    brk(&b, SC_ROLE_BODY, 10, "", 100);
    assert_int_equal(b.n, 1);
    assert_int_equal(b.l[0].start, 0);
    assert_int_equal(b.l[0].len, 0);
    assert_true(b.l[0].width == 0);
    free(b.l);
}

static void test_break_errors(void **state)
{
    (void)state;
    sc_line *l = (sc_line *)1;
    size_t n = 7;
    assert_int_equal(sc_text_break(fonts, SC_ROLE_BODY, 10, "ab\xC0\xAF", 100, 0, &l, &n),
                     SC_ERR_ENCODING);
    assert_null(l);
    assert_int_equal(n, 0);
    sc_run *r;
    assert_int_equal(sc_text_runs(fonts, SC_ROLE_BODY, 10, "\xED\xA0\x80", 3, &r, &n),
                     SC_ERR_ENCODING);
    /* a bad byte after runs were begun: still nothing out (and, under
     * ASan, nothing leaked) */
    r = (sc_run *)1;
    n = 7;
    assert_int_equal(sc_text_runs(fonts, SC_ROLE_BODY, 10, "ab\xE4\xB8\xAD\xC0\xAF", 7, &r, &n),
                     SC_ERR_ENCODING);
    assert_null(r);
    assert_int_equal(n, 0);
}

/* A number keeps its unit and closing bracket (30秒, 60分）。), a slash
 * both of its sides (3分/次), an operator the operand after it. */
static void test_break_units_operators(void **state)
{
    (void)state;
    const char *s = "在线≤30秒，电话≤15秒；本项最高60分）。每次扣3分/次，"
                    "奖金 = 计提奖金 × (80% + 20% × KPI系数)";
    for (double w = 60; w <= 300; w += 2.5) {
        broken b = {0};
        brk(&b, SC_ROLE_BODY, 10, s, w);
        for (size_t i = 0; i + 1 < b.n; i++) {
            const char *t = b.text[i], *u = b.text[i + 1];
            size_t n = strlen(t);
            /* no line ends in a digit followed by a hanzi or a slash */
            if (n && t[n - 1] >= '0' && t[n - 1] <= '9')
                assert_true(u[0] != '/' && (unsigned char)u[0] < 0x80);
            /* no line ends in an operator or a slash */
            assert_false(ends_with_any(t, (const char *const[]){
                "=", "×", "+", "/", "≤", NULL}));
            assert_false(u[0] == '/');
            assert_int_equal(b.l[i].forced, 0);
        }
        free(b.l);
    }
    broken b = {0};
    /* 4.5em: "在线≤30" fits but the unit comes along */
    brk(&b, SC_ROLE_BODY, 10, "在线≤30秒", 45);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.text[0], "在线");
    assert_string_equal(b.text[1], "≤30秒");
    free(b.l);
    /* the line breaks before "×", not after it */
    double w = sc_text_width(fonts, SC_ROLE_BODY, 10, "20% × K", strlen("20% × K"));
    brk(&b, SC_ROLE_BODY, 10, "20% × KPI", w);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.text[0], "20%");
    assert_string_equal(b.text[1], "× KPI");
    free(b.l);
}

/* clreq 孤字: a last line of one hanzi takes a character from the line
 * before; where that line cannot give one, the line is marked lone. */
static void test_break_lone_last(void **state)
{
    (void)state;
    broken b = {0};
    brk(&b, SC_ROLE_BODY, 10, "首次响应时间", 50); /* greedy: 首次响应时|间 */
    assert_int_equal(b.n, 2);
    assert_string_equal(b.text[0], "首次响应");
    assert_string_equal(b.text[1], "时间");
    assert_int_equal(b.l[1].lone, 0);
    free(b.l);

    brk(&b, SC_ROLE_BODY, 10, "考核维度", 30); /* 考核维|度 */
    assert_string_equal(b.text[0], "考核");
    assert_string_equal(b.text[1], "维度");
    free(b.l);

    /* punctuation after the lone character comes with it: 不得|分。 */
    brk(&b, SC_ROLE_BODY, 10, "低于70%时本项不得分。", 80);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.text[1], "得分。");
    free(b.l);

    /* only the last paragraph line of each \n-paragraph counts */
    brk(&b, SC_ROLE_BODY, 10, "考核维度\n数据来源", 30);
    assert_int_equal(b.n, 4);
    assert_string_equal(b.text[1], "维度");
    assert_string_equal(b.text[3], "来源");
    free(b.l);

    /* the line before would keep one character: left, and marked */
    brk(&b, SC_ROLE_BODY, 10, "考核度", 20);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.text[1], "度");
    assert_int_equal(b.l[1].lone, 1);
    free(b.l);
    /* no break allowed inside "月/季/年": nothing can move */
    brk(&b, SC_ROLE_BODY, 10, "月/季/年度", 40);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.text[1], "度");
    assert_int_equal(b.l[1].lone, 1);
    free(b.l);
    /* a last line of two characters, or of a digit, is not lone */
    brk(&b, SC_ROLE_BODY, 10, "一二三四五六", 40);
    assert_string_equal(b.text[1], "五六");
    assert_int_equal(b.l[1].lone, 0);
    free(b.l);
}

/* Numbered items hang: wrapped lines start under the text after "1、",
 * and with a label (说明：1、) the next items line up under "1、". */
static void test_break_hanging(void **state)
{
    (void)state;
    broken b = {0};
    b.flags = SC_BREAK_HANG;
    const char *s = "说明：1、评价标准中的目标值由公司确定。\n2、当月绩效奖金等于考核分数乘基数。";
    brk(&b, SC_ROLE_BODY, 10, s, 100);
    double label = sc_text_width(fonts, SC_ROLE_BODY, 10, "说明：", strlen("说明："));
    double one = sc_text_width(fonts, SC_ROLE_BODY, 10, "1、", strlen("1、"));
    assert_true(b.n >= 4);
    assert_true(b.l[0].indent == 0);
    assert_true(fabs(b.l[1].indent - (label + one)) < 1e-9);
    size_t k = 1;
    while (k < b.n && strncmp(b.text[k], "2、", strlen("2、")))
        k++;
    assert_true(k + 1 < b.n);
    assert_true(fabs(b.l[k].indent - label) < 1e-9);     /* 2、 under 1、 */
    assert_true(fabs(b.l[k + 1].indent - (label + one)) < 1e-9);
    for (size_t i = 0; i < b.n; i++)
        assert_true(b.l[i].indent + b.l[i].width <= 100 + 1e-9);
    free(b.l);

    /* ideographic spaces before the number count as its indent */
    brk(&b, SC_ROLE_BODY, 10, "　　2、当月绩效奖金等于考核分数乘基数。", 100);
    assert_true(b.l[0].indent == 0);
    assert_true(fabs(b.l[1].indent - 20 - one) < 1e-9);
    free(b.l);

    /* 1.5 is a number, not an item; a hang over half the width is
     * dropped; without the flag nothing hangs */
    brk(&b, SC_ROLE_BODY, 10, "1.5分以上的部分按比例计入本项得分", 60);
    assert_true(b.l[1].indent == 0);
    free(b.l);
    brk(&b, SC_ROLE_BODY, 10, "（一）考核期内未被投诉得满分", 50);
    assert_true(b.l[1].indent == 0);
    free(b.l);
    brk(&b, SC_ROLE_BODY, 10, "（一）考核期内未被投诉得满分", 100);
    assert_true(fabs(b.l[1].indent - 30) < 1e-9);
    free(b.l);
    b.flags = 0;
    brk(&b, SC_ROLE_BODY, 10, s, 100);
    for (size_t i = 0; i < b.n; i++)
        assert_true(b.l[i].indent == 0);
    free(b.l);
}

/* ---- runs ----------------------------------------------------------------- */

static void test_runs(void **state)
{
    (void)state;
    sc_run *r;
    size_t n;
    int uming = sc_fonts_pick(fonts, SC_ROLE_BODY, 0x4E2D);
    assert_true(uming >= 0);
    /* ͷ (U+0377) is only in DejaVu; ሀ (U+1200) is in no font */
    const char *s = "中文A\xCD\xB7\xCD\xB7\xE1\x88\x80好";
    assert_int_equal(sc_text_runs(fonts, SC_ROLE_BODY, 10, s, strlen(s), &r, &n), SC_OK);
    assert_int_equal(n, 4);
    assert_int_equal(r[0].face, uming);
    assert_int_equal(r[0].start, 0);
    assert_int_equal(r[0].len, 7);
    assert_int_not_equal(r[1].face, uming);
    assert_true(r[1].face >= 0);
    assert_string_equal(sc_face_family(sc_fonts_face(fonts, r[1].face)), "DejaVu Sans");
    assert_int_equal(r[1].len, 4);
    assert_int_equal(r[2].face, -1);
    assert_true(fabs(r[2].width - 10.0) < 1e-9);
    assert_int_equal(r[3].face, uming);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += r[i].width;
    assert_true(fabs(sum - sc_text_width(fonts, SC_ROLE_BODY, 10, s, strlen(s))) < 1e-9);
    free(r);

    /* a variation selector no font maps joins the run before it, 0 wide */
    const char *ivs = "葛\xF3\xA0\x84\x80";
    assert_int_equal(sc_text_runs(fonts, SC_ROLE_BODY, 10, ivs, strlen(ivs), &r, &n), SC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].face, uming);
    assert_true(fabs(r[0].width - 10.0) < 1e-9);
    free(r);

    assert_int_equal(sc_text_runs(fonts, SC_ROLE_BODY, 10, "", 0, &r, &n), SC_OK);
    assert_int_equal(n, 0);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_valid),
        cmocka_unit_test(test_decode_invalid),
        cmocka_unit_test(test_width),
        cmocka_unit_test(test_break_simple),
        cmocka_unit_test(test_break_numbers_whole),
        cmocka_unit_test(test_break_kinsoku_sweep),
        cmocka_unit_test(test_break_spaces),
        cmocka_unit_test(test_break_overlong_word),
        cmocka_unit_test(test_break_newlines),
        cmocka_unit_test(test_break_errors),
        cmocka_unit_test(test_break_units_operators),
        cmocka_unit_test(test_break_lone_last),
        cmocka_unit_test(test_break_hanging),
        cmocka_unit_test(test_runs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
