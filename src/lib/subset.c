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

/* composite glyph flags */
#define ARG_WORDS 0x0001
#define HAVE_SCALE 0x0008
#define MORE_COMPONENTS 0x0020
#define HAVE_XY_SCALE 0x0040
#define HAVE_2X2 0x0080
#define HAVE_INSTRUCTIONS 0x0100

struct sc_subset {
    const sc_face *face;
    const sc_face_info *in;
    uint16_t *cid_of; /* original gid -> cid; 0: not used (gid 0 is cid 0) */
    uint16_t *gid;    /* cid -> original gid */
    uint32_t *uni;    /* cid -> first code point drawn with it, 0: none */
    unsigned n, cap;
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
    s->cid_of = sc_calloc(in->nglyphs, sizeof *s->cid_of);
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

long sc_subset_use(sc_subset *s, unsigned gid, uint32_t cp)
{
    if (!s || gid == 0 || gid >= s->in->nglyphs)
        return 0;
    unsigned cid = s->cid_of[gid];
    if (cid) {
        if (!s->uni[cid])
            s->uni[cid] = cp;
        return (long)cid;
    }
    if (s->n == s->cap) {
        unsigned cap = s->cap * 2;
        uint16_t *g = sc_realloc(s->gid, cap * sizeof *g);
        if (!g)
            return -1;
        s->gid = g;
        uint32_t *u = sc_realloc(s->uni, cap * sizeof *u);
        if (!u)
            return -1;
        s->uni = u;
        s->cap = cap;
    }
    cid = s->n++;
    s->gid[cid] = (uint16_t)gid;
    s->uni[cid] = cp;
    s->cid_of[gid] = (uint16_t)cid;
    return (long)cid;
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
typedef int (*comp_fn)(sc_subset *s, unsigned char *g, size_t at, void *ud);

static size_t walk_components(sc_subset *s, unsigned char *g, size_t len,
                              comp_fn fn, void *ud)
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
static int add_component(sc_subset *s, unsigned char *g, size_t at, void *ud)
{
    unsigned c = u16(g + at);
    int *bad = ud;
    if (c >= s->in->nglyphs) {
        *bad = 1;
        return 1;
    }
    return c != 0 && sc_subset_use(s, c, 0) < 0 ? (*bad = 2, 1) : 0;
}

/* Rewrite: component id -> new id, instructions flag cleared. */
static int renumber(sc_subset *s, unsigned char *g, size_t at, void *ud)
{
    (void)ud;
    unsigned c = u16(g + at);
    w16(g + at, c < s->in->nglyphs ? s->cid_of[c] : 0);
    w16(g + at - 2, u16(g + at - 2) & ~(unsigned)HAVE_INSTRUCTIONS);
    return 0;
}

/* Turn glyph g (cid's original outline, len bytes) into its subset form in
 * place; returns the new length in *nlen. */
static sc_status transform(sc_subset *s, unsigned cid, unsigned char *g,
                           size_t len, size_t *nlen, sc_error *err)
{
    unsigned gid = s->gid[cid];
    *nlen = 0;
    if (len == 0)
        return SC_OK;
    if (len < 10)
        return malformed(s, gid, "outline shorter than its header", err);
    int nc = s16(g);
    if (nc < 0) {
        size_t k = walk_components(s, g, len, renumber, NULL);
        if (!k)
            return malformed(s, gid, "composite glyph record truncated", err);
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
    if (il) {
        memmove(g + at + 2, g + at + 2 + il, len - (at + 2 + il));
        w16(g + at, 0);
    }
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

static sc_status assemble(sc_subset *s, unsigned char *glyf, size_t glyf_len,
                          const uint32_t *offs, unsigned char **out,
                          size_t *outlen, sc_error *err)
{
    const sc_face_info *in = s->in;
    unsigned n = s->n;
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
        int lsb = gl >= 10 ? s16(glyf + offs[i] + 2) : 0;
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
        {"OS/2", in->os2, in->os2_len}, {"glyf", glyf, glyf_len},
        {"head", head, 54},             {"hhea", hhea, 36},
        {"hmtx", hmtx, hmtx_len},       {"loca", loca, loca_len},
        {"maxp", maxp, in->maxp_len},   {"name", name, name_len},
        {"post", post, 32}};
    otable *v[9];
    unsigned nt = 0;
    for (int i = 0; i < 9; i++)
        if (t[i].len)
            v[nt++] = &t[i]; /* already in tag order */
    size_t size = 12 + 16 * (size_t)nt;
    for (unsigned i = 0; i < nt; i++)
        size += (v[i]->len + 3) & ~(size_t)3;
    font = sc_calloc(1, size);
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
    size_t off = 12 + 16 * (size_t)nt, head_at = 0;
    uint32_t tables_sum = 0;
    for (unsigned i = 0; i < nt; i++) {
        unsigned char *d = font + 12 + 16 * i;
        memcpy(d, v[i]->tag, 4);
        memcpy(font + off, v[i]->data, v[i]->len);
        uint32_t cs = checksum(font + off, v[i]->len);
        tables_sum += cs;
        w32(d + 4, cs);
        w32(d + 8, (uint32_t)off);
        w32(d + 12, (uint32_t)v[i]->len);
        if (!memcmp(v[i]->tag, "head", 4))
            head_at = off;
        off += (v[i]->len + 3) & ~(size_t)3;
    }
    /* The whole font's sum is the directory's plus every table's (tables
     * are 4-aligned and zero-padded): no second pass over the glyphs. */
    w32(font + head_at + 8,
        0xB1B0AFBAu - (checksum(font, 12 + 16 * (size_t)nt) + tables_sum));
    *out = font;
    *outlen = size;
done:
    free(loca);
    free(hmtx);
    free(name);
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
    unsigned char **data = NULL;
    size_t *dlen = NULL, cap = 0;
    sc_status st = SC_OK;
    /* Read every glyph; the closure appends to s->gid while we walk it. */
    for (unsigned i = 0; i < s->n; i++) {
        if (i >= cap) {
            size_t nc = cap ? cap * 2 : s->n + 16;
            while (nc <= i)
                nc *= 2;
            unsigned char **d = sc_realloc(data, nc * sizeof *d);
            if (d)
                data = d;
            size_t *l = d ? sc_realloc(dlen, nc * sizeof *l) : NULL;
            if (!d || !l) {
                st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0,
                                  "out of memory");
                goto done;
            }
            dlen = l;
            memset(data + cap, 0, (nc - cap) * sizeof *data);
            cap = nc;
        }
        if ((st = sc_face_glyph_data(s->face, s->gid[i], &data[i], &dlen[i],
                                     err)))
            goto done;
        if (dlen[i] >= 10 && s16(data[i]) < 0) {
            int bad = 0;
            if (!walk_components(s, data[i], dlen[i], add_component, &bad)) {
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
    /* Outlines in their subset form, each padded to an even length. */
    uint32_t *offs = sc_malloc((s->n + 1) * sizeof *offs);
    size_t total = 0;
    if (!offs) {
        st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    for (unsigned i = 0; i < s->n && st == SC_OK; i++) {
        size_t nl;
        st = transform(s, i, data[i], dlen[i], &nl, err);
        dlen[i] = nl;
        total += (nl + 1) & ~(size_t)1;
    }
    unsigned char *glyf = st == SC_OK ? sc_malloc(total ? total : 1) : NULL;
    if (st == SC_OK && !glyf)
        st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (st == SC_OK) {
        size_t at = 0;
        for (unsigned i = 0; i < s->n; i++) {
            offs[i] = (uint32_t)at;
            if (dlen[i])
                memcpy(glyf + at, data[i], dlen[i]);
            at += dlen[i];
            if (at & 1)
                glyf[at++] = 0;
        }
        offs[s->n] = (uint32_t)at;
        st = assemble(s, glyf, total, offs, out, len, err);
    }
    free(glyf);
    free(offs);
done:
    for (size_t i = 0; i < cap; i++)
        free(data[i]);
    free(data);
    free(dlen);
    return st;
}
