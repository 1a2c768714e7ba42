/* render.c -- one record through the stages that make its pages: bind,
 * lay out, then the layout dump or the PDF bytes.
 *
 * A record is laid out completely before anything is handed to the PDF
 * writer, and everything that can be wrong with a record (a character no
 * font has, a damaged image, an expression that fails) is found by then;
 * so a record that fails leaves no trace in a book, and `check`, which
 * stops after layout, finds exactly what `render` would. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

sc_status sc_render_layout(const sc_template *tpl, const sc_fonts *fonts,
                           const sc_record *rec, const sc_render_opts *opts,
                           sc_arena *arena, sc_laid **laid, sc_selects *selects,
                           sc_error *err)
{
    sc_bound *bound = NULL;
    sc_status st = sc_bind(tpl, rec, arena, &bound, err);
    if (st != SC_OK)
        goto fail;
    if (selects)
        *selects = bound->selects;
    if (opts) {
        if (opts->watermark)
            bound->watermark = opts->watermark[0] ? opts->watermark : NULL;
        bound->allow_missing = opts->allow_missing_glyphs;
        bound->diag = opts->diag;
        bound->diag_ud = opts->diag_ud;
    }
    /* The text's language chooses the faces (Traditional forms of hanzi,
     * centred punctuation): the employee's or the batch's xml:lang, else
     * the template's. */
    xmlChar *lang = rec && rec->employee ? xmlNodeGetLang(rec->employee)
                                         : NULL;
    const char *use = lang ? (const char *)lang : tpl->lang;
    fonts = sc_fonts_for_lang(fonts, use);
    bound->lang = use ? sc_arena_strdup(arena, use) : NULL;
    xmlFree(lang);
    if (use && !bound->lang) {
        st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    st = sc_layout(bound, fonts, arena, laid, err);
    if (st != SC_OK)
        goto fail;
    return SC_OK;
fail:
    /* Every record error names its record, whichever stage found it. */
    if (err && !err->employee[0] && rec && rec->label)
        snprintf(err->employee, sizeof err->employee, "%s", rec->label);
    if (err && !err->file[0] && rec && rec->file)
        snprintf(err->file, sizeof err->file, "%s", rec->file);
    return st;
}

sc_status sc_render_pdf(const sc_laid *laid, const sc_fonts *fonts,
                        const sc_pdf_opts *popts, unsigned char **out,
                        size_t *len, sc_error *err)
{
    sc_pdf *pdf = NULL;
    sc_status st = sc_pdf_new(&pdf, fonts, popts, err);
    if (st == SC_OK)
        st = sc_pdf_add(pdf, laid, err);
    if (st == SC_OK)
        st = sc_pdf_archive(pdf, laid, popts ? popts->rec : NULL, err);
    if (st == SC_OK)
        st = sc_pdf_finish(pdf, out, len, err);
    sc_pdf_free(pdf);
    return st;
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
    sc_status st = sc_render_layout(tpl, fonts, rec, opts, arena, &laid, NULL, err);
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

sc_status sc_record_figures(const sc_template *tpl, const sc_record *rec, sc_figure **out,
                            int *n, sc_error *err)
{
    if (!out || !n)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_record_figures needs out and n");
    *out = NULL;
    *n = 0;
    sc_arena *arena = sc_arena_new();
    if (!arena)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    sc_figure *f = NULL;
    int count = 0;
    sc_status st = sc_figures_eval(tpl, rec, arena, &f, &count, err);
    if (st == SC_OK) {
        /* one allocation: the entries, then their strings */
        size_t size = (size_t)count * sizeof *f;
        for (int i = 0; i < count; i++)
            size += strlen(f[i].key) + strlen(f[i].label) + strlen(f[i].value) + 3;
        sc_figure *copy = sc_malloc(size ? size : 1);
        if (!copy) {
            st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        } else {
            char *p = (char *)(copy + count);
            for (int i = 0; i < count; i++) {
                const char *src[3] = {f[i].key, f[i].label, f[i].value};
                const char **dst[3] = {&copy[i].key, &copy[i].label, &copy[i].value};
                for (int k = 0; k < 3; k++) {
                    size_t len = strlen(src[k]) + 1;
                    memcpy(p, src[k], len);
                    *dst[k] = p;
                    p += len;
                }
            }
            *out = copy;
            *n = count;
        }
    } else if (err && !err->employee[0] && rec && rec->label) {
        snprintf(err->employee, sizeof err->employee, "%s", rec->label);
    }
    sc_arena_free(arena);
    return st;
}
