/* test_template.c -- template loading (template.c) and binding (bind.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SRC SC_SOURCE_DIR

/* ---- helpers ------------------------------------------------------------ */

typedef struct diags {
    sc_error e[32];
    int n;
} diags;

static void collect(void *ud, const sc_error *e)
{
    diags *d = ud;
    if (d->n < 32)
        d->e[d->n++] = *e;
}

/* A record built by hand: data.c may not be ready while this is written. */
typedef struct rec_fix {
    sc_record rec;
    char label[128];
    char file[512];
} rec_fix;

static void rec_from_doc(rec_fix *f, xmlDocPtr doc, const char *file)
{
    memset(f, 0, sizeof *f);
    assert_non_null(doc);
    f->rec.doc = doc;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    for (xmlNodePtr c = root->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE &&
            strcmp((const char *)c->name, "employee") == 0)
            f->rec.employee = c;
    assert_non_null(f->rec.employee);
    xmlChar *id = xmlGetProp(f->rec.employee, (const xmlChar *)"id");
    snprintf(f->label, sizeof f->label, "%s", id ? (const char *)id : "");
    xmlFree(id);
    snprintf(f->file, sizeof f->file, "%s", file);
    f->rec.label = f->label;
    f->rec.file = f->file;
    f->rec.line = (int)xmlGetLineNo(f->rec.employee);
}

static void rec_load(rec_fix *f, const char *path)
{
    rec_from_doc(f, xmlReadFile(path, NULL, XML_PARSE_NONET), path);
}

static void rec_mem(rec_fix *f, const char *xml, const char *file)
{
    rec_from_doc(f, xmlReadMemory(xml, (int)strlen(xml), file, NULL,
                                  XML_PARSE_NONET), file);
}

static void rec_done(rec_fix *f) { xmlFreeDoc(f->rec.doc); }

/* Write text to a fresh temporary file; returns its path (static buffer
 * per call site is not needed: caller passes out). */
static void write_tmp(char *path, size_t n, const char *text)
{
    snprintf(path, n, "/tmp/sc-test-template-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static sc_template *load_ok(const char *path)
{
    sc_template *t = NULL;
    sc_error err;
    diags d = {0};
    sc_status st = sc_template_load(&t, path, collect, &d, &err);
    if (st != SC_OK)
        fail_msg("%s:%d: %s", err.file, err.line, err.message);
    assert_int_equal(d.n, 0);
    return t;
}

/* Load the template text; return the status, first error in *err. */
static sc_status load_text(const char *text, char *path, size_t n,
                           diags *d, sc_error *err)
{
    write_tmp(path, n, text);
    sc_template *t = NULL;
    sc_status st = sc_template_load(&t, path, collect, d, err);
    sc_template_free(t);
    if (st != SC_OK)
        assert_null(t);
    return st;
}

static const sc_block *find_table(const sc_block *b, int n, int ncols)
{
    for (int i = 0; i < n; i++)
        if (b[i].kind == SC_BLK_TABLE && b[i].ncols == ncols)
            return &b[i];
    return NULL;
}

static const sc_cell *find_cell(const sc_block *t, const char *text,
                                int *row)
{
    for (int r = 0; r < t->nrows; r++)
        for (int c = 0; c < t->rows[r].ncells; c++)
            if (strcmp(t->rows[r].cells[c].text, text) == 0) {
                if (row)
                    *row = r;
                return &t->rows[r].cells[c];
            }
    return NULL;
}

#define TPL_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* ---- tests -------------------------------------------------------------- */

static void kefu_binds_basic(void **state)
{
    (void)state;
    sc_template *t = load_ok(SRC "/templates/kefu-monthly.xml");
    assert_string_equal(sc_template_name(t), "kefu-monthly");
    /* through the reader: the sheet prints the engine's figures
     * (result/@kpi-sum, bonus/@amount), which only a scored record has */
    sc_reader *rd = NULL;
    sc_record *rec = NULL;
    sc_error err;
    assert_int_equal(sc_reader_open(&rd, SRC "/tests/cases/basic/data.xml", NULL, NULL, &err),
                     SC_OK);
    assert_int_equal(sc_reader_next(rd, &rec, &err), SC_OK);
    sc_arena *a = sc_arena_new();
    sc_bound *b = NULL;
    sc_status st = sc_bind(t, rec, a, &b, &err);
    if (st != SC_OK)
        fail_msg("%s:%d: %s", err.file, err.line, err.message);

    /* A4 portrait, margins in pt, footer inside the bottom margin */
    assert_true(b->page_w > 595 && b->page_w < 596);
    assert_true(b->page_h > 841 && b->page_h < 842);
    assert_true(b->footer_y > b->page_h - b->margin[2]);
    assert_true(b->header_y < b->margin[0]);
    assert_string_equal(b->title, "KF001 张晓明");
    assert_null(b->watermark); /* status="final" */

    /* title: heading role, bold, centered */
    const sc_block *title = NULL;
    for (int i = 0; i < b->nbody; i++)
        if (b->body[i].kind == SC_BLK_PARA &&
            strstr(b->body[i].text, "月度绩效考核表"))
            title = &b->body[i];
    assert_non_null(title);
    assert_string_equal(title->text, "客户服务部 月度绩效考核表");
    assert_int_equal(title->style->role, SC_ROLE_HEADING);
    assert_true(title->style->bold);
    assert_int_equal(title->style->align, SC_ALIGN_CENTER);

    /* period and document number */
    const sc_block *meta = find_table(b->body, b->nbody, 2);
    assert_non_null(meta);
    assert_string_equal(meta->rows[0].cells[0].text,
                        "考核期间：2026年10月01日～2026年10月31日");
    assert_string_equal(meta->rows[0].cells[1].text,
                        "文档编号：KF-202610-KF001");

    /* KPI table: header row first, category merged over its KPIs */
    const sc_block *kpi = find_table(b->body, b->nbody, 9);
    assert_non_null(kpi);
    assert_int_equal(kpi->rows[0].kind, SC_ROW_HEADER);
    int r;
    const sc_cell *q = find_cell(kpi, "定量指标(60%)", &r);
    assert_non_null(q);
    assert_int_equal(q->rowspan, 2);
    assert_int_equal(kpi->rows[r].ncells, 9);
    assert_int_equal(kpi->rows[r + 1].ncells, 8); /* omits the merged cell */
    assert_string_equal(kpi->rows[r + 1].cells[0].text, "2");
    const sc_cell *s = find_cell(kpi, "定性指标(40%)", NULL);
    assert_non_null(s);
    assert_int_equal(s->rowspan, 1);
    assert_non_null(find_cell(kpi, "在线客服首次响应时间≤30秒、电话客服≤15秒"
                                   "得满分；每超出标准5秒扣3分，扣完为止。",
                              NULL));

    /* total row: weights and the formatted sum of scores */
    int tr = -1;
    for (int i = 0; i < kpi->nrows; i++)
        if (kpi->rows[i].kind == SC_ROW_TOTAL)
            tr = i;
    assert_true(tr > 0);
    assert_string_equal(kpi->rows[tr].cells[0].text, "合计");
    assert_string_equal(kpi->rows[tr].cells[1].text, "100%");
    assert_string_equal(kpi->rows[tr].cells[3].text, "98.22");
    /* optional rows present because the data has them */
    /* the range is the scheme's (adjustments/@min, @max); this batch has none */
    assert_non_null(find_cell(kpi, "特别表现", NULL));
    const sc_cell *raters = find_cell(kpi, "多方评分", NULL);
    assert_non_null(raters);
    assert_int_equal(raters->rowspan, 3);
    assert_non_null(find_cell(kpi, "100.22", NULL));
    assert_non_null(find_cell(kpi, "考核人：响应及时，问题解决率稳定在目标之上；"
                                   "质检中话术规范性仍需加强。", NULL));

    /* month bonus table */
    const sc_block *bonus = find_table(b->body, b->nbody, 3);
    assert_non_null(bonus);
    assert_true(bonus->keep_together);
    assert_string_equal(bonus->rows[1].cells[0].text, "2000.00");
    assert_string_equal(bonus->rows[1].cells[1].text, "100.22");
    assert_string_equal(bonus->rows[1].cells[2].text, "2004.40");

    /* signature group: kept together, a line to sign on per role */
    const sc_block *sig = NULL;
    for (int i = 0; i < b->nbody; i++)
        if (b->body[i].kind == SC_BLK_GROUP)
            sig = &b->body[i];
    assert_non_null(sig);
    assert_true(sig->keep_together);
    assert_int_equal(sig->nchildren, 2);
    const sc_block *st3 = &sig->children[0];
    assert_int_equal(st3->kind, SC_BLK_TABLE);
    assert_int_equal(st3->ncols, 3);
    assert_string_equal(st3->rows[0].cells[0].text, "被考核人签字：");
    for (int c = 0; c < 3; c++) {
        assert_true(st3->rows[0].cells[c].sign_line);
        assert_true(st3->rows[0].cells[c].no_border);
    }
    /* a row for names and a row for dates, level across the columns */
    assert_int_equal(st3->nrows, 3);
    assert_string_equal(st3->rows[1].cells[2].text, "姓名：王秀英");
    assert_string_equal(st3->rows[2].cells[2].text, "日期：2026年11月04日");
    assert_int_equal(sig->children[1].kind, SC_BLK_PARA);
    assert_non_null(strstr(sig->children[1].text,
                           "被考核人在接到该表确认后不签名则视为默认"));

    /* footer placeholders */
    assert_int_equal(b->nfooter, 1);
    assert_string_equal(b->footer[0].text,
                        "第 " SC_PH_PAGE " 页 / 共 " SC_PH_PAGES " 页");
    assert_true(b->nheader >= 1);

    sc_arena_free(a);
    sc_record_free(rec);
    sc_reader_free(rd);
    sc_template_free(t);
}

static const char dakehu_data[] =
    "<batch version=\"1\" template=\"dakehu-manager-monthly\" status=\"draft\">\n"
    "<company>华东云联科技有限公司</company><department>大客户部</department>\n"
    "<period kind=\"month\" year=\"2026\" month=\"10\" start=\"2026-10-01\" "
    "end=\"2026-10-31\">2026年10月</period>\n"
    "<document-prefix>DK-202610</document-prefix>\n"
    "<employee id=\"DK007\"><name>陈立</name><position>大客户经理</position>\n"
    "<kpis>\n"
    "<category name=\"销售任务\" weight=\"60\">\n"
    " <kpi><weight>40</weight><rule>每低于目标5%扣3分</rule><source>销售部</source><score>36</score></kpi>\n"
    " <kpi><weight>20</weight><rule>新增一个客户加5分/次</rule><source>销售部</source><score>20</score></kpi>\n"
    "</category>\n"
    "<category name=\"工作纪律\" weight=\"20\">\n"
    " <kpi><weight>20</weight><rule>扣2分/次</rule><source>行政部</source><score>18</score></kpi>\n"
    "</category>\n"
    "<category name=\"考勤管理\" weight=\"20\">\n"
    " <kpi><weight>20</weight><rule>迟到1次扣1分</rule><source>行政部</source><score>19.5</score></kpi>\n"
    "</category>\n"
    "</kpis><total>93.5</total>\n"
    "<bonus base=\"3000.00\" year-total=\"8355.30\">\n"
    " <month n=\"1\" score=\"90\" amount=\"2700.10\"/>\n"
    " <month n=\"2\" score=\"95\" amount=\"2850.20\"/>\n"
    " <month n=\"3\" score=\"88\"/>\n"
    " <month n=\"10\" score=\"93.5\" amount=\"2805.00\"/>\n"
    "</bonus>\n"
    "<signatures><signature role=\"被考核人\" name=\"陈立\"/></signatures>\n"
    "</employee></batch>\n";

static void dakehu_year_bonus(void **state)
{
    (void)state;
    sc_template *t = load_ok(SRC "/templates/dakehu-manager-monthly.xml");
    assert_string_equal(sc_template_name(t), "dakehu-manager-monthly");
    rec_fix f;
    rec_mem(&f, dakehu_data, "/tmp/dakehu.xml");
    sc_arena *a = sc_arena_new();
    sc_bound *b = NULL;
    sc_error err;
    sc_status st = sc_bind(t, &f.rec, a, &b, &err);
    if (st != SC_OK)
        fail_msg("%s:%d: %s", err.file, err.line, err.message);
    assert_non_null(b->watermark);
    assert_string_equal(b->watermark, "草稿");

    const sc_block *kpi = find_table(b->body, b->nbody, 7);
    assert_non_null(kpi);
    int r;
    const sc_cell *c = find_cell(kpi, "销售任务", &r);
    assert_non_null(c);
    assert_int_equal(c->rowspan, 2);
    /* the 序号 column merges with the category: 一 over two rows */
    assert_string_equal(kpi->rows[r].cells[0].text, "一");
    assert_int_equal(kpi->rows[r].cells[0].rowspan, 2);
    assert_int_equal(kpi->rows[r + 1].ncells, 5);
    assert_non_null(find_cell(kpi, "三", NULL));
    assert_non_null(find_cell(kpi, "合计分数", NULL));
    assert_non_null(find_cell(kpi, "93.50", NULL));
    assert_non_null(find_cell(kpi, "100", NULL));

    const sc_block *year = find_table(b->body, b->nbody, 14);
    assert_non_null(year);
    assert_true(year->keep_together);
    assert_int_equal(year->nrows, 3);
    assert_string_equal(year->rows[0].cells[13].text, "合计");
    /* every month's score in the format of the figure total (0.00) */
    assert_string_equal(year->rows[1].cells[10].text, "93.50");
    /* the amounts are the engine's (written into the record); the table
     * computes none: month 3 has a score but no amount, and stays empty */
    assert_string_equal(year->rows[2].cells[10].text, "2805.00");
    assert_string_equal(year->rows[1].cells[3].text, "88.00");
    assert_string_equal(year->rows[2].cells[3].text, "");
    /* 合计 is the engine's bonus/@year-total, not a sum made here */
    assert_string_equal(year->rows[2].cells[13].text, "8355.30");
    assert_string_equal(year->rows[1].cells[13].text, "");

    /* signatures: missing date gives the blank date line */
    const sc_block *sig = NULL;
    for (int i = 0; i < b->nbody; i++)
        if (b->body[i].kind == SC_BLK_GROUP)
            sig = &b->body[i];
    assert_non_null(sig);
    assert_string_equal(sig->children[0].rows[1].cells[0].text, "姓名：陈立");
    assert_string_equal(sig->children[0].rows[2].cells[0].text,
                        "日期：____年__月__日");
    /* a signer without a name: the date stays in the date row, level
     * with the others, under an empty name cell */
    assert_string_equal(sig->children[0].rows[1].cells[1].text, "");
    assert_string_equal(sig->children[0].rows[2].cells[1].text,
                        "日期：____年__月__日");

    sc_arena_free(a);
    rec_done(&f);
    sc_template_free(t);
}

static void bad_xpath_names_line(void **state)
{
    (void)state;
    char path[64];
    diags d = {0};
    sc_error err;
    sc_status st = load_text(TPL_HEAD
                             "<template name=\"x\">\n"
                             "<body>\n"
                             "<text>ok <value select=\"name\"/></text>\n"
                             "<text><value select=\"concat((name\"/></text>\n"
                             "<if test=\"][\"><text>a</text></if>\n"
                             "</body>\n"
                             "</template>\n",
                             path, sizeof path, &d, &err);
    assert_int_equal(st, SC_ERR_XPATH);
    assert_int_equal(err.line, 5);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.message, "concat((name"));
    /* both bad expressions are reported */
    assert_int_equal(d.n, 2);
    assert_int_equal(d.e[1].line, 6);
    unlink(path);
}

static void schema_violation_names_line(void **state)
{
    (void)state;
    char path[64];
    diags d = {0};
    sc_error err;
    sc_status st = load_text(TPL_HEAD
                             "<template name=\"x\">\n"
                             "<body>\n"
                             "<text>fine</text>\n"
                             "<bogus/>\n"
                             "</body>\n"
                             "</template>\n",
                             path, sizeof path, &d, &err);
    assert_int_equal(st, SC_ERR_SCHEMA);
    assert_string_equal(err.file, path);
    assert_true(d.n >= 1);
    int seen = 0;
    for (int i = 0; i < d.n; i++) {
        assert_int_equal(d.e[i].code, SC_ERR_SCHEMA);
        assert_string_equal(d.e[i].file, path);
        seen |= d.e[i].line == 5 && strstr(d.e[i].message, "bogus");
    }
    assert_true(seen);
    assert_true(err.line > 0);
    unlink(path);
}

static void column_mismatch_at_load(void **state)
{
    (void)state;
    char path[64];
    diags d = {0};
    sc_error err;
    sc_status st = load_text(TPL_HEAD
                             "<template name=\"x\">\n"
                             "<body>\n"
                             "<table columns=\"20mm * *\">\n"
                             "<row><cell>a</cell><cell colspan=\"2\">b</cell></row>\n"
                             "<row><cell>a</cell><cell>b</cell></row>\n"
                             "</table>\n"
                             "</body>\n"
                             "</template>\n",
                             path, sizeof path, &d, &err);
    assert_int_equal(st, SC_ERR_TEMPLATE);
    assert_int_equal(err.line, 6);
    assert_non_null(strstr(err.message, "2 columns"));
    unlink(path);
}

static void column_mismatch_at_bind(void **state)
{
    (void)state;
    char path[64];
    /* The rowspan reaches into a row that exists only if the test holds:
     * only binding can tell. */
    write_tmp(path, sizeof path,
              TPL_HEAD
              "<template name=\"x\">\n"
              "<body>\n"
              "<table columns=\"* *\">\n"
              "<row><cell rowspan=\"2\">a</cell><cell>b</cell></row>\n"
              "<if test=\"name = 'nobody'\"><row><cell>c</cell></row></if>\n"
              "<row><cell>d</cell><cell>e</cell></row>\n"
              "</table>\n"
              "</body>\n"
              "</template>\n");
    sc_template *t = load_ok(path);
    rec_fix f;
    rec_load(&f, SRC "/tests/cases/basic/data.xml");
    sc_arena *a = sc_arena_new();
    sc_bound *b = NULL;
    sc_error err;
    assert_int_equal(sc_bind(t, &f.rec, a, &b, &err), SC_ERR_TEMPLATE);
    assert_null(b);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, 7);
    assert_string_equal(err.employee, "KF001");
    sc_arena_free(a);
    rec_done(&f);
    sc_template_free(t);
    unlink(path);
}

static void runtime_xpath_error(void **state)
{
    (void)state;
    char path[64];
    write_tmp(path, sizeof path,
              TPL_HEAD
              "<template name=\"x\">\n"
              "<body>\n"
              "<text><value select=\"no-such-function(name)\"/></text>\n"
              "</body>\n"
              "</template>\n");
    sc_template *t = NULL;
    sc_error err;
    sc_status st = sc_template_load(&t, path, NULL, NULL, &err);
    if (st == SC_ERR_XPATH) {
        /* libxml2 may already know at compile time */
        assert_int_equal(err.line, 4);
    } else {
        assert_int_equal(st, SC_OK);
        rec_fix f;
        rec_load(&f, SRC "/tests/cases/basic/data.xml");
        sc_arena *a = sc_arena_new();
        sc_bound *b = NULL;
        assert_int_equal(sc_bind(t, &f.rec, a, &b, &err), SC_ERR_XPATH);
        assert_int_equal(err.line, 4);
        assert_string_equal(err.employee, "KF001");
        sc_arena_free(a);
        rec_done(&f);
    }
    sc_template_free(t);
    unlink(path);
}

static void doctype_refused(void **state)
{
    (void)state;
    char path[64];
    diags d = {0};
    sc_error err;
    sc_status st = load_text(TPL_HEAD
                             "<!DOCTYPE template [<!ENTITY x \"boom\">]>\n"
                             "<template name=\"x\"><body><text>&x;</text>"
                             "</body></template>\n",
                             path, sizeof path, &d, &err);
    assert_int_equal(st, SC_ERR_FORBIDDEN);
    unlink(path);
}

static void unknown_style_and_cycle(void **state)
{
    (void)state;
    char path[64];
    diags d = {0};
    sc_error err;
    sc_status st = load_text(TPL_HEAD
                             "<template name=\"x\">\n"
                             "<styles>\n"
                             "<style name=\"a\" base=\"b\"/>\n"
                             "<style name=\"b\" base=\"a\"/>\n"
                             "</styles>\n"
                             "<body><text style=\"nope\">x</text></body>\n"
                             "</template>\n",
                             path, sizeof path, &d, &err);
    assert_int_equal(st, SC_ERR_TEMPLATE);
    int cycle = 0, unknown = 0;
    for (int i = 0; i < d.n; i++) {
        cycle |= strstr(d.e[i].message, "inherits from itself") != NULL;
        unknown |= d.e[i].line == 7 && strstr(d.e[i].message, "nope");
    }
    assert_true(cycle);
    assert_true(unknown);
    unlink(path);
}

static void style_inheritance(void **state)
{
    (void)state;
    char path[64];
    write_tmp(path, sizeof path,
              TPL_HEAD
              "<template name=\"x\">\n"
              "<styles>\n"
              "<style name=\"child\" base=\"parent\" size=\"12\"/>\n"
              "<style name=\"parent\" font=\"kai\" bold=\"true\" padding=\"1pt 2pt\"/>\n"
              "<style name=\"default\" size=\"11\" leading=\"1.5\"/>\n"
              "</styles>\n"
              "<body><text style=\"child\">a\n   b <br/>c</text></body>\n"
              "</template>\n");
    sc_template *t = load_ok(path);
    rec_fix f;
    rec_load(&f, SRC "/tests/cases/basic/data.xml");
    sc_arena *a = sc_arena_new();
    sc_bound *b = NULL;
    sc_error err;
    assert_int_equal(sc_bind(t, &f.rec, a, &b, &err), SC_OK);
    const sc_style *s = b->body[0].style;
    assert_int_equal(s->role, SC_ROLE_KAI);
    assert_true(s->bold);
    assert_true(s->size == 12);
    assert_true(s->leading == 1.5); /* from default, through parent */
    assert_true(s->pad[0] == 1 && s->pad[1] == 2 && s->pad[3] == 2);
    /* newline runs vanish, spaces inside a line stay, <br/> breaks */
    assert_string_equal(b->body[0].text, "ab \nc");
    sc_arena_free(a);
    rec_done(&f);
    sc_template_free(t);
    unlink(path);
}

/* A record read the real way (data.c + score.c), so the scheme is in it. */
static sc_record *read_first(const char *path, sc_reader **r)
{
    sc_error err;
    sc_record *rec = NULL;
    if (sc_reader_open(r, path, NULL, NULL, &err) != SC_OK)
        fail_msg("%s:%d: %s", err.file, err.line, err.message);
    if (sc_reader_next(*r, &rec, &err) != SC_OK)
        fail_msg("%s:%d: %s", err.file, err.line, err.message);
    return rec;
}

/* The 售后服务主管 sheet prints its 考核标准 from the scheme's numbers
 * (kpi/scheme-rule) with inline <if>/<for-each>: the data's rule texts no
 * longer carry them, yet the sheet says exactly what computed the score. */
static void standards_from_scheme(void **state)
{
    (void)state;
    sc_template *t = load_ok(SRC "/templates/aftersales-supervisor-quarterly.xml");
    sc_reader *r = NULL;
    sc_record *rec = read_first(SRC "/examples/aftersales-supervisor-2026-q3.xml", &r);
    sc_arena *a = sc_arena_new();
    sc_bound *b = NULL;
    sc_error err;
    if (sc_bind(t, rec, a, &b, &err) != SC_OK)
        fail_msg("%s:%d: %s", err.file, err.line, err.message);
    const sc_block *kpis = NULL; /* the KPI table, not the 6-column info table */
    for (int i = 0; i < b->nbody && !kpis; i++)
        if (b->body[i].kind == SC_BLK_TABLE && find_cell(&b->body[i], "考核标准", NULL))
            kpis = &b->body[i];
    assert_non_null(kpis);
    assert_non_null(find_cell(kpis, "售后服务费用在预算之内，得满分；每超出预算1%，减2分；"
                                     "超出预算5%，不得分", NULL));
    assert_non_null(find_cell(kpis, "在规定时间内（接报后2小时内响应、24小时内到场），根据服务"
                                     "要求及时解决，得满分；因响应时间长而每出现投诉1次，减5分；"
                                     "投诉累计3次以上，不得分", NULL));
    assert_non_null(find_cell(kpis, "考核期内，从未被客户投诉，得满分；每被有效投诉1次，减3分；"
                                     "被有效投诉次数累计超过3次，不得分", NULL));
    assert_non_null(find_cell(kpis, "客户回访率达到95%，得满分；每低1%，减1分；低于85%，"
                                     "不得分", NULL));
    assert_non_null(find_cell(kpis, "始终以客户为中心，服务热情周到（5分）\n服务意识较强，能耐心"
                                     "对待客户（3分）\n服务意识一般，偶有客户不满（2分）\n服务"
                                     "意识差，被客户投诉态度问题（0分）", NULL));
    sc_arena_free(a);
    sc_record_free(rec);
    sc_reader_free(r);
    sc_template_free(t);
}

/* Scheme values bound by a small template: the whole scheme
 * (/batch/scheme), each KPI's rule, inline <if> and <for-each>; and the
 * labels of <signatures> and <bonus-table>. */
static void scheme_values_and_labels(void **state)
{
    (void)state;
    char path[64];
    write_tmp(path, sizeof path,
              TPL_HEAD
              "<template name=\"x\"><body>\n"
              "<text><value select=\"/batch/scheme/@name\"/>: <value select=\"/batch/scheme/bonus/@type\"/>"
              "</text>\n"
              "<table columns=\"* *\">\n"
              "<rows select=\"kpis/category/kpi[@id='y4' or @id='m2']\">\n"
              "<cell select=\"@rule-type\"/>\n"
              "<cell><if test=\"@rule-type = 'step'\">每低<value select=\"scheme-rule/@step-below\"/>"
              "%扣<value select=\"scheme-rule/@points-below\"/>分</if><if test=\"@rule-type = "
              "'choice'\"><for-each select=\"scheme-rule/level\"><if test=\"position() &gt; 1\">/"
              "</if><value select=\"@id\"/>=<value select=\"@points\"/></for-each></if></cell>\n"
              "</rows></table>\n"
              "<bonus-table select=\"bonus\" format=\"0.00\" base-label=\"月度績效獎金基數\" "
              "score-label=\"考核得分\" amount-label=\"當月績效獎金\"/>\n"
              "<signatures select=\"signatures/signature\" roles=\"被考核人 审批人\" "
              "sign-label=\"簽字：\" name-label=\"姓名：\" date-label=\"日期：\" "
              "date-blank=\"＿年＿月＿日\"/>\n"
              "<bonus-table select=\"bonus\" mode=\"year\"/>\n"
              "</body></template>\n");
    sc_template *t = load_ok(path);
    sc_reader *r = NULL;
    sc_record *rec = read_first(SRC "/examples/aftersales-supervisor-2026-q3.xml", &r);
    sc_arena *a = sc_arena_new();
    sc_bound *b = NULL;
    sc_error err;
    if (sc_bind(t, rec, a, &b, &err) != SC_OK)
        fail_msg("%s:%d: %s", err.file, err.line, err.message);
    assert_string_equal(b->body[0].text, "aftersales-supervisor-2026: proportional");
    const sc_block *tb = find_table(b->body, b->nbody, 2);
    assert_non_null(tb);
    assert_non_null(find_cell(tb, "每低1%扣1分", NULL));
    assert_non_null(find_cell(tb, "A=5/B=3/C=2/D=0", NULL));
    assert_non_null(find_cell(tb, "choice", NULL));
    const sc_block *bonus = find_table(b->body, b->nbody, 3);
    assert_non_null(bonus);
    assert_string_equal(bonus->rows[0].cells[0].text, "月度績效獎金基數");
    assert_string_equal(bonus->rows[0].cells[2].text, "當月績效獎金");
    assert_string_equal(bonus->rows[1].cells[1].text, "90.00"); /* format="0.00" */
    const sc_block *sig = NULL;
    for (int i = 0; i < b->nbody; i++)
        if (b->body[i].kind == SC_BLK_GROUP)
            sig = &b->body[i];
    assert_non_null(sig);
    const sc_block *st = &sig->children[0];
    assert_string_equal(st->rows[0].cells[0].text, "被考核人簽字：");
    assert_string_equal(st->rows[1].cells[0].text, "姓名：赵立新");
    assert_string_equal(st->rows[2].cells[0].text, "日期：2026年10月12日");
    assert_string_equal(st->rows[0].cells[1].text, "审批人簽字：");
    assert_string_equal(st->rows[1].cells[1].text, ""); /* no such signature */
    assert_string_equal(st->rows[2].cells[1].text, "日期：＿年＿月＿日");
    /* the year table keeps its Simplified defaults (得分 in year mode) */
    const sc_block *year = find_table(b->body, b->nbody, 14);
    assert_non_null(year);
    assert_string_equal(year->rows[0].cells[0].text, "月份");
    assert_string_equal(year->rows[1].cells[0].text, "得分");
    assert_string_equal(year->rows[0].cells[13].text, "合计");
    sc_arena_free(a);
    sc_record_free(rec);
    sc_reader_free(r);
    sc_template_free(t);
    unlink(path);
}

static void missing_signature_image(void **state)
{
    (void)state;
    const char *xml =
        "<batch><employee id=\"E1\"><signatures>\n"
        "<signature role=\"考核人\" image=\"no-such-dir/sig.png\"/>\n"
        "</signatures></employee></batch>";
    rec_fix f;
    rec_mem(&f, xml, "/tmp/sc-test-data.xml");
    sc_template *t = load_ok(SRC "/templates/kefu-monthly.xml");
    sc_arena *a = sc_arena_new();
    sc_bound *b = NULL;
    sc_error err;
    assert_int_equal(sc_bind(t, &f.rec, a, &b, &err), SC_ERR_DATA);
    assert_string_equal(err.employee, "E1");
    assert_non_null(strstr(err.field, "考核人"));
    assert_non_null(strstr(err.message, "/tmp/no-such-dir/sig.png"));
    assert_int_equal(err.line, 2);
    sc_arena_free(a);
    rec_done(&f);
    sc_template_free(t);
}

static void find_templates(void **state)
{
    (void)state;
    char out[1024];
    sc_error err;
    assert_int_equal(sc_template_find(out, sizeof out, "kefu-monthly", NULL, NULL, NULL, &err), SC_OK);
    assert_non_null(strstr(out, "templates/kefu-monthly.xml"));
    assert_int_equal(sc_template_find(out, sizeof out, "../etc/passwd", NULL, NULL, NULL, &err), SC_ERR_FORBIDDEN);
    assert_int_equal(sc_template_find(out, sizeof out, "a/b", NULL, NULL, NULL, &err), SC_ERR_FORBIDDEN);
    assert_int_equal(sc_template_find(out, sizeof out, "no-such", NULL, NULL, NULL, &err), SC_ERR_IO);
    assert_int_equal(sc_template_find(out, sizeof out, "kefu-monthly", SRC "/templates", NULL, NULL, &err), SC_OK);
    assert_int_equal(sc_template_find(out, sizeof out, "kefu-monthly", "/nonexistent", NULL, NULL, &err), SC_ERR_IO);
    /* the search folder comes before the shipped folders */
    assert_int_equal(sc_template_find(out, sizeof out, "dakehu-manager-monthly", NULL,
                                      "/nonexistent/data.xml", SRC "/templates", &err),
                     SC_OK);
    assert_string_equal(out, SRC "/templates/dakehu-manager-monthly.xml");
    /* the library reads no environment: the CLI passes the search folder */
    setenv("SCORECARD_TEMPLATES", "/nonexistent", 1);
    assert_int_equal(sc_template_find(out, sizeof out, "kefu-monthly", NULL, NULL, NULL, &err),
                     SC_OK);
    unsetenv("SCORECARD_TEMPLATES");
}

static void case_inputs_bind(void **state)
{
    (void)state;
    /* Every golden case binds: its template (own or named) and data. */
    static const char *cases[] = {
        "basic", "merge-categories", "long-rule", "conditional-present",
        "conditional-absent", "page-break-table", "signature-bottom",
        "year-bonus", "watermark",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char data[1024], tpath[1024];
        snprintf(data, sizeof data, SRC "/tests/cases/%s/data.xml", cases[i]);
        snprintf(tpath, sizeof tpath, SRC "/tests/cases/%s/template.xml",
                 cases[i]);
        rec_fix f;
        rec_load(&f, data);
        if (access(tpath, R_OK) != 0) {
            xmlChar *name = xmlGetProp(xmlDocGetRootElement(f.rec.doc),
                                       (const xmlChar *)"template");
            assert_non_null(name);
            sc_error err;
            assert_int_equal(sc_template_find(tpath, sizeof tpath,
                                              (const char *)name,
                                              SRC "/templates", NULL, NULL, &err),
                             SC_OK);
            xmlFree(name);
        }
        sc_template *t = load_ok(tpath);
        sc_arena *a = sc_arena_new();
        sc_bound *b = NULL;
        sc_error err;
        sc_status st = sc_bind(t, &f.rec, a, &b, &err);
        if (st != SC_OK)
            fail_msg("case %s: %s:%d: %s", cases[i], err.file, err.line,
                     err.message);
        assert_true(b->nbody > 0);
        sc_arena_free(a);
        rec_done(&f);
        sc_template_free(t);
    }
}


/* ---- charts (issue 5) ----------------------------------------------------- */

static const char chart_tpl[] =
    TPL_HEAD
    "<template name=\"c\">\n"
    "<body>\n"
    "<chart type=\"line\" select=\"bonus/month\" label=\"concat(@n, '月')\"\n"
    "       value=\"@score\" format=\"0.0\" min=\"0\" max=\"120\" width=\"50%\"\n"
    "       height=\"60mm\" title=\"月度得分\"/>\n"
    "<chart type=\"radar\" select=\"comp/c\" label=\"@name\" height=\"70mm\">\n"
    "  <series name=\"要求\" value=\"@req\" dash=\"true\" values=\"false\"/>\n"
    "  <series name=\"评估\" value=\"@got\" fill=\"0.8\" gray=\"0.1\"/>\n"
    "</chart>\n"
    "</body>\n"
    "</template>\n";

static void chart_binds_series(void **state)
{
    (void)state;
    char path[64];
    write_tmp(path, sizeof path, chart_tpl);
    sc_template *t = load_ok(path);
    rec_fix f;
    rec_mem(&f,
            "<batch><employee id=\"E1\"><bonus>"
            "<month n=\"1\" score=\"95\"/><month n=\"2\" score=\"\"/>"
            "<month n=\"3\" score=\"91.25\"/></bonus><comp>"
            "<c name=\"沟通能力\" req=\"4\" got=\"3.5\"/>"
            "<c name=\"执行力\" req=\"4\" got=\"4.5\"/>"
            "<c name=\"专业知识\" req=\"3\" got=\"3\"/>"
            "</comp></employee></batch>",
            "d.xml");
    sc_arena *a = sc_arena_new();
    sc_bound *b = NULL;
    sc_error err;
    assert_int_equal(sc_bind(t, &f.rec, a, &b, &err), SC_OK);
    assert_int_equal(b->nbody, 2);

    const sc_block *k = &b->body[0];
    assert_int_equal(k->kind, SC_BLK_CHART);
    assert_int_equal(k->keep_together, 1);
    const sc_chart *c = k->chart;
    assert_non_null(c);
    assert_int_equal(c->type, SC_CHART_LINE);
    assert_string_equal(c->title, "月度得分");
    assert_int_equal(c->n, 3);
    assert_string_equal(c->labels[0], "1月");
    assert_string_equal(c->labels[2], "3月");
    assert_int_equal(c->nseries, 1);
    assert_float_equal(c->series[0].values[0], 95, 1e-9);
    assert_true(isnan(c->series[0].values[1])); /* empty: no value */
    assert_float_equal(c->series[0].values[2], 91.25, 1e-9);
    assert_string_equal(c->series[0].texts[0], "95.0");
    assert_string_equal(c->series[0].texts[1], "");
    assert_string_equal(c->series[0].texts[2], "91.3"); /* half away */
    assert_int_equal(c->series[0].show_values, 1);
    assert_float_equal(c->min, 0, 1e-9);
    assert_float_equal(c->max, 120, 1e-9);
    /* 50% of the body: A4 minus the default 12mm side margins */
    assert_float_equal(c->width, (595.276 - 24 * 72 / 25.4) / 2, 0.01);
    assert_float_equal(c->height, 60 * 72 / 25.4, 0.01);

    c = b->body[1].chart;
    assert_int_equal(c->type, SC_CHART_RADAR);
    assert_int_equal(c->nseries, 2);
    assert_string_equal(c->labels[1], "执行力");
    assert_string_equal(c->series[0].name, "要求");
    assert_int_equal(c->series[0].dash, 1);
    assert_int_equal(c->series[0].show_values, 0);
    assert_true(c->series[0].fill < 0);
    assert_float_equal(c->series[1].fill, 0.8, 1e-9);
    assert_float_equal(c->series[1].gray, 0.1, 1e-9);
    assert_float_equal(c->series[1].values[1], 4.5, 1e-9);
    assert_true(isnan(c->min) && isnan(c->max)); /* automatic */
    assert_float_equal(c->width, 595.276 - 24 * 72 / 25.4, 0.01);
    sc_arena_free(a);
    rec_done(&f);

    /* a value that is not a number names the employee and the data line */
    rec_mem(&f,
            "<batch><employee id=\"E2\"><bonus>\n"
            "<month n=\"1\" score=\"九十\"/></bonus></employee></batch>",
            "d.xml");
    a = sc_arena_new();
    assert_int_equal(sc_bind(t, &f.rec, a, &b, &err), SC_ERR_DATA);
    assert_non_null(strstr(err.message, "not a number"));
    assert_string_equal(err.employee, "E2");
    assert_int_equal(err.line, 2);
    sc_arena_free(a);
    rec_done(&f);

    /* a radar of two points */
    rec_mem(&f,
            "<batch><employee id=\"E3\"><comp><c name=\"a\" req=\"1\" got=\"1\"/>"
            "<c name=\"b\" req=\"1\" got=\"1\"/></comp></employee></batch>",
            "d.xml");
    a = sc_arena_new();
    assert_int_equal(sc_bind(t, &f.rec, a, &b, &err), SC_ERR_DATA);
    assert_non_null(strstr(err.message, "at least 3 points"));
    sc_arena_free(a);
    rec_done(&f);
    sc_template_free(t);
    unlink(path);
}

static void chart_errors_at_load(void **state)
{
    (void)state;
    char path[64];
    diags d = {0};
    sc_error err;
    /* value= and <series> together; neither */
    sc_status st = load_text(TPL_HEAD
                             "<template name=\"x\">\n"
                             "<body>\n"
                             "<chart type=\"bar\" select=\"a\" label=\"@n\" value=\"@v\" height=\"50mm\">\n"
                             "  <series value=\"@w\"/></chart>\n"
                             "<chart type=\"bar\" select=\"a\" label=\"@n\" height=\"50mm\"/>\n"
                             "</body>\n"
                             "</template>\n",
                             path, sizeof path, &d, &err);
    assert_int_equal(st, SC_ERR_TEMPLATE);
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.message, "not both"));
    assert_int_equal(d.n, 2);
    assert_int_equal(d.e[1].line, 6);
    assert_non_null(strstr(d.e[1].message, "needs value="));
    unlink(path);

    /* bad XPath in label, max below min, too low, too wide */
    d.n = 0;
    st = load_text(TPL_HEAD
                   "<template name=\"x\">\n"
                   "<body>\n"
                   "<chart type=\"line\" select=\"a\" label=\"concat((@n\" value=\"@v\"\n"
                   "       height=\"50mm\"/>\n"
                   "<chart type=\"line\" select=\"a\" label=\"@n\" value=\"@v\"\n"
                   "       min=\"10\" max=\"5\" height=\"10mm\" width=\"300mm\"/>\n"
                   "<chart type=\"pie\" select=\"a\" label=\"@n\" value=\"@v\" height=\"50mm\"/>\n"
                   "</body>\n"
                   "</template>\n",
                   path, sizeof path, &d, &err);
    assert_true(st == SC_ERR_XPATH || st == SC_ERR_SCHEMA);
    unlink(path);
    /* without the schema violation: every semantic problem is listed */
    d.n = 0;
    st = load_text(TPL_HEAD
                   "<template name=\"x\">\n"
                   "<body>\n"
                   "<chart type=\"line\" select=\"a\" label=\"concat((@n\" value=\"@v\" height=\"50mm\"/>\n"
                   "<chart type=\"line\" select=\"a\" label=\"@n\" value=\"@v\" min=\"10\" max=\"5\" height=\"10mm\" width=\"300mm\"/>\n"
                   "</body>\n"
                   "</template>\n",
                   path, sizeof path, &d, &err);
    assert_int_equal(st, SC_ERR_XPATH);
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.message, "concat((@n"));
    const char *want[3] = {"greater than min", "wider than the body",
                           "at least 20mm"};
    for (int w = 0; w < 3; w++) {
        int found = 0;
        for (int i = 0; i < d.n; i++)
            if (strstr(d.e[i].message, want[w]) && d.e[i].line == 5)
                found = 1;
        if (!found)
            fail_msg("no diagnostic \"%s\" at line 5", want[w]);
    }
    unlink(path);
}

/* ---- plain paths (bind.c follows them without libxml2's evaluator) ------ */

/* o and libxml2's value of expr at node are the same node set, in the
 * same order. */
static void same_set(xmlXPathObjectPtr o, xmlXPathContextPtr xp, xmlXPathCompExprPtr expr,
                     xmlNodePtr node, const char *src)
{
    xp->node = node;
    xp->contextSize = xp->proximityPosition = 1;
    xmlXPathObjectPtr want = xmlXPathCompiledEval(expr, xp);
    assert_non_null(want);
    assert_int_equal(want->type, XPATH_NODESET);
    assert_int_equal(o->type, XPATH_NODESET);
    int nw = want->nodesetval ? want->nodesetval->nodeNr : 0;
    int ng = o->nodesetval ? o->nodesetval->nodeNr : 0;
    if (nw != ng)
        fail_msg("%s at <%s>: %d nodes, libxml2 %d", src, (const char *)node->name, ng, nw);
    for (int k = 0; k < nw; k++)
        assert_ptr_equal(o->nodesetval->nodeTab[k], want->nodesetval->nodeTab[k]);
    xmlXPathFreeObject(want);
}

/* Every node of the tree under n and its attributes, as context. */
static int each_context(xmlNodePtr n, xmlXPathContextPtr xp, xmlXPathCompExprPtr expr,
                        const char *src)
{
    int compared = 0;
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        xmlXPathObjectPtr o = sc_bind_plain_path(src, n);
        assert_non_null(o);
        same_set(o, xp, expr, n, src);
        xmlXPathFreeObject(o);
        for (xmlAttrPtr a = n->properties; a; a = a->next) {
            o = sc_bind_plain_path(src, (xmlNodePtr)a);
            assert_non_null(o);
            same_set(o, xp, expr, (xmlNodePtr)a, src);
            xmlXPathFreeObject(o);
        }
        compared += 1 + each_context(n->children, xp, expr, src);
    }
    return compared;
}

static void plain_paths_as_libxml2(void **state)
{
    (void)state;
    static const char *const plain[] = {"/batch/company", "@id", "kpis/category/kpi/@id",
                                        "nonexistent", "/x", "kpis/category/kpi/weight",
                                        "raters/rater/@weight", "/batch/employee/name",
                                        "employee", "a-b.c_d", "/batch/@status", "rater",
                                        "kpi", "company", "@x", "/batch/x"};
    static const char *const other[] = {".", "..", "a//b", "//a", "*", "a[1]", "@*",
                                        "a /b", "ns:a", "/", "", "a/", "text()",
                                        "child::a", "@a/b", "1", "name()", "a|b", "-a",
                                        "$x"};
    for (size_t i = 0; i < sizeof other / sizeof *other; i++)
        assert_null(sc_bind_plain_path(other[i], (xmlNodePtr)0x1));
    static const char *const docs[] = {SRC "/tests/cases/basic/data.xml",
                                       SRC "/examples/dakehu-2026-10.xml", NULL};
    /* names in a namespace are not matched by a name without prefix */
    static const char ns_doc[] =
        "<batch xmlns:x=\"urn:x\" x:status=\"a\" status=\"b\"><x:company/><company/>"
        "<employee id=\"1\"><x:rater/><raters><rater/></raters></employee>"
        "<x xmlns=\"urn:y\" x=\"1\"><company/></x></batch>";
    int exprs = 0;
    for (size_t d = 0; d < sizeof docs / sizeof *docs; d++) {
        xmlDocPtr doc = docs[d] ? xmlReadFile(docs[d], NULL, XML_PARSE_NONET)
                                : xmlReadMemory(ns_doc, sizeof ns_doc - 1, "ns.xml", NULL, 0);
        assert_non_null(doc);
        xmlXPathContextPtr xp = xmlXPathNewContext(doc);
        for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
            xmlXPathCompExprPtr c = xmlXPathCompile(BAD_CAST plain[i]);
            assert_non_null(c);
            assert_true(each_context(xmlDocGetRootElement(doc), xp, c, plain[i]) > 5);
            xmlXPathFreeCompExpr(c);
        }
        /* and every plain path of every template */
        static const char *const tpls[] = {
            "aftersales-specialist", "aftersales-supervisor-quarterly", "bd-monthly",
            "competency", "dakehu-manager-monthly", "dakehu-quarterly-bonus",
            "dakehu-specialist", "dept-summary", "kefu-kpi-catalogue", "kefu-monthly-zht",
            "kefu-monthly", "kefu-multirater", "kefu-position-kpi", "kefu-supervisor",
            "year-bonus"};
        for (size_t k = 0; k < sizeof tpls / sizeof *tpls; k++) {
            char path[1024];
            snprintf(path, sizeof path, SRC "/templates/%s.xml", tpls[k]);
            sc_template *t = load_ok(path);
            for (size_t i = 0; i < t->nexprs; i++) {
                const char *src = t->exprinfo[i].src;
                xmlXPathObjectPtr o = sc_bind_plain_path(src, xmlDocGetRootElement(doc));
                if (!o)
                    continue;
                xmlXPathFreeObject(o);
                exprs++;
                each_context(xmlDocGetRootElement(doc), xp, t->exprs[i], src);
            }
            sc_template_free(t);
        }
        xmlXPathFreeContext(xp);
        xmlFreeDoc(doc);
    }
    assert_true(exprs > 100); /* the templates' paths were compared */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kefu_binds_basic),
        cmocka_unit_test(dakehu_year_bonus),
        cmocka_unit_test(bad_xpath_names_line),
        cmocka_unit_test(schema_violation_names_line),
        cmocka_unit_test(column_mismatch_at_load),
        cmocka_unit_test(column_mismatch_at_bind),
        cmocka_unit_test(runtime_xpath_error),
        cmocka_unit_test(doctype_refused),
        cmocka_unit_test(unknown_style_and_cycle),
        cmocka_unit_test(style_inheritance),
        cmocka_unit_test(missing_signature_image),
        cmocka_unit_test(standards_from_scheme),
        cmocka_unit_test(scheme_values_and_labels),
        cmocka_unit_test(find_templates),
        cmocka_unit_test(case_inputs_bind),
        cmocka_unit_test(plain_paths_as_libxml2),
        cmocka_unit_test(chart_binds_series),
        cmocka_unit_test(chart_errors_at_load),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return rc;
}
