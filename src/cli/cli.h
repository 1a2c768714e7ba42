/* cli.h -- what the command's files share: printing (the only code that
 * prints) and the environment the library never reads itself.  Each
 * command that is more than a few lines lives in its own file. */
#ifndef SC_CLI_H
#define SC_CLI_H

#include "scorecard.h"

#include <stddef.h>
#include <stdio.h>

enum { EXIT_ALL_OK = 0, EXIT_SOME_FAILED = 1, EXIT_USAGE = 2, EXIT_UNUSABLE = 3 };

/* scorecard: MESSAGE */
void errorf(const char *fmt, ...);
/* scorecard: FILE:LINE:COL: MESSAGE [employee ID NAME, field FIELD] */
void print_error(const sc_error *e);
/* sc_diag_fn's: a problem, a warning (printed as "warning: ..."). */
void on_diag(void *ud, const sc_error *e);
void on_warning(void *ud, const sc_error *e);
/* SOURCE_DATE_EPOCH: 1 set (into *out), 0 unset, -1 malformed. */
int source_date(long long *out);
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
/* Write the UTF-8 text s[0..n) to f in enc.  0 on success; else -1 and
 * why[0..nwhy) says what (the line and the character GBK lacks). */
int csv_write_encoded(FILE *f, const char *s, size_t n, int enc, char *why, size_t nwhy);

/* ---- sign.c, verify.c: `scorecard sign`, `scorecard verify` -------------- */
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
/* A password from --pass-file FILE (its first line) or --pass-env VAR,
 * never from the command line; malloc'd, NULL (message printed) if it
 * cannot be had. */
char *cli_password(const char *file, const char *env);

#endif
