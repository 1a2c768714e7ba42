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
 * plus any TOTAL rows right after it (a total row never starts a page
 * alone).  A page part of the table is: the leading HEADER rows, then as
 * many chunks as fit.  A part is only started if its header and first
 * chunk fit; otherwise the table moves to the next page, so a header never
 * sits alone at a page bottom.  Rows are never split, except a row taller
 * than a whole page, whose cells' lines are divided over pages (the table
 * is rebuilt with that row cut into several rows first).  Rowspans do not
 * constrain breaking: each page part draws every cell that overlaps its
 * rows, clipped to them, so a merged category cut by a page break shows
 * its text on both pages, each part framed as a cell of its own.
 *
 * Drawing order per table part: fills, then text / images / signing
 * lines, then the grid.  The grid is collected as edges of every cell's
 * visible rectangle (so merged cells have no interior lines), duplicates
 * dropped and collinear touching edges joined before they are emitted.
 *
 * Header and footer blocks are laid out last, on each page, with SC_PH_PAGE
 * and SC_PH_PAGES replaced by the page number and count.  If body text
 * uses SC_PH_PAGES, the body is laid out twice (the first pass counts).
 */
#include "internal.h"

#include <math.h>
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
    int uses_total;     /* body text contains SC_PH_PAGES */
    struct {
        int kind;
        const char *text;
    } warned[32]; /* texts already reported (kind 0 forced, 1 lone) */
    int nwarned;
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

static double line_height(const sc_style *st)
{
    return st->size * (st->leading > 0 ? st->leading : 1.35);
}

/* Baseline offset from the top of a line box of style st. */
static double baseline_offset(lay *L, const sc_style *st)
{
    int fi = sc_fonts_pick(L->f, st->role, 0x4E2D);
    if (fi < 0)
        fi = sc_fonts_pick(L->f, st->role, 'A');
    const sc_face *fc = fi >= 0 ? sc_fonts_face(L->f, fi) : NULL;
    double asc = fc ? sc_face_ascent(fc) : 0.88;
    double desc = fc ? sc_face_descent(fc) : 0.12;
    double lh = line_height(st);
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
    if (L->err) {
        if (L->b->label)
            snprintf(L->err->employee, sizeof L->err->employee, "%s",
                     L->b->label);
        if (field)
            snprintf(L->err->field, sizeof L->err->field, "%s", field);
    }
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
    if (n == 0)
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
    /* the first 40 characters, cut on a character boundary */
    char quote[200];
    size_t q = 0, chars = 0, n = strlen(text);
    while (q < n && chars < 40) {
        uint32_t cp;
        size_t k = sc_utf8_decode(text + q, n - q, &cp);
        if (!k || q + k + 4 > sizeof quote)
            break;
        q += k;
        chars++;
    }
    snprintf(quote, sizeof quote, "%.*s%s", (int)q, text, q < n ? "…" : "");
    sc_error e = {0};
    sc_error_set(&e, SC_ERR_LAYOUT, NULL, 0, 0, fmt, quote, w);
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
    sc_line *lines = NULL;
    size_t n = 0;
    unsigned flags = align == SC_ALIGN_LEFT || align == SC_ALIGN_JUSTIFY
                         ? SC_BREAK_HANG : 0;
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
    int forced = 0, lone = 0;
    for (size_t i = 0; i < n; i++) {
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
        L->y += st->space_before;
    double x = L->left + st->pad[3];
    double w = (L->right - L->left) - st->pad[1] - st->pad[3];
    sc_line *lines;
    size_t n;
    sc_status rc = break_text(L, st, st->align, blk->field, text, w, &lines,
                              &n);
    if (rc != SC_OK)
        return rc;
    double lh = line_height(st), bo = baseline_offset(L, st);
    int fill = st->fill >= 0 && st->fill < 1;
    size_t rect = 0;
    double seg_top = L->y;
    if (fill && (rc = add_rect(L, L->left, L->y, L->right - L->left, 0,
                               st->fill, &rect)) != SC_OK)
        return rc;
    L->y += st->pad[0];
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
    L->y += st->pad[2];
    if (fill)
        L->pages[L->cur].items[rect].h = L->y - seg_top;
    L->y += st->space_after;
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
    edge *edges;
    int nedges, capedges;
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
    if (L->err) {
        if (L->b->label)
            snprintf(L->err->employee, sizeof L->err->employee, "%s",
                     L->b->label);
        if (blk->field)
            snprintf(L->err->field, sizeof L->err->field, "%s", blk->field);
    }
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

static sc_status measure_cell(lay *L, pcell *pc, const char *field)
{
    const sc_style *st = pc->st;
    pc->text = expand(L, pc->cell->text, !L->nobreak);
    if (!pc->text)
        return nomem(L);
    double iw = pc->w - st->pad[1] - st->pad[3];
    int align = pc->cell->align >= 0 ? pc->cell->align : st->align;
    sc_status rc = break_text(L, st, align, field, pc->text, iw, &pc->lines,
                              &pc->nlines);
    if (rc != SC_OK)
        return rc;
    pc->lh = line_height(st);
    pc->bo = baseline_offset(L, st);
    double content = pc->text[0] ? pc->lh * (double)pc->nlines : 0;
    if (!pc->text[0] && !pc->cell->image)
        content = pc->lh; /* an empty cell is one line tall */
    if (pc->cell->image && pc->cell->image_h > 0) {
        double h = pc->cell->image_h;
        pc->img_w = h * image_aspect(pc->cell->image);
        if (pc->img_w > iw && iw > 0) { /* too wide: scale down */
            h = h * iw / pc->img_w;
            pc->img_w = iw;
        }
        pc->img_h = h;
        content += h;
    }
    pc->need = content + st->pad[0] + st->pad[2];
    return SC_OK;
}

static void row_heights(const sc_block *blk, table *T)
{
    for (int r = 0; r < blk->nrows; r++)
        T->h[r] = blk->rows[r].min_height > 0 ? blk->rows[r].min_height : 0;
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

static sc_status add_edge(lay *L, table *T, double x1, double y1, double x2,
                          double y2)
{
    for (int i = 0; i < T->nedges; i++) {
        edge *e = &T->edges[i];
        if (fabs(e->x1 - x1) < EPS && fabs(e->y1 - y1) < EPS &&
            fabs(e->x2 - x2) < EPS && fabs(e->y2 - y2) < EPS)
            return SC_OK;
    }
    if (T->nedges == T->capedges) {
        int cap = T->capedges ? T->capedges * 2 : 64;
        edge *n = sc_realloc(T->edges, (size_t)cap * sizeof *n);
        if (!n)
            return nomem(L);
        T->edges = n;
        T->capedges = cap;
    }
    T->edges[T->nedges++] = (edge){x1, y1, x2, y2};
    return SC_OK;
}

/* Does edge b continue edge a (same line, b starts where a ends)?  Then
 * extend a over b and return 1. */
static int join_edge(edge *a, const edge *b)
{
    if (fabs(a->y1 - a->y2) < EPS && fabs(b->y1 - b->y2) < EPS &&
        fabs(a->y1 - b->y1) < EPS && fabs(a->x2 - b->x1) < EPS) {
        a->x2 = b->x2;
        return 1;
    }
    if (fabs(a->x1 - a->x2) < EPS && fabs(b->x1 - b->x2) < EPS &&
        fabs(a->x1 - b->x1) < EPS && fabs(a->y2 - b->y1) < EPS) {
        a->y2 = b->y2;
        return 1;
    }
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
 * without one, go on with i + 1. */
static sc_status flush_edges(lay *L, table *T)
{
    edge *e = T->edges;
    int i = 0;
    while (i < T->nedges) {
        int j = 0;
        while (j < T->nedges && (j == i || !join_edge(&e[i], &e[j])))
            j++;
        if (j == T->nedges) {
            i++;
            continue;
        }
        e[j] = e[--T->nedges];
        if (j < i)
            i = j;
    }
    sc_status rc = SC_OK;
    for (int k = 0; k < T->nedges && rc == SC_OK; k++)
        rc = add_line(L, e[k].x1, e[k].y1, e[k].x2, e[k].y2, BORDER_LW);
    T->nedges = 0;
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
    double avail = h - st->pad[0] - st->pad[2];
    double ty = y + st->pad[0];
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
    if (pc->cell->sign_line) {
        double right = ix + iw;
        if (pc->text[0] && right - (last_end + 4) >= SIGN_MIN) {
            /* after the label, just under the last line's baseline */
            double by = ty + (double)(pc->nlines - 1) * pc->lh + pc->bo + 2;
            rc = add_line(L, last_end + 4, by, right, by, SIGN_LW);
        } else {
            double by = y + h - st->pad[2];
            rc = add_line(L, ix, by, right, by, SIGN_LW);
        }
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

/* One page part: header rows at y, then body rows [r0, r1). */
static sc_status draw_part(lay *L, table *T, double y, int r0, int r1)
{
    for (int r = 0; r < T->nh; r++) {
        T->ry[r] = y;
        y += T->h[r];
    }
    for (int r = r0; r < r1; r++) {
        T->ry[r] = y;
        y += T->h[r];
    }
    for (int phase = 0; phase < 3; phase++) {
        sc_status rc = draw_rows(L, T, 0, T->nh, phase);
        if (rc == SC_OK && r1 > r0)
            rc = draw_rows(L, T, r0, r1, phase);
        if (rc != SC_OK)
            return rc;
    }
    return flush_edges(L, T);
}

/* End (exclusive) of the chunk starting at row r: r plus following TOTALs. */
static int chunk_end(const sc_block *blk, int r)
{
    int k = r + 1;
    while (k < blk->nrows && blk->rows[k].kind == SC_ROW_TOTAL)
        k++;
    return k;
}

static sc_status lay_table_rows(lay *L, const sc_block *blk, table *T);

/* A table whose row `r` is taller than `avail`: rebuild it with that row
 * cut into rows of at most `avail`, each cell's lines divided between
 * them.  Only rows without rowspans in or across them can be cut; others
 * are left to overflow (reported as an error by the caller). */
static sc_status split_row(lay *L, const sc_block *blk, table *T, int r,
                           double avail, sc_block **out)
{
    *out = NULL;
    for (int i = 0; i < T->ncells; i++) {
        const pcell *pc = &T->cells[i];
        if (pc->rs > 1 && pc->r <= r && pc->r + pc->rs > r)
            return SC_OK;
    }
    /* how many lines of each cell fit in avail; pieces = max pieces */
    int pieces = 1;
    for (int i = 0; i < T->ncells; i++) {
        const pcell *pc = &T->cells[i];
        if (pc->r != r || !pc->text[0])
            continue;
        double room = avail - pc->st->pad[0] - pc->st->pad[2];
        int per = (int)floor(room / pc->lh + EPS);
        if (per < 1)
            per = 1;
        int p = (int)((pc->nlines + (size_t)per - 1) / (size_t)per);
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
            sc_cell *c = &dst->cells[k++];
            *c = *pc->cell;
            c->rowspan = 1;
            if (p > 0) {
                c->image = NULL;
                c->sign_line = 0;
            }
            double room = avail - pc->st->pad[0] - pc->st->pad[2];
            size_t per = (size_t)floor(room / pc->lh + EPS);
            if (per < 1)
                per = 1;
            size_t a = (size_t)p * per, e = a + per;
            if (!pc->text[0] || a >= pc->nlines) {
                c->text = "";
                continue;
            }
            if (e > pc->nlines)
                e = pc->nlines;
            size_t s0 = pc->lines[a].start;
            size_t s1 = pc->lines[e - 1].start + pc->lines[e - 1].len;
            c->text = sc_arena_strndup(L->arena, pc->text + s0, s1 - s0);
            if (!c->text)
                return nomem(L);
        }
        dst->ncells = k;
    }
    nb->rows = rows;
    nb->nrows = blk->nrows + pieces - 1;
    *out = nb;
    return SC_OK;
}

static sc_status lay_table(lay *L, const sc_block *blk)
{
    if (blk->ncols < 1 || blk->nrows < 1)
        return SC_OK;
    table T = {0};
    T.blk = blk;
    sc_status rc = col_widths(L, blk, L->left, L->right - L->left, &T);
    if (rc == SC_OK)
        rc = place_cells(L, blk, &T);
    for (int i = 0; i < T.ncells && rc == SC_OK; i++)
        rc = measure_cell(L, &T.cells[i], blk->field);
    if (rc != SC_OK)
        return rc;
    T.h = sc_arena_alloc(L->arena, (size_t)blk->nrows * sizeof(double));
    T.ry = sc_arena_alloc(L->arena, (size_t)blk->nrows * sizeof(double));
    if (!T.h || !T.ry)
        return nomem(L);
    row_heights(blk, &T);
    if (!L->nobreak) {
        double hh = 0;
        for (int r = 0; r < T.nh; r++)
            hh += T.h[r];
        double avail = L->bottom - L->top - hh;
        for (int r = T.nh; r < blk->nrows; r++) {
            if (T.h[r] <= avail + EPS)
                continue;
            sc_block *nb = NULL;
            rc = split_row(L, blk, &T, r, avail, &nb);
            if (rc == SC_OK && nb)
                return lay_table(L, nb);
            break;
        }
    }
    rc = lay_table_rows(L, blk, &T);
    sc_free(T.edges);
    return rc;
}

static sc_status lay_table_rows(lay *L, const sc_block *blk, table *T)
{
    double hh = 0;
    for (int r = 0; r < T->nh; r++)
        hh += T->h[r];
    int r = T->nh;
    sc_status rc;
    for (;;) {
        int r0 = r, at_top = L->fresh;
        double by = L->y + hh;
        while (r < blk->nrows) {
            int k = chunk_end(blk, r);
            double ch = 0;
            for (int i = r; i < k; i++)
                ch += T->h[i];
            if (!L->nobreak && by + ch > L->bottom + EPS) {
                if (r > r0 || !at_top)
                    break;
                /* at the top of a page and still too tall: drop the
                 * keep-with-total rule, then let a lone row overflow */
                k = r + 1;
                ch = T->h[r];
            }
            by += ch;
            r = k;
        }
        if (r > r0 || r >= blk->nrows) {
            if ((rc = draw_part(L, T, L->y, r0, r)) != SC_OK)
                return rc;
            L->y = by;
            L->fresh = 0;
        }
        if (r >= blk->nrows)
            break;
        if ((rc = new_page(L)) != SC_OK)
            return rc;
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
            L->y += blk->height;
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

/* Header and footer on every page, once the page count is known. */
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
        L->y = L->b->footer_y;
        L->fresh = 1;
        if ((rc = lay_blocks(L, L->b->footer, L->b->nfooter)) != SC_OK)
            return rc;
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
        rc = lay_body(&L);
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
    *out = laid;
    return SC_OK;
}
