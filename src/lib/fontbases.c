/* fontbases.c -- the font bases of a form: per face, the glyphs that every
 * document of the form draws.
 *
 * What the records of a form share is the template's own text (title,
 * labels, column heads, notes, the signature block's words), what it
 * prints from the batch header (company, department, period, document
 * prefix), the running header and footer, and the definitions of the
 * sheet: categories, KPI indicators and rule texts, raters.  The driver
 * lays out a record's form (sc_record_form: all that, and none of the
 * record's results, names or comments); the glyphs that layout draws,
 * face by face, in drawing order, become the bases (subset.c compresses
 * them once), kept for every record of the same form.
 *
 * Nothing that is one employee's own goes in, and nothing of any other
 * record.  So a document's bytes depend only on its own record, its
 * template and the fonts: not on which colleagues were rendered before
 * it, on the order of the batch or on the number of threads, and no
 * document carries outlines of characters that only a colleague's name
 * or comment uses.  Bases never change once made, so documents on several
 * threads share them without a lock. */
#include "fontengine.h"

#include <string.h>
#include <time.h>

static _Atomic unsigned long long work_ns;
static _Atomic unsigned long work_docs;

void sc_fontwork_note(unsigned long long ns, unsigned long docs)
{
    work_ns += ns;
    work_docs += docs;
}

void sc_fontwork_stats(unsigned long long *ns, unsigned long *docs)
{
    *ns = work_ns;
    *docs = work_docs;
}

static unsigned long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (unsigned long long)t.tv_sec * 1000000000ull +
           (unsigned long long)t.tv_nsec;
}

struct sc_fontbases {
    int nfaces;
    sc_fontbase **base; /* per face; NULL: none */
};

static sc_status push(sc_glyphs *g, unsigned gid, uint32_t cp)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 256;
        unsigned *v = sc_realloc(g->gid, cap * sizeof *v);
        if (!v)
            return SC_ERR_NOMEM;
        g->gid = v;
        uint32_t *c = sc_realloc(g->cp, cap * sizeof *c);
        if (!c)
            return SC_ERR_NOMEM;
        g->cp = c;
        g->cap = cap;
    }
    g->gid[g->n] = gid;
    g->cp[g->n++] = cp;
    return SC_OK;
}

sc_status sc_laid_glyphs(const sc_laid *laid, const sc_fonts *fonts,
                         sc_glyphs *lists, const unsigned char *skip,
                         sc_error *err)
{
    int nfaces = sc_fonts_nfaces(fonts);
    for (int i = 0; i < laid->npages; i++) {
        const sc_page *pg = &laid->pages[i];
        for (size_t k = 0; k < pg->nitems; k++) {
            const sc_item *it = &pg->items[k];
            if (it->kind != SC_IT_TEXT || it->face < 0 || it->face >= nfaces)
                continue;
            int rb;
            int fi = sc_fonts_draw_face(fonts, it->face, it->bold, it->text,
                                        it->len, &rb);
            if (fi < 0 || fi >= nfaces || (skip && skip[fi]))
                continue;
            const sc_face *face = sc_fonts_face(fonts, fi);
            for (size_t j = 0; j < it->len;) {
                uint32_t cp;
                size_t n = sc_utf8_decode(it->text + j, it->len - j, &cp);
                if (!n)
                    break; /* the PDF writer reports it */
                j += n;
                if (cp == '\t')
                    cp = ' ';
                if (push(&lists[fi], sc_face_gid(face, cp), cp) != SC_OK)
                    return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0,
                                        "out of memory");
            }
        }
    }
    return SC_OK;
}

void sc_glyphs_free(sc_glyphs *lists, int n)
{
    for (int i = 0; lists && i < n; i++) {
        sc_free(lists[i].gid);
        sc_free(lists[i].cp);
    }
    sc_free(lists);
}

sc_status sc_fontbases_new(sc_fontbases **out, const sc_fonts *fonts,
                           const sc_laid *form, sc_error *err)
{
    *out = NULL;
    int nfaces = sc_fonts_nfaces(fonts);
    sc_fontbases *b = sc_calloc(1, sizeof *b);
    sc_glyphs *lists = sc_calloc(nfaces > 0 ? (size_t)nfaces : 1,
                                 sizeof *lists);
    if (b)
        b->base = sc_calloc(nfaces > 0 ? (size_t)nfaces : 1, sizeof *b->base);
    if (!b || !lists || !b->base) {
        sc_free(lists);
        sc_fontbases_free(b);
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    b->nfaces = nfaces;
    unsigned long long t0 = now_ns();
    sc_status st = sc_laid_glyphs(form, fonts, lists, NULL, err);
    /* A base that cannot be made only means compressing whole. */
    for (int f = 0; st == SC_OK && f < nfaces; f++)
        if (lists[f].n)
            b->base[f] = sc_fontbase_new(sc_fonts_face(fonts, f), lists[f].gid,
                                         lists[f].cp, lists[f].n);
    sc_glyphs_free(lists, nfaces);
    sc_fontwork_note(now_ns() - t0, 0);
    if (st != SC_OK) {
        sc_fontbases_free(b);
        return st;
    }
    *out = b;
    return SC_OK;
}

const sc_fontbase *sc_fontbases_get(const sc_fontbases *b, int face)
{
    return b && face >= 0 && face < b->nfaces ? b->base[face] : NULL;
}

void sc_fontbases_free(sc_fontbases *b)
{
    if (!b)
        return;
    for (int i = 0; b->base && i < b->nfaces; i++)
        sc_fontbase_free(b->base[i]);
    sc_free(b->base);
    sc_free(b);
}
