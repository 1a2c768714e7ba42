/* render.c -- the public rendering calls: bind, lay out, then write PDF
 * pages (sc_book_*) or the layout dump (sc_render_dump).
 *
 * A record is laid out completely before anything is handed to the PDF
 * writer, so a record that fails (missing glyph, bad expression) leaves no
 * trace in the book.  The book is written to "<path>.tmp-<pid>" and renamed
 * over <path> only when complete. */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct sc_book {
    const sc_fonts *fonts;
    sc_pdf *pdf;
    char *path;
    sc_render_opts opts; /* a copy; its strings are borrowed */
    int records;
};

/* Bind and lay out rec; on success *laid lives in arena. */
static sc_status lay_out(const sc_template *tpl, const sc_fonts *fonts,
                         const sc_record *rec, const sc_render_opts *opts,
                         sc_arena *arena, sc_laid **laid, sc_error *err)
{
    sc_bound *bound = NULL;
    sc_status st = sc_bind(tpl, rec, arena, &bound, err);
    if (st != SC_OK)
        goto fail;
    if (opts) {
        if (opts->watermark)
            bound->watermark = opts->watermark[0] ? opts->watermark : NULL;
        bound->allow_missing = opts->allow_missing_glyphs;
        bound->diag = opts->diag;
        bound->diag_ud = opts->diag_ud;
    }
    st = sc_layout(bound, fonts, arena, laid, err);
    if (st != SC_OK)
        goto fail;
    (*laid)->form = tpl;
    return SC_OK;
fail:
    /* Every record error names its record, whichever stage found it. */
    if (err && !err->employee[0] && rec && rec->label)
        snprintf(err->employee, sizeof err->employee, "%s", rec->label);
    if (err && !err->file[0] && rec && rec->file)
        snprintf(err->file, sizeof err->file, "%s", rec->file);
    return st;
}

sc_status sc_book_open(sc_book **out, const sc_fonts *fonts, const char *path,
                       const sc_render_opts *opts, sc_error *err)
{
    *out = NULL;
    if (!fonts || !path)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_book_open needs fonts and a path");
    sc_book *b = sc_calloc(1, sizeof *b);
    if (!b || !(b->path = sc_strdup(path))) {
        sc_free(b);
        return sc_error_set(err, SC_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    b->fonts = fonts;
    if (opts)
        b->opts = *opts;
    sc_status st = sc_pdf_new(&b->pdf, fonts, err);
    if (st != SC_OK) {
        sc_book_abort(b);
        return st;
    }
    *out = b;
    return SC_OK;
}

sc_status sc_book_add(sc_book *book, const sc_template *tpl,
                      const sc_record *rec, int *pages, sc_error *err)
{
    if (pages)
        *pages = 0;
    sc_arena *arena = sc_arena_new();
    if (!arena)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    sc_laid *laid = NULL;
    sc_status st = lay_out(tpl, book->fonts, rec, &book->opts, arena, &laid,
                           err);
    if (st == SC_OK)
        st = sc_pdf_add(book->pdf, laid, err);
    if (st == SC_OK) {
        book->records++;
        if (pages)
            *pages = laid->npages;
    } else if (err && !err->employee[0] && rec->label) {
        snprintf(err->employee, sizeof err->employee, "%s", rec->label);
    }
    sc_arena_free(arena);
    return st;
}

sc_status sc_book_close(sc_book *book, sc_error *err)
{
    if (book->records == 0) {
        sc_book_abort(book);
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "no record was rendered, no PDF written");
    }
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", book->path, (long)getpid());
    sc_status st = sc_pdf_save(book->pdf, tmp, err);
    if (st == SC_OK && rename(tmp, book->path) != 0) {
        st = sc_error_set(err, SC_ERR_IO, book->path, 0, 0,
                          "cannot rename %s to %s", tmp, book->path);
    }
    if (st != SC_OK)
        remove(tmp);
    sc_book_abort(book);
    return st;
}

void sc_book_abort(sc_book *book)
{
    if (!book)
        return;
    sc_pdf_free(book->pdf);
    sc_free(book->path);
    sc_free(book);
}

sc_status sc_render_dump(const sc_template *tpl, const sc_fonts *fonts,
                         const sc_record *rec, const sc_render_opts *opts,
                         char **out, sc_error *err)
{
    *out = NULL;
    sc_arena *arena = sc_arena_new();
    if (!arena)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    sc_laid *laid = NULL;
    sc_status st = lay_out(tpl, fonts, rec, opts, arena, &laid, err);
    if (st == SC_OK) {
        sc_buf buf = {0};
        sc_dump(laid, fonts, &buf);
        if (buf.oom) {
            sc_buf_free(&buf);
            st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        } else {
            *out = buf.data ? buf.data : sc_strdup("");
        }
    }
    sc_arena_free(arena);
    return st;
}
