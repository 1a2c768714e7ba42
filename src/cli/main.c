/* main.c -- the scorecard command line: the only code that prints or exits.
 * It parses arguments, hands them to the library's batch driver
 * (sc_batch_run) and prints what the driver reports; it has no loop over
 * records of its own.
 *
 *   scorecard render -d DATA [-d DATA...] [-t TEMPLATE] [-o DIR]
 *                    [--name PATTERN] [--combined FILE] [--dump] [--jobs N]
 *                    [--group-by FIELD] [--sort KEY] [--no-duplex] [--no-summary]
 *   scorecard check  -d DATA [-t TEMPLATE] [--format text|csv|xlsx] [-o FILE]
 *                    [--excel] [--encoding utf-8|gbk|gb18030] [--jobs N]
 *   scorecard summary -d DATA -o FILE.pdf [--sort KEY]   (summary.c)
 *   scorecard mail   -d DATA --from ADDR --smtp URL ...   (mail.c)
 *   scorecard fonts  [TEXT]
 *   scorecard sign   FILE ...   (sign.c)
 *   scorecard verify FILE...    (verify.c)
 *
 * Exit status: 0 all done; 1 some records refused, the others done; 2
 * usage error; 3 nothing done; 4 a data file breaks off (usage()).
 */
#include "cli.h"
#include "mail.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_DATA 64

typedef struct options {
    const char *cmd;
    const char *data[MAX_DATA];
    int ndata;
    const char *template_file;
    const char *template_dir;
    const char *outdir;
    const char *pattern;
    const char *combined;
    const char *fonts_map;
    const char *watermark;
    const char *text; /* fonts: the text to check */
    int dump;
    int quiet;
    int allow_missing;
    int strict;       /* template warnings are errors */
    const char *manifest; /* render -o: its stem ("" none) */
    int remove_stale; /* render -o: a failed record removes its old sheet */
    int csv;          /* check: the summary table as CSV */
    int xlsx;         /* check: the table as an Excel workbook (table_xlsx.c) */
    int encoding;     /* check --format csv: csv_encoding (csv_enc.c) */
    int group_by;     /* render: sc_group_by, one book per group */
    int sort;         /* books and summary: sc_sort */
    int duplex;       /* books: -1 default (duplex), 0 --no-duplex, 1 --duplex */
    int no_summary;   /* books: no summary sheet in front */
    const char *summary_template;
    int profile;      /* render: sc_profile */
    const char *password_from; /* encryption: where each password comes from */
    mail_cli mail;    /* mail's own options */
    int zh;           /* check: Chinese column names and status words */
    const char *problems; /* check: the problems as CSV into this file */
    int jobs;         /* records made at once; 0: one per CPU */
} options;

static progress_bar *bar; /* the progress line, if shown (progress.c) */

/* ---- printing --------------------------------------------------------- */

void errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("scorecard: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* scorecard: [KIND]FILE:LINE:COL: MESSAGE [employee ID NAME, field FIELD] */
static void print_problem(const char *kind, const sc_error *e)
{
    progress_clear(bar);
    fputs("scorecard: ", stderr);
    fputs(kind, stderr);
    if (e->file[0]) {
        fputs(e->file, stderr);
        if (e->line > 0) {
            fprintf(stderr, ":%d", e->line);
            if (e->column > 0)
                fprintf(stderr, ":%d", e->column);
        }
        fputs(": ", stderr);
    }
    fputs(e->message[0] ? e->message : sc_strerror(e->code), stderr);
    if (e->employee[0] || e->field[0]) {
        fputs(" [", stderr);
        if (e->employee[0])
            fprintf(stderr, "employee %s", e->employee);
        if (e->employee[0] && e->field[0])
            fputs(", ", stderr);
        if (e->field[0])
            fprintf(stderr, "field %s", e->field);
        fputc(']', stderr);
    }
    fputc('\n', stderr);
}

void print_error(const sc_error *e) { print_problem("", e); }

/* Every problem the library finds, as it reports it (in record order);
 * ud: the check table, which lists them for --problems (or NULL). */
void on_diag(void *ud, const sc_error *e)
{
    print_error(e);
    table_problem(ud, e, 0);
}

/* A problem that did not stop the record (e.g. a missing glyph drawn as a
 * marker with --allow-missing-glyphs). */
void on_warning(void *ud, const sc_error *e)
{
    print_problem("warning: ", e);
    table_problem(ud, e, 1);
}

/* The help text is also the man page (help2man, CMakeLists.txt) and what
 * tests/docs checks the documentation against: every option is here
 * (sign's and verify's in their own --help). */
static void usage(FILE *f)
{
    fputs("Usage: scorecard render -d DATA [-d DATA...] [OPTION]...\n"
          "  or:  scorecard check -d DATA [-d DATA...] [OPTION]...\n"
          "  or:  scorecard summary -d DATA [-d DATA...] -o FILE.pdf [OPTION]...\n"
          "  or:  scorecard mail -d DATA --from ADDR --smtp URL --password-from SOURCE\n"
          "                      [OPTION]...\n"
          "  or:  scorecard fonts [TEXT]\n"
          "  or:  scorecard sign FILE --key KEY [OPTION]...   (scorecard sign --help)\n"
          "  or:  scorecard verify [--ca FILE] FILE...       (scorecard verify --help)\n"
          "  or:  scorecard --help | --version\n"
          "Turn evaluation data (XML) and a layout template (XML) into Chinese PDF\n"
          "performance sheets (绩效考核表), computing every score, total, grade and bonus.\n"
          "\n"
          "Commands:\n"
          "  render   one PDF per employee into DIR (default: the current folder), with\n"
          "           the run's manifest (manifest.csv, manifest.json); or print books\n"
          "  check    validate data and template, compute and lay out every record,\n"
          "           write no PDF; print the figures each employee's sheet prints\n"
          "           (total, grade, bonus … under the sheet's labels)\n"
          "  summary  the department summary (部门绩效汇总表) of the data as one PDF\n"
          "  mail     e-mail each employee their own sheet, encrypted, exactly once (a\n"
          "           journal in DIR: a rerun sends only the rest); docs/mail.md\n"
          "  fonts    show the resolved fonts and which font draws each character of TEXT\n"
          "  sign     add a PAdES signature to an archive copy\n"
          "  verify   check an archive copy: signatures, PDF/A, the record inside, its\n"
          "           scores\n"
          "\n"
          "Options:\n"
          "  -d, --data FILE       evaluation batch (XML; UTF-8, GBK, GB18030, Big5)\n"
          "  -t, --template FILE   template file (default: the one the data names)\n"
          "  -T, --templates DIR   folder to look for named templates in first\n"
          "  -o, --output DIR      output folder (created if missing); for check and\n"
          "                        summary the file to write (check: its table)\n"
          "  -n, --name PATTERN    file name pattern, default {period}_{id}_{name}.pdf;\n"
          "                        placeholders: {period} {id} {name} {department} {position}\n"
          "      --manifest STEM   the run's manifest in the output folder: STEM.csv and\n"
          "                        STEM.json (default manifest; \"\" for none)\n"
          "      --remove-stale    a record that fails removes the sheet an earlier run left\n"
          "                        under its file name (else that sheet is warned about)\n"
          "      --profile P       render: print (default), archive (PDF/A-3b with the\n"
          "                        record inside and a signature field per role) or\n"
          "                        pdfa1 (PDF/A-1b, no attachments)\n"
          "      --password-from SOURCE\n"
          "                        encrypt each PDF (AES-256) with its employee's password\n"
          "                        from the data: '{id-number:-6}' (last 6 characters of\n"
          "                        <id-number>), '{password}' (<password>), or file:FILE\n"
          "                        (lines ID<TAB>password); never a password itself\n"
          "  -c, --combined FILE   write the whole batch as one print book instead\n"
          "      --group-by FIELD  one print book per superior, evaluator (考核人),\n"
          "                        department or position, into DIR: {period}_{value}.pdf\n"
          "      --sort KEY        order within a book and the summary: id, name (pinyin),\n"
          "                        total (highest first) or grade (default: the data's)\n"
          "      --duplex          books: every record starts on a front page (default)\n"
          "      --no-duplex       books: no blank back after a record of odd page count\n"
          "      --no-summary      books: no department summary in front\n"
          "      --summary-template FILE\n"
          "                        the summary's template (default dept-summary)\n"
          "      --dump            print the layout dump instead of writing PDFs\n"
          "      --fonts FILE      font map (default: the installed fonts/fonts.xml)\n"
          "      --watermark TEXT  draw TEXT across every page (\"\" for none)\n"
          "      --allow-missing-glyphs\n"
          "                        draw a character no font has as a framed ? and warn,\n"
          "                        instead of failing the record\n"
          "      --strict          a template select that gives nothing for a whole batch\n"
          "                        is an error, not a warning (for checking templates)\n"
          "      --format FMT      check: the table as text (default), csv (CRLF, RFC\n"
          "                        4180 quoting; period and department columns) or xlsx\n"
          "                        (an Excel workbook of the CSV's cells, figures as\n"
          "                        numbers, the problems on a second sheet; needs -o FILE)\n"
          "      --headers LANG    check: en (default) or zh: Chinese column names and\n"
          "                        status words in the CSV (工号,姓名,…,状态)\n"
          "      --problems FILE   check: every problem also as CSV into FILE (employee,\n"
          "                        field, file, line, column, kind, message)\n"
          "      --excel           check's CSVs: UTF-8 with a byte-order mark, which Excel\n"
          "                        opens without garbling\n"
          "      --encoding ENC    check's CSVs: utf-8 (default), gbk (old Excel; a\n"
          "                        character GBK lacks is refused) or gb18030\n"
          "  -j, --jobs N          make N documents at once (default: one per CPU);\n"
          "                        the output is the same whatever N\n"
          "  -q, --quiet           no summary line and no progress line\n"
          "  -h, --help            this text\n"
          "      --version         the version\n"
          "\n"
          "mail (and -d -t -T -o -n --fonts --password-from -q above):\n"
          "      --smtp URL        smtp://HOST:587 (STARTTLS required unless HOST is this\n"
          "                        machine) or smtps://HOST:465\n"
          "      --smtp-user USER  AUTH login; the password is $SCORECARD_SMTP_PASSWORD\n"
          "      --netrc FILE      login and password from a netrc file instead\n"
          "      --cacert FILE     certificates to verify the server with\n"
          "      --from ADDR       sender, e.g. '人力资源部 <hr@example.com>'\n"
          "      --cc ADDR|superior, --bcc ADDR, --reply-to ADDR\n"
          "                        a copy (superior: <superior email=\"...\">), an archive\n"
          "      --message FILE    subject and body template (default: a Chinese text)\n"
          "      --dry-run DIR     write each message as DIR/NAME.eml, send nothing\n"
          "      --journal FILE    what was sent (default: DIR/mail-journal.tsv)\n"
          "      --rate N/min      at most N messages a minute (or N/h)\n"
          "      --retries N       tries per message on a 4xx reply (default 5), waiting\n"
          "      --retry-wait S    S seconds, doubled each time (default 2)\n"
          "      --no-encryption   send the sheets unencrypted (they show the bonus)\n"
          "\n"
          "The summary line and every problem go to standard error; standard output\n"
          "holds only the table (check) or the layout dump (--dump).\n"
          "\n"
          "Exit status:\n"
          "  0  every record done\n"
          "  1  some records refused (each named on standard error), the others done;\n"
          "     with --strict also a template select that gave nothing\n"
          "  2  usage error: nothing read\n"
          "  3  nothing done: the data or the template is unusable, or every record was\n"
          "     refused (no sheet written)\n"
          "  4  a data file breaks off (malformed XML, a wrong encoding half-way): the\n"
          "     records before the break are done or refused as reported, the records\n"
          "     after it were not read\n"
          "\n"
          "Environment:\n"
          "  SCORECARD_TEMPLATES   folders (separated by :) to look for named templates\n"
          "                        in, after the data file's own folder\n"
          "  SCORECARD_FONTS       font map to use instead of the installed one\n"
          "  SCORECARD_SMTP_PASSWORD  mail: the SMTP login's password\n"
          "  SOURCE_DATE_EPOCH     the documents' date (seconds since 1970); else the\n"
          "                        last day of the period in the data\n"
          "\n"
          "Files:\n"
          "  PREFIX/share/scorecard/templates   the shipped templates, found from the\n"
          "                                     program's own folder (../share/scorecard)\n"
          "  PREFIX/share/scorecard/fonts       the default font map, fonts.xml\n",
          f);
}

/* ---- arguments -------------------------------------------------------- */

static int parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->pattern = "{period}_{id}_{name}.pdf";
    o->outdir = NULL;
    o->duplex = -1;
    o->manifest = "manifest";
    int i = 1;
    if (i >= argc) {
        usage(stderr);
        return -1;
    }
    o->cmd = argv[i++];
    if (!strcmp(o->cmd, "--help") || !strcmp(o->cmd, "-h")) {
        usage(stdout);
        return 1;
    }
    if (!strcmp(o->cmd, "--version")) {
        printf("scorecard %s\n", SC_VERSION);
        return 1;
    }
    if (strcmp(o->cmd, "render") && strcmp(o->cmd, "check") && strcmp(o->cmd, "fonts") &&
        strcmp(o->cmd, "summary") && strcmp(o->cmd, "mail")) {
        errorf("unknown command '%s' (try: scorecard --help)", o->cmd);
        return -1;
    }
    if (encryption_conflict(argc, argv))
        return -1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        int mk = !strcmp(o->cmd, "mail") ? mail_option(&o->mail, argc, argv, &i) : 0;
        if (mk < 0)
            return -1;
        if (mk > 0)
            continue;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 1;
        } else if (!strcmp(a, "--dump")) {
            o->dump = 1;
            continue;
        } else if (!strcmp(a, "--allow-missing-glyphs")) {
            o->allow_missing = 1;
            continue;
        } else if (!strcmp(a, "--strict")) {
            o->strict = 1;
            continue;
        } else if (!strcmp(a, "--remove-stale")) {
            o->remove_stale = 1;
            continue;
        } else if (!strcmp(a, "--manifest")) {
            slot = &o->manifest;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = 1;
            continue;
        } else if (!strcmp(a, "--duplex") || !strcmp(a, "--no-duplex")) {
            o->duplex = !strcmp(a, "--duplex");
            continue;
        } else if (!strcmp(a, "--no-summary")) {
            o->no_summary = 1;
            continue;
        } else if (!strcmp(a, "--excel")) {
            o->encoding = CSV_UTF8_BOM;
            continue;
        } else if (!strcmp(a, "--encoding") || !strcmp(a, "--group-by") ||
                   !strcmp(a, "--sort")) {
            if (i + 1 >= argc) {
                errorf("option '%s' needs a value", a);
                return -1;
            }
            const char *v = argv[++i];
            static const char *const groups[] = {"", "superior", "evaluator", "department",
                                                  "position"};
            static const char *const sorts[] = {"data", "id", "name", "total", "grade"};
            int k = -1;
            if (!strcmp(a, "--encoding")) {
                if ((k = csv_encoding_parse(v)) < 0) {
                    errorf("--encoding takes utf-8, gbk or gb18030, not '%s'", v);
                    return -1;
                }
                o->encoding = k;
                continue;
            }
            const char *const *names = !strcmp(a, "--sort") ? sorts : groups;
            for (int n = 0; n < 5 && k < 0; n++)
                if (names[n][0] && !strcmp(names[n], v))
                    k = n;
            if (k < 0) {
                errorf(!strcmp(a, "--sort") ? "--sort takes id, name, total, grade or data, not '%s'"
                                            : "--group-by takes superior, evaluator, department "
                                              "or position, not '%s'",
                       v);
                return -1;
            }
            *(!strcmp(a, "--sort") ? &o->sort : &o->group_by) = k;
            continue;
        } else if (!strcmp(a, "-d") || !strcmp(a, "--data")) {
            if (o->ndata == MAX_DATA) {
                errorf("at most %d data files at once", MAX_DATA);
                return -1;
            }
            slot = &o->data[o->ndata++];
        } else if (!strcmp(a, "-t") || !strcmp(a, "--template")) {
            slot = &o->template_file;
        } else if (!strcmp(a, "-T") || !strcmp(a, "--templates")) {
            slot = &o->template_dir;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            slot = &o->outdir;
        } else if (!strcmp(a, "-n") || !strcmp(a, "--name")) {
            slot = &o->pattern;
        } else if (!strcmp(a, "-c") || !strcmp(a, "--combined")) {
            slot = &o->combined;
        } else if (!strcmp(a, "--fonts")) {
            slot = &o->fonts_map;
        } else if (!strcmp(a, "--watermark")) {
            slot = &o->watermark;
        } else if (!strcmp(a, "--summary-template")) {
            slot = &o->summary_template;
        } else if (!strcmp(a, "--profile")) {
            if (i + 1 >= argc) {
                errorf("option '%s' needs a value", a);
                return -1;
            }
            const char *f = argv[++i];
            if (!strcmp(f, "archive")) {
                o->profile = SC_PROFILE_ARCHIVE;
            } else if (!strcmp(f, "pdfa1")) {
                o->profile = SC_PROFILE_PDFA1;
            } else if (strcmp(f, "print")) {
                errorf("--profile takes print, archive or pdfa1, not '%s'", f);
                return -1;
            }
            continue;
        } else if (!strcmp(a, "--password-from")) {
            slot = &o->password_from;
        } else if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
            if (i + 1 >= argc) {
                errorf("option '%s' needs a value", a);
                return -1;
            }
            const char *v = argv[++i];
            char *end = NULL;
            long n = strtol(v, &end, 10);
            if (!*v || *end || n < 1 || n > 256) {
                errorf("--jobs takes a number from 1 to 256, not '%s'", v);
                return -1;
            }
            o->jobs = (int)n;
            continue;
        } else if (!strcmp(a, "--format")) {
            if (i + 1 >= argc) {
                errorf("option '%s' needs a value", a);
                return -1;
            }
            const char *f = argv[++i];
            o->csv = !strcmp(f, "csv");
            o->xlsx = !strcmp(f, "xlsx");
            if (!o->csv && !o->xlsx && strcmp(f, "text")) {
                errorf("--format takes text, csv or xlsx, not '%s'", f);
                return -1;
            }
            continue;
        } else if (!strcmp(a, "--headers")) {
            if (i + 1 >= argc) {
                errorf("option '%s' needs a value", a);
                return -1;
            }
            const char *h = argv[++i];
            if (!strcmp(h, "zh")) {
                o->zh = 1;
            } else if (strcmp(h, "en")) {
                errorf("--headers takes zh or en, not '%s'", h);
                return -1;
            }
            continue;
        } else if (!strcmp(a, "--problems")) {
            slot = &o->problems;
        } else if (a[0] == '-' && a[1]) {
            errorf("unknown option '%s' (try: scorecard --help)", a);
            return -1;
        } else if (!strcmp(o->cmd, "fonts") && !o->text) {
            o->text = a;
            continue;
        } else {
            errorf("unexpected argument '%s' (try: scorecard --help)", a);
            return -1;
        }
        if (i + 1 >= argc) {
            errorf("option '%s' needs a value", a);
            return -1;
        }
        *slot = argv[++i];
    }
    if (strcmp(o->cmd, "fonts") && o->ndata == 0) {
        errorf("no data file: give one with -d FILE");
        return -1;
    }
    if ((o->csv || o->xlsx || o->zh) && strcmp(o->cmd, "check")) {
        errorf("%s is an option of 'check'", o->zh && !o->csv && !o->xlsx ? "--headers" : "--format");
        return -1;
    }
    if (o->xlsx && (!o->outdir || !strcmp(o->outdir, "-"))) {
        errorf("--format xlsx makes a workbook file, not text for a terminal or a pipe: "
               "name it with -o FILE.xlsx");
        return -1;
    }
    if (o->profile && strcmp(o->cmd, "render")) {
        errorf("--profile is an option of 'render'");
        return -1;
    }
    if (!strcmp(o->cmd, "mail") && (o->combined || o->dump || o->group_by)) {
        errorf("mail sends each employee their own PDF: --combined, --group-by and "
               "--dump are options of render");
        return -1;
    }
    if (o->combined && o->dump) {
        errorf("--combined and --dump exclude each other");
        return -1;
    }
    if (o->encoding && !o->csv && !o->problems) {
        errorf("--excel and --encoding are options of 'check --format csv' and --problems");
        return -1;
    }
    int book = !strcmp(o->cmd, "render") && (o->combined || o->group_by);
    if (o->group_by && (strcmp(o->cmd, "render") || o->combined || o->dump)) {
        errorf("--group-by makes one book per group with 'render' into -o DIR: not with "
               "--combined, --dump or another command");
        return -1;
    }
    if ((o->duplex >= 0 || o->no_summary) && !book) {
        errorf("--duplex, --no-duplex and --no-summary are options of print books "
               "(render --combined or --group-by)");
        return -1;
    }
    if (o->sort && !book && strcmp(o->cmd, "summary")) {
        errorf("--sort orders a print book (render --combined or --group-by) or the summary");
        return -1;
    }
    return 0;
}

/* ---- helpers ---------------------------------------------------------- */

double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* SOURCE_DATE_EPOCH (reproducible builds): the documents' date when set;
 * 1 if set and valid, 0 if unset, -1 if malformed. */
int source_date(long long *out)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (!sde || !*sde)
        return 0;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(sde, &end, 10);
    if (errno || !end || *end || v < 0)
        return -1;
    *out = v;
    return 1;
}

/* ---- what the driver reports ------------------------------------------ */

typedef struct reporter {
    const options *o;
    check_table *table; /* check, or --problems */
    int pages;          /* laid out (--dump) */
} reporter;

static void on_result(void *ud, const sc_result *r)
{
    reporter *rp = ud;
    if (r->dump && rp->o->dump)
        fputs(r->dump, stdout);
    rp->pages += r->pages;
    progress_tick(bar, r->index);
    if (!strcmp(rp->o->cmd, "check"))
        table_add(rp->table, r);
}

/* ---- commands --------------------------------------------------------- */

/* ---- where an installed scorecard finds its data ------------------------ */

/* The data folder installed with this program: ../share/scorecard beside
 * it (cmake --install puts it there, whatever the prefix), if it holds the
 * font map.  NULL when run from the build tree: the library then takes
 * the folder it was configured to install to, or its source tree. */
static const char *installed_data(void)
{
    static char dir[4096];
    static int done;
    if (done)
        return dir[0] ? dir : NULL;
    done = 1;
    char exe[3800];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    char probe[4200];
    snprintf(dir, sizeof dir, "%s/../share/scorecard", exe);
    snprintf(probe, sizeof probe, "%s/fonts/fonts.xml", dir);
    if (access(probe, R_OK) != 0)
        dir[0] = '\0';
    return dir[0] ? dir : NULL;
}

const char *cli_font_map(const char *given, char *buf, size_t n)
{
    const char *map = given ? given : getenv("SCORECARD_FONTS");
    if (map && *map)
        return map;
    const char *data = installed_data();
    if (!data)
        return NULL;
    snprintf(buf, n, "%s/fonts/fonts.xml", data);
    return buf;
}

const char *cli_template_path(char *buf, size_t n)
{
    const char *env = getenv("SCORECARD_TEMPLATES");
    const char *data = installed_data();
    if (!data)
        return env;
    snprintf(buf, n, "%s%s%s/templates", env && *env ? env : "", env && *env ? ":" : "",
             data);
    return buf;
}

static int cmd_fonts(const options *o)
{
    sc_fonts *fonts = NULL;
    sc_error err;
    char mapbuf[4300];
    if (sc_fonts_load(&fonts, cli_font_map(o->fonts_map, mapbuf, sizeof mapbuf), &err) != SC_OK) {
        print_error(&err);
        return EXIT_UNUSABLE;
    }
    char *report = NULL;
    int rc = EXIT_ALL_OK;
    if (sc_fonts_describe(fonts, o->text, &report, &err) == SC_OK) {
        fputs(report, stdout);
        size_t n = strlen(report);
        if (n && report[n - 1] != '\n')
            fputc('\n', stdout);
    } else {
        print_error(&err);
        rc = EXIT_UNUSABLE;
    }
    sc_free(report);
    sc_fonts_free(fonts);
    return rc;
}

/* What the run did, on standard error (standard output holds the table
 * or the dump, for a pipe). */
static void print_summary(const options *o, const sc_batch_summary *sum, int pages,
                          double secs)
{
    int check = !strcmp(o->cmd, "check");
    char refused[64] = "";
    if (sum->failed)
        snprintf(refused, sizeof refused, "; %d record%s refused (see above)", sum->failed,
                 sum->failed > 1 ? "s" : "");
    if (check)
        fprintf(stderr, "scorecard: checked %d record%s: %d ok, %d refused (%.2f s)\n",
                sum->records, sum->records == 1 ? "" : "s", sum->ok, sum->failed, secs);
    else if (o->dump)
        fprintf(stderr, "scorecard: laid out %d record%s, %d page%s in %.2f s%s\n", sum->ok,
                sum->ok == 1 ? "" : "s", pages, pages == 1 ? "" : "s", secs, refused);
    else if (o->group_by)
        fprintf(stderr, "scorecard: %d document%s in %d book%s, %d page%s -> %s%s in %.2f s%s\n",
                sum->ok, sum->ok == 1 ? "" : "s", sum->files, sum->files == 1 ? "" : "s",
                sum->pages, sum->pages == 1 ? "" : "s", o->outdir ? o->outdir : ".",
                o->outdir && o->outdir[0] && o->outdir[strlen(o->outdir) - 1] == '/' ? "" : "/",
                secs, refused);
    else
        fprintf(stderr, "scorecard: %d document%s, %d page%s%s%s in %.2f s%s\n",
                o->combined ? sum->ok : sum->files,
                (o->combined ? sum->ok : sum->files) == 1 ? "" : "s", sum->pages,
                sum->pages == 1 ? "" : "s", o->combined ? " -> " : "",
                o->combined ? o->combined : "", secs, refused);
    if (sum->unusable)
        fprintf(stderr, "scorecard: %d data file%s could not be used (see above): none of "
                        "%s records were read\n",
                sum->unusable, sum->unusable > 1 ? "s" : "", sum->unusable > 1 ? "their" : "its");
    if (sum->unmatched)
        fprintf(stderr, "scorecard: --strict: %d template select%s gave nothing for a whole "
                        "batch (see above)\n", sum->unmatched, sum->unmatched > 1 ? "s" : "");
    if (sum->cut_short)
        fprintf(stderr, "scorecard: %d data file%s break%s off (see above): the records "
                        "after the break were not read (exit status %d)\n",
                sum->cut_short, sum->cut_short > 1 ? "s" : "", sum->cut_short > 1 ? "" : "s",
                EXIT_CUT_SHORT);
}

/* The exit status of a run (docs: README, --help): usage 2 first; a data
 * file that breaks off 4, whatever else happened (records after the break
 * were never read, so nothing may look complete); nothing done 3; some
 * records refused (or, with --strict, a template select that gave
 * nothing) 1; all done 0. */
static int exit_status(sc_status st, const sc_batch_summary *sum)
{
    if (st == SC_ERR_USAGE)
        return EXIT_USAGE;
    if (sum->cut_short)
        return EXIT_CUT_SHORT;
    if (st != SC_OK) /* an output failed at the end: 3 only if none was written */
        return sum->files > 0 ? EXIT_SOME_FAILED : EXIT_UNUSABLE;
    if (sum->ok == 0)
        return EXIT_UNUSABLE;
    if (sum->failed || sum->unusable || sum->unmatched)
        return EXIT_SOME_FAILED;
    return EXIT_ALL_OK;
}

static void *warm_up(void *unused)
{
    (void)unused;
    sc_warm_up();
    return NULL;
}

/* The warm-up thread is joined when the run is over: after the schemas
 * it builds the records' quick validity check (sc_warm_up), which the
 * first records do without (they take the full validation). */
static int joined(int warming, pthread_t warm, int rc)
{
    if (warming)
        pthread_join(warm, NULL);
    return rc;
}

static int cmd_render(const options *o)
{
    double t0 = now();
    int check = !strcmp(o->cmd, "check");
    sc_error err;
    memset(&err, 0, sizeof err);
    sc_batch_opts bo = SC_BATCH_OPTS_INIT;
    int sd = source_date(&bo.created);
    if (sd < 0) {
        errorf("SOURCE_DATE_EPOCH must be a number of seconds since 1970");
        return EXIT_USAGE;
    }
    if (o->xlsx && xlsx_load() != 0) /* a missing library, before the work */
        return EXIT_UNUSABLE;
    /* a pattern is the user's, not the data's: refused before any reading */
    if (!check && !o->dump && !o->combined &&
        sc_filename_pattern_check(o->pattern, &err) != SC_OK) {
        print_error(&err);
        return EXIT_USAGE;
    }
    char mapbuf[4300], tplbuf[8400];
    sc_fonts *fonts = NULL;
    /* the schemas compile on the other core while the fonts load (the
     * library waits for them where it needs them) */
    sc_init();
    pthread_t warm;
    int warming = pthread_create(&warm, NULL, warm_up, NULL) == 0;
    sc_status fst = sc_fonts_load(&fonts, cli_font_map(o->fonts_map, mapbuf, sizeof mapbuf),
                                  &err);
    if (fst != SC_OK) {
        print_error(&err);
        return joined(warming, warm, EXIT_UNUSABLE);
    }
    reporter rp;
    memset(&rp, 0, sizeof rp);
    rp.o = o;
    if ((check || o->problems) && !(rp.table = table_new(o->zh, o->encoding))) {
        sc_fonts_free(fonts);
        errorf("out of memory");
        return joined(warming, warm, EXIT_UNUSABLE);
    }
    bo.data = o->data;
    bo.ndata = o->ndata;
    bo.produce = check ? SC_PRODUCE_CHECK : o->dump ? SC_PRODUCE_DUMP : SC_PRODUCE_PDF;
    bo.template_file = o->template_file;
    bo.template_dir = o->template_dir;
    bo.template_path = cli_template_path(tplbuf, sizeof tplbuf);
    bo.out_dir = o->outdir ? o->outdir : ".";
    bo.group_by = o->group_by;
    bo.sort = o->sort;
    bo.no_duplex = o->duplex == 0;
    bo.no_summary = o->no_summary;
    bo.summary_template = o->summary_template;
    bo.name_pattern = o->pattern;
    bo.combined = o->combined;
    bo.watermark = o->watermark;
    bo.allow_missing_glyphs = o->allow_missing;
    bo.profile = o->profile;
    password_source(o->password_from, &bo.password_pattern, &bo.password_file);
    bo.jobs = o->jobs ? o->jobs : cli_cpus();
    bo.strict = o->strict;
    bo.manifest = o->manifest;
    bo.remove_stale = o->remove_stale;
    bo.diag = on_diag;
    bo.diag_ud = rp.table;
    bo.warn = on_warning;
    bo.warn_ud = rp.table;
    bo.on_result = on_result;
    bo.result_ud = &rp;
    sc_batch_summary sum;
    bar = progress_new(!o->quiet, o->data, o->ndata);
    sc_status st = sc_batch_run(fonts, &bo, &sum, &err);
    progress_end(bar);
    bar = NULL;
    sc_fonts_free(fonts);
    if (st != SC_OK)
        print_error(&err);

    double secs = now() - t0;
    int rc = exit_status(st, &sum);
    if (check && o->outdir) {
        /* into a file: only a table that has rows replaces one */
        if (sum.records == 0)
            errorf("no table to write: %s not written", o->outdir);
        else if (table_save(rp.table, o->outdir, o->csv, o->xlsx, o->zh,
                            sd > 0 ? bo.created : 0) != 0)
            rc = EXIT_UNUSABLE;
    } else if (check && (sum.records > 0 || o->csv) &&
               table_print(rp.table, stdout, o->csv) != 0)
        rc = EXIT_UNUSABLE;
    if (o->problems && table_save_problems(rp.table, o->problems, &err) != SC_OK) {
        print_error(&err);
        rc = EXIT_UNUSABLE;
    }
    table_free(rp.table);
    if (!o->quiet)
        print_summary(o, &sum, rp.pages, secs);
    if (rc == EXIT_UNUSABLE && st == SC_OK && sum.records == 0 && !sum.unusable)
        errorf("the data holds no employee record");
    return joined(warming, warm, rc);
}

/* Everything printed reached its stream: a full disk or a closed pipe
 * under stdout (`check > /dev/full`) is a failure, never a silent
 * success.  A failing stderr cannot be told about, only exited on. */
static int finish_output(int rc)
{
    int e = 0, lost = ferror(stdout); /* an earlier write failed: why is gone */
    if (fflush(stdout) != 0)
        e = errno;
    if (fclose(stdout) != 0 && !e)
        e = errno;
    if (e || lost) {
        if (e)
            errorf("cannot write the output: %s", strerror(e));
        else
            errorf("cannot write the output: part of it was lost (disk full, "
                   "or the file or pipe closed?)");
        rc = EXIT_UNUSABLE;
    }
    if (fflush(stderr) != 0 || ferror(stderr))
        rc = EXIT_UNUSABLE;
    return rc;
}

int main(int argc, char **argv)
{
    /* glibc grows a thread's heap a page at a time, one mprotect each
     * (~470 in a one-sheet run, 1 ms of its 20); 2 MB at a time instead.
     * Untouched pages cost no memory. */
    mallopt(M_TOP_PAD, 2 << 20);
    if (argc > 1 && !strcmp(argv[1], "sign"))
        return cmd_sign(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "verify"))
        return cmd_verify(argc - 1, argv + 1);
    options o;
    int p = parse_args(argc, argv, &o);
    if (p != 0)
        return finish_output(p < 0 ? EXIT_USAGE : EXIT_ALL_OK);
    if (!strcmp(o.cmd, "fonts"))
        return finish_output(cmd_fonts(&o));
    if (!strcmp(o.cmd, "summary")) {
        summary_args a = {o.data,         o.ndata,         o.outdir,
                          o.dump,         o.sort,          o.template_file,
                          o.template_dir, o.summary_template, o.fonts_map,
                          o.allow_missing, o.quiet};
        return finish_output(cmd_summary(&a));
    }
    if (!strcmp(o.cmd, "mail")) {
        mail_common c = {o.data,          o.ndata,       o.template_file, o.template_dir,
                         o.outdir,        o.pattern,     o.fonts_map,     o.watermark,
                         o.password_from, o.allow_missing, o.quiet};
        return finish_output(cmd_mail(&c, &o.mail));
    }
    return finish_output(cmd_render(&o));
}
