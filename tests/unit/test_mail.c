/* test_mail.c -- the pieces of e-mailing sheets: passwords from the data
 * (password.c), MIME headers by hand (mime.c), the message template
 * (mailtext.c), the journal (journal.c), the server URL's rules (smtp.c),
 * and the mail step in the driver: a record the journal has is not drawn
 * again, an address is checked before anything is drawn. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

#include "fonts_fixture.h"

static char *tmpdir(const char *tag)
{
    static char dir[128];
    snprintf(dir, sizeof dir, "/tmp/sc_test_mail_%s_%ld", tag, (long)getpid());
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

static void write_text(const char *path, const char *text, int mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, (mode_t)mode), 0);
}

/* A batch of employees; extra[i] goes after <name> (email, id-number,
 * password in the schema's order). */
static void write_batch(const char *path, int n, const char *const *ids,
                        const char *const *extra)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<batch version=\"1\" template=\"kefu-monthly\">\n"
          "<company>华东云联科技有限公司</company><department>客户服务部</department>\n"
          "<period kind=\"month\" year=\"2026\" month=\"10\">2026年10月</period>\n",
          fp);
    for (int i = 0; i < n; i++)
        fprintf(fp,
                "<employee id=\"%s\"><name>员工%d</name>%s<kpis><category name=\"业绩\" "
                "weight=\"100\"><kpi id=\"k\"><indicator>问题解决率</indicator>"
                "<weight>100</weight><rule>按比例计分。</rule><score>90</score></kpi>"
                "</category></kpis></employee>\n",
                ids[i], i + 1, extra[i]);
    fputs("</batch>\n", fp);
    fclose(fp);
}

/* The records of a data file (at most 8). */
static int read_records(const char *path, sc_record **recs)
{
    sc_reader *r = NULL;
    sc_error err;
    assert_int_equal(sc_reader_open(&r, path, NULL, NULL, &err), SC_OK);
    int n = 0;
    while (n < 8 && sc_reader_next(r, &recs[n], &err) == SC_OK)
        n++;
    sc_reader_free(r);
    return n;
}

/* ---- passwords --------------------------------------------------------------- */

static void test_password_patterns_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {"secret",       "x{id-number}", "{id-number}x",
                                      "{name}",       "{id-number:0}", "{id-number:-}",
                                      "{id-number:a}", "{id-number",  "",
                                      "{file}", /* no file */
                                      "{id-number:-200}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sc_passwords *p = NULL;
        sc_error err;
        assert_int_equal(sc_passwords_new(&p, bad[i], NULL, &err), SC_ERR_USAGE);
        assert_null(p);
        assert_true(err.message[0]);
    }
    sc_passwords *p = NULL;
    sc_error err;
    assert_int_equal(sc_passwords_new(&p, "{id-number:-6}{password}", NULL, &err), SC_OK);
    sc_passwords_free(p);
}

static void test_password_from_fields(void **state)
{
    (void)state;
    char *dir = tmpdir("pwfields");
    char data[256];
    snprintf(data, sizeof data, "%s/b.xml", dir);
    const char *ids[] = {"E1", "E2", "E3", "E4"};
    const char *extra[] = {
        "<id-number>31010419880301107X</id-number><password>Kq!83-zz</password>",
        "<id-number>12-34</id-number>",
        "<password>pass word</password>",
        "<password>密码密码密码</password>",
    };
    write_batch(data, 4, ids, extra);
    sc_record *recs[8];
    assert_int_equal(read_records(data, recs), 4);
    /* the secrets are out of the record's document: nothing that walks it
     * (a template, the glyph check, a copy of the record) sees them */
    assert_null(sc_xml_child(recs[0]->employee, "id-number"));
    assert_null(sc_xml_child(recs[0]->employee, "password"));
    xmlChar *dump = NULL;
    int dlen = 0;
    xmlDocDumpMemory(recs[0]->doc, &dump, &dlen);
    assert_non_null(dump);
    assert_null(strstr((const char *)dump, "01107X"));
    assert_null(strstr((const char *)dump, "Kq!83"));
    xmlFree(dump);
    assert_string_equal(recs[0]->id_number, "31010419880301107X");
    assert_true(recs[0]->id_number_line > 0);
    static const struct {
        const char *pattern;
        const char *want;
    } ok[] = {{"{id-number:-6}", "01107X"},
              {"{id-number:6}", "310104"},
              {"{password}", "Kq!83-zz"},
              {"{id-number:-4}{password:3}", "107XKq!"}};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        sc_passwords *p = NULL;
        sc_error err;
        char pw[SC_PASSWORD_MAX + 1];
        assert_int_equal(sc_passwords_new(&p, ok[i].pattern, NULL, &err), SC_OK);
        assert_int_equal(sc_passwords_get(p, recs[0], pw, sizeof pw, &err), SC_OK);
        assert_string_equal(pw, ok[i].want);
        sc_passwords_free(p);
    }
    /* problems name the field and the employee, never the value */
    static const struct {
        const char *pattern;
        int rec;
        const char *says, *field, *secret;
    } no[] = {{"{id-number:-6}", 1, "fewer than the 6", "id-number", "12-34"},
              {"{id-number}", 1, "needs 6 to 127", "id-number", "12-34"},
              {"{id-number}", 2, "no <id-number>", "id-number", NULL},
              {"{password}", 2, "printable ASCII", "password", "pass word"},
              {"{password}", 3, "printable ASCII", "password", "密码"},
              {"{password}", 1, "no <password>", "password", NULL}};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        sc_passwords *p = NULL;
        sc_error err;
        char pw[SC_PASSWORD_MAX + 1];
        assert_int_equal(sc_passwords_new(&p, no[i].pattern, NULL, &err), SC_OK);
        assert_int_equal(sc_passwords_get(p, recs[no[i].rec], pw, sizeof pw, &err),
                         SC_ERR_DATA);
        assert_non_null(strstr(err.message, no[i].says));
        assert_string_equal(err.field, no[i].field);
        assert_non_null(strstr(err.employee, ids[no[i].rec]));
        assert_true(err.line > 0);
        if (no[i].secret)
            assert_null(strstr(err.message, no[i].secret));
        assert_string_equal(pw, ""); /* nothing of it left in the buffer */
        sc_passwords_free(p);
    }
    for (int i = 0; i < 4; i++)
        sc_record_free(recs[i]);
    rmtree(dir);
}

static void test_password_file(void **state)
{
    (void)state;
    char *dir = tmpdir("pwfile");
    char data[256], file[256];
    snprintf(data, sizeof data, "%s/b.xml", dir);
    snprintf(file, sizeof file, "%s/pw.tsv", dir);
    const char *ids[] = {"E1", "E2", "E3"};
    const char *extra[] = {"", "", ""};
    write_batch(data, 3, ids, extra);
    sc_record *recs[8];
    assert_int_equal(read_records(data, recs), 3);
    /* BOM, comments, CRLF, tab or comma, CSV quotes */
    write_text(file, "\xEF\xBB\xBF# id, password\r\nE1\tfirst-pass\r\n\r\n"
                     "E2,\"se,cond\"\"\"\n  # indented comment\n",
               0600);
    sc_passwords *p = NULL;
    sc_error err;
    char pw[SC_PASSWORD_MAX + 1];
    assert_int_equal(sc_passwords_new(&p, "{file}", file, &err), SC_OK);
    assert_int_equal(sc_passwords_get(p, recs[0], pw, sizeof pw, &err), SC_OK);
    assert_string_equal(pw, "first-pass");
    assert_int_equal(sc_passwords_get(p, recs[1], pw, sizeof pw, &err), SC_OK);
    assert_string_equal(pw, "se,cond\"");
    assert_int_equal(sc_passwords_get(p, recs[2], pw, sizeof pw, &err), SC_ERR_DATA);
    assert_non_null(strstr(err.message, "E3 has no line in the password file"));
    sc_passwords_free(p);
    /* a file others can read is refused, whatever it holds */
    assert_int_equal(chmod(file, 0640), 0);
    assert_int_equal(sc_passwords_new(&p, "{file}", file, &err), SC_ERR_FORBIDDEN);
    assert_non_null(strstr(err.message, "chmod 600"));
    /* a bad line: its number, not its text */
    write_text(file, "E1\tfirst-pass\nE2 no-separator-here\n", 0600);
    assert_int_equal(sc_passwords_new(&p, "{file}", file, &err), SC_ERR_DATA);
    assert_int_equal(err.line, 2);
    assert_null(strstr(err.message, "no-separator-here"));
    write_text(file, "E1\tfirst-pass\nE1\tagain-pass\n", 0600);
    assert_int_equal(sc_passwords_new(&p, "{file}", file, &err), SC_ERR_DATA);
    assert_int_equal(err.line, 2);
    assert_null(strstr(err.message, "again-pass"));
    /* a file and no {file}, {file} and no file */
    assert_int_equal(sc_passwords_new(&p, "{password}", file, &err), SC_ERR_USAGE);
    assert_int_equal(sc_passwords_new(&p, "{file}", NULL, &err), SC_ERR_USAGE);
    for (int i = 0; i < 3; i++)
        sc_record_free(recs[i]);
    rmtree(dir);
}

/* ---- MIME ---------------------------------------------------------------------- */

static int b64val(char c)
{
    const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(t, c);
    return p && c ? (int)(p - t) : -1;
}

/* Decode base64 text s[0..n) into out; its length. */
static size_t unb64(const char *s, size_t n, char *out)
{
    size_t k = 0;
    unsigned v = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int d = b64val(s[i]);
        if (d < 0)
            continue;
        v = v << 6 | (unsigned)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[k++] = (char)(v >> bits & 0xFF);
        }
    }
    out[k] = '\0';
    return k;
}

/* Every line of s (CRLF-separated) at most max columns. */
static void lines_within(const char *s, size_t max)
{
    for (const char *p = s; *p;) {
        const char *e = strstr(p, "\r\n");
        size_t n = e ? (size_t)(e - p) : strlen(p);
        assert_true(n <= max);
        p = e ? e + 2 : p + n;
    }
}

static void test_encoded_words(void **state)
{
    (void)state;
    const char *text = "2026年10月绩效考核表（欧阳𠮷祥，客户服务部，华东云联科技有限公司）";
    sc_buf b = {0};
    sc_buf_puts(&b, "Subject: ");
    sc_mime_words(&b, text, 9);
    lines_within(b.data, 76);
    /* each word whole UTF-8; together the text */
    char all[512] = "";
    int words = 0;
    for (const char *p = b.data; (p = strstr(p, "=?UTF-8?B?"));) {
        p += 10;
        const char *e = strstr(p, "?=");
        assert_non_null(e);
        char dec[256];
        size_t n = unb64(p, (size_t)(e - p), dec);
        size_t bad;
        assert_true(sc_utf8_valid(dec, n, &bad));
        strcat(all, dec);
        words++;
        p = e + 2;
    }
    assert_true(words >= 2);
    assert_string_equal(all, text);
    sc_buf_free(&b);
    /* a line break in a value cannot start a header of its own */
    sc_buf c = {0};
    sc_mime_words(&c, "张\r\nBcc: x@y.cn", 9);
    assert_null(strstr(c.data, "Bcc"));
    assert_null(strchr(c.data, '\n'));
    char dec[64];
    const char *p = strstr(c.data, "=?UTF-8?B?") + 10;
    unb64(p, (size_t)(strstr(p, "?=") - p), dec);
    assert_string_equal(dec, "张  Bcc: x@y.cn");
    sc_buf_free(&c);
}

/* Percent-decode RFC 2231 segments back into the name. */
static void test_rfc2231_filename(void **state)
{
    (void)state;
    const char *name = "2026-10_KF001_欧阳𠮷祥·客户服务部大客户经理岗位绩效考核表（年度汇总）.pdf";
    sc_buf b = {0};
    sc_buf_puts(&b, "Content-Disposition: attachment");
    sc_mime_param_2231(&b, "filename", name);
    lines_within(b.data, 78);
    assert_non_null(strstr(b.data, "filename*0*=UTF-8''"));
    assert_non_null(strstr(b.data, "filename*1*="));
    char got[512];
    size_t k = 0;
    for (const char *p = b.data; (p = strstr(p, "filename*"));) {
        p = strchr(p, '=') + 1;
        if (!strncmp(p, "UTF-8''", 7))
            p += 7;
        size_t seg = 0;
        for (; *p && *p != ';' && *p != '\r'; p++) {
            unsigned v;
            if (*p == '%' && sscanf(p + 1, "%2x", &v) == 1) {
                got[k++] = (char)v;
                p += 2;
            } else {
                got[k++] = *p;
            }
            seg++;
        }
        /* segments end on a character boundary */
        assert_true(k == 0 || ((unsigned char)got[k - 1] & 0xC0) != 0xC0);
        size_t bad;
        assert_true(sc_utf8_valid(got, k, &bad));
        (void)seg;
    }
    got[k] = '\0';
    assert_string_equal(got, name);
    sc_buf_free(&b);
    /* a short name: one parameter */
    sc_buf c = {0};
    sc_mime_param_2231(&c, "filename", "张晓明.pdf");
    assert_string_equal(c.data, ";\r\n filename*=UTF-8''%E5%BC%A0%E6%99%93%E6%98%8E.pdf");
    sc_buf_free(&c);
}

static void test_base64_and_date(void **state)
{
    (void)state;
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const want[] = {"",         "Zg==\r\n",     "Zm8=\r\n",
                                       "Zm9v\r\n", "Zm9vYg==\r\n", "Zm9vYmE=\r\n",
                                       "Zm9vYmFy\r\n"};
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        sc_buf b = {0};
        sc_mime_base64(&b, in[i], strlen(in[i]));
        assert_string_equal(b.data ? b.data : "", want[i]);
        sc_buf_free(&b);
    }
    char big[1000];
    memset(big, 'x', sizeof big);
    sc_buf b = {0};
    sc_mime_base64(&b, big, sizeof big);
    lines_within(b.data, 76);
    assert_int_equal(strlen(strstr(b.data, "\r\n") + 2) > 0, 1);
    assert_int_equal((int)(strstr(b.data, "\r\n") - b.data), 76);
    sc_buf_free(&b);
    char d[40];
    sc_mime_date(d, 1793491200);
    assert_string_equal(d, "Sun, 01 Nov 2026 00:00:00 +0000");
    sc_mime_date(d, 0);
    assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 +0000");
}

static void test_addresses(void **state)
{
    (void)state;
    static const char *const good[] = {"zhangxm@huadong-yun.cn", "a.b+tag@x.example.com",
                                       "o'neil@a1.b2", "x_y-z@123.cn"};
    static const char *const bad[] = {"",
                                      "nobody",
                                      "a@b",
                                      "a,b@x.cn",
                                      "a b@x.cn",
                                      "\"a\"@x.cn",
                                      "a@x.cn\r\nBcc: y@z.cn",
                                      "<a@x.cn>",
                                      ".a@x.cn",
                                      "a.@x.cn",
                                      "a..b@x.cn",
                                      "a@-x.cn",
                                      "a@x-.cn",
                                      "a@x..cn",
                                      "a@x.cn.",
                                      "张@x.cn",
                                      "a@例子.cn",
                                      "a@[127.0.0.1]",
                                      "a@b@x.cn"};
    char why[512];
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_true(sc_mail_address_ok(good[i], why, sizeof why));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        why[0] = '\0';
        assert_false(sc_mail_address_ok(bad[i], why, sizeof why));
        assert_true(why[0]);
    }
    char name[64], addr[64];
    assert_true(sc_mail_parse_mailbox("人力资源部 <hr@x.cn>", name, sizeof name, addr,
                                      sizeof addr));
    assert_string_equal(name, "人力资源部");
    assert_string_equal(addr, "hr@x.cn");
    assert_true(sc_mail_parse_mailbox("\"HR, 人事\" <hr@x.cn>", name, sizeof name, addr,
                                      sizeof addr));
    assert_string_equal(name, "HR, 人事");
    assert_true(sc_mail_parse_mailbox(" hr@x.cn ", name, sizeof name, addr, sizeof addr));
    assert_string_equal(name, "");
    assert_string_equal(addr, "hr@x.cn");
    assert_false(sc_mail_parse_mailbox("HR <hr@x.cn> extra", name, sizeof name, addr,
                                       sizeof addr));
}

static void test_url_rules(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        int ok, tls;
    } v[] = {{"smtp://127.0.0.1:2525", 1, 0},      {"smtp://127.9.8.7", 1, 0},
             {"smtp://[::1]:25", 1, 0},            {"smtp://localhost:25", 1, 0},
             {"smtp://smtp.exmail.qq.com:587", 1, 1}, {"smtp://10.0.0.5:25", 1, 1},
             {"smtp://[::ffff:127.0.0.1]:25", 1, 1}, {"smtps://127.0.0.1:465", 1, 1},
             {"smtps://smtp.qiye.aliyun.com", 1, 1},  {"http://127.0.0.1", 0, 0},
             {"smtp://hr:secret@127.0.0.1", 0, 0},    {"smtp://hr@127.0.0.1", 0, 0},
             {"not a url", 0, 0}};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        int tls = -1;
        char why[512] = "";
        assert_int_equal(sc_smtp_url_check(v[i].url, &tls, why, sizeof why), v[i].ok);
        if (v[i].ok)
            assert_int_equal(tls, v[i].tls);
        else
            assert_null(strstr(why, "secret"));
    }
}

/* ---- the message template --------------------------------------------------------- */

static void test_message_template(void **state)
{
    (void)state;
    char *dir = tmpdir("text");
    char data[256], tpl[256];
    snprintf(data, sizeof data, "%s/b.xml", dir);
    snprintf(tpl, sizeof tpl, "%s/m.txt", dir);
    const char *ids[] = {"E1"};
    const char *extra[] = {"<id-number>31010419880301107X</id-number>"};
    write_batch(data, 1, ids, extra);
    sc_record *recs[8];
    assert_int_equal(read_records(data, recs), 1);
    sc_mailtext *t = NULL;
    sc_error err;
    char *subject, *body;
    write_text(tpl, "# HR's text\nSubject: {company}：{period_label}考核（{name}）\n\n"
                    "{name}，您好：{{不是占位符}} {total} {grade}\n",
               0644);
    assert_int_equal(sc_mailtext_load(&t, tpl, &err), SC_OK);
    assert_int_equal(sc_mailtext_expand(t, recs[0], &subject, &body, &err), SC_OK);
    assert_string_equal(subject, "华东云联科技有限公司：2026年10月考核（员工1）");
    assert_string_equal(body, "员工1，您好：{不是占位符}} 90.00 \n");
    sc_free(subject);
    sc_free(body);
    sc_mailtext_free(t);
    /* the default text */
    assert_int_equal(sc_mailtext_load(&t, NULL, &err), SC_OK);
    assert_int_equal(sc_mailtext_expand(t, recs[0], &subject, &body, &err), SC_OK);
    assert_string_equal(subject, "2026年10月绩效考核表（员工1）");
    assert_non_null(strstr(body, "员工1，您好"));
    sc_free(subject);
    sc_free(body);
    sc_mailtext_free(t);
    static const struct {
        const char *text, *says;
        int line;
    } bad[] = {{"Subject: {id-number}\n\nx\n", "cannot be in a message", 1},
               {"Subject: x\n\n{password}\n", "cannot be in a message", 3},
               {"Subject: x\n\n\n{nmae}\n", "unknown placeholder {nmae}", 4},
               {"Hello\n\nx\n", "starts with \"Subject: ...\"", 1},
               {"Subject: x\nbody\n", "an empty line must follow", 2},
               {"Subject: {name\n\nx\n", "opens no placeholder", 1}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        write_text(tpl, bad[i].text, 0644);
        assert_int_not_equal(sc_mailtext_load(&t, tpl, &err), SC_OK);
        assert_null(t);
        assert_non_null(strstr(err.message, bad[i].says));
        assert_int_equal(err.line, bad[i].line);
    }
    sc_record_free(recs[0]);
    rmtree(dir);
}

/* ---- the journal ---------------------------------------------------------------------- */

static void test_journal(void **state)
{
    (void)state;
    char *dir = tmpdir("journal");
    char path[256], link[256];
    snprintf(path, sizeof path, "%s/j.tsv", dir);
    sc_journal *j = NULL;
    sc_error err;
    /* a dry run before any real one: empty, and nothing created */
    assert_int_equal(sc_journal_open(&j, path, 0, &err), SC_OK);
    assert_false(sc_journal_has(j, "2026-10", "E1", "a@x.cn"));
    sc_journal_close(j);
    assert_int_not_equal(access(path, F_OK), 0);
    assert_int_equal(sc_journal_open(&j, path, 1, &err), SC_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(sc_journal_add(j, "2026-11-01T00:00:00Z", "2026-10", "E1", "a@x.cn",
                                    "ab", "<m@x>", "250 ok\tqueued\r\n", &err),
                     SC_OK);
    assert_true(sc_journal_has(j, "2026-10", "E1", "a@x.cn"));
    /* another run at the same time is refused (the lock is per process) */
    pid_t child = fork();
    if (child == 0) {
        sc_journal *j2 = NULL;
        sc_error e2;
        _exit(sc_journal_open(&j2, path, 1, &e2) == SC_ERR_IO &&
                      strstr(e2.message, "another run")
                  ? 0
                  : 1);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    sc_journal_close(j);
    /* a crash cut the last line after its key: still counted as sent */
    FILE *f = fopen(path, "a");
    fputs("2026-11-01T00:00:00Z\t2026-10\tE2\tb@x.cn\t12", f);
    fclose(f);
    assert_int_equal(sc_journal_open(&j, path, 1, &err), SC_OK);
    assert_true(sc_journal_has(j, "2026-10", "E1", "a@x.cn"));
    assert_true(sc_journal_has(j, "2026-10", "E2", "b@x.cn"));
    assert_false(sc_journal_has(j, "2026-10", "E1", "other@x.cn")); /* address changed */
    assert_false(sc_journal_has(j, "2026-11", "E1", "a@x.cn"));     /* next month */
    assert_int_equal(sc_journal_add(j, "d", "2026-10", "E3", "c@x.cn", "cd", "<n@x>", "250",
                                    &err),
                     SC_OK);
    sc_journal_close(j);
    /* the cut line was ended: E3's line is whole and one field per column */
    char text[2048];
    f = fopen(path, "r");
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_non_null(strstr(text, "\t12\nd\t2026-10"));
    assert_non_null(strstr(text, "\t250 ok queued  \n"));
    assert_non_null(strstr(text, "d\t2026-10\tE3\tc@x.cn\tcd\t<n@x>\t250\n"));
    /* a planted link is refused, not followed */
    snprintf(link, sizeof link, "%s/link.tsv", dir);
    assert_int_equal(symlink(path, link), 0);
    assert_int_equal(sc_journal_open(&j, link, 1, &err), SC_ERR_FORBIDDEN);
    assert_int_equal(sc_journal_open(&j, link, 0, &err), SC_ERR_FORBIDDEN);
    rmtree(dir);
}

/* ---- the step in the driver --------------------------------------------------------------- */

typedef struct outcome {
    int n;
    int mail[8];
    sc_status status[8];
} outcome;

static void on_result(void *ud, const sc_result *r)
{
    outcome *o = ud;
    if (o->n < 8) {
        o->mail[o->n] = r->mail;
        o->status[o->n++] = r->status;
    }
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* A record the journal has is done: not drawn, no message, no password
 * needed any more (its <id-number> went since); a record without an
 * address fails before it is drawn; the others' messages are written. */
static void test_step_admits(void **state)
{
    (void)state;
    char *dir = tmpdir("step");
    char data[256], journal[256], eml[256];
    snprintf(data, sizeof data, "%s/b.xml", dir);
    snprintf(journal, sizeof journal, "%s/j.tsv", dir);
    snprintf(eml, sizeof eml, "%s/eml", dir);
    const char *ids[] = {"E1", "E2", "E3"};
    const char *extra[] = {"<email>e1@x.cn</email>",
                           "<email>e2@x.cn</email><id-number>310104198803021142</id-number>",
                           "<email></email><id-number>310104198803031213</id-number>"};
    write_batch(data, 3, ids, extra);
    write_text(journal, "2026-11-01T00:00:00Z\t2026-10\tE1\te1@x.cn\tab\t<m@x>\t250\n", 0600);
    sc_mail_opts mo = SC_MAIL_OPTS_INIT;
    mo.from = "HR <hr@x.cn>";
    mo.dry_run_dir = eml;
    mo.journal = journal;
    mo.date = 1793491200;
    const char *files[] = {data};
    sc_batch_opts o = SC_BATCH_OPTS_INIT;
    o.data = files;
    o.ndata = 1;
    o.out_dir = dir;
    o.password_pattern = "{id-number:-6}";
    o.mail = &mo;
    outcome got;
    memset(&got, 0, sizeof got);
    o.on_result = on_result;
    o.result_ud = &got;
    sc_batch_summary sum;
    sc_error err;
    assert_int_equal(sc_batch_run(fonts, &o, &sum, &err), SC_OK);
    assert_int_equal(got.n, 3);
    assert_int_equal(got.mail[0], SC_MAIL_EARLIER);
    assert_int_equal(got.status[0], SC_OK);
    assert_int_equal(got.mail[1], SC_MAIL_WRITTEN);
    assert_int_equal(got.status[1], SC_OK);
    assert_int_equal(got.mail[2], SC_MAIL_NO_ADDRESS);
    assert_int_equal(got.status[2], SC_ERR_DATA);
    assert_int_equal(sum.ok, 2);
    assert_int_equal(sum.failed, 1);
    assert_int_equal(sum.files, 0); /* a dry run writes no PDF */
    assert_int_equal(count_files(eml), 1);
    /* options that cannot go together */
    sc_batch_opts c = o;
    c.combined = "/tmp/none.pdf";
    assert_int_equal(sc_batch_run(fonts, &c, &sum, &err), SC_ERR_USAGE);
    c = o;
    c.mail = NULL;
    c.combined = "/tmp/none.pdf";
    assert_int_equal(sc_batch_run(fonts, &c, &sum, &err), SC_ERR_USAGE);
    assert_non_null(strstr(err.message, "one employee's password"));
    c = o;
    c.mail = NULL;
    c.profile = SC_PROFILE_ARCHIVE; /* PDF/A forbids encryption */
    assert_int_equal(sc_batch_run(fonts, &c, &sum, &err), SC_ERR_USAGE);
    assert_non_null(strstr(err.message, "archive"));
    c = o;
    mo.from = "not an address";
    assert_int_equal(sc_batch_run(fonts, &c, &sum, &err), SC_ERR_USAGE);
    rmtree(dir);
}

/* The progress line's total: every employee counted, without building
 * them, also past the chunks the header needed. */
static void test_data_count(void **state)
{
    (void)state;
    char *dir = tmpdir("count");
    char data[256];
    snprintf(data, sizeof data, "%s/b.xml", dir);
    FILE *fp = fopen(data, "w");
    assert_non_null(fp);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<batch version=\"1\" template=\"kefu-monthly\">\n"
          "<company>华东云联科技有限公司</company><department>客户服务部</department>\n"
          "<period kind=\"month\" year=\"2026\" month=\"10\">2026年10月</period>\n",
          fp);
    for (int i = 0; i < 3000; i++)
        fprintf(fp, "<employee id=\"E%d\"><name>员工</name><!-- %0200d --></employee>\n", i,
                0);
    fputs("</batch>\n", fp);
    fclose(fp);
    int n = -1;
    sc_error err;
    assert_int_equal(sc_data_count(data, &n, &err), SC_OK);
    assert_int_equal(n, 3000);
    assert_int_equal(sc_data_count(SC_SOURCE_DIR "/examples/kefu-2026-10.xml", &n, &err), SC_OK);
    assert_int_equal(n, 12);
    rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_patterns_refused),
        cmocka_unit_test(test_password_from_fields),
        cmocka_unit_test(test_password_file),
        cmocka_unit_test(test_encoded_words),
        cmocka_unit_test(test_rfc2231_filename),
        cmocka_unit_test(test_base64_and_date),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_url_rules),
        cmocka_unit_test(test_message_template),
        cmocka_unit_test(test_journal),
        cmocka_unit_test(test_step_admits),
        cmocka_unit_test(test_data_count),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
