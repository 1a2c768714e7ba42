/* out_book.c -- the output step that gathers a whole run into one book
 * (--combined): every record's pages in record order, an outline entry
 * per record, written once at the end through sc_file_write.
 *
 * A record that fails never reaches this step, so the book holds exactly
 * the pages of the good records.  Should the PDF writer fail half-way
 * through a record (memory), the book cannot be trusted any more: the
 * writer marks it, the record fails, and the book is not written at all
 * rather than written with part of a record in it.  The book uses the
 * font bases of its first record's form. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

typedef struct book_step {
    sc_step step;
    const sc_fonts *fonts;
    long long created;
    char dir[4096], name[1024];
    sc_pdf *pdf;
    int records, pages;
} book_step;

static sc_status book_doc(sc_step *self, sc_doc *d, sc_error *err)
{
    book_step *b = (book_step *)self;
    if (!b->pdf) {
        sc_pdf_opts po = {d->bases, b->created >= 0 ? b->created : d->created};
        sc_status st = sc_pdf_new(&b->pdf, b->fonts, &po, err);
        if (st != SC_OK)
            return st;
    }
    sc_status st = sc_pdf_add(b->pdf, d->laid, err);
    if (st == SC_OK) {
        b->records++;
        b->pages += d->laid->npages;
    }
    return st;
}

static sc_status book_end(sc_step *self, int *files, int *pages, sc_error *err)
{
    book_step *b = (book_step *)self;
    if (!b->records)
        return SC_OK; /* nothing to write: the run says why */
    unsigned char *bytes = NULL;
    size_t len = 0;
    sc_status st = sc_pdf_finish(b->pdf, &bytes, &len, err);
    if (st == SC_OK)
        st = sc_file_write(b->dir, b->name, bytes, len, err);
    sc_free(bytes);
    if (st == SC_OK) {
        *files += 1;
        *pages += b->pages;
    }
    return st;
}

static void book_free(sc_step *self)
{
    book_step *b = (book_step *)self;
    sc_pdf_free(b->pdf);
    sc_free(b);
}

sc_step *sc_step_book(const char *path, const sc_fonts *fonts,
                      long long created)
{
    book_step *b = sc_calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->step.what = "the book";
    b->step.doc = book_doc;
    b->step.end = book_end;
    b->step.free = book_free;
    b->fonts = fonts;
    b->created = created;
    const char *slash = strrchr(path, '/');
    if (slash) {
        snprintf(b->dir, sizeof b->dir, "%.*s", (int)(slash - path), path);
        if (!b->dir[0])
            snprintf(b->dir, sizeof b->dir, "/");
        snprintf(b->name, sizeof b->name, "%s", slash + 1);
    } else {
        snprintf(b->dir, sizeof b->dir, ".");
        snprintf(b->name, sizeof b->name, "%s", path);
    }
    return &b->step;
}
