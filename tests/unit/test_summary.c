/* test_summary.c -- the department summary's own figures: ranks with ties,
 * averages rounded once, the forced distribution at its boundaries, the
 * ranking award as the engine wrote it on each record, failed records
 * counted nowhere, and the orders of --sort. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *grades_xml =
    "<grades><grade name=\"优秀\" min=\"90\" max-share=\"20\"/><grade name=\"良好\" min=\"80\"/>"
    "<grade name=\"合格\" min=\"70\"/><grade name=\"待改进\" min-share=\"20\"/></grades>";

/* A record as the reader makes it: header, scheme, one employee (with
 * `extra` inside it, e.g. the engine's <ranking>). */
static sc_record *rec(const char *id, const char *name, const char *total, const char *grade,
                      const char *bonus, const char *extra)
{
    char xml[2048];
    snprintf(xml, sizeof xml,
             "<batch version=\"1\"><company>华东云联</company><department>客户服务部</department>"
             "<period kind=\"month\" year=\"2026\" month=\"10\">2026年10月</period>"
             "<scheme name=\"t\" version=\"1\">%s</scheme><employee id=\"%s\">%s</employee></batch>",
             grades_xml, id, extra ? extra : "");
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "t.xml", "UTF-8", XML_PARSE_NONET);
    assert_non_null(doc);
    sc_record *r = sc_calloc(1, sizeof *r);
    r->doc = doc;
    r->employee = sc_xml_child(xmlDocGetRootElement(doc), "employee");
    r->file = sc_strdup("t.xml");
    r->id = sc_strdup(id);
    r->name = sc_strdup(name);
    r->department = sc_strdup("客户服务部");
    r->position = sc_strdup("客服专员");
    r->period = sc_strdup("2026-10");
    r->email = sc_strdup("");
    r->superior = sc_strdup("");
    r->evaluator = sc_strdup("李建国");
    r->total = sc_strdup(total);
    r->grade = sc_strdup(grade);
    r->bonus = sc_strdup(bonus);
    char label[128];
    snprintf(label, sizeof label, "%s %s", id, name);
    r->label = sc_strdup(label);
    return r;
}

static void add(sc_summary *s, const char *id, const char *name, const char *total,
                const char *grade, const char *bonus, const char *extra)
{
    sc_record *r = rec(id, name, total, grade, bonus, extra);
    sc_error err;
    assert_int_equal(sc_summary_add(s, 0, r, &err), SC_OK);
    sc_record_free(r);
}

/* The string value of an XPath over the summary document. */
static char *xp(const sc_record *r, const char *expr)
{
    xmlXPathContextPtr c = xmlXPathNewContext(r->doc);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, c);
    assert_non_null(o);
    xmlChar *v = xmlXPathCastToString(o);
    char *out = strdup((const char *)v);
    xmlFree(v);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(c);
    return out;
}

#define ASSERT_XP(r, expr, want)                                                          \
    do {                                                                                  \
        char *got_ = xp(r, expr);                                                         \
        if (strcmp(got_, want))                                                           \
            fprintf(stderr, "%s: got \"%s\", want \"%s\"\n", expr, got_, want);           \
        assert_string_equal(got_, want);                                                  \
        free(got_);                                                                       \
    } while (0)

static int notes;
static void count_note(void *ud, const char *msg)
{
    (void)ud;
    (void)msg;
    notes++;
}

static sc_record *summary_of(sc_summary *s, int sort)
{
    sc_summary_view v = {-1, sort, NULL, NULL, NULL, NULL, count_note, NULL};
    sc_record *out = NULL;
    sc_error err;
    assert_int_equal(sc_summary_record(s, &v, &out, &err), SC_OK);
    return out;
}

static void test_ranks_share_ties_and_sums_are_exact(void **state)
{
    (void)state;
    sc_summary *s = sc_summary_new();
    add(s, "A", "甲", "95.00", "优秀", "1900.00", NULL);
    add(s, "B", "乙", "88.00", "良好", "1760.01", NULL);
    add(s, "C", "丙", "95.00", "优秀", "1900.00", NULL);
    add(s, "D", "丁", "88.00", "良好", "1760.00", NULL);
    add(s, "E", "戊", "76.13", "合格", "1522.60", NULL);
    sc_record *r = summary_of(s, SC_SORT_DATA);
    /* competition ranking: 95 95 88 88 76.13 -> 1 1 3 3 5 */
    ASSERT_XP(r, "string(/batch/summary/row[@id='A']/@rank)", "1");
    ASSERT_XP(r, "string(/batch/summary/row[@id='C']/@rank)", "1");
    ASSERT_XP(r, "string(/batch/summary/row[@id='B']/@rank)", "3");
    ASSERT_XP(r, "string(/batch/summary/row[@id='D']/@rank)", "3");
    ASSERT_XP(r, "string(/batch/summary/row[@id='E']/@rank)", "5");
    /* 442.13 / 5 = 88.426 -> 88.43; 8842.61 / 5 = 1768.522 -> 1768.52 */
    ASSERT_XP(r, "string(/batch/summary/@total-sum)", "442.13");
    ASSERT_XP(r, "string(/batch/summary/@total-average)", "88.43");
    ASSERT_XP(r, "string(/batch/summary/@bonus-sum)", "8842.61");
    ASSERT_XP(r, "string(/batch/summary/@bonus-average)", "1768.52");
    /* the header is the first record's, no employee in it */
    ASSERT_XP(r, "string(/batch/company)", "华东云联");
    ASSERT_XP(r, "count(/batch/employee | /batch/scheme)", "0");
    sc_record_free(r);
    sc_summary_free(s);
}

static void test_average_rounds_half_away_once(void **state)
{
    (void)state;
    sc_summary *s = sc_summary_new();
    add(s, "A", "甲", "87.12", "良好", "0.01", NULL);
    add(s, "B", "乙", "87.13", "良好", "0.02", NULL);
    sc_record *r = summary_of(s, SC_SORT_DATA);
    ASSERT_XP(r, "string(/batch/summary/@total-average)", "87.13"); /* 87.125 */
    ASSERT_XP(r, "string(/batch/summary/@bonus-average)", "0.02");  /* 0.015 */
    sc_record_free(r);
    sc_summary_free(s);
}

/* 优秀 at most 20%: 1 of 5 is exactly 20% and keeps it; 2 of 5 does not.
 * 待改进 at least 20%: 1 of 5 keeps it, 0 of 5 does not. */
static void test_forced_distribution_at_its_boundary(void **state)
{
    (void)state;
    sc_summary *s = sc_summary_new();
    add(s, "A", "甲", "95.00", "优秀", "", NULL);
    add(s, "B", "乙", "85.00", "良好", "", NULL);
    add(s, "C", "丙", "85.00", "良好", "", NULL);
    add(s, "D", "丁", "75.00", "合格", "", NULL);
    add(s, "E", "戊", "60.00", "待改进", "", NULL);
    notes = 0;
    sc_record *r = summary_of(s, SC_SORT_DATA);
    ASSERT_XP(r, "string(//grade[@name='优秀']/@exceeded)", "false");
    ASSERT_XP(r, "string(//grade[@name='优秀']/@percent)", "20.0");
    ASSERT_XP(r, "string(//grade[@name='优秀']/@max-share)", "20");
    ASSERT_XP(r, "string(//grade[@name='待改进']/@short)", "false");
    ASSERT_XP(r, "count(//grade[@name='良好']/@exceeded)", "0");
    assert_int_equal(notes, 0);
    sc_record_free(r);
    sc_summary_free(s);

    s = sc_summary_new();
    add(s, "A", "甲", "95.00", "优秀", "", NULL);
    add(s, "B", "乙", "91.00", "优秀", "", NULL);
    add(s, "C", "丙", "85.00", "良好", "", NULL);
    add(s, "D", "丁", "75.00", "合格", "", NULL);
    add(s, "E", "戊", "75.00", "合格", "", NULL);
    notes = 0;
    r = summary_of(s, SC_SORT_DATA);
    ASSERT_XP(r, "string(//grade[@name='优秀']/@exceeded)", "true");
    ASSERT_XP(r, "string(//grade[@name='待改进']/@short)", "true");
    ASSERT_XP(r, "string(//grade[@name='待改进']/@count)", "0");
    assert_int_equal(notes, 2);
    sc_record_free(r);
    sc_summary_free(s);
}

/* A record that failed is an error row, counted in no sum, share or rank. */
static void test_failed_records_count_nowhere(void **state)
{
    (void)state;
    sc_summary *s = sc_summary_new();
    add(s, "A", "甲", "95.00", "优秀", "1000.00", NULL);
    sc_error why = {0};
    why.code = SC_ERR_DATA;
    snprintf(why.message, sizeof why.message, "the KPI weights sum to 90, not 100");
    snprintf(why.field, sizeof why.field, "kpis");
    sc_error err;
    assert_int_equal(sc_summary_add_failed(s, 0, NULL, "B 乙", &why, &err), SC_OK);
    add(s, "C", "丙", "85.00", "良好", "1000.00", NULL);
    sc_record *r = summary_of(s, SC_SORT_TOTAL);
    ASSERT_XP(r, "string(/batch/summary/@employees)", "3");
    ASSERT_XP(r, "string(/batch/summary/@counted)", "2");
    ASSERT_XP(r, "string(/batch/summary/@errors)", "1");
    ASSERT_XP(r, "string(/batch/summary/@total-average)", "90.00");
    ASSERT_XP(r, "string(/batch/summary/error/@id)", "B");
    ASSERT_XP(r, "string(/batch/summary/error/@name)", "乙");
    ASSERT_XP(r, "string(/batch/summary/error/@message)", "the KPI weights sum to 90, not 100");
    ASSERT_XP(r, "count(/batch/summary/row)", "2");
    ASSERT_XP(r, "string(//grades/@counted)", "2");
    ASSERT_XP(r, "string(/batch/summary/row[@id='C']/@rank)", "2");
    sc_record_free(r);
    sc_summary_free(s);
}

/* The ranking award is the engine's (each record's <ranking>): ties
 * share it, and the summary sums what was awarded. */
static void test_ranking_award_from_the_records(void **state)
{
    (void)state;
    sc_summary *s = sc_summary_new();
    add(s, "A", "甲", "91.82", "优秀", "",
        "<ranking months=\"3\" ranked=\"4\" sum=\"275.52\" rank=\"3\" award=\"200.00\"/>");
    add(s, "B", "乙", "97.13", "优秀", "",
        "<ranking months=\"3\" ranked=\"4\" sum=\"288.23\" rank=\"1\" award=\"500.00\"/>");
    add(s, "C", "丙", "97.13", "优秀", "",
        "<ranking months=\"3\" ranked=\"4\" sum=\"288.23\" rank=\"1\" award=\"500.00\"/>");
    add(s, "D", "丁", "80.00", "良好", "",
        "<ranking months=\"3\" ranked=\"4\" sum=\"240.00\" rank=\"4\" award=\"0.00\"/>");
    add(s, "E", "戊", "80.00", "良好", "", "<ranking months=\"3\" ranked=\"4\"/>");
    sc_record *r = summary_of(s, SC_SORT_DATA);
    ASSERT_XP(r, "string(/batch/summary/rank-award/@months)", "3");
    ASSERT_XP(r, "string(/batch/summary/rank-award/@winners)", "3");
    ASSERT_XP(r, "string(/batch/summary/rank-award/@total)", "1200.00");
    /* by award rank, ties in the data's order */
    ASSERT_XP(r, "string(/batch/summary/rank-award/winner[1]/@id)", "B");
    ASSERT_XP(r, "string(/batch/summary/rank-award/winner[2]/@id)", "C");
    ASSERT_XP(r, "string(/batch/summary/rank-award/winner[3]/@id)", "A");
    ASSERT_XP(r, "string(/batch/summary/rank-award/winner[3]/@sum)", "275.52");
    ASSERT_XP(r, "count(/batch/summary/row[@id='E']/@award)", "0");
    sc_record_free(r);
    sc_summary_free(s);

    /* without the months, no award section at all */
    s = sc_summary_new();
    add(s, "A", "甲", "91.82", "优秀", "", NULL);
    r = summary_of(s, SC_SORT_DATA);
    ASSERT_XP(r, "count(/batch/summary/rank-award)", "0");
    sc_record_free(r);
    sc_summary_free(s);
}

static void order_is(sc_summary *s, int sort, const char *want)
{
    int *v = NULL, n = 0;
    sc_error err;
    assert_int_equal(sc_summary_order(s, -1, sort, &v, &n, &err), SC_OK);
    char got[256] = "";
    for (int i = 0; i < n; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%d", i ? " " : "", v[i]);
    if (strcmp(got, want))
        fprintf(stderr, "sort %d: got %s, want %s\n", sort, got, want);
    assert_string_equal(got, want);
    sc_free(v);
}

static void test_sort_orders(void **state)
{
    (void)state;
    sc_summary *s = sc_summary_new();
    add(s, "KF10", "张三", "80.00", "良好", "", NULL);  /* 0 */
    add(s, "KF2", "阿明", "95.00", "优秀", "", NULL);   /* 1 */
    add(s, "KF1", "李四", "70.00", "合格", "", NULL);   /* 2 */
    add(s, "KF3", "王五", "80.00", "良好", "", NULL);   /* 3 */
    add(s, "KF11", "欧阳", "", "", "", NULL);           /* 4: no figures */
    order_is(s, SC_SORT_DATA, "0 1 2 3 4");
    order_is(s, SC_SORT_ID, "2 1 3 0 4");      /* KF1 KF2 KF3 KF10 KF11 */
    order_is(s, SC_SORT_NAME, "1 2 4 3 0");    /* a li ou wang zhang (pinyin) */
    order_is(s, SC_SORT_TOTAL, "1 3 0 2 4");   /* 95, 80 (KF3 before KF10), 70, none */
    order_is(s, SC_SORT_GRADE, "1 3 0 2 4");   /* 优秀 良好 良好 合格, ungraded */
    sc_summary_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranks_share_ties_and_sums_are_exact),
        cmocka_unit_test(test_average_rounds_half_away_once),
        cmocka_unit_test(test_forced_distribution_at_its_boundary),
        cmocka_unit_test(test_failed_records_count_nowhere),
        cmocka_unit_test(test_ranking_award_from_the_records),
        cmocka_unit_test(test_sort_orders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
