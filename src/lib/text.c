/* text.c -- UTF-8, measuring, and Chinese line breaking (kinsoku).
 *
 * Design.  Breaking is decided between each pair of adjacent characters
 * from three properties of each: its class (space, opening punctuation,
 * closing punctuation, other), whether it is "wide" (CJK ideographs,
 * kana, hangul, CJK and fullwidth punctuation and forms), and a few
 * special cases.  The rules, in order, for a break between a and b:
 *
 *   1. never before a space: spaces stay at the end of the line they
 *      follow, where they hang (not counted in width, not in len);
 *   2. never before closing punctuation  ，。、；：？！）」』】》〉”’…‥％・
 *      ～ and ASCII , . ; : ! ? ) ] } %  (and small kana, prolonged sound
 *      mark, combining marks, variation selectors, ZWJ);
 *   3. never after opening punctuation  （「『【《〈“‘ ( [ {  and currency
 *      signs ￥ ¥ $ £ € that precede their amount;
 *   4. after a space: yes, unless an operator precedes the space (6);
 *   5. never inside ——, ……, ‥‥ (two-em dash and ellipsis are one unit);
 *   6. never after an operator (+ = × ÷ ± ≤ ≥ / ...), even across spaces:
 *      "× 100%" stays together, the line breaks before the "×"; and not
 *      before a slash either (3分/次, 元/月 are one unit);
 *   7. never between a digit and a hanzi after it: a number keeps its
 *      unit (30秒, 60分）。, 2026年), clreq's unbreakable digits and their
 *      suffixes;
 *   8. if a or b is wide: yes (between any two hanzi, and between hanzi
 *      and Latin, as clreq allows);
 *   9. otherwise no: runs of letters, digits and ASCII symbols (98%,
 *      2026-10, 1,234.50, A/B, ≥90%, e-mail addresses) stay whole.
 *
 * Lines are filled greedily: characters are added until the next one would
 * overflow, then the line ends at the last break opportunity.  Because
 * rule 2 forbids a break before a closing mark, a mark that does not fit
 * pulls the character before it down to the next line (oidashi, "push
 * out"; we never squeeze it in or let it hang into the margin: a line is
 * never wider than max_width, which keeps table cells honest).  Only if a line
 * has no break opportunity at all (one unit wider than the line) is it
 * broken by characters, still keeping a closing mark off the start and an
 * opening one off the end when there is more than one character to spare.
 * Each line holds at least one character, so breaking always terminates.
 *
 * Lone last characters (clreq 7.1.2, 孤字不成行).  A paragraph whose last
 * line holds one hanzi (perhaps with punctuation after it: 度, 分。) takes
 * the last character that may leave the line before, as clreq describes
 * (that line gets shorter; our lines are not justified, so nothing else
 * moves, and the paragraph keeps its number of lines).  Only if the line
 * before would keep fewer than two characters, or was itself broken by
 * characters, is the lone line left, marked `lone` so that layout can
 * warn: a column one or two characters wide needs a wider column, not a
 * different break.
 *
 * Hanging numbered items (SC_BREAK_HANG).  A paragraph that starts with
 * an item number (1、 2. 3) （4） ① 一、 （二）) wraps its lines under the
 * text after the number, not under the number.  A first paragraph that
 * starts with a short label and a number (说明：1、...) also sets where
 * the numbers of the following paragraphs go ("2、" under "1、").  The
 * indents are part of each sc_line; a hang that would leave less than
 * half the width is not applied.
 *
 * Widths: each character is measured in the first face of the role's chain
 * that maps it (sc_fonts_pick), as the PDF will draw it; one no face maps
 * counts as 1em (sc_text_runs gives it face -1 so layout can report it).
 * Default-ignorable characters (variation selectors, ZWJ/ZWNJ/ZWSP, BOM,
 * soft hyphen) that no face maps measure 0 and join the run before them,
 * so a name written with an ideographic variation sequence still sets.
 * A tab measures as a space.  Widths are summed in em in text order and
 * multiplied by the size once, so sc_text_width of a line's bytes equals
 * the width sc_text_break reports for it, exactly.
 *
 * '\n' (or "\r\n") ends a paragraph: n newlines give n+1 paragraphs, each
 * with at least one (possibly empty) line.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- character classes ---------------------------------------------------- */

enum { K_OTHER, K_SPACE, K_OPEN, K_CLOSE, K_NL };

/* Sorted, for in_set. */
static const uint32_t closing[] = {
    0x0021, 0x0025, 0x0029, 0x002C, 0x002E, 0x003A, 0x003B, 0x003F,
    0x005D, 0x007D, 0x00B0, 0x2010, 0x2019, 0x201D, 0x2025, 0x2026,
    0x2030, 0x2032, 0x2033, 0x2103, 0x3001, 0x3002, 0x3005, 0x3009,
    0x300B, 0x300D, 0x300F, 0x3011, 0x3015, 0x3017, 0x3019, 0x301B,
    0x301C, 0x301E, 0x301F, 0x3041, 0x3043, 0x3045, 0x3047, 0x3049,
    0x3063, 0x3083, 0x3085, 0x3087, 0x308E, 0x3095, 0x3096, 0x309D,
    0x309E, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30C3, 0x30E3,
    0x30E5, 0x30E7, 0x30EE, 0x30F5, 0x30F6, 0x30FB, 0x30FC, 0x30FD,
    0x30FE, 0xFE50, 0xFE51, 0xFE52, 0xFE54, 0xFE55, 0xFE56, 0xFE57,
    0xFE5A, 0xFE5C, 0xFE5E, 0xFF01, 0xFF05, 0xFF09, 0xFF0C, 0xFF0E,
    0xFF1A, 0xFF1B, 0xFF1F, 0xFF3D, 0xFF5D, 0xFF5E, 0xFF60, 0xFF61,
    0xFF63, 0xFF64, 0xFF65,
};

static const uint32_t opening[] = {
    0x0024, 0x0028, 0x005B, 0x007B, 0x00A3, 0x00A5, 0x2018, 0x201C,
    0x20A9, 0x20AC, 0x3008, 0x300A, 0x300C, 0x300E, 0x3010, 0x3014,
    0x3016, 0x3018, 0x301A, 0x301D, 0xFE59, 0xFE5B, 0xFE5D, 0xFF04,
    0xFF08, 0xFF3B, 0xFF5B, 0xFF5F, 0xFF62, 0xFFE1, 0xFFE5,
};

/* Binary search (bsearch's comparison calls cost more than the search:
 * this runs for every character broken). */
static int in_set(const uint32_t *set, size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (set[mid] == cp)
            return 1;
        if (set[mid] < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Characters that attach to the one before them: never break before. */
static int is_mark(uint32_t c)
{
    return (c >= 0x0300 && c <= 0x036F) || (c >= 0xFE00 && c <= 0xFE0F) ||
           (c >= 0xE0100 && c <= 0xE01EF) || c == 0x200D || c == 0x200C ||
           (c >= 0x3099 && c <= 0x309A);
}

/* Invisible format characters that measure 0 if no font maps them. */
static int is_ignorable(uint32_t c)
{
    return is_mark(c) || c == 0x200B || c == 0xFEFF || c == 0x00AD ||
           c == 0x2060;
}

static int is_wide(uint32_t c)
{
    return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
           (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
           (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0xFE10 && c <= 0xFE19) || (c >= 0xFE30 && c <= 0xFE6F) ||
           (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) ||
           (c >= 0x20000 && c <= 0x3FFFD) || c == 0x2014 || c == 0x2026 ||
           c == 0x2025;
}

static int class_of(uint32_t c)
{
    if (c == ' ' || c == '\t')
        return K_SPACE;
    if (c == '\n' || c == '\r')
        return K_NL;
    /* CJK ideographs and the blocks around them: no mark, no opening or
     * closing character between U+3100 and U+FDFF */
    if (c >= 0x3100 && c < 0xFE00)
        return K_OTHER;
    if (is_mark(c) || in_set(closing, sizeof closing / sizeof *closing, c))
        return K_CLOSE;
    if (in_set(opening, sizeof opening / sizeof *opening, c))
        return K_OPEN;
    return K_OTHER;
}

typedef struct ch {
    uint32_t cp;
    size_t off;
    unsigned char len, cls, wide;
    double em;
} ch;

static int is_digit(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19);
}

/* Operators that stay with the operand after them: a line never ends in
 * "×" or "=" with the 100% on the next line. */
static int is_operator(uint32_t c)
{
    switch (c) {
    case '+': case '=': case '<': case '>': case '*': case '/':
    case 0x00B1: case 0x00D7: case 0x00F7: case 0x2212: case 0x2215:
    case 0x2248: case 0x2260: case 0x2264: case 0x2265:
    case 0xFF0B: case 0xFF0F: case 0xFF1C: case 0xFF1D: case 0xFF1E:
        return 1;
    default:
        return 0;
    }
}

/* May a line end before c[k]?  c[p] is the paragraph's first character
 * (for looking back over spaces). */
static int can_break(const ch *c, size_t p, size_t k)
{
    const ch *a = &c[k - 1], *b = &c[k];
    if (b->cls == K_SPACE || b->cls == K_CLOSE || a->cls == K_OPEN)
        return 0;
    if (a->cls == K_SPACE) { /* "20% × KPI": not after "× " either */
        size_t j = k - 1;
        while (j > p && c[j].cls == K_SPACE)
            j--;
        return c[j].cls == K_SPACE || !is_operator(c[j].cp);
    }
    if (a->cp == b->cp && (a->cp == 0x2014 || a->cp == 0x2026 || a->cp == 0x2025))
        return 0;
    if (is_operator(a->cp) || b->cp == '/' || b->cp == 0xFF0F)
        return 0; /* and 分/次, 元/月 keep both sides of the slash */
    if (is_digit(a->cp) && b->wide && b->cls == K_OTHER)
        return 0; /* 30秒, 10分）, 2026年: a number keeps its unit */
    return a->wide || b->wide;
}

/* Advance of cp in em in role's chain; *face gets the face or -1. */
static double em_of(const sc_fonts *f, int role, uint32_t cp, int *face)
{
    if (cp == '\t')
        cp = ' ';
    int fi;
    double em = sc_fonts_advance(f, role, cp, &fi);
    if (face)
        *face = fi;
    if (fi < 0)
        return is_ignorable(cp) ? 0.0 : 1.0;
    return em;
}

double sc_text_width(const sc_fonts *f, int role, double size,
                     const char *s, size_t n)
{
    double em = 0;
    for (size_t i = 0; s && i < n;) {
        uint32_t cp;
        size_t k = sc_utf8_decode(s + i, n - i, &cp);
        if (!k) { /* a bad byte: as wide as a missing character */
            em += 1.0;
            i++;
            continue;
        }
        em += em_of(f, role, cp, NULL);
        i += k;
    }
    return em * size;
}

/* ---- breaking ------------------------------------------------------------- */

typedef struct lines {
    sc_line *v;
    size_t n, cap;
} lines;

static int push_line(lines *ls, const sc_line *l)
{
    if (ls->n == ls->cap) {
        size_t cap = ls->cap ? ls->cap * 2 : 8;
        sc_line *v = sc_realloc(ls->v, cap * sizeof *v);
        if (!v)
            return -1;
        ls->v = v;
        ls->cap = cap;
    }
    ls->v[ls->n++] = *l;
    return 0;
}

/* c[a, b) without its trailing spaces: the new b. */
static size_t trim_end(const ch *c, size_t a, size_t b)
{
    while (b > a && c[b - 1].cls == K_SPACE)
        b--;
    return b;
}

static double em_sum(const ch *c, size_t a, size_t b)
{
    double em = 0;
    for (size_t i = a; i < b; i++)
        em += c[i].em;
    return em;
}

/* Emit c[a, b) as a line, without its trailing spaces. */
static int emit(lines *ls, const ch *c, size_t a, size_t b, double size,
                double indent, int forced)
{
    b = trim_end(c, a, b);
    size_t start = c[a].off;
    size_t end = b > a ? c[b - 1].off + c[b - 1].len : start;
    sc_line l = {start, end - start, em_sum(c, a, b) * size, indent, forced, 0};
    return push_line(ls, &l);
}

/* ---- numbered items ---- */

static int is_cjk_numeral(uint32_t c)
{
    return c == 0x4E00 || c == 0x4E8C || c == 0x4E09 || c == 0x56DB ||
           c == 0x4E94 || c == 0x516D || c == 0x4E03 || c == 0x516B ||
           c == 0x4E5D || c == 0x5341; /* 一二三四五六七八九十 */
}

/* Length in characters of the item number at c[i] (with the spaces after
 * it) -- 1、 2. 3) （4） ① 一、 （二） -- or 0.  Something must follow it,
 * and "1.5" is a number, not an item. */
static size_t enumerator(const ch *c, size_t i, size_t q)
{
    size_t k = i;
    if (k >= q)
        return 0;
    if (c[k].cp >= 0x2460 && c[k].cp <= 0x249B) { /* ① ⑴ ⒈ ... */
        k++;
    } else {
        int paren = c[k].cp == '(' || c[k].cp == 0xFF08;
        k += (size_t)paren;
        size_t d = k;
        int digits = 0, cjk = 0;
        for (; k < q && k - d < 3; k++) {
            if (is_digit(c[k].cp))
                digits = 1;
            else if (is_cjk_numeral(c[k].cp))
                cjk = 1;
            else
                break;
        }
        if (k == d || k >= q || (digits && cjk))
            return 0;
        uint32_t e = c[k].cp;
        int close = e == ')' || e == 0xFF09;
        if (paren ? !close
                  : !(e == 0x3001 ||
                      (digits && (close || ((e == '.' || e == 0xFF0E) &&
                                            !(k + 1 < q && is_digit(c[k + 1].cp)))))))
            return 0;
        k++;
    }
    while (k < q && c[k].cls == K_SPACE)
        k++;
    return k < q ? k - i : 0;
}

/* Length of a label such as 说明： directly followed by an item number at
 * c[i], or 0. */
static size_t label_len(const ch *c, size_t i, size_t q)
{
    for (size_t k = i; k < q && k < i + 8; k++) {
        if (c[k].cls == K_SPACE || c[k].cls == K_OPEN || c[k].cls == K_NL)
            return 0;
        if (c[k].cp == 0xFF1A || c[k].cp == ':')
            return k > i && enumerator(c, k + 1, q) ? k + 1 - i : 0;
    }
    return 0;
}

/* Indents of the paragraph c[p, q): *first for its first line, *hang for
 * the others.  "1、xxx" hangs its wrapped lines after "1、"; ideographic
 * spaces before the number count as part of it; a later paragraph that
 * starts with a number lines up under the number of a first paragraph
 * that began with a label ("说明：1、..." then "2、..."), whose width is
 * label_em.  A hang that would leave less than half the width is
 * dropped. */
static void para_indents(const ch *c, size_t p, size_t q, int first_para,
                         double label_em, double size, double max_width,
                         double *first, double *hang)
{
    *first = *hang = 0;
    size_t k = p;
    while (k < q && c[k].cp == 0x3000)
        k++;
    double lead = 0;
    if (first_para)
        k += label_len(c, k, q);
    else if (k == p)
        lead = label_em;
    size_t e = enumerator(c, k, q);
    if (!e)
        return;
    double h = (lead + em_sum(c, p, k + e)) * size;
    if (h > max_width / 2)
        return;
    *first = lead * size;
    *hang = h;
}

/* A last line of one character (clreq: 孤字, one hanzi, perhaps with
 * punctuation after it)? */
static int lone_line(const ch *c, size_t a, size_t q)
{
    q = trim_end(c, a, q);
    if (q <= a || !c[a].wide || c[a].cls != K_OTHER || c[a].cp == 0x3000)
        return 0;
    for (size_t i = a + 1; i < q; i++)
        if (c[i].cls != K_CLOSE)
            return 0;
    return 1;
}

/* Characters of c[a, b) that are not punctuation after a character. */
static int units(const ch *c, size_t a, size_t b)
{
    int n = 0;
    for (size_t i = a; i < b; i++)
        n += c[i].cls != K_CLOSE && c[i].cls != K_SPACE;
    return n;
}

/* Break the paragraph c[p, q) (no newlines in it); q > p. */
static int break_para(lines *ls, const ch *c, size_t p, size_t q,
                      double size, double max_width, double first,
                      double hang)
{
    size_t a = p, n0 = ls->n;
    size_t prev_a = p, last_a = p; /* starts of the last two lines */
    while (a < q) {
        double room = max_width - (ls->n == n0 ? first : hang);
        double em = 0;
        size_t bp = 0, k; /* bp > a: a break is allowed before c[bp] */
        int over = 0;
        for (k = a; k < q; k++) {
            if (k > a && can_break(c, p, k))
                bp = k;
            if (c[k].cls == K_SPACE) {
                em += c[k].em; /* hangs if it ends the line */
                continue;
            }
            double next = em + c[k].em;
            if (k > a && next * size > room + 1e-9) {
                over = 1;
                break;
            }
            em = next;
        }
        size_t end = q;
        int forced = 0;
        if (over && bp > a) {
            end = bp;
        } else if (over) { /* one unit wider than the line: break by characters */
            forced = 1;
            end = k;
            while (end - 1 > a && (c[end].cls == K_CLOSE ||
                                   c[end - 1].cls == K_OPEN))
                end--;
        }
        prev_a = last_a;
        last_a = a;
        if (emit(ls, c, a, end, size, ls->n == n0 ? first : hang, forced))
            return -1;
        a = end;
        while (a < q && c[a].cls == K_SPACE)
            a++;
    }
    if (ls->n < n0 + 2 || !lone_line(c, last_a, q))
        return 0;
    /* 孤字: take the last character that may go from the line before
     * (clreq 7.1.2), if that line keeps two and the last line still fits. */
    sc_line *prev = &ls->v[ls->n - 2];
    size_t bp = last_a - 1;
    while (bp > prev_a && !can_break(c, p, bp))
        bp--;
    if (prev->forced || bp <= prev_a || units(c, prev_a, bp) < 2 ||
        em_sum(c, bp, trim_end(c, bp, q)) * size > max_width - hang + 1e-9) {
        ls->v[ls->n - 1].lone = 1;
        return 0;
    }
    double indent = prev->indent;
    ls->n -= 2;
    if (emit(ls, c, prev_a, bp, size, indent, 0) ||
        emit(ls, c, bp, q, size, hang, 0))
        return -1;
    return 0;
}

sc_status sc_text_break(const sc_fonts *f, int role, double size,
                        const char *s, double max_width, unsigned flags,
                        sc_line **out, size_t *nout)
{
    if (!out || !nout)
        return SC_ERR_USAGE;
    *out = NULL;
    *nout = 0;
    if (!s)
        return SC_ERR_USAGE;
    size_t n = strlen(s);
    ch *c = sc_malloc((n + 1) * sizeof *c);
    if (!c)
        return SC_ERR_NOMEM;
    size_t nc = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = sc_utf8_decode(s + i, n - i, &cp);
        if (!k) { /* validated as it is decoded, not in a pass before */
            free(c);
            return SC_ERR_ENCODING;
        }
        ch *x = &c[nc++];
        x->cp = cp;
        x->off = i;
        x->len = (unsigned char)k;
        x->cls = (unsigned char)class_of(cp);
        x->wide = (unsigned char)is_wide(cp);
        x->em = x->cls == K_NL ? 0 : em_of(f, role, cp, NULL);
        i += k;
    }
    lines ls = {0};
    size_t p = 0;
    int bad = 0;
    double label_em = 0;
    if (flags & SC_BREAK_HANG) {
        size_t q = 0, k = 0;
        while (q < nc && c[q].cls != K_NL)
            q++;
        while (k < q && c[k].cp == 0x3000)
            k++;
        size_t l = label_len(c, k, q);
        label_em = l ? em_sum(c, 0, k + l) : 0;
    }
    for (;;) {
        size_t q = p;
        while (q < nc && c[q].cls != K_NL)
            q++;
        if (q == p) {
            sc_line l = {p < nc ? c[p].off : n, 0, 0, 0, 0, 0};
            bad = push_line(&ls, &l);
        } else {
            double first = 0, hang = 0;
            if (flags & SC_BREAK_HANG)
                para_indents(c, p, q, p == 0, label_em, size, max_width,
                             &first, &hang);
            bad = break_para(&ls, c, p, q, size, max_width, first, hang);
        }
        if (bad || q == nc)
            break;
        p = q + 1;
        if (c[q].cp == '\r' && p < nc && c[p].cp == '\n')
            p++;
    }
    free(c);
    if (bad) {
        free(ls.v);
        return SC_ERR_NOMEM;
    }
    *out = ls.v;
    *nout = ls.n;
    return SC_OK;
}

/* ---- runs ---------------------------------------------------------------- */

sc_status sc_text_runs(const sc_fonts *f, int role, double size,
                       const char *s, size_t n, sc_run **out, size_t *nout)
{
    if (!out || !nout)
        return SC_ERR_USAGE;
    *out = NULL;
    *nout = 0;
    if (!s && n)
        return SC_ERR_USAGE;
    sc_run *v = NULL;
    size_t nv = 0, cap = 0;
    double em = 0; /* of the open run, v[nv - 1] */
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = sc_utf8_decode(s + i, n - i, &cp);
        if (!k) { /* validated as it is decoded, not in a pass before */
            free(v);
            return SC_ERR_ENCODING;
        }
        int face;
        double w = em_of(f, role, cp, &face);
        if (face < 0 && nv && is_ignorable(cp))
            face = v[nv - 1].face;
        if (nv && v[nv - 1].face == face) {
            v[nv - 1].len += k;
            em += w;
        } else {
            if (nv)
                v[nv - 1].width = em * size;
            if (nv == cap) {
                cap = cap ? cap * 2 : 4;
                sc_run *nvv = sc_realloc(v, cap * sizeof *v);
                if (!nvv) {
                    free(v);
                    return SC_ERR_NOMEM;
                }
                v = nvv;
            }
            v[nv++] = (sc_run){i, k, face, 0};
            em = w;
        }
        i += k;
    }
    if (nv)
        v[nv - 1].width = em * size;
    *out = v;
    *nout = nv;
    return SC_OK;
}

/* Taiwan and Hong Kong centre ，。、；：！？ (docs/fonts.md, "Language");
 * the tag's script or region says whether the text is set their way. */
int sc_text_traditional(const char *lang)
{
    if (!lang || (strncasecmp(lang, "zh-", 3) && strncasecmp(lang, "zh_", 3)))
        return 0;
    const char *r = lang + 3;
    return !strncasecmp(r, "Hant", 4) || !strncasecmp(r, "TW", 2) ||
           !strncasecmp(r, "HK", 2) || !strncasecmp(r, "MO", 2);
}
