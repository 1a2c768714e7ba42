/* cli.h -- what the command's files share: printing (the only code that
 * prints) and the environment the library never reads itself.  Each
 * command that is more than a few lines lives in its own file. */
#ifndef SC_CLI_H
#define SC_CLI_H

#include "scorecard.h"

#include <stddef.h>
#include <stdio.h>

/* Exit statuses (--help, README.md): 4 a data file breaks off. */
enum {
    EXIT_ALL_OK = 0,
    EXIT_SOME_FAILED = 1,
    EXIT_USAGE = 2,
    EXIT_UNUSABLE = 3,
    EXIT_CUT_SHORT = 4
};

/* scorecard: MESSAGE */
void errorf(const char *fmt, ...);
/* scorecard: FILE:LINE:COL: MESSAGE [employee ID NAME, field FIELD] */
void print_error(const sc_error *e);
/* sc_diag_fn's: a problem, a warning (printed as "warning: ..."). */
void on_diag(void *ud, const sc_error *e);
void on_warning(void *ud, const sc_error *e);
/* SOURCE_DATE_EPOCH: 1 set (into *out), 0 unset, -1 malformed. */
int source_date(long long *out);
/* The font map: given (--fonts), else $SCORECARD_FONTS, else the one
 * installed beside the program (into buf); NULL: the library's default. */
const char *cli_font_map(const char *given, char *buf, size_t n);
/* Where named templates are looked up after the data file's folder:
 * $SCORECARD_TEMPLATES, then the ones installed beside the program. */
const char *cli_template_path(char *buf, size_t n);
/* Monotonic seconds. */
double now(void);

/* ---- summary.c: `scorecard summary` ------------------------------------ */
typedef struct summary_args {
    const char *const *data;
    int ndata;
    const char *out;              /* the PDF file */
    int dump;                     /* the layout dump on stdout instead */
    int sort;                     /* sc_sort */
    const char *template_file;    /* the records' template (-t), or NULL */
    const char *template_dir;
    const char *summary_template; /* or NULL: dept-summary */
    const char *fonts_map;
    int allow_missing;
    int quiet;
} summary_args;
int cmd_summary(const summary_args *a);

/* ---- csv_enc.c: the bytes of a CSV file for HR's spreadsheet ------------- */
typedef enum csv_encoding {
    CSV_UTF8 = 0,     /* plain UTF-8 */
    CSV_UTF8_BOM = 1, /* --excel: EF BB BF first, so Excel reads UTF-8 */
    CSV_GB18030 = 2,  /* every character, in China's standard encoding */
    CSV_GBK = 3       /* what Excel on Chinese Windows opens by default;
                       * a character GBK lacks (𠮷) is refused */
} csv_encoding;
/* Parse an --encoding value; -1 if unknown. */
int csv_encoding_parse(const char *name);
/* Write the UTF-8 text s[0..n) to f in enc; s is a piece of a CSV that
 * follows line0 lines already written.  0 on success; else -1 and
 * why[0..nwhy) says what (the line and the character GBK lacks). */
int csv_write_encoded(FILE *f, const char *s, size_t n, int enc, int line0, char *why,
                      size_t nwhy);

/* ---- sign.c, verify.c: `scorecard sign`, `scorecard verify` -------------- */
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
/* A password from --pass-file FILE (its first line) or --pass-env VAR,
 * never from the command line; malloc'd, NULL (message printed) if it
 * cannot be had. */
char *cli_password(const char *file, const char *env);

/* ---- table.c: check's table and the problems list ----------------------- */

typedef struct check_table check_table;

/* zh: Chinese column names and status words (for a spreadsheet on a
 * Chinese desktop); else English.  encoding: the CSV's (csv_encoding). */
check_table *table_new(int zh, int encoding);
void table_free(check_table *t);
/* One record's outcome: a line per employee the data reaches, refused
 * ones too (status error, no figures), and the one a file breaks off
 * inside (status unreadable). */
void table_add(check_table *t, const sc_result *r);
/* One problem (warning: 1 for a warning), for the problems CSV. */
void table_problem(check_table *t, const sc_error *e, int warning);
/* The table, aligned for a terminal or as CSV (RFC 4180, CRLF, in the
 * table's encoding), to f.  Returns 0, or -1 (said) if writing failed. */
int table_print(check_table *t, FILE *f, int csv);
/* The table into the file path, written whole or not at all: as text,
 * CSV (csv) or an Excel workbook (xlsx; zh and created as for
 * table_save_xlsx).  0, or -1 (said). */
int table_save(check_table *t, const char *path, int csv, int xlsx, int zh, long long created);
/* Says that the table's file was not written and what -o needs. */
void table_not_written(const char *path);
/* The problems as CSV (employee, field, file, line, column, kind,
 * message; the table's encoding) into path, written whole or not at all. */
sc_status table_save_problems(check_table *t, const char *path, sc_error *err);

/* The CSV's lines one at a time, for a writer of another format: fn gets
 * the header (row 0), then each row (1...) of the table, or with problems
 * set of the problems list; the cells are fn's only during the call.
 * Stops at fn's first nonzero and returns it; -1 (said) if the spill
 * cannot be read back. */
typedef int (*table_line_fn)(void *ud, long line, const char *const *cells, int n);
int table_each(check_table *t, int problems, table_line_fn fn, void *ud);
/* The table's figure columns are 2 .. 2 + table_nfigures(t) - 1; the
 * others are words (工号 and the like). */
int table_nfigures(const check_table *t);
long table_nproblems(const check_table *t);

/* ---- table_xlsx.c: check's table as an Excel workbook -------------------- */

/* The table (and a second sheet of the problems, when there are any) as
 * an .xlsx workbook into path, written whole or not at all (sc_file_save).
 * zh: the sheets' names in Chinese; created: the workbook's date (seconds
 * since 1970), or 0: the end of the latest period in the table.  0, or -1
 * (said, naming path). */
int table_save_xlsx(check_table *t, const char *path, int zh, long long created);
/* 0 once libxlsxwriter is loaded (dl_xlsx.c; the first call loads it);
 * else -1, having said which package to install.  Thread-safe. */
int xlsx_load(void);

/* Columns on a terminal: CJK and fullwidth characters take two. */
int display_width(const char *s);

/* ---- progress.c: the progress line, the CPU count ------------------------ */

/* The CPUs this process may run on (at least 1): --jobs' default. */
int cli_cpus(void);

/* A progress line on stderr for a long batch: documents done / total,
 * rate and time left.  Shown only when `on` and stderr is a terminal, and
 * only once the batch has run for a while; the total is counted from the
 * data files when the line is first shown.  NULL when not shown at all:
 * every function takes NULL. */
typedef struct progress_bar progress_bar;
progress_bar *progress_new(int on, const char *const *data, int ndata);
/* `done` records delivered so far (call after each). */
void progress_tick(progress_bar *p, int done);
/* Erase the line before something else is printed on stderr; the next
 * tick draws it again. */
void progress_clear(progress_bar *p);
/* Erase the line for good and free p. */
void progress_end(progress_bar *p);

#endif
