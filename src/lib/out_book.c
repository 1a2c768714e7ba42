/* out_book.c -- the output step that gathers records into print books:
 * the whole run as one book (--combined), or one book per group of a
 * record field (--group-by evaluator: a stack per 考核人), each with its
 * own outline, the department summary in front, and written once at the
 * end through sc_file_write.
 *
 * Memory and order.  A book is one sc_pdf that takes each record's pages
 * as the record comes, as --combined always did: the pages are drawn
 * once and libharu keeps them until the book is saved, so a book costs
 * what its pages cost, and group books together what one book of the
 * run would.  The order within a book (--sort total, the summary in
 * front) is known only at the end, so it is not the drawing order: each
 * record's pages are a unit of the sc_pdf, the record a row of the
 * summary collector (summary.c), which keeps a few strings per record --
 * its sort keys and figures -- and at the end gives the rows of each
 * book in order; sc_pdf_arrange puts the units in that order when the
 * book is finished.  No record is buffered twice and no data file is
 * read twice.
 *
 * Duplex (the default for books): every record starts on a front page.
 * After a record of an odd number of pages comes a blank back (blank.c:
 * 此页无正文, no page number), which travels with its record when the
 * book is sorted; the summary too.  The book asks readers to print
 * double-sided along the long edge at 100% (pdf.c).
 *
 * Groups.  A book per value of the field; the file is named
 * {period}_{value}.pdf (the period of its first record), cleaned as a
 * record's file name is (out_name.c).  A record whose value is empty goes
 * to the group 未指定<field> and is reported.  Two groups whose names
 * clean to the same file (a/b and a:b) are never written over each
 * other: the second group's records fail with a message.  A record that
 * fails never reaches a book's pages; it is listed in its book's summary
 * as an error (a record that could not be read at all, whose group is
 * unknown, in the fallback group's).
 *
 * Should the PDF writer fail half-way through a record (memory), that
 * book cannot be trusted any more: the writer marks it, the record fails,
 * and the book is not written at all rather than with part of a record in
 * it.  A book uses the font bases of its first record's form. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define MAX_BLANKS 8 /* blank pages kept, by page size and language */

typedef struct member {
    int row;   /* in the summary collector */
    int unit;  /* its pages in the book's sc_pdf */
    int blank; /* its blank back's unit, or -1 */
} member;

typedef struct book {
    char *value;     /* the group's value; "" for the whole run */
    char name[1024]; /* its file */
    sc_pdf *pdf;
    member *m;
    int n, cap;
    int records, errors;
    sc_status bad;   /* refused: every record of it fails with why */
    sc_error why;
} book;

typedef struct blank {
    double w, h;
    const char *lang;
    sc_laid *laid;
} blank;

typedef struct book_step {
    sc_step step;
    const sc_fonts *fonts;
    sc_book_opts o;
    char dir[4096], name[1024]; /* --combined */
    book *b;
    int nb, capb;
    sc_summary *sum;
    sc_arena *arena; /* blank pages */
    blank blanks[MAX_BLANKS];
    int nblanks;
} book_step;

static const char *const group_key[] = {"", "superior", "evaluator", "department", "position"};
static const char *const group_label[] = {"", "直接上级", "考核人", "部门", "岗位"};

static sc_status nomem(sc_error *err)
{
    return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
}

static void warn(book_step *bs, const sc_record *rec, const char *field, const char *msg)
{
    if (!bs->o.warn)
        return;
    sc_error e;
    memset(&e, 0, sizeof e);
    e.code = SC_ERR_DATA;
    snprintf(e.message, sizeof e.message, "%s", msg);
    if (rec) {
        snprintf(e.file, sizeof e.file, "%s", rec->file ? rec->file : "");
        e.line = rec->line;
        snprintf(e.employee, sizeof e.employee, "%s", rec->label ? rec->label : "");
    }
    if (field)
        snprintf(e.field, sizeof e.field, "%s", field);
    bs->o.warn(bs->o.warn_ud, &e);
}

/* ---- which book ------------------------------------------------------------ */

/* The book of value (created on first use; file name cleaned and checked
 * against the other books'); -1 with *err when out of memory. */
static int book_of(book_step *bs, const char *value, const char *period, sc_error *err)
{
    for (int i = 0; i < bs->nb; i++)
        if (!strcmp(bs->b[i].value, value))
            return i;
    if (bs->nb == bs->capb) {
        int cap = bs->capb ? bs->capb * 2 : 8;
        book *v = sc_realloc(bs->b, (size_t)cap * sizeof *v);
        if (!v) {
            nomem(err);
            return -1;
        }
        bs->b = v;
        bs->capb = cap;
    }
    book *b = &bs->b[bs->nb];
    memset(b, 0, sizeof *b);
    if (!(b->value = sc_strdup(value))) {
        nomem(err);
        return -1;
    }
    bs->nb++;
    if (!bs->o.group_by) {
        snprintf(b->name, sizeof b->name, "%s", bs->name);
        return bs->nb - 1;
    }
    sc_buf raw = {0};
    sc_buf_printf(&raw, "%s%s%s.pdf", period && period[0] ? period : "",
                  period && period[0] ? "_" : "", value);
    sc_status st = raw.oom ? nomem(err) : sc_filename_clean(raw.data, b->name, sizeof b->name, err);
    sc_buf_free(&raw);
    if (st != SC_OK)
        return -1;
    for (int i = 0; i < bs->nb - 1; i++)
        if (sc_filename_same(bs->b[i].name, b->name)) {
            b->bad = SC_ERR_DATA;
            sc_error_set(&b->why, SC_ERR_DATA, NULL, 0, 0,
                         "the book of %s \"%s\" would be the file \"%s\", which the book of "
                         "\"%s\" already is in this run, and a book is never overwritten; make "
                         "the two values differ in more than / \\ : * ? \" < > | and case",
                         group_label[bs->o.group_by], value, b->name, bs->b[i].value);
            break;
        }
    return bs->nb - 1;
}

/* The book a record goes to: its group's, or the fallback group's when its
 * value is empty (reported) or unknown (rec NULL: it could not be read). */
static int book_for(book_step *bs, const sc_record *rec, int report, sc_error *err)
{
    if (!bs->o.group_by)
        return book_of(bs, "", NULL, err);
    const char *v = rec ? sc_record_get(rec, group_key[bs->o.group_by]) : NULL;
    if (v && v[0])
        return book_of(bs, v, rec->period, err);
    char fallback[64];
    snprintf(fallback, sizeof fallback, "未指定%s", group_label[bs->o.group_by]);
    int i = book_of(bs, fallback, rec ? rec->period : NULL, err);
    if (i >= 0 && rec && report) {
        char msg[400];
        snprintf(msg, sizeof msg, "no %s (%s): the sheet goes into the book of the group "
                 "\"%s\" (%.200s)", group_label[bs->o.group_by], group_key[bs->o.group_by],
                 fallback, bs->b[i].name);
        warn(bs, rec, group_key[bs->o.group_by], msg);
    }
    return i;
}

/* ---- pages ------------------------------------------------------------------ */

/* The blank back for a page of w x h in lang, laid out once. */
static sc_status blank_for(book_step *bs, double w, double h, const char *lang, sc_laid **out,
                           sc_error *err)
{
    for (int i = 0; i < bs->nblanks; i++) {
        blank *k = &bs->blanks[i];
        if (k->w == w && k->h == h &&
            (k->lang == lang || (k->lang && lang && !strcmp(k->lang, lang)))) {
            *out = k->laid;
            return SC_OK;
        }
    }
    if (!bs->arena && !(bs->arena = sc_arena_new()))
        return nomem(err);
    sc_status st = sc_layout_blank(bs->fonts, w, h, lang, bs->arena, out, err);
    if (st == SC_OK && bs->nblanks < MAX_BLANKS) {
        blank *k = &bs->blanks[bs->nblanks++];
        k->w = w;
        k->h = h;
        k->lang = lang ? sc_arena_strdup(bs->arena, lang) : NULL;
        k->laid = *out;
    }
    return st;
}

/* Add laid as a unit of b's book (with what the profile adds for its
 * record rec, if any), and a blank back after it when it ends on a front
 * page of a duplex book. */
static sc_status add_unit(book_step *bs, book *b, const sc_laid *laid, const sc_record *rec,
                          int *unit, int *blk, sc_error *err)
{
    *unit = sc_pdf_units(b->pdf);
    *blk = -1;
    sc_status st = sc_pdf_add(b->pdf, laid, err);
    if (st == SC_OK && rec)
        st = sc_pdf_archive(b->pdf, laid, rec, err);
    if (st != SC_OK || !bs->o.duplex || laid->npages % 2 == 0)
        return st;
    sc_laid *bl = NULL;
    if ((st = blank_for(bs, laid->page_w, laid->page_h, laid->lang, &bl, err)) != SC_OK)
        return st;
    *blk = sc_pdf_units(b->pdf);
    return sc_pdf_add(b->pdf, bl, err);
}

static sc_status open_pdf(book_step *bs, book *b, const sc_fontbases *bases, long long created,
                          sc_error *err)
{
    if (b->pdf)
        return SC_OK;
    sc_pdf_opts po = {.bases = bases,
                      .created = bs->o.created >= 0 ? bs->o.created : created,
                      .profile = bs->o.profile,
                      .book = 1};
    sc_status st = sc_pdf_new(&b->pdf, bs->fonts, &po, err);
    if (st == SC_OK)
        sc_pdf_set_duplex(b->pdf, bs->o.duplex);
    return st;
}

/* ---- the step ------------------------------------------------------------------ */

static sc_status book_doc(sc_step *self, sc_doc *d, sc_error *err)
{
    book_step *bs = (book_step *)self;
    int i = book_for(bs, d->rec, 1, err);
    if (i < 0)
        return SC_ERR_NOMEM;
    book *b = &bs->b[i];
    if (b->bad) {
        *err = b->why;
        return b->bad;
    }
    if (b->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 16;
        member *m = sc_realloc(b->m, (size_t)cap * sizeof *m);
        if (!m)
            return nomem(err);
        b->m = m;
        b->cap = cap;
    }
    sc_status st = open_pdf(bs, b, d->bases, d->created, err);
    member *m = &b->m[b->n];
    if (st == SC_OK)
        st = add_unit(bs, b, d->laid, d->rec, &m->unit, &m->blank, err);
    if (st != SC_OK)
        return st;
    m->row = sc_summary_rows(bs->sum);
    if ((st = sc_summary_add(bs->sum, i, d->rec, err)) != SC_OK)
        return st;
    b->n++;
    b->records++;
    return SC_OK;
}

static int book_failed(sc_step *self, sc_doc *d, const sc_error *why, sc_error *said)
{
    const sc_record *rec = d->rec;
    const char *label = d->label;
    (void)said;
    book_step *bs = (book_step *)self;
    if (!bs->o.summary_tpl)
        return 0; /* a failed record only shows in the summary */
    sc_error e;
    int i = book_for(bs, rec, 0, &e);
    if (i < 0)
        return 0;
    if (sc_summary_add_failed(bs->sum, i, rec, label, why, &e) == SC_OK)
        bs->b[i].errors++;
    return 0;
}

static void note(void *ud, const char *msg) { warn(ud, NULL, NULL, msg); }

/* The summary in front of b: laid out from the rows of its group. */
static sc_status add_summary(book_step *bs, int i, int *unit, int *blk, sc_arena *a,
                             sc_error *err)
{
    book *b = &bs->b[i];
    sc_summary_view v = {i, bs->o.sort, NULL, NULL, NULL, NULL, note, bs};
    if (bs->o.group_by) {
        v.group_by = group_key[bs->o.group_by];
        v.group_label = group_label[bs->o.group_by];
        v.group_value = b->value;
        if (bs->o.group_by == SC_GROUP_DEPARTMENT)
            v.department = b->value;
    }
    sc_record *rec = NULL;
    sc_status st = sc_summary_record(bs->sum, &v, &rec, err);
    if (st != SC_OK)
        return st;
    /* a name no font has was its record's failure; here it is a marker */
    sc_render_opts ro = SC_RENDER_OPTS_INIT;
    ro.allow_missing_glyphs = 1;
    ro.diag = bs->o.warn;
    ro.diag_ud = bs->o.warn_ud;
    sc_laid *laid = NULL;
    st = sc_render_layout(bs->o.summary_tpl, bs->fonts, rec, &ro, a, &laid, NULL, err);
    if (st == SC_OK)
        st = open_pdf(bs, b, NULL, rec->date, err);
    if (st == SC_OK)
        st = add_unit(bs, b, laid, NULL, unit, blk, err);
    sc_record_free(rec);
    return st;
}

/* The units of b in reading order: the summary, then the records as the
 * collector orders their rows. */
static sc_status arrange(book_step *bs, int i, int sunit, int sblank, sc_error *err)
{
    book *b = &bs->b[i];
    int nunits = sc_pdf_units(b->pdf);
    int *order = sc_malloc((size_t)(nunits ? nunits : 1) * sizeof *order);
    int *rows = NULL, nrows = 0;
    int nrow_all = sc_summary_rows(bs->sum);
    int *of_row = sc_malloc((size_t)(nrow_all ? nrow_all : 1) * sizeof *of_row);
    sc_status st = order && of_row ? sc_summary_order(bs->sum, i, bs->o.sort, &rows, &nrows, err)
                                   : nomem(err);
    if (st == SC_OK) {
        for (int k = 0; k < nrow_all; k++)
            of_row[k] = -1;
        for (int k = 0; k < b->n; k++)
            of_row[b->m[k].row] = k;
        int n = 0;
        if (sunit >= 0)
            order[n++] = sunit;
        if (sblank >= 0)
            order[n++] = sblank;
        for (int k = 0; k < nrows; k++) {
            int mi = of_row[rows[k]];
            if (mi < 0)
                continue; /* a failed record: no pages */
            order[n++] = b->m[mi].unit;
            if (b->m[mi].blank >= 0)
                order[n++] = b->m[mi].blank;
        }
        st = sc_pdf_arrange(b->pdf, order, n, err);
    }
    sc_free(order);
    sc_free(of_row);
    sc_free(rows);
    return st;
}

/* Finish and write book i. */
static sc_status write_book(book_step *bs, int i, int *files, int *pages, sc_error *err)
{
    book *b = &bs->b[i];
    if (b->bad || (!b->records && !(bs->o.summary_tpl && b->errors)))
        return SC_OK; /* nothing to write: the run says why */
    int sunit = -1, sblank = -1;
    sc_arena *a = sc_arena_new();
    sc_status st = a ? SC_OK : nomem(err);
    if (st == SC_OK && bs->o.summary_tpl)
        st = add_summary(bs, i, &sunit, &sblank, a, err);
    if (st == SC_OK)
        st = arrange(bs, i, sunit, sblank, err);
    unsigned char *bytes = NULL;
    size_t len = 0;
    if (st == SC_OK)
        st = sc_pdf_finish(b->pdf, &bytes, &len, err);
    if (st == SC_OK)
        st = sc_file_write(bs->dir, b->name, bytes, len, err);
    sc_free(bytes);
    sc_arena_free(a);
    if (st == SC_OK) {
        *files += 1;
        for (int u = 0; u < sc_pdf_units(b->pdf); u++)
            *pages += sc_pdf_unit_pages(b->pdf, u);
    } else if (b->value[0] && !strstr(err->message, b->name)) {
        size_t n = strlen(err->message);
        snprintf(err->message + n, sizeof err->message - n, " (the book %s)", b->name);
    }
    return st;
}

/* Every book is written that can be; the first failure is returned. */
static sc_status book_end(sc_step *self, int *files, int *pages, sc_error *err)
{
    book_step *bs = (book_step *)self;
    sc_status first = SC_OK;
    for (int i = 0; i < bs->nb; i++) {
        sc_error e;
        memset(&e, 0, sizeof e);
        sc_status st = write_book(bs, i, files, pages, &e);
        if (st != SC_OK && first == SC_OK) {
            first = st;
            *err = e;
        } else if (st != SC_OK && bs->o.warn) {
            bs->o.warn(bs->o.warn_ud, &e);
        }
    }
    return first;
}

static void book_free(sc_step *self)
{
    book_step *bs = (book_step *)self;
    for (int i = 0; i < bs->nb; i++) {
        sc_pdf_free(bs->b[i].pdf);
        sc_free(bs->b[i].value);
        sc_free(bs->b[i].m);
    }
    sc_free(bs->b);
    sc_summary_free(bs->sum);
    sc_arena_free(bs->arena);
    sc_free(bs);
}

sc_step *sc_step_book(const sc_book_opts *o, const sc_fonts *fonts)
{
    book_step *bs = sc_calloc(1, sizeof *bs);
    if (!bs)
        return NULL;
    if (!(bs->sum = sc_summary_new())) {
        sc_free(bs);
        return NULL;
    }
    bs->step.what = "the books";
    bs->step.doc = book_doc;
    bs->step.failed = book_failed;
    bs->step.end = book_end;
    bs->step.free = book_free;
    bs->fonts = fonts;
    bs->o = *o;
    if (o->group_by < 0 || o->group_by > SC_GROUP_POSITION)
        bs->o.group_by = SC_GROUP_NONE;
    if (bs->o.group_by) {
        snprintf(bs->dir, sizeof bs->dir, "%s", o->dir && o->dir[0] ? o->dir : ".");
        return &bs->step;
    }
    const char *path = o->path ? o->path : "book.pdf";
    const char *slash = strrchr(path, '/');
    if (slash) {
        snprintf(bs->dir, sizeof bs->dir, "%.*s", (int)(slash - path), path);
        if (!bs->dir[0])
            snprintf(bs->dir, sizeof bs->dir, "/");
        snprintf(bs->name, sizeof bs->name, "%s", slash + 1);
    } else {
        snprintf(bs->dir, sizeof bs->dir, ".");
        snprintf(bs->name, sizeof bs->name, "%s", path);
    }
    return &bs->step;
}
