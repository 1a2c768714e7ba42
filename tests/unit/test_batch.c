/* test_batch.c -- the batch driver (batch.c) and the output stage
 * (out_name.c, out_file.c): results in record order, counts, an options
 * struct of an older (smaller) size, files written whole and never through
 * a planted link, names never taken twice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "internal.h"

#include "fonts_fixture.h"
#include "run_cmd.h"

#define KEFU SC_SOURCE_DIR "/examples/kefu-2026-10.xml"

typedef struct seen {
    int n;
    int index[64];
    sc_status status[64];
    char label[64][64];
    char path[64][512];
    int problems;
    sc_error first;
} seen;

static void on_result(void *ud, const sc_result *r)
{
    seen *s = ud;
    if (s->n == 64)
        return;
    s->index[s->n] = r->index;
    s->status[s->n] = r->status;
    snprintf(s->label[s->n], sizeof s->label[0], "%s", r->label);
    snprintf(s->path[s->n], sizeof s->path[0], "%s", r->path ? r->path : "");
    s->n++;
}

static void on_diag(void *ud, const sc_error *e)
{
    seen *s = ud;
    if (!s->problems++)
        s->first = *e;
}

static char *tmpdir(const char *tag)
{
    static char dir[128];
    snprintf(dir, sizeof dir, "/tmp/sc_test_batch_%s_%ld", tag, (long)getpid());
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    assert_int_equal(system(cmd), 0);
    return dir;
}

static void rmtree(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
    closedir(d);
    return n;
}

/* Every record of the kefu batch comes back once, in record order, with
 * the file written for it; the counts add up. */
static void test_results_in_order(void **state)
{
    (void)state;
    char *dir = tmpdir("order");
    const char *data[] = {KEFU};
    seen s;
    memset(&s, 0, sizeof s);
    sc_batch_opts o = SC_BATCH_OPTS_INIT;
    o.data = data;
    o.ndata = 1;
    o.out_dir = dir;
    o.created = 1700000000;
    o.on_result = on_result;
    o.result_ud = &s;
    o.diag = on_diag;
    o.diag_ud = &s;
    sc_batch_summary sum;
    sc_error err;
    assert_int_equal(sc_batch_run(fonts, &o, &sum, &err), SC_OK);
    assert_int_equal(s.problems, 0);
    assert_int_equal(s.n, 12);
    assert_int_equal(sum.records, 12);
    assert_int_equal(sum.ok, 12);
    assert_int_equal(sum.failed, 0);
    assert_int_equal(sum.files, 12);
    assert_true(sum.pages >= 12);
    for (int i = 0; i < s.n; i++) {
        assert_int_equal(s.index[i], i + 1);
        assert_int_equal(s.status[i], SC_OK);
        struct stat st;
        assert_int_equal(stat(s.path[i], &st), 0);
    }
    assert_non_null(strstr(s.label[0], "KF001"));
    assert_non_null(strstr(s.label[11], "DK003"));
    assert_int_equal(count_files(dir), 12); /* no temporary file left */
    rmtree(dir);
}

/* A caller built against an older header passes a smaller struct: the
 * fields beyond its size are never read (here: on_result and its data
 * are garbage, and must stay unused). */
static void test_older_options_struct(void **state)
{
    (void)state;
    const char *data[] = {KEFU};
    sc_batch_opts o;
    memset(&o, 0xA5, sizeof o); /* garbage everywhere */
    o.size = offsetof(sc_batch_opts, warn);
    o.data = data;
    o.ndata = 1;
    o.produce = SC_PRODUCE_CHECK;
    o.template_file = o.template_dir = o.template_path = NULL;
    o.out_dir = o.name_pattern = o.combined = o.watermark = NULL;
    o.allow_missing_glyphs = 0;
    o.created = -1;
    o.diag = NULL;
    o.diag_ud = NULL;
    sc_batch_summary sum;
    sc_error err;
    assert_int_equal(sc_batch_run(fonts, &o, &sum, &err), SC_OK);
    assert_int_equal(sum.ok, 12);
    assert_int_equal(sum.files, 0);
}

/* Two employees whose names give the same file name: the first keeps its
 * file, the second fails with a message that suggests {id}; nothing is
 * overwritten. */
static void test_name_collision_is_refused(void **state)
{
    (void)state;
    char *dir = tmpdir("names");
    char data[512], outdir[512];
    snprintf(data, sizeof data, "%s/batch.xml", dir);
    snprintf(outdir, sizeof outdir, "%s/out", dir);
    FILE *fp = fopen(data, "w");
    assert_non_null(fp);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<batch version=\"1\" template=\"kefu-monthly\">\n"
          "<company>华东云联科技有限公司</company><department>客户服务部</department>\n"
          "<period kind=\"month\" year=\"2026\" month=\"10\">2026年10月</period>\n",
          fp);
    const char *ids[] = {"A1", "A2", "A3"}, *names[] = {"张伟", "张伟", "a/b"};
    for (int i = 0; i < 3; i++)
        fprintf(fp,
                "<employee id=\"%s\"><name>%s</name><kpis><category name=\"业绩\" "
                "weight=\"100\"><kpi id=\"k\"><indicator>问题解决率</indicator>"
                "<weight>100</weight><rule>按比例计分。</rule><score>90</score></kpi>"
                "</category></kpis>"
                "</employee>\n",
                ids[i], names[i]);
    fputs("</batch>\n", fp);
    fclose(fp);
    seen s;
    memset(&s, 0, sizeof s);
    sc_batch_opts o = SC_BATCH_OPTS_INIT;
    const char *files[] = {data};
    o.data = files;
    o.ndata = 1;
    o.out_dir = outdir;
    o.name_pattern = "{name}.pdf";
    o.on_result = on_result;
    o.result_ud = &s;
    o.diag = on_diag;
    o.diag_ud = &s;
    sc_batch_summary sum;
    sc_error err;
    assert_int_equal(sc_batch_run(fonts, &o, &sum, &err), SC_OK);
    assert_int_equal(sum.ok, 2);
    assert_int_equal(sum.failed, 1);
    assert_int_equal(s.status[0], SC_OK);
    assert_int_not_equal(s.status[1], SC_OK);
    assert_int_equal(s.status[2], SC_OK);
    assert_int_equal(s.problems, 1);
    assert_non_null(strstr(s.first.message, "张伟.pdf"));
    assert_non_null(strstr(s.first.message, "batch.xml:5")); /* where A1 is */
    assert_null(strstr(s.first.message, "A1")); /* not who */
    assert_non_null(strstr(s.first.message, "{id}"));
    assert_non_null(strstr(s.first.employee, "A2"));
    /* the first 张伟's sheet is the one on disk */
    int status;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "pdftotext '%s/张伟.pdf' - | grep -c A1", outdir);
    char *out = run(cmd, &status);
    assert_int_equal(status, 0);
    sc_free(out);
    /* the refused one's file, written before its name was checked, is
     * gone: no temporary file is left */
    assert_int_equal(count_files(outdir), 2);
    rmtree(dir);
}

/* ---- the same run on any number of threads ---------------------------- */

/* Everything a run tells its caller, in the order told. */
typedef struct told {
    char *log;
    size_t len, cap;
} told;

static void tell(told *t, const char *kind, const char *a, const char *b)
{
    char line[2048];
    int n = snprintf(line, sizeof line, "%s|%s|%s\n", kind, a, b);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->log = realloc(t->log, t->cap);
        assert_non_null(t->log);
    }
    memcpy(t->log + t->len, line, (size_t)n + 1);
    t->len += (size_t)n;
}

static void told_diag(void *ud, const sc_error *e)
{
    char where[1024];
    snprintf(where, sizeof where, "%s:%d:%d [%s] [%s]", e->file, e->line,
             e->column, e->employee, e->field);
    tell(ud, "problem", where, e->message);
}

static void told_warn(void *ud, const sc_error *e)
{
    tell(ud, "warning", e->employee, e->message);
}

static void told_result(void *ud, const sc_result *r)
{
    char what[1024];
    snprintf(what, sizeof what, "%d %s status %d pages %d bytes %zu", r->index,
             r->label, (int)r->status, r->pages, r->bytes);
    tell(ud, "result", what, r->path ? r->path : "-");
}

/* Two data files: good records, a record the reader refuses, one with a
 * character no font has, two that want the same file name, one whose
 * file name a folder holds, a repeated form; then a file that stops
 * half-way (malformed XML) after two good records. */
static void write_mixed(const char *dir, char *a, char *b, size_t n)
{
    snprintf(a, n, "%s/a.xml", dir);
    snprintf(b, n, "%s/b.xml", dir);
    static const char head[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<batch version=\"1\" template=\"kefu-monthly\">\n"
        "<company>华东云联科技有限公司</company><department>客户服务部</department>\n"
        "<period kind=\"month\" year=\"2026\" month=\"10\">2026年10月</period>\n";
    static const char emp[] =
        "<employee id=\"%s\"><name>%s</name><kpis><category name=\"业绩\" "
        "weight=\"100\"><kpi id=\"k\"><indicator>%s</indicator>"
        "<weight>100</weight><rule>按比例计分。</rule><score>%s</score></kpi>"
        "</category></kpis></employee>\n";
    FILE *fp = fopen(a, "w");
    assert_non_null(fp);
    fputs(head, fp);
    const char *rows[][4] = {
        {"B1", "张伟", "问题解决率", "90"},    {"B2", "王芳", "客户满意度", "88"},
        {"B3", "李娜", "问题解决率", "九十"},  /* refused by the reader */
        {"B4", "刘\xF4\x8F\xBF\xBD洋", "问题解决率", "70"}, /* U+10FFFD */
        {"B5", "张伟", "工单量", "60"},        /* 张伟.pdf is B1's */
        {"B6", "taken", "问题解决率", "80"},   /* a folder holds taken.pdf */
        {"B7", "陈静", "客户满意度", "95"},    {"B8", "杨磊", "问题解决率", "77"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        fprintf(fp, emp, rows[i][0], rows[i][1], rows[i][2], rows[i][3]);
    fputs("</batch>\n", fp);
    fclose(fp);
    fp = fopen(b, "w");
    assert_non_null(fp);
    fputs(head, fp);
    fprintf(fp, emp, "C1", "赵敏", "问题解决率", "85");
    fprintf(fp, emp, "C2", "黄丽", "问题解决率", "81");
    fputs("<employee id=\"C3\"><name>broken</nam></employee>\n</batch>\n", fp);
    fclose(fp);
}

static char *run_mixed(const char *dir, const char *a, const char *b, int jobs,
                       const char *out)
{
    char taken[2048];
    snprintf(taken, sizeof taken, "%s/taken.pdf", out);
    assert_int_equal(mkdir(out, 0755), 0);
    assert_int_equal(mkdir(taken, 0755), 0);
    (void)dir;
    told t = {NULL, 0, 0};
    const char *data[] = {a, b};
    sc_batch_opts o = SC_BATCH_OPTS_INIT;
    o.data = data;
    o.ndata = 2;
    o.out_dir = out;
    o.name_pattern = "{name}.pdf";
    o.created = 1700000000;
    o.diag = told_diag;
    o.diag_ud = &t;
    o.warn = told_warn;
    o.warn_ud = &t;
    o.on_result = told_result;
    o.result_ud = &t;
    o.jobs = jobs;
    sc_batch_summary sum;
    sc_error err;
    assert_int_equal(sc_batch_run(fonts, &o, &sum, &err), SC_OK);
    char line[256];
    snprintf(line, sizeof line, "records %d ok %d failed %d files %d pages %d "
             "unusable %d cut %d", sum.records, sum.ok, sum.failed, sum.files,
             sum.pages, sum.unusable, sum.cut_short);
    tell(&t, "summary", line, "");
    return t.log;
}

/* With 1, 2 and 5 jobs: the same messages and results in the same order,
 * the same files with the same bytes, and no temporary file left. */
static void test_same_run_on_any_number_of_threads(void **state)
{
    (void)state;
    char *dir = tmpdir("jobs");
    char a[512], b[512], out[3][600];
    static const char *const sub[3] = {"out0", "out1", "out2"};
    write_mixed(dir, a, b, sizeof a);
    static const int jobs[3] = {1, 2, 5};
    char *log[3];
    for (int i = 0; i < 3; i++) {
        snprintf(out[i], sizeof out[i], "%s/%s", dir, sub[i]);
        log[i] = run_mixed(dir, a, b, jobs[i], out[i]);
    }
    /* the paths name each run's folder: compare the rest */
    for (int i = 1; i < 3; i++) {
        char *x = log[0], *y = log[i];
        for (;;) {
            char *px = strstr(x, out[0]), *py = strstr(y, out[i]);
            if (!px || !py) {
                assert_null(px);
                assert_null(py);
                assert_string_equal(x, y);
                break;
            }
            assert_int_equal(px - x, py - y);
            assert_memory_equal(x, y, (size_t)(px - x));
            x = px + strlen(out[0]);
            y = py + strlen(out[i]);
        }
    }
    /* what the run is expected to say, in this order */
    const char *order[] = {"result|1 B1", "result|2 B2", "[B3 李娜]", "result|3 B3",
                           "U+10FFFD", "result|4 B4", "{id}", "result|5 B5",
                           "taken.pdf", "result|6 B6", "result|7 B7",
                           "result|8 B8", "result|9 C1", "result|10 C2",
                           "b.xml:7", "result|11 C3",
                           "summary|records 11 ok 6 failed 5 files 6 "
                           "pages 6 unusable 0 cut 1"};
    const char *at = log[0];
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        const char *f = strstr(at, order[k]);
        if (!f) {
            fprintf(stderr, "%s", log[0]);
            fail_msg("\"%s\" not found (in order) in the run's log above", order[k]);
        }
        at = f + strlen(order[k]);
    }
    for (int i = 1; i < 3; i++) {
        char cmd[2048];
        snprintf(cmd, sizeof cmd, "diff -r '%s' '%s' > /dev/null", out[0], out[i]);
        assert_int_equal(system(cmd), 0);
    }
    for (int i = 0; i < 3; i++) {
        assert_int_equal(count_files(out[i]), 7); /* 6 sheets + taken.pdf/ */
        free(log[i]);
    }
    rmtree(dir);
}

/* sc_file_write: a symbolic link planted at the final name is replaced,
 * never followed (its target keeps its bytes); a write that cannot be
 * renamed into place (a folder holds the name) leaves no temporary file
 * and the folder untouched. */
static void test_file_write_never_follows_links(void **state)
{
    (void)state;
    char *dir = tmpdir("links");
    char target[512], link[512], sub[512];
    snprintf(target, sizeof target, "%s/victim", dir);
    snprintf(link, sizeof link, "%s/sheet.pdf", dir);
    FILE *fp = fopen(target, "w");
    assert_non_null(fp);
    fputs("precious", fp);
    fclose(fp);
    assert_int_equal(symlink(target, link), 0);
    sc_error err;
    assert_int_equal(sc_file_write(dir, "sheet.pdf", "%PDF-new", 8, &err), SC_OK);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_size, 8);
    char buf[16] = {0};
    fp = fopen(target, "r");
    assert_non_null(fp);
    assert_int_equal(fread(buf, 1, sizeof buf, fp), 8);
    fclose(fp);
    assert_string_equal(buf, "precious");

    snprintf(sub, sizeof sub, "%s/taken.pdf", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(sc_file_write(dir, "taken.pdf", "x", 1, &err), SC_ERR_IO);
    assert_non_null(strstr(err.message, "taken.pdf"));
    assert_int_equal(count_files(dir), 3); /* victim, sheet.pdf, taken.pdf */
    assert_int_equal(sc_file_write(dir, "../escape.pdf", "x", 1, &err), SC_ERR_USAGE);
    rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results_in_order),
        cmocka_unit_test(test_older_options_struct),
        cmocka_unit_test(test_name_collision_is_refused),
        cmocka_unit_test(test_same_run_on_any_number_of_threads),
        cmocka_unit_test(test_file_write_never_follows_links),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
