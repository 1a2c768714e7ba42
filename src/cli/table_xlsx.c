/* table_xlsx.c -- check's table as an Excel workbook (--format xlsx).
 *
 * The workbook holds the CSV's cells (table.c hands them over line by
 * line), so the two never disagree: the same columns, labels, rows and
 * statuses.  Words stay text (工号 001 stays 001); a figure that is a plain
 * decimal ("2160.00", "-3", "83.56") becomes a number with a number
 * format of the same decimals, so Excel shows what the sheet prints and
 * can sum the column.  The number is the double nearest the printed
 * decimal -- the value Excel holds when the figure is typed in; money is
 * never computed here, only read from the engine's printed figure.  The
 * trap: libxlsxwriter writes a double with 16 significant digits (%.16G),
 * so the XML may say 0.07000000000000001 for 0.07; that reads back as the
 * same double, which is checked for each figure (a figure that would not
 * stays text, as printed).  The header row is bold and frozen, the column
 * widths fit the widest cell (CJK characters count two), and the problems
 * list, when there is one, is a second sheet.
 *
 * Files: libxlsxwriter opens its output by name (following links) and
 * makes temporary files of its own.  So it works inside a private folder
 * (mkdtemp, mode 0700) under $TMPDIR; the finished bytes are read back
 * and saved by the library's own writer (sc_file_save: an exclusive
 * temporary name, never through a link, fsync, rename), and the folder is
 * removed, whatever happened.  Same input, same bytes: the zip entries
 * carry libxlsxwriter's fixed date (1980-01-01) and the document's date
 * is set from SOURCE_DATE_EPOCH or the data, never the clock.  The
 * worksheets are written in constant-memory mode (rows go to the private
 * folder as they come), like the rest of check's table. */
#define _GNU_SOURCE /* timegm */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "dl_xlsx.h"

#define MAXCOLS 64
#define MAXDEC 6      /* decimals of a figure written as a number */
#define MAXWIDTH 80.0 /* a column's width, in characters, at most */

typedef struct sheet_w {
    lxw_worksheet *ws;
    lxw_format *bold, *num[MAXDEC + 1];
    int numeric_from, numeric_to; /* the columns that may hold numbers */
    int period_col;               /* -1: none */
    int width[MAXCOLS];           /* the widest cell of each column */
    int ncols;
    long rows;
    long long latest;             /* the end of the latest period seen */
    lxw_error err;                /* the first failure */
} sheet_w;

/* The value of v if it is a plain decimal ("-12.50", "3") that a double
 * gives back as printed: its number of decimals, the double in *out;
 * else -1 (the cell stays text).  A leading zero ("007") is a code, not a
 * number. */
static int plain_decimal(const char *v, double *out)
{
    const char *p = v + (*v == '-');
    int ip = 0, fp = 0, dot = 0;
    if (p[0] == '0' && p[1] >= '0' && p[1] <= '9')
        return -1;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9')
            *(dot ? &fp : &ip) += 1;
        else if (*p == '.' && !dot && ip)
            dot = 1;
        else
            return -1;
    }
    if (!ip || (dot && !fp) || fp > MAXDEC || ip + fp > 15)
        return -1;
    double d = strtod(v, NULL);
    char back[64]; /* what libxlsxwriter will write, read back */
    snprintf(back, sizeof back, "%.16G", d);
    if (strtod(back, NULL) != d)
        return -1;
    *out = d;
    return fp;
}

/* The last day of a period as check prints it (2026-10, 2026-Q3, 2026),
 * 00:00 UTC, like the documents' date (data.c); 0 if not a period. */
static long long period_end(const char *p)
{
    int y, m = 12, n = 0;
    char q;
    if (sscanf(p, "%4d-%2d%n", &y, &m, &n) == 2 && !p[n] && m >= 1 && m <= 12)
        ;
    else if (sscanf(p, "%4d-%c%1d%n", &y, &q, &m, &n) == 3 && q == 'Q' && !p[n] && m >= 1 &&
             m <= 4)
        m *= 3;
    else if (sscanf(p, "%4d%n", &y, &n) == 1 && !p[n])
        m = 12;
    else
        return 0;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m, .tm_mday = 0}; /* day 0: the last */
    time_t t = timegm(&tm);
    return t > 0 ? (long long)t : 0;
}

static int put_row(void *ud, long row, const char *const *cells, int n)
{
    sheet_w *s = ud;
    if (row > 1048575) { /* what a worksheet holds */
        s->err = LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE;
        return -1;
    }
    if (n > MAXCOLS)
        n = MAXCOLS;
    s->ncols = n;
    for (int i = 0; i < n && !s->err; i++) {
        const char *v = cells[i] ? cells[i] : "";
        int w = display_width(v);
        if (w > s->width[i])
            s->width[i] = w;
        double d;
        int dec = -1;
        if (row == 0)
            s->err = sym_worksheet_write_string(s->ws, 0, (lxw_col_t)i, v, s->bold);
        else if (i >= s->numeric_from && i <= s->numeric_to && (dec = plain_decimal(v, &d)) >= 0)
            s->err = sym_worksheet_write_number(s->ws, (lxw_row_t)row, (lxw_col_t)i, d, s->num[dec]);
        else if (*v)
            s->err = sym_worksheet_write_string(s->ws, (lxw_row_t)row, (lxw_col_t)i, v, NULL);
        if (row > 0 && i == s->period_col) {
            long long end = period_end(v);
            if (end > s->latest)
                s->latest = end;
        }
    }
    s->rows = row + 1;
    return s->err ? -1 : 0;
}

/* A sheet: its rows from table_each, then the widths, the frozen header
 * and a filter on it.  0, or -1 (s->err says why unless the table
 * could not be read back, which table_each said). */
static int fill_sheet(lxw_workbook *wb, check_table *t, const char *name, int problems,
                      sheet_w *s, lxw_format *bold, lxw_format *const *num)
{
    if (!(s->ws = sym_workbook_add_worksheet(wb, name))) {
        s->err = LXW_ERROR_MEMORY_MALLOC_FAILED;
        return -1;
    }
    s->bold = bold;
    memcpy(s->num, num, sizeof s->num);
    if (problems) { /* line and column */
        s->numeric_from = 4;
        s->numeric_to = 5;
        s->period_col = -1;
    } else {
        s->numeric_from = 2;
        s->numeric_to = 1 + table_nfigures(t);
        s->period_col = 3 + table_nfigures(t);
    }
    if (table_each(t, problems, put_row, s) != 0)
        return -1;
    for (int i = 0; i < s->ncols && !s->err; i++) {
        double w = s->width[i] + 2.0;
        s->err = sym_worksheet_set_column(s->ws, (lxw_col_t)i, (lxw_col_t)i,
                                      w > MAXWIDTH ? MAXWIDTH : w, NULL);
    }
    if (!s->err)
        s->err = sym_worksheet_autofilter(s->ws, 0, 0, (lxw_row_t)(s->rows - 1),
                                      (lxw_col_t)(s->ncols - 1));
    sym_worksheet_freeze_panes(s->ws, 1, 0);
    return s->err ? -1 : 0;
}

/* The workbook into file (in the private folder): 0, or -1 (said). */
static int make_workbook(check_table *t, const char *file, const char *dir, int zh,
                         long long created, const char *path)
{
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)dir};
    lxw_workbook *wb = sym_workbook_new_opt(file, &opt);
    if (!wb) {
        errorf("cannot start the workbook %s (out of memory, or no room in %s?)", path, dir);
        return -1;
    }
    lxw_format *bold = sym_workbook_add_format(wb), *num[MAXDEC + 1];
    int ok = bold != NULL;
    if (ok)
        sym_format_set_bold(bold);
    for (int d = 0; d <= MAXDEC && ok; d++) {
        char code[16] = "0.";
        memset(code + 2, '0', (size_t)d);
        code[d ? 2 + d : 1] = '\0';
        if ((ok = (num[d] = sym_workbook_add_format(wb)) != NULL))
            sym_format_set_num_format(num[d], code);
    }
    sheet_w rows = {0}, probs = {0};
    lxw_error err = ok ? LXW_NO_ERROR : LXW_ERROR_MEMORY_MALLOC_FAILED;
    int unread = 0; /* table_each failed and said why */
    if (!err && fill_sheet(wb, t, zh ? "考核结果" : "check", 0, &rows, bold, num) != 0) {
        err = rows.err;
        unread = !err;
    }
    if (!err && !unread && table_nproblems(t) > 0 &&
        fill_sheet(wb, t, zh ? "问题" : "problems", 1, &probs, bold, num) != 0) {
        err = probs.err;
        unread = !err;
    }
    lxw_doc_properties props = {.title = zh ? "考核结果" : "scorecard check"};
    /* the date: given, else the data's, else the zip entries' own (1980);
     * libxlsxwriter takes 0 for "now", so SOURCE_DATE_EPOCH=0 is the data's */
    props.created = (time_t)(created > 0 ? created : rows.latest > 0 ? rows.latest : 315532800);
    if (!err && !unread)
        err = sym_workbook_set_properties(wb, &props);
    lxw_error closed = sym_workbook_close(wb); /* frees wb, also after a failure */
    if (!err)
        err = closed;
    if (err == LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE)
        errorf("cannot make the workbook %s: the table has more rows than a worksheet holds "
               "(1,048,576): use --format csv", path);
    else if (err)
        errorf("cannot make the workbook %s: %s (libxlsxwriter, working in %s: is there room "
               "there? TMPDIR names another folder)",
               path, sym_lxw_strerror(err), dir);
    return err || unread ? -1 : 0;
}

/* The file's bytes (malloc'd into *out): 0, or -1 (said). */
static int read_back(const char *file, const char *path, char **out, size_t *len)
{
    int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st = {0};
    char *buf = NULL;
    size_t n = 0;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        (buf = malloc((size_t)st.st_size + 1)) != NULL) {
        ssize_t k;
        while (n < (size_t)st.st_size && (k = read(fd, buf + n, (size_t)st.st_size - n)) > 0)
            n += (size_t)k;
    }
    int e = errno;
    if (fd >= 0)
        close(fd);
    if (!buf || n != (size_t)st.st_size) {
        free(buf);
        errorf("cannot read back the workbook made for %s: %s", path,
               strerror(e ? e : EIO));
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

/* The private folder and whatever is in it (libxlsxwriter's temporary
 * files are its own to remove, but a failure may leave one). */
static void remove_private(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
    }
    if (rmdir(dir) != 0)
        errorf("warning: cannot remove the temporary folder %s: %s", dir, strerror(errno));
}

int table_save_xlsx(check_table *t, const char *path, int zh, long long created)
{
    if (xlsx_load() != 0)
        return -1;
    const char *tmp = getenv("TMPDIR");
    char dir[4096], file[4200];
    if (snprintf(dir, sizeof dir, "%s/scorecard-xlsx-XXXXXX", tmp && *tmp ? tmp : "/tmp") >=
        (int)sizeof dir) {
        errorf("TMPDIR is too long a path");
        return -1;
    }
    if (!mkdtemp(dir)) { /* mode 0700: nobody else can plant a link in it */
        errorf("cannot make a temporary folder for the workbook %s in %s: %s (TMPDIR names "
               "another folder)",
               path, tmp && *tmp ? tmp : "/tmp", strerror(errno));
        return -1;
    }
    snprintf(file, sizeof file, "%s/workbook.xlsx", dir);
    char *bytes = NULL;
    size_t len = 0;
    int rc = make_workbook(t, file, dir, zh, created, path);
    if (rc == 0)
        rc = read_back(file, path, &bytes, &len);
    remove_private(dir);
    if (rc == 0) {
        sc_error err;
        if (sc_file_save(path, bytes, len, &err) != SC_OK) {
            print_error(&err);
            table_not_written(path);
            rc = -1;
        }
    }
    free(bytes);
    return rc;
}
