/* blank.c -- the blank back of a duplex book.
 *
 * Printed double-sided, a record of an odd number of pages would put the
 * next employee's first page on the back of its last sheet: the wrong
 * person's form in a colleague's hands.  So a duplex book puts a blank
 * page after such a record, which carries the customary small note
 * 此页无正文 ("this page is intentionally blank"; 此頁無正文 for
 * Traditional text) in the middle, and nothing else: no header, no
 * footer, no page number of the record.  It is laid out like any page,
 * through sc_layout, so the note's characters take their faces the same
 * way as a form's. */
#include "internal.h"

#include <string.h>

#define NOTE_SIZE 9.0
#define NOTE_GRAY 0.45

sc_status sc_layout_blank(const sc_fonts *fonts, double page_w, double page_h,
                          const char *lang, sc_arena *arena, sc_laid **out,
                          sc_error *err)
{
    *out = NULL;
    sc_style *st = sc_arena_alloc(arena, sizeof *st);
    sc_block *blk = sc_arena_alloc(arena, sizeof *blk);
    sc_bound *b = sc_arena_alloc(arena, sizeof *b);
    if (!st || !blk || !b)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    st->name = "blank-note";
    st->role = SC_ROLE_BODY;
    st->size = NOTE_SIZE;
    st->align = SC_ALIGN_CENTER;
    st->leading = 1.3;
    st->fill = -1;
    st->color = NOTE_GRAY;
    /* the note in the middle of the page: the top margin down to it
     * (layout drops space at the top of a page) */
    double margin = 42.5; /* 15mm */
    b->page_w = page_w;
    b->page_h = page_h;
    b->margin[0] = page_h / 2 - NOTE_SIZE;
    b->margin[1] = b->margin[2] = b->margin[3] = margin;
    b->header_y = b->footer_y = margin / 2;
    blk[0].kind = SC_BLK_PARA;
    blk[0].style = st;
    blk[0].text = sc_text_traditional(lang) ? "此頁無正文" : "此页无正文";
    b->body = blk;
    b->nbody = 1;
    b->label = "blank page";
    b->lang = lang;
    /* the note's faces may lack it only in a broken font map: draw a
     * marker rather than fail a book for it */
    b->allow_missing = 1;
    return sc_layout(b, sc_fonts_for_lang(fonts, lang), arena, out, err);
}
