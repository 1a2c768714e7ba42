/* test_score.c -- the scoring engine: every rule type with a worked
 * example and its edges, exact money, ranking awards, the 大客户部
 * quarterly bonus, and whole batches through the reader (computed values
 * written into the record, given values verified, scheme files). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "internal.h"

#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define U SC_UNIT /* 1.0 in rule units */

/* ---- rule table ---------------------------------------------------------- */

typedef struct rule_case {
    const char *name;     /* what the row shows */
    sc_rule rule;
    sc_rule_input in;
    sc_status status;
    long long centi;      /* expected score, 1/100 point */
} rule_case;

static const sc_rule_item late_absent[] = {{"迟到", 1 * U, SC_ITEM_DEDUCT, NULL},
                                           {"旷工", 5 * U, SC_ITEM_DEDUCT, NULL}};
static const sc_rule_level levels[] = {{"A", 5 * U, "主动承担额外工作"},
                                       {"B", 3 * U, "自觉完成工作任务"},
                                       {"C", 2 * U, "有时推卸责任"},
                                       {"D", 0, "工作马虎"}};
/* 季度 KPI 回款任务完成率: 新增一个客户加5分; 质检得分: 服务禁语另扣3分 */
static const sc_rule_item new_customer[] = {{"新增客户", 5 * U, SC_ITEM_ADD, "家"}};
static const sc_rule_item banned_words[] = {{"服务禁语", 3 * U, SC_ITEM_DEDUCT, NULL}};
static const char *const k_new[] = {"新增客户"};
static const char *const k_banned[] = {"服务禁语"};
static const char *const k_late[] = {"迟到"};
static const char *const k_late_absent[] = {"迟到", "旷工"};
static const char *const k_absent[] = {"旷工"};
static const char *const k_unknown[] = {"早退"};
static const long long n1[] = {1}, n2[] = {2}, n3[] = {3}, n4[] = {4}, n11[] = {1, 1};

#define ACH(t) .type = SC_RULE_ACHIEVEMENT, .has_target = 1, .target = (t)
#define VAL(v) .has_value = 1, .value = (v)

/* 大客户经理 销售任务 a1: 每低于目标5%扣3分 (every started 5%), below 50% 0. */
#define SALES .type = SC_RULE_STEP, .completion = 1, .step_below = 5 * U,                \
              .points_below = 3 * U, .count = SC_COUNT_CEIL, .has_zero_below = 1,       \
              .zero_below = 50 * U
/* 客服 问题解决率 q3: target 85%, 每低于目标1个百分点扣1.5分 pro rata, <70% 0. */
#define SOLVE .type = SC_RULE_STEP, .has_target = 1, .target = 85 * U,                   \
              .step_below = 1 * U, .points_below = 15000, .count = SC_COUNT_LINEAR,      \
              .has_zero_below = 1, .zero_below = 70 * U
/* 客服 平均响应时间 q2 (lower is better, seconds): ≤120 s, every 10 s over
 * -2 (rows choose how steps count), above 180 s 0. */
#define RESP .type = SC_RULE_STEP, .lower_better = 1, .has_target = 1,                   \
             .target = 120 * U, .step_below = 10 * U, .points_below = 2 * U,            \
             .has_zero_above = 1, .zero_above = 180 * U
#define DEDUCT .type = SC_RULE_DEDUCT, .items = (sc_rule_item *)late_absent, .nitems = 2
#define COUNTS(k, n) .kinds = (k), .counts = (n), .ncounts = (int)(sizeof(n) / sizeof *(n))

static const rule_case rule_cases[] = {
    /* weighted achievement: 20 x actual / 98, capped at the weight */
    {"achievement exactly at target", {ACH(98 * U)}, {.weight = 20 * U, VAL(98 * U)}, SC_OK, 2000},
    {"achievement 97/98 of 20 = 19.7959 -> 19.80", {ACH(98 * U)}, {.weight = 20 * U, VAL(97 * U)},
     SC_OK, 1980},
    {"achievement above target, capped at the weight", {ACH(98 * U)},
     {.weight = 20 * U, VAL(105 * U)}, SC_OK, 2000},
    {"achievement 110/98 x 20 = 22.449 under cap 24", {ACH(98 * U), .has_cap = 1,
     .cap = 24 * U}, {.weight = 20 * U, VAL(110 * U)}, SC_OK, 2245},
    {"achievement beyond cap 24", {ACH(98 * U), .has_cap = 1, .cap = 24 * U},
     {.weight = 20 * U, VAL(150 * U)}, SC_OK, 2400},
    {"achievement: data's target overrides", {ACH(98 * U)},
     {.weight = 20 * U, VAL(45 * U), .has_target = 1, .target = 90 * U}, SC_OK, 1000},
    {"achievement lower is better: 75/80 days of 10", {ACH(75 * U), .lower_better = 1},
     {.weight = 10 * U, VAL(80 * U)}, SC_OK, 938},
    {"achievement without a value", {ACH(98 * U)}, {.weight = 20 * U}, SC_ERR_DATA, 0},
    {"achievement with target 0", {.type = SC_RULE_ACHIEVEMENT, .has_target = 1},
     {.weight = 20 * U, VAL(5 * U)}, SC_ERR_DATA, 0},
    /* pro rata (商家认证通过率 98%, 20 分): like achievement, never above weight */
    {"pro-rata 95/98 of 20 = 19.388", {.type = SC_RULE_PRORATA, .has_target = 1,
     .target = 98 * U, .has_cap = 1, .cap = 30 * U}, {.weight = 20 * U, VAL(95 * U)}, SC_OK, 1939},
    {"pro-rata above target ignores a cap", {.type = SC_RULE_PRORATA, .has_target = 1,
     .target = 98 * U, .has_cap = 1, .cap = 30 * U}, {.weight = 20 * U, VAL(99 * U)}, SC_OK, 2000},
    /* pro rata with items: the measured part stops at the weight, then the
     * items apply within the cap (a new customer is a bonus on a full row;
     * over-achievement does not buy back a deduction) */
    {"pro-rata 112% of 40 + 1 new customer x 5, cap 50 = 45", {.type = SC_RULE_PRORATA,
     .has_target = 1, .target = 100 * U, .has_cap = 1, .cap = 50 * U,
     .items = (sc_rule_item *)new_customer, .nitems = 1},
     {.weight = 40 * U, VAL(112 * U), COUNTS(k_new, n1)}, SC_OK, 4500},
    {"pro-rata 82.5% of 40 = 33 + 1 new customer = 38", {.type = SC_RULE_PRORATA,
     .has_target = 1, .target = 100 * U, .has_cap = 1, .cap = 50 * U,
     .items = (sc_rule_item *)new_customer, .nitems = 1},
     {.weight = 40 * U, VAL(825000), COUNTS(k_new, n1)}, SC_OK, 3800},
    {"pro-rata 112% + 3 new customers: capped at 50", {.type = SC_RULE_PRORATA,
     .has_target = 1, .target = 100 * U, .has_cap = 1, .cap = 50 * U,
     .items = (sc_rule_item *)new_customer, .nitems = 1},
     {.weight = 40 * U, VAL(112 * U), COUNTS(k_new, n3)}, SC_OK, 5000},
    {"pro-rata without cap: a new customer adds nothing to a full row", {.type = SC_RULE_PRORATA,
     .has_target = 1, .target = 100 * U, .items = (sc_rule_item *)new_customer, .nitems = 1},
     {.weight = 40 * U, VAL(112 * U), COUNTS(k_new, n1)}, SC_OK, 4000},
    {"pro-rata 93/90 of 15 with one 服务禁语: 15 - 3 = 12", {.type = SC_RULE_PRORATA,
     .has_target = 1, .target = 90 * U, .items = (sc_rule_item *)banned_words, .nitems = 1},
     {.weight = 15 * U, VAL(93 * U), COUNTS(k_banned, n1)}, SC_OK, 1200},
    /* step deduction on the completion rate (seed 001) */
    {"sales exactly at target", {SALES}, {.weight = 30 * U, VAL(120 * U), .has_target = 1,
     .target = 120 * U}, SC_OK, 3000},
    {"sales 91.3%: 8.7% short = 2 started steps = -6", {SALES},
     {.weight = 30 * U, VAL(913000), .has_target = 1, .target = 100 * U}, SC_OK, 2400},
    {"sales 98.9/110 = 89.9%: 3 steps = -9", {SALES},
     {.weight = 30 * U, VAL(989000), .has_target = 1, .target = 110 * U}, SC_OK, 2100},
    {"sales exactly 95%: one step", {SALES}, {.weight = 30 * U, VAL(95 * U), .has_target = 1,
     .target = 100 * U}, SC_OK, 2700},
    {"sales exactly 50%: not below 50%, 10 steps = -30", {SALES},
     {.weight = 30 * U, VAL(50 * U), .has_target = 1, .target = 100 * U}, SC_OK, 0},
    {"sales 45.6%: below 50%, item not scored", {SALES},
     {.weight = 30 * U, VAL(684000), .has_target = 1, .target = 150 * U}, SC_OK, 0},
    {"sales step bonus: 109.7% = 9 whole 1% steps x 2 (cap 50)",
     {SALES, .step_above = 1 * U, .points_above = 2 * U, .has_cap = 1, .cap = 50 * U},
     {.weight = 30 * U, VAL(1316000), .has_target = 1, .target = 120 * U}, SC_OK, 4800},
    {"sales step bonus capped at the weight without cap",
     {SALES, .step_above = 1 * U, .points_above = 2 * U},
     {.weight = 30 * U, VAL(1316000), .has_target = 1, .target = 120 * U}, SC_OK, 3000},
    {"sales without a target", {SALES}, {.weight = 30 * U, VAL(50 * U)}, SC_ERR_DATA, 0},
    /* step deduction on the value difference, pro rata */
    {"solve rate 84.2%: 0.8 x 1.5 = 1.2 off", {SOLVE}, {.weight = 15 * U, VAL(842000)}, SC_OK, 1380},
    {"solve rate 82%: 4.5 off", {SOLVE}, {.weight = 15 * U, VAL(82 * U)}, SC_OK, 1050},
    {"solve rate exactly 85%", {SOLVE}, {.weight = 15 * U, VAL(85 * U)}, SC_OK, 1500},
    {"solve rate 75%: 15 off, floor 0", {SOLVE}, {.weight = 15 * U, VAL(75 * U)}, SC_OK, 0},
    {"solve rate 69.9%: below 70%", {SOLVE}, {.weight = 15 * U, VAL(699000)}, SC_OK, 0},
    /* lower is better, started steps */
    {"response 119 s: within target", {RESP, .count = SC_COUNT_CEIL}, {.weight = 10 * U, VAL(119 * U)}, SC_OK, 1000},
    {"response 128 s: one started step", {RESP, .count = SC_COUNT_CEIL}, {.weight = 10 * U, VAL(128 * U)}, SC_OK, 800},
    {"response 131 s: two started steps", {RESP, .count = SC_COUNT_CEIL}, {.weight = 10 * U, VAL(131 * U)}, SC_OK, 600},
    {"response 181 s: above 180 s, not scored", {RESP, .count = SC_COUNT_CEIL}, {.weight = 10 * U, VAL(181 * U)}, SC_OK, 0},
    {"floor counting: 128 s is no whole step", {RESP, .count = SC_COUNT_FLOOR},
     {.weight = 10 * U, VAL(128 * U)}, SC_OK, 1000},
    /* threshold (应收账款周转天数 ≤ 75 天) */
    {"threshold exactly 75 days", {.type = SC_RULE_THRESHOLD, .lower_better = 1,
     .has_target = 1, .target = 75 * U}, {.weight = 10 * U, VAL(75 * U)}, SC_OK, 1000},
    {"threshold 76 days", {.type = SC_RULE_THRESHOLD, .lower_better = 1, .has_target = 1,
     .target = 75 * U}, {.weight = 10 * U, VAL(76 * U)}, SC_OK, 0},
    {"threshold not met: otherwise 4", {.type = SC_RULE_THRESHOLD, .has_target = 1,
     .target = 90 * U, .otherwise = 4 * U}, {.weight = 10 * U, VAL(89 * U)}, SC_OK, 400},
    /* count deductions with a floor (迟到1次扣1分，旷工扣5分，扣完为止) */
    {"deduct none", {DEDUCT}, {.weight = 10 * U}, SC_OK, 1000},
    {"deduct 迟到 2", {DEDUCT}, {.weight = 10 * U, COUNTS(k_late, n2)}, SC_OK, 800},
    {"deduct 迟到 1 + 旷工 1", {DEDUCT}, {.weight = 10 * U, COUNTS(k_late_absent, n11)}, SC_OK, 400},
    {"deduct 旷工 2: floor reached exactly", {DEDUCT}, {.weight = 10 * U, COUNTS(k_absent, n2)},
     SC_OK, 0},
    {"deduct 旷工 3: beyond the floor stays 0", {DEDUCT}, {.weight = 10 * U, COUNTS(k_absent, n3)},
     SC_OK, 0},
    {"deduct max-count 3: 3 occurrences still scored", {DEDUCT, .has_max_count = 1,
     .max_count = 3}, {.weight = 10 * U, COUNTS(k_late, n3)}, SC_OK, 700},
    {"deduct max-count 3: 4 occurrences = 0", {DEDUCT, .has_max_count = 1,
     .max_count = 3}, {.weight = 10 * U, COUNTS(k_late, n4)}, SC_OK, 0},
    {"deduct unknown kind", {DEDUCT}, {.weight = 10 * U, COUNTS(k_unknown, n1)}, SC_ERR_DATA, 0},
    {"deduct one kind: 延误1次扣3分", {.type = SC_RULE_DEDUCT, .points = 3 * U},
     {.weight = 10 * U, VAL(1 * U)}, SC_OK, 700},
    {"deduct one kind: a fractional count", {.type = SC_RULE_DEDUCT, .points = 3 * U},
     {.weight = 10 * U, VAL(15000)}, SC_ERR_DATA, 0},
    /* per unit with a cap (每走访一个商家计0.4分, 40 max) */
    {"per-unit 87 visits = 34.8", {.type = SC_RULE_PER_UNIT, .per = 4000},
     {.weight = 40 * U, VAL(87 * U)}, SC_OK, 3480},
    {"per-unit 100 visits = exactly 40", {.type = SC_RULE_PER_UNIT, .per = 4000},
     {.weight = 40 * U, VAL(100 * U)}, SC_OK, 4000},
    {"per-unit 120 visits capped at 40", {.type = SC_RULE_PER_UNIT, .per = 4000},
     {.weight = 40 * U, VAL(120 * U)}, SC_OK, 4000},
    {"per-unit 新增客户 3 x 5 capped at 10", {.type = SC_RULE_PER_UNIT, .per = 5 * U},
     {.weight = 10 * U, VAL(3 * U)}, SC_OK, 1000},
    /* graded choice (5 / 3 / 2 / 0 分) */
    {"choice B = 3", {.type = SC_RULE_CHOICE, .levels = (sc_rule_level *)levels,
     .nlevels = 4}, {.weight = 5 * U, .level = "B"}, SC_OK, 300},
    {"choice D = 0", {.type = SC_RULE_CHOICE, .levels = (sc_rule_level *)levels,
     .nlevels = 4}, {.weight = 5 * U, .level = "D"}, SC_OK, 0},
    {"choice unknown level", {.type = SC_RULE_CHOICE, .levels = (sc_rule_level *)levels,
     .nlevels = 4}, {.weight = 5 * U, .level = "E"}, SC_ERR_DATA, 0},
    {"choice without a level", {.type = SC_RULE_CHOICE, .levels = (sc_rule_level *)levels,
     .nlevels = 4}, {.weight = 5 * U}, SC_ERR_DATA, 0},
    /* free adjustment ±5 with a reason */
    {"free -3 with a reason", {.type = SC_RULE_FREE, .has_min = 1, .min = -5 * U,
     .has_max = 1, .max = 5 * U}, {.weight = 0, VAL(-3 * U), .has_reason = 1}, SC_OK, -300},
    {"free without a reason", {.type = SC_RULE_FREE, .has_min = 1, .min = -5 * U,
     .has_max = 1, .max = 5 * U}, {.weight = 0, VAL(2 * U)}, SC_ERR_DATA, 0},
    {"free 6 beyond ±5", {.type = SC_RULE_FREE, .has_min = 1, .min = -5 * U, .has_max = 1,
     .max = 5 * U}, {.weight = 0, VAL(6 * U), .has_reason = 1}, SC_ERR_DATA, 0},
    {"given: the data must hold the score", {.type = SC_RULE_GIVEN}, {.weight = 10 * U}, SC_ERR_DATA,
     0},
};

static void test_rules(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof rule_cases / sizeof *rule_cases; i++) {
        const rule_case *c = &rule_cases[i];
        long long got = -999999;
        char msg[300];
        sc_status st = sc_rule_score(&c->rule, &c->in, &got, msg, sizeof msg);
        if (st != c->status || (st == SC_OK && got != c->centi)) {
            print_error("rule case \"%s\": status %d (want %d), score %lld (want %lld) %s\n",
                        c->name, st, c->status, got, c->centi, msg);
            bad++;
        }
        if (st != SC_OK && !msg[0]) {
            print_error("rule case \"%s\": an error without a message\n", c->name);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* ---- numbers and money ----------------------------------------------------- */

static void test_fixed(void **state)
{
    (void)state;
    long long v;
    assert_true(sc_parse_fixed("88.5", 4, &v));
    assert_int_equal(v, 885000);
    assert_true(sc_parse_fixed(" -0.05 ", 2, &v));
    assert_int_equal(v, -5);
    assert_true(sc_parse_fixed("1.230", 2, &v)); /* trailing zero beyond scale */
    assert_int_equal(v, 123);
    assert_false(sc_parse_fixed("1.235", 2, &v));
    assert_false(sc_parse_fixed("1e3", 2, &v));
    assert_false(sc_parse_fixed("", 2, &v));
    assert_false(sc_parse_fixed(".", 2, &v));
    assert_false(sc_parse_fixed("12345678901234567", 0, &v));
    char buf[32];
    sc_format_fixed(buf, sizeof buf, 1050, 2, 1);
    assert_string_equal(buf, "10.5");
    sc_format_fixed(buf, sizeof buf, 1000, 2, 1);
    assert_string_equal(buf, "10");
    sc_format_fixed(buf, sizeof buf, 204000, 2, 0);
    assert_string_equal(buf, "2040.00");
    sc_format_fixed(buf, sizeof buf, -5, 2, 0);
    assert_string_equal(buf, "-0.05");
    assert_int_equal(sc_div_round(5, 10), 1);   /* half up */
    assert_int_equal(sc_div_round(-5, 10), -1); /* half away from zero */
    assert_int_equal(sc_div_round(4, 10), 0);
}

typedef struct money_case {
    const char *name;
    sc_bonus_rule rule;
    long long base_fen, total_centi, want_fen;
} money_case;

#define PROP {SC_BONUS_PROPORTIONAL, 100 * U, U, 0, 0, 0, NULL, 0}
#define UPLIFT(count, below) {SC_BONUS_UPLIFT, 100 * U, U, 2 * U, count, below, NULL, 0}

static const money_case money_cases[] = {
    {"102 of 2000.00 = 2040.00", PROP, 200000, 10200, 204000},
    {"56.88 of 1800.00 = 1023.84", PROP, 180000, 5688, 102384},
    {"0.005 yuan rounds up: 50 of 1000.01 = 500.005", PROP, 100001, 5000, 50001},
    {"just below 0.005: 49.99 of 1000.01 = 499.904999", PROP, 100001, 4999, 49990},
    {"88.77 of 1800.00 = 1597.86", PROP, 180000, 8877, 159786},
    {"uplift exactly 100 = base", UPLIFT(SC_COUNT_FLOOR, SC_BELOW_PROPORTIONAL), 200000,
     10000, 200000},
    {"uplift 102: +2% x 2 = 2080.00", UPLIFT(SC_COUNT_FLOOR, SC_BELOW_PROPORTIONAL),
     200000, 10200, 208000},
    {"uplift 102.5 whole steps: 2080.00", UPLIFT(SC_COUNT_FLOOR, SC_BELOW_PROPORTIONAL),
     200000, 10250, 208000},
    {"uplift 102.5 pro rata: 2100.00", UPLIFT(SC_COUNT_LINEAR, SC_BELOW_PROPORTIONAL),
     200000, 10250, 210000},
    {"uplift 101.33 pro rata of 1800: 1800 x 1.0266 = 1847.88",
     UPLIFT(SC_COUNT_LINEAR, SC_BELOW_PROPORTIONAL), 180000, 10133, 184788},
    {"uplift below 100: proportional 95", UPLIFT(SC_COUNT_FLOOR, SC_BELOW_PROPORTIONAL),
     200000, 9500, 190000},
    {"uplift below 100: zero", UPLIFT(SC_COUNT_FLOOR, SC_BELOW_ZERO), 200000, 9500, 0},
    {"uplift below 100: base", UPLIFT(SC_COUNT_FLOOR, SC_BELOW_BASE), 200000, 9500, 200000},
    {"negative total pays nothing", PROP, 200000, -500, 0},
};

static void test_money(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof money_cases / sizeof *money_cases; i++) {
        const money_case *c = &money_cases[i];
        long long got = -1;
        sc_status st = sc_bonus_compute(&c->rule, c->base_fen, c->total_centi, &got);
        if (st != SC_OK || got != c->want_fen) {
            print_error("money case \"%s\": got %lld fen, want %lld\n", c->name, got,
                        c->want_fen);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
    sc_bonus_rule none = {SC_BONUS_NONE, 0, 0, 0, 0, 0, NULL, 0};
    long long x;
    assert_int_equal(sc_bonus_compute(&none, 100, 100, &x), SC_END);
}

/* ---- ranking awards -------------------------------------------------------- */

static void test_ranking(void **state)
{
    (void)state;
    /* 前三名 500 / 300 / 200 元, 名次并列的同时奖励.  Two share first place and
     * both get 500; nobody is second (competition ranking skips it); two
     * share third and both get 200; fifth gets nothing. */
    const long long awards[] = {50000, 30000, 20000};
    const long long scores[] = {9800, 9500, 9800, 9000, 9500};
    int rank[5];
    long long award[5];
    sc_rank_awards(scores, 5, awards, 3, rank, award);
    const int want_rank[] = {1, 3, 1, 5, 3};
    const long long want_award[] = {50000, 20000, 50000, 0, 20000};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(rank[i], want_rank[i]);
        assert_int_equal(award[i], want_award[i]);
    }
    /* no ties: 500, 300, 200, 0 */
    const long long s2[] = {8000, 9100, 8800, 9900};
    sc_rank_awards(s2, 4, awards, 3, rank, award);
    assert_int_equal(award[3], 50000);
    assert_int_equal(award[1], 30000);
    assert_int_equal(award[2], 20000);
    assert_int_equal(award[0], 0);
    /* everyone tied: everyone first */
    const long long s3[] = {9000, 9000, 9000, 9000};
    sc_rank_awards(s3, 4, awards, 3, rank, award);
    for (int i = 0; i < 4; i++)
        assert_int_equal(award[i], 50000);
}

/* ---- the 大客户部 quarterly bonus ---------------------------------------- */

#define YUAN(y) ((long long)(y) * 100)

static void test_quarters(void **state)
{
    (void)state;
    /* Base (基数) 200,000 元, target 400,000 元 every quarter; rate 4%;
     * 600 元 withheld below base; 实际奖金 = 计提 x (80% + 20% x 系数).
     *
     * Q1  X = 150,000 < base: no bonus, 600 withheld, owed 50,000.
     * Q2  X = 230,000: excess over base 30,000 goes to the 50,000 owed
     *     (20,000 still owed); nothing left, so only the base counts:
     *     计提 = 200,000 x 4% = 8,000.00; 系数 1.0 -> 实际 8,000.00.
     * Q3  X = 260,000: excess 60,000 pays the 20,000 owed, Q1 is made up,
     *     so its base bonus is paid too (补发 200,000 x 4% = 8,000);
     *     remaining 40,000 + base 200,000 = 240,000 x 4% = 9,600;
     *     计提 = 17,600.00; 系数 0.9 -> x 0.98 = 17,248.00.
     *     (Seed's formula: [(260k-200k-20k)+200k] x 4% + 200k x 4%.)
     * Q4  X = 450,000 >= target, nothing owed: floating wage paid, only the
     *     target counts: 400,000 x 4% = 16,000.00; 50,000 carried forward;
     *     系数 1.2 -> x 1.04 = 16,640.00.
     * Q5  X = 180,000 + 50,000 carried = 230,000: above base, nothing owed:
     *     230,000 x 4% = 9,200.00; 系数 0.8537 -> x 0.97074 = 8,930.808
     *     -> 8,930.81 (half up to the fen). */
    const sc_quarter_rule rule = {400, YUAN(600), 8000, 2000, 0};
    const sc_quarter_in q[] = {
        {YUAN(150000), YUAN(200000), YUAN(400000), 10000},
        {YUAN(230000), YUAN(200000), YUAN(400000), 10000},
        {YUAN(260000), YUAN(200000), YUAN(400000), 9000},
        {YUAN(450000), YUAN(200000), YUAN(400000), 12000},
        {YUAN(180000), YUAN(200000), YUAN(400000), 8537},
    };
    sc_quarter_out o[5];
    assert_int_equal(sc_quarter_bonus(&rule, q, 5, o), SC_OK);

    assert_int_equal(o[0].accrued_fen, 0);
    assert_int_equal(o[0].actual_fen, 0);
    assert_int_equal(o[0].withheld_fen, YUAN(600));
    assert_int_equal(o[0].owed_fen, YUAN(50000));
    assert_false(o[0].floating);

    assert_int_equal(o[1].covered_fen, YUAN(30000));
    assert_int_equal(o[1].owed_fen, YUAN(20000));
    assert_int_equal(o[1].made_up_fen, 0);
    assert_int_equal(o[1].accrued_fen, YUAN(8000));
    assert_int_equal(o[1].actual_fen, YUAN(8000));
    assert_int_equal(o[1].withheld_fen, 0);

    assert_int_equal(o[2].covered_fen, YUAN(20000));
    assert_int_equal(o[2].made_up_fen, YUAN(200000));
    assert_int_equal(o[2].owed_fen, 0);
    assert_int_equal(o[2].bonus_base_fen, YUAN(240000));
    assert_int_equal(o[2].accrued_fen, YUAN(17600));
    assert_int_equal(o[2].actual_fen, YUAN(17248));

    assert_true(o[3].floating);
    assert_int_equal(o[3].accrued_fen, YUAN(16000));
    assert_int_equal(o[3].carry_fen, YUAN(50000));
    assert_int_equal(o[3].actual_fen, YUAN(16640));

    assert_int_equal(o[4].counted_fen, YUAN(230000));
    assert_int_equal(o[4].accrued_fen, YUAN(9200));
    assert_int_equal(o[4].actual_fen, 893081);
    assert_false(o[4].floating);

    /* exactly at the base: no withholding, base bonus */
    const sc_quarter_in at[] = {{YUAN(200000), YUAN(200000), YUAN(400000), 10000}};
    assert_int_equal(sc_quarter_bonus(&rule, at, 1, o), SC_OK);
    assert_int_equal(o[0].withheld_fen, 0);
    assert_int_equal(o[0].accrued_fen, YUAN(8000));
    /* two shortfalls, made up oldest first across quarters */
    const sc_quarter_in two[] = {
        {YUAN(190000), YUAN(200000), YUAN(400000), 10000}, /* owes 10,000 */
        {YUAN(180000), YUAN(200000), YUAN(400000), 10000}, /* owes 20,000 more */
        {YUAN(215000), YUAN(200000), YUAN(400000), 10000}, /* 15,000: Q1 made up */
    };
    assert_int_equal(sc_quarter_bonus(&rule, two, 3, o), SC_OK);
    assert_int_equal(o[1].owed_fen, YUAN(30000));
    assert_int_equal(o[1].withheld_fen, YUAN(600));
    assert_int_equal(o[2].made_up_fen, YUAN(200000));
    assert_int_equal(o[2].owed_fen, YUAN(15000));
    /* only the base this quarter, plus Q1's base made up */
    assert_int_equal(o[2].accrued_fen, YUAN(16000));
    /* bad input */
    const sc_quarter_in badq[] = {{YUAN(1), YUAN(5), YUAN(4), 10000}};
    assert_int_equal(sc_quarter_bonus(&rule, badq, 1, o), SC_ERR_USAGE);
}

/* ---- whole batches through the reader ---------------------------------- */

typedef struct diags {
    int count;
    sc_buf text;
} diags;

static void on_diag(void *ud, const sc_error *e)
{
    diags *d = ud;
    d->count++;
    sc_buf_printf(&d->text, "%s:%d: %s [%s|%s]\n", e->file, e->line, e->message, e->employee,
                  e->field);
}

static char *write_tmp(const char *name, const char *text)
{
    char *path = malloc(300);
    assert_non_null(path);
    snprintf(path, 300, "/tmp/sc_test_score_%ld_%s", (long)getpid(), name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* String value of an XPath on the record's document ("" if none). */
static char *xp(const sc_record *rec, const char *expr)
{
    xmlXPathContextPtr c = xmlXPathNewContext(rec->doc);
    c->node = rec->employee;
    xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, c);
    xmlChar *s = o ? xmlXPathCastToString(o) : NULL;
    char *r = strdup(s ? (const char *)s : "");
    xmlFree(s);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(c);
    return r;
}

#define ASSERT_XP(rec, expr, want)                                                       \
    do {                                                                                 \
        char *got_ = xp(rec, expr);                                                      \
        if (strcmp(got_, want))                                                          \
            print_error("%s = \"%s\", want \"%s\"\n", expr, got_, want);                 \
        assert_string_equal(got_, want);                                                 \
        free(got_);                                                                      \
    } while (0)

static const char *const HEAD =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<batch version=\"1\" template=\"kefu-monthly\"%s>\n"
    "  <company>华东云联</company><department>客户服务部</department>\n"
    "  <period kind=\"month\" year=\"2026\" month=\"10\">2026年10月</period>\n";

static const char *const SCHEME =
    "<scheme name=\"t\">\n"
    "  <category name=\"业绩\" weight=\"70\"/>\n"
    "  <category name=\"态度\" weight=\"30\"/>\n"
    "  <kpi id=\"a\" type=\"step\" basis=\"completion\" step-below=\"5\" points-below=\"3\"\n"
    "       count=\"ceil\" zero-below=\"50\"/>\n"
    "  <kpi id=\"b\" type=\"per-unit\" per=\"0.4\" weight=\"40\"/>\n"
    "  <kpi id=\"c\" type=\"deduct\" max-count=\"3\"><item kind=\"迟到\" points=\"1\"/>"
    "<item kind=\"旷工\" points=\"5\"/></kpi>\n"
    "  <kpi id=\"d\" type=\"choice\"><level id=\"A\" points=\"20\">极强</level>"
    "<level id=\"B\" points=\"12\">强</level></kpi>\n"
    "  <raters share=\"0\"><rater role=\"本人\" weight=\"15\"/><rater role=\"上级\" "
    "weight=\"60\"/><rater role=\"小组\" weight=\"25\"/></raters>\n"
    "  <adjustments min=\"-5\" max=\"5\"/>\n"
    "  <grades><grade name=\"优秀\" min=\"90\"/><grade name=\"良好\" min=\"80\"/>"
    "<grade name=\"合格\" min=\"70\"/><grade name=\"待改进\"/></grades>\n"
    "  <bonus type=\"uplift\" threshold=\"100\" per=\"1\" rise=\"2\"/>\n"
    "</scheme>\n";

/* One employee; %s are: a score, c counts, d level, total element. */
static const char *const EMP =
    "  <employee id=\"E%d\"><name>员工%d</name>\n"
    "    <kpis>\n"
    "      <category name=\"业绩\" weight=\"70\">\n"
    "        <kpi id=\"a\"><indicator>销售</indicator><weight>30</weight>\n"
    "          <target value=\"100\">100万</target><actual value=\"91.3\">91.3万</actual>\n"
    "          <rule>每低于目标5%%扣3分</rule><score>%s</score></kpi>\n"
    "        <kpi id=\"b\"><indicator>走访</indicator><weight>40</weight>\n"
    "          <actual value=\"87\">87家</actual><rule>0.4分/家</rule></kpi>\n"
    "      </category>\n"
    "      <category name=\"态度\" weight=\"30\">\n"
    "        <kpi id=\"c\"><indicator>考勤</indicator><weight>10</weight>\n"
    "          <actual>%s</actual>%s<rule>迟到扣1分</rule></kpi>\n"
    "        <kpi id=\"d\"><indicator>学习</indicator><weight>20</weight>\n"
    "          <actual level=\"%s\"/><rule>选档</rule></kpi>\n"
    "      </category>\n"
    "    </kpis>\n"
    "    <raters><rater role=\"本人\" weight=\"15\" score=\"95\"/>"
    "<rater role=\"上级\" weight=\"60\" score=\"93\"/>"
    "<rater role=\"小组\" weight=\"25\" score=\"91\"/></raters>\n"
    "    <adjustments><adjustment points=\"2\" reason=\"表扬\"/></adjustments>\n"
    "    %s\n"
    "    <bonus base=\"2000.00\"/>\n"
    "  </employee>\n";

static char *batch(const char *batch_attrs, const char *scheme, const char *emps)
{
    sc_buf b = {0};
    sc_buf_printf(&b, HEAD, batch_attrs);
    sc_buf_puts(&b, scheme);
    sc_buf_puts(&b, emps);
    sc_buf_puts(&b, "</batch>\n");
    return b.data;
}

static void test_batch_computes(void **state)
{
    (void)state;
    sc_buf e = {0};
    /* a: 24 (91.3%), b: 34.8, c: 迟到 2 = 8, d: B = 12 -> 78.8 + 2 = 80.8 */
    sc_buf_printf(&e, EMP, 1, 1, "", "迟到2次",
                  "<counts><count kind=\"迟到\" n=\"2\"/></counts>", "B", "");
    char *text = batch("", SCHEME, e.data);
    char *path = write_tmp("computes.xml", text);
    diags d = {0};
    sc_error err;
    sc_reader *r = NULL;
    assert_int_equal(sc_reader_open(&r, path, on_diag, &d, &err), SC_OK);
    sc_record *rec = NULL;
    sc_status st = sc_reader_next(r, &rec, &err);
    if (st != SC_OK)
        print_error("%s", d.text.data ? d.text.data : err.message);
    assert_int_equal(st, SC_OK);
    ASSERT_XP(rec, "kpis/category/kpi[@id='a']/score", "24");
    ASSERT_XP(rec, "kpis/category/kpi[@id='b']/score", "34.8");
    ASSERT_XP(rec, "kpis/category/kpi[@id='c']/score", "8");
    ASSERT_XP(rec, "kpis/category/kpi[@id='d']/score", "12");
    ASSERT_XP(rec, "kpis/category/kpi[@id='d']/actual", "强"); /* level description */
    ASSERT_XP(rec, "kpis/category[@name='业绩']/@subtotal", "58.8");
    ASSERT_XP(rec, "kpis/category[@name='态度']/@subtotal", "20");
    ASSERT_XP(rec, "raters/@composite", "92.8");
    ASSERT_XP(rec, "result/@kpi-sum", "78.8");
    ASSERT_XP(rec, "result/@total", "80.8");
    ASSERT_XP(rec, "total", "80.8");
    ASSERT_XP(rec, "grade", "良好");
    /* below 100: proportional, 2000 x 0.808 */
    ASSERT_XP(rec, "bonus/@amount", "1616.00");
    ASSERT_XP(rec, "result/@bonus", "1616.00");
    assert_string_equal(sc_record_get(rec, "total"), "80.80");
    assert_string_equal(sc_record_get(rec, "grade"), "良好");
    assert_string_equal(sc_record_get(rec, "bonus"), "1616.00");
    /* the scheme is in the record: whole, and each KPI's rule on its kpi */
    ASSERT_XP(rec, "/batch/scheme/@name", "t");
    ASSERT_XP(rec, "count(/batch/scheme)", "1");
    ASSERT_XP(rec, "name(/batch/employee/preceding-sibling::*[1])", "scheme");
    ASSERT_XP(rec, "/batch/scheme/bonus/@rise", "2");
    ASSERT_XP(rec, "kpis/category/kpi[@id='a']/@rule-type", "step");
    ASSERT_XP(rec, "kpis/category/kpi[@id='a']/scheme-rule/@step-below", "5");
    ASSERT_XP(rec, "kpis/category/kpi[@id='a']/scheme-rule/@points-below", "3");
    ASSERT_XP(rec, "kpis/category/kpi[@id='a']/scheme-rule/@zero-below", "50");
    ASSERT_XP(rec, "kpis/category/kpi[@id='b']/scheme-rule/@per", "0.4");
    ASSERT_XP(rec, "kpis/category/kpi[@id='c']/@rule-type", "deduct");
    ASSERT_XP(rec, "kpis/category/kpi[@id='c']/scheme-rule/item[@kind='旷工']/@points", "5");
    ASSERT_XP(rec, "kpis/category/kpi[@id='d']/scheme-rule/level[@id='A']/@points", "20");
    ASSERT_XP(rec, "kpis/category/kpi[@id='d']/scheme-rule/level[2]", "强");
    ASSERT_XP(rec, "count(kpis/category/kpi/scheme-rule)", "4");
    /* a template builds the standard from them with concat() */
    ASSERT_XP(rec, "concat('每低于目标', kpis/category/kpi[@id='a']/scheme-rule/@step-below,"
                   " '%扣', kpis/category/kpi[@id='a']/scheme-rule/@points-below, '分')",
              "每低于目标5%扣3分");
    sc_record_free(rec);
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_END);
    sc_reader_free(r);
    unlink(path);
    free(path);
    free(text);
    sc_buf_free(&e);
    sc_buf_free(&d.text);
}

static void test_batch_mismatch(void **state)
{
    (void)state;
    sc_buf e = {0};
    /* E1: given a = 27, computed 24 */
    sc_buf_printf(&e, EMP, 1, 1, "27", "", "", "A", "");
    /* E2: given total 99 (computed 24 + 34.8 + 10 + 20 + 2 = 90.8) */
    sc_buf_printf(&e, EMP, 2, 2, "24", "", "", "A", "<total>99</total>");
    /* E3: 旷工 1 is not a problem, 早退 is not a kind of the rule */
    sc_buf_printf(&e, EMP, 3, 3, "", "", "<counts><count kind=\"早退\" n=\"1\"/></counts>",
                  "A", "");
    /* E4: fine: 90.8 -> 优秀; uplift does not apply below 100 */
    sc_buf_printf(&e, EMP, 4, 4, "24.00", "", "", "A", "<total>90.80</total>");
    char *text = batch("", SCHEME, e.data);
    char *path = write_tmp("mismatch.xml", text);
    diags d = {0};
    sc_error err;
    sc_reader *r = NULL;
    assert_int_equal(sc_reader_open(&r, path, on_diag, &d, &err), SC_OK);
    sc_record *rec = NULL;
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_ERR_DATA);
    assert_null(rec);
    assert_non_null(strstr(err.message, "score 27 differs from the computed 24"));
    assert_string_equal(err.employee, "E1 员工1");
    assert_string_equal(err.field, "kpis/category[业绩]/kpi[a]/score");
    assert_true(err.line > 0);
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_ERR_DATA);
    assert_non_null(strstr(err.message, "total 99 differs from the computed 90.8"));
    assert_string_equal(err.field, "total");
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_ERR_DATA);
    assert_non_null(strstr(err.message, "kind \"早退\" is not in the rule"));
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_OK);
    ASSERT_XP(rec, "grade", "优秀");
    ASSERT_XP(rec, "bonus/@amount", "1816.00");
    sc_record_free(rec);
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_END);
    sc_reader_free(r);
    unlink(path);
    free(path);
    free(text);
    sc_buf_free(&e);
    sc_buf_free(&d.text);
}

static void test_scheme_file(void **state)
{
    (void)state;
    sc_buf s = {0};
    sc_buf_puts(&s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    sc_buf_puts(&s, SCHEME);
    char name[64];
    snprintf(name, sizeof name, "sc_test_score_%ld_scheme.xml", (long)getpid());
    char *spath = write_tmp("scheme.xml", s.data);
    char attrs[128];
    snprintf(attrs, sizeof attrs, " scheme=\"%s\"", name);
    sc_buf e = {0};
    sc_buf_printf(&e, EMP, 1, 1, "", "", "", "A", "");
    char *text = batch(attrs, "", e.data);
    char *path = write_tmp("withfile.xml", text);
    diags d = {0};
    sc_error err;
    sc_reader *r = NULL;
    assert_int_equal(sc_reader_open(&r, path, on_diag, &d, &err), SC_OK);
    sc_record *rec = NULL;
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_OK);
    ASSERT_XP(rec, "total", "90.8");
    /* a shared scheme file is copied into the record like an inline one */
    ASSERT_XP(rec, "/batch/scheme/@name", "t");
    ASSERT_XP(rec, "/batch/scheme/grades/grade[1]/@min", "90");
    ASSERT_XP(rec, "kpis/category/kpi[@id='a']/scheme-rule/@basis", "completion");
    sc_record_free(rec);
    sc_reader_free(r);
    /* the scheme file given as data is refused with a hint */
    assert_int_not_equal(sc_reader_open(&r, spath, on_diag, &d, &err), SC_OK);
    assert_non_null(strstr(err.message, "scheme file"));
    /* a path outside the folder is refused */
    free(text);
    text = batch(" scheme=\"../etc/x.xml\"", "", e.data);
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
    assert_int_equal(sc_reader_open(&r, path, on_diag, &d, &err), SC_ERR_FORBIDDEN);
    /* both inline and file: refused */
    free(text);
    text = batch(attrs, SCHEME, e.data);
    f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
    assert_int_equal(sc_reader_open(&r, path, on_diag, &d, &err), SC_ERR_DATA);
    unlink(path);
    unlink(spath);
    free(path);
    free(spath);
    free(text);
    sc_buf_free(&e);
    sc_buf_free(&s);
    sc_buf_free(&d.text);
}

static void test_scheme_problems(void **state)
{
    (void)state;
    const char *bad =
        "<scheme>\n"
        "  <kpi id=\"a\" type=\"step\"/>\n"
        "  <kpi id=\"a\" type=\"choice\"/>\n"
        "  <raters><rater role=\"本人\" weight=\"15\"/><rater role=\"上级\" weight=\"60\"/></raters>\n"
        "  <grades><grade name=\"良好\" min=\"80\"/><grade name=\"优秀\" min=\"90\"/></grades>\n"
        "</scheme>\n";
    sc_buf e = {0};
    sc_buf_printf(&e, EMP, 1, 1, "", "", "", "A", "");
    char *text = batch("", bad, e.data);
    char *path = write_tmp("badscheme.xml", text);
    diags d = {0};
    sc_error err;
    sc_reader *r = NULL;
    assert_int_equal(sc_reader_open(&r, path, on_diag, &d, &err), SC_ERR_DATA);
    const char *t = d.text.data;
    assert_non_null(strstr(t, "a step rule needs"));
    assert_non_null(strstr(t, "KPI \"a\" has two rules"));
    assert_non_null(strstr(t, "a choice rule needs at least one <level>"));
    assert_non_null(strstr(t, "the rater weights sum to 75, not 100"));
    assert_non_null(strstr(t, "grades go from the best down"));
    unlink(path);
    free(path);
    free(text);
    sc_buf_free(&e);
    sc_buf_free(&d.text);
}

/* The shipped examples compute what they print. */
/* The 大客户部 季度奖金 statement as data: test_quarters' first four
 * quarters in a quarter batch (2026-Q4).  Q4's KPI奖金系数 is left out, so
 * it is the sheet's total / 100: 95 -> 0.95, 80% + 20% x 0.95 = 99%,
 * 16,000.00 x 99% = 15,840.00. */
static const char *const QHEAD =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<batch version=\"1\">\n"
    "  <company>华东云联</company><department>大客户部</department>\n"
    "  <period kind=\"quarter\" year=\"2026\" quarter=\"4\">2026年第四季度</period>\n"
    "  <scheme><bonus type=\"none\"/><quarter-bonus rate=\"4\" withhold=\"600\" "
    "fixed=\"80\" kpi=\"20\" base-ratio=\"50\"/></scheme>\n";

/* %d %d: id; %s: the quarters */
static const char *const QEMP =
    "  <employee id=\"Q%d\"><name>销售%d</name>\n"
    "    <kpis><category name=\"业绩\"><kpi id=\"k\"><indicator>回款</indicator>"
    "<weight>100</weight><rule>按比例</rule><score>95</score></kpi></category></kpis>\n"
    "    <quarters>\n%s    </quarters>\n"
    "  </employee>\n";

static const char *const QGOOD =
    "      <quarter n=\"1\" actual=\"150000\" base=\"200000\" target=\"400000\" "
    "kpi-coefficient=\"1\"/>\n"
    "      <quarter n=\"2\" actual=\"230000\" base=\"200000\" target=\"400000\" "
    "kpi-coefficient=\"1.0\" amount=\"8000.00\"/>\n"
    "      <quarter n=\"3\" actual=\"260000\" base=\"200000\" target=\"400000\" "
    "kpi-coefficient=\"0.9\"/>\n"
    "      <quarter n=\"4\" actual=\"450000\" base=\"200000\" target=\"400000\"/>\n";

static void test_quarter_statement(void **state)
{
    (void)state;
    sc_buf b = {0};
    sc_buf_puts(&b, QHEAD);
    sc_buf_printf(&b, QEMP, 1, 1, QGOOD);
    /* Q2: a stated amount that is wrong */
    sc_buf_printf(&b, QEMP, 2, 2,
                  "      <quarter n=\"2\" actual=\"230000\" base=\"200000\" target=\"400000\" "
                  "kpi-coefficient=\"1\" amount=\"8100.00\"/>\n"
                  "      <quarter n=\"4\" actual=\"450000\" base=\"200000\" target=\"400000\"/>\n");
    /* Q3: an earlier quarter without its coefficient */
    sc_buf_printf(&b, QEMP, 3, 3,
                  "      <quarter n=\"3\" actual=\"230000\" base=\"200000\" target=\"400000\"/>\n"
                  "      <quarter n=\"4\" actual=\"450000\" base=\"200000\" target=\"400000\"/>\n");
    /* Q4: out of order, and no quarter for the period */
    sc_buf_printf(&b, QEMP, 4, 4,
                  "      <quarter n=\"2\" actual=\"1\" base=\"1\" target=\"1\" kpi-coefficient=\"1\"/>\n"
                  "      <quarter n=\"1\" actual=\"1\" base=\"1\" target=\"1\" kpi-coefficient=\"1\"/>\n");
    /* Q5: target below the base; a quarter after the period */
    sc_buf_printf(&b, QEMP, 5, 5,
                  "      <quarter n=\"4\" actual=\"1\" base=\"2\" target=\"1\"/>\n"
                  "      <quarter year=\"2027\" n=\"1\" actual=\"1\" base=\"1\" target=\"1\" "
                  "kpi-coefficient=\"1\"/>\n");
    /* Q6: a base that is not 50% of the target (任务基数比为50%) */
    sc_buf_printf(&b, QEMP, 6, 6,
                  "      <quarter n=\"4\" actual=\"1\" base=\"150000\" target=\"400000\"/>\n");
    sc_buf_puts(&b, "</batch>\n");
    char *path = write_tmp("quarters.xml", b.data);
    diags d = {0};
    sc_error err;
    sc_reader *r = NULL;
    assert_int_equal(sc_reader_open(&r, path, on_diag, &d, &err), SC_OK);
    sc_record *rec = NULL;
    sc_status st = sc_reader_next(r, &rec, &err);
    if (st != SC_OK)
        print_error("%s", d.text.data ? d.text.data : err.message);
    assert_int_equal(st, SC_OK);
    ASSERT_XP(rec, "quarters/quarter[1]/@withheld", "600.00");
    ASSERT_XP(rec, "quarters/quarter[1]/@owed", "50000.00");
    ASSERT_XP(rec, "quarters/quarter[1]/@accrued", "0.00");
    ASSERT_XP(rec, "quarters/quarter[1]/@amount", "0.00");
    ASSERT_XP(rec, "quarters/quarter[1]/@floating", "否");
    ASSERT_XP(rec, "quarters/quarter[2]/@covered", "30000.00");
    ASSERT_XP(rec, "quarters/quarter[2]/@owed", "20000.00");
    ASSERT_XP(rec, "quarters/quarter[2]/@accrued", "8000.00");
    ASSERT_XP(rec, "quarters/quarter[2]/@amount", "8000.00"); /* given and right */
    ASSERT_XP(rec, "quarters/quarter[3]/@made-up", "200000.00");
    ASSERT_XP(rec, "quarters/quarter[3]/@made-up-bonus", "8000.00");
    ASSERT_XP(rec, "quarters/quarter[3]/@own-bonus", "9600.00");
    ASSERT_XP(rec, "quarters/quarter[3]/@bonus-base", "240000.00");
    ASSERT_XP(rec, "quarters/quarter[3]/@accrued", "17600.00");
    ASSERT_XP(rec, "quarters/quarter[3]/@factor", "98");
    ASSERT_XP(rec, "quarters/quarter[3]/@amount", "17248.00");
    ASSERT_XP(rec, "quarters/quarter[4]/@floating", "是");
    ASSERT_XP(rec, "quarters/quarter[4]/@carry", "50000.00");
    ASSERT_XP(rec, "quarters/quarter[4]/@coefficient", "0.95");
    ASSERT_XP(rec, "quarters/quarter[4]/@factor", "99");
    ASSERT_XP(rec, "quarters/quarter[4]/@amount", "15840.00");
    ASSERT_XP(rec, "quarters/@accrued-total", "41600.00");
    ASSERT_XP(rec, "quarters/@amount-total", "41088.00");
    ASSERT_XP(rec, "quarters/@withheld-total", "600.00");
    ASSERT_XP(rec, "result/@quarter-bonus", "15840.00");
    /* the parameters, for the sheet to print its rules from */
    ASSERT_XP(rec, "concat(quarters/@rate, '|', quarters/@withhold, '|', quarters/@fixed, '|', "
                   "quarters/@kpi, '|', quarters/@base-ratio)", "4|600.00|80|20|50");
    assert_string_equal(sc_record_get(rec, "total"), "95.00");
    assert_string_equal(sc_record_get(rec, "bonus"), "15840.00");
    sc_record_free(rec);

    assert_int_equal(sc_reader_next(r, &rec, &err), SC_ERR_DATA);
    assert_non_null(strstr(err.message, "2026-Q2 实际奖金 8100.00 differs from the computed 9200.00"));
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_ERR_DATA);
    assert_non_null(strstr(err.message, "2026-Q3 needs its KPI奖金系数"));
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_ERR_DATA);
    assert_non_null(strstr(d.text.data, "quarter 2026-Q1 does not follow 2026-Q2"));
    assert_non_null(strstr(d.text.data, "no <quarter> for the batch period 2026-Q4"));
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_ERR_DATA);
    assert_non_null(strstr(d.text.data, "target 1 is below the base (基数) 2"));
    assert_non_null(strstr(d.text.data, "quarter 2027-Q1 is after the batch period 2026-Q4"));
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_ERR_DATA);
    assert_non_null(strstr(err.message, "the base (基数) 150000 is not 50% of the target 400000"));
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_END);
    sc_reader_free(r);
    unlink(path);
    free(path);
    sc_buf_free(&b);
    sc_buf_free(&d.text);
}

/* ---- what the engine writes beside a score (issue: figures a sheet shows) -- */

/* Run the batch text; every record in recs (NULL for a refused one, its
 * first problem in msgs[i]).  Returns how many <employee> there were. */
static int run_batch(const char *name, const char *text, sc_record **recs, char msgs[][512],
                     int max, diags *d)
{
    char *path = write_tmp(name, text);
    sc_error err;
    sc_reader *r = NULL;
    sc_status st = sc_reader_open(&r, path, on_diag, d, &err);
    if (st != SC_OK)
        print_error("%s", d->text.data ? d->text.data : err.message);
    assert_int_equal(st, SC_OK);
    int n = 0;
    for (;;) {
        sc_record *rec = NULL;
        st = sc_reader_next(r, &rec, &err);
        if (st == SC_END)
            break;
        assert_true(n < max);
        recs[n] = rec;
        snprintf(msgs[n], 512, "%s", st == SC_OK ? "" : err.message);
        n++;
    }
    sc_reader_free(r);
    unlink(path);
    free(path);
    return n;
}

/* 大客户经理 销售任务 (seed 001), one row with its three rules: 每低于目标5%扣3分,
 * 每超过1%加2分, 新增一个客户加5分/次; 本项最高70分. */
static const char *const SALES_SCHEME =
    "<scheme name=\"dk\">\n"
    "  <kpi id=\"a1\" type=\"step\" weight=\"40\" basis=\"completion\" step-below=\"5\"\n"
    "       points-below=\"3\" count=\"ceil\" zero-below=\"50\" step-above=\"1\"\n"
    "       points-above=\"2\" cap=\"70\"><addition kind=\"新客户\" points=\"5\"/></kpi>\n"
    "  <kpi id=\"m\" type=\"deduct\" weight=\"60\"><item kind=\"迟到\" points=\"2\"/>"
    "<item kind=\"违规\" points=\"2\"/><item kind=\"无故缺席\" reverse=\"10\"/></kpi>\n"
    "</scheme>\n";
static const char *const SALES_EMP =
    "  <employee id=\"S%d\"><name>销售%d</name><kpis><category name=\"业绩\">\n"
    "    <kpi id=\"a1\"><indicator>销售任务</indicator><weight>40</weight>\n"
    "      <target value=\"%s\"/><actual value=\"%s\"/>%s<rule/>%s</kpi>\n"
    "    <kpi id=\"m\"><indicator>会议表现</indicator><weight>60</weight>%s<rule/>%s</kpi>\n"
    "  </category></kpis></employee>\n";

static void test_working(void **state)
{
    (void)state;
    sc_buf b = {0};
    sc_buf_printf(&b, HEAD, "");
    sc_buf_puts(&b, SALES_SCHEME);
    /* S1: 131.6 of 120 = 109.666…% -> 109.67%; 9 whole points above: +18;
     * 2 new customers: +10; 40 + 18 + 10 = 68 (cap 70).  会议: 迟到 1 = 60 - 2. */
    sc_buf_printf(&b, SALES_EMP, 1, 1, "120", "131.6",
                  "<counts><count kind=\"新客户\" n=\"2\"/></counts>", "",
                  "<counts><count kind=\"迟到\" n=\"1\"/></counts>", "");
    /* S2: 125% -> 40 + 50 = 90, no customer: capped at 70 (no penalty for
     * none: the addition is a pure bonus); 会议: 迟到 1 and 无故缺席 1:
     * 本项倒扣10分 = -10 whatever else; total 60. */
    sc_buf_printf(&b, SALES_EMP, 2, 2, "100", "125", "", "",
                  "<counts><count kind=\"迟到\" n=\"1\"/><count kind=\"无故缺席\" n=\"1\"/>"
                  "</counts>", "");
    /* S3: 91.3% is 8.7% short: 2 started steps of 5%: 40 - 6 = 34; 49.99% would
     * be 0 (zero-below 50); a given -10 on the 倒扣 row is accepted */
    sc_buf_printf(&b, SALES_EMP, 3, 3, "100", "91.3", "", "",
                  "<counts><count kind=\"无故缺席\" n=\"1\"/></counts>", "<score>-10</score>");
    /* S4: a given -11 is below what the rule can give */
    sc_buf_printf(&b, SALES_EMP, 4, 4, "100", "49.99", "", "",
                  "<counts><count kind=\"无故缺席\" n=\"1\"/></counts>", "<score>-11</score>");
    /* S5: 49.99% is below 50%: 0, zeroed */
    sc_buf_printf(&b, SALES_EMP, 5, 5, "100", "49.99", "", "", "", "");
    sc_buf_puts(&b, "</batch>\n");
    sc_record *recs[8];
    char msgs[8][512];
    diags d = {0};
    int n = run_batch("working.xml", b.data, recs, msgs, 8, &d);
    assert_int_equal(n, 5);
    for (int i = 0; i < 3; i++)
        if (!recs[i])
            print_error("S%d: %s\n", i + 1, msgs[i]);
    assert_non_null(recs[0]);
    ASSERT_XP(recs[0], "kpis/category/kpi[@id='a1']/@completion", "109.67");
    ASSERT_XP(recs[0], "kpis/category/kpi[@id='a1']/@steps-above", "9");
    ASSERT_XP(recs[0], "kpis/category/kpi[@id='a1']/@step-points", "18");
    ASSERT_XP(recs[0], "kpis/category/kpi[@id='a1']/counts/count/@points", "10");
    ASSERT_XP(recs[0], "kpis/category/kpi[@id='a1']/counts/count/@effect", "add");
    ASSERT_XP(recs[0], "kpis/category/kpi[@id='a1']/score", "68");
    ASSERT_XP(recs[0], "count(kpis/category/kpi[@id='a1']/@capped)", "0");
    ASSERT_XP(recs[0], "kpis/category/kpi[@id='m']/counts/count/@points", "2");
    ASSERT_XP(recs[0], "kpis/category/kpi[@id='m']/counts/count/@effect", "deduct");
    ASSERT_XP(recs[0], "total", "126");
    assert_non_null(recs[1]);
    ASSERT_XP(recs[1], "kpis/category/kpi[@id='a1']/score", "70");
    ASSERT_XP(recs[1], "kpis/category/kpi[@id='a1']/@capped", "1");
    ASSERT_XP(recs[1], "kpis/category/kpi[@id='a1']/@step-points", "50");
    ASSERT_XP(recs[1], "kpis/category/kpi[@id='m']/score", "-10");
    ASSERT_XP(recs[1], "kpis/category/kpi[@id='m']/@reversed", "1");
    ASSERT_XP(recs[1], "kpis/category/kpi[@id='m']/counts/count[@kind='无故缺席']/@points",
              "10");
    ASSERT_XP(recs[1], "kpis/category/kpi[@id='m']/counts/count[@kind='无故缺席']/@effect",
              "reverse");
    ASSERT_XP(recs[1], "kpis/category/@subtotal", "60");
    ASSERT_XP(recs[1], "total", "60");
    assert_non_null(recs[2]);
    ASSERT_XP(recs[2], "kpis/category/kpi[@id='a1']/@completion", "91.30");
    ASSERT_XP(recs[2], "kpis/category/kpi[@id='a1']/@steps-below", "2");
    ASSERT_XP(recs[2], "kpis/category/kpi[@id='a1']/@step-points", "6");
    ASSERT_XP(recs[2], "kpis/category/kpi[@id='a1']/score", "34");
    ASSERT_XP(recs[2], "total", "24");
    assert_null(recs[3]);
    assert_non_null(strstr(d.text.data, "score -11 is below -10, the lowest the rule gives"));
    assert_non_null(recs[4]);
    ASSERT_XP(recs[4], "kpis/category/kpi[@id='a1']/@zeroed", "1");
    ASSERT_XP(recs[4], "kpis/category/kpi[@id='a1']/score", "0");
    for (int i = 0; i < n; i++)
        sc_record_free(recs[i]);
    sc_buf_free(&b);
    sc_buf_free(&d.text);
}

/* 客服部KPI考核（多方评分, seed 001): every KPI rated by 本人 15%, 上级领导
 * 60%, 小组考核 25% in 百分制.  KF001 of examples/kefu-multirater-2026-10.xml:
 *   本人  95×25% + 92×20% + 90×20% + 94×20% + 96×15% = 93.35 (not 93.33, what
 *         14.00 × 100 / 15 gives back from the rounded subtotal)
 *   上级  93×25% + 90×20% + 88×20% + 92×20% + 94×15% = 91.35
 *   小组  92×25% + 90×20% + 91×20% + 93×20% + 95×15% = 92.05
 *   weighted 15% × 93.35 = 14.0025 -> 14.00; 60% × 91.35 = 54.81;
 *   25% × 92.05 = 23.0125 -> 23.01; composite = 14.00 + 54.81 + 23.01 = 91.82. */
static const char *const RATED_EMP =
    "  <employee id=\"R%d\"><name>评%d</name><kpis><category name=\"KPI\">\n"
    "%s"
    "  </category></kpis>\n"
    "  <raters><rater role=\"本人\" weight=\"15\"/><rater role=\"上级领导\" weight=\"60\"/>"
    "<rater role=\"小组考核\" weight=\"25\"%s/></raters>\n"
    "  <bonus base=\"2000.00\"/></employee>\n";
#define RKPI(id, w, a, b, c)                                                             \
    "    <kpi id=\"" id "\"><indicator>" id "</indicator><weight>" w "</weight>"         \
    "<ratings><rating role=\"本人\" score=\"" a "\"/><rating role=\"上级领导\" score=\"" b \
    "\"/><rating role=\"小组考核\" score=\"" c "\"/></ratings><rule/></kpi>\n"

static void test_rated(void **state)
{
    (void)state;
    const char *kf001 = RKPI("k1", "25", "95", "93", "92") RKPI("k2", "20", "92", "90", "90")
        RKPI("k3", "20", "90", "88", "91") RKPI("k4", "20", "94", "92", "93")
        RKPI("k5", "15", "96", "94", "95");
    sc_buf b = {0};
    sc_buf_printf(&b, HEAD, "");
    sc_buf_printf(&b, RATED_EMP, 1, 1, kf001, "");
    /* R2: a given rater score that the ratings do not give */
    sc_buf_printf(&b, RATED_EMP, 2, 2, kf001, " score=\"92\"");
    /* R3: a KPI without the 小组考核 rating, and one by someone else */
    sc_buf_printf(&b, RATED_EMP, 3, 3,
                  "    <kpi id=\"k1\"><indicator>k1</indicator><weight>100</weight><ratings>"
                  "<rating role=\"本人\" score=\"90\"/><rating role=\"上级领导\" score=\"90\"/>"
                  "<rating role=\"客户\" score=\"90\"/></ratings><rule/></kpi>\n", "");
    sc_buf_puts(&b, "</batch>\n");
    sc_record *recs[4];
    char msgs[4][512];
    diags d = {0};
    int n = run_batch("rated.xml", b.data, recs, msgs, 4, &d);
    assert_int_equal(n, 3);
    if (!recs[0])
        print_error("%s\n", d.text.data);
    assert_non_null(recs[0]);
    ASSERT_XP(recs[0], "raters/rater[@role='本人']/@score", "93.35");
    ASSERT_XP(recs[0], "raters/rater[@role='上级领导']/@score", "91.35");
    ASSERT_XP(recs[0], "raters/rater[@role='小组考核']/@score", "92.05");
    ASSERT_XP(recs[0], "raters/rater[@role='本人']/@weighted", "14");
    ASSERT_XP(recs[0], "raters/rater[@role='上级领导']/@weighted", "54.81");
    ASSERT_XP(recs[0], "raters/rater[@role='小组考核']/@weighted", "23.01");
    ASSERT_XP(recs[0], "raters/@composite", "91.82");
    ASSERT_XP(recs[0], "total", "91.82");
    ASSERT_XP(recs[0], "bonus/@amount", "1836.40");
    /* a rated KPI has no score of its own: nothing to add up wrongly */
    ASSERT_XP(recs[0], "count(kpis//kpi/score | kpis//kpi/@computed-score)", "0");
    assert_null(recs[1]);
    assert_non_null(strstr(msgs[1], "rater 小组考核's score 92 differs from the 92.05"));
    assert_null(recs[2]);
    assert_non_null(strstr(d.text.data, "KPI k1 has no rating by 小组考核"));
    assert_non_null(strstr(d.text.data, "rating by 客户, who is not one of the <raters>"));
    for (int i = 0; i < n; i++)
        sc_record_free(recs[i]);
    sc_buf_free(&b);
    sc_buf_free(&d.text);
}

/* A year sheet (period kind="year"): its bonus is 全年奖金, the sum of the
 * months; base × year total / 100 (2823.30 for DK001) is no figure at all. */
static void test_year_sheet(void **state)
{
    (void)state;
    static const char *const YHEAD =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<batch version=\"1\"><company>c</company><department>d</department>\n"
        "  <period kind=\"year\" year=\"2026\">2026年度</period>\n";
    static const char *const YEMP =
        "  <employee id=\"Y%d\"><name>年%d</name><kpis><category name=\"c\">"
        "<kpi id=\"y\"><indicator>年度</indicator><weight>100</weight><rule/>"
        "<score>94.11</score></kpi></category></kpis>\n"
        "  <bonus base=\"3000.00\"%s><month n=\"1\" score=\"95\"/>"
        "<month n=\"2\" score=\"88\" amount=\"2640.00\"/></bonus></employee>\n";
    sc_buf b = {0};
    sc_buf_puts(&b, YHEAD);
    sc_buf_printf(&b, YEMP, 1, 1, "");                        /* 2850.00 + 2640.00 */
    sc_buf_printf(&b, YEMP, 2, 2, " amount=\"5490.00\"");     /* stated and right */
    sc_buf_printf(&b, YEMP, 3, 3, " amount=\"2823.30\"");     /* the old wrong figure */
    sc_buf_puts(&b, "</batch>\n");
    sc_record *recs[4];
    char msgs[4][512];
    diags d = {0};
    assert_int_equal(run_batch("year.xml", b.data, recs, msgs, 4, &d), 3);
    assert_non_null(recs[0]);
    assert_string_equal(sc_record_get(recs[0], "bonus"), "5490.00");
    ASSERT_XP(recs[0], "bonus/@year-total", "5490.00");
    ASSERT_XP(recs[0], "count(bonus/@amount | result/@bonus)", "0");
    ASSERT_XP(recs[0], "bonus/month[1]/@amount", "2850.00");
    assert_non_null(recs[1]);
    assert_string_equal(sc_record_get(recs[1], "bonus"), "5490.00");
    assert_null(recs[2]);
    assert_non_null(strstr(msgs[2], "amount 2823.30 differs from the year's 全年奖金 5490.00"));
    for (int i = 0; i < 3; i++)
        sc_record_free(recs[i]);
    sc_buf_free(&b);
    sc_buf_free(&d.text);
}

/* Seed 003: 基础绩效（指标达标得100%）+ 超额奖（解决率、满意度每超额1%，奖金上浮2%）
 * + 创新奖 (建议被采纳，奖励N元). */
static void test_kpi_uplift_awards(void **state)
{
    (void)state;
    static const char *const USCHEME =
        "<scheme name=\"u\">\n"
        "  <kpi id=\"q3\" type=\"step\" weight=\"50\" target=\"85\" step-below=\"1\""
        " points-below=\"1.5\" count=\"linear\"/>\n"
        "  <kpi id=\"s2\" type=\"step\" weight=\"50\" target=\"95\" step-below=\"1\""
        " points-below=\"1\" count=\"linear\"/>\n"
        "  <bonus type=\"uplift\" threshold=\"100\" per=\"1\" rise=\"2\">"
        "<over kpi=\"q3\"/><over kpi=\"s2\"/></bonus>\n"
        "  <awards><award id=\"innovation\" name=\"创新奖\" amount=\"500\"/></awards>\n"
        "</scheme>\n";
    static const char *const UEMP =
        "  <employee id=\"U%d\"><name>客服%d</name><kpis><category name=\"c\">\n"
        "    <kpi id=\"q3\"><indicator>解决率</indicator><weight>50</weight>"
        "<actual value=\"%s\"/><rule/></kpi>\n"
        "    <kpi id=\"s2\"><indicator>满意度</indicator><weight>50</weight>"
        "<actual value=\"%s\"/><rule/></kpi>\n"
        "  </category></kpis>%s<bonus base=\"2000.00\"/>%s</employee>\n";
    sc_buf b = {0};
    sc_buf_printf(&b, HEAD, "");
    sc_buf_puts(&b, USCHEME);
    /* U1: 88% (3 over) and 96.5% (1.5 over: 1 whole step): 4 steps = +8%;
     * total 100: 2000 × 108% = 2160.00; 创新奖 1 × 500 */
    sc_buf_printf(&b, UEMP, 1, 1, "88", "96.5", "", "<awards><award id=\"innovation\" n=\"1\" "
                  "reason=\"工单分级流程建议被采纳\"/></awards>");
    /* U2: 80% (5 short: 50 - 7.5 = 42.5) and 97% (2 over): total 92.5 ->
     * base part 92.5%, + 2 × 2% = 96.5% of 2000 = 1930.00 */
    sc_buf_printf(&b, UEMP, 2, 2, "80", "97", "", "");
    /* U3: an award the scheme does not know */
    sc_buf_printf(&b, UEMP, 3, 3, "85", "95", "", "<awards><award id=\"star\" n=\"1\" "
                  "reason=\"x\"/></awards>");
    sc_buf_puts(&b, "</batch>\n");
    sc_record *recs[4];
    char msgs[4][512];
    diags d = {0};
    assert_int_equal(run_batch("uplift.xml", b.data, recs, msgs, 4, &d), 3);
    if (!recs[0] || !recs[1])
        print_error("%s\n", d.text.data);
    assert_non_null(recs[0]);
    ASSERT_XP(recs[0], "kpis//kpi[@id='q3']/@excess", "3");
    ASSERT_XP(recs[0], "kpis//kpi[@id='s2']/@excess", "1.5");
    ASSERT_XP(recs[0], "bonus/@uplift", "8");
    ASSERT_XP(recs[0], "bonus/@amount", "2160.00");
    ASSERT_XP(recs[0], "awards/award/@amount", "500.00");
    ASSERT_XP(recs[0], "awards/award/@name", "创新奖");
    ASSERT_XP(recs[0], "result/@awards", "500.00");
    assert_non_null(recs[1]);
    ASSERT_XP(recs[1], "total", "92.5");
    ASSERT_XP(recs[1], "bonus/@uplift", "4");
    ASSERT_XP(recs[1], "bonus/@amount", "1930.00");
    assert_null(recs[2]);
    assert_non_null(strstr(msgs[2], "award \"star\" is not one of the scheme's <awards>"));
    for (int i = 0; i < 3; i++)
        sc_record_free(recs[i]);
    sc_buf_free(&b);
    sc_buf_free(&d.text);
}

/* 连续3个月综合排名前三名 500/300/200 元, ties each receive it (seed 001).
 * Sums: E1 95+96+90.8 = 281.8, E2 284, E3 281.8, E4 270, E5 only 2 months.
 * Ranks: E2 1, E1 and E3 2 (tied), E4 4: E2 500, E1 300, E3 300, E4 0. */
static void test_ranking_table(void **state)
{
    (void)state;
    static const char *const RSCHEME =
        "<scheme name=\"r\"><kpi id=\"k\" type=\"given\" weight=\"100\"/>"
        "<rank-award months=\"3\"><award rank=\"1\" amount=\"500\"/>"
        "<award rank=\"2\" amount=\"300\"/><award rank=\"3\" amount=\"200\"/></rank-award>"
        "</scheme>\n"
        "<ranking months=\"3\">\n"
        "  <entry id=\"E1\" scores=\"95 96 90.8\"/>\n"
        "  <entry id=\"E2\" scores=\"96 94 94\"/>\n"
        "  <entry id=\"E3\" scores=\"90.8 96 95\"/>\n"
        "  <entry id=\"E4\" scores=\"90 90 90\"/>\n"
        "</ranking>\n";
    static const char *const REMP =
        "  <employee id=\"E%d\"><name>员%d</name><kpis><category name=\"c\"><kpi id=\"k\">"
        "<indicator>k</indicator><weight>100</weight><rule/><score>%s</score></kpi>"
        "</category></kpis></employee>\n";
    sc_buf b = {0};
    sc_buf_printf(&b, HEAD, "");
    sc_buf_puts(&b, RSCHEME);
    sc_buf_printf(&b, REMP, 1, 1, "90.8");
    sc_buf_printf(&b, REMP, 2, 2, "94");
    sc_buf_printf(&b, REMP, 3, 3, "95");
    sc_buf_printf(&b, REMP, 4, 4, "91"); /* the table says 90 for this month */
    sc_buf_printf(&b, REMP, 5, 5, "99"); /* not in the table */
    sc_buf_puts(&b, "</batch>\n");
    sc_record *recs[8];
    char msgs[8][512];
    diags d = {0};
    assert_int_equal(run_batch("ranking.xml", b.data, recs, msgs, 8, &d), 5);
    for (int i = 0; i < 3; i++)
        if (!recs[i])
            print_error("E%d: %s\n", i + 1, msgs[i]);
    assert_non_null(recs[0]);
    ASSERT_XP(recs[0], "ranking/@rank", "2");
    ASSERT_XP(recs[0], "ranking/@ranked", "4");
    ASSERT_XP(recs[0], "ranking/@sum", "281.8");
    ASSERT_XP(recs[0], "ranking/@award", "300.00");
    ASSERT_XP(recs[0], "result/@rank-award", "300.00");
    ASSERT_XP(recs[0], "concat(ranking/month[1]/@year, '-', ranking/month[1]/@n, ' ', "
                       "ranking/month[1]/@score)", "2026-8 95");
    ASSERT_XP(recs[0], "ranking/month[3]/@n", "10");
    /* private: no other employee's line reaches this record */
    ASSERT_XP(recs[0], "count(//entry | /batch/ranking)", "0");
    assert_non_null(recs[1]);
    ASSERT_XP(recs[1], "ranking/@rank", "1");
    ASSERT_XP(recs[1], "ranking/@award", "500.00");
    assert_non_null(recs[2]);
    ASSERT_XP(recs[2], "ranking/@rank", "2");
    ASSERT_XP(recs[2], "ranking/@award", "300.00");
    assert_null(recs[3]);
    assert_non_null(strstr(msgs[3], "gives E4 90 for this period, but the computed total is 91"));
    assert_non_null(recs[4]);
    ASSERT_XP(recs[4], "count(ranking/@rank)", "0");
    ASSERT_XP(recs[4], "ranking/@ranked", "4");
    for (int i = 0; i < 5; i++)
        sc_record_free(recs[i]);
    sc_buf_free(&b);
    sc_buf_free(&d.text);
}

static void test_examples(void **state)
{
    (void)state;
    const char *dir = getenv("SC_SOURCE_DIR");
    if (!dir || !dir[0])
        dir = SC_SOURCE_DIR;
    const char *files[] = {"examples/kefu-2026-10.xml", "examples/dakehu-2026-10.xml",
                           "examples/kefu-2026-10-gbk.xml",
                           "examples/dakehu-2026-q3-bonus.xml",
                           "examples/kefu-position-2026-10.xml"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        diags d = {0};
        sc_error err;
        sc_reader *r = NULL;
        assert_int_equal(sc_reader_open(&r, path, on_diag, &d, &err), SC_OK);
        sc_record *rec = NULL;
        int n = 0;
        sc_status st;
        while ((st = sc_reader_next(r, &rec, &err)) == SC_OK) {
            assert_string_not_equal(sc_record_get(rec, "total"), "");
            assert_string_not_equal(sc_record_get(rec, "grade"), "");
            assert_string_not_equal(sc_record_get(rec, "bonus"), "");
            sc_record_free(rec);
            n++;
        }
        if (st != SC_END)
            print_error("%s", d.text.data ? d.text.data : err.message);
        assert_int_equal(st, SC_END);
        assert_true(n > 0);
        sc_reader_free(r);
        sc_buf_free(&d.text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),          cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_money),          cmocka_unit_test(test_ranking),
        cmocka_unit_test(test_quarters),       cmocka_unit_test(test_batch_computes),
        cmocka_unit_test(test_batch_mismatch), cmocka_unit_test(test_scheme_file),
        cmocka_unit_test(test_scheme_problems), cmocka_unit_test(test_quarter_statement),
        cmocka_unit_test(test_working),       cmocka_unit_test(test_rated),
        cmocka_unit_test(test_year_sheet),     cmocka_unit_test(test_kpi_uplift_awards),
        cmocka_unit_test(test_ranking_table),  cmocka_unit_test(test_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
