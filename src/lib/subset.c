/* subset.c -- TrueType subsetting: the glyphs one PDF uses of one face,
 * written as a minimal TrueType font program.
 *
 * Why our own.  libharu 2.3.0 embeds TrueType fonts with every cmap, hmtx,
 * loca and post entry of the original, a 64K-entry CIDToGIDMap and widths
 * for every mapped code point (100-440 KB for a page of hanzi), and it
 * reads composite glyph component ids as signed 16-bit numbers, so in
 * fonts with more than 32767 glyphs (WenQuanYi Micro Hei, Droid Sans
 * Fallback) components above 32767 are silently left out and characters
 * lose strokes.  Here:
 *
 * Ids.  Each glyph gets a new id in order of first use: 1, 2, 3, ... and 0
 * stays .notdef.  pdf.c writes the new id as the CID, and the CIDFont says
 * /CIDToGIDMap /Identity, so the subset font's glyph ids are the CIDs and
 * no map is needed.  A print file with many records shares one subset per
 * face: ids only grow.
 *
 * Closure.  When the font is built, every composite glyph's components are
 * added (unsigned 16-bit ids, nested composites followed to any depth, each
 * glyph once, so a cyclic font cannot loop) with ids after the used
 * glyphs, and the component ids inside the copied composite glyphs are
 * rewritten to the new ids.
 *
 * Moved copies.  Traditional text centres ，。、；：！？ in the em box; a
 * face that draws them the mainland way gets, for each such mark used,
 * one more glyph: a composite of the mark alone, offset to the middle
 * (sc_subset_use_moved; the shift is measured in fonts.c).  It has its
 * own CID, the mark's advance and character, so the content stream puts
 * it exactly where the mark would be and a reader extracts the same
 * text; the closure adds the mark itself as its component.
 *
 * Hinting.  Glyph instructions are dropped (and with them cvt, fpgm and
 * prep): PDF viewers rasterise unhinted anyway, instructions are a large
 * part of a CJK glyph, and an instruction that calls a function of an fpgm
 * we did not copy would be worse than none.
 *
 * Tables written: OS/2 (copied), glyf, head (checkSumAdjustment,
 * indexToLocFormat), hhea (numberOfHMetrics = all glyphs), hmtx (advance
 * and lsb = the glyph's xMin for every glyph), loca, maxp (numGlyphs),
 * name (the PostScript name only), post (version 3: no glyph names).  No
 * cmap: a CIDFontType2 with Identity CIDToGIDMap does not use one.
 *
 * Every glyph is parsed with bounds checks; the glyph's byte range itself
 * was validated against loca and glyf when the face was loaded.
 */
#include "fontengine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include <zlib.h>

/* composite glyph flags */
#define ARG_WORDS 0x0001
#define ARGS_XY 0x0002
#define HAVE_SCALE 0x0008
#define MORE_COMPONENTS 0x0020
#define HAVE_XY_SCALE 0x0040
#define HAVE_2X2 0x0080
#define HAVE_INSTRUCTIONS 0x0100

#define MOVED_MAX 32 /* moved copies per subset (7 marks use at most 7) */

struct sc_subset {
    const sc_face *face;
    const sc_face_info *in;
    uint32_t *cid_of; /* original gid -> cid, a hash table (cid_slot) */
    unsigned nslots;  /* its size, a power of 2 above twice the CIDs */
    uint16_t *gid;    /* cid -> original gid */
    uint32_t *uni;    /* cid -> first code point drawn with it, 0: none */
    unsigned n, cap;
    const sc_fontbase *base; /* CIDs 0..base->n-1 are the base's, or NULL */
    /* moved copies: CID cid is glyph gid[cid] offset by dx, dy */
    struct moved {
        unsigned cid;
        int dx, dy;
    } moved[MOVED_MAX];
    int nmoved;
};

/* A face's base (see fontengine.h and "The font cache" below). */
struct sc_fontbase {
    const sc_face *face;   /* the face it is a base of */
    unsigned n;            /* CIDs 0..n-1, components included */
    uint16_t *gid;         /* cid -> original gid */
    uint32_t *uni;         /* cid -> code point */
    unsigned char *glyf;   /* the n outlines in subset form, padded */
    uint32_t *offs;        /* n + 1 offsets into glyf */
    size_t prefix_len;     /* OS/2 (padded to 4) + glyf[0..offs[n]) */
    uLong prefix_adler;    /* Adler-32 of those bytes */
    uint32_t glyf_sum;     /* table checksum of glyf[0..offs[n]), the last
                            * word zero-padded */
    unsigned char *z;      /* raw deflate of them, no final block, ending
                            * with an empty stored block (byte-aligned) */
    size_t zlen;
};

sc_status sc_subset_new(sc_subset **out, const sc_face *face, sc_error *err)
{
    *out = NULL;
    const sc_face_info *in = sc_face_info_get(face);
    if (!in || in->nglyphs == 0)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_subset_new needs a loaded face");
    sc_subset *s = sc_calloc(1, sizeof *s);
    if (!s)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    s->face = face;
    s->in = in;
    s->cap = 64;
    s->nslots = 1024;
    s->cid_of = sc_calloc(s->nslots, sizeof *s->cid_of);
    s->gid = sc_malloc(s->cap * sizeof *s->gid);
    s->uni = sc_malloc(s->cap * sizeof *s->uni);
    if (!s->cid_of || !s->gid || !s->uni) {
        sc_subset_free(s);
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    s->gid[0] = 0;
    s->uni[0] = 0;
    s->n = 1;
    *out = s;
    return SC_OK;
}

void sc_subset_free(sc_subset *s)
{
    if (!s)
        return;
    free(s->cid_of);
    free(s->gid);
    free(s->uni);
    free(s);
}

unsigned sc_subset_code(const sc_subset *s, unsigned cid)
{
    if (!s || cid >= s->n)
        return 0;
    long c = s->in->cff ? sc_cff_cid(s->in->cff, s->gid[cid]) : -1;
    return c >= 0 ? (unsigned)c : cid;
}

/* gid's slot in cid_of: entries are gid << 16 | cid (gid and cid are
 * 16-bit), 0 an empty slot (gid 0 is CID 0 and never stored); linear
 * probing.  A document draws a few hundred of a face's 30,000-50,000
 * glyphs: an array over all of them cost more to clear, for each face of
 * each document, than all the lookups in this table. */
static uint32_t *cid_slot(const sc_subset *s, unsigned gid)
{
    unsigned mask = s->nslots - 1, i = (gid * 2654435761u) >> 15 & mask;
    while (s->cid_of[i] && s->cid_of[i] >> 16 != gid)
        i = (i + 1) & mask;
    return &s->cid_of[i];
}

/* The CID of gid, 0 if it has none. */
static unsigned cid_get(const sc_subset *s, unsigned gid)
{
    return *cid_slot(s, gid) & 0xFFFF;
}

/* Record gid -> cid (gid has no CID yet); 0 when out of memory. */
static int cid_put(sc_subset *s, unsigned gid, unsigned cid)
{
    if (2 * (s->n + 1) > s->nslots) {
        sc_subset old = *s;
        s->nslots *= 2;
        if (!(s->cid_of = sc_calloc(s->nslots, sizeof *s->cid_of))) {
            *s = old;
            return 0;
        }
        for (unsigned i = 0; i < old.nslots; i++)
            if (old.cid_of[i])
                *cid_slot(s, old.cid_of[i] >> 16) = old.cid_of[i];
        free(old.cid_of);
    }
    *cid_slot(s, gid) = (uint32_t)gid << 16 | (cid & 0xFFFF);
    return 1;
}

/* A new CID for gid, drawn for cp; 0 when out of memory. */
static unsigned new_cid(sc_subset *s, unsigned gid, uint32_t cp)
{
    if (s->n == s->cap) {
        unsigned cap = s->cap * 2;
        uint16_t *g = sc_realloc(s->gid, cap * sizeof *g);
        if (!g)
            return 0;
        s->gid = g;
        uint32_t *u = sc_realloc(s->uni, cap * sizeof *u);
        if (!u)
            return 0;
        s->uni = u;
        s->cap = cap;
    }
    unsigned cid = s->n++;
    s->gid[cid] = (uint16_t)gid;
    s->uni[cid] = cp;
    return cid;
}

long sc_subset_use(sc_subset *s, unsigned gid, uint32_t cp)
{
    if (!s || gid == 0 || gid >= s->in->nglyphs)
        return 0;
    unsigned cid = cid_get(s, gid);
    if (cid) {
        if (!s->uni[cid])
            s->uni[cid] = cp;
        return (long)sc_subset_code(s, cid);
    }
    if (!(cid = new_cid(s, gid, cp)) || !cid_put(s, gid, cid))
        return -1;
    return (long)sc_subset_code(s, cid);
}

long sc_subset_use_moved(sc_subset *s, unsigned gid, uint32_t cp, int dx, int dy)
{
    if (!s || gid == 0 || gid >= s->in->nglyphs)
        return 0;
    if (s->in->cff)
        return -1;
    for (int i = 0; i < s->nmoved; i++) {
        const struct moved *m = &s->moved[i];
        if (s->gid[m->cid] == gid && m->dx == dx && m->dy == dy)
            return (long)m->cid;
    }
    if (s->nmoved == MOVED_MAX)
        return -1;
    unsigned cid = new_cid(s, gid, cp);
    if (!cid)
        return -1;
    s->moved[s->nmoved++] = (struct moved){cid, dx, dy};
    return (long)cid;
}

/* The shift of a moved copy, or NULL if cid is the glyph itself. */
static const struct moved *moved_of(const sc_subset *s, unsigned cid)
{
    for (int i = 0; i < s->nmoved; i++)
        if (s->moved[i].cid == cid)
            return &s->moved[i];
    return NULL;
}

unsigned sc_subset_count(const sc_subset *s) { return s ? s->n : 0; }

unsigned sc_subset_orig(const sc_subset *s, unsigned cid)
{
    return s && cid < s->n ? s->gid[cid] : 0;
}

uint32_t sc_subset_unicode(const sc_subset *s, unsigned cid)
{
    return s && cid < s->n ? s->uni[cid] : 0;
}

int sc_subset_width(const sc_subset *s, unsigned cid)
{
    if (!s || cid >= s->n)
        return 0;
    double w = sc_face_gid_advance(s->face, s->gid[cid]) * 1000.0 /
               (double)s->in->upem;
    return (int)lround(w);
}

void sc_subset_tag(const sc_subset *s, char tag[7])
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const char *p = s->in->psname; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (unsigned i = 0; i < s->n; i++) {
        h = (h ^ (s->gid[i] & 0xFF)) * 1099511628211ull;
        h = (h ^ (s->gid[i] >> 8)) * 1099511628211ull;
    }
    for (int i = 0; i < s->nmoved; i++) /* the same glyphs, one moved */
        h = (h ^ (uint64_t)(s->moved[i].cid * 65536u + (unsigned)s->moved[i].dx * 251u +
                            (unsigned)s->moved[i].dy)) * 1099511628211ull;
    for (int i = 0; i < 6; i++) {
        tag[i] = (char)('A' + h % 26);
        h /= 26;
    }
    tag[6] = '\0';
}

/* ---- building --------------------------------------------------------- */

static uint16_t u16(const unsigned char *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static int16_t s16(const unsigned char *p) { return (int16_t)u16(p); }
static void w16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}
static void w32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static sc_status malformed(const sc_subset *s, unsigned gid, const char *what,
                           sc_error *err)
{
    return sc_error_set(err, SC_ERR_FONT, sc_face_path(s->face), 0, 0,
                        "malformed font %s: glyph %u: %s; map the role to "
                        "another font", sc_face_path(s->face), gid, what);
}

/* Walk the components of composite glyph g[0..len): for each, call back
 * with the offset of its glyph index.  Returns the length of the glyph
 * without trailing instructions, or 0 if malformed. */
typedef int (*comp_fn)(sc_subset *s, const unsigned char *g, size_t at,
                       void *ud);

static size_t walk_components(sc_subset *s, const unsigned char *g,
                              size_t len, comp_fn fn, void *ud)
{
    size_t p = 10;
    for (;;) {
        if (p + 4 > len)
            return 0;
        unsigned flags = u16(g + p);
        size_t n = 4 + ((flags & ARG_WORDS) ? 4 : 2);
        if (flags & HAVE_SCALE)
            n += 2;
        else if (flags & HAVE_XY_SCALE)
            n += 4;
        else if (flags & HAVE_2X2)
            n += 8;
        if (p + n > len)
            return 0;
        if (fn && fn(s, g, p + 2, ud))
            return 0;
        p += n;
        if (!(flags & MORE_COMPONENTS))
            return p;
    }
}

/* Closure: add a component not yet in the subset. */
static int add_component(sc_subset *s, const unsigned char *g, size_t at,
                         void *ud)
{
    unsigned c = u16(g + at);
    int *bad = ud;
    if (c >= s->in->nglyphs) {
        *bad = 1;
        return 1;
    }
    return c != 0 && sc_subset_use(s, c, 0) < 0 ? (*bad = 2, 1) : 0;
}

/* Rewrite, in the copy ud (g's bytes): component id -> new id,
 * instructions flag cleared. */
static int renumber(sc_subset *s, const unsigned char *g, size_t at, void *ud)
{
    unsigned char *d = ud;
    unsigned c = u16(g + at);
    w16(d + at, c < s->in->nglyphs ? cid_get(s, c) : 0);
    w16(d + at - 2, u16(g + at - 2) & ~(unsigned)HAVE_INSTRUCTIONS);
    return 0;
}

/* Write glyph g (cid's original outline, len bytes) in its subset form
 * to dst (room for len bytes); its length there in *nlen. */
static sc_status transform(sc_subset *s, unsigned cid, const unsigned char *g,
                           size_t len, unsigned char *dst, size_t *nlen,
                           sc_error *err)
{
    unsigned gid = s->gid[cid];
    *nlen = 0;
    if (len == 0)
        return SC_OK;
    if (len < 10)
        return malformed(s, gid, "outline shorter than its header", err);
    int nc = s16(g);
    if (nc < 0) {
        size_t k = walk_components(s, g, len, NULL, NULL);
        if (!k)
            return malformed(s, gid, "composite glyph record truncated", err);
        memcpy(dst, g, k);
        walk_components(s, dst, k, renumber, dst);
        *nlen = k;
        return SC_OK;
    }
    size_t at = 10 + 2 * (size_t)nc; /* instructionLength */
    if (at + 2 > len)
        return malformed(s, gid, "contour end points run past the outline",
                         err);
    size_t il = u16(g + at);
    if (at + 2 + il > len)
        return malformed(s, gid, "instructions run past the outline", err);
    memcpy(dst, g, at);
    w16(dst + at, 0);
    memcpy(dst + at + 2, g + at + 2 + il, len - (at + 2 + il));
    *nlen = len - il;
    return SC_OK;
}

static uint32_t checksum(const unsigned char *p, size_t n)
{
    uint32_t sum = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        sum += (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 |
               (uint32_t)p[i + 2] << 8 | p[i + 3];
    if (i < n) {
        unsigned char last[4] = {0, 0, 0, 0};
        memcpy(last, p + i, n - i);
        sum += (uint32_t)last[0] << 24 | (uint32_t)last[1] << 16 |
               (uint32_t)last[2] << 8 | last[3];
    }
    return sum;
}

typedef struct otable {
    char tag[5];
    const unsigned char *data;
    size_t len;
} otable;

/* A name table with the PostScript name as IDs 1, 4 and 6 and "Regular"
 * as ID 2, Windows Unicode English. */
static unsigned char *make_name(const char *ps, size_t *len)
{
    size_t pl = strlen(ps);
    static const char reg[] = "Regular";
    size_t rl = sizeof reg - 1;
    size_t strings = 6 + 12 * 4;
    *len = strings + 2 * (pl + rl);
    unsigned char *b = sc_calloc(1, *len);
    if (!b)
        return NULL;
    w16(b + 0, 0);
    w16(b + 2, 4);
    w16(b + 4, (unsigned)strings);
    static const unsigned ids[4] = {1, 2, 4, 6};
    for (int i = 0; i < 4; i++) {
        unsigned char *r = b + 6 + 12 * i;
        w16(r, 3);
        w16(r + 2, 1);
        w16(r + 4, 0x409);
        w16(r + 6, ids[i]);
        w16(r + 8, (unsigned)(2 * (ids[i] == 2 ? rl : pl)));
        w16(r + 10, (unsigned)(ids[i] == 2 ? 2 * pl : 0));
    }
    unsigned char *p = b + strings;
    for (size_t i = 0; i < pl; i++, p += 2)
        w16(p, (unsigned char)ps[i]);
    for (size_t i = 0; i < rl; i++, p += 2)
        w16(p, (unsigned char)reg[i]);
    return b;
}

/* A subset's glyf: the base's outlines (CIDs 0..B-1 of a seeded subset,
 * transformed once: base->glyf) followed by the document's own. */
typedef struct glyf_parts {
    const unsigned char *base;
    size_t base_len;
    const unsigned char *own;
    size_t own_len;
} glyf_parts;

/* The checksum of glyf: the base's part was summed once (the biggest
 * table of a document, summed again for each document otherwise).  If
 * the base part ends in the middle of a word, the first two bytes after
 * it complete that word. */
static uint32_t glyf_checksum(const sc_subset *s, const glyf_parts *g)
{
    if (!g->base_len)
        return checksum(g->own, g->own_len);
    uint32_t sum = s->base->glyf_sum;
    size_t at = 0;
    if (g->base_len % 4 && g->own_len >= 2) { /* glyph lengths are even */
        sum += u16(g->own);
        at = 2;
    }
    return sum + checksum(g->own + at, g->own_len - at);
}

/* The font program of glyphs 0..n-1 (glyf g, offsets offs): *out
 * (sc_malloc'd, *outlen bytes) is the whole font, or with `skip`, the
 * font without its PREFIX -- the OS/2 table and the base's part of glyf,
 * which lie right after the table directory (see "font bases" below) --
 * that is the directory followed by the rest; *len the whole font's
 * length either way. */
static sc_status assemble(sc_subset *s, const glyf_parts *g,
                          const uint32_t *offs, int skip, unsigned char **out,
                          size_t *outlen, size_t *len, sc_error *err)
{
    const sc_face_info *in = s->in;
    unsigned n = s->n;
    size_t glyf_len = g->base_len + g->own_len;
    int lng = glyf_len > 0x1FFFCu;
    size_t loca_len = (size_t)(n + 1) * (lng ? 4 : 2);
    size_t hmtx_len = 4u * n, name_len = 0;
    unsigned char *loca = sc_malloc(loca_len), *hmtx = sc_malloc(hmtx_len);
    unsigned char *name = make_name(in->psname, &name_len);
    unsigned char head[54], hhea[36], maxp[32], post[32], *font = NULL;
    sc_status st = SC_OK;
    if (!loca || !hmtx || !name) {
        st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    for (unsigned i = 0; i <= n; i++) {
        if (lng)
            w32(loca + 4 * i, offs[i]);
        else
            w16(loca + 2 * i, offs[i] / 2);
    }
    for (unsigned i = 0; i < n; i++) {
        size_t gl = offs[i + 1] - offs[i];
        const unsigned char *o = offs[i] < g->base_len
                                     ? g->base + offs[i]
                                     : g->own + (offs[i] - g->base_len);
        int lsb = gl >= 10 ? s16(o + 2) : 0;
        w16(hmtx + 4 * i, sc_face_gid_advance(s->face, s->gid[i]));
        w16(hmtx + 4 * i + 2, (unsigned)lsb & 0xFFFF);
    }
    memcpy(head, in->head, 54);
    w32(head + 8, 0);         /* checkSumAdjustment, set below */
    w16(head + 50, lng ? 1 : 0);
    memcpy(hhea, in->hhea, 36);
    w16(hhea + 34, n);
    memcpy(maxp, in->maxp, in->maxp_len);
    w16(maxp + 4, n);
    memcpy(post, in->post, 32);
    w32(post, 0x00030000u);
    memset(post + 16, 0, 16); /* memory hints: unknown for the subset */

    otable t[9] = {
        {"OS/2", in->os2, in->os2_len}, {"glyf", NULL, glyf_len},
        {"head", head, 54},             {"hhea", hhea, 36},
        {"hmtx", hmtx, hmtx_len},       {"loca", loca, loca_len},
        {"maxp", maxp, in->maxp_len},   {"name", name, name_len},
        {"post", post, 32}};
    otable *v[9];
    unsigned nt = 0;
    for (int i = 0; i < 9; i++)
        if (t[i].len)
            v[nt++] = &t[i]; /* already in tag order: OS/2 and glyf first */
    size_t dir = 12 + 16 * (size_t)nt, size = dir;
    for (unsigned i = 0; i < nt; i++)
        size += (v[i]->len + 3) & ~(size_t)3;
    size_t prefix = skip ? ((in->os2_len + 3) & ~(size_t)3) + g->base_len : 0;
    font = sc_malloc(size - prefix);
    if (!font) {
        st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    unsigned es = 0;
    while ((2u << es) <= nt)
        es++;
    w32(font, 0x00010000u);
    w16(font + 4, nt);
    w16(font + 6, 16u << es);
    w16(font + 8, es);
    w16(font + 10, nt * 16 - (16u << es));
    /* off: where a table is in the font; at: where its bytes go in *out */
    size_t off = dir, head_at = 0;
    uint32_t tables_sum = 0;
    for (unsigned i = 0; i < nt; i++) {
        unsigned char *d = font + 12 + 16 * i;
        size_t tl = v[i]->len, padded = (tl + 3) & ~(size_t)3;
        size_t at = off - (off >= dir + prefix ? prefix : 0);
        uint32_t cs;
        memcpy(d, v[i]->tag, 4);
        if (v[i] == &t[1]) { /* glyf */
            cs = glyf_checksum(s, g);
            size_t own_at = skip ? dir : at + g->base_len;
            if (!skip && g->base_len)
                memcpy(font + at, g->base, g->base_len);
            memcpy(font + own_at, g->own, g->own_len);
            memset(font + own_at + g->own_len, 0, padded - tl);
        } else {
            cs = checksum(v[i]->data, tl);
            if (off >= dir + prefix) {
                memcpy(font + at, v[i]->data, tl);
                memset(font + at + tl, 0, padded - tl);
            }
        }
        tables_sum += cs;
        w32(d + 4, cs);
        w32(d + 8, (uint32_t)off);
        w32(d + 12, (uint32_t)tl);
        if (v[i] == &t[2])
            head_at = at;
        off += padded;
    }
    /* The whole font's sum is the directory's plus every table's (tables
     * are 4-aligned and zero-padded): no second pass over the glyphs. */
    w32(font + head_at + 8,
        0xB1B0AFBAu - (checksum(font, dir) + tables_sum));
    *out = font;
    *outlen = size - prefix;
    *len = size;
done:
    free(loca);
    free(hmtx);
    free(name);
    return st;
}

#define MOVED_LEN 18 /* a composite of one component, word offsets */

/* The moved copy m of glyph g (len bytes, the outline of the glyph
 * moved) in c: a composite of that glyph alone at offset dx, dy, its
 * bounding box moved with it; its length, 0 (empty) if g is empty. */
static size_t make_moved(const sc_subset *s, const struct moved *m,
                         const unsigned char *g, size_t len,
                         unsigned char c[MOVED_LEN])
{
    if (len < 10)
        return 0;
    w16(c, 0xFFFF); /* numberOfContours -1: composite */
    w16(c + 2, (unsigned)(s16(g + 2) + m->dx) & 0xFFFF);
    w16(c + 4, (unsigned)(s16(g + 4) + m->dy) & 0xFFFF);
    w16(c + 6, (unsigned)(s16(g + 6) + m->dx) & 0xFFFF);
    w16(c + 8, (unsigned)(s16(g + 8) + m->dy) & 0xFFFF);
    w16(c + 10, ARG_WORDS | ARGS_XY);
    w16(c + 12, s->gid[m->cid]);
    w16(c + 14, (unsigned)m->dx & 0xFFFF);
    w16(c + 16, (unsigned)m->dy & 0xFFFF);
    return MOVED_LEN;
}

/* The outlines of CIDs nb..n-1 -- all of them, or those after the base
 * of a seeded subset, whose base is closed under components and whose
 * outlines were transformed once (sc_fontbase_new) -- in their subset
 * form, each padded to an even length: *own (sc_malloc'd, *own_len
 * bytes), and the offsets of every CID in the whole glyf, n + 1 of them
 * (*offs_out; 0..nb the base's).  The closure appends components to
 * s->gid while the glyphs are read.  The outlines are read one after the
 * other into one buffer, then written once, transformed, into *own. */
static sc_status glyphs(sc_subset *s, unsigned char **own_out,
                        size_t *own_len, uint32_t **offs_out, sc_error *err)
{
    *own_out = NULL;
    *offs_out = NULL;
    *own_len = 0;
    const sc_fontbase *base = s->base;
    unsigned nb = base ? base->n : 0;
    unsigned char *raw = NULL, *own = NULL;
    size_t *at = NULL, cap = 0, rawlen = 0, rawcap = 0;
    uint32_t *offs = NULL;
    sc_status st = SC_OK;
    /* glyph i - nb is raw[at[k]..at[k + 1]) */
    for (unsigned i = nb; i < s->n; i++) {
        size_t k = i - nb, gl = sc_face_glyph_len(s->face, s->gid[i]);
        if (k + 1 >= cap) {
            size_t nc = cap ? cap * 2 : s->n - nb + 16;
            size_t *a = sc_realloc(at, nc * sizeof *a);
            if (!a)
                goto nomem;
            at = a;
            cap = nc;
        }
        if (rawlen + gl + MOVED_LEN > rawcap) {
            size_t nc = rawcap ? rawcap * 2 : 16384;
            while (nc < rawlen + gl + MOVED_LEN)
                nc *= 2;
            unsigned char *r = sc_realloc(raw, nc);
            if (!r)
                goto nomem;
            raw = r;
            rawcap = nc;
        }
        unsigned char *g = raw + rawlen;
        sc_face_glyph_read(s->face, s->gid[i], g);
        const struct moved *m = moved_of(s, i);
        if (m) {
            unsigned char c[MOVED_LEN];
            gl = make_moved(s, m, g, gl, c);
            memcpy(g, c, gl);
        }
        at[k] = rawlen;
        rawlen += gl;
        at[k + 1] = rawlen;
        if (gl >= 10 && s16(g) < 0) {
            int bad = 0;
            if (!walk_components(s, g, gl, add_component, &bad)) {
                st = bad == 2 ? sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0,
                                             "out of memory")
                     : malformed(s, s->gid[i],
                                 bad ? "a component refers to a glyph the "
                                       "font does not have"
                                     : "composite glyph record truncated",
                                 err);
                goto done;
            }
        }
    }
    offs = sc_malloc((s->n + 1) * sizeof *offs);
    /* transformed, a glyph is no longer; each may gain a pad byte */
    own = sc_malloc(rawlen + (s->n - nb) + 1);
    if (!offs || !own)
        goto nomem;
    if (nb)
        memcpy(offs, base->offs, nb * sizeof *offs);
    size_t start = nb ? base->offs[nb] : 0, w = 0;
    for (unsigned i = nb; i < s->n && st == SC_OK; i++) {
        size_t k = i - nb, nl;
        offs[i] = (uint32_t)(start + w);
        st = transform(s, i, raw + at[k], at[k + 1] - at[k], own + w, &nl,
                       err);
        w += nl;
        if (w & 1)
            own[w++] = 0;
    }
    offs[s->n] = (uint32_t)(start + w);
    if (st == SC_OK) {
        *own_out = own;
        *own_len = w;
        *offs_out = offs;
        own = NULL;
        offs = NULL;
    }
    goto done;
nomem:
    st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
done:
    free(raw);
    free(at);
    free(own);
    free(offs);
    return st;
}

/* The font program, whole or without its prefix (assemble). */
static sc_status build(sc_subset *s, int skip, unsigned char **out,
                       size_t *outlen, size_t *len, sc_error *err)
{
    unsigned char *own;
    uint32_t *offs;
    size_t own_len;
    sc_status st = glyphs(s, &own, &own_len, &offs, err);
    if (st != SC_OK)
        return st;
    const sc_fontbase *b = s->base;
    glyf_parts g = {b ? b->glyf : NULL, b ? b->offs[b->n] : 0, own, own_len};
    st = assemble(s, &g, offs, skip, out, outlen, len, err);
    free(own);
    free(offs);
    return st;
}

sc_status sc_subset_build(sc_subset *s, unsigned char **out, size_t *len,
                          sc_error *err)
{
    *out = NULL;
    *len = 0;
    if (!s)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_subset_build needs a subset");
    size_t outlen;
    return build(s, 0, out, &outlen, len, err);
}

/* ---- font bases ------------------------------------------------------------
 *
 * Why.  zlib at level 6 (libharu's Flate) costs ~5 ms per kefu sheet for
 * the two font programs (libdeflate ~2.5 ms) -- three times everything
 * else of a document -- while the documents of one form embed nearly the
 * same glyphs: its labels, headings, rule texts, digits.  So those glyphs
 * become a BASE whose bytes are compressed once per form.
 *
 * Layout.  A font program is [table directory][OS/2][glyf][head hhea hmtx
 * loca maxp name post] (tables in tag order, OS/2 first).  A seeded subset
 * has the base's outlines as glyphs 0..B-1, so the bytes from the end of
 * the directory to glyf + offs[B] are the same in every document: the
 * PREFIX.  When the base is made it is raw-deflated at level 6 as blocks
 * none of which is final, ending on a byte boundary (deflate_prefix).  Per
 * document the zlib stream is written as:
 *
 *   78 9C                          zlib header (deflate, 32K window)
 *   00 LEN ~LEN <directory>        a stored block: the directory varies
 *   <cached prefix blocks>         copied (whole bytes)
 *   deflate(rest)                  the rest on its own, final block
 *   Adler-32 of the whole font     big-endian
 *
 * Deflate back-references are distances into what was decoded before; the
 * cached blocks were made from an empty history, so they never reach into
 * the stored directory, and the rest is compressed without history, so it
 * reaches into nothing.  Both parts are libdeflate's: the prefix at level
 * 6 (once per form), the rest at the fast level (flate.c says why).  What
 * this costs against compressing the whole font: the base glyphs a
 * document does not draw, 5 + 5 bytes of stored-block headers, and the
 * matches the rest could have found in the prefix (about 1.3% of a kefu
 * sheet; zlib with the prefix as its dictionary keeps those, at 2.4 times
 * the time: docs/performance.md).
 *
 * Which glyphs.  The caller decides (fontbases.c: the glyphs of the
 * record's form -- template, header, the sheet's definitions -- laid out
 * without any result, name or comment).  Never a glyph chosen because some
 * other record happened to use it: then a document's bytes would depend
 * on which colleagues were rendered before it, and a document could carry
 * the outlines of characters only a colleague's name uses.
 *
 * Sharing.  A base is complete when sc_fontbase_new returns and never
 * changes after: documents on any number of threads read it at once, with
 * no lock.
 *
 * The prefix itself is never built for a document (assemble leaves it
 * out): a seeded subset's CIDs 0..B-1 are the base's, so its glyf starts
 * with the base's outlines as transformed once, and OS/2 is the face's.
 * tests/unit/test_subset.c decompresses such streams and compares them
 * with the whole font sc_subset_build writes. */

void sc_fontbase_free(sc_fontbase *b)
{
    if (!b)
        return;
    free(b->gid);
    free(b->uni);
    free(b->glyf);
    free(b->offs);
    free(b->z);
    free(b);
}

/* Compress the base's prefix (b->prefix_len bytes at pre) into b->z as
 * the start of a raw deflate stream that documents continue (see the
 * essay above).  libdeflate writes the blocks (less than half zlib's time
 * at the same size) but always ends with a final block, so: zlib's
 * inflate walks the blocks (Z_BLOCK stops at each boundary) to find where
 * the last one starts, its BFINAL bit is cleared, and an empty stored
 * block brings the stream to a byte boundary.  0 on any failure (then
 * there is no base). */
static int deflate_prefix(sc_fontbase *b, const unsigned char *pre)
{
    struct libdeflate_compressor *lc = libdeflate_alloc_compressor(6);
    if (!lc)
        return 0;
    size_t cap = libdeflate_deflate_compress_bound(lc, b->prefix_len);
    b->z = sc_malloc(cap);
    b->zlen = b->z ? libdeflate_deflate_compress(lc, pre, b->prefix_len,
                                                 b->z, cap)
                   : 0;
    libdeflate_free_compressor(lc);
    if (!b->zlen)
        return 0;

    z_stream is = {0};
    unsigned char sink[16384];
    if (inflateInit2(&is, -15) != Z_OK)
        return 0;
    is.next_in = b->z;
    is.avail_in = (uInt)b->zlen;
    /* At each block boundary inflate's data_type has 128 set and tells
     * the unused bits of the last byte read; 64 once the final block has
     * been read.  (Asked again there, inflate would not move on.) */
    size_t last = 0, end = 0; /* bit offsets: final block, its end */
    int zr;
    for (;;) {
        is.next_out = sink;
        is.avail_out = sizeof sink;
        zr = inflate(&is, Z_BLOCK);
        if (zr != Z_OK)
            break;
        if (!(is.data_type & 128))
            continue; /* the sink was full mid-block */
        size_t at = (b->zlen - is.avail_in) * 8 - (size_t)(is.data_type & 7);
        if (is.data_type & 64) {
            end = at;
            break;
        }
        last = at;
    }
    inflateEnd(&is);
    if (zr != Z_OK || !end || (end + 7) / 8 != b->zlen || last >= end)
        return 0;
    b->z[last / 8] &= (unsigned char)~(1u << (last % 8));
    /* End on a byte boundary with an empty stored block (BFINAL 0, BTYPE
     * 00, padding, LEN 0, NLEN 0xFFFF), so that a document's rest can be
     * compressed on its own and appended.  Deflate packs bits from the
     * least significant: the header's 3 zero bits go after the `bits`
     * valid bits of the last byte, spilling into a zero byte from 6 on. */
    int bits = (int)(end % 8);
    size_t at = end / 8; /* the byte that holds the last bits, if any */
    unsigned char *z = sc_realloc(b->z, at + 6);
    if (!z)
        return 0;
    b->z = z;
    if (bits) {
        z[at++] &= (unsigned char)((1u << bits) - 1);
        if (bits > 5)
            z[at++] = 0;
    } else {
        z[at++] = 0;
    }
    z[at] = 0x00;
    z[at + 1] = 0x00;
    z[at + 2] = 0xFF;
    z[at + 3] = 0xFF;
    b->zlen = at + 4;
    return 1;
}

sc_fontbase *sc_fontbase_new(const sc_face *face, const unsigned *gid,
                             const uint32_t *uni, size_t n)
{
    sc_subset *s = NULL;
    sc_error err;
    sc_fontbase *b = NULL;
    unsigned char *pre = NULL;
    const sc_face_info *in = sc_face_info_get(face);
    if (!in || in->cff) /* a CFF program is subset whole by HarfBuzz */
        return NULL;
    if (sc_subset_new(&s, face, &err) != SC_OK)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (sc_subset_use(s, gid[i], uni[i]) < 0)
            goto fail;
    if (s->n <= 1) /* nothing drawn with this face */
        goto fail;
    if (!(b = sc_calloc(1, sizeof *b)))
        goto fail;
    size_t glyf_len;
    if (glyphs(s, &b->glyf, &glyf_len, &b->offs, &err) != SC_OK)
        goto fail;
    b->face = face;
    b->n = s->n;
    b->gid = sc_malloc(s->n * sizeof *b->gid);
    b->uni = sc_malloc(s->n * sizeof *b->uni);
    if (!b->gid || !b->uni)
        goto fail;
    memcpy(b->gid, s->gid, s->n * sizeof *b->gid);
    memcpy(b->uni, s->uni, s->n * sizeof *b->uni);
    /* The prefix: OS/2 zero-padded to 4, then the base's outlines. */
    size_t os2 = (s->in->os2_len + 3) & ~(size_t)3;
    b->prefix_len = os2 + b->offs[b->n];
    if (!(pre = sc_calloc(1, b->prefix_len ? b->prefix_len : 1)))
        goto fail;
    if (s->in->os2_len)
        memcpy(pre, s->in->os2, s->in->os2_len);
    memcpy(pre + os2, b->glyf, b->offs[b->n]);
    b->glyf_sum = checksum(b->glyf, b->offs[b->n]);
    b->prefix_adler = libdeflate_adler32(1, pre, b->prefix_len);
    if (!deflate_prefix(b, pre))
        goto fail;
    free(pre);
    sc_subset_free(s);
    return b;
fail:
    free(pre);
    sc_fontbase_free(b);
    sc_subset_free(s);
    return NULL;
}

size_t sc_fontbase_unused(const sc_fontbase *b, const sc_face *face,
                          const unsigned *gids, size_t n)
{
    const sc_face_info *in = sc_face_info_get(face);
    if (!b || !in)
        return 0;
    unsigned char *mark = sc_calloc(in->nglyphs / 8 + 1, 1);
    if (!mark)
        return (size_t)-1;
    for (size_t i = 0; i < n; i++)
        if (gids[i] < in->nglyphs)
            mark[gids[i] / 8] |= (unsigned char)(1u << (gids[i] % 8));
    size_t unused = 0;
    /* components (uni 0) are counted as used: a drawn glyph needs them */
    for (unsigned i = 1; i < b->n; i++)
        if (b->uni[i] && !(mark[b->gid[i] / 8] & (1u << (b->gid[i] % 8))))
            unused += b->offs[i + 1] - b->offs[i];
    free(mark);
    return unused;
}

sc_status sc_subset_seed(sc_subset *s, const sc_fontbase *base,
                         sc_error *err)
{
    if (!s || !base)
        return SC_OK;
    if (s->n != 1 || s->base || base->face != s->face)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_subset_seed needs an empty subset of the "
                            "base's face");
    for (unsigned i = 1; i < base->n; i++)
        if (sc_subset_use(s, base->gid[i], base->uni[i]) != (long)i)
            return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0,
                                "out of memory");
    s->base = base;
    return SC_OK;
}

static void put_be32(unsigned char *p, uLong v) { w32(p, (uint32_t)v); }

/* The zlib stream of a seeded subset's font program using its base b
 * (see the essay above), from the font without its prefix (part[0..n):
 * the table directory, dir bytes, then the rest); NULL if out of
 * memory. */
static unsigned char *flate_with_base(const sc_fontbase *b, sc_flate *fl,
                                      const unsigned char *part, size_t n,
                                      size_t dir, size_t *zlen)
{
    *zlen = 0;
    const unsigned char *rest = part + dir;
    size_t rest_len = n - dir;
    /* libdeflate's Adler-32 (vectorised) is several times zlib's; zlib
     * combines the three */
    uLong a_all = adler32_combine(
        adler32_combine(libdeflate_adler32(1, part, dir), b->prefix_adler,
                        (z_off_t)b->prefix_len),
        libdeflate_adler32(1, rest, rest_len), (z_off_t)rest_len);
    size_t cap = 2 + 5 + dir + b->zlen + sc_flate_raw_bound(rest_len) + 4;
    unsigned char *z = sc_malloc(cap);
    if (!z)
        return NULL;
    size_t k = 0;
    z[k++] = 0x78;
    z[k++] = 0x9C;
    z[k++] = 0x00; /* BFINAL 0, BTYPE 00 (stored), padding */
    z[k++] = (unsigned char)dir;
    z[k++] = (unsigned char)(dir >> 8);
    z[k++] = (unsigned char)~dir;
    z[k++] = (unsigned char)(~dir >> 8);
    memcpy(z + k, part, dir);
    k += dir;
    memcpy(z + k, b->z, b->zlen);
    k += b->zlen;
    /* The rest on its own: a raw deflate stream ending with the final
     * block, appended at the byte boundary the prefix ends on. */
    size_t out = sc_flate_raw(fl, rest, rest_len, z + k, cap - k - 4);
    if (!out) { /* it fits: only a compressor that could not be made */
        free(z);
        return NULL;
    }
    k += out;
    put_be32(z + k, a_all);
    k += 4;
    *zlen = k;
    return z;
}

sc_status sc_subset_build_flate(sc_subset *s, sc_flate *fl, size_t *len,
                                unsigned char **z, size_t *zlen,
                                int *from_base, sc_error *err)
{
    *z = NULL;
    *zlen = 0;
    *len = 0;
    *from_base = s->base != NULL;
    unsigned char *font;
    size_t n;
    sc_status st = build(s, *from_base, &font, &n, len, err);
    if (st != SC_OK)
        return st;
    if (*from_base) {
        size_t dir = 12 + 16 * (size_t)u16(font + 4);
        *z = flate_with_base(s->base, fl, font, n, dir, zlen);
    } else { /* the whole font (libdeflate, flate.c) */
        sc_flate_zlib(fl, SC_FLATE_SMALL, font, n, z, zlen);
    }
    free(font);
    if (!*z) {
        *len = 0;
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    return SC_OK;
}
