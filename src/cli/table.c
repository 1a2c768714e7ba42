/* table.c -- the table `scorecard check` prints (one line per employee,
 * what HR holds against its spreadsheet) and the list of problems as CSV.
 *
 * Every employee the data files reach has a line, in record order:
 * refused ones with status "error" and no figures, and the one a file
 * breaks off inside with "unreadable", so that the table can be compared
 * line by line with HR's list and nobody silently drops out of it.  The
 * figures are the ones each sheet prints, under the sheet's own labels
 * (sc_result.figures).  The CSV adds the period and the department (a
 * spreadsheet of several months or departments); --headers zh gives
 * Chinese column names and status words for a spreadsheet on a Chinese
 * desktop, and the CSVs are written in the encoding asked for (csv_enc.c).
 * The problems CSV is the same problems as standard error, one row each,
 * so that a spreadsheet can filter them by employee or field. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

typedef struct row {
    char *id, *name, *status, *period, *department;
    char **key, **label, **value; /* nfig each */
    int nfig;
} row;

typedef struct problem {
    char *id, *name, *field, *file, *message;
    int line, column, warning;
} problem;

struct check_table {
    int zh, encoding;
    row *rows;
    int nrows, caprows;
    problem *probs;
    int nprobs, capprobs;
};

check_table *table_new(int zh, int encoding)
{
    check_table *t = calloc(1, sizeof *t);
    if (t) {
        t->zh = zh;
        t->encoding = encoding;
    }
    return t;
}

static char *dup(const char *s) { return strdup(s ? s : ""); }

/* "id name" (a label) split at its first space. */
static void split_label(const char *label, char **id, char **name)
{
    const char *sp = label ? strchr(label, ' ') : NULL;
    *id = sp ? strndup(label, (size_t)(sp - label)) : dup(label);
    *name = dup(sp ? sp + 1 : "");
}

void table_add(check_table *t, const sc_result *r)
{
    if (!t)
        return;
    if (t->nrows == t->caprows) {
        int cap = t->caprows ? t->caprows * 2 : 64;
        row *v = realloc(t->rows, (size_t)cap * sizeof *v);
        if (!v)
            return; /* the table is a convenience: a line less, not a crash */
        t->rows = v;
        t->caprows = cap;
    }
    row *w = &t->rows[t->nrows++];
    memset(w, 0, sizeof *w);
    static const char *const status_en[] = {"ok", "error", "unreadable"};
    static const char *const status_zh[] = {"正常", "有误", "未读完"};
    int s = r->status == SC_OK ? 0 : r->cut_short ? 2 : 1;
    w->status = dup(t->zh ? status_zh[s] : status_en[s]);
    /* a refused record's result carries what was read of it */
    w->period = dup(r->record ? sc_record_get(r->record, "period") : "");
    w->department = dup(r->record ? sc_record_get(r->record, "department") : "");
    if (r->status != SC_OK || !r->record) {
        split_label(r->label, &w->id, &w->name);
        return;
    }
    w->id = dup(sc_record_get(r->record, "id"));
    w->name = dup(sc_record_get(r->record, "name"));
    int n = r->nfigures;
    w->key = calloc((size_t)(n ? n : 1), sizeof *w->key);
    w->label = calloc((size_t)(n ? n : 1), sizeof *w->label);
    w->value = calloc((size_t)(n ? n : 1), sizeof *w->value);
    if (!w->key || !w->label || !w->value)
        return;
    for (int i = 0; i < n; i++) {
        w->key[i] = dup(r->figures[i].key);
        w->label[i] = dup(r->figures[i].label);
        w->value[i] = dup(r->figures[i].value);
    }
    w->nfig = n;
}

void table_problem(check_table *t, const sc_error *e, int warning)
{
    if (!t)
        return;
    if (t->nprobs == t->capprobs) {
        int cap = t->capprobs ? t->capprobs * 2 : 64;
        problem *v = realloc(t->probs, (size_t)cap * sizeof *v);
        if (!v)
            return;
        t->probs = v;
        t->capprobs = cap;
    }
    problem *p = &t->probs[t->nprobs++];
    memset(p, 0, sizeof *p);
    split_label(e->employee, &p->id, &p->name);
    p->field = dup(e->field);
    p->file = dup(e->file);
    p->message = dup(e->message[0] ? e->message : sc_strerror(e->code));
    p->line = e->line;
    p->column = e->column;
    p->warning = warning;
}

void table_free(check_table *t)
{
    if (!t)
        return;
    for (int r = 0; r < t->nrows; r++) {
        row *w = &t->rows[r];
        for (int i = 0; i < w->nfig; i++) {
            free(w->key[i]);
            free(w->label[i]);
            free(w->value[i]);
        }
        free(w->key);
        free(w->label);
        free(w->value);
        free(w->id);
        free(w->name);
        free(w->status);
        free(w->period);
        free(w->department);
    }
    for (int i = 0; i < t->nprobs; i++) {
        problem *p = &t->probs[i];
        free(p->id);
        free(p->name);
        free(p->field);
        free(p->file);
        free(p->message);
    }
    free(t->rows);
    free(t->probs);
    free(t);
}

int display_width(const char *s)
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

/* ---- the columns ------------------------------------------------------------
 *
 * 工号, 姓名, one per figure key in the order the sheets declare them
 * (total, grade, bonus, then a sheet's own such as award), 状态, then in the
 * CSV 考核期间 and 部门.  A figure column is headed by the sheets' label for
 * it (their labels joined by / when the batch holds several forms); the
 * English CSV header names figures by key. */

#define MAXFIG 32
typedef struct columns {
    const char *key[MAXFIG];
    char head[MAXFIG][256];
    int n;
} columns;

static void figure_columns(const check_table *t, columns *c)
{
    memset(c, 0, sizeof *c);
    for (int r = 0; r < t->nrows; r++)
        for (int i = 0; i < t->rows[r].nfig; i++) {
            const row *w = &t->rows[r];
            int k = 0;
            while (k < c->n && strcmp(c->key[k], w->key[i]))
                k++;
            if (k == c->n) {
                if (c->n == MAXFIG)
                    continue;
                c->key[c->n++] = w->key[i];
            }
            if (!strstr(c->head[k], w->label[i])) {
                size_t used = strlen(c->head[k]);
                snprintf(c->head[k] + used, sizeof c->head[k] - used, "%s%s",
                         used ? "/" : "", w->label[i]);
            }
        }
}

static const char *figure_value(const row *w, const char *key)
{
    for (int i = 0; i < w->nfig; i++)
        if (!strcmp(w->key[i], key))
            return w->value[i];
    return "";
}

/* The cell of column i of w (NULL: the header, Chinese or by key). */
static const char *cell(const row *w, const columns *c, int i, int zh)
{
    int nf = c->n;
    static const char *const fixed_zh[] = {"工号", "姓名", "状态", "考核期间", "部门"};
    static const char *const fixed_en[] = {"id", "name", "status", "period", "department"};
    const char *const *fixed = zh ? fixed_zh : fixed_en;
    const char *v;
    if (i == 0)
        v = w ? w->id : fixed[0];
    else if (i == 1)
        v = w ? w->name : fixed[1];
    else if (i < 2 + nf)
        v = w ? figure_value(w, c->key[i - 2]) : zh ? c->head[i - 2] : c->key[i - 2];
    else if (i == 2 + nf)
        v = w ? w->status : fixed[2];
    else if (i == 3 + nf)
        v = w ? w->period : fixed[3];
    else
        v = w ? w->department : fixed[4];
    return v ? v : "";
}

/* ---- CSV ------------------------------------------------------------------ */

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

static void csv_line(FILE *f, const char *const *cells, int n)
{
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        csv_field(f, cells[i] ? cells[i] : "");
    }
    fputs("\r\n", f);
}

/* The CSV made in UTF-8 by fill(t, memory stream), then written in t's
 * encoding to f.  0, or -1 (said). */
static int write_csv(const check_table *t, FILE *f,
                     void (*fill)(const check_table *, FILE *, const columns *),
                     const columns *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) {
        errorf("out of memory");
        return -1;
    }
    fill(t, m, c);
    if (fclose(m) != 0) {
        free(buf);
        errorf("out of memory");
        return -1;
    }
    char why[512];
    int rc = csv_write_encoded(f, buf, len, t->encoding, why, sizeof why);
    if (rc != 0)
        errorf("%s", why);
    free(buf);
    return rc;
}

static void fill_table(const check_table *t, FILE *m, const columns *c)
{
    int ncols = c->n + 5;
    const char *cells[MAXFIG + 5];
    for (int r = -1; r < t->nrows; r++) {
        for (int i = 0; i < ncols; i++)
            cells[i] = cell(r < 0 ? NULL : &t->rows[r], c, i, t->zh);
        csv_line(m, cells, ncols);
    }
}

int table_print(const check_table *t, FILE *f, int csv)
{
    columns c;
    figure_columns(t, &c);
    if (csv) {
        if (write_csv(t, f, fill_table, &c) != 0 || fflush(f) != 0) {
            errorf("cannot write the table");
            return -1;
        }
        return 0;
    }
    int ncols = c.n + 3; /* the terminal table stops at 状态 */
    int width[MAXFIG + 3];
    for (int i = 0; i < ncols; i++) {
        width[i] = display_width(cell(NULL, &c, i, 1));
        for (int r = 0; r < t->nrows; r++) {
            int w = display_width(cell(&t->rows[r], &c, i, 1));
            if (w > width[i])
                width[i] = w;
        }
    }
    for (int r = -1; r < t->nrows; r++) {
        const row *w = r < 0 ? NULL : &t->rows[r];
        for (int i = 0; i < ncols; i++) {
            const char *v = cell(w, &c, i, 1);
            int pad = width[i] - display_width(v);
            /* figures right-aligned, except words (a grade) */
            int right = i >= 2 && i < ncols - 1 && strcmp(c.key[i - 2], "grade");
            if (right)
                fprintf(f, "%*s", pad, "");
            fputs(v, f);
            if (!right && i < ncols - 1)
                fprintf(f, "%*s", pad, "");
            if (i < ncols - 1)
                fputs("  ", f);
        }
        fputc('\n', f);
    }
    if (fflush(f) != 0 || ferror(f)) {
        errorf("cannot write the table");
        return -1;
    }
    return 0;
}

static void fill_problems(const check_table *t, FILE *m, const columns *c)
{
    (void)c;
    static const char *const en[] = {"id",   "name",   "field", "file",
                                     "line", "column", "kind",  "message"};
    static const char *const zh[] = {"工号", "姓名", "字段", "文件",
                                     "行",   "列",   "类型", "问题"};
    csv_line(m, t->zh ? zh : en, 8);
    for (int i = 0; i < t->nprobs; i++) {
        const problem *p = &t->probs[i];
        char line[16] = "", col[16] = "";
        if (p->line > 0)
            snprintf(line, sizeof line, "%d", p->line);
        if (p->column > 0)
            snprintf(col, sizeof col, "%d", p->column);
        const char *kind = p->warning ? (t->zh ? "警告" : "warning")
                                      : (t->zh ? "错误" : "error");
        const char *cells[8] = {p->id, p->name, p->field, p->file, line, col, kind, p->message};
        csv_line(m, cells, 8);
    }
}

sc_status table_save_problems(const check_table *t, const char *path, sc_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return SC_ERR_NOMEM;
    int rc = write_csv(t, m, fill_problems, NULL);
    if (fclose(m) != 0 || rc != 0) {
        free(buf);
        memset(err, 0, sizeof *err);
        err->code = SC_ERR_IO;
        snprintf(err->message, sizeof err->message, "cannot make the problems CSV %s", path);
        return SC_ERR_IO;
    }
    sc_status st = sc_file_save(path, buf, len, err);
    free(buf);
    return st;
}
