/* test_data.c -- the batch reader: records, encodings, checks, security,
 * file names. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "internal.h"

#include <iconv.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------ */

static const char *srcdir(void)
{
    const char *d = getenv("SC_SOURCE_DIR");
    return d && d[0] ? d : SC_SOURCE_DIR;
}

static void src_path(char *out, size_t n, const char *rel)
{
    snprintf(out, n, "%s/%s", srcdir(), rel);
}

/* Collects every diagnostic as one text blob plus a count. */
typedef struct diags {
    int count;
    sc_buf text;
    sc_error first;
} diags;

static void on_diag(void *ud, const sc_error *e)
{
    diags *d = ud;
    if (d->count++ == 0)
        d->first = *e;
    sc_buf_printf(&d->text, "%s:%d:%d: %s [%s|%s]\n", e->file, e->line, e->column,
                  e->message, e->employee, e->field);
}

static char *tmp_file(const char *tag, const void *bytes, size_t n)
{
    char *path = malloc(256);
    assert_non_null(path);
    snprintf(path, 256, "/tmp/sc_test_data_%ld_%s.xml", (long)getpid(), tag);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
    return path;
}

static char *tmp_text(const char *tag, const char *s) { return tmp_file(tag, s, strlen(s)); }

static void drop(char *path)
{
    unlink(path);
    free(path);
}

/* Convert UTF-8 to `enc` with iconv; caller frees. */
static char *to_enc(const char *s, const char *enc, size_t *outlen)
{
    iconv_t cd = iconv_open(enc, "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t il = strlen(s), ol = il * 2 + 16;
    char *out = malloc(ol), *op = out;
    char *ip = (char *)s;
    size_t cap = ol;
    assert_int_not_equal(iconv(cd, &ip, &il, &op, &ol), (size_t)-1);
    iconv_close(cd);
    *outlen = cap - ol;
    return out;
}

#define HEAD(enc)                                                               \
    "<?xml version=\"1.0\" encoding=\"" enc "\"?>\n"                           \
    "<batch version=\"1\" template=\"kefu-monthly\" status=\"final\">\n"     \
    "  <company>華東雲聯科技有限公司</company>\n"                          \
    "  <department>客戶服務部</department>\n"                               \
    "  <period kind=\"month\" year=\"2026\" month=\"10\">2026年10月</period>\n"

/* One employee; w1+w2 are the two KPI weights, s1 the first score (the
 * second scores its full weight). */
static void add_employee(sc_buf *b, const char *id, const char *name,
                         const char *w1, const char *w2, const char *s1)
{
    sc_buf_printf(b,
                  "  <employee id=\"%s\">\n"
                  "    <name>%s</name>\n"
                  "    <position>客服專員</position>\n"
                  "    <kpis>\n"
                  "      <category name=\"定量指標\">\n"
                  "        <kpi id=\"q1\">\n"
                  "          <indicator>首次響應時間</indicator>\n"
                  "          <weight>%s</weight>\n"
                  "          <rule>在線客服不超過30秒得滿分；每超出5秒扣3分。</rule>\n"
                  "          <score>%s</score>\n"
                  "        </kpi>\n"
                  "        <kpi id=\"q2\">\n"
                  "          <indicator>問題解決率</indicator>\n"
                  "          <weight>%s</weight>\n"
                  "          <rule>即時解決占比達到85%%得滿分。</rule>\n"
                  "          <score>%s</score>\n"
                  "        </kpi>\n"
                  "      </category>\n"
                  "    </kpis>\n"
                  "  </employee>\n",
                  id, name, w1, s1, w2, w2);
}

typedef struct got {
    int ok, bad;
    sc_status codes[16];
    char ids[16][32];
} got;

/* Read all records of path; every record's status in order. */
static sc_status read_all(const char *path, got *g, diags *d, sc_error *err)
{
    memset(g, 0, sizeof *g);
    sc_reader *r = NULL;
    sc_status st = sc_reader_open(&r, path, on_diag, d, err);
    if (st != SC_OK)
        return st;
    for (int i = 0; i < 16; i++) {
        sc_record *rec = (sc_record *)0x1;
        st = sc_reader_next(r, &rec, err);
        if (st == SC_END)
            break;
        g->codes[g->ok + g->bad] = st;
        if (st == SC_OK) {
            assert_non_null(rec);
            snprintf(g->ids[g->ok + g->bad], 32, "%s", sc_record_get(rec, "id"));
            g->ok++;
            sc_record_free(rec);
        } else {
            assert_null(rec);
            g->bad++;
        }
    }
    sc_reader_free(r);
    return SC_OK;
}

/* ---- tests --------------------------------------------------------------- */

static void test_basic(void **state)
{
    (void)state;
    char path[1024];
    src_path(path, sizeof path, "tests/cases/basic/data.xml");
    diags d = {0};
    sc_error err;
    sc_reader *r = NULL;
    assert_int_equal(sc_reader_open(&r, path, on_diag, &d, &err), SC_OK);
    assert_string_equal(sc_reader_template(r), "kefu-monthly");
    sc_record *rec = NULL;
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_OK);
    assert_string_equal(sc_record_get(rec, "id"), "KF001");
    assert_string_equal(sc_record_get(rec, "name"), "张晓明");
    assert_string_equal(sc_record_get(rec, "department"), "客户服务部");
    assert_string_equal(sc_record_get(rec, "position"), "客服专员");
    assert_string_equal(sc_record_get(rec, "period"), "2026-10");
    assert_string_equal(sc_record_get(rec, "email"), "zhangxm@example.com");
    assert_null(sc_record_get(rec, "salary"));
    assert_string_equal(rec->label, "KF001 张晓明");
    assert_int_equal(rec->line, 9);
    /* The record document: <batch> with header copies and one employee,
     * lines as in the source. */
    xmlNodePtr root = xmlDocGetRootElement(rec->doc);
    assert_string_equal((const char *)root->name, "batch");
    xmlChar *v = xmlGetProp(root, (const xmlChar *)"status");
    assert_string_equal((const char *)v, "final");
    xmlFree(v);
    int employees = 0, company_line = 0;
    for (xmlNodePtr c = root->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!strcmp((const char *)c->name, "employee"))
            employees++;
        if (!strcmp((const char *)c->name, "company"))
            company_line = (int)xmlGetLineNo(c);
    }
    assert_int_equal(employees, 1);
    assert_int_equal(company_line, 4);
    assert_ptr_equal(rec->employee->parent, root);
    assert_int_equal(xmlGetLineNo(rec->employee), 9);
    sc_record_free(rec);
    rec = (sc_record *)0x1;
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_END);
    assert_null(rec);
    sc_reader_free(r);
    assert_int_equal(d.count, 0);
    sc_buf_free(&d.text);
}

/* A KPI catalogue's 指标定义/公式 and 考核周期 (issue 5): accepted after
 * <rule> in that order, refused out of order; the shipped catalogue reads. */
static void test_catalogue_fields(void **state)
{
    (void)state;
    static const char *const fmt =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<batch version=\"1\"><company>华东云联</company><department>客户服务部</department>\n"
        "<period kind=\"month\" year=\"2026\" month=\"10\">2026年10月</period>\n"
        "<employee id=\"FB1\"><name>宁波分部</name><kpis><category name=\"指标\">\n"
        "<kpi id=\"c1\"><indicator>客户回访率</indicator><weight>100</weight><rule></rule>\n"
        "%s<source>客服部</source><score>90</score></kpi>\n"
        "</category></kpis></employee>\n</batch>\n";
    const char *good = "<definition>实际回访客户数 ÷ 计划回访客户数 × 100%</definition>"
                       "<cycle>月/季/年度</cycle>";
    const char *bad = "<cycle>月度</cycle><definition>x</definition>";
    for (int k = 0; k < 2; k++) {
        sc_buf b = {0};
        sc_buf_printf(&b, fmt, k ? bad : good);
        char *path = tmp_text("catalogue", b.data);
        got g;
        diags d = {0};
        sc_error err;
        assert_int_equal(read_all(path, &g, &d, &err), SC_OK);
        assert_int_equal(g.ok, k ? 0 : 1);
        assert_int_equal(g.bad, k ? 1 : 0);
        if (k)
            assert_non_null(strstr(d.text.data, "definition"));
        drop(path);
        sc_buf_free(&b);
        sc_buf_free(&d.text);
    }
    char path[1024];
    src_path(path, sizeof path, "examples/kefu-kpi-catalogue-2026-10.xml");
    got g;
    diags d = {0};
    sc_error err;
    assert_int_equal(read_all(path, &g, &d, &err), SC_OK);
    assert_int_equal(g.ok, 3);
    assert_int_equal(g.bad, 0);
    sc_buf_free(&d.text);
}

static void test_examples(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        int count;
        const char *position;
        const char *template_name;
    } ex[] = {
        /* a department batch: 9 客服专员 on the batch's form, 3 大客户经理
         * naming their own (employee/@template, @scheme) */
        {"examples/kefu-2026-10.xml", 12, "客服专员", "kefu-monthly"},
        {"examples/kefu-2026-10-gbk.xml", 2, "客服专员", "kefu-monthly"},
        {"examples/dakehu-2026-10.xml", 5, "大客户经理", "dakehu-manager-monthly"},
    };
    for (size_t i = 0; i < sizeof ex / sizeof *ex; i++) {
        char path[1024];
        src_path(path, sizeof path, ex[i].file);
        diags d = {0};
        sc_error err;
        sc_reader *r = NULL;
        assert_int_equal(sc_reader_open(&r, path, on_diag, &d, &err), SC_OK);
        assert_string_equal(sc_reader_template(r), ex[i].template_name);
        int n = 0;
        sc_record *rec;
        sc_status st;
        while ((st = sc_reader_next(r, &rec, &err)) == SC_OK) {
            const char *own = sc_record_get(rec, "template");
            if (own[0]) {
                assert_string_equal(own, "dakehu-manager-monthly");
                assert_string_equal(sc_record_get(rec, "position"), "大客户经理");
                /* scored by its own scheme: the 大客户经理 rules give 133.00
                 * (销售任务 68 with two new customers, as in dakehu-2026-10) */
                if (!strcmp(sc_record_get(rec, "id"), "DK001"))
                    assert_string_equal(sc_record_get(rec, "total"), "133.00");
            } else {
                assert_string_equal(sc_record_get(rec, "position"), ex[i].position);
            }
            assert_string_equal(sc_record_get(rec, "period"), "2026-10");
            n++;
            sc_record_free(rec);
        }
        if (st != SC_END || d.count)
            fprintf(stderr, "%s: %s\n%s", ex[i].file, err.message,
                    d.text.data ? d.text.data : "");
        assert_int_equal(st, SC_END);
        assert_int_equal(n, ex[i].count);
        assert_int_equal(d.count, 0);
        sc_reader_free(r);
        sc_buf_free(&d.text);
    }
}

/* The GBK example reads to the right UTF-8. */
static void test_gbk_example(void **state)
{
    (void)state;
    char path[1024];
    src_path(path, sizeof path, "examples/kefu-2026-10-gbk.xml");
    sc_error err;
    sc_reader *r = NULL;
    assert_int_equal(sc_reader_open(&r, path, NULL, NULL, &err), SC_OK);
    sc_record *rec;
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_OK);
    assert_string_equal(sc_record_get(rec, "name"), "郑凯文");
    assert_string_equal(sc_record_get(rec, "department"), "客户服务部夜班组");
    xmlNodePtr root = xmlDocGetRootElement(rec->doc);
    char *company = NULL;
    for (xmlNodePtr c = root->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "company"))
            company = (char *)xmlNodeGetContent(c);
    assert_non_null(company);
    assert_string_equal(company, "华东云联科技有限公司");
    xmlFree(company);
    sc_record_free(rec);
    sc_reader_free(r);
}

/* The same batch in UTF-8, GBK, GB18030 and Big5 gives the same strings. */
static void test_encodings_same_strings(void **state)
{
    (void)state;
    static const char *const encs[] = {"GBK", "GB18030", "BIG5"};
    sc_buf utf8 = {0};
    sc_buf_puts(&utf8, HEAD("UTF-8"));
    add_employee(&utf8, "KF002", "陳志偉", "40", "60", "38.5");
    add_employee(&utf8, "KF003", "黃麗華", "40", "60", "40");
    sc_buf_puts(&utf8, "</batch>\n");
    char *upath = tmp_text("utf8", utf8.data);
    for (size_t i = 0; i < sizeof encs / sizeof *encs; i++) {
        /* same text, declaration changed, bytes converted */
        char *decl = strstr(utf8.data, "UTF-8");
        sc_buf other = {0};
        sc_buf_append(&other, utf8.data, (size_t)(decl - utf8.data));
        sc_buf_puts(&other, encs[i]);
        sc_buf_puts(&other, decl + 5);
        size_t n;
        char *bytes = to_enc(other.data, encs[i], &n);
        assert_int_not_equal(memcmp(bytes, other.data, n < other.len ? n : other.len), 0);
        char *epath = tmp_file(encs[i], bytes, n);

        sc_reader *a = NULL, *b = NULL;
        sc_error err;
        assert_int_equal(sc_reader_open(&a, upath, NULL, NULL, &err), SC_OK);
        sc_status st = sc_reader_open(&b, epath, NULL, NULL, &err);
        if (st != SC_OK)
            fprintf(stderr, "%s: %s\n", encs[i], err.message);
        assert_int_equal(st, SC_OK);
        for (int k = 0; k < 2; k++) {
            sc_record *ra, *rb;
            assert_int_equal(sc_reader_next(a, &ra, &err), SC_OK);
            assert_int_equal(sc_reader_next(b, &rb, &err), SC_OK);
            assert_string_equal(sc_record_get(ra, "name"), sc_record_get(rb, "name"));
            assert_string_equal(sc_record_get(rb, "department"), "客戶服務部");
            xmlChar *ta = xmlNodeGetContent(rb->employee);
            xmlChar *tb = xmlNodeGetContent(ra->employee);
            assert_string_equal((char *)ta, (char *)tb);
            assert_non_null(strstr((char *)ta, "首次響應時間"));
            xmlFree(ta);
            xmlFree(tb);
            sc_record_free(ra);
            sc_record_free(rb);
        }
        sc_reader_free(a);
        sc_reader_free(b);
        free(bytes);
        sc_buf_free(&other);
        drop(epath);
    }
    drop(upath);
    sc_buf_free(&utf8);
}

static void test_wrong_encoding(void **state)
{
    (void)state;
    /* GBK bytes declared UTF-8: the company name on line 3, column 12. */
    const char *text = HEAD("UTF-8") "</batch>\n";
    size_t n;
    char *bytes = to_enc(text, "GBK", &n);
    char *path = tmp_file("wrongenc", bytes, n);
    sc_reader *r = NULL;
    sc_error err;
    assert_int_equal(sc_reader_open(&r, path, NULL, NULL, &err), SC_ERR_ENCODING);
    assert_null(r);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 12);
    assert_non_null(strstr(err.message, "not valid UTF-8"));
    assert_non_null(strstr(err.message, "encoding=\"GBK\""));
    drop(path);
    free(bytes);

    /* An encoding we do not accept. */
    path = tmp_text("sjis", "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n<batch version=\"1\"/>\n");
    assert_int_equal(sc_reader_open(&r, path, NULL, NULL, &err), SC_ERR_ENCODING);
    assert_non_null(strstr(err.message, "Shift_JIS"));
    drop(path);
}

static void test_weight_sum(void **state)
{
    (void)state;
    sc_buf b = {0};
    sc_buf_puts(&b, HEAD("UTF-8"));
    add_employee(&b, "KF001", "张晓明", "40", "50.5", "30"); /* 90.5 */
    sc_buf_puts(&b, "</batch>\n");
    char *path = tmp_text("weights", b.data);
    diags d = {0};
    got g;
    sc_error err;
    assert_int_equal(read_all(path, &g, &d, &err), SC_OK);
    assert_int_equal(g.bad, 1);
    assert_int_equal(g.codes[0], SC_ERR_DATA);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.first.employee, "KF001 张晓明");
    assert_string_equal(d.first.field, "kpis");
    assert_int_equal(d.first.line, 9); /* <kpis> */
    assert_non_null(strstr(d.first.message, "90.5"));
    assert_non_null(strstr(d.first.message, "not 100"));
    assert_string_equal(err.message, d.first.message);
    drop(path);
    sc_buf_free(&b);
    sc_buf_free(&d.text);
}

/* The coverage check (coverage.c): a character no installed font has
 * fails the record before anything is drawn, naming the field and its
 * line; the next record (all drawable, 𠮷 included) passes. */
static void test_missing_glyph(void **state)
{
    (void)state;
    sc_fonts *fonts = NULL;
    sc_error err;
    assert_int_equal(sc_fonts_load(&fonts, NULL, &err), SC_OK);
    sc_buf b = {0};
    sc_buf_puts(&b, HEAD("UTF-8"));
    add_employee(&b, "KF001", "张\xF0\x97\x80\x80明", "40", "60", "30"); /* U+17000 */
    add_employee(&b, "KF002", "张\xF0\xA0\xAE\xB7", "40", "60", "30");    /* 𠮷 */
    /* 一 U+4E00, then U+17000: the same slot of the check's memory of
     * characters found (cp % 512), which must not answer for the second */
    add_employee(&b, "KF003", "一\xF0\x97\x80\x80", "40", "60", "30");
    sc_buf other = {0}; /* and in an attribute: a category's name */
    add_employee(&other, "KF004", "张明", "40", "60", "30");
    char *cat = strstr(other.data, "定量指標");
    assert_non_null(cat);
    sc_buf_append(&b, other.data, (size_t)(cat - other.data));
    sc_buf_puts(&b, "\xF0\x97\x80\x80");
    sc_buf_puts(&b, cat);
    sc_buf_free(&other);
    sc_buf_puts(&b, "</batch>\n");
    char *path = tmp_text("glyphs", b.data);
    diags d = {0};
    sc_reader *r = NULL;
    assert_int_equal(sc_reader_open(&r, path, on_diag, &d, &err), SC_OK);
    sc_record *rec = NULL;
    /* the reader knows nothing of fonts: the record reads fine */
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_OK);
    assert_int_equal(d.count, 0);
    sc_problems pb = {on_diag, &d, &err, 0, SC_OK};
    assert_int_equal(sc_check_glyphs(rec, fonts, &pb), SC_ERR_FONT);
    assert_int_equal(pb.count, 1);
    assert_int_equal(d.count, 1);
    assert_non_null(strstr(d.first.message, "U+17000"));
    assert_string_equal(d.first.field, "name");
    assert_int_equal(d.first.line, 7); /* <name> */
    assert_string_equal(d.first.employee, "KF001 张\xF0\x97\x80\x80明");
    sc_record_free(rec);
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_OK);
    assert_string_equal(sc_record_get(rec, "id"), "KF002");
    sc_problems pb2 = {on_diag, &d, &err, 0, SC_OK};
    assert_int_equal(sc_check_glyphs(rec, fonts, &pb2), SC_OK);
    assert_int_equal(pb2.count, 0);
    sc_record_free(rec);
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_OK);
    sc_problems pb3 = {on_diag, &d, &err, 0, SC_OK};
    assert_int_equal(sc_check_glyphs(rec, fonts, &pb3), SC_ERR_FONT);
    assert_int_equal(pb3.count, 1);
    assert_non_null(strstr(err.message, "U+17000"));
    sc_record_free(rec);
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_OK);
    sc_problems pb4 = {on_diag, &d, &err, 0, SC_OK};
    assert_int_equal(sc_check_glyphs(rec, fonts, &pb4), SC_ERR_FONT);
    assert_int_equal(pb4.count, 1);
    assert_non_null(strstr(err.message, "U+17000"));
    assert_non_null(strstr(err.field, "@name"));
    sc_record_free(rec);
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_END);
    sc_reader_free(r);
    sc_fonts_free(fonts);
    drop(path);
    sc_buf_free(&b);
    sc_buf_free(&d.text);
}

/* Score above the weight, category weight mismatch, rater sum, money. */
static void test_other_checks(void **state)
{
    (void)state;
    const char *text =
        HEAD("UTF-8")
        "  <employee id=\"E1\">\n"
        "    <name>李四</name>\n"
        "    <kpis>\n"
        "      <category name=\"A\" weight=\"50\">\n"
        "        <kpi id=\"k1\"><indicator>x</indicator><weight>60</weight><rule/><score>61</score></kpi>\n"
        "        <kpi id=\"k2\" bonus-allowed=\"true\"><indicator>y</indicator><weight>40</weight><rule/><score>45</score></kpi>\n"
        "      </category>\n"
        "    </kpis>\n"
        "    <raters><rater role=\"本人\" weight=\"15\"/><rater role=\"上级\" weight=\"60\"/></raters>\n"
        "  </employee>\n"
        "</batch>\n";
    char *path = tmp_text("checks", text);
    diags d = {0};
    got g;
    sc_error err;
    assert_int_equal(read_all(path, &g, &d, &err), SC_OK);
    assert_int_equal(g.bad, 1);
    assert_int_equal(d.count, 3); /* score k1, category weight, raters */
    assert_non_null(strstr(d.text.data, "score 61 is above the weight 60"));
    assert_null(strstr(d.text.data, "score 45")); /* bonus-allowed */
    assert_non_null(strstr(d.text.data, "category weight 50 differs"));
    assert_non_null(strstr(d.text.data, "rater weights sum to 75"));
    assert_non_null(strstr(d.text.data, "[E1 李四|kpis/category[A]/kpi[k1]/score]"));
    assert_non_null(strstr(d.text.data, ":10:0:")); /* line of k1 */
    drop(path);
    sc_buf_free(&d.text);
}

static void test_schema_errors_all_listed(void **state)
{
    (void)state;
    const char *text =
        HEAD("UTF-8")
        "  <employee id=\"E1\">\n"
        "    <name>李四</name>\n"
        "    <kpis>\n"
        "      <category name=\"A\">\n"
        "        <kpi id=\"k1\"><indicator>x</indicator><weight>60.123</weight><rule/></kpi>\n"
        "        <kpi id=\"k2\"><indicator>y</indicator><weight>40</weight><rule/></kpi>\n"
        "      </category>\n"
        "    </kpis>\n"
        "    <adjustments><adjustment points=\"2\"/></adjustments>\n"
        "    <bonus base=\"12.345\"/>\n"
        "  </employee>\n"
        "</batch>\n";
    char *path = tmp_text("schema", text);
    diags d = {0};
    got g;
    sc_error err;
    assert_int_equal(read_all(path, &g, &d, &err), SC_OK);
    assert_int_equal(g.codes[0], SC_ERR_SCHEMA);
    assert_int_equal(d.count, 3);
    assert_non_null(strstr(d.text.data, ":10:0: value \"60.123\" of <weight>"));
    assert_non_null(strstr(d.text.data, ":14:0: <adjustment> needs the attribute reason"));
    assert_non_null(strstr(d.text.data, ":15:0: attribute base=\"12.345\" of <bonus> must be an amount in yuan"));
    assert_non_null(strstr(d.text.data, "|bonus/@base]"));
    drop(path);
    sc_buf_free(&d.text);
}

static void test_header_error_is_fatal(void **state)
{
    (void)state;
    const char *text = "<?xml version=\"1.0\"?>\n"
                       "<batch version=\"1\">\n"
                       "  <company>X</company>\n"
                       "  <department>Y</department>\n"
                       "  <period kind=\"month\" year=\"2026\">2026</period>\n"
                       "</batch>\n";
    char *path = tmp_text("header", text);
    diags d = {0};
    sc_reader *r = NULL;
    sc_error err;
    assert_int_equal(sc_reader_open(&r, path, on_diag, &d, &err), SC_ERR_SCHEMA);
    assert_null(r);
    assert_int_equal(err.line, 5);
    assert_true(d.count >= 1);
    drop(path);
    sc_buf_free(&d.text);
}

static void test_doctype_refused(void **state)
{
    (void)state;
    /* Classic XXE, and the same with the DOCTYPE far from the start so
     * that only the XML reader (not the prolog sniffing) sees it. */
    char pad[12000];
    memset(pad, 'x', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    for (int k = 0; k < 2; k++) {
        sc_buf b = {0};
        sc_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        if (k)
            sc_buf_printf(&b, "<!-- %s -->\n", pad);
        sc_buf_puts(&b, "<!DOCTYPE batch [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n"
                        "<batch version=\"1\"><company>&e;</company><department>d</department>"
                        "<period kind=\"year\" year=\"2026\"/>"
                        "<employee id=\"x\"><name>&e;</name><kpis><category name=\"c\">"
                        "<kpi id=\"k\"><indicator>i</indicator><weight>100</weight><rule/></kpi>"
                        "</category></kpis></employee></batch>\n");
        char *path = tmp_text("xxe", b.data);
        diags d = {0};
        sc_reader *r = NULL;
        sc_error err;
        assert_int_equal(sc_reader_open(&r, path, on_diag, &d, &err), SC_ERR_FORBIDDEN);
        assert_null(r);
        assert_int_equal(err.line, k ? 3 : 2);
        assert_non_null(strstr(err.message, "DOCTYPE is not allowed"));
        assert_null(strstr(err.message, "root:"));
        assert_true(d.text.data == NULL || strstr(d.text.data, "root:") == NULL);
        drop(path);
        sc_buf_free(&b);
        sc_buf_free(&d.text);
    }
}

static void test_malformed(void **state)
{
    (void)state;
    const char *text = "<?xml version=\"1.0\"?>\n"
                       "<batch version=\"1\">\n"
                       "  <company>X</compny>\n"
                       "</batch>\n";
    char *path = tmp_text("malformed", text);
    sc_reader *r = NULL;
    sc_error err;
    assert_int_equal(sc_reader_open(&r, path, NULL, NULL, &err), SC_ERR_XML);
    assert_int_equal(err.line, 3);
    assert_true(err.column > 0);
    assert_non_null(strstr(err.message, "<company> (line 3) is closed by </compny>"));
    assert_null(strchr(err.message, '\n'));
    drop(path);
}

/* A bad record in the middle: reported, skipped, the next one is read; a
 * duplicate id is refused too. */
static void test_bad_record_in_middle(void **state)
{
    (void)state;
    sc_buf b = {0};
    sc_buf_puts(&b, HEAD("UTF-8"));
    add_employee(&b, "A1", "甲", "40", "60", "40");
    add_employee(&b, "A2", "乙", "40", "60", "-1");  /* negative score */
    sc_buf_puts(&b, "  <employee id=\"A3\"><kpis/></employee>\n"); /* no name */
    add_employee(&b, "A4", "丁", "40", "60", "39.5");
    add_employee(&b, "A1", "戊", "40", "60", "40");  /* duplicate id */
    sc_buf_puts(&b, "</batch>\n");
    char *path = tmp_text("middle", b.data);
    diags d = {0};
    got g;
    sc_error err;
    assert_int_equal(read_all(path, &g, &d, &err), SC_OK);
    assert_int_equal(g.ok, 2);
    assert_int_equal(g.bad, 3);
    assert_int_equal(g.codes[0], SC_OK);
    assert_int_equal(g.codes[1], SC_ERR_DATA);
    assert_int_equal(g.codes[2], SC_ERR_SCHEMA);
    assert_int_equal(g.codes[3], SC_OK);
    assert_string_equal(g.ids[3], "A4");
    assert_int_equal(g.codes[4], SC_ERR_DATA);
    assert_non_null(strstr(d.text.data, "score -1 is negative"));
    assert_non_null(strstr(d.text.data, "appears more than once"));
    assert_non_null(strstr(d.text.data, "[A2 乙|"));
    drop(path);
    sc_buf_free(&b);
    sc_buf_free(&d.text);
}

/* Lines past 65535 (libxml2 caps element lines there) stay exact. */
static void test_big_line_numbers(void **state)
{
    (void)state;
    sc_buf b = {0};
    sc_buf_puts(&b, HEAD("UTF-8"));
    char id[16];
    int i;
    for (i = 0; b.len < 1 || i < 3500; i++) {
        snprintf(id, sizeof id, "E%05d", i);
        add_employee(&b, id, "张三", "40", "60", "40");
    }
    /* now past line 3500*20 = 70000 + 5: one more good, then a bad one */
    add_employee(&b, "Z1", "张三", "40", "60", "40");
    add_employee(&b, "Z2", "张三", "40", "60", "40");
    size_t bad_at = b.len;
    add_employee(&b, "Z3", "张三", "40", "60", "41");
    sc_buf_puts(&b, "</batch>\n");
    int line = 1;
    for (size_t k = 0; k < bad_at; k++)
        line += b.data[k] == '\n';
    /* the employee starts at `line`; its <score> is 9 lines further */
    assert_true(line > 65535);
    char *path = tmp_text("biglines", b.data);
    diags d = {0};
    sc_reader *r = NULL;
    sc_error err;
    assert_int_equal(sc_reader_open(&r, path, on_diag, &d, &err), SC_OK);
    sc_record *rec;
    sc_status st;
    int last_line = 0;
    while ((st = sc_reader_next(r, &rec, &err)) != SC_END) {
        if (st == SC_OK) {
            last_line = rec->line;
            sc_record_free(rec);
        } else {
            break;
        }
    }
    assert_int_equal(st, SC_ERR_DATA);
    assert_int_equal(last_line, line - 20);
    assert_int_equal(err.line, line + 9);
    sc_reader_free(r);
    drop(path);
    sc_buf_free(&b);
    sc_buf_free(&d.text);
}

/* ---- streaming: what lies between records, limits, errors after a record */

/* A malformed tag right after a complete record (in the same chunk the
 * parser reads): every record before it is returned, then the error. */
static void test_record_before_malformed_xml(void **state)
{
    (void)state;
    const char *tails[] = {"  <employee id=\"A3\"><name>丙</name></employe>\n</batch>\n",
                           "  <oops\n</batch>\n"};
    for (int t = 0; t < 2; t++) {
        sc_buf b = {0};
        sc_buf_puts(&b, HEAD("UTF-8"));
        add_employee(&b, "A1", "甲", "40", "60", "40");
        add_employee(&b, "A2", "乙", "40", "60", "40");
        sc_buf_puts(&b, tails[t]);
        char *path = tmp_text("cut", b.data);
        diags d = {0};
        got g;
        sc_error err;
        assert_int_equal(read_all(path, &g, &d, &err), SC_OK);
        assert_int_equal(g.ok, 2);
        assert_string_equal(g.ids[1], "A2");
        assert_int_equal(g.bad, 1);
        assert_int_equal(g.codes[2], SC_ERR_XML);
        assert_non_null(strstr(err.message, "the rest of the batch cannot be read"));
        drop(path);
        sc_buf_free(&b);
        sc_buf_free(&d.text);
    }
}

/* The same with bytes that are not GBK right after a record of a GBK
 * file: libxml2 would drop the whole chunk holding them. */
static void test_record_before_bad_bytes(void **state)
{
    (void)state;
    sc_buf b = {0};
    sc_buf_puts(&b, HEAD("GBK"));
    add_employee(&b, "A1", "甲", "40", "60", "40");
    add_employee(&b, "A2", "乙", "40", "60", "40");
    sc_buf_puts(&b, "  <employee id=\"A3\"><name>@@</name></employee>\n</batch>\n");
    size_t n;
    char *gbk = to_enc(b.data, "GBK", &n);
    char *at = memmem(gbk, n, "@@", 2);
    assert_non_null(at);
    at[0] = at[1] = (char)0xFF;
    char *path = tmp_file("badgbk", gbk, n);
    diags d = {0};
    got g;
    sc_error err;
    assert_int_equal(read_all(path, &g, &d, &err), SC_OK);
    assert_int_equal(g.ok, 2);
    assert_int_equal(g.codes[2], SC_ERR_ENCODING);
    assert_non_null(strstr(err.message, "not valid GBK"));
    assert_int_equal(err.line, 46);
    drop(path);
    free(gbk);
    sc_buf_free(&b);
    sc_buf_free(&d.text);
}

/* Whatever lies between records is not kept: 12 MB of unbroken
 * whitespace (more than libxml2 allows in one text node), thousands of
 * comments and processing instructions, one large comment. */
static void test_padding_between_records(void **state)
{
    (void)state;
    sc_buf b = {0};
    sc_buf_puts(&b, HEAD("UTF-8"));
    sc_buf_puts(&b, "  <!-- 头部之后 -->\n");
    add_employee(&b, "A1", "甲", "40", "60", "40");
    char *ws = malloc(12 << 20);
    assert_non_null(ws);
    memset(ws, ' ', 12 << 20);
    for (size_t i = 80; i < (12 << 20); i += 81)
        ws[i] = '\n';
    sc_buf_append(&b, ws, 12 << 20);
    free(ws);
    for (int i = 0; i < 20000; i++)
        sc_buf_puts(&b, "<!-- padding padding padding --><?pad x y z?>\n");
    sc_buf_puts(&b, "<!--");
    for (int i = 0; i < 100000; i++)
        sc_buf_puts(&b, "一段很长的注释。");
    sc_buf_puts(&b, "-->\n");
    add_employee(&b, "A2", "乙", "40", "60", "40");
    sc_buf_puts(&b, "</batch>\n");
    assert_false(b.oom);
    char *path = tmp_file("padding", b.data, b.len);
    diags d = {0};
    got g;
    sc_error err;
    assert_int_equal(read_all(path, &g, &d, &err), SC_OK);
    assert_int_equal(d.count, 0);
    assert_int_equal(g.ok, 2);
    assert_int_equal(g.bad, 0);
    assert_string_equal(g.ids[1], "A2");
    drop(path);
    sc_buf_free(&b);
    sc_buf_free(&d.text);
}

/* Whitespace between elements is not kept (data.c); whitespace that is an
 * element's whole value is, byte for byte, also when a comment splits it
 * or it is long enough to cross the reader's chunks. */
static int space_beside_elements(xmlNodePtr n)
{
    int found = 0, has_elem = 0;
    for (xmlNodePtr c = n->children; c; c = c->next)
        has_elem |= c->type == XML_ELEMENT_NODE;
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE && has_elem)
            found++;
        else if (c->type == XML_ELEMENT_NODE)
            found += space_beside_elements(c);
    }
    return found;
}

static void test_whitespace_values_kept(void **state)
{
    (void)state;
    sc_buf b = {0}, emp = {0};
    sc_buf_puts(&b, HEAD("UTF-8"));
    add_employee(&emp, "A1", "甲", "40", "60", "40");
    /* q1 gets a value that is a space, a comment and a space; q2 one of
     * 3,000 spaces and newlines that starts 1,000 bytes before the end of
     * the reader's first 16 KB */
    const char *at1 = strstr(emp.data, "<score>");
    const char *at2 = strstr(at1 + 1, "<score>");
    const char *q1_end = strstr(at1, "</kpi>");
    assert_non_null(at2);
    sc_buf rec_head = {0}; /* the record up to q2's value */
    sc_buf_append(&rec_head, emp.data, (size_t)(at1 - emp.data));
    sc_buf_puts(&rec_head, "<source> <!-- 空 --> </source>\n          <score>40</score>\n        ");
    sc_buf_append(&rec_head, q1_end, (size_t)(at2 - q1_end));
    sc_buf_puts(&rec_head, "<source>");
    size_t pad = 16384 - 1000 - b.len - rec_head.len;
    assert_true(pad < 16384);
    for (size_t i = 0; i < pad; i++)
        sc_buf_append(&b, i % 80 == 79 ? "\n" : " ", 1);
    sc_buf_append(&b, rec_head.data, rec_head.len);
    sc_buf_free(&rec_head);
    assert_int_equal(b.len, 16384 - 1000);
    char big[3001];
    for (int i = 0; i < 3000; i++)
        big[i] = i % 100 == 99 ? '\n' : ' ';
    big[3000] = '\0';
    sc_buf_puts(&b, big);
    sc_buf_puts(&b, "</source>\n          <score>60</score>\n        </kpi>\n      </category>\n"
                    "    </kpis>\n  </employee>\n</batch>\n");
    assert_false(b.oom);
    char *path = tmp_file("spaces", b.data, b.len);
    diags d = {0};
    sc_error err;
    sc_reader *r = NULL;
    assert_int_equal(sc_reader_open(&r, path, on_diag, &d, &err), SC_OK);
    sc_record *rec = NULL;
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_OK);
    assert_int_equal(d.count, 0);
    assert_int_equal(space_beside_elements(xmlDocGetRootElement(rec->doc)), 0);
    xmlNodePtr cat = sc_xml_child(sc_xml_child(rec->employee, "kpis"), "category");
    xmlNodePtr kpi = sc_xml_child(cat, "kpi");
    xmlChar *v1 = xmlNodeGetContent(sc_xml_child(kpi, "source"));
    xmlChar *v2 = xmlNodeGetContent(sc_xml_child(xmlNextElementSibling(kpi), "source"));
    assert_non_null(v1);
    assert_non_null(v2);
    assert_string_equal((char *)v1, "  ");
    assert_string_equal((char *)v2, big);
    xmlFree(v1);
    xmlFree(v2);
    sc_record_free(rec);
    sc_reader_free(r);
    drop(path);
    sc_buf_free(&b);
    sc_buf_free(&emp);
    sc_buf_free(&d.text);
}

/* One text node larger than libxml2 allows (10 MB) fails its record, with
 * the field named; the records around it are read. */
static void test_oversized_text_fails_its_record(void **state)
{
    (void)state;
    sc_buf b = {0};
    sc_buf_puts(&b, HEAD("UTF-8"));
    add_employee(&b, "A1", "甲", "40", "60", "40");
    sc_buf_puts(&b, "  <employee id=\"A2\"><name>乙</name><kpis><category name=\"C\">"
                    "<kpi id=\"k\"><indicator>x</indicator><weight>100</weight><rule>");
    for (int i = 0; i < (11 << 20) / 3; i++)
        sc_buf_puts(&b, "规");
    sc_buf_puts(&b, "</rule></kpi></category></kpis></employee>\n");
    sc_buf_puts(&b, "  <employee id=\"A3\"><name>丙</name><position>");
    for (int i = 0; i < 20000; i++)
        sc_buf_puts(&b, "<b/>");
    sc_buf_puts(&b, "</position><kpis/></employee>\n");
    add_employee(&b, "A4", "丁", "40", "60", "40");
    sc_buf_puts(&b, "</batch>\n");
    assert_false(b.oom);
    char *path = tmp_file("oversized", b.data, b.len);
    diags d = {0};
    got g;
    sc_error err;
    assert_int_equal(read_all(path, &g, &d, &err), SC_OK);
    assert_int_equal(g.ok, 2);
    assert_int_equal(g.bad, 2);
    assert_int_equal(g.codes[1], SC_ERR_DATA);
    assert_int_equal(g.codes[2], SC_ERR_DATA);
    assert_string_equal(g.ids[3], "A4");
    assert_non_null(strstr(d.text.data, "<rule> is too long"));
    assert_non_null(strstr(d.text.data, "[A2 乙|kpis/category[C]/kpi[k]/rule]"));
    assert_non_null(strstr(d.text.data, "too many elements"));
    assert_non_null(strstr(d.text.data, "[A3 丙|position]"));
    drop(path);
    sc_buf_free(&b);
    sc_buf_free(&d.text);
}

/* Text or an element other than <employee> between records is reported
 * in its place; the records after it are still read. */
static void test_stray_between_records(void **state)
{
    (void)state;
    sc_buf b = {0};
    sc_buf_puts(&b, HEAD("UTF-8"));
    add_employee(&b, "A1", "甲", "40", "60", "40");
    sc_buf_puts(&b, "  stray words\n");
    add_employee(&b, "A2", "乙", "40", "60", "40");
    sc_buf_puts(&b, "  <company>again</company>\n");
    add_employee(&b, "A3", "丙", "40", "60", "40");
    sc_buf_puts(&b, "</batch>\n");
    char *path = tmp_text("stray", b.data);
    diags d = {0};
    got g;
    sc_error err;
    assert_int_equal(read_all(path, &g, &d, &err), SC_OK);
    assert_int_equal(g.ok, 3);
    assert_int_equal(g.bad, 2);
    assert_int_equal(g.codes[1], SC_ERR_SCHEMA);
    assert_int_equal(g.codes[3], SC_ERR_SCHEMA);
    assert_string_equal(g.ids[4], "A3");
    assert_non_null(strstr(d.text.data, ":26:0: text is not allowed directly inside <batch>"));
    assert_non_null(strstr(d.text.data, ":47:0: element <company> is not allowed here"));
    drop(path);
    sc_buf_free(&b);
    sc_buf_free(&d.text);
}

/* ---- messages: what is missing, long values ------------------------------ */

/* Read one employee made of `body` (after its start tag); the problems. */
static void problems_of(const char *body, diags *d)
{
    sc_buf b = {0};
    sc_buf_puts(&b, HEAD("UTF-8"));
    sc_buf_printf(&b, "  <employee id=\"E1\">%s</employee>\n</batch>\n", body);
    char *path = tmp_text("msg", b.data);
    got g;
    sc_error err;
    memset(d, 0, sizeof *d);
    assert_int_equal(read_all(path, &g, d, &err), SC_OK);
    assert_int_equal(g.bad, 1);
    drop(path);
    sc_buf_free(&b);
}

#define KPI "<kpis><category name=\"C\"><kpi id=\"k\"><indicator>x</indicator>" \
            "<weight>100</weight><rule>r</rule></kpi></category></kpis>"

/* A missing required element is named, not the one after it. */
static void test_missing_element_named(void **state)
{
    (void)state;
    static const struct {
        const char *body, *want;
    } cases[] = {
        {KPI, "<employee> is missing <name>, which comes before <kpis> [E1|name]"},
        {"<name>甲</name><bonus base=\"1\"/>",
         "<employee> is missing <kpis>, which comes before <bonus> [E1 甲|kpis]"},
        {"<name>甲</name>", "<employee> is missing <kpis> [E1 甲|kpis]"},
        {"<name>甲</name><kpis><category name=\"C\"><kpi id=\"k\"><weight>100</weight>"
         "<rule>r</rule></kpi></category></kpis>",
         "<kpi> is missing <indicator>, which comes before <weight> "
         "[E1 甲|kpis/category[C]/kpi[k]/indicator]"},
        {"<name>甲</name><kpis><category name=\"C\"/></kpis>",
         "<category> is missing <kpi> [E1 甲|kpis/category[C]/kpi]"},
        {"<name>甲</name><kpis><category name=\"C\"><kpi id=\"k\"><indicator>x</indicator>"
         "<rule>r</rule><weight>100</weight></kpi></category></kpis>",
         "<weight> is out of order: in <kpi> it comes before <rule>"},
        {KPI "<name>甲</name>", "<name> is out of order: in <employee> it comes before <kpis>"},
        {"<name>甲</name><foo/>" KPI, "element <foo> is not allowed in <employee>"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        diags d;
        problems_of(cases[i].body, &d);
        if (!strstr(d.text.data, cases[i].want))
            fail_msg("case %zu: want \"%s\", got %s", i, cases[i].want, d.text.data);
        assert_int_equal(d.count, 1);
        sc_buf_free(&d.text);
    }
    /* in the header too: fatal, and named */
    const char *text = "<?xml version=\"1.0\"?>\n<batch version=\"1\">\n"
                       "  <department>Y</department>\n"
                       "  <period kind=\"year\" year=\"2026\">2026</period>\n</batch>\n";
    char *path = tmp_text("nocompany", text);
    sc_reader *r = NULL;
    sc_error err;
    assert_int_equal(sc_reader_open(&r, path, NULL, NULL, &err), SC_ERR_SCHEMA);
    assert_string_equal(err.message, "<batch> is missing <company>, which comes before <department>");
    assert_string_equal(err.field, "batch/company");
    assert_int_equal(err.line, 3);
    drop(path);
}

/* Values longer than their field allows: the length, the limit from the
 * schema, the first 40 characters; every message whole UTF-8. */
static void test_long_values_quoted(void **state)
{
    (void)state;
    sc_buf body = {0};
    sc_buf_puts(&body, "<name>");
    for (int i = 0; i < 300; i++)
        sc_buf_puts(&body, "长");
    sc_buf_puts(&body, "</name><kpis><category name=\"C\"><kpi id=\"k\"><indicator>x"
                       "</indicator><weight>100</weight><rule>");
    for (int i = 0; i < 5000; i++)
        sc_buf_puts(&body, "规");
    sc_buf_puts(&body, "</rule></kpi></category></kpis><adjustments><adjustment "
                       "points=\"1\" reason=\"");
    for (int i = 0; i < 4500; i++)
        sc_buf_puts(&body, "理");
    sc_buf_puts(&body, "\"/></adjustments>");
    diags d;
    problems_of(body.data, &d);
    assert_int_equal(d.count, 3);
    const char *t = d.text.data;
    assert_true(sc_utf8_valid(t, strlen(t), NULL));
    assert_non_null(strstr(t, "<name> is 300 characters long; it may hold at most 200: \"长长"));
    assert_non_null(strstr(t, "<rule> is 5000 characters long; it may hold at most 4000: "));
    assert_non_null(strstr(t, "attribute reason of <adjustment> is 4500 characters long; "
                              "it may hold at most 4000: "));
    assert_non_null(strstr(t, "…\" (5000 characters)"));
    /* the label keeps 40 characters of the name */
    assert_non_null(strstr(t, "[E1 长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长…|"));
    assert_true(strlen(d.first.message) < 300);
    for (const char *line = t; *line; line = strchr(line, '\n') + 1)
        assert_true(strchr(line, '\n') - line < 512);
    sc_buf_free(&body);
    sc_buf_free(&d.text);
}

/* ---- file names ------------------------------------------------------------ */

static void name_for(const char *name, const char *pattern, char *out, size_t n)
{
    sc_record rec;
    memset(&rec, 0, sizeof rec);
    rec.id = "KF001";
    rec.name = (char *)name;
    rec.department = "客户服务部";
    rec.position = "客服专员";
    rec.period = "2026-10";
    rec.email = "";
    sc_error err;
    assert_int_equal(sc_record_filename(&rec, pattern, out, n, &err), SC_OK);
    assert_null(strchr(out, '/'));
    assert_null(strchr(out, '\\'));
    assert_null(strstr(out, ".."));
    assert_true(out[0] != '.' && out[0] != ' ' && out[0] != '\0');
    for (const char *p = out; *p; p++)
        assert_true((unsigned char)*p >= 0x20 && *p != 0x7F);
    assert_true(sc_utf8_valid(out, strlen(out), NULL));
}

static void test_filenames(void **state)
{
    (void)state;
    char out[512];
    name_for("张晓明", "{period}_{id}_{name}.pdf", out, sizeof out);
    assert_string_equal(out, "2026-10_KF001_张晓明.pdf");
    name_for("../../etc/passwd", "{period}_{id}_{name}.pdf", out, sizeof out);
    assert_string_equal(out, "2026-10_KF001_____etc_passwd.pdf");
    name_for("../../etc/passwd", "{name}", out, sizeof out);
    assert_string_equal(out, "____etc_passwd");
    name_for("a/b", "{name}.pdf", out, sizeof out);
    assert_string_equal(out, "a_b.pdf");
    name_for("..", "{name}", out, sizeof out);
    assert_string_equal(out, "_");
    name_for("", "{name}.pdf", out, sizeof out);
    assert_string_equal(out, "KF001.pdf");
    name_for("", "{name}", out, sizeof out);
    assert_string_equal(out, "KF001");
    name_for("a\tb\x01" "c\x7f", "{name}.pdf", out, sizeof out);
    assert_string_equal(out, "a_b_c_.pdf");
    name_for("a<b>c:d\"e|f?g*h\\i", "{name}", out, sizeof out);
    assert_string_equal(out, "a_b_c_d_e_f_g_h_i");
    name_for(".hidden", "{name}.pdf", out, sizeof out);
    assert_string_equal(out, "hidden.pdf");
    name_for("x", "../{department}/{position}-{name}.pdf", out, sizeof out);
    assert_string_equal(out, "__客户服务部_客服专员-x.pdf");
    name_for("con", "{name}", out, sizeof out);
    assert_string_equal(out, "_con");
    name_for("\xff\xfe", "{name}.pdf", out, sizeof out);
    assert_string_equal(out, "__.pdf");

    /* Bidi controls and invisible characters never reach a file name:
     * "张\u202Eexe.fdp.pdf" would show as 张fdp.exe.pdf. */
    name_for("张\u202Eexe.fdp", "{name}.pdf", out, sizeof out);
    assert_string_equal(out, "张_exe.fdp.pdf");
    static const char *const hidden[] = {
        "\u200B", "\u200C", "\u200D", "\u200E", "\u200F", "\u202A", "\u202B",
        "\u202C", "\u202D", "\u2066", "\u2067", "\u2068", "\u2069", "\u2060",
        "\u061C", "\uFEFF", "\u00AD", "\u180E", "\u2028", "\u2029", "\xC2\x85",
        "\u3164", "\U000E0041", "\u034F", "\u206A"};
    for (size_t i = 0; i < sizeof hidden / sizeof *hidden; i++) {
        char nm[32];
        snprintf(nm, sizeof nm, "张%s伟", hidden[i]);
        name_for(nm, "{name}.pdf", out, sizeof out);
        if (strcmp(out, "张_伟.pdf"))
            fail_msg("%zu (%s): got %s", i, hidden[i], out);
    }
    /* in the pattern's own text too */
    name_for("张伟", "\u202E{id}_{name}.pdf", out, sizeof out);
    assert_string_equal(out, "_KF001_张伟.pdf");

    /* 300 bytes of Chinese: capped at 200 bytes, whole characters, .pdf */
    char longname[400] = "";
    for (int i = 0; i < 100; i++)
        strcat(longname, "张");
    name_for(longname, "{name}.pdf", out, sizeof out);
    size_t len = strlen(out);
    assert_true(len <= 200);
    assert_string_equal(out + len - 4, ".pdf");
    assert_int_equal((len - 4) % 3, 0);

    /* unknown placeholder, too small a buffer */
    sc_record rec;
    memset(&rec, 0, sizeof rec);
    rec.id = rec.name = rec.department = rec.position = rec.period = rec.email = "";
    sc_error err;
    assert_int_equal(sc_record_filename(&rec, "{salary}.pdf", out, sizeof out, &err),
                     SC_ERR_USAGE);
    assert_non_null(strstr(err.message, "{salary}"));
    rec.id = "KF001";
    char tiny[4];
    assert_int_equal(sc_record_filename(&rec, "{id}.pdf", tiny, sizeof tiny, &err),
                     SC_ERR_USAGE);
}

/* The key of a record's form: equal for records that differ only in
 * their results and names, different when a definition differs (a
 * whole element, a kept attribute); and the form itself carries none of
 * the record's results. */
static void test_form_key(void **state)
{
    (void)state;
    sc_buf b = {0}, other = {0};
    sc_buf_puts(&b, HEAD("UTF-8"));
    add_employee(&b, "K1", "甲", "40", "60", "30");
    add_employee(&b, "K2", "乙", "40", "60", "12.5"); /* same form as K1 */
    add_employee(&b, "K3", "甲", "50", "50", "30");   /* other weights */
    add_employee(&other, "K4", "甲", "40", "60", "30");
    char *cat = strstr(other.data, "定量指標"); /* other category name */
    assert_non_null(cat);
    memcpy(cat, "定性", strlen("定性"));
    sc_buf_puts(&b, other.data);
    sc_buf_puts(&b, "</batch>\n");
    char *path = tmp_text("formkey", b.data);
    sc_reader *r = NULL;
    sc_error err;
    diags d = {0};
    assert_int_equal(sc_reader_open(&r, path, on_diag, &d, &err), SC_OK);
    char *key[4];
    for (int i = 0; i < 4; i++) {
        sc_record *rec = NULL;
        assert_int_equal(sc_reader_next(r, &rec, &err), SC_OK);
        key[i] = sc_record_form_key(rec);
        assert_non_null(key[i]);
        assert_null(strstr(key[i], rec->name));
        sc_record *f = NULL;
        assert_int_equal(sc_record_form(rec, &f, &err), SC_OK);
        assert_ptr_equal(f->employee->parent, xmlDocGetRootElement(f->doc));
        xmlChar *dump = NULL;
        int len = 0;
        xmlDocDumpMemoryEnc(f->doc, &dump, &len, "UTF-8");
        assert_non_null(strstr((const char *)dump, "首次響應時間"));
        assert_null(strstr((const char *)dump, "<score>"));
        assert_null(strstr((const char *)dump, "<name>"));
        xmlFree(dump);
        sc_record_free(f);
        sc_record_free(rec);
    }
    assert_string_equal(key[0], key[1]);
    assert_string_not_equal(key[0], key[2]);
    assert_string_not_equal(key[0], key[3]);
    for (int i = 0; i < 4; i++)
        free(key[i]);
    assert_int_equal(d.count, 0);
    sc_reader_free(r);
    sc_buf_free(&b);
    sc_buf_free(&other);
    sc_buf_free(&d.text);
    drop(path);
}

/* ---- the quick proof of validity (facets.c) ------------------------------ */

extern const unsigned char sc_schema_data[];
extern const size_t sc_schema_data_len;

static void quiet_rng(void *ud, xmlErrorPtr e)
{
    (void)ud;
    (void)e;
}

/* tests/cases/basic/data.xml with `from` replaced by `to`: 1 if the quick
 * proof says valid; and it must never say so of a batch the schema
 * refuses. */
static int quick_valid(const sc_facets *f, xmlRelaxNGPtr full, const char *from,
                       const char *to)
{
    char path[1024];
    src_path(path, sizeof path, "tests/cases/basic/data.xml");
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, in);
    fclose(in);
    text[n] = '\0';
    sc_buf b = {0};
    char *at = strstr(text, from);
    assert_non_null(at);
    sc_buf_append(&b, text, (size_t)(at - text));
    sc_buf_puts(&b, to);
    sc_buf_puts(&b, at + strlen(from));
    xmlDocPtr doc = xmlReadMemory(b.data, (int)b.len, "data.xml", NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    int quick = sc_facets_valid(f, doc);
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(full);
    xmlRelaxNGSetValidStructuredErrors(vc, quiet_rng, NULL);
    int valid = xmlRelaxNGValidateDoc(vc, doc) == 0;
    xmlRelaxNGFreeValidCtxt(vc);
    if (quick)
        assert_true(valid);
    xmlFreeDoc(doc);
    sc_buf_free(&b);
    return quick;
}

static void test_quick_validity(void **state)
{
    (void)state;
    xmlDocPtr schema = xmlReadMemory((const char *)sc_schema_data, (int)sc_schema_data_len,
                                     "data.rng", NULL, XML_PARSE_NONET);
    assert_non_null(schema);
    sc_facets *f = sc_facets_new(schema);
    assert_non_null(f); /* else every record takes the slow way */
    xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewDocParserCtxt(schema);
    xmlRelaxNGPtr full = xmlRelaxNGParse(pc);
    xmlRelaxNGFreeParserCtxt(pc);
    assert_non_null(full);
    const char *hdr_end = "<document-prefix>KF-202610</document-prefix>";
    char long_name[4100] = "<name>";
    for (int i = 0; i < 4001; i++)
        strcat(long_name, "x");
    strcat(long_name, "</name>");

    assert_true(quick_valid(f, full, "<weight>15</weight>", "<weight>15</weight>"));
    assert_true(quick_valid(f, full, "<email>zhangxm@example.com</email>", "<email></email>"));
    assert_true(quick_valid(f, full, hdr_end,
                            "<document-prefix>KF-202610</document-prefix>\n"
                            "<ranking months=\"3\"><entry id=\"KF001\" scores=\"90 95.5\"/></ranking>"));
    /* each kind of parameter, broken: no proof (the schema words why) */
    assert_false(quick_valid(f, full, "<weight>15</weight>", "<weight>150</weight>"));
    assert_false(quick_valid(f, full, "<weight>15</weight>", "<weight>15.001</weight>"));
    assert_false(quick_valid(f, full, "<email>zhangxm@example.com</email>",
                             "<email>zhang xm@example.com</email>"));
    assert_false(quick_valid(f, full, "<name>张晓明</name>", "<name></name>"));
    assert_false(quick_valid(f, full, "<name>张晓明</name>", long_name));
    assert_false(quick_valid(f, full, "base=\"2000.00\"", "base=\"-5\""));
    assert_false(quick_valid(f, full, hdr_end,
                             "<document-prefix>KF-202610</document-prefix>\n"
                             "<ranking months=\"3\"><entry id=\"KF001\" scores=\"90 2000\"/></ranking>"));
    /* text the proof would read otherwise than libxml2: no proof */
    assert_false(quick_valid(f, full, "<weight>15</weight>",
                             "<weight>  <![CDATA[]]></weight>"));
    assert_false(quick_valid(f, full, "<name>张晓明</name>", "<name>  </name>"));
    xmlRelaxNGFree(full);
    sc_facets_free(f);
    xmlFreeDoc(schema);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_examples),
        cmocka_unit_test(test_gbk_example),
        cmocka_unit_test(test_encodings_same_strings),
        cmocka_unit_test(test_wrong_encoding),
        cmocka_unit_test(test_weight_sum),
        cmocka_unit_test(test_missing_glyph),
        cmocka_unit_test(test_other_checks),
        cmocka_unit_test(test_schema_errors_all_listed),
        cmocka_unit_test(test_header_error_is_fatal),
        cmocka_unit_test(test_doctype_refused),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_bad_record_in_middle),
        cmocka_unit_test(test_big_line_numbers),
        cmocka_unit_test(test_record_before_malformed_xml),
        cmocka_unit_test(test_record_before_bad_bytes),
        cmocka_unit_test(test_padding_between_records),
        cmocka_unit_test(test_whitespace_values_kept),
        cmocka_unit_test(test_oversized_text_fails_its_record),
        cmocka_unit_test(test_stray_between_records),
        cmocka_unit_test(test_missing_element_named),
        cmocka_unit_test(test_long_values_quoted),
        cmocka_unit_test(test_filenames),
        cmocka_unit_test(test_catalogue_fields),
        cmocka_unit_test(test_form_key),
        cmocka_unit_test(test_quick_validity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
