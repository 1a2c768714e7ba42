/* main.c -- the scorecard command line: the only code that prints or exits.
 *
 *   scorecard render -d DATA [-d DATA...] [-t TEMPLATE] [-o DIR]
 *                    [--name PATTERN] [--combined FILE] [--dump]
 *   scorecard check  -d DATA [-t TEMPLATE] [--format text|csv]
 *   scorecard fonts  [TEXT]
 *
 * Exit status: 0 all rendered; 1 some records failed, the others were
 * written; 2 usage error; 3 input unusable, nothing written.
 */
#include "scorecard.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum { EXIT_ALL_OK = 0, EXIT_SOME_FAILED = 1, EXIT_USAGE = 2, EXIT_UNUSABLE = 3 };

#define MAX_DATA 64
#define MAX_TEMPLATES 16

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
    int csv;          /* check: the summary table as CSV */
} options;

/* ---- printing --------------------------------------------------------- */

static void errorf(const char *fmt, ...)
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

static void print_error(const sc_error *e) { print_problem("", e); }

/* Problems found while reading are printed as they come; the count lets
 * `check` say how many there were. */
typedef struct diag_state {
    int count;
} diag_state;

static void on_diag(void *ud, const sc_error *e)
{
    diag_state *d = ud;
    d->count++;
    print_error(e);
}

/* A problem that did not stop the record (e.g. a missing glyph drawn as a
 * marker with --allow-missing-glyphs). */
static void on_warning(void *ud, const sc_error *e)
{
    (void)ud;
    print_problem("warning: ", e);
}

static void usage(FILE *f)
{
    fputs("usage: scorecard render -d DATA [-d DATA...] [-t TEMPLATE] [-o DIR]\n"
          "                        [--name PATTERN] [--combined FILE] [--dump]\n"
          "       scorecard check -d DATA [-t TEMPLATE] [--format text|csv]\n"
          "       scorecard fonts [TEXT]\n"
          "       scorecard --help | --version\n"
          "\n"
          "render   one PDF per employee into DIR (default: current folder)\n"
          "check    validate data and template, compute and lay out every record, write\n"
          "         no PDF; print each employee's total, grade and bonus\n"
          "fonts    show the resolved fonts and which font draws each character of TEXT\n"
          "\n"
          "  -d, --data FILE       evaluation batch (XML; UTF-8, GBK, GB18030, Big5)\n"
          "  -t, --template FILE   template file (default: the one the data names)\n"
          "  -T, --templates DIR   folder to look for named templates in first\n"
          "  -o, --output DIR      output folder (created if missing)\n"
          "  -n, --name PATTERN    file name pattern, default {period}_{id}_{name}.pdf\n"
          "                        placeholders: {period} {id} {name} {department} {position}\n"
          "  -c, --combined FILE   write the whole batch as one print file instead\n"
          "      --dump            print the layout dump instead of writing PDFs\n"
          "      --fonts FILE      font map (default: the installed fonts/fonts.xml)\n"
          "      --watermark TEXT  draw TEXT across every page (\"\" for none)\n"
          "      --allow-missing-glyphs\n"
          "                        draw a character no font has as a framed ? and warn,\n"
          "                        instead of failing the record\n"
          "  -q, --quiet           no summary line\n"
          "      --format FMT      check: the table as text (default) or csv (UTF-8,\n"
          "                        header line, RFC 4180 quoting)\n"
          "\n"
          "exit status: 0 all rendered; 1 some records failed, the others were written;\n"
          "             2 usage error; 3 input unusable, nothing written\n",
          f);
}

/* ---- arguments -------------------------------------------------------- */

static int parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->pattern = "{period}_{id}_{name}.pdf";
    o->outdir = ".";
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
    if (strcmp(o->cmd, "render") && strcmp(o->cmd, "check") && strcmp(o->cmd, "fonts")) {
        errorf("unknown command '%s' (try: scorecard --help)", o->cmd);
        return -1;
    }
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 1;
        } else if (!strcmp(a, "--dump")) {
            o->dump = 1;
            continue;
        } else if (!strcmp(a, "--allow-missing-glyphs")) {
            o->allow_missing = 1;
            continue;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = 1;
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
        } else if (!strcmp(a, "--format")) {
            if (i + 1 >= argc) {
                errorf("option '%s' needs a value", a);
                return -1;
            }
            const char *f = argv[++i];
            if (!strcmp(f, "csv")) {
                o->csv = 1;
            } else if (strcmp(f, "text")) {
                errorf("--format takes text or csv, not '%s'", f);
                return -1;
            }
            continue;
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
    if (o->csv && strcmp(o->cmd, "check")) {
        errorf("--format is an option of 'check'");
        return -1;
    }
    if (o->combined && o->dump) {
        errorf("--combined and --dump exclude each other");
        return -1;
    }
    return 0;
}

/* ---- helpers ---------------------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

/* Templates are parsed once per process and shared by every record. */
typedef struct tcache {
    char path[4096];
    sc_template *tpl;
} tcache;

static tcache templates[MAX_TEMPLATES];
static int ntemplates;

static sc_template *get_template(const char *path, diag_state *ds, sc_error *err)
{
    for (int i = 0; i < ntemplates; i++)
        if (!strcmp(templates[i].path, path))
            return templates[i].tpl;
    if (ntemplates == MAX_TEMPLATES) {
        snprintf(err->message, sizeof err->message, "too many templates");
        return NULL;
    }
    sc_template *tpl = NULL;
    if (sc_template_load(&tpl, path, on_diag, ds, err) != SC_OK)
        return NULL;
    snprintf(templates[ntemplates].path, sizeof templates[ntemplates].path, "%s", path);
    templates[ntemplates++].tpl = tpl;
    return tpl;
}

static void free_templates(void)
{
    for (int i = 0; i < ntemplates; i++)
        sc_template_free(templates[i].tpl);
    ntemplates = 0;
}

/* One line of `check`'s table: what HR holds against their spreadsheet.
 * A refused record gets a line too (status "error", no figures), so the
 * table always lists every employee of the batch. */
#define NCOLS 6
typedef struct summary_row {
    char *cell[NCOLS]; /* id, name, total, grade, bonus, status */
} summary_row;

typedef struct totals {
    int docs, pages, failed, records;
    int unusable; /* a batch could not be read at all */
    summary_row *rows;
    int nrows, caprows;
} totals;

/* rec NULL: a refused record, known only by its label "id name". */
static void add_row(totals *t, const sc_record *rec, const char *label)
{
    static const char *const keys[NCOLS - 1] = {"id", "name", "total", "grade", "bonus"};
    if (t->nrows == t->caprows) {
        int cap = t->caprows ? t->caprows * 2 : 64;
        summary_row *r = realloc(t->rows, (size_t)cap * sizeof *r);
        if (!r)
            return; /* the table is a convenience: a row less, not a crash */
        t->rows = r;
        t->caprows = cap;
    }
    summary_row *row = &t->rows[t->nrows++];
    memset(row, 0, sizeof *row);
    if (rec) {
        for (int i = 0; i < NCOLS - 1; i++) {
            const char *v = sc_record_get(rec, keys[i]);
            row->cell[i] = strdup(v ? v : "");
        }
        row->cell[NCOLS - 1] = strdup("ok");
        return;
    }
    const char *sp = strchr(label, ' ');
    row->cell[0] = sp ? strndup(label, (size_t)(sp - label)) : strdup(label);
    row->cell[1] = strdup(sp ? sp + 1 : "");
    row->cell[NCOLS - 1] = strdup("error");
}

/* Columns on a terminal: CJK and fullwidth characters take two. */
static int display_width(const char *s)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned cp = *p;
        int len = cp < 0x80 ? 1 : cp < 0xE0 ? 2 : cp < 0xF0 ? 3 : 4;
        if (len > 1) {
            cp &= 0x3Fu >> (len - 1);
            for (int k = 1; k < len && (p[k] & 0xC0) == 0x80; k++)
                cp = (cp << 6) | (p[k] & 0x3Fu);
        }
        for (int k = 0; k < len && *p; k++)
            p++;
        int wide = cp >= 0x1100 &&
                   (cp <= 0x115F || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                    (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000);
        w += wide ? 2 : 1;
    }
    return w;
}

/* RFC 4180: quote a field holding a comma, quote or line break. */
static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* The per-employee table of `check`: 工号 姓名 总分 等级 绩效奖金 状态. */
static void print_table(const totals *t, int csv)
{
    static const char *const head_csv[NCOLS] = {"id", "name", "total", "grade", "bonus",
                                                "status"};
    static const char *const head_text[NCOLS] = {"工号", "姓名", "总分", "等级", "绩效奖金",
                                                 "状态"};
    if (csv) {
        for (int i = 0; i < NCOLS; i++)
            printf("%s%s", i ? "," : "", head_csv[i]);
        fputs("\r\n", stdout);
        for (int r = 0; r < t->nrows; r++) {
            for (int i = 0; i < NCOLS; i++) {
                if (i)
                    fputc(',', stdout);
                csv_field(stdout, t->rows[r].cell[i] ? t->rows[r].cell[i] : "");
            }
            fputs("\r\n", stdout);
        }
        return;
    }
    int width[NCOLS];
    for (int i = 0; i < NCOLS; i++) {
        width[i] = display_width(head_text[i]);
        for (int r = 0; r < t->nrows; r++) {
            int w = t->rows[r].cell[i] ? display_width(t->rows[r].cell[i]) : 0;
            if (w > width[i])
                width[i] = w;
        }
    }
    for (int r = -1; r < t->nrows; r++) {
        for (int i = 0; i < NCOLS; i++) {
            const char *v = r < 0 ? head_text[i] : t->rows[r].cell[i] ? t->rows[r].cell[i] : "";
            int pad = width[i] - display_width(v);
            int right = i == 2 || i == 4; /* numbers right-aligned */
            if (right)
                printf("%*s", pad, "");
            fputs(v, stdout);
            if (!right && i < NCOLS - 1)
                printf("%*s", pad, "");
            if (i < NCOLS - 1)
                fputs("  ", stdout);
        }
        fputc('\n', stdout);
    }
}

static void free_rows(totals *t)
{
    for (int r = 0; r < t->nrows; r++)
        for (int i = 0; i < NCOLS; i++)
            free(t->rows[r].cell[i]);
    free(t->rows);
}


/* The template file -t names, or the one called `name` (found beside the
 * data, in -T DIR, $SCORECARD_TEMPLATES or the installed templates);
 * loaded once per process.  NULL with err set if it cannot be had. */
static sc_template *template_for(const options *o, const char *data, const char *name,
                                 diag_state *ds, sc_error *err)
{
    char tpath[4096];
    const char *tfile = o->template_file;
    if (name) {
        if (sc_template_find(tpath, sizeof tpath, name, o->template_dir, data, err) != SC_OK)
            return NULL;
        tfile = tpath;
    }
    return get_template(tfile, ds, err);
}

/* A record problem found by the CLI itself, shaped like the library's. */
static void record_problem(sc_error *err, const char *file, const char *id,
                             const char *msg)
{
    memset(err, 0, sizeof *err);
    err->code = SC_ERR_TEMPLATE;
    snprintf(err->file, sizeof err->file, "%s", file);
    snprintf(err->employee, sizeof err->employee, "%s", id ? id : "");
    snprintf(err->message, sizeof err->message, "%s", msg);
}

/* ---- one batch -------------------------------------------------------- */

static void run_batch(const options *o, const char *data, const sc_fonts *fonts,
                      sc_book *combined, totals *t)
{
    diag_state ds = {0};
    sc_error err;
    sc_reader *r = NULL;
    if (sc_reader_open(&r, data, on_diag, &ds, &err) != SC_OK) {
        if (ds.count == 0)
            print_error(&err);
        t->unusable = 1;
        return;
    }
    if (!o->allow_missing)
        sc_reader_check_glyphs(r, fonts);
    /* The batch's template (-t, or the one it names) is loaded now so that
     * a missing one stops the batch before anything is written; an
     * employee may name its own (a department batch of several
     * positions), loaded when first needed and shared after that. */
    sc_template *tpl = NULL;
    const char *bname = sc_reader_template(r);
    if (o->template_file || (bname && bname[0])) {
        tpl = template_for(o, data, o->template_file ? NULL : bname, &ds, &err);
        if (!tpl) {
            if (ds.count == 0)
                print_error(&err);
            t->unusable = 1;
            sc_reader_free(r);
            return;
        }
    }

    sc_render_opts ropts = SC_RENDER_OPTS_INIT;
    ropts.watermark = o->watermark;
    ropts.allow_missing_glyphs = o->allow_missing;
    ropts.diag = on_warning;
    int check = !strcmp(o->cmd, "check");
    for (;;) {
        sc_record *rec = NULL;
        sc_status st = sc_reader_next(r, &rec, &err);
        if (st == SC_END)
            break;
        if (st != SC_OK) {
            if (st == SC_ERR_XML || st == SC_ERR_IO || st == SC_ERR_NOMEM || st == SC_ERR_FORBIDDEN) {
                /* The rest of the file cannot be read: fatal for the batch. */
                print_error(&err);
                t->failed++;
                break;
            }
            if (ds.count == 0)
                print_error(&err);
            ds.count = 0;
            t->failed++;
            t->records++;
            if (check)
                add_row(t, NULL, err.employee);
            continue;
        }
        t->records++;
        int pages = 0;
        sc_template *rtpl = tpl;
        const char *own = o->template_file ? "" : sc_record_get(rec, "template");
        if (own[0]) {
            rtpl = template_for(o, data, own, &ds, &err);
            ds.count = 0;
            if (!rtpl && !err.employee[0])
                snprintf(err.employee, sizeof err.employee, "%s %s",
                         sc_record_get(rec, "id"), sc_record_get(rec, "name"));
        } else if (!rtpl) {
            record_problem(&err, data, sc_record_get(rec, "id"),
                             "neither the batch nor the employee names a template "
                             "(batch/@template, employee/@template): give one with -t FILE");
        }
        if (!rtpl) {
            st = err.code ? err.code : SC_ERR_TEMPLATE;
        } else if (check || o->dump) {
            char *dump = NULL;
            st = sc_render_dump(rtpl, fonts, rec, &ropts, &dump, &err);
            if (st == SC_OK && o->dump)
                fputs(dump, stdout);
            sc_free(dump);
            if (st == SC_OK) {
                t->docs++;
                if (check)
                    add_row(t, rec, NULL);
            }
        } else if (combined) {
            st = sc_book_add(combined, rtpl, rec, &pages, &err);
            if (st == SC_OK) {
                t->docs++;
                t->pages += pages;
            }
        } else {
            char name[1024], path[4096 + 1024];
            st = sc_record_filename(rec, o->pattern, name, sizeof name, &err);
            if (st == SC_OK) {
                snprintf(path, sizeof path, "%s/%s", o->outdir, name);
                sc_book *book = NULL;
                st = sc_book_open(&book, fonts, path, &ropts, &err);
                if (st == SC_OK)
                    st = sc_book_add(book, rtpl, rec, &pages, &err);
                if (st == SC_OK) {
                    st = sc_book_close(book, &err);
                } else if (book) {
                    sc_book_abort(book);
                }
            }
            if (st == SC_OK) {
                t->docs++;
                t->pages += pages;
            }
        }
        if (st != SC_OK) {
            print_error(&err);
            t->failed++;
            if (check) {
                char label[256];
                snprintf(label, sizeof label, "%s %s", sc_record_get(rec, "id"),
                         sc_record_get(rec, "name"));
                add_row(t, NULL, label);
            }
        }
        sc_record_free(rec);
    }
    sc_reader_free(r);
}

/* ---- commands --------------------------------------------------------- */

static int cmd_fonts(const options *o)
{
    sc_fonts *fonts = NULL;
    sc_error err;
    if (sc_fonts_load(&fonts, o->fonts_map, &err) != SC_OK) {
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

static int cmd_render(const options *o)
{
    double t0 = now();
    int check = !strcmp(o->cmd, "check");
    sc_error err;
    sc_fonts *fonts = NULL;
    if (sc_fonts_load(&fonts, o->fonts_map, &err) != SC_OK) {
        print_error(&err);
        return EXIT_UNUSABLE;
    }
    if (!check && !o->dump && !o->combined && make_dirs(o->outdir) != 0) {
        errorf("%s: cannot create the output folder: %s", o->outdir, strerror(errno));
        sc_fonts_free(fonts);
        return EXIT_UNUSABLE;
    }
    sc_book *combined = NULL;
    if (o->combined) {
        sc_render_opts ropts = SC_RENDER_OPTS_INIT;
        ropts.watermark = o->watermark;
        ropts.allow_missing_glyphs = o->allow_missing;
        ropts.diag = on_warning;
        if (sc_book_open(&combined, fonts, o->combined, &ropts, &err) != SC_OK) {
            print_error(&err);
            sc_fonts_free(fonts);
            return EXIT_UNUSABLE;
        }
    }
    totals t = {0};
    for (int i = 0; i < o->ndata; i++)
        run_batch(o, o->data[i], fonts, combined, &t);
    if (combined) {
        if (t.docs > 0) {
            if (sc_book_close(combined, &err) != SC_OK) {
                print_error(&err);
                t.docs = 0;
            }
        } else {
            sc_book_abort(combined);
        }
    }
    free_templates();
    sc_fonts_free(fonts);

    double secs = now() - t0;
    if (check && (t.nrows > 0 || o->csv))
        print_table(&t, o->csv);
    free_rows(&t);
    FILE *sum = o->dump || o->csv ? stderr : stdout;
    if (!o->quiet) {
        if (check)
            fprintf(sum, "scorecard: checked %d records: %d ok, %d with problems (%.2f s)\n",
                    t.records, t.records - t.failed, t.failed, secs);
        else
            fprintf(sum, "scorecard: %d documents, %d pages%s%s in %.2f s%s\n", t.docs,
                    t.pages, o->combined ? " -> " : "", o->combined ? o->combined : "", secs,
                    t.failed ? " (some records failed, see above)" : "");
    }
    if (t.docs == 0 && (t.failed || t.unusable))
        return EXIT_UNUSABLE;
    if (t.failed || t.unusable)
        return EXIT_SOME_FAILED;
    if (t.docs == 0) {
        errorf("the data holds no employee record");
        return EXIT_UNUSABLE;
    }
    return EXIT_ALL_OK;
}

int main(int argc, char **argv)
{
    options o;
    int p = parse_args(argc, argv, &o);
    if (p < 0)
        return EXIT_USAGE;
    if (p > 0)
        return EXIT_ALL_OK;
    if (!strcmp(o.cmd, "fonts"))
        return cmd_fonts(&o);
    return cmd_render(&o);
}
