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
 * so that a spreadsheet can filter them by employee or field.
 *
 * Neither is kept in memory: the columns (a figure column per key any
 * sheet prints, headed by the sheets' labels) and the terminal's column
 * widths are known only when the batch is done, so rows and problems wait
 * in anonymous temporary files, written as they come, while the columns
 * and widths are kept up to date; both are printed from there at the end.
 * 100,000 employees cost a few MB of disk, not 40 MB of memory. */
#define _GNU_SOURCE /* memfd_create */
#include "cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAXFIG 32

/* A row, or a problem, as read back: strings in one buffer. */
typedef struct row {
    char *id, *name, *status, *period, *department;
    const char *key[MAXFIG], *label[MAXFIG], *value[MAXFIG];
    int nfig;
} row;

typedef struct problem {
    char *id, *name, *field, *file, *message;
    int line, column, warning;
} problem;

struct check_table {
    int zh, encoding;
    FILE *rows, *probs; /* the spills (NULL until the first) */
    long nrows, nprobs;
    int lost;           /* errno of a spill that failed, or 0 */
    /* the figure columns so far: keys in the order first met, heads the
     * labels met under each joined by / */
    char *key[MAXFIG];
    char head[MAXFIG][256];
    int nfig;
    int wid, wname, wstatus, wfig[MAXFIG]; /* the terminal's widths */
    char *buf;          /* a row read back */
    size_t capbuf;
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

/* An anonymous temporary file: in $TMPDIR (or /tmp), else in memory
 * (memfd) where no folder is writable. */
static FILE *spill_file(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/scorecard-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd >= 0)
        unlink(path);
    else
        fd = memfd_create("scorecard-table", MFD_CLOEXEC);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w+");
    if (!f)
        close(fd);
    return f;
}

/* ---- the spill: strings with their length, numbers as 32 bits --------- */

static void put_u32(FILE *f, uint32_t v) { fwrite(&v, sizeof v, 1, f); }

static void put_str(FILE *f, const char *s)
{
    s = s ? s : "";
    uint32_t n = (uint32_t)strlen(s);
    put_u32(f, n);
    fwrite(s, 1, n, f);
}

static int get_u32(FILE *f, uint32_t *v) { return fread(v, sizeof *v, 1, f) == 1; }

/* The next n strings of f into t->buf, each NUL-terminated; their starts
 * (offsets) in at[].  0 if f ends or memory is short. */
static int get_strs(check_table *t, FILE *f, size_t *at, int n, size_t *used)
{
    for (int i = 0; i < n; i++) {
        uint32_t len;
        if (!get_u32(f, &len))
            return 0;
        if (*used + len + 1 > t->capbuf) {
            size_t cap = (*used + len + 1) * 2;
            char *b = realloc(t->buf, cap);
            if (!b)
                return 0;
            t->buf = b;
            t->capbuf = cap;
        }
        if (len && fread(t->buf + *used, 1, len, f) != len)
            return 0;
        at[i] = *used;
        t->buf[*used + len] = '\0';
        *used += len + 1;
    }
    return 1;
}

/* The spill f, made if need be; NULL (t->lost set) if it cannot be. */
static FILE *spill(check_table *t, FILE **f)
{
    if (!*f && !t->lost && !(*f = spill_file()))
        t->lost = errno ? errno : ENOMEM;
    return t->lost ? NULL : *f;
}

/* "id name" (a label) split at its first space, into a spill. */
static void put_label(FILE *f, const char *label)
{
    const char *sp = label ? strchr(label, ' ') : NULL;
    uint32_t n = (uint32_t)(sp ? (size_t)(sp - label) : label ? strlen(label) : 0);
    put_u32(f, n);
    fwrite(label ? label : "", 1, n, f);
    put_str(f, sp ? sp + 1 : "");
}

static void widen(int *w, const char *s)
{
    int n = display_width(s ? s : "");
    if (n > *w)
        *w = n;
}

/* A row: status, period, department, id, name, the number of figures and
 * each figure's key, label and value. */
void table_add(check_table *t, const sc_result *r)
{
    FILE *f;
    if (!t || !(f = spill(t, &t->rows)))
        return;
    static const char *const status_en[] = {"ok", "error", "unreadable"};
    static const char *const status_zh[] = {"正常", "有误", "未读完"};
    int s = r->status == SC_OK ? 0 : r->cut_short ? 2 : 1;
    put_str(f, t->zh ? status_zh[s] : status_en[s]);
    widen(&t->wstatus, t->zh ? status_zh[s] : status_en[s]);
    /* a refused record's result carries what was read of it */
    put_str(f, r->record ? sc_record_get(r->record, "period") : "");
    put_str(f, r->record ? sc_record_get(r->record, "department") : "");
    int n = 0;
    if (r->status != SC_OK || !r->record) {
        const char *label = r->label ? r->label : "";
        const char *sp = strchr(label, ' ');
        put_label(f, label);
        char id[256];
        snprintf(id, sizeof id, "%.*s", (int)(sp ? sp - label : (int)strlen(label)), label);
        widen(&t->wid, id);
        widen(&t->wname, sp ? sp + 1 : "");
    } else {
        const char *id = sc_record_get(r->record, "id");
        const char *name = sc_record_get(r->record, "name");
        put_str(f, id);
        put_str(f, name);
        widen(&t->wid, id);
        widen(&t->wname, name);
        n = r->nfigures;
    }
    put_u32(f, (uint32_t)n);
    int seen[MAXFIG] = {0}; /* a row's cell is its first figure of a key */
    for (int i = 0; i < n; i++) {
        const sc_figure *g = &r->figures[i];
        const char *key = g->key ? g->key : "", *label = g->label ? g->label : "";
        put_str(f, key);
        put_str(f, label);
        put_str(f, g->value);
        int k = 0;
        while (k < t->nfig && strcmp(t->key[k], key))
            k++;
        if (k == t->nfig) {
            if (t->nfig == MAXFIG || !(t->key[k] = strdup(key)))
                continue;
            t->nfig++;
        }
        if (!strstr(t->head[k], label)) {
            size_t used = strlen(t->head[k]);
            snprintf(t->head[k] + used, sizeof t->head[k] - used, "%s%s",
                     used ? "/" : "", label);
        }
        if (!seen[k]) {
            seen[k] = 1;
            widen(&t->wfig[k], g->value);
        }
    }
    if (ferror(f))
        t->lost = errno ? errno : EIO;
    t->nrows++;
}

/* A problem: id, name, field, file, message, line, column, warning. */
void table_problem(check_table *t, const sc_error *e, int warning)
{
    FILE *f;
    if (!t || !(f = spill(t, &t->probs)))
        return;
    put_label(f, e->employee);
    put_str(f, e->field);
    put_str(f, e->file);
    put_str(f, e->message[0] ? e->message : sc_strerror(e->code));
    put_u32(f, (uint32_t)e->line);
    put_u32(f, (uint32_t)e->column);
    put_u32(f, (uint32_t)warning);
    if (ferror(f))
        t->lost = errno ? errno : EIO;
    t->nprobs++;
}

/* The next row of the spill (read in order from its start); 0 at its end
 * or if it cannot be read. */
static int read_row(check_table *t, row *w)
{
    size_t at[5 + 3 * MAXFIG], used = 0;
    uint32_t n;
    memset(w, 0, sizeof *w);
    if (!get_strs(t, t->rows, at, 5, &used) || !get_u32(t->rows, &n))
        return 0;
    size_t skip = 0;
    if (n > MAXFIG) { /* never: a sheet prints a handful */
        skip = n - MAXFIG;
        n = MAXFIG;
    }
    if (!get_strs(t, t->rows, at + 5, (int)(3 * n), &used))
        return 0;
    for (size_t i = 0; i < 3 * skip; i++) { /* the rest, skipped */
        size_t x, u = used;
        if (!get_strs(t, t->rows, &x, 1, &u))
            return 0;
    }
    char *b = t->buf;
    w->status = b + at[0];
    w->period = b + at[1];
    w->department = b + at[2];
    w->id = b + at[3];
    w->name = b + at[4];
    for (uint32_t i = 0; i < n; i++) {
        w->key[i] = b + at[5 + 3 * i];
        w->label[i] = b + at[6 + 3 * i];
        w->value[i] = b + at[7 + 3 * i];
    }
    w->nfig = (int)n;
    return 1;
}

static int read_problem(check_table *t, problem *p)
{
    size_t at[5], used = 0;
    uint32_t line, column, warning;
    if (!get_strs(t, t->probs, at, 5, &used) || !get_u32(t->probs, &line) ||
        !get_u32(t->probs, &column) || !get_u32(t->probs, &warning))
        return 0;
    char *b = t->buf;
    p->id = b + at[0];
    p->name = b + at[1];
    p->field = b + at[2];
    p->file = b + at[3];
    p->message = b + at[4];
    p->line = (int)line;
    p->column = (int)column;
    p->warning = (int)warning;
    return 1;
}

void table_free(check_table *t)
{
    if (!t)
        return;
    if (t->rows)
        fclose(t->rows);
    if (t->probs)
        fclose(t->probs);
    for (int k = 0; k < t->nfig; k++)
        free(t->key[k]);
    free(t->buf);
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
 * English CSV header names figures by key.  The columns were gathered by
 * table_add as the rows came. */

static const char *figure_value(const row *w, const char *key)
{
    for (int i = 0; i < w->nfig; i++)
        if (!strcmp(w->key[i], key))
            return w->value[i];
    return "";
}

/* The cell of column i of w (NULL: the header, Chinese or by key). */
static const char *cell(const check_table *t, const row *w, int i, int zh)
{
    int nf = t->nfig;
    static const char *const fixed_zh[] = {"工号", "姓名", "状态", "考核期间", "部门"};
    static const char *const fixed_en[] = {"id", "name", "status", "period", "department"};
    const char *const *fixed = zh ? fixed_zh : fixed_en;
    const char *v;
    if (i == 0)
        v = w ? w->id : fixed[0];
    else if (i == 1)
        v = w ? w->name : fixed[1];
    else if (i < 2 + nf)
        v = w ? figure_value(w, t->key[i - 2]) : zh ? t->head[i - 2] : t->key[i - 2];
    else if (i == 2 + nf)
        v = w ? w->status : fixed[2];
    else if (i == 3 + nf)
        v = w ? w->period : fixed[3];
    else
        v = w ? w->department : fixed[4];
    return v ? v : "";
}

/* Back to the start of a spill (NULL: nothing was spilled). */
static int rewind_spill(check_table *t, FILE *f)
{
    if (t->lost) {
        errno = t->lost;
        return -1;
    }
    if (f && (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0))
        return -1;
    return 0;
}

/* ---- CSV ------------------------------------------------------------------
 *
 * Lines are made in UTF-8 a chunk at a time, each chunk converted to the
 * table's encoding into a spill, and the spill copied to the destination
 * only when every line converted: a character GBK lacks refuses the whole
 * CSV, never leaves half of it on standard output. */

typedef struct csv_sink {
    check_table *t;
    FILE *enc;         /* the converted CSV so far */
    char *buf;         /* UTF-8 lines not yet converted */
    size_t len, cap;
    int lines;         /* lines converted before buf */
    int failed;        /* -1: said */
} csv_sink;

static void sink_put(csv_sink *s, const char *p, size_t n)
{
    if (s->failed)
        return;
    if (s->len + n > s->cap) {
        size_t cap = (s->len + n) * 2;
        char *b = realloc(s->buf, cap);
        if (!b) {
            errorf("out of memory");
            s->failed = -1;
            return;
        }
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

static int sink_flush(csv_sink *s)
{
    if (s->failed || !s->len)
        return s->failed;
    if (!s->enc && !(s->enc = spill_file())) {
        errorf("cannot make a temporary file for the CSV: %s", strerror(errno));
        return s->failed = -1;
    }
    /* the BOM once, before the first chunk */
    int enc = s->t->encoding;
    if (enc == CSV_UTF8_BOM && s->lines)
        enc = CSV_UTF8;
    char why[512];
    if (csv_write_encoded(s->enc, s->buf, s->len, enc, s->lines, why, sizeof why) != 0) {
        errorf("%s", why);
        return s->failed = -1;
    }
    for (size_t i = 0; i < s->len; i++)
        s->lines += s->buf[i] == '\n';
    s->len = 0;
    return 0;
}

/* RFC 4180: quote a field holding a comma, quote or line break. */
static void csv_field(csv_sink *s, const char *v)
{
    if (!strpbrk(v, ",\"\r\n")) {
        sink_put(s, v, strlen(v));
        return;
    }
    sink_put(s, "\"", 1);
    for (; *v; v++) {
        if (*v == '"')
            sink_put(s, "\"", 1);
        sink_put(s, v, 1);
    }
    sink_put(s, "\"", 1);
}

static void csv_line(csv_sink *s, const char *const *cells, int n)
{
    for (int i = 0; i < n; i++) {
        if (i)
            sink_put(s, ",", 1);
        csv_field(s, cells[i] ? cells[i] : "");
    }
    sink_put(s, "\r\n", 2);
    if (s->len >= 64 * 1024)
        sink_flush(s);
}

/* The sink's CSV, all converted, copied to f.  0, or -1 (said). */
static int sink_finish(csv_sink *s, FILE *f)
{
    int rc = sink_flush(s);
    if (rc == 0 && s->enc) {
        char b[64 * 1024];
        size_t n;
        if (fflush(s->enc) != 0 || fseek(s->enc, 0, SEEK_SET) != 0)
            rc = -1;
        while (rc == 0 && (n = fread(b, 1, sizeof b, s->enc)) > 0)
            if (fwrite(b, 1, n, f) != n)
                rc = -1;
        if (rc == 0 && ferror(s->enc))
            rc = -1;
        if (rc != 0)
            errorf("cannot write the CSV: %s", strerror(errno));
    }
    if (s->enc)
        fclose(s->enc);
    free(s->buf);
    return rc;
}

int table_nfigures(const check_table *t) { return t->nfig; }

long table_nproblems(const check_table *t) { return t->nprobs; }

/* The CSV's lines of the table: its header, then each row. */
static int each_row(check_table *t, table_line_fn fn, void *ud)
{
    int ncols = t->nfig + 5, rc;
    const char *cells[MAXFIG + 5];
    for (int i = 0; i < ncols; i++)
        cells[i] = cell(t, NULL, i, t->zh);
    if ((rc = fn(ud, 0, cells, ncols)) != 0)
        return rc;
    row w;
    for (long r = 0; r < t->nrows; r++) {
        if (!read_row(t, &w)) {
            errorf("cannot read back the table: %s", strerror(errno ? errno : EIO));
            return -1;
        }
        for (int i = 0; i < ncols; i++)
            cells[i] = cell(t, &w, i, t->zh);
        if ((rc = fn(ud, r + 1, cells, ncols)) != 0)
            return rc;
    }
    return 0;
}

/* The CSV's lines of the problems list. */
static int each_problem(check_table *t, table_line_fn fn, void *ud)
{
    static const char *const en[] = {"id",   "name",   "field", "file",
                                     "line", "column", "kind",  "message"};
    static const char *const zh[] = {"工号", "姓名", "字段", "文件",
                                     "行",   "列",   "类型", "问题"};
    int rc = fn(ud, 0, t->zh ? zh : en, 8);
    problem p;
    for (long i = 0; i < t->nprobs && rc == 0; i++) {
        if (!read_problem(t, &p)) {
            errorf("cannot read back the problems: %s", strerror(errno ? errno : EIO));
            return -1;
        }
        char line[16] = "", col[16] = "";
        if (p.line > 0)
            snprintf(line, sizeof line, "%d", p.line);
        if (p.column > 0)
            snprintf(col, sizeof col, "%d", p.column);
        const char *kind = p.warning ? (t->zh ? "警告" : "warning")
                                     : (t->zh ? "错误" : "error");
        const char *cells[8] = {p.id, p.name, p.field, p.file, line, col, kind, p.message};
        rc = fn(ud, i + 1, cells, 8);
    }
    return rc;
}

int table_each(check_table *t, int problems, table_line_fn fn, void *ud)
{
    if (rewind_spill(t, problems ? t->probs : t->rows) != 0) {
        errorf("cannot keep the %s in a temporary file: %s", problems ? "problems" : "table",
               strerror(errno));
        return -1;
    }
    return problems ? each_problem(t, fn, ud) : each_row(t, fn, ud);
}

static int csv_line_fn(void *ud, long line, const char *const *cells, int n)
{
    (void)line;
    csv_sink *s = ud;
    csv_line(s, cells, n);
    return s->failed;
}

int table_print(check_table *t, FILE *f, int csv)
{
    if (csv) {
        csv_sink s = {.t = t};
        if (table_each(t, 0, csv_line_fn, &s) != 0 && !s.failed)
            s.failed = -1;
        if (sink_finish(&s, f) != 0 || fflush(f) != 0) {
            errorf("cannot write the table");
            return -1;
        }
        return 0;
    }
    if (rewind_spill(t, t->rows) != 0) {
        errorf("cannot keep the table in a temporary file: %s", strerror(errno));
        return -1;
    }
    int ncols = t->nfig + 3; /* the terminal table stops at 状态 */
    int width[MAXFIG + 3];
    for (int i = 0; i < ncols; i++)
        width[i] = display_width(cell(t, NULL, i, 1));
    width[0] = width[0] > t->wid ? width[0] : t->wid;
    width[1] = width[1] > t->wname ? width[1] : t->wname;
    for (int k = 0; k < t->nfig; k++)
        width[2 + k] = width[2 + k] > t->wfig[k] ? width[2 + k] : t->wfig[k];
    width[ncols - 1] = width[ncols - 1] > t->wstatus ? width[ncols - 1] : t->wstatus;
    row w;
    for (long r = -1; r < t->nrows; r++) {
        if (r >= 0 && !read_row(t, &w)) {
            errorf("cannot read back the table: %s", strerror(errno ? errno : EIO));
            return -1;
        }
        for (int i = 0; i < ncols; i++) {
            const char *v = cell(t, r < 0 ? NULL : &w, i, 1);
            int pad = width[i] - display_width(v);
            /* figures right-aligned, except words (a grade) */
            int right = i >= 2 && i < ncols - 1 && strcmp(t->key[i - 2], "grade");
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

int table_save(check_table *t, const char *path, int csv, int xlsx, int zh, long long created)
{
    if (xlsx)
        return table_save_xlsx(t, path, zh, created);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) {
        errorf("out of memory");
        return -1;
    }
    int rc = table_print(t, m, csv);
    if (fclose(m) != 0 && rc == 0) {
        errorf("out of memory");
        rc = -1;
    }
    sc_error err;
    if (rc == 0 && sc_file_save(path, buf, len, &err) != SC_OK) {
        print_error(&err);
        table_not_written(path);
        rc = -1;
    }
    free(buf);
    return rc;
}

void table_not_written(const char *path)
{
    errorf("%s not written (a file of that name keeps what it had): -o takes a file name "
           "in a folder that exists and that you can write to", path);
}

sc_status table_save_problems(check_table *t, const char *path, sc_error *err)
{
    memset(err, 0, sizeof *err);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return SC_ERR_NOMEM;
    csv_sink s = {.t = t};
    int rc = table_each(t, 1, csv_line_fn, &s) != 0 ? -1 : 0;
    rc = sink_finish(&s, m) != 0 || rc != 0 ? -1 : 0;
    if (fclose(m) != 0 || rc != 0) {
        free(buf);
        err->code = SC_ERR_IO;
        snprintf(err->message, sizeof err->message, "cannot make the problems CSV %s", path);
        return SC_ERR_IO;
    }
    sc_status st = sc_file_save(path, buf, len, err);
    free(buf);
    return st;
}
