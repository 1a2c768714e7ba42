/* layout.c -- a bound record (blocks) to pages of positioned items.
 *
 * Flow.  Body blocks are stacked top to bottom in the content box (page
 * minus margins).  A paragraph is broken into lines by text.c and its lines
 * may continue on the next page; each line is cut into runs of one face,
 * one text item per run.  The baseline sits where the glyph box of the
 * role's CJK face (the face that draws 中), centred in the line box,
 * puts it: mixed Latin/CJK lines then share one baseline and look even.
 * SPACE blocks vanish at the top of a page, PAGEBREAK starts a page (not
 * a blank one), keep_together blocks are measured (laid out on a scratch
 * page of unlimited height) and moved to a new page when they do not fit
 * in what is left but do fit on an empty page.
 *
 * Tables are the subtle part.  First an occupancy grid is built, so that
 * rowspans follow HTML: a cell covering rows below makes those rows omit
 * a cell in that column; every cell gets its (row, col, rowspan, colspan)
 * and its x range from the column widths (fixed points first, the rest
 * shared by weight).  Row heights: the max of the single-row cells and
 * min_height; a spanning cell that needs more than its rows give grows the
 * last row it spans (that keeps the extra space below the earlier rows,
 * where a category label centred in the merged cell does not mind).
 *
 * Pagination works on chunks of rows that must stay together: one row,
 * plus the TOTAL rows right after it (a total row never starts a page
 * alone) and the rows after it that do not use the header's columns --
 * rows with no cell exactly under a header cell, such as 最终得分 or 评语
 * spanning the KPI columns: they mean nothing alone at the top of a page.
 * A page part of the table is: the leading HEADER rows, then as many
 * chunks as fit.  A part is only started if its header and first chunk
 * fit; otherwise the table moves to the next page, so a header never sits
 * alone at a page bottom.  A part holding only rows that do not use the
 * header's columns (a chunk longer than a page, taken row by row) is
 * drawn without the header: it would label nothing.
 *
 * Rows are never split, except a row taller than a page.  A dry run of
 * the pagination finds where such a row falls; the table is rebuilt with
 * it cut into pieces, the first as tall as what is left on that page (if
 * a line of each cell fits there), the others a page at most, each cell's
 * lines divided between them as they were broken for the whole cell.
 * Cells that fit the first piece (序号, 指标, 得分) and merged cells span
 * all the pieces instead, so they show on every page the row reaches.
 * Rowspans do not constrain breaking: each page part draws every cell
 * that overlaps its rows, clipped to them, so a merged category cut by a
 * page break shows its text on both pages, each part framed as a cell of
 * its own; a part too short for such a text grows its last row (what
 * part_height adds).  Nothing is drawn outside its cell or the page:
 * what cannot be laid out -- a merged cell or a single line taller than a
 * page, padding wider than its column, a running header that runs into
 * the body -- fails the record with SC_ERR_LAYOUT naming the template
 * line (block field), the cell and its text.
 *
 * Drawing order per table part: fills, then text / images / signing
 * lines, then the grid.  The grid is collected as edges of every cell's
 * visible rectangle (so merged cells have no interior lines), duplicates
 * dropped and collinear touching edges joined before they are emitted.
 *
 * Fitting.  A template may let vertical spacing shrink to save a page
 * (<page min-spacing>, sc_bound.min_spacing): lay_fit tries the body at
 * natural and at the least spacing, counting pages only, and keeps the
 * largest spacing that saves the page (L->sq scales line gaps, vertical
 * cell padding, paragraph spacing and SPACE blocks; never text, widths,
 * min-heights or images).  Text is broken once per record (bcache).
 *
 * Header and footer blocks are laid out last, on each page, with SC_PH_PAGE
 * and SC_PH_PAGES replaced by the page number and count.  If body text
 * uses SC_PH_PAGES, the body is laid out twice (the first pass counts).
 */
#include "internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define EPS 0.01
#define BORDER_LW 0.5
#define SIGN_LW 0.5
#define SIGN_MIN 36.0      /* shortest signing line after a label, pt */
#define IMAGE_ASPECT 2.5   /* width / height of an image too thin to place */

static const sc_style default_style = {
    "default", SC_ROLE_BODY, 10.5, 0, SC_ALIGN_LEFT, SC_VALIGN_TOP,
    {2, 3, 2, 3}, 1.35, -1, 0, 0, 0};

/* Lines of a text broken at a width, kept for the record's other layout
 * passes (fitting, measuring, the page count): breaking does not depend
 * on where the text lands, and it is most of a pass. */
typedef struct broken {
    const char *text;   /* the string laid out (pointer identity) */
    const sc_style *st;
    double w;
    unsigned flags;
    sc_line *lines;     /* in the arena */
    size_t n;
} broken;

typedef struct bcache {
    broken *v;          /* open addressing, cap a power of two */
    size_t n, cap;
} bcache;

typedef struct lay {
    const sc_bound *b;
    const sc_fonts *f;
    sc_arena *arena;
    sc_error *err;
    sc_page *pages;
    int npages, cap;
    int cur;            /* page receiving items */
    double top, bottom; /* flow area, y */
    double left, right; /* flow area, x */
    double y;           /* cursor */
    int fresh;          /* nothing placed on this page yet */
    int nobreak;        /* header/footer/measuring: never paginate */
    int quiet;          /* measuring: the real pass reports, not this one */
    int total;          /* page count, once known (0: not yet) */
    double sq;          /* vertical spacing factor, 1 = as the template
                           says (shrunk to fit a page: see lay_fit) */
    int count_only;     /* positions only, nothing drawn: fitting passes
                           and measuring */
    bcache *bc;         /* shared by every pass and copy of this lay */
    struct memo *memo;  /* tables measured by an earlier pass (lay_table) */
    int uses_total;     /* body text contains SC_PH_PAGES */
    struct {
        int kind;
        const char *text;
    } warned[32]; /* texts already reported (kind 0 forced, 1 lone) */
    int nwarned;
    /* per role: the ascent and descent baseline_offset uses, looked up
     * once (set[role]) instead of for every cell of every pass */
    double asc[SC_ROLE_COUNT], desc[SC_ROLE_COUNT];
    unsigned char metrics_set[SC_ROLE_COUNT];
} lay;

static sc_status nomem(lay *L)
{
    return sc_error_set(L->err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
}

/* ---- pages and items -------------------------------------------------- */

static sc_status new_page(lay *L)
{
    if (L->npages == L->cap) {
        int cap = L->cap ? L->cap * 2 : 4;
        sc_page *p = sc_arena_alloc(L->arena, (size_t)cap * sizeof *p);
        if (!p)
            return nomem(L);
        if (L->npages)
            memcpy(p, L->pages, (size_t)L->npages * sizeof *p);
        L->pages = p;
        L->cap = cap;
    }
    memset(&L->pages[L->npages], 0, sizeof L->pages[0]);
    L->cur = L->npages++;
    L->y = L->top;
    L->fresh = 1;
    return SC_OK;
}

/* Append an item to the current page; *idx gets its index (may be NULL). */
static sc_status add_item(lay *L, const sc_item *it, size_t *idx)
{
    if (L->count_only) {
        if (idx)
            *idx = 0;
        return SC_OK;
    }
    sc_page *pg = &L->pages[L->cur];
    if (idx)
        *idx = pg->nitems;
    if (sc_items_push(L->arena, &pg->items, &pg->nitems, &pg->cap, it))
        return nomem(L);
    return SC_OK;
}

static sc_status add_line(lay *L, double x1, double y1, double x2, double y2,
                          double lw)
{
    sc_item it = {0};
    it.kind = SC_IT_LINE;
    it.x = x1;
    it.y = y1;
    it.w = x2 - x1;
    it.h = y2 - y1;
    it.lw = lw;
    return add_item(L, &it, NULL);
}

static sc_status add_rect(lay *L, double x, double y, double w, double h,
                          double gray, size_t *idx)
{
    sc_item it = {0};
    it.kind = SC_IT_RECT;
    it.x = x;
    it.y = y;
    it.w = w;
    it.h = h;
    it.gray = gray;
    return add_item(L, &it, idx);
}

/* ---- text ------------------------------------------------------------- */

static const sc_style *style_or_default(const sc_style *s)
{
    return s ? s : &default_style;
}

/* Line height: the size plus the line gap, the gap shrunk by L->sq. */
static double line_height(const lay *L, const sc_style *st)
{
    double leading = st->leading > 0 ? st->leading : 1.35;
    if (leading > 1)
        leading = 1 + (leading - 1) * L->sq;
    return st->size * leading;
}

/* Top (0) or bottom (2) padding, shrunk by L->sq. */
static double vpad(const lay *L, const sc_style *st, int side)
{
    return st->pad[side] * L->sq;
}

/* A quote of text for messages: its first 40 characters, cut on a
 * character boundary, "…" if there is more. */
static void quote(char *out, size_t n, const char *text)
{
    size_t q = 0, chars = 0, len = strlen(text);
    while (q < len && chars < 40) {
        uint32_t cp;
        size_t k = sc_utf8_decode(text + q, len - q, &cp);
        if (!k || q + k + 4 > n)
            break;
        q += k;
        chars++;
    }
    snprintf(out, n, "%.*s%s", (int)q, text, q < len ? "…" : "");
    for (char *p = out; *p; p++) /* one line in a message */
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
}

/* The record's employee and the field on the error just set. */
static void name_error(lay *L, const char *field)
{
    if (!L->err)
        return;
    if (L->b->label)
        snprintf(L->err->employee, sizeof L->err->employee, "%s", L->b->label);
    if (field)
        snprintf(L->err->field, sizeof L->err->field, "%s", field);
}

/* A block that cannot be laid out: fails the record, naming the
 * template line the block comes from. */
static sc_status block_error(lay *L, const char *field, const char *fmt, ...)
{
    char msg[sizeof L->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sc_error_set(L->err, SC_ERR_LAYOUT, NULL, 0, 0, "%s", msg);
    name_error(L, field);
    return SC_ERR_LAYOUT;
}

/* Baseline offset from the top of a line box of style st. */
static double baseline_offset(lay *L, const sc_style *st)
{
    int role = st->role;
    double asc = 0.88, desc = 0.12; /* no face for the role */
    if (role >= 0 && role < SC_ROLE_COUNT) {
        if (!L->metrics_set[role]) {
            int fi = sc_fonts_pick(L->f, role, 0x4E2D);
            if (fi < 0)
                fi = sc_fonts_pick(L->f, role, 'A');
            const sc_face *fc = fi >= 0 ? sc_fonts_face(L->f, fi) : NULL;
            L->asc[role] = fc ? sc_face_ascent(fc) : asc;
            L->desc[role] = fc ? sc_face_descent(fc) : desc;
            L->metrics_set[role] = 1;
        }
        asc = L->asc[role];
        desc = L->desc[role];
    }
    double lh = line_height(L, st);
    return (lh - (asc + desc) * st->size) / 2 + asc * st->size;
}

/* Replace the page placeholders in s; s itself if it has none. */
static const char *expand(lay *L, const char *s, int body)
{
    if (!s)
        return "";
    if (!strstr(s, "\xEE\x80"))
        return s;
    sc_buf b = {0};
    for (const char *p = s; *p;) {
        if (strncmp(p, SC_PH_PAGE, 3) == 0) {
            sc_buf_printf(&b, "%d", L->cur + 1);
            p += 3;
        } else if (strncmp(p, SC_PH_PAGES, 3) == 0) {
            if (body)
                L->uses_total = 1;
            sc_buf_printf(&b, "%d", L->total > 0 ? L->total : L->npages);
            p += 3;
        } else {
            sc_buf_append(&b, p, 1);
            p++;
        }
    }
    const char *r = b.oom ? NULL : sc_arena_strdup(L->arena, b.data ? b.data : "");
    sc_buf_free(&b);
    return r;
}

static sc_status missing_glyph(lay *L, int role, const char *field,
                               const char *s, size_t n)
{
    uint32_t cp = 0xFFFD;
    size_t used = n ? sc_utf8_decode(s, n, &cp) : 0;
    sc_error_set(L->err, SC_ERR_FONT, NULL, 0, 0,
                 "character U+%04X (%.*s) is in no font of role %s; install "
                 "a font that has it or change the text",
                 (unsigned)cp, used ? (int)used : 1, used ? s : "?",
                 sc_role_name(role));
    name_error(L, field);
    return SC_ERR_FONT;
}

/* --allow-missing-glyphs: each character of s[0..n) that no font has is
 * drawn as a visible marker -- a frame of its 1em cell with a small "?" in
 * it -- and reported to the diag callback as a warning naming the record,
 * the field and U+XXXX.  Never tofu, never silent. */
static sc_status missing_marker(lay *L, const sc_style *st, const char *field,
                                double x, double y, const char *s, size_t n)
{
    int qf = sc_fonts_pick(L->f, st->role, '?');
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0xFFFD;
        size_t k = sc_utf8_decode(s + i, n - i, &cp);
        if (!k)
            k = 1;
        double w = sc_text_width(L->f, st->role, st->size, s + i, k);
        if (w > 0) {
            if (L->b->diag && !L->quiet) {
                sc_error e = {0}, *saved = L->err;
                L->err = &e; /* the same message as the error, as a warning */
                missing_glyph(L, st->role, field, s + i, k);
                L->err = saved;
                size_t ml = strlen(e.message);
                snprintf(e.message + ml, sizeof e.message - ml,
                         " (drawn as a marker: --allow-missing-glyphs)");
                L->b->diag(L->b->diag_ud, &e);
            }
            double sz = st->size, top = y - 0.8 * sz, bot = y + 0.1 * sz;
            double l = x + 0.1 * w, r = x + 0.9 * w;
            sc_status rc;
            if ((rc = add_line(L, l, top, r, top, 0.5)) ||
                (rc = add_line(L, l, bot, r, bot, 0.5)) ||
                (rc = add_line(L, l, top, l, bot, 0.5)) ||
                (rc = add_line(L, r, top, r, bot, 0.5)))
                return rc;
            if (qf >= 0) {
                sc_item it = {0};
                it.kind = SC_IT_TEXT;
                it.size = sz * 0.6;
                it.w = sc_text_width(L->f, st->role, it.size, "?", 1);
                it.x = x + (w - it.w) / 2;
                it.y = y - 0.1 * sz;
                it.h = it.size;
                it.face = qf;
                it.role = st->role;
                it.gray = st->color;
                it.text = "?";
                it.len = 1;
                if ((rc = add_item(L, &it, NULL)))
                    return rc;
            }
            x += w;
        }
        i += k;
    }
    return SC_OK;
}

/* Emit s[0..n) at baseline (x, y) as one text item per face run. */
static sc_status emit_runs(lay *L, const sc_style *st, const char *field,
                           double x, double y, const char *s, size_t n)
{
    if (n == 0 || L->count_only)
        return SC_OK;
    sc_run *runs = NULL;
    size_t nruns = 0;
    sc_status rc = sc_text_runs(L->f, st->role, st->size, s, n, &runs, &nruns);
    if (rc != SC_OK)
        return rc == SC_ERR_NOMEM
                   ? nomem(L)
                   : sc_error_set(L->err, rc, NULL, 0, 0,
                                  "cannot split text into font runs");
    for (size_t i = 0; i < nruns && rc == SC_OK; i++) {
        if (runs[i].face < 0 && L->b->allow_missing) {
            rc = missing_marker(L, st, field, x, y, s + runs[i].start,
                                runs[i].len);
            x += runs[i].width;
            continue;
        }
        if (runs[i].face < 0) {
            rc = missing_glyph(L, st->role, field, s + runs[i].start,
                               runs[i].len);
            break;
        }
        sc_item it = {0};
        it.kind = SC_IT_TEXT;
        it.x = x;
        it.y = y;
        it.w = runs[i].width;
        it.h = st->size;
        it.face = runs[i].face;
        it.role = st->role;
        it.size = st->size;
        it.bold = st->bold;
        it.gray = st->color;
        it.text = s + runs[i].start;
        it.len = runs[i].len;
        rc = add_item(L, &it, NULL);
        x += runs[i].width;
    }
    sc_free(runs);
    return rc;
}

/* Say `msg` about `text` once per text and kind -- the same cell is
 * measured again on every page it lands on. */
static void warn_once(lay *L, int kind, const char *field, const char *text,
                      const char *fmt, double w)
{
    if (!L->b->diag || L->quiet)
        return;
    for (int i = 0; i < L->nwarned; i++)
        if (L->warned[i].kind == kind && !strcmp(L->warned[i].text, text))
            return;
    if (L->nwarned < (int)(sizeof L->warned / sizeof *L->warned)) {
        L->warned[L->nwarned].kind = kind;
        L->warned[L->nwarned++].text = text;
    }
    char q[200];
    quote(q, sizeof q, text);
    sc_error e = {0};
    sc_error_set(&e, SC_ERR_LAYOUT, NULL, 0, 0, fmt, q, w);
    if (L->b->label)
        snprintf(e.employee, sizeof e.employee, "%s", L->b->label);
    if (field)
        snprintf(e.field, sizeof e.field, "%s", field);
    L->b->diag(L->b->diag_ud, &e);
}

/* Break text at width w; lines copied into the arena.  A word or number
 * broken inside (98.5|0), or a last line of one character that the line
 * before could not rebalance (月/季/年/度 in a column one character wide):
 * legal, but never what the template author wanted, so say so. */
static sc_status break_text(lay *L, const sc_style *st, int align,
                            const char *field, const char *text, double w,
                            sc_line **out, size_t *nout)
{
    unsigned flags = align == SC_ALIGN_LEFT || align == SC_ALIGN_JUSTIFY
                         ? SC_BREAK_HANG : 0;
    bcache *bc = L->bc;
    broken *e = NULL;
    if (bc) {
        uint64_t hsh = (uint64_t)(uintptr_t)text ^ (uint64_t)(uintptr_t)st >> 4 ^
                       (uint64_t)(long long)(w * 64) * 2654435761u ^ flags;
        size_t slot = (hsh ^ hsh >> 17) & (bc->cap - 1);
        for (; bc->v[slot].text; slot = (slot + 1) & (bc->cap - 1))
            if (bc->v[slot].text == text && bc->v[slot].st == st &&
                bc->v[slot].w == w && bc->v[slot].flags == flags)
                break;
        e = &bc->v[slot];
    }
    if (e && e->text) {
        *out = e->lines;
        *nout = e->n;
    } else {
        sc_line *lines = NULL;
        size_t n = 0;
        sc_status rc = sc_text_break(L->f, st->role, st->size, text,
                                     w > 1 ? w : 1, flags, &lines, &n);
        if (rc != SC_OK)
            return rc == SC_ERR_NOMEM
                       ? nomem(L)
                       : sc_error_set(L->err, rc, NULL, 0, 0,
                                      "cannot break text into lines");
        *out = sc_arena_alloc(L->arena, (n ? n : 1) * sizeof **out);
        if (!*out) {
            sc_free(lines);
            return nomem(L);
        }
        if (n)
            memcpy(*out, lines, n * sizeof *lines);
        *nout = n;
        sc_free(lines);
        if (e && bc->n * 2 < bc->cap) { /* half full: cache no more */
            *e = (broken){text, st, w, flags, *out, n};
            bc->n++;
        }
    }
    /* warned once per text, by the pass that is not quiet */
    int forced = 0, lone = 0;
    for (size_t i = 0; i < *nout; i++) {
        forced |= (*out)[i].forced;
        lone |= (*out)[i].lone;
    }
    if (forced)
        warn_once(L, 0, field, text,
                  "\"%s\" does not fit its %.1f pt: a word or number was "
                  "broken inside; widen the column or shorten the text", w);
    if (lone)
        warn_once(L, 1, field, text,
                  "\"%s\" ends with a line of a single character that "
                  "cannot be rebalanced in its %.1f pt; widen the column or "
                  "shorten the text", w);
    return SC_OK;
}

static double align_x(int align, double x, double w, double lw)
{
    if (align == SC_ALIGN_CENTER)
        return x + (w - lw) / 2;
    if (align == SC_ALIGN_RIGHT)
        return x + w - lw;
    return x; /* left, and justify (treated as left) */
}

/* ---- paragraphs ------------------------------------------------------- */

static sc_status lay_para(lay *L, const sc_block *blk)
{
    const sc_style *st = style_or_default(blk->style);
    const char *text = expand(L, blk->text, !L->nobreak);
    if (!text)
        return nomem(L);
    if (!L->fresh)
        L->y += st->space_before * L->sq;
    double x = L->left + st->pad[3];
    double w = (L->right - L->left) - st->pad[1] - st->pad[3];
    sc_line *lines;
    size_t n;
    char q[200];
    if (w < 1 && text[0]) {
        quote(q, sizeof q, text);
        return block_error(L, blk->field, "\"%s\" cannot be set in the "
                           "%.1f pt its padding leaves; reduce the padding",
                           q, w);
    }
    sc_status rc = break_text(L, st, st->align, blk->field, text, w, &lines,
                              &n);
    if (rc != SC_OK)
        return rc;
    double lh = line_height(L, st), bo = baseline_offset(L, st);
    if (!L->nobreak && lh + vpad(L, st, 0) > L->bottom - L->top + EPS) {
        quote(q, sizeof q, text);
        return block_error(L, blk->field, "a line of \"%s\" is %.1f pt "
                           "tall, more than a page holds (%.1f pt); reduce "
                           "the size or leading", q, lh + vpad(L, st, 0),
                           L->bottom - L->top);
    }
    for (size_t i = 0; i < n; i++)
        if (lines[i].indent + lines[i].width > w + EPS) {
            quote(q, sizeof q, text);
            return block_error(L, blk->field, "\"%s\" cannot be set in "
                               "the %.1f pt its padding leaves; reduce the "
                               "padding", q, w);
        }
    int fill = st->fill >= 0 && st->fill < 1 && !L->count_only;
    size_t rect = 0;
    double seg_top = L->y;
    if (fill && (rc = add_rect(L, L->left, L->y, L->right - L->left, 0,
                               st->fill, &rect)) != SC_OK)
        return rc;
    L->y += vpad(L, st, 0);
    for (size_t i = 0; i < n; i++) {
        if (!L->nobreak && L->y + lh > L->bottom + EPS && !L->fresh) {
            if (fill)
                L->pages[L->cur].items[rect].h = L->y - seg_top;
            if ((rc = new_page(L)) != SC_OK)
                return rc;
            seg_top = L->y;
            if (fill && (rc = add_rect(L, L->left, L->y, L->right - L->left,
                                       0, st->fill, &rect)) != SC_OK)
                return rc;
        }
        double lx = align_x(st->align, x + lines[i].indent,
                            w - lines[i].indent, lines[i].width);
        rc = emit_runs(L, st, blk->field, lx, L->y + bo,
                       text + lines[i].start, lines[i].len);
        if (rc != SC_OK)
            return rc;
        L->y += lh;
        L->fresh = 0;
    }
    L->y += vpad(L, st, 2);
    if (fill)
        L->pages[L->cur].items[rect].h = L->y - seg_top;
    L->y += st->space_after * L->sq;
    L->fresh = 0;
    return SC_OK;
}

/* ---- images ----------------------------------------------------------- */

/* Width / height of a checked image (image.c); IMAGE_ASPECT for an image
 * too thin to place as it is. */
static double image_aspect(const sc_image *im)
{
    double w = im->width, h = im->height;
    if (w <= 0 || h <= 0 || w / h > 50 || h / w > 50)
        return IMAGE_ASPECT;
    return w / h;
}

/* ---- tables ----------------------------------------------------------- */

typedef struct pcell {
    const sc_cell *cell;
    const sc_style *st;
    const char *text;
    int r, c, rs, cs;
    double x, w;        /* horizontal extent */
    sc_line *lines;
    size_t nlines;
    double lh, bo;      /* line height, baseline offset */
    double pt, pb;      /* top and bottom padding */
    double need;        /* content height incl. padding */
    double img_w, img_h; /* image size, if image */
} pcell;

typedef struct edge {
    double x1, y1, x2, y2; /* horizontal: y1 == y2, vertical: x1 == x2 */
} edge;

typedef struct table {
    const sc_block *blk;
    pcell *cells;
    int ncells;
    double *colx, *colw;
    double *h;   /* row heights */
    double *ry;  /* row top y in the current part */
    int nh;      /* leading header rows */
    double hh;   /* their height */
    unsigned char *uses; /* body row r has a cell under a header cell */
    int *spans;  /* indices of the cells that span rows */
    int nspans;
    double *grow; /* scratch: per row, what a page part adds */
    edge *edges;
    int nedges, capedges;
    int *enext;  /* per edge: the next edge whose start is in its bucket */
    int *ehead;  /* nbuckets (a power of two) chains by start point, -1 */
    int nbuckets;
} table;

static sc_status col_widths(lay *L, const sc_block *blk, double x0,
                            double width, table *T)
{
    int nc = blk->ncols;
    T->colx = sc_arena_alloc(L->arena, (size_t)(nc + 1) * sizeof(double));
    T->colw = sc_arena_alloc(L->arena, (size_t)nc * sizeof(double));
    if (!T->colx || !T->colw)
        return nomem(L);
    double fixed = 0, weight = 0;
    int nweighted = 0;
    for (int i = 0; i < nc; i++) {
        if (blk->cols && blk->cols[i].fixed > 0) {
            fixed += blk->cols[i].fixed;
        } else {
            nweighted++;
            weight += blk->cols && blk->cols[i].weight > 0
                          ? blk->cols[i].weight : 1;
        }
    }
    double rest = width - fixed;
    if (rest < -EPS || (nweighted && rest < nweighted * 4.0)) {
        sc_error_set(L->err, SC_ERR_LAYOUT, NULL, 0, 0,
                     "the table's fixed column widths (%.1f pt) leave no "
                     "room in the %.1f pt content width; reduce them",
                     fixed, width);
        if (L->err && blk->field)
            snprintf(L->err->field, sizeof L->err->field, "%s", blk->field);
        return SC_ERR_LAYOUT;
    }
    double x = x0;
    for (int i = 0; i < nc; i++) {
        double w;
        if (blk->cols && blk->cols[i].fixed > 0)
            w = blk->cols[i].fixed;
        else
            w = rest * (blk->cols && blk->cols[i].weight > 0
                            ? blk->cols[i].weight : 1) / weight;
        T->colx[i] = x;
        T->colw[i] = w;
        x += w;
    }
    T->colx[nc] = x;
    return SC_OK;
}

static sc_status layout_error(lay *L, const sc_block *blk, const char *msg,
                              int a, int b)
{
    sc_error_set(L->err, SC_ERR_LAYOUT, NULL, 0, 0, msg, a, b);
    name_error(L, blk->field);
    return SC_ERR_LAYOUT;
}

/* Occupancy grid -> placed cells with clamped spans. */
static sc_status place_cells(lay *L, const sc_block *blk, table *T)
{
    int nr = blk->nrows, nc = blk->ncols, total = 0;
    for (int r = 0; r < nr; r++)
        total += blk->rows[r].ncells;
    T->cells = sc_arena_alloc(L->arena, (size_t)(total ? total : 1) *
                                            sizeof *T->cells);
    unsigned char *occ = sc_arena_alloc(L->arena, (size_t)(nr ? nr : 1) *
                                                      (size_t)nc);
    if (!T->cells || !occ)
        return nomem(L);
    T->nh = 0;
    while (T->nh < nr && blk->rows[T->nh].kind == SC_ROW_HEADER)
        T->nh++;
    for (int r = 0; r < nr; r++) {
        int c = 0;
        /* header cells stay in the header, the others out of it */
        int limit = r < T->nh ? T->nh : nr;
        for (int k = 0; k < blk->rows[r].ncells; k++) {
            while (c < nc && occ[(size_t)r * nc + c])
                c++;
            if (c >= nc)
                return layout_error(L, blk,
                                    "table row %d has more cells than its "
                                    "%d columns (count colspans and the "
                                    "rowspans from rows above)",
                                    r + 1, nc);
            const sc_cell *cell = &blk->rows[r].cells[k];
            int cs = cell->colspan > 1 ? cell->colspan : 1;
            int rs = cell->rowspan > 1 ? cell->rowspan : 1;
            if (cs > nc - c)
                cs = nc - c;
            if (rs > limit - r)
                rs = limit - r;
            for (int i = 0; i < cs; i++) /* stop at a cell already there */
                if (occ[(size_t)r * nc + c + i]) {
                    cs = i;
                    break;
                }
            for (int rr = r; rr < r + rs; rr++)
                for (int cc = c; cc < c + cs; cc++)
                    occ[(size_t)rr * nc + cc] = 1;
            pcell *pc = &T->cells[T->ncells++];
            pc->cell = cell;
            pc->st = style_or_default(cell->style ? cell->style : blk->style);
            pc->r = r;
            pc->c = c;
            pc->rs = rs;
            pc->cs = cs;
            pc->x = T->colx[c];
            pc->w = T->colx[c + cs] - T->colx[c];
            c += cs;
        }
    }
    return SC_OK;
}

/* A cell that cannot be laid out: fails the record, naming the table's
 * template line, the cell and the start of its text. */
static sc_status cell_error(lay *L, const table *T, const pcell *pc,
                            const char *what)
{
    char q[200];
    quote(q, sizeof q, pc->text ? pc->text : "");
    return block_error(L, T->blk->field, "%s (table row %d, column %d: "
                       "\"%s\")", what, pc->r + 1, pc->c + 1, q);
}

/* Nothing may be drawn outside its cell: padding that leaves no room, or
 * a character wider than the room left, cannot be set. */
static sc_status too_narrow(lay *L, const table *T, const pcell *pc, double iw)
{
    char what[160];
    snprintf(what, sizeof what, "the cell is %.1f pt wide and its "
             "padding leaves %.1f pt, too narrow for its content; "
             "reduce the padding or widen the column", pc->w, iw);
    return cell_error(L, T, pc, what);
}

static sc_status measure_cell(lay *L, const table *T, pcell *pc)
{
    const sc_style *st = pc->st;
    double iw = pc->w - st->pad[1] - st->pad[3];
    sc_status rc;
    if (iw < 1 && (pc->cell->text[0] || pc->cell->image || pc->cell->sign_line)) {
        pc->text = pc->cell->text;
        return too_narrow(L, T, pc, iw);
    }
    if (pc->cell->lines) { /* a piece of a row cut by layout */
        pc->text = pc->cell->text;
        pc->lines = (sc_line *)pc->cell->lines;
        pc->nlines = pc->cell->nlines;
    } else {
        pc->text = expand(L, pc->cell->text, !L->nobreak);
        if (!pc->text)
            return nomem(L);
        int align = pc->cell->align >= 0 ? pc->cell->align : st->align;
        rc = break_text(L, st, align, T->blk->field, pc->text, iw,
                        &pc->lines, &pc->nlines);
        if (rc != SC_OK)
            return rc;
    }
    for (size_t i = 0; pc->text[0] && i < pc->nlines; i++)
        if (pc->lines[i].indent + pc->lines[i].width > iw + EPS)
            return too_narrow(L, T, pc, iw);
    if (pc->cell->image && pc->cell->image_h > 0) {
        double h = pc->cell->image_h;
        pc->img_w = h * image_aspect(pc->cell->image);
        if (pc->img_w > iw && iw > 0) { /* too wide: scale down */
            h = h * iw / pc->img_w;
            pc->img_w = iw;
        }
        pc->img_h = h;
    }
    return SC_OK;
}

/* What of a measured cell depends on the vertical spacing (L->sq). */
static void cell_heights(const lay *L, pcell *pc)
{
    const sc_style *st = pc->st;
    pc->lh = line_height(L, st);
    pc->bo = baseline_offset((lay *)L, st);
    pc->pt = vpad(L, st, 0);
    pc->pb = vpad(L, st, 2);
    double content = pc->text[0] ? pc->lh * (double)pc->nlines : 0;
    if (!pc->text[0] && !pc->cell->image)
        content = pc->lh; /* an empty cell is one line tall */
    if (pc->cell->image && pc->cell->image_h > 0)
        content += pc->img_h;
    pc->need = content + pc->pt + pc->pb;
}

/* The tables of a record measured in an earlier pass: where their cells
 * are and how their texts break depends on the table and the width it is
 * laid in, not on the vertical spacing a fitting pass tries or on where
 * the table lands, so the record's later passes only redo the heights
 * (cell_heights).  A table with a page number in a cell is measured
 * again in every pass.  Only a pass that reports (not quiet) and breaks
 * pages adds one -- its warnings are the table's -- but measuring a
 * kept-together table (measure: quiet, no breaks) uses it, so later
 * fitting passes do not measure such a table again. */
typedef struct memo_entry {
    const sc_block *blk;
    double left, right;
    pcell *cells;
    int ncells, nh;
    double *colx, *colw;
} memo_entry;

typedef struct memo {
    memo_entry *v;
    int n, cap;
} memo;

static const memo_entry *memo_find(const lay *L, const sc_block *blk)
{
    if (!L->memo || (L->nobreak && !L->quiet)) /* header and footer */
        return NULL;
    for (int i = 0; i < L->memo->n; i++) {
        const memo_entry *e = &L->memo->v[i];
        if (e->blk == blk && e->left == L->left && e->right == L->right)
            return e;
    }
    return NULL;
}

/* Kept in the arena: a failure to keep one only costs a later pass. */
static void memo_add(lay *L, const table *T)
{
    memo *m = L->memo;
    if (!m || L->nobreak)
        return;
    if (m->n == m->cap) {
        int cap = m->cap ? 2 * m->cap : 16;
        memo_entry *v = sc_arena_alloc(L->arena, (size_t)cap * sizeof *v);
        if (!v)
            return;
        if (m->n)
            memcpy(v, m->v, (size_t)m->n * sizeof *v);
        m->v = v;
        m->cap = cap;
    }
    m->v[m->n++] = (memo_entry){T->blk, L->left, L->right, T->cells,
                                T->ncells, T->nh, T->colx, T->colw};
}

/* Row heights: the tallest single-row cell, at least min_height (but
 * never more than `cap`, what a page holds under the header), then the
 * spanning cells' needs. */
static void row_heights(const sc_block *blk, table *T, double cap)
{
    for (int r = 0; r < blk->nrows; r++) {
        double m = blk->rows[r].min_height;
        T->h[r] = m > 0 ? (m < cap ? m : cap) : 0;
    }
    for (int i = 0; i < T->ncells; i++)
        if (T->cells[i].rs == 1 && T->cells[i].need > T->h[T->cells[i].r])
            T->h[T->cells[i].r] = T->cells[i].need;
    /* spanning cells, shortest spans first so nested groups settle */
    int maxrs = 1;
    for (int i = 0; i < T->ncells; i++)
        if (T->cells[i].rs > maxrs)
            maxrs = T->cells[i].rs;
    for (int span = 2; span <= maxrs; span++)
        for (int i = 0; i < T->ncells; i++) {
            const pcell *pc = &T->cells[i];
            if (pc->rs != span)
                continue;
            double have = 0;
            for (int r = pc->r; r < pc->r + pc->rs; r++)
                have += T->h[r];
            if (pc->need > have)
                T->h[pc->r + pc->rs - 1] += pc->need - have;
        }
}

/* Edges are found by their start point: a grid of buckets 2 EPS wide,
 * hashed.  A point within EPS of (x, y) lies in the bucket of (x, y) or,
 * on each axis, in the one neighbour on the side that (x, y) is nearer
 * to (both, when it is about halfway): looking at those 2x2 (at most 3x3)
 * buckets finds every edge that starts within EPS of it -- the same
 * answers as comparing with every edge, without the quadratic cost (a
 * one-page KPI table has some 600 edges). */
static unsigned edge_bucket(const table *T, long long bx, long long by)
{
    uint64_t h = (uint64_t)bx * 0x9E3779B97F4A7C15u ^
                 (uint64_t)by * 0xC2B2AE3D27D4EB4Fu;
    return (unsigned)(h >> 32) & (unsigned)(T->nbuckets - 1);
}

static long long edge_cell(double v) { return (long long)floor(v / (2 * EPS)); }

static void edge_link(table *T, int i)
{
    unsigned b = edge_bucket(T, edge_cell(T->edges[i].x1),
                             edge_cell(T->edges[i].y1));
    T->enext[i] = T->ehead[b];
    T->ehead[b] = i;
}

static void edge_unlink(table *T, int i)
{
    unsigned b = edge_bucket(T, edge_cell(T->edges[i].x1),
                             edge_cell(T->edges[i].y1));
    int *p = &T->ehead[b];
    while (*p != i)
        p = &T->enext[*p];
    *p = T->enext[i];
}

/* The buckets [*lo, *hi] on one axis that hold every point within EPS of
 * v.  The margin covers rounding in the division; a point exactly EPS
 * away is not "within", so one bucket each side at most. */
static void edge_span(double v, long long *lo, long long *hi)
{
    double u = v / (2 * EPS), c = floor(u), f = u - c;
    *lo = (long long)c - (f < 0.5 + 1e-6);
    *hi = (long long)c + (f > 0.5 - 1e-6);
}

/* Calls fn(T, k, ud) for every edge k that may start within EPS of
 * (x, y) (perhaps twice, never missing one); stops when fn returns 1. */
static inline void edges_near(const table *T, double x, double y,
                              int (*fn)(const table *, int, void *), void *ud)
{
    long long x0, x1, y0, y1;
    edge_span(x, &x0, &x1);
    edge_span(y, &y0, &y1);
    for (long long bx = x0; bx <= x1; bx++)
        for (long long by = y0; by <= y1; by++)
            for (int k = T->ehead[edge_bucket(T, bx, by)]; k >= 0;
                 k = T->enext[k])
                if (fn(T, k, ud))
                    return;
}

typedef struct probe {
    edge e;
    int found;
} probe;

static int same_edge(const table *T, int k, void *ud)
{
    probe *p = ud;
    const edge *e = &T->edges[k];
    p->found = fabs(e->x1 - p->e.x1) < EPS && fabs(e->y1 - p->e.y1) < EPS &&
               fabs(e->x2 - p->e.x2) < EPS && fabs(e->y2 - p->e.y2) < EPS;
    return p->found;
}

static sc_status add_edge(lay *L, table *T, double x1, double y1, double x2,
                          double y2)
{
    edge n = {x1, y1, x2, y2};
    if (T->nedges == T->capedges) {
        int cap = T->capedges ? T->capedges * 2 : 64;
        edge *e = sc_realloc(T->edges, (size_t)cap * sizeof *e);
        if (e)
            T->edges = e;
        int *nx = e ? sc_realloc(T->enext, (size_t)cap * sizeof *nx) : NULL;
        if (nx)
            T->enext = nx;
        int *hd = nx ? sc_realloc(T->ehead, (size_t)cap * 2 * sizeof *hd) : NULL;
        if (!hd)
            return nomem(L);
        T->ehead = hd;
        T->capedges = cap;
        T->nbuckets = cap * 2;
        for (int b = 0; b < T->nbuckets; b++)
            T->ehead[b] = -1;
        for (int k = 0; k < T->nedges; k++)
            edge_link(T, k);
    }
    probe p = {n, 0}; /* the same edge from the cell beside: drawn once */
    if (T->nedges)
        edges_near(T, x1, y1, same_edge, &p);
    if (p.found)
        return SC_OK;
    T->edges[T->nedges] = n;
    edge_link(T, T->nedges++);
    return SC_OK;
}

/* Can edge b continue edge a (same line, b starts where a ends)? */
static int joins(const edge *a, const edge *b)
{
    return (fabs(a->y1 - a->y2) < EPS && fabs(b->y1 - b->y2) < EPS &&
            fabs(a->y1 - b->y1) < EPS && fabs(a->x2 - b->x1) < EPS) ||
           (fabs(a->x1 - a->x2) < EPS && fabs(b->x1 - b->x2) < EPS &&
            fabs(a->x1 - b->x1) < EPS && fabs(a->y2 - b->y1) < EPS);
}

/* Extend a over b, which continues it. */
static void join_edge(edge *a, const edge *b)
{
    if (fabs(a->y1 - a->y2) < EPS && fabs(b->y1 - b->y2) < EPS &&
        fabs(a->y1 - b->y1) < EPS && fabs(a->x2 - b->x1) < EPS)
        a->x2 = b->x2;
    else
        a->y2 = b->y2;
}

typedef struct cont {
    int i, best;
} cont;

static int lower_continuation(const table *T, int k, void *ud)
{
    cont *c = ud;
    if (k != c->i && (c->best < 0 || k < c->best) &&
        joins(&T->edges[c->i], &T->edges[k]))
        c->best = k;
    return 0;
}

/* Join collinear touching edges, emit them as lines, forget them.
 *
 * The order of the lines is part of the layout dump, so this keeps the
 * order the original "find the first joinable pair (i, j), join j into
 * i, move the last edge into slot j, start over" loop produced, without
 * its cubic cost (it was ~17-30% of a batch).  That loop always works on
 * the lowest index i that has a continuation.  Joining never gives an
 * edge a new continuation (start points only disappear), so the only
 * edge before i that can have one afterwards is the one moved into slot
 * j when j < i (edge i itself, if it was the last).  Hence: look for the
 * lowest continuation of edge i; join it and go on from min(i, j);
 * without one, go on with i + 1.  A continuation starts where edge i
 * ends: it is looked up by that point (edges_near), not searched for. */
static sc_status flush_edges(lay *L, table *T)
{
    edge *e = T->edges;
    int i = 0;
    while (i < T->nedges) {
        /* a horizontal continuation starts at (x2, y1), a vertical one at
         * (x1, y2); an edge that is not horizontal (vertical) has none of
         * that kind (joins), so its point is not looked at */
        cont c = {i, -1};
        if (fabs(e[i].y1 - e[i].y2) < EPS)
            edges_near(T, e[i].x2, e[i].y1, lower_continuation, &c);
        if (fabs(e[i].x1 - e[i].x2) < EPS)
            edges_near(T, e[i].x1, e[i].y2, lower_continuation, &c);
        int j = c.best;
        if (j < 0) {
            i++;
            continue;
        }
        join_edge(&e[i], &e[j]);
        edge_unlink(T, j);
        int last = --T->nedges;
        if (j != last) {
            edge_unlink(T, last);
            e[j] = e[last];
            edge_link(T, j);
        }
        if (j < i)
            i = j;
    }
    sc_status rc = SC_OK;
    for (int k = 0; k < T->nedges && rc == SC_OK; k++)
        rc = add_line(L, e[k].x1, e[k].y1, e[k].x2, e[k].y2, BORDER_LW);
    T->nedges = 0;
    for (int b = 0; b < T->nbuckets; b++)
        T->ehead[b] = -1;
    return rc;
}

/* Draw the contents of one cell in its visible rectangle. */
static sc_status draw_cell(lay *L, const table *T, const pcell *pc, double x,
                           double y, double w, double h)
{
    const sc_style *st = pc->st;
    int align = pc->cell->align >= 0 ? pc->cell->align : st->align;
    double ix = x + st->pad[3], iw = w - st->pad[1] - st->pad[3];
    double text_h = pc->text[0] ? pc->lh * (double)pc->nlines : 0;
    double img_h = pc->img_h;
    double content = text_h + img_h;
    double avail = h - pc->pt - pc->pb;
    double ty = y + pc->pt;
    if (st->valign == SC_VALIGN_MIDDLE && avail > content)
        ty += (avail - content) / 2;
    else if (st->valign == SC_VALIGN_BOTTOM && avail > content)
        ty += avail - content;
    sc_status rc = SC_OK;
    double last_end = ix;
    if (pc->text[0])
        for (size_t i = 0; i < pc->nlines && rc == SC_OK; i++) {
            double lx = align_x(align, ix + pc->lines[i].indent,
                                iw - pc->lines[i].indent, pc->lines[i].width);
            rc = emit_runs(L, st, T->blk->field, lx,
                           ty + (double)i * pc->lh + pc->bo,
                           pc->text + pc->lines[i].start, pc->lines[i].len);
            last_end = lx + pc->lines[i].width;
        }
    if (rc != SC_OK)
        return rc;
    if (img_h > 0) {
        sc_item it = {0};
        it.kind = SC_IT_IMAGE;
        it.x = align_x(align, ix, iw, pc->img_w);
        it.y = ty + text_h;
        it.w = pc->img_w;
        it.h = img_h;
        it.image = pc->cell->image;
        if ((rc = add_item(L, &it, NULL)) != SC_OK)
            return rc;
    }
    /* The signature box: where the line (or the scanned signature) is,
     * over the cell's whole height, so a signature drawn there in a PDF
     * reader has the room a pen would have. */
    double bx = ix, bw = iw;
    if (pc->cell->sign_line) {
        double right = ix + iw;
        if (pc->text[0] && right - (last_end + 4) >= SIGN_MIN) {
            /* after the label, just under the last line's baseline */
            double by = ty + (double)(pc->nlines - 1) * pc->lh + pc->bo + 2;
            rc = add_line(L, last_end + 4, by, right, by, SIGN_LW);
            bx = last_end + 4;
            bw = right - bx;
        } else {
            double by = y + h - pc->pb;
            rc = add_line(L, ix, by, right, by, SIGN_LW);
        }
    }
    if (rc == SC_OK && pc->cell->sign_field && bw > 0) {
        sc_item it = {0};
        it.kind = SC_IT_SIGN;
        it.x = bx;
        it.y = y;
        it.w = bw;
        it.h = h;
        it.text = pc->cell->sign_field;
        it.len = strlen(it.text);
        it.required = pc->cell->sign_required;
        rc = add_item(L, &it, NULL);
    }
    return rc;
}

/* Draw rows [a, b) whose tops are T->ry[]; phase 0 fills, 1 contents,
 * 2 grid edges. */
static sc_status draw_rows(lay *L, table *T, int a, int b, int phase)
{
    for (int i = 0; i < T->ncells; i++) {
        const pcell *pc = &T->cells[i];
        int v0 = pc->r > a ? pc->r : a;
        int v1 = pc->r + pc->rs < b ? pc->r + pc->rs : b;
        if (v0 >= v1)
            continue;
        double y = T->ry[v0], h = 0;
        for (int r = v0; r < v1; r++)
            h += T->h[r];
        sc_status rc = SC_OK;
        if (phase == 0) {
            if (pc->st->fill >= 0 && pc->st->fill < 1)
                rc = add_rect(L, pc->x, y, pc->w, h, pc->st->fill, NULL);
        } else if (phase == 1) {
            rc = draw_cell(L, T, pc, pc->x, y, pc->w, h);
        } else if (T->blk->borders && !pc->cell->no_border) {
            double x1 = pc->x, x2 = pc->x + pc->w, y2 = y + h;
            if ((rc = add_edge(L, T, x1, y, x2, y)) == SC_OK &&
                (rc = add_edge(L, T, x1, y2, x2, y2)) == SC_OK &&
                (rc = add_edge(L, T, x1, y, x1, y2)) == SC_OK)
                rc = add_edge(L, T, x2, y, x2, y2);
        }
        if (rc != SC_OK)
            return rc;
    }
    return SC_OK;
}

/* One page part: the header rows at y if `header`, then body rows
 * [r0, r1). */
static sc_status draw_part(lay *L, table *T, double y, int header, int r0,
                           int r1)
{
    for (int r = 0; r < T->nh; r++) {
        T->ry[r] = y;
        y += header ? T->h[r] : 0;
    }
    for (int r = r0; r < r1; r++) {
        T->ry[r] = y;
        y += T->h[r];
    }
    for (int phase = 0; phase < 3; phase++) {
        sc_status rc = header ? draw_rows(L, T, 0, T->nh, phase) : SC_OK;
        if (rc == SC_OK && r1 > r0)
            rc = draw_rows(L, T, r0, r1, phase);
        if (rc != SC_OK)
            return rc;
    }
    return flush_edges(L, T);
}

/* Which body rows sit under the header's columns: those with a cell
 * exactly under a cell of the last header row.  A row that only spans
 * them (最终得分, 评语 across the KPI columns) does not, and neither
 * brings the header to a new page nor starts one alone (chunk_end). */
static void mark_uses(const sc_block *blk, table *T)
{
    for (int r = T->nh; r < blk->nrows; r++)
        T->uses[r] = T->nh == 0;
    if (T->nh == 0)
        return;
    int nhc = 0; /* cells are in row order: the header's come first */
    while (nhc < T->ncells && T->cells[nhc].r < T->nh)
        nhc++;
    for (int i = nhc; i < T->ncells; i++) {
        const pcell *pc = &T->cells[i];
        for (int j = 0; j < nhc && !T->uses[pc->r]; j++) {
            const pcell *hc = &T->cells[j];
            if (hc->r + hc->rs == T->nh && hc->c == pc->c && hc->cs == pc->cs)
                T->uses[pc->r] = 1;
        }
    }
}

/* End (exclusive) of the chunk starting at row r: rows that must not
 * start a page part: r plus the TOTAL rows after it and the rows after
 * it that do not use the header's columns. */
static int chunk_end(const sc_block *blk, const table *T, int r)
{
    int k = r + 1;
    while (k < blk->nrows &&
           (blk->rows[k].kind == SC_ROW_TOTAL || !T->uses[k]))
        k++;
    return k;
}

/* Height of body rows [r0, r1) as a page part: a cell spanning rows that
 * the part cuts is drawn in the part with all its text, so the part's
 * last row in its span grows until it holds it (T->grow, per row). */
static double part_height(table *T, int r0, int r1)
{
    double sum = 0;
    for (int r = r0; r < r1; r++) {
        T->grow[r] = 0;
        sum += T->h[r];
    }
    for (int i = 0; i < T->nspans; i++) {
        const pcell *pc = &T->cells[T->spans[i]];
        int v0 = pc->r > r0 ? pc->r : r0;
        int v1 = pc->r + pc->rs < r1 ? pc->r + pc->rs : r1;
        if (v0 >= v1 || (pc->r >= r0 && pc->r + pc->rs <= r1))
            continue; /* not in the part, or whole in it */
        double vis = 0;
        for (int r = v0; r < v1; r++)
            vis += T->h[r] + T->grow[r];
        if (pc->need > vis + EPS) {
            T->grow[v1 - 1] += pc->need - vis;
            sum += pc->need - vis;
        }
    }
    return sum;
}

static int any_uses(const table *T, int r0, int r1)
{
    for (int r = r0; r < r1; r++)
        if (T->uses[r])
            return 1;
    return 0;
}

/* The least height worth starting body row r with on a page when it is
 * cut: a line of each of its cells, and its merged cells whole. */
static double min_piece(const table *T, int r)
{
    double m = 0;
    for (int i = 0; i < T->ncells; i++) {
        const pcell *pc = &T->cells[i];
        if (pc->r != r)
            continue;
        double h = pc->rs > 1 ? pc->need
                              : pc->pt + pc->pb + pc->img_h +
                                    (pc->text[0] ? pc->lh : 0);
        if (h > m)
            m = h;
    }
    return m;
}

/* Lines of cell pc in the first piece of its row and in each further
 * piece, when the first piece has `first_room` and the others `avail`. */
static void piece_lines(const pcell *pc, double first_room, double avail,
                        size_t *first, size_t *per)
{
    double f = floor((first_room - pc->pt - pc->pb - pc->img_h) / pc->lh + EPS);
    double p = floor((avail - pc->pt - pc->pb) / pc->lh + EPS);
    *first = f > 0 ? (size_t)f : 0;
    *per = p > 1 ? (size_t)p : 1;
}

/* A table whose body row `r` is taller than `avail`: rebuild it with that
 * row cut into rows, the first at most `first_room` tall (what is left on
 * the page where it starts), the others at most `avail`, each cell's
 * lines divided between them (the pieces keep the lines as broken for
 * the whole cell).  Cells spanning rows across it -- merged categories --
 * span all the pieces and are drawn, framed and with their text, in every
 * page part. */
static sc_status split_row(lay *L, const sc_block *blk, table *T, int r,
                           double first_room, double avail, sc_block **out)
{
    *out = NULL;
    /* lines of each single-row cell per piece: the first piece also
     * holds the cell's image */
    int pieces = 1;
    for (int i = 0; i < T->ncells; i++) {
        const pcell *pc = &T->cells[i];
        if (pc->r != r || pc->rs > 1)
            continue;
        double room = avail - pc->pt - pc->pb;
        if (room - pc->img_h < -EPS || (pc->text[0] && room < pc->lh - EPS))
            return cell_error(L, T, pc, "a line or image of this cell with "
                              "its padding is taller than a page holds; "
                              "reduce the size, leading or padding");
        if (!pc->text[0])
            continue;
        size_t per, first;
        piece_lines(pc, first_room, avail, &first, &per);
        int p = pc->nlines <= first
                    ? 1 : 1 + (int)((pc->nlines - first + per - 1) / per);
        if (p > pieces)
            pieces = p;
    }
    if (pieces < 2)
        return SC_OK;
    sc_block *nb = sc_arena_alloc(L->arena, sizeof *nb);
    sc_row *rows = sc_arena_alloc(L->arena, (size_t)(blk->nrows + pieces - 1) *
                                                sizeof *rows);
    if (!nb || !rows)
        return nomem(L);
    *nb = *blk;
    memcpy(rows, blk->rows, (size_t)r * sizeof *rows);
    memcpy(rows + r + pieces, blk->rows + r + 1,
           (size_t)(blk->nrows - r - 1) * sizeof *rows);
    /* cells from rows above that span row r span every piece */
    for (int i = 0; i < T->ncells; i++) {
        const pcell *pc = &T->cells[i];
        if (pc->r >= r || pc->r + pc->rs <= r)
            continue;
        sc_row *row = &rows[pc->r];
        if (row->cells == blk->rows[pc->r].cells) { /* copy once */
            sc_cell *c = sc_arena_alloc(L->arena, (size_t)row->ncells *
                                                      sizeof *c);
            if (!c)
                return nomem(L);
            memcpy(c, row->cells, (size_t)row->ncells * sizeof *c);
            row->cells = c;
        }
        row->cells[pc->cell - blk->rows[pc->r].cells].rowspan += pieces - 1;
    }
    const sc_row *src = &blk->rows[r];
    for (int p = 0; p < pieces; p++) {
        sc_row *dst = &rows[r + p];
        *dst = *src;
        dst->min_height = 0;
        dst->cells = sc_arena_alloc(L->arena, (size_t)(src->ncells ? src->ncells : 1) *
                                                  sizeof *dst->cells);
        if (!dst->cells)
            return nomem(L);
        int k = 0;
        for (int i = 0; i < T->ncells; i++) {
            const pcell *pc = &T->cells[i];
            if (pc->r != r)
                continue;
            size_t per, first;
            piece_lines(pc, first_room, avail, &first, &per);
            /* a cell that fits the first piece (序号, 指标, 得分) spans
             * every piece, drawn whole in each part like a merged cell */
            int whole = pc->rs > 1 || !pc->text[0] || pc->nlines <= first;
            if (p > 0 && whole)
                continue;
            sc_cell *c = &dst->cells[k++];
            *c = *pc->cell;
            if (whole) {
                c->rowspan = pc->rs + pieces - 1;
                if (pc->text[0]) {
                    c->text = pc->text;
                    c->lines = pc->lines;
                    c->nlines = pc->nlines;
                }
                continue;
            }
            size_t a = p == 0 ? 0 : first + (size_t)(p - 1) * per;
            size_t e = p == 0 ? first : a + per;
            if (e > pc->nlines)
                e = pc->nlines;
            if (p > 0)
                c->image = NULL;
            /* the signing line goes with the last line of the text, and
             * the signature field with it (or with the image, piece 0) */
            c->sign_line = pc->cell->sign_line && e == pc->nlines && a < e;
            int keeps_field = c->sign_line || (!pc->cell->sign_line && p == 0);
            if (!keeps_field)
                c->sign_field = NULL;
            c->text = "";
            c->lines = NULL;
            c->nlines = 0;
            if (a < e) {
                c->text = pc->text;
                c->lines = pc->lines + a;
                c->nlines = e - a;
            }
        }
        dst->ncells = k;
    }
    nb->rows = rows;
    nb->nrows = blk->nrows + pieces - 1;
    *out = nb;
    return SC_OK;
}

static sc_status paginate(lay *L, const sc_block *blk, table *T,
                          double avail, int draw, int *cut, double *cut_room);

static sc_status lay_table(lay *L, const sc_block *blk)
{
    if (blk->ncols < 1 || blk->nrows < 1)
        return SC_OK;
    table T = {0};
    T.blk = blk;
    sc_status rc = SC_OK;
    const memo_entry *m = memo_find(L, blk);
    if (m) {
        T.cells = m->cells;
        T.ncells = m->ncells;
        T.nh = m->nh;
        T.colx = m->colx;
        T.colw = m->colw;
    } else {
        rc = col_widths(L, blk, L->left, L->right - L->left, &T);
        if (rc == SC_OK)
            rc = place_cells(L, blk, &T);
        int numbered = 0; /* a cell shows a page number */
        for (int i = 0; i < T.ncells && rc == SC_OK; i++) {
            rc = measure_cell(L, &T, &T.cells[i]);
            numbered |= T.cells[i].text != T.cells[i].cell->text;
        }
        if (rc != SC_OK)
            return rc;
        if (!numbered)
            memo_add(L, &T);
    }
    for (int i = 0; i < T.ncells; i++)
        cell_heights(L, &T.cells[i]);
    size_t nr = (size_t)blk->nrows;
    T.h = sc_arena_alloc(L->arena, nr * sizeof(double));
    T.ry = sc_arena_alloc(L->arena, nr * sizeof(double));
    T.grow = sc_arena_alloc(L->arena, nr * sizeof(double));
    T.uses = sc_arena_alloc(L->arena, nr);
    T.spans = sc_arena_alloc(L->arena, (size_t)(T.ncells ? T.ncells : 1) *
                                           sizeof(int));
    if (!T.h || !T.ry || !T.grow || !T.uses || !T.spans)
        return nomem(L);
    for (int i = 0; i < T.ncells; i++)
        if (T.cells[i].rs > 1 && T.cells[i].r >= T.nh)
            T.spans[T.nspans++] = i;
    /* header heights first: what a body row may take is what is left */
    row_heights(blk, &T, INFINITY);
    for (int r = 0; r < T.nh; r++)
        T.hh += T.h[r];
    double avail = L->bottom - L->top - T.hh;
    if (!L->nobreak && avail < 1) {
        char what[160];
        snprintf(what, sizeof what, "the table's header rows are %.1f pt "
                 "tall and leave no room on a %.1f pt page; shorten them",
                 T.hh, L->bottom - L->top);
        return block_error(L, blk->field, "%s", what);
    }
    row_heights(blk, &T, avail);
    mark_uses(blk, &T);
    if (!L->nobreak) {
        int tall = 0;
        for (int i = 0; i < T.nspans; i++) {
            const pcell *pc = &T.cells[T.spans[i]];
            if (pc->need > avail + EPS)
                return cell_error(L, &T, pc, "this merged cell's content "
                                  "is taller than a page holds; shorten it "
                                  "or widen its column");
        }
        for (int r = T.nh; r < blk->nrows; r++)
            tall |= T.h[r] > avail + EPS;
        int cut = -1;
        double room = 0;
        if (tall && (rc = paginate(L, blk, &T, avail, 0, &cut, &room)))
            return rc;
        if (cut >= 0) {
            sc_block *nb = NULL;
            rc = split_row(L, blk, &T, cut, room, avail, &nb);
            if (rc != SC_OK)
                return rc;
            if (!nb)
                return block_error(L, blk->field, "table row %d is %.1f pt "
                                   "tall and cannot be divided to fit a "
                                   "%.1f pt page", cut + 1, T.h[cut], avail);
            return lay_table(L, nb);
        }
    }
    rc = paginate(L, blk, &T, avail, 1, NULL, NULL);
    sc_free(T.edges);
    sc_free(T.enext);
    sc_free(T.ehead);
    return rc;
}

/* Page parts: the header (unless no row of the part uses its columns),
 * then as many chunks as fit; a part is started only if its first chunk
 * fits, so a header never sits alone at a page bottom.
 *
 * draw = 0 is a dry run from the cursor that draws nothing and makes no
 * page: it finds the first row taller than a page (*cut, else -1) and the
 * room its first piece gets where it falls (*cut_room): what is left on
 * that page if a line of each cell fits there, else a whole page.  Once
 * such rows are cut (split_row) every row is at most a page tall, so a
 * row alone always fits an empty page. */
static sc_status paginate(lay *L, const sc_block *blk, table *T,
                          double avail, int draw, int *cut, double *cut_room)
{
    int r = T->nh, fresh = L->fresh;
    double y = L->y;
    sc_status rc;
    if (cut)
        *cut = -1;
    for (;;) {
        int r0 = r, at_top = fresh;
        int header = r0 == T->nh || (r0 < blk->nrows && T->uses[r0]);
        double room = L->bottom - y;
        while (r < blk->nrows) {
            if (!draw && T->h[r] > avail + EPS) {
                int hdr = header || T->uses[r];
                double left = room - (hdr ? T->hh : 0) - part_height(T, r0, r);
                *cut = r;
                *cut_room = left >= min_piece(T, r) ? left : avail;
                return SC_OK;
            }
            int k = chunk_end(blk, T, r);
            int hdr = header || any_uses(T, r, k);
            double need = (hdr ? T->hh : 0) + part_height(T, r0, k);
            if (!L->nobreak && need > room + EPS) {
                if (r > r0 || !at_top)
                    break;
                /* at the top of a page and still too tall: the chunk's
                 * rows go one by one */
                k = r + 1;
                hdr = header || T->uses[r];
                need = (hdr ? T->hh : 0) + part_height(T, r0, k);
                if (need > room + EPS)
                    return block_error(L, blk->field, "table row %d does "
                                       "not fit an empty page", r + 1);
            }
            header = hdr;
            r = k;
        }
        if (r > r0 || r >= blk->nrows) {
            double h = (header ? T->hh : 0) + part_height(T, r0, r);
            if (draw && !L->count_only) {
                for (int i = r0; i < r; i++)
                    T->h[i] += T->grow[i];
                if ((rc = draw_part(L, T, y, header, r0, r)) != SC_OK)
                    return rc;
            }
            y += h;
            fresh = 0;
        }
        if (r >= blk->nrows)
            break;
        if (draw && (rc = new_page(L)) != SC_OK)
            return rc;
        y = L->top;
        fresh = 1;
    }
    if (draw) {
        L->y = y;
        L->fresh = fresh;
    }
    return SC_OK;
}

/* ---- flow ------------------------------------------------------------- */

static sc_status lay_blocks(lay *L, const sc_block *blks, int n);

/* A chart (chart.c, issue 5): a box of the template's height, centred,
 * never split -- moved whole to a new page when it does not fit. */
static sc_status lay_chart(lay *L, const sc_block *blk)
{
    const sc_chart *c = blk->chart;
    if (!c)
        return SC_OK;
    sc_status rc;
    if (!L->nobreak && !L->fresh && L->y + c->height > L->bottom + EPS &&
        (rc = new_page(L)) != SC_OK)
        return rc;
    double w = L->right - L->left;
    double x = L->left + (w > c->width ? (w - c->width) / 2 : 0);
    sc_item *items = NULL;
    size_t n = 0;
    if (L->count_only) {
        L->y += c->height;
        L->fresh = 0;
        return SC_OK;
    }
    rc = sc_chart_lower(c, L->f, x, L->y, L->arena, L->b->label, &items, &n,
                        L->err);
    if (rc != SC_OK) {
        if (L->err && blk->field && !L->err->field[0])
            snprintf(L->err->field, sizeof L->err->field, "%s", blk->field);
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        if ((rc = add_item(L, &items[i], NULL)) != SC_OK)
            return rc;
    L->y += c->height;
    L->fresh = 0;
    return SC_OK;
}

/* Height of a block laid out alone from the current cursor, no breaks. */
static sc_status measure(lay *L, const sc_block *blk, double *h)
{
    lay M = *L;
    sc_page scratch = {0};
    M.pages = &scratch;
    M.npages = M.cap = 1;
    M.cur = 0;
    M.nobreak = 1;
    M.quiet = 1;
    M.count_only = 1;
    M.y = 0;
    sc_status rc = lay_blocks(&M, blk, 1);
    *h = M.y;
    return rc;
}

static sc_status lay_block(lay *L, const sc_block *blk)
{
    sc_status rc = SC_OK;
    if (!L->nobreak && blk->keep_together && !L->fresh &&
        (blk->kind == SC_BLK_GROUP || blk->kind == SC_BLK_TABLE)) {
        double h;
        if ((rc = measure(L, blk, &h)) != SC_OK)
            return rc;
        if (L->y + h > L->bottom + EPS && h <= L->bottom - L->top + EPS &&
            (rc = new_page(L)) != SC_OK)
            return rc;
    }
    switch (blk->kind) {
    case SC_BLK_PARA:
        return lay_para(L, blk);
    case SC_BLK_TABLE:
        return lay_table(L, blk);
    case SC_BLK_SPACE:
        if (!L->fresh || L->nobreak)
            L->y += blk->height * L->sq;
        if (!L->nobreak && L->y > L->bottom)
            L->y = L->bottom;
        return SC_OK;
    case SC_BLK_GROUP:
        return lay_blocks(L, blk->children, blk->nchildren);
    case SC_BLK_PAGEBREAK:
        if (!L->nobreak && !L->fresh)
            return new_page(L);
        return SC_OK;
    case SC_BLK_CHART:
        return lay_chart(L, blk);
    default:
        return SC_OK;
    }
}

static sc_status lay_blocks(lay *L, const sc_block *blks, int n)
{
    for (int i = 0; i < n; i++) {
        sc_status rc = lay_block(L, &blks[i]);
        if (rc != SC_OK)
            return rc;
    }
    return SC_OK;
}

static sc_status lay_body(lay *L)
{
    L->pages = NULL;
    L->npages = L->cap = 0;
    L->nobreak = 0;
    L->top = L->b->margin[0];
    L->bottom = L->b->page_h - L->b->margin[2];
    sc_status rc = new_page(L);
    if (rc == SC_OK)
        rc = lay_blocks(L, L->b->body, L->b->nbody);
    return rc;
}

/* The body laid out so that it takes the fewest pages the template
 * allows.  A template with <page min-spacing> lets the vertical spacing
 * (line gaps, cell padding, paragraph and <space> spacing; never text,
 * min-heights or images) shrink down to that factor when this saves a
 * page -- a monthly form of one page and two lines prints on one page --
 * and then shrinks it no more than needed (three halvings of the range:
 * within 1/8 of it).  The trial passes only count pages (nothing drawn;
 * the texts are broken once, in the first, and the breaks reused), then
 * one pass lays out for real.  A template without min-spacing is laid
 * out once. */
static sc_status lay_fit(lay *L)
{
    double lo = L->b->min_spacing, hi = 1;
    L->sq = 1;
    if (!(lo > 0 && lo < 1))
        return lay_body(L);
    L->count_only = 1;
    sc_status rc = lay_body(L);
    int natural = L->npages;
    if (rc == SC_OK && natural > 1) {
        L->sq = lo;
        rc = lay_body(L);
        int target = L->npages;
        if (rc == SC_OK && target < natural) {
            for (int i = 0; i < 3 && rc == SC_OK; i++) {
                L->sq = (lo + hi) / 2;
                rc = lay_body(L);
                if (L->npages <= target)
                    lo = L->sq;
                else
                    hi = L->sq;
            }
            L->sq = lo;
        } else {
            L->sq = 1; /* no page saved: as the template says */
        }
    }
    L->count_only = 0;
    return rc == SC_OK ? lay_body(L) : rc;
}

/* Header and footer on every page, once the page count is known.  They
 * must stay in their margins: a header that runs into the body, or a
 * footer past the page edge, fails the record. */
static sc_status lay_margins(lay *L)
{
    L->nobreak = 1;
    L->total = L->npages;
    for (int p = 0; p < L->npages; p++) {
        L->cur = p;
        L->y = L->b->header_y;
        L->fresh = 1;
        sc_status rc = lay_blocks(L, L->b->header, L->b->nheader);
        if (rc != SC_OK)
            return rc;
        if (L->y > L->b->margin[0] + EPS)
            return block_error(L, L->b->header[0].field, "the running header "
                               "ends %.1f pt below the top of the page, in "
                               "the body (which starts at %.1f pt); shorten "
                               "it or widen the top margin", L->y,
                               L->b->margin[0]);
        L->y = L->b->footer_y;
        L->fresh = 1;
        if ((rc = lay_blocks(L, L->b->footer, L->b->nfooter)) != SC_OK)
            return rc;
        if (L->y > L->b->page_h + EPS)
            return block_error(L, L->b->footer[0].field, "the running footer "
                               "ends %.1f pt below the bottom of the page; "
                               "shorten it or move it up (footer=)",
                               L->y - L->b->page_h);
    }
    return SC_OK;
}

static sc_status check_watermark(lay *L)
{
    const char *wm = L->b->watermark;
    if (!wm || !*wm)
        return SC_OK;
    sc_run *runs = NULL;
    size_t n = 0, len = strlen(wm);
    sc_status rc = sc_text_runs(L->f, SC_ROLE_BODY, 10, wm, len, &runs, &n);
    if (rc != SC_OK)
        return rc == SC_ERR_NOMEM ? nomem(L)
                                  : sc_error_set(L->err, rc, NULL, 0, 0,
                                                 "cannot measure the watermark");
    for (size_t i = 0; i < n; i++)
        if (runs[i].face < 0) {
            rc = missing_glyph(L, SC_ROLE_BODY, "watermark",
                               wm + runs[i].start, runs[i].len);
            break;
        }
    sc_free(runs);
    return rc;
}

/* The signature boxes drawn (SC_IT_SIGN items) move from the pages to
 * laid->sigboxes, in page and drawing order: the later stages see them
 * as a list, and no page holds an item the PDF writer cannot draw. */
static sc_status take_sigboxes(lay *L, sc_laid *laid)
{
    int n = 0;
    for (int p = 0; p < L->npages; p++)
        for (size_t i = 0; i < L->pages[p].nitems; i++)
            n += L->pages[p].items[i].kind == SC_IT_SIGN;
    if (!n)
        return SC_OK;
    laid->sigboxes = sc_arena_alloc(L->arena, (size_t)n * sizeof *laid->sigboxes);
    if (!laid->sigboxes)
        return SC_ERR_NOMEM;
    for (int p = 0; p < L->npages; p++) {
        sc_page *pg = &L->pages[p];
        size_t k = 0;
        for (size_t i = 0; i < pg->nitems; i++) {
            const sc_item *it = &pg->items[i];
            if (it->kind != SC_IT_SIGN) {
                pg->items[k++] = *it;
                continue;
            }
            sc_sigbox *sb = &laid->sigboxes[laid->nsigboxes++];
            sb->role = it->text;
            sb->page = p;
            sb->x = it->x;
            sb->y = it->y;
            sb->w = it->w;
            sb->h = it->h;
            sb->required = it->required;
        }
        pg->nitems = k;
    }
    return SC_OK;
}

sc_status sc_layout(const sc_bound *b, const sc_fonts *fonts,
                    sc_arena *arena, sc_laid **out, sc_error *err)
{
    *out = NULL;
    if (!b || !fonts || !arena)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_layout needs a bound record, fonts and an "
                            "arena");
    lay L = {0};
    L.b = b;
    L.f = fonts;
    L.arena = arena;
    L.err = err;
    L.sq = 1;
    bcache bc = {sc_arena_alloc(arena, 512 * sizeof(broken)), 0, 512};
    if (!bc.v)
        return nomem(&L);
    L.bc = &bc;
    memo mm = {0};
    L.memo = &mm;
    L.left = b->margin[3];
    L.right = b->page_w - b->margin[1];
    if (b->page_w <= 0 || b->page_h <= 0 || L.right - L.left < 20 ||
        b->page_h - b->margin[0] - b->margin[2] < 20)
        return sc_error_set(err, SC_ERR_LAYOUT, NULL, 0, 0,
                            "page %.1fx%.1f pt with margins %.1f %.1f %.1f "
                            "%.1f leaves no room for content; reduce the "
                            "margins", b->page_w, b->page_h, b->margin[0],
                            b->margin[1], b->margin[2], b->margin[3]);
    sc_status rc = check_watermark(&L);
    if (rc == SC_OK)
        rc = lay_fit(&L);
    if (rc == SC_OK && L.uses_total) {
        /* second pass: the page count is now known */
        L.total = L.npages;
        rc = lay_body(&L);
    }
    if (rc == SC_OK)
        rc = lay_margins(&L);
    if (rc != SC_OK) {
        if (err && !err->employee[0] && b->label)
            snprintf(err->employee, sizeof err->employee, "%s", b->label);
        return rc;
    }
    sc_laid *laid = sc_arena_alloc(arena, sizeof *laid);
    if (!laid)
        return nomem(&L);
    laid->page_w = b->page_w;
    laid->page_h = b->page_h;
    laid->pages = L.pages;
    laid->npages = L.npages;
    laid->watermark = b->watermark;
    laid->title = b->title;
    laid->lang = b->lang;
    /* Traditional text centres its ，。、；：！？ (pdf.c moves the glyphs
     * of faces that draw them the mainland way): every run of the record,
     * chart labels and running header included, is in its language. */
    int centre = sc_text_traditional(b->lang);
    for (int p = 0; centre && p < L.npages; p++)
        for (size_t i = 0; i < L.pages[p].nitems; i++)
            if (L.pages[p].items[i].kind == SC_IT_TEXT)
                L.pages[p].items[i].centre_punct = 1;
    if (take_sigboxes(&L, laid) != SC_OK)
        return nomem(&L);
    *out = laid;
    return SC_OK;
}
